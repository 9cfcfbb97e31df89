//! Discounts that come off the shipping, for `discounts.rs`: a percent or
//! amount off the shipping charge (a reward with target `shipping`), or
//! off the eligible items and the shipping together, split between them
//! (target `items_and_shipping`), with a fixed value or the step reached
//! (steps may measure the shipping itself). Free shipping is applied by
//! `discounts.rs` directly.

use rust_decimal::Decimal;

use super::discounts::Detail;
use super::promotions::{basis, smallest_step};
use super::sharing::{Sharing, allocate, percent_by_line};
use super::{Context, EvaluationError, overflow};
use crate::money::PerCurrency;
use crate::money::{RoundingScope, percent_of_units, split_in_place_rounded};
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::ladder::{LadderBasis, Measure, StepReward};
use crate::rules::promotion::{DiscountTarget, Promotion, Reward, ShippingShare};
use crate::util::Lines;

/// What a discount on the shipping gives, in minor units.
pub(super) struct OffShipping<'a> {
    /// Each line's part (a discount on the items and the shipping; zeros
    /// for a discount on the shipping alone).
    pub(super) parts: Lines<i128>,
    /// The shipping's part, at most what is left of the shipping charge.
    pub(super) shipping: i128,
    pub(super) detail: Detail<'a>,
}

/// What the reward gives: a percent (with its cap) or an amount.
#[derive(Clone, Copy)]
enum Value {
    Percent {
        percent: Decimal,
        cap: Option<Decimal>,
    },
    Amount(Decimal),
}

/// The discount of `promotion` (a percent or amount off whose target is
/// not the items alone) on the lines' current `nets` and the shipping
/// left, `shipping_left` (minor units).
#[inline(never)]
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    promotion: &'a Promotion,
    nets: &[i128],
    shipping_left: i128,
    free_units: &[u32],
    percentages: Percentages,
) -> Result<OffShipping<'a>, EvaluationError> {
    let def = &promotion.definition;
    let target = def.reward.target();
    let nothing = |detail| OffShipping {
        parts: Lines::filled(nets.len(), 0),
        shipping: 0,
        detail,
    };
    // The value: fixed, or that of the step reached.
    let (value, stepped) = match promotion.steps() {
        Some(table) => {
            let measured = match (table.basis(), table.measure()) {
                (LadderBasis::Shipping, Measure::AfterDiscounts) => ctx.decimal(shipping_left)?,
                (_, Measure::BeforeDiscounts) => basis(ctx, &def.lines, table, ctx.measured())?,
                (_, Measure::AfterDiscounts) => {
                    basis(ctx, &def.lines, table, &ctx.measure_nets(nets)?)?
                }
            };
            let standing = table.standing(measured, smallest_step(table, ctx.currency));
            let Some(step) = standing.step else {
                return Ok(nothing(Detail::NoStep {
                    table,
                    basis: measured,
                    next: standing.next,
                }));
            };
            let value = match table.steps()[step].reward {
                StepReward::Percent { percent, cap } => Value::Percent { percent, cap },
                StepReward::Amount { amount } => Value::Amount(amount),
            };
            let detail = Detail::Ladder {
                table,
                step,
                basis: measured,
                next: standing.next,
            };
            (value, Some(detail))
        }
        None => match &def.reward {
            // Validated: without steps, a percent or amount off has its value.
            Reward::PercentOff { percent, cap, .. } => (
                Value::Percent {
                    percent: percent.unwrap_or(Decimal::ZERO),
                    cap: cap.as_ref().map(PerCurrency::value),
                },
                None,
            ),
            Reward::AmountOff { amount, .. } => (
                Value::Amount(amount.as_ref().map_or(Decimal::ZERO, PerCurrency::value)),
                None,
            ),
            _ => (Value::Amount(Decimal::ZERO), None),
        },
    };
    let shipping_base = match percentages {
        Percentages::Compound => shipping_left,
        Percentages::OnOriginal => ctx.shipping,
    }
    .max(0);
    let shipping_room = shipping_left.max(0);
    if target != DiscountTarget::ItemsAndShipping {
        let (amount, capped_at) = match value {
            Value::Percent { percent, cap } => {
                let raw = percent_of_amount(ctx, shipping_base, percent)?;
                let (raw, capped_at) = capped(raw, cap);
                (round(ctx, raw)?, capped_at)
            }
            Value::Amount(amount) => (ctx.units(amount)?, None),
        };
        let detail = stepped.unwrap_or(match value {
            Value::Percent { percent, .. } => Detail::PercentOffShipping { percent, capped_at },
            Value::Amount(amount) => Detail::AmountOffShipping(amount),
        });
        return Ok(OffShipping {
            parts: Lines::filled(0, 0),
            shipping: amount.clamp(0, shipping_room),
            detail,
        });
    }
    // The items and the shipping together.
    let share = def.reward.shipping_share();
    let eligible = |line: &Line| Context::eligible(line, &def.lines);
    let sharing = Sharing::of(ctx, promotion, free_units);
    let items_bases = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let (mut items_base, mut items_room): (i128, i128) = (0, 0);
    for ((line, &base), &net) in ctx.lines().iter().zip(items_bases).zip(nets) {
        if eligible(line) {
            items_base = items_base
                .checked_add(base.max(0))
                .ok_or_else(|| overflow("a discount on shipping"))?;
            items_room = items_room
                .checked_add(net.max(0))
                .ok_or_else(|| overflow("a discount on shipping"))?;
        }
    }
    let detail_of = |capped_at: Option<Decimal>| {
        stepped.unwrap_or(match value {
            Value::Percent { percent, .. } => Detail::PercentOffItemsAndShipping {
                percent,
                capped_at,
                share,
            },
            Value::Amount(amount) => Detail::AmountOffItemsAndShipping { amount, share },
        })
    };
    let (amount, capped_at) = match value {
        Value::Percent { percent, cap }
            if sharing.scope != RoundingScope::Total && share == ShippingShare::Proportional =>
        {
            // Each line's share and the shipping's rounded on their own.
            let (parts, items) = percent_by_line(
                ctx,
                percent,
                nets,
                &eligible,
                percentages,
                sharing,
                "a discount on shipping",
            )?;
            let shipping = percent_of_units(shipping_base, percent, ctx.program.rounding())
                .ok_or_else(|| overflow("a discount on shipping"))?
                .min(shipping_room);
            match cap {
                Some(c) if items + shipping > ctx.units(c)? => (ctx.units(c)?, Some(c)),
                _ => {
                    return Ok(OffShipping {
                        parts,
                        shipping,
                        detail: detail_of(None),
                    });
                }
            }
        }
        Value::Percent { percent, cap } => {
            let base = items_base
                .checked_add(shipping_base)
                .ok_or_else(|| overflow("a discount on shipping"))?;
            let raw = percent_of_amount(ctx, base, percent)?;
            let (raw, capped_at) = capped(raw, cap);
            (round(ctx, raw)?, capped_at)
        }
        Value::Amount(amount) => (ctx.units(amount)?, None),
    };
    let room = items_room
        .checked_add(shipping_room)
        .ok_or_else(|| overflow("a discount on shipping"))?;
    let amount = amount.clamp(0, room);
    let (to_items, to_shipping) = match share {
        ShippingShare::Remainder => {
            let items = amount.min(items_room);
            (items, amount - items)
        }
        ShippingShare::Proportional if amount > 0 => {
            let mut two = [items_room, shipping_room];
            split_in_place_rounded(
                amount,
                &mut two,
                ctx.program.remainder(),
                ctx.program.share_rounding(),
            )?;
            (two[0], two[1])
        }
        ShippingShare::Proportional => (0, 0),
    };
    Ok(OffShipping {
        parts: allocate(ctx, to_items, nets, eligible, sharing)?,
        shipping: to_shipping,
        detail: detail_of(capped_at),
    })
}

/// `percent` of `units` minor units, unrounded.
fn percent_of_amount(
    ctx: &Context<'_>,
    units: i128,
    percent: Decimal,
) -> Result<Decimal, EvaluationError> {
    ctx.decimal(units)?
        .checked_mul(percent)
        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
        .ok_or_else(|| overflow("a discount on shipping"))
}

/// `raw` cut to `cap`, and the cap when it cut it.
fn capped(raw: Decimal, cap: Option<Decimal>) -> (Decimal, Option<Decimal>) {
    match cap {
        Some(c) if raw > c => (c, Some(c)),
        _ => (raw, None),
    }
}

/// `raw` rounded once with the program's rounding, in minor units (zero
/// or more).
fn round(ctx: &Context<'_>, raw: Decimal) -> Result<i128, EvaluationError> {
    let rounded = ctx
        .program
        .rounding()
        .round(raw, ctx.currency.minor_units());
    ctx.units(rounded.max(Decimal::ZERO))
}

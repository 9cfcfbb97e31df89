//! Stage 5, discounts: the picked set applied in order (line-level rewards,
//! then order-level ones by priority, then shipping), each rounded and
//! allocated over its eligible lines as its rounding scope and split say
//! (`sharing.rs`; once, in proportion to their net, by default), so that
//! the parts sum exactly to it and no line goes below zero; then the
//! program's cap on the total discount. A discount on the shipping
//! (`shipping.rs`) comes off what is left of it; one on the items and the
//! shipping together is reported once for each part. [`settle`] turns the application
//! into the evaluation's lines, discounts and totals.

use rust_decimal::Decimal;

use super::benefits;
use super::coupons::Codes;
use super::line_rewards;
use super::promotions::{self, show};
use super::sharing::{Sharing, allocate};
use super::shipping;
use super::stacking::{Candidate, Level, Perk, Source};
use super::{Context, EvaluationError, Trace, overflow};
use crate::evaluation::{
    AppliedDiscount, DiscountDetail, Gift, LadderOutcome, LineDiscount, LineDiscounts, LineOutcome,
    Reason, Stage, StepGiven, Target, Totals, TraceEntry,
};
use crate::money::PerCurrency;
use crate::money::{Currency, Money, RoundingMode, split_in_place_rounded};
use crate::order::{Line, Sku};
use crate::program::Percentages;
use crate::rules::RuleId;
use crate::rules::coupon::{CouponVerdict, Rejection};
use crate::rules::ladder::{LadderMode, NextStep, StepReward, StepTable};
use crate::rules::line_rewards::DiscountedUnits;
use crate::rules::promotion::{DiscountTarget, Promotion, Reward, ShippingShare};
use crate::util::{Buf, Lines};

/// How a discount was reached, before it is written for the output.
#[derive(Clone, Copy)]
pub(super) enum Detail<'p> {
    NoStep {
        table: &'p StepTable,
        basis: Decimal,
        next: Option<NextStep>,
    },
    Ladder {
        table: &'p StepTable,
        step: usize,
        basis: Decimal,
        next: Option<NextStep>,
    },
    PercentOff {
        percent: Decimal,
        capped_at: Option<Decimal>,
    },
    AmountOff(Decimal),
    AmountOffEachLine(Decimal),
    AmountOffEachUnit {
        amount: Decimal,
        first_unit: Option<Decimal>,
        /// The units counted, when a cap counts fewer than all.
        units: Option<u64>,
    },
    PercentOffEachUnit {
        percent: Decimal,
        units: u64,
    },
    PercentOffShipping {
        percent: Decimal,
        capped_at: Option<Decimal>,
    },
    AmountOffShipping(Decimal),
    PercentOffItemsAndShipping {
        percent: Decimal,
        capped_at: Option<Decimal>,
        share: ShippingShare,
    },
    AmountOffItemsAndShipping {
        amount: Decimal,
        share: ShippingShare,
    },
    CheapestFree,
    BuyXGetY {
        buy: u32,
        get: u32,
        groups: u64,
        free_units: u64,
        discounted: Option<DiscountedUnits>,
        percent: Option<Decimal>,
        amount: Option<Decimal>,
    },
    FreeShipping,
    Gift {
        sku: &'p Sku,
        quantity: u32,
    },
    BonusPoints(Decimal),
    PointsMultiplier(Decimal),
}

impl Detail<'_> {
    /// The detail as the evaluation reports it, with amounts written in the
    /// currency's decimals.
    fn publish(&self, currency: Currency) -> DiscountDetail {
        let money = |amount: Decimal| Money::new(amount, currency);
        let shown_next = |table: &StepTable, next: Option<NextStep>| {
            next.map(|n| NextStep {
                missing: show(n.missing, table, currency),
                ..n
            })
        };
        match *self {
            Detail::NoStep { table, basis, next } => DiscountDetail::NoStep {
                measured: show(basis, table, currency),
                next: shown_next(table, next),
            },
            Detail::Ladder {
                table,
                step,
                basis,
                next,
            } => {
                let reached = &table.steps()[step];
                DiscountDetail::Ladder {
                    step,
                    bracket: table.mode() == LadderMode::Bracket,
                    given: match reached.reward {
                        StepReward::Percent { percent, .. } => StepGiven::Percent(percent),
                        StepReward::Amount { amount } => StepGiven::Amount(money(amount)),
                    },
                    from: show(reached.from, table, currency),
                    basis: table.basis(),
                    measured: show(basis, table, currency),
                    next: shown_next(table, next),
                }
            }
            Detail::PercentOff { percent, capped_at } => DiscountDetail::PercentOff {
                percent,
                capped_at: capped_at.map(money),
            },
            Detail::AmountOff(amount) => DiscountDetail::AmountOff {
                amount: money(amount),
            },
            Detail::PercentOffShipping { percent, capped_at } => {
                DiscountDetail::PercentOffShipping {
                    percent,
                    capped_at: capped_at.map(money),
                }
            }
            Detail::AmountOffShipping(amount) => DiscountDetail::AmountOffShipping {
                amount: money(amount),
            },
            Detail::PercentOffItemsAndShipping {
                percent,
                capped_at,
                share,
            } => DiscountDetail::PercentOffItemsAndShipping {
                percent,
                capped_at: capped_at.map(money),
                share,
            },
            Detail::AmountOffItemsAndShipping { amount, share } => {
                DiscountDetail::AmountOffItemsAndShipping {
                    amount: money(amount),
                    share,
                }
            }
            Detail::AmountOffEachLine(amount) => DiscountDetail::AmountOffEachLine {
                amount: money(amount),
            },
            Detail::AmountOffEachUnit {
                amount,
                first_unit,
                units,
            } => DiscountDetail::AmountOffEachUnit {
                amount: money(amount),
                first_unit: first_unit.map(money),
                units,
            },
            Detail::PercentOffEachUnit { percent, units } => {
                DiscountDetail::PercentOffEachUnit { percent, units }
            }
            Detail::CheapestFree => DiscountDetail::CheapestFree,
            Detail::BuyXGetY {
                buy,
                get,
                groups,
                free_units,
                discounted,
                percent,
                amount,
            } => DiscountDetail::BuyXGetY {
                buy,
                get,
                groups,
                free_units,
                discounted,
                percent,
                amount: amount.map(money),
            },
            Detail::FreeShipping => DiscountDetail::FreeShipping,
            Detail::Gift { sku, quantity } => DiscountDetail::Gift {
                sku: sku.clone(),
                quantity,
            },
            Detail::BonusPoints(points) => DiscountDetail::BonusPoints { points },
            Detail::PointsMultiplier(factor) => DiscountDetail::PointsMultiplier { factor },
        }
    }
}

/// One candidate's result in an application. Amounts in minor units.
#[derive(Clone, Copy)]
pub(super) struct Applied<'p> {
    pub(super) candidate: usize,
    pub(super) target: Target,
    pub(super) amount: i128,
    /// Where its minor-unit parts per line (items only) start in the
    /// application's `parts`; kept only when the lines are reported.
    pub(super) parts_at: usize,
    pub(super) parts_len: usize,
    pub(super) detail: Detail<'p>,
    pub(super) capped_by_total: bool,
    /// Whether it is the shipping's part of the discount before it (a
    /// discount on the items and the shipping together whose items' part
    /// is not zero), reported with it.
    pub(super) follows: bool,
}

/// A set of candidates applied to the order. Amounts in minor units.
pub(super) struct Application<'p> {
    /// Each line's net after the applied discounts.
    pub(super) nets: Lines<i128>,
    /// Each line's share of the discounts on the whole order, for earning
    /// rules that deduct only targeted discounts; empty without such a
    /// rule (a `Vec`, so that an application without it stays small).
    pub(super) spread: Vec<i128>,
    pub(super) applied: Buf<Applied<'p>, 2>,
    /// The parts per line of every item discount applied, one after the
    /// other (a line count each), when the lines are reported.
    pub(super) parts: Buf<i128, 8>,
    /// The discount on the items.
    pub(super) items: i128,
    /// The discount on shipping.
    pub(super) shipping: i128,
    /// What the set is worth to the customer (gifts included), to compare
    /// sets.
    pub(super) benefit: i128,
    /// The candidates refused for their spend budget, with the discount
    /// they would have given; empty (no allocation) in the usual case.
    pub(super) over_budget: Vec<(usize, i128)>,
}

impl Application<'_> {
    /// An application of nothing, to be written by [`apply`].
    pub(super) fn empty() -> Self {
        Application {
            nets: Lines::with_capacity(0),
            spread: Vec::new(),
            applied: Buf::with_capacity(0),
            parts: Buf::with_capacity(0),
            items: 0,
            shipping: 0,
            benefit: 0,
            over_budget: Vec::new(),
        }
    }
}

/// Applies a set of candidates in level order, then priority, then
/// definition order, on a fresh copy of the line amounts; the application
/// is written into `application` (its buffers reused).
pub(super) fn apply<'a>(
    ctx: &Context<'a>,
    candidates: &[Candidate<'a>],
    set: &[usize],
    application: &mut Application<'a>,
) -> Result<(), EvaluationError> {
    // The set in application order.
    let mut order: Lines<usize> = Lines::from_slice(set);
    order.sort_by(|a, b| {
        let (ca, cb) = (&candidates[*a], &candidates[*b]);
        ca.level
            .cmp(&cb.level)
            .then(cb.priority.cmp(&ca.priority))
            .then(ca.rank.cmp(&cb.rank))
    });
    let policy = ctx.program.stacking();
    application.nets.clear();
    // Discounts start from each line's discountable amount.
    application.nets.extend_from_slice(ctx.discountable());
    application.spread.clear();
    let track_spread = super::points::needs_spread(ctx.program);
    if track_spread {
        application.spread.resize(ctx.gross.len(), 0);
    }
    let nets = &mut application.nets;
    // Units of each line already made free by a line-level reward, so that
    // a later one neither frees them again nor discounts them; kept only
    // when the set has a line-level reward.
    let mut free_units = Lines::filled(
        if order.iter().any(|&i| candidates[i].level == Level::Line) {
            nets.len()
        } else {
            0
        },
        0u32,
    );
    let mut shipping_left = ctx.shipping;
    let mut cap_left = total_cap(ctx)?;
    application.applied.clear();
    application.applied.reserve(order.len());
    application.parts.clear();
    if ctx.detail {
        application.parts.reserve(order.len() * ctx.gross.len());
    }
    application.items = 0;
    application.shipping = 0;
    application.benefit = 0;
    application.over_budget.clear();
    let add = |a: i128, b: i128, what| a.checked_add(b).ok_or_else(|| overflow(what));
    for &index in order.iter() {
        let candidate = &candidates[index];
        // A promotion with a budget, and the units made free before it.
        let mut budgeted = None;
        // The shipping's part of a discount on the items and the shipping.
        let mut shipping_part: i128 = 0;
        let (target, mut parts, detail) = match candidate.source {
            Source::Promotion { promotion, .. } => {
                match &promotion.definition.reward {
                    Reward::FreeShipping => {
                        if over_budget(ctx, promotion, shipping_left)? {
                            application.over_budget.push((index, shipping_left));
                            continue;
                        }
                        free_shipping(
                            index,
                            &mut shipping_left,
                            &mut application.shipping,
                            &mut application.benefit,
                            &mut application.applied,
                            application.parts.len(),
                        )?;
                        continue;
                    }
                    Reward::FreeGift { .. } => {
                        let (_, value) = line_rewards::gift(ctx, &promotion.definition)?;
                        let value = ctx.units(value)?;
                        application.benefit = add(application.benefit, value, "a gift's value")?;
                    }
                    _ => {}
                }
                let target = promotion.definition.reward.target();
                if target == DiscountTarget::Items {
                    if promotion.has_budget() {
                        budgeted = Some((promotion, free_units.clone()));
                    }
                    promotions::discount(ctx, promotion, nets, &mut free_units, policy.percentages)?
                } else {
                    let off = shipping::discount(
                        ctx,
                        promotion,
                        nets,
                        shipping_left,
                        &free_units,
                        policy.percentages,
                    )?;
                    if target == DiscountTarget::Shipping {
                        let given = off.shipping.clamp(0, shipping_left.max(0));
                        if over_budget(ctx, promotion, given)? {
                            application.over_budget.push((index, given));
                            continue;
                        }
                        shipping_discount(
                            index,
                            off.shipping,
                            off.detail,
                            &mut shipping_left,
                            &mut application.shipping,
                            &mut application.benefit,
                            &mut application.applied,
                            application.parts.len(),
                        )?;
                        continue;
                    }
                    if promotion.has_budget() {
                        budgeted = Some((promotion, free_units.clone()));
                    }
                    shipping_part = off.shipping;
                    (Target::Items, off.parts, off.detail)
                }
            }
            Source::Tier {
                perk: Perk::FreeShipping,
                ..
            } => {
                free_shipping(
                    index,
                    &mut shipping_left,
                    &mut application.shipping,
                    &mut application.benefit,
                    &mut application.applied,
                    application.parts.len(),
                )?;
                continue;
            }
            Source::Tier {
                benefits,
                perk: Perk::Discount,
            } => benefits::discount(ctx, benefits, nets, &free_units, policy.percentages)?,
        };
        // The program's cap on the total discount.
        let mut amount: i128 = parts.iter().sum();
        let cap_before = cap_left;
        let mut capped_by_total = false;
        if let Some(cap) = cap_left.as_mut() {
            if amount > *cap {
                if *cap == 0 {
                    parts.iter_mut().for_each(|p| *p = 0);
                } else {
                    // The parts so far weigh the capped split.
                    split_in_place_rounded(
                        *cap,
                        &mut parts,
                        ctx.program.remainder(),
                        ctx.program.share_rounding(),
                    )?;
                }
                amount = *cap;
                capped_by_total = true;
            }
            *cap -= amount;
        }
        // The promotion's spend budget: a discount that would take what it
        // gave above the budget is refused whole, as if it were not picked
        // (the units it freed are freed again, the program's cap restored).
        // A discount on the items and the shipping counts both parts.
        if let Some((promotion, free_before)) = budgeted.take() {
            let given = add(
                amount,
                shipping_part.clamp(0, shipping_left.max(0)),
                "the total discount",
            )?;
            if over_budget(ctx, promotion, given)? {
                free_units = free_before;
                cap_left = cap_before;
                application.over_budget.push((index, given));
                continue;
            }
        }
        if shipping_part > 0 && amount == 0 {
            // Nothing left on the items: the shipping's part alone.
            shipping_discount(
                index,
                shipping_part,
                detail,
                &mut shipping_left,
                &mut application.shipping,
                &mut application.benefit,
                &mut application.applied,
                application.parts.len(),
            )?;
            continue;
        }
        for (net, &p) in nets.iter_mut().zip(&parts) {
            *net -= p;
        }
        if track_spread && spread_over_order(candidate) {
            for (share, &p) in application.spread.iter_mut().zip(&parts) {
                *share += p;
            }
        }
        application.items = add(application.items, amount, "the total discount")?;
        application.benefit = add(application.benefit, amount, "the total discount")?;
        let parts_at = application.parts.len();
        let parts_len = if ctx.detail { parts.len() } else { 0 };
        application.parts.extend_from_slice(&parts[..parts_len]);
        application.applied.push(Applied {
            candidate: index,
            target,
            amount,
            parts_at,
            parts_len,
            detail,
            capped_by_total,
            follows: false,
        });
        if shipping_part > 0 {
            // The shipping's part, cut to the shipping left, after it.
            shipping_discount(
                index,
                shipping_part,
                detail,
                &mut shipping_left,
                &mut application.shipping,
                &mut application.benefit,
                &mut application.applied,
                application.parts.len(),
            )?;
            if let Some(last) = application.applied.last_mut() {
                last.follows = true;
            }
        }
    }
    Ok(())
}

/// Whether `amount` (minor units) of `promotion`'s discount would take
/// what it gave above its spend budget: `spent + amount > budget`, so that
/// spending exactly up to the budget is allowed (Medusa's rule). False
/// without a budget, and for a discount of nothing.
fn over_budget(
    ctx: &Context<'_>,
    promotion: &Promotion,
    amount: i128,
) -> Result<bool, EvaluationError> {
    let Some(budget) = promotion.definition.budget.as_ref().map(PerCurrency::value) else {
        return Ok(false);
    };
    if amount <= 0 {
        return Ok(false);
    }
    let spent = ctx.units(ctx.checkout.budget_spent_of(promotion.id()))?;
    let total = spent
        .checked_add(amount)
        .ok_or_else(|| overflow("a budget"))?;
    Ok(total > ctx.units(budget)?)
}

/// Whether a candidate is a discount on the whole order, spread over every
/// line (an order-level reward without a line selector), rather than one
/// that targets particular lines.
fn spread_over_order(candidate: &Candidate<'_>) -> bool {
    candidate.level == Level::Order
        && match candidate.source {
            Source::Promotion { promotion, .. } => promotion.definition.lines.is_all(),
            Source::Tier { benefits, .. } => benefits.lines.is_all(),
        }
}

/// Applies a free shipping, candidate `index`: what is left of the
/// shipping charge.
fn free_shipping(
    index: usize,
    shipping_left: &mut i128,
    shipping: &mut i128,
    benefit: &mut i128,
    applied: &mut Buf<Applied<'_>, 2>,
    parts_at: usize,
) -> Result<(), EvaluationError> {
    let amount = std::mem::take(shipping_left);
    *shipping = shipping
        .checked_add(amount)
        .ok_or_else(|| overflow("shipping"))?;
    *benefit = benefit
        .checked_add(amount)
        .ok_or_else(|| overflow("shipping"))?;
    applied.push(Applied {
        candidate: index,
        target: Target::Shipping,
        amount,
        parts_at,
        parts_len: 0,
        detail: Detail::FreeShipping,
        capped_by_total: false,
        follows: false,
    });
    Ok(())
}

/// Applies a percent or amount off the shipping, candidate `index`:
/// `amount` (already cut to what is left of the shipping charge).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn shipping_discount<'p>(
    index: usize,
    amount: i128,
    detail: Detail<'p>,
    shipping_left: &mut i128,
    shipping: &mut i128,
    benefit: &mut i128,
    applied: &mut Buf<Applied<'p>, 2>,
    parts_at: usize,
) -> Result<(), EvaluationError> {
    let amount = amount.clamp(0, (*shipping_left).max(0));
    *shipping_left -= amount;
    *shipping = shipping
        .checked_add(amount)
        .ok_or_else(|| overflow("shipping"))?;
    *benefit = benefit
        .checked_add(amount)
        .ok_or_else(|| overflow("shipping"))?;
    applied.push(Applied {
        candidate: index,
        target: Target::Shipping,
        amount,
        parts_at,
        parts_len: 0,
        detail,
        capped_by_total: false,
        follows: false,
    });
    Ok(())
}

/// The program's cap on the total item discount, in minor units.
fn total_cap(ctx: &Context<'_>) -> Result<Option<i128>, EvaluationError> {
    let policy = ctx.program.stacking();
    let mut cap: Option<i128> = policy
        .max_total
        .as_ref()
        .map(PerCurrency::value)
        .map(|c| ctx.units(ctx.price_cap(c, &|line: &Line| !line.is_exempt())?))
        .transpose()?;
    if let Some(percent) = policy.max_total_percent {
        let mut eligible: i128 = 0;
        for (line, gross) in ctx.lines().iter().zip(&ctx.gross) {
            if !line.is_exempt() {
                eligible = eligible
                    .checked_add(*gross)
                    .ok_or_else(|| overflow("the cap"))?;
            }
        }
        let by_percent = ctx
            .decimal(eligible)?
            .checked_mul(percent)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| overflow("the cap"))?;
        // Round down to the minor unit so the cap is never exceeded.
        let by_percent =
            ctx.units(RoundingMode::TowardZero.round(by_percent, ctx.currency.minor_units()))?;
        cap = Some(cap.map_or(by_percent, |c| c.min(by_percent)));
    }
    Ok(cap)
}

/// `percent` of the eligible lines' amounts, unrounded: of the nets the
/// discounts before it leave when percentages compound, of the gross when
/// they apply to the original. `what` names it when it overflows.
#[inline]
pub(super) fn percent_of(
    ctx: &Context<'_>,
    percent: Decimal,
    nets: &[i128],
    eligible: &impl Fn(&Line) -> bool,
    percentages: Percentages,
    what: &'static str,
) -> Result<Decimal, EvaluationError> {
    let base_amounts = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let mut base: i128 = 0;
    for (line, amount) in ctx.lines().iter().zip(base_amounts) {
        if eligible(line) {
            base = base.checked_add(*amount).ok_or_else(|| overflow(what))?;
        }
    }
    ctx.decimal(base)?
        .checked_mul(percent)
        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
        .ok_or_else(|| overflow(what))
}

/// Rounds `raw` once to the minor unit, clamps it to the eligible net, and
/// allocates it over the eligible lines as `sharing` splits: in proportion
/// to their net (the default), or the same per line or per unit.
pub(super) fn spread(
    ctx: &Context<'_>,
    raw: Decimal,
    nets: &[i128],
    eligible: impl Fn(&Line) -> bool,
    sharing: Sharing<'_>,
) -> Result<Lines<i128>, EvaluationError> {
    let rounded = ctx
        .program
        .rounding()
        .round(raw, ctx.currency.minor_units());
    let amount = ctx.units(rounded.max(Decimal::ZERO))?;
    allocate(ctx, amount, nets, eligible, sharing)
}

/// The shipping's part of a discount on the items and the shipping
/// together, `amount`, reported as `discount` (its items' part) is, on
/// the shipping.
#[inline(never)]
fn shipping_part_of(
    discount: &AppliedDiscount,
    amount: Money,
    trace: &mut Trace,
) -> AppliedDiscount {
    let part = AppliedDiscount {
        target: Target::Shipping,
        amount: amount.amount(),
        capped_by_total: false,
        ..discount.clone()
    };
    trace.push(|| {
        TraceEntry::new(
            part.rule.clone(),
            true,
            Stage::Discounts,
            Reason::Discounted {
                amount,
                target: Target::Shipping,
                detail: part.detail.clone(),
                capped_by_total: false,
            },
        )
    });
    part
}

/// A discount given, as a summary without detail keeps it: the rule, the
/// amount in minor units, and for a coupon the index of its code.
#[derive(Clone, Copy)]
pub(crate) struct Given<'p> {
    pub(crate) rule: &'p RuleId,
    pub(crate) units: i128,
    pub(crate) code: Option<usize>,
}

/// The discounts as the evaluation reports them.
pub(super) struct Settled<'p> {
    pub(super) lines: Vec<LineOutcome>,
    pub(super) discounts: Vec<AppliedDiscount>,
    /// Without detail, the discounts given (with detail, `discounts` says
    /// it all and this stays empty).
    pub(super) given: Buf<Given<'p>, 4>,
    pub(super) gifts: Vec<Gift>,
    /// The promotions applied that leave a record for the later stages (a
    /// code's redemption, a limited promotion's use, a gift, points), with
    /// the index of their code's verdict, in the order they applied.
    pub(super) promotions: Vec<(&'p Promotion, Option<usize>)>,
    /// Each line's net after the discounts, in minor units.
    pub(super) nets: Lines<i128>,
    /// Each line's share of the discounts on the whole order (empty when
    /// no earning rule needs it).
    pub(super) spread: Vec<i128>,
    /// The shipping left to pay, in minor units.
    pub(super) shipping_paid: i128,
    /// What the customer pays, in minor units.
    pub(super) payable: i128,
    pub(super) totals: Totals,
}

/// Writes the application out: each applied discount per line and in
/// total, the ladders' standings where they applied, the totals. A
/// discount picked but worth nothing is reported as not applied (a coupon
/// gets `nothing_to_discount`).
pub(super) fn settle<'a>(
    ctx: &Context<'a>,
    candidates: &[Candidate<'a>],
    application: &mut Application<'a>,
    verdicts: &mut [CouponVerdict],
    codes: &Codes,
    ladder_outcomes: &mut [LadderOutcome],
    trace: &mut Trace,
) -> Result<Settled<'a>, EvaluationError> {
    // From here on, nets are whole: what each line keeps whatever the
    // discounts is added back.
    ctx.restore_floors(&mut application.nets);
    let currency = ctx.currency;
    let n = if ctx.detail { ctx.lines().len() } else { 0 };
    let mut settled = Settled {
        lines: Vec::with_capacity(n),
        discounts: Vec::with_capacity(if ctx.detail {
            application.applied.len()
        } else {
            0
        }),
        given: Buf::with_capacity(0),
        gifts: Vec::new(),
        promotions: Vec::new(),
        nets: Lines::filled(0, 0),
        spread: Vec::new(),
        shipping_paid: 0,
        payable: 0,
        totals: Totals {
            subtotal: Decimal::ZERO,
            discount: Decimal::ZERO,
            shipping: Decimal::ZERO,
            shipping_discount: Decimal::ZERO,
            redeemed: Decimal::ZERO,
            payable: Decimal::ZERO,
        },
    };
    for ((line, &gross), &net) in ctx
        .lines()
        .iter()
        .zip(&ctx.gross)
        .zip(&application.nets)
        .take(n)
    {
        settled.lines.push(LineOutcome {
            line: line.id().clone(),
            sku: line.sku().clone(),
            gross: ctx.decimal(gross)?,
            discounts: LineDiscounts::new(),
            net: ctx.decimal(net)?,
        });
    }
    for (i, applied) in application.applied.iter().enumerate() {
        if applied.follows {
            // Reported with the discount it is part of.
            continue;
        }
        // The shipping's part of a discount on the items and the shipping.
        let shipping_part = application
            .applied
            .get(i + 1)
            .filter(|a| a.follows)
            .map_or(0, |a| a.amount);
        let candidate = &candidates[applied.candidate];
        // Steps measured after earlier discounts stand where they were
        // measured when applied, not where the gross put them.
        if let Source::Promotion { promotion, .. } = candidate.source
            && promotion.steps().is_some()
            && let Some(outcome) = ladder_outcomes
                .iter_mut()
                .find(|o| o.ladder == promotion.id())
        {
            match applied.detail {
                Detail::Ladder {
                    step, basis, next, ..
                } => {
                    outcome.basis = basis;
                    outcome.step = Some(step);
                    outcome.next = next;
                }
                Detail::NoStep { basis, next, .. } => {
                    outcome.basis = basis;
                    outcome.step = None;
                    outcome.next = next;
                }
                _ => {}
            }
            outcome.amount = ctx.decimal(applied.amount + shipping_part)?;
        }
        // A benefit gives no money: it gives nothing only when its reward
        // is worth nothing (bonus points of 0).
        let gives_nothing = if candidate.level == Level::Benefit {
            matches!(candidate.source, Source::Promotion { promotion, .. } if promotion.gives_nothing())
        } else {
            applied.amount == 0
        };
        if gives_nothing {
            // Picked, but the lines it applies to were already fully
            // discounted (or no step is reached after earlier discounts, or
            // the reward is worth nothing): nothing to apply, nothing to
            // redeem.
            match candidate.source {
                Source::Promotion {
                    verdict: Some(verdict),
                    ..
                } => {
                    verdicts[verdict].rejection = Some(Rejection::NothingToDiscount);
                }
                Source::Promotion { verdict: None, .. } | Source::Tier { .. } => trace.push(|| {
                    TraceEntry::new(
                        candidate.rule(),
                        false,
                        Stage::Discounts,
                        Reason::NothingToDiscount {
                            detail: applied.detail.publish(currency),
                            capped_by_total: applied.capped_by_total,
                        },
                    )
                }),
            }
            continue;
        }
        let mut code = None;
        let mut name = None;
        if let Source::Promotion { promotion, verdict } = candidate.source {
            if promotion.leaves_record() {
                settled.promotions.push((promotion, verdict));
            }
            if !ctx.detail {
                settled.given.push(Given {
                    rule: candidate.rule_id(),
                    units: applied.amount,
                    code: verdict,
                });
                continue;
            }
            if let Reward::FreeGift { sku, .. } = &promotion.definition.reward {
                let (quantity, value) = line_rewards::gift(ctx, &promotion.definition)?;
                settled.gifts.push(Gift {
                    rule: candidate.rule(),
                    sku: sku.clone(),
                    quantity,
                    value,
                });
            }
            code = verdict;
            name = promotion.definition.name.as_ref();
        }
        if !ctx.detail {
            settled.given.push(Given {
                rule: candidate.rule_id(),
                units: applied.amount,
                code: None,
            });
            continue;
        }
        let parts = &application.parts[applied.parts_at..applied.parts_at + applied.parts_len];
        for (i, &units) in parts.iter().enumerate() {
            if units != 0 {
                settled.lines[i].discounts.push(LineDiscount {
                    rule: candidate.rule(),
                    amount: ctx.decimal(units)?,
                });
            }
        }
        let amount = ctx.money(applied.amount)?;
        let discount = AppliedDiscount {
            rule: candidate.rule(),
            name: name.cloned(),
            code: code.map(|v: usize| codes.get(v).to_owned()),
            target: applied.target,
            amount: amount.amount(),
            detail: applied.detail.publish(currency),
            capped_by_total: applied.capped_by_total,
        };
        trace.push(|| {
            TraceEntry::new(
                candidate.rule(),
                true,
                Stage::Discounts,
                Reason::Discounted {
                    amount,
                    target: applied.target,
                    detail: discount.detail.clone(),
                    capped_by_total: applied.capped_by_total,
                },
            )
        });
        // A discount on the items and the shipping is reported once for
        // each part it gave: the items', then the shipping's.
        if shipping_part > 0 {
            let part = shipping_part_of(&discount, ctx.money(shipping_part)?, trace);
            settled.discounts.push(discount);
            settled.discounts.push(part);
            continue;
        }
        settled.discounts.push(discount);
    }

    let mut subtotal: i128 = 0;
    for gross in &ctx.gross {
        subtotal = subtotal
            .checked_add(*gross)
            .ok_or_else(|| overflow("the subtotal"))?;
    }
    // The discounts never exceed what they come off: no overflow below.
    let payable = (subtotal - application.items + ctx.shipping - application.shipping).max(0);
    settled.shipping_paid = ctx.shipping - application.shipping;
    settled.payable = payable;
    settled.totals = Totals {
        subtotal: ctx.decimal(subtotal)?,
        discount: ctx.decimal(application.items)?,
        shipping: ctx.decimal(ctx.shipping)?,
        shipping_discount: ctx.decimal(application.shipping)?,
        redeemed: Decimal::ZERO,
        payable: ctx.decimal(payable)?,
    };
    settled.nets = std::mem::replace(&mut application.nets, Lines::with_capacity(0));
    settled.spread = std::mem::take(&mut application.spread);
    Ok(settled)
}

//! What every promotion shares, automatic or entered with a code: its
//! restrictions (checked in the order a customer would want them
//! explained), where the order stands on its steps, and its reward on the
//! lines' current nets. The stages `automatic.rs` and `coupons.rs` judge
//! promotions with these; `discounts.rs` applies them.

use rust_decimal::Decimal;

use super::discounts::{Detail, spread};
use super::line_rewards;
use super::sharing::{Sharing, percent_off};
use super::{Context, EvaluationError, in_minor_units, overflow};
use crate::condition::LineSelector;
use crate::customer::RecordNeed;
use crate::evaluation::{RuleKind, RuleRef, Stage, Target};
use crate::money::PerCurrency;
use crate::money::{Currency, RoundingScope};
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::bounds::{Maximum, Minimum};
use crate::rules::coupon::{Rejection, window_rejection};
use crate::rules::ladder::{LadderBasis, LadderMode, Measure, Standing, StepReward, StepTable};
use crate::rules::promotion::{DiscountTarget, Origin, Promotion, PromotionDefinition, Reward};
use crate::util::Lines;

/// The kind a promotion is reported under: the list it was written in.
#[inline]
pub(super) fn kind(promotion: &Promotion) -> RuleKind {
    match promotion.origin() {
        Origin::Ladders => RuleKind::Ladder,
        Origin::Coupons => RuleKind::Coupon,
        Origin::Promotions => RuleKind::Promotion,
    }
}

/// The promotion as the outputs name it.
#[inline]
pub(super) fn rule(promotion: &Promotion) -> RuleRef {
    RuleRef::new(kind(promotion), promotion.rule_id().clone())
}

/// The stage an automatic promotion is judged under: `ladders` for a rule
/// of the `ladders` list, `promotions` for the others.
#[inline]
pub(super) fn stage(promotion: &Promotion) -> Stage {
    match promotion.origin() {
        Origin::Ladders => Stage::Ladders,
        Origin::Coupons | Origin::Promotions => Stage::Promotions,
    }
}

/// Why `promotion` does not apply to this checkout, if it does not.
/// `usage` gives its uses so far (overall, by this customer), read only
/// when it has a limit; with `explain`, a condition that fails says which
/// leaf decided.
#[inline]
pub(super) fn restriction(
    ctx: &Context<'_>,
    promotion: &Promotion,
    usage: impl FnOnce() -> (u64, u64),
    explain: bool,
) -> Result<Option<Rejection>, EvaluationError> {
    let def = &promotion.definition;
    let facts = &ctx.facts;
    let customer = facts.customer();
    if let Some(window) = &def.valid
        && let Some(r) = window_rejection(window, facts.local())
    {
        return Ok(Some(r));
    }
    // A guest has no record to count uses by, nor an order number, tier or
    // segments: a promotion that needs them does not apply, and says so.
    if customer.is_guest()
        && let Some(needs) = guest_needs(def)
    {
        return Ok(Some(Rejection::GuestCheckout { needs }));
    }
    let limit = if def.unique { Some(1) } else { def.usage_limit };
    if limit.is_some() || def.per_customer_limit.is_some() {
        let (overall, by_customer) = usage();
        if let Some(limit) = limit
            && overall >= limit
        {
            return Ok(Some(Rejection::UsageLimitReached {
                limit,
                used: overall,
            }));
        }
        if let Some(limit) = def.per_customer_limit
            && by_customer >= limit
        {
            return Ok(Some(Rejection::PerCustomerLimitReached {
                limit,
                used: by_customer,
            }));
        }
    }
    if def.first_order_only || def.order_number.is_some() {
        let Some(order_number) = facts.order_number() else {
            return Ok(Some(Rejection::OrderNumberUnknown));
        };
        if def.first_order_only && order_number != 1 {
            return Ok(Some(Rejection::NotFirstOrder { order_number }));
        }
        if let Some(required) = def.order_number
            && order_number != required
        {
            return Ok(Some(Rejection::NotNthOrder {
                required,
                order_number,
            }));
        }
    }
    if !def.tiers.is_empty() && !customer.tier().is_some_and(|t| def.tiers.contains(t)) {
        return Ok(Some(Rejection::TierNotAllowed {
            tier: customer.tier().cloned(),
            allowed: def.tiers.clone(),
        }));
    }
    if !def.segments.is_empty() && !customer.segments().iter().any(|s| def.segments.contains(s)) {
        return Ok(Some(Rejection::SegmentNotAllowed {
            allowed: def.segments.clone(),
        }));
    }
    // The observation is written only for the rejection that reports it.
    if let Some(condition) = &def.condition
        && !condition.holds(facts)?
    {
        let because = if explain {
            condition.evaluate(facts)?.because
        } else {
            None
        };
        return Ok(Some(Rejection::ConditionNotMet { because }));
    }
    // Steps say where the basis stands instead of "no eligible items".
    let needs_lines = promotion.steps().is_none()
        && (def.reward.needs_lines()
            || def.min_subtotal.is_some()
            || def.min_quantity.is_some()
            || !def.lines.is_all());
    let counts_units = line_rewards::counts_units(&def.reward);
    if !needs_lines
        && def.min_subtotal.is_none()
        && def.max_subtotal.is_none()
        && def.min_quantity.is_none()
        && !counts_units
    {
        return Ok(nothing_to_ship(ctx, &def.reward));
    }
    let mut subtotal: i128 = 0;
    let mut quantity: u64 = 0;
    let mut any = false;
    // The minimum is measured on the program's tax basis.
    for (line, measured) in ctx.lines().iter().zip(ctx.measured()) {
        if Context::eligible(line, &def.lines) {
            any = true;
            subtotal = subtotal
                .checked_add(*measured)
                .ok_or_else(|| overflow("a coupon subtotal"))?;
            quantity = quantity.saturating_add(u64::from(line.quantity()));
        }
    }
    let subtotal = ctx.decimal(subtotal)?;
    if needs_lines && !any {
        return Ok(Some(Rejection::NoEligibleItems));
    }
    if let Some(minimum) = def.min_quantity
        && quantity < minimum
    {
        return Ok(Some(Rejection::MinimumQuantityNotMet {
            minimum,
            quantity,
            missing: minimum - quantity,
        }));
    }
    if let Some(rejection) = subtotal_bounds(
        ctx,
        def.min_subtotal.as_ref(),
        def.max_subtotal.as_ref(),
        subtotal,
    ) {
        return Ok(Some(rejection));
    }
    if counts_units && let Some(rejection) = line_rewards::too_few_units(ctx, def, quantity) {
        return Ok(Some(rejection));
    }
    Ok(nothing_to_ship(ctx, &def.reward))
}

/// What a promotion needs of a customer record, which a guest lacks: the
/// first of its per-customer limit, order number, tiers and segments.
fn guest_needs(def: &PromotionDefinition) -> Option<RecordNeed> {
    if def.per_customer_limit.is_some() {
        Some(RecordNeed::PerCustomerLimit)
    } else if def.first_order_only {
        Some(RecordNeed::FirstOrder)
    } else if def.order_number.is_some() {
        Some(RecordNeed::OrderNumber)
    } else if !def.tiers.is_empty() {
        Some(RecordNeed::Tier)
    } else if !def.segments.is_empty() {
        Some(RecordNeed::Segment)
    } else {
        None
    }
}

/// Where the eligible `subtotal` stands against a promotion's minimum and
/// maximum, inclusive or exclusive: the rejection that says what is
/// missing (or over), to the minor unit, when it is outside them.
fn subtotal_bounds(
    ctx: &Context<'_>,
    min: Option<&Minimum>,
    max: Option<&Maximum>,
    subtotal: Decimal,
) -> Option<Rejection> {
    let shown = |amount: Decimal| in_minor_units(amount, ctx.currency);
    let step = ctx.currency.minor_unit();
    if let Some(min) = min
        && let Some(missing) = min.missing(subtotal, step)
    {
        let (minimum, subtotal, missing) =
            (shown(min.amount().value()), shown(subtotal), shown(missing));
        return Some(match min {
            Minimum::AtLeast(_) => Rejection::MinimumNotMet {
                minimum,
                subtotal,
                missing,
            },
            Minimum::Above(_) => Rejection::NotAboveMinimum {
                minimum,
                subtotal,
                missing,
            },
        });
    }
    let max = max?;
    let excess = max.excess(subtotal, step)?;
    let (maximum, subtotal, excess) = (shown(max.amount().value()), shown(subtotal), shown(excess));
    Some(match max {
        Maximum::AtMost(_) => Rejection::AboveMaximum {
            maximum,
            subtotal,
            excess,
        },
        Maximum::Below(_) => Rejection::NotBelowMaximum {
            maximum,
            subtotal,
            excess,
        },
    })
}

/// Free shipping, or a discount on the shipping, on an order without
/// shipping gives nothing.
fn nothing_to_ship(ctx: &Context<'_>, reward: &Reward) -> Option<Rejection> {
    (reward.target() == DiscountTarget::Shipping && ctx.shipping == 0)
        .then_some(Rejection::NothingToDiscount)
}

/// Where the order stands on a promotion's steps, measured on the gross as
/// the program measures it (its tax basis): the basis and the standing.
#[inline]
pub(super) fn standing(
    ctx: &Context<'_>,
    lines: &LineSelector,
    table: &StepTable,
) -> Result<(Decimal, Standing), EvaluationError> {
    let basis = basis(ctx, lines, table, ctx.measured())?;
    Ok((
        basis,
        table.standing(basis, smallest_step(table, ctx.currency)),
    ))
}

/// The rejection of a promotion whose steps measure before discounts and
/// whose first step is not reached (none when one is, or when the steps
/// measure after discounts: they are measured again when applied).
pub(super) fn below_first_step(
    table: &StepTable,
    basis: Decimal,
    standing: &Standing,
    currency: Currency,
) -> Option<Rejection> {
    if standing.step.is_some() || table.measure() != Measure::BeforeDiscounts {
        return None;
    }
    let next = standing.next?;
    let first = table.steps().first()?;
    Some(Rejection::BelowFirstStep {
        basis: table.basis(),
        measured: show(basis, table, currency),
        first: show(first.from, table, currency),
        missing: show(next.missing, table, currency),
    })
}

/// A promotion's discount on the lines' current `nets` (minor units),
/// allocated per line. `free_units` counts each line's units already made
/// free by a line-level reward: they are neither freed again nor
/// discounted.
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    promotion: &'a Promotion,
    nets: &[i128],
    free_units: &mut [u32],
    percentages: Percentages,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    let def = &promotion.definition;
    if let Some(table) = promotion.steps() {
        let sharing = Sharing::of(ctx, promotion, free_units);
        return stepped(ctx, &def.lines, table, nets, percentages, sharing);
    }
    let eligible = |line: &Line| Context::eligible(line, &def.lines);
    match &def.reward {
        Reward::PercentOff { percent, cap, .. } => {
            // Validated: a percent off without steps has its percent.
            let percent = percent.unwrap_or(Decimal::ZERO);
            let sharing = Sharing::of(ctx, promotion, free_units);
            let (parts, capped_at) = percent_off(
                ctx,
                percent,
                cap.as_ref().map(PerCurrency::value),
                nets,
                eligible,
                percentages,
                sharing,
                "a coupon",
            )?;
            Ok((
                Target::Items,
                parts,
                Detail::PercentOff { percent, capped_at },
            ))
        }
        Reward::AmountOff { amount, .. } => {
            let amount = amount.as_ref().map_or(Decimal::ZERO, PerCurrency::value);
            let sharing = Sharing::of(ctx, promotion, free_units);
            Ok((
                Target::Items,
                spread(ctx, amount, nets, eligible, sharing)?,
                Detail::AmountOff(amount),
            ))
        }
        Reward::CheapestFree => {
            let free = cheapest_units(ctx, nets, free_units, &eligible, 1)?;
            Ok((Target::Items, free, Detail::CheapestFree))
        }
        Reward::AmountOffEachLine { .. }
        | Reward::AmountOffEachUnit { .. }
        | Reward::PercentOffEachUnit { .. }
        | Reward::BuyXGetY { .. }
        | Reward::FreeGift { .. } => line_rewards::discount(ctx, def, nets, free_units),
        Reward::FreeShipping => Ok((Target::Shipping, Lines::filled(0, 0), Detail::FreeShipping)),
        Reward::BonusPoints { points } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::BonusPoints(*points),
        )),
        Reward::PointsMultiplier { factor } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::PointsMultiplier(*factor),
        )),
    }
}

/// The discount of a percent or amount off that takes its value from
/// `table`, on its `lines`' current `nets` (minor units), allocated per
/// line.
fn stepped<'a>(
    ctx: &Context<'a>,
    lines: &'a LineSelector,
    table: &'a StepTable,
    nets: &[i128],
    percentages: Percentages,
    sharing: Sharing<'_>,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    if table.basis().per_line() {
        return line_rewards::stepped(ctx, lines, table, nets, percentages);
    }
    // Thresholds are measured on the program's tax basis; the reward comes
    // off the discountable amounts.
    let measured = match table.measure() {
        Measure::BeforeDiscounts => std::borrow::Cow::Borrowed(ctx.measured()),
        Measure::AfterDiscounts => ctx.measure_nets(nets)?,
    };
    let basis = basis(ctx, lines, table, &measured)?;
    let base_amounts = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let eligible = |line: &Line| Context::eligible(line, lines);
    let mut base: i128 = 0;
    for (line, amount) in ctx.lines().iter().zip(base_amounts) {
        if eligible(line) {
            base = base
                .checked_add(*amount)
                .ok_or_else(|| overflow("a ladder"))?;
        }
    }
    let base = ctx.decimal(base)?;
    let standing = table.standing(basis, smallest_step(table, ctx.currency));
    let Some(step) = standing.step else {
        return Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::NoStep {
                table,
                basis,
                next: standing.next,
            },
        ));
    };
    let detail = Detail::Ladder {
        table,
        step,
        basis,
        next: standing.next,
    };
    // A percent step rounded on each line or unit (a bracket table's bands
    // give one amount, rounded on the total).
    if sharing.scope != RoundingScope::Total
        && table.mode() == LadderMode::WholeBasket
        && let StepReward::Percent { percent, cap } = table.steps()[step].reward
    {
        let (parts, _) = percent_off(
            ctx,
            percent,
            cap,
            nets,
            eligible,
            percentages,
            sharing,
            "a ladder",
        )?;
        return Ok((Target::Items, parts, detail));
    }
    // A whole-basket table gives the step its standing reached; a bracket
    // table measures its brackets on the amount it comes off.
    let raw = ctx.step_reward(table, step, base, &eligible)?;
    Ok((
        Target::Items,
        spread(ctx, raw, nets, eligible, sharing)?,
        detail,
    ))
}

/// What a step table measures on `amounts` (minor units): the eligible
/// lines' amount, or their units; on a shipping basis, the shipping
/// charged (a discount on shipping measured after discounts measures what
/// is left of the shipping itself).
#[inline]
pub(super) fn basis(
    ctx: &Context<'_>,
    lines: &LineSelector,
    table: &StepTable,
    amounts: &[i128],
) -> Result<Decimal, EvaluationError> {
    let mut basis: i128 = 0;
    for (line, amount) in ctx.lines().iter().zip(amounts) {
        if !Context::eligible(line, lines) {
            continue;
        }
        let add = match table.basis() {
            LadderBasis::Subtotal | LadderBasis::Shipping => *amount,
            LadderBasis::Quantity => i128::from(line.quantity()),
            // Each line on its own: the order stands where its best line
            // stands.
            LadderBasis::LineAmount => {
                basis = basis.max(*amount);
                continue;
            }
            LadderBasis::LineQuantity => {
                basis = basis.max(i128::from(line.quantity()));
                continue;
            }
        };
        basis = basis
            .checked_add(add)
            .ok_or_else(|| overflow("a ladder basis"))?;
    }
    match table.basis() {
        LadderBasis::Shipping => ctx.decimal(ctx.shipping),
        b if b.counts_units() => {
            Decimal::try_from_i128_with_scale(basis, 0).map_err(|_| overflow("a ladder basis"))
        }
        _ => ctx.decimal(basis),
    }
}

/// The smallest change of a step table's basis: a minor unit, or one unit.
#[inline]
pub(super) fn smallest_step(table: &StepTable, currency: Currency) -> Decimal {
    if table.basis().counts_units() {
        Decimal::ONE
    } else {
        currency.minor_unit()
    }
}

/// A step table's basis value as written in a sentence: an amount with the
/// currency's decimals, or a number of units.
#[inline]
pub(super) fn show(value: Decimal, table: &StepTable, currency: Currency) -> Decimal {
    if table.basis().counts_units() {
        value.normalize()
    } else {
        in_minor_units(value, currency)
    }
}

/// Makes the `count` cheapest eligible units free (ties to the earlier
/// line), never more than a line's remaining net.
fn cheapest_units(
    ctx: &Context<'_>,
    nets: &[i128],
    free_units: &mut [u32],
    eligible: &impl Fn(&Line) -> bool,
    count: u64,
) -> Result<Lines<i128>, EvaluationError> {
    let lines = ctx.lines();
    let mut parts = Lines::filled(nets.len(), 0i128);
    let mut by_price: Lines<usize> = Lines::with_capacity(nets.len());
    for i in (0..nets.len()).filter(|&i| eligible(&lines[i])) {
        by_price.push(i);
    }
    by_price.sort_by(|&a, &b| {
        lines[a]
            .unit_price()
            .amount()
            .cmp(&lines[b].unit_price().amount())
            .then(a.cmp(&b))
    });
    let mut left = count;
    for &i in by_price.iter() {
        if left == 0 {
            break;
        }
        let line = &lines[i];
        // Only units not yet free; their remaining net is shared evenly.
        let available = line.quantity().saturating_sub(free_units[i]);
        if available == 0 {
            continue;
        }
        let take = u32::try_from(left.min(u64::from(available))).unwrap_or(available);
        let price = line.unit_price().to_minor_units()?;
        let net = nets[i].max(0);
        let by_price = price
            .checked_mul(i128::from(take))
            .ok_or_else(|| overflow("free units"))?;
        let by_net = if take == available {
            net
        } else {
            net.checked_mul(i128::from(take))
                .ok_or_else(|| overflow("free units"))?
                / i128::from(available)
        };
        parts[i] = by_price.min(by_net);
        free_units[i] += take;
        left -= u64::from(take);
    }
    Ok(parts)
}

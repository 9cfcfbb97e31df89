//! What every promotion shares, automatic or entered with a code: its
//! restrictions (checked in the order a customer would want them
//! explained), where the order stands on its steps, and its reward on the
//! lines' current nets. The stages `automatic.rs` and `coupons.rs` judge
//! promotions with these; `discounts.rs` applies them.

use rust_decimal::Decimal;

use super::discounts::{Detail, spread};
use super::sharing::{Sharing, percent_off};
use super::{Context, EvaluationError, in_minor_units, overflow};
use crate::condition::LineSelector;
use crate::evaluation::{RuleKind, RuleRef, Stage, Target};
use crate::money::{Currency, RoundingScope};
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::coupon::{Rejection, window_rejection};
use crate::rules::ladder::{LadderBasis, LadderMode, Measure, Standing, StepReward, StepTable};
use crate::rules::promotion::{DiscountTarget, Origin, Promotion, Reward};
use crate::util::Lines;

/// The kind a promotion is reported under: the list it was written in.
pub(super) fn kind(promotion: &Promotion) -> RuleKind {
    match promotion.origin() {
        Origin::Ladders => RuleKind::Ladder,
        Origin::Coupons => RuleKind::Coupon,
        Origin::Promotions => RuleKind::Promotion,
    }
}

/// The promotion as the outputs name it.
pub(super) fn rule(promotion: &Promotion) -> RuleRef {
    RuleRef::new(kind(promotion), promotion.rule_id().clone())
}

/// The stage an automatic promotion is judged under: `ladders` for a rule
/// of the `ladders` list, `promotions` for the others.
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
    let buy_get = match def.reward {
        Reward::BuyXGetY { buy, get, .. } => Some(u64::from(buy) + u64::from(get)),
        _ => None,
    };
    if !needs_lines && def.min_subtotal.is_none() && def.min_quantity.is_none() && buy_get.is_none()
    {
        return Ok(nothing_to_ship(ctx, &def.reward));
    }
    let mut subtotal: i128 = 0;
    let mut quantity: u64 = 0;
    let mut any = false;
    for (line, gross) in ctx.lines().iter().zip(&ctx.gross) {
        if Context::eligible(line, &def.lines) {
            any = true;
            subtotal = subtotal
                .checked_add(*gross)
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
    if let Some(minimum) = def.min_subtotal
        && subtotal < minimum
    {
        return Ok(Some(Rejection::MinimumNotMet {
            minimum: in_minor_units(minimum, ctx.currency),
            subtotal: in_minor_units(subtotal, ctx.currency),
            missing: in_minor_units(minimum - subtotal, ctx.currency),
        }));
    }
    if let Some(group) = buy_get
        && quantity < group
    {
        return Ok(Some(Rejection::MinimumQuantityNotMet {
            minimum: group,
            quantity,
            missing: group - quantity,
        }));
    }
    Ok(nothing_to_ship(ctx, &def.reward))
}

/// Free shipping, or a discount on the shipping, on an order without
/// shipping gives nothing.
fn nothing_to_ship(ctx: &Context<'_>, reward: &Reward) -> Option<Rejection> {
    (reward.target() == DiscountTarget::Shipping && ctx.shipping == 0)
        .then_some(Rejection::NothingToDiscount)
}

/// Where the order stands on a promotion's steps, measured on the gross:
/// the basis and the standing.
pub(super) fn standing(
    ctx: &Context<'_>,
    lines: &LineSelector,
    table: &StepTable,
) -> Result<(Decimal, Standing), EvaluationError> {
    let basis = basis(ctx, lines, table, &ctx.gross)?;
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
                *cap,
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
            let amount = amount.unwrap_or(Decimal::ZERO);
            let sharing = Sharing::of(ctx, promotion, free_units);
            Ok((
                Target::Items,
                spread(ctx, amount, nets, eligible, sharing)?,
                Detail::AmountOff(amount),
            ))
        }
        Reward::AmountOffEachUnit { amount } => {
            let mut parts = Lines::filled(nets.len(), 0i128);
            let per_unit = ctx.units(*amount)?;
            for (((part, line), net), free) in parts
                .iter_mut()
                .zip(ctx.lines())
                .zip(nets)
                .zip(&*free_units)
            {
                if eligible(line) {
                    let paid_units = line.quantity().saturating_sub(*free);
                    let want = per_unit
                        .checked_mul(i128::from(paid_units))
                        .ok_or_else(|| overflow("a per-unit discount"))?;
                    *part = want.min(*net).max(0);
                }
            }
            Ok((Target::Items, parts, Detail::AmountOffEachUnit(*amount)))
        }
        Reward::CheapestFree => {
            let free = cheapest_units(ctx, nets, free_units, &eligible, 1)?;
            Ok((Target::Items, free, Detail::CheapestFree))
        }
        Reward::BuyXGetY {
            buy,
            get,
            max_applications,
        } => {
            let units: u64 = ctx
                .lines()
                .iter()
                .zip(&*free_units)
                .filter(|(l, _)| eligible(l))
                .map(|(l, free)| u64::from(l.quantity().saturating_sub(*free)))
                .sum();
            let group = u64::from(*buy) + u64::from(*get);
            let mut groups = units / group;
            if let Some(max) = max_applications {
                groups = groups.min(u64::from(*max));
            }
            let free_count = groups * u64::from(*get);
            let free = cheapest_units(ctx, nets, free_units, &eligible, free_count)?;
            Ok((
                Target::Items,
                free,
                Detail::BuyXGetY {
                    buy: *buy,
                    get: *get,
                    groups,
                    free_units: free_count,
                },
            ))
        }
        Reward::FreeShipping => Ok((Target::Shipping, Lines::filled(0, 0), Detail::FreeShipping)),
        Reward::FreeGift { sku, quantity, .. } => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::Gift {
                sku,
                quantity: *quantity,
            },
        )),
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
/// steps, on the lines' current `nets` (minor units), allocated per line.
fn stepped<'a>(
    ctx: &Context<'a>,
    lines: &'a LineSelector,
    table: &'a StepTable,
    nets: &[i128],
    percentages: Percentages,
    sharing: Sharing<'_>,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    let measured = match table.measure() {
        Measure::BeforeDiscounts => &ctx.gross,
        Measure::AfterDiscounts => nets,
    };
    let basis = basis(ctx, lines, table, measured)?;
    let base_amounts = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => &ctx.gross[..],
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
    let raw = match table.mode() {
        LadderMode::WholeBasket => table.reward_at(step, base),
        LadderMode::Bracket => table.reward_for(base, base),
    }
    .ok_or_else(|| overflow("a ladder reward"))?;
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
        };
        basis = basis
            .checked_add(add)
            .ok_or_else(|| overflow("a ladder basis"))?;
    }
    match table.basis() {
        LadderBasis::Subtotal => ctx.decimal(basis),
        LadderBasis::Shipping => ctx.decimal(ctx.shipping),
        LadderBasis::Quantity => {
            Decimal::try_from_i128_with_scale(basis, 0).map_err(|_| overflow("a ladder basis"))
        }
    }
}

/// The smallest change of a step table's basis: a minor unit, or one unit.
pub(super) fn smallest_step(table: &StepTable, currency: Currency) -> Decimal {
    match table.basis() {
        LadderBasis::Subtotal | LadderBasis::Shipping => currency.minor_unit(),
        LadderBasis::Quantity => Decimal::ONE,
    }
}

/// A step table's basis value as written in a sentence: an amount with the
/// currency's decimals, or a number of units.
pub(super) fn show(value: Decimal, table: &StepTable, currency: Currency) -> Decimal {
    match table.basis() {
        LadderBasis::Subtotal | LadderBasis::Shipping => in_minor_units(value, currency),
        LadderBasis::Quantity => value.normalize(),
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

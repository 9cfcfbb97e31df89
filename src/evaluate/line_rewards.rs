//! The line and unit rewards of `rules/line_rewards.rs` on the lines'
//! current nets, in minor units: amount off each line, amount or percent
//! off each unit with their unit caps, buy X get Y with two selectors,
//! steps measured on each line's own amount or quantity, and the units of
//! a gift per N units. `promotions.rs` sends these rewards here; what
//! they give is applied and allocated like any other discount
//! (`discounts.rs`).
//!
//! Every part is capped twice: at the price of the units it counts, and at
//! the share of the line's net those units carry (the net × counted ÷ the
//! units not yet free), so that no line goes below zero and no reward
//! takes more than the units it counts cost. Units are never expanded one
//! by one: each line is a price and a count, so the cost is the lines'
//! (sorted when units are chosen across lines), whatever the quantities.

use rust_decimal::Decimal;

use super::discounts::Detail;
use super::promotions::smallest_step;
use super::{Context, EvaluationError, overflow};
use crate::condition::LineSelector;
use crate::evaluation::Target;
use crate::money::PerCurrency;
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::coupon::Rejection;
use crate::rules::ladder::{LadderMode, Measure, Standing, StepTable};
use crate::rules::line_rewards::DiscountedUnits;
use crate::rules::promotion::{PromotionDefinition, Reward};
use crate::util::Lines;

/// A reward's parts per line and how it was reached.
type Given<'a> = (Target, Lines<i128>, Detail<'a>);

/// Line `i`'s discountable amount per unit, in minor units: the base of
/// every unit reward (its discountable amount, the gross unless the line
/// says otherwise, over its quantity; 0 for a line without units).
fn unit_price(ctx: &Context<'_>, i: usize) -> i128 {
    match i128::from(ctx.lines()[i].quantity()) {
        0 => 0,
        quantity => ctx.discountable()[i] / quantity,
    }
}

/// The share of `net` that `counted` of a line's `available` units carry
/// (all of it when they are all counted); never negative.
fn net_share(net: i128, counted: u64, available: u64) -> Result<i128, EvaluationError> {
    let net = net.max(0);
    if counted >= available {
        return Ok(net);
    }
    Ok(net
        .checked_mul(i128::from(counted))
        .ok_or_else(|| overflow("a unit discount"))?
        / i128::from(available.max(1)))
}

/// A line's units not yet made free (or got) by a line-level reward.
fn available(line: &Line, free_units: &[u32], i: usize) -> u64 {
    u64::from(
        line.quantity()
            .saturating_sub(free_units.get(i).copied().unwrap_or(0)),
    )
}

/// Sorts line indices by unit price, cheapest or dearest first, ties to
/// the earlier line.
fn by_price(ctx: &Context<'_>, indices: &mut [usize], choice: DiscountedUnits) {
    indices.sort_by(|&a, &b| {
        let (pa, pb) = (unit_price(ctx, a), unit_price(ctx, b));
        match choice {
            DiscountedUnits::Cheapest => pa.cmp(&pb),
            DiscountedUnits::MostExpensive => pb.cmp(&pa),
        }
        .then(a.cmp(&b))
    });
}

/// The discount of a line or unit reward (or a gift's units) on the
/// lines' current `nets`; `free_units` counts each line's units already
/// made free or got by a line-level reward. Any other reward is not a line
/// reward and gives nothing here.
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    def: &'a PromotionDefinition,
    nets: &[i128],
    free_units: &mut [u32],
) -> Result<Given<'a>, EvaluationError> {
    let eligible = |line: &Line| Context::eligible(line, &def.lines);
    match &def.reward {
        Reward::AmountOffEachLine { amount } => each_line(ctx, amount.value(), nets, &eligible),
        Reward::AmountOffEachUnit {
            amount,
            first_unit,
            max_units_per_line,
            max_units,
            discounted,
        } => each_unit(
            ctx,
            UnitOff::Amount {
                amount: amount.value(),
                first_unit: first_unit.as_ref().map(PerCurrency::value),
            },
            Caps {
                per_line: *max_units_per_line,
                order: *max_units,
                discounted: *discounted,
            },
            nets,
            free_units,
            &eligible,
        ),
        Reward::PercentOffEachUnit {
            percent,
            max_units_per_line,
            max_units,
            discounted,
        } => each_unit(
            ctx,
            UnitOff::Percent(*percent),
            Caps {
                per_line: *max_units_per_line,
                order: *max_units,
                discounted: *discounted,
            },
            nets,
            free_units,
            &eligible,
        ),
        Reward::BuyXGetY {
            buy,
            get,
            max_applications,
            buy_lines,
            get_lines,
            discounted,
            percent,
            amount,
        } => buy_x_get_y(
            ctx,
            &BuyGet {
                buy: *buy,
                get: *get,
                max_applications: *max_applications,
                buy_lines: buy_lines.as_ref().unwrap_or(&def.lines),
                get_lines: get_lines.as_ref().unwrap_or(&def.lines),
                discounted: *discounted,
                percent: *percent,
                amount: amount.as_ref().map(PerCurrency::value),
            },
            nets,
            free_units,
        ),
        Reward::FreeGift { sku, .. } => {
            let (quantity, _) = gift(ctx, def)?;
            Ok((
                Target::Items,
                Lines::filled(nets.len(), 0),
                Detail::Gift { sku, quantity },
            ))
        }
        _ => Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::AmountOff(Decimal::ZERO),
        )),
    }
}

/// What an each-unit reward takes off a unit.
#[derive(Clone, Copy)]
enum UnitOff {
    /// `amount` off each unit; `first_unit` off the first of each line.
    Amount {
        amount: Decimal,
        first_unit: Option<Decimal>,
    },
    /// A percent of each unit, rounded per unit.
    Percent(Decimal),
}

/// The units an each-unit reward counts.
#[derive(Clone, Copy)]
struct Caps {
    per_line: Option<u32>,
    order: Option<u32>,
    discounted: Option<DiscountedUnits>,
}

/// A buy X get Y, its selectors resolved.
#[derive(Clone, Copy)]
struct BuyGet<'d> {
    buy: u32,
    get: u32,
    max_applications: Option<u32>,
    buy_lines: &'d LineSelector,
    get_lines: &'d LineSelector,
    discounted: Option<DiscountedUnits>,
    percent: Option<Decimal>,
    amount: Option<Decimal>,
}

/// `amount` off each eligible line, never more than its net.
fn each_line<'a>(
    ctx: &Context<'a>,
    amount: Decimal,
    nets: &[i128],
    eligible: &impl Fn(&Line) -> bool,
) -> Result<Given<'a>, EvaluationError> {
    let off = ctx.units(amount)?;
    let mut parts = Lines::filled(nets.len(), 0i128);
    for ((part, line), net) in parts.iter_mut().zip(ctx.lines()).zip(nets) {
        if eligible(line) {
            *part = off.min(*net).max(0);
        }
    }
    Ok((Target::Items, parts, Detail::AmountOffEachLine(amount)))
}

/// An amount or percent off each eligible unit (`amount_off_each_unit`,
/// `percent_off_each_unit`), on the units its caps count.
fn each_unit<'a>(
    ctx: &Context<'a>,
    off: UnitOff,
    caps: Caps,
    nets: &[i128],
    free_units: &[u32],
    eligible: &impl Fn(&Line) -> bool,
) -> Result<Given<'a>, EvaluationError> {
    let (max_per_line, max_units, choice) = (caps.per_line, caps.order, caps.discounted);
    let (each, first) = match off {
        UnitOff::Amount { amount, first_unit } => {
            let each = ctx.units(amount)?;
            let first = first_unit.map(|f| ctx.units(f)).transpose()?;
            (each, first.unwrap_or(each))
        }
        UnitOff::Percent(_) => (0, 0),
    };
    let lines = ctx.lines();
    // The units counted on each line: its first units up to the line's
    // cap, then the order's cap over the lines by price.
    let mut counted = Lines::filled(nets.len(), 0u64);
    for (i, line) in lines.iter().enumerate() {
        if eligible(line) {
            let units = available(line, free_units, i);
            counted[i] = max_per_line.map_or(units, |m| units.min(u64::from(m)));
        }
    }
    if let Some(max) = max_units {
        let mut order: Lines<usize> = Lines::with_capacity(nets.len());
        for i in (0..nets.len()).filter(|&i| counted[i] > 0) {
            order.push(i);
        }
        by_price(ctx, &mut order, choice.unwrap_or_default());
        let mut left = u64::from(max);
        for &i in order.iter() {
            let take = counted[i].min(left);
            counted[i] = take;
            left -= take;
        }
    }
    let mut parts = Lines::filled(nets.len(), 0i128);
    let mut units: u64 = 0;
    for (i, line) in lines.iter().enumerate() {
        let c = counted[i];
        if c == 0 {
            continue;
        }
        units = units.saturating_add(c);
        let price = unit_price(ctx, i);
        let n = i128::from(c);
        let want = match off {
            UnitOff::Amount { .. } => each
                .checked_mul(n - 1)
                .and_then(|further| further.checked_add(first)),
            UnitOff::Percent(percent) => {
                // Each unit's part rounded once, then counted.
                let raw = ctx
                    .decimal(price)?
                    .checked_mul(percent)
                    .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or_else(|| overflow("a unit discount"))?;
                let rounded = ctx
                    .program
                    .rounding()
                    .round(raw, ctx.currency.minor_units());
                ctx.units(rounded.max(Decimal::ZERO))?.checked_mul(n)
            }
        }
        .ok_or_else(|| overflow("a unit discount"))?;
        let cost = price
            .checked_mul(n)
            .ok_or_else(|| overflow("a unit discount"))?;
        let share = net_share(nets[i], c, available(line, free_units, i))?;
        parts[i] = want.min(cost).min(share).max(0);
    }
    let capped = max_per_line.is_some() || max_units.is_some();
    let detail = match off {
        UnitOff::Amount { amount, first_unit } => Detail::AmountOffEachUnit {
            amount,
            first_unit,
            units: capped.then_some(units),
        },
        UnitOff::Percent(percent) => Detail::PercentOffEachUnit { percent, units },
    };
    Ok((Target::Items, parts, detail))
}

/// The units a buy X get Y finds on the order: those only its buy
/// selector takes, those only its get selector takes, those both take.
#[derive(Clone, Copy, Default)]
struct Pools {
    buy_only: u64,
    get_only: u64,
    both: u64,
}

impl Pools {
    /// How many times `buy` units can be set aside and `get` further units
    /// got, a unit counting once: the largest `k` with
    /// `max(0, k·buy − buy_only) + max(0, k·get − get_only) ≤ both`.
    fn applications(self, buy: u32, get: u32) -> u64 {
        let (b, g) = (u64::from(buy), u64::from(get));
        let bought = self.buy_only.saturating_add(self.both) / b;
        let got = self.get_only.saturating_add(self.both) / g;
        let all = self
            .buy_only
            .saturating_add(self.get_only)
            .saturating_add(self.both)
            / (b + g);
        bought.min(got).min(all)
    }
}

/// The two selectors of a buy X get Y: its own, or the promotion's lines.
fn selectors(def: &PromotionDefinition) -> (&LineSelector, &LineSelector) {
    match &def.reward {
        Reward::BuyXGetY {
            buy_lines,
            get_lines,
            ..
        } => (
            buy_lines.as_ref().unwrap_or(&def.lines),
            get_lines.as_ref().unwrap_or(&def.lines),
        ),
        _ => (&def.lines, &def.lines),
    }
}

/// A buy X get Y on the lines' current nets: bought units set aside, then
/// the cheapest (or most expensive) of the units left to get, each given
/// free or at the rule's percent or amount off. The units got are counted
/// in `free_units`, so that no later line-level reward gets them again.
fn buy_x_get_y<'a>(
    ctx: &Context<'a>,
    rule: &BuyGet<'_>,
    nets: &[i128],
    free_units: &mut [u32],
) -> Result<Given<'a>, EvaluationError> {
    let BuyGet {
        buy,
        get,
        max_applications,
        buy_lines,
        get_lines,
        discounted,
        percent,
        amount,
    } = *rule;
    let lines = ctx.lines();
    let n = nets.len();
    // Units not yet free on each line, and the pools they fall in.
    let mut units = Lines::filled(n, 0u64);
    let mut pools = Pools::default();
    let mut shared: Lines<usize> = Lines::with_capacity(n);
    let mut to_get: Lines<usize> = Lines::with_capacity(n);
    for (i, line) in lines.iter().enumerate() {
        let in_buy = Context::eligible(line, buy_lines);
        let in_get = Context::eligible(line, get_lines);
        if !in_buy && !in_get {
            continue;
        }
        units[i] = available(line, free_units, i);
        let pool = match (in_buy, in_get) {
            (true, true) => {
                shared.push(i);
                &mut pools.both
            }
            (true, false) => &mut pools.buy_only,
            _ => &mut pools.get_only,
        };
        *pool = pool.saturating_add(units[i]);
        if in_get {
            to_get.push(i);
        }
    }
    let mut applications = pools.applications(buy, get);
    if let Some(max) = max_applications {
        applications = applications.min(u64::from(max));
    }
    let choice = discounted.unwrap_or_default();
    let mut parts = Lines::filled(n, 0i128);
    let detail = |free_units| Detail::BuyXGetY {
        buy,
        get,
        groups: applications,
        free_units,
        discounted,
        percent,
        amount,
    };
    if applications == 0 {
        return Ok((Target::Items, parts, detail(0)));
    }
    // Bought units set aside from the shared units the buy-only ones do
    // not cover: the most expensive first, ties to the later line.
    let mut aside = Lines::filled(n, 0u64);
    let mut left = (applications * u64::from(buy)).saturating_sub(pools.buy_only);
    let mut set_aside = |i: usize| {
        let take = units[i].min(left);
        aside[i] = take;
        left -= take;
        left == 0
    };
    by_price(ctx, &mut to_get, choice);
    if pools.buy_only == 0 && pools.get_only == 0 && choice == DiscountedUnits::Cheapest {
        // One pool (today's buy X get Y): the lines shared are the lines
        // to get, and dearest first with ties to the later line is their
        // cheapest-first order reversed: one sort.
        for &i in to_get.iter().rev() {
            if set_aside(i) {
                break;
            }
        }
    } else {
        shared.sort_by(|&a, &b| unit_price(ctx, b).cmp(&unit_price(ctx, a)).then(b.cmp(&a)));
        for &i in shared.iter() {
            if set_aside(i) {
                break;
            }
        }
    }
    // The units got, from what is left.
    let off_each = amount.map(|a| ctx.units(a)).transpose()?;
    // Feasible applications leave enough units to get them all.
    let mut left = applications * u64::from(get);
    let mut got_units: u64 = 0;
    for &i in to_get.iter() {
        if left == 0 {
            break;
        }
        let take = (units[i] - aside[i]).min(left);
        if take == 0 {
            continue;
        }
        left -= take;
        got_units += take;
        let price = unit_price(ctx, i);
        let t = i128::from(take);
        let cost = price.checked_mul(t).ok_or_else(|| overflow("free units"))?;
        let want = match (percent, off_each) {
            // Rounded once on the units got on this line.
            (Some(percent), _) => {
                let raw = ctx
                    .decimal(cost)?
                    .checked_mul(percent)
                    .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or_else(|| overflow("free units"))?;
                let rounded = ctx
                    .program
                    .rounding()
                    .round(raw, ctx.currency.minor_units());
                ctx.units(rounded.max(Decimal::ZERO))?
            }
            (None, Some(each)) => each
                .min(price)
                .checked_mul(t)
                .ok_or_else(|| overflow("free units"))?,
            (None, None) => cost,
        };
        parts[i] = want.min(cost).min(net_share(nets[i], take, units[i])?);
        if let Some(free) = free_units.get_mut(i) {
            // take ≤ the line's quantity less its free units: no overflow.
            *free += u32::try_from(take).unwrap_or(0);
        }
    }
    Ok((Target::Items, parts, detail(got_units)))
}

/// A percent or amount off whose steps measure each line on its own: each
/// eligible line reaches its own step, on its own amount or quantity, and
/// gets that step's reward on its own amount, rounded per line (a step's
/// cap is per line). The detail reports the best line's standing.
pub(super) fn stepped<'a>(
    ctx: &Context<'a>,
    lines: &LineSelector,
    table: &'a StepTable,
    nets: &[i128],
    percentages: Percentages,
) -> Result<Given<'a>, EvaluationError> {
    // Steps are measured on the program's tax basis; the reward comes off
    // the discountable amounts.
    let measured = match table.measure() {
        Measure::BeforeDiscounts => std::borrow::Cow::Borrowed(ctx.measured()),
        Measure::AfterDiscounts => ctx.measure_nets(nets)?,
    };
    let base_amounts = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let smallest = smallest_step(table, ctx.currency);
    let rounding = ctx.program.rounding();
    let mut parts = Lines::filled(nets.len(), 0i128);
    let mut best: Option<(Decimal, Standing)> = None;
    for (i, line) in ctx.lines().iter().enumerate() {
        if !Context::eligible(line, lines) {
            continue;
        }
        let basis = if table.basis().counts_units() {
            Decimal::from(line.quantity())
        } else {
            ctx.decimal(measured[i])?
        };
        let standing = table.standing(basis, smallest);
        if best.is_none_or(|(b, _)| basis > b) {
            best = Some((basis, standing));
        }
        let Some(step) = standing.step else { continue };
        let base = ctx.decimal(base_amounts[i])?;
        let raw = match table.mode() {
            LadderMode::WholeBasket => table.reward_at(step, base),
            LadderMode::Bracket => table.reward_for(base, base),
        }
        .ok_or_else(|| overflow("a ladder reward"))?;
        let rounded = rounding.round(raw, ctx.currency.minor_units());
        parts[i] = ctx.units(rounded.max(Decimal::ZERO))?.min(nets[i].max(0));
    }
    let (basis, standing) =
        best.unwrap_or_else(|| (Decimal::ZERO, table.standing(Decimal::ZERO, smallest)));
    let detail = match standing.step {
        Some(step) => Detail::Ladder {
            table,
            step,
            basis,
            next: standing.next,
        },
        None => Detail::NoStep {
            table,
            basis,
            next: standing.next,
        },
    };
    Ok((Target::Items, parts, detail))
}

/// The units of a gift and what they are worth: its `quantity` and
/// `value`, or, with `per`, both times the number of `per` eligible units
/// bought (at most `max_quantity` units).
pub(super) fn gift(
    ctx: &Context<'_>,
    def: &PromotionDefinition,
) -> Result<(u32, Decimal), EvaluationError> {
    let Reward::FreeGift {
        quantity,
        value,
        per,
        max_quantity,
        ..
    } = &def.reward
    else {
        return Ok((0, Decimal::ZERO));
    };
    let (quantity, value, max_quantity) = (*quantity, value.value(), *max_quantity);
    let Some(per) = *per else {
        return Ok((quantity, value));
    };
    let mut gifts = eligible_units(ctx, &def.lines) / u64::from(per.max(1));
    if let Some(max) = max_quantity {
        gifts = gifts.min(u64::from(max / quantity.max(1)));
    }
    let units = gifts
        .checked_mul(u64::from(quantity))
        .and_then(|u| u32::try_from(u).ok())
        .ok_or_else(|| overflow("a gift's quantity"))?;
    let worth = value
        .checked_mul(Decimal::from(gifts))
        .ok_or_else(|| overflow("a gift's value"))?;
    Ok((units, worth))
}

/// The units on the lines `lines` selects (exempt lines left out).
fn eligible_units(ctx: &Context<'_>, lines: &LineSelector) -> u64 {
    ctx.lines()
        .iter()
        .filter(|l| Context::eligible(l, lines))
        .map(|l| u64::from(l.quantity()))
        .fold(0, u64::saturating_add)
}

/// Whether a reward needs a number of eligible units to apply at all: a
/// buy X get Y, a gift per N units.
pub(super) fn counts_units(reward: &Reward) -> bool {
    matches!(
        reward,
        Reward::BuyXGetY { .. } | Reward::FreeGift { per: Some(_), .. }
    )
}

/// Why a reward that [counts units](counts_units) cannot apply, on the
/// order's units: `quantity` is the units on the promotion's lines. A buy
/// X get Y with one selector needs a complete group (as it always has); one
/// with two selectors needs `buy` units to set aside and `get` more to get,
/// a unit counting once; a gift per N units needs N.
pub(super) fn too_few_units(
    ctx: &Context<'_>,
    def: &PromotionDefinition,
    quantity: u64,
) -> Option<Rejection> {
    let short = |minimum: u64| {
        (quantity < minimum).then(|| Rejection::MinimumQuantityNotMet {
            minimum,
            quantity,
            missing: minimum - quantity,
        })
    };
    match def.reward {
        Reward::BuyXGetY {
            buy,
            get,
            ref buy_lines,
            ref get_lines,
            ..
        } => {
            if buy_lines.is_none() && get_lines.is_none() {
                return short(u64::from(buy) + u64::from(get));
            }
            let (buy_lines, get_lines) = selectors(def);
            let mut pools = Pools::default();
            for line in ctx.lines() {
                let pool = match (
                    Context::eligible(line, buy_lines),
                    Context::eligible(line, get_lines),
                ) {
                    (true, true) => &mut pools.both,
                    (true, false) => &mut pools.buy_only,
                    (false, true) => &mut pools.get_only,
                    (false, false) => continue,
                };
                *pool = pool.saturating_add(u64::from(line.quantity()));
            }
            (pools.applications(buy, get) == 0).then(|| Rejection::BuyGetNotMet {
                buy,
                get,
                to_buy: pools.buy_only.saturating_add(pools.both),
                to_get: pools.get_only.saturating_add(pools.both),
            })
        }
        Reward::FreeGift { per: Some(per), .. } => short(u64::from(per)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Pools;

    #[test]
    fn applications_count_each_unit_once() {
        let pools = |buy_only, get_only, both| Pools {
            buy_only,
            get_only,
            both,
        };
        // One selector: complete groups of buy + get.
        assert_eq!(pools(0, 0, 7).applications(2, 1), 2);
        // Disjoint selectors: the scarcer side decides.
        assert_eq!(pools(4, 1, 0).applications(2, 1), 1);
        assert_eq!(pools(4, 5, 0).applications(2, 1), 2);
        // Shared units serve whichever side lacks them. Buy 1 get 1 on 1
        // buy-only and 2 shared units: the buy-only unit bought, a shared
        // one got, the third spare (3 units, groups of 2).
        assert_eq!(pools(1, 0, 2).applications(1, 1), 1);
        assert_eq!(pools(1, 0, 3).applications(1, 1), 2);
        // Nothing to get.
        assert_eq!(pools(9, 0, 0).applications(1, 1), 0);
    }
}

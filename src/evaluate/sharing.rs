//! Where a percent is rounded and how an amount is spread over its lines,
//! for `discounts.rs`: a rule's `rounding_scope` and `split`, else the
//! program's. A percent rounded once on the total is spread like an
//! amount; one rounded per line or per unit gives each line its own
//! share. An amount is split in proportion to the lines' nets (with the
//! program's remainder policy), or the same per line or per unit with no
//! line above its net. The defaults (total, proportional) take the
//! proportional split of `split_in_place` as before.

use rust_decimal::Decimal;

use super::discounts::{percent_of, spread};
use super::{Context, EvaluationError, overflow};
use crate::money::{
    RoundingMode, RoundingScope, Split, percent_of_units, split_capped, split_in_place_rounded,
};
use crate::order::Line;
use crate::program::Percentages;
use crate::rules::promotion::Promotion;
use crate::util::Lines;

/// How a rule's discount is rounded and spread: its own settings, else
/// the program's.
#[derive(Clone, Copy)]
pub(super) struct Sharing<'f> {
    pub(super) scope: RoundingScope,
    pub(super) split: Split,
    /// Each line's units made free by a line-level reward (empty when the
    /// set has none): not counted as units of a line's net.
    free_units: &'f [u32],
}

impl<'f> Sharing<'f> {
    /// The program's settings (a tier's discount).
    pub(super) fn program(ctx: &Context<'_>, free_units: &'f [u32]) -> Sharing<'f> {
        Sharing {
            scope: ctx.program.rounding_scope(),
            split: ctx.program.split(),
            free_units,
        }
    }

    /// A promotion's settings, else the program's.
    pub(super) fn of(
        ctx: &Context<'_>,
        promotion: &Promotion,
        free_units: &'f [u32],
    ) -> Sharing<'f> {
        let def = &promotion.definition;
        Sharing {
            scope: def
                .rounding_scope
                .unwrap_or_else(|| ctx.program.rounding_scope()),
            split: def.split.unwrap_or_else(|| ctx.program.split()),
            free_units,
        }
    }

    /// The units of line `i` its net pays for: its quantity, less the
    /// units made free.
    fn paid_units(&self, i: usize, line: &Line) -> u32 {
        line.quantity()
            .saturating_sub(self.free_units.get(i).copied().unwrap_or(0))
    }
}

/// Allocates `amount` minor units, cut to the eligible lines' net, over
/// those lines as `sharing` splits.
#[inline]
pub(super) fn allocate(
    ctx: &Context<'_>,
    amount: i128,
    nets: &[i128],
    eligible: impl Fn(&Line) -> bool,
    sharing: Sharing<'_>,
) -> Result<Lines<i128>, EvaluationError> {
    // Each line's weight, then (split in place) its part.
    let mut parts = Lines::with_capacity(nets.len());
    let mut available: i128 = 0;
    for (line, &net) in ctx.lines().iter().zip(nets) {
        let w = if eligible(line) { net.max(0) } else { 0 };
        available = available
            .checked_add(w)
            .ok_or_else(|| overflow("eligible amounts"))?;
        parts.push(w);
    }
    let amount = amount.min(available);
    if amount <= 0 {
        parts.iter_mut().for_each(|p| *p = 0);
        return Ok(parts);
    }
    let (policy, rounding) = (ctx.program.remainder(), ctx.program.share_rounding());
    if sharing.split == Split::Proportional {
        split_in_place_rounded(amount, &mut parts, policy, rounding)?;
    } else {
        split_equally(ctx, amount, &mut parts, sharing)?;
    }
    Ok(parts)
}

/// Splits `amount` the same per line or per unit over `parts`, which hold
/// the lines' nets on entry (their caps) and the parts on return.
#[inline(never)]
fn split_equally(
    ctx: &Context<'_>,
    amount: i128,
    parts: &mut [i128],
    sharing: Sharing<'_>,
) -> Result<(), EvaluationError> {
    let (policy, rounding) = (ctx.program.remainder(), ctx.program.share_rounding());
    let caps = Lines::from_slice(parts);
    let mut weights = Lines::with_capacity(parts.len());
    for (i, (line, &cap)) in ctx.lines().iter().zip(caps.iter()).enumerate() {
        weights.push(match (cap > 0, sharing.split) {
            (false, _) => 0,
            (true, Split::EqualPerUnit) => i128::from(sharing.paid_units(i, line).max(1)),
            (true, _) => 1,
        });
    }
    split_capped(amount, &caps, &weights, policy, rounding, parts)?;
    Ok(())
}

/// `percent` off the eligible lines, at most `cap`, rounded where
/// `sharing` says: once on their total (then spread like an amount), or
/// on each line's or each unit's share (each line's part at most its
/// net). A cap the rounded shares go above is spread like an amount.
/// Returns the parts and the cap, when it cut the discount.
#[allow(clippy::too_many_arguments)]
pub(super) fn percent_off(
    ctx: &Context<'_>,
    percent: Decimal,
    cap: Option<Decimal>,
    nets: &[i128],
    eligible: impl Fn(&Line) -> bool,
    percentages: Percentages,
    sharing: Sharing<'_>,
    what: &'static str,
) -> Result<(Lines<i128>, Option<Decimal>), EvaluationError> {
    // The cap is written on the program's tax basis.
    let cap = cap.map(|c| ctx.price_cap(c, &eligible)).transpose()?;
    if sharing.scope == RoundingScope::Total {
        let raw = percent_of(ctx, percent, nets, &eligible, percentages, what)?;
        let (raw, capped_at) = match cap {
            Some(c) if raw > c => (c, Some(c)),
            _ => (raw, None),
        };
        return Ok((spread(ctx, raw, nets, eligible, sharing)?, capped_at));
    }
    let (parts, total) =
        percent_by_line(ctx, percent, nets, &eligible, percentages, sharing, what)?;
    if let Some(c) = cap
        && total > ctx.units(c)?
    {
        return Ok((spread(ctx, c, nets, eligible, sharing)?, Some(c)));
    }
    Ok((parts, None))
}

/// `percent` of each eligible line's amount (its net when percentages
/// compound, its gross on the original), rounded with the program's
/// rounding on the line (`line`) or on each of its units (`unit`: the
/// amount shared evenly over the units, the first ones a minor unit more
/// when it does not divide), each at most the line's net. Returns the
/// parts and their sum.
#[inline(never)]
pub(super) fn percent_by_line(
    ctx: &Context<'_>,
    percent: Decimal,
    nets: &[i128],
    eligible: &impl Fn(&Line) -> bool,
    percentages: Percentages,
    sharing: Sharing<'_>,
    what: &'static str,
) -> Result<(Lines<i128>, i128), EvaluationError> {
    let bases = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let mode = ctx.program.rounding();
    let mut parts = Lines::filled(nets.len(), 0i128);
    let mut total: i128 = 0;
    for (i, line) in ctx.lines().iter().enumerate() {
        let net = nets[i].max(0);
        if !eligible(line) || net == 0 {
            continue;
        }
        let base = bases[i].max(0);
        let share = match sharing.scope {
            RoundingScope::Unit => {
                let units = match percentages {
                    Percentages::Compound => sharing.paid_units(i, line),
                    Percentages::OnOriginal => line.quantity(),
                };
                per_unit(base, units, percent, mode)
            }
            _ => percent_of_units(base, percent, mode),
        }
        .ok_or_else(|| overflow(what))?;
        parts[i] = share.min(net);
        total = total.checked_add(parts[i]).ok_or_else(|| overflow(what))?;
    }
    Ok((parts, total))
}

/// `percent` of `amount` minor units shared evenly over `units` units
/// (the first `amount mod units` a minor unit more), each unit's share
/// rounded by `mode`; the units' sum.
fn per_unit(amount: i128, units: u32, percent: Decimal, mode: RoundingMode) -> Option<i128> {
    if units <= 1 {
        return percent_of_units(amount, percent, mode);
    }
    let count = i128::from(units);
    let (low, extra) = (amount / count, amount % count);
    let at_low = percent_of_units(low, percent, mode)?.checked_mul(count - extra)?;
    let at_high = if extra > 0 {
        percent_of_units(low + 1, percent, mode)?.checked_mul(extra)?
    } else {
        0
    };
    at_low.checked_add(at_high)
}

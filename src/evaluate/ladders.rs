//! Stage 2, ladders: each ladder's condition and standing on the gross
//! (the step reached and what is missing to the next); a ladder with a
//! step reached, or one measured after discounts, is a candidate. Also the
//! ladder's discount, when the discounts stage applies it.

use rust_decimal::Decimal;

use super::discounts::{Detail, spread};
use super::stacking::{Candidate, Candidates, Level, Source};
use super::{Context, EvaluationError, Trace, condition_holds, in_minor_units, overflow};
use crate::evaluation::{LadderOutcome, Reason, RuleKind, RuleRef, Stage, Target, TraceEntry};
use crate::money::Currency;
use crate::program::Percentages;
use crate::rules::ladder::{Ladder, LadderBasis, Measure};
use crate::util::Lines;

/// Each ladder's condition, then its standing on the gross (a ladder
/// measured after discounts is measured again when applied): where the
/// order stands on each ladder; the ladders that may apply are added to
/// `candidates`.
pub(super) fn stand<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
    trace: &mut Trace,
) -> Result<Vec<LadderOutcome>, EvaluationError> {
    let ladders = ctx.program.ladders();
    let mut outcomes = Vec::with_capacity(if ctx.detail { ladders.len() } else { 0 });
    for (index, ladder) in ladders.iter().enumerate() {
        let rule = RuleRef::new(RuleKind::Ladder, ladder.rule_id().clone());
        let basis = basis(ctx, ladder, ctx.measured())?;
        let standing = ladder.standing(basis, smallest_step(ladder, ctx.currency));
        if ctx.detail {
            outcomes.push(LadderOutcome {
                ladder: ladder.rule_id().clone(),
                basis,
                step: standing.step,
                next: standing.next,
                amount: in_minor_units(Decimal::ZERO, ctx.currency),
            });
        }
        if !condition_holds(
            ladder.definition.condition.as_ref(),
            &ctx.facts,
            &rule,
            Stage::Ladders,
            trace,
        )? {
            continue;
        }
        if standing.step.is_none() && ladder.definition.measure == Measure::BeforeDiscounts {
            trace.push(|| {
                let reason = match (standing.next, ladder.steps().first()) {
                    (Some(next), Some(first)) => Reason::BelowFirstStep {
                        basis: ladder.definition.basis,
                        measured: show(basis, ladder, ctx.currency),
                        first: show(first.from, ladder, ctx.currency),
                        missing: show(next.missing, ladder, ctx.currency),
                    },
                    _ => Reason::NoStepReached,
                };
                TraceEntry::new(rule, false, Stage::Ladders, reason)
            });
            continue;
        }
        candidates.push(Candidate {
            source: Source::Ladder(ladder),
            stacking: &ladder.definition.stacking,
            priority: ladder.definition.priority,
            rank: index,
            level: Level::Order,
        });
    }
    Ok(outcomes)
}

/// The ladder's discount on the lines' current `nets` (minor units),
/// allocated per line.
pub(super) fn discount<'a>(
    ctx: &Context<'a>,
    ladder: &'a Ladder,
    nets: &[i128],
    percentages: Percentages,
) -> Result<(Target, Lines<i128>, Detail<'a>), EvaluationError> {
    let def = &ladder.definition;
    let measured = match def.measure {
        Measure::BeforeDiscounts => std::borrow::Cow::Borrowed(ctx.measured()),
        Measure::AfterDiscounts => ctx.measure_nets(nets)?,
    };
    let basis = basis(ctx, ladder, &measured)?;
    let base_amounts = match percentages {
        Percentages::Compound => nets,
        Percentages::OnOriginal => ctx.discountable(),
    };
    let eligible = |line: &crate::order::Line| Context::eligible(line, &def.lines);
    let mut base: i128 = 0;
    for (line, amount) in ctx.lines().iter().zip(base_amounts) {
        if eligible(line) {
            base = base
                .checked_add(*amount)
                .ok_or_else(|| overflow("a ladder"))?;
        }
    }
    let base = ctx.decimal(base)?;
    let standing = ladder.standing(basis, smallest_step(ladder, ctx.currency));
    let Some(step) = standing.step else {
        return Ok((
            Target::Items,
            Lines::filled(nets.len(), 0),
            Detail::NoStep {
                ladder,
                basis,
                next: standing.next,
            },
        ));
    };
    // A whole-basket ladder gives the step its standing reached; a bracket
    // ladder measures its brackets on the amount it comes off.
    let raw = ctx.ladder_reward(ladder, step, base, &eligible)?;
    let detail = Detail::Ladder {
        ladder,
        step,
        basis,
        next: standing.next,
    };
    Ok((Target::Items, spread(ctx, raw, nets, eligible)?, detail))
}

/// What a ladder measures on `amounts` (minor units): the eligible lines'
/// amount, or their units.
fn basis(ctx: &Context<'_>, ladder: &Ladder, amounts: &[i128]) -> Result<Decimal, EvaluationError> {
    let mut basis: i128 = 0;
    for (line, amount) in ctx.lines().iter().zip(amounts) {
        if !Context::eligible(line, &ladder.definition.lines) {
            continue;
        }
        let add = match ladder.definition.basis {
            LadderBasis::Subtotal => *amount,
            LadderBasis::Quantity => i128::from(line.quantity()),
        };
        basis = basis
            .checked_add(add)
            .ok_or_else(|| overflow("a ladder basis"))?;
    }
    match ladder.definition.basis {
        LadderBasis::Subtotal => ctx.decimal(basis),
        LadderBasis::Quantity => {
            Decimal::try_from_i128_with_scale(basis, 0).map_err(|_| overflow("a ladder basis"))
        }
    }
}

/// The smallest change of a ladder's basis: a minor unit, or one unit.
fn smallest_step(ladder: &Ladder, currency: Currency) -> Decimal {
    match ladder.definition.basis {
        LadderBasis::Subtotal => currency.minor_unit(),
        LadderBasis::Quantity => Decimal::ONE,
    }
}

/// A ladder's basis value as written in a sentence: an amount with the
/// currency's decimals, or a number of units.
pub(super) fn show(value: Decimal, ladder: &Ladder, currency: Currency) -> Decimal {
    match ladder.definition.basis {
        LadderBasis::Subtotal => in_minor_units(value, currency),
        LadderBasis::Quantity => value.normalize(),
    }
}

//! Stage 2, automatic promotions: every promotion without codes (the
//! program's ladders among them) is judged on the checkout: where the
//! order stands on its steps, then its restrictions (window, usage limits,
//! order number, tier, segment, condition, minimums and maximums), then
//! whether its first step is reached. One that does not apply gets a trace
//! entry with the reason; one that may apply is a candidate.

use super::promotions::{self, below_first_step, restriction};
use super::stacking::{Candidate, Candidates, Level, Source};
use super::{Context, EvaluationError, Trace, in_minor_units};
use crate::evaluation::{LadderOutcome, Reason, TraceEntry};
use crate::rules::coupon::Rejection;
use crate::rules::ladder::Measure;
use rust_decimal::Decimal;

/// Judges each automatic promotion, in the program's order; those that may
/// apply are added to `candidates`. Returns where the order stands on each
/// one with steps.
pub(super) fn judge<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
    trace: &mut Trace,
) -> Result<Vec<LadderOutcome>, EvaluationError> {
    let program = ctx.program;
    let mut outcomes = Vec::with_capacity(if ctx.detail {
        program.automatic_steps()
    } else {
        0
    });
    for promotion in program.automatic() {
        let def = &promotion.definition;
        // Where the order stands on its steps, on the gross (steps measured
        // after discounts are measured again when applied).
        let standing = match promotion.steps() {
            Some(table) => {
                let (basis, standing) = promotions::standing(ctx, &def.lines, table)?;
                if ctx.detail {
                    outcomes.push(LadderOutcome {
                        ladder: promotion.rule_id().clone(),
                        basis,
                        step: standing.step,
                        next: standing.next,
                        amount: in_minor_units(Decimal::ZERO, ctx.currency),
                    });
                }
                Some((table, basis, standing))
            }
            None => None,
        };
        let usage = || ctx.checkout.promotion_usage_of(promotion.id());
        if promotion.is_restricted()
            && let Some(rejection) = restriction(ctx, promotion, usage, trace.enabled)?
        {
            trace.push(|| {
                let rule = promotions::rule(promotion);
                let stage = promotions::stage(promotion);
                match rejection {
                    Rejection::ConditionNotMet { because } => {
                        TraceEntry::new(rule, false, stage, Reason::ConditionNotMet)
                            .observed(because)
                    }
                    rejection => {
                        TraceEntry::new(rule, false, stage, Reason::NotEligible { rejection })
                    }
                }
            });
            continue;
        }
        if let Some((table, basis, standing)) = standing
            && standing.step.is_none()
            && table.measure() == Measure::BeforeDiscounts
        {
            trace.push(|| {
                let reason = match below_first_step(table, basis, &standing, ctx.currency) {
                    Some(Rejection::BelowFirstStep {
                        basis,
                        measured,
                        first,
                        missing,
                    }) => Reason::BelowFirstStep {
                        basis,
                        measured,
                        first,
                        missing,
                    },
                    _ => Reason::NoStepReached,
                };
                TraceEntry::new(
                    promotions::rule(promotion),
                    false,
                    promotions::stage(promotion),
                    reason,
                )
            });
            continue;
        }
        candidates.push(Candidate {
            source: Source::Promotion {
                promotion,
                verdict: None,
            },
            stacking: &def.stacking,
            priority: def.priority,
            rank: promotion.index,
            level: Level::of(&def.reward),
        });
    }
    Ok(outcomes)
}

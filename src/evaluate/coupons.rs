//! Stage 3, coupons: a verdict on every entered code, accepted or rejected
//! with a typed reason (unknown, expired, limit reached, minimum not met,
//! below the first step, …); an accepted code's promotion is a candidate.
//! A promotion is judged only when one of its codes is entered: an order
//! pays nothing for the codes it did not enter.

use super::promotions::{self, below_first_step, restriction};
use super::stacking::{Candidate, Candidates, Level, Source};
use super::{Context, EvaluationError, Trace, currency};
use crate::evaluation::{LadderOutcome, Reason, Stage, TraceEntry};
use crate::rules::RuleId;
use crate::rules::coupon::{CouponVerdict, Rejection, normalize_code};
use crate::rules::promotion::Promotion;

/// The verdicts, in the order the codes were entered.
pub(super) struct Verdicts {
    pub(super) verdicts: Vec<CouponVerdict>,
    /// Each entered code, normalised.
    pub(super) codes: Codes,
}

/// The entered codes, normalised, by the index of their verdict: the usual
/// single code kept without a list of its own, and moved into the output
/// that reports it.
#[derive(Default)]
pub(super) struct Codes {
    first: Option<String>,
    rest: Vec<String>,
}

impl Codes {
    fn push(&mut self, code: String) {
        if self.first.is_none() {
            self.first = Some(code);
        } else {
            self.rest.push(code);
        }
    }

    fn contains(&self, code: &str) -> bool {
        self.first.as_deref() == Some(code) || self.rest.iter().any(|c| c == code)
    }

    /// The code of verdict `index`; empty once taken.
    pub(super) fn get(&self, index: usize) -> &str {
        match index {
            0 => self.first.as_deref().unwrap_or_default(),
            i => self.rest.get(i - 1).map_or("", String::as_str),
        }
    }

    /// Takes the code of verdict `index` out, for the output that reports it
    /// last.
    pub(super) fn take(&mut self, index: usize) -> String {
        match index {
            0 => self.first.take().unwrap_or_default(),
            i => self
                .rest
                .get_mut(i - 1)
                .map(std::mem::take)
                .unwrap_or_default(),
        }
    }
}

/// A verdict for every entered code; the promotions that may apply are
/// added to `candidates`, and where the order stands on the steps of an
/// entered promotion with steps to `outcomes`.
pub(super) fn judge<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
    outcomes: &mut Vec<LadderOutcome>,
) -> Result<Verdicts, EvaluationError> {
    let program = ctx.program;
    let entered = ctx.order.coupons();
    let mut out = Verdicts {
        verdicts: Vec::with_capacity(entered.len()),
        codes: Codes::default(),
    };
    if entered.is_empty() {
        return Ok(out);
    }
    let first = candidates.len();
    for code_entered in entered {
        let code = normalize_code(code_entered);
        let mut verdict = CouponVerdict {
            code: code_entered.clone(),
            coupon: None,
            rejection: None,
        };
        let coupon = if out.codes.contains(&code) {
            verdict.rejection = Some(Rejection::DuplicateCode);
            None
        } else {
            match program.coupon_for_normalized(&code) {
                None => {
                    verdict.rejection = Some(match program.unavailable_code(&code) {
                        // A promotion without an amount in the order's
                        // currency.
                        Some(rule) => {
                            verdict.coupon = RuleId::new(rule.id.as_str()).ok();
                            currency::refusal(ctx, rule)
                        }
                        None => Rejection::UnknownCode,
                    });
                    None
                }
                Some(coupon) => {
                    verdict.coupon = Some(coupon.rule_id().clone());
                    verdict.rejection = judge_one(ctx, coupon, &code, outcomes)?;
                    Some(coupon)
                }
            }
        };
        out.codes.push(code);
        let index = out.verdicts.len();
        if let (Some(coupon), None) = (coupon, &verdict.rejection) {
            // A coupon entered twice under two of its batch codes counts
            // once.
            let entered_before = candidates[first..].iter().any(|c| match c.source {
                Source::Promotion {
                    promotion: other, ..
                } => std::ptr::eq(other, coupon),
                Source::Tier { .. } => false,
            });
            if entered_before {
                verdict.rejection = Some(Rejection::CouponAlreadyEntered);
            } else {
                candidates.push(Candidate {
                    source: Source::Promotion {
                        promotion: coupon,
                        verdict: Some(index),
                    },
                    stacking: &coupon.definition.stacking,
                    priority: coupon.definition.priority,
                    rank: coupon.index,
                    level: Level::of(&coupon.definition.reward),
                });
            }
        }
        out.verdicts.push(verdict);
    }
    Ok(out)
}

/// Why `coupon`, entered as `code` (normalised), does not apply, if it
/// does not; a promotion with steps says where the order stands on them.
#[inline]
fn judge_one(
    ctx: &Context<'_>,
    coupon: &Promotion,
    code: &str,
    outcomes: &mut Vec<LadderOutcome>,
) -> Result<Option<Rejection>, EvaluationError> {
    let standing = match coupon.steps() {
        Some(table) => {
            let (basis, standing) = promotions::standing(ctx, &coupon.definition.lines, table)?;
            if ctx.detail && !outcomes.iter().any(|o| &o.ladder == coupon.rule_id()) {
                outcomes.push(LadderOutcome {
                    ladder: coupon.rule_id().clone(),
                    basis,
                    step: standing.step,
                    next: standing.next,
                    amount: super::in_minor_units(rust_decimal::Decimal::ZERO, ctx.currency),
                });
            }
            Some((table, basis, standing))
        }
        None => None,
    };
    if coupon.is_restricted()
        && let Some(rejection) = restriction(ctx, coupon, || ctx.checkout.usage_of(code), true)?
    {
        return Ok(Some(rejection));
    }
    Ok(standing.and_then(|(table, basis, standing)| {
        below_first_step(table, basis, &standing, ctx.currency)
    }))
}

/// Writes the refused codes of coupons into the trace, once every stage
/// that can refuse one has run (those not combinable are already there).
pub(super) fn trace_rejections(ctx: &Context<'_>, verdicts: &Verdicts, trace: &mut Trace) {
    if !trace.enabled || verdicts.verdicts.is_empty() {
        return;
    }
    for (index, verdict) in verdicts.verdicts.iter().enumerate() {
        let Some(rejection) = &verdict.rejection else {
            continue;
        };
        // The promotion the code matched, for its kind.
        let code = verdicts.codes.get(index);
        let Some(coupon) = verdict
            .coupon
            .as_ref()
            .and_then(|_| ctx.program.coupon_for_normalized(code))
        else {
            // One without an amount in the order's currency.
            if let Some((rule, _)) = ctx.program.unavailable_code(code).and_then(currency::named) {
                trace.push(|| {
                    TraceEntry::new(
                        rule,
                        false,
                        Stage::Coupons,
                        Reason::CouponRejected {
                            code: verdict.code.clone(),
                            rejection: rejection.clone(),
                        },
                    )
                });
            }
            continue;
        };
        if matches!(rejection, Rejection::NotCombinable { .. }) {
            continue;
        }
        trace.push(|| {
            TraceEntry::new(
                promotions::rule(coupon),
                false,
                Stage::Coupons,
                Reason::CouponRejected {
                    code: verdict.code.clone(),
                    rejection: rejection.clone(),
                },
            )
            .observed(match rejection {
                Rejection::ConditionNotMet { because } => because.clone(),
                _ => None,
            })
        });
    }
}

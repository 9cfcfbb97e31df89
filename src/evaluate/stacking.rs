//! Stage 4, stacking: among the candidates (automatic promotions that
//! apply, ladders among them; accepted coupons; the benefits of the
//! customer's tier), the program's
//! policy picks the set that applies:
//! exclusive, stackable, or the best of a group; best for the customer or
//! by priority. Candidates left out get "cannot be combined with".

use super::discounts::{Application, apply};
use super::{Context, EvaluationError, Trace};
use crate::evaluation::{Reason, RuleKind, RuleRef, Stage, TraceEntry};
use crate::money::PerCurrency;
use crate::program::Pick;
use crate::rules::coupon::{CouponVerdict, Rejection};
use crate::rules::promotion::{DiscountTarget, Promotion, Reward};
use crate::rules::tier::Benefits;
use crate::rules::{RuleId, Stacking};
use crate::util::{Buf, Lines};

/// When a discount applies among the others: line-level rewards first,
/// then order-level ones, then shipping; benefits that give no money
/// (gifts, points) last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    Line,
    Order,
    Shipping,
    Benefit,
}

impl Level {
    pub(super) fn of(reward: &Reward) -> Level {
        match reward {
            Reward::CheapestFree
            | Reward::BuyXGetY { .. }
            | Reward::AmountOffEachLine { .. }
            | Reward::AmountOffEachUnit { .. }
            | Reward::PercentOffEachUnit { .. } => Level::Line,
            // Steps on each line's own amount or quantity discount lines.
            Reward::PercentOff {
                basis: Some(basis), ..
            }
            | Reward::AmountOff {
                basis: Some(basis), ..
            } if basis.per_line() => Level::Line,
            Reward::PercentOff { .. } | Reward::AmountOff { .. } => match reward.target() {
                DiscountTarget::Shipping => Level::Shipping,
                DiscountTarget::Items | DiscountTarget::ItemsAndShipping => Level::Order,
            },
            Reward::FreeShipping => Level::Shipping,
            Reward::FreeGift { .. }
            | Reward::BonusPoints { .. }
            | Reward::PointsMultiplier { .. } => Level::Benefit,
        }
    }
}

/// A discount that may apply, before stacking picks.
#[derive(Clone, Copy)]
pub(super) struct Candidate<'p> {
    pub(super) source: Source<'p>,
    pub(super) stacking: &'p Stacking,
    pub(super) priority: i32,
    /// Definition order across the program: ladders, then coupons, then
    /// the `promotions` list, then tiers.
    pub(super) rank: usize,
    pub(super) level: Level,
}

/// The candidates of an evaluation: a usual order's in place.
pub(super) type Candidates<'p> = Buf<Candidate<'p>, 4>;

impl<'p> Candidate<'p> {
    /// The rule's id, borrowed from the program.
    pub(super) fn rule_id(&self) -> &'p RuleId {
        match self.source {
            Source::Promotion { promotion, .. } => promotion.rule_id(),
            Source::Tier { benefits, .. } => &benefits.rule_id,
        }
    }

    /// The rule, as the outputs name it.
    pub(super) fn rule(&self) -> RuleRef {
        match self.source {
            Source::Promotion { promotion, .. } => super::promotions::rule(promotion),
            Source::Tier { benefits, .. } => RuleRef::new(RuleKind::Tier, benefits.rule_id.clone()),
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Source<'p> {
    /// A promotion: automatic, or entered with a code.
    Promotion {
        promotion: &'p Promotion,
        /// The index of the verdict on its code; none for an automatic one.
        verdict: Option<usize>,
    },
    /// A benefit of the customer's tier.
    Tier { benefits: &'p Benefits, perk: Perk },
}

/// Which benefit of a tier a candidate is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Perk {
    /// The tier's percent off the eligible items.
    Discount,
    /// Free shipping.
    FreeShipping,
}

/// Picks the set under the program's policy and writes its application
/// into `application`; marks the others as not combinable, in their
/// verdicts and in the trace.
///
/// A promotion whose discount would go over its spend budget is refused
/// (`budget_exceeded`) and left out of the candidates, and the policy
/// picks again among the others: as if it had not applied.
pub(super) fn pick<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
    verdicts: &mut [CouponVerdict],
    trace: &mut Trace,
    application: &mut Application<'a>,
) -> Result<(), EvaluationError> {
    let mut chosen = choose(ctx, candidates, application)?;
    if !application.over_budget.is_empty() {
        chosen = without_over_budget(ctx, candidates, verdicts, trace, application)?;
    }
    let candidates = &candidates[..];
    let winner = |losing: usize| -> Option<RuleRef> {
        chosen
            .iter()
            .filter(|&&c| c != losing)
            .map(|&c| &candidates[c])
            .find(|c| {
                matches!(c.stacking, Stacking::Exclusive)
                    || matches!((c.stacking, candidates[losing].stacking),
                                (Stacking::Group(a), Stacking::Group(b)) if a == b)
            })
            .or_else(|| chosen.first().map(|&c| &candidates[c]))
            .map(Candidate::rule)
    };
    for (index, candidate) in candidates.iter().enumerate() {
        if chosen.contains(&index) {
            continue;
        }
        let with = winner(index);
        if let Source::Promotion {
            verdict: Some(verdict),
            ..
        } = candidate.source
        {
            verdicts[verdict].rejection = Some(Rejection::NotCombinable {
                with: with
                    .as_ref()
                    .map_or_else(|| "another discount".to_owned(), ToString::to_string),
            });
        }
        trace.push(|| {
            TraceEntry::new(
                candidate.rule(),
                false,
                Stage::Stacking,
                Reason::NotCombinable { with: with.clone() },
            )
        });
    }
    Ok(())
}

/// Refuses the candidates `application` found over their spend budget,
/// leaves them out and picks again, until a pick refuses none (each round
/// leaves out at least one candidate: it ends). Returns the last pick.
#[cold]
#[inline(never)]
fn without_over_budget<'a>(
    ctx: &Context<'a>,
    candidates: &mut Candidates<'a>,
    verdicts: &mut [CouponVerdict],
    trace: &mut Trace,
    application: &mut Application<'a>,
) -> Result<Lines<usize>, EvaluationError> {
    loop {
        let refused = std::mem::take(&mut application.over_budget);
        over_budget(ctx, candidates, &refused, verdicts, trace)?;
        let mut kept = Candidates::with_capacity(candidates.len());
        for (i, candidate) in candidates.iter().enumerate() {
            if !refused.iter().any(|&(j, _)| j == i) {
                kept.push(*candidate);
            }
        }
        *candidates = kept;
        let chosen = choose(ctx, candidates, application)?;
        if application.over_budget.is_empty() {
            return Ok(chosen);
        }
    }
}

/// Refuses the candidates over their spend budget: a coupon's verdict says
/// `budget_exceeded` (traced with the other refused codes), an automatic
/// promotion's trace entry too.
fn over_budget(
    ctx: &Context<'_>,
    candidates: &[Candidate<'_>],
    refused: &[(usize, i128)],
    verdicts: &mut [CouponVerdict],
    trace: &mut Trace,
) -> Result<(), EvaluationError> {
    for &(index, amount) in refused {
        let candidate = &candidates[index];
        let Source::Promotion { promotion, verdict } = candidate.source else {
            continue;
        };
        let Some(budget) = promotion.definition.budget.as_ref().map(PerCurrency::value) else {
            continue;
        };
        let rejection = Rejection::BudgetExceeded {
            budget: super::in_minor_units(budget, ctx.currency),
            spent: super::in_minor_units(
                ctx.checkout.budget_spent_of(promotion.id()),
                ctx.currency,
            ),
            amount: ctx.decimal(amount)?,
        };
        match verdict {
            Some(verdict) => verdicts[verdict].rejection = Some(rejection),
            None => trace.push(|| {
                TraceEntry::new(
                    candidate.rule(),
                    false,
                    Stage::Discounts,
                    Reason::NotEligible { rejection },
                )
            }),
        }
    }
    Ok(())
}

/// Chooses the candidates that apply under the program's policy; their
/// application is left in `out`, whose `over_budget` lists the candidates
/// it refused for their budget, and every exclusive one tried alone and
/// found over it (alone is the only way it applies: it is refused once,
/// rather than in a round of its own).
fn choose<'a>(
    ctx: &Context<'a>,
    candidates: &[Candidate<'a>],
    out: &mut Application<'a>,
) -> Result<Lines<usize>, EvaluationError> {
    if candidates.is_empty() {
        apply(ctx, candidates, &[], out)?;
        return Ok(Lines::with_capacity(0));
    }
    // Every candidate stackable (the usual case): all apply, under either
    // policy, and there is nothing to compare.
    if candidates
        .iter()
        .all(|c| matches!(c.stacking, Stacking::Stackable))
    {
        let mut chosen = Lines::with_capacity(candidates.len());
        for i in 0..candidates.len() {
            chosen.push(i);
        }
        apply(ctx, candidates, &chosen, out)?;
        return Ok(chosen);
    }
    let by_priority = |a: &usize, b: &usize| {
        candidates[*b]
            .priority
            .cmp(&candidates[*a].priority)
            .then(candidates[*a].rank.cmp(&candidates[*b].rank))
    };
    let mut order = Lines::with_capacity(candidates.len());
    for i in 0..candidates.len() {
        order.push(i);
    }
    order.sort_by(by_priority);
    match ctx.program.stacking().pick {
        Pick::Priority => {
            let chosen = if matches!(candidates[order[0]].stacking, Stacking::Exclusive) {
                Lines::from_slice(&order[..1])
            } else {
                combinable(candidates, &order, |_| Ok(0))?
            };
            apply(ctx, candidates, &chosen, out)?;
            Ok(chosen)
        }
        Pick::BestForCustomer => {
            // Within a group, the member worth most on its own.
            let mut trial = Application::empty();
            let mut alone = |i: usize| -> Result<i128, EvaluationError> {
                apply(ctx, candidates, &[i], &mut trial)?;
                Ok(trial.benefit)
            };
            let mut options: Vec<Lines<usize>> = Vec::new();
            let stackable = combinable(candidates, &order, &mut alone)?;
            if !stackable.is_empty() {
                options.push(stackable);
            }
            for (i, candidate) in candidates.iter().enumerate() {
                if matches!(candidate.stacking, Stacking::Exclusive) {
                    options.push(Lines::from_slice(&[i]));
                }
            }
            // Ties go to the option whose first rule by priority comes
            // first (higher priority, then written earlier).
            let lead = |option: &[usize]| option.iter().copied().min_by(by_priority);
            // The best so far is in `out`, the one being tried in `trial`.
            let mut best: Option<Lines<usize>> = None;
            // Exclusive candidates over their budget alone.
            let mut refused: Vec<(usize, i128)> = Vec::new();
            for option in options {
                apply(ctx, candidates, &option, &mut trial)?;
                if let [only] = option[..]
                    && matches!(candidates[only].stacking, Stacking::Exclusive)
                {
                    refused.extend_from_slice(&trial.over_budget);
                }
                let better = match &best {
                    None => true,
                    Some(current) => match trial.benefit.cmp(&out.benefit) {
                        std::cmp::Ordering::Greater => true,
                        std::cmp::Ordering::Less => false,
                        std::cmp::Ordering::Equal => match (lead(&option), lead(current)) {
                            (Some(a), Some(c)) => by_priority(&a, &c).is_lt(),
                            _ => false,
                        },
                    },
                };
                if better {
                    std::mem::swap(out, &mut trial);
                    best = Some(option);
                }
            }
            let chosen = match best {
                Some(found) => found,
                None => {
                    apply(ctx, candidates, &[], out)?;
                    Lines::with_capacity(0)
                }
            };
            for (index, amount) in refused {
                if !out.over_budget.iter().any(|&(i, _)| i == index) {
                    out.over_budget.push((index, amount));
                }
            }
            Ok(chosen)
        }
    }
}

/// Every non-exclusive candidate, keeping one per group: the one worth
/// most by `worth` (ties to the higher priority, then the earlier rule).
fn combinable(
    candidates: &[Candidate<'_>],
    by_priority: &[usize],
    mut worth: impl FnMut(usize) -> Result<i128, EvaluationError>,
) -> Result<Lines<usize>, EvaluationError> {
    let mut chosen: Lines<usize> = Lines::with_capacity(by_priority.len());
    // Per group: the member kept so far, and its worth once a second member
    // makes it worth knowing (a group of one needs no comparison).
    let mut groups: Vec<(&str, usize, Option<i128>)> = Vec::new();
    for &i in by_priority {
        match candidates[i].stacking {
            Stacking::Exclusive => {}
            Stacking::Stackable => chosen.push(i),
            Stacking::Group(name) => {
                match groups.iter_mut().find(|(g, _, _)| *g == name.as_str()) {
                    Some(entry) => {
                        let kept = match entry.2 {
                            Some(kept) => kept,
                            None => worth(entry.1)?,
                        };
                        let value = worth(i)?;
                        if value > kept {
                            entry.1 = i;
                            entry.2 = Some(value);
                        } else {
                            entry.2 = Some(kept);
                        }
                    }
                    None => groups.push((name.as_str(), i, None)),
                }
            }
        }
    }
    for &(_, i, _) in &groups {
        chosen.push(i);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn levels_apply_line_rewards_first_and_benefits_last() {
        let percent = Reward::percent_off(Decimal::TEN);
        assert_eq!(Level::of(&Reward::CheapestFree), Level::Line);
        assert_eq!(Level::of(&percent), Level::Order);
        assert_eq!(Level::of(&Reward::FreeShipping), Level::Shipping);
        assert_eq!(
            Level::of(&Reward::BonusPoints {
                points: Decimal::TEN
            }),
            Level::Benefit
        );
        assert!(Level::Line < Level::Order);
        assert!(Level::Order < Level::Shipping);
        assert!(Level::Shipping < Level::Benefit);
    }
}

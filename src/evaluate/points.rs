//! Stage 7, points: the order's multiplier (tier, campaigns, coupons),
//! each line's own multipliers (in order, a `stop` ending the ones after
//! it), the earning rules in order (condition, minimum, base, rate,
//! rounding, cap, `stop`), attributed per line (and to shipping, for the
//! rules that include it) so that a partial return can reverse exactly
//! what a line earned; then the bonuses for the order as a whole (the
//! program's, the coupons', the customer's tier's), and when the points
//! become available and expire.

use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Context, EvaluationError, Trace, condition_holds, in_minor_units, overflow};
use crate::evaluation::{
    BonusMiss, BonusPoints, LineMultiplierApplied, LinePoints, MinimumOf, PointsOutcome, Reason,
    RuleKind, RulePoints, RuleRef, Stage, TraceEntry,
};
use crate::money::PerCurrency;
use crate::money::{Money, allocate_units_rounded, split_in_place_rounded};
use crate::program::Program;
use crate::rules::RuleId;
use crate::rules::earn::{BonusTrigger, Combine, EarnBase, EarnRuleDefinition, NetOf};
use crate::rules::promotion::{Promotion, Reward};
use crate::util::Lines;

/// Combines one more factor into `acc` (`None`: no factor yet, 1×). The
/// result is clamped at zero only where it is used, so that the order of
/// the factors does not matter.
fn combine_step(combine: Combine, acc: Option<Decimal>, factor: Decimal) -> Option<Decimal> {
    let so_far = acc.unwrap_or(Decimal::ONE);
    Some(match combine {
        Combine::Multiply => so_far.checked_mul(factor)?,
        Combine::AddExtras => so_far.checked_add(factor.checked_sub(Decimal::ONE)?)?,
        // The largest of the factors present, even when all are below 1.
        Combine::Largest => acc.map_or(factor, |a| a.max(factor)),
    })
}

/// The factor a combination gives: 1× without factors, never below zero.
fn factor_of(acc: Option<Decimal>) -> Decimal {
    acc.unwrap_or(Decimal::ONE).max(Decimal::ZERO)
}

fn add(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, EvaluationError> {
    a.checked_add(b).ok_or_else(|| overflow(what))
}

fn not_applied(rule: RuleRef, reason: impl FnOnce() -> Reason, trace: &mut Trace) {
    trace.push(|| TraceEntry::new(rule, false, Stage::Points, reason()));
}

/// Whether an earning rule of `program` deducts only targeted discounts,
/// so that the discounts stage keeps each line's share of the discounts on
/// the whole order.
pub(super) fn needs_spread(program: &Program) -> bool {
    program
        .earning()
        .iter()
        .any(|r| r.definition.net_of == NetOf::TargetedDiscounts)
}

/// The points stage: earning rules with multipliers, then bonuses. `nets`
/// are the lines' nets, `spread` their shares of the discounts on the whole
/// order (empty unless [`needs_spread`]), `shipping_paid` the shipping
/// after its discounts, in minor units.
pub(super) fn earn(
    ctx: &Context<'_>,
    nets: &[i128],
    spread: &[i128],
    shipping_paid: i128,
    coupons: &[(&Promotion, Option<usize>)],
    trace: &mut Trace,
) -> Result<PointsOutcome, EvaluationError> {
    let program = ctx.program;
    let mut outcome = PointsOutcome::default();
    let tier_bonus = ctx.benefits().and_then(|b| Some((b, b.bonus_points?)));
    if program.earning().is_empty()
        && program.bonuses().is_empty()
        && coupons.is_empty()
        && tier_bonus.is_none()
    {
        return Ok(outcome);
    }
    let multipliers = program.multipliers();
    let combine = multipliers.combine;
    let facts = &ctx.facts;
    let customer = facts.customer();
    let at = facts.at();

    // The order's multiplier: tier, campaigns, coupons.
    let mut order_factor: Option<Decimal> = None;
    if let Some(tier) = customer.tier()
        && let Some(m) = multipliers.tiers.iter().find(|m| &m.tier == tier)
    {
        order_factor = Some(
            combine_step(combine, order_factor, m.factor)
                .ok_or_else(|| overflow("a multiplier"))?,
        );
    }
    let mut campaigns_stopped: Option<&RuleId> = None;
    for (campaign, id) in multipliers.campaigns.iter().zip(program.campaign_ids()) {
        if let Some(by) = campaigns_stopped {
            not_applied(
                RuleRef::new(RuleKind::Campaign, id.clone()),
                || Reason::CampaignStoppedBy {
                    campaign: by.clone(),
                },
                trace,
            );
            continue;
        }
        let verdict = campaign.when.judge(facts, trace.enabled)?;
        if verdict.met {
            order_factor = Some(
                combine_step(combine, order_factor, campaign.factor)
                    .ok_or_else(|| overflow("a multiplier"))?,
            );
            if campaign.stop {
                campaigns_stopped = Some(id);
            }
        }
        trace.push(|| {
            TraceEntry::new(
                RuleRef::new(RuleKind::Campaign, id.clone()),
                verdict.met,
                Stage::Points,
                Reason::Campaign {
                    factor: campaign.factor,
                },
            )
            .observed(verdict.because)
        });
    }
    for (coupon, _) in coupons {
        if let Reward::PointsMultiplier { factor } = coupon.definition.reward {
            order_factor = Some(
                combine_step(combine, order_factor, factor)
                    .ok_or_else(|| overflow("a multiplier"))?,
            );
        }
    }

    let lines = ctx.lines();
    let n = lines.len();
    if ctx.detail {
        outcome.rules.reserve_exact(program.earning().len());
    }
    // Shipping weighs in after the lines, when a rule includes it.
    let shipping_slot = usize::from(
        program
            .earning()
            .iter()
            .any(|r| r.definition.include_shipping),
    );
    let mut shipping_points = Decimal::ZERO;
    // The points of each line, or (without detail) of all lines together.
    let mut line_points: Lines<Decimal> =
        Lines::filled(if ctx.detail { n } else { 0 }, Decimal::ZERO);
    let mut lines_total = Decimal::ZERO;
    if !program.earning().is_empty() {
        // Each line's multiplier: the order's, with the line's own (kept
        // per line only when the program has line multipliers), and the
        // largest scale among them, for weighing in whole units.
        let order_value = factor_of(order_factor);
        let mut line_factor: Lines<Decimal> = Lines::with_capacity(0);
        if !multipliers.lines.is_empty() {
            // The lines each multiplier applied to (detail only).
            let mut applied: Vec<Vec<crate::order::LineId>> = if ctx.detail {
                vec![Vec::new(); multipliers.lines.len()]
            } else {
                Vec::new()
            };
            for line in lines {
                let mut factor = order_factor;
                for (j, m) in multipliers.lines.iter().enumerate() {
                    if !m.lines.selects(line) {
                        continue;
                    }
                    factor = Some(
                        combine_step(combine, factor, m.factor)
                            .ok_or_else(|| overflow("a multiplier"))?,
                    );
                    if let Some(ids) = applied.get_mut(j) {
                        ids.push(line.id().clone());
                    }
                    if m.stop {
                        break;
                    }
                }
                line_factor.push(factor_of(factor));
            }
            outcome.line_multipliers = multipliers
                .lines
                .iter()
                .zip(applied)
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(m, ids)| LineMultiplierApplied {
                    id: m.id.clone(),
                    factor: m.factor,
                    lines: ids,
                })
                .collect();
        }
        let factor_scale = line_factor
            .iter()
            .map(Decimal::scale)
            .max()
            .unwrap_or(0)
            .max(order_value.scale());
        // Each line's weight and share, for the lines' points, and
        // shipping's after them when a rule includes it (detail only).
        let kept = if ctx.detail { n + shipping_slot } else { 0 };
        // The weights in whole units (the usual case), or in decimals when
        // a product does not fit; then each line's share.
        let mut units: Lines<i128> = Lines::filled(kept, 0);
        let mut weights: Vec<Decimal> = Vec::new();
        let mut integer_weights = true;
        let mut stopped: Option<&RuleId> = None;
        for rule in program.earning() {
            let def = &rule.definition;
            let rule_ref = RuleRef::new(RuleKind::Earn, rule.rule_id().clone());
            if let Some(by) = stopped {
                not_applied(rule_ref, || Reason::StoppedBy { rule: by.clone() }, trace);
                continue;
            }
            if !condition_holds(
                def.condition.as_ref(),
                facts,
                &rule_ref,
                Stage::Points,
                trace,
            )? {
                continue;
            }
            if let Some(min) = def.min_order.as_ref().map(PerCurrency::value)
                && facts.subtotal() < min
            {
                not_applied(
                    rule_ref,
                    || Reason::BelowMinimum {
                        of: MinimumOf::Subtotal,
                        amount: Money::new(facts.subtotal(), ctx.currency),
                        minimum: Money::new(min, ctx.currency),
                    },
                    trace,
                );
                continue;
            }
            let multiplied = def.multipliers;
            let (raw, base, shown_factor) = if def.base == EarnBase::PerOrder {
                let factor = if multiplied {
                    factor_of(order_factor)
                } else {
                    Decimal::ONE
                };
                let raw = def
                    .points
                    .checked_mul(factor)
                    .ok_or_else(|| overflow("points"))?;
                (raw, Decimal::ONE, factor)
            } else {
                // Each line's weight is its base times its multiplier;
                // the rate applies once to their sum (multiplying before
                // dividing keeps "1 point per 3.00" exact). In whole units
                // when every product fits; in decimals otherwise.
                let factor_at = |i: usize| {
                    if multiplied {
                        line_factor.get(i).copied().unwrap_or(order_value)
                    } else {
                        Decimal::ONE
                    }
                };
                let scale = if multiplied { factor_scale } else { 0 };
                let shipping_factor = if multiplied {
                    order_value
                } else {
                    Decimal::ONE
                };
                let shipping = shipping_base(ctx, def, shipping_paid);
                let (weighted, base) = match weigh_in_units(
                    ctx,
                    def,
                    nets,
                    spread,
                    &factor_at,
                    (shipping, shipping_factor),
                    scale,
                    &mut units,
                ) {
                    Some(sums) => {
                        integer_weights = true;
                        sums
                    }
                    None => {
                        integer_weights = false;
                        weights.resize(kept, Decimal::ZERO);
                        let mut weighted = Decimal::ZERO;
                        let mut base = Decimal::ZERO;
                        weights.iter_mut().for_each(|w| *w = Decimal::ZERO);
                        let parts = lines
                            .iter()
                            .enumerate()
                            .filter(|(_, line)| def.lines.selects(line))
                            .map(|(i, line)| {
                                let b =
                                    line_base(def, line, (nets[i], ctx.gross[i]), spread.get(i));
                                (i, b, factor_at(i))
                            })
                            .chain((shipping != 0).then_some((n, shipping, shipping_factor)));
                        for (i, b, factor) in parts {
                            let b = if def.base.is_amount() {
                                ctx.decimal(b)?
                            } else {
                                Decimal::try_from_i128_with_scale(b, 0)
                                    .map_err(|_| overflow("a points base"))?
                            };
                            let w = if factor == Decimal::ONE {
                                b
                            } else {
                                b.checked_mul(factor).ok_or_else(|| overflow("points"))?
                            };
                            if let Some(weight) = weights.get_mut(i) {
                                *weight = w;
                            }
                            weighted = add(weighted, w, "points")?;
                            base = add(base, b, "a points base")?;
                        }
                        (weighted, base)
                    }
                };
                let raw = rule
                    .raw_points(weighted)
                    .ok_or_else(|| overflow("points"))?;
                (
                    raw,
                    base,
                    if multiplied {
                        factor_of(order_factor)
                    } else {
                        Decimal::ONE
                    },
                )
            };
            let (points, capped) = rule.finish(raw);
            if points.is_zero() {
                not_applied(rule_ref, || Reason::NoPoints { base }, trace);
                continue;
            }
            if def.base == EarnBase::PerOrder {
                outcome.order_level = add(outcome.order_level, points, "points")?;
            } else if !ctx.detail {
                // Only the total: the lines' share of it is not written.
                lines_total = add(lines_total, points, "points")?;
            } else {
                let scale = Decimal::from(10_i64.pow(def.rounding.decimals()));
                let total_units = points
                    .checked_mul(scale)
                    .and_then(|u| u.trunc().to_i128())
                    .ok_or_else(|| overflow("points"))?;
                if integer_weights {
                    // `units` holds the weights: split in place.
                    split_in_place_rounded(
                        total_units,
                        &mut units,
                        program.remainder(),
                        program.share_rounding(),
                    )?;
                } else {
                    allocate_units_rounded(
                        total_units,
                        &weights,
                        program.remainder(),
                        program.share_rounding(),
                        &mut units,
                    )?;
                }
                for (line, &u) in line_points.iter_mut().zip(&units) {
                    if u != 0 {
                        let part = Decimal::try_from_i128_with_scale(u, def.rounding.decimals())
                            .map_err(|_| overflow("points"))?;
                        *line = add(*line, part, "points")?;
                    }
                }
                if let Some(&u) = units.get(n).filter(|&&u| u != 0) {
                    let part = Decimal::try_from_i128_with_scale(u, def.rounding.decimals())
                        .map_err(|_| overflow("points"))?;
                    shipping_points = add(shipping_points, part, "points")?;
                }
            }
            trace.push(|| {
                TraceEntry::new(
                    rule_ref.clone(),
                    true,
                    Stage::Points,
                    Reason::Points {
                        points,
                        base: def.base,
                        counted: match def.base {
                            EarnBase::Net | EarnBase::Gross => in_minor_units(base, ctx.currency),
                            EarnBase::PerUnit | EarnBase::PerLine | EarnBase::PerOrder => {
                                base.normalize()
                            }
                        },
                        factor: shown_factor,
                        capped,
                    },
                )
            });
            if ctx.detail {
                outcome.rules.push(RulePoints {
                    rule: rule_ref,
                    name: def.name.clone(),
                    base,
                    multiplier: shown_factor,
                    points,
                    capped,
                });
            }
            if def.stop {
                stopped = Some(rule.rule_id());
            }
        }
    }

    // Bonuses: program bonuses, then coupons that give points, then the
    // customer's tier.
    let local_month = facts.local().month();
    for (bonus, id) in program.bonuses().iter().zip(program.bonus_ids()) {
        let rule = RuleRef::new(RuleKind::Bonus, id.clone());
        let order_number = facts.order_number();
        let triggered = match &bonus.when {
            BonusTrigger::FirstOrder => order_number == Some(1),
            BonusTrigger::OrderNumber(n) => order_number == Some(*n),
            BonusTrigger::BirthdayMonth => customer
                .birthday()
                .is_some_and(|b| b.month() == local_month),
            BonusTrigger::OrderOver(amount) => facts.subtotal() >= amount.value(),
        };
        if !triggered {
            not_applied(
                rule,
                || Reason::BonusNotTriggered {
                    miss: match (&bonus.when, order_number) {
                        (BonusTrigger::FirstOrder | BonusTrigger::OrderNumber(_), None) => {
                            BonusMiss::OrderNumberUnknown
                        }
                        (BonusTrigger::FirstOrder, Some(order_number)) => {
                            BonusMiss::NotFirstOrder { order_number }
                        }
                        (BonusTrigger::OrderNumber(n), Some(order_number)) => {
                            BonusMiss::NotOrderNumber {
                                order_number,
                                wanted: *n,
                            }
                        }
                        (BonusTrigger::BirthdayMonth, _) => match customer.birthday() {
                            None => BonusMiss::NoBirthday,
                            Some(b) => BonusMiss::OtherBirthdayMonth {
                                birthday_month: b.month(),
                                month: local_month,
                            },
                        },
                        (BonusTrigger::OrderOver(amount), _) => BonusMiss::BelowAmount {
                            subtotal: Money::new(facts.subtotal(), ctx.currency),
                            amount: Money::new(amount.value(), ctx.currency),
                        },
                    },
                },
                trace,
            );
            continue;
        }
        if !condition_holds(bonus.condition.as_ref(), facts, &rule, Stage::Points, trace)? {
            continue;
        }
        outcome.order_level = add(outcome.order_level, bonus.points, "points")?;
        trace.push(|| {
            TraceEntry::new(
                rule.clone(),
                true,
                Stage::Points,
                Reason::BonusPoints {
                    points: bonus.points,
                },
            )
        });
        if ctx.detail {
            outcome.bonuses.push(BonusPoints {
                rule,
                points: bonus.points,
            });
        }
    }
    for (coupon, _) in coupons {
        if let Reward::BonusPoints { points } = coupon.definition.reward {
            outcome.order_level = add(outcome.order_level, points, "points")?;
            outcome.bonuses.push(BonusPoints {
                rule: super::promotions::rule(coupon),
                points,
            });
        }
    }
    if let Some((benefits, points)) = tier_bonus {
        outcome.order_level = add(outcome.order_level, points, "points")?;
        let rule = || RuleRef::new(RuleKind::Tier, benefits.rule_id.clone());
        trace.push(|| TraceEntry::new(rule(), true, Stage::Points, Reason::BonusPoints { points }));
        if ctx.detail {
            outcome.bonuses.push(BonusPoints {
                rule: rule(),
                points,
            });
        }
    }

    let mut total = add(outcome.order_level, lines_total, "points")?;
    if !shipping_points.is_zero() {
        total = add(total, shipping_points, "points")?;
        outcome.shipping = shipping_points;
    }
    outcome
        .lines
        .reserve_exact(line_points.iter().filter(|p| !p.is_zero()).count());
    for (line, &points) in lines.iter().zip(&line_points) {
        if !points.is_zero() {
            total = add(total, points, "points")?;
            outcome.lines.push(LinePoints {
                line: line.id().clone(),
                points,
            });
        }
    }
    outcome.total = total;
    if !total.is_zero() {
        let (available, expires) = program
            .ledger()
            .points_dates(at, program.calendar().zone())?;
        outcome.available_at = Some(available);
        outcome.expires_at = expires;
    }
    Ok(outcome)
}

/// A rule's weighted base in whole units: each selected line's base (minor
/// units of its amount, or its units or 1 for a line) times its
/// multiplier's mantissa, and the shipping's (`shipping`: its base and the
/// order's factor) after them, brought to `scale` (no less than any
/// multiplier's), written into `weights` (when kept: the lines', then
/// shipping's) with their sum and the bases' sum as decimals. `None` when a
/// product or sum does not fit, for the decimal path to weigh instead.
#[allow(clippy::too_many_arguments)]
fn weigh_in_units(
    ctx: &Context<'_>,
    def: &EarnRuleDefinition,
    nets: &[i128],
    spread: &[i128],
    factor_at: &impl Fn(usize) -> Decimal,
    shipping: (i128, Decimal),
    scale: u32,
    weights: &mut [i128],
) -> Option<(Decimal, Decimal)> {
    let lines = ctx.lines();
    let decimals = if def.base.is_amount() {
        ctx.currency.minor_units()
    } else {
        0
    };
    let mut weighted: i128 = 0;
    let mut base: i128 = 0;
    weights.iter_mut().for_each(|w| *w = 0);
    let mantissa = |factor: Decimal| {
        factor
            .mantissa()
            .checked_mul(10i128.checked_pow(scale.checked_sub(factor.scale())?)?)
    };
    for (i, line) in lines.iter().enumerate() {
        if !def.lines.selects(line) {
            continue;
        }
        let b = line_base(def, line, (nets[i], ctx.gross[i]), spread.get(i));
        let w = b.checked_mul(mantissa(factor_at(i))?)?;
        if let Some(weight) = weights.get_mut(i) {
            *weight = w;
        }
        weighted = weighted.checked_add(w)?;
        base = base.checked_add(b)?;
    }
    let (shipping, shipping_factor) = shipping;
    if shipping != 0 {
        let w = shipping.checked_mul(mantissa(shipping_factor)?)?;
        if let Some(weight) = weights.get_mut(lines.len()) {
            *weight = w;
        }
        weighted = weighted.checked_add(w)?;
        base = base.checked_add(shipping)?;
    }
    let weighted =
        Decimal::try_from_i128_with_scale(weighted, decimals.checked_add(scale)?).ok()?;
    let base = Decimal::try_from_i128_with_scale(base, decimals).ok()?;
    Some((weighted, base))
}

/// A selected line's base for a rule (not per order): minor units of its
/// net (its share of the discounts on the whole order, `spread`, counted
/// back for a rule that deducts only targeted discounts) or gross, its
/// units, or 1 for the line itself; from the line's net and gross in minor
/// units.
fn line_base(
    def: &EarnRuleDefinition,
    line: &crate::order::Line,
    (net, gross): (i128, i128),
    spread: Option<&i128>,
) -> i128 {
    match def.base {
        EarnBase::Net => match (def.net_of, spread) {
            (NetOf::TargetedDiscounts, Some(&share)) => net.saturating_add(share).max(0),
            _ => net.max(0),
        },
        EarnBase::Gross => gross,
        EarnBase::PerUnit => i128::from(counted_units(def, line, net)),
        EarnBase::PerLine => i128::from(counted_units(def, line, net).min(1)),
        EarnBase::PerOrder => 0,
    }
}

/// The shipping a rule counts, in minor units: none unless it includes
/// shipping; the shipping paid (after its discounts) for a net base, the
/// shipping charged for a gross one.
fn shipping_base(ctx: &Context<'_>, def: &EarnRuleDefinition, shipping_paid: i128) -> i128 {
    if !def.include_shipping {
        return 0;
    }
    match def.base {
        EarnBase::Net => shipping_paid.max(0),
        EarnBase::Gross => ctx.shipping.max(0),
        EarnBase::PerUnit | EarnBase::PerLine | EarnBase::PerOrder => 0,
    }
}

/// The units a `per_unit` rule counts on a line: all of them, but none on a
/// line with nothing to pay unless the rule says so. A `per_line` rule
/// counts the line when this is not zero.
fn counted_units(def: &EarnRuleDefinition, line: &crate::order::Line, net: i128) -> u32 {
    if net <= 0 && !def.earn_on_free_lines {
        0
    } else {
        line.quantity()
    }
}

//! The points and cashback stages, after the discounts.

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Context, EvaluationError, Trace, condition_holds, overflow};
use crate::condition::Facts;
use crate::evaluation::{
    BonusPoints, CashbackOutcome, LineCashback, LinePoints, PointsOutcome, RuleCashback, RuleKind,
    RulePoints, RuleRef, TraceEntry,
};
use crate::money::{Money, allocate_minor_units, allocate_units};
use crate::rules::coupon::{Coupon, CouponReward};
use crate::rules::earn::{BonusTrigger, Combine, EarnBase};

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

fn not_applied(rule: RuleRef, message: impl FnOnce() -> String, trace: &mut Trace) {
    trace.push(|| TraceEntry {
        rule,
        applied: false,
        message: message(),
        observation: None,
    });
}

impl<'a> Context<'a> {
    /// The points stage: earning rules with multipliers, then bonuses.
    pub(super) fn points(
        &self,
        facts: &Facts<'_>,
        nets: &[Decimal],
        coupons: &[&'a Coupon],
        at: DateTime<Utc>,
        trace: &mut Trace,
    ) -> Result<PointsOutcome, EvaluationError> {
        let program = self.program;
        let mut outcome = PointsOutcome::default();
        if program.earning().is_empty() && program.bonuses().is_empty() && coupons.is_empty() {
            return Ok(outcome);
        }
        let multipliers = program.multipliers();
        let combine = multipliers.combine;
        let customer = facts.customer();

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
        for (campaign, id) in multipliers.campaigns.iter().zip(program.campaign_ids()) {
            let verdict = campaign.when.evaluate(facts)?;
            if verdict.met {
                order_factor = Some(
                    combine_step(combine, order_factor, campaign.factor)
                        .ok_or_else(|| overflow("a multiplier"))?,
                );
            }
            trace.push(|| {
                let because = verdict
                    .because
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                TraceEntry {
                    rule: RuleRef {
                        kind: RuleKind::Campaign,
                        id: id.clone(),
                    },
                    applied: verdict.met,
                    message: if verdict.met {
                        format!(
                            "applied: {}× points: {because}",
                            campaign.factor.normalize()
                        )
                    } else {
                        format!("not applied: {because}")
                    },
                    observation: verdict.because,
                }
            });
        }
        for coupon in coupons {
            if let CouponReward::PointsMultiplier { factor } = coupon.definition.reward {
                order_factor = Some(
                    combine_step(combine, order_factor, factor)
                        .ok_or_else(|| overflow("a multiplier"))?,
                );
            }
        }

        let lines = self.lines();
        let n = lines.len();
        let mut line_points = vec![Decimal::ZERO; n];
        if !program.earning().is_empty() {
            // Each line's multiplier: the order's, with the line's own.
            let mut line_factor = vec![order_factor; n];
            for (factor, line) in line_factor.iter_mut().zip(lines) {
                for m in multipliers.lines.iter().filter(|m| m.lines.selects(line)) {
                    *factor = Some(
                        combine_step(combine, *factor, m.factor)
                            .ok_or_else(|| overflow("a multiplier"))?,
                    );
                }
            }
            let mut weights = vec![Decimal::ZERO; n];
            let mut units = vec![0i128; n];
            let mut stopped: Option<&str> = None;
            for rule in program.earning() {
                let def = &rule.definition;
                let rule_ref = RuleRef {
                    kind: RuleKind::Earn,
                    id: rule.rule_id().clone(),
                };
                if let Some(by) = stopped {
                    not_applied(
                        rule_ref,
                        || format!("not applied: earning rule {by} stops the rules after it"),
                        trace,
                    );
                    continue;
                }
                if !condition_holds(def.condition.as_ref(), facts, &rule_ref, trace)? {
                    continue;
                }
                if let Some(min) = def.min_order
                    && facts.subtotal() < min
                {
                    not_applied(
                        rule_ref,
                        || {
                            format!(
                                "not applied: subtotal {} is below the minimum {}",
                                Money::new(facts.subtotal(), self.currency),
                                Money::new(min, self.currency)
                            )
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
                    // dividing keeps "1 point per 3.00" exact).
                    let mut weighted = Decimal::ZERO;
                    let mut base = Decimal::ZERO;
                    for (i, line) in lines.iter().enumerate() {
                        weights[i] = Decimal::ZERO;
                        if !def.lines.selects(line) {
                            continue;
                        }
                        let b = match def.base {
                            EarnBase::Net => nets[i].max(Decimal::ZERO),
                            EarnBase::Gross => self.gross[i],
                            EarnBase::PerUnit => Decimal::from(line.quantity()),
                            EarnBase::PerOrder => Decimal::ZERO,
                        };
                        let factor = if multiplied {
                            factor_of(line_factor[i])
                        } else {
                            Decimal::ONE
                        };
                        let w = if factor == Decimal::ONE {
                            b
                        } else {
                            b.checked_mul(factor).ok_or_else(|| overflow("points"))?
                        };
                        weights[i] = w;
                        weighted = add(weighted, w, "points")?;
                        base = add(base, b, "a points base")?;
                    }
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
                    not_applied(
                        rule_ref,
                        || {
                            format!(
                                "not applied: earns 0 points on a base of {}",
                                base.normalize()
                            )
                        },
                        trace,
                    );
                    continue;
                }
                if def.base == EarnBase::PerOrder {
                    outcome.order_level = add(outcome.order_level, points, "points")?;
                } else {
                    let scale = Decimal::from(10_i64.pow(def.rounding.decimals()));
                    let total_units = points
                        .checked_mul(scale)
                        .and_then(|u| u.trunc().to_i128())
                        .ok_or_else(|| overflow("points"))?;
                    allocate_units(total_units, &weights, program.remainder(), &mut units)?;
                    for (line, &u) in line_points.iter_mut().zip(&units) {
                        if u != 0 {
                            let part =
                                Decimal::try_from_i128_with_scale(u, def.rounding.decimals())
                                    .map_err(|_| overflow("points"))?;
                            *line = add(*line, part, "points")?;
                        }
                    }
                }
                trace.push(|| TraceEntry {
                    rule: rule_ref.clone(),
                    applied: true,
                    message: format!(
                        "applied: {} points on {} {}{}{}",
                        points.normalize(),
                        match def.base {
                            EarnBase::Net => "net",
                            EarnBase::Gross => "gross",
                            EarnBase::PerUnit => "units",
                            EarnBase::PerOrder => "order",
                        },
                        match def.base {
                            EarnBase::Net | EarnBase::Gross =>
                                super::in_minor_units(base, self.currency),
                            EarnBase::PerUnit | EarnBase::PerOrder => base.normalize(),
                        },
                        if shown_factor == Decimal::ONE {
                            String::new()
                        } else {
                            format!(" × {}", shown_factor.normalize())
                        },
                        if capped { " (capped)" } else { "" }
                    ),
                    observation: None,
                });
                outcome.rules.push(RulePoints {
                    rule: rule_ref,
                    base,
                    multiplier: shown_factor,
                    points,
                    capped,
                });
                if def.stop {
                    stopped = Some(rule.id());
                }
            }
        }

        // Bonuses: program bonuses, then coupons that give points.
        let local_month = facts.local().month();
        for (bonus, id) in program.bonuses().iter().zip(program.bonus_ids()) {
            let rule = RuleRef {
                kind: RuleKind::Bonus,
                id: id.clone(),
            };
            let order_number = facts.order_number();
            let triggered = match &bonus.when {
                BonusTrigger::FirstOrder => order_number == 1,
                BonusTrigger::OrderNumber(n) => order_number == *n,
                BonusTrigger::BirthdayMonth => customer
                    .birthday()
                    .is_some_and(|b| b.month() == local_month),
                BonusTrigger::OrderOver(amount) => facts.subtotal() >= *amount,
            };
            if !triggered {
                not_applied(
                    rule,
                    || {
                        let reason = match &bonus.when {
                            BonusTrigger::FirstOrder => {
                                format!("this is order {order_number}, not the first")
                            }
                            BonusTrigger::OrderNumber(n) => {
                                format!("this is order {order_number}, not order {n}")
                            }
                            BonusTrigger::BirthdayMonth => match customer.birthday() {
                                None => "no birthday on file".to_owned(),
                                Some(b) => format!(
                                    "the birthday is in month {}, not {local_month}",
                                    b.month()
                                ),
                            },
                            BonusTrigger::OrderOver(amount) => format!(
                                "subtotal {} is below {}",
                                Money::new(facts.subtotal(), self.currency),
                                Money::new(*amount, self.currency)
                            ),
                        };
                        format!("not applied: {reason}")
                    },
                    trace,
                );
                continue;
            }
            if !condition_holds(bonus.condition.as_ref(), facts, &rule, trace)? {
                continue;
            }
            outcome.order_level = add(outcome.order_level, bonus.points, "points")?;
            trace.push(|| TraceEntry {
                rule: rule.clone(),
                applied: true,
                message: format!("applied: {} bonus points", bonus.points.normalize()),
                observation: None,
            });
            outcome.bonuses.push(BonusPoints {
                rule,
                points: bonus.points,
            });
        }
        for coupon in coupons {
            if let CouponReward::BonusPoints { points } = coupon.definition.reward {
                outcome.order_level = add(outcome.order_level, points, "points")?;
                outcome.bonuses.push(BonusPoints {
                    rule: RuleRef {
                        kind: RuleKind::Coupon,
                        id: coupon.rule_id().clone(),
                    },
                    points,
                });
            }
        }

        let mut total = outcome.order_level;
        for (line, points) in lines.iter().zip(line_points) {
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

    /// The cashback stage, on the net paid.
    pub(super) fn cashback(
        &self,
        facts: &Facts<'_>,
        nets: &[Decimal],
        shipping_paid: Decimal,
        payable: Decimal,
        at: DateTime<Utc>,
        trace: &mut Trace,
    ) -> Result<CashbackOutcome, EvaluationError> {
        let program = self.program;
        let mut outcome = CashbackOutcome::default();
        if program.cashback().is_empty() {
            return Ok(outcome);
        }
        let currency = self.currency;
        let lines = self.lines();
        let n = lines.len();
        let mut per_line = vec![0i128; n];
        let mut shipping_units: i128 = 0;
        let mut weights = vec![Decimal::ZERO; n + 1];
        let mut parts = vec![0i128; n + 1];
        let mut left = payable;
        for rule in program.cashback() {
            let def = &rule.definition;
            let rule_ref = RuleRef {
                kind: RuleKind::Cashback,
                id: rule.rule_id().clone(),
            };
            if !condition_holds(def.condition.as_ref(), facts, &rule_ref, trace)? {
                continue;
            }
            let mut base = Decimal::ZERO;
            for (i, line) in lines.iter().enumerate() {
                weights[i] = if def.lines.selects(line) {
                    nets[i].max(Decimal::ZERO)
                } else {
                    Decimal::ZERO
                };
                base = add(base, weights[i], "a cashback base")?;
            }
            weights[n] = if def.include_shipping {
                shipping_paid.max(Decimal::ZERO)
            } else {
                Decimal::ZERO
            };
            base = add(base, weights[n], "a cashback base")?;
            if let Some(min) = def.min_spend
                && base < min
            {
                not_applied(
                    rule_ref,
                    || {
                        format!(
                            "not applied: net paid {} is below the minimum {}",
                            Money::new(base, currency).round(crate::money::RoundingMode::HalfUp),
                            Money::new(min, currency)
                        )
                    },
                    trace,
                );
                continue;
            }
            let (raw, percent) = rule
                .raw_for(base, facts.customer().tier())
                .ok_or_else(|| overflow("cashback"))?;
            let rounded = program
                .rounding()
                .round(raw, currency.minor_units())
                .max(Decimal::ZERO);
            let mut amount = def.cap.map_or(rounded, |cap| rounded.min(cap));
            amount = amount.min(left).max(Decimal::ZERO);
            let capped = amount < rounded;
            if amount.is_zero() {
                not_applied(
                    rule_ref,
                    || {
                        format!(
                            "not applied: no cashback on a net paid of {}",
                            Money::new(base, currency)
                        )
                    },
                    trace,
                );
                continue;
            }
            left -= amount;
            allocate_minor_units(
                Money::new(amount, currency),
                &weights,
                program.remainder(),
                &mut parts,
            )?;
            for (total, part) in per_line.iter_mut().zip(&parts) {
                *total += part;
            }
            shipping_units += parts[n];
            let amount = Money::new(amount, currency)
                .round(program.rounding())
                .amount();
            outcome.total = add(outcome.total, amount, "cashback")?;
            trace.push(|| TraceEntry {
                rule: rule_ref.clone(),
                applied: true,
                message: format!(
                    "applied: {} cashback, {}% of net paid {}{}",
                    Money::new(amount, currency),
                    percent.round_dp(4).normalize(),
                    Money::new(base, currency),
                    if capped { " (capped)" } else { "" }
                ),
                observation: None,
            });
            outcome.rules.push(RuleCashback {
                rule: rule_ref,
                base,
                percent,
                amount,
                capped,
            });
        }
        for (line, units) in lines.iter().zip(per_line) {
            if units != 0 {
                outcome.lines.push(LineCashback {
                    line: line.id().clone(),
                    amount: Money::from_minor_units(units, currency)?.amount(),
                });
            }
        }
        outcome.shipping = Money::from_minor_units(shipping_units, currency)?.amount();
        if !outcome.total.is_zero() {
            let (available, expires) = program
                .ledger()
                .cashback_dates(at, program.calendar().zone())?;
            outcome.available_at = Some(available);
            outcome.expires_at = expires;
        }
        Ok(outcome)
    }
}

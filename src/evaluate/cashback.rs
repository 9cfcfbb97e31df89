//! Stage 8, cashback: each rule's percent (or ladder, or the customer's
//! tier rate) on the net paid on its lines (and shipping, when it says so),
//! with its minimum and cap, never more in all than the payable amount;
//! rounded once, attributed per line, pending like points.

use rust_decimal::Decimal;

use super::{Context, EvaluationError, Trace, condition_holds, overflow};
use crate::evaluation::{
    CashbackOutcome, LineCashback, MinimumOf, Reason, RuleCashback, RuleKind, RuleRef, Stage,
    TraceEntry,
};
use crate::money::PerCurrency;
use crate::money::{Money, RoundingMode, split_units_rounded};
use crate::util::Lines;

fn add(a: i128, b: i128, what: &'static str) -> Result<i128, EvaluationError> {
    a.checked_add(b).ok_or_else(|| overflow(what))
}

fn not_applied(rule: RuleRef, reason: impl FnOnce() -> Reason, trace: &mut Trace) {
    trace.push(|| TraceEntry::new(rule, false, Stage::Cashback, reason()));
}

/// The cashback stage, on the net paid: `nets`, `shipping_paid` and
/// `payable` in minor units.
pub(super) fn earn(
    ctx: &Context<'_>,
    nets: &[i128],
    shipping_paid: i128,
    payable: i128,
    trace: &mut Trace,
) -> Result<CashbackOutcome, EvaluationError> {
    let program = ctx.program;
    let facts = &ctx.facts;
    let at = facts.at();
    let mut outcome = CashbackOutcome::default();
    if program.cashback().is_empty() {
        return Ok(outcome);
    }
    let currency = ctx.currency;
    let lines = ctx.lines();
    let n = lines.len();
    // Each line's weight and share, and shipping's last (detail only).
    let kept = if ctx.detail { n + 1 } else { 0 };
    let mut per_line: Lines<i128> = Lines::filled(kept, 0);
    let mut shipping_units: i128 = 0;
    let mut total: i128 = 0;
    let mut weights: Lines<i128> = Lines::filled(kept, 0);
    let mut parts: Lines<i128> = Lines::filled(kept, 0);
    let mut left = payable;
    if ctx.detail {
        outcome.rules.reserve_exact(program.cashback().len());
    }
    for rule in program.cashback() {
        let def = &rule.definition;
        let rule_ref = RuleRef::new(RuleKind::Cashback, rule.rule_id().clone());
        if !condition_holds(
            def.condition.as_ref(),
            facts,
            &rule_ref,
            Stage::Cashback,
            trace,
        )? {
            continue;
        }
        let mut base_units: i128 = 0;
        for (i, line) in lines.iter().enumerate() {
            let w = if def.lines.selects(line) {
                nets[i].max(0)
            } else {
                0
            };
            if let Some(weight) = weights.get_mut(i) {
                *weight = w;
            }
            base_units = add(base_units, w, "a cashback base")?;
        }
        let shipping_weight = if def.include_shipping {
            shipping_paid.max(0)
        } else {
            0
        };
        if let Some(weight) = weights.get_mut(n) {
            *weight = shipping_weight;
        }
        base_units = add(base_units, shipping_weight, "a cashback base")?;
        let base = ctx.decimal(base_units)?;
        if let Some(min) = def.min_spend.as_ref().map(PerCurrency::value)
            && base_units < ctx.units(min)?
        {
            not_applied(
                rule_ref,
                || Reason::BelowMinimum {
                    of: MinimumOf::NetPaid,
                    amount: Money::new(base, currency).round(RoundingMode::HalfUp),
                    minimum: Money::new(min, currency),
                },
                trace,
            );
            continue;
        }
        let (raw, percent) = rule
            .raw_for(base, facts.customer().tier())
            .ok_or_else(|| overflow("cashback"))?;
        let rounded = ctx.units(
            program
                .rounding()
                .round(raw, currency.minor_units())
                .max(Decimal::ZERO),
        )?;
        let mut amount = match def.cap.as_ref().map(PerCurrency::value) {
            Some(cap) => rounded.min(ctx.units(cap)?),
            None => rounded,
        };
        amount = amount.min(left).max(0);
        let capped = amount < rounded;
        if amount == 0 {
            not_applied(
                rule_ref,
                || Reason::NoCashback {
                    base: Money::new(base, currency),
                },
                trace,
            );
            continue;
        }
        left -= amount;
        if ctx.detail {
            split_units_rounded(
                amount,
                &weights,
                program.remainder(),
                program.share_rounding(),
                &mut parts,
            )?;
            for (total, part) in per_line.iter_mut().zip(&parts) {
                *total += part;
            }
            shipping_units += parts[n];
        }
        total = add(total, amount, "cashback")?;
        let amount = ctx.money(amount)?;
        trace.push(|| {
            TraceEntry::new(
                rule_ref.clone(),
                true,
                Stage::Cashback,
                Reason::Cashback {
                    amount,
                    percent,
                    base: Money::new(base, currency),
                    capped,
                },
            )
        });
        if ctx.detail {
            outcome.rules.push(RuleCashback {
                rule: rule_ref,
                base,
                percent,
                amount: amount.amount(),
                capped,
            });
        }
    }
    outcome.total = ctx.decimal(total)?;
    outcome
        .lines
        .reserve_exact(per_line.iter().take(n).filter(|&&u| u != 0).count());
    for (line, &units) in lines.iter().zip(&per_line) {
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

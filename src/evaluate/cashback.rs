//! Stage 7, cashback: each rule's percent (or ladder, or the customer's
//! tier rate) on the net paid on its lines (and shipping, when it says so),
//! with its minimum and cap, never more in all than the payable amount;
//! rounded once, attributed per line, pending like points.

use rust_decimal::Decimal;

use super::{Context, EvaluationError, Trace, condition_holds, overflow};
use crate::evaluation::{
    CashbackOutcome, LineCashback, MinimumOf, Reason, RuleCashback, RuleKind, RuleRef, Stage,
    TraceEntry,
};
use crate::money::{Money, RoundingMode, allocate_minor_units};

fn add(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, EvaluationError> {
    a.checked_add(b).ok_or_else(|| overflow(what))
}

fn not_applied(rule: RuleRef, reason: impl FnOnce() -> Reason, trace: &mut Trace) {
    trace.push(|| TraceEntry::new(rule, false, Stage::Cashback, reason()));
}

/// The cashback stage, on the net paid.
pub(super) fn earn(
    ctx: &Context<'_>,
    nets: &[Decimal],
    shipping_paid: Decimal,
    payable: Decimal,
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
    let mut per_line = vec![0i128; n];
    let mut shipping_units: i128 = 0;
    let mut weights = vec![Decimal::ZERO; n + 1];
    let mut parts = vec![0i128; n + 1];
    let mut left = payable;
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
                || Reason::NoCashback {
                    base: Money::new(base, currency),
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
        trace.push(|| {
            TraceEntry::new(
                rule_ref.clone(),
                true,
                Stage::Cashback,
                Reason::Cashback {
                    amount: Money::new(amount, currency),
                    percent,
                    base: Money::new(base, currency),
                    capped,
                },
            )
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

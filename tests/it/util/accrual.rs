//! Builders for the points and cashback tests: programs from JSON merged
//! into a small EUR base, and the checks every points and cashback outcome
//! must pass.

use loyalty::evaluation::Evaluation;
use loyalty::program::{Program, ProgramDefinition, ProgramError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// `{"id": "shop", "currency": "EUR", "time_zone": "UTC", "tiers": [bronze,
/// silver, gold]}` with the fields of `extra` merged in (an `extra` field
/// replaces the base's).
pub fn definition_json(extra: Value) -> Value {
    let mut base = json!({"id": "shop", "currency": "EUR", "time_zone": "UTC",
                          "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}]});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

/// The definition of [`definition_json`], deserialised.
pub fn definition(extra: Value) -> ProgramDefinition {
    serde_json::from_value(definition_json(extra)).expect("the program definition deserialises")
}

/// A program from [`definition`]; panics when it is not valid.
pub fn shop(extra: Value) -> Program {
    Program::new(definition(extra)).expect("the program is valid")
}

/// A program from [`definition`], or its error.
pub fn try_shop(extra: Value) -> Result<Program, ProgramError> {
    Program::new(definition(extra))
}

/// A program with these earning rules only.
pub fn earning(rules: Value) -> Program {
    shop(json!({ "earning": rules }))
}

/// The usual earning rule: 1 point per 1.00 of net, floored.
pub fn one_per_euro() -> Value {
    json!({"id": "base", "points": "1", "per": "1.00"})
}

/// The sum of `xs`.
pub fn total(xs: impl IntoIterator<Item = Decimal>) -> Decimal {
    xs.into_iter().fold(Decimal::ZERO, |a, b| a + b)
}

/// The points and cashback invariants of any evaluation: line parts sum to
/// the totals exactly, nothing negative, cashback never above payable.
pub fn check_accrual(e: &Evaluation) {
    let p = &e.points;
    assert!(p.total >= Decimal::ZERO, "points total ≥ 0");
    assert!(p.order_level >= Decimal::ZERO, "order-level points ≥ 0");
    for line in &p.lines {
        assert!(line.points > Decimal::ZERO, "listed line points > 0");
    }
    assert!(p.shipping >= Decimal::ZERO, "shipping points ≥ 0");
    assert_eq!(
        total(p.lines.iter().map(|l| l.points)) + p.shipping,
        p.total - p.order_level,
        "line points and shipping's sum to the total minus the order-level points"
    );
    assert_eq!(
        total(p.rules.iter().map(|r| r.points)) + total(p.bonuses.iter().map(|b| b.points)),
        p.total,
        "rules and bonuses sum to the total"
    );
    assert_eq!(p.available_at.is_some(), !p.total.is_zero());

    let c = &e.cashback;
    assert!(c.total >= Decimal::ZERO, "cashback ≥ 0");
    assert!(c.shipping >= Decimal::ZERO, "shipping part ≥ 0");
    for line in &c.lines {
        assert!(line.amount > Decimal::ZERO, "listed line cashback > 0");
    }
    assert_eq!(
        total(c.lines.iter().map(|l| l.amount)) + c.shipping,
        c.total,
        "line cashback and the shipping part sum to the total"
    );
    assert_eq!(total(c.rules.iter().map(|r| r.amount)), c.total);
    assert!(c.total <= e.totals.payable, "cashback ≤ payable");
    assert_eq!(c.available_at.is_some(), !c.total.is_zero());
}

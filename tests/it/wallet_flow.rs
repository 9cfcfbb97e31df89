//! The wallet end to end: a customer's ledger, a checkout paying with what
//! it holds, the order's effects stored as entries, returns worked out and
//! stored too. The property the peers get wrong: a full return puts every
//! balance back exactly where it was without the order.

use chrono::{DateTime, Duration, Utc};
use loyalty::evaluate::Checkout;
use loyalty::money::{Currency, Money};
use loyalty::order::Refund;
use loyalty::program::Program;
use loyalty::wallet::{Account, Amount, Entry, Ledger, ReturnOutcome};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::cases;
use crate::util::common::{self, Basket, d, eur_program, seeds_ladder};

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Points and cashback for an order, pending 30 days, points for 12
/// months; paying with points (100 = 1.00) or cashback.
fn program() -> Program {
    eur_program(json!({
        "ladders": [seeds_ladder()],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cb", "percent": "2"}],
        "bonuses": [{"id": "big-order", "when": {"order_over": "100.00"}, "points": "50"}],
        "ledger": {"return_window_days": 30, "points_expiry": {"after_months": 12}},
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}},
                       "cashback": {}},
    }))
}

/// What the customer held before the order: two older orders' lots.
fn before(points: (u32, u32), cashback: u32) -> Vec<Entry> {
    let customer: loyalty::customer::CustomerId = "C-1".parse().unwrap();
    let lot = |key: &str, amount: Amount, at: &str| {
        let at = instant(at);
        Entry::earned(
            key,
            customer.clone(),
            "OLD".parse().unwrap(),
            amount,
            at,
            at + Duration::days(30),
            Some(at + Duration::days(400)),
        )
        .unwrap()
    };
    let mut entries = vec![
        lot(
            "seeds/OLD-1/points",
            Amount::points(points.0),
            "2026-01-10T10:00:00Z",
        ),
        lot(
            "seeds/OLD-2/points",
            Amount::points(points.1),
            "2026-03-10T10:00:00Z",
        ),
    ];
    if cashback > 0 {
        entries.push(lot(
            "seeds/OLD-1/cashback",
            Amount::cashback(Money::from_minor_units(i128::from(cashback), Currency::EUR).unwrap()),
            "2026-01-10T10:00:00Z",
        ));
    }
    entries
}

/// The figures of an account a customer sees: not the lifetime ones.
fn held(account: &Account) -> (Decimal, Decimal, Decimal, Vec<(DateTime<Utc>, Decimal)>) {
    (
        account.available,
        account.pending,
        account.expired,
        account
            .next_expirations
            .iter()
            .map(|e| (e.at, e.amount))
            .collect(),
    )
}

#[test]
fn paying_with_points_then_returning_everything_gives_every_point_back() {
    let program = program();
    let prior = before((300, 700), 0);
    let at = instant("2026-06-01T10:00:00Z");
    let ledger = Ledger::builder()
        .terms(&program)
        .build(prior.clone())
        .unwrap();
    let available = ledger.balance_at(at).unwrap().points.available;
    assert_eq!(available, d("1000"));
    // 2 × 60.00 = 120.00, 5% off: 114.00; 600 points pay 6.00: 108.00.
    let checkout = Basket::eur()
        .line("MUG", 2, "60.00")
        .at("2026-06-01T10:00:00Z")
        .redeem(json!({"points": 600}), json!({"points": available}))
        .build();
    let evaluation = common::eval(&program, &checkout);
    assert_eq!(evaluation.totals.payable, d("108.00"));
    let mut entries = prior.clone();
    entries.extend(Entry::from_evaluation(&evaluation).unwrap());
    let after_order = Ledger::builder()
        .terms(&program)
        .build(entries.clone())
        .unwrap();
    let balance = after_order.balance_at(at).unwrap();
    // The soonest-expiring lot (300) went first, then 300 of the 700.
    assert_eq!(balance.points.available, d("400"));
    assert_eq!(
        balance.points.pending,
        d("158"),
        "108 and the 50-point bonus"
    );
    // Everything back, in one refund five days later.
    let refund = Refund::new("R-1", "A-1", instant("2026-06-06T10:00:00Z"))
        .unwrap()
        .line("1", 2)
        .unwrap();
    let back = program
        .evaluate_return(&checkout, &evaluation, &[], &refund)
        .unwrap();
    assert_eq!(back.money, d("108.00"));
    assert_eq!(back.points_restored, d("600"));
    assert_eq!(back.points_reversed, d("158"));
    entries.extend(Entry::from_return(&back).unwrap());
    let later = instant("2026-06-07T10:00:00Z");
    let returned = Ledger::builder().terms(&program).build(entries).unwrap();
    let without = Ledger::builder().terms(&program).build(prior).unwrap();
    assert_eq!(
        held(&returned.balance_at(later).unwrap().points),
        held(&without.balance_at(later).unwrap().points)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(96)))]

    /// A customer with older lots pays part of an order with points and
    /// cashback, then returns it all in any number of refunds: afterwards
    /// every balance (available, pending, expired, and what expires when)
    /// is what it would be had the order never happened; and storing every
    /// entry twice changes nothing.
    #[test]
    fn a_full_return_restores_every_balance(
        old in (1u32..2_000, 1u32..2_000),
        old_cashback in 0u32..3_000,
        lines in prop::collection::vec((1u32..4, 100u32..15_000), 1..4),
        points in prop::option::of(0u32..4_000),
        cashback in any::<bool>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let program = program();
        let prior = before(old, old_cashback);
        let at = instant("2026-06-01T10:00:00Z");
        let ledger = Ledger::builder().terms(&program).build(prior.clone()).unwrap();
        let balance = ledger.balance_at(at).unwrap();
        let mut basket = Basket::eur().at("2026-06-01T10:00:00Z");
        for (i, (quantity, price)) in lines.iter().enumerate() {
            basket = basket.line(&format!("S{i}"), u64::from(*quantity),
                                 &format!("{}.{:02}", price / 100, price % 100));
        }
        let mut redeem = json!({});
        if let Some(p) = points {
            redeem["points"] = json!(p.min(balance.points.available.try_into().unwrap_or(0u32)));
        }
        if cashback {
            redeem["cashback"] = json!("all");
        }
        let checkout: Checkout = basket
            .redeem(redeem, serde_json::to_value(balance.available()).unwrap())
            .build();
        let evaluation = common::eval(&program, &checkout);
        let mut entries = prior.clone();
        entries.extend(Entry::from_evaluation(&evaluation).unwrap());
        // Every unit back, in refunds cut where the strategy says, five days
        // later, each stored before the next is worked out.
        let mut units: Vec<String> = Vec::new();
        for (i, (quantity, _)) in lines.iter().enumerate() {
            for _ in 0..*quantity {
                units.push((i + 1).to_string());
            }
        }
        let mut at_cuts: Vec<usize> = cuts.iter().map(|c| c.index(units.len() + 1)).collect();
        at_cuts.extend([0, units.len()]);
        at_cuts.sort_unstable();
        at_cuts.dedup();
        let mut done: Vec<ReturnOutcome> = Vec::new();
        let refund_at = instant("2026-06-06T10:00:00Z");
        for (n, w) in at_cuts.windows(2).enumerate() {
            let now = Ledger::builder().terms(&program).build(entries.clone()).unwrap();
            let b = now.balance_at(refund_at).unwrap();
            let mut refund = Refund::new(format!("R-{n}"), "A-1", refund_at).unwrap()
                .points_held(b.points.held());
            for unit in &units[w[0]..w[1]] {
                refund = refund.line(unit.as_str(), 1).unwrap();
            }
            let back = program.evaluate_return(&checkout, &evaluation, &done, &refund).unwrap();
            prop_assert!(back.shortfall.is_zero(), "the order's own lot covers what it earned");
            entries.extend(Entry::from_return(&back).unwrap());
            done.push(back);
        }
        let later = instant("2026-06-07T10:00:00Z");
        let returned = Ledger::builder().terms(&program).build(entries.clone()).unwrap();
        let without = Ledger::builder().terms(&program).build(prior).unwrap();
        let (r, w) = (returned.balance_at(later).unwrap(), without.balance_at(later).unwrap());
        prop_assert_eq!(held(&r.points), held(&w.points));
        prop_assert_eq!(held(&r.cashback), held(&w.cashback));
        // A year on, the old lots have expired the same way.
        let year = instant("2027-08-01T10:00:00Z");
        let (r, w) = (returned.balance_at(year).unwrap(), without.balance_at(year).unwrap());
        prop_assert_eq!(held(&r.points), held(&w.points));
        prop_assert_eq!(held(&r.cashback), held(&w.cashback));
        // Storing every entry twice (a retried write) changes nothing.
        let mut twice = entries.clone();
        twice.extend(entries.iter().cloned());
        let replayed = Ledger::builder().terms(&program).build(twice).unwrap();
        prop_assert_eq!(replayed.balance_at(later).unwrap(), returned.balance_at(later).unwrap());
    }
}

//! Thresholds and limits as platforms write them: inclusive and exclusive
//! minimums and maximums on promotions and conditions, spend budgets
//! passed in like usage counts and stored with a compare-and-set, and
//! cancellations that give back every use and budget spend (never below
//! zero). Scenarios worked out by hand, bad input, round trips, and the
//! properties: minimums partition the subtotals exactly at the threshold,
//! budgets are never exceeded by checkouts fed their own effects, and
//! releases never take a count or a spend below zero.

use std::collections::{BTreeMap, BTreeSet};

use loyalty::calendar::{Calendar, Zone};
use loyalty::condition::{Condition, Facts};
use loyalty::customer::CustomerId;
use loyalty::error::{Problem, ProgramError, WarningKind};
use loyalty::evaluate::{BudgetSpent, EvaluationError};
use loyalty::evaluation::{Effect, Evaluation, Reason, Stage};
use loyalty::order::Refund;
use loyalty::prelude::*;
use loyalty::rules::bounds::{Maximum, Minimum};
use loyalty::rules::coupon::Rejection;
use loyalty::wallet::{CancelError, Cancellation};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eur_program, eval, program_in};

/// A EUR program with `promotions`.
fn promoted(promotions: Value) -> Program {
    eur_program(json!({ "promotions": promotions }))
}

/// The error of a EUR program with `promotions`.
fn refused(promotions: Value) -> ProgramError {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "seeds", "currency": "EUR", "promotions": promotions
    }))
    .expect("deserialises");
    Program::new(definition).expect_err("the program is refused")
}

/// The checkout of `basket` with what the budgets gave so far.
fn spent(basket: Basket, budgets: &[(&str, &str)]) -> Checkout {
    let mut checkout = basket.build();
    for (promotion, amount) in budgets {
        checkout = checkout.with_budget_spent(BudgetSpent::new(promotion, d(amount)).unwrap());
    }
    checkout
}

/// The only trace entry about `id`.
fn only<'e>(e: &'e Evaluation, id: &str) -> &'e loyalty::evaluation::TraceEntry {
    let entries: Vec<_> = e.trace.iter().filter(|t| t.rule.id == id).collect();
    assert_eq!(entries.len(), 1, "one entry about {id}: {entries:#?}");
    entries[0]
}

/// The rejection in the trace entry about automatic promotion `id`.
fn not_eligible(e: &Evaluation, id: &str) -> Rejection {
    match &only(e, id).reason {
        Reason::NotEligible { rejection } => rejection.clone(),
        other => panic!("{id} is not refused with a rejection: {other:?}"),
    }
}

/// The rejection of the entered `code`, if refused.
fn verdict(e: &Evaluation, code: &str) -> Option<Rejection> {
    e.coupon(code)
        .expect("the code was entered")
        .rejection
        .clone()
}

// --- Inclusive and exclusive minimums ------------------------------------

#[test]
fn exactly_on_the_line_at_least_passes_and_above_misses_a_cent() {
    let program = promoted(json!([
        {"id": "at-least", "codes": ["ATLEAST"], "min_subtotal": "50.00",
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "above", "codes": ["ABOVE"], "min_subtotal": {"above": "50.00"},
         "reward": {"type": "amount_off", "amount": "5.00"}}
    ]));
    // 2 × 25.00 = 50.00: ≥ 50.00 holds, > 50.00 does not.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "25.00")
            .coupon("ATLEAST")
            .coupon("ABOVE")
            .build(),
    );
    assert_eq!(verdict(&e, "ATLEAST"), None);
    let rejection = verdict(&e, "ABOVE").unwrap();
    // Missing: 50.00 − 50.00 + 0.01, the next amount above the minimum.
    assert_eq!(
        rejection,
        Rejection::NotAboveMinimum {
            minimum: d("50.00"),
            subtotal: d("50.00"),
            missing: d("0.01"),
        }
    );
    assert_eq!(
        e.coupon("ABOVE").unwrap().message(),
        "this code needs eligible items above 50.00: add 0.01 more"
    );
    assert_eq!(
        serde_json::to_value(&rejection).unwrap(),
        json!({"reason": "not_above_minimum", "minimum": "50.00", "subtotal": "50.00",
               "missing": "0.01"})
    );
    assert_eq!(e.totals.discount, d("5.00"));
    // One cent more: both apply, 10.00 off 50.01.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "50.01")
            .coupon("ATLEAST")
            .coupon("ABOVE")
            .build(),
    );
    assert!(e.coupons.iter().all(|v| v.is_accepted()));
    assert_eq!(e.totals.payable, d("40.01"));
    // One cent less: at least misses 0.01 too, above 0.02.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "49.99")
            .coupon("ATLEAST")
            .coupon("ABOVE")
            .build(),
    );
    assert_eq!(
        verdict(&e, "ATLEAST"),
        Some(Rejection::MinimumNotMet {
            minimum: d("50.00"),
            subtotal: d("49.99"),
            missing: d("0.01"),
        })
    );
    assert_eq!(
        verdict(&e, "ABOVE"),
        Some(Rejection::NotAboveMinimum {
            minimum: d("50.00"),
            subtotal: d("49.99"),
            missing: d("0.02"),
        })
    );
}

#[test]
fn an_automatic_promotion_says_it_must_be_above_its_minimum() {
    let program = promoted(json!([{"id": "over-50", "min_subtotal": {"above": "50.00"},
        "reward": {"type": "free_shipping"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "25.00")
            .shipping("4.90")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("0.00"));
    let entry = only(&e, "over-50");
    assert_eq!(entry.stage, Stage::Promotions);
    assert_eq!(
        entry.message(),
        "not applied: this offer needs eligible items above 50.00: add 0.01 more"
    );
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "50.01")
            .shipping("4.90")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("4.90"));
}

#[test]
fn the_missing_minor_unit_follows_the_currency() {
    // JPY has no decimals: above 5000 at 5000 misses 1 yen.
    let program = program_in(
        "JPY",
        json!({"promotions": [{"id": "over-5000", "min_subtotal": {"above": "5000"},
            "reward": {"type": "amount_off", "amount": "500"}}]}),
    );
    let e = eval(&program, &Basket::new("JPY").line("TEA", 2, "2500").build());
    assert_eq!(
        not_eligible(&e, "over-5000"),
        Rejection::NotAboveMinimum {
            minimum: d("5000"),
            subtotal: d("5000"),
            missing: d("1"),
        }
    );
    let e = eval(&program, &Basket::new("JPY").line("TEA", 1, "5001").build());
    assert_eq!(e.totals.discount, d("500"));
}

#[test]
fn a_minimum_measures_only_the_eligible_lines() {
    let program = promoted(json!([{"id": "tea-over-50", "codes": ["TEA"],
        "lines": {"categories": ["tea"]}, "min_subtotal": {"above": "50.00"},
        "max_subtotal": "80.00", "reward": {"type": "percent_off", "percent": "10"}}]));
    // The basket is 70.00, the tea 40.00: 50.00 − 40.00 + 0.01 = 10.01 missing.
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("GREEN", 1, "40.00", &["tea"])
            .line("MUG", 1, "30.00")
            .coupon("TEA")
            .build(),
    );
    assert_eq!(
        verdict(&e, "TEA"),
        Some(Rejection::NotAboveMinimum {
            minimum: d("50.00"),
            subtotal: d("40.00"),
            missing: d("10.01"),
        })
    );
    // Tea of 80.00: within both; 10% of 80.00 = 8.00.
    let e = eval(
        &program,
        &Basket::eur()
            .line_in("GREEN", 2, "40.00", &["tea"])
            .line("MUG", 1, "30.00")
            .coupon("TEA")
            .build(),
    );
    assert_eq!(e.totals.discount, d("8.00"));
}

// --- Maximums -------------------------------------------------------------

#[test]
fn an_inclusive_maximum_takes_the_line_itself_an_exclusive_one_does_not() {
    let program = promoted(json!([
        {"id": "small-basket", "max_subtotal": "30.00", "reward": {"type": "free_shipping"}},
        {"id": "under-30", "max_subtotal": {"below": "30.00"},
         "reward": {"type": "amount_off", "amount": "1.00"}}
    ]));
    let basket = |price: &str| Basket::eur().line("TEA", 1, price).shipping("4.90").build();
    // 30.00: at most 30.00 holds, below 30.00 is 0.01 over.
    let e = eval(&program, &basket("30.00"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(
        not_eligible(&e, "under-30"),
        Rejection::NotBelowMaximum {
            maximum: d("30.00"),
            subtotal: d("30.00"),
            excess: d("0.01"),
        }
    );
    assert_eq!(
        only(&e, "under-30").message(),
        "not applied: this offer is for eligible items below 30.00: they are 0.01 over"
    );
    // 30.01: over both, by 0.01 and by 0.02.
    let e = eval(&program, &basket("30.01"));
    assert_eq!(
        not_eligible(&e, "small-basket"),
        Rejection::AboveMaximum {
            maximum: d("30.00"),
            subtotal: d("30.01"),
            excess: d("0.01"),
        }
    );
    assert_eq!(
        only(&e, "small-basket").message(),
        "not applied: this offer is for eligible items of at most 30.00: they are 0.01 over"
    );
    assert_eq!(
        not_eligible(&e, "under-30"),
        Rejection::NotBelowMaximum {
            maximum: d("30.00"),
            subtotal: d("30.01"),
            excess: d("0.02"),
        }
    );
    // 29.99: within both: 4.90 shipping and 1.00 off.
    let e = eval(&program, &basket("29.99"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.totals.discount, d("1.00"));
}

#[test]
fn subtotal_conditions_come_inclusive_and_exclusive() {
    let program = promoted(json!([
        {"id": "above-50", "condition": {"subtotal_above": "50.00"},
         "reward": {"type": "amount_off", "amount": "2.00"}},
        {"id": "up-to-50", "condition": {"subtotal_at_most": "50.00"},
         "reward": {"type": "amount_off", "amount": "1.00"}}
    ]));
    let e = eval(&program, &Basket::eur().line("TEA", 2, "25.00").build());
    // At 50.00 only "at most" holds.
    assert_eq!(e.totals.discount, d("1.00"));
    let entry = only(&e, "above-50");
    assert_eq!(entry.reason, Reason::ConditionNotMet);
    assert_eq!(
        entry.observation.as_ref().unwrap().to_string(),
        "subtotal 50.00 is not above 50.00"
    );
    let e = eval(&program, &Basket::eur().line("TEA", 1, "50.01").build());
    assert_eq!(e.totals.discount, d("2.00"));
    assert_eq!(
        only(&e, "up-to-50")
            .observation
            .as_ref()
            .unwrap()
            .to_string(),
        "subtotal 50.01 is above 50.00"
    );
    // The leaves read and write back as written.
    let leaves: Condition = serde_json::from_value(
        json!({"all": [{"subtotal_above": "50.00"}, {"subtotal_at_most": "80.00"}]}),
    )
    .unwrap();
    assert_eq!(
        leaves,
        Condition::All(vec![
            Condition::SubtotalAbove(d("50.00").into()),
            Condition::SubtotalAtMost(d("80.00").into())
        ])
    );
    assert_eq!(
        serde_json::to_value(&leaves).unwrap(),
        json!({"all": [{"subtotal_above": "50.00"}, {"subtotal_at_most": "80.00"}]})
    );
}

// --- Budgets --------------------------------------------------------------

#[test]
fn a_budget_refuses_a_discount_that_would_go_over_and_takes_one_that_fits() {
    let program = promoted(json!([
        {"id": "launch", "budget": "100.00", "reward": {"type": "amount_off", "amount": "10.00"}},
        {"id": "launch-5", "budget": "100.00", "reward": {"type": "amount_off", "amount": "5.00"}}
    ]));
    // 95.00 of 100.00 spent: 10.00 would make 105.00 > 100.00, refused
    // whole; 5.00 makes exactly 100.00, allowed.
    let e = eval(
        &program,
        &spent(
            Basket::eur().line("TEA", 1, "30.00"),
            &[("launch", "95.00"), ("launch-5", "95.00")],
        ),
    );
    assert_eq!(e.totals.discount, d("5.00"));
    assert_eq!(
        not_eligible(&e, "launch"),
        Rejection::BudgetExceeded {
            budget: d("100.00"),
            spent: d("95.00"),
            amount: d("10.00"),
        }
    );
    let entry = only(&e, "launch");
    assert_eq!(entry.stage, Stage::Discounts);
    assert_eq!(
        entry.message(),
        "not applied: this offer has 5.00 left of its budget of 100.00, less than its discount of 10.00 on this order"
    );
    assert_eq!(
        serde_json::to_value(&entry.reason).unwrap()["rejection"],
        json!({"reason": "budget_exceeded", "budget": "100.00", "spent": "95.00",
               "amount": "10.00"})
    );
    // Only what applied spends: launch-5's 5.00, seen on 95.00.
    assert_eq!(
        e.effects,
        [Effect::SpendBudget {
            key: "seeds/A-1/budget:launch-5".into(),
            promotion: "launch-5".parse().unwrap(),
            budget: d("100.00"),
            spent_seen: d("95.00"),
            amount: d("5.00"),
        }]
    );
    assert_eq!(
        serde_json::to_value(&e.effects[0]).unwrap(),
        json!({"effect": "spend_budget", "key": "seeds/A-1/budget:launch-5",
               "promotion": "launch-5", "budget": "100.00", "spent_seen": "95.00",
               "amount": "5.00"})
    );
    // With nothing spent (no entry), both apply.
    let e = eval(&program, &Basket::eur().line("TEA", 1, "30.00").build());
    assert_eq!(e.totals.discount, d("15.00"));
    assert!(matches!(
        &e.effects[..],
        [Effect::SpendBudget { spent_seen: a, amount: x, .. },
         Effect::SpendBudget { spent_seen: b, amount: y, .. }]
            if a.is_zero() && b.is_zero() && *x == d("10.00") && *y == d("5.00")
    ));
}

#[test]
fn a_coupon_s_budget_refuses_the_code_with_budget_exceeded() {
    let program = eur_program(json!({"coupons": [{"id": "ten", "codes": ["TEN"],
        "budget": "100.00", "reward": {"type": "amount_off", "amount": "10.00"}}]}));
    let e = eval(
        &program,
        &spent(
            Basket::eur().line("TEA", 1, "30.00").coupon("ten"),
            &[("ten", "95.00")],
        ),
    );
    assert_eq!(
        verdict(&e, "ten"),
        Some(Rejection::BudgetExceeded {
            budget: d("100.00"),
            spent: d("95.00"),
            amount: d("10.00"),
        })
    );
    assert_eq!(
        e.coupon("ten").unwrap().message(),
        "this code has 5.00 left of its budget of 100.00, less than its discount of 10.00 on this order"
    );
    assert!(matches!(
        &only(&e, "ten").reason,
        Reason::CouponRejected {
            rejection: Rejection::BudgetExceeded { .. },
            ..
        }
    ));
    // Nothing is redeemed or spent.
    assert!(e.effects.is_empty());
    // With 90.00 spent it fits: the redemption, then the spend.
    let e = eval(
        &program,
        &spent(
            Basket::eur().line("TEA", 1, "30.00").coupon("ten"),
            &[("ten", "90.00")],
        ),
    );
    assert!(matches!(
        &e.effects[..],
        [Effect::CouponRedemption { .. },
         Effect::SpendBudget { spent_seen, amount, .. }]
            if *spent_seen == d("90.00") && *amount == d("10.00")
    ));
}

#[test]
fn a_percent_fits_its_budget_to_the_cent() {
    let program = promoted(json!([{"id": "ten-pct", "budget": "100.00",
        "reward": {"type": "percent_off", "percent": "10"}}]));
    // 10% of 50.00 = 5.00: 95.00 + 5.00 = 100.00, allowed.
    let e = eval(
        &program,
        &spent(
            Basket::eur().line("TEA", 1, "50.00"),
            &[("ten-pct", "95.00")],
        ),
    );
    assert_eq!(e.totals.discount, d("5.00"));
    // 10% of 50.10 = 5.01: 100.01 > 100.00, refused.
    let e = eval(
        &program,
        &spent(
            Basket::eur().line("TEA", 1, "50.10"),
            &[("ten-pct", "95.00")],
        ),
    );
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(
        not_eligible(&e, "ten-pct"),
        Rejection::BudgetExceeded {
            budget: d("100.00"),
            spent: d("95.00"),
            amount: d("5.01"),
        }
    );
    // The totals the summary gives agree.
    let summary = program
        .summarize(&spent(
            Basket::eur().line("TEA", 1, "50.10"),
            &[("ten-pct", "95.00")],
        ))
        .unwrap();
    assert_eq!(summary.totals, e.totals);
}

#[test]
fn free_shipping_spends_the_shipping_it_waives() {
    let program = promoted(json!([{"id": "ship", "budget": "10.00",
        "reward": {"type": "free_shipping"}}]));
    let basket = || Basket::eur().line("TEA", 1, "20.00").shipping("4.90");
    // 5.11 + 4.90 = 10.01 > 10.00: refused.
    let e = eval(&program, &spent(basket(), &[("ship", "5.11")]));
    assert_eq!(e.totals.shipping_discount, d("0.00"));
    assert_eq!(
        not_eligible(&e, "ship"),
        Rejection::BudgetExceeded {
            budget: d("10.00"),
            spent: d("5.11"),
            amount: d("4.90"),
        }
    );
    // 5.10 + 4.90 = 10.00: allowed.
    let e = eval(&program, &spent(basket(), &[("ship", "5.10")]));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert!(matches!(
        &e.effects[..],
        [Effect::SpendBudget { amount, .. }] if *amount == d("4.90")
    ));
}

#[test]
fn a_refused_promotion_leaves_the_pick_to_the_others() {
    // By priority, the exclusive "big" would be picked alone; over its
    // budget it is refused, and the pick is made again: "small" applies.
    let program = eur_program(json!({
        "stacking": {"pick": "priority"},
        "promotions": [
            {"id": "big", "stacking": "exclusive", "priority": 10, "budget": "10.00",
             "reward": {"type": "amount_off", "amount": "20.00"}},
            {"id": "small", "reward": {"type": "amount_off", "amount": "5.00"}}
        ]
    }));
    let e = eval(&program, &Basket::eur().line("TEA", 1, "100.00").build());
    assert_eq!(e.totals.discount, d("5.00"));
    assert!(matches!(
        not_eligible(&e, "big"),
        Rejection::BudgetExceeded { amount, .. } if amount == d("20.00")
    ));
    // "small" is not reported as not combinable.
    assert!(only(&e, "small").applied);
    // Best for the customer: each exclusive one over its budget alone is
    // refused once, and the stackable one applies.
    let program = promoted(json!([
        {"id": "x1", "stacking": "exclusive", "budget": "10.00",
         "reward": {"type": "amount_off", "amount": "20.00"}},
        {"id": "x2", "stacking": "exclusive", "budget": "10.00",
         "reward": {"type": "percent_off", "percent": "50"}},
        {"id": "small", "reward": {"type": "amount_off", "amount": "5.00"}}
    ]));
    let e = eval(&program, &Basket::eur().line("TEA", 1, "100.00").build());
    assert_eq!(e.totals.discount, d("5.00"));
    assert!(matches!(
        not_eligible(&e, "x1"),
        Rejection::BudgetExceeded { amount, .. } if amount == d("20.00")
    ));
    // 50% of 100.00.
    assert!(matches!(
        not_eligible(&e, "x2"),
        Rejection::BudgetExceeded { amount, .. } if amount == d("50.00")
    ));
    assert!(only(&e, "small").applied);
}

#[test]
fn a_refused_promotion_frees_no_unit_and_takes_none_of_the_cap() {
    // "free-budget" goes first (priority) and would make a 3.00 mug free:
    // over its 1.00 budget, refused. The stacked set is worth what
    // "b2g1" gives on all 3 mugs (one group: a mug free, 3.00), more than
    // the exclusive 1.50: had the refused one kept its mug aside, "b2g1"
    // would count 2 paid mugs, no group, and the 1.50 would win.
    let program = promoted(json!([
        {"id": "free-budget", "priority": 1, "budget": "1.00", "reward": {"type": "cheapest_free"}},
        {"id": "b2g1", "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1}},
        {"id": "alone", "stacking": "exclusive",
         "reward": {"type": "amount_off", "amount": "1.50"}}
    ]));
    let e = eval(&program, &Basket::eur().line("MUG", 3, "3.00").build());
    assert_eq!(e.totals.discount, d("3.00"));
    assert_eq!(e.discounts[0].rule.id, "b2g1");
    // The program's cap of 10.00 is whole for "b" once "a" is refused: the
    // stacked set is worth 10.00, more than the exclusive 6.00 (had "a"
    // kept 8.00 of the cap, "b" would get 2.00 and 6.00 would win).
    let program = eur_program(json!({
        "stacking": {"max_total": "10.00"},
        "promotions": [
            {"id": "a", "priority": 1, "budget": "5.00",
             "reward": {"type": "amount_off", "amount": "8.00"}},
            {"id": "b", "reward": {"type": "amount_off", "amount": "10.00"}},
            {"id": "c", "stacking": "exclusive",
             "reward": {"type": "amount_off", "amount": "6.00"}}
        ]
    }));
    let e = eval(&program, &Basket::eur().line("TEA", 1, "50.00").build());
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.discounts[0].rule.id, "b");
    assert!(!e.discounts[0].capped_by_total);
}

#[test]
fn a_limited_budgeted_promotion_records_its_use_then_its_spend() {
    let program = promoted(
        json!([{"id": "first-100", "usage_limit": 100, "budget": "50.00",
        "reward": {"type": "amount_off", "amount": "5.00"}}]),
    );
    let e = eval(
        &program,
        &spent(
            Basket::eur()
                .line("TEA", 1, "30.00")
                .promotion_usage("first-100", 7, 0),
            &[("first-100", "35.00")],
        ),
    );
    assert_eq!(
        e.effects,
        [
            Effect::PromotionRedemption {
                key: "seeds/A-1/promotion:first-100".into(),
                promotion: "first-100".parse().unwrap(),
                customer: "C-1".parse().unwrap(),
                seen_overall: 7,
                seen_by_customer: 0,
            },
            Effect::SpendBudget {
                key: "seeds/A-1/budget:first-100".into(),
                promotion: "first-100".parse().unwrap(),
                budget: d("50.00"),
                spent_seen: d("35.00"),
                amount: d("5.00"),
            }
        ]
    );
}

#[test]
fn a_full_return_gives_back_what_the_order_spent_of_a_budget() {
    let program = promoted(json!([{"id": "launch", "budget": "100.00",
        "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let checkout = Basket::eur().line("TEA", 2, "15.00").build();
    let evaluation = eval(&program, &checkout);
    let later = "2026-12-05T10:00:00Z".parse().unwrap();
    let half = Refund::new("R-1", "A-1", later)
        .unwrap()
        .line("1", 1)
        .unwrap();
    let first = program
        .evaluate_return(&checkout, &evaluation, &[], &half)
        .unwrap();
    assert!(
        !first
            .effects
            .iter()
            .any(|e| matches!(e, Effect::ReleaseBudget { .. }))
    );
    let rest = Refund::new("R-2", "A-1", later)
        .unwrap()
        .line("1", 1)
        .unwrap();
    let second = program
        .evaluate_return(&checkout, &evaluation, &[first], &rest)
        .unwrap();
    assert!(second.effects.contains(&Effect::ReleaseBudget {
        key: "seeds/A-1/return:R-2/budget:launch".into(),
        promotion: "launch".parse().unwrap(),
        amount: d("5.00"),
    }));
}

#[test]
fn budget_spent_that_cannot_be_read_is_refused() {
    let program = promoted(json!([{"id": "launch", "budget": "100.00",
        "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let basket = || Basket::eur().line("TEA", 1, "30.00");
    let error = program
        .evaluate(&spent(basket(), &[("launch", "-1.00")]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "budget_spent for \"launch\": -1.00 is negative: give what the promotion gave so far, zero or more"
    );
    let error = program
        .evaluate(&spent(basket(), &[("launch", "1.005")]))
        .unwrap_err();
    assert!(matches!(error, EvaluationError::InvalidBudgetSpent { .. }));
    assert!(error.to_string().contains("to the cent"), "{error}");
    let error = program
        .evaluate(&spent(basket(), &[("launch", "1.00"), ("launch", "2.00")]))
        .unwrap_err();
    assert_eq!(
        error,
        EvaluationError::DuplicateBudgetSpent {
            promotion: "launch".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "budget_spent lists \"launch\" twice: give one entry per promotion"
    );
}

// --- Cancellations --------------------------------------------------------

/// A coupon and an automatic promotion that limit their uses and their
/// spend, points, cashback, and paying with points.
fn full_program() -> Program {
    eur_program(json!({
        "coupons": [{"id": "ten", "codes": ["TEN"], "budget": "100.00",
                     "reward": {"type": "amount_off", "amount": "10.00"}}],
        "promotions": [{"id": "first-100", "usage_limit": 100, "budget": "50.00",
                        "reward": {"type": "amount_off", "amount": "5.00"}}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "cb", "percent": "2"}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}}
    }))
}

/// 2 mugs at 40.00 with TEN, paying 500 points of 1 000.
fn full_order(program: &Program) -> Evaluation {
    eval(
        program,
        &Basket::eur()
            .line("MUG", 2, "40.00")
            .coupon("TEN")
            .redeem(json!({"points": 500}), json!({"points": 1000}))
            .build(),
    )
}

#[test]
fn a_cancellation_gives_back_every_use_spend_credit_and_redemption() {
    let program = full_program();
    let evaluation = full_order(&program);
    // 80.00 − 10.00 − 5.00 = 65.00; 500 points pay 5.00: 60.00 paid, 60
    // points and 2% = 1.20 cashback earned.
    assert_eq!(evaluation.totals.payable, d("60.00"));
    let at = "2026-11-28T09:00:00Z".parse().unwrap();
    let cancelled = program.cancel(&evaluation, &[], at).unwrap();
    let customer: CustomerId = "C-1".parse().unwrap();
    assert_eq!(
        cancelled.effects,
        [
            Effect::ReleaseCoupon {
                key: "seeds/A-1/cancel/coupon:ten:TEN".into(),
                coupon: "ten".parse().unwrap(),
                code: "TEN".into(),
                customer: customer.clone(),
            },
            Effect::ReleaseBudget {
                key: "seeds/A-1/cancel/budget:ten".into(),
                promotion: "ten".parse().unwrap(),
                amount: d("10.00"),
            },
            Effect::ReleasePromotion {
                key: "seeds/A-1/cancel/promotion:first-100".into(),
                promotion: "first-100".parse().unwrap(),
                customer: customer.clone(),
            },
            Effect::ReleaseBudget {
                key: "seeds/A-1/cancel/budget:first-100".into(),
                promotion: "first-100".parse().unwrap(),
                amount: d("5.00"),
            },
            Effect::RestorePoints {
                key: "seeds/A-1/cancel/redeemed-points".into(),
                customer: customer.clone(),
                points: d("500"),
                redemption: "seeds/A-1/redeem:points".into(),
            },
            Effect::ReversePoints {
                key: "seeds/A-1/cancel/points".into(),
                customer: customer.clone(),
                points: d("60"),
                lot: "seeds/A-1/points".into(),
            },
            Effect::ReverseCashback {
                key: "seeds/A-1/cancel/cashback".into(),
                customer: customer.clone(),
                amount: d("1.20"),
                lot: "seeds/A-1/cashback".into(),
            },
        ]
    );
    // The same evaluation cancels to the same keys: storing it twice
    // changes nothing.
    assert_eq!(program.cancel(&evaluation, &[], at).unwrap(), cancelled);
    // The wallet: 1 000 points seeded, 500 spent and 60 earned by the
    // order, then all given back: 1 000 available, nothing pending.
    let seeded = Entry::earned(
        "seeds/seed/points",
        customer.clone(),
        "seed".parse().unwrap(),
        Amount::points(1000),
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2026-01-01T00:00:00Z".parse().unwrap(),
        None,
    )
    .unwrap();
    let mut entries = vec![seeded];
    entries.extend(Entry::from_evaluation(&evaluation).unwrap());
    entries.extend(cancelled.entries().unwrap());
    let ledger = Ledger::builder().terms(&program).build(entries).unwrap();
    let balance = ledger.balance_at(at).unwrap();
    assert_eq!(balance.points.available, d("1000"));
    assert_eq!(balance.points.pending, d("0"));
    assert_eq!(
        balance.cashback.available + balance.cashback.pending,
        d("0.00")
    );
    // It reads back as written.
    let json = serde_json::to_value(&cancelled).unwrap();
    assert_eq!(json["effects"][1]["effect"], json!("release_budget"));
    assert_eq!(
        serde_json::from_value::<Cancellation>(json).unwrap(),
        cancelled
    );
}

#[test]
fn a_cancellation_is_refused_for_another_program_a_returned_order_or_an_earlier_instant() {
    let program = full_program();
    let evaluation = full_order(&program);
    let at = "2026-11-28T09:00:00Z".parse().unwrap();
    let other = eur_program(json!({"id": "other"}));
    let error = other.cancel(&evaluation, &[], at).unwrap_err();
    assert!(matches!(error, CancelError::OtherProgram { .. }));
    assert_eq!(
        error.to_string(),
        "the evaluation is of program seeds, not of other: use the program that evaluated the order"
    );
    let checkout = Basket::eur()
        .line("MUG", 2, "40.00")
        .coupon("TEN")
        .redeem(json!({"points": 500}), json!({"points": 1000}))
        .build();
    let refund = Refund::new("R-1", "A-1", at).unwrap().line("1", 1).unwrap();
    let returned = program
        .evaluate_return(&checkout, &evaluation, &[], &refund)
        .unwrap();
    let error = program.cancel(&evaluation, &[returned], at).unwrap_err();
    assert_eq!(
        error.to_string(),
        "order A-1 has a return (R-1): an order is cancelled only when nothing came back; return the remaining units instead"
    );
    let before = "2026-11-01T00:00:00Z".parse().unwrap();
    assert!(matches!(
        program.cancel(&evaluation, &[], before),
        Err(CancelError::BeforeOrder { .. })
    ));
}

// --- Bad input -------------------------------------------------------------

#[test]
fn a_budget_below_zero_or_on_a_reward_without_money_is_an_error() {
    let error = refused(json!([{"id": "launch", "budget": "-10.00",
        "reward": {"type": "amount_off", "amount": "5.00"}}]));
    assert_eq!(error.path(), "promotions[0].budget");
    assert_eq!(
        error.to_string(),
        "promotions[0].budget: budget -10.00 is negative: give zero or more"
    );
    let error = refused(json!([{"id": "bonus", "budget": "10.00",
        "reward": {"type": "bonus_points", "points": "50"}}]));
    assert_eq!(
        error.problem(),
        &Problem::BudgetWithoutDiscount {
            reward: "bonus_points"
        }
    );
    assert_eq!(
        error.to_string(),
        "promotions[0].budget: a budget counts the money a promotion takes off, and bonus_points takes none: remove budget, or limit the promotion with usage_limit"
    );
    // Finer than the cent.
    let error = refused(json!([{"id": "launch", "budget": "10.001",
        "reward": {"type": "amount_off", "amount": "5.00"}}]));
    assert_eq!(error.path(), "promotions[0].budget");
}

#[test]
fn a_maximum_below_the_minimum_is_an_error() {
    let error = refused(
        json!([{"id": "odd", "min_subtotal": "50.00", "max_subtotal": "40.00",
        "reward": {"type": "free_shipping"}}]),
    );
    assert_eq!(error.path(), "promotions[0].max_subtotal");
    assert_eq!(
        error.to_string(),
        "promotions[0].max_subtotal: max_subtotal at most 40.00 and min_subtotal at least 50.00: no subtotal meets both, so the promotion never applies; raise the maximum or lower the minimum"
    );
    // Above 50.00 and at most 50.00 leave nothing; at least 50.00 and at
    // most 50.00 leave 50.00 itself.
    let error = refused(json!([{"id": "odd", "min_subtotal": {"above": "50.00"},
        "max_subtotal": "50.00", "reward": {"type": "free_shipping"}}]));
    let Problem::EmptySubtotalRange { min, max } = error.problem() else {
        panic!("{error}");
    };
    assert!(matches!(min.as_deref(), Some(Minimum::Above(_))));
    assert!(matches!(**max, Maximum::AtMost(_)));
    promoted(
        json!([{"id": "fifty", "min_subtotal": "50.00", "max_subtotal": "50.00",
        "reward": {"type": "free_shipping"}}]),
    );
    // Above 50.00 and below 50.01 leave nothing in cents.
    let error = refused(json!([{"id": "odd", "min_subtotal": {"above": "50.00"},
        "max_subtotal": {"below": "50.01"}, "reward": {"type": "free_shipping"}}]));
    assert_eq!(error.path(), "promotions[0].max_subtotal");
    // Below 0: no subtotal at all.
    let error = refused(json!([{"id": "odd", "max_subtotal": {"below": "0"},
        "reward": {"type": "free_shipping"}}]));
    assert_eq!(
        error.to_string(),
        "promotions[0].max_subtotal: max_subtotal below 0: no subtotal is within it (a subtotal is 0 or more), so the promotion never applies; give an amount above 0, or write it inclusive"
    );
    let error = refused(json!([{"id": "odd", "max_subtotal": "-1.00",
        "reward": {"type": "free_shipping"}}]));
    assert_eq!(
        error.to_string(),
        "promotions[0].max_subtotal: maximum subtotal -1.00 is negative: give zero or more"
    );
}

#[test]
fn an_exclusive_zero_minimum_and_a_zero_budget_are_warnings() {
    let program = promoted(json!([
        {"id": "anything", "min_subtotal": {"above": "0"}, "reward": {"type": "free_shipping"}},
        {"id": "paused", "budget": "0", "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "cond", "condition": {"subtotal_above": "0.00"},
         "reward": {"type": "amount_off", "amount": "1.00"}},
        {"id": "never", "condition": {"all": [{"subtotal_above": "50.00"},
                                             {"subtotal_at_most": "40.00"}]},
         "reward": {"type": "amount_off", "amount": "1.00"}}
    ]));
    let warnings: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "promotions[0].min_subtotal: above 0 lets every basket through but a free one: give the amount the subtotal must be above, or remove the minimum",
            "promotions[1].budget: a budget of 0 refuses every discount: the promotion never applies; give the total it may give, or remove it",
            "promotions[2].condition: above 0 lets every basket through but a free one: give the amount the subtotal must be above, or remove the minimum",
            "promotions[3].condition: this condition can never hold (a subtotal bound above another's limit: no subtotal meets both): the rule will never apply",
        ]
    );
    assert_eq!(program.warnings()[1].kind(), &WarningKind::ZeroBudget);
    // The zero budget refuses its 5.00.
    let e = eval(&program, &Basket::eur().line("TEA", 1, "30.00").build());
    assert!(matches!(
        not_eligible(&e, "paused"),
        Rejection::BudgetExceeded { amount, .. } if amount == d("5.00")
    ));
}

#[test]
fn a_bound_written_wrong_says_how_to_write_it() {
    let error = serde_json::from_value::<PromotionDefinition>(json!({"id": "p",
        "min_subtotal": {"abuve": "50.00"}, "reward": {"type": "free_shipping"}}))
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("an amount like \"50.00\" or {\"EUR\": \"50.00\", \"USD\": \"60.00\"} (at least it), or {\"above\": \"50.00\"}"),
        "{error}"
    );
    let error = serde_json::from_value::<PromotionDefinition>(json!({"id": "p",
        "max_subtotal": {"above": "50.00"}, "reward": {"type": "free_shipping"}}))
    .unwrap_err();
    assert!(
        error.to_string().contains("{\"below\": \"80.00\"}"),
        "{error}"
    );
    for field in ["min_subtotal", "max_subtotal", "budget"] {
        let error = serde_json::from_value::<PromotionDefinition>(json!({"id": "p",
            field: null, "reward": {"type": "free_shipping"}}))
        .unwrap_err();
        assert!(
            error.to_string().contains("null is not allowed"),
            "{field}: {error}"
        );
    }
}

// --- Round trips and builders ---------------------------------------------

#[test]
fn the_new_settings_round_trip_through_json_and_toml() {
    let written = json!({"id": "p", "codes": ["P"], "min_subtotal": {"above": "50.00"},
        "max_subtotal": {"below": "200.00"}, "budget": "1000.00",
        "reward": {"type": "percent_off", "percent": "10"},
        "stacking": "stackable", "priority": 0});
    let promotion: PromotionDefinition = serde_json::from_value(written.clone()).unwrap();
    assert_eq!(
        promotion.min_subtotal,
        Some(Minimum::Above(d("50.00").into()))
    );
    assert_eq!(
        promotion.max_subtotal,
        Some(Maximum::Below(d("200.00").into()))
    );
    assert_eq!(promotion.budget, Some(d("1000.00").into()));
    assert_eq!(serde_json::to_value(&promotion).unwrap(), written);
    // The inclusive forms are written bare, as they always were.
    let inclusive: PromotionDefinition = serde_json::from_value(json!({"id": "p",
        "min_subtotal": {"at_least": "50.00"}, "max_subtotal": {"at_most": "80.00"},
        "reward": {"type": "free_shipping"}}))
    .unwrap();
    let json = serde_json::to_value(&inclusive).unwrap();
    assert_eq!(json["min_subtotal"], json!("50.00"));
    assert_eq!(json["max_subtotal"], json!("80.00"));
    // TOML.
    let toml_text = r#"
id = "p"
codes = ["P"]
budget = "1000.00"
min_subtotal = { above = "50.00" }
max_subtotal = "200.00"
reward = { type = "percent_off", percent = "10" }
"#;
    let from_toml: PromotionDefinition = toml::from_str(toml_text).unwrap();
    assert_eq!(
        from_toml.min_subtotal,
        Some(Minimum::Above(d("50.00").into()))
    );
    assert_eq!(
        from_toml.max_subtotal,
        Some(Maximum::AtMost(d("200.00").into()))
    );
    let again: PromotionDefinition = toml::from_str(&toml::to_string(&from_toml).unwrap()).unwrap();
    assert_eq!(again, from_toml);
    // The builders give the same definition.
    let built = PromotionDefinition::percent_off("p", "P", "10")
        .min_subtotal_above("50.00")
        .max_subtotal_below("200.00")
        .budget("1000.00");
    assert_eq!(serde_json::to_value(&built).unwrap(), written);
    let built = PromotionDefinition::automatic("q", Reward::FreeShipping)
        .min_subtotal("50.00")
        .max_subtotal("80.00");
    assert_eq!(
        built.min_subtotal,
        Some(Minimum::AtLeast(d("50.00").into()))
    );
    assert_eq!(built.max_subtotal, Some(Maximum::AtMost(d("80.00").into())));
    // A builder given text that is no number reports it at its field.
    let error = Program::new(
        ProgramDefinition::new("shop", Currency::EUR)
            .promotion(PromotionDefinition::automatic("q", Reward::FreeShipping).budget("lots")),
    )
    .unwrap_err();
    assert_eq!(error.path(), "promotions[0].budget");
}

#[test]
fn a_checkout_with_budget_spent_and_its_effects_round_trip() {
    let program = full_program();
    let checkout = spent(
        Basket::eur().line("MUG", 2, "40.00").coupon("TEN"),
        &[("ten", "20.00"), ("first-100", "45.00")],
    );
    let json = serde_json::to_value(&checkout).unwrap();
    assert_eq!(
        json["budget_spent"],
        json!([{"promotion": "ten", "spent": "20.00"},
               {"promotion": "first-100", "spent": "45.00"}])
    );
    assert_eq!(serde_json::from_value::<Checkout>(json).unwrap(), checkout);
    let e = eval(&program, &checkout);
    // 45.00 + 5.00 = 50.00: first-100 still fits, exactly.
    assert_eq!(e.totals.discount, d("15.00"));
    let back: Evaluation = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(back.effects, e.effects);
}

// --- Properties ------------------------------------------------------------

/// An amount of `cents` minor units of EUR.
fn eur(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A threshold, and a subtotal near it half the time.
fn threshold_and_subtotal() -> impl Strategy<Value = (i64, i64)> {
    (1i64..=20_000).prop_flat_map(|t| {
        (
            Just(t),
            prop_oneof![(t - 3..=t + 3).prop_map(|s| s.max(0)), 0i64..=20_000],
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    /// At least / above and at most / below split the subtotals exactly at
    /// the threshold: each pair of complements accepts every subtotal by
    /// exactly one of the two, and says what is missing or over to the
    /// cent.
    #[test]
    fn inclusive_and_exclusive_bounds_partition_the_subtotals((t, s) in threshold_and_subtotal()) {
        let bound = eur(t).to_string();
        let program = eur_program(json!({"coupons": [
            {"id": "at-least", "codes": ["ATLEAST"], "min_subtotal": bound,
             "reward": {"type": "free_shipping"}},
            {"id": "above", "codes": ["ABOVE"], "min_subtotal": {"above": bound},
             "reward": {"type": "free_shipping"}},
            {"id": "at-most", "codes": ["ATMOST"], "max_subtotal": bound,
             "reward": {"type": "free_shipping"}},
            {"id": "below", "codes": ["BELOW"], "max_subtotal": {"below": bound},
             "reward": {"type": "free_shipping"}}
        ]}));
        let price = eur(s).to_string();
        let judge = |code: &str| {
            let e = eval(
                &program,
                &Basket::eur().line("TEA", 1, &price).shipping("4.90").coupon(code).build(),
            );
            verdict(&e, code)
        };
        let (at_least, above, at_most, below) =
            (judge("ATLEAST"), judge("ABOVE"), judge("ATMOST"), judge("BELOW"));
        prop_assert_eq!(at_least.is_none(), s >= t);
        prop_assert_eq!(above.is_none(), s > t);
        prop_assert_eq!(at_most.is_none(), s <= t);
        prop_assert_eq!(below.is_none(), s < t);
        // Complements: exactly one of each pair.
        prop_assert!(at_least.is_none() != below.is_none());
        prop_assert!(above.is_none() != at_most.is_none());
        // On the line itself, and only there, the two minimums differ.
        prop_assert_eq!(at_least.is_none() != above.is_none(), s == t);
        if let Some(r) = at_least {
            prop_assert_eq!(r, Rejection::MinimumNotMet {
                minimum: eur(t), subtotal: eur(s), missing: eur(t - s) });
        }
        if let Some(r) = above {
            prop_assert_eq!(r, Rejection::NotAboveMinimum {
                minimum: eur(t), subtotal: eur(s), missing: eur(t - s + 1) });
        }
        if let Some(r) = at_most {
            prop_assert_eq!(r, Rejection::AboveMaximum {
                maximum: eur(t), subtotal: eur(s), excess: eur(s - t) });
        }
        if let Some(r) = below {
            prop_assert_eq!(r, Rejection::NotBelowMaximum {
                maximum: eur(t), subtotal: eur(s), excess: eur(s - t + 1) });
        }
    }

    /// The condition leaves split the subtotals the same way.
    #[test]
    fn subtotal_leaves_partition_the_subtotals((t, s) in threshold_and_subtotal()) {
        let at = "2026-11-27T10:00:00Z".parse().unwrap();
        let order = Order::builder("A-1", "C-1", at, Currency::EUR)
            .line(Line::new("1", "TEA", 1, Money::new(eur(s), Currency::EUR)))
            .build()
            .unwrap();
        let customer = Customer::new("C-1").unwrap();
        let calendar = Calendar::new(Zone::parse("Europe/Lisbon").unwrap(), None, vec![]).unwrap();
        let facts = Facts::new(&order, &customer, &calendar, at);
        let holds = |c: Condition| c.evaluate(&facts).unwrap().met;
        let bound = eur(t);
        prop_assert_eq!(holds(Condition::SubtotalAbove(bound.into())), s > t);
        prop_assert_eq!(holds(Condition::SubtotalAtMost(bound.into())), s <= t);
        prop_assert!(
            holds(Condition::SubtotalAbove(bound.into())) != holds(Condition::SubtotalAtMost(bound.into()))
        );
        prop_assert!(
            holds(Condition::SubtotalAtLeast(bound.into())) != holds(Condition::SubtotalBelow(bound.into()))
        );
    }

    /// Bounds read back as written, whichever form.
    #[test]
    fn bounds_round_trip(cents in 0i64..=10_000_000, exclusive in any::<bool>()) {
        let amount = eur(cents);
        let min = if exclusive { Minimum::above(amount) } else { Minimum::at_least(amount) };
        let max = if exclusive { Maximum::below(amount) } else { Maximum::at_most(amount) };
        let min_back: Minimum = serde_json::from_value(serde_json::to_value(&min).unwrap()).unwrap();
        let max_back: Maximum = serde_json::from_value(serde_json::to_value(&max).unwrap()).unwrap();
        prop_assert_eq!(&min_back, &min);
        prop_assert_eq!(&max_back, &max);
        prop_assert_eq!(min.is_exclusive(), exclusive);
        prop_assert_eq!(max.is_exclusive(), exclusive);
    }
}

/// One step of a history: a checkout of lines (units, price in cents),
/// shipping or not, with the code or not; or the cancellation of the
/// `n`th checkout so far (modulo their count), perhaps one already
/// cancelled.
#[derive(Clone, Debug)]
enum Step {
    Buy {
        lines: Vec<(u32, i64)>,
        shipping: bool,
        code: bool,
    },
    Cancel(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (
            prop::collection::vec((1u32..=3, 100i64..=6_000), 1..=3),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(lines, shipping, code)| Step::Buy { lines, shipping, code }),
        1 => (0usize..64).prop_map(Step::Cancel),
    ]
}

/// What a host stores, applied as the effects say: spends with a
/// compare-and-set, releases once per key and never below zero.
#[derive(Default)]
struct Store {
    spent: BTreeMap<String, Decimal>,
    uses: BTreeMap<String, u64>,
    keys: BTreeSet<String>,
}

impl Store {
    fn spent(&self, promotion: &str) -> Decimal {
        self.spent.get(promotion).copied().unwrap_or(Decimal::ZERO)
    }

    fn uses(&self, counter: &str) -> u64 {
        self.uses.get(counter).copied().unwrap_or(0)
    }

    /// Stores `effects`; `Err` when a compare fails.
    fn store(&mut self, effects: &[Effect]) -> Result<(), String> {
        for effect in effects {
            if self.keys.contains(effect.key()) {
                continue;
            }
            match effect {
                Effect::SpendBudget {
                    promotion,
                    budget,
                    spent_seen,
                    amount,
                    ..
                } => {
                    let now = self.spent(promotion.as_str());
                    if now != *spent_seen {
                        return Err(format!("{promotion}: saw {spent_seen}, stored {now}"));
                    }
                    if now + amount > *budget {
                        return Err(format!("{promotion}: {now} + {amount} > {budget}"));
                    }
                    self.spent.insert(promotion.to_string(), now + amount);
                }
                Effect::ReleaseBudget {
                    promotion, amount, ..
                } => {
                    let now = self.spent(promotion.as_str());
                    self.spent
                        .insert(promotion.to_string(), (now - amount).max(Decimal::ZERO));
                }
                Effect::CouponRedemption {
                    coupon,
                    seen_overall,
                    ..
                } => {
                    let now = self.uses(coupon.as_str());
                    if now != *seen_overall {
                        return Err(format!("{coupon}: saw {seen_overall} uses, stored {now}"));
                    }
                    self.uses.insert(coupon.to_string(), now + 1);
                }
                Effect::ReleaseCoupon { coupon, .. } => {
                    let now = self.uses(coupon.as_str());
                    self.uses.insert(coupon.to_string(), now.saturating_sub(1));
                }
                _ => {}
            }
            self.keys.insert(effect.key().to_owned());
        }
        Ok(())
    }
}

/// Budgets small enough to run out within a history.
fn budgeted() -> Program {
    eur_program(json!({
        "coupons": [{"id": "ten", "codes": ["TEN"], "usage_limit": 6, "budget": "35.00",
                     "reward": {"type": "amount_off", "amount": "10.00"}}],
        "promotions": [
            {"id": "pct", "budget": "30.00", "reward": {"type": "percent_off", "percent": "10"}},
            {"id": "ship", "budget": "12.00", "min_subtotal": {"above": "20.00"},
             "reward": {"type": "free_shipping"}},
            {"id": "each", "budget": "4.00",
             "reward": {"type": "amount_off_each_unit", "amount": "0.50"}}
        ]
    }))
}

const BUDGETS: [(&str, &str); 4] = [
    ("ten", "35.00"),
    ("pct", "30.00"),
    ("ship", "12.00"),
    ("each", "4.00"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    /// Checkouts fed the store's spends and counts, their effects stored
    /// back, with cancellations (some twice) between them: no budget is
    /// ever exceeded, every compare-and-set holds, a refused promotion
    /// would have gone over, and what is stored never goes below zero and
    /// is exactly what the orders not cancelled spent and used.
    #[test]
    fn budgets_hold_across_checkouts_fed_their_own_effects(
        steps in prop::collection::vec(step(), 1..=14),
    ) {
        let program = budgeted();
        let mut store = Store::default();
        // Each order's evaluation, and whether it was cancelled.
        let mut orders: Vec<(Evaluation, bool)> = Vec::new();
        for step in steps {
            match step {
                Step::Buy { lines, shipping, code } => {
                    let mut basket = Basket::eur();
                    for (units, cents) in &lines {
                        basket = basket.line("TEA", u64::from(*units), &eur(*cents).to_string());
                    }
                    if shipping {
                        basket = basket.shipping("4.90");
                    }
                    if code {
                        basket = basket.coupon("TEN");
                        let used = store.uses("ten");
                        basket = basket.usage("TEN", used, used);
                    }
                    // Each order its own id, so its keys are its own.
                    let mut json = basket.to_json();
                    json["order"]["id"] = json!(format!("A-{}", orders.len()));
                    let mut checkout: Checkout = serde_json::from_value(json).unwrap();
                    for (id, _) in BUDGETS {
                        let so_far = store.spent(id);
                        if !so_far.is_zero() {
                            checkout = checkout
                                .with_budget_spent(BudgetSpent::new(id, so_far).unwrap());
                        }
                    }
                    let e = eval(&program, &checkout);
                    // Each refusal would have gone over.
                    let refusals = e
                        .trace
                        .iter()
                        .filter_map(|t| match &t.reason {
                            Reason::NotEligible { rejection } => Some(rejection),
                            Reason::CouponRejected { rejection, .. } => Some(rejection),
                            _ => None,
                        })
                        .filter_map(|r| match r {
                            Rejection::BudgetExceeded { budget, spent, amount } => {
                                Some((*budget, *spent, *amount))
                            }
                            _ => None,
                        });
                    for (budget, spent, amount) in refusals {
                        prop_assert!(spent + amount > budget, "{spent} + {amount} <= {budget}");
                        prop_assert!(amount > Decimal::ZERO);
                    }
                    store.store(&e.effects).map_err(TestCaseError::fail)?;
                    orders.push((e, false));
                }
                Step::Cancel(n) if !orders.is_empty() => {
                    let n = n % orders.len();
                    let at = "2026-11-28T10:00:00Z".parse().unwrap();
                    let cancellation = program.cancel(&orders[n].0, &[], at).unwrap();
                    store.store(&cancellation.effects).map_err(TestCaseError::fail)?;
                    orders[n].1 = true;
                }
                Step::Cancel(_) => {}
            }
            for (id, budget) in BUDGETS {
                let stored = store.spent(id);
                let live: Decimal = orders
                    .iter()
                    .filter(|(_, cancelled)| !cancelled)
                    .flat_map(|(e, _)| &e.effects)
                    .filter_map(|effect| match effect {
                        Effect::SpendBudget { promotion, amount, .. } if promotion == id => {
                            Some(*amount)
                        }
                        _ => None,
                    })
                    .sum();
                prop_assert!(stored >= Decimal::ZERO);
                prop_assert!(stored <= d(budget), "{id}: {stored} > {budget}");
                prop_assert_eq!(stored, live, "{}", id);
            }
            let live_uses = orders
                .iter()
                .filter(|(e, cancelled)| {
                    !cancelled
                        && e.effects.iter().any(|x| matches!(x, Effect::CouponRedemption { .. }))
                })
                .count() as u64;
            prop_assert_eq!(store.uses("ten"), live_uses);
            prop_assert!(store.uses("ten") <= 6);
        }
    }
}

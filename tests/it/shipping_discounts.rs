//! Shipping as a target: a percent or amount off the shipping charge
//! (`target: "shipping"`), steps measured on the shipping (`basis:
//! "shipping"`) or on the items for a discount on shipping, and a discount
//! on the items and the shipping together split by `shipping_share`
//! (proportional, or the items first and the shipping the remainder); the
//! shipping's part reported as a shipping discount; the errors of settings
//! that cannot apply; and properties: a shipping discount never exceeds the
//! shipping charged, and a combined discount's parts sum exactly to it.

use loyalty::evaluation::{DiscountDetail, Evaluation, Reason, Target};
use loyalty::prelude::*;
use loyalty::program::{Problem, ProgramError};
use loyalty::rules::coupon::Rejection;
use loyalty::rules::ladder::LadderBasis;
use loyalty::rules::promotion::{DiscountTarget, PromotionDefinition, ShippingShare};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eur_program, eval};

/// The line parts of rule `id`, line by line (zero where it has none).
fn parts(e: &Evaluation, id: &str) -> Vec<Decimal> {
    e.lines
        .iter()
        .map(|l| {
            l.discounts
                .iter()
                .filter(|p| p.rule.id == id)
                .map(|p| p.amount)
                .sum()
        })
        .collect()
}

/// The amount rule `id` took off `target`.
fn off(e: &Evaluation, id: &str, target: Target) -> Decimal {
    e.discounts
        .iter()
        .filter(|x| x.rule.id == id && x.target == target)
        .map(|x| x.amount)
        .sum()
}

/// A EUR program with `promotions`.
fn promoted(promotions: Value) -> Program {
    eur_program(json!({ "promotions": promotions }))
}

/// The error of a EUR program with `promotions` (or the fields of `extra`).
fn refused(extra: Value) -> ProgramError {
    let mut base = json!({"id": "shop", "currency": "EUR"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        base[k] = v;
    }
    let definition: ProgramDefinition = serde_json::from_value(base).expect("deserialises");
    Program::new(definition).expect_err("the program is refused")
}

// --- Off the shipping ----------------------------------------------------------

#[test]
fn a_percent_off_shipping_is_a_shipping_discount() {
    // saleor/saleor-docs, apply-vouchers.mdx: a 50% shipping voucher on a
    // 100.00 line with 20.00 shipping → shipping 10.00, total 110.00.
    let program = promoted(json!([{"id": "half-shipping", "codes": ["SHIP50"],
        "reward": {"type": "percent_off", "percent": "50", "target": "shipping"}}]));
    let basket = Basket::eur()
        .line("A", 1, "100.00")
        .shipping("20.00")
        .coupon("SHIP50");
    let e = eval(&program, &basket.build());
    assert_eq!(e.totals.shipping_discount, d("10.00"));
    assert_eq!(e.totals.discount, d("0.00"));
    assert_eq!(e.totals.payable, d("110.00"));
    // One discount, on the shipping, none on the lines.
    assert_eq!(e.discounts.len(), 1);
    let applied = &e.discounts[0];
    assert_eq!(applied.target, Target::Shipping);
    assert_eq!(applied.amount, d("10.00"));
    assert_eq!(applied.description(), "50% off shipping");
    assert!(matches!(
        applied.detail,
        DiscountDetail::PercentOffShipping { .. }
    ));
    assert!(e.lines[0].discounts.is_empty());
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.id == "half-shipping")
        .unwrap();
    assert_eq!(
        entry.message(),
        "applied: 10.00 EUR off shipping: 50% off shipping"
    );
    // The receipt lists it under the shipping.
    let receipt = e.to_string();
    let lines: Vec<&str> = receipt.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("shipping"))
        .unwrap();
    assert_eq!(
        lines[at + 1],
        "  promotion half-shipping             -10.00",
        "{receipt}"
    );
    // The code is redeemed like any other.
    assert_eq!(e.coupons[0].rejection, None);
}

#[test]
fn solidus_rounds_a_shipment_s_percent_on_its_cost() {
    // solidusio/solidus, tiered_percent_on_eligible_item_quantity_spec.rb:
    // a shipment of 29.00 at 10% → 2.90. A percent of 9.99 rounds once:
    // 0.999 → 1.00 half up, 0.99 toward zero.
    let program = promoted(json!([{"id": "ship10",
        "reward": {"type": "percent_off", "percent": "10", "target": "shipping"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "50.00")
            .shipping("29.00")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("2.90"));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "50.00").shipping("9.99").build(),
    );
    assert_eq!(e.totals.shipping_discount, d("1.00"));
    let down = eur_program(
        json!({"rounding": "toward_zero", "promotions": [{"id": "ship10",
        "reward": {"type": "percent_off", "percent": "10", "target": "shipping"}}]}),
    );
    let e = eval(
        &down,
        &Basket::eur().line("A", 1, "50.00").shipping("9.99").build(),
    );
    assert_eq!(e.totals.shipping_discount, d("0.99"));
}

#[test]
fn an_amount_off_shipping_never_exceeds_the_charge() {
    // 5.00 off a shipping of 4.90: 4.90; the capped percent the same way.
    let program = promoted(json!([
        {"id": "five", "reward": {"type": "amount_off", "amount": "5.00", "target": "shipping"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "10.00").shipping("4.90").build(),
    );
    assert_eq!(off(&e, "five", Target::Shipping), d("4.90"));
    assert_eq!(e.totals.payable, d("10.00"));
    assert_eq!(e.discounts[0].description(), "5.00 EUR off shipping");
    // A cap: 50% of 20.00 = 10.00, at most 6.00.
    let capped = promoted(json!([
        {"id": "half", "reward": {"type": "percent_off", "percent": "50", "cap": "6.00", "target": "shipping"}}
    ]));
    let e = eval(
        &capped,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("20.00")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("6.00"));
    assert_eq!(
        e.discounts[0].description(),
        "50% off shipping (capped at 6.00 EUR)"
    );
}

#[test]
fn shipping_discounts_stack_with_free_shipping_on_what_is_left() {
    // 2.00 off shipping (priority first), then free shipping takes the
    // 4.90 − 2.00 = 2.90 left; the shipping discount is the whole 4.90.
    let program = promoted(json!([
        {"id": "free", "reward": {"type": "free_shipping"}},
        {"id": "two", "priority": 5, "reward": {"type": "amount_off", "amount": "2.00", "target": "shipping"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "10.00").shipping("4.90").build(),
    );
    assert_eq!(off(&e, "two", Target::Shipping), d("2.00"));
    assert_eq!(off(&e, "free", Target::Shipping), d("2.90"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    // Compounding, a second percent off shipping comes off what is left:
    // 50% of 10.00 = 5.00, then 50% of 5.00 = 2.50.
    let halves = promoted(json!([
        {"id": "a", "reward": {"type": "percent_off", "percent": "50", "target": "shipping"}},
        {"id": "b", "reward": {"type": "percent_off", "percent": "50", "target": "shipping"}}
    ]));
    let e = eval(
        &halves,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("10.00")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("7.50"));
    // On the original: 5.00 then min(5.00, 5.00 left) = 5.00.
    let original = eur_program(
        json!({"stacking": {"percentages": "on_original"}, "promotions": [
            {"id": "a", "reward": {"type": "percent_off", "percent": "50", "target": "shipping"}},
            {"id": "b", "reward": {"type": "percent_off", "percent": "60", "target": "shipping"}}
        ]}),
    );
    let e = eval(
        &original,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("10.00")
            .build(),
    );
    assert_eq!(off(&e, "a", Target::Shipping), d("5.00"));
    assert_eq!(off(&e, "b", Target::Shipping), d("5.00"));
}

#[test]
fn a_discount_on_shipping_gives_nothing_without_shipping() {
    let program = promoted(json!([
        {"id": "auto", "reward": {"type": "percent_off", "percent": "50", "target": "shipping"}},
        {"id": "coded", "codes": ["SHIP"], "reward": {"type": "amount_off", "amount": "3.00", "target": "shipping"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "10.00").coupon("SHIP").build(),
    );
    assert!(e.discounts.is_empty());
    assert_eq!(e.coupons[0].rejection, Some(Rejection::NothingToDiscount));
    let entry = e.trace.iter().find(|t| t.rule.id == "auto").unwrap();
    assert!(matches!(
        &entry.reason,
        Reason::NotEligible {
            rejection: Rejection::NothingToDiscount
        }
    ));
}

#[test]
fn the_program_cap_leaves_shipping_discounts_alone() {
    // max_total caps the item discounts only: 5.00 off shipping stays.
    let program = eur_program(json!({"stacking": {"max_total": "1.00"}, "promotions": [
        {"id": "ship", "reward": {"type": "amount_off", "amount": "5.00", "target": "shipping"}},
        {"id": "items", "reward": {"type": "amount_off", "amount": "5.00"}}
    ]}));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "10.00").shipping("6.00").build(),
    );
    assert_eq!(e.totals.discount, d("1.00"));
    assert_eq!(e.totals.shipping_discount, d("5.00"));
    assert_eq!(e.totals.payable, d("10.00"));
}

// --- Steps -------------------------------------------------------------------

#[test]
fn steps_measured_on_the_shipping() {
    // 2.00 off shipping from a charge of 10.00, 5.00 from 20.00.
    let program = promoted(json!([{"id": "ship-steps",
        "reward": {"type": "amount_off", "target": "shipping", "basis": "shipping", "steps": [
            {"from": "10.00", "amount": "2.00"}, {"from": "20.00", "amount": "5.00"}]}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("15.00")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("2.00"));
    assert_eq!(
        e.discounts[0].description(),
        "step 1 reached (2.00 EUR off from 10.00) on shipping 15.00; 5.00 more reaches step 2"
    );
    assert_eq!(e.ladders[0].basis, d("15.00"));
    assert_eq!(e.ladders[0].amount, d("2.00"));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("25.00")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("5.00"));
    // Below the first step: not applied, with the standing.
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "10.00").shipping("8.00").build(),
    );
    assert_eq!(e.totals.shipping_discount, d("0.00"));
    let entry = e.trace.iter().find(|t| t.rule.id == "ship-steps").unwrap();
    assert_eq!(
        entry.message(),
        "not applied: shipping 8.00 is below the first step 10.00; 2.00 more reaches it"
    );
    // A code with shipping steps below the first: refused with the standing.
    let coded = promoted(json!([{"id": "ship-steps", "codes": ["SHIP"],
        "reward": {"type": "amount_off", "target": "shipping", "basis": "shipping", "steps": [
            {"from": "10.00", "amount": "2.00"}]}}]));
    let e = eval(
        &coded,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("8.00")
            .coupon("SHIP")
            .build(),
    );
    assert_eq!(
        e.coupons[0].to_string(),
        "this code starts at a shipping charge of 10.00 (this order's: 8.00)"
    );
    // Measured after discounts: a first 3.00 off shipping leaves 12.00 of
    // 15.00, which reaches 10.00 still; 8.00 of 11.00 would not.
    let after = promoted(json!([
        {"id": "first", "priority": 9, "reward": {"type": "amount_off", "amount": "3.00", "target": "shipping"}},
        {"id": "then", "reward": {"type": "percent_off", "target": "shipping", "basis": "shipping",
            "measure": "after_discounts", "steps": [{"from": "10.00", "percent": "50"}]}}
    ]));
    let e = eval(
        &after,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("15.00")
            .build(),
    );
    // 3.00, then 50% of the 12.00 left: 6.00.
    assert_eq!(off(&e, "then", Target::Shipping), d("6.00"));
    let e = eval(
        &after,
        &Basket::eur()
            .line("A", 1, "10.00")
            .shipping("11.00")
            .build(),
    );
    assert_eq!(off(&e, "then", Target::Shipping), d("0.00"));
    assert_eq!(e.totals.shipping_discount, d("3.00"));
}

#[test]
fn steps_on_the_subtotal_for_a_discount_on_shipping() {
    // Solidus's TieredPercent picks its tier on the order's item total and
    // applies the percent to each shipment: half the shipping from 50.00
    // of items, all of it from 100.00.
    let program = promoted(json!([{"id": "ship-tiers",
        "reward": {"type": "percent_off", "target": "shipping", "steps": [
            {"from": "50.00", "percent": "50"}, {"from": "100.00", "percent": "100"}]}}]));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "62.00").shipping("9.90").build(),
    );
    assert_eq!(e.totals.shipping_discount, d("4.95"));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "120.00")
            .shipping("9.90")
            .build(),
    );
    assert_eq!(e.totals.shipping_discount, d("9.90"));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "40.00").shipping("9.90").build(),
    );
    assert_eq!(e.totals.shipping_discount, d("0.00"));
}

// --- Items and shipping together ---------------------------------------------

#[test]
fn an_amount_off_items_and_shipping_in_proportion() {
    // 10.00 off 30.00 of items (20.00 + 10.00) and 10.00 of shipping:
    // 10 × 30/40 = 7.50 to the items (5.00 and 2.50), 2.50 to shipping.
    let program = promoted(json!([{"id": "order",
        "reward": {"type": "amount_off", "amount": "10.00", "target": "items_and_shipping"}}]));
    let basket = Basket::eur()
        .line("A", 1, "20.00")
        .line("B", 1, "10.00")
        .shipping("10.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "order"), [d("5.00"), d("2.50")]);
    assert_eq!(off(&e, "order", Target::Items), d("7.50"));
    assert_eq!(off(&e, "order", Target::Shipping), d("2.50"));
    assert_eq!(e.totals.discount, d("7.50"));
    assert_eq!(e.totals.shipping_discount, d("2.50"));
    assert_eq!(e.totals.payable, d("30.00"));
    // Reported twice, each part under its target, with one description.
    assert_eq!(e.discounts.len(), 2);
    for applied in &e.discounts {
        assert_eq!(
            applied.description(),
            "10.00 EUR off eligible items and shipping, split in proportion"
        );
    }
    let messages: Vec<String> = e
        .trace
        .iter()
        .filter(|t| t.rule.id == "order")
        .map(|t| t.message())
        .collect();
    assert_eq!(
        messages,
        [
            "applied: 7.50 EUR off the items: 10.00 EUR off eligible items and shipping, split in proportion",
            "applied: 2.50 EUR off shipping: 10.00 EUR off eligible items and shipping, split in proportion"
        ]
    );
}

#[test]
fn the_items_first_and_the_shipping_the_remainder() {
    // 35.00 off 30.00 of items and 10.00 of shipping, items first: 30.00
    // on the items, the 5.00 left on shipping.
    let program = promoted(json!([{"id": "order",
        "reward": {"type": "amount_off", "amount": "35.00", "target": "items_and_shipping",
                   "shipping_share": "remainder"}}]));
    let basket = Basket::eur()
        .line("A", 1, "20.00")
        .line("B", 1, "10.00")
        .shipping("10.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "order"), [d("20.00"), d("10.00")]);
    assert_eq!(off(&e, "order", Target::Shipping), d("5.00"));
    assert_eq!(e.totals.payable, d("5.00"));
    assert_eq!(
        e.discounts[0].description(),
        "35.00 EUR off eligible items and shipping, the items first"
    );
    // 20.00 items first: nothing left for the shipping, one discount.
    let small = promoted(json!([{"id": "order",
        "reward": {"type": "amount_off", "amount": "20.00", "target": "items_and_shipping",
                   "shipping_share": "remainder"}}]));
    let e = eval(&small, &basket.build());
    assert_eq!(e.totals.discount, d("20.00"));
    assert_eq!(e.totals.shipping_discount, d("0.00"));
    assert_eq!(e.discounts.len(), 1);
    // 100.00 off: everything, never below zero.
    let all = promoted(json!([{"id": "order",
        "reward": {"type": "amount_off", "amount": "100.00", "target": "items_and_shipping",
                   "shipping_share": "remainder"}}]));
    let e = eval(&all, &basket.build());
    assert_eq!(e.totals.discount, d("30.00"));
    assert_eq!(e.totals.shipping_discount, d("10.00"));
    assert_eq!(e.totals.payable, d("0.00"));
}

#[test]
fn a_percent_off_items_and_shipping() {
    // 10% of 30.00 + 9.99 = 3.999 → 4.00, split by 3000 : 999: 300.07… and
    // 99.92… cents, the leftover cent to the larger remainder (shipping):
    // 3.00 on the items (2.00 and 1.00), 1.00 on shipping.
    let program = promoted(json!([{"id": "ten",
        "reward": {"type": "percent_off", "percent": "10", "target": "items_and_shipping"}}]));
    let basket = Basket::eur()
        .line("A", 1, "20.00")
        .line("B", 1, "10.00")
        .shipping("9.99");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "ten"), [d("2.00"), d("1.00")]);
    assert_eq!(off(&e, "ten", Target::Shipping), d("1.00"));
    assert_eq!(
        e.discounts[0].description(),
        "10% off eligible items and shipping, split in proportion"
    );
    // Rounded per line, each line and the shipping on its own: 2.00, 1.00
    // and 0.999 → 1.00 alike; with 3 × 0.05 and a shipping of 0.05, per
    // line 1.5 → 2 and 0.5 → 1 cent: 0.03; on the total 10% of 0.20 = 0.02.
    let lines = |scope: &str| {
        eur_program(json!({"rounding_scope": scope, "promotions": [{"id": "ten",
            "reward": {"type": "percent_off", "percent": "10", "target": "items_and_shipping"}}]}))
    };
    let small = Basket::eur().line("CLIP", 3, "0.05").shipping("0.05");
    let e = eval(&lines("line"), &small.build());
    assert_eq!(off(&e, "ten", Target::Items), d("0.02"));
    assert_eq!(off(&e, "ten", Target::Shipping), d("0.01"));
    let e = eval(&lines("total"), &small.build());
    assert_eq!(
        off(&e, "ten", Target::Items) + off(&e, "ten", Target::Shipping),
        d("0.02")
    );
    // A cap spreads like an amount: 50% of 40.00 = 20.00 capped at 4.00,
    // in proportion 3.00 and 1.00.
    let capped = promoted(json!([{"id": "half",
        "reward": {"type": "percent_off", "percent": "50", "cap": "4.00", "target": "items_and_shipping"}}]));
    let e = eval(
        &capped,
        &Basket::eur()
            .line("A", 1, "30.00")
            .shipping("10.00")
            .build(),
    );
    assert_eq!(off(&e, "half", Target::Items), d("3.00"));
    assert_eq!(off(&e, "half", Target::Shipping), d("1.00"));
    assert_eq!(
        e.discounts[0].description(),
        "50% off eligible items and shipping (capped at 4.00 EUR), split in proportion"
    );
}

#[test]
fn a_combined_discount_uses_the_items_left_and_the_shipping_left() {
    // A 10.00 amount off the items first leaves 20.00 of 30.00; then 10.00
    // off items and shipping (10.00) splits 20 : 10 → 6.67 and 3.33.
    let program = promoted(json!([
        {"id": "first", "priority": 9, "reward": {"type": "amount_off", "amount": "10.00"}},
        {"id": "order", "reward": {"type": "amount_off", "amount": "10.00", "target": "items_and_shipping"}}
    ]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "30.00")
            .shipping("10.00")
            .build(),
    );
    assert_eq!(off(&e, "order", Target::Items), d("6.67"));
    assert_eq!(off(&e, "order", Target::Shipping), d("3.33"));
    // The items part adds to the items' discount, the shipping part to
    // the shipping's.
    assert_eq!(e.totals.discount, d("16.67"));
    assert_eq!(e.totals.shipping_discount, d("3.33"));
}

// --- Errors --------------------------------------------------------------------

#[test]
fn bad_shipping_settings_are_errors_naming_the_path() {
    let promotion = |reward: Value| json!({"promotions": [{"id": "p", "reward": reward}]});
    let cases = [
        (
            promotion(json!({"type": "percent_off", "percent": "150", "target": "shipping"})),
            "promotions[0].reward.percent",
        ),
        (
            promotion(json!({"type": "amount_off", "basis": "shipping",
                             "steps": [{"from": "5.00", "amount": "1.00"}]})),
            "promotions[0].reward.basis",
        ),
        (
            promotion(
                json!({"type": "amount_off", "amount": "1.00", "shipping_share": "remainder"}),
            ),
            "promotions[0].reward.shipping_share",
        ),
        (
            promotion(
                json!({"type": "percent_off", "target": "shipping", "mode": "bracket",
                             "steps": [{"from": "0", "percent": "5"}]}),
            ),
            "promotions[0].reward.mode",
        ),
        (
            promotion(
                json!({"type": "percent_off", "target": "shipping", "mode": "bracket",
                             "basis": "shipping", "steps": [{"from": "0", "percent": "5"}]}),
            ),
            "promotions[0].reward.mode",
        ),
        (
            promotion(json!({"type": "amount_off", "amount": "-1.00", "target": "shipping"})),
            "promotions[0].reward.amount",
        ),
    ];
    for (extra, path) in cases {
        assert_eq!(refused(extra).path(), path);
    }
    let problem = |extra| refused(extra).problem().clone();
    assert_eq!(
        problem(promotion(
            json!({"type": "percent_off", "percent": "150", "target": "shipping"})
        )),
        Problem::PercentOutOfRange { value: d("150") }
    );
    let off_items = problem(promotion(
        json!({"type": "percent_off", "basis": "shipping",
        "steps": [{"from": "5.00", "percent": "10"}]}),
    ));
    assert_eq!(off_items, Problem::ShippingBasisOffItems);
    assert_eq!(
        off_items.to_string(),
        "steps measured on the shipping charge give a discount on shipping: use a promotion whose reward has target \"shipping\" or \"items_and_shipping\", or basis \"subtotal\" or \"quantity\""
    );
    assert_eq!(
        problem(promotion(
            json!({"type": "amount_off", "amount": "1.00", "target": "shipping",
                                 "shipping_share": "proportional"})
        )),
        Problem::ShippingShareWithoutBoth
    );
    assert_eq!(
        problem(promotion(
            json!({"type": "percent_off", "target": "shipping",
                                 "steps": [{"from": "0", "percent": "5"}], "mode": "bracket"})
        )),
        Problem::BracketOffShipping
    );
    // A ladder discounts its lines: no shipping basis.
    let ladder = refused(json!({"ladders": [{"id": "l", "basis": "shipping",
        "steps": [{"from": "5.00", "percent": "10"}]}]}));
    assert_eq!(ladder.path(), "ladders[0].basis");
    assert_eq!(ladder.problem(), &Problem::ShippingBasisOffItems);
    // Rounding scope and split on a discount on shipping alone.
    let scoped = refused(json!({"promotions": [{"id": "p", "rounding_scope": "line",
        "reward": {"type": "percent_off", "percent": "10", "target": "shipping"}}]}));
    assert_eq!(scoped.path(), "promotions[0].rounding_scope");
    assert_eq!(
        scoped.problem().to_string(),
        "rounding_scope cannot apply here: a discount on shipping is one amount, rounded once; remove rounding_scope"
    );
    let split = refused(json!({"promotions": [{"id": "p", "split": "equal",
        "reward": {"type": "amount_off", "amount": "1.00", "target": "shipping"}}]}));
    assert_eq!(split.path(), "promotions[0].split");
    assert_eq!(
        split.problem(),
        &Problem::SplitWithoutLines {
            what: "a discount on shipping"
        }
    );
    // Per-line rounding with the items first: one amount.
    let remainder = refused(json!({"promotions": [{"id": "p", "rounding_scope": "line",
        "reward": {"type": "percent_off", "percent": "10", "target": "items_and_shipping",
                   "shipping_share": "remainder"}}]}));
    assert_eq!(remainder.path(), "promotions[0].rounding_scope");
    assert!(matches!(
        remainder.problem(),
        Problem::RoundingScopeOnOneAmount { .. }
    ));
    // A shipping threshold in the currency's minor units.
    let fine = refused(
        json!({"promotions": [{"id": "p", "reward": {"type": "amount_off",
        "target": "shipping", "basis": "shipping", "steps": [{"from": "5.001", "amount": "1.00"}]}}]}),
    );
    assert_eq!(fine.path(), "promotions[0].reward.steps[0].from");
    // An unknown target is refused when read.
    let unknown: Result<ProgramDefinition, _> = serde_json::from_value(json!({"id": "shop",
        "currency": "EUR", "promotions": [{"id": "p",
        "reward": {"type": "amount_off", "amount": "1.00", "target": "delivery"}}]}));
    assert!(unknown.is_err());
}

#[test]
fn builders_write_the_same_as_the_json() {
    let built = PromotionDefinition::amount_off("ten", "TEN", "10.00")
        .target(DiscountTarget::ItemsAndShipping)
        .shipping_share(ShippingShare::Remainder);
    let value = serde_json::to_value(&built).unwrap();
    assert_eq!(
        value["reward"],
        json!({"type": "amount_off", "amount": "10.00", "target": "items_and_shipping",
               "shipping_share": "remainder"})
    );
    let back: PromotionDefinition = serde_json::from_value(value).unwrap();
    assert_eq!(back, built);
    let shipping_steps = PromotionDefinition::steps("ship")
        .basis(LadderBasis::Shipping)
        .target(DiscountTarget::Shipping)
        .amount_from("10.00", "2.00");
    let program =
        Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(shipping_steps))
            .unwrap();
    let reward = &program.promotions()[0].definition.reward;
    assert_eq!(reward.target(), DiscountTarget::Shipping);
    assert_eq!(reward.type_name(), "amount_off");
    // Free shipping comes off the shipping; the default is the items.
    assert_eq!(Reward::FreeShipping.target(), DiscountTarget::Shipping);
    assert_eq!(
        Reward::amount_off(Decimal::ONE).target(),
        DiscountTarget::Items
    );
}

// --- Properties --------------------------------------------------------------

/// Up to 6 lines of 1–4 units at 0.01–100.00.
fn lines() -> impl Strategy<Value = Vec<(u64, i64)>> {
    prop::collection::vec((1u64..=4, 1i64..=10_000), 1..6)
}

fn basket(lines: &[(u64, i64)], shipping: i64) -> Basket {
    lines
        .iter()
        .enumerate()
        .fold(Basket::eur(), |b, (i, (q, cents))| {
            b.line(&format!("S{i}"), *q, &Decimal::new(*cents, 2).to_string())
        })
        .shipping(&Decimal::new(shipping, 2).to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// Discounts on the shipping never exceed the shipping charged, and a
    /// discount on the items and the shipping is given in full (or all
    /// there is), its two parts summing exactly to it; the totals stay
    /// exact and the payable never negative (checked by `eval`).
    #[test]
    fn shipping_discounts_stay_within_the_charge_and_parts_sum_exactly(
        lines in lines(),
        shipping in 0i64..3_000,
        amount in 0i64..20_000,
        percent in 1i64..=10_000,
        share in prop::sample::select(vec!["proportional", "remainder"]),
        policy in prop::sample::select(vec!["largest_remainder", "in_order", "round_then_in_order", "last_takes_difference", "first_takes_rest"]),
        with_free in any::<bool>(),
    ) {
        let mut promotions = vec![
            json!({"id": "ship", "priority": 2, "reward": {"type": "percent_off",
                   "percent": Decimal::new(percent, 2).to_string(), "target": "shipping"}}),
            json!({"id": "both", "priority": 3, "reward": {"type": "amount_off",
                   "amount": Decimal::new(amount, 2).to_string(),
                   "target": "items_and_shipping", "shipping_share": share}}),
        ];
        if with_free {
            promotions.push(json!({"id": "free", "reward": {"type": "free_shipping"}}));
        }
        let program = eur_program(json!({"remainder": policy, "promotions": promotions}));
        let e = eval(&program, &basket(&lines, shipping).build());
        prop_assert!(e.totals.shipping_discount <= e.totals.shipping);
        // The combined discount comes first (priority), on fresh amounts:
        // all of it, or every item and the shipping.
        let charged = e.totals.subtotal + e.totals.shipping;
        let both = off(&e, "both", Target::Items) + off(&e, "both", Target::Shipping);
        prop_assert_eq!(both, Decimal::new(amount, 2).min(charged));
        let on_lines: Decimal = parts(&e, "both").into_iter().sum();
        prop_assert_eq!(on_lines, off(&e, "both", Target::Items));
        if share == "remainder" {
            // The items first: the shipping only gets what they leave.
            let items = off(&e, "both", Target::Items);
            prop_assert!(off(&e, "both", Target::Shipping).is_zero() || items == e.totals.subtotal);
        }
        if with_free {
            prop_assert_eq!(e.totals.shipping_discount, e.totals.shipping);
        }
    }

    /// One percent off the shipping is that percent of it, rounded once.
    #[test]
    fn a_percent_off_shipping_is_the_rounded_percent(
        shipping in 0i64..100_000,
        percent in 1i64..=10_000,
    ) {
        let program = eur_program(json!({"promotions": [{"id": "ship", "reward": {"type": "percent_off",
            "percent": Decimal::new(percent, 2).to_string(), "target": "shipping"}}]}));
        let e = eval(&program, &basket(&[(1, 100)], shipping).build());
        let exact = Decimal::new(shipping, 2) * Decimal::new(percent, 2) / Decimal::ONE_HUNDRED;
        prop_assert_eq!(e.totals.shipping_discount, exact.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero));
        prop_assert!(e.totals.shipping_discount <= e.totals.shipping);
    }
}

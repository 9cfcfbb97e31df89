//! Checkout evaluation on hand-worked scenarios: ladders, allocation,
//! currencies, every coupon reward, every refusal, stacking, effects and
//! bad input. Each expected number is worked out in a comment.

use crate::util::common;

use common::{
    AT, Basket, check_invariants, d, eur_program, eval, program_in, seeds_ladder, seeds_program,
};
use loyalty::condition::{Fact, Value as Observed};
use loyalty::evaluate::{Checkout, EvaluationError};
use loyalty::evaluation::{Effect, Evaluation, RuleKind, Target};
use loyalty::money::Currency;
use loyalty::program::Program;
use loyalty::rules::coupon::{CouponVerdict, Rejection};
use rust_decimal::Decimal;
use serde_json::json;

/// A one-line EUR order of `price` on `program`.
fn one_line(program: &Program, price: &str) -> Evaluation {
    eval(program, &Basket::eur().line("TEA", 1, price).build())
}

/// The verdict on `code` in the evaluation of `basket`.
fn verdict(program: &Program, basket: &Basket, code: &str) -> CouponVerdict {
    let evaluation = eval(program, &basket.build());
    evaluation
        .coupon(code)
        .unwrap_or_else(|| panic!("a verdict for {code}"))
        .clone()
}

fn rejection(program: &Program, basket: &Basket, code: &str) -> Rejection {
    verdict(program, basket, code)
        .rejection
        .unwrap_or_else(|| panic!("{code} should be refused"))
}

fn coupon_program(coupons: serde_json::Value) -> Program {
    eur_program(json!({ "coupons": coupons }))
}

fn welcome() -> serde_json::Value {
    json!({"id": "welcome", "codes": ["WELCOME10"],
           "reward": {"type": "percent_off", "percent": "10"}})
}

// ---------------------------------------------------------------------------
// Ladders
// ---------------------------------------------------------------------------

#[test]
fn seeds_ladder_on_one_line_orders() {
    let program = seeds_program();
    // price → discount:
    //  99.99: below 100.00, nothing.
    // 100.00: 5% of 100.00 = 5.00 (inclusive threshold).
    // 199.99: 5% of 199.99 = 9.9995 → 10.00 half up.
    // 200.00: 10% of 200.00 = 20.00.
    // 250.00: 10% of 250.00 = 25.00.
    // 300.00: 15% of 300.00 = 45.00.
    for (price, discount) in [
        ("99.99", "0.00"),
        ("100.00", "5.00"),
        ("199.99", "10.00"),
        ("200.00", "20.00"),
        ("250.00", "25.00"),
        ("300.00", "45.00"),
    ] {
        let e = one_line(&program, price);
        assert_eq!(e.totals.discount, d(discount), "discount at {price}");
        assert_eq!(e.lines[0].net, d(price) - d(discount), "net at {price}");
        assert_eq!(e.ladders[0].amount, d(discount), "ladder amount at {price}");
        assert_eq!(
            e.totals.payable,
            d(price) - d(discount),
            "payable at {price}"
        );
    }
}

#[test]
fn ladder_below_the_first_step_says_what_is_missing() {
    let e = one_line(&seeds_program(), "99.99");
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert!(e.discounts.is_empty());
    assert_eq!(e.ladders[0].step, None);
    let next = e.ladders[0].next.expect("a next step");
    // 100.00 − 99.99 = 0.01 to step 0.
    assert_eq!(
        (next.step, next.from, next.missing),
        (0, d("100.00"), d("0.01"))
    );
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.kind == RuleKind::Ladder && t.rule.id == "spend-more")
        .expect("a trace entry for the ladder");
    assert!(!entry.applied);
    assert!(entry.message().contains("0.01 more"), "{}", entry.message());
    assert!(entry.message().contains("99.99"), "{}", entry.message());
}

#[test]
fn ladder_next_step_and_missing_amounts() {
    let program = seeds_program();
    // 100.00: step 0 reached, 100.00 more to 200.00 (step 1).
    let e = one_line(&program, "100.00");
    assert_eq!(e.ladders[0].step, Some(0));
    let next = e.ladders[0].next.expect("next");
    assert_eq!((next.step, next.missing), (1, d("100.00")));
    // 150.00: still step 0, 50.00 to step 1.
    let e = one_line(&program, "150.00");
    assert_eq!(e.ladders[0].step, Some(0));
    assert_eq!(e.ladders[0].next.expect("next").missing, d("50.00"));
    // 250.00: step 1, 50.00 to step 2; the trace says so (step 3 for people).
    let e = one_line(&program, "250.00");
    assert_eq!(e.ladders[0].step, Some(1));
    let next = e.ladders[0].next.expect("next");
    assert_eq!((next.step, next.missing), (2, d("50.00")));
    let entry = e.trace.iter().find(|t| t.applied).expect("applied entry");
    assert!(
        entry.message().contains("50.00 more reaches step 3"),
        "{}",
        entry.message()
    );
    // 300.00: top step, nothing further.
    let e = one_line(&program, "300.00");
    assert_eq!(e.ladders[0].step, Some(2));
    assert_eq!(e.ladders[0].next, None);
    assert_eq!(e.ladders[0].basis, d("300.00"));
}

#[test]
fn exclusive_thresholds_need_more_than_the_threshold() {
    let mut ladder = seeds_ladder();
    ladder["thresholds"] = json!("exclusive");
    let program = eur_program(json!({ "ladders": [ladder] }));
    // 100.00 is not above 100.00: nothing; one cent more (100.01) passes.
    let e = one_line(&program, "100.00");
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.ladders[0].step, None);
    assert_eq!(e.ladders[0].next.expect("next").missing, d("0.01"));
    // 100.01: 5% = 5.0005 → 5.00.
    assert_eq!(one_line(&program, "100.01").totals.discount, d("5.00"));
    // 200.00 is only above 100: 5% of 200.00 = 10.00.
    assert_eq!(one_line(&program, "200.00").totals.discount, d("10.00"));
    // 300.00 is above 200: 10% = 30.00.
    assert_eq!(one_line(&program, "300.00").totals.discount, d("30.00"));
}

#[test]
fn bracket_mode_taxes_each_band() {
    let mut ladder = seeds_ladder();
    ladder["mode"] = json!("bracket");
    let program = eur_program(json!({ "ladders": [ladder] }));
    // 250.00: 5% of (200 − 100) + 10% of (250 − 200) = 5.00 + 5.00 = 10.00.
    assert_eq!(one_line(&program, "250.00").totals.discount, d("10.00"));
    // 150.00: 5% of 50.00 = 2.50.
    assert_eq!(one_line(&program, "150.00").totals.discount, d("2.50"));
    // 350.00: 5.00 + 10.00 + 15% of 50.00 (7.50) = 22.50.
    assert_eq!(one_line(&program, "350.00").totals.discount, d("22.50"));
    // 99.99: nothing.
    assert_eq!(one_line(&program, "99.99").totals.discount, Decimal::ZERO);
}

#[test]
fn fixed_amount_ladder() {
    let program = eur_program(json!({"ladders": [{"id": "fixed", "steps": [
        {"from": "50.00", "amount": "5.00"},
        {"from": "100.00", "amount": "12.00"}]}]}));
    assert_eq!(one_line(&program, "49.99").totals.discount, Decimal::ZERO);
    assert_eq!(one_line(&program, "50.00").totals.discount, d("5.00"));
    assert_eq!(one_line(&program, "99.99").totals.discount, d("5.00"));
    assert_eq!(one_line(&program, "120.00").totals.discount, d("12.00"));
}

#[test]
fn fixed_amount_above_the_basket_is_clamped() {
    // A 5.00 step from 0.00 on a 3.00 basket gives 3.00, not 5.00.
    let program = eur_program(json!({"ladders": [{"id": "fixed", "steps": [
        {"from": "0.00", "amount": "5.00"}]}]}));
    let e = eval(
        &program,
        &Basket::eur()
            .line("PEN", 1, "3.00")
            .shipping("2.00")
            .build(),
    );
    assert_eq!(e.totals.discount, d("3.00"));
    assert_eq!(e.lines[0].net, Decimal::ZERO);
    // 3.00 − 3.00 + 2.00 shipping.
    assert_eq!(e.totals.payable, d("2.00"));
}

fn quantity_ladder(thresholds: &str) -> Program {
    eur_program(
        json!({"ladders": [{"id": "units", "basis": "quantity", "thresholds": thresholds,
        "steps": [{"from": "3", "amount": "5.00"}, {"from": "6", "amount": "12.00"}]}]}),
    )
}

#[test]
fn quantity_ladder_counts_units() {
    let program = quantity_ladder("inclusive");
    // 2 × 4.00 + 1 × 9.00: 3 units → 5.00, spread 8.00 : 9.00.
    // 500 × 8/17 = 235.29 → 235, 500 × 9/17 = 264.70 → 264; the cent left
    // goes to the larger remainder (.70): 2.35 and 2.65.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 2, "4.00")
            .line("MUG", 1, "9.00")
            .build(),
    );
    assert_eq!(e.totals.discount, d("5.00"));
    assert_eq!(e.lines[0].discounts[0].amount, d("2.35"));
    assert_eq!(e.lines[1].discounts[0].amount, d("2.65"));
    assert_eq!(e.ladders[0].basis, d("3"));
    let next = e.ladders[0].next.expect("next");
    assert_eq!((next.step, next.missing), (1, d("3")));
    // 2 units: not applied, one more unit reaches it.
    let e = eval(&program, &Basket::eur().line("TEA", 2, "4.00").build());
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.ladders[0].next.expect("next").missing, d("1"));
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.id == "units")
        .expect("trace");
    assert!(!entry.applied);
    assert!(
        entry.message().contains("1 more reaches it"),
        "{}",
        entry.message()
    );
    // 6 units: 12.00.
    let e = eval(&program, &Basket::eur().line("TEA", 6, "4.00").build());
    assert_eq!(e.totals.discount, d("12.00"));
}

#[test]
fn quantity_ladder_with_exclusive_thresholds_counts_whole_units() {
    let program = quantity_ladder("exclusive");
    // 3 units is not above 3: nothing; one more unit (4) passes.
    let e = eval(&program, &Basket::eur().line("TEA", 3, "5.00").build());
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.ladders[0].next.expect("next").missing, d("1"));
    // 4 units: above 3 → 5.00; the next step (above 6) needs 7 units: 3 more.
    let e = eval(&program, &Basket::eur().line("TEA", 4, "5.00").build());
    assert_eq!(e.totals.discount, d("5.00"));
    assert_eq!(e.ladders[0].next.expect("next").missing, d("3"));
}

// ---------------------------------------------------------------------------
// Allocation over lines
// ---------------------------------------------------------------------------

#[test]
fn ten_off_over_three_equal_lines_uses_largest_remainder() {
    let program = coupon_program(json!([{"id": "ten-off", "codes": ["TENOFF"],
        "reward": {"type": "amount_off", "amount": "10.00"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "30.00")
            .line("B", 1, "30.00")
            .line("C", 1, "30.00")
            .coupon("TENOFF")
            .build(),
    );
    // 1000 cents / 3 = 333.33 each; the one cent left goes to the first of
    // equal remainders: 3.34, 3.33, 3.33.
    let parts: Vec<Decimal> = e.lines.iter().map(|l| l.discounts[0].amount).collect();
    assert_eq!(parts, [d("3.34"), d("3.33"), d("3.33")]);
    let nets: Vec<Decimal> = e.lines.iter().map(|l| l.net).collect();
    assert_eq!(nets, [d("26.66"), d("26.67"), d("26.67")]);
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.totals.payable, d("80.00"));
}

#[test]
fn ladder_spreads_in_proportion_and_skips_exempt_lines() {
    let program = seeds_program();
    // Eligible 40 + 35 + 25 = 100.00 (the 50.00 gift card is exempt and not
    // counted) → 5% = 5.00, split 2.00 / 1.75 / 1.25, nothing on the card.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "40.00")
            .line("B", 1, "35.00")
            .line("C", 1, "25.00")
            .exempt_line("GIFT-CARD", 1, "50.00")
            .build(),
    );
    assert_eq!(e.ladders[0].basis, d("100.00"));
    assert_eq!(e.totals.discount, d("5.00"));
    let parts: Vec<Decimal> = e
        .lines
        .iter()
        .map(|l| common::sum(l.discounts.iter().map(|x| x.amount)))
        .collect();
    assert_eq!(parts, [d("2.00"), d("1.75"), d("1.25"), d("0")]);
    assert_eq!(e.lines[3].net, d("50.00"));
    assert_eq!(e.totals.subtotal, d("150.00"));
    assert_eq!(e.totals.payable, d("145.00"));
}

// ---------------------------------------------------------------------------
// Currencies with 0 and 3 decimals
// ---------------------------------------------------------------------------

#[test]
fn jpy_rounds_to_whole_yen() {
    let program = program_in(
        "JPY",
        json!({"ladders": [{"id": "spend-more", "steps": [
            {"from": "1000", "percent": "5"}, {"from": "2000", "percent": "10"}]}]}),
    );
    // 5% of 1999 = 99.95 → 100 yen.
    let e = eval(&program, &Basket::new("JPY").line("TEA", 1, "1999").build());
    assert_eq!(e.currency, Currency::JPY);
    assert_eq!(e.totals.discount, d("100"));
    assert_eq!(e.totals.discount.fract(), Decimal::ZERO);
    assert_eq!(e.totals.payable, d("1899"));
    assert_eq!(e.ladders[0].next.expect("next").missing, d("1"));
    // Spread over 700 + 700 + 599 = 1999: 100 × 700/1999 = 35.017 → 35
    // twice, 100 × 599/1999 = 29.96 → 29; the yen left goes to the largest
    // remainder (.96): 35, 35, 30.
    let e = eval(
        &program,
        &Basket::new("JPY")
            .line("A", 1, "700")
            .line("B", 1, "700")
            .line("C", 1, "599")
            .build(),
    );
    let parts: Vec<Decimal> = e.lines.iter().map(|l| l.discounts[0].amount).collect();
    assert_eq!(parts, [d("35"), d("35"), d("30")]);
    // 999 yen: 1 yen more reaches 1000.
    let e = eval(&program, &Basket::new("JPY").line("TEA", 1, "999").build());
    assert_eq!(e.ladders[0].next.expect("next").missing, d("1"));
}

#[test]
fn kwd_rounds_to_the_fils() {
    let program = program_in(
        "KWD",
        json!({"ladders": [{"id": "spend-more", "steps": [{"from": "100.000", "percent": "5"}]}]}),
    );
    let kwd = |price: &str| eval(&program, &Basket::new("KWD").line("TEA", 1, price).build());
    // 5% of 100.005 = 5.00025 → 5.000.
    assert_eq!(kwd("100.005").totals.discount, d("5.000"));
    // 5% of 100.010 = 5.0005 → 5.001 half up.
    assert_eq!(kwd("100.010").totals.discount, d("5.001"));
    assert_eq!(kwd("100.010").totals.payable, d("95.009"));
    // 99.999: one fils short.
    assert_eq!(
        kwd("99.999").ladders[0].next.expect("next").missing,
        d("0.001")
    );
}

// ---------------------------------------------------------------------------
// Coupon rewards
// ---------------------------------------------------------------------------

#[test]
fn percent_off_with_a_cap() {
    let program = coupon_program(json!([{"id": "twenty", "codes": ["TWENTY"],
        "reward": {"type": "percent_off", "percent": "20", "cap": "15.00"}}]));
    // 20% of 100.00 = 20.00, capped at 15.00.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "100.00")
            .coupon("TWENTY")
            .build(),
    );
    assert_eq!(e.totals.discount, d("15.00"));
    let applied = e.discount("twenty").expect("applied");
    assert_eq!(applied.code.as_deref(), Some("TWENTY"));
    assert!(
        applied.description().contains("capped"),
        "{}",
        applied.description()
    );
    // 20% of 50.00 = 10.00, under the cap.
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "50.00").coupon("TWENTY").build(),
    );
    assert_eq!(e.totals.discount, d("10.00"));
}

#[test]
fn amount_off_above_the_eligible_amount_is_clamped() {
    let program = coupon_program(json!([{"id": "fifty", "codes": ["FIFTY"],
        "reward": {"type": "amount_off", "amount": "50.00"}}]));
    // 2 × 15.00 = 30.00 of items: 30.00 off, not 50.00; shipping still due.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 2, "15.00")
            .shipping("4.90")
            .coupon("FIFTY")
            .build(),
    );
    assert_eq!(e.totals.discount, d("30.00"));
    assert_eq!(e.lines[0].net, Decimal::ZERO);
    assert_eq!(e.totals.payable, d("4.90"));
}

#[test]
fn amount_off_each_unit_never_exceeds_a_unit() {
    let program = coupon_program(json!([{"id": "unit", "codes": ["UNIT"],
        "reward": {"type": "amount_off_each_unit", "amount": "1.00"}}]));
    // 3 × 5.00: 3 × 1.00 = 3.00; 2 × 0.50: at most 1.00 (the line's net).
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 3, "5.00")
            .line("SAMPLE", 2, "0.50")
            .coupon("UNIT")
            .build(),
    );
    assert_eq!(e.lines[0].discounts[0].amount, d("3.00"));
    assert_eq!(e.lines[1].discounts[0].amount, d("1.00"));
    assert_eq!(e.lines[1].net, Decimal::ZERO);
    assert_eq!(e.totals.discount, d("4.00"));
}

#[test]
fn free_shipping_waives_the_shipping() {
    let program = coupon_program(json!([{"id": "ship", "codes": ["SHIPFREE"],
        "reward": {"type": "free_shipping"}}]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "20.00")
            .shipping("4.90")
            .coupon("shipfree")
            .build(),
    );
    assert_eq!(e.totals.shipping, d("4.90"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.totals.payable, d("20.00"));
    let applied = e.discount("ship").expect("applied");
    assert_eq!(applied.target, Target::Shipping);
    assert_eq!(applied.amount, d("4.90"));
    assert!(e.lines[0].discounts.is_empty());
}

#[test]
fn cheapest_free_takes_the_cheapest_unit_earlier_line_on_a_tie() {
    let program = coupon_program(json!([{"id": "cheap", "codes": ["CHEAP"],
        "reward": {"type": "cheapest_free"}}]));
    // Units at 10.00, 5.00, 5.00, 5.00: one 5.00 unit, from line 2 (the
    // earlier of lines 2 and 3).
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .line("B", 2, "5.00")
            .line("C", 1, "5.00")
            .coupon("CHEAP")
            .build(),
    );
    assert_eq!(e.totals.discount, d("5.00"));
    assert!(e.lines[0].discounts.is_empty());
    assert_eq!(e.lines[1].discounts[0].amount, d("5.00"));
    assert_eq!(e.lines[1].net, d("5.00"));
    assert!(e.lines[2].discounts.is_empty());
}

fn buy_two_get_one(max: Option<u32>) -> Program {
    let mut reward = json!({"type": "buy_x_get_y", "buy": 2, "get": 1});
    if let Some(max) = max {
        reward["max_applications"] = json!(max);
    }
    coupon_program(json!([{"id": "b2g1", "codes": ["B2G1"], "reward": reward}]))
}

fn seven_mixed_units() -> Basket {
    // 2 × 10.00, 1 × 3.00, 3 × 7.00, 1 × 1.00 = 7 units, 45.00.
    Basket::eur()
        .line("A", 2, "10.00")
        .line("B", 1, "3.00")
        .line("C", 3, "7.00")
        .line("D", 1, "1.00")
        .coupon("B2G1")
}

#[test]
fn buy_two_get_one_frees_the_cheapest_units() {
    // 7 units = 2 whole groups of 3 → 2 free units: the 1.00 and the 3.00.
    let e = eval(&buy_two_get_one(None), &seven_mixed_units().build());
    assert_eq!(e.totals.discount, d("4.00"));
    assert_eq!(e.lines[3].discounts[0].amount, d("1.00"));
    assert_eq!(e.lines[1].discounts[0].amount, d("3.00"));
    assert!(e.lines[0].discounts.is_empty());
    assert!(e.lines[2].discounts.is_empty());
    assert_eq!(e.totals.payable, d("41.00"));
}

#[test]
fn buy_two_get_one_with_max_applications() {
    // At most 1 group → only the 1.00 unit.
    let e = eval(&buy_two_get_one(Some(1)), &seven_mixed_units().build());
    assert_eq!(e.totals.discount, d("1.00"));
    assert_eq!(e.lines[3].discounts[0].amount, d("1.00"));
    assert!(e.lines[1].discounts.is_empty());
}

#[test]
fn free_gift_adds_a_gift_and_no_amount() {
    let program = coupon_program(json!([{"id": "tote", "codes": ["TOTE"],
        "reward": {"type": "free_gift", "sku": "TOTE-BAG", "value": "8.00"}}]));
    let e = eval(
        &program,
        &Basket::eur().line("A", 1, "20.00").coupon("TOTE").build(),
    );
    assert_eq!(e.totals.discount, Decimal::ZERO);
    assert_eq!(e.totals.payable, d("20.00"));
    assert_eq!(e.gifts.len(), 1);
    assert_eq!(e.gifts[0].sku.as_str(), "TOTE-BAG");
    assert_eq!(e.gifts[0].quantity, 1);
    assert_eq!(e.gifts[0].value, d("8.00"));
    let gift_effects: Vec<_> = e
        .effects
        .iter()
        .filter(|x| matches!(x, Effect::AddGift { .. }))
        .collect();
    assert_eq!(gift_effects.len(), 1);
    assert_eq!(
        serde_json::to_value(gift_effects[0]).expect("serialises"),
        json!({"effect": "add_gift", "key": "seeds/A-1/gift:tote", "coupon": "tote",
               "sku": "TOTE-BAG", "quantity": 1})
    );
    assert!(e.coupon("TOTE").expect("verdict").is_accepted());
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

fn hundred() -> Basket {
    Basket::eur().line("TEA", 1, "100.00")
}

#[test]
fn unknown_code() {
    let program = coupon_program(json!([welcome()]));
    let v = verdict(&program, &hundred().coupon("NOPE"), "NOPE");
    assert_eq!(v.rejection, Some(Rejection::UnknownCode));
    assert_eq!(v.coupon, None);
    assert_eq!(v.message(), "this code does not exist");
}

#[test]
fn codes_match_ignoring_case_and_surrounding_space() {
    let program = coupon_program(json!([welcome()]));
    let e = eval(&program, &hundred().coupon(" welcome10 ").build());
    let v = &e.coupons[0];
    assert_eq!(v.code, " welcome10 ");
    assert!(v.is_accepted(), "{v:?}");
    assert_eq!(v.coupon.as_deref(), Some("welcome"));
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.discounts[0].code.as_deref(), Some("WELCOME10"));
}

#[test]
fn duplicate_code_counts_once() {
    let program = coupon_program(json!([welcome()]));
    let e = eval(
        &program,
        &hundred().coupon("WELCOME10").coupon(" Welcome10").build(),
    );
    assert!(e.coupons[0].is_accepted());
    assert_eq!(e.coupons[1].rejection, Some(Rejection::DuplicateCode));
    // 10% once: 10.00, not 19.00.
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.discounts.len(), 1);
}

fn black_friday() -> Program {
    program_in(
        "EUR",
        json!({"time_zone": "America/Sao_Paulo", "coupons": [{"id": "bf", "codes": ["BF"],
            "valid": {"from": "2026-11-27", "to": "2026-11-27"},
            "reward": {"type": "amount_off", "amount": "5.00"}}]}),
    )
}

#[test]
fn validity_window_is_read_at_local_midnight() {
    let program = black_friday();
    let at = |instant: &str| hundred().coupon("BF").at(instant);
    let midnight_27 = "2026-11-27T00:00:00".parse().expect("date-time");
    let midnight_28 = "2026-11-28T00:00:00".parse().expect("date-time");
    // São Paulo is UTC−3: 02:59:59Z is 23:59:59 on the 26th.
    assert_eq!(
        rejection(&program, &at("2026-11-27T02:59:59Z"), "BF"),
        Rejection::NotYetValid {
            starts: midnight_27
        }
    );
    // 03:00:00Z is 00:00 on the 27th: valid.
    let e = eval(&program, &at("2026-11-27T03:00:00Z").build());
    assert!(e.coupons[0].is_accepted());
    assert_eq!(e.totals.discount, d("5.00"));
    // 2026-11-28T02:59:59Z is 23:59:59 on the 27th: still valid.
    assert!(verdict(&program, &at("2026-11-28T02:59:59Z"), "BF").is_accepted());
    // 03:00:00Z is 00:00 on the 28th: expired.
    assert_eq!(
        rejection(&program, &at("2026-11-28T03:00:00Z"), "BF"),
        Rejection::Expired { ended: midnight_28 }
    );
}

#[test]
fn usage_limit_reached() {
    let program = coupon_program(json!([{"id": "limited", "codes": ["LIMITED"],
        "usage_limit": 100, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let basket = hundred().coupon("LIMITED");
    assert_eq!(
        rejection(
            &program,
            &basket.clone().usage("limited", 100, 0),
            "LIMITED"
        ),
        Rejection::UsageLimitReached {
            limit: 100,
            used: 100
        }
    );
    assert!(verdict(&program, &basket.usage("LIMITED", 99, 0), "LIMITED").is_accepted());
}

#[test]
fn unique_code_used_once_is_spent() {
    let program = coupon_program(json!([{"id": "batch", "codes": ["GIFT-AAA", "GIFT-BBB"],
        "unique": true, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let basket = hundred().usage("GIFT-AAA", 1, 0);
    assert_eq!(
        rejection(&program, &basket.clone().coupon("gift-aaa"), "GIFT-AAA"),
        Rejection::UsageLimitReached { limit: 1, used: 1 }
    );
    // Another code of the batch, never used.
    assert!(verdict(&program, &basket.coupon("GIFT-BBB"), "GIFT-BBB").is_accepted());
}

#[test]
fn per_customer_limit_reached() {
    let program = coupon_program(json!([{"id": "once", "codes": ["ONCE"],
        "per_customer_limit": 1, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    assert_eq!(
        rejection(
            &program,
            &hundred().coupon("ONCE").usage("ONCE", 5, 1),
            "ONCE"
        ),
        Rejection::PerCustomerLimitReached { limit: 1, used: 1 }
    );
    // Used by others only: fine.
    assert!(
        verdict(
            &program,
            &hundred().coupon("ONCE").usage("ONCE", 5, 0),
            "ONCE"
        )
        .is_accepted()
    );
}

#[test]
fn minimum_not_met_says_what_is_missing() {
    let program = coupon_program(json!([{"id": "min", "codes": ["MIN50"],
        "min_subtotal": "50.00", "reward": {"type": "amount_off", "amount": "5.00"}}]));
    // 3 × 12.50 = 37.50; 50.00 − 37.50 = 12.50 missing.
    let v = verdict(
        &program,
        &Basket::eur().line("TEA", 3, "12.50").coupon("MIN50"),
        "MIN50",
    );
    assert_eq!(
        v.rejection,
        Some(Rejection::MinimumNotMet {
            minimum: d("50.00"),
            subtotal: d("37.50"),
            missing: d("12.50"),
        })
    );
    assert!(v.message().contains("12.50"), "{}", v.message());
    assert!(v.message().contains("50.00"), "{}", v.message());
}

#[test]
fn minimum_quantity_not_met() {
    let program = coupon_program(json!([{"id": "three", "codes": ["THREE"],
        "min_quantity": 3, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let v = verdict(
        &program,
        &Basket::eur().line("TEA", 2, "10.00").coupon("THREE"),
        "THREE",
    );
    assert_eq!(
        v.rejection,
        Some(Rejection::MinimumQuantityNotMet {
            minimum: 3,
            quantity: 2,
            missing: 1
        })
    );
    assert!(v.message().contains("add 1 more"), "{}", v.message());
}

#[test]
fn no_eligible_items() {
    let program = coupon_program(json!([{"id": "coffee", "codes": ["COFFEE"],
        "lines": {"categories": ["coffee"]},
        "reward": {"type": "percent_off", "percent": "10"}}]));
    let basket = Basket::eur()
        .line_in("GREEN", 1, "100.00", &["tea"])
        .coupon("COFFEE");
    assert_eq!(
        rejection(&program, &basket, "COFFEE"),
        Rejection::NoEligibleItems
    );
}

fn returning_customer(orders_before: u32) -> serde_json::Value {
    json!({"id": "C-1", "tier": "silver", "segments": ["retail"],
           "stats": {"orders_before": orders_before, "last_order_at": "2026-10-01T00:00:00Z"}})
}

#[test]
fn not_first_order() {
    let program = coupon_program(json!([{"id": "first", "codes": ["FIRST"],
        "first_order_only": true, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let basket = hundred().coupon("FIRST").customer(returning_customer(2));
    assert_eq!(
        rejection(&program, &basket, "FIRST"),
        Rejection::NotFirstOrder { order_number: 3 }
    );
    // A new customer's first order is fine.
    assert!(verdict(&program, &hundred().coupon("FIRST"), "FIRST").is_accepted());
}

#[test]
fn not_nth_order() {
    let program = coupon_program(json!([{"id": "fifth", "codes": ["FIFTH"],
        "order_number": 5, "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let basket = hundred().coupon("FIFTH").customer(returning_customer(1));
    let v = verdict(&program, &basket, "FIFTH");
    assert_eq!(
        v.rejection,
        Some(Rejection::NotNthOrder {
            required: 5,
            order_number: 2
        })
    );
    assert!(v.message().contains("order number 5"), "{}", v.message());
    let basket = hundred().coupon("FIFTH").customer(returning_customer(4));
    assert!(verdict(&program, &basket, "FIFTH").is_accepted());
}

#[test]
fn tier_not_allowed() {
    let program = coupon_program(json!([{"id": "gold", "codes": ["GOLD"],
        "tiers": ["gold"], "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let r = rejection(
        &program,
        &hundred().coupon("GOLD").customer(returning_customer(1)),
        "GOLD",
    );
    assert_eq!(
        serde_json::to_value(&r).expect("serialises"),
        json!({"reason": "tier_not_allowed", "tier": "silver", "allowed": ["gold"]})
    );
    // No tier at all.
    let r = rejection(&program, &hundred().coupon("GOLD"), "GOLD");
    assert!(
        matches!(r, Rejection::TierNotAllowed { tier: None, .. }),
        "{r:?}"
    );
}

#[test]
fn segment_not_allowed() {
    let program = coupon_program(json!([{"id": "trade", "codes": ["TRADE"],
        "segments": ["wholesale"], "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let r = rejection(
        &program,
        &hundred().coupon("TRADE").customer(returning_customer(1)),
        "TRADE",
    );
    assert_eq!(
        serde_json::to_value(&r).expect("serialises"),
        json!({"reason": "segment_not_allowed", "allowed": ["wholesale"]})
    );
}

#[test]
fn condition_not_met_carries_the_observation() {
    let program = coupon_program(json!([{"id": "app", "codes": ["APP"],
        "condition": {"channel_in": ["app"]},
        "reward": {"type": "amount_off", "amount": "5.00"}}]));
    let e = eval(&program, &hundred().channel("web").coupon("APP").build());
    let Some(Rejection::ConditionNotMet {
        because: Some(observation),
    }) = &e.coupons[0].rejection
    else {
        panic!(
            "expected ConditionNotMet with an observation: {:?}",
            e.coupons[0]
        );
    };
    assert_eq!(observation.fact, Fact::ChannelIn);
    assert!(!observation.met);
    assert_eq!(observation.observed, Observed::Text("web".to_owned()));
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.id == "app" && !t.applied)
        .expect("a trace entry");
    assert_eq!(entry.observation.as_ref(), Some(observation));
    assert!(
        e.coupons[0].message().contains("web"),
        "{}",
        e.coupons[0].message()
    );
    // Through the app it applies.
    let e = eval(&program, &hundred().channel("app").coupon("APP").build());
    assert!(e.coupons[0].is_accepted());
}

#[test]
fn two_exclusive_coupons_keep_the_bigger() {
    let program = coupon_program(json!([
        {"id": "ten-pct", "codes": ["TENPCT"], "stacking": "exclusive",
         "reward": {"type": "percent_off", "percent": "10"}},
        {"id": "fifteen", "codes": ["FIFTEEN"], "stacking": "exclusive",
         "reward": {"type": "amount_off", "amount": "15.00"}}
    ]));
    // 10% of 100.00 = 10.00 < 15.00.
    let e = eval(
        &program,
        &hundred().coupon("TENPCT").coupon("FIFTEEN").build(),
    );
    assert_eq!(e.totals.discount, d("15.00"));
    assert!(e.coupon("FIFTEEN").expect("verdict").is_accepted());
    assert_eq!(
        e.coupon("TENPCT").expect("verdict").rejection,
        Some(Rejection::NotCombinable {
            with: "coupon fifteen".to_owned()
        })
    );
    // No redemption for the refused code.
    assert_eq!(e.effects.len(), 1);
}

#[test]
fn free_shipping_without_shipping_gives_nothing() {
    let program = coupon_program(json!([{"id": "ship", "codes": ["SHIPFREE"],
        "reward": {"type": "free_shipping"}}]));
    assert_eq!(
        rejection(&program, &hundred().coupon("SHIPFREE"), "SHIPFREE"),
        Rejection::NothingToDiscount
    );
}

// ---------------------------------------------------------------------------
// Stacking
// ---------------------------------------------------------------------------

fn ladder_and_exclusive(amount: &str, extra: serde_json::Value) -> Program {
    let mut definition = json!({"ladders": [seeds_ladder()], "coupons": [
        {"id": "big", "codes": ["BIG"], "stacking": "exclusive",
         "reward": {"type": "amount_off", "amount": amount}}]});
    if let (Some(def), Some(extra)) = (definition.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            def.insert(k.clone(), v.clone());
        }
    }
    eur_program(definition)
}

fn two_fifty_with_big() -> Checkout {
    Basket::eur().line("TEA", 1, "250.00").coupon("BIG").build()
}

#[test]
fn best_for_customer_keeps_the_stackable_set_when_bigger() {
    // Ladder: 10% of 250.00 = 25.00 > exclusive 20.00.
    let e = eval(
        &ladder_and_exclusive("20.00", json!({})),
        &two_fifty_with_big(),
    );
    assert_eq!(e.totals.discount, d("25.00"));
    assert_eq!(
        e.coupon("BIG").expect("verdict").rejection,
        Some(Rejection::NotCombinable {
            with: "ladder spend-more".to_owned()
        })
    );
}

#[test]
fn best_for_customer_keeps_the_exclusive_when_bigger() {
    // Exclusive 30.00 > ladder 25.00: the ladder does not apply.
    let e = eval(
        &ladder_and_exclusive("30.00", json!({})),
        &two_fifty_with_big(),
    );
    assert_eq!(e.totals.discount, d("30.00"));
    assert!(e.coupon("BIG").expect("verdict").is_accepted());
    assert!(e.discount("spend-more").is_none());
    assert_eq!(e.ladders[0].amount, Decimal::ZERO);
    let entry = e
        .trace
        .iter()
        .find(|t| t.rule.id == "spend-more")
        .expect("ladder trace");
    assert!(!entry.applied);
    assert!(
        entry.message().contains("coupon big"),
        "{}",
        entry.message()
    );
}

#[test]
fn priority_keeps_the_higher_priority_even_if_smaller() {
    let mut program = ladder_and_exclusive("5.00", json!({"stacking": {"pick": "priority"}}));
    let mut definition = program.definition().clone();
    definition.coupons[0].priority = 10;
    program = Program::new(definition).expect("valid");
    // Exclusive 5.00 at priority 10 beats the 25.00 ladder at priority 0.
    let e = eval(&program, &two_fifty_with_big());
    assert_eq!(e.totals.discount, d("5.00"));
    assert!(e.discount("spend-more").is_none());

    // The ladder at priority 10 beats a 100.00 exclusive at priority 0.
    let mut definition = ladder_and_exclusive("100.00", json!({"stacking": {"pick": "priority"}}))
        .definition()
        .clone();
    definition.ladders[0].priority = 10;
    let program = Program::new(definition).expect("valid");
    let e = eval(&program, &two_fifty_with_big());
    assert_eq!(e.totals.discount, d("25.00"));
    assert!(matches!(
        e.coupon("BIG").expect("verdict").rejection,
        Some(Rejection::NotCombinable { .. })
    ));
}

#[test]
fn a_group_keeps_one_member_and_stacks_with_the_rest() {
    let program = coupon_program(json!([
        {"id": "ten-pct", "codes": ["TENPCT"], "stacking": {"group": "welcome"},
         "reward": {"type": "percent_off", "percent": "10"}},
        {"id": "five-off", "codes": ["FIVE"], "stacking": {"group": "welcome"},
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "ship", "codes": ["SHIPFREE"], "reward": {"type": "free_shipping"}}
    ]));
    // 10% of 100.00 = 10.00 beats 5.00 in the group; free shipping stacks.
    let e = eval(
        &program,
        &hundred()
            .shipping("4.90")
            .coupon("FIVE")
            .coupon("TENPCT")
            .coupon("SHIPFREE")
            .build(),
    );
    assert_eq!(e.totals.discount, d("10.00"));
    assert_eq!(e.totals.shipping_discount, d("4.90"));
    assert_eq!(
        e.coupon("FIVE").expect("verdict").rejection,
        Some(Rejection::NotCombinable {
            with: "coupon ten-pct".to_owned()
        })
    );
    assert!(e.coupon("TENPCT").expect("verdict").is_accepted());
    assert!(e.coupon("SHIPFREE").expect("verdict").is_accepted());
    assert_eq!(e.totals.payable, d("90.00"));
}

fn two_tens(percentages: &str) -> Program {
    eur_program(
        json!({"stacking": {"percentages": percentages}, "coupons": [
        {"id": "p1", "codes": ["P1"], "reward": {"type": "percent_off", "percent": "10"}},
        {"id": "p2", "codes": ["P2"], "reward": {"type": "percent_off", "percent": "10"}}]}),
    )
}

#[test]
fn compound_and_on_original_percentages() {
    let checkout = hundred().coupon("P1").coupon("P2").build();
    // Compound: 10.00, then 10% of 90.00 = 9.00: 19.00.
    let e = eval(&two_tens("compound"), &checkout);
    assert_eq!(e.totals.discount, d("19.00"));
    assert_eq!(e.discount("p2").expect("p2").amount, d("9.00"));
    // On the original: 10.00 + 10.00 = 20.00.
    let e = eval(&two_tens("on_original"), &checkout);
    assert_eq!(e.totals.discount, d("20.00"));
}

#[test]
fn max_total_caps_all_item_discounts() {
    let program = eur_program(json!({"stacking": {"max_total": "15.00"},
        "ladders": [seeds_ladder()]}));
    // Ladder 25.00 on 250.00, capped at 15.00.
    let e = eval(&program, &Basket::eur().line("TEA", 1, "250.00").build());
    assert_eq!(e.totals.discount, d("15.00"));
    let applied = e.discount("spend-more").expect("applied");
    assert!(
        applied.description().contains("cap"),
        "{}",
        applied.description()
    );
}

#[test]
fn max_total_percent_caps_all_item_discounts() {
    let program = eur_program(json!({"stacking": {"max_total_percent": "10"},
        "ladders": [seeds_ladder()],
        "coupons": [{"id": "five", "codes": ["FIVE"],
                     "reward": {"type": "amount_off", "amount": "5.00"}}]}));
    // Ladder 15% of 300.00 = 45.00 (+ 5.00 coupon), capped at 10% of 300.00 = 30.00.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "300.00")
            .coupon("FIVE")
            .build(),
    );
    assert_eq!(e.totals.discount, d("30.00"));
    assert_eq!(e.totals.payable, d("270.00"));
    // The cap is on the eligible subtotal: an exempt 100.00 card adds nothing.
    let e = eval(
        &program,
        &Basket::eur()
            .line("TEA", 1, "300.00")
            .exempt_line("CARD", 1, "100.00")
            .build(),
    );
    assert_eq!(e.totals.discount, d("30.00"));
}

// ---------------------------------------------------------------------------
// Effects
// ---------------------------------------------------------------------------

#[test]
fn coupon_redemption_effect_carries_key_and_seen_usage() {
    let program = coupon_program(json!([welcome()]));
    let e = eval(
        &program,
        &hundred()
            .coupon(" welcome10 ")
            .usage("Welcome10", 7, 2)
            .build(),
    );
    assert_eq!(e.effects.len(), 1);
    assert_eq!(e.effects[0].key(), "seeds/A-1/coupon:welcome:WELCOME10");
    assert_eq!(
        serde_json::to_value(&e.effects[0]).expect("serialises"),
        json!({"effect": "coupon_redemption", "key": "seeds/A-1/coupon:welcome:WELCOME10",
               "coupon": "welcome", "code": "WELCOME10", "customer": "C-1",
               "seen_overall": 7, "seen_by_customer": 2})
    );
    // Without usage: seen 0 and 0.
    let e = eval(&program, &hundred().coupon("WELCOME10").build());
    assert!(matches!(
        e.effects[0],
        Effect::CouponRedemption {
            seen_overall: 0,
            seen_by_customer: 0,
            ..
        }
    ));
}

#[test]
fn a_ladder_alone_has_no_effects() {
    let e = one_line(&seeds_program(), "250.00");
    assert!(e.effects.is_empty());
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[test]
fn currency_mismatch() {
    let error = seeds_program()
        .evaluate(&Basket::new("USD").line("TEA", 1, "100.00").build())
        .unwrap_err();
    assert_eq!(
        error,
        EvaluationError::CurrencyMismatch {
            program: "seeds".to_owned(),
            expected: Currency::EUR,
            served: "EUR".to_owned(),
            order: Currency::USD,
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("USD") && message.contains("EUR"),
        "{message}"
    );
    assert!(message.contains("convert"), "{message}");
}

#[test]
fn usage_contradiction() {
    let program = coupon_program(json!([welcome()]));
    let error = program
        .evaluate(
            &hundred()
                .coupon("WELCOME10")
                .usage("WELCOME10", 2, 3)
                .build(),
        )
        .unwrap_err();
    assert_eq!(
        error,
        EvaluationError::UsageContradiction {
            code: "WELCOME10".to_owned(),
            by_customer: 3,
            overall: 2,
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("by_customer 3 is above overall 2"),
        "{message}"
    );
}

#[test]
fn duplicate_usage() {
    let program = coupon_program(json!([welcome()]));
    let error = program
        .evaluate(
            &hundred()
                .usage("WELCOME10", 2, 1)
                .usage(" welcome10", 3, 1)
                .build(),
        )
        .unwrap_err();
    assert!(
        matches!(error, EvaluationError::DuplicateUsage { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("one entry per code"), "{error}");
}

#[test]
fn customer_mismatch() {
    let error = seeds_program()
        .evaluate(&hundred().order_customer("C-2").build())
        .unwrap_err();
    assert_eq!(
        error,
        EvaluationError::CustomerMismatch {
            order_customer: "C-2".to_owned(),
            customer: "C-1".to_owned(),
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("C-2") && message.contains("C-1"),
        "{message}"
    );
    assert!(message.contains("pass the order's customer"), "{message}");
}

#[test]
fn last_order_in_the_future() {
    let customer = json!({"id": "C-1", "stats": {"orders_before": 1,
        "last_order_at": "2026-11-28T00:00:00Z"}});
    let error = seeds_program()
        .evaluate(&hundred().customer(customer).build())
        .unwrap_err();
    assert_eq!(error, EvaluationError::LastOrderInFuture);
    let message = error.to_string();
    assert!(message.contains("last_order_at"), "{message}");
    assert!(message.contains("before this order"), "{message}");
}

// ---------------------------------------------------------------------------
// Purity and threads
// ---------------------------------------------------------------------------

#[test]
fn evaluate_changes_nothing_it_is_given() {
    let program = eur_program(json!({"ladders": [seeds_ladder()], "coupons": [welcome(),
        {"id": "ship", "codes": ["SHIPFREE"], "reward": {"type": "free_shipping"}}]}));
    let checkout = Basket::eur()
        .line("TEA", 2, "125.00")
        .shipping("4.90")
        .coupon("welcome10")
        .coupon("SHIPFREE")
        .usage("WELCOME10", 3, 1)
        .build();
    let checkout_before = checkout.clone();
    let program_before = format!("{program:?}");
    let first = eval(&program, &checkout);
    assert_eq!(checkout, checkout_before);
    assert_eq!(format!("{program:?}"), program_before);
    // And the same answer again.
    assert_eq!(eval(&program, &checkout), first);
    // 10% of 250.00 = 25.00, then 10% of 225.00 = 22.50: 47.50; shipping free.
    assert_eq!(first.totals.discount, d("47.50"));
    assert_eq!(first.totals.payable, d("202.50"));
    assert_eq!(
        first.at,
        AT.parse::<chrono::DateTime<chrono::Utc>>()
            .expect("instant")
    );
    check_invariants(&first);
}

const fn assert_send_sync<T: Send + Sync>() {}
const _: () = assert_send_sync::<Program>();
const _: () = assert_send_sync::<Checkout>();
const _: () = assert_send_sync::<Evaluation>();
const _: () = assert_send_sync::<EvaluationError>();

#[test]
fn one_program_serves_several_threads() {
    let program = seeds_program();
    let checkout = Basket::eur().line("TEA", 1, "250.00").build();
    let results: Vec<Evaluation> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| program.evaluate(&checkout).expect("evaluates")))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0].totals.discount, d("25.00"));
}

/// A unit made free is not also discounted per unit, in either order and
/// however the units are grouped in lines: 3 × 10.00 with 2.00 off each unit
/// and the cheapest unit free is 2 × 2.00 + 10.00 = 14.00 off, pays 16.00.
#[test]
fn a_free_unit_is_not_discounted_twice() {
    let coupons = json!([
        {"id": "each", "codes": ["EACH"], "reward": {"type": "amount_off_each_unit", "amount": "2.00"}},
        {"id": "free", "codes": ["FREE"], "reward": {"type": "cheapest_free"}}
    ]);
    let program = coupon_program(coupons);
    for codes in [["EACH", "FREE"], ["FREE", "EACH"]] {
        let one_line = Basket::eur()
            .line("TEA", 3, "10.00")
            .coupon(codes[0])
            .coupon(codes[1]);
        let three_lines = Basket::eur()
            .line("TEA", 1, "10.00")
            .line("TEA", 1, "10.00")
            .line("TEA", 1, "10.00")
            .coupon(codes[0])
            .coupon(codes[1]);
        for basket in [one_line, three_lines] {
            let e = eval(&program, &basket.build());
            assert_eq!(e.totals.discount, d("14.00"), "{codes:?}");
            assert_eq!(e.totals.payable, d("16.00"), "{codes:?}");
        }
    }
}

/// A ladder measured after earlier discounts reports where it was measured:
/// lines 195.00 and 15.00 with the cheapest unit free measure 195.00, step
/// 0 (5%), 5.00 short of step 1; the discount is 5% of 195.00 = 9.75.
#[test]
fn a_ladder_after_discounts_reports_its_own_standing() {
    let mut ladder = seeds_ladder();
    ladder["measure"] = json!("after_discounts");
    ladder["steps"] =
        json!([{"from": "100.00", "percent": "5"}, {"from": "200.00", "percent": "10"}]);
    let program = eur_program(json!({
        "ladders": [ladder],
        "coupons": [{"id": "free", "codes": ["FREE"], "reward": {"type": "cheapest_free"}}]
    }));
    let basket = Basket::eur()
        .line("BIG", 1, "195.00")
        .line("SMALL", 1, "15.00")
        .coupon("FREE");
    let e = eval(&program, &basket.build());
    let outcome = &e.ladders[0];
    assert_eq!(outcome.basis, d("195.00"));
    assert_eq!(outcome.step, Some(0));
    assert_eq!(outcome.next.map(|n| n.missing), Some(d("5.00")));
    assert_eq!(outcome.amount, d("9.75"));
}

/// Two codes of one unique batch in one order: the coupon applies once, and
/// the second code says so rather than claiming it was entered twice.
#[test]
fn a_second_code_of_the_same_batch_is_refused_for_what_it_is() {
    let program = coupon_program(json!([{
        "id": "batch", "codes": ["B-1", "B-2"], "unique": true,
        "reward": {"type": "amount_off", "amount": "5.00"}
    }]));
    let basket = Basket::eur()
        .line("TEA", 1, "50.00")
        .coupon("B-1")
        .coupon("B-2");
    assert_eq!(
        rejection(&program, &basket, "B-2"),
        Rejection::CouponAlreadyEntered
    );
    let e = eval(&program, &basket.build());
    assert_eq!(e.totals.discount, d("5.00"));
}

/// Condition messages write amounts with the currency's decimals: JPY has
/// none.
#[test]
fn condition_messages_use_the_currency_decimals() {
    let program = program_in(
        "JPY",
        json!({"coupons": [{"id": "big", "codes": ["BIG"],
            "condition": {"subtotal_at_least": "10000"},
            "reward": {"type": "amount_off", "amount": "500"}}]}),
    );
    let basket = Basket::new("JPY").line("TEA", 1, "5000").coupon("BIG");
    let message = verdict(&program, &basket, "BIG").message();
    assert!(
        message.ends_with("subtotal 5000 is below 10000"),
        "{message}"
    );
}

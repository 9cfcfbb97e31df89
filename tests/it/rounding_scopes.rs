//! Where a percent is rounded and how an amount is spread: the program's
//! and a promotion's `rounding_scope` (total, line, unit), the remainder
//! policies (largest remainder, in order, round then in order, last takes
//! difference, first takes rest) with their share rounding, and the
//! `split` (proportional, equal, equal per unit); each platform's
//! convention worked by hand from its own source; the errors of settings
//! that cannot apply; and properties: every scope, policy and split sums
//! exactly without a line below zero, and the line and unit scopes stay
//! within one minor unit per line (per unit) of the total scope.

use loyalty::evaluation::Evaluation;
use loyalty::money::{
    Currency, Money, RemainderPolicy, RoundingMode, RoundingScope, Split, allocate_with_rounding,
};
use loyalty::prelude::*;
use loyalty::program::{Problem, ProgramError};
use loyalty::rules::promotion::PromotionDefinition;
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

/// Decimals from text.
fn ds(texts: &[&str]) -> Vec<Decimal> {
    texts.iter().map(|t| d(t)).collect()
}

/// The error of a EUR program with the fields of `extra`.
fn refused(extra: Value) -> ProgramError {
    let mut base = json!({"id": "shop", "currency": "EUR"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        base[k] = v;
    }
    let definition: ProgramDefinition = serde_json::from_value(base).expect("deserialises");
    Program::new(definition).expect_err("the program is refused")
}

/// An automatic 10% off everything, with the program fields of `extra`.
fn ten_percent(extra: Value) -> Program {
    let mut fields =
        json!({"promotions": [{"id": "ten", "reward": {"type": "percent_off", "percent": "10"}}]});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        fields[k] = v;
    }
    eur_program(fields)
}

// --- Rounding scopes -------------------------------------------------------

/// Three units of 0.05 and one of 0.15: the example of `RoundingScope`'s
/// table.
fn small_units() -> Basket {
    Basket::eur().line("CLIP", 3, "0.05").line("PIN", 1, "0.15")
}

#[test]
fn the_three_scopes_on_one_basket() {
    // Total: 10% of 0.30 = 0.03, split 1.5 : 1.5 cents → 2, 1 (largest
    // remainder, ties to the first line).
    let total = eval(&ten_percent(json!({})), &small_units().build());
    assert_eq!(total.totals.discount, d("0.03"));
    assert_eq!(parts(&total, "ten"), ds(&["0.02", "0.01"]));
    // Line: 10% of 0.15 = 1.5 cents → 2 on each line: 0.04.
    let line = eval(
        &ten_percent(json!({"rounding_scope": "line"})),
        &small_units().build(),
    );
    assert_eq!(parts(&line, "ten"), ds(&["0.02", "0.02"]));
    assert_eq!(line.totals.discount, d("0.04"));
    assert_eq!(line.totals.payable, d("0.26"));
    // Unit: 10% of 0.05 = 0.5 cents → 1 a unit, 3 on the first line; 1.5
    // → 2 on the second: 0.05.
    let unit = eval(
        &ten_percent(json!({"rounding_scope": "unit"})),
        &small_units().build(),
    );
    assert_eq!(parts(&unit, "ten"), ds(&["0.03", "0.02"]));
    assert_eq!(unit.totals.discount, d("0.05"));
    // The same half down: 0.5 → 0 a unit, 1.5 → 1: line 0.02, unit 0.01;
    // the total 3 exactly.
    let half_down = |scope: &str| {
        eval(
            &ten_percent(json!({"rounding": "half_down", "rounding_scope": scope})),
            &small_units().build(),
        )
        .totals
        .discount
    };
    assert_eq!(half_down("total"), d("0.03"));
    assert_eq!(half_down("line"), d("0.02"));
    assert_eq!(half_down("unit"), d("0.01"));
}

#[test]
fn a_promotion_s_scope_overrides_the_program_s() {
    let program = eur_program(json!({
        "rounding_scope": "unit",
        "promotions": [
            {"id": "ten", "rounding_scope": "total",
             "reward": {"type": "percent_off", "percent": "10"}}
        ]
    }));
    // As the total scope above, though the program rounds per unit.
    let e = eval(&program, &small_units().build());
    assert_eq!(parts(&e, "ten"), ds(&["0.02", "0.01"]));
    assert_eq!(
        program.promotions()[0].definition.rounding_scope,
        Some(RoundingScope::Total)
    );
    assert_eq!(program.rounding_scope(), RoundingScope::Unit);
}

#[test]
fn the_scope_applies_to_steps_and_the_tier_s_discount() {
    // A step of 10% from 0.10 rounded per line: 0.02 + 0.02.
    let stepped = eur_program(json!({
        "promotions": [{"id": "steps", "rounding_scope": "line",
            "reward": {"type": "percent_off", "steps": [{"from": "0.10", "percent": "10"}]}}]
    }));
    let e = eval(&stepped, &small_units().build());
    assert_eq!(parts(&e, "steps"), ds(&["0.02", "0.02"]));
    // The gold tier's 10% follows the program's scope: per unit, 0.05.
    let tiered = eur_program(json!({
        "rounding_scope": "unit",
        "tiers": [{"id": "bronze"}, {"id": "silver"},
                  {"id": "gold", "benefits": {"discount_percent": "10"}}]
    }));
    let gold = small_units().customer(json!({"id": "C-1", "tier": "gold", "stats": {}}));
    let e = eval(&tiered, &gold.build());
    assert_eq!(e.totals.discount, d("0.05"));
}

#[test]
fn a_capped_percent_per_line_spreads_the_cap_like_an_amount() {
    // 15% per line of 120.00, 230.00, 300.00 = 18.00 + 34.50 + 45.00 =
    // 97.50, above the cap 50.00: the cap is spread in proportion,
    // 50 × 120/650 = 9.2307…, 17.6923…, 23.0769… → 9.23, 17.69, 23.08
    // (largest remainder).
    let program = eur_program(json!({
        "rounding_scope": "line",
        "promotions": [{"id": "capped", "reward": {"type": "percent_off", "percent": "15", "cap": "50.00"}}]
    }));
    let basket = Basket::eur()
        .line("A", 1, "120.00")
        .line("B", 1, "230.00")
        .line("C", 1, "300.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "capped"), ds(&["9.23", "17.69", "23.08"]));
    let detail = serde_json::to_value(&e.discounts[0].detail).unwrap();
    assert_eq!(detail["capped_at"], "50.00 EUR");
}

// --- Remainder policies ----------------------------------------------------

#[test]
fn the_remainder_policies_table() {
    // The table of `RemainderPolicy`'s documentation.
    let eur = Currency::EUR;
    let split = |amount: &str, weights: &[i64], policy, mode| -> Vec<String> {
        let weights: Vec<Decimal> = weights.iter().map(|&w| Decimal::from(w)).collect();
        allocate_with_rounding(Money::parse(amount, eur).unwrap(), &weights, policy, mode)
            .unwrap()
            .iter()
            .map(|m| m.amount().to_string())
            .collect()
    };
    use RemainderPolicy::*;
    use RoundingMode::{HalfDown, HalfUp};
    let rows = [
        (
            LargestRemainder,
            ["0.04", "0.03", "0.03"],
            ["0.01", "0.01", "0.01"],
            ["1.61", "0.53", "0.86"],
        ),
        (
            InOrder,
            ["0.04", "0.03", "0.03"],
            ["0.02", "0.01", "0.00"],
            ["1.62", "0.52", "0.86"],
        ),
        (
            RoundThenInOrder,
            ["0.04", "0.03", "0.03"],
            ["0.01", "0.01", "0.01"],
            ["1.62", "0.52", "0.86"],
        ),
        (
            LastTakesDifference,
            ["0.03", "0.03", "0.04"],
            ["0.02", "0.01", "0.00"],
            ["1.61", "0.52", "0.87"],
        ),
        (
            FirstTakesRest,
            ["0.04", "0.03", "0.03"],
            ["0.02", "0.01", "0.00"],
            ["1.62", "0.52", "0.86"],
        ),
    ];
    for (policy, thirds, halves, sylius) in rows {
        // 0.10 by 1:1:1 (3.33 cents each); 0.03 by 2:1:1 (1.5, 0.75, 0.75);
        // 3.00 by 43:14:23 (161.25, 52.5, 86.25) with half-down shares.
        assert_eq!(
            split("0.10", &[1, 1, 1], policy, HalfUp),
            thirds,
            "{policy:?}"
        );
        assert_eq!(
            split("0.03", &[2, 1, 1], policy, HalfUp),
            halves,
            "{policy:?}"
        );
        assert_eq!(
            split("3.00", &[43, 14, 23], policy, HalfDown),
            sylius,
            "{policy:?}"
        );
    }
    // `allocate` rounds the shares half up: 161.25, 52.5 → 53, 86.25 give
    // 161, 53, 86 = 300 at once.
    let weights = [Decimal::from(43), Decimal::from(14), Decimal::from(23)];
    let parts = loyalty::money::allocate(
        Money::parse("3.00", eur).unwrap(),
        &weights,
        RoundThenInOrder,
    )
    .unwrap();
    let shown: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
    assert_eq!(shown, ["1.61", "0.53", "0.86"]);
}

#[test]
fn the_policies_reach_the_evaluation_and_its_cap() {
    // 0.10 off three lines of 1.00: last takes difference gives the last
    // line the extra cent.
    let program = eur_program(json!({
        "remainder": "last_takes_difference",
        "promotions": [{"id": "dime", "reward": {"type": "amount_off", "amount": "0.10"}}]
    }));
    let basket = Basket::eur()
        .line("A", 1, "1.00")
        .line("B", 1, "1.00")
        .line("C", 1, "1.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "dime"), ds(&["0.03", "0.03", "0.04"]));
    // The program's cap splits by the same policy: 10% (0.30 → 0.10,
    // 0.10, 0.10) cut to 0.10 by max_total: 0.03, 0.03, 0.04.
    let capped = eur_program(json!({
        "remainder": "last_takes_difference",
        "stacking": {"max_total": "0.10"},
        "promotions": [{"id": "ten", "reward": {"type": "percent_off", "percent": "10"}}]
    }));
    let e = eval(&capped, &basket.build());
    assert_eq!(parts(&e, "ten"), ds(&["0.03", "0.03", "0.04"]));
    assert!(e.discounts[0].capped_by_total);
}

#[test]
fn share_rounding_without_a_rounding_policy_is_a_warning() {
    let program = eur_program(json!({"share_rounding": "half_down"}));
    let warning = &program.warnings()[0];
    assert_eq!(warning.path(), "share_rounding");
    assert_eq!(
        warning.to_string(),
        "share_rounding: share_rounding has no effect: the remainder policy does not round each share (only round_then_in_order and last_takes_difference do)"
    );
    // With a policy that rounds: no warning, and the program says it.
    let program =
        eur_program(json!({"share_rounding": "half_down", "remainder": "round_then_in_order"}));
    assert!(program.warnings().is_empty());
    assert_eq!(program.share_rounding(), RoundingMode::HalfDown);
    // Without it, the program's rounding.
    let program = eur_program(json!({"rounding": "half_even"}));
    assert_eq!(program.share_rounding(), RoundingMode::HalfEven);
}

// --- Splits ------------------------------------------------------------------

#[test]
fn an_equal_split_gives_each_line_the_same_within_its_amount() {
    // 10.00 equally over 1.00, 50.00 and 50.00: the first line gives its
    // 1.00, the others 4.50 each.
    let program = eur_program(json!({
        "promotions": [{"id": "ten", "split": "equal", "reward": {"type": "amount_off", "amount": "10.00"}}]
    }));
    let basket = Basket::eur()
        .line("A", 1, "1.00")
        .line("B", 1, "50.00")
        .line("C", 1, "50.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "ten"), ds(&["1.00", "4.50", "4.50"]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "1.00")
            .line("B", 1, "9.00")
            .line("C", 1, "5.00")
            .build(),
    );
    assert_eq!(e.totals.discount, d("10.00"));
    // 10.00 over 1.00, 9.00, 5.00: the first gives 1.00; 9.00 left over two:
    // 4.50 each, within 5.00 and 9.00.
    assert_eq!(parts(&e, "ten"), ds(&["1.00", "4.50", "4.50"]));
}

#[test]
fn an_equal_split_per_unit_gives_each_unit_the_same() {
    // 6.00 over 2 units of 5.00 and 1 of 20.00: 2.00 a unit → 4.00, 2.00
    // (in proportion it would be 6 × 10/30 = 2.00 and 4.00).
    let program = eur_program(json!({
        "split": "equal_per_unit",
        "promotions": [{"id": "six", "reward": {"type": "amount_off", "amount": "6.00"}}]
    }));
    let basket = Basket::eur().line("A", 2, "5.00").line("B", 1, "20.00");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "six"), ds(&["4.00", "2.00"]));
    // The program's split also spreads a percent rounded on the total: 10%
    // of 30.00 = 3.00, 1.00 a unit.
    let percent = eur_program(json!({
        "split": "equal_per_unit",
        "promotions": [{"id": "ten", "reward": {"type": "percent_off", "percent": "10"}}]
    }));
    let e = eval(&percent, &basket.build());
    assert_eq!(parts(&e, "ten"), ds(&["2.00", "1.00"]));
    // A promotion's split overrides it.
    let own = eur_program(json!({
        "split": "equal_per_unit",
        "promotions": [{"id": "six", "split": "proportional",
                        "reward": {"type": "amount_off", "amount": "6.00"}}]
    }));
    let e = eval(&own, &basket.build());
    assert_eq!(parts(&e, "six"), ds(&["2.00", "4.00"]));
}

// --- Platforms, worked from their sources -----------------------------------

#[test]
fn solidus_rounds_each_line_and_puts_leftover_cents_on_the_first() {
    // solidusio/solidus, promotions/app/models/solidus_promotions/calculators/
    // percent.rb: each line's percent rounded to the currency (half up);
    // distributed_amount.rb splits with Money#allocate (RubyMoney,
    // lib/money/money/allocation.rb): from the last part, each takes its
    // share of what is left, truncated; the first takes the rest.
    let solidus = |promotions: Value| {
        eur_program(json!({
            "rounding_scope": "line",
            "remainder": "first_takes_rest",
            "promotions": promotions
        }))
    };
    // percent_with_cap_spec.rb: 15%, at most 50, over 120 / 230 / 300:
    // 97.50 is above 50, so 50 is spread: the last trunc(50 × 300/650) =
    // 23.07, then trunc(26.93 × 230/350) = 17.69, the first 9.24.
    let capped = solidus(json!([{"id": "capped",
        "reward": {"type": "percent_off", "percent": "15", "cap": "50.00"}}]));
    let e = eval(
        &capped,
        &Basket::eur()
            .line("A", 1, "120.00")
            .line("B", 1, "230.00")
            .line("C", 1, "300.00")
            .build(),
    );
    assert_eq!(parts(&e, "capped"), ds(&["9.24", "17.69", "23.07"]));
    // The cheaper basket 12 / 23 / 10 is under the cap: 15% of each, 1.80,
    // 3.45, 1.50.
    let e = eval(
        &capped,
        &Basket::eur()
            .line("A", 1, "12.00")
            .line("B", 1, "23.00")
            .line("C", 1, "10.00")
            .build(),
    );
    assert_eq!(parts(&e, "capped"), ds(&["1.80", "3.45", "1.50"]));
    // distributed_amount_spec.rb: 15 over 20 / 30 / 100 → 2, 3, 10; with a
    // condition only the first line matches → 15, 0, 0.
    let fifteen = solidus(json!([{"id": "fifteen",
        "reward": {"type": "amount_off", "amount": "15.00"}}]));
    let basket = Basket::eur()
        .line_in("A", 1, "20.00", &["shirts"])
        .line("B", 1, "30.00")
        .line("C", 1, "100.00");
    let e = eval(&fifteen, &basket.build());
    assert_eq!(parts(&e, "fifteen"), ds(&["2.00", "3.00", "10.00"]));
    let one_line = solidus(
        json!([{"id": "fifteen", "lines": {"categories": ["shirts"]},
        "reward": {"type": "amount_off", "amount": "15.00"}}]),
    );
    let e = eval(&one_line, &basket.build());
    assert_eq!(parts(&e, "fifteen"), ds(&["15.00", "0.00", "0.00"]));
    // Money#allocate is not "truncate, then the rest to the first": 0.03
    // over 2.00 / 1.00 / 1.00 gives the last trunc(3 × 1/4) = 0, the
    // second trunc(3 × 1/3) = 1, the first 2 (truncating each exact share
    // 1.5, 0.75, 0.75 would give 1 + 2 = 3, 0, 0).
    let three = solidus(json!([{"id": "three",
        "reward": {"type": "amount_off", "amount": "0.03"}}]));
    let e = eval(
        &three,
        &Basket::eur()
            .line("A", 1, "2.00")
            .line("B", 1, "1.00")
            .line("C", 1, "1.00")
            .build(),
    );
    assert_eq!(parts(&e, "three"), ds(&["0.02", "0.01", "0.00"]));
}

#[test]
fn solidus_tiered_percent_on_eligible_quantity() {
    // tiered_percent_on_eligible_item_quantity_spec.rb: base 10%, 15% from
    // 10 eligible units (clothes), the percent on each line.
    let program = eur_program(json!({
        "rounding_scope": "line",
        "promotions": [{"id": "clothes", "lines": {"categories": ["clothes"]},
            "reward": {"type": "percent_off", "basis": "quantity", "steps": [
                {"from": "1", "percent": "10"}, {"from": "10", "percent": "15"}]}}]
    }));
    // 2 shirts at 50 and 3 pants (5 units) and a mug: 10% of the shirts'
    // 100.00 = 10.00.
    let few = Basket::eur()
        .line_in("SHIRT", 2, "50.00", &["clothes"])
        .line_in("PANTS", 3, "40.00", &["clothes"])
        .line("MUG", 1, "8.00");
    let e = eval(&program, &few.build());
    assert_eq!(parts(&e, "clothes"), ds(&["10.00", "12.00", "0.00"]));
    // 7 shirts and 5 pants (12 units): 15% of 350.00 = 52.50.
    let many = Basket::eur()
        .line_in("SHIRT", 7, "50.00", &["clothes"])
        .line_in("PANTS", 5, "40.00", &["clothes"]);
    let e = eval(&program, &many.build());
    assert_eq!(parts(&e, "clothes"), ds(&["52.50", "30.00"]));
}

#[test]
fn saleor_gives_the_last_line_the_difference_and_rounds_catalogue_units() {
    // saleor/saleor-docs, docs/developer/discounts/apply-vouchers.mdx, and
    // saleor/checkout/base_calculations.py
    // (`_calculate_discount_for_last_element`): an entire-order fixed 5.00
    // over lines 4.00 and 45.00: 4/49 × 5 = 0.408 → 0.41; the last line
    // 5.00 − 0.41 = 4.59; subtotal 44.00.
    let program = eur_program(json!({
        "remainder": "last_takes_difference",
        "promotions": [{"id": "five", "codes": ["FIVE"], "reward": {"type": "amount_off", "amount": "5.00"}}]
    }));
    let basket = Basket::eur()
        .line("A", 1, "4.00")
        .line("B", 1, "45.00")
        .coupon("FIVE");
    let e = eval(&program, &basket.build());
    assert_eq!(parts(&e, "five"), ds(&["0.41", "4.59"]));
    assert_eq!(e.totals.payable, d("44.00"));
    // Specific product 10% (a percent of each line total): 45.00 and 20.00
    // → 4.50 and 2.00, the 1.99 line not eligible; 6.50 in all.
    let specific = eur_program(json!({
        "rounding_scope": "line",
        "promotions": [{"id": "ten", "lines": {"skus": ["A", "B"]},
                        "reward": {"type": "percent_off", "percent": "10"}}]
    }));
    let e = eval(
        &specific,
        &Basket::eur()
            .line("A", 1, "45.00")
            .line("B", 1, "20.00")
            .line("C", 1, "1.99")
            .build(),
    );
    assert_eq!(parts(&e, "ten"), ds(&["4.50", "2.00", "0.00"]));
    assert_eq!(e.totals.discount, d("6.50"));
    // Catalogue promotions (saleor/discount/utils/promotion.py,
    // `_get_rule_discount_amount`): the discount per unit × quantity. 15% of
    // 1.15 = 0.1725 → 0.17 a unit, × 3 = 0.51; rounded on the line, 0.5175
    // → 0.52.
    let catalogue = |scope: &str| {
        let program = eur_program(json!({
            "promotions": [{"id": "sale", "rounding_scope": scope,
                            "reward": {"type": "percent_off", "percent": "15"}}]
        }));
        eval(&program, &Basket::eur().line("A", 3, "1.15").build())
            .totals
            .discount
    };
    assert_eq!(catalogue("unit"), d("0.51"));
    assert_eq!(catalogue("line"), d("0.52"));
}

#[test]
fn sylius_rounds_the_order_percent_on_the_total_then_rounds_each_share_half_down() {
    // Sylius/Sylius, PercentageDiscountPromotionActionCommand.php: the
    // order percent rounded on the subject total, then split by
    // ProportionalIntegerDistributor (shares rounded PHP_ROUND_HALF_DOWN,
    // the missing cents ±1 to the first items); its spec:
    // distribute([4300, 1400, 2300], 300) = [162, 52, 86] and
    // distribute([4000, 2000, 2000], 300) = [150, 75, 75].
    let program = eur_program(json!({
        "remainder": "round_then_in_order",
        "share_rounding": "half_down",
        "promotions": [{"id": "order", "reward": {"type": "percent_off", "percent": "3.75"}}]
    }));
    // 3.75% of 80.00 = 3.00 (half up, on the total); 161.25, 52.5 → 52,
    // 86.25: 299, the missing cent to the first item.
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "43.00")
            .line("B", 1, "14.00")
            .line("C", 1, "23.00")
            .build(),
    );
    assert_eq!(parts(&e, "order"), ds(&["1.62", "0.52", "0.86"]));
    let e = eval(
        &program,
        &Basket::eur()
            .line("A", 1, "40.00")
            .line("B", 1, "20.00")
            .line("C", 1, "20.00")
            .build(),
    );
    assert_eq!(parts(&e, "order"), ds(&["1.50", "0.75", "0.75"]));
    // FixedDiscountPromotionActionCommand: 10.00 over items of 60.00 and
    // 40.00 → 6.00 and 4.00.
    let fixed = eur_program(json!({
        "remainder": "round_then_in_order",
        "share_rounding": "half_down",
        "promotions": [{"id": "ten", "reward": {"type": "amount_off", "amount": "10.00"}}]
    }));
    let e = eval(
        &fixed,
        &Basket::eur()
            .line("A", 1, "60.00")
            .line("B", 1, "40.00")
            .build(),
    );
    assert_eq!(parts(&e, "ten"), ds(&["6.00", "4.00"]));
}

#[test]
fn sylius_rounds_a_unit_percent_on_each_unit() {
    // UnitPercentageDiscountPromotionActionCommand.php: (int) round(unit
    // price × percent) on every unit. 10% of 0.05 = 0.5 cent → 1 (PHP's
    // round is half away from zero), on 3 units: 0.03. Rounded on the line
    // (1.5 → 2) it would be 0.02.
    let unit = eur_program(json!({
        "promotions": [{"id": "unit", "rounding_scope": "unit",
                        "reward": {"type": "percent_off", "percent": "10"}}]
    }));
    let e = eval(&unit, &Basket::eur().line("CLIP", 3, "0.05").build());
    assert_eq!(e.totals.discount, d("0.03"));
}

#[test]
fn medusa_across_splits_in_proportion_without_rounding() {
    // medusajs/medusa, calculateAdjustmentAmountFromPromotion (comment):
    // 100 across lines of 250 and 150 → 62.5 and 37.5. Medusa keeps full
    // precision; in cents the shares are whole, so every policy agrees.
    for policy in [
        "largest_remainder",
        "in_order",
        "round_then_in_order",
        "last_takes_difference",
        "first_takes_rest",
    ] {
        let program = eur_program(json!({
            "remainder": policy,
            "promotions": [{"id": "across", "reward": {"type": "amount_off", "amount": "100.00"}}]
        }));
        let e = eval(
            &program,
            &Basket::eur()
                .line("A", 1, "250.00")
                .line("B", 1, "150.00")
                .build(),
        );
        assert_eq!(parts(&e, "across"), ds(&["62.50", "37.50"]), "{policy}");
    }
}

// --- Errors --------------------------------------------------------------------

#[test]
fn settings_that_cannot_apply_are_errors_naming_the_path() {
    let promotion = |fields: Value| json!({"promotions": [fields]});
    let cases = [
        (
            json!({"id": "a", "rounding_scope": "line", "reward": {"type": "amount_off", "amount": "5.00"}}),
            "promotions[0].rounding_scope",
            "rounding_scope says where a percent is rounded, but amount_off gives no percent: remove rounding_scope",
        ),
        (
            json!({"id": "a", "rounding_scope": "total", "reward": {"type": "cheapest_free"}}),
            "promotions[0].rounding_scope",
            "rounding_scope says where a percent is rounded, but cheapest_free gives no percent: remove rounding_scope",
        ),
        (
            json!({"id": "a", "rounding_scope": "unit", "reward": {"type": "percent_off", "mode": "bracket",
                   "steps": [{"from": "0", "percent": "5"}, {"from": "100.00", "percent": "10"}]}}),
            "promotions[0].rounding_scope",
            "rounding_scope cannot apply here: bracket steps give one amount for all their bands, rounded once; remove rounding_scope",
        ),
        (
            json!({"id": "a", "split": "equal", "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1}}),
            "promotions[0].split",
            "split spreads a percent or amount off over the lines it comes off, but buy_x_get_y is not spread over lines: remove split",
        ),
    ];
    for (fields, path, message) in cases {
        let error = refused(promotion(fields));
        assert_eq!(error.path(), path);
        assert_eq!(error.problem().to_string(), message);
    }
    assert!(matches!(
        refused(promotion(
            json!({"id": "a", "rounding_scope": "line", "reward": {"type": "free_shipping"}})
        ))
        .problem(),
        Problem::RoundingScopeWithoutPercent {
            reward: "free_shipping"
        }
    ));
    // A coupon is a promotion: the same path under coupons.
    let error = refused(
        json!({"coupons": [{"id": "c", "codes": ["C"], "split": "equal",
        "reward": {"type": "amount_off_each_unit", "amount": "1.00"}}]}),
    );
    assert_eq!(error.path(), "coupons[0].split");
    // Unknown values are refused when read.
    let unknown: Result<ProgramDefinition, _> =
        serde_json::from_value(json!({"id": "shop", "currency": "EUR", "remainder": "last_line"}));
    assert!(unknown.is_err());
    let unknown: Result<ProgramDefinition, _> =
        serde_json::from_value(json!({"id": "shop", "currency": "EUR", "rounding_scope": "order"}));
    assert!(unknown.is_err());
}

#[test]
fn the_settings_round_trip_and_have_builders() {
    let built = ProgramDefinition::new("shop", Currency::EUR)
        .rounding_scope(RoundingScope::Line)
        .remainder(RemainderPolicy::RoundThenInOrder)
        .share_rounding(RoundingMode::HalfDown)
        .split(Split::Equal)
        .promotion(
            PromotionDefinition::automatic("ten", Reward::percent_off(Decimal::TEN))
                .rounding_scope(RoundingScope::Unit)
                .split(Split::EqualPerUnit),
        );
    let value = serde_json::to_value(&built).unwrap();
    assert_eq!(value["rounding_scope"], "line");
    assert_eq!(value["remainder"], "round_then_in_order");
    assert_eq!(value["share_rounding"], "half_down");
    assert_eq!(value["split"], "equal");
    assert_eq!(value["promotions"][0]["rounding_scope"], "unit");
    assert_eq!(value["promotions"][0]["split"], "equal_per_unit");
    let back: ProgramDefinition = serde_json::from_value(value).unwrap();
    assert_eq!(back, built);
    let program = Program::new(built).unwrap();
    assert_eq!(program.split(), Split::Equal);
    // The defaults are left out of the JSON.
    let plain = serde_json::to_value(ProgramDefinition::new("shop", Currency::EUR)).unwrap();
    assert!(plain.get("rounding_scope").is_none());
    assert!(plain.get("split").is_none());
    assert!(plain.get("share_rounding").is_none());
}

// --- Properties --------------------------------------------------------------

const POLICIES: [&str; 5] = [
    "largest_remainder",
    "in_order",
    "round_then_in_order",
    "last_takes_difference",
    "first_takes_rest",
];
const MODES: [&str; 5] = [
    "half_up",
    "half_even",
    "half_down",
    "toward_zero",
    "away_from_zero",
];
const SCOPES: [&str; 3] = ["total", "line", "unit"];
const SPLITS: [&str; 3] = ["proportional", "equal", "equal_per_unit"];

/// Up to 8 lines of 1–5 units at 0.01–150.00.
fn lines() -> impl Strategy<Value = Vec<(u64, i64)>> {
    prop::collection::vec((1u64..=5, 1i64..=15_000), 1..8)
}

/// A percent of at most two decimals in (0, 100].
fn percent() -> impl Strategy<Value = Decimal> {
    (1i64..=10_000).prop_map(|p| Decimal::new(p, 2))
}

fn basket(lines: &[(u64, i64)]) -> Basket {
    lines
        .iter()
        .enumerate()
        .fold(Basket::eur(), |b, (i, (q, cents))| {
            b.line(&format!("S{i}"), *q, &Decimal::new(*cents, 2).to_string())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// Every scope, policy, share rounding and split: the lines' parts sum
    /// to each discount and to the totals, no line goes below zero, and the
    /// discount never exceeds the eligible subtotal (checked by `eval`);
    /// a percent and an amount off stacked, one with a cap.
    #[test]
    fn every_scope_policy_and_split_sums_exactly(
        lines in lines(),
        percent in percent(),
        amount in 0i64..40_000,
        cap in prop::option::of(1i64..5_000),
        scope in prop::sample::select(&SCOPES[..]),
        policy in prop::sample::select(&POLICIES[..]),
        mode in prop::sample::select(&MODES[..]),
        share in prop::sample::select(&MODES[..]),
        split in prop::sample::select(&SPLITS[..]),
        on_original in any::<bool>(),
    ) {
        let mut reward = json!({"type": "percent_off", "percent": percent.to_string()});
        if let Some(cap) = cap {
            reward["cap"] = json!(Decimal::new(cap, 2).to_string());
        }
        let program = eur_program(json!({
            "rounding": mode, "remainder": policy, "share_rounding": share,
            "rounding_scope": scope, "split": split,
            "stacking": {"percentages": if on_original { "on_original" } else { "compound" }},
            "promotions": [
                {"id": "amount", "reward": {"type": "amount_off", "amount": Decimal::new(amount, 2).to_string()}},
                {"id": "percent", "reward": reward}
            ]
        }));
        let e = eval(&program, &basket(&lines).build());
        prop_assert!(e.totals.discount <= e.totals.subtotal);
        for line in &e.lines {
            prop_assert!(line.net >= Decimal::ZERO);
        }
        // The amount off gives all it can: its amount, or every line.
        let given: Decimal = parts(&e, "amount").into_iter().sum();
        prop_assert_eq!(given, Decimal::new(amount, 2).min(e.totals.subtotal));
    }

    /// One percent off fresh lines, rounded on the total (T), on each line
    /// (L) and on each unit (U), with x_i the exact percent of line i in
    /// minor units and q_i its units. Proved, for every rounding mode:
    /// |L_i − x_i| < 1 and |U_i − x_i| < q_i (each line's part rounds its
    /// exact share, or its units' shares); so |ΣL − T| ≤ lines and |ΣU −
    /// T| ≤ units (T is within 1 of Σx). For the half modes with the
    /// largest remainder, line by line: |L_i − T_i| ≤ 1 and |U_i − T_i| ≤
    /// q_i (T_i is within 1 of its exact share of T, which is within ½ of
    /// x_i).
    #[test]
    fn line_and_unit_scopes_stay_within_a_minor_unit_per_line_or_unit(
        lines in lines(),
        percent in percent(),
        mode in prop::sample::select(&MODES[..]),
    ) {
        let by = |scope: &str| {
            let program = eur_program(json!({
                "rounding": mode, "rounding_scope": scope,
                "promotions": [{"id": "p", "reward": {"type": "percent_off", "percent": percent.to_string()}}]
            }));
            let e = eval(&program, &basket(&lines).build());
            parts(&e, "p").into_iter().map(|p| p * Decimal::ONE_HUNDRED).collect::<Vec<Decimal>>()
        };
        let (total, line, unit) = (by("total"), by("line"), by("unit"));
        let half = mode.starts_with("half");
        let mut units = Decimal::ZERO;
        for (i, (q, cents)) in lines.iter().enumerate() {
            let exact = Decimal::from(*q) * Decimal::from(*cents) * percent / Decimal::ONE_HUNDRED;
            let q = Decimal::from(*q);
            units += q;
            prop_assert!((line[i] - exact).abs() < Decimal::ONE, "line {i}: {} vs {exact}", line[i]);
            prop_assert!((unit[i] - exact).abs() < q, "line {i}: {} vs {exact}", unit[i]);
            if half {
                prop_assert!((line[i] - total[i]).abs() <= Decimal::ONE);
                prop_assert!((unit[i] - total[i]).abs() <= q);
            }
        }
        let sum = |v: &[Decimal]| v.iter().copied().sum::<Decimal>();
        prop_assert!((sum(&line) - sum(&total)).abs() <= Decimal::from(lines.len()));
        prop_assert!((sum(&unit) - sum(&total)).abs() <= units);
    }

    /// An equal split gives the lines it does not empty the same within a
    /// minor unit (largest remainder), and never a line more than its
    /// amount.
    #[test]
    fn an_equal_split_is_equal_within_a_minor_unit(
        lines in lines(),
        amount in 1i64..20_000,
    ) {
        let program = eur_program(json!({
            "split": "equal",
            "promotions": [{"id": "a", "reward": {"type": "amount_off", "amount": Decimal::new(amount, 2).to_string()}}]
        }));
        let e = eval(&program, &basket(&lines).build());
        let given = parts(&e, "a");
        let not_full: Vec<Decimal> = given
            .iter()
            .zip(&e.lines)
            .filter(|(p, l)| **p < l.gross)
            .map(|(p, _)| *p)
            .collect();
        if let (Some(lo), Some(hi)) = (not_full.iter().min(), not_full.iter().max()) {
            prop_assert!(*hi - *lo <= d("0.01"), "{given:?}");
        }
        // A line given its whole amount gets at most a minor unit more than
        // the others (it costs no more than their share, or just reached
        // its amount with the unit left over).
        for (p, l) in given.iter().zip(&e.lines) {
            prop_assert!(*p <= l.gross);
            if *p == l.gross && let Some(hi) = not_full.iter().max() {
                prop_assert!(*p <= *hi + d("0.01"));
            }
        }
    }
}

//! Properties of checkout evaluation on arbitrary checkouts, in EUR and JPY:
//! amounts add up per line and in total, stay in minor units and within
//! bounds; ladders are monotone; evaluation is deterministic, never panics,
//! and its input and output survive a serde round trip.

use crate::util::common;

use common::{Basket, check_invariants, eur_program, program_in, seeds_ladder, seeds_program, sum};
use loyalty::evaluate::Checkout;
use loyalty::evaluation::Evaluation;
use loyalty::money::Currency;
use loyalty::program::Program;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

/// The program's codes, two unknown ones, as the customer might type them.
const CODES: &[&str] = &[
    "PCT10",
    "FIVE",
    "WELCOME15",
    "SHIPFREE",
    "CHEAP",
    "B2G1",
    "UNIT",
    "BIG",
    "VIP",
    "GIFT",
    "U-1",
    "U-2",
    "BULK",
    "NOPE",
    "BOGUS",
];

/// An amount in EUR or its counterpart in JPY.
fn amt(jpy: bool, eur: &str, yen: &str) -> String {
    if jpy { yen.to_owned() } else { eur.to_owned() }
}

/// The seeds' ladder and a dozen coupons of every kind, with an exclusive
/// pair and a group.
fn reference(jpy: bool) -> Program {
    let a = |eur: &str, yen: &str| amt(jpy, eur, yen);
    let ladder = if jpy {
        json!({"id": "spend-more", "steps": [
            {"from": "10000", "percent": "5"},
            {"from": "20000", "percent": "10"},
            {"from": "30000", "percent": "15"}]})
    } else {
        seeds_ladder()
    };
    program_in(
        if jpy { "JPY" } else { "EUR" },
        json!({"ladders": [ladder], "coupons": [
            {"id": "pct10", "codes": ["PCT10"], "usage_limit": 1000, "per_customer_limit": 3,
             "reward": {"type": "percent_off", "percent": "10", "cap": a("50.00", "5000")}},
            {"id": "five", "codes": ["FIVE"], "stacking": {"group": "welcome"},
             "min_subtotal": a("20.00", "2000"),
             "reward": {"type": "amount_off", "amount": a("5.00", "500")}},
            {"id": "welcome15", "codes": ["WELCOME15"], "stacking": {"group": "welcome"},
             "first_order_only": true, "reward": {"type": "percent_off", "percent": "15"}},
            {"id": "shipfree", "codes": ["SHIPFREE"], "reward": {"type": "free_shipping"}},
            {"id": "cheap", "codes": ["CHEAP"], "lines": {"categories": ["tea"]},
             "reward": {"type": "cheapest_free"}},
            {"id": "b2g1", "codes": ["B2G1"],
             "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 3}},
            {"id": "unit", "codes": ["UNIT"],
             "reward": {"type": "amount_off_each_unit", "amount": a("0.50", "50")}},
            {"id": "big", "codes": ["BIG"], "stacking": "exclusive",
             "reward": {"type": "amount_off", "amount": a("40.00", "4000")}},
            {"id": "vip", "codes": ["VIP"], "stacking": "exclusive", "tiers": ["gold"],
             "reward": {"type": "percent_off", "percent": "20"}},
            {"id": "gift", "codes": ["GIFT"],
             "reward": {"type": "free_gift", "sku": "TOTE", "value": a("8.00", "800")}},
            {"id": "batch", "codes": ["U-1", "U-2"], "unique": true,
             "reward": {"type": "amount_off", "amount": a("3.00", "300")}},
            {"id": "bulk", "codes": ["BULK"], "min_quantity": 5,
             "reward": {"type": "percent_off", "percent": "5"}}
        ]}),
    )
}

/// One line: price in minor units, quantity, exempt, in category tea.
type LineInput = (u128, u32, bool, bool);

/// Everything a random checkout is made of.
#[derive(Clone, Debug)]
struct Input {
    lines: Vec<LineInput>,
    shipping: u64,
    codes: Vec<(usize, u8)>,
    usage: Vec<(usize, u64, u64)>,
    orders_before: u32,
    tier: u8,
}

fn line_input(max_price: u128) -> impl Strategy<Value = LineInput> {
    (
        prop_oneof![3 => 0..=30_000u128, 1 => 0..=max_price],
        1..=50u32,
        prop::bool::weighted(0.1),
        any::<bool>(),
    )
}

fn input(lines: std::ops::RangeInclusive<usize>, max_price: u128) -> impl Strategy<Value = Input> {
    (
        prop::collection::vec(line_input(max_price), lines),
        prop_oneof![Just(0u64), 0..=2_000u64],
        prop::collection::vec((0..CODES.len(), 0..4u8), 0..6),
        prop::collection::vec((0..CODES.len() - 2, 0..6u64, 0..6u64), 0..6),
        0..8u32,
        0..3u8,
    )
        .prop_map(
            |(lines, shipping, codes, usage, orders_before, tier)| Input {
                lines,
                shipping,
                codes,
                usage,
                orders_before,
                tier,
            },
        )
}

/// Minor units as text in a currency of `scale` decimals.
fn money_text(minor: u128, scale: u32) -> String {
    Decimal::from_i128_with_scale(i128::try_from(minor).unwrap_or(i128::MAX), scale).to_string()
}

fn basket(input: &Input, jpy: bool) -> Basket {
    let (currency, scale) = if jpy { ("JPY", 0) } else { ("EUR", 2) };
    let mut basket = Basket::new(currency);
    for (i, &(price, quantity, exempt, tea)) in input.lines.iter().enumerate() {
        let categories: &[&str] = if tea { &["tea"] } else { &["mugs"] };
        basket = basket.line_with(
            &format!("SKU-{}", i % 7),
            u64::from(quantity),
            &money_text(price, scale),
            categories,
            exempt,
        );
    }
    basket = basket.shipping(&money_text(u128::from(input.shipping), scale));
    for &(index, variant) in &input.codes {
        let code = CODES[index];
        let typed = match variant {
            0 => code.to_owned(),
            1 => code.to_lowercase(),
            2 => format!("  {code} "),
            _ => format!(" {}", code.to_lowercase()),
        };
        basket = basket.coupon(&typed);
    }
    let mut seen: Vec<&str> = Vec::new();
    for &(index, a, b) in &input.usage {
        let code = CODES[index];
        if seen.contains(&code) {
            continue;
        }
        seen.push(code);
        basket = basket.usage(code, a.max(b), a.min(b));
    }
    let tier = match input.tier {
        0 => None,
        1 => Some("gold"),
        _ => Some("silver"),
    };
    let mut customer = json!({"id": "C-1", "stats": {"orders_before": input.orders_before}});
    if input.orders_before > 0 {
        customer["stats"]["last_order_at"] = json!("2026-10-01T12:00:00Z");
    }
    if let Some(tier) = tier {
        customer["tier"] = json!(tier);
    }
    basket.customer(customer)
}

fn currency_of(jpy: bool) -> Currency {
    if jpy { Currency::JPY } else { Currency::EUR }
}

/// Every amount of an evaluation is in the currency's minor units.
fn all_in_minor_units(e: &Evaluation, currency: Currency) -> Result<(), TestCaseError> {
    let mut amounts: Vec<Decimal> = vec![
        e.totals.subtotal,
        e.totals.discount,
        e.totals.shipping,
        e.totals.shipping_discount,
        e.totals.payable,
    ];
    for line in &e.lines {
        amounts.push(line.gross);
        amounts.push(line.net);
        amounts.extend(line.discounts.iter().map(|d| d.amount));
    }
    amounts.extend(e.discounts.iter().map(|d| d.amount));
    amounts.extend(e.ladders.iter().map(|l| l.amount));
    for amount in amounts {
        prop_assert!(
            currency.is_in_minor_units(amount),
            "{amount} is not in {currency}'s minor units"
        );
    }
    Ok(())
}

/// The non-exempt lines' gross.
fn eligible_subtotal(checkout: &Checkout) -> Decimal {
    sum(checkout
        .order
        .lines()
        .iter()
        .filter(|l| !l.is_exempt())
        .map(|l| l.gross().expect("gross").amount()))
}

/// The properties every evaluation of the reference program keeps.
fn check_all(input: &Input, jpy: bool) -> Result<(), TestCaseError> {
    let program = reference(jpy);
    let checkout = basket(input, jpy).build();
    let e = program
        .evaluate(&checkout)
        .map_err(|err| TestCaseError::fail(format!("evaluation failed: {err}")))?;
    check_invariants(&e);
    prop_assert!(e.totals.discount >= Decimal::ZERO);
    prop_assert!(
        e.totals.discount <= eligible_subtotal(&checkout),
        "discount {} above the eligible subtotal {}",
        e.totals.discount,
        eligible_subtotal(&checkout)
    );
    for (line, outcome) in checkout.order.lines().iter().zip(&e.lines) {
        if line.is_exempt() {
            prop_assert!(outcome.discounts.is_empty(), "exempt line discounted");
        }
    }
    prop_assert_eq!(e.coupons.len(), checkout.order.coupons().len());
    all_in_minor_units(&e, currency_of(jpy))?;
    Ok(())
}

/// Whether every amount of the checkout, in minor units, stays well inside
/// a decimal's 96-bit mantissa (about 7.9 × 10^28).
fn exact_to_the_minor_unit(checkout: &Checkout) -> bool {
    let limit = Decimal::from_i128_with_scale(10_i128.pow(24), 0);
    checkout.order.gross_subtotal().amount() + checkout.order.shipping().amount() < limit
}

fn one_line_checkout(price_cents: u64) -> Checkout {
    Basket::eur()
        .line("TEA", 1, &money_text(u128::from(price_cents), 2))
        .build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(256)))]

    #[test]
    fn amounts_add_up_in_eur(input in input(1..=30, 1_000_000)) {
        check_all(&input, false)?;
    }

    #[test]
    fn amounts_add_up_in_jpy(input in input(1..=30, 1_000_000)) {
        check_all(&input, true)?;
    }

    #[test]
    fn evaluation_is_deterministic(input in input(1..=30, 1_000_000), jpy in any::<bool>()) {
        let program = reference(jpy);
        let checkout = basket(&input, jpy).build();
        let first = program.evaluate(&checkout);
        let second = program.evaluate(&checkout);
        prop_assert_eq!(first, second);
        // A program rebuilt from the same definition answers the same.
        let rebuilt = Program::new(program.definition().clone()).expect("valid");
        prop_assert_eq!(rebuilt.evaluate(&checkout), program.evaluate(&checkout));
    }

    #[test]
    fn checkout_and_evaluation_survive_serde(input in input(1..=30, 1_000_000), jpy in any::<bool>()) {
        let checkout = basket(&input, jpy).build();
        let text = serde_json::to_string(&checkout).expect("serialises");
        let back: Checkout = serde_json::from_str(&text).expect("deserialises");
        prop_assert_eq!(&back, &checkout);
        prop_assert_eq!(serde_json::to_string(&back).expect("serialises"), text);

        let evaluation = reference(jpy).evaluate(&checkout).expect("evaluates");
        let text = serde_json::to_string(&evaluation).expect("serialises");
        let back: Evaluation = serde_json::from_str(&text).expect("deserialises");
        prop_assert_eq!(&back, &evaluation);
        prop_assert_eq!(serde_json::to_string(&back).expect("serialises"), text);
    }

    #[test]
    fn a_higher_subtotal_never_reaches_a_lower_step(
        a in 0..=40_000u64,
        b in 0..=40_000u64,
        exclusive in any::<bool>(),
    ) {
        let mut ladder = seeds_ladder();
        if exclusive {
            ladder["thresholds"] = json!("exclusive");
        }
        let program = eur_program(json!({"ladders": [ladder]}));
        let (low, high) = (a.min(b), a.max(b));
        let low_e = program.evaluate(&one_line_checkout(low)).expect("evaluates");
        let high_e = program.evaluate(&one_line_checkout(high)).expect("evaluates");
        // None < Some(0) < Some(1) < ...
        prop_assert!(low_e.ladders[0].step <= high_e.ladders[0].step,
            "{low} reaches {:?}, {high} reaches {:?}", low_e.ladders[0].step, high_e.ladders[0].step);
        prop_assert!(low_e.totals.discount <= high_e.totals.discount);
    }

    #[test]
    fn adding_an_item_never_lowers_the_ladder_discount(
        lines in prop::collection::vec((0..=20_000u64, 1..=5u32), 0..8),
        extra in (0..=20_000u64, 1..=5u32),
    ) {
        let program = seeds_program();
        let mut before = Basket::eur();
        for (i, &(price, quantity)) in lines.iter().enumerate() {
            before = before.line(&format!("SKU-{i}"), u64::from(quantity), &money_text(u128::from(price), 2));
        }
        let after = before.clone().line("EXTRA", u64::from(extra.1), &money_text(u128::from(extra.0), 2));
        let d_before = program.evaluate(&before.build()).expect("evaluates").totals.discount;
        let d_after = program.evaluate(&after.build()).expect("evaluates").totals.discount;
        prop_assert!(d_before <= d_after, "{d_before} before, {d_after} after adding a line");
    }

    #[test]
    fn evaluate_never_panics_on_extreme_checkouts(
        lines in prop::collection::vec(
            (
                prop_oneof![
                    2 => 0..=1_000_000u128,
                    1 => 0..=100_000_000_000_000_000_000u128,
                    1 => Just(100_000_000_000_000_000_000u128),
                ],
                prop_oneof![2 => 1..=50u32, 1 => 1..=u32::MAX, 1 => Just(u32::MAX)],
                prop::bool::weighted(0.1),
                any::<bool>(),
            ),
            0..=30,
        ),
        shipping in prop_oneof![Just(0u64), any::<u64>()],
        codes in prop::collection::vec((0..CODES.len(), 0..4u8), 0..6),
        jpy in any::<bool>(),
    ) {
        let input = Input { lines, shipping, codes, usage: Vec::new(), orders_before: 0, tier: 1 };
        // An order whose totals overflow is refused when it is built; that
        // is not evaluate's business.
        let Ok(checkout) = basket(&input, jpy).try_build() else {
            return Ok(());
        };
        let program = reference(jpy);
        // Whatever the amounts, evaluate answers Ok or Err and never panics.
        let result = program.evaluate(&checkout);
        // The sums are only checked where a decimal still holds every amount
        // to the minor unit: above about 7.9 × 10^26 EUR, amounts are rounded
        // silently (a known bug, reported; see `exact_to_the_minor_unit`).
        if let Ok(e) = result
            && exact_to_the_minor_unit(&checkout)
        {
            check_invariants(&e);
            prop_assert!(e.totals.discount <= eligible_subtotal(&checkout));
            all_in_minor_units(&e, currency_of(jpy))?;
        }
    }
}

#[test]
fn empty_order_evaluates_to_nothing() {
    for jpy in [false, true] {
        let input = Input {
            lines: Vec::new(),
            shipping: 490,
            codes: (0..CODES.len()).map(|i| (i, 0)).collect(),
            usage: Vec::new(),
            orders_before: 0,
            tier: 1,
        };
        let checkout = basket(&input, jpy).build();
        let e = reference(jpy).evaluate(&checkout).expect("evaluates");
        check_invariants(&e);
        assert_eq!(e.totals.discount, Decimal::ZERO);
        assert!(e.lines.is_empty());
        assert_eq!(e.coupons.len(), CODES.len());
    }
}

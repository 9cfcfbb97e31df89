//! Properties of the points and cashback stages on arbitrary checkouts: a
//! program with net, gross and per-unit earning rules, tier, line and
//! campaign multipliers, bonuses, coupons that give points, and 2% cashback
//! capped at 20.00.

use crate::util::accrual as accrual_common;
use crate::util::common;

use std::num::NonZeroUsize;

use accrual_common::{check_accrual, definition, definition_json};
use common::Basket;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::Evaluation;
use loyalty::program::{Program, ProgramDefinition};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The coupons a checkout may enter (one of them, or none).
const CODES: [&str; 5] = ["TEN", "FIVE", "BONUS", "DOUBLE", "SHIP"];

/// The cashback cap of [`full_program`].
const CASHBACK_CAP: &str = "20.00";

fn coupons() -> Value {
    json!([
        {"id": "ten", "codes": ["TEN"], "reward": {"type": "percent_off", "percent": "10"}},
        {"id": "five", "codes": ["FIVE"], "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "bonus", "codes": ["BONUS"], "reward": {"type": "bonus_points", "points": "200"}},
        {"id": "double", "codes": ["DOUBLE"], "reward": {"type": "points_multiplier", "factor": "2"}},
        {"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}
    ])
}

fn multipliers() -> Value {
    json!({
        "tiers": [{"tier": "silver", "factor": "1.25"}, {"tier": "gold", "factor": "1.5"}],
        "lines": [{"id": "coffee-2x", "lines": {"categories": ["coffee"]}, "factor": "2"}],
        "campaigns": [
            {"id": "bf-double", "when": {"seasonal_event": "black_friday"}, "factor": "2"},
            {"id": "birthday-3x", "when": "birthday", "factor": "3"}
        ]
    })
}

fn bonuses() -> Value {
    json!([
        {"id": "welcome", "when": "first_order", "points": "100"},
        {"id": "fifth", "when": {"order_number": 5}, "points": "250"},
        {"id": "big-order", "when": {"order_over": "200.00"}, "points": "20"}
    ])
}

/// The program's definition as JSON: with or without the rules that make
/// points non-monotonic in spend (a minimum order, a cap).
fn program_json(with_limits: bool) -> Value {
    let big = if with_limits {
        json!({"id": "big", "base": "gross", "points": "1", "per": "10.00",
               "min_order": "100.00", "cap": "50", "rounding": {"decimals": 2}})
    } else {
        json!({"id": "big", "base": "gross", "points": "1", "per": "10.00",
               "rounding": {"decimals": 2}})
    };
    definition_json(json!({
        "time_zone": "America/Sao_Paulo",
        "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}],
        "coupons": coupons(),
        "earning": [
            {"id": "base", "points": "1", "per": "1.00"},
            {"id": "coffee", "base": "per_unit", "points": "10",
             "lines": {"categories": ["coffee"]}},
            big
        ],
        "multipliers": multipliers(),
        "bonuses": bonuses(),
        "cashback": [{"id": "cb", "percent": "2", "cap": CASHBACK_CAP,
                      "tiers": [{"tier": "gold", "percent": "3"}]}],
        "ledger": {"return_window_days": 7,
                   "points_expiry": {"after_months": 12},
                   "cashback_expiry": {"end_of_year": 1}}
    }))
}

fn full_program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_value(program_json(true)).expect("deserialises");
    Program::new(definition).expect("valid")
}

/// Without caps, minimums or coupons: more spend never earns less.
fn monotone_program() -> Program {
    let mut json = program_json(false);
    json.as_object_mut().expect("an object").remove("coupons");
    json["cashback"][0]
        .as_object_mut()
        .expect("an object")
        .remove("cap");
    let definition: ProgramDefinition = serde_json::from_value(json).expect("deserialises");
    Program::new(definition).expect("valid")
}

/// A generated line: sku, categories, quantity, price in cents, exempt.
#[derive(Clone, Debug)]
struct LineSpec {
    sku: &'static str,
    category: Option<&'static str>,
    quantity: u64,
    cents: u64,
    exempt: bool,
}

/// A generated checkout.
#[derive(Clone, Debug)]
struct CheckoutSpec {
    lines: Vec<LineSpec>,
    shipping_cents: u64,
    coupon: Option<&'static str>,
    tier: Option<&'static str>,
    birthday: Option<(u32, u32)>,
    orders_before: u32,
    /// Seconds after 2026-01-01T00:00:00Z.
    at: i64,
}

fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

impl CheckoutSpec {
    fn basket(&self) -> Basket {
        let at = chrono::DateTime::from_timestamp(START_2026 + self.at, 0)
            .expect("in range")
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut customer = json!({"id": "C-1", "stats": {"orders_before": self.orders_before}});
        if self.orders_before > 0 {
            customer["stats"]["last_order_at"] = json!("2025-12-31T00:00:00Z");
        }
        if let Some(tier) = self.tier {
            customer["tier"] = json!(tier);
        }
        if let Some((m, d)) = self.birthday {
            customer["birthday"] = json!(format!("{m:02}-{d:02}"));
        }
        let mut basket = Basket::eur().customer(customer).at(&at);
        for line in &self.lines {
            let categories: Vec<&str> = line.category.into_iter().collect();
            basket = basket.line_with(
                line.sku,
                line.quantity,
                &cents(line.cents),
                &categories,
                line.exempt,
            );
        }
        if self.shipping_cents > 0 {
            basket = basket.shipping(&cents(self.shipping_cents));
        }
        if let Some(code) = self.coupon {
            basket = basket.coupon(code);
        }
        basket
    }

    fn build(&self) -> Checkout {
        self.basket().build()
    }
}

/// 2026-01-01T00:00:00Z.
const START_2026: i64 = 1_767_225_600;
/// Seconds in 2026.
const YEAR_SECONDS: i64 = 365 * 86_400;
/// Black Friday 2026 in São Paulo starts at 2026-11-27T03:00:00Z.
const BLACK_FRIDAY_OFFSET: i64 = 1_795_748_400 - START_2026;

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        prop::sample::select(&["TEA", "COFFEE", "MUG", "GIFT-CARD"][..]),
        prop::option::of(prop::sample::select(&["coffee", "tea", "gear"][..])),
        prop_oneof![4 => 1u64..=3, 1 => 1u64..=20],
        prop_oneof![1 => 1u64..=100, 4 => 1u64..=50_000],
        prop::bool::weighted(0.15),
    )
        .prop_map(|(sku, category, quantity, cents, exempt)| LineSpec {
            sku,
            category,
            quantity,
            cents,
            exempt,
        })
}

fn checkout_spec() -> impl Strategy<Value = CheckoutSpec> {
    (
        prop::collection::vec(line_spec(), 1..=20),
        prop_oneof![1 => Just(0u64), 1 => 1u64..=2_000],
        prop::option::of(prop::sample::select(&CODES[..])),
        prop::option::of(prop::sample::select(&["bronze", "silver", "gold"][..])),
        prop::option::of((1u32..=12, 1u32..=28)),
        prop_oneof![2 => Just(0u32), 1 => Just(4u32), 3 => 1u32..=60],
        prop_oneof![
            4 => 0..YEAR_SECONDS,
            1 => (BLACK_FRIDAY_OFFSET - 3_600)..(BLACK_FRIDAY_OFFSET + 86_400 + 3_600),
        ],
    )
        .prop_map(
            |(lines, shipping_cents, coupon, tier, birthday, orders_before, at)| CheckoutSpec {
                lines,
                shipping_cents,
                coupon,
                tier,
                birthday,
                orders_before,
                at,
            },
        )
}

/// The same checkout without a coupon, and the same again with one line's
/// unit price raised by `raise` cents.
fn raised(mut spec: CheckoutSpec, index: usize, raise: u64) -> (CheckoutSpec, CheckoutSpec) {
    spec.coupon = None;
    let mut more = spec.clone();
    let i = index % more.lines.len();
    more.lines[i].cents += raise;
    (spec, more)
}

fn evaluate(program: &Program, checkout: &Checkout) -> Evaluation {
    let evaluation = program.evaluate(checkout).expect("the checkout evaluates");
    common::check_invariants(&evaluation);
    check_accrual(&evaluation);
    evaluation
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(192)))]

    /// Totals are never negative; line parts sum exactly to the totals;
    /// cashback stays within its cap and the payable amount.
    #[test]
    fn totals_and_line_parts(spec in checkout_spec()) {
        let program = full_program();
        let e = evaluate(&program, &spec.build());
        prop_assert!(e.points.total >= Decimal::ZERO);
        prop_assert!(e.cashback.total >= Decimal::ZERO);
        let on_lines: Decimal = e.points.lines.iter().map(|l| l.points).sum();
        prop_assert_eq!(on_lines, e.points.total - e.points.order_level);
        let cash_lines: Decimal = e.cashback.lines.iter().map(|l| l.amount).sum();
        prop_assert_eq!(cash_lines + e.cashback.shipping, e.cashback.total);
        prop_assert!(e.cashback.total <= CASHBACK_CAP.parse::<Decimal>().unwrap());
        prop_assert!(e.cashback.total <= e.totals.payable);
        // Exempt lines never earn (no rule includes them).
        for (line, spec_line) in e.lines.iter().zip(&spec.lines) {
            if spec_line.exempt {
                prop_assert!(e.points.lines.iter().all(|p| p.line != line.line));
                prop_assert!(e.cashback.lines.iter().all(|c| c.line != line.line));
            }
        }
        // Whole points, except the rule that keeps 2 decimals.
        for rule in &e.points.rules {
            let decimals = if rule.rule.id == "big" { 2 } else { 0 };
            prop_assert_eq!(rule.points, rule.points.round_dp(decimals));
        }
    }

    /// Raising a line's price never lowers the points (no caps, no
    /// minimum, no coupons).
    #[test]
    fn more_spend_never_fewer_points(
        spec in checkout_spec(),
        index in 0usize..20,
        raise in 1u64..=10_000,
    ) {
        let program = monotone_program();
        let (base, more) = raised(spec, index, raise);
        let less = evaluate(&program, &base.build());
        let more = evaluate(&program, &more.build());
        prop_assert!(
            more.points.total >= less.points.total,
            "{} points before, {} after the raise",
            less.points.total,
            more.points.total
        );
        prop_assert!(more.cashback.total >= less.cashback.total);
    }

    /// The same checkout gives the same evaluation, and it survives a
    /// JSON round trip unchanged.
    #[test]
    fn deterministic_and_serde_round_trip(spec in checkout_spec()) {
        let program = full_program();
        let checkout = spec.build();
        let first = evaluate(&program, &checkout);
        let second = evaluate(&program, &checkout);
        prop_assert_eq!(&first, &second);
        let text = serde_json::to_string(&first).expect("serialises");
        let back: Evaluation = serde_json::from_str(&text).expect("deserialises");
        prop_assert_eq!(&back, &first);
        prop_assert_eq!(serde_json::to_string(&back).expect("serialises"), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(64)))]

    /// The batch API gives what one-by-one evaluation gives, in order, on
    /// one thread or three.
    #[test]
    fn batch_equals_one_by_one(specs in prop::collection::vec(checkout_spec(), 0..=8)) {
        let program = full_program();
        let checkouts: Vec<Checkout> = specs.iter().map(CheckoutSpec::build).collect();
        let one_by_one: Vec<_> = checkouts.iter().map(|c| program.evaluate(c)).collect();
        let batch = program.evaluate_batch(&checkouts);
        prop_assert_eq!(&batch, &one_by_one);
        let parallel = program.evaluate_batch_parallel(&checkouts, NonZeroUsize::new(3).unwrap());
        prop_assert_eq!(&parallel, &batch);
    }

    /// The summary of a checkout has exactly the full evaluation's totals,
    /// points and cashback (or its error).
    #[test]
    fn summary_equals_the_full_evaluation(specs in prop::collection::vec(checkout_spec(), 1..=4)) {
        let program = full_program();
        let checkouts: Vec<Checkout> = specs.iter().map(CheckoutSpec::build).collect();
        let summaries = program.summarize_batch(&checkouts);
        for (checkout, summary) in checkouts.iter().zip(summaries) {
            match (program.evaluate(checkout), summary) {
                (Ok(full), Ok(summary)) => {
                    prop_assert_eq!(summary.totals, full.totals);
                    prop_assert_eq!(summary.points, full.points.total);
                    prop_assert_eq!(summary.cashback, full.cashback.total);
                    prop_assert_eq!(summary.currency, full.currency);
                }
                (Err(full), Err(summary)) => prop_assert_eq!(summary, full),
                (full, summary) => prop_assert!(false, "{full:?} but {summary:?}"),
            }
        }
    }

    /// A program definition with arbitrary rates, factors, roundings and
    /// expiry round-trips through JSON and TOML, and compiles the same.
    #[test]
    fn program_definition_round_trips(
        points in (1i64..=1_000, 0u32..=2),
        per in prop::sample::select(&["0.50", "1.00", "2.00", "10.00"][..]),
        rounding in prop::sample::select(vec![
            json!("floor"), json!("round"), json!("ceil"), json!({"decimals": 2}),
        ]),
        combine in prop::sample::select(&["multiply", "add_extras", "largest"][..]),
        factor in (100i64..=300, 2u32..=2),
        percent in (1i64..=100, 0u32..=1),
        cap in prop::option::of(1u64..=100_000),
        mode in prop::sample::select(&["whole_basket", "bracket"][..]),
        window in 0i64..=60,
        expiry in prop::sample::select(vec![
            json!("never"), json!({"after_months": 12}), json!({"end_of_year": 0}),
            json!({"end_of_year": 1}),
        ]),
    ) {
        let rate = Decimal::new(points.0, points.1);
        let factor = Decimal::new(factor.0, factor.1);
        let percent = Decimal::new(percent.0, percent.1);
        let mut cashback = json!([
            {"id": "flat", "percent": percent.to_string(), "include_shipping": true},
            {"id": "ladder", "mode": mode, "steps": [
                {"from": "100.00", "percent": "1"}, {"from": "200.00", "percent": "2"}
            ]}
        ]);
        if let Some(cap) = cap {
            cashback[0]["cap"] = json!(cents(cap));
        }
        let definition = definition(json!({
            "time_zone": "America/Sao_Paulo",
            "tiers": [{"id": "gold"}],
            "coupons": coupons(),
            "earning": [
                {"id": "p", "points": rate.to_string(), "per": per, "rounding": rounding,
                 "min_order": "10.00", "cap": "500", "stop": true},
                {"id": "u", "base": "per_unit", "points": "5", "multipliers": false,
                 "lines": {"categories": ["coffee"], "include_exempt": true}},
                {"id": "o", "base": "per_order", "points": "10",
                 "condition": {"channel_in": ["app"]}}
            ],
            "multipliers": {
                "combine": combine,
                "tiers": [{"tier": "gold", "factor": factor.to_string()}],
                "campaigns": [{"id": "bf", "when": {"seasonal_event": "black_friday"},
                               "factor": factor.to_string()}]
            },
            "bonuses": bonuses(),
            "cashback": cashback,
            "ledger": {"return_window_days": window, "points_expiry": expiry,
                       "cashback_expiry": expiry}
        }));
        let program = Program::new(definition.clone()).expect("valid");

        let json = serde_json::to_string(&definition).expect("serialises to JSON");
        let from_json: ProgramDefinition = serde_json::from_str(&json).expect("JSON back");
        prop_assert_eq!(&from_json, &definition);

        let toml_text = toml::to_string(&definition).expect("serialises to TOML");
        let from_toml: ProgramDefinition = toml::from_str(&toml_text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{toml_text}")))?;
        prop_assert_eq!(&from_toml, &definition);

        let again = Program::new(from_toml).expect("still valid");
        prop_assert_eq!(again.definition(), program.definition());
    }
}

#[test]
fn example_program_round_trips_through_json_and_toml() {
    let text = include_str!("../../examples/data/program.json");
    let definition: ProgramDefinition = serde_json::from_str(text).expect("the example");
    Program::new(definition.clone()).expect("the example is valid");
    let json = serde_json::to_string(&definition).expect("JSON");
    assert_eq!(
        serde_json::from_str::<ProgramDefinition>(&json).expect("JSON back"),
        definition
    );
    let toml_text = toml::to_string(&definition).expect("TOML");
    assert_eq!(
        toml::from_str::<ProgramDefinition>(&toml_text).expect("TOML back"),
        definition
    );
}

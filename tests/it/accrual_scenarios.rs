//! Points and cashback on hand-worked scenarios: earning bases, rounding,
//! rates, minimums, caps, stops, conditions, multipliers, campaigns,
//! bonuses, per-line attribution, cashback rules, pending and expiry
//! dates, effects, bad programs, overflow and the batch API. Each expected
//! number is worked out in a comment.

use crate::util::accrual as accrual_common;
use crate::util::common;

use std::num::NonZeroUsize;

use accrual_common::{check_accrual, earning, one_per_euro, shop, total, try_shop};
use chrono::{DateTime, Utc};
use common::{Basket, d};
use loyalty::evaluate::EvaluationError;
use loyalty::evaluation::{Effect, Evaluation, RuleKind, TraceEntry};
use loyalty::program::{Problem, Program, ProgramError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Evaluates, then checks the discount and the points/cashback invariants.
fn ev(program: &Program, basket: &Basket) -> Evaluation {
    let evaluation = common::eval(program, &basket.build());
    check_accrual(&evaluation);
    evaluation
}

/// A one-line EUR order of `price` on `program`.
fn one_line(program: &Program, price: &str) -> Evaluation {
    ev(program, &Basket::eur().line("TEA", 1, price))
}

/// The points of a one-line order of `price`.
fn points_on(program: &Program, price: &str) -> Decimal {
    one_line(program, price).points.total
}

/// The trace entry of the rule `id` of `kind`.
fn trace<'e>(e: &'e Evaluation, kind: RuleKind, id: &str) -> &'e TraceEntry {
    e.trace
        .iter()
        .find(|t| t.rule.kind == kind && t.rule.id == id)
        .unwrap_or_else(|| panic!("a trace entry for {kind:?} {id}: {:#?}", e.trace))
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

/// A line's points, zero when it earned none.
fn line_points(e: &Evaluation, line: &str) -> Decimal {
    e.points
        .lines
        .iter()
        .find(|l| l.line.as_str() == line)
        .map_or(Decimal::ZERO, |l| l.points)
}

/// A line's cashback, zero when it got none.
fn line_cashback(e: &Evaluation, line: &str) -> Decimal {
    e.cashback
        .lines
        .iter()
        .find(|l| l.line.as_str() == line)
        .map_or(Decimal::ZERO, |l| l.amount)
}

fn ten_percent_coupon() -> Value {
    json!({"id": "ten", "codes": ["TEN"], "reward": {"type": "percent_off", "percent": "10"}})
}

// ---------------------------------------------------------------------------
// Bases
// ---------------------------------------------------------------------------

#[test]
fn net_base_counts_after_discounts_and_gross_before() {
    let with_base = |base: &str| {
        shop(json!({
            "coupons": [ten_percent_coupon()],
            "earning": [{"id": "p", "base": base, "points": "1", "per": "1.00"}]
        }))
    };
    let basket = Basket::eur().line("TEA", 1, "100.00").coupon("TEN");
    // 100.00 − 10% = 90.00 net: 90 points on the net base.
    let net = ev(&with_base("net"), &basket);
    assert_eq!(net.totals.discount, d("10.00"));
    assert_eq!(net.points.total, d("90"));
    assert_eq!(net.points.rules[0].base, d("90.00"));
    // The gross base ignores the coupon: 100 points.
    let gross = ev(&with_base("gross"), &basket);
    assert_eq!(gross.points.total, d("100"));
    assert_eq!(gross.points.rules[0].base, d("100.00"));
    // The default base is the net: with the coupon, 90.
    let default = shop(json!({"coupons": [ten_percent_coupon()], "earning": [one_per_euro()]}));
    assert_eq!(ev(&default, &basket).points.total, d("90"));
}

#[test]
fn per_unit_base_counts_units() {
    let program = earning(json!([{"id": "bag", "base": "per_unit", "points": "10"}]));
    // 10 points × 3 units = 30, whatever the price.
    let e = ev(&program, &Basket::eur().line("COFFEE", 3, "42.90"));
    assert_eq!(e.points.total, d("30"));
    assert_eq!(e.points.rules[0].base, d("3"));
    assert_eq!(e.points.order_level, Decimal::ZERO);
    assert_eq!(line_points(&e, "1"), d("30"));
}

#[test]
fn per_order_base_gives_flat_points_at_order_level() {
    let program = earning(json!([{"id": "visit", "base": "per_order", "points": "50"}]));
    // 50 points for the order, on no line.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "5.00")
            .line("MUG", 2, "100.00"),
    );
    assert_eq!(e.points.total, d("50"));
    assert_eq!(e.points.order_level, d("50"));
    assert!(e.points.lines.is_empty());
    assert_eq!(e.points.rules[0].points, d("50"));
}

// ---------------------------------------------------------------------------
// Rounding and rates
// ---------------------------------------------------------------------------

#[test]
fn each_rounding_mode() {
    let with = |rounding: Value, points: &str, per: &str| {
        earning(json!([{"id": "p", "points": points, "per": per, "rounding": rounding}]))
    };
    // 37.99 × 1 = 37.99 → floor 37.
    assert_eq!(
        points_on(&with(json!("floor"), "1", "1.00"), "37.99"),
        d("37")
    );
    // Floor is the default.
    assert_eq!(
        points_on(&earning(json!([one_per_euro()])), "37.99"),
        d("37")
    );
    // 37.50 → round, halves up: 38; 37.49 → 37.
    assert_eq!(
        points_on(&with(json!("round"), "1", "1.00"), "37.50"),
        d("38")
    );
    assert_eq!(
        points_on(&with(json!("round"), "1", "1.00"), "37.49"),
        d("37")
    );
    // 37.01 → ceil 38; 37.00 stays 37.
    assert_eq!(
        points_on(&with(json!("ceil"), "1", "1.00"), "37.01"),
        d("38")
    );
    assert_eq!(
        points_on(&with(json!("ceil"), "1", "1.00"), "37.00"),
        d("37")
    );
    // 1 point per 3.00 on 10.00 = 3.333… → 2 decimals, the rest dropped: 3.33.
    let e = one_line(&with(json!({"decimals": 2}), "1", "3.00"), "10.00");
    assert_eq!(e.points.total, d("3.33"));
    assert_eq!(line_points(&e, "1"), d("3.33"));
    // 20.00 / 3 = 6.666… → 6.66 (toward zero, not rounded to 6.67).
    assert_eq!(
        points_on(&with(json!({"decimals": 2}), "1", "3.00"), "20.00"),
        d("6.66")
    );
}

#[test]
fn rate_with_per() {
    let program = earning(json!([{"id": "p", "points": "1", "per": "2.00"}]));
    // 75.00 / 2.00 = 37.5 points → floor 37.
    assert_eq!(points_on(&program, "75.00"), d("37"));
    // 5 points per 10.00 on 99.99: 49.995 → 49.
    let program = earning(json!([{"id": "p", "points": "5", "per": "10.00"}]));
    assert_eq!(points_on(&program, "99.99"), d("49"));
}

// ---------------------------------------------------------------------------
// Minimum, cap, stop, condition, shipping, exempt lines
// ---------------------------------------------------------------------------

#[test]
fn min_order_below_and_at_the_minimum() {
    let program = earning(json!([
        {"id": "p", "points": "1", "per": "1.00", "min_order": "50.00"}
    ]));
    // 49.99 is below 50.00: nothing, and the trace says why.
    let below = one_line(&program, "49.99");
    assert_eq!(below.points.total, Decimal::ZERO);
    assert!(below.points.rules.is_empty());
    let entry = trace(&below, RuleKind::Earn, "p");
    assert!(!entry.applied);
    assert!(
        entry.message().starts_with("not applied")
            && entry.message().contains("49.99 EUR")
            && entry.message().contains("minimum 50.00 EUR"),
        "{}",
        entry.message()
    );
    // Exactly 50.00 reaches it: 50 points.
    let at = one_line(&program, "50.00");
    assert_eq!(at.points.total, d("50"));
    assert!(trace(&at, RuleKind::Earn, "p").applied);
}

#[test]
fn min_order_reads_the_subtotal_before_discounts_without_exempt_lines() {
    let program = shop(json!({
        "coupons": [ten_percent_coupon()],
        "earning": [{"id": "p", "points": "1", "per": "1.00", "min_order": "50.00"}]
    }));
    // 50.00 − 10% = 45.00 net: the minimum reads the 50.00 subtotal, so
    // the rule applies, on the 45.00 net: 45 points.
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "50.00").coupon("TEN"),
    );
    assert_eq!(e.points.total, d("45"));
    // 40.00 + a 20.00 gift card: the subtotal is 40.00, below 50.00.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "40.00")
            .exempt_line("CARD", 1, "20.00"),
    );
    assert_eq!(e.points.total, Decimal::ZERO);
}

#[test]
fn cap_per_order() {
    let program = earning(json!([{"id": "p", "points": "1", "per": "1.00", "cap": "30"}]));
    // 100 points, capped at 30.
    let e = one_line(&program, "100.00");
    assert_eq!(e.points.total, d("30"));
    assert!(e.points.rules[0].capped);
    assert!(
        trace(&e, RuleKind::Earn, "p")
            .message()
            .contains("(capped)")
    );
    // 29.99 → 29, below the cap: not capped.
    let e = one_line(&program, "29.99");
    assert_eq!(e.points.total, d("29"));
    assert!(!e.points.rules[0].capped);
}

#[test]
fn stop_skips_the_later_rules_only_when_it_gives_points() {
    let program = earning(json!([
        {"id": "coffee", "base": "per_unit", "points": "10",
         "lines": {"categories": ["coffee"]}, "stop": true},
        one_per_euro()
    ]));
    // 2 bags of coffee: 20 points; the base rule is skipped.
    let e = ev(
        &program,
        &Basket::eur()
            .line_in("COFFEE", 2, "5.00", &["coffee"])
            .line("TEA", 1, "30.00"),
    );
    assert_eq!(e.points.total, d("20"));
    assert_eq!(e.points.rules.len(), 1);
    let skipped = trace(&e, RuleKind::Earn, "base");
    assert!(!skipped.applied);
    assert!(
        skipped
            .message()
            .contains("coffee stops the rules after it"),
        "{}",
        skipped.message()
    );
    // No coffee: the stopping rule earns nothing, so the base rule applies:
    // 30 points.
    let e = ev(&program, &Basket::eur().line("TEA", 1, "30.00"));
    assert_eq!(e.points.total, d("30"));
    assert_eq!(e.points.rules[0].rule.id, "base");
    assert!(!trace(&e, RuleKind::Earn, "coffee").applied);
}

#[test]
fn a_rule_with_a_condition() {
    let program = earning(json!([
        {"id": "app", "points": "2", "per": "1.00", "condition": {"channel_in": ["app"]}}
    ]));
    // In the app: 2 × 10.00 = 20 points.
    let app = ev(
        &program,
        &Basket::eur().line("TEA", 1, "10.00").channel("app"),
    );
    assert_eq!(app.points.total, d("20"));
    // On the web: the condition fails, nothing.
    let web = ev(
        &program,
        &Basket::eur().line("TEA", 1, "10.00").channel("web"),
    );
    assert_eq!(web.points.total, Decimal::ZERO);
    let entry = trace(&web, RuleKind::Earn, "app");
    assert!(!entry.applied);
    assert!(
        entry.message().contains("condition not met"),
        "{}",
        entry.message()
    );
}

#[test]
fn shipping_never_earns() {
    let program = shop(json!({
        "earning": [
            one_per_euro(),
            {"id": "gross", "base": "gross", "points": "1", "per": "1.00"}
        ]
    }));
    // 100.00 of items + 10.00 shipping: 100 net + 100 gross = 200, not 220.
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "100.00").shipping("10.00"),
    );
    assert_eq!(e.totals.payable, d("110.00"));
    assert_eq!(e.points.total, d("200"));
}

#[test]
fn exempt_lines_earn_only_with_include_exempt() {
    let basket = Basket::eur()
        .line("TEA", 1, "100.00")
        .exempt_line("GIFT-CARD", 1, "50.00");
    // The 50.00 gift card is exempt: 100 points.
    let e = ev(&earning(json!([one_per_euro()])), &basket);
    assert_eq!(e.points.total, d("100"));
    assert_eq!(line_points(&e, "2"), Decimal::ZERO);
    // With include_exempt: 150, 50 of them on the gift card.
    let e = ev(
        &earning(json!([{"id": "all", "points": "1", "per": "1.00",
                         "lines": {"include_exempt": true}}])),
        &basket,
    );
    assert_eq!(e.points.total, d("150"));
    assert_eq!(line_points(&e, "2"), d("50"));
    // A per_unit rule skips it too: 1 unit of tea, 10 points.
    let e = ev(
        &earning(json!([{"id": "u", "base": "per_unit", "points": "10"}])),
        &basket,
    );
    assert_eq!(e.points.total, d("10"));
}

// ---------------------------------------------------------------------------
// Multipliers
// ---------------------------------------------------------------------------

fn gold(customer_tier: Option<&str>) -> Basket {
    let mut customer = json!({"id": "C-1"});
    if let Some(tier) = customer_tier {
        customer["tier"] = json!(tier);
    }
    Basket::eur().line("TEA", 1, "100.00").customer(customer)
}

#[test]
fn tier_multiplier() {
    let program = shop(json!({
        "tiers": [{"id": "silver"}, {"id": "gold"}],
        "earning": [one_per_euro()],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "1.5"}]}
    }));
    // Gold: 100 × 1.5 = 150.
    let e = ev(&program, &gold(Some("gold")));
    assert_eq!(e.points.total, d("150"));
    assert_eq!(e.points.rules[0].multiplier, d("1.5"));
    assert!(
        trace(&e, RuleKind::Earn, "base")
            .message()
            .contains("× 1.5"),
        "the trace shows the factor"
    );
    // Silver has no multiplier, and no tier neither: 100.
    assert_eq!(ev(&program, &gold(Some("silver"))).points.total, d("100"));
    let plain = ev(&program, &gold(None));
    assert_eq!(plain.points.total, d("100"));
    assert_eq!(plain.points.rules[0].multiplier, Decimal::ONE);
}

#[test]
fn category_multiplier_only_on_matching_lines() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"lines": [
            {"id": "coffee-2x", "lines": {"categories": ["coffee"]}, "factor": "2"}
        ]}
    }));
    // Coffee 30.00 × 2 = 60; tea 20.00 × 1 = 20; 80 in all.
    let e = ev(
        &program,
        &Basket::eur()
            .line_in("COFFEE", 1, "30.00", &["coffee"])
            .line_in("TEA", 1, "20.00", &["tea"]),
    );
    assert_eq!(e.points.total, d("80"));
    assert_eq!(line_points(&e, "1"), d("60"));
    assert_eq!(line_points(&e, "2"), d("20"));
}

#[test]
fn combine_multiply_add_extras_largest() {
    // A gold 2× tier and a 3× coffee line on 10.00 of coffee.
    let with = |combine: &str| {
        shop(json!({
            "earning": [one_per_euro()],
            "multipliers": {
                "combine": combine,
                "tiers": [{"tier": "gold", "factor": "2"}],
                "lines": [{"id": "coffee-3x", "lines": {"categories": ["coffee"]}, "factor": "3"}]
            }
        }))
    };
    let basket = Basket::eur()
        .line_in("COFFEE", 1, "10.00", &["coffee"])
        .customer(json!({"id": "C-1", "tier": "gold"}));
    // multiply: 2 × 3 = 6× → 60.
    assert_eq!(ev(&with("multiply"), &basket).points.total, d("60"));
    // add_extras: 1 + (2 − 1) + (3 − 1) = 4× → 40.
    assert_eq!(ev(&with("add_extras"), &basket).points.total, d("40"));
    // largest: 3× → 30.
    assert_eq!(ev(&with("largest"), &basket).points.total, d("30"));
    // The default is multiply.
    let default = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {
            "tiers": [{"tier": "gold", "factor": "2"}],
            "lines": [{"id": "coffee-3x", "lines": {"categories": ["coffee"]}, "factor": "3"}]
        }
    }));
    assert_eq!(ev(&default, &basket).points.total, d("60"));
}

#[test]
fn a_rule_without_multipliers() {
    let program = shop(json!({
        "earning": [
            {"id": "plain", "points": "1", "per": "1.00", "multipliers": false},
            {"id": "visit", "base": "per_order", "points": "10", "multipliers": false}
        ],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "1.5"}]}
    }));
    // Gold, but the rules opt out: 100 + 10 = 110, each at 1×.
    let e = ev(&program, &gold(Some("gold")));
    assert_eq!(e.points.total, d("110"));
    assert!(e.points.rules.iter().all(|r| r.multiplier == Decimal::ONE));
}

#[test]
fn per_order_rule_is_multiplied_by_the_order_factor() {
    let program = shop(json!({
        "earning": [{"id": "visit", "base": "per_order", "points": "10"}],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "1.5"}]}
    }));
    // 10 × 1.5 = 15 at order level.
    let e = ev(&program, &gold(Some("gold")));
    assert_eq!(e.points.total, d("15"));
    assert_eq!(e.points.order_level, d("15"));
}

#[test]
fn black_friday_campaign_at_the_local_day_boundary() {
    let program = shop(json!({
        "time_zone": "America/Sao_Paulo",
        "earning": [one_per_euro()],
        "multipliers": {"campaigns": [
            {"id": "bf-double", "when": {"seasonal_event": "black_friday"}, "factor": "2"}
        ]}
    }));
    let at = |instant: &str| {
        ev(
            &program,
            &Basket::eur().line("TEA", 1, "100.00").at(instant),
        )
    };
    // 2026-11-27T02:59:59Z is 26 November 23:59:59 in São Paulo (UTC−3):
    // not Black Friday yet, 100 points.
    let before = at("2026-11-27T02:59:59Z");
    assert_eq!(before.points.total, d("100"));
    assert!(!trace(&before, RuleKind::Campaign, "bf-double").applied);
    // 03:00:00Z is local midnight of the 27th, Black Friday 2026: 200.
    let on = at("2026-11-27T03:00:00Z");
    assert_eq!(on.points.total, d("200"));
    let entry = trace(&on, RuleKind::Campaign, "bf-double");
    assert!(entry.applied);
    assert!(entry.message().contains("2× points"), "{}", entry.message());
    // And it ends at local midnight of the 28th (03:00Z).
    assert_eq!(at("2026-11-28T02:59:59Z").points.total, d("200"));
    assert_eq!(at("2026-11-28T03:00:00Z").points.total, d("100"));
}

#[test]
fn double_points_on_double_eleven() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"campaigns": [
            {"id": "11-11", "when": {"seasonal_event": "double_eleven"}, "factor": "2"}
        ]}
    }));
    let at = |instant: &str| {
        ev(&program, &Basket::eur().line("TEA", 1, "25.00").at(instant))
            .points
            .total
    };
    // 25.00 × 2 on 11 November; 25 the day before and after.
    assert_eq!(at("2026-11-11T12:00:00Z"), d("50"));
    assert_eq!(at("2026-11-10T23:59:59Z"), d("25"));
    assert_eq!(at("2026-11-12T00:00:00Z"), d("25"));
}

#[test]
fn triple_points_on_the_birthday() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"campaigns": [{"id": "birthday-3x", "when": "birthday", "factor": "3"}]}
    }));
    let on = |birthday: &str| {
        ev(
            &program,
            &Basket::eur()
                .line("TEA", 1, "20.00")
                .customer(json!({"id": "C-1", "birthday": birthday}))
                .at("2026-11-27T10:00:00Z"),
        )
        .points
        .total
    };
    // Born 27 November, ordering on 27 November: 20 × 3 = 60.
    assert_eq!(on("11-27"), d("60"));
    // Born the 28th: 20.
    assert_eq!(on("11-28"), d("20"));
    // No birthday on file: 20.
    let none = ev(&program, &Basket::eur().line("TEA", 1, "20.00"));
    assert_eq!(none.points.total, d("20"));
}

// ---------------------------------------------------------------------------
// Bonuses
// ---------------------------------------------------------------------------

fn bonus_program() -> Program {
    shop(json!({
        "earning": [one_per_euro()],
        "bonuses": [
            {"id": "welcome", "when": "first_order", "points": "100"},
            {"id": "fifth", "when": {"order_number": 5}, "points": "250"},
            {"id": "fiftieth", "when": {"order_number": 50}, "points": "5000"},
            {"id": "birthday-month", "when": "birthday_month", "points": "30"},
            {"id": "big-order", "when": {"order_over": "200.00"}, "points": "20"}
        ]
    }))
}

/// A 10.00 order by a customer with `orders_before` orders, born in `born`.
fn nth_order(orders_before: u32, born: &str) -> Basket {
    let mut customer = json!({"id": "C-1", "birthday": born,
                              "stats": {"orders_before": orders_before}});
    if orders_before > 0 {
        customer["stats"]["last_order_at"] = json!("2026-01-01T00:00:00Z");
    }
    Basket::eur()
        .line("TEA", 1, "10.00")
        .customer(customer)
        .at("2026-11-27T10:00:00Z")
}

fn bonus_ids(e: &Evaluation) -> Vec<String> {
    e.points
        .bonuses
        .iter()
        .map(|b| b.rule.id.to_string())
        .collect()
}

#[test]
fn first_order_and_nth_order_bonuses() {
    let program = bonus_program();
    // Order 1: 10 points + 100 welcome.
    let first = ev(&program, &nth_order(0, "03-01"));
    assert_eq!(bonus_ids(&first), ["welcome"]);
    assert_eq!(first.points.total, d("110"));
    assert_eq!(first.points.order_level, d("100"));
    // Order 2: nothing extra.
    let second = ev(&program, &nth_order(1, "03-01"));
    assert!(second.points.bonuses.is_empty());
    assert_eq!(second.points.total, d("10"));
    let entry = trace(&second, RuleKind::Bonus, "welcome");
    assert!(!entry.applied);
    assert!(
        entry.message().contains("not the first"),
        "{}",
        entry.message()
    );
    // 4 orders before: this is order 5, +250.
    let fifth = ev(&program, &nth_order(4, "03-01"));
    assert_eq!(bonus_ids(&fifth), ["fifth"]);
    assert_eq!(fifth.points.total, d("260"));
    // 3 or 5 orders before: not the 5th.
    assert!(
        ev(&program, &nth_order(3, "03-01"))
            .points
            .bonuses
            .is_empty()
    );
    assert!(
        ev(&program, &nth_order(5, "03-01"))
            .points
            .bonuses
            .is_empty()
    );
    // 49 orders before: the 50th, +5000.
    let fiftieth = ev(&program, &nth_order(49, "03-01"));
    assert_eq!(bonus_ids(&fiftieth), ["fiftieth"]);
    assert_eq!(fiftieth.points.total, d("5010"));
}

#[test]
fn birthday_month_bonus() {
    let program = bonus_program();
    // Born 3 November, ordering on 27 November: +30.
    let e = ev(&program, &nth_order(2, "11-03"));
    assert_eq!(bonus_ids(&e), ["birthday-month"]);
    assert_eq!(e.points.total, d("40"));
    // Born in December: no bonus.
    let e = ev(&program, &nth_order(2, "12-27"));
    assert!(e.points.bonuses.is_empty());
    assert!(
        trace(&e, RuleKind::Bonus, "birthday-month")
            .message()
            .contains("month 12, not 11")
    );
}

#[test]
fn order_over_bonus_at_exactly_the_amount() {
    let program = bonus_program();
    let order = |price: &str| {
        let customer = json!({"id": "C-1", "stats": {"orders_before": 2}});
        ev(
            &program,
            &Basket::eur().line("TEA", 1, price).customer(customer),
        )
    };
    // 200.00 is "at least 200.00": 200 + 20 = 220.
    let at = order("200.00");
    assert_eq!(bonus_ids(&at), ["big-order"]);
    assert_eq!(at.points.total, d("220"));
    // 199.99: 199, no bonus.
    let below = order("199.99");
    assert!(below.points.bonuses.is_empty());
    assert_eq!(below.points.total, d("199"));
    assert!(
        trace(&below, RuleKind::Bonus, "big-order")
            .message()
            .contains("subtotal 199.99 EUR is below 200.00 EUR")
    );
}

#[test]
fn bonuses_are_not_multiplied() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {
            "tiers": [{"tier": "gold", "factor": "2"}],
            "campaigns": [{"id": "always", "when": {"all": []}, "factor": "3"}]
        },
        "bonuses": [{"id": "welcome", "when": "first_order", "points": "100"}]
    }));
    // 10.00 × 2 × 3 = 60, plus the 100 welcome bonus as it is: 160.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "10.00")
            .customer(json!({"id": "C-1", "tier": "gold", "stats": {}})),
    );
    assert_eq!(e.points.total, d("160"));
    assert_eq!(e.points.order_level, d("100"));
    assert_eq!(e.points.bonuses[0].points, d("100"));
}

#[test]
fn coupon_bonus_points_and_points_multiplier() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "1.5"}]},
        "coupons": [
            {"id": "bonus", "codes": ["BONUS"], "reward": {"type": "bonus_points", "points": "500"}},
            {"id": "double", "codes": ["DOUBLE"], "reward": {"type": "points_multiplier", "factor": "2"}}
        ]
    }));
    let basket = Basket::eur().line("TEA", 1, "10.00");
    // BONUS: 10 + 500 at order level, listed as the coupon's bonus.
    let e = ev(&program, &basket.clone().coupon("BONUS"));
    assert_eq!(e.points.total, d("510"));
    assert_eq!(e.points.order_level, d("500"));
    assert_eq!(e.points.bonuses[0].rule.kind, RuleKind::Coupon);
    assert_eq!(e.points.bonuses[0].rule.id, "bonus");
    assert!(e.coupon("BONUS").unwrap().rejection.is_none());
    assert!(
        e.effects
            .iter()
            .any(|x| matches!(x, Effect::CouponRedemption { code, .. } if code == "BONUS"))
    );
    // DOUBLE: 10 × 2 = 20.
    let e = ev(&program, &basket.clone().coupon("DOUBLE"));
    assert_eq!(e.points.total, d("20"));
    assert_eq!(e.points.rules[0].multiplier, d("2"));
    // DOUBLE for gold: 10 × 1.5 × 2 = 30 (multiplied together by default).
    let e = ev(
        &program,
        &basket
            .clone()
            .coupon("DOUBLE")
            .customer(json!({"id": "C-1", "tier": "gold"})),
    );
    assert_eq!(e.points.total, d("30"));
    // Both: 10 × 2 + 500 = 520; the 500 is not doubled.
    let e = ev(&program, &basket.coupon("DOUBLE").coupon("BONUS"));
    assert_eq!(e.points.total, d("520"));
}

// ---------------------------------------------------------------------------
// Per-line attribution
// ---------------------------------------------------------------------------

#[test]
fn line_points_are_proportional_and_sum_to_total_minus_order_level() {
    let program = earning(json!([
        one_per_euro(),
        {"id": "visit", "base": "per_order", "points": "50"}
    ]));
    let e = ev(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .line("B", 1, "20.00")
            .line("C", 1, "30.50"),
    );
    // 60.50 net → 60 points, split in proportion to 10 : 20 : 30.5:
    //   60 × 10/60.5 =  9.917 → 9
    //   60 × 20/60.5 = 19.835 → 19
    //   60 × 30.5/60.5 = 30.248 → 30     (58 so far)
    // the 2 points left go to the largest remainders (.917, .835):
    //   10, 20, 30.
    // Plus the 50 per order, on no line: 110 in all.
    assert_eq!(e.points.total, d("110"));
    assert_eq!(e.points.order_level, d("50"));
    assert_eq!(line_points(&e, "1"), d("10"));
    assert_eq!(line_points(&e, "2"), d("20"));
    assert_eq!(line_points(&e, "3"), d("30"));
    assert_eq!(
        total(e.points.lines.iter().map(|l| l.points)),
        e.points.total - e.points.order_level
    );
}

#[test]
fn line_points_keep_fractional_points() {
    let program = earning(json!([
        {"id": "p", "points": "1", "per": "8.00", "rounding": {"decimals": 2}}
    ]));
    // 3 × 1.00 / 8.00 = 0.375 points → 0.37 at 2 decimals: 37 hundredths
    // over three equal lines, 12 each and the one left to the earliest
    // (equal remainders): 0.13, 0.12, 0.12.
    let e = ev(
        &program,
        &Basket::eur()
            .line("A", 1, "1.00")
            .line("B", 1, "1.00")
            .line("C", 1, "1.00"),
    );
    assert_eq!(e.points.total, d("0.37"));
    assert_eq!(line_points(&e, "1"), d("0.13"));
    assert_eq!(line_points(&e, "2"), d("0.12"));
    assert_eq!(line_points(&e, "3"), d("0.12"));
}

// ---------------------------------------------------------------------------
// Cashback
// ---------------------------------------------------------------------------

fn cashback(rules: Value) -> Program {
    shop(json!({ "cashback": rules }))
}

#[test]
fn flat_percent_cashback() {
    let program = cashback(json!([{"id": "cb", "percent": "2"}]));
    // 2% of 150.00 = 3.00.
    let e = one_line(&program, "150.00");
    assert_eq!(e.cashback.total, d("3.00"));
    assert_eq!(e.cashback.rules[0].percent, d("2"));
    assert_eq!(e.cashback.rules[0].base, d("150.00"));
    assert_eq!(line_cashback(&e, "1"), d("3.00"));
    assert!(trace(&e, RuleKind::Cashback, "cb").applied);
}

#[test]
fn ladder_cashback_whole_basket_and_bracket() {
    let steps = json!([{"from": "100.00", "percent": "2"}, {"from": "200.00", "percent": "5"}]);
    let whole = cashback(json!([{"id": "cb", "steps": steps}]));
    let bracket = cashback(json!([{"id": "cb", "steps": steps, "mode": "bracket"}]));
    // Whole basket: 250.00 reaches 5%, on all of it: 12.50.
    assert_eq!(one_line(&whole, "250.00").cashback.total, d("12.50"));
    // 150.00 reaches 2%: 3.00. 99.99 reaches nothing.
    assert_eq!(one_line(&whole, "150.00").cashback.total, d("3.00"));
    let none = one_line(&whole, "99.99");
    assert_eq!(none.cashback.total, Decimal::ZERO);
    assert!(!trace(&none, RuleKind::Cashback, "cb").applied);
    // Bracket: 2% of 100.00–200.00 (2.00) + 5% of 200.00–250.00 (2.50)
    // = 4.50, an effective 1.8%.
    let e = one_line(&bracket, "250.00");
    assert_eq!(e.cashback.total, d("4.50"));
    assert_eq!(e.cashback.rules[0].percent, d("1.8"));
    // 150.00: 2% of 50.00 = 1.00.
    assert_eq!(one_line(&bracket, "150.00").cashback.total, d("1.00"));
}

#[test]
fn shipping_counts_only_with_include_shipping() {
    let basket = Basket::eur().line("TEA", 1, "100.00").shipping("10.00");
    // 10% of the 100.00 items: 10.00; shipping excluded.
    let e = ev(&cashback(json!([{"id": "cb", "percent": "10"}])), &basket);
    assert_eq!(e.cashback.total, d("10.00"));
    assert_eq!(e.cashback.shipping, Decimal::ZERO);
    // Included: 10% of 110.00 = 11.00, 1.00 of it on shipping.
    let e = ev(
        &cashback(json!([{"id": "cb", "percent": "10", "include_shipping": true}])),
        &basket,
    );
    assert_eq!(e.cashback.total, d("11.00"));
    assert_eq!(e.cashback.shipping, d("1.00"));
    assert_eq!(line_cashback(&e, "1"), d("10.00"));
}

#[test]
fn shipping_paid_is_after_free_shipping() {
    let program = shop(json!({
        "coupons": [{"id": "ship", "codes": ["SHIP"], "reward": {"type": "free_shipping"}}],
        "cashback": [{"id": "cb", "percent": "10", "include_shipping": true}]
    }));
    // Free shipping: nothing paid for it, 10% of 100.00 = 10.00.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .shipping("10.00")
            .coupon("SHIP"),
    );
    assert_eq!(e.totals.payable, d("100.00"));
    assert_eq!(e.cashback.total, d("10.00"));
    assert_eq!(e.cashback.shipping, Decimal::ZERO);
}

#[test]
fn min_spend_for_cashback() {
    let program = cashback(json!([{"id": "cb", "percent": "2", "min_spend": "50.00"}]));
    // 49.99 net paid: below 50.00, nothing.
    let below = one_line(&program, "49.99");
    assert_eq!(below.cashback.total, Decimal::ZERO);
    let entry = trace(&below, RuleKind::Cashback, "cb");
    assert!(!entry.applied);
    assert!(
        entry.message().contains("below the minimum 50.00 EUR"),
        "{}",
        entry.message()
    );
    // Exactly 50.00: 2% = 1.00.
    assert_eq!(one_line(&program, "50.00").cashback.total, d("1.00"));
}

#[test]
fn cashback_cap() {
    let program = cashback(json!([{"id": "cb", "percent": "2", "cap": "20.00"}]));
    // 2% of 2000.00 = 40.00, capped at 20.00.
    let e = one_line(&program, "2000.00");
    assert_eq!(e.cashback.total, d("20.00"));
    assert!(e.cashback.rules[0].capped);
    assert!(
        trace(&e, RuleKind::Cashback, "cb")
            .message()
            .contains("(capped)")
    );
    // 2% of 1000.00 = 20.00 exactly: not capped.
    let e = one_line(&program, "1000.00");
    assert_eq!(e.cashback.total, d("20.00"));
    assert!(!e.cashback.rules[0].capped);
}

#[test]
fn tier_specific_cashback_percent() {
    let program = shop(json!({
        "tiers": [{"id": "silver"}, {"id": "gold"}],
        "cashback": [{"id": "cb", "percent": "2", "tiers": [{"tier": "gold", "percent": "5"}]}]
    }));
    // Gold: 5% of 100.00 = 5.00; silver: the rule's 2% = 2.00.
    let e = ev(&program, &gold(Some("gold")));
    assert_eq!(e.cashback.total, d("5.00"));
    assert_eq!(e.cashback.rules[0].percent, d("5"));
    assert_eq!(
        ev(&program, &gold(Some("silver"))).cashback.total,
        d("2.00")
    );
}

#[test]
fn cashback_rounding_half_up_and_half_even() {
    let with = |rounding: &str| {
        shop(json!({"rounding": rounding, "cashback": [{"id": "cb", "percent": "5"}]}))
    };
    // 5% of 10.50 = 0.525: half up 0.53, half even 0.52.
    assert_eq!(
        one_line(&with("half_up"), "10.50").cashback.total,
        d("0.53")
    );
    assert_eq!(
        one_line(&with("half_even"), "10.50").cashback.total,
        d("0.52")
    );
    // 5% of 10.70 = 0.535: both give 0.54 (4 is even).
    assert_eq!(
        one_line(&with("half_even"), "10.70").cashback.total,
        d("0.54")
    );
}

#[test]
fn cashback_never_above_payable() {
    let program = shop(json!({
        "coupons": [ten_percent_coupon()],
        "cashback": [{"id": "all", "percent": "100"}]
    }));
    // 100.00 − 10% = 90.00 paid: 100% cashback is 90.00, not 100.00.
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "100.00").coupon("TEN"),
    );
    assert_eq!(e.totals.payable, d("90.00"));
    assert_eq!(e.cashback.total, d("90.00"));

    let program = shop(json!({
        "coupons": [ten_percent_coupon()],
        "cashback": [
            {"id": "all", "percent": "100", "include_shipping": true},
            {"id": "more", "percent": "50"}
        ]
    }));
    // 90.00 + 10.00 shipping = 100.00 payable; the first rule gives all of
    // it back, the second (45.00) finds nothing left.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .shipping("10.00")
            .coupon("TEN"),
    );
    assert_eq!(e.totals.payable, d("100.00"));
    assert_eq!(e.cashback.total, d("100.00"));
    assert_eq!(e.cashback.rules.len(), 1);
    assert!(!trace(&e, RuleKind::Cashback, "more").applied);
}

#[test]
fn cashback_lines_sum_to_total_minus_shipping_part() {
    let program = cashback(json!([{"id": "cb", "percent": "10", "include_shipping": true}]));
    // 10% of 10.00 + 20.00 + 5.00 shipping = 3.50: 1.00, 2.00 and 0.50.
    let e = ev(
        &program,
        &Basket::eur()
            .line("A", 1, "10.00")
            .line("B", 1, "20.00")
            .shipping("5.00"),
    );
    assert_eq!(e.cashback.total, d("3.50"));
    assert_eq!(line_cashback(&e, "1"), d("1.00"));
    assert_eq!(line_cashback(&e, "2"), d("2.00"));
    assert_eq!(e.cashback.shipping, d("0.50"));
    // 10% of 3.33 + 3.33 + 3.34 = 1.00: 33.3, 33.3, 33.4 cents → 33 each,
    // the cent left to the largest remainder (line 3): 0.33, 0.33, 0.34.
    let program = cashback(json!([{"id": "cb", "percent": "10"}]));
    let e = ev(
        &program,
        &Basket::eur()
            .line("A", 1, "3.33")
            .line("B", 1, "3.33")
            .line("C", 1, "3.34"),
    );
    assert_eq!(e.cashback.total, d("1.00"));
    assert_eq!(line_cashback(&e, "1"), d("0.33"));
    assert_eq!(line_cashback(&e, "2"), d("0.33"));
    assert_eq!(line_cashback(&e, "3"), d("0.34"));
    assert_eq!(
        total(e.cashback.lines.iter().map(|l| l.amount)),
        e.cashback.total - e.cashback.shipping
    );
}

#[test]
fn exempt_lines_get_no_cashback() {
    let program = cashback(json!([{"id": "cb", "percent": "10"}]));
    // 10% of the 100.00 tea only; the 50.00 gift card is exempt.
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "100.00")
            .exempt_line("CARD", 1, "50.00"),
    );
    assert_eq!(e.cashback.total, d("10.00"));
    assert_eq!(line_cashback(&e, "2"), Decimal::ZERO);
}

// ---------------------------------------------------------------------------
// Pending and expiry, effects
// ---------------------------------------------------------------------------

fn ledger_program(zone: &str, ledger: Value) -> Program {
    shop(json!({
        "time_zone": zone,
        "earning": [one_per_euro()],
        "cashback": [{"id": "cb", "percent": "2"}],
        "ledger": ledger
    }))
}

fn dated(program: &Program, at: &str) -> Evaluation {
    ev(program, &Basket::eur().line("TEA", 1, "100.00").at(at))
}

#[test]
fn return_window_sets_available_at() {
    // 7 days after 2026-11-27T13:00Z: 2026-12-04T13:00Z; never expires.
    let program = ledger_program("UTC", json!({"return_window_days": 7}));
    let e = dated(&program, "2026-11-27T13:00:00Z");
    assert_eq!(e.points.available_at, Some(instant("2026-12-04T13:00:00Z")));
    assert_eq!(
        e.cashback.available_at,
        Some(instant("2026-12-04T13:00:00Z"))
    );
    assert_eq!(e.points.expires_at, None);
    assert_eq!(e.cashback.expires_at, None);
    // 30 days: 2026-12-27T13:00Z.
    let program = ledger_program("UTC", json!({"return_window_days": 30}));
    let e = dated(&program, "2026-11-27T13:00:00Z");
    assert_eq!(e.points.available_at, Some(instant("2026-12-27T13:00:00Z")));
    // No window: available at once.
    let program = ledger_program("UTC", json!({}));
    let e = dated(&program, "2026-11-27T13:00:00Z");
    assert_eq!(e.points.available_at, Some(instant("2026-11-27T13:00:00Z")));
}

#[test]
fn after_months_expiry() {
    // Available 2026-12-27T13:00Z (30 days), expires 12 months later:
    // 2027-12-27T13:00Z.
    let program = ledger_program(
        "UTC",
        json!({"return_window_days": 30, "points_expiry": {"after_months": 12}}),
    );
    let e = dated(&program, "2026-11-27T13:00:00Z");
    assert_eq!(e.points.expires_at, Some(instant("2027-12-27T13:00:00Z")));
    // Cashback has its own policy: never here.
    assert_eq!(e.cashback.expires_at, None);
}

#[test]
fn end_of_year_expiry_in_sao_paulo() {
    let policy = |years: i64, window: i64| {
        ledger_program(
            "America/Sao_Paulo",
            json!({"return_window_days": window,
                   "points_expiry": {"end_of_year": years},
                   "cashback_expiry": {"end_of_year": years}}),
        )
    };
    // Available 2026-12-04 local (7 days): the end of 2026 is local
    // midnight of 1 January 2027, 03:00Z (UTC−3).
    let e = dated(&policy(0, 7), "2026-11-27T13:00:00Z");
    assert_eq!(e.points.expires_at, Some(instant("2027-01-01T03:00:00Z")));
    assert_eq!(e.cashback.expires_at, Some(instant("2027-01-01T03:00:00Z")));
    // end_of_year 1: the end of 2027, 2028-01-01T03:00Z.
    let e = dated(&policy(1, 7), "2026-11-27T13:00:00Z");
    assert_eq!(e.points.expires_at, Some(instant("2028-01-01T03:00:00Z")));
    // Earned on 15 December with a 30-day window, available on 14 January
    // 2027: the year it becomes available counts, so the end of 2027.
    let e = dated(&policy(0, 30), "2026-12-15T12:00:00Z");
    assert_eq!(e.points.available_at, Some(instant("2027-01-14T12:00:00Z")));
    assert_eq!(e.points.expires_at, Some(instant("2028-01-01T03:00:00Z")));
    // Local 31 December 23:30 is 1 January 02:30Z: still 2026 locally.
    let e = dated(&policy(0, 0), "2027-01-01T02:30:00Z");
    assert_eq!(e.points.expires_at, Some(instant("2027-01-01T03:00:00Z")));
}

#[test]
fn credit_effects_with_their_keys() {
    let program = shop(json!({
        "id": "bf26",
        "earning": [one_per_euro()],
        "bonuses": [{"id": "welcome", "when": "first_order", "points": "100"}],
        "cashback": [{"id": "cb", "percent": "2"}],
        "ledger": {"return_window_days": 7, "points_expiry": {"after_months": 12}}
    }));
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 1, "150.00")
            .at("2026-11-27T13:00:00Z"),
    );
    // 150 + 100 points; 2% of 150.00 = 3.00.
    let points = e
        .effects
        .iter()
        .find_map(|x| match x {
            Effect::CreditPoints {
                key,
                customer,
                points,
                lines,
                order_level,
                available_at,
                expires_at,
            } => Some((
                key.clone(),
                customer.to_string(),
                *points,
                lines.clone(),
                *order_level,
                *available_at,
                *expires_at,
            )),
            _ => None,
        })
        .expect("a CreditPoints effect");
    assert_eq!(points.0, "bf26/A-1/points");
    assert_eq!(points.1, "C-1");
    assert_eq!(points.2, d("250"));
    assert_eq!(points.3, e.points.lines);
    assert_eq!(points.4, d("100"));
    assert_eq!(points.5, instant("2026-12-04T13:00:00Z"));
    assert_eq!(points.6, Some(instant("2027-12-04T13:00:00Z")));
    let cash = e
        .effects
        .iter()
        .find_map(|x| match x {
            Effect::CreditCashback {
                key,
                customer,
                amount,
                available_at,
                expires_at,
            } => Some((
                key.clone(),
                customer.to_string(),
                *amount,
                *available_at,
                *expires_at,
            )),
            _ => None,
        })
        .expect("a CreditCashback effect");
    assert_eq!(cash.0, "bf26/A-1/cashback");
    assert_eq!(cash.1, "C-1");
    assert_eq!(cash.2, d("3.00"));
    assert_eq!(cash.2.to_string(), "3.00");
    assert_eq!(cash.3, instant("2026-12-04T13:00:00Z"));
    assert_eq!(cash.4, None);
    // The JSON form of the effects.
    let json = serde_json::to_value(&e.effects).unwrap();
    let credit = json
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["effect"] == "credit_cashback")
        .unwrap();
    assert_eq!(credit["amount"], "3.00");
    assert_eq!(credit["key"], "bf26/A-1/cashback");
}

#[test]
fn no_credit_effects_when_nothing_is_earned() {
    let program = shop(json!({
        "earning": [{"id": "p", "points": "1", "per": "1.00", "min_order": "50.00"}],
        "cashback": [{"id": "cb", "percent": "2", "min_spend": "50.00"}],
        "ledger": {"return_window_days": 7}
    }));
    let e = one_line(&program, "10.00");
    assert_eq!(e.points.total, Decimal::ZERO);
    assert_eq!(e.points.available_at, None);
    assert_eq!(e.cashback.available_at, None);
    assert!(e.effects.is_empty(), "{:?}", e.effects);
}

// ---------------------------------------------------------------------------
// Bad programs
// ---------------------------------------------------------------------------

fn refused(extra: Value) -> ProgramError {
    match try_shop(extra) {
        Ok(_) => panic!("the program should be refused"),
        Err(e) => e,
    }
}

fn assert_path(error: &ProgramError, path: &str) {
    assert_eq!(error.path(), path, "{error}");
    assert!(
        error.to_string().starts_with(&format!("{path}: ")),
        "{error}"
    );
}

#[test]
fn negative_rate_is_refused() {
    let e = refused(json!({"earning": [{"id": "p", "points": "-1"}]}));
    assert_path(&e, "earning[0].points");
    assert!(matches!(
        e.problem(),
        Problem::Negative { what: "rate", .. }
    ));
}

#[test]
fn negative_multiplier_is_refused() {
    let e = refused(json!({"multipliers": {"tiers": [{"tier": "gold", "factor": "-1.5"}]}}));
    assert_path(&e, "multipliers.tiers[0].factor");
    let e = refused(json!({"multipliers": {"campaigns": [
        {"id": "c", "when": "birthday", "factor": "-2"}
    ]}}));
    assert_path(&e, "multipliers.campaigns[0].factor");
    let e = refused(json!({"coupons": [
        {"id": "x", "codes": ["X"], "reward": {"type": "points_multiplier", "factor": "-2"}}
    ]}));
    assert_path(&e, "coupons[0].reward.factor");
}

#[test]
fn negative_caps_are_refused() {
    let e = refused(json!({"earning": [{"id": "p", "points": "1", "cap": "-10"}]}));
    assert_path(&e, "earning[0].cap");
    let e = refused(json!({"cashback": [{"id": "cb", "percent": "2", "cap": "-1.00"}]}));
    assert_path(&e, "cashback[0].cap");
}

#[test]
fn negative_return_window_is_refused() {
    let e = refused(json!({"ledger": {"return_window_days": -1}}));
    assert_path(&e, "ledger.return_window_days");
    assert!(matches!(e.problem(), Problem::NegativeWindow { days: -1 }));
}

#[test]
fn zero_months_expiry_is_refused() {
    let e = refused(json!({"ledger": {"points_expiry": {"after_months": 0}}}));
    assert_path(&e, "ledger.points_expiry");
    let e = refused(json!({"ledger": {"cashback_expiry": {"end_of_year": -1}}}));
    assert_path(&e, "ledger.cashback_expiry");
}

#[test]
fn unknown_tier_is_refused_when_tiers_are_listed() {
    let tiers = json!([{"id": "silver"}, {"id": "gold"}]);
    let e = refused(json!({
        "tiers": tiers,
        "multipliers": {"tiers": [{"tier": "platinum", "factor": "2"}]}
    }));
    assert_path(&e, "multipliers.tiers[0].tier");
    assert!(e.to_string().contains("\"platinum\""), "{e}");
    let e = refused(json!({
        "tiers": tiers,
        "cashback": [{"id": "cb", "percent": "2", "tiers": [{"tier": "platinum", "percent": "5"}]}]
    }));
    assert_path(&e, "cashback[0].tiers[0].tier");
    // Without a list of tiers, a named tier is refused too: a typo would
    // otherwise be a multiplier that silently never applies.
    let e = refused(json!({
        "tiers": [],
        "multipliers": {"tiers": [{"tier": "platinum", "factor": "2"}]}
    }));
    assert_path(&e, "multipliers.tiers[0].tier");
    assert_eq!(
        e.problem(),
        &Problem::TiersNotListed {
            tier: "platinum".into()
        }
    );
    // Tier ids match exactly: "Gold" is not "gold".
    let e = refused(json!({"multipliers": {"tiers": [{"tier": "Gold", "factor": "2"}]}}));
    assert_eq!(
        e.to_string(),
        "multipliers.tiers[0].tier: tier \"Gold\" is not one of the program's tiers (bronze, silver, gold): add it to tiers or fix the name (tier ids match exactly, case included)"
    );
}

#[test]
fn cashback_with_percent_and_steps_is_refused() {
    let e = refused(json!({"cashback": [
        {"id": "cb", "percent": "2", "steps": [{"from": "100.00", "percent": "3"}]}
    ]}));
    assert_path(&e, "cashback[0]");
    assert_eq!(e.problem(), &Problem::PercentAndSteps);
    let e = refused(json!({"cashback": [{"id": "cb"}]}));
    assert_eq!(e.problem(), &Problem::NoCashbackRate);
}

#[test]
fn per_on_a_per_unit_rule_is_refused() {
    let e = refused(json!({"earning": [
        {"id": "u", "base": "per_unit", "points": "10", "per": "1.00"}
    ]}));
    assert_path(&e, "earning[0].per");
    assert_eq!(e.problem(), &Problem::PerWithoutAmount);
    let e = refused(json!({"earning": [
        {"id": "o", "base": "per_order", "points": "10", "per": "1.00"}
    ]}));
    assert_path(&e, "earning[0].per");
    let e = refused(json!({"earning": [{"id": "p", "points": "1", "per": "0"}]}));
    assert_path(&e, "earning[0].per");
}

#[test]
fn more_than_eight_decimals_is_refused() {
    let e = refused(json!({"earning": [
        {"id": "p", "points": "1", "rounding": {"decimals": 9}}
    ]}));
    assert_path(&e, "earning[0].rounding");
    assert_eq!(e.problem(), &Problem::TooManyDecimals { decimals: 9 });
    // 8 is fine.
    assert!(
        try_shop(json!({"earning": [{"id": "p", "points": "1", "rounding": {"decimals": 8}}]}))
            .is_ok()
    );
}

// ---------------------------------------------------------------------------
// Overflow
// ---------------------------------------------------------------------------

fn assert_overflow(program: &Program, basket: &Basket) {
    match program.evaluate(&basket.build()) {
        Err(EvaluationError::Overflow { .. }) => {}
        other => panic!("expected an overflow, got {other:?}"),
    }
}

#[test]
fn absurd_rates_overflow_without_panicking() {
    // Decimal::MAX points per 1.00 on 100.00.
    let program = earning(json!([
        {"id": "p", "points": "79228162514264337593543950335", "per": "1.00"}
    ]));
    assert_overflow(&program, &Basket::eur().line("TEA", 1, "100.00"));
    // A rate just below Decimal::MAX per 0.01 (…503 × 100 fits), on 10.00.
    let program = earning(json!([
        {"id": "p", "points": "792281625142643375935439503", "per": "0.01"}
    ]));
    assert_overflow(&program, &Basket::eur().line("TEA", 1, "10.00"));
    // Decimal::MAX per unit, on 2 units.
    let program = earning(json!([
        {"id": "u", "base": "per_unit", "points": "79228162514264337593543950335"}
    ]));
    assert_overflow(&program, &Basket::eur().line("TEA", 2, "1.00"));
    // Two rules of Decimal::MAX per order: their sum overflows.
    let program = earning(json!([
        {"id": "a", "base": "per_order", "points": "79228162514264337593543950335"},
        {"id": "b", "base": "per_order", "points": "79228162514264337593543950335"}
    ]));
    assert_overflow(&program, &Basket::eur().line("TEA", 1, "1.00"));
}

#[test]
fn absurd_multipliers_overflow_without_panicking() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {
            "tiers": [{"tier": "gold", "factor": "79228162514264337593543950335"}],
            "campaigns": [{"id": "c", "when": {"all": []}, "factor": "10"}]
        }
    }));
    assert_overflow(
        &program,
        &Basket::eur()
            .line("TEA", 1, "1.00")
            .customer(json!({"id": "C-1", "tier": "gold"})),
    );
    // A huge bonus plus earned points.
    let program = shop(json!({
        "earning": [one_per_euro()],
        "bonuses": [{"id": "b", "when": "first_order", "points": "79228162514264337593543950335"}]
    }));
    assert_overflow(&program, &Basket::eur().line("TEA", 1, "10.00"));
}

// ---------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------

#[test]
fn batch_and_parallel_batch_keep_input_order_and_errors() {
    let program = shop(json!({
        "tiers": [{"id": "gold"}],
        "coupons": [ten_percent_coupon()],
        "earning": [one_per_euro()],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "1.5"}]},
        "bonuses": [{"id": "welcome", "when": "first_order", "points": "100"}],
        "cashback": [{"id": "cb", "percent": "2", "cap": "20.00"}],
        "ledger": {"return_window_days": 7}
    }));
    let mut checkouts = Vec::new();
    for i in 1..=9u32 {
        let price = format!("{}.{:02}", 10 * i, i);
        let mut basket = Basket::eur()
            .line("TEA", u64::from(i), &price)
            .at(&format!("2026-0{i}-15T12:00:00Z"));
        if i % 2 == 0 {
            basket = basket.coupon("TEN");
        }
        if i % 3 == 0 {
            basket = basket.customer(json!({"id": "C-1", "tier": "gold"}));
        }
        if i == 5 {
            // In the middle: a checkout whose order is another customer's.
            basket = basket.order_customer("C-2");
        }
        checkouts.push(basket.build());
    }
    let one_by_one: Vec<_> = checkouts.iter().map(|c| program.evaluate(c)).collect();
    assert!(matches!(
        one_by_one[4],
        Err(EvaluationError::CustomerMismatch { .. })
    ));
    assert_eq!(one_by_one.iter().filter(|r| r.is_ok()).count(), 8);
    for (i, result) in one_by_one.iter().enumerate() {
        if let Ok(e) = result {
            check_accrual(e);
            assert!(e.points.total > Decimal::ZERO, "checkout {i} earns");
        }
    }
    let batch = program.evaluate_batch(&checkouts);
    assert_eq!(batch, one_by_one);
    for threads in [1, 2, 7] {
        let parallel =
            program.evaluate_batch_parallel(&checkouts, NonZeroUsize::new(threads).unwrap());
        assert_eq!(parallel, one_by_one, "{threads} threads");
    }
    // More threads than checkouts, and no checkouts at all.
    let parallel = program.evaluate_batch_parallel(&checkouts[..3], NonZeroUsize::new(7).unwrap());
    assert_eq!(parallel, one_by_one[..3]);
    assert!(
        program
            .evaluate_batch_parallel(&[], NonZeroUsize::new(2).unwrap())
            .is_empty()
    );
}

/// "1 point per 3.00" is exact: 3.00 earns 1, 30.00 earns 10, 300.00 earns
/// 100 (the base is multiplied by the points before dividing by `per`).
#[test]
fn a_rate_that_does_not_divide_evenly_is_exact() {
    let program = earning(json!([{"id": "thirds", "points": "1", "per": "3.00"}]));
    assert_eq!(points_on(&program, "3.00"), d("1"));
    assert_eq!(points_on(&program, "30.00"), d("10"));
    assert_eq!(points_on(&program, "300.00"), d("100"));
}

/// A fractional cap is never exceeded: 100.00 at 1 per 1.00 with cap 10.5
/// gives 10 with ceil or round (10.5 rounded within the cap), and 10.5 with
/// two decimals kept.
#[test]
fn a_fractional_cap_is_never_exceeded() {
    for (rounding, expected) in [
        (json!("ceil"), "10"),
        (json!("round"), "10"),
        (json!({"decimals": 2}), "10.5"),
    ] {
        let program = earning(
            json!([{"id": "capped", "points": "1", "per": "1.00", "cap": "10.5", "rounding": rounding}]),
        );
        assert_eq!(points_on(&program, "100.00"), d(expected), "{rounding}");
    }
}

/// Adding extras does not depend on the order of the factors: a 0× tier
/// with campaigns listed [0, 3] or [3, 0] gives 1 + (−1) + (−1) + 2 = 1×,
/// so 100.00 earns 100 either way.
#[test]
fn added_extras_do_not_depend_on_order() {
    for campaigns in [["zero", "three"], ["three", "zero"]] {
        let factor = |id: &str| if id == "zero" { "0" } else { "3" };
        let program = shop(json!({
            "earning": [one_per_euro()],
            "multipliers": {
                "combine": "add_extras",
                "campaigns": campaigns.iter().map(|id| json!({
                    "id": id, "when": {"subtotal_at_least": "0"}, "factor": factor(id)
                })).collect::<Vec<_>>(),
                "tiers": [{"tier": "gold", "factor": "0"}]
            }
        }));
        let e = ev(
            &program,
            &Basket::eur()
                .customer(json!({"id": "C-1", "tier": "gold"}))
                .line("TEA", 1, "100.00"),
        );
        assert_eq!(e.points.total, d("100"), "{campaigns:?}");
    }
}

/// A program whose only multiplier setting is `combine` keeps it through a
/// JSON round trip.
#[test]
fn combine_alone_survives_a_round_trip() {
    let definition = accrual_common::definition(json!({"multipliers": {"combine": "largest"}}));
    let text = serde_json::to_string(&definition).unwrap();
    let back: loyalty::program::ProgramDefinition = serde_json::from_str(&text).unwrap();
    assert_eq!(
        back.multipliers.combine,
        loyalty::rules::earn::Combine::Largest
    );
}

/// Without the trace, the evaluation of the sample checkout is the same but
/// for its empty trace, one by one and in a batch.
#[test]
fn evaluations_without_trace_differ_only_by_the_trace() {
    use loyalty::evaluate::{Checkout, EvaluateOptions};
    let definition: loyalty::program::ProgramDefinition =
        serde_json::from_str(include_str!("../../examples/data/program.json")).unwrap();
    let program = Program::new(definition).unwrap();
    let checkout: Checkout =
        serde_json::from_str(include_str!("../../examples/data/checkout.json")).unwrap();
    let full = program.evaluate(&checkout).unwrap();
    assert!(!full.trace.is_empty());
    let options = EvaluateOptions::new().trace(false);
    let mut lean = program.evaluate_with(&checkout, options).unwrap();
    assert!(lean.trace.is_empty());
    // Descriptions are data written out on demand: the same without trace.
    assert!(!lean.discounts.is_empty());
    for (lean, full) in lean.discounts.iter().zip(&full.discounts) {
        assert!(!lean.description().is_empty());
        assert_eq!(lean.description(), full.description());
    }
    lean.trace = full.trace.clone();
    assert_eq!(lean, full);
    let batch = program.evaluate_batch_with(&[checkout.clone(), checkout], options);
    assert_eq!(batch.len(), 2);
    assert!(
        batch
            .iter()
            .all(|r| r.as_ref().is_ok_and(|e| e.trace.is_empty()))
    );
}

/// The largest of factors below 1 is still a factor: a 0.5× line multiplier
/// with `largest` halves the points (100.00 → 50).
#[test]
fn largest_keeps_factors_below_one() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"combine": "largest", "lines": [{"id": "half", "lines": {"skus": ["TEA"]}, "factor": "0.5"}]}
    }));
    assert_eq!(points_on(&program, "100.00"), d("50"));
}

/// A per-order rule earns for the order, so a line selector on it is
/// refused with a pointer to conditions.
#[test]
fn a_per_order_rule_refuses_a_line_selector() {
    let error = try_shop(
        json!({"earning": [{"id": "visit", "base": "per_order", "points": "100",
        "lines": {"skus": ["TEA"]}}]}),
    )
    .unwrap_err();
    assert_eq!(error.path(), "earning[0].lines");
    assert!(error.to_string().contains("has_sku"), "{error}");
}

/// A multiplier with more decimals than whole units can carry takes the
/// decimal path, with the same points: 10.00 × 1.00…01 (26 decimals) is
/// just above 10, floored to 10; 7.00 × 2.5 = 17.5 → 17 on the other line.
/// Split per line: 10 and 17 exactly.
#[test]
fn multipliers_of_many_decimals_weigh_in_decimals() {
    let program = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {
            "lines": [
                {"id": "fine", "lines": {"skus": ["TEA"]}, "factor": "1.00000000000000000000000001"},
                {"id": "mugs", "lines": {"skus": ["MUG"]}, "factor": "2.5"}
            ]
        }
    }));
    let e = ev(
        &program,
        &Basket::eur().line("TEA", 1, "10.00").line("MUG", 1, "7.00"),
    );
    assert_eq!(e.points.total, d("27"));
    let lines: Vec<Decimal> = e.points.lines.iter().map(|l| l.points).collect();
    assert_eq!(lines.iter().copied().sum::<Decimal>(), d("27"));
    assert_eq!(lines, [d("10"), d("17")]);
    // With a factor of few decimals, whole units: 10.00 × 1.5 = 15.
    let whole = shop(json!({
        "earning": [one_per_euro()],
        "multipliers": {"lines": [{"id": "tea", "lines": {"skus": ["TEA"]}, "factor": "1.5"}]}
    }));
    let e = ev(&whole, &Basket::eur().line("TEA", 1, "10.00"));
    assert_eq!(e.points.total, d("15"));
}

/// Per-unit points on lines with nothing to pay: none by default (a free
/// basket earns nothing), all units with `earn_on_free_lines`. 10 points a
/// unit: 2 paid units of TEA earn 20; 3 free MUGs (price 0) earn 0, or 30.
#[test]
fn units_with_nothing_to_pay_earn_nothing_unless_the_rule_says() {
    let rule = |free: bool| {
        let mut rule = json!({"id": "u", "base": "per_unit", "points": "10"});
        if free {
            rule["earn_on_free_lines"] = json!(true);
        }
        shop(json!({"earning": [rule]}))
    };
    let basket = Basket::eur().line("TEA", 2, "4.00").line("MUG", 3, "0.00");
    assert_eq!(ev(&rule(false), &basket).points.total, d("20"));
    assert_eq!(ev(&rule(true), &basket).points.total, d("50"));
    // A basket with nothing to pay earns nothing.
    let free = Basket::eur().line("MUG", 3, "0.00");
    assert_eq!(ev(&rule(false), &free).points.total, d("0"));
    // A line discounted to zero has nothing to pay either: 100% off TEA.
    let program = shop(json!({
        "earning": [{"id": "u", "base": "per_unit", "points": "10"}],
        "coupons": [{"id": "all", "codes": ["ALL"], "lines": {"skus": ["TEA"]},
                     "reward": {"type": "percent_off", "percent": "100"}}]
    }));
    let e = ev(
        &program,
        &Basket::eur()
            .line("TEA", 2, "4.00")
            .line("CUP", 1, "5.00")
            .coupon("ALL"),
    );
    assert_eq!(e.points.total, d("10"));
    // The builder sets it as the JSON does.
    assert!(
        loyalty::rules::earn::EarnRuleDefinition::new("u", 10, 1)
            .base(loyalty::rules::earn::EarnBase::PerUnit)
            .earn_on_free_lines()
            .earn_on_free_lines
    );
}

//! Tier status from history: hand-worked climbs and falls for each window
//! and downgrade policy, returns across a threshold at the edge of a local
//! day, bad programs and histories, and the invariants as properties.

use chrono::{DateTime, Utc};
use loyalty::money::Currency;
use loyalty::program::{Program, ProgramDefinition};
use loyalty::tiers::{TierError, TierEvent, TierStatus};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::{Basket, d, eval};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Bronze for everyone, silver from 300.00, gold from 1000.00 and 5
/// orders; `rules` are the program's `tier_rules`.
fn tiered(zone: &str, rules: Value) -> Program {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "shop", "currency": "EUR", "time_zone": zone,
        "tiers": [
            {"id": "bronze"},
            {"id": "silver", "qualify": {"spend": "300.00"}},
            {"id": "gold", "qualify": {"all": [{"spend": "1000.00"}, {"orders": 5}]}}
        ],
        "tier_rules": rules,
    }))
    .unwrap();
    Program::new(definition).unwrap()
}

fn order(id: &str, when: &str, spend: &str) -> TierEvent {
    TierEvent::order(id.parse().unwrap(), at(when), d(spend), Currency::EUR)
}

fn tier(status: &TierStatus) -> Option<&str> {
    status.tier.as_ref().map(|t| t.as_str())
}

fn status(program: &Program, history: &[TierEvent], when: &str) -> TierStatus {
    program.tier_status(history, at(when)).unwrap()
}

/// A year of orders: 180 + 150 (silver in May), then 300, 200, 400 (gold
/// in October, the fifth order taking the year to 1230.00).
fn climb() -> Vec<TierEvent> {
    vec![
        order("A-1", "2026-02-01T10:00:00Z", "180.00"),
        order("A-2", "2026-05-01T10:00:00Z", "150.00"),
        order("A-3", "2026-06-15T10:00:00Z", "300.00"),
        order("A-4", "2026-08-20T10:00:00Z", "200.00"),
        order("A-5", "2026-10-03T10:00:00Z", "400.00"),
    ]
}

#[test]
fn a_customer_climbs_as_the_figures_pass_each_threshold() {
    let program = tiered("Europe/Lisbon", json!({}));
    let history = climb();
    let s = status(&program, &history[..1], "2026-03-01T00:00:00Z");
    assert_eq!(tier(&s), Some("bronze"));
    assert_eq!(s.since, None);
    assert_eq!(
        s.to_string(),
        "bronze; toward silver: 180.00 of 300.00 spent (120.00 more)"
    );
    let s = status(&program, &history[..2], "2026-06-01T00:00:00Z");
    assert_eq!(tier(&s), Some("silver"));
    assert_eq!(s.since, Some(at("2026-05-01T10:00:00Z")));
    assert_eq!(s.held_until, Some(at("2028-01-01T00:00:00Z")));
    assert_eq!(
        s.to_string(),
        "silver since 2026-05-01, held until 2027-12-31; toward gold: 330.00 of 1000.00 spent (670.00 more), 2 of 5 orders (3 more)"
    );
    let s = status(&program, &history, "2026-10-04T00:00:00Z");
    assert_eq!(tier(&s), Some("gold"));
    assert_eq!(s.since, Some(at("2026-10-03T10:00:00Z")));
    assert_eq!(s.figures.spend, d("1230.00"));
    assert_eq!(s.figures.orders, 5);
    assert!(s.next.is_none());
    // This year's figures keep gold at the review.
    let keep = s.keep.as_ref().unwrap();
    assert!(keep.met);
    let review = s.review.as_ref().unwrap();
    assert_eq!(review.at, at("2028-01-01T00:00:00Z"));
    assert_eq!(review.tier.as_ref().map(|t| t.as_str()), Some("gold"));
}

#[test]
fn exactly_on_the_threshold_qualifies() {
    let program = tiered("Europe/Lisbon", json!({}));
    let history = [
        order("A-1", "2026-02-01T10:00:00Z", "180.00"),
        order("A-2", "2026-03-01T10:00:00Z", "120.00"),
    ];
    assert_eq!(
        tier(&status(&program, &history, "2026-03-02T00:00:00Z")),
        Some("silver")
    );
    let history = [
        order("A-1", "2026-02-01T10:00:00Z", "180.00"),
        order("A-2", "2026-03-01T10:00:00Z", "119.99"),
    ];
    assert_eq!(
        tier(&status(&program, &history, "2026-03-02T00:00:00Z")),
        Some("bronze")
    );
}

#[test]
fn a_quiet_year_takes_the_tier_away_by_the_policy() {
    let history = climb();
    // Straight to what the figures give: nothing in 2027, bronze in 2028.
    let program = tiered("Europe/Lisbon", json!({}));
    let s = status(&program, &history, "2027-12-31T23:00:00Z");
    assert_eq!(tier(&s), Some("gold"), "held to the end of the next year");
    let review = s.review.as_ref().unwrap();
    assert_eq!(review.tier.as_ref().map(|t| t.as_str()), Some("bronze"));
    let s = status(&program, &history, "2028-01-01T00:00:00Z");
    assert_eq!(tier(&s), Some("bronze"));
    assert_eq!(s.since, Some(at("2028-01-01T00:00:00Z")));
    // One level at a time: silver through 2028, then bronze.
    let program = tiered("Europe/Lisbon", json!({"downgrade": "one_level"}));
    let s = status(&program, &history, "2028-06-01T00:00:00Z");
    assert_eq!(tier(&s), Some("silver"));
    assert_eq!(s.held_until, Some(at("2029-01-01T00:00:00Z")));
    assert_eq!(
        tier(&status(&program, &history, "2029-01-01T00:00:00Z")),
        Some("bronze")
    );
    // Never: gold for good.
    let program = tiered("Europe/Lisbon", json!({"downgrade": "never"}));
    let s = status(&program, &history, "2031-01-01T00:00:00Z");
    assert_eq!(tier(&s), Some("gold"));
    assert_eq!(s.held_until, None);
}

#[test]
fn meeting_the_tier_again_holds_it_another_year() {
    let program = tiered("Europe/Lisbon", json!({}));
    let mut history = climb();
    // 2027: 5 orders of 250.00 keep gold through 2028.
    for (i, month) in ["02", "04", "06", "08", "10"].iter().enumerate() {
        history.push(order(
            &format!("B-{i}"),
            &format!("2027-{month}-10T10:00:00Z"),
            "250.00",
        ));
    }
    let s = status(&program, &history, "2028-06-01T00:00:00Z");
    assert_eq!(tier(&s), Some("gold"));
    assert_eq!(s.held_until, Some(at("2029-01-01T00:00:00Z")));
    assert_eq!(s.since, Some(at("2026-10-03T10:00:00Z")));
}

#[test]
fn grace_days_delay_a_downgrade_and_an_order_in_them_counts() {
    let program = tiered("Europe/Lisbon", json!({"grace_days": 30}));
    let mut history = climb();
    let s = status(&program, &history, "2028-01-15T00:00:00Z");
    assert_eq!(tier(&s), Some("gold"));
    let pending = s.pending.as_ref().unwrap();
    assert_eq!(pending.at, at("2028-01-31T00:00:00Z"));
    assert_eq!(pending.tier.as_ref().map(|t| t.as_str()), Some("bronze"));
    assert!(s.to_string().contains("; bronze from 2028-01-31"), "{s}");
    assert_eq!(
        tier(&status(&program, &history, "2028-01-31T00:00:00Z")),
        Some("bronze")
    );
    // An order of 400.00 in the grace days: 2028's figures give silver.
    history.push(order("C-1", "2028-01-20T10:00:00Z", "400.00"));
    assert_eq!(
        tier(&status(&program, &history, "2028-02-01T00:00:00Z")),
        Some("silver")
    );
}

#[test]
fn a_rolling_window_holds_a_tier_twelve_months_from_the_last_qualifying_order() {
    let program = tiered("Europe/Lisbon", json!({"window": {"rolling_months": 12}}));
    let history = [
        order("A-1", "2026-01-10T10:00:00Z", "200.00"),
        order("A-2", "2026-03-10T10:00:00Z", "150.00"),
    ];
    let s = status(&program, &history, "2026-03-11T00:00:00Z");
    assert_eq!(tier(&s), Some("silver"));
    assert_eq!(s.held_until, Some(at("2027-03-10T10:00:00Z")));
    // At the review the window holds neither order: bronze.
    assert_eq!(
        tier(&status(&program, &history, "2027-03-10T09:59:59Z")),
        Some("silver")
    );
    assert_eq!(
        tier(&status(&program, &history, "2027-03-10T10:00:00Z")),
        Some("bronze")
    );
    // In the window, the January order has dropped out of the figures.
    let s = status(&program, &history, "2027-02-01T00:00:00Z");
    assert_eq!(s.figures.spend, d("150.00"));
}

#[test]
fn a_lifetime_window_never_reviews() {
    let program = tiered("Europe/Lisbon", json!({"window": "lifetime"}));
    let history = [
        order("A-1", "2020-01-10T10:00:00Z", "200.00"),
        order("A-2", "2024-03-10T10:00:00Z", "150.00"),
    ];
    let s = status(&program, &history, "2030-01-01T00:00:00Z");
    assert_eq!(tier(&s), Some("silver"));
    assert_eq!(s.held_until, None);
    assert_eq!(s.figures.spend, d("350.00"));
}

#[test]
fn a_return_across_the_threshold_at_the_edge_of_a_local_day() {
    // In São Paulo (UTC−3), 23:30 on 31 December is 02:30Z on 1 January:
    // the order counts in 2026, which it takes to 300.00 (silver).
    let program = tiered("America/Sao_Paulo", json!({}));
    let mut history = vec![
        order("A-1", "2026-06-01T15:00:00Z", "200.00"),
        order("A-2", "2027-01-01T02:30:00Z", "100.00"),
    ];
    let s = status(&program, &history, "2027-01-02T00:00:00Z");
    assert_eq!(tier(&s), Some("silver"));
    assert_eq!(
        s.held_until,
        Some(at("2028-01-01T03:00:00Z")),
        "local midnight"
    );
    // In UTC the same order would count in 2027, and no tier in either.
    let utc = tiered("UTC", json!({}));
    assert_eq!(
        tier(&status(&utc, &history, "2027-01-02T00:00:00Z")),
        Some("bronze")
    );
    // Returning it takes 2026 below 300.00: silver is lost at the return.
    let mut back = order("A-2", "2027-01-05T12:00:00Z", "-100.00");
    back.placed_at = at("2027-01-01T02:30:00Z");
    back.orders = -1;
    history.push(back);
    let s = status(&program, &history, "2027-01-06T00:00:00Z");
    assert_eq!(tier(&s), Some("bronze"));
    assert_eq!(s.since, Some(at("2027-01-05T12:00:00Z")));
    assert_eq!(s.figures.spend, d("0.00"), "this year's figures");
}

#[test]
fn events_come_from_evaluations_and_returns() {
    let program = loyalty::program::Program::new(
        serde_json::from_value(json!({
            "id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
            "ladders": [crate::util::common::seeds_ladder()],
            "tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "300.00"}}],
        }))
        .unwrap(),
    )
    .unwrap();
    // 2 × 160.00 = 320.00, 15% off: 272.00 counts (before discounts 320.00).
    let checkout = Basket::eur().line("LAMP", 2, "160.00").build();
    let evaluation = eval(&program, &checkout);
    let event = TierEvent::from_evaluation(&evaluation);
    assert_eq!(
        (event.spend, event.gross, event.orders),
        (d("272.00"), d("320.00"), 1)
    );
    let s = program
        .tier_status(std::slice::from_ref(&event), at("2026-12-01T00:00:00Z"))
        .unwrap();
    assert_eq!(tier(&s), Some("bronze"));
    let before: Program = loyalty::program::Program::new(
        serde_json::from_value(json!({
            "id": "seeds", "currency": "EUR", "time_zone": "Europe/Lisbon",
            "ladders": [crate::util::common::seeds_ladder()],
            "tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "300.00"}}],
            "tier_rules": {"spend": "before_discounts"},
        }))
        .unwrap(),
    )
    .unwrap();
    let s = before
        .tier_status(std::slice::from_ref(&event), at("2026-12-01T00:00:00Z"))
        .unwrap();
    assert_eq!(tier(&s), Some("silver"));
    // One lamp back: 136.00 after discounts, 160.00 before.
    let refund = loyalty::order::Refund::new("R-1", "A-1", at("2026-12-02T10:00:00Z"))
        .unwrap()
        .line("1", 1)
        .unwrap();
    let back = before
        .evaluate_return(&checkout, &evaluation, &[], &refund)
        .unwrap();
    let returned = TierEvent::from_return(&back, &evaluation);
    assert_eq!(
        (returned.spend, returned.gross, returned.orders),
        (d("-136.00"), d("-160.00"), 0)
    );
    assert_eq!(returned.placed_at, evaluation.at);
    let s = before
        .tier_status(&[event, returned], at("2026-12-03T00:00:00Z"))
        .unwrap();
    assert_eq!(
        tier(&s),
        Some("bronze"),
        "160.00 before discounts is below 300.00"
    );
}

#[test]
fn bad_programs_and_histories_are_refused() {
    let bad = |tiers: Value, rules: Value| {
        let definition: ProgramDefinition = serde_json::from_value(json!({
            "id": "p", "currency": "EUR", "tiers": tiers, "tier_rules": rules
        }))
        .unwrap();
        Program::new(definition).unwrap_err().to_string()
    };
    let message = bad(
        json!([{"id": "silver", "qualify": {"spend": "300.00"}},
               {"id": "gold", "qualify": {"spend": "200.00"}}]),
        json!({}),
    );
    assert!(message.contains("tiers[1].qualify"), "{message}");
    assert!(
        message.contains("less than the lower tier silver asks"),
        "{message}"
    );
    let message = bad(
        json!([{"id": "silver", "qualify": {"spend": "300.00"}}, {"id": "gold"}]),
        json!({}),
    );
    assert!(
        message.contains("only the lowest tier may go without"),
        "{message}"
    );
    let message = bad(
        json!([{"id": "silver", "qualify": {"spend": "300.00"}}]),
        json!({"window": {"rolling_months": 0}}),
    );
    assert!(
        message.contains("tier_rules.window.rolling_months"),
        "{message}"
    );
    let message = bad(json!([{"id": "silver", "qualify": {"all": []}}]), json!({}));
    assert!(message.contains("tiers[0].qualify.all"), "{message}");
    let message = bad(
        json!([{"id": "silver", "qualify": {"spend": "300.001"}}]),
        json!({}),
    );
    assert!(message.contains("tiers[0].qualify.spend"), "{message}");
    // Histories.
    let program = tiered("Europe/Lisbon", json!({}));
    let mut other = order("A-1", "2026-02-01T10:00:00Z", "10.00");
    other.currency = Currency::BRL;
    assert!(matches!(
        program.tier_status(&[other], at("2026-03-01T00:00:00Z")),
        Err(TierError::Currency { .. })
    ));
    let mut early = order("A-1", "2026-02-01T10:00:00Z", "-10.00");
    early.placed_at = at("2026-03-01T00:00:00Z");
    assert!(matches!(
        program.tier_status(&[early], at("2026-04-01T00:00:00Z")),
        Err(TierError::BeforeOrder { .. })
    ));
    let untiered = crate::util::common::seeds_program();
    assert!(matches!(
        untiered.tier_status(&[], at("2026-04-01T00:00:00Z")),
        Err(TierError::NoRequirements { .. })
    ));
}

/// A history: orders at day offsets from 2025-01-01 with spends in cents.
fn history_from(orders: &[(u32, u32)]) -> Vec<TierEvent> {
    orders
        .iter()
        .enumerate()
        .map(|(i, (day, cents))| {
            let when = at("2025-01-01T12:00:00Z") + chrono::Duration::days(i64::from(*day));
            TierEvent::order(
                format!("O-{i}").parse().unwrap(),
                when,
                Decimal::new(i64::from(*cents), 2),
                Currency::EUR,
            )
        })
        .collect()
}

fn rules() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![json!("calendar_year"), json!({"rolling_months": 12}),
                                  json!({"rolling_months": 3}), json!("lifetime")]),
        prop::sample::select(vec!["to_qualified", "one_level", "never"]),
        0u32..60,
    )
        .prop_map(|(window, downgrade, grace)| {
            json!({"window": window, "downgrade": downgrade, "grace_days": grace})
        })
}

fn rank(status: &TierStatus) -> usize {
    match tier(status) {
        Some("gold") => 2,
        Some("silver") => 1,
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// More spend on one order never gives a lower tier, at any instant.
    #[test]
    fn more_spend_never_gives_a_lower_tier(
        orders in prop::collection::vec((0u32..1_500, 1u32..60_000), 1..12),
        which in any::<prop::sample::Index>(),
        more in 1u32..100_000,
        day in 0u32..2_000,
        rules in rules(),
    ) {
        let program = tiered("Europe/Lisbon", rules);
        let history = history_from(&orders);
        let mut richer = history.clone();
        let i = which.index(richer.len());
        richer[i].spend += Decimal::new(i64::from(more), 2);
        richer[i].gross = richer[i].spend;
        let when = at("2025-01-01T00:00:00Z") + chrono::Duration::days(i64::from(day));
        let a = program.tier_status(&history, when).unwrap();
        let b = program.tier_status(&richer, when).unwrap();
        prop_assert!(rank(&b) >= rank(&a), "{} then {}", a, b);
    }

    /// The status does not depend on the order the history is given in.
    #[test]
    fn status_is_independent_of_the_history_order(
        orders in prop::collection::vec((0u32..1_500, 1u32..60_000), 1..12),
        shuffle in any::<prop::sample::Index>(),
        day in 0u32..2_000,
        rules in rules(),
    ) {
        let program = tiered("Europe/Lisbon", rules);
        let history = history_from(&orders);
        let mut shuffled = history.clone();
        let k = shuffle.index(shuffled.len());
        shuffled.rotate_left(k);
        shuffled.reverse();
        let when = at("2025-01-01T00:00:00Z") + chrono::Duration::days(i64::from(day));
        prop_assert_eq!(
            program.tier_status(&history, when).unwrap(),
            program.tier_status(&shuffled, when).unwrap()
        );
    }
}

/// The tiered program, evaluating orders too (no rules but tiers).
fn tiered_shop() -> Program {
    tiered("Europe/Lisbon", json!({}))
}

#[test]
fn the_outlook_says_what_an_order_does_to_the_tier() {
    let program = tiered_shop();
    // 2026: 180.00 + 150.00 (silver), then this order of 700.00, the
    // third: 1030.00, but gold also wants 5 orders.
    let history = &climb()[..2];
    let checkout = Basket::eur().line("LAMP", 1, "700.00").build();
    let evaluation = eval(&program, &checkout);
    let outlook = program.tier_outlook(history, &evaluation).unwrap();
    assert!(!outlook.changed);
    assert_eq!(outlook.after.as_ref().map(|t| t.as_str()), Some("silver"));
    assert_eq!(outlook.to_string(), "2 more orders this year reach gold");
    assert!(outlook.effect.is_none());
    // With four orders before, this one makes gold.
    let history = &climb()[..4];
    let outlook = program.tier_outlook(history, &evaluation).unwrap();
    assert!(outlook.changed);
    assert_eq!(outlook.to_string(), "this order makes you gold");
    assert_eq!(
        outlook.effect,
        Some(loyalty::evaluation::Effect::TierChanged {
            key: "shop/A-1/tier".into(),
            customer: "C-1".parse().unwrap(),
            from: Some("silver".parse().unwrap()),
            to: Some("gold".parse().unwrap()),
            at: at(crate::util::common::AT),
        })
    );
    // A small order: what is missing toward gold, both figures.
    let small = eval(&program, &Basket::eur().line("CUP", 1, "20.00").build());
    let outlook = program.tier_outlook(&climb()[..2], &small).unwrap();
    assert_eq!(
        outlook.to_string(),
        "650.00 more spent and 2 more orders this year reach gold"
    );
}

#[test]
fn the_outlook_says_what_keeps_a_tier_held_from_last_year() {
    let program = tiered_shop();
    // Gold from 2025 (held through 2026); in 2026 only 300.00 in 2 orders.
    let mut history: Vec<TierEvent> = ["01", "03", "05", "07", "09"]
        .iter()
        .enumerate()
        .map(|(i, m)| {
            order(
                &format!("P-{i}"),
                &format!("2025-{m}-10T10:00:00Z"),
                "250.00",
            )
        })
        .collect();
    history.push(order("Q-1", "2026-02-10T10:00:00Z", "200.00"));
    history.push(order("Q-2", "2026-04-10T10:00:00Z", "100.00"));
    let evaluation = eval(&program, &Basket::eur().line("CUP", 1, "100.00").build());
    let outlook = program.tier_outlook(&history, &evaluation).unwrap();
    assert_eq!(outlook.after.as_ref().map(|t| t.as_str()), Some("gold"));
    assert_eq!(
        outlook.to_string(),
        "600.00 more spent and 2 more orders this year keep gold"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// The outlook of a checkout is the status with its order added, and
    /// it reports a change exactly when the tier changes.
    #[test]
    fn the_outlook_is_the_status_with_the_order_added(
        orders in prop::collection::vec((0u32..690, 1u32..60_000), 0..10),
        price in 1u32..200_000,
        rules in rules(),
    ) {
        let program = tiered("Europe/Lisbon", rules);
        let history = history_from(&orders);
        let checkout = Basket::eur()
            .line("X", 1, &format!("{}.{:02}", price / 100, price % 100))
            .build();
        let evaluation = eval(&program, &checkout);
        let outlook = program.tier_outlook(&history, &evaluation).unwrap();
        let mut with = history.clone();
        with.push(TierEvent::from_evaluation(&evaluation));
        let after = program.tier_status(&with, evaluation.at).unwrap();
        let before = program.tier_status(&history, evaluation.at).unwrap();
        prop_assert_eq!(&outlook.status, &after);
        prop_assert_eq!(outlook.changed, after.tier != before.tier);
        prop_assert_eq!(outlook.effect.is_some(), outlook.changed);
        prop_assert!(rank(&after) >= rank(&before), "an order never lowers the tier");
    }
}

#[test]
fn points_earned_can_qualify_a_tier_and_must_be_known() {
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "shop", "currency": "EUR",
        "tiers": [{"id": "member"},
                  {"id": "insider", "qualify": {"any": [{"points": 500}, {"spend": "2000.00"}]}}],
    }))
    .unwrap();
    let program = Program::new(definition).unwrap();
    let history = [
        order("A-1", "2026-02-01T10:00:00Z", "100.00").points(d("300")),
        order("A-2", "2026-03-01T10:00:00Z", "100.00").points(d("200")),
    ];
    let s = status(&program, &history[..1], "2026-02-02T00:00:00Z");
    assert_eq!(tier(&s), Some("member"));
    assert_eq!(
        s.to_string(),
        "member; toward insider: 300 of 500 points (200 more), 100.00 of 2000.00 spent (1900.00 more)"
    );
    // 500 points exactly: insider, on points alone.
    let s = status(&program, &history, "2026-03-02T00:00:00Z");
    assert_eq!(tier(&s), Some("insider"));
    assert_eq!(s.figures.points, d("500"));
    // A history that does not say the points cannot measure them.
    let unknown = [order("A-1", "2026-02-01T10:00:00Z", "100.00")];
    assert!(matches!(
        program.tier_status(&unknown, at("2026-03-01T00:00:00Z")),
        Err(TierError::MissingMeasure { .. })
    ));
    // A program that asks nothing of points does not need them.
    let spend_only = tiered_shop();
    assert!(
        spend_only
            .tier_status(&unknown, at("2026-03-01T00:00:00Z"))
            .is_ok()
    );
}

#[test]
fn a_program_says_how_its_tiers_qualify_and_what_it_takes_as_payment() {
    assert_eq!(
        tiered("Europe/Lisbon", json!({"window": {"rolling_months": 12}})).to_string(),
        "program shop (EUR, Europe/Lisbon): 0 ladders, 0 coupons (0 codes), 3 tiers, 0 earning rules, 0 multipliers, 0 bonuses, 0 cashback rules; tiers qualify over the last 12 months"
    );
    let definition: ProgramDefinition = serde_json::from_value(json!({
        "id": "p", "currency": "EUR",
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}, "cashback": {}}
    }))
    .unwrap();
    assert!(
        Program::new(definition)
            .unwrap()
            .to_string()
            .ends_with("0 cashback rules; pays with points and cashback")
    );
}

//! Simulation: a program over a history of orders, by local month, and
//! reports that merge across disjoint sets of customers.

use std::collections::BTreeSet;

use loyalty::evaluate::Checkout;
use loyalty::insight::simulate::{Month, Simulation, SimulationError, SimulationReport};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order};
use loyalty::program::Program;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::common::{d, program};

fn order(id: &str, customer: &str, at: &str, price: &str) -> Order {
    let currency = Currency::EUR;
    Order::builder(id, customer, at.parse().unwrap(), currency)
        .line(Line::new(
            "1",
            "TEA",
            1,
            Money::parse(price, currency).unwrap(),
        ))
        .build()
        .unwrap()
}

fn month(year: i32, month: u32) -> Month {
    Month::new(year, month).unwrap()
}

/// A ladder (5% from 100.00), a points rule (1 a euro), points worth
/// 1.00 per 100, silver from 150.00 spent, a coupon.
fn shop(expiry: serde_json::Value) -> Program {
    program(json!({
        "id": "shop", "currency": "EUR", "time_zone": "Europe/Lisbon",
        "ladders": [{"id": "spend-more", "steps": [{"from": "100.00", "percent": "5"}]}],
        "coupons": [{"id": "five-off", "codes": ["FIVE"],
                     "reward": {"type": "amount_off", "amount": "5.00"}}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "tiers": [{"id": "silver", "qualify": {"spend": "150.00"}}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}},
        "ledger": {"return_window_days": 0, "points_expiry": expiry}
    }))
}

fn history() -> Vec<Order> {
    vec![
        order("A-1", "C-1", "2026-01-05T10:00:00Z", "120.00"),
        order("B-1", "C-2", "2026-01-10T10:00:00Z", "50.00"),
        order("A-2", "C-1", "2026-01-31T23:30:00Z", "200.00"),
        order("C-1", "C-3", "2026-02-01T00:30:00Z", "80.00"),
        order("B-2", "C-2", "2026-02-15T10:00:00Z", "100.00"),
    ]
}

#[test]
fn simulate_a_small_history_by_hand() {
    let program = shop(json!("never"));
    let report = Simulation::new(&program).run(history()).unwrap();
    assert_eq!(report.months.len(), 2);
    // January: 120.00 − 6.00, 50.00, 200.00 − 10.00 (23:30 in Lisbon is
    // still 31 January).
    let january = report.month(month(2026, 1)).unwrap();
    assert_eq!(january.orders, 3);
    assert_eq!(january.revenue, d("354.00"));
    assert_eq!(january.discounts.get("spend-more"), Some(&d("16.00")));
    assert_eq!(january.points_issued, d("354"));
    // C-1 has 114.00 + 190.00 = 304.00 spent: silver at the month's end.
    assert_eq!(january.tiers.get("silver"), Some(&1));
    assert_eq!(january.tiers.len(), 1);
    // February: 80.00, 100.00 − 5.00.
    let february = report.month(month(2026, 2)).unwrap();
    assert_eq!(february.orders, 2);
    assert_eq!(february.revenue, d("175.00"));
    assert_eq!(february.discounts.get("spend-more"), Some(&d("5.00")));
    assert_eq!(february.points_issued, d("175"));
    // C-2 reaches 50.00 + 95.00 = 145.00: not silver; C-3 80.00.
    assert!(february.tiers.is_empty());
    assert_eq!(report.points_liability(month(2026, 1)), d("354"));
    assert_eq!(report.points_liability(month(2026, 2)), d("529"));
    assert_eq!(
        report.points_liability_value(month(2026, 2)),
        Some(d("5.29"))
    );
}

#[test]
fn simulate_counts_a_guest_order_without_a_customer_state() {
    let program = shop(json!("never"));
    let guest = Order::guest_builder(
        "G-1",
        "2026-01-20T10:00:00Z".parse().unwrap(),
        Currency::EUR,
    )
    .line(Line::new(
        "1",
        "TEA",
        1,
        Money::parse("150.00", Currency::EUR).unwrap(),
    ))
    .build()
    .unwrap();
    let mut orders = history();
    orders.insert(2, guest);
    let report = Simulation::new(&program)
        .redeem(loyalty::rules::redemption::Redeem::points(
            loyalty::rules::redemption::Ask::All,
        ))
        .run(orders)
        .unwrap();
    let january = report.month(month(2026, 1)).unwrap();
    // The guest's 150.00 − 7.50 (5% from 100.00) counts in the orders,
    // the revenue and the discounts; C-1 pays 1.14 of A-2 with its 114
    // points: 354.00 + 142.50 − 1.14 = 495.36.
    assert_eq!(january.orders, 4);
    assert_eq!(january.revenue, d("495.36"));
    assert_eq!(january.discounts.get("spend-more"), Some(&d("23.50")));
    // A guest has no wallet: its 142 points are not issued, and it is in
    // no tier (only C-1 is silver).
    assert_eq!(january.tiers.get("silver"), Some(&1));
    // C-1's 114 points (1 a euro of 114.00) are spent on A-2, which earns
    // on 190.00 − 1.14 = 188.86: 188; C-2 earns 50.
    assert_eq!(january.points_redeemed, d("114"));
    assert_eq!(january.points_issued, d("114") + d("50") + d("188"));
}

#[test]
fn simulate_carries_stats_tier_and_expiry() {
    // The second order of C-2 uses a coupon; points expire after 1 month.
    let program = shop(json!({"after_months": 1}));
    let mut orders = history();
    orders[4] = Order::builder(
        "B-2",
        "C-2",
        "2026-02-15T10:00:00Z".parse().unwrap(),
        Currency::EUR,
    )
    .line(Line::new(
        "1",
        "TEA",
        1,
        Money::parse("100.00", Currency::EUR).unwrap(),
    ))
    .coupon("FIVE")
    .build()
    .unwrap();
    let report = Simulation::new(&program).run(orders).unwrap();
    let february = report.month(month(2026, 2)).unwrap();
    assert_eq!(february.coupon_uses.get("FIVE"), Some(&1));
    // 100.00 − 5.00 ladder − 5.00 coupon.
    assert_eq!(february.revenue, d("170.00"));
    // January's points (114 on the 5th, 50 on the 10th) expire in
    // February; A-2's 190 of 31 January expire on 28 February.
    assert_eq!(february.points_expired, d("354"));
    // February's 80 and 90 expire in March, a month with no order.
    let march = report.month(month(2026, 3)).unwrap();
    assert_eq!(march.orders, 0);
    assert_eq!(march.points_expired, d("170"));
    assert_eq!(report.points_liability(month(2026, 2)), d("170"));
    assert_eq!(report.points_liability(month(2026, 3)), Decimal::ZERO);
}

#[test]
fn simulate_refuses_a_history_out_of_order() {
    let program = shop(json!("never"));
    let mut orders = history();
    orders.swap(1, 2);
    let error = Simulation::new(&program).run(orders).unwrap_err();
    assert!(
        matches!(&error, SimulationError::OutOfOrder { order, previous, .. }
            if order.as_str() == "B-1" && previous.as_str() == "A-2"),
        "{error}"
    );
    assert!(error.to_string().contains("sorted by placed_at"));
}

#[test]
fn simulate_refuses_another_currency() {
    let program = shop(json!("never"));
    let usd = Order::builder(
        "X-1",
        "C-9",
        "2026-03-01T10:00:00Z".parse().unwrap(),
        Currency::USD,
    )
    .line(Line::new(
        "1",
        "TEA",
        1,
        Money::parse("10.00", Currency::USD).unwrap(),
    ))
    .build()
    .unwrap();
    let mut orders = history();
    orders.push(usd);
    let error = Simulation::new(&program).run(orders).unwrap_err();
    assert!(
        matches!(&error, SimulationError::Currency { order, found: Currency::USD, .. } if order.as_str() == "X-1"),
        "{error}"
    );
}

#[test]
fn simulate_names_the_order_an_evaluation_refuses() {
    let program = program(json!({"id": "shop", "currency": "EUR",
                                 "limits": {"lines_per_order": 1}}));
    let two = Order::builder(
        "A-1",
        "C-1",
        "2026-01-05T10:00:00Z".parse().unwrap(),
        Currency::EUR,
    )
    .line(Line::new(
        "1",
        "TEA",
        1,
        Money::parse("1.00", Currency::EUR).unwrap(),
    ))
    .line(Line::new(
        "2",
        "TEA",
        1,
        Money::parse("1.00", Currency::EUR).unwrap(),
    ))
    .build()
    .unwrap();
    let error = Simulation::new(&program).run([two]).unwrap_err();
    assert!(
        matches!(&error, SimulationError::Evaluation { order, .. } if order.as_str() == "A-1"),
        "{error}"
    );
}

/// A history: (customer, day offset, price in cents, coupon), sorted.
fn histories() -> impl Strategy<Value = Vec<Order>> {
    prop::collection::vec((0u8..6, 0u32..150, 100u32..40_000, any::<bool>()), 0..40).prop_map(
        |mut rows| {
            rows.sort_by_key(|r| r.1);
            let start: chrono::DateTime<chrono::Utc> = "2026-01-01T09:00:00Z".parse().unwrap();
            rows.iter()
                .enumerate()
                .map(|(i, &(customer, day, cents, coupon))| {
                    let at = start
                        + chrono::TimeDelta::days(i64::from(day))
                        + chrono::TimeDelta::minutes(i as i64);
                    let price = Money::new(Decimal::new(i64::from(cents), 2), Currency::EUR);
                    let mut order = Order::builder(
                        format!("O-{i}"),
                        format!("C-{customer}"),
                        at,
                        Currency::EUR,
                    )
                    .line(Line::new("1", "TEA", 1, price));
                    if coupon {
                        order = order.coupon("FIVE");
                    }
                    order.build().unwrap()
                })
                .collect()
        },
    )
}

fn customers(orders: &[Order]) -> Vec<String> {
    let set: BTreeSet<String> = orders.iter().map(|o| o.customer().to_string()).collect();
    set.into_iter().collect()
}

/// The history split into `k` groups by customer, each in time order.
fn partition(orders: &[Order], k: usize, salt: usize) -> Vec<Vec<Order>> {
    let all = customers(orders);
    let mut groups = vec![Vec::new(); k];
    for order in orders {
        let index = all
            .iter()
            .position(|c| c == &order.customer().to_string())
            .unwrap();
        groups[(index + salt) % k].push(order.clone());
    }
    groups
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(32)))]

    #[test]
    fn simulate_is_deterministic(orders in histories()) {
        let program = shop(json!({"after_months": 1}));
        let one = Simulation::new(&program).run(orders.clone()).unwrap();
        let two = Simulation::new(&program).run(orders).unwrap();
        prop_assert_eq!(one, two);
    }

    #[test]
    fn simulate_partitions_merge_into_the_single_run(
        orders in histories(), k in 1usize..5, salt in 0usize..5,
    ) {
        let program = shop(json!({"after_months": 2}));
        let single = Simulation::new(&program).run(orders.clone()).unwrap();
        let merged = partition(&orders, k, salt)
            .into_iter()
            .map(|group| Simulation::new(&program).run(group).unwrap())
            .fold(SimulationReport::default(), SimulationReport::merge);
        prop_assert_eq!(&merged, &single);
        let threaded = std::thread::scope(|scope| {
            let handles: Vec<_> = partition(&orders, k, salt)
                .into_iter()
                .map(|group| {
                    let program = &program;
                    scope.spawn(move || Simulation::new(program).run(group))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a simulation thread").unwrap())
                .fold(SimulationReport::default(), SimulationReport::merge)
        });
        prop_assert_eq!(&threaded, &single);
    }

    #[test]
    fn simulate_sums_the_single_evaluations(orders in histories()) {
        // No rule here reads the customer's stats or tier: each checkout
        // evaluates alone exactly as in the simulation.
        let program = shop(json!("never"));
        let report = Simulation::new(&program).run(orders.clone()).unwrap();
        let (mut discounts, mut points, mut revenue) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for order in orders {
            let at = order.placed_at();
            let evaluation = program.evaluate(&Checkout::for_order(order, at)).unwrap();
            discounts += evaluation.discounts.iter().map(|d| d.amount).sum::<Decimal>();
            points += evaluation.points.total;
            revenue += evaluation.totals.payable;
        }
        let months = report.months.values();
        prop_assert_eq!(months.clone().flat_map(|m| m.discounts.values()).sum::<Decimal>(), discounts);
        prop_assert_eq!(months.clone().map(|m| m.points_issued).sum::<Decimal>(), points);
        prop_assert_eq!(months.map(|m| m.revenue).sum::<Decimal>(), revenue);
    }
}

#[test]
fn two_programs_side_by_side_say_what_a_change_costs() {
    use loyalty::insight::simulate::Comparison;
    let before = shop(json!("never"));
    // The same shop, its ladder at 10% instead of 5%.
    let after = program(json!({
        "id": "shop", "currency": "EUR", "time_zone": "Europe/Lisbon",
        "ladders": [{"id": "spend-more", "steps": [{"from": "100.00", "percent": "10"}]}],
        "coupons": [{"id": "five-off", "codes": ["FIVE"],
                     "reward": {"type": "amount_off", "amount": "5.00"}}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "tiers": [{"id": "silver", "qualify": {"spend": "150.00"}}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}},
        "ledger": {"return_window_days": 0, "points_expiry": "never"}
    }));
    let compared = Comparison::run(&before, &after, history()).unwrap();
    // January: 120.00 and 200.00 reach the ladder: 5% more of 320.00 is
    // 16.00 more discount, 16.00 less revenue, 16 fewer points (6 + 10).
    let january = compared.delta(month(2026, 1));
    assert_eq!(january.discounts, d("16.00"));
    assert_eq!(january.revenue, d("-16.00"));
    assert_eq!(january.points_issued, d("-16"));
    assert_eq!(january.points_liability, d("-16"));
    // February: only the 100.00 order reaches it: 5.00 more, 5 fewer
    // points; the liability carries January's difference.
    let february = compared.delta(month(2026, 2));
    assert_eq!(february.discounts, d("5.00"));
    assert_eq!(february.points_liability, d("-21"));
    assert_eq!(compared.months().count(), 2);
    // The same program on both sides changes nothing.
    let same = Comparison::run(&before, &before, history()).unwrap();
    assert!(same.months().all(|m| same.delta(m) == Default::default()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(32)))]

    /// The liability is what was issued, less what expired and was
    /// redeemed, month by month.
    #[test]
    fn the_liability_is_issued_less_expired_less_redeemed(orders in histories()) {
        let program = shop(json!({"after_months": 1}));
        let report = Simulation::new(&program).run(orders).unwrap();
        let mut running = Decimal::ZERO;
        for (month, figures) in &report.months {
            running += figures.points_issued - figures.points_expired - figures.points_redeemed;
            prop_assert_eq!(report.points_liability(*month), running);
            prop_assert!(running >= Decimal::ZERO, "{month}: a liability below zero");
        }
    }
}

// --- Redemption: customers paying with their wallet -----------------------

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use loyalty::customer::{Customer, CustomerStats};
use loyalty::evaluation::RuleKind;
use loyalty::insight::simulate::{Comparison, HistoryItem, MonthFigures};
use loyalty::rules::redemption::{Ask, Redeem};
use loyalty::wallet::{BalanceKind, Entry, Ledger};

/// 5% from 100.00, a point a euro, 10% cashback; 100 points pay 1.00 and
/// cashback pays one for one; nothing pending, points kept `expiry`.
fn wallet_shop(zone: &str, expiry: serde_json::Value) -> Program {
    program(json!({
        "id": "shop", "currency": "EUR", "time_zone": zone,
        "ladders": [{"id": "spend-more", "steps": [{"from": "100.00", "percent": "5"}]}],
        "coupons": [{"id": "five-off", "codes": ["FIVE"],
                     "reward": {"type": "amount_off", "amount": "5.00"}}],
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "cashback": [{"id": "back", "percent": "10"}],
        "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}}, "cashback": {}},
        "ledger": {"return_window_days": 0, "points_expiry": expiry}
    }))
}

#[test]
fn simulate_customers_paying_with_points_and_cashback_by_hand() {
    let program = wallet_shop("Europe/Lisbon", json!({"after_months": 1}));
    let history = vec![
        HistoryItem::new(order("A-1", "C-1", "2026-01-05T10:00:00Z", "120.00")),
        HistoryItem::new(order("A-2", "C-1", "2026-01-20T10:00:00Z", "51.14")),
        // This checkout asks for cashback instead of what everyone asks.
        (
            order("A-3", "C-1", "2026-03-01T10:00:00Z", "20.00"),
            Redeem::cashback(Ask::Exactly(d("10.00"))),
        )
            .into(),
    ];
    let report = Simulation::new(&program)
        .redeem(Redeem::points(Ask::All))
        .run(history)
        .unwrap();
    // 120.00 − 6.00 = 114.00, nothing to pay with yet: 114 points,
    // 11.40 cashback. A-2: all 114 points pay 1.14 of 51.14; 50.00 paid
    // earns 50 points and 5.00 cashback.
    let january = report.month(month(2026, 1)).unwrap();
    assert_eq!(january.orders, 2);
    assert_eq!(january.revenue, d("164.00"));
    assert_eq!(january.points_issued, d("164"));
    assert_eq!(january.points_redeemed, d("114"));
    assert_eq!(january.points_paid, d("1.14"));
    assert_eq!(january.cashback_issued, d("16.40"));
    assert_eq!(january.cashback_redeemed, Decimal::ZERO);
    assert_eq!(january.discounts.get("spend-more"), Some(&d("6.00")));
    // A-1's lot was spent before it expired on 5 February; A-2's 50 expire
    // on 20 February.
    let february = report.month(month(2026, 2)).unwrap();
    assert_eq!(february.orders, 0);
    assert_eq!(february.points_expired, d("50"));
    // 10.00 of cashback of the 16.40 held pays half; 10.00 paid earns
    // 10 points (expiring on 1 April) and 1.00 cashback.
    let march = report.month(month(2026, 3)).unwrap();
    assert_eq!(march.revenue, d("10.00"));
    assert_eq!(march.cashback_redeemed, d("10.00"));
    assert_eq!(march.points_redeemed, Decimal::ZERO);
    assert_eq!(march.points_issued, d("10"));
    assert_eq!(march.cashback_issued, d("1.00"));
    assert_eq!(
        report.month(month(2026, 4)).unwrap().points_expired,
        d("10")
    );
    // Liability: 164 − 114 = 50, then 0; 10, then 0. Cashback: 16.40,
    // then 16.40 + 1.00 − 10.00 = 7.40, never expiring.
    let points: Vec<Decimal> = (1..=4)
        .map(|m| report.points_liability(month(2026, m)))
        .collect();
    assert_eq!(points, [d("50"), d("0"), d("10"), d("0")]);
    assert_eq!(report.cashback_liability(month(2026, 1)), d("16.40"));
    assert_eq!(report.cashback_liability(month(2026, 4)), d("7.40"));
    assert_eq!(report.months.len(), 4);

    // Without asking, nobody redeems: the same orders pay 5.00 more.
    let without = Simulation::new(&program)
        .run([
            order("A-1", "C-1", "2026-01-05T10:00:00Z", "120.00"),
            order("A-2", "C-1", "2026-01-20T10:00:00Z", "51.14"),
        ])
        .unwrap();
    let january = without.month(month(2026, 1)).unwrap();
    assert_eq!(january.points_redeemed, Decimal::ZERO);
    assert_eq!(january.revenue, d("165.14"));
    // A-1's 114 expire on 5 February, A-2's 51 on 20 February.
    assert_eq!(
        without.month(month(2026, 2)).unwrap().points_expired,
        d("165")
    );
}

#[test]
fn simulate_refuses_a_redemption_the_checkout_refuses() {
    let program = wallet_shop("Europe/Lisbon", json!("never"));
    let error = Simulation::new(&program)
        .redeem(Redeem::points(Ask::Exactly(d("-5"))))
        .run([order("A-1", "C-1", "2026-01-05T10:00:00Z", "10.00")])
        .unwrap_err();
    assert!(
        matches!(&error, SimulationError::Evaluation { order, .. } if order.as_str() == "A-1"),
        "{error}"
    );
    assert!(error.to_string().contains("redeem.points"), "{error}");
    // An ask the program does not offer redeems nothing.
    let plain = shop(json!("never"));
    let report = Simulation::new(&plain)
        .redeem(Redeem::cashback(Ask::All))
        .run(history())
        .unwrap();
    assert!(
        report
            .months
            .values()
            .all(|m| m.cashback_redeemed.is_zero())
    );
}

#[test]
fn simulate_gives_the_tier_at_the_checkout_instant() {
    // Silver from 150.00 within a month, held a month: A-1 makes C-1
    // silver on 5 January; at the review on 5 February nothing placed
    // after 5 January counts, so C-1 is bronze again by A-2.
    let program = program(json!({
        "id": "shop", "currency": "EUR", "time_zone": "UTC",
        "tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "150.00"}}],
        "tier_rules": {"window": {"rolling_months": 1}},
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "multipliers": {"tiers": [{"tier": "silver", "factor": "2"}]}
    }));
    let orders = [
        order("A-1", "C-1", "2026-01-05T10:00:00Z", "200.00"),
        order("A-2", "C-1", "2026-04-05T10:00:00Z", "100.00"),
    ];
    let report = Simulation::new(&program).run(orders.clone()).unwrap();
    // A-1 is a bronze checkout (the base tier), A-2 too: 1 point a euro.
    assert_eq!(
        report.month(month(2026, 1)).unwrap().points_issued,
        d("200")
    );
    assert_eq!(
        report.month(month(2026, 4)).unwrap().points_issued,
        d("100")
    );
    let tiers = |m: u32| report.month(month(2026, m)).unwrap().tiers.clone();
    assert_eq!(tiers(1), BTreeMap::from([("silver".to_owned(), 1)]));
    for m in 2..=4 {
        assert_eq!(
            tiers(m),
            BTreeMap::from([("bronze".to_owned(), 1)]),
            "month {m}"
        );
    }
    // As the tiers say from the history.
    let first = program
        .evaluate(&Checkout::new(
            orders[0].clone(),
            Customer::new("C-1")
                .unwrap()
                .with_stats(CustomerStats::default())
                .unwrap(),
            orders[0].placed_at(),
        ))
        .unwrap();
    let status = program
        .tier_status(
            &[loyalty::tiers::TierEvent::from_evaluation(&first)],
            orders[1].placed_at(),
        )
        .unwrap();
    assert_eq!(status.tier.unwrap().as_str(), "bronze");
}

#[test]
fn simulate_finds_months_that_start_in_a_gap() {
    // Asunción moved its clocks from 00:00 to 01:00 on 1 October 2017:
    // October starts at 04:00Z, the instant after 23:59:59 of 30 September
    // (UTC−4).
    let program = wallet_shop("America/Asuncion", json!("never"));
    let report = Simulation::new(&program)
        .run([
            order("A-1", "C-1", "2017-10-01T03:59:59Z", "10.00"),
            order("A-2", "C-2", "2017-10-01T04:00:00Z", "20.00"),
        ])
        .unwrap();
    assert_eq!(report.month(month(2017, 9)).unwrap().revenue, d("10.00"));
    assert_eq!(report.month(month(2017, 10)).unwrap().revenue, d("20.00"));
}

/// What each order of a history asks: nothing, all the points, some of
/// them, all the cashback.
fn asks() -> impl Strategy<Value = Option<Redeem>> {
    prop_oneof![
        Just(None),
        Just(Some(Redeem::points(Ask::All))),
        (1i64..300).prop_map(|p| Some(Redeem::points(Ask::Exactly(Decimal::from(p))))),
        Just(Some(Redeem::cashback(Ask::All).and_cashback(Ask::All))),
        Just(Some(Redeem::points(Ask::All).and_cashback(Ask::All))),
    ]
}

/// Histories from `start` whose orders ask what `asks` gives.
fn redeeming_histories(start: &'static str) -> impl Strategy<Value = Vec<HistoryItem>> {
    prop::collection::vec(
        (0u8..5, 0u32..200, 100u32..40_000, any::<bool>(), asks()),
        0..40,
    )
    .prop_map(move |mut rows| {
        rows.sort_by_key(|r| r.1);
        let start: DateTime<Utc> = start.parse().unwrap();
        rows.into_iter()
            .enumerate()
            .map(|(i, (customer, day, cents, coupon, ask))| {
                let at = start + TimeDelta::days(i64::from(day)) + TimeDelta::minutes(i as i64);
                let price = Money::new(Decimal::new(i64::from(cents), 2), Currency::EUR);
                let mut order =
                    Order::builder(format!("O-{i}"), format!("C-{customer}"), at, Currency::EUR)
                        .line(Line::new("1", "TEA", 1, price));
                if coupon {
                    order = order.coupon("FIVE");
                }
                let item = HistoryItem::new(order.build().unwrap());
                match ask {
                    Some(ask) => item.redeem(ask),
                    None => item,
                }
            })
            .collect()
    })
}

/// The figures of a history worked out order by order without the
/// simulation: each customer's ledger rebuilt from their entries gives
/// what they have available at each checkout, a full evaluation with their
/// stats says what the order does, its entries go to the ledger; what
/// expires is what the ledgers say will.
fn by_single_evaluations(
    program: &Program,
    history: &[HistoryItem],
    default: Redeem,
) -> (BTreeMap<Month, MonthFigures>, Decimal, Decimal) {
    let zone = program.calendar().zone();
    let mut months: BTreeMap<Month, MonthFigures> = BTreeMap::new();
    let mut entries: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut stats: BTreeMap<String, CustomerStats> = BTreeMap::new();
    let ledger = |customer: &str, entries: &[Entry]| {
        Ledger::builder()
            .customer(customer.parse().unwrap())
            .currency(Currency::EUR)
            .terms(program)
            .build(entries.to_vec())
            .unwrap()
    };
    for item in history {
        let order = item.order.clone();
        let at = order.placed_at();
        let customer = order.customer().to_string();
        let mine = entries.entry(customer.clone()).or_default();
        let before = stats.entry(customer.clone()).or_default();
        let available = ledger(&customer, mine).balance_at(at).unwrap().available();
        let redeem = item.redeem.unwrap_or(default);
        let mut checkout = Checkout::new(
            order,
            Customer::new(customer.as_str())
                .unwrap()
                .with_stats(before.clone())
                .unwrap(),
            at,
        );
        if !redeem.is_empty() {
            checkout = checkout.with_redemption(redeem, available);
        }
        let evaluation = program.evaluate(&checkout).unwrap();
        let figures = months.entry(Month::of(zone.local_date(at))).or_default();
        figures.orders += 1;
        figures.revenue += evaluation.totals.payable;
        figures.points_issued += evaluation.points.total;
        figures.cashback_issued += evaluation.cashback.total;
        for discount in evaluation
            .discounts
            .iter()
            .filter(|d| d.rule.kind != RuleKind::Redemption)
        {
            *figures
                .discounts
                .entry(discount.rule.id.to_string())
                .or_default() += discount.amount;
            if let Some(code) = &discount.code {
                *figures.coupon_uses.entry(code.clone()).or_default() += 1;
            }
        }
        for redemption in evaluation.redemptions.iter().filter(|r| r.is_applied()) {
            match redemption.kind {
                loyalty::evaluation::RedemptionKind::Points => {
                    figures.points_redeemed += redemption.points;
                    figures.points_paid += redemption.amount;
                }
                _ => figures.cashback_redeemed += redemption.amount,
            }
        }
        mine.extend(Entry::from_evaluation(&evaluation).unwrap());
        before.orders_before += 1;
        before.lifetime_spend += evaluation.totals.subtotal - evaluation.totals.discount;
        before.last_order_at = Some(at);
    }
    let (mut points_held, mut cashback_held) = (Decimal::ZERO, Decimal::ZERO);
    let end = DateTime::<Utc>::MAX_UTC;
    for (customer, mine) in &entries {
        let ledger = ledger(customer, mine);
        for expired in ledger.due_expirations(end).unwrap() {
            let figures = months
                .entry(Month::of(zone.local_date(expired.at())))
                .or_default();
            match expired.amount().kind() {
                BalanceKind::Points => figures.points_expired += expired.amount().value(),
                _ => figures.cashback_expired += expired.amount().value(),
            }
        }
        let balance = ledger.balance_at(end).unwrap();
        points_held += balance.points.held();
        cashback_held += balance.cashback.held();
    }
    (months, points_held, cashback_held)
}

/// Figures compared as numbers (a sum's decimals may be written apart).
fn same_figures(a: &MonthFigures, b: &MonthFigures) -> bool {
    let same_map = |x: &BTreeMap<String, Decimal>, y: &BTreeMap<String, Decimal>| {
        x.len() == y.len() && x.iter().zip(y).all(|((k, v), (l, w))| k == l && v == w)
    };
    a.orders == b.orders
        && a.revenue == b.revenue
        && same_map(&a.discounts, &b.discounts)
        && a.coupon_uses == b.coupon_uses
        && a.points_issued == b.points_issued
        && a.points_expired == b.points_expired
        && a.points_redeemed == b.points_redeemed
        && a.points_paid == b.points_paid
        && a.cashback_issued == b.cashback_issued
        && a.cashback_expired == b.cashback_expired
        && a.cashback_redeemed == b.cashback_redeemed
}

fn expiries() -> impl Strategy<Value = serde_json::Value> {
    prop::sample::select(vec![
        json!("never"),
        json!({"after_months": 1}),
        json!({"after_months": 2}),
        json!({"after_inactive_months": 1}),
        json!({"end_of_year": 0}),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(32)))]

    /// What the simulation redeems, issues and expires month by month is
    /// what single evaluations give, each with the balance the customer's
    /// ledger has at its instant; what is left is what the ledgers hold.
    #[test]
    fn simulated_redemptions_are_the_single_evaluations(
        history in redeeming_histories("2026-01-01T09:00:00Z"),
        expiry in expiries(),
        default in asks(),
    ) {
        let program = wallet_shop("Europe/Lisbon", expiry);
        let default = default.unwrap_or_default();
        let report = Simulation::new(&program).redeem(default).run(history.clone()).unwrap();
        let (expected, points_held, cashback_held) = by_single_evaluations(&program, &history, default);
        let months: Vec<Month> = expected.keys().copied().collect();
        prop_assert_eq!(report.months.keys().copied().collect::<Vec<_>>(), months);
        for (month, figures) in &expected {
            let simulated = report.month(*month).unwrap();
            prop_assert!(same_figures(simulated, figures), "{month}: {simulated:?} != {figures:?}");
        }
        if let Some(&last) = expected.keys().last() {
            prop_assert_eq!(report.points_liability(last), points_held);
            prop_assert_eq!(report.cashback_liability(last), cashback_held);
        }
    }

    /// The same in a zone whose October 2017 starts in a gap (at 01:00):
    /// every order and expiry in the month of its local date.
    #[test]
    fn simulated_months_are_local_months_across_a_gap(
        history in redeeming_histories("2017-08-20T09:00:00Z"),
        expiry in expiries(),
    ) {
        let program = wallet_shop("America/Asuncion", expiry);
        let default = Redeem::points(Ask::All);
        let report = Simulation::new(&program).redeem(default).run(history.clone()).unwrap();
        let (expected, ..) = by_single_evaluations(&program, &history, default);
        prop_assert_eq!(report.months.len(), expected.len());
        for (month, figures) in &expected {
            prop_assert!(same_figures(report.month(*month).unwrap(), figures), "{}", month);
        }
    }

    /// With customers redeeming, the liability is still what was issued,
    /// less what expired and was redeemed, month by month, never below
    /// zero; and partitions by customer merge into the single run.
    #[test]
    fn redeeming_keeps_the_liability_and_the_merge(
        history in redeeming_histories("2026-01-01T09:00:00Z"),
        expiry in expiries(),
        k in 1usize..4,
    ) {
        let program = wallet_shop("Europe/Lisbon", expiry);
        let simulation = Simulation::new(&program).redeem(Redeem::points(Ask::All));
        let single = simulation.run(history.clone()).unwrap();
        let (mut points, mut cashback) = (Decimal::ZERO, Decimal::ZERO);
        for (month, f) in &single.months {
            points += f.points_issued - f.points_redeemed - f.points_expired;
            cashback += f.cashback_issued - f.cashback_redeemed - f.cashback_expired;
            prop_assert_eq!(single.points_liability(*month), points);
            prop_assert_eq!(single.cashback_liability(*month), cashback);
            prop_assert!(points >= Decimal::ZERO && cashback >= Decimal::ZERO, "{}", month);
        }
        let mut groups: Vec<Vec<HistoryItem>> = vec![Vec::new(); k];
        for item in &history {
            let c: usize = item.order.customer().as_str()[2..].parse().unwrap();
            groups[c % k].push(item.clone());
        }
        let merged = std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .into_iter()
                .map(|group| scope.spawn(move || simulation.run(group)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a simulation thread").unwrap())
                .fold(SimulationReport::default(), SimulationReport::merge)
        });
        prop_assert_eq!(&merged, &single);
        // The orders alone, asking nothing in one of two simulations: the
        // difference is what the customers redeemed in the other.
        let orders: Vec<Order> = history.into_iter().map(|i| i.order).collect();
        let redeeming = simulation.run(orders.clone()).unwrap();
        let compared = Comparison::compare(&Simulation::new(&program), &simulation, orders).unwrap();
        prop_assert_eq!(&compared.after, &redeeming);
        for month in compared.months() {
            let delta = compared.delta(month);
            let f = redeeming.month(month).cloned().unwrap_or_default();
            prop_assert_eq!(delta.points_redeemed, f.points_redeemed);
            prop_assert_eq!(
                delta.points_liability,
                redeeming.points_liability(month) - compared.before.points_liability(month)
            );
        }
    }
}

/// A program with tiers that ask for spend in a rolling window, a tier
/// multiplier and a tier discount: the tier at each checkout changes what
/// the order earns and pays.
fn tiered_shop() -> Program {
    program(json!({
        "id": "shop", "currency": "EUR", "time_zone": "Europe/Lisbon",
        "tiers": [{"id": "bronze"},
                  {"id": "silver", "qualify": {"spend": "150.00"},
                   "benefits": {"discount_percent": "5"}},
                  {"id": "gold", "qualify": {"spend": "400.00"}}],
        "tier_rules": {"window": {"rolling_months": 2}, "downgrade": "one_level", "grace_days": 10},
        "earning": [{"id": "base", "points": "1", "per": "1.00"}],
        "multipliers": {"tiers": [{"tier": "gold", "factor": "2"}]},
        "ledger": {"return_window_days": 0, "points_expiry": {"after_months": 3}}
    }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(32)))]

    /// Each checkout sees the tier `tier_status` gives at its instant from
    /// the customer's orders before it, and each month end counts the tier
    /// it gives then: the same figures as single evaluations so built.
    #[test]
    fn simulated_tiers_are_the_tier_status(history in redeeming_histories("2026-01-01T09:00:00Z")) {
        use loyalty::tiers::TierEvent;
        let program = tiered_shop();
        let zone = program.calendar().zone();
        let orders: Vec<Order> = history.into_iter().map(|i| i.order).collect();
        let report = Simulation::new(&program).run(orders.clone()).unwrap();
        let mut events: BTreeMap<String, Vec<TierEvent>> = BTreeMap::new();
        let mut stats: BTreeMap<String, CustomerStats> = BTreeMap::new();
        let mut first_last: BTreeMap<String, (Month, Month)> = BTreeMap::new();
        let mut points: BTreeMap<Month, Decimal> = BTreeMap::new();
        let mut revenue: BTreeMap<Month, Decimal> = BTreeMap::new();
        let mut discounts: BTreeMap<Month, BTreeMap<String, Decimal>> = BTreeMap::new();
        for order in orders {
            let at = order.placed_at();
            let customer = order.customer().to_string();
            let mine = events.entry(customer.clone()).or_default();
            let before = stats.entry(customer.clone()).or_default();
            let tier = program.tier_status(mine, at).unwrap().tier;
            let mut buyer = Customer::new(customer.as_str()).unwrap().with_stats(before.clone()).unwrap();
            if let Some(tier) = tier {
                buyer = buyer.with_tier(tier.as_str()).unwrap();
            }
            let evaluation = program.evaluate(&Checkout::new(order, buyer, at)).unwrap();
            let month = Month::of(zone.local_date(at));
            *points.entry(month).or_default() += evaluation.points.total;
            *revenue.entry(month).or_default() += evaluation.totals.payable;
            for discount in &evaluation.discounts {
                *discounts.entry(month).or_default().entry(discount.rule.id.to_string()).or_default()
                    += discount.amount;
            }
            mine.push(TierEvent::from_evaluation(&evaluation));
            before.orders_before += 1;
            before.lifetime_spend += evaluation.totals.subtotal - evaluation.totals.discount;
            before.last_order_at = Some(at);
            first_last.entry(customer).and_modify(|e| e.1 = month).or_insert((month, month));
        }
        for (month, figures) in &report.months {
            prop_assert_eq!(figures.points_issued, points.get(month).copied().unwrap_or_default(), "{}", month);
            prop_assert_eq!(figures.revenue, revenue.get(month).copied().unwrap_or_default(), "{}", month);
            // Silver's 5% off among them.
            prop_assert_eq!(&figures.discounts, &discounts.get(month).cloned().unwrap_or_default(), "{}", month);
        }
        // Customers per tier at each month end, from the first month of
        // their orders to the last.
        let mut tiers: BTreeMap<Month, BTreeMap<String, u64>> = BTreeMap::new();
        for (customer, (first, last)) in &first_last {
            let mut m = *first;
            while m <= *last {
                let next = m.next().unwrap();
                let start = zone.to_utc(chrono::NaiveDate::from_ymd_opt(next.year(), next.month(), 1)
                    .unwrap().and_hms_opt(0, 0, 0).unwrap()).unwrap();
                let end = start - TimeDelta::nanoseconds(1);
                if let Some(tier) = program.tier_status(&events[customer], end).unwrap().tier {
                    *tiers.entry(m).or_default().entry(tier.to_string()).or_default() += 1;
                }
                m = next;
            }
        }
        for (month, figures) in &report.months {
            prop_assert_eq!(&figures.tiers, &tiers.get(month).cloned().unwrap_or_default(), "{}", month);
        }
        prop_assert_eq!(
            report.months.values().filter(|f| !f.tiers.is_empty()).count(),
            tiers.len()
        );
    }
}

#[test]
fn a_history_item_is_plain_data() {
    let item: HistoryItem = serde_json::from_value(json!({
        "order": {"id": "A-1", "customer": "C-1", "placed_at": "2026-01-05T10:00:00Z",
                  "currency": "EUR",
                  "lines": [{"id": "1", "sku": "TEA", "quantity": 1, "unit_price": "12.00 EUR"}]},
        "redeem": {"points": "all"}
    }))
    .unwrap();
    assert_eq!(item.redeem, Some(Redeem::points(Ask::All)));
    assert_eq!(item.order.id().as_str(), "A-1");
    let text = serde_json::to_string(&item).unwrap();
    assert_eq!(serde_json::from_str::<HistoryItem>(&text).unwrap(), item);
    // Without an ask, the item asks what the simulation asks.
    let plain: HistoryItem =
        serde_json::from_value(json!({"order": serde_json::to_value(&item.order).unwrap()}))
            .unwrap();
    assert_eq!(plain, HistoryItem::new(item.order.clone()));
    assert!(!serde_json::to_string(&plain).unwrap().contains("redeem"));
    let typo = serde_json::from_value::<HistoryItem>(json!({
        "order": serde_json::to_value(&item.order).unwrap(), "redem": {"points": "all"}
    }));
    assert!(
        typo.unwrap_err()
            .to_string()
            .contains("unknown field `redem`")
    );
}

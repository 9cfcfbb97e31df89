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

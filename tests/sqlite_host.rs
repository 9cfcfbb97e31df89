//! The SQLite host of `examples/sqlite_host.rs` under concurrent
//! checkouts: no coupon use oversold, no budget overspent, no point spent
//! twice, every entry stored once, and storing everything again changes
//! nothing; a cancellation gives back once, never below zero.
//!
//! Its own test binary, so its threads do not share the two cores with the
//! other tests' and its throughput means something.

#[allow(dead_code)] // the example uses the rest: returns
#[path = "../examples/sqlite_host/host.rs"]
mod host;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use loyalty::Decimal;
use loyalty::customer::CustomerId;
use loyalty::evaluate::Checkout;
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order, OrderId};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::rules::redemption::{Ask, Redeem};
use loyalty::wallet::{Amount, Entry};
use rusqlite::{Connection, TransactionBehavior, params};

/// 1 000 checkouts on 16 threads, 4 at once by each of 250 customers: in
/// debug on two cores, a few seconds.
const CHECKOUTS: usize = 1000;
const THREADS: usize = 16;
const PER_CUSTOMER: usize = 4;
const CUSTOMERS: usize = CHECKOUTS / PER_CUSTOMER;

/// LIMITED: 100 uses in all, 1 per customer. 100 points pay 1.00, in steps
/// of 100, up to half the order. Points earned are pending for 30 days, so
/// only the seeded 1 000 points can pay during the test: one checkout of
/// 600 per customer, the others refused.
const PROGRAM: &str = r#"{
    "id": "rush",
    "currency": "EUR",
    "coupons": [{"id": "limited", "codes": ["LIMITED"], "usage_limit": 100,
                 "per_customer_limit": 1,
                 "reward": {"type": "percent_off", "percent": "10"}}],
    "earning": [{"id": "points", "points": "1", "per": "1.00"}],
    "ledger": {"return_window_days": 30},
    "redemption": {"points": {"rate": {"points": 100, "value": "1.00"}, "step": 100,
                              "max_share_percent": 50}}
}"#;

const AT: &str = "2026-06-01T10:00:00Z";

fn customer(n: usize) -> String {
    format!("C-{n:03}")
}

/// Every row of every table, as text: what "changes nothing" compares.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut rows = Vec::new();
    for (table, order) in [
        ("coupon_usage", "program, counter"),
        ("coupon_usage_by_customer", "program, counter, customer"),
        ("coupon_events", "key"),
        ("budget_spent", "program, promotion"),
        ("budget_events", "key"),
        ("cancellations", "program, order_id"),
        ("ledger_entries", "key"),
        ("orders", "program, id"),
        ("returns", "program, order_id, refund"),
    ] {
        let sql = format!("SELECT * FROM {table} ORDER BY {order}");
        let mut statement = conn.prepare(&sql).unwrap();
        let width = statement.column_count();
        let mut found = statement.query([]).unwrap();
        while let Some(row) = found.next().unwrap() {
            let cells: Vec<String> = (0..width)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            rows.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    rows
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
fn concurrent_checkouts_never_oversell_a_coupon_or_a_balance() {
    let program =
        Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM).unwrap()).unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("loyalty-sqlite-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shop.db");
    let at = AT.parse().unwrap();

    // Each customer starts with 1 000 points, available since January.
    let conn = host::open(&path).unwrap();
    host::save_program(&conn, &program).unwrap();
    let january = "2026-01-01T00:00:00Z".parse().unwrap();
    for n in 0..CUSTOMERS {
        let seed = Entry::earned(
            format!("rush/seed-{n}/points"),
            customer(n).parse().unwrap(),
            OrderId::new(format!("seed-{n}")).unwrap(),
            Amount::points(1000),
            january,
            january,
            None,
        )
        .unwrap();
        conn.execute(
            "INSERT INTO ledger_entries (key, program, customer, entry) VALUES (?1, ?2, ?3, ?4)",
            params![
                seed.key(),
                "rush",
                customer(n),
                serde_json::to_string(&seed).unwrap()
            ],
        )
        .unwrap();
    }

    // Checkout i is customer i / 4's: the four of a customer are taken
    // by four threads at about the same time.
    let next = AtomicUsize::new(0);
    let attempts = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                let mut conn = host::open(&path).unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= CHECKOUTS {
                        break;
                    }
                    let price = Money::parse("30.00", Currency::EUR).unwrap();
                    let order = Order::builder(
                        format!("O-{i:04}"),
                        customer(i / PER_CUSTOMER),
                        at,
                        Currency::EUR,
                    )
                    .line(Line::new("1", "BEANS-1KG", 2, price))
                    .coupon("LIMITED")
                    .build()
                    .unwrap();
                    let checkout = Checkout::for_order(order, at).with_redemption(
                        Redeem::points(Ask::Exactly(600.into())),
                        Default::default(),
                    );
                    match host::checkout(&mut conn, &program, &checkout) {
                        Ok(stored) => {
                            attempts.fetch_add(stored.attempts as usize, Ordering::Relaxed);
                        }
                        Err(e) => errors.lock().unwrap().push(format!("O-{i}: {e}")),
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let errors = errors.into_inner().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let attempts = attempts.into_inner();
    eprintln!(
        "{CHECKOUTS} checkouts on {THREADS} threads stored in {:.2} s: {:.0} checkouts/s, {} evaluations ({} after a failed compare)",
        elapsed.as_secs_f64(),
        CHECKOUTS as f64 / elapsed.as_secs_f64(),
        attempts,
        attempts - CHECKOUTS
    );

    assert_eq!(
        count(&conn, "SELECT count(*) FROM orders"),
        CHECKOUTS as i64
    );
    // Exactly 100 redemptions of the coupon, none over a per-customer limit.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM coupon_events WHERE delta = 1"),
        100
    );
    assert_eq!(count(&conn, "SELECT overall FROM coupon_usage"), 100);
    assert_eq!(
        count(&conn, "SELECT sum(uses) FROM coupon_usage_by_customer"),
        100
    );
    assert_eq!(
        count(&conn, "SELECT max(uses) FROM coupon_usage_by_customer"),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT max(n) FROM (SELECT count(*) AS n FROM coupon_events GROUP BY customer)"
        ),
        1
    );

    // The stored evaluations agree: 100 accepted codes, one payment with
    // points per customer (1 000 covers one of 600), every key once.
    let mut accepted = 0;
    let mut spent: BTreeMap<CustomerId, Decimal> = BTreeMap::new();
    let mut keys: Vec<String> = (0..CUSTOMERS)
        .map(|n| format!("rush/seed-{n}/points"))
        .collect();
    let mut evaluations = Vec::new();
    for i in 0..CHECKOUTS {
        let (_, evaluation) = host::stored_order(&conn, &program, &format!("O-{i:04}"))
            .unwrap()
            .unwrap();
        accepted += evaluation
            .coupons
            .iter()
            .filter(|v| v.is_accepted())
            .count();
        for r in evaluation.redemptions.iter().filter(|r| r.is_applied()) {
            *spent.entry(evaluation.customer.clone()).or_default() += r.points;
        }
        keys.extend(
            Entry::from_evaluation(&evaluation)
                .unwrap()
                .iter()
                .map(|e| e.key().to_owned()),
        );
        evaluations.push(evaluation);
    }
    assert_eq!(accepted, 100);
    assert_eq!(spent.len(), CUSTOMERS);
    assert!(
        spent.values().all(|&p| p == Decimal::from(600)),
        "{spent:?}"
    );
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "an evaluation's key repeats");
    let stored: BTreeSet<String> = {
        let mut statement = conn.prepare("SELECT key FROM ledger_entries").unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        stored.len() as i64,
        count(&conn, "SELECT count(*) FROM ledger_entries")
    );
    assert_eq!(stored, unique.into_iter().cloned().collect());

    // Each customer's ledger: no balance below zero, and conservation.
    for n in 0..CUSTOMERS {
        let id: CustomerId = customer(n).parse().unwrap();
        let balance = host::ledger(&conn, &program, &id)
            .unwrap()
            .balance_at(at)
            .unwrap();
        for account in [&balance.points, &balance.cashback] {
            assert!(account.available >= Decimal::ZERO, "{id}: {balance}");
            assert_eq!(
                account.available
                    + account.pending
                    + account.redeemed
                    + account.expired
                    + account.reversed,
                account.earned + account.adjusted,
                "{id}: {balance}"
            );
        }
        assert_eq!(
            balance.points.available,
            Decimal::from(400),
            "{id}: {balance}"
        );
    }

    // Storing every evaluation's effects again changes nothing.
    let before = snapshot(&conn);
    let mut conn = conn;
    for evaluation in &evaluations {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        assert!(host::store(&tx, &program, evaluation).unwrap());
        tx.commit().unwrap();
    }
    assert_eq!(snapshot(&conn), before);

    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh database of the program, in its own temporary directory.
fn fresh(program: &Program, name: &str) -> Connection {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("loyalty-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conn = host::open(&dir.join("shop.db")).unwrap();
    host::save_program(&conn, program).unwrap();
    conn
}

#[test]
fn a_key_stored_with_other_content_is_refused_and_nothing_is_half_applied() {
    let program =
        Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM).unwrap()).unwrap();
    let mut conn = fresh(&program, "conflict");
    let at = AT.parse().unwrap();
    let price = Money::parse("30.00", Currency::EUR).unwrap();
    let order = Order::builder("O-1", "C-001", at, Currency::EUR)
        .line(Line::new("1", "BEANS-1KG", 2, price))
        .coupon("LIMITED")
        .build()
        .unwrap();
    let checkout = Checkout::for_order(order, at);
    // The order's points credit is already stored, with other content
    // (a lot of 1 point where the order earns 54).
    let evaluation = program.evaluate(&checkout).unwrap();
    let credit = Entry::from_evaluation(&evaluation)
        .unwrap()
        .into_iter()
        .find(|e| e.key().ends_with("/points"))
        .unwrap();
    let forged = Entry::earned(
        credit.key(),
        "C-001".parse().unwrap(),
        OrderId::new("O-1").unwrap(),
        Amount::points(1),
        at,
        at,
        None,
    )
    .unwrap();
    conn.execute(
        "INSERT INTO ledger_entries (key, program, customer, entry) VALUES (?1, ?2, ?3, ?4)",
        params![
            forged.key(),
            "rush",
            "C-001",
            serde_json::to_string(&forged).unwrap()
        ],
    )
    .unwrap();
    let before = snapshot(&conn);
    let refused = host::checkout(&mut conn, &program, &checkout);
    assert!(
        matches!(&refused, Err(host::HostError::Conflict { key }) if key == credit.key()),
        "{refused:?}"
    );
    // The coupon's use, the order and its other entries were rolled back
    // with it.
    assert_eq!(snapshot(&conn), before);
}

/// FIRST-40: an automatic 5.00 off for the first 40 orders in all, one per
/// customer, with no code to enter.
const AUTOMATIC: &str = r#"{
    "id": "first-orders",
    "currency": "EUR",
    "promotions": [{"id": "first-40", "usage_limit": 40, "per_customer_limit": 1,
                    "reward": {"type": "amount_off", "amount": "5.00"}}]
}"#;

#[test]
fn concurrent_checkouts_never_oversell_a_limited_automatic_promotion() {
    let program =
        Program::new(serde_json::from_str::<ProgramDefinition>(AUTOMATIC).unwrap()).unwrap();
    let conn = fresh(&program, "automatic");
    let path = conn.path().unwrap().to_owned();
    drop(conn);
    let at = AT.parse().unwrap();
    // 200 checkouts by 50 customers (4 each, at about the same time) on 8
    // threads.
    let next = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let mut conn = host::open(std::path::Path::new(&path)).unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= 200 {
                        break;
                    }
                    let price = Money::parse("30.00", Currency::EUR).unwrap();
                    let order = Order::builder(
                        format!("O-{i:04}"),
                        customer(i / PER_CUSTOMER),
                        at,
                        Currency::EUR,
                    )
                    .line(Line::new("1", "BEANS-1KG", 1, price))
                    .build()
                    .unwrap();
                    if let Err(e) =
                        host::checkout(&mut conn, &program, &Checkout::for_order(order, at))
                    {
                        errors.lock().unwrap().push(format!("O-{i}: {e}"));
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let conn = host::open(std::path::Path::new(&path)).unwrap();
    // Exactly 40 uses, counted under the promotion's id, one per customer.
    assert_eq!(
        count(
            &conn,
            "SELECT overall FROM coupon_usage WHERE counter = 'promotion:first-40'"
        ),
        40
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM coupon_events WHERE delta = 1"),
        40
    );
    assert_eq!(
        count(&conn, "SELECT max(uses) FROM coupon_usage_by_customer"),
        1
    );
    // The stored evaluations agree: 40 orders pay 25.00, 160 pay 30.00.
    let mut discounted = 0;
    for i in 0..200 {
        let (_, evaluation) = host::stored_order(&conn, &program, &format!("O-{i:04}"))
            .unwrap()
            .unwrap();
        if evaluation.totals.discount == Decimal::from(5) {
            assert_eq!(evaluation.payable().amount(), Decimal::new(2500, 2));
            discounted += 1;
        } else {
            assert_eq!(evaluation.payable().amount(), Decimal::new(3000, 2));
        }
    }
    assert_eq!(discounted, 40);
}

/// LAUNCH: an automatic 5.00 off until it gave 100.00 in all: 20 orders.
const BUDGETED: &str = r#"{
    "id": "launch-shop",
    "currency": "EUR",
    "promotions": [{"id": "launch", "budget": "100.00",
                    "reward": {"type": "amount_off", "amount": "5.00"}}]
}"#;

#[test]
fn concurrent_checkouts_never_overspend_a_budget() {
    let program =
        Program::new(serde_json::from_str::<ProgramDefinition>(BUDGETED).unwrap()).unwrap();
    let conn = fresh(&program, "budget");
    let path = conn.path().unwrap().to_owned();
    drop(conn);
    let at = AT.parse().unwrap();
    // 200 checkouts by 50 customers on 8 threads.
    let next = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let mut conn = host::open(std::path::Path::new(&path)).unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= 200 {
                        break;
                    }
                    let price = Money::parse("30.00", Currency::EUR).unwrap();
                    let order = Order::builder(
                        format!("O-{i:04}"),
                        customer(i / PER_CUSTOMER),
                        at,
                        Currency::EUR,
                    )
                    .line(Line::new("1", "BEANS-1KG", 1, price))
                    .build()
                    .unwrap();
                    if let Err(e) =
                        host::checkout(&mut conn, &program, &Checkout::for_order(order, at))
                    {
                        errors.lock().unwrap().push(format!("O-{i}: {e}"));
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let conn = host::open(std::path::Path::new(&path)).unwrap();
    // 100.00 / 5.00 = 20 orders spent it, exactly: 10 000 cents.
    assert_eq!(
        count(
            &conn,
            "SELECT spent FROM budget_spent WHERE promotion = 'launch'"
        ),
        10_000
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM budget_events"), 20);
    let mut discounted = 0;
    for i in 0..200 {
        let (_, evaluation) = host::stored_order(&conn, &program, &format!("O-{i:04}"))
            .unwrap()
            .unwrap();
        if evaluation.totals.discount == Decimal::from(5) {
            discounted += 1;
        } else {
            assert_eq!(evaluation.totals.discount, Decimal::ZERO);
        }
    }
    assert_eq!(discounted, 20);
}

/// ONCE: 10.00 off, one use in all, from a budget of 20.00.
const ONCE: &str = r#"{
    "id": "once-shop",
    "currency": "EUR",
    "coupons": [{"id": "once", "codes": ["ONCE"], "usage_limit": 1, "budget": "20.00",
                 "reward": {"type": "amount_off", "amount": "10.00"}}],
    "earning": [{"id": "points", "points": "1", "per": "1.00"}]
}"#;

#[test]
fn a_cancelled_order_gives_back_its_use_and_spend_once_and_never_below_zero() {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(ONCE).unwrap()).unwrap();
    let mut conn = fresh(&program, "cancel");
    let at: chrono::DateTime<chrono::Utc> = AT.parse().unwrap();
    let buy = |conn: &mut Connection, id: &str| {
        let price = Money::parse("30.00", Currency::EUR).unwrap();
        let order = Order::builder(id, "C-001", at, Currency::EUR)
            .line(Line::new("1", "BEANS-1KG", 1, price))
            .coupon("ONCE")
            .build()
            .unwrap();
        host::checkout(conn, &program, &Checkout::for_order(order, at))
            .unwrap()
            .evaluation
    };
    let uses = |conn: &Connection| {
        count(
            conn,
            "SELECT overall FROM coupon_usage WHERE counter = 'coupon:once'",
        )
    };
    let spent = |conn: &Connection| {
        count(
            conn,
            "SELECT spent FROM budget_spent WHERE promotion = 'once'",
        )
    };
    assert!(buy(&mut conn, "O-1").coupons[0].is_accepted());
    assert_eq!((uses(&conn), spent(&conn)), (1, 1000));
    // The one use is taken.
    assert!(!buy(&mut conn, "O-2").coupons[0].is_accepted());
    // O-1 is cancelled: its use, its 10.00 and its 20 points come back.
    let later = "2026-06-01T12:00:00Z".parse().unwrap();
    let cancelled = host::cancel_order(&mut conn, &program, "O-1", later).unwrap();
    assert_eq!(cancelled.effects.len(), 3);
    assert_eq!((uses(&conn), spent(&conn)), (0, 0));
    let c1: CustomerId = "C-001".parse().unwrap();
    let balance = host::ledger(&conn, &program, &c1)
        .unwrap()
        .balance_at(later)
        .unwrap();
    // O-2 earned 30 points; O-1's 20 were reversed.
    assert_eq!(
        balance.points.pending + balance.points.available,
        Decimal::from(30)
    );
    // Cancelling again gives the stored cancellation and changes nothing.
    let before = snapshot(&conn);
    assert_eq!(
        host::cancel_order(&mut conn, &program, "O-1", later).unwrap(),
        cancelled
    );
    assert_eq!(snapshot(&conn), before);
    // A cancelled order is not returned.
    let refund = loyalty::order::Refund::new("R-1", "O-1", later)
        .unwrap()
        .line("1", 1)
        .unwrap();
    assert!(matches!(
        host::return_order(&mut conn, &program, &refund),
        Err(host::HostError::Cancelled { .. })
    ));
    // The use is free again.
    assert!(buy(&mut conn, "O-3").coupons[0].is_accepted());
    assert_eq!((uses(&conn), spent(&conn)), (1, 1000));
    // A store that lost count (set to 0 uses and 3.00 spent by hand) is
    // never taken below zero by O-3's cancellation.
    conn.execute_batch(
        "UPDATE coupon_usage SET overall = 0;
         UPDATE coupon_usage_by_customer SET uses = 0;
         UPDATE budget_spent SET spent = 300;",
    )
    .unwrap();
    host::cancel_order(&mut conn, &program, "O-3", later).unwrap();
    assert_eq!((uses(&conn), spent(&conn)), (0, 0));
    assert_eq!(
        count(&conn, "SELECT min(uses) FROM coupon_usage_by_customer"),
        0
    );
}

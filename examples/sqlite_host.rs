//! A shop that stores its program's effects in SQLite: coupon uses counted
//! with a compare-and-set, points spent only from the balance the
//! evaluation saw, ledger entries stored once by their idempotency key, all
//! in one transaction per checkout (`sqlite_host/host.rs` holds the SQL).
//!
//! Three checkouts enter a coupon limited to two uses (the third is refused
//! by the limit), an opening offer runs out of its budget, a later order
//! pays with points, and part of it comes back. Then an order is cancelled:
//! its coupon use and what it spent of the budget come back, and the next
//! order gets both. The example prints the rows it stored.
//!
//! Run with `cargo run --example sqlite_host`.

#[path = "sqlite_host/host.rs"]
mod host;

use loyalty::evaluate::Checkout;
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order, Refund};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::rules::redemption::{Ask, Redeem};
use rusqlite::Connection;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A point per 1.00 paid, pending for 14 days; WELCOME takes 10% off,
/// twice in all and once per customer; OPENING takes 5.00 off orders above
/// 50.00 until it gave 10.00 in all; 100 points pay 1.00, from 500, in
/// steps of 100, up to half the order.
const PROGRAM: &str = r#"{
    "id": "beans",
    "currency": "EUR",
    "time_zone": "Europe/Lisbon",
    "coupons": [{"id": "welcome", "codes": ["WELCOME"], "usage_limit": 2,
                 "per_customer_limit": 1,
                 "reward": {"type": "percent_off", "percent": "10"}}],
    "promotions": [{"id": "opening", "min_subtotal": {"above": "50.00"}, "budget": "10.00",
                    "reward": {"type": "amount_off", "amount": "5.00"}}],
    "earning": [{"id": "points", "points": "1", "per": "1.00"}],
    "ledger": {"return_window_days": 14},
    "redemption": {
        "points": {"rate": {"points": 100, "value": "1.00"}, "minimum": 500, "step": 100,
                   "max_share_percent": 50}
    }
}"#;

/// Order `id` of `customer` at `at`: lines of (sku, units, unit price),
/// with the codes entered.
fn order(
    id: &str,
    customer: &str,
    at: &str,
    lines: &[(&str, u32, &str)],
    codes: &[&str],
) -> Result<Order> {
    let mut order = Order::builder(id, customer, at.parse()?, Currency::EUR);
    for (n, (sku, units, price)) in lines.iter().enumerate() {
        let price = Money::parse(price, Currency::EUR)?;
        order = order.line(Line::new((n + 1).to_string(), *sku, *units, price));
    }
    for code in codes {
        order = order.coupon(*code);
    }
    Ok(order.build()?)
}

/// Stores the checkout of `order` paying with `redeem`, and says what the
/// evaluation gave.
fn buy(conn: &mut Connection, program: &Program, order: Order, redeem: Redeem) -> Result<()> {
    let at = order.placed_at();
    let checkout = Checkout::for_order(order, at).with_redemption(redeem, Default::default());
    let stored = host::checkout(conn, program, &checkout)?;
    let e = &stored.evaluation;
    print!("{} by {}: pays {}", e.order, e.customer, e.payable());
    for verdict in &e.coupons {
        print!("; {}: {}", verdict.code, verdict.message());
    }
    for r in &e.redemptions {
        match &r.refused {
            None => print!("; {} points pay {}", r.points, r.amount),
            Some(why) => print!("; points refused: {why}"),
        }
    }
    print!("; earns {} points", e.points.total);
    if stored.already {
        println!(" (stored before: nothing stored)");
    } else {
        println!(" (stored at attempt {})", stored.attempts);
    }
    Ok(())
}

/// Prints every row of `table`, its columns joined by " | ".
fn dump(conn: &Connection, table: &str, columns: &str) -> Result<()> {
    println!("\n{table}:");
    let sql = format!("SELECT {columns} FROM {table} ORDER BY 1, 2");
    let mut statement = conn.prepare(&sql)?;
    let width = statement.column_count();
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let cells: Vec<String> = (0..width)
            .map(|i| match row.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Integer(n)) => n.to_string(),
                Ok(value) => value.as_str().unwrap_or("?").to_owned(),
                Err(_) => "?".to_owned(),
            })
            .collect();
        println!("  {}", cells.join(" | "));
    }
    Ok(())
}

fn main() -> Result<()> {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM)?)?;
    let path = std::env::temp_dir().join(format!("loyalty-example-{}.db", std::process::id()));
    let mut conn = host::open(&path)?;
    host::save_program(&conn, &program)?;
    println!("{program}\ndatabase {}\n", path.display());

    let none = Redeem::default;
    let beans = ("BEANS-1KG", 2, "30.00");
    let machine = ("ESPRESSO-MACHINE", 1, "540.00");
    let a1 = order(
        "A-1",
        "C-1",
        "2026-03-02T10:00:00Z",
        &[machine, beans],
        &["WELCOME"],
    )?;
    buy(&mut conn, &program, a1, none())?;
    let a2 = order("A-2", "C-2", "2026-03-02T11:00:00Z", &[beans], &["welcome"])?;
    buy(&mut conn, &program, a2, none())?;
    // The third use: refused by the limit, the order placed without it;
    // the opening offer gave its 10.00 (5.00 on A-1 and on A-2): none left.
    let a3 = order("A-3", "C-3", "2026-03-02T12:00:00Z", &[beans], &["WELCOME"])?;
    buy(&mut conn, &program, a3, none())?;
    // C-1 again, once A-1's points are available: 500 points pay 5.00.
    let kettle = ("KETTLE", 1, "75.00");
    let mugs = ("MUG", 5, "10.00");
    let a4 = order("A-4", "C-1", "2026-03-20T10:00:00Z", &[kettle, mugs], &[])?;
    buy(
        &mut conn,
        &program,
        a4,
        Redeem::points(Ask::Exactly(500.into())),
    )?;
    // Storing the same checkout again stores nothing.
    let again = order("A-4", "C-1", "2026-03-20T10:00:00Z", &[kettle, mugs], &[])?;
    buy(
        &mut conn,
        &program,
        again,
        Redeem::points(Ask::Exactly(500.into())),
    )?;

    // Two of the five mugs come back.
    let refund = Refund::new("R-1", "A-4", "2026-03-25T09:00:00Z".parse()?)?.line("2", 2)?;
    let back = host::return_order(&mut conn, &program, &refund)?;
    println!(
        "return {} of A-4: {} EUR back, {} points given back, {} points taken back",
        back.refund, back.money, back.points_restored, back.points_reversed
    );
    let c1 = "C-1".parse()?;
    let balance = host::ledger(&conn, &program, &c1)?.balance_at(refund.at())?;
    println!("C-1: {balance}");

    // A-2 is called off before it ships: its WELCOME use and the 5.00 it
    // spent of the opening budget come back, and its points go.
    let cancelled =
        host::cancel_order(&mut conn, &program, "A-2", "2026-03-26T09:00:00Z".parse()?)?;
    println!("cancel A-2: {} effects stored", cancelled.effects.len());
    // So C-3's next order gets both.
    let a5 = order("A-5", "C-3", "2026-03-27T10:00:00Z", &[beans], &["WELCOME"])?;
    buy(&mut conn, &program, a5, none())?;

    dump(&conn, "coupon_usage", "program, counter, overall")?;
    dump(
        &conn,
        "coupon_usage_by_customer",
        "program, counter, customer, uses",
    )?;
    dump(&conn, "coupon_events", "key, counter, customer, delta")?;
    dump(&conn, "budget_spent", "program, promotion, spent")?;
    dump(&conn, "budget_events", "key, promotion, amount")?;
    dump(&conn, "cancellations", "program, order_id")?;
    dump(
        &conn,
        "ledger_entries",
        "key, customer, json_extract(entry, '$.entry'), json_extract(entry, '$.points')",
    )?;
    dump(
        &conn,
        "orders",
        "id, customer, json_extract(evaluation, '$.totals.payable'), attempts",
    )?;
    dump(
        &conn,
        "returns",
        "order_id, refund, json_extract(outcome, '$.money')",
    )?;
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}

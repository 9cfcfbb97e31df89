//! One customer's wallet over a year, as a host would keep it: orders that
//! earn points and cashback (pending for the 30-day return window, then
//! available), a checkout paid partly with points, a partial return of that
//! order, a later order paid partly with cashback, and the expirations due
//! at the end of the year.
//!
//! The host stores each effect as a ledger entry ([`Entry::from_evaluation`],
//! [`Entry::from_return`]) and rebuilds the ledger from all its entries
//! whenever it needs a balance. After each event the example prints the
//! statement line ([`Balance`]'s `Display`) and the figures that changed.
//!
//! Run with `cargo run --example wallet`.

use chrono::{DateTime, Utc};
use loyalty::Decimal;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::Evaluation;
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order, Refund};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::rules::redemption::{Ask, Redeem};
use loyalty::wallet::{Account, Balance, Entry, Ledger};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A point per 1.00 paid and 2% cashback, both pending for 30 days; points
/// expire 12 months after they become available, at the end of that month;
/// cashback at the end of the next calendar year. 100 points pay 1.00 (at
/// least 500, in steps of 100, up to half the order); cashback pays from
/// 5.00.
const PROGRAM: &str = r#"{
    "id": "beans",
    "currency": "EUR",
    "time_zone": "Europe/Lisbon",
    "earning": [{"id": "points", "points": "1", "per": "1.00"}],
    "cashback": [{"id": "cashback", "percent": "2"}],
    "ledger": {"return_window_days": 30, "points_expiry": {"after_months": 12},
               "cashback_expiry": {"end_of_year": 1}, "expiry_rounding": "end_of_month"},
    "redemption": {
        "points": {"rate": {"points": 100, "value": "1.00"}, "minimum": 500, "step": 100,
                   "max_share_percent": 50},
        "cashback": {"minimum": "5.00"}
    },
    "returns": {"spent_points": "deduct_from_refund"}
}"#;

/// What the host keeps for the customer: the entries it stored, and the
/// balance it last showed.
struct Wallet<'p> {
    program: &'p Program,
    entries: Vec<Entry>,
    shown: Balance,
}

impl<'p> Wallet<'p> {
    /// A customer with nothing stored yet, as of `from`.
    fn new(program: &'p Program, from: DateTime<Utc>) -> Result<Wallet<'p>> {
        let shown = Ledger::from_entries([])?.balance_at(from)?;
        let entries = Vec::new();
        Ok(Wallet {
            program,
            entries,
            shown,
        })
    }

    /// The ledger, rebuilt from every stored entry.
    fn ledger(&self) -> Result<Ledger> {
        Ok(Ledger::builder()
            .terms(self.program)
            .build(self.entries.clone())?)
    }

    /// Stores `entries`, as the host would in its database.
    fn store(&mut self, entries: Vec<Entry>) {
        for entry in &entries {
            let (kind, amount, key) = (entry.kind().name(), entry.amount(), entry.key());
            println!("  stored: {kind} {amount}  ({key})");
        }
        self.entries.extend(entries);
    }

    /// Prints the statement line at `at` and what changed since the last.
    fn statement(&mut self, at: DateTime<Utc>) -> Result<()> {
        let balance = self.ledger()?.balance_at(at)?;
        println!("  > {balance}");
        let points = changes(&self.shown.points, &balance.points, |v| {
            v.normalize().to_string()
        });
        let cashback = changes(&self.shown.cashback, &balance.cashback, |v| {
            format!("{v:.2}")
        });
        for (name, changed) in [("points", points), ("cashback", cashback)] {
            if !changed.is_empty() {
                println!("    {name:<8} {changed}");
            }
        }
        self.shown = balance;
        Ok(())
    }

    /// Evaluates `order`, paying with `redeem` out of what the ledger says
    /// is available, and stores its effects.
    fn checkout(&mut self, order: Order, redeem: Redeem) -> Result<(Checkout, Evaluation)> {
        let at = order.placed_at();
        let now = self.ledger()?.balance_at(at)?;
        let available = now.available();
        let checkout = Checkout::for_order(order, at).with_redemption(redeem, available);
        let evaluation = self.program.evaluate(&checkout)?;
        let t = &evaluation.totals;
        let (order, subtotal) = (&evaluation.order, t.subtotal);
        print!("{}  order {order}: {subtotal} EUR", local(self.program, at));
        for r in evaluation.redemptions.iter().filter(|r| r.is_applied()) {
            print!(", {} paid with {}", r.amount, r.kind.as_str());
        }
        println!(", pays {}", t.payable);
        if let Some(ready) = evaluation.points.available_at {
            println!(
                "  earns {} points and {} EUR cashback, pending until {}",
                evaluation.points.total,
                evaluation.cashback.total,
                local(self.program, ready)
            );
        }
        self.store(Entry::from_evaluation(&evaluation)?);
        self.statement(at)?;
        Ok((checkout, evaluation))
    }

    /// The balance when the return window of `evaluation`'s order closes.
    fn window_closes(&mut self, evaluation: &Evaluation) -> Result<()> {
        let at = evaluation.points.available_at.ok_or("nothing earned")?;
        let order = &evaluation.order;
        println!(
            "{}  {order}'s return window closes",
            local(self.program, at)
        );
        self.statement(at)
    }
}

/// The figures of `now` that differ from `before`: `available 0 → 600`.
fn changes(before: &Account, now: &Account, show: impl Fn(Decimal) -> String) -> String {
    let figures = [
        ("available", before.available, now.available),
        ("pending", before.pending, now.pending),
        ("earned", before.earned, now.earned),
        ("redeemed", before.redeemed, now.redeemed),
        ("restored", before.restored, now.restored),
        ("reversed", before.reversed, now.reversed),
        ("expired", before.expired, now.expired),
        ("adjusted", before.adjusted, now.adjusted),
    ];
    let changed: Vec<String> = figures
        .iter()
        .filter(|(_, b, n)| b != n)
        .map(|(name, b, n)| format!("{name} {} → {}", show(*b), show(*n)))
        .collect();
    changed.join(", ")
}

/// An instant as the shop's local date and time.
fn local(program: &Program, at: DateTime<Utc>) -> String {
    let local = program.calendar().zone().to_local(at);
    local.format("%Y-%m-%d %H:%M").to_string()
}

/// Order `id` of customer C-1 at `at`: lines of (sku, units, unit price).
fn order(id: &str, at: &str, lines: &[(&str, u32, &str)]) -> Result<Order> {
    let mut order = Order::builder(id, "C-1", at.parse()?, Currency::EUR);
    for (n, (sku, units, price)) in lines.iter().enumerate() {
        let price = Money::parse(price, Currency::EUR)?;
        order = order.line(Line::new((n + 1).to_string(), *sku, *units, price));
    }
    Ok(order.build()?)
}

fn main() -> Result<()> {
    let program = Program::new(serde_json::from_str::<ProgramDefinition>(PROGRAM)?)?;
    let mut wallet = Wallet::new(&program, "2025-11-01T00:00:00Z".parse()?)?;
    println!("{program}\ncustomer C-1, times in Lisbon\n");

    // Black Friday 2025: 600.00 earns 600 points and 12.00 cashback.
    let a1 = order(
        "A-1",
        "2025-11-28T10:00:00Z",
        &[("ESPRESSO-MACHINE", 1, "540.00"), ("BEANS-1KG", 2, "30.00")],
    )?;
    let (_, e1) = wallet.checkout(a1, Redeem::default())?;
    wallet.window_closes(&e1)?;

    // In March, 129.00 more; its window closes across the change to summer
    // time, at the same local hour.
    let a2 = order(
        "A-2",
        "2026-03-14T11:30:00Z",
        &[("BEANS-1KG", 4, "30.00"), ("FILTERS", 2, "4.50")],
    )?;
    let (_, e2) = wallet.checkout(a2, Redeem::default())?;
    wallet.window_closes(&e2)?;

    // 500 points pay 5.00 of 125.00, spread over the lines (3.00 and
    // 2.00); the order earns on the 120.00 left.
    let a3 = order(
        "A-3",
        "2026-06-20T15:00:00Z",
        &[("KETTLE", 1, "75.00"), ("MUG", 5, "10.00")],
    )?;
    let (c3, e3) = wallet.checkout(a3, Redeem::points(Ask::Exactly(500.into())))?;

    // Two of the five mugs come back: 2 × 9.60 in money, 2 × 40 points
    // they were paid with, and what they earned is taken back.
    let at = "2026-06-27T09:00:00Z".parse()?;
    let now = wallet.ledger()?.balance_at(at)?;
    let refund = Refund::new("R-1", "A-3", at)?
        .line("2", 2)?
        .points_held(now.points.held());
    let back = program.evaluate_return(&c3, &e3, &[], &refund)?;
    let (money, given, taken) = (back.money, back.points_restored, back.points_reversed);
    let (day, refund, cashback) = (local(&program, at), &back.refund, back.cashback_reversed);
    println!(
        "{day}  return {refund} of 2 MUG of A-3: {money} EUR back, {given} points given back; {taken} points and {cashback} EUR cashback taken back"
    );
    wallet.store(Entry::from_return(&back)?);
    wallet.statement(at)?;
    wallet.window_closes(&e3)?;

    // A later order, 10.00 of it paid with cashback (the soonest-expiring
    // first: A-1's).
    let a4 = order("A-4", "2026-10-03T10:00:00Z", &[("BEANS-1KG", 3, "30.00")])?;
    let (_, e4) = wallet.checkout(a4, Redeem::cashback(Ask::Exactly("10.00".parse()?)))?;
    wallet.window_closes(&e4)?;

    // New Year's midnight: what is left of A-1's lots has expired. The host
    // stores the expired entries; the balance is the same with or without.
    let year_end = "2027-01-01T00:00:00Z".parse()?;
    println!("{}  year end", local(&program, year_end));
    let due = wallet.ledger()?.due_expirations(year_end)?;
    wallet.store(due);
    wallet.statement(year_end)?;
    assert!(wallet.ledger()?.due_expirations(year_end)?.is_empty());
    // Worked by hand: 129 + 101 + 80 points, 2.58 + 2.02 + 1.60 cashback.
    let end = (
        wallet.shown.points.available,
        wallet.shown.cashback.available,
    );
    assert_eq!(end, (310.into(), "6.20".parse()?));
    Ok(())
}

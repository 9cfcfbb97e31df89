//! Benchmarks of the wallet: a customer's ledger rebuilt from its entries,
//! paying with points at checkout, and a return; each with the heap
//! allocations of one run.
//!
//! | criterion id | one iteration |
//! | --- | --- |
//! | `ledger/rebuild_and_balance_100000` | `Ledger::builder().terms(&program).build(entries)` of 100 000 entries of one customer over five years (see [`ledger_entries`]), then `balance_at` an instant after the last; the entries are cloned before the timing, the ledger dropped within it |
//! | `ledger/balance_100000` | `balance_at` the same instant on the ledger already built |
//! | `ledger/due_expirations_100000` | `due_expirations` at that instant on the ledger already built: what expired after the expirations stored |
//! | `ledger/redeem_100000` | a redemption as a host applies one: the ledger built from the 100 000 entries and one more redeemed entry (1 000 points at that instant), then its balance |
//! | `redemption/evaluate_10_lines` | [`PROGRAM`] (the seeds' ladder, a point per 1.00, 2% cashback, points paying at 100 = 1.00 from 500 in steps of 100 up to half the payable amount, a ledger policy) on a 10-line order paying with `{"points": "all"}` of 12 345 available; with the trace |
//! | `redemption/evaluate_10_lines_without_redemption` | the same order without the redemption |
//! | `returns/3_of_10_lines` | `evaluate_return` of 3 of the 10 lines of `redemption/evaluate_10_lines` (one wholly, two in part), after one earlier return of 2 other units |
//!
//! Before criterion runs, a report prints, for every benchmark, the heap
//! requests (allocations, reallocations, bytes) of one warm run, counted by
//! the global allocator in `support/counting.rs` (for a rebuild, not those
//! of cloning the entries), the time of one call, and what the run came
//! to; first, what the 100 000 entries are and how long they took to make.
//!
//! # Running
//!
//! - `cargo bench --bench wallet`: the report, then criterion (20 samples,
//!   1 s warm-up, 3 s measurement per benchmark). Arguments after `--` go
//!   to criterion (e.g. a filter such as `redemption`); the report runs in
//!   full whatever the filter.
//! - `LOYALTY_BENCH_QUICK=1 cargo bench --bench wallet`: the same with 10
//!   samples, 0.3 s warm-up and 1 s measurement.
//! - `LOYALTY_BENCH_CASE=returns/3_of_10_lines LOYALTY_BENCH_RUNS=1001
//!   <binary>`: neither report nor criterion: builds the fixtures of one
//!   benchmark (its id as in the table), runs it that many times, then
//!   prints the allocations of one more run. For `valgrind
//!   --tool=callgrind`: the instructions of N + 1 runs less those of 1
//!   run, divided by N, are those of one run without the setup. A rebuild
//!   (`ledger/rebuild_and_balance_100000`, `ledger/redeem_100000`) clones
//!   its entries in every run: subtract the case `ledger/clone_100000`,
//!   which only clones them (and drops the clone). `<binary>` is the one
//!   `cargo bench --bench wallet --no-run` names.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/settings.rs"]
mod settings;

use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, SamplingMode};
use loyalty::customer::CustomerId;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::Evaluation;
use loyalty::money::{Currency, Money};
use loyalty::order::{LineId, OrderId, Refund};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::wallet::{Amount, Balance, Entry, Ledger, LineAmount, ReturnOutcome, WalletError};
use rust_decimal::Decimal;

use counting::{Allocations, count};

/// How many entries the ledger benchmarks rebuild.
const ENTRIES: usize = 100_000;

/// The program: the seeds' ladder, a point per 1.00 of net, 2% cashback
/// capped at 20.00, points paying at 100 = 1.00 (at least 500, in steps of
/// 100, up to half the payable amount), and a ledger policy: 30 days
/// pending, points expiring after 24 months, cashback at the end of the
/// next calendar year, both rounded to the end of the local month.
const PROGRAM: &str = r#"{
    "id": "wallet",
    "name": "Wallet benchmarks",
    "currency": "EUR",
    "time_zone": "Europe/Berlin",
    "ladders": [{
        "id": "spend-more-save-more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }],
    "earning": [{"id": "base-points", "points": "1", "per": "1.00"}],
    "cashback": [{"id": "cashback", "percent": "2", "cap": "20.00"}],
    "redemption": {
        "points": {"rate": {"points": 100, "value": "1.00"}, "minimum": 500, "step": 100,
                   "max_share_percent": 50}
    },
    "ledger": {
        "return_window_days": 30,
        "points_expiry": {"after_months": 24},
        "cashback_expiry": {"end_of_year": 1},
        "expiry_rounding": "end_of_month"
    }
}"#;

/// [`PROGRAM`], compiled.
fn program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(PROGRAM).expect("the wallet program parses");
    Program::new(definition).expect("the wallet program compiles")
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

fn points(value: i64) -> Amount {
    Amount::points(value)
}

fn euros(cents: i64) -> Amount {
    Amount::cashback(Money::new(Decimal::new(cents, 2), Currency::EUR))
}

fn line(id: &str, amount: Decimal) -> LineAmount {
    LineAmount::new(LineId::new(id).expect("a line id"), amount)
}

// --- The ledger -------------------------------------------------------------

/// The first order of the ledger's customer.
const FIRST_ORDER: &str = "2022-01-03T09:00:00Z";

/// How many orders the ledger's entries are of: with what they bring (see
/// [`ledger_entries`]), a little over [`ENTRIES`].
const ORDERS: usize = 48_500;

/// The instant up to which the host has stored the expired entries.
const EXPIRIES_STORED_UNTIL: &str = "2026-10-01T00:00:00Z";

/// The instant of the balances, and of the redemption of
/// `ledger/redeem_100000`: after the last entry.
const NOW: &str = "2027-01-15T12:00:00Z";

/// The points of the redemption of `ledger/redeem_100000`.
const REDEEMED_NOW: i64 = 1_000;

fn customer() -> CustomerId {
    CustomerId::new("C-1").expect("a customer id")
}

/// The entries of orders `A-000000` … of one customer, an order every 53
/// minutes from 3 January 2022 to November 2026, dated by the program's
/// ledger policy (30 days pending; points expiring 24 months later,
/// cashback at the end of the next year, both at the end of a local
/// month), keyed as the program's effects are:
///
/// - every order: a points lot of 20 to 179 points, three lines of it
///   attributed;
/// - every second order: a cashback lot of 0.50 to 3.49 EUR, two lines;
/// - every tenth, from the 180th day: a redemption of 500 to 900 points;
///   every fortieth a week later, a restoration of half of it;
/// - every tenth, a week later: a reversal of a fifth of its points lot
///   (one line); every twentieth, of 0.10 EUR of its cashback lot;
/// - every fiftieth: a credit of 50 points expiring a year later, every
///   250th a debit of 30 points an hour later, every 500th a credit of
///   5.00 EUR cashback;
/// - the expired entries of what expired by [`EXPIRIES_STORED_UNTIL`], as
///   `due_expirations` writes them, as many as make [`ENTRIES`] in all.
///
/// Returned in the order of time (a ledger takes them in any).
fn ledger_entries(program: &Program) -> Vec<Entry> {
    let policy = program.ledger();
    let zone = program.calendar().zone();
    let first = instant(FIRST_ORDER);
    let spacing = TimeDelta::minutes(53);
    let week = TimeDelta::days(7);
    let mut entries = Vec::with_capacity(ENTRIES + 1);
    for n in 0..ORDERS {
        let at = first + spacing * i32::try_from(n).expect("few orders");
        let order = format!("A-{n:06}");
        let order_id = OrderId::new(order.as_str()).expect("an order id");
        let key = |what: &str| format!("wallet/{order}/{what}");
        let k = i64::try_from(n).expect("few orders");
        // Points: 20 to 179, half, a quarter and an eighth on three lines.
        let earned = 20 + (k * 37) % 160;
        let (available_at, expires_at) = policy.points_dates(at, zone).expect("dates");
        entries.push(
            Entry::earned(
                key("points"),
                customer(),
                order_id.clone(),
                points(earned),
                at,
                available_at,
                expires_at,
            )
            .and_then(|e| {
                e.with_lines([
                    line("1", Decimal::from(earned / 2)),
                    line("2", Decimal::from(earned / 4)),
                    line("3", Decimal::from(earned / 8)),
                ])
            })
            .expect("a points lot"),
        );
        if n % 2 == 0 {
            let cents = 50 + (k * 13) % 300;
            let (available_at, expires_at) = policy.cashback_dates(at, zone).expect("dates");
            entries.push(
                Entry::earned(
                    key("cashback"),
                    customer(),
                    order_id.clone(),
                    euros(cents),
                    at,
                    available_at,
                    expires_at,
                )
                .and_then(|e| {
                    e.with_lines([
                        line("1", Decimal::new(cents / 2, 2)),
                        line("2", Decimal::new(cents / 3, 2)),
                    ])
                })
                .expect("a cashback lot"),
            );
        }
        if n % 10 == 1 && at - first >= TimeDelta::days(180) {
            let spent = 500 + 100 * ((k / 10) % 5);
            entries.push(
                Entry::redeemed(
                    key("redeem:points"),
                    customer(),
                    order_id.clone(),
                    points(spent),
                    at,
                )
                .expect("a redemption"),
            );
            if n % 40 == 1 {
                entries.push(
                    Entry::restored(
                        key(&format!("return:R-{n:06}/redeemed-points")),
                        customer(),
                        key("redeem:points"),
                        points(spent / 2),
                        at + week,
                    )
                    .expect("a restoration"),
                );
            }
        }
        if n % 10 == 3 {
            let back = earned / 5;
            entries.push(
                Entry::reversed(
                    key(&format!("return:R-{n:06}/points")),
                    customer(),
                    key("points"),
                    points(back),
                    at + week,
                )
                .and_then(|e| e.with_lines([line("1", Decimal::from(back))]))
                .expect("a reversal"),
            );
        }
        if n % 20 == 4 {
            entries.push(
                Entry::reversed(
                    key(&format!("return:R-{n:06}/cashback")),
                    customer(),
                    key("cashback"),
                    euros(10),
                    at + week,
                )
                .expect("a reversal"),
            );
        }
        if n % 50 == 25 {
            entries.push(
                Entry::adjusted(
                    format!("wallet/adjust/{n:06}"),
                    customer(),
                    points(50),
                    "goodwill",
                    at,
                )
                .and_then(|e| e.with_expiry(at + TimeDelta::days(365)))
                .expect("a credit"),
            );
        }
        if n % 250 == 125 {
            entries.push(
                Entry::adjusted(
                    format!("wallet/adjust/{n:06}/debit"),
                    customer(),
                    points(-30),
                    "correction",
                    at + TimeDelta::hours(1),
                )
                .expect("a debit"),
            );
        }
        if n % 500 == 0 {
            entries.push(
                Entry::adjusted(
                    format!("wallet/adjust/{n:06}/cashback"),
                    customer(),
                    euros(500),
                    "apology",
                    at,
                )
                .expect("a credit"),
            );
        }
    }
    assert!(
        entries.len() < ENTRIES,
        "{} entries before the expirations: fewer orders",
        entries.len()
    );
    let stored = Ledger::builder()
        .terms(program)
        .build(entries.clone())
        .expect("the entries make a ledger");
    let due = stored
        .due_expirations(instant(EXPIRIES_STORED_UNTIL))
        .expect("the expirations");
    let wanted = ENTRIES - entries.len();
    assert!(
        due.len() >= wanted,
        "{} expirations for {wanted} entries: more orders",
        due.len()
    );
    entries.extend(due.into_iter().take(wanted));
    entries.sort_by_key(Entry::at);
    entries
}

/// How many entries of each kind.
fn kinds(entries: &[Entry]) -> String {
    let names = [
        "earned", "redeemed", "expired", "reversed", "adjusted", "restored",
    ];
    let mut counts = [0usize; 6];
    for entry in entries {
        let name = entry.kind().name();
        if let Some(i) = names.iter().position(|n| *n == name) {
            counts[i] += 1;
        }
    }
    let parts: Vec<String> = names
        .iter()
        .zip(counts)
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    parts.join(", ")
}

/// The ledger benchmarks' data: the entries, the ledger built from them,
/// and the redemption a host would append.
struct LedgerFixture {
    program: Program,
    entries: Vec<Entry>,
    ledger: Ledger,
    redemption: Entry,
    now: DateTime<Utc>,
}

impl LedgerFixture {
    fn new() -> LedgerFixture {
        let program = program();
        let entries = ledger_entries(&program);
        let ledger = Ledger::builder()
            .terms(&program)
            .build(entries.clone())
            .expect("the entries make a ledger");
        let now = instant(NOW);
        let redemption = Entry::redeemed(
            "wallet/A-NOW/redeem:points",
            customer(),
            OrderId::new("A-NOW").expect("an order id"),
            points(REDEEMED_NOW),
            now,
        )
        .expect("a redemption");
        LedgerFixture {
            program,
            entries,
            ledger,
            redemption,
            now,
        }
    }

    /// The entries, cloned, with room for one more.
    fn entries(&self) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(self.entries.len() + 1);
        entries.extend_from_slice(&self.entries);
        entries
    }

    /// The entries and the redemption, cloned.
    fn entries_and_redemption(&self) -> Vec<Entry> {
        let mut entries = self.entries();
        entries.push(self.redemption.clone());
        entries
    }

    /// The ledger of `entries` and its balance now.
    fn rebuild_and_balance(&self, entries: Vec<Entry>) -> Result<Balance, WalletError> {
        let ledger = Ledger::builder()
            .terms(&self.program)
            .build(black_box(entries))?;
        ledger.balance_at(self.now)
    }
}

// --- The order ----------------------------------------------------------------

const CATEGORIES: [&str; 3] = ["tea", "coffee", "accessories"];

/// The instant of the order.
const ORDERED_AT: &str = "2026-11-20T10:00:00Z";

/// The 10-line order `W-10` of customer `C-1` (the lines of the evaluate
/// benchmarks' `order_lines/10`: quantities 1 to 3, 598.10 in all, 15% off
/// by the ladder), 4.90 shipping, paying with `{"points": "all"}` of
/// 12 345 points available when `redeem`.
fn checkout(redeem: bool) -> Checkout {
    let lines: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"id": "{n}", "sku": "SKU-{i}", "categories": ["{category}"],
                    "quantity": {quantity}, "unit_price": "{price}.90 EUR"}}"#,
                n = i + 1,
                category = CATEGORIES[i % CATEGORIES.len()],
                quantity = 1 + i % 3,
                price = 8 + (i * 17) % 50,
            )
        })
        .collect();
    let redemption = if redeem {
        r#", "redeem": {"points": "all"}, "available": {"points": "12345"}"#
    } else {
        ""
    };
    let json = format!(
        r#"{{
            "order": {{"id": "W-10", "customer": "C-1", "placed_at": "{ORDERED_AT}",
                       "currency": "EUR", "shipping": "4.90 EUR", "lines": [{lines}]}},
            "customer": {{"id": "C-1", "stats": {{"orders_before": 12,
                          "lifetime_spend": "1312.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "at": "{ORDERED_AT}"{redemption}
        }}"#,
        lines = lines.join(", "),
    );
    serde_json::from_str(&json).expect("the wallet checkout parses")
}

/// A refund of order `W-10` on 5 December 2026 of `lines` (id, units).
fn refund(id: &str, lines: &[(&str, u32)]) -> Refund {
    let mut refund = Refund::new(id, "W-10", instant("2026-12-05T10:00:00Z")).expect("a refund id");
    for (line, units) in lines {
        refund = refund.line(*line, *units).expect("a refund line");
    }
    refund
}

/// The order benchmarks' data: the checkouts with and without the
/// redemption; the evaluation of the first as stored, an earlier return
/// of it (line 1's unit, one of line 3's three) and the refund of
/// `returns/3_of_10_lines` (one more of line 3, both of line 5, one of
/// line 9's three).
struct OrderFixture {
    program: Program,
    paying: Checkout,
    not_paying: Checkout,
    evaluation: Evaluation,
    earlier: Vec<ReturnOutcome>,
    refund: Refund,
}

impl OrderFixture {
    fn new() -> OrderFixture {
        let program = program();
        let paying = checkout(true);
        let evaluation = program.evaluate(&paying).expect("the order evaluates");
        assert!(
            evaluation.redemptions.iter().all(|r| r.is_applied()),
            "the points pay"
        );
        let first = program
            .evaluate_return(
                &paying,
                &evaluation,
                &[],
                &refund("R-1", &[("1", 1), ("3", 1)]),
            )
            .expect("the first return is worked out");
        OrderFixture {
            program,
            paying,
            not_paying: checkout(false),
            evaluation,
            earlier: vec![first],
            refund: refund("R-2", &[("3", 1), ("5", 2), ("9", 1)]),
        }
    }
}

// --- The benchmarks -----------------------------------------------------------

/// One benchmark, by its criterion id; `CloneEntries` is the baseline of
/// the `LOYALTY_BENCH_CASE` mode only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    RebuildAndBalance,
    Balance,
    DueExpirations,
    Redeem,
    Evaluate,
    EvaluateWithoutRedemption,
    Return,
    CloneEntries,
}

impl Case {
    /// The benchmarks, in the order of the report.
    const ALL: [Case; 7] = [
        Case::RebuildAndBalance,
        Case::Balance,
        Case::DueExpirations,
        Case::Redeem,
        Case::Evaluate,
        Case::EvaluateWithoutRedemption,
        Case::Return,
    ];

    fn group(self) -> &'static str {
        match self {
            Case::RebuildAndBalance
            | Case::Balance
            | Case::DueExpirations
            | Case::Redeem
            | Case::CloneEntries => "ledger",
            Case::Evaluate | Case::EvaluateWithoutRedemption => "redemption",
            Case::Return => "returns",
        }
    }

    /// Its id within its group.
    fn id(self) -> &'static str {
        match self {
            Case::RebuildAndBalance => "rebuild_and_balance_100000",
            Case::Balance => "balance_100000",
            Case::DueExpirations => "due_expirations_100000",
            Case::Redeem => "redeem_100000",
            Case::Evaluate => "evaluate_10_lines",
            Case::EvaluateWithoutRedemption => "evaluate_10_lines_without_redemption",
            Case::Return => "3_of_10_lines",
            Case::CloneEntries => "clone_100000",
        }
    }

    /// `group/id`, as `LOYALTY_BENCH_CASE` takes it.
    fn name(self) -> String {
        format!("{}/{}", self.group(), self.id())
    }

    /// Whether it rebuilds a ledger from entries it is given.
    fn rebuilds(self) -> bool {
        matches!(self, Case::RebuildAndBalance | Case::Redeem)
    }

    /// The entries a rebuild takes, cloned; none for the others.
    fn input(self, fixtures: &Fixtures) -> Vec<Entry> {
        match self {
            Case::RebuildAndBalance | Case::CloneEntries => fixtures.ledger().entries(),
            Case::Redeem => fixtures.ledger().entries_and_redemption(),
            _ => Vec::new(),
        }
    }

    /// Runs it on `input` (from [`Case::input`]).
    fn run(self, fixtures: &Fixtures, input: Vec<Entry>) -> Outcome {
        match self {
            Case::RebuildAndBalance | Case::Redeem => {
                Outcome::Balance(fixtures.ledger().rebuild_and_balance(input))
            }
            Case::Balance => {
                let ledger = fixtures.ledger();
                Outcome::Balance(black_box(&ledger.ledger).balance_at(ledger.now))
            }
            Case::DueExpirations => {
                let ledger = fixtures.ledger();
                Outcome::Due(black_box(&ledger.ledger).due_expirations(ledger.now))
            }
            Case::Evaluate | Case::EvaluateWithoutRedemption => {
                let order = fixtures.order();
                let checkout = if self == Case::Evaluate {
                    &order.paying
                } else {
                    &order.not_paying
                };
                let evaluation = order
                    .program
                    .evaluate(black_box(checkout))
                    .expect("the order evaluates");
                Outcome::Evaluation(evaluation)
            }
            Case::Return => {
                let order = fixtures.order();
                let outcome = order
                    .program
                    .evaluate_return(
                        black_box(&order.paying),
                        &order.evaluation,
                        &order.earlier,
                        &order.refund,
                    )
                    .expect("the return is worked out");
                Outcome::Return(outcome)
            }
            Case::CloneEntries => Outcome::Cloned(input.len()),
        }
    }
}

/// What a run came to, to show that it did the work. Not boxed: a box
/// would be one more allocation in the counts.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Balance(Result<Balance, WalletError>),
    Due(Result<Vec<Entry>, WalletError>),
    Evaluation(Evaluation),
    Return(ReturnOutcome),
    Cloned(usize),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Balance(Ok(balance)) => write!(
                f,
                "{balance}; {} points redeemed",
                balance.points.redeemed.normalize()
            ),
            Outcome::Due(Ok(due)) => {
                let points: Decimal = due
                    .iter()
                    .filter_map(|e| match e.amount() {
                        Amount::Points(p) => Some(p),
                        Amount::Cashback(_) => None,
                    })
                    .sum();
                write!(f, "{} expired entries due, {points} points", due.len())
            }
            Outcome::Balance(Err(error)) | Outcome::Due(Err(error)) => {
                write!(f, "error: {error}")
            }
            Outcome::Evaluation(e) => write!(
                f,
                "subtotal {}, discount {}, payable {}, paid with {} points ({}), {} points and \
                 {} cashback earned, {} trace entries",
                e.totals.subtotal,
                e.totals.discount,
                e.totals.payable,
                e.redemptions
                    .iter()
                    .map(|r| r.points)
                    .sum::<Decimal>()
                    .normalize(),
                e.totals.redeemed,
                e.points.total,
                e.cashback.total,
                e.trace.len(),
            ),
            Outcome::Return(r) => write!(
                f,
                "{} lines, {} back, {} points to reverse, {} restored, {} cashback reversed, \
                 {} effects",
                r.lines.len(),
                r.money,
                r.points_to_reverse,
                r.points_restored,
                r.cashback_reversed,
                r.effects.len(),
            ),
            Outcome::Cloned(n) => write!(f, "{n} entries cloned"),
        }
    }
}

impl Outcome {
    fn is_err(&self) -> bool {
        matches!(self, Outcome::Balance(Err(_)) | Outcome::Due(Err(_)))
    }
}

/// The fixtures, built on first use: the order benchmarks alone (or one
/// of them under `LOYALTY_BENCH_CASE`) do not make 100 000 entries.
#[derive(Default)]
struct Fixtures {
    ledger: std::cell::OnceCell<(LedgerFixture, Duration)>,
    order: std::cell::OnceCell<(OrderFixture, Duration)>,
}

impl Fixtures {
    fn ledger(&self) -> &LedgerFixture {
        &self.ledger.get_or_init(|| timed(LedgerFixture::new)).0
    }

    fn order(&self) -> &OrderFixture {
        &self.order.get_or_init(|| timed(OrderFixture::new)).0
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// Runs `case` once to warm it up, timed, then counts the heap requests
/// of a second run (not of making its input).
fn measure(case: Case, fixtures: &Fixtures) -> (Duration, Allocations, Outcome) {
    let input = case.input(fixtures);
    let (first, elapsed) = timed(|| case.run(fixtures, input));
    assert!(!first.is_err(), "{}: {first}", case.name());
    drop(first);
    let input = case.input(fixtures);
    let (counted, outcome) = count(|| case.run(fixtures, input));
    (elapsed, counted, outcome)
}

fn report(fixtures: &Fixtures) {
    let ledger = fixtures.ledger();
    let built_in = fixtures.ledger.get().map(|(_, d)| *d).unwrap_or_default();
    println!(
        "the ledger: {} entries of {ORDERS} orders, made in {built_in:.3?}: {}",
        ledger.entries.len(),
        kinds(&ledger.entries),
    );
    println!(
        "heap requests of one warm run (reallocations apart; bytes requested), and one call \
         timed:"
    );
    for case in Case::ALL {
        let (elapsed, counted, outcome) = measure(case, fixtures);
        let per_entry = if case.group() == "ledger" {
            let (allocations, reallocations, bytes) = counted.per(ENTRIES);
            format!(
                "\n  {:<52} ({allocations:.2} allocations + {reallocations:.2} reallocations, \
                 {bytes:.0} bytes per entry)",
                ""
            )
        } else {
            String::new()
        };
        println!(
            "  {:<52} {counted}  one call {elapsed:>10.3?}{per_entry}\n  {:<52} ({outcome})",
            case.name(),
            "",
        );
    }
}

fn bench(c: &mut Criterion, fixtures: &Fixtures) {
    for group_name in ["ledger", "redemption", "returns"] {
        let mut group = c.benchmark_group(group_name);
        if group_name == "ledger" {
            // One run takes milliseconds: flat sampling keeps the samples
            // within the measurement time.
            group.sampling_mode(SamplingMode::Flat);
        }
        for case in Case::ALL.into_iter().filter(|c| c.group() == group_name) {
            group.bench_function(case.id(), |b| {
                if case.rebuilds() {
                    b.iter_batched(
                        || case.input(fixtures),
                        |input| case.run(fixtures, input),
                        BatchSize::LargeInput,
                    );
                } else {
                    b.iter(|| case.run(fixtures, Vec::new()));
                }
            });
        }
        group.finish();
    }
}

/// `LOYALTY_BENCH_CASE` mode: runs the named case `LOYALTY_BENCH_RUNS`
/// times, then prints the allocations of one more run.
fn repeat(name: &str) {
    let case = Case::ALL
        .into_iter()
        .chain([Case::CloneEntries])
        .find(|c| c.name() == name)
        .unwrap_or_else(|| {
            let names: Vec<String> = Case::ALL
                .into_iter()
                .chain([Case::CloneEntries])
                .map(Case::name)
                .collect();
            panic!("LOYALTY_BENCH_CASE={name}: not one of {}", names.join(", "))
        });
    let runs = settings::runs();
    let fixtures = Fixtures::default();
    for _ in 0..runs {
        let input = case.input(&fixtures);
        drop(black_box(case.run(&fixtures, input)));
    }
    let input = case.input(&fixtures);
    let (counted, outcome) = count(|| case.run(&fixtures, input));
    println!("{name}: {runs} run(s); one run: {counted}\n({outcome})");
}

fn main() {
    settings::main_with(Fixtures::default, repeat, report, bench);
}

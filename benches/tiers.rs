//! Benchmarks of VIP tiers: a customer's tier status worked out from their
//! history, and the outlook of an order beside its evaluation; each with
//! the heap allocations of one run.
//!
//! | criterion id | one iteration |
//! | --- | --- |
//! | `tiers/status_1000_orders` | `Program::tier_status` of [`PROGRAM`] (bronze, silver from 300.00, gold from 1000.00 and 5 orders; calendar year, one level down, 30 grace days) over the history of [`history`]: 1 000 orders over three years, 100 of them partly returned and 20 wholly (1 120 events), at an instant after the last |
//! | `tiers/outlook_10_lines` | `Program::evaluate` of a 10-line order (the wallet benchmarks' `W-10`: 598.10, 15% off by the ladder), then `Program::tier_outlook` of it with the same 1 000-order history |
//! | `tiers/evaluate_10_lines` | the same evaluation alone, for comparison |
//! | `tiers/status_4000_orders`, `tiers/status_16000_orders` | (report and `LOYALTY_BENCH_CASE` only) `tier_status` over 4 000 and 16 000 orders in the same three years, returned in the same proportions: how the cost grows with the history |
//!
//! Before criterion runs, a report prints, for every benchmark, the heap
//! requests (allocations, reallocations, bytes) of one warm run, counted by
//! the global allocator in `support/counting.rs`, the time of one call,
//! and what the run came to; then the time of `tier_status` over 1 000,
//! 4 000 and 16 000 orders, and how it grows.
//!
//! # Running
//!
//! - `cargo bench --bench tiers`: the report, then criterion (20 samples,
//!   1 s warm-up, 3 s measurement per benchmark). Arguments after `--` go
//!   to criterion (e.g. a filter such as `status`); the report runs in
//!   full whatever the filter.
//! - `LOYALTY_BENCH_QUICK=1 cargo bench --bench tiers`: the same with 10
//!   samples, 0.3 s warm-up and 1 s measurement.
//! - `LOYALTY_BENCH_CASE=tiers/outlook_10_lines LOYALTY_BENCH_RUNS=1001
//!   <binary>`: neither report nor criterion: builds the fixtures of one
//!   benchmark (its id as in the table), runs it that many times, then
//!   prints the allocations of one more run. For `valgrind
//!   --tool=callgrind`: the instructions of N + 1 runs less those of 1
//!   run, divided by N, are those of one run without the setup. `<binary>`
//!   is the one `cargo bench --bench tiers --no-run` names.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/settings.rs"]
mod settings;

use std::cell::OnceCell;
use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use criterion::Criterion;
use loyalty::evaluate::Checkout;
use loyalty::evaluation::Evaluation;
use loyalty::money::Currency;
use loyalty::order::OrderId;
use loyalty::program::{Program, ProgramDefinition};
use loyalty::tiers::{TierEvent, TierOutlook, TierStatus};
use rust_decimal::Decimal;

use counting::{Allocations, count};

/// The program of the `tiers` example: the seeds' ladder, a point per 1.00
/// paid, and three tiers over the calendar year in Lisbon.
const PROGRAM: &str = include_str!("../examples/data/tiers_program.json");

/// [`PROGRAM`], compiled.
fn program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(PROGRAM).expect("the tiers program parses");
    Program::new(definition).expect("the tiers program compiles")
}

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

/// The first order of every history.
const FIRST_ORDER: &str = "2024-01-01T09:00:00Z";

/// The days the orders of a history are spread over: 2024 to 2026.
const DAYS: i64 = 1_096;

/// The instant of the statuses and of the 10-line order: after the last
/// event of every history.
const NOW: &str = "2027-01-15T10:00:00Z";

/// The history sizes, in orders, of the scaling measurement.
const SIZES: [usize; 3] = [1_000, 4_000, 16_000];

/// The tier events of `orders` orders `O-000000` … of one customer, evenly
/// spread from 1 January 2024 to 31 December 2026, in the order of time
/// (as a host appends them):
///
/// - every order: 10.00 to 399.99 after discounts, a tenth more before,
///   a point per 1.00;
/// - every tenth, a week later: the return of a third of it (spend, gross
///   and points), the order kept;
/// - every fiftieth, three days later: the return of all of it.
fn history(orders: usize) -> Vec<TierEvent> {
    let first = instant(FIRST_ORDER);
    let spacing = TimeDelta::seconds(DAYS * 86_400 / i64::try_from(orders).expect("few orders"));
    let eur = Currency::EUR;
    let mut events = Vec::with_capacity(orders + orders / 8);
    for n in 0..orders {
        let k = i64::try_from(n).expect("few orders");
        let at = first + spacing * i32::try_from(n).expect("few orders");
        let id = OrderId::new(format!("O-{n:06}")).expect("an order id");
        let cents = 1_000 + (k * 7_919) % 39_000;
        let event = |cents: i64| {
            TierEvent::order(id.clone(), at, Decimal::new(cents, 2), eur)
                .gross(Decimal::new(cents + cents / 10, 2))
                .points(Decimal::from(cents / 100))
        };
        events.push(event(cents));
        let back = match n % 50 {
            7 => Some((-cents, -1, TimeDelta::days(3))),
            _ if n % 10 == 3 => Some((-(cents / 3), 0, TimeDelta::days(7))),
            _ => None,
        };
        if let Some((cents, orders, after)) = back {
            let mut back = event(cents);
            back.at = at + after;
            back.orders = orders;
            events.push(back);
        }
    }
    events.sort_by_key(|e| e.at);
    events
}

const CATEGORIES: [&str; 3] = ["tea", "coffee", "accessories"];

/// The 10-line order `W-10` of customer `C-1` at [`NOW`] (the wallet
/// benchmarks' lines: quantities 1 to 3, 598.10 in all, 15% off by the
/// ladder), 4.90 shipping.
fn checkout() -> Checkout {
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
    let json = format!(
        r#"{{
            "order": {{"id": "W-10", "customer": "C-1", "placed_at": "{NOW}",
                       "currency": "EUR", "shipping": "4.90 EUR", "lines": [{lines}]}},
            "at": "{NOW}"
        }}"#,
        lines = lines.join(", "),
    );
    serde_json::from_str(&json).expect("the tiers checkout parses")
}

/// The benchmarks' data, the histories made on first use.
struct Fixtures {
    program: Program,
    checkout: Checkout,
    now: DateTime<Utc>,
    histories: [OnceCell<(Vec<TierEvent>, Duration)>; SIZES.len()],
}

impl Fixtures {
    fn new() -> Fixtures {
        Fixtures {
            program: program(),
            checkout: checkout(),
            now: instant(NOW),
            histories: Default::default(),
        }
    }

    /// The history of `orders` orders (one of [`SIZES`]).
    fn history(&self, orders: usize) -> &[TierEvent] {
        let i = SIZES
            .iter()
            .position(|&s| s == orders)
            .expect("one of the sizes");
        &self.histories[i]
            .get_or_init(|| timed(|| history(orders)))
            .0
    }
}

/// One benchmark, by its criterion id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    /// `tier_status` over a history of that many orders.
    Status(usize),
    Outlook,
    Evaluate,
}

impl Case {
    /// The benchmarks criterion runs, in the order of the report.
    const ALL: [Case; 3] = [Case::Status(1_000), Case::Outlook, Case::Evaluate];

    /// The cases of the scaling measurement.
    const SCALING: [Case; 3] = [
        Case::Status(SIZES[0]),
        Case::Status(SIZES[1]),
        Case::Status(SIZES[2]),
    ];

    /// `group/id`, as `LOYALTY_BENCH_CASE` takes it.
    fn name(self) -> String {
        format!("tiers/{}", self.id())
    }

    /// Its id within the group.
    fn id(self) -> String {
        match self {
            Case::Status(orders) => format!("status_{orders}_orders"),
            Case::Outlook => "outlook_10_lines".to_owned(),
            Case::Evaluate => "evaluate_10_lines".to_owned(),
        }
    }

    fn run(self, fixtures: &Fixtures) -> Outcome {
        let program = &fixtures.program;
        match self {
            Case::Status(orders) => {
                let history = fixtures.history(orders);
                let status = program
                    .tier_status(black_box(history), fixtures.now)
                    .expect("the status is worked out");
                Outcome::Status(status)
            }
            Case::Outlook => {
                let history = fixtures.history(1_000);
                let evaluation = program
                    .evaluate(black_box(&fixtures.checkout))
                    .expect("the order evaluates");
                let outlook = program
                    .tier_outlook(black_box(history), &evaluation)
                    .expect("the outlook is worked out");
                Outcome::Outlook(evaluation, outlook)
            }
            Case::Evaluate => {
                let evaluation = program
                    .evaluate(black_box(&fixtures.checkout))
                    .expect("the order evaluates");
                Outcome::Evaluation(evaluation)
            }
        }
    }
}

/// What a run came to, to show that it did the work. Not boxed: a box
/// would be one more allocation in the counts.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Status(TierStatus),
    Outlook(Evaluation, TierOutlook),
    Evaluation(Evaluation),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let evaluation = |f: &mut fmt::Formatter<'_>, e: &Evaluation| {
            write!(
                f,
                "subtotal {}, discount {}, payable {}, {} points, {} trace entries",
                e.totals.subtotal,
                e.totals.discount,
                e.totals.payable,
                e.points.total,
                e.trace.len(),
            )
        };
        match self {
            Outcome::Status(status) => write!(f, "{status}"),
            Outcome::Outlook(e, outlook) => {
                evaluation(f, e)?;
                write!(f, "; \"{outlook}\"; {}", outlook.status)
            }
            Outcome::Evaluation(e) => evaluation(f, e),
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// Runs `case` once to warm it up, timed, then counts the heap requests
/// of a second run.
fn measure(case: Case, fixtures: &Fixtures) -> (Duration, Allocations, Outcome) {
    let (first, elapsed) = timed(|| case.run(fixtures));
    drop(first);
    let (counted, outcome) = count(|| case.run(fixtures));
    (elapsed, counted, outcome)
}

fn report(fixtures: &Fixtures) {
    for orders in SIZES {
        let events = fixtures.history(orders).len();
        let i = SIZES.iter().position(|&s| s == orders).unwrap_or(0);
        let made = fixtures.histories[i]
            .get()
            .map(|(_, d)| *d)
            .unwrap_or_default();
        println!("history of {orders} orders: {events} events, made in {made:.3?}");
    }
    println!(
        "heap requests of one warm run (reallocations apart; bytes requested), and one call \
         timed:"
    );
    for case in Case::ALL {
        let (elapsed, counted, outcome) = measure(case, fixtures);
        let per_event = match case {
            Case::Status(orders) => {
                let (allocations, reallocations, bytes) =
                    counted.per(fixtures.history(orders).len());
                format!(
                    "\n  {:<30} ({allocations:.3} allocations + {reallocations:.3} \
                     reallocations, {bytes:.0} bytes per event)",
                    ""
                )
            }
            _ => String::new(),
        };
        println!(
            "  {:<30} {counted}  one call {elapsed:>10.3?}{per_event}\n  {:<30} ({outcome})",
            case.name(),
            "",
        );
    }
    println!("tier_status as the history grows (the fastest of 3 calls after a warm-up):");
    let mut previous: Option<(usize, Duration)> = None;
    for case in Case::SCALING {
        let Case::Status(orders) = case else {
            continue;
        };
        drop(case.run(fixtures));
        let fastest = (0..3)
            .map(|_| timed(|| case.run(fixtures)).1)
            .min()
            .unwrap_or_default();
        let events = fixtures.history(orders).len();
        let per_event = fastest / u32::try_from(events).unwrap_or(u32::MAX);
        let growth = previous.map_or(String::new(), |(before, time)| {
            let factor = fastest.as_secs_f64() / time.as_secs_f64();
            format!(", ×{factor:.1} for ×{} the orders", orders / before)
        });
        println!(
            "  {:<30} {fastest:>10.3?} ({per_event:.3?} per event){growth}",
            case.name()
        );
        previous = Some((orders, fastest));
    }
}

fn bench(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("tiers");
    for case in Case::ALL {
        group.bench_function(case.id(), |b| b.iter(|| case.run(fixtures)));
    }
    group.finish();
}

/// `LOYALTY_BENCH_CASE` mode: runs the named case `LOYALTY_BENCH_RUNS`
/// times, then prints the allocations of one more run.
fn repeat(name: &str) {
    // The scaling cases but the first, which is in `ALL`.
    let cases = || {
        Case::ALL
            .into_iter()
            .chain(Case::SCALING.into_iter().skip(1))
    };
    let case = cases().find(|c| c.name() == name).unwrap_or_else(|| {
        let names: Vec<String> = cases().map(Case::name).collect();
        panic!("LOYALTY_BENCH_CASE={name}: not one of {}", names.join(", "))
    });
    let runs = settings::runs();
    let fixtures = Fixtures::new();
    for _ in 0..runs {
        drop(black_box(case.run(&fixtures)));
    }
    let (counted, outcome) = count(|| case.run(&fixtures));
    println!("{name}: {runs} run(s); one run: {counted}\n({outcome})");
}

fn main() {
    settings::main_with(Fixtures::new, repeat, report, bench);
}

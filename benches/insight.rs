//! Benchmarks of the insight module: a program simulated over a history,
//! in one run and in four partitions merged, and RFM scores over a large
//! base; each with the heap allocations of one run.
//!
//! | criterion id | one iteration |
//! | --- | --- |
//! | `insight/simulate_3_lines` | `Simulation::run` of the sample program (`examples/data/program.json`) over [`ORDERS`] three-line orders of [`CUSTOMERS`] customers through 2026, in time order (the orders cloned into the run, as an owned history is) |
//! | `insight/simulate_redeeming` | the same history under the sample program with points (100 = 1.00) and cashback redeemable, every customer paying with all the points and cashback the program lets them use at each checkout |
//! | `insight/simulate_merged` | the same history split into [`PARTITIONS`] partitions by customer, each simulated on its own thread, the reports merged (checked in the report to equal the single run's) |
//! | `insight/clone_history` | the history cloned and dropped order by order, as `simulate_3_lines` clones it into the run and the run drops it: the part of that benchmark which is the owned history's, not the simulation's |
//! | `insight/rfm_1000000` | `RfmBase::new` over [`RFM_CUSTOMERS`] customers' figures, then `segment` with the default rules: every customer scored and named |
//!
//! Criterion reports the simulations' throughput in orders and the RFM's
//! in customers. Before criterion runs, a report prints, for every
//! benchmark, the heap requests of one warm run (counted by the global
//! allocator in `support/counting.rs`), the time of one call, the orders
//! (or customers) per second, and what the run came to.
//!
//! # Running
//!
//! - `cargo bench --bench insight`: the report, then criterion (20
//!   samples, 1 s warm-up, 3 s measurement per benchmark).
//! - `LOYALTY_BENCH_QUICK=1 cargo bench --bench insight`: 10 samples,
//!   0.3 s warm-up and 1 s measurement.
//! - `LOYALTY_BENCH_CASE=insight/simulate_3_lines LOYALTY_BENCH_RUNS=11
//!   <binary>`: neither report nor criterion: builds the fixtures, runs
//!   the named benchmark that many times, then prints the allocations of
//!   one more run (for callgrind, as with the other benchmarks).

#[path = "support/counting.rs"]
mod counting;
#[path = "support/settings.rs"]
mod settings;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput};
use loyalty::insight::rfm::{RfmBase, RfmFigures, SegmentRules};
use loyalty::insight::simulate::{Simulation, SimulationReport};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order};
use loyalty::program::{Program, ProgramDefinition};
use loyalty::rules::redemption::{
    Ask, CashbackRedemption, PointsRate, PointsRedemption, Redeem, RedemptionPolicy,
};
use rust_decimal::Decimal;

use counting::{Allocations, count};

/// The sample program: the seeds' ladder in BRL, four coupons, points,
/// bonuses, cashback and a ledger policy.
const PROGRAM: &str = include_str!("../examples/data/program.json");

/// The orders of the simulated history.
const ORDERS: usize = 10_000;
/// The customers they are spread over.
const CUSTOMERS: usize = 1_000;
/// The partitions of `simulate_merged`.
const PARTITIONS: usize = 4;
/// The customers of the RFM base.
const RFM_CUSTOMERS: usize = 1_000_000;

/// Products: sku, category, price in cents.
const SKUS: [(&str, &str, i64); 6] = [
    ("TEA-GREEN", "tea", 2_990),
    ("COFFEE-BEANS", "coffee", 4_500),
    ("COFFEE-GROUND", "coffee", 3_890),
    ("MUG", "accessories", 5_990),
    ("KETTLE", "accessories", 18_900),
    ("GIFT-CARD", "gift-cards", 10_000),
];

fn program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(PROGRAM).expect("the sample program parses");
    Program::new(definition).expect("the sample program compiles")
}

/// The sample program with points (100 = 1.00) and cashback redeemable.
fn redeeming_program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(PROGRAM).expect("the sample program parses");
    let policy = RedemptionPolicy {
        points: Some(PointsRedemption::new(PointsRate::new(
            Decimal::ONE_HUNDRED,
            Decimal::ONE,
        ))),
        cashback: Some(CashbackRedemption::new()),
    };
    Program::new(definition.redemption(policy)).expect("the redeeming program compiles")
}

/// [`ORDERS`] three-line orders, order `k` by customer `k % CUSTOMERS`,
/// evenly spread over 2026 (Black Friday among the days), in time order;
/// a customer's first order enters WELCOME10 one time in three, and one
/// order in eight CAFE3X2.
fn history() -> Vec<Order> {
    let brl = Currency::new("BRL").expect("BRL");
    let start: DateTime<Utc> = "2026-01-01T12:00:00Z".parse().expect("an instant");
    let spacing = TimeDelta::seconds(365 * 86_400 / ORDERS as i64);
    (0..ORDERS)
        .map(|k| {
            let at = start + spacing * i32::try_from(k).expect("few orders");
            let customer = k % CUSTOMERS;
            let mut order =
                Order::builder(format!("H-{k:05}"), format!("C-{customer:04}"), at, brl)
                    .shipping(Money::parse("19.90", brl).expect("shipping"));
            for j in 0..3 {
                let v = k * 7 + j * 13;
                let (sku, category, cents) = SKUS[v % SKUS.len()];
                let price = Money::new(Decimal::new(cents, 2), brl);
                let line = Line::new(format!("{}", j + 1), sku, 1 + (v % 3) as u32, price)
                    .and_then(|l| l.with_category(category))
                    .expect("a line");
                order = order.line(line);
            }
            if k < CUSTOMERS && k % 3 == 0 {
                order = order.coupon("WELCOME10");
            } else if k % 8 == 5 {
                order = order.coupon("CAFE3X2");
            }
            order.build().expect("an order")
        })
        .collect()
}

/// Made-up figures of [`RFM_CUSTOMERS`] customers: recency 0–729 days,
/// 1–60 orders, spend 0.00–9 999.99, scattered by a multiplicative hash.
fn rfm_base() -> Vec<RfmFigures> {
    (0..RFM_CUSTOMERS)
        .map(|i| {
            let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
            RfmFigures::new(
                &format!("C-{i:07}"),
                (h % 730) as i64,
                1 + (h / 730 % 60) as u32,
                Decimal::new((h / 43_800 % 1_000_000) as i64, 2),
            )
            .expect("figures")
        })
        .collect()
}

struct Fixtures {
    program: Program,
    redeeming: Program,
    history: Vec<Order>,
    partitions: Vec<Vec<Order>>,
    rfm: Vec<RfmFigures>,
    rules: SegmentRules,
}

impl Fixtures {
    fn new() -> Fixtures {
        let history = history();
        let mut partitions = vec![Vec::new(); PARTITIONS];
        for order in &history {
            let customer: usize = order.customer().as_str()[2..].parse().expect("C-n");
            partitions[customer % PARTITIONS].push(order.clone());
        }
        Fixtures {
            program: program(),
            redeeming: redeeming_program(),
            history,
            partitions,
            rfm: rfm_base(),
            rules: SegmentRules::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Simulate,
    Redeeming,
    Merged,
    Clone,
    Rfm,
}

enum Outcome {
    Report(SimulationReport),
    Cloned(usize),
    Scored(usize, usize),
}

impl Case {
    const ALL: [Case; 5] = [
        Case::Simulate,
        Case::Redeeming,
        Case::Merged,
        Case::Clone,
        Case::Rfm,
    ];

    fn id(self) -> String {
        match self {
            Case::Simulate => "simulate_3_lines".to_owned(),
            Case::Redeeming => "simulate_redeeming".to_owned(),
            Case::Merged => "simulate_merged".to_owned(),
            Case::Clone => "clone_history".to_owned(),
            Case::Rfm => format!("rfm_{RFM_CUSTOMERS}"),
        }
    }

    fn name(self) -> String {
        format!("insight/{}", self.id())
    }

    /// Orders (or customers) per iteration.
    fn elements(self) -> usize {
        match self {
            Case::Simulate | Case::Redeeming | Case::Merged | Case::Clone => ORDERS,
            Case::Rfm => RFM_CUSTOMERS,
        }
    }

    fn run(self, fixtures: &Fixtures) -> Outcome {
        let simulation = Simulation::new(&fixtures.program);
        match self {
            Case::Simulate => Outcome::Report(
                simulation
                    .run(black_box(&fixtures.history).iter().cloned())
                    .expect("the history simulates"),
            ),
            Case::Redeeming => Outcome::Report(
                Simulation::new(&fixtures.redeeming)
                    .redeem(Redeem::points(Ask::All).and_cashback(Ask::All))
                    .run(black_box(&fixtures.history).iter().cloned())
                    .expect("the history simulates"),
            ),
            Case::Clone => {
                let mut lines = 0;
                for order in black_box(&fixtures.history).iter().cloned() {
                    lines += black_box(order).lines().len();
                }
                Outcome::Cloned(lines)
            }
            Case::Merged => {
                let reports: Vec<SimulationReport> = std::thread::scope(|scope| {
                    let handles: Vec<_> = fixtures
                        .partitions
                        .iter()
                        .map(|part| {
                            scope.spawn(move || {
                                simulation
                                    .run(black_box(part).iter().cloned())
                                    .expect("a partition simulates")
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().expect("a partition's thread"))
                        .collect()
                });
                Outcome::Report(
                    reports
                        .into_iter()
                        .fold(SimulationReport::default(), SimulationReport::merge),
                )
            }
            Case::Rfm => {
                let base = RfmBase::new(black_box(&fixtures.rfm)).expect("the base scores");
                let scored = base.segment(&fixtures.rules);
                let champions = scored
                    .iter()
                    .filter(|c| c.segment.as_deref() == Some("champions"))
                    .count();
                Outcome::Scored(scored.len(), champions)
            }
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Report(report) => {
                let orders: u64 = report.months.values().map(|m| m.orders).sum();
                let revenue: Decimal = report.months.values().map(|m| m.revenue).sum();
                let peak = report
                    .months
                    .keys()
                    .map(|&m| report.points_liability(m))
                    .max()
                    .unwrap_or_default();
                let redeemed: Decimal = report.months.values().map(|m| m.points_redeemed).sum();
                write!(
                    f,
                    "{} months, {orders} orders, revenue {revenue}, {redeemed} points redeemed, \
                     at most {peak} points outstanding",
                    report.months.len()
                )
            }
            Outcome::Cloned(lines) => write!(f, "{lines} lines cloned and dropped"),
            Outcome::Scored(n, champions) => {
                write!(f, "{n} customers scored, {champions} champions")
            }
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn report(fixtures: &Fixtures) {
    let single = match Case::Simulate.run(fixtures) {
        Outcome::Report(r) => r,
        Outcome::Cloned(..) | Outcome::Scored(..) => unreachable!("a simulation"),
    };
    let merged = match Case::Merged.run(fixtures) {
        Outcome::Report(r) => r,
        Outcome::Cloned(..) | Outcome::Scored(..) => unreachable!("a simulation"),
    };
    assert_eq!(single, merged, "the merged report is the single run's");
    println!(
        "{PARTITIONS} partitions merged = one run over all ({} months); {} thread(s) available",
        single.months.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("heap requests of one warm run, and one call timed:");
    for case in Case::ALL {
        let (first, elapsed) = timed(|| case.run(fixtures));
        drop(first);
        let (counted, outcome): (Allocations, Outcome) = count(|| case.run(fixtures));
        let (allocations, _, bytes) = counted.per(case.elements());
        let rate = case.elements() as f64 / elapsed.as_secs_f64();
        println!(
            "  {:<26} {counted}  one call {elapsed:>9.3?}  {rate:>10.0}/s\n  {:<26} \
             ({allocations:.1} allocations, {bytes:.0} bytes per element; {outcome})",
            case.name(),
            "",
        );
    }
}

fn bench(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("insight");
    for case in Case::ALL {
        group.throughput(Throughput::Elements(case.elements() as u64));
        if case == Case::Rfm {
            group.sample_size(10);
        }
        group.bench_function(case.id(), |b| b.iter(|| case.run(fixtures)));
    }
    group.finish();
}

/// `LOYALTY_BENCH_CASE` mode: runs the named case `LOYALTY_BENCH_RUNS`
/// times, then prints the allocations of one more run.
fn repeat(name: &str) {
    let case = Case::ALL
        .into_iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| {
            let names: Vec<String> = Case::ALL.into_iter().map(Case::name).collect();
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

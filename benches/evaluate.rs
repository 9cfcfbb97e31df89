//! Benchmarks of `Program::evaluate`, each with the heap allocations of one
//! evaluation.
//!
//! | criterion id | one iteration |
//! | --- | --- |
//! | `smallest/evaluate` | the smallest decision: the seeds' ladder (5% from 100.00, 10% from 200.00, 15% from 300.00) and points = floor(gross) × 3 (gold), 2 (silver) or 1, a program read from JSON, on a one-line order of a gold customer; with the trace |
//! | `smallest/evaluate_without_trace` | the same with `EvaluateOptions::new().trace(false)` |
//! | `smallest/parse_and_evaluate` | parsing the checkout's JSON, then `smallest/evaluate` |
//! | `smallest/parse_and_evaluate_without_trace` | parsing the checkout's JSON, then `smallest/evaluate_without_trace` |
//! | `smallest/summarize` | the same decision through `Program::summarize`: totals, points and cashback without the detail |
//! | `order_lines/1`, `/10`, `/100`, `/1000`, `/100000` | the reference program (three tiers, the ladder and 20 coupons of every kind) on an order of that many lines, "save10" entered; with the trace; throughput in lines |
//! | `coupon_codes/10`, `/1000`, `/100000` | the ladder and one coupon, a unique batch of that many codes, on a three-line order entering the batch's last code; with the trace |
//! | `batch/sequential` | `evaluate_batch` of 10,000 three-line checkouts (the full program); throughput in orders |
//! | `batch/sequential_without_trace` | the same through `evaluate_batch_with`, without the trace |
//! | `batch/parallel_all_cores` | the same through `evaluate_batch_parallel` on `available_parallelism()` threads, with the trace |
//! | `batch/summaries` | the same through `summarize_batch`: totals, points and cashback of each |
//! | `full/evaluate` | the full program (the reference one with four earning rules, tier multipliers, a campaign, a bonus, cashback and a ledger policy) on a 10-line order where every stage has work; with the trace |
//! | `full/evaluate_without_trace` | the same without the trace |
//!
//! Before criterion runs, a report prints, for every benchmark, the heap
//! requests (allocations, reallocations, bytes) of one warm evaluation (a
//! batch: in all and per order), counted by the global allocator in
//! `support/counting.rs`; for each single evaluation, the time of one call
//! and the time its fixture took to build (program compiled, checkout's
//! JSON written and parsed). A benchmark whose one call takes more than
//! [`SAMPLED_AT_MOST`] is left out of criterion: the report's timing is its
//! measurement. (At the time of writing none is: `order_lines/100000`
//! evaluates in tens of milliseconds, but its checkout takes seconds to
//! parse, which the build time shows.)
//!
//! # Running
//!
//! - `cargo bench --bench evaluate`: the report, then criterion (20
//!   samples, 1 s warm-up, 3 s measurement per benchmark). Arguments after
//!   `--` go to criterion (e.g. a filter such as `smallest`); the report
//!   runs in full whatever the filter.
//! - `LOYALTY_BENCH_QUICK=1 cargo bench --bench evaluate`: the same with 10
//!   samples, 0.3 s warm-up and 1 s measurement.
//! - `LOYALTY_BENCH_CASE=order_lines/10 LOYALTY_BENCH_RUNS=1001 <binary>`:
//!   neither report nor criterion: builds one single-evaluation case (its
//!   name as in the table, `smallest` and `full` without the `/evaluate`),
//!   evaluates it that many times, then prints the allocations of one more
//!   evaluation. `LOYALTY_BENCH_TRACE=0` turns the trace off;
//!   `LOYALTY_BENCH_SUMMARY=1` summarizes instead of evaluating. For
//!   `valgrind --tool=callgrind`: the instructions of 1001 runs less those
//!   of 1 run, divided by 1000, are those of one evaluation without the
//!   setup. `<binary>` is the one `cargo bench --bench evaluate --no-run`
//!   names.

mod support;

use std::cell::OnceCell;
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use loyalty::evaluate::{Checkout, EvaluateOptions, EvaluationError};
use loyalty::evaluation::Evaluation;
use loyalty::program::Program;

use support::counting::count;
use support::fixtures::{
    BATCH, SMALLEST_CHECKOUT, batch_checkouts, coupon_codes_checkout, coupon_codes_program,
    full_checkout, full_program, reference_checkout, reference_program, smallest_checkout,
    smallest_program,
};
use support::settings::{config, runs};

/// The longest one evaluation may take to be sampled by criterion.
const SAMPLED_AT_MOST: Duration = Duration::from_secs(1);

/// The order sizes of `order_lines`.
const ORDER_LINES: [usize; 5] = [1, 10, 100, 1_000, 100_000];

/// The batch sizes of `coupon_codes`.
const COUPON_CODES: [usize; 3] = [10, 1_000, 100_000];

/// A program and a checkout to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixture {
    /// The smallest decision, one line.
    Smallest,
    /// The reference program on an order of this many lines.
    OrderLines(usize),
    /// A unique batch of this many codes, one of them entered.
    CouponCodes(usize),
    /// The full program on 10 lines.
    Full,
}

impl Fixture {
    /// Every fixture, in the order of the report.
    fn all() -> impl Iterator<Item = Fixture> {
        std::iter::once(Fixture::Smallest)
            .chain(ORDER_LINES.map(Fixture::OrderLines))
            .chain(COUPON_CODES.map(Fixture::CouponCodes))
            .chain(std::iter::once(Fixture::Full))
    }

    /// Its criterion group.
    fn group(self) -> &'static str {
        match self {
            Fixture::Smallest => "smallest",
            Fixture::OrderLines(_) => "order_lines",
            Fixture::CouponCodes(_) => "coupon_codes",
            Fixture::Full => "full",
        }
    }

    /// Its name, as `LOYALTY_BENCH_CASE` takes it: "smallest",
    /// "order_lines/10", "coupon_codes/1000", "full".
    fn name(self) -> String {
        match self {
            Fixture::Smallest | Fixture::Full => self.group().to_owned(),
            Fixture::OrderLines(n) | Fixture::CouponCodes(n) => format!("{}/{n}", self.group()),
        }
    }

    fn build(self) -> (Program, Checkout) {
        match self {
            Fixture::Smallest => (smallest_program(), smallest_checkout()),
            Fixture::OrderLines(lines) => (reference_program(), reference_checkout(lines)),
            Fixture::CouponCodes(codes) => {
                (coupon_codes_program(codes), coupon_codes_checkout(codes))
            }
            Fixture::Full => (full_program(), full_checkout()),
        }
    }
}

/// A benchmark of one evaluation: a fixture, built, with or without the
/// trace.
struct Single {
    fixture: Fixture,
    trace: bool,
    program: Program,
    checkout: Checkout,
    /// How long `fixture.build()` took.
    built_in: Duration,
    /// The time of one call, once the report has made it.
    one_call: Option<Duration>,
}

impl Single {
    fn new(fixture: Fixture, trace: bool) -> Single {
        let started = Instant::now();
        let (program, checkout) = fixture.build();
        Single {
            fixture,
            trace,
            program,
            checkout,
            built_in: started.elapsed(),
            one_call: None,
        }
    }

    /// Its id within its criterion group: "evaluate" or
    /// "evaluate_without_trace" for the smallest and full programs, the size
    /// (and "_without_trace") for the others.
    fn id(&self) -> String {
        let base = match self.fixture {
            Fixture::Smallest | Fixture::Full => "evaluate".to_owned(),
            Fixture::OrderLines(n) | Fixture::CouponCodes(n) => n.to_string(),
        };
        if self.trace {
            base
        } else {
            format!("{base}_without_trace")
        }
    }

    fn options(&self) -> EvaluateOptions {
        EvaluateOptions::new().trace(self.trace)
    }

    fn evaluate(&self) -> Result<Evaluation, EvaluationError> {
        self.program
            .evaluate_with(black_box(&self.checkout), self.options())
    }

    /// Whether criterion samples it: not when one call took too long.
    fn sampled(&self) -> bool {
        self.one_call.is_none_or(|t| t <= SAMPLED_AT_MOST)
    }
}

/// The single-evaluation benchmarks, built.
fn singles() -> Vec<Single> {
    let mut singles = vec![
        Single::new(Fixture::Smallest, true),
        Single::new(Fixture::Smallest, false),
    ];
    for lines in ORDER_LINES {
        singles.push(Single::new(Fixture::OrderLines(lines), true));
    }
    for codes in COUPON_CODES {
        singles.push(Single::new(Fixture::CouponCodes(codes), true));
    }
    singles.push(Single::new(Fixture::Full, true));
    singles.push(Single::new(Fixture::Full, false));
    singles
}

/// What an evaluation came to, to show that it did the work.
fn outcome(evaluation: &Evaluation) -> String {
    let rejected = evaluation
        .coupons
        .iter()
        .filter(|c| c.rejection.is_some())
        .count();
    format!(
        "payable {}, {} discount(s), {} code(s) rejected, {} points, {} trace entries",
        evaluation.totals.payable,
        evaluation.discounts.len(),
        rejected,
        evaluation.points.total,
        evaluation.trace.len(),
    )
}

/// Times one call of each single evaluation (the first call, which also
/// warms lazily initialised data), then counts the heap requests of a
/// second.
fn report_singles(singles: &mut [Single]) {
    for single in singles {
        let started = Instant::now();
        let first = single.evaluate();
        let elapsed = started.elapsed();
        single.one_call = Some(elapsed);
        drop(first.expect("the checkout evaluates"));
        let (counted, evaluation) = count(|| single.evaluate());
        let evaluation = evaluation.expect("the checkout evaluates");
        assert!(
            evaluation.coupons.iter().all(|c| c.rejection.is_none()),
            "{}: every code entered is accepted",
            single.fixture.name(),
        );
        let id = format!("{}/{}", single.fixture.group(), single.id());
        let sampled = if single.sampled() {
            ""
        } else {
            " [not sampled by criterion: one call is its measurement]"
        };
        println!(
            "  {id:<42} {counted}  one call {elapsed:>10.3?}{sampled}\n  {:<42} ({}; \
             fixture built in {:.3?})",
            "",
            outcome(&evaluation),
            single.built_in,
        );
    }
}

/// Counts the heap requests of parsing the smallest checkout and
/// evaluating it, with and without the trace.
fn report_parse_and_evaluate() {
    let program = smallest_program();
    drop(parse_and_evaluate(&program, true).expect("the smallest checkout evaluates"));
    for (id, trace) in [
        ("parse_and_evaluate", true),
        ("parse_and_evaluate_without_trace", false),
    ] {
        let (counted, evaluation) = count(|| parse_and_evaluate(&program, trace));
        let evaluation = evaluation.expect("the smallest checkout evaluates");
        println!(
            "  {:<42} {counted}\n  {:<42} ({})",
            format!("smallest/{id}"),
            "",
            outcome(&evaluation),
        );
    }
}

/// Parses [`SMALLEST_CHECKOUT`] and evaluates it.
fn parse_and_evaluate(program: &Program, trace: bool) -> Result<Evaluation, EvaluationError> {
    let checkout: Checkout =
        serde_json::from_str(black_box(SMALLEST_CHECKOUT)).expect("the smallest checkout parses");
    program.evaluate_with(&checkout, EvaluateOptions::new().trace(trace))
}

/// The three ways of evaluating the batch.
#[derive(Clone, Copy, Debug)]
enum BatchRun {
    Sequential,
    SequentialWithoutTrace,
    ParallelAllCores,
    Summaries,
}

impl BatchRun {
    const ALL: [BatchRun; 4] = [
        BatchRun::Sequential,
        BatchRun::SequentialWithoutTrace,
        BatchRun::ParallelAllCores,
        BatchRun::Summaries,
    ];

    /// Its id in the criterion group `batch`.
    fn id(self) -> &'static str {
        match self {
            BatchRun::Sequential => "sequential",
            BatchRun::SequentialWithoutTrace => "sequential_without_trace",
            BatchRun::ParallelAllCores => "parallel_all_cores",
            BatchRun::Summaries => "summaries",
        }
    }

    /// Runs the batch and drops its results; returns how many failed.
    fn run(self, program: &Program, checkouts: &[Checkout]) -> usize {
        let checkouts = black_box(checkouts);
        fn failed<T>(results: &[Result<T, EvaluationError>]) -> usize {
            results.iter().filter(|r| r.is_err()).count()
        }
        match self {
            BatchRun::Sequential => failed(&program.evaluate_batch(checkouts)),
            BatchRun::SequentialWithoutTrace => {
                failed(&program.evaluate_batch_with(checkouts, EvaluateOptions::new().trace(false)))
            }
            BatchRun::ParallelAllCores => {
                failed(&program.evaluate_batch_parallel(checkouts, all_cores()))
            }
            BatchRun::Summaries => failed(&program.summarize_batch(checkouts)),
        }
    }
}

/// The threads of `batch/parallel_all_cores`: `available_parallelism()`,
/// asked once.
fn all_cores() -> NonZeroUsize {
    static ALL_CORES: LazyLock<NonZeroUsize> =
        LazyLock::new(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN));
    *ALL_CORES
}

/// Counts the heap requests of the three batch benchmarks, in all and per
/// order, after one warm-up batch.
fn report_batch(program: &Program, checkouts: &[Checkout]) {
    drop(program.evaluate_batch(checkouts));
    for run in BatchRun::ALL {
        let (counted, failed) = count(|| run.run(program, checkouts));
        assert_eq!(failed, 0, "every batch checkout evaluates");
        let (allocations, reallocations, bytes) = counted.per(BATCH);
        println!(
            "  {:<42} {counted}\n  {:<42} ({allocations:.1} allocations + {reallocations:.1} \
             reallocations, {bytes:.0} bytes per order)",
            format!("batch/{}", run.id()),
            "",
        );
    }
    println!("  (batch/parallel_all_cores: {} threads)", all_cores());
}

/// Adds the single evaluations of `group` that criterion samples.
fn bench_singles(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, singles: &[Single]) {
    for single in singles.iter().filter(|s| s.fixture.group() == name) {
        if !single.sampled() {
            println!(
                "{name}/{}: skipped, one call took {:.1?} (timed in the report)",
                single.id(),
                single.one_call.unwrap_or_default(),
            );
            continue;
        }
        if let Fixture::OrderLines(lines) = single.fixture {
            group.throughput(Throughput::Elements(lines as u64));
        }
        group.bench_function(BenchmarkId::from_parameter(single.id()), |b| {
            b.iter(|| single.evaluate());
        });
    }
}

fn bench_smallest(c: &mut Criterion, singles: &[Single]) {
    let mut group = c.benchmark_group("smallest");
    bench_singles(&mut group, "smallest", singles);
    let program = smallest_program();
    group.bench_function("parse_and_evaluate", |b| {
        b.iter(|| parse_and_evaluate(&program, true));
    });
    group.bench_function("parse_and_evaluate_without_trace", |b| {
        b.iter(|| parse_and_evaluate(&program, false));
    });
    let checkout = smallest_checkout();
    group.bench_function("summarize", |b| {
        b.iter(|| program.summarize(black_box(&checkout)));
    });
    group.finish();
}

fn bench_order_lines(c: &mut Criterion, singles: &[Single]) {
    let mut group = c.benchmark_group("order_lines");
    bench_singles(&mut group, "order_lines", singles);
    group.finish();
}

fn bench_coupon_codes(c: &mut Criterion, singles: &[Single]) {
    let mut group = c.benchmark_group("coupon_codes");
    bench_singles(&mut group, "coupon_codes", singles);
    group.finish();
}

fn bench_batch(c: &mut Criterion, program: &Program, checkouts: &OnceCell<Vec<Checkout>>) {
    let mut group = c.benchmark_group("batch");
    // One batch takes milliseconds: flat sampling keeps the samples within
    // the measurement time.
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(BATCH as u64));
    for run in BatchRun::ALL {
        group.bench_function(run.id(), |b| {
            let checkouts = checkouts.get_or_init(batch_checkouts);
            b.iter(|| run.run(program, checkouts));
        });
    }
    group.finish();
}

fn bench_full(c: &mut Criterion, singles: &[Single]) {
    let mut group = c.benchmark_group("full");
    bench_singles(&mut group, "full", singles);
    group.finish();
}

/// `LOYALTY_BENCH_CASE` mode: evaluates the named case
/// `LOYALTY_BENCH_RUNS` times, then prints the allocations of one more
/// evaluation.
fn repeat(case: &str) {
    let fixture = Fixture::all()
        .find(|f| f.name() == case)
        .unwrap_or_else(|| {
            let names: Vec<String> = Fixture::all().map(Fixture::name).collect();
            panic!("LOYALTY_BENCH_CASE={case}: not one of {}", names.join(", "))
        });
    let runs = runs();
    let trace = std::env::var_os("LOYALTY_BENCH_TRACE").is_none_or(|v| v != "0");
    let single = Single::new(fixture, trace);
    if std::env::var_os("LOYALTY_BENCH_SUMMARY").is_some_and(|v| v == "1") {
        for _ in 0..runs {
            drop(black_box(
                single.program.summarize(black_box(&single.checkout)),
            ));
        }
        let (counted, summary) = count(|| single.program.summarize(&single.checkout));
        let summary = summary.expect("the checkout evaluates");
        println!(
            "{case} (summary): {runs} run(s); one summary: {counted}\n(payable {}, {} points)",
            summary.totals.payable, summary.points
        );
        return;
    }
    for _ in 0..runs {
        drop(black_box(single.evaluate()));
    }
    let (counted, evaluation) = count(|| single.evaluate());
    let evaluation = evaluation.expect("the checkout evaluates");
    println!(
        "{case} (trace {trace}): {runs} run(s); one evaluation: {counted}\n({})",
        outcome(&evaluation),
    );
}

fn main() {
    if let Ok(case) = std::env::var("LOYALTY_BENCH_CASE") {
        repeat(&case);
        return;
    }
    let mut singles = singles();
    let full = full_program();
    // Built on first use, so that a criterion run filtered to other
    // benchmarks (or profiling them) does not build 10,000 checkouts.
    let checkouts = OnceCell::new();
    // Under `--profile-time`, only the profiled routine should run: no
    // report.
    if !std::env::args().any(|arg| arg == "--profile-time") {
        println!(
            "heap requests of one warm evaluation (reallocations apart; bytes requested), \
             and one call timed:"
        );
        report_singles(&mut singles);
        report_parse_and_evaluate();
        report_batch(&full, checkouts.get_or_init(batch_checkouts));
    }
    let mut criterion = config().configure_from_args();
    bench_smallest(&mut criterion, &singles);
    bench_order_lines(&mut criterion, &singles);
    bench_coupon_codes(&mut criterion, &singles);
    bench_batch(&mut criterion, &full, &checkouts);
    bench_full(&mut criterion, &singles);
    criterion.final_summary();
}

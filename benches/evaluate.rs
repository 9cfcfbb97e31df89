//! Benchmarks of `Program::evaluate` on 1-, 10- and 100-line orders, and of
//! `Program::new` on the reference program; of the "full" program (the
//! reference one with tiers, earning rules, multipliers, a campaign, a bonus,
//! cashback and a ledger policy) on a 10-line order; of `evaluate_batch` and
//! `evaluate_batch_parallel` on 10,000 three-line checkouts; and of the
//! smallest decision (a ladder and one earning rule, on a one-line order),
//! with and without parsing the checkout's JSON.
//!
//! Before criterion runs, the heap allocations (count and bytes) of one warm
//! `evaluate` call are printed for each order size, counted by the global
//! allocator below.
//!
//! Run with `cargo bench --bench evaluate`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use loyalty::evaluate::Checkout;
use loyalty::program::{Program, ProgramDefinition};

/// `System`, counting allocations (and reallocations) and the bytes they
/// request while `COUNTING` is on. Off, it costs one relaxed load per call,
/// so that the criterion timings are not inflated by the counters' atomic
/// read-modify-writes.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static REALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments; the
// counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(new_size.saturating_sub(layout.size()), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations made by `f`: (allocations, reallocations, bytes), and
/// its result.
fn count<T>(f: impl FnOnce() -> T) -> ((usize, usize, usize), T) {
    let read = || {
        (
            ALLOCATIONS.load(Ordering::SeqCst),
            REALLOCATIONS.load(Ordering::SeqCst),
            BYTES.load(Ordering::SeqCst),
        )
    };
    let before = read();
    COUNTING.store(true, Ordering::SeqCst);
    let result = f();
    COUNTING.store(false, Ordering::SeqCst);
    let after = read();
    (
        (after.0 - before.0, after.1 - before.1, after.2 - before.2),
        result,
    )
}

/// The reference program: the seeds' ladder and 20 coupons of every kind,
/// three of them in the exclusive group "welcome".
const PROGRAM: &str = r#"{
    "id": "reference",
    "name": "Reference program for the benchmarks",
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
    "coupons": [
        {"id": "save10", "codes": ["SAVE10"],
         "reward": {"type": "percent_off", "percent": "10", "cap": "50.00"}},
        {"id": "welcome-10", "codes": ["WELCOME10"], "first_order_only": true,
         "min_subtotal": "50.00", "stacking": {"group": "welcome"},
         "reward": {"type": "percent_off", "percent": "10", "cap": "30.00"}},
        {"id": "welcome-5", "codes": ["WELCOME5"], "first_order_only": true,
         "stacking": {"group": "welcome"},
         "reward": {"type": "amount_off", "amount": "5.00"}},
        {"id": "welcome-ship", "codes": ["WELCOMESHIP"], "first_order_only": true,
         "stacking": {"group": "welcome"},
         "reward": {"type": "free_shipping"}},
        {"id": "ten-off", "codes": ["TENOFF"], "min_subtotal": "80.00",
         "reward": {"type": "amount_off", "amount": "10.00"}},
        {"id": "tea-15", "codes": ["TEA15"], "lines": {"categories": ["tea"]},
         "valid": {"from": "2026-11-01", "to": "2026-12-31"},
         "reward": {"type": "percent_off", "percent": "15"}},
        {"id": "coffee-unit", "codes": ["COFFEEUNIT"], "lines": {"categories": ["coffee"]},
         "reward": {"type": "amount_off_each_unit", "amount": "0.50"}},
        {"id": "ship-free", "codes": ["SHIPFREE"], "min_subtotal": "40.00",
         "reward": {"type": "free_shipping"}},
        {"id": "cheapest-accessory", "codes": ["CHEAPEST"], "min_quantity": 3,
         "lines": {"categories": ["accessories"]},
         "reward": {"type": "cheapest_free"}},
        {"id": "tea-3for2", "codes": ["TEA3FOR2"], "lines": {"categories": ["tea"]},
         "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 3}},
        {"id": "gift-mug", "codes": ["MUG"], "min_subtotal": "60.00",
         "reward": {"type": "free_gift", "sku": "MUG", "value": "8.00"}},
        {"id": "black-friday", "codes": ["BF20"], "stacking": "exclusive",
         "valid": {"from": "2026-11-27", "to": "2026-11-30"},
         "reward": {"type": "percent_off", "percent": "20", "cap": "100.00"}},
        {"id": "advent", "codes": ["ADVENT"],
         "valid": {"from": "2026-12-01T00:00", "to": "2026-12-24T18:00"},
         "reward": {"type": "amount_off", "amount": "15.00"}},
        {"id": "spring", "codes": ["SPRING5"],
         "valid": {"from": "2026-03-01", "to": "2026-03-31"},
         "reward": {"type": "percent_off", "percent": "5"}},
        {"id": "gold-12", "codes": ["GOLD12"], "tiers": ["gold"],
         "reward": {"type": "percent_off", "percent": "12", "cap": "60.00"}},
        {"id": "newsletter", "codes": ["NEWS3"], "per_customer_limit": 1,
         "reward": {"type": "amount_off", "amount": "3.00"}},
        {"id": "gift-cards", "codes": ["GIFT-AAA1", "GIFT-AAA2", "GIFT-AAA3"], "unique": true,
         "reward": {"type": "amount_off", "amount": "20.00"}},
        {"id": "coffee-bogo", "codes": ["COFFEEBOGO"], "lines": {"categories": ["coffee"]},
         "reward": {"type": "buy_x_get_y", "buy": 1, "get": 1, "max_applications": 1}},
        {"id": "accessory-unit", "codes": ["ACCUNIT"],
         "lines": {"categories": ["accessories"], "exclude_skus": ["SKU-2"]},
         "reward": {"type": "amount_off_each_unit", "amount": "1.00"}},
        {"id": "second-order", "codes": ["SECOND8"], "order_number": 2, "priority": 5,
         "reward": {"type": "percent_off", "percent": "8"}}
    ]
}"#;

const CATEGORIES: [&str; 3] = ["tea", "coffee", "accessories"];

fn definition() -> ProgramDefinition {
    serde_json::from_str(PROGRAM).expect("the reference program parses")
}

/// A checkout of `lines` lines with the code "save10" entered, by a
/// returning customer, during Black Friday. Every size reaches a step of
/// the ladder.
fn checkout(lines: usize) -> Checkout {
    let lines_json: Vec<String> = (0..lines)
        .map(|i| {
            let quantity = 1 + i % 3;
            // 1 line: 2 × 125.00; more lines: prices from 8.90 to 57.90.
            let price = if lines == 1 {
                "125.00".to_owned()
            } else {
                format!("{}.90", 8 + (i * 17) % 50)
            };
            format!(
                r#"{{"id": "{n}", "sku": "SKU-{i}", "categories": ["{category}"],
                    "quantity": {quantity}, "unit_price": "{price} EUR"}}"#,
                n = i + 1,
                category = CATEGORIES[i % CATEGORIES.len()],
                quantity = if lines == 1 { 2 } else { quantity },
            )
        })
        .collect();
    let json = format!(
        r#"{{
            "order": {{"id": "A-{lines}", "customer": "C-1", "placed_at": "2026-11-28T10:00:00Z",
                       "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["save10"],
                       "lines": [{lines_json}]}},
            "customer": {{"id": "C-1", "stats": {{"orders_before": 3,
                          "lifetime_spend": "412.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "coupon_usage": [{{"code": "SAVE10", "overall": 120, "by_customer": 0}}],
            "at": "2026-11-28T10:00:00Z"
        }}"#,
        lines_json = lines_json.join(", ")
    );
    serde_json::from_str(&json).expect("the checkout parses")
}

const SIZES: [usize; 3] = [1, 10, 100];

/// Prints the allocations of one warm `evaluate` call per order size.
fn report_allocations(program: &Program) {
    println!("allocations per evaluate call (warm; realloc counted apart; bytes requested):");
    for lines in SIZES {
        let checkout = checkout(lines);
        // Warm: the first call may initialise lazily (time zone data, ...).
        let warm = program.evaluate(&checkout).expect("the checkout evaluates");
        drop(warm);
        let (counted, evaluation) = count(|| program.evaluate(black_box(&checkout)));
        let evaluation = evaluation.expect("the checkout evaluates");
        println!(
            "  {lines:>3} line(s): {:>5} allocations + {:>3} reallocations, {:>7} bytes \
             (subtotal {}, discount {}, {} discount(s) applied)",
            counted.0,
            counted.1,
            counted.2,
            evaluation.totals.subtotal,
            evaluation.totals.discount,
            evaluation.discounts.len(),
        );
        drop(evaluation);
    }
    let definition = definition();
    let (counted, program) = count(|| Program::new(black_box(definition)));
    drop(program.expect("the reference program compiles"));
    println!(
        "  Program::new (definition parsed beforehand): {} allocations + {} reallocations, {} bytes",
        counted.0, counted.1, counted.2,
    );
}

/// What the "full" program adds to the reference one: three tiers, four
/// earning rules (net, per unit of coffee, per order from 100.00, gross with
/// a cap), tier multipliers, double points on Black Friday, a bonus on the
/// fifth order, 2% cashback capped at 20.00, and a ledger policy.
const FULL_EXTRAS: &str = r#"{
    "tiers": [{"id": "bronze"}, {"id": "silver"}, {"id": "gold"}],
    "earning": [
        {"id": "base-points", "points": "1", "per": "1.00"},
        {"id": "coffee-club", "base": "per_unit", "points": "10",
         "lines": {"categories": ["coffee"]}},
        {"id": "order-points", "base": "per_order", "points": "50", "min_order": "100.00"},
        {"id": "gross-points", "base": "gross", "points": "1", "per": "10.00", "cap": "50"}
    ],
    "multipliers": {
        "tiers": [
            {"tier": "silver", "factor": "1.25"},
            {"tier": "gold", "factor": "1.5"}
        ],
        "campaigns": [
            {"id": "black-friday-double", "when": {"seasonal_event": "black_friday"},
             "factor": "2"}
        ]
    },
    "bonuses": [{"id": "fifth-order", "when": {"order_number": 5}, "points": "250"}],
    "cashback": [{"id": "cashback", "percent": "2", "cap": "20.00"}],
    "ledger": {"return_window_days": 30, "points_expiry": {"after_months": 12}}
}"#;

/// The full program: the reference one with [`FULL_EXTRAS`] added.
fn full_definition() -> ProgramDefinition {
    let mut program: serde_json::Value =
        serde_json::from_str(PROGRAM).expect("the reference program parses");
    let extras: serde_json::Value = serde_json::from_str(FULL_EXTRAS).expect("the extras parse");
    let (Some(program_fields), serde_json::Value::Object(extra_fields)) =
        (program.as_object_mut(), extras)
    else {
        unreachable!("both are JSON objects");
    };
    program_fields.extend(extra_fields);
    serde_json::from_value(program).expect("the full program parses")
}

/// The lines of `checkout(lines)` as JSON, for lines > 1.
fn lines_json(lines: usize) -> String {
    (0..lines)
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
        .collect::<Vec<_>>()
        .join(", ")
}

/// Black Friday 2026 (27 November), 11:00 in Berlin.
const BLACK_FRIDAY: &str = "2026-11-27T10:00:00Z";

/// The 10-line order of `checkout(10)` with "save10" entered, by a gold
/// customer placing their fifth order, on Black Friday 2026: every stage of
/// the full program has work to do (ladder, coupon, four earning rules, tier
/// and campaign multipliers, the bonus, cashback, expiry dates).
fn full_checkout() -> Checkout {
    let json = format!(
        r#"{{
            "order": {{"id": "F-10", "customer": "C-1", "placed_at": "{BLACK_FRIDAY}",
                       "currency": "EUR", "shipping": "4.90 EUR", "coupons": ["save10"],
                       "lines": [{lines}]}},
            "customer": {{"id": "C-1", "tier": "gold", "stats": {{"orders_before": 4,
                          "lifetime_spend": "612.30", "last_order_at": "2026-10-02T09:00:00Z"}}}},
            "coupon_usage": [{{"code": "SAVE10", "overall": 120, "by_customer": 0}}],
            "at": "{BLACK_FRIDAY}"
        }}"#,
        lines = lines_json(10),
    );
    serde_json::from_str(&json).expect("the full checkout parses")
}

const BATCH: usize = 10_000;

/// `BATCH` three-line checkouts, varied: prices, quantities and categories;
/// no tier or one of the three; no code or one of six (some rejected, e.g.
/// "TEA15" outside its window or without tea); first to ninth order; five
/// instants from 20 November to 20 December 2026, Black Friday among them.
fn batch_checkouts() -> Vec<Checkout> {
    const TIERS: [Option<&str>; 4] = [None, Some("bronze"), Some("silver"), Some("gold")];
    const CODES: [Option<&str>; 6] = [
        None,
        Some("SAVE10"),
        Some("TENOFF"),
        Some("TEA15"),
        Some("SHIPFREE"),
        Some("COFFEEUNIT"),
    ];
    const INSTANTS: [&str; 5] = [
        "2026-11-20T15:30:00Z",
        BLACK_FRIDAY,
        "2026-11-28T08:00:00Z",
        "2026-12-05T19:45:00Z",
        "2026-12-20T12:00:00Z",
    ];
    (0..BATCH)
        .map(|k| {
            let lines: Vec<String> = (0..3)
                .map(|j| {
                    let v = k * 7 + j * 13;
                    format!(
                        r#"{{"id": "{n}", "sku": "SKU-{sku}", "categories": ["{category}"],
                            "quantity": {quantity}, "unit_price": "{units}.{cents:02} EUR"}}"#,
                        n = j + 1,
                        sku = v % 40,
                        category = CATEGORIES[(k + j) % CATEGORIES.len()],
                        quantity = 1 + v % 4,
                        units = 5 + v % 90,
                        cents = (k * 31 + j * 7) % 100,
                    )
                })
                .collect();
            let orders_before = k % 9;
            let tier =
                TIERS[k % TIERS.len()].map_or_else(String::new, |t| format!(r#""tier": "{t}", "#));
            let last_order = if orders_before == 0 {
                String::new()
            } else {
                r#", "last_order_at": "2026-10-02T09:00:00Z""#.to_owned()
            };
            let coupons =
                CODES[k % CODES.len()].map_or_else(String::new, |code| format!(r#""{code}""#));
            let at = INSTANTS[k % INSTANTS.len()];
            let json = format!(
                r#"{{
                    "order": {{"id": "B-{k}", "customer": "C-{c}", "placed_at": "{at}",
                               "currency": "EUR", "shipping": "4.90 EUR", "coupons": [{coupons}],
                               "lines": [{lines}]}},
                    "customer": {{"id": "C-{c}", {tier}"stats": {{"orders_before": {orders_before},
                                  "lifetime_spend": "{spend}.00"{last_order}}}}},
                    "at": "{at}"
                }}"#,
                c = k % 997,
                lines = lines.join(", "),
                spend = orders_before * 55,
            );
            serde_json::from_str(&json).expect("a batch checkout parses")
        })
        .collect()
}

/// The smallest decision a general rules engine would be asked: the seeds'
/// ladder, one point per 1.00 of gross, gold 3× and silver 2×.
const SMALLEST: &str = r#"{
    "id": "smallest",
    "currency": "EUR",
    "time_zone": "UTC",
    "ladders": [{
        "id": "spend-more-save-more",
        "steps": [
            {"from": "100.00", "percent": "5"},
            {"from": "200.00", "percent": "10"},
            {"from": "300.00", "percent": "15"}
        ]
    }],
    "earning": [
        {"id": "points", "base": "gross", "points": "1", "per": "1.00", "rounding": "floor"}
    ],
    "multipliers": {
        "tiers": [
            {"tier": "gold", "factor": "3"},
            {"tier": "silver", "factor": "2"}
        ]
    }
}"#;

/// A one-line order (2 × 125.00) of a gold customer.
const SMALLEST_CHECKOUT: &str = r#"{
    "order": {"id": "S-1", "customer": "C-1", "placed_at": "2026-11-28T10:00:00Z",
              "currency": "EUR",
              "lines": [{"id": "1", "sku": "SKU-1", "quantity": 2, "unit_price": "125.00 EUR"}]},
    "customer": {"id": "C-1", "tier": "gold"},
    "at": "2026-11-28T10:00:00Z"
}"#;

fn smallest_program() -> Program {
    let definition: ProgramDefinition =
        serde_json::from_str(SMALLEST).expect("the smallest program parses");
    Program::new(definition).expect("the smallest program compiles")
}

fn smallest_checkout() -> Checkout {
    serde_json::from_str(SMALLEST_CHECKOUT).expect("the smallest checkout parses")
}

/// Prints the allocations of one warm `evaluate` call of the full program,
/// of a whole batch, and of the smallest decision.
fn report_full_allocations() {
    let program = Program::new(full_definition()).expect("the full program compiles");
    let checkout = full_checkout();
    drop(
        program
            .evaluate(&checkout)
            .expect("the full checkout evaluates"),
    );
    let (counted, evaluation) = count(|| program.evaluate(black_box(&checkout)));
    let evaluation = evaluation.expect("the full checkout evaluates");
    println!(
        "  full program, 10 lines: {:>5} allocations + {:>3} reallocations, {:>7} bytes \
         (payable {}, {} discount(s), {} points, cashback {}, {} trace entries, {} effects)",
        counted.0,
        counted.1,
        counted.2,
        evaluation.totals.payable,
        evaluation.discounts.len(),
        evaluation.points.total,
        evaluation.cashback.total,
        evaluation.trace.len(),
        evaluation.effects.len(),
    );
    assert!(
        evaluation
            .trace
            .iter()
            .any(|t| t.applied && t.rule.id.as_str() == "black-friday-double"),
        "the Black Friday campaign applies"
    );
    drop(evaluation);

    let checkouts = batch_checkouts();
    drop(program.evaluate_batch(&checkouts));
    let (counted, results) = count(|| program.evaluate_batch(black_box(&checkouts)));
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 0, "every batch checkout evaluates");
    let earning = results
        .iter()
        .flatten()
        .filter(|e| e.points.total > rust_decimal::Decimal::ZERO)
        .count();
    drop(results);
    println!(
        "  full program, batch of {BATCH} three-line checkouts: {} allocations + {} reallocations, \
         {} bytes ({:.1} allocations per order; {earning} earn points)",
        counted.0,
        counted.1,
        counted.2,
        counted.0 as f64 / BATCH as f64,
    );

    let program = smallest_program();
    let checkout = smallest_checkout();
    drop(
        program
            .evaluate(&checkout)
            .expect("the smallest checkout evaluates"),
    );
    let (counted, evaluation) = count(|| program.evaluate(black_box(&checkout)));
    let evaluation = evaluation.expect("the smallest checkout evaluates");
    println!(
        "  smallest decision, 1 line: {:>5} allocations + {:>3} reallocations, {:>7} bytes \
         (discount {}, {} points)",
        counted.0, counted.1, counted.2, evaluation.totals.discount, evaluation.points.total,
    );
    drop(evaluation);
    let (counted, evaluation) = count(|| {
        let checkout: Checkout =
            serde_json::from_str(black_box(SMALLEST_CHECKOUT)).expect("it parses");
        program.evaluate(&checkout)
    });
    drop(evaluation);
    println!(
        "  smallest decision, parsing the checkout too: {:>5} allocations + {:>3} reallocations, {:>7} bytes",
        counted.0, counted.1, counted.2,
    );
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

fn bench_evaluate(c: &mut Criterion) {
    let program = Program::new(definition()).expect("the reference program compiles");
    let mut group = c.benchmark_group("evaluate");
    for lines in SIZES {
        let checkout = checkout(lines);
        group.bench_with_input(
            BenchmarkId::from_parameter(lines),
            &checkout,
            |b, checkout| {
                b.iter(|| program.evaluate(black_box(checkout)));
            },
        );
    }
    group.finish();
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    let definition = definition();
    group.bench_function("reference", |b| {
        b.iter_batched(
            || definition.clone(),
            |definition| Program::new(black_box(definition)),
            criterion::BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn bench_full(c: &mut Criterion) {
    let program = Program::new(full_definition()).expect("the full program compiles");
    let checkout = full_checkout();
    let mut group = c.benchmark_group("evaluate_full");
    group.bench_with_input(BenchmarkId::from_parameter(10), &checkout, |b, checkout| {
        b.iter(|| program.evaluate(black_box(checkout)));
    });
    group.finish();
}

fn bench_batch(c: &mut Criterion) {
    let program = Program::new(full_definition()).expect("the full program compiles");
    // Built on first use, so that a run filtered to other benchmarks (or
    // profiling them) does not parse 10,000 checkouts.
    let checkouts = std::cell::OnceCell::new();
    let threads = std::num::NonZeroUsize::new(2).expect("2 is not zero");
    let mut group = c.benchmark_group("batch");
    // One batch takes milliseconds: flat sampling keeps the 50 samples
    // within the measurement time.
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("sequential", |b| {
        let checkouts = checkouts.get_or_init(batch_checkouts);
        b.iter(|| program.evaluate_batch(black_box(checkouts)));
    });
    // For comparison: the same work, each result dropped at once instead of
    // 10,000 held until the end (what holding them costs the allocator).
    group.bench_function("one_by_one", |b| {
        let checkouts = checkouts.get_or_init(batch_checkouts);
        b.iter(|| {
            for checkout in checkouts {
                drop(black_box(program.evaluate(black_box(checkout))));
            }
        });
    });
    group.bench_function("parallel_2", |b| {
        let checkouts = checkouts.get_or_init(batch_checkouts);
        b.iter(|| program.evaluate_batch_parallel(black_box(checkouts), threads));
    });
    // The same batch without the trace: no sentence is formatted.
    group.bench_function("sequential_without_trace", |b| {
        let checkouts = checkouts.get_or_init(batch_checkouts);
        let options = loyalty::evaluate::EvaluateOptions::new().trace(false);
        b.iter(|| program.evaluate_batch_with(black_box(checkouts), options));
    });
    group.finish();
}

fn bench_smallest(c: &mut Criterion) {
    let program = smallest_program();
    let checkout = smallest_checkout();
    let mut group = c.benchmark_group("smallest");
    group.bench_function("evaluate", |b| {
        b.iter(|| program.evaluate(black_box(&checkout)));
    });
    group.bench_function("parse_and_evaluate", |b| {
        b.iter(|| {
            let checkout: Checkout = serde_json::from_str(black_box(SMALLEST_CHECKOUT))
                .expect("the smallest checkout parses");
            program.evaluate(&checkout)
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_evaluate, bench_compile, bench_full, bench_batch, bench_smallest
}

fn main() {
    // Under `--profile-time`, only the profiled routine should show in the
    // profile: no allocation reports (they build and evaluate the batch).
    if !std::env::args().any(|arg| arg == "--profile-time") {
        let program = Program::new(definition()).expect("the reference program compiles");
        report_allocations(&program);
        report_full_allocations();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

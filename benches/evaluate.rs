//! Benchmarks of `Program::evaluate` on 1-, 10- and 100-line orders, and of
//! `Program::new` on the reference program.
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

use criterion::{BenchmarkId, Criterion, criterion_group};
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

criterion_group! {
    name = benches;
    config = config();
    targets = bench_evaluate, bench_compile
}

fn main() {
    let program = Program::new(definition()).expect("the reference program compiles");
    report_allocations(&program);
    benches();
    Criterion::default().configure_from_args().final_summary();
}

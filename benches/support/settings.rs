//! The criterion settings every benchmark shares.

use std::time::Duration;

use criterion::Criterion;

/// The criterion settings: 20 samples, 1 s warm-up and 3 s measurement,
/// or 10, 0.3 s and 1 s with `LOYALTY_BENCH_QUICK=1`.
pub fn config() -> Criterion {
    let quick = std::env::var_os("LOYALTY_BENCH_QUICK").is_some_and(|v| v == "1");
    let criterion = Criterion::default();
    if quick {
        criterion
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
    } else {
        criterion
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
    }
}

/// The runs `LOYALTY_BENCH_RUNS` asks for (1 when unset).
///
/// # Panics
///
/// When it is not a number: a benchmark run by hand, told what to fix.
pub fn runs() -> usize {
    std::env::var("LOYALTY_BENCH_RUNS")
        .map_or(Ok(1), |runs| runs.parse())
        .expect("LOYALTY_BENCH_RUNS is a number")
}

/// A benchmark binary's `main`: with `LOYALTY_BENCH_CASE` set, `repeat`
/// of that case only; otherwise the fixtures, the report (left out under
/// criterion's `--profile-time`, where only the profiled routine should
/// run), then criterion.
// The `evaluate` benchmark builds its fixtures lazily and has a main of
// its own.
#[allow(dead_code)]
pub fn main_with<F>(
    fixtures: impl FnOnce() -> F,
    repeat: impl FnOnce(&str),
    report: impl FnOnce(&F),
    bench: impl FnOnce(&mut Criterion, &F),
) {
    if let Ok(case) = std::env::var("LOYALTY_BENCH_CASE") {
        repeat(&case);
        return;
    }
    let fixtures = fixtures();
    if !std::env::args().any(|arg| arg == "--profile-time") {
        report(&fixtures);
    }
    let mut criterion = config().configure_from_args();
    bench(&mut criterion, &fixtures);
    criterion.final_summary();
}

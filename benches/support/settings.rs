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

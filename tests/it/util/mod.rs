//! What the tests share: builders of programs and checkouts, proptest
//! strategies, and the invariants every evaluation must satisfy.
#![allow(dead_code)]

pub mod accrual;
pub mod common;
pub mod support;
pub mod wallet;

/// The cases a property test runs: `default`, or, for a soak, the count
/// `PROPTEST_CASES` sets (`PROPTEST_CASES=20000 cargo test --release`),
/// which the tests without a count of their own follow too.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

//! What the benchmarks share: the counting allocator and the fixtures.

pub mod counting;
pub mod fixtures;

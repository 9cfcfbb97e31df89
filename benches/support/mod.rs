//! What the benchmarks share: the counting allocator, the criterion
//! settings and the fixtures.

pub mod counting;
pub mod fixtures;
pub mod settings;

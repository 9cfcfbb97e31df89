//! What the tests share: builders of programs and checkouts, proptest
//! strategies, and the invariants every evaluation must satisfy.
#![allow(dead_code)]

pub mod accrual;
pub mod common;
pub mod support;

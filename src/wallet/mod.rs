//! The customer's side: what a return gives back and takes back.

pub mod returns;

pub use returns::{ReturnError, ReturnOutcome, ReturnedLine};

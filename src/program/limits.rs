//! The sizes a program and its checkouts may reach: each unbounded input
//! has a documented default limit, refused past it with an error that names
//! the limit and how to raise it, so that a hostile or mistaken input costs
//! a quick refusal rather than minutes.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::program::Limits;
//!
//! // A wholesale shop takes orders of up to 500,000 lines.
//! let definition = ProgramDefinition::new("b2b", Currency::EUR)
//!     .limits(Limits::default().lines_per_order(500_000));
//! assert_eq!(Program::new(definition)?.limits().lines_per_order, 500_000);
//! # Ok::<(), loyalty::error::ProgramError>(())
//! ```

use serde::{Deserialize, Serialize};

/// The sizes a program and its checkouts may reach, in a program's
/// `limits` (every field optional, defaulting as documented).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Limits {
    /// Lines of one order (default 100,000).
    pub lines_per_order: usize,
    /// Coupon codes entered on one order (default 100).
    pub codes_per_order: usize,
    /// Coupon usage entries in one checkout (default 1,000).
    pub usage_entries: usize,
    /// Coupon codes in the whole program (default 1,000,000).
    pub codes_per_program: usize,
    /// Rules in the program: ladders, coupons, earning rules, bonuses,
    /// campaigns and cashback rules together (default 10,000).
    pub rules_per_program: usize,
    /// Steps of one ladder (default 100).
    pub steps_per_ladder: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            lines_per_order: 100_000,
            codes_per_order: 100,
            usage_entries: 1_000,
            codes_per_program: 1_000_000,
            rules_per_program: 10_000,
            steps_per_ladder: 100,
        }
    }
}

impl Limits {
    /// Whether every limit is its default.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Limits::default()
    }

    /// Sets the most lines of one order.
    #[must_use]
    pub fn lines_per_order(mut self, limit: usize) -> Limits {
        self.lines_per_order = limit;
        self
    }

    /// Sets the most coupon codes entered on one order.
    #[must_use]
    pub fn codes_per_order(mut self, limit: usize) -> Limits {
        self.codes_per_order = limit;
        self
    }

    /// Sets the most coupon usage entries in one checkout.
    #[must_use]
    pub fn usage_entries(mut self, limit: usize) -> Limits {
        self.usage_entries = limit;
        self
    }

    /// Sets the most coupon codes in the program.
    #[must_use]
    pub fn codes_per_program(mut self, limit: usize) -> Limits {
        self.codes_per_program = limit;
        self
    }

    /// Sets the most rules in the program.
    #[must_use]
    pub fn rules_per_program(mut self, limit: usize) -> Limits {
        self.rules_per_program = limit;
        self
    }

    /// Sets the most steps of one ladder.
    #[must_use]
    pub fn steps_per_ladder(mut self, limit: usize) -> Limits {
        self.steps_per_ladder = limit;
        self
    }
}

/// Whether `found` is within `limit`; the error's data when it is not.
pub(crate) fn within(
    what: &'static str,
    found: usize,
    limit: usize,
) -> Result<(), crate::error::LimitExceeded> {
    if found <= limit {
        Ok(())
    } else {
        Err(crate::error::LimitExceeded { what, found, limit })
    }
}

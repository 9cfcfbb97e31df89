//! How a program reads what hosts pass in: lines of quantity 0 and the tax
//! basis of its minimums.
//!
//! Every setting defaults to the behaviour of a program that says nothing,
//! so that a program without an `inputs` section evaluates as it always
//! did.
//!
//! ```json
//! "inputs": {
//!   "zero_quantity": "ignore",
//!   "taxes": {"prices": "inclusive", "measure": "exclusive"}
//! }
//! ```
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::order::TaxBasis;
//! use loyalty::program::{InputPolicy, TaxPolicy};
//!
//! // A UK shop: prices with VAT, minimums written without it.
//! let program = Program::new(
//!     ProgramDefinition::new("uk", Currency::new("GBP")?).inputs(
//!         InputPolicy::new()
//!             .lenient()
//!             .taxes(TaxPolicy::new(TaxBasis::Inclusive, TaxBasis::Exclusive)),
//!     ),
//! )?;
//! assert!(program.inputs().taxes.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::money::RoundingMode;
use crate::order::TaxBasis;

/// How a program reads a checkout's input, in a program's `inputs` (every
/// field optional).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct InputPolicy {
    /// What a line of quantity 0 does. Default: refused.
    pub zero_quantity: ZeroQuantity,
    /// The tax basis of prices and of the program's minimums, thresholds
    /// and caps, when lines carry tax rates. Default: none (amounts are
    /// compared as given).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::util::not_null"
    )]
    pub taxes: Option<TaxPolicy>,
}

impl InputPolicy {
    /// The defaults: quantity-0 lines refused, no tax basis.
    #[must_use]
    pub fn new() -> InputPolicy {
        InputPolicy::default()
    }

    /// Lenient input: a line of quantity 0 is left out of the evaluation
    /// and reported as ignored, rather than refused.
    #[must_use]
    pub fn lenient(mut self) -> InputPolicy {
        self.zero_quantity = ZeroQuantity::Ignore;
        self
    }

    /// Sets the tax basis of prices and of the program's minimums.
    #[must_use]
    pub fn taxes(mut self, taxes: TaxPolicy) -> InputPolicy {
        self.taxes = Some(taxes);
        self
    }

    /// Whether every setting is its default.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == InputPolicy::default()
    }
}

/// What a line of quantity 0 does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ZeroQuantity {
    /// The checkout is refused
    /// ([`EvaluationError::ZeroQuantity`](crate::evaluate::EvaluationError::ZeroQuantity)).
    /// The default.
    #[default]
    Refuse,
    /// The line is left out of the evaluation (the evaluation equals that
    /// of the order without it) and named in the evaluation's
    /// `ignored_lines` and its trace.
    Ignore,
}

/// The tax basis of a program: whether the lines' prices include tax, and
/// whether the program's minimums, thresholds and caps are measured with
/// tax included. Lines without a tax rate are measured as given.
///
/// When the two differ, each line's tax is computed from its rate on its
/// amount and rounded once per line with `rounding`; what the program
/// measures is the lines' amounts with that tax added or taken out:
///
/// - a promotion's `min_subtotal` and step thresholds (and a bracket
///   table's brackets), whether it is automatic, entered with a code or
///   written as a ladder or a coupon, the `subtotal_at_least` /
///   `subtotal_below` conditions, an
///   earning rule's `min_order` and an `order_over` bonus are compared to
///   the measured amount;
/// - a cap on a discount (a promotion's or a step's `cap`, the
///   program's `stacking.max_total`) is converted to the price's terms at
///   the rate of the lines it applies to (their amount as priced over
///   their amount as measured), rounded down to the minor unit;
/// - everything a discount gives is in the price's terms: a percent comes
///   off the price, a fixed amount off is taken off the price, and the
///   discount is allocated to the lines as priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TaxPolicy {
    /// Whether the lines' prices include tax.
    pub prices: TaxBasis,
    /// Whether the program's minimums, thresholds and caps are measured
    /// with tax included.
    pub measure: TaxBasis,
    /// How each line's tax is rounded to the minor unit. Default: half up.
    #[serde(default)]
    pub rounding: RoundingMode,
}

impl TaxPolicy {
    /// Prices given `prices`, minimums measured `measure`, tax rounded
    /// half up per line.
    #[must_use]
    pub fn new(prices: TaxBasis, measure: TaxBasis) -> TaxPolicy {
        TaxPolicy {
            prices,
            measure,
            rounding: RoundingMode::HalfUp,
        }
    }

    /// Sets how each line's tax is rounded.
    #[must_use]
    pub fn rounding(mut self, rounding: RoundingMode) -> TaxPolicy {
        self.rounding = rounding;
        self
    }

    /// Whether measuring differs from pricing, so that tax rates are read.
    #[must_use]
    pub fn converts(&self) -> bool {
        self.prices != self.measure
    }
}

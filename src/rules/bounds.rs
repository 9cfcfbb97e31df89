//! Bounds on the subtotal a promotion's eligible lines come to: a
//! [`Minimum`], inclusive or exclusive, and a [`Maximum`], inclusive or
//! exclusive, written as platforms write them.
//!
//! A bare amount keeps the meaning it always had: `"min_subtotal":
//! "50.00"` is *at least* 50.00, `"max_subtotal": "80.00"` *at most*
//! 80.00. The other comparison is written as a one-key object:
//! `{"above": "50.00"}` (more than 50.00, Solidus' default `gt`, Medusa's
//! `gt`) or `{"below": "80.00"}`; `{"at_least": …}` and `{"at_most": …}`
//! spell the bare forms out.
//!
//! Either amount may be one per currency, as every amount of a program:
//! `{"above": {"EUR": "50.00", "USD": "60.00"}}`.
//!
//! # Example
//!
//! ```
//! use loyalty::Decimal;
//! use loyalty::money::{Currency, PerCurrency};
//! use loyalty::rules::bounds::{Maximum, Minimum};
//!
//! let above: Minimum = serde_json::from_str(r#"{"above": "50.00"}"#)?;
//! assert!(above.is_exclusive());
//! assert_eq!(above.amount(), &PerCurrency::new(Decimal::new(5000, 2)));
//! // A bare amount is inclusive, and is written back bare.
//! let at_least: Minimum = serde_json::from_str(r#""50.00""#)?;
//! assert_eq!(at_least, Minimum::at_least(Decimal::new(5000, 2)));
//! assert_eq!(serde_json::to_string(&at_least)?, r#""50.00""#);
//!
//! let per_currency: Minimum = serde_json::from_str(r#"{"above": {"EUR": "50.00", "USD": "60.00"}}"#)?;
//! assert_eq!(per_currency.amount().get(Currency::USD, Currency::EUR), Some(Decimal::new(6000, 2)));
//!
//! let at_most: Maximum = serde_json::from_str(r#""80.00""#)?;
//! assert_eq!(at_most, Maximum::at_most(Decimal::new(8000, 2)));
//! assert_eq!(Maximum::below(Decimal::new(8000, 2)).to_string(), "below 80.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::PerCurrency;

/// The least subtotal: at least an amount (inclusive, `≥`) or above it
/// (exclusive, `>`).
///
/// Serialised as the bare amount when inclusive (`"50.00"`), as
/// `{"above": "50.00"}` when exclusive; `{"at_least": "50.00"}` is read as
/// the bare amount.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(from = "MinimumData", into = "MinimumData")]
pub enum Minimum {
    /// The subtotal is this amount or more.
    AtLeast(PerCurrency),
    /// The subtotal is more than this amount.
    Above(PerCurrency),
}

/// The greatest subtotal: at most an amount (inclusive, `≤`) or below it
/// (exclusive, `<`).
///
/// Serialised as the bare amount when inclusive (`"80.00"`), as
/// `{"below": "80.00"}` when exclusive; `{"at_most": "80.00"}` is read as
/// the bare amount.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(from = "MaximumData", into = "MaximumData")]
pub enum Maximum {
    /// The subtotal is this amount or less.
    AtMost(PerCurrency),
    /// The subtotal is less than this amount.
    Below(PerCurrency),
}

impl Minimum {
    /// At least `amount` (inclusive).
    #[must_use]
    pub fn at_least(amount: impl Into<PerCurrency>) -> Minimum {
        Minimum::AtLeast(amount.into())
    }

    /// Above `amount` (exclusive).
    #[must_use]
    pub fn above(amount: impl Into<PerCurrency>) -> Minimum {
        Minimum::Above(amount.into())
    }

    /// The amount compared with.
    #[must_use]
    pub fn amount(&self) -> &PerCurrency {
        match self {
            Minimum::AtLeast(a) | Minimum::Above(a) => a,
        }
    }

    /// The amount of a program read for one currency.
    fn value(&self) -> Decimal {
        self.amount().value()
    }

    /// Whether the amount itself falls short (`above`).
    #[must_use]
    pub fn is_exclusive(&self) -> bool {
        matches!(self, Minimum::Above(_))
    }

    /// Whether `subtotal` meets the minimum (of a program read for one
    /// currency).
    pub(crate) fn admits(&self, subtotal: Decimal) -> bool {
        match self {
            Minimum::AtLeast(_) => subtotal >= self.value(),
            Minimum::Above(_) => subtotal > self.value(),
        }
    }

    /// What `subtotal` misses to meet the minimum, `smallest` being the
    /// smallest step of an amount (the currency's minor unit): the
    /// minimum less the subtotal, and for an exclusive minimum one step
    /// more. `None` when it meets it.
    pub(crate) fn missing(&self, subtotal: Decimal, smallest: Decimal) -> Option<Decimal> {
        if self.admits(subtotal) {
            return None;
        }
        let short = self.value().saturating_sub(subtotal);
        Some(match self {
            Minimum::AtLeast(_) => short,
            Minimum::Above(_) => short.saturating_add(smallest),
        })
    }

    /// The least amount, in whole `smallest` steps, that meets it.
    pub(crate) fn lowest(&self, smallest: Decimal) -> Option<Decimal> {
        match self {
            Minimum::AtLeast(_) => Some(self.value()),
            Minimum::Above(_) => self.value().checked_add(smallest),
        }
    }
}

impl Maximum {
    /// At most `amount` (inclusive).
    #[must_use]
    pub fn at_most(amount: impl Into<PerCurrency>) -> Maximum {
        Maximum::AtMost(amount.into())
    }

    /// Below `amount` (exclusive).
    #[must_use]
    pub fn below(amount: impl Into<PerCurrency>) -> Maximum {
        Maximum::Below(amount.into())
    }

    /// The amount compared with.
    #[must_use]
    pub fn amount(&self) -> &PerCurrency {
        match self {
            Maximum::AtMost(a) | Maximum::Below(a) => a,
        }
    }

    /// The amount of a program read for one currency.
    fn value(&self) -> Decimal {
        self.amount().value()
    }

    /// Whether the amount itself is too much (`below`).
    #[must_use]
    pub fn is_exclusive(&self) -> bool {
        matches!(self, Maximum::Below(_))
    }

    /// Whether `subtotal` stays within the maximum (of a program read for
    /// one currency).
    pub(crate) fn admits(&self, subtotal: Decimal) -> bool {
        match self {
            Maximum::AtMost(_) => subtotal <= self.value(),
            Maximum::Below(_) => subtotal < self.value(),
        }
    }

    /// How much `subtotal` is over the maximum, `smallest` being the
    /// smallest step of an amount: the subtotal less the maximum, and for
    /// an exclusive maximum one step more. `None` when it is within.
    pub(crate) fn excess(&self, subtotal: Decimal, smallest: Decimal) -> Option<Decimal> {
        if self.admits(subtotal) {
            return None;
        }
        let over = subtotal.saturating_sub(self.value());
        Some(match self {
            Maximum::AtMost(_) => over,
            Maximum::Below(_) => over.saturating_add(smallest),
        })
    }

    /// The greatest amount, in whole `smallest` steps, within it.
    pub(crate) fn highest(&self, smallest: Decimal) -> Option<Decimal> {
        match self {
            Maximum::AtMost(_) => Some(self.value()),
            Maximum::Below(_) => self.value().checked_sub(smallest),
        }
    }
}

impl fmt::Display for Minimum {
    /// `at least 50.00` or `above 50.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Minimum::AtLeast(a) => write!(f, "at least {a}"),
            Minimum::Above(a) => write!(f, "above {a}"),
        }
    }
}

impl fmt::Display for Maximum {
    /// `at most 80.00` or `below 80.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Maximum::AtMost(a) => write!(f, "at most {a}"),
            Maximum::Below(a) => write!(f, "below {a}"),
        }
    }
}

/// A minimum as written: a bare amount, or a one-key object.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(
    untagged,
    expecting = "an amount like \"50.00\" or {\"EUR\": \"50.00\", \"USD\": \"60.00\"} (at least it), or {\"above\": \"50.00\"} (more than it)"
)]
enum MinimumData {
    Amount(PerCurrency),
    Bound(MinimumBound),
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
enum MinimumBound {
    AtLeast(PerCurrency),
    Above(PerCurrency),
}

impl From<MinimumData> for Minimum {
    fn from(data: MinimumData) -> Minimum {
        match data {
            MinimumData::Amount(a) | MinimumData::Bound(MinimumBound::AtLeast(a)) => {
                Minimum::AtLeast(a)
            }
            MinimumData::Bound(MinimumBound::Above(a)) => Minimum::Above(a),
        }
    }
}

impl From<Minimum> for MinimumData {
    fn from(minimum: Minimum) -> MinimumData {
        match minimum {
            Minimum::AtLeast(a) => MinimumData::Amount(a),
            Minimum::Above(a) => MinimumData::Bound(MinimumBound::Above(a)),
        }
    }
}

/// A maximum as written: a bare amount, or a one-key object.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(
    untagged,
    expecting = "an amount like \"80.00\" or {\"EUR\": \"80.00\", \"USD\": \"90.00\"} (at most it), or {\"below\": \"80.00\"} (less than it)"
)]
enum MaximumData {
    Amount(PerCurrency),
    Bound(MaximumBound),
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
enum MaximumBound {
    AtMost(PerCurrency),
    Below(PerCurrency),
}

impl From<MaximumData> for Maximum {
    fn from(data: MaximumData) -> Maximum {
        match data {
            MaximumData::Amount(a) | MaximumData::Bound(MaximumBound::AtMost(a)) => {
                Maximum::AtMost(a)
            }
            MaximumData::Bound(MaximumBound::Below(a)) => Maximum::Below(a),
        }
    }
}

impl From<Maximum> for MaximumData {
    fn from(maximum: Maximum) -> MaximumData {
        match maximum {
            Maximum::AtMost(a) => MaximumData::Amount(a),
            Maximum::Below(a) => MaximumData::Bound(MaximumBound::Below(a)),
        }
    }
}

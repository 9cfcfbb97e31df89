//! Percentages: a validated [`Percent`] in (0, 100] with at most four
//! decimals, used by every percent of a compiled program.
//!
//! A program file writes a percent as text (`"10"`, `"12.5"`);
//! [`Program::new`](crate::Program::new) turns it into a `Percent` or
//! refuses it with the path of the field. A percent below 1 is valid but
//! most often a fraction written by mistake (`0.05` for 5%), so the program
//! warns about it.
//!
//! # Example
//!
//! ```
//! use loyalty::percent::{Percent, PercentError};
//! use loyalty::Decimal;
//!
//! let ten: Percent = "10".parse()?;
//! assert_eq!(ten.of(Decimal::new(25000, 2)), Decimal::new(25, 0));
//! assert_eq!(ten.to_string(), "10%");
//! assert!(matches!("120".parse::<Percent>(), Err(PercentError::OutOfRange { .. })));
//! assert!(matches!("12.34567".parse::<Percent>(), Err(PercentError::TooPrecise { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a number is not a percent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PercentError {
    /// Zero or less, or above 100.
    #[error("{value} is not a percent: give a value above 0 and at most 100")]
    OutOfRange {
        /// The value as given.
        value: Decimal,
    },
    /// More than four decimals.
    #[error("{value} has more than 4 decimals: a percent is kept to 4 decimals (12.3456)")]
    TooPrecise {
        /// The value as given.
        value: Decimal,
    },
    /// Text that is not a number.
    #[error("\"{text}\" is not a number: write a percent like \"10\" or \"12.5\"")]
    NotANumber {
        /// The text as given.
        text: String,
    },
}

/// A percent: above 0, at most 100, with at most four decimals.
///
/// Serialised as text without a sign (`"12.5"`), like every decimal of a
/// program file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(Decimal);

impl Percent {
    /// The most decimals a percent keeps.
    pub const MAX_DECIMALS: u32 = 4;

    /// One hundred percent.
    pub const HUNDRED: Percent = Percent(Decimal::ONE_HUNDRED);

    /// A percent from its value (`10` for 10%).
    ///
    /// # Errors
    ///
    /// [`PercentError::OutOfRange`] outside (0, 100],
    /// [`PercentError::TooPrecise`] with more than four decimals.
    pub fn new(value: Decimal) -> Result<Percent, PercentError> {
        if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(PercentError::OutOfRange { value });
        }
        if value.normalize().scale() > Self::MAX_DECIMALS {
            return Err(PercentError::TooPrecise { value });
        }
        Ok(Percent(value))
    }

    /// The value, `10` for 10%.
    #[must_use]
    pub fn get(self) -> Decimal {
        self.0
    }

    /// The fraction, `0.1` for 10%.
    #[must_use]
    pub fn fraction(self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }

    /// This percent of `amount`, unrounded: `amount × p / 100`.
    /// Saturates only for amounts far beyond any order (above 10^26).
    #[must_use]
    pub fn of(self, amount: Decimal) -> Decimal {
        amount
            .checked_mul(self.0)
            .map_or_else(|| amount * self.fraction(), |v| v / Decimal::ONE_HUNDRED)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

impl FromStr for Percent {
    type Err = PercentError;
    fn from_str(text: &str) -> Result<Percent, PercentError> {
        let value = text
            .trim()
            .parse::<Decimal>()
            .map_err(|_| PercentError::NotANumber {
                text: text.to_owned(),
            })?;
        Percent::new(value)
    }
}

impl TryFrom<Decimal> for Percent {
    type Error = PercentError;
    fn try_from(value: Decimal) -> Result<Percent, PercentError> {
        Percent::new(value)
    }
}

impl From<Percent> for Decimal {
    fn from(percent: Percent) -> Decimal {
        percent.0
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Percent, D::Error> {
        let value = <Decimal as Deserialize>::deserialize(deserializer)?;
        Percent::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn bounds_are_exclusive_of_zero_and_inclusive_of_one_hundred() {
        assert!(Percent::new(d("0")).is_err());
        assert!(Percent::new(d("-5")).is_err());
        assert!(Percent::new(d("0.0001")).is_ok());
        assert_eq!(Percent::new(d("100")), Ok(Percent::HUNDRED));
        assert_eq!(
            Percent::new(d("100.0001")),
            Err(PercentError::OutOfRange {
                value: d("100.0001")
            })
        );
    }

    #[test]
    fn four_decimals_and_no_more() {
        assert!(Percent::new(d("12.3456")).is_ok());
        // Trailing zeros are not decimals that matter.
        assert!(Percent::new(d("12.345600")).is_ok());
        assert_eq!(
            Percent::new(d("12.34567")),
            Err(PercentError::TooPrecise {
                value: d("12.34567")
            })
        );
    }

    #[test]
    fn of_an_amount() {
        // 15% of 300.00 = 45.00; 12.5% of 0.10 = 0.0125.
        assert_eq!(Percent::new(d("15")).unwrap().of(d("300.00")), d("45"));
        assert_eq!(Percent::new(d("12.5")).unwrap().of(d("0.10")), d("0.0125"));
        assert_eq!(Percent::new(d("12.5")).unwrap().fraction(), d("0.125"));
    }

    #[test]
    fn text_and_serde() {
        assert_eq!("12.50".parse::<Percent>().unwrap().to_string(), "12.5%");
        assert!(matches!(
            "ten".parse::<Percent>(),
            Err(PercentError::NotANumber { .. })
        ));
        let p: Percent = serde_json::from_str("\"7.5\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"7.5\"");
        let e = serde_json::from_str::<Percent>("\"0\"").unwrap_err();
        assert!(e.to_string().contains("0 is not a percent"), "{e}");
    }
}

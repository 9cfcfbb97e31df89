//! Exact money: currencies with their minor units, amounts, rounding and
//! allocation.
//!
//! Every amount is a [`Decimal`] tied to a [`Currency`]. Arithmetic is checked:
//! adding money of two currencies, or a sum that would overflow, is a
//! [`MoneyError`], never a panic and never a silently wrong number.
//!
//! # Example
//!
//! ```
//! use loyalty::money::{Currency, Money, RemainderPolicy, RoundingMode, allocate};
//! use rust_decimal::Decimal;
//!
//! let eur = Currency::new("EUR")?;
//! let price = Money::parse("19.99", eur)?;
//! let total = price.checked_mul(Decimal::from(3))?; // 59.97 EUR
//! assert_eq!(total.to_string(), "59.97 EUR");
//!
//! // A 10.00 discount spread over three lines in proportion to their price:
//! let weights = [Decimal::from(1), Decimal::from(1), Decimal::from(1)];
//! let parts = allocate(Money::parse("10.00", eur)?, &weights, RemainderPolicy::LargestRemainder)?;
//! let shown: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
//! assert_eq!(shown, ["3.34", "3.33", "3.33"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::util::Buf;

mod per_currency;
mod shares;

pub use per_currency::PerCurrency;

use shares::SharePolicy;
pub(crate) use shares::{percent_of_units, split_capped};

/// What went wrong with an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The code is not an active ISO 4217 currency.
    #[error(
        "unknown currency \"{code}\": use an ISO 4217 code of three capital letters such as \"EUR\", \"USD\" or \"BRL\""
    )]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },
    /// Two amounts of different currencies met in one operation.
    #[error("cannot combine {left} with {right}: amounts must share one currency")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in a decimal (about 7.9 × 10²⁸).
    #[error(
        "amount overflow in {operation}: the values are too large; check for absurd prices or quantities"
    )]
    Overflow {
        /// The operation that overflowed, e.g. "addition".
        operation: &'static str,
    },
    /// The text is not a decimal number.
    #[error("\"{text}\" is not an amount: write a decimal number such as \"12.50\"")]
    InvalidAmount {
        /// The text as given.
        text: String,
    },
    /// Money written without its currency.
    #[error("\"{text}\" has no currency: write the amount and its code, such as \"12.50 EUR\"")]
    MissingCurrency {
        /// The text as given.
        text: String,
    },
    /// The amount has more decimals than the currency's minor unit.
    #[error(
        "{amount} is not a whole number of {currency}'s minor unit ({minor_unit}): round it to {minor_units} decimal places"
    )]
    NotInMinorUnits {
        /// The amount as given.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
        /// The smallest unit of the currency, e.g. 0.01.
        minor_unit: Decimal,
        /// The number of decimals the currency uses.
        minor_units: u32,
    },
}

/// What went wrong when splitting an amount with [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllocationError {
    /// There were no parts to allocate to, or every weight was zero.
    #[error(
        "cannot allocate over a total weight of zero: give at least one part a positive weight"
    )]
    ZeroTotalWeight,
    /// The output buffer is shorter than the weights.
    #[error(
        "the output has room for {room} parts but there are {parts} weights: give one slot per weight"
    )]
    BufferTooShort {
        /// Slots in the output.
        room: usize,
        /// Weights given.
        parts: usize,
    },
    /// A weight was negative.
    #[error("weight {weight} of part {index} is negative: weights must be zero or more")]
    NegativeWeight {
        /// Position of the part.
        index: usize,
        /// The weight as given.
        weight: Decimal,
    },
    /// The amount, or a computation on it, is not valid money.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// An ISO 4217 currency: its three-letter code and the number of decimals of
/// its minor unit (2 for EUR, 0 for JPY, 3 for KWD).
///
/// Constructed only from a known code, so a `Currency` always has the right
/// minor units. Serialised as its code.
///
/// # Example
///
/// ```
/// use loyalty::money::Currency;
///
/// assert_eq!(Currency::new("jpy")?.minor_units(), 0);
/// assert_eq!(Currency::new("KWD")?.minor_units(), 3);
/// assert_eq!(Currency::BRL.minor_units(), 2);
/// assert!(Currency::new("XYZ").is_err());
/// # Ok::<(), loyalty::money::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Active ISO 4217 codes whose minor unit is not 2 decimals.
const EXCEPTIONS: &[(&str, u8)] = &[
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

/// Active ISO 4217 codes with a 2-decimal minor unit.
const TWO_DECIMALS: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU",
    "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

impl Currency {
    /// Euro, 2 decimals.
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// US dollar, 2 decimals.
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Brazilian real, 2 decimals.
    pub const BRL: Currency = Currency::known(*b"BRL", 2);
    /// Pound sterling, 2 decimals.
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Japanese yen, 0 decimals.
    pub const JPY: Currency = Currency::known(*b"JPY", 0);
    /// Kuwaiti dinar, 3 decimals.
    pub const KWD: Currency = Currency::known(*b"KWD", 3);

    const fn known(code: [u8; 3], minor_units: u8) -> Currency {
        Currency { code, minor_units }
    }

    /// Looks up an ISO 4217 code, ignoring case and surrounding space.
    ///
    /// # Errors
    ///
    /// [`MoneyError::UnknownCurrency`] when the code is not an active ISO 4217
    /// currency.
    pub fn new(code: &str) -> Result<Currency, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency {
            code: code.to_owned(),
        };
        let trimmed = code.trim();
        let bytes: [u8; 3] = trimmed.as_bytes().try_into().map_err(|_| unknown())?;
        let upper = bytes.map(|b| b.to_ascii_uppercase());
        let upper_str = std::str::from_utf8(&upper).map_err(|_| unknown())?;
        if let Some(&(_, units)) = EXCEPTIONS.iter().find(|(c, _)| *c == upper_str) {
            return Ok(Currency::known(upper, units));
        }
        if TWO_DECIMALS.binary_search(&upper_str).is_ok() {
            return Ok(Currency::known(upper, 2));
        }
        Err(unknown())
    }

    /// The three-letter code, e.g. `"EUR"`.
    #[must_use]
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// The number of decimals of the minor unit: 2 for EUR, 0 for JPY.
    #[must_use]
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// The smallest unit as an amount: 0.01 for EUR, 1 for JPY, 0.001 for KWD.
    #[must_use]
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.minor_units())
    }

    /// Whether `amount` is a whole number of minor units.
    #[must_use]
    pub fn is_in_minor_units(&self, amount: Decimal) -> bool {
        amount.normalize().scale() <= self.minor_units()
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Code;
        impl serde::de::Visitor<'_> for Code {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code such as \"EUR\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Currency, E> {
                Currency::new(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Code)
    }
}

/// How an amount is rounded to a currency's minor unit.
///
/// "Half" modes decide ties (an amount exactly halfway between two minor
/// units); the others round every amount in one direction. Modes are
/// symmetric around zero: -2.345 rounds like 2.345 with the sign kept.
///
/// | mode | 2.345 | 2.355 | 2.341 | 2.349 |
/// |---|---|---|---|---|
/// | `HalfUp` | 2.35 | 2.36 | 2.34 | 2.35 |
/// | `HalfEven` | 2.34 | 2.36 | 2.34 | 2.35 |
/// | `HalfDown` | 2.34 | 2.35 | 2.34 | 2.35 |
/// | `TowardZero` | 2.34 | 2.35 | 2.34 | 2.34 |
/// | `AwayFromZero` | 2.35 | 2.36 | 2.35 | 2.35 |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties away from zero (commercial rounding). The default.
    #[default]
    HalfUp,
    /// Ties to the even neighbour (banker's rounding).
    HalfEven,
    /// Ties toward zero.
    HalfDown,
    /// Always toward zero (truncation).
    TowardZero,
    /// Always away from zero.
    AwayFromZero,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::TowardZero => RoundingStrategy::ToZero,
            RoundingMode::AwayFromZero => RoundingStrategy::AwayFromZero,
        }
    }

    /// Rounds `amount` to `decimals` places with this mode.
    #[must_use]
    pub fn round(self, amount: Decimal, decimals: u32) -> Decimal {
        amount.round_dp_with_strategy(decimals, self.strategy())
    }
}

/// Who gets the minor units left over when an amount does not divide evenly.
///
/// Every policy sums exactly to the amount, gives a part of weight zero
/// nothing, and, when the amount is at most the sum of the weights (a
/// discount over the amounts it comes off), keeps every part between zero
/// and its weight.
///
/// | policy | 0.10 by 1:1:1 | 0.03 by 2:1:1 | 3.00 by 43:14:23, half-down shares |
/// |---|---|---|---|
/// | `LargestRemainder` | 0.04, 0.03, 0.03 | 0.01, 0.01, 0.01 | 1.61, 0.53, 0.86 |
/// | `InOrder` | 0.04, 0.03, 0.03 | 0.02, 0.01, 0.00 | 1.62, 0.52, 0.86 |
/// | `RoundThenInOrder` | 0.04, 0.03, 0.03 | 0.01, 0.01, 0.01 | 1.62, 0.52, 0.86 |
/// | `LastTakesDifference` | 0.03, 0.03, 0.04 | 0.02, 0.01, 0.00 | 1.61, 0.52, 0.87 |
/// | `FirstTakesRest` | 0.04, 0.03, 0.03 | 0.02, 0.01, 0.00 | 1.62, 0.52, 0.86 |
///
/// (Shares rounded half up in the first two columns.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RemainderPolicy {
    /// The parts whose exact share lost the most to rounding down get one unit
    /// each; ties go to the earlier part. The default.
    #[default]
    LargestRemainder,
    /// One unit to each part with a positive weight, in part order, until
    /// none is left.
    InOrder,
    /// Each share rounded to the minor unit with the program's share
    /// rounding (its rounding mode unless `share_rounding` says otherwise);
    /// then the units still missing go one each to the first parts, and the
    /// units over come one each off the first parts (Sylius's
    /// `ProportionalIntegerDistributor`, with half-down shares).
    RoundThenInOrder,
    /// Each part but the last (of positive weight) has its share rounded
    /// with the share rounding; the last takes the difference (Saleor's
    /// split of an order discount over its lines). Should the difference
    /// fall below zero or above the last part's amount, the parts before
    /// it, from the end, give back or take the units.
    LastTakesDifference,
    /// From the last part to the first, each takes its share of what is
    /// left (by its weight among the parts not yet served), rounded toward
    /// zero; the first part takes the rest, so every unit left over lands
    /// on it (RubyMoney's `Money#allocate`, which Solidus splits with).
    FirstTakesRest,
}

/// Where a percent discount is rounded to the minor unit.
///
/// | scope | 10% of 3 units of 0.05 and 1 of 0.15, half up |
/// |---|---|
/// | `Total` | 10% of 0.30 = 0.03, split over the lines: 0.02 + 0.01 |
/// | `Line` | 10% of 0.15 = 0.015 → 0.02, twice: 0.04 |
/// | `Unit` | 10% of 0.05 = 0.005 → 0.01 a unit: 0.03 + 0.02 = 0.05 |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoundingScope {
    /// Once, on the eligible total; the rounded amount is then split over
    /// the lines. The default.
    #[default]
    Total,
    /// On each line's share (its amount × the percent); the discount is
    /// their sum.
    Line,
    /// On each unit's share; a line's part is its units' shares.
    Unit,
}

/// How an amount is spread over the lines it comes off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Split {
    /// In proportion to each line's amount. The default.
    #[default]
    Proportional,
    /// The same to each line; a line that costs less than its share gives
    /// nothing beyond its amount, and the others share the rest.
    Equal,
    /// The same to each unit; a line gets its units' shares, never more
    /// than its amount (the others share the rest).
    EqualPerUnit,
}

/// An amount in a currency.
///
/// Serialised as the string `"12.50 EUR"`; deserialised from that string or
/// from `{"amount": "12.50", "currency": "EUR"}`.
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, Money, MoneyError, RoundingMode};
///
/// let a = Money::parse("10.005", Currency::EUR)?;
/// assert_eq!(a.round(RoundingMode::HalfUp).to_string(), "10.01 EUR");
/// assert_eq!(a.round(RoundingMode::HalfEven).to_string(), "10.00 EUR");
///
/// let yen = Money::parse("100", Currency::JPY)?;
/// assert!(matches!(a.checked_add(yen), Err(MoneyError::CurrencyMismatch { .. })));
/// # Ok::<(), MoneyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// The largest amount an order may carry: 10¹⁸ (a quintillion) in any
    /// currency. Below it, every computation of the crate is exact to the
    /// minor unit; orders above it are refused rather than rounded.
    pub const MAX_ORDER_AMOUNT: Decimal =
        Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0);

    /// An amount in `currency`, taken as it is (not rounded).
    #[must_use]
    pub const fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    #[must_use]
    pub const fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// Parses a decimal amount such as `"12.50"` in `currency`.
    ///
    /// # Errors
    ///
    /// [`MoneyError::InvalidAmount`] when the text is not a decimal number.
    pub fn parse(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        let amount =
            Decimal::from_str_exact(amount.trim()).map_err(|_| MoneyError::InvalidAmount {
                text: amount.to_owned(),
            })?;
        Ok(Money::new(amount, currency))
    }

    /// An amount that must already be a whole number of minor units.
    ///
    /// # Errors
    ///
    /// [`MoneyError::NotInMinorUnits`] when it has more decimals than the
    /// currency allows (12.345 EUR).
    pub fn exact(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let money = Money::new(amount, currency);
        money.ensure_minor_units()?;
        Ok(money)
    }

    /// The amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The amount written with at least the currency's decimals, as
    /// outputs show it: `5 EUR` gives `5.00`, `0.125 EUR` stays `0.125`.
    ///
    /// ```
    /// # use loyalty::money::{Currency, Money};
    /// # use loyalty::Decimal;
    /// assert_eq!(Money::new(Decimal::new(5, 0), Currency::EUR).scaled_amount().to_string(), "5.00");
    /// assert_eq!(Money::new(Decimal::new(5, 0), Currency::new("JPY")?).scaled_amount().to_string(), "5");
    /// # Ok::<(), loyalty::money::MoneyError>(())
    /// ```
    #[must_use]
    pub fn scaled_amount(&self) -> Decimal {
        let mut shown = self.amount;
        if shown.scale() < self.currency.minor_units() {
            shown.rescale(self.currency.minor_units());
            if shown != self.amount {
                // Too many digits to add decimals without changing it.
                return self.amount;
            }
        }
        shown
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Returns an error unless the amount is a whole number of minor units.
    ///
    /// # Errors
    ///
    /// [`MoneyError::NotInMinorUnits`].
    pub fn ensure_minor_units(&self) -> Result<(), MoneyError> {
        if self.currency.is_in_minor_units(self.amount) {
            Ok(())
        } else {
            Err(MoneyError::NotInMinorUnits {
                amount: self.amount,
                currency: self.currency,
                minor_unit: self.currency.minor_unit(),
                minor_units: self.currency.minor_units(),
            })
        }
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow {
                operation: "addition",
            })?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow {
                operation: "subtraction",
            })?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × factor` (a quantity or a rate), not rounded.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Overflow`].
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow {
                operation: "multiplication",
            })?;
        Ok(Money::new(amount, self.currency))
    }

    /// The smaller of two amounts.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`].
    pub fn checked_min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        Ok(if other.amount < self.amount {
            other
        } else {
            self
        })
    }

    /// The amount rounded to the currency's minor unit with `mode`.
    #[must_use]
    pub fn round(self, mode: RoundingMode) -> Money {
        Money::new(
            mode.round(self.amount, self.currency.minor_units()),
            self.currency,
        )
    }

    /// The amount in minor units (cents), when it is a whole number of them.
    ///
    /// # Errors
    ///
    /// [`MoneyError::NotInMinorUnits`].
    pub fn to_minor_units(&self) -> Result<i128, MoneyError> {
        // The amount is mantissa × 10^-scale: shift the mantissa to the
        // currency's scale in integers, refusing a remainder.
        // A count of minor units is itself a decimal: it stays below 2^96.
        const LIMIT: u128 = 1 << 96;
        let overflow = MoneyError::Overflow {
            operation: "conversion to minor units",
        };
        let minor = self.currency.minor_units();
        let scale = self.amount.scale();
        let mantissa = self.amount.mantissa();
        let units = if scale <= minor {
            10i128
                .checked_pow(minor - scale)
                .and_then(|f| mantissa.checked_mul(f))
                .ok_or(overflow.clone())?
        } else {
            let divisor = 10i128.pow(scale - minor); // scale ≤ 28: fits
            if mantissa % divisor != 0 {
                self.ensure_minor_units()?;
            }
            mantissa / divisor
        };
        if units.unsigned_abs() >= LIMIT {
            return Err(overflow);
        }
        Ok(units)
    }

    /// Builds an amount from a count of minor units.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Overflow`] when the count does not fit a decimal.
    pub fn from_minor_units(units: i128, currency: Currency) -> Result<Money, MoneyError> {
        let amount =
            Decimal::try_from_i128_with_scale(units, currency.minor_units()).map_err(|_| {
                MoneyError::Overflow {
                    operation: "conversion from minor units",
                }
            })?;
        Ok(Money::new(amount, currency))
    }
}

impl fmt::Display for Money {
    /// `12.50 EUR`: the amount with at least the currency's decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.amount;
        if shown.scale() < self.currency.minor_units() {
            shown.rescale(self.currency.minor_units());
        }
        write!(f, "{} {}", shown, self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses `"12.50 EUR"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (amount, code) = s
            .trim()
            .rsplit_once(' ')
            .ok_or_else(|| MoneyError::MissingCurrency { text: s.to_owned() })?;
        Money::parse(amount, Currency::new(code)?)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    /// `"12.50 EUR"`, or `{"amount": "12.50", "currency": "EUR"}`; the text
    /// is parsed where it lies, without a copy.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MoneyVisitor;
        impl<'de> serde::de::Visitor<'de> for MoneyVisitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "money as \"12.50 EUR\" or {\"amount\": \"12.50\", \"currency\": \"EUR\"}",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Money, A::Error> {
                #[derive(Deserialize)]
                #[serde(field_identifier, rename_all = "snake_case")]
                enum Field {
                    Amount,
                    Currency,
                }
                let mut amount: Option<Decimal> = None;
                let mut currency: Option<Currency> = None;
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Amount if amount.is_none() => amount = Some(map.next_value()?),
                        Field::Currency if currency.is_none() => {
                            currency = Some(map.next_value()?);
                        }
                        Field::Amount => return Err(serde::de::Error::duplicate_field("amount")),
                        Field::Currency => {
                            return Err(serde::de::Error::duplicate_field("currency"));
                        }
                    }
                }
                let amount = amount.ok_or_else(|| serde::de::Error::missing_field("amount"))?;
                let currency =
                    currency.ok_or_else(|| serde::de::Error::missing_field("currency"))?;
                Ok(Money::new(amount, currency))
            }
        }
        d.deserialize_any(MoneyVisitor)
    }
}

/// Splits `amount` over parts in proportion to `weights`, in whole minor
/// units, so that the parts always sum exactly to `amount`.
///
/// Each part first gets its exact share rounded toward zero; the minor units
/// left over go out by `policy` (the policies that round each share, or walk
/// the parts from the last, place them as [`RemainderPolicy`] says, shares
/// rounded half up: see [`allocate_with_rounding`]). A part of weight zero
/// gets zero. A negative amount is split like its absolute value, every
/// part negative or zero.
///
/// # Errors
///
/// - [`AllocationError::ZeroTotalWeight`] when `weights` is empty or all zero;
/// - [`AllocationError::NegativeWeight`] for a weight below zero;
/// - [`MoneyError::NotInMinorUnits`] when `amount` has more decimals than its
///   currency;
/// - [`MoneyError::Overflow`] for weights too large to multiply.
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, Money, RemainderPolicy, allocate};
/// use rust_decimal::Decimal;
///
/// let amount = Money::parse("0.05", Currency::EUR)?;
/// let weights = [Decimal::from(1), Decimal::from(2), Decimal::from(2)];
/// let cents = |parts: Vec<Money>| parts.iter().map(|m| m.amount().to_string()).collect::<Vec<_>>();
///
/// // Exact shares 0.01, 0.02, 0.02: no remainder.
/// assert_eq!(cents(allocate(amount, &weights, RemainderPolicy::LargestRemainder)?), ["0.01", "0.02", "0.02"]);
///
/// // 0.10 over three equal parts: one cent left, to the first part.
/// let ten = Money::parse("0.10", Currency::EUR)?;
/// let equal = [Decimal::ONE; 3];
/// assert_eq!(cents(allocate(ten, &equal, RemainderPolicy::InOrder)?), ["0.04", "0.03", "0.03"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate(
    amount: Money,
    weights: &[Decimal],
    policy: RemainderPolicy,
) -> Result<Vec<Money>, AllocationError> {
    let mut units = vec![0i128; weights.len()];
    allocate_minor_units(amount, weights, policy, &mut units)?;
    units
        .into_iter()
        .map(|u| Money::from_minor_units(u, amount.currency()).map_err(AllocationError::from))
        .collect()
}

/// [`allocate`] into a caller's buffer of minor units.
///
/// `out` must be as long as `weights`; its previous contents are overwritten.
/// Allocates nothing for up to 16 parts.
///
/// # Errors
///
/// As [`allocate`]; also [`AllocationError::BufferTooShort`] when `out` is
/// shorter than `weights`.
pub fn allocate_minor_units(
    amount: Money,
    weights: &[Decimal],
    policy: RemainderPolicy,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    allocate_units(amount.to_minor_units()?, weights, policy, out)
}

/// Splits a whole number of units (cents, or hundredths of a point) over
/// weighted parts, summing exactly to `total_units`; as [`allocate`].
///
/// # Errors
///
/// As [`allocate_minor_units`].
pub fn allocate_units(
    total_units: i128,
    weights: &[Decimal],
    policy: RemainderPolicy,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    if SharePolicy::of(policy).is_some() {
        return allocate_units_rounded(total_units, weights, policy, RoundingMode::HalfUp, out);
    }
    let mut total_weight = Decimal::ZERO;
    for (index, &weight) in weights.iter().enumerate() {
        if weight.is_sign_negative() && !weight.is_zero() {
            return Err(AllocationError::NegativeWeight { index, weight });
        }
        total_weight = total_weight.checked_add(weight).ok_or_else(overflow)?;
    }
    if out.len() < weights.len() {
        return Err(AllocationError::BufferTooShort {
            room: out.len(),
            parts: weights.len(),
        });
    }
    if total_weight.is_zero() {
        return Err(AllocationError::ZeroTotalWeight);
    }
    let out = &mut out[..weights.len()];
    let magnitude = total_units.checked_abs().ok_or_else(overflow)?;
    if split_exact(magnitude, weights, policy, out) {
        if total_units < 0 {
            for slot in out.iter_mut() {
                *slot = -*slot;
            }
        }
        return Ok(());
    }
    split_in_decimal_shares(magnitude, weights, total_weight, policy, out)?;
    if total_units < 0 {
        for slot in out.iter_mut() {
            *slot = -*slot;
        }
    }
    Ok(())
}

/// [`allocate`] with the rounding mode of the shares, for the policies
/// that round each share ([`RemainderPolicy::RoundThenInOrder`] and
/// [`RemainderPolicy::LastTakesDifference`]; [`allocate`] rounds them half
/// up). The other policies ignore `rounding`.
///
/// # Errors
///
/// As [`allocate`].
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, Money, RemainderPolicy, RoundingMode, allocate_with_rounding};
/// use rust_decimal::Decimal;
///
/// // Sylius's distributor: 3.00 over items of 43.00, 14.00 and 23.00, each
/// // share rounded half down (161.25, 52.5, 86.25 cents → 161, 52, 86),
/// // the missing cent to the first.
/// let weights = [Decimal::from(4300), Decimal::from(1400), Decimal::from(2300)];
/// let parts = allocate_with_rounding(
///     Money::parse("3.00", Currency::EUR)?,
///     &weights,
///     RemainderPolicy::RoundThenInOrder,
///     RoundingMode::HalfDown,
/// )?;
/// let shown: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
/// assert_eq!(shown, ["1.62", "0.52", "0.86"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate_with_rounding(
    amount: Money,
    weights: &[Decimal],
    policy: RemainderPolicy,
    rounding: RoundingMode,
) -> Result<Vec<Money>, AllocationError> {
    let mut units = vec![0i128; weights.len()];
    allocate_units_rounded(
        amount.to_minor_units()?,
        weights,
        policy,
        rounding,
        &mut units,
    )?;
    units
        .into_iter()
        .map(|u| Money::from_minor_units(u, amount.currency()).map_err(AllocationError::from))
        .collect()
}

/// [`allocate_units`] with the rounding of the shares (see
/// [`allocate_with_rounding`]).
pub(crate) fn allocate_units_rounded(
    total_units: i128,
    weights: &[Decimal],
    policy: RemainderPolicy,
    rounding: RoundingMode,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    let Some(rule) = SharePolicy::of(policy) else {
        return allocate_units(total_units, weights, policy, out);
    };
    if out.len() < weights.len() {
        return Err(AllocationError::BufferTooShort {
            room: out.len(),
            parts: weights.len(),
        });
    }
    // The weights as integers at their largest scale.
    let scale = weights.iter().map(Decimal::scale).max().unwrap_or(0);
    for (index, (slot, weight)) in out.iter_mut().zip(weights).enumerate() {
        if weight.is_sign_negative() && !weight.is_zero() {
            return Err(AllocationError::NegativeWeight {
                index,
                weight: *weight,
            });
        }
        *slot = 10i128
            .checked_pow(scale - weight.scale())
            .and_then(|f| weight.mantissa().checked_mul(f))
            .ok_or_else(overflow)?;
    }
    shares::split(total_units, &mut out[..weights.len()], rule, rounding)
}

/// The split of `magnitude` units by `weights` (summing to `total_weight`)
/// through decimal shares: the path for weights or amounts too large for
/// [`split_exact`]'s 128-bit integers. Where both apply they agree (a
/// property test checks it).
fn split_in_decimal_shares(
    magnitude: i128,
    weights: &[Decimal],
    total_weight: Decimal,
    policy: RemainderPolicy,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    let magnitude_dec = Decimal::try_from_i128_with_scale(magnitude, 0).map_err(|_| overflow())?;

    // The fractional part each share lost to truncation, for the largest
    // remainder policy. On the stack for small orders.
    let mut fractions_buf: Buf<Decimal, 16> = Buf::filled(weights.len(), Decimal::ZERO);
    let fractions: &mut [Decimal] = &mut fractions_buf;

    // Each part's exact share, magnitude × (weight / total), truncated.
    let mut assigned: i128 = 0;
    for ((slot, fraction), &weight) in out.iter_mut().zip(fractions.iter_mut()).zip(weights) {
        let share = if weight == total_weight {
            magnitude_dec
        } else {
            // Multiply first so that an exact share stays exact (3 × 1/3 is
            // 1, not 0.999…); divide first only when the product is too
            // large to hold exactly.
            match magnitude_dec.checked_mul(weight) {
                Some(product) if product.scale() >= weight.scale() => {
                    product.checked_div(total_weight).ok_or_else(overflow)?
                }
                _ => {
                    let ratio = weight.checked_div(total_weight).ok_or_else(overflow)?;
                    magnitude_dec.checked_mul(ratio).ok_or_else(overflow)?
                }
            }
        };
        let floor = share.trunc();
        *slot = floor.to_i128().ok_or_else(overflow)?;
        *fraction = share - floor;
        assigned = assigned.checked_add(*slot).ok_or_else(overflow)?;
    }
    // The ratio is exact to 28 digits; should it ever round a share up past a
    // whole unit, take the excess back from the last parts so that the sum
    // stays exact.
    let mut excess = (assigned - magnitude).max(0);
    for slot in out.iter_mut().rev() {
        let take = excess.min(*slot);
        *slot -= take;
        excess -= take;
    }
    let left = (magnitude - assigned.min(magnitude)).max(0);

    // Fewer units are left than there are parts of positive weight, so one
    // pass always places them all.
    let left = place_remainder(left, weights, fractions, policy, out);
    if left > 0 {
        // Unreachable by the argument above; place what is left on the first
        // part of positive weight rather than lose it.
        if let Some(index) = weights.iter().position(|w| !w.is_zero()) {
            out[index] += left;
        }
    }
    Ok(())
}

/// The split in integers, exact, when the weights and products fit in 128
/// bits (any realistic order): share = magnitude × weight ÷ total, and the
/// remainders of that division decide who gets the units left over.
/// Returns `false`, leaving `out` to be overwritten, when they do not fit.
fn split_exact(
    magnitude: i128,
    weights: &[Decimal],
    policy: RemainderPolicy,
    out: &mut [i128],
) -> bool {
    let Ok(magnitude) = u128::try_from(magnitude) else {
        return false;
    };
    let scale = weights.iter().map(Decimal::scale).max().unwrap_or(0);
    let integer = |w: &Decimal| -> Option<u128> {
        let mantissa = u128::try_from(w.mantissa()).ok()?;
        mantissa.checked_mul(10u128.checked_pow(scale - w.scale())?)
    };
    let mut total: u128 = 0;
    for w in weights {
        let Some(total_next) = integer(w).and_then(|w| total.checked_add(w)) else {
            return false;
        };
        total = total_next;
    }
    if total == 0 {
        return false;
    }
    let mut remainders_buf: Buf<u128, 16> = Buf::filled(weights.len(), 0);
    let remainders: &mut [u128] = &mut remainders_buf;
    let mut assigned: u128 = 0;
    for ((slot, remainder), w) in out.iter_mut().zip(remainders.iter_mut()).zip(weights) {
        let Some(product) = integer(w).and_then(|w| w.checked_mul(magnitude)) else {
            return false;
        };
        let Ok(share) = i128::try_from(product / total) else {
            return false;
        };
        *slot = share;
        *remainder = product % total;
        assigned += product / total;
    }
    // Exact floors never exceed the amount, and leave fewer units over than
    // there are parts with a remainder.
    let Ok(left) = i128::try_from(magnitude.saturating_sub(assigned)) else {
        return false;
    };
    place_remainder(left, weights, remainders, policy, out) == 0
}

/// Gives the `left` units to the parts, one each, by `policy`: in part
/// order, or to the largest `lost` first (ties to the earlier part). Parts
/// of weight zero get none. Returns the units that could not be placed
/// (none, when fewer are left than there are parts of positive weight).
fn place_remainder<K: Ord>(
    mut left: i128,
    weights: &[impl Weight],
    lost: &[K],
    policy: RemainderPolicy,
    out: &mut [i128],
) -> i128 {
    if left <= 0 {
        return left.max(0);
    }
    // A few units over, largest remainders first: pick them one by one (the
    // largest not yet given, ties to the earlier part) rather than sort.
    if policy == RemainderPolicy::LargestRemainder && left <= 4 {
        let mut given = [usize::MAX; 4];
        for slot in 0..usize::try_from(left).unwrap_or(0) {
            let mut best: Option<usize> = None;
            for index in 0..weights.len() {
                if weights[index].is_nothing() || given[..slot].contains(&index) {
                    continue;
                }
                if best.is_none_or(|b| lost[index] > lost[b]) {
                    best = Some(index);
                }
            }
            let Some(index) = best else {
                break;
            };
            given[slot] = index;
            out[index] += 1;
            left -= 1;
        }
        return left;
    }
    // The parts of positive weight, in part order; on the stack for a
    // usual order.
    let mut order_buf: Buf<usize, 16> = Buf::with_capacity(weights.len());
    for index in (0..weights.len()).filter(|&i| !weights[i].is_nothing()) {
        order_buf.push(index);
    }
    let order: &mut [usize] = &mut order_buf;
    let take = usize::try_from(left).unwrap_or(usize::MAX).min(order.len());
    if policy == RemainderPolicy::LargestRemainder && take > 0 && take < order.len() {
        // Only which parts are the `take` largest matters, not their order.
        order.select_nth_unstable_by(take - 1, |&a, &b| lost[b].cmp(&lost[a]).then(a.cmp(&b)));
    }
    for &index in &order[..take] {
        out[index] += 1;
    }
    left - i128::try_from(take).unwrap_or(0)
}

/// A weight of an allocation: a `Decimal`, or whole units.
trait Weight {
    /// Whether the part gets nothing.
    fn is_nothing(&self) -> bool;
}

impl Weight for Decimal {
    fn is_nothing(&self) -> bool {
        self.is_zero()
    }
}

impl Weight for u128 {
    fn is_nothing(&self) -> bool {
        *self == 0
    }
}

/// [`allocate_units`] with weights in whole units (the minor units of line
/// amounts inside an evaluation): the same parts, computed in integers
/// without a `Decimal` in sight.
pub(crate) fn split_units(
    total_units: i128,
    weights: &[i128],
    policy: RemainderPolicy,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    if out.len() < weights.len() {
        return Err(AllocationError::BufferTooShort {
            room: out.len(),
            parts: weights.len(),
        });
    }
    let out = &mut out[..weights.len()];
    out.copy_from_slice(weights);
    split_in_place(total_units, out, policy)
}

/// [`split_in_place`] with the rounding of the shares for the policies
/// that round each share (see [`allocate_with_rounding`]).
pub(crate) fn split_in_place_rounded(
    total_units: i128,
    parts: &mut [i128],
    policy: RemainderPolicy,
    rounding: RoundingMode,
) -> Result<(), AllocationError> {
    match SharePolicy::of(policy) {
        Some(rule) => shares::split(total_units, parts, rule, rounding),
        None => split_in_place(total_units, parts, policy),
    }
}

/// [`split_units`] with the rounding of the shares for the policies that
/// round each share (see [`allocate_with_rounding`]).
pub(crate) fn split_units_rounded(
    total_units: i128,
    weights: &[i128],
    policy: RemainderPolicy,
    rounding: RoundingMode,
    out: &mut [i128],
) -> Result<(), AllocationError> {
    if out.len() < weights.len() {
        return Err(AllocationError::BufferTooShort {
            room: out.len(),
            parts: weights.len(),
        });
    }
    let out = &mut out[..weights.len()];
    out.copy_from_slice(weights);
    split_in_place_rounded(total_units, out, policy, rounding)
}

/// [`split_units`] in one buffer: `parts` holds the weights on entry and
/// the shares on return. Allocates nothing for up to 16 parts; a single
/// part of positive weight takes the whole amount at once. Weights whose
/// products with the total do not fit in 128 bits (amounts near the order
/// limit) take the decimal path, with the same result.
pub(crate) fn split_in_place(
    total_units: i128,
    parts: &mut [i128],
    policy: RemainderPolicy,
) -> Result<(), AllocationError> {
    if let Some(rule) = SharePolicy::of(policy) {
        return shares::split(total_units, parts, rule, RoundingMode::HalfUp);
    }
    let mut total: u128 = 0;
    let mut largest: u128 = 0;
    let mut positive = 0usize;
    let mut last_positive = 0usize;
    for (index, &weight) in parts.iter().enumerate() {
        let Ok(w) = u128::try_from(weight) else {
            return Err(AllocationError::NegativeWeight {
                index,
                weight: Decimal::try_from_i128_with_scale(weight, 0).unwrap_or(Decimal::MIN),
            });
        };
        if w != 0 {
            positive += 1;
            last_positive = index;
        }
        largest = largest.max(w);
        total = total.checked_add(w).ok_or_else(overflow)?;
    }
    if total == 0 {
        return Err(AllocationError::ZeroTotalWeight);
    }
    if positive == 1 {
        parts.iter_mut().for_each(|p| *p = 0);
        parts[last_positive] = total_units;
        return Ok(());
    }
    let magnitude = total_units.unsigned_abs();
    if largest.checked_mul(magnitude).is_none() {
        return split_in_decimals(total_units, parts, policy);
    }
    // Each part's remainder of its exact share, plus one for a part of
    // positive weight (so that zero marks a part that gets nothing, and
    // the order of the remainders is kept).
    let mut remainders_buf: Buf<u128, 16> = Buf::filled(parts.len(), 0);
    let remainders: &mut [u128] = &mut remainders_buf;
    let mut assigned: u128 = 0;
    // Products that fit in 64 bits (any usual order) divide in 64 bits.
    let narrow = u64::try_from(total).is_ok()
        && largest
            .checked_mul(magnitude)
            .is_some_and(|p| u64::try_from(p).is_ok());
    for index in 0..parts.len() {
        // Non-negative, and no product above the largest's: checked above.
        let w = parts[index].unsigned_abs();
        let (share, remainder) = if narrow {
            // All fit in 64 bits: checked above (w ≤ largest, magnitude ≤
            // largest × magnitude since largest ≥ 1).
            let (product, total) = (w as u64 * magnitude as u64, total as u64);
            (u128::from(product / total), u128::from(product % total))
        } else {
            let product = w * magnitude;
            (product / total, product % total)
        };
        parts[index] = i128::try_from(share).map_err(|_| overflow())?;
        remainders[index] = if w == 0 { 0 } else { remainder + 1 };
        assigned += share;
    }
    // Exact floors never exceed the amount, and leave fewer units over than
    // there are parts with a remainder.
    let left = i128::try_from(magnitude - assigned).map_err(|_| overflow())?;
    let left = place_remainder(left, remainders, remainders, policy, parts);
    if left > 0
        && let Some(index) = remainders.iter().position(|&r| r != 0)
    {
        // Unreachable by the argument above; never lose a unit.
        parts[index] += left;
    }
    if total_units < 0 {
        for slot in parts.iter_mut() {
            *slot = -*slot;
        }
    }
    Ok(())
}

/// [`split_in_place`] through [`allocate_units`], for products beyond 128
/// bits; `parts` still holds the weights when it is called.
fn split_in_decimals(
    total_units: i128,
    parts: &mut [i128],
    policy: RemainderPolicy,
) -> Result<(), AllocationError> {
    let weights = parts
        .iter()
        .map(|&w| Decimal::try_from_i128_with_scale(w, 0).map_err(|_| overflow()))
        .collect::<Result<Vec<Decimal>, _>>()?;
    allocate_units(total_units, &weights, policy, parts)
}

fn overflow() -> AllocationError {
    AllocationError::Money(MoneyError::Overflow {
        operation: "allocation",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal_split(total: i128, weights: &[i128], policy: RemainderPolicy) -> Vec<i128> {
        let weights: Vec<Decimal> = weights.iter().map(|&w| Decimal::from(w as i64)).collect();
        let mut out = vec![0; weights.len()];
        allocate_units(total, &weights, policy, &mut out).unwrap();
        out
    }

    #[test]
    fn a_split_by_hand() {
        // 10 over weights 1:1:1 → 3.33…: 4, 3, 3 (largest remainder, ties to
        // the first); 7 over 0:2:5 → 2, 5.
        let mut parts = [1, 1, 1];
        split_in_place(10, &mut parts, RemainderPolicy::LargestRemainder).unwrap();
        assert_eq!(parts, [4, 3, 3]);
        let mut parts = [0, 2, 5];
        split_in_place(7, &mut parts, RemainderPolicy::InOrder).unwrap();
        assert_eq!(parts, [0, 2, 5]);
        // One part of positive weight takes everything, negative included.
        let mut parts = [0, 9, 0];
        split_in_place(-5, &mut parts, RemainderPolicy::InOrder).unwrap();
        assert_eq!(parts, [0, -5, 0]);
        assert_eq!(
            split_in_place(5, &mut [0, 0], RemainderPolicy::InOrder),
            Err(AllocationError::ZeroTotalWeight)
        );
        assert!(matches!(
            split_in_place(5, &mut [1, -1], RemainderPolicy::InOrder),
            Err(AllocationError::NegativeWeight { index: 1, .. })
        ));
    }

    #[test]
    fn products_beyond_128_bits_take_the_decimal_path() {
        // 10^20 over weights 10^20 and 3·10^20: products of 10^40 do not fit
        // in 128 bits; shares 2.5·10^19 and 7.5·10^19 all the same.
        let e20 = 10i128.pow(20);
        let mut parts = [e20, 3 * e20];
        split_in_place(e20, &mut parts, RemainderPolicy::LargestRemainder).unwrap();
        assert_eq!(parts, [e20 / 4, 3 * e20 / 4]);
        assert_eq!(parts.iter().sum::<i128>(), e20);
    }

    #[test]
    fn the_decimal_path_with_negative_totals_and_near_maximum_amounts() {
        // −0.10 EUR (−10 units) over 1:1:1 → −4, −3, −3; the decimal path
        // gives what the integer one gives.
        let weights = [Decimal::ONE; 3];
        let mut exact = [0i128; 3];
        assert!(split_exact(
            10,
            &weights,
            RemainderPolicy::LargestRemainder,
            &mut exact
        ));
        let mut decimal = [0i128; 3];
        split_in_decimal_shares(
            10,
            &weights,
            Decimal::from(3),
            RemainderPolicy::LargestRemainder,
            &mut decimal,
        )
        .unwrap();
        assert_eq!(exact, decimal);
        let mut out = [0i128; 3];
        allocate_units(-10, &weights, RemainderPolicy::LargestRemainder, &mut out).unwrap();
        assert_eq!(out, [-4, -3, -3]);
        // Near the maximum: 10^18 EUR (10^20 units) by weights of 10^20 and
        // 3·10^20 does not fit the integer path (products of 10^40); the
        // decimal path splits it 1:3 exactly.
        let big = Decimal::from_i128_with_scale(10i128.pow(20), 0);
        let weights = [big, big * Decimal::from(3)];
        let mut out = [0i128; 2];
        assert!(!split_exact(
            10i128.pow(20),
            &weights,
            RemainderPolicy::InOrder,
            &mut out
        ));
        allocate_units(10i128.pow(20), &weights, RemainderPolicy::InOrder, &mut out).unwrap();
        assert_eq!(out, [25 * 10i128.pow(18), 75 * 10i128.pow(18)]);
        allocate_units(
            -(10i128.pow(20)),
            &weights,
            RemainderPolicy::InOrder,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-25 * 10i128.pow(18), -75 * 10i128.pow(18)]);
        // An uneven split at the maximum still sums exactly: 10^20 + 1 by 1:1:1.
        let weights = [big; 3];
        let mut out = [0i128; 3];
        allocate_units(
            10i128.pow(20) + 1,
            &weights,
            RemainderPolicy::LargestRemainder,
            &mut out,
        )
        .unwrap();
        assert_eq!(out.iter().sum::<i128>(), 10i128.pow(20) + 1);
        assert!(out.iter().all(|&p| p >= 33_333_333_333_333_333_333));
    }

    proptest! {
        /// Wherever the exact integer path applies, the decimal path gives
        /// the same parts, decimal weights included.
        #[test]
        fn exact_and_decimal_paths_agree(
            magnitude in 0i128..10_000_000_000_000,
            weights in prop::collection::vec((0i64..1_000_000_000, 0u32..=4), 1..30),
            in_order in any::<bool>(),
        ) {
            let weights: Vec<Decimal> = weights.iter().map(|&(m, s)| Decimal::new(m, s)).collect();
            let total: Decimal = weights.iter().copied().sum();
            prop_assume!(!total.is_zero());
            let policy = if in_order { RemainderPolicy::InOrder } else { RemainderPolicy::LargestRemainder };
            let mut exact = vec![0i128; weights.len()];
            prop_assume!(split_exact(magnitude, &weights, policy, &mut exact));
            let mut decimal = vec![0i128; weights.len()];
            split_in_decimal_shares(magnitude, &weights, total, policy, &mut decimal).unwrap();
            prop_assert_eq!(exact, decimal);
        }

        /// Units over are placed as the full ordering would place them (a few
        /// by picking, more by selection):
        /// on the largest remainders, ties to the earlier part, never on a
        /// part of weight zero.
        #[test]
        fn few_units_go_where_the_ordering_puts_them(
            lost in prop::collection::vec(0u128..5, 1..12),
            zero in prop::collection::vec(any::<bool>(), 12),
            left in 1i128..=12,
        ) {
            let weights: Vec<u128> = lost.iter().zip(&zero).map(|(_, z)| u128::from(!z)).collect();
            // No more units than parts of positive weight, as a split leaves.
            let positive = i128::try_from(weights.iter().filter(|&&w| w != 0).count()).unwrap();
            let left = left.min(positive);
            if left == 0 {
                return Ok(());
            }
            let mut quick = vec![0i128; lost.len()];
            place_remainder(left, &weights, &lost, RemainderPolicy::LargestRemainder, &mut quick);
            let mut order: Vec<usize> = (0..lost.len()).filter(|&i| weights[i] != 0).collect();
            order.sort_by(|&a, &b| lost[b].cmp(&lost[a]).then(a.cmp(&b)));
            let mut sorted = vec![0i128; lost.len()];
            for &i in order.iter().take(usize::try_from(left).unwrap()) {
                sorted[i] += 1;
            }
            prop_assert_eq!(quick, sorted);
        }

        /// The integer split gives exactly the parts of the decimal one, for
        /// any total (negative too), weights and policy.
        #[test]
        fn integer_and_decimal_splits_agree(
            total in -10_000_000_000i128..10_000_000_000,
            weights in prop::collection::vec(0i128..1_000_000_000, 1..40),
            in_order in any::<bool>(),
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let policy = if in_order { RemainderPolicy::InOrder } else { RemainderPolicy::LargestRemainder };
            let mut parts = weights.clone();
            split_in_place(total, &mut parts, policy).unwrap();
            prop_assert_eq!(parts.iter().sum::<i128>(), total);
            prop_assert_eq!(&parts, &decimal_split(total, &weights, policy));
            let mut out = vec![0; weights.len()];
            split_units(total, &weights, policy, &mut out).unwrap();
            prop_assert_eq!(out, parts);
        }

        /// Near the limits (products beyond 128 bits) the split still sums
        /// exactly and never gives a part of weight zero anything.
        #[test]
        fn huge_splits_sum_exactly(
            total in 0i128..10i128.pow(24),
            weights in prop::collection::vec(prop_oneof![Just(0i128), 0i128..10i128.pow(24)], 1..20),
        ) {
            // At least one part of positive weight, without rejecting cases.
            let mut weights = weights;
            if weights.iter().all(|&w| w == 0) {
                weights[0] = 1;
            }
            let mut parts = weights.clone();
            split_in_place(total, &mut parts, RemainderPolicy::LargestRemainder).unwrap();
            prop_assert_eq!(parts.iter().sum::<i128>(), total);
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*w != 0 || *p == 0);
                prop_assert!(*p >= 0);
            }
        }
    }
}

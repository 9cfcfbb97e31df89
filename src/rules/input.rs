//! What the builders of definitions accept for a number: a [`Decimal`], an
//! integer, or text such as `"12.50"`. Text that is not a number is kept as
//! the builder's first error and reported by
//! [`Program::new`](crate::Program::new) with its path, so that a chain of
//! setters never needs a `?` in the middle.

use rust_decimal::Decimal;

use crate::error::Problem;
use crate::money::PerCurrency;

mod sealed {
    pub trait Sealed {}
    pub trait SealedAmount {}
}

/// A number a builder accepts: [`Decimal`], `i32`, `i64`, `u32`, `u64`,
/// `&str` or `String` (`"12.50"`, `"5"`).
///
/// # Example
///
/// ```
/// use loyalty::prelude::*;
///
/// let by_text = LadderDefinition::new("l").percent_from("100.00", "5");
/// let by_value = LadderDefinition::new("l").percent_from(Decimal::new(10000, 2), 5);
/// assert_eq!(by_text, by_value);
/// ```
pub trait DecimalInput: sealed::Sealed {
    /// The number, or the text that is not one.
    #[doc(hidden)]
    fn into_decimal(self) -> Result<Decimal, String>;
}

impl sealed::Sealed for Decimal {}
impl DecimalInput for Decimal {
    fn into_decimal(self) -> Result<Decimal, String> {
        Ok(self)
    }
}

macro_rules! integer_input {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl DecimalInput for $t {
            fn into_decimal(self) -> Result<Decimal, String> {
                Ok(Decimal::from(self))
            }
        }
    )*};
}
integer_input!(i32, i64, u32, u64);

impl sealed::Sealed for &str {}
impl DecimalInput for &str {
    fn into_decimal(self) -> Result<Decimal, String> {
        self.trim().parse::<Decimal>().map_err(|_| self.to_owned())
    }
}

impl sealed::Sealed for String {}
impl DecimalInput for String {
    fn into_decimal(self) -> Result<Decimal, String> {
        self.as_str().into_decimal()
    }
}

/// What a setter of an amount of money takes: anything
/// [`DecimalInput`] takes (an amount in the program's currency), or a
/// [`PerCurrency`] table with one amount per currency.
///
/// # Example
///
/// ```
/// use loyalty::Decimal;
/// use loyalty::money::{Currency, PerCurrency};
/// use loyalty::rules::promotion::{PromotionDefinition, Reward};
///
/// let in_euros = PromotionDefinition::automatic("p", Reward::FreeShipping).min_subtotal("50.00");
/// let both = PromotionDefinition::automatic("p", Reward::FreeShipping).min_subtotal(PerCurrency::table([
///     (Currency::EUR, Decimal::from(50)),
///     (Currency::USD, Decimal::from(60)),
/// ]));
/// assert_ne!(in_euros, both);
/// ```
pub trait AmountInput: sealed::SealedAmount {
    /// The amount, or the text that is not a number.
    #[doc(hidden)]
    fn into_amount(self) -> Result<PerCurrency, String>;
}

impl<T: DecimalInput> sealed::SealedAmount for T {}
impl<T: DecimalInput> AmountInput for T {
    fn into_amount(self) -> Result<PerCurrency, String> {
        self.into_decimal().map(PerCurrency::new)
    }
}

impl sealed::SealedAmount for PerCurrency {}
impl AmountInput for PerCurrency {
    fn into_amount(self) -> Result<PerCurrency, String> {
        Ok(self)
    }
}

/// The first error a chain of setters met, reported by `Program::new`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Unbuilt(Option<(String, Problem)>);

impl Unbuilt {
    /// Keeps `problem` at `field` unless an earlier one is kept.
    pub(crate) fn keep(&mut self, field: impl Into<String>, problem: Problem) {
        if self.0.is_none() {
            self.0 = Some((field.into(), problem));
        }
    }

    /// The number `value` stands for; on text that is not one, keeps the
    /// error and gives zero (never evaluated: `Program::new` refuses first).
    pub(crate) fn number(&mut self, field: &str, value: impl DecimalInput) -> Decimal {
        match value.into_decimal() {
            Ok(value) => value,
            Err(text) => {
                self.keep(field, Problem::NotANumber { text });
                Decimal::ZERO
            }
        }
    }

    /// The amount `value` stands for; on text that is not a number, keeps
    /// the error and gives zero (never evaluated: `Program::new` refuses
    /// first).
    pub(crate) fn amount(&mut self, field: &str, value: impl AmountInput) -> PerCurrency {
        match value.into_amount() {
            Ok(value) => value,
            Err(text) => {
                self.keep(field, Problem::NotANumber { text });
                PerCurrency::new(Decimal::ZERO)
            }
        }
    }

    /// The kept error under `path`, if any.
    pub(crate) fn check(&self, path: &str) -> Result<(), crate::error::ProgramError> {
        match &self.0 {
            None => Ok(()),
            Some((field, problem)) => Err(crate::error::ProgramError::new(
                if field.is_empty() {
                    path.to_owned()
                } else if path.is_empty() {
                    field.clone()
                } else {
                    format!("{path}.{field}")
                },
                problem.clone(),
            )),
        }
    }
}

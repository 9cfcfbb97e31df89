//! An amount a program states: in its currency, or one per currency it
//! serves.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::IntoDeserializer;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Currency;

/// An amount of money a program states (a threshold, a cap, an amount off,
/// a budget): a number in the program's currency, or a table with one
/// amount per currency.
///
/// In a program file, `"10.00"` (or `10`) is in the program's `currency`;
/// `{"EUR": "10.00", "USD": "12.00"}` gives each currency its own amount.
/// A rule with an amount of this kind applies to an order only when it has
/// an amount in the order's currency: a program serving EUR and USD whose
/// promotion says `"amount": "10.00"` gives it on EUR orders only, and a
/// USD order's trace says why (`currency_mismatch`). Every currency of a
/// table must be one the program serves (its `currency` or one of its
/// `currencies`).
///
/// A number converts into it, so setters that take an amount take a
/// number as before.
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, PerCurrency};
/// use loyalty::Decimal;
///
/// let ten = PerCurrency::from(Decimal::TEN);
/// assert_eq!(ten.get(Currency::EUR, Currency::EUR), Some(Decimal::TEN));
/// assert_eq!(ten.get(Currency::USD, Currency::EUR), None);
///
/// let both = PerCurrency::table([
///     (Currency::EUR, Decimal::TEN),
///     (Currency::USD, Decimal::new(1200, 2)),
/// ]);
/// assert_eq!(both.get(Currency::USD, Currency::EUR), Some(Decimal::new(1200, 2)));
/// assert_eq!(serde_json::to_string(&both)?, r#"{"EUR":"10","USD":"12.00"}"#);
/// let read: PerCurrency = serde_json::from_str(r#"{"USD": "12.00", "EUR": 10}"#)?;
/// assert_eq!(read, both);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PerCurrency(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// In the program's currency.
    One(Decimal),
    /// One amount per currency, sorted by currency, each currency once.
    Table(Vec<(Currency, Decimal)>),
}

impl PerCurrency {
    /// `amount` in the program's currency.
    #[must_use]
    pub const fn new(amount: Decimal) -> PerCurrency {
        PerCurrency(Repr::One(amount))
    }

    /// One amount per currency. A currency given twice keeps its last
    /// amount.
    #[must_use]
    pub fn table(amounts: impl IntoIterator<Item = (Currency, Decimal)>) -> PerCurrency {
        amounts
            .into_iter()
            .fold(PerCurrency(Repr::Table(Vec::new())), |table, (c, a)| {
                table.with(c, a)
            })
    }

    /// These amounts with `amount` in `currency` too (in place of the one
    /// it had). On a plain amount, the table starts empty: a plain amount
    /// names no currency until a program reads it.
    #[must_use]
    pub fn with(self, currency: Currency, amount: Decimal) -> PerCurrency {
        let mut table = match self.0 {
            Repr::One(_) => Vec::new(),
            Repr::Table(table) => table,
        };
        match table.binary_search_by(|(c, _)| c.cmp(&currency)) {
            Ok(at) => table[at].1 = amount,
            Err(at) => table.insert(at, (currency, amount)),
        }
        PerCurrency(Repr::Table(table))
    }

    /// The amount in `currency`, in a program whose currency is `program`
    /// (the currency of a plain amount); `None` when there is none.
    #[must_use]
    pub fn get(&self, currency: Currency, program: Currency) -> Option<Decimal> {
        match &self.0 {
            Repr::One(amount) => (currency == program).then_some(*amount),
            Repr::Table(table) => table
                .binary_search_by(|(c, _)| c.cmp(&currency))
                .ok()
                .map(|at| table[at].1),
        }
    }

    /// The plain amount (in the program's currency), when it is one.
    #[must_use]
    pub fn plain(&self) -> Option<Decimal> {
        match &self.0 {
            Repr::One(amount) => Some(*amount),
            Repr::Table(_) => None,
        }
    }

    /// The currencies of a table with their amounts, sorted by currency;
    /// empty for a plain amount.
    #[must_use]
    pub fn by_currency(&self) -> &[(Currency, Decimal)] {
        match &self.0 {
            Repr::One(_) => &[],
            Repr::Table(table) => table,
        }
    }

    /// Every amount it states: the plain one, or each of the table's.
    pub(crate) fn amounts(&self) -> impl Iterator<Item = Decimal> + '_ {
        let (plain, table) = match &self.0 {
            Repr::One(amount) => (Some(*amount), &[][..]),
            Repr::Table(table) => (None, table.as_slice()),
        };
        plain.into_iter().chain(table.iter().map(|(_, a)| *a))
    }

    /// The amount of a program that serves one currency: after a program
    /// has read its amounts for a currency, every amount is plain. Zero
    /// for a table, which a compiled program never holds.
    #[inline]
    pub(crate) fn value(&self) -> Decimal {
        match &self.0 {
            Repr::One(amount) => *amount,
            Repr::Table(_) => Decimal::ZERO,
        }
    }
}

impl From<Decimal> for PerCurrency {
    fn from(amount: Decimal) -> PerCurrency {
        PerCurrency::new(amount)
    }
}

/// A plain amount from its number, such as `"12.50"`; a table is read
/// from a program file (`{"EUR": "10.00", "USD": "12.00"}`) or built with
/// [`PerCurrency::table`].
impl FromStr for PerCurrency {
    type Err = rust_decimal::Error;

    fn from_str(text: &str) -> Result<PerCurrency, Self::Err> {
        text.trim().parse().map(PerCurrency::new)
    }
}

impl fmt::Debug for PerCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A plain amount as its number; a table as `10.00 EUR / 12.00 USD`.
impl fmt::Display for PerCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::One(amount) => write!(f, "{amount}"),
            Repr::Table(table) => {
                for (i, (currency, amount)) in table.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" / ")?;
                    }
                    write!(f, "{amount} {currency}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for PerCurrency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match &self.0 {
            Repr::One(amount) => Serialize::serialize(amount, s),
            Repr::Table(table) => {
                let mut map = s.serialize_map(Some(table.len()))?;
                for (currency, amount) in table {
                    map.serialize_entry(currency, amount)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for PerCurrency {
    /// A number as a [`Decimal`] reads it (a string or a number), or a
    /// table of currency codes to such numbers, each code once and at least
    /// one.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        fn one<'de, E: serde::de::Error>(
            d: impl Deserializer<'de, Error = E>,
        ) -> Result<PerCurrency, E> {
            <Decimal as Deserialize>::deserialize(d).map(PerCurrency::new)
        }
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PerCurrency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an amount such as \"10.00\", or one per currency such as {\"EUR\": \"10.00\", \"USD\": \"12.00\"}",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<PerCurrency, E> {
                one(v.into_deserializer())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PerCurrency, A::Error> {
                let mut table: Vec<(Currency, Decimal)> = Vec::new();
                while let Some(currency) = map.next_key::<Currency>()? {
                    let amount: Decimal = map.next_value()?;
                    match table.binary_search_by(|(c, _)| c.cmp(&currency)) {
                        Ok(_) => {
                            return Err(serde::de::Error::custom(format_args!(
                                "{currency} is given twice: give each currency one amount"
                            )));
                        }
                        Err(at) => table.insert(at, (currency, amount)),
                    }
                }
                if table.is_empty() {
                    return Err(serde::de::Error::custom(
                        "an empty table of amounts: give at least one currency and its amount, such as {\"EUR\": \"10.00\"}",
                    ));
                }
                Ok(PerCurrency(Repr::Table(table)))
            }
        }
        d.deserialize_any(Visitor)
    }
}

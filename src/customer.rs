//! Customers: who they are and a snapshot of their history.
//!
//! The library keeps no history of its own. The host passes a [`Customer`]
//! with a [`CustomerStats`] snapshot taken *before* the order being
//! evaluated: how many orders came before, how much was spent, when the last
//! order was.
//!
//! # Example
//!
//! ```
//! use loyalty::customer::{Birthday, Customer, CustomerStats};
//!
//! let customer = Customer::new("C-42")?
//!     .with_tier("gold")?
//!     .with_segment("coffee-lovers")?
//!     .with_birthday(Birthday::new(5, 17)?)
//!     .with_stats(CustomerStats {
//!         orders_before: 4,
//!         lifetime_spend: "812.40".parse()?,
//!         last_order_at: Some("2026-10-02T09:00:00Z".parse()?),
//!         ..CustomerStats::default()
//!     })?;
//! assert_eq!(customer.stats().map(|s| s.orders_before), Some(4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::{EmptyIdError, string_id};

string_id!(
    /// A customer's identifier, as the shop knows it.
    CustomerId,
    "customer id"
);
string_id!(
    /// A VIP tier's identifier, e.g. `"gold"`. Tier ids match exactly,
    /// case included (`"Gold"` is not `"gold"`); a rule can only name a
    /// tier the program lists, and a customer whose tier is not listed is
    /// told so in the trace. Coupon codes, by contrast, ignore case.
    TierId,
    "tier id"
);
string_id!(
    /// A segment or tag the shop gives customers, e.g. `"wholesale"`.
    /// Segments match exactly, case included, like tier ids: they are the
    /// host's own labels, so the crate does not guess that two spellings
    /// are one.
    Segment,
    "segment"
);

/// Why a customer is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomerError {
    /// An identifier was blank.
    #[error(transparent)]
    EmptyId(#[from] EmptyIdError),
    /// A month/day pair is not a date.
    #[error(
        "birthday {month:02}-{day:02} is not a date: give a month 1–12 and a day that month has"
    )]
    InvalidBirthday {
        /// The month as given.
        month: u32,
        /// The day as given.
        day: u32,
    },
    /// A birthday's text is not `MM-DD` or `YYYY-MM-DD`.
    #[error("birthday \"{text}\" is not understood: write \"MM-DD\" or \"YYYY-MM-DD\"")]
    BirthdayFormat {
        /// The text as given.
        text: String,
    },
    /// A spend in the stats was negative.
    #[error("stats.{field} is {value}: spend is zero or more")]
    NegativeSpend {
        /// The field, e.g. "lifetime_spend".
        field: &'static str,
        /// The value as given.
        value: Decimal,
    },
    /// A customer written without its id, outside a checkout (inside one,
    /// the order's customer id stands in).
    #[error("customer has no id: give \"id\"")]
    MissingId,
    /// The stats contradict each other.
    #[error("stats: {problem}")]
    InconsistentStats {
        /// What contradicts what.
        problem: &'static str,
    },
}

/// A birthday: a month and a day, without a year.
///
/// Serialised as `"MM-DD"`; deserialised from `"MM-DD"` or `"YYYY-MM-DD"`
/// (the year is dropped). 29 February is a valid birthday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Birthday {
    month: u32,
    day: u32,
}

impl Birthday {
    /// A birthday on `month`/`day`.
    ///
    /// # Errors
    ///
    /// [`CustomerError::InvalidBirthday`] when the pair is not a date in a
    /// leap year.
    pub fn new(month: u32, day: u32) -> Result<Birthday, CustomerError> {
        if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
            return Err(CustomerError::InvalidBirthday { month, day });
        }
        Ok(Birthday { month, day })
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The day of the month.
    #[must_use]
    pub fn day(&self) -> u32 {
        self.day
    }

    /// Whether `date` is this birthday. A 29 February birthday falls on
    /// 28 February in years that have no 29th.
    #[must_use]
    pub fn falls_on(&self, date: NaiveDate) -> bool {
        if date.month() != self.month {
            return false;
        }
        if self.month == 2 && self.day == 29 && !date.leap_year() {
            return date.day() == 28;
        }
        date.day() == self.day
    }
}

impl fmt::Display for Birthday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl std::str::FromStr for Birthday {
    type Err = CustomerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format = || CustomerError::BirthdayFormat { text: s.to_owned() };
        let parts: Vec<&str> = s.trim().split('-').collect();
        let (month, day) = match parts.as_slice() {
            [m, d] => (*m, *d),
            [y, m, d] if y.len() == 4 => (*m, *d),
            _ => return Err(format()),
        };
        let month = month.parse().map_err(|_| format())?;
        let day = day.parse().map_err(|_| format())?;
        Birthday::new(month, day)
    }
}

impl Serialize for Birthday {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Birthday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A snapshot of a customer's history before the order being evaluated.
///
/// Spend is in the currency of the program that reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CustomerStats {
    /// Orders placed before this one (0 for a first order).
    pub orders_before: u32,
    /// Everything spent before this order.
    pub lifetime_spend: Decimal,
    /// Spend in the current tier window (e.g. the last 12 months).
    pub tier_window_spend: Decimal,
    /// Orders in the current tier window.
    pub tier_window_orders: u32,
    /// When the previous order was placed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_order_at: Option<DateTime<Utc>>,
}

impl CustomerStats {
    /// Checks the snapshot for negative spend and contradictions.
    ///
    /// # Errors
    ///
    /// [`CustomerError::NegativeSpend`] or
    /// [`CustomerError::InconsistentStats`].
    pub fn validate(&self) -> Result<(), CustomerError> {
        for (field, value) in [
            ("lifetime_spend", self.lifetime_spend),
            ("tier_window_spend", self.tier_window_spend),
        ] {
            if value.is_sign_negative() && !value.is_zero() {
                return Err(CustomerError::NegativeSpend { field, value });
            }
        }
        if self.tier_window_orders > self.orders_before {
            return Err(CustomerError::InconsistentStats {
                problem: "tier_window_orders is above orders_before: the window cannot hold more orders than the customer ever placed",
            });
        }
        if self.tier_window_spend > self.lifetime_spend {
            return Err(CustomerError::InconsistentStats {
                problem: "tier_window_spend is above lifetime_spend: the window cannot hold more spend than the customer's lifetime",
            });
        }
        if self.orders_before == 0 && self.last_order_at.is_some() {
            return Err(CustomerError::InconsistentStats {
                problem: "last_order_at is set but orders_before is 0: a customer with a previous order has orders_before of 1 or more",
            });
        }
        Ok(())
    }
}

/// A customer as the program sees them at checkout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "CustomerData")]
pub struct Customer {
    id: CustomerId,
    #[serde(skip_serializing_if = "Option::is_none")]
    joined_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday: Option<Birthday>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<TierId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    segments: Vec<Segment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<CustomerStats>,
}

/// A customer as written in JSON or TOML; inside a checkout the id may be
/// left out (the order names the customer).
#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerData {
    #[serde(default, deserialize_with = "crate::util::not_null")]
    id: Option<CustomerId>,
    #[serde(default)]
    joined_at: Option<DateTime<Utc>>,
    #[serde(default)]
    birthday: Option<Birthday>,
    #[serde(default)]
    tier: Option<TierId>,
    #[serde(default)]
    segments: Vec<Segment>,
    #[serde(default, deserialize_with = "crate::util::not_null")]
    stats: Option<CustomerStats>,
}

impl TryFrom<CustomerData> for Customer {
    type Error = CustomerError;
    fn try_from(data: CustomerData) -> Result<Self, Self::Error> {
        Customer::from_data(data, None)
    }
}

impl Customer {
    /// The customer `data` describes, with `id` standing in for a missing
    /// id.
    pub(crate) fn from_data(
        data: CustomerData,
        id: Option<&CustomerId>,
    ) -> Result<Customer, CustomerError> {
        let id = match (data.id, id) {
            (Some(given), _) => given,
            (None, Some(id)) => id.clone(),
            (None, None) => return Err(CustomerError::MissingId),
        };
        if let Some(stats) = &data.stats {
            stats.validate()?;
        }
        let mut segments: Vec<Segment> = Vec::with_capacity(data.segments.len());
        for segment in data.segments {
            if !segments.contains(&segment) {
                segments.push(segment);
            }
        }
        Ok(Customer {
            id,
            joined_at: data.joined_at,
            birthday: data.birthday,
            tier: data.tier,
            segments,
            stats: data.stats,
        })
    }
}

impl Customer {
    /// A customer with no tier, no segments, and no stats: their order
    /// history is unknown, so rules on the order number (first order, Nth
    /// order) do not apply to them and say why. Give
    /// [`with_stats`](Self::with_stats) (`CustomerStats::default()` for a
    /// customer known to have no previous order).
    ///
    /// # Errors
    ///
    /// A blank id.
    pub fn new(id: impl Into<String>) -> Result<Customer, CustomerError> {
        Ok(Customer {
            id: CustomerId::new(id)?,
            joined_at: None,
            birthday: None,
            tier: None,
            segments: Vec::new(),
            stats: None,
        })
    }

    /// A customer known only by an id already validated, e.g. the one an
    /// order names; like [`new`](Self::new), without stats.
    #[must_use]
    pub fn from_id(id: CustomerId) -> Customer {
        Customer {
            id,
            joined_at: None,
            birthday: None,
            tier: None,
            segments: Vec::new(),
            stats: None,
        }
    }

    /// Sets when the customer joined.
    #[must_use]
    pub fn with_joined_at(mut self, at: DateTime<Utc>) -> Customer {
        self.joined_at = Some(at);
        self
    }

    /// Sets the birthday.
    #[must_use]
    pub fn with_birthday(mut self, birthday: Birthday) -> Customer {
        self.birthday = Some(birthday);
        self
    }

    /// Sets the current tier.
    ///
    /// # Errors
    ///
    /// A blank tier id.
    pub fn with_tier(mut self, tier: impl Into<String>) -> Result<Customer, CustomerError> {
        self.tier = Some(TierId::new(tier)?);
        Ok(self)
    }

    /// Adds a segment (once).
    ///
    /// # Errors
    ///
    /// A blank segment.
    pub fn with_segment(mut self, segment: impl Into<String>) -> Result<Customer, CustomerError> {
        let segment = Segment::new(segment)?;
        if !self.segments.contains(&segment) {
            self.segments.push(segment);
        }
        Ok(self)
    }

    /// Sets the history snapshot.
    ///
    /// # Errors
    ///
    /// As [`CustomerStats::validate`].
    pub fn with_stats(mut self, stats: CustomerStats) -> Result<Customer, CustomerError> {
        stats.validate()?;
        self.stats = Some(stats);
        Ok(self)
    }

    /// Sets the history snapshot in place: a customer carried from order
    /// to order (the simulation's).
    ///
    /// # Errors
    ///
    /// As [`CustomerStats::validate`].
    pub(crate) fn set_stats(&mut self, stats: CustomerStats) -> Result<(), CustomerError> {
        stats.validate()?;
        self.stats = Some(stats);
        Ok(())
    }

    /// Sets the tier in place, or none, from a tier id already validated.
    pub(crate) fn set_tier(&mut self, tier: Option<TierId>) {
        self.tier = tier;
    }

    /// The customer's id.
    #[must_use]
    pub fn id(&self) -> &CustomerId {
        &self.id
    }

    /// When the customer joined, if known.
    #[must_use]
    pub fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.joined_at
    }

    /// The birthday, if known.
    #[must_use]
    pub fn birthday(&self) -> Option<Birthday> {
        self.birthday
    }

    /// The current tier, if any.
    #[must_use]
    pub fn tier(&self) -> Option<&TierId> {
        self.tier.as_ref()
    }

    /// The segments and tags.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the customer is in `segment`.
    #[must_use]
    pub fn in_segment(&self, segment: &str) -> bool {
        self.segments.iter().any(|s| s.as_str() == segment)
    }

    /// The history snapshot, when the host gave one.
    #[must_use]
    pub fn stats(&self) -> Option<&CustomerStats> {
        self.stats.as_ref()
    }

    /// The number this order has in the customer's history: 1 for a first
    /// order, 5 for the fifth; `None` without stats.
    #[must_use]
    pub fn order_number(&self) -> Option<u64> {
        self.stats.as_ref().map(|s| u64::from(s.orders_before) + 1)
    }
}

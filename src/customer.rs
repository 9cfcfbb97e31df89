//! Customers: who they are and a snapshot of their history.
//!
//! The library keeps no history of its own. The host passes a [`Customer`]
//! with a [`CustomerStats`] snapshot taken *before* the order being
//! evaluated: how many orders came before, how much was spent, when the last
//! order was.
//!
//! A checkout without a customer record is a guest's ([`Customer::guest`]):
//! it may still carry a contact ([`Email`]), which makes the customer
//! *identified* (the `identified` condition) without being *registered*.
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
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::{EmptyIdError, string_id};

string_id!(
    /// A customer's identifier, as the shop knows it.
    CustomerId,
    "customer id"
);
/// The stand-in id of a guest, for the accessors that always give an id.
static GUEST: LazyLock<CustomerId> = LazyLock::new(|| CustomerId(std::sync::Arc::from("guest")));

impl CustomerId {
    /// The stand-in `"guest"` that [`Customer::id`] and
    /// [`Order::customer`](crate::order::Order::customer) give for a guest
    /// checkout, which has no customer id. It is not a customer: tell a
    /// guest with [`Customer::is_guest`] (a customer whose id is `"guest"`
    /// is a customer like any other).
    #[must_use]
    pub fn guest() -> &'static CustomerId {
        &GUEST
    }
}

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
    /// A contact that is not an email address.
    #[error("email \"{text}\" is not an email address: write it as name@domain")]
    InvalidEmail {
        /// The text as given.
        text: String,
    },
    /// A guest given what only a customer record has (a tier, segments,
    /// stats, a birthday, a joining date).
    #[error(
        "a guest checkout has no customer record, so it has no {field}: leave {field} out, or name the customer (an id on the order) if they have a record"
    )]
    GuestHasRecord {
        /// The field given, e.g. "tier".
        field: &'static str,
    },
    /// A guest given an id.
    #[error(
        "customer {id} is marked as a guest, but a guest has no customer id: drop \"guest\" or the id (and name the customer on the order)"
    )]
    GuestWithId {
        /// The id given.
        id: CustomerId,
    },
    /// The order names a customer, but the checkout's customer is a guest.
    #[error(
        "the order is for customer {order_customer}, but the checkout's customer is a guest: leave the order's customer out for a guest checkout"
    )]
    GuestOfNamedOrder {
        /// The order's customer.
        order_customer: CustomerId,
    },
}

/// What a rule needs of a customer record, which a guest checkout lacks:
/// the reason a promotion (coded or automatic) gives a guest
/// ([`Rejection::GuestCheckout`](crate::rules::coupon::Rejection::GuestCheckout)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordNeed {
    /// Its uses are limited per customer.
    PerCustomerLimit,
    /// It is for a first order only.
    FirstOrder,
    /// It is for one order number.
    OrderNumber,
    /// It is for some tiers only.
    Tier,
    /// It is for some segments only.
    Segment,
}

impl fmt::Display for RecordNeed {
    /// The need as the end of a sentence: "is limited per customer".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordNeed::PerCustomerLimit => "is limited per customer",
            RecordNeed::FirstOrder => "is for a first order",
            RecordNeed::OrderNumber => "is for one order number of a customer's",
            RecordNeed::Tier => "is for members of some tiers",
            RecordNeed::Segment => "is for some customers only",
        })
    }
}

/// A customer's email address, as a contact: trimmed, with a non-empty
/// name and domain around one `@` and no spaces. Kept as given otherwise
/// (the crate does not send mail; the host decides what a match is).
///
/// ```
/// use loyalty::customer::Email;
///
/// let email: Email = " ana@example.com ".parse()?;
/// assert_eq!(email.as_str(), "ana@example.com");
/// assert!("ana.example.com".parse::<Email>().is_err());
/// assert!("ana@".parse::<Email>().is_err());
/// # Ok::<(), loyalty::customer::CustomerError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Email(std::sync::Arc<str>);

impl Email {
    /// The address, validated.
    ///
    /// # Errors
    ///
    /// [`CustomerError::InvalidEmail`] for text that is not `name@domain`.
    pub fn new(text: &str) -> Result<Email, CustomerError> {
        let trimmed = text.trim();
        let valid = match trimmed.split_once('@') {
            Some((name, domain)) => {
                !name.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !trimmed.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !valid {
            return Err(CustomerError::InvalidEmail {
                text: text.to_owned(),
            });
        }
        Ok(Email(std::sync::Arc::from(trimmed)))
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Email {
    type Err = CustomerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::new(s)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Email::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Email {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Email".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": r"^\s*[^@\s]+@[^@\s]+\s*$",
            "description": "A customer's email address, as a contact: name@domain.",
        })
    }
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

/// A customer as the program sees them at checkout: a customer record
/// (an id, with what the host knows of them), or a guest
/// ([`Customer::guest`]) who has none.
///
/// In JSON, `{"id": "C-42", "tier": "gold", "email": "ana@example.com"}`;
/// a guest is `{"guest": true}`, with an `"email"` when they gave one.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "CustomerData")]
pub struct Customer {
    /// `None` for a guest.
    id: Option<CustomerId>,
    email: Option<Email>,
    joined_at: Option<DateTime<Utc>>,
    birthday: Option<Birthday>,
    tier: Option<TierId>,
    segments: Vec<Segment>,
    stats: Option<CustomerStats>,
}

/// A customer as written out.
#[derive(Serialize)]
struct CustomerOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a CustomerId>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    guest: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a Email>,
    #[serde(skip_serializing_if = "Option::is_none")]
    joined_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday: Option<Birthday>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'a TierId>,
    #[serde(skip_serializing_if = "<[Segment]>::is_empty")]
    segments: &'a [Segment],
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<&'a CustomerStats>,
}

impl Serialize for Customer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CustomerOut {
            id: self.id.as_ref(),
            guest: self.id.is_none(),
            email: self.email.as_ref(),
            joined_at: self.joined_at,
            birthday: self.birthday,
            tier: self.tier.as_ref(),
            segments: &self.segments,
            stats: self.stats.as_ref(),
        }
        .serialize(s)
    }
}

/// A customer as written in JSON or TOML; inside a checkout the id may be
/// left out (the order names the customer).
#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerData {
    #[serde(default, deserialize_with = "crate::util::not_null")]
    id: Option<CustomerId>,
    /// A guest checkout: no customer record.
    #[serde(default)]
    guest: bool,
    /// The customer's email address, as a contact.
    #[serde(default, deserialize_with = "crate::util::not_null")]
    email: Option<Email>,
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
        Customer::from_data(data, Named::Standalone)
    }
}

/// Who the order of a checkout names, for reading its customer.
#[derive(Clone, Copy)]
pub(crate) enum Named<'a> {
    /// No order: a customer on their own.
    Standalone,
    /// The order names this customer.
    Customer(&'a CustomerId),
    /// The order is a guest's.
    Guest,
}

impl Customer {
    /// The customer `data` describes, the order naming `named` (whose id
    /// stands in for a missing one).
    pub(crate) fn from_data(
        data: CustomerData,
        named: Named<'_>,
    ) -> Result<Customer, CustomerError> {
        let guest = match (&data.id, data.guest, named) {
            (Some(id), true, _) | (Some(id), false, Named::Guest) => {
                return Err(CustomerError::GuestWithId { id: id.clone() });
            }
            (None, true, Named::Customer(order_customer)) => {
                return Err(CustomerError::GuestOfNamedOrder {
                    order_customer: order_customer.clone(),
                });
            }
            (None, _, Named::Guest) | (None, true, Named::Standalone) => true,
            (None, false, Named::Standalone) => return Err(CustomerError::MissingId),
            (Some(_), false, _) | (None, false, Named::Customer(_)) => false,
        };
        if guest {
            let mut customer = Customer::guest();
            customer.email = data.email;
            for (field, given) in [
                ("joined_at", data.joined_at.is_some()),
                ("birthday", data.birthday.is_some()),
                ("tier", data.tier.is_some()),
                ("segments", !data.segments.is_empty()),
                ("stats", data.stats.is_some()),
            ] {
                if given {
                    return Err(CustomerError::GuestHasRecord { field });
                }
            }
            return Ok(customer);
        }
        let id = match (data.id, named) {
            (Some(given), _) => given,
            (None, Named::Customer(id)) => id.clone(),
            (None, _) => return Err(CustomerError::MissingId),
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
            id: Some(id),
            email: data.email,
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
        Ok(Customer::from_id(CustomerId::new(id)?))
    }

    /// A customer known only by an id already validated, e.g. the one an
    /// order names; like [`new`](Self::new), without stats.
    #[must_use]
    pub fn from_id(id: CustomerId) -> Customer {
        Customer {
            id: Some(id),
            email: None,
            joined_at: None,
            birthday: None,
            tier: None,
            segments: Vec::new(),
            stats: None,
        }
    }

    /// A guest: a checkout without a customer record. Rules that need one
    /// do not match, each with a reason that says so: promotions (coded or
    /// automatic) limited per customer, first-order and order-number
    /// rules, promotions for some tiers or segments, conditions on the
    /// customer's tier, segments, birthday or history; paying with points
    /// or cashback is refused (no wallet); the points and cashback the order
    /// would earn are reported as unclaimed, never credited. A guest may
    /// give a contact ([`with_email`](Self::with_email)).
    ///
    /// ```
    /// use loyalty::customer::Customer;
    ///
    /// let guest = Customer::guest().with_email("ana@example.com")?;
    /// assert!(guest.is_guest());
    /// assert!(guest.is_identified());
    /// assert_eq!(guest.record_id(), None);
    /// assert!(Customer::guest().with_tier("gold").is_err());
    /// assert_eq!(serde_json::to_string(&guest)?, r#"{"guest":true,"email":"ana@example.com"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn guest() -> Customer {
        Customer {
            id: None,
            email: None,
            joined_at: None,
            birthday: None,
            tier: None,
            segments: Vec::new(),
            stats: None,
        }
    }

    /// Sets the customer's email address, as a contact.
    ///
    /// # Errors
    ///
    /// [`CustomerError::InvalidEmail`] for text that is not `name@domain`.
    pub fn with_email(mut self, email: &str) -> Result<Customer, CustomerError> {
        self.email = Some(Email::new(email)?);
        Ok(self)
    }

    /// Sets when the customer joined (a guest has no joining date: a
    /// checkout refuses one).
    #[must_use]
    pub fn with_joined_at(mut self, at: DateTime<Utc>) -> Customer {
        self.joined_at = Some(at);
        self
    }

    /// Sets the birthday (a guest has none on file: a checkout refuses
    /// one).
    #[must_use]
    pub fn with_birthday(mut self, birthday: Birthday) -> Customer {
        self.birthday = Some(birthday);
        self
    }

    /// Sets the current tier.
    ///
    /// # Errors
    ///
    /// A blank tier id; [`CustomerError::GuestHasRecord`] for a guest.
    pub fn with_tier(mut self, tier: impl Into<String>) -> Result<Customer, CustomerError> {
        self.no_guest("tier")?;
        self.tier = Some(TierId::new(tier)?);
        Ok(self)
    }

    /// Adds a segment (once).
    ///
    /// # Errors
    ///
    /// A blank segment; [`CustomerError::GuestHasRecord`] for a guest.
    pub fn with_segment(mut self, segment: impl Into<String>) -> Result<Customer, CustomerError> {
        self.no_guest("segments")?;
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
    /// As [`CustomerStats::validate`]; [`CustomerError::GuestHasRecord`]
    /// for a guest.
    pub fn with_stats(mut self, stats: CustomerStats) -> Result<Customer, CustomerError> {
        self.no_guest("stats")?;
        stats.validate()?;
        self.stats = Some(stats);
        Ok(self)
    }

    fn no_guest(&self, field: &'static str) -> Result<(), CustomerError> {
        if self.is_guest() {
            Err(CustomerError::GuestHasRecord { field })
        } else {
            Ok(())
        }
    }

    /// What a guest has been given that only a customer record has, if
    /// anything (for a checkout to refuse it).
    pub(crate) fn guest_record_field(&self) -> Option<&'static str> {
        if !self.is_guest() {
            return None;
        }
        [
            ("joined_at", self.joined_at.is_some()),
            ("birthday", self.birthday.is_some()),
            ("tier", self.tier.is_some()),
            ("segments", !self.segments.is_empty()),
            ("stats", self.stats.is_some()),
        ]
        .into_iter()
        .find_map(|(field, given)| given.then_some(field))
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

    /// The customer's id; for a guest, the stand-in [`CustomerId::guest`]
    /// (tell a guest with [`is_guest`](Self::is_guest)).
    #[must_use]
    pub fn id(&self) -> &CustomerId {
        self.id.as_ref().unwrap_or_else(|| CustomerId::guest())
    }

    /// The id of the customer record; `None` for a guest.
    #[must_use]
    pub fn record_id(&self) -> Option<&CustomerId> {
        self.id.as_ref()
    }

    /// Whether this is a guest checkout: no customer record.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.id.is_none()
    }

    /// Whether the customer is identified: a customer record, or a guest
    /// who gave a contact.
    #[must_use]
    pub fn is_identified(&self) -> bool {
        self.id.is_some() || self.email.is_some()
    }

    /// The customer's email address, when given.
    #[must_use]
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
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
    /// order, 5 for the fifth; `None` without stats (and for a guest).
    #[must_use]
    pub fn order_number(&self) -> Option<u64> {
        self.stats.as_ref().map(|s| u64::from(s.orders_before) + 1)
    }
}

//! Conditions: when a rule applies, and which lines it counts.
//!
//! A [`Condition`] is a tree of `all` / `any` / `not` over leaf facts about the
//! order, the customer and the local time. It evaluates against [`Facts`],
//! derived once per checkout, and answers met or not met **with the observed
//! value and the bound** ([`Observation`]), so that a trace can say
//! "subtotal 187.50 is below 200.00".
//!
//! A [`LineSelector`] says which lines a rule counts: include by sku,
//! category or label, exclude by sku, category or label; exclusion wins.
//!
//! # Example
//!
//! ```
//! use loyalty::calendar::{Calendar, Zone};
//! use loyalty::condition::{Condition, Facts};
//! use loyalty::customer::Customer;
//! use loyalty::money::{Currency, Money};
//! use loyalty::order::{Line, Order};
//! use rust_decimal::Decimal;
//!
//! let eur = Currency::EUR;
//! let at = "2026-11-27T15:00:00Z".parse()?;
//! let order = Order::builder("A-1", "C-1", at, eur)
//!     .line(Line::new("1", "TEA", 3, Money::parse("62.50", eur)?))
//!     .build()?;
//! let customer = Customer::new("C-1")?;
//! let calendar = Calendar::new(Zone::parse("Europe/Lisbon")?, None, vec![])?;
//! let facts = Facts::new(&order, &customer, &calendar, at);
//!
//! let rule: Condition = serde_json::from_str(
//!     r#"{"all": [{"subtotal_at_least": "200.00"}, {"seasonal_event": "black_friday"}]}"#,
//! )?;
//! let verdict = rule.evaluate(&facts)?;
//! assert!(!verdict.met);
//! assert_eq!(verdict.because.unwrap().to_string(), "subtotal 187.50 is below 200.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, Country, DateWindow, SeasonalEvent, TimeOfDay};
use crate::customer::{Customer, Segment, TierId};
use crate::money::PerCurrency;
use crate::order::{Category, Channel, LabelKey, Line, Order, Sku};

/// The deepest nesting of `all` / `any` / `not` a program may use.
pub const MAX_DEPTH: usize = 32;

/// When a rule applies: a tree of leaf facts joined by `all`, `any` and `not`.
///
/// Serialised externally tagged in snake case, e.g.
/// `{"any": [{"tier_in": ["gold"]}, {"order_number_at_least": 5}]}`, or the
/// bare string `"first_order"` for a leaf without data.
///
/// The amount of a subtotal leaf may be one per currency
/// (`{"subtotal_at_least": {"EUR": "100.00", "USD": "120.00"}}`); a leaf
/// whose table has no amount in the order's currency does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// Every condition holds (an empty list holds).
    All(Vec<Condition>),
    /// At least one condition holds (an empty list does not).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// The order's subtotal (non-exempt lines, before discounts) is at least
    /// this amount.
    SubtotalAtLeast(PerCurrency),
    /// The order's subtotal is below this amount.
    SubtotalBelow(PerCurrency),
    /// The order's subtotal is more than this amount (the exclusive form
    /// of `subtotal_at_least`).
    SubtotalAbove(PerCurrency),
    /// The order's subtotal is this amount or less (the inclusive form of
    /// `subtotal_below`).
    SubtotalAtMost(PerCurrency),
    /// The order has at least this many non-exempt units.
    QuantityAtLeast(u64),
    /// A line sells this sku (exempt lines count: this is a fact about the
    /// basket, not an amount).
    HasSku(Sku),
    /// A line is in this category (exempt lines count).
    HasCategory(Category),
    /// The customer's tier is one of these.
    TierIn(Vec<TierId>),
    /// The customer is in one of these segments.
    SegmentIn(Vec<Segment>),
    /// This is the customer's first order.
    FirstOrder,
    /// This order is the customer's Nth or later (2 = "from the second
    /// purchase").
    OrderNumberAtLeast(u64),
    /// This order is exactly the customer's Nth (5 = "the fifth order").
    OrderNumberIs(u64),
    /// At least this many whole days passed since the customer's previous
    /// order (a customer with no previous order does not meet it).
    DaysSinceLastOrderAtLeast(u32),
    /// The order came through one of these channels.
    ChannelIn(Vec<Channel>),
    /// The order ships to one of these countries.
    CountryIn(Vec<Country>),
    /// The checkout's local time is inside this window.
    DateWindow(DateWindow),
    /// The checkout's local weekday is one of these.
    Weekdays(Vec<Weekday>),
    /// The checkout's local time of day is inside this span.
    TimeOfDay(TimeOfDay),
    /// The checkout's local date is this seasonal event.
    SeasonalEvent(SeasonalEvent),
    /// The checkout's local month is the customer's birthday month.
    BirthdayMonth,
    /// The checkout's local date is the customer's birthday (29 February
    /// falls on 28 February in other years).
    Birthday,
    /// The customer is identified: a customer record, or a guest who gave
    /// a contact (an email). "Customer must be identified".
    Identified,
    /// The customer has a customer record: not a guest checkout.
    Registered,
}

/// A condition that cannot be used, found when a program is validated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConditionError {
    /// An amount bound was negative.
    #[error("{field} is {value}: amounts in conditions are zero or more")]
    NegativeAmount {
        /// The leaf, e.g. "subtotal_at_least".
        field: &'static str,
        /// The value as given.
        value: Decimal,
    },
    /// A list leaf was empty, so it could never hold.
    #[error("{field} has an empty list: name at least one value, or remove the condition")]
    EmptyList {
        /// The leaf, e.g. "tier_in".
        field: &'static str,
    },
    /// The order number 0 does not exist.
    #[error("{field} is 0: orders are numbered from 1 (the first order)")]
    ZeroOrderNumber {
        /// The leaf.
        field: &'static str,
    },
    /// Too deeply nested.
    #[error("conditions are nested deeper than {MAX_DEPTH} levels: flatten them")]
    TooDeep,
    /// A seasonal event the calendar cannot resolve.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl Condition {
    /// Checks the condition against a program's calendar: bounds, lists,
    /// nesting, and that every seasonal event can be resolved.
    ///
    /// # Errors
    ///
    /// The first [`ConditionError`] found.
    pub fn validate(&self, calendar: &Calendar) -> Result<(), ConditionError> {
        self.validate_at(calendar, 0)
    }

    fn validate_at(&self, calendar: &Calendar, depth: usize) -> Result<(), ConditionError> {
        if depth > MAX_DEPTH {
            return Err(ConditionError::TooDeep);
        }
        let non_negative = |field, value: Decimal| {
            if value.is_sign_negative() && !value.is_zero() {
                Err(ConditionError::NegativeAmount { field, value })
            } else {
                Ok(())
            }
        };
        let non_empty = |field, empty: bool| {
            if empty {
                Err(ConditionError::EmptyList { field })
            } else {
                Ok(())
            }
        };
        match self {
            Condition::All(list) | Condition::Any(list) => {
                for c in list {
                    c.validate_at(calendar, depth + 1)?;
                }
                Ok(())
            }
            Condition::Not(inner) => inner.validate_at(calendar, depth + 1),
            Condition::SubtotalAtLeast(v) => v
                .amounts()
                .try_for_each(|v| non_negative("subtotal_at_least", v)),
            Condition::SubtotalBelow(v) => v
                .amounts()
                .try_for_each(|v| non_negative("subtotal_below", v)),
            Condition::SubtotalAbove(v) => v
                .amounts()
                .try_for_each(|v| non_negative("subtotal_above", v)),
            Condition::SubtotalAtMost(v) => v
                .amounts()
                .try_for_each(|v| non_negative("subtotal_at_most", v)),
            Condition::TierIn(list) => non_empty("tier_in", list.is_empty()),
            Condition::SegmentIn(list) => non_empty("segment_in", list.is_empty()),
            Condition::ChannelIn(list) => non_empty("channel_in", list.is_empty()),
            Condition::CountryIn(list) => non_empty("country_in", list.is_empty()),
            Condition::Weekdays(list) => non_empty("weekdays", list.is_empty()),
            Condition::OrderNumberAtLeast(0) => Err(ConditionError::ZeroOrderNumber {
                field: "order_number_at_least",
            }),
            Condition::OrderNumberIs(0) => Err(ConditionError::ZeroOrderNumber {
                field: "order_number_is",
            }),
            Condition::SeasonalEvent(event) => Ok(calendar.check_event(event)?),
            Condition::QuantityAtLeast(_)
            | Condition::HasSku(_)
            | Condition::HasCategory(_)
            | Condition::FirstOrder
            | Condition::OrderNumberAtLeast(_)
            | Condition::OrderNumberIs(_)
            | Condition::DaysSinceLastOrderAtLeast(_)
            | Condition::DateWindow(_)
            | Condition::TimeOfDay(_)
            | Condition::BirthdayMonth
            | Condition::Birthday
            | Condition::Identified
            | Condition::Registered => Ok(()),
        }
    }

    /// Adds the tiers that `tier_in` leaves name, anywhere in the tree, to
    /// `out` (for checking them against a program's tiers). Stops at
    /// [`MAX_DEPTH`].
    pub fn named_tiers<'c>(&'c self, out: &mut Vec<&'c TierId>) {
        self.named_tiers_at(out, 0);
    }

    fn named_tiers_at<'c>(&'c self, out: &mut Vec<&'c TierId>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match self {
            Condition::All(list) | Condition::Any(list) => {
                for c in list {
                    c.named_tiers_at(out, depth + 1);
                }
            }
            Condition::Not(inner) => inner.named_tiers_at(out, depth + 1),
            Condition::TierIn(tiers) => out.extend(tiers.iter()),
            _ => {}
        }
    }

    /// Calls `visit` with each date window in the tree (not under a `not`,
    /// where a window that has ended makes the condition hold). Stops at
    /// [`MAX_DEPTH`].
    pub(crate) fn windows(&self, visit: &mut dyn FnMut(&DateWindow)) {
        self.windows_at(visit, 0);
    }

    fn windows_at(&self, visit: &mut dyn FnMut(&DateWindow), depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match self {
            Condition::All(list) | Condition::Any(list) => {
                for c in list {
                    c.windows_at(visit, depth + 1);
                }
            }
            Condition::DateWindow(window) => visit(window),
            _ => {}
        }
    }

    /// Evaluates the condition.
    ///
    /// The verdict's `because` is the leaf that decided: for a condition not
    /// met, the first leaf that failed; for one met, the last leaf checked.
    ///
    /// # Errors
    ///
    /// A seasonal event the calendar cannot resolve for the checkout's year
    /// (a program validated with [`Condition::validate`] only meets this for
    /// years outside the calendar's range).
    pub fn evaluate(&self, facts: &Facts<'_>) -> Result<Verdict, CalendarError> {
        self.judge(facts, true)
    }

    /// Whether the condition holds, without the observation that decided
    /// (nothing is written for it): the evaluation's path when no one asked
    /// why.
    pub(crate) fn holds(&self, facts: &Facts<'_>) -> Result<bool, CalendarError> {
        self.judge(facts, false).map(|verdict| verdict.met)
    }

    /// The verdict; the observations are written only if `explain`
    /// (`because` is `None` otherwise).
    pub(crate) fn judge(&self, facts: &Facts<'_>, explain: bool) -> Result<Verdict, CalendarError> {
        match self {
            Condition::All(list) => {
                let mut last = None;
                for c in list {
                    let verdict = c.judge(facts, explain)?;
                    if !verdict.met {
                        return Ok(verdict);
                    }
                    last = verdict.because;
                }
                Ok(Verdict {
                    met: true,
                    because: last,
                })
            }
            Condition::Any(list) => {
                let mut first_failure = None;
                for c in list {
                    let verdict = c.judge(facts, explain)?;
                    if verdict.met {
                        return Ok(verdict);
                    }
                    if first_failure.is_none() {
                        first_failure = verdict.because;
                    }
                }
                Ok(Verdict {
                    met: false,
                    because: first_failure,
                })
            }
            Condition::Not(inner) => {
                let verdict = inner.judge(facts, explain)?;
                Ok(Verdict {
                    met: !verdict.met,
                    because: verdict.because.map(Observation::negated),
                })
            }
            leaf => leaf.evaluate_leaf(facts, explain).map(|o| Verdict {
                met: o.met,
                because: explain.then_some(o),
            }),
        }
    }

    /// A leaf's observation; what was observed and the bound are written
    /// only if `explain` (`Value::None` otherwise).
    fn evaluate_leaf(
        &self,
        facts: &Facts<'_>,
        explain: bool,
    ) -> Result<Observation, CalendarError> {
        macro_rules! obs {
            ($fact:expr, $observed:expr, $bound:expr, $met:expr $(,)?) => {
                Observation {
                    fact: $fact,
                    observed: if explain { $observed } else { Value::None },
                    bound: if explain { $bound } else { Value::None },
                    met: $met,
                    negated: false,
                }
            };
        }
        let names = |list: &[String]| Value::List(list.to_vec());
        // A guest has no record: every leaf about one observes so.
        let guest = facts.customer.is_guest();
        let record = |value: Value| {
            if guest {
                Value::NoCustomerRecord
            } else {
                value
            }
        };
        Ok(match self {
            Condition::SubtotalAtLeast(bound) => {
                let bound = facts.bound(bound);
                obs!(
                    Fact::SubtotalAtLeast,
                    facts.amount(facts.subtotal),
                    bound.map_or(Value::None, |b| facts.amount(b)),
                    bound.is_some_and(|b| facts.subtotal >= b),
                )
            }
            Condition::SubtotalBelow(bound) => {
                let bound = facts.bound(bound);
                obs!(
                    Fact::SubtotalBelow,
                    facts.amount(facts.subtotal),
                    bound.map_or(Value::None, |b| facts.amount(b)),
                    bound.is_some_and(|b| facts.subtotal < b),
                )
            }
            Condition::SubtotalAbove(bound) => {
                let bound = facts.bound(bound);
                obs!(
                    Fact::SubtotalAbove,
                    facts.amount(facts.subtotal),
                    bound.map_or(Value::None, |b| facts.amount(b)),
                    bound.is_some_and(|b| facts.subtotal > b),
                )
            }
            Condition::SubtotalAtMost(bound) => {
                let bound = facts.bound(bound);
                obs!(
                    Fact::SubtotalAtMost,
                    facts.amount(facts.subtotal),
                    bound.map_or(Value::None, |b| facts.amount(b)),
                    bound.is_some_and(|b| facts.subtotal <= b),
                )
            }
            Condition::QuantityAtLeast(bound) => obs!(
                Fact::QuantityAtLeast,
                Value::Count(facts.quantity),
                Value::Count(*bound),
                facts.quantity >= *bound,
            ),
            Condition::HasSku(sku) => {
                let met = facts.order.lines().iter().any(|l| l.sku() == sku);
                obs!(
                    Fact::HasSku,
                    Value::Bool(met),
                    Value::Text(sku.to_string()),
                    met,
                )
            }
            Condition::HasCategory(category) => {
                let met = facts
                    .order
                    .lines()
                    .iter()
                    .any(|l| l.categories().contains(category));
                obs!(
                    Fact::HasCategory,
                    Value::Bool(met),
                    Value::Text(category.to_string()),
                    met,
                )
            }
            Condition::TierIn(tiers) => {
                let tier = facts.customer.tier();
                obs!(
                    Fact::TierIn,
                    record(tier.map_or(Value::None, |t| Value::Text(t.to_string()))),
                    names(&tiers.iter().map(ToString::to_string).collect::<Vec<_>>()),
                    tier.is_some_and(|t| tiers.contains(t)),
                )
            }
            Condition::SegmentIn(segments) => {
                let found = facts
                    .customer
                    .segments()
                    .iter()
                    .find(|s| segments.contains(s));
                obs!(
                    Fact::SegmentIn,
                    record(match found {
                        Some(s) => Value::Text(s.to_string()),
                        None => Value::List(
                            facts
                                .customer
                                .segments()
                                .iter()
                                .map(ToString::to_string)
                                .collect(),
                        ),
                    }),
                    names(&segments.iter().map(ToString::to_string).collect::<Vec<_>>()),
                    found.is_some(),
                )
            }
            // Without the customer's history the order number is unknown:
            // the leaf does not hold, and says so.
            Condition::FirstOrder => obs!(
                Fact::FirstOrder,
                record(facts.order_number.map_or(Value::None, Value::Count)),
                Value::Count(1),
                facts.order_number == Some(1),
            ),
            Condition::OrderNumberAtLeast(n) => obs!(
                Fact::OrderNumberAtLeast,
                record(facts.order_number.map_or(Value::None, Value::Count)),
                Value::Count(*n),
                facts.order_number.is_some_and(|o| o >= *n),
            ),
            Condition::OrderNumberIs(n) => obs!(
                Fact::OrderNumberIs,
                record(facts.order_number.map_or(Value::None, Value::Count)),
                Value::Count(*n),
                facts.order_number == Some(*n),
            ),
            Condition::DaysSinceLastOrderAtLeast(days) => {
                let since = facts.days_since_last_order;
                obs!(
                    Fact::DaysSinceLastOrderAtLeast,
                    record(since.map_or(Value::None, Value::Count)),
                    Value::Count(u64::from(*days)),
                    since.is_some_and(|d| d >= u64::from(*days)),
                )
            }
            Condition::ChannelIn(channels) => {
                let channel = facts.order.channel();
                obs!(
                    Fact::ChannelIn,
                    channel.map_or(Value::None, |c| Value::Text(c.to_string())),
                    names(&channels.iter().map(ToString::to_string).collect::<Vec<_>>()),
                    channel.is_some_and(|c| channels.contains(c)),
                )
            }
            Condition::CountryIn(countries) => {
                let country = facts.order.country();
                obs!(
                    Fact::CountryIn,
                    country.map_or(Value::None, |c| Value::Text(c.to_string())),
                    names(
                        &countries
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>(),
                    ),
                    country.is_some_and(|c| countries.contains(&c)),
                )
            }
            Condition::DateWindow(window) => {
                let met = window.contains_local(facts.local);
                let bound = match (window.start(), window.end()) {
                    (Some(start), _) if facts.local < start => Value::DateTime(start),
                    (_, Some(end)) if facts.local >= end => Value::DateTime(end),
                    (Some(start), _) => Value::DateTime(start),
                    (None, Some(end)) => Value::DateTime(end),
                    (None, None) => Value::None,
                };
                obs!(Fact::DateWindow, Value::DateTime(facts.local), bound, met)
            }
            Condition::Weekdays(days) => {
                let today = facts.local.weekday();
                obs!(
                    Fact::Weekdays,
                    Value::Text(weekday_name(today).to_owned()),
                    Value::List(days.iter().map(|d| weekday_name(*d).to_owned()).collect()),
                    days.contains(&today),
                )
            }
            Condition::TimeOfDay(span) => {
                let time = facts.local.time();
                obs!(
                    Fact::TimeOfDay,
                    Value::Time(time.with_nanosecond(0).unwrap_or(time)),
                    Value::Text(format!(
                        "{}–{}",
                        span.from().format("%H:%M"),
                        span.to().format("%H:%M")
                    )),
                    span.contains(time),
                )
            }
            Condition::SeasonalEvent(event) => {
                let today = facts.local.date();
                let date = facts.calendar.date_of(event, today.year())?;
                obs!(
                    Fact::SeasonalEvent,
                    Value::Date(today),
                    match date {
                        Some(d) => Value::Event {
                            name: event.name().to_owned(),
                            date: d,
                        },
                        None => Value::Text(event.name().to_owned()),
                    },
                    date == Some(today),
                )
            }
            Condition::BirthdayMonth => {
                let month = facts.local.month();
                let birthday = facts.customer.birthday();
                obs!(
                    Fact::BirthdayMonth,
                    record(birthday.map_or(Value::None, |b| Value::Month(b.month()))),
                    Value::Month(month),
                    birthday.is_some_and(|b| b.month() == month),
                )
            }
            Condition::Birthday => {
                let today = facts.local.date();
                let birthday = facts.customer.birthday();
                obs!(
                    Fact::Birthday,
                    record(birthday.map_or(Value::None, |b| Value::Text(b.to_string()))),
                    Value::Date(today),
                    birthday.is_some_and(|b| b.falls_on(today)),
                )
            }
            Condition::Identified => {
                let customer = facts.customer;
                obs!(
                    Fact::Identified,
                    match (customer.record_id(), customer.email()) {
                        (Some(id), _) => Value::Text(format!("customer {id}")),
                        (None, Some(email)) => Value::Text(format!("contact {email}")),
                        (None, None) => Value::NoCustomerRecord,
                    },
                    Value::None,
                    customer.is_identified(),
                )
            }
            Condition::Registered => {
                let customer = facts.customer;
                obs!(
                    Fact::Registered,
                    customer
                        .record_id()
                        .map_or(Value::NoCustomerRecord, |id| Value::Text(id.to_string())),
                    Value::None,
                    !customer.is_guest(),
                )
            }
            Condition::All(_) | Condition::Any(_) | Condition::Not(_) => unreachable_combinator(),
        })
    }
}

/// `evaluate` routes combinators before leaves; this answers "met" for an
/// impossible call rather than panic.
fn unreachable_combinator() -> Observation {
    Observation {
        fact: Fact::FirstOrder,
        observed: Value::None,
        bound: Value::None,
        met: true,
        negated: false,
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Whether a condition held, and the observation that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the condition held.
    pub met: bool,
    /// The leaf observation that decided; `None` for an empty `all`/`any`.
    pub because: Option<Observation>,
}

/// Which leaf fact an [`Observation`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)] // named exactly as the `Condition` leaves they report
pub enum Fact {
    SubtotalAtLeast,
    SubtotalBelow,
    SubtotalAbove,
    SubtotalAtMost,
    QuantityAtLeast,
    HasSku,
    HasCategory,
    TierIn,
    SegmentIn,
    FirstOrder,
    OrderNumberAtLeast,
    OrderNumberIs,
    DaysSinceLastOrderAtLeast,
    ChannelIn,
    CountryIn,
    DateWindow,
    Weekdays,
    TimeOfDay,
    SeasonalEvent,
    BirthdayMonth,
    Birthday,
    Identified,
    Registered,
}

/// A value observed or bound in an [`Observation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Value {
    /// No value (no tier, no previous order, no birthday on file).
    None,
    /// A guest checkout: no customer record to read the fact from.
    NoCustomerRecord,
    /// An amount in the order's currency, written with its decimals.
    Amount(Decimal),
    /// A count: units, an order number, days.
    Count(u64),
    /// Yes or no.
    Bool(bool),
    /// A name.
    Text(String),
    /// Several names.
    List(Vec<String>),
    /// A local date.
    Date(NaiveDate),
    /// A local time of day.
    Time(NaiveTime),
    /// A local date and time.
    DateTime(NaiveDateTime),
    /// A month, 1–12.
    Month(u32),
    /// A seasonal event and its date this year.
    Event {
        /// The event's name.
        name: String,
        /// Its local date.
        date: NaiveDate,
    },
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::NoCustomerRecord => f.write_str("no customer record"),
            Value::Amount(v) => write!(f, "{v}"),
            Value::Count(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => f.write_str(t),
            Value::List(items) => write!(f, "[{}]", items.join(", ")),
            Value::Date(d) => write!(f, "{d}"),
            Value::Time(t) => write!(f, "{}", t.format("%H:%M:%S")),
            Value::DateTime(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M:%S")),
            Value::Month(m) => f.write_str(month_name(*m)),
            Value::Event { name, date } => write!(f, "{name} ({date})"),
        }
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    month
        .checked_sub(1)
        .and_then(|i| NAMES.get(i as usize))
        .copied()
        .unwrap_or("an unknown month")
}

/// One leaf's verdict with what was observed and the bound it was held to.
///
/// Its `Display` is a sentence for a support agent, e.g.
/// "subtotal 187.50 is below 200.00".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The leaf fact.
    pub fact: Fact,
    /// What the checkout showed.
    pub observed: Value,
    /// The bound of the condition.
    pub bound: Value,
    /// Whether the leaf held (before any `not` above it).
    pub met: bool,
    /// Whether a `not` above the leaf inverted it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
}

impl Observation {
    fn negated(mut self) -> Observation {
        self.negated = !self.negated;
        self
    }
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (o, b, met) = (&self.observed, &self.bound, self.met);
        match (self.fact, met) {
            (Fact::Identified, true) => write!(f, "the customer is identified ({o})"),
            (Fact::Identified, false) => {
                f.write_str("guest checkout: no customer record and no contact")
            }
            (Fact::Registered, true) => write!(f, "customer {o} has a customer record"),
            (Fact::Registered, false) => f.write_str("guest checkout: no customer record"),
            (fact, _) if *o == Value::NoCustomerRecord => write!(
                f,
                "guest checkout: no customer record ({})",
                match fact {
                    Fact::TierIn => "no tier",
                    Fact::SegmentIn => "no segments",
                    Fact::DaysSinceLastOrderAtLeast => "no order history",
                    Fact::Birthday | Fact::BirthdayMonth => "no birthday",
                    _ => "the order number is unknown",
                }
            ),
            (Fact::SubtotalAtLeast, true) => write!(f, "subtotal {o} is at least {b}"),
            (Fact::SubtotalAtLeast, false) => write!(f, "subtotal {o} is below {b}"),
            (Fact::SubtotalBelow, true) => write!(f, "subtotal {o} is below {b}"),
            (Fact::SubtotalBelow, false) => write!(f, "subtotal {o} is not below {b}"),
            (Fact::SubtotalAbove, true) => write!(f, "subtotal {o} is above {b}"),
            (Fact::SubtotalAbove, false) => write!(f, "subtotal {o} is not above {b}"),
            (Fact::SubtotalAtMost, true) => write!(f, "subtotal {o} is at most {b}"),
            (Fact::SubtotalAtMost, false) => write!(f, "subtotal {o} is above {b}"),
            (Fact::QuantityAtLeast, true) => write!(f, "quantity {o} is at least {b}"),
            (Fact::QuantityAtLeast, false) => write!(f, "quantity {o} is below {b}"),
            (Fact::HasSku, true) => write!(f, "the order has sku {b}"),
            (Fact::HasSku, false) => write!(f, "the order has no sku {b}"),
            (Fact::HasCategory, true) => write!(f, "the order has category {b}"),
            (Fact::HasCategory, false) => write!(f, "the order has no category {b}"),
            (Fact::TierIn, true) => write!(f, "tier {o} is in {b}"),
            (Fact::TierIn, false) => write!(f, "tier {o} is not in {b}"),
            (Fact::SegmentIn, true) => write!(f, "segment {o} is in {b}"),
            (Fact::SegmentIn, false) => write!(f, "segments {o} are not in {b}"),
            (Fact::FirstOrder | Fact::OrderNumberAtLeast | Fact::OrderNumberIs, _)
                if *o == Value::None =>
            {
                write!(
                    f,
                    "the order number is unknown: the checkout has no customer stats"
                )
            }
            (Fact::FirstOrder, true) => write!(f, "this is the customer's first order"),
            (Fact::FirstOrder, false) => write!(f, "this is order {o}, not the first"),
            (Fact::OrderNumberAtLeast, true) => write!(f, "this is order {o}, at least {b}"),
            (Fact::OrderNumberAtLeast, false) => write!(f, "this is order {o}, below {b}"),
            (Fact::OrderNumberIs, true) => write!(f, "this is order {o}"),
            (Fact::OrderNumberIs, false) => write!(f, "this is order {o}, not order {b}"),
            (Fact::DaysSinceLastOrderAtLeast, _) if *o == Value::None => {
                write!(f, "the customer has no previous order")
            }
            (Fact::DaysSinceLastOrderAtLeast, true) => {
                write!(f, "{o} days since the last order, at least {b}")
            }
            (Fact::DaysSinceLastOrderAtLeast, false) => {
                write!(f, "{o} days since the last order, below {b}")
            }
            (Fact::ChannelIn, true) => write!(f, "channel {o} is in {b}"),
            (Fact::ChannelIn, false) => write!(f, "channel {o} is not in {b}"),
            (Fact::CountryIn, true) => write!(f, "country {o} is in {b}"),
            (Fact::CountryIn, false) => write!(f, "country {o} is not in {b}"),
            (Fact::DateWindow, true) => write!(f, "local time {o} is inside the window"),
            (Fact::DateWindow, false) => match (o, b) {
                (Value::DateTime(now), Value::DateTime(edge)) if now < edge => {
                    write!(f, "local time {o} is before the window starts at {b}")
                }
                _ => write!(f, "local time {o} is after the window ended at {b}"),
            },
            (Fact::Weekdays, true) => write!(f, "{o} is one of {b}"),
            (Fact::Weekdays, false) => write!(f, "{o} is not one of {b}"),
            (Fact::TimeOfDay, true) => write!(f, "local time {o} is within {b}"),
            (Fact::TimeOfDay, false) => write!(f, "local time {o} is outside {b}"),
            (Fact::SeasonalEvent, true) => write!(f, "{o} is {b}"),
            (Fact::SeasonalEvent, false) => write!(f, "{o} is not {b}"),
            (Fact::Birthday, _) if *o == Value::None => write!(f, "no birthday on file"),
            (Fact::Birthday, true) => write!(f, "{b} is the customer's birthday ({o})"),
            (Fact::Birthday, false) => write!(f, "{b} is not the customer's birthday ({o})"),
            (Fact::BirthdayMonth, _) if *o == Value::None => {
                write!(f, "no birthday on file")
            }
            (Fact::BirthdayMonth, true) => write!(f, "the customer's birthday month is {b}"),
            (Fact::BirthdayMonth, false) => {
                write!(f, "the customer's birthday is in {o}, not {b}")
            }
        }?;
        if self.negated {
            f.write_str(" (negated)")?;
        }
        Ok(())
    }
}

/// What conditions are evaluated against, derived once per checkout.
///
/// The subtotal and quantity count non-exempt lines before discounts (in
/// an evaluation, the subtotal is measured on the program's tax basis); the
/// local time is the evaluation instant in the program's time zone.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    order: &'a Order,
    customer: &'a Customer,
    calendar: &'a Calendar,
    at: DateTime<Utc>,
    local: NaiveDateTime,
    subtotal: Decimal,
    quantity: u64,
    order_number: Option<u64>,
    days_since_last_order: Option<u64>,
}

impl<'a> Facts<'a> {
    /// Derives the facts of `order` for `customer`, at the instant `at`, in
    /// `calendar`'s time zone.
    #[must_use]
    pub fn new(
        order: &'a Order,
        customer: &'a Customer,
        calendar: &'a Calendar,
        at: DateTime<Utc>,
    ) -> Facts<'a> {
        let mut subtotal = Decimal::ZERO;
        let mut quantity: u64 = 0;
        for line in order.lines().iter().filter(|l| !l.is_exempt()) {
            // A validated order's gross amounts cannot overflow.
            subtotal = subtotal
                .checked_add(line.gross_amount())
                .unwrap_or(Decimal::MAX);
            quantity = quantity.saturating_add(u64::from(line.quantity()));
        }
        let days_since_last_order = customer.stats().and_then(|s| s.last_order_at).map(|last| {
            let days = at.signed_duration_since(last).num_days();
            u64::try_from(days).unwrap_or(0)
        });
        Facts {
            order,
            customer,
            calendar,
            at,
            local: calendar.zone().to_local(at),
            subtotal,
            quantity,
            order_number: customer.order_number(),
            days_since_last_order,
        }
    }

    /// The same facts with the subtotal as the program measures it (on its
    /// tax basis).
    #[must_use]
    pub(crate) fn with_subtotal(mut self, subtotal: Decimal) -> Facts<'a> {
        self.subtotal = subtotal;
        self
    }

    /// A subtotal leaf's amount in the order's currency: a plain amount
    /// as it is (a program reads its amounts for the order's currency
    /// before), a table's for that currency; `None` when the table has
    /// none, and the leaf does not hold.
    fn bound(&self, bound: &PerCurrency) -> Option<Decimal> {
        let currency = self.order.currency();
        bound.get(currency, currency)
    }

    /// `value` as an observed amount, written with the order currency's
    /// decimals (when that keeps it exact).
    fn amount(&self, value: Decimal) -> Value {
        let decimals = self.order.currency().minor_units();
        let mut shown = value;
        if shown.scale() < decimals {
            shown.rescale(decimals);
            if shown != value {
                shown = value;
            }
        }
        Value::Amount(shown)
    }

    /// The order.
    #[must_use]
    pub fn order(&self) -> &'a Order {
        self.order
    }

    /// The customer.
    #[must_use]
    pub fn customer(&self) -> &'a Customer {
        self.customer
    }

    /// The program's calendar.
    #[must_use]
    pub fn calendar(&self) -> &'a Calendar {
        self.calendar
    }

    /// The instant of evaluation.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The instant of evaluation in the program's time zone.
    #[must_use]
    pub fn local(&self) -> NaiveDateTime {
        self.local
    }

    /// The subtotal of non-exempt lines, before discounts.
    #[must_use]
    pub fn subtotal(&self) -> Decimal {
        self.subtotal
    }

    /// The units on non-exempt lines.
    #[must_use]
    pub fn quantity(&self) -> u64 {
        self.quantity
    }

    /// This order's number in the customer's history (1 = first); `None`
    /// when the checkout's customer has no stats.
    #[must_use]
    pub fn order_number(&self) -> Option<u64> {
        self.order_number
    }

    /// Whole days since the previous order, if there was one.
    #[must_use]
    pub fn days_since_last_order(&self) -> Option<u64> {
        self.days_since_last_order
    }
}

/// Why a label match cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelMatchError {
    /// The key was blank.
    #[error("a label match has a blank key: name the label, e.g. \"brand\"")]
    BlankKey,
    /// Both `equals` and `one_of` were given.
    #[error("label match \"{key}\": give \"equals\" or \"one_of\", not both")]
    Both {
        /// The key.
        key: LabelKey,
    },
    /// `one_of` was empty, so it could never hold.
    #[error(
        "label match \"{key}\": one_of is empty: list at least one value, or leave it out to match any line with the label"
    )]
    EmptyList {
        /// The key.
        key: LabelKey,
    },
}

/// A match on a line's labels: the line has the label `key`, with the
/// value `equals`, or one of the values `one_of`, or with any value when
/// neither is given. Values match exactly, case included.
///
/// Serialised as `{"key": "brand", "equals": "acme"}`,
/// `{"key": "collection", "one_of": ["summer", "autumn"]}` or
/// `{"key": "clearance"}`.
///
/// ```
/// use loyalty::condition::LabelMatch;
/// use loyalty::money::{Currency, Money};
/// use loyalty::order::Line;
///
/// let mug = Line::new("1", "MUG", 1, Money::parse("9.00", Currency::EUR)?)?
///     .with_label("brand", "acme")?;
/// assert!(LabelMatch::equals("brand", "acme")?.matches(&mug));
/// assert!(LabelMatch::one_of("brand", ["zen", "acme"])?.matches(&mug));
/// assert!(LabelMatch::present("brand")?.matches(&mug));
/// assert!(!LabelMatch::present("collection")?.matches(&mug));
/// assert!(LabelMatch::one_of("brand", Vec::<String>::new()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "LabelMatchData")]
pub struct LabelMatch {
    key: LabelKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    equals: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    one_of: Vec<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct LabelMatchData {
    /// The label's key.
    key: String,
    /// The value the label must have.
    #[serde(default, deserialize_with = "crate::util::not_null")]
    equals: Option<String>,
    /// The values the label may have.
    #[serde(default, deserialize_with = "crate::util::not_null")]
    one_of: Option<Vec<String>>,
}

impl TryFrom<LabelMatchData> for LabelMatch {
    type Error = LabelMatchError;
    fn try_from(data: LabelMatchData) -> Result<LabelMatch, LabelMatchError> {
        let key = LabelKey::new(data.key).map_err(|_| LabelMatchError::BlankKey)?;
        match (data.equals, data.one_of) {
            (Some(_), Some(_)) => Err(LabelMatchError::Both { key }),
            (_, Some(values)) if values.is_empty() => Err(LabelMatchError::EmptyList { key }),
            (equals, one_of) => Ok(LabelMatch {
                key,
                equals,
                one_of: one_of.unwrap_or_default(),
            }),
        }
    }
}

impl LabelMatch {
    /// Lines with the label `key`, whatever its value.
    ///
    /// # Errors
    ///
    /// [`LabelMatchError::BlankKey`].
    pub fn present(key: &str) -> Result<LabelMatch, LabelMatchError> {
        Ok(LabelMatch {
            key: LabelKey::new(key).map_err(|_| LabelMatchError::BlankKey)?,
            equals: None,
            one_of: Vec::new(),
        })
    }

    /// Lines whose label `key` is `value`.
    ///
    /// # Errors
    ///
    /// [`LabelMatchError::BlankKey`].
    pub fn equals(key: &str, value: impl Into<String>) -> Result<LabelMatch, LabelMatchError> {
        Ok(LabelMatch {
            equals: Some(value.into()),
            ..LabelMatch::present(key)?
        })
    }

    /// Lines whose label `key` is one of `values`.
    ///
    /// # Errors
    ///
    /// [`LabelMatchError::BlankKey`], [`LabelMatchError::EmptyList`].
    pub fn one_of(
        key: &str,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<LabelMatch, LabelMatchError> {
        let present = LabelMatch::present(key)?;
        let one_of: Vec<String> = values.into_iter().map(Into::into).collect();
        if one_of.is_empty() {
            return Err(LabelMatchError::EmptyList { key: present.key });
        }
        Ok(LabelMatch { one_of, ..present })
    }

    /// The label's key.
    #[must_use]
    pub fn key(&self) -> &LabelKey {
        &self.key
    }

    /// Whether the match takes any value of its key ([`present`](Self::present)).
    #[must_use]
    pub fn matches_any_value(&self) -> bool {
        self.equals.is_none() && self.one_of.is_empty()
    }

    /// Whether `line` has the label as this match asks.
    #[must_use]
    pub fn matches(&self, line: &Line) -> bool {
        let Some(value) = line.labels().get(&self.key) else {
            return false;
        };
        match (&self.equals, self.one_of.as_slice()) {
            (Some(wanted), _) => value == wanted,
            (None, []) => true,
            (None, values) => values.iter().any(|v| v == value),
        }
    }
}

/// Which lines a rule counts: include by sku, category or label (every
/// line when no include is given), exclude by sku, category or label.
/// Exclusion wins. Exempt lines are never selected unless `include_exempt`
/// is set.
///
/// Serialised as
/// `{"skus": [..], "categories": [..], "labels": [..], "exclude_skus": [..], "exclude_categories": [..], "exclude_labels": [..]}`,
/// every field optional; a line is included when it matches any include
/// (a sku listed, a category listed, a label match), excluded when it
/// matches any exclude.
///
/// # Example
///
/// ```
/// use loyalty::condition::{LabelMatch, LineSelector};
/// use loyalty::money::{Currency, Money};
/// use loyalty::order::Line;
///
/// let tea_not_samples = LineSelector::default()
///     .category("tea")?
///     .exclude_category("samples")?;
/// let price = Money::parse("5.00", Currency::EUR)?;
/// let green = Line::new("1", "GREEN", 1, price)?.with_category("tea")?;
/// let sample = Line::new("2", "SAMPLE", 1, price)?.with_category("tea")?.with_category("samples")?;
/// assert!(tea_not_samples.selects(&green));
/// assert!(!tea_not_samples.selects(&sample));
///
/// // Acme's products, but not its clearance.
/// let acme = LineSelector::default()
///     .label(LabelMatch::equals("brand", "acme")?)
///     .exclude_label(LabelMatch::present("clearance")?);
/// let mug = Line::new("3", "MUG", 1, price)?.with_label("brand", "acme")?;
/// assert!(acme.selects(&mug));
/// assert!(!acme.selects(&mug.clone().with_label("clearance", "")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct LineSelector {
    /// Lines of these skus are included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<Sku>,
    /// Lines in any of these categories are included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Lines of these skus are excluded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_skus: Vec<Sku>,
    /// Lines in any of these categories are excluded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_categories: Vec<Category>,
    /// Whether exempt lines (gift cards) may be selected.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub include_exempt: bool,
    /// Lines matching any of these label matches are included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelMatch>,
    /// Lines matching any of these label matches are excluded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_labels: Vec<LabelMatch>,
}

impl LineSelector {
    /// Every non-exempt line.
    #[must_use]
    pub fn all() -> LineSelector {
        LineSelector::default()
    }

    /// Includes lines of `sku`.
    ///
    /// # Errors
    ///
    /// A blank sku.
    pub fn sku(mut self, sku: &str) -> Result<LineSelector, crate::id::EmptyIdError> {
        self.skus.push(Sku::new(sku)?);
        Ok(self)
    }

    /// Includes lines in `category`.
    ///
    /// # Errors
    ///
    /// A blank category.
    pub fn category(mut self, category: &str) -> Result<LineSelector, crate::id::EmptyIdError> {
        self.categories.push(Category::new(category)?);
        Ok(self)
    }

    /// Includes lines that `label` matches.
    #[must_use]
    pub fn label(mut self, label: LabelMatch) -> LineSelector {
        self.labels.push(label);
        self
    }

    /// Excludes lines of `sku`.
    ///
    /// # Errors
    ///
    /// A blank sku.
    pub fn exclude_sku(mut self, sku: &str) -> Result<LineSelector, crate::id::EmptyIdError> {
        self.exclude_skus.push(Sku::new(sku)?);
        Ok(self)
    }

    /// Excludes lines in `category`.
    ///
    /// # Errors
    ///
    /// A blank category.
    pub fn exclude_category(
        mut self,
        category: &str,
    ) -> Result<LineSelector, crate::id::EmptyIdError> {
        self.exclude_categories.push(Category::new(category)?);
        Ok(self)
    }

    /// Excludes lines that `label` matches.
    #[must_use]
    pub fn exclude_label(mut self, label: LabelMatch) -> LineSelector {
        self.exclude_labels.push(label);
        self
    }

    /// Whether the selector counts `line`.
    #[must_use]
    pub fn selects(&self, line: &Line) -> bool {
        if line.is_exempt() && !self.include_exempt {
            return false;
        }
        if self.skus.is_empty()
            && self.categories.is_empty()
            && self.labels.is_empty()
            && self.exclude_skus.is_empty()
            && self.exclude_categories.is_empty()
            && self.exclude_labels.is_empty()
        {
            return true;
        }
        let in_any = |list: &[Category]| line.categories().iter().any(|c| list.contains(c));
        if self.exclude_skus.contains(line.sku())
            || in_any(&self.exclude_categories)
            || self.exclude_labels.iter().any(|m| m.matches(line))
        {
            return false;
        }
        (self.skus.is_empty() && self.categories.is_empty() && self.labels.is_empty())
            || self.skus.contains(line.sku())
            || in_any(&self.categories)
            || self.labels.iter().any(|m| m.matches(line))
    }

    /// Whether the selector counts every non-exempt line and nothing else.
    #[must_use]
    pub fn is_all(&self) -> bool {
        !self.include_exempt
            && self.skus.is_empty()
            && self.categories.is_empty()
            && self.labels.is_empty()
            && self.exclude_skus.is_empty()
            && self.exclude_categories.is_empty()
            && self.exclude_labels.is_empty()
    }
}

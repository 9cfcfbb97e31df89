//! Nudges: the messages a customer could be sent at an instant, each a
//! typed value with the figures the message needs and a suggested send
//! instant. The crate sends nothing: the host picks the channel, the words
//! and whether to send at all.
//!
//! [`NudgeRules`] say which kinds are on and their thresholds. Every kind
//! is off unless its key is present; a present key takes the defaults
//! written on its struct. The rules are checked when deserialised and
//! again by [`NudgeRules::nudges`] (no negative days, shares in (0, 100],
//! no negative amounts), with errors naming the path
//! (`refill.skus.BEANS`).
//!
//! # When a nudge is sent
//!
//! Days are local days in the zone given (the program's). Each kind has a
//! *planned day*; the suggested instant is that day at
//! [`send_time`](NudgeRules::send_time) local (10:00 unless told), or `at`
//! itself when that has passed: a nudge never suggests an instant before
//! `at`. A kind is only given while its occasion lasts:
//!
//! | kind | given when (local days) | planned day |
//! |---|---|---|
//! | `refill` | from `due − days_before` to `due`, `due = last purchase + interval` | `due − days_before` |
//! | `points_expiring` | some points have a last day within `within_days` from today | today |
//! | `next_tier` | every unmet threshold is within `within_percent` of it (or `within_spend` for spend) | today |
//! | `ladder_step` | a ladder's `next.missing` of the saved cart is at most `within` | today |
//! | `milestone` | the customer's next order is one of `orders` | today |
//! | `win_back` | `after_days` or more days since the last order | last order + `after_days` |
//! | `birthday` | the birthday falls in today's month | the 1st of the month |
//! | `thank_you` | exactly one order, placed at most `within_days` ago | first order + `days_after` |
//!
//! The output is sorted by send instant, then kind (in the order of this
//! table), then the SKU, ladder or tier; it does not depend on the order of
//! the lists passed in.
//!
//! # Example
//!
//! ```
//! use loyalty::calendar::Zone;
//! use loyalty::customer::{Birthday, Customer};
//! use loyalty::insight::nudges::{Nudge, NudgeInputs, NudgeRules};
//!
//! let rules: NudgeRules = serde_json::from_str(r#"{"birthday": {}}"#)?;
//! let customer = Customer::new("C-1")?.with_birthday(Birthday::new(6, 14)?);
//! let inputs = NudgeInputs::new().customer(&customer);
//! let at = "2026-06-03T08:00:00Z".parse()?;
//! let nudges = rules.nudges(&inputs, at, Zone::parse("+03:00")?)?;
//! // Planned for 1 June at 10:00 local, passed: suggested for `at`.
//! assert!(matches!(&nudges[..], [Nudge::Birthday { send_at, .. }] if *send_at == at));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::profile::{OrderRecord, Profile};
use crate::calendar::{CalendarError, Zone};
use crate::customer::{Birthday, Customer, Segment, TierId};
use crate::evaluation::Evaluation;
use crate::money::Currency;
use crate::order::{Category, OrderId, Sku};
use crate::rules::RuleId;
use crate::rules::tier::Measure;
use crate::tiers::{MeasureProgress, TierStatus};
use crate::wallet::{Balance, Expiration};

/// Why nudges cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NudgeError {
    /// A number of days below zero.
    #[error("{path} is {days}: days are zero or more")]
    NegativeDays {
        /// Where in the rules.
        path: String,
        /// The value.
        days: i64,
    },
    /// A share outside (0, 100].
    #[error("{path} is {share}: a share is above 0 and at most 100 (percent)")]
    Share {
        /// Where in the rules.
        path: String,
        /// The value.
        share: Decimal,
    },
    /// An amount below zero.
    #[error("{path} is {amount}: amounts are zero or more")]
    NegativeAmount {
        /// Where in the rules.
        path: String,
        /// The value.
        amount: Decimal,
    },
    /// A milestone order number of zero.
    #[error("{path} is 0: order numbers count from 1 (the first order)")]
    ZeroMilestone {
        /// Where in the rules.
        path: String,
    },
    /// A send time that is not `HH:MM` or `HH:MM:SS`.
    #[error("send_time is {text:?}: give a local time as HH:MM or HH:MM:SS")]
    SendTime {
        /// The text.
        text: String,
    },
    /// A date out of the calendar's range.
    #[error("{what} is out of the calendar's range")]
    OutOfRange {
        /// What.
        what: &'static str,
    },
    /// A local time the zone cannot place.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The send time of [`NudgeRules`] unless told otherwise: 10:00 local.
pub const DEFAULT_SEND_TIME: NaiveTime = match NaiveTime::from_hms_opt(10, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

fn default_send_time() -> NaiveTime {
    DEFAULT_SEND_TIME
}

fn serialize_time<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    let format = if chrono::Timelike::second(t) == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    s.serialize_str(&t.format(format).to_string())
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()
}

fn deserialize_time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(d)?;
    parse_time(&text).ok_or_else(|| serde::de::Error::custom(NudgeError::SendTime { text }))
}

/// Which nudges are on, and their thresholds. Every kind is off unless
/// present (`NudgeRules::default()` gives no nudge).
///
/// In JSON, every kind on with its defaults written out:
///
/// ```
/// use loyalty::insight::nudges::NudgeRules;
///
/// let rules: NudgeRules = serde_json::from_str(r#"{
///     "send_time": "10:00",
///     "refill": {"days_before": 3, "skus": {"BEANS": 30}, "categories": {"coffee": 45}},
///     "points_expiring": {"within_days": 14},
///     "next_tier": {"within_percent": "20", "within_spend": "50.00"},
///     "ladder_step": {"within": "20.00"},
///     "milestone": {"orders": [5, 50]},
///     "win_back": {"after_days": 60},
///     "birthday": {},
///     "thank_you": {"days_after": 1, "within_days": 7}
/// }"#)?;
/// assert!(serde_json::from_str::<NudgeRules>(r#"{"win_back": {"after_days": -1}}"#).is_err());
/// assert!(serde_json::from_str::<NudgeRules>(r#"{"winback": {}}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RulesData")]
#[non_exhaustive]
pub struct NudgeRules {
    /// The local time of day a nudge is planned for.
    #[serde(serialize_with = "serialize_time")]
    pub send_time: NaiveTime,
    /// Refills due per SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refill: Option<RefillRules>,
    /// Points about to expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points_expiring: Option<ExpiringRules>,
    /// The next tier within reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<NextTierRules>,
    /// The next ladder step within reach on a saved cart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ladder_step: Option<LadderStepRules>,
    /// The next order is a milestone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<MilestoneRules>,
    /// Win back a customer who stopped ordering.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub win_back: Option<WinBackRules>,
    /// Birthday this month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<BirthdayRules>,
    /// Thanks after the first order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thank_you: Option<ThankYouRules>,
}

impl Default for NudgeRules {
    fn default() -> NudgeRules {
        NudgeRules {
            send_time: DEFAULT_SEND_TIME,
            refill: None,
            points_expiring: None,
            next_tier: None,
            ladder_step: None,
            milestone: None,
            win_back: None,
            birthday: None,
            thank_you: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesData {
    #[serde(default = "default_send_time", deserialize_with = "deserialize_time")]
    send_time: NaiveTime,
    #[serde(default)]
    refill: Option<RefillRules>,
    #[serde(default)]
    points_expiring: Option<ExpiringRules>,
    #[serde(default)]
    next_tier: Option<NextTierRules>,
    #[serde(default)]
    ladder_step: Option<LadderStepRules>,
    #[serde(default)]
    milestone: Option<MilestoneRules>,
    #[serde(default)]
    win_back: Option<WinBackRules>,
    #[serde(default)]
    birthday: Option<BirthdayRules>,
    #[serde(default)]
    thank_you: Option<ThankYouRules>,
}

impl TryFrom<RulesData> for NudgeRules {
    type Error = NudgeError;
    fn try_from(d: RulesData) -> Result<NudgeRules, NudgeError> {
        let rules = NudgeRules {
            send_time: d.send_time,
            refill: d.refill,
            points_expiring: d.points_expiring,
            next_tier: d.next_tier,
            ladder_step: d.ladder_step,
            milestone: d.milestone,
            win_back: d.win_back,
            birthday: d.birthday,
            thank_you: d.thank_you,
        };
        rules.validate()?;
        Ok(rules)
    }
}

/// Refills: `{"days_before": 3, "skus": {"BEANS": 30}, "categories":
/// {"coffee": 45}}`.
///
/// A SKU's interval is, first found: the one stated for the SKU; the
/// customer's own median days between purchases of it (from the
/// [`Profile`], rounded to whole days, halves up); the shortest stated for
/// one of its categories (categories come from the order records). A SKU
/// with none is not nudged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RefillRules {
    /// Days before the due day to nudge. Default 3.
    #[serde(default = "three")]
    pub days_before: i64,
    /// Stated intervals in days, per SKU.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skus: BTreeMap<Sku, i64>,
    /// Stated intervals in days, per category.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<Category, i64>,
}

impl Default for RefillRules {
    fn default() -> RefillRules {
        RefillRules {
            days_before: 3,
            skus: BTreeMap::new(),
            categories: BTreeMap::new(),
        }
    }
}

/// Points expiring: `{"within_days": 14}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExpiringRules {
    /// Points whose last day is within this many days from today (today
    /// included: 0 means "last day today"). Default 14.
    #[serde(default = "fourteen")]
    pub within_days: i64,
}

impl Default for ExpiringRules {
    fn default() -> ExpiringRules {
        ExpiringRules { within_days: 14 }
    }
}

/// The next tier: `{"within_percent": "20", "within_spend": "50.00"}`.
///
/// Within reach when every threshold not yet met is missing at most
/// `within_percent` of it, or, for spend, at most `within_spend`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NextTierRules {
    /// A share of the threshold, in (0, 100]. Default 20.
    #[serde(default = "twenty")]
    pub within_percent: Decimal,
    /// An amount of spend. None unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_spend: Option<Decimal>,
}

impl Default for NextTierRules {
    fn default() -> NextTierRules {
        NextTierRules {
            within_percent: twenty(),
            within_spend: None,
        }
    }
}

/// The next ladder step on a saved cart: `{"within": "20.00"}`, compared
/// with the ladder's `next.missing` (an amount, or units for a quantity
/// ladder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LadderStepRules {
    /// At most this much missing. Default 20.
    #[serde(default = "twenty")]
    pub within: Decimal,
}

impl Default for LadderStepRules {
    fn default() -> LadderStepRules {
        LadderStepRules { within: twenty() }
    }
}

/// Milestone orders: `{"orders": [5, 50]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MilestoneRules {
    /// The order numbers (1 for the first). Default none.
    #[serde(default)]
    pub orders: Vec<u32>,
}

/// Win-back: `{"after_days": 60}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WinBackRules {
    /// Local days since the last order. Default 60.
    #[serde(default = "sixty")]
    pub after_days: i64,
}

impl Default for WinBackRules {
    fn default() -> WinBackRules {
        WinBackRules { after_days: 60 }
    }
}

/// Birthday this month: `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BirthdayRules {}

/// Thanks after the first order: `{"days_after": 1, "within_days": 7}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ThankYouRules {
    /// Days after the first order's local day to plan it. Default 1.
    #[serde(default = "one")]
    pub days_after: i64,
    /// Given while the first order is at most this many days old. Default 7.
    #[serde(default = "seven")]
    pub within_days: i64,
}

impl Default for ThankYouRules {
    fn default() -> ThankYouRules {
        ThankYouRules {
            days_after: 1,
            within_days: 7,
        }
    }
}

fn one() -> i64 {
    1
}
fn three() -> i64 {
    3
}
fn seven() -> i64 {
    7
}
fn fourteen() -> i64 {
    14
}
fn sixty() -> i64 {
    60
}
fn twenty() -> Decimal {
    Decimal::from(20)
}

fn days_ok(path: impl FnOnce() -> String, days: i64) -> Result<(), NudgeError> {
    if days < 0 {
        return Err(NudgeError::NegativeDays { path: path(), days });
    }
    Ok(())
}

fn amount_ok(path: &str, amount: Decimal) -> Result<(), NudgeError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(NudgeError::NegativeAmount {
            path: path.to_owned(),
            amount,
        });
    }
    Ok(())
}

/// Which kind a nudge is, in the order nudges of one instant are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NudgeKind {
    /// [`Nudge::Refill`].
    Refill,
    /// [`Nudge::PointsExpiring`].
    PointsExpiring,
    /// [`Nudge::NextTier`].
    NextTier,
    /// [`Nudge::LadderStep`].
    LadderStep,
    /// [`Nudge::Milestone`].
    Milestone,
    /// [`Nudge::WinBack`].
    WinBack,
    /// [`Nudge::Birthday`].
    Birthday,
    /// [`Nudge::ThankYou`].
    ThankYou,
}

/// Where a refill's interval came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IntervalSource {
    /// Stated for the SKU.
    Sku,
    /// The customer's own median days between purchases.
    Customer,
    /// Stated for one of its categories.
    Category,
}

/// A message to suggest to the host, with what it needs to say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "nudge", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Nudge {
    /// "Running low on BEANS? Due around 4 March."
    Refill {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The product.
        sku: Sku,
        /// Its last purchase.
        last_purchase: DateTime<Utc>,
        /// The interval in days.
        interval_days: i64,
        /// Where the interval came from.
        interval: IntervalSource,
        /// The local day it is due: last purchase's local day + interval.
        due: NaiveDate,
    },
    /// "120 points expire on 31 March."
    PointsExpiring {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The points expiring within the window, together.
        amount: Decimal,
        /// The soonest last day to use them.
        last_day: NaiveDate,
        /// Each expiry within the window, soonest first.
        expirations: Vec<Expiration>,
    },
    /// "40.00 more reaches gold."
    NextTier {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The tier.
        tier: TierId,
        /// The currency of the spend.
        currency: Currency,
        /// The thresholds not yet met.
        missing: Vec<MeasureProgress>,
    },
    /// "Add 12.00 to your cart for 10% off."
    LadderStep {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The saved cart's order id.
        order: OrderId,
        /// The currency of the cart.
        currency: Currency,
        /// The ladder.
        ladder: RuleId,
        /// The next step, counted from 1.
        step: usize,
        /// Its threshold.
        from: Decimal,
        /// What is missing to it.
        missing: Decimal,
    },
    /// "Your next order is your 5th."
    Milestone {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The number the next order will have.
        order_number: u32,
    },
    /// "We miss you."
    WinBack {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The last order.
        last_order: DateTime<Utc>,
        /// Local days since it, at `at`.
        days_since: i64,
        /// The customer's segments, if a customer was given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        segments: Vec<Segment>,
    },
    /// "Happy birthday month."
    Birthday {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The birthday.
        birthday: Birthday,
        /// The day it falls on this year (28 February for 29 February in
        /// a common year).
        date: NaiveDate,
    },
    /// "Thank you for your first order."
    ThankYou {
        /// When to send it.
        send_at: DateTime<Utc>,
        /// The first order.
        first_order: DateTime<Utc>,
    },
}

impl Nudge {
    /// The suggested send instant.
    #[must_use]
    pub fn send_at(&self) -> DateTime<Utc> {
        match self {
            Nudge::Refill { send_at, .. }
            | Nudge::PointsExpiring { send_at, .. }
            | Nudge::NextTier { send_at, .. }
            | Nudge::LadderStep { send_at, .. }
            | Nudge::Milestone { send_at, .. }
            | Nudge::WinBack { send_at, .. }
            | Nudge::Birthday { send_at, .. }
            | Nudge::ThankYou { send_at, .. } => *send_at,
        }
    }

    /// Its kind.
    #[must_use]
    pub fn kind(&self) -> NudgeKind {
        match self {
            Nudge::Refill { .. } => NudgeKind::Refill,
            Nudge::PointsExpiring { .. } => NudgeKind::PointsExpiring,
            Nudge::NextTier { .. } => NudgeKind::NextTier,
            Nudge::LadderStep { .. } => NudgeKind::LadderStep,
            Nudge::Milestone { .. } => NudgeKind::Milestone,
            Nudge::WinBack { .. } => NudgeKind::WinBack,
            Nudge::Birthday { .. } => NudgeKind::Birthday,
            Nudge::ThankYou { .. } => NudgeKind::ThankYou,
        }
    }

    /// What tells two nudges of one kind apart.
    fn key(&self) -> &str {
        match self {
            Nudge::Refill { sku, .. } => sku.as_str(),
            Nudge::NextTier { tier, .. } => tier.as_str(),
            Nudge::LadderStep { ladder, .. } => ladder.as_str(),
            _ => "",
        }
    }
}

/// The sources nudges read, each optional: a kind whose source is missing
/// gives nothing.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct NudgeInputs<'a> {
    /// The customer's profile (refills, milestones, win-back, thank-you).
    pub profile: Option<&'a Profile>,
    /// The customer's orders, in any order (refills: last purchase per SKU
    /// and categories); those placed after `at` are left out. Pass the
    /// orders as kept, wholly returned ones left out.
    pub orders: &'a [OrderRecord],
    /// The wallet's balance (points expiring).
    pub balance: Option<&'a Balance>,
    /// The tier status (next tier).
    pub tier: Option<&'a TierStatus>,
    /// The evaluation of a saved cart (ladder steps).
    pub cart: Option<&'a Evaluation>,
    /// The customer (birthday, segments; order count from its stats when
    /// no profile is given).
    pub customer: Option<&'a Customer>,
}

impl<'a> NudgeInputs<'a> {
    /// No source.
    #[must_use]
    pub fn new() -> NudgeInputs<'a> {
        NudgeInputs::default()
    }
    /// With a profile.
    #[must_use]
    pub fn profile(mut self, profile: &'a Profile) -> NudgeInputs<'a> {
        self.profile = Some(profile);
        self
    }
    /// With order records.
    #[must_use]
    pub fn orders(mut self, orders: &'a [OrderRecord]) -> NudgeInputs<'a> {
        self.orders = orders;
        self
    }
    /// With a balance.
    #[must_use]
    pub fn balance(mut self, balance: &'a Balance) -> NudgeInputs<'a> {
        self.balance = Some(balance);
        self
    }
    /// With a tier status.
    #[must_use]
    pub fn tier(mut self, tier: &'a TierStatus) -> NudgeInputs<'a> {
        self.tier = Some(tier);
        self
    }
    /// With a saved cart's evaluation.
    #[must_use]
    pub fn cart(mut self, cart: &'a Evaluation) -> NudgeInputs<'a> {
        self.cart = Some(cart);
        self
    }
    /// With the customer.
    #[must_use]
    pub fn customer(mut self, customer: &'a Customer) -> NudgeInputs<'a> {
        self.customer = Some(customer);
        self
    }
}

fn add_days(date: NaiveDate, days: i64) -> Result<NaiveDate, NudgeError> {
    let range = NudgeError::OutOfRange {
        what: "a nudge's day",
    };
    let n = Days::new(days.unsigned_abs());
    if days >= 0 {
        date.checked_add_days(n).ok_or(range)
    } else {
        date.checked_sub_days(n).ok_or(range)
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// Rounds a median of days to whole days, halves up.
fn whole_days(median: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    median
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

struct Clock {
    at: DateTime<Utc>,
    zone: Zone,
    today: NaiveDate,
    time: NaiveTime,
}

impl Clock {
    /// The planned day at the send time, or `at` when that has passed.
    fn send(&self, day: NaiveDate) -> Result<DateTime<Utc>, NudgeError> {
        let planned = self.zone.to_utc(day.and_time(self.time))?;
        Ok(planned.max(self.at))
    }
}

impl NudgeRules {
    /// Checks the thresholds: no negative days or amounts, shares in
    /// (0, 100], milestones from 1.
    ///
    /// # Errors
    ///
    /// [`NudgeError`] naming the path of the first value refused.
    pub fn validate(&self) -> Result<(), NudgeError> {
        if let Some(r) = &self.refill {
            days_ok(|| "refill.days_before".into(), r.days_before)?;
            for (sku, &days) in &r.skus {
                days_ok(|| format!("refill.skus.{sku}"), days)?;
            }
            for (category, &days) in &r.categories {
                days_ok(|| format!("refill.categories.{category}"), days)?;
            }
        }
        if let Some(r) = &self.points_expiring {
            days_ok(|| "points_expiring.within_days".into(), r.within_days)?;
        }
        if let Some(r) = &self.next_tier {
            if r.within_percent <= Decimal::ZERO || r.within_percent > Decimal::ONE_HUNDRED {
                return Err(NudgeError::Share {
                    path: "next_tier.within_percent".into(),
                    share: r.within_percent,
                });
            }
            if let Some(spend) = r.within_spend {
                amount_ok("next_tier.within_spend", spend)?;
            }
        }
        if let Some(r) = &self.ladder_step {
            amount_ok("ladder_step.within", r.within)?;
        }
        if let Some(r) = &self.milestone
            && let Some(i) = r.orders.iter().position(|&n| n == 0)
        {
            return Err(NudgeError::ZeroMilestone {
                path: format!("milestone.orders[{i}]"),
            });
        }
        if let Some(r) = &self.win_back {
            days_ok(|| "win_back.after_days".into(), r.after_days)?;
        }
        if let Some(r) = &self.thank_you {
            days_ok(|| "thank_you.days_after".into(), r.days_after)?;
            days_ok(|| "thank_you.within_days".into(), r.within_days)?;
        }
        Ok(())
    }

    /// The nudges of the rules that are on, at `at`, with days counted in
    /// `zone`; sorted by send instant, then kind, then SKU, tier or ladder.
    ///
    /// # Errors
    ///
    /// [`NudgeError`]: rules refused by [`validate`](Self::validate), a
    /// day out of the calendar's range.
    pub fn nudges(
        &self,
        inputs: &NudgeInputs<'_>,
        at: DateTime<Utc>,
        zone: Zone,
    ) -> Result<Vec<Nudge>, NudgeError> {
        self.validate()?;
        let clock = Clock {
            at,
            zone,
            today: zone.local_date(at),
            time: self.send_time,
        };
        let mut out = Vec::new();
        if let Some(rules) = &self.refill {
            refills(rules, inputs, &clock, &mut out)?;
        }
        if let (Some(rules), Some(balance)) = (&self.points_expiring, inputs.balance) {
            let last = add_days(clock.today, rules.within_days)?;
            let mut expirations: Vec<Expiration> = balance
                .points
                .next_expirations
                .iter()
                .filter(|e| e.at > at && e.last_day <= last && e.amount > Decimal::ZERO)
                .copied()
                .collect();
            expirations.sort_by_key(|e| (e.at, e.amount));
            if let Some(first) = expirations.first() {
                let amount = expirations
                    .iter()
                    .fold(Decimal::ZERO, |sum, e| sum.saturating_add(e.amount));
                out.push(Nudge::PointsExpiring {
                    send_at: clock.send(clock.today)?,
                    amount,
                    last_day: first.last_day,
                    expirations,
                });
            }
        }
        if let (Some(rules), Some(status)) = (&self.next_tier, inputs.tier)
            && let Some(next) = &status.next
            && !next.met
        {
            let missing: Vec<MeasureProgress> = next
                .measures
                .iter()
                .filter(|m| m.missing > Decimal::ZERO)
                .copied()
                .collect();
            let reach = |m: &MeasureProgress| {
                let share = match (
                    m.missing.checked_mul(Decimal::ONE_HUNDRED),
                    m.need.checked_mul(rules.within_percent),
                ) {
                    (Some(missing), Some(allowed)) => missing <= allowed,
                    _ => false,
                };
                let spend = m.measure == Measure::Spend
                    && rules.within_spend.is_some_and(|w| m.missing <= w);
                share || spend
            };
            if !missing.is_empty() && missing.iter().all(reach) {
                out.push(Nudge::NextTier {
                    send_at: clock.send(clock.today)?,
                    tier: next.tier.clone(),
                    currency: status.currency,
                    missing,
                });
            }
        }
        if let (Some(rules), Some(cart)) = (&self.ladder_step, inputs.cart) {
            for ladder in &cart.ladders {
                if let Some(next) = &ladder.next
                    && next.missing > Decimal::ZERO
                    && next.missing <= rules.within
                {
                    out.push(Nudge::LadderStep {
                        send_at: clock.send(clock.today)?,
                        order: cart.order.clone(),
                        currency: cart.currency,
                        ladder: ladder.ladder.clone(),
                        step: next.step_number(),
                        from: next.from,
                        missing: next.missing,
                    });
                }
            }
        }
        let orders = inputs.profile.map(|p| p.orders).or_else(|| {
            inputs
                .customer
                .and_then(|c| c.stats())
                .map(|s| s.orders_before)
        });
        if let (Some(rules), Some(orders)) = (&self.milestone, orders)
            && let Some(next) = orders.checked_add(1)
            && rules.orders.contains(&next)
        {
            out.push(Nudge::Milestone {
                send_at: clock.send(clock.today)?,
                order_number: next,
            });
        }
        let last_order = inputs.profile.and_then(|p| p.last_order).or_else(|| {
            inputs
                .customer
                .and_then(|c| c.stats())
                .and_then(|s| s.last_order_at)
        });
        if let (Some(rules), Some(last)) = (&self.win_back, last_order)
            && last <= at
        {
            let since = days_between(zone.local_date(last), clock.today);
            if since >= rules.after_days {
                let mut segments = inputs
                    .customer
                    .map(|c| c.segments().to_vec())
                    .unwrap_or_default();
                segments.sort();
                out.push(Nudge::WinBack {
                    send_at: clock.send(add_days(zone.local_date(last), rules.after_days)?)?,
                    last_order: last,
                    days_since: since,
                    segments,
                });
            }
        }
        if let (Some(_), Some(birthday)) =
            (&self.birthday, inputs.customer.and_then(Customer::birthday))
            && birthday.month() == clock.today.month()
        {
            let first = clock.today.with_day(1).ok_or(NudgeError::OutOfRange {
                what: "the month's first day",
            })?;
            let date = (1..=31)
                .filter_map(|d| clock.today.with_day(d))
                .find(|&d| birthday.falls_on(d))
                .ok_or(NudgeError::OutOfRange {
                    what: "the birthday",
                })?;
            out.push(Nudge::Birthday {
                send_at: clock.send(first)?,
                birthday,
                date,
            });
        }
        if let (Some(rules), Some(profile)) = (&self.thank_you, inputs.profile)
            && profile.orders == 1
            && let Some(first) = profile.first_order
        {
            let day = zone.local_date(first);
            if days_between(day, clock.today) <= rules.within_days {
                out.push(Nudge::ThankYou {
                    send_at: clock.send(add_days(day, rules.days_after)?)?,
                    first_order: first,
                });
            }
        }
        out.sort_by(|a, b| (a.send_at(), a.kind(), a.key()).cmp(&(b.send_at(), b.kind(), b.key())));
        Ok(out)
    }
}

/// The refill nudges: each SKU's last purchase and interval.
fn refills(
    rules: &RefillRules,
    inputs: &NudgeInputs<'_>,
    clock: &Clock,
    out: &mut Vec<Nudge>,
) -> Result<(), NudgeError> {
    // Last purchase and categories per SKU, from the records, then the
    // profile's repurchases.
    let mut skus: HashMap<&Sku, (DateTime<Utc>, Vec<&Category>)> = HashMap::new();
    for order in inputs.orders.iter().filter(|o| o.placed_at <= clock.at) {
        for line in &order.lines {
            let entry = skus
                .entry(&line.sku)
                .or_insert((order.placed_at, Vec::new()));
            entry.0 = entry.0.max(order.placed_at);
            entry.1.extend(line.categories.iter());
        }
    }
    if let Some(profile) = inputs.profile {
        for r in &profile.repurchase {
            let entry = skus.entry(&r.sku).or_insert((r.last_purchase, Vec::new()));
            entry.0 = entry.0.max(r.last_purchase);
        }
    }
    for (sku, (last, categories)) in skus {
        let own = inputs
            .profile
            .and_then(|p| p.repurchase_of(sku.as_str()))
            .and_then(|r| whole_days(r.median_days))
            .filter(|&d| d > 0);
        let stated_category = categories
            .iter()
            .filter_map(|c| rules.categories.get(*c).copied())
            .min();
        let (interval_days, interval) = match (rules.skus.get(sku), own, stated_category) {
            (Some(&d), _, _) => (d, IntervalSource::Sku),
            (None, Some(d), _) => (d, IntervalSource::Customer),
            (None, None, Some(d)) => (d, IntervalSource::Category),
            (None, None, None) => continue,
        };
        let due = add_days(clock.zone.local_date(last), interval_days)?;
        let from = add_days(due, -rules.days_before)?;
        if clock.today < from || clock.today > due {
            continue;
        }
        out.push(Nudge::Refill {
            send_at: clock.send(from)?,
            sku: sku.clone(),
            last_purchase: last,
            interval_days,
            interval,
            due,
        });
    }
    Ok(())
}

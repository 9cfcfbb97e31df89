//! The nudge settings of a program: which nudges are on, and their
//! thresholds.
//!
//! [`NudgeRules`] are the program's `nudges` (left out: every kind off).
//! Every kind is off unless its key is present; a present key takes the
//! defaults written on its struct. [`Program::new`](crate::Program::new)
//! checks them (no negative days, shares in (0, 100], no negative amounts,
//! milestones from 1) with errors naming the path
//! (`nudges.refill.skus.BEANS`), and warns of settings that are valid but
//! likely a mistake (a window of 0 days, a milestone nudge with no order
//! number). [`Program::nudge_rules`](crate::Program::nudge_rules) gives
//! them back, and [`Program::nudges`](crate::Program::nudges) works out a
//! customer's nudges with them. A [`NudgeRules`] value can also be used on
//! its own, without a program (to try settings out): it is checked when
//! deserialised and again by [`NudgeRules::nudges`].
//!
//! What each kind gives, and when, is told in
//! [`insight::nudges`](crate::insight::nudges).
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "shop", "currency": "EUR",
//!     "nudges": {"win_back": {"after_days": 45}, "birthday": {}}
//! }"#)?)?;
//! assert_eq!(program.nudge_rules().win_back.as_ref().map(|w| w.after_days), Some(45));
//! assert!(program.nudge_rules().refill.is_none());
//!
//! let broken = r#"{"id": "shop", "currency": "EUR", "nudges": {"win_back": {"after_days": -1}}}"#;
//! let error = Program::new(serde_json::from_str(broken)?).unwrap_err();
//! assert_eq!(error.to_string(), "nudges.win_back.after_days: -1 days is negative: give 0 or more");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::CalendarError;
use crate::error::{Problem, ProgramError, WarningKind};
use crate::order::{Category, Sku};
use crate::rules::context::RuleContext;

/// Why nudges cannot be worked out, or nudge rules cannot be used.
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
/// use loyalty::rules::nudge::NudgeRules;
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
        let rules = NudgeRules::from_data(d);
        rules.validate()?;
        Ok(rules)
    }
}

impl NudgeRules {
    /// The rules as written, unchecked.
    fn from_data(d: RulesData) -> NudgeRules {
        NudgeRules {
            send_time: d.send_time,
            refill: d.refill,
            points_expiring: d.points_expiring,
            next_tier: d.next_tier,
            ladder_step: d.ladder_step,
            milestone: d.milestone,
            win_back: d.win_back,
            birthday: d.birthday,
            thank_you: d.thank_you,
        }
    }
}

/// Refills: `{"days_before": 3, "skus": {"BEANS": 30}, "categories":
/// {"coffee": 45}}`.
///
/// A SKU's interval is, first found: the one stated for the SKU; the
/// customer's own median days between purchases of it (from the
/// [`Profile`](crate::insight::profile::Profile), rounded to whole days, halves up); the shortest stated for
/// one of its categories (categories come from the order records). A SKU
/// with none is not nudged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl RefillRules {
    /// Nudges `days_before` days before the due day, with no interval
    /// stated (each customer's own is used).
    #[must_use]
    pub fn new(days_before: i64) -> RefillRules {
        RefillRules {
            days_before,
            ..RefillRules::default()
        }
    }

    /// States the interval of `sku`, in days.
    #[must_use]
    pub fn sku(mut self, sku: Sku, days: i64) -> RefillRules {
        self.skus.insert(sku, days);
        self
    }

    /// States the interval of the SKUs of `category`, in days.
    #[must_use]
    pub fn category(mut self, category: Category, days: i64) -> RefillRules {
        self.categories.insert(category, days);
        self
    }
}

/// Points expiring: `{"within_days": 14}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl ExpiringRules {
    /// Points whose last day is within `within_days` days from today.
    #[must_use]
    pub fn new(within_days: i64) -> ExpiringRules {
        ExpiringRules { within_days }
    }
}

/// The next tier: `{"within_percent": "20", "within_spend": "50.00"}`.
///
/// Within reach when every threshold not yet met is missing at most
/// `within_percent` of it, or, for spend, at most `within_spend`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl NextTierRules {
    /// Within reach when every threshold not met misses at most
    /// `within_percent` of it.
    #[must_use]
    pub fn new(within_percent: Decimal) -> NextTierRules {
        NextTierRules {
            within_percent,
            within_spend: None,
        }
    }

    /// Also within reach when at most `spend` of spend is missing.
    #[must_use]
    pub fn within_spend(mut self, spend: Decimal) -> NextTierRules {
        self.within_spend = Some(spend);
        self
    }
}

/// The next ladder step on a saved cart: `{"within": "20.00"}`, compared
/// with the ladder's `next.missing` (an amount, or units for a quantity
/// ladder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl LadderStepRules {
    /// At most `within` missing to the next step.
    #[must_use]
    pub fn new(within: Decimal) -> LadderStepRules {
        LadderStepRules { within }
    }
}

/// Milestone orders: `{"orders": [5, 50]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MilestoneRules {
    /// The order numbers (1 for the first). Default none.
    #[serde(default)]
    pub orders: Vec<u32>,
}

impl MilestoneRules {
    /// The order numbers to nudge before (1 for the first).
    #[must_use]
    pub fn new(orders: impl IntoIterator<Item = u32>) -> MilestoneRules {
        MilestoneRules {
            orders: orders.into_iter().collect(),
        }
    }
}

/// Win-back: `{"after_days": 60}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl WinBackRules {
    /// After `after_days` local days without an order.
    #[must_use]
    pub fn new(after_days: i64) -> WinBackRules {
        WinBackRules { after_days }
    }
}

/// Birthday this month: `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BirthdayRules {}

impl BirthdayRules {
    /// Birthday nudges (they have no setting).
    #[must_use]
    pub fn new() -> BirthdayRules {
        BirthdayRules {}
    }
}

/// Thanks after the first order: `{"days_after": 1, "within_days": 7}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

impl ThankYouRules {
    /// Planned `days_after` days after the first order, given while it is
    /// at most `within_days` days old.
    #[must_use]
    pub fn new(days_after: i64, within_days: i64) -> ThankYouRules {
        ThankYouRules {
            days_after,
            within_days,
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

/// What is wrong with a value of the rules.
enum Refusal {
    NegativeDays(i64),
    Share(Decimal),
    NegativeAmount(Decimal),
    ZeroMilestone,
}

impl Refusal {
    /// The error of a rules value used on its own.
    fn error(self, path: String) -> NudgeError {
        match self {
            Refusal::NegativeDays(days) => NudgeError::NegativeDays { path, days },
            Refusal::Share(share) => NudgeError::Share { path, share },
            Refusal::NegativeAmount(amount) => NudgeError::NegativeAmount { path, amount },
            Refusal::ZeroMilestone => NudgeError::ZeroMilestone { path },
        }
    }

    /// The problem of a program's rules.
    fn problem(self) -> Problem {
        match self {
            Refusal::NegativeDays(days) => Problem::NegativeDays { days },
            Refusal::Share(value) => Problem::PercentOutOfRange { value },
            Refusal::NegativeAmount(value) => Problem::Negative {
                what: "amount",
                value,
            },
            Refusal::ZeroMilestone => Problem::ZeroOrderNumber,
        }
    }
}

type Refuse<'a> = &'a mut dyn FnMut(String, Refusal);

fn days_ok(refuse: Refuse<'_>, path: impl FnOnce() -> String, days: i64) {
    if days < 0 {
        refuse(path(), Refusal::NegativeDays(days));
    }
}

fn amount_ok(refuse: Refuse<'_>, path: &str, amount: Decimal) {
    if amount.is_sign_negative() && !amount.is_zero() {
        refuse(path.to_owned(), Refusal::NegativeAmount(amount));
    }
}

impl NudgeRules {
    /// Every kind off, sent at [`DEFAULT_SEND_TIME`]: turn kinds on with
    /// the setters below.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::rules::nudge::{MilestoneRules, NudgeRules, WinBackRules};
    ///
    /// let rules = NudgeRules::new()
    ///     .win_back(WinBackRules::new(45))
    ///     .milestone(MilestoneRules::new([5, 50]));
    /// assert_eq!(
    ///     serde_json::to_string(&rules)?,
    ///     r#"{"send_time":"10:00","milestone":{"orders":[5,50]},"win_back":{"after_days":45}}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> NudgeRules {
        NudgeRules::default()
    }

    /// Sets the local time of day nudges are planned for.
    #[must_use]
    pub fn send_time(mut self, time: NaiveTime) -> NudgeRules {
        self.send_time = time;
        self
    }

    /// Turns refill nudges on.
    #[must_use]
    pub fn refill(mut self, rules: RefillRules) -> NudgeRules {
        self.refill = Some(rules);
        self
    }

    /// Turns points-expiring nudges on.
    #[must_use]
    pub fn points_expiring(mut self, rules: ExpiringRules) -> NudgeRules {
        self.points_expiring = Some(rules);
        self
    }

    /// Turns next-tier nudges on.
    #[must_use]
    pub fn next_tier(mut self, rules: NextTierRules) -> NudgeRules {
        self.next_tier = Some(rules);
        self
    }

    /// Turns ladder-step nudges on.
    #[must_use]
    pub fn ladder_step(mut self, rules: LadderStepRules) -> NudgeRules {
        self.ladder_step = Some(rules);
        self
    }

    /// Turns milestone nudges on.
    #[must_use]
    pub fn milestone(mut self, rules: MilestoneRules) -> NudgeRules {
        self.milestone = Some(rules);
        self
    }

    /// Turns win-back nudges on.
    #[must_use]
    pub fn win_back(mut self, rules: WinBackRules) -> NudgeRules {
        self.win_back = Some(rules);
        self
    }

    /// Turns birthday nudges on.
    #[must_use]
    pub fn birthday(mut self, rules: BirthdayRules) -> NudgeRules {
        self.birthday = Some(rules);
        self
    }

    /// Turns thank-you nudges on.
    #[must_use]
    pub fn thank_you(mut self, rules: ThankYouRules) -> NudgeRules {
        self.thank_you = Some(rules);
        self
    }

    /// Whether these are the default rules: every kind off, sent at
    /// [`DEFAULT_SEND_TIME`].
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == NudgeRules::default()
    }

    /// Reports every value refused, in the order of the fields.
    fn check(&self, refuse: Refuse<'_>) {
        if let Some(r) = &self.refill {
            days_ok(refuse, || "refill.days_before".into(), r.days_before);
            for (sku, &days) in &r.skus {
                days_ok(refuse, || format!("refill.skus.{sku}"), days);
            }
            for (category, &days) in &r.categories {
                days_ok(refuse, || format!("refill.categories.{category}"), days);
            }
        }
        if let Some(r) = &self.points_expiring {
            days_ok(
                refuse,
                || "points_expiring.within_days".into(),
                r.within_days,
            );
        }
        if let Some(r) = &self.next_tier {
            if r.within_percent <= Decimal::ZERO || r.within_percent > Decimal::ONE_HUNDRED {
                refuse(
                    "next_tier.within_percent".into(),
                    Refusal::Share(r.within_percent),
                );
            }
            if let Some(spend) = r.within_spend {
                amount_ok(refuse, "next_tier.within_spend", spend);
            }
        }
        if let Some(r) = &self.ladder_step {
            amount_ok(refuse, "ladder_step.within", r.within);
        }
        if let Some(r) = &self.milestone {
            for (i, _) in r.orders.iter().enumerate().filter(|(_, n)| **n == 0) {
                refuse(format!("milestone.orders[{i}]"), Refusal::ZeroMilestone);
            }
        }
        if let Some(r) = &self.win_back {
            days_ok(refuse, || "win_back.after_days".into(), r.after_days);
        }
        if let Some(r) = &self.thank_you {
            days_ok(refuse, || "thank_you.days_after".into(), r.days_after);
            days_ok(refuse, || "thank_you.within_days".into(), r.within_days);
        }
    }

    /// Checks the thresholds: no negative days or amounts, shares in
    /// (0, 100], milestones from 1.
    ///
    /// # Errors
    ///
    /// [`NudgeError`] naming the path of the first value refused.
    pub fn validate(&self) -> Result<(), NudgeError> {
        let mut first = None;
        self.check(&mut |path, refusal| {
            if first.is_none() {
                first = Some(refusal.error(path));
            }
        });
        first.map_or(Ok(()), Err)
    }

    /// The settings that are valid but likely a mistake, each with its
    /// path under `path`.
    fn warnings(&self, path: &str, ctx: &mut RuleContext<'_>) {
        let zero = |ctx: &mut RuleContext<'_>, field: String, days: i64, effect| {
            if days == 0 {
                ctx.warn(field, WarningKind::ZeroDays { effect });
            }
        };
        if let Some(r) = &self.refill {
            zero(
                ctx,
                format!("{path}.refill.days_before"),
                r.days_before,
                "the refill is nudged on its due day only, with no notice before",
            );
            for (sku, &days) in &r.skus {
                zero(
                    ctx,
                    format!("{path}.refill.skus.{sku}"),
                    days,
                    "the refill is due the day it is bought",
                );
            }
            for (category, &days) in &r.categories {
                zero(
                    ctx,
                    format!("{path}.refill.categories.{category}"),
                    days,
                    "the refill is due the day it is bought",
                );
            }
        }
        if let Some(r) = &self.points_expiring {
            zero(
                ctx,
                format!("{path}.points_expiring.within_days"),
                r.within_days,
                "only points that expire at the end of today are announced",
            );
        }
        if let Some(r) = &self.next_tier {
            ctx.percent_warnings(format!("{path}.next_tier.within_percent"), r.within_percent);
        }
        if let Some(r) = &self.ladder_step
            && r.within.is_zero()
        {
            ctx.warn(
                format!("{path}.ladder_step.within"),
                WarningKind::NudgeNeverGiven {
                    why: "a step is in reach only with something missing, and within 0 allows nothing",
                },
            );
        }
        if let Some(r) = &self.milestone
            && r.orders.is_empty()
        {
            ctx.warn(
                format!("{path}.milestone.orders"),
                WarningKind::NudgeNeverGiven {
                    why: "no order number is listed",
                },
            );
        }
        if let Some(r) = &self.win_back {
            zero(
                ctx,
                format!("{path}.win_back.after_days"),
                r.after_days,
                "every customer is a win-back from the day of their last order",
            );
        }
        if let Some(r) = &self.thank_you
            && r.days_after > r.within_days
        {
            ctx.warn(
                format!("{path}.thank_you.days_after"),
                WarningKind::ThanksAfterWindow {
                    days_after: r.days_after,
                    within_days: r.within_days,
                },
            );
        }
    }
}

/// Deserialises a program's `nudges` without checking them:
/// [`Program::new`](crate::Program::new) checks them, with the program's
/// paths, through [`compile`].
pub(crate) fn deserialize_unchecked<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<NudgeRules, D::Error> {
    RulesData::deserialize(d).map(NudgeRules::from_data)
}

/// The program's `nudges` at `path`: every value refused as an error
/// (`nudges.refill.skus.BEANS`), and the warnings.
pub(crate) fn compile(
    path: &str,
    rules: &NudgeRules,
    ctx: &mut RuleContext<'_>,
) -> Result<(), Vec<ProgramError>> {
    let mut errors = Vec::new();
    rules.check(&mut |field, refusal| {
        errors.push(ProgramError::new(
            format!("{path}.{field}"),
            refusal.problem(),
        ));
    });
    rules.warnings(path, ctx);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

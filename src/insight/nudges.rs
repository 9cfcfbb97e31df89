//! Nudges: the messages a customer could be sent at an instant, each a
//! typed value with the figures the message needs and a suggested send
//! instant. The crate sends nothing: the host picks the channel, the words
//! and whether to send at all.
//!
//! [`NudgeRules`] say which kinds are on and their thresholds. They are
//! program data, the program's `nudges` (see [`rules::nudge`]), checked by
//! [`Program::new`] with errors naming the path
//! (`nudges.refill.skus.BEANS`); [`Program::nudges`] gives a customer's
//! nudges by them, with days in the program's time zone. Every kind is off
//! unless its key is present; a present key takes the defaults written on
//! its struct. A [`NudgeRules`] value can also be used on its own, to try
//! settings without a program: [`NudgeRules::nudges`] takes the zone, and
//! checks the rules as deserialisation does (no negative days, shares in
//! (0, 100], no negative amounts), with errors naming the path
//! (`refill.skus.BEANS`).
//!
//! [`rules::nudge`]: crate::rules::nudge
//!
//! # When a nudge is sent
//!
//! Days are local days in the zone given (the program's). Each kind has a
//! *planned day*; the suggested instant is that day at
//! [`send_time`](NudgeRules::send_time()) local (10:00 unless told), or `at`
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
//! # Example: by the program
//!
//! ```
//! use loyalty::customer::{Birthday, Customer};
//! use loyalty::insight::nudges::{Nudge, NudgeInputs};
//! use loyalty::prelude::*;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "shop", "currency": "EUR", "time_zone": "+03:00",
//!     "nudges": {"send_time": "09:00", "birthday": {}}
//! }"#)?)?;
//! let customer = Customer::new("C-1")?.with_birthday(Birthday::new(6, 14)?);
//! let at = "2026-05-31T22:00:00Z".parse()?; // 1 June 01:00 local
//! let nudges = program.nudges(&NudgeInputs::new().customer(&customer), at)?;
//! // Planned for 1 June at 09:00 local, 06:00 UTC.
//! let planned: chrono::DateTime<chrono::Utc> = "2026-06-01T06:00:00Z".parse()?;
//! assert!(matches!(&nudges[..], [Nudge::Birthday { send_at, .. }] if *send_at == planned));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: rules on their own
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

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::profile::{OrderRecord, Profile};
use crate::calendar::Zone;
use crate::customer::{Birthday, Customer, Segment, TierId};
use crate::evaluation::Evaluation;
use crate::money::Currency;
use crate::order::{Category, OrderId, Sku};
use crate::program::Program;
use crate::rules::RuleId;
pub use crate::rules::nudge::{
    BirthdayRules, DEFAULT_SEND_TIME, ExpiringRules, LadderStepRules, MilestoneRules,
    NextTierRules, NudgeError, NudgeRules, RefillRules, ThankYouRules, WinBackRules,
};
use crate::rules::tier::Measure;
use crate::tiers::{MeasureProgress, TierStatus};
use crate::wallet::{Balance, Expiration};

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

impl Program {
    /// The nudges of the program's [`nudge_rules`](Program::nudge_rules)
    /// at `at`, with days counted in the program's time zone: as
    /// [`NudgeRules::nudges`] with that zone. The ladder-step nudge's
    /// `within` is an amount of the program's currency: a saved cart in
    /// another currency the program serves gives none.
    ///
    /// # Errors
    ///
    /// [`NudgeError`]: a day out of the calendar's range (the rules were
    /// checked by [`Program::new`]).
    pub fn nudges(
        &self,
        inputs: &NudgeInputs<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Nudge>, NudgeError> {
        let mut inputs = *inputs;
        if inputs
            .cart
            .is_some_and(|cart| cart.currency != self.main_currency())
        {
            inputs.cart = None;
        }
        self.nudge_rules()
            .nudges(&inputs, at, self.calendar().zone())
    }
}

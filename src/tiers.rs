//! A customer's VIP tier, worked out from their history by the program's
//! rules: which tier they are in, since when and until when it is held,
//! what they have toward the next one, and what the next review would do.
//!
//! The host passes the qualifying events ([`TierEvent`]: each order, and
//! each return, as the crate's evaluations and returns give them) and an
//! instant; [`Program::tier_status`] replays them in time order:
//!
//! - **Figures** are summed over the program's window ([`TierWindow`]):
//!   the local calendar year, the last N months, or the whole history. An
//!   event counts in the window of the instant its order was placed (a
//!   return lowers the figures of its order's period), from the instant it
//!   happened.
//! - **Upgrades** take effect at once: at an order, the highest tier whose
//!   requirement the figures meet. An order that meets the current tier
//!   again extends how long it is held.
//! - **Holding**: a tier reached in a calendar year is held to the end of
//!   the next year; in a rolling window, N months from the last order that
//!   qualified for it; over the whole history, for good.
//! - **Reviews**: when the hold ends, the figures of the period just ended
//!   decide (straight to the tier they give, one level down, or never
//!   down, by [`Downgrade`]), after the grace days; an order in the grace
//!   days that qualifies again keeps the tier. A return that takes the
//!   figures that qualified the tier below its threshold is reviewed the
//!   same way, at once.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::tiers::TierEvent;
//!
//! let program: ProgramDefinition = serde_json::from_str(r#"{
//!     "id": "shop", "currency": "EUR", "time_zone": "Europe/Lisbon",
//!     "tiers": [{"id": "bronze"}, {"id": "silver", "qualify": {"spend": "300.00"}},
//!               {"id": "gold", "qualify": {"spend": "1000.00"}}]
//! }"#)?;
//! let program = Program::new(program)?;
//! let order = |id: &str, at: &str, spend: &str| {
//!     TierEvent::order(id.parse().unwrap(), at.parse().unwrap(), spend.parse().unwrap(), Currency::EUR)
//! };
//! let history = [order("A-1", "2026-02-01T10:00:00Z", "180.00"),
//!                order("A-2", "2026-05-01T10:00:00Z", "150.00")];
//! let status = program.tier_status(&history, "2026-06-01T00:00:00Z".parse()?)?;
//! assert_eq!(status.tier.as_ref().map(|t| t.as_str()), Some("silver"));
//! assert_eq!(
//!     status.to_string(),
//!     "silver since 2026-05-01, held until 2027-12-31; toward gold: 330.00 of 1000.00 spent (670.00 more)"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Zone;
use crate::customer::TierId;
use crate::evaluation::{Effect, Evaluation};
use crate::money::{Currency, Money};
use crate::order::OrderId;
use crate::program::Program;
use crate::rules::tier::{Downgrade, Measure, Requirement, SpendBasis, TierWindow};
use crate::wallet::ReturnOutcome;

/// An order, or a return, as it counts toward tiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TierEvent {
    /// The order.
    pub order: OrderId,
    /// When it happened (the order, or the refund).
    pub at: DateTime<Utc>,
    /// When the order was placed: the period the event counts in.
    pub placed_at: DateTime<Utc>,
    /// The items after discounts (negative for a return).
    pub spend: Decimal,
    /// The items before discounts (negative for a return).
    pub gross: Decimal,
    /// Orders: 1 for an order, -1 for the return of all of it, 0 otherwise.
    pub orders: i32,
    /// Points earned (negative: taken back); `None` when the host's
    /// history does not say (a program whose tiers ask for points then
    /// refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Decimal>,
    /// The currency of the amounts.
    pub currency: Currency,
}

impl TierEvent {
    /// An order placed at `at` with `spend` after discounts (and before:
    /// the same), its points unknown.
    #[must_use]
    pub fn order(
        order: OrderId,
        at: DateTime<Utc>,
        spend: Decimal,
        currency: Currency,
    ) -> TierEvent {
        TierEvent {
            order,
            at,
            placed_at: at,
            spend,
            gross: spend,
            orders: 1,
            points: None,
            currency,
        }
    }

    /// Sets the spend before discounts.
    #[must_use]
    pub fn gross(mut self, gross: Decimal) -> TierEvent {
        self.gross = gross;
        self
    }

    /// Sets the points earned.
    #[must_use]
    pub fn points(mut self, points: Decimal) -> TierEvent {
        self.points = Some(points);
        self
    }

    /// The event of an evaluated order: its items after and before
    /// discounts (what was paid for them, in money or with points), its
    /// points, at the instant of evaluation.
    #[must_use]
    pub fn from_evaluation(evaluation: &Evaluation) -> TierEvent {
        TierEvent {
            order: evaluation.order.clone(),
            at: evaluation.at,
            placed_at: evaluation.at,
            spend: evaluation.totals.subtotal - evaluation.totals.discount,
            gross: evaluation.totals.subtotal,
            orders: 1,
            points: Some(evaluation.points.total),
            currency: evaluation.currency,
        }
    }

    /// The event of a return of the order `sale` evaluated: the returned
    /// items' value after and before discounts and the points taken back,
    /// counted in the order's period; a full return takes the order away.
    #[must_use]
    pub fn from_return(outcome: &ReturnOutcome, sale: &Evaluation) -> TierEvent {
        let spend: Decimal = outcome.lines.iter().map(|l| l.net).sum();
        let gross: Decimal = outcome.lines.iter().map(|l| l.gross).sum();
        TierEvent {
            order: outcome.order.clone(),
            at: outcome.at,
            placed_at: sale.at,
            spend: -spend,
            gross: -gross,
            orders: if outcome.full { -1 } else { 0 },
            points: Some(-outcome.points_to_reverse),
            currency: outcome.currency,
        }
    }
}

/// Why a tier status cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TierError {
    /// The program's tiers say nothing of what they take.
    #[error(
        "program {program} has no tier with a requirement: give tiers a \"qualify\" to work out status"
    )]
    NoRequirements {
        /// The program.
        program: String,
    },
    /// An event in another currency than the program's.
    #[error(
        "event of order {order} is in {found}, but the program is in {expected}: convert it first"
    )]
    Currency {
        /// The order.
        order: OrderId,
        /// The program's currency.
        expected: Currency,
        /// The event's.
        found: Currency,
    },
    /// A return dated before its order.
    #[error("event of order {order} happens before the order was placed: check its instants")]
    BeforeOrder {
        /// The order.
        order: OrderId,
    },
    /// An event without a figure the program's tiers ask for.
    #[error(
        "event of order {order} has no {measure:?} figure, but the program's tiers ask for it: give it (TierEvent::points), or build events from evaluations"
    )]
    MissingMeasure {
        /// The order.
        order: OrderId,
        /// The measure missing.
        measure: Measure,
    },
    /// An evaluation of another program.
    #[error(
        "the evaluation is of program {found}, not of {program}: use the program that evaluated it"
    )]
    OtherProgram {
        /// This program.
        program: String,
        /// The evaluation's.
        found: String,
    },
    /// Figures or instants out of range.
    #[error("{what} overflows: check the history for absurd amounts or instants")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

/// A customer's figures over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Figures {
    /// Spend (the program's basis).
    pub spend: Decimal,
    /// Orders.
    pub orders: i64,
    /// Points earned.
    pub points: Decimal,
}

impl Figures {
    fn of(&self, measure: Measure) -> Decimal {
        match measure {
            Measure::Spend => self.spend,
            Measure::Orders => Decimal::from(self.orders),
            Measure::Points => self.points,
        }
    }

    fn meet(&self, requirement: &Requirement) -> bool {
        requirement.met(self.spend, self.orders, self.points)
    }
}

/// Where a customer stands toward a tier, measure by measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// The tier.
    pub tier: TierId,
    /// Whether the figures meet it.
    pub met: bool,
    /// Each threshold its requirement names.
    pub measures: Vec<MeasureProgress>,
}

/// One threshold of a requirement, and the figure against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MeasureProgress {
    /// What is measured.
    pub measure: Measure,
    /// The customer's figure.
    pub have: Decimal,
    /// The threshold.
    pub need: Decimal,
    /// What is missing (0 when met).
    pub missing: Decimal,
}

/// What the next review would do, with the figures as they are now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Review {
    /// When the hold ends and the figures are reviewed.
    pub at: DateTime<Utc>,
    /// The tier it would give (a downgrade takes effect after the grace
    /// days).
    pub tier: Option<TierId>,
}

/// A customer's tier at an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierStatus {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The currency of the spend.
    pub currency: Currency,
    /// The program's time zone, in which the sentence gives its dates.
    pub time_zone: Zone,
    /// The tier, if any (below the lowest requirement, none).
    pub tier: Option<TierId>,
    /// Since when.
    pub since: Option<DateTime<Utc>>,
    /// Until when it is held at least (its next review); `None` for a tier
    /// held for good.
    pub held_until: Option<DateTime<Utc>>,
    /// The tier the current figures give on their own.
    pub qualified: Option<TierId>,
    /// The figures over the current window.
    pub figures: Figures,
    /// Toward the next tier up, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Progress>,
    /// Toward keeping the current tier at the next review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<Progress>,
    /// What the next review would do now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// A downgrade decided and waiting out its grace days: when, and to
    /// which tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Review>,
}

/// What an order does to the customer's tier: the tier before and after
/// it, the status after it (with what is still missing for the next tier,
/// and for keeping this one), and the effect to store when it changes.
///
/// Prints as a sentence for the customer: "this order makes you gold",
/// "670.00 more spent and 3 more orders this year reach gold".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierOutlook {
    /// The tier before the order.
    pub before: Option<TierId>,
    /// The tier after it.
    pub after: Option<TierId>,
    /// Whether the order changes the tier.
    pub changed: bool,
    /// The status with the order counted.
    pub status: TierStatus,
    /// [`Effect::TierChanged`], when the order changes the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// The window's words for a sentence: "this year", "within 12 months".
    #[serde(skip)]
    period: &'static str,
}

/// The replay's state.
struct Replay<'p> {
    program: &'p Program,
    zone: Zone,
    /// The known events' figures by the instant their order was placed,
    /// summed for any window in a few steps.
    placed: Placed,
    current: Option<usize>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    /// When the current tier was last qualified for (the period whose
    /// figures a return re-examines).
    qualified_at: Option<DateTime<Utc>>,
    pending: Option<(DateTime<Utc>, Option<usize>)>,
}

impl Program {
    /// The customer's tier at `at`, from the events of their history (in
    /// any order; those after `at` are left out).
    ///
    /// # Errors
    ///
    /// [`TierError`]: a program whose tiers say nothing of what they take,
    /// an event in another currency or before its order, an overflow.
    pub fn tier_status(
        &self,
        history: &[TierEvent],
        at: DateTime<Utc>,
    ) -> Result<TierStatus, TierError> {
        if !self.tiers().iter().any(|t| t.qualify.is_some()) {
            return Err(TierError::NoRequirements {
                program: self.id().to_owned(),
            });
        }
        let asks_points = self.tiers().iter().any(|t| {
            t.qualify
                .as_ref()
                .is_some_and(|r| r.thresholds().iter().any(|(m, _)| *m == Measure::Points))
        });
        let mut events: Vec<&TierEvent> = Vec::with_capacity(history.len());
        for event in history {
            if event.currency != self.main_currency() {
                return Err(TierError::Currency {
                    order: event.order.clone(),
                    expected: self.main_currency(),
                    found: event.currency,
                });
            }
            if event.at < event.placed_at {
                return Err(TierError::BeforeOrder {
                    order: event.order.clone(),
                });
            }
            if event.points.is_none() && asks_points {
                return Err(TierError::MissingMeasure {
                    order: event.order.clone(),
                    measure: Measure::Points,
                });
            }
            if event.at <= at {
                events.push(event);
            }
        }
        // One order, whatever the input's: by instant, then order id, then
        // orders before returns, then the figures.
        events.sort_by(|a, b| {
            (
                a.at,
                a.order.as_str(),
                -a.orders,
                a.spend,
                a.points,
                a.gross,
                a.placed_at,
            )
                .cmp(&(
                    b.at,
                    b.order.as_str(),
                    -b.orders,
                    b.spend,
                    b.points,
                    b.gross,
                    b.placed_at,
                ))
        });
        let base = self
            .tiers()
            .iter()
            .position(|t| t.qualify.is_none())
            .filter(|&i| i == 0);
        let mut replay = Replay {
            program: self,
            zone: self.definition().time_zone,
            placed: Placed::new(&events),
            current: base,
            since: None,
            until: None,
            qualified_at: None,
            pending: None,
        };
        for event in events {
            replay.advance_to(event.at)?;
            replay.enter(event)?;
            replay.on_event(event.at, event.orders)?;
        }
        replay.advance_to(at)?;
        replay.status(at)
    }
}

impl Program {
    /// What the order `evaluation` evaluated does to the customer's tier,
    /// given their history before it: [`tier_status`](Self::tier_status)
    /// at the evaluation's instant without the order and with it
    /// ([`TierEvent::from_evaluation`]).
    ///
    /// The outlook is worked out beside the evaluation, not inside it, so
    /// that a checkout carries no history and its evaluation costs the
    /// same whatever the customer's past.
    ///
    /// # Errors
    ///
    /// As [`tier_status`](Self::tier_status); an evaluation of another
    /// program is refused as [`TierError::OtherProgram`].
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::tiers::TierEvent;
    ///
    /// let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
    ///     "id": "shop", "currency": "EUR",
    ///     "tiers": [{"id": "bronze"}, {"id": "gold", "qualify": {"spend": "300.00"}}]
    /// }"#)?)?;
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-2", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "LAMP", 1, Money::parse("120.00", Currency::EUR)?))
    ///     .build()?;
    /// let evaluation = program.evaluate(&Checkout::for_order(order, at))?;
    /// let before = [TierEvent::order("A-1".parse()?, "2026-03-01T10:00:00Z".parse()?,
    ///                                "200.00".parse()?, Currency::EUR)];
    /// let outlook = program.tier_outlook(&before, &evaluation)?;
    /// assert_eq!(outlook.to_string(), "this order makes you gold");
    /// assert!(outlook.effect.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tier_outlook(
        &self,
        history: &[TierEvent],
        evaluation: &Evaluation,
    ) -> Result<TierOutlook, TierError> {
        if &evaluation.program != self.program_id() {
            return Err(TierError::OtherProgram {
                program: self.id().to_owned(),
                found: evaluation.program.to_string(),
            });
        }
        let at = evaluation.at;
        let before = self.tier_status(history, at)?;
        let mut with = Vec::with_capacity(history.len() + 1);
        with.extend_from_slice(history);
        with.push(TierEvent::from_evaluation(evaluation));
        let status = self.tier_status(&with, at)?;
        let changed = status.tier != before.tier;
        let effect = changed.then(|| Effect::TierChanged {
            key: format!("{}/{}/tier", self.program_id(), evaluation.order),
            customer: evaluation.customer.clone(),
            from: before.tier.clone(),
            to: status.tier.clone(),
            at,
        });
        let period = match self.tier_rules().window {
            TierWindow::CalendarYear => "this year",
            TierWindow::RollingMonths(_) => "within the window",
            TierWindow::Lifetime => "",
        };
        Ok(TierOutlook {
            before: before.tier,
            after: status.tier.clone(),
            changed,
            status,
            effect,
            period,
        })
    }
}

impl fmt::Display for TierOutlook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let currency = self.status.currency;
        let missing = |f: &mut fmt::Formatter<'_>, progress: &Progress| -> fmt::Result {
            let mut first = true;
            for m in progress.measures.iter().filter(|m| !m.missing.is_zero()) {
                if !first {
                    f.write_str(" and ")?;
                }
                first = false;
                match m.measure {
                    Measure::Spend => write!(
                        f,
                        "{} more spent",
                        Money::new(m.missing, currency).scaled_amount()
                    )?,
                    Measure::Orders if m.missing == Decimal::ONE => f.write_str("1 more order")?,
                    Measure::Orders => write!(f, "{} more orders", m.missing.normalize())?,
                    Measure::Points => write!(f, "{} more points", m.missing.normalize())?,
                }
            }
            if !self.period.is_empty() {
                write!(f, " {}", self.period)?;
            }
            Ok(())
        };
        let mut said = false;
        if self.changed {
            match &self.after {
                Some(tier) => write!(f, "this order makes you {tier}")?,
                None => f.write_str("this order leaves you without a tier")?,
            }
            said = true;
        }
        // "reaches" after one amount or one order, "reach" after more.
        let many = |p: &Progress| {
            let mut left = p.measures.iter().filter(|m| !m.missing.is_zero());
            match (left.next(), left.next()) {
                (Some(m), None) => m.measure != Measure::Spend && m.missing > Decimal::ONE,
                (Some(_), Some(_)) => true,
                _ => false,
            }
        };
        if let Some(keep) = self
            .status
            .keep
            .as_ref()
            .filter(|k| !k.met && !self.changed)
        {
            missing(f, keep)?;
            let verb = if many(keep) { "keep" } else { "keeps" };
            write!(f, " {verb} {}", keep.tier)?;
            said = true;
        }
        if let Some(next) = self.status.next.as_ref().filter(|n| !n.met) {
            if said {
                f.write_str("; ")?;
            }
            missing(f, next)?;
            let verb = if many(next) { "reach" } else { "reaches" };
            write!(f, " {verb} {}", next.tier)?;
        }
        Ok(())
    }
}

impl Replay<'_> {
    fn tiers(&self) -> &[crate::rules::tier::TierDefinition] {
        self.program.tiers()
    }

    /// Runs the reviews and downgrades due up to `t` (inclusive).
    fn advance_to(&mut self, t: DateTime<Utc>) -> Result<(), TierError> {
        loop {
            let review = self.until.filter(|u| *u <= t && self.pending.is_none());
            let downgrade = self.pending.filter(|(when, _)| *when <= t);
            match (review, downgrade) {
                (_, Some((when, tier))) => {
                    // Never below what the figures give by then (an order
                    // in the grace days may have met a lower tier).
                    let figures = self.window_figures(when)?;
                    let tier = tier.max(self.qualified(&figures));
                    self.current = tier;
                    self.since = Some(when);
                    self.pending = None;
                    self.qualified_at = Some(when);
                    // A tier that asks nothing is never reviewed.
                    self.until = if tier > self.base() {
                        self.next_review(when)?
                    } else {
                        None
                    };
                }
                (Some(review), None) => self.review(review)?,
                (None, None) => return Ok(()),
            }
        }
    }

    /// The review at the end of a hold.
    fn review(&mut self, at: DateTime<Utc>) -> Result<(), TierError> {
        let figures = self.period_figures(at)?;
        let target = self.qualified(&figures);
        if target >= self.current {
            // Still met over the period just ended: held another period.
            self.until = self.next_review(at)?;
            return Ok(());
        }
        self.schedule(at, target)
    }

    /// Decides a downgrade at `at` toward what `target` figures give.
    fn schedule(&mut self, at: DateTime<Utc>, target: Option<usize>) -> Result<(), TierError> {
        let rules = self.program.tier_rules();
        let to = match rules.downgrade {
            Downgrade::Never => {
                self.until = None;
                return Ok(());
            }
            Downgrade::ToQualified => target,
            Downgrade::OneLevel => match self.current {
                Some(0) | None => target,
                Some(c) => target.max(Some(c - 1)),
            },
        };
        let when = at
            .checked_add_days(Days::new(u64::from(rules.grace_days)))
            .ok_or(TierError::Overflow { what: "a grace" })?;
        self.pending = Some((when, to));
        Ok(())
    }

    /// An event at `at` of `orders` orders (1 an order, 0 or -1 a return),
    /// already entered.
    fn on_event(&mut self, at: DateTime<Utc>, orders: i32) -> Result<(), TierError> {
        let figures = self.window_figures(at)?;
        let q = self.qualified(&figures);
        if q > self.current {
            self.current = q;
            self.since = Some(at);
            self.qualified_at = Some(at);
            self.pending = None;
            self.until = self.hold_end(at)?;
        } else if q == self.current && q > self.base() && orders > 0 {
            // Qualifies again: held longer, and a pending downgrade is off.
            self.qualified_at = Some(at);
            self.pending = None;
            let end = self.hold_end(at)?;
            self.until = match (self.until, end) {
                (Some(u), Some(e)) => Some(u.max(e)),
                _ => end,
            };
        } else if orders <= 0 && self.pending.is_none() && self.current > self.base() {
            // A return: the figures that qualified the tier, as now known.
            let Some(qualified_at) = self.qualified_at else {
                return Ok(());
            };
            let basis = self.basis_figures(qualified_at)?;
            let held = self.qualified(&basis);
            if held < self.current {
                self.schedule(at, held.max(q))?;
            }
        }
        Ok(())
    }

    /// The tier without a requirement, if the lowest has none.
    fn base(&self) -> Option<usize> {
        self.tiers()
            .first()
            .filter(|t| t.qualify.is_none())
            .map(|_| 0)
    }

    /// The highest tier the figures meet (a tier without a requirement is
    /// met by any).
    fn qualified(&self, figures: &Figures) -> Option<usize> {
        self.tiers()
            .iter()
            .rposition(|t| t.qualify.as_ref().is_none_or(|r| figures.meet(r)))
    }

    /// The end of the hold of a tier qualified at `t`.
    fn hold_end(&self, t: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, TierError> {
        match self.program.tier_rules().window {
            TierWindow::Lifetime => Ok(None),
            TierWindow::RollingMonths(n) => t
                .checked_add_months(Months::new(n))
                .map(Some)
                .ok_or(TierError::Overflow { what: "a hold" }),
            TierWindow::CalendarYear => self
                .year_start(self.zone.local_date(t).year() + 2)
                .map(Some),
        }
    }

    /// The next review after a downgrade at `t`.
    fn next_review(&self, t: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, TierError> {
        match self.program.tier_rules().window {
            TierWindow::CalendarYear => self
                .year_start(self.zone.local_date(t).year() + 1)
                .map(Some),
            _ => self.hold_end(t),
        }
    }

    fn year_start(&self, year: i32) -> Result<DateTime<Utc>, TierError> {
        let date =
            NaiveDate::from_ymd_opt(year, 1, 1).ok_or(TierError::Overflow { what: "a year" })?;
        self.zone
            .to_utc(date.and_time(chrono::NaiveTime::MIN))
            .map_err(|_| TierError::Overflow { what: "a year" })
    }

    /// The window `(from, to]` of placement instants that count at `t`.
    fn window(
        &self,
        t: DateTime<Utc>,
    ) -> Result<(Option<DateTime<Utc>>, DateTime<Utc>), TierError> {
        Ok(match self.program.tier_rules().window {
            TierWindow::Lifetime => (None, t),
            TierWindow::RollingMonths(n) => (t.checked_sub_months(Months::new(n)), t),
            TierWindow::CalendarYear => {
                let year = self.zone.local_date(t).year();
                // Placed at or after the year's first instant.
                let start = self.year_start(year)?;
                (
                    start.checked_sub_signed(chrono::TimeDelta::nanoseconds(1)),
                    t,
                )
            }
        })
    }

    fn window_figures(&mut self, t: DateTime<Utc>) -> Result<Figures, TierError> {
        let (from, to) = self.window(t)?;
        self.sum(from, to)
    }

    /// Counts a known event.
    fn enter(&mut self, e: &TierEvent) -> Result<(), TierError> {
        let figures = self.figures_of(e.spend, e.gross, e.orders, e.points.unwrap_or_default());
        self.placed.add(e.placed_at, figures)
    }

    /// An event's figures, on the program's spend basis.
    fn figures_of(&self, spend: Decimal, gross: Decimal, orders: i32, points: Decimal) -> Figures {
        Figures {
            spend: match self.program.tier_rules().spend {
                SpendBasis::AfterDiscounts => spend,
                SpendBasis::BeforeDiscounts => gross,
            },
            orders: i64::from(orders),
            points,
        }
    }

    /// The figures of the period a review at `t` closes: the year just
    /// ended, or the N months before `t`.
    fn period_figures(&mut self, t: DateTime<Utc>) -> Result<Figures, TierError> {
        match self.program.tier_rules().window {
            TierWindow::CalendarYear => {
                let before = t
                    .checked_sub_signed(chrono::TimeDelta::nanoseconds(1))
                    .ok_or(TierError::Overflow { what: "a review" })?;
                let (from, _) = self.window(before)?;
                self.sum(from, before)
            }
            _ => self.window_figures(t),
        }
    }

    /// The figures of the period that qualified the tier at `qualified_at`,
    /// as known now.
    fn basis_figures(&mut self, qualified_at: DateTime<Utc>) -> Result<Figures, TierError> {
        self.window_figures(qualified_at)
    }

    /// The known events placed in `(from, to]`.
    fn sum(&self, from: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Result<Figures, TierError> {
        let upto = self.placed.prefix(to)?;
        match from {
            None => Ok(upto),
            Some(from) => sub_figures(upto, self.placed.prefix(from)?),
        }
    }

    fn progress(&self, tier: usize, figures: &Figures) -> Option<Progress> {
        let definition = &self.tiers()[tier];
        let requirement = definition.qualify.as_ref()?;
        Some(Progress {
            tier: definition.id.clone(),
            met: figures.meet(requirement),
            measures: requirement
                .thresholds()
                .into_iter()
                .map(|(measure, need)| {
                    let have = figures.of(measure);
                    let missing = need
                        .checked_sub(have)
                        .unwrap_or(Decimal::ZERO)
                        .max(Decimal::ZERO);
                    // Spend with the currency's decimals, zeros included.
                    let shown = |v: Decimal| match measure {
                        Measure::Spend => {
                            Money::new(v, self.program.main_currency()).scaled_amount()
                        }
                        _ => v,
                    };
                    MeasureProgress {
                        measure,
                        have: shown(have),
                        need: shown(need),
                        missing: shown(missing),
                    }
                })
                .collect(),
        })
    }

    fn status(&mut self, at: DateTime<Utc>) -> Result<TierStatus, TierError> {
        let figures = self.window_figures(at)?;
        let id = |i: Option<usize>| i.map(|i| self.tiers()[i].id.clone());
        let next_up = match self.current {
            None => Some(0),
            Some(c) if c + 1 < self.tiers().len() => Some(c + 1),
            Some(_) => None,
        };
        let review = match (self.until, self.pending) {
            (Some(until), None) => {
                let target = self.qualified(&figures);
                let tier = if target >= self.current {
                    self.current
                } else {
                    match self.program.tier_rules().downgrade {
                        Downgrade::Never => self.current,
                        Downgrade::ToQualified => target,
                        Downgrade::OneLevel => match self.current {
                            Some(c) if c > 0 => target.max(Some(c - 1)),
                            _ => target,
                        },
                    }
                };
                Some(Review {
                    at: until,
                    tier: id(tier),
                })
            }
            _ => None,
        };
        let currency = self.program.main_currency();
        let scaled = |mut f: Figures| {
            f.spend = Money::new(f.spend, currency).scaled_amount();
            f
        };
        let figures = scaled(figures);
        Ok(TierStatus {
            at,
            currency,
            time_zone: self.zone,
            tier: id(self.current),
            since: self.since,
            // While a downgrade waits out its grace days, the tier is held
            // until it takes effect.
            held_until: self.pending.map(|(when, _)| when).or(self.until),
            qualified: id(self.qualified(&figures)),
            figures,
            next: next_up.and_then(|n| self.progress(n, &figures)),
            keep: self.current.and_then(|c| self.progress(c, &figures)),
            review,
            pending: self.pending.map(|(when, tier)| Review {
                at: when,
                tier: id(tier),
            }),
        })
    }
}

/// The figures of known events by the instant their order was placed, so
/// that adding an event and summing the events placed up to an instant
/// each take a few steps (the replay is O(n log n) in the history).
enum Placed {
    /// A history known in advance: a Fenwick tree over its placement
    /// instants.
    Tree {
        /// The placement instants of the history, sorted, each once.
        instants: Vec<DateTime<Utc>>,
        /// The tree: node `i` (from 1) sums the `i & -i` instants ending at
        /// `i`.
        tree: Vec<Figures>,
    },
    /// Events as they come, in time order ([`TierTrack`]): the running
    /// sums at each placement instant.
    Running {
        /// The placement instants so far, sorted, each once.
        instants: Vec<DateTime<Utc>>,
        /// The figures of the events placed at or before each.
        sums: Vec<Figures>,
    },
}

impl Placed {
    fn new(events: &[&TierEvent]) -> Placed {
        let mut instants: Vec<DateTime<Utc>> = events.iter().map(|e| e.placed_at).collect();
        instants.sort_unstable();
        instants.dedup();
        let tree = vec![Figures::default(); instants.len() + 1];
        Placed::Tree { instants, tree }
    }

    fn add(&mut self, placed: DateTime<Utc>, figures: Figures) -> Result<(), TierError> {
        match self {
            Placed::Tree { instants, tree } => {
                // Every event's instant is one of the history's.
                let Ok(index) = instants.binary_search(&placed) else {
                    return Ok(());
                };
                let mut i = index + 1;
                while i < tree.len() {
                    tree[i] = add_figures(tree[i], figures)?;
                    i += i & i.wrapping_neg();
                }
            }
            Placed::Running { instants, sums } => {
                // In time order, the last instant or a new one; an event
                // placed earlier (never from the simulation) counts in
                // every sum from its instant on.
                let i = instants.partition_point(|p| *p < placed);
                if i == instants.len() {
                    let before = sums.last().copied().unwrap_or_default();
                    instants.push(placed);
                    sums.push(add_figures(before, figures)?);
                    return Ok(());
                }
                if instants[i] != placed {
                    let before = if i == 0 {
                        Figures::default()
                    } else {
                        sums[i - 1]
                    };
                    instants.insert(i, placed);
                    sums.insert(i, before);
                }
                for sum in &mut sums[i..] {
                    *sum = add_figures(*sum, figures)?;
                }
            }
        }
        Ok(())
    }

    /// The events placed at or before `upto`.
    fn prefix(&self, upto: DateTime<Utc>) -> Result<Figures, TierError> {
        match self {
            Placed::Tree { instants, tree } => {
                let mut i = instants.partition_point(|p| *p <= upto);
                let mut sum = Figures::default();
                while i > 0 {
                    sum = add_figures(sum, tree[i])?;
                    i -= i & i.wrapping_neg();
                }
                Ok(sum)
            }
            Placed::Running { instants, sums } => {
                let i = instants.partition_point(|p| *p <= upto);
                Ok(if i == 0 {
                    Figures::default()
                } else {
                    sums[i - 1]
                })
            }
        }
    }
}

/// A customer's tier followed order by order, for a history given in time
/// order: the same replay as [`Program::tier_status`], kept between
/// orders, so that the tier after each order costs a few steps rather
/// than a replay of the whole history. For the simulation.
pub(crate) struct TierTrack<'p> {
    replay: Replay<'p>,
}

impl<'p> TierTrack<'p> {
    /// A customer with no order yet, under `program` (whose tiers have a
    /// requirement).
    pub(crate) fn new(program: &'p Program) -> TierTrack<'p> {
        let base = program
            .tiers()
            .iter()
            .position(|t| t.qualify.is_none())
            .filter(|&i| i == 0);
        TierTrack {
            replay: Replay {
                program,
                zone: program.definition().time_zone,
                placed: Placed::Running {
                    instants: Vec::new(),
                    sums: Vec::new(),
                },
                current: base,
                since: None,
                until: None,
                qualified_at: None,
                pending: None,
            },
        }
    }

    /// The tier (its index in the program's list) at `at`, no earlier than
    /// the last instant asked or ordered at: what
    /// [`Program::tier_status`] gives at `at` from the orders so far.
    pub(crate) fn tier_at(&mut self, at: DateTime<Utc>) -> Result<Option<usize>, TierError> {
        self.replay.advance_to(at)?;
        Ok(self.replay.current)
    }

    /// Counts an order placed at `at` with its items after and before
    /// discounts and its points, as [`TierEvent::from_evaluation`] would.
    pub(crate) fn order(
        &mut self,
        at: DateTime<Utc>,
        spend: Decimal,
        gross: Decimal,
        points: Decimal,
    ) -> Result<(), TierError> {
        let replay = &mut self.replay;
        replay.advance_to(at)?;
        let figures = replay.figures_of(spend, gross, 1, points);
        replay.placed.add(at, figures)?;
        replay.on_event(at, 1)
    }
}

fn add_figures(a: Figures, b: Figures) -> Result<Figures, TierError> {
    let over = || TierError::Overflow { what: "figures" };
    Ok(Figures {
        spend: a.spend.checked_add(b.spend).ok_or_else(over)?,
        orders: a.orders.checked_add(b.orders).ok_or_else(over)?,
        points: a.points.checked_add(b.points).ok_or_else(over)?,
    })
}

fn sub_figures(a: Figures, b: Figures) -> Result<Figures, TierError> {
    let over = || TierError::Overflow { what: "figures" };
    Ok(Figures {
        spend: a.spend.checked_sub(b.spend).ok_or_else(over)?,
        orders: a.orders.checked_sub(b.orders).ok_or_else(over)?,
        points: a.points.checked_sub(b.points).ok_or_else(over)?,
    })
}

impl fmt::Display for TierStatus {
    /// "silver since 2026-05-01, held until 2027-12-31; toward gold:
    /// 330.00 of 1000.00 spent (670.00 more), 2 of 5 orders (3 more)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |at: DateTime<Utc>| self.time_zone.local_date(at);
        match (&self.tier, self.since) {
            (Some(tier), Some(since)) => write!(f, "{tier} since {}", day(since))?,
            (Some(tier), None) => write!(f, "{tier}")?,
            (None, _) => f.write_str("no tier")?,
        }
        // While a downgrade waits, "silver from …" says how long this tier
        // lasts.
        if let Some(until) = self.held_until.filter(|_| self.pending.is_none()) {
            // The last local day held: the day of the instant just before.
            let last = until
                .checked_sub_signed(chrono::TimeDelta::nanoseconds(1))
                .unwrap_or(until);
            write!(f, ", held until {}", day(last))?;
        }
        if let Some(pending) = &self.pending {
            match &pending.tier {
                Some(tier) => write!(f, "; {tier} from {}", day(pending.at))?,
                None => write!(f, "; no tier from {}", day(pending.at))?,
            }
        }
        if let Some(next) = &self.next {
            write!(f, "; toward {}: ", next.tier)?;
            for (i, m) in next.measures.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                let (have, need, missing) = (
                    m.have.normalize(),
                    m.need.normalize(),
                    m.missing.normalize(),
                );
                match m.measure {
                    Measure::Spend => {
                        let money = |v: Decimal| Money::new(v, self.currency).scaled_amount();
                        write!(f, "{} of {} spent", money(m.have), money(m.need))?;
                        if !m.missing.is_zero() {
                            write!(f, " ({} more)", money(m.missing))?;
                        }
                    }
                    Measure::Orders => {
                        write!(f, "{have} of {need} orders")?;
                        if !m.missing.is_zero() {
                            write!(f, " ({missing} more)")?;
                        }
                    }
                    Measure::Points => {
                        write!(f, "{have} of {need} points")?;
                        if !m.missing.is_zero() {
                            write!(f, " ({missing} more)")?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

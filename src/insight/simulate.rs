//! Simulation: a program run over a history of orders, as if each had been
//! checked out in turn, summed month by month.
//!
//! [`Simulation::run`] takes orders in time order (customers interleaved)
//! and carries each customer's state from one order to their next: the
//! orders placed before and the last one (the [`CustomerStats`] of the
//! next checkout), the lifetime spend (items after discounts), the points
//! earned as wallet [`Entry`]s (expired by the program's ledger policy;
//! the simulation redeems none), and, when the program's tiers have
//! requirements, the tier [`Program::tier_status`] gives from the
//! customer's own [`TierEvent`]s, set on the next checkout.
//!
//! The [`SimulationReport`] holds, per local month in the program's zone,
//! figures that only add up: orders, revenue (payable), discounts per rule
//! id, coupon uses per code, points issued and expired, cashback issued,
//! and customers per tier at month end. Every state is its customer's
//! own, so simulations of disjoint sets of customers
//! [`merge`](SimulationReport::merge) into exactly the report of one run
//! over all of them.
//!
//! # Example
//!
//! ```
//! use loyalty::insight::simulate::{Month, Simulation};
//! use loyalty::prelude::*;
//!
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR)
//!         .ladder(LadderDefinition::new("spend-more").percent_from("100", "5"))
//!         .earning_rule(EarnRuleDefinition::new("points", 1, 1)),
//! )?;
//! let order = |id: &str, customer: &str, at: &str, price: &str| {
//!     Order::builder(id, customer, at.parse().unwrap(), Currency::EUR)
//!         .line(Line::new("1", "TEA", 1, Money::parse(price, Currency::EUR).unwrap()))
//!         .build()
//! };
//! let orders = [order("A-1", "C-1", "2026-01-10T10:00:00Z", "120.00")?,
//!               order("B-1", "C-2", "2026-01-20T10:00:00Z", "50.00")?];
//! let report = Simulation::new(&program).run(orders)?;
//! let january = report.month(Month::new(2026, 1).unwrap()).unwrap();
//! assert_eq!(january.orders, 2);
//! assert_eq!(january.revenue, "164.00".parse()?); // 114.00 + 50.00
//! assert_eq!(january.points_issued, Decimal::from(164));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Zone};
use crate::customer::{Customer, CustomerError, CustomerId, CustomerStats, TierId};
use crate::evaluate::{Checkout, EvaluateOptions, EvaluationError};
use crate::money::Currency;
use crate::order::{Order, OrderId};
use crate::program::Program;
use crate::rules::redemption::PointsRate;
use crate::tiers::{TierError, TierEvent};
use crate::wallet::{Entry, Ledger, LedgerTerms, WalletError};

/// A local calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `month` (1–12) of `year`; `None` for another month number
    /// or a year out of the calendar's range.
    #[must_use]
    pub fn new(year: i32, month: u32) -> Option<Month> {
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Month { year, month })
    }

    /// The month of a local date.
    #[must_use]
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    #[must_use]
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The month after this one.
    #[must_use]
    pub fn next(&self) -> Option<Month> {
        if self.month == 12 {
            Month::new(self.year.checked_add(1)?, 1)
        } else {
            Month::new(self.year, self.month + 1)
        }
    }

    /// The first instant of the month in `zone`.
    fn start(&self, zone: Zone) -> Result<DateTime<Utc>, SimulationError> {
        let date = NaiveDate::from_ymd_opt(self.year, self.month, 1).ok_or(
            SimulationError::OutOfRange {
                what: "a month of the history",
            },
        )?;
        let midnight = date
            .and_hms_opt(0, 0, 0)
            .ok_or(SimulationError::OutOfRange {
                what: "a month of the history",
            })?;
        Ok(zone.to_utc(midnight)?)
    }

    /// The last instant of the month in `zone`.
    fn end(&self, zone: Zone) -> Result<DateTime<Utc>, SimulationError> {
        let next = self.next().ok_or(SimulationError::OutOfRange {
            what: "a month of the history",
        })?;
        next.start(zone)?
            .checked_sub_signed(TimeDelta::nanoseconds(1))
            .ok_or(SimulationError::OutOfRange {
                what: "a month of the history",
            })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// An order placed before the one before it in the history.
    #[error(
        "order {order} is placed at {at}, before order {previous} at {previous_at}: give the history sorted by placed_at"
    )]
    OutOfOrder {
        /// The order out of place.
        order: OrderId,
        /// When it was placed.
        at: DateTime<Utc>,
        /// The order before it in the history.
        previous: OrderId,
        /// When that one was placed.
        previous_at: DateTime<Utc>,
    },
    /// An order in another currency than the program's.
    #[error(
        "order {order} is in {found}, but the program is in {expected}: convert it or leave it out"
    )]
    Currency {
        /// The order.
        order: OrderId,
        /// The program's currency.
        expected: Currency,
        /// The order's.
        found: Currency,
    },
    /// The evaluation of an order failed.
    #[error("order {order} cannot be evaluated: {source}")]
    Evaluation {
        /// The order.
        order: OrderId,
        /// Why.
        source: EvaluationError,
    },
    /// The customer state carried to an order is refused.
    #[error("the state of customer {customer} before order {order} is refused: {source}")]
    Customer {
        /// The customer.
        customer: CustomerId,
        /// The order.
        order: OrderId,
        /// Why.
        source: CustomerError,
    },
    /// A customer's tier cannot be worked out.
    #[error("the tier of customer {customer} cannot be worked out: {source}")]
    Tier {
        /// The customer.
        customer: CustomerId,
        /// Why.
        source: TierError,
    },
    /// A customer's points cannot be kept in a ledger.
    #[error("the points of customer {customer} cannot be kept: {source}")]
    Wallet {
        /// The customer.
        customer: CustomerId,
        /// Why.
        source: WalletError,
    },
    /// A local month boundary that the program's zone cannot place.
    #[error("a month boundary cannot be placed: {0}")]
    Calendar(#[from] CalendarError),
    /// A figure or instant out of range.
    #[error("{what} is out of range: check the history for absurd amounts or instants")]
    OutOfRange {
        /// What.
        what: &'static str,
    },
}

/// The figures of one local month. All of them add up across customers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MonthFigures {
    /// Orders placed.
    pub orders: u64,
    /// What the orders paid (payable, shipping included).
    pub revenue: Decimal,
    /// Discounts given, by rule id.
    pub discounts: BTreeMap<String, Decimal>,
    /// Coupon uses (discounts applied through a code), by code as entered.
    pub coupon_uses: BTreeMap<String, u64>,
    /// Points earned by the month's orders.
    pub points_issued: Decimal,
    /// Points that expired in the month (the wallet's ledger policy).
    pub points_expired: Decimal,
    /// Points redeemed in the month (the simulation redeems none: zero).
    pub points_redeemed: Decimal,
    /// Cashback earned by the month's orders.
    pub cashback_issued: Decimal,
    /// Customers in each tier at the end of the month, each counted from
    /// the month of their first order to that of their last; empty when
    /// the program's tiers have no requirements.
    pub tiers: BTreeMap<String, u64>,
}

impl MonthFigures {
    fn add(&mut self, other: MonthFigures) {
        self.orders += other.orders;
        self.revenue += other.revenue;
        for (rule, amount) in other.discounts {
            *self.discounts.entry(rule).or_default() += amount;
        }
        for (code, uses) in other.coupon_uses {
            *self.coupon_uses.entry(code).or_default() += uses;
        }
        self.points_issued += other.points_issued;
        self.points_expired += other.points_expired;
        self.points_redeemed += other.points_redeemed;
        self.cashback_issued += other.cashback_issued;
        for (tier, customers) in other.tiers {
            *self.tiers.entry(tier).or_default() += customers;
        }
    }
}

/// The summary of a simulation, by local month; mergeable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimulationReport {
    /// The program's currency.
    pub currency: Option<Currency>,
    /// What points are worth when the program redeems them.
    pub points_rate: Option<PointsRate>,
    /// The figures of each month with an order or an expiry.
    pub months: BTreeMap<Month, MonthFigures>,
}

impl SimulationReport {
    /// The report of `self` and `other` together: for simulations of the
    /// same program over disjoint sets of customers, exactly the report
    /// of one simulation over all of them.
    #[must_use]
    pub fn merge(mut self, other: SimulationReport) -> SimulationReport {
        self.currency = self.currency.or(other.currency);
        self.points_rate = self.points_rate.or(other.points_rate);
        for (month, figures) in other.months {
            self.months.entry(month).or_default().add(figures);
        }
        self
    }

    /// The figures of `month`, if anything happened in it.
    #[must_use]
    pub fn month(&self, month: Month) -> Option<&MonthFigures> {
        self.months.get(&month)
    }

    /// The points outstanding at the end of `month`: issued less expired
    /// less redeemed, up to and including it.
    #[must_use]
    pub fn points_liability(&self, month: Month) -> Decimal {
        self.months
            .range(..=month)
            .map(|(_, f)| f.points_issued - f.points_expired - f.points_redeemed)
            .sum()
    }

    /// What the points outstanding at the end of `month` are worth at the
    /// program's redemption rate (rounded down to the minor unit, as a
    /// redemption is); `None` when the program does not redeem points.
    #[must_use]
    pub fn points_liability_value(&self, month: Month) -> Option<Decimal> {
        let rate = self.points_rate.as_ref()?;
        let currency = self.currency?;
        let value = self
            .points_liability(month)
            .checked_mul(rate.value)?
            .checked_div(rate.points)?;
        Some(value.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::ToZero))
    }
}

/// Two programs run over the same history: what a change would have cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Comparison {
    /// The report of the program as it is.
    pub before: SimulationReport,
    /// The report of the program changed.
    pub after: SimulationReport,
}

/// One month of a [`Comparison`]: the change's effect, after less before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MonthDelta {
    /// Revenue (payable) after less before.
    pub revenue: Decimal,
    /// All discounts after less before.
    pub discounts: Decimal,
    /// Points issued after less before.
    pub points_issued: Decimal,
    /// Cashback issued after less before.
    pub cashback_issued: Decimal,
    /// The points liability at the end of the month, after less before.
    pub points_liability: Decimal,
}

impl Comparison {
    /// Runs `before` and `after` over the same `orders` (in time order).
    ///
    /// # Errors
    ///
    /// As [`Simulation::run`], for either program.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::insight::simulate::{Comparison, Month};
    /// use loyalty::prelude::*;
    ///
    /// let points = |n: u32| {
    ///     Program::new(ProgramDefinition::new("shop", Currency::EUR)
    ///         .earning_rule(EarnRuleDefinition::new("points", n, 1)))
    /// };
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 2, Money::parse("30.00", Currency::EUR)?))
    ///     .build()?;
    /// let compared = Comparison::run(&points(1)?, &points(2)?, [order])?;
    /// let november = Month::new(2026, 11).unwrap();
    /// assert_eq!(compared.delta(november).points_issued, Decimal::from(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(
        before: &Program,
        after: &Program,
        orders: impl IntoIterator<Item = Order>,
    ) -> Result<Comparison, SimulationError> {
        let orders: Vec<Order> = orders.into_iter().collect();
        Ok(Comparison {
            before: Simulation::new(before).run(orders.iter().cloned())?,
            after: Simulation::new(after).run(orders)?,
        })
    }

    /// The months either report has, in order.
    pub fn months(&self) -> impl Iterator<Item = Month> + '_ {
        let mut months: Vec<Month> = self
            .before
            .months
            .keys()
            .chain(self.after.months.keys())
            .copied()
            .collect();
        months.sort_unstable();
        months.dedup();
        months.into_iter()
    }

    /// The change's effect in `month`.
    #[must_use]
    pub fn delta(&self, month: Month) -> MonthDelta {
        let empty = MonthFigures::default();
        let b = self.before.month(month).unwrap_or(&empty);
        let a = self.after.month(month).unwrap_or(&empty);
        let discounts = |f: &MonthFigures| f.discounts.values().copied().sum::<Decimal>();
        MonthDelta {
            revenue: a.revenue - b.revenue,
            discounts: discounts(a) - discounts(b),
            points_issued: a.points_issued - b.points_issued,
            cashback_issued: a.cashback_issued - b.cashback_issued,
            points_liability: self.after.points_liability(month)
                - self.before.points_liability(month),
        }
    }
}

/// What the simulation knows of a customer between their orders.
struct State {
    orders: u32,
    lifetime_spend: Decimal,
    last_order_at: Option<DateTime<Utc>>,
    tier: Option<TierId>,
    events: Vec<TierEvent>,
    entries: Vec<Entry>,
    first: Month,
    last: Month,
}

/// A program run over a history of orders.
#[derive(Clone, Copy, Debug)]
pub struct Simulation<'a> {
    program: &'a Program,
}

impl<'a> Simulation<'a> {
    /// A simulation of `program`.
    #[must_use]
    pub fn new(program: &'a Program) -> Simulation<'a> {
        Simulation { program }
    }

    /// Runs the program over `orders`, placed in time order, each
    /// evaluated at its instant with its customer's state from their
    /// earlier orders.
    ///
    /// # Errors
    ///
    /// A [`SimulationError`]: an order placed before the one before it,
    /// in another currency, an evaluation that fails, a tier or a points
    /// ledger that cannot be worked out.
    pub fn run(
        &self,
        orders: impl IntoIterator<Item = Order>,
    ) -> Result<SimulationReport, SimulationError> {
        let program = self.program;
        let zone = program.calendar().zone();
        let tiered = program.tiers().iter().any(|t| t.qualify.is_some());
        let mut report = SimulationReport {
            currency: Some(program.currency()),
            points_rate: program.redemption().points.as_ref().map(|p| p.rate),
            months: BTreeMap::new(),
        };
        let mut states: HashMap<CustomerId, State> = HashMap::new();
        let mut previous: Option<(OrderId, DateTime<Utc>)> = None;
        for order in orders {
            let at = order.placed_at();
            if let Some((previous, previous_at)) = &previous
                && at < *previous_at
            {
                return Err(SimulationError::OutOfOrder {
                    order: order.id().clone(),
                    at,
                    previous: previous.clone(),
                    previous_at: *previous_at,
                });
            }
            previous = Some((order.id().clone(), at));
            if order.currency() != program.currency() {
                return Err(SimulationError::Currency {
                    order: order.id().clone(),
                    expected: program.currency(),
                    found: order.currency(),
                });
            }
            let month = Month::of(zone.local_date(at));
            let state = states
                .entry(order.customer().clone())
                .or_insert_with(|| State {
                    orders: 0,
                    lifetime_spend: Decimal::ZERO,
                    last_order_at: None,
                    tier: None,
                    events: Vec::new(),
                    entries: Vec::new(),
                    first: month,
                    last: month,
                });
            let customer_error = |source| SimulationError::Customer {
                customer: order.customer().clone(),
                order: order.id().clone(),
                source,
            };
            let mut customer = Customer::from_id(order.customer().clone())
                .with_stats(CustomerStats {
                    orders_before: state.orders,
                    lifetime_spend: state.lifetime_spend,
                    last_order_at: state.last_order_at,
                    ..CustomerStats::default()
                })
                .map_err(customer_error)?;
            if let Some(tier) = &state.tier {
                customer = customer.with_tier(tier.as_str()).map_err(customer_error)?;
            }
            let id = order.id().clone();
            let checkout = Checkout::new(order, customer, at);
            let evaluation = program
                .evaluate_with(&checkout, EvaluateOptions::new().trace(false))
                .map_err(|source| SimulationError::Evaluation {
                    order: id.clone(),
                    source,
                })?;
            let figures = report.months.entry(month).or_default();
            figures.orders += 1;
            figures.revenue += evaluation.totals.payable;
            for discount in &evaluation.discounts {
                *figures
                    .discounts
                    .entry(discount.rule.id.to_string())
                    .or_default() += discount.amount;
                if let Some(code) = &discount.code {
                    *figures.coupon_uses.entry(code.clone()).or_default() += 1;
                }
            }
            figures.points_issued += evaluation.points.total;
            figures.cashback_issued += evaluation.cashback.total;

            let event = TierEvent::from_evaluation(&evaluation);
            state.orders = state.orders.saturating_add(1);
            state.lifetime_spend += event.spend;
            state.last_order_at = Some(at);
            state.last = month;
            let wallet_error = |source| SimulationError::Wallet {
                customer: evaluation.customer.clone(),
                source,
            };
            state
                .entries
                .extend(Entry::from_evaluation(&evaluation).map_err(wallet_error)?);
            state.events.push(event);
            if tiered {
                let status = program.tier_status(&state.events, at).map_err(|source| {
                    SimulationError::Tier {
                        customer: evaluation.customer.clone(),
                        source,
                    }
                })?;
                state.tier = status.tier;
            }
        }
        let mut customers: Vec<_> = states.into_iter().collect();
        customers.sort_by(|a, b| a.0.cmp(&b.0));
        for (customer, state) in customers {
            self.close(&customer, &state, tiered, &mut report)?;
        }
        Ok(report)
    }

    /// The month-end figures of one customer: their points expired month
    /// by month, and their tier at each month end.
    fn close(
        &self,
        customer: &CustomerId,
        state: &State,
        tiered: bool,
        report: &mut SimulationReport,
    ) -> Result<(), SimulationError> {
        let program = self.program;
        let zone = program.calendar().zone();
        let wallet_error = |source| SimulationError::Wallet {
            customer: customer.clone(),
            source,
        };
        let ledger = Ledger::builder()
            .customer(customer.clone())
            .currency(program.currency())
            .terms(LedgerTerms::new(*program.ledger(), zone))
            .build(state.entries.iter().cloned())
            .map_err(wallet_error)?;
        let last_expiry = ledger
            .balance_at(state.last.end(zone)?)
            .map_err(wallet_error)?
            .points
            .next_expirations
            .iter()
            .map(|e| Month::of(zone.local_date(e.at)))
            .max();
        let through = last_expiry.map_or(state.last, |m| m.max(state.last));
        let mut month = state.first;
        let mut expired = Decimal::ZERO;
        loop {
            let end = month.end(zone)?;
            let now = ledger.balance_at(end).map_err(wallet_error)?.points.expired;
            if now != expired {
                report.months.entry(month).or_default().points_expired += now - expired;
                expired = now;
            }
            if tiered && month <= state.last {
                let status = program.tier_status(&state.events, end).map_err(|source| {
                    SimulationError::Tier {
                        customer: customer.clone(),
                        source,
                    }
                })?;
                if let Some(tier) = status.tier {
                    *report
                        .months
                        .entry(month)
                        .or_default()
                        .tiers
                        .entry(tier.to_string())
                        .or_default() += 1;
                }
            }
            if month >= through {
                return Ok(());
            }
            month = month.next().ok_or(SimulationError::OutOfRange {
                what: "a month of the history",
            })?;
        }
    }
}

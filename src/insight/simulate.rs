//! Simulation: a program run over a history of orders, as if each had been
//! checked out in turn, summed month by month.
//!
//! [`Simulation::run`] takes orders in time order (customers interleaved)
//! and carries each customer's state from one order to their next:
//!
//! - the orders placed before and the last one, and the lifetime spend
//!   (items after discounts): the [`CustomerStats`] of the next checkout;
//! - when the program's tiers have requirements, the tier
//!   [`Program::tier_status`] gives at the checkout's instant from the
//!   customer's own orders, followed order by order (one replay kept
//!   between orders, not one per order);
//! - the wallet: the points and cashback each order earns, pending for
//!   the return window, then available until the program's ledger policy
//!   expires them, and what the customer pays with. At each checkout the
//!   customer asks what its [`HistoryItem`] says, or what
//!   [`Simulation::redeem`] asks of everyone (e.g. all the points the
//!   program lets them use), out of what their wallet holds at that
//!   instant; the evaluation's redemptions leave the wallet from the
//!   soonest-expiring lots, as in the [`Ledger`](crate::wallet::Ledger),
//!   whose replay the wallet follows entry by entry.
//!
//! The [`SimulationReport`] holds, per local month in the program's zone,
//! figures that only add up: orders, revenue (what was paid in money),
//! discounts per rule id, coupon uses per code, points issued, redeemed
//! and expired (in the month of the instant they expire, after the
//! history's last order too), what the redeemed points paid, cashback
//! issued, redeemed and expired, and customers per tier at month end.
//! The liability is what was issued less what was redeemed and expired,
//! exactly. Every state is its customer's own, so simulations of disjoint
//! sets of customers [`merge`](SimulationReport::merge) into exactly the
//! report of one run over all of them.
//!
//! The evaluation is the summary one (no lines, trace or effects
//! written), each month's figures are integer sums until the report is
//! written, and a month is found by comparing instants with its first
//! (found once), so the cost per order is one evaluation and a few steps,
//! whatever the length of the customer's history: about 300 000
//! three-line orders a second on one core of a small machine
//! (`cargo bench --bench insight`), of which the evaluation takes three
//! quarters.
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
use crate::customer::{Customer, CustomerError, CustomerId, CustomerStats};
use crate::evaluate::{Checkout, EvaluationError};
use crate::evaluation::RedemptionKind;
use crate::money::Currency;
use crate::order::{Order, OrderId};
use crate::program::Program;
use crate::rules::redemption::{Available, PointsRate, Redeem};
use crate::tiers::{TierError, TierTrack};
use crate::wallet::running::{self, Units};
use crate::wallet::{BalanceKind, LedgerTerms, RunningWallet, WalletError};

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
        let date = NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .ok_or_else(|| out_of_range("a month of the history"))?;
        let midnight = date
            .and_hms_opt(0, 0, 0)
            .ok_or_else(|| out_of_range("a month of the history"))?;
        Ok(zone.to_utc(midnight)?)
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
    /// What the orders paid in money (payable, shipping included; what
    /// points and cashback paid left out).
    pub revenue: Decimal,
    /// Discounts given, by rule id.
    pub discounts: BTreeMap<String, Decimal>,
    /// Coupon uses (discounts applied through a code), by code as entered.
    pub coupon_uses: BTreeMap<String, u64>,
    /// Points earned by the month's orders.
    pub points_issued: Decimal,
    /// Points that expired in the month (the wallet's ledger policy).
    pub points_expired: Decimal,
    /// Points the month's orders paid with.
    pub points_redeemed: Decimal,
    /// What those points paid, in money (not in `revenue`).
    #[serde(default)]
    pub points_paid: Decimal,
    /// Cashback earned by the month's orders.
    pub cashback_issued: Decimal,
    /// Cashback that expired in the month.
    #[serde(default)]
    pub cashback_expired: Decimal,
    /// Cashback the month's orders paid with (not in `revenue`).
    #[serde(default)]
    pub cashback_redeemed: Decimal,
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
        self.points_paid += other.points_paid;
        self.cashback_issued += other.cashback_issued;
        self.cashback_expired += other.cashback_expired;
        self.cashback_redeemed += other.cashback_redeemed;
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
    /// The figures of each month with an order, an expiry or a customer
    /// counted in a tier.
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

    /// The cashback outstanding at the end of `month`: issued less expired
    /// less redeemed, up to and including it (money the shop owes its
    /// customers as store credit).
    #[must_use]
    pub fn cashback_liability(&self, month: Month) -> Decimal {
        self.months
            .range(..=month)
            .map(|(_, f)| f.cashback_issued - f.cashback_expired - f.cashback_redeemed)
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
            .checked_mul(rate.value.value())?
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
    /// Points redeemed after less before.
    pub points_redeemed: Decimal,
    /// Cashback issued after less before.
    pub cashback_issued: Decimal,
    /// The points liability at the end of the month, after less before.
    pub points_liability: Decimal,
    /// The cashback liability at the end of the month, after less before.
    pub cashback_liability: Decimal,
}

impl Comparison {
    /// Runs `before` and `after` over the same `orders` (in time order),
    /// customers paying with money only unless an item asks otherwise
    /// (see [`compare`](Self::compare) for simulations that ask more).
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
    pub fn run<I>(
        before: &Program,
        after: &Program,
        orders: I,
    ) -> Result<Comparison, SimulationError>
    where
        I: IntoIterator,
        I::Item: Into<HistoryItem>,
    {
        Comparison::compare(&Simulation::new(before), &Simulation::new(after), orders)
    }

    /// Runs two simulations (two programs, or one program with customers
    /// asking different redemptions) over the same `history`.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run`], for either.
    pub fn compare<I>(
        before: &Simulation<'_>,
        after: &Simulation<'_>,
        history: I,
    ) -> Result<Comparison, SimulationError>
    where
        I: IntoIterator,
        I::Item: Into<HistoryItem>,
    {
        let history: Vec<HistoryItem> = history.into_iter().map(Into::into).collect();
        Ok(Comparison {
            before: before.run(history.iter().cloned())?,
            after: after.run(history)?,
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
            points_redeemed: a.points_redeemed - b.points_redeemed,
            cashback_issued: a.cashback_issued - b.cashback_issued,
            points_liability: self.after.points_liability(month)
                - self.before.points_liability(month),
            cashback_liability: self.after.cashback_liability(month)
                - self.before.cashback_liability(month),
        }
    }
}

/// One order of a history, and what its customer asks to pay with at its
/// checkout.
///
/// An [`Order`] alone is an item that asks what the [`Simulation`] asks
/// of every checkout ([`Simulation::redeem`], by default nothing); an
/// `(Order, Redeem)` pair asks its own. In JSON: `{"order": {…},
/// "redeem": {"points": "all"}}`, `redeem` optional.
///
/// # Example
///
/// ```
/// use loyalty::insight::simulate::HistoryItem;
/// use loyalty::prelude::*;
/// use loyalty::rules::redemption::{Ask, Redeem};
///
/// let at = "2026-03-01T10:00:00Z".parse()?;
/// let order = Order::builder("A-1", "C-1", at, Currency::EUR).build()?;
/// let item = HistoryItem::from((order, Redeem::points(Ask::All)));
/// assert_eq!(item.redeem, Some(Redeem::points(Ask::All)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct HistoryItem {
    /// The order, checked out at the instant it was placed.
    pub order: Order,
    /// What the customer asks to pay with; `None`: what the simulation
    /// asks of every checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeem: Option<Redeem>,
}

impl HistoryItem {
    /// An order that asks what the simulation asks of every checkout.
    #[must_use]
    pub fn new(order: Order) -> HistoryItem {
        HistoryItem {
            order,
            redeem: None,
        }
    }

    /// Asks to pay with `redeem` at this order's checkout instead
    /// (`Redeem::default()`: nothing).
    #[must_use]
    pub fn redeem(mut self, redeem: Redeem) -> HistoryItem {
        self.redeem = Some(redeem);
        self
    }
}

impl From<Order> for HistoryItem {
    fn from(order: Order) -> HistoryItem {
        HistoryItem::new(order)
    }
}

impl From<(Order, Redeem)> for HistoryItem {
    fn from((order, redeem): (Order, Redeem)) -> HistoryItem {
        HistoryItem::new(order).redeem(redeem)
    }
}

/// A program run over a history of orders.
#[derive(Clone, Copy, Debug)]
pub struct Simulation<'a> {
    program: &'a Program,
    redeem: Redeem,
}

impl<'a> Simulation<'a> {
    /// A simulation of `program` in which customers pay with nothing but
    /// money (unless an item of the history asks otherwise).
    #[must_use]
    pub fn new(program: &'a Program) -> Simulation<'a> {
        Simulation {
            program,
            redeem: Redeem::default(),
        }
    }

    /// What every customer asks to pay with at each checkout, unless the
    /// item of the history says otherwise: e.g. `Redeem::points(Ask::All)`,
    /// as many points as the program lets them use. Each ask is measured
    /// against the customer's wallet at that instant; what the program
    /// refuses (too few points, a share already used) redeems nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::insight::simulate::{Month, Simulation};
    /// use loyalty::prelude::*;
    /// use loyalty::rules::redemption::{Ask, PointsRate, PointsRedemption, Redeem, RedemptionPolicy};
    ///
    /// // 1 point a euro, 100 points pay 1.00.
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .earning_rule(EarnRuleDefinition::new("points", 1, 1))
    ///         .redemption(RedemptionPolicy {
    ///             points: Some(PointsRedemption::new(PointsRate::new(Decimal::ONE_HUNDRED, Decimal::ONE))),
    ///             ..RedemptionPolicy::default()
    ///         }),
    /// )?;
    /// let order = |id: &str, at: &str, price: &str| {
    ///     Order::builder(id, "C-1", at.parse().unwrap(), Currency::EUR)
    ///         .line(Line::new("1", "TEA", 1, Money::parse(price, Currency::EUR).unwrap()))
    ///         .build()
    /// };
    /// let history = [order("A-1", "2026-01-10T10:00:00Z", "250.00")?,
    ///                order("A-2", "2026-02-10T10:00:00Z", "40.00")?];
    /// let report = Simulation::new(&program)
    ///     .redeem(Redeem::points(Ask::All))
    ///     .run(history)?;
    /// // A-1 earns 250 points; A-2 pays 2.50 of its 40.00 with them, and
    /// // earns 37 on the 37.50 paid in money.
    /// let february = report.month(Month::new(2026, 2).unwrap()).unwrap();
    /// assert_eq!(february.points_redeemed, Decimal::from(250));
    /// assert_eq!(february.points_paid, "2.50".parse()?);
    /// assert_eq!(february.revenue, "37.50".parse()?);
    /// assert_eq!(report.points_liability(Month::new(2026, 2).unwrap()), Decimal::from(37));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn redeem(mut self, redeem: Redeem) -> Simulation<'a> {
        self.redeem = redeem;
        self
    }

    /// Runs the program over `history`: orders (or [`HistoryItem`]s)
    /// placed in time order, each evaluated at its instant with its
    /// customer's state from their earlier orders, paying with what the
    /// item or the simulation asks out of the customer's wallet at that
    /// instant.
    ///
    /// # Errors
    ///
    /// A [`SimulationError`]: an order placed before the one before it,
    /// in another currency, an evaluation that fails (a redemption asked
    /// that the checkout refuses among them), a tier or a wallet that
    /// cannot be worked out.
    pub fn run<I>(&self, history: I) -> Result<SimulationReport, SimulationError>
    where
        I: IntoIterator,
        I::Item: Into<HistoryItem>,
    {
        let mut run = Run::new(self.program);
        let mut states = States::default();
        // The order before, kept (rather than its id copied) until the
        // next one is checked against it.
        let mut previous: Option<Order> = None;
        for item in history {
            let HistoryItem { order, redeem } = item.into();
            let redeem = redeem.unwrap_or(self.redeem);
            let at = order.placed_at();
            if let Some(previous) = &previous
                && at < previous.placed_at()
            {
                return Err(SimulationError::OutOfOrder {
                    order: order.id().clone(),
                    at,
                    previous: previous.id().clone(),
                    previous_at: previous.placed_at(),
                });
            }
            previous = Some(run.order(&mut states, order, redeem)?);
        }
        let mut customers: Vec<(CustomerId, usize)> = states.index.into_iter().collect();
        customers.sort_unstable();
        let mut all: Vec<Option<State<'_>>> = states.all.into_iter().map(Some).collect();
        for (customer, index) in customers {
            if let Some(state) = all[index].take() {
                run.close(&customer, state)?;
            }
        }
        run.report()
    }
}

/// The customers seen so far: each one's place in `all`, found with one
/// lookup per order.
#[derive(Default)]
struct States<'p> {
    index: HashMap<CustomerId, usize>,
    all: Vec<State<'p>>,
}

/// What the simulation knows of a customer between their orders.
struct State<'p> {
    /// The customer as the next checkout sees them (out while a checkout
    /// holds them).
    customer: Option<Customer>,
    orders: u32,
    lifetime_spend: Decimal,
    last_order_at: Option<DateTime<Utc>>,
    /// The tier's replay, when the program's tiers have requirements.
    tier: Option<TierTrack<'p>>,
    /// The tier the customer has (its index in the program's list).
    tier_index: Option<usize>,
    wallet: RunningWallet,
    /// The first month whose customers per tier do not count them yet.
    uncounted: usize,
    /// The month of the last order.
    last: usize,
}

/// The figures of one month while the simulation runs: amounts in whole
/// [`Units`] of 10⁻⁸ (integer sums, exact), rules and codes by their place
/// in the run's lists.
#[derive(Default)]
struct Tally {
    /// Whether the month has anything to report.
    touched: bool,
    orders: u64,
    revenue: Units,
    /// By rule slot: the sum, when the rule gave one.
    discounts: Vec<Option<Units>>,
    /// By code slot.
    coupon_uses: Vec<u64>,
    points_issued: Units,
    points_expired: Units,
    points_redeemed: Units,
    points_paid: Units,
    cashback_issued: Units,
    cashback_expired: Units,
    cashback_redeemed: Units,
    /// By tier index.
    tiers: Vec<u64>,
}

/// Adds `value` to a month's `sum`.
fn bump(sum: &mut Units, value: Units) -> Result<(), SimulationError> {
    *sum = sum
        .checked_add(value)
        .ok_or_else(|| out_of_range("a month's figures"))?;
    Ok(())
}

/// A figure of an evaluation in [`Units`].
fn units_of(value: Decimal) -> Result<Units, SimulationError> {
    running::units(value).ok_or_else(|| out_of_range("a figure of an evaluation"))
}

/// A run in progress: the program, the months so far and their figures.
struct Run<'p> {
    program: &'p Program,
    terms: LedgerTerms,
    tiered: bool,
    /// Ask the wallet only when something is asked of it.
    months: Option<Months>,
    tallies: Vec<Tally>,
    /// The rules that gave a discount, in the order first seen: each by
    /// its place in the program (two rules may share an id), with its id.
    rules: Vec<(usize, String)>,
    /// The codes used, in the order first seen, and their slots.
    codes: Vec<String>,
    code_slots: HashMap<String, usize>,
    /// Expiries told by a wallet, before they are counted.
    expired: Vec<(BalanceKind, DateTime<Utc>, Units)>,
    /// Units in one minor unit of the currency.
    per_minor: Units,
}

impl<'p> Run<'p> {
    fn new(program: &'p Program) -> Run<'p> {
        Run {
            program,
            terms: LedgerTerms::from(program),
            tiered: program.tiers().iter().any(|t| t.qualify.is_some()),
            months: None,
            tallies: Vec::new(),
            rules: Vec::new(),
            codes: Vec::new(),
            code_slots: HashMap::new(),
            expired: Vec::new(),
            per_minor: 10i128
                .pow(running::SCALE.saturating_sub(program.main_currency().minor_units())),
        }
    }

    fn tally(&mut self, month: usize) -> &mut Tally {
        if self.tallies.len() <= month {
            self.tallies.resize_with(month + 1, Tally::default);
        }
        let tally = &mut self.tallies[month];
        tally.touched = true;
        tally
    }

    /// Counts the expiries a wallet told, each in the month of its instant.
    fn count_expired(&mut self) -> Result<(), SimulationError> {
        let mut expired = std::mem::take(&mut self.expired);
        for &(kind, at, value) in &expired {
            let month = self.months()?.of(at)?;
            let tally = self.tally(month);
            match kind {
                BalanceKind::Points => bump(&mut tally.points_expired, value)?,
                BalanceKind::Cashback => bump(&mut tally.cashback_expired, value)?,
            }
        }
        expired.clear();
        self.expired = expired;
        Ok(())
    }

    fn months(&mut self) -> Result<&mut Months, SimulationError> {
        self.months
            .as_mut()
            .ok_or_else(|| out_of_range("a month of the history"))
    }

    /// Counts the customer's tier at the end of each month from
    /// `state.uncounted` up to (not including) `until`.
    fn count_tiers(
        &mut self,
        customer: &CustomerId,
        state: &mut State<'p>,
        until: usize,
    ) -> Result<(), SimulationError> {
        let Some(track) = state.tier.as_mut() else {
            return Ok(());
        };
        while state.uncounted < until {
            let month = state.uncounted;
            let end = self.months()?.end(month)?;
            let tier = track.tier_at(end).map_err(tier_error(customer))?;
            if let Some(tier) = tier {
                let tally = self.tally(month);
                if tally.tiers.len() <= tier {
                    tally.tiers.resize(tier + 1, 0);
                }
                tally.tiers[tier] += 1;
            }
            state.uncounted += 1;
        }
        Ok(())
    }

    /// Counts one order's figures in its month: the order, its revenue,
    /// the points and cashback it earned, its discounts by rule and its
    /// coupon uses by code. Gives the points and cashback in units.
    fn count_order(
        &mut self,
        month: usize,
        tally: &crate::evaluate::Tally<'_>,
    ) -> Result<(Units, Units), SimulationError> {
        let totals = *tally.totals();
        let (points, _) = tally.points();
        let (cashback, _) = tally.cashback();
        let (points_units, cashback_units) = (units_of(points)?, units_of(cashback)?);
        let figures = self.tally(month);
        figures.orders += 1;
        bump(&mut figures.revenue, units_of(totals.payable)?)?;
        bump(&mut figures.points_issued, points_units)?;
        bump(&mut figures.cashback_issued, cashback_units)?;
        let per_minor = self.per_minor;
        for (rule, minor, code) in tally.discounts() {
            let place = std::ptr::from_ref(rule) as usize;
            let slot = match self.rules.iter().position(|r| r.0 == place) {
                Some(slot) => slot,
                None => {
                    self.rules.push((place, rule.to_string()));
                    self.rules.len() - 1
                }
            };
            let code = code.map(|code| match self.code_slots.get(code) {
                Some(&slot) => slot,
                None => {
                    self.codes.push(code.to_owned());
                    self.code_slots
                        .insert(code.to_owned(), self.codes.len() - 1);
                    self.codes.len() - 1
                }
            });
            let figures = &mut self.tallies[month];
            if figures.discounts.len() <= slot {
                figures.discounts.resize(slot + 1, None);
            }
            let units = minor
                .checked_mul(per_minor)
                .ok_or_else(|| out_of_range("a discount"))?;
            bump(figures.discounts[slot].get_or_insert(0), units)?;
            if let Some(code) = code {
                if figures.coupon_uses.len() <= code {
                    figures.coupon_uses.resize(code + 1, 0);
                }
                figures.coupon_uses[code] += 1;
            }
        }
        Ok((points_units, cashback_units))
    }

    /// One order of the history, checked in time order by the caller:
    /// evaluated with its customer's state, its figures counted, the state
    /// carried on. Gives the order back.
    fn order(
        &mut self,
        states: &mut States<'p>,
        order: Order,
        redeem: Redeem,
    ) -> Result<Order, SimulationError> {
        let program = self.program;
        let at = order.placed_at();
        if order.currency() != program.main_currency() {
            return Err(SimulationError::Currency {
                order: order.id().clone(),
                expected: program.main_currency(),
                found: order.currency(),
            });
        }
        let month = match self.months.as_mut() {
            Some(months) => months.of_order(at)?,
            None => {
                self.months = Some(Months::new(program.calendar().zone(), at)?);
                0
            }
        };
        // A guest has no record to carry and no wallet: the order counts
        // in the month's figures, and what it would have earned is
        // unclaimed (not issued).
        if order.is_guest() {
            let checkout = Checkout::new(order, Customer::guest(), at);
            let tally = program
                .tally(&checkout)
                .map_err(|source| SimulationError::Evaluation {
                    order: checkout.order.id().clone(),
                    source,
                })?;
            self.count_order(month, &tally)?;
            drop(tally);
            return Ok(checkout.order);
        }
        let index = match states.index.get(order.customer()) {
            Some(&index) => index,
            None => {
                states.all.push(State {
                    customer: Some(Customer::from_id(order.customer().clone())),
                    orders: 0,
                    lifetime_spend: Decimal::ZERO,
                    last_order_at: None,
                    tier: self.tiered.then(|| TierTrack::new(program)),
                    tier_index: None,
                    wallet: RunningWallet::new(),
                    uncounted: month,
                    last: month,
                });
                states
                    .index
                    .insert(order.customer().clone(), states.all.len() - 1);
                states.all.len() - 1
            }
        };
        let state = &mut states.all[index];
        // The customer at this instant: tiers at the month ends passed,
        // the tier now, the wallet now.
        if state.tier.is_some() {
            self.count_tiers(order.customer(), state, month)?;
            if let Some(track) = state.tier.as_mut() {
                let tier = track.tier_at(at).map_err(tier_error(order.customer()))?;
                if tier != state.tier_index {
                    state.tier_index = tier;
                    if let Some(customer) = state.customer.as_mut() {
                        customer.set_tier(tier.map(|i| program.tiers()[i].id.clone()));
                    }
                }
            }
        }
        state
            .wallet
            .advance(&self.terms, at, &mut self.expired)
            .map_err(wallet_error(order.customer()))?;
        if !self.expired.is_empty() {
            self.count_expired()?;
        }
        let Some(mut customer) = state.customer.take() else {
            return Err(SimulationError::OutOfRange {
                what: "a customer's state",
            });
        };
        customer
            .set_stats(CustomerStats {
                orders_before: state.orders,
                lifetime_spend: state.lifetime_spend,
                last_order_at: state.last_order_at,
                ..CustomerStats::default()
            })
            .map_err(|source| SimulationError::Customer {
                customer: order.customer().clone(),
                order: order.id().clone(),
                source,
            })?;
        let mut checkout = Checkout::new(order, customer, at);
        if !redeem.is_empty() {
            let [points, cashback] = state.wallet.available();
            let out = || SimulationError::OutOfRange {
                what: "a customer's balance",
            };
            let available = Available {
                points: running::decimal(points, running::SCALE)
                    .ok_or_else(out)?
                    .normalize(),
                cashback: running::decimal(cashback, program.main_currency().minor_units())
                    .ok_or_else(out)?,
                cashback_currency: Some(program.main_currency()),
            };
            checkout = checkout.with_redemption(redeem, available);
        }

        let tally = program
            .tally(&checkout)
            .map_err(|source| SimulationError::Evaluation {
                order: checkout.order.id().clone(),
                source,
            })?;
        let totals = *tally.totals();
        let (points, points_dates) = tally.points();
        let (_, cashback_dates) = tally.cashback();
        let (points_units, cashback_units) = self.count_order(month, &tally)?;
        let key = |what: &str| format!("{}/{}/{what}", program.program_id(), checkout.order.id());
        // What the order earned, then what it spent: at one instant the
        // wallet adds value before it takes it.
        let currency = program.main_currency();
        for (kind, value, dates) in [
            (BalanceKind::Points, points_units, points_dates),
            (BalanceKind::Cashback, cashback_units, cashback_dates),
        ] {
            if let Some((available_at, expires_at)) = dates {
                state
                    .wallet
                    .earn(kind, value, at, available_at, expires_at, || {
                        key(kind.as_str())
                    })
                    .map_err(wallet_error(checkout.order.customer()))?;
            }
        }
        for redemption in tally.redemptions().iter().filter(|r| r.is_applied()) {
            let figures = &mut self.tallies[month];
            let (kind, value) = match redemption.kind {
                RedemptionKind::Points => {
                    let points = units_of(redemption.points)?;
                    bump(&mut figures.points_redeemed, points)?;
                    bump(&mut figures.points_paid, units_of(redemption.amount)?)?;
                    (BalanceKind::Points, points)
                }
                RedemptionKind::Cashback => {
                    let amount = units_of(redemption.amount)?;
                    bump(&mut figures.cashback_redeemed, amount)?;
                    (BalanceKind::Cashback, amount)
                }
            };
            state
                .wallet
                .redeem(kind, value, at, Some(currency), || {
                    key(&format!("redeem:{}", redemption.kind.as_str()))
                })
                .map_err(wallet_error(checkout.order.customer()))?;
        }
        drop(tally);
        let Checkout {
            order, customer, ..
        } = checkout;
        state.customer = Some(customer);
        state.orders = state.orders.saturating_add(1);
        let spend = totals.subtotal - totals.discount;
        state.lifetime_spend += spend;
        state.last_order_at = Some(at);
        state.last = month;
        if let Some(track) = state.tier.as_mut() {
            track
                .order(at, spend, totals.subtotal, points)
                .map_err(tier_error(order.customer()))?;
        }
        Ok(order)
    }

    /// The end of a customer's history: their tier at the end of the
    /// months left to count, and what their wallet still holds, expired as
    /// the program's policy says (in later months too).
    fn close(
        &mut self,
        customer: &CustomerId,
        mut state: State<'p>,
    ) -> Result<(), SimulationError> {
        let last = state.last;
        self.count_tiers(customer, &mut state, last + 1)?;
        if state.wallet.holds_value() {
            state
                .wallet
                .advance(&self.terms, DateTime::<Utc>::MAX_UTC, &mut self.expired)
                .map_err(wallet_error(customer))?;
            self.count_expired()?;
        }
        Ok(())
    }

    /// The report of the months with something to say.
    fn report(self) -> Result<SimulationReport, SimulationError> {
        let program = self.program;
        let currency = program.main_currency();
        let mut report = SimulationReport {
            currency: Some(currency),
            points_rate: program.redemption().points.as_ref().map(|p| p.rate.clone()),
            months: BTreeMap::new(),
        };
        let Some(months) = self.months else {
            return Ok(report);
        };
        let minor = currency.minor_units();
        let out = || SimulationError::OutOfRange {
            what: "a month's figures",
        };
        let money = |units: Units| running::decimal(units, minor).ok_or_else(out);
        let points = |units: Units| {
            running::decimal(units, running::SCALE)
                .map(|d| d.normalize())
                .ok_or_else(out)
        };
        for (index, tally) in self.tallies.into_iter().enumerate() {
            if !tally.touched {
                continue;
            }
            let mut figures = MonthFigures {
                orders: tally.orders,
                revenue: money(tally.revenue)?,
                discounts: BTreeMap::new(),
                coupon_uses: BTreeMap::new(),
                points_issued: points(tally.points_issued)?,
                points_expired: points(tally.points_expired)?,
                points_redeemed: points(tally.points_redeemed)?,
                points_paid: money(tally.points_paid)?,
                cashback_issued: money(tally.cashback_issued)?,
                cashback_expired: money(tally.cashback_expired)?,
                cashback_redeemed: money(tally.cashback_redeemed)?,
                tiers: BTreeMap::new(),
            };
            for (slot, units) in tally.discounts.into_iter().enumerate() {
                if let Some(units) = units {
                    let amount = money(units)?;
                    *figures
                        .discounts
                        .entry(self.rules[slot].1.clone())
                        .or_default() += amount;
                }
            }
            for (slot, uses) in tally.coupon_uses.into_iter().enumerate() {
                if uses > 0 {
                    *figures
                        .coupon_uses
                        .entry(self.codes[slot].clone())
                        .or_default() += uses;
                }
            }
            for (tier, customers) in tally.tiers.into_iter().enumerate() {
                if customers > 0 {
                    figures
                        .tiers
                        .insert(program.tiers()[tier].id.to_string(), customers);
                }
            }
            report.months.insert(months.month(index)?, figures);
        }
        Ok(report)
    }
}

/// The local months of a run, from the month of its first order: the
/// first instant of each, found once, so that the month of an instant is
/// a comparison of instants rather than a conversion to local time.
struct Months {
    zone: Zone,
    first: Month,
    /// `starts[i]`: the first instant of the month `i` after `first`; one
    /// more than the months in use, so that each has its end.
    starts: Vec<DateTime<Utc>>,
    /// The month of the last order.
    current: usize,
}

impl Months {
    fn new(zone: Zone, at: DateTime<Utc>) -> Result<Months, SimulationError> {
        let first = Month::of(zone.local_date(at));
        let mut months = Months {
            zone,
            first,
            starts: vec![first.start(zone)?],
            current: 0,
        };
        months.extend()?;
        Ok(months)
    }

    /// The month `index` after the first.
    fn month(&self, index: usize) -> Result<Month, SimulationError> {
        let out = || SimulationError::OutOfRange {
            what: "a month of the history",
        };
        let count = i64::from(self.first.year) * 12
            + i64::from(self.first.month - 1)
            + i64::try_from(index).map_err(|_| out())?;
        let year = i32::try_from(count.div_euclid(12)).map_err(|_| out())?;
        let month = u32::try_from(count.rem_euclid(12) + 1).map_err(|_| out())?;
        Month::new(year, month).ok_or_else(out)
    }

    /// One more month's start.
    fn extend(&mut self) -> Result<(), SimulationError> {
        let next = self.month(self.starts.len())?;
        self.starts.push(next.start(self.zone)?);
        Ok(())
    }

    /// The last instant of month `index` (in use).
    fn end(&self, index: usize) -> Result<DateTime<Utc>, SimulationError> {
        self.starts
            .get(index + 1)
            .and_then(|next| next.checked_sub_signed(TimeDelta::nanoseconds(1)))
            .ok_or_else(|| out_of_range("a month of the history"))
    }

    /// The month of an order at `at`, in time order: the last order's, or
    /// one after it.
    fn of_order(&mut self, at: DateTime<Utc>) -> Result<usize, SimulationError> {
        while at >= self.starts[self.current + 1] {
            self.current += 1;
            if self.current + 1 == self.starts.len() {
                self.extend()?;
            }
        }
        Ok(self.current)
    }

    /// The month of any instant from the first month's start on.
    fn of(&mut self, at: DateTime<Utc>) -> Result<usize, SimulationError> {
        while self.starts.last().is_some_and(|&last| at >= last) {
            self.extend()?;
        }
        self.starts
            .partition_point(|&start| start <= at)
            .checked_sub(1)
            .ok_or_else(|| out_of_range("an instant before the history"))
    }
}

/// The error of a customer's tier.
fn tier_error(customer: &CustomerId) -> impl FnOnce(TierError) -> SimulationError + '_ {
    move |source| SimulationError::Tier {
        customer: customer.clone(),
        source,
    }
}

/// The error of a customer's wallet.
fn wallet_error(customer: &CustomerId) -> impl FnOnce(WalletError) -> SimulationError + '_ {
    move |source| SimulationError::Wallet {
        customer: customer.clone(),
        source,
    }
}

/// A figure or instant out of range (built only when it is the error).
fn out_of_range(what: &'static str) -> SimulationError {
    SimulationError::OutOfRange { what }
}

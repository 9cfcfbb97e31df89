//! A customer's purchase profile, worked out from their orders and returns.
//!
//! The host passes every [`OrderRecord`] of the customer (in any order: the
//! profile sorts them by the instant they were placed, then by order id)
//! and every [`ReturnRecord`], with an instant and the time zone that
//! counts days. What was placed or returned after the instant is left out.
//!
//! - **Orders** count once each, unless wholly returned (every unit of
//!   every line, or a return that says so).
//! - **Spend** is the items after discounts, less the returned items after
//!   discounts.
//! - **Days** are local calendar days in the zone: an order at 23:30 and
//!   one at 00:30 the next local day are one day apart.
//! - **The average order value** is the spend divided by the orders,
//!   rounded half up (ties away from zero) to the currency's minor unit;
//!   the average days between orders are rounded half up to 2 decimals;
//!   medians of an even count are the mean of the two middle values
//!   (exact: 0.5 days at most).
//! - **The window** is the last N local days ending on the instant's local
//!   date, that date included: with N = 30 at some instant on 31 March, from
//!   2 March to that instant.
//!
//! # Example
//!
//! ```
//! use loyalty::calendar::Zone;
//! use loyalty::insight::profile::{OrderRecord, Profile, ProfileOptions, RecordLine};
//! use loyalty::money::Currency;
//!
//! let eur = Currency::EUR;
//! let order = |id: &str, at: &str, net: &str| {
//!     OrderRecord::new(id, "C-1", at.parse().unwrap(), eur).unwrap()
//!         .line(RecordLine::new("1", "BEANS", 1, net.parse().unwrap()).unwrap()
//!             .category("coffee").unwrap())
//! };
//! let orders = [
//!     order("A-1", "2026-01-01T10:00:00Z", "20.00"),
//!     order("A-2", "2026-01-31T10:00:00Z", "25.00"),
//!     order("A-3", "2026-03-02T10:00:00Z", "30.00"),
//! ];
//! let options = ProfileOptions::new(eur, Zone::UTC).window_days(30);
//! let profile = Profile::from_history(
//!     &"C-1".parse()?, &orders, &[], "2026-03-10T00:00:00Z".parse()?, &options,
//! )?;
//! assert_eq!(profile.orders, 3);
//! assert_eq!(profile.average_order_value, Some("25.00".parse()?));
//! assert_eq!(profile.median_days_between, Some("30".parse()?));
//! assert_eq!(profile.window.spend, "30.00".parse()?);
//! assert_eq!(profile.repurchase[0].sku.as_str(), "BEANS");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Zone;
use crate::customer::CustomerId;
use crate::evaluate::Checkout;
use crate::evaluation::Evaluation;
use crate::id::EmptyIdError;
use crate::money::{Currency, RoundingMode};
use crate::order::{Category, LineId, OrderId, Sku};
use crate::program::Program;
use crate::wallet::ReturnOutcome;

/// The window of [`ProfileOptions`] unless told otherwise: 90 days.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;

/// Why a profile cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// An order or return in another currency than the profile's.
    #[error("order {order} is in {found}, but the profile is in {expected}: convert it first")]
    Currency {
        /// The order.
        order: OrderId,
        /// The profile's currency.
        expected: Currency,
        /// The order's or return's.
        found: Currency,
    },
    /// An order of another customer.
    #[error("order {order} is of customer {found}, not {expected}: pass one customer's history")]
    OtherCustomer {
        /// The order.
        order: OrderId,
        /// The customer profiled.
        expected: CustomerId,
        /// The order's customer.
        found: CustomerId,
    },
    /// The same order twice.
    #[error("order {order} appears twice in the history: pass each order once")]
    DuplicateOrder {
        /// The order.
        order: OrderId,
    },
    /// A line id twice within one order.
    #[error("order {order} has line {line} twice: line ids are unique within an order")]
    DuplicateLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
    },
    /// A negative amount where only zero or more makes sense.
    #[error(
        "order {order}: {what} is negative ({amount}): give amounts after discounts, zero or more"
    )]
    Negative {
        /// The order.
        order: OrderId,
        /// What is negative.
        what: &'static str,
        /// The amount.
        amount: Decimal,
    },
    /// A return of an order the history does not hold.
    #[error("a return is of order {order}, which is not in the history: pass the order too")]
    UnknownOrder {
        /// The order.
        order: OrderId,
    },
    /// A return of a line its order does not have.
    #[error("a return of order {order} names line {line}, which the order does not have")]
    UnknownLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
    },
    /// Returns of more units than were bought.
    #[error(
        "returns of order {order} give back {returned} units of line {line}, but {bought} were bought"
    )]
    TooManyReturned {
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
        /// Units returned, over all returns.
        returned: u64,
        /// Units bought.
        bought: u32,
    },
    /// A return dated before its order was placed.
    #[error("a return of order {order} happens before the order was placed: check its instants")]
    ReturnBeforeOrder {
        /// The order.
        order: OrderId,
    },
    /// An evaluation that is not of the checkout's order.
    #[error("the evaluation is of order {evaluation}, but the checkout is of {checkout}")]
    NotTheCheckout {
        /// The checkout's order.
        checkout: OrderId,
        /// The evaluation's.
        evaluation: OrderId,
    },
    /// An identifier was blank.
    #[error(transparent)]
    Id(#[from] EmptyIdError),
    /// Figures out of range.
    #[error("{what} overflows: check the history for absurd amounts")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

/// One line of an order, as the profile counts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordLine {
    /// The line, unique within its order (returns name it).
    pub line: LineId,
    /// The product.
    pub sku: Sku,
    /// Its categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Units bought.
    pub quantity: u32,
    /// What the units were bought for, after discounts.
    pub net: Decimal,
}

impl RecordLine {
    /// A line of `quantity` units of `sku` bought for `net` after
    /// discounts, in no category.
    ///
    /// # Errors
    ///
    /// A blank line id or SKU.
    pub fn new(
        line: impl Into<String>,
        sku: impl Into<String>,
        quantity: u32,
        net: Decimal,
    ) -> Result<RecordLine, ProfileError> {
        Ok(RecordLine {
            line: LineId::new(line)?,
            sku: Sku::new(sku)?,
            categories: Vec::new(),
            quantity,
            net,
        })
    }

    /// Adds a category (once).
    ///
    /// # Errors
    ///
    /// A blank category.
    pub fn category(mut self, category: impl Into<String>) -> Result<RecordLine, ProfileError> {
        let category = Category::new(category)?;
        if !self.categories.contains(&category) {
            self.categories.push(category);
        }
        Ok(self)
    }
}

/// An order of the customer's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrderRecord {
    /// The order.
    pub order: OrderId,
    /// Its customer.
    pub customer: CustomerId,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// The currency of its amounts.
    pub currency: Currency,
    /// The items after discounts (shipping left out).
    pub spend: Decimal,
    /// Its lines.
    pub lines: Vec<RecordLine>,
}

impl OrderRecord {
    /// An order with no lines yet (spend zero).
    ///
    /// # Errors
    ///
    /// A blank order or customer id.
    pub fn new(
        order: impl Into<String>,
        customer: impl Into<String>,
        placed_at: DateTime<Utc>,
        currency: Currency,
    ) -> Result<OrderRecord, ProfileError> {
        Ok(OrderRecord {
            order: OrderId::new(order)?,
            customer: CustomerId::new(customer)?,
            placed_at,
            currency,
            spend: Decimal::ZERO,
            lines: Vec::new(),
        })
    }

    /// Adds a line, and its net to the spend (saturating at the decimal's
    /// range, which the profile then refuses as negative or absurd).
    #[must_use]
    pub fn line(mut self, line: RecordLine) -> OrderRecord {
        self.spend = self.spend.saturating_add(line.net);
        self.lines.push(line);
        self
    }

    /// The record of an evaluated checkout: each line's net after
    /// discounts from the evaluation, its categories and units from the
    /// checkout's order, the spend as the items after discounts.
    ///
    /// # Errors
    ///
    /// [`ProfileError::NotTheCheckout`] when the evaluation is of another
    /// order.
    pub fn from_evaluation(
        checkout: &Checkout,
        evaluation: &Evaluation,
    ) -> Result<OrderRecord, ProfileError> {
        let order = &checkout.order;
        if order.id() != &evaluation.order {
            return Err(ProfileError::NotTheCheckout {
                checkout: order.id().clone(),
                evaluation: evaluation.order.clone(),
            });
        }
        let lines = evaluation
            .lines
            .iter()
            .map(|outcome| {
                let line = order.line(outcome.line.as_str());
                RecordLine {
                    line: outcome.line.clone(),
                    sku: outcome.sku.clone(),
                    categories: line.map(|l| l.categories().to_vec()).unwrap_or_default(),
                    quantity: line.map_or(0, |l| l.quantity()),
                    net: outcome.net,
                }
            })
            .collect();
        Ok(OrderRecord {
            order: evaluation.order.clone(),
            customer: evaluation.customer.clone(),
            placed_at: order.placed_at(),
            currency: evaluation.currency,
            spend: evaluation
                .totals
                .subtotal
                .saturating_sub(evaluation.totals.discount),
            lines,
        })
    }
}

/// One returned line of a [`ReturnRecord`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReturnedUnits {
    /// The order's line.
    pub line: LineId,
    /// Units returned.
    pub quantity: u32,
    /// What those units were bought for, after discounts.
    pub net: Decimal,
}

/// A return of (part of) an order of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReturnRecord {
    /// The order.
    pub order: OrderId,
    /// When the refund was made.
    pub at: DateTime<Utc>,
    /// The currency of the amounts.
    pub currency: Currency,
    /// The lines returned.
    pub lines: Vec<ReturnedUnits>,
    /// Whether the order is wholly returned with it (it is too when every
    /// unit of it has been returned, whatever this says).
    #[serde(default)]
    pub full: bool,
}

impl ReturnRecord {
    /// A return of nothing yet, of `order` at `at`.
    ///
    /// # Errors
    ///
    /// A blank order id.
    pub fn new(
        order: impl Into<String>,
        at: DateTime<Utc>,
        currency: Currency,
    ) -> Result<ReturnRecord, ProfileError> {
        Ok(ReturnRecord {
            order: OrderId::new(order)?,
            at,
            currency,
            lines: Vec::new(),
            full: false,
        })
    }

    /// Adds `quantity` units of `line`, bought for `net`.
    ///
    /// # Errors
    ///
    /// A blank line id.
    pub fn line(
        mut self,
        line: impl Into<String>,
        quantity: u32,
        net: Decimal,
    ) -> Result<ReturnRecord, ProfileError> {
        self.lines.push(ReturnedUnits {
            line: LineId::new(line)?,
            quantity,
            net,
        });
        Ok(self)
    }
}

impl From<&ReturnOutcome> for ReturnRecord {
    fn from(outcome: &ReturnOutcome) -> ReturnRecord {
        ReturnRecord {
            order: outcome.order.clone(),
            at: outcome.at,
            currency: outcome.currency,
            lines: outcome
                .lines
                .iter()
                .map(|l| ReturnedUnits {
                    line: l.line.clone(),
                    quantity: l.quantity,
                    net: l.net,
                })
                .collect(),
            full: outcome.full,
        }
    }
}

/// What a profile is worked out with: the currency, the zone that counts
/// days, and the window's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileOptions {
    /// The currency every order must be in.
    pub currency: Currency,
    /// The zone whose local dates count days.
    pub zone: Zone,
    /// The window's length in local days ([`DEFAULT_WINDOW_DAYS`]).
    pub window_days: u32,
}

impl ProfileOptions {
    /// Options in `currency` and `zone`, with the default window.
    #[must_use]
    pub fn new(currency: Currency, zone: Zone) -> ProfileOptions {
        ProfileOptions {
            currency,
            zone,
            window_days: DEFAULT_WINDOW_DAYS,
        }
    }

    /// Sets the window's length in local days.
    #[must_use]
    pub fn window_days(mut self, days: u32) -> ProfileOptions {
        self.window_days = days;
        self
    }
}

/// The spend and orders of the last N local days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WindowFigures {
    /// N.
    pub days: u32,
    /// The first local date in the window.
    pub from: NaiveDate,
    /// Spend of the orders placed in it, net of returns.
    pub spend: Decimal,
    /// Orders placed in it (wholly returned ones left out).
    pub orders: u32,
}

/// A category, and what was spent on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CategorySpend {
    /// The category.
    pub category: Category,
    /// Spend on lines in it, net of returns (a line in two categories
    /// counts in both).
    pub spend: Decimal,
}

/// How often a product is bought again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Repurchase {
    /// The product.
    pub sku: Sku,
    /// Orders it was bought in (lines wholly returned left out).
    pub purchases: u32,
    /// The median local days between one purchase and the next.
    pub median_days: Decimal,
    /// The last purchase.
    pub last_purchase: DateTime<Utc>,
}

/// A customer's purchase profile at an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Profile {
    /// The customer.
    pub customer: CustomerId,
    /// The instant.
    pub at: DateTime<Utc>,
    /// The currency of the amounts.
    pub currency: Currency,
    /// The zone that counts days.
    pub time_zone: Zone,
    /// Orders placed by `at`, wholly returned ones left out.
    pub orders: u32,
    /// When the first of those was placed.
    pub first_order: Option<DateTime<Utc>>,
    /// When the last of those was placed.
    pub last_order: Option<DateTime<Utc>>,
    /// Local days from the last order to `at`.
    pub days_since_last_order: Option<i64>,
    /// Spend on items after discounts, net of returns.
    pub spend: Decimal,
    /// Spend per order, rounded half up to the currency's minor unit.
    pub average_order_value: Option<Decimal>,
    /// Mean local days between one order and the next, rounded half up to
    /// 2 decimals (two orders or more).
    pub average_days_between: Option<Decimal>,
    /// Median local days between one order and the next.
    pub median_days_between: Option<Decimal>,
    /// The last N days.
    pub window: WindowFigures,
    /// Categories by spend, highest first, ties by name; only those with
    /// a spend above zero.
    pub categories: Vec<CategorySpend>,
    /// Products bought in two orders or more, by SKU.
    pub repurchase: Vec<Repurchase>,
}

/// What the returns took from one line.
#[derive(Clone, Copy, Default)]
struct Returned {
    quantity: u64,
    net: Decimal,
}

fn add(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, ProfileError> {
    a.checked_add(b).ok_or(ProfileError::Overflow { what })
}

fn sub(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, ProfileError> {
    a.checked_sub(b).ok_or(ProfileError::Overflow { what })
}

/// The median of values sorted ascending (none for none).
fn median(sorted: &[i64]) -> Option<Decimal> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return Some(Decimal::from(sorted[n / 2]));
    }
    let sum = i128::from(sorted[n / 2 - 1]) + i128::from(sorted[n / 2]);
    Some(Decimal::from_i128_with_scale(sum * 5, 1).normalize())
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

impl Profile {
    /// The profile of `customer` at `at` from their orders and returns, in
    /// any order; those placed or made after `at` are left out.
    ///
    /// # Errors
    ///
    /// [`ProfileError`]: an order of another customer or currency, an
    /// order twice, a negative amount, a return of an order or line the
    /// history does not hold, of more units than were bought, or before
    /// its order, an overflow.
    pub fn from_history(
        customer: &CustomerId,
        orders: &[OrderRecord],
        returns: &[ReturnRecord],
        at: DateTime<Utc>,
        options: &ProfileOptions,
    ) -> Result<Profile, ProfileError> {
        let zone = options.zone;
        let currency = options.currency;
        // Every order, checked, and each line's slot for what returns take.
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(orders.len());
        let mut lines: HashMap<(usize, &str), usize> = HashMap::new();
        let mut first_line = Vec::with_capacity(orders.len());
        let mut slots = 0usize;
        for (i, order) in orders.iter().enumerate() {
            if order.customer != *customer {
                return Err(ProfileError::OtherCustomer {
                    order: order.order.clone(),
                    expected: customer.clone(),
                    found: order.customer.clone(),
                });
            }
            if order.currency != currency {
                return Err(ProfileError::Currency {
                    order: order.order.clone(),
                    expected: currency,
                    found: order.currency,
                });
            }
            if index.insert(order.order.as_str(), i).is_some() {
                return Err(ProfileError::DuplicateOrder {
                    order: order.order.clone(),
                });
            }
            if order.spend.is_sign_negative() && !order.spend.is_zero() {
                return Err(ProfileError::Negative {
                    order: order.order.clone(),
                    what: "the spend",
                    amount: order.spend,
                });
            }
            first_line.push(slots);
            for line in &order.lines {
                if line.net.is_sign_negative() && !line.net.is_zero() {
                    return Err(ProfileError::Negative {
                        order: order.order.clone(),
                        what: "a line's net",
                        amount: line.net,
                    });
                }
                if lines.insert((i, line.line.as_str()), slots).is_some() {
                    return Err(ProfileError::DuplicateLine {
                        order: order.order.clone(),
                        line: line.line.clone(),
                    });
                }
                slots += 1;
            }
        }

        // What the returns made by `at` take back, line by line.
        let mut returned = vec![Returned::default(); slots];
        let mut full = vec![false; orders.len()];
        let mut order_returned = vec![Decimal::ZERO; orders.len()];
        for ret in returns {
            let Some(&i) = index.get(ret.order.as_str()) else {
                return Err(ProfileError::UnknownOrder {
                    order: ret.order.clone(),
                });
            };
            if ret.at > at {
                continue;
            }
            if ret.currency != currency {
                return Err(ProfileError::Currency {
                    order: ret.order.clone(),
                    expected: currency,
                    found: ret.currency,
                });
            }
            if ret.at < orders[i].placed_at {
                return Err(ProfileError::ReturnBeforeOrder {
                    order: ret.order.clone(),
                });
            }
            full[i] |= ret.full;
            for units in &ret.lines {
                let Some(&slot) = lines.get(&(i, units.line.as_str())) else {
                    return Err(ProfileError::UnknownLine {
                        order: ret.order.clone(),
                        line: units.line.clone(),
                    });
                };
                if units.net.is_sign_negative() && !units.net.is_zero() {
                    return Err(ProfileError::Negative {
                        order: ret.order.clone(),
                        what: "a returned line's net",
                        amount: units.net,
                    });
                }
                let r = &mut returned[slot];
                r.quantity += u64::from(units.quantity);
                r.net = add(r.net, units.net, "returned spend")?;
                order_returned[i] = add(order_returned[i], units.net, "returned spend")?;
                let bought = orders[i].lines[slot - first_line[i]].quantity;
                if r.quantity > u64::from(bought) {
                    return Err(ProfileError::TooManyReturned {
                        order: ret.order.clone(),
                        line: units.line.clone(),
                        returned: r.quantity,
                        bought,
                    });
                }
            }
        }

        // The orders that count, in time order.
        let mut counted: Vec<usize> = (0..orders.len())
            .filter(|&i| {
                let order = &orders[i];
                let all_returned = !order.lines.is_empty()
                    && order.lines.iter().enumerate().all(|(k, line)| {
                        returned[first_line[i] + k].quantity >= u64::from(line.quantity)
                    });
                order.placed_at <= at && !full[i] && !all_returned
            })
            .collect();
        counted.sort_by(|&a, &b| {
            (orders[a].placed_at, &orders[a].order).cmp(&(orders[b].placed_at, &orders[b].order))
        });

        let today = zone.local_date(at);
        let window_from = today
            .checked_sub_days(Days::new(u64::from(options.window_days.saturating_sub(1))))
            .unwrap_or(NaiveDate::MIN);
        let mut window = WindowFigures {
            days: options.window_days,
            from: window_from,
            spend: Decimal::ZERO,
            orders: 0,
        };
        let mut spend = Decimal::ZERO;
        let mut dates: Vec<NaiveDate> = Vec::with_capacity(counted.len());
        let mut categories: HashMap<&Category, Decimal> = HashMap::new();
        let mut skus: HashMap<&Sku, (Vec<NaiveDate>, usize, DateTime<Utc>)> = HashMap::new();
        for &i in &counted {
            let order = &orders[i];
            let date = zone.local_date(order.placed_at);
            let net = sub(order.spend, order_returned[i], "spend")?;
            spend = add(spend, net, "spend")?;
            dates.push(date);
            if options.window_days > 0 && date >= window_from {
                window.spend = add(window.spend, net, "window spend")?;
                window.orders += 1;
            }
            for (k, line) in order.lines.iter().enumerate() {
                let r = returned[first_line[i] + k];
                if r.quantity >= u64::from(line.quantity) && line.quantity > 0 {
                    continue;
                }
                let kept = sub(line.net, r.net, "category spend")?;
                for category in &line.categories {
                    let total = categories.entry(category).or_insert(Decimal::ZERO);
                    *total = add(*total, kept, "category spend")?;
                }
                let entry =
                    skus.entry(&line.sku)
                        .or_insert((Vec::new(), usize::MAX, order.placed_at));
                if entry.1 != i {
                    entry.0.push(date);
                    entry.1 = i;
                    entry.2 = order.placed_at;
                }
            }
        }

        let count = u32::try_from(counted.len()).map_err(|_| ProfileError::Overflow {
            what: "the order count",
        })?;
        let first = counted.first().map(|&i| orders[i].placed_at);
        let last = counted.last().map(|&i| orders[i].placed_at);
        let average_order_value = if count == 0 {
            None
        } else {
            let mean = spend
                .checked_div(Decimal::from(count))
                .ok_or(ProfileError::Overflow {
                    what: "the average order value",
                })?;
            Some(RoundingMode::HalfUp.round(mean, currency.minor_units()))
        };
        let mut gaps: Vec<i64> = dates.windows(2).map(|w| days(w[0], w[1])).collect();
        let average_days_between = match (dates.first(), dates.last()) {
            (Some(&a), Some(&b)) if dates.len() >= 2 => {
                let mean = Decimal::from(days(a, b))
                    .checked_div(Decimal::from(dates.len() - 1))
                    .ok_or(ProfileError::Overflow {
                        what: "the days between orders",
                    })?;
                Some(RoundingMode::HalfUp.round(mean, 2).normalize())
            }
            _ => None,
        };
        gaps.sort_unstable();
        let median_days_between = median(&gaps);

        let mut categories: Vec<CategorySpend> = categories
            .into_iter()
            .filter(|(_, spend)| *spend > Decimal::ZERO)
            .map(|(category, spend)| CategorySpend {
                category: category.clone(),
                spend,
            })
            .collect();
        categories.sort_by(|a, b| {
            b.spend
                .cmp(&a.spend)
                .then_with(|| a.category.cmp(&b.category))
        });

        let mut repurchase: Vec<Repurchase> = Vec::new();
        for (sku, (dates, _, last_purchase)) in skus {
            if dates.len() < 2 {
                continue;
            }
            let mut gaps: Vec<i64> = dates.windows(2).map(|w| days(w[0], w[1])).collect();
            gaps.sort_unstable();
            repurchase.push(Repurchase {
                sku: sku.clone(),
                purchases: u32::try_from(dates.len()).unwrap_or(u32::MAX),
                median_days: median(&gaps).unwrap_or_default(),
                last_purchase,
            });
        }
        repurchase.sort_by(|a, b| a.sku.cmp(&b.sku));

        Ok(Profile {
            customer: customer.clone(),
            at,
            currency,
            time_zone: zone,
            orders: count,
            first_order: first,
            last_order: last,
            days_since_last_order: dates.last().map(|&d| days(d, today)),
            spend,
            average_order_value,
            average_days_between,
            median_days_between,
            window,
            categories,
            repurchase,
        })
    }

    /// The categories by spend, highest first: the first is the favourite.
    #[must_use]
    pub fn favourite_category(&self) -> Option<&Category> {
        self.categories.first().map(|c| &c.category)
    }

    /// How often `sku` is bought again, if it was bought in two orders or
    /// more.
    #[must_use]
    pub fn repurchase_of(&self, sku: &str) -> Option<&Repurchase> {
        self.repurchase
            .binary_search_by(|r| r.sku.as_str().cmp(sku))
            .ok()
            .map(|i| &self.repurchase[i])
    }
}

impl Program {
    /// The profile of `customer` at `at`, in the program's currency, with
    /// days counted in its time zone, and a window of `window_days`; as
    /// [`Profile::from_history`].
    ///
    /// # Errors
    ///
    /// As [`Profile::from_history`].
    pub fn profile(
        &self,
        customer: &CustomerId,
        orders: &[OrderRecord],
        returns: &[ReturnRecord],
        at: DateTime<Utc>,
        window_days: u32,
    ) -> Result<Profile, ProfileError> {
        let options = ProfileOptions::new(self.main_currency(), self.calendar().zone())
            .window_days(window_days);
        Profile::from_history(customer, orders, returns, at, &options)
    }
}

//! What the host passes in: the checkout, and its checks against the
//! program before any stage runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EvaluationError;
use crate::customer::{Customer, CustomerData, CustomerError, Named};
use crate::money::Currency;
use crate::order::Order;
use crate::program::limits::within;
use crate::program::{Program, ZeroQuantity};
use crate::rules::RuleId;
use crate::rules::coupon::codes_match;
use crate::rules::redemption::{Ask, Available, Redeem};

/// What the host knows at checkout: the order, the customer, the usage
/// counts of coupons and limited automatic promotions from its store, and
/// the instant of evaluation.
///
/// In JSON the customer's id may be left out, since the order names the
/// customer, and so may the whole customer when nothing more is known
/// of them (no tier, no stats). An order without a customer is a guest
/// checkout: its customer is left out, or gives only a contact
/// (`{"email": "ana@example.com"}`, `"guest": true` optional).
///
/// ```
/// # use loyalty::evaluate::Checkout;
/// let checkout: Checkout = serde_json::from_str(r#"{
///     "order": {"id": "A-1", "customer": "C-1", "placed_at": "2026-11-27T10:00:00Z",
///               "currency": "EUR", "lines": []},
///     "customer": {"tier": "gold"},
///     "at": "2026-11-27T10:00:00Z"
/// }"#)?;
/// assert_eq!(checkout.customer.id().as_str(), "C-1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "CheckoutData")]
pub struct Checkout {
    /// The order being placed.
    pub order: Order,
    /// The customer, with a snapshot of their history before this order;
    /// [`Customer::guest`] for a guest checkout (an order that names no
    /// customer).
    pub customer: Customer,
    /// Usage counts of the entered codes. A code with no entry has never
    /// been used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupon_usage: Vec<CouponUsage>,
    /// Usage counts of automatic promotions that limit their uses, by
    /// promotion id. A promotion with no entry has never been used; a
    /// promotion without a limit needs none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotion_usage: Vec<PromotionUsage>,
    /// What promotions with a spend budget gave so far, by promotion id
    /// (coupons and automatic promotions alike: a budget is the
    /// promotion's, all its codes together). A promotion with no entry
    /// has given nothing; a promotion without a budget needs none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget_spent: Vec<BudgetSpent>,
    /// What the customer asks to pay with (points, cashback). Default:
    /// nothing.
    #[serde(default, skip_serializing_if = "Redeem::is_empty")]
    pub redeem: Redeem,
    /// What the customer has available to pay with, as the host's store
    /// says; read only when a redemption is asked.
    #[serde(default, skip_serializing_if = "Available::is_empty")]
    pub available: Available,
    /// The instant of evaluation: validity windows and seasonal events are
    /// read at this instant, in the program's time zone.
    pub at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct CheckoutData {
    order: Order,
    #[serde(default, deserialize_with = "crate::util::not_null")]
    customer: Option<CustomerData>,
    #[serde(default)]
    coupon_usage: Vec<CouponUsage>,
    #[serde(default)]
    promotion_usage: Vec<PromotionUsage>,
    #[serde(default)]
    budget_spent: Vec<BudgetSpent>,
    #[serde(default)]
    redeem: Redeem,
    #[serde(default)]
    available: Available,
    at: DateTime<Utc>,
}

impl TryFrom<CheckoutData> for Checkout {
    type Error = CustomerError;
    fn try_from(data: CheckoutData) -> Result<Checkout, CustomerError> {
        let named = match data.order.customer_id() {
            Some(id) => Named::Customer(id),
            None => Named::Guest,
        };
        let customer = match (data.customer, data.order.customer_id()) {
            (Some(customer), _) => Customer::from_data(customer, named)?,
            (None, Some(id)) => Customer::from_id(id.clone()),
            (None, None) => Customer::guest(),
        };
        Ok(Checkout {
            order: data.order,
            customer,
            coupon_usage: data.coupon_usage,
            promotion_usage: data.promotion_usage,
            budget_spent: data.budget_spent,
            redeem: data.redeem,
            available: data.available,
            at: data.at,
        })
    }
}

impl Checkout {
    /// A checkout of `order` at `at` by the customer the order names, of
    /// whom nothing more is known: no tier, no segments, no stats (rules
    /// on the order number do not apply, and say why). A guest's order
    /// ([`Order::guest_builder`](crate::order::Order::guest_builder)) gives
    /// a guest checkout ([`Customer::guest`]).
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR).build()?;
    /// let checkout = Checkout::for_order(order, at);
    /// assert_eq!(checkout.customer.id().as_str(), "C-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn for_order(order: Order, at: DateTime<Utc>) -> Checkout {
        let customer = match order.customer_id() {
            Some(id) => Customer::from_id(id.clone()),
            None => Customer::guest(),
        };
        Checkout::new(order, customer, at)
    }

    /// A checkout of `order` by `customer` at `at`, with no coupon usage.
    #[must_use]
    pub fn new(order: Order, customer: Customer, at: DateTime<Utc>) -> Checkout {
        Checkout {
            order,
            customer,
            coupon_usage: Vec::new(),
            promotion_usage: Vec::new(),
            budget_spent: Vec::new(),
            redeem: Redeem::default(),
            available: Available::default(),
            at,
        }
    }

    /// Asks to pay with points or cashback, the customer having
    /// `available` to pay with.
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// use loyalty::rules::redemption::{Ask, Available, Redeem};
    /// use rust_decimal::Decimal;
    ///
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR).build()?;
    /// let checkout = Checkout::for_order(order, at).with_redemption(
    ///     Redeem::points(Ask::All),
    ///     Available { points: Decimal::from(1200), ..Available::default() },
    /// );
    /// assert_eq!(checkout.redeem.points, Some(Ask::All));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_redemption(mut self, redeem: Redeem, available: Available) -> Checkout {
        self.redeem = redeem;
        self.available = available;
        self
    }

    /// Adds the usage counts of a code.
    #[must_use]
    pub fn with_usage(mut self, usage: CouponUsage) -> Checkout {
        self.coupon_usage.push(usage);
        self
    }

    /// Adds the usage counts of an automatic promotion.
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// use loyalty::evaluate::PromotionUsage;
    ///
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR).build()?;
    /// let checkout = Checkout::for_order(order, at)
    ///     .with_promotion_usage(PromotionUsage::new("first-100", 37, 0)?);
    /// assert_eq!(checkout.promotion_usage[0].overall, 37);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_promotion_usage(mut self, usage: PromotionUsage) -> Checkout {
        self.promotion_usage.push(usage);
        self
    }

    /// Adds what a promotion with a spend budget gave so far.
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// use loyalty::evaluate::BudgetSpent;
    ///
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR).build()?;
    /// let checkout = Checkout::for_order(order, at)
    ///     .with_budget_spent(BudgetSpent::new("launch", "95.00".parse()?)?);
    /// assert_eq!(checkout.budget_spent[0].spent, "95.00".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_budget_spent(mut self, spent: BudgetSpent) -> Checkout {
        self.budget_spent.push(spent);
        self
    }

    /// What promotion `id` gave so far against its budget; zero when not
    /// listed.
    pub(super) fn budget_spent_of(&self, id: &str) -> rust_decimal::Decimal {
        self.budget_spent
            .iter()
            .find(|b| b.promotion == id)
            .map_or(rust_decimal::Decimal::ZERO, |b| b.spent)
    }

    /// Uses of the automatic promotion `id` (overall, by this customer);
    /// zero when not listed.
    pub(super) fn promotion_usage_of(&self, id: &str) -> (u64, u64) {
        self.promotion_usage
            .iter()
            .find(|u| u.promotion == id)
            .map_or((0, 0), |u| (u.overall, u.by_customer))
    }

    /// Uses of `code` (overall, by this customer); zero when not listed.
    pub(super) fn usage_of(&self, code: &str) -> (u64, u64) {
        self.coupon_usage
            .iter()
            .find(|u| codes_match(&u.code, code))
            .map_or((0, 0), |u| (u.overall, u.by_customer))
    }

    /// Whether the checkout can be evaluated against `program`: its
    /// currency, one customer, usage counts that agree with themselves,
    /// no last order after the instant of evaluation.
    pub(super) fn check(&self, program: &Program) -> Result<(), EvaluationError> {
        let order = &self.order;
        let limits = program.limits();
        for (what, found, limit) in [
            (
                "lines in the order",
                order.lines().len() + order.zero_quantity_lines().len(),
                limits.lines_per_order,
            ),
            (
                "coupon codes entered",
                order.coupons().len(),
                limits.codes_per_order,
            ),
            (
                "coupon usage entries",
                self.coupon_usage.len(),
                limits.usage_entries,
            ),
            (
                "promotion usage entries",
                self.promotion_usage.len(),
                limits.usage_entries,
            ),
            (
                "budget spent entries",
                self.budget_spent.len(),
                limits.usage_entries,
            ),
        ] {
            within(what, found, limit).map_err(EvaluationError::LimitExceeded)?;
        }
        if order.currency() != program.currency() {
            return Err(EvaluationError::CurrencyMismatch {
                program: program.id().to_owned(),
                expected: program.currency(),
                served: program
                    .currencies()
                    .iter()
                    .map(Currency::code)
                    .collect::<Vec<_>>()
                    .join(", "),
                order: order.currency(),
            });
        }
        if order.customer_id() != self.customer.record_id() {
            return Err(EvaluationError::CustomerMismatch {
                order_customer: order
                    .customer_id()
                    .map_or_else(|| "nobody (a guest)".to_owned(), ToString::to_string),
                customer: self
                    .customer
                    .record_id()
                    .map_or_else(|| "a guest".to_owned(), ToString::to_string),
            });
        }
        if let Some(field) = self.customer.guest_record_field() {
            return Err(EvaluationError::Customer(CustomerError::GuestHasRecord {
                field,
            }));
        }
        if program.inputs().zero_quantity == ZeroQuantity::Refuse
            && let Some(line) = order.zero_quantity_lines().next()
        {
            return Err(EvaluationError::ZeroQuantity {
                line: line.id().clone(),
            });
        }
        // Codes seen so far: a scan of a few, an index of many.
        let mut seen = (self.coupon_usage.len() > 32)
            .then(|| std::collections::HashSet::with_capacity(self.coupon_usage.len()));
        for (i, usage) in self.coupon_usage.iter().enumerate() {
            if usage.by_customer > usage.overall {
                return Err(EvaluationError::UsageContradiction {
                    code: usage.code.clone(),
                    by_customer: usage.by_customer,
                    overall: usage.overall,
                });
            }
            let repeated = match seen.as_mut() {
                Some(seen) => !seen.insert(crate::rules::coupon::normalize_code(&usage.code)),
                None => self.coupon_usage[..i]
                    .iter()
                    .any(|u| codes_match(&u.code, &usage.code)),
            };
            if repeated {
                return Err(EvaluationError::DuplicateUsage {
                    code: usage.code.clone(),
                });
            }
        }
        if !self.promotion_usage.is_empty() {
            self.check_promotion_usage()?;
        }
        if !self.budget_spent.is_empty() {
            self.check_budget_spent(program)?;
        }
        if self
            .customer
            .stats()
            .and_then(|s| s.last_order_at)
            .is_some_and(|last| last > self.at)
        {
            return Err(EvaluationError::LastOrderInFuture);
        }
        if !self.redeem.is_empty() {
            self.check_redemption(program)?;
        }
        Ok(())
    }

    /// The usage counts of automatic promotions agree with themselves:
    /// a customer's uses within all uses, one entry per promotion.
    fn check_promotion_usage(&self) -> Result<(), EvaluationError> {
        let mut seen = (self.promotion_usage.len() > 32)
            .then(|| std::collections::HashSet::with_capacity(self.promotion_usage.len()));
        for (i, usage) in self.promotion_usage.iter().enumerate() {
            if usage.by_customer > usage.overall {
                return Err(EvaluationError::PromotionUsageContradiction {
                    promotion: usage.promotion.to_string(),
                    by_customer: usage.by_customer,
                    overall: usage.overall,
                });
            }
            let repeated = match seen.as_mut() {
                Some(seen) => !seen.insert(usage.promotion.as_str()),
                None => self.promotion_usage[..i]
                    .iter()
                    .any(|u| u.promotion == usage.promotion),
            };
            if repeated {
                return Err(EvaluationError::DuplicatePromotionUsage {
                    promotion: usage.promotion.to_string(),
                });
            }
        }
        Ok(())
    }

    /// What the budgets gave so far: one entry per promotion, each zero or
    /// more, in whole minor units, no larger than an amount may be.
    fn check_budget_spent(&self, program: &Program) -> Result<(), EvaluationError> {
        let currency = program.currency();
        let mut seen = (self.budget_spent.len() > 32)
            .then(|| std::collections::HashSet::with_capacity(self.budget_spent.len()));
        for (i, entry) in self.budget_spent.iter().enumerate() {
            let bad = |problem| {
                Err(EvaluationError::InvalidBudgetSpent {
                    promotion: entry.promotion.to_string(),
                    spent: entry.spent,
                    problem,
                })
            };
            if entry.spent.is_sign_negative() && !entry.spent.is_zero() {
                return bad("is negative: give what the promotion gave so far, zero or more");
            }
            if entry.spent > crate::money::Money::MAX_ORDER_AMOUNT {
                return bad("is above the largest amount the crate keeps");
            }
            if !currency.is_in_minor_units(entry.spent) {
                return bad("is finer than the currency's minor unit: give the amount to the cent");
            }
            let repeated = match seen.as_mut() {
                Some(seen) => !seen.insert(entry.promotion.as_str()),
                None => self.budget_spent[..i]
                    .iter()
                    .any(|b| b.promotion == entry.promotion),
            };
            if repeated {
                return Err(EvaluationError::DuplicateBudgetSpent {
                    promotion: entry.promotion.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The redemption asked and the balances given: no negative figure, no
    /// decimals of points where the program keeps whole points, no
    /// cashback finer than the minor unit.
    fn check_redemption(&self, program: &Program) -> Result<(), EvaluationError> {
        let whole = program.keeps_whole_points();
        let decimals = program.points_decimals();
        let currency = program.currency();
        let bad = |field, value, problem| {
            Err(EvaluationError::InvalidRedemption {
                field,
                value,
                problem,
            })
        };
        let exactly = |ask: Option<Ask>| match ask {
            Some(Ask::Exactly(value)) => Some(value),
            _ => None,
        };
        let points = [
            ("available.points", Some(self.available.points)),
            ("redeem.points", exactly(self.redeem.points)),
        ];
        for (field, value) in points.into_iter().filter_map(|(f, v)| Some((f, v?))) {
            if value.is_sign_negative() && !value.is_zero() {
                return bad(field, value, "is negative: give zero or more points");
            }
            if whole && !value.fract().is_zero() {
                return bad(
                    field,
                    value,
                    "has decimals, but this program keeps whole points: give a whole number",
                );
            }
            if value.normalize().scale() > decimals {
                return bad(
                    field,
                    value,
                    "has more decimals than this program keeps points to: round it",
                );
            }
        }
        let amounts = [
            ("available.cashback", Some(self.available.cashback)),
            ("redeem.cashback", exactly(self.redeem.cashback)),
        ];
        for (field, value) in amounts.into_iter().filter_map(|(f, v)| Some((f, v?))) {
            if value.is_sign_negative() && !value.is_zero() {
                return bad(field, value, "is negative: give zero or more");
            }
            if value > crate::money::Money::MAX_ORDER_AMOUNT {
                return bad(
                    field,
                    value,
                    "is above the largest amount an order may carry",
                );
            }
            if !currency.is_in_minor_units(value) {
                return bad(
                    field,
                    value,
                    "is finer than the currency's minor unit: round it to the cent",
                );
            }
        }
        if self.available.points > crate::money::Money::MAX_ORDER_AMOUNT {
            return bad(
                "available.points",
                self.available.points,
                "is above the largest figure a balance may carry (10^18)",
            );
        }
        Ok(())
    }
}

/// How often a code was redeemed before this checkout.
///
/// For a shared code, counts of the coupon; for a code of a unique batch,
/// counts of that code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponUsage {
    /// The code (matched ignoring case and surrounding space).
    pub code: String,
    /// Redemptions by anyone.
    pub overall: u64,
    /// Redemptions by this customer.
    pub by_customer: u64,
}

/// How often an automatic promotion was used before this checkout, by
/// promotion id: for the promotions that limit their uses
/// (`usage_limit`, `per_customer_limit`). Counted by the host from the
/// `PromotionRedemption` effects it stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionUsage {
    /// The promotion's id.
    pub promotion: RuleId,
    /// Uses by anyone.
    pub overall: u64,
    /// Uses by this customer.
    pub by_customer: u64,
}

impl PromotionUsage {
    /// The counts of promotion `id`.
    ///
    /// # Errors
    ///
    /// [`EmptyIdError`](crate::id::EmptyIdError) when `id` is blank.
    pub fn new(
        id: &str,
        overall: u64,
        by_customer: u64,
    ) -> Result<PromotionUsage, crate::id::EmptyIdError> {
        Ok(PromotionUsage {
            promotion: RuleId::new(id)?,
            overall,
            by_customer,
        })
    }
}

/// What a promotion with a spend budget gave before this checkout, by
/// promotion id: the sum of the `amount`s of the `SpendBudget` effects the
/// host stored for it, less the `ReleaseBudget` ones (never below zero).
///
/// In JSON: `{"promotion": "launch", "spent": "95.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetSpent {
    /// The promotion's id.
    pub promotion: RuleId,
    /// What it gave so far, in the order's currency. A program serving
    /// several currencies has a budget per currency: the host keeps what
    /// each promotion gave per currency, and passes the order's.
    pub spent: rust_decimal::Decimal,
}

impl BudgetSpent {
    /// What promotion `id` gave so far.
    ///
    /// # Errors
    ///
    /// [`EmptyIdError`](crate::id::EmptyIdError) when `id` is blank.
    pub fn new(
        id: &str,
        spent: rust_decimal::Decimal,
    ) -> Result<BudgetSpent, crate::id::EmptyIdError> {
        Ok(BudgetSpent {
            promotion: RuleId::new(id)?,
            spent,
        })
    }
}

//! Cancellations: an order called off before anything was fulfilled, so
//! that everything its evaluation stored is given back whole, with no
//! refund to work out.
//!
//! [`Program::cancel`] reads the effects the host stored for the order
//! and answers each with its undoing, keyed `program/order/cancel/what`:
//!
//! | stored                | given back                                   |
//! |-----------------------|----------------------------------------------|
//! | `coupon_redemption`   | `release_coupon` (the code's use)            |
//! | `promotion_redemption`| `release_promotion` (the promotion's use)    |
//! | `spend_budget`        | `release_budget` (the amount it spent)       |
//! | `credit_points`       | `reverse_points` (all of them, from the lot) |
//! | `credit_cashback`     | `reverse_cashback` (all of it)               |
//! | `redeem_points`       | `restore_points` (all the points paid with)  |
//! | `redeem_cashback`     | `restore_cashback`                           |
//!
//! A gift line and a tier change need nothing stored back (the tier is
//! replayed from the history the host keeps, without the order). The
//! releases never take a count or a budget below zero: the host
//! decrements only what is above zero (`MAX(0, spent - amount)`), once per
//! key, so a cancellation stored twice changes nothing. An order that was
//! partly returned is not cancelled: return the rest instead, so that
//! nothing is given back twice.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::evaluation::Effect;
//!
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR)
//!         .coupon(CouponDefinition::amount_off("ten", "TEN", "10.00").usage_limit(100))
//!         .earning_rule(EarnRuleDefinition::new("points", 1, 1)),
//! )?;
//! let at = "2026-11-27T10:00:00Z".parse()?;
//! let order = Order::builder("A-1", "C-1", at, Currency::EUR)
//!     .line(Line::new("1", "TEA", 2, Money::parse("30.00", Currency::EUR)?))
//!     .coupon("TEN")
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::for_order(order, at))?;
//! let cancelled = program.cancel(&evaluation, &[], "2026-11-27T11:00:00Z".parse()?)?;
//! assert!(matches!(
//!     &cancelled.effects[..],
//!     [Effect::ReleaseCoupon { key, .. }, Effect::ReversePoints { points, .. }]
//!         if key == "shop/A-1/cancel/coupon:ten:TEN" && *points == Decimal::from(50)
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entry, ReturnOutcome, WalletError};
use crate::customer::CustomerId;
use crate::evaluation::{Effect, Evaluation};
use crate::money::Currency;
use crate::order::{OrderId, RefundId};
use crate::program::{Program, ProgramId};

/// Why an order cannot be cancelled. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CancelError {
    /// The evaluation is of another program.
    #[error(
        "the evaluation is of program {found}, not of {program}: use the program that evaluated the order"
    )]
    OtherProgram {
        /// This program.
        program: ProgramId,
        /// The evaluation's.
        found: ProgramId,
    },
    /// Part of the order already came back.
    #[error(
        "order {order} has a return ({refund}): an order is cancelled only when nothing came back; return the remaining units instead"
    )]
    Returned {
        /// The order.
        order: OrderId,
        /// The first return of it.
        refund: RefundId,
    },
    /// A return of another order was passed.
    #[error("return {refund} is of order {found}, not {order}: pass this order's returns")]
    OtherOrder {
        /// The order being cancelled.
        order: OrderId,
        /// The return passed.
        refund: RefundId,
        /// Its order.
        found: OrderId,
    },
    /// The cancellation is dated before the order's evaluation.
    #[error(
        "the cancellation at {at} is before the order's evaluation at {evaluated}: check its instant"
    )]
    BeforeOrder {
        /// The cancellation's instant.
        at: DateTime<Utc>,
        /// The evaluation's instant.
        evaluated: DateTime<Utc>,
    },
}

/// An order cancelled: what the host must store to give back everything
/// its evaluation stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cancellation {
    /// The program.
    pub program: ProgramId,
    /// The order.
    pub order: OrderId,
    /// The customer.
    pub customer: CustomerId,
    /// When it was cancelled.
    pub at: DateTime<Utc>,
    /// The currency of every amount.
    pub currency: Currency,
    /// The releases, reversals and restorations, in the order of the
    /// effects they undo, each with an idempotency key.
    pub effects: Vec<Effect>,
}

impl Cancellation {
    /// The ledger entries of the cancellation, one per effect that moves
    /// value (points and cashback reversed and restored), at its instant.
    ///
    /// # Errors
    ///
    /// [`WalletError`] when an effect does not make a valid entry.
    pub fn entries(&self) -> Result<Vec<Entry>, WalletError> {
        let mut entries = Vec::with_capacity(self.effects.len());
        for effect in &self.effects {
            if let Some(entry) = Entry::from_effect(effect, &self.order, self.currency, self.at)? {
                entries.push(entry);
            }
        }
        Ok(entries)
    }
}

impl Program {
    /// Cancels the order `evaluation` is of, at `at`, before anything of it
    /// was fulfilled: each use, budget spend, credit and redemption it
    /// stored is given back whole. `earlier` are the order's returns (an
    /// order with any is refused: return the rest instead).
    ///
    /// The same evaluation gives the same keys, so storing a cancellation
    /// twice changes nothing.
    ///
    /// # Errors
    ///
    /// A [`CancelError`]: an evaluation of another program, an order with
    /// returns, an instant before the evaluation.
    pub fn cancel(
        &self,
        evaluation: &Evaluation,
        earlier: &[ReturnOutcome],
        at: DateTime<Utc>,
    ) -> Result<Cancellation, CancelError> {
        if &evaluation.program != self.program_id() {
            return Err(CancelError::OtherProgram {
                program: self.program_id().clone(),
                found: evaluation.program.clone(),
            });
        }
        if let Some(other) = earlier.iter().find(|r| r.order != evaluation.order) {
            return Err(CancelError::OtherOrder {
                order: evaluation.order.clone(),
                refund: other.refund.clone(),
                found: other.order.clone(),
            });
        }
        if let Some(first) = earlier.first() {
            return Err(CancelError::Returned {
                order: evaluation.order.clone(),
                refund: first.refund.clone(),
            });
        }
        if at < evaluation.at {
            return Err(CancelError::BeforeOrder {
                at,
                evaluated: evaluation.at,
            });
        }
        let key = |what: &str| format!("{}/{}/cancel/{what}", self.program_id(), evaluation.order);
        let customer = &evaluation.customer;
        let mut effects = Vec::with_capacity(evaluation.effects.len());
        for effect in &evaluation.effects {
            let undone = match effect {
                Effect::CouponRedemption { coupon, code, .. } => Effect::ReleaseCoupon {
                    key: key(&format!("coupon:{coupon}:{code}")),
                    coupon: coupon.clone(),
                    code: code.clone(),
                    customer: customer.clone(),
                },
                Effect::PromotionRedemption { promotion, .. } => Effect::ReleasePromotion {
                    key: key(&format!("promotion:{promotion}")),
                    promotion: promotion.clone(),
                    customer: customer.clone(),
                },
                Effect::SpendBudget {
                    promotion, amount, ..
                } => Effect::ReleaseBudget {
                    key: key(&format!("budget:{promotion}")),
                    promotion: promotion.clone(),
                    amount: *amount,
                },
                Effect::CreditPoints {
                    key: lot, points, ..
                } if !points.is_zero() => Effect::ReversePoints {
                    key: key("points"),
                    customer: customer.clone(),
                    points: *points,
                    lot: lot.clone(),
                },
                Effect::CreditCashback {
                    key: lot, amount, ..
                } if !amount.is_zero() => Effect::ReverseCashback {
                    key: key("cashback"),
                    customer: customer.clone(),
                    amount: *amount,
                    lot: lot.clone(),
                },
                Effect::RedeemPoints {
                    key: redemption,
                    points,
                    ..
                } => Effect::RestorePoints {
                    key: key("redeemed-points"),
                    customer: customer.clone(),
                    points: *points,
                    redemption: redemption.clone(),
                },
                Effect::RedeemCashback {
                    key: redemption,
                    amount,
                    ..
                } => Effect::RestoreCashback {
                    key: key("redeemed-cashback"),
                    customer: customer.clone(),
                    amount: *amount,
                    redemption: redemption.clone(),
                },
                _ => continue,
            };
            effects.push(undone);
        }
        Ok(Cancellation {
            program: self.program_id().clone(),
            order: evaluation.order.clone(),
            customer: customer.clone(),
            at,
            currency: evaluation.currency,
            effects,
        })
    }
}

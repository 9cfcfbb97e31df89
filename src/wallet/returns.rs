//! Returns: what goes back to the customer, and what comes back from them,
//! when units of an order are returned.
//!
//! [`Program::evaluate_return`] takes the order as it was checked out, its
//! evaluation as the host stored it, the earlier returns of the order and
//! the [`Refund`] (lines and units), and works out per returned line:
//!
//! - the **money** to give back: what the customer paid for those units,
//!   net of every discount allocated to them, a points or cashback
//!   redemption included;
//! - the **points** and **cashback** those units earned, to take back (the
//!   line's attribution in the evaluation);
//! - the **points** and **cashback** those units were paid with, to give
//!   back.
//!
//! Each figure is the line's amount pro rata by quantity, computed on the
//! units returned so far: after `k` of a line's `n` units, `amount × k / n`
//! has gone back, rounded (money with the program's rounding mode; points
//! and cashback down, to the points' decimals or the minor unit), and this
//! return gives the difference with the earlier ones. The last unit takes
//! what is left, so a full return, in one go or many, gives back and takes
//! back exactly what the order had.
//!
//! Order-level points (bonuses, per-order rules, bonus coupons) are taken
//! back by the program's [`ReturnPolicy`](crate::rules::returns::ReturnPolicy): when the order kept, evaluated
//! again at the original instant, no longer earns them, or only with the
//! last unit. Points the customer no longer holds are capped, allowed
//! below zero, or deducted from the money refunded. On a full return the
//! coupons' uses (and those of automatic promotions that limit their uses)
//! are released, and so is what the order spent of promotions' budgets;
//! shipping is refunded (unless the policy keeps it), and with it go the
//! points it earned (rules with `include_shipping`).
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR)
//!         .earning_rule(EarnRuleDefinition::new("points", 1, 1)),
//! )?;
//! let at = "2026-11-27T10:00:00Z".parse()?;
//! let order = Order::builder("A-1", "C-1", at, Currency::EUR)
//!     .line(Line::new("1", "MUG", 3, Money::parse("10.00", Currency::EUR)?))
//!     .build()?;
//! let checkout = Checkout::for_order(order, at);
//! let evaluation = program.evaluate(&checkout)?;
//! let refund = Refund::new("R-1", "A-1", "2026-12-01T10:00:00Z".parse()?)?.line("1", 1)?;
//! let back = program.evaluate_return(&checkout, &evaluation, &[], &refund)?;
//! assert_eq!(back.money, "10.00".parse()?);
//! assert_eq!(back.points_reversed, Decimal::from(10));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::customer::CustomerId;
use crate::evaluate::{Checkout, EvaluateOptions, EvaluationError};
use crate::evaluation::{Effect, Evaluation, RedemptionKind, RuleKind, RuleRef};
use crate::money::{Currency, Money, RemainderPolicy, RoundingMode, split_units};
use crate::order::{LineId, OrderError, OrderId, Refund, RefundId};
use crate::program::{Program, ProgramId};
use crate::rules::returns::{OrderPoints, ShippingRefund, SpentPoints};

/// Why a return cannot be worked out. Each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReturnError {
    /// The evaluation, a refund or an earlier return is of another order.
    #[error(
        "{what} is of order {found}, but the checkout's order is {order}: pass the same order's records"
    )]
    OtherOrder {
        /// What is of another order.
        what: &'static str,
        /// The checkout's order.
        order: OrderId,
        /// The other order.
        found: OrderId,
    },
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
    /// The evaluation does not list a line of the order (it is not this
    /// order's evaluation, or it was evaluated without its lines).
    #[error("the evaluation has no line {line} of the order: pass the evaluation of this checkout")]
    EvaluationMissingLine {
        /// The line.
        line: LineId,
    },
    /// The refund names a line the order never had.
    #[error("refund {refund} returns line {line}, which order {order} does not have")]
    UnknownLine {
        /// The refund.
        refund: RefundId,
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
    },
    /// More units would come back than remain.
    #[error(
        "refund {refund} returns {asked} of line {line}, but only {remaining} remain (of {sold} sold): return at most {remaining}"
    )]
    TooManyUnits {
        /// The refund.
        refund: RefundId,
        /// The line.
        line: LineId,
        /// Units this refund returns.
        asked: u64,
        /// Units not yet returned.
        remaining: u64,
        /// Units sold.
        sold: u32,
    },
    /// A refund line of no units.
    #[error("refund {refund} returns 0 units of line {line}: leave the line out")]
    ZeroUnits {
        /// The refund.
        refund: RefundId,
        /// The line.
        line: LineId,
    },
    /// A refund without lines.
    #[error("refund {refund} returns nothing: give at least one line")]
    Empty {
        /// The refund.
        refund: RefundId,
    },
    /// The refund's id is one of an earlier return.
    #[error("refund {refund} was already worked out: pass each return once, with its own id")]
    AlreadyReturned {
        /// The refund.
        refund: RefundId,
    },
    /// Negative points held.
    #[error("points_held {value} is negative: give the points the customer holds, 0 or more")]
    NegativeHeld {
        /// The value.
        value: Decimal,
    },
    /// The refund is before the order was evaluated.
    #[error("refund {refund} is dated before the order's evaluation: check its instant")]
    BeforeOrder {
        /// The refund.
        refund: RefundId,
    },
    /// An earlier return that does not fit the order.
    #[error(
        "earlier return {refund} does not fit the order: {what}; pass the returns as they were worked out"
    )]
    EarlierMismatch {
        /// The earlier return.
        refund: RefundId,
        /// What does not fit.
        what: &'static str,
    },
    /// The evaluation is not what the program gives for the checkout.
    #[error(
        "the evaluation does not match what the program gives for the checkout (its {what}): pass the evaluation stored for it, and the program that made it"
    )]
    EvaluationMismatch {
        /// What differs.
        what: &'static str,
    },
    /// The order, or the order kept, could not be evaluated again.
    #[error("the order could not be evaluated again: {0}")]
    Evaluation(#[from] EvaluationError),
    /// The order kept could not be built.
    #[error("the order kept could not be built: {0}")]
    Order(#[from] OrderError),
    /// A figure overflowed.
    #[error("amounts overflow while working out {what}: check the stored evaluation")]
    Overflow {
        /// What was being computed.
        what: &'static str,
    },
}

/// What a return gives back and takes back, per line and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReturnOutcome {
    /// The refund.
    pub refund: RefundId,
    /// The order.
    pub order: OrderId,
    /// The customer.
    pub customer: CustomerId,
    /// When the refund was made.
    pub at: DateTime<Utc>,
    /// The currency of every amount.
    pub currency: Currency,
    /// Each line returned, in the refund's order.
    pub lines: Vec<ReturnedLine>,
    /// Whether the order is now wholly returned.
    pub full: bool,
    /// The money to give back: the lines', plus shipping on a full return,
    /// less `deducted`.
    pub money: Decimal,
    /// Shipping refunded (on a full return, unless the policy keeps it).
    pub shipping: Decimal,
    /// Money kept for points the customer no longer holds
    /// (`deduct_from_refund`).
    pub deducted: Decimal,
    /// Points the returned units earned, the order-level points no longer
    /// earned, and those shipping earned when it is refunded: what should
    /// be taken back.
    pub points_to_reverse: Decimal,
    /// Of which order-level points (bonuses, per-order rules).
    pub order_points: Decimal,
    /// Of which points earned on shipping (rules with `include_shipping`),
    /// taken back with the shipping when it is refunded: on a full return,
    /// unless the policy keeps the shipping (then the points stay too).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub shipping_points: Decimal,
    /// The bonuses taken back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonuses: Vec<RuleRef>,
    /// Points taken back, after the policy on points no longer held.
    pub points_reversed: Decimal,
    /// Points that could not be taken back (not held, and not deducted).
    pub shortfall: Decimal,
    /// Cashback taken back (the lines', and shipping's on a full return).
    pub cashback_reversed: Decimal,
    /// Points paid with, given back.
    pub points_restored: Decimal,
    /// Cashback paid with, given back.
    pub cashback_restored: Decimal,
    /// What the host must store, each with an idempotency key.
    pub effects: Vec<Effect>,
}

/// What one returned line gives back and takes back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReturnedLine {
    /// The line.
    pub line: LineId,
    /// Units returned.
    pub quantity: u32,
    /// Those units before discounts (unit price × units).
    pub gross: Decimal,
    /// Those units after discounts, before any redemption (what they were
    /// bought for, in money, points or cashback).
    pub net: Decimal,
    /// The money those units cost the customer.
    pub money: Decimal,
    /// The points they earned.
    pub points: Decimal,
    /// The cashback they earned.
    pub cashback: Decimal,
    /// The points they were paid with.
    pub points_restored: Decimal,
    /// The cashback they were paid with.
    pub cashback_restored: Decimal,
}

/// A line's amounts in the order, in whole units (minor units, or points
/// × 10^decimals).
#[derive(Clone, Copy, Default)]
struct LineAmounts {
    sold: u32,
    before: u32,
    now: u32,
    unit_price: i128,
    value: i128,
    money: i128,
    points: i128,
    cashback: i128,
    points_paid: i128,
    cashback_paid: i128,
}

impl Program {
    /// Works out a return of `refund` from the order of `checkout`, whose
    /// evaluation `evaluation` the host stored, after the `earlier` returns
    /// of the same order (in any order).
    ///
    /// # Errors
    ///
    /// A [`ReturnError`]: records of another order or program, a line the
    /// order never had, more units than remain, a refund already worked
    /// out, or an order kept that cannot be evaluated again.
    pub fn evaluate_return(
        &self,
        checkout: &Checkout,
        evaluation: &Evaluation,
        earlier: &[ReturnOutcome],
        refund: &Refund,
    ) -> Result<ReturnOutcome, ReturnError> {
        let order = &checkout.order;
        // An order in another currency the program serves is returned by
        // the program as read for that currency.
        let reading = self.for_currency(order.currency());
        if !std::ptr::eq(reading, self) {
            return reading.evaluate_return(checkout, evaluation, earlier, refund);
        }
        check_records(self, checkout, evaluation, earlier, refund)?;
        let currency = self.currency();
        let decimals = self.points_decimals();
        let points_unit = Decimal::from(10u64.pow(decimals.min(18)));
        let minor = |amount: Decimal| Money::new(amount, currency).to_minor_units();
        let points_units = |points: Decimal| {
            points
                .checked_mul(points_unit)
                .map(|p| p.trunc().mantissa() / 10i128.pow(p.trunc().scale()))
                .ok_or(ReturnError::Overflow { what: "points" })
        };
        // The order's amounts per line. The evaluation lists the lines in
        // the order's order; points and cashback by line id.
        let index: HashMap<&str, usize> = order
            .lines()
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id().as_str(), i))
            .collect();
        let mut lines: Vec<LineAmounts> = Vec::with_capacity(order.lines().len());
        for (i, line) in order.lines().iter().enumerate() {
            let outcome = evaluation
                .lines
                .get(i)
                .filter(|o| &o.line == line.id())
                .ok_or_else(|| ReturnError::EvaluationMissingLine {
                    line: line.id().clone(),
                })?;
            let money = minor(outcome.net).map_err(|_| ReturnError::Overflow { what: "money" })?;
            let mut amounts = LineAmounts {
                sold: line.quantity(),
                unit_price: line
                    .unit_price()
                    .to_minor_units()
                    .map_err(|_| ReturnError::Overflow { what: "money" })?,
                value: money,
                money,
                ..LineAmounts::default()
            };
            for part in outcome.discounts.iter() {
                if part.rule.kind != RuleKind::Redemption {
                    continue;
                }
                let paid = minor(part.amount).map_err(|_| ReturnError::Overflow {
                    what: "a redemption",
                })?;
                if part.rule.id.as_str() == RedemptionKind::Cashback.as_str() {
                    amounts.cashback_paid += paid;
                } else {
                    amounts.points_paid += paid;
                }
                amounts.value += paid;
            }
            lines.push(amounts);
        }
        for p in &evaluation.points.lines {
            if let Some(&i) = index.get(p.line.as_str()) {
                lines[i].points = points_units(p.points)?;
            }
        }
        for c in &evaluation.cashback.lines {
            if let Some(&i) = index.get(c.line.as_str()) {
                lines[i].cashback =
                    minor(c.amount).map_err(|_| ReturnError::Overflow { what: "cashback" })?;
            }
        }
        // The points paid with, per line: the redemption's points split as
        // its money was (each line's weight is, until now, the money its
        // points paid).
        let redeemed = evaluation
            .redemptions
            .iter()
            .find(|r| r.kind == RedemptionKind::Points && r.is_applied());
        let weights: Vec<i128> = lines.iter().map(|l| l.points_paid).collect();
        let mut parts = vec![0i128; weights.len()];
        if let Some(redemption) = redeemed {
            split_units(
                points_units(redemption.points)?,
                &weights,
                RemainderPolicy::LargestRemainder,
                &mut parts,
            )
            .map_err(|_| ReturnError::Overflow { what: "points" })?;
        }
        for (amounts, part) in lines.iter_mut().zip(parts) {
            amounts.points_paid = part;
        }
        // Units returned before, and now.
        for done in earlier {
            for returned in &done.lines {
                if let Some(&i) = index.get(returned.line.as_str()) {
                    lines[i].before = lines[i].before.saturating_add(returned.quantity);
                }
            }
        }
        for asked in refund.lines() {
            let Some(&i) = index.get(asked.line.as_str()) else {
                return Err(ReturnError::UnknownLine {
                    refund: refund.id().clone(),
                    order: order.id().clone(),
                    line: asked.line.clone(),
                });
            };
            if asked.quantity == 0 {
                return Err(ReturnError::ZeroUnits {
                    refund: refund.id().clone(),
                    line: asked.line.clone(),
                });
            }
            let amounts = &mut lines[i];
            let remaining = u64::from(amounts.sold) - u64::from(amounts.before.min(amounts.sold));
            let asked_now = u64::from(amounts.now) + u64::from(asked.quantity);
            if asked_now > remaining {
                return Err(ReturnError::TooManyUnits {
                    refund: refund.id().clone(),
                    line: asked.line.clone(),
                    asked: asked_now,
                    remaining,
                    sold: amounts.sold,
                });
            }
            amounts.now += asked.quantity;
        }
        let full = lines
            .iter()
            .all(|l| l.before.saturating_add(l.now) >= l.sold);
        let rounding = self.rounding();
        let back = |amount: i128, l: &LineAmounts, mode: RoundingMode| {
            share(amount, l.before.saturating_add(l.now), l.sold, mode)
                - share(amount, l.before, l.sold, mode)
        };
        let mut out = ReturnOutcome {
            refund: refund.id().clone(),
            order: order.id().clone(),
            customer: checkout.customer.id().clone(),
            at: refund.at(),
            currency,
            lines: Vec::with_capacity(refund.lines().len()),
            full,
            money: Decimal::ZERO,
            shipping: Decimal::ZERO,
            deducted: Decimal::ZERO,
            points_to_reverse: Decimal::ZERO,
            order_points: Decimal::ZERO,
            shipping_points: Decimal::ZERO,
            bonuses: Vec::new(),
            points_reversed: Decimal::ZERO,
            shortfall: Decimal::ZERO,
            cashback_reversed: Decimal::ZERO,
            points_restored: Decimal::ZERO,
            cashback_restored: Decimal::ZERO,
            effects: Vec::new(),
        };
        let (mut money, mut points, mut cashback, mut points_paid, mut cashback_paid) =
            (0i128, 0i128, 0i128, 0i128, 0i128);
        let to_money = |units: i128| {
            Money::from_minor_units(units, currency)
                .map(|m| m.amount())
                .map_err(|_| ReturnError::Overflow { what: "money" })
        };
        let to_points = |units: i128| {
            Decimal::try_from_i128_with_scale(units, decimals)
                .map(|p| p.normalize())
                .map_err(|_| ReturnError::Overflow { what: "points" })
        };
        for (line, amounts) in order.lines().iter().zip(&lines) {
            if amounts.now == 0 {
                continue;
            }
            let down = RoundingMode::TowardZero;
            let returned = ReturnedLine {
                line: line.id().clone(),
                quantity: amounts.now,
                gross: to_money(amounts.unit_price * i128::from(amounts.now))?,
                net: to_money(back(amounts.value, amounts, rounding))?,
                money: to_money(back(amounts.money, amounts, rounding))?,
                points: to_points(back(amounts.points, amounts, down))?,
                cashback: to_money(back(amounts.cashback, amounts, down))?,
                points_restored: to_points(back(amounts.points_paid, amounts, down))?,
                cashback_restored: to_money(back(amounts.cashback_paid, amounts, down))?,
            };
            money += back(amounts.money, amounts, rounding);
            points += back(amounts.points, amounts, down);
            cashback += back(amounts.cashback, amounts, down);
            points_paid += back(amounts.points_paid, amounts, down);
            cashback_paid += back(amounts.cashback_paid, amounts, down);
            out.lines.push(returned);
        }
        // Shipping and its cashback, with the last unit.
        if full {
            if self.returns().shipping == ShippingRefund::OnFullReturn {
                let shipping = evaluation
                    .totals
                    .shipping
                    .checked_sub(evaluation.totals.shipping_discount)
                    .unwrap_or_default();
                out.shipping = shipping;
                money += minor(shipping).map_err(|_| ReturnError::Overflow { what: "money" })?;
                // The points the shipping earned go back with it.
                out.shipping_points = evaluation.points.shipping.max(Decimal::ZERO);
                points = points
                    .checked_add(points_units(out.shipping_points)?)
                    .ok_or(ReturnError::Overflow { what: "points" })?;
            }
            cashback += minor(evaluation.cashback.shipping)
                .map_err(|_| ReturnError::Overflow { what: "cashback" })?;
        }
        // Order-level points no longer earned.
        let taken_before = earlier
            .iter()
            .try_fold(Decimal::ZERO, |sum, r| sum.checked_add(r.order_points))
            .filter(|t| {
                !t.is_sign_negative() && *t <= evaluation.points.order_level.max(Decimal::ZERO)
            })
            .ok_or_else(|| ReturnError::EarlierMismatch {
                refund: earlier
                    .last()
                    .map(|r| r.refund.clone())
                    .unwrap_or_else(|| refund.id().clone()),
                what: "order-level points taken back: more than the order earned",
            })?;
        let order_level = evaluation.points.order_level;
        let keeps = if full {
            Decimal::ZERO
        } else {
            match self.returns().order_points {
                OrderPoints::Keep => order_level,
                // Nothing order-level left to take back: no need to
                // evaluate the order kept.
                OrderPoints::Reverse if order_level <= taken_before => order_level,
                OrderPoints::Reverse => {
                    let (kept_points, kept_bonuses) = self.kept_order_points(checkout, &lines)?;
                    out.bonuses = evaluation
                        .points
                        .bonuses
                        .iter()
                        .filter(|b| !kept_bonuses.contains(&b.rule))
                        .filter(|b| !earlier.iter().any(|r| r.bonuses.contains(&b.rule)))
                        .map(|b| b.rule.clone())
                        .collect();
                    kept_points.min(order_level)
                }
            }
        };
        let order_points = order_level
            .checked_sub(keeps)
            .and_then(|v| v.checked_sub(taken_before))
            .ok_or(ReturnError::Overflow { what: "points" })?
            .max(Decimal::ZERO);
        if full {
            out.bonuses = evaluation
                .points
                .bonuses
                .iter()
                .filter(|b| !earlier.iter().any(|r| r.bonuses.contains(&b.rule)))
                .map(|b| b.rule.clone())
                .collect();
        }
        out.order_points = order_points;
        out.money = to_money(money)?;
        out.points_restored = to_points(points_paid)?;
        out.cashback_restored = to_money(cashback_paid)?;
        out.cashback_reversed = to_money(cashback)?;
        out.points_to_reverse = to_points(points)?
            .checked_add(order_points)
            .ok_or(ReturnError::Overflow { what: "points" })?;
        // Points the customer no longer holds.
        let held = refund
            .held()
            .map_or(Some(Decimal::MAX), |h| h.checked_add(out.points_restored))
            .unwrap_or(Decimal::MAX);
        let shortfall =
            (out.points_to_reverse - held.min(out.points_to_reverse)).max(Decimal::ZERO);
        match self.returns().spent_points {
            SpentPoints::AllowNegative => out.points_reversed = out.points_to_reverse,
            SpentPoints::CapAtZero => {
                out.points_reversed = out.points_to_reverse - shortfall;
                out.shortfall = shortfall;
            }
            SpentPoints::DeductFromRefund => {
                out.points_reversed = out.points_to_reverse - shortfall;
                match &self.redemption().points {
                    Some(redemption) if !shortfall.is_zero() => {
                        // The shortfall's worth at the redemption rate,
                        // rounded up to the minor unit, at most the money.
                        let worth = shortfall
                            .checked_mul(redemption.rate.value.value())
                            .and_then(|w| w.checked_div(redemption.rate.points))
                            .ok_or(ReturnError::Overflow {
                                what: "a deduction",
                            })?;
                        let worth = RoundingMode::AwayFromZero.round(worth, currency.minor_units());
                        let deducted = worth.min(out.money);
                        out.deducted = deducted;
                        out.money -= deducted;
                        // Points the deduction does not cover stay short.
                        let covered = if worth.is_zero() {
                            shortfall
                        } else {
                            shortfall
                                .checked_mul(deducted)
                                .and_then(|v| v.checked_div(worth))
                                .ok_or(ReturnError::Overflow {
                                    what: "a deduction",
                                })?
                                .round_dp_with_strategy(
                                    decimals,
                                    rust_decimal::RoundingStrategy::ToZero,
                                )
                        };
                        out.shortfall = shortfall - covered;
                    }
                    _ => out.shortfall = shortfall,
                }
            }
        }
        // Amounts with the currency's decimals, zeros included.
        let scaled = |amount: Decimal| Money::new(amount, currency).scaled_amount();
        out.money = scaled(out.money);
        out.shipping = scaled(out.shipping);
        out.deducted = scaled(out.deducted);
        out.cashback_reversed = scaled(out.cashback_reversed);
        out.cashback_restored = scaled(out.cashback_restored);
        out.effects = self.return_effects(&out, evaluation, refund);
        Ok(out)
    }

    /// The order-level points of the order kept (and its bonuses),
    /// evaluated again at the original instant without any redemption.
    fn kept_order_points(
        &self,
        checkout: &Checkout,
        lines: &[LineAmounts],
    ) -> Result<(Decimal, Vec<RuleRef>), ReturnError> {
        let remaining: Vec<u32> = lines
            .iter()
            .map(|l| l.sold.saturating_sub(l.before.saturating_add(l.now)))
            .collect();
        let Some(order) = checkout.order.keeping(&remaining)? else {
            return Ok((Decimal::ZERO, Vec::new()));
        };
        let mut kept = checkout.clone();
        kept.order = order;
        kept.redeem = crate::rules::redemption::Redeem::default();
        let evaluation = self.evaluate_with(&kept, EvaluateOptions::new().trace(false))?;
        Ok((
            evaluation.points.order_level,
            evaluation
                .points
                .bonuses
                .into_iter()
                .map(|b| b.rule)
                .collect(),
        ))
    }

    /// The effects of a return, keyed `program/order/return:refund/what`.
    fn return_effects(
        &self,
        out: &ReturnOutcome,
        evaluation: &Evaluation,
        refund: &Refund,
    ) -> Vec<Effect> {
        let key = |what: &str| {
            format!(
                "{}/{}/return:{}/{what}",
                self.program_id(),
                out.order,
                refund.id()
            )
        };
        let customer = &out.customer;
        let mut effects = Vec::new();
        if !out.points_reversed.is_zero() {
            effects.push(Effect::ReversePoints {
                key: key("points"),
                customer: customer.clone(),
                points: out.points_reversed,
                lot: format!("{}/{}/points", self.program_id(), out.order),
            });
        }
        if !out.cashback_reversed.is_zero() {
            effects.push(Effect::ReverseCashback {
                key: key("cashback"),
                customer: customer.clone(),
                amount: out.cashback_reversed,
                lot: format!("{}/{}/cashback", self.program_id(), out.order),
            });
        }
        if !out.points_restored.is_zero() {
            effects.push(Effect::RestorePoints {
                key: key("redeemed-points"),
                customer: customer.clone(),
                points: out.points_restored,
                redemption: format!("{}/{}/redeem:points", self.program_id(), out.order),
            });
        }
        if !out.cashback_restored.is_zero() {
            effects.push(Effect::RestoreCashback {
                key: key("redeemed-cashback"),
                customer: customer.clone(),
                amount: out.cashback_restored,
                redemption: format!("{}/{}/redeem:cashback", self.program_id(), out.order),
            });
        }
        if out.full {
            for effect in &evaluation.effects {
                match effect {
                    Effect::CouponRedemption { coupon, code, .. } => {
                        effects.push(Effect::ReleaseCoupon {
                            key: key(&format!("coupon:{coupon}:{code}")),
                            coupon: coupon.clone(),
                            code: code.clone(),
                            customer: customer.clone(),
                        });
                    }
                    Effect::PromotionRedemption { promotion, .. } => {
                        effects.push(Effect::ReleasePromotion {
                            key: key(&format!("promotion:{promotion}")),
                            promotion: promotion.clone(),
                            customer: customer.clone(),
                        });
                    }
                    Effect::SpendBudget {
                        promotion, amount, ..
                    } => {
                        effects.push(Effect::ReleaseBudget {
                            key: key(&format!("budget:{promotion}")),
                            promotion: promotion.clone(),
                            amount: *amount,
                        });
                    }
                    _ => {}
                }
            }
        }
        effects
    }
}

/// The records agree: one order, one program, a new refund, points held
/// not negative, a refund after the order.
fn check_records(
    program: &Program,
    checkout: &Checkout,
    evaluation: &Evaluation,
    earlier: &[ReturnOutcome],
    refund: &Refund,
) -> Result<(), ReturnError> {
    let order = checkout.order.id();
    let other = |what, found: &OrderId| ReturnError::OtherOrder {
        what,
        order: order.clone(),
        found: found.clone(),
    };
    if &evaluation.order != order {
        return Err(other("the evaluation", &evaluation.order));
    }
    if refund.order() != order {
        return Err(other("the refund", refund.order()));
    }
    if let Some(e) = earlier.iter().find(|e| &e.order != order) {
        return Err(other("an earlier return", &e.order));
    }
    if &evaluation.program != program.program_id() {
        return Err(ReturnError::OtherProgram {
            program: program.program_id().clone(),
            found: evaluation.program.clone(),
        });
    }
    if earlier.iter().any(|e| &e.refund == refund.id()) {
        return Err(ReturnError::AlreadyReturned {
            refund: refund.id().clone(),
        });
    }
    // The earlier returns: each once, of lines the order has, no more
    // units than were sold.
    let mut returned: HashMap<&str, u64> = HashMap::new();
    for (i, e) in earlier.iter().enumerate() {
        let mismatch = |what| ReturnError::EarlierMismatch {
            refund: e.refund.clone(),
            what,
        };
        if earlier[..i].iter().any(|other| other.refund == e.refund) {
            return Err(mismatch("given twice"));
        }
        for line in &e.lines {
            let Some(sold) = checkout.order.line(line.line.as_str()) else {
                return Err(mismatch("a line the order does not have"));
            };
            let units = returned.entry(sold.id().as_str()).or_default();
            *units += u64::from(line.quantity);
            if *units > u64::from(sold.quantity()) {
                return Err(mismatch("more units back than were sold"));
            }
        }
    }
    // The evaluation is this checkout's under this program, as stored:
    // what a return gives back is read from it.
    let fresh = program.evaluate_with(checkout, EvaluateOptions::new().trace(false))?;
    for (what, same) in [
        ("customer", fresh.customer == evaluation.customer),
        ("currency", fresh.currency == evaluation.currency),
        ("instant", fresh.at == evaluation.at),
        ("lines", fresh.lines == evaluation.lines),
        ("totals", fresh.totals == evaluation.totals),
        ("points", fresh.points == evaluation.points),
        ("cashback", fresh.cashback == evaluation.cashback),
        ("redemptions", fresh.redemptions == evaluation.redemptions),
        ("effects", fresh.effects == evaluation.effects),
    ] {
        if !same {
            return Err(ReturnError::EvaluationMismatch { what });
        }
    }
    if refund.lines().is_empty() {
        return Err(ReturnError::Empty {
            refund: refund.id().clone(),
        });
    }
    if let Some(held) = refund.held()
        && held.is_sign_negative()
        && !held.is_zero()
    {
        return Err(ReturnError::NegativeHeld { value: held });
    }
    if refund.at() < evaluation.at {
        return Err(ReturnError::BeforeOrder {
            refund: refund.id().clone(),
        });
    }
    Ok(())
}

/// `amount × k / n`, rounded with `mode`; exactly `amount` at `k == n`.
fn share(amount: i128, k: u32, n: u32, mode: RoundingMode) -> i128 {
    if n == 0 || k >= n {
        return amount;
    }
    let (k, n) = (i128::from(k), i128::from(n));
    // amount × k fits: amounts are below 10^20 units, k below 2^32.
    let product = amount.saturating_mul(k);
    let (q, r) = (product / n, product % n);
    let up = match mode {
        RoundingMode::TowardZero => false,
        RoundingMode::AwayFromZero => r != 0,
        RoundingMode::HalfUp => 2 * r >= n,
        RoundingMode::HalfDown => 2 * r > n,
        RoundingMode::HalfEven => 2 * r > n || (2 * r == n && q % 2 != 0),
    };
    q + i128::from(up)
}

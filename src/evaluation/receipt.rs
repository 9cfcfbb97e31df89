//! An evaluation printed as a plain receipt.

use std::fmt;

use rust_decimal::Decimal;

use super::{Evaluation, RedemptionKind, Target};
use crate::money::Money;

/// Width of the label column.
const LABEL: usize = 34;

impl fmt::Display for Evaluation {
    /// A plain receipt: each line with its discounts and net, the totals,
    /// points and cashback, and the verdict on each entered code.
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .ladder(LadderDefinition::new("spend-more").percent_from("100", "5")),
    /// )?;
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::EUR)?))
    ///     .build()?;
    /// let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-1")?, at))?;
    /// assert_eq!(evaluation.to_string(), "\
    /// order A-1 · customer C-1 · program shop · 2026-11-27 10:00 UTC
    /// line 1  TEA                           120.00
    ///   ladder spend-more                    -6.00
    ///   net                                 114.00
    /// subtotal                              120.00
    /// discount                               -6.00
    /// payable                           114.00 EUR
    /// ");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let currency = self.currency;
        let shown = |amount: Decimal| Money::new(amount, currency).scaled_amount();
        let row = |f: &mut fmt::Formatter<'_>, label: &dyn fmt::Display, amount: Decimal| {
            let label = label.to_string();
            writeln!(f, "{label:<LABEL$}{:>w$}", shown(amount), w = 44 - LABEL)
        };
        let minus = |amount: Decimal| -amount;
        writeln!(
            f,
            "order {} · customer {} · program {} · {}",
            self.order,
            self.customer,
            self.program,
            self.at.format("%Y-%m-%d %H:%M UTC")
        )?;
        for line in &self.lines {
            row(
                f,
                &format_args!("line {}  {}", line.line, line.sku),
                line.gross,
            )?;
            for discount in &line.discounts {
                row(
                    f,
                    &format_args!("  {}", discount.rule),
                    minus(discount.amount),
                )?;
            }
            if !line.discounts.is_empty() {
                row(f, &"  net", line.net)?;
            }
        }
        let totals = &self.totals;
        row(f, &"subtotal", totals.subtotal)?;
        if !totals.discount.is_zero() {
            row(f, &"discount", minus(totals.discount))?;
        }
        if !totals.shipping.is_zero() {
            row(f, &"shipping", totals.shipping)?;
        }
        for discount in &self.discounts {
            if discount.target == Target::Shipping {
                row(
                    f,
                    &format_args!("  {}", discount.rule),
                    minus(discount.amount),
                )?;
            }
        }
        for redemption in self.redemptions.iter().filter(|r| r.is_applied()) {
            let label = match redemption.kind {
                RedemptionKind::Points => {
                    format!("paid with {} points", redemption.points.normalize())
                }
                RedemptionKind::Cashback => "paid with cashback".to_owned(),
            };
            row(f, &label, minus(redemption.amount))?;
        }
        writeln!(
            f,
            "{:<LABEL$}{:>w$}",
            "payable",
            self.payable().to_string(),
            w = 44 - LABEL
        )?;
        for gift in &self.gifts {
            writeln!(f, "gift {} × {} ({})", gift.quantity, gift.sku, gift.rule)?;
        }
        if !self.points.total.is_zero() {
            write!(f, "points earned {}", self.points.total.normalize())?;
            if let Some(at) = self.points.available_at {
                write!(f, ", available {}", at.format("%Y-%m-%d"))?;
            }
            writeln!(f)?;
        }
        if !self.cashback.total.is_zero() {
            write!(f, "cashback earned {}", self.cashback_earned())?;
            if let Some(at) = self.cashback.available_at {
                write!(f, ", available {}", at.format("%Y-%m-%d"))?;
            }
            writeln!(f)?;
        }
        for verdict in &self.coupons {
            writeln!(f, "code {}: {verdict}", verdict.code)?;
        }
        for redemption in &self.redemptions {
            if let Some(refusal) = &redemption.refused {
                writeln!(
                    f,
                    "redemption with {} refused: {refusal}",
                    redemption.kind.as_str()
                )?;
            }
        }
        Ok(())
    }
}

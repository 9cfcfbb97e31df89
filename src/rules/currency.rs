//! Reading a rule's amounts for one currency: every amount of money a
//! rule states, in one place.
//!
//! A program that serves several currencies is read once per currency.
//! Each amount ([`PerCurrency`]) becomes the plain amount for that
//! currency; a rule with an amount that has none there is left out of that
//! reading, and the first such amount is named (the trace's
//! `currency_mismatch`). A plain amount is in the program's own currency,
//! except 0, which is 0 in every currency. The currencies of a table must
//! be ones the program serves; a number of units has no currency.

use crate::condition::Condition;
use crate::error::{Problem, ProgramError};
use crate::money::{Currency, PerCurrency};
use crate::rules::bounds::{Maximum, Minimum};
use crate::rules::cashback::CashbackDefinition;
use crate::rules::earn::{BonusDefinition, BonusTrigger, Campaign, EarnRuleDefinition};
use crate::rules::ladder::{LadderDefinition, StepDefinition};
use crate::rules::promotion::{PromotionDefinition, Reward};

/// Reads amounts for one currency, and gathers what it finds wrong.
pub(crate) struct Reader<'a> {
    /// The currency read.
    pub(crate) currency: Currency,
    /// The program's own currency: that of a plain amount.
    main: Currency,
    /// Every currency the program serves.
    served: &'a [Currency],
    /// Whether to report tables with currencies the program does not
    /// serve, and tables on numbers of units (once, on the first
    /// reading).
    check: bool,
    /// The first amount of the rule being read that has none in
    /// `currency`.
    missing: Option<String>,
    /// What was refused.
    pub(crate) errors: Vec<ProgramError>,
}

impl<'a> Reader<'a> {
    /// A reader of `currency` in a program whose own currency is `main`,
    /// serving `served`; with `check`, the tables are checked.
    pub(crate) fn new(
        currency: Currency,
        main: Currency,
        served: &'a [Currency],
        check: bool,
    ) -> Reader<'a> {
        Reader {
            currency,
            main,
            served,
            check,
            missing: None,
            errors: Vec::new(),
        }
    }

    /// The amount at `path` + `field`, read for the currency: replaced by
    /// its plain amount there, or noted as missing.
    pub(crate) fn amount(&mut self, path: &str, field: &str, amount: &mut PerCurrency) {
        if self.check {
            for (currency, _) in amount.by_currency() {
                if !self.served.contains(currency) {
                    self.errors.push(ProgramError::new(
                        format!("{path}{field}.{currency}"),
                        Problem::UnlistedCurrency {
                            currency: *currency,
                            served: list(self.served),
                        },
                    ));
                }
            }
        }
        match amount.get(self.currency, self.main) {
            Some(value) => *amount = PerCurrency::new(value),
            // Zero is zero in every currency.
            None if amount.plain().is_some_and(|v| v.is_zero()) => {}
            None => {
                if self.missing.is_none() {
                    self.missing = Some(format!("{path}{field}"));
                }
            }
        }
    }

    /// An optional amount, as [`amount`](Self::amount).
    pub(crate) fn optional(&mut self, path: &str, field: &str, amount: &mut Option<PerCurrency>) {
        if let Some(amount) = amount {
            self.amount(path, field, amount);
        }
    }

    /// A number of units: a plain number, the same in every currency.
    fn count(&mut self, path: &str, field: &str, count: &PerCurrency) {
        if self.check && count.plain().is_none() {
            self.errors.push(ProgramError::new(
                format!("{path}{field}"),
                Problem::CurrencyOnCount,
            ));
        }
    }

    /// The first amount of the rule just read that has none in the
    /// currency, if any; the next rule starts afresh.
    pub(crate) fn take_missing(&mut self) -> Option<String> {
        self.missing.take()
    }
}

/// `EUR, USD`.
pub(crate) fn list(currencies: &[Currency]) -> String {
    currencies
        .iter()
        .map(Currency::code)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The amounts of `steps` (at `path`, e.g. `ladders[0]`): thresholds are
/// numbers of units when `counts_units`.
fn steps(r: &mut Reader<'_>, path: &str, steps: &mut [StepDefinition], counts_units: bool) {
    for (i, step) in steps.iter_mut().enumerate() {
        let at = format!("{path}.steps[{i}]");
        if counts_units {
            r.count(&at, ".from", &step.from);
        } else {
            r.amount(&at, ".from", &mut step.from);
        }
        r.optional(&at, ".amount", &mut step.amount);
        r.optional(&at, ".cap", &mut step.cap);
    }
}

/// The amounts of the subtotal leaves of a condition.
pub(crate) fn condition(r: &mut Reader<'_>, path: &str, condition: &mut Option<Condition>) {
    if let Some(condition) = condition {
        leaves(r, path, condition);
    }
}

fn leaves(r: &mut Reader<'_>, path: &str, condition: &mut Condition) {
    match condition {
        Condition::All(list) | Condition::Any(list) => {
            for c in list {
                leaves(r, path, c);
            }
        }
        Condition::Not(c) => leaves(r, path, c),
        Condition::SubtotalAtLeast(a)
        | Condition::SubtotalBelow(a)
        | Condition::SubtotalAbove(a)
        | Condition::SubtotalAtMost(a) => r.amount(path, "", a),
        _ => {}
    }
}

/// A rule whose amounts a [`Reader`] reads.
pub(crate) trait ReadAmounts {
    /// Reads the rule's amounts; `path` names it (`promotions[2]`).
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str);

    /// The rule's id.
    fn rule_id(&self) -> &str;

    /// The rule's codes (a promotion's).
    fn rule_codes(&self) -> &[String] {
        &[]
    }
}

impl Reward {
    /// Reads the reward's amounts; `path` names the promotion.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        let at = format!("{path}.reward");
        let counts_units = match self {
            Reward::PercentOff { basis, .. } | Reward::AmountOff { basis, .. } => {
                basis.unwrap_or_default().counts_units()
            }
            _ => false,
        };
        match self {
            Reward::PercentOff { cap, steps: s, .. } => {
                r.optional(&at, ".cap", cap);
                steps(r, &at, s, counts_units);
            }
            Reward::AmountOff {
                amount, steps: s, ..
            } => {
                r.optional(&at, ".amount", amount);
                steps(r, &at, s, counts_units);
            }
            Reward::AmountOffEachLine { amount } => r.amount(&at, ".amount", amount),
            Reward::AmountOffEachUnit {
                amount, first_unit, ..
            } => {
                r.amount(&at, ".amount", amount);
                r.optional(&at, ".first_unit", first_unit);
            }
            Reward::BuyXGetY { amount, .. } => r.optional(&at, ".amount", amount),
            Reward::FreeGift { value, .. } => r.amount(&at, ".value", value),
            Reward::PercentOffEachUnit { .. }
            | Reward::FreeShipping
            | Reward::CheapestFree
            | Reward::BonusPoints { .. }
            | Reward::PointsMultiplier { .. } => {}
        }
    }
}

impl ReadAmounts for PromotionDefinition {
    fn rule_id(&self) -> &str {
        &self.id
    }

    fn rule_codes(&self) -> &[String] {
        &self.codes
    }

    /// Reads the promotion's amounts (its reward and steps, its bounds,
    /// its budget, its condition); `path` names it (`promotions[2]`).
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        self.reward.read_amounts(r, path);
        if let Some(min) = &mut self.min_subtotal {
            let (Minimum::AtLeast(a) | Minimum::Above(a)) = min;
            r.amount(path, ".min_subtotal", a);
        }
        if let Some(max) = &mut self.max_subtotal {
            let (Maximum::AtMost(a) | Maximum::Below(a)) = max;
            r.amount(path, ".max_subtotal", a);
        }
        r.optional(path, ".budget", &mut self.budget);
        condition(r, &format!("{path}.condition"), &mut self.condition);
    }
}

impl ReadAmounts for LadderDefinition {
    fn rule_id(&self) -> &str {
        &self.id
    }

    /// Reads the ladder's steps and condition.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        steps(r, path, &mut self.steps, self.basis.counts_units());
        condition(r, &format!("{path}.condition"), &mut self.condition);
    }
}

impl ReadAmounts for EarnRuleDefinition {
    fn rule_id(&self) -> &str {
        &self.id
    }

    /// Reads the rule's `per`, minimum order and condition.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        match &mut self.per {
            Some(per) => r.amount(path, ".per", per),
            // Left out, `per` is 1.00 of the program's currency: a rule on
            // an amount without one in another currency does not apply
            // there (1 point per yen is not 1 point per euro).
            None if self.base.is_amount() => {
                r.amount(
                    path,
                    ".per",
                    &mut PerCurrency::new(rust_decimal::Decimal::ONE),
                );
            }
            None => {}
        }
        r.optional(path, ".min_order", &mut self.min_order);
        condition(r, &format!("{path}.condition"), &mut self.condition);
    }
}

impl ReadAmounts for BonusDefinition {
    fn rule_id(&self) -> &str {
        &self.id
    }

    /// Reads the bonus' order amount and condition.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        if let BonusTrigger::OrderOver(amount) = &mut self.when {
            r.amount(path, ".when.order_over", amount);
        }
        condition(r, &format!("{path}.condition"), &mut self.condition);
    }
}

impl ReadAmounts for Campaign {
    fn rule_id(&self) -> &str {
        &self.id
    }

    /// Reads the campaign's condition.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        leaves(r, &format!("{path}.when"), &mut self.when);
    }
}

impl ReadAmounts for CashbackDefinition {
    fn rule_id(&self) -> &str {
        &self.id
    }

    /// Reads the rule's steps, minimum spend, cap and condition.
    fn read_amounts(&mut self, r: &mut Reader<'_>, path: &str) {
        steps(r, path, &mut self.steps, false);
        r.optional(path, ".min_spend", &mut self.min_spend);
        r.optional(path, ".cap", &mut self.cap);
        condition(r, &format!("{path}.condition"), &mut self.condition);
    }
}

//! Cashback: money back on what the customer paid.
//!
//! A cashback rule gives a percent of the net paid on its lines (after
//! discounts; shipping only when the rule includes it), or a ladder of
//! percents by that spend (whole basket or bracket, as with discount
//! ladders). A tier may have its own percent. The amount is rounded once
//! with the program's rounding mode, capped per order, and never more than
//! the payable amount.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let two_percent: CashbackDefinition = serde_json::from_str(r#"{
//!     "id": "cashback", "percent": "2", "cap": "20.00",
//!     "tiers": [{"tier": "gold", "percent": "5"}]
//! }"#)?;
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR).tier("gold").cashback_rule(two_percent),
//! )?;
//! let rule = &program.cashback()[0];
//! assert_eq!(rule.id(), "cashback");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::{Condition, LineSelector};
use crate::customer::TierId;
use crate::error::{Problem, ProgramError};
use crate::money::PerCurrency;
use crate::rules::RuleId;
use crate::rules::context::RuleContext;
use crate::rules::earn::is_negative;
use crate::rules::ladder::{LadderDefinition, LadderMode, StepDefinition, check_percent};
use crate::rules::{AmountInput, DecimalInput, Unbuilt};

/// A tier's own cashback percent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierRate {
    /// The tier.
    pub tier: TierId,
    /// Its percent.
    pub percent: Decimal,
}

/// A cashback rule as written in a program file: `percent`, or `steps`
/// (`{"from": "100.00", "percent": "2"}`, …) with a `mode`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CashbackDefinition {
    /// The rule's id.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// A flat percent of the net paid.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub percent: Option<Decimal>,
    /// Or percents by spend, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepDefinition>,
    /// Whole basket or bracket, for steps. Default: whole basket.
    #[serde(default)]
    pub mode: LadderMode,
    /// Percents for tiers, replacing `percent` or `steps` for their members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierRate>,
    /// Whether the shipping paid counts. Default: no.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_shipping: bool,
    /// The least net paid for any cashback.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub min_spend: Option<PerCurrency>,
    /// The most cashback per order.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub cap: Option<PerCurrency>,
    /// Which lines count. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// When the rule applies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub condition: Option<Condition>,
    /// The first error of a chain of setters, reported by `Program::new`.
    #[serde(skip)]
    pub(crate) unbuilt: Unbuilt,
}

/// A validated cashback rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cashback {
    /// The definition it was compiled from.
    pub definition: CashbackDefinition,
    rule_id: RuleId,
    ladder: Option<crate::rules::ladder::Ladder>,
}

impl CashbackDefinition {
    /// Cashback of `percent` of the net paid, without cap or minimum.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let two_percent = CashbackDefinition::percent("cb", 2).cap("20.00").min_spend(50);
    /// assert_eq!(two_percent.cap, Some("20.00".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn percent(id: impl Into<String>, percent: impl DecimalInput) -> CashbackDefinition {
        let mut unbuilt = Unbuilt::default();
        let percent = unbuilt.number("percent", percent);
        CashbackDefinition {
            unbuilt,
            id: id.into(),
            name: None,
            percent: Some(percent),
            steps: Vec::new(),
            mode: LadderMode::default(),
            tiers: Vec::new(),
            include_shipping: false,
            min_spend: None,
            cap: None,
            lines: LineSelector::default(),
            condition: None,
        }
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> CashbackDefinition {
        self.name = Some(name.into());
        self
    }

    /// Gives members of `tier` their own percent. A blank tier is reported
    /// by `Program::new`.
    #[must_use]
    pub fn tier_percent(mut self, tier: &str, percent: impl DecimalInput) -> CashbackDefinition {
        let at = format!("tiers[{}]", self.tiers.len());
        let percent = self.unbuilt.number(&format!("{at}.percent"), percent);
        match TierId::new(tier) {
            Ok(tier) => self.tiers.push(TierRate { tier, percent }),
            Err(_) => self
                .unbuilt
                .keep(format!("{at}.tier"), Problem::Blank { what: "tier" }),
        }
        self
    }

    /// Counts the shipping paid.
    #[must_use]
    pub fn include_shipping(mut self) -> CashbackDefinition {
        self.include_shipping = true;
        self
    }

    /// Sets the least net paid for any cashback.
    #[must_use]
    pub fn min_spend(mut self, min_spend: impl AmountInput) -> CashbackDefinition {
        self.min_spend = Some(self.unbuilt.amount("min_spend", min_spend));
        self
    }

    /// Sets the most cashback per order.
    #[must_use]
    pub fn cap(mut self, cap: impl AmountInput) -> CashbackDefinition {
        self.cap = Some(self.unbuilt.amount("cap", cap));
        self
    }

    /// Sets which lines count.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> CashbackDefinition {
        self.lines = lines;
        self
    }

    /// Sets when the rule applies.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> CashbackDefinition {
        self.condition = Some(condition);
        self
    }

    /// Validates the rule against its program: its condition, lines and
    /// tiers, amounts in the program's currency; warns of percents below 1.
    pub(crate) fn validate(
        self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<Cashback, ProgramError> {
        self.unbuilt.check(path)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())?;
        for (t, rate) in self.tiers.iter().enumerate() {
            ctx.tier(format!("{path}.tiers[{t}].tier"), &rate.tier)?;
        }
        for (field, value) in [("min_spend", &self.min_spend), ("cap", &self.cap)] {
            if let Some(v) = value {
                ctx.amount(format!("{path}.{field}"), v.value())?;
            }
        }
        ctx.lines(&format!("{path}.lines"), &self.lines);
        let rule = self.compile(path)?;
        let def = &rule.definition;
        if let Some(percent) = def.percent {
            ctx.percent_warnings(format!("{path}.percent"), percent);
        }
        for (s, step) in def.steps.iter().enumerate() {
            if let Some(percent) = step.percent {
                ctx.percent_warnings(format!("{path}.steps[{s}].percent"), percent);
            }
        }
        for (t, rate) in def.tiers.iter().enumerate() {
            ctx.percent_warnings(format!("{path}.tiers[{t}].percent"), rate.percent);
        }
        Ok(rule)
    }

    /// Validates the rule on its own; `path` names it in errors (`cashback[0]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`]: a blank id, both or neither of `percent` and
    /// `steps`, a percent outside (0, 100], steps not ascending or shrinking,
    /// a negative minimum or cap, a tier listed twice.
    pub(crate) fn compile(self, path: &str) -> Result<Cashback, ProgramError> {
        let err = |sub: &str, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        let Ok(rule_id) = RuleId::new(self.id.as_str()) else {
            return err(".id", Problem::Blank { what: "rule id" });
        };
        let ladder = match (self.percent, self.steps.is_empty()) {
            (Some(percent), true) => {
                check_percent(percent)
                    .map_err(|p| ProgramError::new(format!("{path}.percent"), p))?;
                None
            }
            (None, false) => {
                if self.steps.iter().any(|s| s.amount.is_some()) {
                    return err(".steps", Problem::CashbackStepsNeedPercent);
                }
                let mut ladder = LadderDefinition::new(self.id.as_str());
                ladder.steps = self.steps.clone();
                ladder.mode = self.mode;
                // The ladder's errors name `steps[i]`; put them under this path.
                Some(ladder.compile(path)?)
            }
            (Some(_), false) => return err("", Problem::PercentAndSteps),
            (None, true) => return err("", Problem::NoCashbackRate),
        };
        for (i, t) in self.tiers.iter().enumerate() {
            check_percent(t.percent)
                .map_err(|p| ProgramError::new(format!("{path}.tiers[{i}].percent"), p))?;
            if self.tiers[..i].iter().any(|o| o.tier == t.tier) {
                return err(
                    &format!(".tiers[{i}].tier"),
                    Problem::DuplicateId {
                        id: t.tier.to_string(),
                    },
                );
            }
        }
        if let Some(v) = self
            .min_spend
            .as_ref()
            .map(PerCurrency::value)
            .filter(|v| is_negative(*v))
        {
            return err(
                ".min_spend",
                Problem::Negative {
                    what: "minimum spend",
                    value: v,
                },
            );
        }
        if let Some(v) = self
            .cap
            .as_ref()
            .map(PerCurrency::value)
            .filter(|v| is_negative(*v))
        {
            return err(
                ".cap",
                Problem::Negative {
                    what: "cap",
                    value: v,
                },
            );
        }
        Ok(Cashback {
            definition: self,
            rule_id,
            ladder,
        })
    }
}

impl Cashback {
    /// The rule's id.
    #[must_use]
    pub fn id(&self) -> &str {
        self.rule_id.as_str()
    }

    /// The rule's id, shared.
    #[must_use]
    pub fn rule_id(&self) -> &RuleId {
        &self.rule_id
    }

    /// The unrounded cashback on `base` for a customer of `tier`, and the
    /// percent used (for a ladder in bracket mode, the effective percent).
    /// `None` on overflow.
    #[must_use]
    pub fn raw_for(&self, base: Decimal, tier: Option<&TierId>) -> Option<(Decimal, Decimal)> {
        let tier_rate = tier.and_then(|t| self.definition.tiers.iter().find(|r| &r.tier == t));
        if let Some(rate) = tier_rate {
            let raw = base
                .checked_mul(rate.percent)?
                .checked_div(Decimal::ONE_HUNDRED)?;
            return Some((raw, rate.percent));
        }
        match (&self.ladder, self.definition.percent) {
            (Some(ladder), _) => {
                let raw = ladder.reward_for(base, base)?;
                let percent = if base.is_zero() {
                    Decimal::ZERO
                } else {
                    raw.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(base)?
                };
                Some((raw, percent))
            }
            (None, Some(percent)) => {
                let raw = base
                    .checked_mul(percent)?
                    .checked_div(Decimal::ONE_HUNDRED)?;
                Some((raw, percent))
            }
            (None, None) => Some((Decimal::ZERO, Decimal::ZERO)),
        }
    }
}

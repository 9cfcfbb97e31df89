//! Progressive discount ladders: "5% from 100, 10% from 200, 15% from 300".
//!
//! A ladder measures a basis (the subtotal or the quantity of its selected
//! lines), finds the highest step reached, and gives that step's reward:
//!
//! - **whole basket**: the step's percent (or fixed amount) applies to the
//!   whole eligible amount;
//! - **bracket**: each step's percent applies only to the part of the amount
//!   inside its bracket, like income-tax bands.
//!
//! Thresholds are inclusive by default (100.00 reaches "from 100"); a ladder
//! may make them exclusive (only above 100.00).
//!
//! # Example
//!
//! ```
//! use loyalty::rules::ladder::LadderDefinition;
//! use rust_decimal::Decimal;
//!
//! let seeds: LadderDefinition = serde_json::from_str(r#"{
//!     "id": "spend-more-save-more",
//!     "steps": [
//!         {"from": "100.00", "percent": "5"},
//!         {"from": "200.00", "percent": "10"},
//!         {"from": "300.00", "percent": "15"}
//!     ]
//! }"#)?;
//! let program = loyalty::Program::new(
//!     loyalty::ProgramDefinition::new("shop", loyalty::money::Currency::EUR).ladder(seeds),
//! )?;
//! let ladder = &program.ladders()[0];
//! let at = |s: &str| ladder.reward_for(s.parse().unwrap(), s.parse().unwrap()).unwrap();
//! assert_eq!(at("99.99"), Decimal::ZERO);
//! assert_eq!(at("100.00"), "5.0000".parse::<Decimal>()?);
//! assert_eq!(at("250.00"), "25.0000".parse::<Decimal>()?);
//! assert_eq!(at("300.00"), "45.0000".parse::<Decimal>()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::{Condition, LineSelector};
use crate::error::{Problem, ProgramError};
use crate::money::PerCurrency;
use crate::percent::{Percent, PercentError};
use crate::rules::context::RuleContext;
use crate::rules::{AmountInput, DecimalInput, RuleId, Stacking, Unbuilt};

/// What a ladder measures to find its step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LadderBasis {
    /// The amount of the selected lines. The default.
    #[default]
    Subtotal,
    /// The number of units on the selected lines.
    Quantity,
    /// Each selected line's own amount: every line reaches its own step,
    /// and its reward comes off that line, rounded per line (Solidus'
    /// `TieredFlatRate`). The order stands where its best line stands.
    LineAmount,
    /// Each selected line's own number of units, like
    /// [`LineAmount`](Self::LineAmount).
    LineQuantity,
    /// The shipping charge (before or after earlier shipping discounts, as
    /// `measure` says). Only for a discount on the shipping: a promotion
    /// whose reward has target `shipping` or `items_and_shipping`.
    Shipping,
}

impl LadderBasis {
    /// Whether it counts units rather than an amount.
    #[must_use]
    pub fn counts_units(self) -> bool {
        matches!(self, LadderBasis::Quantity | LadderBasis::LineQuantity)
    }

    /// Whether each line is measured and discounted on its own.
    #[must_use]
    pub fn per_line(self) -> bool {
        matches!(self, LadderBasis::LineAmount | LadderBasis::LineQuantity)
    }
}

/// Whether the basis is measured before or after the discounts applied
/// before this ladder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// On the lines' gross amounts. The default.
    #[default]
    BeforeDiscounts,
    /// On the lines' net after the discounts applied earlier in the
    /// evaluation.
    AfterDiscounts,
}

/// Whether a step is reached exactly at its threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Thresholds {
    /// "From 100": 100.00 reaches the step. The default.
    #[default]
    Inclusive,
    /// "Above 100": only more than 100.00 reaches the step.
    Exclusive,
}

/// How a reached step's reward applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LadderMode {
    /// The highest step reached applies to the whole eligible amount. The
    /// default.
    #[default]
    WholeBasket,
    /// Each step's percent applies to the part of the amount inside its
    /// bracket. Needs percent steps on a subtotal basis.
    Bracket,
}

/// One step of a ladder as written in a program file:
/// `{"from": "200.00", "percent": "10"}`, `{"from": "200.00", "percent": "10", "cap": "25.00"}`
/// or `{"from": "3", "amount": "5.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StepDefinition {
    /// The threshold: an amount (or one per currency), or a number of
    /// units on a quantity basis.
    pub from: PerCurrency,
    /// A percent off the eligible amount (0 < percent ≤ 100).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub percent: Option<Decimal>,
    /// A fixed amount off (or one per currency).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub amount: Option<PerCurrency>,
    /// The most a percent step gives (or one per currency).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub cap: Option<PerCurrency>,
}

impl StepDefinition {
    /// A step from a setter's inputs; text that is not a number is kept in
    /// `unbuilt` under `at`.
    pub(crate) fn build(
        unbuilt: &mut Unbuilt,
        at: &str,
        from: impl AmountInput,
        percent: Option<Result<Decimal, String>>,
        amount: Option<Result<PerCurrency, String>>,
        cap: Option<Result<PerCurrency, String>>,
    ) -> StepDefinition {
        let from = unbuilt.amount(&format!("{at}.from"), from);
        let mut keep = |field: &str, text: String| {
            unbuilt.keep(format!("{at}.{field}"), Problem::NotANumber { text });
        };
        let percent = percent.map(|v| {
            v.unwrap_or_else(|text| {
                keep("percent", text);
                Decimal::ZERO
            })
        });
        let mut amount_of = |field: &str, value: Option<Result<PerCurrency, String>>| {
            value.map(|v| {
                v.unwrap_or_else(|text| {
                    keep(field, text);
                    PerCurrency::new(Decimal::ZERO)
                })
            })
        };
        StepDefinition {
            from,
            percent,
            amount: amount_of("amount", amount),
            cap: amount_of("cap", cap),
        }
    }
}

/// A progressive discount ladder as written in a program file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LadderDefinition {
    /// The ladder's id, used in traces and idempotency keys.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// What is measured. Default: subtotal.
    #[serde(default)]
    pub basis: LadderBasis,
    /// Before or after earlier discounts. Default: before.
    #[serde(default)]
    pub measure: Measure,
    /// Inclusive or exclusive thresholds. Default: inclusive.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Whole basket or bracket. Default: whole basket.
    #[serde(default)]
    pub mode: LadderMode,
    /// The steps, in ascending order of threshold.
    pub steps: Vec<StepDefinition>,
    /// Which lines count and receive the discount. Default: every
    /// non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// When the ladder applies at all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub condition: Option<Condition>,
    /// How it combines with other discounts. Default: stackable.
    #[serde(default)]
    pub stacking: Stacking,
    /// Higher goes first when the program picks by priority.
    #[serde(default)]
    pub priority: i32,
    /// The first error of a chain of setters, reported by `Program::new`.
    #[serde(skip)]
    pub(crate) unbuilt: Unbuilt,
}

/// A step's reward, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepReward {
    /// A percent off, with an optional cap.
    Percent {
        /// 0 < percent ≤ 100.
        percent: Decimal,
        /// The most the step gives.
        cap: Option<Decimal>,
    },
    /// A fixed amount off.
    Amount {
        /// The amount.
        amount: Decimal,
    },
}

/// A validated step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The threshold.
    pub from: Decimal,
    /// The reward.
    pub reward: StepReward,
}

/// A validated ladder, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    /// The definition it was compiled from.
    pub definition: LadderDefinition,
    rule_id: RuleId,
    table: StepTable,
}

/// Where a basis stands on a ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The index of the highest step reached, if any.
    pub step: Option<usize>,
    /// The next step and what is missing to reach it, if there is one.
    pub next: Option<NextStep>,
}

/// The next step of a ladder and the distance to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    /// The index of the next step (0 for the first; see
    /// [`step_number`](Self::step_number)).
    pub step: usize,
    /// Its threshold.
    pub from: Decimal,
    /// How much more spend (or how many more units) reaches it. With
    /// exclusive thresholds, the smallest increment that passes it: one
    /// minor unit (or one unit) above the threshold.
    pub missing: Decimal,
}

impl NextStep {
    /// The next step counted from 1, as the sentences count ("reaches step 3").
    #[must_use]
    pub fn step_number(&self) -> usize {
        self.step + 1
    }
}

impl LadderDefinition {
    /// An empty whole-basket ladder on the subtotal, inclusive thresholds;
    /// add steps with [`percent_from`](Self::percent_from) or
    /// [`amount_from`](Self::amount_from).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::ladder::Thresholds;
    ///
    /// let seeds = LadderDefinition::new("spend-more")
    ///     .percent_from("100.00", "5")
    ///     .percent_from("200.00", "10")
    ///     .percent_from_capped("300.00", "15", "60.00")
    ///     .thresholds(Thresholds::Exclusive)
    ///     .priority(10);
    /// assert_eq!(seeds.steps.len(), 3);
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>) -> LadderDefinition {
        LadderDefinition {
            id: id.into(),
            name: None,
            basis: LadderBasis::default(),
            measure: Measure::default(),
            thresholds: Thresholds::default(),
            mode: LadderMode::default(),
            steps: Vec::new(),
            lines: LineSelector::default(),
            condition: None,
            stacking: Stacking::default(),
            priority: 0,
            unbuilt: Unbuilt::default(),
        }
    }

    fn step(
        mut self,
        from: impl AmountInput,
        percent: Option<Result<Decimal, String>>,
        amount: Option<Result<PerCurrency, String>>,
        cap: Option<Result<PerCurrency, String>>,
    ) -> LadderDefinition {
        let at = format!("steps[{}]", self.steps.len());
        let step = StepDefinition::build(&mut self.unbuilt, &at, from, percent, amount, cap);
        self.steps.push(step);
        self
    }

    /// Adds a step giving `percent` off from `threshold`.
    #[must_use]
    pub fn percent_from(
        self,
        threshold: impl AmountInput,
        percent: impl DecimalInput,
    ) -> LadderDefinition {
        self.step(threshold, Some(percent.into_decimal()), None, None)
    }

    /// Adds a step giving `percent` off from `threshold`, at most `cap`.
    #[must_use]
    pub fn percent_from_capped(
        self,
        threshold: impl AmountInput,
        percent: impl DecimalInput,
        cap: impl AmountInput,
    ) -> LadderDefinition {
        self.step(
            threshold,
            Some(percent.into_decimal()),
            None,
            Some(cap.into_amount()),
        )
    }

    /// Adds a step giving `amount` off from `threshold`.
    #[must_use]
    pub fn amount_from(
        self,
        threshold: impl AmountInput,
        amount: impl AmountInput,
    ) -> LadderDefinition {
        self.step(threshold, None, Some(amount.into_amount()), None)
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> LadderDefinition {
        self.name = Some(name.into());
        self
    }

    /// Sets what is measured (subtotal or quantity).
    #[must_use]
    pub fn basis(mut self, basis: LadderBasis) -> LadderDefinition {
        self.basis = basis;
        self
    }

    /// Sets whether the basis is measured before or after earlier discounts.
    #[must_use]
    pub fn measure(mut self, measure: Measure) -> LadderDefinition {
        self.measure = measure;
        self
    }

    /// Sets inclusive or exclusive thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Thresholds) -> LadderDefinition {
        self.thresholds = thresholds;
        self
    }

    /// Sets whole-basket or bracket mode.
    #[must_use]
    pub fn mode(mut self, mode: LadderMode) -> LadderDefinition {
        self.mode = mode;
        self
    }

    /// Sets which lines count and receive the discount.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> LadderDefinition {
        self.lines = lines;
        self
    }

    /// Sets when the ladder applies at all.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> LadderDefinition {
        self.condition = Some(condition);
        self
    }

    /// Sets how it combines with other discounts.
    #[must_use]
    pub fn stacking(mut self, stacking: Stacking) -> LadderDefinition {
        self.stacking = stacking;
        self
    }

    /// Sets the priority (higher goes first when the program picks by
    /// priority).
    #[must_use]
    pub fn priority(mut self, priority: i32) -> LadderDefinition {
        self.priority = priority;
        self
    }

    /// Validates the ladder against its program: its lines and condition,
    /// its steps, and amounts in the program's currency; warns of percents
    /// below 1.
    pub(crate) fn validate(
        self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<Ladder, ProgramError> {
        self.unbuilt.check(path)?;
        ctx.discount_lines(&format!("{path}.lines"), &self.lines)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())?;
        let ladder = self.compile(path)?;
        ladder.table.validate_amounts(path, ctx)?;
        Ok(ladder)
    }

    /// Validates the definition on its own; `path` names it in errors (`ladders[0]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] naming the step and the fix: no steps, thresholds
    /// not ascending, a percent outside (0, 100], a negative amount or cap,
    /// a step with both or neither of percent and amount, a mix of percent
    /// and amount steps, rewards that shrink from one step to the next, a
    /// fractional threshold on a quantity basis, or bracket mode with
    /// amounts or on quantity.
    pub(crate) fn compile(self, path: &str) -> Result<Ladder, ProgramError> {
        if self.id.trim().is_empty() {
            return Err(ProgramError::new(
                format!("{path}.id"),
                Problem::Blank { what: "ladder id" },
            ));
        }
        if self.basis == LadderBasis::Shipping {
            // A ladder discounts its lines.
            return Err(ProgramError::new(
                format!("{path}.basis"),
                Problem::ShippingBasisOffItems,
            ));
        }
        let table = StepTable::compile(
            path,
            StepOptions {
                basis: self.basis,
                measure: self.measure,
                thresholds: self.thresholds,
                mode: self.mode,
            },
            &self.steps,
        )?;
        Ok(Ladder {
            rule_id: RuleId::new(self.id.as_str()).map_err(|_| {
                ProgramError::new(format!("{path}.id"), Problem::Blank { what: "ladder id" })
            })?,
            definition: self,
            table,
        })
    }
}

/// How a step table measures and applies its steps: what it measures,
/// before or after earlier discounts, inclusive or exclusive thresholds,
/// whole basket or bracket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StepOptions {
    /// What is measured.
    pub basis: LadderBasis,
    /// Before or after earlier discounts.
    pub measure: Measure,
    /// Inclusive or exclusive thresholds.
    pub thresholds: Thresholds,
    /// Whole basket or bracket.
    pub mode: LadderMode,
}

/// A validated table of steps: thresholds ascending, rewards that never
/// shrink, all percents or all amounts. The part of a ladder, or of a
/// promotion's percent or amount off, that says which step a basis reaches
/// and what it gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepTable {
    options: StepOptions,
    steps: Vec<Step>,
}

impl StepTable {
    /// Validates `steps` under `options`; `path` is where the steps are
    /// written (`ladders[0]`, `promotions[2].reward`): errors name
    /// `{path}.steps[i]` and `{path}.mode`.
    pub(crate) fn compile(
        path: &str,
        options: StepOptions,
        definitions: &[StepDefinition],
    ) -> Result<StepTable, ProgramError> {
        let err = |sub: String, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        if definitions.is_empty() {
            return err(".steps".into(), Problem::NoSteps);
        }
        let mut steps: Vec<Step> = Vec::with_capacity(definitions.len());
        for (i, def) in definitions.iter().enumerate() {
            let here = format!(".steps[{i}]");
            let from = def.from.value();
            let (amount, cap) = (
                def.amount.as_ref().map(PerCurrency::value),
                def.cap.as_ref().map(PerCurrency::value),
            );
            if from.is_sign_negative() && !from.is_zero() {
                return err(
                    here,
                    Problem::Negative {
                        what: "threshold",
                        value: from,
                    },
                );
            }
            if options.basis.counts_units() && !from.fract().is_zero() {
                return err(here, Problem::FractionalQuantity { value: from });
            }
            if let Some(previous) = steps.last()
                && from <= previous.from
            {
                return err(
                    here,
                    Problem::ThresholdNotAscending {
                        threshold: from,
                        previous: previous.from,
                    },
                );
            }
            let reward = match (def.percent, amount) {
                (Some(percent), None) => {
                    check_percent(percent)
                        .map_err(|p| ProgramError::new(format!("{path}{here}.percent"), p))?;
                    if let Some(cap) = cap
                        && cap.is_sign_negative()
                        && !cap.is_zero()
                    {
                        return err(
                            format!("{here}.cap"),
                            Problem::Negative {
                                what: "cap",
                                value: cap,
                            },
                        );
                    }
                    StepReward::Percent { percent, cap }
                }
                (None, Some(amount)) => {
                    if amount.is_sign_negative() || amount.is_zero() {
                        return err(
                            format!("{here}.amount"),
                            Problem::NotPositive {
                                what: "amount",
                                value: amount,
                            },
                        );
                    }
                    if cap.is_some() {
                        return err(format!("{here}.cap"), Problem::CapOnAmount);
                    }
                    StepReward::Amount { amount }
                }
                (Some(_), Some(_)) => return err(here, Problem::PercentAndAmount),
                (None, None) => return err(here, Problem::NoReward),
            };
            if let Some(previous) = steps.last() {
                check_growing(&previous.reward, &reward)
                    .map_err(|p| ProgramError::new(format!("{path}{here}"), p))?;
            }
            steps.push(Step { from, reward });
        }
        if options.mode == LadderMode::Bracket {
            if options.basis.counts_units() || options.basis == LadderBasis::Shipping {
                return err(".mode".into(), Problem::BracketNeedsSubtotal);
            }
            if steps
                .iter()
                .any(|s| matches!(s.reward, StepReward::Amount { .. }))
            {
                return err(".mode".into(), Problem::BracketNeedsPercent);
            }
        }
        Ok(StepTable { options, steps })
    }

    /// Checks the table's amounts against the program (thresholds of a
    /// subtotal basis, amounts and caps in whole minor units) and warns of
    /// percents below 1; `path` as for [`compile`](Self::compile).
    pub(crate) fn validate_amounts(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<(), ProgramError> {
        for (s, step) in self.steps.iter().enumerate() {
            if !self.options.basis.counts_units() {
                ctx.amount(format!("{path}.steps[{s}].from"), step.from)?;
            }
            match step.reward {
                StepReward::Amount { amount } => {
                    ctx.amount(format!("{path}.steps[{s}].amount"), amount)?;
                }
                StepReward::Percent { percent, cap } => {
                    if let Some(cap) = cap {
                        ctx.amount(format!("{path}.steps[{s}].cap"), cap)?;
                    }
                    ctx.percent_warnings(format!("{path}.steps[{s}].percent"), percent);
                }
            }
        }
        Ok(())
    }

    /// The validated steps, ascending.
    #[inline]
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// How the table measures and applies its steps.
    #[must_use]
    pub fn options(&self) -> StepOptions {
        self.options
    }

    /// What the table measures.
    #[inline]
    #[must_use]
    pub fn basis(&self) -> LadderBasis {
        self.options.basis
    }

    /// Before or after earlier discounts.
    #[inline]
    #[must_use]
    pub fn measure(&self) -> Measure {
        self.options.measure
    }

    /// Whole basket or bracket.
    #[inline]
    #[must_use]
    pub fn mode(&self) -> LadderMode {
        self.options.mode
    }

    #[inline]
    fn reaches(&self, basis: Decimal, from: Decimal) -> bool {
        match self.options.thresholds {
            Thresholds::Inclusive => basis >= from,
            Thresholds::Exclusive => basis > from,
        }
    }

    /// Where `basis` stands: the highest step reached and what is missing
    /// to the next. `smallest_increment` is the currency's minor unit (or 1
    /// on a quantity basis), used for exclusive thresholds.
    #[inline]
    #[must_use]
    pub fn standing(&self, basis: Decimal, smallest_increment: Decimal) -> Standing {
        let reached = self.steps.iter().rposition(|s| self.reaches(basis, s.from));
        let next_index = reached.map_or(0, |i| i + 1);
        let next = self.steps.get(next_index).map(|s| {
            let target = match self.options.thresholds {
                Thresholds::Inclusive => s.from,
                Thresholds::Exclusive => s.from.checked_add(smallest_increment).unwrap_or(s.from),
            };
            NextStep {
                step: next_index,
                from: s.from,
                missing: target
                    .checked_sub(basis)
                    .unwrap_or(Decimal::ZERO)
                    .max(Decimal::ZERO),
            }
        });
        Standing {
            step: reached,
            next,
        }
    }

    /// The unrounded reward of step `reached` (an index into the steps) on
    /// `amount`, for a whole-basket table whose standing is already known.
    /// `None` on overflow or for an index past the steps.
    #[inline]
    pub(crate) fn reward_at(&self, reached: usize, amount: Decimal) -> Option<Decimal> {
        Some(match self.steps.get(reached)?.reward {
            StepReward::Percent { percent, cap } => {
                let raw = amount
                    .checked_mul(percent)?
                    .checked_div(Decimal::ONE_HUNDRED)?;
                cap.map_or(raw, |c| raw.min(c))
            }
            StepReward::Amount { amount: off } => off,
        })
    }

    /// The unrounded reward for a basis, applied to `amount` (the eligible
    /// amount the discount comes off). Zero when no step is reached.
    ///
    /// In bracket mode the basis and the amount are the same subtotal; the
    /// part of it inside each reached step's bracket gets that step's
    /// percent. Returns `None` on overflow.
    #[inline]
    #[must_use]
    pub fn reward_for(&self, basis: Decimal, amount: Decimal) -> Option<Decimal> {
        let Some(reached) = self.steps.iter().rposition(|s| self.reaches(basis, s.from)) else {
            return Some(Decimal::ZERO);
        };
        match self.options.mode {
            LadderMode::WholeBasket => self.reward_at(reached, amount),
            LadderMode::Bracket => {
                let mut total = Decimal::ZERO;
                for (i, step) in self.steps[..=reached].iter().enumerate() {
                    let top = self
                        .steps
                        .get(i + 1)
                        .map_or(amount, |next| next.from.min(amount));
                    let inside = top.checked_sub(step.from)?.max(Decimal::ZERO);
                    if let StepReward::Percent { percent, cap } = step.reward {
                        let part = inside
                            .checked_mul(percent)?
                            .checked_div(Decimal::ONE_HUNDRED)?;
                        total = total.checked_add(cap.map_or(part, |c| part.min(c)))?;
                    }
                }
                Some(total)
            }
        }
    }
}

/// A percent of a program: in (0, 100], at most four decimals.
pub(crate) fn check_percent(percent: Decimal) -> Result<Percent, Problem> {
    Percent::new(percent).map_err(|e| match e {
        PercentError::TooPrecise { value } => Problem::PercentTooPrecise { value },
        _ => Problem::PercentOutOfRange { value: percent },
    })
}

fn check_growing(previous: &StepReward, next: &StepReward) -> Result<(), Problem> {
    match (previous, next) {
        (
            StepReward::Percent {
                percent: p0,
                cap: c0,
            },
            StepReward::Percent {
                percent: p1,
                cap: c1,
            },
        ) => {
            if p1 < p0 {
                return Err(Problem::RewardShrinks {
                    previous: *p0,
                    next: *p1,
                });
            }
            match (c0, c1) {
                (None, Some(cap)) => Err(Problem::CapShrinks {
                    previous: None,
                    next: *cap,
                }),
                (Some(c0), Some(c1)) if c1 < c0 => Err(Problem::CapShrinks {
                    previous: Some(*c0),
                    next: *c1,
                }),
                _ => Ok(()),
            }
        }
        (StepReward::Amount { amount: a0 }, StepReward::Amount { amount: a1 }) => {
            if a1 < a0 {
                Err(Problem::RewardShrinks {
                    previous: *a0,
                    next: *a1,
                })
            } else {
                Ok(())
            }
        }
        _ => Err(Problem::MixedRewards),
    }
}

impl Ladder {
    /// The validated steps, ascending.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        self.table.steps()
    }

    /// The validated step table.
    #[must_use]
    pub fn table(&self) -> &StepTable {
        &self.table
    }

    /// The ladder's id.
    #[must_use]
    pub fn id(&self) -> &str {
        self.rule_id.as_str()
    }

    /// The ladder's id, shared.
    #[must_use]
    pub fn rule_id(&self) -> &RuleId {
        &self.rule_id
    }

    /// Where `basis` stands: the highest step reached and what is missing
    /// to the next. `smallest_increment` is the currency's minor unit (or 1
    /// on a quantity basis), used for exclusive thresholds.
    #[must_use]
    pub fn standing(&self, basis: Decimal, smallest_increment: Decimal) -> Standing {
        self.table.standing(basis, smallest_increment)
    }

    /// The unrounded reward for a basis, applied to `amount` (the eligible
    /// amount the discount comes off). Zero when no step is reached.
    ///
    /// In bracket mode the basis and the amount are the same subtotal; the
    /// part of it inside each reached step's bracket gets that step's
    /// percent. Returns `None` on overflow.
    #[must_use]
    pub fn reward_for(&self, basis: Decimal, amount: Decimal) -> Option<Decimal> {
        self.table.reward_for(basis, amount)
    }
}

//! Points: earning rules, multipliers and bonuses.
//!
//! An **earning rule** turns a base into points: the lines' net after
//! discounts (the default), their gross, their units, the lines themselves
//! (once each, whatever the quantity), or the order itself, at a rate ("1
//! point per 1.00", "10 points per unit", "5 points per line"). An amount
//! base may count the shipping paid too (`include_shipping`), and a net base
//! may deduct every discount on its lines (the default) or only those that
//! target particular lines (`net_of`). Each rule rounds its own points
//! (floor by default), may need a minimum order, may be capped per order,
//! and may stop the rules after it when it fires. The rules that match add
//! up.
//!
//! **Multipliers** scale what the rules earn: by the customer's tier (gold
//! 1.5×), by line (a category or sku), and by campaign (a date window, a
//! seasonal event, the customer's birthday: any [`Condition`]). The program
//! says how several combine: they multiply, their extra parts add (2× and 3×
//! give 4×), or the largest wins. Campaigns and line multipliers apply in
//! the order they are listed; one with `stop` ends the multipliers of its
//! list after it (campaigns for the order, line multipliers on the lines it
//! applies to).
//!
//! **Bonuses** are fixed points for the order as a whole: the first order,
//! the Nth order (the 5th, the 50th), the birthday month, an order over an
//! amount. They are never multiplied.
//!
//! Shipping earns only for a rule that sets `include_shipping` (its points
//! are attributed to shipping, not to a line); exempt lines (gift cards)
//! earn only for a rule whose line selector sets `include_exempt`.
//!
//! # Example
//!
//! ```
//! use loyalty::rules::earn::EarnRuleDefinition;
//!
//! let one_per_euro: EarnRuleDefinition = serde_json::from_str(r#"{
//!     "id": "base", "points": "1", "per": "1.00"
//! }"#)?;
//! let program = loyalty::Program::new(
//!     loyalty::ProgramDefinition::new("shop", loyalty::money::Currency::EUR)
//!         .earning_rule(one_per_euro),
//! )?;
//! let rule = &program.earning()[0];
//! assert_eq!(rule.id(), "base");
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
use crate::rules::{AmountInput, DecimalInput, Unbuilt};

/// What an earning rule counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EarnBase {
    /// The selected lines' net after discounts. The default.
    #[default]
    Net,
    /// The selected lines' gross, before discounts.
    Gross,
    /// The units on the selected lines.
    PerUnit,
    /// The order as a whole: a fixed number of points per order.
    PerOrder,
    /// Each selected line once, whatever its quantity: `points` per line
    /// (a line of 3 mugs earns as much as a line of 1). As for `per_unit`,
    /// a line with nothing to pay earns nothing unless the rule sets
    /// `earn_on_free_lines`.
    PerLine,
}

impl EarnBase {
    /// Whether the base is an amount of money (`net`, `gross`), the only
    /// bases that take `per` and `include_shipping`.
    #[must_use]
    pub fn is_amount(self) -> bool {
        matches!(self, EarnBase::Net | EarnBase::Gross)
    }
}

/// Which discounts a `net` base deducts from the lines it counts.
///
/// A discount on the whole order (a percent or amount off, a ladder or a
/// tier discount without a line selector) is spread over every line, so
/// each line carries a share of it. `all_discounts` deducts those shares
/// too; `targeted_discounts` deducts only the discounts that target
/// particular lines: line-level rewards (cheapest free, buy X get Y, amount
/// off each unit) and promotions with a line selector, on the lines they
/// fall on.
///
/// Payments with points or cashback are not discounts: they are deducted
/// (or counted back) by the program's redemption settings either way.
///
/// # Example
///
/// ```
/// use loyalty::rules::earn::{EarnRuleDefinition, NetOf};
///
/// // Odoo-like: a rule on coffee earns on the coffee lines' own price,
/// // after a "20% off coffee" coupon but not after "10% off the order".
/// let coffee: EarnRuleDefinition = serde_json::from_str(r#"{
///     "id": "coffee", "points": "2", "lines": {"categories": ["coffee"]},
///     "net_of": "targeted_discounts"
/// }"#)?;
/// assert_eq!(coffee.net_of, NetOf::TargetedDiscounts);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NetOf {
    /// Every discount allocated to the lines, their share of discounts on
    /// the whole order included. The default.
    #[default]
    AllDiscounts,
    /// Only discounts that target particular lines (line-level rewards,
    /// promotions with a line selector); a share of a discount on the whole
    /// order is not deducted.
    TargetedDiscounts,
}

impl NetOf {
    /// Whether it is the default, `all_discounts`.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == NetOf::AllDiscounts
    }
}

/// How an earning rule rounds its points.
///
/// Serialised as `"floor"`, `"round"`, `"ceil"`, or `{"decimals": 2}` to
/// keep fractional points (rounded toward zero at that many decimals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PointsRounding {
    /// Down to a whole point. The default.
    #[default]
    Floor,
    /// To the nearest whole point, halves up.
    Round,
    /// Up to a whole point.
    Ceil,
    /// Fractional points kept to this many decimals (at most 8), the rest
    /// dropped.
    Decimals(u32),
}

impl PointsRounding {
    /// Rounds non-negative `points`.
    #[must_use]
    pub fn apply(self, points: Decimal) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        match self {
            PointsRounding::Floor => points.round_dp_with_strategy(0, S::ToNegativeInfinity),
            PointsRounding::Round => points.round_dp_with_strategy(0, S::MidpointAwayFromZero),
            PointsRounding::Ceil => points.round_dp_with_strategy(0, S::ToPositiveInfinity),
            PointsRounding::Decimals(n) => points.round_dp_with_strategy(n, S::ToZero),
        }
    }

    /// The decimals kept: 0 for whole points.
    #[must_use]
    pub fn decimals(self) -> u32 {
        match self {
            PointsRounding::Decimals(n) => n,
            _ => 0,
        }
    }
}

/// An earning rule as written in a program file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EarnRuleDefinition {
    /// The rule's id, used in traces and idempotency keys.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// What it counts. Default: the net after discounts.
    #[serde(default)]
    pub base: EarnBase,
    /// Points given per `per` of the base (per unit, per line, or per
    /// order).
    pub points: Decimal,
    /// The amount of base that earns `points` (default 1.00); only for the
    /// net and gross bases.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub per: Option<PerCurrency>,
    /// Which lines earn. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// Whether the shipping counts in the base: the shipping paid (net of
    /// shipping discounts) for a `net` base, the shipping charged for a
    /// `gross` one. Only for those bases. Default: no, shipping never
    /// earns. The points it earns are attributed to shipping, not to a
    /// line, and are taken back when the shipping is refunded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_shipping: bool,
    /// Which discounts a `net` base deducts: every discount on its lines
    /// (the default), or only those that target particular lines. Only for
    /// the `net` base.
    #[serde(default, skip_serializing_if = "NetOf::is_default")]
    pub net_of: NetOf,
    /// When the rule applies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub condition: Option<Condition>,
    /// How its points are rounded. Default: floor.
    #[serde(default)]
    pub rounding: PointsRounding,
    /// The least order subtotal (non-exempt lines, before discounts) for the
    /// rule to apply.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub min_order: Option<PerCurrency>,
    /// The most points the rule gives per order.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub cap: Option<Decimal>,
    /// When the rule gives points, the rules after it are skipped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
    /// Whether the program's multipliers apply to this rule (default yes).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub multipliers: bool,
    /// Whether a `per_unit` or `per_line` rule counts lines with nothing to
    /// pay (a zero price, or discounted to zero). By default they earn
    /// nothing, so that a free basket earns no points.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub earn_on_free_lines: bool,
    /// The first error of a chain of setters, reported by `Program::new`.
    #[serde(skip)]
    pub(crate) unbuilt: Unbuilt,
}

fn yes() -> bool {
    true
}

/// A validated earning rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarnRule {
    /// The definition it was compiled from.
    pub definition: EarnRuleDefinition,
    rule_id: RuleId,
    /// The amount of base that earns `points` (1 when not given).
    per: Decimal,
}

impl EarnRuleDefinition {
    /// An earning rule giving `points` per `per` of the net, floored.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::earn::PointsRounding;
    ///
    /// let one_per_euro = EarnRuleDefinition::new("base", 1, "1.00")
    ///     .rounding(PointsRounding::Round)
    ///     .cap(500);
    /// assert_eq!(one_per_euro.cap, Some(Decimal::from(500)));
    /// ```
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        points: impl DecimalInput,
        per: impl AmountInput,
    ) -> EarnRuleDefinition {
        let mut unbuilt = Unbuilt::default();
        let points = unbuilt.number("points", points);
        let per = unbuilt.amount("per", per);
        EarnRuleDefinition {
            unbuilt,
            id: id.into(),
            name: None,
            base: EarnBase::Net,
            points,
            per: Some(per),
            lines: LineSelector::default(),
            include_shipping: false,
            net_of: NetOf::AllDiscounts,
            condition: None,
            rounding: PointsRounding::Floor,
            min_order: None,
            cap: None,
            stop: false,
            multipliers: true,
            earn_on_free_lines: false,
        }
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> EarnRuleDefinition {
        self.name = Some(name.into());
        self
    }

    /// Sets what it counts; `per` is kept only for the net and gross bases.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::earn::EarnBase;
    ///
    /// // 5 points for each line of the order, whatever its quantity.
    /// let per_line = EarnRuleDefinition::new("lines", 5, 1).base(EarnBase::PerLine);
    /// assert_eq!(per_line.per, None);
    /// ```
    #[must_use]
    pub fn base(mut self, base: EarnBase) -> EarnRuleDefinition {
        self.base = base;
        if !base.is_amount() {
            self.per = None;
        }
        self
    }

    /// Counts the shipping in the base (only for the net and gross bases).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let with_shipping = EarnRuleDefinition::new("base", 1, "1.00").include_shipping();
    /// assert!(with_shipping.include_shipping);
    /// ```
    #[must_use]
    pub fn include_shipping(mut self) -> EarnRuleDefinition {
        self.include_shipping = true;
        self
    }

    /// Sets which discounts a `net` base deducts.
    #[must_use]
    pub fn net_of(mut self, net_of: NetOf) -> EarnRuleDefinition {
        self.net_of = net_of;
        self
    }

    /// Sets which lines earn.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> EarnRuleDefinition {
        self.lines = lines;
        self
    }

    /// Sets when the rule applies.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> EarnRuleDefinition {
        self.condition = Some(condition);
        self
    }

    /// Sets how its points are rounded.
    #[must_use]
    pub fn rounding(mut self, rounding: PointsRounding) -> EarnRuleDefinition {
        self.rounding = rounding;
        self
    }

    /// Sets the least order subtotal for the rule to apply.
    #[must_use]
    pub fn min_order(mut self, min_order: impl AmountInput) -> EarnRuleDefinition {
        self.min_order = Some(self.unbuilt.amount("min_order", min_order));
        self
    }

    /// Sets the most points the rule gives per order.
    #[must_use]
    pub fn cap(mut self, cap: impl DecimalInput) -> EarnRuleDefinition {
        self.cap = Some(self.unbuilt.number("cap", cap));
        self
    }

    /// Skips the rules after this one when it gives points.
    #[must_use]
    pub fn stop(mut self) -> EarnRuleDefinition {
        self.stop = true;
        self
    }

    /// Lets a `per_unit` or `per_line` rule count lines with nothing to pay.
    #[must_use]
    pub fn earn_on_free_lines(mut self) -> EarnRuleDefinition {
        self.earn_on_free_lines = true;
        self
    }

    /// Keeps the program's multipliers off this rule.
    #[must_use]
    pub fn without_multipliers(mut self) -> EarnRuleDefinition {
        self.multipliers = false;
        self
    }

    /// Validates the rule against its program: its condition and lines,
    /// amounts in the program's currency.
    pub(crate) fn validate(
        self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<EarnRule, ProgramError> {
        self.unbuilt.check(path)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())?;
        if let Some(min) = &self.min_order {
            ctx.amount(format!("{path}.min_order"), min.value())?;
        }
        ctx.lines(&format!("{path}.lines"), &self.lines);
        self.compile(path)
    }

    /// Validates the rule; `path` names it in errors (`earning[0]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`]: a blank id, a negative rate, a `per` of zero or
    /// less (or given for a base without an amount), `include_shipping` on a
    /// base without an amount, `net_of` on a base other than `net`, more
    /// than 8 decimals, a negative minimum or cap.
    pub(crate) fn compile(self, path: &str) -> Result<EarnRule, ProgramError> {
        let err = |sub: &str, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        let Ok(rule_id) = RuleId::new(self.id.as_str()) else {
            return err(".id", Problem::Blank { what: "rule id" });
        };
        if is_negative(self.points) {
            return err(
                ".points",
                Problem::Negative {
                    what: "rate",
                    value: self.points,
                },
            );
        }
        let per = match (self.base, self.per.as_ref().map(PerCurrency::value)) {
            (EarnBase::Net | EarnBase::Gross, per) => per.unwrap_or(Decimal::ONE),
            (_, None) => Decimal::ONE,
            (_, Some(_)) => return err(".per", Problem::PerWithoutAmount),
        };
        if per <= Decimal::ZERO {
            return err(
                ".per",
                Problem::NotPositive {
                    what: "per",
                    value: per,
                },
            );
        }
        if self.base == EarnBase::PerOrder && !self.lines.is_all() {
            return err(".lines", Problem::LinesOnPerOrder);
        }
        if self.include_shipping && !self.base.is_amount() {
            return err(".include_shipping", Problem::ShippingWithoutAmount);
        }
        if !self.net_of.is_default() && self.base != EarnBase::Net {
            return err(".net_of", Problem::NetOfWithoutNet);
        }
        if let PointsRounding::Decimals(n) = self.rounding
            && n > 8
        {
            return err(".rounding", Problem::TooManyDecimals { decimals: n });
        }
        if let Some(v) = self
            .min_order
            .as_ref()
            .map(PerCurrency::value)
            .filter(|v| is_negative(*v))
        {
            return err(
                ".min_order",
                Problem::Negative {
                    what: "minimum order",
                    value: v,
                },
            );
        }
        if let Some(v) = self.cap.filter(|v| is_negative(*v)) {
            return err(
                ".cap",
                Problem::Negative {
                    what: "cap",
                    value: v,
                },
            );
        }
        Ok(EarnRule {
            definition: self,
            rule_id,
            per,
        })
    }
}

pub(crate) fn is_negative(value: Decimal) -> bool {
    value.is_sign_negative() && !value.is_zero()
}

impl EarnRule {
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

    /// The amount of base that earns the rule's points (1 for a base that
    /// is not an amount).
    #[must_use]
    pub fn per(&self) -> Decimal {
        self.per
    }

    /// The points `base` earns before rounding: `base × points ÷ per`,
    /// multiplied before dividing so that "1 point per 3.00" on 30.00 is
    /// exactly 10. `None` on overflow.
    #[must_use]
    pub fn raw_points(&self, base: Decimal) -> Option<Decimal> {
        base.checked_mul(self.definition.points)?
            .checked_div(self.per)
    }

    /// Rounds `raw` points with the rule's rounding and holds them to its
    /// cap: never above the cap, whatever the rounding.
    #[must_use]
    pub fn finish(&self, raw: Decimal) -> (Decimal, bool) {
        let rounding = self.definition.rounding;
        let Some(cap) = self.definition.cap else {
            return (rounding.apply(raw), false);
        };
        let mut points = rounding.apply(raw.min(cap));
        if points > cap {
            points = cap.round_dp_with_strategy(
                rounding.decimals(),
                rust_decimal::RoundingStrategy::ToZero,
            );
        }
        (points, raw > cap)
    }
}

/// How several multipliers combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// They multiply: 2× and 3× give 6×. The default.
    #[default]
    Multiply,
    /// Their extra parts add: 2× and 3× give 1 + 1 + 2 = 4×.
    AddExtras,
    /// The largest wins: 2× and 3× give 3×.
    Largest,
}

impl Combine {
    /// Combines `factors` (none gives 1×; never below 0×). `None` on
    /// overflow.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::rules::earn::Combine;
    /// use rust_decimal::Decimal;
    ///
    /// let two_and_three = [Decimal::from(2), Decimal::from(3)];
    /// assert_eq!(Combine::Multiply.combine(two_and_three), Some(Decimal::from(6)));
    /// assert_eq!(Combine::AddExtras.combine(two_and_three), Some(Decimal::from(4)));
    /// assert_eq!(Combine::Largest.combine(two_and_three), Some(Decimal::from(3)));
    /// let half: Decimal = "0.5".parse().unwrap();
    /// assert_eq!(Combine::Largest.combine([half]), Some(half));
    /// ```
    #[must_use]
    pub fn combine(self, factors: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
        let mut result: Option<Decimal> = None;
        for f in factors {
            let so_far = result.unwrap_or(Decimal::ONE);
            result = Some(match self {
                Combine::Multiply => so_far.checked_mul(f)?,
                Combine::AddExtras => so_far.checked_add(f.checked_sub(Decimal::ONE)?)?,
                Combine::Largest => result.map_or(f, |r| r.max(f)),
            });
        }
        Some(result.unwrap_or(Decimal::ONE).max(Decimal::ZERO))
    }
}

/// A multiplier for customers of a tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierMultiplier {
    /// The tier.
    pub tier: TierId,
    /// The factor (1.5 for gold).
    pub factor: Decimal,
}

/// A multiplier for the lines a selector picks (a category, a sku).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LineMultiplier {
    /// Its id, for the trace.
    pub id: String,
    /// The lines it applies to.
    pub lines: LineSelector,
    /// The factor.
    pub factor: Decimal,
    /// When it applies to a line, the line multipliers listed after it do
    /// not apply to that line. Default: no.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
}

impl LineMultiplier {
    /// A multiplier of `factor` on the lines `lines` picks.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::earn::LineMultiplier;
    ///
    /// // Triple points on coffee, and no other line multiplier on it.
    /// let coffee = LineSelector::all().category("coffee")?;
    /// let triple = LineMultiplier::new("coffee-3x", coffee, 3).stop();
    /// assert!(triple.stop);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>, lines: LineSelector, factor: impl Into<Decimal>) -> Self {
        LineMultiplier {
            id: id.into(),
            lines,
            factor: factor.into(),
            stop: false,
        }
    }

    /// Ends the line multipliers after it on the lines it applies to.
    #[must_use]
    pub fn stop(mut self) -> Self {
        self.stop = true;
        self
    }
}

/// A multiplier while a condition holds: a date window, a seasonal event,
/// the customer's birthday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Its id, for the trace.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// When it runs, e.g. `{"seasonal_event": "black_friday"}`.
    pub when: Condition,
    /// The factor (2 for double points).
    pub factor: Decimal,
    /// When it runs, the campaigns listed after it do not. Default: no.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
}

impl Campaign {
    /// A campaign of `factor` while `when` holds.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::earn::Campaign;
    ///
    /// let black_friday: Condition = serde_json::from_str(r#"{"seasonal_event": "black_friday"}"#)?;
    /// // Triple points on Black Friday, and then no other campaign.
    /// let triple = Campaign::new("bf-3x", black_friday, 3).stop();
    /// assert!(triple.stop);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>, when: Condition, factor: impl Into<Decimal>) -> Self {
        Campaign {
            id: id.into(),
            name: None,
            when,
            factor: factor.into(),
            stop: false,
        }
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Ends the campaigns after it when it runs.
    #[must_use]
    pub fn stop(mut self) -> Self {
        self.stop = true;
        self
    }
}

/// The program's multipliers and how they combine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Multipliers {
    /// How several combine. Default: multiply.
    pub combine: Combine,
    /// By tier.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierMultiplier>,
    /// By line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineMultiplier>,
    /// By campaign.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<Campaign>,
}

impl Multipliers {
    /// Validates the factors (zero or more) and ids; `path` is `multipliers`.
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] for a negative factor, a tier listed twice, or a
    /// blank id.
    pub(crate) fn validate_in(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<(), ProgramError> {
        self.validate(path)?;
        for (i, t) in self.tiers.iter().enumerate() {
            ctx.tier(format!("{path}.tiers[{i}].tier"), &t.tier)?;
        }
        for (i, l) in self.lines.iter().enumerate() {
            ctx.lines(&format!("{path}.lines[{i}].lines"), &l.lines);
        }
        for (i, c) in self.campaigns.iter().enumerate() {
            ctx.condition(&format!("{path}.campaigns[{i}].when"), Some(&c.when))?;
        }
        Ok(())
    }

    /// Validates the factors and ids on their own.
    pub(crate) fn validate(&self, path: &str) -> Result<(), ProgramError> {
        let factor = |sub: String, value: Decimal| {
            if is_negative(value) {
                Err(ProgramError::new(
                    format!("{path}{sub}.factor"),
                    Problem::Negative {
                        what: "multiplier",
                        value,
                    },
                ))
            } else {
                Ok(())
            }
        };
        for (i, t) in self.tiers.iter().enumerate() {
            factor(format!(".tiers[{i}]"), t.factor)?;
            if self.tiers[..i].iter().any(|o| o.tier == t.tier) {
                return Err(ProgramError::new(
                    format!("{path}.tiers[{i}].tier"),
                    Problem::DuplicateId {
                        id: t.tier.to_string(),
                    },
                ));
            }
        }
        for (i, l) in self.lines.iter().enumerate() {
            factor(format!(".lines[{i}]"), l.factor)?;
            if l.id.trim().is_empty() {
                return Err(ProgramError::new(
                    format!("{path}.lines[{i}].id"),
                    Problem::Blank {
                        what: "multiplier id",
                    },
                ));
            }
        }
        for (i, c) in self.campaigns.iter().enumerate() {
            factor(format!(".campaigns[{i}]"), c.factor)?;
            if c.id.trim().is_empty() {
                return Err(ProgramError::new(
                    format!("{path}.campaigns[{i}].id"),
                    Problem::Blank {
                        what: "campaign id",
                    },
                ));
            }
        }
        Ok(())
    }

    /// Whether nothing is set: no multiplier and the default combination.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.combine == Combine::default()
            && self.tiers.is_empty()
            && self.lines.is_empty()
            && self.campaigns.is_empty()
    }
}

/// What triggers a bonus.
///
/// Serialised as `"first_order"`, `{"order_number": 5}`, `"birthday_month"`
/// or `{"order_over": "200.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BonusTrigger {
    /// The customer's first order.
    FirstOrder,
    /// The customer's Nth order (5 for the fifth).
    OrderNumber(u64),
    /// An order in the customer's birthday month.
    BirthdayMonth,
    /// An order whose subtotal (non-exempt lines, before discounts) is at
    /// least this amount.
    OrderOver(PerCurrency),
}

/// A fixed bonus of points for the order as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BonusDefinition {
    /// Its id, for the trace and the idempotency key.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// What triggers it.
    pub when: BonusTrigger,
    /// The points it gives.
    pub points: Decimal,
    /// A further condition.
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

impl BonusDefinition {
    /// A bonus of `points` when `when` happens.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let fifth = BonusDefinition::new("fifth-order", BonusTrigger::OrderNumber(5), 500);
    /// assert_eq!(fifth.points, Decimal::from(500));
    /// ```
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        when: BonusTrigger,
        points: impl DecimalInput,
    ) -> BonusDefinition {
        let mut unbuilt = Unbuilt::default();
        let points = unbuilt.number("points", points);
        BonusDefinition {
            id: id.into(),
            name: None,
            when,
            points,
            condition: None,
            unbuilt,
        }
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> BonusDefinition {
        self.name = Some(name.into());
        self
    }

    /// Sets a further condition.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> BonusDefinition {
        self.condition = Some(condition);
        self
    }

    /// Validates the bonus; `path` names it in errors (`bonuses[1]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`]: a blank id, negative points, order number 0, a
    /// negative amount.
    pub(crate) fn validate_in(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<(), ProgramError> {
        self.unbuilt.check(path)?;
        self.validate(path)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())
    }

    /// Validates the bonus on its own.
    pub(crate) fn validate(&self, path: &str) -> Result<(), ProgramError> {
        if self.id.trim().is_empty() {
            return Err(ProgramError::new(
                format!("{path}.id"),
                Problem::Blank { what: "bonus id" },
            ));
        }
        if is_negative(self.points) {
            return Err(ProgramError::new(
                format!("{path}.points"),
                Problem::Negative {
                    what: "bonus",
                    value: self.points,
                },
            ));
        }
        match &self.when {
            BonusTrigger::OrderNumber(0) => Err(ProgramError::new(
                format!("{path}.when"),
                Problem::ZeroOrderNumber,
            )),
            BonusTrigger::OrderOver(v) if is_negative(v.value()) => Err(ProgramError::new(
                format!("{path}.when"),
                Problem::Negative {
                    what: "amount",
                    value: v.value(),
                },
            )),
            _ => Ok(()),
        }
    }
}

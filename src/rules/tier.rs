//! The VIP tiers a program lists.
//!
//! Tier ids match exactly, case included: `"gold"` and `"Gold"` are two
//! tiers. When a rule names a tier, the program must list its tiers, so that
//! a typo is an error at [`Program::new`](crate::Program::new) and not a
//! multiplier that silently never applies. A customer whose tier is not one
//! of the program's is treated as having no tier, and the evaluation's
//! trace says so.
//!
//! A tier may say what it takes ([`Requirement`]: spend, orders, points,
//! all or any of them), and the program's [`TierRules`] say over which
//! window the figures are measured, which spend counts, and how a tier is
//! held and lost; [`Program::tier_status`](crate::Program::tier_status)
//! then works out a customer's tier from their history.
//!
//! A tier may also give its customers [`TierBenefits`] on every order: a
//! percent off the eligible items (stacked after the coupons), free
//! shipping, and bonus points.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program: ProgramDefinition = serde_json::from_str(r#"{
//!     "id": "shop", "currency": "EUR",
//!     "tiers": [
//!         {"id": "bronze"},
//!         {"id": "silver", "qualify": {"spend": "300.00"}},
//!         {"id": "gold", "qualify": {"all": [{"spend": "1000.00"}, {"orders": 5}]}}
//!     ],
//!     "tier_rules": {"window": "calendar_year", "downgrade": "one_level", "grace_days": 30}
//! }"#)?;
//! assert!(Program::new(program).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::LineSelector;
use crate::customer::TierId;
use crate::error::{Problem, ProgramError};
use crate::rules::context::RuleContext;
use crate::rules::ladder::check_percent;
use crate::rules::{DecimalInput, RuleId, Unbuilt};

/// A VIP tier of the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierDefinition {
    /// The tier's id, as customers carry it (matched exactly, case
    /// included).
    pub id: TierId,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// What it takes to reach and keep the tier. Only the lowest tier may
    /// go without (every customer has it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub qualify: Option<Requirement>,
    /// What the tier gives its customers on every order. Default: nothing.
    #[serde(default, skip_serializing_if = "TierBenefits::is_empty")]
    pub benefits: TierBenefits,
}

impl TierDefinition {
    /// A tier with an id, no name, no requirement and no benefits.
    #[must_use]
    pub fn new(id: TierId) -> TierDefinition {
        TierDefinition {
            id,
            name: None,
            qualify: None,
            benefits: TierBenefits::default(),
        }
    }

    /// Sets what the tier gives its customers on every order.
    #[must_use]
    pub fn benefits(mut self, benefits: TierBenefits) -> TierDefinition {
        self.benefits = benefits;
        self
    }

    /// Sets what it takes to reach the tier.
    #[must_use]
    pub fn qualify(mut self, requirement: Requirement) -> TierDefinition {
        self.qualify = Some(requirement);
        self
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> TierDefinition {
        self.name = Some(name.into());
        self
    }
}

/// What a tier gives the customers in it on every order, beside the tier
/// multipliers and cashback rates: `{"discount_percent": "5",
/// "free_shipping": true, "bonus_points": "50"}`, each optional.
///
/// - `discount_percent`: a percent off the eligible items (the `lines`,
///   by default every non-exempt line), a stackable order-level discount
///   that applies after the coupons, to the net they leave or to the
///   original amounts as the program's stacking says; rounded once and
///   allocated over the lines like a percent-off coupon, within the
///   program's cap on the total discount.
/// - `free_shipping`: the shipping charge is free, like a free-shipping
///   coupon.
/// - `bonus_points`: points for the order as a whole (not multiplied),
///   whole when the program keeps whole points.
///
/// # Example
///
/// ```
/// use loyalty::prelude::*;
/// use loyalty::customer::TierId;
/// use loyalty::rules::tier::{TierBenefits, TierDefinition};
///
/// let gold = TierDefinition::new(TierId::new("gold")?).benefits(
///     TierBenefits::new()
///         .discount_percent("5")
///         .free_shipping(true)
///         .bonus_points(50),
/// );
/// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).tier_definition(gold))?;
/// let at = "2026-11-27T10:00:00Z".parse()?;
/// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
///     .line(Line::new("1", "TEA", 2, Money::parse("120.00", Currency::EUR)?))
///     .shipping(Money::parse("4.90", Currency::EUR)?)
///     .build()?;
/// let customer = Customer::new("C-1")?.with_tier("gold")?;
/// let evaluation = program.evaluate(&Checkout::new(order, customer, at))?;
/// assert_eq!(evaluation.totals.discount, "12.00".parse()?);
/// assert_eq!(evaluation.totals.shipping_discount, "4.90".parse()?);
/// assert_eq!(evaluation.points.order_level, 50.into());
/// assert_eq!(
///     evaluation.trace[0].message(),
///     "applied: 12.00 EUR off the items: 5% off eligible items (gold tier)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TierBenefits {
    /// A percent off the eligible items, in (0, 100].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub discount_percent: Option<Decimal>,
    /// Whether shipping is free.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub free_shipping: bool,
    /// Points added to every order, zero or more.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub bonus_points: Option<Decimal>,
    /// The lines the discount applies to. Default: every non-exempt line.
    #[serde(skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// The first error of a chain of setters, reported by `Program::new`.
    #[serde(skip)]
    pub(crate) unbuilt: Unbuilt,
}

impl TierBenefits {
    /// No benefits; add them with the methods below.
    #[must_use]
    pub fn new() -> TierBenefits {
        TierBenefits::default()
    }

    /// Sets the percent off the eligible items (`"5"`, `5`, a `Decimal`).
    #[must_use]
    pub fn discount_percent(mut self, percent: impl DecimalInput) -> TierBenefits {
        self.discount_percent = Some(self.unbuilt.number("discount_percent", percent));
        self
    }

    /// Sets whether shipping is free.
    #[must_use]
    pub fn free_shipping(mut self, free: bool) -> TierBenefits {
        self.free_shipping = free;
        self
    }

    /// Sets the points added to every order.
    #[must_use]
    pub fn bonus_points(mut self, points: impl DecimalInput) -> TierBenefits {
        self.bonus_points = Some(self.unbuilt.number("bonus_points", points));
        self
    }

    /// Sets the lines the discount applies to.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> TierBenefits {
        self.lines = lines;
        self
    }

    /// Whether nothing is set (how a tier without benefits is written).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.discount_percent.is_none()
            && !self.free_shipping
            && self.bonus_points.is_none()
            && self.lines.is_all()
    }

    /// Validates the benefits under `path` (`tiers[2].benefits`): a percent
    /// in (0, 100] (warned below 1), lines only for a discount and never
    /// exempt ones, bonus points not negative and kept to the decimals
    /// the program keeps points to (`points_decimals`, 0 for whole points).
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
        points_decimals: u32,
    ) -> Result<(), ProgramError> {
        self.unbuilt.check(path)?;
        if let Some(percent) = self.discount_percent {
            let here = format!("{path}.discount_percent");
            check_percent(percent).map_err(|p| ProgramError::new(here.as_str(), p))?;
            ctx.percent_warnings(here, percent);
        } else if !self.lines.is_all() {
            return Err(ProgramError::new(
                format!("{path}.lines"),
                Problem::LinesWithoutDiscount,
            ));
        }
        ctx.discount_lines(&format!("{path}.lines"), &self.lines)?;
        if let Some(points) = self.bonus_points {
            let here = || format!("{path}.bonus_points");
            if points.is_sign_negative() && !points.is_zero() {
                return Err(ProgramError::new(
                    here(),
                    Problem::Negative {
                        what: "bonus",
                        value: points,
                    },
                ));
            }
            if points.normalize().scale() > points_decimals {
                return Err(ProgramError::new(
                    here(),
                    Problem::PointsTooPrecise {
                        value: points,
                        decimals: points_decimals,
                    },
                ));
            }
        }
        Ok(())
    }
}

/// A tier's benefits, compiled once by `Program::new`: only for a tier that
/// gives something, with its id as the outputs name it.
#[derive(Clone, Debug)]
pub(crate) struct Benefits {
    /// The tier.
    pub(crate) tier: TierId,
    /// The tier's id as a rule of the outputs (`RuleKind::Tier`).
    pub(crate) rule_id: RuleId,
    /// The tier's index among the program's tiers.
    pub(crate) index: usize,
    pub(crate) discount_percent: Option<Decimal>,
    pub(crate) free_shipping: bool,
    /// Above zero when given.
    pub(crate) bonus_points: Option<Decimal>,
    pub(crate) lines: LineSelector,
}

impl Benefits {
    /// The benefits of tier `index`, when it gives any.
    pub(crate) fn compile(index: usize, tier: &TierDefinition) -> Option<Benefits> {
        let b = &tier.benefits;
        let bonus_points = b.bonus_points.filter(|p| *p > Decimal::ZERO);
        if b.discount_percent.is_none() && !b.free_shipping && bonus_points.is_none() {
            return None;
        }
        Some(Benefits {
            tier: tier.id.clone(),
            rule_id: RuleId::new(tier.id.as_str()).ok()?,
            index,
            discount_percent: b.discount_percent,
            free_shipping: b.free_shipping,
            bonus_points,
            lines: b.lines.clone(),
        })
    }
}

/// What a tier takes, measured over the program's window:
/// `{"spend": "300.00"}`, `{"orders": 5}`, `{"points": 1000}`, or
/// `{"all": [...]}` / `{"any": [...]}` of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// At least this spend (the program's [`SpendBasis`], net of returns).
    Spend(Decimal),
    /// At least this many orders (a wholly returned order does not count).
    Orders(u32),
    /// At least this many points earned (net of points taken back).
    Points(Decimal),
    /// Every one of these.
    All(Vec<Requirement>),
    /// At least one of these.
    Any(Vec<Requirement>),
}

/// A measure of a customer's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Spend.
    Spend,
    /// Orders.
    Orders,
    /// Points earned.
    Points,
}

impl Requirement {
    /// The thresholds it names, measure by measure, depth first.
    #[must_use]
    pub fn thresholds(&self) -> Vec<(Measure, Decimal)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<(Measure, Decimal)>) {
        match self {
            Requirement::Spend(v) => out.push((Measure::Spend, *v)),
            Requirement::Orders(n) => out.push((Measure::Orders, Decimal::from(*n))),
            Requirement::Points(v) => out.push((Measure::Points, *v)),
            Requirement::All(list) | Requirement::Any(list) => {
                list.iter().for_each(|r| r.collect(out));
            }
        }
    }

    /// Whether figures (spend, orders, points) meet it.
    #[must_use]
    pub fn met(&self, spend: Decimal, orders: i64, points: Decimal) -> bool {
        match self {
            Requirement::Spend(v) => spend >= *v,
            Requirement::Orders(n) => orders >= i64::from(*n),
            Requirement::Points(v) => points >= *v,
            Requirement::All(list) => list.iter().all(|r| r.met(spend, orders, points)),
            Requirement::Any(list) => list.iter().any(|r| r.met(spend, orders, points)),
        }
    }

    /// The thresholds that must all hold for the tier, measure by measure:
    /// a single leaf, or the leaves of a top-level `all` (an `any` has no
    /// threshold that must hold on its own).
    fn floors(&self) -> Vec<(Measure, Decimal)> {
        match self {
            Requirement::All(list) => list.iter().flat_map(Requirement::floors).collect(),
            Requirement::Any(_) => Vec::new(),
            leaf => leaf.thresholds(),
        }
    }

    fn validate(&self, path: &str, ctx: &RuleContext<'_>) -> Result<(), ProgramError> {
        match self {
            Requirement::Spend(v) => {
                if v.is_sign_negative() && !v.is_zero() {
                    return Err(ProgramError::new(
                        format!("{path}.spend"),
                        Problem::Negative {
                            what: "spend",
                            value: *v,
                        },
                    ));
                }
                ctx.amount(format!("{path}.spend"), *v)
            }
            Requirement::Points(v) if v.is_sign_negative() && !v.is_zero() => {
                Err(ProgramError::new(
                    format!("{path}.points"),
                    Problem::Negative {
                        what: "points",
                        value: *v,
                    },
                ))
            }
            Requirement::Orders(_) | Requirement::Points(_) => Ok(()),
            Requirement::All(list) | Requirement::Any(list) => {
                let which = if matches!(self, Requirement::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if list.is_empty() {
                    return Err(ProgramError::new(
                        format!("{path}.{which}"),
                        Problem::EmptyList {
                            what: "requirements",
                        },
                    ));
                }
                for (i, r) in list.iter().enumerate() {
                    r.validate(&format!("{path}.{which}[{i}]"), ctx)?;
                }
                Ok(())
            }
        }
    }
}

/// How tiers are measured, held and lost.
///
/// ```
/// use loyalty::rules::tier::{Downgrade, TierRules, TierWindow};
///
/// let rules: TierRules = serde_json::from_str(r#"{"window": {"rolling_months": 12}}"#)?;
/// assert_eq!(rules.window, TierWindow::RollingMonths(12));
/// assert_eq!(rules.downgrade, Downgrade::ToQualified);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TierRules {
    /// The window the figures are measured over. Default: the calendar
    /// year.
    pub window: TierWindow,
    /// Which spend counts. Default: after discounts.
    pub spend: SpendBasis,
    /// How a tier is lost at a review. Default: straight to the tier the
    /// figures give.
    pub downgrade: Downgrade,
    /// Days after a review before a downgrade takes effect; an order in
    /// them that qualifies again keeps the tier. Default 0.
    pub grace_days: u32,
}

impl TierRules {
    /// Whether the rules are the default ones.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == TierRules::default()
    }
}

/// The window a tier's figures are measured over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierWindow {
    /// The local calendar year, in the program's time zone. A tier reached
    /// in a year is held to the end of the next one. The default.
    #[default]
    CalendarYear,
    /// The last N months. A tier is held N months from the last order
    /// that qualified for it.
    RollingMonths(u32),
    /// The whole history. A tier once reached is held (returns aside).
    Lifetime,
}

/// Which spend a tier counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpendBasis {
    /// The items after discounts (what was paid for them in money, points
    /// or cashback), shipping excluded. The default.
    #[default]
    AfterDiscounts,
    /// The items before discounts.
    BeforeDiscounts,
}

/// How a tier is lost when a review finds the figures below it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Downgrade {
    /// Straight to the tier the figures give. The default.
    #[default]
    ToQualified,
    /// One tier down at each review.
    OneLevel,
    /// Never: tiers are for life.
    Never,
}

/// Validates the tiers' requirements and rules: amounts in the program's
/// currency, a window of 1 month or more, only the lowest tier without a
/// requirement, and thresholds that do not fall from one tier to the next.
pub(crate) fn validate_tiers(
    tiers: &[TierDefinition],
    rules: &TierRules,
    ctx: &RuleContext<'_>,
) -> Result<(), ProgramError> {
    if let TierWindow::RollingMonths(months) = rules.window
        && !(1..=1200).contains(&months)
    {
        return Err(ProgramError::new(
            "tier_rules.window.rolling_months",
            Problem::TierWindow { months },
        ));
    }
    let mut previous: Option<(usize, Vec<(Measure, Decimal)>)> = None;
    for (i, tier) in tiers.iter().enumerate() {
        let path = format!("tiers[{i}].qualify");
        let Some(requirement) = &tier.qualify else {
            if i > 0 && tiers[..i].iter().any(|t| t.qualify.is_some()) {
                return Err(ProgramError::new(
                    path,
                    Problem::TierWithoutRequirement {
                        tier: tier.id.clone(),
                    },
                ));
            }
            continue;
        };
        requirement.validate(&path, ctx)?;
        let floors = requirement.floors();
        if let Some((lower, lower_floors)) = &previous {
            for (measure, value) in &floors {
                if lower_floors.iter().any(|(m, v)| m == measure && v > value) {
                    return Err(ProgramError::new(
                        path,
                        Problem::TierThresholdFalls {
                            tier: tier.id.clone(),
                            measure: *measure,
                            value: *value,
                            lower: tiers[*lower].id.clone(),
                        },
                    ));
                }
            }
        }
        previous = Some((i, floors));
    }
    Ok(())
}

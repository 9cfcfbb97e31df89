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

use crate::customer::TierId;
use crate::error::{Problem, ProgramError};
use crate::rules::context::RuleContext;

/// A VIP tier of the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl TierDefinition {
    /// A tier with an id, no name and no requirement.
    #[must_use]
    pub fn new(id: TierId) -> TierDefinition {
        TierDefinition {
            id,
            name: None,
            qualify: None,
        }
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

/// What a tier takes, measured over the program's window:
/// `{"spend": "300.00"}`, `{"orders": 5}`, `{"points": 1000}`, or
/// `{"all": [...]}` / `{"any": [...]}` of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

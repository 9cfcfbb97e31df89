//! Paying with points or cashback at checkout: what a program allows.
//!
//! A program may let customers pay part of an order with their points (at a
//! rate, e.g. 100 points = 1.00), with their cashback (store credit, one
//! for one), or both. Each has a minimum, points a step (whole multiples of
//! N points), and each the largest share of the payable amount it may pay
//! (50% leaves at least half to pay in money) and the lines it may pay for.
//! A program also says whether points are earned on the part paid with
//! points (by default they are not: points pay, they do not earn).
//!
//! The checkout asks for a redemption ([`Redeem`]) and says what the
//! customer has available ([`Available`]); the evaluation applies it as a
//! discount of its own kind, allocated over the lines like the others, or
//! refuses it with a typed reason.
//!
//! # Example
//!
//! ```
//! use loyalty::rules::redemption::RedemptionPolicy;
//!
//! let policy: RedemptionPolicy = serde_json::from_str(r#"{
//!     "points": {"rate": {"points": 100, "value": "1.00"}, "minimum": 500,
//!                "step": 100, "max_share_percent": 50},
//!     "cashback": {"minimum": "5.00"}
//! }"#)?;
//! let points = policy.points.as_ref().unwrap();
//! assert_eq!(points.step.to_string(), "100");
//! assert!(!points.earn_on_redeemed);
//! # Ok::<(), serde_json::Error>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::LineSelector;
use crate::error::{Problem, ProgramError};
use crate::money::{Currency, PerCurrency};
use crate::rules::context::RuleContext;
use crate::rules::earn::is_negative;
use crate::rules::ladder::check_percent;

/// How customers may pay with what they hold. Both are off by default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RedemptionPolicy {
    /// Paying with points.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub points: Option<PointsRedemption>,
    /// Paying with cashback (store credit).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub cashback: Option<CashbackRedemption>,
}

impl RedemptionPolicy {
    /// Whether the policy is the default (no redemption).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_none() && self.cashback.is_none()
    }

    /// Validates the policy against its program, whose points are kept to
    /// `decimals`; `path` is `redemption`.
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
        decimals: u32,
    ) -> Result<(), ProgramError> {
        if let Some(points) = &self.points {
            points.validate(&format!("{path}.points"), ctx, decimals)?;
        }
        if let Some(cashback) = &self.cashback {
            cashback.validate(&format!("{path}.cashback"), ctx)?;
        }
        Ok(())
    }
}

/// What a number of points is worth: `{"points": 100, "value": "1.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsRate {
    /// The points (above zero).
    pub points: Decimal,
    /// What they pay, in the program's currency or one per currency (above
    /// zero, whole minor units). Points are not spent on an order in a
    /// currency this has no amount for.
    pub value: PerCurrency,
}

impl PointsRate {
    /// `points` pay `value`.
    ///
    /// ```
    /// use loyalty::Decimal;
    /// use loyalty::money::{Currency, PerCurrency};
    /// use loyalty::rules::redemption::PointsRate;
    ///
    /// let one_euro = PointsRate::new(Decimal::ONE_HUNDRED, Decimal::ONE);
    /// let both = PointsRate::new(
    ///     Decimal::ONE_HUNDRED,
    ///     PerCurrency::table([(Currency::EUR, Decimal::ONE), (Currency::USD, Decimal::new(110, 2))]),
    /// );
    /// assert_eq!(one_euro.value, PerCurrency::new(Decimal::ONE));
    /// assert_ne!(one_euro, both);
    /// ```
    #[must_use]
    pub fn new(points: Decimal, value: impl Into<PerCurrency>) -> PointsRate {
        PointsRate {
            points,
            value: value.into(),
        }
    }
}

/// Paying with points.
///
/// A redemption's value is its points times the rate, rounded down to the
/// minor unit, so that the points never pay more than they are worth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsRedemption {
    /// What points are worth.
    pub rate: PointsRate,
    /// The fewest points a redemption may use. Default 0.
    #[serde(default)]
    pub minimum: Decimal,
    /// Redemptions use whole multiples of this many points. Default 1.
    #[serde(default = "one")]
    pub step: Decimal,
    /// The largest share of the payable amount (after discounts, shipping
    /// included) the points may pay, in percent (0 < p ≤ 100). Default 100.
    #[serde(default = "hundred")]
    pub max_share_percent: Decimal,
    /// The lines the points may pay for. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// Whether the order earns points on the part paid with points.
    /// Default `false`.
    #[serde(default)]
    pub earn_on_redeemed: bool,
}

impl PointsRedemption {
    /// Points at `rate`, no minimum, a step of 1 point, up to the whole
    /// payable amount, on every line, earning nothing on the part paid.
    ///
    /// ```
    /// use loyalty::rules::redemption::{PointsRate, PointsRedemption};
    /// use rust_decimal::Decimal;
    ///
    /// let redemption = PointsRedemption::new(PointsRate::new(Decimal::ONE_HUNDRED, Decimal::ONE))
    /// .minimum(Decimal::from(500))
    /// .step(Decimal::ONE_HUNDRED)
    /// .max_share_percent(Decimal::from(50));
    /// assert_eq!(redemption.minimum, Decimal::from(500));
    /// ```
    #[must_use]
    pub fn new(rate: PointsRate) -> PointsRedemption {
        PointsRedemption {
            rate,
            minimum: Decimal::ZERO,
            step: Decimal::ONE,
            max_share_percent: Decimal::ONE_HUNDRED,
            lines: LineSelector::default(),
            earn_on_redeemed: false,
        }
    }

    /// Sets the minimum, in points.
    #[must_use]
    pub fn minimum(mut self, points: Decimal) -> PointsRedemption {
        self.minimum = points;
        self
    }

    /// Sets the step, in points.
    #[must_use]
    pub fn step(mut self, points: Decimal) -> PointsRedemption {
        self.step = points;
        self
    }

    /// Sets the largest share of the payable amount, in percent.
    #[must_use]
    pub fn max_share_percent(mut self, percent: Decimal) -> PointsRedemption {
        self.max_share_percent = percent;
        self
    }

    /// Sets the lines the points may pay for.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> PointsRedemption {
        self.lines = lines;
        self
    }

    /// Sets whether the part paid with points earns points.
    #[must_use]
    pub fn earn_on_redeemed(mut self, earn: bool) -> PointsRedemption {
        self.earn_on_redeemed = earn;
        self
    }

    fn validate(
        &self,
        path: &str,
        ctx: &mut RuleContext<'_>,
        decimals: u32,
    ) -> Result<(), ProgramError> {
        let at = |field: &str| format!("{path}.{field}");
        // Points figures: within a balance's size; the minimum and the step
        // no finer than the program keeps points to (a redemption must be a
        // figure a balance can hold, and a return must give it back
        // exactly). The rate is a ratio, of any decimals.
        for (field, value) in [
            ("rate.points", self.rate.points),
            ("minimum", self.minimum),
            ("step", self.step),
        ] {
            if value > MAX_POINTS {
                return Err(ProgramError::new(
                    at(field),
                    Problem::PointsTooLarge {
                        value,
                        max: MAX_POINTS,
                    },
                ));
            }
            if field != "rate.points" && value.normalize().scale() > decimals {
                return Err(ProgramError::new(
                    at(field),
                    Problem::PointsTooPrecise { value, decimals },
                ));
            }
        }
        if self.rate.points <= Decimal::ZERO {
            return Err(ProgramError::new(
                at("rate.points"),
                Problem::NotPositive {
                    what: "points of the rate",
                    value: self.rate.points,
                },
            ));
        }
        let value = self.rate.value.value();
        if value <= Decimal::ZERO {
            return Err(ProgramError::new(
                at("rate.value"),
                Problem::NotPositive {
                    what: "value of the rate",
                    value,
                },
            ));
        }
        ctx.amount(at("rate.value"), value)?;
        if is_negative(self.minimum) {
            return Err(ProgramError::new(
                at("minimum"),
                Problem::Negative {
                    what: "minimum",
                    value: self.minimum,
                },
            ));
        }
        if self.step <= Decimal::ZERO {
            return Err(ProgramError::new(
                at("step"),
                Problem::NotPositive {
                    what: "step",
                    value: self.step,
                },
            ));
        }
        share(&at("max_share_percent"), self.max_share_percent, ctx)?;
        ctx.lines(&at("lines"), &self.lines);
        Ok(())
    }
}

fn zero_amount() -> PerCurrency {
    PerCurrency::new(Decimal::ZERO)
}

/// Paying with cashback (store credit): one for one, in the program's
/// currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CashbackRedemption {
    /// The smallest amount a redemption may use, in the program's currency
    /// or one per currency. Default 0 (0 holds in every currency).
    #[serde(default = "zero_amount")]
    pub minimum: PerCurrency,
    /// The largest share of the payable amount (after discounts and any
    /// points redemption, shipping included) the cashback may pay, in
    /// percent (0 < p ≤ 100). Default 100.
    #[serde(default = "hundred")]
    pub max_share_percent: Decimal,
    /// The lines the cashback may pay for. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
}

impl Default for CashbackRedemption {
    fn default() -> Self {
        CashbackRedemption {
            minimum: zero_amount(),
            max_share_percent: Decimal::ONE_HUNDRED,
            lines: LineSelector::default(),
        }
    }
}

impl CashbackRedemption {
    /// Cashback with no minimum, up to the whole payable amount, on every
    /// line.
    #[must_use]
    pub fn new() -> CashbackRedemption {
        CashbackRedemption::default()
    }

    /// Sets the minimum amount.
    #[must_use]
    pub fn minimum(mut self, amount: impl Into<PerCurrency>) -> CashbackRedemption {
        self.minimum = amount.into();
        self
    }

    /// Sets the largest share of the payable amount, in percent.
    #[must_use]
    pub fn max_share_percent(mut self, percent: Decimal) -> CashbackRedemption {
        self.max_share_percent = percent;
        self
    }

    /// Sets the lines the cashback may pay for.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> CashbackRedemption {
        self.lines = lines;
        self
    }

    fn validate(&self, path: &str, ctx: &mut RuleContext<'_>) -> Result<(), ProgramError> {
        let minimum = self.minimum.value();
        if is_negative(minimum) {
            return Err(ProgramError::new(
                format!("{path}.minimum"),
                Problem::Negative {
                    what: "minimum",
                    value: minimum,
                },
            ));
        }
        ctx.amount(format!("{path}.minimum"), minimum)?;
        share(
            &format!("{path}.max_share_percent"),
            self.max_share_percent,
            ctx,
        )?;
        ctx.lines(&format!("{path}.lines"), &self.lines);
        Ok(())
    }
}

/// The largest points figure a redemption rule may name: 10^18, as for
/// amounts of an order.
pub const MAX_POINTS: Decimal = crate::money::Money::MAX_ORDER_AMOUNT;

/// A share of the payable amount: a percent in (0, 100]; below 1 warns.
fn share(path: &str, percent: Decimal, ctx: &mut RuleContext<'_>) -> Result<(), ProgramError> {
    check_percent(percent).map_err(|p| ProgramError::new(path, p))?;
    ctx.percent_warnings(path, percent);
    Ok(())
}

fn one() -> Decimal {
    Decimal::ONE
}

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// What a checkout asks to pay with: `{"points": 500}`, `{"points":
/// "all"}`, `{"cashback": "10.00"}`, or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Redeem {
    /// Points to pay with.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub points: Option<Ask>,
    /// Cashback to pay with.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub cashback: Option<Ask>,
}

impl Redeem {
    /// Whether nothing is asked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_none() && self.cashback.is_none()
    }

    /// Pays with `points` points.
    ///
    /// ```
    /// use loyalty::rules::redemption::{Ask, Redeem};
    /// use rust_decimal::Decimal;
    ///
    /// let redeem = Redeem::points(Ask::Exactly(Decimal::from(500)));
    /// assert_eq!(serde_json::to_string(&redeem)?, r#"{"points":"500"}"#);
    /// let all: Redeem = serde_json::from_str(r#"{"points": "all"}"#)?;
    /// assert_eq!(all.points, Some(Ask::All));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn points(ask: Ask) -> Redeem {
        Redeem {
            points: Some(ask),
            cashback: None,
        }
    }

    /// Pays with cashback.
    #[must_use]
    pub fn cashback(ask: Ask) -> Redeem {
        Redeem {
            points: None,
            cashback: Some(ask),
        }
    }

    /// Also pays with cashback.
    #[must_use]
    pub fn and_cashback(mut self, ask: Ask) -> Redeem {
        self.cashback = Some(ask);
        self
    }
}

/// How much to pay with: an exact number (of points, or an amount of
/// cashback), or all that the program allows (`"all"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// As much as the balance, the step, the share and the lines allow.
    All,
    /// Exactly this much, or a refusal saying why not.
    Exactly(Decimal),
}

impl Serialize for Ask {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Ask::All => serializer.serialize_str("all"),
            Ask::Exactly(value) => Serialize::serialize(value, serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Ask {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ask, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Ask;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number, a decimal string such as \"500\", or \"all\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ask, E> {
                if v == "all" {
                    return Ok(Ask::All);
                }
                v.parse::<Decimal>().map(Ask::Exactly).map_err(|_| {
                    E::custom(format!(
                        "{v:?} is neither a number nor \"all\": write 500, \"500\" or \"all\""
                    ))
                })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ask, E> {
                Ok(Ask::Exactly(Decimal::from(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ask, E> {
                Ok(Ask::Exactly(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ask, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// What the customer has available to pay with, as the host's store (or
/// the ledger's balance) says at checkout: `{"points": 1200, "cashback":
/// "15.00"}`. The redemption effects carry these figures back for a
/// compare-and-set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Available {
    /// Points available (not pending, not expired).
    pub points: Decimal,
    /// Cashback available, in the order's currency: a customer's
    /// cashback is kept per currency (one ledger each), and a checkout
    /// passes the balance in the currency of its order.
    pub cashback: Decimal,
    /// The currency of `cashback`, when the host knows it (a ledger's
    /// [`Balance::available`](crate::wallet::Balance::available) says):
    /// cashback in another currency than the order's is not spent on it
    /// (`other_currency`). Left out, `cashback` is taken to be in the
    /// order's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cashback_currency: Option<Currency>,
}

impl Available {
    /// Whether nothing is available.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_zero() && self.cashback.is_zero()
    }
}

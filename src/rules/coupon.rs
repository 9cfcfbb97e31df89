//! Coupons: codes a customer enters, when they are valid, and what they give.
//!
//! A coupon definition holds one shared code (`WELCOME10`) or a batch of
//! unique single-use codes under one set of rules. Codes match ignoring case
//! and surrounding space. Every entered code gets a [`CouponVerdict`]:
//! accepted, or rejected with a machine-readable [`Rejection`] that carries
//! its data and prints a message for people.
//!
//! # Example
//!
//! ```
//! use loyalty::rules::coupon::CouponDefinition;
//!
//! let welcome: CouponDefinition = serde_json::from_str(r#"{
//!     "id": "welcome",
//!     "codes": ["WELCOME10"],
//!     "first_order_only": true,
//!     "min_subtotal": "50.00",
//!     "reward": {"type": "percent_off", "percent": "10", "cap": "30.00"}
//! }"#)?;
//! let coupon = welcome.compile("coupons[0]")?;
//! assert_eq!(coupon.id(), "welcome");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::DateWindow;
use crate::condition::{Condition, LineSelector, Observation};
use crate::customer::{Segment, TierId};
use crate::order::Sku;
use crate::error::{Problem, ProgramError};
use crate::rules::ladder::check_percent;
use crate::rules::{RuleId, Stacking};

/// What a coupon gives.
///
/// Internally tagged by `type`, e.g. `{"type": "amount_off", "amount": "10.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum CouponReward {
    /// A percent off the eligible lines, with an optional cap.
    PercentOff {
        /// 0 < percent ≤ 100.
        percent: Decimal,
        /// The most it gives.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<Decimal>,
    },
    /// A fixed amount off the eligible lines (never more than they cost).
    AmountOff {
        /// The amount.
        amount: Decimal,
    },
    /// A fixed amount off each eligible unit (never more than the unit
    /// costs).
    AmountOffEachUnit {
        /// The amount per unit.
        amount: Decimal,
    },
    /// The shipping charge is waived.
    FreeShipping,
    /// The cheapest eligible unit is free.
    CheapestFree,
    /// For every complete group of `buy` + `get` eligible units, the `get`
    /// cheapest units of the group are free. `max_applications` caps the
    /// number of groups per order.
    BuyXGetY {
        /// Units paid for in each group.
        buy: u32,
        /// Units free in each group.
        get: u32,
        /// The most groups per order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_applications: Option<u32>,
    },
    /// Extra points for the order (not multiplied).
    BonusPoints {
        /// The points.
        points: Decimal,
    },
    /// A multiplier of the points the order earns, combined with the
    /// program's other multipliers.
    PointsMultiplier {
        /// The factor (2 for double points).
        factor: Decimal,
    },
    /// A gift line is added to the order, free.
    FreeGift {
        /// The gift's sku.
        sku: Sku,
        /// How many units (default 1).
        #[serde(default = "one")]
        quantity: u32,
        /// What the gift is worth, for the trace and for reports.
        value: Decimal,
    },
}

fn one() -> u32 {
    1
}

/// A coupon as written in a program file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponDefinition {
    /// The coupon's id, used in traces and idempotency keys.
    pub id: String,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The codes that redeem it: one shared code, or a batch.
    pub codes: Vec<String>,
    /// Whether each code of the batch can be used only once overall.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// When it is valid, in the program's local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<DateWindow>,
    /// The most redemptions overall (per code for a unique batch: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<u64>,
    /// The most redemptions by one customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer_limit: Option<u64>,
    /// The least subtotal of eligible lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_subtotal: Option<Decimal>,
    /// The fewest eligible units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<u64>,
    /// Which lines are eligible. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// Only on the customer's first order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_order_only: bool,
    /// Only on the customer's Nth order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<u64>,
    /// Only for customers in these tiers (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierId>,
    /// Only for customers in one of these segments (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Any further condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// What it gives.
    pub reward: CouponReward,
    /// How it combines with other discounts. Default: stackable.
    #[serde(default)]
    pub stacking: Stacking,
    /// Higher goes first when the program picks by priority.
    #[serde(default)]
    pub priority: i32,
}

/// A validated coupon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coupon {
    /// The definition it was compiled from.
    pub definition: CouponDefinition,
    rule_id: RuleId,
}

/// Normalises an entered code for matching: surrounding space removed,
/// letters in upper case.
#[must_use]
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

impl CouponDefinition {
    /// A coupon redeemed by `code`, giving `reward`, with no limits and no
    /// conditions; set the other fields as needed.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::rules::coupon::{CouponDefinition, CouponReward};
    ///
    /// let mut welcome = CouponDefinition::new("welcome", "WELCOME10", CouponReward::PercentOff {
    ///     percent: "10".parse()?,
    ///     cap: None,
    /// });
    /// welcome.first_order_only = true;
    /// assert!(welcome.compile("coupons[0]").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        code: impl Into<String>,
        reward: CouponReward,
    ) -> CouponDefinition {
        CouponDefinition {
            id: id.into(),
            name: None,
            codes: vec![code.into()],
            unique: false,
            valid: None,
            usage_limit: None,
            per_customer_limit: None,
            min_subtotal: None,
            min_quantity: None,
            lines: LineSelector::default(),
            first_order_only: false,
            order_number: None,
            tiers: Vec::new(),
            segments: Vec::new(),
            condition: None,
            reward,
            stacking: Stacking::default(),
            priority: 0,
        }
    }

    /// Validates the definition; `path` names it in errors (`coupons[3]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] naming the field and the fix.
    pub fn compile(self, path: &str) -> Result<Coupon, ProgramError> {
        let err = |sub: &str, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        if self.id.trim().is_empty() {
            return err(".id", Problem::Blank { what: "coupon id" });
        }
        if self.codes.is_empty() {
            return err(".codes", Problem::NoCodes);
        }
        for (i, code) in self.codes.iter().enumerate() {
            if code.trim().is_empty() {
                return err(&format!(".codes[{i}]"), Problem::Blank { what: "code" });
            }
        }
        let negative = |v: Decimal| v.is_sign_negative() && !v.is_zero();
        if let Some(v) = self.min_subtotal.filter(|v| negative(*v)) {
            return err(
                ".min_subtotal",
                Problem::Negative {
                    what: "minimum subtotal",
                    value: v,
                },
            );
        }
        if self.usage_limit == Some(0) {
            return err(".usage_limit", Problem::ZeroLimit);
        }
        if self.per_customer_limit == Some(0) {
            return err(".per_customer_limit", Problem::ZeroLimit);
        }
        if self.order_number == Some(0) {
            return err(".order_number", Problem::ZeroOrderNumber);
        }
        match &self.reward {
            CouponReward::PercentOff { percent, cap } => {
                check_percent(*percent)
                    .map_err(|p| ProgramError::new(format!("{path}.reward.percent"), p))?;
                if let Some(c) = cap.filter(|c| negative(*c)) {
                    return err(
                        ".reward.cap",
                        Problem::Negative {
                            what: "cap",
                            value: c,
                        },
                    );
                }
            }
            CouponReward::AmountOff { amount } | CouponReward::AmountOffEachUnit { amount } => {
                if *amount <= Decimal::ZERO {
                    return err(
                        ".reward.amount",
                        Problem::NotPositive {
                            what: "amount",
                            value: *amount,
                        },
                    );
                }
            }
            CouponReward::BuyXGetY {
                buy,
                get,
                max_applications,
            } => {
                if *buy == 0 || *get == 0 {
                    return err(".reward", Problem::BuyGetZero);
                }
                if *max_applications == Some(0) {
                    return err(".reward.max_applications", Problem::ZeroLimit);
                }
            }
            CouponReward::FreeGift {
                quantity, value, ..
            } => {
                if *quantity == 0 {
                    return err(".reward.quantity", Problem::ZeroLimit);
                }
                if negative(*value) {
                    return err(
                        ".reward.value",
                        Problem::Negative {
                            what: "gift value",
                            value: *value,
                        },
                    );
                }
            }
            CouponReward::BonusPoints { points } => {
                if negative(*points) {
                    return err(
                        ".reward.points",
                        Problem::Negative {
                            what: "bonus",
                            value: *points,
                        },
                    );
                }
            }
            CouponReward::PointsMultiplier { factor } => {
                if negative(*factor) {
                    return err(
                        ".reward.factor",
                        Problem::Negative {
                            what: "multiplier",
                            value: *factor,
                        },
                    );
                }
            }
            CouponReward::FreeShipping | CouponReward::CheapestFree => {}
        }
        Ok(Coupon {
            rule_id: RuleId::new(self.id.as_str()).map_err(|_| {
                ProgramError::new(format!("{path}.id"), Problem::Blank { what: "coupon id" })
            })?,
            definition: self,
        })
    }
}

impl Coupon {
    /// The coupon's id.
    #[must_use]
    pub fn id(&self) -> &str {
        self.rule_id.as_str()
    }

    /// The coupon's id, shared.
    #[must_use]
    pub fn rule_id(&self) -> &RuleId {
        &self.rule_id
    }
}

/// Why an entered code was not applied.
///
/// Serialised with a `reason` tag, e.g.
/// `{"reason": "minimum_not_met", "minimum": "50.00", "subtotal": "37.50", "missing": "12.50"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// No coupon has this code.
    UnknownCode,
    /// The same code was entered twice; the first entry counts.
    DuplicateCode,
    /// Another code of the same coupon (a unique batch) was entered first;
    /// a coupon applies once per order.
    CouponAlreadyEntered,
    /// The validity window has not started.
    NotYetValid {
        /// When it starts, local time.
        starts: NaiveDateTime,
    },
    /// The validity window has ended.
    Expired {
        /// When it ended, local time.
        ended: NaiveDateTime,
    },
    /// The coupon (or this unique code) was used as often as allowed.
    UsageLimitReached {
        /// The limit.
        limit: u64,
        /// Redemptions seen.
        used: u64,
    },
    /// This customer used it as often as allowed.
    PerCustomerLimitReached {
        /// The limit.
        limit: u64,
        /// Redemptions by the customer seen.
        used: u64,
    },
    /// The eligible lines do not reach the minimum subtotal. Amounts are
    /// written with the currency's decimals.
    MinimumNotMet {
        /// The minimum.
        minimum: Decimal,
        /// The eligible subtotal.
        subtotal: Decimal,
        /// What is missing.
        missing: Decimal,
    },
    /// The eligible lines do not reach the minimum quantity.
    MinimumQuantityNotMet {
        /// The minimum.
        minimum: u64,
        /// The eligible units.
        quantity: u64,
        /// Units missing.
        missing: u64,
    },
    /// No line of the order is eligible.
    NoEligibleItems,
    /// Only for a first order.
    NotFirstOrder {
        /// This order's number for the customer.
        order_number: u64,
    },
    /// Only for the customer's Nth order.
    NotNthOrder {
        /// The order number required.
        required: u64,
        /// This order's number.
        order_number: u64,
    },
    /// The customer's tier is not allowed.
    TierNotAllowed {
        /// The customer's tier.
        tier: Option<TierId>,
        /// The tiers allowed.
        allowed: Vec<TierId>,
    },
    /// The customer is in none of the allowed segments.
    SegmentNotAllowed {
        /// The segments allowed.
        allowed: Vec<Segment>,
    },
    /// The coupon's condition does not hold.
    ConditionNotMet {
        /// The observation that decided.
        because: Option<Observation>,
    },
    /// Another discount was picked and this one cannot combine with it.
    NotCombinable {
        /// The discount that was picked instead.
        with: String,
    },
    /// The coupon applies but gives nothing on this order (e.g. free
    /// shipping on an order without shipping).
    NothingToDiscount,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[String]| items.join(", ");
        match self {
            Rejection::UnknownCode => f.write_str("this code does not exist"),
            Rejection::DuplicateCode => f.write_str("this code was already entered"),
            Rejection::CouponAlreadyEntered => f.write_str(
                "another code of this offer is already applied: it applies once per order",
            ),
            Rejection::NotYetValid { starts } => {
                write!(
                    f,
                    "this code is not valid yet: it starts at {}",
                    starts.format("%Y-%m-%d %H:%M")
                )
            }
            Rejection::Expired { ended } => {
                write!(f, "this code expired at {}", ended.format("%Y-%m-%d %H:%M"))
            }
            Rejection::UsageLimitReached { limit, .. } => {
                write!(f, "this code has reached its limit of {limit} uses")
            }
            Rejection::PerCustomerLimitReached { limit, .. } => {
                write!(
                    f,
                    "you have already used this code {limit} time(s), the most allowed"
                )
            }
            Rejection::MinimumNotMet {
                minimum, missing, ..
            } => write!(
                f,
                "the minimum for this code is {}: add {} more of eligible items",
                minimum, missing
            ),
            Rejection::MinimumQuantityNotMet {
                minimum, missing, ..
            } => write!(
                f,
                "this code needs {minimum} eligible items: add {missing} more"
            ),
            Rejection::NoEligibleItems => {
                f.write_str("no item in the basket is eligible for this code")
            }
            Rejection::NotFirstOrder { .. } => f.write_str("this code is for a first order only"),
            Rejection::NotNthOrder {
                required,
                order_number,
            } => write!(
                f,
                "this code is for order number {required}; this is order {order_number}"
            ),
            Rejection::TierNotAllowed { allowed, .. } => write!(
                f,
                "this code is for members of {}",
                list(&allowed.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Rejection::SegmentNotAllowed { allowed } => write!(
                f,
                "this code is for customers in {}",
                list(&allowed.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Rejection::ConditionNotMet { because } => match because {
                Some(o) => write!(f, "this code's conditions are not met: {o}"),
                None => f.write_str("this code's conditions are not met"),
            },
            Rejection::NotCombinable { with } => {
                write!(f, "this code cannot be combined with {with}")
            }
            Rejection::NothingToDiscount => f.write_str("this code gives nothing on this order"),
        }
    }
}

/// The verdict on one entered code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponVerdict {
    /// The code as the customer entered it.
    pub code: String,
    /// The coupon it matched, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<RuleId>,
    /// Accepted (`None`) or the reason for the refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// A sentence for the customer or a support agent.
    pub message: String,
}

impl CouponVerdict {
    /// Whether the code was accepted.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.rejection.is_none()
    }
}

/// Whether two codes match: equal once normalised with [`normalize_code`],
/// compared without allocating.
#[must_use]
pub fn codes_match(a: &str, b: &str) -> bool {
    a.trim()
        .chars()
        .flat_map(char::to_uppercase)
        .eq(b.trim().chars().flat_map(char::to_uppercase))
}

/// Where a code stands with its validity window at a local time.
pub(crate) fn window_rejection(window: &DateWindow, local: NaiveDateTime) -> Option<Rejection> {
    match window.position(local) {
        crate::calendar::WindowPosition::Before { starts } => {
            Some(Rejection::NotYetValid { starts })
        }
        crate::calendar::WindowPosition::After { ended } => Some(Rejection::Expired { ended }),
        crate::calendar::WindowPosition::Within => None,
    }
}

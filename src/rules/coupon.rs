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
//! let program = loyalty::Program::new(
//!     loyalty::ProgramDefinition::new("shop", loyalty::money::Currency::EUR).coupon(welcome),
//! )?;
//! let coupon = &program.coupons()[0];
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
use crate::error::{Problem, ProgramError, WarningKind};
use crate::order::Sku;
use crate::rules::context::RuleContext;
use crate::rules::ladder::check_percent;
use crate::rules::{DecimalInput, Unbuilt};
use crate::rules::{RuleId, Stacking};

/// What a coupon gives.
///
/// Internally tagged by `type`, e.g. `{"type": "amount_off", "amount": "10.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum CouponReward {
    /// A percent off the eligible lines, with an optional cap.
    PercentOff {
        /// 0 < percent ≤ 100.
        percent: Decimal,
        /// The most it gives.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
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
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponDefinition {
    /// The coupon's id, used in traces and idempotency keys.
    pub id: String,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// The codes that redeem it: one shared code, or a batch.
    pub codes: Vec<String>,
    /// Whether each code of the batch can be used only once overall.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// When it is valid, in the program's local time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub valid: Option<DateWindow>,
    /// The most redemptions overall (per code for a unique batch: 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub usage_limit: Option<u64>,
    /// The most redemptions by one customer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub per_customer_limit: Option<u64>,
    /// The least subtotal of eligible lines.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub min_subtotal: Option<Decimal>,
    /// The fewest eligible units.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub min_quantity: Option<u64>,
    /// Which lines are eligible. Default: every non-exempt line.
    #[serde(default, skip_serializing_if = "LineSelector::is_all")]
    pub lines: LineSelector,
    /// Only on the customer's first order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_order_only: bool,
    /// Only on the customer's Nth order.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub order_number: Option<u64>,
    /// Only for customers in these tiers (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierId>,
    /// Only for customers in one of these segments (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Any further condition.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub condition: Option<Condition>,
    /// What it gives.
    pub reward: CouponReward,
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

/// A validated coupon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coupon {
    /// The definition it was compiled from.
    pub definition: CouponDefinition,
    rule_id: RuleId,
}

/// Normalises an entered code for matching, by one documented rule:
///
/// 1. surrounding space (Unicode white space) and invisible characters
///    removed;
/// 2. with the `unicode` feature (default), Unicode compatibility
///    normalisation (NFKC): a letter and its combining accent become the
///    accented letter, full-width and ligature forms their plain letters
///    (`ﬁ` → `fi`);
/// 3. letters in upper case, by Unicode's full case mapping (`ß` → `SS`,
///    `ſ` → `S`, `ı` → `I`);
/// 4. invisible characters inside removed too (zero-width space, joiners,
///    word joiner, byte-order mark, soft hyphen).
///
/// Two codes of a program that normalise alike are refused at
/// [`Program::new`](crate::Program::new), so every code matches one coupon.
///
/// ```
/// use loyalty::rules::coupon::normalize_code;
///
/// assert_eq!(normalize_code("  welcome10 "), "WELCOME10");
/// assert_eq!(normalize_code("straße"), "STRASSE");
/// assert_eq!(normalize_code("FREE\u{200B}SHIP"), "FREESHIP");
/// # #[cfg(feature = "unicode")]
/// assert_eq!(normalize_code("cafe\u{301}"), normalize_code("café"));
/// ```
#[must_use]
pub fn normalize_code(code: &str) -> String {
    let trimmed = trim_code(code);
    if trimmed.is_ascii() {
        // Nothing to normalise in ASCII but the case.
        return trimmed.to_ascii_uppercase();
    }
    code_chars(code).collect()
}

/// The characters of a code as matched, by [`normalize_code`]'s rule.
fn code_chars(code: &str) -> impl Iterator<Item = char> + '_ {
    let visible = trim_code(code).chars().filter(|c| !is_invisible(*c));
    #[cfg(feature = "unicode")]
    let chars = unicode_normalization::UnicodeNormalization::nfkc(visible);
    #[cfg(not(feature = "unicode"))]
    let chars = visible;
    chars.flat_map(char::to_uppercase)
}

/// A code without the space and invisible characters around it.
fn trim_code(code: &str) -> &str {
    code.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// Characters that show nothing and are dropped from codes.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
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
    /// let welcome = CouponDefinition::new("welcome", "WELCOME10", CouponReward::FreeShipping)
    ///     .first_order_only();
    /// assert!(welcome.first_order_only);
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
            unbuilt: Unbuilt::default(),
        }
    }

    /// A coupon redeemed by `code`, giving `percent` off the eligible lines.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let welcome = CouponDefinition::percent_off("welcome", "WELCOME10", "10")
    ///     .min_subtotal("50.00")
    ///     .first_order_only()
    ///     .per_customer_limit(1);
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).coupon(welcome))?;
    /// assert!(program.coupon_for_code("welcome10").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn percent_off(
        id: impl Into<String>,
        code: impl Into<String>,
        percent: impl DecimalInput,
    ) -> CouponDefinition {
        let mut unbuilt = Unbuilt::default();
        let percent = unbuilt.number("reward.percent", percent);
        let mut coupon =
            CouponDefinition::new(id, code, CouponReward::PercentOff { percent, cap: None });
        coupon.unbuilt = unbuilt;
        coupon
    }

    /// A coupon redeemed by `code`, giving `amount` off the eligible lines.
    #[must_use]
    pub fn amount_off(
        id: impl Into<String>,
        code: impl Into<String>,
        amount: impl DecimalInput,
    ) -> CouponDefinition {
        let mut unbuilt = Unbuilt::default();
        let amount = unbuilt.number("reward.amount", amount);
        let mut coupon = CouponDefinition::new(id, code, CouponReward::AmountOff { amount });
        coupon.unbuilt = unbuilt;
        coupon
    }

    /// Adds a code that redeems it.
    #[must_use]
    pub fn code(mut self, code: impl Into<String>) -> CouponDefinition {
        self.codes.push(code.into());
        self
    }

    /// Makes each code of the batch usable once overall.
    #[must_use]
    pub fn unique(mut self) -> CouponDefinition {
        self.unique = true;
        self
    }

    /// Only on the customer's first order.
    #[must_use]
    pub fn first_order_only(mut self) -> CouponDefinition {
        self.first_order_only = true;
        self
    }

    /// Only for customers in `tier` (add several for any of them). A blank
    /// tier is reported by `Program::new`.
    #[must_use]
    pub fn tier(mut self, tier: &str) -> CouponDefinition {
        match TierId::new(tier) {
            Ok(tier) => self.tiers.push(tier),
            Err(_) => self.unbuilt.keep(
                format!("tiers[{}]", self.tiers.len()),
                Problem::Blank { what: "tier" },
            ),
        }
        self
    }

    /// Only for customers in `segment` (add several for any of them). A
    /// blank segment is reported by `Program::new`.
    #[must_use]
    pub fn segment(mut self, segment: &str) -> CouponDefinition {
        match Segment::new(segment) {
            Ok(segment) => self.segments.push(segment),
            Err(_) => self.unbuilt.keep(
                format!("segments[{}]", self.segments.len()),
                Problem::Blank { what: "segment" },
            ),
        }
        self
    }

    /// Sets the cap of a percent-off reward (ignored by other rewards).
    #[must_use]
    pub fn cap(mut self, cap: impl DecimalInput) -> CouponDefinition {
        let value = self.unbuilt.number("reward.cap", cap);
        if let CouponReward::PercentOff { cap, .. } = &mut self.reward {
            *cap = Some(value);
        }
        self
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> CouponDefinition {
        self.name = Some(name.into());
        self
    }

    /// Sets when it is valid, in the program's local time.
    #[must_use]
    pub fn valid(mut self, valid: DateWindow) -> CouponDefinition {
        self.valid = Some(valid);
        self
    }

    /// Sets the most redemptions overall.
    #[must_use]
    pub fn usage_limit(mut self, usage_limit: u64) -> CouponDefinition {
        self.usage_limit = Some(usage_limit);
        self
    }

    /// Sets the most redemptions by one customer.
    #[must_use]
    pub fn per_customer_limit(mut self, per_customer_limit: u64) -> CouponDefinition {
        self.per_customer_limit = Some(per_customer_limit);
        self
    }

    /// Sets the least subtotal of eligible lines.
    #[must_use]
    pub fn min_subtotal(mut self, min_subtotal: impl DecimalInput) -> CouponDefinition {
        self.min_subtotal = Some(self.unbuilt.number("min_subtotal", min_subtotal));
        self
    }

    /// Sets the fewest eligible units.
    #[must_use]
    pub fn min_quantity(mut self, min_quantity: u64) -> CouponDefinition {
        self.min_quantity = Some(min_quantity);
        self
    }

    /// Sets which lines are eligible.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> CouponDefinition {
        self.lines = lines;
        self
    }

    /// Only on the customer's Nth order.
    #[must_use]
    pub fn order_number(mut self, order_number: u64) -> CouponDefinition {
        self.order_number = Some(order_number);
        self
    }

    /// Sets a further condition.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> CouponDefinition {
        self.condition = Some(condition);
        self
    }

    /// Sets what it gives.
    #[must_use]
    pub fn reward(mut self, reward: CouponReward) -> CouponDefinition {
        self.reward = reward;
        self
    }

    /// Sets how it combines with other discounts.
    #[must_use]
    pub fn stacking(mut self, stacking: Stacking) -> CouponDefinition {
        self.stacking = stacking;
        self
    }

    /// Sets the priority (higher goes first when the program picks by priority).
    #[must_use]
    pub fn priority(mut self, priority: i32) -> CouponDefinition {
        self.priority = priority;
        self
    }

    /// Validates the coupon against its program: its lines, condition and
    /// tiers, amounts in the program's currency; warns of a percent below 1
    /// and of restrictions that contradict each other.
    pub(crate) fn validate(
        self,
        path: &str,
        ctx: &mut RuleContext<'_>,
    ) -> Result<Coupon, ProgramError> {
        self.unbuilt.check(path)?;
        ctx.discount_lines(&format!("{path}.lines"), &self.lines)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())?;
        if let Some(valid) = &self.valid {
            ctx.window(&format!("{path}.valid"), valid);
        }
        let coupon = self.compile(path)?;
        let def = &coupon.definition;
        if let Some(min) = def.min_subtotal {
            ctx.amount(format!("{path}.min_subtotal"), min)?;
        }
        match &def.reward {
            CouponReward::PercentOff { percent, cap } => {
                if let Some(cap) = cap {
                    ctx.amount(format!("{path}.reward.cap"), *cap)?;
                }
                ctx.percent_warnings(format!("{path}.reward.percent"), *percent);
            }
            CouponReward::AmountOff { amount } | CouponReward::AmountOffEachUnit { amount } => {
                ctx.amount(format!("{path}.reward.amount"), *amount)?;
            }
            CouponReward::FreeGift { value, .. } => {
                ctx.amount(format!("{path}.reward.value"), *value)?;
            }
            _ => {}
        }
        for (t, tier) in def.tiers.iter().enumerate() {
            ctx.tier(format!("{path}.tiers[{t}]"), tier)?;
        }
        if def.first_order_only
            && let Some(n) = def.order_number.filter(|n| *n != 1)
        {
            ctx.warn(
                format!("{path}.order_number"),
                WarningKind::FirstOrderAndOrderNumber { order_number: n },
            );
        }
        Ok(coupon)
    }

    /// Validates the definition on its own; `path` names it in errors (`coupons[3]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] naming the field and the fix.
    pub(crate) fn compile(self, path: &str) -> Result<Coupon, ProgramError> {
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
    /// The coupon depends on the order number (first or Nth order) and
    /// the checkout's customer has no stats to tell it.
    OrderNumberUnknown,
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
    /// A guest checkout: the coupon needs a customer record (a
    /// per-customer limit, the order number, a tier or a segment).
    GuestCheckout {
        /// What the coupon needs of the record.
        needs: crate::customer::RecordNeed,
    },
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
            Rejection::OrderNumberUnknown => f.write_str(
                "this code depends on the order number, which is unknown: the checkout has no customer stats",
            ),
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
            Rejection::GuestCheckout { needs } => write!(
                f,
                "guest checkout: no customer record: this code {needs}; sign in to use it"
            ),
        }
    }
}

/// The verdict on one entered code.
///
/// Serialised with its [`message`](Self::message) beside the data; the
/// message is ignored when read back.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "CouponVerdictData")]
#[non_exhaustive]
pub struct CouponVerdict {
    /// The code as the customer entered it.
    pub code: String,
    /// The coupon it matched, if any.
    pub coupon: Option<RuleId>,
    /// Accepted (`None`) or the reason for the refusal.
    pub rejection: Option<Rejection>,
}

impl CouponVerdict {
    /// A sentence for the customer or a support agent: "applied", or the
    /// reason for the refusal ("this code expired at 2026-11-30 23:59").
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for CouponVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rejection {
            None => f.write_str("applied"),
            Some(rejection) => rejection.fmt(f),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CouponVerdictData {
    code: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    coupon: Option<RuleId>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    rejection: Option<Rejection>,
    #[serde(default, skip_deserializing)]
    message: String,
}

impl From<CouponVerdictData> for CouponVerdict {
    fn from(d: CouponVerdictData) -> CouponVerdict {
        CouponVerdict {
            code: d.code,
            coupon: d.coupon,
            rejection: d.rejection,
        }
    }
}

impl Serialize for CouponVerdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 2 + usize::from(self.coupon.is_some()) + usize::from(self.rejection.is_some());
        let mut s = serializer.serialize_struct("CouponVerdict", fields)?;
        s.serialize_field("code", &self.code)?;
        if let Some(coupon) = &self.coupon {
            s.serialize_field("coupon", coupon)?;
        }
        if let Some(rejection) = &self.rejection {
            s.serialize_field("rejection", rejection)?;
        }
        s.serialize_field("message", &crate::util::Sentence(self))?;
        s.end()
    }
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
    let (a, b) = (trim_code(a), trim_code(b));
    if a == b {
        return true;
    }
    // Two ASCII texts (no accents, no invisible characters) compare by
    // ASCII case; `ı`, `ſ` and the like need the full rule.
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    code_chars(a).eq(code_chars(b))
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

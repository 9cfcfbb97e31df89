//! Coupons: promotions behind codes a customer enters.
//!
//! A coupon is a [`Promotion`] with codes: one shared code (`WELCOME10`)
//! or a batch of unique single-use codes under one set of rules;
//! [`CouponDefinition`] is [`PromotionDefinition`] and [`CouponReward`] is
//! [`Reward`]. Codes match ignoring case and surrounding space. Every
//! entered code gets a [`CouponVerdict`]: accepted, or rejected with a
//! machine-readable [`Rejection`] that carries its data and prints a
//! message for people.
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
use crate::condition::Observation;
use crate::customer::{Segment, TierId};
use crate::rules::RuleId;
use crate::rules::ladder::LadderBasis;
pub use crate::rules::promotion::{Promotion, PromotionDefinition, Reward};

/// What a coupon gives: a promotion's [`Reward`].
pub type CouponReward = Reward;

/// A coupon as written in a program file: a [`PromotionDefinition`] with
/// codes.
pub type CouponDefinition = PromotionDefinition;

/// A validated coupon: a [`Promotion`] with codes.
pub type Coupon = Promotion;

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
    /// The eligible lines do not come to more than an exclusive minimum
    /// (`{"above": …}`): the subtotal must be above it. Amounts are
    /// written with the currency's decimals; `missing` is the minimum less
    /// the subtotal, plus one minor unit (at 50.00 above 50.00, 0.01).
    NotAboveMinimum {
        /// The minimum the subtotal must be above.
        minimum: Decimal,
        /// The eligible subtotal.
        subtotal: Decimal,
        /// What is missing to be above it.
        missing: Decimal,
    },
    /// The eligible lines come to more than an inclusive maximum: the
    /// subtotal must be at most it. `excess` is the subtotal less the
    /// maximum.
    AboveMaximum {
        /// The maximum.
        maximum: Decimal,
        /// The eligible subtotal.
        subtotal: Decimal,
        /// How much the subtotal is over.
        excess: Decimal,
    },
    /// The eligible lines do not come to less than an exclusive maximum
    /// (`{"below": …}`): the subtotal must be below it. `excess` is the
    /// subtotal less the maximum, plus one minor unit.
    NotBelowMaximum {
        /// The maximum the subtotal must be below.
        maximum: Decimal,
        /// The eligible subtotal.
        subtotal: Decimal,
        /// How much must go for the subtotal to be below it.
        excess: Decimal,
    },
    /// The promotion's discount on this order would take what it gave in
    /// all above its spend budget: it is refused whole (not given in
    /// part). Amounts with the currency's decimals.
    BudgetExceeded {
        /// The budget.
        budget: Decimal,
        /// What it gave before this order, as the checkout said.
        spent: Decimal,
        /// Its discount on this order.
        amount: Decimal,
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
    /// A buy X get Y with two selectors finds too few units to buy `buy`
    /// and get `get` more, a unit counting as bought or got, never both.
    BuyGetNotMet {
        /// Units to buy in each application.
        buy: u32,
        /// Units got in each application.
        get: u32,
        /// The units the buy selector takes.
        to_buy: u64,
        /// The units the get selector takes.
        to_get: u64,
    },
    /// The promotion's steps measure a basis below the first step's
    /// threshold (amounts with the currency's decimals).
    BelowFirstStep {
        /// What the steps measure.
        basis: LadderBasis,
        /// The basis measured.
        measured: Decimal,
        /// The first step's threshold.
        first: Decimal,
        /// What is missing to reach it.
        missing: Decimal,
    },
    /// A guest checkout: the promotion needs a customer record (a
    /// per-customer limit, the order number, a tier or a segment).
    GuestCheckout {
        /// What the promotion needs of the record.
        needs: crate::customer::RecordNeed,
    },
    /// The promotion has no amount in the order's currency, so it does
    /// not apply to orders in it.
    CurrencyMismatch {
        /// The order's currency.
        currency: crate::money::Currency,
        /// The first of the promotion's amounts with none in it, e.g.
        /// `coupons[0].reward.amount`.
        missing: String,
    },
}

impl fmt::Display for Rejection {
    /// The sentence for an entered code: "this code expired at …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f, "this code")
    }
}

impl Rejection {
    /// The sentence for an automatic promotion: "this offer expired at …".
    pub(crate) fn for_offer(&self) -> impl fmt::Display + '_ {
        struct Offer<'a>(&'a Rejection);
        impl fmt::Display for Offer<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.describe(f, "this offer")
            }
        }
        Offer(self)
    }

    /// The sentence, `this` naming what was refused ("this code", "this
    /// offer").
    fn describe(&self, f: &mut fmt::Formatter<'_>, this: &str) -> fmt::Result {
        let list = |items: &[String]| items.join(", ");
        match self {
            Rejection::UnknownCode => write!(f, "{this} does not exist"),
            Rejection::DuplicateCode => write!(f, "{this} was already entered"),
            Rejection::CouponAlreadyEntered => f.write_str(
                "another code of this offer is already applied: it applies once per order",
            ),
            Rejection::NotYetValid { starts } => {
                write!(
                    f,
                    "{this} is not valid yet: it starts at {}",
                    starts.format("%Y-%m-%d %H:%M")
                )
            }
            Rejection::Expired { ended } => {
                write!(f, "{this} expired at {}", ended.format("%Y-%m-%d %H:%M"))
            }
            Rejection::UsageLimitReached { limit, .. } => {
                write!(f, "{this} has reached its limit of {limit} uses")
            }
            Rejection::PerCustomerLimitReached { limit, .. } => {
                write!(
                    f,
                    "you have already used {this} {limit} time(s), the most allowed"
                )
            }
            Rejection::MinimumNotMet {
                minimum, missing, ..
            } => write!(
                f,
                "the minimum for {this} is {}: add {} more of eligible items",
                minimum, missing
            ),
            Rejection::NotAboveMinimum {
                minimum, missing, ..
            } => write!(
                f,
                "{this} needs eligible items above {minimum}: add {missing} more"
            ),
            Rejection::AboveMaximum {
                maximum, excess, ..
            } => write!(
                f,
                "{this} is for eligible items of at most {maximum}: they are {excess} over"
            ),
            Rejection::NotBelowMaximum {
                maximum, excess, ..
            } => write!(
                f,
                "{this} is for eligible items below {maximum}: they are {excess} over"
            ),
            Rejection::BudgetExceeded {
                budget,
                spent,
                amount,
            } => {
                let left = budget
                    .checked_sub(*spent)
                    .map_or(Decimal::ZERO, |left| left.max(Decimal::ZERO));
                write!(
                    f,
                    "{this} has {left} left of its budget of {budget}, less than its discount of {amount} on this order"
                )
            }
            Rejection::MinimumQuantityNotMet {
                minimum, missing, ..
            } => write!(
                f,
                "{this} needs {minimum} eligible items: add {missing} more"
            ),
            Rejection::NoEligibleItems => {
                write!(f, "no item in the basket is eligible for {this}")
            }
            Rejection::NotFirstOrder { .. } => write!(f, "{this} is for a first order only"),
            Rejection::OrderNumberUnknown => write!(
                f,
                "{this} depends on the order number, which is unknown: the checkout has no customer stats",
            ),
            Rejection::NotNthOrder {
                required,
                order_number,
            } => write!(
                f,
                "{this} is for order number {required}; this is order {order_number}"
            ),
            Rejection::TierNotAllowed { allowed, .. } => write!(
                f,
                "{this} is for members of {}",
                list(&allowed.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Rejection::SegmentNotAllowed { allowed } => write!(
                f,
                "{this} is for customers in {}",
                list(&allowed.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Rejection::ConditionNotMet { because } => match because {
                Some(o) => write!(f, "{this}'s conditions are not met: {o}"),
                None => write!(f, "{this}'s conditions are not met"),
            },
            Rejection::NotCombinable { with } => {
                write!(f, "{this} cannot be combined with {with}")
            }
            Rejection::NothingToDiscount => write!(f, "{this} gives nothing on this order"),
            Rejection::BuyGetNotMet {
                buy,
                get,
                to_buy,
                to_get,
            } => write!(
                f,
                "{this} needs {buy} eligible item(s) bought and {get} more to get, each unit counting once: the basket has {to_buy} to buy and {to_get} to get"
            ),
            Rejection::BelowFirstStep {
                basis,
                measured,
                first,
                missing,
            } => match basis {
                LadderBasis::Subtotal => write!(
                    f,
                    "{this} starts at a subtotal of {first} (eligible items: {measured}): add {missing} more"
                ),
                LadderBasis::Quantity => write!(
                    f,
                    "{this} starts at {first} eligible items ({measured} in the basket): add {missing} more"
                ),
                LadderBasis::LineAmount => write!(
                    f,
                    "{this} starts at a line amount of {first} (best eligible line: {measured}): add {missing} more to one line"
                ),
                LadderBasis::LineQuantity => write!(
                    f,
                    "{this} starts at {first} units on one line (best eligible line: {measured}): add {missing} more to one line"
                ),
                LadderBasis::Shipping => write!(
                    f,
                    "{this} starts at a shipping charge of {first} (this order's: {measured})"
                ),
            },
            Rejection::GuestCheckout { needs } => write!(
                f,
                "guest checkout: no customer record: {this} {needs}; sign in to use it"
            ),
            Rejection::CurrencyMismatch { currency, missing } => write!(
                f,
                "{this} is not valid for orders in {currency} (no amount in {currency} at {missing})"
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

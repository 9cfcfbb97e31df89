//! What an evaluation returns: every amount, per line and in total, the
//! verdict on each coupon, the trace of why, and the effects to store.
//!
//! Amounts are [`Decimal`]s in the evaluation's `currency`, serialised as
//! strings (`"12.50"`), rounded to the currency's minor unit.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::customer::CustomerId;
use crate::money::{Currency, Money};
use crate::order::{LineId, OrderId, Sku};
use crate::program::ProgramId;
use crate::rules::RuleId;
use crate::rules::coupon::CouponVerdict;
use crate::rules::ladder::NextStep;

mod receipt;
mod trace;

use crate::util::Sentence;
pub use trace::{BonusMiss, DiscountDetail, MinimumOf, Reason, Stage, StepGiven, TraceEntry};

/// The result of [`Program::evaluate`](crate::program::Program::evaluate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// The program that evaluated.
    pub program: ProgramId,
    /// The order evaluated.
    pub order: OrderId,
    /// The customer; for a guest checkout, the stand-in
    /// [`CustomerId::guest`] (and `guest` is true).
    pub customer: CustomerId,
    /// Whether the checkout was a guest's (no customer record): nothing is
    /// credited, and the points and cashback the order would earn are
    /// reported as `unclaimed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guest: bool,
    /// The instant of evaluation.
    pub at: DateTime<Utc>,
    /// The currency of every amount below.
    pub currency: Currency,
    /// Each line: gross, the discounts on it, net.
    pub lines: Vec<LineOutcome>,
    /// The lines left out of the evaluation (quantity 0, under a program
    /// that asks for lenient input), so that nothing the host passed is
    /// lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_lines: Vec<IgnoredLine>,
    /// The discounts applied, in the order they were applied.
    pub discounts: Vec<AppliedDiscount>,
    /// Gift lines to add to the order, free.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gifts: Vec<Gift>,
    /// One verdict per entered code, in the order entered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<CouponVerdict>,
    /// Where the order stands on each ladder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladders: Vec<LadderOutcome>,
    /// The redemptions asked (points, then cashback): applied or refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redemptions: Vec<RedemptionOutcome>,
    /// The order's totals.
    pub totals: Totals,
    /// The points the order earns.
    #[serde(default)]
    pub points: PointsOutcome,
    /// The cashback the order earns.
    #[serde(default)]
    pub cashback: CashbackOutcome,
    /// Why each rule applied or not, for people and machines.
    pub trace: Vec<TraceEntry>,
    /// What the host must store, each with an idempotency key.
    pub effects: Vec<Effect>,
}

impl Evaluation {
    /// The line outcome of `line`.
    #[must_use]
    pub fn line(&self, line: &str) -> Option<&LineOutcome> {
        self.lines.iter().find(|l| l.line.as_str() == line)
    }

    /// The verdict on an entered code (as entered, or ignoring case).
    #[must_use]
    pub fn coupon(&self, code: &str) -> Option<&CouponVerdict> {
        let wanted = crate::rules::coupon::normalize_code(code);
        self.coupons
            .iter()
            .find(|v| crate::rules::coupon::normalize_code(&v.code) == wanted)
    }

    /// An amount of this evaluation, with its currency.
    #[must_use]
    pub fn money(&self, amount: Decimal) -> Money {
        Money::new(amount, self.currency)
    }

    /// What the customer pays, with the currency.
    ///
    /// ```
    /// # use loyalty::prelude::*;
    /// # let program = Program::new(ProgramDefinition::new("p", Currency::EUR))?;
    /// # let at = "2026-01-01T00:00:00Z".parse()?;
    /// # let order = Order::builder("A", "C", at, Currency::EUR)
    /// #     .line(Line::new("1", "S", 2, Money::parse("12.50", Currency::EUR)?)).build()?;
    /// let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C")?, at))?;
    /// assert_eq!(evaluation.payable().to_string(), "25.00 EUR");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn payable(&self) -> Money {
        self.money(self.totals.payable)
    }

    /// The discount on the items and on shipping together, with the
    /// currency.
    #[must_use]
    pub fn total_discount(&self) -> Money {
        // Both are at most the order's amounts, far below Decimal's range.
        self.money(
            self.totals
                .discount
                .saturating_add(self.totals.shipping_discount),
        )
    }

    /// The cashback earned, with the currency.
    #[must_use]
    pub fn cashback_earned(&self) -> Money {
        self.money(self.cashback.total)
    }

    /// The discount applied by a rule, by its id.
    #[must_use]
    pub fn discount(&self, rule: &str) -> Option<&AppliedDiscount> {
        self.discounts.iter().find(|d| d.rule.id == rule)
    }
}

/// The totals of an evaluation without its detail, from
/// [`Program::summarize`](crate::program::Program::summarize).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// The currency of every amount.
    pub currency: Currency,
    /// The order's totals, as in the full evaluation.
    pub totals: Totals,
    /// All the points the order earns.
    pub points: Decimal,
    /// All the cashback the order earns.
    pub cashback: Decimal,
}

/// One line of the order after discounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineOutcome {
    /// The line.
    pub line: LineId,
    /// Its sku.
    pub sku: Sku,
    /// Unit price × quantity.
    pub gross: Decimal,
    /// Each discount's part on this line.
    #[serde(default, skip_serializing_if = "LineDiscounts::is_empty")]
    pub discounts: LineDiscounts,
    /// Gross less its discounts; never below zero.
    pub net: Decimal,
}

/// The discounts' parts on one line, in the order the discounts applied:
/// read as a slice (`line.discounts[0]`, `.iter()`, `.len()`), serialised
/// as a list. Up to two are kept in place, without an allocation of their
/// own, since most lines get one or two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineDiscounts(Parts);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Parts {
    #[default]
    None,
    One([LineDiscount; 1]),
    Two([LineDiscount; 2]),
    Many(Vec<LineDiscount>),
}

impl LineDiscounts {
    /// No discount.
    #[must_use]
    pub fn new() -> LineDiscounts {
        LineDiscounts(Parts::None)
    }

    /// Whether the line has no discount.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a part.
    pub fn push(&mut self, part: LineDiscount) {
        self.0 = match std::mem::take(&mut self.0) {
            Parts::None => Parts::One([part]),
            Parts::One([first]) => Parts::Two([first, part]),
            Parts::Two([first, second]) => Parts::Many(vec![first, second, part]),
            Parts::Many(mut parts) => {
                parts.push(part);
                Parts::Many(parts)
            }
        };
    }
}

impl std::ops::Deref for LineDiscounts {
    type Target = [LineDiscount];
    fn deref(&self) -> &[LineDiscount] {
        match &self.0 {
            Parts::None => &[],
            Parts::One(parts) => parts,
            Parts::Two(parts) => parts,
            Parts::Many(parts) => parts,
        }
    }
}

impl<'a> IntoIterator for &'a LineDiscounts {
    type Item = &'a LineDiscount;
    type IntoIter = std::slice::Iter<'a, LineDiscount>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<LineDiscount> for LineDiscounts {
    fn from_iter<I: IntoIterator<Item = LineDiscount>>(parts: I) -> LineDiscounts {
        let mut out = LineDiscounts::new();
        for part in parts {
            out.push(part);
        }
        out
    }
}

impl Serialize for LineDiscounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for LineDiscounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<LineDiscount>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// A discount's part on one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineDiscount {
    /// The rule that gave it.
    pub rule: RuleRef,
    /// The part of the discount allocated to the line.
    pub amount: Decimal,
}

/// What kind of rule a reference points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleKind {
    /// A progressive discount ladder.
    Ladder,
    /// A coupon.
    Coupon,
    /// A promotion of the program's `promotions` list, automatic or behind
    /// codes (a ladder keeps `ladder`, a coupon `coupon`).
    Promotion,
    /// A points earning rule.
    Earn,
    /// A points bonus.
    Bonus,
    /// A points campaign (a multiplier while a condition holds).
    Campaign,
    /// A cashback rule.
    Cashback,
    /// A tier of the program, or one the customer carries.
    Tier,
    /// Paying with points (id `points`) or cashback (id `cashback`).
    Redemption,
    /// A line of the order (id: the line's id), for what is said about
    /// the line itself: a line of quantity 0 ignored.
    Line,
    /// The checkout's customer (id `guest` for a guest checkout).
    Customer,
}

/// A rule of the program, by kind and id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleRef {
    /// The kind.
    pub kind: RuleKind,
    /// The id.
    pub id: RuleId,
}

impl RuleRef {
    /// A reference to the rule `id` of `kind`.
    #[must_use]
    pub fn new(kind: RuleKind, id: RuleId) -> RuleRef {
        RuleRef { kind, id }
    }
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            RuleKind::Ladder => write!(f, "ladder {}", self.id),
            RuleKind::Coupon => write!(f, "coupon {}", self.id),
            RuleKind::Promotion => write!(f, "promotion {}", self.id),
            RuleKind::Earn => write!(f, "earning rule {}", self.id),
            RuleKind::Bonus => write!(f, "bonus {}", self.id),
            RuleKind::Campaign => write!(f, "campaign {}", self.id),
            RuleKind::Cashback => write!(f, "cashback {}", self.id),
            RuleKind::Tier => write!(f, "tier {}", self.id),
            RuleKind::Redemption => write!(f, "redemption with {}", self.id),
            RuleKind::Line => write!(f, "line {}", self.id),
            RuleKind::Customer => write!(f, "customer {}", self.id),
        }
    }
}

/// What a discount comes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// The lines.
    Items,
    /// The shipping charge.
    Shipping,
}

/// A discount the evaluation applied.
///
/// Serialised with its [`description`](Self::description) beside the data;
/// the description is ignored when read back.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "AppliedDiscountData")]
#[non_exhaustive]
pub struct AppliedDiscount {
    /// The rule.
    pub rule: RuleRef,
    /// The rule's name for people, when it has one.
    pub name: Option<String>,
    /// The code that redeemed it, for a coupon.
    pub code: Option<String>,
    /// What it comes off.
    pub target: Target,
    /// The amount, rounded once to the minor unit.
    pub amount: Decimal,
    /// How it was reached, as data.
    pub detail: DiscountDetail,
    /// Whether the program's cap on the total discount reduced it.
    pub capped_by_total: bool,
}

impl AppliedDiscount {
    /// How it was reached, in words: "step 3 reached (15% from 300.00) on
    /// subtotal 317.70".
    #[must_use]
    pub fn description(&self) -> String {
        self.to_string()
    }
}

#[derive(Serialize, Deserialize)]
struct AppliedDiscountData {
    rule: RuleRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    target: Target,
    amount: Decimal,
    detail: DiscountDetail,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    capped_by_total: bool,
    #[serde(default, skip_deserializing)]
    description: String,
}

impl From<AppliedDiscountData> for AppliedDiscount {
    fn from(d: AppliedDiscountData) -> AppliedDiscount {
        AppliedDiscount {
            rule: d.rule,
            name: d.name,
            code: d.code,
            target: d.target,
            amount: d.amount,
            detail: d.detail,
            capped_by_total: d.capped_by_total,
        }
    }
}

impl Serialize for AppliedDiscount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 5
            + usize::from(self.name.is_some())
            + usize::from(self.code.is_some())
            + usize::from(self.capped_by_total);
        let mut s = serializer.serialize_struct("AppliedDiscount", fields)?;
        s.serialize_field("rule", &self.rule)?;
        if let Some(name) = &self.name {
            s.serialize_field("name", name)?;
        }
        if let Some(code) = &self.code {
            s.serialize_field("code", code)?;
        }
        s.serialize_field("target", &self.target)?;
        s.serialize_field("amount", &self.amount)?;
        s.serialize_field("detail", &self.detail)?;
        if self.capped_by_total {
            s.serialize_field("capped_by_total", &true)?;
        }
        s.serialize_field("description", &Sentence(self))?;
        s.end()
    }
}

/// A free gift line to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Gift {
    /// The promotion (or coupon) that gives it.
    pub rule: RuleRef,
    /// The gift's sku.
    pub sku: Sku,
    /// Units.
    pub quantity: u32,
    /// What it is worth.
    pub value: Decimal,
}

/// Where the order stands on a ladder, or on the steps of a promotion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LadderOutcome {
    /// The ladder's (or promotion's) id.
    pub ladder: RuleId,
    /// The basis measured: an amount or a number of units.
    pub basis: Decimal,
    /// The index of the highest step reached (0 for the first; see
    /// [`step_number`](Self::step_number)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// The next step and what is missing to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
    /// The discount it gave (zero when not applied).
    pub amount: Decimal,
}

impl LadderOutcome {
    /// The step reached, counted from 1 as the sentences count ("step 3").
    #[must_use]
    pub fn step_number(&self) -> Option<usize> {
        self.step.map(|s| s + 1)
    }
}

/// The order's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Totals {
    /// Every line's gross.
    pub subtotal: Decimal,
    /// The discounts on lines.
    pub discount: Decimal,
    /// The shipping charged before discounts.
    pub shipping: Decimal,
    /// The discount on shipping.
    pub shipping_discount: Decimal,
    /// Paid with points and cashback (not a discount: the customer pays
    /// with what they hold).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub redeemed: Decimal,
    /// What the customer pays in money: subtotal − discount + shipping −
    /// shipping discount − redeemed. Never negative.
    pub payable: Decimal,
}

/// A line the evaluation left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IgnoredLine {
    /// The line.
    pub line: LineId,
    /// Its product.
    pub sku: crate::order::Sku,
    /// Why it was left out.
    pub reason: IgnoredBecause,
}

/// Why a line was left out of an evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IgnoredBecause {
    /// Its quantity is 0, and the program asks for lenient input.
    ZeroQuantity,
}

/// The points an order earns, rule by rule and line by line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PointsOutcome {
    /// All points: the lines' and the order-level ones.
    pub total: Decimal,
    /// What each earning rule gave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RulePoints>,
    /// Bonuses for the order as a whole (program bonuses and coupons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonuses: Vec<BonusPoints>,
    /// The points attributable to each line, for reversing a partial
    /// return; with `shipping` they sum to `total − order_level`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LinePoints>,
    /// Points of the order as a whole: per-order rules and bonuses.
    pub order_level: Decimal,
    /// The points attributable to shipping, earned by the rules that
    /// include it (`include_shipping`); taken back when the shipping is
    /// refunded. Zero, and left out of the JSON, otherwise. The order's
    /// [`Effect::CreditPoints`] counts them in its `points`, beside its
    /// `lines` and `order_level`.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub shipping: Decimal,
    /// The line multipliers that applied, in the program's order: each
    /// with its factor and the lines it applied to. They scale the points
    /// of every earning rule that takes multipliers, on those lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_multipliers: Vec<LineMultiplierApplied>,
    /// When the points become available (after the return window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<DateTime<Utc>>,
    /// When they expire, if they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The points the order would earn but that nobody is credited: the
    /// checkout is a guest's (no customer record, no wallet). Everything
    /// above is then zero; a host may show "create an account to earn
    /// these", or evaluate the order again for the customer once they have
    /// a record.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub unclaimed: Decimal,
}

/// A line multiplier of the program that applied to lines of the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineMultiplierApplied {
    /// The multiplier's id.
    pub id: String,
    /// Its factor.
    pub factor: Decimal,
    /// The lines it applied to, in the order's order (a line on which an
    /// earlier multiplier with `stop` applied is not among them).
    pub lines: Vec<LineId>,
}

/// What one earning rule gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RulePoints {
    /// The rule.
    pub rule: RuleRef,
    /// The rule's name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The base it counted: an amount (the shipping included when the rule
    /// includes it), a number of units or lines, or 1 order.
    pub base: Decimal,
    /// The combined multiplier on the order (lines may have their own).
    pub multiplier: Decimal,
    /// The points, rounded and capped.
    pub points: Decimal,
    /// Whether the rule's cap cut them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// A bonus given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BonusPoints {
    /// The bonus (or the coupon giving it).
    pub rule: RuleRef,
    /// The points.
    pub points: Decimal,
}

/// The points attributable to a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LinePoints {
    /// The line.
    pub line: LineId,
    /// Its points.
    pub points: Decimal,
}

/// The cashback an order earns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CashbackOutcome {
    /// All cashback, rounded to the minor unit.
    pub total: Decimal,
    /// What each rule gave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleCashback>,
    /// The cashback attributable to each line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineCashback>,
    /// The cashback attributable to shipping (rules that include it).
    pub shipping: Decimal,
    /// When it becomes available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<DateTime<Utc>>,
    /// When it expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The cashback the order would earn but that nobody is credited: the
    /// checkout is a guest's. Everything above is then zero.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub unclaimed: Decimal,
}

/// What one cashback rule gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleCashback {
    /// The rule.
    pub rule: RuleRef,
    /// The net paid it counted.
    pub base: Decimal,
    /// The percent used (effective percent for a bracket ladder).
    pub percent: Decimal,
    /// The cashback, rounded once.
    pub amount: Decimal,
    /// Whether the cap (or the payable amount) cut it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// What a redemption pays with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionKind {
    /// Points, at the program's rate.
    Points,
    /// Cashback (store credit), one for one.
    Cashback,
}

impl RedemptionKind {
    /// The rule id that names it in discounts and the trace: `points` or
    /// `cashback`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RedemptionKind::Points => "points",
            RedemptionKind::Cashback => "cashback",
        }
    }
}

/// A redemption asked at checkout: what it paid, or why it was refused.
///
/// A refused redemption is not an error: the order is evaluated without
/// it, and `refused` says what to change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RedemptionOutcome {
    /// Points or cashback.
    pub kind: RedemptionKind,
    /// What was asked.
    pub asked: crate::rules::redemption::Ask,
    /// What the customer had available, as the checkout said.
    pub available: Decimal,
    /// Points used (0 for cashback, or when refused).
    pub points: Decimal,
    /// What it paid, in the evaluation's currency (0 when refused).
    pub amount: Decimal,
    /// Why it was refused, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<RedemptionRefusal>,
}

impl RedemptionOutcome {
    /// Whether it paid part of the order.
    #[must_use]
    pub fn is_applied(&self) -> bool {
        self.refused.is_none()
    }
}

/// Why a redemption was refused. Figures are points for a points
/// redemption, amounts for cashback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RedemptionRefusal {
    /// The program does not let customers pay with this.
    #[error("the program does not take {kind:?} as payment")]
    NotOffered {
        /// Points or cashback.
        kind: RedemptionKind,
    },
    /// More was asked than is available.
    #[error("{asked} asked, but only {available} available")]
    NotEnoughAvailable {
        /// What was asked.
        asked: Decimal,
        /// What is available.
        available: Decimal,
    },
    /// Below the program's minimum.
    #[error("{asked} is below the minimum of {minimum}")]
    BelowMinimum {
        /// What was asked (for "all": what would have been used).
        asked: Decimal,
        /// The minimum.
        minimum: Decimal,
    },
    /// Not a whole multiple of the program's step.
    #[error("{asked} is not a multiple of {step}")]
    NotAMultipleOfStep {
        /// What was asked.
        asked: Decimal,
        /// The step.
        step: Decimal,
    },
    /// It would pay more than the program lets it (its share of the
    /// payable amount, or the lines it may pay for).
    #[error("{asked} is above the most this order takes, {maximum}")]
    AboveMaximum {
        /// What was asked.
        asked: Decimal,
        /// The most the order takes (a multiple of the step).
        maximum: Decimal,
    },
    /// Nothing is left to pay on the lines it may pay for.
    #[error("nothing is left to pay on the lines it may pay for")]
    NothingToPay,
    /// A guest checkout: no customer record, so no balance to pay with.
    #[error("guest checkout: no customer record, so no balance to pay with")]
    NoCustomerRecord,
    /// The cashback available is in another currency than the order's.
    #[error(
        "the cashback available is in {balance}, the order in {order}: pass the customer's cashback in {order}"
    )]
    OtherCurrency {
        /// The currency of the cashback available.
        balance: crate::money::Currency,
        /// The order's currency.
        order: crate::money::Currency,
    },
}

/// The cashback attributable to a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineCashback {
    /// The line.
    pub line: LineId,
    /// Its cashback.
    pub amount: Decimal,
}

/// Whom a use of a coupon or a promotion counts against
/// ([`Effect::CouponRedemption`], [`Effect::PromotionRedemption`]): the
/// customer's record, or nobody for a guest checkout, whose use counts
/// overall only. In JSON, the customer's id; left out for a guest.
///
/// ```
/// use loyalty::customer::CustomerId;
/// use loyalty::evaluation::UsedBy;
///
/// let used_by: UsedBy = "C-1".parse()?;
/// assert_eq!(used_by.id().map(CustomerId::as_str), Some("C-1"));
/// assert_eq!(UsedBy::guest(), None);
/// assert!(UsedBy::guest().is_guest());
/// # Ok::<(), loyalty::id::EmptyIdError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct UsedBy(Option<CustomerId>);

impl UsedBy {
    /// A use by the customer `id`.
    #[must_use]
    pub fn customer(id: CustomerId) -> UsedBy {
        UsedBy(Some(id))
    }

    /// A use by a guest: counted overall only.
    #[must_use]
    pub fn guest() -> UsedBy {
        UsedBy(None)
    }

    /// The customer's id; `None` for a guest.
    #[must_use]
    pub fn id(&self) -> Option<&CustomerId> {
        self.0.as_ref()
    }

    /// Whether the use is a guest's.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.0.is_none()
    }
}

impl From<CustomerId> for UsedBy {
    fn from(id: CustomerId) -> UsedBy {
        UsedBy(Some(id))
    }
}

impl From<Option<CustomerId>> for UsedBy {
    fn from(id: Option<CustomerId>) -> UsedBy {
        UsedBy(id)
    }
}

impl From<UsedBy> for Option<CustomerId> {
    fn from(used_by: UsedBy) -> Option<CustomerId> {
        used_by.0
    }
}

impl std::str::FromStr for UsedBy {
    type Err = crate::id::EmptyIdError;
    /// A use by the customer whose id is `s`.
    fn from_str(s: &str) -> Result<UsedBy, Self::Err> {
        Ok(UsedBy(Some(s.parse()?)))
    }
}

impl PartialEq<Option<CustomerId>> for UsedBy {
    fn eq(&self, other: &Option<CustomerId>) -> bool {
        self.0 == *other
    }
}

impl PartialEq<UsedBy> for Option<CustomerId> {
    fn eq(&self, other: &UsedBy) -> bool {
        *self == other.0
    }
}

/// Something the host must store. Each carries an idempotency key built
/// from the program id, the order id and the rule, so storing it twice is
/// harmless.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// Record one redemption of a coupon code.
    ///
    /// The usage counts are those the evaluation saw. Store the redemption
    /// with a compare-and-set on them (increment only if the stored counts
    /// still equal these), and re-evaluate if it fails: no limit is ever
    /// oversold under concurrent checkouts.
    CouponRedemption {
        /// `program/order/coupon:id:CODE`.
        key: String,
        /// The coupon's id.
        coupon: RuleId,
        /// The code, normalised.
        code: String,
        /// The customer; left out for a guest checkout (count the use
        /// overall only: a guest has no record to count it against).
        #[serde(default, skip_serializing_if = "UsedBy::is_guest")]
        customer: UsedBy,
        /// Redemptions overall the evaluation saw (of the code for a unique
        /// batch, of the coupon otherwise).
        seen_overall: u64,
        /// Redemptions by this customer the evaluation saw.
        seen_by_customer: u64,
    },
    /// Record one use of an automatic promotion that limits its uses
    /// (`usage_limit`, `per_customer_limit`); an automatic promotion
    /// without a limit leaves no such effect.
    ///
    /// The counts are those the checkout's `promotion_usage` gave for it
    /// (zero when not listed). Store the use with a compare-and-set on
    /// them, as for a coupon, and re-evaluate if it fails.
    PromotionRedemption {
        /// `program/order/promotion:id`.
        key: String,
        /// The promotion's id.
        promotion: RuleId,
        /// The customer; left out for a guest checkout (count the use
        /// overall only: a guest has no record to count it against).
        #[serde(default, skip_serializing_if = "UsedBy::is_guest")]
        customer: UsedBy,
        /// Uses overall the evaluation saw.
        seen_overall: u64,
        /// Uses by this customer the evaluation saw.
        seen_by_customer: u64,
    },
    /// Add a promotion's discount on this order to what it gave against
    /// its spend budget (`budget`), for coupons and automatic promotions
    /// alike; it comes beside the promotion's redemption, if it has one.
    ///
    /// `spent_seen` is what the checkout's `budget_spent` gave for it
    /// (zero when not listed); `spent_seen + amount` never exceeds
    /// `budget`. Store it with a compare-and-set (add `amount` only if the
    /// stored total still equals `spent_seen`), and re-evaluate if it
    /// fails: no budget is ever overspent under concurrent checkouts.
    SpendBudget {
        /// `program/order/budget:id`.
        key: String,
        /// The promotion's id.
        promotion: RuleId,
        /// The budget, in the evaluation's currency (a program serving
        /// several currencies has one per currency: store the spend by
        /// promotion and currency).
        budget: Decimal,
        /// What it gave before, as the evaluation saw it.
        spent_seen: Decimal,
        /// Its discount on this order (items and shipping), in the
        /// evaluation's currency.
        amount: Decimal,
    },
    /// Credit points to the customer, pending until `available_at`.
    CreditPoints {
        /// `program/order/points`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The points.
        points: Decimal,
        /// Of which attributable to each line.
        lines: Vec<LinePoints>,
        /// Of which for the order as a whole.
        order_level: Decimal,
        /// When they become available.
        available_at: DateTime<Utc>,
        /// When they expire, if they do.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    /// Credit cashback to the customer, pending until `available_at`.
    CreditCashback {
        /// `program/order/cashback`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The amount, in the evaluation's currency.
        amount: Decimal,
        /// When it becomes available.
        available_at: DateTime<Utc>,
        /// When it expires, if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    /// Spend points from the customer's balance.
    ///
    /// `available_seen` is the balance the evaluation saw. Store the spend
    /// with a compare-and-set on it (spend only if the available balance
    /// still equals it, or at least covers `points` under a store that
    /// keeps a running balance), and re-evaluate if it fails: no point is
    /// spent twice under concurrent checkouts.
    RedeemPoints {
        /// `program/order/redeem:points`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The points spent.
        points: Decimal,
        /// What they paid, in the evaluation's currency.
        amount: Decimal,
        /// The available points the evaluation saw.
        available_seen: Decimal,
    },
    /// Spend cashback (store credit) from the customer's balance, with a
    /// compare-and-set on `available_seen` as for points.
    RedeemCashback {
        /// `program/order/redeem:cashback`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The amount spent, in the evaluation's currency.
        amount: Decimal,
        /// The available cashback the evaluation saw.
        available_seen: Decimal,
    },
    /// Take back points a return's units earned, from the order's lot
    /// (`lot` is the key of the order's `CreditPoints`), then from the
    /// customer's other points.
    ReversePoints {
        /// `program/order/return:refund/points`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The points.
        points: Decimal,
        /// The key of the credit they were earned by.
        lot: String,
    },
    /// Take back cashback a return's units earned, from the order's lot.
    ReverseCashback {
        /// `program/order/return:refund/cashback`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The amount, in the evaluation's currency.
        amount: Decimal,
        /// The key of the credit it was earned by.
        lot: String,
    },
    /// Give back points a return's units were paid with.
    RestorePoints {
        /// `program/order/return:refund/redeemed-points`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The points.
        points: Decimal,
        /// The key of the redemption that spent them.
        redemption: String,
    },
    /// Give back cashback a return's units were paid with.
    RestoreCashback {
        /// `program/order/return:refund/redeemed-cashback`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The amount, in the evaluation's currency.
        amount: Decimal,
        /// The key of the redemption that spent it.
        redemption: String,
    },
    /// Give back a coupon use, the order being wholly returned: decrement
    /// the usage counts the redemption incremented.
    ReleaseCoupon {
        /// `program/order/return:refund/coupon:id:CODE`.
        key: String,
        /// The coupon.
        coupon: RuleId,
        /// The code, normalised.
        code: String,
        /// The customer.
        customer: CustomerId,
    },
    /// Give back a use of an automatic promotion, the order being wholly
    /// returned: decrement the counts its `PromotionRedemption`
    /// incremented.
    ReleasePromotion {
        /// `program/order/return:refund/promotion:id`.
        key: String,
        /// The promotion.
        promotion: RuleId,
        /// The customer.
        customer: CustomerId,
    },
    /// Give back what an order spent of a promotion's budget, the order
    /// being cancelled or wholly returned: subtract `amount` from what the
    /// promotion gave, never below zero, once per key.
    ReleaseBudget {
        /// `program/order/cancel/budget:id`, or
        /// `program/order/return:refund/budget:id`.
        key: String,
        /// The promotion.
        promotion: RuleId,
        /// What the order's `SpendBudget` added.
        amount: Decimal,
    },
    /// The customer's tier changes with this order.
    TierChanged {
        /// `program/order/tier`.
        key: String,
        /// The customer.
        customer: CustomerId,
        /// The tier before the order, if any.
        from: Option<crate::customer::TierId>,
        /// The tier after it, if any.
        to: Option<crate::customer::TierId>,
        /// When it changes: the instant of the evaluation.
        at: DateTime<Utc>,
    },
    /// Add a free gift line to the order.
    AddGift {
        /// `program/order/gift:promotion-id`.
        key: String,
        /// The promotion (or coupon) that gives it.
        coupon: RuleId,
        /// The gift's sku.
        sku: Sku,
        /// Units.
        quantity: u32,
    },
}

impl Effect {
    /// The idempotency key.
    #[must_use]
    pub fn key(&self) -> &str {
        match self {
            Effect::CouponRedemption { key, .. }
            | Effect::PromotionRedemption { key, .. }
            | Effect::ReleasePromotion { key, .. }
            | Effect::AddGift { key, .. }
            | Effect::CreditPoints { key, .. }
            | Effect::CreditCashback { key, .. }
            | Effect::RedeemPoints { key, .. }
            | Effect::RedeemCashback { key, .. }
            | Effect::ReversePoints { key, .. }
            | Effect::ReverseCashback { key, .. }
            | Effect::RestorePoints { key, .. }
            | Effect::RestoreCashback { key, .. }
            | Effect::ReleaseCoupon { key, .. }
            | Effect::SpendBudget { key, .. }
            | Effect::ReleaseBudget { key, .. }
            | Effect::TierChanged { key, .. } => key,
        }
    }
}

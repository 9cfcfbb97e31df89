//! Errors: what cannot be evaluated, with where and how to fix it.
//!
//! Each part of the crate has its own small error
//! ([`MoneyError`], [`OrderError`],
//! [`CalendarError`], [`ConditionError`], [`ProgramError`],
//! [`EvaluationError`], [`WalletError`]); [`Error`] wraps
//! them all for a caller who does not care which, so that `?` works across
//! the crate.
//!
//! This module is a leaf: rules import their problems from here, never from
//! the program.

use rust_decimal::Decimal;

use crate::calendar::CalendarError;
use crate::condition::ConditionError;
use crate::customer::CustomerError;
use std::fmt;

use crate::id::EmptyIdError;
use crate::money::{AllocationError, Currency, MoneyError};
use crate::order::OrderError;
use crate::wallet::WalletError;

/// A size past a limit of the program's [`Limits`](crate::program::Limits):
/// which limit, the size found, and the limit, e.g. "the order has 120000
/// lines, more than the limit of 100000: raise limits.lines_per_order in the
/// program if this is intended".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{found} {what}, more than the limit of {limit}: raise limits.{field} in the program if this is intended",
    field = limit_field(what)
)]
pub struct LimitExceeded {
    /// What was counted, e.g. "lines in the order".
    pub what: &'static str,
    /// The size found.
    pub found: usize,
    /// The limit.
    pub limit: usize,
}

/// The `limits` field that raises the limit on `what`.
fn limit_field(what: &str) -> &'static str {
    match what {
        "lines in the order" => "lines_per_order",
        "coupon codes entered" => "codes_per_order",
        "coupon usage entries" | "promotion usage entries" | "budget spent entries" => {
            "usage_entries"
        }
        "coupon codes in the program" => "codes_per_program",
        "rules in the program" => "rules_per_program",
        _ => "steps_per_ladder",
    }
}

/// An invalid program: where, and what is wrong.
///
/// Prints as `path: problem`, e.g.
/// `coupons[2].reward.percent: 120 is not a percent: give a value above 0 and at most 100`.
/// [`Program::new`](crate::Program::new) validates each rule on its own and
/// reports every rule that is wrong: the first error, with the others in
/// [`others`](Self::others) (printed after it: `…; and 2 more: …; …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProgramError {
    path: String,
    problem: Problem,
    others: Vec<ProgramError>,
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)?;
        if !self.others.is_empty() {
            write!(f, "; and {} more", self.others.len())?;
            for (i, other) in self.others.iter().enumerate() {
                f.write_str(if i == 0 { ": " } else { "; " })?;
                write!(f, "{}: {}", other.path, other.problem)?;
            }
        }
        Ok(())
    }
}

impl ProgramError {
    /// An error at `path`.
    #[must_use]
    pub fn new(path: impl Into<String>, problem: Problem) -> ProgramError {
        ProgramError {
            path: path.into(),
            problem,
            others: Vec::new(),
        }
    }

    /// The first of `errors` with the rest as its others; `None` when
    /// there is none.
    pub(crate) fn gather(errors: Vec<ProgramError>) -> Option<ProgramError> {
        let mut errors = errors.into_iter();
        let mut first = errors.next()?;
        first.others.extend(errors);
        Some(first)
    }

    /// This error and the others gathered with it, one by one.
    pub(crate) fn into_all(mut self) -> Vec<ProgramError> {
        let mut all = vec![];
        let others = std::mem::take(&mut self.others);
        all.push(self);
        all.extend(others);
        all
    }

    /// The error with its path rewritten by `rewrite` (the others' too).
    pub(crate) fn map_path(mut self, rewrite: &impl Fn(&str) -> String) -> ProgramError {
        self.path = rewrite(&self.path);
        self.others = self
            .others
            .into_iter()
            .map(|e| e.map_path(rewrite))
            .collect();
        self
    }

    /// The other errors found in the same program, in definition order.
    #[must_use]
    pub fn others(&self) -> &[ProgramError] {
        &self.others
    }

    /// The path to the field, e.g. `ladders[0].steps[2]`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    #[must_use]
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

/// What is wrong with a part of a program.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required name was blank.
    #[error("{what} is blank: give it a value")]
    Blank {
        /// What is blank.
        what: &'static str,
    },
    /// Two rules share an id.
    #[error("id \"{id}\" is used twice: give each rule its own id")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A size past the program's limits.
    #[error("{0}")]
    LimitExceeded(LimitExceeded),
    /// Two coupons share a code.
    #[error(
        "code \"{code}\" is also a code of coupon \"{other}\": codes match ignoring case, so each must be unique"
    )]
    DuplicateCode {
        /// The code.
        code: String,
        /// The coupon that has it already.
        other: String,
    },
    /// A ladder without steps.
    #[error("a ladder needs at least one step")]
    NoSteps,
    /// A coupon without codes.
    #[error(
        "a coupon needs at least one code: give codes, or move it to promotions to apply it without a code"
    )]
    NoCodes,
    /// `unique` on a promotion without codes.
    #[error(
        "unique makes each code of a batch single-use, but this promotion has no codes: give codes, or remove unique (an automatic promotion limits its uses with usage_limit)"
    )]
    UniqueWithoutCodes,
    /// A percent or amount off with neither its value nor steps.
    #[error("{reward} needs a {field}: give {field}, or steps that give it")]
    NoValue {
        /// The reward's type, e.g. `percent_off`.
        reward: &'static str,
        /// The field missing, e.g. `percent`.
        field: &'static str,
    },
    /// A percent or amount off with both its value and steps.
    #[error("give either {field} or steps, not both")]
    ValueAndSteps {
        /// The field given beside the steps.
        field: &'static str,
    },
    /// A cap beside steps.
    #[error("with steps, each step has its own cap: move cap into the steps")]
    CapWithSteps,
    /// A step that gives the other kind of value than its reward.
    #[error(
        "a step of {reward} gives a {gives}: write {gives} in every step, or make the reward {other}"
    )]
    StepOfOtherKind {
        /// The reward's type.
        reward: &'static str,
        /// What its steps give.
        gives: &'static str,
        /// The reward whose steps give the other value.
        other: &'static str,
    },
    /// A step option on a reward without steps.
    #[error(
        "{option} applies to steps, but this reward gives a fixed {field}: add steps, or remove {option}"
    )]
    OptionWithoutSteps {
        /// The option, e.g. `basis`.
        option: &'static str,
        /// The reward's fixed value, e.g. `percent`.
        field: &'static str,
    },
    /// A step added (by a builder) to a reward that has no value to step.
    #[error(
        "steps give a percent_off or amount_off its value; {reward} has none: make the reward percent_off or amount_off"
    )]
    StepsOnReward {
        /// The reward's type.
        reward: &'static str,
    },
    /// Steps out of order or overlapping.
    #[error("threshold {threshold} must be above the previous step's {previous}")]
    ThresholdNotAscending {
        /// This step's threshold.
        threshold: Decimal,
        /// The previous step's.
        previous: Decimal,
    },
    /// A percent outside (0, 100].
    #[error("{value} is not a percent: give a value above 0 and at most 100")]
    PercentOutOfRange {
        /// The value as given.
        value: Decimal,
    },
    /// A percent with more than four decimals.
    #[error("{value} has more than 4 decimals: a percent is kept to 4 decimals (12.3456)")]
    PercentTooPrecise {
        /// The value as given.
        value: Decimal,
    },
    /// A value that must not be negative.
    #[error("{what} {value} is negative: give zero or more")]
    Negative {
        /// What it is.
        what: &'static str,
        /// The value as given.
        value: Decimal,
    },
    /// A value that must be above zero.
    #[error("{what} {value} must be above zero")]
    NotPositive {
        /// What it is.
        what: &'static str,
        /// The value as given.
        value: Decimal,
    },
    /// A limit of zero could never be met.
    #[error("0 is not allowed here: give 1 or more, or leave the field out")]
    ZeroLimit,
    /// Order numbers start at 1.
    #[error("orders are numbered from 1 (the first order): 0 never matches")]
    ZeroOrderNumber,
    /// A quantity threshold with decimals.
    #[error("threshold {value} is not a whole number of units: a quantity ladder counts units")]
    FractionalQuantity {
        /// The value as given.
        value: Decimal,
    },
    /// A step with both percent and amount.
    #[error("a step gives either a percent or an amount, not both")]
    PercentAndAmount,
    /// A step with neither percent nor amount.
    #[error("a step needs a reward: set percent or amount")]
    NoReward,
    /// A cap on a fixed amount.
    #[error("a cap only limits a percent step; remove it or make the step a percent")]
    CapOnAmount,
    /// Percent and amount steps in one ladder.
    #[error("all steps of a ladder give the same kind of reward: all percents or all amounts")]
    MixedRewards,
    /// A higher step gives less.
    #[error(
        "this step gives {next}, less than the previous step's {previous}: a higher step must never give less"
    )]
    RewardShrinks {
        /// The previous step's rate or amount.
        previous: Decimal,
        /// This step's.
        next: Decimal,
    },
    /// A higher step has a lower cap.
    #[error("this step's cap {next} is below the previous step's ({}): a higher step must never give less", previous.map_or_else(|| "no cap".to_owned(), |p| p.to_string()))]
    CapShrinks {
        /// The previous step's cap (none: unlimited).
        previous: Option<Decimal>,
        /// This step's cap.
        next: Decimal,
    },
    /// Bracket mode on a basis other than the subtotal.
    #[error(
        "bracket mode splits an amount into bands: use basis \"subtotal\" or \"line_amount\", or mode \"whole_basket\""
    )]
    BracketNeedsSubtotal,
    /// Bracket mode with fixed amounts.
    #[error(
        "bracket mode applies a percent to each band: give every step a percent, or use mode \"whole_basket\""
    )]
    BracketNeedsPercent,
    /// A rounding scope on a reward that gives no percent.
    #[error(
        "rounding_scope says where a percent is rounded, but {reward} gives no percent: remove rounding_scope"
    )]
    RoundingScopeWithoutPercent {
        /// The reward's type.
        reward: &'static str,
    },
    /// A rounding scope on a percent that comes off one amount.
    #[error("rounding_scope cannot apply here: {why}; remove rounding_scope")]
    RoundingScopeOnOneAmount {
        /// Why there is only one amount to round.
        why: &'static str,
    },
    /// A split on a reward that is not spread over lines.
    #[error(
        "split spreads a percent or amount off over the lines it comes off, but {what} is not spread over lines: remove split"
    )]
    SplitWithoutLines {
        /// The reward, or "a discount on shipping".
        what: &'static str,
    },
    /// A shipping share on a discount that is not on the items and the
    /// shipping together.
    #[error(
        "shipping_share splits a discount between the items and the shipping: set target \"items_and_shipping\", or remove shipping_share"
    )]
    ShippingShareWithoutBoth,
    /// Steps measured on the shipping for a discount on the items.
    #[error(
        "steps measured on the shipping charge give a discount on shipping: use a promotion whose reward has target \"shipping\" or \"items_and_shipping\", or basis \"subtotal\" or \"quantity\""
    )]
    ShippingBasisOffItems,
    /// Bracket steps on a discount that comes off the shipping.
    #[error(
        "bracket mode discounts bands of the items' subtotal: use mode \"whole_basket\" for a discount on shipping"
    )]
    BracketOffShipping,
    /// `per` given for a base that is not an amount.
    #[error("per only applies to the net and gross bases: remove it, or use base \"net\"")]
    PerWithoutAmount,
    /// Too many decimals kept for points.
    #[error("{decimals} decimals is too many: keep at most 8")]
    TooManyDecimals {
        /// The decimals asked for.
        decimals: u32,
    },
    /// Cashback steps with amounts.
    #[error("cashback steps give a percent: replace amount with percent")]
    CashbackStepsNeedPercent,
    /// Both percent and steps.
    #[error("give either percent or steps, not both")]
    PercentAndSteps,
    /// Neither percent nor steps.
    #[error("a cashback rule needs a rate: set percent or steps")]
    NoCashbackRate,
    /// A negative return window.
    #[error("{days} days is negative: the return window is 0 days or more")]
    NegativeWindow {
        /// The days given.
        days: i64,
    },
    /// An absurd return window.
    #[error("{days} days is more than ten years: give a return window of at most 3660 days")]
    WindowTooLong {
        /// The days given.
        days: i64,
    },
    /// An expiry that ends before it starts.
    #[error(
        "{what} {value} would end before it starts: give after_months 1–1200 or end_of_year 0–100"
    )]
    ExpiryBeforeStart {
        /// The policy.
        what: &'static str,
        /// The value given.
        value: i64,
    },
    /// A points figure above what a balance may hold.
    #[error("{value} points is more than a balance may hold ({max}): give a smaller figure")]
    PointsTooLarge {
        /// The figure.
        value: Decimal,
        /// The largest.
        max: Decimal,
    },
    /// A tier window of no months, or more than a century.
    #[error("a window of {months} months cannot measure a tier: give 1 to 1200 months")]
    TierWindow {
        /// The months given.
        months: u32,
    },
    /// A tier above one with a requirement has none.
    #[error(
        "tier {tier} has no requirement, but a lower tier has one: only the lowest tier may go without (every customer has it)"
    )]
    TierWithoutRequirement {
        /// The tier.
        tier: crate::customer::TierId,
    },
    /// A tier asks less than the tier below it.
    #[error(
        "tier {tier} asks {value} of {measure:?}, less than the lower tier {lower} asks: list tiers lowest first, each asking at least as much"
    )]
    TierThresholdFalls {
        /// The tier.
        tier: crate::customer::TierId,
        /// The measure.
        measure: crate::rules::tier::Measure,
        /// Its threshold.
        value: Decimal,
        /// The tier below, which asks more.
        lower: crate::customer::TierId,
    },
    /// A list that must not be empty.
    #[error("an empty list of {what} means nothing: give at least one, or leave the field out")]
    EmptyList {
        /// What the list holds.
        what: &'static str,
    },
    /// An inactivity of 0 months or fewer: value would expire as soon as it
    /// is available.
    #[error(
        "after_inactive_months {months} would expire value as soon as it is available: give 1 to 1200 months"
    )]
    InactivityTooShort {
        /// The months given.
        months: i64,
    },
    /// An expiry so far away that its date cannot be computed for every
    /// order: points that never expire are written `"never"`.
    #[error("{what} {value} is more than {max}: give at most {max}, or \"never\" for no expiry")]
    ExpiryTooFar {
        /// The policy.
        what: &'static str,
        /// The value given.
        value: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// A line selector on a per-order rule.
    #[error(
        "a per_order rule earns for the order, not for lines: remove lines, or use a condition such as has_sku"
    )]
    LinesOnPerOrder,
    /// `include_shipping` on an earning base that is not an amount.
    #[error(
        "include_shipping counts the shipping amount, so it only applies to the net and gross bases: remove it, or use base \"net\""
    )]
    ShippingWithoutAmount,
    /// `net_of` on an earning base other than the net.
    #[error("net_of chooses the discounts a net base deducts: remove it, or use base \"net\"")]
    NetOfWithoutNet,
    /// A tier's benefit lines without a discount to apply to them.
    #[error(
        "lines select the lines of the tier's discount: give discount_percent, or remove lines"
    )]
    LinesWithoutDiscount,
    /// Points with more decimals than the program keeps points to.
    #[error("{}", points_too_precise(*value, *decimals))]
    PointsTooPrecise {
        /// The points as given.
        value: Decimal,
        /// The decimals the program keeps points to (the most an earning
        /// rule keeps; 0 for whole points).
        decimals: u32,
    },
    /// `include_exempt` on a discount.
    #[error(
        "exempt lines are never discounted: remove include_exempt (it applies to earning and cashback)"
    )]
    ExemptNeverDiscounted,
    /// An amount too large for any order.
    #[error(
        "{value} is above the largest order amount {max}: give a smaller amount, or leave the field out for no limit"
    )]
    AmountTooLarge {
        /// The amount given.
        value: Decimal,
        /// The limit.
        max: Decimal,
    },
    /// A tier the program does not list. Tier ids match exactly, case
    /// included.
    #[error(
        "tier \"{tier}\" is not one of the program's tiers ({listed}): add it to tiers or fix the name (tier ids match exactly, case included)"
    )]
    UnknownTier {
        /// The tier named.
        tier: String,
        /// The program's tiers, comma-separated.
        listed: String,
    },
    /// A rule names a tier, but the program lists no tiers.
    #[error(
        "tier \"{tier}\" is named, but the program lists no tiers: add tiers = [{{id = \"{tier}\"}}, ...] so that a misspelt tier is caught"
    )]
    TiersNotListed {
        /// The tier named.
        tier: String,
    },
    /// An RFM score range outside 1–5, or empty.
    #[error("{}", score_range(*low, *high))]
    ScoreRange {
        /// The low end.
        low: u8,
        /// The high end.
        high: u8,
    },
    /// A segment rule the rules before it shadow entirely.
    #[error(
        "the rule for segment \"{segment}\" never matches: the rules before it take every score it covers; narrow them, move this rule up, or remove it"
    )]
    SegmentNeverMatches {
        /// The rule's segment.
        segment: crate::customer::Segment,
    },
    /// A number of days below zero.
    #[error("{days} days is negative: give 0 or more")]
    NegativeDays {
        /// The days given.
        days: i64,
    },
    /// Text given to a builder where a number was expected.
    #[error("\"{text}\" is not a number: write it like \"12.50\" or \"5\"")]
    NotANumber {
        /// The text as given.
        text: String,
    },
    /// Buy X get Y with a zero.
    #[error("buy and get must both be 1 or more")]
    BuyGetZero,
    /// A maximum subtotal that no subtotal meeting the minimum can stay
    /// within (or, without a minimum, that no subtotal can).
    #[error("{}", empty_range(min.as_deref(), max))]
    EmptySubtotalRange {
        /// The minimum, if any.
        min: Option<Box<crate::rules::bounds::Minimum>>,
        /// The maximum.
        max: Box<crate::rules::bounds::Maximum>,
    },
    /// A spend budget on a reward that gives no money off.
    #[error(
        "a budget counts the money a promotion takes off, and {reward} takes none: remove budget, or limit the promotion with usage_limit"
    )]
    BudgetWithoutDiscount {
        /// The reward's type.
        reward: &'static str,
    },
    /// A selector of a buy X get Y that no line can pass, so the reward
    /// can never apply.
    #[error(
        "no line can ever be {role}: {listed} is both included and excluded; remove it from one of the two lists"
    )]
    SelectsNothing {
        /// `bought` or `got`.
        role: &'static str,
        /// What is listed on both sides: `sku "COFFEE"`, `category "mugs"`.
        listed: String,
    },
    /// A buy X get Y giving both a percent and an amount off each unit
    /// got.
    #[error(
        "give either percent or amount off each unit got, not both (neither: the units got are free)"
    )]
    PercentAndAmountOff,
    /// An option that means something only beside another field.
    #[error("{option} only applies with {needs}: give {needs}, or remove {option}")]
    OptionNeeds {
        /// The option given, e.g. `discounted`.
        option: &'static str,
        /// The field it needs, e.g. `max_units`.
        needs: &'static str,
    },
    /// A gift's most units that is not a whole number of gifts.
    #[error(
        "max_quantity {max} is not a whole number of gifts of {quantity} units: give a multiple of quantity"
    )]
    MaxQuantityNotMultiple {
        /// The most units given.
        max: u32,
        /// The units of one gift.
        quantity: u32,
    },
    /// An amount in a currency the program does not serve.
    #[error(
        "{currency} is not a currency of the program, which serves {served}: add \"{currency}\" to currencies, or remove this amount"
    )]
    UnlistedCurrency {
        /// The currency of the amount.
        currency: crate::money::Currency,
        /// The currencies the program serves.
        served: String,
    },
    /// A number of units written with a currency.
    #[error(
        "a number of units has no currency: write one plain number, such as 3, for every currency"
    )]
    CurrencyOnCount,
    /// A rule whose amounts have no currency in common, so that it applies
    /// in none.
    #[error(
        "the rule applies in no currency: {missing}; give each of its amounts in at least one same currency"
    )]
    NoCommonCurrency {
        /// For each currency served, the first amount with none in it,
        /// e.g. `EUR: promotions[0].min_subtotal, USD: promotions[0].reward.amount`.
        missing: String,
    },
    /// A program-wide amount without one in a currency the program serves.
    #[error(
        "no amount in {currency}: an amount of the whole program needs one in every currency it serves; add \"{currency}\" to it"
    )]
    MissingCurrency {
        /// The currency it lacks.
        currency: crate::money::Currency,
    },
    /// An amount with more decimals than the currency.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A calendar problem: time zone, country, custom dates.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A condition that cannot be used.
    #[error(transparent)]
    Condition(#[from] ConditionError),
}

/// The sentence of [`Problem::EmptySubtotalRange`].
fn empty_range(
    min: Option<&crate::rules::bounds::Minimum>,
    max: &crate::rules::bounds::Maximum,
) -> String {
    match min {
        Some(min) => format!(
            "max_subtotal {max} and min_subtotal {min}: no subtotal meets both, so the promotion never applies; raise the maximum or lower the minimum"
        ),
        None => format!(
            "max_subtotal {max}: no subtotal is within it (a subtotal is 0 or more), so the promotion never applies; give an amount above 0, or write it inclusive"
        ),
    }
}

/// The sentence of [`Problem::ScoreRange`].
fn score_range(low: u8, high: u8) -> String {
    if low > high {
        let swapped = if 1 <= high && low <= 5 {
            format!(", as [{high}, {low}]")
        } else {
            String::new()
        };
        format!(
            "low {low} above high {high}: a range of scores is [low, high] with low ≤ high{swapped}, each 1 to 5"
        )
    } else {
        format!("[{low}, {high}] goes outside 1–5: scores are 1 to 5, so a range is within [1, 5]")
    }
}

/// The sentence of [`Problem::PointsTooPrecise`].
fn points_too_precise(value: Decimal, decimals: u32) -> String {
    if decimals == 0 {
        format!(
            "{value} points is not a whole number, but the program keeps whole points: give a whole number, or keep decimals in an earning rule's rounding"
        )
    } else {
        format!(
            "{value} points has more decimals than the {decimals} the program keeps points to: give at most {decimals}"
        )
    }
}

/// Why a checkout cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluationError {
    /// The checkout is larger than the program's limits allow.
    #[error("{0}")]
    LimitExceeded(LimitExceeded),
    /// The order's currency is not one the program serves.
    #[error(
        "the order is in {order}, but program {program} is in {served}: convert the order, use a program in {order}, or add {order} to the program's currencies"
    )]
    CurrencyMismatch {
        /// The program's id.
        program: String,
        /// The program's currency.
        expected: Currency,
        /// Every currency the program serves, e.g. `EUR` or `EUR, USD`.
        served: String,
        /// The order's currency.
        order: Currency,
    },
    /// The order names another customer than the checkout's.
    #[error(
        "the order is for customer {order_customer}, but the checkout's customer is {customer}: pass the order's customer"
    )]
    CustomerMismatch {
        /// The order's customer id.
        order_customer: String,
        /// The checkout's customer id.
        customer: String,
    },
    /// Usage counts that contradict each other.
    #[error(
        "coupon_usage for \"{code}\": by_customer {by_customer} is above overall {overall}: a customer's uses are part of all uses"
    )]
    UsageContradiction {
        /// The code.
        code: String,
        /// Uses by the customer.
        by_customer: u64,
        /// Uses overall.
        overall: u64,
    },
    /// A code appears twice in the usage counts.
    #[error("coupon_usage lists \"{code}\" twice: give one entry per code")]
    DuplicateUsage {
        /// The code.
        code: String,
    },
    /// Usage counts of an automatic promotion that contradict each other.
    #[error(
        "promotion_usage for \"{promotion}\": by_customer {by_customer} is above overall {overall}: a customer's uses are part of all uses"
    )]
    PromotionUsageContradiction {
        /// The promotion's id.
        promotion: String,
        /// Uses by the customer.
        by_customer: u64,
        /// Uses overall.
        overall: u64,
    },
    /// A promotion appears twice in the usage counts.
    #[error("promotion_usage lists \"{promotion}\" twice: give one entry per promotion")]
    DuplicatePromotionUsage {
        /// The promotion's id.
        promotion: String,
    },
    /// The checkout's customer cannot be evaluated (a guest given a tier,
    /// segments, stats, a birthday or a joining date).
    #[error(transparent)]
    Customer(#[from] crate::customer::CustomerError),
    /// A line of quantity 0, which the program refuses.
    #[error(
        "line {line}: quantity is 0: leave the line out or sell at least 1 unit (or set the program's inputs.zero_quantity to \"ignore\")"
    )]
    ZeroQuantity {
        /// The line.
        line: crate::order::LineId,
    },
    /// A promotion appears twice in what the budgets gave.
    #[error("budget_spent lists \"{promotion}\" twice: give one entry per promotion")]
    DuplicateBudgetSpent {
        /// The promotion's id.
        promotion: String,
    },
    /// What a budget gave so far that cannot be read: negative, finer than
    /// the minor unit, or too large.
    #[error("budget_spent for \"{promotion}\": {spent} {problem}")]
    InvalidBudgetSpent {
        /// The promotion's id.
        promotion: String,
        /// The amount as given.
        spent: Decimal,
        /// What is wrong with it, and what to write instead.
        problem: &'static str,
    },
    /// The customer's last order is after the evaluation instant.
    #[error(
        "the customer's last_order_at is after the checkout's instant: the snapshot must be taken before this order"
    )]
    LastOrderInFuture,
    /// A redemption asked for, or a balance given, that cannot be read: a
    /// negative figure, decimals of points where the program keeps whole
    /// points, cashback finer than the currency's minor unit.
    #[error("{field} {value} {problem}")]
    InvalidRedemption {
        /// The checkout's field (`redeem.points`, `available.cashback`, …).
        field: &'static str,
        /// The value as given.
        value: Decimal,
        /// What is wrong with it, and what to write instead.
        problem: &'static str,
    },
    /// A computation overflowed: absurd prices or quantities.
    #[error("amounts overflow while evaluating {what}: check for absurd prices or quantities")]
    Overflow {
        /// What was being computed.
        what: &'static str,
    },
    /// A calendar date could not be computed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// An amount could not be handled as money (overflow, or more decimals
    /// than the currency).
    #[error(transparent)]
    Money(MoneyError),
}

impl From<MoneyError> for EvaluationError {
    fn from(error: MoneyError) -> Self {
        EvaluationError::Money(error)
    }
}

impl From<AllocationError> for EvaluationError {
    fn from(_: AllocationError) -> Self {
        EvaluationError::Overflow {
            what: "an allocation",
        }
    }
}

/// Any error of the crate, for a caller who does not care which part
/// refused: `?` converts every error of the crate into it.
///
/// # Example
///
/// ```
/// use loyalty::prelude::*;
///
/// fn run() -> Result<Program, loyalty::Error> {
///     let program = Program::new(ProgramDefinition::new("shop", Currency::new("EUR")?))?;
///     Ok(program)
/// }
/// assert!(run().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An invalid program.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// A checkout that cannot be evaluated.
    #[error(transparent)]
    Evaluation(#[from] EvaluationError),
    /// Money that cannot be handled.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// An allocation that cannot be made.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    /// An invalid order, line or refund.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// An invalid customer.
    #[error(transparent)]
    Customer(#[from] CustomerError),
    /// A calendar problem.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// An invalid condition.
    #[error(transparent)]
    Condition(#[from] ConditionError),
    /// A blank id.
    #[error(transparent)]
    EmptyId(#[from] EmptyIdError),
    /// An entry, or entries that cannot make one ledger.
    #[error(transparent)]
    Wallet(#[from] WalletError),
}

/// Something in a valid program that is probably a mistake: the program
/// evaluates, but likely not as its author meant.
///
/// Prints as `path: what looks wrong`, e.g.
/// `ladders[0].steps[0].percent: percent 0.05 is below 1: did you mean 5?`.
/// [`Program::warnings`](crate::Program::warnings) lists them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct Warning {
    path: String,
    kind: WarningKind,
}

impl Warning {
    /// A warning at `path`.
    #[must_use]
    pub fn new(path: impl Into<String>, kind: WarningKind) -> Warning {
        Warning {
            path: path.into(),
            kind,
        }
    }

    /// The path to the field, e.g. `coupons[0].reward.percent`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What looks wrong.
    #[must_use]
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// The warning with its path rewritten by `rewrite`.
    pub(crate) fn map_path(mut self, rewrite: &impl Fn(&str) -> String) -> Warning {
        self.path = rewrite(&self.path);
        self
    }
}

/// What looks wrong in a valid program.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WarningKind {
    /// A percent below 1: valid, but usually a fraction written where a
    /// percent was meant (0.05 for 5%).
    #[error("percent {value} is below 1: did you mean {}?", (value * Decimal::ONE_HUNDRED).normalize())]
    PercentBelowOne {
        /// The percent as given.
        value: Decimal,
    },
    /// A condition that no checkout can meet, so its rule never applies.
    #[error("this condition can never hold ({why}): the rule will never apply")]
    NeverHolds {
        /// Why, e.g. "an empty any".
        why: &'static str,
    },
    /// A line selector that no line can pass, so its rule never applies.
    #[error("no line can be selected: {what} \"{value}\" is both included and excluded")]
    SelectsNothing {
        /// `sku`, `category` or `label` (its key).
        what: &'static str,
        /// The value listed on both sides.
        value: String,
    },
    /// A date window that ended before the instant the program was checked
    /// at (see [`Program::warnings_at`](crate::Program::warnings_at)).
    #[error("the window ended at {end} local time: the rule no longer applies")]
    WindowEnded {
        /// The window's end, in local time (the first instant after it).
        end: chrono::NaiveDateTime,
    },
    /// A date window that lies wholly in a daylight-saving gap of the
    /// program's time zone: those local times never happen, so the rule
    /// can never apply.
    #[error(
        "the window from {start} to {end} local time lies in a daylight-saving gap (clocks skip it): the rule can never apply"
    )]
    WindowInGap {
        /// The window's start, local time.
        start: chrono::NaiveDateTime,
        /// Its end, local time.
        end: chrono::NaiveDateTime,
    },
    /// Segment rules that leave some combinations of RFM scores unnamed:
    /// customers with those scores get no segment.
    #[error(
        "the rules leave {unnamed} of the 125 combinations of scores unnamed (the first: {first}): those customers get no segment; end with a rule without ranges to name them all"
    )]
    SegmentsIncomplete {
        /// How many combinations no rule meets.
        unnamed: u32,
        /// The first of them (by R, then F, then M).
        first: crate::rules::segment::RfmScores,
    },
    /// A nudge setting of 0 days: valid, but it leaves the nudge no time.
    #[error("0 days: {effect}")]
    ZeroDays {
        /// What it does.
        effect: &'static str,
    },
    /// A nudge that is on but can never be given.
    #[error("this nudge is on but can never be given: {why}")]
    NudgeNeverGiven {
        /// Why.
        why: &'static str,
    },
    /// A thank-you planned after the days it is given in.
    #[error(
        "the thanks is planned {days_after} days after the first order, but given only while that order's age in days is at most {within_days}: a host that asks on the planned day gets nothing"
    )]
    ThanksAfterWindow {
        /// The days after the first order it is planned for.
        days_after: i64,
        /// The days it is given in.
        within_days: i64,
    },
    /// A reward of value 0 (percent, amount, bonus points): accepted as a
    /// no-op, as some platforms allow, but it gives nothing.
    #[error(
        "{what} 0 gives nothing: the promotion applies as a no-op; give a value above 0, or remove the promotion"
    )]
    ZeroReward {
        /// What is 0: `percent`, `amount` or `bonus points`.
        what: &'static str,
    },
    /// An exclusive minimum subtotal of 0 (`{"above": "0"}`): it turns
    /// away only baskets whose eligible lines cost nothing, so it likely
    /// is not the minimum meant.
    #[error(
        "above 0 lets every basket through but a free one: give the amount the subtotal must be above, or remove the minimum"
    )]
    ExclusiveZeroMinimum,
    /// A spend budget of 0: every discount of the promotion goes over it.
    #[error(
        "a budget of 0 refuses every discount: the promotion never applies; give the total it may give, or remove it"
    )]
    ZeroBudget,
    /// A setting that changes nothing where it is given.
    #[error("{setting} has no effect: {why}")]
    NoEffect {
        /// The setting, e.g. `share_rounding`.
        setting: &'static str,
        /// Why it changes nothing.
        why: &'static str,
    },
    /// A redemption without a value in a currency the program serves:
    /// points or cashback are not spent on orders in that currency.
    #[error(
        "no amount in {currency}: {what} cannot be spent on orders in {currency}; give an amount there if they should"
    )]
    NotSpentInCurrency {
        /// `points` or `cashback`.
        what: &'static str,
        /// The currency it lacks.
        currency: Currency,
    },
    /// A rule that has no amount in some of the currencies the program
    /// serves: it applies to orders in the others only.
    #[error(
        "no amount in {currencies} (first at {missing}): the rule does not apply to orders in {currencies}; give it an amount there if it should"
    )]
    NotInEveryCurrency {
        /// The currencies it lacks, e.g. `USD, GBP`.
        currencies: String,
        /// The first amount without one in the first of them.
        missing: String,
    },
    /// A coupon whose first-order-only restriction contradicts its order
    /// number.
    #[error(
        "first_order_only and order_number {order_number} cannot both hold: the coupon will never apply"
    )]
    FirstOrderAndOrderNumber {
        /// The order number given.
        order_number: u64,
    },
}

//! The trace of an evaluation, as data: which stage decided about which
//! rule, and why, in a typed [`Reason`]. The sentence a support agent reads
//! ([`TraceEntry::message`], a discount's
//! [`description`](super::AppliedDiscount::description)) is written from
//! that data only when it is asked for: on `Display`, or when the
//! evaluation is serialised.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::Observation;
use crate::customer::TierId;
use crate::money::Money;
use crate::order::Sku;
use crate::rules::RuleId;
use crate::rules::coupon::Rejection;
use crate::rules::earn::EarnBase;
use crate::rules::ladder::{LadderBasis, NextStep};
use crate::rules::line_rewards::DiscountedUnits;
use crate::rules::promotion::ShippingShare;

use super::{RuleRef, Target};
use crate::util::Sentence;

/// The stages of an evaluation, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Line amounts, subtotal, local time, the customer's order number and
    /// tier, derived once.
    Facts,
    /// Each ladder's condition and standing. Entries about a rule of the
    /// program's `ladders` list name this stage; other automatic promotions
    /// are judged at the same time, under [`Promotions`](Self::Promotions).
    Ladders,
    /// Each automatic promotion's restrictions (window, usage limits,
    /// order number, tier, segment, condition, minimums) and standing on
    /// its steps.
    Promotions,
    /// A verdict on each entered code.
    Coupons,
    /// The program's stacking policy picks the discounts that apply.
    Stacking,
    /// The picked discounts, rounded once and allocated per line.
    Discounts,
    /// Paying with points or cashback, allocated per line like a discount.
    Redemption,
    /// Points: earning rules, multipliers, bonuses.
    Points,
    /// Cashback on the net paid.
    Cashback,
    /// What the host must store.
    Effects,
}

/// Why a rule applied or not: one entry of the trace.
///
/// [`message`](Self::message) (and `Display`) give the sentence, e.g.
/// "not applied: subtotal 99.99 is below the first step 100.00; 0.01 more
/// reaches it". Serialised with the sentence beside the data:
/// `{"rule": …, "applied": false, "stage": "ladders", "reason": {"kind":
/// "below_first_step", …}, "message": "…"}`; the `message` is ignored when
/// read back.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "TraceEntryData")]
#[non_exhaustive]
pub struct TraceEntry {
    /// The rule.
    pub rule: RuleRef,
    /// Whether it applied.
    pub applied: bool,
    /// The stage that decided.
    pub stage: Stage,
    /// Why, as data.
    pub reason: Reason,
    /// The condition observation that decided, when a condition did.
    pub observation: Option<Observation>,
}

impl TraceEntry {
    /// An entry of `stage` about `rule`.
    #[must_use]
    pub fn new(rule: RuleRef, applied: bool, stage: Stage, reason: Reason) -> TraceEntry {
        TraceEntry {
            rule,
            applied,
            stage,
            reason,
            observation: None,
        }
    }

    /// The same entry with the observation that decided.
    #[must_use]
    pub fn observed(mut self, observation: Option<Observation>) -> TraceEntry {
        self.observation = observation;
        self
    }

    /// The sentence for a support agent: "applied: …" or "not applied: …".
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }
}

#[derive(Deserialize, Serialize)]
struct TraceEntryData {
    rule: RuleRef,
    applied: bool,
    stage: Stage,
    reason: Reason,
    #[serde(default, skip_deserializing)]
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    observation: Option<Observation>,
}

impl From<TraceEntryData> for TraceEntry {
    fn from(data: TraceEntryData) -> TraceEntry {
        TraceEntry {
            rule: data.rule,
            applied: data.applied,
            stage: data.stage,
            reason: data.reason,
            observation: data.observation,
        }
    }
}

impl Serialize for TraceEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 5 + usize::from(self.observation.is_some());
        let mut s = serializer.serialize_struct("TraceEntry", fields)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("applied", &self.applied)?;
        s.serialize_field("stage", &self.stage)?;
        s.serialize_field("reason", &self.reason)?;
        s.serialize_field("message", &Sentence(self))?;
        if let Some(observation) = &self.observation {
            s.serialize_field("observation", observation)?;
        }
        s.end()
    }
}

/// Why a rule applied or not, as data. Serialised with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The rule's condition does not hold (the entry's observation says
    /// which leaf decided).
    ConditionNotMet,
    /// The customer's tier is not one of the program's: no tier rule
    /// (multiplier, tier rate, tier-only coupon) applies to it.
    UnknownTier {
        /// The customer's tier as given.
        tier: TierId,
    },
    /// A ladder's basis is below its first step.
    BelowFirstStep {
        /// What the ladder measures.
        basis: LadderBasis,
        /// The basis measured (with the currency's decimals for amounts).
        measured: Decimal,
        /// The first step's threshold.
        first: Decimal,
        /// What is missing to reach it.
        missing: Decimal,
    },
    /// A ladder without steps reached.
    NoStepReached,
    /// Another discount was picked and this one cannot combine with it.
    NotCombinable {
        /// The discount picked instead, if one is to blame.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        with: Option<RuleRef>,
    },
    /// Picked, but gives nothing: the lines were already fully discounted,
    /// or no step is reached after earlier discounts.
    NothingToDiscount {
        /// How the discount was measured.
        detail: DiscountDetail,
        /// Whether the program's cap on the total discount reduced it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        capped_by_total: bool,
    },
    /// A discount applied.
    Discounted {
        /// The amount, rounded once.
        amount: Money,
        /// What it comes off.
        target: Target,
        /// How it was reached.
        detail: DiscountDetail,
        /// Whether the program's cap on the total discount reduced it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        capped_by_total: bool,
    },
    /// An automatic promotion does not apply to this checkout: a
    /// restriction it has is not met (its condition reports
    /// [`ConditionNotMet`](Self::ConditionNotMet) instead, with the
    /// observation).
    NotEligible {
        /// Why, as for an entered code.
        rejection: Rejection,
    },
    /// An entered code was refused.
    CouponRejected {
        /// The code as entered.
        code: String,
        /// Why.
        rejection: Rejection,
    },
    /// A campaign multiplier, applied or not by its condition.
    Campaign {
        /// Its factor.
        factor: Decimal,
    },
    /// The rule has no amount in the order's currency, so it does not
    /// apply to orders in it.
    CurrencyMismatch {
        /// The order's currency.
        currency: crate::money::Currency,
        /// The first of the rule's amounts with none in it, e.g.
        /// `promotions[0].reward.amount`.
        missing: String,
    },
    /// An earlier earning rule with `stop` ends the rules after it.
    StoppedBy {
        /// The rule that stops.
        rule: RuleId,
    },
    /// An earlier campaign with `stop` ran, and ends the campaigns after
    /// it.
    CampaignStoppedBy {
        /// The campaign that stops.
        campaign: RuleId,
    },
    /// An amount is below a rule's minimum.
    BelowMinimum {
        /// Which amount.
        of: MinimumOf,
        /// The amount.
        amount: Money,
        /// The minimum.
        minimum: Money,
    },
    /// An earning rule gives no points on this order.
    NoPoints {
        /// The base it counted.
        base: Decimal,
    },
    /// An earning rule gave points.
    Points {
        /// The points, rounded and capped.
        points: Decimal,
        /// What it counts.
        base: EarnBase,
        /// The base counted (an amount with the currency's decimals, or
        /// units, or 1 order).
        counted: Decimal,
        /// The order's multiplier on it.
        factor: Decimal,
        /// Whether the rule's cap cut the points.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        capped: bool,
    },
    /// A bonus whose trigger does not hold.
    BonusNotTriggered {
        /// What was observed.
        miss: BonusMiss,
    },
    /// A bonus applied.
    BonusPoints {
        /// The points.
        points: Decimal,
    },
    /// A redemption was refused.
    RedemptionRefused {
        /// Why.
        refusal: crate::evaluation::RedemptionRefusal,
    },
    /// A line of quantity 0, left out of the evaluation: the program asks
    /// for lenient input.
    LineIgnored {
        /// The line's product.
        sku: Sku,
    },
    /// A guest checkout: no customer record, so nothing is credited; what
    /// the order would earn is reported as unclaimed.
    GuestUnclaimed {
        /// The points the order would earn.
        points: Decimal,
        /// The cashback it would earn.
        cashback: Money,
    },
    /// A cashback rule gives nothing on this order.
    NoCashback {
        /// The net paid it counted.
        base: Money,
    },
    /// A cashback rule gave cashback.
    Cashback {
        /// The amount, rounded once.
        amount: Money,
        /// The percent used (effective percent for a bracket ladder).
        percent: Decimal,
        /// The net paid it counted.
        base: Money,
        /// Whether the cap (or the payable amount) cut it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        capped: bool,
    },
}

/// Which amount a minimum was held against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MinimumOf {
    /// The order's subtotal (non-exempt lines, before discounts).
    Subtotal,
    /// The net paid on the rule's lines.
    NetPaid,
}

/// Why a bonus did not trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "miss", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BonusMiss {
    /// The bonus depends on the order number and the checkout's customer
    /// has no stats to tell it.
    OrderNumberUnknown,
    /// Not the customer's first order.
    NotFirstOrder {
        /// This order's number.
        order_number: u64,
    },
    /// Not the customer's Nth order.
    NotOrderNumber {
        /// This order's number.
        order_number: u64,
        /// The number the bonus wants.
        wanted: u64,
    },
    /// No birthday on file.
    NoBirthday,
    /// The birthday is in another month.
    OtherBirthdayMonth {
        /// The birthday's month (1–12).
        birthday_month: u32,
        /// This order's local month (1–12).
        month: u32,
    },
    /// The subtotal is below the bonus's amount.
    BelowAmount {
        /// The subtotal.
        subtotal: Money,
        /// The amount.
        amount: Money,
    },
}

/// How a discount was reached, as data; its `Display` is the discount's
/// description ("step 3 reached (15% from 300.00) on subtotal 317.70").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiscountDetail {
    /// A ladder on which no step is reached (after earlier discounts).
    NoStep {
        /// The basis measured.
        measured: Decimal,
        /// The next step and what is missing to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<NextStep>,
    },
    /// A ladder step reached.
    Ladder {
        /// The index of the step reached (0 for the first).
        step: usize,
        /// Whether the ladder applies its steps as brackets.
        bracket: bool,
        /// What the step gives.
        given: StepGiven,
        /// The step's threshold.
        from: Decimal,
        /// What the ladder measures.
        basis: LadderBasis,
        /// The basis measured.
        measured: Decimal,
        /// The next step and what is missing to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<NextStep>,
    },
    /// A percent off the eligible items.
    PercentOff {
        /// The percent.
        percent: Decimal,
        /// The coupon's cap, when it cut the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capped_at: Option<Money>,
    },
    /// An amount off the eligible items.
    AmountOff {
        /// The amount.
        amount: Money,
    },
    /// An amount off each eligible line, once per line.
    AmountOffEachLine {
        /// The amount per line.
        amount: Money,
    },
    /// A percent off the shipping charge.
    PercentOffShipping {
        /// The percent.
        percent: Decimal,
        /// The reward's cap, when it cut the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capped_at: Option<Money>,
    },
    /// An amount off the shipping charge.
    AmountOffShipping {
        /// The amount.
        amount: Money,
    },
    /// A percent off the eligible items and the shipping together, split
    /// between them; reported once for each part (items, shipping).
    PercentOffItemsAndShipping {
        /// The percent.
        percent: Decimal,
        /// The reward's cap, when it cut the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capped_at: Option<Money>,
        /// How it is split between the items and the shipping.
        share: ShippingShare,
    },
    /// An amount off the eligible items and the shipping together, split
    /// between them; reported once for each part (items, shipping).
    AmountOffItemsAndShipping {
        /// The amount.
        amount: Money,
        /// How it is split between the items and the shipping.
        share: ShippingShare,
    },
    /// An amount off each eligible unit.
    AmountOffEachUnit {
        /// The amount per unit (per further unit, with `first_unit`).
        amount: Money,
        /// The amount off the first unit of each line, when it differs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_unit: Option<Money>,
        /// The units counted, when the reward caps them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        units: Option<u64>,
    },
    /// A percent off each eligible unit, rounded per unit.
    PercentOffEachUnit {
        /// The percent.
        percent: Decimal,
        /// The units counted.
        units: u64,
    },
    /// The cheapest eligible unit free.
    CheapestFree,
    /// Buy X get Y: the cheapest units of each complete group free; or,
    /// with `discounted`, `percent` or `amount`, the units got that way.
    BuyXGetY {
        /// Units to buy.
        buy: u32,
        /// Units free.
        get: u32,
        /// Complete groups (applications).
        groups: u64,
        /// Units got (free, or at the percent or amount off).
        free_units: u64,
        /// Which units were got, when the rule says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        discounted: Option<DiscountedUnits>,
        /// The percent off each unit got, when not all of it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Decimal>,
        /// The amount off each unit got, when not all of it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Money>,
    },
    /// Free shipping.
    FreeShipping,
    /// A gift line.
    Gift {
        /// The gift's sku.
        sku: Sku,
        /// Units.
        quantity: u32,
    },
    /// Bonus points from a coupon.
    BonusPoints {
        /// The points.
        points: Decimal,
    },
    /// A points multiplier from a coupon.
    PointsMultiplier {
        /// The factor.
        factor: Decimal,
    },
    /// Part of the order paid with points.
    PaidWithPoints {
        /// The points used.
        points: Decimal,
    },
    /// Part of the order paid with cashback (store credit).
    PaidWithCashback,
}

impl DiscountDetail {
    /// The index of the ladder step this detail reports, if any, counted
    /// from 1 as the sentences count ("step 3").
    #[must_use]
    pub fn step_number(&self) -> Option<usize> {
        match self {
            DiscountDetail::Ladder { step, .. } => Some(step + 1),
            _ => None,
        }
    }
}

/// What a ladder step gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepGiven {
    /// A percent of the eligible items.
    Percent(Decimal),
    /// An amount off.
    Amount(Money),
}

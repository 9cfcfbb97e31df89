//! Promotions: one shape for every discount rule, with or without a code.
//!
//! A promotion has an id, restrictions (a validity window, usage limits,
//! minimums, the lines it applies to, the customer's order number, tier and
//! segments, any further condition) and a [`Reward`]. Its `codes` are
//! optional:
//!
//! - **no codes**: an *automatic* promotion, judged on every checkout
//!   ("10% off everything this weekend", "0.50 off each bag of coffee");
//! - **codes**: a *coupon*, judged only when one of its codes is entered
//!   (see [`coupon`](crate::rules::coupon) for how codes match and how an
//!   entered code is answered).
//!
//! A percent or amount off may take its value from a table of *steps*
//! instead ("5% from 100, 10% from 200, 15% from 300"): the progressive
//! discount a program's `ladders` list writes, as a reward like any other.
//!
//! # Example
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::rules::promotion::PromotionDefinition;
//!
//! let program: ProgramDefinition = serde_json::from_value(serde_json::json!({
//!     "id": "shop", "currency": "EUR",
//!     "promotions": [
//!         {"id": "weekend", "condition": {"weekdays": ["Sat", "Sun"]},
//!          "reward": {"type": "percent_off", "percent": "10"}},
//!         {"id": "spend-more", "reward": {"type": "percent_off", "steps": [
//!             {"from": "100.00", "percent": "5"},
//!             {"from": "200.00", "percent": "10"}]}},
//!         {"id": "welcome", "codes": ["WELCOME10"], "first_order_only": true,
//!          "reward": {"type": "amount_off", "amount": "10.00"}}
//!     ]
//! }))?;
//! let program = Program::new(program)?;
//! let automatic: Vec<&str> = program
//!     .promotions()
//!     .iter()
//!     .filter(|p| p.is_automatic())
//!     .map(|p| p.id())
//!     .collect();
//! assert_eq!(automatic, ["weekend", "spend-more"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::DateWindow;
use crate::condition::{Condition, LineSelector};
use crate::customer::{Segment, TierId};
use crate::error::{Problem, ProgramError, WarningKind};
use crate::money::PerCurrency;
use crate::money::{RoundingScope, Split};
use crate::order::Sku;
use crate::rules::bounds::{Maximum, Minimum};
use crate::rules::context::RuleContext;
use crate::rules::ladder::{
    Ladder, LadderBasis, LadderDefinition, LadderMode, Measure, StepDefinition, StepOptions,
    StepTable, Thresholds, check_percent,
};
use crate::rules::line_rewards::{self, DiscountedUnits};
use crate::rules::{AmountInput, DecimalInput, RuleId, Stacking, Unbuilt};

/// What a promotion gives.
///
/// Internally tagged by `type`, e.g. `{"type": "amount_off", "amount": "10.00"}`.
/// A percent or amount off gives its `percent` or `amount`, or takes it from
/// `steps`: `{"type": "percent_off", "steps": [{"from": "100.00", "percent":
/// "5"}, {"from": "200.00", "percent": "10"}]}`, with the step options
/// `basis`, `measure`, `thresholds` and `mode` of a
/// [ladder](crate::rules::ladder).
// Rewards are program data, compiled once and only borrowed while a
// checkout is evaluated: the size of the largest (a buy X get Y with two
// selectors) costs nothing per checkout, and boxing it would make the
// variants harder to write as plain data.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Reward {
    /// A percent off the eligible lines, with an optional cap; or the
    /// percent of the highest step reached.
    PercentOff {
        /// 0 < percent ≤ 100 (0 is accepted as a no-op, with a warning).
        /// Left out when `steps` give it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        percent: Option<Decimal>,
        /// The most it gives (each step has its own cap instead).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        cap: Option<PerCurrency>,
        /// Steps that give the percent, ascending; each `{"from", "percent"}`
        /// with an optional `cap`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        steps: Vec<StepDefinition>,
        /// What the steps measure. Default: subtotal.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        basis: Option<LadderBasis>,
        /// Whether the steps measure before or after earlier discounts.
        /// Default: before.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        measure: Option<Measure>,
        /// Inclusive or exclusive thresholds. Default: inclusive.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        thresholds: Option<Thresholds>,
        /// Whole basket or bracket. Default: whole basket.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        mode: Option<LadderMode>,
        /// What it comes off: the eligible items, the shipping, or both.
        /// Default: the items.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        target: Option<DiscountTarget>,
        /// With target `items_and_shipping`, how the discount is split
        /// between them. Default: proportional.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        shipping_share: Option<ShippingShare>,
    },
    /// A fixed amount off the eligible lines (never more than they cost);
    /// or the amount of the highest step reached.
    AmountOff {
        /// The amount (0 is accepted as a no-op, with a warning). Left out
        /// when `steps` give it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        amount: Option<PerCurrency>,
        /// Steps that give the amount, ascending; each `{"from", "amount"}`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        steps: Vec<StepDefinition>,
        /// What the steps measure. Default: subtotal.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        basis: Option<LadderBasis>,
        /// Whether the steps measure before or after earlier discounts.
        /// Default: before.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        measure: Option<Measure>,
        /// Inclusive or exclusive thresholds. Default: inclusive.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        thresholds: Option<Thresholds>,
        /// Whole basket (the only mode of amounts; bracket needs percents).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        mode: Option<LadderMode>,
        /// What it comes off: the eligible items, the shipping, or both.
        /// Default: the items.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        target: Option<DiscountTarget>,
        /// With target `items_and_shipping`, how the discount is split
        /// between them. Default: proportional.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        shipping_share: Option<ShippingShare>,
    },
    /// A fixed amount off each eligible line, once per line whatever its
    /// quantity (never more than the line costs). See
    /// [`line_rewards`].
    AmountOffEachLine {
        /// The amount per line (0 is accepted as a no-op, with a warning).
        amount: PerCurrency,
    },
    /// A fixed amount off each eligible unit (never more than the units it
    /// counts cost); the first unit of each line may take another amount,
    /// and the units counted may be capped per line and per order. See
    /// [`line_rewards`].
    AmountOffEachUnit {
        /// The amount per unit (0 is accepted as a no-op, with a warning).
        amount: PerCurrency,
        /// The amount off the first unit of each line, when it differs:
        /// `amount` then comes off each further unit.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        first_unit: Option<PerCurrency>,
        /// The most units counted on one line.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        max_units_per_line: Option<u32>,
        /// The most units counted on the whole order.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        max_units: Option<u32>,
        /// Which units `max_units` counts. Default: the cheapest.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        discounted: Option<DiscountedUnits>,
    },
    /// A percent off each eligible unit, rounded per unit, on every unit
    /// or on at most `max_units_per_line` / `max_units` of them. See
    /// [`line_rewards`].
    PercentOffEachUnit {
        /// 0 < percent ≤ 100 (0 is accepted as a no-op, with a warning).
        percent: Decimal,
        /// The most units counted on one line.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        max_units_per_line: Option<u32>,
        /// The most units counted on the whole order.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        max_units: Option<u32>,
        /// Which units `max_units` counts. Default: the cheapest.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        discounted: Option<DiscountedUnits>,
    },
    /// The shipping charge is waived.
    FreeShipping,
    /// The cheapest eligible unit is free.
    CheapestFree,
    /// For every complete group of `buy` + `get` eligible units, the `get`
    /// cheapest units of the group are free. `max_applications` caps the
    /// number of groups per order.
    ///
    /// With `buy_lines` and `get_lines` the units bought and the units got
    /// come from two selectors; `discounted` says whether the cheapest or
    /// the most expensive units are got, and `percent` or `amount` what
    /// comes off each of them (default: all of it). See
    /// [`line_rewards`].
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
        /// The lines whose units must be bought. Default: the promotion's
        /// `lines`.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        buy_lines: Option<LineSelector>,
        /// The lines whose units are got. Default: the promotion's
        /// `lines`.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        get_lines: Option<LineSelector>,
        /// Which units are got: the cheapest (the default) or the most
        /// expensive.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        discounted: Option<DiscountedUnits>,
        /// The percent off each unit got, instead of all of it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        percent: Option<Decimal>,
        /// The amount off each unit got, instead of all of it.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        amount: Option<PerCurrency>,
    },
    /// Extra points for the order (not multiplied; 0 is accepted as a
    /// no-op, with a warning).
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
    /// A gift line is added to the order, free. With `per`, `quantity`
    /// units for every `per` eligible units bought (Solidus'
    /// `CreateDiscountedItem`), at most `max_quantity`.
    FreeGift {
        /// The gift's sku.
        sku: Sku,
        /// How many units (default 1); with `per`, for each `per` eligible
        /// units.
        #[serde(default = "one")]
        quantity: u32,
        /// What `quantity` units of the gift are worth, for the trace, for
        /// reports and to compare discounts.
        value: PerCurrency,
        /// The eligible units that earn `quantity` gift units: one gift
        /// per `per` units bought.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        per: Option<u32>,
        /// The most gift units per order (a multiple of `quantity`; only
        /// with `per`).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::rules::not_null"
        )]
        max_quantity: Option<u32>,
    },
}

fn one() -> u32 {
    1
}

/// What a percent or amount off comes off.
///
/// `{"type": "percent_off", "percent": "50", "target": "shipping"}` is half
/// the shipping charge; `{"type": "amount_off", "amount": "10.00", "target":
/// "items_and_shipping", "shipping_share": "remainder"}` is 10.00 off the
/// order, the items first. (`free_shipping` is 100% off the shipping.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiscountTarget {
    /// The eligible lines. The default.
    #[default]
    Items,
    /// The shipping charge (what earlier shipping discounts left of it).
    /// Reported as a shipping discount.
    Shipping,
    /// The eligible lines and the shipping together: a percent of their
    /// sum, or an amount off it, split between them by `shipping_share`;
    /// the shipping's part is reported as a shipping discount.
    ItemsAndShipping,
}

/// How a discount on the items and the shipping together is split between
/// them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShippingShare {
    /// In proportion to the eligible items' amount and the shipping
    /// charge (split with the program's remainder policy, the items first
    /// among equals). The default.
    #[default]
    Proportional,
    /// The items first, up to their amount; the shipping takes what is
    /// left, up to its charge.
    Remainder,
}

impl Reward {
    /// `percent` off the eligible lines, without a cap.
    ///
    /// ```
    /// use loyalty::rules::promotion::Reward;
    /// use loyalty::Decimal;
    ///
    /// let ten = Reward::percent_off(Decimal::TEN);
    /// assert!(matches!(ten, Reward::PercentOff { percent: Some(p), .. } if p == Decimal::TEN));
    /// ```
    #[must_use]
    pub fn percent_off(percent: Decimal) -> Reward {
        Reward::PercentOff {
            percent: Some(percent),
            cap: None,
            steps: Vec::new(),
            basis: None,
            measure: None,
            thresholds: None,
            mode: None,
            target: None,
            shipping_share: None,
        }
    }

    /// `amount` off the eligible lines.
    #[must_use]
    pub fn amount_off(amount: impl Into<PerCurrency>) -> Reward {
        Reward::AmountOff {
            amount: Some(amount.into()),
            steps: Vec::new(),
            basis: None,
            measure: None,
            thresholds: None,
            mode: None,
            target: None,
            shipping_share: None,
        }
    }

    /// The reward with what it comes off set to `target` (only a percent or
    /// amount off has one; the others are returned as they are).
    ///
    /// ```
    /// use loyalty::rules::promotion::{DiscountTarget, Reward};
    /// use loyalty::Decimal;
    ///
    /// let half_shipping = Reward::percent_off(Decimal::from(50)).with_target(DiscountTarget::Shipping);
    /// assert_eq!(half_shipping.target(), DiscountTarget::Shipping);
    /// ```
    #[must_use]
    pub fn with_target(mut self, new: DiscountTarget) -> Reward {
        if let Reward::PercentOff { target, .. } | Reward::AmountOff { target, .. } = &mut self {
            *target = Some(new);
        }
        self
    }

    /// What the reward comes off: for a percent or amount off its
    /// `target`; the shipping for free shipping; the items for the others.
    #[must_use]
    pub fn target(&self) -> DiscountTarget {
        match self {
            Reward::PercentOff { target, .. } | Reward::AmountOff { target, .. } => {
                target.unwrap_or_default()
            }
            Reward::FreeShipping => DiscountTarget::Shipping,
            _ => DiscountTarget::Items,
        }
    }

    /// How a discount on the items and the shipping together is split
    /// between them (the default for other rewards).
    #[must_use]
    pub fn shipping_share(&self) -> ShippingShare {
        match self {
            Reward::PercentOff { shipping_share, .. }
            | Reward::AmountOff { shipping_share, .. } => shipping_share.unwrap_or_default(),
            _ => ShippingShare::default(),
        }
    }

    /// The reward's `type` as written in a program file (`percent_off`).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Reward::PercentOff { .. } => "percent_off",
            Reward::AmountOff { .. } => "amount_off",
            Reward::AmountOffEachLine { .. } => "amount_off_each_line",
            Reward::AmountOffEachUnit { .. } => "amount_off_each_unit",
            Reward::PercentOffEachUnit { .. } => "percent_off_each_unit",
            Reward::FreeShipping => "free_shipping",
            Reward::CheapestFree => "cheapest_free",
            Reward::BuyXGetY { .. } => "buy_x_get_y",
            Reward::BonusPoints { .. } => "bonus_points",
            Reward::PointsMultiplier { .. } => "points_multiplier",
            Reward::FreeGift { .. } => "free_gift",
        }
    }

    /// The steps the reward takes its value from; empty for a fixed value.
    #[must_use]
    pub fn steps(&self) -> &[StepDefinition] {
        match self {
            Reward::PercentOff { steps, .. } | Reward::AmountOff { steps, .. } => steps,
            _ => &[],
        }
    }

    /// Whether the reward gives money off (the lines or the shipping): what
    /// a spend budget counts.
    #[must_use]
    pub fn gives_money(&self) -> bool {
        !matches!(
            self,
            Reward::FreeGift { .. } | Reward::BonusPoints { .. } | Reward::PointsMultiplier { .. }
        )
    }

    /// Whether the reward gives anything but points or a gift: a discount
    /// that needs eligible lines to come off (free shipping comes off the
    /// shipping).
    pub(crate) fn needs_lines(&self) -> bool {
        !matches!(
            self,
            Reward::FreeShipping
                | Reward::FreeGift { .. }
                | Reward::BonusPoints { .. }
                | Reward::PointsMultiplier { .. }
        ) && self.target() != DiscountTarget::Shipping
    }
}

/// Which list of a program file a promotion was written in. Its rule kind
/// in evaluations follows: `ladder`, `coupon` or `promotion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// The `ladders` list: a step table without codes.
    Ladders,
    /// The `coupons` list: a promotion that must have codes.
    Coupons,
    /// The `promotions` list: automatic without codes, a coupon with them.
    Promotions,
}

/// A promotion as written in a program file: a coupon when it has codes,
/// automatic when it has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionDefinition {
    /// The promotion's id, used in traces and idempotency keys.
    pub id: String,
    /// A name for people, reported beside the id in the discounts it
    /// gives.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
    /// The codes that redeem it: one shared code, or a batch. None: it
    /// applies automatically, on every checkout it fits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// Whether each code of the batch can be used only once overall (only
    /// with codes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// When it is valid, in the program's local time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub valid: Option<DateWindow>,
    /// The most redemptions overall (per code for a unique batch: 1). For
    /// an automatic promotion the host passes its count by promotion id
    /// (`promotion_usage`).
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
    /// The least subtotal of eligible lines: a bare amount is inclusive
    /// (`"50.00"`: at least 50.00), `{"above": "50.00"}` exclusive.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub min_subtotal: Option<Minimum>,
    /// The greatest subtotal of eligible lines: a bare amount is
    /// inclusive (`"80.00"`: at most 80.00), `{"below": "80.00"}`
    /// exclusive.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub max_subtotal: Option<Maximum>,
    /// The most discount it may give in all, over every order (its spend
    /// budget). The host passes what it gave so far in the checkout's
    /// `budget_spent`; an order whose discount would take the total above
    /// the budget is refused the whole promotion (`budget_exceeded`), not
    /// given part of it. Spending exactly up to the budget is allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub budget: Option<PerCurrency>,
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
    pub reward: Reward,
    /// Where its percent is rounded (`total`, `line` or `unit`), instead
    /// of the program's `rounding_scope`. Only for a percent off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub rounding_scope: Option<RoundingScope>,
    /// How its amount is spread over the lines (`proportional`, `equal`
    /// or `equal_per_unit`), instead of the program's `split`. Only for a
    /// percent or amount off the items.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub split: Option<Split>,
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

/// A validated promotion, automatic or behind codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// The definition it was compiled from (for a ladder, the promotion it
    /// is read as).
    pub definition: PromotionDefinition,
    rule_id: RuleId,
    origin: Origin,
    /// The validated steps of a percent or amount off that has them.
    table: Option<StepTable>,
    /// Its place among the program's promotions: ladders, then coupons,
    /// then the `promotions` list.
    pub(crate) index: usize,
    /// What the evaluation asks of it on every checkout, known once.
    traits: Traits,
}

/// What a promotion's definition says about its evaluation, worked out
/// once at compile time so that a checkout pays only for what it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Traits {
    /// Whether any restriction may refuse it (a window, a limit, the order
    /// number, tiers, segments, a condition, a minimum, lines to find).
    restricted: bool,
    /// Whether, once applied, it leaves a record for the later stages.
    leaves_record: bool,
    /// Whether its reward is worth nothing whatever the order.
    gives_nothing: bool,
}

impl Traits {
    fn of(def: &PromotionDefinition, stepped: bool) -> Traits {
        let limited = def.usage_limit.is_some() || def.per_customer_limit.is_some();
        let restricted = def.valid.is_some()
            || limited
            || def.unique
            || def.first_order_only
            || def.order_number.is_some()
            || !def.tiers.is_empty()
            || !def.segments.is_empty()
            || def.condition.is_some()
            || def.min_subtotal.is_some()
            || def.max_subtotal.is_some()
            || def.budget.is_some()
            || def.min_quantity.is_some()
            || (!stepped && (def.reward.needs_lines() || !def.lines.is_all()))
            || matches!(def.reward, Reward::BuyXGetY { .. } | Reward::FreeShipping)
            // A discount on the shipping gives nothing without shipping.
            || def.reward.target() == DiscountTarget::Shipping;
        Traits {
            restricted,
            leaves_record: !def.codes.is_empty()
                || limited
                || def.budget.is_some()
                || matches!(
                    def.reward,
                    Reward::FreeGift { .. }
                        | Reward::BonusPoints { .. }
                        | Reward::PointsMultiplier { .. }
                ),
            gives_nothing: matches!(def.reward, Reward::BonusPoints { points } if points.is_zero()),
        }
    }
}

impl PromotionDefinition {
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
        reward: Reward,
    ) -> PromotionDefinition {
        let mut promotion = PromotionDefinition::automatic(id, reward);
        promotion.codes.push(code.into());
        promotion
    }

    /// An automatic promotion giving `reward` on every checkout, with no
    /// limits and no conditions; set the other fields as needed (a
    /// [`code`](Self::code) makes it a coupon).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::promotion::{PromotionDefinition, Reward};
    ///
    /// let coffee = PromotionDefinition::automatic(
    ///     "coffee-unit",
    ///     Reward::amount_off_each_unit(Decimal::new(50, 2)),
    /// )
    /// .lines(LineSelector::all().category("coffee")?);
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(coffee))?;
    /// assert!(program.promotions()[0].is_automatic());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn automatic(id: impl Into<String>, reward: Reward) -> PromotionDefinition {
        PromotionDefinition {
            id: id.into(),
            name: None,
            codes: Vec::new(),
            unique: false,
            valid: None,
            usage_limit: None,
            per_customer_limit: None,
            min_subtotal: None,
            max_subtotal: None,
            budget: None,
            min_quantity: None,
            lines: LineSelector::default(),
            first_order_only: false,
            order_number: None,
            tiers: Vec::new(),
            segments: Vec::new(),
            condition: None,
            reward,
            rounding_scope: None,
            split: None,
            stacking: Stacking::default(),
            priority: 0,
            unbuilt: Unbuilt::default(),
        }
    }

    /// An automatic promotion whose percent (or amount) off comes from
    /// steps; add them with [`percent_from`](Self::percent_from) or
    /// [`amount_from`](Self::amount_from).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::promotion::PromotionDefinition;
    ///
    /// let seeds = PromotionDefinition::steps("spend-more")
    ///     .percent_from("100.00", "5")
    ///     .percent_from("200.00", "10")
    ///     .percent_from("300.00", "15");
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(seeds))?;
    /// let table = program.promotions()[0].steps().unwrap();
    /// assert_eq!(table.reward_for("250.00".parse()?, "250.00".parse()?), Some("25.0000".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn steps(id: impl Into<String>) -> PromotionDefinition {
        PromotionDefinition::automatic(
            id,
            Reward::PercentOff {
                percent: None,
                cap: None,
                steps: Vec::new(),
                basis: None,
                measure: None,
                thresholds: None,
                mode: None,
                target: None,
                shipping_share: None,
            },
        )
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
    ) -> PromotionDefinition {
        let mut unbuilt = Unbuilt::default();
        let percent = unbuilt.number("reward.percent", percent);
        let mut coupon = PromotionDefinition::new(id, code, Reward::percent_off(percent));
        coupon.unbuilt = unbuilt;
        coupon
    }

    /// A coupon redeemed by `code`, giving `amount` off the eligible lines.
    #[must_use]
    pub fn amount_off(
        id: impl Into<String>,
        code: impl Into<String>,
        amount: impl DecimalInput,
    ) -> PromotionDefinition {
        let mut unbuilt = Unbuilt::default();
        let amount = unbuilt.number("reward.amount", amount);
        let mut coupon = PromotionDefinition::new(id, code, Reward::amount_off(amount));
        coupon.unbuilt = unbuilt;
        coupon
    }

    /// Adds a step of a percent (`percent`, optional `cap`) or an amount;
    /// the first step of the other kind, or a step on a reward that is not
    /// a percent or amount off, is kept as the builder's error.
    fn step(
        mut self,
        from: impl AmountInput,
        percent: Option<Result<Decimal, String>>,
        amount: Option<Result<PerCurrency, String>>,
        cap: Option<Result<PerCurrency, String>>,
    ) -> PromotionDefinition {
        let at = format!("reward.steps[{}]", self.reward.steps().len());
        let step = StepDefinition::build(&mut self.unbuilt, &at, from, percent, amount, cap);
        let wants_percent = step.percent.is_some();
        // A fresh table takes the kind of its first step.
        match &mut self.reward {
            Reward::AmountOff {
                amount: None,
                steps,
                basis,
                measure,
                thresholds,
                mode,
                target,
                shipping_share,
            } if wants_percent && steps.is_empty() => {
                self.reward = Reward::PercentOff {
                    percent: None,
                    cap: None,
                    steps: Vec::new(),
                    basis: *basis,
                    measure: *measure,
                    thresholds: *thresholds,
                    mode: *mode,
                    target: *target,
                    shipping_share: *shipping_share,
                };
            }
            Reward::PercentOff {
                percent: None,
                cap: None,
                steps,
                basis,
                measure,
                thresholds,
                mode,
                target,
                shipping_share,
            } if !wants_percent && steps.is_empty() => {
                self.reward = Reward::AmountOff {
                    amount: None,
                    steps: Vec::new(),
                    basis: *basis,
                    measure: *measure,
                    thresholds: *thresholds,
                    mode: *mode,
                    target: *target,
                    shipping_share: *shipping_share,
                };
            }
            _ => {}
        }
        match &mut self.reward {
            Reward::PercentOff { steps, .. } if wants_percent => steps.push(step),
            Reward::AmountOff { steps, .. } if !wants_percent => steps.push(step),
            Reward::PercentOff { .. } | Reward::AmountOff { .. } => {
                self.unbuilt.keep(at, Problem::MixedRewards);
            }
            other => {
                let reward = other.type_name();
                self.unbuilt
                    .keep("reward.steps", Problem::StepsOnReward { reward });
            }
        }
        self
    }

    /// Adds a step giving `percent` off from `threshold`.
    #[must_use]
    pub fn percent_from(
        self,
        threshold: impl AmountInput,
        percent: impl DecimalInput,
    ) -> PromotionDefinition {
        self.step(threshold, Some(percent.into_decimal()), None, None)
    }

    /// Adds a step giving `percent` off from `threshold`, at most `cap`.
    #[must_use]
    pub fn percent_from_capped(
        self,
        threshold: impl AmountInput,
        percent: impl DecimalInput,
        cap: impl AmountInput,
    ) -> PromotionDefinition {
        self.step(
            threshold,
            Some(percent.into_decimal()),
            None,
            Some(cap.into_amount()),
        )
    }

    /// Adds a step giving `amount` off from `threshold`.
    #[must_use]
    pub fn amount_from(
        self,
        threshold: impl AmountInput,
        amount: impl AmountInput,
    ) -> PromotionDefinition {
        self.step(threshold, None, Some(amount.into_amount()), None)
    }

    /// The step options of a percent or amount off, to set one.
    fn options(&mut self) -> Option<StepOptionsMut<'_>> {
        match &mut self.reward {
            Reward::PercentOff {
                basis,
                measure,
                thresholds,
                mode,
                ..
            }
            | Reward::AmountOff {
                basis,
                measure,
                thresholds,
                mode,
                ..
            } => Some(StepOptionsMut {
                basis,
                measure,
                thresholds,
                mode,
            }),
            _ => None,
        }
    }

    /// Sets what the steps measure (ignored by rewards without steps).
    #[must_use]
    pub fn basis(mut self, basis: LadderBasis) -> PromotionDefinition {
        if let Some(options) = self.options() {
            *options.basis = Some(basis);
        }
        self
    }

    /// Sets whether the steps measure before or after earlier discounts.
    #[must_use]
    pub fn measure(mut self, measure: Measure) -> PromotionDefinition {
        if let Some(options) = self.options() {
            *options.measure = Some(measure);
        }
        self
    }

    /// Sets inclusive or exclusive thresholds of the steps.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Thresholds) -> PromotionDefinition {
        if let Some(options) = self.options() {
            *options.thresholds = Some(thresholds);
        }
        self
    }

    /// Sets whole-basket or bracket mode of the steps.
    #[must_use]
    pub fn mode(mut self, mode: LadderMode) -> PromotionDefinition {
        if let Some(options) = self.options() {
            *options.mode = Some(mode);
        }
        self
    }

    /// Sets what a percent or amount off comes off (ignored by other
    /// rewards).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::promotion::{DiscountTarget, PromotionDefinition, ShippingShare};
    ///
    /// // 10.00 off the order, the items first, the shipping what is left.
    /// let order = PromotionDefinition::amount_off("ten", "TEN", "10.00")
    ///     .target(DiscountTarget::ItemsAndShipping)
    ///     .shipping_share(ShippingShare::Remainder);
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(order))?;
    /// assert_eq!(program.promotions()[0].definition.reward.target(), DiscountTarget::ItemsAndShipping);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn target(mut self, target: DiscountTarget) -> PromotionDefinition {
        self.reward = self.reward.with_target(target);
        self
    }

    /// Sets how a discount on the items and the shipping together is split
    /// between them (ignored by rewards other than a percent or amount
    /// off).
    #[must_use]
    pub fn shipping_share(mut self, share: ShippingShare) -> PromotionDefinition {
        if let Reward::PercentOff { shipping_share, .. }
        | Reward::AmountOff { shipping_share, .. } = &mut self.reward
        {
            *shipping_share = Some(share);
        }
        self
    }

    /// Sets where its percent is rounded, instead of the program's
    /// rounding scope.
    #[must_use]
    pub fn rounding_scope(mut self, scope: RoundingScope) -> PromotionDefinition {
        self.rounding_scope = Some(scope);
        self
    }

    /// Sets how its amount is spread over the lines, instead of the
    /// program's split.
    #[must_use]
    pub fn split(mut self, split: Split) -> PromotionDefinition {
        self.split = Some(split);
        self
    }

    /// Adds a code that redeems it (an automatic promotion becomes a
    /// coupon).
    #[must_use]
    pub fn code(mut self, code: impl Into<String>) -> PromotionDefinition {
        self.codes.push(code.into());
        self
    }

    /// Makes each code of the batch usable once overall.
    #[must_use]
    pub fn unique(mut self) -> PromotionDefinition {
        self.unique = true;
        self
    }

    /// Only on the customer's first order.
    #[must_use]
    pub fn first_order_only(mut self) -> PromotionDefinition {
        self.first_order_only = true;
        self
    }

    /// Only for customers in `tier` (add several for any of them). A blank
    /// tier is reported by `Program::new`.
    #[must_use]
    pub fn tier(mut self, tier: &str) -> PromotionDefinition {
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
    pub fn segment(mut self, segment: &str) -> PromotionDefinition {
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
    pub fn cap(mut self, cap: impl AmountInput) -> PromotionDefinition {
        let value = self.unbuilt.amount("reward.cap", cap);
        if let Reward::PercentOff { cap, .. } = &mut self.reward {
            *cap = Some(value);
        }
        self
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> PromotionDefinition {
        self.name = Some(name.into());
        self
    }

    /// Sets when it is valid, in the program's local time.
    #[must_use]
    pub fn valid(mut self, valid: DateWindow) -> PromotionDefinition {
        self.valid = Some(valid);
        self
    }

    /// Sets the most redemptions overall.
    #[must_use]
    pub fn usage_limit(mut self, usage_limit: u64) -> PromotionDefinition {
        self.usage_limit = Some(usage_limit);
        self
    }

    /// Sets the most redemptions by one customer.
    #[must_use]
    pub fn per_customer_limit(mut self, per_customer_limit: u64) -> PromotionDefinition {
        self.per_customer_limit = Some(per_customer_limit);
        self
    }

    /// Sets the least subtotal of eligible lines, inclusive: at least
    /// `min_subtotal`.
    #[must_use]
    pub fn min_subtotal(mut self, min_subtotal: impl AmountInput) -> PromotionDefinition {
        self.min_subtotal = Some(Minimum::AtLeast(
            self.unbuilt.amount("min_subtotal", min_subtotal),
        ));
        self
    }

    /// Sets the least subtotal of eligible lines, exclusive: more than
    /// `min_subtotal` (`{"above": …}`).
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::bounds::Minimum;
    ///
    /// let over_50 = CouponDefinition::amount_off("over-50", "OVER50", "5.00")
    ///     .min_subtotal_above("50.00");
    /// assert_eq!(over_50.min_subtotal, Some(Minimum::Above("50.00".parse()?)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn min_subtotal_above(mut self, min_subtotal: impl AmountInput) -> PromotionDefinition {
        self.min_subtotal = Some(Minimum::Above(
            self.unbuilt.amount("min_subtotal", min_subtotal),
        ));
        self
    }

    /// Sets the greatest subtotal of eligible lines, inclusive: at most
    /// `max_subtotal`.
    #[must_use]
    pub fn max_subtotal(mut self, max_subtotal: impl AmountInput) -> PromotionDefinition {
        self.max_subtotal = Some(Maximum::AtMost(
            self.unbuilt.amount("max_subtotal", max_subtotal),
        ));
        self
    }

    /// Sets the greatest subtotal of eligible lines, exclusive: less than
    /// `max_subtotal` (`{"below": …}`).
    #[must_use]
    pub fn max_subtotal_below(mut self, max_subtotal: impl AmountInput) -> PromotionDefinition {
        self.max_subtotal = Some(Maximum::Below(
            self.unbuilt.amount("max_subtotal", max_subtotal),
        ));
        self
    }

    /// Sets the spend budget: the most discount it may give over every
    /// order.
    ///
    /// ```
    /// use loyalty::prelude::*;
    ///
    /// let launch = PromotionDefinition::automatic("launch", Reward::percent_off(Decimal::TEN))
    ///     .budget("1000.00");
    /// let program = Program::new(ProgramDefinition::new("shop", Currency::EUR).promotion(launch))?;
    /// assert!(program.promotions()[0].has_budget());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn budget(mut self, budget: impl AmountInput) -> PromotionDefinition {
        self.budget = Some(self.unbuilt.amount("budget", budget));
        self
    }

    /// Sets the fewest eligible units.
    #[must_use]
    pub fn min_quantity(mut self, min_quantity: u64) -> PromotionDefinition {
        self.min_quantity = Some(min_quantity);
        self
    }

    /// Sets which lines are eligible.
    #[must_use]
    pub fn lines(mut self, lines: LineSelector) -> PromotionDefinition {
        self.lines = lines;
        self
    }

    /// Only on the customer's Nth order.
    #[must_use]
    pub fn order_number(mut self, order_number: u64) -> PromotionDefinition {
        self.order_number = Some(order_number);
        self
    }

    /// Sets a further condition.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> PromotionDefinition {
        self.condition = Some(condition);
        self
    }

    /// Sets what it gives.
    #[must_use]
    pub fn reward(mut self, reward: Reward) -> PromotionDefinition {
        self.reward = reward;
        self
    }

    /// Sets how it combines with other discounts.
    #[must_use]
    pub fn stacking(mut self, stacking: Stacking) -> PromotionDefinition {
        self.stacking = stacking;
        self
    }

    /// Sets the priority (higher goes first when the program picks by priority).
    #[must_use]
    pub fn priority(mut self, priority: i32) -> PromotionDefinition {
        self.priority = priority;
        self
    }

    /// Whether it has no codes: it applies on every checkout it fits.
    #[must_use]
    pub fn is_automatic(&self) -> bool {
        self.codes.is_empty()
    }

    /// Validates the promotion against its program: its lines, condition
    /// and tiers, amounts in the program's currency; warns of a percent
    /// below 1, of a reward worth nothing, and of restrictions that
    /// contradict each other. `origin` is the list it is written in: a
    /// coupon must have codes.
    pub(crate) fn validate(
        self,
        path: &str,
        origin: Origin,
        ctx: &mut RuleContext<'_>,
    ) -> Result<Promotion, ProgramError> {
        self.unbuilt.check(path)?;
        ctx.discount_lines(&format!("{path}.lines"), &self.lines)?;
        ctx.condition(&format!("{path}.condition"), self.condition.as_ref())?;
        if let Some(valid) = &self.valid {
            ctx.window(&format!("{path}.valid"), valid);
        }
        let promotion = self.compile(path, origin)?;
        let def = &promotion.definition;
        subtotal_bounds(
            path,
            def.min_subtotal.as_ref(),
            def.max_subtotal.as_ref(),
            ctx,
        )?;
        if let Some(budget) = def.budget.as_ref().map(PerCurrency::value) {
            ctx.amount(format!("{path}.budget"), budget)?;
            if budget.is_zero() {
                ctx.warn(format!("{path}.budget"), WarningKind::ZeroBudget);
            }
        }
        let zero = |ctx: &mut RuleContext<'_>, field: &str, what: &'static str| {
            ctx.warn(
                format!("{path}.reward.{field}"),
                WarningKind::ZeroReward { what },
            );
        };
        match &def.reward {
            Reward::PercentOff { percent, cap, .. } => {
                if let Some(cap) = cap {
                    ctx.amount(format!("{path}.reward.cap"), cap.value())?;
                }
                match percent {
                    Some(p) if p.is_zero() => zero(ctx, "percent", "percent"),
                    Some(p) => ctx.percent_warnings(format!("{path}.reward.percent"), *p),
                    None => {}
                }
            }
            Reward::AmountOff {
                amount: Some(amount),
                ..
            } => {
                ctx.amount(format!("{path}.reward.amount"), amount.value())?;
                if amount.value().is_zero() {
                    zero(ctx, "amount", "amount");
                }
            }
            reward @ (Reward::AmountOffEachLine { .. }
            | Reward::AmountOffEachUnit { .. }
            | Reward::PercentOffEachUnit { .. }
            | Reward::BuyXGetY { .. }
            | Reward::FreeGift { .. }) => line_rewards::validate(path, reward, ctx)?,
            Reward::BonusPoints { points } if points.is_zero() => {
                zero(ctx, "points", "bonus points");
            }
            _ => {}
        }
        if let Some(table) = &promotion.table {
            table.validate_amounts(&format!("{path}.reward"), ctx)?;
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
        Ok(promotion)
    }

    /// Validates the definition on its own; `path` names it in errors
    /// (`coupons[3]`, `promotions[0]`).
    ///
    /// # Errors
    ///
    /// A [`ProgramError`] naming the field and the fix.
    pub(crate) fn compile(self, path: &str, origin: Origin) -> Result<Promotion, ProgramError> {
        let err = |sub: &str, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        let what = match origin {
            Origin::Coupons => "coupon id",
            _ => "promotion id",
        };
        if self.id.trim().is_empty() {
            return err(".id", Problem::Blank { what });
        }
        if self.codes.is_empty() {
            if origin == Origin::Coupons {
                return err(".codes", Problem::NoCodes);
            }
            if self.unique {
                return err(".unique", Problem::UniqueWithoutCodes);
            }
        }
        for (i, code) in self.codes.iter().enumerate() {
            if code.trim().is_empty() {
                return err(&format!(".codes[{i}]"), Problem::Blank { what: "code" });
            }
        }
        let negative = |v: Decimal| v.is_sign_negative() && !v.is_zero();
        if let Some(v) = self
            .min_subtotal
            .as_ref()
            .map(|m| m.amount().value())
            .filter(|v| negative(*v))
        {
            return err(
                ".min_subtotal",
                Problem::Negative {
                    what: "minimum subtotal",
                    value: v,
                },
            );
        }
        if let Some(v) = self
            .max_subtotal
            .as_ref()
            .map(|m| m.amount().value())
            .filter(|v| negative(*v))
        {
            return err(
                ".max_subtotal",
                Problem::Negative {
                    what: "maximum subtotal",
                    value: v,
                },
            );
        }
        if let Some(budget) = self.budget.as_ref().map(PerCurrency::value) {
            if negative(budget) {
                return err(
                    ".budget",
                    Problem::Negative {
                        what: "budget",
                        value: budget,
                    },
                );
            }
            if !self.reward.gives_money() {
                return err(
                    ".budget",
                    Problem::BudgetWithoutDiscount {
                        reward: self.reward.type_name(),
                    },
                );
            }
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
        let mut table = None;
        match &self.reward {
            Reward::PercentOff {
                percent,
                cap,
                steps,
                basis,
                measure,
                thresholds,
                mode,
                ..
            } => {
                let options = [
                    ("basis", basis.is_some()),
                    ("measure", measure.is_some()),
                    ("thresholds", thresholds.is_some()),
                    ("mode", mode.is_some()),
                ];
                if steps.is_empty() {
                    without_steps(path, "percent", options)?;
                    let Some(percent) = percent else {
                        return err(
                            ".reward.percent",
                            Problem::NoValue {
                                reward: "percent_off",
                                field: "percent",
                            },
                        );
                    };
                    if !percent.is_zero() {
                        check_percent(*percent)
                            .map_err(|p| ProgramError::new(format!("{path}.reward.percent"), p))?;
                    }
                    if let Some(c) = cap
                        .as_ref()
                        .map(PerCurrency::value)
                        .filter(|c| negative(*c))
                    {
                        return err(
                            ".reward.cap",
                            Problem::Negative {
                                what: "cap",
                                value: c,
                            },
                        );
                    }
                } else {
                    if percent.is_some() {
                        return err(
                            ".reward.percent",
                            Problem::ValueAndSteps { field: "percent" },
                        );
                    }
                    if cap.is_some() {
                        return err(".reward.cap", Problem::CapWithSteps);
                    }
                    for (i, step) in steps.iter().enumerate() {
                        if step.percent.is_none() && step.amount.is_some() {
                            return err(
                                &format!(".reward.steps[{i}]"),
                                Problem::StepOfOtherKind {
                                    reward: "percent_off",
                                    gives: "percent",
                                    other: "amount_off",
                                },
                            );
                        }
                    }
                    table = Some(StepTable::compile(
                        &format!("{path}.reward"),
                        step_options(*basis, *measure, *thresholds, *mode),
                        steps,
                    )?);
                }
            }
            Reward::AmountOff {
                amount,
                steps,
                basis,
                measure,
                thresholds,
                mode,
                ..
            } => {
                let options = [
                    ("basis", basis.is_some()),
                    ("measure", measure.is_some()),
                    ("thresholds", thresholds.is_some()),
                    ("mode", mode.is_some()),
                ];
                if steps.is_empty() {
                    without_steps(path, "amount", options)?;
                    let Some(amount) = amount else {
                        return err(
                            ".reward.amount",
                            Problem::NoValue {
                                reward: "amount_off",
                                field: "amount",
                            },
                        );
                    };
                    if negative(amount.value()) {
                        return err(
                            ".reward.amount",
                            Problem::Negative {
                                what: "amount",
                                value: amount.value(),
                            },
                        );
                    }
                } else {
                    if amount.is_some() {
                        return err(".reward.amount", Problem::ValueAndSteps { field: "amount" });
                    }
                    for (i, step) in steps.iter().enumerate() {
                        if step.amount.is_none() && step.percent.is_some() {
                            return err(
                                &format!(".reward.steps[{i}]"),
                                Problem::StepOfOtherKind {
                                    reward: "amount_off",
                                    gives: "amount",
                                    other: "percent_off",
                                },
                            );
                        }
                    }
                    table = Some(StepTable::compile(
                        &format!("{path}.reward"),
                        step_options(*basis, *measure, *thresholds, *mode),
                        steps,
                    )?);
                }
            }
            Reward::AmountOffEachLine { .. }
            | Reward::AmountOffEachUnit { .. }
            | Reward::PercentOffEachUnit { .. }
            | Reward::BuyXGetY { .. }
            | Reward::FreeGift { .. } => line_rewards::compile(path, &self.reward)?,
            Reward::BonusPoints { points } => {
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
            Reward::PointsMultiplier { factor } => {
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
            Reward::FreeShipping | Reward::CheapestFree => {}
        }
        self.check_sharing(path, table.as_ref())?;
        Ok(Promotion {
            rule_id: RuleId::new(self.id.as_str())
                .map_err(|_| ProgramError::new(format!("{path}.id"), Problem::Blank { what }))?,
            origin,
            traits: Traits::of(&self, table.is_some()),
            table,
            index: 0,
            definition: self,
        })
    }
}

/// The bounds on the eligible subtotal: amounts of the program's currency,
/// a range that some amount meets (an error when none does), and a
/// warning for an exclusive minimum of 0.
fn subtotal_bounds(
    path: &str,
    min: Option<&Minimum>,
    max: Option<&Maximum>,
    ctx: &mut RuleContext<'_>,
) -> Result<(), ProgramError> {
    if let Some(min) = min {
        ctx.amount(format!("{path}.min_subtotal"), min.amount().value())?;
        if min.is_exclusive() && min.amount().value().is_zero() {
            ctx.warn(
                format!("{path}.min_subtotal"),
                WarningKind::ExclusiveZeroMinimum,
            );
        }
    }
    let Some(max) = max else {
        return Ok(());
    };
    ctx.amount(format!("{path}.max_subtotal"), max.amount().value())?;
    // Amounts are whole minor units: the range holds one when its lowest
    // admitted amount is not above its highest.
    let step = ctx.currency.minor_unit();
    let lowest = min.and_then(|m| m.lowest(step)).unwrap_or(Decimal::ZERO);
    let empty = max.highest(step).is_none_or(|highest| highest < lowest);
    if empty {
        return Err(ProgramError::new(
            format!("{path}.max_subtotal"),
            Problem::EmptySubtotalRange {
                min: min.cloned().map(Box::new),
                max: Box::new(max.clone()),
            },
        ));
    }
    Ok(())
}

impl PromotionDefinition {
    /// The settings of what the reward comes off and of how it is rounded
    /// and split, against the reward: a rounding scope only for a percent
    /// (and not on one amount), a split only over lines, a shipping share
    /// only for a discount on both, steps on the shipping only for a
    /// discount on it, bracket steps only on the items.
    fn check_sharing(&self, path: &str, table: Option<&StepTable>) -> Result<(), ProgramError> {
        let err = |sub: &str, problem| Err(ProgramError::new(format!("{path}{sub}"), problem));
        let percent = match &self.reward {
            Reward::PercentOff { .. } => true,
            Reward::AmountOff { .. } => false,
            other => {
                if self.rounding_scope.is_some() {
                    return err(
                        ".rounding_scope",
                        Problem::RoundingScopeWithoutPercent {
                            reward: other.type_name(),
                        },
                    );
                }
                if self.split.is_some() {
                    return err(
                        ".split",
                        Problem::SplitWithoutLines {
                            what: other.type_name(),
                        },
                    );
                }
                return Ok(());
            }
        };
        let target = self.reward.target();
        let share = match &self.reward {
            Reward::PercentOff { shipping_share, .. }
            | Reward::AmountOff { shipping_share, .. } => *shipping_share,
            _ => None,
        };
        if share.is_some() && target != DiscountTarget::ItemsAndShipping {
            return err(".reward.shipping_share", Problem::ShippingShareWithoutBoth);
        }
        let bracket = table.is_some_and(|t| t.mode() == LadderMode::Bracket);
        if let Some(table) = table {
            if table.basis() == LadderBasis::Shipping && target == DiscountTarget::Items {
                return err(".reward.basis", Problem::ShippingBasisOffItems);
            }
            if bracket && target != DiscountTarget::Items {
                return err(".reward.mode", Problem::BracketOffShipping);
            }
        }
        if let Some(scope) = self.rounding_scope {
            if !percent {
                return err(
                    ".rounding_scope",
                    Problem::RoundingScopeWithoutPercent {
                        reward: self.reward.type_name(),
                    },
                );
            }
            if target == DiscountTarget::Shipping {
                return err(
                    ".rounding_scope",
                    Problem::RoundingScopeOnOneAmount {
                        why: "a discount on shipping is one amount, rounded once",
                    },
                );
            }
            if scope != RoundingScope::Total && bracket {
                return err(
                    ".rounding_scope",
                    Problem::RoundingScopeOnOneAmount {
                        why: "bracket steps give one amount for all their bands, rounded once",
                    },
                );
            }
            if scope != RoundingScope::Total && share == Some(ShippingShare::Remainder) {
                return err(
                    ".rounding_scope",
                    Problem::RoundingScopeOnOneAmount {
                        why: "shipping_share remainder splits one amount, rounded once (use shipping_share proportional to round each line and the shipping)",
                    },
                );
            }
        }
        if self.split.is_some() && target == DiscountTarget::Shipping {
            return err(
                ".split",
                Problem::SplitWithoutLines {
                    what: "a discount on shipping",
                },
            );
        }
        Ok(())
    }
}

/// The step options of a reward, to set one in place.
struct StepOptionsMut<'a> {
    basis: &'a mut Option<LadderBasis>,
    measure: &'a mut Option<Measure>,
    thresholds: &'a mut Option<Thresholds>,
    mode: &'a mut Option<LadderMode>,
}

/// The step options given, with their defaults.
fn step_options(
    basis: Option<LadderBasis>,
    measure: Option<Measure>,
    thresholds: Option<Thresholds>,
    mode: Option<LadderMode>,
) -> StepOptions {
    StepOptions {
        basis: basis.unwrap_or_default(),
        measure: measure.unwrap_or_default(),
        thresholds: thresholds.unwrap_or_default(),
        mode: mode.unwrap_or_default(),
    }
}

/// A step option given to a reward without steps: refused, naming it.
fn without_steps(
    path: &str,
    field: &'static str,
    options: [(&'static str, bool); 4],
) -> Result<(), ProgramError> {
    match options.iter().find(|(_, given)| *given) {
        Some((option, _)) => Err(ProgramError::new(
            format!("{path}.reward.{option}"),
            Problem::OptionWithoutSteps { option, field },
        )),
        None => Ok(()),
    }
}

impl From<LadderDefinition> for PromotionDefinition {
    /// The automatic promotion a ladder is read as: a percent off (or an
    /// amount off, when its first step gives an amount) whose steps,
    /// options, lines, condition, stacking and priority are the ladder's.
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::rules::promotion::PromotionDefinition;
    ///
    /// let ladder = LadderDefinition::new("spend-more").percent_from("100.00", "5");
    /// let promotion = PromotionDefinition::from(ladder);
    /// assert!(promotion.is_automatic());
    /// assert_eq!(
    ///     serde_json::to_value(&promotion)?,
    ///     serde_json::json!({"id": "spend-more", "reward": {"type": "percent_off",
    ///         "steps": [{"from": "100.00", "percent": "5"}]}, "stacking": "stackable",
    ///         "priority": 0})
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn from(ladder: LadderDefinition) -> PromotionDefinition {
        fn given<T: PartialEq + Default>(value: T) -> Option<T> {
            (value != T::default()).then_some(value)
        }
        let basis = given(ladder.basis);
        let measure = given(ladder.measure);
        let thresholds = given(ladder.thresholds);
        let mode = given(ladder.mode);
        let amounts = ladder
            .steps
            .first()
            .is_some_and(|s| s.percent.is_none() && s.amount.is_some());
        let reward = if amounts {
            Reward::AmountOff {
                amount: None,
                steps: ladder.steps,
                basis,
                measure,
                thresholds,
                mode,
                target: None,
                shipping_share: None,
            }
        } else {
            Reward::PercentOff {
                percent: None,
                cap: None,
                steps: ladder.steps,
                basis,
                measure,
                thresholds,
                mode,
                target: None,
                shipping_share: None,
            }
        };
        let mut promotion = PromotionDefinition::automatic(ladder.id, reward);
        promotion.name = ladder.name;
        promotion.lines = ladder.lines;
        promotion.condition = ladder.condition;
        promotion.stacking = ladder.stacking;
        promotion.priority = ladder.priority;
        promotion.unbuilt = ladder.unbuilt;
        promotion
    }
}

impl Promotion {
    /// The promotion a validated ladder is read as, its steps already
    /// checked under the ladder's paths.
    pub(crate) fn from_ladder(ladder: &Ladder) -> Promotion {
        let definition = PromotionDefinition::from(ladder.definition.clone());
        Promotion {
            traits: Traits::of(&definition, true),
            definition,
            rule_id: ladder.rule_id().clone(),
            origin: Origin::Ladders,
            table: Some(ladder.table().clone()),
            index: 0,
        }
    }

    /// The promotion's id.
    #[inline]
    #[must_use]
    pub fn id(&self) -> &str {
        self.rule_id.as_str()
    }

    /// The promotion's id, shared.
    #[inline]
    #[must_use]
    pub fn rule_id(&self) -> &RuleId {
        &self.rule_id
    }

    /// The list of the program it was written in.
    #[inline]
    #[must_use]
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// Whether it has no codes: it is judged on every checkout.
    #[inline]
    #[must_use]
    pub fn is_automatic(&self) -> bool {
        self.definition.codes.is_empty()
    }

    /// The validated steps its percent or amount off takes its value from,
    /// if it has steps.
    #[inline]
    #[must_use]
    pub fn steps(&self) -> Option<&StepTable> {
        self.table.as_ref()
    }

    /// Whether it limits its redemptions, overall or per customer: an
    /// automatic promotion then needs its usage counts and gives a
    /// redemption effect.
    #[inline]
    #[must_use]
    pub fn has_usage_limit(&self) -> bool {
        self.definition.usage_limit.is_some() || self.definition.per_customer_limit.is_some()
    }

    /// Whether it has a spend budget: it then needs the amount spent so
    /// far and gives a `spend_budget` effect.
    #[must_use]
    pub fn has_budget(&self) -> bool {
        self.definition.budget.is_some()
    }

    /// Whether any restriction may refuse it: one that has none applies
    /// on every checkout without a look at its restrictions.
    #[inline]
    pub(crate) fn is_restricted(&self) -> bool {
        self.traits.restricted
    }

    /// Whether, once applied, it leaves anything for the later stages: a
    /// redemption to store (a code, a usage limit or a budget), a gift, or
    /// points.
    #[inline]
    pub(crate) fn leaves_record(&self) -> bool {
        self.traits.leaves_record
    }

    /// Whether its reward is worth nothing whatever the order: bonus points
    /// of 0 (a discount of 0 is seen from its amount).
    #[inline]
    pub(crate) fn gives_nothing(&self) -> bool {
        self.traits.gives_nothing
    }
}

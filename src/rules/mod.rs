//! The rules a program is made of, one file per kind.
//!
//! - [`promotion`]: every discount rule in one shape, automatic or behind
//!   codes, with any reward (a percent or amount off may take its value
//!   from steps);
//! - [`bounds`]: the least and the greatest subtotal a promotion takes,
//!   inclusive or exclusive;
//! - [`ladder`]: progressive discounts by spend or quantity, the steps of
//!   a promotion's reward;
//! - [`line_rewards`]: what comes off each line or unit, buy X get Y with
//!   two selectors, a gift per N units;
//! - [`coupon`]: promotions behind codes: how codes match, and the
//!   verdict on an entered one;
//! - [`earn`]: points: earning rules, multipliers, bonuses;
//! - [`cashback`]: money back on the net paid;
//! - [`expiry`]: when points and cashback become available and expire;
//! - [`redemption`]: paying with points or cashback at checkout;
//! - [`returns`]: what a return takes back and gives back;
//! - [`tier`]: the VIP tiers, what they take and give;
//! - [`segment`]: which RFM scores give which named segment;
//! - [`nudge`]: which nudges are on, and their thresholds.
//!
//! Each rule is written as a `*Definition` (plain serde data) and compiled
//! into a validated form by [`Program::new`](crate::Program::new).

pub mod bounds;
pub mod cashback;
pub(crate) mod context;
pub mod coupon;
pub(crate) mod currency;
pub mod earn;
pub mod expiry;
mod input;
pub mod ladder;
pub mod line_rewards;
pub mod nudge;
pub mod promotion;
pub mod redemption;
pub mod returns;
pub mod segment;
pub mod tier;

use serde::{Deserialize, Serialize};

use crate::id::string_id;
pub(crate) use input::Unbuilt;
pub use input::{AmountInput, DecimalInput};

string_id!(
    /// The id of a rule of a program: a ladder, a coupon, a promotion, an
    /// earning rule, a bonus, a campaign or a cashback rule.
    RuleId,
    "rule id"
);

/// How a discount combines with the others of an evaluation.
///
/// Serialised as `"stackable"`, `"exclusive"`, or `{"group": "welcome"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// Applies alongside every other stackable or grouped discount. The
    /// default.
    #[default]
    Stackable,
    /// Applies alone: when it is picked, no other discount applies.
    Exclusive,
    /// At most one discount of the named group applies; it combines with
    /// discounts outside the group.
    Group(String),
}

pub(crate) use crate::util::not_null;

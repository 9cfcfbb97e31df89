//! What a program does when goods come back.
//!
//! A return gives back the money paid for the returned units, takes back
//! the points and cashback those units earned, and gives back the points
//! and cashback they were paid with. Three things vary between shops:
//!
//! - **order-level points** (bonuses, per-order earning rules, bonus
//!   coupons): `reverse` (the default) takes them back when the order kept
//!   no longer earns them; `keep` leaves them until the whole order is
//!   returned;
//! - **points already spent**: when the points to take back are more than
//!   the customer holds, `cap_at_zero` (the default) takes what there is
//!   and reports the shortfall, `allow_negative` takes them all (the
//!   balance goes below zero, and later earnings pay it off),
//!   `deduct_from_refund` takes what there is and keeps the shortfall's
//!   worth (at the redemption rate) from the money refunded;
//! - **shipping**: `on_full_return` (the default) refunds it with the last
//!   unit, `never` keeps it.
//!
//! # Example
//!
//! ```
//! use loyalty::rules::returns::{ReturnPolicy, SpentPoints};
//!
//! let policy: ReturnPolicy = serde_json::from_str(r#"{"spent_points": "deduct_from_refund"}"#)?;
//! assert_eq!(policy.spent_points, SpentPoints::DeductFromRefund);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Serialize};

/// The program's rules for returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ReturnPolicy {
    /// Order-level points when the order kept no longer earns them.
    pub order_points: OrderPoints,
    /// Points to take back that the customer no longer holds.
    pub spent_points: SpentPoints,
    /// Whether shipping is refunded.
    pub shipping: ShippingRefund,
}

impl ReturnPolicy {
    /// Whether the policy is the default one.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == ReturnPolicy::default()
    }
}

/// Order-level points (bonuses, per-order rules, bonus coupons) on a
/// partial return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderPoints {
    /// Taken back when the order kept, evaluated again at the original
    /// instant, no longer earns them. The default.
    #[default]
    Reverse,
    /// Kept until the whole order is returned.
    Keep,
}

/// Points to take back that the customer no longer holds (spent, or
/// expired).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpentPoints {
    /// Take what the customer holds; report the rest as a shortfall. The
    /// default.
    #[default]
    CapAtZero,
    /// Take them all: the balance goes below zero.
    AllowNegative,
    /// Take what the customer holds; keep the rest's worth, at the points
    /// redemption rate (rounded up to the minor unit), from the money
    /// refunded. Without a points redemption in the program, as
    /// `cap_at_zero`.
    DeductFromRefund,
}

/// Whether shipping is refunded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShippingRefund {
    /// With the last unit of the order. The default.
    #[default]
    OnFullReturn,
    /// Never.
    Never,
}

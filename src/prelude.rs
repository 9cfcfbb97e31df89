//! The types a host needs for the common work, in one import:
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR)
//!         .ladder(LadderDefinition::new("spend-more").percent_from("100", "5")),
//! )?;
//! let at = "2026-11-27T10:00:00Z".parse()?;
//! let order = Order::builder("A-1", "C-1", at, Currency::EUR)
//!     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::EUR)?))
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-1")?, at))?;
//! assert_eq!(evaluation.totals.discount, Decimal::new(600, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::Decimal;
pub use crate::calendar::{Country, SeasonalEvent, Zone};
pub use crate::condition::{Condition, LineSelector};
pub use crate::customer::{Customer, CustomerStats, TierId};
pub use crate::error::Error;
pub use crate::evaluate::{BudgetSpent, Checkout, CouponUsage, EvaluateOptions, PromotionUsage};
pub use crate::evaluation::{Effect, Evaluation};
pub use crate::money::{Currency, Money, RoundingMode};
pub use crate::order::{Line, Order, Refund};
pub use crate::program::{Program, ProgramDefinition};
pub use crate::rules::cashback::CashbackDefinition;
pub use crate::rules::coupon::{CouponDefinition, CouponReward};
pub use crate::rules::earn::{BonusDefinition, BonusTrigger, EarnRuleDefinition};
pub use crate::rules::ladder::LadderDefinition;
pub use crate::rules::promotion::{PromotionDefinition, Reward};
pub use crate::rules::redemption::{Ask, Available, Redeem};
pub use crate::wallet::{Amount, Balance, Entry, Ledger, ReturnOutcome};

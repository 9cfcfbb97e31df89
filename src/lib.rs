//! # loyalty
//!
//! The rules side of a shop's retention programs, as a pure library:
//! progressive discounts, coupons, and the exact money, calendar and
//! conditions they stand on. It does no I/O and reads no clock: the host
//! passes plain data in (the program, the order, a snapshot of the customer,
//! the instant) and stores what comes out.
//!
//! ## A tour
//!
//! - [`money`]: [`Currency`](money::Currency) with its ISO 4217 minor units,
//!   [`Money`](money::Money) with checked arithmetic,
//!   [`RoundingMode`](money::RoundingMode), and [`allocate`](money::allocate),
//!   which splits an amount so that the parts sum exactly to it.
//! - [`order`] and [`customer`]: validated orders, lines, refunds, and a
//!   customer with a snapshot of their history.
//! - [`calendar`]: the program's time zone, local date windows, and seasonal
//!   events (Black Friday, 11/11, Mother's Day by country, the shop's own
//!   dates).
//! - [`condition`]: when a rule applies, answered with the observed value and
//!   the bound ("subtotal 187.50 is below 200.00").
//! - [`program`] and [`rules`]: a program as plain data (JSON, TOML or Rust),
//!   validated once by [`Program::new`](program::Program::new) with errors
//!   that name the path and the fix.
//!
//! ## Example: the seeds' ladder
//!
//! 5% from 100, 10% from 200, 15% from 300, thresholds inclusive:
//!
//! ```
//! use loyalty::program::{Program, ProgramDefinition};
//! use rust_decimal::Decimal;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "seeds",
//!     "currency": "EUR",
//!     "time_zone": "Europe/Lisbon",
//!     "ladders": [{
//!         "id": "spend-more",
//!         "steps": [
//!             {"from": "100.00", "percent": "5"},
//!             {"from": "200.00", "percent": "10"},
//!             {"from": "300.00", "percent": "15"}
//!         ]
//!     }]
//! }"#)?)?;
//! let ladder = &program.ladders()[0];
//! for (subtotal, discount) in [("99.99", "0"), ("100.00", "5"), ("250.00", "25"), ("300.00", "45")] {
//!     let subtotal: Decimal = subtotal.parse()?;
//!     assert_eq!(ladder.reward_for(subtotal, subtotal), Some(discount.parse()?));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Crate features
//!
//! - `tz` (default): IANA time zones by name through `chrono-tz`. Without
//!   it, a program's time zone is `"UTC"` or a fixed offset like `"-03:00"`.
//!
//! ## Errors
//!
//! Bad input is a typed error whose message says what to fix; nothing
//! panics. A rule that does not apply (a coupon that expired) is not an
//! error but an outcome with a reason.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calendar;
pub mod condition;
pub mod customer;
pub mod evaluate;
pub mod evaluation;
pub mod id;
pub mod money;
pub mod order;
pub mod program;
pub mod rules;

//! # loyalty
//!
//! The rules side of a shop's retention programs, as a pure library:
//! progressive discounts, coupons, points and cashback, and the exact money,
//! calendar and conditions they stand on. It does no I/O and reads no clock: the host
//! passes plain data in (the program, the order, a snapshot of the customer,
//! the instant) and stores what comes out.
//!
//! ## A tour
//!
//! - [`money`]: [`Currency`](money::Currency) with its ISO 4217 minor units,
//!   [`Money`](money::Money) with checked arithmetic,
//!   [`RoundingMode`](money::RoundingMode), [`allocate`](money::allocate),
//!   which splits an amount so that the parts sum exactly to it, and
//!   [`PerCurrency`](money::PerCurrency), an amount a program states in
//!   its currency or one per currency it serves.
//! - [`order`] and [`customer`]: validated orders, lines, refunds, and a
//!   customer with a snapshot of their history.
//! - [`calendar`]: the program's time zone, local date windows, and seasonal
//!   events (Black Friday, 11/11, Mother's Day by country, the shop's own
//!   dates).
//! - [`condition`]: when a rule applies, answered with the observed value and
//!   the bound ("subtotal 187.50 is below 200.00").
//! - [`program`] and [`rules`]: a program as plain data (JSON, TOML or Rust),
//!   validated once by [`Program::new`](program::Program::new) with errors
//!   that name the path and the fix: [`promotions`](rules::promotion) of
//!   every reward, automatic or behind [`coupon`](rules::coupon) codes,
//!   whose percent or amount off may take its value from the steps of a
//!   progressive discount [`ladder`](rules::ladder), with inclusive or
//!   exclusive subtotal [`bounds`](rules::bounds) and spend budgets; points
//!   [`earning`](rules::earn) with multipliers and bonuses,
//!   [`cashback`](rules::cashback), the [`expiry`](rules::expiry) of
//!   what is earned, paying with points or cashback
//!   ([`redemption`](rules::redemption)), what a return takes back
//!   ([`returns`](rules::returns)), [`tiers`](rules::tier) with what
//!   they take and give, the RFM [`segment`](rules::segment) table, and
//!   which [`nudges`](rules::nudge) are on. A program may serve several
//!   currencies, read once for each
//!   ([`Program::in_currency`](program::Program::in_currency)).
//! - [`evaluate`]: [`Program::evaluate`](program::Program::evaluate) takes a
//!   [`Checkout`](evaluate::Checkout) and returns an
//!   [`Evaluation`](evaluation::Evaluation) in fixed
//!   [stages](evaluate::Stage), a file each: facts, automatic promotions
//!   (ladders among them), coupon verdicts, stacking, discounts allocated per line, redemption, points,
//!   cashback, effects; `evaluate_batch` for many checkouts, and
//!   [`summarize`](program::Program::summarize) for the totals alone.
//!   Inside, every amount is a whole number of the currency's minor unit.
//! - [`evaluation`]: every amount per line and in total, the verdict on each
//!   code, the trace of why as data ([`Reason`](evaluation::Reason)) with
//!   its sentences written on demand, the effects to store with their
//!   idempotency keys; an evaluation prints as a receipt.
//! - [`wallet`]: the customer's ledger of points and cashback, rebuilt
//!   from the entries the host stores ([`Ledger`](wallet::Ledger)): lots
//!   pending then available, redemptions soonest-expiring first,
//!   reversals, restorations, expiry by date or by inactivity, and the
//!   [`Balance`](wallet::Balance) at any instant; and
//!   [`returns`](wallet::returns) that give back and take back exactly
//!   what the returned units paid and earned, and
//!   [`cancellations`](wallet::cancel) that give back everything an order
//!   stored.
//! - [`tiers`]: a customer's VIP tier from their history
//!   ([`Program::tier_status`](program::Program::tier_status)), and what an
//!   order does to it
//!   ([`Program::tier_outlook`](program::Program::tier_outlook)).
//! - [`insight`]: a customer's purchase [`profile`](insight::profile)
//!   from their orders and returns, [`RFM`](insight::rfm) scores over the
//!   whole base and the segments the program's table gives them, the
//!   [`nudges`](insight::nudges) a customer could be sent, and a
//!   [`simulation`](insight::simulate) of a program over a history.
//! - [`error`]: one small error per part and the umbrella [`Error`];
//!   [`percent`]: the validated [`Percent`](percent::Percent);
//!   [`prelude`]: the dozen types a host needs, in one import.
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
//! ## Example: a promotion without a code
//!
//! Any reward applies automatically when its promotion has no `codes`:
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "shop", "currency": "EUR",
//!     "promotions": [{"id": "coffee-unit", "lines": {"categories": ["coffee"]},
//!                     "reward": {"type": "amount_off_each_unit", "amount": "0.50"}}]
//! }"#)?)?;
//! let at = "2026-03-15T09:30:00Z".parse()?;
//! let order = Order::builder("A-7", "C-9", at, Currency::EUR)
//!     .line(Line::new("1", "BEANS", 4, Money::parse("9.00", Currency::EUR)?)?.with_category("coffee")?)
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::for_order(order, at))?;
//! // 0.50 off each of the 4 bags.
//! assert_eq!(evaluation.totals.discount, Decimal::new(200, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Example: a checkout
//!
//! ```
//! use loyalty::customer::Customer;
//! use loyalty::evaluate::Checkout;
//! use loyalty::money::{Currency, Money};
//! use loyalty::order::{Line, Order};
//! use loyalty::program::{Program, ProgramDefinition};
//! use loyalty::rules::coupon::Rejection;
//!
//! let program = Program::new(serde_json::from_str::<ProgramDefinition>(r#"{
//!     "id": "shop", "currency": "EUR",
//!     "coupons": [{"id": "welcome", "codes": ["WELCOME10"], "min_subtotal": "50.00",
//!                  "reward": {"type": "percent_off", "percent": "10"}}]
//! }"#)?)?;
//! let at = "2026-03-15T09:30:00Z".parse()?;
//! let order = Order::builder("A-7", "C-9", at, Currency::EUR)
//!     .line(Line::new("1", "SOAP", 5, Money::parse("7.50", Currency::EUR)?))
//!     .coupon("welcome10")
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-9")?, at))?;
//! let verdict = evaluation.coupon("WELCOME10").unwrap();
//! assert_eq!(
//!     verdict.rejection,
//!     Some(Rejection::MinimumNotMet {
//!         minimum: "50.00".parse()?,
//!         subtotal: "37.50".parse()?,
//!         missing: "12.50".parse()?,
//!     })
//! );
//! assert_eq!(verdict.message(), "the minimum for this code is 50.00: add 12.50 more of eligible items");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Example: in Rust, printed as a receipt
//!
//! ```
//! use loyalty::prelude::*;
//!
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::EUR)
//!         .coupon(CouponDefinition::amount_off("ten", "TEN", "10.00").min_subtotal("50")),
//! )?;
//! let at = "2026-03-15T09:30:00Z".parse()?;
//! let order = Order::builder("A-7", "C-9", at, Currency::EUR)
//!     .line(Line::new("1", "SOAP", 8, Money::parse("7.50", Currency::EUR)?))
//!     .coupon("ten")
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::for_order(order, at))?;
//! assert_eq!(evaluation.payable().to_string(), "50.00 EUR");
//! assert!(evaluation.to_string().contains("code ten: applied"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Crate features
//!
//! - `tz` (default): IANA time zones by name through `chrono-tz`. Without
//!   it, a program's time zone is `"UTC"` or a fixed offset like `"-03:00"`.
//! - `unicode` (default): coupon codes matched after Unicode compatibility
//!   normalisation (NFKC) through `unicode-normalization`, so that a code
//!   typed with a decomposed accent matches; see
//!   [`normalize_code`](rules::coupon::normalize_code).
//! - `schemars`: JSON Schemas of program files and checkouts
//!   (`loyalty::schema`), through `schemars`, for editors and for checking a
//!   file before loading it.
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
pub mod error;
pub mod evaluate;
pub mod evaluation;
pub mod guide;
pub mod id;
pub mod money;
pub mod order;
pub mod percent;
pub mod prelude;
pub mod program;
pub mod rules;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod tiers;
mod util;
pub mod wallet;

pub mod insight;

pub use error::Error;
pub use program::{Program, ProgramDefinition};
/// The decimal type of every amount, rate and point count at the crate's
/// boundary, re-exported so that a host needs no direct dependency on
/// `rust_decimal` to build programs and orders.
pub use rust_decimal::Decimal;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

//! The customer's wallet: a ledger of points and cashback, rebuilt from the
//! entries the host stores.
//!
//! The crate keeps no state: the host stores [`Entry`] values (as JSON, in
//! its own database), and [`Ledger::from_entries`] rebuilds the balances
//! from them whenever they are needed, in any order, the same every time.
//!
//! - [`Entry`]: what happened: value **earned** on an order (a *lot*,
//!   pending until its return window closes, then available until it
//!   expires), **redeemed**, **expired**, **reversed** on a return,
//!   **adjusted** by hand, and **restored** (a redemption given back when
//!   the order it paid for is returned). [`Entry::from_evaluation`] turns
//!   an evaluation's credit effects into earned entries.
//! - [`Ledger`]: the entries checked and sorted once (its docs give the
//!   order of replay and what each kind of entry does); [`LedgerTerms`] carries the program's
//!   inactivity policy and time zone.
//! - [`Balance`] from [`Ledger::balance_at`]: available, pending, expired,
//!   lifetime figures and what expires next, for points and for cashback.
//! - [`Ledger::due_expirations`]: the expired entries to store.
//! - [`WalletError`]: entries that cannot make a ledger.
//! - [`Program::evaluate_return`](crate::program::Program::evaluate_return)
//!   ([`returns`]): what a return gives back (money, points and cashback
//!   paid with) and takes back (points and cashback earned), per line.
//! - [`Program::cancel`](crate::program::Program::cancel) ([`cancel`]): an
//!   order called off before it was fulfilled, everything it stored given
//!   back whole (uses, budgets, points and cashback).
//!
//! Expiry instants mean "expired at and after this instant" (see
//! [`rules::expiry`](crate::rules::expiry)): value expiring at 2028-01-01
//! 00:00 local time can be used all of 31 December.
//!
//! # Example: earn, wait, spend, expire
//!
//! ```
//! use loyalty::prelude::*;
//! use loyalty::rules::expiry::{Expiry, ExpiryRounding, LedgerPolicy};
//! use loyalty::wallet::{Amount, Entry, Ledger};
//!
//! let mut policy = LedgerPolicy::default();
//! policy.return_window_days = 30;
//! policy.points_expiry = Expiry::AfterMonths(12);
//! policy.expiry_rounding = ExpiryRounding::EndOfMonth;
//! let program = Program::new(
//!     ProgramDefinition::new("shop", Currency::BRL)
//!         .time_zone(Zone::parse("America/Sao_Paulo")?)
//!         .earning_rule(EarnRuleDefinition::new("base", 1, "1.00"))
//!         .ledger(policy),
//! )?;
//!
//! // An order of 120.00 earns 120 points, pending for 30 days.
//! let at = "2026-11-27T13:00:00Z".parse()?;
//! let order = Order::builder("A-1", "C-1", at, Currency::BRL)
//!     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::BRL)?))
//!     .build()?;
//! let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-1")?, at))?;
//! let mut entries = Entry::from_evaluation(&evaluation)?;
//!
//! // Later, 50 of them pay for another order.
//! entries.push(Entry::redeemed(
//!     "shop/A-2/redeem", evaluation.customer.clone(), "A-2".parse()?,
//!     Amount::points(50), "2027-01-10T12:00:00Z".parse()?,
//! )?);
//!
//! let ledger = Ledger::builder().terms(&program).build(entries)?;
//! assert_eq!(ledger.balance_at(at)?.to_string(), "0 points available, 120 pending; 120 points expire on 2027-12-31");
//! let balance = ledger.balance_at("2027-02-01T00:00:00Z".parse()?)?;
//! assert_eq!(balance.to_string(), "70 points available; 70 points expire on 2027-12-31");
//!
//! // Available on 27 December, plus 12 months, to the end of that month:
//! // local midnight of 1 January 2028, 03:00Z.
//! let due = ledger.due_expirations("2028-01-02T00:00:00Z".parse()?)?;
//! assert_eq!(due[0].amount(), Amount::points(70));
//! assert_eq!(due[0].at().to_rfc3339(), "2028-01-01T03:00:00+00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod balance;
pub mod cancel;
mod entry;
mod error;
mod expiry;
mod ledger;
pub mod returns;
pub(crate) mod running;

pub use balance::{Account, Balance, Expiration};
pub use cancel::{CancelError, Cancellation};
pub use entry::{Amount, BalanceKind, Entry, EntryKind, LineAmount, MAX_ENTRY, POINTS_DECIMALS};
pub use error::WalletError;
pub use ledger::{Ledger, LedgerBuilder, LedgerTerms};
pub use returns::{ReturnError, ReturnOutcome, ReturnedLine};
pub(crate) use running::RunningWallet;

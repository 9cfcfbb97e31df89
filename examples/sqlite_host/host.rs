//! A small host that stores a program's effects in SQLite, shared by
//! `examples/sqlite_host.rs` and `tests/sqlite_host.rs`.
//!
//! The pattern of every checkout:
//!
//! 1. read the usage counts of the entered codes and the customer's
//!    balance (the ledger rebuilt from the stored entries), outside any
//!    transaction;
//! 2. evaluate;
//! 3. `BEGIN IMMEDIATE`, then store each effect with a compare-and-set on
//!    what the evaluation saw, and the ledger entries by their idempotency
//!    key; `COMMIT`;
//! 4. when a compare fails, `ROLLBACK` and start again from 1, at most
//!    [`ATTEMPTS`] times.
//!
//! The compare-and-set rules:
//!
//! - a coupon redemption increments the code's counts only if they still
//!   equal `seen_overall` and `seen_by_customer` (equality, not "still
//!   under the limit": the host need not know the limits);
//! - a points or cashback redemption is stored only if the available
//!   balance, rebuilt inside the transaction at the checkout's instant,
//!   still **equals** `available_seen`: then the evaluation is exactly the
//!   one that would be made now (an "all" ask spends all of it, a share of
//!   the order is of the same balance);
//! - an effect whose key is already stored is skipped without a compare, so
//!   storing an evaluation twice changes nothing; a ledger entry whose key
//!   is stored with other content is refused ([`HostError::Conflict`]).
//!
//! Usage counts are kept per *counter*: the code for a coupon of a unique
//! batch, the coupon's id otherwise (a shared coupon's codes count
//! together), as the evaluation counts them; an automatic promotion that
//! limits its uses counts under its id (`promotion:id`), read for every
//! checkout and stored from its `PromotionRedemption` effect with the same
//! compare-and-set.
//!
//! A promotion with a spend budget (automatic or a coupon) keeps what it
//! gave in `budget_spent`, in minor units, by promotion id: read for each
//! automatic promotion with a budget and each entered coupon with one, and
//! stored from its `SpendBudget` effect only if the stored total still
//! equals `spent_seen` and the new total stays within `budget` (the
//! evaluation never asks for more; the check keeps a stale program from
//! overspending). A `ReleaseBudget` (a full return, a cancellation)
//! subtracts its amount once per key, never below zero; a `ReleaseCoupon`
//! or `ReleasePromotion` likewise never takes a count below zero.

use std::fmt;

use loyalty::Decimal;
use loyalty::customer::CustomerId;
use loyalty::evaluate::{BudgetSpent, Checkout, CouponUsage, PromotionUsage};
use loyalty::evaluation::{Effect, Evaluation};
use loyalty::money::Money;
use loyalty::order::Refund;
use loyalty::program::Program;
use loyalty::rules::coupon::{codes_match, normalize_code};
use loyalty::rules::redemption::Available;
use loyalty::wallet::{Cancellation, Entry, Ledger, ReturnOutcome};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

/// How many times a checkout is evaluated before giving up on a store
/// whose counts or balances keep changing under it.
pub const ATTEMPTS: u32 = 128;

/// The tables. Every JSON column holds the crate's own serialisation.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS programs (
    id         TEXT PRIMARY KEY,
    definition TEXT NOT NULL               -- ProgramDefinition, JSON
);
CREATE TABLE IF NOT EXISTS coupon_usage (
    program TEXT NOT NULL,
    counter TEXT NOT NULL,                 -- code:CODE (unique batch), coupon:id or promotion:id
    overall INTEGER NOT NULL,
    PRIMARY KEY (program, counter)
);
CREATE TABLE IF NOT EXISTS coupon_usage_by_customer (
    program  TEXT NOT NULL,
    counter  TEXT NOT NULL,
    customer TEXT NOT NULL,
    uses     INTEGER NOT NULL,
    PRIMARY KEY (program, counter, customer)
);
CREATE TABLE IF NOT EXISTS coupon_events (
    key      TEXT PRIMARY KEY,             -- the effect's idempotency key
    program  TEXT NOT NULL,
    counter  TEXT NOT NULL,
    customer TEXT NOT NULL,
    delta    INTEGER NOT NULL              -- +1 redeemed, -1 released on a return
);
CREATE TABLE IF NOT EXISTS budget_spent (
    program   TEXT NOT NULL,
    promotion TEXT NOT NULL,
    spent     INTEGER NOT NULL,            -- minor units, never below 0
    PRIMARY KEY (program, promotion)
);
CREATE TABLE IF NOT EXISTS budget_events (
    key       TEXT PRIMARY KEY,            -- the effect's idempotency key
    program   TEXT NOT NULL,
    promotion TEXT NOT NULL,
    amount    INTEGER NOT NULL             -- minor units: + spent, - released
);
CREATE TABLE IF NOT EXISTS cancellations (
    program      TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    cancellation TEXT NOT NULL,            -- Cancellation, JSON
    PRIMARY KEY (program, order_id)
);
CREATE TABLE IF NOT EXISTS ledger_entries (
    key      TEXT PRIMARY KEY,             -- the entry's idempotency key
    program  TEXT NOT NULL,
    customer TEXT NOT NULL,
    entry    TEXT NOT NULL                 -- Entry, JSON
);
CREATE INDEX IF NOT EXISTS ledger_by_customer ON ledger_entries (program, customer);
CREATE TABLE IF NOT EXISTS orders (
    program    TEXT NOT NULL,
    id         TEXT NOT NULL,
    customer   TEXT NOT NULL,
    checkout   TEXT NOT NULL,              -- Checkout as evaluated, JSON
    evaluation TEXT NOT NULL,              -- Evaluation, JSON
    attempts   INTEGER NOT NULL,
    PRIMARY KEY (program, id)
);
CREATE TABLE IF NOT EXISTS returns (
    program  TEXT NOT NULL,
    order_id TEXT NOT NULL,
    refund   TEXT NOT NULL,
    outcome  TEXT NOT NULL,                -- ReturnOutcome, JSON
    PRIMARY KEY (program, order_id, refund)
);
";

/// Why the host could not store a checkout or a return.
#[derive(Debug)]
pub enum HostError {
    /// The database refused.
    Sql(rusqlite::Error),
    /// Stored JSON that does not read back, or a value that does not write.
    Json(serde_json::Error),
    /// The program refused the checkout or the return, or the stored
    /// entries do not make a ledger.
    Loyalty(Box<dyn std::error::Error + Send + Sync>),
    /// The counts or balances kept changing: every attempt's compare
    /// failed.
    Contention {
        /// Attempts made.
        attempts: u32,
    },
    /// An entry's key is stored with other content.
    Conflict {
        /// The key.
        key: String,
    },
    /// A return of an order that is not stored.
    UnknownOrder {
        /// The order.
        order: String,
    },
    /// A return of an order that was cancelled.
    Cancelled {
        /// The order.
        order: String,
    },
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Sql(e) => write!(f, "sqlite: {e}"),
            HostError::Json(e) => write!(f, "stored json: {e}"),
            HostError::Loyalty(e) => write!(f, "loyalty: {e}"),
            HostError::Contention { attempts } => {
                write!(f, "the store kept changing: {attempts} attempts failed")
            }
            HostError::Conflict { key } => write!(f, "key {key} is stored with other content"),
            HostError::UnknownOrder { order } => write!(f, "order {order} is not stored"),
            HostError::Cancelled { order } => write!(f, "order {order} was cancelled"),
        }
    }
}

impl std::error::Error for HostError {}

impl From<rusqlite::Error> for HostError {
    fn from(e: rusqlite::Error) -> HostError {
        HostError::Sql(e)
    }
}

impl From<serde_json::Error> for HostError {
    fn from(e: serde_json::Error) -> HostError {
        HostError::Json(e)
    }
}

/// Wraps an error of the crate.
fn loyalty(e: impl std::error::Error + Send + Sync + 'static) -> HostError {
    HostError::Loyalty(Box::new(e))
}

/// A checkout as stored.
#[derive(Debug)]
pub struct Stored {
    /// The evaluation whose effects were stored.
    pub evaluation: Evaluation,
    /// Evaluations made (1 when no compare failed).
    pub attempts: u32,
    /// Whether the order was stored before: nothing was stored this time.
    pub already: bool,
}

/// Opens the database at `path`: WAL, so readers do not wait for the
/// writer; a busy timeout, so writers queue for the lock; the schema.
pub fn open(path: &std::path::Path) -> Result<Connection, HostError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Stores `program`'s definition.
pub fn save_program(conn: &Connection, program: &Program) -> Result<(), HostError> {
    let definition = serde_json::to_string(program.definition())?;
    conn.execute(
        "INSERT INTO programs (id, definition) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition",
        params![program.id(), definition],
    )?;
    Ok(())
}

/// The counter a code's uses are kept under (see the module's docs).
fn counter(program: &Program, code: &str) -> String {
    match program.coupon_for_code(code) {
        Some(coupon) if !coupon.definition.unique => format!("coupon:{}", coupon.id()),
        _ => format!("code:{}", normalize_code(code)),
    }
}

/// The usage counts of `counter` for `customer`, read in one statement so
/// that both come from the same state of the store (two reads could see a
/// concurrent checkout's use between them: a customer's count above the
/// overall one).
fn usage(
    conn: &Connection,
    program: &Program,
    counter: &str,
    customer: &str,
) -> Result<(u64, u64), HostError> {
    let (overall, by_customer): (Option<u64>, Option<u64>) = conn.query_row(
        "SELECT
             (SELECT overall FROM coupon_usage WHERE program = ?1 AND counter = ?2),
             (SELECT uses FROM coupon_usage_by_customer
              WHERE program = ?1 AND counter = ?2 AND customer = ?3)",
        params![program.id(), counter, customer],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok((overall.unwrap_or(0), by_customer.unwrap_or(0)))
}

/// What `promotion` gave against its budget, in minor units.
fn budget_spent(conn: &Connection, program: &Program, promotion: &str) -> Result<i64, HostError> {
    let spent: Option<i64> = conn
        .query_row(
            "SELECT spent FROM budget_spent WHERE program = ?1 AND promotion = ?2",
            params![program.id(), promotion],
            |row| row.get(0),
        )
        .optional()?;
    Ok(spent.unwrap_or(0))
}

/// An amount of the program's currency in minor units, as stored.
fn minor(program: &Program, amount: Decimal) -> Result<i64, HostError> {
    let units = Money::new(amount, program.currency())
        .to_minor_units()
        .map_err(loyalty)?;
    i64::try_from(units).map_err(|e| HostError::Loyalty(Box::new(e)))
}

/// The customer's stored entries.
pub fn entries(
    conn: &Connection,
    program: &Program,
    customer: &CustomerId,
) -> Result<Vec<Entry>, HostError> {
    let mut statement = conn
        .prepare_cached("SELECT entry FROM ledger_entries WHERE program = ?1 AND customer = ?2")?;
    let rows = statement.query_map(params![program.id(), customer.as_str()], |row| {
        row.get::<_, String>(0)
    })?;
    let mut entries = Vec::new();
    for json in rows {
        entries.push(serde_json::from_str(&json?)?);
    }
    Ok(entries)
}

/// The customer's ledger, rebuilt from the stored entries.
pub fn ledger(
    conn: &Connection,
    program: &Program,
    customer: &CustomerId,
) -> Result<Ledger, HostError> {
    Ledger::builder()
        .terms(program)
        .customer(customer.clone())
        .build(entries(conn, program, customer)?)
        .map_err(loyalty)
}

/// What the customer may pay with at `at`.
fn available(
    conn: &Connection,
    program: &Program,
    customer: &CustomerId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Available, HostError> {
    let balance = ledger(conn, program, customer)?
        .balance_at(at)
        .map_err(loyalty)?;
    Ok(balance.available())
}

/// Evaluates `checkout` with the stored counts and balance and stores its
/// effects, evaluating again while a compare fails.
///
/// The checkout's `coupon_usage` and `available` are replaced by the
/// stored ones; its `redeem` is what the customer asks.
pub fn checkout(
    conn: &mut Connection,
    program: &Program,
    checkout: &Checkout,
) -> Result<Stored, HostError> {
    let order = checkout.order.id().as_str();
    let customer = checkout.customer.id();
    for attempt in 1..=ATTEMPTS {
        if let Some(evaluation) = stored_evaluation(conn, program, order)? {
            return Ok(Stored {
                evaluation,
                attempts: attempt - 1,
                already: true,
            });
        }
        // 1. Read, outside any transaction.
        let mut seen = checkout.clone();
        seen.coupon_usage.clear();
        for code in checkout.order.coupons() {
            let counter = counter(program, code);
            let (overall, by_customer) = usage(conn, program, &counter, customer.as_str())?;
            if !seen.coupon_usage.iter().any(|u| codes_match(&u.code, code)) {
                seen.coupon_usage.push(CouponUsage {
                    code: code.clone(),
                    overall,
                    by_customer,
                });
            }
        }
        seen.promotion_usage.clear();
        for promotion in program.promotions() {
            if promotion.is_automatic() && promotion.has_usage_limit() {
                let counter = format!("promotion:{}", promotion.id());
                let (overall, by_customer) = usage(conn, program, &counter, customer.as_str())?;
                seen.promotion_usage.push(PromotionUsage {
                    promotion: promotion.rule_id().clone(),
                    overall,
                    by_customer,
                });
            }
        }
        seen.budget_spent.clear();
        let entered = checkout
            .order
            .coupons()
            .iter()
            .filter_map(|code| program.coupon_for_code(code));
        let automatic = program.promotions().iter().filter(|p| p.is_automatic());
        for promotion in automatic.chain(entered).filter(|p| p.has_budget()) {
            if seen
                .budget_spent
                .iter()
                .any(|b| &b.promotion == promotion.rule_id())
            {
                continue;
            }
            let spent = budget_spent(conn, program, promotion.id())?;
            let spent =
                Money::from_minor_units(i128::from(spent), program.currency()).map_err(loyalty)?;
            seen.budget_spent.push(BudgetSpent {
                promotion: promotion.rule_id().clone(),
                spent: spent.amount(),
            });
        }
        if !seen.redeem.is_empty() {
            seen.available = available(conn, program, customer, seen.at)?;
        }
        // 2. Evaluate.
        let evaluation = program.evaluate(&seen).map_err(loyalty)?;
        // 3. Store, or 4. start again.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if store(&tx, program, &evaluation)? {
            tx.execute(
                "INSERT INTO orders (program, id, customer, checkout, evaluation, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    program.id(),
                    order,
                    customer.as_str(),
                    serde_json::to_string(&seen)?,
                    serde_json::to_string(&evaluation)?,
                    attempt
                ],
            )?;
            tx.commit()?;
            return Ok(Stored {
                evaluation,
                attempts: attempt,
                already: false,
            });
        }
        tx.rollback()?;
    }
    Err(HostError::Contention { attempts: ATTEMPTS })
}

/// The evaluation stored for `order`, if it is stored.
fn stored_evaluation(
    conn: &Connection,
    program: &Program,
    order: &str,
) -> Result<Option<Evaluation>, HostError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT evaluation FROM orders WHERE program = ?1 AND id = ?2",
            params![program.id(), order],
            |row| row.get(0),
        )
        .optional()?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

/// Stores the effects of `evaluation` in `tx`: `false` when a compare
/// failed (the caller rolls back and evaluates again).
pub fn store(
    tx: &Transaction<'_>,
    program: &Program,
    evaluation: &Evaluation,
) -> Result<bool, HostError> {
    let customer = &evaluation.customer;
    // The balance inside the transaction, rebuilt once if needed.
    let mut now: Option<Available> = None;
    for effect in &evaluation.effects {
        let unchanged = match effect {
            Effect::CouponRedemption {
                key,
                code,
                seen_overall,
                seen_by_customer,
                ..
            } => count_use(
                tx,
                program,
                key,
                &counter(program, code),
                customer,
                (*seen_overall, *seen_by_customer),
            )?,
            Effect::PromotionRedemption {
                key,
                promotion,
                seen_overall,
                seen_by_customer,
                ..
            } => count_use(
                tx,
                program,
                key,
                &format!("promotion:{promotion}"),
                customer,
                (*seen_overall, *seen_by_customer),
            )?,
            Effect::SpendBudget {
                key,
                promotion,
                budget,
                spent_seen,
                amount,
            } => spend_budget(
                tx,
                program,
                key,
                promotion.as_str(),
                (
                    minor(program, *budget)?,
                    minor(program, *spent_seen)?,
                    minor(program, *amount)?,
                ),
            )?,
            Effect::RedeemPoints {
                key,
                available_seen,
                ..
            }
            | Effect::RedeemCashback {
                key,
                available_seen,
                ..
            } if !is_stored(tx, key)? => {
                let now = match now {
                    Some(now) => now,
                    None => *now.insert(available(tx, program, customer, evaluation.at)?),
                };
                let held = match effect {
                    Effect::RedeemPoints { .. } => now.points,
                    _ => now.cashback,
                };
                held == *available_seen
            }
            _ => true,
        };
        if !unchanged {
            return Ok(false);
        }
    }
    insert_entries(
        tx,
        program,
        &Entry::from_evaluation(evaluation).map_err(loyalty)?,
    )?;
    Ok(true)
}

/// Counts a use of `counter` with a compare-and-set on the counts seen:
/// `false` when they changed. An effect already counted is skipped.
fn count_use(
    tx: &Transaction<'_>,
    program: &Program,
    key: &str,
    counter: &str,
    customer: &CustomerId,
    (seen_overall, seen_by_customer): (u64, u64),
) -> Result<bool, HostError> {
    let (p, c) = (program.id(), customer.as_str());
    let new = tx.execute(
        "INSERT OR IGNORE INTO coupon_events (key, program, counter, customer, delta)
         VALUES (?1, ?2, ?3, ?4, 1)",
        params![key, p, counter, c],
    )?;
    if new == 0 {
        return Ok(true);
    }
    tx.execute(
        "INSERT OR IGNORE INTO coupon_usage (program, counter, overall) VALUES (?1, ?2, 0)",
        params![p, counter],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO coupon_usage_by_customer (program, counter, customer, uses)
         VALUES (?1, ?2, ?3, 0)",
        params![p, counter, c],
    )?;
    let overall = tx.execute(
        "UPDATE coupon_usage SET overall = overall + 1
         WHERE program = ?1 AND counter = ?2 AND overall = ?3",
        params![p, counter, seen_overall],
    )?;
    let by_customer = tx.execute(
        "UPDATE coupon_usage_by_customer SET uses = uses + 1
         WHERE program = ?1 AND counter = ?2 AND customer = ?3 AND uses = ?4",
        params![p, counter, c, seen_by_customer],
    )?;
    Ok(overall == 1 && by_customer == 1)
}

/// Adds `amount` to what `promotion` gave, with a compare-and-set on
/// `spent_seen` and never past `budget` (all in minor units): `false` when
/// the stored total changed. An effect already stored is skipped.
fn spend_budget(
    tx: &Transaction<'_>,
    program: &Program,
    key: &str,
    promotion: &str,
    (budget, spent_seen, amount): (i64, i64, i64),
) -> Result<bool, HostError> {
    let p = program.id();
    let new = tx.execute(
        "INSERT OR IGNORE INTO budget_events (key, program, promotion, amount)
         VALUES (?1, ?2, ?3, ?4)",
        params![key, p, promotion, amount],
    )?;
    if new == 0 {
        return Ok(true);
    }
    tx.execute(
        "INSERT OR IGNORE INTO budget_spent (program, promotion, spent) VALUES (?1, ?2, 0)",
        params![p, promotion],
    )?;
    let updated = tx.execute(
        "UPDATE budget_spent SET spent = spent + ?3
         WHERE program = ?1 AND promotion = ?2 AND spent = ?4 AND spent + ?3 <= ?5",
        params![p, promotion, amount, spent_seen, budget],
    )?;
    Ok(updated == 1)
}

/// Gives back `amount` (minor units) of what `promotion` gave, once per
/// key, never below zero.
fn release_budget(
    tx: &Transaction<'_>,
    program: &Program,
    key: &str,
    promotion: &str,
    amount: i64,
) -> Result<(), HostError> {
    let p = program.id();
    let new = tx.execute(
        "INSERT OR IGNORE INTO budget_events (key, program, promotion, amount)
         VALUES (?1, ?2, ?3, ?4)",
        params![key, p, promotion, -amount],
    )?;
    if new == 1 {
        tx.execute(
            "UPDATE budget_spent SET spent = MAX(0, spent - ?3)
             WHERE program = ?1 AND promotion = ?2",
            params![p, promotion, amount],
        )?;
    }
    Ok(())
}

/// Whether a ledger entry of `key` is stored.
fn is_stored(tx: &Transaction<'_>, key: &str) -> Result<bool, HostError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM ledger_entries WHERE key = ?1",
            params![key],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Inserts `entries` by key: an identical entry already stored is
/// ignored, a different one is a [`HostError::Conflict`].
fn insert_entries(
    tx: &Transaction<'_>,
    program: &Program,
    entries: &[Entry],
) -> Result<(), HostError> {
    for entry in entries {
        let json = serde_json::to_string(entry)?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO ledger_entries (key, program, customer, entry)
             VALUES (?1, ?2, ?3, ?4)",
            params![entry.key(), program.id(), entry.customer().as_str(), json],
        )?;
        if inserted == 0 {
            let stored: String = tx.query_row(
                "SELECT entry FROM ledger_entries WHERE key = ?1",
                params![entry.key()],
                |row| row.get(0),
            )?;
            if serde_json::from_str::<Entry>(&stored)? != *entry {
                return Err(HostError::Conflict {
                    key: entry.key().to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Works out `refund` against the stored order and its earlier returns,
/// with the points the customer holds now, and stores it: its ledger
/// entries and the coupon uses it gives back. The earlier returns are
/// compared inside the transaction; a return stored meanwhile means
/// evaluating again.
pub fn return_order(
    conn: &mut Connection,
    program: &Program,
    refund: &Refund,
) -> Result<ReturnOutcome, HostError> {
    let order = refund.order().as_str();
    if stored_cancellation(conn, program, order)?.is_some() {
        return Err(HostError::Cancelled {
            order: order.to_owned(),
        });
    }
    for _ in 0..ATTEMPTS {
        let Some((checkout, evaluation)) = stored_order(conn, program, order)? else {
            return Err(HostError::UnknownOrder {
                order: order.to_owned(),
            });
        };
        let earlier = returns(conn, program, order)?;
        if let Some(done) = earlier.iter().find(|r| r.refund == *refund.id()) {
            return Ok(done.clone());
        }
        let held = ledger(conn, program, &evaluation.customer)?
            .balance_at(refund.at())
            .map_err(loyalty)?
            .points
            .held();
        let refund = refund.clone().points_held(held.max(Decimal::ZERO));
        let outcome = program
            .evaluate_return(&checkout, &evaluation, &earlier, &refund)
            .map_err(loyalty)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if returns(&tx, program, order)?.len() != earlier.len() {
            tx.rollback()?;
            continue;
        }
        store_return(&tx, program, &outcome)?;
        tx.execute(
            "INSERT INTO returns (program, order_id, refund, outcome) VALUES (?1, ?2, ?3, ?4)",
            params![
                program.id(),
                order,
                outcome.refund.as_str(),
                serde_json::to_string(&outcome)?
            ],
        )?;
        tx.commit()?;
        return Ok(outcome);
    }
    Err(HostError::Contention { attempts: ATTEMPTS })
}

/// Stores the effects of a return in `tx`: its ledger entries by key, and
/// the coupon and promotion uses and budget spends it gives back, once per
/// key.
pub fn store_return(
    tx: &Transaction<'_>,
    program: &Program,
    outcome: &ReturnOutcome,
) -> Result<(), HostError> {
    store_releases(tx, program, &outcome.effects)?;
    insert_entries(tx, program, &Entry::from_return(outcome).map_err(loyalty)?)
}

/// Cancels the stored `order` at `at`, before anything of it shipped: the
/// coupon and promotion uses and the budget spends it stored are given
/// back, and so are its points and cashback, in one transaction. Storing a
/// cancellation again gives the stored one and changes nothing.
pub fn cancel_order(
    conn: &mut Connection,
    program: &Program,
    order: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Cancellation, HostError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(done) = stored_cancellation(&tx, program, order)? {
        return Ok(done);
    }
    let Some((_, evaluation)) = stored_order(&tx, program, order)? else {
        return Err(HostError::UnknownOrder {
            order: order.to_owned(),
        });
    };
    let earlier = returns(&tx, program, order)?;
    let cancellation = program.cancel(&evaluation, &earlier, at).map_err(loyalty)?;
    store_releases(&tx, program, &cancellation.effects)?;
    insert_entries(&tx, program, &cancellation.entries().map_err(loyalty)?)?;
    tx.execute(
        "INSERT INTO cancellations (program, order_id, cancellation) VALUES (?1, ?2, ?3)",
        params![program.id(), order, serde_json::to_string(&cancellation)?],
    )?;
    tx.commit()?;
    Ok(cancellation)
}

/// The stored cancellation of `order`, if it was cancelled.
pub fn stored_cancellation(
    conn: &Connection,
    program: &Program,
    order: &str,
) -> Result<Option<Cancellation>, HostError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT cancellation FROM cancellations WHERE program = ?1 AND order_id = ?2",
            params![program.id(), order],
            |row| row.get(0),
        )
        .optional()?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

/// Gives back the coupon and promotion uses and the budget spends among
/// `effects`, once per key, never below zero.
fn store_releases(
    tx: &Transaction<'_>,
    program: &Program,
    effects: &[Effect],
) -> Result<(), HostError> {
    for effect in effects {
        match effect {
            Effect::ReleaseCoupon {
                key,
                code,
                customer,
                ..
            } => release_use(tx, program, key, &counter(program, code), customer)?,
            Effect::ReleasePromotion {
                key,
                promotion,
                customer,
            } => release_use(
                tx,
                program,
                key,
                &format!("promotion:{promotion}"),
                customer,
            )?,
            Effect::ReleaseBudget {
                key,
                promotion,
                amount,
            } => release_budget(
                tx,
                program,
                key,
                promotion.as_str(),
                minor(program, *amount)?,
            )?,
            _ => {}
        }
    }
    Ok(())
}

/// Gives back a use of `counter`, once per key.
fn release_use(
    tx: &Transaction<'_>,
    program: &Program,
    key: &str,
    counter: &str,
    customer: &CustomerId,
) -> Result<(), HostError> {
    let (p, c) = (program.id(), customer.as_str());
    let new = tx.execute(
        "INSERT OR IGNORE INTO coupon_events (key, program, counter, customer, delta)
         VALUES (?1, ?2, ?3, ?4, -1)",
        params![key, p, counter, c],
    )?;
    if new == 1 {
        tx.execute(
            "UPDATE coupon_usage SET overall = overall - 1
             WHERE program = ?1 AND counter = ?2 AND overall > 0",
            params![p, counter],
        )?;
        tx.execute(
            "UPDATE coupon_usage_by_customer SET uses = uses - 1
             WHERE program = ?1 AND counter = ?2 AND customer = ?3 AND uses > 0",
            params![p, counter, c],
        )?;
    }
    Ok(())
}

/// The stored checkout and evaluation of `order`.
pub fn stored_order(
    conn: &Connection,
    program: &Program,
    order: &str,
) -> Result<Option<(Checkout, Evaluation)>, HostError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT checkout, evaluation FROM orders WHERE program = ?1 AND id = ?2",
            params![program.id(), order],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((checkout, evaluation)) => Ok(Some((
            serde_json::from_str(&checkout)?,
            serde_json::from_str(&evaluation)?,
        ))),
    }
}

/// The stored returns of `order`.
pub fn returns(
    conn: &Connection,
    program: &Program,
    order: &str,
) -> Result<Vec<ReturnOutcome>, HostError> {
    let mut statement = conn.prepare_cached(
        "SELECT outcome FROM returns WHERE program = ?1 AND order_id = ?2 ORDER BY refund",
    )?;
    let rows = statement.query_map(params![program.id(), order], |row| row.get::<_, String>(0))?;
    let mut outcomes = Vec::new();
    for json in rows {
        outcomes.push(serde_json::from_str(&json?)?);
    }
    Ok(outcomes)
}

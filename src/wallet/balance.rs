//! A ledger's balances at an instant, and what expires next.

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::WalletError;
use super::ledger::{Ledger, Pot, Replay};
use crate::money::{Currency, Money};
use crate::rules::redemption::Available;

/// The points and cashback of a ledger at an instant, from
/// [`Ledger::balance_at`].
///
/// Prints as a statement line: `70 points available, 120 pending; 2.40 EUR
/// cashback available; 70 points expire on 2027-12-27`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// The instant of the balance.
    pub at: DateTime<Utc>,
    /// The currency of the cashback amounts; `None` when the ledger has no
    /// cashback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The points.
    pub points: Account,
    /// The cashback, in `currency`.
    pub cashback: Account,
}

impl Balance {
    /// What the customer may pay with at checkout, for a checkout's
    /// `available`: the available points and cashback (never below zero,
    /// a debt leaves nothing to spend).
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::wallet::{Amount, Entry, Ledger};
    ///
    /// let at = "2026-11-27T10:00:00Z".parse()?;
    /// let lot = Entry::earned("shop/A-1/points", "C-1".parse()?, "A-1".parse()?,
    ///                         Amount::points(500), at, at, None)?;
    /// let balance = Ledger::from_entries([lot])?.balance_at(at)?;
    /// assert_eq!(balance.available().points, Decimal::from(500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn available(&self) -> Available {
        Available {
            points: self.points.available.max(Decimal::ZERO),
            cashback: self.cashback.available.max(Decimal::ZERO),
            cashback_currency: self.currency,
        }
    }
}

/// One balance of a [`Balance`]: points or cashback.
///
/// For every account, `available + pending + redeemed + expired + reversed
/// = earned + adjusted`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// What can be spent now: available lots, less any debt (negative when
    /// a reversal or a debit took more than there was).
    pub available: Decimal,
    /// Earned but not yet available (inside the return window).
    pub pending: Decimal,
    /// Expired so far, whether or not the host has stored the expired
    /// entries yet.
    pub expired: Decimal,
    /// Earned over the customer's lifetime.
    pub earned: Decimal,
    /// Redeemed over the customer's lifetime, less what was restored.
    pub redeemed: Decimal,
    /// Redemptions given back on returns (already taken off `redeemed`).
    pub restored: Decimal,
    /// Taken back by reversals.
    pub reversed: Decimal,
    /// Manual credits less manual debits.
    pub adjusted: Decimal,
    /// What will expire if nothing else happens, soonest first, an entry
    /// per instant: the available lots at their expiry, pending lots once
    /// available, everything available at the customer's inactivity
    /// expiry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_expirations: Vec<Expiration>,
}

impl Account {
    /// What a reversal can take back now: available and pending value
    /// together (for a refund's
    /// [`points_held`](crate::order::Refund::points_held)).
    #[must_use]
    pub fn held(&self) -> Decimal {
        // Each figure is at most 10^20 (the ledger refuses more): the sum
        // cannot saturate.
        self.available.saturating_add(self.pending)
    }
}

/// Value that will expire, at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Expiration {
    /// The instant it counts as expired (it can be used until just
    /// before).
    pub at: DateTime<Utc>,
    /// The last local day it can be used, in the program's time zone: the
    /// day of the instant just before `at` ("expire on 2027-03-31").
    pub last_day: NaiveDate,
    /// How much.
    pub amount: Decimal,
}

impl Ledger {
    /// The balances at `at`: the entries up to and including `at`, with
    /// what became available and what expired by then; and what will
    /// expire after it.
    ///
    /// # Errors
    ///
    /// [`WalletError::Overflow`] for sums too large for a decimal (the
    /// entries were checked when the ledger was built, so this is the
    /// only one).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::customer::CustomerId;
    /// use loyalty::order::OrderId;
    /// use loyalty::wallet::{Amount, Entry, Ledger};
    ///
    /// let earned = Entry::earned(
    ///     "shop/A-1/points", CustomerId::new("C-1")?, OrderId::new("A-1")?, Amount::points(120),
    ///     "2026-11-27T13:00:00Z".parse()?, "2026-12-27T13:00:00Z".parse()?,
    ///     Some("2027-12-27T13:00:00Z".parse()?),
    /// )?;
    /// let ledger = Ledger::from_entries([earned])?;
    /// let early = ledger.balance_at("2026-12-01T00:00:00Z".parse()?)?;
    /// assert_eq!((early.points.available, early.points.pending), (0.into(), 120.into()));
    /// let later = ledger.balance_at("2027-01-01T00:00:00Z".parse()?)?;
    /// assert_eq!(later.to_string(), "120 points available; 120 points expire on 2027-12-27");
    /// let after = ledger.balance_at("2028-01-01T00:00:00Z".parse()?)?;
    /// assert_eq!((after.points.available, after.points.expired), (0.into(), 120.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn balance_at(&self, at: DateTime<Utc>) -> Result<Balance, WalletError> {
        let mut replay = Replay::new(self);
        replay.run_until(at)?;
        let mut balance = Balance {
            at,
            currency: self.currency(),
            points: account(&replay.pots[0]),
            cashback: account(&replay.pots[1]),
        };
        let seen = replay.events.len();
        replay.advance(DateTime::<Utc>::MAX_UTC)?;
        let zone = self.terms().zone;
        for event in &replay.events[seen..] {
            let account = if self.lot_pot(event.lot) == 0 {
                &mut balance.points
            } else {
                &mut balance.cashback
            };
            match account.next_expirations.last_mut() {
                Some(last) if last.at == event.at => {
                    last.amount = super::ledger::add(last.amount, event.amount, "expirations")?;
                }
                _ => {
                    let before = event
                        .at
                        .checked_sub_signed(TimeDelta::nanoseconds(1))
                        .unwrap_or(event.at);
                    account.next_expirations.push(Expiration {
                        at: event.at,
                        last_day: zone.local_date(before),
                        amount: event.amount,
                    });
                }
            }
        }
        Ok(balance)
    }
}

fn account(pot: &Pot) -> Account {
    Account {
        // One of the two is zero: a debt is paid before value is available.
        available: pot.available - pot.debt,
        pending: pot.pending,
        expired: pot.expired,
        earned: pot.earned,
        redeemed: pot.redeemed,
        restored: pot.restored,
        reversed: pot.reversed,
        adjusted: pot.adjusted,
        next_expirations: Vec::new(),
    }
}

impl Balance {
    /// `v` as the statement writes it: `120`, `2.40`; with its unit,
    /// `120 points`, `2.40 EUR cashback`.
    fn figure(&self, cashback: bool, v: Decimal, unit: bool) -> String {
        match (cashback, self.currency) {
            (false, _) if unit => format!("{} points", v.normalize()),
            (false, _) => v.normalize().to_string(),
            (true, Some(currency)) => {
                let shown = Money::new(v, currency).scaled_amount();
                if unit {
                    format!("{shown} {currency} cashback")
                } else {
                    shown.to_string()
                }
            }
            (true, None) if unit => format!("{} cashback", v.normalize()),
            (true, None) => v.normalize().to_string(),
        }
    }

    fn account_line(&self, cashback: bool) -> String {
        let account = if cashback {
            &self.cashback
        } else {
            &self.points
        };
        let mut text = if account.available.is_sign_negative() && !account.available.is_zero() {
            format!("{} owed", self.figure(cashback, -account.available, true))
        } else {
            format!(
                "{} available",
                self.figure(cashback, account.available, true)
            )
        };
        if !account.pending.is_zero() {
            text.push_str(", ");
            text.push_str(&self.figure(cashback, account.pending, false));
            text.push_str(" pending");
        }
        text
    }
}

impl fmt::Display for Balance {
    /// `70 points available, 120 pending; 2.40 EUR cashback available; 70
    /// points expire on 2027-12-27`: the available and pending amounts
    /// (cashback only when the ledger has a cashback currency), a debt as
    /// `owed`, and the next expiration of each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.account_line(false))?;
        if self.currency.is_some() {
            write!(f, "; {}", self.account_line(true))?;
        }
        if let Some(next) = self.points.next_expirations.first() {
            let amount = self.figure(false, next.amount, true);
            write!(f, "; {amount} expire on {}", next.last_day)?;
        }
        if let Some(next) = self.cashback.next_expirations.first() {
            let amount = self.figure(true, next.amount, true);
            write!(f, "; {amount} expires on {}", next.last_day)?;
        }
        Ok(())
    }
}

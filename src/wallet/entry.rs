//! The facts a ledger is built from: what a customer earned, redeemed, lost
//! to expiry, gave back on a return, was credited or debited by hand, and
//! got back when a paid-with-points order was returned.
//!
//! Every entry carries an idempotency key, the customer and an instant, and
//! moves one balance: points ([`Amount::Points`], a [`Decimal`]) or
//! cashback ([`Amount::Cashback`], store credit as [`Money`]). Entries are
//! validated when built and when read from JSON, so that an entry in hand
//! is well formed; whether entries fit together (one customer, one
//! currency, lots named before they are used) is the
//! [`Ledger`](super::Ledger)'s check.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::WalletError;
use super::returns::ReturnOutcome;
use crate::customer::CustomerId;
use crate::evaluation::{Effect, Evaluation};
use crate::money::{Currency, Money};
use crate::order::{LineId, OrderId};

/// Which of a ledger's two balances an amount moves.
///
/// Serialised as `"points"` or `"cashback"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceKind {
    /// Loyalty points.
    Points,
    /// Cashback: store credit in the ledger's currency.
    Cashback,
}

impl BalanceKind {
    /// `"points"` or `"cashback"`, as the JSON names the field.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BalanceKind::Points => "points",
            BalanceKind::Cashback => "cashback",
        }
    }

    pub(super) fn index(self) -> usize {
        match self {
            BalanceKind::Points => 0,
            BalanceKind::Cashback => 1,
        }
    }
}

impl fmt::Display for BalanceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of points or of cashback.
///
/// Serialised as `{"points": "120"}` or `{"cashback": "12.50 EUR"}`; inside
/// an entry the same name is the entry's field (`"points": "120"`).
///
/// # Example
///
/// ```
/// use loyalty::money::{Currency, Money};
/// use loyalty::wallet::{Amount, BalanceKind};
///
/// let points = Amount::points(120);
/// assert_eq!(points.to_string(), "120 points");
/// let cashback = Amount::Cashback(Money::parse("12.5", Currency::EUR)?);
/// assert_eq!(cashback.to_string(), "12.50 EUR");
/// assert_eq!(cashback.kind(), BalanceKind::Cashback);
/// # Ok::<(), loyalty::money::MoneyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amount {
    /// Points: a decimal, since a program may keep decimals of points.
    Points(Decimal),
    /// Cashback: money, a whole number of its currency's minor unit.
    Cashback(Money),
}

impl Amount {
    /// An amount of points.
    #[must_use]
    pub fn points(points: impl Into<Decimal>) -> Amount {
        Amount::Points(points.into())
    }

    /// An amount of cashback.
    #[must_use]
    pub fn cashback(amount: Money) -> Amount {
        Amount::Cashback(amount)
    }

    /// The balance it moves.
    #[must_use]
    pub fn kind(&self) -> BalanceKind {
        match self {
            Amount::Points(_) => BalanceKind::Points,
            Amount::Cashback(_) => BalanceKind::Cashback,
        }
    }

    /// The number: the points, or the cashback's amount without currency.
    #[must_use]
    pub fn value(&self) -> Decimal {
        match self {
            Amount::Points(points) => *points,
            Amount::Cashback(money) => money.amount(),
        }
    }

    /// The cashback's currency; `None` for points.
    #[must_use]
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Amount::Points(_) => None,
            Amount::Cashback(money) => Some(money.currency()),
        }
    }

    /// The same kind (and currency) with another value.
    ///
    /// ```
    /// use loyalty::wallet::Amount;
    ///
    /// assert_eq!(Amount::points(120).with_value(50.into()), Amount::points(50));
    /// ```
    #[must_use]
    pub fn with_value(&self, value: Decimal) -> Amount {
        match self {
            Amount::Points(_) => Amount::Points(value),
            Amount::Cashback(money) => Amount::Cashback(Money::new(value, money.currency())),
        }
    }

    /// An amount of `kind`: cashback in `currency` when there is one.
    pub(super) fn of(kind: BalanceKind, value: Decimal, currency: Option<Currency>) -> Amount {
        match (kind, currency) {
            (BalanceKind::Cashback, Some(currency)) => {
                Amount::Cashback(Money::new(value, currency))
            }
            _ => Amount::Points(value),
        }
    }
}

impl fmt::Display for Amount {
    /// `120 points`, `12.50 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Points(points) => write!(f, "{} points", points.normalize()),
            Amount::Cashback(money) => write!(f, "{money}"),
        }
    }
}

/// The part of an entry attributable to one line of its order, for
/// reversing a partial return line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineAmount {
    /// The line.
    pub line: LineId,
    /// Its part: points, or cashback in the entry's currency.
    pub amount: Decimal,
}

impl LineAmount {
    /// The part `amount` of line `line`.
    #[must_use]
    pub fn new(line: LineId, amount: Decimal) -> LineAmount {
        LineAmount { line, amount }
    }
}

/// What an entry records, read with [`Entry::kind`].
///
/// Every kind carries its [`Amount`]; a lot is the value an `Earned` entry
/// or a crediting `Adjusted` entry adds, named by that entry's key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A lot earned on an order: pending until `available_at`, then
    /// available until `expires_at` (never, without one).
    #[non_exhaustive]
    Earned {
        /// The order that earned it.
        order: OrderId,
        /// What was earned, above zero.
        amount: Amount,
        /// Of which attributable to each line (the rest is the order's as
        /// a whole).
        lines: Vec<LineAmount>,
        /// When it becomes available: at or after the entry's instant.
        available_at: DateTime<Utc>,
        /// When it expires (expired at and after this instant), after
        /// `available_at`.
        expires_at: Option<DateTime<Utc>>,
    },
    /// Value spent on an order.
    #[non_exhaustive]
    Redeemed {
        /// The order it paid for.
        order: OrderId,
        /// What was spent, above zero.
        amount: Amount,
    },
    /// The remainder of a lot, expired.
    #[non_exhaustive]
    Expired {
        /// The lot's key.
        lot: String,
        /// What expired, above zero.
        amount: Amount,
    },
    /// Value taken back on a return, from the lot of the returned order.
    #[non_exhaustive]
    Reversed {
        /// The key of the lot it reverses.
        lot: String,
        /// What is taken back, above zero.
        amount: Amount,
        /// Of which for each returned line, when known.
        lines: Vec<LineAmount>,
    },
    /// A manual credit (positive) or debit (negative).
    #[non_exhaustive]
    Adjusted {
        /// The credit or debit, not zero.
        amount: Amount,
        /// Why, in words.
        reason: String,
        /// When a credit expires, if it does.
        expires_at: Option<DateTime<Utc>>,
    },
    /// A redemption given back, wholly or in part, when the order it paid
    /// for was returned.
    #[non_exhaustive]
    Restored {
        /// The key of the redeemed entry.
        redemption: String,
        /// What is given back, above zero.
        amount: Amount,
    },
}

impl EntryKind {
    /// The kind's name, as the JSON tags it: `earned`, `redeemed`,
    /// `expired`, `reversed`, `adjusted`, `restored`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            EntryKind::Earned { .. } => "earned",
            EntryKind::Redeemed { .. } => "redeemed",
            EntryKind::Expired { .. } => "expired",
            EntryKind::Reversed { .. } => "reversed",
            EntryKind::Adjusted { .. } => "adjusted",
            EntryKind::Restored { .. } => "restored",
        }
    }

    /// The amount.
    #[must_use]
    pub fn amount(&self) -> Amount {
        match self {
            EntryKind::Earned { amount, .. }
            | EntryKind::Redeemed { amount, .. }
            | EntryKind::Expired { amount, .. }
            | EntryKind::Reversed { amount, .. }
            | EntryKind::Adjusted { amount, .. }
            | EntryKind::Restored { amount, .. } => *amount,
        }
    }
}

/// One fact of a customer's ledger, with its idempotency key.
///
/// Built by the constructors below, which validate, or read from JSON,
/// which validates the same way. The host stores entries;
/// [`Ledger::from_entries`](super::Ledger::from_entries) rebuilds the
/// balances from them.
///
/// # JSON form
///
/// Tagged by `"entry"` like the evaluation's effects by `"effect"`, with
/// the amount as `"points"` or `"cashback"`; unknown fields are refused.
///
/// ```
/// use loyalty::wallet::{Amount, Entry, EntryKind};
///
/// let entry: Entry = serde_json::from_str(r#"{
///     "entry": "earned", "key": "shop/A-1/points", "customer": "C-1", "order": "A-1",
///     "at": "2026-11-27T13:00:00Z", "points": "120",
///     "lines": [{"line": "1", "amount": "100"}],
///     "available_at": "2026-12-27T13:00:00Z", "expires_at": "2027-12-27T13:00:00Z"
/// }"#)?;
/// assert_eq!(entry.amount(), Amount::points(120));
/// assert!(matches!(entry.kind(), EntryKind::Earned { .. }));
/// let spent: Entry = serde_json::from_str(r#"{
///     "entry": "redeemed", "key": "shop/A-2/redeem", "customer": "C-1", "order": "A-2",
///     "at": "2027-01-10T09:00:00Z", "cashback": "12.50 EUR"
/// }"#)?;
/// assert_eq!(spent.amount().to_string(), "12.50 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Example: in Rust
///
/// ```
/// use loyalty::customer::CustomerId;
/// use loyalty::order::OrderId;
/// use loyalty::wallet::{Amount, Entry, WalletError};
///
/// let customer = CustomerId::new("C-1")?;
/// let at = "2026-11-27T13:00:00Z".parse()?;
/// let entry = Entry::earned(
///    "shop/A-1/points", customer.clone(), OrderId::new("A-1")?, Amount::points(120),
///    at, "2026-12-27T13:00:00Z".parse()?, None,
/// )?;
/// assert_eq!(entry.key(), "shop/A-1/points");
///
/// let negative = Entry::redeemed("shop/A-2/redeem", customer, OrderId::new("A-2")?, Amount::points(-5), at);
/// assert!(matches!(negative, Err(WalletError::NotPositive { field: "points", .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EntryData", into = "EntryData")]
pub struct Entry {
    key: String,
    customer: CustomerId,
    at: DateTime<Utc>,
    kind: EntryKind,
}

impl Entry {
    /// A lot earned on `order` at `at`: pending until `available_at`, then
    /// available until `expires_at` (never, for `None`). Add the per-line
    /// attribution with [`with_lines`](Self::with_lines).
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key, an amount that is not above zero
    /// (or cashback with more decimals than its currency), `available_at`
    /// before `at`, or `expires_at` at or before `available_at`.
    pub fn earned(
        key: impl Into<String>,
        customer: CustomerId,
        order: OrderId,
        amount: Amount,
        at: DateTime<Utc>,
        available_at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Earned {
                order,
                amount,
                lines: Vec::new(),
                available_at,
                expires_at,
            },
        }
        .validated()
    }

    /// Value spent on `order` at `at`. The available lots pay for it,
    /// soonest-expiring first (see [`Ledger`](super::Ledger)).
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key or an amount that is not above zero.
    pub fn redeemed(
        key: impl Into<String>,
        customer: CustomerId,
        order: OrderId,
        amount: Amount,
        at: DateTime<Utc>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Redeemed { order, amount },
        }
        .validated()
    }

    /// `amount` of the lot `lot` expired at `at`.
    /// [`Ledger::due_expirations`](super::Ledger::due_expirations) writes
    /// these; a host may also expire part of a lot by hand.
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key or lot, or an amount that is not
    /// above zero.
    pub fn expired(
        key: impl Into<String>,
        customer: CustomerId,
        lot: impl Into<String>,
        amount: Amount,
        at: DateTime<Utc>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Expired {
                lot: lot.into(),
                amount,
            },
        }
        .validated()
    }

    /// `amount` taken back at `at` from the lot `lot` on a return. Add the
    /// returned lines' parts with [`with_lines`](Self::with_lines).
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key or lot, or an amount that is not
    /// above zero.
    pub fn reversed(
        key: impl Into<String>,
        customer: CustomerId,
        lot: impl Into<String>,
        amount: Amount,
        at: DateTime<Utc>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Reversed {
                lot: lot.into(),
                amount,
                lines: Vec::new(),
            },
        }
        .validated()
    }

    /// A manual credit (a positive amount) or debit (a negative one) at
    /// `at`, for `reason`. A credit is a lot of its own, available at once
    /// and never expiring unless given [`with_expiry`](Self::with_expiry).
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key or reason, or an amount of zero.
    pub fn adjusted(
        key: impl Into<String>,
        customer: CustomerId,
        amount: Amount,
        reason: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Adjusted {
                amount,
                reason: reason.into(),
                expires_at: None,
            },
        }
        .validated()
    }

    /// `amount` of the redemption `redemption` given back at `at`, when
    /// the order it paid for is returned: the value goes back to the lots
    /// it was taken from, with their expiry.
    ///
    /// # Errors
    ///
    /// [`WalletError`] for a blank key or redemption, or an amount that is
    /// not above zero.
    pub fn restored(
        key: impl Into<String>,
        customer: CustomerId,
        redemption: impl Into<String>,
        amount: Amount,
        at: DateTime<Utc>,
    ) -> Result<Entry, WalletError> {
        Entry {
            key: key.into(),
            customer,
            at,
            kind: EntryKind::Restored {
                redemption: redemption.into(),
                amount,
            },
        }
        .validated()
    }

    /// The entry with the parts attributable to each line, for an earned
    /// or a reversed entry.
    ///
    /// # Errors
    ///
    /// [`WalletError`] for another kind of entry, a part below zero, a line
    /// listed twice, or parts adding up to more than the entry's amount.
    pub fn with_lines(
        mut self,
        parts: impl IntoIterator<Item = LineAmount>,
    ) -> Result<Entry, WalletError> {
        match &mut self.kind {
            EntryKind::Earned { lines, .. } | EntryKind::Reversed { lines, .. } => {
                *lines = parts.into_iter().collect();
            }
            other => {
                return Err(WalletError::NotAllowed {
                    key: self.key,
                    field: "lines",
                    kind: other.name(),
                });
            }
        }
        self.validated()
    }

    /// The entry with an expiry: for an earned entry, in place of its own;
    /// for a crediting adjustment, the instant the credit expires.
    ///
    /// # Errors
    ///
    /// [`WalletError`] for another kind of entry or a debit, or an expiry
    /// at or before the value becomes available.
    pub fn with_expiry(mut self, expiry: DateTime<Utc>) -> Result<Entry, WalletError> {
        match &mut self.kind {
            EntryKind::Earned { expires_at, .. } | EntryKind::Adjusted { expires_at, .. } => {
                *expires_at = Some(expiry);
            }
            other => {
                return Err(WalletError::NotAllowed {
                    key: self.key,
                    field: "expires_at",
                    kind: other.name(),
                });
            }
        }
        self.validated()
    }

    /// The entry for an effect that moves value, with the `order` it is
    /// of, the `currency` and the instant `at` (of the evaluation, or of
    /// the refund):
    ///
    /// - [`Effect::CreditPoints`], [`Effect::CreditCashback`]: an earned
    ///   lot, with its lines and dates;
    /// - [`Effect::RedeemPoints`], [`Effect::RedeemCashback`]: redeemed;
    /// - [`Effect::ReversePoints`], [`Effect::ReverseCashback`]: reversed,
    ///   from the lot the effect names;
    /// - [`Effect::RestorePoints`], [`Effect::RestoreCashback`]: restored,
    ///   to the redemption the effect names.
    ///
    /// `None` for the effects that move no value (coupon redemptions and
    /// releases, gifts). [`from_evaluation`](Self::from_evaluation) and
    /// [`from_return`](Self::from_return) do this for every effect.
    ///
    /// # Errors
    ///
    /// [`WalletError`] when the effect does not make a valid entry (an
    /// `available_at` before `at`).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::wallet::{Amount, Entry};
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .earning_rule(EarnRuleDefinition::new("base", 1, "1.00")),
    /// )?;
    /// let at = "2026-11-27T13:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::EUR)?))
    ///     .build()?;
    /// let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-1")?, at))?;
    /// let entries: Vec<Entry> = evaluation
    ///     .effects
    ///     .iter()
    ///     .filter_map(|effect| {
    ///         Entry::from_effect(effect, &evaluation.order, evaluation.currency, evaluation.at)
    ///             .transpose()
    ///     })
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(entries[0].amount(), Amount::points(120));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_effect(
        effect: &Effect,
        order: &OrderId,
        currency: Currency,
        at: DateTime<Utc>,
    ) -> Result<Option<Entry>, WalletError> {
        let entry = match effect {
            Effect::CreditPoints {
                key,
                customer,
                points,
                lines,
                available_at,
                expires_at,
                ..
            } => Entry::earned(
                key.clone(),
                customer.clone(),
                order.clone(),
                Amount::Points(*points),
                at,
                *available_at,
                *expires_at,
            )?
            .with_lines(
                lines
                    .iter()
                    .map(|l| LineAmount::new(l.line.clone(), l.points)),
            )?,
            Effect::CreditCashback {
                key,
                customer,
                amount,
                available_at,
                expires_at,
            } => Entry::earned(
                key.clone(),
                customer.clone(),
                order.clone(),
                Amount::Cashback(Money::new(*amount, currency)),
                at,
                *available_at,
                *expires_at,
            )?,
            Effect::RedeemPoints {
                key,
                customer,
                points,
                ..
            } => Entry::redeemed(
                key.clone(),
                customer.clone(),
                order.clone(),
                Amount::Points(*points),
                at,
            )?,
            Effect::RedeemCashback {
                key,
                customer,
                amount,
                ..
            } => Entry::redeemed(
                key.clone(),
                customer.clone(),
                order.clone(),
                Amount::Cashback(Money::new(*amount, currency)),
                at,
            )?,
            Effect::ReversePoints {
                key,
                customer,
                points,
                lot,
            } => Entry::reversed(
                key.clone(),
                customer.clone(),
                lot.clone(),
                Amount::Points(*points),
                at,
            )?,
            Effect::ReverseCashback {
                key,
                customer,
                amount,
                lot,
            } => Entry::reversed(
                key.clone(),
                customer.clone(),
                lot.clone(),
                Amount::Cashback(Money::new(*amount, currency)),
                at,
            )?,
            Effect::RestorePoints {
                key,
                customer,
                points,
                redemption,
            } => Entry::restored(
                key.clone(),
                customer.clone(),
                redemption.clone(),
                Amount::Points(*points),
                at,
            )?,
            Effect::RestoreCashback {
                key,
                customer,
                amount,
                redemption,
            } => Entry::restored(
                key.clone(),
                customer.clone(),
                redemption.clone(),
                Amount::Cashback(Money::new(*amount, currency)),
                at,
            )?,
            _ => return Ok(None),
        };
        Ok(Some(entry))
    }

    /// The entries of a return, one per effect that moves value: points
    /// and cashback taken back (reversed, with each returned line's part),
    /// points and cashback paid with given back (restored), at the
    /// refund's instant.
    ///
    /// # Errors
    ///
    /// As [`from_effect`](Self::from_effect).
    pub fn from_return(outcome: &ReturnOutcome) -> Result<Vec<Entry>, WalletError> {
        let mut entries = Vec::with_capacity(outcome.effects.len());
        for effect in &outcome.effects {
            let Some(mut entry) =
                Entry::from_effect(effect, &outcome.order, outcome.currency, outcome.at)?
            else {
                continue;
            };
            // Reversals carry what each returned line earned, when the
            // policy took it all back (a capped reversal has no split).
            let part: Option<fn(&super::ReturnedLine) -> Decimal> = match effect {
                Effect::ReversePoints { .. } => Some(|l| l.points),
                Effect::ReverseCashback { .. } => Some(|l| l.cashback),
                _ => None,
            };
            if let Some(part) = part {
                let lines = outcome
                    .lines
                    .iter()
                    .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(part(l)));
                if lines.is_some_and(|lines| lines <= entry.amount().value()) {
                    entry = entry.with_lines(
                        outcome
                            .lines
                            .iter()
                            .filter(|l| !part(l).is_zero())
                            .map(|l| LineAmount::new(l.line.clone(), part(l))),
                    )?;
                }
            }
            entries.push(entry);
        }
        Ok(entries)
    }

    /// The entries of an evaluation, one per effect that moves value, in
    /// the effects' order: points and cashback spent (redeemed) and earned
    /// (a lot each; cashback carries its per-line attribution too).
    ///
    /// # Errors
    ///
    /// As [`from_effect`](Self::from_effect).
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::prelude::*;
    /// use loyalty::wallet::{Entry, Ledger};
    ///
    /// let program = Program::new(
    ///     ProgramDefinition::new("shop", Currency::EUR)
    ///         .earning_rule(EarnRuleDefinition::new("base", 1, "1.00"))
    ///         .cashback_rule(CashbackDefinition::percent("cb", "2")),
    /// )?;
    /// let at = "2026-11-27T13:00:00Z".parse()?;
    /// let order = Order::builder("A-1", "C-1", at, Currency::EUR)
    ///     .line(Line::new("1", "TEA", 4, Money::parse("30.00", Currency::EUR)?))
    ///     .build()?;
    /// let evaluation = program.evaluate(&Checkout::new(order, Customer::new("C-1")?, at))?;
    /// let ledger = Ledger::from_entries(Entry::from_evaluation(&evaluation)?)?;
    /// let balance = ledger.balance_at(at)?;
    /// assert_eq!(balance.points.available.to_string(), "120");
    /// assert_eq!(balance.cashback.available.to_string(), "2.40");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_evaluation(evaluation: &Evaluation) -> Result<Vec<Entry>, WalletError> {
        let mut entries = Vec::with_capacity(2);
        for effect in &evaluation.effects {
            let made = Entry::from_effect(
                effect,
                &evaluation.order,
                evaluation.currency,
                evaluation.at,
            )?;
            if let Some(mut entry) = made {
                if matches!(effect, Effect::CreditCashback { .. }) {
                    entry = entry.with_lines(
                        evaluation
                            .cashback
                            .lines
                            .iter()
                            .map(|l| LineAmount::new(l.line.clone(), l.amount)),
                    )?;
                }
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    /// The idempotency key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The customer.
    #[must_use]
    pub fn customer(&self) -> &CustomerId {
        &self.customer
    }

    /// The instant of the fact: earned, redeemed, expired, reversed,
    /// adjusted or restored.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// What it records.
    #[must_use]
    pub fn kind(&self) -> &EntryKind {
        &self.kind
    }

    /// Its amount.
    #[must_use]
    pub fn amount(&self) -> Amount {
        self.kind.amount()
    }

    /// The order of kinds at one instant: value added before it is spent,
    /// and each entry after the one it names.
    pub(super) fn rank(&self) -> u8 {
        match &self.kind {
            EntryKind::Earned { .. } => 0,
            EntryKind::Adjusted { amount, .. } if amount.value().is_sign_positive() => 1,
            EntryKind::Redeemed { .. } => 2,
            EntryKind::Restored { .. } => 3,
            EntryKind::Reversed { .. } => 4,
            EntryKind::Adjusted { .. } => 5,
            EntryKind::Expired { .. } => 6,
        }
    }

    fn validated(self) -> Result<Entry, WalletError> {
        if self.key.trim().is_empty() {
            return Err(WalletError::BlankKey);
        }
        let key = &self.key;
        let blank = |field: &'static str, text: &str| {
            if text.trim().is_empty() {
                Err(WalletError::Blank {
                    key: key.clone(),
                    field,
                })
            } else {
                Ok(())
            }
        };
        match &self.kind {
            EntryKind::Earned {
                amount,
                lines,
                available_at,
                expires_at,
                ..
            } => {
                positive(key, amount, "give the amount earned")?;
                check_lines(key, amount, lines)?;
                if *available_at < self.at {
                    return Err(WalletError::AvailableBeforeEarned {
                        key: key.clone(),
                        at: self.at,
                        available_at: *available_at,
                    });
                }
                if let Some(expires_at) = *expires_at
                    && expires_at <= *available_at
                {
                    return Err(WalletError::ExpiryNotAfterAvailable {
                        key: key.clone(),
                        available_at: *available_at,
                        expires_at,
                    });
                }
            }
            EntryKind::Redeemed { amount, .. } => {
                positive(
                    key,
                    amount,
                    "give the amount spent; a redemption given back is a restored entry",
                )?;
            }
            EntryKind::Expired { lot, amount } => {
                blank("lot", lot)?;
                positive(key, amount, "give the amount that expired")?;
            }
            EntryKind::Reversed { lot, amount, lines } => {
                blank("lot", lot)?;
                positive(key, amount, "give the amount taken back")?;
                check_lines(key, amount, lines)?;
            }
            EntryKind::Adjusted {
                amount,
                reason,
                expires_at,
            } => {
                blank("reason", reason)?;
                if amount.value().is_zero() {
                    return Err(WalletError::ZeroAdjustment { key: key.clone() });
                }
                in_minor_units(key, amount)?;
                if let Some(expires_at) = *expires_at {
                    if amount.value().is_sign_negative() {
                        return Err(WalletError::NotAllowed {
                            key: key.clone(),
                            field: "expires_at",
                            kind: "debit adjustment",
                        });
                    }
                    if expires_at <= self.at {
                        return Err(WalletError::ExpiryNotAfterAvailable {
                            key: key.clone(),
                            available_at: self.at,
                            expires_at,
                        });
                    }
                }
            }
            EntryKind::Restored { redemption, amount } => {
                blank("redemption", redemption)?;
                positive(key, amount, "give the amount given back")?;
            }
        }
        Ok(self)
    }
}

/// An amount above zero, and for cashback a whole number of minor units.
fn positive(key: &str, amount: &Amount, hint: &'static str) -> Result<(), WalletError> {
    let value = amount.value();
    if value.is_zero() || value.is_sign_negative() {
        return Err(WalletError::NotPositive {
            key: key.to_owned(),
            field: amount.kind().as_str(),
            value,
            hint,
        });
    }
    in_minor_units(key, amount)
}

/// The most an entry may move: 10^18 points, or 10^18 of a currency.
/// With at most [`POINTS_DECIMALS`] decimals of points, every balance of up
/// to 100 such entries' worth is exact; a ledger refuses sums beyond 10^20.
pub const MAX_ENTRY: Decimal = Money::MAX_ORDER_AMOUNT;

/// The most decimals of points an entry may carry.
pub const POINTS_DECIMALS: u32 = 8;

fn in_minor_units(key: &str, amount: &Amount) -> Result<(), WalletError> {
    let value = amount.value();
    let too_fine =
        matches!(amount, Amount::Points(_)) && value.normalize().scale() > POINTS_DECIMALS;
    if value.abs() > MAX_ENTRY || too_fine {
        return Err(WalletError::OutOfRange {
            key: key.to_owned(),
            field: amount.kind().as_str(),
            value,
        });
    }
    if let Amount::Cashback(money) = amount {
        money
            .ensure_minor_units()
            .map_err(|source| WalletError::Money {
                key: key.to_owned(),
                source,
            })?;
    }
    Ok(())
}

/// Parts of zero or more, each line once, adding up to the amount at most.
fn check_lines(key: &str, amount: &Amount, lines: &[LineAmount]) -> Result<(), WalletError> {
    let mut sum = Decimal::ZERO;
    for (i, part) in lines.iter().enumerate() {
        if part.amount.is_sign_negative() && !part.amount.is_zero() {
            return Err(WalletError::NegativeLine {
                key: key.to_owned(),
                line: part.line.clone(),
                value: part.amount,
            });
        }
        if lines.len() <= 64 && lines[..i].iter().any(|other| other.line == part.line) {
            return Err(WalletError::DuplicateLine {
                key: key.to_owned(),
                line: part.line.clone(),
            });
        }
        sum = sum.checked_add(part.amount).ok_or(WalletError::Overflow {
            what: "an entry's lines",
        })?;
    }
    if lines.len() > 64 {
        let mut ids: Vec<&LineId> = lines.iter().map(|l| &l.line).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(WalletError::DuplicateLine {
                key: key.to_owned(),
                line: pair[0].clone(),
            });
        }
    }
    if sum > amount.value() {
        return Err(WalletError::LinesExceedAmount {
            key: key.to_owned(),
            lines: sum,
            amount: amount.value(),
        });
    }
    Ok(())
}

/// The JSON form: tagged by `entry`, the amount as `points` or `cashback`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case", deny_unknown_fields)]
enum EntryData {
    Earned {
        key: String,
        customer: CustomerId,
        order: OrderId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lines: Vec<LineAmount>,
        available_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    Redeemed {
        key: String,
        customer: CustomerId,
        order: OrderId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
    },
    Expired {
        key: String,
        customer: CustomerId,
        lot: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
    },
    Reversed {
        key: String,
        customer: CustomerId,
        lot: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lines: Vec<LineAmount>,
    },
    Adjusted {
        key: String,
        customer: CustomerId,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    Restored {
        key: String,
        customer: CustomerId,
        redemption: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cashback: Option<Money>,
    },
}

/// The amount of the JSON form: points or cashback, exactly one.
fn amount_of(
    key: &str,
    points: Option<Decimal>,
    cashback: Option<Money>,
) -> Result<Amount, WalletError> {
    match (points, cashback) {
        (Some(points), None) => Ok(Amount::Points(points)),
        (None, Some(cashback)) => Ok(Amount::Cashback(cashback)),
        (None, None) => Err(WalletError::NoAmount {
            key: key.to_owned(),
        }),
        (Some(_), Some(_)) => Err(WalletError::TwoAmounts {
            key: key.to_owned(),
        }),
    }
}

/// The amount as the JSON form's `points` and `cashback`.
fn split(amount: Amount) -> (Option<Decimal>, Option<Money>) {
    match amount {
        Amount::Points(points) => (Some(points), None),
        Amount::Cashback(money) => (None, Some(money)),
    }
}

impl TryFrom<EntryData> for Entry {
    type Error = WalletError;
    fn try_from(data: EntryData) -> Result<Entry, WalletError> {
        let (key, customer, at, kind) = match data {
            EntryData::Earned {
                key,
                customer,
                order,
                at,
                points,
                cashback,
                lines,
                available_at,
                expires_at,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                let kind = EntryKind::Earned {
                    order,
                    amount,
                    lines,
                    available_at,
                    expires_at,
                };
                (key, customer, at, kind)
            }
            EntryData::Redeemed {
                key,
                customer,
                order,
                at,
                points,
                cashback,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                (key, customer, at, EntryKind::Redeemed { order, amount })
            }
            EntryData::Expired {
                key,
                customer,
                lot,
                at,
                points,
                cashback,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                (key, customer, at, EntryKind::Expired { lot, amount })
            }
            EntryData::Reversed {
                key,
                customer,
                lot,
                at,
                points,
                cashback,
                lines,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                let kind = EntryKind::Reversed { lot, amount, lines };
                (key, customer, at, kind)
            }
            EntryData::Adjusted {
                key,
                customer,
                at,
                points,
                cashback,
                reason,
                expires_at,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                let kind = EntryKind::Adjusted {
                    amount,
                    reason,
                    expires_at,
                };
                (key, customer, at, kind)
            }
            EntryData::Restored {
                key,
                customer,
                redemption,
                at,
                points,
                cashback,
            } => {
                let amount = amount_of(&key, points, cashback)?;
                let kind = EntryKind::Restored { redemption, amount };
                (key, customer, at, kind)
            }
        };
        Entry {
            key,
            customer,
            at,
            kind,
        }
        .validated()
    }
}

impl From<Entry> for EntryData {
    fn from(entry: Entry) -> EntryData {
        let Entry {
            key,
            customer,
            at,
            kind,
        } = entry;
        match kind {
            EntryKind::Earned {
                order,
                amount,
                lines,
                available_at,
                expires_at,
            } => {
                let (points, cashback) = split(amount);
                EntryData::Earned {
                    key,
                    customer,
                    order,
                    at,
                    points,
                    cashback,
                    lines,
                    available_at,
                    expires_at,
                }
            }
            EntryKind::Redeemed { order, amount } => {
                let (points, cashback) = split(amount);
                EntryData::Redeemed {
                    key,
                    customer,
                    order,
                    at,
                    points,
                    cashback,
                }
            }
            EntryKind::Expired { lot, amount } => {
                let (points, cashback) = split(amount);
                EntryData::Expired {
                    key,
                    customer,
                    lot,
                    at,
                    points,
                    cashback,
                }
            }
            EntryKind::Reversed { lot, amount, lines } => {
                let (points, cashback) = split(amount);
                EntryData::Reversed {
                    key,
                    customer,
                    lot,
                    at,
                    points,
                    cashback,
                    lines,
                }
            }
            EntryKind::Adjusted {
                amount,
                reason,
                expires_at,
            } => {
                let (points, cashback) = split(amount);
                EntryData::Adjusted {
                    key,
                    customer,
                    at,
                    points,
                    cashback,
                    reason,
                    expires_at,
                }
            }
            EntryKind::Restored { redemption, amount } => {
                let (points, cashback) = split(amount);
                EntryData::Restored {
                    key,
                    customer,
                    redemption,
                    at,
                    points,
                    cashback,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balance_holds_up_to_ten_to_the_twentieth() {
        assert_eq!(
            super::super::ledger::MAX_BALANCE,
            Decimal::from(10u128.pow(20))
        );
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("an instant")
    }

    fn customer() -> CustomerId {
        CustomerId::new("C-1").expect("an id")
    }

    #[test]
    fn each_kind_round_trips_through_json() {
        let t = at("2026-01-01T00:00:00Z");
        let eur = |text: &str| Amount::Cashback(Money::parse(text, Currency::EUR).expect("money"));
        let order = OrderId::new("A-1").expect("an id");
        let line = LineId::new("1").expect("an id");
        let entries = [
            Entry::earned(
                "e",
                customer(),
                order.clone(),
                Amount::points(10),
                t,
                t,
                None,
            )
            .and_then(|e| e.with_lines([LineAmount::new(line.clone(), Decimal::ONE)])),
            Entry::redeemed("r", customer(), order, eur("1.50"), t),
            Entry::expired("x", customer(), "e", Amount::points(1), t),
            Entry::reversed("v", customer(), "e", Amount::points(2), t)
                .and_then(|e| e.with_lines([LineAmount::new(line, Decimal::TWO)])),
            Entry::adjusted("a", customer(), Amount::points(-3), "goodwill", t),
            Entry::adjusted("c", customer(), eur("2.00"), "goodwill", t)
                .and_then(|e| e.with_expiry(at("2027-01-01T00:00:00Z"))),
            Entry::restored("s", customer(), "r", eur("0.50"), t),
        ];
        for entry in entries {
            let entry = entry.expect("a valid entry");
            let json = serde_json::to_string(&entry).expect("serialises");
            let back: Entry = serde_json::from_str(&json).expect("reads back");
            assert_eq!(back, entry, "{json}");
        }
    }

    #[test]
    fn json_needs_exactly_one_amount_and_known_fields() {
        let base = r#""key": "k", "customer": "C-1", "order": "A-1", "at": "2026-01-01T00:00:00Z""#;
        let none = format!(r#"{{"entry": "redeemed", {base}}}"#);
        let err = serde_json::from_str::<Entry>(&none).expect_err("no amount");
        assert!(
            err.to_string().contains("give \"points\" or \"cashback\""),
            "{err}"
        );
        let both =
            format!(r#"{{"entry": "redeemed", {base}, "points": "1", "cashback": "1.00 EUR"}}"#);
        assert!(serde_json::from_str::<Entry>(&both).is_err());
        let typo = format!(r#"{{"entry": "redeemed", {base}, "points": "1", "ponts": "2"}}"#);
        assert!(serde_json::from_str::<Entry>(&typo).is_err());
        let negative = format!(r#"{{"entry": "redeemed", {base}, "points": "-1"}}"#);
        let err = serde_json::from_str::<Entry>(&negative).expect_err("negative");
        assert!(
            err.to_string().contains("points -1 must be above zero"),
            "{err}"
        );
    }

    #[test]
    fn lines_are_checked() {
        let t = at("2026-01-01T00:00:00Z");
        let order = OrderId::new("A-1").expect("an id");
        let earned =
            Entry::earned("e", customer(), order, Amount::points(10), t, t, None).expect("valid");
        let line = |id: &str, v: i64| LineAmount::new(LineId::new(id).expect("id"), v.into());
        assert!(matches!(
            earned.clone().with_lines([line("1", -1)]),
            Err(WalletError::NegativeLine { .. })
        ));
        assert!(matches!(
            earned.clone().with_lines([line("1", 1), line("1", 1)]),
            Err(WalletError::DuplicateLine { .. })
        ));
        assert!(matches!(
            earned.clone().with_lines([line("1", 6), line("2", 5)]),
            Err(WalletError::LinesExceedAmount { .. })
        ));
        let many: Vec<LineAmount> = (0..100).map(|i| line(&(i % 99).to_string(), 0)).collect();
        assert!(matches!(
            earned.clone().with_lines(many),
            Err(WalletError::DuplicateLine { .. })
        ));
        let redeemed = Entry::redeemed(
            "r",
            customer(),
            OrderId::new("A-2").expect("id"),
            Amount::points(1),
            t,
        )
        .expect("valid");
        assert!(matches!(
            redeemed.with_lines([line("1", 1)]),
            Err(WalletError::NotAllowed { field: "lines", .. })
        ));
    }
}

//! Why an entry, or a ledger built from entries, is refused.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::entry::{Amount, BalanceKind};
use crate::customer::CustomerId;
use crate::error::ProgramError;
use crate::money::{Currency, MoneyError};
use crate::order::LineId;

/// Why an entry cannot be built, or why entries cannot make one ledger.
///
/// Each message names the entry by its key and the field at fault, and
/// says what to fix, e.g. `entry "shop/A-1/points": points -5 must be
/// above zero: give the amount earned, or write a reversal to take value
/// back`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// An entry without its idempotency key.
    #[error(
        "an entry's key is blank: give every entry its idempotency key, such as \"shop/A-1/points\""
    )]
    BlankKey,
    /// A required text field left blank.
    #[error("entry \"{key}\": {field} is blank: give it a value")]
    Blank {
        /// The entry's key.
        key: String,
        /// The field: `reason`, `lot` or `redemption`.
        field: &'static str,
    },
    /// An amount that must be above zero.
    #[error("entry \"{key}\": {field} {value} must be above zero: {hint}")]
    NotPositive {
        /// The entry's key.
        key: String,
        /// The field: `points` or `cashback`.
        field: &'static str,
        /// The value as given.
        value: Decimal,
        /// What to write instead.
        hint: &'static str,
    },
    /// An amount too large, or too fine, for a balance to hold exactly.
    #[error(
        "entry \"{key}\": {field} {value} cannot be held exactly: give at most 10^18, with at most 8 decimals for points"
    )]
    OutOfRange {
        /// The entry's key.
        key: String,
        /// The field: `points` or `cashback`.
        field: &'static str,
        /// The value as given.
        value: Decimal,
    },
    /// An adjustment of zero.
    #[error(
        "entry \"{key}\": an adjustment of 0 changes nothing: give a positive amount to credit, a negative one to debit"
    )]
    ZeroAdjustment {
        /// The entry's key.
        key: String,
    },
    /// An entry written with neither points nor cashback.
    #[error("entry \"{key}\" has no amount: give \"points\" or \"cashback\"")]
    NoAmount {
        /// The entry's key.
        key: String,
    },
    /// An entry written with both points and cashback.
    #[error(
        "entry \"{key}\" gives both points and cashback: an entry moves one balance, so write two entries"
    )]
    TwoAmounts {
        /// The entry's key.
        key: String,
    },
    /// A line's part below zero.
    #[error("entry \"{key}\": lines: line {line} has {value}, below zero: give zero or more")]
    NegativeLine {
        /// The entry's key.
        key: String,
        /// The line.
        line: LineId,
        /// Its part as given.
        value: Decimal,
    },
    /// A line listed twice.
    #[error("entry \"{key}\": lines lists line {line} twice: give each line once")]
    DuplicateLine {
        /// The entry's key.
        key: String,
        /// The line.
        line: LineId,
    },
    /// Lines whose parts add up to more than the entry.
    #[error(
        "entry \"{key}\": lines add up to {lines}, more than the entry's {amount}: the lines' parts are a share of the amount"
    )]
    LinesExceedAmount {
        /// The entry's key.
        key: String,
        /// The lines' sum.
        lines: Decimal,
        /// The entry's amount.
        amount: Decimal,
    },
    /// A field this kind of entry does not have.
    #[error("entry \"{key}\": a {kind} entry has no {field}: remove it")]
    NotAllowed {
        /// The entry's key.
        key: String,
        /// The field: `lines` or `expires_at`.
        field: &'static str,
        /// The kind of entry, e.g. `redeemed`.
        kind: &'static str,
    },
    /// Value available before it was earned.
    #[error(
        "entry \"{key}\": available_at {available_at} is before at {at}: value becomes available when it is earned or later"
    )]
    AvailableBeforeEarned {
        /// The entry's key.
        key: String,
        /// When it was earned.
        at: DateTime<Utc>,
        /// When it was said to become available.
        available_at: DateTime<Utc>,
    },
    /// An expiry at or before the value becomes available.
    #[error(
        "entry \"{key}\": expires_at {expires_at} is not after available_at {available_at}: give a later expiry, or none"
    )]
    ExpiryNotAfterAvailable {
        /// The entry's key.
        key: String,
        /// When the value becomes available.
        available_at: DateTime<Utc>,
        /// The expiry given.
        expires_at: DateTime<Utc>,
    },
    /// Cashback that is not valid money (more decimals than its currency).
    #[error("entry \"{key}\": cashback: {source}")]
    Money {
        /// The entry's key.
        key: String,
        /// What is wrong with the amount.
        source: MoneyError,
    },
    /// Two different entries share a key.
    #[error(
        "two different entries have key \"{key}\": a key names one fact, so give the second its own key (an identical copy is ignored)"
    )]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// An entry of another customer.
    #[error(
        "entry \"{key}\" is for customer {customer}, but the ledger is customer {expected}'s: build one ledger per customer"
    )]
    OtherCustomer {
        /// The entry's key.
        key: String,
        /// The entry's customer.
        customer: CustomerId,
        /// The ledger's customer.
        expected: CustomerId,
    },
    /// Cashback in another currency than the ledger's.
    #[error(
        "entry \"{key}\" is in {currency}, but the ledger's cashback is in {expected}: convert it, or keep one cashback currency per ledger"
    )]
    OtherCurrency {
        /// The entry's key.
        key: String,
        /// The entry's currency.
        currency: Currency,
        /// The ledger's cashback currency.
        expected: Currency,
    },
    /// A reference to a lot the ledger does not have before the entry.
    #[error(
        "entry \"{key}\" names lot \"{lot}\", but no earned entry or credit with that key comes at or before it: fix lot, or store the lot first"
    )]
    UnknownLot {
        /// The entry's key.
        key: String,
        /// The lot named.
        lot: String,
    },
    /// A reference to a redemption the ledger does not have before the
    /// entry.
    #[error(
        "entry \"{key}\" names redemption \"{redemption}\", but no redeemed entry with that key comes at or before it: fix redemption, or store the redemption first"
    )]
    UnknownRedemption {
        /// The entry's key.
        key: String,
        /// The redemption named.
        redemption: String,
    },
    /// An entry in points for a cashback lot, or the other way round.
    #[error(
        "entry \"{key}\" moves {found}, but \"{reference}\" is {expected}: give the amount in {expected}"
    )]
    KindMismatch {
        /// The entry's key.
        key: String,
        /// The lot or redemption it names.
        reference: String,
        /// What the named entry moved.
        expected: BalanceKind,
        /// What this entry moves.
        found: BalanceKind,
    },
    /// Restorations of a redemption adding up to more than it redeemed.
    #[error(
        "entry \"{key}\": restorations of \"{redemption}\" add up to {restored}, more than the {redeemed} it redeemed: restore at most what was redeemed"
    )]
    OverRestored {
        /// The entry's key.
        key: String,
        /// The redemption.
        redemption: String,
        /// What its restorations add up to, this one included.
        restored: Amount,
        /// What it redeemed.
        redeemed: Amount,
    },
    /// A redemption of more than was available at its instant.
    #[error(
        "entry \"{key}\" redeems {asked} at {at}, more than the {available} available then: store a redemption no larger than the balance the checkout saw"
    )]
    Overdrawn {
        /// The entry's key.
        key: String,
        /// Its instant.
        at: DateTime<Utc>,
        /// What it redeems.
        asked: Amount,
        /// What was available at that instant (negative for a debt).
        available: Amount,
    },
    /// An expiry of value still pending.
    #[error(
        "entry \"{key}\" expires lot \"{lot}\", which is pending until {available_at}: pending value never expires"
    )]
    ExpiresPending {
        /// The entry's key.
        key: String,
        /// The lot.
        lot: String,
        /// When the lot becomes available.
        available_at: DateTime<Utc>,
    },
    /// An expiry of more than the lot had left.
    #[error(
        "entry \"{key}\" expires {asked} of lot \"{lot}\", but {remaining} remained: expire at most what remains, as due_expirations writes it"
    )]
    OverExpired {
        /// The entry's key.
        key: String,
        /// The lot.
        lot: String,
        /// What the entry expires.
        asked: Amount,
        /// What the lot had left at that instant.
        remaining: Amount,
    },
    /// A stored expiry that disagrees with the one the ledger computes.
    #[error(
        "entry \"{key}\" records {recorded} of lot \"{lot}\" expired, but {computed} remained at that instant: store the entries due_expirations returns"
    )]
    ExpiredMismatch {
        /// The entry's key.
        key: String,
        /// The lot.
        lot: String,
        /// The amount the entry records.
        recorded: Amount,
        /// The amount the ledger computes.
        computed: Amount,
    },
    /// A sum too large for a decimal.
    #[error("amounts overflow while adding up {what}: check the entries for absurd amounts")]
    Overflow {
        /// What was being added up, e.g. "points earned".
        what: &'static str,
    },
    /// The ledger policy given to the ledger is not valid.
    #[error("the ledger policy is not valid: {0}")]
    Policy(ProgramError),
}

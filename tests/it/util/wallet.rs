//! Builders for the ledger tests: entries from short literals, and a
//! proptest strategy of customer histories that are valid by construction
//! (no redemption of more than is available, no restoration of more than
//! was redeemed).

use chrono::{DateTime, Duration, Utc};
use loyalty::customer::CustomerId;
use loyalty::money::{Currency, Money};
use loyalty::order::OrderId;
use loyalty::rules::expiry::{Expiry, LedgerPolicy};
use loyalty::wallet::{Account, Amount, Balance, Entry, Ledger, LedgerBuilder, LedgerTerms};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// The customer of every entry: `C-1`.
pub fn customer() -> CustomerId {
    CustomerId::new("C-1").expect("an id")
}

/// An instant from RFC 3339 text.
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

/// Points from text.
pub fn pts(text: &str) -> Amount {
    Amount::Points(text.parse().expect("a decimal"))
}

/// Cashback in EUR from text.
pub fn eur(text: &str) -> Amount {
    Amount::Cashback(Money::parse(text, Currency::EUR).expect("an amount"))
}

/// An order id.
pub fn order(id: &str) -> OrderId {
    OrderId::new(id).expect("an id")
}

/// A lot `key` of order `key`, earned at `at`, available at `available`,
/// expiring at `expires`.
pub fn earned(
    key: &str,
    amount: Amount,
    at_: &str,
    available: &str,
    expires: Option<&str>,
) -> Entry {
    Entry::earned(
        key,
        customer(),
        order(key),
        amount,
        at(at_),
        at(available),
        expires.map(at),
    )
    .expect("a valid earned entry")
}

/// A redemption `key` for order `key`.
pub fn redeemed(key: &str, amount: Amount, at_: &str) -> Entry {
    Entry::redeemed(key, customer(), order(key), amount, at(at_)).expect("a valid redemption")
}

/// A reversal `key` of lot `lot`.
pub fn reversed(key: &str, lot: &str, amount: Amount, at_: &str) -> Entry {
    Entry::reversed(key, customer(), lot, amount, at(at_)).expect("a valid reversal")
}

/// A manual adjustment `key`.
pub fn adjusted(key: &str, amount: Amount, at_: &str) -> Entry {
    Entry::adjusted(key, customer(), amount, "support ticket", at(at_)).expect("a valid adjustment")
}

/// A restoration `key` of redemption `redemption`.
pub fn restored(key: &str, redemption: &str, amount: Amount, at_: &str) -> Entry {
    Entry::restored(key, customer(), redemption, amount, at(at_)).expect("a valid restoration")
}

/// An expiry `key` of lot `lot`.
pub fn expired(key: &str, lot: &str, amount: Amount, at_: &str) -> Entry {
    Entry::expired(key, customer(), lot, amount, at(at_)).expect("a valid expiry")
}

/// `available + pending + redeemed + expired + reversed = earned + adjusted`.
pub fn conserves(account: &Account) -> bool {
    account.available + account.pending + account.redeemed + account.expired + account.reversed
        == account.earned + account.adjusted
}

// ---------------------------------------------------------------------------
// Generated histories
// ---------------------------------------------------------------------------

/// One step of a generated history, after a gap.
#[derive(Clone, Debug)]
pub enum Step {
    /// A lot: points (or EUR cashback) of `units` at `scale` decimals,
    /// pending `pending_days`, expiring `expiry_days` after availability.
    Earn {
        cashback: bool,
        units: i64,
        scale: u32,
        pending_days: i64,
        expiry_days: Option<i64>,
    },
    /// A redemption of `share`% of what is available.
    Redeem { cashback: bool, share: u32 },
    /// A reversal of `share`% of the amount of a lot picked by `pick`.
    Reverse { pick: usize, share: u32 },
    /// A credit (or, when debts are allowed, a debit) of `units` hundredths.
    Adjust { cashback: bool, units: i64 },
    /// A restoration of `share`% of what is left to give back of a
    /// redemption picked by `pick`.
    Restore { pick: usize, share: u32 },
}

/// A step; reversals and debits only when `debts`.
pub fn step(debts: bool) -> impl Strategy<Value = Step> {
    let earn = (
        any::<bool>(),
        1i64..=100_000,
        0u32..=2,
        prop_oneof![Just(0i64), 0i64..=40],
        prop::option::of(1i64..=400),
    )
        .prop_map(
            |(cashback, units, scale, pending_days, expiry_days)| Step::Earn {
                cashback,
                units,
                scale,
                pending_days,
                expiry_days,
            },
        );
    let redeem =
        (any::<bool>(), 1u32..=100).prop_map(|(cashback, share)| Step::Redeem { cashback, share });
    let restore =
        (any::<usize>(), 1u32..=100).prop_map(|(pick, share)| Step::Restore { pick, share });
    let low = if debts { -50_000i64 } else { 1 };
    let adjust = (any::<bool>(), low..=50_000)
        .prop_filter_map("an adjustment of zero", |(cashback, units)| {
            (units != 0).then_some(Step::Adjust { cashback, units })
        });
    let reverse =
        (any::<usize>(), 1u32..=150).prop_map(|(pick, share)| Step::Reverse { pick, share });
    if debts {
        prop_oneof![4 => earn, 3 => redeem, 1 => restore, 1 => adjust, 2 => reverse].boxed()
    } else {
        prop_oneof![4 => earn, 3 => redeem, 1 => restore, 1 => adjust].boxed()
    }
}

/// Steps with the gap before each, in minutes (0 for entries at one
/// instant, up to about 120 days).
pub fn history(debts: bool, len: usize) -> impl Strategy<Value = Vec<(i64, Step)>> {
    prop::collection::vec(
        (
            prop_oneof![1 => Just(0i64), 3 => 0i64..=172_800],
            step(debts),
        ),
        1..=len,
    )
}

/// An optional inactivity policy: none, or 1 to 6 months.
pub fn terms() -> impl Strategy<Value = LedgerTerms> {
    prop::option::of(1i64..=6).prop_map(|months| {
        let mut policy = LedgerPolicy::default();
        if let Some(months) = months {
            policy.points_expiry = Expiry::AfterInactiveMonths(months);
            policy.cashback_expiry = Expiry::AfterInactiveMonths(months);
        }
        LedgerTerms::from(policy)
    })
}

/// The instant histories start at.
pub fn start() -> DateTime<Utc> {
    at("2026-01-01T00:00:00Z")
}

/// `value × share / 100`, rounded down to 2 decimals.
fn share_of(value: Decimal, share: u32) -> Decimal {
    (value * Decimal::from(share) / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero)
}

/// The entries of a history, valid by construction under `terms`: each
/// redemption and restoration is sized from the ledger of the entries
/// before it.
pub fn entries_of(steps: &[(i64, Step)], terms: LedgerTerms) -> Vec<Entry> {
    let builder = || Ledger::builder().terms(terms);
    let mut entries: Vec<Entry> = Vec::new();
    // (key, amount) of the lots and of the redemptions, and what was
    // restored of each redemption.
    let mut lots: Vec<(String, Amount)> = Vec::new();
    let mut redemptions: Vec<(String, Amount, Decimal)> = Vec::new();
    let mut now = start();
    for (i, (gap, step)) in steps.iter().enumerate() {
        now += Duration::minutes(*gap);
        let amount_of = |cashback: bool, value: Decimal| {
            if cashback {
                Amount::Cashback(Money::new(value, Currency::EUR))
            } else {
                Amount::Points(value)
            }
        };
        match step {
            Step::Earn {
                cashback,
                units,
                scale,
                pending_days,
                expiry_days,
            } => {
                let scale = if *cashback { 2 } else { *scale };
                let amount = amount_of(*cashback, Decimal::new(*units, scale));
                let key = format!("L{i:04}");
                let available = now + Duration::days(*pending_days);
                let expires = expiry_days.map(|d| available + Duration::days(d));
                let entry = Entry::earned(
                    key.clone(),
                    customer(),
                    order(&key),
                    amount,
                    now,
                    available,
                    expires,
                )
                .expect("a valid lot");
                entries.push(entry);
                lots.push((key, amount));
            }
            Step::Redeem { cashback, share } => {
                let ledger = builder().build(entries.clone()).expect("a valid history");
                let balance = ledger.balance_at(now).expect("a balance");
                let account = if *cashback {
                    &balance.cashback
                } else {
                    &balance.points
                };
                let value = share_of(account.available.max(Decimal::ZERO), *share);
                if value > Decimal::ZERO {
                    let key = format!("R{i:04}");
                    let amount = amount_of(*cashback, value);
                    entries.push(
                        Entry::redeemed(key.clone(), customer(), order(&key), amount, now)
                            .expect("a valid redemption"),
                    );
                    // A restoration at this same instant comes after the
                    // redemption: without its value, the redemption may be
                    // too large, and is left out.
                    if builder().build(entries.clone()).is_ok() {
                        redemptions.push((key, amount, Decimal::ZERO));
                    } else {
                        entries.pop();
                    }
                }
            }
            Step::Reverse { pick, share } => {
                if lots.is_empty() {
                    continue;
                }
                let (lot, amount) = &lots[pick % lots.len()];
                let value = share_of(amount.value(), *share);
                if value > Decimal::ZERO {
                    let entry = Entry::reversed(
                        format!("V{i:04}"),
                        customer(),
                        lot.clone(),
                        amount_of(
                            amount.kind() == loyalty::wallet::BalanceKind::Cashback,
                            value,
                        ),
                        now,
                    )
                    .expect("a valid reversal");
                    entries.push(entry);
                }
            }
            Step::Adjust { cashback, units } => {
                let amount = amount_of(*cashback, Decimal::new(*units, 2));
                let key = format!("A{i:04}");
                entries.push(
                    Entry::adjusted(key.clone(), customer(), amount, "goodwill", now)
                        .expect("a valid adjustment"),
                );
                if *units > 0 {
                    lots.push((key, amount));
                }
            }
            Step::Restore { pick, share } => {
                if redemptions.is_empty() {
                    continue;
                }
                let len = redemptions.len();
                let (key, amount, restored) = &mut redemptions[pick % len];
                let value = share_of(amount.value() - *restored, *share);
                if value > Decimal::ZERO {
                    *restored += value;
                    let entry = Entry::restored(
                        format!("S{i:04}"),
                        customer(),
                        key.clone(),
                        amount.with_value(value),
                        now,
                    )
                    .expect("a valid restoration");
                    entries.push(entry);
                }
            }
        }
    }
    entries
}

/// The instants worth asking a history's ledger about: each entry's, a
/// minute before and after, and long after the last.
pub fn instants(entries: &[Entry]) -> Vec<DateTime<Utc>> {
    let mut out: Vec<DateTime<Utc>> = entries
        .iter()
        .flat_map(|e| {
            [
                e.at() - Duration::minutes(1),
                e.at(),
                e.at() + Duration::minutes(1),
            ]
        })
        .collect();
    let last = entries.iter().map(Entry::at).max().unwrap_or_else(start);
    out.push(last + Duration::days(400));
    out.push(last + Duration::days(3000));
    out.sort();
    out.dedup();
    out
}

/// A ledger builder with `terms`.
pub fn with_terms(terms: LedgerTerms) -> LedgerBuilder {
    Ledger::builder().terms(terms)
}

/// Every balance of `ledger` at `instants`.
pub fn balances(ledger: &Ledger, instants: &[DateTime<Utc>]) -> Vec<Balance> {
    instants
        .iter()
        .map(|&t| ledger.balance_at(t).expect("a balance"))
        .collect()
}

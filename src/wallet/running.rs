//! A wallet kept up to date entry by entry, for a history replayed in
//! time order (the simulation's): the balances at each instant without
//! rebuilding a [`Ledger`](super::Ledger) from every entry so far.
//!
//! It holds the lots that still have value, and follows the ledger's
//! replay rule for rule for the entries a checkout writes, value
//! **earned** and value **redeemed**: pending lots become available at
//! their instant, available lots expire at theirs (or all of them after
//! the policy's months without an earned or redeemed entry), a redemption
//! takes from the soonest-expiring lots first (those that never expire
//! last, the oldest first among equals), and at one instant what becomes
//! available and what expires comes before the entries of that instant.
//! The same entries given to a ledger give the same balances and the same
//! expiries (the tests check it). The lots are kept in order, soonest
//! first: a history in time order makes them in that order, so that a
//! step costs a comparison, not a heap's sifting.
//!
//! Values are whole [`Units`] of 10⁻⁸ (the finest an entry may carry),
//! so that a step is integer arithmetic; the ledger's limit on a balance
//! (10²⁰) is kept in the same units.

use std::cmp::Ordering;
use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::WalletError;
use super::entry::{Amount, BalanceKind, POINTS_DECIMALS};
use super::ledger::LedgerTerms;
use crate::money::{Currency, Money};

/// A value in 10⁻⁸ of a point or of the currency.
pub(crate) type Units = i128;

/// The scale of [`Units`].
pub(crate) const SCALE: u32 = POINTS_DECIMALS;

/// 10^n for n in 0..=8.
const POWERS: [i128; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The largest balance, as the ledger's: 10^20, in units.
const MAX_UNITS: Units = 10i128.pow(20 + SCALE);

/// `value` in units; `None` when it has more than 8 decimals or is too
/// large for a balance.
pub(crate) fn units(value: Decimal) -> Option<Units> {
    let mut scale = value.scale();
    let mut mantissa = value.mantissa();
    if scale > SCALE {
        let normal = value.normalize();
        scale = normal.scale();
        mantissa = normal.mantissa();
        if scale > SCALE {
            return None;
        }
    }
    let units = mantissa.checked_mul(POWERS[(SCALE - scale) as usize])?;
    (units.abs() <= MAX_UNITS).then_some(units)
}

/// Units as a decimal with `decimals` decimals (at most 8) when that is
/// exact, with 8 otherwise; `None` beyond a decimal's 96 bits.
pub(crate) fn decimal(units: Units, decimals: u32) -> Option<Decimal> {
    let decimals = decimals.min(SCALE);
    let step = POWERS[(SCALE - decimals) as usize];
    if units % step == 0 {
        Decimal::try_from_i128_with_scale(units / step, decimals).ok()
    } else {
        Decimal::try_from_i128_with_scale(units, SCALE).ok()
    }
}

/// A balance's units as a decimal, normalised (a balance is within
/// 10^20: always one).
fn shown(units: Units) -> Decimal {
    decimal(units, SCALE).unwrap_or_default().normalize()
}

fn add(a: Units, b: Units, what: &'static str) -> Result<Units, WalletError> {
    a.checked_add(b)
        .filter(|v| v.abs() <= MAX_UNITS)
        .ok_or(WalletError::Overflow { what })
}

/// An amount of `kind` as the errors write it.
fn amount(kind: BalanceKind, units: Units, currency: Option<Currency>) -> Amount {
    let value = shown(units);
    match (kind, currency) {
        (BalanceKind::Cashback, Some(currency)) => Amount::Cashback(Money::new(value, currency)),
        _ => Amount::Points(value),
    }
}

/// A customer's points and cashback, entry by entry.
#[derive(Clone, Debug, Default)]
pub(crate) struct RunningWallet {
    pots: [Pot; 2],
    /// Lots made so far: the order among lots of equal expiry.
    lots: u64,
}

/// One balance.
#[derive(Clone, Debug, Default)]
struct Pot {
    /// Lots waiting for their return window to close, soonest first.
    pending: Sorted<Pending>,
    /// Lots with value to use, soonest-expiring first.
    held: Sorted<Held>,
    available: Units,
    pending_value: Units,
    earned: Units,
    redeemed: Units,
    expired: Units,
    /// The start of the current inactivity: the last earned or redeemed
    /// entry, or the instant value became available after a sweep.
    clock: Option<DateTime<Utc>>,
    /// The inactivity expiry of `clock`, once computed (`Some(None)`: out
    /// of the calendar's range, so never).
    deadline: Option<Option<DateTime<Utc>>>,
    /// Whether the inactivity expiry of `clock` has passed.
    dormant: bool,
}

/// A pending lot, by the instant it becomes available.
#[derive(Clone, Copy, Debug)]
struct Pending {
    available_at: DateTime<Utc>,
    lot: u64,
    amount: Units,
    expires_at: Option<DateTime<Utc>>,
}

/// An available lot with value left, by `(never expires, expiry, lot)`.
#[derive(Clone, Copy, Debug)]
struct Held {
    never: bool,
    expires_at: DateTime<Utc>,
    lot: u64,
    remaining: Units,
}

impl Pending {
    fn key(&self) -> (DateTime<Utc>, u64) {
        (self.available_at, self.lot)
    }
}

impl Held {
    fn key(&self) -> (bool, DateTime<Utc>, u64) {
        (self.never, self.expires_at, self.lot)
    }
}

macro_rules! ordered_by_key {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.key() == other.key()
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $t {
            fn cmp(&self, other: &Self) -> Ordering {
                self.key().cmp(&other.key())
            }
        }
    };
}

ordered_by_key!(Pending);
ordered_by_key!(Held);

/// Values kept in order, least first: a value no less than the last goes
/// at the end in one step, another is placed where it belongs.
#[derive(Clone, Debug)]
struct Sorted<T>(VecDeque<T>);

impl<T> Default for Sorted<T> {
    fn default() -> Self {
        Sorted(VecDeque::new())
    }
}

impl<T: Ord> Sorted<T> {
    fn push(&mut self, value: T) {
        if self.0.back().is_none_or(|last| *last <= value) {
            self.0.push_back(value);
        } else {
            let at = self.0.partition_point(|v| *v <= value);
            self.0.insert(at, value);
        }
    }

    fn first(&self) -> Option<&T> {
        self.0.front()
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The placeholder expiry of lots that never expire, which sort after the
/// others by the flag before it (as in the ledger).
const NEVER: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;

/// What happens next to a balance, by instant; at one instant, value
/// becomes available before value expires, and a lot expires before an
/// inactivity sweep (the ledger's order).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Next {
    Available,
    Expiry,
    Sweep,
}

impl RunningWallet {
    /// An empty wallet.
    pub(crate) fn new() -> RunningWallet {
        RunningWallet::default()
    }

    /// What can be spent now (after [`advance`](Self::advance) to now):
    /// points, cashback.
    pub(crate) fn available(&self) -> [Units; 2] {
        [self.pots[0].available, self.pots[1].available]
    }

    /// Whether some value is still pending or available: something may
    /// still expire.
    pub(crate) fn holds_value(&self) -> bool {
        self.pots
            .iter()
            .any(|p| !p.held.is_empty() || !p.pending.is_empty())
    }

    /// Availability, expiry and inactivity up to and including `t`, in
    /// time order; each expiry is added to `expired`: the balance, the
    /// instant, the value.
    pub(crate) fn advance(
        &mut self,
        terms: &LedgerTerms,
        t: DateTime<Utc>,
        expired: &mut Vec<(BalanceKind, DateTime<Utc>, Units)>,
    ) -> Result<(), WalletError> {
        for (pot, kind) in self
            .pots
            .iter_mut()
            .zip([BalanceKind::Points, BalanceKind::Cashback])
        {
            let months = match kind {
                BalanceKind::Points => terms.policy.points_expiry.inactive_months(),
                BalanceKind::Cashback => terms.policy.cashback_expiry.inactive_months(),
            };
            pot.advance(terms, months, t, &mut |at, value| {
                expired.push((kind, at, value))
            })?;
        }
        Ok(())
    }

    /// `value` of `kind` earned at `now` (after
    /// [`advance`](Self::advance) to `now`), available from
    /// `available_at`, expiring at `expires_at`. Zero earns nothing.
    ///
    /// # Errors
    ///
    /// As the ledger refuses the entry: a negative value, an expiry not
    /// after availability, availability before `now`, sums out of range.
    /// `key` names the entry in the error.
    pub(crate) fn earn(
        &mut self,
        kind: BalanceKind,
        value: Units,
        now: DateTime<Utc>,
        available_at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        key: impl FnOnce() -> String,
    ) -> Result<(), WalletError> {
        if value == 0 {
            return Ok(());
        }
        if value < 0 {
            return Err(WalletError::NotPositive {
                key: key(),
                field: kind.as_str(),
                value: shown(value),
                hint: "give the amount earned",
            });
        }
        if available_at < now {
            return Err(WalletError::AvailableBeforeEarned {
                key: key(),
                at: now,
                available_at,
            });
        }
        if let Some(expires_at) = expires_at
            && expires_at <= available_at
        {
            return Err(WalletError::ExpiryNotAfterAvailable {
                key: key(),
                available_at,
                expires_at,
            });
        }
        self.activity(now);
        let lot = self.lots;
        self.lots += 1;
        let pot = &mut self.pots[kind.index()];
        pot.earned = add(pot.earned, value, "value earned")?;
        pot.pending_value = add(pot.pending_value, value, "pending value")?;
        let pending = Pending {
            available_at,
            lot,
            amount: value,
            expires_at,
        };
        if available_at <= now {
            pot.make_available(pending, now)
        } else {
            pot.pending.push(pending);
            Ok(())
        }
    }

    /// `value` of `kind` spent at `now` (after [`advance`](Self::advance)
    /// to `now`), from the soonest-expiring lots. `currency` writes the
    /// amounts of an error; `key` names the entry in it.
    ///
    /// # Errors
    ///
    /// As the ledger refuses the entry: a value not above zero, more than
    /// is available ([`WalletError::Overdrawn`]), sums out of range.
    pub(crate) fn redeem(
        &mut self,
        kind: BalanceKind,
        value: Units,
        now: DateTime<Utc>,
        currency: Option<Currency>,
        key: impl FnOnce() -> String,
    ) -> Result<(), WalletError> {
        if value <= 0 {
            return Err(WalletError::NotPositive {
                key: key(),
                field: kind.as_str(),
                value: shown(value),
                hint: "give the amount spent; a redemption given back is a restored entry",
            });
        }
        self.activity(now);
        let pot = &mut self.pots[kind.index()];
        if value > pot.available {
            return Err(WalletError::Overdrawn {
                key: key(),
                at: now,
                asked: amount(kind, value, currency),
                available: amount(kind, pot.available, currency),
            });
        }
        let mut left = value;
        while left > 0 {
            let Some(first) = pot.held.0.front_mut() else {
                break;
            };
            // The order is by expiry and lot: the value left is not part
            // of it.
            let take = first.remaining.min(left);
            first.remaining -= take;
            left -= take;
            if first.remaining == 0 {
                pot.held.pop();
            }
            pot.available -= take;
        }
        pot.redeemed = add(pot.redeemed, value, "value redeemed")?;
        Ok(())
    }

    /// An earned or redeemed entry: the inactivity of both balances starts
    /// again now.
    fn activity(&mut self, now: DateTime<Utc>) {
        for pot in &mut self.pots {
            pot.clock = Some(now);
            pot.deadline = None;
            pot.dormant = false;
        }
    }
}

impl Pot {
    fn advance(
        &mut self,
        terms: &LedgerTerms,
        months: Option<i64>,
        t: DateTime<Utc>,
        expired: &mut impl FnMut(DateTime<Utc>, Units),
    ) -> Result<(), WalletError> {
        loop {
            let mut next: Option<(DateTime<Utc>, Next)> = None;
            let mut consider = |candidate: (DateTime<Utc>, Next)| {
                if candidate.0 <= t && next.is_none_or(|n| candidate < n) {
                    next = Some(candidate);
                }
            };
            if let Some(lot) = self.pending.first() {
                consider((lot.available_at, Next::Available));
            }
            if let Some(lot) = self.held.first()
                && !lot.never
            {
                consider((lot.expires_at, Next::Expiry));
            }
            if let Some(at) = self.deadline(terms, months, t) {
                consider((at, Next::Sweep));
            }
            let Some((now, what)) = next else {
                return Ok(());
            };
            match what {
                Next::Available => {
                    if let Some(lot) = self.pending.pop() {
                        self.make_available(lot, now)?;
                    }
                }
                Next::Expiry => {
                    if let Some(lot) = self.held.pop() {
                        self.expire(lot.remaining, now, expired)?;
                    }
                }
                Next::Sweep => {
                    self.dormant = true;
                    while let Some(lot) = self.held.pop() {
                        self.expire(lot.remaining, now, expired)?;
                    }
                }
            }
        }
    }

    /// The inactivity expiry of the balance when it is at or before `t`
    /// (the ledger's reckoning, step for step).
    fn deadline(
        &mut self,
        terms: &LedgerTerms,
        months: Option<i64>,
        t: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let (months, clock) = (months?, self.clock?);
        if self.dormant {
            return None;
        }
        if let Some(deadline) = self.deadline {
            return deadline.filter(|d| *d <= t);
        }
        // N local months are at least 28·N days, less a day or two for a
        // change of UTC offset: until then, no need to ask the calendar.
        let soonest = TimeDelta::try_days(months.saturating_mul(28).saturating_sub(2))
            .and_then(|span| clock.checked_add_signed(span));
        match soonest {
            Some(soonest) if soonest > t => return None,
            None => {
                self.deadline = Some(None);
                return None;
            }
            Some(_) => {}
        }
        let deadline = terms
            .policy
            .inactivity_expiry(clock, months, terms.zone)
            .ok();
        self.deadline = Some(deadline);
        deadline.filter(|d| *d <= t)
    }

    fn make_available(&mut self, lot: Pending, now: DateTime<Utc>) -> Result<(), WalletError> {
        self.pending_value -= lot.amount;
        self.available = add(self.available, lot.amount, "available value")?;
        if self.dormant {
            // Value that arrives after an inactivity expiry starts a new
            // period of inactivity.
            self.clock = Some(now);
            self.deadline = None;
            self.dormant = false;
        }
        self.held.push(Held {
            never: lot.expires_at.is_none(),
            expires_at: lot.expires_at.unwrap_or(NEVER),
            lot: lot.lot,
            remaining: lot.amount,
        });
        Ok(())
    }

    fn expire(
        &mut self,
        value: Units,
        now: DateTime<Utc>,
        expired: &mut impl FnMut(DateTime<Utc>, Units),
    ) -> Result<(), WalletError> {
        if value == 0 {
            return Ok(());
        }
        self.available -= value;
        self.expired = add(self.expired, value, "expired value")?;
        expired(now, value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Zone;
    use crate::customer::CustomerId;
    use crate::money::Money;
    use crate::order::OrderId;
    use crate::rules::expiry::{Expiry, ExpiryRounding, LedgerPolicy};
    use crate::wallet::{Entry, Ledger};
    use proptest::prelude::*;

    #[test]
    fn sorted_keeps_the_least_first_whatever_the_order_of_pushes() {
        let mut sorted = Sorted::default();
        for v in [5, 7, 7, 3, 9, 1, 6] {
            sorted.push(v);
        }
        let mut out = Vec::new();
        while let Some(v) = sorted.pop() {
            out.push(v);
        }
        assert_eq!(out, [1, 3, 5, 6, 7, 7, 9]);
    }

    #[test]
    fn units_are_exact_or_refused() {
        // 12.50 is 12.5 × 10^8 units, whatever the decimals written.
        assert_eq!(units(Decimal::new(1250, 2)), Some(1_250_000_000));
        assert_eq!(units(Decimal::new(12_500_000_000, 9)), Some(1_250_000_000));
        // 10^-9 is finer than an entry may be; 10^21 larger than a balance.
        assert_eq!(units(Decimal::new(1, 9)), None);
        assert_eq!(units(Decimal::from(10u128.pow(21))), None);
        assert_eq!(units(Decimal::from(10u128.pow(20))), Some(MAX_UNITS));
        // Back with the decimals asked when exact, with 8 otherwise.
        assert_eq!(decimal(1_250_000_000, 2).unwrap().to_string(), "12.50");
        assert_eq!(decimal(1, 2).unwrap().to_string(), "0.00000001");
        assert_eq!(decimal(-300_000_000, 0).unwrap().to_string(), "-3");
        assert_eq!(decimal(i128::MAX, 2), None);
    }

    /// One step of a history: at `minutes` after the start, earn (points
    /// or cashback) or redeem a share of what is available.
    #[derive(Clone, Debug)]
    enum Step {
        Earn { cashback: bool, value: i64 },
        Redeem { cashback: bool, percent: i64 },
    }

    fn steps() -> impl Strategy<Value = Vec<(i64, Step)>> {
        let step = prop_oneof![
            (any::<bool>(), 1i64..50_000)
                .prop_map(|(cashback, value)| Step::Earn { cashback, value }),
            (any::<bool>(), 1i64..=100)
                .prop_map(|(cashback, percent)| Step::Redeem { cashback, percent }),
        ];
        // Minutes apart: up to about 100 days, sometimes the same instant.
        prop::collection::vec((0i64..150_000, step), 0..40)
    }

    fn policies() -> impl Strategy<Value = LedgerPolicy> {
        let expiry = prop_oneof![
            Just(Expiry::Never),
            (1i64..4).prop_map(Expiry::AfterMonths),
            (0i64..2).prop_map(Expiry::EndOfYear),
            (1i64..3).prop_map(Expiry::AfterInactiveMonths),
        ];
        let rounding = prop_oneof![
            Just(ExpiryRounding::None),
            Just(ExpiryRounding::EndOfDay),
            Just(ExpiryRounding::EndOfMonth),
        ];
        (
            prop_oneof![0i64..20, 30i64..90],
            expiry.clone(),
            expiry,
            rounding,
        )
            .prop_map(|(days, points, cashback, r)| LedgerPolicy {
                return_window_days: days,
                points_expiry: points,
                cashback_expiry: cashback,
                expiry_rounding: r,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The same entries in a ledger give the same available balances
        /// at every step, and the same expiries, instant by instant.
        #[test]
        fn the_running_wallet_is_the_ledger(policy in policies(), steps in steps()) {
            let zone = Zone::parse("America/Sao_Paulo").unwrap();
            let terms = LedgerTerms::new(policy, zone);
            let eur = Currency::EUR;
            let customer = CustomerId::new("C-1").unwrap();
            let start: DateTime<Utc> = "2026-01-20T12:00:00Z".parse().unwrap();
            let mut wallet = RunningWallet::new();
            let mut entries: Vec<Entry> = Vec::new();
            let mut expiries: Vec<(BalanceKind, DateTime<Utc>, Units)> = Vec::new();
            let mut at = start;
            for (i, (gap, step)) in steps.iter().enumerate() {
                at += TimeDelta::minutes(*gap);
                wallet.advance(&terms, at, &mut expiries).unwrap();
                let ledger = Ledger::builder().customer(customer.clone()).currency(eur)
                    .terms(terms).build(entries.clone()).unwrap();
                let balance = ledger.balance_at(at).unwrap();
                let available = balance.available();
                prop_assert_eq!(wallet.available(), [units(available.points).unwrap(),
                    units(available.cashback).unwrap()], "step {}", i);
                let order = OrderId::new(format!("O-{i}")).unwrap();
                match *step {
                    Step::Earn { cashback, value } => {
                        let amount = if cashback {
                            Amount::cashback(Money::new(Decimal::new(value, 2), eur))
                        } else {
                            Amount::points(value)
                        };
                        let (available_at, expires_at) = if cashback {
                            policy.cashback_dates(at, zone).unwrap()
                        } else {
                            policy.points_dates(at, zone).unwrap()
                        };
                        wallet.earn(amount.kind(), units(amount.value()).unwrap(), at,
                            available_at, expires_at, String::new).unwrap();
                        entries.push(Entry::earned(format!("k/{i}"), customer.clone(), order,
                            amount, at, available_at, expires_at).unwrap());
                    }
                    Step::Redeem { cashback, percent } => {
                        let have = if cashback { balance.available().cashback } else { balance.available().points };
                        let value = (have * Decimal::new(percent, 2)).round_dp_with_strategy(
                            if cashback { 2 } else { 0 }, rust_decimal::RoundingStrategy::ToZero);
                        if value.is_zero() {
                            continue;
                        }
                        let amount = if cashback {
                            Amount::cashback(Money::new(value, eur))
                        } else {
                            Amount::points(value)
                        };
                        wallet.redeem(amount.kind(), units(value).unwrap(), at, Some(eur),
                            String::new).unwrap();
                        entries.push(Entry::redeemed(format!("k/{i}"), customer.clone(), order,
                            amount, at).unwrap());
                    }
                }
            }
            // Everything that is left expires as the ledger says it will.
            let end = DateTime::<Utc>::MAX_UTC;
            wallet.advance(&terms, end, &mut expiries).unwrap();
            let ledger = Ledger::builder().customer(customer).currency(eur)
                .terms(terms).build(entries).unwrap();
            let mut by_ledger: Vec<(BalanceKind, DateTime<Utc>, Units)> = Vec::new();
            for entry in ledger.due_expirations(end).unwrap() {
                by_ledger.push((entry.amount().kind(), entry.at(), units(entry.amount().value()).unwrap()));
            }
            let total = |list: &[(BalanceKind, DateTime<Utc>, Units)]| {
                let mut sums: std::collections::BTreeMap<(u8, DateTime<Utc>), Units> = Default::default();
                for (k, t, v) in list {
                    *sums.entry((k.index() as u8, *t)).or_default() += *v;
                }
                sums
            };
            prop_assert_eq!(total(&expiries), total(&by_ledger));
            if policy.points_expiry != Expiry::Never && policy.cashback_expiry != Expiry::Never {
                prop_assert!(!wallet.holds_value(), "value left after every expiry");
            }
        }
    }
}

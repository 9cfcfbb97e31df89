//! Due expirations: the expired entries the host should store.

use chrono::{DateTime, Utc};

use super::WalletError;
use super::entry::Entry;
use super::ledger::{Ledger, Replay};

impl Ledger {
    /// The [expired](super::EntryKind::Expired) entries to store for what
    /// has expired by `at` and no stored entry records yet, in the order
    /// it expired, lot by lot.
    ///
    /// Each is dated at the instant its value expired (not at `at`), and
    /// keyed `<lot key>/expired` (a lot expires once); value given back by
    /// a restoration into a lot that had already expired is keyed
    /// `<lot key>/expired/<restored key>`. Storing them changes no balance
    /// (the ledger counts expired value whether or not it is recorded),
    /// and asking again returns none of them: a host may run this on a
    /// schedule and store what it returns.
    ///
    /// What expires: a lot's remainder at its `expires_at`, and with an
    /// inactivity policy (see [`LedgerTerms`](super::LedgerTerms)) every
    /// available lot when the customer has had no earned or redeemed
    /// entry for the policy's months. Pending value never expires.
    ///
    /// # Errors
    ///
    /// [`WalletError::Overflow`] for sums too large for a decimal.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::customer::CustomerId;
    /// use loyalty::order::OrderId;
    /// use loyalty::wallet::{Amount, Entry, EntryKind, Ledger};
    ///
    /// let earned = Entry::earned(
    ///     "shop/A-1/points", CustomerId::new("C-1")?, OrderId::new("A-1")?, Amount::points(120),
    ///     "2026-11-27T13:00:00Z".parse()?, "2026-12-27T13:00:00Z".parse()?,
    ///     Some("2027-12-27T13:00:00Z".parse()?),
    /// )?;
    /// let ledger = Ledger::from_entries([earned.clone()])?;
    /// let due = ledger.due_expirations("2028-01-15T00:00:00Z".parse()?)?;
    /// assert_eq!(due.len(), 1);
    /// assert_eq!(due[0].key(), "shop/A-1/points/expired");
    /// assert_eq!(due[0].at().to_rfc3339(), "2027-12-27T13:00:00+00:00");
    /// assert!(matches!(due[0].kind(), EntryKind::Expired { lot, .. } if lot == "shop/A-1/points"));
    ///
    /// let stored = Ledger::from_entries([earned, due[0].clone()])?;
    /// assert!(stored.due_expirations("2028-01-15T00:00:00Z".parse()?)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn due_expirations(&self, at: DateTime<Utc>) -> Result<Vec<Entry>, WalletError> {
        let mut replay = Replay::new(self);
        replay.run_until(at)?;
        let Some(customer) = self.customer() else {
            return Ok(Vec::new());
        };
        replay
            .events
            .iter()
            .filter(|event| !event.recorded)
            .map(|event| {
                let lot = self.lot_key(event.lot);
                let key = match event.restoration {
                    None => format!("{lot}/expired"),
                    Some(restored) => format!("{lot}/expired/{}", self.entries()[restored].key()),
                };
                Entry::expired(
                    key,
                    customer.clone(),
                    lot,
                    self.amount(self.lot_pot(event.lot), event.amount),
                    event.at,
                )
            })
            .collect()
    }
}

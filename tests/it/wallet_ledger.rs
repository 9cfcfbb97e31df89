//! The customer's ledger: hand-worked scenarios (pending then available,
//! soonest-expiring consumption, expiry by date, by inactivity and with
//! rounding across daylight-saving changes, reversals and debts,
//! restorations, duplicates and refused entries, JSON forms), then the
//! properties every ledger keeps. Each expected number is worked out in a
//! comment.

use crate::util::accrual::{one_per_euro, shop, try_shop};
use crate::util::common::Basket;
use crate::util::wallet::*;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use loyalty::calendar::Zone;
use loyalty::evaluation::Effect;
use loyalty::money::{Currency, Money};
use loyalty::program::Problem;
use loyalty::rules::expiry::{Expiry, ExpiryRounding, LedgerPolicy};
use loyalty::wallet::{
    Amount, Balance, BalanceKind, Entry, EntryKind, Expiration, Ledger, LedgerTerms, WalletError,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn build(entries: Vec<Entry>) -> Ledger {
    Ledger::from_entries(entries).expect("a valid ledger")
}

fn balance(ledger: &Ledger, at_: &str) -> Balance {
    ledger.balance_at(at(at_)).expect("a balance")
}

fn policy(zone: &str, json: serde_json::Value) -> LedgerTerms {
    let policy: LedgerPolicy = serde_json::from_value(json).expect("a policy");
    LedgerTerms::new(policy, Zone::parse(zone).expect("a zone"))
}

fn expirations(list: &[Expiration]) -> Vec<(String, String, Decimal)> {
    list.iter()
        .map(|e| (e.at.to_rfc3339(), e.last_day.to_string(), e.amount))
        .collect()
}

// ---------------------------------------------------------------------------
// Earn, wait, redeem, expire
// ---------------------------------------------------------------------------

#[test]
fn earned_on_an_order_is_pending_for_30_days_then_available() {
    // 1 point per euro, 30-day window, 12 months: an order of 120.00 at
    // 2026-11-27T13:00Z earns 120 points available 2026-12-27T13:00Z and
    // expiring 2027-12-27T13:00Z.
    let program = shop(json!({
        "earning": [one_per_euro()],
        "ledger": {"return_window_days": 30, "points_expiry": {"after_months": 12}}
    }));
    let evaluation = program
        .evaluate(
            &Basket::eur()
                .line("TEA", 1, "120.00")
                .at("2026-11-27T13:00:00Z")
                .build(),
        )
        .expect("evaluates");
    let entries = Entry::from_evaluation(&evaluation).expect("entries");
    assert_eq!(entries.len(), 1);
    let EntryKind::Earned {
        order,
        amount,
        lines,
        available_at,
        expires_at,
        ..
    } = entries[0].kind()
    else {
        panic!("an earned entry: {:?}", entries[0]);
    };
    assert_eq!(entries[0].key(), "shop/A-1/points");
    assert_eq!(order.as_str(), "A-1");
    assert_eq!(*amount, pts("120"));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].amount, d("120"));
    assert_eq!(*available_at, at("2026-12-27T13:00:00Z"));
    assert_eq!(*expires_at, Some(at("2027-12-27T13:00:00Z")));

    let ledger = Ledger::builder()
        .terms(&program)
        .build(entries)
        .expect("a ledger");
    // A second before: all pending.
    let b = balance(&ledger, "2026-12-27T12:59:59Z");
    assert_eq!((b.points.available, b.points.pending), (d("0"), d("120")));
    assert_eq!(b.points.earned, d("120"));
    // At availability: all available.
    let b = balance(&ledger, "2026-12-27T13:00:00Z");
    assert_eq!((b.points.available, b.points.pending), (d("120"), d("0")));
    assert_eq!(
        b.to_string(),
        "120 points available; 120 points expire on 2027-12-27"
    );
}

#[test]
fn a_redemption_takes_the_soonest_expiring_lot_first() {
    // L1: 100 points from 1 November, never expire. L2: 120 points from
    // 27 November, available 27 December, expire 2027-12-27T13:00Z.
    // Redeeming 50 on 10 January takes them from L2 (it expires first),
    // though L1 is older: L1 100, L2 70.
    let entries = vec![
        earned(
            "L1",
            pts("100"),
            "2026-11-01T10:00:00Z",
            "2026-12-01T10:00:00Z",
            None,
        ),
        earned(
            "L2",
            pts("120"),
            "2026-11-27T13:00:00Z",
            "2026-12-27T13:00:00Z",
            Some("2027-12-27T13:00:00Z"),
        ),
        redeemed("R1", pts("50"), "2027-01-10T09:00:00Z"),
    ];
    let ledger = build(entries);
    // 2026-12-10: L1 available, L2 pending.
    let b = balance(&ledger, "2026-12-10T00:00:00Z");
    assert_eq!((b.points.available, b.points.pending), (d("100"), d("120")));
    // After the redemption: 220 − 50 = 170, of which 70 expire with L2.
    let b = balance(&ledger, "2027-02-01T00:00:00Z");
    assert_eq!(b.points.available, d("170"));
    assert_eq!(b.points.redeemed, d("50"));
    assert_eq!(
        expirations(&b.points.next_expirations),
        [(
            "2027-12-27T13:00:00+00:00".to_owned(),
            "2027-12-27".to_owned(),
            d("70")
        )]
    );
    assert_eq!(
        b.to_string(),
        "170 points available; 70 points expire on 2027-12-27"
    );
    // At L2's expiry its 70 are gone; L1's 100 remain.
    let b = balance(&ledger, "2027-12-27T13:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("100"), d("70")));
    assert!(conserves(&b.points));
    // A second before, still there.
    let b = balance(&ledger, "2027-12-27T12:59:59Z");
    assert_eq!(b.points.available, d("170"));
}

#[test]
fn lots_that_expire_together_are_taken_oldest_first() {
    // L1 (older) and L2 both expire at the end of 2027: a redemption of 30
    // takes L1's 20, then 10 of L2's 20.
    let end = Some("2028-01-01T00:00:00Z");
    let ledger = build(vec![
        earned(
            "L2",
            pts("20"),
            "2026-02-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            end,
        ),
        earned(
            "L1",
            pts("20"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            end,
        ),
        redeemed("R1", pts("30"), "2026-03-01T00:00:00Z"),
        // The reversal of L1 finds nothing left in it: its 5 come from L2.
        reversed("V1", "L1", pts("5"), "2026-04-01T00:00:00Z"),
    ]);
    let b = balance(&ledger, "2026-05-01T00:00:00Z");
    // 40 − 30 − 5 = 5, all in L2.
    assert_eq!(b.points.available, d("5"));
    assert_eq!(b.points.reversed, d("5"));
    let due = ledger
        .due_expirations(at("2028-01-01T00:00:00Z"))
        .expect("due");
    assert_eq!(due.len(), 1);
    assert!(
        matches!(due[0].kind(), EntryKind::Expired { lot, amount, .. } if lot == "L2" && *amount == pts("5"))
    );
}

#[test]
fn end_of_year_expiry_in_sao_paulo() {
    // 7-day window, end of the year it becomes available: earned
    // 2026-11-27T13:00Z, available 2026-12-04T13:00Z, expires at local
    // midnight of 1 January 2027 = 03:00Z (UTC−3).
    let program = shop(json!({
        "time_zone": "America/Sao_Paulo",
        "earning": [one_per_euro()],
        "ledger": {"return_window_days": 7, "points_expiry": {"end_of_year": 0}}
    }));
    let evaluation = program
        .evaluate(
            &Basket::eur()
                .line("TEA", 1, "120.00")
                .at("2026-11-27T13:00:00Z")
                .build(),
        )
        .expect("evaluates");
    let ledger = Ledger::builder()
        .terms(&program)
        .build(Entry::from_evaluation(&evaluation).expect("entries"))
        .expect("a ledger");
    // 31 December, 23:59:59 local.
    let b = balance(&ledger, "2027-01-01T02:59:59Z");
    assert_eq!(b.points.available, d("120"));
    assert_eq!(
        b.to_string(),
        "120 points available; 120 points expire on 2026-12-31"
    );
    let b = balance(&ledger, "2027-01-01T03:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("0"), d("120")));
    assert!(b.points.next_expirations.is_empty());
    // The expired entry to store, at the expiry instant itself.
    let due = ledger
        .due_expirations(at("2027-01-15T00:00:00Z"))
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].key(), "shop/A-1/points/expired");
    assert_eq!(due[0].at(), at("2027-01-01T03:00:00Z"));
    assert_eq!(due[0].amount(), pts("120"));
    // Nothing is due before it.
    assert!(
        ledger
            .due_expirations(at("2027-01-01T02:59:59Z"))
            .expect("due")
            .is_empty()
    );
    // Stored, it changes no balance and is no longer due.
    let mut stored = ledger.entries().to_vec();
    stored.extend(due);
    let again = Ledger::builder()
        .terms(&program)
        .build(stored)
        .expect("a ledger");
    assert_eq!(
        balance(&again, "2027-02-01T00:00:00Z"),
        balance(&ledger, "2027-02-01T00:00:00Z")
    );
    assert!(
        again
            .due_expirations(at("2027-02-01T00:00:00Z"))
            .expect("due")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------
// Inactivity
// ---------------------------------------------------------------------------

fn inactivity_entries() -> Vec<Entry> {
    vec![
        earned(
            "L1",
            pts("100"),
            "2026-01-15T10:00:00Z",
            "2026-01-15T10:00:00Z",
            None,
        ),
        earned(
            "L2",
            pts("50"),
            "2026-03-10T10:00:00Z",
            "2026-03-10T10:00:00Z",
            None,
        ),
        redeemed("R1", pts("30"), "2026-06-01T10:00:00Z"),
    ]
}

#[test]
fn inactivity_expires_everything_12_months_after_the_last_order() {
    // The last earning or redeeming entry is R1 on 2026-06-01T10:00Z: 12
    // months later, 2027-06-01T10:00Z, the 150 − 30 = 120 points expire.
    let terms = policy(
        "UTC",
        json!({"points_expiry": {"after_inactive_months": 12}}),
    );
    let ledger = with_terms(terms)
        .build(inactivity_entries())
        .expect("a ledger");
    let b = balance(&ledger, "2027-06-01T09:59:59Z");
    assert_eq!(b.points.available, d("120"));
    assert_eq!(
        expirations(&b.points.next_expirations),
        [(
            "2027-06-01T10:00:00+00:00".to_owned(),
            "2027-06-01".to_owned(),
            d("120")
        )]
    );
    let b = balance(&ledger, "2027-06-01T10:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("0"), d("120")));
    assert!(conserves(&b.points));
    // Due: one entry per lot, soonest-expiring order (L1 older first):
    // L1 100 − 30 = 70, L2 50.
    let due = ledger
        .due_expirations(at("2027-07-01T00:00:00Z"))
        .expect("due");
    let due: Vec<(&str, Amount, DateTime<Utc>)> =
        due.iter().map(|e| (e.key(), e.amount(), e.at())).collect();
    assert_eq!(
        due,
        [
            ("L1/expired", pts("70"), at("2027-06-01T10:00:00Z")),
            ("L2/expired", pts("50"), at("2027-06-01T10:00:00Z")),
        ]
    );
    // Without the policy, the same entries never expire.
    let plain = build(inactivity_entries());
    assert_eq!(
        balance(&plain, "2030-01-01T00:00:00Z").points.available,
        d("120")
    );
}

#[test]
fn an_order_before_the_deadline_restarts_the_inactivity() {
    // One more earning on 2027-05-31T10:00Z moves the expiry to
    // 2028-05-31T10:00Z; the pending 10 of it are untouched until
    // available, then expire with the rest.
    let terms = policy(
        "UTC",
        json!({"return_window_days": 7, "points_expiry": {"after_inactive_months": 12}}),
    );
    let mut entries = inactivity_entries();
    entries.push(earned(
        "L3",
        pts("10"),
        "2027-05-31T10:00:00Z",
        "2027-06-07T10:00:00Z",
        None,
    ));
    let ledger = with_terms(terms).build(entries).expect("a ledger");
    let b = balance(&ledger, "2027-06-02T00:00:00Z");
    assert_eq!((b.points.available, b.points.pending), (d("120"), d("10")));
    assert_eq!(
        expirations(&b.points.next_expirations),
        [(
            "2028-05-31T10:00:00+00:00".to_owned(),
            "2028-05-31".to_owned(),
            d("130")
        )]
    );
    let b = balance(&ledger, "2028-05-31T10:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("0"), d("130")));
}

#[test]
fn inactivity_never_touches_pending_value_and_later_value_starts_afresh() {
    // 1 month of inactivity, a 60-day window: 10 points earned on 1
    // January are pending on 1 February, when the inactivity expiry passes
    // with nothing available. They become available on 2 March, which
    // starts a new month: they expire on 2 April.
    let terms = policy(
        "UTC",
        json!({"return_window_days": 60, "points_expiry": {"after_inactive_months": 1}}),
    );
    let ledger = with_terms(terms)
        .build(vec![earned(
            "L1",
            pts("10"),
            "2026-01-01T00:00:00Z",
            "2026-03-02T00:00:00Z",
            None,
        )])
        .expect("a ledger");
    let b = balance(&ledger, "2026-02-15T00:00:00Z");
    assert_eq!((b.points.pending, b.points.expired), (d("10"), d("0")));
    let b = balance(&ledger, "2026-03-02T00:00:00Z");
    assert_eq!(b.points.available, d("10"));
    assert_eq!(b.points.next_expirations[0].at, at("2026-04-02T00:00:00Z"));
    let b = balance(&ledger, "2026-04-02T00:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("0"), d("10")));
}

#[test]
fn inactivity_rounded_to_the_end_of_the_local_day() {
    // Last order 2026-06-01T10:00Z; 12 months later is 2027-06-01 07:00
    // in São Paulo, rounded to the end of that local day: local midnight
    // of 2 June = 2027-06-02T03:00Z.
    let terms = policy(
        "America/Sao_Paulo",
        json!({"points_expiry": {"after_inactive_months": 12}, "expiry_rounding": "end_of_day"}),
    );
    let ledger = with_terms(terms)
        .build(inactivity_entries())
        .expect("a ledger");
    let b = balance(&ledger, "2027-06-02T02:59:59Z");
    assert_eq!(b.points.available, d("120"));
    assert_eq!(
        expirations(&b.points.next_expirations),
        [(
            "2027-06-02T03:00:00+00:00".to_owned(),
            "2027-06-01".to_owned(),
            d("120")
        )]
    );
    assert_eq!(
        balance(&ledger, "2027-06-02T03:00:00Z").points.available,
        d("0")
    );
}

// ---------------------------------------------------------------------------
// Rounding across daylight-saving changes
// ---------------------------------------------------------------------------

fn lisbon_month_end() -> LedgerPolicy {
    serde_json::from_value(json!({
        "points_expiry": {"after_months": 1},
        "expiry_rounding": "end_of_month"
    }))
    .expect("a policy")
}

#[test]
fn end_of_month_rounding_across_the_autumn_change() {
    // Lisbon leaves summer time (+01:00) on 25 October 2026. Earned and
    // available 2026-09-10T12:00Z (13:00 local), one month later is
    // 2026-10-10 13:00 local, rounded to the end of October: local
    // midnight of 1 November in winter time (+00:00) = 2026-11-01T00:00Z,
    // not 2026-10-31T23:00Z as October's offset would give.
    let zone = Zone::parse("Europe/Lisbon").expect("a zone");
    let policy = lisbon_month_end();
    let (available, expires) = policy
        .points_dates(at("2026-09-10T12:00:00Z"), zone)
        .expect("dates");
    assert_eq!(available, at("2026-09-10T12:00:00Z"));
    assert_eq!(expires, Some(at("2026-11-01T00:00:00Z")));
    let ledger = with_terms(LedgerTerms::new(policy, zone))
        .build(vec![earned(
            "L1",
            pts("40"),
            "2026-09-10T12:00:00Z",
            "2026-09-10T12:00:00Z",
            Some("2026-11-01T00:00:00Z"),
        )])
        .expect("a ledger");
    // 31 October 23:30 local: still there, expiring "on 2026-10-31".
    let b = balance(&ledger, "2026-10-31T23:30:00Z");
    assert_eq!(b.points.available, d("40"));
    assert_eq!(
        b.points.next_expirations[0].last_day,
        NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date")
    );
    assert_eq!(
        balance(&ledger, "2026-11-01T00:00:00Z").points.expired,
        d("40")
    );
}

#[test]
fn end_of_month_rounding_across_the_spring_change() {
    // Lisbon enters summer time on 29 March 2026. Available 2026-02-10
    // 12:00 local (+00:00), one month later 2026-03-10 12:00, rounded to
    // the end of March: local midnight of 1 April in summer time (+01:00)
    // = 2026-03-31T23:00Z.
    let zone = Zone::parse("Europe/Lisbon").expect("a zone");
    let (_, expires) = lisbon_month_end()
        .points_dates(at("2026-02-10T12:00:00Z"), zone)
        .expect("dates");
    assert_eq!(expires, Some(at("2026-03-31T23:00:00Z")));
}

#[test]
fn end_of_day_rounding_when_the_day_starts_in_a_gap() {
    // São Paulo's clocks jumped from 00:00 to 01:00 on 4 November 2018.
    // Available 2018-10-03 12:00 local, one month later 2018-11-03 12:00
    // (UTC−3), rounded to the end of that day: 4 November has no midnight,
    // so it starts at 01:00 UTC−2 = 2018-11-04T03:00Z.
    let zone = Zone::parse("America/Sao_Paulo").expect("a zone");
    let policy: LedgerPolicy = serde_json::from_value(json!({
        "points_expiry": {"after_months": 1},
        "cashback_expiry": {"after_months": 1},
        "expiry_rounding": "end_of_day"
    }))
    .expect("a policy");
    let (_, expires) = policy
        .cashback_dates(at("2018-10-03T15:00:00Z"), zone)
        .expect("dates");
    assert_eq!(expires, Some(at("2018-11-04T03:00:00Z")));
    // An expiry already at a local midnight stays: rounding is idempotent.
    let rounded = ExpiryRounding::EndOfDay
        .round(at("2018-11-04T03:00:00Z"), zone)
        .expect("rounds");
    assert_eq!(rounded, at("2018-11-04T03:00:00Z"));
    let rounded = ExpiryRounding::EndOfMonth
        .round(at("2027-01-01T03:00:00Z"), zone)
        .expect("rounds");
    assert_eq!(rounded, at("2027-01-01T03:00:00Z"));
}

// ---------------------------------------------------------------------------
// Reversals, debts, adjustments, restorations
// ---------------------------------------------------------------------------

#[test]
fn a_reversal_takes_its_own_lot_then_others_then_leaves_a_debt() {
    // L1 (A) 100 points never expiring, L2 (B) 50 expiring first.
    // R1 90: L2 50 → 0, L1 100 → 60.
    // V1 reverses B's 50: L2 has nothing, so L1 60 → 10.
    // V2 reverses A's 100: L1's 10, then nothing: a debt of 90.
    // L3 30 earned on 1 May, pending to 8 May, then pays 30 of the debt.
    let entries = vec![
        earned(
            "A",
            pts("100"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        earned(
            "B",
            pts("50"),
            "2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z",
            Some("2027-01-02T00:00:00Z"),
        ),
        redeemed("R1", pts("90"), "2026-02-01T00:00:00Z"),
        reversed("V1", "B", pts("50"), "2026-03-01T00:00:00Z"),
        reversed("V2", "A", pts("100"), "2026-04-01T00:00:00Z"),
        earned(
            "C",
            pts("30"),
            "2026-05-01T00:00:00Z",
            "2026-05-08T00:00:00Z",
            None,
        ),
    ];
    let ledger = build(entries);
    let b = balance(&ledger, "2026-03-15T00:00:00Z");
    assert_eq!(b.points.available, d("10"));
    let b = balance(&ledger, "2026-05-02T00:00:00Z");
    assert_eq!((b.points.available, b.points.pending), (d("-90"), d("30")));
    assert_eq!(b.to_string(), "90 points owed, 30 pending");
    assert!(conserves(&b.points));
    let b = balance(&ledger, "2026-05-08T00:00:00Z");
    // −90 + 30 = −60; 150 reversed, 90 redeemed: −60 + 90 + 150 = 180 earned.
    assert_eq!(b.points.available, d("-60"));
    assert_eq!(b.points.reversed, d("150"));
    assert!(conserves(&b.points));
    // A debt does not expire: nothing is due.
    assert!(
        ledger
            .due_expirations(at("2030-01-01T00:00:00Z"))
            .expect("due")
            .is_empty()
    );
}

#[test]
fn a_reversal_of_a_pending_lot_takes_it_from_pending() {
    let ledger = build(vec![
        earned(
            "A",
            pts("40"),
            "2026-01-01T00:00:00Z",
            "2026-01-31T00:00:00Z",
            None,
        ),
        reversed("V1", "A", pts("15"), "2026-01-10T00:00:00Z"),
    ]);
    let b = balance(&ledger, "2026-01-10T00:00:00Z");
    assert_eq!((b.points.available, b.points.pending), (d("0"), d("25")));
    assert_eq!(
        balance(&ledger, "2026-02-01T00:00:00Z").points.available,
        d("25")
    );
}

#[test]
fn a_debit_beyond_the_balance_is_a_debt_a_credit_pays_it() {
    // 20 available, a debit of 50: 20 taken, a debt of 30; a credit of
    // 45 pays the 30, leaving 15.
    let ledger = build(vec![
        earned(
            "A",
            pts("20"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        adjusted("D1", pts("-50"), "2026-01-05T00:00:00Z"),
        adjusted("C1", pts("45"), "2026-01-06T00:00:00Z"),
    ]);
    let b = balance(&ledger, "2026-01-05T12:00:00Z");
    assert_eq!(
        (b.points.available, b.points.adjusted),
        (d("-30"), d("-50"))
    );
    let b = balance(&ledger, "2026-01-07T00:00:00Z");
    assert_eq!((b.points.available, b.points.adjusted), (d("15"), d("-5")));
    assert!(conserves(&b.points));
}

#[test]
fn a_full_return_of_a_paid_order_restores_every_balance() {
    // L1 100 expiring 2026-06-01, L2 100 never. R1 150 takes L1's 100 then
    // 50 of L2. S1 gives 30 back (to L2, the last taken), S2 the other 120.
    let before = vec![
        earned(
            "L1",
            pts("100"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            Some("2026-06-01T00:00:00Z"),
        ),
        earned(
            "L2",
            pts("100"),
            "2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z",
            None,
        ),
    ];
    let mut entries = before.clone();
    entries.push(redeemed("R1", pts("150"), "2026-02-01T00:00:00Z"));
    entries.push(restored("S1", "R1", pts("30"), "2026-02-05T00:00:00Z"));
    let partial = build(entries.clone());
    let b = balance(&partial, "2026-02-06T00:00:00Z");
    // 50 + 30 = 80 in L2, L1 empty: nothing expires on 1 June.
    assert_eq!((b.points.available, b.points.redeemed), (d("80"), d("120")));
    assert!(b.points.next_expirations.is_empty());
    entries.push(restored("S2", "R1", pts("120"), "2026-02-06T00:00:00Z"));
    let full = build(entries);
    let after = balance(&full, "2026-02-10T00:00:00Z");
    let untouched = balance(&build(before), "2026-02-10T00:00:00Z");
    assert_eq!(after.points.available, untouched.points.available);
    assert_eq!(after.points.redeemed, d("0"));
    assert_eq!(after.points.restored, d("150"));
    assert_eq!(
        after.points.next_expirations,
        untouched.points.next_expirations
    );
    // Restoring more than was redeemed is refused.
    let mut over = full.entries().to_vec();
    over.push(restored("S3", "R1", pts("1"), "2026-02-07T00:00:00Z"));
    assert!(matches!(
        Ledger::from_entries(over),
        Err(WalletError::OverRestored { .. })
    ));
}

#[test]
fn value_restored_into_an_expired_lot_expires_at_once() {
    // R1 takes L1's 100 (expiring 1 June) and 50 of L2. Given back on 1
    // July: 50 return to L2; L1's 100 expire at once, due as an entry of
    // their own.
    let entries = vec![
        earned(
            "L1",
            pts("100"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            Some("2026-06-01T00:00:00Z"),
        ),
        earned(
            "L2",
            pts("100"),
            "2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z",
            None,
        ),
        redeemed("R1", pts("150"), "2026-02-01T00:00:00Z"),
        restored("S1", "R1", pts("150"), "2026-07-01T00:00:00Z"),
    ];
    let ledger = build(entries);
    let b = balance(&ledger, "2026-07-02T00:00:00Z");
    assert_eq!(
        (b.points.available, b.points.expired, b.points.redeemed),
        (d("100"), d("100"), d("0"))
    );
    assert!(conserves(&b.points));
    let due = ledger
        .due_expirations(at("2026-08-01T00:00:00Z"))
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].key(), "L1/expired/S1");
    assert_eq!(due[0].at(), at("2026-07-01T00:00:00Z"));
    let mut stored = ledger.entries().to_vec();
    stored.extend(due);
    let again = Ledger::from_entries(stored).expect("a ledger");
    assert_eq!(
        balance(&again, "2026-08-01T00:00:00Z"),
        balance(&ledger, "2026-08-01T00:00:00Z")
    );
    assert!(
        again
            .due_expirations(at("2026-08-01T00:00:00Z"))
            .expect("due")
            .is_empty()
    );
}

#[test]
fn expired_entries_record_what_the_ledger_computes() {
    let lot = earned(
        "L1",
        pts("100"),
        "2026-01-01T00:00:00Z",
        "2026-01-10T00:00:00Z",
        Some("2026-06-01T00:00:00Z"),
    );
    // A stored expiry that disagrees (90 of the 100) is refused.
    let wrong = Ledger::from_entries(vec![
        lot.clone(),
        expired("L1/expired", "L1", pts("90"), "2026-06-01T00:00:00Z"),
    ]);
    assert!(
        matches!(&wrong, Err(WalletError::ExpiredMismatch { recorded, computed, .. })
            if *recorded == pts("90") && *computed == pts("100")),
        "{wrong:?}"
    );
    // Expiring pending value is refused.
    let pending = Ledger::from_entries(vec![
        lot.clone(),
        expired("X1", "L1", pts("10"), "2026-01-05T00:00:00Z"),
    ]);
    assert!(matches!(pending, Err(WalletError::ExpiresPending { .. })));
    // By hand: 30 of the lot on 1 March; the other 70 at its expiry.
    let by_hand = build(vec![
        lot.clone(),
        expired("X1", "L1", pts("30"), "2026-03-01T00:00:00Z"),
    ]);
    let b = balance(&by_hand, "2026-03-02T00:00:00Z");
    assert_eq!((b.points.available, b.points.expired), (d("70"), d("30")));
    let due = by_hand
        .due_expirations(at("2026-07-01T00:00:00Z"))
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].amount(), pts("70"));
    // More than remains is refused.
    let over = Ledger::from_entries(vec![
        lot,
        expired("X1", "L1", pts("130"), "2026-03-01T00:00:00Z"),
    ]);
    assert!(matches!(over, Err(WalletError::OverExpired { .. })));
}

#[test]
fn points_and_cashback_are_separate_balances() {
    let ledger = build(vec![
        earned(
            "P",
            pts("100"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        earned(
            "C",
            eur("12.50"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            Some("2026-12-31T00:00:00Z"),
        ),
        redeemed("R", eur("2.50"), "2026-02-01T00:00:00Z"),
    ]);
    assert_eq!(ledger.currency(), Some(Currency::EUR));
    let b = balance(&ledger, "2026-03-01T00:00:00Z");
    assert_eq!(b.points.available, d("100"));
    assert_eq!(b.cashback.available, d("10.00"));
    assert_eq!(
        b.to_string(),
        "100 points available; 10.00 EUR cashback available; 10.00 EUR cashback expires on 2026-12-30"
    );
    // Points cannot pay for a cashback redemption.
    let overdrawn = Ledger::from_entries(vec![
        earned(
            "P",
            pts("100"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        redeemed("R", eur("1.00"), "2026-02-01T00:00:00Z"),
    ]);
    assert!(matches!(overdrawn, Err(WalletError::Overdrawn { .. })));
}

// ---------------------------------------------------------------------------
// Duplicates and refused entries
// ---------------------------------------------------------------------------

#[test]
fn an_identical_duplicate_is_ignored_and_reported() {
    let lot = earned(
        "L1",
        pts("120"),
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        None,
    );
    let spend = redeemed("R1", pts("20"), "2026-01-02T00:00:00Z");
    let once = build(vec![lot.clone(), spend.clone()]);
    let twice = build(vec![spend.clone(), lot.clone(), lot.clone(), spend]);
    assert_eq!(twice.duplicates(), ["L1", "R1"]);
    assert!(once.duplicates().is_empty());
    assert_eq!(twice.entries(), once.entries());
    assert_eq!(
        balance(&twice, "2026-02-01T00:00:00Z"),
        balance(&once, "2026-02-01T00:00:00Z")
    );
}

#[test]
fn a_duplicate_key_with_other_content_is_refused() {
    let result = Ledger::from_entries(vec![
        earned(
            "L1",
            pts("120"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        earned(
            "L1",
            pts("121"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
    ]);
    let Err(error) = result else {
        panic!("refused: {result:?}");
    };
    assert_eq!(
        error,
        WalletError::DuplicateKey {
            key: "L1".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        "two different entries have key \"L1\": a key names one fact, so give the second its own key (an identical copy is ignored)"
    );
}

#[test]
fn cashback_in_another_currency_is_refused() {
    let brl = Amount::Cashback(Money::parse("5.00", Currency::BRL).expect("money"));
    let result = Ledger::from_entries(vec![
        earned(
            "C1",
            eur("5.00"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        earned(
            "C2",
            brl,
            "2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z",
            None,
        ),
    ]);
    assert!(
        matches!(&result, Err(WalletError::OtherCurrency { key, currency, expected })
            if key == "C2" && *currency == Currency::BRL && *expected == Currency::EUR),
        "{result:?}"
    );
    // The builder's currency is the one that counts.
    let result = Ledger::builder().currency(Currency::BRL).build(vec![earned(
        "C1",
        eur("5.00"),
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        None,
    )]);
    assert!(matches!(result, Err(WalletError::OtherCurrency { .. })));
    // And the message says what to do.
    let message = result.expect_err("refused").to_string();
    assert!(
        message.contains("keep one cashback currency per ledger"),
        "{message}"
    );
}

#[test]
fn an_entry_of_another_customer_is_refused() {
    let other = Entry::earned(
        "L2",
        loyalty::customer::CustomerId::new("C-2").expect("an id"),
        order("L2"),
        pts("5"),
        at("2026-01-02T00:00:00Z"),
        at("2026-01-02T00:00:00Z"),
        None,
    )
    .expect("valid on its own");
    let result = Ledger::from_entries(vec![
        other,
        earned(
            "L1",
            pts("5"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
    ]);
    let Err(WalletError::OtherCustomer {
        key,
        customer,
        expected,
    }) = result
    else {
        panic!("refused: {result:?}");
    };
    assert_eq!(
        (key.as_str(), customer.as_str(), expected.as_str()),
        ("L2", "C-2", "C-1")
    );
}

#[test]
fn negative_points_are_refused_naming_the_field() {
    let result = Entry::earned(
        "L1",
        customer(),
        order("A-1"),
        pts("-5"),
        at("2026-01-01T00:00:00Z"),
        at("2026-01-01T00:00:00Z"),
        None,
    );
    let error = result.expect_err("refused");
    assert!(matches!(
        error,
        WalletError::NotPositive {
            field: "points",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "entry \"L1\": points -5 must be above zero: give the amount earned"
    );
    // Zero too, and in JSON.
    let json = json!({"entry": "reversed", "key": "V1", "customer": "C-1", "lot": "L1",
                      "at": "2026-01-01T00:00:00Z", "cashback": "0.00 EUR"});
    let error = serde_json::from_value::<Entry>(json).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("cashback 0.00 must be above zero"),
        "{error}"
    );
    // Cashback with more decimals than its currency.
    let error = Entry::redeemed(
        "R1",
        customer(),
        order("A-1"),
        eur("1.005"),
        at("2026-01-01T00:00:00Z"),
    )
    .expect_err("refused");
    assert!(matches!(error, WalletError::Money { .. }), "{error}");
}

#[test]
fn an_expiry_at_or_before_availability_is_refused() {
    let entry = |available: &str, expires: &str| {
        Entry::earned(
            "L1",
            customer(),
            order("A-1"),
            pts("5"),
            at("2026-01-01T00:00:00Z"),
            at(available),
            Some(at(expires)),
        )
    };
    let error = entry("2026-01-31T00:00:00Z", "2026-01-31T00:00:00Z").expect_err("refused");
    assert!(matches!(error, WalletError::ExpiryNotAfterAvailable { .. }));
    assert_eq!(
        error.to_string(),
        "entry \"L1\": expires_at 2026-01-31 00:00:00 UTC is not after available_at 2026-01-31 00:00:00 UTC: give a later expiry, or none"
    );
    assert!(entry("2026-01-31T00:00:00Z", "2026-01-15T00:00:00Z").is_err());
    // Available before it was earned.
    let error = entry("2025-12-31T00:00:00Z", "2026-06-01T00:00:00Z").expect_err("refused");
    assert!(
        matches!(error, WalletError::AvailableBeforeEarned { .. }),
        "{error}"
    );
    // A credit's expiry must be after its instant; a debit has none.
    let credit = adjusted("C1", pts("5"), "2026-01-01T00:00:00Z");
    assert!(
        credit
            .clone()
            .with_expiry(at("2026-01-01T00:00:00Z"))
            .is_err()
    );
    assert!(credit.with_expiry(at("2026-02-01T00:00:00Z")).is_ok());
    let debit = adjusted("D1", pts("-5"), "2026-01-01T00:00:00Z");
    assert!(matches!(
        debit.with_expiry(at("2026-02-01T00:00:00Z")),
        Err(WalletError::NotAllowed {
            field: "expires_at",
            ..
        })
    ));
}

#[test]
fn entries_must_name_what_comes_before_them() {
    let lot = earned(
        "L1",
        pts("10"),
        "2026-01-02T00:00:00Z",
        "2026-01-02T00:00:00Z",
        None,
    );
    // A reversal before its lot.
    let early = Ledger::from_entries(vec![
        lot.clone(),
        reversed("V1", "L1", pts("1"), "2026-01-01T00:00:00Z"),
    ]);
    assert!(matches!(early, Err(WalletError::UnknownLot { .. })));
    // A lot that does not exist, and a redemption named as a lot.
    let missing = Ledger::from_entries(vec![
        lot.clone(),
        expired("X", "L9", pts("1"), "2026-02-01T00:00:00Z"),
    ]);
    assert!(matches!(missing, Err(WalletError::UnknownLot { .. })));
    let spend = redeemed("R1", pts("5"), "2026-01-03T00:00:00Z");
    let not_a_lot = Ledger::from_entries(vec![
        lot.clone(),
        spend.clone(),
        reversed("V1", "R1", pts("1"), "2026-01-04T00:00:00Z"),
    ]);
    assert!(matches!(not_a_lot, Err(WalletError::UnknownLot { .. })));
    // A restoration of an unknown redemption, or in the other balance.
    let unknown = Ledger::from_entries(vec![
        lot.clone(),
        restored("S1", "R9", pts("1"), "2026-01-04T00:00:00Z"),
    ]);
    assert!(matches!(
        unknown,
        Err(WalletError::UnknownRedemption { .. })
    ));
    let kind = Ledger::from_entries(vec![
        lot.clone(),
        spend,
        restored("S1", "R1", eur("1.00"), "2026-01-04T00:00:00Z"),
    ]);
    assert!(matches!(
        kind,
        Err(WalletError::KindMismatch {
            expected: BalanceKind::Points,
            found: BalanceKind::Cashback,
            ..
        })
    ));
    // Cashback reversal of a points lot.
    let kind = Ledger::from_entries(vec![
        lot,
        reversed("V1", "L1", eur("1.00"), "2026-01-04T00:00:00Z"),
    ]);
    assert!(matches!(kind, Err(WalletError::KindMismatch { .. })));
}

#[test]
fn a_redemption_beyond_the_available_balance_is_refused_with_the_figures() {
    // 100 earned, 60 of them pending at the redemption.
    let result = Ledger::from_entries(vec![
        earned(
            "L1",
            pts("40"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
        earned(
            "L2",
            pts("60"),
            "2026-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            None,
        ),
        redeemed("R1", pts("50"), "2026-01-15T00:00:00Z"),
    ]);
    let Err(error) = result else {
        panic!("refused: {result:?}");
    };
    assert_eq!(
        error,
        WalletError::Overdrawn {
            key: "R1".to_owned(),
            at: at("2026-01-15T00:00:00Z"),
            asked: pts("50"),
            available: pts("40"),
        }
    );
    assert_eq!(
        error.to_string(),
        "entry \"R1\" redeems 50 points at 2026-01-15 00:00:00 UTC, more than the 40 points available then: store a redemption no larger than the balance the checkout saw"
    );
    // Converted into the crate's umbrella error.
    let umbrella: loyalty::Error = error.into();
    assert!(matches!(umbrella, loyalty::Error::Wallet(_)));
}

#[test]
fn same_instant_entries_credit_before_they_debit() {
    // Earned and redeemed at one instant, available at once: the earning
    // comes first, whatever the keys.
    let ledger = build(vec![
        redeemed("A-redeem", pts("10"), "2026-01-01T00:00:00Z"),
        earned(
            "Z-lot",
            pts("10"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
    ]);
    let kinds: Vec<&str> = ledger.entries().iter().map(|e| e.kind().name()).collect();
    assert_eq!(kinds, ["earned", "redeemed"]);
    assert_eq!(
        balance(&ledger, "2026-01-01T00:00:00Z").points.available,
        d("0")
    );
}

#[test]
fn an_invalid_policy_is_refused() {
    let policy = LedgerPolicy {
        points_expiry: Expiry::AfterInactiveMonths(0),
        ..LedgerPolicy::default()
    };
    let result = Ledger::builder().terms(policy).build(Vec::new());
    assert!(matches!(result, Err(WalletError::Policy(_))), "{result:?}");
}

// ---------------------------------------------------------------------------
// Program data
// ---------------------------------------------------------------------------

#[test]
fn the_new_policy_fields_are_validated_by_the_program() {
    let error = try_shop(json!({"ledger": {"points_expiry": {"after_inactive_months": 0}}}))
        .expect_err("refused");
    assert_eq!(error.path(), "ledger.points_expiry");
    assert_eq!(error.problem(), &Problem::InactivityTooShort { months: 0 });
    let error = try_shop(json!({"ledger": {"cashback_expiry": {"after_inactive_months": 1201}}}))
        .expect_err("refused");
    assert_eq!(error.path(), "ledger.cashback_expiry");
    assert!(matches!(
        error.problem(),
        Problem::ExpiryTooFar { max: 1200, .. }
    ));
    let error = serde_json::from_value::<LedgerPolicy>(json!({"expiry_rounding": "end_of_week"}))
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("expected one of `none`, `end_of_day`, `end_of_month`")
    );
    // Inactivity gives no fixed expiry to the lots.
    let program = shop(json!({
        "earning": [one_per_euro()],
        "ledger": {"points_expiry": {"after_inactive_months": 12}, "expiry_rounding": "end_of_day"}
    }));
    let evaluation = program
        .evaluate(&Basket::eur().line("TEA", 1, "10.00").build())
        .expect("evaluates");
    assert_eq!(evaluation.points.expires_at, None);
    let Some(Effect::CreditPoints { expires_at, .. }) = evaluation.effects.last() else {
        panic!("a credit: {:?}", evaluation.effects);
    };
    assert_eq!(*expires_at, None);
}

#[test]
fn policy_forms_old_and_new_round_trip() {
    // The forms written before keep reading, and print as before.
    let old = json!({"return_window_days": 30, "points_expiry": {"after_months": 12},
                     "cashback_expiry": "never"});
    let policy: LedgerPolicy = serde_json::from_value(old.clone()).expect("reads");
    assert_eq!(serde_json::to_value(policy).expect("writes"), old);
    let new = json!({"return_window_days": 0, "points_expiry": {"after_inactive_months": 12},
                     "cashback_expiry": {"end_of_year": 1}, "expiry_rounding": "end_of_month"});
    let policy: LedgerPolicy = serde_json::from_value(new.clone()).expect("reads");
    assert_eq!(policy.points_expiry, Expiry::AfterInactiveMonths(12));
    assert_eq!(policy.expiry_rounding, ExpiryRounding::EndOfMonth);
    assert_eq!(serde_json::to_value(policy).expect("writes"), new);
    let toml_text = toml::to_string(&policy).expect("TOML");
    assert_eq!(
        toml::from_str::<LedgerPolicy>(&toml_text).expect("TOML back"),
        policy
    );
}

// ---------------------------------------------------------------------------
// JSON forms
// ---------------------------------------------------------------------------

#[test]
fn entries_read_and_write_their_tagged_json() {
    let entry = earned(
        "shop/A-1/points",
        pts("120"),
        "2026-11-27T13:00:00Z",
        "2026-12-27T13:00:00Z",
        Some("2027-12-27T13:00:00Z"),
    );
    let value = serde_json::to_value(&entry).expect("writes");
    assert_eq!(
        value,
        json!({"entry": "earned", "key": "shop/A-1/points", "customer": "C-1",
               "order": "shop/A-1/points", "at": "2026-11-27T13:00:00Z", "points": "120",
               "available_at": "2026-12-27T13:00:00Z", "expires_at": "2027-12-27T13:00:00Z"})
    );
    assert_eq!(
        serde_json::from_value::<Entry>(value).expect("reads"),
        entry
    );
    let spend =
        serde_json::to_value(redeemed("R1", eur("2.50"), "2027-01-10T09:00:00Z")).expect("writes");
    assert_eq!(spend["entry"], "redeemed");
    assert_eq!(spend["cashback"], "2.50 EUR");
    // Unknown fields are refused, so that a misspelt expires_at is not
    // silently "never expires".
    let typo = json!({"entry": "earned", "key": "L1", "customer": "C-1", "order": "A-1",
                      "at": "2026-01-01T00:00:00Z", "points": "1",
                      "available_at": "2026-01-01T00:00:00Z", "expire_at": "2027-01-01T00:00:00Z"});
    assert!(serde_json::from_value::<Entry>(typo).is_err());
}

#[test]
fn a_balance_round_trips_through_json() {
    let ledger = build(vec![
        earned(
            "L1",
            pts("120"),
            "2026-01-01T00:00:00Z",
            "2026-01-31T00:00:00Z",
            Some("2027-01-31T00:00:00Z"),
        ),
        earned(
            "C1",
            eur("3.00"),
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            None,
        ),
    ]);
    let b = balance(&ledger, "2026-01-15T00:00:00Z");
    let value = serde_json::to_value(&b).expect("writes");
    assert_eq!(value["currency"], "EUR");
    assert_eq!(value["points"]["pending"], "120");
    assert_eq!(
        value["points"]["next_expirations"][0]["last_day"],
        "2027-01-30"
    );
    assert_eq!(serde_json::from_value::<Balance>(value).expect("reads"), b);
}

// ---------------------------------------------------------------------------
// Size
// ---------------------------------------------------------------------------

#[test]
fn a_hundred_thousand_entries_rebuild_in_one_pass() {
    // 50 000 lots of 10 points a day apart-ish, each expiring after a year,
    // and 50 000 redemptions of 4: every redemption is covered.
    let start = at("2020-01-01T00:00:00Z");
    let mut entries = Vec::with_capacity(100_000);
    for i in 0..50_000i64 {
        let t = start + Duration::hours(3 * i);
        let key = format!("L{i:05}");
        entries.push(
            Entry::earned(
                key.clone(),
                customer(),
                order(&key),
                pts("10"),
                t,
                t,
                Some(t + Duration::days(365)),
            )
            .expect("a lot"),
        );
        let key = format!("R{i:05}");
        entries.push(
            Entry::redeemed(
                key.clone(),
                customer(),
                order(&key),
                pts("4"),
                t + Duration::hours(1),
            )
            .expect("a redemption"),
        );
    }
    entries.reverse();
    let started = std::time::Instant::now();
    let ledger = Ledger::from_entries(entries).expect("a ledger");
    let b = ledger
        .balance_at(at("2040-01-01T00:00:00Z"))
        .expect("a balance");
    let elapsed = started.elapsed();
    // 500 000 earned, 200 000 redeemed, the rest expired.
    assert_eq!(b.points.earned, d("500000"));
    assert_eq!(b.points.redeemed, d("200000"));
    assert_eq!(b.points.expired, d("300000"));
    assert!(conserves(&b.points));
    // About 35 ms in a release build; the bound leaves room for a busy
    // machine.
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_millis() < 500, "{elapsed:?}");
    }
}

#[test]
fn sums_too_large_are_an_error_not_a_panic() {
    // Each entry at most 10^18; a balance at most 10^20, beyond which a
    // sum could no longer be kept to the point: 101 lots of 10^18 are
    // refused.
    let huge = Amount::Points(loyalty::wallet::MAX_ENTRY);
    let result = Ledger::from_entries(
        (0..101)
            .map(|i| {
                earned(
                    &format!("L{i}"),
                    huge,
                    "2026-01-01T00:00:00Z",
                    "2026-01-01T00:00:00Z",
                    None,
                )
            })
            .collect::<Vec<_>>(),
    );
    assert!(
        matches!(result, Err(WalletError::Overflow { .. })),
        "{result:?}"
    );
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// The balance of lots in a model: `(available_at, expires_at, amount)`.
type ModelLot = (DateTime<Utc>, Option<DateTime<Utc>>, Decimal);

fn model_lots() -> impl Strategy<Value = Vec<ModelLot>> {
    prop::collection::vec(
        (
            0i64..=200,
            0i64..=30,
            prop::option::of(1i64..=60),
            1i64..=1_000,
        ),
        1..=12,
    )
    .prop_map(|lots| {
        lots.into_iter()
            .map(|(earned, pending, expiry, units)| {
                let available = start() + Duration::days(earned + pending);
                (
                    available,
                    expiry.map(|e| available + Duration::days(e * 7)),
                    Decimal::from(units),
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(128)))]

    /// Available + pending + redeemed + expired + reversed = earned +
    /// adjusted, for points and for cashback, at every instant; storing
    /// the due expirations changes no balance and leaves none due.
    #[test]
    fn every_balance_is_conserved(steps in history(true, 30), terms in terms()) {
        let entries = entries_of(&steps, terms);
        let ledger = with_terms(terms).build(entries.clone()).expect("a valid history");
        let instants = instants(&entries);
        for b in balances(&ledger, &instants) {
            prop_assert!(conserves(&b.points), "{b:?}");
            prop_assert!(conserves(&b.cashback), "{b:?}");
            prop_assert!(b.points.pending >= Decimal::ZERO && b.points.expired >= Decimal::ZERO);
            prop_assert!(b.points.redeemed >= Decimal::ZERO && b.cashback.redeemed >= Decimal::ZERO);
        }
        let last = *instants.last().expect("an instant");
        let due = ledger.due_expirations(last).expect("due");
        let mut stored = entries;
        stored.extend(due);
        let recorded = with_terms(terms).build(stored).expect("the due entries fit");
        prop_assert!(recorded.due_expirations(last).expect("due").is_empty());
        prop_assert_eq!(balances(&recorded, &instants), balances(&ledger, &instants));
    }

    /// Without reversals or debits, no balance ever goes below zero.
    #[test]
    fn no_balance_below_zero_without_reversals_or_debits(
        steps in history(false, 30), terms in terms(),
    ) {
        let entries = entries_of(&steps, terms);
        let ledger = with_terms(terms).build(entries.clone()).expect("a valid history");
        for b in balances(&ledger, &instants(&entries)) {
            prop_assert!(b.points.available >= Decimal::ZERO, "{b:?}");
            prop_assert!(b.cashback.available >= Decimal::ZERO, "{b:?}");
        }
    }

    /// A redemption takes the soonest-expiring available lots first
    /// (never-expiring last, oldest first among equals): what is left to
    /// expire matches a model that sorts and takes greedily.
    #[test]
    fn redemptions_take_the_soonest_expiring_lots_first(
        lots in model_lots(), share in 1u32..=100, day in 0i64..=250,
    ) {
        let t = start() + Duration::days(day);
        let usable = |lot: &ModelLot| lot.0 <= t && lot.1.is_none_or(|e| e > t);
        let total: Decimal = lots.iter().filter(|l| usable(l)).map(|l| l.2).sum();
        let spend = (total * Decimal::from(share) / Decimal::ONE_HUNDRED).floor();
        let mut entries: Vec<Entry> = lots
            .iter()
            .enumerate()
            .map(|(i, (available, expires, amount))| {
                let key = format!("L{i:02}");
                Entry::earned(key.clone(), customer(), order(&key), Amount::Points(*amount),
                              start(), *available, *expires)
                    .expect("a lot")
            })
            .collect();
        if spend > Decimal::ZERO {
            entries.push(Entry::redeemed("R", customer(), order("R"), Amount::Points(spend), t)
                .expect("a redemption"));
        }
        // The model: usable lots by (never, expiry, index), taken in turn.
        let mut order_: Vec<usize> = (0..lots.len()).filter(|&i| usable(&lots[i])).collect();
        order_.sort_by_key(|&i| (lots[i].1.is_none(), lots[i].1, i));
        let mut left: Vec<Decimal> = lots.iter().map(|l| l.2).collect();
        let mut need = spend;
        for i in order_ {
            let take = need.min(left[i]);
            left[i] -= take;
            need -= take;
        }
        let mut expected: Vec<(DateTime<Utc>, Decimal)> = Vec::new();
        let mut dated: Vec<(DateTime<Utc>, Decimal)> = lots
            .iter()
            .zip(&left)
            .filter_map(|(lot, left)| lot.1.filter(|e| *e > t && !left.is_zero()).map(|e| (e, *left)))
            .collect();
        dated.sort();
        for (e, amount) in dated {
            match expected.last_mut() {
                Some(last) if last.0 == e => last.1 += amount,
                _ => expected.push((e, amount)),
            }
        }
        let ledger = Ledger::from_entries(entries).expect("a valid ledger");
        let b = ledger.balance_at(t).expect("a balance");
        let got: Vec<(DateTime<Utc>, Decimal)> =
            b.points.next_expirations.iter().map(|e| (e.at, e.amount)).collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(b.points.available, total - spend);
    }

    /// The same entries stored twice make the same ledger as once; in any
    /// order, the same balances.
    #[test]
    fn replay_is_idempotent_and_order_independent(
        steps in history(true, 25),
        terms in terms(),
        shuffle in prop::collection::vec(any::<u32>(), 50),
    ) {
        let entries = entries_of(&steps, terms);
        let once = with_terms(terms).build(entries.clone()).expect("a valid history");
        let instants = instants(&entries);
        let expected = balances(&once, &instants);

        let mut twice = entries.clone();
        twice.extend(entries.iter().cloned());
        let twice = with_terms(terms).build(twice).expect("duplicates are ignored");
        prop_assert_eq!(twice.duplicates().len(), entries.len());
        prop_assert_eq!(twice.entries(), once.entries());
        prop_assert_eq!(&balances(&twice, &instants), &expected);

        let mut shuffled: Vec<(u32, Entry)> = entries
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, e)| (shuffle[i % shuffle.len()].wrapping_mul(i as u32 + 1), e))
            .collect();
        shuffled.sort_by_key(|(k, _)| *k);
        let shuffled = with_terms(terms)
            .build(shuffled.into_iter().map(|(_, e)| e))
            .expect("the same history");
        prop_assert_eq!(shuffled.entries(), once.entries());
        prop_assert_eq!(&balances(&shuffled, &instants), &expected);
    }

    /// Expiry never touches pending value: without reversals, what is
    /// pending at any instant is exactly the lots earned and not yet
    /// available, whatever expired around them (inactivity included).
    #[test]
    fn expiry_never_touches_pending_value(steps in history(false, 30), terms in terms()) {
        let entries = entries_of(&steps, terms);
        let ledger = with_terms(terms).build(entries.clone()).expect("a valid history");
        for t in instants(&entries) {
            let b = ledger.balance_at(t).expect("a balance");
            for (kind, account) in [(BalanceKind::Points, &b.points), (BalanceKind::Cashback, &b.cashback)] {
                let pending: Decimal = entries
                    .iter()
                    .filter_map(|e| match e.kind() {
                        EntryKind::Earned { amount, available_at, .. }
                            if amount.kind() == kind && e.at() <= t && *available_at > t =>
                        {
                            Some(amount.value())
                        }
                        _ => None,
                    })
                    .sum();
                prop_assert_eq!(account.pending, pending);
            }
        }
        // And no expired entry ever names a lot while it is pending.
        for entry in ledger.due_expirations(at("2040-01-01T00:00:00Z")).expect("due") {
            let EntryKind::Expired { lot, .. } = entry.kind() else { continue };
            let lot = entries.iter().find(|e| e.key() == lot).expect("its lot");
            if let EntryKind::Earned { available_at, .. } = lot.kind() {
                prop_assert!(entry.at() >= *available_at);
            }
        }
    }
}

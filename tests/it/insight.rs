//! Insight: hand-worked profiles (an even median, a return that removes an
//! order, repurchase intervals, the window's edges, local days in a zone),
//! RFM scores and segments on a base of ten worked by hand, the errors,
//! and the invariants as properties.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use loyalty::calendar::Zone;
use loyalty::customer::{Customer, CustomerId};
use loyalty::evaluate::Checkout;
use loyalty::insight::profile::{
    OrderRecord, Profile, ProfileError, ProfileOptions, RecordLine, ReturnRecord,
};
use loyalty::insight::rfm::{
    CustomerRfm, RfmBase, RfmError, RfmFigures, RfmScores, SegmentRule, SegmentRules,
};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order, Refund};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::cases;
use crate::util::common::{d, eur_program, program};

const EUR: Currency = Currency::EUR;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn c1() -> CustomerId {
    "C-1".parse().unwrap()
}

/// An order of C-1 with one line `1` of one unit of `sku` for `net`.
fn order(id: &str, when: &str, sku: &str, net: &str) -> OrderRecord {
    OrderRecord::new(id, "C-1", at(when), EUR)
        .unwrap()
        .line(RecordLine::new("1", sku, 1, d(net)).unwrap())
}

fn utc(window: u32) -> ProfileOptions {
    ProfileOptions::new(EUR, Zone::UTC).window_days(window)
}

fn profile(orders: &[OrderRecord], returns: &[ReturnRecord], now: &str) -> Profile {
    Profile::from_history(&c1(), orders, returns, at(now), &utc(90)).unwrap()
}

fn profile_err(orders: &[OrderRecord], returns: &[ReturnRecord]) -> ProfileError {
    Profile::from_history(&c1(), orders, returns, at("2027-01-01T00:00:00Z"), &utc(90)).unwrap_err()
}

#[test]
fn insight_median_of_an_even_count_and_the_mean_gap() {
    // Gaps 3, 4, 11, 20 days: the median is (4 + 11) / 2 = 7.5, the mean
    // 38 / 4 = 9.5. Spend 100.05 over 5 orders: 20.01 each.
    let orders = [
        order("A-5", "2026-02-08T10:00:00Z", "TEA", "40.00"),
        order("A-1", "2026-01-01T10:00:00Z", "TEA", "10.00"),
        order("A-3", "2026-01-08T10:00:00Z", "TEA", "30.00"),
        order("A-2", "2026-01-04T10:00:00Z", "TEA", "20.00"),
        order("A-4", "2026-01-19T10:00:00Z", "TEA", "0.05"),
    ];
    let p = profile(&orders, &[], "2026-02-10T00:00:00Z");
    assert_eq!(p.orders, 5);
    assert_eq!(p.first_order, Some(at("2026-01-01T10:00:00Z")));
    assert_eq!(p.last_order, Some(at("2026-02-08T10:00:00Z")));
    assert_eq!(p.days_since_last_order, Some(2));
    assert_eq!(p.spend, d("100.05"));
    assert_eq!(p.average_order_value, Some(d("20.01")));
    assert_eq!(p.median_days_between, Some(d("7.5")));
    assert_eq!(p.average_days_between, Some(d("9.5")));
    // TEA in 5 orders: its gaps are the orders' gaps.
    let tea = p.repurchase_of("TEA").unwrap();
    assert_eq!((tea.purchases, tea.median_days), (5, d("7.5")));
}

#[test]
fn insight_average_order_value_rounds_half_up() {
    let orders = [
        order("A-1", "2026-01-01T10:00:00Z", "TEA", "10.00"),
        order("A-2", "2026-01-02T10:00:00Z", "TEA", "10.01"),
    ];
    // 20.01 / 2 = 10.005: half up gives 10.01; three days apart in thirds.
    let p = profile(&orders, &[], "2026-02-01T00:00:00Z");
    assert_eq!(p.average_order_value, Some(d("10.01")));
    let orders = [
        order("A-1", "2026-01-01T10:00:00Z", "TEA", "10.00"),
        order("A-2", "2026-01-02T10:00:00Z", "TEA", "10.00"),
        order("A-3", "2026-01-11T10:00:00Z", "TEA", "10.01"),
    ];
    // 30.01 / 3 = 10.00333…; 10 days over 2 gaps = 5; gaps 1 and 9.
    let p = profile(&orders, &[], "2026-02-01T00:00:00Z");
    assert_eq!(p.average_order_value, Some(d("10.00")));
    assert_eq!(p.average_days_between, Some(d("5")));
    assert_eq!(p.median_days_between, Some(d("5")));
}

#[test]
fn insight_a_whole_return_removes_the_order_a_partial_one_lowers_the_spend() {
    let two = |id: &str, when: &str| {
        OrderRecord::new(id, "C-1", at(when), EUR)
            .unwrap()
            .line(RecordLine::new("1", "SOAP", 2, d("20.00")).unwrap())
            .line(RecordLine::new("2", "TEA", 1, d("30.00")).unwrap())
    };
    let orders = [
        two("A-1", "2026-01-01T10:00:00Z"),
        two("A-2", "2026-01-11T10:00:00Z"),
        two("A-3", "2026-01-31T10:00:00Z"),
    ];
    // A-2 returned line by line in two refunds; one unit of SOAP of A-3
    // returned (10.00); a return after the instant is left out.
    let returns = [
        ReturnRecord::new("A-2", at("2026-01-12T10:00:00Z"), EUR)
            .unwrap()
            .line("1", 2, d("20.00"))
            .unwrap(),
        ReturnRecord::new("A-2", at("2026-01-13T10:00:00Z"), EUR)
            .unwrap()
            .line("2", 1, d("30.00"))
            .unwrap(),
        ReturnRecord::new("A-3", at("2026-02-01T10:00:00Z"), EUR)
            .unwrap()
            .line("1", 1, d("10.00"))
            .unwrap(),
        ReturnRecord::new("A-1", at("2026-03-01T10:00:00Z"), EUR)
            .unwrap()
            .line("2", 1, d("30.00"))
            .unwrap(),
    ];
    let p = profile(&orders, &returns, "2026-02-15T00:00:00Z");
    assert_eq!(p.orders, 2);
    assert_eq!(p.spend, d("90.00"));
    assert_eq!(p.average_order_value, Some(d("45.00")));
    assert_eq!(p.median_days_between, Some(d("30")));
    assert_eq!(p.average_days_between, Some(d("30")));
    // A return that says it is full removes the order, whatever its lines.
    let mut whole = ReturnRecord::new("A-3", at("2026-02-01T10:00:00Z"), EUR).unwrap();
    whole.full = true;
    let p = profile(&orders, &[whole], "2026-02-15T00:00:00Z");
    assert_eq!(p.orders, 2);
    assert_eq!(p.last_order, Some(at("2026-01-11T10:00:00Z")));
    // Nothing left: no averages.
    let all: Vec<ReturnRecord> = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|id| {
            let mut r = ReturnRecord::new(*id, at("2026-02-01T10:00:00Z"), EUR).unwrap();
            r.full = true;
            r
        })
        .collect();
    let p = profile(&orders, &all, "2026-02-15T00:00:00Z");
    assert_eq!((p.orders, p.spend), (0, Decimal::ZERO));
    assert_eq!(p.average_order_value, None);
    assert_eq!(p.median_days_between, None);
    assert!(p.categories.is_empty() && p.repurchase.is_empty());
    assert_eq!(RfmFigures::from_profile(&p), None);
}

#[test]
fn insight_repurchase_intervals_per_sku() {
    let line = |id: &str, sku: &str, quantity: u32, net: &str| {
        RecordLine::new(id, sku, quantity, d(net)).unwrap()
    };
    let orders = [
        OrderRecord::new("A-1", "C-1", at("2026-01-01T10:00:00Z"), EUR)
            .unwrap()
            .line(line("1", "BEANS", 1, "12.00"))
            .line(line("2", "FILTERS", 1, "3.00"))
            .line(line("3", "FILTERS", 1, "3.00")),
        OrderRecord::new("A-2", "C-1", at("2026-01-29T10:00:00Z"), EUR)
            .unwrap()
            .line(line("1", "BEANS", 2, "24.00"))
            .line(line("2", "MUG", 1, "9.00")),
        OrderRecord::new("A-3", "C-1", at("2026-03-02T10:00:00Z"), EUR)
            .unwrap()
            .line(line("1", "BEANS", 1, "12.00"))
            .line(line("2", "MUG", 1, "9.00")),
        OrderRecord::new("A-4", "C-1", at("2026-03-10T10:00:00Z"), EUR)
            .unwrap()
            .line(line("1", "FILTERS", 1, "3.00")),
    ];
    // The second MUG came back: MUG was bought once.
    let returns = [ReturnRecord::new("A-3", at("2026-03-05T10:00:00Z"), EUR)
        .unwrap()
        .line("2", 1, d("9.00"))
        .unwrap()];
    let p = profile(&orders, &returns, "2026-04-01T00:00:00Z");
    // BEANS: 28 and 32 days, median 30; FILTERS: two lines of A-1 are one
    // purchase, then A-4, 68 days later.
    let skus: Vec<(&str, u32, Decimal)> = p
        .repurchase
        .iter()
        .map(|r| (r.sku.as_str(), r.purchases, r.median_days))
        .collect();
    assert_eq!(skus, [("BEANS", 3, d("30")), ("FILTERS", 2, d("68"))]);
    assert_eq!(
        p.repurchase_of("BEANS").map(|r| r.last_purchase),
        Some(at("2026-03-02T10:00:00Z"))
    );
    assert!(p.repurchase_of("MUG").is_none());
}

#[test]
fn insight_window_edges_and_instants_after_now() {
    let orders = [
        order("A-1", "2026-03-01T23:59:59Z", "TEA", "1.00"),
        order("A-2", "2026-03-02T00:00:00Z", "TEA", "2.00"),
        order("A-3", "2026-03-31T11:00:00Z", "TEA", "4.00"),
        order("A-4", "2026-03-31T13:00:00Z", "TEA", "8.00"),
    ];
    let now = at("2026-03-31T12:00:00Z");
    let p = Profile::from_history(&c1(), &orders, &[], now, &utc(30)).unwrap();
    // 30 local days ending on 31 March: from 2 March; A-4 is after now.
    assert_eq!(p.window.from.to_string(), "2026-03-02");
    assert_eq!((p.window.spend, p.window.orders), (d("6.00"), 2));
    assert_eq!((p.orders, p.spend), (3, d("7.00")));
    assert_eq!(p.days_since_last_order, Some(0));
    // One day: today only. Zero days: nothing.
    let p = Profile::from_history(&c1(), &orders, &[], now, &utc(1)).unwrap();
    assert_eq!((p.window.spend, p.window.orders), (d("4.00"), 1));
    let p = Profile::from_history(&c1(), &orders, &[], now, &utc(0)).unwrap();
    assert_eq!((p.window.spend, p.window.orders), (Decimal::ZERO, 0));
}

#[test]
fn insight_days_are_local_days_in_the_programs_zone() {
    let shop = program(json!({"id": "shop", "currency": "EUR", "time_zone": "-03:00"}));
    // 23:30 on 31 December and 00:30 on 1 January, local: one day apart,
    // though both are 1 January in UTC.
    let orders = [
        order("A-1", "2026-01-01T02:30:00Z", "TEA", "5.00"),
        order("A-2", "2026-01-01T03:30:00Z", "TEA", "5.00"),
    ];
    let now = at("2026-01-02T02:00:00Z"); // 23:00 on 1 January, local
    let local = shop.profile(&c1(), &orders, &[], now, 1).unwrap();
    assert_eq!(local.median_days_between, Some(d("1")));
    assert_eq!(local.days_since_last_order, Some(0));
    assert_eq!((local.window.orders, local.window.spend), (1, d("5.00")));
    let in_utc = Profile::from_history(&c1(), &orders, &[], now, &utc(1)).unwrap();
    assert_eq!(in_utc.median_days_between, Some(d("0")));
    assert_eq!(in_utc.days_since_last_order, Some(1));
    assert_eq!(in_utc.window.orders, 0);
}

#[test]
fn insight_favourite_categories_by_spend_net_of_returns_ties_by_name() {
    let line = |id: &str, sku: &str, net: &str, categories: &[&str]| {
        categories
            .iter()
            .fold(RecordLine::new(id, sku, 1, d(net)).unwrap(), |l, c| {
                l.category(*c).unwrap()
            })
    };
    let orders = [
        OrderRecord::new("A-1", "C-1", at("2026-01-01T10:00:00Z"), EUR)
            .unwrap()
            .line(line("1", "GREEN", "30.00", &["tea", "organic"]))
            .line(line("2", "BLACK", "20.00", &["tea"]))
            .line(line("3", "CUP", "50.00", &["kitchen"]))
            .line(line("4", "SCOOP", "5.00", &["kitchen", "tools"])),
    ];
    let returns = [ReturnRecord::new("A-1", at("2026-01-02T10:00:00Z"), EUR)
        .unwrap()
        .line("4", 1, d("5.00"))
        .unwrap()];
    let p = profile(&orders, &returns, "2026-02-01T00:00:00Z");
    let categories: Vec<(&str, Decimal)> = p
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.spend))
        .collect();
    // kitchen 50 and tea 50 tie: by name; tools fell to zero and is gone.
    assert_eq!(
        categories,
        [
            ("kitchen", d("50.00")),
            ("tea", d("50.00")),
            ("organic", d("30.00"))
        ]
    );
    assert_eq!(p.favourite_category().map(|c| c.as_str()), Some("kitchen"));
}

#[test]
fn insight_records_from_evaluations_and_return_outcomes() {
    let shop = eur_program(json!({
        "ladders": [{"id": "ten", "steps": [{"from": "50.00", "percent": "10"}]}]
    }));
    let placed = at("2026-05-01T10:00:00Z");
    let sale = Order::builder("A-1", "C-1", placed, EUR)
        .line(
            Line::new("1", "TEA", 2, Money::parse("20.00", EUR).unwrap())
                .unwrap()
                .with_category("tea")
                .unwrap(),
        )
        .line(Line::new("2", "CUP", 1, Money::parse("20.00", EUR).unwrap()).unwrap())
        .build()
        .unwrap();
    let checkout = Checkout::new(sale, Customer::new("C-1").unwrap(), placed);
    let evaluation = shop.evaluate(&checkout).unwrap();
    let record = OrderRecord::from_evaluation(&checkout, &evaluation).unwrap();
    assert_eq!(record.spend, d("54.00"));
    assert_eq!(record.lines[0].quantity, 2);
    assert_eq!(record.lines[0].net, d("36.00"));
    assert_eq!(record.lines[0].categories[0].as_str(), "tea");
    let p = shop
        .profile(
            &c1(),
            std::slice::from_ref(&record),
            &[],
            at("2026-05-02T00:00:00Z"),
            30,
        )
        .unwrap();
    assert_eq!(p.categories[0].spend, d("36.00"));

    // The tea returned, through the wallet: 36.00 comes off.
    let refund = Refund::new("R-1", "A-1", at("2026-05-03T10:00:00Z"))
        .unwrap()
        .line("1", 2)
        .unwrap();
    let outcome = shop
        .evaluate_return(&checkout, &evaluation, &[], &refund)
        .unwrap();
    let returned = ReturnRecord::from(&outcome);
    assert_eq!(returned.lines[0].net, d("36.00"));
    let p = shop
        .profile(
            &c1(),
            &[record],
            &[returned],
            at("2026-05-04T00:00:00Z"),
            30,
        )
        .unwrap();
    assert_eq!((p.orders, p.spend), (1, d("18.00")));
    assert!(p.categories.is_empty());

    let other = Checkout::new(
        Order::builder("A-2", "C-1", placed, EUR).build().unwrap(),
        Customer::new("C-1").unwrap(),
        placed,
    );
    assert!(matches!(
        OrderRecord::from_evaluation(&other, &evaluation),
        Err(ProfileError::NotTheCheckout { .. })
    ));
}

#[test]
fn insight_profile_errors() {
    let a1 = order("A-1", "2026-01-01T10:00:00Z", "TEA", "5.00");
    let usd = OrderRecord::new("A-2", "C-1", at("2026-01-02T10:00:00Z"), Currency::USD)
        .unwrap()
        .line(RecordLine::new("1", "TEA", 1, d("5.00")).unwrap());
    assert!(matches!(
        profile_err(&[a1.clone(), usd], &[]),
        ProfileError::Currency { found, .. } if found == Currency::USD
    ));
    let theirs = OrderRecord::new("A-2", "C-2", at("2026-01-02T10:00:00Z"), EUR).unwrap();
    let e = profile_err(&[a1.clone(), theirs], &[]);
    assert!(matches!(e, ProfileError::OtherCustomer { .. }));
    assert!(e.to_string().contains("customer C-2, not C-1"));
    assert!(matches!(
        profile_err(&[a1.clone(), a1.clone()], &[]),
        ProfileError::DuplicateOrder { .. }
    ));
    let negative = order("A-2", "2026-01-02T10:00:00Z", "TEA", "-1.00");
    assert!(matches!(
        profile_err(&[a1.clone(), negative], &[]),
        ProfileError::Negative { .. }
    ));
    let ret = |id: &str, when: &str, line: &str, quantity: u32| {
        ReturnRecord::new(id, at(when), EUR)
            .unwrap()
            .line(line, quantity, d("5.00"))
            .unwrap()
    };
    let e = profile_err(
        std::slice::from_ref(&a1),
        &[ret("A-9", "2026-01-05T10:00:00Z", "1", 1)],
    );
    assert_eq!(
        e.to_string(),
        "a return is of order A-9, which is not in the history: pass the order too"
    );
    assert!(matches!(
        profile_err(
            std::slice::from_ref(&a1),
            &[ret("A-1", "2026-01-05T10:00:00Z", "7", 1)]
        ),
        ProfileError::UnknownLine { .. }
    ));
    assert!(matches!(
        profile_err(
            std::slice::from_ref(&a1),
            &[
                ret("A-1", "2026-01-05T10:00:00Z", "1", 1),
                ret("A-1", "2026-01-06T10:00:00Z", "1", 1)
            ]
        ),
        ProfileError::TooManyReturned {
            returned: 2,
            bought: 1,
            ..
        }
    ));
    assert!(matches!(
        profile_err(
            std::slice::from_ref(&a1),
            &[ret("A-1", "2025-12-31T10:00:00Z", "1", 1)]
        ),
        ProfileError::ReturnBeforeOrder { .. }
    ));
    let mut usd_return = ret("A-1", "2026-01-05T10:00:00Z", "1", 1);
    usd_return.currency = Currency::USD;
    assert!(matches!(
        profile_err(&[a1], &[usd_return]),
        ProfileError::Currency { .. }
    ));
}

// ---- RFM ----

/// Ten customers; the scores worked by hand:
///
/// | customer | days | orders | spend | R | F | M | segment |
/// |---|---|---|---|---|---|---|---|
/// | C0 | 1 | 12 | 900 | 5 | 5 | 5 | champions |
/// | C1 | 3 | 8 | 400 | 4 | 4 | 4 | champions |
/// | C2 | 3 | 2 | 50 | 4 | 2 | 2 | potential-loyalist |
/// | C3 | 10 | 5 | 300 | 4 | 3 | 4 | potential-loyalist |
/// | C4 | 30 | 1 | 20 | 3 | 1 | 1 | about-to-sleep |
/// | C5 | 20 | 1 | 20 | 3 | 1 | 1 | about-to-sleep |
/// | C6 | 45 | 1 | 20 | 2 | 1 | 1 | hibernating |
/// | C7 | 60 | 6 | 250 | 2 | 4 | 3 | at-risk |
/// | C8 | 90 | 3 | 100 | 1 | 3 | 3 | at-risk |
/// | C9 | 200 | 9 | 600 | 1 | 5 | 5 | cant-lose |
///
/// Score = 1 + ⌊5·b/10⌋, b = customers strictly below. C1 and C2 tie at
/// 3 days (b = 7 for both: R4, though ranks 8 and 9 would split 4 and 5);
/// C4, C5 and C6 tie at 1 order and 20 spent (b = 0: F1, M1).
fn ten() -> Vec<RfmFigures> {
    [
        (1, 12, "900"),
        (3, 8, "400"),
        (3, 2, "50"),
        (10, 5, "300"),
        (30, 1, "20"),
        (20, 1, "20"),
        (45, 1, "20"),
        (60, 6, "250"),
        (90, 3, "100"),
        (200, 9, "600"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (days, orders, spend))| {
        RfmFigures::new(&format!("C{i}"), *days, *orders, d(spend)).unwrap()
    })
    .collect()
}

fn scores(r: u8, f: u8, m: u8) -> String {
    format!("R{r} F{f} M{m}")
}

#[test]
fn insight_rfm_scores_and_segments_on_a_base_of_ten() {
    let scored = RfmBase::new(&ten())
        .unwrap()
        .segment(&SegmentRules::default());
    let got: Vec<(String, String, Option<&str>)> = scored
        .iter()
        .map(|c| {
            (
                c.customer.to_string(),
                c.scores.to_string(),
                c.segment.as_deref(),
            )
        })
        .collect();
    let want = [
        ("C0", scores(5, 5, 5), "champions"),
        ("C1", scores(4, 4, 4), "champions"),
        ("C2", scores(4, 2, 2), "potential-loyalist"),
        ("C3", scores(4, 3, 4), "potential-loyalist"),
        ("C4", scores(3, 1, 1), "about-to-sleep"),
        ("C5", scores(3, 1, 1), "about-to-sleep"),
        ("C6", scores(2, 1, 1), "hibernating"),
        ("C7", scores(2, 4, 3), "at-risk"),
        ("C8", scores(1, 3, 3), "at-risk"),
        ("C9", scores(1, 5, 5), "cant-lose"),
    ]
    .map(|(c, s, g)| (c.to_owned(), s, Some(g)));
    assert_eq!(got, want);
}

#[test]
fn insight_rfm_newcomers_rank_against_the_base_and_ties_score_alike() {
    let base = RfmBase::new(&ten()).unwrap();
    // Above everyone: 5; below everyone: 1; equal to C1: as C1.
    let top = RfmFigures::new("N-1", 0, 50, d("10000")).unwrap();
    assert_eq!(base.scores(&top).to_string(), "R5 F5 M5");
    let bottom = RfmFigures::new("N-2", 1000, 0, d("0")).unwrap();
    assert_eq!(base.scores(&bottom).to_string(), "R1 F1 M1");
    let like_c1 = RfmFigures::new("N-3", 3, 8, d("400")).unwrap();
    assert_eq!(base.scores(&like_c1), base.scores(&ten()[1]));
    // Everyone alike: everyone 1.
    let alike: Vec<RfmFigures> = (0..7)
        .map(|i| RfmFigures::new(&format!("C{i}"), 5, 2, d("10")).unwrap())
        .collect();
    let scored = RfmBase::new(&alike)
        .unwrap()
        .segment(&SegmentRules::default());
    assert!(scored.iter().all(|c| c.scores.to_string() == "R1 F1 M1"));
    assert!(scored.iter().all(|c| c.segment.as_deref() == Some("lost")));
}

#[test]
fn insight_rfm_rules_as_data_first_match_wins_and_unsegmented() {
    let rules: SegmentRules = serde_json::from_value(json!([
        {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
        {"segment": "big-spender", "m": [5, 5]},
        {"segment": "vip-lapsed", "f": [4, 5], "m": [4, 5]}
    ]))
    .unwrap();
    assert!(!rules.is_complete());
    let scored = RfmBase::new(&ten()).unwrap().segment(&rules);
    let segment = |i: usize| scored[i].segment.as_deref();
    assert_eq!(segment(0), Some("vip"));
    assert_eq!(segment(1), Some("vip"));
    assert_eq!(segment(9), Some("big-spender"));
    assert_eq!(segment(2), None);
    // Round trip, and the same rules in Rust.
    let back: SegmentRules = serde_json::from_value(serde_json::to_value(&rules).unwrap()).unwrap();
    assert_eq!(back, rules);
    let built = SegmentRules::new(vec![
        SegmentRule::new("vip").unwrap().r(4, 5).f(4, 5).m(4, 5),
        SegmentRule::new("big-spender").unwrap().m(5, 5),
        SegmentRule::new("vip-lapsed").unwrap().f(4, 5).m(4, 5),
    ])
    .unwrap();
    assert_eq!(built, rules);
}

#[test]
fn insight_rfm_errors() {
    let rules = |v: serde_json::Value| SegmentRules::new(serde_json::from_value(v).unwrap());
    assert!(matches!(rules(json!([])), Err(RfmError::NoRules)));
    assert!(matches!(
        rules(json!([{"segment": "x", "r": [0, 5]}])),
        Err(RfmError::BadRange {
            index: 0,
            measure: "r",
            low: 0,
            ..
        })
    ));
    assert!(matches!(
        rules(json!([{"segment": "a"}, {"segment": "x", "m": [4, 3]}])),
        Err(RfmError::BadRange {
            index: 1,
            measure: "m",
            ..
        })
    ));
    assert!(matches!(
        rules(json!([{"segment": "x", "f": [5, 6]}])),
        Err(RfmError::BadRange { .. })
    ));
    let e = rules(json!([{"segment": "all"}, {"segment": "recent", "r": [5, 5]}])).unwrap_err();
    assert!(matches!(e, RfmError::Unreachable { index: 1, .. }));
    assert!(e.to_string().contains("(recent) never matches"));
    assert!(
        serde_json::from_value::<SegmentRules>(json!([{"segment": "x", "q": [1, 2]}])).is_err()
    );
    assert!(serde_json::from_value::<SegmentRules>(json!([{"segment": " "}])).is_err());

    assert_eq!(RfmBase::new(&[]), Err(RfmError::EmptyBase));
    let mut twice = ten();
    twice.push(ten()[3].clone());
    assert!(matches!(
        RfmBase::new(&twice),
        Err(RfmError::DuplicateCustomer { customer }) if customer.as_str() == "C3"
    ));
}

#[test]
fn insight_rfm_segment_goes_on_the_customer_and_into_segment_in() {
    let shop = eur_program(json!({"coupons": [{
        "id": "winback", "codes": ["COMEBACK"],
        "condition": {"segment_in": ["at-risk", "cant-lose"]},
        "reward": {"type": "amount_off", "amount": "5.00"}
    }]}));
    let scored = RfmBase::new(&ten())
        .unwrap()
        .segment(&SegmentRules::default());
    let when = at("2026-05-01T10:00:00Z");
    let discount_for = |c: &CustomerRfm| {
        let mut customer = Customer::from_id(c.customer.clone());
        if let Some(segment) = &c.segment {
            customer = customer.with_segment(segment.as_str()).unwrap();
        }
        let order = Order::builder("A-1", c.customer.as_str(), when, EUR)
            .line(Line::new("1", "TEA", 1, Money::parse("30.00", EUR).unwrap()).unwrap())
            .coupon("COMEBACK")
            .build()
            .unwrap();
        shop.evaluate(&Checkout::new(order, customer, when))
            .unwrap()
            .totals
            .discount
    };
    assert_eq!(discount_for(&scored[9]), d("5.00")); // cant-lose
    assert_eq!(discount_for(&scored[8]), d("5.00")); // at-risk
    assert_eq!(discount_for(&scored[0]), Decimal::ZERO); // champions
}

// ---- properties ----

fn base_strategy() -> impl Strategy<Value = Vec<RfmFigures>> {
    prop::collection::vec((0i64..400, 0u32..30, 0i64..50_000), 1..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (days, orders, cents))| {
                RfmFigures::new(&format!("C{i}"), days, orders, Decimal::new(cents, 2)).unwrap()
            })
            .collect()
    })
}

fn by_customer(scored: &[CustomerRfm]) -> HashMap<String, (RfmScores, Option<String>)> {
    scored
        .iter()
        .map(|c| {
            (
                c.customer.to_string(),
                (c.scores, c.segment.as_ref().map(|s| s.to_string())),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn insight_rfm_scores_are_1_to_5_and_everyone_is_segmented(base in base_strategy()) {
        let scored = RfmBase::new(&base).unwrap().segment(&SegmentRules::default());
        prop_assert_eq!(scored.len(), base.len());
        for c in &scored {
            for s in [c.scores.r, c.scores.f, c.scores.m] {
                prop_assert!((1..=5).contains(&s));
            }
            prop_assert!(c.segment.is_some());
        }
    }

    #[test]
    fn insight_rfm_more_spend_never_a_lower_m(
        base in base_strategy(),
        pick in any::<prop::sample::Index>(),
        more in 1i64..100_000,
    ) {
        let rfm = RfmBase::new(&base).unwrap();
        let scored = rfm.segment(&SegmentRules::default());
        // Within the base: more spend, no lower M; equal figures, equal scores.
        for (a, fa) in scored.iter().zip(&base) {
            for (b, fb) in scored.iter().zip(&base) {
                if fa.monetary > fb.monetary {
                    prop_assert!(a.scores.m >= b.scores.m);
                }
                if fa.monetary == fb.monetary {
                    prop_assert_eq!(a.scores.m, b.scores.m);
                }
            }
        }
        // The same customer spending more, the rest of the base unchanged.
        let i = pick.index(base.len());
        let mut richer = base.clone();
        richer[i].monetary += Decimal::new(more, 2);
        let after = RfmBase::new(&richer).unwrap().scores(&richer[i]);
        prop_assert!(after.m >= scored[i].scores.m);
        prop_assert_eq!((after.r, after.f), (scored[i].scores.r, scored[i].scores.f));
    }

    #[test]
    fn insight_rfm_independent_of_the_base_order(
        (base, shuffled) in base_strategy().prop_flat_map(|b| (Just(b.clone()), Just(b).prop_shuffle()))
    ) {
        let rules = SegmentRules::default();
        let one = RfmBase::new(&base).unwrap().segment(&rules);
        let two = RfmBase::new(&shuffled).unwrap().segment(&rules);
        prop_assert_eq!(by_customer(&one), by_customer(&two));
    }

    #[test]
    fn insight_profile_independent_of_the_history_order(
        (rows, shuffled) in prop::collection::vec((0i64..2000, 0i64..10_000, 0usize..4), 1..20)
            .prop_flat_map(|rows| {
                let n = rows.len();
                (Just(rows), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
            })
    ) {
        let skus = ["A", "B", "C", "D"];
        let orders: Vec<OrderRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, (hours, cents, sku))| {
                let when = at("2026-01-01T00:00:00Z") + chrono::Duration::hours(*hours);
                OrderRecord::new(format!("A-{i}"), "C-1", when, EUR)
                    .unwrap()
                    .line(RecordLine::new("1", skus[*sku], 1, Decimal::new(*cents, 2)).unwrap()
                        .category(skus[(*sku + 1) % 4]).unwrap())
            })
            .collect();
        let reordered: Vec<OrderRecord> = shuffled.iter().map(|&i| orders[i].clone()).collect();
        let now = at("2026-03-01T00:00:00Z");
        let options = ProfileOptions::new(EUR, Zone::parse("Europe/Lisbon").unwrap()).window_days(30);
        let one = Profile::from_history(&c1(), &orders, &[], now, &options).unwrap();
        let two = Profile::from_history(&c1(), &reordered, &[], now, &options).unwrap();
        prop_assert_eq!(&one, &two);
        let placed = orders.iter().filter(|o| o.placed_at <= now).count();
        prop_assert_eq!(one.orders as usize, placed);
        if let Some(aov) = one.average_order_value {
            prop_assert_eq!(aov.scale(), 2);
        }
    }
}

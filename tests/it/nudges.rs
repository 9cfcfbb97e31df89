//! Nudges: a hand-worked scenario per kind (one in São Paulo, where the
//! local day differs from UTC's), every kind off by default, validation
//! errors with their paths, JSON round trips, and as properties: no send
//! instant before `at`, and the output independent of the order of lists.

use chrono::{DateTime, NaiveDate, Utc};
use loyalty::calendar::Zone;
use loyalty::customer::{Birthday, Customer};
use loyalty::insight::nudges::{
    IntervalSource, NextTierRules, Nudge, NudgeError, NudgeInputs, NudgeKind, NudgeRules,
};
use loyalty::insight::profile::{OrderRecord, Profile, ProfileOptions, RecordLine};
use loyalty::money::Currency;
use loyalty::tiers::TierStatus;
use loyalty::wallet::{Amount, Entry, Ledger};
use proptest::prelude::*;
use serde_json::json;

use crate::util::cases;
use crate::util::common::{Basket, d, eval, seeds_program};

const EUR: Currency = Currency::EUR;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn rules(value: serde_json::Value) -> NudgeRules {
    serde_json::from_value(value).unwrap()
}

fn order(id: &str, when: &str, sku: &str, categories: &[&str]) -> OrderRecord {
    let mut line = RecordLine::new("1", sku, 1, d("10.00")).unwrap();
    for c in categories {
        line = line.category(*c).unwrap();
    }
    OrderRecord::new(id, "C-1", at(when), EUR)
        .unwrap()
        .line(line)
}

fn profile(orders: &[OrderRecord], now: &str, zone: Zone) -> Profile {
    let options = ProfileOptions::new(EUR, zone);
    Profile::from_history(&"C-1".parse().unwrap(), orders, &[], at(now), &options).unwrap()
}

fn sao_paulo() -> Zone {
    Zone::parse("America/Sao_Paulo").unwrap()
}

/// BEANS on 1 Jan, 31 Jan, 2 Mar (gaps 30, 30: median 30); TEA once on
/// 15 Feb, in category "tea".
fn history() -> Vec<OrderRecord> {
    vec![
        order("A-1", "2026-01-01T10:00:00Z", "BEANS", &[]),
        order("A-2", "2026-01-31T10:00:00Z", "BEANS", &[]),
        order("A-3", "2026-02-15T10:00:00Z", "TEA", &["tea"]),
        order("A-4", "2026-03-02T10:00:00Z", "BEANS", &[]),
    ]
}

#[test]
fn nudges_refill_from_the_customers_median_and_a_stated_category() {
    // BEANS: last 2 Mar + 30 days = due 1 Apr; 3 days before: from 29 Mar.
    // TEA: bought once, category "tea" every 45 days: 15 Feb + 45 = 1 Apr.
    let rules = rules(json!({"refill": {"categories": {"tea": 45}}}));
    let orders = history();
    let nudges_at = |now: &str| {
        let p = profile(&orders, now, Zone::UTC);
        let inputs = NudgeInputs::new().profile(&p).orders(&orders);
        rules.nudges(&inputs, at(now), Zone::UTC).unwrap()
    };
    assert!(nudges_at("2026-03-28T23:59:00Z").is_empty());
    let nudges = nudges_at("2026-03-29T07:00:00Z");
    assert_eq!(
        nudges,
        vec![
            Nudge::Refill {
                send_at: at("2026-03-29T10:00:00Z"),
                sku: "BEANS".parse().unwrap(),
                last_purchase: at("2026-03-02T10:00:00Z"),
                interval_days: 30,
                interval: IntervalSource::Customer,
                due: date("2026-04-01"),
            },
            Nudge::Refill {
                send_at: at("2026-03-29T10:00:00Z"),
                sku: "TEA".parse().unwrap(),
                last_purchase: at("2026-02-15T10:00:00Z"),
                interval_days: 45,
                interval: IntervalSource::Category,
                due: date("2026-04-01"),
            },
        ]
    );
    // Past 10:00 on the due day: sent at once; the day after: over.
    let late = nudges_at("2026-04-01T15:00:00Z");
    assert_eq!(late.len(), 2);
    assert!(
        late.iter()
            .all(|n| n.send_at() == at("2026-04-01T15:00:00Z"))
    );
    assert!(nudges_at("2026-04-02T00:00:00Z").is_empty());
}

#[test]
fn nudges_refill_a_stated_sku_interval_wins_over_the_customers() {
    // BEANS every 20 days: 2 Mar + 20 = due 22 Mar, from 19 Mar.
    let rules = rules(json!({"refill": {"days_before": 3, "skus": {"BEANS": 20}}}));
    let orders = history();
    let p = profile(&orders, "2026-03-20T12:00:00Z", Zone::UTC);
    let nudges = rules
        .nudges(
            &NudgeInputs::new().profile(&p),
            at("2026-03-20T12:00:00Z"),
            Zone::UTC,
        )
        .unwrap();
    assert!(matches!(
        &nudges[..],
        [Nudge::Refill { interval: IntervalSource::Sku, interval_days: 20, due, send_at, .. }]
            if *due == date("2026-03-22") && *send_at == at("2026-03-20T12:00:00Z")
    ));
}

#[test]
fn nudges_points_expiring_within_the_window() {
    // 120 points expire at 1 Apr 00:00 UTC: last day 31 Mar. Within 14
    // days of 20 Mar (up to 3 Apr): yes; of 10 Mar (up to 24 Mar): no.
    let lot = Entry::earned(
        "shop/A-1/points",
        "C-1".parse().unwrap(),
        "A-1".parse().unwrap(),
        Amount::points(120),
        at("2026-01-01T10:00:00Z"),
        at("2026-01-01T10:00:00Z"),
        Some(at("2026-04-01T00:00:00Z")),
    )
    .unwrap();
    let ledger = Ledger::from_entries([lot]).unwrap();
    let rules = rules(json!({"points_expiring": {}}));
    let run = |now: &str| {
        let balance = ledger.balance_at(at(now)).unwrap();
        rules
            .nudges(&NudgeInputs::new().balance(&balance), at(now), Zone::UTC)
            .unwrap()
    };
    assert!(run("2026-03-10T12:00:00Z").is_empty());
    let nudges = run("2026-03-20T08:00:00Z");
    match &nudges[..] {
        [
            Nudge::PointsExpiring {
                send_at,
                amount,
                last_day,
                expirations,
            },
        ] => {
            assert_eq!(*send_at, at("2026-03-20T10:00:00Z"));
            assert_eq!(*amount, d("120"));
            assert_eq!(*last_day, date("2026-03-31"));
            assert_eq!(expirations.len(), 1);
        }
        other => panic!("{other:?}"),
    }
}

fn tier_status(have: &str, missing: &str) -> TierStatus {
    serde_json::from_value(json!({
        "at": "2026-03-20T12:00:00Z", "currency": "EUR", "time_zone": "UTC",
        "tier": null, "since": null, "held_until": null, "qualified": null,
        "figures": {"spend": have, "orders": 3, "points": "0"},
        "next": {"tier": "gold", "met": false, "measures": [
            {"measure": "spend", "have": have, "need": "500.00", "missing": missing}
        ]}
    }))
    .unwrap()
}

#[test]
fn nudges_next_tier_within_a_share_or_an_amount() {
    let now = at("2026-03-20T12:00:00Z");
    let share = rules(json!({"next_tier": {}}));
    // 80.00 of 500.00 missing: 16% ≤ 20%.
    let close = tier_status("420.00", "80.00");
    let nudges = share
        .nudges(&NudgeInputs::new().tier(&close), now, Zone::UTC)
        .unwrap();
    match &nudges[..] {
        [
            Nudge::NextTier {
                tier,
                missing,
                send_at,
                ..
            },
        ] => {
            assert_eq!(tier.as_str(), "gold");
            assert_eq!(missing[0].missing, d("80.00"));
            assert_eq!(*send_at, now);
        }
        other => panic!("{other:?}"),
    }
    // 120.00 missing: 24% > 20%; but within a stated 150.00.
    let far = tier_status("380.00", "120.00");
    assert!(
        share
            .nudges(&NudgeInputs::new().tier(&far), now, Zone::UTC)
            .unwrap()
            .is_empty()
    );
    let amount = rules(json!({"next_tier": {"within_spend": "150.00"}}));
    assert_eq!(
        amount
            .nudges(&NudgeInputs::new().tier(&far), now, Zone::UTC)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn nudges_ladder_step_within_reach_on_a_saved_cart() {
    // 185.00 reaches 5% (step 1); 10% from 200.00 is 15.00 away.
    let cart = eval(
        &seeds_program(),
        &Basket::eur().line("TEA", 1, "185.00").build(),
    );
    let now = at("2026-11-27T11:00:00Z");
    let near = rules(json!({"ladder_step": {"within": "20.00"}}));
    let nudges = near
        .nudges(&NudgeInputs::new().cart(&cart), now, Zone::UTC)
        .unwrap();
    match &nudges[..] {
        [
            Nudge::LadderStep {
                step,
                from,
                missing,
                order,
                ..
            },
        ] => {
            assert_eq!((*step, *from, *missing), (2, d("200.00"), d("15.00")));
            assert_eq!(order.as_str(), "A-1");
        }
        other => panic!("{other:?}"),
    }
    let tight = rules(json!({"ladder_step": {"within": "10.00"}}));
    assert!(
        tight
            .nudges(&NudgeInputs::new().cart(&cart), now, Zone::UTC)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn nudges_milestone_win_back_and_segment() {
    // Four orders, the last on 2 Mar: the next is the 5th; 60 days after
    // 2 Mar is 1 May.
    let orders = history();
    let rules = rules(json!({"milestone": {"orders": [5, 50]}, "win_back": {"after_days": 60}}));
    let customer = Customer::new("C-1")
        .unwrap()
        .with_segment("at_risk")
        .unwrap();
    let run = |now: &str| {
        let p = profile(&orders, now, Zone::UTC);
        let inputs = NudgeInputs::new().profile(&p).customer(&customer);
        rules.nudges(&inputs, at(now), Zone::UTC).unwrap()
    };
    let before = run("2026-04-30T12:00:00Z");
    assert_eq!(
        before,
        vec![Nudge::Milestone {
            send_at: at("2026-04-30T12:00:00Z"),
            order_number: 5
        }]
    );
    let after = run("2026-05-01T08:00:00Z");
    assert_eq!(after.len(), 2);
    match &after[1] {
        Nudge::WinBack {
            send_at,
            days_since,
            segments,
            last_order,
        } => {
            assert_eq!(*send_at, at("2026-05-01T10:00:00Z"));
            assert_eq!(*days_since, 60);
            assert_eq!(*last_order, at("2026-03-02T10:00:00Z"));
            assert_eq!(segments[0].as_str(), "at_risk");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(after[0].kind(), NudgeKind::Milestone);
}

#[test]
fn nudges_birthday_month_in_the_programs_zone() {
    // 1 Jun 02:00 UTC is still 31 May 23:00 in São Paulo (UTC−3): no
    // June birthday there yet, but in UTC there is. At 05:00 UTC it is 1
    // June in São Paulo: planned 1 Jun 10:00 local = 13:00 UTC.
    let rules = rules(json!({"birthday": {}}));
    let customer = Customer::new("C-1")
        .unwrap()
        .with_birthday(Birthday::new(6, 14).unwrap());
    let inputs = NudgeInputs::new().customer(&customer);
    assert!(
        rules
            .nudges(&inputs, at("2026-06-01T02:00:00Z"), sao_paulo())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        rules
            .nudges(&inputs, at("2026-06-01T02:00:00Z"), Zone::UTC)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        rules
            .nudges(&inputs, at("2026-06-01T05:00:00Z"), sao_paulo())
            .unwrap(),
        vec![Nudge::Birthday {
            send_at: at("2026-06-01T13:00:00Z"),
            birthday: Birthday::new(6, 14).unwrap(),
            date: date("2026-06-14"),
        }]
    );
}

#[test]
fn nudges_thank_you_the_local_day_after_the_first_order() {
    // 2 Mar 22:30 UTC is 19:30 on 2 Mar in São Paulo: thanks planned for
    // 3 Mar 10:00 local = 13:00 UTC (in UTC it would be 3 Mar's next day).
    let orders = [order("A-1", "2026-03-02T22:30:00Z", "BEANS", &[])];
    let rules = rules(json!({"thank_you": {}}));
    let run = |now: &str, zone: Zone| {
        let p = profile(&orders, now, zone);
        rules
            .nudges(&NudgeInputs::new().profile(&p), at(now), zone)
            .unwrap()
    };
    assert_eq!(
        run("2026-03-02T23:00:00Z", sao_paulo()),
        vec![Nudge::ThankYou {
            send_at: at("2026-03-03T13:00:00Z"),
            first_order: at("2026-03-02T22:30:00Z"),
        }]
    );
    assert_eq!(
        run("2026-03-02T23:00:00Z", Zone::UTC)[0].send_at(),
        at("2026-03-03T10:00:00Z")
    );
    // 8 local days later: over (within 7).
    assert!(run("2026-03-10T12:00:00Z", sao_paulo()).is_empty());
}

#[test]
fn nudges_every_kind_is_off_by_default() {
    let orders = history();
    let now = "2026-03-29T07:00:00Z";
    let p = profile(&orders, now, Zone::UTC);
    let customer = Customer::new("C-1")
        .unwrap()
        .with_birthday(Birthday::new(3, 1).unwrap());
    let status = tier_status("420.00", "80.00");
    let inputs = NudgeInputs::new()
        .profile(&p)
        .orders(&orders)
        .customer(&customer)
        .tier(&status);
    let none: NudgeRules = serde_json::from_str("{}").unwrap();
    assert_eq!(none, NudgeRules::default());
    assert!(none.nudges(&inputs, at(now), Zone::UTC).unwrap().is_empty());
    // The same inputs with every kind on give some.
    let all = rules(json!({
        "refill": {}, "points_expiring": {}, "next_tier": {}, "ladder_step": {},
        "milestone": {"orders": [5]}, "win_back": {}, "birthday": {}, "thank_you": {}
    }));
    // The birthday was planned for 1 Mar 10:00, passed: sent at once;
    // the rest are planned for 29 Mar 10:00, in kind order.
    let kinds: Vec<NudgeKind> = all
        .nudges(&inputs, at(now), Zone::UTC)
        .unwrap()
        .iter()
        .map(Nudge::kind)
        .collect();
    assert_eq!(
        kinds,
        [
            NudgeKind::Birthday,
            NudgeKind::Refill,
            NudgeKind::NextTier,
            NudgeKind::Milestone
        ]
    );
}

#[test]
fn nudges_validation_names_the_path() {
    for (rules, path) in [
        (
            json!({"refill": {"skus": {"BEANS": -2}}}),
            "refill.skus.BEANS",
        ),
        (json!({"refill": {"days_before": -1}}), "refill.days_before"),
        (
            json!({"next_tier": {"within_percent": "0"}}),
            "next_tier.within_percent",
        ),
        (
            json!({"next_tier": {"within_percent": "100.01"}}),
            "next_tier.within_percent",
        ),
        (
            json!({"ladder_step": {"within": "-1"}}),
            "ladder_step.within",
        ),
        (
            json!({"milestone": {"orders": [5, 0]}}),
            "milestone.orders[1]",
        ),
        (
            json!({"thank_you": {"within_days": -7}}),
            "thank_you.within_days",
        ),
    ] {
        let err = serde_json::from_value::<NudgeRules>(rules)
            .unwrap_err()
            .to_string();
        assert!(err.contains(path), "{err} names {path}");
    }
    assert!(serde_json::from_value::<NudgeRules>(json!({"send_time": "25:00"})).is_err());
    assert!(serde_json::from_value::<NudgeRules>(json!({"birthday": {"x": 1}})).is_err());
    // A share of 100 is allowed; the typed error from a rules value built in Rust.
    assert!(
        serde_json::from_value::<NudgeRules>(json!({"next_tier": {"within_percent": "100"}}))
            .is_ok()
    );
    let mut built = NudgeRules::default();
    let mut tier = NextTierRules::default();
    tier.within_percent = d("-5");
    built.next_tier = Some(tier);
    assert_eq!(
        built.validate(),
        Err(NudgeError::Share {
            path: "next_tier.within_percent".into(),
            share: d("-5")
        })
    );
    assert!(
        built
            .nudges(&NudgeInputs::new(), at("2026-01-01T00:00:00Z"), Zone::UTC)
            .is_err()
    );
}

#[test]
fn nudges_json_round_trips() {
    let text = json!({
        "send_time": "09:30",
        "refill": {"days_before": 2, "skus": {"BEANS": 30}, "categories": {"coffee": 45}},
        "points_expiring": {"within_days": 14},
        "next_tier": {"within_percent": "20", "within_spend": "50.00"},
        "ladder_step": {"within": "20.00"},
        "milestone": {"orders": [5, 50]},
        "win_back": {"after_days": 60},
        "birthday": {},
        "thank_you": {"days_after": 1, "within_days": 7}
    });
    let rules: NudgeRules = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(serde_json::to_value(&rules).unwrap(), text);
    let orders = history();
    let p = profile(&orders, "2026-03-29T07:00:00Z", Zone::UTC);
    let nudges = rules
        .nudges(
            &NudgeInputs::new().profile(&p).orders(&orders),
            at("2026-03-29T07:00:00Z"),
            Zone::UTC,
        )
        .unwrap();
    // BEANS is due 1 Apr, nudged from 30 Mar (2 days before): not yet;
    // the 5th order is next.
    assert_eq!(nudges.len(), 1);
    let json = serde_json::to_value(&nudges).unwrap();
    assert_eq!(json[0]["nudge"], "milestone");
    assert_eq!(json[0]["order_number"], 5);
    assert_eq!(json[0]["send_at"], "2026-03-29T09:30:00Z");
    let back: Vec<Nudge> = serde_json::from_value(json).unwrap();
    assert_eq!(back, nudges);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    #[test]
    fn nudges_never_before_at_and_independent_of_input_order(
        picks in prop::collection::vec((0usize..3, 0i64..200, 0u32..24), 1..8),
        now_days in 0i64..260,
        now_hour in 0u32..24,
        plus_three in any::<bool>(),
    ) {
        let zone = if plus_three { Zone::parse("+03:00").unwrap() } else { sao_paulo() };
        let base = at("2026-01-01T00:00:00Z");
        let hours = |days: i64, hour: u32| base + chrono::Duration::hours(days * 24 + i64::from(hour));
        let skus = ["BEANS", "TEA", "SOAP"];
        let orders: Vec<OrderRecord> = picks.iter().enumerate().map(|(i, &(sku, day, hour))| {
            let line = RecordLine::new("1", skus[sku], 1, d("5.00")).unwrap()
                .category(if sku == 2 { "home" } else { "drinks" }).unwrap();
            OrderRecord::new(format!("A-{i}"), "C-1", hours(day, hour), EUR).unwrap().line(line)
        }).collect();
        let now = hours(now_days, now_hour);
        let options = ProfileOptions::new(EUR, zone);
        let p = Profile::from_history(&"C-1".parse().unwrap(), &orders, &[], now, &options).unwrap();
        let customer = Customer::new("C-1").unwrap()
            .with_birthday(Birthday::new(1 + (now_days as u32 % 12), 10).unwrap())
            .with_segment("b").unwrap().with_segment("a").unwrap();
        let rules = rules(json!({
            "send_time": "10:00",
            "refill": {"days_before": 5, "skus": {"BEANS": 14}, "categories": {"drinks": 20, "home": 40}},
            "milestone": {"orders": [1, 2, 3, 5]},
            "win_back": {"after_days": 10},
            "birthday": {},
            "thank_you": {"days_after": 1, "within_days": 30}
        }));
        let inputs = NudgeInputs::new().profile(&p).orders(&orders).customer(&customer);
        let nudges = rules.nudges(&inputs, now, zone).unwrap();
        for n in &nudges {
            prop_assert!(n.send_at() >= now, "{n:?} before {now}");
        }
        for pair in nudges.windows(2) {
            prop_assert!((pair[0].send_at(), pair[0].kind()) <= (pair[1].send_at(), pair[1].kind()));
        }
        let mut reversed = orders.clone();
        reversed.reverse();
        let q = Profile::from_history(&"C-1".parse().unwrap(), &reversed, &[], now, &options).unwrap();
        let other = Customer::new("C-1").unwrap()
            .with_birthday(Birthday::new(1 + (now_days as u32 % 12), 10).unwrap())
            .with_segment("a").unwrap().with_segment("b").unwrap();
        let again = rules.nudges(&NudgeInputs::new().profile(&q).orders(&reversed).customer(&other), now, zone).unwrap();
        prop_assert_eq!(nudges, again);
    }
}

#[test]
fn the_readme_rules_read_and_print_back_the_same() {
    let text = r#"{"send_time": "10:00",
 "refill": {"days_before": 3, "skus": {"BEANS": 30}, "categories": {"coffee": 45}},
 "points_expiring": {"within_days": 14},
 "next_tier": {"within_percent": "20", "within_spend": "50.00"},
 "ladder_step": {"within": "20.00"},
 "milestone": {"orders": [5, 50]},
 "win_back": {"after_days": 60},
 "birthday": {},
 "thank_you": {"days_after": 1, "within_days": 7}}"#;
    let rules: loyalty::insight::nudges::NudgeRules = serde_json::from_str(text).unwrap();
    let again: loyalty::insight::nudges::NudgeRules =
        serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
    assert_eq!(rules, again);
}

//! Segment rules and nudge settings as program data: the program's
//! `segments` and `nudges` read from JSON and TOML, their defaults, round
//! trips, the errors `Program::new` reports with their paths, the
//! warnings, the setters; a history carried through profile → RFM →
//! segment → customer → a segment-only coupon; the program's time zone in
//! its nudges. As properties: the program accepts exactly the tables and
//! settings the standalone types accept, with the same first path, and
//! its entry points give what the explicit-rules ones give.

use chrono::{DateTime, Utc};
use loyalty::calendar::Zone;
use loyalty::customer::{Birthday, Customer, CustomerId};
use loyalty::evaluate::Checkout;
use loyalty::insight::nudges::{Nudge, NudgeInputs};
use loyalty::insight::profile::{OrderRecord, RecordLine};
use loyalty::insight::rfm::{RfmBase, RfmFigures};
use loyalty::money::{Currency, Money};
use loyalty::order::{Line, Order};
use loyalty::program::{Program, ProgramDefinition, ProgramError};
use loyalty::rules::coupon::Rejection;
use loyalty::rules::nudge::{
    BirthdayRules, ExpiringRules, LadderStepRules, MilestoneRules, NextTierRules, NudgeError,
    NudgeRules, RefillRules, ThankYouRules, WinBackRules,
};
use loyalty::rules::segment::{RfmError, RfmScores, SegmentRule, SegmentRules};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::util::cases;
use crate::util::common::d;

const EUR: Currency = Currency::EUR;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// `{"id": "shop", "currency": "EUR", ...extra}`.
fn definition(extra: Value) -> ProgramDefinition {
    let mut base = json!({"id": "shop", "currency": "EUR"});
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn error(extra: Value) -> ProgramError {
    Program::new(definition(extra)).expect_err("an invalid program")
}

/// Every error of a program, first and others, as `path: problem`.
fn all_errors(error: &ProgramError) -> Vec<String> {
    std::iter::once(error)
        .chain(error.others())
        .map(|e| format!("{}: {}", e.path(), e.problem()))
        .collect()
}

fn warnings(program: &Program) -> Vec<String> {
    program.warnings().iter().map(ToString::to_string).collect()
}

/// A table written in full (every range given), so that it prints back
/// as written.
fn vip_table() -> Value {
    json!([
        {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [1, 5]},
        {"segment": "regular", "r": [1, 5], "f": [2, 5], "m": [1, 5]},
        {"segment": "one-off", "r": [1, 5], "f": [1, 5], "m": [1, 5]}
    ])
}

/// Nudge settings written in full (every default written out).
fn nudge_settings() -> Value {
    json!({
        "send_time": "09:30",
        "refill": {"days_before": 2, "skus": {"BEANS": 30}, "categories": {"coffee": 45}},
        "points_expiring": {"within_days": 10},
        "next_tier": {"within_percent": "15", "within_spend": "40.00"},
        "ladder_step": {"within": "12.50"},
        "milestone": {"orders": [5, 50]},
        "win_back": {"after_days": 45},
        "birthday": {},
        "thank_you": {"days_after": 2, "within_days": 7}
    })
}

#[test]
fn program_segments_and_nudges_default_when_left_out() {
    let definition = definition(json!({}));
    assert_eq!(definition.segments, SegmentRules::default().rules());
    assert_eq!(definition.nudges, NudgeRules::default());
    let program = Program::new(definition.clone()).unwrap();
    assert_eq!(program.segments(), &SegmentRules::default());
    assert!(program.segments().is_default());
    assert!(program.nudge_rules().is_default());
    assert!(program.warnings().is_empty());
    // Left out when printed, so a program file stays as short as written.
    let printed = serde_json::to_value(&definition).unwrap();
    assert!(printed.get("segments").is_none(), "{printed}");
    assert!(printed.get("nudges").is_none(), "{printed}");
    // The default table written out reads as the default, and prints as
    // left out; so do the nudges with every kind off.
    let written = self::definition(json!({
        "segments": serde_json::to_value(SegmentRules::default()).unwrap(),
        "nudges": {"send_time": "10:00"}
    }));
    assert_eq!(written, definition);
    assert_eq!(serde_json::to_value(&written).unwrap(), printed);
}

#[test]
fn program_custom_segments_and_nudges_read_and_round_trip() {
    let definition = definition(json!({"segments": vip_table(), "nudges": nudge_settings()}));
    let program = Program::new(definition.clone()).unwrap();
    // The same as the standalone types read from the same JSON.
    let table: SegmentRules = serde_json::from_value(vip_table()).unwrap();
    let nudges: NudgeRules = serde_json::from_value(nudge_settings()).unwrap();
    assert_eq!(program.segments(), &table);
    assert_eq!(program.nudge_rules(), &nudges);
    assert!(program.segments().is_complete());
    assert!(program.warnings().is_empty(), "{:?}", warnings(&program));
    // Printed as written, and read back to the same definition.
    let printed = serde_json::to_value(&definition).unwrap();
    assert_eq!(printed["segments"], vip_table());
    assert_eq!(printed["nudges"], nudge_settings());
    let back: ProgramDefinition = serde_json::from_value(printed).unwrap();
    assert_eq!(back, definition);
    // A range left out is any score: R4 F1 is no vip (F 1 < 4), no regular
    // (F 1 < 2), and one-off.
    let short = self::definition(json!({"segments": [
        {"segment": "vip", "r": [4, 5], "f": [4, 5]},
        {"segment": "regular", "f": [2, 5]},
        {"segment": "one-off"}
    ]}));
    assert_eq!(short, definition.clone().nudges(NudgeRules::default()));
    let scores = RfmScores::new(4, 1, 5).unwrap();
    assert_eq!(
        program.segments().segment_of(scores).map(|s| s.as_str()),
        Some("one-off")
    );
    let vip = RfmScores::new(5, 4, 1).unwrap();
    assert_eq!(
        program.segments().segment_of(vip).map(|s| s.as_str()),
        Some("vip")
    );
}

#[test]
fn program_segments_and_nudges_read_from_toml_as_from_json() {
    let toml_text = r#"
id = "shop"
currency = "EUR"

[[segments]]
segment = "vip"
r = [4, 5]
f = [4, 5]
m = [1, 5]

[[segments]]
segment = "regular"
r = [1, 5]
f = [2, 5]
m = [1, 5]

[[segments]]
segment = "one-off"
r = [1, 5]
f = [1, 5]
m = [1, 5]

[nudges]
send_time = "09:30"
refill = { days_before = 2, skus = { BEANS = 30 }, categories = { coffee = 45 } }
points_expiring = { within_days = 10 }
next_tier = { within_percent = "15", within_spend = "40.00" }
ladder_step = { within = "12.50" }
milestone = { orders = [5, 50] }
win_back = { after_days = 45 }
birthday = {}
thank_you = { days_after = 2, within_days = 7 }
"#;
    let from_toml: ProgramDefinition = toml::from_str(toml_text).unwrap();
    assert_eq!(
        from_toml,
        definition(json!({"segments": vip_table(), "nudges": nudge_settings()}))
    );
}

#[test]
fn program_segments_and_nudges_by_setters() {
    let rules = SegmentRules::new(vec![
        SegmentRule::new("vip").unwrap().r(4, 5).f(4, 5),
        SegmentRule::new("regular").unwrap().f(2, 5),
        SegmentRule::new("one-off").unwrap(),
    ])
    .unwrap();
    let nudges = NudgeRules::new()
        .send_time("09:30:00".parse().unwrap())
        .refill(
            RefillRules::new(2)
                .sku("BEANS".parse().unwrap(), 30)
                .category("coffee".parse().unwrap(), 45),
        )
        .points_expiring(ExpiringRules::new(10))
        .next_tier(NextTierRules::new(d("15")).within_spend(d("40.00")))
        .ladder_step(LadderStepRules::new(d("12.50")))
        .milestone(MilestoneRules::new([5, 50]))
        .win_back(WinBackRules::new(45))
        .birthday(BirthdayRules::new())
        .thank_you(ThankYouRules::new(2, 7));
    let built = ProgramDefinition::new("shop", EUR)
        .segments(rules.clone())
        .nudges(nudges.clone());
    assert_eq!(
        built,
        definition(json!({"segments": vip_table(), "nudges": nudge_settings()}))
    );
    // A list of rules does as well as validated rules.
    let from_list = ProgramDefinition::new("shop", EUR).segments(rules.rules().to_vec());
    assert_eq!(from_list.segments, built.segments);
    let program = Program::new(built).unwrap();
    assert_eq!(program.segments(), &rules);
    assert_eq!(program.nudge_rules(), &nudges);
}

#[test]
fn program_segment_errors_name_the_rule_and_the_range() {
    // Every bad range is reported, rule by rule, r then f then m; the
    // shadowing check waits for valid ranges.
    let e = error(json!({"segments": [
        {"segment": "a", "r": [5, 5]},
        {"segment": "b", "f": [0, 5]},
        {"segment": "c"},
        {"segment": "d", "r": [4, 2], "m": [3, 9]},
        {"segment": "e", "f": [6, 2]}
    ]}));
    assert_eq!(
        all_errors(&e),
        [
            "segments[1].f: [0, 5] goes outside 1–5: scores are 1 to 5, so a range is within [1, 5]",
            "segments[3].r: low 4 above high 2: a range of scores is [low, high] with low ≤ high, as [2, 4], each 1 to 5",
            "segments[3].m: [3, 9] goes outside 1–5: scores are 1 to 5, so a range is within [1, 5]",
            "segments[4].f: low 6 above high 2: a range of scores is [low, high] with low ≤ high, each 1 to 5",
        ]
    );
    assert_eq!(e.path(), "segments[1].f");
    // Every rule the rules before it shadow.
    let e = error(json!({"segments": [
        {"segment": "all"},
        {"segment": "recent", "r": [5, 5]},
        {"segment": "also", "f": [1, 1]}
    ]}));
    assert_eq!(
        all_errors(&e),
        [
            "segments[1]: the rule for segment \"recent\" never matches: the rules before it take every score it covers; narrow them, move this rule up, or remove it",
            "segments[2]: the rule for segment \"also\" never matches: the rules before it take every score it covers; narrow them, move this rule up, or remove it",
        ]
    );
    // A rule shadowed by two before it together: of late's R 5 × F 3–4,
    // R5 F3 is top's and R5 F4 is frequent's.
    let e = error(json!({"segments": [
        {"segment": "top", "r": [4, 5], "f": [1, 3]},
        {"segment": "frequent", "f": [4, 5]},
        {"segment": "late", "r": [5, 5], "f": [3, 4]}
    ]}));
    assert_eq!(e.path(), "segments[2]");
    // No rule at all.
    assert_eq!(
        error(json!({"segments": []})).to_string(),
        "segments: an empty list of segment rules means nothing: give at least one, or leave the field out"
    );
    // The standalone type refuses the same tables with the same first rule.
    let standalone = |v: Value| SegmentRules::new(serde_json::from_value(v).unwrap());
    assert!(matches!(
        standalone(json!([{"segment": "a"}, {"segment": "b", "r": [4, 2]}])),
        Err(RfmError::BadRange {
            index: 1,
            measure: "r",
            low: 4,
            high: 2,
            ..
        })
    ));
    // A program file whose table is refused still reads: the error comes
    // from Program::new, with the program's path.
    let text = r#"{"id": "shop", "currency": "EUR", "segments": [{"segment": "x", "m": [0, 5]}]}"#;
    let definition: ProgramDefinition = serde_json::from_str(text).unwrap();
    assert_eq!(
        Program::new(definition).unwrap_err().path(),
        "segments[0].m"
    );
    // A shape error is still a deserialisation error.
    assert!(
        serde_json::from_str::<ProgramDefinition>(
            r#"{"id": "shop", "currency": "EUR", "segments": [{"segment": "x", "q": [1, 2]}]}"#
        )
        .is_err()
    );
    assert!(
        serde_json::from_str::<ProgramDefinition>(
            r#"{"id": "shop", "currency": "EUR", "segments": [{"segment": " "}]}"#
        )
        .is_err()
    );
}

#[test]
fn program_incomplete_segments_warn_with_the_first_unnamed_scores() {
    // vip takes R 4–5 × F 4–5 × M 4–5 = 2·2·2 = 8 of the 125.
    let program = Program::new(definition(json!({"segments": [
        {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]}
    ]})))
    .unwrap();
    assert!(!program.segments().is_complete());
    assert_eq!(
        warnings(&program),
        [
            "segments: the rules leave 117 of the 125 combinations of scores unnamed (the first: R1 F1 M1): those customers get no segment; end with a rule without ranges to name them all"
        ]
    );
    // R 1 only: 1·5·5 = 25 taken, 100 left, the first of them R2 F1 M1.
    let program = Program::new(definition(
        json!({"segments": [{"segment": "gone", "r": [1, 1]}]}),
    ))
    .unwrap();
    assert_eq!(
        warnings(&program),
        [
            "segments: the rules leave 100 of the 125 combinations of scores unnamed (the first: R2 F1 M1): those customers get no segment; end with a rule without ranges to name them all"
        ]
    );
    // vip's 8, then M 5: 25 less the 4 vip has (R 4–5, F 4–5, M 5) = 21;
    // 29 taken, 96 left.
    let program = Program::new(definition(json!({"segments": [
        {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
        {"segment": "big-spender", "m": [5, 5]}
    ]})))
    .unwrap();
    assert!(warnings(&program)[0].contains("leave 96 of the 125"));
    // A last rule without ranges: nothing is left, no warning.
    let program = Program::new(definition(json!({"segments": [
        {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
        {"segment": "rest"}
    ]})))
    .unwrap();
    assert!(program.warnings().is_empty());
}

#[test]
fn program_nudge_errors_name_the_path_under_nudges() {
    let bad = json!({
        "refill": {"skus": {"BEANS": -2, "TEA": -1}},
        "next_tier": {"within_percent": "0"},
        "ladder_step": {"within": "-1"},
        "milestone": {"orders": [0, 5, 0]},
        "thank_you": {"within_days": -7}
    });
    // The program file reads; Program::new refuses every value.
    let e = error(json!({"nudges": bad}));
    assert_eq!(
        all_errors(&e),
        [
            "nudges.refill.skus.BEANS: -2 days is negative: give 0 or more",
            "nudges.refill.skus.TEA: -1 days is negative: give 0 or more",
            "nudges.next_tier.within_percent: 0 is not a percent: give a value above 0 and at most 100",
            "nudges.ladder_step.within: amount -1 is negative: give zero or more",
            "nudges.milestone.orders[0]: orders are numbered from 1 (the first order): 0 never matches",
            "nudges.milestone.orders[2]: orders are numbered from 1 (the first order): 0 never matches",
            "nudges.thank_you.within_days: -7 days is negative: give 0 or more",
        ]
    );
    // The standalone type refuses the same, naming the first path.
    let standalone = serde_json::from_value::<NudgeRules>(bad).unwrap_err();
    assert!(
        standalone
            .to_string()
            .starts_with("refill.skus.BEANS is -2"),
        "{standalone}"
    );
    // Errors of segments and nudges come after the other rules', in the
    // order of the fields.
    let e = error(json!({
        "ladders": [{"id": "l", "steps": []}],
        "segments": [{"segment": "x", "r": [0, 1]}],
        "nudges": {"win_back": {"after_days": -1}}
    }));
    let paths: Vec<&str> = std::iter::once(&e)
        .chain(e.others())
        .map(ProgramError::path)
        .collect();
    assert_eq!(
        paths,
        [
            "ladders[0].steps",
            "segments[0].r",
            "nudges.win_back.after_days"
        ]
    );
    // A send time that is no time is refused when the file is read.
    assert!(
        serde_json::from_value::<ProgramDefinition>(
            json!({"id": "shop", "currency": "EUR", "nudges": {"send_time": "25:00"}})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<ProgramDefinition>(
            json!({"id": "shop", "currency": "EUR", "nudges": {"winback": {}}})
        )
        .is_err()
    );
}

#[test]
fn program_nudge_settings_that_look_wrong_warn() {
    let program = Program::new(definition(json!({"nudges": {
        "refill": {"days_before": 0, "skus": {"BEANS": 0}, "categories": {"tea": 0}},
        "points_expiring": {"within_days": 0},
        "next_tier": {"within_percent": "0.2"},
        "ladder_step": {"within": "0"},
        "milestone": {},
        "win_back": {"after_days": 0},
        "thank_you": {"days_after": 2, "within_days": 1}
    }})))
    .unwrap();
    assert_eq!(
        warnings(&program),
        [
            "nudges.refill.days_before: 0 days: the refill is nudged on its due day only, with no notice before",
            "nudges.refill.skus.BEANS: 0 days: the refill is due the day it is bought",
            "nudges.refill.categories.tea: 0 days: the refill is due the day it is bought",
            "nudges.points_expiring.within_days: 0 days: only points that expire at the end of today are announced",
            "nudges.next_tier.within_percent: percent 0.2 is below 1: did you mean 20?",
            "nudges.ladder_step.within: this nudge is on but can never be given: a step is in reach only with something missing, and within 0 allows nothing",
            "nudges.milestone.orders: this nudge is on but can never be given: no order number is listed",
            "nudges.win_back.after_days: 0 days: every customer is a win-back from the day of their last order",
            "nudges.thank_you.days_after: the thanks is planned 2 days after the first order, but given only while that order's age in days is at most 1: a host that asks on the planned day gets nothing",
        ]
    );
    // The defaults written out warn of nothing; a thanks planned on the
    // last day it is given does not either.
    let program = Program::new(definition(json!({"nudges": {
        "refill": {}, "points_expiring": {}, "next_tier": {}, "ladder_step": {},
        "milestone": {"orders": [5]}, "win_back": {}, "birthday": {},
        "thank_you": {"days_after": 7, "within_days": 7}
    }})))
    .unwrap();
    assert!(program.warnings().is_empty(), "{:?}", warnings(&program));
}

/// An order of `customer` with one line of 20.00 of TEA, at 10:00 UTC.
fn record(id: &str, customer: &str, day: &str) -> OrderRecord {
    OrderRecord::new(id, customer, at(&format!("{day}T10:00:00Z")), EUR)
        .unwrap()
        .line(RecordLine::new("1", "TEA", 1, d("20.00")).unwrap())
}

#[test]
fn program_history_to_segment_to_a_segment_only_coupon() {
    let program = Program::new(definition(json!({
        "time_zone": "Europe/Lisbon",
        "segments": vip_table(),
        "coupons": [
            {"id": "vip-thanks", "codes": ["VIPONLY"], "segments": ["vip"],
             "reward": {"type": "percent_off", "percent": "10"}},
            {"id": "regulars", "codes": ["REGULAR5"], "condition": {"segment_in": ["regular"]},
             "reward": {"type": "amount_off", "amount": "5.00"}}
        ]
    })))
    .unwrap();
    let now = at("2026-06-30T12:00:00Z");
    let histories: [(&str, &[&str]); 5] = [
        (
            "C-1",
            &["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-25"],
        ),
        ("C-2", &["2026-04-01", "2026-05-01", "2026-06-20"]),
        ("C-3", &["2026-04-01", "2026-05-01"]),
        ("C-4", &["2026-03-01"]),
        ("C-5", &["2026-06-28"]),
    ];
    let mut figures = Vec::new();
    for (customer, days) in histories {
        let orders: Vec<OrderRecord> = days
            .iter()
            .enumerate()
            .map(|(i, day)| record(&format!("{customer}-{i}"), customer, day))
            .collect();
        let id: CustomerId = customer.parse().unwrap();
        let profile = program.profile(&id, &orders, &[], now, 90).unwrap();
        figures.extend(RfmFigures::from_profile(&profile));
    }
    // Local days since the last order (Lisbon, orders at 11:00 local):
    // C-1 5, C-2 10, C-3 60, C-4 121, C-5 2; orders 4, 3, 2, 1, 1.
    let days: Vec<i64> = figures.iter().map(|f| f.recency_days).collect();
    assert_eq!(days, [5, 10, 60, 121, 2]);
    // Scores are 1 + (customers strictly below), out of 5:
    // R: C-5 4 below → 5, C-1 3 → 4, C-2 2 → 3, C-3 1 → 2, C-4 0 → 1;
    // F: 4 orders 4 below → 5, 3 → 4, 2 → 3, the two single orders → 1.
    // vip takes R 4–5 with F 4–5 (C-1 only: C-5 has F 1); regular F 2–5.
    let scored = RfmBase::new(&figures).unwrap().segment_with(&program);
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
        ("C-1", "R4 F5 M5", "vip"),
        ("C-2", "R3 F4 M4", "regular"),
        ("C-3", "R2 F3 M3", "regular"),
        ("C-4", "R1 F1 M1", "one-off"),
        ("C-5", "R5 F1 M1", "one-off"),
    ]
    .map(|(c, s, g)| (c.to_owned(), s.to_owned(), Some(g)));
    assert_eq!(got, want);
    // Each segment on its customer, into a checkout of 50.00.
    let when = at("2026-07-01T09:00:00Z");
    let checkout = |i: usize, code: &str| {
        let c = &scored[i];
        let customer = Customer::from_id(c.customer.clone())
            .with_segment(c.segment.as_ref().unwrap().as_str())
            .unwrap();
        assert!(customer.in_segment(c.segment.as_deref().unwrap()));
        let order = Order::builder("N-1", c.customer.as_str(), when, EUR)
            .line(Line::new("1", "TEA", 1, Money::parse("50.00", EUR).unwrap()).unwrap())
            .coupon(code)
            .build()
            .unwrap();
        program
            .evaluate(&Checkout::new(order, customer, when))
            .unwrap()
    };
    // The vip: 10% of 50.00 = 5.00.
    assert_eq!(checkout(0, "VIPONLY").totals.discount, d("5.00"));
    // A regular: refused for its segment, nothing off.
    let refused = checkout(1, "VIPONLY");
    assert_eq!(refused.totals.discount, Decimal::ZERO);
    assert!(matches!(
        &refused.coupon("VIPONLY").unwrap().rejection,
        Some(Rejection::SegmentNotAllowed { allowed }) if allowed.len() == 1 && allowed[0].as_str() == "vip"
    ));
    // The same segment in a segment_in condition: 5.00 off for a regular,
    // nothing for the one-off.
    assert_eq!(checkout(2, "REGULAR5").totals.discount, d("5.00"));
    assert_eq!(checkout(4, "REGULAR5").totals.discount, Decimal::ZERO);
}

#[test]
fn program_nudges_count_days_in_the_program_zone() {
    // São Paulo is UTC−3 all year.
    let program = Program::new(definition(json!({
        "time_zone": "America/Sao_Paulo",
        "nudges": {"send_time": "09:30", "win_back": {"after_days": 45}, "birthday": {}}
    })))
    .unwrap();
    let zone = program.calendar().zone();
    // The last order at 02:00 UTC on 10 January: 23:00 on 9 January local.
    let orders = [
        OrderRecord::new("A-1", "C-1", at("2026-01-10T02:00:00Z"), EUR)
            .unwrap()
            .line(RecordLine::new("1", "TEA", 1, d("20.00")).unwrap()),
    ];
    let now = at("2026-02-23T03:00:00Z"); // 23 February, 00:00 local
    let id: CustomerId = "C-1".parse().unwrap();
    let profile = program.profile(&id, &orders, &[], now, 90).unwrap();
    let inputs = NudgeInputs::new().profile(&profile);
    // Local days: 9 January → 23 February = 22 + 23 = 45, so the win-back
    // is due, planned for 9 January + 45 = 23 February at 09:30 local,
    // 12:30 UTC.
    let nudges = program.nudges(&inputs, now).unwrap();
    assert_eq!(
        nudges,
        [Nudge::WinBack {
            send_at: at("2026-02-23T12:30:00Z"),
            last_order: at("2026-01-10T02:00:00Z"),
            days_since: 45,
            segments: vec![],
        }]
    );
    assert_eq!(
        nudges,
        program.nudge_rules().nudges(&inputs, now, zone).unwrap()
    );
    // In UTC the same order is on 10 January: 44 days, not yet due.
    assert!(
        program
            .nudge_rules()
            .nudges(&inputs, now, Zone::UTC)
            .unwrap()
            .is_empty()
    );
    // The birthday month is the local one: 01:00 UTC on 1 June is still
    // 31 May in São Paulo, so a June birthday is not this month yet.
    let june = Customer::new("C-1")
        .unwrap()
        .with_birthday(Birthday::new(6, 14).unwrap());
    let inputs = NudgeInputs::new().customer(&june);
    let early = at("2026-06-01T01:00:00Z");
    assert!(program.nudges(&inputs, early).unwrap().is_empty());
    assert_eq!(
        program
            .nudge_rules()
            .nudges(&inputs, early, Zone::UTC)
            .unwrap()
            .len(),
        1
    );
    // At 03:00 UTC it is June locally: planned for 1 June 09:30 local.
    let nudges = program.nudges(&inputs, at("2026-06-01T03:00:00Z")).unwrap();
    assert!(matches!(
        &nudges[..],
        [Nudge::Birthday { send_at, .. }] if *send_at == at("2026-06-01T12:30:00Z")
    ));
}

#[test]
fn rfm_scores_are_checked_when_built() {
    assert_eq!(RfmScores::new(1, 5, 3).unwrap().to_string(), "R1 F5 M3");
    assert_eq!(
        RfmScores::new(0, 5, 3),
        Err(RfmError::Score {
            measure: "r",
            score: 0
        })
    );
    assert_eq!(
        RfmScores::new(1, 5, 6).unwrap_err().to_string(),
        "m score 6 is not a score: scores are 1 to 5"
    );
}

// ---- properties ----

/// A range, valid eight times in nine.
fn range() -> impl Strategy<Value = (u8, u8)> {
    prop_oneof![
        8 => (1u8..=5).prop_flat_map(|low| (Just(low), low..=5u8)),
        1 => (0u8..=6, 0u8..=6),
    ]
}

/// Up to six rules over four segment names, a catch-all last one time in
/// two.
fn table() -> impl Strategy<Value = Vec<Value>> {
    (
        prop::collection::vec((0usize..4, range(), range(), range()), 0..6),
        any::<bool>(),
    )
        .prop_map(|(rows, catch_all)| {
            let names = ["vip", "regular", "sleepy", "gone"];
            let mut rules: Vec<Value> = rows
                .into_iter()
                .map(|(name, r, f, m)| {
                    json!({"segment": names[name], "r": [r.0, r.1], "f": [f.0, f.1], "m": [m.0, m.1]})
                })
                .collect();
            if catch_all {
                rules.push(json!({"segment": "rest"}));
            }
            rules
        })
}

fn base() -> impl Strategy<Value = Vec<RfmFigures>> {
    prop::collection::vec((0i64..400, 0u32..30, 0i64..50_000), 1..30).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (days, orders, cents))| {
                RfmFigures::new(&format!("C{i}"), days, orders, Decimal::new(cents, 2)).unwrap()
            })
            .collect()
    })
}

/// The path a program gives the first refusal of a standalone table.
fn segment_path(error: &RfmError) -> String {
    match error {
        RfmError::NoRules => "segments".to_owned(),
        RfmError::BadRange { index, measure, .. } => format!("segments[{index}].{measure}"),
        RfmError::Unreachable { index, .. } => format!("segments[{index}]"),
        other => panic!("not a table's error: {other}"),
    }
}

/// The path a program gives a standalone nudge error.
fn nudge_path(error: &NudgeError) -> String {
    let path = match error {
        NudgeError::NegativeDays { path, .. }
        | NudgeError::Share { path, .. }
        | NudgeError::NegativeAmount { path, .. }
        | NudgeError::ZeroMilestone { path } => path,
        other => panic!("not a setting's error: {other}"),
    };
    format!("nudges.{path}")
}

/// Nudge settings with every kind on or off and values a little either
/// side of zero.
fn settings() -> impl Strategy<Value = NudgeRules> {
    let days = || prop::option::of(-2i64..40);
    (
        (days(), days(), days(), days()),
        prop::option::of((-5i64..120, prop::option::of(-5i64..60))),
        prop::option::of(-3i64..30),
        prop::option::of(prop::collection::vec(0u32..8, 0..4)),
        (
            prop::option::of((-1i64..5, -1i64..10)),
            any::<bool>(),
            0u32..24,
        ),
    )
        .prop_map(
            |(
                (refill, sku, expiring, win_back),
                tier,
                ladder,
                milestone,
                (thanks, birthday, hour),
            )| {
                let mut rules = NudgeRules::new()
                    .send_time(chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
                if let Some(before) = refill {
                    let mut r = RefillRules::new(before).category("drinks".parse().unwrap(), 20);
                    if let Some(days) = sku {
                        r = r.sku("BEANS".parse().unwrap(), days);
                    }
                    rules = rules.refill(r);
                }
                if let Some(days) = expiring {
                    rules = rules.points_expiring(ExpiringRules::new(days));
                }
                if let Some(days) = win_back {
                    rules = rules.win_back(WinBackRules::new(days));
                }
                if let Some((percent, spend)) = tier {
                    let mut t = NextTierRules::new(Decimal::from(percent));
                    if let Some(spend) = spend {
                        t = t.within_spend(Decimal::from(spend));
                    }
                    rules = rules.next_tier(t);
                }
                if let Some(within) = ladder {
                    rules = rules.ladder_step(LadderStepRules::new(Decimal::from(within)));
                }
                if let Some(orders) = milestone {
                    rules = rules.milestone(MilestoneRules::new(orders));
                }
                if let Some((after, within)) = thanks {
                    rules = rules.thank_you(ThankYouRules::new(after, within));
                }
                if birthday {
                    rules = rules.birthday(BirthdayRules::new());
                }
                rules
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn program_segments_accept_what_the_standalone_table_accepts_and_segment_alike(
        rules in table(),
        base in base(),
    ) {
        let standalone = SegmentRules::new(serde_json::from_value(Value::Array(rules.clone())).unwrap());
        let program = Program::new(definition(json!({"segments": rules})));
        match (&standalone, &program) {
            (Ok(table), Ok(program)) => {
                prop_assert_eq!(program.segments(), table);
                let warned = program.warnings().iter().any(|w| w.path() == "segments");
                prop_assert_eq!(warned, !table.is_complete());
                let rfm = RfmBase::new(&base).unwrap();
                prop_assert_eq!(rfm.segment_with(program), rfm.segment(table));
                // Every customer named, or the table warned.
                let unnamed = rfm.segment_with(program).iter().any(|c| c.segment.is_none());
                prop_assert!(!unnamed || warned);
            }
            (Err(e), Err(p)) => prop_assert_eq!(p.path(), segment_path(e)),
            (s, p) => prop_assert!(false, "standalone {s:?}, program {p:?}"),
        }
    }

    #[test]
    fn program_nudges_accept_what_the_standalone_rules_accept_and_nudge_alike(
        rules in settings(),
        picks in prop::collection::vec((0usize..3, 0i64..200, 0u32..24), 0..6),
        now_days in 0i64..220,
        now_hour in 0u32..24,
        zone in 0usize..4,
        birthday_month in 1u32..=12,
    ) {
        let zone = ["UTC", "America/Sao_Paulo", "+03:00", "Asia/Kolkata"][zone];
        let definition = ProgramDefinition::new("shop", EUR)
            .time_zone(Zone::parse(zone).unwrap())
            .nudges(rules.clone());
        // The program file of those settings reads back to them.
        let printed = serde_json::to_value(&definition).unwrap();
        prop_assert_eq!(&serde_json::from_value::<ProgramDefinition>(printed).unwrap(), &definition);
        let program = Program::new(definition);
        match (rules.validate(), &program) {
            (Ok(()), Ok(program)) => {
                let base = at("2026-01-01T00:00:00Z");
                let hours = |days: i64, hour: u32| base + chrono::Duration::hours(days * 24 + i64::from(hour));
                let skus = ["BEANS", "TEA", "SOAP"];
                let orders: Vec<OrderRecord> = picks.iter().enumerate().map(|(i, &(sku, day, hour))| {
                    let line = RecordLine::new("1", skus[sku], 1, d("5.00")).unwrap()
                        .category(if sku == 2 { "home" } else { "drinks" }).unwrap();
                    OrderRecord::new(format!("A-{i}"), "C-1", hours(day, hour), EUR).unwrap().line(line)
                }).collect();
                let now = hours(now_days, now_hour);
                let id: CustomerId = "C-1".parse().unwrap();
                let profile = program.profile(&id, &orders, &[], now, 90).unwrap();
                let customer = Customer::new("C-1").unwrap()
                    .with_birthday(Birthday::new(birthday_month, 10).unwrap());
                let inputs = NudgeInputs::new().profile(&profile).orders(&orders).customer(&customer);
                let by_program = program.nudges(&inputs, now);
                let explicit = rules.nudges(&inputs, now, program.calendar().zone());
                prop_assert_eq!(by_program, explicit);
            }
            (Err(e), Err(p)) => prop_assert_eq!(p.path(), nudge_path(&e)),
            (s, p) => prop_assert!(false, "standalone {s:?}, program {p:?}"),
        }
    }
}

#[test]
fn the_readme_shop_with_segments_and_nudges_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // The README's program that sets segments and nudges.
    let (start, end) = readme
        .match_indices("{\n  \"id\": \"shop\"")
        .map(|(start, _)| (start, start + readme[start..].find("\n```").unwrap()))
        .find(|&(start, end)| readme[start..end].contains("\"segments\""))
        .unwrap();
    let definition: ProgramDefinition = serde_json::from_str(&readme[start..end]).unwrap();
    let program = Program::new(definition).unwrap();
    assert!(program.warnings().is_empty(), "{:?}", warnings(&program));
    assert!(program.segments().is_complete());
    assert_eq!(program.segments().rules().len(), 4);
    // Every kind on, with the defaults.
    let rules = program.nudge_rules();
    assert!(rules.refill.is_some() && rules.points_expiring.is_some());
    assert!(rules.next_tier.is_some() && rules.ladder_step.is_some());
    assert!(rules.milestone.is_some() && rules.win_back.is_some());
    assert!(rules.birthday.is_some() && rules.thank_you.is_some());
}

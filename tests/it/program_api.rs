//! The program's Rust API and the mistakes it catches: warnings for what is
//! valid but probably wrong, tiers that must be listed, `null` refused,
//! builders that report their first error at `Program::new`, programs built
//! in Rust equal to the same program read from JSON.

use loyalty::error::{Problem, ProgramError, WarningKind};
use loyalty::prelude::*;
use loyalty::rules::ladder::{LadderMode, Thresholds};
use proptest::prelude::*;
use serde_json::json;

fn from_json(value: serde_json::Value) -> Result<Program, ProgramError> {
    Program::new(serde_json::from_value(value).expect("the definition deserialises"))
}

fn eur() -> ProgramDefinition {
    ProgramDefinition::new("shop", Currency::EUR)
}

#[test]
fn a_percent_below_one_is_a_warning_with_the_likely_meaning() {
    let program = Program::new(
        eur()
            .ladder(LadderDefinition::new("l").percent_from("100.00", "0.05"))
            .coupon(CouponDefinition::percent_off("c", "C", "0.5"))
            .cashback_rule(CashbackDefinition::percent("cb", "0.02")),
    )
    .unwrap();
    let warnings: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "ladders[0].steps[0].percent: percent 0.05 is below 1: did you mean 5?",
            "coupons[0].reward.percent: percent 0.5 is below 1: did you mean 50?",
            "cashback[0].percent: percent 0.02 is below 1: did you mean 2?",
        ]
    );
    assert_eq!(
        program.warnings()[0].kind(),
        &WarningKind::PercentBelowOne {
            value: "0.05".parse().unwrap()
        }
    );
    // Exactly 1 is no warning.
    let program =
        Program::new(eur().ladder(LadderDefinition::new("l").percent_from("100.00", 1))).unwrap();
    assert!(program.warnings().is_empty());
}

#[test]
fn a_condition_that_can_never_hold_is_a_warning() {
    let program = from_json(json!({
        "id": "shop", "currency": "EUR",
        "ladders": [
            {"id": "a", "steps": [{"from": "10.00", "percent": "5"}], "condition": {"any": []}},
            {"id": "b", "steps": [{"from": "10.00", "percent": "5"}],
             "condition": {"all": ["first_order", {"order_number_at_least": 3}]}},
            {"id": "c", "steps": [{"from": "10.00", "percent": "5"}],
             "condition": {"not": {"all": []}}},
            {"id": "fine", "steps": [{"from": "10.00", "percent": "5"}],
             "condition": {"any": ["first_order", {"order_number_at_least": 3}]}}
        ]
    }));
    let program = match program {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let warnings: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "ladders[0].condition: this condition can never hold (an empty any): the rule will never apply",
            "ladders[1].condition: this condition can never hold (first_order with a later order number): the rule will never apply",
            "ladders[2].condition: this condition can never hold (the negation of an empty all): the rule will never apply",
        ]
    );
}

#[test]
fn a_selector_that_selects_nothing_and_contradictory_coupons_are_warnings() {
    let program = from_json(json!({
        "id": "shop", "currency": "EUR",
        "coupons": [{"id": "c", "codes": ["C"], "first_order_only": true, "order_number": 5,
                     "lines": {"skus": ["TEA"], "exclude_skus": ["TEA"]},
                     "reward": {"type": "amount_off", "amount": "5.00"}}]
    }))
    .unwrap();
    let warnings: Vec<String> = program.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "coupons[0].lines: no line can be selected: sku \"TEA\" is both included and excluded",
            "coupons[0].order_number: first_order_only and order_number 5 cannot both hold: the coupon will never apply",
        ]
    );
}

#[test]
fn a_window_that_has_ended_is_a_warning_at_the_instant_given() {
    let program = from_json(json!({
        "id": "shop", "currency": "EUR", "time_zone": "America/Sao_Paulo",
        "coupons": [{"id": "bf", "codes": ["BF"], "valid": {"from": "2026-11-27", "to": "2026-11-30"},
                     "reward": {"type": "amount_off", "amount": "5.00"}}],
        "ladders": [{"id": "l", "steps": [{"from": "10.00", "percent": "5"}],
                     "condition": {"date_window": {"from": "2026-01-01", "to": "2026-02-01"}}}]
    }))
    .unwrap();
    assert!(program.warnings().is_empty());
    // The window holds the whole local day of 2026-11-30: it ends at
    // 2026-12-01 00:00 in São Paulo, 03:00 UTC. One second before, it is
    // still open.
    let before = program.warnings_at("2026-12-01T02:59:59Z".parse().unwrap());
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].path(), "ladders[0].condition");
    let after = program.warnings_at("2026-12-01T03:00:00Z".parse().unwrap());
    let paths: Vec<&str> = after.iter().map(|w| w.path()).collect();
    assert_eq!(paths, ["ladders[0].condition", "coupons[0].valid"]);
    assert_eq!(
        after[1].to_string(),
        "coupons[0].valid: the window ended at 2026-12-01 00:00:00 local time: the rule no longer applies"
    );
}

#[test]
fn a_rule_naming_a_tier_needs_the_program_to_list_its_tiers() {
    let e = from_json(json!({
        "id": "shop", "currency": "EUR",
        "coupons": [{"id": "vip", "codes": ["VIP"], "tiers": ["gold"],
                     "reward": {"type": "amount_off", "amount": "5.00"}}]
    }))
    .unwrap_err();
    assert_eq!(e.path(), "coupons[0].tiers[0]");
    assert_eq!(
        e.problem(),
        &Problem::TiersNotListed {
            tier: "gold".into()
        }
    );
    // In a condition too.
    let e = from_json(json!({
        "id": "shop", "currency": "EUR",
        "ladders": [{"id": "l", "steps": [{"from": "10.00", "percent": "5"}],
                     "condition": {"tier_in": ["gold"]}}]
    }))
    .unwrap_err();
    assert_eq!(e.path(), "ladders[0].condition");
    // Listed, it is accepted; another case is another tier.
    assert!(
        Program::new(
            eur()
                .tier("gold")
                .coupon(CouponDefinition::amount_off("vip", "VIP", 5).tier("gold"))
        )
        .is_ok()
    );
    let e = Program::new(
        eur()
            .tier("gold")
            .coupon(CouponDefinition::amount_off("vip", "VIP", 5).tier("GOLD")),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "coupons[0].tiers[0]: tier \"GOLD\" is not one of the program's tiers (gold): add it to tiers or fix the name (tier ids match exactly, case included)"
    );
}

#[test]
fn an_explicit_null_on_a_restriction_is_refused() {
    for (field, value) in [
        ("min_subtotal", json!(null)),
        ("usage_limit", json!(null)),
        ("valid", json!(null)),
        ("condition", json!(null)),
    ] {
        let mut coupon = json!({"id": "c", "codes": ["C"],
                                "reward": {"type": "amount_off", "amount": "5.00"}});
        coupon[field] = value;
        let program = json!({"id": "shop", "currency": "EUR", "coupons": [coupon]});
        let error = serde_json::from_value::<ProgramDefinition>(program).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("null is not allowed here: leave the field out instead"),
            "{field}: {error}"
        );
    }
    let error = serde_json::from_value::<ProgramDefinition>(json!({
        "id": "shop", "currency": "EUR", "stacking": {"max_total": null}
    }))
    .unwrap_err();
    assert!(error.to_string().contains("null is not allowed"), "{error}");
    // Left out, it is no restriction.
    assert!(
        serde_json::from_value::<ProgramDefinition>(json!({
            "id": "shop", "currency": "EUR",
            "coupons": [{"id": "c", "codes": ["C"], "reward": {"type": "amount_off", "amount": "5.00"}}]
        }))
        .is_ok()
    );
}

#[test]
fn a_builder_keeps_its_first_error_for_program_new() {
    let e = Program::new(
        eur().ladder(
            LadderDefinition::new("l")
                .percent_from("100.00", "5")
                .percent_from("2OO.00", "ten")
                .percent_from("300.00", "15"),
        ),
    )
    .unwrap_err();
    assert_eq!(e.path(), "ladders[0].steps[1].from");
    assert_eq!(
        e.to_string(),
        "ladders[0].steps[1].from: \"2OO.00\" is not a number: write it like \"12.50\" or \"5\""
    );
    let e = Program::new(eur().coupon(CouponDefinition::percent_off("c", "C", "10%"))).unwrap_err();
    assert_eq!(e.path(), "coupons[0].reward.percent");
    let e = Program::new(eur().earning_rule(EarnRuleDefinition::new("e", 1, "1.OO"))).unwrap_err();
    assert_eq!(e.path(), "earning[0].per");
    let e = Program::new(
        eur()
            .tier("gold")
            .cashback_rule(CashbackDefinition::percent("cb", 2).tier_percent("gold", "x")),
    )
    .unwrap_err();
    assert_eq!(e.path(), "cashback[0].tiers[0].percent");
    let e = Program::new(eur().tier("gold").tier(" ")).unwrap_err();
    assert_eq!(e.path(), "tiers[1].id");
    assert_eq!(
        e.to_string(),
        "tiers[1].id: tier id is blank: give it a value"
    );
    let e = Program::new(eur().bonus(BonusDefinition::new("b", BonusTrigger::FirstOrder, "lots")))
        .unwrap_err();
    assert_eq!(e.path(), "bonuses[0].points");
}

#[test]
fn expiry_too_far_is_not_an_expiry_before_it_starts() {
    let e = from_json(json!({"id": "shop", "currency": "EUR",
                             "ledger": {"points_expiry": {"after_months": 1201}}}))
    .unwrap_err();
    assert_eq!(
        e.problem(),
        &Problem::ExpiryTooFar {
            what: "after_months",
            value: 1201,
            max: 1200
        }
    );
    assert_eq!(
        e.to_string(),
        "ledger.points_expiry: after_months 1201 is more than 1200: give at most 1200, or \"never\" for no expiry"
    );
    let e = from_json(json!({"id": "shop", "currency": "EUR",
                             "ledger": {"points_expiry": {"after_months": 0}}}))
    .unwrap_err();
    assert!(
        matches!(e.problem(), Problem::ExpiryBeforeStart { .. }),
        "{e}"
    );
}

#[test]
fn program_display_lists_every_rule_family() {
    let program = Program::new(
        ProgramDefinition::new("spring", Currency::new("BRL").unwrap())
            .time_zone(Zone::parse("America/Sao_Paulo").unwrap())
            .tier("silver")
            .tier("gold")
            .ladder(LadderDefinition::new("l").percent_from("100.00", "0.5"))
            .coupon(CouponDefinition::amount_off("c", "A", 5).code("B"))
            .earning_rule(EarnRuleDefinition::new("e", 1, 1))
            .bonus(BonusDefinition::new("b", BonusTrigger::FirstOrder, 100))
            .cashback_rule(CashbackDefinition::percent("cb", 2)),
    )
    .unwrap();
    assert_eq!(
        program.to_string(),
        "program spring (BRL, America/Sao_Paulo): 1 ladder, 1 coupon (2 codes), 2 tiers, 1 earning rule, 0 multipliers, 1 bonus, 1 cashback rule; 1 warning"
    );
}

#[test]
fn every_error_converts_into_the_umbrella_error() {
    fn run() -> Result<Evaluation, loyalty::Error> {
        let program = Program::new(eur())?;
        let at = "2026-11-27T10:00:00Z".parse().unwrap();
        let order = Order::builder("A-1", "C-1", at, Currency::EUR)
            .line(Line::new(
                "1",
                "TEA",
                1,
                Money::parse("12.50", Currency::EUR)?,
            ))
            .build()?;
        Ok(program.evaluate(&Checkout::new(order, Customer::new("C-2")?, at))?)
    }
    let error = run().unwrap_err();
    assert!(matches!(error, loyalty::Error::Evaluation(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("the order is for customer C-1"),
        "{error}"
    );
    let error: loyalty::Error = Program::new(ProgramDefinition::new(" ", Currency::EUR))
        .unwrap_err()
        .into();
    assert_eq!(
        error.to_string(),
        "id: program id is blank: give it a value"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::util::cases(64)))]

    /// A program built with the Rust builders equals the same program read
    /// from JSON, and both compile to the same rules.
    #[test]
    fn programs_built_in_rust_and_read_from_json_are_equal(
        cents in prop::collection::vec(1u32..=50_000, 1..=4),
        percents in prop::collection::vec(1u32..=100, 1..=4),
        coupon_percent in 1u32..=100,
        min in prop::option::of(0u32..=20_000),
        points in 1u32..=10,
        cashback in 1u32..=20,
        exclusive in any::<bool>(),
        priority in -5i32..=5,
    ) {
        let mut thresholds: Vec<u32> = cents.clone();
        thresholds.sort_unstable();
        thresholds.dedup();
        let mut rates: Vec<u32> = percents.iter().copied().take(thresholds.len()).collect();
        rates.sort_unstable();
        rates.resize(thresholds.len(), *rates.last().unwrap_or(&1));
        let money = |c: u32| format!("{}.{:02}", c / 100, c % 100);

        let mut ladder = LadderDefinition::new("spend-more")
            .thresholds(Thresholds::Exclusive)
            .mode(LadderMode::WholeBasket)
            .priority(priority);
        let mut steps = Vec::new();
        for (t, r) in thresholds.iter().zip(&rates) {
            ladder = ladder.percent_from(money(*t).as_str(), *r);
            steps.push(json!({"from": money(*t), "percent": r.to_string()}));
        }
        let mut coupon = CouponDefinition::percent_off("welcome", "WELCOME", coupon_percent)
            .first_order_only()
            .tier("gold");
        let mut coupon_json = json!({"id": "welcome", "codes": ["WELCOME"], "first_order_only": true,
                                     "tiers": ["gold"],
                                     "reward": {"type": "percent_off", "percent": coupon_percent.to_string()}});
        if let Some(min) = min {
            coupon = coupon.min_subtotal(money(min));
            coupon_json["min_subtotal"] = json!(money(min));
        }
        if exclusive {
            coupon = coupon.stacking(loyalty::rules::Stacking::Exclusive);
            coupon_json["stacking"] = json!("exclusive");
        }
        let rust = eur()
            .tier("silver")
            .tier("gold")
            .ladder(ladder)
            .coupon(coupon)
            .earning_rule(EarnRuleDefinition::new("base", points, "1.00"))
            .cashback_rule(CashbackDefinition::percent("cb", cashback).cap("20.00"));
        let json_def: ProgramDefinition = serde_json::from_value(json!({
            "id": "shop", "currency": "EUR",
            "tiers": [{"id": "silver"}, {"id": "gold"}],
            "ladders": [{"id": "spend-more", "thresholds": "exclusive", "priority": priority,
                         "steps": steps}],
            "coupons": [coupon_json],
            "earning": [{"id": "base", "points": points.to_string(), "per": "1.00"}],
            "cashback": [{"id": "cb", "percent": cashback.to_string(), "cap": "20.00"}]
        })).unwrap();
        prop_assert_eq!(&rust, &json_def);
        let a = Program::new(rust).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = Program::new(json_def).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.ladders(), b.ladders());
        prop_assert_eq!(a.coupons(), b.coupons());
        prop_assert_eq!(a.to_string(), b.to_string());
    }
}

#[test]
fn a_percent_is_kept_to_four_decimals() {
    let e =
        Program::new(eur().ladder(LadderDefinition::new("l").percent_from("100.00", "12.34567")))
            .unwrap_err();
    assert_eq!(
        e.to_string(),
        "ladders[0].steps[0].percent: 12.34567 has more than 4 decimals: a percent is kept to 4 decimals (12.3456)"
    );
    let e =
        Program::new(eur().coupon(CouponDefinition::percent_off("c", "C", "0.00001"))).unwrap_err();
    assert_eq!(
        e.problem(),
        &Problem::PercentTooPrecise {
            value: "0.00001".parse().unwrap()
        }
    );
    // Four decimals, and trailing zeros past them, are fine.
    assert!(
        Program::new(eur().cashback_rule(CashbackDefinition::percent("cb", "2.123400"))).is_ok()
    );
}

#[test]
fn every_wrong_rule_is_reported_at_once() {
    let e = from_json(json!({
        "id": "shop", "currency": "EUR",
        "ladders": [{"id": "l", "steps": [{"from": "100.00", "percent": "120"}]}],
        "coupons": [
            {"id": "a", "codes": ["A"], "reward": {"type": "amount_off", "amount": "5.001"}},
            {"id": "l", "codes": ["a"], "reward": {"type": "amount_off", "amount": "5.00"}}
        ]
    }))
    .unwrap_err();
    // The first error, then the three others in definition order.
    assert_eq!(e.path(), "ladders[0].steps[0].percent");
    let others: Vec<&str> = e.others().iter().map(|o| o.path()).collect();
    assert_eq!(
        others,
        [
            "coupons[0].reward.amount",
            "coupons[1].id",
            "coupons[1].codes[0]"
        ]
    );
    assert!(
        e.to_string()
            .contains("; and 3 more: coupons[0].reward.amount: "),
        "{e}"
    );
    // A program with one mistake prints just that one.
    let one = from_json(json!({"id": "shop", "currency": "EUR",
        "ladders": [{"id": "l", "steps": [{"from": "100.00", "percent": "120"}]}]}))
    .unwrap_err();
    assert!(one.others().is_empty());
    assert_eq!(
        one.to_string(),
        "ladders[0].steps[0].percent: 120 is not a percent: give a value above 0 and at most 100"
    );
}

/// In Berlin, clocks go from 02:00 to 03:00 on 29 March 2026: a window from
/// 02:15 to 02:45 that day can never be now. One that reaches past 03:00,
/// or the same hours in a zone without the change, is fine.
#[test]
fn a_window_inside_a_daylight_saving_gap_is_a_warning() {
    let program = |zone: &str, from: &str, to: &str| {
        from_json(json!({
            "id": "shop", "currency": "EUR", "time_zone": zone,
            "coupons": [{"id": "night", "codes": ["NIGHT"], "valid": {"from": from, "to": to},
                         "reward": {"type": "amount_off", "amount": "5.00"}}],
            "ladders": [{"id": "l", "steps": [{"from": "10.00", "percent": "5"}],
                         "condition": {"date_window": {"from": from, "to": to}}}]
        }))
        .unwrap()
    };
    let gap = program(
        "Europe/Berlin",
        "2026-03-29T02:15:00",
        "2026-03-29T02:45:00",
    );
    let warnings: Vec<String> = gap.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "ladders[0].condition: the window from 2026-03-29 02:15:00 to 2026-03-29 02:45:00 local time lies in a daylight-saving gap (clocks skip it): the rule can never apply",
            "coupons[0].valid: the window from 2026-03-29 02:15:00 to 2026-03-29 02:45:00 local time lies in a daylight-saving gap (clocks skip it): the rule can never apply",
        ]
    );
    assert!(matches!(
        gap.warnings()[0].kind(),
        WarningKind::WindowInGap { .. }
    ));
    // Past the gap's end, 03:00 happens: no warning.
    assert!(
        program(
            "Europe/Berlin",
            "2026-03-29T02:15:00",
            "2026-03-29T03:30:00"
        )
        .warnings()
        .is_empty()
    );
    // The same hours where clocks do not change.
    assert!(
        program("UTC", "2026-03-29T02:15:00", "2026-03-29T02:45:00")
            .warnings()
            .is_empty()
    );
}

/// Every unbounded input has a limit: past it, a typed error that names the
/// limit and how to raise it; within a raised limit, the input is taken.
#[test]
fn sizes_past_the_limits_are_refused_with_the_limit_to_raise() {
    use loyalty::error::{EvaluationError, LimitExceeded};
    use loyalty::program::Limits;
    // Steps per ladder: 3 steps, limit 2.
    let ladder = LadderDefinition::new("l")
        .percent_from("100", 5)
        .percent_from("200", 10)
        .percent_from("300", 15);
    let e = Program::new(
        eur()
            .ladder(ladder.clone())
            .limits(Limits::default().steps_per_ladder(2)),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "ladders[0].steps: 3 steps in the ladder, more than the limit of 2: raise limits.steps_per_ladder in the program if this is intended"
    );
    assert_eq!(
        e.problem(),
        &Problem::LimitExceeded(LimitExceeded {
            what: "steps in the ladder",
            found: 3,
            limit: 2
        })
    );
    // Codes per program and rules per program, from JSON.
    let e = from_json(
        json!({"id": "shop", "currency": "EUR", "limits": {"codes_per_program": 2},
        "coupons": [{"id": "c", "codes": ["A", "B", "C"], "unique": true,
                     "reward": {"type": "amount_off", "amount": "1.00"}}]}),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("coupons: 3 coupon codes in the program, more than the limit of 2: raise limits.codes_per_program"), "{e}");
    let e = from_json(
        json!({"id": "shop", "currency": "EUR", "limits": {"rules_per_program": 1},
        "ladders": [{"id": "a", "steps": [{"from": "1.00", "percent": "1"}]},
                    {"id": "b", "steps": [{"from": "1.00", "percent": "1"}]}]}),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("program: 2 rules in the program"),
        "{e}"
    );
    // Unknown limit fields are refused like any typo.
    assert!(
        serde_json::from_value::<ProgramDefinition>(json!({"id": "shop", "currency": "EUR",
        "limits": {"lines": 5}}))
        .is_err()
    );
    // The defaults.
    let defaults = Limits::default();
    assert_eq!(
        (
            defaults.lines_per_order,
            defaults.codes_per_order,
            defaults.usage_entries,
            defaults.codes_per_program,
            defaults.rules_per_program,
            defaults.steps_per_ladder
        ),
        (100_000, 100, 1_000, 1_000_000, 10_000, 100)
    );

    // Lines, codes entered and usage entries of a checkout.
    let program = Program::new(
        eur().limits(
            Limits::default()
                .lines_per_order(2)
                .codes_per_order(1)
                .usage_entries(1),
        ),
    )
    .unwrap();
    let at = "2026-11-27T10:00:00Z".parse().unwrap();
    let line = |id: &str| Line::new(id, "TEA", 1, Money::parse("1.00", Currency::EUR).unwrap());
    let three = Order::builder("A-1", "C-1", at, Currency::EUR)
        .line(line("1"))
        .line(line("2"))
        .line(line("3"))
        .build()
        .unwrap();
    assert_eq!(
        program.evaluate(&Checkout::for_order(three, at)),
        Err(EvaluationError::LimitExceeded(LimitExceeded {
            what: "lines in the order",
            found: 3,
            limit: 2
        }))
    );
    let codes = Order::builder("A-1", "C-1", at, Currency::EUR)
        .line(line("1"))
        .coupon("X")
        .coupon("Y")
        .build()
        .unwrap();
    let e = program
        .evaluate(&Checkout::for_order(codes, at))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "2 coupon codes entered, more than the limit of 1: raise limits.codes_per_order in the program if this is intended"
    );
    let one = Order::builder("A-1", "C-1", at, Currency::EUR)
        .line(line("1"))
        .build()
        .unwrap();
    let usage = |code: &str| CouponUsage {
        code: code.to_owned(),
        overall: 0,
        by_customer: 0,
    };
    let checkout = Checkout::for_order(one, at)
        .with_usage(usage("X"))
        .with_usage(usage("Y"));
    assert!(matches!(
        program.evaluate(&checkout),
        Err(EvaluationError::LimitExceeded(LimitExceeded {
            what: "coupon usage entries",
            found: 2,
            limit: 1
        }))
    ));
    // Within the limits, evaluated.
    let two = Order::builder("A-1", "C-1", at, Currency::EUR)
        .line(line("1"))
        .line(line("2"))
        .build()
        .unwrap();
    assert!(program.evaluate(&Checkout::for_order(two, at)).is_ok());
}

/// Many usage entries are checked for repeats by an index: 1,000 distinct
/// codes pass, and one written again in another case is found.
#[test]
fn many_usage_entries_are_checked_for_repeats() {
    use loyalty::error::EvaluationError;
    let program = Program::new(eur()).unwrap();
    let at = "2026-11-27T10:00:00Z".parse().unwrap();
    let order = Order::builder("A-1", "C-1", at, Currency::EUR)
        .line(Line::new(
            "1",
            "TEA",
            1,
            Money::parse("1.00", Currency::EUR).unwrap(),
        ))
        .build()
        .unwrap();
    let mut checkout = Checkout::for_order(order, at);
    for i in 0..1000 {
        checkout = checkout.with_usage(CouponUsage {
            code: format!("code-{i}"),
            overall: 1,
            by_customer: 0,
        });
    }
    assert!(program.evaluate(&checkout).is_ok());
    let repeated = checkout.clone().with_usage(CouponUsage {
        code: "CODE-7".to_owned(),
        overall: 1,
        by_customer: 0,
    });
    let limits = loyalty::program::Limits::default().usage_entries(2000);
    let program = Program::new(eur().limits(limits)).unwrap();
    assert_eq!(
        program.evaluate(&repeated),
        Err(EvaluationError::DuplicateUsage {
            code: "CODE-7".to_owned()
        })
    );
}

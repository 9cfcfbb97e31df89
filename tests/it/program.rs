//! `Program::new` and program files: every error names the path and the
//! fix; JSON and TOML read to the same definition.

use loyalty::calendar::{CalendarError, Country, SeasonalEvent};
use loyalty::condition::ConditionError;
use loyalty::money::{Currency, MoneyError};
use loyalty::program::{Problem, Program, ProgramDefinition, ProgramError};
use rust_decimal::Decimal;

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// A JSON program in EUR with the given ladders (a JSON array's contents)
/// and extra top-level fields.
fn program_json(ladders: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "spring", "currency": "EUR", "time_zone": "Europe/Lisbon", "ladders": [{ladders}]{extra}}}"#
    )
}

fn definition(json: &str) -> ProgramDefinition {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn program_error(json: &str) -> ProgramError {
    Program::new(definition(json)).expect_err("an invalid program")
}

fn ladder(steps: &str, extra: &str) -> String {
    format!(r#"{{"id": "spend-more", "steps": [{steps}]{extra}}}"#)
}

#[test]
fn a_valid_program() {
    let program = Program::new(definition(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5"}, {"from": "200.00", "percent": "10"}, {"from": "300.00", "percent": "15"}"#,
            "",
        ),
        "",
    )))
    .unwrap();
    assert_eq!(program.id(), "spring");
    assert_eq!(program.currency(), Currency::EUR);
    assert_eq!(program.ladders().len(), 1);
    assert_eq!(program.ladders()[0].steps().len(), 3);
    // 250.00 reaches the 200.00 step: 10% of 250.00 is 25.
    assert_eq!(
        program.ladders()[0].reward_for(dec("250.00"), dec("250.00")),
        Some(dec("25"))
    );
    assert_eq!(
        program.to_string(),
        "program spring (EUR, Europe/Lisbon): 1 ladder, 0 coupons (0 codes), 0 tiers, 0 earning rules, 0 multipliers, 0 bonuses, 0 cashback rules"
    );
}

#[test]
fn steps_not_ascending() {
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5"}, {"from": "300.00", "percent": "10"}, {"from": "200.00", "percent": "15"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[2]: threshold 200.00 must be above the previous step's 300.00"
    );
    assert_eq!(err.path(), "ladders[0].steps[2]");
    assert_eq!(
        err.problem(),
        &Problem::ThresholdNotAscending {
            threshold: dec("200.00"),
            previous: dec("300.00"),
        }
    );
    // An equal threshold is not ascending either.
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5"}, {"from": "100.00", "percent": "10"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[1]: threshold 100.00 must be above the previous step's 100.00"
    );
}

#[test]
fn percent_above_one_hundred() {
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.00", "percent": "120"}"#, ""),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0].percent");
    assert_eq!(
        err.problem(),
        &Problem::PercentOutOfRange { value: dec("120") }
    );
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[0].percent: 120 is not a percent: give a value above 0 and at most 100"
    );
    // 0 is not a percent either; 100 is.
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.00", "percent": "0"}"#, ""),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0].percent");
    assert!(
        Program::new(definition(&program_json(
            &ladder(r#"{"from": "100.00", "percent": "100"}"#, ""),
            ""
        )))
        .is_ok()
    );
}

#[test]
fn step_with_percent_and_amount() {
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5", "amount": "10.00"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0]");
    assert_eq!(err.problem(), &Problem::PercentAndAmount);
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[0]: a step gives either a percent or an amount, not both"
    );
}

#[test]
fn step_without_reward() {
    let err = program_error(&program_json(&ladder(r#"{"from": "100.00"}"#, ""), ""));
    assert_eq!(err.path(), "ladders[0].steps[0]");
    assert_eq!(err.problem(), &Problem::NoReward);
    assert!(err.to_string().contains("set percent or amount"), "{err}");
}

#[test]
fn empty_steps() {
    let err = program_error(&program_json(&ladder("", ""), ""));
    assert_eq!(err.path(), "ladders[0].steps");
    assert_eq!(err.problem(), &Problem::NoSteps);
    assert_eq!(
        err.to_string(),
        "ladders[0].steps: a ladder needs at least one step"
    );
}

#[test]
fn shrinking_reward() {
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "10"}, {"from": "200.00", "percent": "5"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[1]");
    assert_eq!(
        err.problem(),
        &Problem::RewardShrinks {
            previous: dec("10"),
            next: dec("5"),
        }
    );
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[1]: this step gives 5, less than the previous step's 10: a higher step must never give less"
    );
    // Amounts too.
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "amount": "20.00"}, {"from": "200.00", "amount": "15.00"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(
        err.problem(),
        &Problem::RewardShrinks {
            previous: dec("20.00"),
            next: dec("15.00"),
        }
    );
}

#[test]
fn mixed_rewards() {
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5"}, {"from": "200.00", "amount": "15.00"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[1]");
    assert_eq!(err.problem(), &Problem::MixedRewards);
}

#[test]
fn bracket_mode_with_amounts() {
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "amount": "5.00"}, {"from": "200.00", "amount": "15.00"}"#,
            r#", "mode": "bracket""#,
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].mode");
    assert_eq!(err.problem(), &Problem::BracketNeedsPercent);
    assert!(
        err.to_string()
            .contains("give every step a percent, or use mode \"whole_basket\""),
        "{err}"
    );
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "3", "percent": "5"}"#,
            r#", "mode": "bracket", "basis": "quantity""#,
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].mode");
    assert_eq!(err.problem(), &Problem::BracketNeedsSubtotal);
}

#[test]
fn unknown_field_in_json_is_refused() {
    let err = serde_json::from_str::<ProgramDefinition>(&program_json(
        &ladder(r#"{"from": "100.00", "percent": "5"}"#, ""),
        r#", "discount_mode": "best""#,
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown field `discount_mode`"),
        "{err}"
    );
    // A typo inside a step.
    let err = serde_json::from_str::<ProgramDefinition>(&program_json(
        &ladder(r#"{"from": "100.00", "percnt": "5"}"#, ""),
        "",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `percnt`"), "{err}");
}

#[test]
fn unknown_field_in_toml_is_refused() {
    let text = r#"
id = "spring"
currency = "EUR"
timezone = "Europe/Lisbon"
"#;
    let err = toml::from_str::<ProgramDefinition>(text).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `timezone`"),
        "{err}"
    );
    let text = r#"
id = "spring"
currency = "EUR"

[[ladders]]
id = "spend-more"
steps = [{ from = "100.00", percent = "5", off = "1" }]
"#;
    let err = toml::from_str::<ProgramDefinition>(text).unwrap_err();
    assert!(err.to_string().contains("unknown field `off`"), "{err}");
}

#[test]
fn unknown_currency_in_the_file() {
    let json = r#"{"id": "spring", "currency": "XYZ"}"#;
    let err = serde_json::from_str::<ProgramDefinition>(json).unwrap_err();
    assert!(
        err.to_string().contains("unknown currency \"XYZ\""),
        "{err}"
    );
    let err =
        toml::from_str::<ProgramDefinition>("id = \"spring\"\ncurrency = \"EURO\"\n").unwrap_err();
    assert!(
        err.to_string().contains("unknown currency \"EURO\""),
        "{err}"
    );
}

#[test]
fn unknown_time_zone() {
    let json = r#"{"id": "spring", "currency": "EUR", "time_zone": "Mars/Olympus"}"#;
    let err = serde_json::from_str::<ProgramDefinition>(json).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("unknown time zone \"Mars/Olympus\"")
            && message.contains("use an IANA name such as \"America/Sao_Paulo\""),
        "{message}"
    );
    // The time zone defaults to UTC when left out.
    let def = definition(r#"{"id": "spring", "currency": "EUR"}"#);
    assert_eq!(def.time_zone.to_string(), "UTC");
}

#[test]
fn coupon_codes_must_be_unique_ignoring_case_and_space() {
    let err = program_error(&program_json(
        "",
        r#", "coupons": [
            {"id": "welcome-a", "codes": ["welcome"], "reward": {"type": "percent_off", "percent": "10"}},
            {"id": "welcome-b", "codes": ["SPRING", "WELCOME "], "reward": {"type": "amount_off", "amount": "5.00"}}
        ]"#,
    ));
    assert_eq!(err.path(), "coupons[1].codes[1]");
    assert_eq!(
        err.problem(),
        &Problem::DuplicateCode {
            code: "WELCOME ".into(),
            other: "welcome-a".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "coupons[1].codes[1]: code \"WELCOME \" is also a code of coupon \"welcome-a\": codes match ignoring case, so each must be unique"
    );
}

#[test]
fn coupon_lookup_ignores_case_and_space() {
    let program = Program::new(definition(&program_json(
        "",
        r#", "coupons": [
            {"id": "welcome", "codes": ["Welcome10"], "reward": {"type": "percent_off", "percent": "10"}}
        ]"#,
    )))
    .unwrap();
    assert_eq!(
        program.coupon_for_code("  WELCOME10 ").map(|c| c.id()),
        Some("welcome")
    );
    assert_eq!(
        program.coupon_for_code("welcome10").map(|c| c.id()),
        Some("welcome")
    );
    assert!(program.coupon_for_code("WELCOME1").is_none());
}

#[test]
fn duplicate_ids_across_ladders_and_coupons() {
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.00", "percent": "5"}"#, ""),
        r#", "coupons": [
            {"id": "spend-more", "codes": ["X"], "reward": {"type": "free_shipping"}}
        ]"#,
    ));
    assert_eq!(err.path(), "coupons[0].id");
    assert_eq!(
        err.problem(),
        &Problem::DuplicateId {
            id: "spend-more".into()
        }
    );
}

#[test]
fn country_dependent_event_needs_a_country() {
    let condition = r#", "condition": {"seasonal_event": "mothers_day"}"#;
    let ladders = ladder(r#"{"from": "100.00", "percent": "5"}"#, condition);
    // Deserialising works; Program::new refuses.
    let err = program_error(&program_json(&ladders, ""));
    assert_eq!(err.path(), "ladders[0].condition");
    assert_eq!(
        err.problem(),
        &Problem::Condition(ConditionError::Calendar(CalendarError::NoCountryRule {
            event: SeasonalEvent::MothersDay,
            country: None,
        }))
    );
    assert!(
        err.to_string()
            .contains("Mother's Day depends on the country, but the calendar has no country"),
        "{err}"
    );
    // With a country that has a rule, the same program is fine.
    let program = Program::new(definition(&program_json(
        &ladders,
        r#", "calendar": {"country": "BR"}"#,
    )))
    .unwrap();
    assert_eq!(program.calendar().country(), Some(Country::BR));
    // A country without a rule for the event is refused, naming it.
    let err = program_error(&program_json(
        &ladders,
        r#", "calendar": {"country": "KR"}"#,
    ));
    assert!(
        err.to_string()
            .contains("no rule is known for Mother's Day in country \"KR\""),
        "{err}"
    );
}

#[test]
fn threshold_not_in_minor_units() {
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.005", "percent": "5"}"#, ""),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0].from");
    assert_eq!(
        err.problem(),
        &Problem::Money(MoneyError::NotInMinorUnits {
            amount: dec("100.005"),
            currency: Currency::EUR,
            minor_unit: dec("0.01"),
            minor_units: 2,
        })
    );
    assert!(
        err.to_string().starts_with(
            "ladders[0].steps[0].from: 100.005 is not a whole number of EUR's minor unit"
        ),
        "{err}"
    );
    // An amount reward too; and 100.005 is fine in a 3-decimal currency.
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.00", "amount": "5.001"}"#, ""),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0].amount");
    let kwd = program_json(&ladder(r#"{"from": "100.005", "percent": "5"}"#, ""), "")
        .replace("\"EUR\"", "\"KWD\"");
    assert!(Program::new(definition(&kwd)).is_ok());
}

#[test]
fn blank_program_id() {
    let err = Program::new(definition(r#"{"id": " ", "currency": "EUR"}"#)).unwrap_err();
    assert_eq!(err.path(), "id");
    assert_eq!(err.to_string(), "id: program id is blank: give it a value");
}

#[test]
fn toml_and_json_read_to_the_same_program() {
    let toml_text = r#"
id = "spring"
name = "Spring sale"
currency = "BRL"
time_zone = "America/Sao_Paulo"
rounding = "half_even"
remainder = "in_order"
tiers = [{ id = "gold" }]

[calendar]
country = "BR"
custom_dates = [{ name = "anniversary", month = 6, day = 1 }]

[stacking]
pick = "priority"
max_total_percent = "30"

[[ladders]]
id = "spend-more"
steps = [
  { from = "100.00", percent = "5", cap = "10.00" },
  { from = "200.00", percent = "10", cap = "25.00" },
]
lines = { categories = ["tea"], exclude_skus = ["SAMPLE"] }
condition = { any = [{ seasonal_event = "mothers_day" }, { tier_in = ["gold"] }] }

[[coupons]]
id = "welcome"
codes = ["WELCOME10"]
first_order_only = true
min_subtotal = "50.00"
reward = { type = "percent_off", percent = "10", cap = "30.00" }
"#;
    let json_text = r#"{
        "id": "spring",
        "name": "Spring sale",
        "currency": "BRL",
        "time_zone": "America/Sao_Paulo",
        "rounding": "half_even",
        "remainder": "in_order",
        "tiers": [{"id": "gold"}],
        "calendar": {"country": "BR", "custom_dates": [{"name": "anniversary", "month": 6, "day": 1}]},
        "stacking": {"pick": "priority", "max_total_percent": "30"},
        "ladders": [{
            "id": "spend-more",
            "steps": [
                {"from": "100.00", "percent": "5", "cap": "10.00"},
                {"from": "200.00", "percent": "10", "cap": "25.00"}
            ],
            "lines": {"categories": ["tea"], "exclude_skus": ["SAMPLE"]},
            "condition": {"any": [{"seasonal_event": "mothers_day"}, {"tier_in": ["gold"]}]}
        }],
        "coupons": [{
            "id": "welcome",
            "codes": ["WELCOME10"],
            "first_order_only": true,
            "min_subtotal": "50.00",
            "reward": {"type": "percent_off", "percent": "10", "cap": "30.00"}
        }]
    }"#;
    let from_toml = Program::new(toml::from_str(toml_text).unwrap()).unwrap();
    let from_json = Program::new(serde_json::from_str(json_text).unwrap()).unwrap();
    assert_eq!(from_toml.definition(), from_json.definition());
    assert_eq!(
        from_toml.definition().rounding,
        loyalty::money::RoundingMode::HalfEven
    );
    assert_eq!(from_toml.ladders().len(), 1);
    assert_eq!(from_toml.coupons().len(), 1);
    assert_eq!(from_toml.calendar().custom_dates().len(), 1);

    // Writing the definition back out and reading it again changes nothing.
    let written = serde_json::to_string(from_json.definition()).unwrap();
    let again = Program::new(serde_json::from_str(&written).unwrap()).unwrap();
    assert_eq!(again.definition(), from_json.definition());
    let written = toml::to_string(from_toml.definition()).unwrap();
    let again = Program::new(toml::from_str(&written).unwrap()).unwrap();
    assert_eq!(again.definition(), from_toml.definition());
}

#[test]
fn cap_rules() {
    // A cap may be removed on a higher step (no cap is unlimited) but not
    // lowered, nor added after an uncapped step.
    let ok = program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5", "cap": "10.00"}, {"from": "200.00", "percent": "10"}"#,
            "",
        ),
        "",
    );
    assert!(Program::new(definition(&ok)).is_ok());
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5", "cap": "10.00"}, {"from": "200.00", "percent": "10", "cap": "9.00"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[1]");
    assert_eq!(
        err.problem(),
        &Problem::CapShrinks {
            previous: Some(dec("10.00")),
            next: dec("9.00"),
        }
    );
    let err = program_error(&program_json(
        &ladder(
            r#"{"from": "100.00", "percent": "5"}, {"from": "200.00", "percent": "10", "cap": "50.00"}"#,
            "",
        ),
        "",
    ));
    assert_eq!(
        err.to_string(),
        "ladders[0].steps[1]: this step's cap 50.00 is below the previous step's (no cap): a higher step must never give less"
    );
    let err = program_error(&program_json(
        &ladder(r#"{"from": "100.00", "amount": "5.00", "cap": "1.00"}"#, ""),
        "",
    ));
    assert_eq!(err.path(), "ladders[0].steps[0].cap");
    assert_eq!(err.problem(), &Problem::CapOnAmount);
}

/// Program amounts above the largest order amount are refused at
/// `Program::new`, with the path, instead of failing every evaluation.
#[test]
fn absurd_program_amounts_are_refused_with_their_path() {
    let definition: loyalty::program::ProgramDefinition =
        serde_json::from_value(serde_json::json!({
            "id": "p", "currency": "EUR",
            "stacking": {"max_total": "999999999999999999999999999"}
        }))
        .unwrap();
    let error = loyalty::program::Program::new(definition).unwrap_err();
    assert_eq!(error.path(), "stacking.max_total");
    assert!(
        error.to_string().contains("largest order amount"),
        "{error}"
    );
}

/// A tier named in a condition must be one of the program's tiers.
#[test]
fn a_misspelt_tier_in_a_condition_is_refused() {
    let definition: loyalty::program::ProgramDefinition =
        serde_json::from_value(serde_json::json!({
            "id": "p", "currency": "EUR", "tiers": [{"id": "gold"}],
            "coupons": [{"id": "vip", "codes": ["VIP"], "condition": {"tier_in": ["golld"]},
                         "reward": {"type": "amount_off", "amount": "5.00"}}]
        }))
        .unwrap();
    let error = loyalty::program::Program::new(definition).unwrap_err();
    assert_eq!(error.path(), "coupons[0].condition");
    assert!(error.to_string().contains("golld"), "{error}");
}

/// Exempt lines are never discounted: a discount rule asking for them is
/// refused.
#[test]
fn a_discount_cannot_include_exempt_lines() {
    let definition: loyalty::program::ProgramDefinition =
        serde_json::from_value(serde_json::json!({
            "id": "p", "currency": "EUR",
            "coupons": [{"id": "gc", "codes": ["GC"], "lines": {"include_exempt": true},
                         "reward": {"type": "amount_off", "amount": "5.00"}}]
        }))
        .unwrap();
    let error = loyalty::program::Program::new(definition).unwrap_err();
    assert_eq!(error.path(), "coupons[0].lines.include_exempt");
}

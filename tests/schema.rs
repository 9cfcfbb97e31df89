//! The JSON Schemas of `loyalty::schema` against the sample files: every
//! sample program and checkout is valid, and a file that deserialisation
//! refuses for its shape (an unknown field, a wrong type) is not.
//!
//! Run with `cargo test --features schemars --test schema`.

use loyalty::ProgramDefinition;
use loyalty::evaluate::Checkout;
use serde_json::{Value, json};

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&data(name)).unwrap()
}

fn program_schema() -> Value {
    serde_json::to_value(loyalty::schema::program()).unwrap()
}

fn checkout_schema() -> Value {
    serde_json::to_value(loyalty::schema::checkout()).unwrap()
}

/// Valid against the schema, and accepted by deserialisation too.
fn assert_program(file: &Value) {
    validator::validate(&program_schema(), file).unwrap();
    serde_json::from_value::<ProgramDefinition>(file.clone()).unwrap();
}

/// Invalid against the schema, and refused by deserialisation too.
fn assert_not_program(file: &Value) -> String {
    let error = validator::validate(&program_schema(), file).unwrap_err();
    assert!(serde_json::from_value::<ProgramDefinition>(file.clone()).is_err());
    error
}

#[test]
fn the_sample_programs_are_valid() {
    assert_program(&json("program.json"));
    assert_program(&json("tiers_program.json"));
    let toml: Value = toml::from_str(&data("program.toml")).unwrap();
    assert_program(&toml);
}

#[test]
fn the_sample_checkout_is_valid() {
    let checkout = json("checkout.json");
    validator::validate(&checkout_schema(), &checkout).unwrap();
    serde_json::from_value::<Checkout>(checkout).unwrap();
    // The customer may be left out, and so may their id.
    let mut bare = json("checkout.json");
    bare.as_object_mut().unwrap().remove("customer");
    validator::validate(&checkout_schema(), &bare).unwrap();
    let mut no_id = json("checkout.json");
    no_id["customer"].as_object_mut().unwrap().remove("id");
    validator::validate(&checkout_schema(), &no_id).unwrap();
}

/// The README's JSON blocks that deserialise as a program or a checkout
/// are valid against its schema.
#[test]
fn the_readme_programs_and_checkouts_are_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let (mut programs, mut checkouts) = (0, 0);
    for block in readme.split("```json\n").skip(1) {
        let text = block.split("```").next().unwrap();
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        if serde_json::from_value::<ProgramDefinition>(value.clone()).is_ok() {
            validator::validate(&program_schema(), &value).unwrap();
            programs += 1;
        }
        if serde_json::from_value::<Checkout>(value.clone()).is_ok() {
            validator::validate(&checkout_schema(), &value).unwrap();
            checkouts += 1;
        }
    }
    assert!(
        programs >= 1 && checkouts >= 1,
        "{programs} programs, {checkouts} checkouts"
    );
}

#[test]
fn a_typo_in_a_field_is_invalid() {
    let mut program = json("program.json");
    let ladders = program.as_object_mut().unwrap().remove("ladders").unwrap();
    program["ladderz"] = ladders;
    let error = assert_not_program(&program);
    assert!(error.contains("ladderz"), "{error}");
    // Deep inside too: a step's "percnt".
    let mut program = json("program.json");
    let step = program["ladders"][0]["steps"][0].as_object_mut().unwrap();
    let percent = step.remove("percent").unwrap();
    step.insert("percnt".to_owned(), percent);
    assert_not_program(&program);
}

#[test]
fn a_wrong_type_is_invalid() {
    for (pointer, wrong) in [
        ("/currency", json!(978)),
        ("/ladders", json!({"id": "l"})),
        ("/ladders/0/steps/0/from", json!(true)),
        ("/ladders/0/steps/0/from", json!("a hundred")),
        ("/rounding", json!("half_sideways")),
        ("/name", Value::Null),
    ] {
        let mut program = json("program.json");
        *program.pointer_mut(pointer).unwrap() = wrong;
        assert_not_program(&program);
    }
    let mut checkout = json("checkout.json");
    checkout["order"]["lines"][0]["unit_price"] = json!(42.9);
    assert!(validator::validate(&checkout_schema(), &checkout).is_err());
    assert!(serde_json::from_value::<Checkout>(checkout).is_err());
}

#[test]
fn bounds_budgets_and_budget_spent_have_their_schema() {
    let mut program = json("program.json");
    program["promotions"] = json!([
        {"id": "over-50", "min_subtotal": {"above": "50.00"}, "max_subtotal": "200.00",
         "budget": "1000.00", "reward": {"type": "free_shipping"}},
        {"id": "under-30", "min_subtotal": {"at_least": "10.00"},
         "max_subtotal": {"below": "30.00"}, "condition": {"subtotal_above": "5.00"},
         "reward": {"type": "amount_off", "amount": "1.00"}},
        {"id": "up-to", "condition": {"subtotal_at_most": "80.00"},
         "reward": {"type": "amount_off", "amount": "1.00"}}
    ]);
    assert_program(&program);
    // A misspelt comparison, or the other bound's, is refused by both.
    for wrong in [json!({"abuve": "50.00"}), json!({"below": "50.00"})] {
        let mut program = json("program.json");
        program["promotions"] = json!([{"id": "p", "min_subtotal": wrong,
                                        "reward": {"type": "free_shipping"}}]);
        assert_not_program(&program);
    }
    let mut checkout = json("checkout.json");
    checkout["budget_spent"] = json!([{"promotion": "over-50", "spent": "95.00"}]);
    validator::validate(&checkout_schema(), &checkout).unwrap();
    serde_json::from_value::<Checkout>(checkout.clone()).unwrap();
    checkout["budget_spent"] = json!([{"promotion": "over-50", "spnt": "95.00"}]);
    assert!(validator::validate(&checkout_schema(), &checkout).is_err());
    assert!(serde_json::from_value::<Checkout>(checkout).is_err());
}

#[test]
fn a_missing_required_field_is_invalid() {
    let mut program = json("program.json");
    program.as_object_mut().unwrap().remove("currency");
    let error = assert_not_program(&program);
    assert!(error.contains("currency"), "{error}");
}

/// A validator for the part of JSON Schema (2020-12) that the generated
/// schemas use: `type`, `properties`, `required`, `additionalProperties`,
/// `patternProperties`, `minProperties`, `items`, `minItems`, `maxItems`,
/// `enum`, `const`,
/// `oneOf`, `anyOf`, `allOf`, `$ref` into `$defs`, `pattern`, `minimum`
/// and `maximum`. Annotations (`description`,
/// `default`, `format`, `title`) are ignored; any other keyword fails the
/// test, so that the schema cannot grow past what is checked here.
mod validator {
    use serde_json::{Map, Value};

    const ANNOTATIONS: &[&str] = &[
        "$schema",
        "$defs",
        "title",
        "description",
        "default",
        "format",
        "examples",
    ];

    /// `Ok` when `value` is valid against `root`, else the first reason,
    /// with the JSON pointer of the value.
    pub fn validate(root: &Value, value: &Value) -> Result<(), String> {
        check(root, root, value, "")
    }

    fn check(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let schema = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => return Err(format!("{at}: nothing is allowed here")),
            Value::Object(schema) => schema,
            other => panic!("not a schema: {other}"),
        };
        for (keyword, argument) in schema {
            match keyword.as_str() {
                "$ref" => check(root, resolve(root, argument), value, at)?,
                "type" => check_type(argument, value, at)?,
                "properties" | "patternProperties" | "additionalProperties" | "required" => {
                    if let Value::Object(object) = value {
                        check_object(root, schema, keyword, object, at)?;
                    }
                }
                "minProperties" => {
                    if let Value::Object(object) = value {
                        let bound = argument.as_u64().unwrap() as usize;
                        if object.len() < bound {
                            return Err(format!(
                                "{at}: {} properties is below the minProperties {bound}",
                                object.len()
                            ));
                        }
                    }
                }
                "items" => {
                    if let Value::Array(items) = value {
                        for (i, item) in items.iter().enumerate() {
                            check(root, argument, item, &format!("{at}/{i}"))?;
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Value::Array(items) = value {
                        let bound = argument.as_u64().unwrap() as usize;
                        let ok = if keyword == "minItems" {
                            items.len() >= bound
                        } else {
                            items.len() <= bound
                        };
                        if !ok {
                            return Err(format!(
                                "{at}: {} items is beyond the {keyword} {bound}",
                                items.len()
                            ));
                        }
                    }
                }
                "enum" => {
                    if !argument.as_array().unwrap().contains(value) {
                        return Err(format!("{at}: {value} is not one of {argument}"));
                    }
                }
                "const" => {
                    if argument != value {
                        return Err(format!("{at}: {value} is not {argument}"));
                    }
                }
                "anyOf" | "oneOf" | "allOf" => {
                    let results: Vec<Result<(), String>> = argument
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| check(root, s, value, at))
                        .collect();
                    let passed = results.iter().filter(|r| r.is_ok()).count();
                    let ok = match keyword.as_str() {
                        "anyOf" => passed >= 1,
                        "oneOf" => passed == 1,
                        _ => passed == results.len(),
                    };
                    if !ok {
                        let reasons: Vec<String> =
                            results.into_iter().filter_map(Result::err).collect();
                        return Err(format!(
                            "{at}: {passed} of the {keyword} alternatives match ({})",
                            reasons.join("; ")
                        ));
                    }
                }
                "pattern" => {
                    if let Value::String(text) = value {
                        let pattern = regex::Regex::new(argument.as_str().unwrap()).unwrap();
                        if !pattern.is_match(text) {
                            return Err(format!("{at}: {text:?} does not match {argument}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let Some(number) = value.as_f64() {
                        let bound = argument.as_f64().unwrap();
                        let ok = if keyword == "minimum" {
                            number >= bound
                        } else {
                            number <= bound
                        };
                        if !ok {
                            return Err(format!("{at}: {number} is beyond the {keyword} {bound}"));
                        }
                    }
                }
                other if ANNOTATIONS.contains(&other) => {}
                other => panic!("the validator does not know the keyword {other:?}"),
            }
        }
        Ok(())
    }

    fn resolve<'a>(root: &'a Value, reference: &Value) -> &'a Value {
        let reference = reference.as_str().unwrap();
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("not a local reference: {reference}"));
        root.pointer(pointer)
            .unwrap_or_else(|| panic!("no schema at {reference}"))
    }

    fn check_type(argument: &Value, value: &Value, at: &str) -> Result<(), String> {
        let is = |name: &str| match name {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "number" => value.is_number(),
            "integer" => {
                value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            other => panic!("unknown type {other}"),
        };
        let ok = match argument {
            Value::String(name) => is(name),
            Value::Array(names) => names.iter().any(|n| is(n.as_str().unwrap())),
            other => panic!("not a type: {other}"),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{at}: {value} is not of type {argument}"))
        }
    }

    fn check_object(
        root: &Value,
        schema: &Map<String, Value>,
        keyword: &str,
        object: &Map<String, Value>,
        at: &str,
    ) -> Result<(), String> {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let patterns: Vec<(regex::Regex, &Value)> = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .iter()
            .map(|(pattern, s)| (regex::Regex::new(pattern).unwrap(), s))
            .collect();
        match keyword {
            "patternProperties" => {
                for (name, value) in object {
                    for (pattern, property) in &patterns {
                        if pattern.is_match(name) {
                            check(root, property, value, &format!("{at}/{name}"))?;
                        }
                    }
                }
            }
            "properties" => {
                for (name, value) in object {
                    if let Some(property) = properties.get(name) {
                        check(root, property, value, &format!("{at}/{name}"))?;
                    }
                }
            }
            "additionalProperties" => {
                for (name, value) in object {
                    if !properties.contains_key(name)
                        && !patterns.iter().any(|(pattern, _)| pattern.is_match(name))
                    {
                        let additional = &schema["additionalProperties"];
                        check(root, additional, value, &format!("{at}/{name}"))
                            .map_err(|e| format!("{e} (unknown field {name:?})"))?;
                    }
                }
            }
            _ => {
                for name in schema["required"].as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    if !object.contains_key(name) {
                        return Err(format!("{at}: the field {name:?} is missing"));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A program with its own segment table and nudge settings.
fn segments_and_nudges() -> Value {
    json!({
        "id": "shop", "currency": "EUR",
        "segments": [
            {"segment": "vip", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
            {"segment": "others"}
        ],
        "nudges": {
            "send_time": "09:30",
            "refill": {"days_before": 2, "skus": {"BEANS": 30}, "categories": {"coffee": 45}},
            "next_tier": {"within_percent": "20", "within_spend": "50.00"},
            "milestone": {"orders": [5, 50]},
            "win_back": {"after_days": 45},
            "birthday": {}
        }
    })
}

#[test]
fn segments_and_nudges_are_valid_and_their_typos_are_not() {
    assert_program(&segments_and_nudges());
    for (pointer, wrong) in [
        ("/segments/0/r", json!([4, 5, 5])),
        ("/segments/0/r", json!([4])),
        ("/segments/0/r", json!("4-5")),
        ("/nudges/milestone/orders", json!([-5])),
        ("/nudges/refill/skus/BEANS", json!("thirty")),
    ] {
        let mut program = segments_and_nudges();
        *program.pointer_mut(pointer).unwrap() = wrong;
        assert_not_program(&program);
    }
    let mut program = segments_and_nudges();
    let win_back = program["nudges"]
        .as_object_mut()
        .unwrap()
        .remove("win_back")
        .unwrap();
    program["nudges"]["winback"] = win_back;
    let error = assert_not_program(&program);
    assert!(error.contains("winback"), "{error}");
    let mut program = segments_and_nudges();
    program["segments"][1]["q"] = json!([1, 2]);
    assert_not_program(&program);
}

#[test]
fn amounts_per_currency_have_their_schema() {
    let mut program = json("program.json");
    program["currencies"] = json!(["USD"]);
    program["promotions"] = json!([
        {"id": "ten-off", "min_subtotal": {"above": {"BRL": "50.00", "USD": "10.00"}},
         "budget": {"BRL": "1000.00", "USD": "200.00"},
         "reward": {"type": "amount_off", "amount": {"BRL": "10.00", "USD": "2.00"}}},
        {"id": "big", "condition": {"subtotal_at_least": {"BRL": "300.00", "USD": "60.00"}},
         "reward": {"type": "percent_off", "percent": "10", "cap": {"BRL": "30.00", "USD": "6.00"}}}
    ]);
    assert_program(&program);
    // An empty table, or a table of text that is not an amount, is not.
    for wrong in [json!({}), json!({"USD": "two"}), json!({"DOLLARS": "2.00"})] {
        let mut program = program.clone();
        program["promotions"][0]["reward"]["amount"] = wrong;
        assert_not_program(&program);
    }
}

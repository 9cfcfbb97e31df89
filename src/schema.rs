//! JSON Schemas of program files and checkouts, through `schemars`
//! (feature `schemars`).
//!
//! [`program`] describes the JSON that deserialises into a
//! [`ProgramDefinition`], [`checkout`] the JSON of a [`Checkout`]: the
//! fields, their types, which are required, and no others (every object
//! refuses unknown fields, so `additionalProperties` is `false`). Point an
//! editor at them to have a program file completed and checked as it is
//! written; `cargo run --example schema --features schemars` writes both
//! as files.
//!
//! A schema checks the shape of a file, not its sense: that the steps of a
//! ladder or a promotion rise, that a percent is at most 100, that a currency is one of
//! ISO 4217's, that a time zone exists, are checked by
//! [`Program::new`](crate::Program::new) and by deserialisation, with
//! errors that name the path.
//!
//! # Example
//!
//! ```
//! let schema = loyalty::schema::program();
//! let properties = schema.get("properties").unwrap();
//! assert!(properties.get("ladders").is_some());
//! assert!(properties.get("promotions").is_some());
//! assert_eq!(schema.get("additionalProperties"), Some(&serde_json::json!(false)));
//! ```

use std::borrow::Cow;

use rust_decimal::Decimal;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::ProgramDefinition;
use crate::calendar::{Country, Zone};
use crate::customer::Birthday;
use crate::evaluate::Checkout;
use crate::money::{Currency, Money, PerCurrency};
use crate::order::TaxRate;
use crate::percent::Percent;
use crate::rules::redemption::Ask;
use crate::rules::segment::ScoreRange;

/// The JSON Schema (draft 2020-12) of a program file.
#[must_use]
pub fn program() -> Schema {
    generator().into_root_schema_for::<ProgramDefinition>()
}

/// The JSON Schema (draft 2020-12) of a checkout.
#[must_use]
pub fn checkout() -> Schema {
    generator().into_root_schema_for::<Checkout>()
}

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(NoNull)
        .with_transform(NoCode)
        .into_generator()
}

/// No field of a program or a checkout accepts `null`: an absent value is
/// left out (the `Option` fields deserialise through `not_null`). So the
/// `null` that `schemars` allows for an `Option` is taken out again, with
/// the `"default": null` it writes for them.
#[derive(Clone, Copy)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        if object.get("default") == Some(&Value::Null) {
            object.remove("default");
        }
        if let Some(Value::Array(types)) = object.get_mut("type") {
            types.retain(|t| t != "null");
            if let [only] = types.as_slice() {
                let only = only.clone();
                object.insert("type".to_owned(), only);
            }
        }
        if let Some(Value::Array(values)) = object.get_mut("enum") {
            values.retain(|v| !v.is_null());
        }
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(alternatives)) = object.get_mut(key) else {
                continue;
            };
            alternatives.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
            if let [only] = alternatives.as_slice() {
                let Value::Object(only) = only.clone() else {
                    continue;
                };
                object.remove(key);
                for (k, v) in only {
                    object.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// Descriptions come from the doc comments; an editor shows them as
/// text, so they stop before the first code block or `# Example` heading.
#[derive(Clone, Copy)]
struct NoCode;

impl Transform for NoCode {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        if let Some(Value::String(description)) = schema.get_mut("description") {
            let end = ["\n```", "\n# "]
                .iter()
                .filter_map(|marker| description.find(marker))
                .min();
            if let Some(end) = end {
                description.truncate(end);
                description.truncate(description.trim_end().len());
            }
        }
    }
}

/// A text schema with a pattern and a description.
fn text(pattern: &str, description: &str) -> Schema {
    json_schema!({
        "type": "string",
        "pattern": pattern,
        "description": description,
    })
}

/// Implements `JsonSchema` for a type written as one string.
macro_rules! text_schema {
    ($type:ty, $name:literal, $pattern:expr, $description:literal) => {
        impl JsonSchema for $type {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                text($pattern, $description)
            }
        }
    };
}

text_schema!(
    Currency,
    "Currency",
    r"^\s*[A-Za-z]{3}\s*$",
    "An ISO 4217 currency code, such as \"EUR\"."
);

text_schema!(
    Country,
    "Country",
    "^[A-Za-z]{2}$",
    "An ISO 3166 two-letter country code, such as \"BR\"."
);

text_schema!(
    Birthday,
    "Birthday",
    r"^\s*([0-9]{4}-)?[0-9]{1,2}-[0-9]{1,2}\s*$",
    "A birthday as \"MM-DD\" or \"YYYY-MM-DD\" (the year is not kept)."
);

#[cfg(feature = "tz")]
text_schema!(
    Zone,
    "Zone",
    r"^(UTC|Z|[+-][0-9]{2}(:?[0-9]{2})?|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)$",
    "A time zone: \"UTC\", a UTC offset such as \"-03:00\", or an IANA name such as \"America/Sao_Paulo\"."
);

#[cfg(not(feature = "tz"))]
text_schema!(
    Zone,
    "Zone",
    r"^(UTC|Z|[+-][0-9]{2}(:?[0-9]{2})?)$",
    "A time zone: \"UTC\" or a UTC offset such as \"-03:00\" (names need the `tz` feature)."
);

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An amount and its currency: \"12.50 EUR\" or {\"amount\": \"12.50\", \"currency\": \"EUR\"}.",
            "anyOf": [
                {"type": "string", "pattern": r"^\s*-?[0-9]+(\.[0-9]+)? +[A-Za-z]{3}\s*$"},
                {
                    "type": "object",
                    "properties": {
                        "amount": generator.subschema_for::<Decimal>(),
                        "currency": generator.subschema_for::<Currency>(),
                    },
                    "required": ["amount", "currency"],
                    "additionalProperties": false,
                }
            ]
        })
    }
}

impl JsonSchema for PerCurrency {
    fn schema_name() -> Cow<'static, str> {
        "PerCurrency".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let amount = generator.subschema_for::<Decimal>();
        json_schema!({
            "description": "An amount in the program's currency (\"10.00\"), or one per currency the program serves ({\"EUR\": \"10.00\", \"USD\": \"12.00\"}).",
            "anyOf": [
                amount.clone(),
                {
                    "type": "object",
                    "patternProperties": {r"^\s*[A-Za-z]{3}\s*$": amount},
                    "additionalProperties": false,
                    "minProperties": 1,
                }
            ]
        })
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = generator.subschema_for::<Decimal>();
        schema.insert(
            "description".to_owned(),
            "A percent above 0 and at most 100, with at most 4 decimals: \"12.5\" for 12.5%."
                .into(),
        );
        schema
    }
}

impl JsonSchema for TaxRate {
    fn schema_name() -> Cow<'static, str> {
        "TaxRate".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = generator.subschema_for::<Decimal>();
        schema.insert(
            "description".to_owned(),
            "A tax rate in percent, from 0 to 100 with at most 4 decimals: \"20\" for 20%.".into(),
        );
        schema
    }
}

impl JsonSchema for Ask {
    fn schema_name() -> Cow<'static, str> {
        "Ask".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "How much to pay with: a number, a decimal string such as \"500\", or \"all\".",
            "anyOf": [
                {"const": "all"},
                generator.subschema_for::<Decimal>(),
            ]
        })
    }
}

impl JsonSchema for ScoreRange {
    fn schema_name() -> Cow<'static, str> {
        "ScoreRange".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A range of RFM scores, both ends included: [low, high], each 1 to 5, as [4, 5].",
            "type": "array",
            "items": generator.subschema_for::<u8>(),
            "minItems": 2,
            "maxItems": 2,
        })
    }
}

/// The schema of every identifier: non-blank text.
pub(crate) fn id(description: &str) -> Schema {
    text(r"\S", description)
}

//! The VIP tiers a program lists.
//!
//! Tier ids match exactly, case included: `"gold"` and `"Gold"` are two
//! tiers. When a rule names a tier, the program must list its tiers, so that
//! a typo is an error at [`Program::new`](crate::Program::new) and not a
//! multiplier that silently never applies. A customer whose tier is not one
//! of the program's is treated as having no tier, and the evaluation's
//! trace says so.

use serde::{Deserialize, Serialize};

use crate::customer::TierId;

/// A VIP tier of the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDefinition {
    /// The tier's id, as customers carry it (matched exactly, case
    /// included).
    pub id: TierId,
    /// A name for people.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::rules::not_null"
    )]
    pub name: Option<String>,
}

impl TierDefinition {
    /// A tier with an id and no name.
    #[must_use]
    pub fn new(id: TierId) -> TierDefinition {
        TierDefinition { id, name: None }
    }

    /// Sets a name for people.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> TierDefinition {
        self.name = Some(name.into());
        self
    }
}

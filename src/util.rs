//! Small helpers shared across the crate, depending on nothing of it.

use serde::{Deserialize, Serialize};

/// Serialises a `Display` value as a string without building the string
/// first: the sentences of an evaluation are written only when asked for.
pub(crate) struct Sentence<'a, T: std::fmt::Display>(pub(crate) &'a T);

impl<T: std::fmt::Display> Serialize for Sentence<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// Reads an optional field that may be left out but not written as
/// `null`: a restriction is removed by leaving it out, so that a `null`
/// written by a careless export is not silently "no restriction".
pub(crate) fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "null is not allowed here: leave the field out instead",
        )),
    }
}

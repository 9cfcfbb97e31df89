//! Small helpers shared across the crate, depending on nothing of it.

use serde::Serialize;

/// Serialises a `Display` value as a string without building the string
/// first: the sentences of an evaluation are written only when asked for.
pub(crate) struct Sentence<'a, T: std::fmt::Display>(pub(crate) &'a T);

impl<T: std::fmt::Display> Serialize for Sentence<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

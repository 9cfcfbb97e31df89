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

/// A list of small `Copy` values kept in place up to `N` of them (the lines
/// of a usual order), on the heap beyond: the evaluation's per-line
/// buffers, so that a usual order needs no allocation for them.
#[derive(Clone, Debug)]
pub(crate) enum Buf<T: Copy + Default, const N: usize> {
    Inline { items: [T; N], len: usize },
    Heap(Vec<T>),
}

impl<T: Copy + Default, const N: usize> Buf<T, N> {
    /// `len` copies of `value`.
    pub(crate) fn filled(len: usize, value: T) -> Self {
        if len <= N {
            Buf::Inline {
                items: [value; N],
                len,
            }
        } else {
            Buf::Heap(vec![value; len])
        }
    }

    /// A copy of `values`.
    pub(crate) fn from_slice(values: &[T]) -> Self {
        if values.len() <= N {
            let mut items = [T::default(); N];
            items[..values.len()].copy_from_slice(values);
            Buf::Inline {
                items,
                len: values.len(),
            }
        } else {
            Buf::Heap(values.to_vec())
        }
    }

    /// An empty list with room for `capacity` without moving to the heap
    /// again.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        if capacity <= N {
            Buf::Inline {
                items: [T::default(); N],
                len: 0,
            }
        } else {
            Buf::Heap(Vec::with_capacity(capacity))
        }
    }

    /// Adds a value at the end.
    pub(crate) fn push(&mut self, value: T) {
        match self {
            Buf::Inline { items, len } if *len < N => {
                items[*len] = value;
                *len += 1;
            }
            Buf::Inline { items, len } => {
                let mut heap = Vec::with_capacity(2 * N);
                heap.extend_from_slice(&items[..*len]);
                heap.push(value);
                *self = Buf::Heap(heap);
            }
            Buf::Heap(heap) => heap.push(value),
        }
    }
}

impl<T: Copy + Default, const N: usize> std::ops::Deref for Buf<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Buf::Inline { items, len } => &items[..*len],
            Buf::Heap(heap) => heap,
        }
    }
}

impl<T: Copy + Default, const N: usize> std::ops::DerefMut for Buf<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Buf::Inline { items, len } => &mut items[..*len],
            Buf::Heap(heap) => heap,
        }
    }
}

impl<'a, T: Copy + Default, const N: usize> IntoIterator for &'a Buf<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The evaluation's per-line buffer: 8 lines in place.
pub(crate) type Lines<T> = Buf<T, 8>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_moves_to_the_heap_past_its_room_and_keeps_its_values() {
        let mut buf: Buf<u32, 2> = Buf::with_capacity(0);
        for v in 1..=5 {
            buf.push(v);
        }
        assert_eq!(&*buf, &[1, 2, 3, 4, 5]);
        assert!(matches!(buf, Buf::Heap(_)));
        let small: Buf<u32, 4> = Buf::from_slice(&[7, 8]);
        assert_eq!(&*small, &[7, 8]);
        assert!(matches!(small, Buf::Inline { .. }));
        let mut filled: Buf<i128, 3> = Buf::filled(5, 9);
        filled[4] = 1;
        assert_eq!(&*filled, &[9, 9, 9, 9, 1]);
        assert_eq!(Buf::<u8, 3>::filled(3, 0).len(), 3);
    }
}

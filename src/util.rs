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
/// of a usual order, the rules that apply to it), on the heap beyond: the
/// evaluation's scratch buffers, so that a usual order needs no allocation
/// for them. The room in place is filled by the first value pushed, so the
/// values need no default.
#[derive(Clone, Debug, Default)]
pub(crate) enum Buf<T: Copy, const N: usize> {
    #[default]
    Empty,
    Inline {
        items: [T; N],
        len: usize,
    },
    Heap(Vec<T>),
}

impl<T: Copy, const N: usize> Buf<T, N> {
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
        match values.first() {
            None => Buf::Empty,
            Some(&first) if values.len() <= N => {
                let mut items = [first; N];
                items[..values.len()].copy_from_slice(values);
                Buf::Inline {
                    items,
                    len: values.len(),
                }
            }
            Some(_) => Buf::Heap(values.to_vec()),
        }
    }

    /// An empty list with room for `capacity` without moving to the heap
    /// again.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        if capacity <= N {
            Buf::Empty
        } else {
            Buf::Heap(Vec::with_capacity(capacity))
        }
    }

    /// Makes room for `additional` more values without moving again.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize) {
        match self {
            Buf::Heap(heap) => heap.reserve(additional),
            _ if self.len() + additional > N => {
                let mut heap = Vec::with_capacity(self.len() + additional);
                heap.extend_from_slice(self);
                *self = Buf::Heap(heap);
            }
            _ => {}
        }
    }

    /// Adds a value at the end.
    pub(crate) fn push(&mut self, value: T) {
        match self {
            Buf::Empty => {
                *self = Buf::Inline {
                    items: [value; N],
                    len: 1,
                };
            }
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

    /// Removes every value, keeping the room (in place or on the heap).
    pub(crate) fn clear(&mut self) {
        match self {
            Buf::Empty => {}
            Buf::Inline { len, .. } => *len = 0,
            Buf::Heap(heap) => heap.clear(),
        }
    }

    /// Adds copies of `values` at the end.
    pub(crate) fn extend_from_slice(&mut self, values: &[T]) {
        match self {
            Buf::Inline { items, len } if *len + values.len() <= N => {
                items[*len..*len + values.len()].copy_from_slice(values);
                *len += values.len();
            }
            Buf::Heap(heap) => heap.extend_from_slice(values),
            Buf::Empty if values.len() <= N => *self = Buf::from_slice(values),
            _ => {
                let mut heap = Vec::with_capacity(self.len() + values.len());
                heap.extend_from_slice(self);
                heap.extend_from_slice(values);
                *self = Buf::Heap(heap);
            }
        }
    }
}

impl<T: Copy, const N: usize> std::ops::Deref for Buf<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Buf::Empty => &[],
            Buf::Inline { items, len } => &items[..*len],
            Buf::Heap(heap) => heap,
        }
    }
}

impl<T: Copy, const N: usize> std::ops::DerefMut for Buf<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Buf::Empty => &mut [],
            Buf::Inline { items, len } => &mut items[..*len],
            Buf::Heap(heap) => heap,
        }
    }
}

impl<'a, T: Copy, const N: usize> IntoIterator for &'a Buf<T, N> {
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
        let mut grown: Buf<u8, 3> = Buf::with_capacity(2);
        assert!(grown.is_empty());
        grown.extend_from_slice(&[1, 2]);
        grown.extend_from_slice(&[3]);
        assert!(matches!(grown, Buf::Inline { len: 3, .. }));
        grown.extend_from_slice(&[4, 5]);
        assert_eq!(&*grown, &[1, 2, 3, 4, 5]);
        assert!(Buf::<u8, 3>::from_slice(&[]).is_empty());
    }
}

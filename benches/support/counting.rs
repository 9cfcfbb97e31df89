//! A global allocator that counts, and the counts of one piece of code.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `System`, counting allocations (and reallocations) and the bytes they
/// request while `COUNTING` is on. Off, it costs one relaxed load per call,
/// so that the criterion timings are not inflated by the counters' atomic
/// read-modify-writes.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static REALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments; the
// counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(new_size.saturating_sub(layout.size()), Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap requests: allocations, reallocations, and the bytes they asked for
/// (a reallocation counts the bytes it grew by).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocations {
    pub allocations: usize,
    pub reallocations: usize,
    pub bytes: usize,
}

impl Allocations {
    fn read() -> Allocations {
        Allocations {
            allocations: ALLOCATIONS.load(Ordering::SeqCst),
            reallocations: REALLOCATIONS.load(Ordering::SeqCst),
            bytes: BYTES.load(Ordering::SeqCst),
        }
    }

    /// The average over `n` runs (for a batch: per evaluation).
    pub fn per(self, n: usize) -> (f64, f64, f64) {
        let n = n as f64;
        (
            self.allocations as f64 / n,
            self.reallocations as f64 / n,
            self.bytes as f64 / n,
        )
    }
}

impl fmt::Display for Allocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>9} allocations + {:>7} reallocations, {:>11} bytes",
            self.allocations, self.reallocations, self.bytes,
        )
    }
}

/// The heap requests made while `f` runs (on any thread), and its result.
/// Not reentrant: one count at a time.
pub fn count<T>(f: impl FnOnce() -> T) -> (Allocations, T) {
    let before = Allocations::read();
    COUNTING.store(true, Ordering::SeqCst);
    let result = f();
    COUNTING.store(false, Ordering::SeqCst);
    let after = Allocations::read();
    (
        Allocations {
            allocations: after.allocations - before.allocations,
            reallocations: after.reallocations - before.reallocations,
            bytes: after.bytes - before.bytes,
        },
        result,
    )
}

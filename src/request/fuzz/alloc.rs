//! The test binary's allocator: the system allocator, counting what each thread
//! holds, so that a fuzz case's peak memory can be measured and capped.
//!
//! Counting is per thread (a thread-local counter, no locking); memory freed by
//! another thread than the one that allocated it is subtracted there, which only
//! makes the counts of threads handing data around approximate. Fuzz workers build
//! and drop their values themselves, so their counts are exact.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct Counting;

thread_local! {
    /// Bytes this thread holds (may go negative, see the module documentation).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Highest `LIVE` since the last [`reset_peak`].
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Allocations beyond this many bytes held fail (0: no cap).
    static CAP: Cell<usize> = const { Cell::new(0) };
}

fn add(bytes: usize) -> bool {
    let delta = isize::try_from(bytes).unwrap_or(isize::MAX);
    LIVE.try_with(|live| {
        let now = live.get().saturating_add(delta);
        let cap = CAP.try_with(Cell::get).unwrap_or(0);
        if cap != 0 && now > isize::try_from(cap).unwrap_or(isize::MAX) {
            return false;
        }
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
        true
    })
    .unwrap_or(true)
}

fn sub(bytes: usize) {
    let delta = isize::try_from(bytes).unwrap_or(isize::MAX);
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(delta)));
}

// SAFETY: every call is passed on to `System` unchanged; the counters never touch
// the memory itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !add(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: same layout, as the caller guarantees for `GlobalAlloc::alloc`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !add(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !add(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if moved.is_null() {
            if new_size > layout.size() {
                sub(new_size - layout.size());
            }
        } else if new_size < layout.size() {
            sub(layout.size() - new_size);
        }
        moved
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Start measuring this thread's peak from what it holds now; returns that level.
pub fn reset_peak() -> isize {
    let now = LIVE.try_with(Cell::get).unwrap_or(0);
    let _ = PEAK.try_with(|p| p.set(now));
    now
}

/// This thread's peak since [`reset_peak`].
pub fn peak() -> isize {
    PEAK.try_with(Cell::get).unwrap_or(0)
}

/// Fail this thread's allocations beyond `bytes` held (0: no cap). An allocation
/// refused this way aborts the process ("memory allocation failed"), which is how a
/// runaway case shows instead of exhausting the machine.
pub fn set_cap(bytes: usize) {
    let _ = CAP.try_with(|c| c.set(bytes));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_measured_per_thread() {
        std::thread::spawn(|| {
            let base = reset_peak();
            let v = vec![0u8; 1 << 20];
            assert!(peak() - base >= 1 << 20);
            drop(v);
            let base = reset_peak();
            let small = vec![0u8; 10];
            assert!(peak() - base < 1 << 10);
            drop(small);
        })
        .join()
        .expect("thread");
    }

    #[test]
    fn the_cap_refuses_allocations() {
        std::thread::spawn(|| {
            set_cap(1 << 20);
            let layout = Layout::from_size_align(2 << 20, 8).expect("layout");
            // SAFETY: a valid, non-zero layout; the pointer is checked before use.
            let refused = unsafe { std::alloc::alloc(layout) };
            set_cap(0);
            assert!(refused.is_null());
            // SAFETY: as above; freed with the same layout.
            let granted = unsafe { std::alloc::alloc(layout) };
            assert!(!granted.is_null());
            // SAFETY: allocated just above with this layout.
            unsafe { std::alloc::dealloc(granted, layout) };
        })
        .join()
        .expect("thread");
    }
}

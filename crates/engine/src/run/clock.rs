//! The execution's clock: real time, or a virtual clock that a wait advances instantly (tests
//! and conformance runs), seen by the engine and by `Date`/`$now` in expressions alike.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct Clock {
    virtual_time: bool,
    /// Milliseconds the virtual clock is ahead of real time.
    offset_ms: Cell<i64>,
    cancel: Arc<AtomicBool>,
}

impl Clock {
    pub fn new(virtual_time: bool, cancel: Arc<AtomicBool>) -> Self {
        Self {
            virtual_time,
            offset_ms: Cell::new(0),
            cancel,
        }
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.get()
    }

    /// Now, in milliseconds since the Unix epoch, on this clock.
    pub fn now_ms(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        real + self.offset_ms.get()
    }

    /// Waits `duration` (or jumps the virtual clock); `false` if the execution was cancelled.
    pub async fn sleep(&self, duration: Duration) -> bool {
        if self.virtual_time {
            let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
            self.offset_ms.set(self.offset_ms.get().saturating_add(ms));
            return !self.cancel.load(Ordering::Relaxed);
        }
        // A wait too long to represent waits as long as it can (until cancelled).
        let now = tokio::time::Instant::now();
        let deadline = now
            .checked_add(duration)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400));
        while tokio::time::Instant::now() < deadline {
            if self.cancel.load(Ordering::Relaxed) {
                return false;
            }
            let step = (deadline - tokio::time::Instant::now()).min(Duration::from_millis(200));
            tokio::time::sleep(step).await;
        }
        !self.cancel.load(Ordering::Relaxed)
    }
}

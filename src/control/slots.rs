//! The control API's connections: a bounded number at once. When every slot is taken, a
//! new connection takes the place of the one stuck longest where it is (waiting for a head,
//! or for its answer to be read), a busy reader's only when none is stuck, a steering write's
//! never: clients that hold connections without using them cannot keep out the token's
//! holder, who needs one connection for one short exchange.

use super::connection::{Progress, Step};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The connections open, each with its progress and the token that evicts it.
#[derive(Debug)]
pub struct Slots {
    max: usize,
    open: Mutex<Vec<Entry>>,
    next_id: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct Entry {
    id: u64,
    progress: Arc<Progress>,
    evict: CancellationToken,
}

/// A connection's place; it is given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    id: u64,
    pub evicted: CancellationToken,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.lock().retain(|e| e.id != self.id);
    }
}

impl Slots {
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max,
            open: Mutex::new(Vec::with_capacity(max)),
            next_id: Default::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for a new connection, evicting another when all are taken; None only when
    /// every connection is applying a steering write.
    pub fn take(self: &Arc<Slots>, progress: Arc<Progress>) -> Option<Slot> {
        let mut open = self.lock();
        if open.len() >= self.max {
            let victim = open
                .iter()
                .enumerate()
                .filter_map(|(i, e)| eviction_rank(e.progress.now()).map(|rank| (rank, i)))
                .min()?
                .1;
            open.swap_remove(victim).evict.cancel();
        }
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let evict = CancellationToken::new();
        open.push(Entry {
            id,
            progress,
            evict: evict.clone(),
        });
        Some(Slot {
            slots: Arc::clone(self),
            id,
            evicted: evict,
        })
    }
}

/// Who goes first (the lowest): stuck connections, the longest stuck first; then handlers
/// (reads waiting for a tick), the oldest first; a steering write never.
fn eviction_rank((step, since): (Step, Instant)) -> Option<(u8, Instant)> {
    match step {
        Step::Head | Step::Answering => Some((0, since)),
        Step::Handling => Some((1, since)),
        Step::Steering => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_connection_evicts_a_stuck_one_then_a_reader_and_never_a_steering_write() {
        let slots = Slots::new(2);
        let a = slots.take(Progress::new()).expect("free");
        let reader = Progress::new();
        let b = slots.take(Arc::clone(&reader)).expect("free");
        let _reading = reader.handling();
        let writer = Progress::new();
        let c = slots.take(Arc::clone(&writer)).expect("evicts one");
        assert!(a.evicted.is_cancelled(), "the stuck one goes first");
        assert!(!b.evicted.is_cancelled());
        let steering = writer.handling();
        steering.steering();
        let d = slots.take(Progress::new()).expect("evicts one");
        assert!(b.evicted.is_cancelled(), "then the reader");
        assert!(!c.evicted.is_cancelled(), "never a steering write");
        let other_writer = Progress::new();
        drop(d);
        let _e = slots.take(Arc::clone(&other_writer)).expect("a free slot");
        let held = other_writer.handling();
        held.steering();
        assert!(slots.take(Progress::new()).is_none(), "all are steering");
        assert_eq!(slots.lock().len(), 2);
    }
}

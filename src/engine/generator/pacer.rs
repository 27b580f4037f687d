//! The rate knob (open loop): requests are due at evenly spaced times, as in wrk2. What is
//! behind is a count and the oldest due time, never a queue of tasks, so a server that
//! stalls costs no memory however high the rate.

use crate::engine::steer::{MAX_RATE, MIN_RATE};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// A request that starts within this of when it was due is on time: the client's own
/// bound, past which it measures latency from the due time, so a late start here is a
/// late start there.
pub use crate::engine::client::ON_TIME_SLACK;

/// When requests are due; shared by the spawn loop, the request tasks and the `Handle`.
#[derive(Debug)]
pub struct Pacer {
    /// Whether a rate is set: the one thing the closed loop reads per request.
    open: AtomicBool,
    schedule: Mutex<Schedule>,
    /// Woken on every change (rate, pause, resume), so a sleeper re-reads the schedule.
    changed: Notify,
}

/// A claimed slot: when it was due, and the pause time so far when it was claimed.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    due: Instant,
    paused_before: Duration,
}

#[derive(Debug)]
struct Schedule {
    /// Requests a second; None is the closed loop, Some(0.0) is "nothing due".
    rate: Option<f64>,
    /// Slot `anchor_slot` is due at `anchor`; the next ones follow at 1/rate.
    anchor: Instant,
    anchor_slot: u64,
    /// The first slot not yet claimed.
    next_slot: u64,
    paused_at: Option<Instant>,
    /// Time spent paused so far: slots claimed before a pause are due that much later.
    paused_total: Duration,
}

impl Schedule {
    /// When `slot` is due; None when nothing is (closed loop, rate 0, paused).
    fn due(&self, slot: u64) -> Option<Instant> {
        match self.paused_at {
            Some(_) => None,
            None => self.due_unpaused(slot),
        }
    }

    /// When `slot` would be due if nothing were paused.
    fn due_unpaused(&self, slot: u64) -> Option<Instant> {
        let rate = self.rate.filter(|r| *r > 0.0)?;
        let secs = (slot - self.anchor_slot) as f64 / rate;
        Some(self.anchor + Duration::from_secs_f64(secs))
    }
}

impl Pacer {
    /// A pacer at `rate` requests a second (None: closed loop), the first slot due at `start`.
    pub fn new(rate: Option<f64>, start: Instant) -> Pacer {
        Pacer {
            open: AtomicBool::new(rate.is_some()),
            schedule: Mutex::new(Schedule {
                rate: rate.map(clamp_rate),
                anchor: start,
                anchor_slot: 0,
                next_slot: 0,
                paused_at: None,
                paused_total: Duration::ZERO,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a rate is set (open loop).
    pub fn is_open(&self) -> bool {
        self.open.load(Relaxed)
    }

    /// The rate in force, requests a second; None in the closed loop.
    pub fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// When the next unclaimed slot is due; None when nothing is.
    pub fn next_due(&self) -> Option<Instant> {
        let s = self.lock();
        s.due(s.next_slot)
    }

    /// Claims the next slot if it is due by `now`.
    pub fn claim_due(&self, now: Instant) -> Option<Slot> {
        let mut s = self.lock();
        let due = s.due(s.next_slot).filter(|due| *due <= now)?;
        s.next_slot += 1;
        Some(Slot {
            due,
            paused_before: s.paused_total,
        })
    }

    /// When a claimed slot is due now: later by any pause since it was claimed.
    pub fn due_of(&self, slot: Slot) -> Instant {
        let paused_since = self.lock().paused_total.saturating_sub(slot.paused_before);
        slot.due + paused_since
    }

    /// How far behind the schedule is at `now`: how long the oldest unclaimed slot has
    /// been due (zero when on time).
    pub fn lag(&self, now: Instant) -> Duration {
        self.next_due()
            .map_or(Duration::ZERO, |due| now.saturating_duration_since(due))
    }

    /// Sets the rate (None: back to the closed loop) from `now` on. A backlog is kept: if
    /// the next slot was already due, the new spacing starts from that slot's due time.
    pub fn set_rate(&self, rate: Option<f64>, now: Instant) {
        let mut s = self.lock();
        // While paused, the schedule stands at the pause (resume moves it on from there).
        let now = s.paused_at.unwrap_or(now);
        let anchor = s.due_unpaused(s.next_slot).map_or(now, |due| due.min(now));
        s.anchor = anchor;
        s.anchor_slot = s.next_slot;
        s.rate = rate.map(clamp_rate);
        self.open.store(rate.is_some(), Relaxed);
        drop(s);
        self.changed.notify_waiters();
    }

    /// Nothing is due while paused.
    pub fn pause(&self, now: Instant) {
        let mut s = self.lock();
        s.paused_at.get_or_insert(now);
        drop(s);
        self.changed.notify_waiters();
    }

    /// The schedule goes on where it stood: every slot is due later by the pause.
    pub fn resume(&self, now: Instant) {
        let mut s = self.lock();
        if let Some(at) = s.paused_at.take() {
            let paused = now.saturating_duration_since(at);
            s.anchor += paused;
            s.paused_total += paused;
        }
        drop(s);
        self.changed.notify_waiters();
    }

    /// Wakes whoever waits for a change: the run is ending.
    pub fn wake(&self) {
        self.changed.notify_waiters();
    }

    /// Resolves at the next change; create it before reading the schedule, so a change in
    /// between is not missed.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }
}

/// A rate within `MIN_RATE..=MAX_RATE`, or 0.
fn clamp_rate(rate: f64) -> f64 {
    match rate {
        r if r.is_nan() || r <= 0.0 => 0.0,
        r => r.clamp(MIN_RATE, MAX_RATE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn slots_are_evenly_spaced_and_claimed_only_when_due() {
        let t0 = Instant::now();
        let p = Pacer::new(Some(100.0), t0);
        assert!(p.claim_due(t0).is_some(), "slot 0 is due at the start");
        assert!(p.claim_due(t0 + ms(9)).is_none(), "slot 1 is due at 10 ms");
        let due: Vec<_> = (0..3)
            .map(|_| p.due_of(p.claim_due(t0 + ms(100)).expect("due")) - t0)
            .collect();
        assert_eq!(due, vec![ms(10), ms(20), ms(30)]);
        assert_eq!(p.lag(t0 + ms(100)), ms(60), "slot 4 has waited since 40 ms");
    }

    #[test]
    fn a_new_rate_keeps_the_backlog_and_a_pause_moves_the_schedule() {
        let t0 = Instant::now();
        let p = Pacer::new(Some(10.0), t0);
        p.claim_due(t0).expect("slot 0");
        // Behind: slot 1 has been due since 100 ms.
        p.set_rate(Some(1000.0), t0 + ms(500));
        assert_eq!(p.next_due(), Some(t0 + ms(100)));
        let held = p.claim_due(t0 + ms(500)).expect("the backlog");
        p.pause(t0 + ms(500));
        assert_eq!(p.next_due(), None, "nothing is due while paused");
        p.resume(t0 + ms(2500));
        assert_eq!(p.due_of(held), t0 + ms(2100), "due later by the pause");
        assert_eq!(p.next_due(), Some(t0 + ms(2101)));
    }

    #[test]
    fn rate_zero_has_nothing_due_and_none_is_the_closed_loop() {
        let t0 = Instant::now();
        let p = Pacer::new(Some(0.0), t0);
        assert!(p.is_open());
        assert_eq!(p.next_due(), None);
        p.set_rate(None, t0);
        assert!(!p.is_open());
        assert_eq!(p.rate(), None);
    }
}

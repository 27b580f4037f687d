//! The run split across generator threads (shards): each has its own gate and pacer, and
//! the operator's limit and rate are divided between them so that the totals stay exact.

use super::gate::{Gate, InFlight};
use super::pacer::{ON_TIME_SLACK, Pacer};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// What one generator thread paces and gates its requests with.
#[derive(Debug)]
pub struct Shard {
    pub gate: Arc<Gate>,
    pub pacer: Pacer,
    /// Requests this shard started late, counted as they start.
    late_starts: AtomicU64,
}

impl Shard {
    /// Counts a request starting at `now` that was due at `due` (rate mode) if it is late:
    /// as it starts, so the count stops rising as soon as starts are on time again.
    pub fn note_start(&self, due: Option<Instant>, now: Instant) {
        if let Some(due) = due
            && now.saturating_duration_since(due) > ON_TIME_SLACK
        {
            self.late_starts.fetch_add(1, Relaxed);
        }
    }
}

/// Every shard of a run, and the run-wide in-flight count.
#[derive(Debug)]
pub struct Shards {
    all: Vec<Shard>,
    in_flight: Arc<InFlight>,
    /// The operator's rate (the shards each pace a share of it).
    rate: Mutex<Option<f64>>,
}

/// `total` split into `n` shares that differ by at most one and add up to `total`.
pub fn shares(total: usize, n: usize) -> impl Iterator<Item = usize> {
    let n = n.max(1);
    (0..n).map(move |i| total / n + usize::from(i < total % n))
}

impl Shards {
    /// `n` shards (at least 1) for a run that starts at `limit` and `rate` at `start`.
    pub fn new(n: usize, limit: usize, rate: Option<f64>, start: Instant) -> Shards {
        let n = n.max(1);
        let in_flight = Arc::new(InFlight::default());
        let all = shares(limit, n)
            .enumerate()
            .map(|(i, share)| Shard {
                gate: Gate::counted_in(share, Arc::clone(&in_flight)),
                // Shard i's slots fall between the others': the total stays evenly spaced.
                pacer: Pacer::new(
                    rate.map(|r| r / n as f64),
                    start + rate.map_or(Duration::ZERO, |r| phase(i, r)),
                ),
                late_starts: AtomicU64::new(0),
            })
            .collect();
        Shards {
            all,
            in_flight,
            rate: Mutex::new(rate),
        }
    }

    /// Shard `i`.
    pub fn get(&self, i: usize) -> &Shard {
        &self.all[i]
    }

    /// Sets the gates to `total` between them (0 pauses).
    pub fn set_limit(&self, total: usize) {
        for (shard, share) in self.all.iter().zip(shares(total, self.all.len())) {
            shard.gate.set(share);
        }
    }

    /// Sets the rate (None: closed loop), each shard pacing its share.
    pub fn set_rate(&self, rate: Option<f64>, now: Instant) {
        *self.rate.lock().unwrap_or_else(|e| e.into_inner()) = rate;
        let n = self.all.len() as f64;
        for shard in &self.all {
            shard.pacer.set_rate(rate.map(|r| r / n), now);
        }
    }

    /// The operator's rate; None in the closed loop.
    pub fn rate(&self) -> Option<f64> {
        *self.rate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How far behind the furthest-behind shard is.
    pub fn lag(&self, now: Instant) -> Duration {
        self.all
            .iter()
            .map(|s| s.pacer.lag(now))
            .max()
            .unwrap_or_default()
    }

    pub fn pause(&self, now: Instant) {
        self.set_limit(0);
        self.all.iter().for_each(|s| s.pacer.pause(now));
    }

    pub fn resume(&self, now: Instant, limit: usize) {
        self.all.iter().for_each(|s| s.pacer.resume(now));
        self.set_limit(limit);
    }

    /// Closes every gate: nothing new starts.
    pub fn close(&self) {
        self.all.iter().for_each(|s| s.gate.close());
        // A spawn loop waiting for the schedule (rate 0, paused) looks again, and leaves.
        self.all.iter().for_each(|s| s.pacer.wake());
    }

    /// Requests started late so far, in every shard.
    pub fn late_starts(&self) -> u64 {
        self.all.iter().map(|s| s.late_starts.load(Relaxed)).sum()
    }

    /// Requests in flight now, in every shard.
    pub fn in_flight(&self) -> usize {
        self.in_flight.now()
    }

    /// The most ever in flight at once, in every shard together.
    pub fn peak_in_flight(&self) -> usize {
        self.in_flight.peak()
    }
}

/// How much later than the first shard's schedule shard `i`'s starts, at `rate` in total.
fn phase(i: usize, rate: f64) -> Duration {
    match rate {
        r if r > 0.0 => Duration::from_secs_f64(i as f64 / r),
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_differ_by_at_most_one() {
        assert_eq!(shares(10, 3).collect::<Vec<_>>(), vec![4, 3, 3]);
        assert_eq!(shares(1, 4).collect::<Vec<_>>(), vec![1, 0, 0, 0]);
        assert_eq!(shares(0, 2).collect::<Vec<_>>(), vec![0, 0]);
        for total in 0..50 {
            for n in 1..9 {
                assert_eq!(shares(total, n).sum::<usize>(), total);
            }
        }
    }

    #[test]
    fn the_rate_is_split_and_the_slots_interleave() {
        let t0 = Instant::now();
        let shards = Shards::new(2, 10, Some(100.0), t0);
        assert_eq!(shards.get(0).pacer.rate(), Some(50.0));
        let first = shards.get(0).pacer.next_due().expect("due");
        let second = shards.get(1).pacer.next_due().expect("due");
        assert_eq!(
            second - first,
            Duration::from_millis(10),
            "one slot apart in total"
        );
        assert_eq!(shards.rate(), Some(100.0));
    }
}

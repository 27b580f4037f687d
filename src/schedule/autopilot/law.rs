//! The autopilot's control law, pure: a reading of how close the conditions came to their
//! bars in, the next value of the knob out. It needs no capacity:
//!
//! - until it first fails, far under the bar it climbs by the room the margin leaves (half
//!   again at most: TCP's slow start); otherwise it probes up, a tenth at most, while the
//!   smoothed margin leaves room, stays put where it does not (an open loop's latency is
//!   flat until the knee: a margin far under the bar says nothing of how near it is), and
//!   eases off a little where the smoothed margin is all but gone;
//! - a probe that fails retreats at once to where it held; a value that held and fails
//!   is judged again first (once over is a hiccup, and often is on a shared machine), then
//!   backed off by how far over it went;
//! - a value that failed is remembered: for `QUIET` readings the law stays under it, then
//!   it creeps up to it and, once it holds there again, forgets it and climbs; a probe that
//!   fails there again doubles the wait (up to `QUIET_MOST`), so a steady service is
//!   probed ever more rarely, and a value that held failing (the service changed) starts
//!   the wait over; a margin under it that falls well below the one it first read there
//!   (the service got faster) forgets it at once;
//! - the reading after a move down is not judged: the service still drains what the
//!   higher value queued.
//!
//! ARCHITECTURE.md has the measurements behind it.

/// The smoothed margin under which the law probes up: the worst condition at this share of
/// its bar leaves too little room for the noise of a second to probe further.
pub const GATE: f64 = 0.9;
/// Over this smoothed margin (yet under the bar) the law eases off by `EASE_BY`.
pub const EASE: f64 = 0.95;
pub const EASE_BY: f64 = 0.97;
/// Under this margin the law climbs by the room left (`(GATE / margin)^GAIN`)...
pub const FAR: f64 = 0.5;
/// ...damped so, in the log of the margin.
pub const GAIN: f64 = 0.5;
/// The most one move multiplies the value by, up (far from the bar; near it) and down.
pub const UP_MOST: f64 = 1.5;
pub const PROBE_MOST: f64 = 1.1;
pub const DOWN_MOST: f64 = 0.5;
/// Over the bar, a value that had held backs off by this share at least.
pub const BACKOFF: f64 = 0.1;
/// How far under a value that failed the law climbs while it remembers it.
pub const UNDER_FAILED: f64 = 0.05;
/// Readings the law stays under a value that failed before it probes it again, at first...
pub const QUIET: u32 = 30;
/// ...and at most, after probes that failed there again.
pub const QUIET_MOST: u32 = 120;
/// A smoothed margin under this share of the first one read under a value that failed
/// forgets that value: the service got faster.
pub const FASTER: f64 = 0.6;
/// Once the memory is quiet, a move up to the value that failed is at most this share.
pub const CREEP: f64 = 0.02;
/// The weight of the newest reading in the smoothed margin.
pub const SMOOTHING: f64 = 0.5;

/// What one reading says: how close the worst condition came to its bar (measured over
/// threshold: under 1 every condition held).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub margin: f64,
}

impl Reading {
    /// Whether every condition held.
    pub fn held(self) -> bool {
        self.margin < 1.0
    }
}

/// The lowest value that failed lately, how many readings ago, and how many readings the
/// law stays under it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Failed {
    value: f64,
    age: u32,
    quiet: u32,
    /// The smoothed margin first read under it.
    under: Option<f64>,
}

impl Failed {
    /// Whether the law still stays under it (else it creeps up to it).
    fn fresh(self) -> bool {
        self.age < self.quiet
    }
}

/// The law's state: the value in force, its bounds, and what it learnt.
#[derive(Debug, Clone, PartialEq)]
pub struct Law {
    value: f64,
    floor: f64,
    ceiling: f64,
    failed: Option<Failed>,
    /// The margin smoothed over the readings since the last move down.
    smoothed: Option<f64>,
    /// The value before the last move, when that move was up: a probe.
    probed_from: Option<f64>,
    /// Whether it ever failed: then it climbs by probes only.
    ever_failed: bool,
    /// The next reading mixes the loads before and after a cut: it is not judged.
    settling: bool,
    /// The last reading failed at a value that had held: once more and it is the load.
    suspect: bool,
}

impl Law {
    /// A law starting at `start`, kept within `floor..=ceiling`.
    pub fn new(start: f64, floor: f64, ceiling: f64) -> Law {
        Law {
            value: start.clamp(floor, ceiling.max(floor)),
            floor,
            ceiling: ceiling.max(floor),
            failed: None,
            smoothed: None,
            probed_from: None,
            ever_failed: false,
            settling: false,
            suspect: false,
        }
    }

    /// The value in force.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The highest value allowed now (the open-file cap may move); the value follows it down.
    pub fn set_ceiling(&mut self, ceiling: f64) {
        self.ceiling = ceiling.max(self.floor);
        self.value = self.value.min(self.ceiling);
    }

    /// The value after `reading` of the value in force.
    pub fn next(&mut self, reading: Reading) -> f64 {
        if std::mem::take(&mut self.settling) {
            return self.value;
        }
        let probe = self.probed_from.take();
        if !reading.held() && probe.is_none() && !std::mem::take(&mut self.suspect) {
            self.suspect = true;
            return self.value;
        }
        self.suspect = false;
        self.learn(reading, probe.is_some());
        let m = reading.margin;
        let next = match (reading.held(), probe) {
            (true, _) => self.value * self.up(m),
            // A probe that failed: back to where it held (a tenth over, for a second, queued
            // little); should it still fail there, it is backed off as any value that held.
            (false, Some(from)) => from,
            (false, None) => self.value * (GATE / m).clamp(DOWN_MOST, 1.0 - BACKOFF),
        };
        self.moved_to(next.clamp(self.floor, self.ceiling))
    }

    /// Moves to `next`, noting a probe (a move up) or a move down (the next reading passes).
    fn moved_to(&mut self, next: f64) -> f64 {
        if next > self.value {
            self.probed_from = Some(self.value);
        }
        if next < self.value {
            self.settling = true;
            self.smoothed = None;
        }
        self.value = next;
        next
    }

    /// The factor up after a reading that held at `margin`: by the room left far from the
    /// bar, a probe nearer it while the smoothed margin allows; under a value that failed,
    /// no closer than `UNDER_FAILED` while it is fresh, then a creep at a time.
    fn up(&self, margin: f64) -> f64 {
        let smoothed = self.smoothed.unwrap_or(margin);
        let room = |m: f64| match m {
            m if m <= 0.0 => f64::INFINITY,
            m => (GATE / m).powf(GAIN),
        };
        let factor = match (margin, smoothed) {
            (m, _) if m < FAR && !self.ever_failed => room(m).min(UP_MOST),
            (_, s) if s < GATE => room(s).min(PROBE_MOST),
            (_, s) if s >= EASE => return EASE_BY,
            _ => 1.0,
        };
        let Some(failed) = self.failed else {
            return factor;
        };
        let under = failed.value * (1.0 - UNDER_FAILED) / self.value;
        let least = match failed.fresh() {
            true => 1.0,
            false => 1.0 + CREEP,
        };
        factor.min(under.max(least))
    }

    /// What `reading` teaches (`probe`: of a value just moved up to): the smoothed margin;
    /// a failure is remembered (the lowest while fresh; a probe that failed near the value
    /// remembered doubles its wait); a value that held at or above it forgets it.
    fn learn(&mut self, reading: Reading, probe: bool) {
        let m = reading.margin.min(10.0);
        let smoothed = match self.smoothed {
            Some(s) => s + SMOOTHING * (m - s),
            None => m,
        };
        self.smoothed = Some(smoothed);
        if let Some(failed) = &mut self.failed {
            failed.age = failed.age.saturating_add(1);
            if reading.held() {
                failed.under.get_or_insert(smoothed);
            }
        }
        self.ever_failed |= !reading.held();
        let quiet = match self.failed {
            Some(f) if probe && self.value >= f.value * (1.0 - UNDER_FAILED) => {
                f.quiet.saturating_mul(2).min(QUIET_MOST)
            }
            _ => QUIET,
        };
        let here = Failed {
            value: self.value,
            age: 0,
            quiet,
            under: None,
        };
        let faster = |f: Failed| f.under.is_some_and(|u| smoothed < FASTER * u);
        self.failed = match (reading.held(), self.failed) {
            (false, Some(f)) if f.fresh() && f.value < self.value => Some(f),
            (false, _) => Some(here),
            (true, Some(f)) if f.value <= self.value || faster(f) => None,
            (true, kept) => kept,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(margin: f64) -> Reading {
        Reading { margin }
    }

    fn near(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn far_under_the_bar_it_climbs_by_the_room_left_half_again_at_most() {
        let mut law = Law::new(10.0, 1.0, 1e6);
        assert_eq!(law.next(read(0.1)), 15.0);
        assert_eq!(
            law.next(read(0.0)),
            22.5,
            "nothing measured against the bar"
        );
        let mut near_bar = Law::new(100.0, 1.0, 1e6);
        let up = near_bar.next(read(0.45));
        assert!(near(up, 100.0 * 2f64.sqrt()), "{up}");
    }

    #[test]
    fn nearer_the_bar_it_probes_while_the_smoothed_margin_leaves_room_then_stays() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        assert!(near(law.next(read(0.6)), 110.0), "a probe: a tenth at most");
        let before = law.value();
        let probe = law.next(read(0.8)) / before;
        assert!(near(probe, (0.9f64 / 0.7).sqrt().min(1.1)), "{probe}");
        let mut stays = Law::new(100.0, 1.0, 1e6);
        for _ in 0..3 {
            assert_eq!(
                stays.next(read(0.92)),
                100.0,
                "under the bar, no room: it stays"
            );
        }
        assert_eq!(
            stays.next(read(0.99)),
            97.0,
            "all but at the bar: it eases off"
        );
    }

    #[test]
    fn a_probe_that_fails_goes_back_to_where_it_held() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        let probed = law.next(read(0.8));
        assert!(probed > 100.0);
        assert_eq!(law.next(read(1.02)), 100.0, "back at once");
        assert_eq!(law.next(read(2.0)), 100.0, "the reading after passes");
        let mut cliff = Law::new(100.0, 1.0, 1e6);
        cliff.next(read(0.8));
        assert_eq!(cliff.next(read(4.0)), 100.0, "far over too: it held there");
        cliff.next(read(4.0));
        cliff.next(read(4.0));
        assert_eq!(
            cliff.next(read(4.0)),
            50.0,
            "failing where it held: backed off"
        );
    }

    #[test]
    fn a_value_that_held_and_fails_twice_backs_off_by_how_far_and_lets_a_reading_pass() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        assert_eq!(law.next(read(0.92)), 100.0);
        assert_eq!(law.next(read(1.0)), 100.0, "once over: a hiccup, maybe");
        assert_eq!(law.next(read(1.0)), 90.0, "twice just over: a tenth");
        assert_eq!(law.next(read(5.0)), 90.0, "the reading after a cut passes");
        assert_eq!(law.next(read(50.0)), 90.0);
        assert_eq!(law.next(read(50.0)), 45.0, "far over: halved at most");
        let mut floor = Law::new(1.0, 1.0, 1e6);
        for _ in 0..5 {
            assert_eq!(floor.next(read(9.0)), 1.0, "never under the floor");
        }
    }

    #[test]
    fn a_hiccup_over_the_bar_is_not_the_load() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        assert_eq!(law.next(read(3.0)), 100.0);
        assert_eq!(law.next(read(0.92)), 100.0, "it held again");
        assert_eq!(
            law.next(read(3.0)),
            100.0,
            "a hiccup again, not twice in a row"
        );
        assert_eq!(law.failed, None);
    }

    #[test]
    fn under_a_value_that_failed_it_waits_then_creeps_until_that_value_holds_again() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        law.next(read(9.0));
        law.next(read(9.0)); // 100 failed twice: 50, then a reading passes
        law.next(read(0.1));
        assert!(
            near(law.next(read(0.1)), 55.0),
            "once it failed, it climbs by probes"
        );
        // Each reading judged since the failure ages it by one.
        let mut readings = 2;
        while law.next(read(0.1)) < 95.0 {
            readings += 1;
        }
        assert!(near(law.value(), 95.0), "up to a little under 100");
        while readings < QUIET - 1 {
            assert!(near(law.next(read(0.1)), 95.0), "while 100 is fresh");
            readings += 1;
        }
        assert!(near(law.next(read(0.1)), 96.9), "then a creep");
        let mut crept = law.value();
        while crept < 100.0 {
            crept = law.next(read(0.1));
        }
        assert!(crept < 102.0, "{crept}");
        assert!(
            near(law.next(read(0.1)), crept * 1.1),
            "100 held: forgotten"
        );
    }

    #[test]
    fn probes_that_fail_at_the_same_value_wait_ever_longer_until_the_service_changes() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        law.next(read(0.92));
        law.next(read(1.5));
        law.next(read(1.5)); // 100 failed: 60, then a reading passes
        law.next(read(0.5));
        let mut waits = Vec::new();
        for _ in 0..3 {
            let mut held = 0;
            while law.value() < 100.0 {
                law.next(read(0.85));
                held += 1;
            }
            law.next(read(1.05)); // the probe of 100 fails: back, and a reading passes
            law.next(read(0.5));
            waits.push(held);
        }
        assert!(
            waits[1] > waits[0] + QUIET / 2 && waits[2] > waits[1] + QUIET,
            "{waits:?}"
        );
        let mut held = 0;
        law.next(read(1.5));
        law.next(read(1.5)); // a value that held fails: the service changed
        law.next(read(0.5));
        while law.value() < 95.0 * 0.98 {
            law.next(read(0.85));
            held += 1;
        }
        assert_eq!(law.failed.map(|f| f.quiet), Some(QUIET), "{held}");
    }

    #[test]
    fn a_margin_that_falls_well_under_a_failure_forgets_it() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        law.next(read(0.92));
        law.next(read(1.2));
        law.next(read(1.2)); // 100 failed: 90, then a reading passes
        law.next(read(0.92));
        for _ in 0..5 {
            assert!(law.next(read(0.85)) <= 95.0, "under the failure");
        }
        assert!(law.failed.is_some(), "the same margin: remembered");
        for _ in 0..3 {
            law.next(read(0.3));
        }
        assert_eq!(
            law.failed, None,
            "a third of the margin: the service got faster"
        );
    }

    #[test]
    fn the_ceiling_bounds_it_and_pulls_it_down() {
        let mut law = Law::new(50.0, 1.0, 60.0);
        assert_eq!(law.next(read(0.1)), 60.0);
        law.set_ceiling(40.0);
        assert_eq!(law.value(), 40.0);
        assert_eq!(law.next(read(0.1)), 40.0);
    }
}

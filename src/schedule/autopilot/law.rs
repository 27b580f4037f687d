//! The autopilot's control law, pure: a reading of how close the conditions came to their
//! bars in, the next value of the knob out. It needs no capacity:
//!
//! - until it first fails, far under the bar it climbs by the room the margin leaves (half
//!   again at most: TCP's slow start); otherwise it probes up, a tenth at most, while the
//!   smoothed margin leaves room, stays put where it does not (an open loop's latency is
//!   flat until the knee: a margin far under the bar says nothing of how near it is), and
//!   eases off a little where the smoothed margin is all but gone;
//! - a probe that fails retreats at once to where it held; a value that held and fails
//!   from a comfortable margin is judged again first (once over is a hiccup, and often is
//!   on a shared machine), from the edge at once; then it is backed off by how far over it
//!   went, or, in rate mode, to a tenth under what the service served (an open loop over
//!   its capacity is told the capacity by the service itself);
//! - a value that failed is remembered: for `QUIET` readings the law stays under it, then
//!   it creeps up to it and, once it holds there again for `DRAINED_AFTER` readings,
//!   forgets it and climbs; a probe that
//!   fails there again doubles the wait (up to `QUIET_MOST`), so a steady service is
//!   probed ever more rarely, and a value that held failing (the service changed) starts
//!   the wait over; the wait is shorter when the margin just under it is wide (a failure
//!   there is more likely a hiccup than a knee, or the knee of an open loop, flat below),
//!   and a margin under it that falls well below the one it first read there (the service
//!   got faster) forgets it at once;
//! - the reading after a move down is not judged: the service still drains what the
//!   higher value queued.
//!
//! ARCHITECTURE.md has the measurements behind it.

/// The smoothed margin under which the law probes up: the worst condition at this share of
/// its bar leaves too little room for the noise of a second to probe further.
pub const GATE: f64 = 0.9;
/// Over this smoothed margin (yet under the bar) the law eases off by `EASE_BY`.
pub const EASE: f64 = 0.95;
pub const EASE_BY: f64 = 0.93;
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
/// A smoothed margin under this share of the one read under a value that failed (a few
/// readings after, once what the failure queued has drained) forgets that value: the
/// service got faster (noise only ever slows it).
pub const FASTER: f64 = 0.75;
/// Readings after a failure before the margin under it is read.
pub const DRAINED_AFTER: u32 = 3;
/// Once the memory is quiet, a move up to the value that failed is at most this share.
pub const CREEP: f64 = 0.02;
/// The weight of the newest reading in the smoothed margin.
pub const SMOOTHING: f64 = 0.5;

/// What one reading says: how close the worst condition came to its bar (measured over
/// threshold: under 1 every condition held).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub margin: f64,
    /// In rate mode, the responses a second the service gave: what it can take when over.
    pub served: Option<f64>,
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
    /// The smoothed margin read under it, `DRAINED_AFTER` readings after.
    under: Option<f64>,
    /// Readings in a row it held at or above it.
    held_there: u32,
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
        // A failure from a comfortable margin may be a hiccup; from the edge it is believed.
        let comfortable = self.smoothed.is_none_or(|s| s < GATE);
        let suspect = std::mem::take(&mut self.suspect);
        if !reading.held() && probe.is_none() && comfortable && !suspect {
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
            (false, Some(from)) => match reading.served {
                Some(served) => from.min(served * (1.0 - UNDER_FAILED)),
                None => from,
            },
            (false, None) => match reading.served {
                Some(served) => (served * (1.0 - BACKOFF)).min(self.value * (1.0 - BACKOFF)),
                None => self.value * (GATE / m).clamp(DOWN_MOST, 1.0),
            }
            .clamp(self.value * DOWN_MOST, self.value * (1.0 - BACKOFF)),
        };
        self.moved_to(next.clamp(self.floor, self.ceiling))
    }

    /// Moves to `next`, noting a probe (a move up) or a move down (the next reading passes;
    /// after a cut, the margin is smoothed afresh).
    fn moved_to(&mut self, next: f64) -> f64 {
        if next > self.value {
            self.probed_from = Some(self.value);
        }
        if next < self.value {
            self.settling = true;
        }
        if next <= self.value * (1.0 - BACKOFF) {
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
            (m, s) if m.max(s) < GATE => room(s).min(PROBE_MOST),
            (_, s) if s >= EASE => return EASE_BY,
            _ => 1.0,
        };
        let Some(failed) = self.failed else {
            return factor;
        };
        if self.value >= failed.value {
            // Back at the value that failed: it must hold there a while to be forgotten.
            return factor.min(1.0);
        }
        // Up to a little under the value that failed, then a creep at a time.
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
        let faster = |f: &Failed| f.under.is_some_and(|u| smoothed < FASTER * u);
        let got_faster = self.failed.as_ref().is_some_and(faster);
        if let Some(failed) = &mut self.failed {
            failed.age = failed.age.saturating_add(1);
            if reading.held() && failed.under.is_none() && failed.age >= DRAINED_AFTER {
                let share = (smoothed / GATE).clamp(0.25, 1.0);
                failed.quiet = (f64::from(failed.quiet) * share).round() as u32;
                failed.under = Some(smoothed);
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
            held_there: 0,
        };
        self.failed = match (reading.held(), self.failed) {
            (false, Some(f)) if f.fresh() && f.value < self.value => Some(f),
            (false, _) => Some(here),
            (true, Some(_)) if got_faster => None,
            (true, Some(f)) if f.value <= self.value => {
                let held_there = f.held_there + 1;
                (held_there < DRAINED_AFTER).then_some(Failed { held_there, ..f })
            }
            (true, kept) => kept,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(margin: f64) -> Reading {
        Reading {
            margin,
            served: None,
        }
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
            93.0,
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
        assert_eq!(law.next(read(1.0)), 100.0, "once over: a hiccup, maybe");
        assert_eq!(law.next(read(1.0)), 90.0, "twice just over: a tenth");
        assert_eq!(law.next(read(5.0)), 90.0, "the reading after a cut passes");
        assert_eq!(law.next(read(50.0)), 90.0);
        assert_eq!(law.next(read(50.0)), 45.0, "far over: halved at most");
        let mut floor = Law::new(1.0, 1.0, 1e6);
        for _ in 0..5 {
            assert_eq!(floor.next(read(9.0)), 1.0, "never under the floor");
        }
        let mut edge = Law::new(100.0, 1.0, 1e6);
        assert_eq!(edge.next(read(0.92)), 100.0);
        let cut = edge.next(read(1.05));
        assert!(
            near(cut, 100.0 * 0.9 / 1.05),
            "from the edge: believed at once: {cut}"
        );
    }

    #[test]
    fn in_rate_mode_a_failure_backs_off_under_what_the_service_served() {
        let over = Reading {
            margin: 3.0,
            served: Some(190.0),
        };
        let mut law = Law::new(220.0, 1.0, 1e6);
        assert_eq!(law.next(over), 220.0, "a hiccup first");
        assert!(near(law.next(over), 171.0), "a tenth under the 190 served");
        let mut probed = Law::new(180.0, 1.0, 1e6);
        let up = probed.next(Reading {
            margin: 0.6,
            served: Some(180.0),
        });
        assert!(near(up, 198.0));
        let back = probed.next(Reading {
            margin: 2.0,
            served: Some(185.0),
        });
        assert!(
            near(back, 175.75),
            "under the 185 it served, not the 180 it held: {back}"
        );
    }

    #[test]
    fn a_hiccup_over_the_bar_is_not_the_load() {
        let mut law = Law::new(100.0, 1.0, 100.0);
        assert_eq!(law.next(read(3.0)), 100.0);
        assert_eq!(law.next(read(0.5)), 100.0, "it held again, with room");
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
        let mut near_bar = Law {
            value: 95.0,
            failed: Some(Failed {
                value: 100.0,
                age: 0,
                quiet: QUIET,
                under: Some(0.85),
                held_there: 0,
            }),
            ever_failed: true,
            ..Law::new(95.0, 1.0, 1e6)
        };
        for _ in 1..QUIET {
            assert!(near(near_bar.next(read(0.85)), 95.0), "while 100 is fresh");
        }
        assert!(near(near_bar.next(read(0.85)), 96.9), "then a creep");
        let mut crept = near_bar.value();
        while crept < 100.0 {
            crept = near_bar.next(read(0.85));
        }
        assert!(crept < 102.0, "{crept}");
        for _ in 1..DRAINED_AFTER {
            assert!(near(near_bar.next(read(0.85)), crept), "it waits at 100");
        }
        assert!(near_bar.failed.is_some());
        let probe = near_bar.next(read(0.85)) / crept;
        assert_eq!(near_bar.failed, None, "100 held there: forgotten");
        assert!(
            near(probe, (0.9f64 / 0.85).sqrt()),
            "and it probes on: {probe}"
        );
    }

    #[test]
    fn a_wide_margin_under_a_failure_makes_the_wait_shorter() {
        let mut law = Law::new(100.0, 1.0, 1e6);
        law.next(read(9.0));
        law.next(read(9.0));
        law.next(read(0.1)); // passes: it drains
        for _ in 0..DRAINED_AFTER {
            law.next(read(0.1));
        }
        let quiet = law.failed.map(|f| f.quiet);
        assert_eq!(
            quiet,
            Some(8),
            "a quarter of the wait: a hiccup, or an open loop"
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
        let quiet = law.failed.map(|f| f.quiet).expect("remembered");
        assert!(
            quiet <= QUIET,
            "the wait started over: {quiet} after {held}"
        );
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

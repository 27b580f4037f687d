//! Many workers' statuses as one snapshot, so the fleet shows the same dashboard (and
//! progress lines) as a single run: counts and gauges added, histograms added exactly.

use super::poller::WorkerView;
use crate::control::status::Status;
use crate::generator::{Gauges, RunState};
use crate::outcome::ErrorKind;
use crate::report::hdr::{self, EncodedHistograms};
use crate::report::latency::LatencyMs;
use crate::stats::snapshot::{Snapshot, WorkerFigures};
use crate::stats::window::{Counts, Histograms, LatencySummary, Sums, TickSummary, new_histogram};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// Merged tick summaries kept for the charts.
const RING_TICKS: usize = 300;

/// The fleet's running view: the charts' ring of merged ticks.
#[derive(Default)]
pub struct Merger {
    recent: VecDeque<TickSummary>,
    peak_open_files: u64,
}

impl Merger {
    /// One snapshot of the fleet: every worker seen so far counts in the totals; only those
    /// up count in the gauges and the last tick.
    pub fn snapshot(&mut self, names: &[String], views: &[WorkerView]) -> Snapshot {
        let seen: Vec<&Status> = views.iter().filter_map(|v| v.status.as_ref()).collect();
        let answering: Vec<&Status> = views
            .iter()
            .filter(|v| v.up)
            .filter_map(|v| v.status.as_ref())
            .collect();
        let live: Vec<&Status> = views
            .iter()
            .filter(|v| v.up && !v.finished)
            .filter_map(|v| v.status.as_ref())
            .collect();
        let elapsed = seen.iter().map(|s| s.elapsed_s).fold(0.0, f64::max);
        let elapsed = Duration::from_secs_f64(elapsed);
        let run = added(seen.iter().map(|s| s.histograms.run.as_ref()));
        let tick = added(live.iter().map(|s| s.histograms.last_tick.as_ref()));
        let mut last_tick = last_tick(&live, &tick, elapsed);
        last_tick.target_rps = optional_sum(live.iter().map(|s| s.last_tick.target_rps));
        if self.recent.len() == RING_TICKS {
            self.recent.pop_front();
        }
        self.recent.push_back(last_tick);
        let open = live.iter().map(|s| s.open_files.open).sum();
        // The most seen open at once over the fleet, and never under one worker's own peak
        // (a short run can end between two polls).
        let own_peak = seen.iter().map(|s| s.open_files.peak).max().unwrap_or(0);
        self.peak_open_files = self.peak_open_files.max(open).max(own_peak);
        let mut open_files = crate::probe::fd::FdUsage::default();
        open_files.open = open;
        // A finished worker's process limit still stands (the last line reads peak/limit).
        open_files.soft_limit = answering.iter().map(|s| s.open_files.soft_limit).sum();
        open_files.hard_limit = answering.iter().map(|s| s.open_files.hard_limit).sum();
        Snapshot {
            elapsed,
            counts: counts(&seen),
            last_tick,
            cumulative: summary(
                &run.latency,
                seen.iter().map(|s| (s.requests.ok, s.latency_ms)),
            ),
            cumulative_service: summary(
                &run.service,
                seen.iter().map(|s| (s.requests.ok, s.service_ms)),
            ),
            last_tick_histograms: Some(Arc::new(tick)),
            run_histograms: Some(Arc::new(run)),
            recent: self.recent.iter().copied().collect(),
            gauges: gauges(views, &live),
            open_files,
            peak_open_files: self.peak_open_files,
            workers: rows(names, views),
            ..Snapshot::default()
        }
    }
}

/// The encoded histograms added up (those that do not decode are left out).
fn added<'a>(each: impl Iterator<Item = Option<&'a EncodedHistograms>>) -> Histograms {
    let (mut latency, mut service) = (new_histogram(), new_histogram());
    for e in each.flatten() {
        if let (Ok(l), Ok(s)) = (hdr::decode(&e.latency), hdr::decode(&e.service)) {
            let _ = latency.add(l);
            let _ = service.add(s);
        }
    }
    Histograms { latency, service }
}

/// The percentiles of the added histogram; the mean and deviation put back together from
/// each worker's count, mean and deviation.
fn summary(
    h: &hdrhistogram::Histogram<u64>,
    each: impl Iterator<Item = (u64, Option<LatencyMs>)>,
) -> LatencySummary {
    let sums = each
        .filter_map(|(n, l)| l.map(|l| Sums::of_moments(n, l.mean * 1000.0, l.stdev * 1000.0)))
        .fold(Sums::default(), Sums::plus);
    LatencySummary::of(h, sums)
}

/// The workers' last ticks as one.
fn last_tick(live: &[&Status], h: &Histograms, elapsed: Duration) -> TickSummary {
    let ok = |s: &&Status| s.last_tick.ok;
    TickSummary {
        end: elapsed,
        ok: live.iter().map(ok).sum(),
        failed: live.iter().map(|s| s.last_tick.failed).sum(),
        non2xx: live.iter().map(|s| s.last_tick.non2xx).sum(),
        rps: live.iter().map(|s| s.last_tick.rps).sum(),
        latency: summary(
            &h.latency,
            live.iter().map(|s| (ok(s), s.last_tick.latency_ms)),
        ),
        service: summary(
            &h.service,
            live.iter().map(|s| (ok(s), s.last_tick.service_ms)),
        ),
        target_rps: None,
    }
}

/// Every worker's counts added.
fn counts(seen: &[&Status]) -> Counts {
    let mut c = Counts::default();
    for s in seen {
        c.ok += s.requests.ok;
        c.failed += s.requests.failed;
        c.aborted += s.requests.aborted;
        c.bytes += s.body_bytes_received;
        c.head_bytes += s.bytes_received - s.body_bytes_received.min(s.bytes_received);
        c.late_starts += s.late_starts;
        for (code, n) in &s.status_codes {
            if let Ok(code) = code.parse() {
                c.add_status(code, *n);
            }
        }
        for (kind, n) in &s.errors {
            c.add_errors(ErrorKind::parse(kind).unwrap_or(ErrorKind::Other), *n);
        }
    }
    c
}

/// Optional figures added (None only when all are).
fn optional_sum(each: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    each.fold(None, crate::units::add_optional)
}

/// The gauges of the workers up, added; the fleet runs while any of them does.
fn gauges(views: &[WorkerView], live: &[&Status]) -> Gauges {
    let states: Vec<RunState> = live.iter().map(|s| s.run_state()).collect();
    let state = [RunState::Running, RunState::Paused, RunState::Stopping]
        .into_iter()
        .find(|s| states.contains(s))
        .unwrap_or(match views.iter().any(|v| v.pending(false)) {
            true => RunState::Running,
            false => RunState::Done,
        });
    Gauges {
        state,
        limit: live.iter().map(|s| s.limit).sum(),
        cap: live.iter().map(|s| s.cap).sum(),
        capped: None,
        in_flight: live.iter().map(|s| s.in_flight).sum(),
        peak_in_flight: live.iter().map(|s| s.peak_in_flight).sum(),
        rate: optional_sum(live.iter().map(|s| s.rate)),
        lag: Duration::from_secs_f64(live.iter().map(|s| s.lag_ms).fold(0.0, f64::max) / 1000.0),
        started: live
            .iter()
            .map(|s| s.requests.total + s.requests.aborted + s.in_flight as u64)
            .sum(),
        schedule: Default::default(),
    }
}

/// Each worker's row, in the order given.
fn rows(names: &[String], views: &[WorkerView]) -> Vec<WorkerFigures> {
    names
        .iter()
        .zip(views)
        .map(|(name, v)| {
            let s = v.status.as_ref();
            let running = v.up && !v.finished;
            let state = match (v.up, s) {
                (true, Some(s)) => s.state.clone(),
                (false, Some(s)) if v.finished => s.state.clone(),
                _ => "down".to_string(),
            };
            WorkerFigures {
                name: name.clone(),
                up: v.up || v.finished,
                state,
                rps: s.filter(|_| running).map_or(0.0, |s| s.last_tick.rps),
                in_flight: s.filter(|_| running).map_or(0, |s| s.in_flight),
                limit: s.map_or(0, |s| s.limit),
                failed: s.map_or(0, |s| s.requests.failed),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::status::StatusHistograms;

    /// A worker that answered, at `rps` in its last tick, with `in_flight` of `limit`.
    fn worker(state: RunState, rps: f64, in_flight: usize, finished: bool) -> WorkerView {
        let gauges = Gauges {
            state,
            limit: 20,
            in_flight,
            ..Gauges::default()
        };
        let about = crate::control::status::About {
            target: "http://t/".into(),
            ..Default::default()
        };
        let mut status = Status::of(
            &Snapshot::default(),
            &gauges,
            3,
            StatusHistograms::of(&Snapshot::default()),
            &about,
        );
        status.last_tick.rps = rps;
        status.open_files.soft_limit = 1024;
        status.open_files.peak = match finished {
            true => 31,
            false => 12,
        };
        status.requests.ok = 100;
        status.requests.total = 100;
        WorkerView {
            status: Some(status),
            up: true,
            finished,
            ..WorkerView::default()
        }
    }

    #[test]
    fn a_finished_worker_counts_in_the_totals_not_in_the_live_figures() {
        let views = [
            worker(RunState::Running, 1800.0, 20, false),
            worker(RunState::Done, 1750.0, 0, true),
        ];
        let names = ["a".to_string(), "b".to_string()];
        let s = Merger::default().snapshot(&names, &views);
        assert_eq!(s.counts.ok, 200, "what it did still counts");
        assert_eq!(s.last_tick.rps, 1800.0, "its last tick is not now");
        assert_eq!((s.gauges.limit, s.gauges.in_flight), (20, 20));
        assert_eq!(s.gauges.state, RunState::Running);
        assert_eq!(s.workers[1].rps, 0.0);
        assert_eq!(s.workers[1].state, "done");
        assert_eq!(
            s.open_files.soft_limit, 2048,
            "its process limit still stands"
        );
        let mut gone = views.clone();
        gone[1].up = false;
        let s = Merger::default().snapshot(&names, &gone);
        assert_eq!(
            s.open_files.soft_limit, 1024,
            "a worker down is not counted"
        );
    }

    #[test]
    fn when_every_worker_has_finished_the_limit_on_open_files_is_still_theirs() {
        let views = [
            worker(RunState::Done, 0.0, 0, true),
            worker(RunState::Done, 0.0, 0, true),
        ];
        let s = Merger::default().snapshot(&["a".into(), "b".into()], &views);
        assert_eq!(
            s.open_files.soft_limit, 2048,
            "the fleet's last line read peak N/0"
        );
        assert_eq!(
            s.peak_open_files, 31,
            "a run over between two polls read peak 0/N"
        );
    }
}

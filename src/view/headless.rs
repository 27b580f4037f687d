//! The headless view, for scripts, CI and pipes: on stderr, one progress line per elapsed
//! second of the run (a `-z` run: each whole second before its end), then one final line
//! with the whole run's figures, marked `[done]`.

use crate::engine::generator::plan::Plan;
use crate::engine::steer::RunState;
use crate::stats::latency::LatencySummary;
use crate::stats::snapshot::Snapshot;
use std::io::Write;
use tokio::sync::mpsc;

/// Prints a line for every snapshot (none is skipped), and the final line at the end.
pub async fn print_progress(mut snapshots: mpsc::UnboundedReceiver<Snapshot>, plan: Plan) {
    while let Some(s) = snapshots.recv().await {
        let done = s.gauges.state == RunState::Done;
        let line = match done {
            true => final_line(&s, &plan),
            false => progress_line(&s, &plan),
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
        if done {
            break;
        }
    }
}

/// Elapsed time, and how far through -z or -n.
fn progress(s: &Snapshot, plan: &Plan) -> String {
    let mut progress = format!("{:6.1}s", s.elapsed.as_secs_f64());
    if let Some(d) = plan.duration {
        progress.push_str(&format!("/{}s", d.as_secs_f64()));
    }
    match (plan.max_requests, &s.sessions) {
        // --scenario: -n counts sessions.
        (Some(n), Some(sessions)) => {
            progress.push_str(&format!(" {}/{n} sessions", sessions.started))
        }
        (Some(n), None) => {
            progress.push_str(&format!(" {}/{n} req", s.counts.total() + s.counts.aborted))
        }
        (None, _) => {}
    }
    progress
}

/// `p50 1.23ms p99 4.56ms`, or `p50 - p99 -` when no response arrived.
fn percentiles(l: &LatencySummary) -> String {
    let ms = |us: u64| us as f64 / 1000.0;
    match l.count {
        0 => "p50 - p99 -".into(),
        _ => format!("p50 {:.2}ms p99 {:.2}ms", ms(l.p50_us), ms(l.p99_us)),
    }
}

/// `--scenario`: the sessions that started, walked every step, failed (else nothing).
fn sessions(s: &Snapshot) -> String {
    match &s.sessions {
        Some(n) => format!(
            "  sessions {} started, {} completed, {} failed",
            n.started, n.completed, n.failed
        ),
        None => String::new(),
    }
}

/// The last line: the whole run's average rate, counts and percentiles.
pub fn final_line(s: &Snapshot, plan: &Plan) -> String {
    let rps = s.average_rps();
    format!(
        "{} [done]  {} req/s avg  ok {}  failed {}  aborted {}{}  {} (whole run)  open files peak {}",
        progress(s, plan),
        whole_rate(rps),
        s.counts.ok,
        s.counts.failed,
        s.counts.aborted,
        sessions(s),
        percentiles(&s.cumulative),
        files(s.peak_open_files, s.open_files.soft_limit),
    )
}

/// `open/soft`, or `…` before any limit was read (a fleet whose workers have not answered).
fn files(open: u64, soft_limit: u64) -> String {
    match soft_limit {
        0 => "…".to_string(),
        soft => format!("{open}/{soft}"),
    }
}

/// Responses a second, whole: never `-0` (an empty sum of rates is -0.0).
fn whole_rate(rps: f64) -> String {
    format!("{:.0}", rps.max(0.0) + 0.0)
}

/// One line: elapsed (and progress), req/s (and the target rate, late starts and lag in
/// rate mode), in-flight/limit, p50/p99, errors, open files.
pub fn progress_line(s: &Snapshot, plan: &Plan) -> String {
    let progress = progress(s, plan);
    let state = match s.gauges.state {
        RunState::Running => String::new(),
        other => format!(" [{}]", other.as_str()),
    };
    let mut capped = match s.gauges.capped {
        Some(cap) => format!("  capped by open files ({cap})"),
        None => String::new(),
    };
    for hint in s.counts.hints() {
        capped.push_str("  [");
        capped.push_str(hint);
        capped.push(']');
    }
    let rate = match s.gauges.rate {
        Some(target) => format!(
            " (target {}, {} late, lag {:.1}ms)",
            crate::report::rate_shown(Some(target)),
            s.counts.late_starts,
            s.gauges.lag.as_secs_f64() * 1000.0
        ),
        // Switched off after some started late: off, and what it left.
        None if s.counts.late_starts > 0 => {
            format!(" (target off, {} late)", s.counts.late_starts)
        }
        None => String::new(),
    };
    let in_flight = match s.sessions {
        Some(_) => "sessions in flight",
        None => "in-flight",
    };
    format!(
        "{progress}{state}  {} req/s{rate}  {in_flight} {}/{}  {}  errors {}  open files {}{capped}",
        whole_rate(s.last_tick.rps),
        s.gauges.in_flight,
        s.gauges.limit,
        percentiles(&s.last_tick.latency),
        s.counts.failed,
        files(s.open_files.open, s.open_files.soft_limit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::steer::Gauges;
    use std::time::Duration;

    #[test]
    fn the_line_shows_rate_gauges_latency_and_files() {
        let mut s = Snapshot {
            elapsed: Duration::from_millis(3000),
            gauges: Gauges {
                limit: 50,
                in_flight: 42,
                ..Gauges::default()
            },
            ..Snapshot::default()
        };
        s.last_tick.rps = 812.4;
        s.last_tick.latency.count = 10;
        s.last_tick.latency.p50_us = 12_100;
        s.last_tick.latency.p99_us = 40_300;
        s.open_files.open = 61;
        s.open_files.soft_limit = 1024;
        let plan = Plan {
            max_requests: Some(20_000),
            duration: None,
        };
        let line = progress_line(&s, &plan);
        for part in [
            "3.0s",
            "0/20000 req",
            "812 req/s",
            "in-flight 42/50",
            "p50 12.10ms",
            "p99 40.30ms",
            "errors 0",
            "open files 61/1024",
        ] {
            assert!(line.contains(part), "{part:?} missing from {line:?}");
        }
        assert!(!line.contains("capped"));
        assert!(!line.contains("target"), "no rate in concurrency mode");
        s.gauges.rate = Some(1000.0);
        s.gauges.lag = Duration::from_micros(3_200);
        s.counts.late_starts = 7;
        let line = progress_line(&s, &plan);
        assert!(
            line.contains("812 req/s (target 1000/s, 7 late, lag 3.2ms)"),
            "{line}"
        );
        s.gauges.rate = Some(100.0 / 3.0);
        let line = progress_line(&s, &plan);
        assert!(line.contains("(target 33.33/s, 7 late"), "{line}");
        s.gauges.rate = None;
        let line = progress_line(&s, &plan);
        assert!(
            line.contains("812 req/s (target off, 7 late)  in-flight"),
            "{line}"
        );
        s.gauges.capped = Some(230);
        assert!(progress_line(&s, &plan).ends_with("capped by open files (230)"));
    }

    #[test]
    fn a_scenario_run_says_sessions() {
        use crate::stats::by_step::SessionFigures;
        let mut s = Snapshot {
            gauges: Gauges {
                limit: 8,
                in_flight: 5,
                ..Gauges::default()
            },
            ..Snapshot::default()
        };
        assert!(!final_line(&s, &Plan::default()).contains("sessions"));
        s.sessions = Some(SessionFigures {
            started: 40,
            completed: 36,
            failed: 2,
            ..SessionFigures::default()
        });
        let plan = Plan {
            max_requests: Some(100),
            duration: None,
        };
        let line = progress_line(&s, &plan);
        assert!(line.contains(" 40/100 sessions"), "{line}");
        assert!(line.contains("sessions in flight 5/8"), "{line}");
        let last = final_line(&s, &plan);
        assert!(
            last.contains("aborted 0  sessions 40 started, 36 completed, 2 failed  p50"),
            "{last}"
        );
    }

    #[test]
    fn no_negative_zero_and_no_open_files_before_any_limit_was_read() {
        let mut s = Snapshot::default();
        s.last_tick.rps = -0.0;
        let line = progress_line(&s, &Plan::default());
        assert!(line.contains("  0 req/s"), "{line}");
        assert!(line.contains("open files …"), "{line}");
        assert!(final_line(&s, &Plan::default()).contains("open files peak …"));
    }

    #[test]
    fn port_exhaustion_comes_with_a_hint() {
        use crate::engine::outcome::{ErrorKind, Outcome, Verdict};
        use crate::stats::window::Window;
        let mut w = Window::new(2);
        w.record(&Outcome {
            latency_us: 1,
            verdict: Verdict::Error(ErrorKind::AddressUnavailable),
            ..Outcome::aborted()
        });
        let s = Snapshot {
            counts: w.counts().clone(),
            ..Snapshot::default()
        };
        let line = progress_line(&s, &Plan::default());
        assert!(line.contains("errors 1"), "{line}");
        assert!(line.contains("[ephemeral ports exhausted"), "{line}");
    }
}

//! The dashboard of a `--scenario` run on ratatui's TestBackend, with fixed data: the Steps
//! panel (a row a step, the sessions in its title) and the sessions in flight.

use crate::dashboard::screen;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::{
    ErrorKind, Outcome, SESSION_COMPLETED, SESSION_FAILED, SESSION_STARTED, Verdict,
};
use sluicegate::engine::steer::{Gauges, RunState};
use sluicegate::process::probe::fd::FdUsage;
use sluicegate::stats::by_step::StepSpec;
use sluicegate::stats::snapshot::Snapshot;
use sluicegate::stats::window::Window;
use sluicegate::view::tui::app::{App, Live, Msg, update};
use std::time::Duration;

/// The steps: a login, an item judged by two checks, a checkout that sometimes times out.
const STEPS: [&str; 3] = ["login", "item", "checkout"];

fn specs() -> Vec<StepSpec> {
    let checks =
        |n: usize| vec!["status == 200".to_string(), "json /id exists".into()][..n].to_vec();
    vec![
        StepSpec {
            name: STEPS[0].into(),
            checks: checks(1),
            later: 1..3,
        },
        StepSpec {
            name: STEPS[1].into(),
            checks: checks(2),
            later: 2..3,
        },
        StepSpec {
            name: STEPS[2].into(),
            checks: Vec::new(),
            later: 3..3,
        },
    ]
}

/// One session `i` of tick `t`: its three steps (a checkout in 50 times out, failing it;
/// an item in 40 has no id).
fn session(w: &mut Window, t: u64, i: u64) {
    let ok = |step: u16, latency_us: u64, session: u8| Outcome {
        step,
        latency_us,
        verdict: Verdict::Status(200),
        session,
        session_us: 60_000,
        ..Outcome::aborted()
    };
    w.record(&ok(0, 12_000 + (i % 20) * 400 + t * 50, SESSION_STARTED));
    w.record(&Outcome {
        checks_failed: u32::from(i.is_multiple_of(40)) << 1,
        ..ok(1, 2_000 + (i % 10) * 150, 0)
    });
    match i % 50 {
        0 => w.record(&Outcome {
            step: 2,
            verdict: Verdict::Error(ErrorKind::Timeout),
            latency_us: 30_000_000,
            session: SESSION_FAILED,
            session_us: 30_100_000,
            ..Outcome::aborted()
        }),
        _ => w.record(&ok(2, 40_000 + (i % 25) * 1_000, SESSION_COMPLETED)),
    }
}

/// A scenario run of `ticks` one-second ticks, 200 sessions a second.
fn scenario_after(ticks: u64) -> Snapshot {
    let mut w = Window::new(300).with_steps(specs());
    let mut last_tick = None;
    for t in 1..=ticks {
        for i in 0..200 {
            session(&mut w, t, i);
        }
        last_tick = Some(w.rotate(Duration::from_secs(t)));
    }
    Snapshot {
        elapsed: Duration::from_secs(ticks),
        counts: w.counts().clone(),
        last_tick: last_tick.expect("a tick"),
        recent: w.recent().iter().cloned().collect(),
        cumulative: w.cumulative(),
        cumulative_service: w.cumulative_service(),
        cumulative_ttfb: w.cumulative_ttfb(),
        cumulative_connect: w.cumulative_connect(),
        gauges: Gauges {
            state: RunState::Running,
            limit: 20,
            in_flight: 17,
            peak_in_flight: 20,
            ..Gauges::default()
        },
        open_files: FdUsage {
            open: 40,
            soft_limit: 1024,
            hard_limit: 4096,
        },
        peak_open_files: 44,
        steps: w.steps(),
        sessions: w.sessions(),
        ..Snapshot::default()
    }
}

fn scenario_app() -> App {
    let plan = Plan {
        max_requests: None,
        duration: Some(Duration::from_secs(120)),
    };
    let mut app = App::new("http://127.0.0.1:8080/".into(), false, plan, 20, 5, false)
        .with_steps(STEPS.map(String::from).to_vec());
    update(&mut app, Msg::Snapshot(Box::new(scenario_after(29))));
    update(&mut app, Msg::Snapshot(Box::new(scenario_after(30))));
    update(
        &mut app,
        Msg::Frame(Live {
            elapsed: Duration::from_millis(30_400),
            gauges: Gauges {
                limit: 20,
                cap: 10_000,
                in_flight: 17,
                peak_in_flight: 20,
                state: RunState::Running,
                ..Gauges::default()
            },
        }),
    );
    app
}

/// The screen's row that starts (inside its border) with `first`.
fn row<'a>(screen: &'a str, first: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.trim_start_matches(['"', '│', ' ']).starts_with(first))
        .unwrap_or_else(|| panic!("no row {first}: {screen}"))
}

#[test]
fn steps_panel_at_120x40() {
    let s = screen(&scenario_app(), 120, 40);
    assert!(s.contains("Sessions in flight"), "{s}");
    assert!(
        s.contains("sessions 6000 started · 5880 completed · 120 failed"),
        "{s}"
    );
    let checkout = row(&s, "checkout");
    assert!(
        checkout.contains("196"),
        "its req/s now, failures aside: {checkout}"
    );
    assert!(checkout.contains("120"), "its failures: {checkout}");
    let item = row(&s, "item");
    assert!(item.contains("98.75%"), "1 evaluation in 80 failed: {item}");
    assert!(row(&s, "login").contains("100%"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn steps_panel_at_80x24() {
    let s = screen(&scenario_app(), 80, 24);
    for step in STEPS {
        row(&s, step);
    }
    assert!(s.contains("Sessions in flight"), "{s}");
    assert!(s.contains("p99 run"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn a_run_without_scenarios_has_no_steps_panel() {
    let plan = Plan::default();
    let mut app = App::new("http://127.0.0.1:8080/".into(), false, plan, 20, 5, false);
    let mut s = scenario_after(2);
    s.steps.clear();
    s.sessions = None;
    update(&mut app, Msg::Snapshot(Box::new(s)));
    let screen = screen(&app, 120, 40);
    assert!(!screen.contains("Steps"), "{screen}");
    assert!(!screen.contains("Sessions in flight"), "{screen}");
    assert!(screen.contains("In-flight"), "{screen}");
}

#[test]
fn more_steps_than_fit_say_how_many_are_shown() {
    let names: Vec<String> = (0..20).map(|i| format!("step {i}")).collect();
    let mut app = scenario_app().with_steps(names);
    app.snapshot.steps.clear();
    let s = screen(&app, 80, 24);
    assert!(s.contains("Steps (4 of 20)"), "{s}");
    assert!(row(&s, "step 3").contains(" - "), "nothing measured: {s}");
    assert!(!s.contains("step 4"), "{s}");
}

#[test]
fn steps_panel_widest_at_80x24() {
    use sluicegate::stats::by_step::{SessionFigures, StepFigures};
    use sluicegate::stats::checks::CheckTally;
    use sluicegate::stats::latency::LatencySummary;
    use sluicegate::stats::step_ticks::StepTick;
    let slow = |us: u64| LatencySummary {
        count: 9,
        p50_us: us,
        p99_us: us,
        max_us: us,
        ..LatencySummary::default()
    };
    let names = [
        "shop/a step whose name runs on and on past any column\u{1b}[31m".to_string(),
        "x".to_string(),
    ];
    let mut app = scenario_app().with_steps(names.to_vec());
    let run = StepFigures {
        ok: 12_345_678_901,
        failed: 9_876_543_210,
        skipped: 99_999_999_999,
        checks: vec![CheckTally {
            check: "status == 200".into(),
            passed: 99_999,
            failed: 1,
        }],
        latency: slow(3_600_000_000),
        ..StepFigures::default()
    };
    app.snapshot.steps = vec![run.clone(), run];
    let tick = StepTick {
        rps: 9_999_999.0,
        latency: slow(1_560_000),
        ..StepTick::default()
    };
    app.snapshot.last_tick.steps = Some(vec![tick; 2].into());
    app.snapshot.sessions = Some(SessionFigures {
        started: 99_999_999_999,
        completed: 12_345_678_901,
        failed: 9_876_543_210,
        ..SessionFigures::default()
    });
    let s = screen(&app, 80, 24);
    let row = row(&s, "x ");
    for whole in ["10.00M", "1.56s", "3600s", "9.88G", "100G", "99.99%"] {
        assert!(row.contains(whole), "{whole} in {row}");
    }
    assert!(
        s.contains("…lumn\\x1b[31m"),
        "escaped, cut in its middle: {s}"
    );
    insta::assert_snapshot!(s);
}

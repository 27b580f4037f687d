//! `App::update` key by key, without a terminal: what each key does to the limit, the entry,
//! pause, help and leaving.

use crossterm::event::KeyEvent;
use crossterm::event::{KeyCode, KeyModifiers};
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::ErrorKind;
use sluicegate::engine::steer::Source;
use sluicegate::engine::steer::{Change, Knob};
use sluicegate::engine::steer::{Gauges, MAX_LIMIT, RunState};
use sluicegate::schedule::autopilot::Shown;
use sluicegate::stats::snapshot::Snapshot;
use sluicegate::view::tui::app::{App, HoldOrder, Live, Msg, Overlay, Phase, RateRow, update};
use std::time::Duration;

fn app() -> App {
    App::new(
        "http://127.0.0.1:1/".into(),
        false,
        Plan::default(),
        50,
        10,
        false,
    )
}

fn press(app: &mut App, code: KeyCode) -> Option<Change> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn plus_and_minus_step_the_limit_and_show_it_at_once() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::Char('+')), Some(Change::Limit(60)));
    assert_eq!(a.live.gauges.limit, 60);
    assert_eq!(press(&mut a, KeyCode::Up), Some(Change::Limit(70)));
    assert_eq!(press(&mut a, KeyCode::Char('-')), Some(Change::Limit(60)));
    assert_eq!(press(&mut a, KeyCode::Down), Some(Change::Limit(50)));
    let change = a.last_change.expect("a change is recorded");
    assert_eq!((change.from, change.to), (60, 50));
}

#[test]
fn lowering_never_goes_below_one() {
    let mut a = App::new("t".into(), false, Plan::default(), 5, 10, false);
    assert_eq!(press(&mut a, KeyCode::Char('-')), Some(Change::Limit(1)));
    assert_eq!(press(&mut a, KeyCode::Char('-')), None);
    assert_eq!(press(&mut a, KeyCode::Char('[')), None);
    assert_eq!(a.live.gauges.limit, 1);
}

#[test]
fn a_limit_above_the_cap_is_capped_and_says_so() {
    let mut a = app();
    a.live.gauges.cap = 80;
    assert_eq!(press(&mut a, KeyCode::Char(']')), Some(Change::Limit(100)));
    assert_eq!(a.live.gauges.limit, 80);
    assert_eq!(a.live.gauges.capped, Some(80));
    assert_eq!(press(&mut a, KeyCode::Char('+')), Some(Change::Limit(90)));
    assert_eq!(a.live.gauges.limit, 80);
    assert_eq!(press(&mut a, KeyCode::Char('[')), Some(Change::Limit(40)));
    assert_eq!(a.live.gauges.capped, None);
}

#[test]
fn brackets_double_and_halve() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::Char(']')), Some(Change::Limit(100)));
    assert_eq!(press(&mut a, KeyCode::Char('[')), Some(Change::Limit(50)));
    assert_eq!(press(&mut a, KeyCode::Char('[')), Some(Change::Limit(25)));
}

#[test]
fn digits_then_enter_set_an_exact_limit_and_esc_cancels() {
    let mut a = app();
    typed(&mut a, "123");
    assert_eq!(a.entry.as_deref(), Some("123"));
    press(&mut a, KeyCode::Backspace);
    assert_eq!(press(&mut a, KeyCode::Enter), Some(Change::Limit(12)));
    assert_eq!(a.entry, None);

    typed(&mut a, "77");
    assert_eq!(
        press(&mut a, KeyCode::Esc),
        None,
        "Esc with an entry only cancels it"
    );
    assert_eq!(a.entry, None);
    assert_eq!(a.phase, Phase::Watching);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        None,
        "Enter without an entry does nothing"
    );
    assert_eq!(a.live.gauges.limit, 12);
}

#[test]
fn an_entry_ignores_leading_zeros_and_caps_its_length() {
    let mut a = app();
    typed(&mut a, "00");
    assert_eq!(a.entry.as_deref(), Some(""));
    assert_eq!(press(&mut a, KeyCode::Enter), None);
    typed(&mut a, "999999999");
    assert_eq!(a.entry.as_deref(), Some("9999999"));
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        Some(Change::Limit(MAX_LIMIT))
    );
}

#[test]
fn p_and_space_toggle_pause() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::Char('p')), Some(Change::Pause));
    assert_eq!(a.live.gauges.state, RunState::Paused);
    assert_eq!(press(&mut a, KeyCode::Char(' ')), Some(Change::Resume));
    assert_eq!(a.live.gauges.state, RunState::Running);
}

#[test]
fn q_esc_and_ctrl_c_stop_then_the_final_snapshot_exits() {
    for key in [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ] {
        let mut a = app();
        assert_eq!(update(&mut a, Msg::Key(key)), Some(Change::Stop));
        assert_eq!(a.phase, Phase::Quitting);
        assert_eq!(update(&mut a, Msg::Key(key)), None, "stop is asked once");
        let last = Snapshot {
            gauges: Gauges {
                state: RunState::Done,
                ..Gauges::default()
            },
            ..Snapshot::default()
        };
        update(&mut a, Msg::Snapshot(Box::new(last)));
        assert_eq!(a.phase, Phase::Exit);
    }
}

#[test]
fn a_run_that_ends_by_itself_waits_for_a_key_unless_told_not_to() {
    let done = || {
        Msg::Snapshot(Box::new(Snapshot {
            gauges: Gauges {
                state: RunState::Done,
                ..Gauges::default()
            },
            ..Snapshot::default()
        }))
    };
    let mut a = app();
    update(&mut a, done());
    assert_eq!(a.phase, Phase::Finished);
    assert_eq!(press(&mut a, KeyCode::Char('x')), None);
    assert_eq!(a.phase, Phase::Exit);

    let mut b = App::new("t".into(), false, Plan::default(), 5, 10, true);
    update(&mut b, done());
    assert_eq!(b.phase, Phase::Exit);
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes_it() {
    let mut a = app();
    press(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlay, Overlay::Help);
    assert_eq!(
        press(&mut a, KeyCode::Char('+')),
        None,
        "keys do not leak through"
    );
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(a.live.gauges.limit, 50);
}

#[test]
fn q_in_the_help_overlay_stops_the_run() {
    let mut a = app();
    press(&mut a, KeyCode::Char('?'));
    assert_eq!(press(&mut a, KeyCode::Char('q')), Some(Change::Stop));
    assert_eq!(a.phase, Phase::Quitting);
}

#[test]
fn keys_after_q_change_nothing() {
    let mut a = app();
    assert_eq!(press(&mut a, KeyCode::Char('q')), Some(Change::Stop));
    // The rest of a pasted burst `q]]]+p5⏎`.
    for code in [
        KeyCode::Char(']'),
        KeyCode::Char(']'),
        KeyCode::Char('+'),
        KeyCode::Char('p'),
        KeyCode::Char('5'),
        KeyCode::Enter,
    ] {
        assert_eq!(press(&mut a, code), None, "{code:?} after q");
    }
    assert_eq!(a.live.gauges.limit, 50);
    assert_eq!(a.live.gauges.state, RunState::Running);
}

#[test]
fn at_done_the_clock_stops_at_the_run_duration() {
    let mut a = app();
    let last = Snapshot {
        gauges: Gauges {
            state: RunState::Done,
            ..Gauges::default()
        },
        elapsed: Duration::from_millis(3_004),
        ..Snapshot::default()
    };
    update(&mut a, Msg::Snapshot(Box::new(last)));
    // Frames keep coming while the dashboard waits for a key: the clock must not move.
    update(
        &mut a,
        Msg::Frame(Live {
            elapsed: Duration::from_secs(8),
            gauges: Gauges {
                limit: 50,
                cap: usize::MAX,
                capped: None,
                in_flight: 3,
                peak_in_flight: 50,
                state: RunState::Stopping,
                ..Gauges::default()
            },
        }),
    );
    assert_eq!(a.live.elapsed, Duration::from_millis(3_004));
    assert_eq!(a.live.gauges.state, RunState::Done);
    assert_eq!(a.live.gauges.in_flight, 0);
}

#[test]
fn a_lower_is_marked_drained_when_in_flight_reaches_it() {
    let mut a = app();
    let frame = |limit, in_flight, secs| {
        Msg::Frame(Live {
            elapsed: Duration::from_secs(secs),
            gauges: Gauges {
                limit,
                cap: 1000,
                capped: None,
                in_flight,
                peak_in_flight: 50,
                state: RunState::Running,
                ..Gauges::default()
            },
        })
    };
    update(&mut a, frame(50, 50, 1));
    typed(&mut a, "20");
    press(&mut a, KeyCode::Enter);
    update(&mut a, frame(20, 35, 2));
    assert_eq!(a.last_change.expect("change").drained_at, None);
    update(&mut a, frame(20, 20, 3));
    let change = a.last_change.expect("change");
    assert_eq!(change.at, Duration::from_secs(1));
    assert_eq!(change.drained_at, Some(Duration::from_secs(3)));
}

#[test]
fn snapshots_give_per_second_rates_of_statuses_and_errors() {
    use sluicegate::engine::outcome::{Outcome, Verdict};
    use sluicegate::stats::window::Window;
    let mut w = Window::new(4);
    let mut a = app();
    let record = |w: &mut Window, n, verdict| {
        for _ in 0..n {
            w.record(&Outcome {
                latency_us: 10,
                verdict,
                ..Outcome::aborted()
            });
        }
    };
    record(&mut w, 100, Verdict::Status(200));
    let snap = |w: &Window, secs| Snapshot {
        elapsed: Duration::from_secs(secs),
        counts: w.counts().clone(),
        ..Snapshot::default()
    };
    update(&mut a, Msg::Snapshot(Box::new(snap(&w, 1))));
    record(&mut w, 50, Verdict::Status(200));
    record(&mut w, 4, Verdict::Error(ErrorKind::Timeout));
    update(&mut a, Msg::Snapshot(Box::new(snap(&w, 3))));
    assert_eq!(
        a.statuses,
        vec![RateRow {
            key: 200,
            total: 150,
            per_s: 25.0
        }]
    );
    assert_eq!(
        a.errors,
        vec![RateRow {
            key: ErrorKind::Timeout,
            total: 4,
            per_s: 2.0
        }]
    );
}

#[test]
fn tab_switches_the_knob_and_the_keys_steer_the_rate() {
    let mut a = app().with_rate(Some(1000.0), None);
    assert_eq!(a.knob, Knob::Rate, "a run with -q steers the rate first");
    assert_eq!(
        press(&mut a, KeyCode::Char('+')),
        Some(Change::Rate(Some(1100.0)))
    );
    assert_eq!(
        press(&mut a, KeyCode::Char(']')),
        Some(Change::Rate(Some(2200.0)))
    );
    assert_eq!(
        press(&mut a, KeyCode::Char('-')),
        Some(Change::Rate(Some(1980.0)))
    );
    typed(&mut a, "250");
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        Some(Change::Rate(Some(250.0)))
    );
    assert_eq!(a.live.gauges.rate, Some(250.0));
    assert_eq!(a.live.gauges.limit, 50, "the limit did not move");
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.knob, Knob::Limit);
    assert_eq!(press(&mut a, KeyCode::Char('[')), Some(Change::Limit(25)));
    assert_eq!(a.live.gauges.rate, Some(250.0), "the rate did not move");
}

#[test]
fn a_rate_is_switched_on_at_the_current_throughput_and_off_with_zero() {
    let mut a = app();
    let mut s = Snapshot::default();
    s.last_tick.rps = 812.4;
    update(&mut a, Msg::Snapshot(Box::new(s)));
    press(&mut a, KeyCode::Tab);
    assert_eq!(
        press(&mut a, KeyCode::Char('-')),
        None,
        "lowering a rate that is off does nothing"
    );
    assert_eq!(
        press(&mut a, KeyCode::Char('+')),
        Some(Change::Rate(Some(812.0)))
    );
    typed(&mut a, "00");
    assert_eq!(a.entry.as_deref(), Some("0"), "only one zero");
    assert_eq!(press(&mut a, KeyCode::Enter), Some(Change::Rate(None)));
    assert_eq!(a.live.gauges.rate, None);
}

#[test]
fn a_rate_step_replaces_the_ten_percent() {
    let mut a = app().with_rate(Some(1000.0), Some(5.0));
    assert_eq!(
        press(&mut a, KeyCode::Char('+')),
        Some(Change::Rate(Some(1005.0)))
    );
    let mut low = app().with_rate(Some(2.0), None);
    assert_eq!(
        press(&mut low, KeyCode::Char('-')),
        Some(Change::Rate(Some(1.0))),
        "10% of 2 is less than 1: the step is at least 1"
    );
    assert_eq!(press(&mut low, KeyCode::Char('-')), None, "never below 1");
}

#[test]
fn once_the_run_is_over_the_rates_are_the_whole_runs() {
    use sluicegate::engine::outcome::{Outcome, Verdict};
    use sluicegate::stats::window::Window;
    let mut w = Window::new(4);
    let mut a = app();
    let record = |w: &mut Window, n, verdict| {
        for _ in 0..n {
            w.record(&Outcome {
                latency_us: 10,
                verdict,
                ..Outcome::aborted()
            });
        }
    };
    record(&mut w, 400, Verdict::Status(200));
    record(&mut w, 8, Verdict::Error(ErrorKind::Timeout));
    let snap = |w: &Window, millis, state| Snapshot {
        elapsed: Duration::from_millis(millis),
        counts: w.counts().clone(),
        gauges: Gauges {
            state,
            ..Gauges::default()
        },
        ..Snapshot::default()
    };
    update(
        &mut a,
        Msg::Snapshot(Box::new(snap(&w, 3_000, RunState::Running))),
    );
    // The last snapshot comes 0.1 s later with 2 more: not 20/s "now" but the whole run's.
    record(&mut w, 2, Verdict::Status(200));
    update(
        &mut a,
        Msg::Snapshot(Box::new(snap(&w, 3_100, RunState::Done))),
    );
    let per_s = |rows: &[RateRow<u16>]| rows[0].per_s;
    assert!(
        (per_s(&a.statuses) - 402.0 / 3.1).abs() < 1e-9,
        "{:?}",
        a.statuses
    );
    assert!(
        (a.errors[0].per_s - 8.0 / 3.1).abs() < 1e-9,
        "{:?}",
        a.errors
    );
    assert!(a.over());
}

/// An app whose autopilot has `conditions` (engaged or not), the knob moved last by `hand`.
fn app_with_pilot(conditions: &[&str], engaged: bool, hand: Source) -> App {
    let mut a = app();
    update(
        &mut a,
        Msg::Hold(Shown {
            engaged,
            conditions: conditions.iter().map(|c| c.to_string()).collect(),
        }),
    );
    a.live.gauges.hand = hand;
    a
}

#[test]
fn a_engages_the_autopilot_with_its_own_conditions_on_the_knob_the_keys_steer() {
    let mut a = app_with_pilot(&["p99<200ms"], false, Source::Start);
    press(&mut a, KeyCode::Tab);
    assert_eq!(
        press(&mut a, KeyCode::Char('a')),
        None,
        "no change of its own"
    );
    assert_eq!(
        a.hold_order.take(),
        Some(HoldOrder::Engage {
            knob: Knob::Rate,
            conditions: None
        })
    );
    assert_eq!(a.hold_entry, None, "nothing to ask");
}

#[test]
fn a_again_while_the_autopilot_holds_the_knob_lets_it_go() {
    let mut a = app_with_pilot(&["p99<200ms"], true, Source::Auto);
    press(&mut a, KeyCode::Char('a'));
    assert_eq!(a.hold_order.take(), Some(HoldOrder::Release));
    assert!(!a.hold.engaged, "shown at once");
    let mut taken = app_with_pilot(&["p99<200ms"], true, Source::Key);
    press(&mut taken, KeyCode::Char('a'));
    assert!(
        matches!(taken.hold_order, Some(HoldOrder::Engage { .. })),
        "a key had taken the knob: a takes it back"
    );
}

#[test]
fn without_conditions_a_asks_for_them_and_keys_type_into_the_entry() {
    let mut a = app_with_pilot(&[], false, Source::Start);
    press(&mut a, KeyCode::Char('a'));
    assert_eq!(a.hold_entry.as_deref(), Some(""));
    typed(&mut a, "p99<200ms, errors<1%");
    assert_eq!(
        a.live.gauges.limit, 50,
        "+ and digits are typed, not steering"
    );
    assert_eq!(press(&mut a, KeyCode::Enter), None);
    let Some(HoldOrder::Engage { knob, conditions }) = a.hold_order.take() else {
        panic!("no hold asked for");
    };
    assert_eq!(knob, Knob::Limit);
    let texts: Vec<String> = conditions
        .expect("the typed conditions")
        .iter()
        .map(|c| c.text().to_string())
        .collect();
    assert_eq!(texts, ["p99<200ms", "errors<1%"]);
    assert_eq!(a.hold_entry, None);
}

#[test]
fn a_typed_condition_that_is_no_bar_is_refused_and_esc_cancels_the_entry() {
    let mut a = app_with_pilot(&[], false, Source::Start);
    press(&mut a, KeyCode::Char('a'));
    typed(&mut a, "p99>200ms");
    press(&mut a, KeyCode::Enter);
    let note = a.hold_note.clone().expect("refused");
    assert!(note.contains("not a bar to hold"), "{note}");
    assert_eq!(a.hold_order, None);
    assert_eq!(a.hold_entry.as_deref(), Some("p99>200ms"));
    press(&mut a, KeyCode::Esc);
    assert_eq!((a.hold_entry.clone(), a.hold_note.clone()), (None, None));
    assert_eq!(
        a.phase,
        Phase::Watching,
        "Esc left the entry, not the dashboard"
    );
    press(&mut a, KeyCode::Char('a'));
    typed(&mut a, "q");
    assert_eq!(a.phase, Phase::Watching, "q is typed too");
}

#[test]
fn a_dashboard_without_a_scenario_of_its_own_takes_the_steps_its_figures_name() {
    let mut a = app();
    assert!(!a.sessions(), "a plain run counts requests");
    update(&mut a, Msg::Snapshot(Box::default()));
    assert!(!a.sessions(), "figures without steps leave it a plain run");
    let step = |name: &str| sluicegate::stats::by_step::StepFigures {
        name: name.into(),
        ..Default::default()
    };
    let s = Snapshot {
        steps: vec![step("login"), step("item")],
        ..Snapshot::default()
    };
    update(&mut a, Msg::Snapshot(Box::new(s)));
    assert!(
        a.sessions(),
        "a fleet's workers' steps make it a scenario's dashboard"
    );
    assert_eq!(a.steps, ["login", "item"]);
}

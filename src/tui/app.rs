//! What the dashboard shows, and the one function that changes it: `update(&mut App, Msg)`.

use super::keys::{self, Action};
use crate::generator::RunState;
use crate::generator::outcome::ErrorKind;
use crate::generator::plan::Plan;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::Counts;
use crossterm::event::KeyEvent;
use std::time::Duration;

/// The highest limit the keys can set.
pub const MAX_LIMIT: usize = 1_000_000;
/// Digits an entry may hold (enough for `MAX_LIMIT`).
const MAX_ENTRY_DIGITS: usize = 7;

/// Gauges read from the generator every frame, so key presses show at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    pub elapsed: Duration,
    pub limit: usize,
    /// The highest limit the open-file budget allows.
    pub cap: usize,
    /// Set when the limit asked for was above `cap`.
    pub capped: Option<usize>,
    pub in_flight: usize,
    pub peak_in_flight: usize,
    pub started: u64,
    pub state: RunState,
}

/// Something that happened; the loop turns terminal events, snapshots and frames into these.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Snapshot(Box<Snapshot>),
    Frame(Live),
    /// SIGTERM or similar: stop and leave without waiting for a key.
    Terminate,
}

/// What the loop must do to the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    SetLimit(usize),
    Pause,
    Resume,
    Stop,
}

/// Where the dashboard is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Watching,
    /// Stop was asked; waiting for the final numbers, then leaving.
    Quitting,
    /// The run ended by itself; waiting for a key.
    Finished,
    Exit,
}

/// A popup over the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
}

/// The last change of the limit, and when in-flight came down to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitChange {
    pub from: usize,
    pub to: usize,
    pub at: Duration,
    /// For a lower: when in-flight was first seen at or under the new limit.
    pub drained_at: Option<Duration>,
}

/// One row of the status-code or error list: what, how many, how many per second lately.
#[derive(Debug, Clone, PartialEq)]
pub struct RateRow<K> {
    pub key: K,
    pub total: u64,
    pub per_s: f64,
}

/// Everything on screen.
#[derive(Debug, Clone)]
pub struct App {
    pub target: String,
    pub plan: Plan,
    pub step: usize,
    pub exit_on_done: bool,
    pub snapshot: Snapshot,
    pub live: Live,
    pub statuses: Vec<RateRow<u16>>,
    pub errors: Vec<RateRow<ErrorKind>>,
    pub entry: Option<String>,
    pub overlay: Overlay,
    pub last_change: Option<LimitChange>,
    pub phase: Phase,
}

impl App {
    /// A dashboard for a run that starts at `limit`.
    pub fn new(target: String, plan: Plan, limit: usize, step: usize, exit_on_done: bool) -> App {
        App {
            target,
            plan,
            step: step.max(1),
            exit_on_done,
            snapshot: Snapshot::default(),
            live: Live {
                elapsed: Duration::ZERO,
                limit,
                cap: usize::MAX,
                capped: None,
                in_flight: 0,
                peak_in_flight: 0,
                started: 0,
                state: RunState::Running,
            },
            statuses: Vec::new(),
            errors: Vec::new(),
            entry: None,
            overlay: Overlay::None,
            last_change: None,
            phase: Phase::Watching,
        }
    }
}

/// The only place the dashboard's state changes; returns what the generator must do.
pub fn update(app: &mut App, msg: Msg) -> Option<Command> {
    match msg {
        Msg::Key(key) => on_key(app, &key),
        Msg::Snapshot(s) => {
            on_snapshot(app, *s);
            None
        }
        Msg::Frame(live) => {
            on_frame(app, live);
            None
        }
        Msg::Terminate => quit(app),
    }
}

fn on_key(app: &mut App, key: &KeyEvent) -> Option<Command> {
    let action = keys::action(key);
    if app.phase == Phase::Finished {
        app.phase = Phase::Exit;
        return None;
    }
    if app.overlay == Overlay::Help {
        if action == Some(Action::Quit) && is_ctrl_c(key) {
            return quit(app);
        }
        app.overlay = Overlay::None;
        return None;
    }
    match action? {
        Action::Raise => set_limit(app, app.live.limit.saturating_add(app.step)),
        Action::Lower => set_limit(app, app.live.limit.saturating_sub(app.step)),
        Action::Double => set_limit(app, app.live.limit.saturating_mul(2)),
        Action::Halve => set_limit(app, app.live.limit / 2),
        Action::Digit(d) => {
            let entry = app.entry.get_or_insert_with(String::new);
            if entry.len() < MAX_ENTRY_DIGITS && !(entry.is_empty() && d == 0) {
                entry.push(char::from(b'0' + d));
            }
            None
        }
        Action::Backspace => {
            if let Some(entry) = &mut app.entry {
                entry.pop();
            }
            None
        }
        Action::Enter => {
            let typed = app.entry.take()?.parse::<usize>().ok()?;
            set_limit(app, typed)
        }
        Action::Escape if app.entry.is_some() => {
            app.entry = None;
            None
        }
        Action::Escape | Action::Quit => quit(app),
        Action::TogglePause => match app.live.state {
            RunState::Running => {
                app.live.state = RunState::Paused;
                Some(Command::Pause)
            }
            RunState::Paused => {
                app.live.state = RunState::Running;
                Some(Command::Resume)
            }
            RunState::Stopping | RunState::Done => None,
        },
        Action::Help => {
            app.overlay = Overlay::Help;
            None
        }
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers
        .contains(crossterm::event::KeyModifiers::CONTROL)
}

/// Shows the new limit at once (capped as the generator will cap it) and asks for it.
fn set_limit(app: &mut App, wanted: usize) -> Option<Command> {
    let wanted = wanted.clamp(1, MAX_LIMIT);
    let to = wanted.min(app.live.cap);
    let from = app.live.limit;
    app.live.capped = (wanted > app.live.cap).then_some(app.live.cap);
    if to == from {
        // Nothing changes, but asking records that more was wanted (the cap shows).
        return (wanted != from).then_some(Command::SetLimit(wanted));
    }
    app.live.limit = to;
    app.last_change = Some(LimitChange {
        from,
        to,
        at: app.live.elapsed,
        drained_at: (to > from).then_some(app.live.elapsed),
    });
    Some(Command::SetLimit(wanted))
}

fn quit(app: &mut App) -> Option<Command> {
    app.entry = None;
    app.overlay = Overlay::None;
    match app.phase {
        Phase::Watching => {
            app.phase = Phase::Quitting;
            Some(Command::Stop)
        }
        Phase::Finished => {
            app.phase = Phase::Exit;
            None
        }
        Phase::Quitting | Phase::Exit => None,
    }
}

fn on_frame(app: &mut App, live: Live) {
    app.live = live;
    if let Some(change) = &mut app.last_change
        && change.drained_at.is_none()
        && live.in_flight <= change.to
    {
        change.drained_at = Some(live.elapsed);
    }
}

fn on_snapshot(app: &mut App, s: Snapshot) {
    let secs = s.elapsed.saturating_sub(app.snapshot.elapsed).as_secs_f64();
    app.statuses = status_rows(&s.counts, &app.snapshot.counts, secs);
    app.errors = error_rows(&s.counts, &app.snapshot.counts, secs);
    let done = s.state == RunState::Done;
    app.snapshot = s;
    if done {
        app.live.state = RunState::Done;
        app.live.in_flight = 0;
        app.phase = match app.phase {
            Phase::Quitting | Phase::Exit => Phase::Exit,
            _ if app.exit_on_done => Phase::Exit,
            _ => Phase::Finished,
        };
    }
}

fn per_second(now: u64, before: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        now.saturating_sub(before) as f64 / secs
    } else {
        0.0
    }
}

fn status_rows(now: &Counts, before: &Counts, secs: f64) -> Vec<RateRow<u16>> {
    let before = before.status_codes();
    now.status_codes()
        .into_iter()
        .map(|(code, total)| RateRow {
            key: code,
            total,
            per_s: per_second(total, before.get(&code).copied().unwrap_or(0), secs),
        })
        .collect()
}

fn error_rows(now: &Counts, before: &Counts, secs: f64) -> Vec<RateRow<ErrorKind>> {
    ErrorKind::ALL
        .iter()
        .filter(|k| now.errors_of(**k) > 0)
        .map(|k| RateRow {
            key: *k,
            total: now.errors_of(*k),
            per_s: per_second(now.errors_of(*k), before.errors_of(*k), secs),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn app() -> App {
        App::new("http://127.0.0.1:1/".into(), Plan::default(), 50, 10, false)
    }

    fn press(app: &mut App, code: KeyCode) -> Option<Command> {
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
        assert_eq!(
            press(&mut a, KeyCode::Char('+')),
            Some(Command::SetLimit(60))
        );
        assert_eq!(a.live.limit, 60);
        assert_eq!(press(&mut a, KeyCode::Up), Some(Command::SetLimit(70)));
        assert_eq!(
            press(&mut a, KeyCode::Char('-')),
            Some(Command::SetLimit(60))
        );
        assert_eq!(press(&mut a, KeyCode::Down), Some(Command::SetLimit(50)));
        let change = a.last_change.expect("a change is recorded");
        assert_eq!((change.from, change.to), (60, 50));
    }

    #[test]
    fn lowering_never_goes_below_one() {
        let mut a = App::new("t".into(), Plan::default(), 5, 10, false);
        assert_eq!(
            press(&mut a, KeyCode::Char('-')),
            Some(Command::SetLimit(1))
        );
        assert_eq!(press(&mut a, KeyCode::Char('-')), None);
        assert_eq!(press(&mut a, KeyCode::Char('[')), None);
        assert_eq!(a.live.limit, 1);
    }

    #[test]
    fn a_limit_above_the_cap_is_capped_and_says_so() {
        let mut a = app();
        a.live.cap = 80;
        assert_eq!(
            press(&mut a, KeyCode::Char(']')),
            Some(Command::SetLimit(100))
        );
        assert_eq!(a.live.limit, 80);
        assert_eq!(a.live.capped, Some(80));
        assert_eq!(
            press(&mut a, KeyCode::Char('+')),
            Some(Command::SetLimit(90))
        );
        assert_eq!(a.live.limit, 80);
        assert_eq!(
            press(&mut a, KeyCode::Char('[')),
            Some(Command::SetLimit(40))
        );
        assert_eq!(a.live.capped, None);
    }

    #[test]
    fn brackets_double_and_halve() {
        let mut a = app();
        assert_eq!(
            press(&mut a, KeyCode::Char(']')),
            Some(Command::SetLimit(100))
        );
        assert_eq!(
            press(&mut a, KeyCode::Char('[')),
            Some(Command::SetLimit(50))
        );
        assert_eq!(
            press(&mut a, KeyCode::Char('[')),
            Some(Command::SetLimit(25))
        );
    }

    #[test]
    fn digits_then_enter_set_an_exact_limit_and_esc_cancels() {
        let mut a = app();
        typed(&mut a, "123");
        assert_eq!(a.entry.as_deref(), Some("123"));
        press(&mut a, KeyCode::Backspace);
        assert_eq!(press(&mut a, KeyCode::Enter), Some(Command::SetLimit(12)));
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
        assert_eq!(a.live.limit, 12);
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
            Some(Command::SetLimit(MAX_LIMIT))
        );
    }

    #[test]
    fn p_and_space_toggle_pause() {
        let mut a = app();
        assert_eq!(press(&mut a, KeyCode::Char('p')), Some(Command::Pause));
        assert_eq!(a.live.state, RunState::Paused);
        assert_eq!(press(&mut a, KeyCode::Char(' ')), Some(Command::Resume));
        assert_eq!(a.live.state, RunState::Running);
    }

    #[test]
    fn q_esc_and_ctrl_c_stop_then_the_final_snapshot_exits() {
        for key in [
            KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
            KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        ] {
            let mut a = app();
            assert_eq!(update(&mut a, Msg::Key(key)), Some(Command::Stop));
            assert_eq!(a.phase, Phase::Quitting);
            assert_eq!(update(&mut a, Msg::Key(key)), None, "stop is asked once");
            let last = Snapshot {
                state: RunState::Done,
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
                state: RunState::Done,
                ..Snapshot::default()
            }))
        };
        let mut a = app();
        update(&mut a, done());
        assert_eq!(a.phase, Phase::Finished);
        assert_eq!(press(&mut a, KeyCode::Char('x')), None);
        assert_eq!(a.phase, Phase::Exit);

        let mut b = App::new("t".into(), Plan::default(), 5, 10, true);
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
        assert_eq!(a.live.limit, 50);
    }

    #[test]
    fn a_lower_is_marked_drained_when_in_flight_reaches_it() {
        let mut a = app();
        let frame = |limit, in_flight, secs| {
            Msg::Frame(Live {
                elapsed: Duration::from_secs(secs),
                limit,
                cap: 1000,
                capped: None,
                in_flight,
                peak_in_flight: 50,
                started: 0,
                state: RunState::Running,
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
        use crate::generator::outcome::{Outcome, Verdict};
        use crate::stats::window::Window;
        let mut w = Window::new(4);
        let mut a = app();
        let record = |w: &mut Window, n, verdict| {
            for _ in 0..n {
                w.record(&Outcome {
                    latency_us: 10,
                    verdict,
                    bytes: 0,
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
}

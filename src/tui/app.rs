//! What the dashboard shows, and the one function that changes it: `update(&mut App, Msg)`.

use super::keys::{self, Action};
use crate::generator::plan::Plan;
use crate::generator::{Gauges, LimitPolicy, MAX_LIMIT, RunState};
use crate::outcome::ErrorKind;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::Counts;
use crossterm::event::KeyEvent;
use std::time::Duration;

/// Digits an entry may hold (enough for `MAX_LIMIT`).
const MAX_ENTRY_DIGITS: usize = 7;
const _: () = assert!(MAX_LIMIT < 10usize.pow(MAX_ENTRY_DIGITS as u32));

/// The generator's gauges read every frame, so key presses show at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Live {
    pub elapsed: Duration,
    pub gauges: Gauges,
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    SetLimit(usize),
    /// Requests a second; None switches rate mode off.
    SetRate(Option<f64>),
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
    /// The target as shown (a password never is).
    pub target: String,
    /// Whether the target is sluice's own demo server.
    pub demo: bool,
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
    /// A dashboard for a run that starts at `limit`; `demo` when the target is the demo server.
    pub fn new(
        target: String,
        demo: bool,
        plan: Plan,
        limit: usize,
        step: usize,
        exit_on_done: bool,
    ) -> App {
        App {
            target,
            demo,
            plan,
            step: step.max(1),
            exit_on_done,
            snapshot: Snapshot::default(),
            live: Live {
                elapsed: Duration::ZERO,
                gauges: Gauges {
                    limit,
                    cap: usize::MAX,
                    ..Gauges::default()
                },
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
    match app.phase {
        Phase::Watching => {}
        Phase::Finished => {
            app.phase = Phase::Exit;
            return None;
        }
        // After q nothing counts: keys in the same burst (a paste of `q]]]`) change nothing.
        Phase::Quitting | Phase::Exit => return None,
    }
    if app.overlay == Overlay::Help {
        if action == Some(Action::Quit) {
            return quit(app);
        }
        app.overlay = Overlay::None;
        return None;
    }
    match action? {
        Action::Raise => set_limit(app, app.live.gauges.limit.saturating_add(app.step)),
        Action::Lower => set_limit(app, app.live.gauges.limit.saturating_sub(app.step)),
        Action::Double => set_limit(app, app.live.gauges.limit.saturating_mul(2)),
        Action::Halve => set_limit(app, app.live.gauges.limit / 2),
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
        Action::TogglePause => match app.live.gauges.state {
            RunState::Running => {
                app.live.gauges.state = RunState::Paused;
                Some(Command::Pause)
            }
            RunState::Paused => {
                app.live.gauges.state = RunState::Running;
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

/// Shows the new limit at once (by the policy the generator applies) and asks for it.
fn set_limit(app: &mut App, wanted: usize) -> Option<Command> {
    let policy = LimitPolicy::new(app.live.gauges.cap);
    let asked = LimitPolicy::asked(wanted);
    let to = policy.applied(wanted);
    let from = app.live.gauges.limit;
    app.live.gauges.capped = policy.capped(wanted);
    if to == from {
        // Nothing changes, but asking records that more was wanted (the cap shows).
        return (asked != from).then_some(Command::SetLimit(asked));
    }
    app.live.gauges.limit = to;
    app.last_change = Some(LimitChange {
        from,
        to,
        at: app.live.elapsed,
        drained_at: (to > from).then_some(app.live.elapsed),
    });
    Some(Command::SetLimit(asked))
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
    if app.snapshot.gauges.state == RunState::Done {
        // The run is over: its clock stopped at its duration, nothing is in flight.
        app.live = Live {
            elapsed: app.snapshot.elapsed,
            gauges: Gauges {
                state: RunState::Done,
                in_flight: 0,
                ..live.gauges
            },
        };
        return;
    }
    app.live = live;
    if let Some(change) = &mut app.last_change
        && change.drained_at.is_none()
        && live.gauges.in_flight <= change.to
    {
        change.drained_at = Some(live.elapsed);
    }
}

fn on_snapshot(app: &mut App, s: Snapshot) {
    let secs = s.elapsed.saturating_sub(app.snapshot.elapsed).as_secs_f64();
    app.statuses = status_rows(&s.counts, &app.snapshot.counts, secs);
    app.errors = error_rows(&s.counts, &app.snapshot.counts, secs);
    let done = s.gauges.state == RunState::Done;
    app.snapshot = s;
    if done {
        app.live.gauges.state = RunState::Done;
        app.live.gauges.in_flight = 0;
        app.live.elapsed = app.snapshot.elapsed;
        app.phase = match app.phase {
            Phase::Quitting | Phase::Exit => Phase::Exit,
            _ if app.exit_on_done => Phase::Exit,
            _ => Phase::Finished,
        };
    }
}

fn per_second(now: u64, before: u64, secs: f64) -> f64 {
    crate::units::per_second(now.saturating_sub(before), secs)
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

//! What the dashboard shows, and the one function that changes it: `update(&mut App, Msg)`.

use super::fleet_rows::WorkerRow;
use super::keys::{self, Action};
use crate::engine::generator::LimitPolicy;
use crate::engine::generator::plan::Plan;
use crate::engine::outcome::ErrorKind;
use crate::engine::steer::MAX_RATE;
use crate::engine::steer::Source;
use crate::engine::steer::{Change, Gauges, Knob, MAX_LIMIT, RunState};
use crate::schedule::autopilot::Shown;
use crate::stats::condition::Condition;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::Counts;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
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
    /// A fleet's workers, a row each, as they stand now.
    Workers(Vec<WorkerRow>),
    Frame(Live),
    /// What the autopilot shows now (read each frame, sent when it changed).
    Hold(Shown),
    /// The autopilot refused to engage: why, in a line.
    HoldRefused(String),
    /// SIGTERM or similar: stop and leave without waiting for a key.
    Terminate,
}

/// What the dashboard asks of the autopilot; the loop carries it out after `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum HoldOrder {
    /// Hold `knob` to `conditions` (None: the autopilot's own, `--hold`'s or the last).
    Engage {
        knob: Knob,
        conditions: Option<Vec<Condition>>,
    },
    Release,
}

/// The most characters a typed hold condition line takes.
const MAX_HOLD_CHARS: usize = 120;

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
    /// With `--urls-from-file`: every URL as shown, in the file's order; else empty.
    pub urls: Vec<String>,
    /// With `--scenario`: each request step's name, in step order; else empty.
    pub steps: Vec<String>,
    /// Whether the target is sluice's own demo server.
    pub demo: bool,
    pub plan: Plan,
    pub step: usize,
    /// What + and - add to or take from the rate; None: 10% of it.
    pub rate_step: Option<f64>,
    /// The knob the keys steer (Tab switches).
    pub knob: Knob,
    /// What the run's schedule is called ("stage", "replay"), if it has one.
    pub schedule: Option<&'static str>,
    pub exit_on_done: bool,
    pub snapshot: Snapshot,
    /// In a fleet view: each worker's row, in the order given; else empty.
    pub workers: Vec<WorkerRow>,
    pub live: Live,
    pub statuses: Vec<RateRow<u16>>,
    pub errors: Vec<RateRow<ErrorKind>>,
    pub entry: Option<String>,
    /// What the autopilot shows (engaged, its conditions).
    pub hold: Shown,
    /// The hold conditions being typed after `a` (the autopilot had none).
    pub hold_entry: Option<String>,
    /// A line about the autopilot: why an entry or a hold was refused; cleared by a key.
    pub hold_note: Option<String>,
    /// What the loop must ask of the autopilot, taken after each `update`.
    pub hold_order: Option<HoldOrder>,
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
            urls: Vec::new(),
            steps: Vec::new(),
            demo,
            plan,
            step: step.max(1),
            rate_step: None,
            knob: Knob::Limit,
            schedule: None,
            exit_on_done,
            snapshot: Snapshot::default(),
            workers: Vec::new(),
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
            hold: Shown::default(),
            hold_entry: None,
            hold_note: None,
            hold_order: None,
            overlay: Overlay::None,
            last_change: None,
            phase: Phase::Watching,
        }
    }
}

impl App {
    /// The same dashboard for a run that starts at `rate` requests a second (the keys then
    /// steer the rate first), with + and - stepping the rate by `rate_step`.
    pub fn with_rate(mut self, rate: Option<f64>, rate_step: Option<f64>) -> App {
        self.live.gauges.rate = rate;
        self.rate_step = rate_step;
        self.knob = Knob::steered(rate);
        self
    }
}

impl App {
    /// Whether the run's last numbers are in: from then on nothing shown is "now".
    pub fn over(&self) -> bool {
        self.snapshot.gauges.state == RunState::Done
    }

    /// The same dashboard for a run that a schedule (`name`: "stage", "replay") steers.
    pub fn with_schedule(mut self, name: Option<&'static str>) -> App {
        self.schedule = name;
        self
    }

    /// With several URLs, their names for the per-URL table.
    pub fn with_urls(mut self, urls: Vec<String>) -> App {
        self.urls = urls;
        self
    }

    /// With `--scenario`, its steps' names for the Steps panel (its limit is sessions).
    pub fn with_steps(mut self, steps: Vec<String>) -> App {
        self.steps = steps;
        self
    }

    /// Whether the run is a scenario's: what is in flight and counted are sessions.
    pub fn sessions(&self) -> bool {
        !self.steps.is_empty()
    }
}

/// The only place the dashboard's state changes; returns what the generator must do.
pub fn update(app: &mut App, msg: Msg) -> Option<Change> {
    match msg {
        Msg::Key(key) => on_key(app, &key),
        Msg::Snapshot(s) => {
            on_snapshot(app, *s);
            None
        }
        Msg::Workers(rows) => {
            app.workers = rows;
            None
        }
        Msg::Frame(live) => {
            on_frame(app, live);
            None
        }
        Msg::Hold(shown) => {
            app.hold = shown;
            None
        }
        Msg::HoldRefused(why) => {
            app.hold_note = Some(why);
            None
        }
        Msg::Terminate => quit(app),
    }
}

fn on_key(app: &mut App, key: &KeyEvent) -> Option<Change> {
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
    app.hold_note = None;
    if app.hold_entry.is_some() {
        type_hold(app, key);
        return None;
    }
    act(app, action?)
}

/// Whether the autopilot holds the knobs now: engaged, and no other hand moved one since.
pub fn auto_holds(app: &App) -> bool {
    app.hold.engaged && app.live.gauges.hand == Source::Auto
}

/// `a`: lets go of the knob when the autopilot holds it; else engages it on the knob the
/// keys steer, with its own conditions, or asks for them.
fn toggle_hold(app: &mut App) {
    app.entry = None;
    if auto_holds(app) {
        app.hold.engaged = false;
        app.hold_order = Some(HoldOrder::Release);
    } else if app.hold.conditions.is_empty() {
        app.hold_entry = Some(String::new());
    } else {
        app.hold_order = Some(HoldOrder::Engage {
            knob: app.knob,
            conditions: None,
        });
    }
}

/// A key while hold conditions are typed: a character, a backspace, Enter (parse and hold,
/// or say why not and keep the entry) or Esc (cancel).
fn type_hold(app: &mut App, key: &KeyEvent) {
    let Some(entry) = app.hold_entry.as_mut() else {
        return;
    };
    let plain = (key.modifiers - KeyModifiers::SHIFT).is_empty();
    match key.code {
        KeyCode::Char(c) if plain && !c.is_control() && entry.chars().count() < MAX_HOLD_CHARS => {
            entry.push(c)
        }
        KeyCode::Backspace => {
            entry.pop();
        }
        KeyCode::Esc => app.hold_entry = None,
        KeyCode::Enter => {
            let texts = entry.split([',', ' ']).filter(|t| !t.is_empty());
            match crate::schedule::autopilot::parse_conditions(texts) {
                Ok(conditions) => {
                    app.hold_entry = None;
                    app.hold_order = Some(HoldOrder::Engage {
                        knob: app.knob,
                        conditions: Some(conditions),
                    });
                }
                Err(why) => app.hold_note = Some(why),
            }
        }
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            app.hold_entry = None;
        }
        _ => {}
    }
}

/// What a key's action does while the run is watched.
fn act(app: &mut App, action: Action) -> Option<Change> {
    if let Some(step) = Step::of(action) {
        return step_knob(app, step);
    }
    match action {
        Action::Raise | Action::Lower | Action::Double | Action::Halve => None,
        Action::SwitchKnob => {
            app.entry = None;
            app.knob = app.knob.other();
            None
        }
        Action::Digit(d) => {
            type_digit(app, d);
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
            match app.knob {
                Knob::Limit => set_limit(app, typed),
                Knob::Rate => set_rate(app, (typed > 0).then_some(typed as f64)),
            }
        }
        Action::Escape if app.entry.is_some() => {
            app.entry = None;
            None
        }
        Action::Escape | Action::Quit => quit(app),
        Action::TogglePause => toggle_pause(app),
        Action::Help => {
            app.overlay = Overlay::Help;
            None
        }
        Action::Autopilot => {
            toggle_hold(app);
            None
        }
    }
}

/// Shows the new limit at once (by the policy the generator applies) and asks for it.
fn set_limit(app: &mut App, wanted: usize) -> Option<Change> {
    let policy = LimitPolicy::new(app.live.gauges.cap);
    let asked = LimitPolicy::asked(wanted);
    let to = policy.applied(wanted);
    let from = app.live.gauges.limit;
    app.live.gauges.capped = policy.capped(wanted);
    if to == from {
        // Nothing changes, but asking records that more was wanted (the cap shows).
        return (asked != from).then_some(Change::Limit(asked));
    }
    app.live.gauges.limit = to;
    app.last_change = Some(LimitChange {
        from,
        to,
        at: app.live.elapsed,
        drained_at: (to > from).then_some(app.live.elapsed),
    });
    Some(Change::Limit(asked))
}

/// Moves the knob the keys steer; a step up on a rate that is off switches it on at the
/// throughput of the moment.
fn step_knob(app: &mut App, step: Step) -> Option<Change> {
    match app.knob {
        Knob::Limit => set_limit(app, step.limit(app.live.gauges.limit, app.step)),
        Knob::Rate => {
            let from = app.live.gauges.rate;
            let started = from.or_else(|| step.starts_rate().then(|| current_rps(app)));
            let to = started.map(|r| step.rate(r, app.rate_step, from.is_none()));
            set_rate(app, to)
        }
    }
}

fn toggle_pause(app: &mut App) -> Option<Change> {
    match app.live.gauges.state {
        RunState::Running => {
            app.live.gauges.state = RunState::Paused;
            Some(Change::Pause)
        }
        RunState::Paused => {
            app.live.gauges.state = RunState::Running;
            Some(Change::Resume)
        }
        RunState::Stopping | RunState::Done => None,
    }
}

/// Adds a digit to the entry: at most `MAX_ENTRY_DIGITS`, no leading zero, except that a
/// rate entry may be just 0 (which switches the rate off).
fn type_digit(app: &mut App, d: u8) {
    let rate = app.knob == Knob::Rate;
    let entry = app.entry.get_or_insert_with(String::new);
    let refused = entry.starts_with('0') || (d == 0 && entry.is_empty() && !rate);
    if entry.len() < MAX_ENTRY_DIGITS && !refused {
        entry.push(char::from(b'0' + d));
    }
}

/// A key that moves a knob up or down.
#[derive(Debug, Clone, Copy)]
enum Step {
    Up,
    Down,
    Double,
    Halve,
}

impl Step {
    fn of(action: Action) -> Option<Step> {
        match action {
            Action::Raise => Some(Step::Up),
            Action::Lower => Some(Step::Down),
            Action::Double => Some(Step::Double),
            Action::Halve => Some(Step::Halve),
            _ => None,
        }
    }

    /// The limit after this step from `limit` (`step` for + and -).
    fn limit(self, limit: usize, step: usize) -> usize {
        match self {
            Step::Up => limit.saturating_add(step),
            Step::Down => limit.saturating_sub(step),
            Step::Double => limit.saturating_mul(2),
            Step::Halve => limit / 2,
        }
    }

    /// Whether this step gives a run without a rate one (at the throughput of the moment).
    fn starts_rate(self) -> bool {
        matches!(self, Step::Up | Step::Double)
    }

    /// The rate after this step from `rate`, in whole requests a second, at least 1; a rate
    /// just switched on stays where it starts.
    fn rate(self, rate: f64, step: Option<f64>, just_started: bool) -> f64 {
        let step = step.unwrap_or((rate * RATE_STEP_SHARE).max(1.0));
        let next = match self {
            _ if just_started => rate,
            Step::Up => rate + step,
            Step::Down => rate - step,
            Step::Double => rate * 2.0,
            Step::Halve => rate / 2.0,
        };
        next.round().clamp(1.0, MAX_RATE)
    }
}

/// What + and - change the rate by, as a share of it, without --rate-step.
const RATE_STEP_SHARE: f64 = 0.1;

/// Requests a second now, for a rate switched on by a key: at least 1.
fn current_rps(app: &App) -> f64 {
    app.snapshot.last_tick.rps.max(1.0)
}

/// Shows the new rate at once and asks for it (None: rate mode off).
fn set_rate(app: &mut App, rate: Option<f64>) -> Option<Change> {
    if rate == app.live.gauges.rate {
        return None;
    }
    app.live.gauges.rate = rate;
    Some(Change::Rate(rate))
}

fn quit(app: &mut App) -> Option<Change> {
    app.entry = None;
    app.hold_entry = None;
    app.overlay = Overlay::None;
    match app.phase {
        Phase::Watching => {
            app.phase = Phase::Quitting;
            Some(Change::Stop)
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
    // A fleet learns its workers' steps from their figures (it reads no scenario file).
    if app.steps.is_empty() && !s.steps.is_empty() {
        app.steps = s.steps.iter().map(|f| f.name.clone()).collect();
    }
    let done = s.gauges.state == RunState::Done;
    // Rates over the last tick while the run goes; once it is over, over the whole run.
    let none = Counts::default();
    let (before, secs) = match done {
        true => (&none, s.elapsed.as_secs_f64()),
        false => (
            &app.snapshot.counts,
            s.elapsed.saturating_sub(app.snapshot.elapsed).as_secs_f64(),
        ),
    };
    app.statuses = status_rows(&s.counts, before, secs);
    app.errors = error_rows(&s.counts, before, secs);
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

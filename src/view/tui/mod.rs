//! The live dashboard: a terminal guard and one `select!` loop over frames, keys and snapshots.
//!
//! The loop is generic over the ratatui `Backend` and the event stream, so tests drive it with
//! `TestBackend` and scripted keys; only `run` touches the real terminal.

pub mod app;
mod fixed_width;
pub mod fleet_rows;
pub(crate) mod keys;
pub mod ui;
mod widgets;

use crate::engine::steer::{Source, Steer};
use crate::schedule::autopilot::Pilot;
use crate::stats::snapshot::Snapshot;
use app::{App, HoldOrder, Live, Msg, Phase};
use crossterm::event::{Event, EventStream, KeyEventKind};
use fleet_rows::WorkerRow;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Frames drawn per second.
pub const FRAME_HZ: u64 = 10;

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back (raw mode off, main screen) if the dashboard had taken it.
pub fn restore_terminal() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        ratatui::restore();
    }
}

/// Restores the terminal when dropped: on return, on error and while unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the dashboard on the real terminal until the operator leaves; returns the last state.
pub async fn run(
    app: App,
    generator: &impl Steer,
    feeds: Feeds,
    started: Instant,
    terminate: CancellationToken,
) -> io::Result<App> {
    // ratatui::try_init would install a second panic hook; sluice's own (panics.rs) restores.
    crossterm::terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let _guard = TerminalGuard;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let mut terminal = Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
    run_loop(
        &mut terminal,
        app,
        generator,
        feeds,
        EventStream::new(),
        started,
        terminate,
    )
    .await
    .map_err(io::Error::other)
}

/// What the dashboard is fed: the run's snapshots, in a fleet view the workers' rows, and
/// the autopilot the `a` key engages (read each frame).
pub struct Feeds {
    pub snapshots: watch::Receiver<Snapshot>,
    pub workers: Option<watch::Receiver<Vec<WorkerRow>>>,
    pub pilot: Option<Pilot>,
}

impl Feeds {
    /// A single run's: its snapshots alone.
    pub fn run(snapshots: watch::Receiver<Snapshot>) -> Feeds {
        Feeds {
            snapshots,
            workers: None,
            pilot: None,
        }
    }
}

/// The loop: draw at `FRAME_HZ`, handle keys at once, take each snapshot as it comes.
pub async fn run_loop<B, E>(
    terminal: &mut Terminal<B>,
    mut app: App,
    generator: &impl Steer,
    feeds: Feeds,
    mut events: E,
    started: Instant,
    terminate: CancellationToken,
) -> Result<App, B::Error>
where
    B: Backend,
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut frames = tokio::time::interval(Duration::from_millis(1000 / FRAME_HZ));
    frames.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let Feeds {
        mut snapshots,
        workers,
        pilot,
    } = feeds;
    let (mut workers_open, mut workers) = (
        workers.is_some(),
        workers.unwrap_or_else(|| watch::channel(Vec::new()).1),
    );
    let (mut events_open, mut snapshots_open, mut terminated) = (true, true, false);
    while app.phase != Phase::Exit {
        let msg = tokio::select! {
            _ = frames.tick() => Msg::Frame(read_live(generator, started)),
            ev = events.next(), if events_open => match ev {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(_)) => Msg::Frame(read_live(generator, started)),
                Some(Err(_)) | None => {
                    events_open = false;
                    continue;
                }
            },
            changed = snapshots.changed(), if snapshots_open => match changed {
                Ok(()) => Msg::Snapshot(Box::new(snapshots.borrow_and_update().clone())),
                Err(_) => {
                    snapshots_open = false;
                    continue;
                }
            },
            changed = workers.changed(), if workers_open => match changed {
                Ok(()) => Msg::Workers(workers.borrow_and_update().clone()),
                Err(_) => {
                    workers_open = false;
                    continue;
                }
            },
            _ = terminate.cancelled(), if !terminated => {
                terminated = true;
                Msg::Terminate
            }
        };
        if matches!(msg, Msg::Snapshot(_)) && crate::process::fault::injected("dashboard") {
            panic!("injected panic in the dashboard");
        }
        let redraw = matches!(msg, Msg::Frame(_) | Msg::Key(_));
        handle(&mut app, msg, generator, pilot.as_ref());
        if !snapshots_open && app.phase == Phase::Quitting {
            app.phase = Phase::Exit;
        }
        if redraw && app.phase != Phase::Exit {
            terminal.draw(|frame| ui::draw(frame, &app))?;
        }
    }
    Ok(app)
}

/// One message through `update`: its change made as a key's, and what it asked of the
/// autopilot carried out.
fn handle(app: &mut App, msg: Msg, generator: &impl Steer, pilot: Option<&Pilot>) {
    if let Some(change) = app::update(app, msg) {
        generator.steer(change, Source::Key);
    }
    if let Some(pilot) = pilot {
        fly_as_asked(app, pilot, generator);
    }
}

/// Carries out what the dashboard asked of the autopilot, and shows what it now holds.
fn fly_as_asked(app: &mut App, pilot: &Pilot, generator: &impl Steer) {
    match app.hold_order.take() {
        Some(HoldOrder::Engage { knob, conditions }) => {
            if let Err(why) = pilot.hold(knob, conditions, generator, false) {
                app::update(app, Msg::HoldRefused(why));
            }
        }
        Some(HoldOrder::Release) => pilot.release(),
        None => {}
    }
    let shown = pilot.shown();
    if shown != app.hold {
        app::update(app, Msg::Hold(shown));
    }
}

/// The gauges as they are this instant; the one place the loop reads the clock.
fn read_live(generator: &impl Steer, started: Instant) -> Live {
    Live {
        elapsed: started.elapsed(),
        gauges: generator.gauges(),
    }
}

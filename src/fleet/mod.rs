//! `sluice fleet ADDR…`: one live view of many workers (`sluice --control`), the same
//! dashboard as a single run fed by their merged statuses, with a row per worker; the keys
//! steer them all. At the end, their summaries merged exactly.

mod addresses;
mod checked;
mod combine;
mod notes;
mod poller;
mod steer;
mod summary;
mod worker_client;

use crate::control::token::Token;
use crate::engine::generator::plan::Plan;
use crate::engine::steer::RunState;
use crate::engine::steer::{Change, Knob, Source, Steer};
use crate::process::error::Error;
use crate::process::signals;
use crate::report::OutputFormat;
use crate::report::output::Output;
use crate::report::{self, Summary};
use crate::schedule::autopilot::{self, Pilot};
use crate::stats::snapshot::Snapshot;
use crate::view::tui::app::App;
use crate::view::tui::fleet_rows::{WorkerRow, WorkerState};
use crate::view::{headless, tui};
use clap::Args;
use combine::Merger;
use http::Uri;
use notes::Notes;
use poller::{Fleetwide, Followed, RunIds, WorkerView};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use steer::{Ending, FleetSteer, Steered};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use worker_client::WorkerClient;

/// How long the fleet waits for workers that have not answered yet before it counts them down.
const START_WAIT: Duration = Duration::from_secs(15);
/// How long, once told to end, the fleet waits for the workers that agreed to stop to
/// finish and hand over their summaries.
const STOP_WAIT: Duration = Duration::from_secs(15);

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The workers' control addresses (their --control): HOST:PORT or http://HOST:PORT.
    #[arg(required = true, value_name = "ADDR")]
    pub workers: Vec<String>,
    #[command(flatten)]
    pub control_token: crate::control::token::ControlTokenArg,
    /// Progress lines on stderr instead of the dashboard.
    #[arg(long = "no-tui")]
    pub no_tui: bool,
    /// Dashboard: what + and - add to or take from the total limit.
    #[arg(long = "step", value_name = "N", default_value_t = 10)]
    pub step: usize,
    /// The autopilot on the total: each second, move the fleet's steered knob (the rate when
    /// the workers run at one, else the limit) towards the most load at which this holds
    /// over their merged histograms, each worker keeping its share. Repeatable.
    #[arg(long = "hold", value_name = "CONDITION", value_parser = crate::stats::condition::Condition::parse_held)]
    pub hold: Vec<crate::stats::condition::Condition>,
    /// Leave the dashboard as soon as every worker has finished.
    #[arg(long = "exit-on-done")]
    pub exit_on_done: bool,
    /// Merged summary format.
    #[arg(long = "output-format", value_name = "FORMAT", default_value = "text")]
    pub output_format: OutputFormat,
    /// Write the merged summary to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Watches (and steers) the workers until every one has finished or gone down, or the
/// fleet is told to end; writes their summaries merged.
pub fn run_fleet(args: FleetArgs) -> Result<(), Error> {
    let output = Output::prepare_as(args.output.as_deref(), "fleet: -o")?;
    let bases = args
        .workers
        .iter()
        .map(|w| worker_client::parse_address(w))
        .collect::<Result<Vec<Uri>, String>>()
        .map_err(Error::Input)?;
    let token = args
        .control_token
        .token
        .as_deref()
        .map(Token::given)
        .transpose()
        .map_err(Error::Input)?;
    let runtime = crate::process::runtime::current_thread()?;
    if let Some(refused) = runtime.block_on(addresses::refusal(&args.workers, &bases)) {
        return Err(Error::Input(refused));
    }
    runtime.block_on(async {
        let ending = signals::Ending::count(signals::Signals::listen());
        let summary = watch_fleet(&args, bases, token, ending.clone()).await?;
        let text = report::render(&summary, args.output_format);
        // Off the runtime and given up at a signal: -o may be a FIFO nobody reads.
        crate::report::output::write_unless(output, text.as_bytes(), ending.give_up()).await?;
        Ok(())
    })
}

/// Every worker's view as it is now.
fn now(views: &[watch::Receiver<WorkerView>]) -> Vec<WorkerView> {
    views.iter().map(|v| v.borrow().clone()).collect()
}

/// The pollers, the merge loop and the view, until the fleet is done.
async fn watch_fleet(
    args: &FleetArgs,
    bases: Vec<Uri>,
    token: Option<Token>,
    signalled: signals::Ending,
) -> Result<Summary, Error> {
    let notes = Notes::default();
    let client = WorkerClient::new(token);
    let stop = CancellationToken::new();
    let names: Vec<String> = args.workers.iter().map(|w| w.trim().to_string()).collect();
    let workers = follow_all(&client, &notes, &stop, bases, &names);
    let views: Vec<_> = workers.iter().map(|w| w.view.clone()).collect();
    first_answers(&views).await?;
    let first = Merger::default().snapshot(&now(&views));
    let plan = combine::plan(&now(&views));
    let (merged_tx, merged_rx) = watch::channel(first);
    let (rows_tx, rows_rx) = watch::channel(combine::rows(&names, &now(&views)));
    let ending = Arc::new(watch::Sender::new(Ending::No));
    let steer = FleetSteer {
        client,
        workers,
        merged: merged_rx.clone(),
        ending: Arc::clone(&ending),
        notes: notes.clone(),
        hand: Arc::new(std::sync::Mutex::new(Source::Start)),
    };
    let (pilot, flown) = fly_fleet(args, &steer)?;
    let merging = tokio::spawn(merge_until_done(Merging {
        names: names.clone(),
        views: views.clone(),
        merged: merged_tx,
        rows: rows_tx,
        ending: Arc::clone(&ending),
        dashboard: !args.no_tui,
        plan,
        pilot: flown,
    }));
    let leave = CancellationToken::new();
    let (signal_leave, signal_notes) = (leave.clone(), notes.clone());
    let stop_all = move || {
        signal_notes
            .say("sluice: fleet: signal received: the view ends with what the workers had".into());
        signal_leave.cancel();
    };
    tokio::spawn(signals::stop_on_ending(
        signalled,
        stop_all,
        tui::restore_terminal,
    ));
    let feeds = tui::Feeds {
        snapshots: merged_rx,
        workers: Some(rows_rx),
        pilot: Some(pilot.clone()),
    };
    show(args, &steer, feeds, leave, plan).await;
    let _ = merging.await;
    stop.cancel();
    notes.release();
    let ended_early = *ending.borrow() != Ending::No;
    let mut merged = summary::merged(&names, &now(&views), ended_early, &notes)?;
    merged.hold = pilot.summary();
    Ok(merged)
}

/// The fleet's autopilot, flown on the merged snapshots the merge loop sends, and engaged
/// at once with `--hold`; the merge loop's end for its snapshots.
fn fly_fleet(
    args: &FleetArgs,
    steer: &FleetSteer,
) -> Result<(Pilot, mpsc::UnboundedSender<Snapshot>), Error> {
    let pilot = Pilot::new(args.hold.clone());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(autopilot::fly(pilot.clone(), steer.clone(), rx));
    if !args.hold.is_empty() {
        let knob = Knob::steered(steer.gauges().rate);
        pilot
            .hold(knob, None, steer, false)
            .map_err(|why| Error::Input(format!("fleet: --hold: {why}")))?;
    }
    Ok((pilot, tx))
}

/// A poller for each worker; the workers as the keys see them.
fn follow_all(
    client: &WorkerClient,
    notes: &Notes,
    stop: &CancellationToken,
    bases: Vec<Uri>,
    names: &[String],
) -> Vec<Steered> {
    let fleet = Fleetwide {
        client: client.clone(),
        notes: notes.clone(),
        run_ids: RunIds::default(),
        stop: stop.clone(),
    };
    bases
        .into_iter()
        .zip(names)
        .map(|(base, name)| {
            let (tx, rx) = watch::channel(WorkerView::default());
            let followed = Followed {
                base: base.clone(),
                name: name.clone(),
                view: tx,
            };
            tokio::spawn(poller::follow(fleet.clone(), followed));
            Steered {
                base,
                name: name.clone(),
                view: rx,
            }
        })
        .collect()
}

/// Waits until at least one worker has answered (up to `START_WAIT`).
async fn first_answers(views: &[watch::Receiver<WorkerView>]) -> Result<(), Error> {
    let deadline = Instant::now() + START_WAIT;
    loop {
        if views.iter().any(|v| v.borrow().counted().is_some()) {
            // A moment for the others, started at the same time, to answer too.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return Ok(());
        }
        let all_left_out = views.iter().all(|v| v.borrow().left_out.is_some());
        if all_left_out || Instant::now() >= deadline {
            let why = views.iter().find_map(|v| {
                let v = v.borrow();
                v.left_out.clone().or_else(|| v.trouble.clone())
            });
            return Err(Error::Input(format!(
                "fleet: no worker answered with a usable status ({}; waited up to {}s)",
                why.unwrap_or_default(),
                START_WAIT.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the merge loop works with.
struct Merging {
    names: Vec<String>,
    views: Vec<watch::Receiver<WorkerView>>,
    merged: watch::Sender<Snapshot>,
    rows: watch::Sender<Vec<WorkerRow>>,
    ending: Arc<watch::Sender<Ending>>,
    dashboard: bool,
    plan: Plan,
    /// The autopilot's feed: every merged snapshot.
    pilot: mpsc::UnboundedSender<Snapshot>,
}

/// Every second, the workers' latest statuses merged into one snapshot, until none is
/// pending (once told to end: none that agreed to stop); the last one says done.
/// Headless, a progress line each.
async fn merge_until_done(m: Merging) {
    let started = Instant::now();
    let mut merger = Merger::default();
    let second = Duration::from_secs(1);
    let mut ticks = tokio::time::interval_at(started + second, second);
    loop {
        ticks.tick().await;
        let now = now(&m.views);
        let starting = started.elapsed() < START_WAIT;
        // Once told to end, the fleet waits only for the workers that agreed to stop.
        let (done, starting) = match &*m.ending.borrow() {
            Ending::No | Ending::Asking => (!now.iter().any(|v| v.pending(starting)), starting),
            Ending::WaitingFor { workers, since } => {
                let waited = now.iter().zip(workers).any(|(v, &w)| w && v.pending(false));
                (!waited || since.elapsed() >= STOP_WAIT, false)
            }
        };
        let mut snapshot = merger.snapshot(&now);
        // Done only once the fleet waits for no one: a worker yet to answer may still start.
        snapshot.gauges.state = match (done, snapshot.gauges.state) {
            (true, _) => RunState::Done,
            (false, RunState::Done) => RunState::Running,
            (false, state) => state,
        };
        let rows = combine::rows(&m.names, &now);
        if !m.dashboard {
            let waiting = Waiting {
                names: unanswered(&m.names, &now, starting),
                for_up_to: START_WAIT.saturating_sub(started.elapsed()),
            };
            crate::say!(
                "{}",
                progress_line(&snapshot, &rows, &m.plan, done, &waiting)
            );
        }
        m.rows.send_replace(rows);
        let _ = m.pilot.send(snapshot.clone());
        m.merged.send_replace(snapshot);
        if done {
            return;
        }
    }
}

/// The workers the fleet still waits to hear from (while they may still be starting).
struct Waiting {
    names: Vec<String>,
    for_up_to: Duration,
}

/// The names of the workers that have not answered yet but may still start.
fn unanswered(names: &[String], views: &[WorkerView], starting: bool) -> Vec<String> {
    names
        .iter()
        .zip(views)
        .filter(|(_, v)| v.status.is_none() && v.pending(starting))
        .map(|(name, _)| worker_client::shown(name))
        .collect()
}

/// A single run's progress line, how many workers are up (and left out), and which ones the
/// fleet still waits for.
fn progress_line(
    s: &Snapshot,
    rows: &[WorkerRow],
    plan: &Plan,
    done: bool,
    waiting: &Waiting,
) -> String {
    let up = rows.iter().filter(|w| w.state.is_up()).count();
    let line = match done {
        true => headless::final_line(s, plan),
        false => headless::progress_line(s, plan),
    };
    let left_out = rows
        .iter()
        .filter(|w| w.state == WorkerState::LeftOut)
        .count();
    let left_out = match left_out {
        0 => String::new(),
        n => format!(", {n} left out"),
    };
    let secs = waiting.for_up_to.as_secs_f64().ceil();
    let waiting = match waiting.names.as_slice() {
        _ if done => String::new(),
        [] => String::new(),
        [one] => format!(", waiting up to {secs:.0}s more for {one} to answer"),
        [first, ..] => format!(
            ", waiting up to {secs:.0}s more for {} workers to answer ({first}, …)",
            waiting.names.len()
        ),
    };
    format!("{line}  workers {up}/{} up{left_out}{waiting}", rows.len())
}

/// The dashboard (or nothing more, headless) until the fleet is done or the operator leaves.
async fn show(
    args: &FleetArgs,
    steer: &FleetSteer,
    feeds: tui::Feeds,
    leave: CancellationToken,
    plan: Plan,
) {
    let can_draw = crate::view::can_draw(
        std::io::stdout().is_terminal(),
        std::env::var("TERM").ok().as_deref(),
    );
    if args.no_tui || !can_draw {
        let mut done = feeds.snapshots.clone();
        tokio::select! {
            _ = done.wait_for(|s| s.gauges.state == RunState::Done) => {}
            _ = leave.cancelled() => steer.steer(Change::Stop, Source::Key),
        }
        let _ = done.wait_for(|s| s.gauges.state == RunState::Done).await;
        return;
    }
    let first = feeds.snapshots.borrow().clone();
    let target = format!("fleet of {}: {}", args.workers.len(), first_target(steer));
    let mut app = App::new(
        target,
        false,
        plan,
        first.gauges.limit,
        args.step,
        args.exit_on_done,
    )
    .with_rate(first.gauges.rate, None);
    // The workers' first answers, before the first merged tick (open files read 0 / 0).
    app.snapshot = first;
    if let Some(rows) = &feeds.workers {
        app.workers = rows.borrow().clone();
    }
    steer.notes.hold();
    let dashboard = tui::run(app, steer, feeds, Instant::now(), leave);
    let shown = dashboard.await;
    steer.notes.release();
    if let Err(e) = shown {
        crate::say!("sluice: dashboard failed: {e}");
    }
}

/// The target the first worker that answered names, escaped.
fn first_target(steer: &FleetSteer) -> String {
    steer
        .workers
        .iter()
        .find_map(|w| {
            let v = w.view.borrow();
            v.counted().map(|r| worker_client::shown(&r.status.target))
        })
        .unwrap_or_default()
}

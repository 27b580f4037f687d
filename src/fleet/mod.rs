//! `sluice fleet ADDR…`: one live view of many workers (`sluice --control`), the same
//! dashboard as a single run fed by their merged statuses, with a row per worker; the keys
//! steer them all. At the end, their summaries merged exactly.

mod combine;
mod poller;
mod steer;
mod worker_client;

use crate::cli::OutputFormat;
use crate::control::token::Token;
use crate::error::Error;
use crate::generator::RunState;
use crate::generator::plan::Plan;
use crate::output::Output;
use crate::report::{self, Summary};
use crate::stats::snapshot::Snapshot;
use crate::tui::app::{App, Command};
use crate::{headless, signals, tui};
use clap::Args;
use combine::Merger;
use http::Uri;
use poller::WorkerView;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use steer::FleetSteer;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use worker_client::WorkerClient;

/// How long the fleet waits for workers that have not answered yet before it counts them down.
const START_WAIT: Duration = Duration::from_secs(15);

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The workers' control addresses (their --control): HOST:PORT or http://HOST:PORT.
    #[arg(required = true, value_name = "ADDR")]
    pub workers: Vec<String>,
    #[command(flatten)]
    pub control_token: crate::cli::ControlTokenArg,
    /// Progress lines on stderr instead of the dashboard.
    #[arg(long = "no-tui")]
    pub no_tui: bool,
    /// Dashboard: what + and - add to or take from the total limit.
    #[arg(long = "step", value_name = "N", default_value_t = 10)]
    pub step: usize,
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

/// Watches (and steers) the workers until every one has finished or gone down; writes
/// their summaries merged.
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
    let runtime = crate::runtime::current_thread()?;
    let summary = runtime.block_on(watch_fleet(&args, bases, token))?;
    output.write(report::render(&summary, args.output_format).as_bytes())?;
    Ok(())
}

/// The pollers, the merge loop and the view, until the fleet is done.
async fn watch_fleet(
    args: &FleetArgs,
    bases: Vec<Uri>,
    token: Option<Token>,
) -> Result<Summary, Error> {
    let client = WorkerClient::new(token);
    let stop = CancellationToken::new();
    let mut views = Vec::new();
    for base in &bases {
        let (tx, rx) = watch::channel(WorkerView::default());
        tokio::spawn(poller::follow(
            client.clone(),
            base.clone(),
            tx,
            stop.clone(),
        ));
        views.push(rx);
    }
    let first = first_answers(&views).await?;
    let (merged_tx, merged_rx) = watch::channel(first);
    let steer = FleetSteer {
        client,
        workers: bases.iter().cloned().zip(views.iter().cloned()).collect(),
        merged: merged_rx.clone(),
    };
    let names: Vec<String> = args.workers.iter().map(|w| w.trim().to_string()).collect();
    let merging = tokio::spawn(merge_until_done(
        names.clone(),
        views.clone(),
        merged_tx,
        !args.no_tui,
    ));
    let leave = CancellationToken::new();
    let signal_leave = leave.clone();
    let stop_all = move || signal_leave.cancel();
    tokio::spawn(signals::stop_on_signal(
        signals::Signals::listen(),
        stop_all,
        tui::restore_terminal,
    ));
    show(args, &steer, merged_rx, leave).await;
    let _ = merging.await;
    stop.cancel();
    merged_summary(&names, &views)
}

/// Waits until at least one worker has answered (up to `START_WAIT`); the first snapshot.
async fn first_answers(views: &[watch::Receiver<WorkerView>]) -> Result<Snapshot, Error> {
    let deadline = Instant::now() + START_WAIT;
    loop {
        if views.iter().any(|v| v.borrow().status.is_some()) {
            // A moment for the others, started at the same time, to answer too.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return Ok(Snapshot::default());
        }
        if Instant::now() >= deadline {
            let why = views.iter().find_map(|v| v.borrow().trouble.clone());
            return Err(Error::Input(format!(
                "fleet: no worker answered within {}s ({})",
                START_WAIT.as_secs(),
                why.unwrap_or_default()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every second, the workers' latest statuses merged into one snapshot, until none is
/// pending; the last one says done. Headless, a progress line each.
async fn merge_until_done(
    names: Vec<String>,
    views: Vec<watch::Receiver<WorkerView>>,
    merged: watch::Sender<Snapshot>,
    dashboard: bool,
) {
    let started = Instant::now();
    let mut merger = Merger::default();
    let second = Duration::from_secs(1);
    let mut ticks = tokio::time::interval_at(started + second, second);
    loop {
        ticks.tick().await;
        let now: Vec<WorkerView> = views.iter().map(|v| v.borrow().clone()).collect();
        let starting = started.elapsed() < START_WAIT;
        let done = !now.iter().any(|v| v.pending(starting));
        let mut snapshot = merger.snapshot(&names, &now);
        if done {
            snapshot.gauges.state = RunState::Done;
        }
        if !dashboard {
            crate::say!("{}", progress_line(&snapshot, done));
        }
        merged.send_replace(snapshot);
        if done {
            return;
        }
    }
}

/// A single run's progress line, and how many workers are up.
fn progress_line(s: &Snapshot, done: bool) -> String {
    let up = s.workers.iter().filter(|w| w.up).count();
    let line = match done {
        true => headless::final_line(s, &Plan::default()),
        false => headless::progress_line(s, &Plan::default()),
    };
    format!("{line}  workers {up}/{} up", s.workers.len())
}

/// The dashboard (or nothing more, headless) until the fleet is done or the operator leaves.
async fn show(
    args: &FleetArgs,
    steer: &FleetSteer,
    merged: watch::Receiver<Snapshot>,
    leave: CancellationToken,
) {
    let can_draw = crate::config::can_draw(
        std::io::stdout().is_terminal(),
        std::env::var("TERM").ok().as_deref(),
    );
    if args.no_tui || !can_draw {
        let mut done = merged.clone();
        tokio::select! {
            _ = done.wait_for(|s| s.gauges.state == RunState::Done) => {}
            _ = leave.cancelled() => tui::Steer::command(steer, Command::Stop),
        }
        let _ = done.wait_for(|s| s.gauges.state == RunState::Done).await;
        return;
    }
    let first = merged.borrow().clone();
    let target = format!("fleet of {}: {}", args.workers.len(), first_target(steer));
    let app = App::new(
        target,
        false,
        Plan::default(),
        first.gauges.limit,
        args.step,
        args.exit_on_done,
    )
    .with_rate(first.gauges.rate, None);
    let dashboard = tui::run(app, steer, merged, Instant::now(), leave);
    if let Err(e) = dashboard.await {
        crate::say!("sluice: dashboard failed: {e}");
    }
}

/// The target the first worker that answered names.
fn first_target(steer: &FleetSteer) -> String {
    steer
        .workers
        .iter()
        .find_map(|(_, v)| v.borrow().status.as_ref().map(|s| s.target.clone()))
        .unwrap_or_default()
}

/// The summaries of the workers that finished, merged; those that went down are named on
/// stderr.
fn merged_summary(
    names: &[String],
    views: &[watch::Receiver<WorkerView>],
) -> Result<Summary, Error> {
    let mut runs = Vec::new();
    for (name, view) in names.iter().zip(views) {
        let v = view.borrow();
        match &v.summary {
            Some(summary) => runs.push((name.clone(), summary.clone())),
            None => crate::say!(
                "sluice: fleet: worker {name} left no summary ({}): the merge goes without it",
                v.trouble.as_deref().unwrap_or("it did not finish")
            ),
        }
    }
    match runs.is_empty() {
        true => Err(Error::Runtime(
            "fleet: no worker finished with a summary".into(),
        )),
        false => crate::merge::merge_runs(&runs).map_err(Error::Runtime),
    }
}

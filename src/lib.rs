//! sluicegate: a live HTTP load tester. `run` wires the pieces:
//! generator (permits → requests) → outcomes channel → aggregator (HDR) → snapshots → a view.

pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod generator;
pub mod headless;
pub mod panics;
pub mod probe;
pub mod report;
pub mod signals;
pub mod stats;
pub mod tui;
pub mod units;

use config::Config;
use error::Error;
use futures_util::FutureExt;
use generator::connect;
use generator::pool::Pool;
use generator::request::{Client, RequestTemplate};
use http::Uri;
use stats::snapshot::Snapshot;
use stats::summary::Summary;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How often stats are rolled into a snapshot (and a progress line printed).
pub const TICK_MS: u64 = 1000;
/// Batches of outcomes that may wait in the channel before request tasks wait for the
/// aggregator (256 full batches: 16k outcomes).
const OUTCOME_QUEUE: usize = 256;
/// The demo target's longest delay when sluice starts it for a run without a URL.
pub const DEMO_MAX_DELAY: Duration = Duration::from_secs(3);

/// Runs a load test as configured, writes the summary, and returns it.
pub fn run(config: Config) -> Result<Summary, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_on_runtime(config))
}

async fn run_on_runtime(config: Config) -> Result<Summary, Error> {
    // Sockets are files: take all the descriptors the hard limit allows.
    let _ = probe::fd::raise_soft_limit();
    let open_before = probe::fd::count_open().unwrap_or(0);
    let demo_shutdown = CancellationToken::new();
    let target = match &config.target {
        Some(url) => {
            check_host_resolves(url).await?;
            url.clone()
        }
        None => start_demo(&demo_shutdown).await?,
    };
    let client = client_for(&config, &target)?;
    let cap = concurrency_cap(open_before, config.target.is_none());
    if config.concurrency > cap {
        eprintln!(
            "sluice: -c {} capped by open files ({cap}): raise the limit with ulimit -n",
            config.concurrency
        );
    }

    let panicked = CancellationToken::new();
    panics::install(panicked.clone());
    let (outcome_tx, outcome_rx) = mpsc::channel(OUTCOME_QUEUE);
    let started = Instant::now();
    let generator = generator::start(client, config.plan, config.concurrency, cap, outcome_tx)?;
    let terminate = CancellationToken::new();
    let signals = tokio::spawn(signals::stop_on_signal(
        generator.clone(),
        terminate.clone(),
    ));
    let on_panic = tokio::spawn(stop_on_panic(
        panicked,
        generator.clone(),
        terminate.clone(),
    ));
    let (snapshot_tx, snapshot_rx) = watch::channel(Snapshot::default());
    let last_published = snapshot_rx.clone();
    let tick = Duration::from_millis(TICK_MS);
    let aggregator = tokio::spawn(stats::aggregator::run(
        outcome_rx,
        generator.clone(),
        tick,
        started,
        snapshot_tx,
    ));
    let app = (!config.headless).then(|| {
        tui::app::App::new(
            target.to_string(),
            config.plan,
            config.concurrency,
            config.step,
            config.exit_on_done,
        )
    });
    show(
        app,
        config.plan,
        &generator,
        snapshot_rx,
        started,
        terminate,
    )
    .await;
    // A panicked aggregator loses its last tick at most: the last snapshot it published stands.
    let last = match aggregator.await {
        Ok(last) => last,
        Err(_) => {
            generator.finished().await;
            last_published.borrow().clone()
        }
    };
    signals.abort();
    on_panic.abort();
    demo_shutdown.cancel();

    let summary = Summary::new(target.to_string(), config.concurrency, &last);
    report::emit(&summary, config.output_format, config.output.as_deref())?;
    if let Some(path) = &config.output {
        eprintln!("sluice: summary written to {}", path.display());
    }
    match panics::first() {
        Some(message) => Err(Error::Runtime(format!("internal error: {message}"))),
        None => Ok(summary),
    }
}

/// The client for the run: the request template, a pool, the connector with its timeouts.
fn client_for(config: &Config, target: &Uri) -> Result<Client, Error> {
    let connector = connect::connector(config.connect_timeout, config.insecure)
        .map_err(|e| Error::Runtime(format!("TLS set-up failed: {e}")))?;
    let template = RequestTemplate::new(
        config.method.clone(),
        target.clone(),
        config.headers.clone(),
        config.body.clone(),
    );
    let pool = Pool::new(connector, target.clone());
    Ok(Client::new(template, pool, config.timeout))
}

/// Shows the run until it is over: the dashboard for `Some(app)`, else progress lines. If the
/// view fails (no usable terminal) or panics, the run is stopped; what was measured stands.
async fn show(
    app: Option<tui::app::App>,
    plan: generator::plan::Plan,
    generator: &generator::Handle,
    snapshots: watch::Receiver<Snapshot>,
    started: Instant,
    terminate: CancellationToken,
) {
    let view = AssertUnwindSafe(async {
        match app {
            None => {
                headless::print_progress(snapshots, plan).await;
                Ok(())
            }
            Some(app) => tui::run(app, generator, snapshots, started, terminate)
                .await
                .map(|_| ()),
        }
    })
    .catch_unwind()
    .await;
    if !matches!(view, Ok(Ok(()))) {
        generator.stop();
        if let Ok(Err(e)) = view {
            eprintln!("sluice: dashboard failed: {e}");
        }
    }
}

/// On the first panic anywhere: stop the generator and tell the view to leave.
async fn stop_on_panic(
    panicked: CancellationToken,
    generator: generator::Handle,
    view: CancellationToken,
) {
    panicked.cancelled().await;
    generator.stop();
    view.cancel();
}

/// The highest limit the open-file budget allows; the in-process demo target holds the
/// server side of every connection too.
fn concurrency_cap(open_before: u64, demo_in_process: bool) -> usize {
    let (soft, _) = probe::fd::limits().unwrap_or((u64::MAX, u64::MAX));
    let per_connection = if demo_in_process { 2 } else { 1 };
    probe::fd::connection_budget(soft, open_before, per_connection)
}

/// Starts the demo target on 127.0.0.1:0 and returns its URL.
async fn start_demo(shutdown: &CancellationToken) -> Result<Uri, Error> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let demo = demo::Demo::bind(addr, DEMO_MAX_DELAY).await?;
    let url = format!("http://{}/", demo.local_addr()?);
    eprintln!(
        "sluice: no URL given, testing the demo target at {url} (answers after 0-{} s)",
        DEMO_MAX_DELAY.as_secs()
    );
    tokio::spawn(demo.serve(shutdown.clone()));
    url.parse()
        .map_err(|e| Error::Runtime(format!("demo URL {url}: {e}")))
}

/// Refuses a host that does not resolve, before any dashboard or load starts.
async fn check_host_resolves(url: &Uri) -> Result<(), Error> {
    let host = url.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url
        .port_u16()
        .unwrap_or(if url.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    let lookup = tokio::net::lookup_host((host, port));
    match tokio::time::timeout(Duration::from_secs(10), lookup).await {
        Ok(Ok(mut addrs)) => match addrs.next() {
            Some(_) => Ok(()),
            None => Err(Error::Input(format!(
                "host '{host}' resolves to no address"
            ))),
        },
        Ok(Err(e)) => Err(Error::Input(format!("host '{host}' does not resolve: {e}"))),
        Err(_) => Err(Error::Input(format!(
            "host '{host}' did not resolve within 10 s"
        ))),
    }
}

/// `sluice demo`: serves the demo target until Ctrl-C or SIGTERM.
pub fn run_demo(args: cli::DemoArgs) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let _ = probe::fd::raise_soft_limit();
        let demo = demo::Demo::bind(args.listen, args.max_delay)
            .await
            .map_err(|e| Error::Runtime(format!("cannot listen on {}: {e}", args.listen)))?;
        eprintln!(
            "sluice demo: listening on http://{}/ (answers after 0-{} s); Ctrl-C to stop",
            demo.local_addr()?,
            args.max_delay.as_secs()
        );
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(demo.serve(shutdown.clone()));
        let _ = tokio::signal::ctrl_c().await;
        shutdown.cancel();
        let _ = server.await;
        Ok(())
    })
}

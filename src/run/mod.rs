//! Wiring one run: check where the summary goes, resolve the target, start the pipeline
//! (generator → outcomes → aggregator → snapshots), show it, and finish with the summary.

pub mod cli;
pub mod config;
pub(crate) mod connect_to;
pub mod demo;
pub mod scenario;
pub(crate) mod target;
pub mod templates;
pub(crate) mod vegeta;

use crate::control;
use crate::engine::client::{self, Client, Pool, RequestTemplate};
use crate::engine::generator;
use crate::engine::generator::Handle;
use crate::engine::generator::timeline::Entry;
use crate::engine::steer::Gauges;
use crate::engine::steer::Source;
use crate::process::error::Error;
use crate::process::probe::fd::FdUsage;
use crate::process::untrusted::escaped;
use crate::process::{panics, probe, signals};
use crate::report::OutputFormat;
use crate::report::output::{self, Output};
use crate::report::summary::{Hold, Until};
use crate::report::{self, RunFacts, Summary};
use crate::run::config::Config;
use crate::run::target::Target;
use crate::schedule::autopilot::{self, Pilot, record};
use crate::schedule::replay::ReplayScript;
use crate::schedule::stages::StagesScript;
use crate::schedule::{Knob, driver, until};
use crate::stats::aggregator::{self, Readings, Schedule};
use crate::stats::by_target::{MAX_ROWS, OTHER_ROW};
use crate::stats::snapshot::Snapshot;
use crate::view::{headless, tui};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How often stats are rolled into a snapshot (and a progress line printed).
pub const TICK_MS: u64 = 1000;
/// `-w`: past `-t` after the end of `-z`, what still has not handed in its outcome (a thread
/// held up elsewhere) is aborted after all.
const WAIT_SLACK: Duration = Duration::from_millis(200);
/// Batches of outcomes that may wait in the channel before request tasks wait for the
/// aggregator (256 full batches: 16k outcomes).
const OUTCOME_QUEUE: usize = 256;

/// Runs a load test as configured, writes the summary, and returns it.
pub fn run(config: Config) -> Result<Summary, Error> {
    // Checked first: a summary or a log that cannot be written is bad input, before any load.
    let output = Output::prepare(config.output.as_deref())?;
    if let Some(path) = config.output.as_deref() {
        not_over_an_input(&output, ("-o", path), &config)?;
    }
    let hdr_log = prepare_hdr_log(&config, &output)?;
    let control = config
        .control
        .clone()
        .map(control::Bound::bind)
        .transpose()?;
    let runtime = crate::process::runtime::current_thread()?;
    runtime.block_on(run_on_runtime(config, output, hdr_log, control))
}

/// The `--hdr-log` destination, checked as `-o` is; refused when it is `-o`'s file.
fn prepare_hdr_log(config: &Config, output: &Output) -> Result<Option<Output>, Error> {
    let Some(path) = config.hdr_log.as_deref() else {
        return Ok(None);
    };
    let log = Output::prepare_as(Some(path), "--hdr-log")?;
    if log.resolved().is_some() && log.resolved() == output.resolved() {
        return Err(Error::Input(format!(
            "--hdr-log: '{}' is also the summary's file (-o): name another",
            escaped(&path.to_string_lossy())
        )));
    }
    not_over_an_input(&log, ("--hdr-log", path), config)?;
    Ok(Some(log))
}

/// Refuses an output (`flag` `given`) that would land on a file the run reads, under any
/// spelling: writing it would destroy the body, the URL list or the session it came from.
fn not_over_an_input(
    output: &Output,
    (flag, given): (&str, &std::path::Path),
    config: &Config,
) -> Result<(), Error> {
    let Some((read_by, input)) = config.reads.iter().find(|(_, input)| output.is(input)) else {
        return Ok(());
    };
    Err(Error::Input(format!(
        "{flag} '{}' is the file {read_by} '{}' reads: the run would write over it; name another",
        escaped(&given.to_string_lossy()),
        escaped(&input.to_string_lossy())
    )))
}

/// The target and how it was chosen; the demo runs in-process until `shutdown`.
struct Resolved {
    target: Target,
    demo: bool,
}

async fn run_on_runtime(
    config: Config,
    output: Output,
    hdr_log: Option<Output>,
    control: Option<control::Bound>,
) -> Result<Summary, Error> {
    // Sockets are files: take all the descriptors the hard limit allows.
    let _ = probe::fd::raise_soft_limit();
    let open_before = probe::fd::count_open().unwrap_or(0);
    let demo_shutdown = CancellationToken::new();
    let resolved = resolve(&config, &demo_shutdown).await?;
    let client = client_for(&config, &resolved.target)?;
    // The in-process demo target holds the server side of every connection too.
    let cap = probe::fd::concurrency_cap(open_before, if resolved.demo { 2 } else { 1 });
    if config.concurrency > cap {
        crate::say!(
            "sluice: -c {} capped by open files ({cap}): raise the limit with ulimit -n",
            config.concurrency
        );
    }
    let ended = pipeline(&config, &resolved, client, cap, (hdr_log, control)).await?;
    demo_shutdown.cancel();
    let facts = RunFacts {
        target: shown_targets(&resolved.target, &config.more_targets),
        urls: shown_urls(&resolved.target, &config.more_targets),
        initial_limit: config.concurrency,
        initial_rate: config.rate,
        timeline: ended.timeline,
        until: ended.until,
        hold: ended.hold,
        peak_rss_kib: probe::memory::peak_rss_kib().unwrap_or(0),
        fail_if: config.fail_if.clone(),
        started_at: ended.started_at,
        shard: config.shard,
    };
    let summary = Summary::new(facts, &ended.last);
    let written = finish(&summary, &config, output, &ended.ending).await;
    if let Some(control) = ended.control {
        let serve = control.finish(report::render(&summary, OutputFormat::Json));
        ended.ending.unless_given_up(serve).await;
    }
    written?;
    if let Some(Err(e)) = ended.hdr_log {
        let path = config.hdr_log.as_deref().unwrap_or_else(|| "?".as_ref());
        return Err(Error::Runtime(format!(
            "cannot write the HDR log to '{}': {e}",
            escaped(&path.to_string_lossy())
        )));
    }
    match panics::first() {
        Some(message) => Err(Error::Runtime(format!("internal error: {message}"))),
        None => Ok(summary),
    }
}

/// The URL given, or the demo target started in-process.
async fn resolve(config: &Config, demo_shutdown: &CancellationToken) -> Result<Resolved, Error> {
    match &config.target {
        Some(target) => {
            // Each host once, however many URLs name it.
            let mut hosts = std::collections::HashSet::new();
            for t in std::iter::once(target).chain(&config.more_targets) {
                if hosts.insert(t.url.authority()) {
                    crate::run::config::check_host_resolves(&t.url, &config.route).await?;
                }
            }
            // --scenario: every origin the steps name.
            let origins = config.scenario.iter().flat_map(|s| &s.origins);
            for origin in origins {
                if hosts.insert(origin.authority()) {
                    crate::run::config::check_host_resolves(origin, &config.route).await?;
                }
            }
            Ok(Resolved {
                target: target.clone(),
                demo: false,
            })
        }
        None => Ok(Resolved {
            target: Target::local(demo::start_in_process(demo_shutdown).await?),
            demo: true,
        }),
    }
}

/// How a run ended: its final snapshot and how it was steered.
struct Ended {
    last: Snapshot,
    timeline: Vec<Entry>,
    until: Option<Until>,
    hold: Option<Hold>,
    /// The wall-clock time the run started.
    started_at: SystemTime,
    /// How writing the HDR log went, when there was one.
    hdr_log: Option<std::io::Result<()>>,
    /// The control API, still serving: it hands out the summary, then stops.
    control: Option<control::Control>,
    /// The signals, counted still: the end gives up waiting at the next (or soon after one).
    ending: signals::Ending,
}

/// What a run may have beside its view: the HDR log's file, the control API's listener.
type Sidecars = (Option<Output>, Option<control::Bound>);

/// The tasks that read every snapshot beside the view: the `--until` watch, the HDR log,
/// the autopilot.
struct Readers {
    every: Vec<mpsc::UnboundedSender<Snapshot>>,
    until: Option<JoinHandle<Until>>,
    /// The autopilot, when a hand can engage it (`--hold`, the dashboard, the control API),
    /// and the task that flies it.
    pilot: Option<(Pilot, JoinHandle<()>)>,
    hdr_log: Option<JoinHandle<std::io::Result<()>>>,
    control: Option<control::Control>,
}

impl Readers {
    fn start(
        config: &Config,
        generator: &Handle,
        (hdr_log, control): Sidecars,
        target: String,
        started_at: SystemTime,
    ) -> Result<Readers, Error> {
        let mut every = Vec::new();
        let mut reader = || {
            let (tx, rx) = mpsc::unbounded_channel();
            every.push(tx);
            rx
        };
        let until = config
            .until
            .clone()
            .map(|condition| tokio::spawn(until::watch(condition, reader(), generator.clone())));
        let engageable = !config.hold.is_empty() || !config.headless || control.is_some();
        let pilot = engageable.then(|| {
            let pilot = match config.checks {
                Some(_) => Pilot::new(config.hold.clone()),
                None => Pilot::new(config.hold.clone()).without_checks(),
            };
            let task = tokio::spawn(autopilot::fly(pilot.clone(), generator.clone(), reader()));
            (pilot, task)
        });
        let flown = pilot.as_ref().map(|(p, _)| p.clone());
        let control = control
            .map(|bound| {
                let about = (target.clone(), config.shard, config.plan);
                control::Control::serve(bound, generator.clone(), about, flown)
            })
            .transpose()?;
        if let Some(control) = &control {
            control.follow(reader());
        }
        let hdr_log = hdr_log
            .map(|out| tokio::spawn(report::hdr_log::write(out, target, started_at, reader())));
        Ok(Readers {
            every,
            until,
            pilot,
            hdr_log,
            control,
        })
    }
}

impl Readers {
    /// The aggregator is done: the readers have seen every snapshot and return.
    async fn ended(
        self,
        last: Snapshot,
        timeline: Vec<Entry>,
        started_at: SystemTime,
        ending: signals::Ending,
    ) -> Ended {
        let until = match self.until {
            Some(task) => task.await.ok(),
            None => None,
        };
        let hold = match self.pilot {
            Some((pilot, task)) => {
                let _ = task.await;
                pilot.summary()
            }
            None => None,
        };
        if let Some(line) = hold.as_ref().and_then(|h| never_settled(h, &last.gauges)) {
            crate::say!("{line}");
        }
        let hdr_log = match self.hdr_log {
            Some(task) => Some(match ending.unless_given_up(task).await {
                Some(written) => written.unwrap_or_else(|e| Err(std::io::Error::other(e))),
                None => Err(std::io::Error::other(
                    "a signal came before it was written (a FIFO with no reader?)",
                )),
            }),
            None => None,
        };
        Ended {
            last,
            timeline,
            until,
            hold,
            started_at,
            hdr_log,
            control: self.control,
            ending,
        }
    }
}

/// The run's autopilot, engaged at the start with `--hold`'s bars when there are any.
fn engage_hold(
    config: &Config,
    readers: &Readers,
    generator: &Handle,
) -> Result<Option<Pilot>, Error> {
    let pilot = readers.pilot.as_ref().map(|(p, _)| p.clone());
    if let Some(pilot) = pilot.as_ref().filter(|_| !config.hold.is_empty()) {
        let knob = Knob::steered(config.rate);
        pilot
            .hold(knob, None, generator, true)
            .map_err(Error::Runtime)?;
    }
    Ok(pilot)
}

/// The `--check`s' texts, for the stats to count them by.
fn check_texts(config: &Config) -> Vec<String> {
    config.checks.as_ref().map_or_else(Vec::new, |c| c.texts())
}

/// The `--scenario`'s steps, for the stats to count them by.
fn step_specs(config: &Config) -> Vec<crate::stats::by_step::StepSpec> {
    config
        .scenario
        .as_ref()
        .map_or_else(Vec::new, |s| s.specs.clone())
}

/// Generator, aggregator, signals, the -z deadline and the view, until the run is over.
async fn pipeline(
    config: &Config,
    resolved: &Resolved,
    client: Client,
    cap: usize,
    sidecars: Sidecars,
) -> Result<Ended, Error> {
    let panicked = CancellationToken::new();
    panics::install(panicked.clone(), tui::restore_terminal);
    let ending = signals::Ending::count(signals::Signals::listen());
    let (outcome_tx, outcome_rx) = mpsc::channel(OUTCOME_QUEUE);
    let (started, started_at) = (Instant::now(), SystemTime::now());
    let setup = generator::Setup {
        plan: config.plan,
        limit: config.concurrency,
        cap,
        rate: config.rate,
        threads: config.threads,
    };
    let generator = generator::start(client, setup, outcome_tx)?;
    let terminate = CancellationToken::new();
    let mut background = watchers(config, &generator, started, &ending, panicked, &terminate);
    background.extend(start_schedule(config, &generator, started));
    let (snapshot_tx, snapshot_rx) = watch::channel(Snapshot::default());
    let last_published = snapshot_rx.clone();
    let (progress_tx, progress_rx) = mpsc::unbounded_channel();
    let target = shown_targets(&resolved.target, &config.more_targets);
    let mut readers = Readers::start(config, &generator, sidecars, target, started_at)?;
    if config.headless {
        readers.every.push(progress_tx);
    }
    let pilot = engage_hold(config, &readers, &generator)?;
    let schedule = Schedule {
        tick: Duration::from_millis(TICK_MS),
        started,
        ends_by: config.plan.duration,
    };
    let aggregator = tokio::spawn(aggregator::run(
        outcome_rx,
        LiveReadings(generator.clone()),
        (schedule, check_texts(config), step_specs(config)),
        snapshot_tx,
        std::mem::take(&mut readers.every),
    ));
    let view = view_for(config, resolved, progress_rx);
    let feeds = tui::Feeds {
        pilot,
        ..tui::Feeds::run(snapshot_rx)
    };
    show(view, config, &generator, feeds, started, terminate).await;
    // A panicked aggregator loses its last tick at most: the last snapshot it published stands.
    let last = match aggregator.await {
        Ok(last) => last,
        Err(_) => last_published.borrow().clone(),
    };
    background.iter().for_each(|task| task.abort());
    Ok(readers
        .ended(last, generator.timeline(), started_at, ending)
        .await)
}

/// Plays `--stages` (on the rate with -q, else the limit) or `--replay`, if given.
fn start_schedule(config: &Config, generator: &Handle, started: Instant) -> Option<JoinHandle<()>> {
    let generator = generator.clone();
    if let Some(stages) = config.stages.clone() {
        let start = config.rate.unwrap_or(config.concurrency as f64);
        let knob = Knob::steered(config.rate);
        let script = StagesScript::new(stages, knob, start);
        return Some(tokio::spawn(driver::play(
            script,
            generator,
            started,
            Source::Stage,
        )));
    }
    let script = ReplayScript::new(config.replay.clone()?);
    Some(tokio::spawn(driver::play(
        script,
        generator,
        started,
        Source::Replay,
    )))
}

/// The tasks that end the run from outside: an ending signal or a panic stops it and
/// makes the view leave (`terminate`); the -z deadline stops it.
fn watchers(
    config: &Config,
    generator: &Handle,
    started: Instant,
    ending: &signals::Ending,
    panicked: CancellationToken,
    terminate: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    let stop_and_leave = || {
        let (generator, terminate) = (generator.clone(), terminate.clone());
        move || {
            generator.stop();
            terminate.cancel();
        }
    };
    let on_panic = stop_and_leave();
    let mut tasks = vec![
        tokio::spawn(signals::stop_on_ending(
            ending.clone(),
            stop_and_leave(),
            tui::restore_terminal,
        )),
        tokio::spawn(async move {
            panicked.cancelled().await;
            on_panic();
        }),
    ];
    // The -z deadline is kept on this thread: a generator thread busy in the kernel (slow
    // connects at thousands of connections) cannot delay the end of the run.
    if let Some(deadline) = config.plan.deadline(started) {
        let generator = generator.clone();
        let wait = config.wait_ongoing.then_some(config.timeout);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(deadline).await;
            if let Some(timeout) = wait {
                // -w: each request in flight ends within -t of its start, so by then.
                generator.finish_in_flight();
                tokio::time::sleep(timeout + WAIT_SLACK).await;
            }
            generator.stop();
        }));
    }
    tasks
}

/// What the aggregator reads each tick: the generator's gauges and the open files.
struct LiveReadings(Handle);

impl Readings for LiveReadings {
    fn gauges(&self) -> Gauges {
        self.0.gauges()
    }

    fn open_files(&self) -> FdUsage {
        FdUsage::read()
    }

    fn late_starts(&self) -> u64 {
        self.0.late_starts()
    }

    fn aborting(&self) -> bool {
        self.0.aborting()
    }
}

/// The dashboard, or progress lines fed every tick when headless.
fn view_for(
    config: &Config,
    resolved: &Resolved,
    progress: mpsc::UnboundedReceiver<Snapshot>,
) -> View {
    if config.headless {
        return View::Headless(progress);
    }
    let app = tui::app::App::new(
        shown_targets(&resolved.target, &config.more_targets),
        resolved.demo,
        config.plan,
        config.concurrency,
        config.step,
        config.exit_on_done,
    );
    let schedule = match (&config.stages, &config.replay) {
        (Some(_), _) => Some("stage"),
        (None, Some(_)) => Some("replay"),
        (None, None) => None,
    };
    let urls = shown_urls(&resolved.target, &config.more_targets);
    let steps = config.scenario.as_ref().map_or_else(Vec::new, |s| {
        s.specs.iter().map(|step| step.name.clone()).collect()
    });
    let app = app
        .with_rate(config.rate, config.rate_step)
        .with_schedule(schedule)
        .with_urls(urls)
        .with_steps(steps);
    View::Dashboard(Box::new(app))
}

/// The line that says a hold never settled, and why, for stderr at the end of the run
/// (`last`: the gauges it ended with).
fn never_settled(hold: &Hold, last: &Gauges) -> Option<String> {
    if hold.settled.is_some() {
        return None;
    }
    let conditions = hold.conditions.join(" ");
    let share = 100.0 * hold.held_share;
    let least = match last.rate {
        Some(rate) => format!("rate {rate}/s"),
        None => format!("limit {}", last.limit),
    };
    Some(match hold.held_share < record::LEAST_HELD_SHARE {
        true => format!(
            "sluice: --hold {conditions}: not met even at {least} (held {share:.0}% of \
             seconds): settled: null"
        ),
        false => format!(
            "sluice: --hold {conditions}: the knob never stayed near one value: settled: null"
        ),
    })
}

/// Writes the summary where it was asked for, off the runtime and given up at a signal (a
/// FIFO may have no reader). If that fails after all, it is printed on stdout instead, so
/// the run is not lost, and the failure is an error (exit 1).
async fn finish(
    summary: &Summary,
    config: &Config,
    output: Output,
    ending: &signals::Ending,
) -> Result<(), Error> {
    let text = report::render(summary, config.output_format);
    let path = output
        .path()
        .map(|p| escaped(&p.to_string_lossy()).into_owned());
    let written = output::write_unless(output, text.as_bytes(), ending.give_up()).await;
    match (written, path) {
        (Ok(()), Some(path)) => {
            crate::say!("sluice: summary written to {path}");
            Ok(())
        }
        (Ok(()), None) => Ok(()),
        (Err(e), Some(path)) => {
            let stdout = Output::Stdout;
            let _ = output::write_unless(stdout, text.as_bytes(), ending.give_up()).await;
            Err(Error::Runtime(format!(
                "cannot write the summary to '{path}': {e}; it was printed on stdout instead"
            )))
        }
        (Err(e), None) => Err(Error::Runtime(format!("cannot print the summary: {e}"))),
    }
}

/// The target as the summary names it: the URL, or the first of several and how many more.
fn shown_targets(first: &Target, more: &[Target]) -> String {
    match more.len() {
        0 => first.shown.clone(),
        n => format!("{} and {n} more URLs", first.shown),
    }
}

/// With several URLs, each as shown, in order, the first `MAX_ROWS` of them and then
/// "other" for the rest (their row sums them all); else none (a run with one URL has no
/// table).
fn shown_urls(first: &Target, more: &[Target]) -> Vec<String> {
    if more.is_empty() {
        return Vec::new();
    }
    let all = std::iter::once(first).chain(more);
    let mut shown: Vec<String> = all.take(MAX_ROWS).map(|t| t.shown.clone()).collect();
    if more.len() >= MAX_ROWS {
        shown.push(OTHER_ROW.to_string());
    }
    shown
}

/// The client for the run: a request template per URL, a pool per origin (scheme and
/// authority), each with its connector and the run's timeouts.
fn client_for(config: &Config, target: &Target) -> Result<Client, Error> {
    if let Some(scenario) = &config.scenario {
        return scenario_client(config, target, scenario);
    }
    let mut pools: Vec<Pool> = Vec::new();
    let mut origins = std::collections::HashMap::new();
    let mut templates = Vec::new();
    let all = std::iter::once(target).chain(&config.more_targets);
    for (i, target) in all.enumerate() {
        let url = &target.url;
        let origin = (url.scheme_str(), url.authority().map(|a| a.as_str()));
        let pool = *origins.entry(origin).or_insert_with(|| {
            pools.push(pool_for(config, url));
            pools.len() - 1
        });
        // --targets: each its own method, headers and body.
        let (method, headers, body) = match config.target_requests.get(i) {
            Some(own) => (&own.method, &own.headers, &own.body),
            None => (&config.method, &config.headers, &config.body),
        };
        let mut headers = headers.clone();
        // The URL's user:password@ is Basic auth, unless -H Authorization says otherwise.
        if let Some(auth) = &target.basic_auth
            && !headers.contains_key(http::header::AUTHORIZATION)
        {
            headers.insert(http::header::AUTHORIZATION, auth.clone());
        }
        let template = RequestTemplate::new(method.clone(), url.clone(), headers, body.clone())
            .with_holes(client::Holes {
                path: target.template.clone(),
                headers: config.templating.headers.clone(),
                body: config.templating.body.clone(),
            });
        templates.push((template, pool));
    }
    let all: Vec<&Target> = std::iter::once(target)
        .chain(&config.more_targets)
        .collect();
    let vary = templates::vary_of(&config.templating, (&all, false), config.shard)?;
    Ok(Client::several(templates, pools, config.timeout)
        .with_checks(config.checks.clone())
        .with_redirects(config.redirects)
        .varying(vary))
}

/// `--scenario`: a client walking sessions, a pool per origin the steps name (the first
/// step's is `target`'s).
fn scenario_client(
    config: &Config,
    target: &Target,
    scenario: &scenario::Compiled,
) -> Result<Client, Error> {
    let pools = scenario
        .origins
        .iter()
        .map(|o| pool_for(config, o))
        .collect();
    let template = RequestTemplate::new(
        http::Method::GET,
        target.url.clone(),
        http::HeaderMap::new(),
        bytes::Bytes::new(),
    );
    let uses_rows = scenario.script.uses_rows();
    let vary = templates::vary_of(&config.templating, (&[], uses_rows), config.shard)?;
    Ok(Client::several(vec![(template, 0)], pools, config.timeout)
        .with_redirects(config.redirects)
        .varying(vary)
        .with_script(std::sync::Arc::clone(&scenario.script)))
}

/// A pool of connections to `url`'s origin, made as the flags say.
fn pool_for(config: &Config, url: &http::Uri) -> Pool {
    let connector = client::connector(
        config.connect_timeout,
        (*config.tls).clone(),
        url,
        config.route.clone(),
        config.protocol,
    );
    Pool::new(connector, url.clone(), config.protocol)
}

/// What shows the run: the dashboard, or progress lines fed every tick.
enum View {
    Dashboard(Box<tui::app::App>),
    Headless(mpsc::UnboundedReceiver<Snapshot>),
}

/// Shows the run until it is over. If the view fails (no usable terminal) or panics, the
/// run is stopped; what was measured stands.
async fn show(
    view: View,
    config: &Config,
    generator: &Handle,
    feeds: tui::Feeds,
    started: Instant,
    terminate: CancellationToken,
) {
    let shown = AssertUnwindSafe(async {
        match view {
            View::Headless(progress) => {
                headless::print_progress(progress, config.plan).await;
                Ok(())
            }
            View::Dashboard(app) => tui::run(*app, generator, feeds, started, terminate)
                .await
                .map(|_| ()),
        }
    })
    .catch_unwind()
    .await;
    if !matches!(shown, Ok(Ok(()))) {
        generator.stop();
        if let Ok(Err(e)) = shown {
            crate::say!("sluice: dashboard failed: {e}");
        }
    }
}

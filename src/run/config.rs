//! A validated run configuration: every bad input is caught here, as one `Error::Input` line.

use crate::control::ControlSpec;
use crate::control::token::Token;
use crate::engine::checks::Checks;
use crate::engine::client::{self, Protocol, Route, TlsOptions};
use crate::engine::generator::plan::Plan;
use crate::engine::shard::{INDEX_VARIABLE, Shard};
use crate::engine::steer::{MIN_RATE, check_limit};
use crate::process::error::Error;
use crate::process::untrusted;
use crate::report::OutputFormat;
use crate::run::cli::RunArgs;
use crate::run::connect_to::ConnectTo;
use crate::run::scenario;
use crate::run::target::{Target, port_of, unbracket};
use crate::run::templates::{self, Templating};
use crate::run::vegeta::{self, MAX_TARGETS};
use crate::schedule::autopilot;
use crate::schedule::replay::Replay;
use crate::schedule::stages::Stages;
use crate::stats::condition::Condition;
use bytes::Bytes;
use http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use http::{HeaderMap, Method};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Everything a run needs, checked and in its final units.
#[derive(Debug, Clone)]
pub struct Config {
    /// The URL to load (the first, with `--urls-from-file`); None means: start the demo
    /// target and load that.
    pub target: Option<Target>,
    /// `--urls-from-file`, `--targets`: the URLs after the first, sent in turn with it.
    pub more_targets: Vec<Target>,
    /// `--targets`: each target's own request, in the order of `target` and `more_targets`
    /// (empty otherwise: every request is `method`, `headers` and `body`).
    pub target_requests: Vec<TargetRequest>,
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub plan: Plan,
    /// `-w`: at the end of `-z`, let what is in flight finish (each within `-t`).
    pub wait_ongoing: bool,
    pub concurrency: usize,
    /// Requests a second at the start (rate mode); None: concurrency mode.
    pub rate: Option<f64>,
    /// Generator threads.
    pub threads: usize,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// TLS: the roots to trust (or none checked), the client certificate.
    pub tls: Arc<rustls::ClientConfig>,
    /// Where connections go instead of the URL's address: `--connect-to`, `-x`,
    /// `--unix-socket`.
    pub route: Route,
    /// How requests travel: HTTP/1.1 kept alive or a connection each, or HTTP/2 streams.
    pub protocol: Protocol,
    pub headless: bool,
    /// Dashboard: what + and - add or take from the limit.
    pub step: usize,
    /// Dashboard: what + and - add or take from the rate; None: 10% of it.
    pub rate_step: Option<f64>,
    /// A ramp of the steered knob.
    pub stages: Option<Stages>,
    /// Another run's timeline to play.
    pub replay: Option<Replay>,
    /// Where to stop, and name the knee.
    pub until: Option<Condition>,
    /// The autopilot's conditions (`--hold`), held from the start; empty without.
    pub hold: Vec<Condition>,
    /// Bars the whole run must meet (exit code 3 when one is missed).
    pub fail_if: Vec<Condition>,
    /// `--check`: what every response is judged on; None without.
    pub checks: Option<Checks>,
    /// `-r`: redirects followed at most, on the URL's origin.
    pub redirects: u8,
    /// Where to write the HdrHistogram interval log.
    pub hdr_log: Option<PathBuf>,
    /// `--shard`: this process's place in a split run; its numbers are already its share.
    pub shard: Option<Shard>,
    /// `--control`: where the control API listens, and its token.
    pub control: Option<ControlSpec>,
    /// Dashboard: leave when the run ends instead of waiting for a key.
    pub exit_on_done: bool,
    pub output_format: OutputFormat,
    pub output: Option<PathBuf>,
    /// Templates and `--data` (issue 25): what is filled per request beside the URLs' paths.
    pub templating: Templating,
    /// The files the run reads, each with its flag (`-D`, `--replay`, ...): neither `-o`
    /// nor `--hdr-log` may write over one.
    pub reads: Vec<(&'static str, PathBuf)>,
    /// `--scenario` (issue 26): the sessions' flows, compiled; None for single requests.
    pub scenario: Option<Arc<scenario::Compiled>>,
}

/// One target's own request (`--targets`): its method, the run's headers then its own, and
/// its body (else the run's).
#[derive(Debug, Clone)]
pub struct TargetRequest {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The default limit in concurrency mode.
pub const CONCURRENCY: usize = 50;
/// The default limit in rate mode: room for 10k requests a second at 100 ms each. Only
/// what the rate needs is used (connections are opened as requests need them).
pub const RATE_MODE_CONCURRENCY: usize = 1000;

/// The cores available to the process (its CPU affinity and cgroup quota included).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Config {
    /// Checks the parsed arguments; headless when the dashboard cannot be drawn (`can_draw`);
    /// with `--shard`, this process's share of the run.
    pub fn from_args(args: RunArgs, can_draw: bool) -> Result<Config, Error> {
        let shard = args
            .shard
            .map(|s| s.resolve(args.shards, std::env::var(INDEX_VARIABLE).ok().as_deref()))
            .transpose()
            .map_err(Error::Input)?;
        let config = Self::whole_run(args, can_draw)?;
        match shard {
            Some(shard) => config.sharded(shard),
            None => Ok(config),
        }
    }

    /// This shard's part: -c and -n split with the remainders to the lowest indexes, the
    /// rate and the stages' values split evenly (a limit's to whole requests).
    fn sharded(mut self, shard: Shard) -> Result<Config, Error> {
        let of = format!("--shard {}/{}", shard.index, shard.count);
        if self.replay.is_some() {
            return Err(Error::Input(format!(
                "{of}: --replay is not split across shards; give each shard its own"
            )));
        }
        self.concurrency = shard.share(self.concurrency as u64) as usize;
        if self.concurrency == 0 {
            return Err(Error::Input(format!(
                "{of}: -c is too small to give every shard a request in flight"
            )));
        }
        if let Some(n) = self.plan.max_requests {
            self.plan.max_requests = Some(shard.share(n)).filter(|n| *n > 0);
            if self.plan.max_requests.is_none() {
                return Err(Error::Input(format!(
                    "{of}: -n {n} is too small to give every shard a request"
                )));
            }
        }
        // A rate's share below the least rate would be raised to it: the shards together
        // would run faster than asked.
        let share_rate = |what: &str, rate: f64| match shard.share_rate(rate) {
            share if share > 0.0 && share < MIN_RATE => Err(Error::Input(format!(
                "{of}: {what} {} split {} ways is {} a second each, below the least rate, \
                 {MIN_RATE}: give fewer shards or a higher rate",
                crate::units::figure(rate),
                shard.count,
                crate::units::figure(share)
            ))),
            share => Ok(share),
        };
        self.rate = self.rate.map(|r| share_rate("-q", r)).transpose()?;
        let limit_knob = self.rate.is_none();
        if let Some(stages) = &mut self.stages {
            for stage in &mut stages.0 {
                stage.target = match limit_knob {
                    true => shard.share(stage.target.round() as u64).max(1) as f64,
                    false => share_rate("the --stages rate", stage.target)?,
                };
            }
        }
        self.shard = Some(shard);
        Ok(self)
    }

    /// The whole run as the arguments describe it.
    fn whole_run(mut args: RunArgs, can_draw: bool) -> Result<Config, Error> {
        let mut reads = files_read(&args);
        let file = scenario_file(&mut args, &mut reads)?;
        let data = templates::data_of(&args)?;
        let Aims {
            first: target,
            more: more_targets,
            own,
        } = aims_of(&args, file.as_ref().map(|f| &f.0), data.as_ref())?;
        let (tls, route) = connection_of(&args, target.as_ref())?;
        let (body, headers, templating) = request_of(&args, data, target.as_ref(), &route)?;
        let target_requests = OwnRequest::all(own, &headers, &body)?;
        let scenario = file
            .map(|file| compiled(file, &args, &headers, &templating))
            .transpose()?;
        let (replay, rate) = schedule_of(&args)?;
        let (checks, until, fail_if) = judged_by(&mut args, scenario.as_deref())?;
        Ok(Config {
            target,
            more_targets,
            target_requests,
            method: method_of(&args)?,
            checks,
            headers,
            body,
            plan: Plan {
                max_requests: templates::max_requests(args.requests, templating.data.as_ref()),
                duration: args.duration,
            },
            wait_ongoing: args.wait_ongoing,
            concurrency: concurrency_of(&args, replay.as_ref(), rate),
            rate,
            threads: args.threads.unwrap_or_else(default_threads),
            timeout: args.timeout,
            connect_timeout: args.connect_timeout,
            tls,
            route,
            protocol: Protocol::from_flags(
                args.http2,
                args.disable_keepalive,
                args.streams_per_connection,
            ),
            headless: args.no_tui || !can_draw,
            step: args.step,
            rate_step: args.rate_step,
            stages: args.stages,
            replay,
            until,
            hold: hold_of(args.hold)?,
            fail_if,
            redirects: args.redirects,
            hdr_log: args.hdr_log,
            control: control_of(args.control, args.control_token.token.as_deref())?,
            exit_on_done: args.exit_on_done,
            output_format: args.output_format,
            output: args.output,
            shard: None,
            templating,
            reads,
            scenario,
        })
    }
}

/// `--scenario FILE` read and checked, with the name it is shown by; its `data:` file
/// becomes `--data` when none is given.
fn scenario_file(
    args: &mut RunArgs,
    reads: &mut Vec<(&'static str, PathBuf)>,
) -> Result<Option<(scenario::Scenario, String)>, Error> {
    let Some(path) = args.scenario.clone() else {
        return Ok(None);
    };
    let loaded = scenario::load(&path).map_err(Error::Input)?;
    if args.data.is_none() {
        args.data = loaded.data.clone();
    }
    reads.push(("--scenario", path.clone()));
    let shown = untrusted::quoted(&path.display().to_string(), untrusted::QUOTED_CHARS);
    Ok(Some((loaded, shown)))
}

/// What the run aims at: a scenario's first origin, or the URLs given.
fn aims_of(
    args: &RunArgs,
    scenario: Option<&scenario::Scenario>,
    data: Option<&templates::Data>,
) -> Result<Aims, Error> {
    match scenario {
        Some(scenario) => scenario_aims(scenario),
        None => targets_of(args, data.map(|d| d.columns())),
    }
}

/// A scenario's target: the first step's origin (the others are checked with it).
fn scenario_aims(scenario: &scenario::Scenario) -> Result<Aims, Error> {
    let first = scenario
        .flows
        .iter()
        .flat_map(|f| &f.steps)
        .find_map(|s| match s {
            scenario::Step::Request(r) => Some(r),
            scenario::Step::Think(_) => None,
        });
    let Some(first) = first else {
        return Err(Error::Input(
            "--scenario: the file has no request step: nothing to send".into(),
        ));
    };
    let (scheme, rest) = first.url.split_once("://").unwrap_or(("http", &first.url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    Ok(Aims {
        first: Some(Target::parse(&format!("{scheme}://{authority}/"))?),
        more: Vec::new(),
        own: Vec::new(),
    })
}

/// The scenario compiled: its templates and checks parsed (errors name the step's line).
fn compiled(
    (file, shown): (scenario::Scenario, String),
    args: &RunArgs,
    headers: &HeaderMap,
    templating: &Templating,
) -> Result<Arc<scenario::Compiled>, Error> {
    if !templating.headers.is_empty() {
        return Err(Error::Input(
            "--scenario: a -H value with a template is not taken: put it in the steps' headers"
                .into(),
        ));
    }
    let shared = scenario::Shared {
        columns: templating.data.as_ref().map(|d| d.columns()),
        body_limit: args.check_body_limit,
        headers,
    };
    scenario::compile(&file, &shared)
        .map(Arc::new)
        .map_err(|e| Error::Input(format!("--scenario {shown}: {e}")))
}

/// What a run is judged by: its `--check`s, `--until`'s and `--fail-if`'s conditions.
type Judged = (Option<Checks>, Option<Condition>, Vec<Condition>);

/// The `--check`s, and `--until`'s and `--fail-if`'s conditions with their steps found
/// (`p99[login]>200ms`): a step the scenario lacks, or one without `--scenario`, is refused.
fn judged_by(args: &mut RunArgs, scenario: Option<&scenario::Compiled>) -> Result<Judged, Error> {
    let checks = checks_of(args)?;
    let (mut until, mut fail_if) = (args.until.take(), std::mem::take(&mut args.fail_if));
    scenario::conditions::resolved("--until", until.as_mut_slice(), scenario)
        .and_then(|()| scenario::conditions::resolved("--fail-if", &mut fail_if, scenario))
        .map_err(Error::Input)?;
    Ok((checks, until, fail_if))
}

/// The `--check`s (at most `MAX_CHECKS`, none twice); a `checks` condition of `--until`,
/// `--fail-if` or `--hold` without any is refused: it would have nothing to measure (a
/// scenario's steps have checks of their own, `judged_by`).
fn checks_of(args: &RunArgs) -> Result<Option<Checks>, Error> {
    if args.checks.is_empty() && args.scenario.is_some() {
        return Ok(None);
    }
    if args.checks.is_empty() {
        let conditions = args.until.iter().chain(&args.fail_if).chain(&args.hold);
        if let Some(c) = conditions.into_iter().find(|c| c.needs_checks()) {
            return Err(Error::Input(format!(
                "'{}' measures the --check evaluations, but no --check is given",
                untrusted::quoted(c.text(), untrusted::QUOTED_CHARS)
            )));
        }
        return Ok(None);
    }
    Checks::new(args.checks.clone(), args.check_body_limit)
        .map(Some)
        .map_err(Error::Input)
}

/// The limit to start at: `-c`, else the replay's first, else the mode's default.
fn concurrency_of(args: &RunArgs, replay: Option<&Replay>, rate: Option<f64>) -> usize {
    args.concurrency
        .or(replay.and_then(|r| r.start_limit))
        .unwrap_or(match rate {
            Some(_) => RATE_MODE_CONCURRENCY,
            None => CONCURRENCY,
        })
}

/// The body and headers every request has, and what is filled per request (the templates
/// and the data rows they take).
fn request_of(
    args: &RunArgs,
    data: Option<templates::Data>,
    target: Option<&Target>,
    route: &Route,
) -> Result<(Bytes, HeaderMap, Templating), Error> {
    let columns = data.as_ref().map(|d| d.columns());
    let (body, body_template) = templates::body_of(args, columns)?;
    let (plain, templated) = templates::split_headers(&args.headers, columns)?;
    let headers = headers_of(args, &plain, target, body.len(), route)?;
    let templating = Templating {
        headers: templated,
        body: body_template,
        data,
    };
    Ok((body, headers, templating))
}

/// `--hold`'s conditions, at most `autopilot::MOST_CONDITIONS`.
fn hold_of(conditions: Vec<Condition>) -> Result<Vec<Condition>, Error> {
    match conditions.len() {
        n if n > autopilot::MOST_CONDITIONS => Err(Error::Input(format!(
            "--hold: {n} conditions; a hold keeps {} at most",
            autopilot::MOST_CONDITIONS
        ))),
        _ => Ok(conditions),
    }
}

/// The files the arguments name for the run to read, each with its flag.
fn files_read(args: &RunArgs) -> Vec<(&'static str, PathBuf)> {
    let one = |path: &Option<PathBuf>| path.iter().cloned().collect::<Vec<_>>();
    let flagged = [
        ("-D", one(&args.body_file)),
        ("--body-template", one(&args.body_template)),
        ("--data", one(&args.data)),
        ("--urls-from-file", one(&args.urls_from_file)),
        ("--targets", one(&args.targets)),
        ("--replay", one(&args.replay)),
        ("--cacert", args.cacert.clone()),
        ("--cert", one(&args.cert)),
        ("--key", one(&args.key)),
    ];
    flagged
        .into_iter()
        .flat_map(|(flag, paths)| paths.into_iter().map(move |p| (flag, p)))
        .collect()
}

/// The replay (read and checked now), and the starting rate: `-q`, else the replay's (a
/// replay starts where the recorded run started, unless -c or -q say otherwise). Stages
/// that steer the limit are checked against its bounds.
fn schedule_of(args: &RunArgs) -> Result<(Option<Replay>, Option<f64>), Error> {
    let replay = args
        .replay
        .as_deref()
        .map(Replay::read)
        .transpose()
        .map_err(Error::Input)?;
    let rate = args.rate.or(replay.as_ref().and_then(|r| r.start_rate));
    if rate.is_none()
        && let Some(stages) = &args.stages
    {
        check_limit_stages(stages)?;
    }
    Ok((replay, rate))
}

/// Stages that steer the limit (no rate) keep the limit's bounds, as `-c` does: whole
/// numbers up to `MAX_LIMIT`; a stage to 0 ramps down to the least, 1.
fn check_limit_stages(stages: &Stages) -> Result<(), Error> {
    for stage in stages.0.iter().filter(|s| s.target != 0.0) {
        check_limit(stage.target).map_err(|why| {
            Error::Input(format!(
                "--stages: the limit {} {why} (without -q the stages steer the limit: requests \
                 in flight)",
                crate::units::figure(stage.target)
            ))
        })?;
    }
    Ok(())
}

/// The control API's address and token (given, or drawn now), if `--control` was given.
fn control_of(addr: Option<SocketAddr>, token: Option<&str>) -> Result<Option<ControlSpec>, Error> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let (token, drawn) = match token {
        Some(t) => (Token::given(t).map_err(Error::Input)?, false),
        None => (Token::generate().map_err(Error::Runtime)?, true),
    };
    Ok(Some(ControlSpec { addr, token, drawn }))
}

/// `-m`'s method.
fn method_of(args: &RunArgs) -> Result<Method, Error> {
    Method::from_bytes(args.method.as_bytes()).map_err(|_| {
        Error::Input(format!(
            "-m: '{}' is not an HTTP method (GET, POST, PUT, ...)",
            untrusted::quoted(&args.method, untrusted::QUOTED_CHARS)
        ))
    })
}

/// Refuses a host that does not resolve, before any dashboard or load starts: the one
/// connections go to (the URL's, `--connect-to`'s or the proxy's; none for a unix socket).
pub async fn check_host_resolves(url: &http::Uri, route: &Route) -> Result<(), Error> {
    let proxy = route.proxy.as_ref().map(|(p, _)| p);
    let (host, port) = match (&route.unix, proxy, &route.dial) {
        (Some(_), _, _) => return Ok(()),
        (None, Some(proxy), _) => (proxy.host().unwrap_or_default(), port_of(proxy)),
        (None, None, Some(to)) => (to.host(), to.port_u16().unwrap_or(port_of(url))),
        (None, None, None) => (url.host().unwrap_or_default(), port_of(url)),
    };
    let host = unbracket(host);
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

/// The request's headers: `-H`, the shortcuts, and a proxy's credentials for plain http
/// through it (the proxy reads them from each request). A URL's own `user:password@` is
/// added per URL when the client is built (`Target::basic_auth`).
fn headers_of(
    args: &RunArgs,
    lines: &[String],
    target: Option<&Target>,
    body_len: usize,
    route: &Route,
) -> Result<HeaderMap, Error> {
    let mut headers = parse_headers(lines)?;
    add_shortcuts(&mut headers, args)?;
    check_framing(&headers, body_len).map_err(|why| Error::Input(format!("-H: {why}")))?;
    if target.is_some_and(|t| t.basic_auth.is_some()) && args.basic_auth.is_some() {
        return Err(Error::Input(
            "-a and the URL's user:password@ both give credentials: give one".into(),
        ));
    }
    if let (Some(target), Some((_, Some(auth)))) = (target, &route.proxy)
        && target.url.scheme_str() == Some("http")
    {
        headers.insert(PROXY_AUTHORIZATION, auth.clone());
    }
    Ok(headers)
}

/// A `--targets` line's own request, before the run's headers and body are known.
struct OwnRequest {
    method: Method,
    headers: HeaderMap,
    body: Option<Bytes>,
    line: usize,
}

impl OwnRequest {
    /// Every target's request, in order (see `request`).
    fn all(
        own: Vec<OwnRequest>,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Vec<TargetRequest>, Error> {
        own.into_iter().map(|o| o.request(headers, body)).collect()
    }

    /// The request: the run's `headers` then its own, its body or `body`; refused (naming
    /// its line) when the framing headers do not match the body.
    fn request(self, headers: &HeaderMap, body: &Bytes) -> Result<TargetRequest, Error> {
        let mut all = headers.clone();
        for (name, value) in self.headers.iter() {
            all.append(name.clone(), value.clone());
        }
        let body = self.body.unwrap_or_else(|| body.clone());
        check_framing(&all, body.len())
            .map_err(|why| Error::Input(format!("--targets: line {}: {why}", self.line)))?;
        Ok(TargetRequest {
            method: self.method,
            headers: all,
            body,
        })
    }
}

/// Where a run's requests go: the first URL (None: the demo target), the rest, and with
/// `--targets` each one's own request (else none).
struct Aims {
    first: Option<Target>,
    more: Vec<Target>,
    own: Vec<OwnRequest>,
}

/// The URL given, or the URLs of `--urls-from-file` or `--targets`; the URLs' paths may
/// hold templates (`columns`: the data file's).
fn targets_of(args: &RunArgs, columns: Option<&[String]>) -> Result<Aims, Error> {
    if let Some(file) = &args.targets {
        return from_targets_file(file);
    }
    let Some(file) = &args.urls_from_file else {
        return Ok(Aims {
            first: args
                .url
                .as_deref()
                .map(|url| templates::target_of(url, columns))
                .transpose()?,
            more: Vec::new(),
            own: Vec::new(),
        });
    };
    let text = untrusted::read_text(file, untrusted::MAX_URL_FILE_BYTES)
        .map_err(|e| Error::Input(format!("--urls-from-file: {e}")))?;
    let shown = untrusted::escaped(&file.to_string_lossy()).into_owned();
    let mut targets = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let target = templates::target_of(line, columns).map_err(|e| {
            Error::Input(format!(
                "--urls-from-file: '{shown}' line {}: {e}",
                number + 1
            ))
        })?;
        if targets.len() == MAX_TARGETS {
            return Err(Error::Input(format!(
                "--urls-from-file: '{shown}' has more than {MAX_TARGETS} URLs"
            )));
        }
        targets.push(target);
    }
    let mut targets = targets.into_iter();
    let first = targets
        .next()
        .ok_or_else(|| Error::Input(format!("--urls-from-file: '{shown}' has no URL")))?;
    Ok(Aims {
        first: Some(first),
        more: targets.collect(),
        own: Vec::new(),
    })
}

/// The targets of a `--targets` file, each with its own request.
fn from_targets_file(file: &std::path::Path) -> Result<Aims, Error> {
    let mut targets = Vec::new();
    let mut own = Vec::new();
    for t in vegeta::read(file)? {
        targets.push(t.target);
        own.push(OwnRequest {
            method: t.method,
            headers: t.headers,
            body: t.body,
            line: t.line,
        });
    }
    let mut targets = targets.into_iter();
    Ok(Aims {
        first: targets.next(),
        more: targets.collect(),
        own,
    })
}

/// How connections are made: TLS as the flags say (its files read and checked now, before
/// any load), and where sockets go (`--connect-to`, `-x`, `--unix-socket`).
fn connection_of(
    args: &RunArgs,
    target: Option<&Target>,
) -> Result<(Arc<rustls::ClientConfig>, Route), Error> {
    let tls = TlsOptions {
        insecure: args.insecure,
        cacert: args.cacert.clone(),
        identity: args.cert.clone().zip(args.key.clone()),
    };
    let tls = Arc::new(client::client_config(&tls).map_err(Error::Input)?);
    let Some(target) = target else {
        if !args.connect_to.is_empty() || args.proxy.is_some() || args.unix_socket.is_some() {
            return Err(Error::Input(
                "--connect-to, -x and --unix-socket need a URL to apply to".into(),
            ));
        }
        return Ok((tls, Route::default()));
    };
    let proxy = match &args.proxy {
        Some(text) if !text.contains("://") => {
            // Target's hint offers https:// too, which -x refuses.
            let shown = untrusted::quoted(&untrusted::redact(text), untrusted::QUOTED_CHARS);
            return Err(Error::Input(format!(
                "-x: '{shown}' has no scheme: write http://{shown} (-x takes an http:// proxy, \
                 for http and https targets alike)"
            )));
        }
        Some(text) => {
            let proxy = Target::parse(text).map_err(|e| Error::Input(format!("-x: {e}")))?;
            if proxy.url.scheme_str() != Some("http") {
                return Err(Error::Input(format!(
                    "-x: '{}': only http:// proxies are supported (https:// targets go through them by CONNECT)",
                    proxy.shown
                )));
            }
            Some((proxy.url, proxy.basic_auth))
        }
        None => None,
    };
    if args.unix_socket.is_some() && target.url.scheme_str() != Some("http") {
        return Err(Error::Input(
            "--unix-socket takes an http:// URL (its host is only the Host header)".into(),
        ));
    }
    let route = Route {
        dial: ConnectTo::route(&args.connect_to, &target.url)?,
        proxy,
        unix: args.unix_socket.clone(),
    };
    Ok((tls, route))
}

/// `-a`, `-A` and `-T`, each the `-H` it stands for; refused beside an `-H` of the same name,
/// since which one the operator meant cannot be told.
fn add_shortcuts(headers: &mut HeaderMap, args: &RunArgs) -> Result<(), Error> {
    let basic = match &args.basic_auth {
        Some(text) => {
            let (user, password) = text.split_once(':').ok_or_else(|| {
                Error::Input("-a: give USER:PASSWORD (the colon is missing)".into())
            })?;
            Some(crate::run::target::basic_credentials(user, password))
        }
        None => None,
    };
    let value = |flag: &str, text: &Option<String>| {
        text.as_deref()
            .map(|v| {
                HeaderValue::from_str(v.trim()).map_err(|_| {
                    Error::Input(format!(
                        "{flag}: the value has characters a header cannot hold"
                    ))
                })
            })
            .transpose()
    };
    let shortcuts = [
        ("-a", AUTHORIZATION, basic),
        ("-A", ACCEPT, value("-A", &args.accept)?),
        ("-T", CONTENT_TYPE, value("-T", &args.content_type)?),
    ];
    for (flag, name, value) in shortcuts {
        let Some(value) = value else { continue };
        if headers.contains_key(&name) {
            return Err(Error::Input(format!(
                "{flag} and -H '{name}: …' both set {name}: give one"
            )));
        }
        headers.insert(name, value);
    }
    Ok(())
}

/// sluice frames the body itself (Content-Length from its size): a Content-Length that
/// differs from the body, or any Transfer-Encoding, would make every request hang or fail.
/// Says why, for the caller to put its flag before.
fn check_framing(headers: &HeaderMap, body_len: usize) -> Result<(), String> {
    if headers.contains_key(TRANSFER_ENCODING) {
        return Err(
            "Transfer-Encoding is not allowed: sluice sends the body with a Content-Length \
             computed from it"
                .into(),
        );
    }
    let lengths: Vec<_> = headers.get_all(CONTENT_LENGTH).iter().collect();
    match lengths.as_slice() {
        [] => Ok(()),
        [one]
            if one
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                == Some(body_len) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "Content-Length must match the body ({body_len} bytes), or be left out: \
             sluice computes it"
        )),
    }
}

/// `Name: value` pairs; a line without a colon or with an invalid name is refused.
fn parse_headers(lines: &[String]) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Error::Input(format!(
                "-H: '{}' has no colon: write it as \"Name: value\"",
                untrusted::quoted(line, untrusted::QUOTED_CHARS)
            ))
        })?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Error::Input(format!(
                "-H: '{}' is not a valid header name",
                untrusted::quoted(name.trim(), untrusted::QUOTED_CHARS)
            ))
        })?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Error::Input(format!(
                "-H: the value of '{name}' has characters a header cannot hold"
            ))
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input_error(r: Result<impl std::fmt::Debug, Error>) -> String {
        match r {
            Err(Error::Input(msg)) => msg,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    fn framing_error(r: Result<(), String>) -> String {
        r.expect_err("refused")
    }

    #[test]
    fn framing_headers_must_agree_with_the_body() {
        let h = |lines: &[&str]| {
            parse_headers(&lines.iter().map(|l| l.to_string()).collect::<Vec<_>>())
                .expect("headers")
        };
        assert!(check_framing(&h(&["Content-Length: 5"]), 5).is_ok());
        assert!(check_framing(&h(&[]), 5).is_ok());
        assert!(
            framing_error(check_framing(&h(&["Content-Length: 5"]), 0))
                .contains("must match the body (0 bytes)")
        );
        assert!(
            framing_error(check_framing(&h(&["Content-Length: x"]), 0)).contains("Content-Length")
        );
        assert!(
            framing_error(check_framing(
                &h(&["Content-Length: 2", "Content-Length: 2"]),
                2
            ))
            .contains("Content-Length")
        );
        assert!(
            framing_error(check_framing(&h(&["Transfer-Encoding: chunked"]), 2))
                .contains("Transfer-Encoding")
        );
    }

    #[test]
    fn headers_are_split_at_the_first_colon() {
        let h = parse_headers(&["X-A: 1".into(), "Host: a:8080".into(), "X-A: 2".into()])
            .expect("valid headers");
        assert_eq!(h.get_all("x-a").iter().count(), 2);
        assert_eq!(h["host"], "a:8080");
        assert!(input_error(parse_headers(&["NoColon".into()])).contains("no colon"));
        assert!(input_error(parse_headers(&["Bad Name: x".into()])).contains("header name"));
    }
}

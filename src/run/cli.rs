//! The command line, as clap sees it. No logic: values are parsed by `units`, checked in `config`.

use crate::control::token::ControlTokenArg;
use crate::engine::checks::Check;
use crate::engine::shard::ShardArg;
use crate::report::OutputFormat;
use crate::run::connect_to::ConnectTo;
use crate::schedule::stages::Stages;
use crate::stats::condition::Condition;
use crate::units;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// sluice: a live HTTP load tester. Watch the run, steer the concurrency while it goes.
#[derive(Debug, Parser)]
#[command(name = "sluice", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the demo target: "Hello, World!" after a random delay.
    Demo(DemoArgs),
    /// Print a shell completion script: sluice completions bash > /etc/bash_completion.d/sluice
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): sluice man > sluice.1 && man ./sluice.1
    Man,
    /// Draw a run from its JSON summary: sluice plot run.json -o run.svg (or .png)
    Plot(crate::report::plot::PlotArgs),
    /// Merge runs' JSON summaries (shards of one test) into one, percentiles exact: sluice merge a.json b.json -o all.json
    Merge(crate::report::merge::MergeArgs),
    /// Watch and steer many workers (sluice --control ADDR) as one run: sluice fleet w1:9090 w2:9090
    Fleet(crate::fleet::FleetArgs),
}

/// What `--help` adds after the flags: the dashboard's keys (from the key table) and the
/// exit codes.
pub fn after_help() -> String {
    let mut text = String::from("Dashboard keys:\n");
    for (keys, what) in crate::view::tui::keys::HELP {
        text.push_str(&format!("  {keys:<14}{what}\n"));
    }
    text.push_str(
        "\nExit codes:\n  0  the run finished (also when stopped by q, Ctrl-C or a signal)\n  \
         1  a runtime failure or an internal error (the summary is still printed)\n  \
         2  bad input (one line on stderr, before any load)\n  \
         3  a --fail-if condition held: the run worked, the service missed its bar\n",
    );
    text
}

/// The command line's definition, with the keys and exit codes in its help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().after_help(after_help())
}

/// `--data-order`: which row of `--data` request n takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataOrder {
    Sequential,
    Random,
    Once,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Longest delay before answering; each request waits a random time from 0 up to it, to the millisecond.
    #[arg(long, default_value = "3s", value_parser = units::parse_duration_or_zero)]
    pub max_delay: Duration,
    /// Whole-second delays only (0, 1, 2 or 3 s for 3s), like the classic asyncio write-ups' server.
    #[arg(long = "whole-seconds")]
    pub whole_seconds: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Target URL (http:// or https://); its path and query may hold templates ({{ seq }}, see
    /// --body-template). Without one, sluice starts its demo target and tests that.
    pub url: Option<String>,
    /// URLs from FILE, one a line (blank lines and # comments skipped), sent in turn: request
    /// n goes to URL n modulo their number. The summary breaks the run down by URL.
    #[arg(long = "urls-from-file", value_name = "FILE", conflicts_with_all = ["url", "connect_to", "unix_socket"])]
    pub urls_from_file: Option<PathBuf>,
    /// Requests from FILE in vegeta's JSON targets format, one a line: {"method": "POST",
    /// "url": "http://h/p", "header": {"Name": ["value"]}, "body": "<base64>"}. Sent in turn
    /// as --urls-from-file; -H adds to each target's headers, -d/-D is the body of a target
    /// without one.
    #[arg(long = "targets", value_name = "FILE", conflicts_with_all = ["url", "urls_from_file", "method", "connect_to", "unix_socket"])]
    pub targets: Option<PathBuf>,
    /// Number of requests to send (10k, 1m). Without -n or -z, runs until stopped.
    #[arg(short = 'n', long = "requests", allow_negative_numbers = true, value_name = "N", value_parser = units::parse_positive_count)]
    pub requests: Option<u64>,
    /// How long to run (30s, 5m); requests still in flight at the end are aborted (unless -w).
    #[arg(short = 'z', long = "duration", allow_hyphen_values = true, value_name = "DURATION", value_parser = units::parse_duration)]
    pub duration: Option<Duration>,
    /// At the end of -z, start nothing new and let the requests in flight finish (each
    /// within -t), counted as usual instead of aborted; q or Ctrl-C still end at once.
    #[arg(short = 'w', long = "wait-ongoing", requires = "duration")]
    pub wait_ongoing: bool,
    /// Requests in flight at once, at the start (the limit can be changed while running).
    /// Default 50, or 1000 with -q (the most in flight while keeping up a rate).
    #[arg(short = 'c', long = "concurrency", allow_negative_numbers = true, value_name = "N", value_parser = units::parse_concurrency)]
    pub concurrency: Option<usize>,
    /// Generator threads (shards), each with its own connections; the limit and the rate
    /// are split between them. Default: the cores available to sluice.
    #[arg(long = "threads", value_name = "N", value_parser = units::parse_threads)]
    pub threads: Option<usize>,
    /// Requests a second (500, 2k, 1.5k): rate mode, requests due at evenly spaced times and
    /// latency measured from when each was due. Without it: concurrency mode.
    #[arg(short = 'q', long = "rate", allow_negative_numbers = true, value_name = "RATE", value_parser = units::parse_rate)]
    pub rate: Option<f64>,
    /// HTTP method.
    #[arg(short = 'm', long = "method", default_value = "GET")]
    pub method: String,
    /// Request header "Name: value"; repeat for more.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Request body; {{ ... }} in it is a template (see --body-template).
    #[arg(
        short = 'd',
        long = "body",
        value_name = "BODY",
        conflicts_with = "body_file"
    )]
    pub body: Option<String>,
    /// Request body from a file, sent as its bytes are (no templates).
    #[arg(short = 'D', long = "body-file", value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    // Templates and data files (issue 25).
    /// Request body from a file that is a template, filled per request: {{ seq }}, {{ uuid }},
    /// {{ rand_int(A, B) }}, {{ now_ms }}, {{ row.NAME }}, {{ VALUE | urlencode }}. The URL's
    /// path and query, -H values and -d take the same.
    #[arg(long = "body-template", value_name = "FILE", conflicts_with_all = ["body", "body_file"])]
    pub body_template: Option<PathBuf>,
    /// Rows for {{ row.NAME }}: a .csv file with a header row, or .jsonl / .ndjson (a flat
    /// JSON object a line).
    #[arg(long = "data", value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Which row request n takes: sequential (row n modulo the rows; the default), random,
    /// or once (each row once, in order, then the run ends; the file is streamed, at any
    /// length). With --data, or a --scenario file that names its data.
    #[arg(long = "data-order", value_name = "ORDER")]
    pub data_order: Option<DataOrder>,
    // Scenarios (issue 26).
    /// Sessions of several steps from FILE (YAML, or JSON): log in, capture a token, use
    /// it, each session with its own captures and cookies (see docs/scenarios.md). -c is
    /// sessions in flight, -q sessions started a second, -n sessions.
    #[arg(long = "scenario", value_name = "FILE", conflicts_with_all = ["url", "urls_from_file", "targets", "method", "body", "body_file", "body_template", "checks", "connect_to", "unix_socket"])]
    pub scenario: Option<PathBuf>,
    /// Time limit for one request, connecting included.
    #[arg(short = 't', long = "timeout", allow_hyphen_values = true, value_name = "DURATION", default_value = "30s", value_parser = units::parse_duration)]
    pub timeout: Duration,
    /// Time limit for opening a connection.
    #[arg(long = "connect-timeout", allow_hyphen_values = true, value_name = "DURATION", default_value = "5s", value_parser = units::parse_duration)]
    pub connect_timeout: Duration,
    /// HTTP/2: h2 over TLS (ALPN) for https://, prior knowledge (h2c) for http://. Requests
    /// share connections, one stream each; -c still counts requests in flight.
    #[arg(long = "http2")]
    pub http2: bool,
    /// HTTP/2: streams per connection at most (default: as many as the server allows, its
    /// SETTINGS_MAX_CONCURRENT_STREAMS); more connections open as the limit needs them.
    #[arg(short = 'p', long = "streams-per-connection", value_name = "N", requires = "http2", value_parser = units::parse_streams)]
    pub streams_per_connection: Option<usize>,
    /// Through this HTTP proxy (http://[user:pass@]host:port): http:// URLs are sent to it in
    /// absolute form, https:// ones through a CONNECT tunnel. The environment's http_proxy
    /// and NO_PROXY are not read.
    #[arg(short = 'x', long = "proxy", value_name = "URL", conflicts_with_all = ["connect_to", "unix_socket"])]
    pub proxy: Option<String>,
    /// Connect over this unix socket instead of TCP (http:// URLs; the URL gives the path
    /// and the Host header).
    #[arg(
        long = "unix-socket",
        value_name = "PATH",
        conflicts_with = "connect_to"
    )]
    pub unix_socket: Option<PathBuf>,
    /// A new connection for every request (HTTP/1.1, with "Connection: close"): measures
    /// connection set-up too, and spends an ephemeral port a request.
    #[arg(long = "disable-keepalive", conflicts_with = "http2")]
    pub disable_keepalive: bool,
    /// Skip TLS certificate verification.
    #[arg(long)]
    pub insecure: bool,
    /// Trust the certificates in this PEM file too (a private CA, a self-signed server);
    /// repeat for more files.
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Client certificate (PEM chain), for servers that ask for one; needs --key.
    #[arg(long = "cert", value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM); needs --cert.
    #[arg(long = "key", value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Connect to TARGET_HOST:TARGET_PORT when the URL says HOST:PORT; the Host header and
    /// TLS still use the URL's name. Repeatable.
    #[arg(long = "connect-to", value_name = "HOST:PORT:TARGET_HOST:TARGET_PORT", value_parser = ConnectTo::parse)]
    pub connect_to: Vec<ConnectTo>,
    /// Basic auth, "user:password" (the same as -H "Authorization: Basic …"; never printed).
    #[arg(short = 'a', long = "basic-auth", value_name = "USER:PASSWORD")]
    pub basic_auth: Option<String>,
    /// Accept header (the same as -H "Accept: VALUE").
    #[arg(short = 'A', long = "accept", value_name = "VALUE")]
    pub accept: Option<String>,
    /// Content-Type header (the same as -H "Content-Type: VALUE").
    #[arg(short = 'T', long = "content-type", value_name = "VALUE")]
    pub content_type: Option<String>,
    /// No dashboard: progress lines on stderr, summary at the end (also when stdout is not a terminal).
    #[arg(long = "no-tui")]
    pub no_tui: bool,
    /// How much + and - (and the arrow keys) change the limit on the dashboard.
    #[arg(long = "step", value_name = "N", default_value = "10", allow_negative_numbers = true, value_parser = units::parse_concurrency)]
    pub step: usize,
    /// A schedule for the steered knob (the rate with -q, else the limit): "30s:1000,1m:1000,30s:0"
    /// ramps linearly to each value over each duration; 0s:N jumps. The run ends with it.
    #[arg(long = "stages", value_name = "STAGES", conflicts_with = "replay", value_parser = Stages::parse)]
    pub stages: Option<Stages>,
    /// Stop at the first second where this holds, and name the knee: p99>200ms (any rung:
    /// p50, p75, p90, p95, p99, p99.9, p99.99, mean, max), errors>1% or errors>N,
    /// non2xx>N%, rps<N, checks<99% (the share of --check evaluations that passed). With
    /// --scenario, a step in brackets judges that step alone: p99[login]>200ms.
    #[arg(long = "until", value_name = "CONDITION", value_parser = Condition::parse)]
    pub until: Option<Condition>,
    /// The autopilot: each second, move the steered knob (the rate with -q, else the limit)
    /// towards the most load at which this holds, and keep it there as the service changes:
    /// p99<200ms (any rung), errors<1%, non2xx<N%, checks>99% (the share of --check
    /// evaluations that passed, written with >: load lowers it). Repeatable: every one must
    /// hold.
    #[arg(long = "hold", value_name = "CONDITION", value_parser = Condition::parse_held, conflicts_with_all = ["stages", "replay"])]
    pub hold: Vec<Condition>,
    /// Fail the run's bar when this holds over the whole run (the grammar of --until:
    /// p99>250ms, errors>1%, errors>0, non2xx>0%, rps<1000, checks<99.9%, and with --scenario
    /// a step's: errors[item]>1%): exit code 3. Repeatable; each is reported with what was
    /// measured.
    #[arg(long = "fail-if", value_name = "CONDITION", value_parser = Condition::parse)]
    pub fail_if: Vec<Condition>,
    /// Judge every response: status == 200 (!=, <, <=, >, >=), status in 200..299, body
    /// contains "TEXT", body not contains "TEXT", header NAME exists, header NAME contains
    /// "TEXT", json /pointer exists, json /pointer == VALUE (a JSON literal). A failed check
    /// does not fail the response: it is counted per check. Repeatable (at most 32).
    #[arg(long = "check", value_name = "EXPR", value_parser = Check::parse)]
    pub checks: Vec<Check>,
    /// How much of each body the body and json checks look at (the body is still read to
    /// its end): 64KiB, 1MiB, 4096.
    #[arg(long = "check-body-limit", value_name = "SIZE", default_value = "64KiB", value_parser = units::parse_body_limit)]
    pub check_body_limit: usize,
    /// Follow up to N redirects (301, 302, 303, 307, 308) on the URL's own origin; the
    /// latency covers the chain. A redirect to another origin is not followed: it counts as
    /// the error redirect_offsite.
    #[arg(short = 'r', long = "redirects", value_name = "N", default_value = "0", value_parser = units::parse_redirects)]
    pub redirects: u8,
    /// Write the latency as an HdrHistogram interval log to FILE: one histogram a second
    /// (V2 compressed, microseconds), which HdrHistogram's own tools read.
    #[arg(long = "hdr-log", value_name = "FILE")]
    pub hdr_log: Option<PathBuf>,
    /// Play another run's timeline (its JSON summary) as this run's schedule.
    #[arg(long = "replay", value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// How much + and - change the rate on the dashboard (default: 10% of it).
    #[arg(long = "rate-step", value_name = "RATE", allow_negative_numbers = true, value_parser = units::parse_rate)]
    pub rate_step: Option<f64>,
    /// Leave the dashboard as soon as the run ends, instead of waiting for a key.
    #[arg(long = "exit-on-done")]
    pub exit_on_done: bool,
    /// Do this process's share of a run split across N processes: I/N (from 0: 0/3, 1/3,
    /// 2/3), or auto with --shards N to read the index from JOB_COMPLETION_INDEX (a Kubernetes
    /// Indexed Job). -c, -n, -q and the stages' values are split; remainders go to the lowest
    /// indexes, so the shards together do what one process would.
    #[arg(long = "shard", value_name = "I/N|auto", value_parser = ShardArg::parse)]
    pub shard: Option<ShardArg>,
    /// With --shard auto: how many shards there are.
    #[arg(long = "shards", value_name = "N", requires = "shard", value_parser = units::parse_positive_count)]
    pub shards: Option<u64>,
    /// Serve the control API on ADDR (PORT alone: 127.0.0.1:PORT): GET /status, /metrics
    /// (Prometheus), /summary; POST /limit, /rate {"value": N}, /pause, /resume, /stop, and
    /// POST /hold {"conditions": [...]} or DELETE /hold (the autopilot), with the token. Off
    /// by default.
    #[arg(long = "control", value_name = "ADDR", value_parser = crate::control::address::parse)]
    pub control: Option<SocketAddr>,
    #[command(flatten)]
    pub control_token: ControlTokenArg,
    /// Summary format: text; json; csv (the per-second series, a row a second, then the
    /// text summary as # comment lines).
    #[arg(long = "output-format", value_name = "FORMAT", default_value = "text")]
    pub output_format: OutputFormat,
    /// Write the summary to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

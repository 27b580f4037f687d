//! What a hostile tester found after the first round: a worker's password printed and
//! stored, a run writing over its own inputs, one run merged twice, control characters and
//! floods on stderr, bounds that differ by the way a value comes in, and wording that says
//! more than is true. Each is refused with one line (exit 2) or shown escaped and short.

use crate::common::{Behaviour, TestServer, closed_port, http_call, json_run, refused, sluice};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TOKEN: &str = "t0ken-for-more-tests";
/// A terminal's title set, then its screen cleared.
const HOSTILE: &str = "\u{1b}]0;PWN\u{7}\u{1b}[2J";

/// Two real runs' JSON summaries (20 requests each against a test server), made once.
fn two_runs() -> &'static (Value, Value) {
    static RUNS: OnceLock<(Value, Value)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
        let run = || json_run(&["-n", "20", "-c", "2", &server.url()]);
        (run(), run())
    })
}

/// `value` as JSON in `dir/name`; its path.
fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("write");
    path.display().to_string()
}

/// Runs the binary in `dir` with `env` set, killed and failed past 20 s (its output read
/// as it comes, so a flood cannot stall it on a full pipe).
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sluice");
    let pid = child.id().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("sluice {args:?} took longer than 20 s");
        }
    }
}

/// A URL where nothing listens: a run refused up front never reaches it.
fn nowhere() -> String {
    format!("http://127.0.0.1:{}/", closed_port())
}

#[test]
fn a_worker_address_with_a_password_is_refused_without_showing_it() {
    let dir = tempfile::tempdir().expect("dir");
    let port = closed_port();
    let with_userinfo = [
        format!("http://u:SECRET@127.0.0.1:{port}"),
        format!("u:SECRET@127.0.0.1:{port}"),
        format!("http://u:SEC?RET@127.0.0.1:{port}"),
        "http://u:SECRET@127.0.0.1:99999".to_string(),
        format!("https://u:SECRET@127.0.0.1:{port}"),
    ];
    for addr in &with_userinfo {
        let started = Instant::now();
        let args = [
            "fleet",
            addr,
            "--no-tui",
            "-o",
            "f.json",
            "--output-format",
            "json",
        ];
        let err = refused(&run_in(dir.path(), &args, &[]));
        assert!(
            !err.contains("SEC") && !err.contains("RET"),
            "{addr}: {err}"
        );
        assert!(err.contains("u:***@"), "{addr}: {err}");
        assert!(err.contains("--control-token"), "says how: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{addr}: at once"
        );
        assert!(
            !dir.path().join("f.json").exists(),
            "{addr}: nothing written"
        );
    }
    let twice = [
        "fleet".to_string(),
        format!("127.0.0.1:{port}"),
        format!("http://u:SECRET@localhost:{port}"),
    ];
    let twice: Vec<&str> = twice.iter().map(String::as_str).collect();
    let err = refused(&sluice(&twice));
    assert!(!err.contains("SECRET"), "{err}");
    let err = refused(&sluice(&["fleet", "http://127.0.0.1:99999"]));
    assert!(
        err.contains("port 99999") && !err.contains("no port"),
        "{err}"
    );
}

#[test]
fn a_run_refuses_to_write_over_a_file_it_reads_under_any_spelling() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let url = nowhere();
    std::fs::write(d.join("body.txt"), "the body").expect("body");
    std::fs::write(d.join("urls.txt"), format!("{url}\n")).expect("urls");
    let recorded = json!({"duration_s": 2.0, "timeline": [
        {"t_s": 0.0, "knob": "limit", "value": 2, "source": "start"}]});
    write(d, "r.json", &recorded);
    std::fs::create_dir(d.join("sub")).expect("dir");
    std::os::unix::fs::symlink("body.txt", d.join("link.txt")).expect("symlink");
    let pki = crate::common::Pki::new(&["localhost"]);
    std::fs::copy(pki.path("ca.pem"), d.join("ca.pem")).expect("a CA");
    let cases: [(&[&str], &str, &str); 6] = [
        (&["-D", "body.txt", "-o", "./body.txt"], "-D", "body.txt"),
        (
            &["-D", "body.txt", "-o", "sub/../body.txt"],
            "-D",
            "body.txt",
        ),
        (&["-D", "body.txt", "-o", "link.txt"], "-D", "body.txt"),
        (
            &["--urls-from-file", "urls.txt", "--hdr-log", "./urls.txt"],
            "--urls-from-file",
            "urls.txt",
        ),
        (
            &["--replay", "r.json", "-o", "./r.json"],
            "--replay",
            "r.json",
        ),
        (
            &["--cacert", "ca.pem", "--hdr-log", "ca.pem"],
            "--cacert",
            "ca.pem",
        ),
    ];
    for (flags, read_by, file) in cases {
        let before = std::fs::read(d.join(file)).expect("the input");
        let mut args = vec!["--no-tui", "-n", "3"];
        args.extend_from_slice(flags);
        if read_by != "--urls-from-file" {
            args.push(&url);
        }
        let err = refused(&run_in(d, &args, &[]));
        let writer = if flags.contains(&"-o") {
            "-o"
        } else {
            "--hdr-log"
        };
        assert!(
            err.contains(writer) && err.contains(read_by) && err.contains("write over"),
            "{flags:?}: {err}"
        );
        assert_eq!(
            std::fs::read(d.join(file)).expect("the input"),
            before,
            "{flags:?}"
        );
    }
}

#[test]
fn two_summaries_of_one_run_are_refused_by_merge_naming_both() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let (base, other) = two_runs();
    write(d, "base.json", base);
    std::fs::copy(d.join("base.json"), d.join("copy.json")).expect("a copy");
    let mut moved = base.clone();
    moved["started_at_unix_s"] = json!(base["started_at_unix_s"].as_f64().expect("start") + 60.0);
    write(d, "moved.json", &moved);
    for second in ["copy.json", "moved.json"] {
        let args = ["merge", "base.json", second, "-o", "m.json"];
        let err = refused(&run_in(d, &args, &[]));
        assert!(
            err.contains("'base.json'") && err.contains(second) && err.contains("one run"),
            "{second}: {err}"
        );
        assert!(!d.join("m.json").exists(), "{second}: nothing written");
    }
    write(d, "other.json", other);
    let out = run_in(d, &["merge", "base.json", "other.json"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).expect("merged");
    assert_eq!(merged["requests"]["total"], 40);
}

/// A worker's answer to /summary, kept: the worker hands it out once, then ends.
type Kept = std::sync::Arc<std::sync::Mutex<Option<String>>>;

/// An address of its own for the worker at `real` (a port-forward): each request passed
/// on, its statuses' run id replaced by `run_id` (so only the summaries tell two of them
/// apart), its summary fetched once into `kept` and handed to every asker.
fn forward(real: &str, run_id: &'static str, kept: Kept) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let real = real.to_string();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let (real, kept) = (real.clone(), kept.clone());
            std::thread::spawn(move || {
                let Some(asked) =
                    crate::common::read_raw_request(&mut stream, Duration::from_secs(30))
                else {
                    return;
                };
                let auth = asked
                    .authorization
                    .as_ref()
                    .map(|a| format!("Authorization: {a}"));
                let headers: Vec<&str> = auth.iter().map(String::as_str).collect();
                let call = || http_call(&real, &asked.method, &asked.path, &headers, &asked.body);
                let (code, answer) = match asked.path.as_str() {
                    "/summary" => {
                        let mut kept = kept.lock().expect("kept");
                        if kept.is_none() {
                            let (code, answer) = call();
                            *kept = (code == 200).then_some(answer);
                        }
                        kept.clone().map_or((503, "not yet".into()), |s| (200, s))
                    }
                    _ => call(),
                };
                let answer = match serde_json::from_str::<Value>(&answer) {
                    Ok(mut status) if code == 200 && asked.path.starts_with("/status") => {
                        status["run_id"] = json!(run_id);
                        status.to_string()
                    }
                    _ => answer,
                };
                let head = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(answer.as_bytes());
            });
        }
    });
    addr
}

#[test]
fn the_fleet_leaves_out_a_second_summary_of_one_run_with_one_line() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = crate::common::spawn_worker(&[&server.url(), "-n", "300", "-c", "2"], TOKEN);
    let kept = Kept::default();
    let first = forward(&worker.addr, "one-run-id", kept.clone());
    let again = forward(&worker.addr, "another-run-id", kept);
    let args = [
        "fleet",
        "--no-tui",
        "--output-format",
        "json",
        "--control-token",
        TOKEN,
        &first,
        &again,
    ];
    let out = run_in(&std::env::temp_dir(), &args, &[]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let merged: Value = serde_json::from_slice(&out.stdout).expect("merged summary");
    assert_eq!(merged["requests"]["total"], 300, "counted once: {err}");
    assert_eq!(merged["workers"].as_array().map(Vec::len), Some(1));
    let left_out: Vec<&str> = err.lines().filter(|l| l.contains(&again)).collect();
    assert_eq!(left_out.len(), 1, "{err}");
    // The worker leaves once its summary is taken: a forwarder that reaches it after that
    // finds it gone, and the fleet leaves that address out for having no summary instead.
    assert!(
        left_out[0].contains("of the run worker") || left_out[0].contains("left no summary"),
        "{err}"
    );
}

/// Whether `text` holds no raw control character (tabs and newlines between lines aside).
fn clean(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

/// A command line, its environment, and the exit code it should have.
type Invocation<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)], Option<i32>);

#[test]
fn control_characters_from_the_command_line_reach_stderr_escaped() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = server.url();
    write(d, "base.json", &two_runs().0);
    let plot = format!("p{HOSTILE}.svg");
    let out_file = format!("o{HOSTILE}.json");
    let header = format!("X{HOSTILE}: v");
    let method = format!("G{HOSTILE}");
    let index = "1\u{1b}[31m";
    let runs: [Invocation; 6] = [
        (vec!["plot", "base.json", "-o", &plot], &[], Some(0)),
        (
            vec![&url, "-n", "2", "--no-tui", "-o", &out_file],
            &[],
            Some(0),
        ),
        (
            vec![&url, "-n", "2", "--no-tui", "-H", &header],
            &[],
            Some(2),
        ),
        (
            vec![&url, "-n", "2", "--no-tui", "-m", &method],
            &[],
            Some(2),
        ),
        (
            vec![
                &url, "-n", "2", "--no-tui", "--shard", "auto", "--shards", "2",
            ],
            &[("JOB_COMPLETION_INDEX", index)],
            Some(2),
        ),
        (vec![&url, "--shard", HOSTILE], &[], Some(2)),
    ];
    for (args, env, code) in runs {
        let out = run_in(d, &args, env);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), code, "{args:?}: {err}");
        assert!(clean(&err), "{args:?}: {err:?}");
        assert!(err.contains("\\x1b"), "{args:?}: shown escaped: {err}");
    }
}

#[test]
fn a_flood_from_a_file_is_cut_to_a_short_line() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let long_url = format!("http://127.0.0.1/{}\n", "a".repeat(15 << 20));
    std::fs::write(d.join("urls.txt"), long_url).expect("urls");
    let (base, other) = two_runs();
    write(d, "base.json", base);
    let mut huge = other.clone();
    huge["target"] = json!("t".repeat(10 << 20));
    write(d, "huge.json", &huge);
    let mut forever = base.clone();
    forever["duration_s"] = json!(1e308);
    write(d, "forever.json", &forever);
    let mut spread = base.clone();
    spread["series"][0]["p99_ms"] = json!(1e-300);
    spread["series"][0]["rps"] = json!(-1e-300);
    write(d, "tiny.json", &spread);
    for args in [
        &["--no-tui", "-n", "1", "--urls-from-file", "urls.txt"][..],
        &["merge", "base.json", "huge.json"],
        &["merge", "huge.json", "forever.json"],
        &["plot", "forever.json", "-o", "f.svg"],
        &["plot", "tiny.json", "-o", "t.svg"],
    ] {
        let err = refused(&run_in(d, args, &[]));
        assert!(err.len() < 2100, "{args:?}: a line of {} bytes", err.len());
    }
    let err = refused(&run_in(d, &["plot", "forever.json", "-o", "f.svg"], &[]));
    assert!(err.contains("1e308") && err.len() < 300, "{err}");
}

#[test]
fn plot_keeps_the_bounds_merge_keeps() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let (base, _) = two_runs();
    write(d, "good.json", base);
    for (field, value) in [("p99_ms", 1e308), ("rps", 1e308), ("p50_ms", -1.0)] {
        let mut hostile = base.clone();
        hostile["series"][0][field] = json!(value);
        let file = write(d, "hostile.json", &hostile);
        let by_merge = refused(&run_in(d, &["merge", "good.json", &file], &[]));
        let by_plot = refused(&run_in(d, &["plot", &file, "-o", "h.svg"], &[]));
        let why = |line: &str| line.split_once("': ").map(|(_, w)| w.to_string());
        assert_eq!(
            why(&by_plot),
            why(&by_merge),
            "{field}: {by_plot} / {by_merge}"
        );
        assert!(by_plot.contains("a series"), "{field}: {by_plot}");
    }
}

#[test]
fn a_fractional_limit_is_refused_alike_from_stages_and_a_replay() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let url = nowhere();
    let err = refused(&run_in(
        d,
        &["--no-tui", "-z", "2s", "--stages", "1s:1.5", &url],
        &[],
    ));
    assert!(
        err.contains("--stages") && err.contains("not a whole number"),
        "{err}"
    );
    let recorded = json!({"duration_s": 2.0, "timeline": [
        {"t_s": 1.0, "knob": "limit", "value": 1.5, "source": "key"}]});
    write(d, "r.json", &recorded);
    let err = refused(&run_in(d, &["--no-tui", "--replay", "r.json", &url], &[]));
    assert!(err.contains("the limit is not a whole number"), "{err}");
    assert!(
        !err.contains("a limit a limit") && !err.contains("limit a limit"),
        "{err}"
    );
}

#[test]
fn conditions_past_what_a_run_can_measure_are_refused() {
    let url = nowhere();
    for (flag, condition) in [
        ("--until", "errors>101%"),
        ("--fail-if", "non2xx>100.0000001%"),
        ("--until", "errors>18446744073709551616"),
        ("--fail-if", "errors>1.5"),
    ] {
        let err = refused(&sluice(&["--no-tui", "-n", "1", flag, condition, &url]));
        assert!(err.contains(condition), "{condition}: {err}");
    }
    let err = refused(&sluice(&[
        "--no-tui", "-n", "1", "--shard", "0/2", "-q", "0.01", &url,
    ]));
    assert!(err.contains("0.005") && err.contains("0.01"), "{err}");
}

#[test]
fn the_control_api_refuses_a_field_given_twice_or_one_it_does_not_know() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = crate::common::spawn_worker(&[&server.url(), "-z", "30s", "-c", "3"], TOKEN);
    let bearer = format!("Authorization: Bearer {TOKEN}");
    for body in [r#"{"value": 5, "value": 6}"#, r#"{"value": 5, "by": "me"}"#] {
        let (code, answer) = http_call(&worker.addr, "POST", "/limit", &[&bearer], body.as_bytes());
        assert_eq!(code, 400, "{body}: {answer}");
        assert_eq!(answer.lines().count(), 1, "{answer}");
    }
    assert_eq!(
        crate::common::status_of(&worker.addr)["limit"],
        3,
        "unchanged"
    );
    let (code, _) = http_call(
        &worker.addr,
        "POST",
        "/limit",
        &[&bearer],
        br#"{"value": 5}"#,
    );
    assert_eq!(code, 200);
}

#[test]
fn a_proxy_without_a_scheme_is_told_to_write_http() {
    let err = refused(&sluice(&[
        "--no-tui",
        "-n",
        "1",
        "-x",
        "u:SECRET@127.0.0.1:1",
        &nowhere(),
    ]));
    assert!(err.contains("http://u:***@127.0.0.1:1"), "{err}");
    assert!(
        !err.contains("https://u") && !err.contains("SECRET"),
        "{err}"
    );
}

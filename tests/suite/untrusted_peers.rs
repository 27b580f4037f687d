//! Peers that misbehave: control-API clients that never read their answers, and workers
//! (fakes on 127.0.0.1 that answer what a test wants) whose answers are endless, absurd,
//! corrupt or hostile. The operator keeps control and the good workers' results are kept.

use crate::common::{Behaviour, TestServer, http_call, spawn_worker, status_of, wait_until};
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "t0ken-for-tests";
const BEARER: &str = "Authorization: Bearer t0ken-for-tests";

/// A client that sends `GET /metrics` `n` times in one go and never reads an answer.
fn pipelining_non_reader(addr: &str, n: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect to the control API");
    let burst = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n").repeat(n);
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let _ = stream.write_all(burst.as_bytes());
    stream.set_nonblocking(true).expect("nonblocking");
    stream
}

/// Whether the server has closed `stream` (a reset, an end, or a write refused).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let gone = |e: &std::io::Error| e.kind() != std::io::ErrorKind::WouldBlock;
    match stream.peek(&mut [0u8; 1]) {
        Ok(0) => return true,
        Err(e) if gone(&e) => return true,
        _ => {}
    }
    matches!(stream.write(b"\r\n"), Err(e) if gone(&e))
}

/// Bytes of answers waiting unread in `stream` (up to 64 KiB).
fn unread(stream: &TcpStream) -> usize {
    stream.peek(&mut vec![0u8; 64 << 10]).unwrap_or(0)
}

#[test]
fn pipelining_readers_that_never_read_cannot_lock_out_a_steering_write() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let worker = spawn_worker(&[&server.url(), "-c", "2", "-z", "60s"], TOKEN);
    let addr = worker.addr.clone();
    wait_until("the first tick", WAIT, || status_of(&addr)["tick"] != 0);
    let mut clients: Vec<TcpStream> = (0..80)
        .map(|_| pipelining_non_reader(&addr, 2000))
        .collect();
    wait_until(
        "every client to hold answers unread, or be closed",
        WAIT,
        || {
            clients
                .iter_mut()
                .all(|c| unread(c) >= 16 << 10 || closed_by_server(c))
        },
    );
    let asked = Instant::now();
    let (code, body) = http_call(&addr, "POST", "/limit", &[BEARER], br#"{"value": 7}"#);
    assert_eq!(code, 200, "the steering write was locked out: {body:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(status_of(&addr)["limit"], 7, "the limit changed");
    wait_until(
        "the server to close every connection that does not read (its answer's deadline)",
        WAIT,
        || clients.iter_mut().all(closed_by_server),
    );
}

#[test]
fn a_control_api_open_to_every_network_says_so() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = server.url();
    let out = crate::common::sluice(&[&url, "-n", "20", "--no-tui", "--control", "0.0.0.0:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: --control 0.0.0.0:") && err.contains("every network"),
        "{err}"
    );
    let local = crate::common::sluice(&[&url, "-n", "20", "--no-tui", "--control", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&local.stderr);
    assert!(!err.contains("warning"), "{err}");
}

/// What a fake worker sends back.
enum Reply {
    /// A status code and a body, then the connection closes.
    Body(u16, String),
    /// 200 and a body that never ends.
    Endless,
}

/// A request as a fake worker read it.
/// What a fake worker was asked.
type Asked = crate::common::RawRequest;

type Replier = dyn Fn(&Asked) -> Reply + Send + Sync;

/// A fake worker on 127.0.0.1:0 answering each request with `reply`; its address.
fn fake_worker(reply: impl Fn(&Asked) -> Reply + Send + Sync + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let reply: Arc<Replier> = Arc::new(reply);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let reply = Arc::clone(&reply);
            std::thread::spawn(move || answer(stream, &*reply));
        }
    });
    addr
}

fn answer(mut stream: TcpStream, reply: &Replier) {
    let Some(asked) = crate::common::read_raw_request(&mut stream, WAIT) else {
        return;
    };
    match reply(&asked) {
        Reply::Body(code, body) => {
            let head = format!(
                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
        Reply::Endless => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let spaces = vec![b' '; 64 << 10];
            while stream.write_all(&spaces).is_ok() {}
        }
    }
}

/// A fake in front of the real worker at `real`: each answer passed on, its JSON body
/// changed first by `change(path, body)`.
fn proxy(real: &str, change: impl Fn(&str, &mut Value) + Send + Sync + 'static) -> String {
    let real = real.to_string();
    fake_worker(move |asked| {
        let auth = asked
            .authorization
            .as_ref()
            .map(|a| format!("Authorization: {a}"));
        let headers: Vec<&str> = auth.iter().map(String::as_str).collect();
        let (code, body) = http_call(&real, &asked.method, &asked.path, &headers, b"");
        let body = match serde_json::from_str::<Value>(&body) {
            Ok(mut json) if code == 200 => {
                change(&asked.path, &mut json);
                json.to_string()
            }
            _ => body,
        };
        Reply::Body(code, body)
    })
}

/// A fake that answers every request with `status` (and `/summary` with a 500).
fn answering(status: Value) -> String {
    fake_worker(move |asked| match asked.path.starts_with("/status") {
        true => Reply::Body(200, status.to_string()),
        false => Reply::Body(500, "\u{1b}]0;PWNED\u{7}\u{1b}[2J broken".into()),
    })
}

/// The fleet's address space, KiB: far over what it needs (~100 MB), far under what a
/// fleet reading an endless answer reaches in a second (a build before the cap then aborts
/// instead of taking the machine's memory).
const FLEET_ADDRESS_SPACE_KIB: u64 = 2 << 20;

/// `sluice fleet --no-tui --output-format json ARGS` under `FLEET_ADDRESS_SPACE_KIB`, its
/// stdout and stderr piped (or stderr closed: `closed_stderr`).
fn spawn_fleet(args: &[&str], closed_stderr: bool) -> std::process::Child {
    use std::process::{Command, Stdio};
    let limited = format!("ulimit -v {FLEET_ADDRESS_SPACE_KIB}; exec \"$0\" \"$@\"");
    let mut child = Command::new("sh")
        .args(["-c", &limited, env!("CARGO_BIN_EXE_sluice")])
        .args(["fleet", "--no-tui", "--output-format", "json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sluice fleet");
    if closed_stderr {
        drop(child.stderr.take());
    }
    child
}

/// `sluice fleet … ARGS` to its end.
fn fleet(args: &[&str]) -> std::process::Output {
    spawn_fleet(args, false)
        .wait_with_output()
        .expect("the fleet's output")
}

/// The peak resident memory of process `pid` so far, in KiB (0 once it is gone).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The merged summary on stdout.
fn merged(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no merged summary on stdout ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The requests a merged summary says were sent: ended ones and those cut off in flight.
fn sent(summary: &Value) -> u64 {
    let r = &summary["requests"];
    r["total"].as_u64().expect("total") + r["aborted"].as_u64().expect("aborted")
}

/// The merge counted each request once: at least the requests that ended, at most those
/// sent (a request aborted at the end of -z may or may not have reached the server; counted
/// twice, it would hold about twice what the server `seen`).
fn counted_once(summary: &Value, seen: u64) {
    let total = summary["requests"]["total"].as_u64().expect("total");
    assert!(
        total <= seen && seen <= sent(summary),
        "counted twice: {} against {seen} seen",
        summary["requests"]
    );
}

/// The lines of `err` that name `addr`.
fn lines_naming<'a>(err: &'a str, addr: &str) -> Vec<&'a str> {
    err.lines().filter(|l| l.contains(addr)).collect()
}

#[test]
fn a_worker_streaming_an_endless_answer_is_left_out_and_the_fleet_stays_small() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-z", "2s", "-c", "2"], TOKEN);
    let endless = fake_worker(|_| Reply::Endless);
    let mut child = spawn_fleet(&[&worker.addr, &endless], false);
    let pid = child.id();
    let mut peak_kib = 0;
    wait_until("the fleet to end", WAIT, || {
        peak_kib = peak_kib.max(peak_rss_kib(pid));
        matches!(child.try_wait(), Ok(Some(_)))
    });
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(peak_kib < 200 << 10, "the fleet reached {peak_kib} KiB");
    let named = lines_naming(&err, &endless);
    assert_eq!(named.len(), 1, "one line, once: {err}");
    assert!(
        named[0].contains("left out") && named[0].contains("over 1024 KiB"),
        "{err}"
    );
    // Every ended request reached the server; one aborted at the -z end may not have yet
    // (it read 1631 sent for 1630 seen once, the suite loading the machine).
    let merged = merged(&out);
    let seen = server.seen.requests();
    let ended = merged["requests"]["total"].as_u64().expect("total");
    assert!(
        ended <= seen && seen <= sent(&merged),
        "{ended} ended, {seen} seen, {merged}"
    );
}

#[test]
fn hostile_statuses_leave_their_worker_out_once_and_the_good_results_are_kept() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-z", "3s", "-c", "2"], TOKEN);
    let template = status_of(&worker.addr);
    let spoiled = |n: usize, spoil: &dyn Fn(&mut Value)| {
        let mut s = template.clone();
        s["run_id"] = Value::String(format!("fake-{n}"));
        spoil(&mut s);
        s
    };
    let huge = json!(1u64 << 63);
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let fakes = [
        answering(spoiled(1, &|s| s["elapsed_s"] = json!(1e300))),
        answering(spoiled(2, &|s| {
            s["requests"]["ok"] = huge.clone();
            s["requests"]["total"] = huge.clone();
        })),
        answering(spoiled(3, &|s| s["state"] = json!(hostile))),
        answering(spoiled(4, &|s| s["limit"] = json!(1_000_000_000_000u64))),
        answering(spoiled(5, &|s| s["last_tick"]["rps"] = json!(1e300))),
        answering(spoiled(6, &|s| s["plan"]["duration_s"] = json!(1e300))),
        answering(spoiled(7, &|s| {
            s["histograms"]["run"] = json!({"latency": "not base64!", "service": "x"});
        })),
        fake_worker(move |_| Reply::Body(200, format!("<html>{hostile}</html>"))),
        fake_worker(|_| Reply::Endless),
        answering(spoiled(8, &|s| s["state"] = json!("done"))),
    ];
    let mut args = vec!["--control-token", TOKEN, worker.addr.as_str()];
    args.extend(fakes.iter().map(String::as_str));
    let started = Instant::now();
    let out = fleet(&args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "a raw escape reached stderr: {err:?}"
    );
    for fake in &fakes {
        let named = lines_naming(&err, fake);
        assert_eq!(named.len(), 1, "{fake}: one line, once: {err}");
    }
    assert!(
        lines_naming(&err, &fakes[8])[0].contains("over 1024 KiB"),
        "{err}"
    );
    assert!(err.contains("left no summary (500"), "{err}");
    assert!(err.contains("workers 2/11 up, 9 left out"), "{err}");
    let m = merged(&out);
    counted_once(&m, server.seen.requests());
    assert_eq!(
        m["workers"].as_array().map(Vec::len),
        Some(1),
        "the good worker alone"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn one_worker_given_twice_is_refused_or_counted_once() {
    let port = crate::common::closed_port();
    let spellings = [
        [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        [format!("127.0.0.1:{port}"), format!("127.0.0.1:{port}")],
        [
            format!("http://127.0.0.1:{port}/"),
            format!("127.0.0.1:{port}"),
        ],
    ];
    for [a, b] in &spellings {
        let err = crate::common::refused(&crate::common::sluice(&["fleet", "--no-tui", a, b]));
        assert!(err.contains("same worker"), "{a} {b}: {err}");
    }
    // Two addresses that resolve apart but reach one worker (two port-forwards to one pod):
    // its run id gives it away.
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-z", "2s", "-c", "2"], TOKEN);
    let forward = proxy(&worker.addr, |_, _| {});
    let out = fleet(&["--control-token", TOKEN, &worker.addr, &forward]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let m = merged(&out);
    counted_once(&m, server.seen.requests());
    assert_eq!(m["workers"].as_array().map(Vec::len), Some(1));
    let twice: Vec<&str> = err.lines().filter(|l| l.contains("same worker")).collect();
    assert_eq!(twice.len(), 1, "{err}");
}

#[test]
fn a_corrupt_summary_is_left_out_of_the_merge_and_the_rest_is_written() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let url = server.url();
    let good = spawn_worker(&[&url, "-n", "2000", "-c", "2"], TOKEN);
    let other = spawn_worker(&[&url, "-n", "2000", "-c", "2"], TOKEN);
    let corrupt = proxy(&other.addr, |path, json| {
        if path == "/summary" {
            json["histograms"]["latency"] = json!("bm90IGEgaGlzdG9ncmFt");
        }
    });
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("merged.json");
    let file_s = file.to_str().expect("path");
    let out = fleet(&["--control-token", TOKEN, &good.addr, &corrupt, "-o", file_s]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("-o")).expect("merged JSON");
    assert_eq!(
        written["requests"]["total"], 2000,
        "{}",
        written["requests"]
    );
    assert_eq!(written["workers"][0]["file"], json!(good.addr));
    let named = lines_naming(&err, &corrupt);
    assert_eq!(named.len(), 1, "{err}");
    assert!(named[0].contains("summary is left out"), "{err}");
}

/// A fleet in the background, its stderr's lines gathered as they come.
struct Watching {
    child: std::process::Child,
    lines: Arc<std::sync::Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Watching {
    fn start(args: &[&str]) -> Watching {
        use std::io::BufRead;
        let mut child = spawn_fleet(args, false);
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                sink.lock().expect("lines").push(line);
            }
        });
        Watching {
            child,
            lines,
            reader,
        }
    }

    fn stderr(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// Sends SIGTERM once a progress line is out; the merged summary, once it has ended
    /// (within a few seconds), and its stderr.
    fn terminated(mut self) -> (Value, String) {
        wait_until("a progress line", WAIT, || self.stderr().contains(" up"));
        let pid = self.child.id().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let ended = Instant::now();
        let exited = (0..2000).any(|_| {
            std::thread::sleep(Duration::from_millis(5));
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        if !exited {
            let _ = self.child.kill();
            panic!("the fleet ran on after SIGTERM: {}", self.stderr());
        }
        assert!(
            ended.elapsed() < Duration::from_secs(8),
            "{:?}",
            ended.elapsed()
        );
        let out = self.child.wait_with_output().expect("output");
        let _ = self.reader.join();
        let err = self.lines.lock().expect("lines").join("\n");
        assert_eq!(out.status.code(), Some(0), "{err}");
        (merged(&out), err)
    }
}

#[test]
fn a_signal_ends_the_fleet_with_what_the_workers_had_and_says_who_was_not_stopped() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-z", "60s", "-c", "2"], TOKEN);
    let (m, err) = Watching::start(&[&worker.addr]).terminated();
    assert!(m["requests"]["total"].as_u64() > Some(0), "{m}");
    assert!(err.contains("signal"), "{err}");
    assert!(
        err.contains("were not stopped (no --control-token)"),
        "{err}"
    );
    assert!(err.contains("had not finished"), "{err}");
    assert_eq!(status_of(&worker.addr)["state"], "running", "left running");

    let (_, err) = Watching::start(&["--control-token", "wrong", &worker.addr]).terminated();
    let line = lines_naming(&err, &worker.addr);
    assert!(
        line.iter().any(|l| l.contains("was not stopped (401")),
        "{err}"
    );
    assert_eq!(status_of(&worker.addr)["state"], "running", "left running");

    let (m, err) = Watching::start(&["--control-token", TOKEN, &worker.addr]).terminated();
    assert!(!err.contains("not stopped"), "{err}");
    assert!(!err.contains("had not finished"), "its own summary: {err}");
    assert_eq!(m["workers"][0]["requests"], m["requests"], "{m}");
}

#[test]
fn the_fleet_writes_its_merged_summary_with_stderr_closed() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-n", "2000", "-c", "2"], TOKEN);
    let out = spawn_fleet(&["--control-token", TOKEN, &worker.addr], true)
        .wait_with_output()
        .expect("output");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(merged(&out)["requests"]["total"], 2000);
}

#[test]
fn the_workers_plan_and_final_figures_reach_the_fleets_lines() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let worker = spawn_worker(&[&server.url(), "-z", "3s", "-c", "3"], TOKEN);
    let out = fleet(&["--control-token", TOKEN, &worker.addr]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(" up")).collect();
    assert!(
        lines.iter().all(|l| l.contains("s/3s")),
        "the workers' -z 3s: {err}"
    );
    let last = lines.last().expect("a final line");
    assert!(last.contains("[done]"), "{last}");
    let peak = last.split("open files peak ").nth(1).expect("peak");
    let (open, limit) = peak.split_once('/').expect("N/M");
    assert!(open.parse::<u64>().unwrap_or(0) > 0, "{last}");
    assert!(
        limit.split_whitespace().next().unwrap_or("0") != "0",
        "{last}"
    );
}

/// The fleet on a 100x30 pseudo-terminal until its DONE screen: that screen, everything it
/// wrote, and whether any screen before showed the open-files gauge at `0 / 0`.
fn fleet_done_screen(args: &[&str]) -> (String, String, bool) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    let size = PtySize {
        rows: 30,
        cols: 100,
        pixel_width: 0,
        pixel_height: 0,
    };
    let pair = native_pty_system().openpty(size).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).expect("spawn sluice");
    drop(pair.slave);
    let (rows, cols) = (
        std::num::NonZeroU16::new(30),
        std::num::NonZeroU16::new(100),
    );
    let parser = vt100::Parser::new(rows.expect("rows"), cols.expect("cols"), 0);
    let screen = Arc::new(Mutex::new(parser));
    let (raw, zero_zero) = (
        Arc::new(Mutex::new(Vec::new())),
        Arc::new(AtomicBool::new(false)),
    );
    let mut output = pair.master.try_clone_reader().expect("pty reader");
    let (screen_sink, raw_sink, zero_sink) = (screen.clone(), raw.clone(), zero_zero.clone());
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = output.read(&mut buf) {
            let mut parser = screen_sink.lock().expect("screen");
            parser.process(&buf[..n]);
            if parser.screen().contents().contains("0 / 0 (0%)") {
                zero_sink.store(true, SeqCst);
            }
            raw_sink.lock().expect("raw").extend_from_slice(&buf[..n]);
        }
    });
    let contents = || screen.lock().expect("screen").screen().contents();
    wait_until("the DONE screen", WAIT, || contents().contains("DONE"));
    let done = contents();
    let mut keys = pair.master.take_writer().expect("pty writer");
    let _ = keys.write_all(b"q");
    let _ = keys.flush();
    wait_until("the fleet to exit", WAIT, || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    drop(pair.master);
    let _ = reader.join();
    let raw = String::from_utf8_lossy(&raw.lock().expect("raw")).to_string();
    (done, raw, zero_zero.load(SeqCst))
}

#[test]
fn the_fleets_done_screen_shows_the_run_it_had_and_a_workers_target_escaped() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let worker = spawn_worker(&[&server.url(), "-z", "3s", "-c", "4"], TOKEN);
    let hostile = proxy(&worker.addr, |path, json| {
        if path.starts_with("/status") {
            json["target"] = json!("\u{1b}]0;PWNED\u{7}\u{1b}[2J");
        }
    });
    let (done, raw, zero_zero) = fleet_done_screen(&["fleet", "--control-token", TOKEN, &hostile]);
    let header = done.lines().next().unwrap_or_default();
    assert!(
        header.contains("limit 4 "),
        "the header read limit 0: {header}"
    );
    assert!(header.contains(" / 3.0s"), "the workers' -z 3s: {header}");
    assert!(!header.contains("until stopped"), "{header}");
    assert!(
        done.contains("peak 4 "),
        "the in-flight peak read 0:\n{done}"
    );
    assert!(
        !done.contains("0 / 0 (0%)"),
        "open files at the end:\n{done}"
    );
    assert!(!zero_zero, "before the first tick, open files read 0 / 0");
    assert!(
        header.contains("\\x1b]0;PWNED"),
        "the target, escaped: {header}"
    );
    assert!(
        !raw.contains("\u{1b}]0;PWNED"),
        "the raw target set the title"
    );
}

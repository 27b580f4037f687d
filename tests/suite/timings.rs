//! Where the time goes: time to first byte against latency, the connections opened and how
//! long each took, and `-w` letting what is in flight at the end of `-z` finish.

use crate::common::{
    Behaviour, TestServer, http_call, json_run, read_raw_request, sluice, spawn_worker, status_of,
    wait_until,
};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// A keep-alive HTTP/1.1 server that writes each response's head at once and its body
/// `body_after` later.
fn head_then_body(body_after: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve_slow_bodies(stream, body_after));
        }
    });
    url
}

fn serve_slow_bodies(mut stream: TcpStream, body_after: Duration) {
    while read_raw_request(&mut stream, Duration::from_secs(10)).is_some() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
        if stream
            .write_all(head)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
        std::thread::sleep(body_after);
        if stream.write_all(b"ok").is_err() {
            return;
        }
    }
}

fn ms(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for key in path {
        v = &v[*key];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number: {v}"))
}

#[test]
fn ttfb_is_the_head_and_latency_the_last_byte() {
    let url = head_then_body(Duration::from_millis(300));
    let s = json_run(&[&url, "-n", "6", "-c", "2"]);
    assert_eq!(s["requests"]["ok"], 6, "{s}");
    assert!(ms(&s, &["latency_ms", "p50"]) >= 290.0, "{s}");
    let ttfb_max = ms(&s, &["ttfb_ms", "max"]);
    assert!(
        ttfb_max < 150.0,
        "the head came at once: ttfb max {ttfb_max}"
    );
    let text = sluice(&["--no-tui", &url, "-n", "2", "-c", "1"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("TTFB (ms):      p50 "), "{text}");
    assert!(
        text.contains("Connects:       1 opened; ms to open: p50 "),
        "{text}"
    );
}

#[test]
fn connects_opened_are_the_connections_the_server_saw() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let kept = json_run(&[&server.url(), "-n", "200", "-c", "4", "--threads", "1"]);
    let seen = server.seen.connections();
    assert_eq!(kept["connects"]["opened"], seen, "{}", kept["connects"]);
    assert!(seen <= 4, "kept alive: {seen} connections");
    let each = json_run(&[&server.url(), "-n", "30", "-c", "2", "--disable-keepalive"]);
    assert_eq!(server.seen.connections() - seen, 30);
    assert_eq!(each["connects"]["opened"], 30, "{}", each["connects"]);
    let h = &each["histograms"]["connect"];
    assert!(h.as_str().is_some_and(|h| h.starts_with("HISTF")), "{h}");
}

#[test]
fn http2_connects_are_counted_once_each() {
    let server = TestServer::start_h2c(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&[&server.url(), "--http2", "-p", "2", "-n", "100", "-c", "6"]);
    assert_eq!(s["requests"]["ok"], 100, "{s}");
    assert_eq!(s["connects"]["opened"], server.seen.connections(), "{s}");
}

/// An HTTP proxy that answers CONNECT `delay` late, then tunnels to the address asked for;
/// counts the tunnels.
fn slow_connect_proxy(delay: Duration) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let tunnels = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&tunnels);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, SeqCst);
            std::thread::spawn(move || tunnel(stream, delay));
        }
    });
    (url, tunnels)
}

fn tunnel(mut client: TcpStream, delay: Duration) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&head).to_string();
    let Some(to) = line.split_whitespace().nth(1) else {
        return;
    };
    std::thread::sleep(delay);
    let Ok(server) = TcpStream::connect(to) else {
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut up, mut down) = (server.try_clone().expect("clone"), server);
    let mut back = client.try_clone().expect("clone");
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut client, &mut up);
        let _ = up.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut down, &mut back);
}

#[test]
fn connect_time_holds_the_proxy_and_tls_and_ttfb_does_not() {
    let server = TestServer::start_tls(Behaviour::Delay(Duration::ZERO));
    let (proxy, tunnels) = slow_connect_proxy(Duration::from_millis(200));
    let s = json_run(&[
        &server.https_url(),
        "-x",
        &proxy,
        "--insecure",
        "-n",
        "20",
        "-c",
        "2",
        "--threads",
        "1",
    ]);
    assert_eq!(s["requests"]["ok"], 20, "{s}");
    assert_eq!(s["connects"]["opened"], tunnels.load(SeqCst), "{s}");
    let connect_min = ms(&s, &["connects", "connect_ms", "min"]);
    assert!(connect_min >= 195.0, "CONNECT took 200 ms: {connect_min}");
    let ttfb_max = ms(&s, &["ttfb_ms", "max"]);
    assert!(
        ttfb_max < 150.0,
        "connecting is not the server's: {ttfb_max}"
    );
    assert!(ms(&s, &["latency_ms", "max"]) >= 195.0, "{s}");
}

#[test]
fn wait_ongoing_lets_what_is_in_flight_at_the_end_of_z_finish() {
    // Each request takes 700 ms: at the end of -z 1s, the second round is in flight.
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(700)));
    let url = server.url();
    let cut = json_run(&[&url, "-z", "1s", "-c", "4", "--threads", "1"]);
    assert_eq!(
        cut["requests"]["aborted"], 4,
        "without -w: {}",
        cut["requests"]
    );
    assert_eq!(cut["requests"]["ok"], 4, "{}", cut["requests"]);
    let waited = json_run(&[&url, "-z", "1s", "-c", "4", "--threads", "1", "-w"]);
    let r = &waited["requests"];
    assert_eq!(
        (r["ok"].as_u64(), r["aborted"].as_u64()),
        (Some(8), Some(0)),
        "{r}"
    );
    let duration = ms(&waited, &["duration_s"]);
    assert!(
        (1.3..3.0).contains(&duration),
        "waited for the last ones: {duration}"
    );
    assert!(ms(&waited, &["latency_ms", "max"]) >= 690.0);
}

#[test]
fn wait_ongoing_waits_within_t_and_what_runs_out_of_it_is_a_timeout() {
    let server = TestServer::start(Behaviour::Stall);
    let started = Instant::now();
    let s = json_run(&[
        &server.url(),
        "-z",
        "500ms",
        "-w",
        "-t",
        "1500ms",
        "-c",
        "3",
    ]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "bounded by -t: {took:?}");
    assert_eq!(s["requests"]["aborted"], 0, "{}", s["requests"]);
    assert_eq!(s["errors"]["timeout"], 3, "{}", s["errors"]);
    let out = sluice(&["--no-tui", &server.url(), "-w", "-n", "5"]);
    assert_eq!(out.status.code(), Some(2), "-w needs -z");
}

const TOKEN: &str = "t0ken-for-timings";
const BEARER: &str = "Authorization: Bearer t0ken-for-timings";

#[test]
fn a_stop_during_the_wait_ends_it_at_once() {
    let server = TestServer::start(Behaviour::Stall);
    let url = server.url();
    let args = [&url, "-z", "500ms", "-w", "-t", "60s", "-c", "3"];
    let mut worker = spawn_worker(&args, TOKEN);
    let addr = worker.addr.clone();
    wait_until("the wait after -z", Duration::from_secs(20), || {
        let s = status_of(&addr);
        s["state"] == "stopping" && s["in_flight"] == 3
    });
    let asked = Instant::now();
    let (code, body) = http_call(&addr, "POST", "/stop", &[BEARER], b"");
    assert_eq!(code, 200, "a stop is still taken while -w waits: {body}");
    wait_until("the run to end", Duration::from_secs(5), || {
        status_of(&addr)["state"] == "done"
    });
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "{:?}",
        asked.elapsed()
    );
    let (code, summary) = http_call(&addr, "GET", "/summary", &[], b"");
    assert_eq!(code, 200, "{summary}");
    let summary: Value = serde_json::from_str(&summary).expect("summary JSON");
    assert_eq!(summary["requests"]["aborted"], 3, "{}", summary["requests"]);
    assert!(worker.child.wait().expect("exit").success());
}

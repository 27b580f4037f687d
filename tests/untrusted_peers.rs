//! Peers that misbehave: control-API clients that never read their answers, and workers
//! (fakes on 127.0.0.1 that answer what a test wants) whose answers are endless, absurd,
//! corrupt or hostile. The operator keeps control and the good workers' results are kept.

mod common;

use common::{Behaviour, TestServer, http_call, spawn_worker, status_of, wait_until};
use std::io::Write;
use std::net::TcpStream;
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
    let out = common::sluice(&[&url, "-n", "20", "--no-tui", "--control", "0.0.0.0:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: --control 0.0.0.0:") && err.contains("every network"),
        "{err}"
    );
    let local = common::sluice(&[&url, "-n", "20", "--no-tui", "--control", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&local.stderr);
    assert!(!err.contains("warning"), "{err}");
}

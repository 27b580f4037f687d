//! What sluice prints while something outside is slow or short of room: every line tells the
//! truth (a fleet waiting for a silent worker; generator threads under an address-space
//! limit).

mod common;

use common::{Behaviour, TestServer, spawn_worker, wait_until};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "t0ken-for-tests";

/// A "worker" that accepts connections and never answers a byte; it holds them open for as
/// long as the test process lives. Returns its address.
fn silent_worker() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    addr
}

/// Runs `child` to its end (within `limit`) and returns what it wrote.
fn finished(child: std::process::Child, limit: Duration) -> std::process::Output {
    let mut child = child;
    wait_until("the process to end", limit, || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    child.wait_with_output().expect("its output")
}

#[test]
fn a_fleet_waiting_for_a_silent_worker_says_so_and_is_done_only_at_its_end() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let good = spawn_worker(&[&server.url(), "-z", "2s", "-c", "2"], TOKEN);
    let silent = silent_worker();
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["fleet", "--no-tui", "--control-token", TOKEN])
        .args([&good.addr, &silent])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sluice fleet");
    let out = finished(child, Duration::from_secs(40));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(" up")).collect();
    let (last, before) = lines.split_last().expect("progress lines");
    // Was `4.1s/50s [done]  -0 req/s ... open files 0/20000`, twelve times, once a second.
    assert!(last.contains("[done]"), "{err}");
    assert!(
        before.iter().all(|l| !l.contains("done")),
        "done before the end: {err}"
    );
    // The good worker ends after 2 s; the fleet waits up to 15 s for the silent one.
    let idle = before.iter().filter(|l| l.contains("in-flight 0/")).count();
    assert!(idle >= 5, "lines after the good worker ended: {err}");
    for l in before {
        assert!(
            l.contains(&format!("more for {silent} to answer")),
            "what it waits for: {l}"
        );
    }
    for l in &lines {
        assert!(!l.contains(" -0 "), "a negative zero: {l}");
        assert!(!l.contains("open files 0/"), "the workers' open files: {l}");
    }
}

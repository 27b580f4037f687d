//! What sluice prints while something outside is slow or short of room: every line tells the
//! truth (a fleet waiting for a silent worker; generator threads under an address-space
//! limit).

use crate::common::{Behaviour, TestServer, spawn_worker, wait_until};
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

/// `sluice ARGS` under `prlimit --as=BYTES` (an address-space limit, as `ulimit -v`), to its
/// end; None where prlimit is not installed (util-linux).
fn under_address_space(bytes: u64, args: &[&str]) -> Option<std::process::Output> {
    let child = Command::new("prlimit")
        .arg(format!("--as={bytes}"))
        .arg(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    Some(finished(child, Duration::from_secs(60)))
}

/// Two gigabytes: room for the run and a few dozen generator threads, not a thousand.
const ADDRESS_SPACE: u64 = 2_000_000_000;

#[test]
fn generator_threads_the_address_space_cannot_hold_are_one_clean_error() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let url = server.url();
    let run = |threads: &str| {
        let args = [
            &url,
            "--threads",
            threads,
            "-n",
            "20",
            "-c",
            "2",
            "--no-tui",
        ];
        under_address_space(ADDRESS_SPACE, &args)
    };
    let mut refused = 0;
    // Was: 64 ran, then panicked ("Cannot drop a runtime in a context where blocking is not
    // allowed") and aborted (exit 134); 200 aborted at once.
    for threads in ["64", "200", "1024"] {
        let Some(out) = run(threads) else {
            sluicegate::say!("prlimit is not installed: skipped");
            return;
        };
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        match out.status.code() {
            Some(0) => continue,
            Some(1) => refused += 1,
            other => panic!("--threads {threads}: exit {other:?}: {err}"),
        }
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        let wanted = format!("sluice: cannot start {threads} generator threads: ");
        assert!(err.starts_with(&wanted), "{err}");
        let fewer = err
            .split("; try --threads ")
            .nth(1)
            .expect("a count to try")
            .trim();
        let out = run(fewer).expect("prlimit");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "--threads {fewer}, as told: {err}"
        );
    }
    assert!(refused > 0, "1024 threads fit in {ADDRESS_SPACE} bytes");
}

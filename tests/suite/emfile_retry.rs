//! Out of descriptors mid-run (the cap deliberately off): requests that hit EMFILE wait and
//! retry on a connection that frees up, so none is lost and the run goes on.
//! It lowers its process's RLIMIT_NOFILE, so it runs alone in a process of its own
//! (`common::alone`), never beside the other tests.

use crate::common::{Tally, get_client, setup, wait_until};
use rlimit::Resource;
use sluicegate::engine::generator;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::Outcome;
use sluicegate::engine::steer::RunState;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

/// The demo target with no delay, in its own process, so its descriptors are not ours.
struct DemoProcess(Child);

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_demo() -> (DemoProcess, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["demo", "--listen", "127.0.0.1:0", "--max-delay", "0s"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the demo target");
    let stderr = child.stderr.take().expect("stderr");
    let mut first_line = String::new();
    BufReader::new(stderr)
        .read_line(&mut first_line)
        .expect("the demo's first line");
    let start = first_line
        .find("http://")
        .expect("a URL in the demo's first line");
    let url = first_line[start..]
        .split_whitespace()
        .next()
        .expect("url")
        .to_string();
    (DemoProcess(child), url)
}

#[test]
fn requests_that_hit_emfile_are_retried_not_lost() {
    if !crate::common::alone("emfile_retry::requests_that_hit_emfile_are_retried_not_lost") {
        return;
    }
    let (_demo, url) = start_demo();
    let client = get_client(&url, Duration::from_secs(20));
    let (tx, rx) = mpsc::channel::<Vec<Outcome>>(64);
    let tally = Tally::drain(rx);

    // Room for about 15 connections, with a limit of 60.
    let (_, hard) = rlimit::getrlimit(Resource::NOFILE).expect("getrlimit");
    let open = sluicegate::process::probe::fd::count_open().expect("count fds");
    rlimit::setrlimit(Resource::NOFILE, open + 15, hard).expect("lower the soft limit");

    let plan = Plan {
        max_requests: Some(2_000),
        duration: None,
    };
    let handle = generator::start(client, setup(plan, 60), tx).expect("generator");
    wait_until("the run to finish", Duration::from_secs(60), || {
        handle.state() == RunState::Done
    });
    wait_until("every outcome", Duration::from_secs(5), || {
        tally.total() == 2_000
    });
    let counts = tally.counts();
    assert_eq!(counts.get("200"), Some(&2_000), "{counts:?}");
    assert!(
        handle.peak_in_flight() > 15,
        "the run never pressed against the files limit"
    );
}

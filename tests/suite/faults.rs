//! Faults at the target: resets, and a server that dies mid-run and comes back. Each is
//! counted by kind, the run goes on, and it ends on time.
#![allow(clippy::disallowed_macros)] // prints for its reader; a closed pipe may end it

use crate::common::{Behaviour, TestServer, json_run, spawn_json_run, wait_until};
use serde_json::Value;
use std::time::{Duration, Instant};

#[test]
fn a_server_that_resets_connections_is_counted_as_connection_reset() {
    let server = TestServer::start(Behaviour::Reset);
    let s = json_run(&[&server.url(), "-n", "20", "-c", "2"]);
    assert_eq!(s["requests"]["failed"], 20);
    assert_eq!(s["errors"]["connection_reset"], 20, "{}", s["errors"]);
}

#[test]
fn a_server_that_dies_for_two_seconds_and_returns_gets_traffic_again() {
    let first = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let addr = first.addr;
    let mut child = spawn_json_run(&[&first.url(), "-z", "6s", "-c", "8"]);
    let begun = Instant::now();
    wait_until("traffic before the outage", Duration::from_secs(5), || {
        first.seen.requests() >= 100
    });
    drop(first); // closes the listener and every connection
    // The outage itself is the scenario: two seconds with nothing listening.
    std::thread::sleep(Duration::from_secs(2));
    let second = TestServer::start_on(Behaviour::Delay(Duration::from_millis(5)), addr);
    wait_until(
        "traffic after the server came back",
        Duration::from_secs(5),
        || second.seen.requests() >= 100,
    );
    wait_until("sluice to end", Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success());
    let wall = begun.elapsed().as_secs_f64();
    assert!(wall < 8.0, "a 6 s run took {wall:.1} s");
    let s: Value = serde_json::from_slice(&out.stdout).expect("json");
    let duration = s["duration_s"].as_f64().expect("duration");
    assert!((5.7..=6.5).contains(&duration), "duration_s {duration}");
    let refused = s["errors"]["connect_refused"].as_u64().expect("refused");
    assert!(refused > 0, "the outage left no trace: {}", s["errors"]);
    // The shared backoff keeps a dead target from being hammered: 8 slots for 2 s at most
    // about 8 x (10+20+...+1000 ms steps) attempts, far below a tight loop's tens of thousands.
    assert!(
        refused < 400,
        "{refused} refused connections in a 2 s outage"
    );
    eprintln!("errors during the outage: {}", s["errors"]);
    assert!(s["requests"]["ok"].as_u64().expect("ok") >= 200);
}

#[tokio::test]
async fn a_full_accept_queue_gives_connect_timeout() {
    // Backlog 0 holds one unaccepted connection; with it taken, further SYNs go unanswered,
    // which is what an overloaded or unreachable target looks like, here on loopback.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("addr");
    let _queued = std::net::TcpStream::connect(addr).expect("fill the accept queue");
    let url = format!("http://{addr}/");
    let args = [
        "-n",
        "3",
        "-c",
        "1",
        "--connect-timeout",
        "300ms",
        "-t",
        "5s",
    ];
    let s = tokio::task::spawn_blocking(move || {
        let mut all = vec![url.as_str()];
        all.extend(args);
        json_run(&all)
    })
    .await
    .expect("sluice ran");
    assert_eq!(s["errors"]["connect_timeout"], 3, "{}", s["errors"]);
    assert_eq!(s["requests"]["failed"], 3);
    drop(listener);
}

//! HTTP/2: requests share connections, one stream each, and the gate still counts requests:
//! a counting server sees exactly the limit through changes, a count plan is exact, and
//! connections open only as the limit needs them. Servers on 127.0.0.1 (h2c, and h2 over
//! TLS by ALPN).

use crate::common::{
    Behaviour, Pki, Tally, TestServer, get_h2_client, json_run, setup, wait_until,
};
use sluicegate::engine::generator;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::Outcome;
use sluicegate::engine::steer::RunState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn the_limit_holds_exactly_in_streams_before_and_after_a_change() {
    let server = TestServer::start_h2c(Behaviour::Delay(Duration::from_millis(40)));
    let seen = Arc::clone(&server.seen);
    let client = get_h2_client(&server.url(), Duration::from_secs(30), Some(8));
    let (tx, rx) = mpsc::channel::<Vec<Outcome>>(64);
    let handle = generator::start(client, setup(Plan::default(), 20), tx).expect("starts");
    let _drained = Tally::drain(rx);
    wait_until("the server to see 20 at once", WAIT, || {
        seen.current() == 20
    });
    assert!(seen.max() <= 20, "server saw {} > 20", seen.max());
    // 8 streams a connection: 20 need 3 connections.
    assert_eq!(
        seen.connections(),
        3,
        "connections for 20 streams at 8 each"
    );
    handle.set_limit(35);
    wait_until("the server to see 35 at once", WAIT, || {
        seen.current() == 35
    });
    assert!(seen.max() <= 35, "server saw {} > 35", seen.max());
    handle.set_limit(10);
    wait_until("in flight to drain to 10", WAIT, || seen.current() <= 10);
    seen.reset_max();
    let served = seen.requests();
    wait_until("200 more at the lower limit", WAIT, || {
        seen.requests() >= served + 200
    });
    assert!(
        seen.max() <= 10,
        "after lowering, server saw {}",
        seen.max()
    );
    handle.stop();
    wait_until("the generator to finish", WAIT, || {
        handle.state() == RunState::Done
    });
    assert_eq!(handle.peak_in_flight(), 35);
}

#[test]
fn a_count_plan_over_h2c_is_exact_on_one_connection() {
    let server = TestServer::start_h2c(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&[
        &server.url(),
        "--http2",
        "-n",
        "3000",
        "-c",
        "50",
        "--threads",
        "1",
    ]);
    assert_eq!(s["status_codes"]["200"], 3000);
    assert_eq!(server.seen.requests(), 3000);
    assert_eq!(
        server.seen.connections(),
        1,
        "50 streams fit on one connection"
    );
    let p = json_run(&[
        &server.url(),
        "--http2",
        "-p",
        "10",
        "-n",
        "1000",
        "-c",
        "50",
        "--threads",
        "1",
    ]);
    assert_eq!(p["status_codes"]["200"], 1000);
    assert_eq!(
        server.seen.connections(),
        1 + 5,
        "-p 10 at -c 50 opens 5 connections"
    );
}

#[test]
fn https_negotiates_h2_by_alpn_only_when_asked() {
    let pki = Pki::new(&["127.0.0.1"]);
    let server = TestServer::start_tls_pki(Behaviour::Delay(Duration::ZERO), &pki, false);
    let (url, ca) = (server.https_url(), pki.path("ca.pem"));
    let h2 = json_run(&[
        &url,
        "--http2",
        "--cacert",
        &ca,
        "-n",
        "500",
        "-c",
        "20",
        "--threads",
        "1",
    ]);
    assert_eq!(h2["status_codes"]["200"], 500);
    assert_eq!(
        server.seen.connections(),
        1,
        "h2: 20 streams on one connection"
    );
    // Without --http2 the same server (which offers h2) is spoken to in HTTP/1.1.
    let h1 = json_run(&[
        &url,
        "--cacert",
        &ca,
        "-n",
        "500",
        "-c",
        "20",
        "--threads",
        "1",
    ]);
    assert_eq!(h1["status_codes"]["200"], 500);
    assert_eq!(
        server.seen.connections(),
        1 + 20,
        "HTTP/1.1: a connection per request in flight"
    );
}

/// An HTTP/2 server (h2c) that ends every connection with GOAWAY after `per_connection`
/// requests (as nginx does after 1000) and refuses the streams that come after; counts
/// requests answered, connections and refused streams.
fn goaway_server(
    per_connection: usize,
) -> (std::net::SocketAddr, Arc<[std::sync::atomic::AtomicU64; 3]>) {
    use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let seen = Arc::clone(&counts);
    crate::common::in_background(move || async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        // Ends with the test process; bounded by the test's request count.
        while let Ok((socket, _)) = listener.accept().await {
            seen[1].fetch_add(1, SeqCst);
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let Ok(mut conn) = h2::server::handshake(socket).await else {
                    return;
                };
                let mut served = 0;
                while let Some(Ok((_request, mut respond))) = conn.accept().await {
                    if served >= per_connection {
                        // Past its quota the connection refuses new streams: the
                        // client's requests were not processed and may be sent again.
                        respond.send_reset(h2::Reason::REFUSED_STREAM);
                        seen[2].fetch_add(1, SeqCst);
                        continue;
                    }
                    let Ok(mut body) = respond.send_response(http::Response::new(()), false) else {
                        continue;
                    };
                    let _ = body.send_data(bytes::Bytes::from_static(b"ok"), true);
                    seen[0].fetch_add(1, SeqCst);
                    served += 1;
                    if served == per_connection {
                        conn.graceful_shutdown();
                    }
                }
            });
        }
    });
    (addr, counts)
}

#[test]
fn streams_a_server_refuses_while_it_goes_away_are_sent_again() {
    use std::sync::atomic::Ordering::SeqCst;
    let (addr, counts) = goaway_server(100);
    let url = format!("http://{addr}/");
    let s = json_run(&[&url, "--http2", "-n", "3000", "-c", "40", "--threads", "1"]);
    assert_eq!(s["status_codes"]["200"], 3000, "errors: {}", s["errors"]);
    assert_eq!(counts[0].load(SeqCst), 3000, "every request answered once");
    let connections = counts[1].load(SeqCst);
    assert!(
        connections >= 30,
        "{connections} connections for 3000 requests"
    );
}

//! Rate mode (open loop): the rate holds as the server counts it, and latency is measured
//! from when each request was due, so a server that freezes cannot hide behind the client.

use crate::common::{Behaviour, TestServer, json_run};
use serde_json::Value;
use std::time::Duration;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_rate_holds_as_the_server_counts_it() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&["-q", "1000", "-z", "6s", &server.url()]);
    let counted = server.seen.requests() as f64;
    assert!(
        (counted - 6000.0).abs() <= 60.0,
        "the server counted {counted}, not 6000 within 1%"
    );
    let achieved = f(&s["rate"]["achieved"]);
    assert!(
        (achieved - 1000.0).abs() <= 10.0,
        "achieved {achieved}/s, not 1000 within 1%"
    );
    assert_eq!(s["mode"], "rate");
    assert_eq!(f(&s["rate"]["initial"]), 1000.0);
    assert_eq!(f(&s["rate"]["final"]), 1000.0);
    assert_eq!(s["timeline"][0]["knob"], "limit");
    assert_eq!(s["timeline"][0]["source"], "start");
    assert_eq!(s["timeline"][1]["knob"], "rate");
    assert_eq!(f(&s["timeline"][1]["value"]), 1000.0);
    assert!(s["until"].is_null(), "{}", s["until"]);
}

#[test]
fn a_frozen_server_shows_in_latency_from_the_due_time_not_in_service_time() {
    let freeze = Behaviour::FreezeOnce {
        after: Duration::from_secs(2),
        length: Duration::from_secs(2),
    };
    let server = TestServer::start(freeze);
    let rate = json_run(&["-q", "500", "-c", "10", "-z", "8s", &server.url()]);
    let latency_p90 = f(&rate["latency_ms"]["p90"]);
    let service_p90 = f(&rate["service_ms"]["p90"]);
    assert!(
        latency_p90 > 800.0,
        "latency p90 {latency_p90} ms hides the 2 s freeze"
    );
    assert!(
        service_p90 < 100.0,
        "service p90 {service_p90} ms: the server's own time is short"
    );
    let late = rate["rate"]["late_starts"].as_u64().expect("late_starts");
    assert!(
        late > 500,
        "only {late} late starts during a 2 s freeze at 500/s"
    );

    // The same server in concurrency mode: the freeze hides in a slowed-down client.
    let server = TestServer::start(freeze);
    let closed = json_run(&["-c", "10", "-z", "8s", &server.url()]);
    assert_eq!(closed["mode"], "concurrency");
    assert_eq!(closed["latency_ms"]["p90"], closed["service_ms"]["p90"]);
    let closed_p90 = f(&closed["latency_ms"]["p90"]);
    assert!(
        closed_p90 < 100.0,
        "concurrency mode's p90 {closed_p90} ms was expected to miss the freeze"
    );
    assert_eq!(closed["rate"]["late_starts"], 0);
}

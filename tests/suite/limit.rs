//! The sluice gate under load: a server that counts concurrent requests sees exactly the limit,
//! before and after it is changed through the generator's handle.

use crate::common::{Behaviour, Tally, TestServer, get_client, setup, wait_until};
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::generator::{self, Handle};
use sluicegate::engine::outcome::Outcome;
use sluicegate::engine::steer::RunState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

fn start_generator(url: &str, limit: usize, plan: Plan) -> (Handle, Tally) {
    start_sharded(url, limit, plan, 1)
}

/// The generator on `threads` shards: the limit is split between them.
fn start_sharded(url: &str, limit: usize, plan: Plan, threads: usize) -> (Handle, Tally) {
    let client = get_client(url, Duration::from_secs(30));
    let (tx, rx) = mpsc::channel::<Vec<Outcome>>(64);
    let setup = generator::Setup {
        threads,
        ..setup(plan, limit)
    };
    let handle = generator::start(client, setup, tx).expect("generator starts");
    (handle, Tally::drain(rx))
}

#[test]
fn the_server_sees_exactly_the_limit_and_follows_each_change() {
    limit_followed_on(1);
}

#[test]
fn three_shards_keep_the_total_exact_through_every_change() {
    limit_followed_on(3);
}

fn limit_followed_on(threads: usize) {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(40)));
    let seen = Arc::clone(&server.seen);
    let (gen_handle, drained) = start_sharded(&server.url(), 20, Plan::default(), threads);

    wait_until("the server to see 20 at once", WAIT, || {
        seen.current() == 20
    });
    assert!(seen.max() <= 20, "server saw {} > limit 20", seen.max());

    gen_handle.set_limit(35);
    wait_until("the server to see 35 at once", WAIT, || {
        seen.current() == 35
    });
    assert!(seen.max() <= 35, "server saw {} > limit 35", seen.max());

    gen_handle.set_limit(10);
    // Drained when the client holds at most 10 permits: a request whose permit was taken
    // before the lower may not have reached the server yet, so the server's count alone
    // can read 10 while more are on their way (it read 14 once on a loaded machine).
    wait_until("in-flight to drain to 10", WAIT, || {
        gen_handle.in_flight() <= 10 && seen.current() <= 10
    });
    seen.reset_max();
    let served = seen.requests();
    wait_until("200 more requests at the lower limit", WAIT, || {
        seen.requests() >= served + 200
    });
    assert!(
        seen.max() <= 10,
        "after lowering, server saw {}",
        seen.max()
    );
    assert!(gen_handle.in_flight() <= 10);
    wait_until("the server to see 10 at once", WAIT, || {
        seen.current() == 10
    });

    gen_handle.stop();
    wait_until("the generator to finish", WAIT, || {
        gen_handle.state() == RunState::Done
    });
    assert_eq!(gen_handle.in_flight(), 0);
    assert_eq!(gen_handle.peak_in_flight(), 35);
    assert_eq!(
        drained.except(&["200", "aborted"]),
        0,
        "unexpected failures"
    );
    wait_until("every outcome to be drained", WAIT, || {
        drained.of("200") + drained.of("aborted") == gen_handle.started()
    });
}

#[test]
fn pause_drains_in_flight_to_zero_and_resume_refills_it() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(20)));
    let seen = Arc::clone(&server.seen);
    let (gen_handle, _drained) = start_generator(&server.url(), 8, Plan::default());
    wait_until("the server to see 8 at once", WAIT, || seen.current() == 8);

    gen_handle.pause();
    assert_eq!(gen_handle.state(), RunState::Paused);
    wait_until("in-flight to drain while paused", WAIT, || {
        gen_handle.in_flight() == 0 && seen.current() == 0
    });
    let started = gen_handle.started();
    // Absence can only be shown over a window: ten request-times of the server here.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        gen_handle.started(),
        started,
        "a request started while paused"
    );

    gen_handle.resume();
    wait_until("the server to see 8 again", WAIT, || seen.current() == 8);

    // Lowered while paused, every connection is idle: those beyond the limit get closed.
    gen_handle.pause();
    wait_until("in-flight to drain again", WAIT, || {
        gen_handle.in_flight() == 0
    });
    assert_eq!(seen.open(), 8);
    gen_handle.set_limit(3);
    gen_handle.resume();
    wait_until("the server to see 3 at once", WAIT, || seen.current() == 3);
    wait_until("open connections to shrink to 2 x 3", WAIT, || {
        seen.open() <= 6
    });
    gen_handle.stop();
    wait_until("the generator to finish", WAIT, || {
        gen_handle.state() == RunState::Done
    });
}

#[test]
fn stop_aborts_what_is_in_flight_and_counts_it_apart() {
    let server = TestServer::start(Behaviour::Stall);
    let seen = Arc::clone(&server.seen);
    let (gen_handle, drained) = start_generator(&server.url(), 5, Plan::default());
    wait_until("5 stalled requests at the server", WAIT, || {
        seen.current() == 5
    });
    gen_handle.stop();
    wait_until("5 aborted outcomes", WAIT, || drained.of("aborted") == 5);
    assert_eq!(drained.of("200") + drained.except(&["200", "aborted"]), 0);
    wait_until("the generator to finish", WAIT, || {
        gen_handle.state() == RunState::Done
    });
}

#[test]
fn a_count_plan_starts_exactly_n_and_reuses_connections() {
    count_plan_on(1);
}

#[test]
fn a_count_plan_is_exact_across_shards() {
    count_plan_on(3);
}

#[test]
fn shards_pause_to_zero_and_resume_to_the_limit() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(20)));
    let seen = Arc::clone(&server.seen);
    let (gen_handle, _drained) = start_sharded(&server.url(), 8, Plan::default(), 3);
    wait_until("the server to see 8 at once", WAIT, || seen.current() == 8);
    gen_handle.pause();
    wait_until("in-flight to drain while paused", WAIT, || {
        gen_handle.in_flight() == 0 && seen.current() == 0
    });
    gen_handle.set_limit(5);
    seen.reset_max();
    gen_handle.resume();
    wait_until("the server to see 5 at once", WAIT, || seen.current() == 5);
    let served = seen.requests();
    wait_until("100 more requests", WAIT, || {
        seen.requests() >= served + 100
    });
    assert!(
        seen.max() <= 5,
        "limit 5, but the server saw {}",
        seen.max()
    );
    gen_handle.stop();
    wait_until("the generator to finish", WAIT, || {
        gen_handle.state() == RunState::Done
    });
}

fn count_plan_on(threads: usize) {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let plan = Plan {
        max_requests: Some(3_000),
        duration: None,
    };
    let (gen_handle, drained) = start_sharded(&server.url(), 16, plan, threads);
    wait_until("the generator to finish", WAIT, || {
        gen_handle.state() == RunState::Done
    });
    wait_until("3000 outcomes", WAIT, || drained.of("200") == 3_000);
    assert_eq!(gen_handle.started(), 3_000);
    assert_eq!(server.seen.requests(), 3_000);
    let conns = server.seen.connections();
    assert!(
        conns <= 16,
        "{conns} connections for 16 concurrent requests: not reused"
    );
}

#[test]
fn after_stop_the_limit_the_run_stopped_at_stands() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let seen = Arc::clone(&server.seen);
    let (gen_handle, _drained) = start_generator(&server.url(), 4, Plan::default());
    wait_until("requests arrive", WAIT, || seen.requests() > 0);
    gen_handle.stop();
    assert_eq!(
        gen_handle.set_limit(99),
        4,
        "a limit after stop is not applied"
    );
    assert_eq!(gen_handle.limit(), 4);
}

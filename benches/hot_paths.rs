//! The hot pieces apart from the network: the event path (outcomes through the channel into
//! the HDR window) and a dashboard frame. `cargo bench --bench hot_paths`.
//! Targets: at least 2M events/s on one core; a frame in under 2 ms.
#![allow(clippy::disallowed_macros)] // prints for its reader; a closed pipe may end it

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sluicegate::engine::generator::outbox::BATCH_MAX;
use sluicegate::engine::generator::plan::Plan;
use sluicegate::engine::outcome::{ErrorKind, Outcome, Verdict};
use sluicegate::engine::steer::Gauges;
use sluicegate::stats::snapshot::Snapshot;
use sluicegate::stats::window::Window;
use sluicegate::view::tui::app::{App, Msg, update};
use sluicegate::view::tui::ui;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn outcome(i: u64) -> Outcome {
    let verdict = match i % 100 {
        0 => Verdict::Error(ErrorKind::Timeout),
        1 => Verdict::Status(503),
        _ => Verdict::Status(200),
    };
    Outcome {
        latency_us: 200 + (i * 7919) % 50_000,
        verdict,
        bytes: 13,
        ..Outcome::aborted()
    }
}

/// Outcomes recorded straight into the window.
fn window_only(n: u64) -> f64 {
    let mut w = Window::new(300);
    let start = Instant::now();
    for i in 0..n {
        w.record(black_box(&outcome(i)));
        if i % 100_000 == 0 {
            w.rotate(Duration::from_millis(i));
        }
    }
    black_box(w.cumulative());
    n as f64 / start.elapsed().as_secs_f64()
}

/// Outcomes of a three-step scenario's sessions recorded into its window (per step over
/// the run and over the tick, and the sessions).
fn scenario_window(n: u64) -> f64 {
    use sluicegate::engine::outcome::{SESSION_COMPLETED, SESSION_STARTED};
    use sluicegate::stats::by_step::StepSpec;
    let spec = |name: &str, later: std::ops::Range<u16>| StepSpec {
        name: name.into(),
        checks: vec!["status == 200".into()],
        later,
    };
    let specs = vec![spec("login", 1..3), spec("item", 2..3), spec("out", 3..3)];
    let mut w = Window::new(300).with_steps(specs);
    let start = Instant::now();
    for i in 0..n {
        let step = (i % 3) as u16;
        let session = match step {
            0 => SESSION_STARTED,
            2 => SESSION_COMPLETED,
            _ => 0,
        };
        w.record(black_box(&Outcome {
            step,
            session,
            session_us: 9_000,
            ..outcome(i)
        }));
        if i % 100_000 == 0 {
            w.rotate(Duration::from_millis(i));
        }
    }
    black_box(w.cumulative());
    n as f64 / start.elapsed().as_secs_f64()
}

/// Outcomes sent from another thread in batches over the bounded channel, as the generator's
/// outbox sends them, drained with try_recv as the aggregator does, and recorded.
fn channel_and_window(n: u64) -> f64 {
    let (tx, mut rx) = mpsc::channel::<Vec<Outcome>>(256);
    let start = Instant::now();
    let sender = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH_MAX);
        for i in 0..n {
            batch.push(outcome(i));
            if batch.len() == BATCH_MAX || i + 1 == n {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_MAX));
                if tx.blocking_send(full).is_err() {
                    break;
                }
            }
        }
    });
    let mut w = Window::new(300);
    let mut got = 0;
    while got < n {
        match rx.try_recv() {
            Ok(batch) => {
                batch.iter().for_each(|o| w.record(o));
                got += batch.len() as u64;
            }
            Err(_) => std::thread::yield_now(),
        }
    }
    let _ = sender.join();
    black_box(w.cumulative());
    n as f64 / start.elapsed().as_secs_f64()
}

/// A dashboard full of data: two minutes of ticks.
fn busy_app() -> App {
    let mut w = Window::new(300);
    for t in 1..=120u64 {
        for i in 0..2_000 {
            w.record(&outcome(t * 2_000 + i));
        }
        w.rotate(Duration::from_secs(t));
    }
    let snapshot = Snapshot {
        elapsed: Duration::from_secs(120),
        counts: w.counts().clone(),
        last_tick: w.recent().back().expect("tick").clone(),
        recent: w.recent().iter().cloned().collect(),
        cumulative: w.cumulative(),
        gauges: Gauges {
            limit: 50,
            in_flight: 42,
            ..Gauges::default()
        },
        ..Snapshot::default()
    };
    let mut app = App::new(
        "http://127.0.0.1:8080/".into(),
        false,
        Plan::default(),
        50,
        10,
        false,
    );
    update(&mut app, Msg::Snapshot(Box::new(snapshot)));
    app
}

/// Mean time to draw one frame at the given size, in milliseconds.
fn frame_ms(width: u16, height: u16, frames: u32) -> f64 {
    let app = busy_app();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let start = Instant::now();
    for _ in 0..frames {
        terminal.draw(|f| ui::draw(f, &app)).expect("draw");
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(frames)
}

fn main() {
    let n = 5_000_000;
    println!(
        "events into the window:          {:>6.2} M/s",
        window_only(n) / 1e6
    );
    println!(
        "events into a 3-step scenario's:  {:>6.2} M/s",
        scenario_window(n) / 1e6
    );
    println!(
        "events over the channel + window: {:>6.2} M/s",
        channel_and_window(n) / 1e6
    );
    println!(
        "dashboard frame 100x30:           {:>6.3} ms",
        frame_ms(100, 30, 500)
    );
    println!(
        "dashboard frame 240x70:           {:>6.3} ms",
        frame_ms(240, 70, 200)
    );
}

//! The autopilot (`--hold`) against a server of the test's own with a known knee: K workers,
//! each request served in a fixed time, the rest waiting their turn, so latency grows with
//! what is in flight past K. The knee is first found with fixed limits, then the autopilot
//! must find it alone, hold it, and follow the server when its capacity changes.
//!
//! The issue's server (K = 20, 10 ms, p99 < 50 ms) ten times slower: K = 20, 100 ms,
//! p99 < 500 ms. The knee stays at 80 in flight (four rounds of the 20 workers), but the
//! server serves 200 requests a second instead of 2,000, so on a 2-core machine shared with
//! builds the milliseconds a busy core costs weigh a tenth as much against the bar (at
//! 10 ms, seconds of p99 twice the bar came from the machine alone, at any limit; at 50 ms
//! a stall of the machine still cost several seconds over the bar).

use crate::common::knee::KneeServer;
use crate::common::{Behaviour, TestServer};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bar the tests hold, in milliseconds, and as `--hold` takes it.
const BAR_MS: f64 = 500.0;
const HOLD: &str = "p99<500ms";

/// The issue's server, ten times slower: 20 workers, 100 ms each.
pub fn knee_server() -> KneeServer {
    KneeServer::start(20, Duration::from_millis(100))
}

/// A second of a run's series.
#[derive(Debug, Clone, Copy)]
struct Second {
    t_s: f64,
    limit: f64,
    rate: Option<f64>,
    p99_ms: Option<f64>,
}

/// The summary's series, a second each.
fn series(summary: &serde_json::Value) -> Vec<Second> {
    summary["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|e| Second {
            t_s: e["t_s"].as_f64().expect("t_s"),
            limit: e["limit"].as_f64().expect("limit"),
            rate: e["rate_target"].as_f64(),
            p99_ms: e["p99_ms"].as_f64(),
        })
        .collect()
}

/// When the autopilot moved the knob, by the summary's timeline, in seconds.
fn auto_moves_s(summary: &serde_json::Value) -> Vec<f64> {
    summary["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "auto")
        .map(|e| e["t_s"].as_f64().expect("t_s"))
        .collect()
}

/// The limits a sweep tries, each for `STEP_S`, after a first step that warms the
/// connections up (its seconds are not judged).
const SWEEP: [u32; 8] = [40, 50, 60, 70, 80, 90, 100, 110];
const STEP_S: f64 = 3.0;

/// The knee with fixed limits: the largest limit of the sweep under which p99 stayed under
/// the bar in every second of its step but the first (which drains the step before), each
/// second the machine `stalls` leaves out (a step all stalled is not judged). A limit above
/// it must fail: the sweep reaches past the knee.
fn knee(server: &KneeServer, stalls: &Stalls) -> f64 {
    let stages: Vec<String> = SWEEP.iter().map(|l| format!("0s:{l},3s:{l}")).collect();
    let start = SWEEP[0].to_string();
    let summary =
        crate::common::json_run(&[&server.url(), "-c", &start, "--stages", &stages.join(",")]);
    let seconds = series(&summary);
    let passed = |i: usize| {
        let from = i as f64 * STEP_S + 1.5;
        let judged: Vec<&Second> = seconds
            .iter()
            .filter(|s| s.t_s > from && s.t_s <= from + STEP_S - 1.0)
            .filter(|s| stalled(stalls, s.t_s) < STALL_MS)
            .collect();
        let under = |s: &&Second| s.p99_ms.is_some_and(|p| p < BAR_MS);
        !judged.is_empty() && judged.iter().all(under)
    };
    let held: Vec<usize> = (1..SWEEP.len()).filter(|i| passed(*i)).collect();
    let knee = held
        .last()
        .unwrap_or_else(|| panic!("no limit held the bar: {seconds:?}"));
    assert!(
        *knee < SWEEP.len() - 1,
        "the bar held at every limit: {seconds:?}"
    );
    f64::from(SWEEP[*knee])
}

/// The series in a line: `t:limit(rate)/p99` a second, for a failure's message.
fn shown(summary: &serde_json::Value) -> String {
    let each = series(summary).into_iter().map(|s| {
        let rate = s.rate.map_or(String::new(), |r| format!("({r:.0}/s)"));
        let p99 = s.p99_ms.map_or("-".into(), |p| format!("{p:.0}"));
        format!("{:.0}:{:.0}{rate}/{p99}", s.t_s, s.limit)
    });
    each.collect::<Vec<_>>().join(" ")
}

/// The mean and the standard deviation over the mean of `values`.
fn variation(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt() / mean)
}

/// The median of `values`.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// How late a thread of the test's own wakes from short sleeps: the machine's stalls, which
/// the run and the server (a thread of this process) wait through alike. The worst lateness
/// is kept for each `SLOT` since the start, until dropped.
struct Stalls {
    worst_ms: Arc<Mutex<Vec<f64>>>,
    stop: Arc<AtomicBool>,
}

/// The span whose worst lateness `Stalls` keeps, and the sleep it measures.
const SLOT: Duration = Duration::from_millis(100);
const NAP: Duration = Duration::from_millis(5);

impl Stalls {
    fn watch() -> Stalls {
        let started = std::time::Instant::now();
        let worst_ms: Arc<Mutex<Vec<f64>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopped) = (Arc::clone(&worst_ms), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stopped.load(Relaxed) {
                let before = std::time::Instant::now();
                std::thread::sleep(NAP);
                let late_ms = (before.elapsed().saturating_sub(NAP)).as_secs_f64() * 1000.0;
                let slot = (before - started).as_millis() / SLOT.as_millis();
                let mut worst = kept.lock().expect("stalls");
                let slot = usize::try_from(slot).expect("a test's slots");
                if worst.len() <= slot {
                    worst.resize(slot + 1, 0.0);
                }
                worst[slot] = worst[slot].max(late_ms);
            }
        });
        Stalls { worst_ms, stop }
    }

    /// The worst lateness from `from_s` to `to_s` after the start, in milliseconds.
    fn worst_ms(&self, from_s: f64, to_s: f64) -> f64 {
        let slot_s = SLOT.as_secs_f64();
        let worst = self.worst_ms.lock().expect("stalls");
        let (first, last) = ((from_s / slot_s).floor(), (to_s / slot_s).ceil());
        let within = worst.iter().enumerate().filter(|(i, _)| {
            let i = *i as f64;
            i >= first && i < last
        });
        within.map(|(_, ms)| *ms).fold(0.0_f64, f64::max)
    }
}

impl Drop for Stalls {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
    }
}

/// A stall of the machine longer than this, in milliseconds, may put a second over the bar
/// at any limit: the law stops probing where the margin is under a tenth of the bar (its
/// GATE), so 50 ms at 500 ms is all the room it keeps.
const STALL_MS: f64 = 50.0;

/// Whether a stall may have weighed on the second that ended at run time `t_s`: one during
/// it, or in the half second before (a request it delayed ends up to a queue's round, about
/// 500 ms at the knee, later); 0.3 s later too, for the run's start after the watch's.
fn stalled(stalls: &Stalls, t_s: f64) -> f64 {
    stalls.worst_ms(t_s - 1.5, t_s + 0.3)
}

/// The issue's 90%: the bar held in 9 of 10 seconds after settling, judged on the seconds
/// the machine did not stall (on a 2-core machine shared with builds, a stall of 60-90 ms
/// put seconds over the bar at a limit that held the seconds around it); half of them at
/// least must be judged. The summary's `held_share` is the same count over every second.
fn held_where_the_machine_ran(summary: &serde_json::Value, stalls: &Stalls, at_s: f64) {
    let after: Vec<Second> = series(summary)
        .into_iter()
        .filter(|s| s.t_s >= at_s - 0.05)
        .collect();
    let held = |s: &&&Second| s.p99_ms.is_some_and(|p| p < BAR_MS);
    let each: Vec<String> = after
        .iter()
        .map(|s| {
            let p99 = s.p99_ms.map_or("-".into(), |p| format!("{p:.0}"));
            let late = stalled(stalls, s.t_s);
            format!("{:.0}:{:.0}/{p99}~{late:.0}ms", s.t_s, s.limit)
        })
        .collect();
    let seen = format!("t:limit/p99~stall: {}", each.join(" "));
    let share = |of: &[&Second]| of.iter().filter(held).count() as f64 / of.len() as f64;
    let all: Vec<&Second> = after.iter().collect();
    let summed = summary["hold"]["held_share"].as_f64().expect("held_share");
    assert!(
        (summed - share(&all)).abs() <= 1.01 / all.len() as f64,
        "held_share {summed}, but the series says {}: {seen}",
        share(&all)
    );
    let ran: Vec<&Second> = all
        .into_iter()
        .filter(|s| stalled(stalls, s.t_s) < STALL_MS)
        .collect();
    assert!(
        ran.len() * 2 >= after.len(),
        "the machine stalled in {} of {} seconds after settling: {seen}",
        after.len() - ran.len(),
        after.len()
    );
    assert!(
        share(&ran) >= 0.9,
        "the bar held in {:.3} of the {} seconds without a stall: {seen}",
        share(&ran),
        ran.len()
    );
}

/// The issue's 15%: the limit's variation after settling (at `settled`: value, run time),
/// less the excursions a stall set off (the whole suite at once on 2 cores: a stall of
/// seconds read as twice the bar and halved the limit at 79, which climbed back in 8 s):
/// from a second a stall weighed on until the limit is back within 10% of where it settled,
/// 15 s at most (the issue's time to re-settle: a law that stays away is judged). Half the
/// seconds at least must be judged.
fn steady_where_the_machine_ran(summary: &serde_json::Value, stalls: &Stalls, settled: (f64, f64)) {
    let (value, at_s) = settled;
    let after: Vec<Second> = series(summary)
        .into_iter()
        .filter(|s| s.t_s >= at_s)
        .collect();
    let mut away_until: Option<f64> = None;
    let mut kept = Vec::new();
    for s in &after {
        let stall = stalled(stalls, s.t_s) >= STALL_MS;
        let back = !stall && (s.limit - value).abs() <= 0.1 * value;
        away_until = match away_until {
            _ if stall => Some(away_until.unwrap_or(s.t_s + 15.0)),
            Some(until) if !back && s.t_s <= until => Some(until),
            _ => None,
        };
        if away_until.is_none() {
            kept.push(s.limit);
        }
    }
    let all: Vec<String> = after
        .iter()
        .map(|s| {
            format!(
                "{:.0}:{:.0}~{:.0}ms",
                s.t_s,
                s.limit,
                stalled(stalls, s.t_s)
            )
        })
        .collect();
    assert!(
        kept.len() * 2 >= after.len(),
        "stalls set the limit off in {} of {} seconds: {all:?}",
        after.len() - kept.len(),
        after.len()
    );
    let (mean, cov) = variation(&kept);
    assert!(
        cov <= 0.15,
        "the limit varied {cov:.3} about {mean:.1} after settling: {kept:?} of {all:?}"
    );
}

#[test]
fn it_finds_the_knee_alone_holds_the_bar_and_keeps_the_limit_steady() {
    let (swept, held) = (knee_server(), knee_server());
    let stalls = Arc::new(Stalls::watch());
    let watched = Arc::clone(&stalls);
    let sweep = std::thread::spawn(move || knee(&swept, &watched));
    let summary = crate::common::json_run(&[&held.url(), "--hold", HOLD, "-c", "10", "-z", "40s"]);
    let knee = sweep.join().expect("the sweep");
    let hold = &summary["hold"];
    let settled = &hold["settled"];
    let (value, at_s) = (settled["value"].as_f64(), settled["at_s"].as_f64());
    let (Some(value), Some(at_s)) = (value, at_s) else {
        panic!(
            "it did not settle: {hold} (knee {knee}): {}",
            shown(&summary)
        );
    };
    assert_eq!(settled["knob"], "limit");
    assert!(at_s <= 20.0, "settled at {at_s}s: {hold}");
    assert!(
        (value - knee).abs() <= 0.25 * knee,
        "settled at {value}, the knee is {knee}: {hold}"
    );
    held_where_the_machine_ran(&summary, &stalls, at_s);
    steady_where_the_machine_ran(&summary, &stalls, (value, at_s));
    assert_eq!(hold["conditions"], serde_json::json!([HOLD]));
    let sources: Vec<&str> = summary["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    assert!(sources.iter().skip(1).all(|s| *s == "auto"), "{sources:?}");
    let times = auto_moves_s(&summary);
    assert!(
        times.windows(2).all(|w| w[1] - w[0] > 0.5),
        "an auto entry a second at most: {times:?}"
    );
}

#[test]
fn in_rate_mode_it_settles_at_the_rate_the_server_can_take() {
    let (top, held) = (knee_server(), knee_server());
    let url = top.url();
    // The top throughput: the median second of a closed loop well past the knee.
    let measured = std::thread::spawn(move || {
        let summary = crate::common::json_run(&[&url, "-c", "200", "-z", "8s"]);
        let seconds = summary["series"].as_array().expect("series");
        let rps = seconds
            .iter()
            .skip(1)
            .take(6)
            .map(|e| e["rps"].as_f64().expect("rps"));
        median(rps.collect())
    });
    let summary = crate::common::json_run(&[&held.url(), "--hold", HOLD, "-q", "20", "-z", "40s"]);
    let top = measured.join().expect("the top throughput");
    let settled = &summary["hold"]["settled"];
    assert_eq!(
        settled["knob"],
        "rate",
        "{}\n{}",
        summary["hold"],
        shown(&summary)
    );
    let rate = settled["value"].as_f64().expect("settled");
    assert!(
        (0.7 * top..=1.05 * top).contains(&rate),
        "settled at {rate}/s; the server tops out at {top:.0}/s: {}\n{}",
        summary["hold"],
        shown(&summary)
    );
}

/// Waits until the run behind the control API `addr` has closed `tick` ticks.
fn wait_for_tick(addr: &str, tick: u64) {
    let what = format!("tick {tick}");
    crate::common::wait_until(&what, Duration::from_secs(tick + 30), || {
        let (code, body) = crate::common::http_call(addr, "GET", "/status", &[], b"");
        let status: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        code == 200 && status["tick"].as_u64().is_some_and(|t| t >= tick)
    });
}

/// The summary the run behind the control API `addr` hands out once it has ended.
fn summary_of(addr: &str) -> serde_json::Value {
    let mut summary = None;
    crate::common::wait_until("the summary", Duration::from_secs(60), || {
        let (code, body) = crate::common::http_call(addr, "GET", "/summary", &[], b"");
        summary = (code == 200).then(|| serde_json::from_str(&body).expect("the summary"));
        summary.is_some()
    });
    summary.expect("the summary")
}

/// The median limit over the seconds in `(from, to]`.
fn median_limit(seconds: &[Second], from: f64, to: f64) -> f64 {
    let limits: Vec<f64> = seconds
        .iter()
        .filter(|s| s.t_s > from && s.t_s <= to)
        .map(|s| s.limit)
        .collect();
    assert!(
        !limits.is_empty(),
        "no second in ({from}, {to}]: {seconds:?}"
    );
    median(limits)
}

/// Settled by tick 20, the server loses half its workers until tick 38: the autopilot must
/// hold about half the limit within 15 s, then climb back once they return.
#[test]
fn when_the_capacity_halves_it_settles_near_the_new_knee_and_comes_back_up() {
    let server = knee_server();
    let worker = crate::common::spawn_worker(
        &[&server.url(), "--hold", HOLD, "-c", "10", "-z", "65s"],
        "tok",
    );
    wait_for_tick(&worker.addr, 20);
    server.set_workers(10);
    let holding = crate::common::status_of(&worker.addr)["hold"].clone();
    let settled_at = holding["settled"]["value"].as_f64();
    assert!(
        holding["engaged"] == true && settled_at.is_some_and(|v| v > 10.0),
        "/status says where it settled: {holding}"
    );
    wait_for_tick(&worker.addr, 38);
    server.set_workers(20);
    let summary = summary_of(&worker.addr);
    let seconds = series(&summary);
    let line = shown(&summary);
    let first = median_limit(&seconds, 12.0, 20.0);
    let half = median_limit(&seconds, 33.0, 38.0);
    assert!(
        (0.35 * first..=0.65 * first).contains(&half),
        "at half the workers it held {half}, at all of them {first}: {line}"
    );
    let near_half = |s: &Second| (s.limit - half).abs() <= 0.25 * half;
    let resettled = seconds
        .iter()
        .filter(|s| s.t_s > 20.0 && s.t_s <= 38.0)
        .collect::<Vec<_>>();
    let from = resettled
        .iter()
        .rposition(|s| !near_half(s))
        .map_or(20.0, |i| resettled[i].t_s);
    assert!(from <= 35.0, "near the new knee only from {from}s: {line}");
    // Back up: well above the halved knee, near the first (a probe that a busy machine
    // failed may leave it a while under a value that holds).
    let back = median_limit(&seconds, 55.0, 65.0);
    assert!(
        back >= 0.7 * first && back >= 1.3 * half,
        "back to {back}, from {half}, of {first}: {line}"
    );
}

#[test]
fn a_service_that_misses_the_bar_even_at_limit_1_never_settles_and_says_so() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(20)));
    let out = crate::common::sluice(&[
        &server.url(),
        "--no-tui",
        "--output-format",
        "json",
        "--hold",
        "p99<5ms",
        "-c",
        "4",
        "-z",
        "12s",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let hold = &summary["hold"];
    assert!(hold["settled"].is_null(), "{hold}");
    assert_eq!(hold["held_share"], 0.0, "{hold}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--hold p99<5ms: not met even at limit 1") && err.contains("settled: null"),
        "{err}"
    );
    let limits: Vec<f64> = series(&summary).iter().map(|s| s.limit).collect();
    assert_eq!(limits.last(), Some(&1.0), "{limits:?}");
    assert!(
        limits.iter().all(|l| *l >= 1.0),
        "never a limit of 0: {limits:?}"
    );
    let timeline = summary["timeline"].as_array().expect("timeline");
    assert!(
        timeline.iter().all(|e| e["value"].as_f64() != Some(0.0)),
        "{timeline:?}"
    );
}

/// The JSON body of a control API answer.
fn answer(addr: &str, method: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let auth = ["Authorization: Bearer tok"];
    let (code, text) = crate::common::http_call(addr, method, "/hold", &auth, body);
    (
        code,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// What the control API refuses before it holds anything: no token, a bar written the
/// wrong way, a checks bar in a run without `--check`; `/status` says nothing was held.
fn refuses_what_it_cannot_hold(addr: &str) {
    let asked = br#"{"conditions": ["p99<500ms"]}"#;
    let (code, _) = crate::common::http_call(addr, "POST", "/hold", &[], asked);
    assert_eq!(code, 401, "without the token");
    let (code, body) = answer(addr, "POST", br#"{"conditions": ["p99>500ms"]}"#);
    assert_eq!(code, 400, "{body}");
    assert!(body.to_string().contains("not a bar to hold"), "{body}");
    let (code, body) = answer(addr, "POST", br#"{"conditions": ["checks>99%"]}"#);
    assert_eq!(code, 400, "no --check to read: {body}");
    assert!(
        body.to_string().contains("the run has no --check"),
        "{body}"
    );
    let before = crate::common::status_of(addr);
    assert!(before["hold"].is_null(), "never held: {}", before["hold"]);
}

/// `/status`'s `hold`, asserted to be on the limit with `HOLD`, `engaged` or not, and its
/// run time.
fn status_hold(addr: &str, engaged: bool) -> (serde_json::Value, f64) {
    let status = crate::common::status_of(addr);
    let hold = status["hold"].clone();
    assert_eq!(hold["engaged"], engaged, "{hold}");
    assert_eq!(hold["knob"], "limit", "{hold}");
    assert_eq!(hold["conditions"], serde_json::json!([HOLD]), "{hold}");
    assert!(hold["held_share"].is_f64(), "{hold}");
    (hold, status["elapsed_s"].as_f64().expect("elapsed"))
}

#[test]
fn the_control_api_engages_and_releases_the_autopilot_with_the_token() {
    let server = knee_server();
    let worker = crate::common::spawn_worker(&[&server.url(), "-c", "5", "-z", "10s"], "tok");
    let addr = &worker.addr;
    refuses_what_it_cannot_hold(addr);
    let (code, body) = answer(addr, "POST", br#"{"conditions": ["p99<500ms"]}"#);
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["hold"]["conditions"],
        serde_json::json!([HOLD]),
        "{body}"
    );
    assert_eq!(body["hold"]["knob"], "limit", "{body}");
    crate::common::wait_until(
        "the autopilot to raise the limit",
        Duration::from_secs(8),
        || {
            crate::common::status_of(addr)["limit"]
                .as_u64()
                .is_some_and(|l| l > 5)
        },
    );
    let (holding, _) = status_hold(addr, true);
    assert!(holding["settled"].is_null(), "climbing yet: {holding}");
    let (code, body) = answer(addr, "DELETE", b"");
    assert_eq!(code, 200, "{body}");
    assert!(body["hold"].is_null(), "{body}");
    let (_, released_s) = status_hold(addr, false);
    let summary = summary_of(addr);
    let auto = auto_moves_s(&summary);
    assert!(!auto.is_empty(), "{}", summary["timeline"]);
    assert!(
        auto.iter().all(|t| *t <= released_s + 0.1),
        "moves after the release at {released_s}: {auto:?}"
    );
    assert_eq!(summary["hold"]["conditions"], serde_json::json!([HOLD]));
}

#[test]
fn a_fleet_holds_the_total_from_its_workers_merged_histograms() {
    let server = knee_server();
    let url = server.url();
    let workers: Vec<_> = ["0/2", "1/2"]
        .iter()
        .map(|shard| {
            crate::common::spawn_worker(&[&url, "-c", "10", "-z", "40s", "--shard", shard], "tok")
        })
        .collect();
    let addrs: Vec<&str> = workers.iter().map(|w| w.addr.as_str()).collect();
    let out = crate::common::fleet_json("tok", &addrs, &["--hold", HOLD]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let hold = &merged["hold"];
    let total = hold["settled"]["value"].as_f64();
    let total = total.unwrap_or_else(|| panic!("{hold}\n{}", shown(&merged)));
    // The server's knee: 4 waves of its 20 workers, 80 in flight, whoever sends them.
    assert!(
        (60.0..=100.0).contains(&total),
        "the fleet held {total} in all: {hold}"
    );
    for worker in merged["workers"].as_array().expect("workers") {
        let steered = worker["timeline"].as_array().expect("timeline");
        assert!(
            steered.iter().any(|e| e["source"] == "api"),
            "each worker steered its share: {worker}"
        );
    }
}

/// A server whose answers fail the check past `BUSY_OVER` requests in flight, its latency
/// flat well past that (1,000 workers): `--hold checks>99%` backs off there, not at a knee.
#[test]
fn a_checks_bar_settles_under_where_the_answers_start_failing() {
    const BUSY_OVER: f64 = 30.0;
    let check = format!("body contains \"{}\"", crate::common::knee::OK_BODY);
    let server = KneeServer::crowded(1000, Duration::from_millis(50), BUSY_OVER as usize);
    let url = server.url();
    let out = crate::common::sluice(&[&url, "--no-tui", "-n", "1", "--hold", "checks>99%"]);
    let err = crate::common::refused(&out);
    assert!(err.contains("measures the --check evaluations"), "{err}");
    let args = [&url, "--check", &check, "--hold", "checks>99%", "-c", "5"];
    let summary = crate::common::json_run(&[&args[..], &["-z", "25s"]].concat());
    let hold = &summary["hold"];
    let Some(value) = hold["settled"]["value"].as_f64() else {
        panic!("it did not settle: {hold}\n{}", shown(&summary));
    };
    assert!(
        (0.6 * BUSY_OVER..=BUSY_OVER).contains(&value),
        "settled at {value}; checks fail past {BUSY_OVER} in flight: {hold}\n{}",
        shown(&summary)
    );
    let failed = summary["checks"][0]["failed"].as_u64().expect("failed");
    assert!(
        failed > 0,
        "it probed past where they fail: {}",
        summary["checks"]
    );
    assert_eq!(hold["conditions"], serde_json::json!(["checks>99%"]));
}

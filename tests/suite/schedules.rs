//! Schedules: --stages ramps the rate the server counts, --until stops at a knee and names
//! it, --replay plays a recorded timeline back.

use crate::common::{Behaviour, TestServer, json_run, sluice};
use serde_json::Value;
use std::time::Duration;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn stages_ramp_the_rate_the_server_counts() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&["-q", "100", "--stages", "3s:400", &server.url()]);
    // The rate climbs 100/s each second: on average 150, 250 and 350 in the three seconds.
    let counted = server.seen.per_second();
    for (second, want) in [150.0, 250.0, 350.0].into_iter().enumerate() {
        let got = counted.get(second).copied().unwrap_or(0) as f64;
        assert!(
            (got - want).abs() <= want * 0.05,
            "second {second}: the server counted {got}, not {want} within 5% ({counted:?})"
        );
    }
    let duration = f(&s["duration_s"]);
    assert!(
        (2.9..3.5).contains(&duration),
        "the run ends with its stages: {duration} s"
    );
    let stage_entries: Vec<_> = s["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "stage")
        .collect();
    assert!(
        (2..=4).contains(&stage_entries.len()),
        "a ramp is recorded about once a second: {stage_entries:?}"
    );
}

#[test]
fn until_stops_a_ramp_at_the_knee() {
    // Past 250 requests a second the server takes 100 ms: the knee is at 200/s.
    let server = TestServer::start(Behaviour::SlowAbove {
        rps: 250,
        delay: Duration::from_millis(100),
    });
    let ladder = "0s:100,2s:100,0s:200,2s:200,0s:300,2s:300,0s:400,2s:400";
    let s = json_run(&[
        "-q",
        "100",
        "--stages",
        ladder,
        "--until",
        "p99>50ms",
        &server.url(),
    ]);
    let until = &s["until"];
    assert_eq!(until["condition"], "p99>50ms");
    let met = f(&until["met_at_s"]);
    assert!((4.5..=6.5).contains(&met), "met at {met} s: {until}");
    assert_eq!(until["knee"]["knob"], "rate");
    assert_eq!(f(&until["knee"]["value"]), 200.0, "{until}");
    assert!(f(&s["duration_s"]) < 7.5, "the run stopped when it was met");
}

#[test]
fn a_replay_plays_the_recorded_timeline_at_its_times() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("temp dir");
    let recorded = dir.path().join("run.json");
    let recorded_arg = recorded.to_str().expect("utf-8 path");
    let ladder = "0s:100,1s:100,0s:200,1s:200,0s:50,1s:50";
    let url = server.url();
    let args = [
        "--no-tui",
        "--output-format",
        "json",
        "-q",
        "100",
        "--stages",
        ladder,
    ];
    let out = sluice(&[&args[..], &["-o", recorded_arg, &url]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(&recorded).expect("read")).expect("json");
    let replayed = json_run(&["--replay", recorded_arg, &url]);

    let changes = |s: &Value, source: &str| -> Vec<(f64, Value)> {
        s["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .filter(|e| e["source"] == source)
            .map(|e| (f(&e["t_s"]), e["value"].clone()))
            .collect()
    };
    let played = changes(&replayed, "replay");
    let original = changes(&first, "stage");
    assert_eq!(played.len(), original.len(), "{played:?} vs {original:?}");
    for ((t1, v1), (t2, v2)) in original.iter().zip(&played) {
        assert_eq!(v1, v2);
        assert!((t1 - t2).abs() < 0.5, "at {t1} s then, {t2} s now");
    }
    assert_eq!(replayed["rate"]["initial"], first["rate"]["initial"]);
    assert_eq!(
        replayed["concurrency"]["initial"],
        first["concurrency"]["initial"]
    );
    let (d1, d2) = (f(&first["duration_s"]), f(&replayed["duration_s"]));
    assert!((d1 - d2).abs() < 0.5, "{d1} s then, {d2} s now");
}

//! `-r N`: redirects followed on the URL's origin (the count, the final status, a latency
//! that covers the chain, the method a 303 or a 307 leaves), refused to another origin and
//! counted as `redirect_offsite`, a loop bounded by N.

use crate::common::{Asked, answer, answering, json_run};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a server saw: (method, path, body length) of each request.
type Log = Arc<Mutex<Vec<(String, String, usize)>>>;

fn logged(asked: &Asked, log: &Log) {
    let entry = (asked.method.clone(), asked.path.clone(), asked.body.len());
    log.lock().expect("log").push(entry);
}

#[test]
fn a_chain_on_the_origin_is_followed_and_timed_whole() {
    let log = Log::default();
    let seen = Arc::clone(&log);
    let addr = answering(move |asked| {
        logged(asked, &seen);
        // Each hop takes a while, so the latency shows whether it covers them all.
        std::thread::sleep(Duration::from_millis(20));
        match asked.path.as_str() {
            "/a/start" => answer(302, &["location: mid?x=1"], "moved"),
            "/a/mid?x=1" => answer(307, &["location: /end#frag"], ""),
            "/end" => answer(200, &[], "done"),
            _ => answer(404, &[], ""),
        }
    });
    let url = format!("http://{addr}/a/start");
    let s = json_run(&[&url, "-n", "10", "-c", "2", "-r", "5"]);
    assert_eq!(s["status_codes"], serde_json::json!({"200": 10}), "{s}");
    assert_eq!(
        s["redirects"],
        serde_json::json!({"followed": 20, "offsite": 0})
    );
    assert_eq!(log.lock().expect("log").len(), 30, "three requests a chain");
    let min_ms = s["latency_ms"]["min"].as_f64().expect("latency");
    assert!(
        min_ms >= 60.0,
        "the latency covers the three hops: {min_ms} ms"
    );
    assert_eq!(
        s["body_bytes_received"],
        10 * ("moved".len() + "done".len())
    );

    log.lock().expect("log").clear();
    let s = json_run(&[&url, "-n", "10", "-c", "2"]);
    assert_eq!(
        s["status_codes"],
        serde_json::json!({"302": 10}),
        "-r 0 follows none"
    );
    assert_eq!(
        s["redirects"],
        serde_json::json!({"followed": 0, "offsite": 0})
    );
    assert_eq!(log.lock().expect("log").len(), 10);
}

#[test]
fn see_other_becomes_a_get_and_a_temporary_redirect_keeps_the_post() {
    let log = Log::default();
    let seen = Arc::clone(&log);
    let addr = answering(move |asked| {
        logged(asked, &seen);
        match asked.path.as_str() {
            "/see-other" => answer(303, &["location: /done"], ""),
            "/temporary" => answer(307, &["location: /done"], ""),
            _ => answer(200, &[], "ok"),
        }
    });
    for (path, method, body) in [("see-other", "GET", 0), ("temporary", "POST", 4)] {
        log.lock().expect("log").clear();
        let url = format!("http://{addr}/{path}");
        let s = json_run(&[
            &url, "-n", "3", "-c", "1", "-m", "POST", "-d", "data", "-r", "1",
        ]);
        assert_eq!(s["status_codes"]["200"], 3, "{s}");
        let after: Vec<_> = log
            .lock()
            .expect("log")
            .iter()
            .filter(|(_, p, _)| p == "/done")
            .cloned()
            .collect();
        assert_eq!(after.len(), 3);
        for (m, _, len) in after {
            assert_eq!((m.as_str(), len), (method, body), "after {path}");
        }
    }
}

#[test]
fn a_redirect_to_another_origin_is_refused_and_counted() {
    let elsewhere_log = Log::default();
    let seen = Arc::clone(&elsewhere_log);
    let elsewhere = answering(move |asked| {
        logged(asked, &seen);
        answer(200, &[], "other")
    });
    let location = format!("location: http://{elsewhere}/x");
    let addr = answering(move |_| answer(301, &[location.as_str()], ""));
    let s = json_run(&[&format!("http://{addr}/"), "-n", "10", "-r", "3"]);
    assert_eq!(s["errors"]["redirect_offsite"], 10, "{s}");
    assert_eq!(s["requests"]["failed"], 10);
    assert_eq!(
        s["redirects"],
        serde_json::json!({"followed": 0, "offsite": 10})
    );
    assert!(
        elsewhere_log.lock().expect("log").is_empty(),
        "never left the origin"
    );
    let hints = s["hints"].to_string();
    assert!(
        hints.contains("-r") && hints.contains("never leaves the URL's origin"),
        "{hints}"
    );
}

#[test]
fn a_loop_is_bounded_by_n_and_its_last_redirect_counted_as_it_is() {
    let log = Log::default();
    let seen = Arc::clone(&log);
    let addr = answering(move |asked| {
        logged(asked, &seen);
        answer(302, &["location: /loop"], "")
    });
    let s = json_run(&[
        &format!("http://{addr}/loop"),
        "-n",
        "10",
        "-c",
        "2",
        "-r",
        "3",
    ]);
    assert_eq!(s["status_codes"], serde_json::json!({"302": 10}), "{s}");
    assert_eq!(s["redirects"]["followed"], 30);
    assert_eq!(log.lock().expect("log").len(), 40, "N + 1 requests a chain");
}

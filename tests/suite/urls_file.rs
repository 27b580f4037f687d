//! `--urls-from-file`: URLs sent in turn, on two local servers, each URL's count a third of
//! `-n` (±1) and the breakdown right; a bad file is refused before any load.

use crate::common::{Behaviour, TestServer, json_run, refused, sluice};
use std::time::Duration;

#[test]
fn three_urls_on_two_servers_each_get_a_third() {
    let (a, b) = (
        TestServer::start(Behaviour::Delay(Duration::ZERO)),
        TestServer::start(Behaviour::Delay(Duration::ZERO)),
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("urls.txt");
    let text = format!(
        "# the two servers\n{}one\n\n  {}two?x=1\n{}three\n",
        a.url(),
        a.url(),
        b.url()
    );
    std::fs::write(&file, text).expect("write");
    let s = json_run(&[
        "--urls-from-file",
        &file.display().to_string(),
        "-n",
        "3000",
        "-c",
        "6",
    ]);
    assert_eq!(s["requests"]["ok"], 3000);
    assert_eq!(
        a.seen.requests(),
        2000,
        "server A has two of the three URLs"
    );
    assert_eq!(b.seen.requests(), 1000);
    let urls = s["urls"].as_array().expect("a urls breakdown");
    let names: Vec<_> = urls
        .iter()
        .map(|u| u["url"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            format!("{}one", a.url()),
            format!("{}two?x=1", a.url()),
            format!("{}three", b.url())
        ]
    );
    for u in urls {
        let n = u["requests"].as_u64().expect("requests");
        assert!(n.abs_diff(1000) <= 1, "{u}");
        assert_eq!(u["status_codes"]["200"], u["requests"]);
        assert!(
            u["p50_ms"].as_f64().is_some() && u["p99_ms"].as_f64().is_some(),
            "{u}"
        );
    }
    assert!(
        s["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("and 2 more URLs")),
        "{}",
        s["target"]
    );
}

#[test]
fn a_run_with_one_url_has_no_breakdown() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let s = json_run(&[&server.url(), "-n", "10"]);
    assert!(s.get("urls").is_none(), "{s}");
}

#[test]
fn a_missing_empty_or_bad_file_is_refused_before_any_load() {
    let dir = tempfile::tempdir().expect("dir");
    let path = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let missing = dir.path().join("none.txt").display().to_string();
    let cases = [
        (missing, "cannot be read"),
        (path("empty.txt", "# nothing\n\n"), "has no URL"),
        (path("bad.txt", "http://127.0.0.1:1/\nftp://x/\n"), "line 2"),
    ];
    for (file, why) in cases {
        let err = refused(&sluice(&["--no-tui", "--urls-from-file", &file, "-n", "1"]));
        assert!(
            err.contains("--urls-from-file") && err.contains(why),
            "{err}"
        );
    }
    let out = sluice(&["--no-tui", "--urls-from-file", "x", "http://127.0.0.1:1/"]);
    assert_eq!(out.status.code(), Some(2), "a URL and a file together");
}

//! `sluice plot`: a run with a ramp drawn as SVG and PNG; bad input refused.

mod common;

use common::{Behaviour, TestServer, json_run, refused, sluice};
use std::time::Duration;

/// A short run with a ramp of the limit, its JSON summary written to `dir/run.json`.
fn ramp_summary(dir: &std::path::Path) -> String {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(2)));
    let path = dir.join("run.json");
    let summary = json_run(&[&server.url(), "-c", "2", "--stages", "2s:20,1s:20"]);
    std::fs::write(&path, summary.to_string()).expect("write the summary");
    path.to_str().expect("path").to_string()
}

#[test]
fn a_ramp_is_drawn_as_svg_and_png() {
    let dir = tempfile::tempdir().expect("dir");
    let input = ramp_summary(dir.path());
    let svg = dir.path().join("run.svg");
    let out = sluice(&["plot", &input, "-o", svg.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).expect("the SVG");
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    assert!(text.trim_end().ends_with("</svg>"));
    for label in [
        "responses a second",
        "latency (ms)",
        "limit (right axis)",
        "p50",
        "p99",
    ] {
        assert!(text.contains(label), "{label} missing from the SVG");
    }
    // Lines: req/s, the limit's steps, p50 and p99 at least.
    assert!(text.matches("<polyline").count() >= 4, "too few lines");

    let png = dir.path().join("run.png");
    let out = sluice(&["plot", &input, "-o", png.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).expect("the PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().expect("IHDR"));
    let height = u32::from_be_bytes(bytes[20..24].try_into().expect("IHDR"));
    assert_eq!((width, height), (1200, 800));
}

#[test]
fn what_is_not_a_summary_or_a_picture_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let not_json = dir.path().join("notes.json");
    std::fs::write(&not_json, "{\"hello\": 1}").expect("write");
    let not_json = not_json.to_str().expect("path");
    let svg = dir.path().join("out.svg");
    let svg = svg.to_str().expect("path");
    let err = refused(&sluice(&["plot", "/no/such/run.json", "-o", svg]));
    assert!(err.contains("cannot be read"), "{err}");
    let err = refused(&sluice(&["plot", not_json, "-o", svg]));
    assert!(err.contains("is not a JSON summary"), "{err}");
    let err = refused(&sluice(&["plot", not_json, "-o", "out.gif"]));
    assert!(err.contains(".svg or .png"), "{err}");
    assert!(!std::path::Path::new(svg).exists(), "nothing written");
}

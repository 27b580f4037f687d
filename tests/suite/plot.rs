//! `sluice plot`: a run with a ramp drawn as SVG and PNG; bad input refused; a picture whose
//! size is bounded by its pixels; legends, knobs and switched-off rates that read right; the
//! file's strings escaped.

use crate::common::{Behaviour, TestServer, json_run, refused, sluice};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

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
        "requests in flight",
        "limit",
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

/// A summary as `sluice plot` reads it: `series` of (t_s, rps) at p50 5 ms and p99 9 ms,
/// and `timeline` entries made by `step`.
fn summary(target: &str, duration_s: f64, series: &[(f64, f64)], timeline: &[Value]) -> Value {
    let series: Vec<Value> = series
        .iter()
        .map(|&(t_s, rps)| {
            json!({"t_s": t_s, "rps": rps, "ok": rps as u64, "failed": 0, "p50_ms": 5.0,
                   "p99_ms": 9.0, "in_flight": 3, "limit": 50, "rate_target": null})
        })
        .collect();
    json!({"target": target, "duration_s": duration_s,
           "requests": {"total": 600, "ok": 600, "failed": 0, "aborted": 0},
           "throughput_rps": 50.0, "series": series, "timeline": timeline})
}

fn step(t_s: f64, knob: &str, value: Option<f64>, source: &str) -> Value {
    json!({"t_s": t_s, "knob": knob, "value": value, "source": source})
}

/// Twelve whole ticks at 50 req/s.
fn steady() -> Vec<(f64, f64)> {
    (1..=12).map(|i| (f64::from(i), 50.0)).collect()
}

/// Plots `summary` to `dir/NAME.svg` and returns the SVG's text.
fn plotted(dir: &Path, name: &str, summary: &Value) -> String {
    let input = dir.join(format!("{name}.json"));
    std::fs::write(&input, summary.to_string()).expect("write the summary");
    let svg = dir.join(format!("{name}.svg"));
    let out = sluice(&["plot", path(&input), "-o", path(&svg)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&svg).expect("the SVG")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A polyline of the SVG: its stroke colour and width, and its points.
struct Line {
    colour: String,
    width: i32,
    points: Vec<(i32, i32)>,
}

/// What the tests read of an SVG: its polylines, its texts (x, y, content) and its panels'
/// plot areas (left, top, right, bottom), found from their vertical grid lines.
struct Svg {
    lines: Vec<Line>,
    texts: Vec<(i32, i32, String)>,
    panels: Vec<(i32, i32, i32, i32)>,
}

/// The value of attribute `name` in the tag `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[from..].split('"').next()
}

fn number(tag: &str, name: &str) -> i32 {
    attr(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(i32::MIN)
}

impl Svg {
    fn parse(svg: &str) -> Svg {
        let mut parsed = Svg {
            lines: Vec::new(),
            texts: Vec::new(),
            panels: Vec::new(),
        };
        for element in svg.split('<') {
            let tag = element.split('>').next().unwrap_or("");
            if tag.starts_with("polyline") {
                let points = attr(tag, "points").unwrap_or("").split_whitespace();
                let points = points
                    .filter_map(|p| p.split_once(','))
                    .map(|(x, y)| (x.parse().expect("x"), y.parse().expect("y")));
                parsed.lines.push(Line {
                    colour: attr(tag, "stroke").unwrap_or("").to_string(),
                    width: number(tag, "stroke-width"),
                    points: points.collect(),
                });
            } else if tag.starts_with("text") {
                let content = element.split_once('>').map_or("", |(_, c)| c.trim());
                let at = (number(tag, "x"), number(tag, "y"));
                parsed.texts.push((at.0, at.1, content.to_string()));
            } else if tag.starts_with("line ") && attr(tag, "x1") == attr(tag, "x2") {
                parsed.grid_line(number(tag, "x1"), number(tag, "y1"), number(tag, "y2"));
            }
        }
        parsed
    }

    /// A vertical grid line widens the plot area of the same height, or makes a new one.
    fn grid_line(&mut self, x: i32, y1: i32, y2: i32) {
        let (top, bottom) = (y1.min(y2), y1.max(y2));
        match self.panels.iter_mut().find(|p| (p.1, p.3) == (top, bottom)) {
            Some(p) => (p.0, p.2) = (p.0.min(x), p.2.max(x)),
            None => self.panels.push((x, top, x, bottom)),
        }
    }

    /// The legend's label that starts with `name`, as (x, y), and the swatch just left of it.
    fn legend(&self, name: &str) -> ((i32, i32), &Line) {
        let mut labels = self.texts.iter().filter(|t| t.2.starts_with(name));
        let found = labels.find_map(|&(x, y, _)| {
            let swatch = self.lines.iter().find(|l| {
                let right = l.points.iter().map(|p| p.0).max().unwrap_or(i32::MIN);
                l.points.len() == 2
                    && (x - 16..=x).contains(&right)
                    && l.points.iter().all(|p| (p.1 - y).abs() <= 10)
            });
            swatch.map(|swatch| ((x, y), swatch))
        });
        found.unwrap_or_else(|| panic!("no legend '{name}' with a swatch"))
    }

    /// Where the legend's label that starts with `name` is.
    fn label(&self, name: &str) -> (i32, i32) {
        self.legend(name).0
    }

    /// The lines drawn in the colour of the legend's `name` in the panel the legend belongs
    /// to (the one it is in, or the first below it), but its swatch.
    fn drawn(&self, name: &str) -> Vec<&Line> {
        let ((x, y), swatch) = self.legend(name);
        let below = (0..self.panels.len())
            .filter(|&i| self.panels[i].3 >= y)
            .min_by_key(|&i| self.panels[i].1);
        let panel = self.panel_of((x, y)).or(below);
        let lines = self.lines.iter().filter(|l| {
            let first = l.points.first().copied().unwrap_or((i32::MIN, i32::MIN));
            l.colour == swatch.colour && l.points != swatch.points && self.panel_of(first) == panel
        });
        lines.collect()
    }

    /// The panel whose plot area holds `point` (a wide line may stand 3 pixels out of it).
    fn panel_of(&self, point: (i32, i32)) -> Option<usize> {
        self.panels.iter().position(|&(l, t, r, b)| {
            (l - 3..=r + 3).contains(&point.0) && (t - 3..=b + 3).contains(&point.1)
        })
    }

    /// The x pixel of run time `t_s` on a time axis that ends at `end_s`, on a tick.
    fn x_of(&self, t_s: f64, end_s: f64) -> i32 {
        let (left, _, right, _) = self.panels[0];
        left + ((right - left) as f64 * t_s / end_s).round() as i32
    }
}

#[test]
fn a_long_timeline_and_series_make_a_picture_of_bounded_size_in_seconds() {
    // A day of ticks and 100,000 changes: with 20,000 the SVG was 121 MB; 100,000 made
    // 647 MB, drawn in 1.1 GB.
    let spike = |i: u32| if i == 40_000 { 900.0 } else { 0.0 };
    let series: Vec<(f64, f64)> = (1..=86_400)
        .map(|i| (f64::from(i), 50.0 + f64::from(i % 600) / 10.0 + spike(i)))
        .collect();
    let mut timeline = vec![step(0.0, "limit", Some(10.0), "start")];
    timeline.extend((1..100_000).map(|i| {
        let knob = if i % 2 == 0 { "limit" } else { "rate" };
        step(
            f64::from(i) * 0.864,
            knob,
            Some(f64::from(i % 97 + 1)),
            "key",
        )
    }));
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("day.json");
    let day = summary("http://127.0.0.1:1/", 86_400.0, &series, &timeline);
    std::fs::write(&input, day.to_string()).expect("write");
    let svg = dir.path().join("day.svg");
    let started = Instant::now();
    let (status, rss_kib) = run_with_peak_rss(&["plot", path(&input), "-o", path(&svg)]);
    let took = started.elapsed();
    assert_eq!(status, 0, "sluice plot's exit status");
    let bytes = std::fs::metadata(&svg).expect("the SVG").len();
    assert!(bytes < 2 << 20, "the SVG is {bytes} bytes");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(rss_kib < 256 << 10, "peak RSS {rss_kib} KiB");
    // The one-second spike at 40,000 s still shows, though 72 seconds share each column.
    let parsed = Svg::parse(&std::fs::read_to_string(&svg).expect("the SVG"));
    let rps = parsed.drawn("req/s");
    let highest = rps.iter().flat_map(|l| &l.points).map(|p| p.1).min();
    let (_, top, _, bottom) = parsed.panels[0];
    let highest = highest.expect("a req/s line");
    assert!(
        highest < top + (bottom - top) / 4,
        "the spike reaches y {highest} of {top}..{bottom}"
    );
}

/// Runs sluice with `args`; its exit status and its peak resident set in KiB, as Python's
/// getrusage of its children reads it (no unsafe code here for wait4).
fn run_with_peak_rss(args: &[&str]) -> (i32, i64) {
    let measure = "import resource, subprocess, sys\n\
        code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n\
        print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = std::process::Command::new("python3")
        .args(["-c", measure, env!("CARGO_BIN_EXE_sluice")])
        .args(args)
        .output()
        .expect("python3 runs sluice");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text
        .split_whitespace()
        .map(|n| n.parse().expect("a number"));
    let status = numbers.next().expect("the exit status");
    (
        i32::try_from(status).expect("a status"),
        numbers.next().expect("the peak RSS"),
    )
}

/// Limit 50 at 50 req/s, with a target of 50/s: the limit (then on a right axis) lay exactly
/// on the req/s line, and the legend's box covered both at the top right.
fn equal_plot(dir: &Path) -> Svg {
    let timeline = [
        step(0.0, "limit", Some(50.0), "start"),
        step(0.0, "rate", Some(50.0), "start"),
    ];
    let equal = summary("http://127.0.0.1:1/", 12.0, &steady(), &timeline);
    Svg::parse(&plotted(dir, "equal", &equal))
}

#[test]
fn the_legends_are_outside_the_plots() {
    let dir = tempfile::tempdir().expect("dir");
    let svg = equal_plot(dir.path());
    assert!(!svg.panels.is_empty(), "no plot area found");
    for name in ["req/s", "target rate", "limit", "p50", "p99"] {
        let at = svg.label(name);
        assert_eq!(
            svg.panel_of(at),
            None,
            "the legend's {name} is inside a plot"
        );
    }
}

#[test]
fn the_limit_is_not_drawn_on_the_req_s_line() {
    let dir = tempfile::tempdir().expect("dir");
    let svg = equal_plot(dir.path());
    let panel_of = |name: &str| {
        let lines = svg.drawn(name);
        let first = lines.iter().flat_map(|l| &l.points).next();
        svg.panel_of(*first.unwrap_or_else(|| panic!("no {name} line")))
    };
    let (limit, rps) = (panel_of("limit"), panel_of("req/s"));
    assert_ne!(limit, rps, "the limit is drawn on the req/s panel");
    // The target rate shares req/s' axis and may lie on it: it is drawn over it, narrower.
    assert_eq!(panel_of("target rate"), rps);
    let (rps, rate) = (svg.drawn("req/s")[0], svg.drawn("target rate")[0]);
    assert!(rate.width < rps.width, "{} over {}", rate.width, rps.width);
    let order = |line: &Line| svg.lines.iter().position(|l| std::ptr::eq(l, line));
    assert!(order(rate) > order(rps), "the rate is drawn under req/s");
}

#[test]
fn a_rate_switched_off_is_a_gap_marked_off_never_a_target_of_zero() {
    let timeline = [
        step(0.0, "limit", Some(10.0), "start"),
        step(0.0, "rate", Some(50.0), "start"),
        step(4.0, "rate", None, "key"),
        step(8.0, "rate", Some(50.0), "key"),
    ];
    let off = summary("http://127.0.0.1:1/", 12.0, &steady(), &timeline);
    let dir = tempfile::tempdir().expect("dir");
    let svg = Svg::parse(&plotted(dir.path(), "off", &off));
    let middle = svg.x_of(6.0, 12.0);
    for line in svg.drawn("target rate") {
        let crosses = line
            .points
            .windows(2)
            .any(|w| w[0].0 < middle && middle < w[1].0);
        assert!(!crosses, "a target drawn while off: {:?}", line.points);
    }
    assert!(
        svg.texts.iter().any(|t| t.2 == "rate off"),
        "no 'rate off' mark"
    );
}

#[test]
fn strings_from_the_file_are_shown_escaped_and_cut() {
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e}<script>";
    let target = format!("http://127.0.0.1:1/{hostile}{}", "a".repeat(5000));
    let timeline = [
        step(0.0, "limit", Some(10.0), "start"),
        step(3.0, "limit", Some(20.0), "key"),
    ];
    let dir = tempfile::tempdir().expect("dir");
    let text = plotted(
        dir.path(),
        "hostile",
        &summary(&target, 12.0, &steady(), &timeline),
    );
    let raw = text
        .chars()
        .find(|&c| (c.is_control() && c != '\n') || c == '\u{202e}');
    assert_eq!(raw, None, "a raw control character in the SVG");
    assert!(!text.contains("<script"), "markup from the file");
    let svg = Svg::parse(&text);
    let title = svg.texts.iter().find(|t| t.2.starts_with("http://"));
    let title = &title.expect("the title").2;
    assert!(title.contains("\\x1b]0;PWNED\\x07"), "{title}");
    assert!(
        title.ends_with(": 12 s, 600 requests (0 failed), 50 req/s"),
        "{title}"
    );
    let longest = svg.texts.iter().map(|t| t.2.chars().count()).max();
    assert!(longest < Some(130), "a text of {longest:?} characters");
    assert!(
        svg.texts.iter().any(|t| t.2 == "limit 20"),
        "the mark's label"
    );
    // A timeline's words are the contract's: anything else is no summary, said in one
    // short, escaped line.
    for knob in [format!("limit{hostile}"), "x".repeat(5000)] {
        let timeline = [step(3.0, &knob, Some(20.0), "key")];
        let file = dir.path().join("words.json");
        let bad = summary("http://127.0.0.1:1/", 12.0, &steady(), &timeline);
        std::fs::write(&file, bad.to_string()).expect("write the summary");
        let svg = dir.path().join("words.svg");
        let err = refused(&sluice(&["plot", path(&file), "-o", path(&svg)]));
        assert!(err.contains("is not a JSON summary"), "{err}");
        assert!(!err.contains('\u{1b}') && err.len() < 600, "{err}");
    }
}

#[test]
fn a_partial_last_second_is_drawn_as_its_rate_or_left_out() {
    // The series' rps is a rate over each tick's own time (src/report/series.rs), a last
    // partial tick's included: 0.7 s at 50/s is drawn at 50; a 0.3 s stub (its few
    // responses are noise) is left out.
    let dir = tempfile::tempdir().expect("dir");
    for (last_s, drawn_to_s) in [(12.7, 12.7), (12.3, 12.0)] {
        let mut series = steady();
        series.push((last_s, 50.0));
        let run = summary("http://127.0.0.1:1/", last_s, &series, &[]);
        let svg = Svg::parse(&plotted(dir.path(), "partial", &run));
        let points: Vec<(i32, i32)> = svg
            .drawn("req/s")
            .iter()
            .flat_map(|l| l.points.clone())
            .collect();
        let last = *points.last().expect("a req/s line");
        assert!(
            points.iter().all(|p| p.1 == last.1),
            "not level: {points:?}"
        );
        // The twelfth point is at 12 s; the partial tick's, if drawn, 0.7 s on.
        let (x11, x12) = (points[10].0, points[11].0);
        let expected = x12 + ((x12 - x11) as f64 * (drawn_to_s - 12.0)).round() as i32;
        assert!(
            (last.0 - expected).abs() <= 1,
            "ends at {last:?}, not x {expected}"
        );
    }
}

#[test]
fn the_autopilot_s_bar_and_where_it_settled_are_drawn_and_its_moves_are_no_marks() {
    let dir = tempfile::tempdir().expect("dir");
    let mut timeline = vec![step(0.0, "limit", Some(10.0), "start")];
    timeline
        .extend((1..12).map(|t| step(f64::from(t), "limit", Some(10.0 + f64::from(t)), "auto")));
    let mut held = summary("http://t/", 12.0, &steady(), &timeline);
    held["hold"] = json!({"conditions": ["p99<8ms", "errors<1%"],
                          "settled": {"knob": "limit", "value": 20.0, "at_s": 9.0},
                          "held_share": 1.0});
    let svg = plotted(dir.path(), "held", &held);
    assert!(svg.contains("auto&apos;s bar p99&lt;8ms") || svg.contains("auto's bar p99&lt;8ms"));
    assert!(
        svg.contains("auto settled: limit 20 from 9 s"),
        "the settled value's entry"
    );
    assert!(
        !svg.contains("limit 21"),
        "the autopilot's moves are not marked one by one"
    );
    let mut hostile = held.clone();
    hostile["hold"]["held_share"] = json!(3.0);
    let input = dir.path().join("hostile.json");
    std::fs::write(&input, hostile.to_string()).expect("write");
    let out = sluice(&["plot", path(&input), "-o", path(&dir.path().join("h.svg"))]);
    assert!(
        refused(&out).contains("held_share"),
        "a share over 1 is refused"
    );
}

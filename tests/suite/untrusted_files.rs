//! Files and numbers from outside: summaries given to `merge`, `plot` and `--replay`, bodies,
//! URL files, durations and URLs with passwords. Each hostile case is refused with one line
//! and exit 2, quickly, without a panic, without memory it does not need, and without
//! showing a password or a control character.

use crate::common::{Behaviour, TestServer, closed_port, json_run, refused};
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Two real runs' JSON summaries (20 requests each against a test server), made once: a
/// merge refuses two summaries of one run, so the second file of a merge is the other run.
fn two_runs() -> &'static (Value, Value) {
    static RUNS: OnceLock<(Value, Value)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
        let run = || json_run(&["-n", "20", "-c", "2", &server.url()]);
        (run(), run())
    })
}

/// A real run's JSON summary.
fn real_summary() -> Value {
    two_runs().0.clone()
}

/// Another run's JSON summary.
fn second_summary() -> Value {
    two_runs().1.clone()
}

/// `value` written as JSON to `dir/name`; its path.
fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("write");
    path.display().to_string()
}

/// Runs the binary with `args` in `dir` (stdin closed), killed and failed if it takes longer
/// than `limit`; through `prlimit --as=BYTES` when `address_space` is given.
fn run_within(dir: &Path, args: &[&str], limit: Duration, address_space: Option<u64>) -> Output {
    let bin = env!("CARGO_BIN_EXE_sluice");
    let mut command = match address_space {
        Some(bytes) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--as={bytes}")).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let mut child = command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sluice");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sluice {args:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().expect("output")
}

/// Refused within a few seconds: exit 2, one line; the line.
fn refused_quickly(dir: &Path, args: &[&str]) -> String {
    refused(&run_within(dir, args, Duration::from_secs(5), None))
}

/// A URL nothing listens on: a run that got past its checks would fail, not hang.
fn nowhere() -> String {
    format!("http://127.0.0.1:{}/", closed_port())
}

/// An HdrHistogram V2 header (sluice's bounds) that declares `payload_len` bytes of counts.
fn v2_header(payload_len: u32) -> Vec<u8> {
    let mut b = Vec::new();
    for word in [0x1c84_9313u32, payload_len, 0, 3] {
        b.extend_from_slice(&word.to_be_bytes());
    }
    b.extend_from_slice(&1u64.to_be_bytes());
    b.extend_from_slice(&3_600_000_000u64.to_be_bytes());
    b.extend_from_slice(&1.0f64.to_be_bytes());
    b
}

/// `plain` deflated behind the V2-deflate cookie, as HdrHistogram's "HISTF…" strings are.
fn deflated(plain: &[u8]) -> String {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(plain).expect("deflate");
    let z = z.finish().expect("deflate");
    let mut b = 0x1c84_9314u32.to_be_bytes().to_vec();
    b.extend_from_slice(&(z.len() as u32).to_be_bytes());
    b.extend_from_slice(&z);
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Files in `dir` named like the temporary file an `-o` is written through.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".sluice-") && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_histogram_that_claims_gigabytes_is_refused_under_a_memory_limit() {
    let dir = tempfile::tempdir().expect("dir");
    let good = write(dir.path(), "a.json", &real_summary());
    let four_gib = deflated(&v2_header(u32::MAX));
    assert!(four_gib.len() < 60, "a few dozen characters: {four_gib}");
    let plain = base64::engine::general_purpose::STANDARD.encode(v2_header(u32::MAX));
    // A zip bomb: 64 MiB of zero counts, deflated to some 64 KiB.
    let mut bomb = v2_header(64 << 20);
    bomb.resize(bomb.len() + (64 << 20), 0);
    let bomb = deflated(&bomb);
    for (name, histogram, why) in [
        ("4gib", four_gib, "4294967295 bytes"),
        ("plain", plain, "4294967295 bytes"),
        ("bomb", bomb, "inflates to more than"),
    ] {
        let mut hostile = second_summary();
        hostile["histograms"]["latency"] = json!(histogram);
        let file = write(dir.path(), &format!("{name}.json"), &hostile);
        let started = Instant::now();
        let args = ["merge", &good, &file, "-o", "out.json"];
        let out = run_within(dir.path(), &args, Duration::from_secs(10), Some(300 << 20));
        let err = refused(&out);
        assert!(err.contains(&file) && err.contains(why), "{name}: {err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{name}: fast");
        assert!(
            temp_files(dir.path()).is_empty(),
            "{name}: a temp file left"
        );
        assert!(
            !dir.path().join("out.json").exists(),
            "{name}: nothing written"
        );
    }
}

#[test]
fn files_that_are_not_regular_files_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let fifo = fifo.display().to_string();
    let url = nowhere();
    for file in ["/dev/zero", fifo.as_str()] {
        let cases: [(&str, Vec<&str>); 5] = [
            ("-D", vec!["--no-tui", "-n", "1", "-D", file, &url]),
            (
                "--urls-from-file",
                vec!["--no-tui", "-n", "1", "--urls-from-file", file],
            ),
            ("--replay", vec!["--no-tui", "--replay", file, &url]),
            ("merge", vec!["merge", file, "b.json"]),
            ("plot", vec!["plot", file, "-o", "x.svg"]),
        ];
        for (flag, args) in cases {
            let err = refused_quickly(dir.path(), &args);
            assert!(
                err.contains(flag) && err.contains("not a regular file"),
                "{flag} {file}: {err}"
            );
        }
    }
}

#[test]
fn files_larger_than_their_kind_needs_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let sparse = |name: &str, bytes: u64| {
        let path = dir.path().join(name);
        let f = std::fs::File::create(&path).expect("create");
        f.set_len(bytes).expect("a sparse file");
        path.display().to_string()
    };
    let body = sparse("body", (64 << 20) + 1);
    let urls = sparse("urls.txt", (64 << 20) + 1);
    let url = nowhere();
    let err = refused_quickly(dir.path(), &["--no-tui", "-n", "1", "-D", &body, &url]);
    assert!(
        err.contains("-D") && err.contains("larger than 64 MiB"),
        "{err}"
    );
    for flag in ["--urls-from-file", "--targets"] {
        let err = refused_quickly(dir.path(), &["--no-tui", "-n", "1", flag, &urls]);
        assert!(
            err.contains(flag) && err.contains("larger than 64 MiB"),
            "{err}"
        );
    }
}

#[test]
fn durations_that_would_overflow_a_clock_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let url = nowhere();
    let huge = "18446744073709551615s";
    let bare = "10000000000000000000";
    let cases: [&[&str]; 8] = [
        &["-z", huge],
        &["-z", bare],
        &["-n", "1", "-t", bare],
        &["-n", "1", "-t", "2y"],
        &["-n", "1", "--connect-timeout", bare],
        &["--stages", &format!("{huge}:10,{huge}:20")],
        &[
            "--stages",
            "9000000000000000000s:10,9000000000000000000s:20",
        ],
        &["--stages", "200d:10,200d:20"],
    ];
    for args in cases {
        let mut all = vec!["--no-tui"];
        all.extend_from_slice(args);
        all.push(&url);
        let err = refused_quickly(dir.path(), &all);
        assert!(err.contains("1y"), "{args:?}: {err}");
    }
    let err = refused_quickly(dir.path(), &["demo", "--max-delay", huge]);
    assert!(err.contains("1y"), "{err}");
    let err = refused_quickly(dir.path(), &["--no-tui", "--until", "p99>2y", &url]);
    assert!(err.contains("1y"), "{err}");
}

#[test]
fn stages_that_steer_the_limit_keep_its_bounds() {
    let dir = tempfile::tempdir().expect("dir");
    let args = ["--no-tui", "--stages", "1s:5m", &nowhere()];
    let err = refused_quickly(dir.path(), &args);
    assert!(err.contains("above the highest limit, 1000000"), "{err}");
}

#[test]
fn a_replay_of_absurd_times_or_values_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let url = nowhere();
    // (name, duration_s, the change's t_s, knob, value, what the refusal names)
    let cases = [
        (
            "duration",
            json!(1e300),
            json!(1),
            "rate",
            json!(10),
            "duration_s",
        ),
        (
            "negative",
            json!(-5),
            json!(1),
            "rate",
            json!(10),
            "duration_s",
        ),
        ("late", json!(2), json!(1e300), "rate", json!(10), "t_s"),
        ("early", json!(2), json!(-1), "rate", json!(10), "t_s"),
        (
            "rate",
            json!(2),
            json!(1),
            "rate",
            json!(1e300),
            "highest rate",
        ),
        ("slow", json!(2), json!(1), "rate", json!(-3), "the rate"),
        (
            "limit",
            json!(2),
            json!(1),
            "limit",
            json!(1e300),
            "highest limit",
        ),
        (
            "limit2",
            json!(2),
            json!(1),
            "limit",
            json!(2e6),
            "highest limit",
        ),
    ];
    for (name, duration, t, knob, value, why) in cases {
        let change = json!({"t_s": t, "knob": knob, "value": value, "source": "key"});
        let start = json!({"t_s": 0, "knob": "limit", "value": 2, "source": "start"});
        let summary = json!({"duration_s": duration, "timeline": [start, change]});
        let file = write(dir.path(), &format!("{name}.json"), &summary);
        let err = refused_quickly(dir.path(), &["--no-tui", "--replay", &file, &url]);
        assert!(
            err.contains("--replay") && err.contains(why),
            "{name}: {err}"
        );
    }
}

/// `second_summary` with `change` made, written to `dir/name`.
fn changed(dir: &Path, name: &str, change: impl Fn(&mut Value)) -> String {
    changed_from(second_summary(), dir, name, change)
}

/// `base` with `change` made, written to `dir/name`.
fn changed_from(mut base: Value, dir: &Path, name: &str, change: impl Fn(&mut Value)) -> String {
    change(&mut base);
    write(dir, name, &base)
}

#[test]
fn a_merge_whose_sums_overflow_or_whose_times_are_absurd_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let half = json!(1u64 << 63);
    let big_a = changed_from(real_summary(), d, "big_a.json", |s| {
        s["bytes_received"] = half.clone()
    });
    let big_b = changed(d, "big_b.json", |s| s["bytes_received"] = half.clone());
    let err = refused_quickly(d, &["merge", &big_a, &big_b]);
    assert!(
        err.contains(&big_b) && err.contains("bytes_received"),
        "{err}"
    );
    let aborted =
        |base, name| changed_from(base, d, name, |s| s["requests"]["aborted"] = half.clone());
    let (ab_a, ab_b) = (
        aborted(real_summary(), "ab_a.json"),
        aborted(second_summary(), "ab_b.json"),
    );
    let err = refused_quickly(d, &["merge", &ab_a, &ab_b]);
    assert!(err.contains("overflows"), "{err}");

    let good = write(d, "good.json", &real_summary());
    let hostile = [
        ("start.json", "started_at_unix_s", json!(1e300)),
        ("past.json", "started_at_unix_s", json!(-1)),
        ("long.json", "duration_s", json!(1e300)),
        ("rps.json", "throughput_rps", json!(-1)),
    ];
    for (name, field, value) in hostile {
        let file = changed(d, name, |s| s[field] = value.clone());
        let err = refused_quickly(d, &["merge", &good, &file]);
        assert!(err.contains(&file) && err.contains(field), "{name}: {err}");
    }
    let file = changed(d, "tick.json", |s| s["series"][0]["t_s"] = json!(1e300));
    let err = refused_quickly(d, &["merge", &good, &file]);
    assert!(err.contains(&file) && err.contains("series t_s"), "{err}");
    let file = changed(d, "1971.json", |s| {
        s["started_at_unix_s"] = json!(31_536_000.0)
    });
    let err = refused_quickly(d, &["merge", &good, &file]);
    assert!(err.contains("not one test"), "{err}");
}

#[test]
fn a_merge_of_histograms_that_disagree_with_the_counts_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let good = write(d, "good.json", &real_summary());
    let more = changed(d, "more.json", |s| {
        let ok = s["requests"]["ok"].as_u64().expect("ok");
        let total = s["requests"]["total"].as_u64().expect("total");
        s["requests"]["ok"] = json!(ok + 5);
        s["requests"]["total"] = json!(total + 5);
    });
    let err = refused_quickly(d, &["merge", &good, &more]);
    assert!(
        err.contains(&more) && err.contains("requests.ok says"),
        "{err}"
    );
    let lying = changed(d, "total.json", |s| s["requests"]["total"] = json!(3));
    let err = refused_quickly(d, &["merge", &good, &lying]);
    assert!(err.contains("requests.total 3"), "{err}");
}

#[test]
fn the_same_file_given_twice_under_any_spelling_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    write(d, "a.json", &real_summary());
    write(d, "b.json", &second_summary());
    std::fs::create_dir(d.join("sub")).expect("dir");
    std::os::unix::fs::symlink(d.join("a.json"), d.join("link.json")).expect("symlink");
    std::fs::hard_link(d.join("a.json"), d.join("hard.json")).expect("hard link");
    for twice in [
        "a.json",
        "./a.json",
        "sub/../a.json",
        "link.json",
        "hard.json",
    ] {
        let err = refused_quickly(d, &["merge", "a.json", "b.json", twice]);
        assert!(
            err.contains("same file") && err.contains("'a.json'") && err.contains(twice),
            "{twice}: {err}"
        );
    }
    let out = run_within(
        d,
        &["merge", "a.json", "b.json"],
        Duration::from_secs(10),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary; stdout and stderr together, with the exit code.
fn all_output(args: &[&str]) -> (Option<i32>, String) {
    let dir = std::env::temp_dir();
    let out = run_within(&dir, args, Duration::from_secs(10), None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn no_password_is_ever_printed_even_in_a_url_that_does_not_parse() {
    let secret = "Zq9secret";
    let urls = [
        format!("http://user:s3?{secret}@127.0.0.1/"),
        format!("http://user:a/{secret}@127.0.0.1:80/"),
        format!("http://user:{secret}/x@host:99999/"),
        format!("http://user:{secret}@ho st/"),
        format!("http://user:{secret}#x@127.0.0.1/"),
        format!("ftp://user:{secret}@127.0.0.1/"),
        format!("user:{secret}@127.0.0.1:80/"),
        format!("http://user:{secret}@127.0.0.1:0/"),
    ];
    let dir = tempfile::tempdir().expect("dir");
    let url = nowhere();
    for bad in &urls {
        let file = dir.path().join("urls.txt");
        std::fs::write(&file, format!("{url}\n{bad}\n")).expect("write");
        let file = file.display().to_string();
        let runs: [Vec<&str>; 3] = [
            vec!["--no-tui", "-n", "1", bad],
            vec!["--no-tui", "-n", "1", "-x", bad, &url],
            vec!["--no-tui", "-n", "1", "--urls-from-file", &file],
        ];
        for args in runs {
            let (code, text) = all_output(&args);
            assert_eq!(code, Some(2), "{args:?}: {text}");
            assert!(!text.contains(secret), "{args:?}: {text}");
            assert!(text.contains("user:***@"), "{args:?}: {text}");
        }
    }
}

#[test]
fn control_characters_from_files_are_escaped() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let with_target = |base, name| changed_from(base, d, name, |s| s["target"] = json!(hostile));
    let (a, b) = (
        with_target(real_summary(), "a.json"),
        with_target(second_summary(), "b.json"),
    );
    let text = ["merge", &a, &b, "--output-format", "text"];
    for args in [&text[..], &["merge", &a, &b, "--output-format", "csv"]] {
        let out = run_within(d, args, Duration::from_secs(10), None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(shown.contains("\\x1b]0;PWNED\\x07"), "{shown}");
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
    }
    let good = write(d, "good.json", &real_summary());
    let err = refused_quickly(d, &["merge", &good, &b]);
    assert!(
        err.contains("\\x1b]0;PWNED") && !err.contains('\u{1b}'),
        "{err}"
    );
    let urls = d.join("urls.txt");
    std::fs::write(
        &urls,
        format!("{}\nhttp://127.0.0.1/{hostile}\n", nowhere()),
    )
    .expect("write");
    let urls = urls.display().to_string();
    let err = refused_quickly(d, &["--no-tui", "-n", "1", "--urls-from-file", &urls]);
    assert!(err.contains("line 2") && !err.contains('\u{1b}'), "{err}");
}

#[test]
fn a_plot_of_absurd_times_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    for (name, path, value) in [
        ("long.json", "/duration_s", json!(1e300)),
        ("late.json", "/series/0/t_s", json!(1e300)),
        ("early.json", "/series/0/t_s", json!(-1)),
        ("rps.json", "/series/0/rps", json!(-1e300)),
    ] {
        let file = changed(d, name, |s| {
            *s.pointer_mut(path).expect("field") = value.clone()
        });
        let err = refused_quickly(d, &["plot", &file, "-o", "out.svg"]);
        assert!(err.contains("plot") && err.contains(&file), "{name}: {err}");
        assert!(!d.join("out.svg").exists(), "{name}: nothing drawn");
    }
}

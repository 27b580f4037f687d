//! Trust: traffic goes only where it was aimed, nothing of the user's is overwritten, no
//! result is lost, and the bounds hold. The real binary against servers on 127.0.0.1.
#![allow(clippy::disallowed_macros)] // prints for its reader; a closed pipe may end it

use crate::common::{Behaviour, TestServer, json_run, refused, sluice, spawn_json_run, wait_until};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_url_sluice_cannot_take_as_written_is_refused() {
    for url in [
        "http://127.0.0.1:99999/",
        "http://[::1]:notaport/",
        "http://127.0.0.1:0/",
        "http://127.0.0.1:/",
        "http://127.0.0.1:8080/#x",
    ] {
        let err = refused(&sluice(&["--no-tui", "-n", "1", url]));
        assert!(err.contains(url.split('#').next().unwrap_or(url)), "{err}");
    }
}

#[test]
fn userinfo_is_basic_auth_and_the_password_is_never_printed() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = format!("http://user:s3cret@{}/", server.addr);
    let out = sluice(&[
        "--no-tui",
        "--output-format",
        "json",
        "-n",
        "3",
        "-c",
        "1",
        &url,
    ]);
    assert!(out.status.success());
    let (host, auth) = server.seen.last_headers();
    assert_eq!(host, server.addr.to_string(), "no userinfo in Host");
    // base64("user:s3cret")
    assert_eq!(auth, "Basic dXNlcjpzM2NyZXQ=");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "the password was printed: {all}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        summary["target"],
        format!("http://user:***@{}/", server.addr).as_str()
    );
}

#[test]
fn a_content_length_that_contradicts_the_body_is_refused() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let url = server.url();
    let err = refused(&sluice(&[
        "--no-tui",
        "-n",
        "1",
        "-H",
        "Content-Length: 5",
        &url,
    ]));
    assert!(err.contains("Content-Length"), "{err}");
    let err = refused(&sluice(&[
        "--no-tui",
        "-n",
        "1",
        "-H",
        "Transfer-Encoding: chunked",
        "-d",
        "x",
        &url,
    ]));
    assert!(err.contains("Transfer-Encoding"), "{err}");
    assert_eq!(server.seen.requests(), 0, "no request was sent");
}

#[test]
fn a_summary_that_cannot_be_written_is_refused_before_any_load() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().to_str().expect("utf-8");
    for target in [folder, "/proc/sluice-test.json"] {
        let err = refused(&sluice(&[
            "--no-tui",
            "-n",
            "5",
            "-o",
            target,
            &server.url(),
        ]));
        assert!(err.contains("-o"), "{err}");
    }
    assert_eq!(server.seen.requests(), 0, "no request was sent");
}

/// Runs `-n 5` headless with a JSON summary written to `path`.
fn write_summary_to(server: &TestServer, path: &Path) -> std::process::Output {
    let p = path.to_str().expect("utf-8");
    sluice(&[
        "--no-tui",
        "--output-format",
        "json",
        "-n",
        "5",
        "-o",
        p,
        &server.url(),
    ])
}

#[test]
fn an_existing_file_keeps_its_mode_and_a_symlink_is_followed() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").expect("seed");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).expect("symlink");
    assert!(write_summary_to(&server, &link).status.success());
    let link_md = std::fs::symlink_metadata(&link).expect("lstat");
    assert!(link_md.file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(&real).expect("read");
    assert!(text.contains("\"requests\""), "{text}");
    let mode = std::fs::metadata(&real).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the file's own mode is kept");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        2,
        "no temp left"
    );
}

#[test]
fn a_new_file_follows_the_umask() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.json");
    let status = Command::new("sh")
        .args(["-c", "umask 027; exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_sluice"))
        .args(["--no-tui", "-n", "2", "-o"])
        .arg(&path)
        .arg(server.url())
        .stdin(Stdio::null())
        .status()
        .expect("run");
    assert!(status.success());
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "0666 less the umask 027");
}

#[test]
fn a_fifo_is_written_through_not_replaced() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let fifo = dir.path().join("summary.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    assert!(write_summary_to(&server, &fifo).status.success());
    // Checked before joining: a replaced FIFO would leave the reader waiting forever.
    let md = std::fs::symlink_metadata(&fifo).expect("lstat");
    assert!(md.file_type().is_fifo(), "the FIFO was replaced");
    let text = reader.join().expect("reader");
    assert!(text.contains("\"requests\""), "{text}");
}

#[test]
fn a_character_device_is_written_through_not_replaced() {
    // A null device of the test's own (never /dev/null: a build with the defect would replace
    // the machine's). Making one needs root; elsewhere there is nothing to check.
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("dir");
    let dev = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mknod needs root");
        return;
    }
    assert!(write_summary_to(&server, &dev).status.success());
    let md = std::fs::symlink_metadata(&dev).expect("lstat");
    assert!(md.file_type().is_char_device(), "the device was replaced");
}

#[test]
fn a_summary_that_fails_at_the_end_is_printed_on_stdout_and_exits_1() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(5)));
    let dir = tempfile::tempdir().expect("dir");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    let out = sub.join("out.json");
    let child = spawn_json_run(&[
        "-z",
        "2s",
        "-c",
        "2",
        "-o",
        out.to_str().expect("utf-8"),
        &server.url(),
    ]);
    wait_until("requests arrive", Duration::from_secs(10), || {
        server.seen.requests() > 0
    });
    // The folder goes away while the run goes on: the rename at the end must fail.
    std::fs::remove_dir_all(&sub).expect("rm");
    let result = child.wait_with_output().expect("wait");
    assert_eq!(result.status.code(), Some(1));
    let summary: serde_json::Value =
        serde_json::from_slice(&result.stdout).expect("the summary is on stdout");
    assert!(summary["requests"]["ok"].as_u64().unwrap_or(0) > 0);
}

/// Starts a headless run writing its summary to a file, waits for load, sends `signal`.
fn run_and_signal(signal: &str) {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(2)));
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("out.json");
    let mut child = spawn_json_run(&["-c", "2", "-o", out.to_str().expect("utf-8"), &server.url()]);
    wait_until("requests arrive", Duration::from_secs(10), || {
        server.seen.requests() > 10
    });
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "SIG{signal} ended the run cleanly");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("summary written"))
            .expect("json");
    assert!(
        summary["requests"]["ok"].as_u64().unwrap_or(0) > 0,
        "SIG{signal}: {summary}"
    );
}

#[test]
fn sighup_sigquit_and_sigusr1_still_write_the_summary() {
    for signal in ["HUP", "QUIT", "USR1"] {
        run_and_signal(signal);
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "-n",
            "50",
            &server.url(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // like `| head -c 0`: the reader is gone
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("sluice:"), "quiet: {err}");
}

#[test]
fn a_run_against_a_silent_server_ends_on_time_and_no_response_is_later_than_t() {
    let server = TestServer::start(Behaviour::Stall);
    let started = Instant::now();
    let summary = json_run(&["-c", "2000", "-z", "2s", "-t", "500ms", &server.url()]);
    let wall = started.elapsed();
    assert!(wall < Duration::from_millis(2800), "ran {wall:?} for -z 2s");
    let duration = summary["duration_s"].as_f64().expect("duration");
    assert!(duration < 2.3, "duration_s {duration}");
    assert_eq!(summary["requests"]["ok"], 0);
    assert!(summary["latency_ms"].is_null(), "no responses, no latency");
    assert_eq!(
        summary["throughput_rps"], 0.0,
        "failures are not throughput"
    );
}

/// A TCP server on 127.0.0.1 that accepts connections and never sends a byte.
fn silent_tcp_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    addr
}

#[test]
fn a_tls_handshake_to_a_silent_server_is_bounded_by_the_connect_timeout() {
    let url = format!("https://{}/", silent_tcp_server());
    let started = Instant::now();
    let summary = json_run(&[
        "-n",
        "2",
        "-c",
        "1",
        "-t",
        "20s",
        "--connect-timeout",
        "300ms",
        &url,
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(summary["errors"]["connect_timeout"], 2, "{summary}");
}

#[test]
fn a_large_body_is_held_once_however_many_connections_send_it() {
    const BODY_MB: u64 = 32;
    let server = TestServer::start(Behaviour::ReadBody);
    let dir = tempfile::tempdir().expect("dir");
    let body = dir.path().join("big.bin");
    std::fs::write(&body, vec![b'x'; (BODY_MB << 20) as usize]).expect("body");
    let summary = json_run(&[
        "-m",
        "POST",
        "-D",
        body.to_str().expect("utf-8"),
        "-n",
        "8",
        "-c",
        "8",
        &server.url(),
    ]);
    assert_eq!(summary["requests"]["ok"], 8, "{summary}");
    assert_eq!(
        server
            .seen
            .body_bytes
            .load(std::sync::atomic::Ordering::SeqCst),
        8 * (BODY_MB << 20)
    );
    let peak_mb = summary["memory"]["peak_rss_kib"].as_u64().expect("rss") / 1024;
    // Held once: the body plus the process (~10 MB); a copy per connection would be 8x.
    assert!(
        peak_mb < 3 * BODY_MB,
        "peak RSS {peak_mb} MB for a {BODY_MB} MB body at -c 8"
    );
}

#[test]
fn headless_prints_a_line_per_second_and_one_final_line() {
    let server = TestServer::start(Behaviour::Delay(Duration::from_millis(1)));
    let dir = tempfile::tempdir().expect("dir");
    let summary = dir.path().join("summary.txt");
    let summary = summary.to_str().expect("utf-8");
    for _ in 0..2 {
        let out = sluice(&[
            "--no-tui",
            "-z",
            "2s",
            "-c",
            "4",
            "-o",
            summary,
            &server.url(),
        ]);
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<_> = err.lines().filter(|l| l.contains("/2s")).collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(lines[0].trim_start().starts_with("1.0s/2s  "), "{err}");
        assert!(
            lines[1].contains("[done]") && lines[1].contains("(whole run)"),
            "{err}"
        );
        assert!(!err.contains("[stopping]"), "{err}");
    }
}

#[test]
fn a_demo_target_on_every_network_says_so() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["demo", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let first = first.expect("a line on stderr");
    assert!(
        first.contains("warning") && first.contains("every network"),
        "{first}"
    );
}

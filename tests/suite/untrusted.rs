//! Hostile surroundings: closed pipes, FIFOs, signals in every phase. The real binary against
//! servers this test starts on 127.0.0.1.

use crate::common::{Behaviour, TestServer, sluice};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs the binary with stderr (and stdout, when `close_stdout`) a pipe nobody reads: the
/// reading end is closed before it starts, so every write gets EPIPE.
fn with_closed_pipes(args: &[&str], close_stdout: bool) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut command = Command::new(env!("CARGO_BIN_EXE_sluice"));
    command.args(args).stdin(Stdio::null());
    command.stderr(writer.try_clone().expect("clone the pipe"));
    if close_stdout {
        command.stdout(writer);
    } else {
        command.stdout(Stdio::piped());
    }
    command.output().expect("run sluice")
}

#[test]
fn a_closed_stderr_changes_no_exit_code() {
    let bad = with_closed_pipes(&["--no-tui", "-n", "0", "http://127.0.0.1:1/"], true);
    assert_eq!(bad.status.code(), Some(2), "bad input is still exit 2");

    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("run.json");
    let out = out.to_str().expect("utf-8 path");
    let written = with_closed_pipes(&["--no-tui", "-n", "20", &server.url(), "-o", out], true);
    assert_eq!(written.status.code(), Some(0), "the summary was written");
    assert!(
        std::fs::read_to_string(out)
            .expect("summary")
            .contains("Summary")
    );

    let missed = with_closed_pipes(
        &[
            "--no-tui",
            "-n",
            "20",
            &server.url(),
            "--fail-if",
            "p50>0ms",
        ],
        false,
    );
    assert_eq!(
        missed.status.code(),
        Some(3),
        "a missed bar is still exit 3"
    );
    assert!(String::from_utf8_lossy(&missed.stdout).contains("Summary"));

    let help = with_closed_pipes(&["--help"], true);
    assert_eq!(help.status.code(), Some(0));
    let reference = sluice(&["--version"]);
    assert!(reference.status.success());
}

#[test]
fn one_file_under_two_spellings_is_refused_as_both_the_summary_and_the_log() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sub")).expect("sub folder");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("link")).expect("folder link");
    let summary = dir.path().join("run.json");
    let spellings = [
        dir.path().join("sub/../run.json"),
        dir.path().join("link/run.json"),
        dir.path().join("./run.json"),
    ];
    for other in &spellings {
        let (summary, other) = (
            summary.to_str().expect("utf-8"),
            other.to_str().expect("utf-8"),
        );
        let args = [
            "--no-tui",
            "-n",
            "5",
            &server.url(),
            "-o",
            summary,
            "--hdr-log",
            other,
        ];
        let err = crate::common::refused(&sluice(&args));
        assert!(err.contains("also the summary's file"), "{other}: {err}");
    }
    assert_eq!(server.seen.requests(), 0, "no load before the refusals");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        2,
        "nothing written"
    );
}

/// A FIFO nobody reads yet, in a folder of its own.
fn fifo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(made.success());
    (dir, path)
}

/// The binary, headless, its stderr collected line by line as it comes.
struct Watched {
    child: std::process::Child,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Watched {
    fn start(args: &[&str]) -> Watched {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sluice");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (mut pipe, seen) = (child.stderr.take().expect("stderr"), stderr.clone());
        let reader = std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                seen.lock().expect("stderr").push_str(&text);
            }
        });
        Watched {
            child,
            stderr,
            reader: Some(reader),
        }
    }

    fn said(&self, what: &str) -> bool {
        self.stderr.lock().expect("stderr").contains(what)
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([name, &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
    }

    /// Waits (with a deadline) for the exit; the exit code, stdout and stderr.
    fn ended(mut self, within: Duration) -> (Option<i32>, String, String) {
        use std::io::Read;
        crate::common::wait_until("sluice exits", within, || {
            self.child.try_wait().expect("wait").is_some()
        });
        let status = self.child.wait().expect("exit status");
        let mut stdout = String::new();
        let mut pipe = self.child.stdout.take().expect("stdout");
        pipe.read_to_string(&mut stdout).expect("stdout");
        if let Some(reader) = self.reader.take() {
            reader
                .join()
                .expect("the stderr reader ends at the pipe's end");
        }
        let stderr = self.stderr.lock().expect("stderr").clone();
        (status.code(), stdout, stderr)
    }
}

impl Drop for Watched {
    /// A test that failed before the exit leaves no process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn an_hdr_log_fifo_nobody_reads_blocks_neither_the_load_nor_the_signals() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let (_dir, log) = fifo();
    let log = log.to_str().expect("utf-8");
    let run = Watched::start(&[
        "--no-tui",
        "-n",
        "50",
        "-c",
        "5",
        &server.url(),
        "--hdr-log",
        log,
    ]);
    crate::common::wait_until("the load runs", Duration::from_secs(60), || {
        server.seen.requests() == 50
    });
    run.signal("-TERM");
    let (code, stdout, stderr) = run.ended(Duration::from_secs(30));
    assert_eq!(code, Some(1), "the log was not written: {stderr}");
    assert!(
        stdout.contains("Summary"),
        "the summary still comes: {stdout}"
    );
    assert!(stderr.contains("cannot write the HDR log"), "{stderr}");
}

#[test]
fn a_summary_fifo_waits_for_its_reader_and_a_signal_gives_up_to_stdout() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let (_dir, out) = fifo();
    let out = out.to_str().expect("utf-8");
    let run = Watched::start(&["--no-tui", "-n", "20", &server.url(), "-o", out]);
    crate::common::wait_until("it says what it waits for", Duration::from_secs(60), || {
        run.said("still writing to")
    });
    run.signal("-INT");
    let (code, stdout, stderr) = run.ended(Duration::from_secs(30));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.contains("Summary"),
        "printed on stdout instead: {stdout}"
    );
    assert!(stderr.contains("printed on stdout instead"), "{stderr}");
}

#[test]
fn a_summary_fifo_whose_reader_comes_late_gets_the_summary() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let (_dir, out) = fifo();
    let path = out.to_str().expect("utf-8");
    let args = [
        "--no-tui",
        "-n",
        "20",
        "--output-format",
        "json",
        &server.url(),
        "-o",
        path,
    ];
    let run = Watched::start(&args);
    crate::common::wait_until("it waits for the reader", Duration::from_secs(60), || {
        run.said("still writing to")
    });
    let read = std::fs::read_to_string(&out).expect("read the FIFO");
    let (code, _, stderr) = run.ended(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&read).expect("the summary, whole");
    assert_eq!(summary["requests"]["total"], 20);
}

#[test]
fn plot_and_merge_never_write_over_a_summary_they_read() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let dir = tempfile::tempdir().expect("temp dir");
    let run = dir.path().join("run.json");
    let run = run.to_str().expect("utf-8");
    let args = [
        "--no-tui",
        "-n",
        "20",
        "--output-format",
        "json",
        &server.url(),
        "-o",
        run,
    ];
    assert!(sluice(&args).status.success());
    let before = std::fs::read(run).expect("the summary");
    let other = dir.path().join("other.json");
    std::fs::copy(run, &other).expect("a second summary");
    std::os::unix::fs::symlink(run, dir.path().join("run.svg")).expect("a link named .svg");
    let link = dir.path().join("run.svg");
    let err = crate::common::refused(&sluice(&["plot", run, "-o", link.to_str().expect("utf-8")]));
    assert!(err.contains("is the summary it reads"), "{err}");
    let spelled = dir.path().join("./run.json");
    let other = other.to_str().expect("utf-8");
    let merge = ["merge", other, run, "-o", spelled.to_str().expect("utf-8")];
    let err = crate::common::refused(&sluice(&merge));
    assert!(err.contains("one of the summaries it reads"), "{err}");
    assert_eq!(
        std::fs::read(run).expect("the summary"),
        before,
        "left as it was"
    );
}

#[test]
fn a_fleet_whose_summary_fifo_has_no_reader_still_ends_at_a_signal() {
    let server = TestServer::start(Behaviour::Delay(Duration::ZERO));
    let worker =
        crate::common::spawn_worker(&[&server.url(), "-n", "200", "-c", "2"], "fifo-token");
    let (_dir, out) = fifo();
    let out = out.to_str().expect("utf-8");
    let args = [
        "fleet",
        "--no-tui",
        "--control-token",
        "fifo-token",
        &worker.addr,
        "-o",
        out,
    ];
    let fleet = Watched::start(&args);
    crate::common::wait_until("it waits for the reader", Duration::from_secs(60), || {
        fleet.said("still writing to")
    });
    fleet.signal("-TERM");
    let (code, _, stderr) = fleet.ended(Duration::from_secs(30));
    assert_eq!(code, Some(1), "the summary was not written: {stderr}");
    assert!(
        stderr.contains("a signal came before it was written"),
        "{stderr}"
    );
}

//! Hostile surroundings: closed pipes, FIFOs, signals in every phase. The real binary against
//! servers this test starts on 127.0.0.1.

mod common;

use common::{Behaviour, TestServer, sluice};
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

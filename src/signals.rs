//! Every catchable signal that would end the process (Ctrl-C, SIGTERM, SIGHUP when the
//! terminal goes, SIGQUIT, SIGUSR1, ...) ends the run gracefully instead, so the summary is
//! still written; a second Ctrl-C ends the process at once. SIGPIPE stays ignored (Rust's
//! default), so a closed stdout is an EPIPE the summary writer handles.

use std::future::poll_fn;
use std::io::Write;
use std::task::Poll;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// The signals whose default action ends the process and that a program may catch.
fn ending_signals() -> Vec<i32> {
    let mut all = vec![
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGXCPU,
        libc::SIGXFSZ,
        libc::SIGIO,
    ];
    #[cfg(target_os = "linux")]
    {
        all.extend([libc::SIGPWR, libc::SIGSTKFLT]);
        all.extend(libc::SIGRTMIN()..=libc::SIGRTMAX());
    }
    all
}

/// Listens for the ending signals (registered now, so none is missed once this returns).
pub struct Signals {
    listeners: Vec<Signal>,
}

impl Signals {
    /// Registers a handler for every ending signal that can be registered.
    pub fn listen() -> Signals {
        let listeners = ending_signals()
            .into_iter()
            .filter_map(|n| signal(SignalKind::from_raw(n)).ok())
            .collect();
        Signals { listeners }
    }

    /// Resolves at the first of them.
    pub async fn first(&mut self) {
        poll_fn(|cx| {
            for s in &mut self.listeners {
                if s.poll_recv(cx).is_ready() {
                    return Poll::Ready(());
                }
            }
            Poll::Pending
        })
        .await
    }
}

/// Waits for an ending signal and calls `stop`; after that, a second Ctrl-C calls `restore`
/// (the terminal) and exits at once.
pub async fn stop_on_signal(mut signals: Signals, stop: impl FnOnce(), restore: fn()) {
    signals.first().await;
    stop();
    if tokio::signal::ctrl_c().await.is_ok() {
        restore();
        let _ = writeln!(std::io::stderr(), "sluice: interrupted twice, exiting now");
        std::process::exit(130);
    }
}

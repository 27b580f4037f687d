//! Every catchable signal that would end the process (Ctrl-C, SIGTERM, SIGHUP when the
//! terminal goes, SIGQUIT, SIGUSR1, ...) ends the run gracefully instead, so the summary is
//! still written; a second Ctrl-C ends the process at once. SIGPIPE stays ignored (Rust's
//! default), so a closed stdout is an EPIPE the summary writer handles.

use std::future::poll_fn;
use std::io::Write;
use std::task::Poll;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;

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

/// How long the end of a run that a signal ended waits for a slow destination (a FIFO's
/// reader, a watcher of the control API) before it gives up.
pub const END_GRACE: Duration = Duration::from_secs(2);

/// How many ending signals have come, counted by a task that lives as long as the runtime:
/// the end of a run, after the run's own watch is gone, still knows a signal came (none is
/// lost between the two) and still hears the next one.
#[derive(Clone)]
pub struct Ending(watch::Receiver<u64>);

impl Ending {
    /// Counts the signals `signals` hears from now on.
    pub fn count(mut signals: Signals) -> Ending {
        let (tx, rx) = watch::channel(0);
        tokio::spawn(async move {
            loop {
                signals.first().await;
                tx.send_modify(|n| *n += 1);
            }
        });
        Ending(rx)
    }

    /// Resolves when `n` signals have come in all.
    async fn reached(&self, n: u64) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|count| *count >= n).await;
    }

    /// What ends a wait at the end of a run (writing its summary, a FIFO's reader, the
    /// control API's linger): the next signal, or, when a signal ended the run already,
    /// `END_GRACE`.
    pub async fn give_up(&self) {
        let now = *self.0.borrow();
        let next = self.reached(now + 1);
        match now {
            0 => next.await,
            _ => {
                tokio::select! {
                    () = next => (),
                    () = tokio::time::sleep(END_GRACE) => (),
                }
            }
        }
    }

    /// `work`, or None if `give_up` comes first.
    pub async fn unless_given_up<T>(
        &self,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        tokio::select! {
            biased;
            value = work => Some(value),
            () = self.give_up() => None,
        }
    }
}

/// Waits for an ending signal and calls `stop`; after that, a second one (a second Ctrl-C)
/// calls `restore` (the terminal) and exits at once.
pub async fn stop_on_ending(ending: Ending, stop: impl FnOnce(), restore: fn()) {
    ending.reached(1).await;
    stop();
    ending.reached(2).await;
    restore();
    let _ = writeln!(std::io::stderr(), "sluice: interrupted twice, exiting now");
    std::process::exit(130);
}

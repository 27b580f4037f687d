//! Ctrl-C and SIGTERM end the run gracefully; a second Ctrl-C ends the process at once.

use crate::generator::Handle;
use std::io::Write;
use tokio_util::sync::CancellationToken;

/// Waits for Ctrl-C or SIGTERM, then stops the generator and tells the view to leave
/// (`terminate`); the summary still gets written.
pub async fn stop_on_signal(generator: Handle, terminate: CancellationToken) {
    if first_signal().await.is_err() {
        return;
    }
    generator.stop();
    terminate.cancel();
    if tokio::signal::ctrl_c().await.is_ok() {
        crate::tui::restore_terminal();
        let _ = writeln!(std::io::stderr(), "sluice: interrupted twice, exiting now");
        std::process::exit(130);
    }
}

#[cfg(unix)]
async fn first_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn first_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}

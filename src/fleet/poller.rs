//! Following one worker: its every tick (a long poll on `/status?after=N`), whether it
//! answers, and its summary once its run has ended.

use super::worker_client::WorkerClient;
use crate::control::status::Status;
use crate::generator::RunState;
use crate::report::Summary;
use http::Uri;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long to wait before asking a worker that did not answer again.
const RETRY: Duration = Duration::from_millis(500);

/// What the fleet knows of one worker.
#[derive(Debug, Clone, Default)]
pub struct WorkerView {
    /// Its latest status (kept when it goes down: what it did still counts).
    pub status: Option<Status>,
    /// It answered the last poll.
    pub up: bool,
    /// Its run ended and its summary was fetched (or could not be).
    pub finished: bool,
    pub summary: Option<Summary>,
    /// Why it is down, or why its summary is missing.
    pub trouble: Option<String>,
}

impl WorkerView {
    /// Whether the fleet waits for it: it still runs, or (while the workers may still be
    /// starting) it has not answered yet.
    pub fn pending(&self, starting: bool) -> bool {
        !self.finished && (self.up || (self.status.is_none() && starting))
    }
}

/// Polls `base` until its run ends (then fetches the summary) or `stop`.
pub async fn follow(
    client: WorkerClient,
    base: Uri,
    view: watch::Sender<WorkerView>,
    stop: CancellationToken,
) {
    let mut after = 0;
    loop {
        let polled = tokio::select! {
            _ = stop.cancelled() => return,
            polled = client.status(&base, after) => polled,
        };
        match polled {
            Ok(status) => {
                after = status.tick;
                let done = status.run_state() == RunState::Done;
                view.send_modify(|v| {
                    v.status = Some(status);
                    v.up = true;
                    v.trouble = None;
                });
                if done {
                    let summary = client.summary(&base).await;
                    view.send_modify(|v| {
                        v.finished = true;
                        v.trouble = summary.as_ref().err().cloned();
                        v.summary = summary.ok();
                    });
                    return;
                }
            }
            Err(e) => {
                view.send_modify(|v| {
                    v.up = false;
                    v.trouble = Some(e);
                });
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(RETRY) => {}
                }
            }
        }
    }
}

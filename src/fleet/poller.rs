//! Following one worker: its every tick (a long poll on `/status?after=N`), whether it
//! answers, and its summary once its run has ended. A worker whose answer is bad is left
//! out from then on, said once.

use super::checked::{self, Reported};
use super::notes::Notes;
use super::worker_client::{Trouble, WorkerClient};
use crate::engine::steer::RunState;
use crate::report::Summary;
use http::Uri;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long to wait before asking a worker that did not answer again.
const RETRY: Duration = Duration::from_millis(500);
/// The least time between two polls that brought no new tick (a worker that answers at
/// once, again and again, is not followed in a busy loop).
const SAME_TICK_PAUSE: Duration = Duration::from_millis(250);

/// What the fleet knows of one worker.
#[derive(Debug, Clone, Default)]
pub struct WorkerView {
    /// Its latest status, checked (kept when it goes down: what it did still counts).
    pub status: Option<Arc<Reported>>,
    /// It answered the last poll.
    pub up: bool,
    /// Its run ended and its summary was fetched (or could not be).
    pub finished: bool,
    pub summary: Option<Summary>,
    /// Why it is down, or why its summary is missing.
    pub trouble: Option<String>,
    /// Why it is left out: it answered what no worker honestly sends.
    pub left_out: Option<String>,
}

impl WorkerView {
    /// Whether the fleet waits for it: it still runs, or (while the workers may still be
    /// starting) it has not answered yet. A bad worker is never waited for.
    pub fn pending(&self, starting: bool) -> bool {
        self.left_out.is_none()
            && !self.finished
            && (self.up || (self.status.is_none() && starting))
    }

    /// Its latest status, unless it is left out.
    pub fn counted(&self) -> Option<&Reported> {
        self.status.as_deref().filter(|_| self.left_out.is_none())
    }
}

/// One worker to follow: where, under what name (as given), what the fleet knows of it.
pub struct Followed {
    pub base: Uri,
    pub name: String,
    pub view: watch::Sender<WorkerView>,
}

/// The run ids answered so far, each with the worker (as given) that answered it first:
/// one worker under two addresses is counted once.
#[derive(Debug, Clone, Default)]
pub struct RunIds(Arc<Mutex<HashMap<String, String>>>);

impl RunIds {
    /// The worker that answered `id` before `name` did; None when it is new (or empty: a
    /// worker too old to say).
    fn claim(&self, id: &str, name: &str) -> Option<String> {
        if id.is_empty() {
            return None;
        }
        let mut ids = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let first = ids
            .entry(id.to_string())
            .or_insert_with(|| name.to_string());
        (first != name).then(|| first.clone())
    }
}

/// What every worker's poller shares.
#[derive(Clone)]
pub struct Fleetwide {
    pub client: WorkerClient,
    pub notes: Notes,
    pub run_ids: RunIds,
    pub stop: CancellationToken,
}

/// Polls the worker until its run ends (then fetches the summary), it turns out bad (or
/// another address's), or `stop`.
pub async fn follow(fleet: Fleetwide, worker: Followed) {
    let Fleetwide {
        client,
        notes,
        run_ids,
        stop,
    } = fleet;
    let Followed { base, name, view } = worker;
    let mut after = 0;
    loop {
        let polled = tokio::select! {
            _ = stop.cancelled() => return,
            polled = client.status(&base, after) => polled,
        };
        let checked = polled.and_then(|s| checked::status(s).map_err(Trouble::Bad));
        let twice = checked
            .as_ref()
            .ok()
            .and_then(|r| run_ids.claim(&r.status.run_id, &name));
        if let Some(first) = twice {
            let why = format!(
                "it is the same worker as {} (the same run id), counted once",
                super::worker_client::shown(&first)
            );
            return left_out(&name, &view, &notes, why);
        }
        let pause = match checked {
            Ok(reported) => {
                let new_tick = reported.status.tick > after;
                after = reported.status.tick;
                let done = reported.state() == RunState::Done;
                view.send_modify(|v| {
                    v.status = Some(Arc::new(reported));
                    v.up = true;
                    v.trouble = None;
                });
                if done {
                    return finish(&client, &base, &view).await;
                }
                (!new_tick).then_some(SAME_TICK_PAUSE)
            }
            Err(Trouble::Bad(why)) => return left_out(&name, &view, &notes, why),
            Err(Trouble::Down(why)) => {
                view.send_modify(|v| {
                    v.up = false;
                    v.trouble = Some(why);
                });
                Some(RETRY)
            }
        };
        if let Some(pause) = pause {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Fetches the summary of a worker whose run has ended.
async fn finish(client: &WorkerClient, base: &Uri, view: &watch::Sender<WorkerView>) {
    let summary = client.summary(base).await;
    view.send_modify(|v| {
        v.finished = true;
        v.trouble = summary.as_ref().err().map(|t| t.why().to_string());
        v.summary = summary.ok();
    });
}

/// Marks the worker left out, and says so once.
fn left_out(name: &str, view: &watch::Sender<WorkerView>, notes: &Notes, why: String) {
    notes.say(format!(
        "sluice: fleet: worker {} is left out: {why}; the others go on",
        super::worker_client::shown(name)
    ));
    view.send_modify(|v| {
        v.up = false;
        v.left_out = Some(why);
    });
}

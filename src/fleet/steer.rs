//! The fleet's keys: each change goes to every worker still running, a total limit or rate
//! split across them as `--shard` splits it (remainders to the first). Stop (q, or a signal)
//! asks every running worker to stop, and the fleet waits only for those that agreed.

use super::notes::Notes;
use super::poller::WorkerView;
use super::worker_client::{WorkerClient, shown};
use crate::engine::shard::Shard;
use crate::engine::steer::{Change, Gauges, RunState, Source, Steer};
use crate::stats::snapshot::Snapshot;
use http::Uri;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio::time::Instant;

/// Where the fleet is in its end, as the merge loop reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// Not asked to end: it waits for every worker.
    No,
    /// Asked: the workers are being asked to stop.
    Asking,
    /// It waits (until a deadline from `since`) only for the workers marked true: those
    /// that agreed to stop.
    WaitingFor { workers: Vec<bool>, since: Instant },
}

/// One worker as the keys see it: where, its name as given, what the fleet knows of it.
#[derive(Clone)]
pub struct Steered {
    pub base: Uri,
    pub name: String,
    pub view: watch::Receiver<WorkerView>,
}

/// Steers the workers through their control APIs; a clone steers the same fleet.
#[derive(Clone)]
pub struct FleetSteer {
    pub client: WorkerClient,
    pub workers: Vec<Steered>,
    pub merged: watch::Receiver<Snapshot>,
    pub ending: Arc<watch::Sender<Ending>>,
    pub notes: Notes,
    /// The hand that moved the fleet's knobs last (the workers' own gauges know only "api").
    pub hand: Arc<Mutex<Source>>,
}

/// What one worker is sent for `command`, as the `index`th of `count` running: the path and
/// the JSON body.
pub fn share(change: Change, index: u64, count: u64) -> (&'static str, String) {
    let shard = Shard { index, count };
    match change {
        Change::Limit(n) => {
            let part = shard.share(n as u64).max(1);
            ("/limit", format!(r#"{{"value": {part}}}"#))
        }
        Change::Rate(Some(r)) => ("/rate", format!(r#"{{"value": {}}}"#, shard.share_rate(r))),
        Change::Rate(None) => ("/rate", r#"{"value": null}"#.to_string()),
        Change::Pause => ("/pause", String::new()),
        Change::Resume => ("/resume", String::new()),
        Change::Stop => ("/stop", String::new()),
    }
}

/// Whether a worker is up, counted and still running.
fn is_running(v: &WorkerView) -> bool {
    let running = v
        .counted()
        .is_some_and(|r| matches!(r.state(), RunState::Running | RunState::Paused));
    v.up && running
}

impl FleetSteer {
    /// The workers that are up and still running (their indexes), in the order given.
    fn running(&self) -> Vec<usize> {
        (0..self.workers.len())
            .filter(|&i| is_running(&self.workers[i].view.borrow()))
            .collect()
    }

    /// Asks every running worker to stop (once); then the fleet waits only for those that
    /// agreed, and says which did not and why.
    fn stop_all(&self) {
        if *self.ending.borrow() != Ending::No {
            return;
        }
        self.ending.send_replace(Ending::Asking);
        let running = self.running();
        let (client, notes, ending) = (
            self.client.clone(),
            self.notes.clone(),
            Arc::clone(&self.ending),
        );
        let workers = self.workers.clone();
        tokio::spawn(async move {
            let mut agreed = vec![false; workers.len()];
            if !client.has_token() {
                notes.say(
                    "sluice: fleet: the workers were not stopped (no --control-token): they run on"
                        .into(),
                );
            } else {
                let asks = running
                    .iter()
                    .map(|&i| client.post(&workers[i].base, "/stop", String::new()));
                let answers = futures_util::future::join_all(asks).await;
                for (&i, answer) in running.iter().zip(answers) {
                    match answer {
                        Ok(()) => agreed[i] = true,
                        Err(t) => notes.say(format!(
                            "sluice: fleet: worker {} was not stopped ({}): it runs on",
                            shown(&workers[i].name),
                            t.why()
                        )),
                    }
                }
            }
            let since = Instant::now();
            ending.send_replace(Ending::WaitingFor {
                workers: agreed,
                since,
            });
        });
    }
}

impl Steer for FleetSteer {
    fn gauges(&self) -> Gauges {
        Gauges {
            hand: *self.hand.lock().unwrap_or_else(|e| e.into_inner()),
            ..self.merged.borrow().gauges
        }
    }

    /// Sends each running worker its share; a worker that refuses is shown by its row.
    fn steer(&self, change: Change, source: Source) {
        if change == Change::Stop {
            return self.stop_all();
        }
        if matches!(change, Change::Limit(_) | Change::Rate(_)) {
            *self.hand.lock().unwrap_or_else(|e| e.into_inner()) = source;
        }
        let running = self.running();
        let count = running.len() as u64;
        for (index, i) in running.into_iter().enumerate() {
            let (path, body) = share(change, index as u64, count);
            let client = self.client.clone();
            let base = self.workers[i].base.clone();
            tokio::spawn(async move {
                let _ = client.post(&base, path, body).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_split_as_shards_split_it() {
        let bodies: Vec<String> = (0..3).map(|i| share(Change::Limit(100), i, 3).1).collect();
        assert_eq!(
            bodies,
            [r#"{"value": 34}"#, r#"{"value": 33}"#, r#"{"value": 33}"#]
        );
        assert_eq!(
            share(Change::Limit(2), 2, 3).1,
            r#"{"value": 1}"#,
            "never below 1"
        );
        assert_eq!(
            share(Change::Rate(Some(300.0)), 1, 3),
            ("/rate", r#"{"value": 100}"#.to_string())
        );
        assert_eq!(share(Change::Rate(None), 0, 3).1, r#"{"value": null}"#);
        assert_eq!(share(Change::Stop, 0, 3).0, "/stop");
    }
}

//! The fleet's keys: each change goes to every worker still running, a total limit or rate
//! split across them as `--shard` splits it (remainders to the first).

use super::poller::WorkerView;
use super::worker_client::WorkerClient;
use crate::generator::{Gauges, RunState};
use crate::shard::Shard;
use crate::stats::snapshot::Snapshot;
use crate::tui::Steer;
use crate::tui::app::Command;
use http::Uri;
use tokio::sync::watch;

/// Steers the workers through their control APIs.
pub struct FleetSteer {
    pub client: WorkerClient,
    pub workers: Vec<(Uri, watch::Receiver<WorkerView>)>,
    pub merged: watch::Receiver<Snapshot>,
}

/// What one worker is sent for `command`, as the `index`th of `count` running: the path and
/// the JSON body.
pub fn share(command: Command, index: u64, count: u64) -> (&'static str, String) {
    let shard = Shard { index, count };
    match command {
        Command::SetLimit(n) => {
            let part = shard.share(n as u64).max(1);
            ("/limit", format!(r#"{{"value": {part}}}"#))
        }
        Command::SetRate(Some(r)) => ("/rate", format!(r#"{{"value": {}}}"#, shard.share_rate(r))),
        Command::SetRate(None) => ("/rate", r#"{"value": null}"#.to_string()),
        Command::Pause => ("/pause", String::new()),
        Command::Resume => ("/resume", String::new()),
        Command::Stop => ("/stop", String::new()),
    }
}

impl FleetSteer {
    /// The workers that are up and still running, in the order given.
    fn running(&self) -> Vec<Uri> {
        self.workers
            .iter()
            .filter(|(_, v)| {
                let v = v.borrow();
                let running = v
                    .status
                    .as_ref()
                    .is_some_and(|s| matches!(s.run_state(), RunState::Running | RunState::Paused));
                v.up && running
            })
            .map(|(base, _)| base.clone())
            .collect()
    }
}

impl Steer for FleetSteer {
    fn gauges(&self) -> Gauges {
        self.merged.borrow().gauges
    }

    /// Sends each running worker its share; a worker that refuses is shown by its row.
    fn command(&self, command: Command) {
        let running = self.running();
        let count = running.len() as u64;
        for (index, base) in running.into_iter().enumerate() {
            let (path, body) = share(command, index as u64, count);
            let client = self.client.clone();
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
        let bodies: Vec<String> = (0..3)
            .map(|i| share(Command::SetLimit(100), i, 3).1)
            .collect();
        assert_eq!(
            bodies,
            [r#"{"value": 34}"#, r#"{"value": 33}"#, r#"{"value": 33}"#]
        );
        assert_eq!(
            share(Command::SetLimit(2), 2, 3).1,
            r#"{"value": 1}"#,
            "never below 1"
        );
        assert_eq!(
            share(Command::SetRate(Some(300.0)), 1, 3),
            ("/rate", r#"{"value": 100}"#.to_string())
        );
        assert_eq!(share(Command::SetRate(None), 0, 3).1, r#"{"value": null}"#);
        assert_eq!(share(Command::Stop, 0, 3).0, "/stop");
    }
}

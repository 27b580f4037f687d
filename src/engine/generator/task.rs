//! The request tasks the spawn loop starts, one a permit: single requests one after another,
//! or (`--scenario`) whole sessions one after another, each on the permit it was given.

use super::gate::Permit;
use super::handle::Shared;
use super::outbox::Outbox;
use super::plan::Plan;
use super::shards::Shard;
use crate::engine::client::scenario::Walk;
use crate::engine::client::{Client, Session};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tokio::time::Instant;

/// What one request task needs besides its permit.
pub(super) struct Task {
    pub client: Arc<Client>,
    pub shared: Arc<Shared>,
    pub plan: Plan,
    pub outbox: Arc<Outbox>,
    /// Which shard's gate and pacer the task uses.
    pub shard: usize,
    /// Test hook: the request number that panics.
    pub panic_at: Option<u64>,
}

/// One request task: sends request `first` (due at `first_due` in rate mode) under
/// `permit`, then, while the gate owes nothing and is open, sends further requests on the
/// same permit and the same connection: a task per connection for as long as the limit
/// stands, with no spawn and no pool round trip per request. In rate mode it goes on only
/// while requests are already due (a backlog); otherwise the spawn loop paces the next one.
/// Each outcome is handed over before the next request starts, so a slow consumer slows
/// the generator instead of piling up tasks.
pub(super) async fn send_while_permitted(
    permit: Permit,
    task: Arc<Task>,
    first: u64,
    first_due: Option<Instant>,
) {
    let (client, outbox) = (&*task.client, &*task.outbox);
    let (shard, mut now, mut session) = task.begin();
    let (mut n, mut due) = (first, first_due);
    loop {
        task.starting(shard, n, due, now);
        let max_idle = task.shared.operator_limit.load(Relaxed);
        let Some(outcome) = client.send_one(&mut session, max_idle, due, n).await else {
            // The data rows are used up: the run ends as if -n were reached.
            task.shared.used_up();
            break;
        };
        outbox.post(outcome).await;
        match task.carry_on(shard, &mut now) {
            Some((next, next_due)) => (n, due) = (next, next_due),
            None => break,
        }
    }
    task.end(session, permit);
}

/// `--scenario`: the request task of `send_while_permitted`, whose permit carries a whole
/// session (`first`, due at `first_due` in rate mode: its steps one after another, an
/// outcome a request step), then further sessions while the gate and the pacer allow, in
/// one walker: no allocation a session beyond what its steps capture.
pub(super) async fn walk_while_permitted(
    permit: Permit,
    task: Arc<Task>,
    first: u64,
    first_due: Option<Instant>,
) {
    let (client, outbox) = (&*task.client, &*task.outbox);
    let (shard, mut now, mut session) = task.begin();
    let Some(mut walk) = Walk::idle(client) else {
        return;
    };
    let (mut n, mut due) = (first, first_due);
    loop {
        task.starting(shard, n, due, now);
        if !client.start_session(&mut walk, n, due).await {
            task.shared.used_up();
            break;
        }
        loop {
            let max_idle = task.shared.operator_limit.load(Relaxed);
            match client.walk_step(&mut walk, &mut session, max_idle).await {
                Some(outcome) => outbox.post(outcome).await,
                None => break,
            }
        }
        match task.carry_on(shard, &mut now) {
            Some((next, next_due)) => (n, due) = (next, next_due),
            None => break,
        }
    }
    task.end(session, permit);
}

impl Task {
    /// A request task's shard, the time it starts, and its connection and timer. One clock
    /// read serves the session, and the first start's lateness (the client reads its own
    /// start right after).
    fn begin(&self) -> (&Shard, Instant, Session) {
        let now = Instant::now();
        (
            self.shared.shards.get(self.shard),
            now,
            self.client.session(now),
        )
    }

    /// A request task's end: its connection goes back to the pool, its permit to the gate.
    fn end(&self, session: Session, permit: Permit) {
        self.client
            .end(session, self.shared.operator_limit.load(Relaxed));
        drop(permit);
    }

    /// Notes that request (or session) `n` starts now, due at `due`.
    fn starting(&self, shard: &Shard, n: u64, due: Option<Instant>, now: Instant) {
        if self.panic_at == Some(n) {
            panic!("injected panic in a request task");
        }
        shard.note_start(due, now);
    }

    /// The next request (or session) this task carries and when it is due, claimed, if the
    /// gate owes nothing and, in rate mode, one is already due; None: the task ends.
    fn carry_on(&self, shard: &Shard, now: &mut Instant) -> Option<(u64, Option<Instant>)> {
        if !shard.gate.may_keep() {
            return None;
        }
        let due = match shard.pacer.is_open() {
            false => None,
            true => {
                *now = Instant::now();
                let slot = shard.pacer.claim_due(*now)?;
                Some(shard.pacer.due_of(slot))
            }
        };
        Some((self.shared.claim(&self.plan)?, due))
    }
}

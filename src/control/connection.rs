//! One connection's deadlines. An exchange is a chain of steps (the request's head arrives,
//! the handler answers, the answer is written out, the next head arrives) and each step has
//! its own deadline, for reading and for writing alike: a client that stops sending, or
//! stops reading its answers, loses its connection within seconds, whatever it does.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// From the accept, or the last answer written out, to a request's whole head: the
/// deadline of an idle keep-alive too.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// From the handler's end to its answer written out (a `/summary` of a day's run, read
/// over a slow link, with room).
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(10);
/// The longest a handler may take: the longest it waits (`/summary`: 10 s) with room.
pub const HANDLER_DEADLINE: Duration = Duration::from_secs(15);

/// Where a connection is in its exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Waiting for a request's head (a new connection, or one kept alive).
    Head,
    /// A handler works on a request (reads wait here for a tick or the summary).
    Handling,
    /// A write with the right token is being applied: never cut short.
    Steering,
    /// The answer is being written out.
    Answering,
}

impl Step {
    fn deadline(self) -> Duration {
        match self {
            Step::Head => HEAD_DEADLINE,
            Step::Handling | Step::Steering => HANDLER_DEADLINE,
            Step::Answering => ANSWER_DEADLINE,
        }
    }
}

/// A connection's step and since when; shared by its IO, its handlers and the slots.
#[derive(Debug)]
pub struct Progress {
    now: Mutex<(Step, Instant)>,
    changed: Notify,
}

impl Progress {
    /// A connection just accepted: waiting for its first head.
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress {
            now: Mutex::new((Step::Head, Instant::now())),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, (Step, Instant)> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The step it is at, and since when.
    pub fn now(&self) -> (Step, Instant) {
        *self.lock()
    }

    fn enter(&self, step: Step) {
        *self.lock() = (step, Instant::now());
        self.changed.notify_one();
    }

    /// A request's head has arrived: its handler starts; the answer step follows when the
    /// guard goes (answered, or dropped).
    pub fn handling(self: &Arc<Progress>) -> Handling {
        self.enter(Step::Handling);
        Handling(Arc::clone(self))
    }

    /// Everything written has gone out: wait for the next head (unless a pipelined request
    /// is already being handled).
    fn flushed(&self) {
        let mut now = self.lock();
        if now.0 == Step::Answering {
            *now = (Step::Head, Instant::now());
            drop(now);
            self.changed.notify_one();
        }
    }

    /// When the current step must be over.
    fn deadline(&self) -> Instant {
        let (step, since) = self.now();
        since + step.deadline()
    }
}

/// Marks a handler at work; its end starts the answer's step.
pub struct Handling(Arc<Progress>);

impl Handling {
    /// The request carries the right token: it is applied whatever else happens.
    pub fn steering(&self) {
        self.0.enter(Step::Steering);
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.enter(Step::Answering);
    }
}

/// Runs `conn` until it ends, its step's deadline passes, or it is `evicted`.
pub async fn until_deadline(
    conn: impl Future<Output = ()>,
    progress: &Progress,
    evicted: &CancellationToken,
) {
    tokio::pin!(conn);
    loop {
        let deadline = progress.deadline();
        tokio::select! {
            () = &mut conn => return,
            () = evicted.cancelled() => return,
            () = progress.changed.notified() => {}
            () = tokio::time::sleep_until(deadline) => {
                if Instant::now() >= progress.deadline() {
                    return;
                }
            }
        }
    }
}

/// A stream that tells its connection's `Progress` when all it was given has been written.
pub struct Watched<S> {
    pub stream: S,
    pub progress: Arc<Progress>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    /// hyper flushes once its buffer is written out: the answer has gone.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.stream).poll_flush(cx);
        if let Poll::Ready(Ok(())) = flushed {
            this.progress.flushed();
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_has_its_own_deadline_and_a_steered_write_is_marked() {
        let p = Progress::new();
        let start = p.now().1;
        assert_eq!(p.deadline(), start + HEAD_DEADLINE);
        let handling = p.handling();
        assert_eq!(p.now().0, Step::Handling);
        handling.steering();
        assert_eq!(p.now().0, Step::Steering);
        drop(handling);
        assert_eq!(p.now().0, Step::Answering);
        assert_eq!(p.deadline(), p.now().1 + ANSWER_DEADLINE);
        p.flushed();
        assert_eq!(p.now().0, Step::Head);
        let pipelined = p.handling();
        p.flushed();
        assert_eq!(
            p.now().0,
            Step::Handling,
            "a flush mid-handler changes nothing"
        );
        drop(pipelined);
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_makes_no_step_is_ended_at_its_deadline() {
        let p = Progress::new();
        let evicted = CancellationToken::new();
        let started = Instant::now();
        until_deadline(std::future::pending(), &p, &evicted).await;
        assert_eq!(started.elapsed(), HEAD_DEADLINE);
        let handling = p.handling();
        let ends = until_deadline(std::future::pending(), &p, &evicted);
        let step = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            drop(handling);
        };
        let started = Instant::now();
        tokio::join!(ends, step);
        assert_eq!(
            started.elapsed(),
            Duration::from_secs(1) + ANSWER_DEADLINE,
            "the deadline moves with the step"
        );
    }
}

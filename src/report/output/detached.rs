//! A destination written by a thread of its own. Opening a FIFO waits for its reader, and a
//! reader that stalls (or a slow disk) blocks the write: that blocks this thread, never the
//! runtime, whose signal handlers must stay free to end the run.

use super::Output;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use tokio::sync::oneshot;

/// Chunks that may wait for the thread: minutes of an HDR log whose reader is not there yet.
const QUEUE_CHUNKS: usize = 4096;

/// What the writing thread is sent.
enum Chunk {
    Bytes(Vec<u8>),
    /// Everything was sent: put the file in place. A queue that ends without it (dropped,
    /// given up) leaves the destination as it was.
    Finish,
}

/// The sending side: `Write` queues the bytes, `finish` waits for them to be written.
pub struct Detached {
    chunks: Option<SyncSender<Chunk>>,
    done: oneshot::Receiver<io::Result<()>>,
    /// Set when a write could not be queued: the thread fell behind or stopped.
    failed: Option<io::Error>,
}

impl Detached {
    /// Starts the thread that opens `out` and writes what it is sent.
    pub fn start(out: Output) -> Detached {
        let (chunks, queue) = mpsc::sync_channel(QUEUE_CHUNKS);
        let (report, done) = oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("sluice-writer".into())
            .spawn(move || {
                let _ = report.send(write_queue(out, queue));
            });
        Detached {
            chunks: Some(chunks),
            done,
            failed: spawned.err(),
        }
    }

    /// Waits until everything sent is written and the destination is in place. A queue that
    /// overflowed returns its error at once, without waiting for a thread that may never
    /// get its FIFO's reader; a thread that stopped returns why.
    pub async fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(chunks) = self.chunks.take()
            && let Err(TrySendError::Full(_)) = chunks.try_send(Chunk::Finish)
        {
            return Err(behind());
        }
        match self.done.await {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the writing thread ended early")),
        }
    }
}

impl Write for Detached {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        let queued = match &self.chunks {
            Some(chunks) => chunks.try_send(Chunk::Bytes(buf.to_vec())),
            None => return Err(io::Error::other("already finished")),
        };
        match queued {
            Ok(()) => Ok(buf.len()),
            Err(TrySendError::Full(_)) => {
                self.failed = Some(behind());
                Err(behind())
            }
            // The thread has ended: `finish` returns its error.
            Err(TrySendError::Disconnected(_)) => Err(io::Error::other("the writing stopped")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The queue is full: the destination takes nothing (a FIFO with no reader, or a stalled one).
fn behind() -> io::Error {
    io::Error::other(format!(
        "its reader fell behind by {QUEUE_CHUNKS} writes (a FIFO nobody reads?)"
    ))
}

/// Writes `bytes` to `out` off the runtime, unless `give_up` comes first (the destination
/// then stays as it was); a write still waiting after a second says what it waits for.
pub async fn write_unless(
    out: Output,
    bytes: &[u8],
    give_up: impl std::future::Future<Output = ()>,
) -> io::Result<()> {
    let shown = out.path().map(|p| p.display().to_string());
    let mut writer = Detached::start(out);
    writer.write_all(bytes)?;
    let finish = said_if_slow(shown.as_deref(), writer.finish());
    tokio::select! {
        biased;
        written = finish => written,
        () = give_up => Err(given_up()),
    }
}

/// `work`; if it takes over a second, one line says that it is still writing to `path`
/// and that a signal gives up.
pub async fn said_if_slow<T>(path: Option<&str>, work: impl std::future::Future<Output = T>) -> T {
    tokio::pin!(work);
    tokio::select! {
        biased;
        value = &mut work => return value,
        () = tokio::time::sleep(std::time::Duration::from_secs(1)) => (),
    }
    if let Some(path) = path {
        let path = crate::process::untrusted::escaped(path);
        crate::say!(
            "sluice: still writing to '{path}' (a FIFO waiting for its reader?); Ctrl-C gives up"
        );
    }
    work.await
}

/// What `write_unless` returns when it gave up.
fn given_up() -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        "a signal came before it was written",
    )
}

/// The thread's work: open, write each chunk, and put the file in place at `Finish`.
fn write_queue(out: Output, queue: Receiver<Chunk>) -> io::Result<()> {
    let mut stream = out.stream()?;
    for chunk in queue {
        match chunk {
            Chunk::Bytes(bytes) => stream.write_all(&bytes)?,
            Chunk::Finish => return stream.finish(),
        }
    }
    Err(io::Error::other("given up before the end"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[tokio::test]
    async fn what_is_sent_is_written_and_put_in_place_at_the_finish() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        let mut writer = Detached::start(Output::prepare(Some(&path)).expect("prepare"));
        writer.write_all(b"one ").expect("queued");
        writer.write_all(b"two").expect("queued");
        writer.finish().await.expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "one two");
    }

    #[tokio::test]
    async fn a_writer_dropped_before_its_finish_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").expect("seed");
        let mut writer = Detached::start(Output::prepare(Some(&path)).expect("prepare"));
        writer.write_all(b"half of it").expect("queued");
        let done = std::mem::replace(&mut writer.done, oneshot::channel().1);
        drop(writer);
        assert!(done.await.expect("the thread reports").is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[tokio::test]
    async fn a_fifo_nobody_opens_blocks_only_the_thread_and_overflows_into_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.expect("mkfifo").success());
        let mut writer = Detached::start(Output::prepare(Some(Path::new(&fifo))).expect("fifo"));
        let overflow = (0..=QUEUE_CHUNKS).find_map(|_| writer.write_all(b"x").err());
        let e = overflow.expect("the queue fills while the open waits");
        assert!(e.to_string().contains("fell behind"), "{e}");
        let finished = tokio::time::timeout(std::time::Duration::from_secs(5), writer.finish());
        assert!(finished.await.expect("finish returns at once").is_err());
    }
}

//! `--data-order once`: the rows read by a thread of their own and handed over in small
//! batches through a bounded channel, each row to exactly one request, in order; memory
//! stays flat whatever the file's length.

use super::read::Records;
use super::table::{Row, Table};
use super::{DataFile, Taken};
use crate::engine::shard::Shard;
use std::pin::pin;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Rows a batch holds at most.
const BATCH_ROWS: usize = 1024;
/// Field bytes after which a batch is handed over even if it has fewer rows.
const BATCH_BYTES: usize = 64 << 10;
/// Batches read ahead and waiting: with the one in use, what the stream holds at most.
const BATCHES_AHEAD: usize = 4;

/// The rows in the order the file has them (this shard's share of them), taken one at a time.
pub struct RowStream {
    cursor: Mutex<Cursor>,
    /// Told whenever a batch arrives, and when the rows end.
    arrived: Arc<Notify>,
}

/// The batch being handed out and those read ahead.
struct Cursor {
    batch: Arc<Table>,
    next: usize,
    batches: Receiver<Arc<Table>>,
}

impl RowStream {
    /// Starts the thread that reads `file` (only the rows whose number, from 0, is `shard`'s
    /// index modulo the shards' count).
    pub fn start(file: &DataFile, shard: Option<Shard>) -> std::io::Result<RowStream> {
        let (send, batches) = sync_channel(BATCHES_AHEAD);
        let arrived = Arc::new(Notify::new());
        let (file, told) = (file.clone(), Arc::clone(&arrived));
        let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
        std::thread::Builder::new()
            .name("sluice-data".into())
            .spawn(move || read_all(&file, shard, &send, &told))?;
        Ok(RowStream {
            cursor: Mutex::new(Cursor {
                batch: Arc::new(Table::new(1)),
                next: 0,
                batches,
            }),
            arrived,
        })
    }

    /// The next row; `Wait` when none has arrived yet, `End` when the rows are used up.
    pub fn take(&self) -> Taken<'static> {
        let mut cursor = self.cursor.lock().unwrap_or_else(|p| p.into_inner());
        if cursor.next >= cursor.batch.rows() {
            match cursor.batches.try_recv() {
                Ok(batch) => (cursor.batch, cursor.next) = (batch, 0),
                Err(TryRecvError::Empty) => return Taken::Wait,
                Err(TryRecvError::Disconnected) => return Taken::End,
            }
        }
        let row = Row::Streamed(Arc::clone(&cursor.batch), cursor.next);
        cursor.next += 1;
        Taken::Row(row)
    }

    /// Waits until a row can be taken, or the rows have ended.
    pub async fn ready(&self) {
        loop {
            let mut arrived = pin!(self.arrived.notified());
            arrived.as_mut().enable();
            if self.can_take() {
                return;
            }
            arrived.await;
        }
    }

    /// Whether `take` would not say `Wait`.
    fn can_take(&self) -> bool {
        let mut cursor = self.cursor.lock().unwrap_or_else(|p| p.into_inner());
        if cursor.next < cursor.batch.rows() {
            return true;
        }
        match cursor.batches.try_recv() {
            Ok(batch) => {
                (cursor.batch, cursor.next) = (batch, 0);
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => true,
        }
    }
}

/// The reading thread: batches of rows into `send` until the file (or the run) ends. The file
/// was read whole and checked before the run; one that changed since ends the rows early.
fn read_all(file: &DataFile, shard: Shard, send: &SyncSender<Arc<Table>>, told: &Notify) {
    let read = || -> Result<(), String> {
        let mut records = Records::open(&file.path, file.format)?;
        let columns = records.columns().len();
        let (mut batch, mut number) = (Table::new(columns), 0u64);
        let mut scratch = Table::new(columns);
        loop {
            let ours = number % shard.count == shard.index;
            let into = if ours { &mut batch } else { &mut scratch };
            if !records.next_into(into)? {
                break;
            }
            number += 1;
            scratch.clear();
            if batch.rows() >= BATCH_ROWS || batch.bytes() >= BATCH_BYTES {
                let full = std::mem::replace(&mut batch, Table::new(columns));
                if send.send(Arc::new(full)).is_err() {
                    return Ok(()); // The run is over.
                }
                told.notify_waiters();
            }
        }
        if batch.rows() > 0 {
            let _ = send.send(Arc::new(batch));
        }
        Ok(())
    };
    if let Err(e) = read() {
        crate::say!("sluice: --data: {e}; no more rows are sent");
    }
    told.notify_waiters();
}

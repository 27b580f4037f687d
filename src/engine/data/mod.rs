//! `--data FILE`: the rows templates take their `row.NAME` values from. CSV with a header row
//! or JSON Lines of flat objects; held compactly for `sequential` and `random` (one arena of
//! text and 4 bytes a field), streamed by a thread of their own for `once`.

mod read;
mod stream;
mod table;

pub use read::{Format, MAX_ROW_BYTES, Records};
pub use stream::RowStream;
pub use table::{Row, Table};

use std::path::PathBuf;
use std::sync::Arc;

/// A data file checked whole before the run: its columns and how many rows it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    pub path: PathBuf,
    pub format: Format,
    pub columns: Vec<String>,
    pub rows: u64,
}

/// Most bytes the rows held for `sequential` and `random` may take (fields and offsets).
pub const MAX_HELD_BYTES: usize = 1 << 30;

/// Which row request `n` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Request `seq` takes row `seq` modulo the rows.
    Sequential,
    /// Any row, drawn per request.
    Random,
    /// Each row once, in order, then the run ends.
    Once,
}

/// The rows of a run.
pub enum Rows {
    Held { table: Arc<Table>, random: bool },
    Streamed(RowStream),
}

/// What taking a row gave.
pub enum Taken<'a> {
    Row(Row<'a>),
    /// None has arrived yet: wait for `Rows::ready`.
    Wait,
    /// The rows are used up.
    End,
}

impl Rows {
    /// The row of request `seq`.
    pub fn take(&self, seq: u64) -> Taken<'_> {
        match self {
            Rows::Held { table, random } => {
                let rows = table.rows().max(1);
                let i = match random {
                    true => fastrand::usize(..rows),
                    false => (seq % rows as u64) as usize,
                };
                Taken::Row(Row::Held(table, i))
            }
            Rows::Streamed(stream) => stream.take(),
        }
    }

    /// Waits until `take` would not say `Wait`.
    pub async fn ready(&self) {
        if let Rows::Streamed(stream) = self {
            stream.ready().await;
        }
    }
}

/// Reads and checks `path` whole, a row at a time (memory stays flat): its columns and rows.
pub fn scan(path: &std::path::Path) -> Result<DataFile, String> {
    let format = Format::of(path)?;
    let mut records = Records::open(path, format)?;
    let mut scratch = Table::new(records.columns().len());
    let mut rows = 0u64;
    while records.next_into(&mut scratch)? {
        rows += 1;
        scratch.clear();
    }
    let file = DataFile {
        path: path.to_path_buf(),
        format,
        columns: records.columns().to_vec(),
        rows,
    };
    match rows {
        0 => Err(no_rows(path)),
        _ => Ok(file),
    }
}

/// Reads `path` whole into a table (at most `MAX_HELD_BYTES`), its description beside it.
pub fn load(path: &std::path::Path) -> Result<(DataFile, Table), String> {
    let format = Format::of(path)?;
    let mut records = Records::open(path, format)?;
    let mut table = Table::new(records.columns().len());
    while records.next_into(&mut table)? {
        if table.bytes() > MAX_HELD_BYTES {
            return Err(format!(
                "'{}' holds more than {} MiB of rows, more than sluice keeps in memory: \
                 --data-order once streams a file of any size",
                crate::process::untrusted::escaped(&path.to_string_lossy()),
                MAX_HELD_BYTES >> 20
            ));
        }
    }
    if table.rows() == 0 {
        return Err(no_rows(path));
    }
    table.shrink_to_fit();
    let file = DataFile {
        path: path.to_path_buf(),
        format,
        columns: records.columns().to_vec(),
        rows: table.rows() as u64,
    };
    Ok((file, table))
}

/// The refusal of a file with columns and no rows.
fn no_rows(path: &std::path::Path) -> String {
    format!(
        "'{}' has no rows, only its columns",
        crate::process::untrusted::escaped(&path.to_string_lossy())
    )
}

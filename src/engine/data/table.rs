//! Rows held compactly: every field's text in one arena, and the end of each field, so a row
//! costs its fields' bytes and 4 bytes a field, whatever the number of rows.

use std::sync::Arc;

/// Rows of `columns` fields each, field after field in one string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Table {
    text: String,
    /// Where each field ends in `text`, row after row; a field starts where the last ended.
    ends: Vec<u32>,
    columns: usize,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({} rows of {} columns)", self.rows(), self.columns)
    }
}

impl Table {
    /// An empty table of `columns` fields a row (at least one).
    pub fn new(columns: usize) -> Table {
        Table {
            text: String::new(),
            ends: Vec::new(),
            columns: columns.max(1),
        }
    }

    /// Rows held.
    pub fn rows(&self) -> usize {
        self.ends.len() / self.columns
    }

    /// Fields a row.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Field `column` of row `row` (both within bounds, else "").
    pub fn field(&self, row: usize, column: usize) -> &str {
        let i = row * self.columns + column;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = match i {
            0 => 0,
            i => self.ends[i - 1],
        };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Adds a row of exactly `columns` fields (the caller counted them); false, and nothing
    /// added, when the arena would pass 4 GiB (its offsets are 32-bit).
    pub fn push<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> bool {
        let (text_len, ends_len) = (self.text.len(), self.ends.len());
        for field in fields {
            self.text.push_str(field);
            match u32::try_from(self.text.len()) {
                Ok(end) => self.ends.push(end),
                Err(_) => {
                    self.text.truncate(text_len);
                    self.ends.truncate(ends_len);
                    return false;
                }
            }
        }
        true
    }

    /// The memory its rows take: the arena and the offsets.
    pub fn bytes(&self) -> usize {
        self.text.len() + self.ends.len() * std::mem::size_of::<u32>()
    }

    /// Empties it, keeping its room.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Gives back the room grown past what the rows need.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// One row of a table: borrowed from the rows held for the run, or a share of a streamed batch.
#[derive(Debug, Clone)]
pub enum Row<'a> {
    Held(&'a Table, usize),
    Streamed(Arc<Table>, usize),
}

impl Row<'_> {
    /// Its field in `column`.
    pub fn field(&self, column: usize) -> &str {
        match self {
            Row::Held(table, row) => table.field(*row, column),
            Row::Streamed(table, row) => table.field(*row, column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_back_as_pushed_and_cost_their_bytes_and_an_offset() {
        let mut t = Table::new(2);
        assert!(t.push(["a", "bc"]));
        assert!(t.push(["", "déf"]));
        assert_eq!(t.rows(), 2);
        assert_eq!(
            (t.field(0, 0), t.field(0, 1), t.field(1, 0), t.field(1, 1)),
            ("a", "bc", "", "déf")
        );
        assert_eq!(t.field(2, 0), "", "out of bounds is empty");
        assert_eq!(t.bytes(), 7 + 4 * 4);
        let row = Row::Streamed(Arc::new(t), 1);
        assert_eq!(row.field(1), "déf");
    }
}

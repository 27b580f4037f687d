//! The fleet's lines on stderr: said at once when headless; kept while the dashboard holds
//! the terminal (a line there would tear the screen) and said once it is left.

use std::sync::{Arc, Mutex, MutexGuard};

/// Where the fleet's lines go; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Notes(Arc<Mutex<Kept>>);

#[derive(Debug, Default)]
struct Kept {
    holding: bool,
    lines: Vec<String>,
}

impl Notes {
    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Says `line` now, or once the dashboard is left.
    pub fn say(&self, line: String) {
        let mut kept = self.lock();
        match kept.holding {
            true => kept.lines.push(line),
            false => crate::say!("{line}"),
        }
    }

    /// Keeps the lines from now on (the dashboard has the terminal).
    pub fn hold(&self) {
        self.lock().holding = true;
    }

    /// Says the lines kept, and from now on says them at once.
    pub fn release(&self) {
        let mut kept = self.lock();
        kept.holding = false;
        for line in kept.lines.drain(..) {
            crate::say!("{line}");
        }
    }
}

//! The process's own concerns: how it fails (errors and exit codes), its signals and
//! panics, its runtimes, what it reads of itself (open files, memory), fault injection for
//! tests, and the guards on everything that comes from outside it.

pub mod error;
pub(crate) mod fault;
pub(crate) mod panics;
pub mod probe;
pub(crate) mod runtime;
pub(crate) mod signals;
pub mod untrusted;

use std::io::Write;

/// One line on stderr that never panics (`say!`): a closed stderr, as under `2>&1 | head`,
/// loses the line, never the run or its exit code.
pub fn say(line: std::fmt::Arguments) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

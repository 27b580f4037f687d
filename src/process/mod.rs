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
/// loses the line, never the run or its exit code. Whatever it quotes from outside, the
/// line is escaped and cut (`untrusted::LINE_CHARS`): it cannot drive the terminal or flood it.
pub fn say(line: std::fmt::Arguments) {
    let text = match line.as_str() {
        Some(fixed) => std::borrow::Cow::Borrowed(fixed),
        None => std::borrow::Cow::Owned(line.to_string()),
    };
    let shown = untrusted::quoted(&text, untrusted::LINE_CHARS);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(shown.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

//! A summary read back, from a file (`merge`, `plot`, `--replay`) or from a worker (`fleet`):
//! capped, and parsed into the contract's own types (a knob, a source, a mode, a state is an
//! enum, never a string matched on later), whole (`Summary`) or the part a reader needs.
//! Every refusal is one line, its quotes escaped.

use crate::process::untrusted::{self, QUOTED_CHARS, escaped};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The summary (or the part of it `T` holds) in the file at `path`, for `command` (its
/// refusals start with it: "merge: …").
pub fn from_file<T: DeserializeOwned>(path: &Path, command: &str) -> Result<T, String> {
    let text = untrusted::read_text(path, untrusted::MAX_SUMMARY_BYTES)
        .map_err(|e| format!("{command}: {e}"))?;
    let name = format!("'{}'", escaped(&path.to_string_lossy()));
    from_bytes(text.as_bytes(), &name).map_err(|e| format!("{command}: {e}"))
}

/// The summary (or its part `T`) in `bytes`, which came from `name` (a file, a worker).
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8], name: &str) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "{name} is not a JSON summary of sluice: {}",
            untrusted::quoted(&e.to_string(), QUOTED_CHARS)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::{Moved, TimelineEntry};

    #[test]
    fn a_word_outside_the_contract_is_refused_with_one_escaped_line() {
        let entry = r#"{"t_s": 1, "knob": "limit", "value": 5, "source": "key"}"#;
        let read: TimelineEntry = from_bytes(entry.as_bytes(), "'x'").expect("an entry");
        assert_eq!(read.knob, Moved::Limit);
        let hostile = r#"{"t_s": 1, "knob": "speed\u001b[2J", "value": 5, "source": "key"}"#;
        let err = from_bytes::<TimelineEntry>(hostile.as_bytes(), "'x'").expect_err("refused");
        assert!(
            err.starts_with("'x' is not a JSON summary of sluice"),
            "{err}"
        );
        assert!(!err.contains('\u{1b}') && !err.contains('\n'), "{err}");
    }
}

//! `--scenario FILE`: sessions of several steps (log in, capture a token, use it). This
//! module reads the YAML file and checks it whole before any load; what it gives the run is
//! a `Scenario` whose every origin is fixed and whose every name is defined before use.

mod checked;
mod compile;
pub mod conditions;
mod names;
mod shape;
mod step;

pub use compile::{Compiled, Shared, compile};
pub use step::{Body, Capture, CaptureFrom, Flow, RequestStep, Step, Think};

use crate::process::untrusted;
use std::path::{Path, PathBuf};

/// The most a scenario file can honestly need: a thousand steps of a kilobyte.
const FILE_CAP_BYTES: u64 = 1024 * 1024;

/// A checked scenario file.
#[derive(Debug)]
pub struct Scenario {
    /// The data file (one row per session), relative paths taken from the scenario's folder.
    pub data: Option<PathBuf>,
    /// One flow, or several drawn by weight.
    pub flows: Vec<Flow>,
}

/// Reads and checks `path`; the error is one line naming the file and, where it can, its line.
pub fn load(path: &Path) -> Result<Scenario, String> {
    let shown = untrusted::quoted(&path.display().to_string(), untrusted::QUOTED_CHARS);
    let text =
        untrusted::read_text(path, FILE_CAP_BYTES).map_err(|e| format!("--scenario: {e}"))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    parse(&text, folder).map_err(|e| format!("--scenario {shown}: {e}"))
}

/// Parses and checks a scenario's text; `folder` anchors a relative data path.
pub fn parse(text: &str, folder: &Path) -> Result<Scenario, String> {
    let shape: shape::FileShape = serde_saphyr::from_str(text).map_err(|e| first_line(&e))?;
    checked::scenario(shape, folder)
}

/// The first line of a YAML error (the rest is a picture of the file), without its "error: ".
fn first_line(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or("not YAML");
    untrusted::escaped(line.strip_prefix("error: ").unwrap_or(line)).into_owned()
}

#[cfg(test)]
mod tests;

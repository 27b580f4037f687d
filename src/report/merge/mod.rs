//! `sluice merge a.json b.json … [-o merged.json]`: many runs' JSON summaries as one (the
//! shards of one test on many machines): totals added, histograms added exactly, series lined
//! up by wall-clock time, each run's timeline kept in `workers`.

pub(crate) mod check;
mod combine;
mod same_file;
mod series;
pub(crate) mod steps;
mod sums;

use crate::process::error::Error;
use crate::process::untrusted::{QUOTED_CHARS, escaped, quoted};
use crate::report::OutputFormat;
use crate::report::output::Output;
use crate::report::{self, Summary};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON summaries (sluice --output-format json -o FILE), two or more.
    #[arg(required = true, num_args = 2.., value_name = "SUMMARY")]
    pub inputs: Vec<PathBuf>,
    /// Write the merged summary to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Merged summary format.
    #[arg(long = "output-format", value_name = "FORMAT", default_value = "json")]
    pub output_format: OutputFormat,
    /// Merge summaries of different targets too.
    #[arg(long = "force")]
    pub force: bool,
}

/// Reads, checks and merges the summaries, and writes the result; bad input is refused
/// (exit 2) before anything is written.
pub fn run_merge(args: MergeArgs) -> Result<(), Error> {
    let output = Output::prepare_as(args.output.as_deref(), "merge: -o")?;
    same_file::distinct(&args.inputs).map_err(Error::Input)?;
    if let Some(input) = args.inputs.iter().find(|input| output.is(input)) {
        return Err(Error::Input(format!(
            "merge: -o '{}' is one of the summaries it reads: name another file",
            escaped(&input.display().to_string())
        )));
    }
    let runs = args
        .inputs
        .iter()
        .map(|path| read(path).map(|s| (path.display().to_string(), s)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Input)?;
    same_file::distinct_runs(&runs).map_err(Error::Input)?;
    if !args.force
        && let Some((file, other)) = runs.iter().find(|(_, s)| s.target != runs[0].1.target)
    {
        return Err(Error::Input(format!(
            "merge: '{}' is a run against {}, not {}: add --force to merge them anyway",
            escaped(file),
            quoted(&other.target, QUOTED_CHARS),
            quoted(&runs[0].1.target, QUOTED_CHARS)
        )));
    }
    let merged = combine::combine(&runs).map_err(Error::Input)?;
    if let Some(note) = steps_note(&runs) {
        crate::say!("sluice: merge: {note}");
    }
    output.write(report::render(&merged, args.output_format).as_bytes())?;
    Ok(())
}

/// Runs' summaries (each with its name: a file, a worker) as one; the sums are checked, and
/// a run whose histograms do not decode or do not hold its responses is refused, named.
pub fn merge_runs(runs: &[(String, Summary)]) -> Result<Summary, String> {
    combine::combine(runs)
}

/// What to say (one line) when the runs' steps differ or only some ran a scenario.
pub fn steps_note(runs: &[(String, Summary)]) -> Option<String> {
    steps::note(
        runs.iter()
            .map(|(name, s)| (name.as_str(), s.steps.as_slice())),
    )
}

/// Whether two summaries are of one run (a copy): merged, its counts would be doubled.
pub fn one_run(a: &Summary, b: &Summary) -> bool {
    same_file::one_run(a, b)
}

/// Whether a run's summary can be merged: histograms present, its times and figures ones a
/// run of sluice writes (`check`). For a caller that leaves a bad run out (the fleet) and
/// merges the rest; `name` is where it came from, the error one line naming it.
pub fn check_run(name: &str, summary: &Summary) -> Result<(), String> {
    let name = escaped(name);
    if summary.histograms.is_none() {
        return Err(format!(
            "'{name}' has no histograms (its run did not reach its end): it cannot be merged exactly"
        ));
    }
    check::check(&name, summary)
}

/// One summary, with the histograms a merge needs, its numbers checked.
fn read(path: &std::path::Path) -> Result<Summary, String> {
    let summary: Summary = crate::report::read::from_file(path, "merge")?;
    check_run(&path.display().to_string(), &summary).map_err(|e| format!("merge: {e}"))?;
    Ok(summary)
}

#[cfg(test)]
pub(crate) mod tests {
    /// A run's JSON summary, as sluice wrote it (200 requests against the demo target).
    pub const SUMMARY: &str = include_str!("fixture.json");
}

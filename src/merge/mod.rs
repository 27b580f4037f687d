//! `sluice merge a.json b.json … [-o merged.json]`: many runs' JSON summaries as one (the
//! shards of one test on many machines): totals added, histograms added exactly, series lined
//! up by wall-clock time, each run's timeline kept in `workers`.

mod combine;
mod series;

use crate::cli::OutputFormat;
use crate::error::Error;
use crate::output::Output;
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
    let runs = args
        .inputs
        .iter()
        .map(|path| read(path).map(|s| (path.display().to_string(), s)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Input)?;
    if !args.force
        && let Some((file, other)) = runs.iter().find(|(_, s)| s.target != runs[0].1.target)
    {
        return Err(Error::Input(format!(
            "merge: '{file}' is a run against {}, not {}: add --force to merge them anyway",
            other.target, runs[0].1.target
        )));
    }
    let merged = combine::combine(&runs).map_err(Error::Input)?;
    output.write(report::render(&merged, args.output_format).as_bytes())?;
    Ok(())
}

/// Runs' summaries (each with its name: a file, a worker) as one.
pub fn merge_runs(runs: &[(String, Summary)]) -> Result<Summary, String> {
    combine::combine(runs)
}

/// One summary, with the histograms a merge needs.
fn read(path: &std::path::Path) -> Result<Summary, String> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("merge: cannot read '{shown}': {e}"))?;
    let summary: Summary = serde_json::from_str(&text)
        .map_err(|e| format!("merge: '{shown}' is not a JSON summary of sluice: {e}"))?;
    match summary.histograms {
        Some(_) => Ok(summary),
        None => Err(format!(
            "merge: '{shown}' has no histograms (its run did not reach its end): it cannot be merged exactly"
        )),
    }
}

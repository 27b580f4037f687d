//! The fleet's merged summary at its end: the workers' own summaries merged exactly (as
//! `sluice merge` does). A worker still running (and answering) when the fleet was told to
//! end counts with its last status; one whose summary is missing, or corrupt, or would not merge with the
//! others, is left out with one line, and the rest are merged.

use super::combine::Merger;
use super::notes::Notes;
use super::poller::WorkerView;
use super::worker_client::shown;
use crate::process::error::Error;
use crate::report::{RunFacts, Summary};
use crate::stats::series::EndOfRun;
use crate::stats::window::Histograms;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The summaries the workers left, merged; `ended_early`: the fleet was told to end, so
/// those still running count with their last status.
pub fn merged(
    names: &[String],
    views: &[WorkerView],
    ended_early: bool,
    notes: &Notes,
) -> Result<Summary, Error> {
    let mut runs: Vec<(String, Summary)> = Vec::new();
    for (name, v) in names.iter().zip(views) {
        let Some(summary) = run_of(name, v, ended_early, notes) else {
            continue;
        };
        match runs
            .iter()
            .find(|(_, s)| crate::report::merge::one_run(s, &summary))
        {
            Some((first, _)) => notes.say(format!(
                "sluice: fleet: worker {}'s summary is of the run worker {} had: left out, so \
                 that run counts once",
                shown(name),
                shown(first)
            )),
            None => runs.push((name.clone(), summary)),
        }
    }
    if runs.is_empty() {
        return Err(Error::Runtime(
            "fleet: no worker finished with a summary".into(),
        ));
    }
    if let Some(note) = crate::report::merge::steps_note(&runs) {
        notes.say(format!("sluice: fleet: {note}"));
    }
    match crate::report::merge::merge_runs(&runs) {
        Ok(merged) => Ok(merged),
        Err(_) => one_by_one(runs, notes),
    }
}

/// What one worker brings to the merge, saying why when it brings nothing.
fn run_of(name: &str, v: &WorkerView, ended_early: bool, notes: &Notes) -> Option<Summary> {
    let shown_name = shown(name);
    if v.left_out.is_some() {
        return None;
    }
    if let Some(summary) = &v.summary {
        let alone = [(name.to_string(), summary.clone())];
        return match crate::report::merge::merge_runs(&alone) {
            Ok(_) => Some(summary.clone()),
            Err(e) => {
                notes.say(format!(
                    "sluice: fleet: worker {shown_name}'s summary is left out: {}; the merge goes without it",
                    shown(&e)
                ));
                None
            }
        };
    }
    if ended_early
        && v.up
        && !v.finished
        && let Some(partial) = from_status(v)
    {
        notes.say(format!(
            "sluice: fleet: worker {shown_name} had not finished: the merge has its figures up to its last status ({:.1}s)",
            partial.duration_s
        ));
        return Some(partial);
    }
    notes.say(format!(
        "sluice: fleet: worker {shown_name} left no summary ({}): the merge goes without it",
        v.trouble.as_deref().unwrap_or("it did not finish")
    ));
    None
}

/// The runs merged one at a time, leaving out each that will not merge with those before.
fn one_by_one(runs: Vec<(String, Summary)>, notes: &Notes) -> Result<Summary, Error> {
    let mut kept: Vec<(String, Summary)> = Vec::new();
    for run in runs {
        kept.push(run);
        if let Err(e) = crate::report::merge::merge_runs(&kept)
            && let Some((name, _)) = kept.pop()
        {
            notes.say(format!(
                "sluice: fleet: worker {}'s summary is left out: {}; the merge goes without it",
                shown(&name),
                shown(&e)
            ));
        }
    }
    match kept.is_empty() {
        true => Err(Error::Runtime(
            "fleet: no worker's summary could be merged".into(),
        )),
        false => crate::report::merge::merge_runs(&kept).map_err(Error::Runtime),
    }
}

/// A summary of a worker's run so far, from its last (checked) status: its figures and its
/// histograms, so it merges exactly; no series.
fn from_status(v: &WorkerView) -> Option<Summary> {
    let r = v.counted()?;
    let s = &r.status;
    let mut snapshot = Merger::default().snapshot(std::slice::from_ref(v));
    let histograms = r.run.clone().unwrap_or_else(Histograms::empty);
    snapshot.end_of_run = Some(Arc::new(EndOfRun {
        histograms,
        series: Vec::new(),
    }));
    let elapsed = Duration::from_secs_f64(s.elapsed_s);
    let facts = RunFacts {
        target: s.target.clone(),
        initial_limit: s.limit,
        initial_rate: s.rate,
        timeline: Vec::new(),
        until: None,
        hold: None,
        peak_rss_kib: 0,
        urls: Vec::new(),
        fail_if: Vec::new(),
        started_at: SystemTime::now()
            .checked_sub(elapsed)
            .unwrap_or(SystemTime::UNIX_EPOCH),
        shard: s.shard,
    };
    Some(Summary::new(facts, &snapshot))
}

//! With several URLs (`--urls-from-file`, `--targets`): each one's counts and latencies, so
//! that the summary and the dashboard can break the run down by URL. A run with one URL
//! keeps none; past `MAX_ROWS` URLs, the rest are summed in one row more, "other".

use super::latency::{LatencySummary, Sums};
use crate::engine::outcome::{ErrorKind, Outcome, Verdict};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// Latencies above this (one hour) are recorded as this.
const MAX_LATENCY_US: u64 = 3_600_000_000;
/// URLs with a row of their own; those after them share one more row ("other"), so the
/// breakdown stays bounded whatever the number of URLs.
pub const MAX_ROWS: usize = 1000;
/// The name of that row, where a URL's would be.
pub const OTHER_ROW: &str = "other";
/// Two significant figures (1%): a URL's histogram is ~20 KB, not the ~190 KB of the run's
/// own three-figure one, so a thousand URLs stay small.
const SIGFIGS: u8 = 2;

/// One URL's running totals.
struct Tally {
    ok: u64,
    failed: u64,
    status: BTreeMap<u16, u64>,
    errors: [u64; ErrorKind::ALL.len()],
    latency: Histogram<u64>,
    latency_sums: Sums,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            ok: 0,
            failed: 0,
            status: BTreeMap::new(),
            errors: [0; ErrorKind::ALL.len()],
            latency: Histogram::new_with_bounds(1, MAX_LATENCY_US, SIGFIGS)
                .expect("static histogram bounds"),
            latency_sums: Sums::default(),
        }
    }
}

/// What one URL did, as views show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetFigures {
    pub ok: u64,
    pub failed: u64,
    pub status_codes: BTreeMap<u16, u64>,
    /// Failures by kind, only kinds that were seen.
    pub errors: BTreeMap<&'static str, u64>,
    pub latency: LatencySummary,
}

/// The tallies of every URL that has had an outcome, by URL number.
#[derive(Default)]
pub struct ByTarget {
    tallies: Vec<Tally>,
}

impl ByTarget {
    /// Counts `o` for its URL (past `MAX_ROWS`, in the row after them); outcomes of a
    /// one-URL run (target 0) are not kept.
    pub fn record(&mut self, o: &Outcome) {
        let Some(i) = (o.target as usize).checked_sub(1) else {
            return;
        };
        let i = i.min(MAX_ROWS);
        while self.tallies.len() <= i {
            self.tallies.push(Tally::new());
        }
        let t = &mut self.tallies[i];
        match o.verdict {
            Verdict::Status(code) => {
                t.ok += 1;
                *t.status.entry(code).or_default() += 1;
                let us = o.latency_us.clamp(1, MAX_LATENCY_US);
                t.latency.saturating_record(us);
                t.latency_sums.add(us);
            }
            Verdict::Error(kind) => {
                t.failed += 1;
                t.errors[kind.index()] += 1;
            }
            Verdict::Aborted => {}
        }
    }

    /// Each URL's figures so far, in URL order (at most `MAX_ROWS`, then "other"'s); empty
    /// in a one-URL run.
    pub fn figures(&self) -> Vec<TargetFigures> {
        self.tallies
            .iter()
            .map(|t| TargetFigures {
                ok: t.ok,
                failed: t.failed,
                status_codes: t.status.clone(),
                errors: seen_errors(&t.errors),
                latency: LatencySummary::of(&t.latency, t.latency_sums),
            })
            .collect()
    }
}

/// Failures counted by kind (`ErrorKind::index`), named, only the kinds that were seen: the
/// shape a URL's and a step's figures share.
pub fn seen_errors(errors: &[u64; ErrorKind::ALL.len()]) -> BTreeMap<&'static str, u64> {
    ErrorKind::ALL
        .iter()
        .filter(|k| errors[k.index()] > 0)
        .map(|k| (k.as_str(), errors[k.index()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(target: u32, verdict: Verdict, latency_us: u64) -> Outcome {
        Outcome {
            target,
            verdict,
            latency_us,
            ..Outcome::aborted()
        }
    }

    #[test]
    fn each_url_gets_its_own_counts_and_latencies() {
        let mut by = ByTarget::default();
        for _ in 0..10 {
            by.record(&outcome(1, Verdict::Status(200), 1_000));
            by.record(&outcome(3, Verdict::Status(404), 50_000));
        }
        by.record(&outcome(3, Verdict::Error(ErrorKind::Timeout), 0));
        let f = by.figures();
        assert_eq!(f.len(), 3, "URLs 1 to 3 (2 had nothing yet)");
        assert_eq!((f[0].ok, f[0].failed), (10, 0));
        assert_eq!(f[0].status_codes, BTreeMap::from([(200, 10)]));
        assert!(f[1] == TargetFigures::default());
        assert_eq!((f[2].ok, f[2].failed), (10, 1));
        assert_eq!(f[2].errors, BTreeMap::from([("timeout", 1)]));
        let p50 = f[2].latency.p50_us;
        assert!((49_500..=50_500).contains(&p50), "p50 {p50}");
    }

    #[test]
    fn urls_past_the_rows_kept_are_summed_in_one_more() {
        let mut by = ByTarget::default();
        for target in 1..=1500 {
            by.record(&outcome(target, Verdict::Status(200), 1_000));
        }
        let f = by.figures();
        assert_eq!(f.len(), MAX_ROWS + 1);
        assert_eq!(f[MAX_ROWS - 1].ok, 1);
        assert_eq!(f[MAX_ROWS].ok, 500, "URLs 1001 to 1500 in one row");
    }

    #[test]
    fn a_one_url_run_keeps_nothing() {
        let mut by = ByTarget::default();
        by.record(&outcome(0, Verdict::Status(200), 1_000));
        assert!(by.figures().is_empty());
    }
}

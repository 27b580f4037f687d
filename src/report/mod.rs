//! The end-of-run report: the summary's fields (a contract for scripts) and its writers:
//! text for people, JSON for scripts, CSV for spreadsheets, the HDR interval log.

pub mod hdr;
mod hdr_check;
pub mod hdr_log;
mod json;
pub mod latency;
pub mod merge;
pub mod output;
pub mod plot;
pub mod read;
pub mod series;
mod shown;
pub mod steps;
pub mod summary;
mod text;
pub mod thresholds;

pub use summary::{RunFacts, Summary};
pub use text::{rate_shown, render_text};

/// The summary in the chosen format, newline-terminated.
pub fn render(summary: &Summary, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => json::to_string(summary).unwrap_or_else(|e| {
            format!("{{\"error\": \"summary could not be serialised: {e}\"}}\n")
        }),
        OutputFormat::Text => render_text(summary),
        OutputFormat::Csv => csv(summary),
    }
}

/// The series as CSV, then the text summary as `#` comment lines (which CSV readers skip
/// with `comment='#'`, and people read).
fn csv(summary: &Summary) -> String {
    let mut out = series::csv(&summary.series);
    for line in render_text(summary).lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// How the summary is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Csv,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::stats::snapshot::Snapshot;
    use std::time::Duration;

    /// A run's facts with nothing steered.
    pub(crate) fn facts() -> RunFacts {
        RunFacts {
            target: "http://127.0.0.1:1/".into(),
            initial_limit: 5,
            initial_rate: None,
            timeline: Vec::new(),
            until: None,
            hold: None,
            peak_rss_kib: 0,
            urls: Vec::new(),
            fail_if: Vec::new(),
            started_at: std::time::UNIX_EPOCH,
            shard: None,
        }
    }

    #[test]
    fn the_csv_rows_are_the_json_series() {
        use crate::stats::series::{EndOfRun, SeriesPoint};
        use crate::stats::window::Histograms;
        let point = |s: u64, ok: u64| SeriesPoint {
            end: Duration::from_millis(s * 1000 + 3),
            ok,
            failed: s % 2,
            rps: ok as f64 * 0.997,
            p50_us: Some(1_000 + s),
            p99_us: (s != 2).then_some(9_000 + s),
            in_flight: 4,
            limit: 5,
            rate_target: Some(100.0),
        };
        let last = Snapshot {
            end_of_run: Some(std::sync::Arc::new(EndOfRun {
                histograms: Histograms::empty(),
                series: (1..=5).map(|s| point(s, 90 + s)).collect(),
            })),
            ..Snapshot::default()
        };
        let summary = Summary::new(facts(), &last);
        let json: serde_json::Value =
            serde_json::from_str(&render(&summary, OutputFormat::Json)).expect("json");
        let csv = render(&summary, OutputFormat::Csv);
        let rows: Vec<&str> = csv
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .collect();
        let entries = json["series"].as_array().expect("series");
        assert_eq!(rows.len(), entries.len());
        let field = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            v => v.as_f64().expect("a number").to_string(),
        };
        for (row, entry) in rows.iter().zip(entries) {
            let names = series::CSV_HEADER.split(',');
            let want: Vec<String> = names.map(|name| field(&entry[name])).collect();
            assert_eq!(row.split(',').collect::<Vec<_>>(), want, "{entry}");
        }
    }

    #[test]
    fn no_responses_means_no_latency_and_no_throughput() {
        let mut last = Snapshot {
            elapsed: Duration::from_secs(2),
            ..Snapshot::default()
        };
        last.counts.failed = 20;
        let summary = Summary::new(facts(), &last);
        let text = render_text(&summary);
        assert!(text.contains("Latency (ms):\n  no responses"), "{text}");
        assert!(text.contains("Throughput:   0.0 req/s"), "{text}");
        let json = render(&summary, OutputFormat::Json);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert!(v["latency_ms"].is_null(), "{json}");
        assert!(!text.contains("Until:"), "no --until, no line: {text}");
    }

    #[test]
    fn a_hold_says_where_it_settled_or_that_the_bar_failed_even_at_the_least_load() {
        let settled = summary::Hold {
            conditions: vec!["p99<200ms".into(), "errors<1%".into()],
            settled: Some(summary::Settled {
                knob: crate::engine::steer::Knob::Limit,
                value: 86.0,
                at_s: 9.0,
            }),
            held_share: 0.96,
        };
        let held = RunFacts {
            hold: Some(settled),
            ..facts()
        };
        let text = render_text(&Summary::new(held, &Snapshot::default()));
        assert!(
            text.contains(
                "Hold:           p99<200ms errors<1% settled at limit 86 from 9.0s; held 96% of seconds since"
            ),
            "{text}"
        );
        let mut last = Snapshot::default();
        last.gauges.limit = 1;
        let never = summary::Hold {
            conditions: vec!["p99<5ms".into()],
            settled: None,
            held_share: 0.0,
        };
        let failed = RunFacts {
            hold: Some(never),
            ..facts()
        };
        let text = render_text(&Summary::new(failed, &last));
        assert!(
            text.contains("p99<5ms never settled: not met even at limit 1"),
            "{text}"
        );
        assert!(!render_text(&Summary::new(facts(), &last)).contains("Hold:"));
    }

    #[test]
    fn an_until_that_never_held_says_so_without_any_steering() {
        let facts = RunFacts {
            initial_rate: Some(100.0),
            until: Some(summary::Until {
                condition: "p99>200ms".into(),
                met_at_s: None,
                knee: None,
            }),
            ..facts()
        };
        let text = render_text(&Summary::new(facts, &Snapshot::default()));
        assert!(
            text.contains("Until:          p99>200ms never met"),
            "{text}"
        );
    }
}

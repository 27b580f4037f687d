//! The summary's `series`: one entry per tick, and the same rows as CSV.

use crate::stats::series::SeriesPoint;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The CSV header row; the columns are the JSON entry's fields, in order.
pub const CSV_HEADER: &str = "t_s,rps,ok,failed,p50_ms,p99_ms,in_flight,limit,rate_target";

/// One tick of the run. Null where not applicable: no latency in a tick without
/// responses, no target rate in concurrency mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesEntry {
    /// Run time at the end of the tick, in seconds.
    pub t_s: f64,
    /// Responses a second over the tick.
    pub rps: f64,
    pub ok: u64,
    pub failed: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub in_flight: usize,
    pub limit: usize,
    pub rate_target: Option<f64>,
}

impl From<&SeriesPoint> for SeriesEntry {
    fn from(p: &SeriesPoint) -> Self {
        let ms = |us: Option<u64>| us.map(|us| us as f64 / 1000.0);
        SeriesEntry {
            t_s: round_ms(p.end.as_secs_f64()),
            rps: (p.rps * 10.0).round() / 10.0,
            ok: p.ok,
            failed: p.failed,
            p50_ms: ms(p.p50_us),
            p99_ms: ms(p.p99_us),
            in_flight: p.in_flight,
            limit: p.limit,
            rate_target: p.rate_target,
        }
    }
}

/// Seconds to the millisecond, so the series reads cleanly.
fn round_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}

/// The series as CSV: the header row, then a row per tick (an empty field for null).
pub fn csv(series: &[SeriesEntry]) -> String {
    let mut out = String::with_capacity(64 * (series.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for e in series {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            e.t_s,
            e.rps,
            e.ok,
            e.failed,
            opt(e.p50_ms),
            opt(e.p99_ms),
            e.in_flight,
            e.limit,
            opt(e.rate_target)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_row_per_tick_with_empty_fields_for_null() {
        let point = |s: u64, ok: u64, p50: Option<u64>| SeriesPoint {
            end: Duration::from_millis(s * 1000 + 1),
            ok,
            failed: 1,
            rps: ok as f64,
            p50_us: p50,
            p99_us: p50.map(|us| us * 2),
            in_flight: 3,
            limit: 10,
            rate_target: None,
        };
        let series: Vec<SeriesEntry> = [point(1, 100, Some(1500)), point(2, 0, None)]
            .iter()
            .map(SeriesEntry::from)
            .collect();
        let text = csv(&series);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(lines[1], "1.001,100,100,1,1.5,3,3,10,");
        assert_eq!(lines[2], "2.001,0,0,1,,,3,10,");
        assert_eq!(lines.len(), 3);
    }
}

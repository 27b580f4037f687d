//! Rendering the summary: text for people, JSON for scripts.

use crate::cli::OutputFormat;
use crate::stats::summary::Summary;
use std::fmt::Write as _;

/// The summary in the chosen format, newline-terminated.
pub fn render(summary: &Summary, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(summary).unwrap_or_else(|e| {
                format!("{{\"error\": \"summary could not be serialised: {e}\"}}")
            });
            s.push('\n');
            s
        }
        OutputFormat::Text => render_text(summary),
    }
}

/// A human-readable summary, in the spirit of hey's and oha's.
pub fn render_text(s: &Summary) -> String {
    let mut out = String::new();
    let r = &s.requests;
    let _ = writeln!(out, "Summary: {}", s.target);
    let _ = writeln!(out, "  Duration:     {:.2} s", s.duration_s);
    let _ = writeln!(
        out,
        "  Requests:     {} total: {} ok, {} failed ({} aborted at the end)",
        r.total, r.ok, r.failed, r.aborted
    );
    let _ = writeln!(out, "  Throughput:   {:.1} req/s", s.throughput_rps);
    let _ = writeln!(out, "  Received:     {} bytes", s.bytes_received);
    let _ = writeln!(out, "Latency (ms):");
    match &s.latency_ms {
        Some(l) => {
            let _ = writeln!(
                out,
                "  min {:.2}  mean {:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
                l.min, l.mean, l.p50, l.p90, l.p99, l.p99_9, l.max
            );
        }
        None => {
            let _ = writeln!(out, "  no responses");
        }
    }
    let _ = writeln!(out, "Status codes:");
    if s.status_codes.is_empty() {
        let _ = writeln!(out, "  (no responses)");
    }
    for (code, n) in &s.status_codes {
        let _ = writeln!(out, "  {code}: {n}");
    }
    let errors: Vec<_> = s.errors.iter().filter(|(_, n)| **n > 0).collect();
    let _ = writeln!(out, "Errors:");
    if errors.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for (kind, n) in errors {
        let _ = writeln!(out, "  {kind}: {n}");
    }
    for hint in &s.hints {
        let _ = writeln!(out, "  hint: {hint}");
    }
    let c = &s.concurrency;
    let _ = writeln!(
        out,
        "Concurrency:    initial {}, final {}, peak in flight {}",
        c.initial, c.last, c.peak_in_flight
    );
    if let Some(cap) = c.capped_by_open_files {
        let _ = writeln!(out, "                capped by open files ({cap})");
    }
    let f = &s.open_files;
    let _ = writeln!(
        out,
        "Open files:     peak {}, soft limit {}, hard limit {}",
        f.peak, f.soft_limit, f.hard_limit
    );
    let _ = writeln!(
        out,
        "Memory:         peak RSS {} KiB",
        s.memory.peak_rss_kib
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::Snapshot;
    use std::time::Duration;

    #[test]
    fn no_responses_means_no_latency_and_no_throughput() {
        let mut last = Snapshot {
            elapsed: Duration::from_secs(2),
            ..Snapshot::default()
        };
        last.counts.failed = 20;
        let summary = Summary::new("http://127.0.0.1:1/".into(), 5, &last);
        let text = render_text(&summary);
        assert!(text.contains("Latency (ms):\n  no responses"), "{text}");
        assert!(text.contains("Throughput:   0.0 req/s"), "{text}");
        let json = render(&summary, OutputFormat::Json);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert!(v["latency_ms"].is_null(), "{json}");
    }
}

//! The summary as text for people, in the spirit of hey's and oha's.

use super::summary::Summary;
use std::fmt::Write as _;

/// A human-readable summary: counts, latency, responses and errors, then resources.
pub fn render_text(s: &Summary) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_counts(&mut out, s)
        .and_then(|()| write_latency(&mut out, s))
        .and_then(|()| write_responses(&mut out, s))
        .and_then(|()| write_resources(&mut out, s));
    out
}

fn write_counts(out: &mut String, s: &Summary) -> std::fmt::Result {
    let r = &s.requests;
    writeln!(out, "Summary: {}", s.target)?;
    writeln!(out, "  Duration:     {:.2} s", s.duration_s)?;
    writeln!(
        out,
        "  Requests:     {} total: {} ok, {} failed ({} aborted at the end)",
        r.total, r.ok, r.failed, r.aborted
    )?;
    writeln!(out, "  Throughput:   {:.1} req/s", s.throughput_rps)?;
    writeln!(out, "  Received:     {} bytes", s.bytes_received)
}

fn write_latency(out: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(out, "Latency (ms):")?;
    match &s.latency_ms {
        Some(l) => writeln!(
            out,
            "  min {:.2}  mean {:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            l.min, l.mean, l.p50, l.p90, l.p99, l.p99_9, l.max
        ),
        None => writeln!(out, "  no responses"),
    }
}

fn write_responses(out: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(out, "Status codes:")?;
    if s.status_codes.is_empty() {
        writeln!(out, "  (no responses)")?;
    }
    for (code, n) in &s.status_codes {
        writeln!(out, "  {code}: {n}")?;
    }
    let errors: Vec<_> = s.errors.iter().filter(|(_, n)| **n > 0).collect();
    writeln!(out, "Errors:")?;
    if errors.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (kind, n) in errors {
        writeln!(out, "  {kind}: {n}")?;
    }
    for hint in &s.hints {
        writeln!(out, "  hint: {hint}")?;
    }
    Ok(())
}

fn write_resources(out: &mut String, s: &Summary) -> std::fmt::Result {
    let c = &s.concurrency;
    writeln!(
        out,
        "Concurrency:    initial {}, final {}, peak in flight {}",
        c.initial, c.last, c.peak_in_flight
    )?;
    if let Some(cap) = c.capped_by_open_files {
        writeln!(out, "                capped by open files ({cap})")?;
    }
    let f = &s.open_files;
    writeln!(
        out,
        "Open files:     peak {}, soft limit {}, hard limit {}",
        f.peak, f.soft_limit, f.hard_limit
    )?;
    writeln!(
        out,
        "Memory:         peak RSS {} KiB",
        s.memory.peak_rss_kib
    )
}

//! The summary as text for people, in the spirit of hey's and oha's. A summary may come from
//! a file (`merge`): every string in it is escaped before it is written.

use super::latency::{Bucket, LatencyMs};
use super::summary::{CheckSummary, Mode, Moved, Summary};
use crate::engine::steer::{Knob, Source};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A human-readable summary: counts, latency, responses and errors, then resources; every
/// string in it escaped, since a merged or a worker's summary brings strings from outside.
pub fn render_text(s: &Summary) -> String {
    let s = &super::shown::escaped_strings(s);
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_counts(&mut out, s)
        .and_then(|()| write_rate(&mut out, s))
        .and_then(|()| write_latency(&mut out, s))
        .and_then(|()| write_responses(&mut out, s))
        .and_then(|()| write_checks(&mut out, s))
        .and_then(|()| write_by_url(&mut out, s))
        .and_then(|()| write_steps(&mut out, s))
        .and_then(|()| write_resources(&mut out, s))
        .and_then(|()| write_steering(&mut out, s))
        .and_then(|()| write_hold(&mut out, s))
        .and_then(|()| write_thresholds(&mut out, s))
        .and_then(|()| write_workers(&mut out, s));
    out
}

/// A merge: each run merged, a line each.
fn write_workers(out: &mut String, s: &Summary) -> std::fmt::Result {
    if s.workers.is_empty() {
        return Ok(());
    }
    writeln!(out, "Workers:        {} runs merged", s.workers.len())?;
    for w in &s.workers {
        writeln!(
            out,
            "  {:>9} ok {:>7} failed {:>10.1} req/s {:>8.2} s  {}",
            w.requests.ok, w.requests.failed, w.throughput_rps, w.duration_s, &w.file
        )?;
    }
    Ok(())
}

/// The autopilot: where it settled and how well the conditions held; or that it never
/// settled, and, at the least load, that the service misses the bar even there.
fn write_hold(out: &mut String, s: &Summary) -> std::fmt::Result {
    let Some(hold) = &s.hold else {
        return Ok(());
    };
    let conditions = hold.conditions.join(" ");
    let held = 100.0 * hold.held_share;
    let Some(at) = &hold.settled else {
        let least = match s.mode {
            Mode::Rate => s.rate.last.is_some_and(|r| r <= 1.0).then_some("rate 1/s"),
            Mode::Concurrency => (s.concurrency.last <= 1).then_some("limit 1"),
        };
        return match least {
            Some(least) => writeln!(
                out,
                "Hold:           {conditions} never settled: not met even at {least} \
                 (held {held:.0}% of seconds): the service misses the bar at the least load"
            ),
            None => writeln!(
                out,
                "Hold:           {conditions} never settled (held {held:.0}% of seconds)"
            ),
        };
    };
    let value = match at.knob {
        Knob::Rate => rate_shown(Some(at.value)),
        Knob::Limit => format!("{}", at.value),
    };
    writeln!(
        out,
        "Hold:           {conditions} settled at {} {value} from {:.1}s; held {held:.0}% of \
         seconds since",
        at.knob, at.at_s
    )
}

/// Each `--fail-if` condition, what was measured, and whether it passed.
fn write_thresholds(out: &mut String, s: &Summary) -> std::fmt::Result {
    if s.thresholds.is_empty() {
        return Ok(());
    }
    writeln!(out, "Thresholds:")?;
    for t in &s.thresholds {
        let measured = t
            .measured
            .map_or("no value".to_string(), |v| format!("{v} {}", &t.unit));
        let verdict = if t.passed { "passed" } else { "FAILED" };
        writeln!(
            out,
            "  {:<20} measured {measured:<18} {verdict}",
            &t.condition
        )?;
    }
    Ok(())
}

/// The widest bar of a latency histogram, in characters.
const BAR_WIDTH: u64 = 40;

/// A bar per bucket, scaled to the fullest one.
fn write_histogram(out: &mut String, title: &str, buckets: &[Bucket]) -> std::fmt::Result {
    let Some(most) = buckets.iter().map(|b| b.count).max().filter(|m| *m > 0) else {
        return Ok(());
    };
    writeln!(out, "{title} histogram (ms, log-spaced buckets):")?;
    for b in buckets {
        // At least one mark for a bucket that is not empty.
        let width = (b.count * BAR_WIDTH).div_ceil(most);
        let bar = "■".repeat(width as usize);
        let line = format!(
            "  {:>10.3} - {:<10.3} {:>9}  {bar}",
            b.from_ms, b.to_ms, b.count
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Bytes a second, in the largest binary unit that keeps a number above 1.
fn per_second(bytes_per_s: f64) -> String {
    const UNITS: [&str; 4] = ["B/s", "KiB/s", "MiB/s", "GiB/s"];
    let mut value = bytes_per_s;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A rate as the summary and the progress lines write it: `114/s`, `33.33/s`, or `off`.
pub fn rate_shown(rate: Option<f64>) -> String {
    match rate {
        None => "off".to_string(),
        Some(r) if r.fract() == 0.0 => format!("{r:.0}/s"),
        Some(r) => format!("{r:.2}/s"),
    }
}

/// Rate mode (at the start, at the end, or in between): the target against what was
/// achieved, and how late starts were.
fn write_rate(out: &mut String, s: &Summary) -> std::fmt::Result {
    let r = &s.rate;
    let steered = s.timeline.iter().any(|e| e.knob == Moved::Rate);
    if r.initial.is_none() && r.last.is_none() && !steered && r.late_starts == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "  Rate:         target {} at the start, {} at the end; achieved {:.1}/s",
        rate_shown(r.initial),
        rate_shown(r.last),
        r.achieved
    )?;
    writeln!(
        out,
        "  Late starts:  {} (max lag {:.1} ms)",
        r.late_starts, r.max_lag_ms
    )
}

/// The ladder: the spread on one line, the percentiles on the next.
fn percentiles(l: &LatencyMs) -> String {
    format!(
        "  min {:.2}  mean {:.2}  stdev {:.2}  max {:.2}\n  \
         p50 {:.2}  p75 {:.2}  p90 {:.2}  p95 {:.2}  p99 {:.2}  p99.9 {:.2}  p99.99 {:.2}",
        l.min, l.mean, l.stdev, l.max, l.p50, l.p75, l.p90, l.p95, l.p99, l.p99_9, l.p99_99
    )
}

/// The timeline, when the knobs were changed during the run.
fn write_steering(out: &mut String, s: &Summary) -> std::fmt::Result {
    let changes: Vec<_> = s
        .timeline
        .iter()
        .filter(|e| e.source != Source::Start)
        .collect();
    if !changes.is_empty() {
        writeln!(out, "Steering:       {} changes", changes.len())?;
    }
    for e in changes {
        let value = match (e.knob.as_str(), e.value) {
            ("rate", rate) => format!(" {}", rate_shown(rate)),
            (_, Some(v)) => format!(" {v}"),
            (_, None) => String::new(),
        };
        writeln!(out, "  {:>8.1}s  {}{value} ({})", e.t_s, &e.knob, &e.source)?;
    }
    if let Some(until) = &s.until {
        match (until.met_at_s, &until.knee) {
            (Some(at), Some(knee)) => writeln!(
                out,
                "Until:          {} met at {at:.1}s; knee at {} {}",
                &until.condition, &knee.knob, knee.value
            )?,
            (Some(at), None) => {
                writeln!(out, "Until:          {} met at {at:.1}s", &until.condition)?
            }
            _ => writeln!(out, "Until:          {} never met", &until.condition)?,
        }
    }
    Ok(())
}

fn write_counts(out: &mut String, s: &Summary) -> std::fmt::Result {
    let r = &s.requests;
    writeln!(out, "Summary: {}", &s.target)?;
    writeln!(out, "  Duration:     {:.2} s", s.duration_s)?;
    writeln!(
        out,
        "  Requests:     {} total: {} ok, {} failed ({} aborted at the end)",
        r.total, r.ok, r.failed, r.aborted
    )?;
    writeln!(out, "  Throughput:   {:.1} req/s", s.throughput_rps)?;
    writeln!(
        out,
        "  Received:     {} bytes, headers and bodies ({} of bodies), {}",
        s.bytes_received,
        s.body_bytes_received,
        per_second(s.transfer_bytes_per_s)
    )
}

fn write_latency(out: &mut String, s: &Summary) -> std::fmt::Result {
    let due = if s.mode == Mode::Rate || s.rate.late_starts > 0 {
        " (from when each request was due)"
    } else {
        ""
    };
    writeln!(out, "Latency (ms){due}:")?;
    match &s.latency_ms {
        Some(l) => writeln!(out, "{}", percentiles(l))?,
        None => writeln!(out, "  no responses")?,
    }
    write_histogram(out, "Latency", &s.latency_buckets)?;
    match &s.service_ms {
        Some(l) if !due.is_empty() => {
            writeln!(out, "Service time (ms) (from each send):")?;
            writeln!(out, "{}", percentiles(l))?;
            write_histogram(out, "Service time", &s.service_buckets)?;
        }
        _ => {}
    }
    write_timings(out, s)
}

/// Time to first byte and connecting, a line each: p50, p99 and max.
fn write_timings(out: &mut String, s: &Summary) -> std::fmt::Result {
    let short = |l: &LatencyMs| format!("p50 {:.2}  p99 {:.2}  max {:.2}", l.p50, l.p99, l.max);
    if let Some(l) = &s.ttfb_ms {
        writeln!(
            out,
            "TTFB (ms):      {}  (from each send to its head, connecting excluded)",
            short(l)
        )?;
    }
    let c = &s.connects;
    match &c.connect_ms {
        Some(l) => writeln!(
            out,
            "Connects:       {} opened; ms to open: {}",
            c.opened,
            short(l)
        ),
        None => writeln!(out, "Connects:       {} opened", c.opened),
    }
}

fn write_responses(out: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(out, "Status codes:")?;
    if s.status_codes.is_empty() {
        writeln!(out, "  (no responses)")?;
    }
    for (code, n) in &s.status_codes {
        writeln!(out, "  {}: {n}", code)?;
    }
    let classes: Vec<String> = s
        .status_classes
        .iter()
        .map(|(class, n)| format!("{} {n}", class))
        .collect();
    writeln!(out, "  by class: {}", classes.join(", "))?;
    let errors: Vec<_> = s.errors.iter().filter(|(_, n)| **n > 0).collect();
    writeln!(out, "Errors:")?;
    if errors.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (kind, n) in errors {
        writeln!(out, "  {}: {n}", kind)?;
    }
    for hint in &s.hints {
        writeln!(out, "  hint: {}", hint)?;
    }
    Ok(())
}

/// Each `--check`: its share of passes, its counts; and the redirects, when any came.
fn write_checks(out: &mut String, s: &Summary) -> std::fmt::Result {
    let r = &s.redirects;
    if r.followed > 0 || r.offsite > 0 {
        writeln!(
            out,
            "Redirects:      {} followed, {} to another origin (not followed)",
            r.followed, r.offsite
        )?;
    }
    if s.checks.is_empty() {
        return Ok(());
    }
    let sum = |each: &dyn Fn(&CheckSummary) -> u64| {
        s.checks.iter().map(each).fold(0, u64::saturating_add)
    };
    let passed = sum(&|c| c.passed);
    let judged = passed.saturating_add(sum(&|c| c.failed));
    writeln!(
        out,
        "Checks:         {} of {judged} evaluations passed",
        share(passed, judged)
    )?;
    for c in &s.checks {
        writeln!(
            out,
            "  {:>8} {:>9} passed {:>9} failed  {}",
            share(c.passed, c.passed.saturating_add(c.failed)),
            c.passed,
            c.failed,
            &c.check
        )?;
    }
    Ok(())
}

/// `n` of `of` as a percentage with two decimals; `-` of none.
fn share(n: u64, of: u64) -> String {
    match of {
        0 => "-".to_string(),
        _ => format!("{:.2}%", 100.0 * n as f64 / of as f64),
    }
}

/// With several URLs: a line each, in the file's order, with its status codes.
fn write_by_url(out: &mut String, s: &Summary) -> std::fmt::Result {
    if s.urls.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "By URL:         requests      ok  failed     p50 ms     p99 ms  url: status codes"
    )?;
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    for u in &s.urls {
        writeln!(
            out,
            "  {:>22} {:>7} {:>7} {:>10} {:>10}  {}: {}",
            u.requests,
            u.ok,
            u.failed,
            ms(u.p50_ms),
            ms(u.p99_ms),
            &u.url,
            codes(&u.status_codes)
        )?;
    }
    Ok(())
}

/// With `--scenario`: the sessions, then a line a step (its checks under it).
fn write_steps(out: &mut String, s: &Summary) -> std::fmt::Result {
    let Some(sessions) = &s.sessions else {
        return Ok(());
    };
    let p50 = sessions
        .duration_ms
        .as_ref()
        .map_or("-".to_string(), |d| format!("{:.2}", d.p50));
    writeln!(
        out,
        "Sessions:       {} started, {} completed, {} failed; duration p50 {p50} ms",
        sessions.started, sessions.completed, sessions.failed
    )?;
    writeln!(
        out,
        "By step:        requests      ok  failed skipped     p50 ms     p99 ms  step: status codes"
    )?;
    let ms = |l: &Option<LatencyMs>, p: fn(&LatencyMs) -> f64| {
        l.as_ref()
            .map_or("-".to_string(), |l| format!("{:.2}", p(l)))
    };
    for step in &s.steps {
        writeln!(
            out,
            "  {:>22} {:>7} {:>7} {:>7} {:>10} {:>10}  {}: {}",
            step.requests,
            step.ok,
            step.failed,
            step.skipped,
            ms(&step.latency_ms, |l| l.p50),
            ms(&step.latency_ms, |l| l.p99),
            &step.name,
            codes(&step.status_codes)
        )?;
        for c in &step.checks {
            writeln!(
                out,
                "    check {}: {} passed, {} failed",
                c.check, c.passed, c.failed
            )?;
        }
    }
    Ok(())
}

/// `200 750, 404 250`, or `none` before any response.
fn codes(codes: &BTreeMap<String, u64>) -> String {
    match codes.is_empty() {
        true => "none".to_string(),
        false => codes
            .iter()
            .map(|(code, n)| format!("{} {n}", code))
            .collect::<Vec<_>>()
            .join(", "),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::{TimelineEntry, UrlSummary};
    use crate::stats::snapshot::Snapshot;

    fn summary() -> Summary {
        Summary::new(crate::report::tests::facts(), &Snapshot::default())
    }

    fn entry(t_s: f64, knob: &str, value: Option<f64>) -> TimelineEntry {
        TimelineEntry {
            t_s,
            knob: serde_json::from_value(knob.into()).expect("a knob's word"),
            value,
            source: Source::Key,
        }
    }

    #[test]
    fn a_rate_switched_off_reads_off() {
        let mut s = summary();
        s.timeline = vec![
            entry(3.3, "rate", Some(114.0)),
            entry(63.0, "rate", None),
            entry(70.0, "pause", None),
        ];
        s.rate.late_starts = 12;
        let text = render_text(&s);
        assert!(text.contains("3.3s  rate 114/s (key)"), "{text}");
        assert!(text.contains("63.0s  rate off (key)"), "{text}");
        assert!(text.contains("70.0s  pause (key)"), "{text}");
        // Off at both ends, but it was on: the rate and its late starts are still told.
        assert!(
            text.contains("Rate:         target off at the start, off at the end"),
            "{text}"
        );
        assert!(text.contains("Late starts:  12"), "{text}");
        s.rate.last = Some(100.0 / 3.0);
        let text = render_text(&s);
        assert!(
            text.contains("off at the start, 33.33/s at the end"),
            "{text}"
        );
    }

    #[test]
    fn each_url_has_its_status_codes() {
        let mut s = summary();
        let url = |path: &str, codes: &[(&str, u64)]| UrlSummary {
            url: format!("http://127.0.0.1:1{path}"),
            requests: codes.iter().map(|(_, n)| n).sum(),
            ok: codes.iter().map(|(_, n)| n).sum(),
            failed: 0,
            status_codes: codes.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            errors: BTreeMap::new(),
            p50_ms: Some(1.0),
            p99_ms: Some(2.0),
        };
        s.urls = vec![
            url("/a", &[("200", 750)]),
            url("/missing", &[("200", 2), ("404", 250)]),
            url("/never", &[]),
        ];
        let text = render_text(&s);
        assert!(text.contains("1/a: 200 750\n"), "{text}");
        assert!(text.contains("1/missing: 200 2, 404 250\n"), "{text}");
        assert!(text.contains("1/never: none\n"), "{text}");
    }

    #[test]
    fn every_string_from_a_file_is_escaped() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e}";
        let mut s = summary();
        s.target = format!("http://x/{hostile}");
        s.status_codes.insert(format!("200{hostile}"), 1);
        s.status_classes.insert(format!("2xx{hostile}"), 1);
        s.errors.insert(format!("timeout{hostile}"), 1);
        s.hints.push(format!("hint{hostile}"));
        s.urls.push(UrlSummary {
            url: format!("http://x/u{hostile}"),
            requests: 1,
            ok: 1,
            failed: 0,
            status_codes: [(format!("200{hostile}"), 1)].into(),
            errors: BTreeMap::new(),
            p50_ms: None,
            p99_ms: None,
        });
        let text = render_text(&s);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        assert!(text.contains("http://x/\\x1b]0;PWNED\\x07"), "{text}");
        assert!(text.matches("\\x1b[2J").count() >= 7, "{text}");
    }
}

//! `--hdr-log FILE`: the run's latency as an HdrHistogram interval log, one histogram per
//! tick in V2 compressed form, in the text format HdrHistogram's own tools read
//! (HistogramLogProcessor, HdrHistogram_py's HistogramLogReader, the crate's own iterator).

use crate::engine::steer::RunState;
use crate::report::output::{Detached, Output, said_if_slow};
use crate::stats::snapshot::Snapshot;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::IntervalLogWriterBuilder;
use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

/// The log's values are microseconds; the max column is written in milliseconds.
const MAX_VALUE_DIVISOR: f64 = 1000.0;

/// Writes a histogram for every snapshot until the last one, then puts the file in place;
/// the file is written by a thread of its own (a FIFO's reader may be late, or stall).
pub async fn write(
    out: Output,
    target: String,
    started_at: SystemTime,
    snapshots: mpsc::UnboundedReceiver<Snapshot>,
) -> io::Result<()> {
    let shown = out.path().map(|p| p.display().to_string());
    let mut stream = Detached::start(out);
    let logged = write_ticks(&mut stream, &target, started_at, snapshots).await;
    let finished = said_if_slow(shown.as_deref(), stream.finish()).await;
    match (logged, finished) {
        (Ok(()), finished) => finished,
        // The writing thread's own error says more than the queue's.
        (Err(_), Err(thread)) => Err(thread),
        (Err(e), Ok(())) => Err(e),
    }
}

/// The header, then a histogram for every snapshot until the last one.
async fn write_ticks(
    stream: &mut Detached,
    target: &str,
    started_at: SystemTime,
    mut snapshots: mpsc::UnboundedReceiver<Snapshot>,
) -> io::Result<()> {
    write_header(stream, target, started_at)?;
    let mut serializer = V2DeflateSerializer::new();
    let mut log = IntervalLogWriterBuilder::new()
        .with_max_value_divisor(MAX_VALUE_DIVISOR)
        .begin_log_with(stream, &mut serializer)?;
    let mut tick_start = Duration::ZERO;
    while let Some(s) = snapshots.recv().await {
        if let Some(h) = &s.last_tick_histograms {
            let end = s.last_tick.end;
            log.write_histogram(&h.latency, tick_start, end.saturating_sub(tick_start), None)
                .map_err(|e| io::Error::other(e.to_string()))?;
            tick_start = end;
        }
        if s.gauges.state == RunState::Done {
            break;
        }
    }
    Ok(())
}

/// What the log holds, the format version, the start time (interval timestamps count from
/// it: StartTime and BaseTime are the same), and the column legend.
fn write_header(out: &mut impl Write, target: &str, started_at: SystemTime) -> io::Result<()> {
    let start = started_at
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let date = humantime::format_rfc3339_millis(started_at);
    writeln!(
        out,
        "#[sluice {}: latency of {target} in microseconds, from when each request was due (its start, in concurrency mode)]",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "#[Histogram log format version 1.3]")?;
    writeln!(
        out,
        "#[StartTime: {start:.3} (seconds since epoch), {date}]"
    )?;
    writeln!(out, "#[BaseTime: {start:.3} (seconds since epoch)]")?;
    writeln!(
        out,
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::new_histogram;
    use crate::stats::window::Histograms;
    use hdrhistogram::serialization::Deserializer;
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
    use std::sync::Arc;

    fn tick(end_ms: u64, values_us: &[u64], done: bool) -> Snapshot {
        let mut latency = new_histogram();
        values_us
            .iter()
            .for_each(|v| latency.record(*v).expect("record"));
        let mut s = Snapshot::default();
        s.last_tick.end = Duration::from_millis(end_ms);
        s.last_tick_histograms = Some(Arc::new(Histograms {
            latency,
            service: new_histogram(),
            ttfb: new_histogram(),
            connect: new_histogram(),
        }));
        if done {
            s.gauges.state = RunState::Done;
        }
        s
    }

    #[tokio::test]
    async fn a_histogram_per_tick_that_the_crate_reads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("run.hlog");
        let out = Output::prepare(Some(&path)).expect("prepare");
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(tick(1000, &[100, 200], false)).expect("send");
        tx.send(tick(2000, &[], false)).expect("send");
        tx.send(tick(2500, &[5_000], true)).expect("send");
        write(out, "http://127.0.0.1/".into(), UNIX_EPOCH, rx)
            .await
            .expect("log");
        let text = std::fs::read(&path).expect("read");
        let mut counts = Vec::new();
        let mut spans = Vec::new();
        for entry in IntervalLogIterator::new(&text) {
            if let Ok(LogEntry::Interval(i)) = entry {
                let bytes = base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    i.encoded_histogram(),
                )
                .expect("base64");
                let h: hdrhistogram::Histogram<u64> = Deserializer::new()
                    .deserialize(&mut bytes.as_slice())
                    .expect("histogram");
                counts.push(h.len());
                spans.push((i.start_timestamp().as_millis(), i.duration().as_millis()));
            }
        }
        assert_eq!(counts, [2, 0, 1]);
        assert_eq!(spans, [(0, 1000), (1000, 1000), (2000, 500)]);
    }
}

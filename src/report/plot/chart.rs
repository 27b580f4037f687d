//! The drawing: the title, then three panels on one time axis (responses a second with the
//! target rate; the limit with the requests in flight; p50 and p99), each with its legend
//! above it, and the run's hand-made changes marked. Every line is thinned to the picture's
//! pixel columns first, so the picture's size does not grow with the run.

use super::axes::{self, Axes};
use super::hold::{self, Levels};
use super::ink::Ink;
use super::legend::{self, Entry};
use super::marks::Marks;
use super::run_record::RunRecord;
use super::style::{BLACK_TEXT, FONT, Pen, Plane, text};
use super::thin::{Columns, Runs, gapped};
use crate::engine::steer::Knob;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Each panel's first line is drawn wide and the next over it narrow, so two lines that lie
/// on each other (50 req/s at a target of 50/s, a limit that is full) both stay visible.
const RPS: Pen = Pen::wide(RGBColor(31, 119, 180));
const RATE: Pen = Pen::narrow(RGBColor(255, 127, 14));
const IN_FLIGHT: Pen = Pen::wide(RGBColor(152, 210, 140));
const LIMIT: Pen = Pen::narrow(RGBColor(30, 120, 30));
const P50: Pen = Pen::wide(RGBColor(31, 119, 180));
const P99: Pen = Pen::narrow(RGBColor(214, 39, 40));
const TITLE_PX: u32 = 38;
/// The strip above each panel that holds its legend.
const LEGEND_PX: u32 = 24;
/// The highest an axis goes: plotters' tick arithmetic never ends on a top of infinity (a
/// file's 1.7e308 with headroom); a larger value is drawn off the top.
const AXIS_MAX: f64 = 1e300;

/// A panel: the strip for its legend, and its chart.
struct Panel<'b, DB: DrawingBackend> {
    strip: DrawingArea<DB, Shift>,
    chart: ChartContext<'b, DB, Plane>,
}

/// What every panel shares.
struct Page<'a, DB: DrawingBackend> {
    ink: Ink<'a, DB>,
    end_s: f64,
    columns: Columns,
    marks: Marks,
    /// The autopilot's bars and where it settled.
    levels: Levels,
}

/// Draws the whole picture on `root`, a bitmap's or an SVG's (text and wide lines are drawn
/// differently on a bitmap: see `Ink` and `stroke`).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RunRecord,
    title: &str,
    bitmap: bool,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(text)?;
    let (width, _) = root.dim_in_pixel();
    let end_s = r.end_s().min(AXIS_MAX);
    let columns = Columns::new(end_s, width);
    let page = Page {
        ink: Ink::new(root, bitmap),
        end_s,
        columns,
        marks: Marks::of(r, end_s, columns),
        levels: Levels::of(r),
    };
    let centred = (FONT, 20)
        .into_font()
        .color(&BLACK_TEXT)
        .pos(Pos::new(HPos::Center, VPos::Top));
    page.ink.write(title, (width as i32 / 2, 10), &centred)?;
    let (_, body) = root.split_vertically(TITLE_PX);
    let (upper, rest) = body.split_vertically(43.percent_height());
    let (middle, lower) = rest.split_vertically(36.percent_height());
    throughput(&page, &upper, r)?;
    knobs(&page, &middle, r)?;
    latency(&page, &lower, r)
}

/// The highest value among `points`, with room above it for the marks' labels (1 when there
/// is none), and never past `AXIS_MAX`.
fn headroom<'a>(points: impl IntoIterator<Item = &'a (f64, f64)>) -> f64 {
    let highest = points.into_iter().map(|p| p.1).fold(0.0, f64::max);
    (highest.max(1.0) * 1.15).min(AXIS_MAX)
}

/// A panel with run time across (0 to `end_s`) and a measure up (0 to `top`), under the
/// strip for its legend; all panels have the same room for labels, so their time axes line up.
fn panel<'b, DB: DrawingBackend>(
    area: &'b DrawingArea<DB, Shift>,
    end_s: f64,
    top: f64,
    lowest: bool,
) -> Result<Panel<'b, DB>, String> {
    let (strip, _) = area.split_vertically(LEGEND_PX);
    let chart = ChartBuilder::on(area)
        .margin_top(LEGEND_PX)
        .margin_left(6)
        .margin_right(28)
        .x_label_area_size(if lowest { 48 } else { 28 })
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..end_s, 0.0..top)
        .map_err(text)?;
    Ok(Panel { strip, chart })
}

/// Draws each run of `runs` as a line (a lone point as a dot), in the picture's pixels. A
/// value off the plane (only a hostile file has one) is drawn at its edge: plotters neither
/// clips a line to its plot area nor survives the pixel arithmetic of a -1e308.
fn lines<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Plane>,
    ink: &Ink<'_, DB>,
    runs: &Runs,
    pen: Pen,
) -> Result<(), String> {
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let on_plane = |&(x, y): &(f64, f64)| {
        let at = (x.clamp(xs.start, xs.end), y.clamp(ys.start, ys.end));
        chart.backend_coord(&at)
    };
    for run in runs {
        let mut pixels: Vec<(i32, i32)> = run.iter().map(on_plane).collect();
        pixels.dedup();
        stroke(ink, &pixels, pen)?;
    }
    Ok(())
}

/// A line through `pixels`. On a bitmap, segment by segment with a round joint at each
/// corner: plotters makes a wide line one polygon with mitred joints, and a spike (a column's
/// lowest then highest point) mitres into a needle across the whole picture.
fn stroke<DB: DrawingBackend>(
    ink: &Ink<'_, DB>,
    pixels: &[(i32, i32)],
    pen: Pen,
) -> Result<(), String> {
    let style = pen.colour.stroke_width(pen.width);
    let root = ink.root();
    let joint = |at: (i32, i32)| Circle::new(at, pen.width / 2, style.filled());
    match pixels {
        [] => Ok(()),
        [only] => root.draw(&joint(*only)).map_err(text),
        _ if !ink.bitmap() => {
            let path = PathElement::new(pixels.to_vec(), style);
            root.draw(&path).map_err(text)
        }
        _ => {
            for pair in pixels.windows(2) {
                let segment = PathElement::new(pair.to_vec(), style);
                root.draw(&segment).map_err(text)?;
            }
            for &corner in &pixels[1..pixels.len() - 1] {
                root.draw(&joint(corner)).map_err(text)?;
            }
            Ok(())
        }
    }
}

/// The left edge of a chart's plot area, in the picture's pixels: where its legend starts.
fn plot_left<DB: DrawingBackend>(chart: &ChartContext<'_, DB, Plane>) -> i32 {
    let (xs, ys) = (chart.x_range(), chart.y_range());
    chart.backend_coord(&(xs.start, ys.start)).0
}

/// Responses a second, and the target rate (none while the rate was off).
fn throughput<DB: DrawingBackend>(
    page: &Page<'_, DB>,
    area: &DrawingArea<DB, Shift>,
    r: &RunRecord,
) -> Result<(), String> {
    let rps = page.columns.thin(r.rates().into_iter().map(Some));
    let rate_steps = r.steps_of(Knob::Rate);
    let ever_off = rate_steps.len() > 1;
    let rate = page.columns.thin(gapped(rate_steps));
    let settled = settled_point(page, Knob::Rate);
    let top = headroom(rps.iter().chain(&rate).flatten().chain(&settled));
    let Panel { strip, mut chart } = panel(area, page.end_s, top, false)?;
    let y_desc = "responses a second";
    let axes = Axes {
        y_desc,
        y_ticks: 8,
        x_desc: false,
    };
    axes::draw(&mut chart, &page.ink, &axes)?;
    page.marks.lines(&mut chart, &page.ink)?;
    lines(&chart, &page.ink, &rps, RPS)?;
    let mut legend = vec![entry("req/s", RPS)];
    if !rate.is_empty() {
        lines(&chart, &page.ink, &rate, RATE)?;
        let name = match ever_off {
            true => "target rate (none while off)",
            false => "target rate",
        };
        legend.push(entry(name, RATE));
    }
    settle(page, &mut chart, Knob::Rate, &mut legend)?;
    page.marks.labels(&chart, &page.ink)?;
    let note = page.marks.note();
    legend::draw(
        &page.ink,
        &strip,
        plot_left(&chart),
        &legend,
        note.as_deref(),
    )
}

/// The limit (its own axis: requests in flight are not a rate), and the requests in flight
/// at each tick's end but the last, read after the run had stopped.
fn knobs<DB: DrawingBackend>(
    page: &Page<'_, DB>,
    area: &DrawingArea<DB, Shift>,
    r: &RunRecord,
) -> Result<(), String> {
    let ticks = match r.series.split_last() {
        Some((_, [])) | None => &r.series[..],
        Some((_, before)) => before,
    };
    let gauge = ticks.iter().map(|e| Some((e.t_s, e.in_flight as f64)));
    let in_flight = page.columns.thin(gauge);
    let limit = page.columns.thin(gapped(r.steps_of(Knob::Limit)));
    let settled = settled_point(page, Knob::Limit);
    let top = headroom(in_flight.iter().chain(&limit).flatten().chain(&settled));
    let Panel { strip, mut chart } = panel(area, page.end_s, top, false)?;
    let y_desc = "in flight";
    axes::draw(
        &mut chart,
        &page.ink,
        &Axes {
            y_desc,
            y_ticks: 4,
            x_desc: false,
        },
    )?;
    page.marks.lines(&mut chart, &page.ink)?;
    lines(&chart, &page.ink, &in_flight, IN_FLIGHT)?;
    let mut legend = vec![entry("requests in flight", IN_FLIGHT)];
    if !limit.is_empty() {
        lines(&chart, &page.ink, &limit, LIMIT)?;
        legend.push(entry("limit", LIMIT));
    }
    settle(page, &mut chart, Knob::Limit, &mut legend)?;
    legend::draw(&page.ink, &strip, plot_left(&chart), &legend, None)
}

/// p50 and p99 a tick; a tick without responses leaves a gap.
fn latency<DB: DrawingBackend>(
    page: &Page<'_, DB>,
    area: &DrawingArea<DB, Shift>,
    r: &RunRecord,
) -> Result<(), String> {
    let p50 = page
        .columns
        .thin(r.series.iter().map(|e| e.p50_ms.map(|v| (e.t_s, v))));
    let p99 = page
        .columns
        .thin(r.series.iter().map(|e| e.p99_ms.map(|v| (e.t_s, v))));
    let bars: Vec<(f64, f64)> = page.levels.bars.iter().map(|(ms, _)| (0.0, *ms)).collect();
    let top = headroom(p99.iter().chain(&p50).flatten().chain(&bars));
    let Panel { strip, mut chart } = panel(area, page.end_s, top, true)?;
    let y_desc = "latency (ms)";
    axes::draw(
        &mut chart,
        &page.ink,
        &Axes {
            y_desc,
            y_ticks: 8,
            x_desc: true,
        },
    )?;
    page.marks.lines(&mut chart, &page.ink)?;
    lines(&chart, &page.ink, &p50, P50)?;
    lines(&chart, &page.ink, &p99, P99)?;
    let mut legend = vec![entry("p50", P50), entry("p99", P99)];
    for (ms, condition) in &page.levels.bars {
        hold::level(&mut chart, 0.0, *ms, hold::BAR)?;
        legend.push(entry(&format!("auto's bar {condition}"), hold::BAR));
    }
    legend::draw(&page.ink, &strip, plot_left(&chart), &legend, None)
}

/// Where the autopilot settled `knob`, as a point for the panel's headroom.
fn settled_point<DB: DrawingBackend>(page: &Page<'_, DB>, knob: Knob) -> Option<(f64, f64)> {
    let (k, value, at_s) = page.levels.settled?;
    (k == knob).then_some((at_s, value))
}

/// The autopilot's settled value on `knob`'s panel, if it settled that knob, and its entry.
fn settle<DB: DrawingBackend>(
    page: &Page<'_, DB>,
    chart: &mut ChartContext<'_, DB, super::style::Plane>,
    knob: Knob,
    legend: &mut Vec<Entry>,
) -> Result<(), String> {
    let (Some((at_s, value)), Some(name)) =
        (settled_point(page, knob), page.levels.settled_on(knob))
    else {
        return Ok(());
    };
    hold::level(chart, at_s, value, hold::SETTLED)?;
    legend.push(entry(&name, hold::SETTLED));
    Ok(())
}

fn entry(name: &str, pen: Pen) -> Entry {
    Entry {
        name: name.to_string(),
        pen,
    }
}

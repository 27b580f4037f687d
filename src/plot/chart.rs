//! The drawing: a throughput panel (req/s, the target rate, the limit on the right axis)
//! above a latency panel (p50 and p99), both with the run's hand-made changes marked.

use super::run_record::RunRecord;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

const FONT: &str = "sans-serif";
const RPS: RGBColor = RGBColor(31, 119, 180);
const RATE: RGBColor = RGBColor(255, 127, 14);
const LIMIT: RGBColor = RGBColor(44, 160, 44);
const P50: RGBColor = RGBColor(31, 119, 180);
const P99: RGBColor = RGBColor(214, 39, 40);
const MARK: RGBColor = RGBColor(120, 120, 120);
const GRID: RGBColor = RGBColor(232, 232, 232);
/// Both panels: run time across, a measure up.
type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;
/// Marks labelled at most; more are drawn as lines only.
const LABELLED_MARKS: usize = 24;

/// Makes the bundled DejaVu Sans the plot's "sans-serif", so text is measured (and, in a
/// PNG, drawn) the same on every machine.
pub fn register_font() -> Result<(), String> {
    plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the bundled font cannot be read".to_string())
}

/// Draws the whole picture on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RunRecord,
    title: &str,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(text)?;
    let root = root.titled(title, (FONT, 20)).map_err(text)?;
    let (top, bottom) = root.split_vertically(55.percent_height());
    throughput(&top, r)?;
    latency(&bottom, r)
}

fn text(e: impl std::fmt::Display) -> String {
    format!("cannot draw the plot: {e}")
}

/// The highest value among `points`, with room above it (1 when there is none).
fn headroom<'a>(points: impl IntoIterator<Item = &'a (f64, f64)>) -> f64 {
    points.into_iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.15
}

/// A short line in a series' colour, for the legend.
fn swatch(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
}

/// A panel with run time across (0 to `end` s) and a measure up (0 to `top`), with room for
/// labels on both sides so the two panels' time axes line up.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    end: f64,
    top: f64,
) -> Result<ChartContext<'_, DB, Plane>, String> {
    ChartBuilder::on(area)
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(72)
        .right_y_label_area_size(72)
        .build_cartesian_2d(0.0..end, 0.0..top)
        .map_err(text)
}

/// Responses a second, the target rate and (right axis) the limit.
fn throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RunRecord,
) -> Result<(), String> {
    let end = r.end_s();
    let rps = r.rates();
    let (rate, limit) = (r.steps_of("rate"), r.steps_of("limit"));
    let top = headroom(rps.iter().chain(&rate));
    let mut chart = panel(area, end, top)?.set_secondary_coord(0.0..end, 0.0..headroom(&limit));
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .max_light_lines(2)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("run time (s)")
        .y_desc("responses a second")
        .label_style((FONT, 13))
        .draw()
        .map_err(text)?;
    chart
        .configure_secondary_axes()
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("limit (requests in flight)")
        .label_style((FONT, 13))
        .draw()
        .map_err(text)?;
    marks(&mut chart, r, top, true)?;
    if !rate.is_empty() {
        chart
            .draw_series(LineSeries::new(rate, RATE.stroke_width(2)))
            .map_err(text)?
            .label("target rate")
            .legend(swatch(RATE));
    }
    if !limit.is_empty() {
        chart
            .draw_secondary_series(LineSeries::new(limit, LIMIT.stroke_width(2)))
            .map_err(text)?
            .label("limit (right axis)")
            .legend(swatch(LIMIT));
    }
    // Last, so it is drawn over the knobs' lines where it meets them.
    chart
        .draw_series(LineSeries::new(rps, RPS.stroke_width(2)))
        .map_err(text)?
        .label("req/s")
        .legend(swatch(RPS));
    legend(&mut chart)
}

/// p50 and p99 a tick; a tick without responses leaves a gap.
fn latency<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, r: &RunRecord) -> Result<(), String> {
    let end = r.end_s();
    let p50 = segments(r, |e| e.p50_ms);
    let p99 = segments(r, |e| e.p99_ms);
    let top = headroom(p99.iter().chain(&p50).flatten());
    let mut chart = panel(area, end, top)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .max_light_lines(2)
        .y_label_formatter(&|v| match top < 10.0 {
            true => format!("{v:.1}"),
            false => format!("{v:.0}"),
        })
        .x_desc("run time (s)")
        .y_desc("latency (ms)")
        .label_style((FONT, 13))
        .draw()
        .map_err(text)?;
    marks(&mut chart, r, top, false)?;
    for (points, colour, name) in [(p50, P50, "p50"), (p99, P99, "p99")] {
        for (j, segment) in points.into_iter().enumerate() {
            let drawn = chart
                .draw_series(LineSeries::new(segment, colour.stroke_width(2)))
                .map_err(text)?;
            if j == 0 {
                drawn.label(name).legend(swatch(colour));
            }
        }
    }
    legend(&mut chart)
}

/// The runs of consecutive ticks where `value` has one, as lines to draw.
fn segments(
    r: &RunRecord,
    value: impl Fn(&crate::report::series::SeriesEntry) -> Option<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for e in &r.series {
        match value(e) {
            Some(v) => out.last_mut().expect("one at least").push((e.t_s, v)),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A dashed grey line at each hand-made change, labelled in the upper panel.
fn marks<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    r: &RunRecord,
    top: f64,
    labelled: bool,
) -> Result<(), String> {
    for (i, (t, label)) in r.marks().into_iter().enumerate() {
        let line = DashedLineSeries::new(vec![(t, 0.0), (t, top)], 6, 4, MARK.stroke_width(1));
        chart.draw_series(line).map_err(text)?;
        if labelled && i < LABELLED_MARKS {
            // Staggered, so neighbouring labels do not sit on each other.
            let y = top * (0.96 - 0.06 * (i % 3) as f64);
            let style = (FONT, 12).into_font().color(&MARK);
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(" {label}"),
                    (t, y),
                    style,
                )))
                .map_err(text)?;
        }
    }
    Ok(())
}

/// The series' legend, top right, on a light box.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 13))
        .draw()
        .map_err(text)
}

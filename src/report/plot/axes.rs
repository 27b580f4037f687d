//! A panel's grid and axes: plotters draws the grid and the ticks, `Ink` their labels (so
//! each glyph sits where the font puts it, in a PNG as in an SVG).

use super::ink::Ink;
use super::shown::tick;
use super::style::{BLACK_TEXT, FONT, GRID, Plane, text};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Labelled ticks across (the same hint plotters' grid is given, so they meet its lines).
const X_TICKS: usize = 11;

/// What a panel's axes say.
pub struct Axes {
    pub y_desc: &'static str,
    /// Labelled ticks up, at most.
    pub y_ticks: usize,
    /// Whether "run time (s)" is written under the ticks (the lowest panel only).
    pub x_desc: bool,
}

/// Draws the grid, the ticks and their labels, and the axes' descriptions.
pub fn draw<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Plane>,
    ink: &Ink<'_, DB>,
    axes: &Axes,
) -> Result<(), String> {
    let empty = |_: &f64| String::new();
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .max_light_lines(2)
        .x_labels(X_TICKS)
        .y_labels(axes.y_ticks)
        .x_label_formatter(&empty)
        .y_label_formatter(&empty)
        .draw()
        .map_err(text)?;
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let (left, bottom) = chart.backend_coord(&(xs.start, ys.start));
    let (right, top) = chart.backend_coord(&(xs.end, ys.end));
    let small = (FONT, 13).into_font().color(&BLACK_TEXT);
    let below = small.pos(Pos::new(HPos::Center, VPos::Top));
    let x_keys = RangedCoordf64::from(xs.clone()).key_points(X_TICKS);
    for &x in &x_keys {
        let (px, _) = chart.backend_coord(&(x, ys.start));
        ink.write(&tick(x, step(&x_keys)), (px, bottom + 8), &below)?;
    }
    let beside = small.pos(Pos::new(HPos::Right, VPos::Center));
    let y_keys = RangedCoordf64::from(ys.clone()).key_points(axes.y_ticks);
    for &y in &y_keys {
        let (_, py) = chart.backend_coord(&(xs.start, y));
        ink.write(&tick(y, step(&y_keys)), (left - 8, py), &beside)?;
    }
    let up = small
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Top));
    ink.write(axes.y_desc, (left - 66, (top + bottom) / 2), &up)?;
    if axes.x_desc {
        ink.write("run time (s)", ((left + right) / 2, bottom + 26), &below)?;
    }
    Ok(())
}

/// The distance between two neighbouring ticks (1 when there is one tick or none).
fn step(keys: &[f64]) -> f64 {
    match keys {
        [a, b, ..] => b - a,
        _ => 1.0,
    }
}

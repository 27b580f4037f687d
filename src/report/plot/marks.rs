//! The run's hand-made changes (keys, the control API, a replay, pauses), marked where they
//! happened: one a pixel column at most; while they are few, a dashed line each, labelled
//! where a label has room; when they are many, a tick at the top of each panel and their
//! count in the legend.

use super::ink::{Ink, width};
use super::run_record::RunRecord;
use super::shown::cut;
use super::style::{FONT, MARK, Plane, text};
use super::thin::Columns;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Marks drawn as dashed, labelled lines up to this many; more are ticks.
const DASHED_UP_TO: usize = 40;
/// A label's characters at most (the knob's name comes from the file).
const LABEL_CHARS: usize = 24;
/// Rows of labels at the top of the upper panel, in the room its headroom leaves.
const LABEL_ROWS: usize = 2;

/// The marks to draw: the first change in each pixel column, and how many there were.
pub struct Marks {
    shown: Vec<(f64, String)>,
    total: usize,
}

impl Marks {
    /// The marks of `r` within the time axis (0 to `end_s`), one a column of `columns`.
    pub fn of(r: &RunRecord, end_s: f64, columns: Columns) -> Marks {
        let all = r.marks();
        let total = all.len();
        let mut shown = Vec::new();
        let mut reached: Option<usize> = None;
        for (t_s, label) in all.into_iter().filter(|m| (0.0..=end_s).contains(&m.0)) {
            let column = columns.of(t_s).max(reached.unwrap_or(0));
            if reached != Some(column) {
                shown.push((t_s, label));
            }
            reached = Some(column);
        }
        Marks { shown, total }
    }

    fn few(&self) -> bool {
        self.shown.len() <= DASHED_UP_TO
    }

    /// What the legend says of the marks when they are too many to label.
    pub fn note(&self) -> Option<String> {
        (!self.few()).then(|| format!("{} changes (ticks at the top)", self.total))
    }

    /// A dashed line at each mark, or a tick at the top of the panel when they are many.
    pub fn lines<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<'_, DB, Plane>,
        ink: &Ink<'_, DB>,
    ) -> Result<(), String> {
        let ys = chart.y_range();
        for &(t_s, _) in &self.shown {
            if self.few() {
                let ends = vec![(t_s, ys.start), (t_s, ys.end)];
                let line = DashedLineSeries::new(ends, 6, 4, MARK.stroke_width(1));
                chart.draw_series(line).map_err(text)?;
            } else {
                let (x, y) = chart.backend_coord(&(t_s, ys.end));
                let tick = PathElement::new(vec![(x, y), (x, y + 4)], MARK.mix(0.5));
                ink.root().draw(&tick).map_err(text)?;
            }
        }
        Ok(())
    }

    /// Each mark's label at the top of the panel, right of its line (left of it near the
    /// right edge), in the first row where it has room; a mark without room goes unlabelled.
    pub fn labels<DB: DrawingBackend>(
        &self,
        chart: &ChartContext<'_, DB, Plane>,
        ink: &Ink<'_, DB>,
    ) -> Result<(), String> {
        if !self.few() {
            return Ok(());
        }
        let style = (FONT, 12)
            .into_font()
            .color(&MARK)
            .pos(Pos::new(HPos::Left, VPos::Top));
        let (xs, ys) = (chart.x_range(), chart.y_range());
        let (left, top) = chart.backend_coord(&(xs.start, ys.end));
        let (right, _) = chart.backend_coord(&(xs.end, ys.end));
        let mut free_from = [left; LABEL_ROWS];
        for (t_s, label) in &self.shown {
            let label = cut(label, LABEL_CHARS);
            let wide = width(&label, &style);
            let (at, _) = chart.backend_coord(&(*t_s, ys.end));
            let x = match at + 4 + wide <= right {
                true => at + 4,
                false => at - 4 - wide,
            };
            let Some(row) = (0..LABEL_ROWS).find(|&r| x >= free_from[r]) else {
                continue;
            };
            free_from[row] = x + wide + 8;
            ink.write(&label, (x, top + 3 + 15 * row as i32), &style)?;
        }
        Ok(())
    }
}

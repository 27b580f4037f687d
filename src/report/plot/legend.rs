//! A panel's legend, in a strip above its plot area, where it can cover no line.

use super::ink::{Ink, width};
use super::style::{BLACK_TEXT, FONT, MARK, Pen, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One line of the panel: its name beside a swatch drawn with its pen.
pub struct Entry {
    pub name: String,
    pub pen: Pen,
}

/// Draws `entries` in a row on `strip` from pixel `left`, then `note` (in grey) if any.
pub fn draw<DB: DrawingBackend>(
    ink: &Ink<'_, DB>,
    strip: &DrawingArea<DB, Shift>,
    left: i32,
    entries: &[Entry],
    note: Option<&str>,
) -> Result<(), String> {
    let (_, rows) = strip.get_pixel_range();
    let y = (rows.start + rows.end) / 2 + 2;
    let style = (FONT, 13)
        .into_font()
        .color(&BLACK_TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = left;
    for entry in entries {
        let pen = entry.pen.colour.stroke_width(entry.pen.width);
        let swatch = PathElement::new(vec![(x, y), (x + 24, y)], pen);
        ink.root().draw(&swatch).map_err(text)?;
        ink.write(&entry.name, (x + 30, y), &style)?;
        x += 30 + width(&entry.name, &style) + 24;
    }
    if let Some(note) = note {
        ink.write(note, (x, y), &style.color(&MARK))?;
    }
    Ok(())
}

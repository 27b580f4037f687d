//! Text on the picture. plotters' bitmap text drops each glyph's left side bearing, so a ':'
//! or a '.' was drawn against the glyph before it with a gap after ("http: //", "8. 0"): in a
//! PNG each glyph is drawn on its own, where the font puts it. An SVG gets whole strings (the
//! viewer lays them out).

use super::bearings::Bearings;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The picture's text, as its format needs it drawn.
pub struct Ink<'a, DB: DrawingBackend> {
    root: &'a DrawingArea<DB, Shift>,
    bitmap: bool,
}

impl<'a, DB: DrawingBackend> Ink<'a, DB> {
    /// Text on `root`: glyph by glyph on a bitmap, as whole strings in an SVG.
    pub fn new(root: &'a DrawingArea<DB, Shift>, bitmap: bool) -> Ink<'a, DB> {
        Ink { root, bitmap }
    }

    /// The whole picture, to draw on in its pixels.
    pub fn root(&self) -> &'a DrawingArea<DB, Shift> {
        self.root
    }

    /// Whether the picture is a bitmap (drawn here) rather than an SVG (drawn by its viewer).
    pub fn bitmap(&self) -> bool {
        self.bitmap
    }

    /// `text` at pixel `at`, placed by the style's anchor and turned by its transform.
    pub fn write(&self, text: &str, at: (i32, i32), style: &TextStyle) -> Result<(), String> {
        if !self.bitmap {
            let element = Text::new(text.to_string(), at, style.clone());
            return self.root.draw(&element).map_err(super::style::text);
        }
        let (wide, tall) = (width(text, style), height(style));
        let dx = match style.pos.h_pos {
            HPos::Left => 0,
            HPos::Center => -wide / 2,
            HPos::Right => -wide,
        };
        let dy = match style.pos.v_pos {
            VPos::Top => 0,
            VPos::Center => -tall / 2,
            VPos::Bottom => -tall,
        };
        let glyph_style = style.pos(Pos::new(HPos::Left, VPos::Top));
        let turn = style.font.get_transform();
        let size = style.font.get_size();
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            // The pen after the glyph less its advance: the kerning with the one before counts.
            let pen = width(&text[..end], style) - width(&text[i..end], style);
            let bearing = Bearings::dejavu().map_or(0, |b| b.left_px(c, size));
            let (x, y) = turn.transform(dx + pen + bearing, dy);
            let glyph = Text::new(&text[i..end], (at.0 + x, at.1 + y), glyph_style.clone());
            self.root.draw(&glyph).map_err(super::style::text)?;
        }
        Ok(())
    }
}

/// How wide `text` is laid out in `style`, in pixels, before any turn.
pub fn width(text: &str, style: &TextStyle) -> i32 {
    style
        .font
        .layout_box(text)
        .map_or(0, |((x0, _), (x1, _))| x1 - x0)
}

/// How tall a line of `style` is laid out, in pixels, before any turn.
fn height(style: &TextStyle) -> i32 {
    style
        .font
        .layout_box("0")
        .map_or(0, |((_, y0), (_, y1))| y1 - y0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::BitMapBackend;

    /// The runs of inked columns when `text` is drawn at 40 pixels on a bitmap, as (first,
    /// last) column; glyph by glyph (ours) or as one string (plotters' own).
    fn inked_columns(text: &str, glyph_by_glyph: bool) -> Vec<(usize, usize)> {
        super::super::style::register_font().expect("the font");
        let (w, h) = (240usize, 60usize);
        let mut rgb = vec![255u8; w * h * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w as u32, h as u32));
            let root = root.into_drawing_area();
            let style = ("sans-serif", 40).into_font().color(&BLACK);
            Ink::new(&root, glyph_by_glyph)
                .write(text, (10, 5), &style)
                .expect("drawn");
            root.present().expect("presented");
        }
        let inked = |x: usize| (0..h).any(|y| rgb[(y * w + x) * 3] < 128);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for x in (0..w).filter(|&x| inked(x)) {
            match runs.last_mut() {
                Some(run) if run.1 + 1 == x => run.1 = x,
                _ => runs.push((x, x)),
            }
        }
        runs
    }

    #[test]
    fn a_colon_sits_where_the_font_puts_it() {
        // DejaVu Sans: 'a' ends 186 units before its advance, ':' has 239 on each side, '/'
        // none: the gap before the colon is the wider one (7 pixels at 40, then 4).
        let gaps = |runs: &[(usize, usize)]| match runs {
            [a, colon, slash] => (colon.0 - a.1, slash.0 - colon.1),
            _ => panic!("three glyphs expected: {runs:?}"),
        };
        let (before, after) = gaps(&inked_columns("a:/", true));
        assert!(
            before > after,
            "ours: {before} px before ':', {after} after"
        );
        // plotters' own bitmap text drops each glyph's bearing: the colon moves left onto
        // the 'a' and leaves a gap after it, "http: //".
        let (before, after) = gaps(&inked_columns("a:/", false));
        assert!(
            before < after,
            "plotters': {before} px before ':', {after} after"
        );
    }
}

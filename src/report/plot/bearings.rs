//! Each glyph's left side bearing, read from the bundled font's own tables (cmap format 4,
//! hhea, hmtx, OS/2): plotters' bitmap text drops it, and `Ink` puts it back.

use std::sync::OnceLock;

/// Where the tables a bearing needs are in the font file.
pub struct Bearings {
    font: &'static [u8],
    /// The format 4 (BMP) character map.
    cmap: usize,
    hmtx: usize,
    long_metrics: u16,
    /// Ascender minus descender, in font units: the font's scale is the text's size over it.
    height_units: f64,
}

impl Bearings {
    /// The bundled DejaVu Sans's, read once; None if its tables cannot be found.
    pub fn dejavu() -> Option<&'static Bearings> {
        static READ: OnceLock<Option<Bearings>> = OnceLock::new();
        READ.get_or_init(|| Bearings::of(dejavu::sans::regular()))
            .as_ref()
    }

    fn of(font: &'static [u8]) -> Option<Bearings> {
        let hhea = table(font, b"hhea")?;
        let (mut ascender, mut descender) = (i16_at(font, hhea + 4)?, i16_at(font, hhea + 6)?);
        // As ttf-parser (under ab_glyph) does: the typographic metrics when the font says so.
        if let Some(os2) = table(font, b"OS/2")
            && u16_at(font, os2 + 62)? & (1 << 7) != 0
        {
            (ascender, descender) = (i16_at(font, os2 + 68)?, i16_at(font, os2 + 70)?);
        }
        let height_units = f64::from(ascender) - f64::from(descender);
        Some(Bearings {
            font,
            cmap: cmap_format_4(font)?,
            hmtx: table(font, b"hmtx")?,
            long_metrics: u16_at(font, hhea + 34)?,
            height_units: (height_units > 0.0).then_some(height_units)?,
        })
    }

    /// The left side bearing of `c`, in whole pixels at text size `size` (as ab_glyph rounds
    /// a glyph's bounds); 0 for a character the font does not map.
    pub fn left_px(&self, c: char, size: f64) -> i32 {
        let units = self.glyph(c).and_then(|g| self.bearing_units(g));
        units.map_or(0, |u| {
            (f64::from(u) * size / self.height_units).floor() as i32
        })
    }

    /// The glyph of `c` in the format 4 map (the segments are sorted by their last code).
    fn glyph(&self, c: char) -> Option<u16> {
        let code = u16::try_from(u32::from(c)).ok()?;
        let (f, map) = (self.font, self.cmap);
        let segments = usize::from(u16_at(f, map + 6)? / 2);
        let ends = map + 14;
        let starts = ends + 2 * segments + 2;
        let deltas = starts + 2 * segments;
        let ranges = deltas + 2 * segments;
        let mut low = 0;
        let mut high = segments;
        while low < high {
            let mid = (low + high) / 2;
            match u16_at(f, ends + 2 * mid)? < code {
                true => low = mid + 1,
                false => high = mid,
            }
        }
        let s = low;
        if s == segments || u16_at(f, starts + 2 * s)? > code {
            return None;
        }
        let delta = u16_at(f, deltas + 2 * s)?;
        let range = u16_at(f, ranges + 2 * s)?;
        if range == 0 {
            return Some(code.wrapping_add(delta));
        }
        let start = u16_at(f, starts + 2 * s)?;
        let at = ranges + 2 * s + usize::from(range) + 2 * usize::from(code - start);
        let glyph = u16_at(f, at)?;
        (glyph != 0).then(|| glyph.wrapping_add(delta))
    }

    /// The glyph's left side bearing in font units (hmtx: long metrics, then bearings only).
    fn bearing_units(&self, glyph: u16) -> Option<i16> {
        let n = self.long_metrics;
        match glyph < n {
            true => i16_at(self.font, self.hmtx + 4 * usize::from(glyph) + 2),
            false => i16_at(
                self.font,
                self.hmtx + 4 * usize::from(n) + 2 * usize::from(glyph - n),
            ),
        }
    }
}

/// The offset of the table tagged `tag`, from the font's table directory.
fn table(font: &[u8], tag: &[u8; 4]) -> Option<usize> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count).find_map(|i| {
        let record = 12 + 16 * i;
        let offset = u32::from_be_bytes(font.get(record + 8..record + 12)?.try_into().ok()?);
        (font.get(record..record + 4)? == tag).then_some(offset as usize)
    })
}

/// The offset of the Unicode BMP character map (platform 3 encoding 1, or platform 0).
fn cmap_format_4(font: &[u8]) -> Option<usize> {
    let cmap = table(font, b"cmap")?;
    let count = usize::from(u16_at(font, cmap + 2)?);
    (0..count).find_map(|i| {
        let record = cmap + 4 + 8 * i;
        let platform = (u16_at(font, record)?, u16_at(font, record + 2)?);
        let offset = u32::from_be_bytes(font.get(record + 4..record + 8)?.try_into().ok()?);
        let map = cmap + offset as usize;
        let unicode = matches!(platform, (3, 1) | (0, 3));
        (unicode && u16_at(font, map)? == 4).then_some(map)
    })
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn i16_at(bytes: &[u8], at: usize) -> Option<i16> {
    u16_at(bytes, at).map(|v| v as i16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_gives_a_colon_more_bearing_than_a_slash() {
        let b = Bearings::dejavu().expect("DejaVu's tables");
        let (colon, slash, h) = (
            b.left_px(':', 200.0),
            b.left_px('/', 200.0),
            b.left_px('h', 200.0),
        );
        // DejaVu Sans: ':' 239 units of 2048 a side, '/' none, 'h' 186; ascender minus
        // descender 2384 units.
        assert_eq!((colon, slash, h), (20, 0, 15));
        assert_eq!(
            b.left_px('\u{10000}', 20.0),
            0,
            "outside the BMP: no correction"
        );
    }
}

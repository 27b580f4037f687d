//! The look every part of the picture shares: the font, the greys, a line's pen, the plane
//! a panel is drawn on; and how a drawing error reads.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

pub const FONT: &str = "sans-serif";
pub const BLACK_TEXT: RGBColor = RGBColor(30, 30, 30);
pub const MARK: RGBColor = RGBColor(120, 120, 120);
pub const GRID: RGBColor = RGBColor(232, 232, 232);
/// All panels: run time across, a measure up.
pub type Plane = Cartesian2d<RangedCoordf64, RangedCoordf64>;
/// A line's colour and width, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Pen {
    pub colour: RGBColor,
    pub width: u32,
}

impl Pen {
    pub const fn wide(colour: RGBColor) -> Pen {
        Pen { colour, width: 5 }
    }

    pub const fn narrow(colour: RGBColor) -> Pen {
        Pen { colour, width: 2 }
    }
}

/// Makes the bundled DejaVu Sans the plot's "sans-serif", so text is measured (and, in a
/// PNG, drawn) the same on every machine.
pub fn register_font() -> Result<(), String> {
    plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the bundled font cannot be read".to_string())
}

/// A drawing error as the one line the user reads.
pub fn text(e: impl std::fmt::Display) -> String {
    format!("cannot draw the plot: {e}")
}

//! `sluice plot run.json -o run.svg`: a picture of a run from its JSON summary: throughput
//! with the target rate, the limit with the requests in flight, and p50/p99 over time, the
//! hand-made changes marked where they happened, and the autopilot's bars and where it
//! settled. Its size is bounded by its pixels, not by
//! the run's length. SVG or PNG, drawn in-process (plotters, with a bundled DejaVu font), no
//! system library needed.

mod axes;
mod bearings;
mod chart;
mod hold;
mod ink;
mod legend;
mod marks;
mod run_record;
mod shown;
mod style;
mod thin;

use crate::process::error::Error;
use crate::process::untrusted::escaped;
use crate::report::output::Output;
use clap::Args;
use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};
use run_record::RunRecord;
use std::path::PathBuf;

/// The picture's size, in pixels.
const SIZE: (u32, u32) = (1200, 800);
/// The title's characters at most: what 20-pixel text fits across the picture.
const TITLE_CHARS: usize = 110;

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A JSON summary (sluice --output-format json -o run.json).
    pub input: PathBuf,
    /// The picture to write: FILE.svg or FILE.png.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// A title instead of the default one (the target, the duration, the requests, the throughput).
    #[arg(long = "title")]
    pub title: Option<String>,
}

/// The picture's format, from the output's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Svg,
    Png,
}

/// Reads the summary, draws it and writes the picture; bad input is refused before anything
/// is written.
pub fn run_plot(args: PlotArgs) -> Result<(), Error> {
    let ext = args.output.extension().and_then(|e| e.to_str());
    let format = match ext.map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Format::Svg,
        Some("png") => Format::Png,
        _ => {
            return Err(Error::Input(format!(
                "plot: -o '{}' must end in .svg or .png",
                escaped(&args.output.to_string_lossy())
            )));
        }
    };
    let record = RunRecord::read(&args.input).map_err(Error::Input)?;
    let out = Output::prepare_as(Some(&args.output), "plot: -o")?;
    if out.is(&args.input) {
        return Err(Error::Input(format!(
            "plot: -o '{}' is the summary it reads: name another file",
            escaped(&args.output.display().to_string())
        )));
    }
    let title = args.title.unwrap_or_else(|| record.title());
    let title = shown::cut(&title, TITLE_CHARS);
    let bytes = draw(&record, &title, format).map_err(Error::Runtime)?;
    out.write(&bytes)?;
    crate::say!(
        "sluice: plot written to {}",
        escaped(&args.output.to_string_lossy())
    );
    Ok(())
}

/// The picture as the bytes of its file.
fn draw(record: &RunRecord, title: &str, format: Format) -> Result<Vec<u8>, String> {
    style::register_font()?;
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                chart::draw(&root, record, title, false)?;
                root.present().map_err(|e| e.to_string())?;
            }
            Ok(svg.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
                chart::draw(&root, record, title, true)?;
                root.present().map_err(|e| e.to_string())?;
            }
            png(rgb)
        }
    }
}

/// RGB pixels as a PNG file.
fn png(rgb: Vec<u8>) -> Result<Vec<u8>, String> {
    let image = image::RgbImage::from_raw(SIZE.0, SIZE.1, rgb).ok_or("the picture's size")?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageOutputFormat::Png)
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    Ok(bytes.into_inner())
}

//! Lines and tables that fit their width whole: where room is short an item takes a shorter
//! form (a shorter label, a narrower gap) or is left out, and a column is dropped, the least
//! important first. A number is never cut and columns never run together.

use ratatui::text::{Line, Span};

/// One item of a line in its forms, the widest first; every form is whole.
pub struct Item(pub Vec<Vec<Span<'static>>>);

impl Item {
    /// An item with a single form.
    pub fn one(spans: Vec<Span<'static>>) -> Item {
        Item(vec![spans])
    }

    fn form(&self, level: usize) -> &[Span<'static>] {
        &self.0[level.min(self.0.len() - 1)]
    }
}

/// `items` (the most important first) in `width`: all of them at their widest forms with
/// the widest of `gaps` between them if that fits; else narrower gaps, then shorter forms;
/// else without the last item, and so on. An empty line when not even the first fits.
pub fn line(items: &[Item], gaps: &[&'static str], width: usize) -> Line<'static> {
    let levels = items.iter().map(|i| i.0.len()).max().unwrap_or(1);
    for kept in (1..=items.len()).rev() {
        for level in 0..levels {
            for gap in gaps {
                let l = joined(&items[..kept], level, gap);
                if l.width() <= width {
                    return l;
                }
            }
        }
    }
    Line::default()
}

fn joined(items: &[Item], level: usize, gap: &'static str) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 && !gap.is_empty() {
            spans.push(Span::raw(gap));
        }
        spans.extend(item.form(level).iter().cloned());
    }
    Line::from(spans)
}

/// Which of the columns of `widths` (each with its gap) to keep in `room`: the columns
/// named in `drop_order` are left out in that order until the rest fit.
pub fn columns(widths: &[usize], drop_order: &[usize], room: usize) -> Vec<bool> {
    let mut kept = vec![true; widths.len()];
    for &column in drop_order {
        if kept_width(widths, &kept) <= room {
            break;
        }
        kept[column] = false;
    }
    kept
}

/// The cells of the columns `columns` kept.
pub fn kept<T>(cells: impl IntoIterator<Item = T>, kept: &[bool]) -> Vec<T> {
    cells
        .into_iter()
        .zip(kept)
        .filter(|(_, k)| **k)
        .map(|(c, _)| c)
        .collect()
}

/// How wide the columns kept are.
pub fn kept_width(widths: &[usize], kept: &[bool]) -> usize {
    self::kept(widths.iter().copied(), kept).into_iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_line_narrows_its_gaps_then_its_labels_then_drops_its_last_items() {
        let items = [
            Item::one(vec![Span::raw("peak 1000000")]),
            Item(vec![
                vec![Span::raw("limit 1000000")],
                vec![Span::raw("lim 1000000")],
            ]),
            Item::one(vec![Span::raw("step 1000000")]),
        ];
        let gaps = ["   ", " "];
        let at = |w| text(&line(&items, &gaps, w));
        assert_eq!(at(43), "peak 1000000   limit 1000000   step 1000000");
        assert_eq!(at(42), "peak 1000000 limit 1000000 step 1000000");
        assert_eq!(at(38), "peak 1000000 lim 1000000 step 1000000");
        assert_eq!(at(30), "peak 1000000   limit 1000000");
        assert_eq!(at(12), "peak 1000000");
        assert_eq!(at(11), "");
    }

    #[test]
    fn columns_go_in_their_drop_order_until_the_rest_fit() {
        let widths = [5, 6, 5, 7, 7];
        assert_eq!(columns(&widths, &[3, 1], 30), vec![true; 5]);
        assert_eq!(
            columns(&widths, &[3, 1, 2], 20),
            vec![true, false, true, false, true]
        );
    }
}

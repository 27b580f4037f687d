//! Lines thinned to what the picture can show: in each pixel column, the first, the lowest,
//! the highest and the last point, so a line has at most four points a column whatever the
//! length of the series or the timeline, and a spike narrower than a pixel stays visible.

/// A line as drawn: runs of points, with a gap between one run and the next.
pub type Runs = Vec<Vec<(f64, f64)>>;

/// The picture's time axis cut into pixel columns.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    end_s: f64,
    count: usize,
}

impl Columns {
    /// `count` columns across run time 0 to `end_s`.
    pub fn new(end_s: f64, count: u32) -> Columns {
        Columns {
            end_s,
            count: count.max(1) as usize,
        }
    }

    /// The column of run time `t_s`; one before the axis' start is the first, one after its
    /// end the last.
    pub fn of(&self, t_s: f64) -> usize {
        let at = (t_s / self.end_s * self.count as f64).floor();
        // `as` saturates (and takes NaN to 0), so no value leaves the range.
        (at.max(0.0) as usize).min(self.count - 1)
    }

    /// `points` in time order (None: a gap) thinned to four points a column at most. A point
    /// earlier than the one before it is counted in the column reached so far, so even a file
    /// out of order gives no more points; a gap narrower than a column is not drawn.
    pub fn thin(&self, points: impl IntoIterator<Item = Option<(f64, f64)>>) -> Runs {
        let mut runs = Runs::new();
        let mut run = Vec::new();
        let mut bucket: Option<Bucket> = None;
        let mut gap = false;
        for (i, point) in points.into_iter().enumerate() {
            let Some(point) = point else {
                gap = true;
                continue;
            };
            let reached = bucket.as_ref().map_or(0, |b| b.column);
            let column = self.of(point.0).max(reached);
            match bucket.as_mut() {
                Some(b) if b.column == column => b.add(i, point),
                _ => {
                    if let Some(b) = bucket.take() {
                        b.drain_into(&mut run);
                    }
                    if gap && !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                    bucket = Some(Bucket::new(column, i, point));
                }
            }
            gap = false;
        }
        if let Some(b) = bucket {
            b.drain_into(&mut run);
        }
        if !run.is_empty() {
            runs.push(run);
        }
        runs
    }
}

/// A column's points kept so far, each with its place in the input: first, lowest, highest, last.
struct Bucket {
    column: usize,
    kept: [(usize, (f64, f64)); 4],
}

impl Bucket {
    fn new(column: usize, i: usize, point: (f64, f64)) -> Bucket {
        Bucket {
            column,
            kept: [(i, point); 4],
        }
    }

    fn add(&mut self, i: usize, point: (f64, f64)) {
        if point.1 < self.kept[1].1.1 {
            self.kept[1] = (i, point);
        }
        if point.1 > self.kept[2].1.1 {
            self.kept[2] = (i, point);
        }
        self.kept[3] = (i, point);
    }

    /// The kept points, in the input's order, each once.
    fn drain_into(mut self, run: &mut Vec<(f64, f64)>) {
        self.kept.sort_by_key(|&(i, _)| i);
        let mut last = None;
        for (i, point) in self.kept {
            if last != Some(i) {
                run.push(point);
            }
            last = Some(i);
        }
    }
}

/// Runs as one sequence of points with a gap (None) between two runs, to be thinned.
pub fn gapped(runs: Runs) -> impl Iterator<Item = Option<(f64, f64)>> {
    runs.into_iter()
        .flat_map(|run| std::iter::once(None).chain(run.into_iter().map(Some)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_keeps_four_points_a_column_and_its_spikes() {
        let columns = Columns::new(100.0, 10);
        let mut points: Vec<Option<(f64, f64)>> = (0..100_000)
            .map(|i| Some((i as f64 / 1000.0, 5.0)))
            .collect();
        points[51_234] = Some((51.234, 900.0));
        points[77_000] = Some((77.0, -3.0));
        let runs = columns.thin(points);
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert!(run.len() <= 40, "{} points", run.len());
        assert!(run.contains(&(51.234, 900.0)) && run.contains(&(77.0, -3.0)));
        assert_eq!(run[0], (0.0, 5.0));
        assert_eq!(*run.last().expect("a point"), (99.999, 5.0));
        assert!(run.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    }

    #[test]
    fn a_gap_wider_than_a_column_splits_the_line_and_disorder_stays_bounded() {
        let columns = Columns::new(10.0, 10);
        let runs = columns.thin([
            Some((1.0, 1.0)),
            None,
            Some((1.2, 2.0)),
            None,
            Some((5.0, 3.0)),
        ]);
        assert_eq!(runs, vec![vec![(1.0, 1.0), (1.2, 2.0)], vec![(5.0, 3.0)]]);
        let back_and_forth = (0..10_000).map(|i| Some((((i % 2) * 9) as f64, i as f64)));
        let runs = columns.thin(back_and_forth);
        assert!(runs.iter().map(Vec::len).sum::<usize>() <= 8, "{runs:?}");
        assert_eq!(columns.of(-1e300), 0);
        assert_eq!(columns.of(1e300), 9);
    }
}

//! The seconds the autopilot held the knob, and what the summary makes of them: where it
//! settled (the median of the last 30 s), from when (within 10% of that, to stay), and the
//! share of seconds since in which every condition held.

use crate::engine::steer::Knob;
use crate::report::summary::{Hold, Settled};

/// The span, at the end of the hold, whose median is where the knob settled.
pub const SETTLED_OVER_S: f64 = 30.0;
/// How near the settled value the knob must be, as a share of it...
pub const WITHIN: f64 = 0.1;
/// ...for this many seconds in a row, for it to count as settled from the first of them.
pub const STAY_SECONDS: usize = 5;
/// A knob that sat where the conditions failed more often than not did not settle: it
/// was held at its least (the service misses the bar even there).
pub const LEAST_HELD_SHARE: f64 = 0.5;

/// One second the autopilot held the knob: its run time at the tick, the knob's value in
/// force during it, and whether every condition held over it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Second {
    pub t_s: f64,
    pub value: f64,
    pub held: bool,
}

/// The summary's `hold` for `seconds` of holding `knob` to `conditions`.
pub fn hold_of(conditions: Vec<String>, knob: Knob, seconds: &[Second]) -> Hold {
    let share = |from: &[Second]| match from.len() {
        0 => 0.0,
        n => from.iter().filter(|s| s.held).count() as f64 / n as f64,
    };
    let settled = settled(seconds).and_then(|(i, value)| {
        let since = share(&seconds[i..]);
        (since >= LEAST_HELD_SHARE).then_some((i, value, since))
    });
    match settled {
        Some((i, value, since)) => Hold {
            conditions,
            settled: Some(Settled {
                knob,
                value: shown(knob, value),
                at_s: (seconds[i].t_s * 10.0).round() / 10.0,
            }),
            held_share: since,
        },
        None => Hold {
            conditions,
            settled: None,
            held_share: share(seconds),
        },
    }
}

/// The median of the last `SETTLED_OVER_S`, and the first second from which the knob
/// stayed within `WITHIN` of it for `STAY_SECONDS`; None when it never did.
fn settled(seconds: &[Second]) -> Option<(usize, f64)> {
    let last = seconds.last()?.t_s;
    let mut recent: Vec<f64> = seconds
        .iter()
        .filter(|s| s.t_s > last - SETTLED_OVER_S)
        .map(|s| s.value)
        .collect();
    recent.sort_by(f64::total_cmp);
    let median = match recent.len() {
        n if n % 2 == 1 => recent[n / 2],
        n => (recent[n / 2 - 1] + recent[n / 2]) / 2.0,
    };
    let near = |s: &Second| (s.value - median).abs() <= WITHIN * median;
    let first = seconds
        .windows(STAY_SECONDS)
        .position(|run| run.iter().all(near))?;
    Some((first, median))
}

/// A limit as a whole number; a rate to two decimals (whole above 10 a second).
fn shown(knob: Knob, value: f64) -> f64 {
    match knob {
        Knob::Limit => value.round(),
        Knob::Rate if value >= 10.0 => value.round(),
        Knob::Rate => (value * 100.0).round() / 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(values: &[f64], held: impl Fn(usize) -> bool) -> Vec<Second> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Second {
                t_s: i as f64 + 1.0,
                value: *v,
                held: held(i),
            })
            .collect()
    }

    #[test]
    fn it_settles_at_the_median_of_the_last_30_s_from_when_it_stayed_near_it() {
        let mut values = vec![10.0, 15.0, 22.0, 34.0, 51.0, 76.0, 114.0, 98.0, 91.0];
        values.extend((0..40).map(|i| 86.0 + f64::from(i % 3)));
        let hold = hold_of(
            vec!["p99<50ms".into()],
            Knob::Limit,
            &seconds(&values, |i| i != 6),
        );
        let settled = hold.settled.expect("settled");
        assert_eq!((settled.knob, settled.value), (Knob::Limit, 87.0));
        assert_eq!(
            settled.at_s, 9.0,
            "91 is within 10% of 87, and the rest stay"
        );
        assert_eq!(hold.held_share, 1.0, "from then on every second held");
    }

    #[test]
    fn a_knob_that_never_stays_near_one_value_did_not_settle() {
        let values: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 50.0 } else { 100.0 })
            .collect();
        let hold = hold_of(
            vec!["p99<50ms".into()],
            Knob::Rate,
            &seconds(&values, |i| i % 4 == 0),
        );
        assert_eq!(hold.settled, None);
        assert_eq!(hold.held_share, 0.25, "over every second held");
        let none = hold_of(vec!["p99<1ms".into()], Knob::Limit, &[]);
        assert_eq!((none.settled, none.held_share), (None, 0.0));
    }

    #[test]
    fn a_knob_held_at_its_least_where_the_bar_fails_did_not_settle() {
        let values = vec![4.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let hold = hold_of(
            vec!["p99<5ms".into()],
            Knob::Limit,
            &seconds(&values, |i| i == 5),
        );
        assert_eq!(hold.settled, None, "{hold:?}");
        assert_eq!(hold.held_share, 0.1);
    }
}

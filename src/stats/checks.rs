//! `--check` counted: each check's passes and failures, from the bit a check each outcome
//! carries; and the share of all check evaluations that passed (`checks<99%`).

/// One check's counts; its text is the check's canonical one (its name in summaries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTally {
    pub check: String,
    pub passed: u64,
    pub failed: u64,
}

impl CheckTally {
    /// A check not judged yet.
    pub fn new(check: &str) -> CheckTally {
        CheckTally {
            check: check.to_string(),
            passed: 0,
            failed: 0,
        }
    }
}

/// Counts one judged response into `tallies` (check i failed when bit i of `failed` is
/// set); returns how many of its checks failed.
pub fn record(tallies: &mut [CheckTally], failed: u32) -> u64 {
    for (i, t) in tallies.iter_mut().enumerate() {
        let bit = u64::from((failed >> i) & 1);
        t.failed += bit;
        t.passed += 1 - bit;
    }
    u64::from(failed.count_ones())
}

/// Evaluations that passed and failed, over all checks.
pub fn totals(tallies: &[CheckTally]) -> (u64, u64) {
    tallies.iter().fold((0, 0), |(p, f), t| {
        (p.saturating_add(t.passed), f.saturating_add(t.failed))
    })
}

/// Adds `(check, passed, failed)` into `into` by the check's text, a new one at the end
/// (other runs' counts, in a fleet); sums saturate.
pub fn add(into: &mut Vec<CheckTally>, check: &str, passed: u64, failed: u64) {
    let at = match into.iter().position(|t| t.check == check) {
        Some(i) => i,
        None => {
            into.push(CheckTally::new(check));
            into.len() - 1
        }
    };
    let t = &mut into[at];
    t.passed = t.passed.saturating_add(passed);
    t.failed = t.failed.saturating_add(failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bit_counts_against_its_own_check() {
        let mut t = vec![
            CheckTally::new("a"),
            CheckTally::new("b"),
            CheckTally::new("c"),
        ];
        assert_eq!(record(&mut t, 0b000), 0);
        assert_eq!(record(&mut t, 0b101), 2);
        assert_eq!(record(&mut t, 0b100), 1);
        let counts: Vec<_> = t.iter().map(|t| (t.passed, t.failed)).collect();
        assert_eq!(counts, [(2, 1), (3, 0), (1, 2)]);
        assert_eq!(totals(&t), (6, 3));
        add(&mut t, "b", 1, 1);
        add(&mut t, "d", 5, 0);
        assert_eq!((t[1].passed, t[1].failed), (4, 1));
        assert_eq!(
            t[3],
            CheckTally {
                check: "d".into(),
                passed: 5,
                failed: 0
            }
        );
    }
}

//! Sums that say when they overflow: counts from files are added checked, and a run whose
//! figures cannot be added is refused by name.

use crate::process::untrusted::escaped;

/// The refusal of a run whose `what` cannot be added to the others'.
pub fn overflow(file: &str, what: &str) -> String {
    format!(
        "merge: '{}': its {what} cannot be added to the other runs' (the sum overflows)",
        escaped(file)
    )
}

/// `into + from`, or the name of what overflowed.
pub(super) fn add<T: CheckedAdd>(into: &mut T, from: T, what: &str) -> Result<(), String> {
    *into = into.checked(from).ok_or_else(|| what.to_string())?;
    Ok(())
}

/// A sum that says when it overflows: integers past their type, figures past a finite f64.
pub(super) trait CheckedAdd: Sized + Copy {
    fn checked(self, other: Self) -> Option<Self>;
}

impl CheckedAdd for u64 {
    fn checked(self, other: u64) -> Option<u64> {
        self.checked_add(other)
    }
}

impl CheckedAdd for usize {
    fn checked(self, other: usize) -> Option<usize> {
        self.checked_add(other)
    }
}

impl CheckedAdd for f64 {
    fn checked(self, other: f64) -> Option<f64> {
        Some(self + other).filter(|sum| sum.is_finite())
    }
}

//! How a limit asked for (by `-c`, a key or a script) becomes the limit applied: one rule,
//! so every way of setting it agrees.

use crate::engine::steer::MAX_LIMIT;

/// The bounds on the operator's limit: at least 1, at most `MAX_LIMIT`, at most the
/// open-file cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    /// The highest limit the open-file budget allows (1 to `MAX_LIMIT`).
    cap: usize,
}

impl LimitPolicy {
    /// A policy for an open-file budget of `cap` connections.
    pub fn new(cap: usize) -> LimitPolicy {
        LimitPolicy {
            cap: cap.clamp(1, MAX_LIMIT),
        }
    }

    /// The highest limit allowed.
    pub fn cap(self) -> usize {
        self.cap
    }

    /// What a request for `n` counts as: at least 1, at most `MAX_LIMIT`.
    pub fn asked(n: usize) -> usize {
        n.clamp(1, MAX_LIMIT)
    }

    /// The limit applied when `n` is asked for.
    pub fn applied(self, n: usize) -> usize {
        Self::asked(n).min(self.cap)
    }

    /// The cap, when asking for `n` runs into it.
    pub fn capped(self, n: usize) -> Option<usize> {
        (Self::asked(n) > self.cap).then_some(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_at_least_one_at_most_the_cap_and_max_limit() {
        let policy = LimitPolicy::new(500);
        assert_eq!(policy.applied(0), 1);
        assert_eq!(policy.applied(499), 499);
        assert_eq!(policy.applied(501), 500);
        assert_eq!(policy.capped(501), Some(500));
        assert_eq!(policy.capped(500), None);
        let unbounded = LimitPolicy::new(usize::MAX);
        assert_eq!(unbounded.cap(), MAX_LIMIT);
        assert_eq!(unbounded.applied(usize::MAX), MAX_LIMIT);
        assert_eq!(unbounded.capped(usize::MAX), None);
    }
}

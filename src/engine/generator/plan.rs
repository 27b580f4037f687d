//! When may the next request start: the small policy the spawn loop asks before each permit.

use std::time::Duration;
use tokio::time::Instant;

/// How long the run goes on: a request count, a duration, both (whichever ends first), or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plan {
    pub max_requests: Option<u64>,
    pub duration: Option<Duration>,
}

impl Plan {
    /// Whether request number `started + 1` may begin.
    pub fn may_start(&self, started: u64) -> bool {
        self.max_requests.is_none_or(|n| started < n)
    }

    /// When the run must end, if it has a duration.
    pub fn deadline(&self, start: Instant) -> Option<Instant> {
        self.duration.map(|d| start + d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_plan_allows_exactly_n_starts() {
        let plan = Plan {
            max_requests: Some(3),
            duration: None,
        };
        let allowed = (0..10).take_while(|&i| plan.may_start(i)).count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn an_open_plan_never_stops_by_count_and_has_no_deadline() {
        let plan = Plan::default();
        assert!(plan.may_start(u64::MAX - 1));
        assert_eq!(plan.deadline(Instant::now()), None);
    }
}

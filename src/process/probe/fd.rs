//! Open file descriptors: how many are in use, and what the process may have.

use rlimit::Resource;
use std::io;

/// Descriptors in use against the RLIMIT_NOFILE limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FdUsage {
    pub open: u64,
    pub soft_limit: u64,
    pub hard_limit: u64,
}

impl FdUsage {
    /// Reads the open count and both limits now.
    pub fn read() -> FdUsage {
        let (soft_limit, hard_limit) = limits().unwrap_or((0, 0));
        FdUsage {
            open: count_open().unwrap_or(0),
            soft_limit,
            hard_limit,
        }
    }
}

/// How many connections fit under the soft limit: what is left after the descriptors open
/// now and a reserve (16 plus 1/32 of the limit, for logs, DNS, the terminal), divided by
/// the descriptors each connection takes (2 when the target runs in this process).
pub fn connection_budget(soft_limit: u64, open_now: u64, fds_per_connection: u64) -> usize {
    let reserve = 16 + soft_limit / 32;
    let free = soft_limit.saturating_sub(open_now).saturating_sub(reserve);
    usize::try_from(free / fds_per_connection.max(1))
        .unwrap_or(usize::MAX)
        .max(1)
}

/// The highest concurrency the open-file budget allows now, for connections that take
/// `fds_per_connection` descriptors each; `open_before` is what was open before the run
/// opened anything of its own.
pub fn concurrency_cap(open_before: u64, fds_per_connection: u64) -> usize {
    let (soft, _) = limits().unwrap_or((u64::MAX, u64::MAX));
    connection_budget(soft, open_before, fds_per_connection)
}

/// Raises the soft limit to the hard limit; returns the (soft, hard) now in force.
pub fn raise_soft_limit() -> io::Result<(u64, u64)> {
    let (_, hard) = limits()?;
    rlimit::increase_nofile_limit(hard)?;
    limits()
}

/// The (soft, hard) RLIMIT_NOFILE.
pub fn limits() -> io::Result<(u64, u64)> {
    rlimit::getrlimit(Resource::NOFILE)
}

/// The number of open descriptors. Linux 6.2 and later give it as the size of
/// /proc/self/fd, one `stat`; listing the folder instead took about a millisecond a tick at
/// 10,000 connections (strace), on a core the generator or the server could use.
pub fn count_open() -> io::Result<u64> {
    match std::fs::metadata("/proc/self/fd") {
        Ok(meta) if meta.len() > 0 => Ok(meta.len()),
        _ => count_by_listing(),
    }
}

/// Counts entries of /proc/self/fd (older Linux), else /dev/fd; the listing's own
/// descriptor is left out.
fn count_by_listing() -> io::Result<u64> {
    let dir = std::fs::read_dir("/proc/self/fd").or_else(|_| std::fs::read_dir("/dev/fd"))?;
    Ok((dir.count() as u64).saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-`stat` count agrees with the listing (where the kernel offers it).
    #[test]
    fn the_quick_count_agrees_with_the_listing() {
        let quick = count_open().expect("count descriptors");
        let listed = count_by_listing().expect("list descriptors");
        // Other test threads may open or close files between the two reads.
        assert!(
            quick.abs_diff(listed) <= 8,
            "stat {quick}, listing {listed}"
        );
    }

    #[test]
    fn opening_a_file_shows_up_in_the_count() {
        // Other test threads open and close files meanwhile: a try in which one closed a
        // file between the two counts is tried again; a count that never sees the five fails.
        let mut seen = Vec::new();
        for _ in 0..20 {
            let before = count_open().expect("count descriptors");
            let files: Vec<_> = (0..5)
                .map(|_| tempfile::tempfile().expect("temp file"))
                .collect();
            let after = count_open().expect("count descriptors");
            drop(files);
            if after >= before + 5 {
                return;
            }
            seen.push((before, after));
        }
        panic!("five files opened never showed in the count: (before, after) {seen:?}");
    }

    #[test]
    fn the_budget_leaves_a_reserve_and_counts_descriptors_per_connection() {
        assert_eq!(connection_budget(256, 10, 1), 256 - 10 - 24);
        assert_eq!(connection_budget(256, 10, 2), (256 - 10 - 24) / 2);
        assert_eq!(
            connection_budget(1 << 20, 20, 1),
            (1 << 20) - 20 - 16 - (1 << 15)
        );
        assert_eq!(connection_budget(20, 30, 1), 1, "never below one");
    }

    #[test]
    fn raising_brings_the_soft_limit_to_the_hard_limit() {
        let (soft, hard) = raise_soft_limit().expect("raise");
        assert!(soft > 0);
        if cfg!(target_os = "linux") {
            assert_eq!(soft, hard);
        }
    }
}

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

/// Counts entries of /proc/self/fd (Linux), else /dev/fd; the listing's own descriptor
/// is left out.
pub fn count_open() -> io::Result<u64> {
    let dir = std::fs::read_dir("/proc/self/fd").or_else(|_| std::fs::read_dir("/dev/fd"))?;
    Ok((dir.count() as u64).saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_a_file_shows_up_in_the_count() {
        let before = count_open().expect("count descriptors");
        let files: Vec<_> = (0..5)
            .map(|_| tempfile::tempfile().expect("temp file"))
            .collect();
        let after = count_open().expect("count descriptors");
        // Other test threads may open files too, so only a lower bound is certain.
        assert!(after >= before + 5, "before {before}, after {after}");
        drop(files);
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

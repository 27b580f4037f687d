//! The process's peak resident memory, for the summary and the memory benchmark.

/// Peak resident set size in KiB (VmHWM from /proc/self/status); None where that is missing.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn peak_rss_is_read_on_linux() {
        let kib = super::peak_rss_kib().expect("VmHWM in /proc/self/status");
        assert!(
            kib > 100,
            "a Rust test binary uses more than 100 KiB, got {kib}"
        );
    }
}

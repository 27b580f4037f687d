//! Fault injection for the tests: with the `fault-injection` feature (on in `cargo test`
//! builds, off in release builds), the SLUICE_INJECT_PANIC variable names a part of the
//! run that then panics on purpose; without it, `injected` is always false.

/// Whether SLUICE_INJECT_PANIC names `site` ("request", "aggregator", "dashboard" or
/// "generator").
#[cfg(feature = "fault-injection")]
pub fn injected(site: &str) -> bool {
    use std::sync::OnceLock;
    static SITE: OnceLock<Option<String>> = OnceLock::new();
    SITE.get_or_init(|| std::env::var("SLUICE_INJECT_PANIC").ok())
        .as_deref()
        == Some(site)
}

/// Always false: this build has no fault injection.
#[cfg(not(feature = "fault-injection"))]
pub fn injected(_site: &str) -> bool {
    false
}

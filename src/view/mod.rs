//! What shows a run while it goes: the dashboard, or progress lines when there is no
//! terminal to draw on.

pub(crate) mod headless;
pub mod tui;

/// Whether the dashboard can be drawn: stdout is a terminal, and one that can take a
/// full-screen colour view (not `TERM=dumb`, nor no TERM at all).
pub fn can_draw(stdout_is_terminal: bool, term: Option<&str>) -> bool {
    stdout_is_terminal && !matches!(term.map(str::trim), None | Some("" | "dumb"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dumb_terminal_or_none_gets_progress_lines() {
        assert!(can_draw(true, Some("xterm-256color")));
        assert!(!can_draw(true, Some("dumb")));
        assert!(!can_draw(true, None));
        assert!(!can_draw(false, Some("xterm")));
    }
}

//! The key table: one place that says which key does what, for dispatch and for the help text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for; `app::update` decides what it means in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Raise,
    Lower,
    Double,
    Halve,
    Digit(u8),
    Enter,
    Backspace,
    Escape,
    TogglePause,
    Quit,
    Help,
    /// Tab: the keys steer the other knob (limit or rate).
    SwitchKnob,
    /// a: the autopilot takes the knob (or lets it go).
    Autopilot,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// Key, required modifiers, action. Shift is ignored for characters ('+' and '?' need it).
const BINDINGS: &[(KeyCode, KeyModifiers, Action)] = &[
    (KeyCode::Char('+'), NONE, Action::Raise),
    (KeyCode::Char('='), NONE, Action::Raise),
    (KeyCode::Up, NONE, Action::Raise),
    (KeyCode::Char('-'), NONE, Action::Lower),
    (KeyCode::Down, NONE, Action::Lower),
    (KeyCode::Char(']'), NONE, Action::Double),
    (KeyCode::Char('['), NONE, Action::Halve),
    (KeyCode::Enter, NONE, Action::Enter),
    (KeyCode::Backspace, NONE, Action::Backspace),
    (KeyCode::Esc, NONE, Action::Escape),
    (KeyCode::Char('p'), NONE, Action::TogglePause),
    (KeyCode::Char(' '), NONE, Action::TogglePause),
    (KeyCode::Char('q'), NONE, Action::Quit),
    (KeyCode::Char('c'), CTRL, Action::Quit),
    (KeyCode::Char('?'), NONE, Action::Help),
    (KeyCode::Tab, NONE, Action::SwitchKnob),
    (KeyCode::Char('a'), NONE, Action::Autopilot),
];

/// What the help overlay lists, in order: keys, then what they do.
pub const HELP: &[(&str, &str)] = &[
    ("Tab", "steer the limit or the rate (the marked knob)"),
    ("+ - ↑ ↓", "raise / lower the knob by its step"),
    ("] [", "double / halve the knob (never below 1)"),
    (
        "0-9 then ⏎",
        "set the knob to the number typed (rate 0: off)",
    ),
    ("Esc", "cancel a typed number"),
    ("a", "autopilot: the most load within --hold's bar"),
    ("", "(or one typed: p99<200ms); a again: let go"),
    ("p  space", "pause / resume"),
    ("?", "this help"),
    ("q  Esc  ^C", "stop, leave, print the summary"),
];

/// The key bar's short form of the same keys.
pub const KEY_BAR: &[(&str, &str)] = &[
    ("Tab", "limit/rate"),
    ("+/-", "±step"),
    ("]/[", "×2 ÷2"),
    ("0-9 ⏎", "set"),
    ("p", "pause"),
    ("?", "help"),
    ("q", "quit"),
];

/// The action bound to a key press, if any.
pub fn action(key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    if let KeyCode::Char(c @ '0'..='9') = key.code
        && mods.is_empty()
    {
        return Some(Action::Digit(c as u8 - b'0'));
    }
    BINDINGS
        .iter()
        .find(|(code, want, _)| *code == key.code && *want == mods)
        .map(|(_, _, action)| *action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn shifted_characters_and_control_keys_resolve() {
        assert_eq!(
            action(&key(KeyCode::Char('+'), KeyModifiers::SHIFT)),
            Some(Action::Raise)
        );
        assert_eq!(action(&key(KeyCode::Char('c'), CTRL)), Some(Action::Quit));
        assert_eq!(action(&key(KeyCode::Char('c'), NONE)), None);
        assert_eq!(
            action(&key(KeyCode::Char('7'), NONE)),
            Some(Action::Digit(7))
        );
        assert_eq!(action(&key(KeyCode::Char('x'), NONE)), None);
    }
}

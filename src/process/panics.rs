//! A panic anywhere is a bug, but it must not lose the run: the hook puts the terminal back,
//! remembers the message and asks the run to stop, so the summary of what was measured is
//! still printed (and sluice then exits 1).

use std::sync::{Mutex, OnceLock};
use tokio_util::sync::CancellationToken;

static FIRST_PANIC: OnceLock<String> = OnceLock::new();
static STOP: Mutex<Option<CancellationToken>> = Mutex::new(None);

/// Installs the hook (once per process); `stop` is cancelled on the first panic of this run,
/// after `restore` (the terminal) has run.
pub fn install(stop: CancellationToken, restore: fn()) {
    static HOOKED: OnceLock<()> = OnceLock::new();
    *STOP.lock().unwrap_or_else(|e| e.into_inner()) = Some(stop);
    HOOKED.get_or_init(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            let message = info.payload_as_str().unwrap_or("(no message)");
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let _ = FIRST_PANIC.set(format!("panic{at}: {message}"));
            if let Some(stop) = STOP.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                stop.cancel();
            }
            default_hook(info);
        }));
    });
}

/// The first panic's message, if there was one.
pub fn first() -> Option<&'static str> {
    FIRST_PANIC.get().map(String::as_str)
}

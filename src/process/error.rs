//! The two ways a run fails, and the exit code each one maps to.

use std::io;

/// A failure that ends the program.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: one line for stderr, exit code 2.
    #[error("{0}")]
    Input(String),
    /// Something broke while running: exit code 1.
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    /// 2 for bad input, 1 for a runtime failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Runtime(_) => 1,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Runtime(e.to_string())
    }
}

//! Exit codes, the CLI's contract with scripts (the README's table and
//! `--help` list them): 0 every URL succeeded, 1 some failed or were not
//! sent, 2 invalid input or usage, 3 a wait reached its timeout with tasks
//! still running (and nothing else failed), 130 / 143 interrupted by SIGINT /
//! SIGTERM (the report so far printed), 141 stdout closed early (a broken
//! pipe: nothing more is printed).

use std::fmt;
use std::io;

/// How a command ended, when it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Exit 0: everything asked for was done.
    Success,
    /// Exit 1: at least one URL failed (each is reported).
    SomeFailed,
    /// Exit 3: a wait reached its timeout, and every URL not done is one
    /// whose task is still running (nothing else failed or was not sent).
    StillRunning,
    /// Exit 130 (SIGINT) or 143 (SIGTERM): the run was interrupted; the
    /// report so far was printed.
    Interrupted(crate::signals::Signal),
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::SomeFailed => 1,
            Self::StillRunning => 3,
            Self::Interrupted(signal) => signal.exit_code(),
        }
    }
}

/// Exit 141 (128 + SIGPIPE, as a shell reports a process killed by it):
/// stdout was closed before everything was printed (`tcdn … | head`).
pub const BROKEN_PIPE: u8 = 141;

/// What kind of error stopped the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliErrorKind {
    /// Bad input, a bad option, or missing credentials: exit 2.
    Usage,
    /// Something failed while running (I/O, runtime): exit 1.
    Runtime,
    /// Stdout was closed early: exit [`BROKEN_PIPE`], printing nothing.
    BrokenPipe,
}

/// An error that stops the command, with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    kind: CliErrorKind,
    message: String,
}

impl CliError {
    /// Invalid input or usage (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: CliErrorKind::Usage,
            message: message.into(),
        }
    }

    /// A failure while running (exit 1).
    pub fn runtime(message: impl Into<String>) -> Self {
        Self {
            kind: CliErrorKind::Runtime,
            message: message.into(),
        }
    }

    /// Writing the output failed: a closed pipe ends the program quietly
    /// ([`BROKEN_PIPE`]), anything else is a runtime error.
    pub fn output(error: &io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Self {
                kind: CliErrorKind::BrokenPipe,
                message: String::new(),
            }
        } else {
            Self::runtime(format!("could not write the output: {error}"))
        }
    }

    /// Whether the error is told to the user (a broken pipe is not: there
    /// is no one reading).
    pub fn is_quiet(&self) -> bool {
        self.kind == CliErrorKind::BrokenPipe
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self.kind {
            CliErrorKind::Usage => 2,
            CliErrorKind::Runtime => 1,
            CliErrorKind::BrokenPipe => BROKEN_PIPE,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

//! Exit codes, the CLI's contract with scripts (the README's table and
//! `--help` list them): 0 every URL succeeded, 1 some failed or were not
//! sent, 2 invalid input or usage (with `--output json`, also a JSON error
//! document on stdout), 3 a wait reached its timeout with tasks still running
//! (and nothing else failed), 130 / 143 interrupted by SIGINT /
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

/// What kind of error stopped the command. Each has its exit code, and a
/// name in the JSON error document (`--output json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliErrorKind {
    /// A bad option or command line: exit 2.
    Usage,
    /// Bad or missing input (URLs, paths, files): exit 2.
    Input,
    /// A daily quota that cannot hold the submission: exit 2.
    Quota,
    /// No credentials, or a credential source that failed: exit 2.
    Credentials,
    /// An unusable setting of the environment (endpoint, CA bundle, proxy,
    /// a variable's value): exit 2.
    Config,
    /// A query or a call that failed: exit 1.
    Api,
    /// Something else failed while running (I/O, runtime): exit 1.
    Runtime,
    /// Stdout was closed early: exit [`BROKEN_PIPE`], printing nothing.
    BrokenPipe,
}

impl CliErrorKind {
    /// The name in the JSON error document.
    pub fn name(self) -> &'static str {
        match self {
            Self::Usage => "usage",
            Self::Input => "input",
            Self::Quota => "quota",
            Self::Credentials => "credentials",
            Self::Config => "config",
            // A run that failed on its way is reported like a failed call.
            Self::Api | Self::Runtime | Self::BrokenPipe => "api",
        }
    }
}

/// An error that stops the command, with a message for the user and, for
/// bad input, the values refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    kind: CliErrorKind,
    message: String,
    problems: Vec<crate::input::Problem>,
}

impl CliError {
    fn new(kind: CliErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// A bad option or command line (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Usage, message)
    }

    /// Bad or missing input (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Input, message)
    }

    /// A quota that cannot hold the submission (exit 2).
    pub fn quota(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Quota, message)
    }

    /// Credentials missing or not loadable (exit 2).
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Credentials, message)
    }

    /// An unusable setting (exit 2).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Config, message)
    }

    /// A failed query (exit 1).
    pub fn api(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Api, message)
    }

    /// A failure while running (exit 1).
    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(CliErrorKind::Runtime, message)
    }

    /// The same error, listing the values refused.
    pub fn with_problems(mut self, problems: Vec<crate::input::Problem>) -> Self {
        self.problems = problems;
        self
    }

    /// Writing the output failed: a closed pipe ends the program quietly
    /// ([`BROKEN_PIPE`]), anything else is a runtime error.
    pub fn output(error: &io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Self::new(CliErrorKind::BrokenPipe, String::new())
        } else {
            Self::runtime(format!("could not write the output: {error}"))
        }
    }

    /// What kind of error it is.
    pub fn kind(&self) -> CliErrorKind {
        self.kind
    }

    /// Whether the error is told to the user (a broken pipe is not: there
    /// is no one reading).
    pub fn is_quiet(&self) -> bool {
        self.kind == CliErrorKind::BrokenPipe
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self.kind {
            CliErrorKind::Usage
            | CliErrorKind::Input
            | CliErrorKind::Quota
            | CliErrorKind::Credentials
            | CliErrorKind::Config => 2,
            CliErrorKind::Api | CliErrorKind::Runtime => 1,
            CliErrorKind::BrokenPipe => BROKEN_PIPE,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The input values refused, each with where it came from.
    pub fn problems(&self) -> &[crate::input::Problem] {
        &self.problems
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

//! How a command fails: the exit code each failure maps to, and the failures of writing a
//! report and opening a store.

/// A failure with its exit code: 2 for bad input from a person, 1 for anything else.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad input: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit code 1.
    #[error("{0}")]
    Other(String),
    /// `--fail-on` met a verdict it was told to fail on: exit code 3.
    #[error("{0}")]
    Findings(String),
    /// The report's reader went away (`| head`): nothing more to say, exit code 0.
    #[error("the report's reader went away")]
    ReaderGone,
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Other(_) => 1,
            Failure::Findings(_) => 3,
            Failure::ReaderGone => 0,
        }
    }

    /// Whether the failure is worth a message on standard error (a reader that went away is
    /// not).
    pub fn is_quiet(&self) -> bool {
        matches!(self, Failure::ReaderGone)
    }
}

/// Whether a write failed because the reader went away, also when the error of a JSON or CSV
/// writer wraps that of the pipe.
pub fn is_closed_pipe(e: &std::io::Error) -> bool {
    let broken = std::io::ErrorKind::BrokenPipe;
    if e.kind() == broken {
        return true;
    }
    let Some(inner) = e.get_ref() else {
        return false;
    };
    if let Some(json) = inner.downcast_ref::<serde_json::Error>() {
        return json.io_error_kind() == Some(broken);
    }
    inner
        .downcast_ref::<csv::Error>()
        .is_some_and(|csv| matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == broken))
}

/// A failure to write a report: the reader going away (a closed pipe) ends the output quietly
/// with exit code 0, anything else is exit code 1.
pub fn write_failure(e: std::io::Error) -> Failure {
    if is_closed_pipe(&e) {
        Failure::ReaderGone
    } else {
        other(format!("cannot write the report: {e}"))
    }
}

/// Writes a line to standard output; a reader gone away (`| head`) is [`Failure::ReaderGone`],
/// by the error's kind, where `println!` would panic.
pub fn say(line: impl std::fmt::Display) -> Result<(), Failure> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{line}").map_err(write_failure)
}

pub(crate) fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

pub(crate) fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

/// A store error as a failure: a database a person pointed at that cannot be used is exit
/// code 2.
pub fn store_failure(e: crate::store::StoreError) -> Failure {
    match e {
        crate::store::StoreError::Unusable { .. } => usage(e),
        e => other(e),
    }
}

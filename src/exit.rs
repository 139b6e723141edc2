//! Exit statuses of the CLI and the error kinds that map onto them.
//!
//! Commands return `anyhow::Result<Exit>`. An error carries its [`ErrorKind`] by being wrapped
//! in a [`Kinded`] somewhere in its chain; `main` finds it and exits with the matching code.
//! Errors that carry no kind are input errors (exit 2).

use std::fmt;

/// The process exit status, as documented in README and DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success, or no findings at or above `--fail-on`.
    Success,
    /// 1: findings (lint, validate) or a failed check.
    Findings,
    /// 2: usage or input error (bad flag, unreadable file, malformed YAML).
    Usage,
    /// 3: the cluster could not be reached or refused the request (401/403).
    Cluster,
    /// 4: Prometheus could not be reached or answered with an error.
    Prometheus,
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Usage => 2,
            Exit::Cluster => 3,
            Exit::Prometheus => 4,
        }
    }
}

/// What kind of failure an error is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad flags or input files (exit 2).
    Usage,
    /// The Kubernetes API server could not be reached or refused (exit 3).
    Cluster,
    /// Prometheus could not be reached or answered with an error (exit 4).
    Prometheus,
}

impl ErrorKind {
    /// The exit status for an error of this kind.
    pub fn exit(self) -> Exit {
        match self {
            ErrorKind::Usage => Exit::Usage,
            ErrorKind::Cluster => Exit::Cluster,
            ErrorKind::Prometheus => Exit::Prometheus,
        }
    }
}

/// An error tagged with its [`ErrorKind`]; transparent in messages.
#[derive(Debug)]
pub struct Kinded {
    /// The kind, which decides the exit code.
    pub kind: ErrorKind,
    /// The underlying error.
    pub error: anyhow::Error,
}

impl fmt::Display for Kinded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the top message: anyhow prints the causes from `source()`.
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for Kinded {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Tags an error (or the error of a `Result`) with its kind.
pub trait WithKind<T> {
    /// Tags the error with `kind`.
    fn kind(self, kind: ErrorKind) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> WithKind<T> for Result<T, E> {
    fn kind(self, kind: ErrorKind) -> anyhow::Result<T> {
        self.map_err(|e| {
            anyhow::Error::new(Kinded {
                kind,
                error: e.into(),
            })
        })
    }
}

/// Builds a tagged error from a message.
pub fn kinded(kind: ErrorKind, message: impl fmt::Display) -> anyhow::Error {
    anyhow::Error::new(Kinded {
        kind,
        error: anyhow::anyhow!("{message}"),
    })
}

/// The exit status an error maps to: the first kind found in its chain, else usage (2).
pub fn exit_for(error: &anyhow::Error) -> Exit {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Kinded>())
        .map_or(Exit::Usage, |k| k.kind.exit())
}

/// One line for stderr: the message and its causes joined by ": ".
pub fn one_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        // Libraries often repeat their source in their own message (`…: {source}`).
        if text.is_empty() || parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn kind_is_found_below_context() {
        let err: anyhow::Result<()> =
            Err(std::io::Error::other("refused")).kind(ErrorKind::Cluster);
        let err = err.context("failed to list scaledobjects").unwrap_err();
        assert_eq!(exit_for(&err), Exit::Cluster);
        assert_eq!(one_line(&err), "failed to list scaledobjects: refused");
    }

    #[test]
    fn a_cause_repeated_in_its_parent_is_said_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("failed to read config: {0}")]
        struct Wrapper(#[source] std::io::Error);
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(Wrapper(io)).context("reading kubeconfig k.yaml");
        assert_eq!(
            one_line(&err),
            "reading kubeconfig k.yaml: failed to read config: no such file"
        );
    }

    #[test]
    fn untagged_error_is_usage() {
        let err = anyhow::anyhow!("bad flag");
        assert_eq!(exit_for(&err), Exit::Usage);
        assert_eq!(Exit::Prometheus.code(), 4);
    }
}

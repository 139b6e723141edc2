//! Errors from the API server, turned into one-line messages that name the verb, the resource,
//! the namespace and the server URL.

use std::time::Duration;

use super::Resource;
use crate::exit::{ErrorKind, Kinded};

/// Where to get read access, named in every 403 message: the command prints the role, so it
/// works for an installed plugin; the repository path is for those who have the source.
pub const READER_ROLE_HINT: &str = "grant read access with the ClusterRole that `kubectl infer \
     generate --rbac` prints (templates/rbac/kubectl-infer-reader.yaml in the kubectl-infer \
     repository)";

/// What to do about a 401: the credentials themselves were refused.
pub const CREDENTIALS_HINT: &str = "log in again or refresh the token (an expired token, \
     a revoked certificate or an exec plugin that failed; e.g. re-run your cloud's \
     get-credentials command)";

/// A failed request to the API server.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The server could not be reached (connection refused, DNS, TLS).
    #[error("cannot reach the API server at {url}: {cause}")]
    Unreachable {
        /// The server URL.
        url: String,
        /// What went wrong.
        cause: String,
    },
    /// No answer within `--request-timeout`.
    #[error("the API server at {url} did not answer within {limit:?} (--request-timeout)")]
    Timeout {
        /// The server URL.
        url: String,
        /// The limit.
        limit: Duration,
    },
    /// 401: the server did not accept the credentials at all (expired, invalid).
    #[error(
        "401 Unauthorized: the API server at {url} rejected the credentials, so it cannot \
         {verb} {resource}{}: {message}; {hint}",
        in_namespace(.namespace),
        hint = CREDENTIALS_HINT
    )]
    Unauthorized {
        /// The server URL.
        url: String,
        /// The verb (`list`, `get`).
        verb: &'static str,
        /// `plural.group`.
        resource: String,
        /// The namespace, or none for all namespaces / cluster scope.
        namespace: Option<String>,
        /// The server's message.
        message: String,
    },
    /// 403: the credentials are fine, the role does not allow the request.
    #[error(
        "{status} {reason}: cannot {verb} {resource}{}: {message}; {hint}",
        in_namespace(.namespace),
        hint = READER_ROLE_HINT
    )]
    Forbidden {
        /// 403.
        status: u16,
        /// `Forbidden`.
        reason: String,
        /// The verb (`list`, `get`).
        verb: &'static str,
        /// `plural.group`.
        resource: String,
        /// The namespace, or none for all namespaces / cluster scope.
        namespace: Option<String>,
        /// The server's message.
        message: String,
    },
    /// 404: the object, or the whole resource (a CRD that is not installed).
    #[error("{resource}{} not found at {url}: {message}", in_namespace(.namespace))]
    NotFound {
        /// `plural.group`.
        resource: String,
        /// The namespace.
        namespace: Option<String>,
        /// The server URL.
        url: String,
        /// The server's message.
        message: String,
    },
    /// Any other answer or failure.
    #[error("failed to {verb} {resource}{} at {url}: {message}", in_namespace(.namespace))]
    Other {
        /// The verb.
        verb: &'static str,
        /// `plural.group`.
        resource: String,
        /// The namespace.
        namespace: Option<String>,
        /// The server URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

fn in_namespace(namespace: &Option<String>) -> String {
    match namespace {
        Some(ns) => format!(" in namespace {ns}"),
        None => " in all namespaces".to_string(),
    }
}

impl ClusterError {
    /// A request that could not even be built.
    pub fn request(
        verb: &'static str,
        resource: &Resource,
        namespace: Option<&str>,
        url: &str,
        message: String,
    ) -> ClusterError {
        ClusterError::Other {
            verb,
            resource: resource.qualified_name(),
            namespace: namespace.map(str::to_string),
            url: url.to_string(),
            message,
        }
    }

    /// Classifies a kube client error.
    pub fn from_kube(
        error: kube::Error,
        verb: &'static str,
        resource: &Resource,
        namespace: Option<&str>,
        url: &str,
        timeout: Option<Duration>,
    ) -> ClusterError {
        let namespace = namespace.map(str::to_string);
        let qualified = resource.qualified_name();
        match error {
            kube::Error::Api(status) => match status.code {
                401 => ClusterError::Unauthorized {
                    url: url.to_string(),
                    verb,
                    resource: qualified,
                    namespace,
                    message: status.message.clone(),
                },
                403 => ClusterError::Forbidden {
                    status: status.code,
                    reason: status.reason.clone(),
                    verb,
                    resource: qualified,
                    namespace,
                    message: status.message.clone(),
                },
                404 => ClusterError::NotFound {
                    resource: qualified,
                    namespace,
                    url: url.to_string(),
                    message: status.message.clone(),
                },
                code => ClusterError::Other {
                    verb,
                    resource: qualified,
                    namespace,
                    url: url.to_string(),
                    message: format!("{code} {}: {}", status.reason, status.message),
                },
            },
            kube::Error::HyperError(_) | kube::Error::Service(_) => {
                let cause = error_chain(&error);
                match timeout.filter(|_| cause.contains("timed out") || cause.contains("Timeout")) {
                    Some(limit) => ClusterError::Timeout {
                        url: url.to_string(),
                        limit,
                    },
                    None => ClusterError::Unreachable {
                        url: url.to_string(),
                        cause,
                    },
                }
            }
            other => ClusterError::Other {
                verb,
                resource: qualified,
                namespace,
                url: url.to_string(),
                message: error_chain(&other),
            },
        }
    }

    /// Whether the resource (or object) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClusterError::NotFound { .. })
    }

    /// As an `anyhow::Error` tagged for exit code 3.
    pub fn into_anyhow(self) -> anyhow::Error {
        anyhow::Error::new(Kinded {
            kind: ErrorKind::Cluster,
            error: anyhow::Error::new(self),
        })
    }
}

/// The innermost causes of an error, joined, so "connection refused" is visible.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.last().cloned().unwrap_or_default()
}

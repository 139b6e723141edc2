//! kubectl-infer: author and audit the autoscaling of GPU inference servers on Kubernetes.
//!
//! Pure core, IO at the edges: only [`sources`] does IO and only [`render`] writes results;
//! [`engine`], [`lint`], [`generate`], [`simulate`] and [`schema`] are pure functions of their
//! inputs.

#![deny(missing_docs)]

pub mod cli;
pub mod coldstart;
pub mod engine;
pub mod exit;
pub mod explain;
pub mod generate;
pub mod lint;
pub mod logging;
pub mod model;
pub mod render;
pub mod schema;
pub mod simulate;
pub mod sources;
pub mod validate;

/// Installs ring as the process-wide rustls crypto provider, shared by kube and reqwest.
/// Calling it twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

//! Shared test harnesses: the binary under test, and (in submodules) the loopback Prometheus,
//! exporters and the fixture Kubernetes API server.

#![allow(dead_code)]

pub mod apiserver;
pub mod exporters;
pub mod fake_prometheus;
pub mod httpd;
pub mod prometheus;
pub mod tls;

use std::path::PathBuf;

/// The `kubectl-infer` binary built for this test run, with a clean environment for the things
/// that change its behaviour (colour, kubeconfig, log level).
pub fn cli() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("kubectl-infer").expect("binary is built");
    cmd.env_remove("RUST_LOG")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .env("HOME", std::env::temp_dir());
    cmd
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture file under `tests/fixtures`.
pub fn fixture(path: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(path)
}

/// The upstream KEDA and Kueue CRDs in `../shared/conformance/crds` beside the checkout, or
/// `None` (with a note on stderr naming what the test falls back to) when a checkout has no
/// `../shared`, as a bare clone in CI may not.
pub fn shared_crds(falls_back_to: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared/conformance/crds");
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "note: {} is absent beside the checkout; this test checks {falls_back_to} instead",
        dir.display()
    );
    None
}

/// The CRDs embedded in the binary (`crds/`), copied unchanged from upstream.
pub fn embedded_crds() -> PathBuf {
    repo_root().join("crds")
}

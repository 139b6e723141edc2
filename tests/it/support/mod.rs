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

/// The shared folder beside the checkout (`../shared`), which holds the upstream CRDs. Tests
/// that need it fail with a clear message when it is absent rather than pass silently.
pub fn shared_dir() -> PathBuf {
    let dir = repo_root().join("../shared");
    assert!(
        dir.join("conformance/crds").is_dir(),
        "../shared/conformance/crds is missing beside the checkout ({}): the conformance tests \
         need the upstream KEDA and Kueue CRDs there",
        dir.display()
    );
    dir
}

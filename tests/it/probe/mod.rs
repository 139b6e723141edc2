//! `probe`: the exec probe against a real loopback HTTP server, the pod probe from a file and
//! through the fixture API server, the GPU report from recorded (hand-made) device data, and
//! the no-driver path as CI sees it.

mod exec;
mod gpu;
mod pods;
mod report;

use serde_json::Value;

/// Runs `probe` with `args`; returns (exit code, stdout, stderr).
fn probe(args: &[&str]) -> (i32, String, String) {
    let output = crate::support::cli()
        .arg("probe")
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// Stdout of a `-o json` run, read back.
fn json(stdout: &str) -> Value {
    let value: Value = serde_json::from_str(stdout).expect("stdout is JSON");
    assert_eq!(value["version"], "kubectl-infer/v1alpha1");
    value
}

/// A probe fixture's path as a string.
fn fixture(name: &str) -> String {
    crate::support::fixture(&format!("probe/{name}"))
        .display()
        .to_string()
}

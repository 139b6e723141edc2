//! `validate`: triggers checked against a real Prometheus scraping vLLM-, TGI-, Triton- and
//! DCGM-style exporters (`live`), Prometheus faults from a misbehaving server (`faults`), and
//! bad input (`usage`).

mod cluster;
mod faults;
mod live;
mod usage;

use std::path::PathBuf;

use serde_json::Value;

use crate::support;

/// A ScaledObject with one Prometheus trigger per `(query, extra metadata lines)`; `spec`
/// holds extra `spec` lines (two-space indented), e.g. `"  minReplicaCount: 1\n"`.
pub fn scaled_object(namespace: &str, name: &str, spec: &str, triggers: &[(&str, &str)]) -> String {
    let mut lines = vec![
        "apiVersion: keda.sh/v1alpha1".to_string(),
        "kind: ScaledObject".to_string(),
        "metadata:".to_string(),
        format!("  name: {name}"),
        format!("  namespace: {namespace}"),
        "spec:".to_string(),
        "  scaleTargetRef:".to_string(),
        format!("    name: {name}"),
    ];
    lines.extend(spec.lines().map(str::to_string));
    lines.push("  triggers:".to_string());
    for (query, extra) in triggers {
        lines.push("    - type: prometheus".to_string());
        lines.push("      metadata:".to_string());
        lines.push("        serverAddress: http://prometheus.monitoring:9090".to_string());
        lines.push(format!("        query: '{}'", query.replace('\'', "''")));
        lines.extend(extra.lines().map(|l| format!("        {}", l.trim())));
    }
    lines.join("\n") + "\n"
}

/// A Deployment whose pods request `gpus` GPUs.
pub fn deployment(namespace: &str, name: &str, gpus: u32) -> String {
    [
        "apiVersion: apps/v1".to_string(),
        "kind: Deployment".to_string(),
        "metadata:".to_string(),
        format!("  name: {name}"),
        format!("  namespace: {namespace}"),
        "spec:".to_string(),
        "  template:".to_string(),
        "    spec:".to_string(),
        "      containers:".to_string(),
        "        - name: vllm".to_string(),
        "          image: vllm/vllm-openai:v0.11.0".to_string(),
        "          resources:".to_string(),
        format!("            limits: {{nvidia.com/gpu: {gpus}}}"),
    ]
    .join("\n")
        + "\n"
}

/// Writes documents into one manifest file in a fresh temp folder.
pub fn manifest(documents: &[String]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("manifests.yaml");
    std::fs::write(&path, documents.join("---\n")).expect("write manifest");
    (dir, path)
}

/// The result of one CLI run.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The `checks` of a JSON report.
    pub fn checks(&self) -> Vec<Value> {
        let report: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout));
        assert_eq!(report["version"], "kubectl-infer/v1alpha1");
        report["checks"].as_array().cloned().unwrap_or_default()
    }
}

/// Runs `kubectl-infer validate ARGS`.
pub fn validate(args: &[&str]) -> Run {
    let output = support::cli()
        .arg("validate")
        .args(args)
        .env_remove("KUBECTL_INFER_PROMETHEUS_URL")
        .env_remove("KUBECTL_INFER_PROMETHEUS_TOKEN")
        .env_remove("KUBECTL_INFER_PROMETHEUS_PASSWORD")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run kubectl-infer");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The row of `check` for `trigger` (or the object-level row when `trigger` is `None`).
pub fn row<'a>(checks: &'a [Value], object: &str, trigger: Option<&str>, check: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| {
            c["object"] == object
                && c["check"] == check
                && c.get("trigger").and_then(Value::as_str) == trigger
        })
        .unwrap_or_else(|| panic!("no {check} row for {object} {trigger:?} in {checks:#?}"))
}

/// `status` and `detail` of a row.
pub fn verdict(row: &Value) -> (&str, &str) {
    (
        row["status"].as_str().unwrap_or(""),
        row["detail"].as_str().unwrap_or(""),
    )
}

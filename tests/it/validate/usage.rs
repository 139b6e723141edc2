//! Bad input: exit 2 with one line naming the file, flag or URL, before any request.

use super::{manifest, scaled_object, validate};
use crate::support::fake_prometheus;

fn so() -> String {
    scaled_object("serving", "llama", "", &[("sum(up)", "threshold: '5'")])
}

fn assert_usage(args: &[&str], words: &str) {
    let run = validate(args);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(words),
        "{words:?} not in {}",
        run.stderr
    );
}

#[test]
fn missing_prometheus_url_and_paths_are_usage_errors() {
    let (_dir, path) = manifest(&[so()]);
    assert_usage(&[path.to_str().unwrap()], "--prometheus URL is required");
    assert_usage(
        &["--prometheus", "http://127.0.0.1:9"],
        "give the manifests to validate",
    );
    assert_usage(
        &[path.to_str().unwrap(), "--prometheus", "localhost:9090"],
        "invalid Prometheus URL \"localhost:9090\"",
    );
    assert_usage(
        &[path.to_str().unwrap(), "--prometheus", "127.0.0.1:9090"],
        "\"127.0.0.1:9090\": no scheme: add http:// or https:// (e.g. http://127.0.0.1:9090)",
    );
}

#[test]
fn unreadable_files_and_bad_yaml_name_the_file() {
    let url = fake_prometheus::refusing();
    assert_usage(
        &["/nonexistent/so.yaml", "--prometheus", &url],
        "/nonexistent/so.yaml: no such file or folder",
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "kind: ScaledObject\nspec: [\n").unwrap();
    assert_usage(
        &[bad.to_str().unwrap(), "--prometheus", &url],
        "bad.yaml:3:",
    );
    let empty = dir.path().join("service.yaml");
    std::fs::write(
        &empty,
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
    )
    .unwrap();
    assert_usage(
        &[empty.to_str().unwrap(), "--prometheus", &url],
        "no ScaledObject with a prometheus trigger found",
    );
}

#[test]
fn bad_credentials_files_and_headers_are_usage_errors() {
    let (dir, path) = manifest(&[so()]);
    let url = fake_prometheus::refusing();
    let file = path.to_str().unwrap();
    let missing = dir.path().join("missing-ca.pem");
    assert_usage(
        &[
            file,
            "--prometheus",
            &url,
            "--ca-file",
            missing.to_str().unwrap(),
        ],
        "missing-ca.pem",
    );
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    assert_usage(
        &[
            file,
            "--prometheus",
            &url,
            "--ca-file",
            not_pem.to_str().unwrap(),
        ],
        "not a PEM certificate bundle",
    );
    let empty_token = dir.path().join("token");
    std::fs::write(&empty_token, "\n").unwrap();
    assert_usage(
        &[
            file,
            "--prometheus",
            &url,
            "--bearer-token-file",
            empty_token.to_str().unwrap(),
        ],
        "token: the file is empty",
    );
    assert_usage(
        &[file, "--prometheus", &url, "--header", "NoColon"],
        "expected \"Name: value\"",
    );
}

#[test]
fn a_trigger_without_threshold_fails_its_check() {
    let so = scaled_object("serving", "llama", "", &[("sum(up)", "")]);
    let (_dir, path) = manifest(&[so]);
    let url =
        crate::support::fake_prometheus::start(|_| crate::support::fake_prometheus::names(&["up"]));
    let run = validate(&[path.to_str().unwrap(), "--prometheus", &url, "-o", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!(checks[0]["check"], "trigger");
    assert_eq!(
        checks[0]["detail"],
        "metadata.threshold is missing (KEDA requires it)"
    );
}

#[test]
fn manifests_can_come_from_stdin() {
    let url = fake_prometheus::start(|request| {
        if request.path.starts_with("/api/v1/label/") {
            return fake_prometheus::names(&["up"]);
        }
        fake_prometheus::vector(fake_prometheus::now(), &[(serde_json::json!({}), "2")])
    });
    let output = crate::support::cli()
        .args(["validate", "-", "--prometheus", &url, "-o", "json"])
        .write_stdin(so())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let value = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "value")
        .unwrap();
    assert_eq!(value["data"]["value"], 2.0);
    assert_eq!(value["source"], "<stdin>:1");
}

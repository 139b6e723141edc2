//! The probe report read back by the other commands: `lint --probe-report` (and `generate
//! --probe-report`) take its measured cold start in place of `--cold-start`.

use super::{fixture, probe};

/// Writes the `-o json` report of the `pods-llama.yaml` probe (cold start 280 s) to a file.
fn saved_report(dir: &tempfile::TempDir) -> String {
    let (code, stdout, _) = probe(&[
        "--from-file",
        &fixture("pods-llama.yaml"),
        "--deployment",
        "llama",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    let path = dir.path().join("probe.json");
    std::fs::write(&path, stdout).unwrap();
    path.display().to_string()
}

fn lint(args: &[&str]) -> (i32, String, String) {
    let output = crate::support::cli()
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn lint_judges_windows_against_the_measured_cold_start() {
    let dir = tempfile::tempdir().unwrap();
    let report = saved_report(&dir);
    let manifest = crate::support::fixture("lint/rules/CLD001.yaml")
        .display()
        .to_string();

    let (code, stdout, _) = lint(&["--select", "CLD001", "--cold-start", "30s", &manifest]);
    assert_eq!(
        code, 0,
        "a 60 s window is enough for a 30 s cold start: {stdout}"
    );

    let (code, stdout, stderr) =
        lint(&["--select", "CLD001", "--probe-report", &report, &manifest]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    assert!(
        stdout.contains("scale-down stabilization window 60s is shorter than the 280s cold start"),
        "{stdout}"
    );
}

#[test]
fn a_file_that_is_not_a_probe_report_is_named() {
    let manifest = crate::support::fixture("lint/rules/CLD001.yaml")
        .display()
        .to_string();
    let (code, stdout, stderr) = lint(&["--probe-report", &manifest, &manifest]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains("CLD001.yaml: not a probe report: "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

fn generate(args: &[&str]) -> (i32, String, String) {
    let output = crate::support::cli()
        .arg("generate")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn generate_writes_the_same_manifests_as_for_the_measured_cold_start_given_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let report = saved_report(&dir);
    let model = [
        "--name", "llama", "-n", "serving", "--server", "vllm", "--model", "m",
    ];
    let scaling = ["--min", "1", "--max", "4"];

    let from_report = generate(&[&model[..], &scaling, &["--probe-report", &report]].concat());
    let by_hand = generate(&[&model[..], &scaling, &["--cold-start", "280s"]].concat());
    assert_eq!(from_report.0, 0, "{}", from_report.2);
    assert_eq!(from_report, by_hand);
    assert!(
        from_report.1.contains("stabilizationWindowSeconds: 560"),
        "{}",
        from_report.1
    );
}

#[test]
fn generate_refuses_both_a_probe_report_and_a_cold_start() {
    let (code, stdout, stderr) = generate(&[
        "--name",
        "llama",
        "--server",
        "vllm",
        "--model",
        "m",
        "--cold-start",
        "2m",
        "--probe-report",
        "probe.json",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

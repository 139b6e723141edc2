//! The GPU probe: the no-driver path exactly as CI sees it, and the report and weight-load
//! estimate from hand-made device data (`tests/fixtures/probe/README.md`).

use std::path::Path;

use super::{fixture, json, probe};

/// Whether this machine has an NVIDIA driver (then the no-driver test checks the other side).
fn has_nvidia_driver() -> bool {
    Path::new("/proc/driver/nvidia/version").exists()
}

#[test]
fn without_a_driver_the_probe_says_so_in_one_line() {
    let (code, stdout, stderr) = probe(&["-o", "json"]);
    let report = json(&stdout);
    if has_nvidia_driver() {
        assert_eq!(code, 0, "{stderr}");
        assert!(
            report["gpu"]["devices"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
        );
        return;
    }
    assert_eq!(code, 1, "nothing was measured: {stdout}");
    // One line, in the report: not a log line on stderr as well.
    assert_eq!(stderr, "");
    assert_eq!(
        report["skipped"],
        serde_json::json!(["no NVIDIA driver: libnvidia-ml.so.1 not found"])
    );
    assert!(report.get("gpu").is_none(), "{report}");
    assert_eq!(report["coldStart"], serde_json::Value::Null);
}

#[test]
fn without_a_driver_the_other_probes_go_on() {
    if has_nvidia_driver() {
        return;
    }
    let (code, stdout, stderr) = probe(&[
        "--from-file",
        &fixture("pods-llama.yaml"),
        "--deployment",
        "llama",
        "--gpu",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let report = json(&stdout);
    assert_eq!(report["coldStart"]["source"], "pods");
}

#[test]
fn without_a_driver_the_text_report_says_so_once() {
    if has_nvidia_driver() {
        return;
    }
    let (code, stdout, stderr) = probe(&[]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    let said = "no NVIDIA driver: libnvidia-ml.so.1 not found";
    assert_eq!(stdout.matches(said).count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("Skipped: {said}\n")),
        "{stdout}"
    );
}

#[test]
fn the_gpu_report_from_recorded_h200_data() {
    let (code, stdout, stderr) = probe(&["--gpu-from-file", &fixture("gpu-h200x2.json")]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    insta::assert_snapshot!(stdout);
}

#[test]
fn the_gpu_report_as_json_names_bandwidth_and_notes() {
    let (code, stdout, _) = probe(&[
        "--gpu-from-file",
        &fixture("gpu-h100-no-persistence.json"),
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    let gpu = &json(&stdout)["gpu"];
    assert_eq!(gpu["cudaDriverVersion"], "12.4");
    assert_eq!(gpu["initSeconds"]["median"], 2.27);
    let device = &gpu["devices"][0];
    assert_eq!(device["name"], "NVIDIA H100 80GB HBM3");
    let max = device["maxBytesPerSecond"].as_f64().unwrap();
    assert!((max - 63.015e9).abs() < 0.01e9, "{max}");
    let notes: Vec<&str> = gpu["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("persistence mode is off"), "{notes:?}");
    assert!(notes[1].contains("MIG is on"), "{notes:?}");
}

#[test]
fn weight_load_is_estimated_from_the_disk_and_the_recorded_pcie_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("model-00001-of-00002.safetensors"),
        vec![7u8; 24 << 20],
    )
    .unwrap();
    std::fs::write(
        dir.path().join("model-00002-of-00002.safetensors"),
        vec![7u8; 8 << 20],
    )
    .unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), b"{}").unwrap();
    let model = dir.path().display().to_string();
    let (code, stdout, stderr) = probe(&[
        "--gpu-from-file",
        &fixture("gpu-h200x2.json"),
        "--model-path",
        &model,
        "--read-sample-mib",
        "16",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let report = json(&stdout);
    let w = &report["weights"];
    assert_eq!(w["files"], 2);
    assert_eq!(w["bytes"], 32 << 20);
    assert_eq!(w["sampledBytes"], 16 << 20);
    let read = w["readBytesPerSecond"].as_f64().unwrap();
    let pcie = w["pcieBytesPerSecond"].as_f64().unwrap();
    assert!((pcie - 63.015e9).abs() < 0.01e9, "{pcie}");
    let expected = f64::from(32 << 20) / read.min(pcie);
    let load = w["estimatedLoadSeconds"].as_f64().unwrap();
    assert!((load - expected).abs() < 1e-9, "{load} vs {expected}");
    // A lower bound, not a cold start: no settings come from it.
    assert_eq!(report["coldStart"], serde_json::Value::Null);
    assert_eq!(report["recommendations"], serde_json::json!([]));
    let note = report["notes"][0].as_str().unwrap();
    assert!(
        note.starts_with("the weights alone take at least ") && note.contains("a lower bound"),
        "{note}"
    );
}

#[test]
fn a_weight_load_alone_recommends_nothing_and_says_it_is_a_lower_bound() {
    // Regression: 0.55 s of weights gave startupProbe.failureThreshold 3 (30 s) and more.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.safetensors"), vec![7u8; 4 << 20]).unwrap();
    let model = dir.path().display().to_string();
    let (code, stdout, stderr) = probe(&["--no-gpu", "--model-path", &model]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    assert!(
        stdout.contains("Cold start: NOT MEASURED. The weight load ("),
        "{stdout}"
    );
    assert!(
        stdout.contains(") is only a lower bound, so no settings are recommended"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nNote: the weights alone take at least "),
        "{stdout}"
    );
    assert!(!stdout.contains("Recommended settings"), "{stdout}");
    assert!(!stdout.contains("failureThreshold"), "{stdout}");
}

#[test]
fn a_missing_model_folder_is_an_input_error() {
    let (code, stdout, stderr) = probe(&["--no-gpu", "--model-path", "/nonexistent/llama"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr.trim_end(),
        "error: /nonexistent/llama: does not exist (--model-path wants the model's folder)"
    );
}

#[test]
fn a_model_folder_without_weights_is_an_input_error() {
    // Regression: it printed "0 files, 0 bytes", a 0 s cold start, settings, and exit 0.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), b"{}").unwrap();
    let model = dir.path().display().to_string();
    let (code, stdout, stderr) = probe(&["--no-gpu", "--model-path", &model]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with(&format!(
            "error: no weight files under {model} (looked for "
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

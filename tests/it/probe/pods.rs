//! The pod probe: per-pod phases and their median and p90 from a `kubectl get -o yaml` dump,
//! and the same objects served live by the fixture API server.

use std::time::Duration;

use kubectl_infer::generate::timing;
use kubectl_infer::sources::objects::ObjectSet;
use serde_json::Value;

use super::{fixture, json, probe};
use crate::support::apiserver::FixtureApiServer;

/// The objects of a fixture file, as the API server will serve them.
fn objects(name: &str) -> Vec<Value> {
    let path = crate::support::fixture(&format!("probe/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut set = ObjectSet::from_text(name, &text).unwrap();
    std::mem::take(&mut set.objects)
}

/// Checks the numbers of `pods-llama.yaml`: ready after 190, 96 and 280 s.
fn assert_llama_report(report: &Value) {
    let pods = &report["pods"];
    assert_eq!(pods["namespace"], "serving");
    let names: Vec<&str> = pods["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "llama-6f7c9d-a2x4q",
            "llama-6f7c9d-b7k2m",
            "llama-6f7c9d-c9p8z"
        ]
    );
    assert_eq!(pods["pods"][0]["imagePulledSeconds"], 95.0);
    assert_eq!(pods["pods"][1]["startedSeconds"], 6.0);
    assert_eq!(pods["ready"]["median"], 190.0);
    assert_eq!(pods["ready"]["p90"], 280.0);
    assert_eq!(pods["scheduled"]["p90"], 45.0);
    assert_eq!(pods["notReady"], serde_json::json!([]));
    assert_eq!(report["coldStart"]["seconds"], 280.0);
    assert_eq!(
        report["coldStart"]["basis"],
        "p90 of time to ready over 3 of 3 pods"
    );
    let expected = timing::derive(Duration::from_secs(280)).reasons();
    assert_eq!(
        report["recommendations"],
        serde_json::to_value(expected).unwrap()
    );
}

#[test]
fn pods_from_a_file_table() {
    let file = fixture("pods-llama.yaml");
    let (code, stdout, stderr) = probe(&["--from-file", &file, "--deployment", "llama"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // The measurements as a snapshot; the settings are generate::timing's, whose wording that
    // module owns, so they are compared with what it derives for the same cold start.
    let (measured, settings) = stdout.split_once("Recommended settings\n").unwrap();
    insta::assert_snapshot!(measured);
    let expected: String = timing::derive(Duration::from_secs(280))
        .reasons()
        .iter()
        .map(|r| format!("  {}: {}\n      {}\n", r.setting, r.value, r.reason))
        .collect();
    assert_eq!(settings, expected);
}

#[test]
fn pods_from_a_file_json() {
    let file = fixture("pods-llama.yaml");
    let (code, stdout, _) = probe(&[
        "--from-file",
        &file,
        "-l",
        "app=llama",
        "-n",
        "serving",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    let report = json(&stdout);
    assert_llama_report(&report);
    assert_eq!(report["pods"]["selector"], "app=llama");
}

#[test]
fn a_pod_whose_readiness_flapped_later_is_left_out_of_the_cold_start() {
    // Regression: the flapped pod made the cold start 53 h and cooldownPeriod 381600.
    let file = fixture("pods-flap.yaml");
    let (code, stdout, stderr) =
        probe(&["--from-file", &file, "--deployment", "llama", "-o", "json"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let report = json(&stdout);
    let pods = &report["pods"];
    assert_eq!(
        pods["leftOut"],
        serde_json::json!(["llama-6f7c9d-flap1", "llama-6f7c9d-oom01"])
    );
    assert_eq!(
        pods["pods"][0]["leftOut"],
        "Ready 52h59m after its containers started, with no restart, where the other pods \
         took 1m10s: its readiness flapped later, so when it first became ready is unknown"
    );
    assert!(
        pods["pods"][3]["leftOut"]
            .as_str()
            .unwrap()
            .starts_with("a container restarted after running 23h59m50s: ")
    );
    assert_eq!(pods["ready"]["count"], 2);
    assert_eq!(
        pods["started"]["count"], 3,
        "the restart's start is left out too"
    );
    assert_eq!(report["coldStart"]["seconds"], 150.0);
    assert_eq!(
        report["coldStart"]["basis"],
        "p90 of time to ready over 2 of 4 pods (2 left out: Ready long after it started)"
    );
    let expected = timing::derive(Duration::from_secs(150)).reasons();
    assert_eq!(
        report["recommendations"],
        serde_json::to_value(expected).unwrap()
    );
    assert_eq!(report["notes"], serde_json::json!([]));
}

#[test]
fn pods_from_the_cluster() {
    let server = FixtureApiServer::start(objects("pods-llama.yaml"));
    let kubeconfig = server.kubeconfig().display().to_string();
    let (code, stdout, stderr) = probe(&[
        "--kubeconfig",
        &kubeconfig,
        "--deployment",
        "llama",
        "-n",
        "serving",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_llama_report(&json(&stdout));
    let requests = server.requests();
    let paths: Vec<String> = requests.iter().map(|r| r.path.clone()).collect();
    assert_eq!(server.request_count(), 3, "{paths:?}");
    // Only the Deployment's pods are listed: its selector goes with the LIST.
    let pods = requests
        .iter()
        .find(|r| r.path.ends_with("/pods"))
        .expect("a pods LIST");
    assert!(
        pods.query
            .contains(&("labelSelector".to_string(), "app=llama".to_string())),
        "{:?}",
        pods.query
    );
}

#[test]
fn pods_from_the_cluster_by_selector_and_refusal() {
    let server = FixtureApiServer::start(objects("pods-llama.yaml"));
    let kubeconfig = server.kubeconfig().display().to_string();
    let (code, stdout, _) = probe(&[
        "--kubeconfig",
        &kubeconfig,
        "-l",
        "app in (llama)",
        "-n",
        "serving",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_llama_report(&json(&stdout));

    server.fail(
        "/pods",
        403,
        "pods is forbidden: User \"ci\" cannot list resource \"pods\"",
    );
    let (code, stdout, stderr) = probe(&[
        "--kubeconfig",
        &kubeconfig,
        "-l",
        "app=llama",
        "-n",
        "serving",
    ]);
    assert_eq!((code, stdout.as_str()), (3, ""));
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("forbidden"), "{stderr}");
}

#[test]
fn a_deployment_that_does_not_exist_is_named() {
    let server = FixtureApiServer::start(objects("pods-llama.yaml"));
    let kubeconfig = server.kubeconfig().display().to_string();
    let (code, stdout, stderr) = probe(&[
        "--kubeconfig",
        &kubeconfig,
        "--deployment",
        "mistral-7b",
        "-n",
        "serving",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: deployment serving/mistral-7b not found on {}",
            server.url()
        )
    );
}

#[test]
fn no_matching_pods_is_an_error() {
    let file = fixture("pods-llama.yaml");
    let (code, stdout, stderr) = probe(&[
        "--from-file",
        &file,
        "--deployment",
        "nope",
        "-n",
        "serving",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr.trim_end(),
        format!("error: no pods match deployment/nope in {file}, namespace serving")
    );
}

#[test]
fn a_dump_of_several_workloads_needs_a_choice() {
    // Regression: without --deployment or -l every pod of the file was one cold start.
    let file = fixture("pods-llama.yaml");
    let (code, stdout, stderr) = probe(&["--from-file", &file]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with(&format!("error: {file} holds pods of several workloads (")),
        "{stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("): pick one with --deployment or -l"),
        "{stderr}"
    );
    assert!(stderr.contains("deployment/llama,"), "{stderr}");

    // One workload's pods are that workload's, and the report says which.
    let (code, stdout, _) = probe(&["--from-file", &fixture("pods-stuck.yaml"), "-o", "json"]);
    assert_eq!(code, 1);
    assert_eq!(json(&stdout)["pods"]["selector"], "deployment/llama");
}

#[test]
fn pods_that_never_became_ready_fail_the_probe() {
    let file = fixture("pods-stuck.yaml");
    let (code, stdout, stderr) = probe(&["--from-file", &file]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim(),
        "warning: 1 of 1 pods are not ready: llama-6f7c9d-d4s1t"
    );
    assert!(stdout.contains("Not ready: llama-6f7c9d-d4s1t"), "{stdout}");
    assert!(
        stdout.contains("Cold start: not measured: the pod did not become ready"),
        "{stdout}"
    );
}

#[test]
fn all_namespaces_is_refused_for_the_pod_probe() {
    let file = fixture("pods-llama.yaml");
    let (code, stdout, stderr) = probe(&["--from-file", &file, "-A"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr.trim_end(),
        "error: the pod probe looks at one workload in one namespace: use -n, not -A"
    );
}

#[test]
fn restarts_are_counted() {
    let (code, stdout, _) = probe(&["--from-file", &fixture("pods-stuck.yaml"), "-o", "json"]);
    assert_eq!(code, 1);
    let pod = &json(&stdout)["pods"]["pods"][0];
    assert_eq!(pod["restarts"], 4);
    assert_eq!(pod["readySeconds"], serde_json::Value::Null);
}

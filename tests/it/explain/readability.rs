//! What a new user reads from `explain`: the minimum of a ScaledObject that scales to zero,
//! Kueue quota in readable quantities (and unknown usage said as unknown), a clean `At:` line,
//! a not-found message that names the file, a missing kubeconfig named once, and a
//! ScaledObject whose target is not in the input.

use serde_json::Value;

use super::scenarios::{AT, objects};
use crate::support::{cli, fixture};

/// The exit code, stdout and stderr of `kubectl-infer ARGS`.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = cli().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The objects of a scenario, changed by `edit`, written as one List to `dir/dump.json`.
fn dump(dir: &tempfile::TempDir, scenario: &str, edit: impl Fn(&mut Value)) -> String {
    let mut objects = objects(scenario);
    objects.iter_mut().for_each(&edit);
    let path = dir.path().join("dump.json");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects});
    std::fs::write(&path, list.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// `explain llm` on a dump, as text and as JSON (both must succeed without stderr).
fn explain_both(path: &str) -> (String, Value) {
    let (code, text, err) = run(&["explain", "llm", "--at", AT, "--from-file", path]);
    assert_eq!((code, err.as_str()), (0, ""), "{text}");
    let (code, json, err) = run(&[
        "explain",
        "llm",
        "--at",
        AT,
        "-o",
        "json",
        "--from-file",
        path,
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    (text, serde_json::from_str(&json).unwrap())
}

#[test]
fn the_minimum_shown_is_min_replica_count_not_the_hpa_floor() {
    let path = fixture("explain/scaled-to-zero.yaml");
    let (text, report) = explain_both(path.to_str().unwrap());
    assert!(
        text.contains("Replicas: 0 now, 0 desired (min 0, max 8), 0 ready"),
        "{text}"
    );
    assert_eq!(report["replicas"]["min"], 0);

    // Active at 1 replica with minReplicaCount 0: the HPA still clamps at its floor of 1.
    let (_, cooldown) = explain_both(fixture("explain/cooldown.yaml").to_str().unwrap());
    assert_eq!(cooldown["replicas"]["min"], 0);
    assert_eq!(cooldown["replicas"]["current"], 1);
    assert_eq!(cooldown["replicas"]["desired"], 1);
}

#[test]
fn a_negative_min_replica_count_is_called_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dump(&dir, "cooldown", |o| {
        if o["kind"] == "ScaledObject" {
            o["spec"]["minReplicaCount"] = Value::from(-5);
        }
    });
    let (text, report) = explain_both(&path);
    let notes = report["notes"].as_array().unwrap();
    let note = notes
        .iter()
        .filter_map(Value::as_str)
        .find(|n| n.contains("minReplicaCount -5"))
        .unwrap_or_else(|| panic!("no note on minReplicaCount: {notes:?}"));
    assert!(
        note.contains("is invalid") && note.contains("explain assumes the same (min 1)"),
        "{note}"
    );
    assert!(text.contains(&format!("Note: {note}")), "{text}");
    // As KEDA does with it: no scale to zero, held at the HPA's floor of 1, shown as min 1.
    assert_eq!(report["replicas"]["min"], 1);
    assert_eq!(report["replicas"]["desired"], 1);
    let cause = report["cause"].as_str().unwrap();
    assert!(!cause.contains("scales to -5"), "{cause}");
}

/// The kueue-gated scenario with a memory quota beside the GPUs, its usage as Kueue writes it
/// (a plain number of bytes), or without the ClusterQueue's status.
fn with_memory_quota(o: &mut Value, status: bool) {
    if o["kind"] != "ClusterQueue" {
        return;
    }
    let resources = &mut o["spec"]["resourceGroups"][0]["flavors"][0]["resources"];
    resources
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "memory", "nominalQuota": "256Gi"}));
    if status {
        let usage = &mut o["status"]["flavorsUsage"][0]["resources"];
        usage
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "memory", "total": "68719476736"}));
    } else {
        o.as_object_mut().unwrap().remove("status");
    }
}

#[test]
fn kueue_quota_is_shown_in_the_units_of_the_nominal_quota() {
    let dir = tempfile::tempdir().unwrap();
    let path = dump(&dir, "kueue-gated", |o| with_memory_quota(o, true));
    let (text, report) = explain_both(&path);
    assert!(
        text.contains("  memory (h100): 64Gi/256Gi used\n"),
        "{text}"
    );
    assert!(
        text.contains("  nvidia.com/gpu (h100): 16/16 used\n"),
        "{text}"
    );
    // JSON keeps the numbers numeric, in whole units.
    let memory = &report["kueue"]["quota"][1];
    assert_eq!(memory["resource"], "memory");
    assert_eq!(memory["used"], 68_719_476_736.0);
    assert_eq!(memory["nominal"], 274_877_906_944.0);
}

#[test]
fn kueue_usage_without_a_status_is_unknown_not_negative_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dump(&dir, "kueue-gated", |o| with_memory_quota(o, false));
    let (text, report) = explain_both(&path);
    assert!(!text.contains(" -0") && !text.contains("-0/"), "{text}");
    assert!(
        text.contains("  nvidia.com/gpu (h100): usage unknown of 16"),
        "{text}"
    );
    assert!(
        text.contains("  memory (h100): usage unknown of 256Gi"),
        "{text}"
    );
    let json = report["kueue"].to_string();
    assert!(!json.contains("-0.0"), "{json}");
    assert_eq!(report["kueue"]["quota"][0]["used"], Value::Null);
    assert_eq!(report["kueue"]["quota"][0]["nominal"], 16.0);
    let cause = report["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("3 pods gated by Kueue: ClusterQueue gpu-h100")
            && cause.contains("usage unknown"),
        "{cause}"
    );
}

#[test]
fn the_at_line_reads_cleanly_when_the_file_records_no_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.yaml");
    std::fs::write(
        &path,
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: llm\n  \
         namespace: serving\nspec:\n  scaleTargetRef:\n    name: llm\n  triggers:\n  - type: \
         prometheus\n    metadata:\n      query: sum(up)\n      threshold: '10'\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let (code, out, err) = run(&["explain", "llm", "--from-file", path]);
    assert_eq!((code, err.as_str()), (0, ""));
    let at = out.lines().nth(1).unwrap();
    assert!(
        at.starts_with("At: ") && at.ends_with(" (now: the file records no time)"),
        "{at}"
    );
    let (_, json, _) = run(&["explain", "llm", "-o", "json", "--from-file", path]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["atSource"], "now: the file records no time");
}

#[test]
fn not_found_in_a_file_names_the_file_and_what_it_holds() {
    let path = fixture("explain/two-scaled-objects.yaml");
    let path = path.to_str().unwrap();
    let (code, out, err) = run(&["explain", "nosuch", "--from-file", path]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "error: scaledobject \"nosuch\" not found in {path}; ScaledObjects there: \
             serving/llm, team-b/llm\n"
        )
    );
    let (code, _, err) = run(&["explain", "nosuch", "-n", "serving", "--from-file", path]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "error: scaledobject \"nosuch\" not found in namespace serving of {path}; "
        )),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = dump(&dir, "steady", |o| *o = serde_json::json!({"kind": "Pod"}));
    let (code, _, err) = run(&["explain", "llm", "--from-file", &empty]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!("error: scaledobject \"llm\" not found in {empty}; it holds no ScaledObject\n")
    );
    let (code, _, err) = run(&["explain", "lm", "-n", "team-b", "--from-file", path]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: scaledobject \"lm\" not found in namespace team-b of {path}; did you mean \
             llm?\n"
        )
    );
}

#[test]
fn a_missing_kubeconfig_is_named_once() {
    let home = tempfile::tempdir().unwrap();
    let default = home.path().join(".kube/config");
    let output = cli()
        .env("HOME", home.path())
        .env_remove("KUBERNETES_SERVICE_HOST")
        .args(["explain", "x", "-n", "y"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    let path = default.display().to_string();
    assert!(
        err.starts_with(&format!("error: cannot load kubeconfig {path} ")),
        "{err}"
    );
    assert!(err.contains("No such file or directory"), "{err}");
    assert_eq!(err.matches(&path).count(), 1, "{err}");
    assert!(!err.contains('\''), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let output = cli()
        .env("KUBECONFIG", "/nonexistent")
        .args(["explain", "x", "-n", "y"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("error: cannot load kubeconfig /nonexistent "),
        "{err}"
    );
    assert_eq!(err.matches("/nonexistent").count(), 1, "{err}");
    assert!(!err.contains('"') && !err.contains('\''), "{err}");
}

#[test]
fn in_a_pod_without_a_kubeconfig_the_service_account_is_used_as_kubectl_does() {
    let home = tempfile::tempdir().unwrap();
    let output = cli()
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", "9")
        .args(["explain", "x", "-n", "y", "--request-timeout", "2s"])
        .output()
        .unwrap();
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("cannot load kubeconfig"), "{err}");
    let token = std::path::Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token");
    if token.exists() {
        // Inside a real pod the service account works, and the address given is tried.
        assert_eq!(output.status.code(), Some(3), "{err}");
        assert!(err.contains("127.0.0.1:9"), "{err}");
    } else {
        let default = home.path().join(".kube/config");
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with(&format!(
                "error: no kubeconfig at {} and the in-cluster configuration failed: ",
                default.display()
            )),
            "{err}"
        );
    }
}

#[test]
fn a_scaled_object_alone_says_its_target_and_size_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let mut only = objects("steady");
    only.retain(|o| o["kind"] == "ScaledObject");
    let path = dir.path().join("alone.json");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": only});
    std::fs::write(&path, list.to_string()).unwrap();
    let (text, report) = explain_both(path.to_str().unwrap());
    let first = text.lines().next().unwrap();
    assert!(
        first.ends_with("→ Deployment/llm (not found; HPA keda-hpa-llm, not found)"),
        "{text}"
    );
    let note = "Deployment llm is not in the input and no HPA status reports its size: the \
                current count is taken from the 0 pods found";
    assert!(text.contains(&format!("Note: {note}")), "{text}");
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == note),
        "{report}"
    );
}

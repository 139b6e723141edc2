//! `explain` on the command line: errors and exit codes, `-A`, `--watch`, YAML output.

use std::time::Duration;

use serde_json::Value;

use super::scenarios::{AT, objects};
use crate::support::apiserver::FixtureApiServer;
use crate::support::{cli, fixture};

fn run(server: &FixtureApiServer, args: &[&str]) -> (i32, String, String) {
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .arg("explain")
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
fn not_found_suggests_close_names() {
    let server = FixtureApiServer::start(objects("steady"));
    let (code, out, err) = run(&server, &["lm", "-n", "serving"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: scaledobject \"lm\" not found in namespace serving; did you mean llm?\n"
    );
}

#[test]
fn keda_not_installed_exits_3() {
    let server = FixtureApiServer::start(vec![]);
    server.remove_api_group("keda.sh");
    let (code, out, err) = run(&server, &["llm"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert_eq!(
        err,
        format!(
            "error: KEDA is not installed (no scaledobjects.keda.sh at {})\n",
            server.url()
        )
    );
}

#[test]
fn forbidden_points_at_the_reader_role() {
    let server = FixtureApiServer::start(objects("steady"));
    server.fail("/horizontalpodautoscalers", 403, "forbidden");
    let (code, _, err) = run(&server, &["llm", "-n", "serving"]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with(
            "error: 403 Forbidden: cannot list horizontalpodautoscalers.autoscaling in \
             namespace serving: forbidden; grant read access"
        ),
        "{err}"
    );
    assert!(err.contains("kubectl infer generate --rbac"), "{err}");
}

#[test]
fn a_slow_server_hits_the_request_timeout() {
    let server = FixtureApiServer::start(objects("steady"));
    server.delay("/pods", Duration::from_secs(5));
    let (code, _, err) = run(
        &server,
        &["llm", "-n", "serving", "--request-timeout", "200ms"],
    );
    assert_eq!(code, 3);
    assert_eq!(
        err,
        format!(
            "error: the API server at {} did not answer within 200ms (--request-timeout)\n",
            server.url()
        )
    );
}

#[test]
fn all_namespaces_uses_a_constant_number_of_requests() {
    let count_for = |copies: usize| {
        let mut all = Vec::new();
        for i in 0..copies {
            for mut object in objects("at-max") {
                if object["kind"] == "ExternalMetricValueList" || object["kind"] == "ClusterQueue" {
                    continue;
                }
                object["metadata"]["namespace"] = Value::from(format!("team-{i}"));
                all.push(object);
            }
        }
        let server = FixtureApiServer::start(all);
        let (code, out, err) = run(&server, &["-A", "--at", AT, "-o", "json"]);
        assert_eq!(code, 0, "{err}");
        let list: Value = serde_json::from_str(&out).unwrap();
        let reports = list["scaledObjects"].as_array().unwrap();
        assert_eq!(reports.len(), copies);
        assert!(
            reports
                .iter()
                .all(|r| r["limits"][0]["kind"] == "maxReplicas")
        );
        // -A reads values from the HPA status: 25 per replica x 8 replicas.
        assert!(
            reports
                .iter()
                .all(|r| r["triggers"][0]["valueSource"] == "hpaStatus")
        );
        assert!(reports.iter().all(|r| r["triggers"][0]["value"] == 200.0));
        server.request_count()
    };
    assert_eq!(count_for(1), count_for(20));
    assert_eq!(count_for(3), 11);
}

#[test]
fn all_namespaces_table_has_one_row_each() {
    let server = FixtureApiServer::start(objects("at-max"));
    let (code, out, err) = run(&server, &["-A", "--at", AT]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], format!("At: {AT} (--at)"));
    assert!(lines[1].starts_with("NAMESPACE  NAME  CURRENT  DESIRED  MIN  MAX  READY  CAUSE"));
    assert!(lines[2].starts_with("serving    llm   8        8        1    8    8      held at 8"));
}

#[test]
fn watch_refreshes_until_interrupted() {
    let server = FixtureApiServer::start(objects("steady"));
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args([
            "explain",
            "llm",
            "-n",
            "serving",
            "--watch",
            "--interval",
            "200ms",
            "-o",
            "json",
        ])
        .timeout(Duration::from_millis(1500))
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    let rounds = out.matches("\"version\"").count();
    assert!(rounds >= 2, "{rounds} rounds: {out}");
    let scaled_object_lists = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/scaledobjects"))
        .count();
    assert!(scaled_object_lists >= rounds, "each round reads afresh");
}

#[test]
fn yaml_output_has_the_design_fields() {
    let output = cli()
        .args(["explain", "llm", "-o", "yaml", "--from-file"])
        .arg(fixture("explain/at-max.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    for field in [
        "version:",
        "replicas:",
        "triggers:",
        "activation:",
        "limits:",
        "steps:",
    ] {
        assert!(text.contains(field), "{field} missing: {text}");
    }
    assert!(
        text.contains("cause: held at 8 by maxReplicaCount"),
        "{text}"
    );
}

#[test]
fn a_broken_file_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.yaml");
    std::fs::write(&path, "apiVersion: v1\nkind: List\nitems: [\n  {a: 1\n").unwrap();
    let output = cli()
        .args(["explain", "llm", "--from-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: {}:", path.display())),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn several_kubeconfig_files_merge_as_kubectl_does() {
    let server = FixtureApiServer::start(objects("steady"));
    let dir = tempfile::tempdir().unwrap();
    // The first file names the context and its namespace; the second defines the server.
    let first = dir.path().join("first");
    std::fs::write(
        &first,
        "apiVersion: v1\nkind: Config\ncurrent-context: fixture\n",
    )
    .unwrap();
    let second = server.kubeconfig_with_namespace("serving");
    let joined = std::env::join_paths([first.as_path(), second.as_path()]).unwrap();
    let output = cli()
        .env("KUBECONFIG", &joined)
        .args(["explain", "llm", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["namespace"], "serving");
}

#[test]
fn the_command_never_writes_to_the_cluster() {
    let server = FixtureApiServer::start(objects("kueue-gated"));
    let (code, _, err) = run(&server, &["llm", "-n", "serving"]);
    assert_eq!(code, 0, "{err}");
    assert!(server.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn pods_lacking_gpus_are_named() {
    let mut objects = objects("cold-start");
    for object in &mut objects {
        let starting =
            object["kind"] == "Pod" && object["status"]["conditions"][1]["status"] == "False";
        if starting {
            object["status"] = serde_json::json!({"phase": "Pending", "conditions": [{
                "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/4 nodes are available: 4 Insufficient nvidia.com/gpu."}]});
        }
    }
    let server = FixtureApiServer::start(objects);
    let (code, out, err) = run(&server, &["llm", "-n", "serving", "--at", AT, "-o", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["cause"],
        "3 pods unschedulable: no node has a free nvidia.com/gpu"
    );
    assert_eq!(report["pods"]["unschedulable"], 3);
    assert_eq!(report["replicas"]["ready"], 3);
}

#[test]
fn ready_pods_without_a_transition_time_count_as_ready() {
    // The Ready condition's lastTransitionTime is optional; upstream's IsPodReady reads only
    // the status, so the Value trigger still multiplies by 4 ready pods.
    let mut objects = objects("two-triggers");
    for object in &mut objects {
        if object["kind"] == "Pod"
            && let Some(conditions) = object["status"]["conditions"].as_array_mut()
        {
            for condition in conditions {
                if let Some(map) = condition.as_object_mut() {
                    map.remove("lastTransitionTime");
                }
            }
        }
    }
    let server = FixtureApiServer::start(objects);
    let (code, out, err) = run(&server, &["llm", "-n", "serving", "--at", AT, "-o", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["replicas"]["ready"], 4);
    assert_eq!(report["triggers"][1]["proposedReplicas"], 5);
    assert_eq!(report["replicas"]["desired"], 5);
}

#[test]
fn a_dump_is_explained_at_its_newest_time_which_is_printed() {
    // No metric list and no events: the newest time is KEDA's Active condition turning False
    // at 14:03, not lastActiveTime (14:00), so 120 s of the cooldown are left, not 300.
    let mut objects = objects("cooldown");
    objects.retain(|o| o["kind"] != "ExternalMetricValueList" && o["kind"] != "Event");
    for object in &mut objects {
        if object["kind"] == "ScaledObject" {
            object["status"]["conditions"] = serde_json::json!([{"type": "Active",
                "status": "False", "reason": "ScalerNotActive",
                "lastTransitionTime": "2026-12-03T14:03:00Z"}]);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects});
    std::fs::write(&path, list.to_string()).unwrap();
    let output = cli()
        .args(["explain", "llm", "--from-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let out = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1],
        "At: 2026-12-03T14:03:00Z (the newest time in the file: ScaledObject serving/llm \
         conditions lastTransitionTime)"
    );
    assert!(lines[3].contains("(120s left of 300s)"), "{out}");
    let json = cli()
        .args(["explain", "llm", "-o", "json", "--from-file"])
        .arg(&path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["at"], "2026-12-03T14:03:00Z");
    assert!(
        report["atSource"]
            .as_str()
            .unwrap()
            .starts_with("the newest time in the file")
    );

    // With lastActiveTime the newest time, the cooldown shown is an upper bound: say so.
    let mut objects = super::scenarios::objects("cooldown");
    objects.retain(|o| o["kind"] != "ExternalMetricValueList" && o["kind"] != "Event");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects});
    std::fs::write(&path, list.to_string()).unwrap();
    let json = cli()
        .args(["explain", "llm", "-o", "json", "--from-file"])
        .arg(&path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["limits"][0]["remainingSeconds"], 300);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("lastActiveTime") && notes.contains("--at"),
        "{notes}"
    );
}

#[test]
fn watch_with_a_file_is_refused() {
    let output = cli()
        .args(["explain", "llm", "--watch", "--from-file"])
        .arg(fixture("explain/steady.yaml"))
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("error: --watch cannot be used with --from-file"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_deeply_nested_formula_is_reported_not_a_crash() {
    let mut objects = objects("steady");
    for object in &mut objects {
        if object["kind"] == "ScaledObject" {
            object["spec"]["triggers"][0]["name"] = Value::from("queue");
            object["spec"]["advanced"] = serde_json::json!({"scalingModifiers": {
                "formula": format!("{}queue{}", "(".repeat(4000), ")".repeat(4000)),
                "target": "10"}});
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects});
    std::fs::write(&path, list.to_string()).unwrap();
    let output = cli()
        .args(["explain", "llm", "-o", "json", "--from-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let steps = report["steps"].to_string();
    assert!(steps.contains("nests deeper than 200 levels"), "{steps}");
}

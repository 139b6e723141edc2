//! The scenarios of issue 4, each through the fixture API server (live) and through
//! `--from-file` with the same objects, asserting the binding cause and the numbers.

use serde_json::Value;

use crate::support::apiserver::FixtureApiServer;
use crate::support::{cli, fixture};

/// The instant every scenario was written for.
pub const AT: &str = "2026-12-03T14:02:00Z";

/// The objects of a scenario file, Lists flattened, for the fixture server.
pub fn objects(name: &str) -> Vec<Value> {
    let path = fixture(&format!("explain/{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let options = kubectl_infer::model::manifest::LoadOptions {
        expand_lists: false,
        ..Default::default()
    };
    let docs = kubectl_infer::model::manifest::load_str_with("f", &text, options).unwrap();
    let mut out = Vec::new();
    for doc in docs {
        let value = doc.value.to_json();
        if doc.kind() == "List" {
            out.extend(value["items"].as_array().unwrap().iter().cloned());
        } else {
            out.push(value);
        }
    }
    out
}

/// Runs `explain llm -n serving -o json` against the fixture server holding the scenario.
pub fn live(name: &str) -> (Value, FixtureApiServer) {
    let server = FixtureApiServer::start(objects(name));
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "llm", "-n", "serving", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (serde_json::from_slice(&output.stdout).unwrap(), server)
}

/// Runs `explain llm -o json --from-file` on the scenario file.
pub fn offline(name: &str) -> Value {
    let output = cli()
        .args(["explain", "llm", "-o", "json", "--from-file"])
        .arg(fixture(&format!("explain/{name}.yaml")))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Both ways, checked by the same assertions; live also reads the exact metric value.
fn both(name: &str, check: impl Fn(&Value)) {
    let (report, server) = live(name);
    check(&report);
    for trigger in report["triggers"].as_array().unwrap() {
        assert_eq!(trigger["valueSource"], "externalMetricsApi", "{trigger}");
    }
    let metric_reads = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/apis/external.metrics.k8s.io/"))
        .count();
    assert_eq!(metric_reads, report["triggers"].as_array().unwrap().len());
    let report = offline(name);
    check(&report);
}

fn replicas(report: &Value) -> (i64, i64, i64, i64) {
    let r = &report["replicas"];
    let n = |k: &str| r[k].as_i64().unwrap();
    (n("current"), n("desired"), n("min"), n("max"))
}

fn binding(report: &Value) -> &str {
    report["limits"][0]["kind"].as_str().unwrap_or("none")
}

#[test]
fn steady_state_within_tolerance() {
    both("steady", |r| {
        assert_eq!(r["version"], "kubectl-infer/v1alpha1");
        assert_eq!(
            r["cause"],
            "steady at 3: s0-prometheus is within tolerance of its target (ratio 1.033)"
        );
        assert_eq!(replicas(r), (3, 3, 1, 8));
        let t = &r["triggers"][0];
        assert_eq!(t["value"], 31.0);
        assert_eq!(t["target"], 10.0);
        assert_eq!(t["withinTolerance"], true);
        assert_eq!(t["proposedReplicas"], 3);
        assert_eq!(r["limits"], serde_json::json!([]));
        assert!(!r["steps"].as_array().unwrap().is_empty());
    });
}

#[test]
fn scale_up_capped_by_policy() {
    both("scale-up-policy", |r| {
        assert_eq!(
            r["cause"],
            "scale-up capped at 4 by a scale-up policy (60s period); the metrics ask for 10"
        );
        assert_eq!(replicas(r), (2, 4, 1, 8));
        assert_eq!(binding(r), "scaleUpPolicy");
        assert_eq!(r["limits"][0]["limit"], 4);
        assert_eq!(r["triggers"][0]["proposedReplicas"], 10);
    });
}

#[test]
fn scale_down_held_by_stabilization_window() {
    both("scale-down-stabilized", |r| {
        assert_eq!(
            r["cause"],
            "scale-down stabilized until 14:05:12 UTC (window 300s, history rebuilt from \
             rescale events): held at 8 while the metrics ask for 3"
        );
        assert_eq!(r["limits"][0]["history"], "rescaleEvents");
        assert_eq!(replicas(r), (8, 8, 1, 8));
        assert_eq!(binding(r), "scaleDownStabilized");
        assert_eq!(r["limits"][0]["until"], "2026-12-03T14:05:12Z");
        assert_eq!(r["triggers"][0]["proposedReplicas"], 3);
        assert_eq!(r["events"][0]["reason"], "SuccessfulRescale");
    });
}

#[test]
fn held_at_max_replica_count() {
    both("at-max", |r| {
        assert_eq!(
            r["cause"],
            "held at 8 by maxReplicaCount (the metrics ask for 20)"
        );
        assert_eq!(replicas(r), (8, 8, 1, 8));
        assert_eq!(binding(r), "maxReplicas");
        assert_eq!(r["triggers"][0]["value"], 200.0);
        assert_eq!(r["triggers"][0]["proposedReplicas"], 20);
    });
}

#[test]
fn keda_inactive_in_cooldown() {
    both("cooldown", |r| {
        assert_eq!(
            r["cause"],
            "no trigger is active, KEDA waits out the cooldown until 14:05:00 UTC (180s left \
             of 300s) before scaling to zero"
        );
        assert_eq!(binding(r), "kedaCooldown");
        assert_eq!(r["limits"][0]["remainingSeconds"], 180);
        assert_eq!(r["activation"]["active"], false);
        assert_eq!(r["triggers"][0]["active"], false);
        assert_eq!(r["replicas"]["current"], 1);
    });
}

#[test]
fn prometheus_failing_with_fallback() {
    both("fallback", |r| {
        assert_eq!(
            r["cause"],
            "trigger s0-prometheus is failing: fallback in effect, 6 replicas"
        );
        assert_eq!(replicas(r), (3, 6, 1, 8));
        assert_eq!(binding(r), "fallback");
        let failure = r["triggers"][0]["failure"].as_str().unwrap();
        assert!(failure.contains("connection refused"), "{failure}");
    });
}

#[test]
fn kueue_quota_exhausted_with_gated_pods() {
    both("kueue-gated", |r| {
        assert_eq!(
            r["cause"],
            "3 pods gated by Kueue: ClusterQueue gpu-h100 uses 16/16 nvidia.com/gpu"
        );
        assert_eq!(replicas(r), (8, 8, 1, 8));
        assert_eq!(r["replicas"]["ready"], 5);
        assert_eq!(r["pods"]["gated"], 3);
        let k = &r["kueue"];
        assert_eq!(k["localQueue"], "llm-queue");
        assert_eq!(k["clusterQueue"], "gpu-h100");
        assert_eq!(k["quota"][0]["used"], 16.0);
        assert_eq!(k["quota"][0]["nominal"], 16.0);
        let message = k["pendingMessage"].as_str().unwrap();
        assert!(
            message.contains("insufficient unused quota for nvidia.com/gpu"),
            "{message}"
        );
    });
}

#[test]
fn new_pods_not_ready_during_cold_start() {
    both("cold-start", |r| {
        assert_eq!(
            r["cause"],
            "3 of 6 pods not ready yet (still starting, e.g. loading model weights, the oldest \
             started 90s ago)"
        );
        assert_eq!(replicas(r), (6, 6, 1, 8));
        assert_eq!(r["pods"]["ready"], 3);
        assert_eq!(r["pods"]["starting"], 3);
    });
}

#[test]
fn two_triggers_the_second_wins() {
    both("two-triggers", |r| {
        assert_eq!(
            r["cause"],
            "5 replicas wanted by trigger kv-cache (s1-prometheus): value 0.95, target 0.8 (Value)"
        );
        assert_eq!(replicas(r), (4, 5, 1, 8));
        let (s0, s1) = (&r["triggers"][0], &r["triggers"][1]);
        assert_eq!(
            (s0["proposedReplicas"].as_i64(), s0["chosen"].as_bool()),
            (Some(2), Some(false))
        );
        assert_eq!(
            (s1["proposedReplicas"].as_i64(), s1["chosen"].as_bool()),
            (Some(5), Some(true))
        );
        assert_eq!(s1["name"], "kv-cache");
        assert_eq!(s1["ratio"], 1.1875);
    });
}

#[test]
fn the_table_names_the_cause_first() {
    let server = FixtureApiServer::start(objects("at-max"));
    let assert = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "llm", "-n", "serving", "--at", AT])
        .assert()
        .success()
        .stderr("");
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "ScaledObject serving/llm → Deployment/llm (HPA keda-hpa-llm)"
    );
    assert_eq!(lines[1], format!("At: {AT} (--at)"));
    assert_eq!(
        lines[2],
        "Replicas: 8 now, 8 desired (min 1, max 8), 8 ready"
    );
    assert_eq!(
        lines[3],
        "Why: held at 8 by maxReplicaCount (the metrics ask for 20)"
    );
    assert!(
        out.contains("s0-prometheus *  prometheus  s0-prometheus  200"),
        "{out}"
    );
}

#[test]
fn fractional_values_reach_the_engine_exactly() {
    both("milli-value", |r| {
        let t = &r["triggers"][0];
        assert_eq!(t["value"], 16.1);
        assert_eq!(t["target"], 0.1);
        // ceil(16100m / 100m) = 161, not ceil(16101m / 100m) = 162.
        assert_eq!(t["proposedReplicas"], 161);
        assert_eq!(replicas(r), (3, 6, 1, 1000));
        assert_eq!(binding(r), "legacyScaleUpLimit");
    });
}

/// The at-rest cause of `scaled-to-zero`, from KEDA's own status.
const AT_REST: &str = "at rest, scaled to zero: no trigger is active (KEDA's Active condition is \
                       False; the values are not observed at 0 replicas)";

#[test]
fn scaled_to_zero_at_rest_is_not_a_failure() {
    let report = offline("scaled-to-zero");
    assert_eq!(report["cause"], AT_REST);
    // The ScaledObject's minReplicaCount, not the floor of 1 KEDA gives its HPA.
    assert_eq!(replicas(&report), (0, 0, 0, 8));
    assert_eq!(binding(&report), "kedaAtRest");
    assert_eq!(report["activation"]["source"], "scaledObjectStatus");
    assert_eq!(report["activation"]["error"], false);
    let trigger = &report["triggers"][0];
    assert_eq!(trigger["failure"], Value::Null);
    assert_eq!(trigger["value"], Value::Null);
    assert_eq!(trigger["active"], false);
    assert_eq!(trigger["activitySource"], "scaledObjectStatus");
    assert_eq!(report["incomplete"], serde_json::json!([]));
    let causes = report["causes"].as_array().unwrap();
    assert!(
        causes
            .iter()
            .all(|c| !c.as_str().unwrap().contains("fails")),
        "{causes:?}"
    );
}

#[test]
fn scaled_to_zero_at_rest_under_all_namespaces() {
    let server = FixtureApiServer::start(objects("scaled-to-zero"));
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "-A", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["scaledObjects"][0]["cause"], AT_REST);
}

#[test]
fn cpu_triggers_reach_the_engine_from_the_hpa_status() {
    let check = |r: &Value| {
        assert_eq!(
            r["cause"],
            "5 replicas wanted by cpu: value 80%, target 50% (Utilization)"
        );
        assert_eq!(replicas(r), (3, 5, 1, 8));
        let cpu = &r["triggers"][1];
        assert_eq!(cpu["metricName"], "cpu");
        assert_eq!(cpu["metricType"], "Utilization");
        assert_eq!(cpu["value"], 80.0);
        assert_eq!(cpu["target"], 50.0);
        assert_eq!(cpu["valueSource"], "hpaStatus");
        assert_eq!(cpu["proposedReplicas"], 5);
        assert_eq!(cpu["chosen"], true);
        assert_eq!(cpu["active"], Value::Null);
        assert!(cpu["approximate"].as_str().is_some(), "{cpu}");
        assert_eq!(r["incomplete"], serde_json::json!([]));
    };
    check(&offline("cpu-trigger"));
    let (report, _server) = live("cpu-trigger");
    check(&report);
}

#[test]
fn a_cpu_trigger_without_a_reported_value_makes_the_decision_incomplete() {
    let mut objects = objects("cpu-trigger");
    for object in &mut objects {
        if object["kind"] == "HorizontalPodAutoscaler"
            && let Some(current) = object["status"]["currentMetrics"].as_array_mut()
        {
            current.retain(|m| m["type"] != "Resource");
        }
    }
    let server = FixtureApiServer::start(objects);
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "llm", "-n", "serving", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        r["cause"],
        "incomplete: cpu has no observed value: the HPA's proposal is at least 3, and may be \
         higher"
    );
    assert_eq!(r["triggers"][1]["proposedReplicas"], Value::Null);
    assert_eq!(r["incomplete"].as_array().unwrap().len(), 1);
}

#[test]
fn a_rounded_hpa_status_value_is_a_range_checked_against_the_hpa() {
    let report = offline("hpa-status-rounded");
    let t = &report["triggers"][0];
    assert_eq!(t["valueSource"], "hpaStatus");
    assert_eq!(t["valueRange"], serde_json::json!([9.001, 9.01]));
    // The HPA reported desiredReplicas 10 at 10 replicas: the top of the range (keep 10),
    // not the bottom (scale down to 9).
    assert_eq!(t["value"], 9.01);
    assert_eq!(t["proposedReplicas"], 10);
    assert_eq!(replicas(&report), (10, 10, 1, 20));
    let note = report["notes"][0].as_str().unwrap();
    assert!(
        note.contains("9 at the bottom, 10 at the top")
            && note.contains("desiredReplicas matches the top"),
        "{note}"
    );

    // Without the HPA's own outcome to go by, the bottom is taken and the note says so.
    let mut objects = objects("hpa-status-rounded");
    for object in &mut objects {
        if object["kind"] == "HorizontalPodAutoscaler" {
            object["status"]
                .as_object_mut()
                .unwrap()
                .remove("desiredReplicas");
        }
    }
    let server = FixtureApiServer::start(objects);
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "-n", "serving", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let report = &list["scaledObjects"][0];
    assert_eq!(report["replicas"]["desired"], 9);
    let note = report["notes"][0].as_str().unwrap();
    assert!(note.contains("taken at the likeliest value"), "{note}");
}

fn run_file(path: &std::path::Path, args: &[&str]) -> Value {
    let output = cli()
        .args(["explain", "-o", "json"])
        .args(args)
        .arg("--from-file")
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn metric_lists_that_do_not_name_their_scaled_object_are_not_guessed() {
    let path = fixture("explain/two-scaled-objects.yaml");
    let list = run_file(&path, &[]);
    let reports = list["scaledObjects"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    for (report, value) in [(&reports[0], 31.0), (&reports[1], 200.0)] {
        let t = &report["triggers"][0];
        assert_eq!(t["valueSource"], "hpaStatus", "{report}");
        assert_eq!(t["value"], value);
        let note = report["notes"][0].as_str().unwrap();
        assert!(
            note.contains("not used") && note.contains("selfLink"),
            "{note}"
        );
    }
    assert_eq!(reports[0]["replicas"]["desired"], 3);
    assert_eq!(reports[1]["replicas"]["desired"], 8);
}

#[test]
fn a_self_link_attributes_a_metric_list_in_a_dump() {
    let text = std::fs::read_to_string(fixture("explain/two-scaled-objects.yaml")).unwrap();
    let link = |ns: &str| {
        format!(
            "\"metadata\": {{\"selfLink\": \"/apis/external.metrics.k8s.io/v1beta1/namespaces/\
             {ns}/s0-prometheus?labelSelector=scaledobject.keda.sh%2Fname%3Dllm\"}}"
        )
    };
    let mut linked = String::new();
    let mut lists = 0;
    for line in text.lines() {
        if line.starts_with('{') && line.contains("ExternalMetricValueList") {
            let ns = if lists == 0 { "serving" } else { "team-b" };
            lists += 1;
            linked += &line.replace("\"metadata\": {}", &link(ns));
        } else {
            linked += line;
        }
        linked += "\n";
    }
    assert_eq!(lists, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.yaml");
    std::fs::write(&path, linked).unwrap();
    let list = run_file(&path, &[]);
    let reports = list["scaledObjects"].as_array().unwrap();
    for (report, value) in [(&reports[0], 31.0), (&reports[1], 200.0)] {
        let t = &report["triggers"][0];
        assert_eq!(t["valueSource"], "externalMetricsApi", "{report}");
        assert_eq!(t["value"], value);
        assert_eq!(report["notes"], serde_json::json!([]));
    }
}

#[test]
fn an_assumed_history_is_labelled_and_checked_against_the_hpa() {
    let mut objects = objects("scale-down-stabilized");
    objects.retain(|o| o["kind"] != "Event");
    for object in &mut objects {
        if object["kind"] == "HorizontalPodAutoscaler" {
            object["status"]["conditions"][0] = serde_json::json!({"type": "AbleToScale",
                "status": "True", "reason": "ReadyForNewScale",
                "message": "recommended size matches current size"});
        }
    }
    let server = FixtureApiServer::start(objects);
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "llm", "-n", "serving", "--at", AT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        r["cause"],
        "scale-down held at 8 by the stabilization window (300s) while the metrics ask for 3, \
         assumed: no rescale events are visible, so the controller is taken to remember only \
         the current count, as after a restart; but the HPA reported AbleToScale \
         ReadyForNewScale at its last sync, desiredReplicas 8"
    );
    let limit = &r["limits"][0];
    assert_eq!(limit["kind"], "scaleDownStabilized");
    assert_eq!(limit["history"], "assumed");
    // No "until": when an assumed recommendation leaves the window says nothing.
    assert_eq!(limit["until"], Value::Null);
}

//! Cluster checks on hand-made objects.

use serde_json::json;

use super::*;
use crate::validate::triggers::{MetricType, ObjectRef, TargetRef};

fn spec() -> TriggerSpec {
    TriggerSpec {
        object: ObjectRef {
            namespace: "serving".into(),
            name: "llama".into(),
            source: None,
        },
        target: TargetRef {
            kind: "Deployment".into(),
            name: "llama".into(),
        },
        name: "s0-prometheus".into(),
        query: "q".into(),
        threshold: 5.0,
        activation_threshold: 0.0,
        metric_type: MetricType::AverageValue,
        ignore_null_values: true,
        server_address: None,
        min_replicas: 1,
        max_replicas: 8,
        idle_replicas: None,
    }
}

fn deployment(queue: Option<&str>, gpus: u32) -> Value {
    let mut labels = serde_json::Map::new();
    if let Some(queue) = queue {
        labels.insert(QUEUE_LABEL.into(), queue.into());
    }
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "llama", "namespace": "serving", "labels": labels},
        "spec": {
            "selector": {"matchLabels": {"app": "llama"}},
            "template": {"spec": {"containers": [
                {"name": "vllm", "resources": {"limits": {"nvidia.com/gpu": gpus}}}
            ]}}
        }
    })
}

fn queues(active: &str, quota: u64) -> Vec<Value> {
    let cond = json!([{"type": "Active", "status": active, "reason": "Ready", "message": "ok"}]);
    vec![
        json!({"kind": "LocalQueue", "metadata": {"name": "team-a", "namespace": "serving"},
               "spec": {"clusterQueue": "gpus"}, "status": {"conditions": cond}}),
        json!({"kind": "ClusterQueue", "metadata": {"name": "gpus"},
               "spec": {"resourceGroups": [{"coveredResources": ["nvidia.com/gpu"],
                 "flavors": [{"name": "h100", "resources": [
                   {"name": "nvidia.com/gpu", "nominalQuota": quota}]}]}]},
               "status": {"conditions": cond}}),
    ]
}

fn facts(objects: Vec<Value>) -> ClusterFacts {
    let mut set = ObjectSet::default();
    for object in objects {
        set.push(object);
    }
    set.kueue_installed = true;
    ClusterFacts {
        url: "https://k8s".into(),
        keda_installed: true,
        metrics_api: MetricsApi::Missing,
        objects: set,
    }
}

#[test]
fn queues_that_exist_are_active_and_cover_max_replicas_pass() {
    let mut objects = queues("True", 8);
    objects.push(deployment(Some("team-a"), 1));
    let rows = object_checks(&facts(objects), &spec());
    assert_eq!(
        rows[0].detail,
        "Deployment serving/llama exists; 1 nvidia.com/gpu per pod, up to 8 at maxReplicaCount 8"
    );
    assert_eq!(rows[1].status, Status::Ok, "{}", rows[1].detail);
    assert!(
        rows[1].detail.ends_with("nvidia.com/gpu quota 8 covers 8"),
        "{}",
        rows[1].detail
    );
}

#[test]
fn short_quota_inactive_or_missing_queues_are_reported() {
    let mut objects = queues("True", 4);
    objects.push(deployment(Some("team-a"), 1));
    let rows = object_checks(&facts(objects), &spec());
    assert_eq!(rows[1].status, Status::Warn);
    assert!(
        rows[1]
            .detail
            .contains("quota 4 is below maxReplicaCount × GPUs = 8")
    );

    let mut objects = queues("False", 8);
    objects.push(deployment(Some("team-a"), 1));
    let rows = object_checks(&facts(objects), &spec());
    assert_eq!(
        (rows[1].status, rows[1].detail.as_str()),
        (
            Status::Fail,
            "LocalQueue serving/team-a is not active: Ready: ok"
        )
    );

    let rows = object_checks(&facts(vec![deployment(Some("team-b"), 1)]), &spec());
    assert_eq!(rows[1].detail, "LocalQueue serving/team-b not found");

    let rows = object_checks(&facts(vec![]), &spec());
    assert_eq!(
        (rows[0].status, rows[0].detail.as_str()),
        (Status::Fail, "Deployment serving/llama not found")
    );
}

#[test]
fn the_metrics_api_must_be_keda_and_available() {
    let keda = json!({"spec": {"service": {"namespace": "keda", "name": "keda-operator-metrics-apiserver"}},
                      "status": {"conditions": [{"type": "Available", "status": "False",
                        "reason": "FailedDiscoveryCheck", "message": "no response"}]}});
    let mut f = facts(vec![]);
    f.metrics_api = MetricsApi::Found(keda);
    let rows = cluster_checks(&f, false);
    assert_eq!(rows[1].status, Status::Fail);
    assert!(
        rows[1]
            .detail
            .ends_with("is not Available: FailedDiscoveryCheck: no response"),
        "{}",
        rows[1].detail
    );

    let adapter =
        json!({"spec": {"service": {"namespace": "monitoring", "name": "prometheus-adapter"}}});
    f.metrics_api = MetricsApi::Found(adapter);
    let rows = cluster_checks(&f, false);
    assert!(
        rows[1]
            .detail
            .contains("served by monitoring/prometheus-adapter, not KEDA")
    );

    f.objects.kueue_installed = false;
    let rows = cluster_checks(&f, true);
    assert_eq!(rows[2].status, Status::Fail);
}

#[test]
fn pods_are_found_by_the_selector() {
    let pod = |name: &str, app: &str| {
        json!({"kind": "Pod",
        "metadata": {"name": name, "namespace": "serving", "labels": {"app": app}}})
    };
    let f = facts(vec![pod("llama-1", "llama"), pod("other-1", "other")]);
    let pods = pods_of(&f.objects, &deployment(None, 1), "serving");
    assert_eq!(pods.into_iter().collect::<Vec<_>>(), ["llama-1"]);
}

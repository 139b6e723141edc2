//! `validate --cluster` against the fixture API server: KEDA and its metrics APIService, Kueue,
//! targets and queues; with the real Prometheus, DCGM mapped through the cluster's own pods.

use serde_json::{Value, json};

use super::{Run, manifest, row, scaled_object, validate, verdict};
use crate::support::apiserver::FixtureApiServer;
use crate::support::exporters::{Gpu, Vllm};
use crate::support::prometheus::lab;

const POD: &str = "llama-5d8c7b9f4-k8k8k";

fn scaled_object_json(namespace: &str, query: &str) -> Value {
    json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": {"name": "llama", "namespace": namespace},
        "spec": {
            "scaleTargetRef": {"name": "llama"},
            "minReplicaCount": 1, "maxReplicaCount": 8,
            "triggers": [{"type": "prometheus", "metadata": {
                "serverAddress": "http://prometheus.monitoring:9090",
                "query": query, "threshold": "5"}}]
        }
    })
}

fn workload(namespace: &str, gpus: u32) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "llama", "namespace": namespace,
                         "labels": {"kueue.x-k8s.io/queue-name": "team-a"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "llama"}},
                     "template": {"metadata": {"labels": {"app": "llama"}},
                                  "spec": {"containers": [{"name": "vllm",
                                    "resources": {"limits": {"nvidia.com/gpu": gpus}}}]}}}
        }),
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": POD, "namespace": namespace, "labels": {"app": "llama"}},
            "status": {"phase": "Running"}
        }),
    ]
}

fn queues(namespace: &str, quota: u32) -> Vec<Value> {
    let active = json!([{"type": "Active", "status": "True", "reason": "Ready",
                         "message": "Can submit new workloads"}]);
    vec![
        json!({"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "LocalQueue",
               "metadata": {"name": "team-a", "namespace": namespace},
               "spec": {"clusterQueue": "gpu-h100"}, "status": {"conditions": active}}),
        json!({"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "ClusterQueue",
               "metadata": {"name": "gpu-h100"},
               "spec": {"resourceGroups": [{"coveredResources": ["nvidia.com/gpu"],
                 "flavors": [{"name": "h100", "resources": [
                   {"name": "nvidia.com/gpu", "nominalQuota": quota}]}]}]},
               "status": {"conditions": active}}),
    ]
}

fn metrics_api() -> Value {
    json!({
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
        "metadata": {"name": "v1beta1.external.metrics.k8s.io"},
        "spec": {"group": "external.metrics.k8s.io", "version": "v1beta1",
                 "service": {"name": "keda-operator-metrics-apiserver", "namespace": "keda"}},
        "status": {"conditions": [{"type": "Available", "status": "True", "reason": "Passed"}]}
    })
}

fn ready_cluster(namespace: &str, query: &str, quota: u32) -> FixtureApiServer {
    let mut objects = vec![scaled_object_json(namespace, query), metrics_api()];
    objects.extend(workload(namespace, 1));
    objects.extend(queues(namespace, quota));
    FixtureApiServer::start(objects)
}

fn run_cluster(server: &FixtureApiServer, namespace: &str, extra: &[&str]) -> Run {
    let kubeconfig = server.kubeconfig().to_str().unwrap().to_string();
    let mut args = vec![
        "--cluster",
        "--kubeconfig",
        &kubeconfig,
        "-n",
        namespace,
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    validate(&args)
}

#[test]
fn a_ready_cluster_passes_every_cluster_check() {
    let server = ready_cluster("serving", "sum(vllm:num_requests_waiting)", 8);

    let run = run_cluster(&server, "serving", &[]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    assert_eq!(checks.len(), 5, "{checks:#?}");
    for check in &checks {
        assert_eq!(check["status"], "OK", "{check:#}");
    }
    assert_eq!(
        verdict(row(&checks, "serving/llama", None, "target")).1,
        "Deployment serving/llama exists; 1 nvidia.com/gpu per pod, up to 8 at maxReplicaCount 8"
    );
    assert_eq!(
        verdict(row(&checks, "serving/llama", None, "queue")).1,
        "LocalQueue team-a → ClusterQueue gpu-h100, both active; nvidia.com/gpu quota 8 covers 8"
    );
    let keda: Vec<&str> = checks
        .iter()
        .filter(|c| c["check"] == "keda")
        .map(|c| c["detail"].as_str().unwrap())
        .collect();
    assert!(
        keda[1].ends_with("(keda/keda-operator-metrics-apiserver) is Available"),
        "{keda:?}"
    );
    // One LIST per kind whatever the number of objects, plus discovery and one APIService GET.
    assert!(
        server.request_count() <= 16,
        "{} requests",
        server.request_count()
    );
}

#[test]
fn missing_pieces_fail_their_checks() {
    let server = ready_cluster("serving", "sum(up)", 4);
    server.fail("apiservices", 403, "apiservices is forbidden");
    let run = run_cluster(&server, "serving", &[]);
    assert_eq!(run.code, 0, "warnings only: {}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let (status, detail) = verdict(row(&checks, "serving/llama", None, "queue"));
    assert_eq!(status, "WARN");
    assert!(
        detail.contains("quota 4 is below maxReplicaCount × GPUs = 8"),
        "{detail}"
    );
    let unreadable = checks
        .iter()
        .find(|c| c["detail"].as_str().unwrap().contains("cannot read"));
    assert_eq!(
        unreadable.map(|c| c["status"].as_str().unwrap()),
        Some("WARN")
    );

    let mut objects = vec![scaled_object_json("serving", "sum(up)")];
    objects.extend(workload("serving", 1));
    let server = FixtureApiServer::start(objects);
    let run = run_cluster(&server, "serving", &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    assert_eq!(
        verdict(row(&checks, "serving/llama", None, "queue")),
        ("FAIL", "LocalQueue serving/team-a not found")
    );
    let missing_api = checks
        .iter()
        .find(|c| c["detail"].as_str().unwrap().starts_with("no APIService"));
    assert_eq!(
        missing_api.map(|c| c["status"].as_str().unwrap()),
        Some("FAIL")
    );
}

#[test]
fn keda_missing_is_a_failed_check_for_manifests_from_files() {
    let server = ready_cluster("serving", "sum(up)", 8);
    server.remove_api_group("keda.sh");
    let so = scaled_object("serving", "llama", "", &[("sum(up)", "threshold: '5'")]);
    let (_dir, path) = manifest(&[so]);

    let run = run_cluster(&server, "serving", &[path.to_str().unwrap()]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let keda = checks.iter().find(|c| c["check"] == "keda").unwrap();
    assert_eq!(keda["status"], "FAIL");
    assert!(
        keda["detail"]
            .as_str()
            .unwrap()
            .starts_with("KEDA is not installed"),
        "{keda}"
    );
    // Kueue, the target and its queue are read and checked all the same.
    assert_eq!(
        verdict(row(&checks, "cluster", None, "kueue")),
        ("OK", "kueue.x-k8s.io is served")
    );
    assert_eq!(
        verdict(row(&checks, "serving/llama", None, "target")).0,
        "OK"
    );
    // The file's ScaledObject keeps KEDA's default maxReplicaCount of 100.
    assert_eq!(
        verdict(row(&checks, "serving/llama", None, "queue")),
        (
            "WARN",
            "LocalQueue team-a → ClusterQueue gpu-h100, both active; its nvidia.com/gpu quota 8 \
             is below maxReplicaCount × GPUs = 100: pods beyond it stay gated"
        )
    );
}

#[test]
fn an_unreachable_or_refusing_cluster_exits_3() {
    let server = ready_cluster("serving", "sum(up)", 8);
    server.fail("scaledobjects", 401, "Unauthorized");
    let run = run_cluster(&server, "serving", &[]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("401"), "{}", run.stderr);

    // Keep a copy of the kubeconfig: the server's own goes with it.
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::copy(server.kubeconfig(), &kubeconfig).unwrap();
    drop(server);
    let run = validate(&["--cluster", "--kubeconfig", kubeconfig.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn live_pods_map_dcgm_series_and_prometheus_runs_the_cluster_triggers() {
    let lab = lab();
    let ns = "t-cluster";
    Vllm {
        namespace: ns,
        pod: POD,
        model: "llama",
        waiting: 4.0,
        running: 1.0,
        kv_cache: 0.5,
    }
    .publish(&lab.servers);
    Gpu {
        index: "0",
        uuid: "GPU-dddd-cluster",
        pod: Some((ns, POD, "vllm")),
        util: 33.0,
    }
    .publish(&lab.dcgm_k8s);
    let query = "sum(vllm:num_requests_waiting{namespace=\"t-cluster\"})";
    lab.wait_for(query, &[4.0]);
    lab.wait_for(
        "count(DCGM_FI_DEV_GPU_UTIL{namespace=\"t-cluster\"})",
        &[1.0],
    );
    let server = ready_cluster(ns, query, 8);

    let run = run_cluster(
        &server,
        ns,
        &["--prometheus", &lab.url, "--dcgm-match", "job=\"dcgm-k8s\""],
    );

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let value = row(&checks, "t-cluster/llama", Some("s0-prometheus"), "value");
    assert_eq!(value["data"]["value"], 4.0);
    assert!(
        value.get("source").is_none(),
        "cluster objects have no file: {value}"
    );
    assert_eq!(
        verdict(row(&checks, "t-cluster/llama", None, "dcgm")),
        (
            "OK",
            "1 pod(s) with 1 GPU(s) each in DCGM_FI_DEV_GPU_UTIL (via pod); utilization 33..33"
        )
    );
}

#[test]
fn all_namespaces_covers_every_scaled_object() {
    let mut objects = vec![
        scaled_object_json("team-a", "sum(up)"),
        scaled_object_json("team-b", "sum(up)"),
        metrics_api(),
    ];
    objects.extend(workload("team-a", 1));
    objects.extend(queues("team-a", 8));
    let server = FixtureApiServer::start(objects);
    let kubeconfig = server.kubeconfig().to_str().unwrap().to_string();

    let run = validate(&["--cluster", "-A", "--kubeconfig", &kubeconfig, "-o", "json"]);

    assert_eq!(
        run.code, 1,
        "team-b's target is missing: {}{}",
        run.stdout, run.stderr
    );
    let checks = run.checks();
    assert_eq!(
        verdict(row(&checks, "team-a/llama", None, "target")).0,
        "OK"
    );
    assert_eq!(
        verdict(row(&checks, "team-b/llama", None, "target")),
        ("FAIL", "Deployment team-b/llama not found")
    );
}

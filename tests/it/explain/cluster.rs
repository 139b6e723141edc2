//! Cluster access (`sources::cluster`) through the real kube client against the fixture API
//! server: kubeconfig handling, one LIST per kind, and the error messages and exit codes.

use std::time::Duration;

use clap::Parser;
use kubectl_infer::cli::Cli;
use kubectl_infer::exit::{self, Exit};
use kubectl_infer::sources::cluster::{self, Scope, snapshot};
use kubectl_infer::sources::objects::MetricLookup;
use serde_json::{Value, json};

use crate::support::apiserver::FixtureApiServer;

fn global(args: &[&str]) -> kubectl_infer::cli::GlobalArgs {
    let mut argv = vec!["kubectl-infer"];
    argv.extend_from_slice(args);
    argv.push("explain");
    Cli::try_parse_from(argv).expect("flags parse").global
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    kubectl_infer::install_crypto_provider();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn scaled_object(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
           "metadata": {"name": name, "namespace": ns},
           "spec": {"scaleTargetRef": {"name": name}, "triggers": []}})
}

fn pod(ns: &str, name: &str, app: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
           "status": {"phase": "Running"}})
}

fn snapshot_of(
    server: &FixtureApiServer,
    extra: &[&str],
) -> anyhow::Result<kubectl_infer::sources::objects::ObjectSet> {
    let kubeconfig = server.kubeconfig().to_str().unwrap().to_string();
    let mut args = vec!["--kubeconfig", kubeconfig.as_str()];
    args.extend_from_slice(extra);
    let global = global(&args);
    block_on(async {
        let cluster = cluster::connect(&global).await?;
        let namespace = cluster.resolve_namespace(&global);
        let scope = Scope::from_flags(global.all_namespaces, &namespace);
        snapshot::read(&cluster, &scope).await
    })
}

#[test]
fn snapshot_lists_each_kind_once_in_the_context_namespace() {
    let server = FixtureApiServer::start(vec![
        scaled_object("default", "a"),
        scaled_object("other", "b"),
        pod("default", "a-1", "a"),
        pod("other", "b-1", "b"),
    ]);
    let set = snapshot_of(&server, &[]).unwrap();
    assert_eq!(set.of_kind("ScaledObject").count(), 1);
    assert_eq!(set.of_kind("Pod").count(), 1);
    assert!(set.find("Pod", Some("default"), "a-1").is_some());
    // LIST items come back without apiVersion/kind; the reader fills them in.
    assert_eq!(set.of_kind("Pod").next().unwrap()["apiVersion"], "v1");
    assert!(set.kueue_installed);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.contains(&"/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects".into()));
    assert!(paths.contains(&"/apis/kueue.x-k8s.io/v1beta2/clusterqueues".into()));
    // scaledobjects, hpas, pods, deployments, statefulsets, 2 x events, kueue discovery,
    // workloads, localqueues, clusterqueues.
    assert_eq!(server.request_count(), 11, "{paths:?}");
}

#[test]
fn all_namespaces_costs_the_same_number_of_requests() {
    let mut objects = Vec::new();
    for i in 0..50 {
        objects.push(scaled_object(&format!("ns{i}"), &format!("so{i}")));
    }
    let server = FixtureApiServer::start(objects);
    server.remove_api_group("kueue.x-k8s.io");
    let set = snapshot_of(&server, &["-A"]).unwrap();
    assert_eq!(set.of_kind("ScaledObject").count(), 50);
    assert!(!set.kueue_installed);
    assert_eq!(server.request_count(), 8);
}

fn many_pods() -> FixtureApiServer {
    let mut objects = vec![scaled_object("serving", "llm")];
    for i in 0..1200 {
        objects.push(pod(&format!("ns{}", i % 7), &format!("p{i}"), "x"));
    }
    let server = FixtureApiServer::start(objects);
    server.remove_api_group("kueue.x-k8s.io");
    server
}

#[test]
fn large_lists_are_one_request_by_default() {
    let server = many_pods();
    let set = snapshot_of(&server, &["-A"]).unwrap();
    assert_eq!(set.of_kind("Pod").count(), 1200);
    let lists: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/pods")
        .collect();
    assert_eq!(lists.len(), 1);
    assert!(!lists[0].query.iter().any(|(k, _)| k == "limit"));
    assert_eq!(server.request_count(), 8);
}

#[test]
fn chunk_size_reads_large_lists_in_pages() {
    let server = many_pods();
    let set = snapshot_of(&server, &["-A", "--chunk-size", "500"]).unwrap();
    assert_eq!(set.of_kind("Pod").count(), 1200);
    let pages: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/pods")
        .collect();
    assert_eq!(pages.len(), 3);
    assert!(
        pages
            .iter()
            .all(|r| r.query.contains(&("limit".into(), "500".into())))
    );
    let tokens: Vec<Option<&str>> = pages
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "continue")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    assert_eq!(tokens, [None, Some("offset-500"), Some("offset-1000")]);
    // Every other kind fits in one page: 7 LISTs and Kueue's discovery, + 2 pages of pods.
    assert_eq!(server.request_count(), 10);
}

#[test]
fn flag_namespace_beats_the_context_namespace() {
    let server = FixtureApiServer::start(vec![scaled_object("team", "x")]);
    let kubeconfig = server.kubeconfig_with_namespace("team");
    let global = global(&["--kubeconfig", kubeconfig.to_str().unwrap()]);
    let (from_context, from_flag) = block_on(async {
        let cluster = cluster::connect(&global).await.unwrap();
        let mut flagged = global.clone();
        flagged.namespace = Some("prod".into());
        (
            cluster.resolve_namespace(&global),
            cluster.resolve_namespace(&flagged),
        )
    });
    assert_eq!(from_context, "team");
    assert_eq!(from_flag, "prod");
}

fn error_of(result: anyhow::Result<kubectl_infer::sources::objects::ObjectSet>) -> (Exit, String) {
    let error = result.unwrap_err();
    (exit::exit_for(&error), exit::one_line(&error))
}

#[test]
fn forbidden_names_verb_resource_namespace_and_the_reader_role() {
    let server = FixtureApiServer::start(vec![]);
    server.fail(
        "/pods",
        403,
        "pods is forbidden: User \"dev\" cannot list resource \"pods\"",
    );
    let (code, message) = error_of(snapshot_of(&server, &["-n", "serving"]));
    assert_eq!(code, Exit::Cluster);
    assert!(
        message.contains("403 Forbidden: cannot list pods in namespace serving"),
        "{message}"
    );
    assert!(
        message.contains("the ClusterRole that `kubectl infer generate --rbac` prints"),
        "{message}"
    );
}

#[test]
fn unauthorized_is_a_cluster_error() {
    let server = FixtureApiServer::start(vec![]);
    server.fail("", 401, "Unauthorized");
    let (code, message) = error_of(snapshot_of(&server, &["-A"]));
    assert_eq!(code, Exit::Cluster);
    assert_eq!(
        message,
        format!(
            "401 Unauthorized: the API server at {} rejected the credentials, so it cannot list \
             scaledobjects.keda.sh in all namespaces: Unauthorized; log in again or refresh the \
             token (an expired token, a revoked certificate or an exec plugin that failed; e.g. \
             re-run your cloud's get-credentials command)",
            server.url()
        )
    );
    // Credentials that were refused are not a missing role.
    assert!(!message.contains("--rbac"), "{message}");
}

#[test]
fn missing_keda_is_named() {
    let server = FixtureApiServer::start(vec![]);
    server.remove_api_group("keda.sh");
    let (code, message) = error_of(snapshot_of(&server, &[]));
    assert_eq!(code, Exit::Cluster);
    assert_eq!(
        message,
        format!(
            "KEDA is not installed (no scaledobjects.keda.sh at {})",
            server.url()
        )
    );
}

#[test]
fn a_slow_server_times_out_with_the_url() {
    let server = FixtureApiServer::start(vec![]);
    server.delay("", Duration::from_secs(3));
    let (code, message) = error_of(snapshot_of(&server, &["--request-timeout", "300ms"]));
    assert_eq!(code, Exit::Cluster);
    assert!(message.contains(&server.url()), "{message}");
    assert!(message.contains("did not answer within 300ms"), "{message}");
}

#[test]
fn an_unreachable_server_is_named() {
    let server = FixtureApiServer::start(vec![]);
    let kubeconfig = server.kubeconfig().to_path_buf();
    let url = server.url();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("kubeconfig");
    std::fs::write(&copy, text).unwrap();
    drop(server);
    let global = global(&[
        "--kubeconfig",
        copy.to_str().unwrap(),
        "--request-timeout",
        "5s",
    ]);
    let error = block_on(async {
        let cluster = cluster::connect(&global).await?;
        snapshot::read(&cluster, &Scope::All).await
    })
    .unwrap_err();
    let message = exit::one_line(&error);
    assert_eq!(exit::exit_for(&error), Exit::Cluster);
    assert!(
        message.starts_with(&format!("cannot reach the API server at {url}")),
        "{message}"
    );
}

#[test]
fn external_metrics_are_read_with_the_scaled_object_selector() {
    let metrics = json!({"kind": "ExternalMetricValueList",
        "apiVersion": "external.metrics.k8s.io/v1beta1", "metadata": {"namespace": "serving"},
        "items": [{"metricName": "s0-prometheus", "value": "1500m",
                   "metricLabels": {"scaledobject.keda.sh/name": "llm"}}]});
    let server = FixtureApiServer::start(vec![metrics]);
    let global = global(&["--kubeconfig", server.kubeconfig().to_str().unwrap()]);
    let query = |so: &str, metric: &str| snapshot::MetricQuery {
        namespace: "serving".into(),
        scaled_object: so.into(),
        metric_name: metric.into(),
    };
    let set = block_on(async {
        let cluster = cluster::connect(&global).await.unwrap();
        let mut set = Default::default();
        let queries = [
            query("llm", "s0-prometheus"),
            query("other", "s0-prometheus"),
        ];
        snapshot::read_external_metrics(&cluster, &queries, &mut set)
            .await
            .unwrap();
        set
    });
    let MetricLookup::Found(sample) = set.external_metric("serving", "llm", "s0-prometheus") else {
        panic!("no value for serving/llm");
    };
    assert_eq!(sample.value, "1500m");
    assert_eq!(
        set.external_metric("serving", "other", "s0-prometheus"),
        MetricLookup::Missing
    );
    let last = server.requests().pop().unwrap();
    assert!(
        last.path.ends_with("/namespaces/serving/s0-prometheus"),
        "{last:?}"
    );
    assert!(
        last.query.contains(&(
            "labelSelector".into(),
            "scaledobject.keda.sh/name=other".into()
        )),
        "{last:?}"
    );
}

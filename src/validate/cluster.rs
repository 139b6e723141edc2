//! The cluster checks of `validate --cluster`: KEDA installed with its external metrics
//! APIService available, Kueue installed, each target present and requesting GPUs, and its
//! LocalQueue and ClusterQueue present and active. Pure: the objects come in as an
//! [`ObjectSet`] read by `sources::cluster`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::triggers::{self, TriggerSpec};
use super::{CheckName, CheckResult, Status};
use crate::sources::objects::{ObjectSet, name_of, namespace_of, str_at};

/// The label Kueue reads on a Deployment or StatefulSet (and their pods).
pub const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";
/// The APIService through which the HPA reads KEDA's metrics.
pub const METRICS_API_SERVICE: &str = "v1beta1.external.metrics.k8s.io";
/// The GPU resource name.
pub const GPU: &str = "nvidia.com/gpu";

/// What the cluster answered about the external metrics APIService.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricsApi {
    /// The APIService object.
    Found(Value),
    /// No such APIService.
    Missing,
    /// It could not be read (e.g. 403); the message says why.
    Unreadable(String),
}

/// Everything the cluster checks look at.
#[derive(Debug, Clone)]
pub struct ClusterFacts {
    /// The API server URL, for messages.
    pub url: String,
    /// Whether `scaledobjects.keda.sh` is served.
    pub keda_installed: bool,
    /// The external metrics APIService.
    pub metrics_api: MetricsApi,
    /// The objects read (without ScaledObjects and HPAs when KEDA is not installed).
    pub objects: ObjectSet,
}

/// The result row for a cluster-wide subject.
fn cluster_row(check: CheckName, status: Status, detail: String) -> CheckResult {
    CheckResult {
        object: "cluster".to_string(),
        source: None,
        trigger: None,
        check,
        status,
        detail,
        data: serde_json::Map::new(),
    }
}

/// The cluster-wide rows: KEDA and its metrics API, and Kueue.
pub fn cluster_checks(facts: &ClusterFacts, uses_queues: bool) -> Vec<CheckResult> {
    let mut out = Vec::new();
    if facts.keda_installed {
        let detail = format!("scaledobjects.keda.sh is served by {}", facts.url);
        out.push(cluster_row(CheckName::Keda, Status::Ok, detail));
    } else {
        let detail = format!(
            "KEDA is not installed: no scaledobjects.keda.sh at {}",
            facts.url
        );
        out.push(cluster_row(CheckName::Keda, Status::Fail, detail));
    }
    out.push(metrics_api_row(&facts.metrics_api));
    out.push(kueue_row(facts.objects.kueue_installed, uses_queues));
    out
}

fn metrics_api_row(api: &MetricsApi) -> CheckResult {
    let (status, detail) = match api {
        MetricsApi::Missing => (
            Status::Fail,
            format!("no APIService {METRICS_API_SERVICE}: the HPA cannot read KEDA's metrics"),
        ),
        MetricsApi::Unreadable(why) => (
            Status::Warn,
            format!("cannot read APIService {METRICS_API_SERVICE}: {why}"),
        ),
        MetricsApi::Found(service) => found_metrics_api(service),
    };
    cluster_row(CheckName::Keda, status, detail)
}

fn found_metrics_api(service: &Value) -> (Status, String) {
    let backend = format!(
        "{}/{}",
        str_at(service, "/spec/service/namespace").unwrap_or("?"),
        str_at(service, "/spec/service/name").unwrap_or("?")
    );
    if !backend.contains("keda") {
        let detail = format!(
            "APIService {METRICS_API_SERVICE} is served by {backend}, not KEDA: KEDA's \
             triggers never reach the HPA"
        );
        return (Status::Fail, detail);
    }
    match condition(service, "Available") {
        Some(("True", _)) => (
            Status::Ok,
            format!("APIService {METRICS_API_SERVICE} ({backend}) is Available"),
        ),
        Some((_, why)) => (
            Status::Fail,
            format!("APIService {METRICS_API_SERVICE} ({backend}) is not Available: {why}"),
        ),
        None => (
            Status::Warn,
            format!("APIService {METRICS_API_SERVICE} ({backend}) reports no Available condition"),
        ),
    }
}

fn kueue_row(installed: bool, uses_queues: bool) -> CheckResult {
    match (installed, uses_queues) {
        (true, _) => cluster_row(
            CheckName::Kueue,
            Status::Ok,
            "kueue.x-k8s.io is served".to_string(),
        ),
        (false, true) => cluster_row(
            CheckName::Kueue,
            Status::Fail,
            format!("Kueue is not installed, yet a target carries {QUEUE_LABEL}"),
        ),
        (false, false) => cluster_row(
            CheckName::Kueue,
            Status::Warn,
            "Kueue is not installed: no GPU quota is enforced".to_string(),
        ),
    }
}

/// `(status, "reason: message")` of the condition `kind` of an object.
fn condition<'a>(object: &'a Value, kind: &str) -> Option<(&'a str, String)> {
    let conditions = object.pointer("/status/conditions")?.as_array()?;
    let found = conditions.iter().find(|c| c["type"] == kind)?;
    let status = found["status"].as_str().unwrap_or("Unknown");
    let reason = found["reason"].as_str().unwrap_or("");
    let message = found["message"].as_str().unwrap_or("");
    Some((
        status,
        format!("{reason}: {message}")
            .trim_matches([':', ' '])
            .to_string(),
    ))
}

/// The scale target of a trigger's ScaledObject, as the cluster has it.
pub fn target<'a>(facts: &'a ClusterFacts, spec: &TriggerSpec) -> Option<&'a Value> {
    facts.objects.find(
        &spec.target.kind,
        Some(&spec.object.namespace),
        &spec.target.name,
    )
}

/// Whether the target carries the Kueue queue label.
pub fn queue_name(workload: &Value) -> Option<&str> {
    let label = crate::model::manifest::escape_pointer(QUEUE_LABEL);
    str_at(workload, &format!("/metadata/labels/{label}"))
        .or_else(|| str_at(workload, &format!("/spec/template/metadata/labels/{label}")))
}

/// The per-object rows: the target, then its queues.
pub fn object_checks(facts: &ClusterFacts, spec: &TriggerSpec) -> Vec<CheckResult> {
    let row = |check, status, detail: String| {
        CheckResult::for_object(&spec.object, check, status, detail)
    };
    let what = format!(
        "{} {}/{}",
        spec.target.kind, spec.object.namespace, spec.target.name
    );
    let Some(workload) = target(facts, spec) else {
        return vec![row(
            CheckName::Target,
            Status::Fail,
            format!("{what} not found"),
        )];
    };
    let mut out = vec![target_row(&what, workload, spec, row)];
    if let Some(queue) = queue_check(facts, spec, workload) {
        out.push(row(CheckName::Queue, queue.0, queue.1));
    }
    out
}

fn target_row(
    what: &str,
    workload: &Value,
    spec: &TriggerSpec,
    row: impl Fn(CheckName, Status, String) -> CheckResult,
) -> CheckResult {
    match triggers::gpus_per_pod(workload) {
        Some(0) | None => row(
            CheckName::Target,
            Status::Warn,
            format!("{what} exists but requests no {GPU}"),
        ),
        Some(gpus) => row(
            CheckName::Target,
            Status::Ok,
            format!(
                "{what} exists; {gpus} {GPU} per pod, up to {} at maxReplicaCount {}",
                u64::from(gpus) * u64::from(spec.max_replicas),
                spec.max_replicas
            ),
        ),
    }
}

/// The LocalQueue and ClusterQueue behind the target's queue label.
fn queue_check(
    facts: &ClusterFacts,
    spec: &TriggerSpec,
    workload: &Value,
) -> Option<(Status, String)> {
    let ns = spec.object.namespace.as_str();
    let Some(queue) = queue_name(workload) else {
        if !facts.objects.kueue_installed {
            return None;
        }
        return Some((
            Status::Warn,
            format!("the target has no {QUEUE_LABEL} label: Kueue does not hold its GPU quota"),
        ));
    };
    let Some(local) = facts.objects.find("LocalQueue", Some(ns), queue) else {
        return Some((Status::Fail, format!("LocalQueue {ns}/{queue} not found")));
    };
    let cq_name = str_at(local, "/spec/clusterQueue").unwrap_or("");
    let Some(cluster_queue) = facts.objects.find("ClusterQueue", None, cq_name) else {
        let detail = format!(
            "LocalQueue {ns}/{queue} points to ClusterQueue {cq_name:?}, which does not exist"
        );
        return Some((Status::Fail, detail));
    };
    for (kind, object, name) in [
        ("LocalQueue", local, format!("{ns}/{queue}")),
        ("ClusterQueue", cluster_queue, cq_name.to_string()),
    ] {
        match condition(object, "Active") {
            Some(("True", _)) => {}
            Some((_, why)) => {
                return Some((Status::Fail, format!("{kind} {name} is not active: {why}")));
            }
            None => {
                return Some((
                    Status::Warn,
                    format!("{kind} {name} reports no Active condition"),
                ));
            }
        }
    }
    Some(quota(spec, workload, queue, cq_name, cluster_queue))
}

/// Whether the ClusterQueue's nominal GPU quota covers `maxReplicaCount × GPUs per pod`.
fn quota(
    spec: &TriggerSpec,
    workload: &Value,
    queue: &str,
    cq: &str,
    cluster_queue: &Value,
) -> (Status, String) {
    let gpus = triggers::gpus_per_pod(workload).unwrap_or(0);
    let need = u64::from(gpus) * u64::from(spec.max_replicas);
    let nominal = nominal_gpus(cluster_queue);
    let active = format!("LocalQueue {queue} → ClusterQueue {cq}, both active");
    match nominal {
        Some(have) if have < need => (
            Status::Warn,
            format!(
                "{active}; its {GPU} quota {have} is below maxReplicaCount × GPUs = {need}: \
                 pods beyond it stay gated"
            ),
        ),
        Some(have) => (
            Status::Ok,
            format!("{active}; {GPU} quota {have} covers {need}"),
        ),
        None => (Status::Ok, format!("{active}; it sets no {GPU} quota")),
    }
}

/// The sum of `nominalQuota` for `nvidia.com/gpu` over the ClusterQueue's flavors.
fn nominal_gpus(cluster_queue: &Value) -> Option<u64> {
    let groups = cluster_queue.pointer("/spec/resourceGroups")?.as_array()?;
    let quotas: Vec<u64> = groups
        .iter()
        .flat_map(|g| g["flavors"].as_array().into_iter().flatten())
        .flat_map(|f| f["resources"].as_array().into_iter().flatten())
        .filter(|r| r["name"] == GPU)
        .filter_map(|r| match &r["nominalQuota"] {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
        .collect();
    (!quotas.is_empty()).then(|| quotas.iter().sum())
}

/// The names of the target's pods: pods in its namespace whose labels include the target's
/// `spec.selector.matchLabels`.
pub fn pods_of(objects: &ObjectSet, workload: &Value, namespace: &str) -> BTreeSet<String> {
    let Some(selector) = workload
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return BTreeSet::new();
    };
    objects
        .of_kind_in("Pod", namespace)
        .filter(|pod| {
            selector
                .iter()
                .all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
        })
        .map(|pod| name_of(pod).to_string())
        .collect()
}

/// The ScaledObjects of the cluster, as `(object, namespace)` for trigger extraction.
pub fn scaled_objects(objects: &ObjectSet) -> impl Iterator<Item = (&Value, &str)> {
    objects
        .of_kind("ScaledObject")
        .map(|o| (o, namespace_of(o).unwrap_or("default")))
}

#[cfg(test)]
mod tests;

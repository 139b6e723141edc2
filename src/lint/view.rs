//! Tolerant, borrowed views of the objects the rules read: a ScaledObject or ScaledJob with
//! its triggers (queries parsed once), pod templates and their resources, Kubernetes
//! quantities. Fields of the wrong type read as absent; the schema rules report them.

use crate::model::value::{Map, Value};

use super::promql::{Query, QueryCache};

/// Trigger types whose metrics come from the pods' resource usage (HPA `Resource` metrics).
pub const RESOURCE_TRIGGERS: &[&str] = &["cpu", "memory"];

/// The extended resource name of NVIDIA GPUs.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// A ScaledObject or ScaledJob, as far as the rules need it.
#[derive(Debug)]
pub struct Scaler<'a> {
    /// `spec.minReplicaCount` (KEDA's default is 0 when absent).
    pub min: Option<i64>,
    /// `spec.maxReplicaCount` (KEDA's default is 100 when absent).
    pub max: Option<i64>,
    /// `spec.idleReplicaCount`.
    pub idle: Option<i64>,
    /// `spec.cooldownPeriod` (default 300 s).
    pub cooldown: Option<i64>,
    /// `spec.pollingInterval` (default 30 s).
    pub polling: Option<i64>,
    /// `spec.fallback`, when present.
    pub fallback: Option<&'a Map>,
    /// `spec.advanced.scalingModifiers`, when present.
    pub modifiers: Option<&'a Map>,
    /// `spec.advanced.horizontalPodAutoscalerConfig.behavior`, when present.
    pub behavior: Option<&'a Value>,
    /// `spec.scaleTargetRef` (ScaledObject only).
    pub target: Option<TargetRef<'a>>,
    /// The triggers, in order.
    pub triggers: Vec<Trigger<'a>>,
}

/// What a ScaledObject scales.
#[derive(Debug, Clone, Copy)]
pub struct TargetRef<'a> {
    /// `kind`, default `Deployment`.
    pub kind: &'a str,
    /// `name`.
    pub name: &'a str,
}

/// One entry of `spec.triggers`.
#[derive(Debug)]
pub struct Trigger<'a> {
    /// Its index in `spec.triggers`.
    pub index: usize,
    /// `type`.
    pub kind: &'a str,
    /// `name`, when set.
    pub name: Option<&'a str>,
    /// `metricType`, when set (the default is `AverageValue`).
    pub metric_type: Option<&'a str>,
    /// `metadata`.
    pub metadata: Option<&'a Map>,
    /// The parsed `metadata.query` of a Prometheus trigger.
    pub query: Option<Query<'a>>,
}

impl Trigger<'_> {
    /// JSON pointer of this trigger.
    pub fn pointer(&self) -> String {
        format!("/spec/triggers/{}", self.index)
    }

    /// JSON pointer of one of its metadata keys.
    pub fn meta_pointer(&self, key: &str) -> String {
        format!("/spec/triggers/{}/metadata/{key}", self.index)
    }

    /// A metadata value as a string (KEDA's metadata is a map of strings).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata?.get(key)?.as_str().filter(|s| !s.is_empty())
    }

    /// Whether it is a cpu or memory trigger.
    pub fn is_resource(&self) -> bool {
        RESOURCE_TRIGGERS.contains(&self.kind)
    }

    /// Whether it is a Prometheus trigger.
    pub fn is_prometheus(&self) -> bool {
        self.kind == "prometheus"
    }

    /// The metric type in effect (`AverageValue` by default).
    pub fn effective_metric_type(&self) -> &str {
        self.metric_type.unwrap_or("AverageValue")
    }
}

impl<'a> Scaler<'a> {
    /// Reads the view from a ScaledObject or ScaledJob, parsing queries through `queries`.
    pub fn read(object: &'a Value, queries: &mut QueryCache) -> Scaler<'a> {
        let spec = object.get("spec");
        let get = |path: &str| spec.and_then(|s| s.at(path));
        let int = |path: &str| get(path).and_then(Value::as_i64);
        let triggers = get("/triggers")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(index, value)| read_trigger(index, value, queries))
                    .collect()
            })
            .unwrap_or_default();
        Scaler {
            min: int("/minReplicaCount"),
            max: int("/maxReplicaCount"),
            idle: int("/idleReplicaCount"),
            cooldown: int("/cooldownPeriod"),
            polling: int("/pollingInterval"),
            fallback: get("/fallback").and_then(Value::as_object),
            modifiers: get("/advanced/scalingModifiers").and_then(Value::as_object),
            behavior: get("/advanced/horizontalPodAutoscalerConfig/behavior"),
            target: get("/scaleTargetRef").map(|t| TargetRef {
                kind: t
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("Deployment"),
                name: t.get("name").and_then(Value::as_str).unwrap_or(""),
            }),
            triggers,
        }
    }

    /// `minReplicaCount` in effect (KEDA's default 0).
    pub fn effective_min(&self) -> i64 {
        self.min.unwrap_or(0)
    }

    /// `maxReplicaCount` in effect (KEDA's default 100).
    pub fn effective_max(&self) -> i64 {
        self.max.unwrap_or(100)
    }

    /// Whether the scaler can go to zero replicas (min 0, or idle 0).
    pub fn scales_to_zero(&self) -> bool {
        self.effective_min() == 0 || self.idle == Some(0)
    }
}

fn read_trigger<'a>(index: usize, value: &'a Value, queries: &mut QueryCache) -> Trigger<'a> {
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let metadata = value.get("metadata").and_then(Value::as_object);
    let query = (kind == "prometheus")
        .then(|| metadata?.get("query")?.as_str())
        .flatten()
        .map(|text| queries.parse(text));
    Trigger {
        index,
        kind,
        name: value.get("name").and_then(Value::as_str),
        metric_type: value.get("metricType").and_then(Value::as_str),
        metadata,
        query,
    }
}

/// Where the pod template's spec sits in objects that have one.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" | "DaemonSet" | "Job" => {
            Some("/spec/template/spec")
        }
        "ScaledJob" => Some("/spec/jobTargetRef/template/spec"),
        "LeaderWorkerSet" => Some("/spec/leaderWorkerTemplate/workerTemplate/spec"),
        "Pod" => Some("/spec"),
        _ => None,
    }
}

/// A container (or init container) of a pod spec, and where it is.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pod_spec: &'a str,
    list: &'static str,
    index: usize,
    /// The container itself.
    pub value: &'a Value,
}

impl Container<'_> {
    /// Its JSON pointer, e.g. `/spec/template/spec/containers/0` (built only for findings).
    pub fn pointer(&self) -> String {
        format!("{}/{}/{}", self.pod_spec, self.list, self.index)
    }
}

/// The containers (and init containers) of a pod spec.
pub fn containers<'a>(object: &'a Value, pod_spec: &'a str) -> impl Iterator<Item = Container<'a>> {
    let spec = object.at(pod_spec);
    ["containers", "initContainers"]
        .into_iter()
        .flat_map(move |list| {
            spec.and_then(|s| s.get(list))
                .and_then(Value::as_array)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(move |(index, value)| Container {
                    pod_spec,
                    list,
                    index,
                    value,
                })
        })
}

/// A container's resource quantity (`limits` first, then `requests`).
pub fn container_resource(container: &Value, resource: &str) -> Option<f64> {
    ["limits", "requests"].iter().find_map(|section| {
        container
            .get("resources")?
            .get(section)?
            .get(resource)
            .and_then(quantity)
    })
}

/// The total of one resource over a pod's regular containers (per replica).
pub fn pod_resource(object: &Value, pod_spec: &str, resource: &str) -> f64 {
    object
        .at(pod_spec)
        .and_then(|spec| spec.get("containers"))
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| container_resource(c, resource))
                .sum()
        })
        .unwrap_or(0.0)
}

/// Parses a Kubernetes quantity (`8`, `500m`, `16Gi`, `1e3`, `"2"`) into a number.
pub fn quantity(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_quantity(s),
        _ => None,
    }
}

fn parse_quantity(text: &str) -> Option<f64> {
    crate::engine::quantity::approximate_f64(text)
        .ok()
        .filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_parse() {
        assert_eq!(quantity(&(&json!("500m")).into()), Some(0.5));
        assert_eq!(quantity(&(&json!("2Gi")).into()), Some(2_147_483_648.0));
        assert_eq!(quantity(&(&json!(8)).into()), Some(8.0));
        assert_eq!(quantity(&(&json!("1e3")).into()), Some(1000.0));
        assert_eq!(quantity(&(&json!("lots")).into()), None);
    }

    #[test]
    fn scaler_defaults_follow_keda() {
        let so = json!({"spec": {"scaleTargetRef": {"name": "x"}, "triggers": [
            {"type": "prometheus", "metadata": {"query": "sum(a)", "threshold": "5"}}]}});
        let so = Value::from(&so);
        let view = Scaler::read(&so, &mut QueryCache::default());
        assert_eq!(view.effective_min(), 0);
        assert_eq!(view.effective_max(), 100);
        assert_eq!(view.target.map(|t| t.kind), Some("Deployment"));
        assert_eq!(view.triggers[0].meta("threshold"), Some("5"));
        assert!(view.triggers[0].query.is_some());
    }
}

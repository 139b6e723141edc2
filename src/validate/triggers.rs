//! The Prometheus triggers of ScaledObjects, read from manifest documents or cluster objects
//! with KEDA's defaults applied (threshold required, `activationThreshold` 0,
//! `ignoreNullValues` true, `metricType` AverageValue, replicas 0..100).

use serde_json::Value;

use super::{CheckName, CheckResult, Status};

/// The ScaledObject a trigger belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// Namespace (from the object, else the command's namespace).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `file:line` when read from a file.
    pub source: Option<String>,
}

impl ObjectRef {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The workload a ScaledObject scales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    /// `kind`, Deployment by default as in KEDA.
    pub kind: String,
    /// `name`.
    pub name: String,
}

/// How the HPA reads the metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    /// `desired = ceil(value / threshold)`: the value is a fleet-wide total.
    AverageValue,
    /// `desired = ceil(current × value / threshold)`: the value is a per-replica level.
    Value,
}

/// One `type: prometheus` trigger with everything `validate` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerSpec {
    /// The ScaledObject.
    pub object: ObjectRef,
    /// Its scale target.
    pub target: TargetRef,
    /// The trigger's `name`, or `s<index>-prometheus` as KEDA names the external metric.
    pub name: String,
    /// `metadata.query`.
    pub query: String,
    /// `metadata.threshold`.
    pub threshold: f64,
    /// `metadata.activationThreshold` (default 0).
    pub activation_threshold: f64,
    /// `metricType` (default AverageValue).
    pub metric_type: MetricType,
    /// `metadata.ignoreNullValues` (default true).
    pub ignore_null_values: bool,
    /// `metadata.serverAddress`, for messages.
    pub server_address: Option<String>,
    /// `spec.minReplicaCount` (default 0).
    pub min_replicas: u32,
    /// `spec.maxReplicaCount` (default 100).
    pub max_replicas: u32,
    /// `spec.idleReplicaCount`, if set.
    pub idle_replicas: Option<u32>,
}

impl TriggerSpec {
    /// Whether KEDA's activation decides anything: scale to zero, or idle mode.
    pub fn activation_matters(&self) -> bool {
        self.min_replicas == 0 || self.idle_replicas.is_some()
    }
}

/// What reading one ScaledObject gave: its Prometheus triggers, and rows for triggers that
/// cannot be checked (no query, a threshold that is not a number).
#[derive(Debug, Default)]
pub struct Extracted {
    /// Triggers ready to check.
    pub triggers: Vec<TriggerSpec>,
    /// Problems found while reading them (FAIL rows).
    pub problems: Vec<CheckResult>,
}

/// Reads the Prometheus triggers of a ScaledObject given as JSON.
pub fn extract(object: &Value, default_namespace: &str, source: Option<String>) -> Extracted {
    let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
    let object_ref = ObjectRef {
        namespace: text("/metadata/namespace")
            .unwrap_or(default_namespace)
            .to_string(),
        name: text("/metadata/name").unwrap_or("<unnamed>").to_string(),
        source,
    };
    let target = TargetRef {
        kind: text("/spec/scaleTargetRef/kind")
            .unwrap_or("Deployment")
            .to_string(),
        name: text("/spec/scaleTargetRef/name").unwrap_or("").to_string(),
    };
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let replicas = |key: &str| spec.get(key).and_then(as_u32);
    let mut out = Extracted::default();
    let triggers = spec.get("triggers").and_then(Value::as_array);
    for (index, trigger) in triggers.into_iter().flatten().enumerate() {
        if trigger.get("type").and_then(Value::as_str) != Some("prometheus") {
            continue;
        }
        let base = Base {
            object: &object_ref,
            target: &target,
            min: replicas("minReplicaCount").unwrap_or(0),
            max: replicas("maxReplicaCount").unwrap_or(100),
            idle: replicas("idleReplicaCount"),
        };
        let name = trigger
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("s{index}-prometheus"), str::to_string);
        match read_trigger(trigger, name.clone(), &base) {
            Ok(spec) => out.triggers.push(spec),
            Err(detail) => out.problems.push(CheckResult {
                object: object_ref.key(),
                source: object_ref.source.clone(),
                trigger: Some(name),
                check: CheckName::Trigger,
                status: Status::Fail,
                detail,
                data: serde_json::Map::new(),
            }),
        }
    }
    out
}

/// What every trigger of one object shares.
struct Base<'a> {
    object: &'a ObjectRef,
    target: &'a TargetRef,
    min: u32,
    max: u32,
    idle: Option<u32>,
}

/// Reads one trigger; `Err` says why it cannot be checked.
fn read_trigger(trigger: &Value, name: String, base: &Base<'_>) -> Result<TriggerSpec, String> {
    let meta = |key: &str| {
        trigger
            .pointer(&format!("/metadata/{key}"))
            .and_then(scalar_text)
    };
    let query = meta("query")
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| "metadata.query is missing: nothing to check".to_string())?;
    let threshold = meta("threshold")
        .ok_or_else(|| "metadata.threshold is missing (KEDA requires it)".to_string())?;
    let threshold = parse_float(&threshold)
        .ok_or_else(|| format!("metadata.threshold {threshold:?} is not a number"))?;
    let activation = match meta("activationThreshold") {
        Some(text) => parse_float(&text)
            .ok_or_else(|| format!("metadata.activationThreshold {text:?} is not a number"))?,
        None => 0.0,
    };
    let ignore_null_values = match meta("ignoreNullValues") {
        Some(text) => parse_go_bool(&text)
            .ok_or_else(|| format!("metadata.ignoreNullValues {text:?} is not a boolean"))?,
        None => true,
    };
    let metric_type = match trigger.get("metricType").and_then(Value::as_str) {
        Some("Value") => MetricType::Value,
        _ => MetricType::AverageValue,
    };
    Ok(TriggerSpec {
        object: base.object.clone(),
        target: base.target.clone(),
        name,
        query,
        threshold,
        activation_threshold: activation,
        metric_type,
        ignore_null_values,
        server_address: meta("serverAddress"),
        min_replicas: base.min,
        max_replicas: base.max,
        idle_replicas: base.idle,
    })
}

/// A scalar as text: strings as they are, numbers and booleans printed (KEDA reads metadata
/// as strings, but manifests often carry bare numbers).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_u32(value: &Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn parse_float(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Go's `strconv.ParseBool`, which KEDA uses.
fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// GPUs each pod of a workload requests: the sum over its containers of the
/// `nvidia.com/gpu` limit (or request, when no limit is set). `None` when the object has no
/// pod template.
pub fn gpus_per_pod(workload: &Value) -> Option<u32> {
    let containers = workload
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)?;
    let total = containers
        .iter()
        .filter_map(|c| {
            let resources = c.get("resources")?;
            let limit = resources.pointer("/limits/nvidia.com~1gpu");
            let request = resources.pointer("/requests/nvidia.com~1gpu");
            limit.or(request).and_then(scalar_text)?.parse::<u32>().ok()
        })
        .sum();
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn so(trigger_meta: Value) -> Value {
        json!({
            "kind": "ScaledObject",
            "metadata": {"name": "llama"},
            "spec": {
                "scaleTargetRef": {"name": "llama"},
                "maxReplicaCount": 8,
                "triggers": [
                    {"type": "cpu", "metadata": {"value": "50"}},
                    {"type": "prometheus", "metadata": trigger_meta}
                ]
            }
        })
    }

    #[test]
    fn keda_defaults_are_applied() {
        let out = extract(
            &so(json!({"query": "sum(vllm:num_requests_waiting)", "threshold": 5})),
            "serving",
            Some("so.yaml:1".into()),
        );
        assert!(out.problems.is_empty());
        let t = &out.triggers[0];
        assert_eq!(t.name, "s1-prometheus");
        assert_eq!(t.object.key(), "serving/llama");
        assert_eq!(t.target.kind, "Deployment");
        assert_eq!((t.threshold, t.activation_threshold), (5.0, 0.0));
        assert_eq!(t.metric_type, MetricType::AverageValue);
        assert!(t.ignore_null_values);
        assert_eq!((t.min_replicas, t.max_replicas), (0, 8));
        assert!(t.activation_matters());
    }

    #[test]
    fn unreadable_triggers_become_failed_rows() {
        let out = extract(
            &so(json!({"query": "up", "threshold": "five"})),
            "default",
            None,
        );
        assert!(out.triggers.is_empty());
        assert_eq!(
            out.problems[0].detail,
            "metadata.threshold \"five\" is not a number"
        );
        let out = extract(&so(json!({"threshold": "1"})), "default", None);
        assert!(out.problems[0].detail.contains("query is missing"));
        let out = extract(
            &so(json!({"query": "up", "threshold": "1", "ignoreNullValues": "nope"})),
            "default",
            None,
        );
        assert!(out.problems[0].detail.contains("not a boolean"));
    }

    #[test]
    fn gpu_requests_are_summed_over_containers() {
        let deployment = json!({"spec": {"template": {"spec": {"containers": [
            {"resources": {"limits": {"nvidia.com/gpu": 2}}},
            {"resources": {"requests": {"nvidia.com/gpu": "1"}}},
            {"name": "sidecar"}
        ]}}}});
        assert_eq!(gpus_per_pod(&deployment), Some(3));
        assert_eq!(gpus_per_pod(&json!({"kind": "Service"})), None);
    }
}

//! The scale target of a ScaledObject and its pods: which are ready, still starting (loading
//! weights), gated by Kueue, or unschedulable for lack of GPUs.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::json::{array_at, condition, i32_at, milli_at, str_at, time_at};
use crate::engine::input::{ConditionStatus, ContainerRequests, Pod, PodPhase, ReadyCondition};
use crate::sources::objects::{ObjectSet, name_of};

/// Kueue's scheduling gate on pods it has not admitted yet.
pub const KUEUE_GATE: &str = "kueue.x-k8s.io/admission";

/// The GPU resource name.
pub const GPU: &str = "nvidia.com/gpu";

/// The scale target as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetInfo {
    /// `Deployment`, `StatefulSet`, …
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Whether the object was found.
    pub found: bool,
    /// `spec.replicas`.
    pub spec_replicas: Option<i32>,
    /// `status.replicas` (every non-terminated pod).
    pub status_replicas: Option<i32>,
    /// `status.readyReplicas`.
    pub ready_replicas: Option<i32>,
}

/// How one pod stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PodState {
    /// Running and Ready.
    Ready,
    /// Scheduled (or running) but not Ready yet: pulling images, loading weights.
    Starting,
    /// Held by Kueue's `kueue.x-k8s.io/admission` scheduling gate.
    GatedByKueue,
    /// Unschedulable; `lacksGpu` says whether for want of `nvidia.com/gpu`.
    Unschedulable,
    /// Being deleted.
    Terminating,
    /// Succeeded or Failed.
    Finished,
}

/// One pod of the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodInfo {
    /// The pod name.
    pub name: String,
    /// How it stands.
    pub state: PodState,
    /// Seconds since the pod started (or was created), when known.
    pub age_seconds: Option<i64>,
    /// GPUs requested.
    pub gpus: i64,
    /// Whether the scheduler said it lacks `nvidia.com/gpu`.
    pub lacks_gpu: bool,
    /// The scheduler's message, for unschedulable pods.
    pub message: Option<String>,
}

/// Pod counts by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodCounts {
    /// Running and Ready.
    pub ready: usize,
    /// Not Ready yet.
    pub starting: usize,
    /// Gated by Kueue.
    pub gated: usize,
    /// Unschedulable.
    pub unschedulable: usize,
    /// Being deleted.
    pub terminating: usize,
}

/// Counts pods by state.
pub fn count(pods: &[PodInfo]) -> PodCounts {
    let mut counts = PodCounts::default();
    for pod in pods {
        match pod.state {
            PodState::Ready => counts.ready += 1,
            PodState::Starting => counts.starting += 1,
            PodState::GatedByKueue => counts.gated += 1,
            PodState::Unschedulable => counts.unschedulable += 1,
            PodState::Terminating => counts.terminating += 1,
            PodState::Finished => {}
        }
    }
    counts
}

/// The target object and the pods its selector matches.
pub struct Target<'a> {
    /// What was read of the target.
    pub info: TargetInfo,
    /// The target object, when found.
    pub object: Option<&'a Value>,
    /// Its pods.
    pub pods: Vec<&'a Value>,
}

/// Finds the ScaledObject's target (`spec.scaleTargetRef`) and its pods in `set`.
pub fn target<'a>(set: &'a ObjectSet, scaled_object: &Value, namespace: &str) -> Target<'a> {
    let target_kind = str_at(scaled_object, "/spec/scaleTargetRef/kind").unwrap_or("Deployment");
    let name = str_at(scaled_object, "/spec/scaleTargetRef/name").unwrap_or_default();
    let object = set.find(target_kind, Some(namespace), name);
    let pods = object
        .map(|o| {
            set.of_kind_in("Pod", namespace)
                .filter(|p| selector_matches(o, p))
                .collect()
        })
        .unwrap_or_default();
    let info = TargetInfo {
        kind: target_kind.to_string(),
        name: name.to_string(),
        found: object.is_some(),
        spec_replicas: object.and_then(|o| i32_at(o, "/spec/replicas")),
        status_replicas: object.and_then(|o| i32_at(o, "/status/replicas")),
        ready_replicas: object.and_then(|o| i32_at(o, "/status/readyReplicas")),
    };
    Target { info, object, pods }
}

/// Whether a workload's `spec.selector` selects a pod (matchLabels and matchExpressions).
fn selector_matches(workload: &Value, pod: &Value) -> bool {
    let labels = &pod["metadata"]["labels"];
    let selector = &workload["spec"]["selector"];
    let by_labels = selector["matchLabels"]
        .as_object()
        .is_none_or(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let by_expressions = array_at(selector, "/matchExpressions").iter().all(|e| {
        let value = labels.get(e["key"].as_str().unwrap_or_default());
        let values = array_at(e, "/values");
        match e["operator"].as_str().unwrap_or_default() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    let has_selector = selector.is_object();
    has_selector && by_labels && by_expressions
}

/// How a pod stands, with its GPU request and age.
pub fn describe(pod: &Value, now: Timestamp) -> PodInfo {
    let scheduled = condition(pod, "PodScheduled");
    let unschedulable =
        scheduled.is_some_and(|c| c["status"] == "False" && c["reason"] == "Unschedulable");
    let message = scheduled
        .filter(|_| unschedulable)
        .and_then(|c| c["message"].as_str())
        .map(str::to_string);
    let lacks_gpu = message.as_deref().is_some_and(|m| m.contains(GPU));
    let gated = array_at(pod, "/spec/schedulingGates")
        .iter()
        .any(|g| g["name"] == KUEUE_GATE);
    let phase = str_at(pod, "/status/phase").unwrap_or("Pending");
    let ready = condition(pod, "Ready").is_some_and(|c| c["status"] == "True");
    let state = if pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        PodState::Terminating
    } else if matches!(phase, "Succeeded" | "Failed") {
        PodState::Finished
    } else if gated {
        PodState::GatedByKueue
    } else if unschedulable {
        PodState::Unschedulable
    } else if phase == "Running" && ready {
        PodState::Ready
    } else {
        PodState::Starting
    };
    let started =
        time_at(pod, "/status/startTime").or_else(|| time_at(pod, "/metadata/creationTimestamp"));
    PodInfo {
        name: name_of(pod).to_string(),
        state,
        age_seconds: started.map(|t| now.duration_since(t).as_secs()),
        gpus: gpu_request(pod),
        lacks_gpu,
        message,
    }
}

/// GPUs the pod requests (limits count when requests are absent, as for extended resources).
pub fn gpu_request(pod: &Value) -> i64 {
    let key = GPU.replace('/', "~1");
    array_at(pod, "/spec/containers")
        .iter()
        .map(|c| {
            milli_at(c, &format!("/resources/requests/{key}"))
                .or_else(|| milli_at(c, &format!("/resources/limits/{key}")))
                .map_or(0, |m| m.0 / 1000)
        })
        .sum()
}

/// The pod as the engine reads it.
pub fn engine_pod(pod: &Value) -> Pod {
    let phase = match str_at(pod, "/status/phase").unwrap_or("Pending") {
        "Running" => PodPhase::Running,
        "Succeeded" => PodPhase::Succeeded,
        "Failed" => PodPhase::Failed,
        "Pending" => PodPhase::Pending,
        _ => PodPhase::Unknown,
    };
    let ready = condition(pod, "Ready").map(|c| ReadyCondition {
        status: match c["status"].as_str() {
            Some("True") => ConditionStatus::True,
            Some("False") => ConditionStatus::False,
            _ => ConditionStatus::Unknown,
        },
        last_transition: time_at(c, "/lastTransitionTime"),
    });
    Pod {
        name: name_of(pod).to_string(),
        phase,
        deleting: pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null()),
        ready,
        start_time: time_at(pod, "/status/startTime"),
        containers: array_at(pod, "/spec/containers")
            .iter()
            .map(container_requests)
            .collect(),
    }
}

fn container_requests(container: &Value) -> ContainerRequests {
    let requests: BTreeMap<_, _> = container["resources"]["requests"]
        .as_object()
        .map(|m| {
            m.keys()
                .filter_map(|k| {
                    let pointer = format!("/{}", k.replace('~', "~0").replace('/', "~1"));
                    Some((
                        k.clone(),
                        milli_at(&container["resources"]["requests"], &pointer)?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    ContainerRequests {
        name: str_at(container, "/name").unwrap_or_default().to_string(),
        requests,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at() -> Timestamp {
        "2026-12-03T14:02:00Z".parse().unwrap()
    }

    #[test]
    fn pods_are_told_apart() {
        let gated = json!({"metadata": {"name": "g"},
            "spec": {"schedulingGates": [{"name": KUEUE_GATE}]}, "status": {"phase": "Pending"}});
        let no_gpu = json!({"metadata": {"name": "u"}, "status": {"phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": "0/4 nodes are available: 4 Insufficient nvidia.com/gpu."}]}});
        let starting = json!({"metadata": {"name": "s"}, "status": {"phase": "Running",
            "startTime": "2026-12-03T14:00:30Z",
            "conditions": [{"type": "Ready", "status": "False"}]}});
        let ready = json!({"metadata": {"name": "r"}, "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]}});
        let leaving = json!({"metadata": {"name": "t", "deletionTimestamp": "2026-12-03T14:01:00Z"},
            "status": {"phase": "Running"}});
        let states: Vec<PodState> = [&gated, &no_gpu, &starting, &ready, &leaving]
            .iter()
            .map(|p| describe(p, at()).state)
            .collect();
        assert_eq!(
            states,
            [
                PodState::GatedByKueue,
                PodState::Unschedulable,
                PodState::Starting,
                PodState::Ready,
                PodState::Terminating
            ]
        );
        assert!(describe(&no_gpu, at()).lacks_gpu);
        assert_eq!(describe(&starting, at()).age_seconds, Some(90));
    }

    #[test]
    fn gpu_requests_fall_back_to_limits() {
        let pod = json!({"spec": {"containers": [
            {"resources": {"limits": {"nvidia.com/gpu": "2"}}},
            {"resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}},
            {"resources": {}}]}});
        assert_eq!(gpu_request(&pod), 3);
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let workload = json!({"spec": {"selector": {"matchLabels": {"app": "llm"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["gpu"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]}}});
        let pod = |labels: serde_json::Value| json!({"metadata": {"labels": labels}});
        assert!(selector_matches(
            &workload,
            &pod(json!({"app": "llm", "tier": "gpu"}))
        ));
        assert!(!selector_matches(
            &workload,
            &pod(json!({"app": "llm", "tier": "cpu"}))
        ));
        assert!(!selector_matches(
            &workload,
            &pod(json!({"app": "llm", "tier": "gpu", "canary": "1"}))
        ));
        assert!(!selector_matches(
            &json!({"spec": {}}),
            &pod(json!({"app": "llm"}))
        ));
    }
}

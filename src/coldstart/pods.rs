//! The pod probe's arithmetic: from pod conditions, container statuses and events, when each
//! pod was scheduled, had its image, started its containers and became ready, counted from the
//! pod's creation; then the median and p90 of each phase over the pods.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde::Serialize;

use super::stats::{self, Summary};

/// One pod's start-up, in seconds after its creation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTimeline {
    /// The pod's name.
    pub name: String,
    /// The node it runs on.
    pub node: Option<String>,
    /// When the pod object was created.
    pub created: Option<Timestamp>,
    /// The PodScheduled condition turned true.
    pub scheduled_seconds: Option<f64>,
    /// The last `Pulled` event of its containers (image pulled, or already present).
    pub image_pulled_seconds: Option<f64>,
    /// The last of its containers started running.
    pub started_seconds: Option<f64>,
    /// The Ready condition turned true.
    pub ready_seconds: Option<f64>,
}

/// The pod part of a probe report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodsReport {
    /// The namespace the pods are in.
    pub namespace: String,
    /// How the pods were chosen (`deployment/NAME` or the label selector).
    pub selector: String,
    /// Each pod, in name order.
    pub pods: Vec<PodTimeline>,
    /// Time to scheduled over the pods that got there.
    pub scheduled: Option<Summary>,
    /// Time to image pulled.
    pub image_pulled: Option<Summary>,
    /// Time to containers started.
    pub started: Option<Summary>,
    /// Time to ready: the pod's cold start.
    pub ready: Option<Summary>,
    /// Pods that are not ready (still starting, crashing or never scheduled).
    pub not_ready: Vec<String>,
}

/// Builds each pod's timeline and the summaries. `events` may hold events of other objects:
/// only those whose `involvedObject` is one of the pods count.
pub fn assess(namespace: &str, selector: &str, pods: &[Pod], events: &[Event]) -> PodsReport {
    let mut timelines: Vec<PodTimeline> = pods.iter().map(|p| timeline(p, events)).collect();
    timelines.sort_by(|a, b| a.name.cmp(&b.name));
    let phase = |f: fn(&PodTimeline) -> Option<f64>| {
        stats::summarize(&timelines.iter().filter_map(f).collect::<Vec<_>>())
    };
    PodsReport {
        namespace: namespace.to_string(),
        selector: selector.to_string(),
        scheduled: phase(|t| t.scheduled_seconds),
        image_pulled: phase(|t| t.image_pulled_seconds),
        started: phase(|t| t.started_seconds),
        ready: phase(|t| t.ready_seconds),
        not_ready: timelines
            .iter()
            .filter(|t| t.ready_seconds.is_none())
            .map(|t| t.name.clone())
            .collect(),
        pods: timelines,
    }
}

/// One pod's timeline.
fn timeline(pod: &Pod, events: &[Event]) -> PodTimeline {
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let since = |at: Option<Timestamp>| Some(seconds_between(created?, at?));
    PodTimeline {
        name: pod.metadata.name.clone().unwrap_or_default(),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        created,
        scheduled_seconds: since(condition_true_at(pod, "PodScheduled")),
        image_pulled_seconds: since(last_pulled_at(pod, events)),
        started_seconds: since(containers_started_at(pod)),
        ready_seconds: since(condition_true_at(pod, "Ready")),
        // Ready is only meaningful once true; a pod whose Ready condition is false is still
        // starting or failing, and `since` of `None` keeps it out of the summaries.
    }
}

/// Seconds from `from` to `to`, never negative (clocks of kubelet and API server may skew).
fn seconds_between(from: Timestamp, to: Timestamp) -> f64 {
    let millis = to.as_millisecond() - from.as_millisecond();
    (millis.max(0) as f64) / 1000.0
}

/// When the condition `kind` last turned true, if it is true now.
fn condition_true_at(pod: &Pod, kind: &str) -> Option<Timestamp> {
    let conditions = pod.status.as_ref()?.conditions.as_ref()?;
    let condition = conditions.iter().find(|c| c.type_ == kind)?;
    (condition.status == "True")
        .then(|| condition.last_transition_time.as_ref().map(|t| t.0))
        .flatten()
}

/// When the last of the pod's (non-init) containers started running, if all of them run.
fn containers_started_at(pod: &Pod) -> Option<Timestamp> {
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    let starts: Option<Vec<Timestamp>> = statuses
        .iter()
        .map(|s| {
            let running = s.state.as_ref()?.running.as_ref()?;
            running.started_at.as_ref().map(|t| t.0)
        })
        .collect();
    starts?.into_iter().max()
}

/// The time of the last `Pulled` event about this pod: its image was pulled (or was already
/// on the node) by then. Each event counts at its first occurrence, so a restart's repeat
/// does not move it.
fn last_pulled_at(pod: &Pod, events: &[Event]) -> Option<Timestamp> {
    events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Pulled") && is_about(e, pod))
        .filter_map(event_time)
        .max()
}

/// Whether an event's `involvedObject` is this pod (by UID when both have one, else by name).
fn is_about(event: &Event, pod: &Pod) -> bool {
    let object = &event.involved_object;
    if object.kind.as_deref().is_some_and(|k| k != "Pod") {
        return false;
    }
    match (&object.uid, &pod.metadata.uid) {
        (Some(a), Some(b)) => a == b,
        _ => object.name.is_some() && object.name == pod.metadata.name,
    }
}

/// When an event first happened: `firstTimestamp` (core/v1 events), else `eventTime`
/// (events.k8s.io), else `lastTimestamp`.
fn event_time(event: &Event) -> Option<Timestamp> {
    event
        .first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.last_timestamp.as_ref().map(|t| t.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ready: bool) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "uid": format!("uid-{name}"),
                         "creationTimestamp": "2026-12-01T10:00:00Z"},
            "spec": {"nodeName": "gpu-node-1", "containers": []},
            "status": {
                "conditions": [
                    {"type": "PodScheduled", "status": "True",
                     "lastTransitionTime": "2026-12-01T10:00:02Z"},
                    {"type": "Ready", "status": if ready { "True" } else { "False" },
                     "lastTransitionTime": "2026-12-01T10:02:30Z"}
                ],
                "containerStatuses": [{"name": "vllm", "image": "vllm", "imageID": "",
                    "ready": ready, "restartCount": 0,
                    "state": {"running": {"startedAt": "2026-12-01T10:01:10Z"}}}]
            }
        }))
        .unwrap()
    }

    fn pulled(pod: &str, at: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{pod}.pulled")},
            "involvedObject": {"kind": "Pod", "name": pod, "uid": format!("uid-{pod}")},
            "reason": "Pulled", "firstTimestamp": at, "lastTimestamp": at
        }))
        .unwrap()
    }

    #[test]
    fn phases_count_from_creation() {
        let report = assess(
            "serving",
            "app=llama",
            &[pod("llama-a", true)],
            &[
                pulled("llama-a", "2026-12-01T10:01:05Z"),
                pulled("other", "2026-12-01T11:00:00Z"),
            ],
        );
        let t = &report.pods[0];
        assert_eq!(t.scheduled_seconds, Some(2.0));
        assert_eq!(t.image_pulled_seconds, Some(65.0));
        assert_eq!(t.started_seconds, Some(70.0));
        assert_eq!(t.ready_seconds, Some(150.0));
        assert_eq!(report.ready.unwrap().p90, 150.0);
        assert!(report.not_ready.is_empty());
    }

    #[test]
    fn a_pod_that_is_not_ready_is_listed_and_left_out_of_the_summary() {
        let report = assess(
            "serving",
            "app=llama",
            &[pod("b", false), pod("a", true)],
            &[],
        );
        assert_eq!(report.pods[0].name, "a");
        assert_eq!(report.not_ready, vec!["b".to_string()]);
        assert_eq!(report.ready.unwrap().count, 1);
        assert_eq!(report.started.unwrap().count, 2);
        assert_eq!(report.image_pulled, None);
    }
}

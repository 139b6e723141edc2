//! The pod probe's arithmetic: from pod conditions, container statuses and events, when each
//! pod was scheduled, had its image, started its containers and became ready, counted from the
//! pod's creation; then the median and p90 of each phase over the pods.
//!
//! The Ready condition's `lastTransitionTime` is the *last* time the pod became ready. A pod
//! whose readiness flapped days after it started (or whose container restarted after it had
//! served for a long time) would count as a cold start of days. Kubernetes keeps no record of
//! the first transition, so such pods are recognised and left out of the statistics: with no
//! restart, Ready long after the containers started (over an hour, or far beyond the other
//! pods' start-to-ready time); with restarts, a previous container that had run for over an
//! hour.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use serde::Serialize;
use serde_json::Value;

use super::selector::Selector;
use super::stats::{self, Summary};

/// Which pods to look at.
#[derive(Debug, Clone)]
pub enum Target {
    /// The pods of this Deployment.
    Deployment(String),
    /// The pods that match a label selector (the text as given, and parsed).
    Selector(String, Selector),
    /// Every pod (a `--from-file` dump of one workload's pods).
    All,
}

impl Target {
    /// How the target reads in the report: `deployment/NAME`, the selector, or `all pods`.
    pub fn describe(&self) -> String {
        match self {
            Target::Deployment(name) => format!("deployment/{name}"),
            Target::Selector(text, _) => text.clone(),
            Target::All => "all pods".to_string(),
        }
    }
}

/// Why the pods could not be picked.
#[derive(Debug, thiserror::Error)]
pub enum PickError {
    /// An object of a kind the probe reads does not have that kind's shape.
    #[error("{kind} {name}: {message}")]
    Malformed {
        /// Its kind.
        kind: &'static str,
        /// Its name.
        name: String,
        /// What serde said.
        message: String,
    },
    /// Nothing matched.
    #[error("no pods match {target} in {origin}{namespace}")]
    NoPods {
        /// The target, described.
        target: String,
        /// Where the objects came from: the file, or the cluster's URL.
        origin: String,
        /// `, namespace NS`, or empty.
        namespace: String,
    },
    /// Without `--deployment` or `-l`, the pods belong to several workloads.
    #[error(
        "{origin} holds pods of several workloads ({}): pick one with --deployment or -l",
        workloads.join(", ")
    )]
    SeveralWorkloads {
        /// Where the objects came from.
        origin: String,
        /// The workloads, as `deployment/NAME`, `statefulset/NAME`, `pod/NAME`.
        workloads: Vec<String>,
    },
}

/// The pods and Pod events picked for the probe.
#[derive(Debug, Clone)]
pub struct Picked {
    /// The target's pods.
    pub pods: Vec<Pod>,
    /// Every Pod event.
    pub events: Vec<Event>,
    /// How the pods were chosen, for the report: the target, or the one workload they all
    /// belong to when every pod was taken.
    pub described: String,
}

/// Picks the target's pods (in `namespace`, when given) and every Pod event from `objects`
/// (a file dump or what the cluster listed; `source` names it in errors). A Deployment is
/// matched by its selector when the objects hold it, else by its ReplicaSets' names
/// (`NAME-<pod-template-hash>`). Every pod ([`Target::All`]) must belong to one workload:
/// the start-up of two servers mixed is no one's cold start.
pub fn pick(
    objects: &[Value],
    target: &Target,
    namespace: Option<&str>,
    source: &str,
) -> Result<Picked, PickError> {
    let in_namespace = |o: &&Value| {
        namespace.is_none_or(|ns| o.pointer("/metadata/namespace").is_none_or(|v| v == ns))
    };
    let of_kind = |kind: &'static str| {
        objects
            .iter()
            .filter(move |o| o.get("kind").and_then(Value::as_str) == Some(kind))
            .filter(in_namespace)
    };
    let deployment_selector = match target {
        Target::Deployment(name) => of_kind("Deployment")
            .find(|d| d.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
            .map(|d| parse::<Deployment>("Deployment", d))
            .transpose()?
            .and_then(|d| d.spec)
            .map(|spec| Selector::from_label_selector(&spec.selector)),
        _ => None,
    };
    let pods: Vec<Pod> = of_kind("Pod")
        .map(|p| parse::<Pod>("Pod", p))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|p| is_target(p, target, deployment_selector.as_ref()))
        .collect();
    if pods.is_empty() {
        return Err(PickError::NoPods {
            target: target.describe(),
            origin: source.to_string(),
            namespace: namespace
                .map(|ns| format!(", namespace {ns}"))
                .unwrap_or_default(),
        });
    }
    let described = match target {
        Target::All => one_workload(&pods, source)?,
        _ => target.describe(),
    };
    let events = of_kind("Event")
        .filter(|e| e.pointer("/involvedObject/kind").and_then(Value::as_str) == Some("Pod"))
        .map(|e| parse::<Event>("Event", e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Picked {
        pods,
        events,
        described,
    })
}

/// The one workload every pod belongs to, or the error naming them all.
fn one_workload(pods: &[Pod], source: &str) -> Result<String, PickError> {
    let namespaces: std::collections::BTreeSet<&str> = pods
        .iter()
        .filter_map(|p| p.metadata.namespace.as_deref())
        .collect();
    let workloads: std::collections::BTreeSet<String> = pods
        .iter()
        .map(|p| {
            let workload = workload_of(p);
            match (&p.metadata.namespace, namespaces.len() > 1) {
                (Some(ns), true) => format!("{ns}/{workload}"),
                _ => workload,
            }
        })
        .collect();
    let mut workloads: Vec<String> = workloads.into_iter().collect();
    match workloads.len() {
        1 => Ok(workloads.remove(0)),
        _ => Err(PickError::SeveralWorkloads {
            origin: source.to_string(),
            workloads,
        }),
    }
}

/// The workload that owns a pod: its controller (a ReplicaSet named `NAME-<pod-template-hash>`
/// stands for Deployment `NAME`). Pods without one (a hand-written dump) count as one group.
fn workload_of(pod: &Pod) -> String {
    let owners = pod.metadata.owner_references.as_deref().unwrap_or_default();
    let Some(owner) = owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first())
    else {
        return "pods without a controller".to_string();
    };
    let hash = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("pod-template-hash"));
    let deployment = hash.and_then(|h| owner.name.strip_suffix(&format!("-{h}")));
    match (owner.kind.as_str(), deployment) {
        ("ReplicaSet", Some(name)) => format!("deployment/{name}"),
        (kind, _) => format!("{}/{}", kind.to_ascii_lowercase(), owner.name),
    }
}

/// Whether a pod belongs to the target.
fn is_target(pod: &Pod, target: &Target, deployment_selector: Option<&Selector>) -> bool {
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    match (target, deployment_selector) {
        (Target::Deployment(_), Some(selector)) => selector.matches(&labels),
        (Target::Deployment(name), None) => {
            let Some(hash) = labels.get("pod-template-hash") else {
                return false;
            };
            let replica_set = format!("{name}-{hash}");
            pod.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "ReplicaSet" && o.name == replica_set)
        }
        (Target::Selector(_, selector), _) => selector.matches(&labels),
        (Target::All, _) => true,
    }
}

/// An object as its typed form, with an error naming it.
fn parse<T: serde::de::DeserializeOwned>(
    kind: &'static str,
    object: &Value,
) -> Result<T, PickError> {
    serde_path_to_error::deserialize(object).map_err(|e| PickError::Malformed {
        kind,
        name: object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>")
            .to_string(),
        message: e.to_string(),
    })
}

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
    /// Container restarts so far; with restarts, "ready" is the last time the pod became ready
    /// and includes the failed attempts.
    pub restarts: i32,
    /// Why its ready time is left out of the statistics (its Ready transition is not its first
    /// start), if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<String>,
}

/// Ready this long after the containers started, with no restart, is no start-up: an hour,
/// the longest window the HPA can express.
pub const LATE_READY_SECONDS: f64 = 3600.0;

/// A pod's start-to-ready beyond this many times the other pods' median is an outlier (when
/// it is also [`OUTLIER_MARGIN_SECONDS`] beyond it).
const OUTLIER_FACTOR: f64 = 4.0;

/// The least an outlier exceeds the other pods' median start-to-ready by: ten minutes, more
/// than a cold node's weight download adds.
const OUTLIER_MARGIN_SECONDS: f64 = 600.0;

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
    /// Ready pods whose ready time is left out (see [`PodTimeline::left_out`]).
    pub left_out: Vec<String>,
}

/// Builds each pod's timeline and the summaries. `events` may hold events of other objects:
/// only those whose `involvedObject` is one of the pods count.
pub fn assess(namespace: &str, selector: &str, pods: &[Pod], events: &[Event]) -> PodsReport {
    let mut timelines: Vec<PodTimeline> = pods.iter().map(|p| timeline(p, events)).collect();
    timelines.sort_by(|a, b| a.name.cmp(&b.name));
    leave_out_late_ready(&mut timelines, pods);
    let phase = |f: fn(&PodTimeline) -> Option<f64>| {
        stats::summarize(&timelines.iter().filter_map(f).collect::<Vec<_>>())
    };
    let names = |keep: fn(&PodTimeline) -> bool| {
        timelines
            .iter()
            .filter(|t| keep(t))
            .map(|t| t.name.clone())
            .collect()
    };
    PodsReport {
        namespace: namespace.to_string(),
        selector: selector.to_string(),
        scheduled: phase(|t| t.scheduled_seconds),
        image_pulled: phase(|t| t.image_pulled_seconds),
        // A container restarted after serving started again; a flapped pod's start stands.
        started: phase(|t| {
            t.started_seconds
                .filter(|_| t.left_out.is_none() || t.restarts == 0)
        }),
        ready: phase(|t| t.ready_seconds.filter(|_| t.left_out.is_none())),
        not_ready: names(|t| t.ready_seconds.is_none()),
        left_out: names(|t| t.left_out.is_some()),
        pods: timelines,
    }
}

/// Marks the pods whose Ready transition is not their first start (see the module's doc).
fn leave_out_late_ready(timelines: &mut [PodTimeline], pods: &[Pod]) {
    // Start-to-ready of the pods without restarts, by name.
    let gaps: Vec<(String, f64)> = timelines
        .iter()
        .filter(|t| t.restarts == 0)
        .filter_map(|t| Some((t.name.clone(), t.ready_seconds? - t.started_seconds?)))
        .collect();
    for t in timelines.iter_mut() {
        let pod = pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(t.name.as_str()));
        t.left_out = match (t.restarts, pod) {
            (0, _) => late_first_ready(t, &gaps),
            (_, Some(pod)) => restarted_after_serving(pod),
            (_, None) => None,
        };
    }
}

/// With no restart: Ready over an hour after the containers started, or far beyond the other
/// pods' start-to-ready.
fn late_first_ready(t: &PodTimeline, gaps: &[(String, f64)]) -> Option<String> {
    let gap = t.ready_seconds? - t.started_seconds?;
    let others: Vec<f64> = gaps
        .iter()
        .filter(|(name, _)| *name != t.name)
        .map(|(_, g)| *g)
        .collect();
    let reference = stats::summarize(&others).map(|s| s.median);
    let outlier =
        reference.is_some_and(|r| gap > (OUTLIER_FACTOR * r).max(r + OUTLIER_MARGIN_SECONDS));
    if gap <= LATE_READY_SECONDS && !outlier {
        return None;
    }
    let compared = reference.map_or_else(String::new, |r| {
        format!(", where the other pods took {}", stats::human_duration(r))
    });
    Some(format!(
        "Ready {} after its containers started, with no restart{compared}: its readiness \
         flapped later, so when it first became ready is unknown",
        stats::human_duration(gap)
    ))
}

/// With restarts: a previous container that had run for over an hour, so the Ready time is
/// the restart's, not the pod's start-up.
fn restarted_after_serving(pod: &Pod) -> Option<String> {
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    let longest = statuses
        .iter()
        .filter_map(|s| {
            let last = s.last_state.as_ref()?.terminated.as_ref()?;
            Some(seconds_between(
                last.started_at.as_ref()?.0,
                last.finished_at.as_ref()?.0,
            ))
        })
        .fold(0.0, f64::max);
    (longest > LATE_READY_SECONDS).then(|| {
        format!(
            "a container restarted after running {}: its Ready time is the restart's, not the \
             pod's start-up",
            stats::human_duration(longest)
        )
    })
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
        // A pod whose Ready condition is false is still starting or failing: `None` keeps it
        // out of the summaries.
        ready_seconds: since(condition_true_at(pod, "Ready")),
        restarts: restarts(pod),
        left_out: None,
    }
}

/// The restarts of all the pod's containers.
fn restarts(pod: &Pod) -> i32 {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    statuses
        .into_iter()
        .flatten()
        .map(|s| s.restart_count)
        .sum()
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

    fn with_owner(mut pod: Pod, replica_set: &str, hash: &str) -> Pod {
        pod.metadata.labels = Some([("pod-template-hash".to_string(), hash.to_string())].into());
        pod.metadata.owner_references = Some(vec![
            serde_json::from_value(serde_json::json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": replica_set, "uid": "rs"
            }))
            .unwrap(),
        ]);
        pod
    }

    fn value<T: serde::Serialize>(kind: &str, object: &T) -> Value {
        let mut v = serde_json::to_value(object).unwrap();
        v["kind"] = kind.into();
        v
    }

    #[test]
    fn a_deployment_without_its_object_is_found_by_replica_set_name() {
        let objects = vec![
            value(
                "Pod",
                &with_owner(pod("llama-7d9-a", true), "llama-7d9", "7d9"),
            ),
            value(
                "Pod",
                &with_owner(pod("llama-canary-5c-b", true), "llama-canary-5c", "5c"),
            ),
            value("Event", &pulled("llama-7d9-a", "2026-12-01T10:01:05Z")),
        ];
        let target = Target::Deployment("llama".to_string());
        let picked = pick(&objects, &target, None, "dump.yaml").unwrap();
        assert_eq!(picked.pods.len(), 1);
        assert_eq!(picked.pods[0].metadata.name.as_deref(), Some("llama-7d9-a"));
        assert_eq!(picked.events.len(), 1);
        let err = pick(
            &objects,
            &Target::Deployment("mistral".into()),
            Some("serving"),
            "dump.yaml",
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "no pods match deployment/mistral in dump.yaml, namespace serving"
        );
    }

    #[test]
    fn every_pod_of_a_dump_must_belong_to_one_workload() {
        let llama = value(
            "Pod",
            &with_owner(pod("llama-7d9-a", true), "llama-7d9", "7d9"),
        );
        let canary = value(
            "Pod",
            &with_owner(pod("llama-canary-5c-b", true), "llama-canary-5c", "5c"),
        );
        let err = pick(&[llama.clone(), canary], &Target::All, None, "dump.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dump.yaml holds pods of several workloads (deployment/llama, \
             deployment/llama-canary): pick one with --deployment or -l"
        );
        let one = pick(
            std::slice::from_ref(&llama),
            &Target::All,
            None,
            "dump.yaml",
        )
        .unwrap();
        assert_eq!(one.described, "deployment/llama");
        let orphans = [value("Pod", &pod("a", true)), value("Pod", &pod("b", true))];
        let picked = pick(&orphans, &Target::All, None, "dump.yaml").unwrap();
        assert_eq!(picked.described, "pods without a controller");
        let err = pick(
            &[orphans[0].clone(), llama],
            &Target::All,
            None,
            "dump.yaml",
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("(deployment/llama, pods without a controller)")
        );
    }

    #[test]
    fn a_malformed_pod_is_named() {
        let objects = vec![serde_json::json!({
            "kind": "Pod", "metadata": {"name": "bad"}, "status": {"conditions": "yes"}
        })];
        let err = pick(&objects, &Target::All, None, "dump.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Pod bad: status.conditions"), "{err}");
    }

    /// A pod created at 10:00:00 whose container started at 10:01:00 and that became ready
    /// `ready_after_start` seconds later, with no restart.
    fn started_then_ready(name: &str, ready_after_start: i64) -> Pod {
        let ready = jiff::Timestamp::from_second(1_796_119_260 + ready_after_start).unwrap();
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "creationTimestamp": "2026-12-01T10:00:00Z"},
            "spec": {"containers": []},
            "status": {
                "conditions": [{"type": "Ready", "status": "True",
                                "lastTransitionTime": ready.to_string()}],
                "containerStatuses": [{"name": "vllm", "image": "vllm", "imageID": "",
                    "ready": true, "restartCount": 0,
                    "state": {"running": {"startedAt": "2026-12-01T10:01:00Z"}}}]
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_ready_time_far_beyond_the_other_pods_is_left_out() {
        let pods = [
            started_then_ready("a", 120),
            started_then_ready("b", 130),
            started_then_ready("c", 1500),
        ];
        let report = assess("serving", "app=llama", &pods, &[]);
        assert_eq!(report.left_out, ["c"]);
        assert_eq!(report.ready.unwrap().count, 2);
        assert_eq!(report.pods[0].ready_seconds, Some(180.0));

        // Five minutes where the others take one is a slow node, not a flap: within the margin.
        let pods = [
            started_then_ready("a", 60),
            started_then_ready("b", 60),
            started_then_ready("c", 300),
        ];
        assert!(assess("serving", "x", &pods, &[]).left_out.is_empty());

        // Alone, a pod is left out only past an hour.
        let alone = assess("serving", "x", &[started_then_ready("a", 3000)], &[]);
        assert!(alone.left_out.is_empty());
        let alone = assess("serving", "x", &[started_then_ready("a", 3700)], &[]);
        assert_eq!(alone.left_out, ["a"]);
        assert_eq!(alone.ready, None);
        assert!(alone.not_ready.is_empty());
        let report =
            crate::coldstart::report::ProbeReport::conclude(None, None, None, Some(alone), vec![]);
        let text = crate::render::probe::human(&report);
        assert!(
            text.contains(
                "Cold start: not measured: the ready pods' times are left out (a), so no \
                 recommendations"
            ),
            "{text}"
        );
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
        assert_eq!(report.pods[0].restarts, 0);
    }
}

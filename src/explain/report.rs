//! The result of `explain` as data: the fields DESIGN.md names (`replicas`, `triggers[]`,
//! `activation`, `limits`, `kueue`, `steps[]`) plus the causes in plain words, the pods and
//! the recent events. The renderers print it as a table, JSON or YAML.

use jiff::Timestamp;
use serde::Serialize;

use super::cause;
use super::join::{EventView, Joined, TriggerView, ValueSource};
use super::kueue::KueueInfo;
use super::pods::{self, PodCounts, PodInfo, TargetInfo};
use crate::engine::{self, Activation, ActivitySource, Decision, Limit, Milli, Step};

/// Why one ScaledObject has its replicas.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The ScaledObject's namespace.
    pub namespace: String,
    /// The ScaledObject's name.
    pub name: String,
    /// The instant explained.
    pub at: Timestamp,
    /// The binding cause in plain words.
    pub cause: String,
    /// Every cause, the binding one first.
    pub causes: Vec<String>,
    /// What the decision could not know (a metric with no observed value, KEDA's activity
    /// unknown); empty when complete.
    pub incomplete: Vec<String>,
    /// Replica counts.
    pub replicas: Replicas,
    /// The scale target.
    pub target: TargetInfo,
    /// The HPA KEDA made.
    pub hpa: HpaRef,
    /// The triggers, their values and proposals.
    pub triggers: Vec<TriggerReport>,
    /// KEDA's activation.
    pub activation: Option<Activation>,
    /// What capped or held the decision, the binding one first.
    pub limits: Vec<Limit>,
    /// Kueue's view, when the target is queued.
    pub kueue: Option<KueueInfo>,
    /// The target's pods by state.
    pub pods: PodCounts,
    /// The target's pods.
    pub pod_list: Vec<PodInfo>,
    /// The decision steps in order.
    pub steps: Vec<Step>,
    /// Recent events of the ScaledObject and its HPA, newest first.
    pub events: Vec<EventView>,
}

/// Replica counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replicas {
    /// `scale.spec.replicas` now.
    pub current: i32,
    /// What the controllers will set.
    pub desired: i32,
    /// The HPA's minReplicas.
    pub min: i32,
    /// The HPA's maxReplicas.
    pub max: i32,
    /// Running and Ready pods.
    pub ready: usize,
}

/// The HPA behind the ScaledObject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaRef {
    /// Its name.
    pub name: String,
    /// Whether it was found.
    pub found: bool,
}

/// One trigger in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerReport {
    /// The trigger's name, else its metric name.
    pub name: String,
    /// The scaler type.
    #[serde(rename = "type")]
    pub trigger_type: String,
    /// The HPA metric name.
    pub metric_name: Option<String>,
    /// `AverageValue`, `Value` or `Utilization`.
    pub metric_type: String,
    /// The value the HPA compares (total), exactly (serialized in units).
    pub value: Option<Milli>,
    /// Where the value came from.
    pub value_source: ValueSource,
    /// The value of the query run directly against Prometheus (`--prometheus`).
    pub prometheus_value: Option<f64>,
    /// The target, exactly (serialized in units).
    pub target: Option<Milli>,
    /// The usage ratio the HPA tests against its tolerance.
    pub ratio: Option<f64>,
    /// Whether the ratio is within tolerance.
    pub within_tolerance: bool,
    /// The replicas this trigger proposes.
    pub proposed_replicas: Option<i32>,
    /// Whether this trigger's proposal won the max over triggers.
    pub chosen: bool,
    /// Whether KEDA counts it active (value above activationThreshold, or fallback).
    pub active: Option<bool>,
    /// Where `active` comes from: the value, or KEDA's status when no value was observed.
    pub activity_source: Option<ActivitySource>,
    /// `activationThreshold`.
    pub activation_threshold: f64,
    /// Why the value or the proposal is approximate.
    pub approximate: Option<String>,
    /// Why no value could be read.
    pub failure: Option<String>,
    /// The Prometheus query.
    pub query: Option<String>,
}

/// Runs the engine on a joined ScaledObject and builds its report.
pub fn build(joined: Joined) -> Report {
    let decision = engine::decide(&joined.input);
    let counts = pods::count(&joined.pods);
    let causes = cause::causes(&joined, &decision, &counts);
    let triggers = joined
        .triggers
        .iter()
        .map(|t| trigger_report(t, &decision))
        .collect();
    Report {
        namespace: joined.namespace,
        name: joined.name,
        at: joined.input.now,
        cause: causes[0].clone(),
        causes,
        incomplete: decision.incomplete,
        replicas: Replicas {
            current: decision.current,
            desired: decision.desired,
            min: decision.min,
            max: decision.max,
            ready: counts.ready,
        },
        target: joined.target,
        hpa: HpaRef {
            name: joined.hpa_name,
            found: joined.hpa_found,
        },
        triggers,
        activation: decision.activation,
        limits: decision.limits,
        kueue: joined.kueue,
        pods: counts,
        pod_list: joined.pods,
        steps: decision.steps,
        events: joined.events,
    }
}

fn trigger_report(trigger: &TriggerView, decision: &Decision) -> TriggerReport {
    let metric = trigger.metric_name.as_deref();
    let proposal = decision
        .proposals
        .iter()
        .find(|p| Some(p.metric_name.as_str()) == metric);
    // cpu/memory triggers take no part in KEDA's activity.
    let resource = matches!(trigger.trigger_type.as_str(), "cpu" | "memory");
    let activity = decision
        .activation
        .as_ref()
        .filter(|_| !resource)
        .and_then(|a| {
            a.triggers
                .iter()
                .find(|t| Some(t.metric_name.as_str()) == metric)
        });
    TriggerReport {
        name: trigger
            .name
            .clone()
            .or_else(|| trigger.metric_name.clone())
            .unwrap_or_else(|| trigger.trigger_type.clone()),
        trigger_type: trigger.trigger_type.clone(),
        metric_name: trigger.metric_name.clone(),
        metric_type: trigger.metric_type.clone(),
        value: trigger.value,
        value_source: trigger.value_source,
        prometheus_value: trigger.prometheus_value,
        target: trigger.target,
        ratio: proposal.and_then(|p| p.ratio),
        within_tolerance: proposal.is_some_and(|p| p.within_tolerance),
        proposed_replicas: proposal.and_then(|p| p.proposed_replicas),
        chosen: proposal.is_some_and(|p| p.chosen),
        active: activity.map(|a| a.active),
        activity_source: activity.map(|a| a.source),
        activation_threshold: trigger.activation_threshold,
        approximate: trigger
            .approximate
            .clone()
            .or_else(|| proposal.and_then(|p| p.approximate.clone())),
        failure: trigger.failure.clone(),
        query: trigger.query.clone(),
    }
}

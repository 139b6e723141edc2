//! The result of `explain` as data: the fields DESIGN.md names (`replicas`, `triggers[]`,
//! `activation`, `limits`, `kueue`, `steps[]`) plus the causes in plain words, the pods and
//! the recent events. The renderers print it as a table, JSON or YAML.

use jiff::Timestamp;
use serde::Serialize;

use super::Clock;
use super::cause;
use super::join::{End, EventView, Joined, TriggerView, ValueSource};
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
    /// Where the instant comes from: `--at`, the clock, or the newest time in a dump.
    pub at_source: String,
    /// The binding cause in plain words.
    pub cause: String,
    /// Every cause, the binding one first.
    pub causes: Vec<String>,
    /// What the decision could not know (a metric with no observed value, KEDA's activity
    /// unknown); empty when complete.
    pub incomplete: Vec<String>,
    /// What to know about the sources: approximate or ambiguous values, assumptions.
    pub notes: Vec<String>,
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
    /// The ScaledObject's `minReplicaCount` (0 when it scales to zero), not the floor of at
    /// least 1 that KEDA gives its HPA; an invalid negative count shows as that floor, which is
    /// what KEDA keeps a running target at.
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
    /// The range the exact value lies in, when only a rounded figure was read.
    pub value_range: Option<[Milli; 2]>,
    /// Why no value could be read.
    pub failure: Option<String>,
    /// The Prometheus query.
    pub query: Option<String>,
}

/// Runs the engine on a joined ScaledObject and builds its report.
pub fn build(mut joined: Joined, clock: &Clock) -> Report {
    let decision = decide(&mut joined);
    cross_check(&mut joined, &decision);
    let cooling = decision
        .limits
        .iter()
        .any(|l| matches!(l, Limit::KedaCooldown { .. }));
    if clock.from_last_active_time && cooling {
        joined.notes.push(
            "the newest time in the file is a ScaledObject's lastActiveTime, which an idle \
             ScaledObject stops refreshing: the dump may be later than the instant explained, \
             so the cooldown may have less left than shown; pass --at"
                .to_string(),
        );
    }
    let counts = pods::count(&joined.pods);
    let min = shown_min(&joined.input, decision.min);
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
        at_source: clock.source.clone(),
        cause: causes[0].clone(),
        causes,
        incomplete: decision.incomplete,
        notes: joined.notes,
        replicas: Replicas {
            current: decision.current,
            desired: decision.desired,
            min,
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

/// The minimum people read: KEDA's `minReplicaCount`, which may be 0, where the engine's HPA
/// arithmetic uses the HPA's own floor (`max(minReplicaCount, 1)`, as KEDA writes it).
fn shown_min(input: &engine::input::Input, hpa_min: i32) -> i32 {
    match input.keda.as_ref().map(|k| k.min_replica_count) {
        Some(min) if min >= 0 => min,
        _ => hpa_min,
    }
}

/// Decides, and where a value is only known as a range (the HPA status rounds an average up
/// per replica), decides at both ends: the same decision needs no more; else the end whose
/// outcome the HPA itself reported is taken, and otherwise the low end, with a note.
fn decide(joined: &mut Joined) -> Decision {
    let likeliest = engine::decide(&joined.input);
    let Some((low_input, high_input)) = joined.input_ends.take() else {
        return likeliest;
    };
    let low = engine::decide(&low_input);
    let high = engine::decide(&high_input);
    let ranged: Vec<String> = joined
        .triggers
        .iter()
        .filter_map(|t| {
            let (a, b) = t.value_range?;
            Some(format!(
                "{} between {} and {}",
                trigger_label(t),
                a.as_f64(),
                b.as_f64()
            ))
        })
        .collect();
    let ranged = ranged.join(", ");
    let proposals = |d: &Decision| {
        d.proposals
            .iter()
            .map(|p| p.proposed_replicas)
            .collect::<Vec<_>>()
    };
    if low.desired == high.desired {
        let proposals_too = if proposals(&low) == proposals(&high) {
            ""
        } else {
            " (the proposals differ, the outcome does not)"
        };
        joined.notes.push(format!(
            "approximate value: the HPA status rounds the average up per replica ({ranged}); \
             the decision is the same anywhere in that range{proposals_too}"
        ));
        return likeliest;
    }
    let reported = &joined.hpa_reported;
    let comparable = reported.current_replicas == Some(joined.input.current_replicas);
    let matches = |d: &Decision| comparable && reported.desired_replicas == Some(d.hpa_desired);
    let (pick, why) = match (matches(&low), matches(&high)) {
        (false, true) => (
            Some(End::High),
            "the HPA's own desiredReplicas matches the top of the range",
        ),
        (true, false) => (
            Some(End::Low),
            "the HPA's own desiredReplicas matches the bottom of the range",
        ),
        _ => (
            None,
            "taken at the likeliest value (a whole number if the range holds one, else the \
             bottom); name the ScaledObject to read the exact value from the external metrics \
             API, or pass --prometheus",
        ),
    };
    joined.notes.push(format!(
        "approximate value: the HPA status rounds the average up per replica ({ranged}), and \
         the decision depends on where: {} at the bottom, {} at the top; {why}",
        low.desired, high.desired
    ));
    let Some(end) = pick else {
        return likeliest;
    };
    joined.triggers = super::join::at_end(&joined.triggers, end);
    match end {
        End::Low => {
            joined.input = low_input;
            low
        }
        End::High => {
            joined.input = high_input;
            high
        }
    }
}

/// Compares the HPA's part of the decision with what the HPA itself reported at its last sync
/// (at the same replica count): a difference means the inputs differ from what it saw.
fn cross_check(joined: &mut Joined, decision: &Decision) {
    let reported = &joined.hpa_reported;
    if reported.current_replicas != Some(decision.current) {
        return;
    }
    if let Some(desired) = reported
        .desired_replicas
        .filter(|d| *d != decision.hpa_desired)
    {
        joined.notes.push(format!(
            "the HPA's last sync (at most a sync period, 15 s by default, ago) set \
             desiredReplicas {desired} at these {} replicas; this explanation gives the HPA {}: \
             the values have changed since, or the history or inputs differ from what it saw",
            decision.current, decision.hpa_desired
        ));
    }
}

fn trigger_label(t: &TriggerView) -> String {
    t.metric_name
        .clone()
        .or_else(|| t.name.clone())
        .unwrap_or_else(|| t.trigger_type.clone())
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
        value_range: trigger.value_range.map(|(low, high)| [low, high]),
        approximate: trigger
            .approximate
            .clone()
            .or_else(|| proposal.and_then(|p| p.approximate.clone())),
        failure: trigger.failure.clone(),
        query: trigger.query.clone(),
    }
}

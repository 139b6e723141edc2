//! What the engine answers: the desired replicas, the per-metric proposals, what capped the
//! decision, KEDA's activation, the HPA conditions, and the steps in decision order. All data;
//! the renderers turn it into prose, a table or JSON.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::input::{History, HistoryBasis};
use super::quantity::Milli;
use super::replicas::Tolerances;

/// The decision for one ScaledObject / HPA at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The replicas the target has now (`scale.spec.replicas`).
    pub current: i32,
    /// The replicas the controllers will set (equal to `current` when nothing changes).
    pub desired: i32,
    /// What the HPA alone sets (its `status.desiredReplicas`), before KEDA's executor.
    pub hpa_desired: i32,
    /// The HPA's minReplicas.
    pub min: i32,
    /// The HPA's maxReplicas.
    pub max: i32,
    /// The tolerance band the HPA applied (global flag, or the per-HPA behavior override).
    pub tolerance: Tolerances,
    /// The HPA's raw proposal: the max over the metrics, before stabilization and limits;
    /// `None` when the metrics were not computed.
    pub recommendation: Option<i32>,
    /// One proposal per metric, in spec order (after KEDA's fallback / formula).
    pub proposals: Vec<Proposal>,
    /// What capped or held the decision, the binding one first; empty when nothing did.
    pub limits: Vec<Limit>,
    /// KEDA's activation, when the HPA belongs to a ScaledObject.
    pub activation: Option<Activation>,
    /// The HPA conditions as upstream would set them.
    pub conditions: Vec<Condition>,
    /// The steps in decision order.
    pub steps: Vec<Step>,
    /// What the decision could not know, in plain words (a metric with no observed value,
    /// KEDA's activity unknown); empty when it is complete.
    pub incomplete: Vec<String>,
    /// The controller history after this decision (for a simulation's next step).
    #[serde(skip)]
    pub history: History,
}

impl Decision {
    /// The limit that decided the outcome, if any.
    pub fn binding(&self) -> Option<&Limit> {
        self.limits.first()
    }
}

/// One metric's proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// The metric name.
    pub metric_name: String,
    /// `External`, `Object`, `Pods`, `Resource` or `ContainerResource`.
    pub metric_type: &'static str,
    /// `Value`, `AverageValue` or `Utilization`.
    pub target_type: &'static str,
    /// The KEDA trigger name, when there is one.
    pub trigger_name: Option<String>,
    /// The value compared with the target: the total for Value, the per-replica average
    /// for AverageValue (as the HPA status reports it), the percent for Utilization.
    pub value: Option<Milli>,
    /// The single value the metric reported (Object value or sum of the External series),
    /// before any averaging; `None` for per-pod metrics.
    pub total: Option<Milli>,
    /// The target (percent for Utilization).
    pub target: Milli,
    /// The usage ratio tested against the tolerance.
    pub ratio: Option<f64>,
    /// The replicas this metric proposes; `None` when invalid.
    pub proposed_replicas: Option<i32>,
    /// Whether the ratio was within the tolerance band (so the proposal is the current count).
    pub within_tolerance: bool,
    /// The replica count the formula multiplied or compared with.
    pub basis: Option<Basis>,
    /// Why the metric could not be used, as the HPA would report it.
    pub invalid_reason: Option<String>,
    /// Why no value is known for the metric (not a failure: the proposal is unknown).
    pub not_observed: Option<String>,
    /// Why the proposal may differ from the HPA's (computed from a reported average rather
    /// than per-pod samples).
    pub approximate: Option<String>,
    /// Whether this metric won the max over metrics.
    pub chosen: bool,
}

/// Which replica count a proposal is based on (they differ during cold starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "count", rename_all = "camelCase")]
pub enum Basis {
    /// `scale.spec.replicas`.
    SpecReplicas(i32),
    /// `scale.status.replicas` (every non-terminated pod, ready or not).
    StatusReplicas(i32),
    /// Running and Ready pods.
    ReadyPods(i32),
    /// Pods with a sample after the missing/unready rebalancing.
    SampledPods(i32),
    /// No replicas at all (from zero: `ceil(ratio)`).
    Zero(i32),
}

/// What capped or held a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Limit {
    /// Held at the HPA's maxReplicas (KEDA's maxReplicaCount).
    MaxReplicas {
        /// The cap.
        max: i32,
        /// What the metrics asked for.
        wanted: i32,
    },
    /// Held at the HPA's minReplicas.
    MinReplicas {
        /// The floor.
        min: i32,
        /// What the metrics asked for.
        wanted: i32,
        /// KEDA's minReplicaCount, when the HPA belongs to a ScaledObject (0 gives the HPA a
        /// floor of 1: KEDA, not the HPA, goes to 0).
        min_replica_count: Option<i32>,
    },
    /// The target is above maxReplicas: the HPA sets it to max before reading any metric.
    CurrentAboveMax {
        /// The cap.
        max: i32,
        /// The replicas the target has.
        current: i32,
    },
    /// The target is below minReplicas: the HPA sets it to min before reading any metric.
    CurrentBelowMin {
        /// The floor.
        min: i32,
        /// The replicas the target has.
        current: i32,
    },
    /// The legacy path's per-sync scale-up cap, `max(2 × current, 4)`.
    LegacyScaleUpLimit {
        /// The cap.
        limit: i32,
        /// What was asked for.
        wanted: i32,
    },
    /// A behavior scale-up policy.
    ScaleUpPolicy {
        /// The cap.
        limit: i32,
        /// What was asked for.
        wanted: i32,
        /// The policy period that binds, when one does (none when selectPolicy is Disabled).
        period_seconds: Option<i32>,
        /// Whether selectPolicy is Disabled.
        disabled: bool,
    },
    /// A behavior scale-down policy.
    ScaleDownPolicy {
        /// The floor.
        limit: i32,
        /// What was asked for.
        wanted: i32,
        /// The policy period that binds, when one does.
        period_seconds: Option<i32>,
        /// Whether selectPolicy is Disabled.
        disabled: bool,
    },
    /// The scale-up stabilization window held the count below the proposal.
    ScaleUpStabilized {
        /// The count held.
        held_at: i32,
        /// What the metrics asked for.
        wanted: i32,
        /// The window.
        window_seconds: i64,
        /// When the recommendation that holds the count leaves the window (the latest of
        /// tied ones); `None` when the history is assumed.
        until: Option<Timestamp>,
        /// What the hold rests on: a kept history, one rebuilt from rescale events, or none.
        history: HistoryBasis,
    },
    /// The scale-down stabilization window held the count above the proposal.
    ScaleDownStabilized {
        /// The count held.
        held_at: i32,
        /// What the metrics asked for.
        wanted: i32,
        /// The window.
        window_seconds: i64,
        /// When the recommendation that holds the count leaves the window (the latest of
        /// tied ones); `None` when the history is assumed.
        until: Option<Timestamp>,
        /// What the hold rests on: a kept history, one rebuilt from rescale events, or none.
        history: HistoryBasis,
    },
    /// A metric could not be read, and the HPA does not scale down while one is invalid (or
    /// does nothing when all are).
    InvalidMetrics {
        /// The first invalid metric.
        metric: String,
        /// The HPA condition reason (`FailedGetExternalMetric`, …).
        reason: String,
    },
    /// The target is at 0 replicas: the HPA is disabled, KEDA owns 0 ↔ 1.
    ScalingDisabled,
    /// KEDA: no trigger active and the target already at 0 (or idleReplicaCount): at rest,
    /// KEDA's normal state for an idle workload.
    KedaAtRest {
        /// The replicas held (0 or idleReplicaCount).
        replicas: i32,
        /// Where the activity was read from.
        activity: ActivitySource,
    },
    /// KEDA: no trigger active and the cooldown has passed: the target goes to 0 / idle.
    KedaInactive {
        /// The replicas KEDA writes (0 or idleReplicaCount).
        to: i32,
    },
    /// KEDA: no trigger active, but the cooldown has not passed.
    KedaCooldown {
        /// The cooldown (cooldownPeriod, or initialCooldownPeriod before the first activity).
        period_seconds: i64,
        /// When it ends.
        until: Option<Timestamp>,
        /// Seconds left.
        remaining_seconds: i64,
    },
    /// KEDA: a trigger is active and the target was at 0 / idle: KEDA writes minReplicaCount
    /// (or 1).
    KedaActivation {
        /// The replicas KEDA writes.
        to: i32,
    },
    /// KEDA: a trigger failed and there is no fallback: KEDA does not scale to zero.
    KedaTriggerError {
        /// The failing metric.
        metric: String,
    },
    /// KEDA's fallback replaced a failing metric.
    Fallback {
        /// The failing metric.
        metric: String,
        /// The replicas the fallback asks for.
        replicas: i32,
    },
    /// A trigger returned no data and KEDA read it as 0 (`ignoreNullValues: true`).
    NoDataReadAsZero {
        /// The metric.
        metric: String,
    },
    /// The ScaledObject is paused: the HPA is removed and the replicas are frozen.
    Paused {
        /// The replicas held (paused-replicas, or the current count).
        replicas: i32,
    },
    /// `paused-scale-in` blocks KEDA's scale to zero / idle.
    PausedScaleIn,
    /// `paused-scale-out` blocks KEDA's activation from zero / idle.
    PausedScaleOut,
}

/// KEDA's activation for the ScaledObject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    /// Whether the ScaledObject is active (any trigger active, or forced).
    pub active: bool,
    /// Whether any trigger errored without fallback.
    pub error: bool,
    /// Per-trigger activity, in trigger order.
    pub triggers: Vec<TriggerActivity>,
    /// The composite value and activation target, when scalingModifiers is used.
    pub composite: Option<CompositeActivity>,
    /// Whether `force-activation` forced it.
    pub forced: bool,
    /// Where the activity was read from: the trigger values, KEDA's own status (a value was
    /// not observed), or nowhere.
    pub source: ActivitySource,
    /// The KEDA `Active` condition reason: `ScalerActive`, `ScalerNotActive`, `ScalerCooldown`.
    pub reason: &'static str,
    /// `status.lastActiveTime` after this poll: `now` when active (unless a trigger errored
    /// while the target was already scaled, which KEDA reports as `PartialTriggerError`
    /// without refreshing it), else unchanged.
    pub last_active_time: Option<Timestamp>,
}

/// One trigger's activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerActivity {
    /// The metric name (`s0-prometheus`).
    pub metric_name: String,
    /// The trigger name, when set.
    pub trigger_name: Option<String>,
    /// The value read (None when it failed).
    pub value: Option<f64>,
    /// `activationThreshold`.
    pub activation_threshold: f64,
    /// `value > activationThreshold`, or a fallback in effect.
    pub active: bool,
    /// Whether a fallback is in effect for it.
    pub fallback: bool,
    /// The error, when the fetch failed.
    pub error: Option<String>,
    /// Where `active` comes from.
    pub source: ActivitySource,
}

/// Where an activity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivitySource {
    /// Computed from the observed values (value > activationThreshold, fallback, formula).
    Values,
    /// Reported by KEDA in the ScaledObject's status (`triggersActivity`, the `Active`
    /// condition), because a value was not observed.
    ScaledObjectStatus,
    /// Not known: no value and no status.
    Unknown,
}

/// The composite (scalingModifiers) activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeActivity {
    /// The formula.
    pub formula: String,
    /// Its value (None when it could not be evaluated).
    pub value: Option<f64>,
    /// `activationTarget`.
    pub activation_target: f64,
}

/// An HPA condition as upstream sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `AbleToScale`, `ScalingActive` or `ScalingLimited`.
    #[serde(rename = "type")]
    pub condition_type: &'static str,
    /// True or False.
    pub status: bool,
    /// The upstream reason (`ScaleDownStabilized`, `TooManyReplicas`, …).
    pub reason: &'static str,
    /// The upstream message.
    pub message: String,
}

/// One step of the decision, in order: data plus a short plain-words text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// What happened, with its numbers.
    #[serde(flatten)]
    pub detail: StepDetail,
    /// The same in a short sentence.
    pub text: String,
}

/// The data of a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StepDetail {
    /// The ScaledObject is paused.
    Paused {
        /// The replicas held.
        replicas: i32,
    },
    /// A pre-check decided without metrics (target at 0, above max, below min).
    PreCheck {
        /// `currentAboveMax`, `currentBelowMin` or `scalingDisabled`.
        case: &'static str,
        /// The result.
        desired: i32,
    },
    /// No history was given: the controller is assumed to have just (re)started.
    HistoryAssumed {
        /// The seeded recommendation.
        replicas: i32,
    },
    /// The history was rebuilt from the HPA's rescale events.
    HistoryRebuilt {
        /// The recommendations rebuilt.
        recommendations: usize,
    },
    /// KEDA replaced a failing metric by its fallback.
    Fallback {
        /// The metric.
        metric: String,
        /// Consecutive failures.
        failures: i32,
        /// The threshold.
        failure_threshold: i32,
        /// The replicas the fallback asks for.
        replicas: i32,
    },
    /// A trigger returned no data.
    NoData {
        /// The metric.
        metric: String,
        /// Whether it was read as 0.
        read_as_zero: bool,
    },
    /// KEDA evaluated the scalingModifiers formula.
    Formula {
        /// The formula.
        formula: String,
        /// The result.
        value: Option<f64>,
        /// The error, when it failed.
        error: Option<String>,
    },
    /// One metric's proposal.
    MetricProposal {
        /// The metric.
        metric: String,
        /// The value compared.
        value: Option<Milli>,
        /// The target.
        target: Milli,
        /// The ratio.
        ratio: Option<f64>,
        /// Within tolerance.
        within_tolerance: bool,
        /// The proposal.
        proposed_replicas: Option<i32>,
        /// The error, when invalid.
        invalid_reason: Option<String>,
    },
    /// The max over the metrics.
    MaxOverMetrics {
        /// The result.
        replicas: i32,
        /// The metric that won.
        metric: Option<String>,
    },
    /// The metrics could not decide: no scaling (all invalid, or invalid and scaling down).
    InvalidMetrics {
        /// The first invalid metric.
        metric: String,
        /// What the valid metrics proposed, if any.
        proposed: Option<i32>,
    },
    /// No metric has an observed value: the HPA's proposal is unknown.
    NotObserved {
        /// The metrics.
        metrics: Vec<String>,
    },
    /// The stabilization window.
    Stabilization {
        /// The proposal before.
        proposal: i32,
        /// The result.
        stabilized: i32,
        /// The scale-up window.
        up_window_seconds: i64,
        /// The scale-down window.
        down_window_seconds: i64,
    },
    /// The rate limits and min/max.
    RateLimit {
        /// The count before.
        wanted: i32,
        /// The result.
        limited: i32,
        /// The upstream reason (`ScaleUpLimit`, `TooManyReplicas`, `DesiredWithinRange`, …).
        reason: &'static str,
    },
    /// KEDA's activity check.
    KedaActivity {
        /// Active or not.
        active: bool,
    },
    /// KEDA's scale executor wrote (or held) the replicas.
    KedaScale {
        /// The replicas afterwards.
        replicas: i32,
        /// What it did: `activate`, `deactivate`, `cooldown`, `toMin`, `none`.
        action: &'static str,
    },
    /// The final count.
    Desired {
        /// The result.
        replicas: i32,
    },
}

/// Shorthand for a duration in whole seconds, for the step numbers.
pub(crate) fn seconds(duration: SignedDuration) -> i64 {
    duration.as_secs()
}

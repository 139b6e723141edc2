//! What the engine decides from: one ScaledObject / HPA at one instant, with its metrics, pods,
//! controller history and KEDA state. Built by `explain` (from the cluster or a file) and by
//! `simulate`; the engine never reads anything else, not even the clock.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::quantity::Milli;

/// Everything the decision depends on. `now` is an input: the engine reads no clock.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    /// The instant of the decision.
    pub now: Timestamp,
    /// `scale.spec.replicas` of the target: what the HPA calls current replicas.
    pub current_replicas: i32,
    /// `scale.status.replicas`: all non-terminated pods, used by AverageValue
    /// Object/External metrics.
    pub status_replicas: i32,
    /// The HPA's `spec.minReplicas` (1 when unset; KEDA writes `max(minReplicaCount, 1)`).
    pub min_replicas: i32,
    /// The HPA's `spec.maxReplicas` (KEDA: `maxReplicaCount`, default 100).
    pub max_replicas: i32,
    /// The metrics in spec order: the HPA's metrics, or the ScaledObject's triggers (KEDA
    /// turns them into the HPA's metrics, see [`MetricInput::trigger`]).
    pub metrics: Vec<MetricInput>,
    /// The pods matching the target's selector (Pods/Resource metrics and Value targets use
    /// them). Empty when unknown.
    pub pods: Vec<Pod>,
    /// The HPA's `spec.behavior`; `None` selects the legacy path.
    pub behavior: Option<Behavior>,
    /// kube-controller-manager settings.
    pub controller: ControllerConfig,
    /// What the HPA controller remembers about this HPA (recommendations, scale events).
    pub history: History,
    /// The KEDA side, when the HPA belongs to a ScaledObject.
    pub keda: Option<KedaInput>,
}

/// One metric: its source, target and what was observed for it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricInput {
    /// The metric name (`s0-prometheus`, `cpu`, `vllm:num_requests_waiting`).
    pub name: String,
    /// Where the HPA reads it.
    pub source: MetricSource,
    /// The target in the HPA spec.
    pub target: Target,
    /// What the metrics API (or the scaler) answered.
    pub observed: Observed,
    /// The KEDA trigger behind the metric, when there is one.
    pub trigger: Option<TriggerInfo>,
}

/// The HPA metric source types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "PascalCase",
    rename_all_fields = "camelCase"
)]
pub enum MetricSource {
    /// `external.metrics.k8s.io` (every KEDA trigger except cpu/memory).
    External,
    /// A metric describing one Kubernetes object.
    Object,
    /// A per-pod custom metric.
    Pods,
    /// A resource (cpu, memory) from `metrics.k8s.io`, summed over containers or for one
    /// named container (ContainerResource).
    Resource {
        /// `cpu` or `memory`.
        resource: String,
        /// The container, for a ContainerResource metric.
        container: Option<String>,
    },
}

impl MetricSource {
    /// The upstream type name (`External`, `Object`, `Pods`, `Resource`, `ContainerResource`).
    pub fn type_name(&self) -> &'static str {
        match self {
            MetricSource::External => "External",
            MetricSource::Object => "Object",
            MetricSource::Pods => "Pods",
            MetricSource::Resource {
                container: Some(_), ..
            } => "ContainerResource",
            MetricSource::Resource { .. } => "Resource",
        }
    }
}

/// A metric target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "PascalCase")]
pub enum Target {
    /// The total value (Object, External).
    Value(Milli),
    /// The value per replica.
    AverageValue(Milli),
    /// Percent of the pods' requests (Resource only).
    Utilization(i32),
}

impl Target {
    /// The upstream type name (`Value`, `AverageValue`, `Utilization`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Target::Value(_) => "Value",
            Target::AverageValue(_) => "AverageValue",
            Target::Utilization(_) => "Utilization",
        }
    }
}

/// What was observed for a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Observed {
    /// One value: the object metric, or the sum of the external metric's series.
    Value {
        /// The value.
        value: Milli,
    },
    /// One sample per pod (Pods and Resource metrics), keyed by pod name.
    PerPod {
        /// The samples.
        samples: BTreeMap<String, PodSample>,
    },
    /// The per-pod average the HPA computed over the pods it counted, as its status reports it
    /// for a Resource or Pods metric: the utilization percent (in units) for a Utilization
    /// target, else the average value. The per-pod samples are not known, so the engine
    /// assumes every running pod had a fresh one: where some had none, or were not ready, the
    /// HPA's rebalancing is not reproduced and the proposal says it is approximate.
    Average {
        /// The average, or the percent.
        value: Milli,
    },
    /// The query returned nothing. KEDA reads that as 0 when `ignoreNullValues` is true (the
    /// Prometheus scaler's default) and as an error otherwise.
    NoData {
        /// Whether the trigger's `ignoreNullValues` is true.
        read_as_zero: bool,
    },
    /// Fetching the metric failed.
    Failed {
        /// The error, as reported (HPA condition message, scaler error).
        reason: String,
    },
    /// No value was observed, and nothing says the metric fails: the HPA reports no current
    /// metrics at zero replicas, and a dump may hold no metric list. Not a failure: the
    /// decision says it is incomplete where the value would matter.
    Unknown {
        /// Why no value is known.
        why: String,
    },
}

/// One pod's sample of a Pods or Resource metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSample {
    /// The value (for a resource: the usage, summed over containers).
    pub value: Milli,
    /// When the sample was taken (CPU readiness rules use it).
    pub timestamp: Timestamp,
    /// The window the sample covers (CPU readiness rules use it).
    pub window: SignedDuration,
}

/// The KEDA trigger behind a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerInfo {
    /// The trigger's `name`, when set (scalingModifiers formulas refer to it).
    pub name: Option<String>,
    /// The scaler type (`prometheus`, `cpu`, …).
    pub trigger_type: String,
    /// The trigger's `activationThreshold` (default 0); active iff value is strictly greater.
    pub activation_threshold: f64,
    /// Consecutive failed fetches (`status.health[metric].numberOfFailures`).
    pub consecutive_failures: i32,
    /// Whether KEDA reports the trigger active (`status.triggersActivity[metric].isActive`,
    /// KEDA 2.19+), used when its value is unknown.
    pub reported_active: Option<bool>,
}

/// A pod matching the target's selector.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    /// The pod name.
    pub name: String,
    /// `status.phase`.
    pub phase: PodPhase,
    /// Whether `deletionTimestamp` is set.
    pub deleting: bool,
    /// The `Ready` condition, when present.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime`, when set.
    pub start_time: Option<Timestamp>,
    /// Resource requests per container (`cpu`, `memory`, …).
    pub containers: Vec<ContainerRequests>,
}

impl Pod {
    /// A Running pod with the given readiness (since a fixed instant), no requests.
    pub fn running(name: &str, ready: bool, since: Timestamp) -> Pod {
        Pod {
            name: name.to_string(),
            phase: PodPhase::Running,
            deleting: false,
            ready: Some(ReadyCondition {
                status: ready.into(),
                last_transition: Some(since),
            }),
            start_time: Some(since),
            containers: Vec::new(),
        }
    }

    /// Whether the pod is Running with `Ready=True`, which Value targets count. Like upstream's
    /// `IsPodReady`, only the condition's status matters, not its `lastTransitionTime`.
    pub fn is_running_and_ready(&self) -> bool {
        self.phase == PodPhase::Running
            && self
                .ready
                .as_ref()
                .is_some_and(|r| r.status == ConditionStatus::True)
    }
}

/// A pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PodPhase {
    /// Not yet running (scheduling, pulling images, gated).
    Pending,
    /// Running.
    Running,
    /// Terminated successfully.
    Succeeded,
    /// Terminated with failure.
    Failed,
    /// Unknown.
    Unknown,
}

/// The pod's `Ready` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadyCondition {
    /// `status`.
    pub status: ConditionStatus,
    /// `lastTransitionTime`, when set; upstream reads a missing one as Go's zero time.
    pub last_transition: Option<Timestamp>,
}

/// A condition's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConditionStatus {
    /// `"True"`.
    True,
    /// `"False"`.
    False,
    /// `"Unknown"` (or anything else).
    Unknown,
}

impl From<bool> for ConditionStatus {
    fn from(value: bool) -> Self {
        if value {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        }
    }
}

/// One container's resource requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRequests {
    /// The container name.
    pub name: String,
    /// Requests by resource name.
    pub requests: BTreeMap<String, Milli>,
}

/// The HPA's `spec.behavior`, before API defaulting (unset fields are `None`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Behavior {
    /// `scaleUp`.
    pub scale_up: Option<ScalingRules>,
    /// `scaleDown`.
    pub scale_down: Option<ScalingRules>,
}

/// One direction's rules, before defaulting.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingRules {
    /// `stabilizationWindowSeconds`.
    pub stabilization_window_seconds: Option<i32>,
    /// `selectPolicy`.
    pub select_policy: Option<SelectPolicy>,
    /// `policies`; empty means unset (defaulted).
    pub policies: Vec<ScalingPolicy>,
    /// `tolerance` (needs the `HPAConfigurableTolerance` feature gate).
    pub tolerance: Option<f64>,
}

/// `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SelectPolicy {
    /// The policy that allows the biggest change (default).
    Max,
    /// The policy that allows the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// One rate policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicy {
    /// Pods or Percent.
    pub policy_type: PolicyType,
    /// The number of pods, or the percentage.
    pub value: i32,
    /// The period the policy looks back over.
    pub period_seconds: i32,
}

/// A policy type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyType {
    /// An absolute number of pods per period.
    Pods,
    /// A percentage of the replicas at the start of the period.
    Percent,
}

/// kube-controller-manager settings that shape the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerConfig {
    /// `--horizontal-pod-autoscaler-tolerance` (default 0.1).
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (default 5 min).
    pub downscale_stabilization: SignedDuration,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period` (default 5 min).
    pub cpu_initialization_period: SignedDuration,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay` (default 30 s).
    pub initial_readiness_delay: SignedDuration,
    /// Whether the `HPAConfigurableTolerance` feature gate is on (beta, default on, in 1.35).
    pub configurable_tolerance: bool,
    /// Legacy path: the scale-up cap is `max(factor × current, minimum)`; factor 2.
    pub scale_up_limit_factor: f64,
    /// Legacy path: the minimum of the scale-up cap; 4.
    pub scale_up_limit_minimum: f64,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            tolerance: 0.1,
            downscale_stabilization: SignedDuration::from_mins(5),
            cpu_initialization_period: SignedDuration::from_mins(5),
            initial_readiness_delay: SignedDuration::from_secs(30),
            configurable_tolerance: true,
            scale_up_limit_factor: 2.0,
            scale_up_limit_minimum: 4.0,
        }
    }
}

/// What the HPA controller keeps in memory per HPA. Not observable through the API: explain
/// reconstructs it (from events) or leaves it empty, and the engine then assumes a controller
/// restart (history = `[current @ now]`) and says so in a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// Where the recommendations come from.
    pub source: HistorySource,
    /// Raw metric proposals with their time.
    pub recommendations: Vec<Recommendation>,
    /// Successful scale-ups (`|Δ|`), only recorded when behavior is set.
    pub scale_up_events: Vec<ScaleEvent>,
    /// Successful scale-downs (`|Δ|`), only recorded when behavior is set.
    pub scale_down_events: Vec<ScaleEvent>,
}

/// Where a controller history comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HistorySource {
    /// Kept by the caller: a simulation carries it from step to step, tests give it.
    #[default]
    Recorded,
    /// Rebuilt from the HPA's `SuccessfulRescale` events: the sizes it scaled to and when, not
    /// its raw recommendations (it records one every sync, also when nothing changes).
    RescaleEvents,
}

/// What a stabilization window's hold rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HistoryBasis {
    /// A history the caller kept.
    #[default]
    Recorded,
    /// A history rebuilt from rescale events (final sizes, not raw recommendations).
    RescaleEvents,
    /// No history at all: the controller is assumed to have just started, remembering only
    /// the current count.
    Assumed,
}

/// One recorded recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The raw proposal.
    pub replicas: i32,
    /// When it was made.
    pub at: Timestamp,
}

/// One recorded scale event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleEvent {
    /// How many replicas were added or removed.
    pub change: i32,
    /// When.
    pub at: Timestamp,
    /// Whether the controller has flagged it as older than the longest policy period.
    pub outdated: bool,
}

/// The KEDA side of a ScaledObject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KedaInput {
    /// `minReplicaCount` (default 0).
    pub min_replica_count: i32,
    /// `maxReplicaCount` (default 100).
    pub max_replica_count: i32,
    /// `idleReplicaCount`, when set.
    pub idle_replica_count: Option<i32>,
    /// `cooldownPeriod` (default 300 s).
    pub cooldown_period: SignedDuration,
    /// `initialCooldownPeriod` (default 0 s).
    pub initial_cooldown_period: SignedDuration,
    /// `status.lastActiveTime`.
    pub last_active_time: Option<Timestamp>,
    /// `metadata.creationTimestamp`.
    pub creation_time: Option<Timestamp>,
    /// `fallback`, when set.
    pub fallback: Option<Fallback>,
    /// `advanced.scalingModifiers`, when a formula is set.
    pub scaling_modifiers: Option<ScalingModifiers>,
    /// The pause and activation annotations.
    pub annotations: KedaAnnotations,
    /// The ScaledObject's `Active` condition (True or False), used when a trigger's value is
    /// unknown; `None` when absent or Unknown.
    pub reported_active: Option<bool>,
}

impl Default for KedaInput {
    fn default() -> Self {
        KedaInput {
            min_replica_count: 0,
            max_replica_count: 100,
            idle_replica_count: None,
            cooldown_period: SignedDuration::from_secs(300),
            initial_cooldown_period: SignedDuration::ZERO,
            last_active_time: None,
            creation_time: None,
            fallback: None,
            scaling_modifiers: None,
            annotations: KedaAnnotations::default(),
            reported_active: None,
        }
    }
}

/// `spec.fallback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fallback {
    /// `failureThreshold`: fallback from the (threshold+1)-th consecutive failure.
    pub failure_threshold: i32,
    /// `replicas`.
    pub replicas: i32,
    /// `behavior` (default static).
    pub behavior: FallbackBehavior,
}

/// `fallback.behavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FallbackBehavior {
    /// `fallback.replicas`.
    Static,
    /// The target's current replicas.
    CurrentReplicas,
    /// `max(current, fallback.replicas)`.
    CurrentReplicasIfHigher,
    /// `min(current, fallback.replicas)`.
    CurrentReplicasIfLower,
    /// Failed triggers enter the formula as nil (`??` routes around them).
    ScalingModifiers,
}

/// `advanced.scalingModifiers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingModifiers {
    /// The expression over trigger names.
    pub formula: String,
    /// `target`, as written (a float; fallback needs an integer).
    pub target: String,
    /// `activationTarget`, as written (default 0).
    pub activation_target: Option<String>,
    /// `metricType`: Value or AverageValue (default).
    pub metric_type: CompositeMetricType,
}

/// The composite metric's target type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CompositeMetricType {
    /// Per replica (default).
    AverageValue,
    /// Total.
    Value,
}

/// The KEDA annotations on the ScaledObject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KedaAnnotations {
    /// KEDA pauses: `autoscaling.keda.sh/paused-replicas` is present, or
    /// `autoscaling.keda.sh/paused` is true (or not a boolean).
    pub paused: bool,
    /// `autoscaling.keda.sh/paused-replicas`, when it is a count KEDA can scale to.
    pub paused_replicas: Option<i32>,
    /// `autoscaling.keda.sh/paused-replicas` as written, when it is not such a count: KEDA
    /// still pauses, but fails to scale to it, so the target keeps its replicas.
    pub paused_replicas_invalid: Option<String>,
    /// `autoscaling.keda.sh/paused-scale-in: "true"`.
    pub paused_scale_in: bool,
    /// `autoscaling.keda.sh/paused-scale-out: "true"`.
    pub paused_scale_out: bool,
    /// `autoscaling.keda.sh/force-activation: "true"`.
    pub force_activation: bool,
}

//! The HPA + KEDA decision model: pure, synchronous, no IO. `explain` and `simulate` share it.
//!
//! [`decide`] takes an [`Input`] (one ScaledObject / HPA at one instant, with "now" as an
//! input) and returns a [`Decision`]: the desired replicas, one [`Proposal`] per metric, the
//! [`Limit`]s that capped it (binding first), KEDA's [`Activation`], the HPA conditions and the
//! [`Step`]s in decision order. The order is upstream's: KEDA serves the metrics (null values,
//! fallback, scalingModifiers), the HPA pre-checks, computes one proposal per metric, takes the
//! max, stabilizes, rate-limits and clamps, and KEDA's executor handles 0 ↔ 1, idle and
//! cooldown. `../shared/reference/hpa_algorithm.md` names the upstream functions.
//!
//! Known limits, each a deliberate simplification:
//! - Zero replicas follow the controller up to v1.35: at 0 with `minReplicas > 0` the HPA is
//!   disabled, with `minReplicas: 0` (HPAScaleToZero) it computes from zero. v1.36's
//!   `ScaledToZero` condition is not modelled; KEDA-managed HPAs never reach either case.
//! - Selector validation (`InvalidSelector`, `AmbiguousSelector`) and scale subresource errors
//!   are IO outcomes: `explain` reports them, the engine never sees them.
//! - Activation compares the metric at milli precision (the value the external metrics API
//!   serves), where KEDA compares the scaler's raw float: values below 0.001 above the
//!   threshold can differ.
//! - The HPA history is in-memory upstream; when none is given the engine assumes a
//!   controller restart (`[current @ now]`), says so in a step, and labels a stabilization
//!   hold that rests on it as assumed (with no end time). One rebuilt from rescale events
//!   holds final sizes, not raw recommendations, and is labelled so too.
//! - A value nobody observed ([`Observed::Unknown`]) is not a failure: the proposal is left
//!   out, KEDA's activity is read from the ScaledObject's status, and the decision lists what
//!   it could not know in `incomplete`.
//! - Resource and Pods metrics given as the HPA's reported average ([`Observed::Average`])
//!   skip upstream's rebalancing of pods without a sample or not yet ready (their samples are
//!   not known): such proposals are marked approximate.

pub mod behavior;
pub mod decision;
pub mod formula;
mod hpa;
pub mod input;
mod keda;
pub mod quantity;
pub mod replicas;
pub mod simulate;

#[cfg(test)]
pub(crate) mod tests;

pub use decision::{
    Activation, ActivitySource, Basis, CompositeActivity, Condition, Decision, Limit, Proposal,
    Step, StepDetail, TriggerActivity,
};
pub use input::{
    Behavior, CompositeMetricType, ConditionStatus, ContainerRequests, ControllerConfig, Fallback,
    FallbackBehavior, History, HistoryBasis, HistorySource, Input, KedaAnnotations, KedaInput,
    MetricInput, MetricSource, Observed, Pod, PodPhase, PodSample, PolicyType, ReadyCondition,
    Recommendation, ScaleEvent, ScalingModifiers, ScalingPolicy, ScalingRules, SelectPolicy,
    Target, TriggerInfo,
};
pub use keda::COMPOSITE_METRIC;
pub use quantity::{Milli, QuantityError};

/// What the stages record on the way: steps, limits and conditions.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    steps: Vec<Step>,
    /// KEDA's limits (activation, cooldown, fallback, no data); the decisive one first.
    keda: Vec<Limit>,
    /// The HPA's caps (pre-checks, invalid metrics, rate limits, min/max).
    limits: Vec<Limit>,
    /// The stabilization windows, which come after a cap that overrode them.
    stabilized: Vec<Limit>,
    conditions: Vec<Condition>,
    /// What the decision could not know.
    incomplete: Vec<String>,
    /// What the controller history rests on.
    history_basis: HistoryBasis,
}

impl Trace {
    fn step(&mut self, detail: StepDetail, text: String) {
        self.steps.push(Step { detail, text });
    }

    /// Sets a condition, replacing an earlier one of the same type (last writer wins).
    fn condition(
        &mut self,
        condition_type: &'static str,
        status: bool,
        reason: &'static str,
        message: &str,
    ) {
        self.conditions
            .retain(|c| c.condition_type != condition_type);
        self.conditions.push(Condition {
            condition_type,
            status,
            reason,
            message: message.to_string(),
        });
    }
}

/// Decides the replicas of one ScaledObject / HPA at `input.now`.
pub fn decide(input: &Input) -> Decision {
    let mut trace = Trace::default();
    if let Some(paused) = input.keda.as_ref().and_then(|k| paused_replicas(input, k)) {
        return paused_decision(input, paused, trace);
    }

    let (metrics, mut activation) = match &input.keda {
        Some(keda) => {
            let prepared = keda::prepare(input, keda, &mut trace);
            (prepared.metrics, Some(prepared.activation))
        }
        None => (input.metrics.clone(), None),
    };

    let behavior = effective_behavior(input);
    let tolerance = behavior::tolerances(behavior.as_ref(), &input.controller);
    let outcome = hpa::reconcile(input, &metrics, behavior.as_ref(), &mut trace);

    let desired = match (&input.keda, activation.as_mut()) {
        (Some(keda), Some(activation)) => {
            keda::execute(input, keda, activation, outcome.desired, &mut trace)
        }
        _ => outcome.desired,
    };

    finish(input, desired, (outcome, tolerance), activation, trace)
}

/// The replicas a paused ScaledObject holds: `paused-replicas`, else the current count.
fn paused_replicas(input: &Input, keda: &KedaInput) -> Option<i32> {
    let annotations = &keda.annotations;
    match annotations.paused_replicas {
        Some(n) => Some(n),
        None if annotations.paused => Some(input.current_replicas),
        None => None,
    }
}

fn paused_decision(input: &Input, replicas: i32, mut trace: Trace) -> Decision {
    let invalid = input
        .keda
        .as_ref()
        .and_then(|k| k.annotations.paused_replicas_invalid.as_deref());
    let text = match invalid {
        Some(value) => format!(
            "the ScaledObject is paused: KEDA removed the HPA; paused-replicas {value:?} is not a \
             replica count, so KEDA fails to scale to it and the target keeps {replicas}"
        ),
        None => format!(
            "the ScaledObject is paused: KEDA removed the HPA and holds {replicas} replicas"
        ),
    };
    trace.step(StepDetail::Paused { replicas }, text);
    trace.limits.push(Limit::Paused { replicas });
    let outcome = hpa::HpaOutcome {
        desired: replicas,
        recommendation: None,
        proposals: Vec::new(),
        history: input.history.clone(),
    };
    let tolerance = behavior::tolerances(input.behavior.as_ref(), &input.controller);
    finish(input, replicas, (outcome, tolerance), None, trace)
}

/// The behavior the HPA runs with: KEDA's `paused-scale-in` / `paused-scale-out` set the
/// direction's selectPolicy to Disabled (which also makes behavior non-nil).
fn effective_behavior(input: &Input) -> Option<Behavior> {
    let annotations = input.keda.as_ref().map(|k| &k.annotations);
    let scale_in = annotations.is_some_and(|a| a.paused_scale_in);
    let scale_out = annotations.is_some_and(|a| a.paused_scale_out);
    if !scale_in && !scale_out {
        return input.behavior.clone();
    }
    let mut behavior = input.behavior.clone().unwrap_or_default();
    if scale_in {
        behavior
            .scale_down
            .get_or_insert_with(Default::default)
            .select_policy = Some(SelectPolicy::Disabled);
    }
    if scale_out {
        behavior
            .scale_up
            .get_or_insert_with(Default::default)
            .select_policy = Some(SelectPolicy::Disabled);
    }
    Some(behavior)
}

fn finish(
    input: &Input,
    desired: i32,
    (outcome, tolerance): (hpa::HpaOutcome, replicas::Tolerances),
    activation: Option<Activation>,
    mut trace: Trace,
) -> Decision {
    trace.step(
        StepDetail::Desired { replicas: desired },
        format!(
            "desired replicas: {desired} (current {})",
            input.current_replicas
        ),
    );
    let mut limits = trace.keda;
    limits.append(&mut trace.limits);
    limits.append(&mut trace.stabilized);
    let keda_min = input.keda.as_ref().map(|k| k.min_replica_count);
    for limit in &mut limits {
        if let Limit::MinReplicas {
            min_replica_count, ..
        } = limit
        {
            *min_replica_count = keda_min;
        }
    }
    Decision {
        current: input.current_replicas,
        desired,
        hpa_desired: outcome.desired,
        min: input.min_replicas,
        max: input.max_replicas,
        tolerance,
        recommendation: outcome.recommendation,
        proposals: outcome.proposals,
        limits,
        activation,
        conditions: trace.conditions,
        steps: trace.steps,
        incomplete: trace.incomplete,
        history: outcome.history,
    }
}

//! The KEDA side: what the HPA is served (null values, fallback, the scalingModifiers
//! composite metric), trigger activity, and the scale executor's decision on 0 ↔ 1, idle and
//! cooldown (`scale_handler.go`, `fallback.go`, `scale_scaledobjects.go`).

use std::collections::BTreeMap;

use super::Trace;
use super::decision::{
    Activation, ActivitySource, CompositeActivity, Limit, StepDetail, TriggerActivity, seconds,
};
use super::formula::{self, Value};
use super::input::{
    CompositeMetricType, FallbackBehavior, Input, KedaInput, MetricInput, MetricSource, Observed,
    Target,
};
use super::quantity::Milli;
use super::replicas::ready_pod_count;

/// The name of the composite metric KEDA serves with scalingModifiers.
pub const COMPOSITE_METRIC: &str = "composite-metric";

/// The metrics the HPA sees, and the activity KEDA derived on the way.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub metrics: Vec<MetricInput>,
    pub activation: Activation,
}

/// One trigger after null handling and fallback.
struct Served {
    metric: MetricInput,
    activity: TriggerActivity,
    /// Whether a fallback is in effect for it.
    fallback: bool,
}

/// Builds the HPA's metrics from the triggers and computes the activity.
pub(crate) fn prepare(input: &Input, keda: &KedaInput, trace: &mut Trace) -> Prepared {
    let mut served: Vec<Served> = input
        .metrics
        .iter()
        .map(|m| serve(input, keda, m, trace))
        .collect();
    let is_error = served.iter().any(|s| s.activity.error.is_some());
    let (metrics, composite) = match &keda.scaling_modifiers {
        Some(_) => compose(keda, &served, trace),
        None => (served.iter().map(|s| s.metric.clone()).collect(), None),
    };
    let all_resource = served.iter().all(|s| is_resource(&s.metric));
    let any_active = match &composite {
        Some(c) => !is_error && c.value.is_some_and(|v| v > c.activation_target),
        None => served.iter().any(|s| s.activity.active),
    };
    let unknown = match (&composite, metrics.last()) {
        (Some(_), Some(m)) => matches!(m.observed, Observed::Unknown { .. }),
        _ => served
            .iter()
            .any(|s| s.activity.source == ActivitySource::Unknown),
    };
    let forced = keda.annotations.force_activation;
    let (active, source) = if any_active || forced || (all_resource && !is_error) {
        let reported = served
            .iter()
            .any(|s| s.activity.active && s.activity.source == ActivitySource::ScaledObjectStatus);
        let from_values = forced || all_resource || composite.is_some() || !reported;
        (
            true,
            if from_values {
                ActivitySource::Values
            } else {
                ActivitySource::ScaledObjectStatus
            },
        )
    } else if unknown {
        let (active, source) = reported_activity(input, keda, trace);
        if !active && source == ActivitySource::ScaledObjectStatus {
            // Not active means no trigger is: KEDA's activity is the OR over them.
            for s in served
                .iter_mut()
                .filter(|s| s.activity.source == ActivitySource::Unknown)
            {
                s.activity.source = ActivitySource::ScaledObjectStatus;
            }
        }
        (active, source)
    } else {
        (false, ActivitySource::Values)
    };
    Prepared {
        metrics,
        activation: Activation {
            active,
            error: is_error,
            triggers: served.into_iter().map(|s| s.activity).collect(),
            composite,
            forced,
            source,
            reason: if active {
                "ScalerActive"
            } else {
                "ScalerNotActive"
            },
            last_active_time: keda.last_active_time,
        },
    }
}

/// The activity when a trigger's value is unknown and no known trigger is active: the
/// ScaledObject's `Active` condition, which KEDA sets from values it saw. Not knowing it only
/// matters where activity decides: at 0 or idle, or with minReplicaCount 0 (the cooldown).
fn reported_activity(input: &Input, keda: &KedaInput, trace: &mut Trace) -> (bool, ActivitySource) {
    let matters = input.current_replicas == 0
        || keda.idle_replica_count.is_some()
        || keda.min_replica_count == 0;
    match keda.reported_active {
        Some(active) => (active, ActivitySource::ScaledObjectStatus),
        None if !matters => (false, ActivitySource::Unknown),
        None => {
            trace.incomplete.push(
                "KEDA's activity is unknown: a trigger has no observed value and the \
                 ScaledObject has no Active condition"
                    .to_string(),
            );
            (false, ActivitySource::Unknown)
        }
    }
}

fn is_resource(metric: &MetricInput) -> bool {
    matches!(metric.source, MetricSource::Resource { .. })
}

fn serve(input: &Input, keda: &KedaInput, metric: &MetricInput, trace: &mut Trace) -> Served {
    let threshold = metric
        .trigger
        .as_ref()
        .map_or(0.0, |t| t.activation_threshold);
    let mut served = Served {
        metric: metric.clone(),
        activity: TriggerActivity {
            metric_name: metric.name.clone(),
            trigger_name: metric.trigger.as_ref().and_then(|t| t.name.clone()),
            value: None,
            activation_threshold: threshold,
            // cpu/memory triggers never contribute activity.
            active: false,
            fallback: false,
            error: None,
            source: ActivitySource::Values,
        },
        fallback: false,
    };
    if let Observed::NoData { read_as_zero } = metric.observed {
        served.metric.observed = no_data(metric, read_as_zero, trace);
    }
    match served.metric.observed.clone() {
        Observed::Value { value } => {
            served.activity.value = Some(value.as_f64());
            served.activity.active = !is_resource(metric) && value.as_f64() > threshold;
        }
        Observed::Failed { reason } => match fallback_value(input, keda, metric, trace) {
            Some(value) => {
                served.metric.observed = Observed::Value { value };
                served.activity.active = true;
                served.activity.fallback = true;
                served.fallback = true;
            }
            // Under `behavior: scalingModifiers` the failed trigger enters the formula as
            // nil instead of failing.
            None if nil_in_formula(keda, metric) => served.activity.fallback = true,
            None => served.activity.error = Some(reason),
        },
        Observed::Unknown { .. } if is_resource(metric) => {}
        Observed::Unknown { .. } => {
            let reported = metric.trigger.as_ref().and_then(|t| t.reported_active);
            served.activity.active = reported.unwrap_or(false);
            served.activity.source = match reported {
                Some(_) => ActivitySource::ScaledObjectStatus,
                None => ActivitySource::Unknown,
            };
        }
        Observed::PerPod { .. } | Observed::Average { .. } | Observed::NoData { .. } => {}
    }
    served
}

fn no_data(metric: &MetricInput, read_as_zero: bool, trace: &mut Trace) -> Observed {
    let name = metric.name.clone();
    let text = if read_as_zero {
        format!("{name} returned no data: read as 0 because ignoreNullValues is true")
    } else {
        format!("{name} returned no data: an error because ignoreNullValues is false")
    };
    trace.step(
        StepDetail::NoData {
            metric: name.clone(),
            read_as_zero,
        },
        text,
    );
    if read_as_zero {
        trace.keda.push(Limit::NoDataReadAsZero { metric: name });
        Observed::Value { value: Milli::ZERO }
    } else {
        Observed::Failed {
            reason: "the query returned no data and ignoreNullValues is false".to_string(),
        }
    }
}

/// Whether KEDA considers the fallback valid (`validateFallback`): thresholds >= 0 and, with
/// scalingModifiers, an integer target > 0.
fn fallback_valid(keda: &KedaInput) -> bool {
    let Some(fallback) = &keda.fallback else {
        return false;
    };
    let modifiers_ok = keda
        .scaling_modifiers
        .as_ref()
        .is_none_or(|m| m.target.trim().parse::<i64>().is_ok_and(|t| t > 0));
    fallback.failure_threshold >= 0 && fallback.replicas >= 0 && modifiers_ok
}

/// The replicas the fallback asks for, by behavior.
fn fallback_replicas(keda: &KedaInput, current: i32) -> Option<i32> {
    let fallback = keda.fallback.as_ref()?;
    Some(match fallback.behavior {
        FallbackBehavior::Static | FallbackBehavior::ScalingModifiers => fallback.replicas,
        FallbackBehavior::CurrentReplicas => current,
        FallbackBehavior::CurrentReplicasIfHigher => current.max(fallback.replicas),
        FallbackBehavior::CurrentReplicasIfLower => current.min(fallback.replicas),
    })
}

/// Whether a failed trigger enters the scalingModifiers formula as nil.
fn nil_in_formula(keda: &KedaInput, metric: &MetricInput) -> bool {
    keda.scaling_modifiers.is_some()
        && keda
            .fallback
            .as_ref()
            .is_some_and(|f| f.behavior == FallbackBehavior::ScalingModifiers)
        && in_fallback(keda, metric)
}

/// Whether the trigger has failed more than `failureThreshold` times with a valid fallback.
fn in_fallback(keda: &KedaInput, metric: &MetricInput) -> bool {
    let failures = metric
        .trigger
        .as_ref()
        .map_or(0, |t| t.consecutive_failures);
    fallback_valid(keda)
        && !is_resource(metric)
        && keda
            .fallback
            .as_ref()
            .is_some_and(|f| failures > f.failure_threshold)
}

/// The synthetic value KEDA serves for a failing trigger in fallback (`doFallback`): the
/// integer part of the target × replicas, divided by the ready pods for a Value target.
fn fallback_value(
    input: &Input,
    keda: &KedaInput,
    metric: &MetricInput,
    trace: &mut Trace,
) -> Option<Milli> {
    if !in_fallback(keda, metric) {
        return None;
    }
    let fallback = keda.fallback.as_ref()?;
    if keda.scaling_modifiers.is_some() && fallback.behavior == FallbackBehavior::ScalingModifiers {
        // The trigger enters the formula as nil; no per-trigger value.
        return None;
    }
    let replicas = fallback_replicas(keda, input.current_replicas)?;
    // With scalingModifiers the composite target and type apply; otherwise the trigger's.
    let (target, per_ready_pod) = match (&keda.scaling_modifiers, metric.target) {
        (Some(m), _) => (
            m.target.trim().parse::<f64>().ok()?,
            m.metric_type == CompositeMetricType::Value,
        ),
        (None, Target::AverageValue(t)) => (t.as_f64(), false),
        (None, Target::Value(t)) => (t.as_f64(), true),
        (None, Target::Utilization(_)) => return None,
    };
    let mut factor = f64::from(replicas);
    if per_ready_pod {
        // A Value target is divided by the Running and Ready pods; none is an error.
        let ready = ready_pod_count(&input.pods).ok().filter(|r| *r > 0)?;
        factor /= f64::from(ready);
    }
    let value = Milli::from_milli_f64(target * 1000.0 * factor);
    fallback_trace(metric, fallback.failure_threshold, replicas, trace);
    Some(value)
}

fn fallback_trace(metric: &MetricInput, threshold: i32, replicas: i32, trace: &mut Trace) {
    let failures = metric
        .trigger
        .as_ref()
        .map_or(0, |t| t.consecutive_failures);
    trace.step(
        StepDetail::Fallback {
            metric: metric.name.clone(),
            failures,
            failure_threshold: threshold,
            replicas,
        },
        format!(
            "{} failed {failures} times in a row (> failureThreshold {threshold}): fallback to \
             {replicas} replicas",
            metric.name
        ),
    );
    trace.keda.push(Limit::Fallback {
        metric: metric.name.clone(),
        replicas,
    });
}

/// Replaces the external triggers by the composite metric of the scalingModifiers formula.
fn compose(
    keda: &KedaInput,
    served: &[Served],
    trace: &mut Trace,
) -> (Vec<MetricInput>, Option<CompositeActivity>) {
    let Some(modifiers) = &keda.scaling_modifiers else {
        return (served.iter().map(|s| s.metric.clone()).collect(), None);
    };
    let target_value = modifiers.target.trim().parse::<f64>().unwrap_or(f64::NAN);
    let activation_target = modifiers
        .activation_target
        .as_deref()
        .and_then(|t| t.trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    let observed = composite_observed(keda, served, target_value, trace);
    let value = match &observed {
        Observed::Value { value } => Some(value.as_f64()),
        _ => None,
    };
    let target = Milli::from_keda_f64(target_value);
    let composite = MetricInput {
        name: COMPOSITE_METRIC.to_string(),
        source: MetricSource::External,
        target: match modifiers.metric_type {
            CompositeMetricType::AverageValue => Target::AverageValue(target),
            CompositeMetricType::Value => Target::Value(target),
        },
        observed,
        trigger: None,
    };
    let mut metrics: Vec<MetricInput> = served
        .iter()
        .filter(|s| is_resource(&s.metric))
        .map(|s| s.metric.clone())
        .collect();
    metrics.push(composite);
    let activity = CompositeActivity {
        formula: modifiers.formula.clone(),
        value,
        activation_target,
    };
    (metrics, Some(activity))
}

fn composite_observed(
    keda: &KedaInput,
    served: &[Served],
    target: f64,
    trace: &mut Trace,
) -> Observed {
    let Some(modifiers) = &keda.scaling_modifiers else {
        return Observed::Failed {
            reason: "no formula".to_string(),
        };
    };
    let modifiers_fallback = keda
        .fallback
        .as_ref()
        .is_some_and(|f| f.behavior == FallbackBehavior::ScalingModifiers);
    // Default fallback behavior: while a trigger is in fallback the formula is skipped and
    // the composite metric is the fallback value against the composite target.
    if !modifiers_fallback && let Some(s) = served.iter().find(|s| s.fallback) {
        trace.step(
            StepDetail::Formula {
                formula: modifiers.formula.clone(),
                value: None,
                error: Some(format!("skipped: {} is in fallback", s.metric.name)),
            },
            format!("formula skipped while {} is in fallback", s.metric.name),
        );
        return s.metric.observed.clone();
    }
    let mut vars = BTreeMap::new();
    for s in served.iter().filter(|s| !is_resource(&s.metric)) {
        let Some(name) = s.activity.trigger_name.clone() else {
            continue;
        };
        let value = match (&s.metric.observed, s.activity.value) {
            (Observed::Value { .. }, Some(v)) => Value::Float(v),
            _ if modifiers_fallback && in_fallback(keda, &s.metric) => Value::Nil,
            (Observed::Unknown { why }, _) => {
                return formula_unknown(modifiers, &name, why, trace);
            }
            _ => {
                return formula_failed(modifiers, &format!("trigger {name} failed"), trace);
            }
        };
        vars.insert(name, value);
    }
    match formula::evaluate_value(&modifiers.formula, &vars) {
        Ok(Value::Int(n)) => formula_value(modifiers, n as f64, trace),
        Ok(Value::Float(n)) => formula_value(modifiers, n, trace),
        Ok(Value::Nil) if modifiers_fallback => {
            let replicas = keda.fallback.as_ref().map_or(0, |f| f.replicas);
            formula_value(modifiers, f64::from(replicas) * target, trace)
        }
        Ok(other) => formula_failed(
            modifiers,
            &formula::FormulaError::NotANumber(other.kind()).to_string(),
            trace,
        ),
        // Our own limit, not KEDA's: the value is unknown to us, not failing for the HPA.
        Err(e @ formula::FormulaError::TooDeep(_)) => formula_not_evaluated(
            modifiers,
            format!("{e}; explain does not evaluate it, KEDA does"),
            trace,
        ),
        Err(e) => formula_failed(modifiers, &e.to_string(), trace),
    }
}

fn formula_value(
    modifiers: &super::input::ScalingModifiers,
    value: f64,
    trace: &mut Trace,
) -> Observed {
    trace.step(
        StepDetail::Formula {
            formula: modifiers.formula.clone(),
            value: Some(value),
            error: None,
        },
        format!(
            "scalingModifiers formula {} = {value}",
            abbreviated(&modifiers.formula)
        ),
    );
    Observed::Value {
        value: Milli::from_keda_f64(value),
    }
}

/// A formula short enough for a sentence: the first 80 characters of a longer one.
fn abbreviated(formula: &str) -> String {
    const LONGEST: usize = 80;
    if formula.chars().count() <= LONGEST {
        return formula.to_string();
    }
    let head: String = formula.chars().take(LONGEST).collect();
    format!("{head}… ({} characters)", formula.chars().count())
}

fn formula_unknown(
    modifiers: &super::input::ScalingModifiers,
    trigger: &str,
    why: &str,
    trace: &mut Trace,
) -> Observed {
    let why = format!("trigger {trigger} has no observed value ({why})");
    formula_not_evaluated(modifiers, why, trace)
}

/// A formula left unevaluated: its value is unknown, which is not a failure of the HPA's.
fn formula_not_evaluated(
    modifiers: &super::input::ScalingModifiers,
    why: String,
    trace: &mut Trace,
) -> Observed {
    trace.step(
        StepDetail::Formula {
            formula: modifiers.formula.clone(),
            value: None,
            error: Some(why.clone()),
        },
        format!(
            "scalingModifiers formula {} not evaluated: {why}",
            abbreviated(&modifiers.formula)
        ),
    );
    Observed::Unknown { why }
}

fn formula_failed(
    modifiers: &super::input::ScalingModifiers,
    why: &str,
    trace: &mut Trace,
) -> Observed {
    trace.step(
        StepDetail::Formula {
            formula: modifiers.formula.clone(),
            value: None,
            error: Some(why.to_string()),
        },
        format!(
            "scalingModifiers formula {} failed: {why}",
            abbreviated(&modifiers.formula)
        ),
    );
    Observed::Failed {
        reason: why.to_string(),
    }
}

/// KEDA's scale executor (`RequestScale`) after the HPA: activation from 0 / idle, scale to
/// 0 / idle after the cooldown, or leave the HPA's count.
pub(crate) fn execute(
    input: &Input,
    keda: &KedaInput,
    activation: &mut Activation,
    hpa_desired: i32,
    trace: &mut Trace,
) -> i32 {
    let current = input.current_replicas;
    let min = keda.min_replica_count;
    let idle = keda.idle_replica_count;
    trace.step(
        StepDetail::KedaActivity {
            active: activation.active,
        },
        activity_text(activation),
    );
    let (replicas, action, text) = if activation.active {
        if (idle.is_some() && current < min) || current == 0 {
            let activated = activate(keda, current, trace);
            if activated.1 == "activate" {
                activation.last_active_time = Some(input.now);
            }
            activated
        } else if activation.error {
            let text = "active, but a trigger failed (PartialTriggerError): lastActiveTime kept";
            (hpa_desired, "none", text.to_string())
        } else {
            activation.last_active_time = Some(input.now);
            (
                hpa_desired,
                "none",
                "active: the HPA owns 1..max".to_string(),
            )
        }
    } else if activation.error && keda.fallback.as_ref().is_some_and(|f| f.replicas != 0) {
        (
            hpa_desired,
            "none",
            "a trigger failed; fallback is configured: no scale to zero".into(),
        )
    } else if activation.error && keda.fallback.is_none() {
        // (With a fallback of 0 replicas an error does not stop the scale to zero.)
        let metric = first_error(activation);
        trace.keda.insert(
            0,
            Limit::KedaTriggerError {
                metric: metric.clone(),
            },
        );
        (
            hpa_desired,
            "none",
            format!("{metric} failed and there is no fallback: no scale to zero"),
        )
    } else if idle.is_some_and(|i| current > i) || (current > 0 && min == 0) {
        deactivate(input, keda, activation, hpa_desired, trace)
    } else if idle.is_none() && current < min {
        (min, "toMin", format!("below minReplicaCount: set to {min}"))
    } else {
        if current == 0 || idle == Some(current) {
            let activity = activation.source;
            trace.keda.insert(
                0,
                Limit::KedaAtRest {
                    replicas: current,
                    activity,
                },
            );
        }
        (hpa_desired, "none", "inactive: nothing to do".to_string())
    };
    trace.step(StepDetail::KedaScale { replicas, action }, text);
    replicas
}

fn activity_text(activation: &Activation) -> String {
    if activation.forced {
        return "KEDA: active (force-activation annotation)".to_string();
    }
    let active: Vec<&str> = activation
        .triggers
        .iter()
        .filter(|t| t.active)
        .map(|t| t.metric_name.as_str())
        .collect();
    match activation.source {
        ActivitySource::ScaledObjectStatus => {
            let state = if activation.active {
                "active"
            } else {
                "not active"
            };
            return format!(
                "KEDA: {state}, as the ScaledObject's status reports (a trigger value was not \
                 observed)"
            );
        }
        ActivitySource::Unknown => {
            return "KEDA: activity unknown (no trigger value and no Active condition); taken as \
                    not active"
                .to_string();
        }
        ActivitySource::Values => {}
    }
    match (&activation.composite, activation.active) {
        (Some(c), _) => format!(
            "KEDA: composite value {} vs activationTarget {}: {}",
            c.value.map_or("none".to_string(), |v| v.to_string()),
            c.activation_target,
            if activation.active {
                "active"
            } else {
                "not active"
            }
        ),
        (None, true) if active.is_empty() => "KEDA: active (only cpu/memory triggers)".into(),
        (None, true) => format!("KEDA: active, triggered by {}", active.join(", ")),
        (None, false) => "KEDA: no trigger above its activationThreshold: not active".into(),
    }
}

fn first_error(activation: &Activation) -> String {
    activation
        .triggers
        .iter()
        .find(|t| t.error.is_some())
        .map(|t| t.metric_name.clone())
        .unwrap_or_default()
}

fn activate(keda: &KedaInput, current: i32, trace: &mut Trace) -> (i32, &'static str, String) {
    if keda.annotations.paused_scale_out {
        trace.keda.insert(0, Limit::PausedScaleOut);
        return (
            current,
            "none",
            "active, but paused-scale-out blocks activation".into(),
        );
    }
    let to = keda.min_replica_count.max(1);
    trace.keda.insert(0, Limit::KedaActivation { to });
    (
        to,
        "activate",
        format!("active at {current} replicas: KEDA scales to {to}"),
    )
}

fn deactivate(
    input: &Input,
    keda: &KedaInput,
    activation: &mut Activation,
    hpa_desired: i32,
    trace: &mut Trace,
) -> (i32, &'static str, String) {
    let to = keda.idle_replica_count.unwrap_or(keda.min_replica_count);
    if keda.annotations.paused_scale_in {
        trace.keda.insert(0, Limit::PausedScaleIn);
        return (
            hpa_desired,
            "none",
            "inactive, but paused-scale-in blocks it".into(),
        );
    }
    let (period, since) = match keda.last_active_time {
        Some(last) => (keda.cooldown_period, Some(last)),
        None => (keda.initial_cooldown_period, keda.creation_time),
    };
    let until = since.map(|t| t + period);
    if until.is_none_or(|u| u < input.now) {
        trace.keda.insert(0, Limit::KedaInactive { to });
        return (
            to,
            "deactivate",
            format!("inactive and cooled down: KEDA scales to {to}"),
        );
    }
    activation.reason = "ScalerCooldown";
    let remaining = until.map_or(0, |u| seconds(u.duration_since(input.now)));
    let cooldown = Limit::KedaCooldown {
        period_seconds: seconds(period),
        until,
        remaining_seconds: remaining,
    };
    // The cooldown is what keeps the replicas when the HPA is at its floor.
    if hpa_desired <= input.min_replicas {
        trace.keda.insert(0, cooldown);
    } else {
        trace.keda.push(cooldown);
    }
    (
        hpa_desired,
        "cooldown",
        format!("inactive, cooldown ends in {remaining}s: no scale to {to} yet"),
    )
}

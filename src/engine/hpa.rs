//! One HPA reconcile (`reconcileAutoscaler`): the pre-checks, the per-metric proposals and their
//! max (`computeReplicasForMetrics`), then stabilization, rate limits and min/max.

use super::Trace;
use super::behavior::{self, EffectiveBehavior, Limited, Stabilized};
use super::decision::{Basis, Limit, Proposal, StepDetail, seconds};
use super::input::{
    Behavior, History, HistoryBasis, HistorySource, Input, MetricInput, Observed, Recommendation,
    Target,
};
use super::quantity::Milli;
use super::replicas::{self, Computed, Context, MetricError, Tolerances};

/// What the HPA decided.
#[derive(Debug, Clone)]
pub(crate) struct HpaOutcome {
    pub desired: i32,
    pub recommendation: Option<i32>,
    pub proposals: Vec<Proposal>,
    pub history: History,
}

/// Runs the HPA on the metrics as it sees them (after KEDA's fallback and formula).
pub(crate) fn reconcile(
    input: &Input,
    metrics: &[MetricInput],
    behavior: Option<&Behavior>,
    trace: &mut Trace,
) -> HpaOutcome {
    let mut history = input.history.clone();
    let current = input.current_replicas;
    let basis = if history.recommendations.is_empty() {
        history.recommendations.push(Recommendation {
            replicas: current,
            at: input.now,
        });
        HistoryBasis::Assumed
    } else if history.source == HistorySource::RescaleEvents {
        HistoryBasis::RescaleEvents
    } else {
        HistoryBasis::Recorded
    };
    trace.history_basis = basis;
    let tolerances = behavior::tolerances(behavior, &input.controller);
    let mut proposals = compute_proposals(input, metrics, tolerances);
    let mut outcome = HpaOutcome {
        desired: current,
        recommendation: None,
        proposals: Vec::new(),
        history,
    };
    if let Some(desired) = pre_check(input, trace) {
        outcome.desired = desired;
        outcome.proposals = proposals;
        return outcome;
    }
    history_step(basis, &outcome.history, current, trace);
    for proposal in &proposals {
        trace.step(proposal_step(proposal), proposal_text(proposal, tolerances));
    }
    let Some(recommendation) = recommend(current, &mut proposals, trace) else {
        outcome.proposals = proposals;
        return outcome;
    };
    outcome.recommendation = Some(recommendation);
    outcome.proposals = proposals;
    outcome.desired = match behavior {
        None => normalize_legacy(input, recommendation, &mut outcome.history, trace),
        Some(b) => {
            let effective = behavior::effective(b, &input.controller);
            let desired = normalize_with_behavior(
                input,
                &effective,
                recommendation,
                &mut outcome.history,
                trace,
            );
            if desired != current {
                behavior::store_scale_event(
                    &mut outcome.history,
                    &effective,
                    current,
                    desired,
                    input.now,
                );
            }
            desired
        }
    };
    outcome
}

/// Says what the controller history rests on, where the metrics are computed.
fn history_step(basis: HistoryBasis, history: &History, current: i32, trace: &mut Trace) {
    match basis {
        HistoryBasis::Assumed => trace.step(
            StepDetail::HistoryAssumed { replicas: current },
            format!(
                "no controller history visible: assumed the controller just started, \
                 remembering only [{current} now]; a stabilization hold resting on it is an \
                 assumption"
            ),
        ),
        HistoryBasis::RescaleEvents => {
            let n = history.recommendations.len();
            trace.step(
                StepDetail::HistoryRebuilt { recommendations: n },
                format!(
                    "controller history rebuilt from {n} SuccessfulRescale event(s): the sizes \
                     the HPA scaled to, not the raw recommendations it keeps every sync"
                ),
            );
        }
        HistoryBasis::Recorded => {}
    }
}

fn compute_proposals(input: &Input, metrics: &[MetricInput], tol: Tolerances) -> Vec<Proposal> {
    let ctx = Context {
        current: input.current_replicas,
        status_replicas: input.status_replicas,
        pods: &input.pods,
        now: input.now,
        tolerances: tol,
        controller: &input.controller,
    };
    metrics
        .iter()
        .map(|m| to_proposal(m, replicas::compute(m, ctx)))
        .collect()
}

fn to_proposal(metric: &MetricInput, result: Result<Computed, MetricError>) -> Proposal {
    let target = match metric.target {
        Target::Value(t) | Target::AverageValue(t) => t,
        Target::Utilization(percent) => Milli::from_units(i64::from(percent)),
    };
    let mut proposal = Proposal {
        metric_name: metric.name.clone(),
        metric_type: metric.source.type_name(),
        target_type: metric.target.type_name(),
        trigger_name: metric.trigger.as_ref().and_then(|t| t.name.clone()),
        value: None,
        total: match metric.observed {
            Observed::Value { value } => Some(value),
            _ => None,
        },
        target,
        ratio: None,
        proposed_replicas: None,
        within_tolerance: false,
        basis: None,
        invalid_reason: None,
        not_observed: None,
        approximate: None,
        chosen: false,
    };
    match result {
        Ok(c) => {
            proposal.value = Some(c.value);
            proposal.ratio = Some(c.ratio);
            proposal.proposed_replicas = Some(c.replicas);
            proposal.within_tolerance = c.within_tolerance;
            proposal.basis = Some(c.basis);
            if matches!(metric.observed, Observed::Average { .. }) {
                proposal.approximate = Some(
                    "computed from the HPA's reported average, not per-pod samples: pods \
                     without a sample or not yet ready are not rebalanced as the HPA does"
                        .to_string(),
                );
            }
        }
        Err(MetricError::NotObserved { why, .. }) => proposal.not_observed = Some(why),
        Err(e) => proposal.invalid_reason = Some(e.to_string()),
    }
    proposal
}

fn proposal_step(p: &Proposal) -> StepDetail {
    StepDetail::MetricProposal {
        metric: p.metric_name.clone(),
        value: p.value,
        target: p.target,
        ratio: p.ratio,
        within_tolerance: p.within_tolerance,
        proposed_replicas: p.proposed_replicas,
        invalid_reason: p.invalid_reason.clone(),
    }
}

/// The arithmetic of one proposal in words, as upstream computes it.
fn proposal_text(p: &Proposal, tol: Tolerances) -> String {
    let name = &p.metric_name;
    if let Some(why) = &p.not_observed {
        return format!("{name}: no observed value ({why}): its proposal is unknown");
    }
    let (Some(ratio), Some(n), Some(basis)) = (p.ratio, p.proposed_replicas, p.basis) else {
        let why = p.invalid_reason.as_deref().unwrap_or("no proposal");
        return format!("{name}: invalid: {why}");
    };
    let compared = match (p.target_type, p.total, basis) {
        ("AverageValue", Some(total), Basis::StatusReplicas(status)) => format!(
            "{total} over {status} replicas = {} per replica vs target {}",
            fmt_value(p.value),
            p.target
        ),
        ("Utilization", _, _) => format!(
            "{}% of requests vs target {}%",
            fmt_value(p.value),
            p.target
        ),
        ("AverageValue", _, _) => format!(
            "average {} per pod vs target {}",
            fmt_value(p.value),
            p.target
        ),
        _ => format!("{} vs target {}", fmt_value(p.value), p.target),
    };
    let band = format!("[{:.2}, {:.2}]", 1.0 - tol.down, 1.0 + tol.up);
    let result = if p.within_tolerance {
        format!("within tolerance {band}: keep {n}")
    } else {
        match (p.total, basis) {
            (_, Basis::Zero(_)) => format!("from zero, no tolerance: ceil({ratio:.3}) = {n}"),
            (Some(total), Basis::StatusReplicas(_)) => {
                format!("outside {band}: ceil({total} / {}) = {n}", p.target)
            }
            (_, Basis::ReadyPods(k)) => {
                format!("outside {band}: ceil({ratio:.3} x {k} ready pods) = {n}")
            }
            (_, Basis::SampledPods(k)) => format!(
                "outside {band} after counting missing/unready pods pessimistically: \
                 ceil(ratio x {k} pods) = {n}"
            ),
            _ => format!("keep {n} (the rebalanced ratio points the other way)"),
        }
    };
    format!("{name}: {compared}: ratio {ratio:.3}, {result}")
}

fn fmt_value(value: Option<Milli>) -> String {
    value.map_or_else(|| "no value".to_string(), |v| v.to_string())
}

/// The spec pre-checks: target at zero, above max, below min. Returns the decision when one
/// applies (no metrics are used then).
fn pre_check(input: &Input, trace: &mut Trace) -> Option<i32> {
    let (current, min, max) = (
        input.current_replicas,
        input.min_replicas,
        input.max_replicas,
    );
    let (case, desired, text) = if current == 0 && min != 0 {
        trace.condition(
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
        );
        trace.limits.push(Limit::ScalingDisabled);
        (
            "scalingDisabled",
            0,
            "the target is at 0 replicas: the HPA does nothing (KEDA owns 0 <-> 1)".to_string(),
        )
    } else if current > max {
        trace.limits.push(Limit::CurrentAboveMax { max, current });
        (
            "currentAboveMax",
            max,
            format!("current {current} is above maxReplicas {max}: set to {max}"),
        )
    } else if current < min {
        trace.limits.push(Limit::CurrentBelowMin { min, current });
        (
            "currentBelowMin",
            min,
            format!("current {current} is below minReplicas {min}: set to {min}"),
        )
    } else {
        return None;
    };
    trace.step(StepDetail::PreCheck { case, desired }, text);
    Some(desired)
}

/// The max over the valid proposals, or `None` when the metrics cannot decide (all invalid,
/// or some invalid while the others would scale down).
fn recommend(current: i32, proposals: &mut [Proposal], trace: &mut Trace) -> Option<i32> {
    let mut best: Option<(usize, i32)> = None;
    for (i, p) in proposals.iter().enumerate() {
        if let Some(n) = p.proposed_replicas
            && best.is_none_or(|(_, b)| n > b)
        {
            best = Some((i, n));
        }
    }
    let invalid = proposals.iter().position(|p| p.invalid_reason.is_some());
    let unobserved: Vec<String> = proposals
        .iter()
        .filter(|p| p.not_observed.is_some())
        .map(|p| p.metric_name.clone())
        .collect();
    if invalid.is_none() && best.is_none() && !unobserved.is_empty() {
        return unknown_proposal(current, &unobserved, trace);
    }
    let blocked = match (invalid, best) {
        (Some(_), None) => true,
        (Some(_), Some((_, n))) => n < current,
        (None, None) => true,
        (None, Some(_)) => false,
    };
    if blocked {
        return refuse(current, proposals, invalid, best.map(|(_, n)| n), trace);
    }
    let (index, replicas) = best?;
    if !unobserved.is_empty() {
        trace.incomplete.push(format!(
            "{} {} no observed value: the HPA's proposal is at least {replicas}, and may be \
             higher",
            unobserved.join(", "),
            if unobserved.len() == 1 { "has" } else { "have" }
        ));
    }
    proposals[index].chosen = true;
    let metric = proposals[index].metric_name.clone();
    trace.condition(
        "ScalingActive",
        true,
        "ValidMetricFound",
        &format!("the HPA was able to successfully calculate a replica count from {metric}"),
    );
    trace.step(
        StepDetail::MaxOverMetrics {
            replicas,
            metric: Some(metric.clone()),
        },
        format!("max over metrics: {replicas} (from {metric})"),
    );
    Some(replicas)
}

/// No metric has an observed value: the proposal cannot be computed; the count is kept.
fn unknown_proposal(current: i32, metrics: &[String], trace: &mut Trace) -> Option<i32> {
    let names = metrics.join(", ");
    trace.incomplete.push(format!(
        "{names}: no observed value, so the HPA's proposal is unknown (shown: the current {current})"
    ));
    trace.step(
        StepDetail::NotObserved {
            metrics: metrics.to_vec(),
        },
        format!("no metric has an observed value ({names}): the HPA's proposal is unknown"),
    );
    None
}

fn refuse(
    current: i32,
    proposals: &[Proposal],
    invalid: Option<usize>,
    proposed: Option<i32>,
    trace: &mut Trace,
) -> Option<i32> {
    let (metric, reason, why) = match invalid.and_then(|i| proposals.get(i)) {
        Some(p) => (
            p.metric_name.clone(),
            failure_reason(p),
            p.invalid_reason.clone().unwrap_or_default(),
        ),
        None => (
            String::new(),
            "InvalidMetricSourceType",
            "no metrics".to_string(),
        ),
    };
    trace.condition("ScalingActive", false, reason, &why);
    trace.limits.push(Limit::InvalidMetrics {
        metric: metric.clone(),
        reason: reason.to_string(),
    });
    let text = match proposed {
        Some(n) => format!(
            "{metric} is invalid and the other metrics propose {n} < {current}: \
             no scale-down while a metric fails"
        ),
        None => format!("no metric could be computed ({metric}: {why}): no scaling"),
    };
    trace.step(StepDetail::InvalidMetrics { metric, proposed }, text);
    None
}

fn failure_reason(p: &Proposal) -> &'static str {
    match p.metric_type {
        "External" => "FailedGetExternalMetric",
        "Object" => "FailedGetObjectMetric",
        "Pods" => "FailedGetPodsMetric",
        "ContainerResource" => "FailedGetContainerResourceMetric",
        _ => "FailedGetResourceMetric",
    }
}

/// `normalizeDesiredReplicas`: legacy stabilization, then the per-sync cap and min/max.
fn normalize_legacy(
    input: &Input,
    recommendation: i32,
    history: &mut History,
    trace: &mut Trace,
) -> i32 {
    let window = input.controller.downscale_stabilization;
    let stabilized = behavior::stabilize_legacy(history, recommendation, window, input.now);
    stabilization_trace(recommendation, stabilized, (0, seconds(window)), trace);
    let limited = behavior::limit_legacy(
        input.current_replicas,
        stabilized.replicas,
        input.min_replicas,
        input.max_replicas,
        &input.controller,
    );
    limit_trace(stabilized.replicas, limited, trace);
    limited.replicas
}

/// `normalizeDesiredReplicasWithBehaviors`.
fn normalize_with_behavior(
    input: &Input,
    behavior: &EffectiveBehavior,
    recommendation: i32,
    history: &mut History,
    trace: &mut Trace,
) -> i32 {
    let current = input.current_replicas;
    let stabilized =
        behavior::stabilize_with_behavior(history, behavior, current, recommendation, input.now);
    let windows = (seconds(behavior.up.window), seconds(behavior.down.window));
    stabilization_trace(recommendation, stabilized, windows, trace);
    let limited = behavior::limit_with_behavior(
        history,
        behavior,
        current,
        stabilized.replicas,
        (input.min_replicas, input.max_replicas),
        input.now,
    );
    limit_trace(stabilized.replicas, limited, trace);
    limited.replicas
}

fn stabilization_trace(
    proposal: i32,
    stabilized: Stabilized,
    (up_window, down_window): (i64, i64),
    trace: &mut Trace,
) {
    let held = stabilized.replicas;
    let basis = trace.history_basis;
    let text = match stabilized.reason {
        Some("ScaleUpStabilized") => {
            trace.condition(
                "AbleToScale",
                true,
                "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent \
                 recommendation",
            );
            trace.stabilized.push(Limit::ScaleUpStabilized {
                held_at: held,
                wanted: proposal,
                window_seconds: up_window,
                until: stabilized.until.filter(|_| basis != HistoryBasis::Assumed),
                history: basis,
            });
            format!(
                "scale-up stabilization window ({up_window}s) holds {held} (proposal {proposal})"
            )
        }
        Some(_) => {
            trace.condition(
                "AbleToScale",
                true,
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest \
                 recent recommendation",
            );
            trace.stabilized.push(Limit::ScaleDownStabilized {
                held_at: held,
                wanted: proposal,
                window_seconds: down_window,
                until: stabilized.until.filter(|_| basis != HistoryBasis::Assumed),
                history: basis,
            });
            format!(
                "scale-down stabilization window ({down_window}s) holds {held} (proposal \
                 {proposal})"
            )
        }
        None => {
            trace.condition(
                "AbleToScale",
                true,
                "ReadyForNewScale",
                "recommended size matches current size",
            );
            format!("stabilization: {held} (no recent recommendation overrides it)")
        }
    };
    trace.step(
        StepDetail::Stabilization {
            proposal,
            stabilized: held,
            up_window_seconds: up_window,
            down_window_seconds: down_window,
        },
        text,
    );
}

fn limit_trace(wanted: i32, limited: Limited, trace: &mut Trace) {
    let result = limited.replicas;
    trace.condition(
        "ScalingLimited",
        result != wanted,
        limited.reason,
        limited.message,
    );
    if result != wanted {
        trace.limits.push(limit_for(wanted, limited));
    }
    let text = limit_text(wanted, limited);
    trace.step(
        StepDetail::RateLimit {
            wanted,
            limited: result,
            reason: limited.reason,
        },
        text,
    );
}

fn limit_text(wanted: i32, limited: Limited) -> String {
    let result = limited.replicas;
    let period = limited
        .period_seconds
        .map_or_else(String::new, |p| format!(" (policy period {p}s)"));
    match limited.reason {
        _ if result == wanted => format!("{wanted} is within min/max and the rate limits"),
        "TooManyReplicas" => format!("held at maxReplicas {result} (wanted {wanted})"),
        "TooFewReplicas" => format!("raised to minReplicas {result} (wanted {wanted})"),
        "ScaleUpLimit" | "ScaleDownLimit" if limited.disabled => format!(
            "scaling in this direction is disabled (selectPolicy Disabled): stays at {result} \
             (wanted {wanted})"
        ),
        "ScaleUpLimit" if limited.period_seconds.is_none() => format!(
            "the legacy scale-up cap max(2 x current, 4) allows {result} per sync (wanted \
             {wanted})"
        ),
        "ScaleUpLimit" => {
            format!("the scale-up policies allow {result} now{period} (wanted {wanted})")
        }
        _ => format!("the scale-down policies allow {result} now{period} (wanted {wanted})"),
    }
}

fn limit_for(wanted: i32, limited: Limited) -> Limit {
    let limit = limited.replicas;
    match limited.reason {
        "TooManyReplicas" => Limit::MaxReplicas { max: limit, wanted },
        "TooFewReplicas" => Limit::MinReplicas {
            min: limit,
            wanted,
            min_replica_count: None,
        },
        "ScaleUpLimit" if limited.period_seconds.is_none() && !limited.disabled => {
            Limit::LegacyScaleUpLimit { limit, wanted }
        }
        "ScaleUpLimit" => Limit::ScaleUpPolicy {
            limit,
            wanted,
            period_seconds: limited.period_seconds,
            disabled: limited.disabled,
        },
        _ => Limit::ScaleDownPolicy {
            limit,
            wanted,
            period_seconds: limited.period_seconds,
            disabled: limited.disabled,
        },
    }
}

//! The binding cause in plain words: why the ScaledObject has the replicas it has, most
//! decisive first (paused, Kueue holding pods back, pods lacking GPUs, the engine's binding
//! limit, pods still starting), with the numbers.

use jiff::Timestamp;

use super::join::Joined;
use super::kueue::KueueInfo;
use super::pods::{GPU, PodCounts, PodState};
use crate::engine::{ActivitySource, Decision, HistoryBasis, Limit};

/// The causes, most decisive first; never empty.
pub fn causes(joined: &Joined, decision: &Decision, counts: &PodCounts) -> Vec<String> {
    let mut causes = Vec::new();
    if let Some(limit @ Limit::Paused { .. }) = decision.binding() {
        causes.push(limit_text(limit));
    }
    if counts.gated > 0 {
        causes.push(gated_text(counts.gated, joined.kueue.as_ref()));
    }
    let lacking_gpu = joined
        .pods
        .iter()
        .filter(|p| p.state == PodState::Unschedulable && p.lacks_gpu)
        .count();
    if lacking_gpu > 0 {
        causes.push(format!(
            "{} unschedulable: no node has a free {GPU}",
            pods_text(lacking_gpu)
        ));
    }
    for limit in &decision.limits {
        if !matches!(limit, Limit::Paused { .. }) {
            causes.push(limit_text(limit) + &hpa_check(limit, joined));
        }
    }
    for gap in &decision.incomplete {
        causes.push(format!("incomplete: {gap}"));
    }
    if counts.starting > 0 {
        causes.push(starting_text(joined, counts));
    }
    if causes.is_empty() {
        causes.push(metrics_text(decision));
    }
    causes
}

/// A stabilization hold checked against the HPA's own `AbleToScale` condition: empty when it
/// agrees (or says nothing), else what it reported at its last sync.
fn hpa_check(limit: &Limit, joined: &Joined) -> String {
    let reason = match limit {
        Limit::ScaleUpStabilized { .. } => "ScaleUpStabilized",
        Limit::ScaleDownStabilized { .. } => "ScaleDownStabilized",
        _ => return String::new(),
    };
    let reported = &joined.hpa_reported;
    match reported.able_to_scale.as_deref() {
        Some(r) if r != reason && r != "SucceededGetScale" => {
            let desired = reported
                .desired_replicas
                .map_or(String::new(), |d| format!(", desiredReplicas {d}"));
            format!("; but the HPA reported AbleToScale {r} at its last sync{desired}")
        }
        _ => String::new(),
    }
}

fn pods_text(n: usize) -> String {
    if n == 1 {
        "1 pod".to_string()
    } else {
        format!("{n} pods")
    }
}

fn gated_text(gated: usize, kueue: Option<&KueueInfo>) -> String {
    let pods = pods_text(gated);
    let Some(kueue) = kueue else {
        return format!("{pods} gated by Kueue (kueue.x-k8s.io/admission), waiting for quota");
    };
    let queue = kueue.cluster_queue.as_deref().map_or_else(
        || format!("LocalQueue {}", kueue.local_queue),
        |cq| format!("ClusterQueue {cq}"),
    );
    let gpu = kueue
        .quota
        .iter()
        .filter(|q| q.resource == GPU)
        .max_by_key(|q| q.exhausted());
    match gpu.map(|q| (q.used_text(), q.nominal_text())) {
        Some((Some(used), nominal)) => {
            format!("{pods} gated by Kueue: {queue} uses {used}/{nominal} {GPU}")
        }
        Some((None, nominal)) => format!(
            "{pods} gated by Kueue: {queue} has a quota of {nominal} {GPU}, its usage unknown \
             (the ClusterQueue's status reports none)"
        ),
        None => format!("{pods} gated by Kueue: {queue} has not admitted them"),
    }
}

fn starting_text(joined: &Joined, counts: &PodCounts) -> String {
    let oldest = joined
        .pods
        .iter()
        .filter(|p| p.state == PodState::Starting)
        .filter_map(|p| p.age_seconds)
        .max();
    let total = counts.ready + counts.starting + counts.gated + counts.unschedulable;
    let since = oldest.map_or(String::new(), |s| format!(", the oldest started {s}s ago"));
    format!(
        "{} of {total} pods not ready yet (still starting, e.g. loading model weights{since})",
        counts.starting
    )
}

fn metrics_text(decision: &Decision) -> String {
    let chosen = decision.proposals.iter().find(|p| p.chosen);
    match chosen {
        Some(p) if p.within_tolerance => format!(
            "steady at {}: {} is within tolerance of its target (ratio {:.3})",
            decision.desired,
            p.metric_name,
            p.ratio.unwrap_or(1.0)
        ),
        Some(p) => {
            let unit = if p.target_type == "Utilization" {
                "%"
            } else {
                ""
            };
            format!(
                "{} replicas wanted by {}: value {}{unit}, target {}{unit} ({})",
                decision.desired,
                p.trigger_name.as_deref().map_or_else(
                    || p.metric_name.clone(),
                    |n| format!("trigger {n} ({})", p.metric_name)
                ),
                p.value
                    .map_or("none".to_string(), |v| v.as_f64().to_string()),
                p.target.as_f64(),
                p.target_type
            )
        }
        None if decision.desired == decision.current => {
            format!("steady at {} replicas", decision.desired)
        }
        None => format!("{} → {} replicas", decision.current, decision.desired),
    }
}

fn clock(at: Option<Timestamp>) -> String {
    at.map_or_else(String::new, |t| {
        format!(" until {} UTC", t.strftime("%H:%M:%S"))
    })
}

/// One limit in plain words.
pub fn limit_text(limit: &Limit) -> String {
    match limit {
        Limit::MaxReplicas { max, wanted } => {
            format!("held at {max} by maxReplicaCount (the metrics ask for {wanted})")
        }
        Limit::MinReplicas {
            min,
            wanted,
            min_replica_count,
        } => match min_replica_count {
            Some(count) if *count < 0 => format!(
                "held at {min} by the HPA's minReplicas (the metrics ask for {wanted}): KEDA \
                 gives the HPA a floor of {min} for the invalid minReplicaCount {count}, and \
                 never scales to zero with it"
            ),
            Some(count) if count != min => format!(
                "held at {min} by the HPA's minReplicas (the metrics ask for {wanted}): KEDA \
                 gives the HPA a floor of {min} for minReplicaCount {count}, and scales to \
                 {count} itself once no trigger is active and the cooldown has passed"
            ),
            Some(_) => format!("held at {min} by minReplicaCount (the metrics ask for {wanted})"),
            None => format!("held at {min} by minReplicas (the metrics ask for {wanted})"),
        },
        Limit::CurrentAboveMax { max, current } => format!(
            "set to {max} by maxReplicaCount: the target has {current}, above it (the HPA \
             checks this before reading any metric)"
        ),
        Limit::CurrentBelowMin { min, current } => format!(
            "raised to {min} by minReplicas: the target has {current}, below it (the HPA checks \
             this before reading any metric)"
        ),
        Limit::LegacyScaleUpLimit { limit, wanted } => format!(
            "scale-up capped at {limit} by the HPA's default rate (max(2 x current, 4)); \
             the metrics ask for {wanted}"
        ),
        Limit::ScaleUpPolicy {
            limit,
            wanted,
            period_seconds,
            disabled,
        } => policy_text("scale-up", *limit, *wanted, *period_seconds, *disabled),
        Limit::ScaleDownPolicy {
            limit,
            wanted,
            period_seconds,
            disabled,
        } => policy_text("scale-down", *limit, *wanted, *period_seconds, *disabled),
        Limit::ScaleUpStabilized {
            held_at,
            wanted,
            window_seconds,
            until,
            history,
        } => stabilized_text(
            "scale-up",
            (*held_at, *wanted),
            *window_seconds,
            *until,
            *history,
        ),
        Limit::ScaleDownStabilized {
            held_at,
            wanted,
            window_seconds,
            until,
            history,
        } => stabilized_text(
            "scale-down",
            (*held_at, *wanted),
            *window_seconds,
            *until,
            *history,
        ),
        Limit::InvalidMetrics { metric, reason } => format!(
            "metric {metric} cannot be read ({reason}): the HPA will not scale down while it fails"
        ),
        Limit::ScalingDisabled => {
            "the target is at 0 replicas: the HPA is off and KEDA scales from 0".to_string()
        }
        Limit::KedaAtRest { replicas, activity } => at_rest_text(*replicas, *activity),
        Limit::KedaInactive { to } => format!("no trigger is active: KEDA scales to {to}"),
        Limit::KedaCooldown {
            period_seconds,
            until,
            remaining_seconds,
        } => format!(
            "no trigger is active, KEDA waits out the cooldown{} ({remaining_seconds}s left of \
             {period_seconds}s) before scaling to zero",
            clock(*until)
        ),
        Limit::KedaActivation { to } => format!("a trigger is active: KEDA scales from 0 to {to}"),
        Limit::KedaTriggerError { metric } => {
            format!("trigger {metric} fails and there is no fallback: KEDA will not scale to zero")
        }
        Limit::Fallback { metric, replicas } => {
            format!("trigger {metric} is failing: fallback in effect, {replicas} replicas")
        }
        Limit::NoDataReadAsZero { metric } => {
            format!("trigger {metric} returns no data: read as 0 because ignoreNullValues is true")
        }
        Limit::Paused { replicas } => format!(
            "paused at {replicas} replicas (autoscaling.keda.sh/paused or paused-replicas \
             annotation: KEDA removed the HPA)"
        ),
        Limit::PausedScaleIn => {
            "scale-in is paused (autoscaling.keda.sh/paused-scale-in)".to_string()
        }
        Limit::PausedScaleOut => {
            "scale-out is paused (autoscaling.keda.sh/paused-scale-out)".to_string()
        }
    }
}

fn stabilized_text(
    direction: &str,
    (held_at, wanted): (i32, i32),
    window: i64,
    until: Option<Timestamp>,
    history: HistoryBasis,
) -> String {
    match history {
        HistoryBasis::Assumed => format!(
            "{direction} held at {held_at} by the stabilization window ({window}s) while the \
             metrics ask for {wanted}, assumed: no rescale events are visible, so the \
             controller is taken to remember only the current count, as after a restart"
        ),
        HistoryBasis::RescaleEvents => format!(
            "{direction} stabilized{} (window {window}s, history rebuilt from rescale events): \
             held at {held_at} while the metrics ask for {wanted}",
            clock(until)
        ),
        HistoryBasis::Recorded => format!(
            "{direction} stabilized{} (window {window}s): held at {held_at} while the metrics \
             ask for {wanted}",
            clock(until)
        ),
    }
}

fn at_rest_text(replicas: i32, activity: ActivitySource) -> String {
    let level = if replicas == 0 {
        "scaled to zero".to_string()
    } else {
        format!("at idleReplicaCount {replicas}")
    };
    match activity {
        ActivitySource::Values => {
            format!("at rest, {level}: no trigger is above its activationThreshold")
        }
        ActivitySource::ScaledObjectStatus => format!(
            "at rest, {level}: no trigger is active (KEDA's Active condition is False; the \
             values are not observed at {replicas} replicas)"
        ),
        ActivitySource::Unknown => format!(
            "{level}; whether a trigger is active is not known (no value observed and no \
             Active condition in the ScaledObject's status)"
        ),
    }
}

fn policy_text(
    direction: &str,
    limit: i32,
    wanted: i32,
    period: Option<i32>,
    disabled: bool,
) -> String {
    if disabled {
        return format!(
            "{direction} disabled by selectPolicy: Disabled (the metrics ask for {wanted})"
        );
    }
    let period = period.map_or(String::new(), |p| format!(" ({p}s period)"));
    format!(
        "{direction} capped at {limit} by a {direction} policy{period}; \
         the metrics ask for {wanted}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_named_for_what_set_it() {
        let keda_zero = limit_text(&Limit::MinReplicas {
            min: 1,
            wanted: 0,
            min_replica_count: Some(0),
        });
        assert!(
            keda_zero.starts_with("held at 1 by the HPA's minReplicas"),
            "{keda_zero}"
        );
        assert!(keda_zero.contains("minReplicaCount 0"), "{keda_zero}");
        let keda_two = limit_text(&Limit::MinReplicas {
            min: 2,
            wanted: 1,
            min_replica_count: Some(2),
        });
        assert_eq!(
            keda_two,
            "held at 2 by minReplicaCount (the metrics ask for 1)"
        );
        // KEDA's executor never scales to a negative count (nor to zero with one).
        let invalid = limit_text(&Limit::MinReplicas {
            min: 1,
            wanted: 0,
            min_replica_count: Some(-5),
        });
        assert!(
            invalid.contains("the invalid minReplicaCount -5") && !invalid.contains("scales to -5"),
            "{invalid}"
        );
    }

    #[test]
    fn pre_checks_do_not_claim_the_metrics_asked() {
        let above = limit_text(&Limit::CurrentAboveMax {
            max: 8,
            current: 10,
        });
        assert_eq!(
            above,
            "set to 8 by maxReplicaCount: the target has 10, above it (the HPA checks this \
             before reading any metric)"
        );
        assert!(!above.contains("metrics ask"));
    }
}

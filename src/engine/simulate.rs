//! A pure simulation loop: replays a metric time series through [`decide`], carrying the
//! controller history, KEDA's lastActiveTime and the pods (which become Ready a cold start
//! after they are created) and each trigger's count of consecutive failures (which decides
//! KEDA's fallback) from one step to the next. `simulate` runs it; no IO, no clock.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::decide;
use super::decision::{Decision, Limit};
use super::input::{Input, MetricInput, Observed, Pod};

/// One point of the series: the instant and one observation per metric, in `Input::metrics`
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// When the controllers look.
    pub at: Timestamp,
    /// One observation per metric.
    pub observed: Vec<Observed>,
}

/// How the workload reacts to a new replica count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Time from a pod's creation to Ready (image pull, weights loading, warm-up).
    pub cold_start: SignedDuration,
}

/// One simulated step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedStep {
    /// The instant.
    pub at: Timestamp,
    /// Replicas before the decision.
    pub current: i32,
    /// Ready pods before the decision.
    pub ready: i32,
    /// Replicas after the decision.
    pub desired: i32,
    /// What bound the decision.
    pub binding: Option<Limit>,
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulationError {
    /// A point does not have one observation per metric.
    #[error("series point at {at} has {got} observations for {expected} metrics")]
    WrongArity {
        /// The point's instant.
        at: Timestamp,
        /// Observations given.
        got: usize,
        /// Metrics in the input.
        expected: usize,
    },
    /// The points are not in time order.
    #[error("series point at {at} is not after the previous one")]
    OutOfOrder {
        /// The point's instant.
        at: Timestamp,
    },
}

/// Replays `series` from `start` (its pods, history and KEDA state are the initial state; its
/// pods are taken as Ready). Returns one step per point.
pub fn simulate(
    start: &Input,
    series: &[SeriesPoint],
    workload: Workload,
) -> Result<Vec<SimulatedStep>, SimulationError> {
    let mut input = start.clone();
    let mut created: Vec<Timestamp> = initial_pods(start);
    let mut steps = Vec::with_capacity(series.len());
    let mut previous: Option<Timestamp> = None;
    for point in series {
        check_point(point, input.metrics.len(), previous)?;
        previous = Some(point.at);
        input.now = point.at;
        for (metric, observed) in input.metrics.iter_mut().zip(&point.observed) {
            metric.observed = observed.clone();
            count_failure(metric);
        }
        input.pods = pods_at(&created, point.at, workload);
        input.status_replicas = i32::try_from(created.len()).unwrap_or(i32::MAX);
        let ready = input
            .pods
            .iter()
            .filter(|p| p.is_running_and_ready())
            .count();
        let decision = decide(&input);
        steps.push(SimulatedStep {
            at: point.at,
            current: input.current_replicas,
            ready: i32::try_from(ready).unwrap_or(i32::MAX),
            desired: decision.desired,
            binding: decision.binding().cloned(),
        });
        apply(&mut input, &mut created, decision, point.at);
    }
    Ok(steps)
}

fn check_point(
    point: &SeriesPoint,
    metrics: usize,
    previous: Option<Timestamp>,
) -> Result<(), SimulationError> {
    if point.observed.len() != metrics {
        return Err(SimulationError::WrongArity {
            at: point.at,
            got: point.observed.len(),
            expected: metrics,
        });
    }
    if previous.is_some_and(|p| point.at <= p) {
        return Err(SimulationError::OutOfOrder { at: point.at });
    }
    Ok(())
}

/// Carries KEDA's `status.health[metric].numberOfFailures` to this observation: a failed
/// fetch (an error, or no data with `ignoreNullValues: false`) counts one more, a success
/// resets it, as the scaler cache does before the fallback is considered.
fn count_failure(metric: &mut MetricInput) {
    let failed = matches!(
        metric.observed,
        Observed::Failed { .. }
            | Observed::NoData {
                read_as_zero: false
            }
    );
    if let Some(trigger) = metric.trigger.as_mut() {
        trigger.consecutive_failures = match failed {
            true => trigger.consecutive_failures.saturating_add(1),
            false => 0,
        };
    }
}

/// The creation times of the starting pods: Ready from the beginning.
fn initial_pods(start: &Input) -> Vec<Timestamp> {
    let long_ago = start.now - SignedDuration::from_hours(24);
    let count = usize::try_from(start.current_replicas).unwrap_or(0);
    vec![long_ago; count]
}

fn pods_at(created: &[Timestamp], now: Timestamp, workload: Workload) -> Vec<Pod> {
    created
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let ready = now >= at + workload.cold_start;
            let since = if ready { at + workload.cold_start } else { at };
            Pod {
                start_time: Some(at),
                ..Pod::running(&format!("pod-{i}"), ready, since)
            }
        })
        .collect()
}

/// Carries the decision into the next step: replicas, pods (new ones start cold; a
/// scale-down removes the youngest first, as a ReplicaSet prefers not-ready pods), the
/// controller history and KEDA's lastActiveTime.
fn apply(input: &mut Input, created: &mut Vec<Timestamp>, decision: Decision, now: Timestamp) {
    let desired = usize::try_from(decision.desired).unwrap_or(0);
    if desired > created.len() {
        created.resize(desired, now);
    } else {
        created.sort();
        created.truncate(desired);
    }
    input.current_replicas = decision.desired;
    input.history = decision.history;
    if let (Some(keda), Some(activation)) = (input.keda.as_mut(), decision.activation) {
        keda.last_active_time = activation.last_active_time;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::input::{KedaInput, Observed};
    use crate::engine::quantity::Milli;
    use crate::engine::tests::{at, hpa, trigger};

    fn queue(value: f64) -> Vec<Observed> {
        vec![Observed::Value {
            value: Milli::from_keda_f64(value),
        }]
    }

    /// A queue of 100 for 5 minutes, then empty for 15, polled every 15 s; 10 per replica,
    /// 1..8 replicas, scale to zero after a 10-minute cooldown, 2-minute cold start.
    fn run() -> Vec<SimulatedStep> {
        let mut start = hpa(1, 1, 8);
        start.now = at(0);
        start.metrics = vec![trigger("queue", 0.0, 10.0, 0.0)];
        start.keda = Some(KedaInput {
            max_replica_count: 8,
            cooldown_period: SignedDuration::from_mins(10),
            last_active_time: Some(at(0)),
            ..KedaInput::default()
        });
        let series: Vec<SeriesPoint> = (1..=80)
            .map(|i| SeriesPoint {
                at: at(15 * i),
                observed: queue(if i <= 20 { 100.0 } else { 0.0 }),
            })
            .collect();
        let workload = Workload {
            cold_start: SignedDuration::from_mins(2),
        };
        simulate(&start, &series, workload).expect("a valid series")
    }

    #[test]
    fn replays_scale_up_stabilization_and_scale_to_zero() {
        let steps = run();
        let desired: Vec<i32> = steps.iter().map(|s| s.desired).collect();
        // Legacy cap: 1 -> 4 -> 8 on the first two syncs, held at max while the queue lasts.
        assert_eq!(&desired[..3], &[4, 8, 8]);
        assert!(matches!(
            steps[2].binding,
            Some(Limit::MaxReplicas { max: 8, .. })
        ));
        // Pods created at 15 s and 30 s are Ready 2 minutes later.
        assert_eq!(steps[8].ready, 4);
        assert_eq!(steps[9].ready, 8);
        // The queue empties after step 20 (300 s): the 300 s window holds 8 until the last
        // high recommendation (at 300 s) leaves it, then the HPA drops to its minimum of 1,
        // where KEDA's cooldown (10 min after the last activity at 300 s) holds it.
        let drop = steps.iter().skip(20).position(|s| s.desired < 8);
        let first_drop = 20 + drop.expect("a scale-down");
        assert_eq!(steps[first_drop].at, at(615));
        assert_eq!(steps[first_drop].desired, 1);
        assert!(matches!(
            steps[first_drop].binding,
            Some(Limit::KedaCooldown { .. })
        ));
        let zero = steps
            .iter()
            .position(|s| s.desired == 0)
            .expect("a scale to zero");
        assert_eq!(steps[zero].at, at(915));
        assert!(matches!(
            steps[zero].binding,
            Some(Limit::KedaInactive { to: 0 })
        ));
        assert_eq!(steps.last().map(|s| s.desired), Some(0));
    }

    /// 2 replicas of a queue trigger (20 queued, 10 per replica) with a fallback after 3
    /// failures: the fourth failed read in a row switches to the fallback, a good read ends it.
    #[test]
    fn failures_in_a_row_reach_the_fallback_and_a_success_resets_them() {
        use crate::engine::input::{Fallback, FallbackBehavior};
        let mut start = hpa(2, 1, 8);
        start.now = at(0);
        start.metrics = vec![trigger("queue", 0.0, 10.0, 0.0)];
        start.keda = Some(KedaInput {
            max_replica_count: 8,
            last_active_time: Some(at(0)),
            fallback: Some(Fallback {
                failure_threshold: 3,
                replicas: 6,
                behavior: FallbackBehavior::Static,
            }),
            ..KedaInput::default()
        });
        let failed = || {
            vec![Observed::Failed {
                reason: "connection refused".to_string(),
            }]
        };
        let observations = [
            queue(20.0),
            failed(),
            failed(),
            failed(),
            failed(),
            queue(20.0),
        ];
        let series: Vec<SeriesPoint> = observations
            .into_iter()
            .enumerate()
            .map(|(i, observed)| SeriesPoint {
                at: at(15 * (i as i64 + 1)),
                observed,
            })
            .collect();
        let workload = Workload {
            cold_start: SignedDuration::ZERO,
        };
        let steps = simulate(&start, &series, workload).expect("a valid series");
        let fallback: Vec<bool> = steps
            .iter()
            .map(|s| matches!(s.binding, Some(Limit::Fallback { replicas: 6, .. })))
            .collect();
        assert_eq!(fallback, [false, false, false, false, true, false]);
        // The failed reads hold 2; the fallback's metric asks the HPA for 6, which its legacy
        // scale-up limit (max(2 × current, 4)) caps at 4. The good read asks for 2, but the
        // 5-minute downscale window still holds the fallback's 6, now within the rate limit.
        let desired: Vec<i32> = steps.iter().map(|s| s.desired).collect();
        assert_eq!(desired, [2, 2, 2, 2, 4, 6]);
    }

    #[test]
    fn rejects_malformed_series() {
        let start = hpa(1, 1, 8);
        let workload = Workload {
            cold_start: SignedDuration::ZERO,
        };
        let no_metric = [SeriesPoint {
            at: at(15),
            observed: queue(1.0),
        }];
        assert!(matches!(
            simulate(&start, &no_metric, workload),
            Err(SimulationError::WrongArity {
                got: 1,
                expected: 0,
                ..
            })
        ));
        let mut with_metric = start.clone();
        with_metric.metrics = vec![trigger("queue", 0.0, 10.0, 0.0)];
        let backwards = [
            SeriesPoint {
                at: at(30),
                observed: queue(1.0),
            },
            SeriesPoint {
                at: at(15),
                observed: queue(1.0),
            },
        ];
        assert!(matches!(
            simulate(&with_metric, &backwards, workload),
            Err(SimulationError::OutOfOrder { .. })
        ));
    }
}

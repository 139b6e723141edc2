//! Table-driven tests of the engine, ported from upstream's unit tests, plus helpers that
//! build inputs the way `explain` does.

mod bench;
mod horizontal;
mod keda;
mod replica_calc;
mod scenarios;

use jiff::{SignedDuration, Timestamp};

use super::input::*;
use super::quantity::Milli;

/// A fixed "now" for every test.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).expect("valid timestamp")
}

/// `now` shifted by `seconds` (negative: in the past).
pub(crate) fn at(seconds: i64) -> Timestamp {
    now() + SignedDuration::from_secs(seconds)
}

/// An HPA at `current` replicas (status the same) with no metrics, pods or history.
pub(crate) fn hpa(current: i32, min: i32, max: i32) -> Input {
    Input {
        now: now(),
        current_replicas: current,
        status_replicas: current,
        min_replicas: min,
        max_replicas: max,
        metrics: Vec::new(),
        pods: Vec::new(),
        behavior: None,
        controller: ControllerConfig::default(),
        history: History::default(),
        keda: None,
    }
}

/// An External metric with one observed total.
pub(crate) fn external(name: &str, target: Target, value: Milli) -> MetricInput {
    MetricInput {
        name: name.to_string(),
        source: MetricSource::External,
        target,
        observed: Observed::Value { value },
        trigger: None,
    }
}

/// A KEDA prometheus trigger's metric with an AverageValue target.
pub(crate) fn trigger(name: &str, value: f64, target: f64, activation: f64) -> MetricInput {
    MetricInput {
        trigger: Some(TriggerInfo {
            name: Some(name.to_string()),
            trigger_type: "prometheus".to_string(),
            activation_threshold: activation,
            consecutive_failures: 0,
            reported_active: None,
        }),
        ..external(
            &format!("s0-{name}"),
            Target::AverageValue(Milli::from_keda_f64(target)),
            Milli::from_keda_f64(value),
        )
    }
}

/// `n` Running pods, the first `ready` of them Ready, started long ago.
pub(crate) fn pods(n: usize, ready: usize) -> Vec<Pod> {
    (0..n)
        .map(|i| Pod::running(&format!("pod-{i}"), i < ready, at(-3600)))
        .collect()
}

/// A history with the given recommendations `(replicas, seconds ago)`.
pub(crate) fn recommendations(recs: &[(i32, i64)]) -> History {
    History {
        recommendations: recs
            .iter()
            .map(|&(replicas, ago)| Recommendation {
                replicas,
                at: at(-ago),
            })
            .collect(),
        ..History::default()
    }
}

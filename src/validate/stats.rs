//! Summary statistics of a signal over a window, and the replicas the HPA would ask for at a
//! given value.

use std::time::Duration;

use serde::Serialize;

use super::triggers::{MetricType, TriggerSpec};

/// The most points a lookback range query asks for.
pub const MAX_POINTS: f64 = 250.0;

/// The step of the lookback range query over `window`: at most [`MAX_POINTS`] points,
/// whole seconds, at least 1 s.
pub fn lookback_step(window: Duration) -> Duration {
    Duration::from_secs_f64((window.as_secs_f64() / MAX_POINTS).ceil().max(1.0))
}

/// How many points the range query over `window` returns when the series has data all along.
pub fn expected_points(window: Duration) -> usize {
    let step = lookback_step(window).as_secs_f64();
    (window.as_secs_f64() / step).floor() as usize + 1
}

/// Min, median, p95 and max of the finite values of a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// How many finite points.
    pub points: usize,
    /// Smallest value.
    pub min: f64,
    /// Median (linear interpolation between ranks).
    pub median: f64,
    /// 95th percentile (linear interpolation between ranks).
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl Stats {
    /// The statistics of `values`, ignoring NaN and ±Inf; `None` when nothing finite is left.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Stats> {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        Some(Stats {
            points: sorted.len(),
            min: sorted[0],
            median: quantile(&sorted, 0.5),
            p95: quantile(&sorted, 0.95),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The `q` quantile of sorted values, interpolating linearly between neighbouring ranks.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    let weight = rank - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * weight
}

/// What the HPA would ask for at `value` of an `AverageValue` trigger: `ceil(value /
/// threshold)` before clamping, and the count after clamping to the ScaledObject's bounds
/// (at least 1, since the HPA never goes below 1; KEDA owns 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Projection {
    /// `ceil(value / threshold)`.
    pub wanted: u64,
    /// Clamped to `[max(min, 1), max]`.
    pub clamped: u64,
}

/// The projection for an `AverageValue` trigger; `None` for `Value` triggers, whose desired
/// count depends on the current replicas.
pub fn project(spec: &TriggerSpec, value: f64) -> Option<Projection> {
    if spec.metric_type != MetricType::AverageValue || spec.threshold <= 0.0 {
        return None;
    }
    let ratio = (value / spec.threshold).max(0.0);
    // A tiny epsilon keeps 10/5 at 2 where float division gives 2.0000000000000004.
    let wanted = (ratio - 1e-9).ceil().max(0.0) as u64;
    let floor = u64::from(spec.min_replicas.max(1));
    let ceiling = u64::from(spec.max_replicas).max(floor);
    Some(Projection {
        wanted,
        clamped: wanted.clamp(floor, ceiling),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::triggers::{ObjectRef, TargetRef};

    fn spec(metric_type: MetricType) -> TriggerSpec {
        TriggerSpec {
            object: ObjectRef {
                namespace: "n".into(),
                name: "o".into(),
                source: None,
            },
            target: TargetRef {
                kind: "Deployment".into(),
                name: "o".into(),
            },
            name: "s0-prometheus".into(),
            query: "q".into(),
            threshold: 5.0,
            activation_threshold: 0.0,
            metric_type,
            ignore_null_values: true,
            server_address: None,
            min_replicas: 0,
            max_replicas: 4,
            idle_replicas: None,
        }
    }

    #[test]
    fn stats_skip_non_finite_values_and_interpolate() {
        let s = Stats::of([4.0, f64::NAN, 1.0, 3.0, 2.0, f64::INFINITY]).unwrap();
        assert_eq!((s.points, s.min, s.max), (4, 1.0, 4.0));
        assert_eq!(s.median, 2.5);
        assert!((s.p95 - 3.85).abs() < 1e-9, "{}", s.p95);
        assert_eq!(Stats::of([f64::NAN]), None);
    }

    #[test]
    fn average_value_projection_is_ceil_then_clamp() {
        let s = spec(MetricType::AverageValue);
        assert_eq!(
            project(&s, 10.0),
            Some(Projection {
                wanted: 2,
                clamped: 2
            })
        );
        assert_eq!(
            project(&s, 11.0),
            Some(Projection {
                wanted: 3,
                clamped: 3
            })
        );
        assert_eq!(
            project(&s, 0.0),
            Some(Projection {
                wanted: 0,
                clamped: 1
            })
        );
        assert_eq!(
            project(&s, 100.0),
            Some(Projection {
                wanted: 20,
                clamped: 4
            })
        );
        assert_eq!(project(&spec(MetricType::Value), 10.0), None);
    }
}

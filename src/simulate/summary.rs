//! What a replay cost and delivered: GPU-hours against the time the queue stood above its
//! per-replica target, with the scale events and the time spent at the bounds. Pure
//! arithmetic over the simulated steps.

use jiff::SignedDuration;
use serde::Serialize;

use crate::engine::input::Observed;
use crate::engine::simulate::{SeriesPoint, SimulatedStep};

/// A per-replica target that the replay is measured against: an `AverageValue` trigger
/// (queue length, running requests), where "over target" means the value shared among the
/// ready replicas exceeds the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerReplicaTarget {
    /// The metric's position in the series points.
    pub metric: usize,
    /// The target per replica, in units.
    pub target: f64,
}

/// The totals of one replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Seconds replayed.
    pub duration_seconds: f64,
    /// GPU-hours held: every replica from its creation (loading ones too), × GPUs per replica.
    pub gpu_hours: f64,
    /// Mean replicas over the replay.
    pub mean_replicas: f64,
    /// The most replicas at once.
    pub peak_replicas: i32,
    /// Decisions that added replicas.
    pub scale_ups: usize,
    /// Decisions that removed replicas.
    pub scale_downs: usize,
    /// Seconds during which some per-replica target was exceeded by the value shared among
    /// the ready replicas (any value above 0 with no ready replica counts).
    pub seconds_over_target: f64,
    /// `seconds_over_target` as a fraction of the replay.
    pub over_target_fraction: f64,
    /// Seconds with something queued (a per-replica signal above 0) and no replica ready:
    /// the cost of waking from zero or of a cold start.
    pub seconds_without_ready_replica: f64,
    /// Seconds at `maxReplicaCount`.
    pub seconds_at_max: f64,
    /// Seconds at zero replicas.
    pub seconds_at_zero: f64,
}

/// Sums up `steps` (one per point of `series`). Each step's state holds until the next
/// point; the last one for `last_interval`.
pub fn summarize(
    steps: &[SimulatedStep],
    series: &[SeriesPoint],
    targets: &[PerReplicaTarget],
    gpus_per_replica: i64,
    max_replicas: i32,
    last_interval: SignedDuration,
) -> Summary {
    let mut sum = Totals::default();
    for (i, (step, point)) in steps.iter().zip(series).enumerate() {
        let until = series
            .get(i + 1)
            .map_or(point.at + last_interval, |next| next.at);
        let seconds = until.duration_since(point.at).as_secs_f64().max(0.0);
        sum.add(step, point, targets, seconds, max_replicas);
    }
    sum.finish(steps, gpus_per_replica)
}

#[derive(Default)]
struct Totals {
    seconds: f64,
    replica_seconds: f64,
    over_target: f64,
    without_ready: f64,
    at_max: f64,
    at_zero: f64,
}

impl Totals {
    /// One interval: the replicas the step decided hold (new ones are created at once and
    /// hold their GPU while loading); targets are judged on the pods ready at the step.
    fn add(
        &mut self,
        step: &SimulatedStep,
        point: &SeriesPoint,
        targets: &[PerReplicaTarget],
        seconds: f64,
        max_replicas: i32,
    ) {
        self.seconds += seconds;
        self.replica_seconds += f64::from(step.desired) * seconds;
        let ready = f64::from(step.ready.max(0));
        let values: Vec<(f64, f64)> = targets
            .iter()
            .filter_map(|t| Some((value(point, t.metric)?, t.target)))
            .collect();
        if values.iter().any(|&(v, target)| v > target * ready) {
            self.over_target += seconds;
        }
        if step.ready == 0 && values.iter().any(|&(v, _)| v > 0.0) {
            self.without_ready += seconds;
        }
        if step.desired >= max_replicas {
            self.at_max += seconds;
        }
        if step.desired == 0 {
            self.at_zero += seconds;
        }
    }

    fn finish(self, steps: &[SimulatedStep], gpus_per_replica: i64) -> Summary {
        let fraction = |part: f64| match self.seconds > 0.0 {
            true => part / self.seconds,
            false => 0.0,
        };
        Summary {
            duration_seconds: self.seconds,
            gpu_hours: self.replica_seconds * gpus_per_replica as f64 / 3600.0,
            mean_replicas: fraction(self.replica_seconds),
            peak_replicas: steps.iter().map(|s| s.desired).max().unwrap_or(0),
            scale_ups: steps.iter().filter(|s| s.desired > s.current).count(),
            scale_downs: steps.iter().filter(|s| s.desired < s.current).count(),
            seconds_over_target: self.over_target,
            over_target_fraction: fraction(self.over_target),
            seconds_without_ready_replica: self.without_ready,
            seconds_at_max: self.at_max,
            seconds_at_zero: self.at_zero,
        }
    }
}

/// The metric's value at the point, in units; none when it failed or had no data.
fn value(point: &SeriesPoint, metric: usize) -> Option<f64> {
    match point.observed.get(metric)? {
        Observed::Value { value } => Some(value.as_f64()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::engine::quantity::Milli;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_764_770_400 + seconds).unwrap()
    }

    fn step(seconds: i64, current: i32, ready: i32, desired: i32) -> SimulatedStep {
        SimulatedStep {
            at: at(seconds),
            current,
            ready,
            desired,
            binding: None,
        }
    }

    fn point(seconds: i64, queue: f64) -> SeriesPoint {
        SeriesPoint {
            at: at(seconds),
            observed: vec![Observed::Value {
                value: Milli::from_keda_f64(queue),
            }],
        }
    }

    /// Four 15-second steps of a queue with target 5 per replica on 2-GPU replicas:
    /// 1 → 3 replicas while 2 of them load, then all ready, then back to 1.
    #[test]
    fn sums_gpu_hours_over_target_and_bounds() {
        let steps = [
            step(0, 1, 1, 3),
            step(15, 3, 1, 3),
            step(30, 3, 3, 3),
            step(45, 3, 3, 1),
        ];
        let series = [
            point(0, 12.0),
            point(15, 12.0),
            point(30, 12.0),
            point(45, 0.0),
        ];
        let targets = [PerReplicaTarget {
            metric: 0,
            target: 5.0,
        }];
        let summary = summarize(
            &steps,
            &series,
            &targets,
            2,
            3,
            SignedDuration::from_secs(15),
        );
        assert_eq!(summary.duration_seconds, 60.0);
        // 3 + 3 + 3 + 1 replicas for 15 s each, 2 GPUs each: 300 GPU-seconds.
        assert!((summary.gpu_hours - 300.0 / 3600.0).abs() < 1e-12);
        assert_eq!(summary.mean_replicas, 2.5);
        assert_eq!(summary.peak_replicas, 3);
        assert_eq!((summary.scale_ups, summary.scale_downs), (1, 1));
        // 12 queued over 1 ready replica exceeds 5 for the first two steps; 12 over 3 does not.
        assert_eq!(summary.seconds_over_target, 30.0);
        assert_eq!(summary.over_target_fraction, 0.5);
        assert_eq!(summary.seconds_without_ready_replica, 0.0);
        assert_eq!(summary.seconds_at_max, 45.0);
        assert_eq!(summary.seconds_at_zero, 0.0);
    }

    #[test]
    fn demand_at_zero_counts_as_waiting_and_over_target() {
        let steps = [step(0, 0, 0, 0), step(30, 0, 0, 1), step(60, 1, 0, 1)];
        let series = [point(0, 0.0), point(30, 2.0), point(60, 2.0)];
        let targets = [PerReplicaTarget {
            metric: 0,
            target: 5.0,
        }];
        let summary = summarize(
            &steps,
            &series,
            &targets,
            1,
            4,
            SignedDuration::from_secs(30),
        );
        assert_eq!(summary.seconds_without_ready_replica, 60.0);
        assert_eq!(summary.seconds_over_target, 60.0);
        assert_eq!(summary.seconds_at_zero, 30.0);
        assert_eq!(summary.scale_ups, 1);
    }
}

//! `simulate`: replays a recorded metric series through scaling policies (ScaledObjects, with
//! the workload they scale when it is given) with the decision engine, and sums up each replay
//! in GPU-hours against the time the queue stood above its target.
//!
//! The replay is open loop: the recorded values are what KEDA reads at each step, whatever the
//! simulated replica count. That is exact for the decision given the traffic, and a fair
//! comparison of policies; it does not model how more replicas would have shortened the
//! recorded queue. Pure: the objects and the recording come in, the runs go out.

pub mod recording;
pub mod summary;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::engine::input::{Input, KedaInput, MetricInput, MetricSource, Observed, Target};
use crate::engine::quantity::Milli;
use crate::engine::simulate::{self as replay, SeriesPoint, SimulatedStep, Workload};
use crate::explain::join::{self, Readings, TriggerView};
use crate::explain::pods;
use crate::sources::objects::{ObjectSet, name_of, namespace_of};

pub use recording::{Recording, Row};
pub use summary::Summary;

/// How every policy is replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Time from a replica's creation to Ready.
    pub cold_start: SignedDuration,
    /// GPUs per replica, overriding what the target Deployment requests.
    pub gpus_per_replica: Option<i64>,
    /// Replicas at the start; default `minReplicaCount`.
    pub start_replicas: Option<i32>,
}

/// Why a policy could not be replayed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// A trigger has no column in the recording.
    #[error(
        "ScaledObject {object}: trigger {trigger} has no column in the recording (columns: \
         {columns}); name a column after the trigger's `name` or its metric {metric}"
    )]
    NoColumn {
        /// `namespace/name`.
        object: String,
        /// The trigger, as named in messages.
        trigger: String,
        /// Its metric name.
        metric: String,
        /// The recording's columns.
        columns: String,
    },
    /// Nothing of the policy can be replayed.
    #[error("ScaledObject {object}: no trigger to replay (cpu and memory are not recorded)")]
    NothingToReplay {
        /// `namespace/name`.
        object: String,
    },
    /// The engine refused the series.
    #[error("ScaledObject {object}: {source}")]
    Series {
        /// `namespace/name`.
        object: String,
        /// The engine's error.
        source: replay::SimulationError,
    },
}

/// One trigger and the column it replays.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerColumn {
    /// The trigger, as named in messages (`queue` or `triggers[0] (prometheus)`).
    pub trigger: String,
    /// The HPA metric name (`s0-prometheus`).
    pub metric_name: String,
    /// `AverageValue` or `Value`.
    pub metric_type: String,
    /// The target, in units.
    pub target: f64,
    /// The recording's column.
    pub column: String,
}

/// One policy's replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// How reports name this policy: `namespace/name`, followed by the file it came from
    /// when several replayed ScaledObjects share a name (see [`label_policies`]).
    pub policy: String,
    /// The ScaledObject's namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `minReplicaCount` and `maxReplicaCount`.
    pub min_replicas: i32,
    /// `maxReplicaCount`.
    pub max_replicas: i32,
    /// GPUs each replica holds.
    pub gpus_per_replica: i64,
    /// Where that figure came from.
    pub gpus_source: String,
    /// The replayed triggers.
    pub triggers: Vec<TriggerColumn>,
    /// What the replay leaves out, in words.
    pub notes: Vec<String>,
    /// The totals.
    pub summary: Summary,
    /// One step per recorded instant.
    pub steps: Vec<SimulatedStep>,
    /// The value per ready replica of the first `AverageValue` trigger at each step, over its
    /// target: how many replicas the demand needed (for charts).
    #[serde(skip)]
    pub demand_replicas: Vec<Option<f64>>,
}

impl Run {
    /// `namespace/name`.
    pub fn object(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Names each run's policy by its object, adding the file it came from (`files[i]` for
/// `runs[i]`) where two runs replay ScaledObjects of the same name, as when the current and a
/// candidate version of one ScaledObject are compared.
pub fn label_policies(runs: &mut [Run], files: &[String]) {
    let objects: Vec<String> = runs.iter().map(Run::object).collect();
    for (i, run) in runs.iter_mut().enumerate() {
        let shared = objects.iter().filter(|o| **o == objects[i]).count() > 1;
        run.policy = match files.get(i) {
            Some(file) if shared => format!("{} ({file})", objects[i]),
            _ => objects[i].clone(),
        };
    }
}

/// Replays `recording` through the ScaledObject `scaled_object` (its target and other
/// objects come from `set`).
pub fn run(
    set: &ObjectSet,
    scaled_object: &Value,
    recording: &Recording,
    options: &Options,
) -> Result<Run, SimulateError> {
    let object = format!(
        "{}/{}",
        namespace_of(scaled_object).unwrap_or_default(),
        name_of(scaled_object)
    );
    let Some(first) = recording.rows.first() else {
        return Err(SimulateError::NothingToReplay { object });
    };
    let joined = join::join(set, scaled_object, first.at, &Readings::new());
    let mut notes = Vec::new();
    let (input, bindings) = start_input(&joined, recording, options, &mut notes, &object)?;
    let points = series_points(&bindings, recording);
    let workload = Workload {
        cold_start: options.cold_start,
    };
    let steps =
        replay::simulate(&input, &points, workload).map_err(|source| SimulateError::Series {
            object: object.clone(),
            source,
        })?;

    let targets = per_replica_targets(&input);
    let (gpus_per_replica, gpus_source) = gpus(set, scaled_object, &joined.namespace, options);
    let summary = summary::summarize(
        &steps,
        &points,
        &targets,
        gpus_per_replica,
        input.max_replicas,
        last_interval(recording),
    );
    let demand_replicas = demand(&steps, &points, targets.first());
    Ok(Run {
        policy: object,
        namespace: joined.namespace,
        name: joined.name,
        min_replicas: input
            .keda
            .as_ref()
            .map_or(input.min_replicas, |k| k.min_replica_count),
        max_replicas: input.max_replicas,
        gpus_per_replica,
        gpus_source,
        triggers: trigger_columns(&joined.triggers, &input, &bindings, recording),
        notes,
        summary,
        steps,
        demand_replicas,
    })
}

/// Where one replayed metric's values come from.
#[derive(Debug, Clone, Copy)]
struct Binding {
    /// The recording's column.
    column: usize,
    /// The trigger's `ignoreNullValues`: whether no data reads as 0 or as an error.
    ignore_null_values: bool,
}

/// The engine's input at the first instant, with only the metrics the recording has a
/// column for, and where each metric's values come from.
fn start_input(
    joined: &join::Joined,
    recording: &Recording,
    options: &Options,
    notes: &mut Vec<String>,
    object: &str,
) -> Result<(Input, Vec<Binding>), SimulateError> {
    let mut input = joined.input.clone();
    let mut metrics = Vec::new();
    let mut bindings = Vec::new();
    for view in joined
        .triggers
        .iter()
        .filter(|t| matches!(t.trigger_type.as_str(), "cpu" | "memory"))
    {
        notes.push(format!(
            "{} is left out: cpu and memory use is not in the recording",
            trigger_label(view)
        ));
    }
    let is_resource = |m: &MetricInput| matches!(m.source, MetricSource::Resource { .. });
    let replayable = input.metrics.iter().filter(|m| !is_resource(m)).count();
    for metric in std::mem::take(&mut input.metrics) {
        if is_resource(&metric) {
            continue;
        }
        let view = joined
            .triggers
            .iter()
            .find(|t| t.metric_name.as_deref() == Some(metric.name.as_str()));
        let column = column_for(view, &metric.name, recording, replayable).ok_or_else(|| {
            SimulateError::NoColumn {
                object: object.to_string(),
                trigger: view.map_or_else(|| metric.name.clone(), trigger_label),
                metric: metric.name.clone(),
                columns: recording.columns.join(", "),
            }
        })?;
        metrics.push(metric);
        bindings.push(Binding {
            column,
            ignore_null_values: view.is_none_or(|v| v.ignore_null_values),
        });
    }
    if metrics.is_empty() {
        return Err(SimulateError::NothingToReplay {
            object: object.to_string(),
        });
    }
    input.metrics = metrics;
    let start = options.start_replicas.unwrap_or_else(|| {
        input
            .keda
            .as_ref()
            .map_or(input.min_replicas, |k| k.min_replica_count)
    });
    let start = start.clamp(0, input.max_replicas.max(0));
    input.current_replicas = start;
    input.status_replicas = start;
    input.pods = Vec::new();
    input.history = Default::default();
    if let Some(keda) = input.keda.as_mut() {
        start_keda(keda, input.now, start);
    }
    Ok((input, bindings))
}

/// KEDA as if the ScaledObject had long existed and, when it starts with replicas, had just
/// been active.
fn start_keda(keda: &mut KedaInput, now: Timestamp, start: i32) {
    keda.creation_time = Some(now - SignedDuration::from_hours(24));
    keda.last_active_time = (start > 0).then_some(now);
}

/// The column a trigger replays: the one named after the trigger, else after its metric,
/// else the only column when the policy replays one trigger.
fn column_for(
    view: Option<&TriggerView>,
    metric: &str,
    recording: &Recording,
    replayable: usize,
) -> Option<usize> {
    view.and_then(|v| v.name.as_deref())
        .and_then(|name| recording.column(name))
        .or_else(|| recording.column(metric))
        .or_else(|| (recording.columns.len() == 1 && replayable == 1).then_some(0))
}

fn trigger_label(view: &TriggerView) -> String {
    match &view.name {
        Some(name) => name.clone(),
        None => format!("triggers[{}] ({})", view.index, view.trigger_type),
    }
}

/// One series point per recorded row: a value, no data (read as KEDA reads it), or a
/// failure for NaN and ±Inf, which KEDA's Prometheus scaler refuses.
fn series_points(bindings: &[Binding], recording: &Recording) -> Vec<SeriesPoint> {
    recording
        .rows
        .iter()
        .map(|row| SeriesPoint {
            at: row.at,
            observed: bindings.iter().map(|b| observe(row, *b)).collect(),
        })
        .collect()
}

fn observe(row: &Row, binding: Binding) -> Observed {
    match row.values[binding.column] {
        Some(v) if v.is_finite() => Observed::Value {
            value: Milli::from_keda_f64(v),
        },
        Some(v) => Observed::Failed {
            reason: format!("the recorded value is {v}, which KEDA reads as an error"),
        },
        None => Observed::NoData {
            read_as_zero: binding.ignore_null_values,
        },
    }
}

fn per_replica_targets(input: &Input) -> Vec<summary::PerReplicaTarget> {
    input
        .metrics
        .iter()
        .enumerate()
        .filter_map(|(metric, m)| match m.target {
            Target::AverageValue(target) => Some(summary::PerReplicaTarget {
                metric,
                target: target.as_f64(),
            }),
            _ => None,
        })
        .collect()
}

/// GPUs per replica: the flag, else what the target's pod template requests, else 1.
fn gpus(
    set: &ObjectSet,
    scaled_object: &Value,
    namespace: &str,
    options: &Options,
) -> (i64, String) {
    if let Some(gpus) = options.gpus_per_replica {
        return (gpus, "--gpus-per-replica".to_string());
    }
    let target = pods::target(set, scaled_object, namespace);
    let requested = target
        .object
        .and_then(|o| o.pointer("/spec/template"))
        .map_or(0, pods::gpu_request);
    match (target.object, requested) {
        (Some(_), gpus) if gpus > 0 => (
            gpus,
            format!(
                "{} {} requests nvidia.com/gpu",
                target.info.kind, target.info.name
            ),
        ),
        _ => (
            1,
            "assumed: no target with nvidia.com/gpu in the files (--gpus-per-replica)".to_string(),
        ),
    }
}

/// The interval the last row holds for: the gap before it (15 s, the HPA's sync period, for
/// a single row).
fn last_interval(recording: &Recording) -> SignedDuration {
    match recording.rows.as_slice() {
        [.., before, last] => last.at.duration_since(before.at),
        _ => SignedDuration::from_secs(15),
    }
}

fn demand(
    steps: &[SimulatedStep],
    points: &[SeriesPoint],
    target: Option<&summary::PerReplicaTarget>,
) -> Vec<Option<f64>> {
    let Some(target) = target else {
        return vec![None; steps.len()];
    };
    points
        .iter()
        .map(|p| match p.observed.get(target.metric) {
            Some(Observed::Value { value }) if target.target > 0.0 => {
                Some(value.as_f64() / target.target)
            }
            _ => None,
        })
        .collect()
}

fn trigger_columns(
    views: &[TriggerView],
    input: &Input,
    bindings: &[Binding],
    recording: &Recording,
) -> Vec<TriggerColumn> {
    input
        .metrics
        .iter()
        .zip(bindings)
        .map(|(metric, binding)| {
            let view = views
                .iter()
                .find(|t| t.metric_name.as_deref() == Some(metric.name.as_str()));
            let (metric_type, target) = match metric.target {
                Target::AverageValue(t) => ("AverageValue", t.as_f64()),
                Target::Value(t) => ("Value", t.as_f64()),
                Target::Utilization(u) => ("Utilization", f64::from(u)),
            };
            TriggerColumn {
                trigger: view.map_or_else(|| metric.name.clone(), trigger_label),
                metric_name: metric.name.clone(),
                metric_type: metric_type.to_string(),
                target,
                column: recording.columns[binding.column].clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;

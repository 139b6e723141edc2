//! Joins the objects of one ScaledObject (ScaledObject → its HPA → the HPA's external metrics
//! → their values → the target and its pods → Kueue → events) into the engine's input and the
//! facts the report shows beside the decision.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use super::json::{
    annotation, array_at, condition, f64_at, i32_at, milli_at, quantity_f64_at, str_at, time_at,
    truthy,
};
use super::kueue::{self, KueueInfo};
use super::pods::{self, PodInfo, TargetInfo};
use crate::engine::input::{
    Behavior, CompositeMetricType, ControllerConfig, Fallback, FallbackBehavior, History,
    HistorySource, Input, KedaAnnotations, KedaInput, MetricInput, MetricSource, Observed,
    PolicyType, Recommendation, ScaleEvent, ScalingModifiers, ScalingPolicy, ScalingRules,
    SelectPolicy, Target, TriggerInfo,
};
use crate::engine::quantity::Milli;
use crate::sources::objects::{MetricLookup, ObjectSet, name_of, namespace_of};

/// Where a trigger's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueSource {
    /// `external.metrics.k8s.io`, exactly what the HPA reads.
    ExternalMetricsApi,
    /// The HPA's `status.currentMetrics` (rounded per pod; absent at zero replicas).
    HpaStatus,
    /// The trigger's query run against Prometheus (`--prometheus`).
    Prometheus,
    /// No value: the metric failed or nothing reported it.
    None,
}

/// What a trigger's query gave when run directly against Prometheus (`--prometheus`).
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// One value (the single series KEDA needs, or a scalar).
    Value(f64),
    /// No series: KEDA reads 0 with `ignoreNullValues: true`, else fails.
    Empty,
    /// Prometheus rejected the query, or it gave several series.
    Error(String),
}

/// Readings by (namespace, ScaledObject, trigger index).
pub type Readings = std::collections::BTreeMap<(String, String, usize), Reading>;

/// One trigger of the ScaledObject with its metric and value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerView {
    /// Position in `spec.triggers`.
    pub index: usize,
    /// The trigger's `name`, when set.
    pub name: Option<String>,
    /// The scaler type (`prometheus`, `cpu`, …).
    pub trigger_type: String,
    /// The HPA metric name (`s0-prometheus`); none for cpu/memory triggers.
    pub metric_name: Option<String>,
    /// `AverageValue`, `Value` or `Utilization`.
    pub metric_type: String,
    /// The target, exactly as the HPA compares it (serialized in units).
    pub target: Option<Milli>,
    /// The value the HPA compares (the total), exactly (serialized in units).
    pub value: Option<Milli>,
    /// Where the value came from.
    pub value_source: ValueSource,
    /// `activationThreshold` (default 0).
    pub activation_threshold: f64,
    /// `ignoreNullValues` (Prometheus; default true).
    pub ignore_null_values: bool,
    /// The Prometheus query, for Prometheus triggers.
    pub query: Option<String>,
    /// The Prometheus server, for Prometheus triggers.
    pub server_address: Option<String>,
    /// The container, for a cpu/memory trigger with `containerName` (ContainerResource).
    pub container: Option<String>,
    /// Why the value (or the proposal made from it) is approximate.
    pub approximate: Option<String>,
    /// The range the exact value lies in, when only a rounded figure was read (the HPA
    /// status reports an AverageValue metric rounded up per replica).
    pub value_range: Option<(Milli, Milli)>,
    /// What to know about where the value came from (a metric value not used as ambiguous).
    pub source_note: Option<String>,
    /// Why the value could not be read.
    pub failure: Option<String>,
    /// Whether the query returned no series (known from `--prometheus`, or KEDA's error).
    pub no_data: bool,
    /// The value of the query run directly (`--prometheus`), when it differs or is the source.
    pub prometheus_value: Option<f64>,
}

/// One recent event of the ScaledObject or its HPA.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The reason (`KEDAScalerFailed`, `SuccessfulRescale`, …).
    pub reason: String,
    /// `Kind/name` of the object.
    pub object: String,
    /// The message.
    pub message: String,
    /// When it last happened.
    pub time: Option<Timestamp>,
    /// How many times.
    pub count: i64,
}

/// Everything joined for one ScaledObject.
#[derive(Debug, Clone)]
pub struct Joined {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The HPA's name.
    pub hpa_name: String,
    /// Whether that HPA was found.
    pub hpa_found: bool,
    /// What the HPA reported at its last sync.
    pub hpa_reported: HpaReported,
    /// The triggers.
    pub triggers: Vec<TriggerView>,
    /// The target.
    pub target: TargetInfo,
    /// The target's pods.
    pub pods: Vec<PodInfo>,
    /// Kueue's view, when the target is queued.
    pub kueue: Option<KueueInfo>,
    /// Recent events, newest first.
    pub events: Vec<EventView>,
    /// What the engine decides from (a rounded value at the likeliest point of its range).
    pub input: Input,
    /// The same with rounded values at the bottom and at the top of their ranges, when any
    /// value is only known as a range.
    pub input_ends: Option<(Input, Input)>,
    /// What the reader should know about the sources (ambiguous or approximate values).
    pub notes: Vec<String>,
}

/// The HPA KEDA made for a ScaledObject: the custom name, `status.hpaName`, or `keda-hpa-<name>`.
pub fn hpa_name(scaled_object: &Value) -> String {
    str_at(
        scaled_object,
        "/spec/advanced/horizontalPodAutoscalerConfig/name",
    )
    .or_else(|| str_at(scaled_object, "/status/hpaName"))
    .map(str::to_string)
    .unwrap_or_else(|| format!("keda-hpa-{}", name_of(scaled_object)))
}

/// The external metric names of a ScaledObject's triggers, with their trigger index (for
/// reading their values from the external metrics API before joining).
pub fn external_metric_names(set: &ObjectSet, scaled_object: &Value) -> Vec<String> {
    let ns = namespace_of(scaled_object).unwrap_or_default();
    let hpa = set.find(
        "HorizontalPodAutoscaler",
        Some(ns),
        &hpa_name(scaled_object),
    );
    array_at(scaled_object, "/spec/triggers")
        .iter()
        .enumerate()
        .filter_map(|(i, t)| metric_name(scaled_object, hpa, i, t))
        .collect()
}

/// Joins one ScaledObject at `now`, with what its queries gave when run directly.
pub fn join(set: &ObjectSet, scaled_object: &Value, now: Timestamp, readings: &Readings) -> Joined {
    let namespace = namespace_of(scaled_object).unwrap_or_default().to_string();
    let name = name_of(scaled_object).to_string();
    let hpa_name = hpa_name(scaled_object);
    let hpa = set.find("HorizontalPodAutoscaler", Some(&namespace), &hpa_name);
    let target = pods::target(set, scaled_object, &namespace);
    let pod_infos: Vec<PodInfo> = target.pods.iter().map(|p| pods::describe(p, now)).collect();
    let kueue = kueue::read(set, &namespace, target.object, &target.pods, &pod_infos);
    let mut triggers = triggers(set, scaled_object, hpa, &target);
    for trigger in &mut triggers {
        let key = (namespace.clone(), name.clone(), trigger.index);
        if let Some(reading) = readings.get(&key) {
            apply_reading(trigger, reading);
        }
    }
    let events = events(set, &namespace, &name, &hpa_name);
    let input_for = |views: &[TriggerView]| input(scaled_object, hpa, &target, views, &events, now);
    let likeliest = input_for(&triggers);
    let ends = triggers.iter().any(|t| t.value_range.is_some()).then(|| {
        (
            input_for(&at_end(&triggers, End::Low)),
            input_for(&at_end(&triggers, End::High)),
        )
    });
    let mut notes: Vec<String> = triggers
        .iter()
        .filter_map(|t| {
            let note = t.source_note.as_ref()?;
            Some(format!(
                "{}: {note}",
                t.metric_name.as_deref().unwrap_or("trigger")
            ))
        })
        .collect();
    notes.extend(invalid_min_note(scaled_object));
    if !target.info.found
        && hpa
            .and_then(|h| i32_at(h, "/status/currentReplicas"))
            .is_none()
    {
        notes.push(format!(
            "{} {} is not in the input and no HPA status reports its size: the current count is \
             taken from the {} pods found",
            target.info.kind,
            target.info.name,
            pod_infos.len()
        ));
    }
    Joined {
        namespace,
        name,
        hpa_name,
        hpa_found: hpa.is_some(),
        hpa_reported: hpa.map(hpa_reported).unwrap_or_default(),
        triggers,
        target: target.info,
        pods: pod_infos,
        kueue,
        events,
        notes,
        input: likeliest,
        input_ends: ends,
    }
}

/// An end of a value's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The bottom.
    Low,
    /// The top.
    High,
}

/// The triggers with every rounded value at one end of its range.
pub fn at_end(triggers: &[TriggerView], end: End) -> Vec<TriggerView> {
    triggers
        .iter()
        .cloned()
        .map(|mut t| {
            if let Some((low, high)) = t.value_range {
                t.value = Some(if end == End::Low { low } else { high });
            }
            t
        })
        .collect()
}

/// What the HPA itself reported at its last sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HpaReported {
    /// `status.currentReplicas`.
    pub current_replicas: Option<i32>,
    /// `status.desiredReplicas`.
    pub desired_replicas: Option<i32>,
    /// The `AbleToScale` condition's reason (`ReadyForNewScale`, `ScaleDownStabilized`, …).
    pub able_to_scale: Option<String>,
}

fn hpa_reported(hpa: &Value) -> HpaReported {
    HpaReported {
        current_replicas: i32_at(hpa, "/status/currentReplicas"),
        desired_replicas: i32_at(hpa, "/status/desiredReplicas"),
        able_to_scale: condition(hpa, "AbleToScale")
            .and_then(|c| c["reason"].as_str())
            .map(str::to_string),
    }
}

fn metric_name(so: &Value, hpa: Option<&Value>, index: usize, trigger: &Value) -> Option<String> {
    let trigger_type = str_at(trigger, "/type").unwrap_or_default();
    if matches!(trigger_type, "cpu" | "memory") {
        return None;
    }
    let prefix = format!("s{index}-");
    let from_hpa = hpa
        .into_iter()
        .flat_map(|h| array_at(h, "/spec/metrics"))
        .find_map(|m| str_at(m, "/external/metric/name").filter(|n| n.starts_with(&prefix)));
    let from_status = array_at(so, "/status/externalMetricNames")
        .iter()
        .filter_map(Value::as_str)
        .find(|n| n.starts_with(&prefix));
    Some(
        from_hpa
            .or(from_status)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{prefix}{trigger_type}")),
    )
}

fn triggers(
    set: &ObjectSet,
    so: &Value,
    hpa: Option<&Value>,
    target: &pods::Target<'_>,
) -> Vec<TriggerView> {
    // The HPA divides an AverageValue metric by the target's status.replicas.
    let status_replicas = target
        .info
        .status_replicas
        .or_else(|| hpa.and_then(|h| i32_at(h, "/status/currentReplicas")));
    array_at(so, "/spec/triggers")
        .iter()
        .enumerate()
        .map(|(index, trigger)| match str_at(trigger, "/type") {
            Some("cpu" | "memory") => resource_view(so, hpa, &target.pods, index, trigger),
            _ => {
                let mut view = trigger_view(set, so, hpa, index, trigger);
                if view.value.is_none()
                    && let Some(metric) = view.metric_name.clone()
                {
                    status_value(&mut view, hpa, &metric, status_replicas);
                }
                view
            }
        })
        .collect()
}

/// The value from the HPA's `status.currentMetrics`, when the external metrics API gave none:
/// exact for a Value target; for an AverageValue target the HPA reports `ceil(total /
/// status.replicas)`, so the total is only known to lie in a range.
fn status_value(
    view: &mut TriggerView,
    hpa: Option<&Value>,
    metric: &str,
    status_replicas: Option<i32>,
) {
    let Some(reported) = hpa.and_then(|h| hpa_status_value(h, metric)) else {
        return;
    };
    view.value_source = ValueSource::HpaStatus;
    match reported {
        StatusValue::Total(value) => view.value = Some(value),
        StatusValue::Average(average) => match status_replicas.filter(|n| *n > 0) {
            Some(n) => {
                let (low, high) = total_range(average, n);
                view.value = Some(likeliest(low, high));
                if low != high {
                    view.value_range = Some((low, high));
                    view.approximate = Some(format!(
                        "the HPA status reports the average rounded up per replica ({average} \
                         over {n}): the total is between {low} and {high}"
                    ));
                }
            }
            None => view.value_source = ValueSource::None,
        },
    }
}

/// The likeliest total in a range: a whole number when the range holds one (queue lengths and
/// request counts are whole), else its bottom.
fn likeliest(low: Milli, high: Milli) -> Milli {
    let whole = high.0.div_euclid(1000) * 1000;
    if whole >= low.0 { Milli(whole) } else { low }
}

/// The totals whose average over `replicas`, rounded up to the milli, is `average`:
/// `((average - 1) × n, average × n]` (just 0 for an average of 0).
fn total_range(average: Milli, replicas: i32) -> (Milli, Milli) {
    let n = i64::from(replicas);
    let high = average.0.saturating_mul(n);
    if average.0 <= 0 {
        return (Milli(high), Milli(high));
    }
    let low = (average.0 - 1).saturating_mul(n).saturating_add(1);
    (Milli(low), Milli(high))
}

/// A cpu/memory trigger: a Resource (or ContainerResource) metric of the HPA. Its target is
/// the HPA's (else the trigger's `metricType` and `value`), its value the average the HPA
/// reports in `status.currentMetrics` (none at 0 replicas); per-pod usage (`metrics.k8s.io`)
/// is not read.
fn resource_view(
    so: &Value,
    hpa: Option<&Value>,
    pods: &[&Value],
    index: usize,
    trigger: &Value,
) -> TriggerView {
    let resource = str_at(trigger, "/type").unwrap_or("cpu");
    let container = str_at(trigger, "/metadata/containerName").filter(|c| !c.is_empty());
    let spec = hpa.and_then(|h| resource_metric(h, "/spec/metrics", resource, container));
    let status =
        hpa.and_then(|h| resource_metric(h, "/status/currentMetrics", resource, container));
    let metric_type = spec
        .and_then(|m| str_at(m, "/target/type"))
        .or_else(|| str_at(trigger, "/metricType"))
        .unwrap_or("Utilization")
        .to_string();
    let utilization = metric_type == "Utilization";
    let target = match spec {
        Some(m) if utilization => {
            i32_at(m, "/target/averageUtilization").map(|p| Milli::from_units(i64::from(p)))
        }
        Some(m) => milli_at(m, "/target/averageValue"),
        None if utilization => {
            i32_at(trigger, "/metadata/value").map(|p| Milli::from_units(i64::from(p)))
        }
        None => milli_at(trigger, "/metadata/value"),
    };
    let mut view = TriggerView {
        index,
        name: str_at(trigger, "/name").map(str::to_string),
        trigger_type: resource.to_string(),
        metric_name: Some(resource.to_string()),
        metric_type,
        target,
        value: None,
        value_source: ValueSource::None,
        activation_threshold: 0.0,
        ignore_null_values: true,
        query: None,
        server_address: None,
        container: container.map(str::to_string),
        approximate: None,
        value_range: None,
        source_note: None,
        failure: None,
        no_data: false,
        prometheus_value: None,
    };
    let average = status.and_then(|m| milli_at(m, "/current/averageValue"));
    if utilization {
        if let Some(percent) = status.and_then(|m| i32_at(m, "/current/averageUtilization")) {
            view.value = Some(Milli::from_units(i64::from(percent)));
        } else if let Some(percent) =
            average.and_then(|a| utilization_of(a, pods, resource, container))
        {
            view.value = Some(percent);
            view.approximate = Some(format!(
                "the HPA status reports no utilization: derived from its average value and the \
                 pods' {resource} requests"
            ));
        }
    } else {
        view.value = average;
    }
    if view.value.is_some() {
        view.value_source = ValueSource::HpaStatus;
    } else if reported_failing(so, hpa, resource) {
        view.failure = hpa
            .and_then(|h| condition(h, "ScalingActive"))
            .and_then(|c| c["message"].as_str())
            .map(str::to_string);
    }
    view
}

/// The Resource (or ContainerResource) entry for `resource` in an HPA's metric list: the
/// `resource` / `containerResource` object.
fn resource_metric<'a>(
    hpa: &'a Value,
    pointer: &str,
    resource: &str,
    container: Option<&str>,
) -> Option<&'a Value> {
    array_at(hpa, pointer).iter().find_map(|m| {
        let inner = match container {
            Some(c) => m.get("containerResource").filter(|r| r["container"] == c),
            None => m.get("resource"),
        }?;
        (inner["name"] == resource).then_some(inner)
    })
}

/// The utilization in percent (as units) that an average usage is of the pods' mean request,
/// as `floor(100 × Σusage / Σrequest)` with every running pod at the average.
fn utilization_of(
    average: Milli,
    pods: &[&Value],
    resource: &str,
    container: Option<&str>,
) -> Option<Milli> {
    let requests: Vec<i64> = pods
        .iter()
        .filter(|p| str_at(p, "/status/phase") == Some("Running"))
        .filter(|p| {
            p.pointer("/metadata/deletionTimestamp")
                .is_none_or(Value::is_null)
        })
        .filter_map(|p| pod_request(p, resource, container))
        .collect();
    let total: i128 = requests.iter().map(|r| i128::from(*r)).sum();
    if total <= 0 {
        return None;
    }
    let used = i128::from(average.0) * requests.len() as i128;
    let percent = i64::try_from(used * 100 / total).ok()?;
    Some(Milli::from_units(percent))
}

/// A pod's request for `resource` in milli, summed over its containers (or the named one);
/// `None` when a counted container has none, as upstream then refuses the metric.
fn pod_request(pod: &Value, resource: &str, container: Option<&str>) -> Option<i64> {
    let key = resource.replace('/', "~1");
    let mut sum = 0i64;
    for c in array_at(pod, "/spec/containers") {
        if container.is_some_and(|wanted| c["name"] != wanted) {
            continue;
        }
        let request = milli_at(c, &format!("/resources/requests/{key}"))?;
        sum = sum.saturating_add(request.0);
    }
    Some(sum)
}

fn trigger_view(
    set: &ObjectSet,
    so: &Value,
    hpa: Option<&Value>,
    index: usize,
    trigger: &Value,
) -> TriggerView {
    let metric = metric_name(so, hpa, index, trigger);
    let hpa_metric = metric.as_deref().and_then(|m| hpa_metric(hpa, m));
    let metric_type = hpa_metric
        .and_then(|m| str_at(m, "/external/target/type"))
        .or_else(|| str_at(trigger, "/metricType"))
        .unwrap_or("AverageValue")
        .to_string();
    let target = hpa_metric
        .and_then(|m| {
            milli_at(m, "/external/target/averageValue")
                .or_else(|| milli_at(m, "/external/target/value"))
        })
        .or_else(|| f64_at(trigger, "/metadata/threshold").map(Milli::from_keda_f64));
    let mut view = TriggerView {
        index,
        name: str_at(trigger, "/name").map(str::to_string),
        trigger_type: str_at(trigger, "/type").unwrap_or_default().to_string(),
        metric_name: metric.clone(),
        metric_type,
        target,
        value: None,
        value_source: ValueSource::None,
        activation_threshold: f64_at(trigger, "/metadata/activationThreshold").unwrap_or(0.0),
        ignore_null_values: str_at(trigger, "/metadata/ignoreNullValues").is_none_or(truthy),
        query: str_at(trigger, "/metadata/query").map(str::to_string),
        server_address: str_at(trigger, "/metadata/serverAddress").map(str::to_string),
        container: None,
        approximate: None,
        value_range: None,
        source_note: None,
        failure: None,
        no_data: false,
        prometheus_value: None,
    };
    if let Some(metric) = metric {
        read_value(&mut view, set, so, hpa, &metric);
    }
    view
}

fn hpa_metric<'a>(hpa: Option<&'a Value>, metric: &str) -> Option<&'a Value> {
    hpa.into_iter()
        .flat_map(|h| array_at(h, "/spec/metrics"))
        .find(|m| m["external"]["metric"]["name"] == metric)
}

/// The value: the external metrics API first (exact), then the HPA status. A trigger KEDA
/// reports as failing is a failure even with a value: in fallback KEDA serves a made-up value.
fn read_value(
    view: &mut TriggerView,
    set: &ObjectSet,
    so: &Value,
    hpa: Option<&Value>,
    metric: &str,
) {
    let ns = namespace_of(so).unwrap_or_default();
    let sample = match set.external_metric(ns, name_of(so), metric) {
        MetricLookup::Found(sample) => Milli::parse(&sample.value).ok(),
        MetricLookup::Ambiguous { why } => {
            view.source_note = Some(format!(
                "not used: the metric values read hold {why}; the value comes from the HPA \
                 status instead (a dump names a list's ScaledObject by its metadata.selfLink, \
                 see the README)"
            ));
            None
        }
        MetricLookup::Missing => None,
    };
    if let Some(value) = sample {
        view.value = Some(value);
        view.value_source = ValueSource::ExternalMetricsApi;
    }
    // Else the HPA status may have it (`status_value` reads it once the target is known).
    let has_value =
        view.value.is_some() || hpa.is_some_and(|h| hpa_status_value(h, metric).is_some());
    let failing = so
        .pointer(&format!("/status/health/{}/status", escape(metric)))
        .is_some_and(|s| s == "Failing");
    // Without a value, only KEDA's or the HPA's own status says the trigger fails: at zero
    // replicas the HPA reports no metrics at all, which is not a failure.
    if failing || (!has_value && reported_failing(so, hpa, metric)) {
        view.failure = Some(failure(set, so, hpa, metric));
    }
    view.no_data = view
        .failure
        .as_deref()
        .is_some_and(|f| f.contains("empty") || f.contains("no data"));
}

/// Whether the ScaledObject or the HPA reports this metric failing: KEDA's health status, the
/// HPA's `ScalingActive=False` naming it, or KEDA's `Ready` condition saying a trigger errors.
fn reported_failing(so: &Value, hpa: Option<&Value>, metric: &str) -> bool {
    let health = so
        .pointer(&format!("/status/health/{}/status", escape(metric)))
        .is_some_and(|s| s == "Failing");
    let hpa_says = hpa
        .and_then(|h| condition(h, "ScalingActive"))
        .filter(|c| c["status"] == "False")
        .and_then(|c| c["message"].as_str())
        .is_some_and(|m| m.contains(metric));
    let keda_says = condition(so, "Ready").is_some_and(|c| {
        matches!(
            c["reason"].as_str(),
            Some("TriggerError" | "PartialTriggerError")
        )
    });
    health || hpa_says || keda_says
}

/// A key as a JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Adds what the query gave when run directly: its value beside the one KEDA served (the
/// source when nothing else gave one), and whether it returned no series at all.
fn apply_reading(trigger: &mut TriggerView, reading: &Reading) {
    match reading {
        Reading::Value(value) => {
            trigger.prometheus_value = Some(*value);
            // The query's own answer beats none, or a figure the HPA status rounded.
            if trigger.value.is_none() || trigger.value_range.is_some() {
                trigger.value = Some(served_value(*value));
                trigger.value_source = ValueSource::Prometheus;
                trigger.value_range = None;
                trigger.approximate = None;
            }
        }
        Reading::Empty => trigger.no_data = true,
        Reading::Error(message) => {
            trigger
                .failure
                .get_or_insert_with(|| format!("Prometheus: {message}"));
        }
    }
}

/// The value KEDA serves for a Prometheus result: the float in milli, truncated
/// (`GenerateMetricInMili`), with NaN, infinities and negative values sent as 0 (KEDA 2.20.2).
fn served_value(value: f64) -> Milli {
    if value.is_finite() && value > 0.0 {
        Milli::from_keda_f64(value)
    } else {
        Milli::ZERO
    }
}

/// What the HPA status reports for an External metric.
enum StatusValue {
    /// `current.value`: the total.
    Total(Milli),
    /// `current.averageValue`: `ceil(total / status.replicas)`.
    Average(Milli),
}

fn hpa_status_value(hpa: &Value, metric: &str) -> Option<StatusValue> {
    let current = array_at(hpa, "/status/currentMetrics")
        .iter()
        .find(|m| m["external"]["metric"]["name"] == metric)?;
    if let Some(value) = milli_at(current, "/external/current/value") {
        return Some(StatusValue::Total(value));
    }
    milli_at(current, "/external/current/averageValue").map(StatusValue::Average)
}

/// Why a trigger fails, from the most specific report: KEDA's latest `KEDAScalerFailed`
/// event, the HPA's condition, KEDA's health count, KEDA's `Ready` condition.
fn failure(set: &ObjectSet, so: &Value, hpa: Option<&Value>, metric: &str) -> String {
    let ns = namespace_of(so).unwrap_or_default();
    let from_event = set
        .of_kind_in("Event", ns)
        .filter(|e| e["reason"] == "KEDAScalerFailed" && e["involvedObject"]["name"] == name_of(so))
        .max_by_key(|e| str_at(e, "/lastTimestamp").unwrap_or_default())
        .and_then(|e| str_at(e, "/message"))
        .map(str::to_string);
    let from_hpa = hpa
        .and_then(|h| condition(h, "ScalingActive"))
        .filter(|c| c["status"] == "False")
        .and_then(|c| c["message"].as_str())
        .filter(|m| m.contains(metric))
        .map(str::to_string);
    let health = so.pointer(&format!("/status/health/{}", escape(metric)));
    let from_keda = health.filter(|h| h["status"] == "Failing").map(|h| {
        format!(
            "KEDA reports {} consecutive failures",
            h["numberOfFailures"].as_i64().unwrap_or(0)
        )
    });
    let from_ready = condition(so, "Ready")
        .and_then(|c| c["message"].as_str())
        .map(|m| format!("the ScaledObject reports: {m}"));
    from_event
        .or(from_hpa)
        .or(from_keda)
        .or(from_ready)
        .unwrap_or_else(|| "reported failing".to_string())
}

fn events(set: &ObjectSet, ns: &str, so: &str, hpa: &str) -> Vec<EventView> {
    let mut events: Vec<EventView> = set
        .of_kind_in("Event", ns)
        .filter(|e| {
            let kind = e["involvedObject"]["kind"].as_str().unwrap_or_default();
            let name = e["involvedObject"]["name"].as_str().unwrap_or_default();
            (kind == "ScaledObject" && name == so)
                || (kind == "HorizontalPodAutoscaler" && name == hpa)
        })
        .map(|e| EventView {
            event_type: str_at(e, "/type").unwrap_or("Normal").to_string(),
            reason: str_at(e, "/reason").unwrap_or_default().to_string(),
            object: format!(
                "{}/{}",
                e["involvedObject"]["kind"].as_str().unwrap_or_default(),
                e["involvedObject"]["name"].as_str().unwrap_or_default()
            ),
            message: str_at(e, "/message").unwrap_or_default().trim().to_string(),
            time: time_at(e, "/lastTimestamp")
                .or_else(|| time_at(e, "/eventTime"))
                .or_else(|| time_at(e, "/firstTimestamp")),
            count: e["count"].as_i64().unwrap_or(1),
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.time));
    events
}

fn input(
    so: &Value,
    hpa: Option<&Value>,
    target: &pods::Target<'_>,
    triggers: &[TriggerView],
    events: &[EventView],
    now: Timestamp,
) -> Input {
    let keda = keda_input(so);
    let live_pods = target
        .pods
        .iter()
        .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none());
    let pod_count = i32::try_from(live_pods.count()).unwrap_or(i32::MAX);
    let current = target
        .info
        .spec_replicas
        .or_else(|| hpa.and_then(|h| i32_at(h, "/status/currentReplicas")))
        .unwrap_or(pod_count);
    let behavior = hpa
        .and_then(|h| h.pointer("/spec/behavior"))
        .or_else(|| so.pointer("/spec/advanced/horizontalPodAutoscalerConfig/behavior"))
        .map(behavior);
    Input {
        now,
        current_replicas: current,
        status_replicas: target.info.status_replicas.unwrap_or(pod_count),
        min_replicas: hpa
            .and_then(|h| i32_at(h, "/spec/minReplicas"))
            .unwrap_or(keda.min_replica_count.max(1)),
        max_replicas: hpa
            .and_then(|h| i32_at(h, "/spec/maxReplicas"))
            .unwrap_or(keda.max_replica_count),
        metrics: triggers
            .iter()
            .filter_map(|t| metric_input(so, t))
            .collect(),
        pods: target.pods.iter().map(|p| pods::engine_pod(p)).collect(),
        behavior,
        controller: ControllerConfig::default(),
        history: history(events),
        keda: Some(keda),
    }
}

fn metric_input(so: &Value, trigger: &TriggerView) -> Option<MetricInput> {
    if matches!(trigger.trigger_type.as_str(), "cpu" | "memory") {
        return Some(resource_input(trigger));
    }
    let name = trigger.metric_name.clone()?;
    let target = trigger.target.unwrap_or(Milli::ZERO);
    let target = match trigger.metric_type.as_str() {
        "Value" => Target::Value(target),
        _ => Target::AverageValue(target),
    };
    let observed = match (trigger.value, &trigger.failure) {
        _ if trigger.no_data => Observed::NoData {
            read_as_zero: trigger.ignore_null_values,
        },
        (_, Some(reason)) => Observed::Failed {
            reason: reason.clone(),
        },
        (Some(value), None) => Observed::Value { value },
        (None, None) => Observed::Unknown {
            why: "no value observed: the HPA status has none (it reports none at 0 replicas) \
                  and no metric list was read"
                .to_string(),
        },
    };
    let failures = so
        .pointer(&format!(
            "/status/health/{}/numberOfFailures",
            escape(&name)
        ))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let reported_active = so
        .pointer(&format!(
            "/status/triggersActivity/{}/isActive",
            escape(&name)
        ))
        .and_then(Value::as_bool);
    Some(MetricInput {
        name,
        source: MetricSource::External,
        target,
        observed,
        trigger: Some(TriggerInfo {
            name: trigger.name.clone(),
            trigger_type: trigger.trigger_type.clone(),
            activation_threshold: trigger.activation_threshold,
            consecutive_failures: i32::try_from(failures).unwrap_or(i32::MAX),
            reported_active,
        }),
    })
}

/// A cpu/memory trigger as the HPA's Resource metric, observed through its reported average.
fn resource_input(trigger: &TriggerView) -> MetricInput {
    let resource = trigger.trigger_type.clone();
    let target = trigger.target.unwrap_or(Milli::ZERO);
    let target = match trigger.metric_type.as_str() {
        "AverageValue" => Target::AverageValue(target),
        _ => Target::Utilization(i32::try_from(target.0 / 1000).unwrap_or(i32::MAX)),
    };
    let observed = match (trigger.value, &trigger.failure) {
        (_, Some(reason)) => Observed::Failed {
            reason: reason.clone(),
        },
        (Some(value), None) => Observed::Average { value },
        (None, None) => Observed::Unknown {
            why: format!(
                "the HPA status reports no {resource} average (none at 0 replicas), and per-pod \
                 usage (metrics.k8s.io) is not read"
            ),
        },
    };
    MetricInput {
        name: resource.clone(),
        source: MetricSource::Resource {
            resource,
            container: trigger.container.clone(),
        },
        target,
        observed,
        trigger: Some(TriggerInfo {
            name: trigger.name.clone(),
            trigger_type: trigger.trigger_type.clone(),
            activation_threshold: 0.0,
            consecutive_failures: 0,
            reported_active: None,
        }),
    }
}

/// A negative `minReplicaCount`, said plainly. KEDA's CRD refuses one since 2.20 (minimum 0);
/// older versions accept it, and their executor then compares the raw value (never scaling to
/// zero) while the HPA gets KEDA's floor of 1. The engine is given the raw value, as KEDA is.
fn invalid_min_note(so: &Value) -> Option<String> {
    let min = i32_at(so, "/spec/minReplicaCount").filter(|m| *m < 0)?;
    Some(format!(
        "spec.minReplicaCount {min} is invalid: KEDA's CRD (2.20 and later) sets a minimum of 0, \
         so the API server refuses it; an older KEDA accepts it, never scales the target to \
         zero and gives the HPA a floor of 1, and explain assumes the same (min 1)"
    ))
}

fn keda_input(so: &Value) -> KedaInput {
    let defaults = KedaInput::default();
    let seconds = |p: &str, d: SignedDuration| {
        i32_at(so, p).map_or(d, |s| SignedDuration::from_secs(i64::from(s)))
    };
    KedaInput {
        min_replica_count: i32_at(so, "/spec/minReplicaCount")
            .unwrap_or(defaults.min_replica_count),
        max_replica_count: i32_at(so, "/spec/maxReplicaCount")
            .unwrap_or(defaults.max_replica_count),
        idle_replica_count: i32_at(so, "/spec/idleReplicaCount"),
        cooldown_period: seconds("/spec/cooldownPeriod", defaults.cooldown_period),
        initial_cooldown_period: seconds(
            "/spec/initialCooldownPeriod",
            defaults.initial_cooldown_period,
        ),
        last_active_time: time_at(so, "/status/lastActiveTime"),
        creation_time: time_at(so, "/metadata/creationTimestamp"),
        fallback: so.pointer("/spec/fallback").map(fallback),
        scaling_modifiers: scaling_modifiers(so),
        annotations: annotations(so),
        reported_active: condition(so, "Active").and_then(|c| match c["status"].as_str() {
            Some("True") => Some(true),
            Some("False") => Some(false),
            _ => None,
        }),
    }
}

fn fallback(spec: &Value) -> Fallback {
    Fallback {
        failure_threshold: i32_at(spec, "/failureThreshold").unwrap_or(0),
        replicas: i32_at(spec, "/replicas").unwrap_or(0),
        behavior: match str_at(spec, "/behavior").unwrap_or("static") {
            "currentReplicas" => FallbackBehavior::CurrentReplicas,
            "currentReplicasIfHigher" => FallbackBehavior::CurrentReplicasIfHigher,
            "currentReplicasIfLower" => FallbackBehavior::CurrentReplicasIfLower,
            "scalingModifiers" => FallbackBehavior::ScalingModifiers,
            _ => FallbackBehavior::Static,
        },
    }
}

fn scaling_modifiers(so: &Value) -> Option<ScalingModifiers> {
    let modifiers = so.pointer("/spec/advanced/scalingModifiers")?;
    Some(ScalingModifiers {
        formula: str_at(modifiers, "/formula")?.to_string(),
        target: str_at(modifiers, "/target").unwrap_or_default().to_string(),
        activation_target: str_at(modifiers, "/activationTarget").map(str::to_string),
        metric_type: match str_at(modifiers, "/metricType") {
            Some("Value") => CompositeMetricType::Value,
            _ => CompositeMetricType::AverageValue,
        },
    })
}

/// KEDA's annotations, parsed as KEDA parses them (`getBoolAnnotation`,
/// `GetPausedReplicaCount`): a flag is Go's `strconv.ParseBool` of the value, and a value that
/// is not a boolean counts as true; `paused-replicas` pauses whatever its value, and scales
/// to it only when it is an int32 count (`ParseInt(v, 10, 32)`, no spaces) of at least 0.
fn annotations(so: &Value) -> KedaAnnotations {
    let flag = |key: &str| annotation(so, key).is_some_and(|v| go_bool(v).unwrap_or(true));
    let replicas_text = annotation(so, "autoscaling.keda.sh/paused-replicas");
    let paused_replicas = replicas_text
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|n| *n >= 0);
    KedaAnnotations {
        paused: replicas_text.is_some() || flag("autoscaling.keda.sh/paused"),
        paused_replicas,
        paused_replicas_invalid: replicas_text
            .filter(|_| paused_replicas.is_none())
            .map(str::to_string),
        paused_scale_in: flag("autoscaling.keda.sh/paused-scale-in"),
        paused_scale_out: flag("autoscaling.keda.sh/paused-scale-out"),
        force_activation: flag("autoscaling.keda.sh/force-activation"),
    }
}

/// Go's `strconv.ParseBool`: exactly these spellings, nothing trimmed.
fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn behavior(spec: &Value) -> Behavior {
    Behavior {
        scale_up: spec.get("scaleUp").map(rules),
        scale_down: spec.get("scaleDown").map(rules),
    }
}

fn rules(spec: &Value) -> ScalingRules {
    ScalingRules {
        stabilization_window_seconds: i32_at(spec, "/stabilizationWindowSeconds"),
        select_policy: str_at(spec, "/selectPolicy").map(|p| match p {
            "Min" => SelectPolicy::Min,
            "Disabled" => SelectPolicy::Disabled,
            _ => SelectPolicy::Max,
        }),
        policies: array_at(spec, "/policies")
            .iter()
            .map(|p| ScalingPolicy {
                policy_type: if p["type"] == "Percent" {
                    PolicyType::Percent
                } else {
                    PolicyType::Pods
                },
                value: i32_at(p, "/value").unwrap_or(0),
                period_seconds: i32_at(p, "/periodSeconds").unwrap_or(15),
            })
            .collect(),
        tolerance: quantity_f64_at(spec, "/tolerance"),
    }
}

/// The controller's memory, rebuilt from the HPA's `SuccessfulRescale` events ("New size: N"):
/// each is a recommendation of N at its time and, after the first, a scale event.
fn history(events: &[EventView]) -> History {
    let mut rescales: Vec<(Timestamp, i32)> = events
        .iter()
        .filter(|e| e.reason == "SuccessfulRescale")
        .filter_map(|e| Some((e.time?, new_size(&e.message)?)))
        .collect();
    rescales.sort();
    let mut history = History {
        source: HistorySource::RescaleEvents,
        ..History::default()
    };
    for (i, &(at, replicas)) in rescales.iter().enumerate() {
        history
            .recommendations
            .push(Recommendation { replicas, at });
        let Some(&(_, previous)) = i.checked_sub(1).and_then(|p| rescales.get(p)) else {
            continue;
        };
        let event = ScaleEvent {
            change: (replicas - previous).abs(),
            at,
            outdated: false,
        };
        if replicas > previous {
            history.scale_up_events.push(event);
        } else {
            history.scale_down_events.push(event);
        }
    }
    history
}

/// N in the HPA's "New size: N; reason: …" message.
fn new_size(message: &str) -> Option<i32> {
    let rest = message.split("New size:").nth(1)?;
    rest.trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_messages_give_their_size() {
        assert_eq!(
            new_size("New size: 8; reason: external metric above target"),
            Some(8)
        );
        assert_eq!(new_size("something else"), None);
    }

    #[test]
    fn per_hpa_tolerance_is_not_rounded_to_milli() {
        let spec = serde_json::json!({"tolerance": "0.0005"});
        assert_eq!(rules(&spec).tolerance, Some(0.0005));
        let number = serde_json::json!({"tolerance": 0.05});
        assert_eq!(rules(&number).tolerance, Some(0.05));
    }

    #[test]
    fn utilization_is_derived_from_an_average_and_the_requests() {
        let pod = |cpu: &str| {
            serde_json::json!({"spec": {"containers": [
                {"name": "a", "resources": {"requests": {"cpu": cpu}}},
                {"name": "b", "resources": {"requests": {"cpu": "1"}}}]},
                "status": {"phase": "Running"}})
        };
        let (p1, p2) = (pod("3"), pod("1"));
        let pods = [&p1, &p2];
        // 2 pods at 2 cores each of 4 + 2 requested cores: floor(100 x 4 / 6) = 66%.
        assert_eq!(
            utilization_of(Milli(2000), &pods, "cpu", None),
            Some(Milli::from_units(66))
        );
        // Container b only: 2 cores each of 1 requested: 200%.
        assert_eq!(
            utilization_of(Milli(2000), &pods, "cpu", Some("b")),
            Some(Milli::from_units(200))
        );
        assert_eq!(utilization_of(Milli(2000), &pods, "memory", None), None);
    }

    #[test]
    fn a_rounded_average_gives_the_range_of_totals() {
        // ceil(10000m / 3) = 3334m, and so is ceil(10002m / 3); 10003m would give 3335m.
        assert_eq!(total_range(Milli(3334), 3), (Milli(10000), Milli(10002)));
        assert_eq!(likeliest(Milli(10000), Milli(10002)), Milli(10000));
        assert_eq!(likeliest(Milli(9001), Milli(9010)), Milli(9001));
        assert_eq!(likeliest(Milli(199_993), Milli(200_000)), Milli(200_000));
        assert_eq!(total_range(Milli(0), 3), (Milli(0), Milli(0)));
        assert_eq!(
            total_range(Milli(25_000), 8),
            (Milli(199_993), Milli(200_000))
        );
    }

    #[test]
    fn pause_annotations_are_parsed_as_keda_parses_them() {
        let with = |pairs: &[(&str, &str)]| {
            let map: serde_json::Map<String, Value> = pairs
                .iter()
                .map(|(k, v)| (format!("autoscaling.keda.sh/{k}"), Value::from(*v)))
                .collect();
            annotations(&serde_json::json!({"metadata": {"annotations": map}}))
        };
        assert!(!with(&[("paused", "false")]).paused);
        assert!(!with(&[("paused", "0")]).paused);
        assert!(!with(&[("paused", "F")]).paused);
        // Not a Go boolean: KEDA takes it as true.
        assert!(with(&[("paused", "fAlSe")]).paused);
        assert!(with(&[("paused", " false")]).paused);
        assert!(with(&[("paused", "yes")]).paused);
        assert!(with(&[("paused-scale-in", "please")]).paused_scale_in);
        assert!(!with(&[("force-activation", "False")]).force_activation);
        // paused-replicas pauses whatever the other annotation says.
        let pinned = with(&[("paused", "false"), ("paused-replicas", "3")]);
        assert!(pinned.paused);
        assert_eq!(pinned.paused_replicas, Some(3));
        for bad in ["abc", " 3", "-1", "3.0"] {
            let a = with(&[("paused-replicas", bad)]);
            assert!(a.paused, "{bad}");
            assert_eq!(a.paused_replicas, None, "{bad}");
            assert_eq!(a.paused_replicas_invalid.as_deref(), Some(bad));
        }
    }

    #[test]
    fn the_hpa_name_follows_keda() {
        let so = serde_json::json!({"metadata": {"name": "llm"}});
        assert_eq!(hpa_name(&so), "keda-hpa-llm");
        let custom = serde_json::json!({"metadata": {"name": "llm"}, "spec": {"advanced":
            {"horizontalPodAutoscalerConfig": {"name": "mine"}}}});
        assert_eq!(hpa_name(&custom), "mine");
    }
}

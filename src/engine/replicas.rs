//! Per-metric replica proposals, as upstream's `replica_calculator.go` computes them: the
//! usage ratio, the tolerance band, `ceil`, and the treatment of missing and unready pods.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::decision::Basis;
use super::input::{
    ConditionStatus, ControllerConfig, MetricInput, MetricSource, Observed, Pod, PodPhase, Target,
};
use super::quantity::Milli;

/// The tolerance band, per direction: within when `1 - down <= ratio <= 1 + up`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Tolerances {
    /// Scale-up tolerance.
    pub up: f64,
    /// Scale-down tolerance.
    pub down: f64,
}

impl Tolerances {
    /// Both directions the same.
    pub fn symmetric(tolerance: f64) -> Tolerances {
        Tolerances {
            up: tolerance,
            down: tolerance,
        }
    }

    /// Whether a ratio is inside the band (both bounds inclusive; NaN is outside).
    pub fn is_within(self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// What the calculation needs besides the metric.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub current: i32,
    pub status_replicas: i32,
    pub pods: &'a [Pod],
    pub now: Timestamp,
    pub tolerances: Tolerances,
    pub controller: &'a ControllerConfig,
}

/// One metric's successful result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Computed {
    pub replicas: i32,
    /// The value reported in the HPA status (total, average or percent).
    pub value: Milli,
    pub ratio: f64,
    pub within_tolerance: bool,
    pub basis: Basis,
}

/// Why a metric could not give a proposal; the messages follow upstream's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    /// The metrics API answered with an error.
    #[error("unable to get metric {metric}: {reason}")]
    Fetch {
        /// The metric.
        metric: String,
        /// The error.
        reason: String,
    },
    /// The selector matched no pods.
    #[error("no pods returned by selector while calculating replica count")]
    NoPods,
    /// Every sample belonged to an unready or ignored pod.
    #[error("did not receive metrics for targeted pods (pods might be unready)")]
    NoReadySamples,
    /// A counted container has no request for the resource.
    #[error("missing request for {resource} in container {container} of Pod {pod}")]
    MissingRequest {
        /// The resource.
        resource: String,
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
    /// No sample matched a pod with requests.
    #[error("no metrics returned matched known pods")]
    NoMatchedPods,
    /// The target type does not fit the source type.
    #[error("invalid {kind} metric source: target type {target} is not supported")]
    InvalidTarget {
        /// The source type.
        kind: &'static str,
        /// The target type.
        target: &'static str,
    },
    /// No value was observed: not a failure, the proposal is unknown.
    #[error("{metric}: no observed value ({why})")]
    NotObserved {
        /// The metric.
        metric: String,
        /// Why no value is known.
        why: String,
    },
    /// The observation does not fit the source type (a single value for a per-pod metric).
    #[error("{kind} metric {metric} needs {needed}")]
    WrongObservation {
        /// The source type.
        kind: &'static str,
        /// The metric.
        metric: String,
        /// What it needs.
        needed: &'static str,
    },
}

impl MetricError {
    /// The `ScalingActive=False` reason upstream sets for this metric's failure.
    pub fn reason(source: &MetricSource) -> &'static str {
        match source {
            MetricSource::External => "FailedGetExternalMetric",
            MetricSource::Object => "FailedGetObjectMetric",
            MetricSource::Pods => "FailedGetPodsMetric",
            MetricSource::Resource {
                container: Some(_), ..
            } => "FailedGetContainerResourceMetric",
            MetricSource::Resource { .. } => "FailedGetResourceMetric",
        }
    }
}

/// The proposal of one metric (after KEDA has substituted fallbacks and no-data values).
pub(crate) fn compute(metric: &MetricInput, ctx: Context<'_>) -> Result<Computed, MetricError> {
    let source = metric.source.type_name();
    match &metric.observed {
        Observed::Failed { reason } => Err(MetricError::Fetch {
            metric: metric.name.clone(),
            reason: reason.clone(),
        }),
        Observed::Unknown { why } => Err(MetricError::NotObserved {
            metric: metric.name.clone(),
            why: why.clone(),
        }),
        Observed::NoData { .. } => Err(MetricError::Fetch {
            metric: metric.name.clone(),
            reason: "the query returned no data".to_string(),
        }),
        Observed::Value { value } => match (&metric.source, metric.target) {
            (MetricSource::External | MetricSource::Object, Target::Value(target)) => {
                usage_ratio_replicas(*value, target, ctx)
            }
            (MetricSource::External | MetricSource::Object, Target::AverageValue(target)) => {
                Ok(per_pod_replicas(*value, target, ctx))
            }
            (MetricSource::External | MetricSource::Object, target) => {
                Err(invalid_target(source, target))
            }
            _ => Err(MetricError::WrongObservation {
                kind: source,
                metric: metric.name.clone(),
                needed: "one sample per pod",
            }),
        },
        Observed::Average { value } => match (&metric.source, metric.target) {
            (MetricSource::Resource { resource, .. }, Target::Utilization(target)) => {
                let target = Milli::from_units(i64::from(target));
                average_replicas(metric, *value, target, Some(resource), ctx)
            }
            (MetricSource::Resource { resource, .. }, Target::AverageValue(target)) => {
                average_replicas(metric, *value, target, Some(resource), ctx)
            }
            (MetricSource::Pods, Target::AverageValue(target)) => {
                average_replicas(metric, *value, target, None, ctx)
            }
            (MetricSource::Pods | MetricSource::Resource { .. }, target) => {
                Err(invalid_target(source, target))
            }
            _ => Err(MetricError::WrongObservation {
                kind: source,
                metric: metric.name.clone(),
                needed: "a single value",
            }),
        },
        Observed::PerPod { samples } if samples.is_empty() => Err(MetricError::Fetch {
            metric: metric.name.clone(),
            reason: match metric.source {
                MetricSource::Resource { .. } => "no metrics returned from resource metrics API",
                _ => "no metrics returned from custom metrics API",
            }
            .to_string(),
        }),
        Observed::PerPod { samples } => match (&metric.source, metric.target) {
            (MetricSource::Pods, Target::AverageValue(target)) => {
                plain_replicas(samples, target, None, ctx)
            }
            (MetricSource::Resource { resource, .. }, Target::AverageValue(target)) => {
                plain_replicas(samples, target, Some(resource), ctx)
            }
            (
                MetricSource::Resource {
                    resource,
                    container,
                },
                Target::Utilization(target),
            ) => {
                let requests = pod_requests(ctx.pods, resource, container.as_deref())?;
                utilization_replicas(samples, &requests, target, resource, ctx)
            }
            (MetricSource::Pods | MetricSource::Resource { .. }, target) => {
                Err(invalid_target(source, target))
            }
            _ => Err(MetricError::WrongObservation {
                kind: source,
                metric: metric.name.clone(),
                needed: "a single value",
            }),
        },
    }
}

fn invalid_target(source: &'static str, target: Target) -> MetricError {
    MetricError::InvalidTarget {
        kind: source,
        target: target.type_name(),
    }
}

/// `ceil` to an int32, saturating as recent upstream does.
pub(crate) fn ceil_i32(value: f64) -> i32 {
    if value.is_nan() {
        0
    } else {
        value.ceil().clamp(i32::MIN as f64, i32::MAX as f64) as i32
    }
}

/// Object / External metrics with a Value target (`getUsageRatioReplicaCount`).
fn usage_ratio_replicas(
    usage: Milli,
    target: Milli,
    ctx: Context<'_>,
) -> Result<Computed, MetricError> {
    let ratio = usage.0 as f64 / target.0 as f64;
    if ctx.current == 0 {
        // Scaling from zero: no tolerance, no pod count.
        return Ok(Computed {
            replicas: ceil_i32(ratio),
            value: usage,
            ratio,
            within_tolerance: false,
            basis: Basis::Zero(0),
        });
    }
    if ctx.tolerances.is_within(ratio) {
        return Ok(Computed {
            replicas: ctx.current,
            value: usage,
            ratio,
            within_tolerance: true,
            basis: Basis::SpecReplicas(ctx.current),
        });
    }
    let ready = ready_pod_count(ctx.pods)?;
    Ok(Computed {
        replicas: ceil_i32(ratio * ready as f64),
        value: usage,
        ratio,
        within_tolerance: false,
        basis: Basis::ReadyPods(ready),
    })
}

/// Running and Ready pods (`getReadyPodsCount`); an error when the selector matched none.
pub(crate) fn ready_pod_count(pods: &[Pod]) -> Result<i32, MetricError> {
    if pods.is_empty() {
        return Err(MetricError::NoPods);
    }
    let ready = pods.iter().filter(|p| p.is_running_and_ready()).count();
    Ok(i32::try_from(ready).unwrap_or(i32::MAX))
}

/// Object / External metrics with an AverageValue target (`Get*PerPodMetricReplicas`).
fn per_pod_replicas(usage: Milli, target: Milli, ctx: Context<'_>) -> Computed {
    let status = ctx.status_replicas;
    let ratio = usage.0 as f64 / (target.0 as f64 * status as f64);
    let within = ctx.tolerances.is_within(ratio);
    let replicas = if within {
        status
    } else {
        ceil_i32(usage.0 as f64 / target.0 as f64)
    };
    let average = if status == 0 {
        Milli::ZERO
    } else {
        Milli((usage.0 as f64 / status as f64).ceil() as i64)
    };
    Computed {
        replicas,
        value: average,
        ratio,
        within_tolerance: within,
        basis: Basis::StatusReplicas(status),
    }
}

/// How `groupPods` sorts the pods of a Pods / Resource metric.
#[derive(Debug, Default)]
pub(crate) struct PodGroups {
    pub ready: i32,
    pub unready: BTreeSet<String>,
    pub missing: BTreeSet<String>,
    pub ignored: BTreeSet<String>,
}

pub(crate) fn group_pods(
    pods: &[Pod],
    samples: &BTreeMap<String, super::input::PodSample>,
    resource: Option<&str>,
    ctx: Context<'_>,
) -> PodGroups {
    let mut groups = PodGroups::default();
    for pod in pods {
        let terminal = matches!(pod.phase, PodPhase::Failed | PodPhase::Succeeded);
        if pod.deleting || terminal {
            groups.ignored.insert(pod.name.clone());
            continue;
        }
        if pod.phase == PodPhase::Pending {
            groups.unready.insert(pod.name.clone());
            continue;
        }
        let Some(sample) = samples.get(&pod.name) else {
            groups.missing.insert(pod.name.clone());
            continue;
        };
        if resource == Some("cpu") && cpu_unready(pod, sample, ctx) {
            groups.unready.insert(pod.name.clone());
            continue;
        }
        groups.ready += 1;
    }
    groups
}

/// The CPU readiness rules of `groupPods`. Upstream tests `status == False` (so Unknown is
/// not unready here) and reads a missing `lastTransitionTime` as Go's zero time, long past.
fn cpu_unready(pod: &Pod, sample: &super::input::PodSample, ctx: Context<'_>) -> bool {
    let (Some(ready), Some(start)) = (pod.ready, pod.start_time) else {
        return true;
    };
    let config = ctx.controller;
    let is_false = ready.status == ConditionStatus::False;
    let transition = ready.last_transition.unwrap_or(Timestamp::MIN);
    if ctx.now < start + config.cpu_initialization_period {
        is_false
            || sample.timestamp
                < transition
                    .saturating_add(sample.window)
                    .unwrap_or(transition)
    } else {
        is_false && start + config.initial_readiness_delay > transition
    }
}

/// The usable samples: those of unready and ignored pods removed.
fn usable_samples(
    samples: &BTreeMap<String, super::input::PodSample>,
    groups: &PodGroups,
) -> BTreeMap<String, Milli> {
    samples
        .iter()
        .filter(|(name, _)| !groups.unready.contains(*name) && !groups.ignored.contains(*name))
        .map(|(name, sample)| (name.clone(), sample.value))
        .collect()
}

/// Pods metrics and Resource AverageValue (`calcPlainMetricReplicas`).
fn plain_replicas(
    samples: &BTreeMap<String, super::input::PodSample>,
    target: Milli,
    resource: Option<&str>,
    ctx: Context<'_>,
) -> Result<Computed, MetricError> {
    if ctx.pods.is_empty() {
        return Err(MetricError::NoPods);
    }
    let groups = group_pods(ctx.pods, samples, resource, ctx);
    let mut usable = usable_samples(samples, &groups);
    if usable.is_empty() {
        return Err(MetricError::NoReadySamples);
    }
    let (ratio, usage) = average_ratio(&usable, target);
    let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && groups.missing.is_empty() {
        return Ok(simple_result(ratio, usage, groups.ready, ctx));
    }
    let missing_value = if ratio < 1.0 { target } else { Milli::ZERO };
    for name in &groups.missing {
        usable.insert(name.clone(), missing_value);
    }
    if scale_up_with_unready {
        for name in &groups.unready {
            usable.insert(name.clone(), Milli::ZERO);
        }
    }
    let (new_ratio, _) = average_ratio(&usable, target);
    Ok(rebalanced_result(
        ratio,
        new_ratio,
        usage,
        usable.len(),
        ctx,
    ))
}

/// A Pods or Resource metric from the average the HPA reported: `ceil(ratio × ready pods)`
/// outside the tolerance, with the pods `groupPods` would count ready if each running pod had
/// a fresh sample (taken now, over a 15 s window, metrics-server's default resolution).
fn average_replicas(
    metric: &MetricInput,
    value: Milli,
    target: Milli,
    resource: Option<&str>,
    ctx: Context<'_>,
) -> Result<Computed, MetricError> {
    if ctx.pods.is_empty() {
        return Err(MetricError::NotObserved {
            metric: metric.name.clone(),
            why: "the target's pods are not known".to_string(),
        });
    }
    let assumed: BTreeMap<String, super::input::PodSample> = ctx
        .pods
        .iter()
        .map(|p| {
            let sample = super::input::PodSample {
                value,
                timestamp: ctx.now,
                window: jiff::SignedDuration::from_secs(15),
            };
            (p.name.clone(), sample)
        })
        .collect();
    let groups = group_pods(ctx.pods, &assumed, resource, ctx);
    let ratio = value.0 as f64 / target.0 as f64;
    Ok(simple_result(ratio, value, groups.ready, ctx))
}

fn average_ratio(samples: &BTreeMap<String, Milli>, target: Milli) -> (f64, Milli) {
    let total: i64 = samples
        .values()
        .fold(0i64, |sum, v| sum.saturating_add(v.0));
    let average = total / samples.len().max(1) as i64;
    (average as f64 / target.0 as f64, Milli(average))
}

/// The result without missing or unready pods to rebalance.
fn simple_result(ratio: f64, value: Milli, ready: i32, ctx: Context<'_>) -> Computed {
    if ctx.tolerances.is_within(ratio) {
        Computed {
            replicas: ctx.current,
            value,
            ratio,
            within_tolerance: true,
            basis: Basis::SpecReplicas(ctx.current),
        }
    } else {
        Computed {
            replicas: ceil_i32(ratio * ready as f64),
            value,
            ratio,
            within_tolerance: false,
            basis: Basis::ReadyPods(ready),
        }
    }
}

/// The result after rebalancing: no change when within tolerance or when the direction
/// flipped.
fn rebalanced_result(
    ratio: f64,
    new_ratio: f64,
    value: Milli,
    sampled: usize,
    ctx: Context<'_>,
) -> Computed {
    let unchanged = Computed {
        replicas: ctx.current,
        value,
        ratio,
        within_tolerance: ctx.tolerances.is_within(new_ratio),
        basis: Basis::SpecReplicas(ctx.current),
    };
    let flipped = (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0);
    if ctx.tolerances.is_within(new_ratio) || flipped {
        return unchanged;
    }
    let sampled = i32::try_from(sampled).unwrap_or(i32::MAX);
    let replicas = ceil_i32(new_ratio * sampled as f64);
    let wrong_way =
        (new_ratio < 1.0 && replicas > ctx.current) || (new_ratio > 1.0 && replicas < ctx.current);
    if wrong_way {
        return unchanged;
    }
    Computed {
        replicas,
        value,
        ratio,
        within_tolerance: false,
        basis: Basis::SampledPods(sampled),
    }
}

/// Each pod's request for the resource, summed over its containers or for one container
/// (`calculateRequests`).
fn pod_requests(
    pods: &[Pod],
    resource: &str,
    container: Option<&str>,
) -> Result<BTreeMap<String, Milli>, MetricError> {
    let mut requests = BTreeMap::new();
    for pod in pods {
        let mut sum = 0i64;
        for c in &pod.containers {
            if container.is_some_and(|wanted| wanted != c.name) {
                continue;
            }
            let request = c
                .requests
                .get(resource)
                .ok_or_else(|| MetricError::MissingRequest {
                    resource: resource.to_string(),
                    container: c.name.clone(),
                    pod: pod.name.clone(),
                })?;
            sum = sum.saturating_add(request.0);
        }
        requests.insert(pod.name.clone(), Milli(sum));
    }
    Ok(requests)
}

/// `GetResourceUtilizationRatio`: integer percent over the pods with a request.
fn utilization_ratio(
    samples: &BTreeMap<String, Milli>,
    requests: &BTreeMap<String, Milli>,
    target: i32,
) -> Result<(f64, i32, Milli), MetricError> {
    let (mut used, mut requested, mut count) = (0i128, 0i128, 0i128);
    for (name, value) in samples {
        if let Some(request) = requests.get(name) {
            used += i128::from(value.0);
            requested += i128::from(request.0);
            count += 1;
        }
    }
    if requested == 0 {
        return Err(MetricError::NoMatchedPods);
    }
    let percent = (used * 100 / requested).clamp(i32::MIN as i128, i32::MAX as i128) as i32;
    let average = Milli((used / count).clamp(i64::MIN as i128, i64::MAX as i128) as i64);
    Ok((percent as f64 / target as f64, percent, average))
}

/// Resource metrics with a Utilization target (`GetResourceReplicas`).
fn utilization_replicas(
    samples: &BTreeMap<String, super::input::PodSample>,
    requests: &BTreeMap<String, Milli>,
    target: i32,
    resource: &str,
    ctx: Context<'_>,
) -> Result<Computed, MetricError> {
    if ctx.pods.is_empty() {
        return Err(MetricError::NoPods);
    }
    let groups = group_pods(ctx.pods, samples, Some(resource), ctx);
    let mut usable = usable_samples(samples, &groups);
    if usable.is_empty() {
        return Err(MetricError::NoReadySamples);
    }
    let (ratio, percent, _raw) = utilization_ratio(&usable, requests, target)?;
    let value = Milli::from_units(i64::from(percent));
    let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && groups.missing.is_empty() {
        return Ok(simple_result(ratio, value, groups.ready, ctx));
    }
    for name in &groups.missing {
        let request = requests.get(name).copied().unwrap_or_default();
        if ratio < 1.0 {
            let assumed = request.0.saturating_mul(i64::from(target.max(100))) / 100;
            usable.insert(name.clone(), Milli(assumed));
        } else if ratio > 1.0 {
            usable.insert(name.clone(), Milli::ZERO);
        }
    }
    if scale_up_with_unready {
        for name in &groups.unready {
            usable.insert(name.clone(), Milli::ZERO);
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&usable, requests, target)?;
    Ok(rebalanced_result(
        ratio,
        new_ratio,
        value,
        usable.len(),
        ctx,
    ))
}

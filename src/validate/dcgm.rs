//! The DCGM check: do the DCGM exporter's GPU series map to the target's pods (through `pod`,
//! or `exported_pod` when Prometheus renamed the exporter's labels), one per requested GPU, and
//! do they report utilization?
//!
//! A `pod` label is not always a workload's: with the exporter's Kubernetes mapping off,
//! Prometheus's service discovery still gives every series the exporter's own `pod` and
//! `namespace` as target labels. Such series are told apart by the scrape target (the `up`
//! series of the same `job` and `instance` carries the same pod) or by the exporter's name.

use std::collections::{BTreeMap, BTreeSet};

use super::checks::format_value;
use super::triggers::{ObjectRef, TargetRef};
use super::{CheckName, CheckResult, Status};
use crate::sources::prometheus::Sample;

/// The utilization metric read first; 0–100, not reported under MIG.
pub const GPU_UTIL: &str = "DCGM_FI_DEV_GPU_UTIL";
/// The fallback, a 0–1 ratio that MIG devices also report.
pub const GR_ENGINE_ACTIVE: &str = "DCGM_FI_PROF_GR_ENGINE_ACTIVE";

/// The PromQL selector that fetches both utilization metrics at once, narrowed by extra
/// label matchers when given (e.g. `job="dcgm-exporter"` or `{cluster="a"}`).
pub fn selector(extra: Option<&str>) -> String {
    let names = format!("__name__=~\"{GPU_UTIL}|{GR_ENGINE_ACTIVE}\"");
    match extra.map(|m| {
        m.trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .trim()
    }) {
        Some(extra) if !extra.is_empty() => format!("{{{names}, {extra}}}"),
        _ => format!("{{{names}}}"),
    }
}

/// The query for the DCGM check: the utilization series of [`selector`], and the `up` series
/// of the targets that export them (whose `pod` label is the exporter's own, when service
/// discovery adds one).
pub fn query(extra: Option<&str>) -> String {
    let gpus = selector(extra);
    format!("{gpus} or (up and on(job, instance) {gpus})")
}

/// The metric whose series name the scrape targets, as [`query`] returns them.
const UP: &str = "up";

/// What is known of the workload whose GPUs are checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The ScaledObject, for the result row.
    pub object: ObjectRef,
    /// The scale target.
    pub target: TargetRef,
    /// Its namespace.
    pub namespace: String,
    /// Its pods' names when the cluster was read; otherwise pods are recognized by name.
    pub pods: Option<BTreeSet<String>>,
    /// GPUs each pod requests, when the workload's manifest or the cluster says.
    pub gpus_per_pod: Option<u32>,
    /// Whether a trigger's query reads DCGM metrics (then missing DCGM data is a failure).
    pub scales_on_dcgm: bool,
}

/// Checks the answer to [`query`] (or Prometheus's message when it rejected the query)
/// against one workload.
pub fn check(workload: &Workload, answer: &Result<Vec<Sample>, String>) -> CheckResult {
    let result = |status, detail: String| {
        CheckResult::for_object(&workload.object, CheckName::Dcgm, status, detail)
    };
    let missing = if workload.scales_on_dcgm {
        Status::Fail
    } else {
        Status::Warn
    };
    let samples = match answer {
        Ok(samples) => samples,
        Err(message) => {
            return result(missing, format!("cannot read the DCGM series: {message}"));
        }
    };
    let exporters = exporter_pods(samples);
    let Some(metric) = chosen_metric(samples) else {
        return result(
            missing,
            format!("no DCGM exporter series ({GPU_UTIL}) in Prometheus: GPU use is not visible"),
        );
    };
    let series: Vec<&Sample> = samples
        .iter()
        .filter(|s| name_of(s) == Some(metric))
        .collect();
    let mapped: Vec<&Sample> = series
        .iter()
        .copied()
        .filter(|s| workload_pod(s, &exporters).is_some())
        .collect();
    if mapped.is_empty() {
        return result(missing, not_mapped(&series, &exporters));
    }
    let mine: Vec<&Sample> = mapped
        .iter()
        .copied()
        .filter(|s| belongs_to(s, workload, &exporters))
        .collect();
    if mine.is_empty() {
        let detail = format!(
            "DCGM maps GPUs to pods, but none to pods of {} {}/{} ({} series of {metric})",
            workload.target.kind,
            workload.namespace,
            workload.target.name,
            series.len()
        );
        return result(Status::Warn, detail);
    }
    per_pod_result(workload, metric, &mine, &exporters, result)
}

/// Why no series maps a GPU to a workload pod: no pod labels at all, or only the exporter's.
fn not_mapped(series: &[&Sample], exporters: &Exporters) -> String {
    let own: BTreeSet<&str> = series
        .iter()
        .filter_map(|s| s.labels.get("pod").map(String::as_str))
        .filter(|p| !p.is_empty())
        .collect();
    if own.is_empty() {
        return no_pod_labels(series.len());
    }
    let names: Vec<&str> = own.iter().take(3).copied().collect();
    let more = if own.len() > 3 { ", ..." } else { "" };
    let why = if series
        .iter()
        .any(|s| scrape_target_pod(s, exporters).is_some())
    {
        "the scrape target's own pod, added by service discovery"
    } else {
        "the exporter's own pod"
    };
    format!(
        "DCGM does not map GPUs to pods: the pod label of its {} series is {why} ({}{more}), \
         not a workload's; run the exporter with DCGM_EXPORTER_KUBERNETES=true and the \
         kubelet pod-resources socket mounted",
        series.len(),
        names.join(", ")
    )
}

fn no_pod_labels(count: usize) -> String {
    format!(
        "DCGM does not map GPUs to pods: its {count} series carry no pod or exported_pod label; \
         run the exporter with DCGM_EXPORTER_KUBERNETES=true and the kubelet pod-resources \
         socket mounted"
    )
}

fn per_pod_result(
    workload: &Workload,
    metric: &str,
    mine: &[&Sample],
    exporters: &Exporters,
    result: impl Fn(Status, String) -> CheckResult,
) -> CheckResult {
    let mut gpus: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for sample in mine {
        if let Some(pod) = workload_pod(sample, exporters) {
            gpus.entry(pod).or_default().insert(gpu_of(sample));
        }
    }
    let values: Vec<f64> = mine.iter().map(|s| s.point.value).collect();
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let label = if mine.iter().any(|s| s.labels.contains_key("exported_pod")) {
        "exported_pod"
    } else {
        "pod"
    };
    let counts: BTreeSet<usize> = gpus.values().map(BTreeSet::len).collect();
    let per_pod = counts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    let mut detail = format!(
        "{} pod(s) with {per_pod} GPU(s) each in {metric} (via {label})",
        gpus.len()
    );
    let mut status = Status::Ok;
    if let Some(want) = workload.gpus_per_pod {
        let off: Vec<String> = gpus
            .iter()
            .filter(|(_, g)| g.len() != want as usize)
            .map(|(pod, g)| format!("{pod} has {}", g.len()))
            .collect();
        if !off.is_empty() {
            status = Status::Warn;
            detail.push_str(&format!(
                "; pods request {want} GPU(s) but {}",
                off.join(", ")
            ));
        }
    }
    if finite.len() < values.len() || finite.is_empty() {
        status = Status::Warn;
        detail.push_str("; some series report no finite utilization");
    } else {
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        detail.push_str(&format!(
            "; utilization {}..{}",
            format_value(min),
            format_value(max)
        ));
    }
    result(status, detail)
}

/// GPU_UTIL when present, else GR_ENGINE_ACTIVE (MIG), else none.
fn chosen_metric(series: &[Sample]) -> Option<&'static str> {
    [GPU_UTIL, GR_ENGINE_ACTIVE]
        .into_iter()
        .find(|m| series.iter().any(|s| name_of(s) == Some(m)))
}

fn name_of(sample: &Sample) -> Option<&str> {
    sample.labels.get("__name__").map(String::as_str)
}

/// The `pod` label of each scrape target's `up` series, by `(job, instance)`.
type Exporters = BTreeMap<(String, String), String>;

fn exporter_pods(samples: &[Sample]) -> Exporters {
    samples
        .iter()
        .filter(|s| name_of(s) == Some(UP))
        .filter_map(|s| {
            let label = |k: &str| s.labels.get(k).cloned();
            Some(((label("job")?, label("instance")?), label("pod")?))
        })
        .collect()
}

/// The scrape target's own pod when the series' `pod` label is that pod.
fn scrape_target_pod<'a>(sample: &Sample, exporters: &'a Exporters) -> Option<&'a str> {
    let key = (
        sample.labels.get("job")?.clone(),
        sample.labels.get("instance")?.clone(),
    );
    let target = exporters.get(&key)?;
    (sample.labels.get("pod") == Some(target)).then_some(target.as_str())
}

/// Whether a pod or container name is the DCGM exporter's (the GPU Operator's
/// `nvidia-dcgm-exporter` DaemonSet, the Helm chart's `dcgm-exporter`).
fn is_exporter_name(name: &str) -> bool {
    name.contains("dcgm-exporter") || name.contains("dcgm_exporter")
}

/// The workload pod a series belongs to. `exported_pod` wins: when present, `pod` names the
/// exporter's own pod (a ServiceMonitor with `honorLabels: false`). A `pod` label that is the
/// scrape target's own (service discovery's, with the exporter's mapping off) or the
/// exporter's by name is no workload pod.
pub fn workload_pod<'a>(sample: &'a Sample, exporters: &Exporters) -> Option<&'a str> {
    let labels = &sample.labels;
    if let Some(pod) = labels.get("exported_pod").filter(|p| !p.is_empty()) {
        return Some(pod);
    }
    let pod = labels.get("pod").filter(|p| !p.is_empty())?;
    let container_is_exporter = labels.get("container").is_some_and(|c| is_exporter_name(c));
    if scrape_target_pod(sample, exporters).is_some()
        || is_exporter_name(pod)
        || container_is_exporter
    {
        return None;
    }
    Some(pod)
}

fn namespace_of(sample: &Sample) -> Option<&str> {
    let labels = &sample.labels;
    if labels.contains_key("exported_pod") {
        labels.get("exported_namespace").map(String::as_str)
    } else {
        labels.get("namespace").map(String::as_str)
    }
}

fn gpu_of(sample: &Sample) -> &str {
    ["UUID", "gpu", "device"]
        .iter()
        .find_map(|k| sample.labels.get(*k))
        .map_or("?", String::as_str)
}

fn belongs_to(sample: &Sample, workload: &Workload, exporters: &Exporters) -> bool {
    let Some(pod) = workload_pod(sample, exporters) else {
        return false;
    };
    if namespace_of(sample).is_some_and(|ns| ns != workload.namespace) {
        return false;
    }
    match &workload.pods {
        Some(pods) => pods.contains(pod),
        None => pod_name_matches(pod, &workload.target),
    }
}

/// Whether `pod` is named like a pod of `target`: `<deployment>-<rs hash>-<suffix>`,
/// `<statefulset>-<ordinal>`, or for other kinds any `<name>-...`.
pub fn pod_name_matches(pod: &str, target: &TargetRef) -> bool {
    let Some(rest) = pod
        .strip_prefix(&target.name)
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    match target.kind.as_str() {
        "Deployment" => {
            // The ReplicaSet's pod-template-hash (up to 10 characters), then 5 random ones.
            let parts: Vec<&str> = rest.split('-').collect();
            parts.len() == 2
                && parts.iter().all(|p| alnum(p))
                && (5..=10).contains(&parts[0].len())
                && parts[1].len() == 5
        }
        "StatefulSet" => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
        _ => !rest.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prometheus::Point;

    fn sample(pairs: &[(&str, &str)], value: f64) -> Sample {
        Sample {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            point: Point { time: 0.0, value },
        }
    }

    fn workload(gpus: Option<u32>, scales_on_dcgm: bool) -> Workload {
        Workload {
            object: ObjectRef {
                namespace: "serving".into(),
                name: "llama".into(),
                source: None,
            },
            target: TargetRef {
                kind: "Deployment".into(),
                name: "llama".into(),
            },
            namespace: "serving".into(),
            pods: None,
            gpus_per_pod: gpus,
            scales_on_dcgm,
        }
    }

    #[test]
    fn exported_pod_maps_gpus_and_counts_them_per_pod() {
        let series = [
            sample(
                &[
                    ("__name__", GPU_UTIL),
                    ("UUID", "GPU-1"),
                    ("pod", "dcgm-x"),
                    ("exported_pod", "llama-7d9f8-abcde"),
                    ("exported_namespace", "serving"),
                ],
                40.0,
            ),
            sample(
                &[
                    ("__name__", GPU_UTIL),
                    ("UUID", "GPU-2"),
                    ("pod", "dcgm-x"),
                    ("exported_pod", "llama-7d9f8-abcde"),
                    ("exported_namespace", "serving"),
                ],
                60.0,
            ),
            sample(
                &[
                    ("__name__", GPU_UTIL),
                    ("UUID", "GPU-3"),
                    ("pod", "dcgm-x"),
                    ("exported_pod", "llama-guard-1"),
                    ("exported_namespace", "serving"),
                ],
                99.0,
            ),
        ];
        let series = Ok(series.to_vec());
        let ok = check(&workload(Some(2), false), &series);
        assert_eq!(ok.status, Status::Ok, "{}", ok.detail);
        assert_eq!(
            ok.detail,
            "1 pod(s) with 2 GPU(s) each in DCGM_FI_DEV_GPU_UTIL (via exported_pod); \
             utilization 40..60"
        );
        let off = check(&workload(Some(1), false), &series);
        assert_eq!(off.status, Status::Warn);
        assert!(
            off.detail
                .contains("pods request 1 GPU(s) but llama-7d9f8-abcde has 2")
        );
    }

    #[test]
    fn missing_pod_labels_fail_only_when_scaling_on_dcgm() {
        let series = Ok(vec![sample(&[("__name__", GPU_UTIL), ("gpu", "0")], 10.0)]);
        let warn = check(&workload(None, false), &series);
        assert_eq!(warn.status, Status::Warn);
        assert!(
            warn.detail.starts_with("DCGM does not map GPUs to pods"),
            "{}",
            warn.detail
        );
        assert_eq!(check(&workload(None, true), &series).status, Status::Fail);
        let none = check(&workload(None, false), &Ok(vec![]));
        assert!(none.detail.starts_with("no DCGM exporter series"));
    }

    /// One GPU's series as service discovery labels it when the exporter maps no pods: the
    /// exporter's own pod and namespace, from the scrape target.
    fn discovered(uuid: &str, pod: &str, container: &str) -> Sample {
        sample(
            &[
                ("__name__", GPU_UTIL),
                ("UUID", uuid),
                ("job", "gpu-metrics"),
                ("instance", "10.0.0.7:9400"),
                ("namespace", "gpu-operator"),
                ("pod", pod),
                ("container", container),
            ],
            30.0,
        )
    }

    #[test]
    fn the_scrape_targets_own_pod_is_no_mapping() {
        let up = sample(
            &[
                ("__name__", "up"),
                ("job", "gpu-metrics"),
                ("instance", "10.0.0.7:9400"),
                ("namespace", "gpu-operator"),
                ("pod", "telemetry-q8r4t"),
            ],
            1.0,
        );
        let answer = Ok(vec![
            discovered("GPU-1", "telemetry-q8r4t", "telemetry"),
            discovered("GPU-2", "telemetry-q8r4t", "telemetry"),
            up,
        ]);
        let fail = check(&workload(Some(1), true), &answer);
        assert_eq!(fail.status, Status::Fail);
        assert_eq!(
            fail.detail,
            "DCGM does not map GPUs to pods: the pod label of its 2 series is the scrape \
             target's own pod, added by service discovery (telemetry-q8r4t), not a workload's; \
             run the exporter with DCGM_EXPORTER_KUBERNETES=true and the kubelet pod-resources \
             socket mounted"
        );
        assert_eq!(check(&workload(None, false), &answer).status, Status::Warn);
    }

    #[test]
    fn an_exporter_named_pod_is_no_mapping_even_without_up() {
        let by_pod = Ok(vec![discovered("GPU-1", "nvidia-dcgm-exporter-x7k2p", "x")]);
        let by_container = Ok(vec![discovered("GPU-1", "gpu-agent-1", "dcgm-exporter")]);
        for answer in [by_pod, by_container] {
            let result = check(&workload(None, true), &answer);
            assert_eq!(result.status, Status::Fail, "{}", result.detail);
            assert!(
                result.detail.contains("series is the exporter's own pod ("),
                "{}",
                result.detail
            );
        }
    }

    #[test]
    fn a_rejected_dcgm_query_is_the_checks_finding() {
        let answer = Err("Prometheus rejected the query (bad_data): no regex".to_string());
        let result = check(&workload(None, true), &answer);
        assert_eq!(
            (result.status, result.detail.as_str()),
            (
                Status::Fail,
                "cannot read the DCGM series: Prometheus rejected the query (bad_data): no regex"
            )
        );
    }

    #[test]
    fn the_selector_takes_extra_matchers() {
        assert_eq!(
            selector(Some("{job=\"dcgm\"}")),
            "{__name__=~\"DCGM_FI_DEV_GPU_UTIL|DCGM_FI_PROF_GR_ENGINE_ACTIVE\", job=\"dcgm\"}"
        );
        assert!(selector(Some(" ")).ends_with("ACTIVE\"}"));
    }

    #[test]
    fn pod_names_follow_the_controller() {
        let deployment = TargetRef {
            kind: "Deployment".into(),
            name: "llama".into(),
        };
        assert!(pod_name_matches("llama-5d8c7b9f4-x2x7q", &deployment));
        assert!(!pod_name_matches(
            "llama-guard-5d8c7b9f4-x2x7q",
            &deployment
        ));
        assert!(!pod_name_matches("llamas-5d8c7b9f4-x2x7q", &deployment));
        let sts = TargetRef {
            kind: "StatefulSet".into(),
            name: "llama".into(),
        };
        assert!(pod_name_matches("llama-0", &sts));
        assert!(!pod_name_matches("llama-a", &sts));
    }
}

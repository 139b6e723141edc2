//! GPU rules (`GPU`): signals and resources of workloads that hold GPUs.

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};
use crate::lint::view::{GPU_RESOURCE, containers, pod_resource, pod_spec_pointer};

const SCALED_OBJECT: &[&str] = &["ScaledObject"];

/// Metrics that measure how busy a GPU is, not how much work waits.
const GPU_UTILIZATION_METRICS: &[&str] = &[
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
    "DCGM_FI_PROF_SM_ACTIVE",
    "DCGM_FI_PROF_SM_OCCUPANCY",
    "nv_gpu_utilization",
];

/// `GPU001`.
pub static RESOURCE_TRIGGER_ON_GPU: Rule = Rule {
    code: "GPU001",
    name: "CpuMemoryTriggerOnGpuWorkload",
    family: Family::Gpu,
    severity: Severity::Warning,
    summary: "A cpu or memory trigger on a workload that requests GPUs.",
    fix: "Scale on the server's queue or KV-cache metrics instead of cpu/memory.",
    doc: RuleDoc {
        what: "A ScaledObject with a `cpu` or `memory` trigger whose target (in the input) \
               requests `nvidia.com/gpu`.",
        why: "An inference server's CPU and memory barely move with load: the weights sit in \
              GPU memory and the CPU waits on the GPU. The trigger either never fires or \
              fires on tokenization spikes.",
        example: "triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata: \
                  {value: \"60\"}",
        instead: "triggers:\n  - type: prometheus\n    metadata:\n      query: \
                  sum(vllm:num_requests_waiting{namespace=\"serving\"})\n      threshold: \"5\"",
        known_problems: "Only targets present in the linted input are checked.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: resource_trigger_on_gpu,
    },
};

fn resource_trigger_on_gpu(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(target) = context.target_of(object) else {
        return;
    };
    let Some(pod_spec) = pod_spec_pointer(target.kind()) else {
        return;
    };
    if pod_resource(&target.value, pod_spec, GPU_RESOURCE) <= 0.0 {
        return;
    }
    for trigger in scaler.triggers.iter().filter(|t| t.is_resource()) {
        out.at(
            &trigger.pointer(),
            format!(
                "{}: triggers[{}] scales on {} but {} {} requests GPUs",
                object.label(),
                trigger.index,
                trigger.kind,
                target.kind(),
                target.name()
            ),
        );
    }
}

/// `GPU002`.
pub static GPU_UTIL_ONLY: Rule = Rule {
    code: "GPU002",
    name: "GpuUtilizationOnlySignal",
    family: Family::Gpu,
    severity: Severity::Warning,
    summary: "GPU utilization is the only scaling signal.",
    fix: "Add (or switch to) a demand signal: the server's queue length or KV-cache use.",
    doc: RuleDoc {
        what: "A ScaledObject whose every trigger reads only GPU utilization metrics \
               (`DCGM_FI_DEV_GPU_UTIL`, `DCGM_FI_PROF_GR_ENGINE_ACTIVE`, \
               `nv_gpu_utilization`, …).",
        why: "Utilization says a kernel ran, not how much work waits: an LLM server near 100 % \
              with an empty queue needs no more replicas, and one at 100 % with a deep queue \
              cannot show it. `DCGM_FI_DEV_GPU_UTIL` is also not reported for MIG slices.",
        example: "query: avg(DCGM_FI_DEV_GPU_UTIL{namespace=\"serving\"})",
        instead: "query: sum(vllm:num_requests_waiting{namespace=\"serving\"})",
        known_problems: "Batch or non-LLM servers with no queue metric may have nothing \
                         better; suppress with a reason.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: gpu_util_only,
    },
};

fn gpu_util_only(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let only_util = !scaler.triggers.is_empty()
        && scaler.triggers.iter().all(|t| {
            t.query
                .as_ref()
                .and_then(|q| q.parsed.as_ref().ok())
                .is_some_and(|a| {
                    !a.selectors.is_empty()
                        && a.selectors
                            .iter()
                            .all(|s| GPU_UTILIZATION_METRICS.contains(&s.name.as_str()))
                })
        });
    if only_util {
        out.at(
            "/spec/triggers",
            format!(
                "{}: GPU utilization is the only scaling signal; it does not show waiting work",
                object.label()
            ),
        );
    }
}

/// `GPU003`.
pub static GPU_WITHOUT_LIMITS: Rule = Rule {
    code: "GPU003",
    name: "GpuWithoutLimits",
    family: Family::Gpu,
    severity: Severity::Error,
    summary: "A container of an autoscaled workload requests GPUs without a GPU limit.",
    fix: "Set `resources.limits.nvidia.com/gpu` (equal to the request).",
    doc: RuleDoc {
        what: "A container of a Deployment or StatefulSet scaled by a ScaledObject or HPA in \
               the input that has `nvidia.com/gpu` in `requests` but not in `limits`.",
        why: "Extended resources such as GPUs are only allocated through limits; the API \
              server rejects a GPU request without an equal limit, so no replica starts.",
        example: "resources:\n  requests:\n    nvidia.com/gpu: 1",
        instead: "resources:\n  limits:\n    nvidia.com/gpu: 1",
        known_problems: "Only workloads with an autoscaler in the input are checked.",
    },
    check: Check::Object {
        kinds: &["Deployment", "StatefulSet"],
        run: gpu_without_limits,
    },
};

fn gpu_without_limits(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let doc = object.doc;
    let Some(pod_spec) = context.autoscaled_pod_spec(object) else {
        return;
    };
    for c in containers(&doc.value, pod_spec) {
        let container = c.value;
        let resources = container.get("resources");
        let has = |section: &str| {
            resources
                .and_then(|r| r.get(section))
                .and_then(|s| s.get(GPU_RESOURCE))
                .is_some()
        };
        if has("requests") && !has("limits") {
            let name = container["name"].as_str().unwrap_or("?");
            out.at(
                &format!("{}/resources/requests", c.pointer()),
                format!(
                    "{}: container {name} requests nvidia.com/gpu without a limit",
                    object.label()
                ),
            );
        }
    }
}

//! Scale-to-zero rules (`ZER`): a workload that can reach zero replicas needs a signal that
//! still exists when none of its pods runs.

use crate::model::value::Value;

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};
use crate::lint::promql::is_pod_local;

const SCALED_OBJECT: &[&str] = &["ScaledObject"];

/// `ZER001`.
pub static POD_LOCAL_SIGNAL: Rule = Rule {
    code: "ZER001",
    name: "ScaleToZeroOnPodLocalSignal",
    family: Family::ScaleToZero,
    severity: Severity::Error,
    summary: "Scale to zero while every trigger reads metrics only the workload's own pods \
              export: it never wakes up.",
    fix: "Keep `minReplicaCount: 1`, or add a trigger on a signal that exists without pods \
          (gateway or router queue, KEDA HTTP add-on, cron, Kueue pending workloads).",
    doc: RuleDoc {
        what: "A ScaledObject that can reach zero replicas (`minReplicaCount` 0, which is \
               KEDA's default, or `idleReplicaCount: 0`) whose triggers all query metrics \
               exported by the model server's own pods (`vllm:*`, `tgi_*`, `sglang:*`, \
               `nv_inference_*`, `llamacpp:*`, DCGM filtered by pod).",
        why: "At zero replicas nobody exports the metric: the query returns nothing, which \
              KEDA reads as 0 (or as an error), so the trigger is never active and the \
              workload never scales from zero, however many requests wait upstream.",
        example: "minReplicaCount: 0\ntriggers:\n  - type: prometheus\n    metadata:\n      \
                  query: sum(vllm:num_requests_waiting{namespace=\"serving\"})\n      \
                  threshold: \"5\"",
        instead: "minReplicaCount: 1\ntriggers:\n  - type: prometheus\n    metadata:\n      \
                  query: sum(vllm:num_requests_waiting{namespace=\"serving\"})\n      \
                  threshold: \"5\"",
        known_problems: "A server that buffers requests in front of the pods and exports the \
                         same metric name from the gateway would be flagged; suppress with \
                         a reason. `autoscaling.keda.sh/force-activation` skips the rule.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: pod_local_signal,
    },
};

fn pod_local_signal(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let forced = object
        .doc
        .value
        .at("/metadata/annotations/autoscaling.keda.sh~1force-activation")
        == Some(&Value::from("true"));
    if !scaler.scales_to_zero() || forced || scaler.triggers.is_empty() {
        return;
    }
    let all_pod_local = scaler.triggers.iter().all(|t| {
        t.query
            .as_ref()
            .and_then(|q| q.parsed.as_ref().ok())
            .is_some_and(|a| !a.selectors.is_empty() && a.selectors.iter().all(is_pod_local))
    });
    if all_pod_local {
        let pointer = if scaler.idle == Some(0) {
            "/spec/idleReplicaCount"
        } else {
            "/spec/minReplicaCount"
        };
        out.at(
            pointer,
            format!(
                "{}: can scale to zero, but every trigger reads metrics that only its own \
                 pods export, so at zero replicas the signal is gone and it never wakes up",
                object.label()
            ),
        );
    }
}

/// `ZER002`.
pub static RESOURCE_ONLY_AT_ZERO: Rule = Rule {
    code: "ZER002",
    name: "ScaleToZeroOnResourceTriggersOnly",
    family: Family::ScaleToZero,
    severity: Severity::Error,
    summary: "Only cpu/memory triggers with `minReplicaCount` 0 (or unset).",
    fix: "Set `minReplicaCount: 1`, or add a trigger that can activate the workload.",
    doc: RuleDoc {
        what: "A ScaledObject whose triggers are all `cpu` or `memory` and whose \
               `minReplicaCount` is 0 or absent (KEDA's default is 0).",
        why: "cpu and memory never make a ScaledObject active, so scale to zero cannot work; \
              KEDA's webhook rejects the object.",
        example: "triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata: \
                  {value: \"70\"}",
        instead: "minReplicaCount: 1\ntriggers:\n  - type: cpu\n    metricType: \
                  Utilization\n    metadata: {value: \"70\"}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: resource_only_at_zero,
    },
};

fn resource_only_at_zero(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if !scaler.triggers.is_empty()
        && scaler.triggers.iter().all(|t| t.is_resource())
        && scaler.effective_min() == 0
    {
        out.at(
            "/spec/minReplicaCount",
            format!(
                "{}: has only cpu/memory triggers and minReplicaCount 0, which KEDA rejects",
                object.label()
            ),
        );
    }
}

//! Cold-start rules (`CLD`): windows, rate policies and startup probes that do not leave a new
//! GPU replica the time it needs to load weights and warm up. The cold start comes from
//! [`crate::lint::cold_start::resolve`]; without one these rules stay silent.

use crate::model::value::Value;

use crate::generate::timing::{self, Timing};
use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::cold_start::{ColdStart, ProbeTiming};
use crate::lint::context::{Context, Object};
use crate::lint::view::{Container, GPU_RESOURCE, container_resource, containers};

const SCALED_OBJECT: &[&str] = &["ScaledObject"];

/// The HPA's default scale-down stabilization window (seconds).
const DEFAULT_SCALE_DOWN_WINDOW: u64 = 300;
/// KEDA's default cooldown (seconds).
const DEFAULT_COOLDOWN: u64 = 300;
/// The period of the HPA's default scale-up policies (seconds).
const DEFAULT_SCALE_UP_PERIOD: u64 = 15;

fn cold_start<'o>(object: &'o Object<'_>, context: &Context<'_>) -> Option<&'o ColdStart> {
    object.cold_start(context)
}

/// The settings `generate` derives from the same cold start, so that the fix names them.
fn recommended(cold: &ColdStart) -> Timing {
    timing::derive(std::time::Duration::from_secs(cold.seconds))
}

fn behavior<'a>(object: &Object<'a>, direction: &str) -> Option<&'a Value> {
    object
        .scaler
        .and_then(|s| s.behavior)
        .and_then(|b| b.get(direction))
}

/// `CLD001`.
pub static SCALE_DOWN_WINDOW_SHORT: Rule = Rule {
    code: "CLD001",
    name: "ScaleDownWindowShorterThanColdStart",
    family: Family::ColdStart,
    severity: Severity::Warning,
    summary: "The scale-down stabilization window is shorter than the cold start.",
    fix: "Set `behavior.scaleDown.stabilizationWindowSeconds` to at least the cold start \
          (`generate` writes twice the cold start, at least 300 s).",
    doc: RuleDoc {
        what: "`advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.\
               stabilizationWindowSeconds` (300 s when unset) below the cold start, taken \
               from `--cold-start` or the target's startupProbe budget.",
        why: "A replica released after a short lull costs a full cold start to get back. \
              With a window shorter than that, a bursty load pays the cold start again and \
              again, and queues grow at every burst.",
        example: "behavior:\n  scaleDown:\n    stabilizationWindowSeconds: 60\n# cold start \
                  4m",
        instead: "behavior:\n  scaleDown:\n    stabilizationWindowSeconds: 480",
        known_problems: "The startupProbe budget is an upper bound of the cold start; pass \
                         `--cold-start` with a measured value (`kubectl infer probe`).",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: scale_down_window_short,
    },
};

fn scale_down_window_short(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(cold) = cold_start(object, context) else {
        return;
    };
    let window = behavior(object, "scaleDown")
        .and_then(|d| d.get("stabilizationWindowSeconds"))
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_SCALE_DOWN_WINDOW);
    if window < cold.seconds {
        let want = recommended(cold).scale_down.stabilization_window_seconds;
        out.with_fix(
            "/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/\
             stabilizationWindowSeconds",
            format!(
                "{}: scale-down stabilization window {window}s is shorter than the {}s cold \
                 start (from {})",
                object.label(),
                cold.seconds,
                cold.source
            ),
            format!(
                "Set behavior.scaleDown.stabilizationWindowSeconds to {want} (what `generate` \
                 derives from this cold start)."
            ),
        );
    }
}

/// `CLD002`.
pub static COOLDOWN_SHORT: Rule = Rule {
    code: "CLD002",
    name: "CooldownShorterThanColdStart",
    family: Family::ColdStart,
    severity: Severity::Warning,
    summary: "Scale to zero with a `cooldownPeriod` shorter than the cold start.",
    fix: "Set `cooldownPeriod` to at least the cold start (`generate` writes twice it, at \
          least 300 s).",
    doc: RuleDoc {
        what: "A ScaledObject that can reach zero whose `cooldownPeriod` (300 s when unset) \
               is below the cold start.",
        why: "KEDA drops from N to zero in one step once the trigger has been inactive for the \
              cooldown. If that is shorter than a cold start, a quiet minute costs the next \
              request a full cold start.",
        example: "minReplicaCount: 0\ncooldownPeriod: 60\n# cold start 3m",
        instead: "minReplicaCount: 0\ncooldownPeriod: 360",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: cooldown_short,
    },
};

fn cooldown_short(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if !scaler.scales_to_zero() {
        return;
    }
    let Some(cold) = cold_start(object, context) else {
        return;
    };
    let cooldown = scaler
        .cooldown
        .and_then(|c| u64::try_from(c).ok())
        .unwrap_or(DEFAULT_COOLDOWN);
    if cooldown < cold.seconds {
        let want = recommended(cold).cooldown_period;
        out.with_fix(
            "/spec/cooldownPeriod",
            format!(
                "{}: cooldownPeriod {cooldown}s is shorter than the {}s cold start (from {})",
                object.label(),
                cold.seconds,
                cold.source
            ),
            format!("Set cooldownPeriod to {want} (what `generate` derives from this cold start)."),
        );
    }
}

/// `CLD003`.
pub static SCALE_UP_WAVES: Rule = Rule {
    code: "CLD003",
    name: "ScaleUpFasterThanColdStart",
    family: Family::ColdStart,
    severity: Severity::Warning,
    summary: "Scale-up policies allow a new wave before the previous replicas are ready.",
    fix: "Make the scale-up policies' `periodSeconds` (or the scale-up stabilization \
          window) at least the cold start.",
    doc: RuleDoc {
        what: "Scale-up behaviour (the HPA default when unset: +100 % or +4 pods every 15 s) \
               whose shortest policy period and stabilization window are both below the cold \
               start.",
        why: "Replicas that are still loading weights do not lower the queue yet, so after \
              one policy period the HPA sees the same backlog and adds another wave, then a \
              third: the workload overshoots to its maximum and pays for GPUs it does not need.",
        example: "# no behavior: HPA default scale-up every 15 s\n# cold start 2m",
        instead: "behavior:\n  scaleUp:\n    stabilizationWindowSeconds: 30\n    policies:\n      \
                  - {type: Percent, value: 100, periodSeconds: 120}\n      - {type: Pods, \
                  value: 2, periodSeconds: 120}",
        known_problems: "`selectPolicy: Min` with one slow policy is not modelled; only the \
                         shortest period counts.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: scale_up_waves,
    },
};

fn scale_up_waves(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(cold) = cold_start(object, context) else {
        return;
    };
    let up = behavior(object, "scaleUp");
    if up
        .and_then(|u| u.get("selectPolicy"))
        .and_then(Value::as_str)
        == Some("Disabled")
    {
        return;
    }
    let window = up
        .and_then(|u| u.get("stabilizationWindowSeconds"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let shortest = up
        .and_then(|u| u.get("policies"))
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .filter_map(|p| p.get("periodSeconds").and_then(Value::as_u64))
                .min()
        })
        .unwrap_or(DEFAULT_SCALE_UP_PERIOD);
    if shortest < cold.seconds && window < cold.seconds {
        let pointer = "/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleUp";
        let want = recommended(cold);
        let period = want
            .scale_up
            .policies
            .first()
            .map_or(cold.seconds, |p| u64::from(p.period_seconds));
        let generated = format!(
            "behavior.scaleUp policies to periodSeconds {period} (Percent 100 and Pods 2, \
             selectPolicy Max) and stabilizationWindowSeconds {}, as `generate` does",
            want.scale_up.stabilization_window_seconds
        );
        let fix = if period >= cold.seconds {
            format!("Set {generated}.")
        } else if shortest < period {
            // The HPA caps policy periods below this cold start: no setting removes the risk.
            format!(
                "No scale-up period covers a {}s cold start (the HPA allows at most {period}s): \
                 shorten the cold start (cached weights, pre-pulled images) or keep \
                 maxReplicaCount low; meanwhile set {generated}.",
                cold.seconds
            )
        } else {
            format!(
                "No scale-up period covers a {}s cold start (the HPA allows at most {period}s, \
                 which this policy already uses): shorten the cold start (cached weights, \
                 pre-pulled images) or keep maxReplicaCount low.",
                cold.seconds
            )
        };
        out.with_fix(
            pointer,
            format!(
                "{}: scale-up may add replicas every {shortest}s, but a replica needs {}s to \
                 start (from {}), so waves pile up",
                object.label(),
                cold.seconds,
                cold.source
            ),
            fix,
        );
    }
}

/// `CLD004`.
pub static STARTUP_PROBE_SHORT: Rule = Rule {
    code: "CLD004",
    name: "StartupProbeShorterThanColdStart",
    family: Family::ColdStart,
    severity: Severity::Warning,
    summary: "The server container's startupProbe gives up before the given cold start is over.",
    fix: "Raise the startupProbe's `failureThreshold` so that `initialDelaySeconds + \
          failureThreshold × periodSeconds` is at least the cold start (`generate` writes a \
          quarter more).",
    doc: RuleDoc {
        what: "A Deployment or StatefulSet scaled by a ScaledObject or HPA in the input whose \
               server container (the one requesting GPUs, else the one with the longest \
               startupProbe) has a startupProbe budget, `initialDelaySeconds + \
               failureThreshold × periodSeconds` (Kubernetes' defaults 0, 3 and 10 when \
               unset), below the cold start given by `--cold-start`, `--probe-report` or \
               `coldStart` in the config file.",
        why: "When the startupProbe has failed `failureThreshold` times in a row the kubelet \
              kills the container and starts it again, from the beginning of the weight load. \
              A budget shorter than the load means no replica ever becomes ready: the pods \
              sit in a restart loop (CrashLoopBackOff) while holding their GPUs, and every \
              scale-up adds more of them.",
        example: "startupProbe:\n  httpGet: {path: /health, port: 8000}\n  periodSeconds: 10\n  \
                  failureThreshold: 15\n# cold start 40m (--cold-start 40m)",
        instead: "startupProbe:\n  httpGet: {path: /health, port: 8000}\n  periodSeconds: 10\n  \
                  failureThreshold: 300",
        known_problems: "Only runs when a cold start is given: without one the cold start is \
                         read from this same probe, which cannot be shorter than itself. The \
                         probe counts from container start, while a measured cold start also \
                         holds scheduling, node provisioning and image pull, so a budget a \
                         little under the cold start may still be enough (hence a warning). \
                         Only workloads with an autoscaler in the input are checked.",
    },
    check: Check::Object {
        kinds: &["Deployment", "StatefulSet"],
        run: startup_probe_short,
    },
};

fn startup_probe_short(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    // A cold start read from the startupProbe itself is never longer than the probe.
    let Some((cold, source)) = context.cold_start_given else {
        return;
    };
    let doc = object.doc;
    let Some(pod_spec) = context.autoscaled_pod_spec(object) else {
        return;
    };
    let want = timing::derive(std::time::Duration::from_secs(cold));
    let (period, threshold) = (
        want.startup_probe_period_seconds,
        want.startup_probe_failure_threshold,
    );
    for (container, probe) in server_probes(&doc.value, pod_spec) {
        let budget = probe.budget();
        if budget >= cold {
            continue;
        }
        let probe_pointer = format!("{}/startupProbe", container.pointer());
        let pointer = match container.value.at("/startupProbe/failureThreshold") {
            Some(_) => format!("{probe_pointer}/failureThreshold"),
            None => probe_pointer,
        };
        out.with_fix(
            &pointer,
            format!(
                "{}: container {}'s startupProbe gives up after {budget}s (initialDelaySeconds \
                 {} + failureThreshold {} × periodSeconds {}), before the {cold}s cold start \
                 (from {source}) is over: the kubelet restarts it while it is still loading the \
                 model, again and again",
                object.label(),
                container
                    .value
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?"),
                probe.initial_delay,
                probe.failure_threshold,
                probe.period,
            ),
            format!(
                "Set startupProbe.periodSeconds to {period} and failureThreshold to {threshold} \
                 (a {}s budget: what `generate` derives from this cold start).",
                period * threshold
            ),
        );
    }
}

/// The containers whose startupProbe guards the model load, with their probe settings: those
/// that request GPUs, else the one with the longest budget (sidecars start fast on purpose).
fn server_probes<'a>(object: &'a Value, pod_spec: &'a str) -> Vec<(Container<'a>, ProbeTiming)> {
    let probed: Vec<(Container<'a>, ProbeTiming)> = containers(object, pod_spec)
        .filter_map(|c| Some((c, ProbeTiming::read(c.value.get("startupProbe")?)?)))
        .collect();
    let on_gpus: Vec<(Container<'a>, ProbeTiming)> = probed
        .iter()
        .filter(|(c, _)| container_resource(c.value, GPU_RESOURCE).is_some_and(|n| n > 0.0))
        .copied()
        .collect();
    if on_gpus.is_empty() {
        let longest = probed.into_iter().max_by_key(|(_, probe)| probe.budget());
        longest.into_iter().collect()
    } else {
        on_gpus
    }
}

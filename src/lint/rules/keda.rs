//! KEDA rules (`KED`): thresholds, metric types, activation, idle and replica bounds,
//! scalingModifiers, fallback, one autoscaler per workload, name lengths, the ranges of the
//! HPA behavior KEDA passes on.

use crate::model::value::Value;

use crate::generate::timing::{MAX_POLICY_PERIOD_SECONDS, MAX_STABILIZATION_SECONDS};
use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};
use crate::lint::view::{Scaler, Trigger};

const SCALERS: &[&str] = &["ScaledObject", "ScaledJob"];
const SCALED_OBJECT: &[&str] = &["ScaledObject"];

/// The smallest threshold that survives KEDA's milli-precision target (0.0005 rounds to 1m).
const MIN_THRESHOLD: f64 = 0.0005;

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn prometheus<'s>(scaler: &'s Scaler<'_>) -> impl Iterator<Item = &'s Trigger<'s>> {
    scaler.triggers.iter().filter(|t| t.is_prometheus())
}

/// `KED001`.
pub static THRESHOLD_MISSING: Rule = Rule {
    code: "KED001",
    name: "ThresholdMissing",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "A Prometheus trigger has no `threshold`.",
    fix: "Set `metadata.threshold` to the value one replica can handle (a quoted number).",
    doc: RuleDoc {
        what: "A `prometheus` trigger whose metadata has no `threshold`, also in a \
               ScaledObject with `scalingModifiers`.",
        why: "KEDA cannot build the scaler without a threshold (it is a required parameter \
              of the Prometheus scaler's metadata): the ScaledObject goes `Ready=False` with \
              `ScaledObjectCheckFailed` and nothing scales. With scalingModifiers the formula's \
              `target` decides the scale, but each trigger's scaler is still built first and \
              still needs its own threshold.",
        example: "triggers:\n  - type: prometheus\n    metadata:\n      serverAddress: \
                  http://prometheus:9090\n      query: sum(vllm:num_requests_waiting)",
        instead: "triggers:\n  - type: prometheus\n    metadata:\n      serverAddress: \
                  http://prometheus:9090\n      query: sum(vllm:num_requests_waiting)\n      \
                  threshold: \"5\"",
        known_problems: "Only Prometheus triggers are checked; other scalers name their \
                         target differently.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: threshold_missing,
    },
};

fn threshold_missing(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let composite = if scaler.modifiers.is_some() {
        "; scalingModifiers does not replace it, KEDA still builds the trigger's scaler"
    } else {
        ""
    };
    for trigger in prometheus(scaler) {
        if !trigger
            .metadata
            .is_some_and(|m| m.contains_key("threshold"))
        {
            out.at(
                &format!("{}/metadata", trigger.pointer()),
                format!(
                    "{}: trigger {} (prometheus) has no metadata.threshold{composite}",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED002`.
pub static THRESHOLD_NOT_POSITIVE: Rule = Rule {
    code: "KED002",
    name: "ThresholdNotPositive",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "A trigger's `threshold` is zero, negative or not a number.",
    fix: "Set `threshold` to a positive number, quoted: the per-replica target.",
    doc: RuleDoc {
        what: "`metadata.threshold` that does not parse as a number, or is zero or negative.",
        why: "The threshold becomes the HPA's target; the API server rejects a target that is \
              not positive, so KEDA cannot create its HPA and the workload never scales.",
        example: "metadata:\n  query: sum(vllm:num_requests_waiting)\n  threshold: \"0\"",
        instead: "metadata:\n  query: sum(vllm:num_requests_waiting)\n  threshold: \"5\"",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: threshold_not_positive,
    },
};

fn threshold_not_positive(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    for trigger in prometheus(scaler) {
        let Some(text) = trigger.meta("threshold") else {
            continue;
        };
        let problem = match number(text) {
            None => "is not a number",
            Some(n) if n <= 0.0 => "is not positive",
            Some(_) => continue,
        };
        out.at(
            &trigger.meta_pointer("threshold"),
            format!(
                "{}: triggers[{}].metadata.threshold {text:?} {problem}",
                object.label(),
                trigger.index
            ),
        );
    }
}

/// `KED003`.
pub static THRESHOLD_BELOW_MILLI: Rule = Rule {
    code: "KED003",
    name: "ThresholdBelowMilli",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "A `threshold` too small to survive as a milli-quantity (below 0.0005).",
    fix: "Scale the query (e.g. multiply by 1000) so that the threshold is at least 0.001.",
    doc: RuleDoc {
        what: "A positive `threshold` below 0.0005.",
        why: "KEDA hands the target to the HPA with milli precision, so such a threshold \
              rounds to 0, which the API server rejects as not positive.",
        example: "metadata:\n  query: sum(rate(errors_total[1m]))\n  threshold: \"0.0001\"",
        instead: "metadata:\n  query: sum(rate(errors_total[1m])) * 1000\n  threshold: \"0.1\"",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: threshold_below_milli,
    },
};

fn threshold_below_milli(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    for trigger in prometheus(scaler) {
        let Some(n) = trigger.meta("threshold").and_then(number) else {
            continue;
        };
        if n > 0.0 && n < MIN_THRESHOLD {
            out.at(
                &trigger.meta_pointer("threshold"),
                format!(
                    "{}: triggers[{}].metadata.threshold {n} rounds to 0 as a milli-quantity",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED004`.
pub static UTILIZATION_ON_EXTERNAL: Rule = Rule {
    code: "KED004",
    name: "UtilizationOnExternalTrigger",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "`metricType: Utilization` on a trigger that is not cpu or memory.",
    fix: "Use `Value` for a level (percent, latency) or `AverageValue` for a total.",
    doc: RuleDoc {
        what: "`metricType: Utilization` on a Prometheus (or any external) trigger, or on \
               `scalingModifiers`.",
        why: "Utilization only exists for resource metrics; KEDA fails to build the scaler \
              (\"'Utilization' metric type is unsupported for external metrics\").",
        example: "- type: prometheus\n  metricType: Utilization\n  metadata:\n    query: \
                  avg(vllm:kv_cache_usage_perc)\n    threshold: \"0.8\"",
        instead: "- type: prometheus\n  metricType: Value\n  metadata:\n    query: \
                  avg(vllm:kv_cache_usage_perc)\n    threshold: \"0.8\"",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: utilization_on_external,
    },
};

fn utilization_on_external(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    for trigger in &scaler.triggers {
        if trigger.metric_type == Some("Utilization") && !trigger.is_resource() {
            out.at(
                &format!("{}/metricType", trigger.pointer()),
                format!(
                    "{}: triggers[{}] ({}) uses metricType Utilization, which only cpu and \
                     memory triggers support",
                    object.label(),
                    trigger.index,
                    trigger.kind
                ),
            );
        }
    }
    let modifier_type = scaler
        .modifiers
        .and_then(|m| m.get("metricType"))
        .and_then(Value::as_str);
    if modifier_type == Some("Utilization") {
        out.at(
            "/spec/advanced/scalingModifiers/metricType",
            format!(
                "{}: scalingModifiers.metricType Utilization is rejected by KEDA",
                object.label()
            ),
        );
    }
}

/// `KED005`.
pub static AVERAGE_VALUE_INTENSIVE: Rule = Rule {
    code: "KED005",
    name: "AverageValueOnIntensiveSignal",
    family: Family::Keda,
    severity: Severity::Warning,
    summary: "`AverageValue` (the default) on a level such as latency, a percentage or `avg`.",
    fix: "Use `metricType: Value` for levels; keep `AverageValue` for totals such as `sum` of \
          a queue.",
    doc: RuleDoc {
        what: "A Prometheus trigger with `AverageValue` (explicit or by default) whose query \
               is intensive: an `avg`/`max`/`min`/`quantile` at the top, a \
               `histogram_quantile`, a ratio of two series, or a percentage, ratio or latency \
               metric that is not summed.",
        why: "With AverageValue the HPA divides the value by the replica count: desired = \
              ceil(value / threshold). A level that does not grow with load spread over more \
              replicas then asks for far too few replicas, and `kubectl get hpa` shows a \
              misleading per-replica number.",
        example: "- type: prometheus\n  metadata:\n    query: avg(vllm:kv_cache_usage_perc)\n    \
                  threshold: \"0.8\"",
        instead: "- type: prometheus\n  metricType: Value\n  metadata:\n    query: \
                  avg(vllm:kv_cache_usage_perc)\n    threshold: \"0.8\"",
        known_problems: "The intensive test reads the query's shape and metric names. A \
                         constant fallback (`or vector(0)`) is looked through; histogram \
                         `_bucket`, `_count` and `_sum` series and `_total` counters count as \
                         totals. A gauge named like a latency but meant as a total may be \
                         flagged.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: average_value_intensive,
    },
};

fn average_value_intensive(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if scaler.modifiers.is_some() {
        return;
    }
    for trigger in prometheus(scaler) {
        if trigger.effective_metric_type() != "AverageValue" {
            continue;
        }
        let Some(Ok(analysis)) = trigger.query.as_ref().map(|q| &q.parsed) else {
            continue;
        };
        if let Some(why) = &analysis.intensive {
            let pointer = match trigger.metric_type {
                Some(_) => format!("{}/metricType", trigger.pointer()),
                None => trigger.meta_pointer("query"),
            };
            out.at(
                &pointer,
                format!(
                    "{}: triggers[{}] uses AverageValue, but {why}; the HPA divides it by \
                     the replica count",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED006`.
pub static ACTIVATION_IGNORED: Rule = Rule {
    code: "KED006",
    name: "ActivationIgnored",
    family: Family::Keda,
    severity: Severity::Info,
    summary: "Activation settings with `minReplicaCount` ≥ 1 and no `idleReplicaCount`.",
    fix: "Remove the activation setting, or set `idleReplicaCount: 0` if the workload should \
          idle at zero.",
    doc: RuleDoc {
        what: "`activationThreshold` on a trigger, or `scalingModifiers.activationTarget`, \
               while `minReplicaCount` is at least 1 and `idleReplicaCount` is unset.",
        why: "Activation only decides between zero (or idle) and `minReplicaCount`. With a \
              minimum of 1 and no idle mode KEDA never deactivates the workload, so the \
              setting does nothing and suggests a behaviour that does not exist.",
        example: "minReplicaCount: 1\ntriggers:\n  - type: prometheus\n    metadata:\n      \
                  activationThreshold: \"2\"",
        instead: "minReplicaCount: 1\ntriggers:\n  - type: prometheus\n    metadata:\n      \
                  threshold: \"5\"",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: activation_ignored,
    },
};

fn activation_ignored(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if scaler.effective_min() < 1 || scaler.idle.is_some() {
        return;
    }
    let min = scaler.effective_min();
    for trigger in &scaler.triggers {
        if trigger.meta("activationThreshold").is_some() {
            out.at(
                &trigger.meta_pointer("activationThreshold"),
                format!(
                    "{}: triggers[{}].metadata.activationThreshold has no effect with \
                     minReplicaCount {min} and no idleReplicaCount",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
    if scaler
        .modifiers
        .is_some_and(|m| m.contains_key("activationTarget"))
    {
        out.at(
            "/spec/advanced/scalingModifiers/activationTarget",
            format!(
                "{}: scalingModifiers.activationTarget has no effect with minReplicaCount \
                 {min} and no idleReplicaCount",
                object.label()
            ),
        );
    }
}

/// `KED007`.
pub static ACTIVATION_UNREACHABLE: Rule = Rule {
    code: "KED007",
    name: "ActivationUnreachable",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "`activationThreshold` at or above the largest value the query can return.",
    fix: "Lower `activationThreshold` below the metric's range (fractions are 0–1).",
    doc: RuleDoc {
        what: "An `activationThreshold` at or above the upper bound of a bounded signal: a \
               fraction (KV-cache use 0–1, GPU engine activity 0–1) or a percentage \
               (`DCGM_FI_DEV_GPU_UTIL` 0–100) read directly or through `avg`, `max`, `min` or \
               `quantile`.",
        why: "Activation needs the value to be strictly greater than the threshold. If it \
              cannot be, the workload never wakes from zero (or idle).",
        example: "- type: prometheus\n  metricType: Value\n  metadata:\n    query: \
                  avg(vllm:kv_cache_usage_perc)\n    threshold: \"0.8\"\n    \
                  activationThreshold: \"50\"",
        instead: "    activationThreshold: \"0.05\"",
        known_problems: "Only known bounded metrics, read directly or under \
                         avg/max/min/quantile, are checked: arithmetic (`* 100`), sums and \
                         other functions make the range unknown and the rule silent.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: activation_unreachable,
    },
};

fn activation_unreachable(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    for trigger in prometheus(scaler) {
        let Some(activation) = trigger.meta("activationThreshold").and_then(number) else {
            continue;
        };
        let Some(Ok(analysis)) = trigger.query.as_ref().map(|q| &q.parsed) else {
            continue;
        };
        if let Some(bound) = analysis.bound
            && activation >= bound
        {
            out.at(
                &trigger.meta_pointer("activationThreshold"),
                format!(
                    "{}: triggers[{}].metadata.activationThreshold {activation} can never be \
                     exceeded: the query's value is at most {bound}",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED008`.
pub static IDLE_REPLICAS_NOT_ZERO: Rule = Rule {
    code: "KED008",
    name: "IdleReplicaCountNotZero",
    family: Family::Keda,
    severity: Severity::Warning,
    summary: "`idleReplicaCount` is set to something other than 0.",
    fix: "Use `idleReplicaCount: 0`, or remove it and rely on `minReplicaCount`.",
    doc: RuleDoc {
        what: "`idleReplicaCount` with a value other than 0.",
        why: "KEDA documents that only 0 works in practice (the HPA cannot hold a non-zero \
              idle count below its minimum; keda#2314); other values flap.",
        example: "idleReplicaCount: 1\nminReplicaCount: 2",
        instead: "idleReplicaCount: 0\nminReplicaCount: 2",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: idle_not_zero,
    },
};

fn idle_not_zero(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(idle) = object.scaler.and_then(|s| s.idle) else {
        return;
    };
    if idle != 0 {
        out.at(
            "/spec/idleReplicaCount",
            format!(
                "{}: spec.idleReplicaCount is {idle}; only 0 works",
                object.label()
            ),
        );
    }
}

/// `KED009`.
pub static IDLE_NOT_BELOW_MIN: Rule = Rule {
    code: "KED009",
    name: "IdleReplicaCountNotBelowMin",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "`idleReplicaCount` is not below `minReplicaCount`.",
    fix: "Make `idleReplicaCount` smaller than `minReplicaCount` (0 and at least 1).",
    doc: RuleDoc {
        what: "`idleReplicaCount` at or above `minReplicaCount` (an explicit minimum of 0 \
               counts as 1, an absent one as 0, as KEDA's webhook does).",
        why: "KEDA's admission webhook rejects the ScaledObject (\"IdleReplicaCount=x must be \
              less than MinReplicaCount=y\").",
        example: "idleReplicaCount: 0\n# minReplicaCount absent",
        instead: "idleReplicaCount: 0\nminReplicaCount: 1",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: idle_not_below_min,
    },
};

fn idle_not_below_min(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(idle) = scaler.idle else { return };
    let min = match scaler.min {
        Some(0) => 1,
        Some(n) => n,
        None => 0,
    };
    if idle >= min {
        out.at(
            "/spec/idleReplicaCount",
            format!(
                "{}: spec.idleReplicaCount {idle} must be less than minReplicaCount {min}",
                object.label()
            ),
        );
    }
}

/// `KED010`.
pub static MIN_ABOVE_MAX: Rule = Rule {
    code: "KED010",
    name: "MinReplicasAboveMax",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "`minReplicaCount` above `maxReplicaCount` (default 100).",
    fix: "Make `minReplicaCount` at most `maxReplicaCount`.",
    doc: RuleDoc {
        what: "A ScaledObject whose minimum exceeds its maximum (100 when absent).",
        why: "The CRD's validation rule and KEDA's webhook reject it.",
        example: "minReplicaCount: 4\nmaxReplicaCount: 2",
        instead: "minReplicaCount: 1\nmaxReplicaCount: 4",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: min_above_max,
    },
};

fn min_above_max(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let (min, max) = (scaler.effective_min(), scaler.effective_max());
    if min > max {
        out.at(
            "/spec/minReplicaCount",
            format!(
                "{}: spec.minReplicaCount {min} is above maxReplicaCount {max}",
                object.label()
            ),
        );
    }
}

/// `KED011`.
pub static MODIFIER_UNKNOWN_TRIGGER: Rule = Rule {
    code: "KED011",
    name: "ModifierNamesUnknownTrigger",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "A scalingModifiers formula is missing or names a trigger that does not exist.",
    fix: "Give every trigger the formula uses a `name`, and use exactly those names.",
    doc: RuleDoc {
        what: "`scalingModifiers` without `formula` or `target`, or a formula that refers to \
               a name no trigger carries (unnamed triggers cannot be referred to).",
        why: "KEDA's webhook compiles the formula with only the named triggers in scope and \
              rejects unknown names; unnamed triggers fail at run time with \"trigger name \
              not given with compositeScaler\".",
        example: "advanced:\n  scalingModifiers:\n    formula: \"queue / 2\"\n    target: \
                  \"5\"\ntriggers:\n  - type: prometheus\n    metadata: {...}",
        instead: "triggers:\n  - type: prometheus\n    name: queue\n    metadata: {...}",
        known_problems: "Identifiers are read with a light tokenizer, not expr-lang itself; \
                         member access (`a.b`) and function names are skipped.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: modifier_unknown_trigger,
    },
};

const FORMULA_WORDS: &[&str] = &[
    "true",
    "false",
    "nil",
    "and",
    "or",
    "not",
    "in",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "let",
    "if",
    "else",
    "float",
    "int",
];

/// The identifiers a formula refers to (not function names, members or keywords).
pub fn formula_names(formula: &str) -> Vec<&str> {
    let bytes = formula.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    let mut quote = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'"' || c == b'\'' || c == b'`' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            i = number_end(bytes, i);
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &formula[start..i];
            let member = start > 0 && bytes[start - 1] == b'.';
            let call = formula[i..].trim_start().starts_with('(');
            if !member && !call && !FORMULA_WORDS.contains(&word) {
                names.push(word);
            }
            continue;
        }
        i += 1;
    }
    names
}

/// The end of the number literal starting at `start` (`12`, `1_000`, `2.5`, `1e3`, `1.5E-2`,
/// `0x1F`), so that an exponent is not read as a name.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let hex = matches!(bytes.get(start..start + 2), Some(b"0x" | b"0X"));
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        let sign_of_exponent =
            matches!(b, b'+' | b'-') && !hex && matches!(bytes[i - 1], b'e' | b'E');
        if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || sign_of_exponent) {
            break;
        }
        i += 1;
    }
    i
}

fn modifier_unknown_trigger(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(modifiers) = scaler.modifiers else {
        return;
    };
    let field = |key: &str| {
        modifiers
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    for key in ["formula", "target"] {
        if field(key).is_none() {
            out.at(
                "/spec/advanced/scalingModifiers",
                format!("{}: scalingModifiers has no {key}", object.label()),
            );
        }
    }
    let Some(formula) = field("formula") else {
        return;
    };
    for name in formula_names(formula) {
        if !scaler.triggers.iter().any(|t| t.name == Some(name)) {
            out.at(
                "/spec/advanced/scalingModifiers/formula",
                format!(
                    "{}: scalingModifiers.formula refers to {name:?}, which no trigger is \
                     named",
                    object.label()
                ),
            );
        }
    }
}

/// `KED012`.
pub static MODIFIER_RESOURCE_TRIGGER: Rule = Rule {
    code: "KED012",
    name: "ModifierNamesResourceTrigger",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "A scalingModifiers formula refers to a cpu or memory trigger.",
    fix: "Keep cpu/memory triggers out of the formula; they scale side by side with it.",
    doc: RuleDoc {
        what: "A formula that names a trigger of type `cpu` or `memory`.",
        why: "cpu and memory become HPA Resource metrics, not values KEDA can feed the \
              formula; the webhook leaves them out of the formula's scope and rejects it.",
        example: "formula: \"queue + cpu_use\"\ntriggers:\n  - type: cpu\n    name: cpu_use",
        instead: "formula: \"queue\"",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: modifier_resource_trigger,
    },
};

fn modifier_resource_trigger(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(formula) = scaler
        .modifiers
        .and_then(|m| m.get("formula"))
        .and_then(Value::as_str)
    else {
        return;
    };
    for name in formula_names(formula) {
        if let Some(t) = scaler
            .triggers
            .iter()
            .find(|t| t.name == Some(name) && t.is_resource())
        {
            out.at(
                "/spec/advanced/scalingModifiers/formula",
                format!(
                    "{}: scalingModifiers.formula refers to {name:?}, a {} trigger",
                    object.label(),
                    t.kind
                ),
            );
        }
    }
}

/// `KED013`.
pub static FALLBACK_NON_INTEGER_TARGET: Rule = Rule {
    code: "KED013",
    name: "FallbackWithNonIntegerModifierTarget",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "Fallback with a scalingModifiers target that is not a positive integer.",
    fix: "Use an integer `scalingModifiers.target` (e.g. \"5\", not \"2.5\").",
    doc: RuleDoc {
        what: "A ScaledObject with both `fallback` and `scalingModifiers` whose `target` does \
               not parse as an integer above 0, or `fallback.behavior: scalingModifiers` \
               without a formula.",
        why: "KEDA only treats the fallback as valid when the composite target parses as an \
              integer, so a target of \"2.5\" silently disables the fallback: a Prometheus \
              outage then reads as zero load.",
        example: "fallback: {failureThreshold: 3, replicas: 4}\nadvanced:\n  \
                  scalingModifiers: {formula: \"queue\", target: \"2.5\"}",
        instead: "advanced:\n  scalingModifiers: {formula: \"queue * 2\", target: \"5\"}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: fallback_non_integer,
    },
};

fn fallback_non_integer(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(fallback) = scaler.fallback else {
        return;
    };
    let behavior = fallback.get("behavior").and_then(Value::as_str);
    let Some(modifiers) = scaler.modifiers else {
        if behavior == Some("scalingModifiers") {
            out.at(
                "/spec/fallback/behavior",
                format!(
                    "{}: fallback.behavior scalingModifiers needs scalingModifiers.formula",
                    object.label()
                ),
            );
        }
        return;
    };
    let target = modifiers
        .get("target")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !target.trim().parse::<i64>().is_ok_and(|n| n > 0) {
        out.at(
            "/spec/advanced/scalingModifiers/target",
            format!(
                "{}: scalingModifiers.target {target:?} is not a positive integer, so KEDA \
                 ignores the fallback",
                object.label()
            ),
        );
    }
}

/// `KED014`.
pub static NULL_VALUES_WITHOUT_FALLBACK: Rule = Rule {
    code: "KED014",
    name: "NullValuesReadAsZeroWithoutFallback",
    family: Family::Keda,
    severity: Severity::Warning,
    summary: "`ignoreNullValues` left at its default (true) and no `fallback`.",
    fix: "Set `ignoreNullValues: \"false\"` and add a `fallback` with enough replicas.",
    doc: RuleDoc {
        what: "A Prometheus trigger of a ScaledObject without `fallback` whose \
               `ignoreNullValues` is absent or true.",
        why: "With the default, an empty answer (Prometheus restarted, a relabel broke the \
              series, the exporter is down) is read as 0, not as an error: at peak load the \
              workload scales in, and to zero after the cooldown.",
        example: "triggers:\n  - type: prometheus\n    metadata:\n      query: \
                  sum(vllm:num_requests_waiting)\n      threshold: \"5\"",
        instead: "fallback: {failureThreshold: 3, replicas: 4}\ntriggers:\n  - type: \
                  prometheus\n    metadata:\n      query: sum(vllm:num_requests_waiting)\n      \
                  threshold: \"5\"\n      ignoreNullValues: \"false\"",
        known_problems: "A query that legitimately returns nothing when idle needs \
                         `or vector(0)` once ignoreNullValues is false. Values are read as \
                         Go's strconv.ParseBool reads them (`t`, `TRUE`, `1`…); one it refuses \
                         (`yes`) makes KEDA fail to build the scaler and is not reported here.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: null_values_without_fallback,
    },
};

/// A boolean as Go's `strconv.ParseBool` reads it (KEDA parses trigger metadata with it):
/// `1 t T TRUE true True` and `0 f F FALSE false False`; anything else is not a boolean.
fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether a Prometheus trigger reads an empty answer as 0: `ignoreNullValues` absent (KEDA's
/// default is true) or true.
fn reads_nothing_as_zero(trigger: &Trigger<'_>) -> bool {
    trigger
        .meta("ignoreNullValues")
        .is_none_or(|v| go_bool(v) == Some(true))
}

/// Where a finding about `ignoreNullValues` points: the value, or the metadata without it.
fn null_values_pointer(trigger: &Trigger<'_>) -> String {
    match trigger.meta("ignoreNullValues") {
        Some(_) => trigger.meta_pointer("ignoreNullValues"),
        None => format!("{}/metadata", trigger.pointer()),
    }
}

fn null_values_without_fallback(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if scaler.fallback.is_some() {
        return;
    }
    for trigger in prometheus(scaler) {
        if reads_nothing_as_zero(trigger) {
            out.at(
                &null_values_pointer(trigger),
                format!(
                    "{}: triggers[{}] reads an empty Prometheus answer as 0 and there is no \
                     fallback, so an outage scales the workload in",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED015`.
pub static FALLBACK_OUT_OF_RANGE: Rule = Rule {
    code: "KED015",
    name: "FallbackReplicasOutOfRange",
    family: Family::Keda,
    severity: Severity::Warning,
    summary: "`fallback.replicas` outside [minReplicaCount, maxReplicaCount].",
    fix: "Choose fallback replicas between the minimum and the maximum.",
    doc: RuleDoc {
        what: "`fallback.replicas` below `minReplicaCount` or above `maxReplicaCount`.",
        why: "The HPA clamps the fallback to the bounds, so the number written is not what \
              runs during an outage; below the minimum it reads as a plan to shed capacity.",
        example: "minReplicaCount: 2\nmaxReplicaCount: 8\nfallback: {failureThreshold: 3, \
                  replicas: 16}",
        instead: "fallback: {failureThreshold: 3, replicas: 6}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: fallback_out_of_range,
    },
};

fn fallback_out_of_range(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(replicas) = scaler
        .fallback
        .and_then(|f| f.get("replicas"))
        .and_then(Value::as_i64)
    else {
        return;
    };
    let (min, max) = (scaler.effective_min(), scaler.effective_max());
    if replicas < min || replicas > max {
        out.at(
            "/spec/fallback/replicas",
            format!(
                "{}: spec.fallback.replicas {replicas} is outside [{min}, {max}]",
                object.label()
            ),
        );
    }
}

/// `KED016`.
pub static SECOND_AUTOSCALER: Rule = Rule {
    code: "KED016",
    name: "SecondAutoscalerOnTarget",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "Another HPA or ScaledObject scales the same workload.",
    fix: "Keep one autoscaler per workload: delete the HPA, or merge the triggers.",
    doc: RuleDoc {
        what: "Two ScaledObjects, or a ScaledObject and an HPA not made by KEDA, whose scale \
               targets are the same workload in the same namespace.",
        why: "KEDA's webhook rejects the second one; without the webhook the two controllers \
              fight over `/scale` and replicas flap.",
        example: "kind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: {kind: Deployment, \
                  name: llm}}\n---\nkind: ScaledObject\nspec: {scaleTargetRef: {name: llm}}",
        instead: "kind: ScaledObject\nspec: {scaleTargetRef: {name: llm}}",
        known_problems: "HPAs owned by a ScaledObject, marked `validations.keda.sh/\
                         hpa-ownership: \"false\"`, or adopted through \
                         `transfer-hpa-ownership` are not counted. Definitions of the same \
                         object (kind, namespace and name) in several files, such as overlays \
                         for several clusters, are one object, not two autoscalers.",
    },
    check: Check::Object {
        kinds: &["ScaledObject", "HorizontalPodAutoscaler"],
        run: second_autoscaler,
    },
};

fn keda_managed_hpa(doc: &crate::model::manifest::Document) -> bool {
    let v = &doc.value;
    let owned = v
        .at("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r["kind"] == "ScaledObject"));
    let managed = v.at("/metadata/labels/app.kubernetes.io~1managed-by")
        == Some(&Value::from("keda-operator"));
    let exempt = v.at("/metadata/annotations/validations.keda.sh~1hpa-ownership")
        == Some(&Value::from("false"));
    owned || managed || exempt
}

fn second_autoscaler(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let doc = object.doc;
    if doc.kind() == "HorizontalPodAutoscaler" && keda_managed_hpa(doc) {
        return;
    }
    let (kind, name) = match doc.kind() {
        "ScaledObject" => match object.scaler.and_then(|s| s.target) {
            Some(t) => (t.kind, t.name),
            None => return,
        },
        _ => match doc.value.at("/spec/scaleTargetRef") {
            Some(t) => (
                t["kind"].as_str().unwrap_or(""),
                t["name"].as_str().unwrap_or(""),
            ),
            None => return,
        },
    };
    let adopted = doc
        .value
        .at("/spec/advanced/horizontalPodAutoscalerConfig/name")
        .and_then(Value::as_str);
    for other in context.autoscalers_of(object.namespace(), kind, name) {
        // The object itself, or another definition of it (an overlay of the same object for
        // another cluster, say): the same object cannot conflict with itself.
        let same_object = other.kind == doc.kind() && other.name == doc.name();
        if other.index == object.index || same_object || Some(other.name) == adopted {
            continue;
        }
        if other.kind == "HorizontalPodAutoscaler"
            && context
                .find("HorizontalPodAutoscaler", other.namespace, other.name)
                .is_some_and(keda_managed_hpa)
        {
            continue;
        }
        out.at(
            "/spec/scaleTargetRef",
            format!(
                "{}: {kind} {name} is also scaled by {} {}",
                object.label(),
                other.kind,
                other.name
            ),
        );
    }
}

/// `KED017`.
pub static NAME_TOO_LONG: Rule = Rule {
    code: "KED017",
    name: "NameTooLong",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "ScaledObject or derived HPA name longer than 63 characters.",
    fix: "Shorten the name (at most 54 characters with the default `keda-hpa-` prefix).",
    doc: RuleDoc {
        what: "A ScaledObject name over 63 characters, or an HPA name (the \
               `horizontalPodAutoscalerConfig.name`, or `keda-hpa-<name>` by default) over 63.",
        why: "KEDA 2.20's webhook rejects it: the HPA name becomes a label value, limited to \
              63 characters.",
        example: "metadata:\n  name: meta-llama-3-1-70b-instruct-fp8-dynamic-team-research-canary",
        instead: "metadata:\n  name: llama-70b-research-canary",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: name_too_long,
    },
};

fn name_too_long(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let name = object.doc.name();
    let custom = object
        .doc
        .value
        .at("/spec/advanced/horizontalPodAutoscalerConfig/name")
        .and_then(Value::as_str);
    if name.chars().count() > 63 {
        out.at(
            "/metadata/name",
            format!(
                "{}: the name has {} characters (max 63)",
                object.label(),
                name.len()
            ),
        );
        return;
    }
    let (pointer, hpa) = match custom {
        Some(c) => (
            "/spec/advanced/horizontalPodAutoscalerConfig/name",
            c.to_string(),
        ),
        None => ("/metadata/name", format!("keda-hpa-{name}")),
    };
    if hpa.chars().count() > 63 {
        out.at(
            pointer,
            format!(
                "{}: the HPA name {hpa:?} has {} characters (max 63)",
                object.label(),
                hpa.len()
            ),
        );
    }
}

/// `KED018`.
pub static DUPLICATE_TRIGGER_NAME: Rule = Rule {
    code: "KED018",
    name: "DuplicateTriggerName",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "Two triggers of one object share a `name`.",
    fix: "Give each trigger a unique name.",
    doc: RuleDoc {
        what: "A trigger `name` used more than once in `spec.triggers`.",
        why: "KEDA's webhook rejects it (\"triggerName is defined multiple times\"), and \
              scalingModifiers could not tell the two apart.",
        example: "triggers:\n  - {type: prometheus, name: queue, metadata: {...}}\n  - \
                  {type: prometheus, name: queue, metadata: {...}}",
        instead: "triggers:\n  - {type: prometheus, name: queue, metadata: {...}}\n  - \
                  {type: prometheus, name: kv_cache, metadata: {...}}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: duplicate_trigger_name,
    },
};

fn duplicate_trigger_name(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    for (i, trigger) in scaler.triggers.iter().enumerate() {
        let Some(name) = trigger.name else { continue };
        if scaler.triggers[..i].iter().any(|t| t.name == Some(name)) {
            out.at(
                &format!("{}/name", trigger.pointer()),
                format!(
                    "{}: trigger name {name:?} is used more than once",
                    object.label()
                ),
            );
        }
    }
}

/// `KED019`.
pub static COOLDOWN_IRRELEVANT: Rule = Rule {
    code: "KED019",
    name: "CooldownIrrelevant",
    family: Family::Keda,
    severity: Severity::Info,
    summary: "`cooldownPeriod` set while the workload never scales to zero.",
    fix: "Tune `advanced.horizontalPodAutoscalerConfig.behavior.scaleDown` instead; remove \
          `cooldownPeriod`.",
    doc: RuleDoc {
        what: "`cooldownPeriod` on a ScaledObject with `minReplicaCount` ≥ 1 and no \
               `idleReplicaCount`.",
        why: "The cooldown only delays the step to zero (or idle). From N to 1 the HPA's \
              scale-down stabilization window decides (300 s by default), so the setting \
              gives a false sense of control; KEDA warns about it too.",
        example: "minReplicaCount: 1\ncooldownPeriod: 600",
        instead: "minReplicaCount: 1\nadvanced:\n  horizontalPodAutoscalerConfig:\n    \
                  behavior:\n      scaleDown: {stabilizationWindowSeconds: 600}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: cooldown_irrelevant,
    },
};

fn cooldown_irrelevant(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if scaler.cooldown.is_some() && scaler.effective_min() >= 1 && scaler.idle.is_none() {
        out.at(
            "/spec/cooldownPeriod",
            format!(
                "{}: spec.cooldownPeriod has no effect with minReplicaCount {} and no \
                 idleReplicaCount",
                object.label(),
                scaler.effective_min()
            ),
        );
    }
}

/// `KED020`.
pub static FALLBACK_BYPASSED_BY_NULL_VALUES: Rule = Rule {
    code: "KED020",
    name: "FallbackBypassedByNullValues",
    family: Family::Keda,
    severity: Severity::Warning,
    summary: "A `fallback` that an empty Prometheus answer never reaches (`ignoreNullValues` \
              left true).",
    fix: "Set `ignoreNullValues: \"false\"` on the Prometheus triggers, so that an empty answer \
          is an error and the fallback takes over.",
    doc: RuleDoc {
        what: "A ScaledObject with `fallback` and a Prometheus trigger whose \
               `ignoreNullValues` is absent (KEDA's default is true) or true.",
        why: "KEDA uses the fallback only when a trigger fails. With ignoreNullValues true an \
              empty answer (the series vanished: a relabel broke it, the exporter is down, \
              the pods that export it are gone) is not a failure but the value 0, so the \
              fallback written for exactly that outage never applies and the workload scales \
              in at peak load.",
        example: "fallback: {failureThreshold: 3, replicas: 4}\ntriggers:\n  - type: \
                  prometheus\n    metadata:\n      query: sum(vllm:num_requests_waiting)\n      \
                  threshold: \"5\"",
        instead: "fallback: {failureThreshold: 3, replicas: 4}\ntriggers:\n  - type: \
                  prometheus\n    metadata:\n      query: sum(vllm:num_requests_waiting)\n      \
                  threshold: \"5\"\n      ignoreNullValues: \"false\"",
        known_problems: "A Prometheus that cannot be reached is an error either way, and the \
                         fallback covers it; the rule is about answers that arrive empty. A \
                         query that legitimately returns nothing when idle needs \
                         `or vector(0)` once ignoreNullValues is false.",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: fallback_bypassed_by_null_values,
    },
};

fn fallback_bypassed_by_null_values(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    if scaler.fallback.is_none() {
        return;
    }
    for trigger in prometheus(scaler) {
        if reads_nothing_as_zero(trigger) {
            out.at(
                &null_values_pointer(trigger),
                format!(
                    "{}: triggers[{}] reads an empty Prometheus answer as 0, not as an error, so \
                     spec.fallback never replaces it",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `KED021`.
pub static BEHAVIOR_OUT_OF_RANGE: Rule = Rule {
    code: "KED021",
    name: "HpaBehaviorOutOfRange",
    family: Family::Keda,
    severity: Severity::Error,
    summary: "An HPA behavior policy, selectPolicy or stabilization window that the HPA API refuses.",
    fix: "Keep policies' `type` Pods or Percent, their `value` above 0 and their `periodSeconds` \
          between 1 and 1800, `selectPolicy` Max, Min or Disabled and \
          `stabilizationWindowSeconds` between 0 and 3600.",
    doc: RuleDoc {
        what: "In `advanced.horizontalPodAutoscalerConfig.behavior.scaleUp` or `.scaleDown`: a \
               policy whose `type` is not Pods or Percent, whose `value` is 0 or negative, or \
               whose `periodSeconds` is 0, negative or above 1800; a `selectPolicy` other than \
               Max, Min or Disabled; a `stabilizationWindowSeconds` below 0 or above 3600.",
        why: "KEDA copies the behavior into the HPA it creates. The KEDA CRD does not check \
              these ranges, so the ScaledObject is accepted, but the API server refuses the \
              HPA: the ScaledObject stays not Ready and the workload never scales.",
        example: "behavior:\n  scaleUp:\n    policies:\n      - {type: Pods, value: 0, \
                  periodSeconds: 0}\n  scaleDown:\n    stabilizationWindowSeconds: 7200",
        instead: "behavior:\n  scaleUp:\n    policies:\n      - {type: Pods, value: 2, \
                  periodSeconds: 120}\n  scaleDown:\n    stabilizationWindowSeconds: 3600",
        known_problems: "Values that are not integers are left to the schema rule (`SCH002`). \
                         Names are compared exactly, as the API server does (`percent` is \
                         refused).",
    },
    check: Check::Object {
        kinds: SCALED_OBJECT,
        run: behavior_out_of_range,
    },
};

/// The HPA API's range of `periodSeconds` and `stabilizationWindowSeconds`.
const PERIOD_RANGE: std::ops::RangeInclusive<i64> = 1..=MAX_POLICY_PERIOD_SECONDS as i64;
const WINDOW_RANGE: std::ops::RangeInclusive<i64> = 0..=MAX_STABILIZATION_SECONDS as i64;

fn behavior_out_of_range(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(behavior) = object.scaler.and_then(|s| s.behavior) else {
        return;
    };
    let base = "/spec/advanced/horizontalPodAutoscalerConfig/behavior";
    let consequence = "the HPA API refuses it, so KEDA cannot create the HPA and nothing scales";
    for direction in ["scaleUp", "scaleDown"] {
        let Some(rules) = behavior.get(direction) else {
            continue;
        };
        let int = |value: Option<&Value>| value.and_then(Value::as_i64);
        if let Some(window) = int(rules.get("stabilizationWindowSeconds"))
            && !WINDOW_RANGE.contains(&window)
        {
            out.with_fix(
                &format!("{base}/{direction}/stabilizationWindowSeconds"),
                format!(
                    "{}: behavior.{direction}.stabilizationWindowSeconds {window} is not \
                     between 0 and 3600; {consequence}",
                    object.label()
                ),
                if window < *WINDOW_RANGE.start() {
                    format!("Set behavior.{direction}.stabilizationWindowSeconds to 0 or more.")
                } else {
                    format!("Set behavior.{direction}.stabilizationWindowSeconds to at most 3600.")
                },
            );
        }
        if let Some(select) = rules.get("selectPolicy").and_then(Value::as_str)
            && !["Max", "Min", "Disabled"].contains(&select)
        {
            out.with_fix(
                &format!("{base}/{direction}/selectPolicy"),
                format!(
                    "{}: behavior.{direction}.selectPolicy {select:?} is not Max, Min or \
                     Disabled; {consequence}",
                    object.label()
                ),
                format!(
                    "Set behavior.{direction}.selectPolicy to Max (the most permissive policy), \
                     Min or Disabled, spelt exactly so."
                ),
            );
        }
        let policies = rules.get("policies").and_then(Value::as_array);
        for (index, policy) in policies.unwrap_or_default().iter().enumerate() {
            let field = format!("behavior.{direction}.policies[{index}]");
            let pointer = format!("{base}/{direction}/policies/{index}");
            if let Some(kind) = policy.get("type").and_then(Value::as_str)
                && !["Pods", "Percent"].contains(&kind)
            {
                out.with_fix(
                    &format!("{pointer}/type"),
                    format!(
                        "{}: {field}.type {kind:?} is not Pods or Percent; {consequence}",
                        object.label()
                    ),
                    format!(
                        "Set {field}.type to Pods (a number of pods per period) or Percent (a \
                         share of the current replicas per period)."
                    ),
                );
            }
            if let Some(value) = int(policy.get("value"))
                && value <= 0
            {
                out.with_fix(
                    &format!("{pointer}/value"),
                    format!(
                        "{}: {field}.value {value} is not positive; {consequence}",
                        object.label()
                    ),
                    format!(
                        "Set {field}.value to the pods (or percent) one period may add or remove, \
                         at least 1; to stop scaling in this direction, set \
                         behavior.{direction}.selectPolicy to Disabled instead."
                    ),
                );
            }
            if let Some(period) = int(policy.get("periodSeconds"))
                && !PERIOD_RANGE.contains(&period)
            {
                out.with_fix(
                    &format!("{pointer}/periodSeconds"),
                    format!(
                        "{}: {field}.periodSeconds {period} is not between 1 and 1800; {consequence}",
                        object.label()
                    ),
                    if period < *PERIOD_RANGE.start() {
                        format!(
                            "Set {field}.periodSeconds to the window its value applies to, \
                             between 1 and 1800 seconds (e.g. 60)."
                        )
                    } else {
                        format!("Set {field}.periodSeconds to at most 1800.")
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{formula_names, go_bool};

    #[test]
    fn booleans_are_read_as_go_reads_them() {
        for yes in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(go_bool(yes), Some(true), "{yes}");
        }
        for no in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(go_bool(no), Some(false), "{no}");
        }
        assert_eq!(go_bool("yes"), None);
        assert_eq!(go_bool("tRUE"), None);
    }

    #[test]
    fn formula_identifiers() {
        assert_eq!(
            formula_names("queue / 2 + max(kv, 'x') ?? a.b"),
            vec!["queue", "kv", "a"]
        );
        assert!(formula_names("float(1.5) > 2 ? 3 : 4").is_empty());
        assert_eq!(
            formula_names("1e3 * queue + 2.5E-2 / kv - 0x1F + 1_000 * q2"),
            vec!["queue", "kv", "q2"]
        );
    }
}

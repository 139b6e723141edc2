//! PromQL rules (`PQL`): the query of each Prometheus trigger parses, returns exactly one
//! instant series, and reads known metrics by their current names, aggregated.

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object};
use crate::lint::promql::{DEPRECATED_METRICS, Shape, misspelling_of};
use crate::lint::view::Trigger;
use crate::model::manifest::Pos;

const SCALERS: &[&str] = &["ScaledObject", "ScaledJob"];

/// The queries of an object's Prometheus triggers.
fn queries<'s>(object: &'s Object<'_>) -> impl Iterator<Item = &'s Trigger<'s>> {
    object
        .scaler
        .into_iter()
        .flat_map(|s| s.triggers.iter())
        .filter(|t| t.query.is_some())
}

/// The source position of character `offset` of a trigger's query.
fn query_pos(
    object: &Object<'_>,
    context: &Context<'_>,
    trigger: &Trigger<'_>,
    offset: usize,
) -> Pos {
    let pointer = trigger.meta_pointer("query");
    let text = trigger.query.as_ref().map_or("", |q| q.text);
    context.value_char_pos(object.doc, &pointer, text, offset)
}

/// `PQL001`.
pub static QUERY_PARSE_ERROR: Rule = Rule {
    code: "PQL001",
    name: "QueryDoesNotParse",
    family: Family::Promql,
    severity: Severity::Error,
    summary: "A Prometheus trigger's query is not valid PromQL.",
    fix: "Fix the query at the position shown; try it in the Prometheus UI first.",
    doc: RuleDoc {
        what: "`metadata.query` that the PromQL parser rejects; the finding points at the \
               character inside the query (an unclosed bracket or quote, an unexpected token, \
               a function given the wrong argument type).",
        why: "Prometheus answers 400 on every poll: the trigger errors, the ScaledObject never \
              becomes ready, and without a fallback nothing scales.",
        example: "query: sum(rate(vllm:num_requests_waiting[1m])",
        instead: "query: sum(rate(vllm:num_requests_waiting[1m]))",
        known_problems: "The parser (promql-parser) follows Prometheus 3; a few newer \
                         experimental functions may be unknown to it.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: query_parse_error,
    },
};

fn query_parse_error(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        let Some(Err(error)) = trigger.query.as_ref().map(|q| &q.parsed) else {
            continue;
        };
        let pos = query_pos(object, context, trigger, error.offset);
        out.at_pos(
            &trigger.meta_pointer("query"),
            pos,
            1,
            format!(
                "{}: triggers[{}].metadata.query does not parse: {} (at character {})",
                object.label(),
                trigger.index,
                error.message,
                error.offset + 1
            ),
        );
    }
}

/// `PQL002`.
pub static MANY_SERIES: Rule = Rule {
    code: "PQL002",
    name: "QueryReturnsManySeries",
    family: Family::Promql,
    severity: Severity::Error,
    summary: "The query can return more than one series.",
    fix: "Wrap the query in an aggregation without `by`, e.g. `sum(...)` for totals or \
          `avg(...)`/`max(...)` for levels.",
    doc: RuleDoc {
        what: "A query whose result is not a single series: a bare selector, a function of \
               one (`rate(x[1m])`), or an aggregation `by (...)` that nothing aggregates again.",
        why: "KEDA's Prometheus scaler fails with \"returned multiple elements\" as soon as \
              two pods (or GPUs) report; with one pod it works, so the bug shows up on the \
              first scale-out.",
        example: "query: sum by (pod) (vllm:num_requests_waiting{namespace=\"serving\"})",
        instead: "query: sum(vllm:num_requests_waiting{namespace=\"serving\"})",
        known_problems: "Label matchers that happen to select one series (a pod name) are \
                         still reported: the next rollout changes the name.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: many_series,
    },
};

fn many_series(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        if let Some(Ok(analysis)) = trigger.query.as_ref().map(|q| &q.parsed)
            && let Shape::Many(why) = &analysis.shape
        {
            out.at(
                &trigger.meta_pointer("query"),
                format!(
                    "{}: triggers[{}].metadata.query can return several series: {why}",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `PQL003`.
pub static MISSPELLED_METRIC: Rule = Rule {
    code: "PQL003",
    name: "MisspelledMetric",
    family: Family::Promql,
    severity: Severity::Error,
    summary: "A known inference-server metric is misspelled (e.g. `_` for `:`).",
    fix: "Use the metric's exact name.",
    doc: RuleDoc {
        what: "A metric name that is not a known inference-server, DCGM or Kueue metric but \
               is one or two edits from one, or equal to one up to `:`/`_` and case \
               (`vllm_num_requests_waiting` for `vllm:num_requests_waiting`).",
        why: "Prometheus returns an empty result for an unknown name. With the default \
              `ignoreNullValues` that reads as 0, so the workload never scales up.",
        example: "query: sum(vllm_num_requests_waiting)",
        instead: "query: sum(vllm:num_requests_waiting)",
        known_problems: "A custom metric named close to a known one (a recording rule such \
                         as `vllm_num_requests_waiting` that you defined) is flagged; \
                         suppress it on the object with a reason.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: misspelled_metric,
    },
};

fn misspelled_metric(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        let Some(query) = trigger.query.as_ref() else {
            continue;
        };
        let Ok(analysis) = &query.parsed else {
            continue;
        };
        for selector in analysis.selectors.iter() {
            if let Some(right) = misspelling_of(&selector.name) {
                let offset = char_offset(query.text, &selector.name);
                let pos = query_pos(object, context, trigger, offset);
                out.at_pos(
                    &trigger.meta_pointer("query"),
                    pos,
                    selector.name.chars().count(),
                    format!(
                        "{}: triggers[{}] reads {:?}, which does not exist; did you mean \
                         {right:?}?",
                        object.label(),
                        trigger.index,
                        selector.name
                    ),
                );
            }
        }
    }
}

fn char_offset(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(0, |at| text[..at].chars().count())
}

/// `PQL004`.
pub static DEPRECATED_METRIC: Rule = Rule {
    code: "PQL004",
    name: "DeprecatedMetric",
    family: Family::Promql,
    severity: Severity::Warning,
    summary: "The query reads a renamed or deprecated metric (`vllm:gpu_cache_usage_perc`).",
    fix: "Use the current metric name (and keep the old one only for old servers).",
    doc: RuleDoc {
        what: "A metric that its server renamed or stopped exporting: \
               `vllm:gpu_cache_usage_perc` (now `vllm:kv_cache_usage_perc`), \
               `vllm:time_per_output_token_seconds`, the V0-only vLLM metrics, llama.cpp's \
               `kv_cache_usage_ratio`.",
        why: "After a server upgrade the old name disappears, the query returns nothing, and \
              the trigger silently reads 0.",
        example: "query: avg(vllm:gpu_cache_usage_perc)",
        instead: "query: avg(vllm:kv_cache_usage_perc)",
        known_problems: "A query that reads both names (`new or old`) is accepted. Servers \
                         older than the rename only export the old name; suppress the rule on \
                         those objects with a reason.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: deprecated_metric,
    },
};

fn deprecated_metric(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        let Some(query) = trigger.query.as_ref() else {
            continue;
        };
        let Ok(analysis) = &query.parsed else {
            continue;
        };
        for selector in analysis.selectors.iter() {
            let Some((old, new, why)) = DEPRECATED_METRICS
                .iter()
                .find(|(old, ..)| *old == selector.name)
            else {
                continue;
            };
            // `new or old` keeps working across the rename: only a query without the
            // current name breaks on upgrade.
            if analysis.selectors.iter().any(|s| s.name == *new) {
                continue;
            }
            let pos = query_pos(object, context, trigger, char_offset(query.text, old));
            out.at_pos(
                &trigger.meta_pointer("query"),
                pos,
                old.chars().count(),
                format!(
                    "{}: triggers[{}] reads {old:?}, {why}; use {new:?}",
                    object.label(),
                    trigger.index
                ),
            );
        }
    }
}

/// `PQL005`.
pub static RAW_DCGM: Rule = Rule {
    code: "PQL005",
    name: "RawDcgmMetric",
    family: Family::Promql,
    severity: Severity::Warning,
    summary: "A per-GPU DCGM metric read without aggregation.",
    fix: "Aggregate over GPUs, e.g. `avg(DCGM_FI_PROF_GR_ENGINE_ACTIVE{namespace=\"…\"})`.",
    doc: RuleDoc {
        what: "A `DCGM_*` selector not enclosed in an aggregation.",
        why: "The DCGM exporter reports one series per GPU (with `gpu`, `UUID`, `Hostname` \
              labels): a raw selector returns as many series as there are GPUs, and KEDA \
              rejects a multi-series answer.",
        example: "query: DCGM_FI_DEV_GPU_UTIL{pod=~\"llm-.*\"}",
        instead: "query: avg(DCGM_FI_DEV_GPU_UTIL{pod=~\"llm-.*\"})",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: raw_dcgm,
    },
};

fn raw_dcgm(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        let Some(query) = trigger.query.as_ref() else {
            continue;
        };
        let Ok(analysis) = &query.parsed else {
            continue;
        };
        for selector in analysis.selectors.iter() {
            if selector.name.starts_with("DCGM_") && !selector.aggregated {
                let offset = char_offset(query.text, &selector.name);
                let pos = query_pos(object, context, trigger, offset);
                out.at_pos(
                    &trigger.meta_pointer("query"),
                    pos,
                    selector.name.chars().count(),
                    format!(
                        "{}: triggers[{}] reads {} per GPU without aggregating it",
                        object.label(),
                        trigger.index,
                        selector.name
                    ),
                );
            }
        }
    }
}

/// `PQL006`.
pub static NOT_INSTANT_VECTOR: Rule = Rule {
    code: "PQL006",
    name: "QueryNotInstantVector",
    family: Family::Promql,
    severity: Severity::Error,
    summary: "The query returns a scalar, a string or a range vector, not one sample.",
    fix: "Return an instant vector: `sum(...)`, or `vector(scalar(...))` for a scalar.",
    doc: RuleDoc {
        what: "A query whose result type is a scalar (`scalar(...)`, a number), a string, or \
               a range vector (`x[5m]`).",
        why: "KEDA decodes the result as a list of samples: a scalar does not decode, a range \
              vector is refused by the instant query API, and the trigger errors on every poll.",
        example: "query: scalar(sum(vllm:num_requests_waiting))",
        instead: "query: sum(vllm:num_requests_waiting)",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: SCALERS,
        run: not_instant_vector,
    },
};

fn not_instant_vector(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    for trigger in queries(object) {
        let Some(Ok(analysis)) = trigger.query.as_ref().map(|q| &q.parsed) else {
            continue;
        };
        let what = match analysis.shape {
            Shape::Scalar => "a scalar",
            Shape::Range => "a range vector",
            Shape::Text => "a string",
            Shape::Single | Shape::Many(_) => continue,
        };
        out.at(
            &trigger.meta_pointer("query"),
            format!(
                "{}: triggers[{}].metadata.query returns {what}, not an instant vector",
                object.label(),
                trigger.index
            ),
        );
    }
}

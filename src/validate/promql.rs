//! What a PromQL query reads: its metric names and selectors (parsed with `promql-parser`),
//! and close existing names to suggest when one is missing.

use std::collections::BTreeSet;

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};
use promql_parser::util::{ExprVisitor, walk_expr};

/// Metric renames known upstream: `(old, new)`. The old name of each pair is still emitted by
/// some releases, and the new name by the others.
pub const RENAMES: &[(&str, &str)] = &[
    ("vllm:gpu_cache_usage_perc", "vllm:kv_cache_usage_perc"),
    ("vllm:gpu_prefix_cache_queries", "vllm:prefix_cache_queries"),
    ("vllm:gpu_prefix_cache_hits", "vllm:prefix_cache_hits"),
    (
        "vllm:time_per_output_token_seconds",
        "vllm:inter_token_latency_seconds",
    ),
];

/// The selectors of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParts {
    /// Metric names selected by name (or by an `__name__="..."` matcher), sorted.
    pub metric_names: BTreeSet<String>,
    /// Every vector selector (range selectors included, without their range, offset or `@`),
    /// as PromQL text, sorted: e.g. `vllm:num_requests_waiting{namespace="serving"}`.
    pub selectors: BTreeSet<String>,
}

/// Parses `query` and collects what it selects; `Err` carries the parser's message.
pub fn parts(query: &str) -> Result<QueryParts, String> {
    let expr = parser::parse(query)?;
    let mut visitor = Collector::default();
    // The visitor never fails.
    let _ = walk_expr(&mut visitor, &expr);
    Ok(visitor.parts)
}

#[derive(Default)]
struct Collector {
    parts: QueryParts,
}

impl ExprVisitor for Collector {
    type Error = std::convert::Infallible;

    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, Self::Error> {
        match expr {
            Expr::VectorSelector(vs) => self.add(vs),
            Expr::MatrixSelector(ms) => self.add(&ms.vs),
            _ => {}
        }
        Ok(true)
    }
}

impl Collector {
    fn add(&mut self, vs: &VectorSelector) {
        let by_matcher = vs
            .matchers
            .matchers
            .iter()
            .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
            .map(|m| m.value.clone());
        if let Some(name) = vs.name.clone().or(by_matcher) {
            self.parts.metric_names.insert(name);
        }
        let plain = VectorSelector {
            name: vs.name.clone(),
            matchers: vs.matchers.clone(),
            offset: None,
            at: None,
        };
        self.parts.selectors.insert(plain.to_string());
    }
}

/// Up to three existing names close to `missing`, best first: the known rename, the same name
/// with `:` and `_` swapped, then names within a small edit distance.
pub fn suggestions<'a>(missing: &str, existing: &'a [String]) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = existing
        .iter()
        .filter_map(|name| score(missing, name).map(|s| (s, name.as_str())))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

/// How close `candidate` is to `missing` (higher is closer), or `None` when not close.
fn score(missing: &str, candidate: &str) -> Option<f64> {
    if candidate == missing {
        return None;
    }
    let renamed = RENAMES.iter().any(|&(old, new)| {
        (old, new) == (missing, candidate) || (new, old) == (missing, candidate)
    });
    if renamed {
        return Some(3.0);
    }
    let fold = |s: &str| s.replace(':', "_");
    if fold(missing) == fold(candidate) {
        return Some(2.0);
    }
    let similarity = strsim::normalized_damerau_levenshtein(&fold(missing), &fold(candidate));
    (similarity >= 0.8).then_some(similarity)
}

/// The new name when `name` is the old half of a known rename.
pub fn renamed_to(name: &str) -> Option<&'static str> {
    RENAMES
        .iter()
        .find(|(old, _)| *old == name)
        .map(|(_, new)| *new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_selectors_are_collected() {
        let parts = parts(
            "sum(rate(vllm:num_requests_waiting{namespace=\"serving\"}[5m] offset 1m)) \
             / sum({__name__=\"tgi_queue_size\"}) + on() vector(1)",
        )
        .unwrap();
        assert_eq!(
            parts.metric_names.iter().collect::<Vec<_>>(),
            ["tgi_queue_size", "vllm:num_requests_waiting"]
        );
        assert!(
            parts
                .selectors
                .contains("vllm:num_requests_waiting{namespace=\"serving\"}"),
            "{:?}",
            parts.selectors
        );
    }

    #[test]
    fn bad_queries_give_the_parser_message() {
        assert!(parts("sum(").is_err());
    }

    #[test]
    fn renames_and_separator_swaps_rank_first() {
        let existing: Vec<String> = [
            "vllm:kv_cache_usage_perc",
            "vllm_num_requests_waiting",
            "vllm:num_requests_running",
            "up",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            suggestions("vllm:gpu_cache_usage_perc", &existing),
            ["vllm:kv_cache_usage_perc"]
        );
        assert_eq!(
            suggestions("vllm:num_requests_waiting", &existing)[0],
            "vllm_num_requests_waiting"
        );
        assert!(suggestions("DCGM_FI_DEV_GPU_UTIL", &existing).is_empty());
        assert_eq!(
            renamed_to("vllm:gpu_cache_usage_perc"),
            Some("vllm:kv_cache_usage_perc")
        );
    }
}

//! What a PromQL query reads: its metric names and selectors (parsed with `promql-parser`),
//! the alternatives that `or` gives it, and close existing names to suggest when one is
//! missing.

use std::collections::BTreeSet;

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector, token};
use promql_parser::util::{ExprVisitor, walk_expr};

/// The most alternatives a query is split into; past this (many `or`s inside arithmetic),
/// the query counts as one alternative that needs every selector.
const MAX_ALTERNATIVES: usize = 32;

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
    /// The ways the query can return data, one per combination of `or` branches: `avg(a or
    /// b)` has two, `a / (b or c)` has `{a, b}` and `{a, c}`. A query without `or` has one,
    /// with every selector it needs. Selectors the result does not depend on (the right side
    /// of `unless`, the argument of `absent`) are in no alternative.
    pub alternatives: Vec<Alternative>,
}

/// One way a query can return data: the selectors it reads, all of which need data.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Alternative {
    /// The selectors, as in [`QueryParts::selectors`].
    pub selectors: BTreeSet<String>,
    /// The metric names they select.
    pub metric_names: BTreeSet<String>,
}

impl Alternative {
    fn union(&self, other: &Alternative) -> Alternative {
        Alternative {
            selectors: self.selectors.union(&other.selectors).cloned().collect(),
            metric_names: self
                .metric_names
                .union(&other.metric_names)
                .cloned()
                .collect(),
        }
    }
}

impl QueryParts {
    /// Whether the query has several alternatives (an `or` with a selector on each side).
    pub fn has_alternatives(&self) -> bool {
        self.alternatives.len() > 1
    }
}

/// Parses `query` and collects what it selects; `Err` carries the parser's message.
pub fn parts(query: &str) -> Result<QueryParts, String> {
    let expr = parser::parse(query)?;
    let mut visitor = Collector::default();
    // The visitor never fails.
    let _ = walk_expr(&mut visitor, &expr);
    let mut parts = visitor.parts;
    parts.alternatives = alternatives(&expr);
    Ok(parts)
}

/// The alternatives of an expression (see [`QueryParts::alternatives`]).
fn alternatives(expr: &Expr) -> Vec<Alternative> {
    match expr {
        Expr::VectorSelector(vs) => vec![selected(vs)],
        Expr::MatrixSelector(ms) => vec![selected(&ms.vs)],
        Expr::Binary(b) if b.op.id() == token::T_LOR => {
            let mut all = alternatives(&b.lhs);
            all.extend(alternatives(&b.rhs));
            all.sort();
            all.dedup();
            all
        }
        // `a unless b` is `a` with some series removed: without `b` it is all of `a`.
        Expr::Binary(b) if b.op.id() == token::T_LUNLESS => alternatives(&b.lhs),
        Expr::Binary(b) => product(&alternatives(&b.lhs), &alternatives(&b.rhs)),
        Expr::Aggregate(a) => match &a.param {
            Some(param) => product(&alternatives(&a.expr), &alternatives(param)),
            None => alternatives(&a.expr),
        },
        // `absent(x)` returns data exactly when `x` has none.
        Expr::Call(call) if call.func.name.starts_with("absent") => vec![Alternative::default()],
        Expr::Call(call) => call
            .args
            .args
            .iter()
            .fold(vec![Alternative::default()], |acc, arg| {
                product(&acc, &alternatives(arg))
            }),
        Expr::Paren(p) => alternatives(&p.expr),
        Expr::Unary(u) => alternatives(&u.expr),
        Expr::Subquery(s) => alternatives(&s.expr),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {
            vec![Alternative::default()]
        }
    }
}

/// Every pairing of an alternative of the left side with one of the right side; past
/// [`MAX_ALTERNATIVES`], the union of everything.
fn product(left: &[Alternative], right: &[Alternative]) -> Vec<Alternative> {
    if left.len() * right.len() > MAX_ALTERNATIVES {
        let all = left
            .iter()
            .chain(right)
            .fold(Alternative::default(), |acc, a| acc.union(a));
        return vec![all];
    }
    let mut out: Vec<Alternative> = left
        .iter()
        .flat_map(|l| right.iter().map(move |r| l.union(r)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The alternative of one selector.
fn selected(vs: &VectorSelector) -> Alternative {
    Alternative {
        selectors: [plain(vs)].into(),
        metric_names: metric_name(vs).into_iter().collect(),
    }
}

/// The selector's metric name: by name or by an `__name__="..."` matcher.
fn metric_name(vs: &VectorSelector) -> Option<String> {
    let by_matcher = vs
        .matchers
        .matchers
        .iter()
        .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
        .map(|m| m.value.clone());
    vs.name.clone().or(by_matcher)
}

/// The selector as PromQL text, without range, offset or `@`.
fn plain(vs: &VectorSelector) -> String {
    VectorSelector {
        name: vs.name.clone(),
        matchers: vs.matchers.clone(),
        offset: None,
        at: None,
    }
    .to_string()
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
        if let Some(name) = metric_name(vs) {
            self.parts.metric_names.insert(name);
        }
        self.parts.selectors.insert(plain(vs));
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

    fn alternative_names(query: &str) -> Vec<Vec<String>> {
        parts(query)
            .unwrap()
            .alternatives
            .iter()
            .map(|a| a.metric_names.iter().cloned().collect())
            .collect()
    }

    #[test]
    fn or_splits_the_query_into_alternatives() {
        assert_eq!(
            alternative_names(
                "avg(vllm:kv_cache_usage_perc{namespace=\"s\"} or \
                 vllm:gpu_cache_usage_perc{namespace=\"s\"})"
            ),
            [["vllm:gpu_cache_usage_perc"], ["vllm:kv_cache_usage_perc"]]
        );
        assert_eq!(
            alternative_names("sum(a) / (sum(b) or sum(c)) + 1"),
            [["a", "b"], ["a", "c"]]
        );
        assert_eq!(alternative_names("sum(a) unless sum(b)"), [["a"]]);
        assert_eq!(
            alternative_names("sum(a) or absent(b)"),
            [vec![], vec!["a".to_string()]]
        );
        let one = parts("sum(rate(a[5m])) / sum(b)").unwrap();
        assert!(!one.has_alternatives());
        assert_eq!(one.alternatives[0].selectors, one.selectors);
        // The same metric with other labels is another alternative (DCGM's pod or
        // exported_pod), with its own selector.
        let dcgm = parts("avg(x{pod=\"p\"} or x{exported_pod=\"p\"})").unwrap();
        assert_eq!(dcgm.alternatives.len(), 2);
        assert_eq!(dcgm.metric_names.len(), 1);
    }

    #[test]
    fn too_many_combinations_collapse_into_one_alternative() {
        let many = (0..6)
            .map(|i| format!("(a{i} or b{i})"))
            .collect::<Vec<_>>()
            .join(" + ");
        let parts = parts(&many).unwrap();
        assert_eq!(parts.alternatives.len(), 1);
        assert_eq!(parts.alternatives[0].selectors.len(), 12);
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

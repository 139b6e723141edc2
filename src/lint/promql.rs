//! PromQL facts for the rules, computed once per query: does it parse (and where not), how
//! many series can it return, which metrics it reads, whether the signal is intensive, and
//! the table of known inference-server metric names (with renamed and deprecated ones).
//!
//! Most of the cost of parsing a query is compiling the regular expression of each `=~`
//! matcher, and many objects share a query that differs only in label values
//! (`pod=~"llm-a-.*"`, `pod=~"llm-b-.*"`). The analysis does not depend on those values, so
//! [`QueryCache`] parses each query once with them blanked, checks the regular expressions'
//! syntax alone, and hands the same analysis to every query of that shape.

use std::collections::HashMap;
use std::sync::Arc;

use promql_parser::label::Matchers;
use promql_parser::parser::{self, Expr, LabelModifier, token};

/// Queries longer than this are not searched for the position of a parse error.
const MAX_ERROR_SEARCH: usize = 4096;

/// A query and what is known about it.
#[derive(Debug)]
pub struct Query<'a> {
    /// The query text as written.
    pub text: &'a str,
    /// The analysis, or why it does not parse.
    pub parsed: Result<Analysis, QueryError>,
}

/// Why a query does not parse, and where (a character offset into the query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parser's message.
    pub message: String,
    /// Offset (in characters) of the problem inside the query.
    pub offset: usize,
}

/// What the query returns, as far as KEDA's Prometheus scaler cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// At most one series: what KEDA needs.
    Single,
    /// Possibly several series, with the reason.
    Many(Arc<str>),
    /// A scalar (KEDA cannot decode it).
    Scalar,
    /// A range vector (not an instant query result).
    Range,
    /// A string literal.
    Text,
}

/// One metric selector in the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The metric name (from the name or a `__name__` matcher).
    pub name: String,
    /// Whether an aggregation (`sum`, `avg`, …) encloses it.
    pub aggregated: bool,
    /// Label names with matchers (`pod`, `namespace`, …).
    pub labels: Vec<String>,
}

/// Facts about a query that parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// What it returns.
    pub shape: Shape,
    /// Every selector, in order.
    pub selectors: Arc<[Selector]>,
    /// Why the signal is intensive (an average, ratio, latency or percentage), if it is.
    pub intensive: Option<Arc<str>>,
    /// The largest value it can return, when that is known: a bounded metric (a fraction, a
    /// percentage) read directly or through `avg`/`max`/`min`/`quantile`.
    pub bound: Option<f64>,
}

impl<'a> Query<'a> {
    /// Parses and analyses `text`.
    pub fn parse(text: &'a str) -> Query<'a> {
        let parsed = match parser::parse(text) {
            Ok(expr) => Ok(analyse(&expr)),
            Err(message) => Err(QueryError {
                offset: error_offset(text, &message),
                message,
            }),
        };
        Query { text, parsed }
    }
}

/// Analyses of queries by their shape (the text with label values blanked), so that a query
/// repeated across objects, or differing only in label values, is parsed once.
#[derive(Debug, Default)]
pub struct QueryCache {
    analyses: HashMap<String, Analysis>,
}

impl QueryCache {
    /// Parses and analyses `text` like [`Query::parse`], reusing the analysis of a query of
    /// the same shape. Queries that do not parse are parsed as written, so that the error and
    /// its position are the parser's own.
    pub fn parse<'a>(&mut self, text: &'a str) -> Query<'a> {
        let Some(shape) = Normalized::of(text).filter(Normalized::values_are_valid) else {
            return Query::parse(text);
        };
        if let Some(analysis) = self.analyses.get(&shape.text) {
            return Query {
                text,
                parsed: Ok(analysis.clone()),
            };
        }
        match parser::parse(&shape.text) {
            Ok(expr) => {
                let analysis = analyse(&expr);
                self.analyses.insert(shape.text, analysis.clone());
                Query {
                    text,
                    parsed: Ok(analysis),
                }
            }
            Err(_) => Query::parse(text),
        }
    }
}

/// A query with the values of its `=` and `=~` label matchers blanked (`{pod=~"llm-.*"}`
/// becomes `{pod=~""}`), and the values that were blanked. `__name__` matchers, negative
/// matchers (blanking changes whether they match the empty string) and everything outside
/// braces stay as written.
struct Normalized<'a> {
    text: String,
    /// The blanked values: quote character, raw contents, and whether it is a regex.
    values: Vec<(char, &'a str, bool)>,
}

impl<'a> Normalized<'a> {
    /// `None` when the query has something the scan does not model (a comment, an
    /// unterminated string): it is then parsed as written.
    fn of(query: &'a str) -> Option<Normalized<'a>> {
        let bytes = query.as_bytes();
        let mut text = String::with_capacity(query.len());
        let mut values = Vec::new();
        let mut depth = 0usize;
        let mut copied = 0;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'#' => return None,
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                b'"' | b'\'' | b'`' => {
                    let end = string_end(bytes, i)?;
                    let blank = match matcher_before(&query[..i]) {
                        Some((label, op)) if depth > 0 && label != "__name__" => {
                            (op == "=" || op == "=~").then_some(op == "=~")
                        }
                        _ => None,
                    };
                    if let Some(is_regex) = blank {
                        text.push_str(&query[copied..=i]);
                        text.push(char::from(b));
                        copied = end;
                        values.push((char::from(b), &query[i + 1..end - 1], is_regex));
                    }
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        text.push_str(&query[copied..]);
        Some(Normalized { text, values })
    }

    /// Whether every blanked value is a string the parser accepts and every blanked regular
    /// expression one it compiles (checked for syntax only). Escapes this check does not
    /// decode count as invalid, which sends the query to the parser as written.
    fn values_are_valid(&self) -> bool {
        self.values.iter().all(|(quote, raw, regex)| {
            let Some(value) = unescape(*quote, raw) else {
                return false;
            };
            !regex
                || plainly_valid(&value)
                || regex_syntax::Parser::new()
                    .parse(&format!("^(?:{value})$"))
                    .is_ok()
        })
    }
}

/// Whether a regular expression is valid at a glance: letters, digits and `-_/:` with `.`,
/// where `*` and `+` only follow a `.` (`llm-.*`, `vllm-7b-.+`), the common shape of pod
/// matchers, for which a syntax check would cost more than the rest of the query.
fn plainly_valid(pattern: &str) -> bool {
    let mut previous = None;
    pattern.chars().all(|c| {
        let ok = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '/' | ':' | '.')
            || (matches!(c, '*' | '+') && previous == Some('.'));
        previous = Some(c);
        ok
    })
}

/// The index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The label and operator of a matcher whose value starts right after `before`.
fn matcher_before(before: &str) -> Option<(&str, &str)> {
    let trimmed = before.trim_end();
    let op = ["=~", "!~", "!=", "="]
        .into_iter()
        .find(|op| trimmed.ends_with(op))?;
    let label_end = trimmed[..trimmed.len() - op.len()].trim_end();
    let start = label_end
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    Some((&label_end[start..], op))
}

/// The value of a PromQL string literal's contents (`raw`, between `quote`s), for the
/// escapes label values use; `None` for anything else (numeric escapes, an escape the parser
/// refuses, a line break).
fn unescape(quote: char, raw: &str) -> Option<String> {
    if quote == '`' {
        return (!raw.contains('\\')).then(|| raw.to_string());
    }
    if raw.contains('\n') {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            c if c == quote => c,
            '\\' => '\\',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            _ => return None,
        });
    }
    Some(out)
}

fn analyse(expr: &Expr) -> Analysis {
    let mut selectors = Vec::new();
    collect_selectors(expr, false, &mut selectors);
    let signal = without_fallback(expr);
    let mut signal_selectors = Vec::new();
    collect_selectors(signal, false, &mut signal_selectors);
    Analysis {
        shape: shape(expr),
        intensive: intensive(signal, &signal_selectors).map(Arc::from),
        bound: bound(expr),
        selectors: selectors.into(),
    }
}

/// The query without a constant fallback (`x or vector(0)`, `x or on() vector(0)`): the
/// fallback only fills in when `x` is empty and says nothing about what `x` measures.
fn without_fallback(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => without_fallback(&p.expr),
        Expr::Binary(b) if b.op.id() == token::T_LOR && constant(&b.rhs).is_some() => {
            without_fallback(&b.lhs)
        }
        other => other,
    }
}

/// The value of a constant expression: a number, or `vector(number)`.
fn constant(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Paren(p) => constant(&p.expr),
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Call(c) if c.func.name == "vector" => constant(c.args.args.first()?),
        _ => None,
    }
}

/// The largest value an expression can return, when it is a known bounded metric read
/// directly or through aggregations that stay within the metric's range (or such a query
/// with a constant fallback). Arithmetic, sums and other functions make it unknown.
fn bound(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Paren(p) => bound(&p.expr),
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            let within = matches!(op.as_str(), "avg" | "max" | "min" | "quantile");
            if within { bound(&a.expr) } else { None }
        }
        Expr::VectorSelector(v) => {
            let name = selector(v.name.as_deref(), &v.matchers, false).name;
            known(&name)?.max
        }
        Expr::Binary(b) if b.op.id() == token::T_LOR => {
            let fallback = constant(&b.rhs)?;
            Some(bound(&b.lhs)?.max(fallback))
        }
        _ => None,
    }
}

fn collect_selectors(expr: &Expr, aggregated: bool, out: &mut Vec<Selector>) {
    match expr {
        Expr::Aggregate(a) => {
            collect_selectors(&a.expr, true, out);
            if let Some(p) = &a.param {
                collect_selectors(p, aggregated, out);
            }
        }
        Expr::Unary(u) => collect_selectors(&u.expr, aggregated, out),
        Expr::Binary(b) => {
            collect_selectors(&b.lhs, aggregated, out);
            collect_selectors(&b.rhs, aggregated, out);
        }
        Expr::Paren(p) => collect_selectors(&p.expr, aggregated, out),
        Expr::Subquery(s) => collect_selectors(&s.expr, aggregated, out),
        Expr::VectorSelector(v) => out.push(selector(v.name.as_deref(), &v.matchers, aggregated)),
        Expr::MatrixSelector(m) => {
            out.push(selector(m.vs.name.as_deref(), &m.vs.matchers, aggregated))
        }
        Expr::Call(c) => {
            for arg in &c.args.args {
                collect_selectors(arg, aggregated, out);
            }
        }
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn selector(name: Option<&str>, matchers: &Matchers, aggregated: bool) -> Selector {
    let mut labels = Vec::new();
    let mut metric = name.map(str::to_string);
    for m in &matchers.matchers {
        if m.name == "__name__" {
            metric.get_or_insert_with(|| m.value.clone());
        } else {
            labels.push(m.name.clone());
        }
    }
    Selector {
        name: metric.unwrap_or_default(),
        aggregated,
        labels,
    }
}

/// What an expression returns: one series, many, a scalar or a range vector.
fn shape(expr: &Expr) -> Shape {
    match expr {
        Expr::Aggregate(a) => aggregate_shape(a),
        Expr::Unary(u) => shape(&u.expr),
        Expr::Paren(p) => shape(&p.expr),
        Expr::Binary(b) => match (shape(&b.lhs), shape(&b.rhs)) {
            (Shape::Scalar, Shape::Scalar) => Shape::Scalar,
            (Shape::Scalar, other) | (other, Shape::Scalar) => other,
            (Shape::Single, Shape::Single) => Shape::Single,
            (Shape::Many(why), _) | (_, Shape::Many(why)) => Shape::Many(why),
            (other, _) => other,
        },
        Expr::NumberLiteral(_) => Shape::Scalar,
        Expr::StringLiteral(_) => Shape::Text,
        Expr::VectorSelector(v) => Shape::Many(
            format!(
                "the selector `{}` is not aggregated, so it returns one series per pod, GPU or \
                 label set",
                v.name.as_deref().unwrap_or("{…}")
            )
            .into(),
        ),
        Expr::MatrixSelector(_) | Expr::Subquery(_) => Shape::Range,
        Expr::Call(c) => call_shape(c),
        Expr::Extension(_) => Shape::Single,
    }
}

fn many(why: String) -> Shape {
    Shape::Many(why.into())
}

fn aggregate_shape(a: &parser::AggregateExpr) -> Shape {
    let op = a.op.to_string();
    match op.as_str() {
        "topk" | "bottomk" | "limitk" => match a.param.as_deref() {
            Some(Expr::NumberLiteral(n)) if n.val <= 1.0 && a.modifier.is_none() => Shape::Single,
            _ => many(format!("`{op}` keeps up to k series")),
        },
        "count_values" => Shape::Many("`count_values` returns one series per value".into()),
        "limit_ratio" => Shape::Many("`limit_ratio` keeps a share of the series".into()),
        _ => match &a.modifier {
            None => Shape::Single,
            Some(LabelModifier::Include(labels)) if labels.labels.is_empty() => Shape::Single,
            Some(LabelModifier::Include(labels)) => many(format!(
                "`{op} by ({})` keeps one series per value of those labels and nothing \
                 aggregates them again",
                labels.labels.join(", ")
            )),
            Some(LabelModifier::Exclude(labels)) => many(format!(
                "`{op} without ({})` keeps every other label",
                labels.labels.join(", ")
            )),
        },
    }
}

fn call_shape(call: &parser::Call) -> Shape {
    let args = &call.args.args;
    match call.func.name {
        "vector" | "absent" | "absent_over_time" => Shape::Single,
        "scalar" | "time" | "pi" => Shape::Scalar,
        "histogram_quantile" => match args.get(1).map(|a| (a, shape(a))) {
            Some((arg, Shape::Many(why))) => {
                if grouped_only_by_le(arg) {
                    Shape::Single
                } else {
                    Shape::Many(why)
                }
            }
            Some((_, other)) => other,
            None => Shape::Single,
        },
        _ => args
            .iter()
            .map(|a| match shape(a) {
                Shape::Range => shape_of_range(a),
                other => other,
            })
            .find(|s| !matches!(s, Shape::Scalar | Shape::Text))
            .unwrap_or(Shape::Scalar),
    }
}

/// The shape a range function (`rate(x[5m])`) gives its range argument.
fn shape_of_range(expr: &Expr) -> Shape {
    match expr {
        Expr::Subquery(s) => shape(&s.expr),
        Expr::MatrixSelector(m) => Shape::Many(
            format!(
                "the selector `{}` is not aggregated, so it returns one series per pod, GPU or \
                 label set",
                m.vs.name.as_deref().unwrap_or("{…}")
            )
            .into(),
        ),
        Expr::Paren(p) => shape_of_range(&p.expr),
        other => shape(other),
    }
}

fn grouped_only_by_le(expr: &Expr) -> bool {
    match expr {
        Expr::Paren(p) => grouped_only_by_le(&p.expr),
        Expr::Aggregate(a) => matches!(
            &a.modifier,
            Some(LabelModifier::Include(l)) if l.labels.iter().all(|x| x == "le")
        ),
        _ => false,
    }
}

/// Why the signal is intensive (does not grow with load spread over more replicas).
fn intensive(expr: &Expr, selectors: &[Selector]) -> Option<String> {
    let outer = outermost(expr);
    if let Expr::Aggregate(a) = outer {
        let op = a.op.to_string();
        if matches!(op.as_str(), "avg" | "quantile" | "min" | "max" | "stddev") {
            return Some(format!("`{op}(…)` is a per-replica level, not a total"));
        }
    }
    if let Expr::Call(c) = outer
        && c.func.name == "histogram_quantile"
    {
        return Some("`histogram_quantile` is a latency".into());
    }
    if let Expr::Binary(b) = outer
        && b.op.id() == token::T_DIV
        && !matches!(shape(&b.lhs), Shape::Scalar)
        && !matches!(shape(&b.rhs), Shape::Scalar)
    {
        return Some("a ratio of two series is a level, not a total".into());
    }
    let summed =
        matches!(outer, Expr::Aggregate(a) if matches!(a.op.to_string().as_str(), "sum" | "count"));
    if summed {
        return None;
    }
    selectors
        .iter()
        .find(|s| is_intensive_metric(&s.name))
        .map(|s| format!("`{}` is a percentage, ratio or latency", s.name))
}

fn outermost(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => outermost(&p.expr),
        other => other,
    }
}

/// Whether a metric name reads as a level (percentage, ratio, utilization, latency).
pub fn is_intensive_metric(name: &str) -> bool {
    const MARKS: &[&str] = &[
        "perc",
        "ratio",
        "utilization",
        "_util",
        "latency",
        "_seconds",
        "duration",
        "token_usage",
        "ENGINE_ACTIVE",
    ];
    // A histogram's or summary's buckets, count and sum, and counters, grow with the load
    // (their rate is a throughput), whatever the name says they measure.
    let extensive = ["_bucket", "_count", "_sum", "_total"]
        .iter()
        .any(|suffix| name.ends_with(suffix));
    !extensive && MARKS.iter().any(|m| name.contains(m))
}

/// Finds where in `text` a parse error is: the opening bracket or quote left open, the
/// unexpected character, the function with a wrong argument type, or else the end of the
/// longest prefix (cut at a token boundary) that still parses.
fn error_offset(text: &str, message: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let opened =
        message.contains("unclosed left") || message.contains("unexpected end of input inside");
    if opened && let Some(open) = unclosed_bracket(&chars) {
        return open;
    }
    if message.starts_with("unterminated quoted string")
        && let Some(open) = unterminated_quote(&chars)
    {
        return open;
    }
    if let Some(name) = quoted_after(message, "in call to function '")
        && let Some(at) = text.find(&format!("{name}("))
    {
        return text[..at].chars().count();
    }
    if let Some(ch) = message
        .strip_prefix("unexpected character: '")
        .and_then(|rest| rest.chars().next())
        && let Some(at) = chars.iter().position(|&c| c == ch)
    {
        return at;
    }
    longest_valid_prefix(&chars)
}

fn quoted_after<'m>(message: &'m str, marker: &str) -> Option<&'m str> {
    let rest = &message[message.find(marker)? + marker.len()..];
    Some(&rest[..rest.find('\'')?])
}

fn unclosed_bracket(chars: &[char]) -> Option<usize> {
    let mut stack = Vec::new();
    let mut quote = None;
    for (i, &c) in chars.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '(' | '{' | '[') => stack.push(i),
            (None, ')' | '}' | ']') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

fn unterminated_quote(chars: &[char]) -> Option<usize> {
    let mut open = None;
    for (i, &c) in chars.iter().enumerate() {
        match open {
            Some((q, _)) if c == q => open = None,
            None if matches!(c, '"' | '\'' | '`') => open = Some((c, i)),
            _ => {}
        }
    }
    open.map(|(_, i)| i)
}

fn longest_valid_prefix(chars: &[char]) -> usize {
    if chars.len() > MAX_ERROR_SEARCH {
        return 0;
    }
    let boundaries: Vec<usize> = (1..chars.len())
        .filter(|&i| is_boundary(chars[i - 1], chars[i]))
        .collect();
    let mut last_good = None;
    for &cut in &boundaries {
        let prefix: String = chars[..cut].iter().collect();
        if parser::parse(&prefix).is_ok() {
            last_good = Some(cut);
        }
    }
    let Some(cut) = last_good else { return 0 };
    (cut..chars.len())
        .find(|&i| !chars[i].is_whitespace())
        .unwrap_or(cut)
}

fn is_boundary(before: char, here: char) -> bool {
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | ':' | '.');
    !before.is_whitespace() && (here.is_whitespace() || word(before) != word(here) || !word(here))
}

/// A known inference-server, DCGM or Kueue metric: its exact name, and whether only the
/// workload's own pods export it (so it vanishes at zero replicas).
#[derive(Debug, Clone, Copy)]
pub struct KnownMetric {
    /// The metric name.
    pub name: &'static str,
    /// Exported by the serving pods themselves.
    pub pod_local: bool,
    /// The upper bound of the value, for metrics that are bounded (fractions, percent).
    pub max: Option<f64>,
}

const fn metric(name: &'static str, pod_local: bool, max: Option<f64>) -> KnownMetric {
    KnownMetric {
        name,
        pod_local,
        max,
    }
}

/// Metric names that `PQL003` compares misspellings against.
pub static KNOWN_METRICS: &[KnownMetric] = &[
    metric("vllm:num_requests_waiting", true, None),
    metric("vllm:num_requests_running", true, None),
    metric("vllm:num_requests_waiting_by_reason", true, None),
    metric("vllm:kv_cache_usage_perc", true, Some(1.0)),
    metric("vllm:time_to_first_token_seconds_bucket", true, None),
    metric("vllm:inter_token_latency_seconds_bucket", true, None),
    metric("vllm:e2e_request_latency_seconds_bucket", true, None),
    metric("vllm:request_queue_time_seconds_bucket", true, None),
    metric("vllm:prompt_tokens_total", true, None),
    metric("vllm:generation_tokens_total", true, None),
    metric("vllm:request_success_total", true, None),
    metric("vllm:num_preemptions_total", true, None),
    metric("tgi_queue_size", true, None),
    metric("tgi_batch_current_size", true, None),
    metric("tgi_batch_current_max_tokens", true, None),
    metric("tgi_request_duration_bucket", true, None),
    metric("tgi_request_queue_duration_bucket", true, None),
    metric("nv_inference_pending_request_count", true, None),
    metric("nv_inference_queue_duration_us", true, None),
    metric("nv_inference_request_success", true, None),
    metric("nv_inference_count", true, None),
    metric("nv_gpu_utilization", true, Some(1.0)),
    metric("nv_trt_llm_request_metrics", true, None),
    metric("nv_trt_llm_kv_cache_block_metrics", true, None),
    metric("sglang:num_queue_reqs", true, None),
    metric("sglang:num_running_reqs", true, None),
    metric("sglang:token_usage", true, Some(1.0)),
    metric("sglang:num_used_tokens", true, None),
    metric("sglang:gen_throughput", true, None),
    metric("llamacpp:requests_processing", true, None),
    metric("llamacpp:requests_deferred", true, None),
    metric("llamacpp:kv_cache_usage_ratio", true, Some(1.0)),
    metric("num_requests_waiting", true, None),
    metric("num_requests_running", true, None),
    metric("gpu_cache_usage_perc", true, Some(1.0)),
    metric("dynamo_frontend_queued_requests", false, None),
    metric("dynamo_frontend_inflight_requests", false, None),
    metric(
        "dynamo_component_kvstats_gpu_cache_usage_percent",
        true,
        Some(1.0),
    ),
    metric("DCGM_FI_DEV_GPU_UTIL", false, Some(100.0)),
    metric("DCGM_FI_PROF_GR_ENGINE_ACTIVE", false, Some(1.0)),
    metric("DCGM_FI_PROF_SM_ACTIVE", false, Some(1.0)),
    metric("DCGM_FI_PROF_SM_OCCUPANCY", false, Some(1.0)),
    metric("DCGM_FI_PROF_DRAM_ACTIVE", false, Some(1.0)),
    metric("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", false, Some(1.0)),
    metric("DCGM_FI_DEV_FB_USED", false, None),
    metric("DCGM_FI_DEV_FB_FREE", false, None),
    metric("DCGM_FI_DEV_MEM_COPY_UTIL", false, Some(100.0)),
    metric("DCGM_FI_DEV_POWER_USAGE", false, None),
    metric("kueue_pending_workloads", false, None),
    metric("kueue_local_queue_pending_workloads", false, None),
    metric("kueue_admitted_active_workloads", false, None),
];

/// Renamed or deprecated metrics: (old name, what to use instead, why).
pub static DEPRECATED_METRICS: &[(&str, &str, &str)] = &[
    (
        "vllm:gpu_cache_usage_perc",
        "vllm:kv_cache_usage_perc",
        "renamed in vLLM 0.9 and no longer emitted since 0.12",
    ),
    (
        "vllm:gpu_prefix_cache_queries",
        "vllm:prefix_cache_queries",
        "renamed in vLLM 0.9",
    ),
    (
        "vllm:gpu_prefix_cache_hits",
        "vllm:prefix_cache_hits",
        "renamed in vLLM 0.9",
    ),
    (
        "vllm:time_per_output_token_seconds",
        "vllm:inter_token_latency_seconds",
        "deprecated in vLLM 0.11 and hidden since",
    ),
    (
        "vllm:num_requests_swapped",
        "vllm:num_requests_waiting",
        "a V0 engine metric, hidden since vLLM 0.8",
    ),
    (
        "vllm:cpu_cache_usage_perc",
        "vllm:kv_cache_usage_perc",
        "a V0 engine metric, hidden since vLLM 0.8",
    ),
    (
        "llamacpp:kv_cache_usage_ratio",
        "llamacpp:requests_deferred",
        "no longer emitted by current llama.cpp builds",
    ),
];

/// The known metric named exactly `name`, if any (histogram suffixes are stripped).
pub fn known(name: &str) -> Option<&'static KnownMetric> {
    let base = ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    KNOWN_METRICS
        .iter()
        .find(|m| m.name == name || m.name.strip_suffix("_bucket") == Some(base))
}

/// The known metric that `name` most likely misspells, if it is close to one and is not
/// itself a known or deprecated name.
pub fn misspelling_of(name: &str) -> Option<&'static str> {
    if name.is_empty()
        || known(name).is_some()
        || DEPRECATED_METRICS.iter().any(|(old, ..)| *old == name)
    {
        return None;
    }
    let normal = |s: &str| s.to_ascii_lowercase().replace([':', '-'], "_");
    let wanted = normal(name);
    KNOWN_METRICS
        .iter()
        .map(|m| m.name)
        .chain(DEPRECATED_METRICS.iter().map(|(_, new, _)| *new))
        .find(|candidate| {
            let other = normal(candidate);
            other == wanted || (wanted.len() > 8 && strsim::levenshtein(&other, &wanted) <= 2)
        })
}

/// Whether a selector reads a metric that only the scaled workload's own pods export.
pub fn is_pod_local(selector: &Selector) -> bool {
    if selector.name.starts_with("DCGM_") {
        return selector
            .labels
            .iter()
            .any(|l| matches!(l.as_str(), "pod" | "exported_pod"));
    }
    known(&selector.name).is_some_and(|m| m.pod_local)
        || [
            "vllm:",
            "sglang:",
            "llamacpp:",
            "tgi_",
            "nv_inference_",
            "nv_trt_llm_",
        ]
        .iter()
        .any(|prefix| selector.name.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(q: &str) -> Shape {
        Query::parse(q).parsed.unwrap().shape
    }

    #[test]
    fn shapes() {
        assert_eq!(shape_of("sum(vllm:num_requests_waiting)"), Shape::Single);
        assert!(matches!(
            shape_of("vllm:num_requests_waiting"),
            Shape::Many(_)
        ));
        assert!(matches!(shape_of("sum by (pod) (x)"), Shape::Many(_)));
        assert_eq!(shape_of("max(sum by (pod) (x))"), Shape::Single);
        assert_eq!(
            shape_of("sum(rate(x[1m])) / sum(rate(y[1m]))"),
            Shape::Single
        );
        assert_eq!(
            shape_of("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"),
            Shape::Single
        );
        assert!(matches!(shape_of("rate(x[5m])"), Shape::Many(_)));
        assert_eq!(shape_of("scalar(sum(x))"), Shape::Scalar);
        assert_eq!(shape_of("x[5m]"), Shape::Range);
        assert_eq!(shape_of("sum(x) * 2"), Shape::Single);
        assert_eq!(shape_of("topk(1, x)"), Shape::Single);
    }

    #[test]
    fn intensive_signals() {
        let of = |q: &str| Query::parse(q).parsed.unwrap().intensive;
        assert!(of("avg(vllm:kv_cache_usage_perc)").is_some());
        assert!(of("sum(rate(a[1m])) / sum(rate(b[1m]))").is_some());
        assert!(of("max(vllm:kv_cache_usage_perc{namespace=\"x\"})").is_some());
        assert!(of("sum(vllm:num_requests_waiting)").is_none());
        // A constant fallback says nothing about the signal, and a histogram's sum under
        // rate() is a throughput of seconds, not a latency.
        assert!(of("avg(vllm:kv_cache_usage_perc) or vector(0)").is_some());
        let fallback = "sum(rate(vllm:request_queue_time_seconds_sum[1m])) or vector(0)";
        assert!(of(fallback).is_none());
        assert!(of("rate(vllm:request_queue_time_seconds_sum[1m]) * 60").is_none());
        assert!(of("rate(x_seconds_sum[1m]) / rate(x_seconds_count[1m])").is_some());
    }

    #[test]
    fn bounds_are_known_only_without_arithmetic() {
        let of = |q: &str| Query::parse(q).parsed.unwrap().bound;
        assert_eq!(
            of("avg(vllm:kv_cache_usage_perc{namespace=\"x\"})"),
            Some(1.0)
        );
        assert_eq!(of("max(avg by (pod) (DCGM_FI_DEV_GPU_UTIL))"), Some(100.0));
        assert_eq!(of("vllm:kv_cache_usage_perc"), Some(1.0));
        assert_eq!(of("avg(vllm:kv_cache_usage_perc) or vector(0)"), Some(1.0));
        assert_eq!(of("avg(vllm:kv_cache_usage_perc) * 100"), None);
        assert_eq!(of("sum(vllm:kv_cache_usage_perc)"), None);
        assert_eq!(of("avg(vllm:num_requests_waiting)"), None);
    }

    #[test]
    fn the_cache_gives_what_parsing_as_written_gives() {
        let queries = [
            r#"sum(vllm:num_requests_waiting{namespace="a", pod=~"llm-.*"})"#,
            r#"sum(vllm:num_requests_waiting{namespace="b", pod=~"other-[0-9]+"})"#,
            r#"sum(x{pod=~"llm-(.*"})"#,
            r#"sum(x{pod=~"a\\.b|c{2}"})"#,
            r#"sum(x{pod=~"a\.b"})"#,
            r#"sum(x{pod="a\.b"})"#,
            r#"sum(x{pod="a\'b"})"#,
            r#"sum(x{pod='a\'b'})"#,
            r#"sum(x{pod=~`a.b`})"#,
            r#"sum(x{pod=~"llm-7b-.+", c=~".*"})"#,
            r#"sum(x{pod=~"a.**"})"#,
            r#"sum(x{pod=~"a{b}"})"#,
            r#"sum({a!="x"})"#,
            r#"sum({a="x"})"#,
            r#"sum({__name__=~"vllm:.*"})"#,
            r#"sum({__name__="vllm:num_requests_waiting"})"#,
            "sum(x) # comment {a=\"b\"}",
            r#"sum(x{a=~`raw\d+`})"#,
            r#"sum(x{a='single', b!~"neg.*"})"#,
            r#"sum(x{a="unterminated)"#,
            r#"label_replace(sum(x{pod="a"}), "dst", "$1", "src", "(.*)")"#,
            r#"sum(x{a = "spaced"}) / sum(y{b=~ "z"})"#,
        ];
        let mut cache = QueryCache::default();
        for query in queries {
            assert_eq!(
                cache.parse(query).parsed,
                Query::parse(query).parsed,
                "{query}"
            );
        }
        let mut cache = QueryCache::default();
        cache.parse(queries[0]);
        cache.parse(queries[1]);
        assert_eq!(
            cache.analyses.len(),
            1,
            "queries that differ in label values share one"
        );
    }

    #[test]
    fn parse_errors_have_positions() {
        let at = |q: &str| Query::parse(q).parsed.unwrap_err().offset;
        assert_eq!(at("sum(rate(x[5m])"), 3);
        assert_eq!(at("sum(x) by"), 7);
        assert_eq!(at("x{a=~\"b}"), 5);
        assert_eq!(at("sum(rate(x))"), 4);
    }

    #[test]
    fn misspellings_and_pod_local_metrics() {
        assert_eq!(
            misspelling_of("vllm_num_requests_waiting"),
            Some("vllm:num_requests_waiting")
        );
        assert_eq!(misspelling_of("vllm:num_requests_waiting"), None);
        assert_eq!(misspelling_of("http_requests_total"), None);
        let q = Query::parse("sum(DCGM_FI_DEV_GPU_UTIL{pod=~\"llm-.*\"})");
        assert!(is_pod_local(&q.parsed.unwrap().selectors[0]));
    }
}

//! The per-trigger checks: from what Prometheus answered for one trigger to result rows.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::stats::{Stats, expected_points, project};
use super::triggers::TriggerSpec;
use super::{CheckName, CheckResult, Status, promql};
use crate::sources::prometheus::QueryData;

/// What Prometheus answered for one trigger. Only query errors appear here; a Prometheus that
/// cannot be used ends the run before the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The instant query: its result, or Prometheus's message when it rejected the query.
    pub instant: Result<QueryData, String>,
    /// Warnings Prometheus attached to the instant query.
    pub warnings: Vec<String>,
    /// Time of the newest raw sample of each selector of the query (`None`: no sample in the
    /// last 5 minutes).
    pub newest: BTreeMap<String, Option<f64>>,
    /// The range query over the lookback window, when one was asked for.
    pub range: Option<Result<QueryData, String>>,
}

/// What every trigger's checks share.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The evaluation time, Unix seconds.
    pub now: f64,
    /// The oldest a newest sample may be before it counts as stale.
    pub max_age: Duration,
    /// The lookback window, when one was asked for.
    pub lookback: Option<Duration>,
    /// Every metric name Prometheus knows, sorted.
    pub metric_names: &'a [String],
}

/// Runs every check of one trigger.
pub fn check_trigger(
    spec: &TriggerSpec,
    observed: &Observed,
    ctx: &Context<'_>,
) -> Vec<CheckResult> {
    let mut out = Vec::new();
    out.extend(check_metrics(spec, ctx));
    let data = match &observed.instant {
        Ok(data) => data,
        Err(message) => {
            out.push(row(spec, CheckName::Query, Status::Fail, message.clone()));
            return out;
        }
    };
    out.push(check_accepted(spec, &observed.warnings));
    let current = check_series(spec, data, &mut out);
    out.extend(check_freshness(spec, &observed.newest, ctx));
    let window = observed
        .range
        .as_ref()
        .and_then(|range| check_window(spec, range, ctx, &mut out));
    out.push(check_activation(spec, current, window, ctx));
    out
}

fn row(spec: &TriggerSpec, check: CheckName, status: Status, detail: String) -> CheckResult {
    CheckResult::for_trigger(spec, check, status, detail)
}

/// Every metric the query names exists; close names are suggested when one does not. With
/// `or`, a missing metric fails only when no alternative has all of its metrics: `avg(new or
/// old)` is written for servers that export either name.
fn check_metrics(spec: &TriggerSpec, ctx: &Context<'_>) -> Option<CheckResult> {
    let parts = promql::parts(&spec.query).ok()?;
    if parts.metric_names.is_empty() {
        return Some(row(
            spec,
            CheckName::Metrics,
            Status::Warn,
            "the query names no metric: it cannot follow the load".to_string(),
        ));
    }
    let exists = |name: &String| ctx.metric_names.binary_search(name).is_ok();
    let missing: Vec<&String> = parts.metric_names.iter().filter(|n| !exists(n)).collect();
    if missing.is_empty() {
        return Some(all_exist(spec, &parts));
    }
    let usable: Vec<&promql::Alternative> = parts
        .alternatives
        .iter()
        .filter(|a| a.metric_names.iter().all(exists))
        .collect();
    let described: Vec<String> = missing
        .iter()
        .map(|name| describe_missing(name, ctx.metric_names))
        .collect();
    let Some(used) = usable.first() else {
        return Some(row(
            spec,
            CheckName::Metrics,
            Status::Fail,
            described.join("; "),
        ));
    };
    let names: Vec<&str> = used.metric_names.iter().map(String::as_str).collect();
    let missing: Vec<&str> = missing.iter().map(|n| n.as_str()).collect();
    let detail = format!(
        "{} exist{} (the `or` branch that can return data); {} do{} not, which the `or` allows",
        names.join(", "),
        if names.len() == 1 { "s" } else { "" },
        missing.join(", "),
        if missing.len() == 1 { "es" } else { "" },
    );
    Some(row(spec, CheckName::Metrics, Status::Ok, detail))
}

/// Every metric exists; old names of renamed vLLM metrics warn, unless the query also reads
/// the new name (an `or` over both releases).
fn all_exist(spec: &TriggerSpec, parts: &promql::QueryParts) -> CheckResult {
    let names: Vec<&str> = parts.metric_names.iter().map(String::as_str).collect();
    let renamed: Vec<String> = names
        .iter()
        .filter_map(|n| promql::renamed_to(n).map(|new| (n, new)))
        .filter(|(_, new)| !parts.metric_names.contains(*new))
        .map(|(n, new)| format!("{n} is renamed {new} upstream"))
        .collect();
    if !renamed.is_empty() {
        let detail = format!("{} (newer releases drop the old name)", renamed.join("; "));
        return row(spec, CheckName::Metrics, Status::Warn, detail);
    }
    let detail = format!("{} exist in Prometheus", names.join(", "));
    row(spec, CheckName::Metrics, Status::Ok, detail)
}

fn describe_missing(name: &str, existing: &[String]) -> String {
    let close = promql::suggestions(name, existing);
    if close.is_empty() {
        format!("{name} does not exist in Prometheus")
    } else {
        format!(
            "{name} does not exist in Prometheus; did you mean {}?",
            close.join(", ")
        )
    }
}

fn check_accepted(spec: &TriggerSpec, warnings: &[String]) -> CheckResult {
    if warnings.is_empty() {
        row(
            spec,
            CheckName::Query,
            Status::Ok,
            "Prometheus accepts the query".to_string(),
        )
    } else {
        let detail = format!("accepted, with warnings: {}", warnings.join("; "));
        row(spec, CheckName::Query, Status::Warn, detail)
    }
}

/// What the instant query gave KEDA to read, for the activation check.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Current {
    /// One series with a finite value.
    Value(f64),
    /// No series.
    Empty,
    /// This many series (KEDA errors).
    Several(usize),
    /// One series whose value is NaN or ±Inf.
    NonFinite(f64),
    /// A scalar, string or range vector (KEDA errors).
    WrongType(&'static str),
}

/// Exactly one series with a finite value; returns what KEDA would read.
fn check_series(spec: &TriggerSpec, data: &QueryData, out: &mut Vec<CheckResult>) -> Current {
    let samples = match data {
        QueryData::Vector(samples) => samples,
        other => {
            out.push(row(
                spec,
                CheckName::Series,
                Status::Fail,
                wrong_type(other),
            ));
            return Current::WrongType(other.type_name());
        }
    };
    match samples.len() {
        0 => {
            out.push(row(
                spec,
                CheckName::Series,
                Status::Fail,
                empty_result(spec),
            ));
            Current::Empty
        }
        1 => {
            let detail = "one series, as KEDA needs".to_string();
            out.push(row(spec, CheckName::Series, Status::Ok, detail));
            let value = samples[0].point.value;
            out.push(check_value(spec, value));
            if value.is_finite() {
                Current::Value(value)
            } else {
                Current::NonFinite(value)
            }
        }
        n => {
            let examples: Vec<String> = samples.iter().take(3).map(|s| labels(&s.labels)).collect();
            let detail = format!(
                "{n} series ({}{}): KEDA fails with \"returned multiple elements\"; aggregate \
                 them, e.g. sum(...)",
                examples.join(", "),
                if n > 3 { ", ..." } else { "" }
            );
            out.push(row(spec, CheckName::Series, Status::Fail, detail));
            Current::Several(n)
        }
    }
}

fn wrong_type(data: &QueryData) -> String {
    match data {
        QueryData::Scalar(_) => "the query returns a scalar; KEDA needs a one-element vector: \
                                 wrap it in vector(...) or aggregate with sum(...)"
            .to_string(),
        QueryData::String { .. } => {
            "the query returns a string; KEDA needs a one-element vector of numbers".to_string()
        }
        QueryData::Matrix(_) => "the query returns a range vector; KEDA needs an instant \
                                 vector: apply rate(...) or *_over_time(...) to the range"
            .to_string(),
        QueryData::Vector(_) => "the query returns a vector".to_string(),
    }
}

fn empty_result(spec: &TriggerSpec) -> String {
    let keda = if spec.ignore_null_values {
        "KEDA reads it as 0 (ignoreNullValues: true), so an outage looks like no load"
    } else {
        "KEDA reports an error (ignoreNullValues: false) and applies its fallback, if any"
    };
    format!("the query returns no series: {keda}; check the labels, or add `or vector(0)`")
}

fn check_value(spec: &TriggerSpec, value: f64) -> CheckResult {
    if !value.is_finite() {
        let keda = if spec.ignore_null_values {
            "KEDA reads it as 0 (ignoreNullValues: true)"
        } else {
            "KEDA reports an error (ignoreNullValues: false)"
        };
        let detail = format!(
            "the value is {}: {keda}; a ratio over an idle denominator? guard it with `> 0` or \
             clamp_max",
            format_value(value)
        );
        return row(spec, CheckName::Value, Status::Fail, detail).with("value", value);
    }
    let detail = match project(spec, value) {
        Some(p) => format!(
            "{} against threshold {}: the HPA would ask for {} replica(s), {} within {}..{}",
            format_value(value),
            format_value(spec.threshold),
            p.wanted,
            p.clamped,
            spec.min_replicas.max(1),
            spec.max_replicas
        ),
        None => format!(
            "{} against target {} (metricType Value: {}× the target per ready replica)",
            format_value(value),
            format_value(spec.threshold),
            format_value(value / spec.threshold)
        ),
    };
    row(spec, CheckName::Value, Status::Ok, detail).with("value", value)
}

/// The newest raw sample behind each selector is recent. With `or`, only the branches that
/// return data are judged: the other branch of `avg(new or old)` has no samples by design.
fn check_freshness(
    spec: &TriggerSpec,
    newest: &BTreeMap<String, Option<f64>>,
    ctx: &Context<'_>,
) -> Option<CheckResult> {
    if newest.is_empty() {
        return None;
    }
    let (judged, unused) = judged_selectors(&spec.query, newest);
    let limit = ctx.max_age.as_secs_f64();
    let mut stale = Vec::new();
    let mut oldest_age: f64 = 0.0;
    for (selector, time) in newest.iter().filter(|(s, _)| judged.contains(*s)) {
        match time {
            None => stale.push(format!("{selector} has no sample in the last 5m")),
            Some(time) => {
                let age = (ctx.now - time).max(0.0);
                oldest_age = oldest_age.max(age);
                if age > limit {
                    stale.push(format!(
                        "newest sample of {selector} is {} old",
                        seconds(age)
                    ));
                }
            }
        }
    }
    let unused = match unused.len() {
        0 => String::new(),
        1 => format!("; the other `or` branch ({}) has no recent data", unused[0]),
        n => format!("; {n} other `or` branches have no recent data"),
    };
    if stale.is_empty() {
        let detail = format!(
            "newest samples are at most {} old (limit {}){unused}",
            seconds(oldest_age),
            seconds(limit)
        );
        return Some(
            row(spec, CheckName::Freshness, Status::Ok, detail).with("ageSeconds", oldest_age),
        );
    }
    let detail = format!(
        "{} (limit {}): the signal is stale{unused}",
        stale.join("; "),
        seconds(limit)
    );
    Some(row(spec, CheckName::Freshness, Status::Warn, detail))
}

/// The selectors whose freshness counts, and the selectors left unjudged because they belong
/// only to `or` branches with no recent data. Without an `or` branch that has data for all of
/// its selectors, every selector counts.
fn judged_selectors(
    query: &str,
    newest: &BTreeMap<String, Option<f64>>,
) -> (BTreeSet<String>, Vec<String>) {
    let everything = || newest.keys().cloned().collect::<BTreeSet<_>>();
    let Ok(parts) = promql::parts(query) else {
        return (everything(), Vec::new());
    };
    let has_data = |s: &String| matches!(newest.get(s), Some(Some(_)));
    let live: BTreeSet<String> = parts
        .alternatives
        .iter()
        .filter(|a| !a.selectors.is_empty() && a.selectors.iter().all(has_data))
        .flat_map(|a| a.selectors.iter().cloned())
        .collect();
    if live.is_empty() {
        return (everything(), Vec::new());
    }
    let unused = parts
        .alternatives
        .iter()
        .flat_map(|a| a.selectors.iter())
        .filter(|s| !live.contains(*s) && !has_data(s))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    (live, unused)
}

/// The signal over the window, and the replicas it implies. Returns what the window showed
/// (statistics, or no data at all), or `None` when it cannot say (failed range query,
/// several series).
fn check_window(
    spec: &TriggerSpec,
    range: &Result<QueryData, String>,
    ctx: &Context<'_>,
    out: &mut Vec<CheckResult>,
) -> Option<Window> {
    let span = ctx
        .lookback
        .map_or_else(|| "the window".to_string(), |d| seconds(d.as_secs_f64()));
    let series = match range {
        Err(message) => {
            let detail = format!("the range query failed: {message}");
            out.push(row(spec, CheckName::Lookback, Status::Fail, detail));
            return None;
        }
        Ok(QueryData::Matrix(series)) => series,
        Ok(other) => {
            out.push(row(
                spec,
                CheckName::Lookback,
                Status::Fail,
                wrong_type(other),
            ));
            return None;
        }
    };
    if series.len() > 1 {
        let detail = format!("{} series over {span}: statistics need one", series.len());
        out.push(row(spec, CheckName::Lookback, Status::Warn, detail));
        return None;
    }
    let points = series.first().map_or(0, |s| s.points.len());
    let Some(stats) = series
        .first()
        .and_then(|s| Stats::of(s.points.iter().map(|p| p.value)))
    else {
        if points > 0 {
            let detail = format!(
                "no finite value over the last {span}: all {points} points are NaN or ±Inf"
            );
            out.push(row(spec, CheckName::Lookback, Status::Warn, detail));
            return Some(Window::NonFinite(span));
        }
        let detail = format!("no data over the last {span}");
        out.push(row(spec, CheckName::Lookback, Status::Warn, detail));
        return Some(Window::Empty);
    };
    let expected = ctx.lookback.map(expected_points);
    out.push(lookback_row(spec, &stats, &span, expected));
    out.push(replicas_row(spec, &stats));
    Some(Window::Stats(stats, span))
}

/// What the window showed.
#[derive(Debug, Clone)]
enum Window {
    /// No data at all over the window.
    Empty,
    /// Points, but every one NaN or ±Inf; the window's name.
    NonFinite(String),
    /// Statistics of the one series, and the window's name (e.g. `1h`).
    Stats(Stats, String),
}

/// Below this share of the window's points, the statistics describe too little of it.
const MIN_COVERAGE: f64 = 0.5;

fn lookback_row(
    spec: &TriggerSpec,
    stats: &Stats,
    span: &str,
    expected: Option<usize>,
) -> CheckResult {
    let counted = match expected {
        Some(expected) => format!("{} of {expected} points", stats.points),
        None => format!("{} points", stats.points),
    };
    let mut detail = format!(
        "over {span}: min {}, median {}, p95 {}, max {} ({counted})",
        format_value(stats.min),
        format_value(stats.median),
        format_value(stats.p95),
        format_value(stats.max),
    );
    let coverage = expected.map(|e| stats.points as f64 / e.max(1) as f64);
    let status = match coverage {
        Some(share) if share < MIN_COVERAGE => {
            detail.push_str(&format!(
                ": only {:.0}% of the window has data, so these figures describe a small part \
                 of it",
                (share * 100.0).floor()
            ));
            Status::Warn
        }
        _ => Status::Ok,
    };
    let mut result = row(spec, CheckName::Lookback, status, detail)
        .with("min", stats.min)
        .with("median", stats.median)
        .with("p95", stats.p95)
        .with("max", stats.max)
        .with("points", stats.points as f64);
    if let Some(expected) = expected {
        result = result.with("expectedPoints", expected as f64);
    }
    result
}

fn replicas_row(spec: &TriggerSpec, stats: &Stats) -> CheckResult {
    let values = [stats.min, stats.median, stats.p95, stats.max];
    let projections: Vec<_> = values.iter().filter_map(|&v| project(spec, v)).collect();
    if projections.len() != values.len() {
        let detail = format!(
            "metricType Value: the HPA multiplies the ready replicas by value/target, which \
             is {} at median and {} at p95 (bounds {}..{})",
            format_value(stats.median / spec.threshold),
            format_value(stats.p95 / spec.threshold),
            spec.min_replicas.max(1),
            spec.max_replicas
        );
        return row(spec, CheckName::Replicas, Status::Ok, detail);
    }
    let wanted: Vec<String> = projections.iter().map(|p| p.wanted.to_string()).collect();
    let bounds = format!("{}..{}", spec.min_replicas.max(1), spec.max_replicas);
    let max = u64::from(spec.max_replicas);
    let (status, verdict) = if projections[2].wanted > max {
        (
            Status::Warn,
            format!("capped by maxReplicaCount {max} more than 5% of the time"),
        )
    } else if projections[3].wanted > max {
        (
            Status::Warn,
            format!("capped by maxReplicaCount {max} at peak"),
        )
    } else {
        (Status::Ok, "within bounds".to_string())
    };
    let detail = format!(
        "the HPA would ask for {} replicas at min/median/p95/max (bounds {bounds}): {verdict}",
        wanted.join("/")
    );
    let mut result = row(spec, CheckName::Replicas, status, detail);
    for (key, p) in ["min", "median", "p95", "max"].iter().zip(&projections) {
        result = result.with(key, p.wanted as f64);
    }
    result
}

/// Scale to zero and back: is the idle value above `activationThreshold`, is the busy value
/// ever above it.
fn check_activation(
    spec: &TriggerSpec,
    current: Current,
    window: Option<Window>,
    ctx: &Context<'_>,
) -> CheckResult {
    let act = spec.activation_threshold;
    let row = |status, detail: String| row(spec, CheckName::Activation, status, detail);
    if !spec.activation_matters() {
        let detail = format!(
            "not used: minReplicaCount is {} and idleReplicaCount is unset",
            spec.min_replicas
        );
        return row(Status::Ok, detail);
    }
    match (window, current) {
        (Some(Window::Stats(stats, span)), _) => activation_over_window(spec, &stats, &span, row),
        (Some(Window::Empty), _) | (None, Current::Empty) => {
            row(Status::Warn, no_data_activation(spec))
        }
        (Some(Window::NonFinite(span)), _) => {
            let what = format!("every value over {span} is NaN or ±Inf");
            row(Status::Warn, non_finite_activation(spec, &what))
        }
        (None, Current::Several(n)) => row(
            Status::Warn,
            format!(
                "not judged: the query returns {n} series, which KEDA reports as an error; \
                 on errors it neither activates nor scales to zero"
            ),
        ),
        (None, Current::WrongType(kind)) => row(
            Status::Warn,
            format!(
                "not judged: the query returns a {kind}, which KEDA cannot read (an error); on \
                 errors it neither activates nor scales to zero"
            ),
        ),
        (None, Current::NonFinite(v)) => {
            let what = format!("the value is {} now", format_value(v));
            row(Status::Warn, non_finite_activation(spec, &what))
        }
        (None, Current::Value(_)) if ctx.lookback.is_some() => {
            row(Status::Ok, "not checked: no usable window".into())
        }
        (None, Current::Value(v)) if v > act => row(
            Status::Ok,
            format!(
                "active now ({} > activationThreshold {}); --lookback checks idle and busy",
                format_value(v),
                format_value(act)
            ),
        ),
        (None, Current::Value(v)) => row(
            Status::Ok,
            format!(
                "inactive now ({} ≤ activationThreshold {}); --lookback checks idle and busy",
                format_value(v),
                format_value(act)
            ),
        ),
    }
}

/// Activation when KEDA reads NaN or ±Inf (`what` says where): 0 or an error, by
/// `ignoreNullValues`.
fn non_finite_activation(spec: &TriggerSpec, what: &str) -> String {
    let act = spec.activation_threshold;
    if !spec.ignore_null_values {
        return format!(
            "{what}: KEDA reports an error (ignoreNullValues: false); on errors it neither \
             activates nor scales to zero"
        );
    }
    if 0.0 > act {
        format!(
            "{what}: KEDA reads 0, above activationThreshold {}, so the trigger counts as active",
            format_value(act)
        )
    } else {
        format!(
            "{what}: KEDA reads 0, which does not exceed activationThreshold {}, so the trigger \
             stays inactive (a ratio over an idle denominator?)",
            format_value(act)
        )
    }
}

fn activation_over_window(
    spec: &TriggerSpec,
    stats: &Stats,
    span: &str,
    row: impl Fn(Status, String) -> CheckResult,
) -> CheckResult {
    let act = format_value(spec.activation_threshold);
    if stats.min > spec.activation_threshold {
        let detail = format!(
            "never scales to zero: the lowest value over {span} ({}) is above \
             activationThreshold {act}",
            format_value(stats.min)
        );
        return row(Status::Warn, detail);
    }
    if stats.max <= spec.activation_threshold {
        let detail = format!(
            "never wakes: the value never exceeded activationThreshold {act} over {span} (max \
             {}; activation needs strictly more)",
            format_value(stats.max)
        );
        return row(Status::Warn, detail);
    }
    let detail = format!(
        "idle {} ≤ {act} < busy {} over {span}: scales to zero and wakes",
        format_value(stats.min),
        format_value(stats.max)
    );
    row(Status::Ok, detail)
}

fn no_data_activation(spec: &TriggerSpec) -> String {
    if spec.ignore_null_values {
        format!(
            "no data: KEDA reads 0, which never exceeds activationThreshold {}, so the workload \
             never wakes (a pod-local metric vanishes at zero replicas)",
            format_value(spec.activation_threshold)
        )
    } else {
        "no data: KEDA reports an error (ignoreNullValues: false); it neither activates nor \
         scales to zero on errors"
            .to_string()
    }
}

/// `{a="b", c="d"}`.
pub fn labels(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// A value as people read it: up to 4 decimals, no trailing zeros; NaN, +Inf, -Inf.
pub fn format_value(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Seconds as a short duration: `45s`, `4m10s`, `1h`.
pub fn seconds(secs: f64) -> String {
    let whole = Duration::from_secs(secs.round().max(0.0) as u64);
    humantime::format_duration(whole)
        .to_string()
        .replace(' ', "")
}

#[cfg(test)]
mod tests;

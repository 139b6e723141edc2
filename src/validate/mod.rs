//! `validate`'s pure core: what a ScaledObject's Prometheus triggers are, what the live data
//! says about them, and the checks that turn one into the other. No IO here: `cli::validate`
//! fetches the data through `sources` and hands it in.

pub mod checks;
pub mod cluster;
pub mod dcgm;
pub mod promql;
pub mod stats;
pub mod triggers;

use serde::Serialize;

pub use triggers::{MetricType, ObjectRef, TargetRef, TriggerSpec};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The check passed.
    Ok,
    /// Worth a look; does not fail the run.
    Warn,
    /// The check failed; the run exits 1.
    Fail,
}

impl Status {
    /// The word shown in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// Which check a result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The trigger's metadata can be checked at all (query and threshold present).
    Trigger,
    /// Prometheus accepts the query.
    Query,
    /// The query returns exactly one series.
    Series,
    /// The value is finite.
    Value,
    /// The newest sample behind the query is recent.
    Freshness,
    /// Every metric the query names exists.
    Metrics,
    /// The signal over the lookback window.
    Lookback,
    /// The replica counts the HPA would ask for over the window.
    Replicas,
    /// Scale to and from zero against `activationThreshold`.
    Activation,
    /// DCGM series for the target's pods.
    Dcgm,
    /// KEDA installed, with its external metrics APIService available.
    Keda,
    /// Kueue installed.
    Kueue,
    /// The scale target exists and requests GPUs.
    Target,
    /// The LocalQueue and ClusterQueue exist and are active.
    Queue,
}

impl CheckName {
    /// The name shown in tables (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Trigger => "trigger",
            CheckName::Query => "query",
            CheckName::Series => "series",
            CheckName::Value => "value",
            CheckName::Freshness => "freshness",
            CheckName::Metrics => "metrics",
            CheckName::Lookback => "lookback",
            CheckName::Replicas => "replicas",
            CheckName::Activation => "activation",
            CheckName::Dcgm => "dcgm",
            CheckName::Keda => "keda",
            CheckName::Kueue => "kueue",
            CheckName::Target => "target",
            CheckName::Queue => "queue",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// The object checked, `namespace/name` (or a cluster-wide subject such as `cluster`).
    pub object: String,
    /// Where the object was read, `file:line`, when it came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The trigger name (`name`, or `s<index>-prometheus` as KEDA names it), if per trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Which check.
    pub check: CheckName,
    /// The outcome.
    pub status: Status,
    /// What was found, in one sentence.
    pub detail: String,
    /// Numbers behind the detail, for scripts (e.g. `value`, `min`, `p95`).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl CheckResult {
    /// A result for `trigger` of `spec`.
    pub fn for_trigger(
        spec: &TriggerSpec,
        check: CheckName,
        status: Status,
        detail: impl Into<String>,
    ) -> Self {
        CheckResult {
            object: spec.object.key(),
            source: spec.object.source.clone(),
            trigger: Some(spec.name.clone()),
            check,
            status,
            detail: detail.into(),
            data: serde_json::Map::new(),
        }
    }

    /// A result about an object as a whole (no trigger).
    pub fn for_object(
        object: &ObjectRef,
        check: CheckName,
        status: Status,
        detail: impl Into<String>,
    ) -> Self {
        CheckResult {
            object: object.key(),
            source: object.source.clone(),
            trigger: None,
            check,
            status,
            detail: detail.into(),
            data: serde_json::Map::new(),
        }
    }

    /// Adds a number to `data` (non-finite numbers become `null`).
    pub fn with(mut self, key: &str, value: f64) -> Self {
        let value = serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, Into::into);
        self.data.insert(key.to_string(), value);
        self
    }
}

/// Counts of results by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub ok: usize,
    /// Warnings.
    pub warn: usize,
    /// Failures.
    pub fail: usize,
}

/// The whole result of a `validate` run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The Prometheus base URL used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<String>,
    /// The lookback window, e.g. `1h`, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// Every check, in object, trigger, check order.
    pub checks: Vec<CheckResult>,
    /// Counts by status.
    pub summary: Summary,
}

impl Report {
    /// Builds a report, sorting the checks and counting them.
    pub fn new(
        prometheus: Option<String>,
        lookback: Option<String>,
        checks: Vec<CheckResult>,
    ) -> Self {
        let mut summary = Summary::default();
        for check in &checks {
            match check.status {
                Status::Ok => summary.ok += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
            }
        }
        Report {
            prometheus,
            lookback,
            checks,
            summary,
        }
    }

    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.summary.fail > 0
    }
}

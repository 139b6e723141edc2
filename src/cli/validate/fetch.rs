//! The fetch step of `validate`: every request of the run in one concurrent batch (bounded by
//! the client), so that a hundred triggers cost a few round trips, not hundreds.
//!
//! A query that Prometheus rejects becomes part of the observation (a failed check); any other
//! failure means Prometheus cannot be used and ends the run (exit 4).

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::{try_join, try_join_all};

use super::plan::Plan;
use super::tagged;
use crate::exit::{ErrorKind, kinded};
use crate::sources::prometheus::{
    Prometheus, PrometheusError, QueryAnswer, QueryData, Range, Sample,
};
use crate::validate::checks::Observed;
use crate::validate::triggers::TriggerSpec;
use crate::validate::{dcgm, promql, stats};

/// Everything Prometheus said for one run.
#[derive(Debug)]
pub struct Fetched {
    /// The evaluation time of every instant query, Unix seconds.
    pub now: f64,
    /// Every metric name Prometheus knows, sorted.
    pub metric_names: Vec<String>,
    /// One observation per trigger of the plan, in the same order.
    pub observed: Vec<Observed>,
    /// The DCGM utilization series and their targets' `up` series (empty when no workload
    /// needs them), or Prometheus's message when it rejected the built-in DCGM query.
    pub dcgm: Result<Vec<Sample>, String>,
}

/// Fetches every answer the plan needs.
pub async fn fetch(
    prom: &Prometheus,
    plan: &Plan,
    lookback: Option<Duration>,
    dcgm_match: Option<&str>,
) -> anyhow::Result<Fetched> {
    let now = now_seconds();
    tracing::info!(url = %prom.url(), triggers = plan.triggers.len(), "querying Prometheus");
    // Asked first and alone: when Prometheus cannot be used, this says so in one request.
    let mut metric_names = prom.metric_names().await.map_err(tagged)?;
    metric_names.sort();

    let observations = try_join_all(
        plan.triggers
            .iter()
            .map(|spec| observe(prom, spec, now, lookback)),
    );
    let observations = async { observations.await.map_err(tagged) };
    let dcgm = dcgm_series(prom, plan, now, dcgm_match);
    let (observed, dcgm) = try_join(observations, dcgm).await?;
    Ok(Fetched {
        now,
        metric_names,
        observed,
        dcgm,
    })
}

/// The instant query, the newest sample of each selector and the lookback range of one
/// trigger, all at once.
async fn observe(
    prom: &Prometheus,
    spec: &TriggerSpec,
    now: f64,
    lookback: Option<Duration>,
) -> Result<Observed, PrometheusError> {
    let instant = async { query_outcome(prom.query(&spec.query, Some(now)).await) };
    let newest = newest_samples(prom, &spec.query, now);
    let range = async {
        match lookback {
            Some(window) => {
                let answer = prom.query_range(&spec.query, &range(now, window)).await;
                query_outcome(answer).map(|outcome| Some(outcome.map(|(data, _)| data)))
            }
            None => Ok(None),
        }
    };
    let (instant, newest, range) = futures::try_join!(instant, newest, range)?;
    let (instant, warnings) = match instant {
        Ok((data, warnings)) => (Ok(data), warnings),
        Err(message) => (Err(message), Vec::new()),
    };
    // A rejected query has nothing fresh or stale to say, and its range fails the same way.
    let rejected = instant.is_err();
    Ok(Observed {
        instant,
        warnings,
        newest: if rejected { BTreeMap::new() } else { newest },
        range: if rejected { None } else { range },
    })
}

/// A query's answer, or Prometheus's message when it rejected the query; other failures
/// stay errors.
type Outcome = Result<(QueryData, Vec<String>), String>;

fn query_outcome(answer: Result<QueryAnswer, PrometheusError>) -> Result<Outcome, PrometheusError> {
    match answer {
        Ok(answer) => Ok(Ok((answer.data, answer.warnings))),
        Err(e) if e.is_query_error() => Ok(Err(e.to_string())),
        Err(e) => Err(e),
    }
}

/// The time of the newest raw sample of each selector of `query` (`max(timestamp(sel))`).
async fn newest_samples(
    prom: &Prometheus,
    query: &str,
    now: f64,
) -> Result<BTreeMap<String, Option<f64>>, PrometheusError> {
    let Ok(parts) = promql::parts(query) else {
        // Prometheus's own verdict on the query is reported by the instant query.
        return Ok(BTreeMap::new());
    };
    let lookups = parts.selectors.into_iter().map(|selector| async move {
        let answer = prom
            .query(&format!("max(timestamp({selector}))"), Some(now))
            .await;
        match query_outcome(answer)? {
            Ok((QueryData::Vector(samples), _)) => {
                let newest = samples.first().map(|s| s.point.value);
                Ok(Some((selector, newest)))
            }
            // A selector we could not re-query is left out rather than reported as stale.
            Ok(_) | Err(_) => Ok(None),
        }
    });
    let found = try_join_all(lookups).await?;
    Ok(found.into_iter().flatten().collect())
}

/// The answer to the DCGM check's query. A rejected query is the user's when they narrowed it
/// with `--dcgm-match` (exit 2); without the flag it is the DCGM check's finding.
async fn dcgm_series(
    prom: &Prometheus,
    plan: &Plan,
    now: f64,
    extra: Option<&str>,
) -> anyhow::Result<Result<Vec<Sample>, String>> {
    if plan.workloads.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    match prom.query(&dcgm::query(extra), Some(now)).await {
        Ok(QueryAnswer {
            data: QueryData::Vector(samples),
            ..
        }) => Ok(Ok(samples)),
        Ok(_) => Ok(Ok(Vec::new())),
        Err(e) if e.is_query_error() => match extra {
            Some(matchers) => Err(kinded(
                ErrorKind::Usage,
                format!("--dcgm-match {matchers:?}: {e}"),
            )),
            None => Ok(Err(e.to_string())),
        },
        Err(e) => Err(tagged(e)),
    }
}

/// The lookback window ending at `now`, in steps of [`stats::lookback_step`].
pub fn range(now: f64, window: Duration) -> Range {
    Range {
        start: now - window.as_secs_f64(),
        end: now,
        step: stats::lookback_step(window),
    }
}

fn now_seconds() -> f64 {
    jiff::Timestamp::now().as_millisecond() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_steps_keep_the_point_count_small() {
        let r = range(10_000.0, Duration::from_secs(3600));
        assert_eq!(
            (r.start, r.end, r.step),
            (6400.0, 10_000.0, Duration::from_secs(15))
        );
        assert_eq!(
            range(100.0, Duration::from_secs(30)).step,
            Duration::from_secs(1)
        );
    }
}

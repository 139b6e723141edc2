//! The fetch step of `validate`: every request of the run in one concurrent wave (bounded by
//! the client's `--concurrency`), so that a hundred ScaledObjects cost about one round trip.
//!
//! Identical queries are asked once, whichever triggers share them, and the newest sample of
//! every selector of every query comes from a few combined queries (one `max(timestamp(..))`
//! per selector, told apart by a label), not one request per selector.
//!
//! A query that Prometheus rejects becomes part of the observation (a failed check); any other
//! failure means Prometheus cannot be used and ends the run (exit 4).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::future::try_join_all;

use super::plan::Plan;
use super::tagged;
use crate::exit::{ErrorKind, kinded};
use crate::sources::prometheus::{
    Prometheus, PrometheusError, QueryAnswer, QueryData, Range, Sample,
};
use crate::validate::checks::Observed;
use crate::validate::triggers::TriggerSpec;
use crate::validate::{dcgm, promql, stats};

/// The label that tells the selectors of a combined newest-sample query apart.
const SELECTOR_LABEL: &str = "kubectl_infer_selector";

/// The longest combined newest-sample query, in characters: URL-encoded, it stays within
/// the 8 KiB request line that common reverse proxies accept.
const MAX_COMBINED_QUERY: usize = 3000;

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

/// A query's answer, or Prometheus's message when it rejected the query; other failures
/// stay errors.
type Outcome = Result<(QueryData, Vec<String>), String>;

/// Fetches every answer the plan needs, all requests at once.
pub async fn fetch(
    prom: &Prometheus,
    plan: &Plan,
    lookback: Option<Duration>,
    dcgm_match: Option<&str>,
) -> anyhow::Result<Fetched> {
    let now = now_seconds();
    let queries: BTreeSet<&str> = plan.triggers.iter().map(|t| t.query.as_str()).collect();
    let selectors: BTreeSet<String> = queries
        .iter()
        .filter_map(|q| promql::parts(q).ok())
        .flat_map(|p| p.selectors)
        .collect();
    tracing::info!(
        url = %prom.url(),
        triggers = plan.triggers.len(),
        queries = queries.len(),
        selectors = selectors.len(),
        "querying Prometheus"
    );

    let names = async { prom.metric_names().await.map_err(tagged) };
    let work = async {
        let instants = by_query(&queries, |q| async move {
            query_outcome(prom.query(q, Some(now)).await)
        });
        let ranges = async {
            match lookback {
                Some(window) => {
                    let range = range(now, window);
                    let answers = by_query(&queries, |q| async move {
                        query_outcome(prom.query_range(q, &range).await)
                    });
                    answers.await.map(Some)
                }
                None => Ok(None),
            }
        };
        let newest = newest_samples(prom, &selectors, now);
        let prometheus = async { futures::try_join!(instants, ranges, newest).map_err(tagged) };
        futures::try_join!(prometheus, dcgm_series(prom, plan, now, dcgm_match))
    };
    // When Prometheus cannot be used, every request fails alike: the metric-name request's
    // error is the one reported, so that the message does not depend on which came first.
    let (names, work) = futures::join!(names, work);
    let mut metric_names = names?;
    metric_names.sort();
    let ((instants, ranges, newest), dcgm) = work?;

    let observed = plan
        .triggers
        .iter()
        .map(|spec| observe(spec, &instants, ranges.as_ref(), &newest))
        .collect();
    Ok(Fetched {
        now,
        metric_names,
        observed,
        dcgm,
    })
}

/// Asks `ask` once per distinct query; the outcomes by query.
async fn by_query<'q, F, Fut>(
    queries: &BTreeSet<&'q str>,
    ask: F,
) -> Result<BTreeMap<&'q str, Outcome>, PrometheusError>
where
    F: Fn(&'q str) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, PrometheusError>>,
{
    let answers = try_join_all(queries.iter().map(|&q| {
        let answer = ask(q);
        async move { Ok::<_, PrometheusError>((q, answer.await?)) }
    }));
    Ok(answers.await?.into_iter().collect())
}

/// One trigger's observation, from the answers shared by every trigger.
fn observe(
    spec: &TriggerSpec,
    instants: &BTreeMap<&str, Outcome>,
    ranges: Option<&BTreeMap<&str, Outcome>>,
    newest: &BTreeMap<String, Option<f64>>,
) -> Observed {
    let query = spec.query.as_str();
    let missing = || Err("no answer".to_string());
    let (instant, warnings) = match instants.get(query).cloned().unwrap_or_else(missing) {
        Ok((data, warnings)) => (Ok(data), warnings),
        Err(message) => (Err(message), Vec::new()),
    };
    // A rejected query has nothing fresh or stale to say, and its range fails the same way.
    if instant.is_err() {
        return Observed {
            instant,
            warnings,
            newest: BTreeMap::new(),
            range: None,
        };
    }
    let selectors = promql::parts(query)
        .map(|p| p.selectors)
        .unwrap_or_default();
    Observed {
        instant,
        warnings,
        newest: selectors
            .into_iter()
            .filter_map(|s| newest.get(&s).map(|time| (s, *time)))
            .collect(),
        range: ranges.map(|r| {
            r.get(query)
                .cloned()
                .unwrap_or_else(missing)
                .map(|(data, _)| data)
        }),
    }
}

fn query_outcome(answer: Result<QueryAnswer, PrometheusError>) -> Result<Outcome, PrometheusError> {
    match answer {
        Ok(answer) => Ok(Ok((answer.data, answer.warnings))),
        Err(e) if e.is_query_error() => Ok(Err(e.to_string())),
        Err(e) => Err(e),
    }
}

/// The time of the newest raw sample of each selector (`None`: none in the last 5 minutes),
/// from combined queries of up to [`MAX_COMBINED_QUERY`] characters. A combined query that
/// Prometheus rejects is asked again one selector at a time; a selector whose own query is
/// rejected is left out rather than reported as stale.
async fn newest_samples(
    prom: &Prometheus,
    selectors: &BTreeSet<String>,
    now: f64,
) -> Result<BTreeMap<String, Option<f64>>, PrometheusError> {
    let batches = batches(selectors);
    let found = try_join_all(batches.iter().map(|batch| async move {
        let answer = query_outcome(prom.query(&combined(batch), Some(now)).await)?;
        match answer {
            Ok((QueryData::Vector(samples), _)) => Ok(newest_of(batch, &samples)),
            Ok(_) | Err(_) => one_by_one(prom, batch, now).await,
        }
    }))
    .await?;
    Ok(found.into_iter().flatten().collect())
}

/// Selectors in groups whose combined query stays within [`MAX_COMBINED_QUERY`].
fn batches(selectors: &BTreeSet<String>) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut length = 0;
    for selector in selectors {
        let cost = newest_term(selector, 0).len() + 8;
        match out.last_mut() {
            Some(batch) if length + cost <= MAX_COMBINED_QUERY => {
                batch.push(selector);
                length += cost;
            }
            _ => {
                out.push(vec![selector]);
                length = cost;
            }
        }
    }
    out
}

/// `max(timestamp(SELECTOR))`, labelled with the selector's index in its batch.
fn newest_term(selector: &str, index: usize) -> String {
    format!(
        "label_replace(max(timestamp({selector})), \"{SELECTOR_LABEL}\", \"{index}\", \"\", \"\")"
    )
}

/// The combined query of a batch: its terms joined by `or` (their labels differ, so `or`
/// keeps every one).
fn combined(batch: &[&str]) -> String {
    batch
        .iter()
        .enumerate()
        .map(|(i, s)| newest_term(s, i))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Each selector of `batch` with the time its labelled sample carries, or `None`.
fn newest_of(batch: &[&str], samples: &[Sample]) -> Vec<(String, Option<f64>)> {
    let by_index: BTreeMap<usize, f64> = samples
        .iter()
        .filter_map(|s| {
            let index = s.labels.get(SELECTOR_LABEL)?.parse().ok()?;
            Some((index, s.point.value))
        })
        .collect();
    batch
        .iter()
        .enumerate()
        .map(|(i, s)| (s.to_string(), by_index.get(&i).copied()))
        .collect()
}

/// The newest sample of each selector, one query each.
async fn one_by_one(
    prom: &Prometheus,
    batch: &[&str],
    now: f64,
) -> Result<Vec<(String, Option<f64>)>, PrometheusError> {
    let lookups = batch.iter().map(|&selector| async move {
        let answer = prom
            .query(&format!("max(timestamp({selector}))"), Some(now))
            .await;
        match query_outcome(answer)? {
            Ok((QueryData::Vector(samples), _)) => {
                let newest = samples.first().map(|s| s.point.value);
                Ok(Some((selector.to_string(), newest)))
            }
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
    use crate::sources::prometheus::Point;

    #[test]
    fn newest_samples_are_asked_in_few_combined_queries() {
        let selectors: BTreeSet<String> = (0..100)
            .map(|i| format!("vllm:num_requests_waiting{{namespace=\"bench\",pod=\"llama-{i}\"}}"))
            .collect();
        let batches = batches(&selectors);
        assert!(
            (3..=6).contains(&batches.len()),
            "{} batches",
            batches.len()
        );
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 100);
        for batch in &batches {
            assert!(combined(batch).len() <= MAX_COMBINED_QUERY);
        }
        let two = ["a{x=\"1\"}", "b"];
        assert_eq!(
            combined(&two),
            "label_replace(max(timestamp(a{x=\"1\"})), \"kubectl_infer_selector\", \"0\", \"\", \"\") \
             or label_replace(max(timestamp(b)), \"kubectl_infer_selector\", \"1\", \"\", \"\")"
        );
        let answer = [Sample {
            labels: [(SELECTOR_LABEL.to_string(), "1".to_string())].into(),
            point: Point {
                time: 10.0,
                value: 9.5,
            },
        }];
        assert_eq!(
            newest_of(&two, &answer),
            [
                ("a{x=\"1\"}".to_string(), None),
                ("b".to_string(), Some(9.5))
            ]
        );
    }

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

//! `kubectl-infer simulate`: replays recorded traffic (a CSV or Prometheus file, or range
//! queries against a live Prometheus) through one or more ScaledObjects and compares what
//! each would have cost in GPU-hours against the time the queue stood above its target.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::cli::validate::PrometheusArgs;
use crate::cli::{GlobalArgs, OutputFormat, parse_duration};
use crate::exit::{ErrorKind, Exit, WithKind, kinded};
use crate::explain::join::external_metric_names;
use crate::render::simulate::{Chart, Replay};
use crate::simulate::{self, Options, Recording, Run};
use crate::sources::objects::{ObjectSet, kind, name_of, namespace_of};
use crate::sources::prometheus::{Prometheus, QueryData, Range};
use crate::sources::{files, probe_report};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifest files with the ScaledObjects to replay, each one policy (with the Deployments
    /// they scale, for their GPUs); - for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// The recorded traffic: CSV (a `time` column, RFC 3339 or Unix seconds, then one column
    /// per trigger named after the trigger's `name` or its metric, e.g. s0-prometheus; an
    /// empty cell is no data) or a Prometheus query_range answer (JSON, as curl prints it).
    #[arg(long, value_name = "FILE")]
    pub series: Option<PathBuf>,

    /// With --prometheus: record each trigger's query over this window before --until.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub since: Duration,

    /// With --prometheus: the end of the window (RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    pub until: Option<Timestamp>,

    /// With --prometheus: the resolution of the range queries (the HPA's sync period).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub step: Duration,

    /// Time from a replica's creation to Ready (image pull, weights, warm-up), e.g. 150s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub cold_start: Option<Duration>,

    /// Take the cold start from a report of `kubectl infer probe -o json`.
    #[arg(long, value_name = "FILE", conflicts_with = "cold_start")]
    pub probe_report: Option<PathBuf>,

    /// GPUs each replica holds (default: what the target Deployment requests, else 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=64))]
    pub gpus_per_replica: Option<i64>,

    /// Replicas at the start of the replay (default: minReplicaCount).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..))]
    pub replicas: Option<i32>,

    /// Also list each policy's scale events (every step with -o json/yaml).
    #[arg(long)]
    pub steps: bool,

    /// Write a chart of the replicas against the demand to FILE (SVG).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,

    /// The Prometheus to record from, instead of --series.
    #[command(flatten)]
    pub prometheus: PrometheusArgs,
}

/// Where the traffic comes from.
enum Traffic {
    /// One file, shared by every policy.
    File(PathBuf),
    /// Each policy's own queries, over a window.
    Prometheus(Prometheus, Range),
}

/// Runs `simulate`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let format = global.output.unwrap_or(OutputFormat::Table);
    let options = options(&args)?;
    if let Some(path) = &args.chart {
        // Before a replay that may take a while (range queries): a chart that has nowhere to
        // go fails now. Other write errors surface when it is written, after the results.
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !folder.is_dir() {
            return Err(anyhow::anyhow!(
                "--chart {}: no folder {} to write it in",
                path.display(),
                folder.display()
            ))
            .kind(ErrorKind::Usage);
        }
    }
    let traffic = traffic(&args)?;
    let (set, files) = read_policies(&args.paths)?;
    let (policies, policy_files) = policies(&set, &files, global)?;

    let recordings = record(&traffic, &set, &policies)?;
    let mut runs = policies
        .iter()
        .zip(&recordings)
        .map(|(policy, recording)| simulate::run(&set, policy, recording, &options))
        .collect::<Result<Vec<Run>, _>>()
        .kind(ErrorKind::Usage)?;
    simulate::label_policies(&mut runs, &policy_files);

    let replay = Replay {
        source: match &traffic {
            Traffic::File(path) => files::display_name(path),
            Traffic::Prometheus(client, _) => client.url().to_string(),
        },
        cold_start_seconds: options.cold_start.as_secs_f64(),
        runs: &runs,
        steps: args.steps,
    };
    let mut out = crate::render::stdout();
    crate::render::simulate::write(&mut out, &replay, format)?;
    std::io::Write::flush(&mut out).context("failed to write the simulation")?;
    // After the results, so that a chart path that cannot be written loses nothing else.
    if let Some(path) = &args.chart {
        crate::render::simulate::write_chart(path, &Chart::from(&replay)).kind(ErrorKind::Usage)?;
    }
    Ok(Exit::Success)
}

fn options(args: &Args) -> anyhow::Result<Options> {
    let cold_start = match (&args.probe_report, args.cold_start) {
        (Some(path), _) => probe_report::read_cold_start(path)?.duration(),
        (None, Some(cold_start)) => cold_start,
        (None, None) => anyhow::bail!(
            "simulate needs the cold start: --cold-start 150s, or --probe-report FILE from \
             `kubectl infer probe -o json`"
        ),
    };
    let cold_start = SignedDuration::try_from(cold_start)
        .with_context(|| format!("cold start {cold_start:?} is out of range"))?;
    Ok(Options {
        cold_start,
        gpus_per_replica: args.gpus_per_replica,
        start_replicas: args.replicas,
    })
}

fn traffic(args: &Args) -> anyhow::Result<Traffic> {
    if let Some(path) = &args.series {
        return Ok(Traffic::File(path.clone()));
    }
    let Some(client) = args.prometheus.client()? else {
        anyhow::bail!(
            "simulate needs the traffic: --series FILE (CSV or a Prometheus query_range answer), \
             or --prometheus URL to record the triggers' queries over --since"
        );
    };
    if args.step.is_zero() {
        anyhow::bail!("--step must be longer than 0s");
    }
    let end = args.until.unwrap_or_else(Timestamp::now);
    let end = end.as_millisecond() as f64 / 1000.0;
    let range = Range {
        start: end - args.since.as_secs_f64(),
        end,
        step: args.step,
    };
    Ok(Traffic::Prometheus(client, range))
}

/// Every object of every file, in one set, and the file each object came from (by position).
fn read_policies(paths: &[PathBuf]) -> anyhow::Result<(ObjectSet, Vec<String>)> {
    let mut set = ObjectSet::default();
    let mut origins = Vec::new();
    for path in paths {
        let name = files::display_name(path);
        let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES).kind(ErrorKind::Usage)?;
        let file_set = ObjectSet::from_text(&name, &text).kind(ErrorKind::Usage)?;
        for object in file_set.objects {
            set.push(object);
        }
        origins.resize(set.objects.len(), name);
    }
    Ok((set, origins))
}

/// The ScaledObjects to replay (in `-n` when given), and the file of each.
fn policies<'a>(
    set: &'a ObjectSet,
    origins: &[String],
    global: &GlobalArgs,
) -> anyhow::Result<(Vec<&'a Value>, Vec<String>)> {
    let namespace = global
        .namespace
        .as_deref()
        .filter(|_| !global.all_namespaces);
    let (policies, files): (Vec<&Value>, Vec<String>) = set
        .objects
        .iter()
        .zip(origins)
        .filter(|(o, _)| kind(o) == "ScaledObject")
        .filter(|(o, _)| namespace.is_none_or(|ns| namespace_of(o).unwrap_or("default") == ns))
        .map(|(o, file)| (o, file.clone()))
        .unzip();
    if policies.is_empty() {
        let place = namespace.map_or_else(String::new, |ns| format!(" in namespace {ns}"));
        anyhow::bail!("no ScaledObject{place} in the given files: nothing to replay");
    }
    Ok((policies, files))
}

/// One recording per policy: the same file for all, or each policy's own queries.
fn record(
    traffic: &Traffic,
    set: &ObjectSet,
    policies: &[&Value],
) -> anyhow::Result<Vec<Recording>> {
    match traffic {
        Traffic::File(path) => {
            let recording = read_series(path)?;
            Ok(vec![recording; policies.len()])
        }
        Traffic::Prometheus(client, range) => {
            crate::cli::runtime()?.block_on(record_live(client, range, set, policies))
        }
    }
}

fn read_series(path: &Path) -> anyhow::Result<Recording> {
    let name = files::display_name(path);
    let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES).kind(ErrorKind::Usage)?;
    simulate::recording::parse(&name, &text).kind(ErrorKind::Usage)
}

/// Runs every Prometheus trigger's query over the window, all at once (the client bounds
/// the concurrency); columns are named after the metrics (`s0-prometheus`).
async fn record_live(
    client: &Prometheus,
    range: &Range,
    set: &ObjectSet,
    policies: &[&Value],
) -> anyhow::Result<Vec<Recording>> {
    let queries: Vec<Vec<(String, String)>> = policies
        .iter()
        .map(|so| prometheus_queries(set, so))
        .collect();
    let all = queries.iter().flatten().map(|(metric, query)| async move {
        let points = record_query(client, range, query).await;
        (metric.clone(), points)
    });
    let mut answers = futures::future::join_all(all).await.into_iter();
    let mut recordings = Vec::with_capacity(policies.len());
    for (so, policy_queries) in policies.iter().zip(&queries) {
        let mut series = Vec::new();
        for _ in policy_queries {
            let Some((metric, points)) = answers.next() else {
                break;
            };
            series.push((
                metric.clone(),
                points.map_err(|e| query_error(so, &metric, e))?,
            ));
        }
        recordings.push(Recording::from_series_at(series, grid(range)));
    }
    if recordings.iter().all(|r| r.rows.is_empty()) {
        anyhow::bail!(
            "{}: no trigger query returned data over the window",
            client.url()
        );
    }
    Ok(recordings)
}

/// The instants a range query evaluates: from the start, every step, to the end.
fn grid(range: &Range) -> impl Iterator<Item = f64> + use<> {
    let (start, end, step) = (range.start, range.end, range.step.as_secs_f64());
    let count = ((end - start) / step).floor().max(0.0) as u64;
    (0..=count).map(move |k| start + step * k as f64)
}

/// (metric name, query) of each Prometheus trigger of the ScaledObject.
fn prometheus_queries(set: &ObjectSet, so: &Value) -> Vec<(String, String)> {
    let triggers = so
        .pointer("/spec/triggers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let metrics = external_metric_names(set, so);
    triggers
        .iter()
        .enumerate()
        .filter(|(_, t)| t["type"] == "prometheus")
        .filter_map(|(index, t)| {
            let query = t.pointer("/metadata/query")?.as_str()?.to_string();
            let prefix = format!("s{index}-");
            let metric = metrics.iter().find(|m| m.starts_with(&prefix))?.clone();
            Some((metric, query))
        })
        .collect()
}

fn query_error(so: &Value, metric: &str, error: anyhow::Error) -> anyhow::Error {
    let object = format!("{}/{}", namespace_of(so).unwrap_or("default"), name_of(so));
    error.context(format!("ScaledObject {object}: recording {metric}"))
}

/// The most points Prometheus answers per series (its limit is 11,000); longer windows are
/// asked for in pieces.
const POINTS_PER_QUERY: f64 = 10_000.0;

/// The points of one query over the window: none where it returned nothing, NaN where it
/// returned several series (KEDA fails on those at every poll).
async fn record_query(
    client: &Prometheus,
    range: &Range,
    query: &str,
) -> anyhow::Result<Vec<(f64, f64)>> {
    let step = range.step.as_secs_f64();
    let mut points = Vec::new();
    let mut start = range.start;
    while start <= range.end {
        let end = (start + step * (POINTS_PER_QUERY - 1.0)).min(range.end);
        let piece = Range {
            start,
            end,
            ..*range
        };
        let answer = client.query_range(query, &piece).await.map_err(|e| {
            let kind = e.kind();
            kinded(kind, format!("{}: {e}", client.url()))
        })?;
        match answer.data {
            QueryData::Matrix(series) if series.len() == 1 => {
                points.extend(series[0].points.iter().map(|p| (p.time, p.value)));
            }
            QueryData::Matrix(series) if series.len() > 1 => {
                tracing::warn!(
                    "{query:?} returns {} series; KEDA fails on it, replayed as a failure",
                    series.len()
                );
                let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.time));
                let mut times: Vec<f64> = times.collect();
                times.sort_by(f64::total_cmp);
                times.dedup();
                points.extend(times.into_iter().map(|t| (t, f64::NAN)));
            }
            QueryData::Matrix(_) => {}
            other => anyhow::bail!("{query:?} returns a {}, not a range", other.type_name()),
        }
        start = end + step;
    }
    Ok(points)
}

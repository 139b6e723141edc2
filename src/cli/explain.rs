//! `kubectl-infer explain`: why a ScaledObject has the replicas it has now. Reads the objects
//! (live, one LIST per kind, or `--from-file`), joins them and runs the decision engine, then
//! prints the binding cause first, with the numbers.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;

use crate::cli::{GlobalArgs, OutputFormat, parse_duration};
use crate::exit::{ErrorKind, Exit, WithKind};
use crate::explain::join::{Reading, Readings};
use crate::explain::{self, Clock, Report, Selection};
use crate::sources::cluster::{self, Cluster, Scope, snapshot};
use crate::sources::files;
use crate::sources::objects::{ObjectSet, name_of, namespace_of};
use crate::sources::prometheus::{Prometheus, PrometheusOptions, QueryData};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ScaledObject to explain; every ScaledObject in the namespace (or, with -A, in the
    /// cluster) when omitted.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Read the objects from a file (`kubectl get -o yaml` output: a List or several
    /// documents, plus ExternalMetricValueList documents from `kubectl get --raw`); - for
    /// stdin. Nothing is read from the cluster.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub from_file: Option<PathBuf>,

    /// Explain again every --interval until interrupted.
    #[arg(long, short = 'w')]
    pub watch: bool,

    /// How often --watch refreshes, e.g. 5s, 1m.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Also run each Prometheus trigger's query against this Prometheus (e.g.
    /// http://127.0.0.1:9090 through a port-forward) and show both values when they differ;
    /// an empty result shows as "no data".
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,

    /// The instant to explain as (RFC 3339), e.g. 2026-12-03T14:02:00Z. Default: now, or with
    /// --from-file the newest time recorded in the file.
    #[arg(long, value_name = "TIME")]
    pub at: Option<Timestamp>,
}

/// What to read and how to print it, resolved from the flags.
struct Plan {
    selection: Selection,
    format: OutputFormat,
    single: bool,
}

/// Runs `explain`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let format = global.output.unwrap_or(OutputFormat::Table);
    if args.watch && args.from_file.is_some() {
        return Err(crate::exit::kinded(
            ErrorKind::Usage,
            "--watch cannot be used with --from-file: a file does not change; run it again \
             after taking a new dump, or drop --from-file to watch the cluster",
        ));
    }
    if let Some(path) = &args.from_file {
        let set = read_file(path)?;
        let plan = file_plan(global, &args, format);
        let clock = match args.at {
            Some(at) => Clock::given(at, "--at"),
            None => explain::dump_time(&set)
                .unwrap_or_else(|| Clock::given(Timestamp::now(), "now: the file records no time")),
        };
        let readings = match &args.prometheus {
            Some(url) => {
                crate::cli::runtime()?.block_on(read_prometheus(url, &set, &plan, args.at))?
            }
            None => Readings::new(),
        };
        return decide_and_render(&set, &plan, &clock, &readings);
    }
    crate::cli::runtime()?.block_on(run_live(global, &args, format))
}

fn read_file(path: &std::path::Path) -> anyhow::Result<ObjectSet> {
    let name = files::display_name(path);
    let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES).kind(ErrorKind::Usage)?;
    ObjectSet::from_text(&name, &text).kind(ErrorKind::Usage)
}

fn file_plan(global: &GlobalArgs, args: &Args, format: OutputFormat) -> Plan {
    // A dump has no context namespace: without -n, look in every namespace it holds.
    let namespace = if global.all_namespaces {
        None
    } else {
        global.namespace.clone()
    };
    Plan {
        selection: Selection {
            namespace,
            name: args.name.clone(),
            file: args.from_file.as_deref().map(files::display_name),
        },
        format,
        single: args.name.is_some(),
    }
}

async fn run_live(global: &GlobalArgs, args: &Args, format: OutputFormat) -> anyhow::Result<Exit> {
    let cluster = cluster::connect(global).await?;
    let namespace = cluster.resolve_namespace(global);
    let scope = Scope::from_flags(global.all_namespaces, &namespace);
    let plan = Plan {
        selection: Selection {
            namespace: scope.namespace().map(str::to_string),
            name: args.name.clone(),
            file: None,
        },
        format,
        single: args.name.is_some(),
    };
    loop {
        let set = read_live(&cluster, &scope, &plan.selection).await?;
        let readings = match &args.prometheus {
            Some(url) => read_prometheus(url, &set, &plan, args.at).await?,
            None => Readings::new(),
        };
        let clock = match args.at {
            Some(at) => Clock::given(at, "--at"),
            None => Clock::given(Timestamp::now(), "now"),
        };
        decide_and_render(&set, &plan, &clock, &readings)?;
        if !args.watch {
            return Ok(Exit::Success);
        }
        tokio::time::sleep(args.interval).await;
    }
}

/// One snapshot, plus the external metric values of a named ScaledObject. Without a name the
/// HPA status is the source, so the number of requests stays constant.
async fn read_live(
    cluster: &Cluster,
    scope: &Scope,
    selection: &Selection,
) -> anyhow::Result<ObjectSet> {
    let mut set = snapshot::read(cluster, scope).await?;
    if selection.name.is_some() {
        let queries = metric_queries(&set, selection);
        snapshot::read_external_metrics(cluster, &queries, &mut set).await?;
    }
    Ok(set)
}

fn metric_queries(set: &ObjectSet, selection: &Selection) -> Vec<snapshot::MetricQuery> {
    let Ok(chosen) = explain::select(set, selection) else {
        return Vec::new();
    };
    chosen
        .into_iter()
        .flat_map(|so| {
            let namespace = namespace_of(so).unwrap_or_default().to_string();
            let name = name_of(so).to_string();
            explain::join::external_metric_names(set, so)
                .into_iter()
                .map(move |metric_name| snapshot::MetricQuery {
                    namespace: namespace.clone(),
                    scaled_object: name.clone(),
                    metric_name,
                })
        })
        .collect()
}

/// Runs each Prometheus trigger's query (at `at`, else Prometheus's now). A query Prometheus
/// rejects is a reading; Prometheus being unreachable ends the run (exit 4).
async fn read_prometheus(
    url: &str,
    set: &ObjectSet,
    plan: &Plan,
    at: Option<Timestamp>,
) -> anyhow::Result<Readings> {
    let client = Prometheus::new(&PrometheusOptions::new(url)).map_err(|e| {
        let kind = e.kind();
        crate::exit::kinded(kind, format!("--prometheus {url}: {e}"))
    })?;
    let queries = explain::prometheus_queries(set, &plan.selection);
    let time = at.map(|t| t.as_millisecond() as f64 / 1000.0);
    let answers =
        futures::future::join_all(queries.iter().map(|q| client.query(&q.query, time))).await;
    let mut readings = Readings::new();
    for (query, answer) in queries.into_iter().zip(answers) {
        let reading = match answer {
            Ok(answer) => reading(&answer.data),
            Err(e) if e.is_query_error() => Reading::Error(e.to_string()),
            Err(e) => {
                let kind = e.kind();
                let message = format!("failed to run {:?} on {url}: {e}", query.query);
                return Err(crate::exit::kinded(kind, message));
            }
        };
        readings.insert(query.key, reading);
    }
    Ok(readings)
}

/// A query answer as KEDA reads it: exactly one series, none, or an error. KEDA's Prometheus
/// scaler decodes the result as a list of series, so a scalar (or string) fails there.
fn reading(data: &QueryData) -> Reading {
    match data {
        QueryData::Vector(samples) if samples.is_empty() => Reading::Empty,
        QueryData::Vector(samples) if samples.len() == 1 => Reading::Value(samples[0].point.value),
        QueryData::Vector(samples) => Reading::Error(format!(
            "the query returns {} series; KEDA needs exactly one (aggregate it with sum)",
            samples.len()
        )),
        other => Reading::Error(format!(
            "the query returns a {}, which KEDA's Prometheus scaler cannot read (it expects an \
             instant vector: wrap the expression in vector(...))",
            other.type_name()
        )),
    }
}

fn decide_and_render(
    set: &ObjectSet,
    plan: &Plan,
    clock: &Clock,
    readings: &Readings,
) -> anyhow::Result<Exit> {
    let reports: Vec<Report> =
        explain::explain(set, &plan.selection, clock, readings).kind(ErrorKind::Usage)?;

    let mut out = crate::render::stdout();
    crate::render::explain::write(&mut out, &reports, plan.format, plan.single)?;
    std::io::Write::flush(&mut out).context("failed to write the explanation")?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prometheus::Point;

    #[test]
    fn a_scalar_answer_fails_as_it_does_in_keda() {
        let scalar = QueryData::Scalar(Point {
            time: 0.0,
            value: 40.0,
        });
        match reading(&scalar) {
            Reading::Error(message) => assert!(message.contains("scalar"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(reading(&QueryData::Vector(Vec::new())), Reading::Empty);
    }
}

//! `kubectl-infer validate`: run every Prometheus trigger of the given ScaledObjects against a
//! live Prometheus and say, per trigger, what a real deployment would see.
//!
//! Steps: read the cluster (with `--cluster`) and the manifests into trigger specs (plan),
//! fetch Prometheus's answers (one bounded, concurrent batch), check them (pure,
//! `crate::validate`), render, exit 1 on a failed check.

mod cluster;
mod fetch;
mod plan;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::cli::{GlobalArgs, OutputFormat, parse_duration};
use crate::exit::{ErrorKind, Exit, Kinded, kinded};
use crate::sources::prometheus::{
    self, Auth, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Prometheus, PrometheusOptions,
};
use crate::validate::checks::{self, Context as CheckContext};
use crate::validate::cluster::ClusterFacts;
use crate::validate::{self, CheckResult, Report, dcgm};

/// Environment variable holding a bearer token for Prometheus (instead of a file).
pub const TOKEN_ENV: &str = "KUBECTL_INFER_PROMETHEUS_TOKEN";
/// Environment variable holding the basic-auth password for Prometheus.
pub const PASSWORD_ENV: &str = "KUBECTL_INFER_PROMETHEUS_PASSWORD";

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifest files or folders (searched for *.yaml, *.yml, *.json), or - for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to reach Prometheus.
    #[command(flatten)]
    pub prometheus: PrometheusArgs,

    /// Also read each trigger over this window (e.g. 1h): min, median, p95, max, the replicas
    /// they imply, and whether the service scales to zero and wakes.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lookback: Option<Duration>,

    /// Label matchers that pick the DCGM exporter's series, e.g. 'job="dcgm-exporter"' or
    /// 'cluster="prod"' when one Prometheus holds several clusters.
    #[arg(long, value_name = "MATCHERS")]
    pub dcgm_match: Option<String>,

    /// Also check the cluster (kubeconfig, --context, -n/-A): KEDA and its external metrics
    /// APIService, Kueue, each target and its queues. Without PATHs, the ScaledObjects come
    /// from the cluster.
    #[arg(long)]
    pub cluster: bool,

    /// A sample older than this is stale.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    pub max_age: Duration,
}

/// The flags that reach Prometheus; other commands can flatten them into their own `Args`
/// (e.g. `explain --prometheus`).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Prometheus")]
pub struct PrometheusArgs {
    /// Prometheus base URL, e.g. http://127.0.0.1:9090 after
    /// `kubectl port-forward svc/prometheus 9090`.
    #[arg(long, value_name = "URL", env = "KUBECTL_INFER_PROMETHEUS_URL")]
    pub prometheus: Option<String>,

    /// File holding a bearer token for Prometheus (else $KUBECTL_INFER_PROMETHEUS_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub bearer_token_file: Option<PathBuf>,

    /// User for HTTP basic auth; the password comes from --basic-auth-password-file or
    /// $KUBECTL_INFER_PROMETHEUS_PASSWORD.
    #[arg(long, value_name = "USER", conflicts_with = "bearer_token_file")]
    pub basic_auth_user: Option<String>,

    /// File holding the basic-auth password.
    #[arg(long, value_name = "FILE", requires = "basic_auth_user")]
    pub basic_auth_password_file: Option<PathBuf>,

    /// Extra header for every Prometheus request, e.g. "X-Scope-OrgID: team-a" (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// PEM file of CA certificates to trust for Prometheus, besides the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// Do not verify Prometheus's TLS certificate (insecure; for test set-ups only).
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,

    /// Limit for each request to Prometheus, e.g. 5s; 0 means no limit (as for
    /// --request-timeout).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How many requests to Prometheus may run at once (1 to 1024).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY,
          value_parser = parse_concurrency)]
    pub concurrency: usize,
}

/// `--concurrency`: a whole number from 1 to [`MAX_CONCURRENCY`].
fn parse_concurrency(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is not in 1..={MAX_CONCURRENCY}"))
    }
}

impl PrometheusArgs {
    /// The client, or `None` when no `--prometheus` URL was given. Unreadable token, password
    /// or CA files and malformed headers are usage errors (exit 2).
    pub fn client(&self) -> anyhow::Result<Option<Prometheus>> {
        let Some(url) = self.prometheus.clone() else {
            return Ok(None);
        };
        let options = PrometheusOptions {
            url,
            auth: auth(self)?,
            headers: headers(&self.headers)?,
            ca_file: self.ca_file.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            timeout: self.timeout,
            concurrency: self.concurrency,
        };
        if options.insecure_skip_tls_verify {
            tracing::warn!("TLS certificate verification is off for Prometheus");
        }
        Prometheus::new(&options).map(Some).map_err(tagged)
    }
}

/// Runs `validate`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let runtime = crate::cli::runtime()?;
    let prom = connect(&args.prometheus, args.cluster)?;
    let cluster = match args.cluster {
        true => Some(runtime.block_on(cluster::read(global))?),
        false => None,
    };
    let namespace = match &cluster {
        Some((_, namespace)) => namespace.clone(),
        None => global
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string()),
    };
    let facts = cluster.map(|(facts, _)| facts);
    let plan = plan::build(&args.paths, &namespace, facts.as_ref())?;

    let fetched = match &prom {
        Some(prom) => Some(runtime.block_on(fetch::fetch(
            prom,
            &plan,
            args.lookback,
            args.dcgm_match.as_deref(),
        ))?),
        None => None,
    };

    let url = prom.as_ref().map(|p| p.url().to_string());
    let report = decide(&plan, fetched.as_ref(), facts.as_ref(), &args, url);

    let mut out = crate::render::stdout();
    let format = global.output.unwrap_or(OutputFormat::Table);
    let color = global
        .color
        .enabled(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    crate::render::validate::write(&mut out, &report, format, color)?;
    std::io::Write::flush(&mut out).context("failed to write the report")?;

    Ok(if report.failed() {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// The client `validate` needs: `--prometheus` is required unless `--cluster` is given
/// (then only the cluster is checked).
fn connect(args: &PrometheusArgs, cluster: bool) -> anyhow::Result<Option<Prometheus>> {
    let client = args.client()?;
    if client.is_none() && !cluster {
        return Err(kinded(
            ErrorKind::Usage,
            "--prometheus URL is required (e.g. `kubectl port-forward svc/prometheus 9090` \
             then --prometheus http://127.0.0.1:9090), or --cluster for the cluster checks",
        ));
    }
    Ok(client)
}

/// Tags a Prometheus error with its own kind: bad options are usage errors (2), the rest
/// mean Prometheus cannot be used (4).
pub fn tagged(error: prometheus::PrometheusError) -> anyhow::Error {
    let kind = error.kind();
    anyhow::Error::new(Kinded {
        kind,
        error: error.into(),
    })
}

/// Credentials: a token file, the token variable, or basic auth.
fn auth(args: &PrometheusArgs) -> anyhow::Result<Auth> {
    let usage = |e: prometheus::PrometheusError| kinded(ErrorKind::Usage, e);
    if let Some(path) = &args.bearer_token_file {
        return Auth::bearer_from_file(path).map_err(usage);
    }
    if let Some(username) = &args.basic_auth_user {
        let password = match &args.basic_auth_password_file {
            Some(path) => Some(prometheus::read_secret(path).map_err(usage)?),
            None => std::env::var(PASSWORD_ENV).ok(),
        };
        return Ok(Auth::Basic {
            username: username.clone(),
            password,
        });
    }
    match std::env::var(TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => Ok(Auth::Bearer(token.trim().to_string())),
        _ => Ok(Auth::None),
    }
}

/// Splits `Name: value` headers.
fn headers(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|h| {
            let (name, value) = h.split_once(':').ok_or_else(|| {
                kinded(
                    ErrorKind::Usage,
                    format!("--header {h:?}: expected \"Name: value\""),
                )
            })?;
            Ok((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// Runs the pure checks over what was fetched.
fn decide(
    plan: &plan::Plan,
    fetched: Option<&fetch::Fetched>,
    facts: Option<&ClusterFacts>,
    args: &Args,
    url: Option<String>,
) -> Report {
    let mut results: Vec<CheckResult> = plan.problems.clone();
    if let Some(fetched) = fetched {
        results.extend(prometheus_checks(plan, fetched, args));
    }
    if let Some(facts) = facts {
        results.extend(cluster_checks(plan, facts));
    }
    results.sort_by(|a, b| a.object.cmp(&b.object).then(a.trigger.cmp(&b.trigger)));
    let lookback = args.lookback.map(|d| checks::seconds(d.as_secs_f64()));
    Report::new(url, lookback, results)
}

fn prometheus_checks(plan: &plan::Plan, fetched: &fetch::Fetched, args: &Args) -> Vec<CheckResult> {
    let ctx = CheckContext {
        now: fetched.now,
        max_age: args.max_age,
        lookback: args.lookback,
        metric_names: &fetched.metric_names,
    };
    let mut results = Vec::new();
    for (spec, observed) in plan.triggers.iter().zip(&fetched.observed) {
        results.extend(checks::check_trigger(spec, observed, &ctx));
    }
    for workload in &plan.workloads {
        results.push(dcgm::check(workload, &fetched.dcgm));
    }
    results
}

fn cluster_checks(plan: &plan::Plan, facts: &ClusterFacts) -> Vec<CheckResult> {
    let firsts = plan.first_triggers();
    let uses_queues = firsts.iter().any(|spec| {
        validate::cluster::target(facts, spec)
            .is_some_and(|t| validate::cluster::queue_name(t).is_some())
    });
    let mut results = validate::cluster::cluster_checks(facts, uses_queues);
    for spec in firsts {
        results.extend(validate::cluster::object_checks(facts, spec));
    }
    results
}

//! `kubectl-infer probe`: measure GPU cold start (the local GPUs, a model's weights, a real
//! server's time to ready, the pods of a workload) and recommend the scaling settings that
//! follow from it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use crate::cli::{GlobalArgs, OutputFormat, parse_duration};
use crate::coldstart::pods::{self, PodsReport, Target};
use crate::coldstart::report::{ExecReport, ProbeReport};
use crate::coldstart::selector::Selector;
use crate::coldstart::{gpu, weights};
use crate::exit::{ErrorKind, Exit, WithKind};
use crate::render;
use crate::sources::cluster::{self, Scope, resources};
use crate::sources::exec::{self, ExecPlan, RunObserver};
use crate::sources::gpu::{GpuError, GpuLibrary, NvmlLibrary, RecordedGpu};
use crate::sources::objects::ObjectSet;
use crate::sources::{files, weights as weight_files};

/// Arguments of `probe`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "With no probe chosen, probes the local GPUs. Examples:\n  \
    kubectl infer probe --model-path /models/llama-3.1-8b\n  \
    kubectl infer probe --exec 'vllm serve meta-llama/Llama-3.1-8B' \\\n    \
    --ready-url http://127.0.0.1:8000/health --runs 3\n  \
    kubectl infer probe --deployment llama -n serving -o json > probe.json"
)]
pub struct Args {
    /// The local GPUs and the model's weights.
    #[command(flatten)]
    pub local: LocalArgs,

    /// A real server's time to ready.
    #[command(flatten)]
    pub server: Box<ServerArgs>,

    /// The pods of a workload.
    #[command(flatten)]
    pub pods: Box<PodArgs>,
}

/// The GPU and weights probes.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "GPU and weights")]
pub struct LocalArgs {
    /// Probe the local NVIDIA GPUs through NVML (also on with --model-path or --exec).
    #[arg(long)]
    pub gpu: bool,

    /// Do not probe the local GPUs.
    #[arg(long, conflicts_with_all = ["gpu", "gpu_from_file"])]
    pub no_gpu: bool,

    /// Read GPU data saved earlier (a `probe -o json` report) instead of asking NVML.
    #[arg(long, value_name = "FILE")]
    pub gpu_from_file: Option<PathBuf>,

    /// The model's folder: sums the weight files and times a cold read of them.
    #[arg(long, value_name = "DIR")]
    pub model_path: Option<PathBuf>,

    /// How much of the weights to read when timing the disk, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    pub read_sample_mib: u64,
}

/// The exec probe.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Server")]
pub struct ServerArgs {
    /// A server command to start (through `sh -c`, in its own process group) and time.
    #[arg(long, value_name = "COMMAND", requires = "ready_url")]
    pub exec: Option<String>,

    /// The URL that answers 200 once the --exec server is ready.
    #[arg(long, value_name = "URL", requires = "exec", value_parser = parse_ready_url)]
    pub ready_url: Option<reqwest::Url>,

    /// How many times to start the server (and to initialise NVML).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,

    /// How long one run may wait for the ready URL before its process group is stopped.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How often to poll the ready URL.
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = parse_duration)]
    pub poll_interval: Duration,
}

/// The pod probe.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Pods")]
pub struct PodArgs {
    /// Time the start-up of this Deployment's pods.
    #[arg(long, value_name = "NAME", conflicts_with = "selector")]
    pub deployment: Option<String>,

    /// Time the start-up of the pods that match this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Read pods and events from a file (`kubectl get pods,events -o yaml`) instead of the
    /// cluster.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
}

/// `--ready-url`: an absolute http(s) URL with a host.
fn parse_ready_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("{text:?} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "{text:?} is not an http:// or https:// URL with a host"
        ));
    }
    Ok(url)
}

/// Which probes run, resolved from the flags.
struct Plan {
    gpu: Option<GpuInput>,
    gpu_runs: u32,
    weights: Option<(PathBuf, u64)>,
    exec: Option<ExecPlan>,
    pods: Option<PodsInput>,
}

enum GpuInput {
    Nvml,
    Recorded(PathBuf),
}

struct PodsInput {
    target: Target,
    from_file: Option<PathBuf>,
}

/// Runs `probe`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let plan = plan(global, &args)?;

    let (report, failed_run) = measure(global, &plan)?;

    let mut out = render::stdout();
    let format = global.output.unwrap_or(OutputFormat::Table);
    render::probe::write(&mut out, &report, format)?;
    std::io::Write::flush(&mut out).context("failed to write the report")?;

    // A failed server run is reported with the runs before it, then ends the command (exit 2).
    match failed_run {
        Some(error) => Err(error),
        None => Ok(status(&report)),
    }
}

/// Resolves the flags into the probes to run.
fn plan(global: &GlobalArgs, args: &Args) -> anyhow::Result<Plan> {
    let pods = pods_input(&args.pods)?;
    if global.all_namespaces && pods.is_some() {
        return Err(crate::exit::kinded(
            ErrorKind::Usage,
            "the pod probe looks at one workload in one namespace: use -n, not -A",
        ));
    }
    let server = &args.server;
    let exec = server
        .exec
        .as_ref()
        .zip(server.ready_url.as_ref())
        .map(|(command, url)| ExecPlan {
            command: command.clone(),
            ready_url: url.clone(),
            runs: server.runs,
            timeout: server.timeout,
            poll_interval: server.poll_interval,
        });
    let local = &args.local;
    let weights = local
        .model_path
        .clone()
        .map(|dir| (dir, local.read_sample_mib.saturating_mul(1024 * 1024)));
    let nothing_else = pods.is_none() && exec.is_none() && weights.is_none();
    let gpu = match &local.gpu_from_file {
        Some(path) => Some(GpuInput::Recorded(path.clone())),
        None if local.no_gpu => None,
        None if local.gpu || nothing_else || exec.is_some() || weights.is_some() => {
            Some(GpuInput::Nvml)
        }
        None => None,
    };
    Ok(Plan {
        gpu,
        gpu_runs: server.runs,
        weights,
        exec,
        pods,
    })
}

/// The pod probe's target, if one was asked for.
fn pods_input(args: &PodArgs) -> anyhow::Result<Option<PodsInput>> {
    let target = match (&args.deployment, &args.selector) {
        (Some(name), _) => Target::Deployment(name.clone()),
        (None, Some(text)) => {
            Target::Selector(text.clone(), Selector::parse(text).kind(ErrorKind::Usage)?)
        }
        (None, None) if args.from_file.is_some() => Target::All,
        (None, None) => return Ok(None),
    };
    Ok(Some(PodsInput {
        target,
        from_file: args.from_file.clone(),
    }))
}

/// Runs every planned probe and derives the cold start and recommendations; also returns the
/// failure of an `--exec` run, which the report records and the command then exits on.
fn measure(
    global: &GlobalArgs,
    plan: &Plan,
) -> anyhow::Result<(ProbeReport, Option<anyhow::Error>)> {
    let mut skipped = Vec::new();
    let gpu = match &plan.gpu {
        Some(input) => probe_gpu(input, plan, &mut skipped)?,
        None => None,
    };
    let load_bandwidth = gpu.as_ref().and_then(gpu::GpuReport::load_bytes_per_second);
    let weights = match &plan.weights {
        Some((dir, sample)) => Some(weights::assess(
            weight_files::probe(dir, *sample)?,
            load_bandwidth,
        )),
        None => None,
    };
    let needs_runtime =
        plan.exec.is_some() || plan.pods.as_ref().is_some_and(|p| p.from_file.is_none());
    let runtime = needs_runtime.then(crate::cli::runtime).transpose()?;
    let (exec, failed_run) = match (&plan.exec, &runtime) {
        (Some(exec_plan), Some(rt)) => {
            let (report, failed) = probe_exec(rt, exec_plan)?;
            (Some(report), failed)
        }
        _ => (None, None),
    };
    let pods = match &plan.pods {
        Some(input) => Some(probe_pods(global, input, runtime.as_ref())?),
        None => None,
    };
    let report = ProbeReport::conclude(gpu, weights, exec, pods, skipped);
    Ok((report, failed_run))
}

/// The GPU probe; a host without the driver (or an NVML failure) is noted and skipped. The
/// note is the report's (a `Skipped:` line, `skipped` in JSON), not a log line as well.
fn probe_gpu(
    input: &GpuInput,
    plan: &Plan,
    skipped: &mut Vec<String>,
) -> anyhow::Result<Option<gpu::GpuReport>> {
    let result = match input {
        GpuInput::Nvml => NvmlLibrary.read(plan.gpu_runs),
        GpuInput::Recorded(path) => RecordedGpu::load(path)?.read(plan.gpu_runs),
    };
    match result {
        Ok(reading) => Ok(Some(gpu::assess(&reading))),
        Err(error @ (GpuError::NoDriver { .. } | GpuError::Nvml { .. })) => {
            tracing::info!("GPU probe skipped: {error}");
            skipped.push(error.to_string());
            Ok(None)
        }
    }
}

/// The exec probe, with a spinner on stderr while it waits: every run's outcome, and the
/// failure that ended the runs, if one did.
fn probe_exec(
    runtime: &tokio::runtime::Runtime,
    plan: &ExecPlan,
) -> anyhow::Result<(ExecReport, Option<anyhow::Error>)> {
    let progress = Progress::new();
    let runs = runtime.block_on(exec::measure(plan, &progress));
    progress.finish();
    let mut failure = None;
    let outcomes = runs?
        .into_iter()
        .map(|outcome| {
            outcome.map_err(|error| {
                let words = error.to_string();
                failure = Some(anyhow::Error::new(error));
                words
            })
        })
        .collect();
    let report = ExecReport::from_outcomes(&plan.command, plan.ready_url.as_str(), outcomes);
    Ok((report, failure))
}

/// The pod probe, from a file or the cluster.
fn probe_pods(
    global: &GlobalArgs,
    input: &PodsInput,
    runtime: Option<&tokio::runtime::Runtime>,
) -> anyhow::Result<PodsReport> {
    let (objects, namespace, source) = match (&input.from_file, runtime) {
        (Some(path), _) => (
            read_objects(path)?,
            global.namespace.clone(),
            files::display_name(path),
        ),
        (None, Some(rt)) => {
            let (objects, namespace, url) = rt.block_on(list_pods(global, &input.target))?;
            (objects, Some(namespace), url)
        }
        (None, None) => anyhow::bail!("internal: the pod probe needs a runtime"),
    };
    let picked = pods::pick(&objects, &input.target, namespace.as_deref(), &source)?;
    let namespace = namespace.unwrap_or_else(|| namespace_of(&picked.pods));
    let report = pods::assess(&namespace, &picked.described, &picked.pods, &picked.events);
    if !report.not_ready.is_empty() {
        tracing::warn!(
            "{} of {} pods are not ready: {}",
            report.not_ready.len(),
            report.pods.len(),
            report.not_ready.join(", ")
        );
    }
    Ok(report)
}

/// Every object of a `kubectl get -o yaml` dump.
fn read_objects(path: &std::path::Path) -> anyhow::Result<Vec<Value>> {
    let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES)?;
    let set = ObjectSet::from_text(&files::display_name(path), &text)?;
    Ok(set.objects)
}

/// The namespace the pods share (for a file without `-n`).
fn namespace_of(pods: &[k8s_openapi::api::core::v1::Pod]) -> String {
    pods.iter()
        .find_map(|p| p.metadata.namespace.clone())
        .unwrap_or_else(|| "default".to_string())
}

/// LISTs the target's pods (the Deployment's selector, or `-l`, as the LIST's labelSelector,
/// so that only its pods come back) and the namespace's Pod events, after GETting the
/// Deployment: at most three requests.
async fn list_pods(
    global: &GlobalArgs,
    target: &Target,
) -> anyhow::Result<(Vec<Value>, String, String)> {
    let cluster = cluster::connect(global).await?;
    let namespace = cluster.resolve_namespace(global);
    let scope = Scope::Namespace(namespace.clone());
    let mut objects = Vec::new();
    let labels: Option<String> = match target {
        Target::Deployment(name) => {
            let deployment = cluster
                .get(&resources::DEPLOYMENTS, Some(&namespace), name)
                .await
                .map_err(|e| e.into_anyhow())?
                .ok_or_else(|| {
                    crate::exit::kinded(
                        ErrorKind::Usage,
                        format!(
                            "deployment {namespace}/{name} not found on {}",
                            cluster.url()
                        ),
                    )
                })?;
            let selector = deployment_selector(&deployment);
            objects.push(deployment);
            selector
        }
        Target::Selector(text, _) => Some(text.clone()),
        Target::All => None,
    };
    let pods = cluster.list(&resources::PODS, &scope, labels.as_deref(), None);
    let events = cluster.list(
        &resources::EVENTS,
        &scope,
        None,
        Some("involvedObject.kind=Pod"),
    );
    let (pods, events) = futures::future::try_join(pods, events)
        .await
        .map_err(|e| e.into_anyhow())?;
    objects.extend(pods);
    objects.extend(events);
    Ok((objects, namespace, cluster.url().to_string()))
}

/// The Deployment's `spec.selector` as a labelSelector query (`None` when it has none, which
/// the API server does not allow for apps/v1).
fn deployment_selector(deployment: &Value) -> Option<String> {
    let selector = deployment.pointer("/spec/selector")?;
    let selector: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector =
        serde_json::from_value(selector.clone()).ok()?;
    let query = Selector::from_label_selector(&selector).to_query();
    (!query.is_empty()).then_some(query)
}

/// 0 when something was measured and every pod became ready; 1 when nothing could be measured
/// or some pods never became ready.
fn status(report: &ProbeReport) -> Exit {
    let nothing = report.gpu.is_none() && report.weights.is_none() && report.cold_start.is_none();
    let not_ready = report
        .pods
        .as_ref()
        .is_some_and(|p| !p.not_ready.is_empty());
    if nothing || not_ready {
        Exit::Findings
    } else {
        Exit::Success
    }
}

/// A spinner on stderr while the exec probe waits (hidden when stderr is not a terminal).
struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl RunObserver for Progress {
    fn started(&self, run: u32, runs: u32) {
        self.bar.reset_elapsed();
        self.bar.set_message(format!(
            "run {run}/{runs}: waiting for the server to answer 200"
        ));
    }

    fn ready(&self, run: u32, seconds: f64) {
        self.bar
            .suspend(|| tracing::info!("run {run}: ready after {seconds:.2}s"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_urls_must_be_http_with_a_host() {
        assert!(parse_ready_url("http://127.0.0.1:8000/health").is_ok());
        assert!(
            parse_ready_url("not a url")
                .unwrap_err()
                .contains("is not a URL")
        );
        assert!(
            parse_ready_url("ftp://host/x")
                .unwrap_err()
                .contains("http://")
        );
        assert!(parse_ready_url("unix:/run/x.sock").is_err());
    }
}

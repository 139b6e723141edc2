//! The high-level input of `generate` (one model server) as flags or spec-file keys, and its
//! validation into a [`Model`] that the builders turn into objects.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::names;
use super::preset::{self, MetricType, Preset, Presets, Signal};
use super::quantity::Quantity;
use super::timing::{self, Timing};
use crate::model::kueue::QUEUE_NAME_LABEL;

/// The Prometheus address used when none is given (the Prometheus Operator's service).
pub const DEFAULT_PROMETHEUS: &str = "http://prometheus-operated.monitoring.svc:9090";
/// The cold start assumed when none is given.
pub const DEFAULT_COLD_START: Duration = Duration::from_secs(180);
/// KEDA's longest ScaledObject name: its HPA is `keda-hpa-<name>`, at most 63 characters.
pub const MAX_NAME_LEN: usize = 54;
/// The largest count `generate` writes: replica counts are int32 in KEDA and the HPA (and the
/// quota and GPU counts are kept to the same range).
pub const MAX_COUNT: u32 = 2_147_483_647;

/// One model as written: every key optional but `name`; the same keys as the flags, in
/// camelCase (`gpusPerReplica` for `--gpus-per-replica`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSpec {
    /// Name of the Deployment and of the generated objects.
    pub name: Option<String>,
    /// Namespace of the Deployment.
    pub namespace: Option<String>,
    /// Server preset, or `custom`.
    pub server: Option<String>,
    /// The model the server loads (e.g. a Hugging Face id).
    pub model: Option<String>,
    /// GPUs per replica.
    #[serde(default, deserialize_with = "de::whole_number")]
    pub gpus_per_replica: Option<u64>,
    /// GPU product node label value (e.g. `NVIDIA-H100-80GB-HBM3`).
    pub gpu_product: Option<String>,
    /// Fewest replicas.
    #[serde(default, deserialize_with = "de::whole_number")]
    pub min: Option<u64>,
    /// Most replicas.
    #[serde(default, deserialize_with = "de::whole_number")]
    pub max: Option<u64>,
    /// Scaling signals.
    pub signal: Option<OneOrMany<Signal>>,
    /// Targets: one number (for a single signal) or `signal: number`.
    pub target: Option<Targets>,
    /// Cold start, e.g. `150s`, `3m` (a number is seconds).
    pub cold_start: Option<DurationText>,
    /// Prometheus base URL.
    pub prometheus: Option<String>,
    /// PromQL for `custom` (or an extra trigger).
    pub query: Option<String>,
    /// Metric type of `query`.
    pub metric_type: Option<MetricType>,
    /// A demand signal that exists with zero pods (required for `min: 0`).
    pub activation_query: Option<String>,
    /// Kueue LocalQueue name.
    pub queue: Option<String>,
    /// GPUs the ClusterQueue owns.
    #[serde(default, deserialize_with = "de::whole_number")]
    pub gpu_quota: Option<u64>,
    /// Kueue cohort.
    pub cohort: Option<String>,
    /// `v1beta2` (default) or `v1beta1`.
    pub kueue_api: Option<String>,
    /// Also emit a Deployment skeleton.
    pub with_deployment: Option<bool>,
    /// Container image for the Deployment.
    pub image: Option<String>,
    /// CPU request per replica (default 4 per GPU).
    pub cpu_per_replica: Option<String>,
    /// Memory request per replica (default 32Gi per GPU).
    pub memory_per_replica: Option<String>,
    /// Secret (`NAME` or `NAME:KEY`) holding a bearer token for Prometheus.
    pub auth_secret: Option<String>,
}

/// A list that may be written as a single value (signals: its Deserialize, in `de`, names
/// the valid ones).
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany<T> {
    /// One value.
    One(T),
    /// Several.
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// `target`: one number, or one per signal.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// The target of the only signal (or of the custom query).
    One(f64),
    /// Target per signal name (`custom` for the query).
    PerSignal(BTreeMap<String, f64>),
}

/// A duration as text (`150s`) or a number of seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationText {
    /// Seconds.
    Seconds(u64),
    /// Text such as `2m30s`.
    Text(String),
}

/// A spec that does not hold together, naming the key (camelCase, as in spec files; the CLI
/// maps it to its flag).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SpecError {
    /// The key at fault, e.g. `min`.
    pub key: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

fn bad(key: &'static str, message: impl Into<String>) -> SpecError {
    SpecError {
        key,
        message: message.into(),
    }
}

/// The Kueue API version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KueueApi {
    /// `kueue.x-k8s.io/v1beta2`, served and stored since Kueue 0.16.
    V1beta2,
    /// `kueue.x-k8s.io/v1beta1`, deprecated, for older clusters.
    V1beta1,
}

/// One trigger to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerPlan {
    /// The trigger's name (`queue`, `kv-cache`, `custom`, `demand`).
    pub name: String,
    /// PromQL with the selector filled in.
    pub query: String,
    /// How the HPA reads it.
    pub metric_type: MetricType,
    /// The threshold.
    pub target: f64,
    /// KEDA activation threshold, only on the demand trigger.
    pub activation_threshold: Option<f64>,
    /// Why the target is what it is, when the preset chose it (its `reason`).
    pub default_reason: Option<String>,
}

/// Kueue settings of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct KueuePlan {
    /// LocalQueue name (in the model's namespace).
    pub local_queue: String,
    /// ClusterQueue name.
    pub cluster_queue: String,
    /// ResourceFlavor name.
    pub flavor: String,
    /// GPUs the ClusterQueue owns: as given, or what its models need at their max.
    pub gpu_quota: u64,
    /// Whether `gpu_quota` was given (`--gpu-quota`, `gpuQuota`) rather than derived.
    pub quota_given: bool,
    /// Cohort, if any.
    pub cohort: Option<String>,
    /// API version.
    pub api: KueueApi,
}

/// A validated model, ready to build.
#[derive(Debug, Clone)]
pub struct Model {
    /// Deployment and object name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// The server preset (None for `custom`).
    pub preset: Option<Preset>,
    /// Model id.
    pub model: String,
    /// GPUs per replica.
    pub gpus: u32,
    /// GPU product label value.
    pub gpu_product: Option<String>,
    /// Fewest replicas.
    pub min: u32,
    /// Most replicas.
    pub max: u32,
    /// The triggers, in output order.
    pub triggers: Vec<TriggerPlan>,
    /// Windows derived from the cold start.
    pub timing: Timing,
    /// Whether the cold start was given or assumed.
    pub cold_start_source: ColdStartSource,
    /// Prometheus base URL.
    pub prometheus: String,
    /// Kueue objects, when asked for.
    pub kueue: Option<KueuePlan>,
    /// Whether to emit a Deployment.
    pub with_deployment: bool,
    /// The Deployment's image.
    pub image: Option<String>,
    /// CPU request per replica.
    pub cpu: Quantity,
    /// Memory request per replica.
    pub memory: Quantity,
    /// Bearer-token Secret (name, key).
    pub auth_secret: Option<(String, String)>,
    /// What the user should know about this model's input (one line each, for stderr).
    pub warnings: Vec<String>,
}

/// Validates one raw spec against the presets. `default_namespace` is `-n` (or `default`).
pub fn resolve(
    raw: &RawSpec,
    presets: &Presets,
    default_namespace: &str,
) -> Result<Model, SpecError> {
    let name = resolve_name(raw)?;
    let namespace = resolve_namespace(raw, default_namespace)?;
    let gpu_product = resolve_gpu_product(raw)?;
    let preset = resolve_server(raw, presets)?;
    let gpus = count("gpusPerReplica", raw.gpus_per_replica)?.unwrap_or(1);
    if gpus == 0 {
        return Err(bad("gpusPerReplica", "must be at least 1"));
    }
    let (min, max) = resolve_replicas(raw)?;
    let selector = Selector::new(&namespace, &name);
    let triggers = resolve_triggers(raw, preset.as_ref(), &selector, min)?;
    // Both factors are at most int32, so the product fits u64.
    let needed = u64::from(max) * u64::from(gpus);
    let kueue = resolve_kueue(raw, &name, &namespace, needed)?;
    let (cold_start, cold_start_source) = cold_start(raw)?;
    let timing = timing::derive(cold_start);
    let warnings = warnings(raw, &name, &triggers, &timing, kueue.as_ref());
    Ok(Model {
        model: raw.model.clone().unwrap_or_else(|| name.clone()),
        timing,
        cold_start_source,
        prometheus: resolve_prometheus(raw)?,
        with_deployment: raw.with_deployment.unwrap_or(false),
        image: raw.image.clone(),
        cpu: per_replica(
            &raw.cpu_per_replica,
            "cpuPerReplica",
            4.0 * f64::from(gpus),
            "",
        )?,
        memory: per_replica(
            &raw.memory_per_replica,
            "memoryPerReplica",
            32.0 * f64::from(gpus),
            "Gi",
        )?,
        auth_secret: raw.auth_secret.as_deref().map(split_secret).transpose()?,
        gpu_product,
        name,
        namespace,
        preset,
        gpus,
        min,
        max,
        triggers,
        kueue,
        warnings,
    })
}

/// What the user should know about valid input that `lint` would also flag (one line each):
/// an unscoped query, GPU utilization as the only signal (GPU002), a cold start the HPA's
/// policy period cannot cover (CLD003), Kueue's deprecated v1beta1 (KUE011).
fn warnings(
    raw: &RawSpec,
    name: &str,
    triggers: &[TriggerPlan],
    timing: &Timing,
    kueue: Option<&KueuePlan>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(query) = &raw.query
        && !preset::is_scoped(query)
    {
        warnings.push(format!(
            "{name}: the query has no {} (or {}), so it is not scoped to the model's pods: it \
             reads the metric of every pod and namespace that exports it; write it as e.g. \
             sum(my_metric{{{}}})",
            preset::SELECTOR,
            preset::EXPORTED_SELECTOR,
            preset::SELECTOR
        ));
    }
    let sizing = triggers.iter().filter(|t| t.name != DEMAND_TRIGGER);
    if sizing.clone().count() > 0 && sizing.clone().all(|t| t.name == Signal::GpuUtil.name()) {
        warnings.push(format!(
            "{name}: GPU utilization is the only scaling signal: it shows that kernels run, not \
             how much work waits, so a saturated server with a growing queue looks the same as \
             a busy one (lint: GPU002); add --signal queue"
        ));
    }
    let period = timing
        .scale_up
        .policies
        .iter()
        .map(|p| p.period_seconds)
        .max()
        .unwrap_or(0);
    if period < timing.cold_start_seconds {
        warnings.push(format!(
            "{name}: the {} cold start is longer than the {}s scale-up policy period, the HPA's \
             limit: a second wave of replicas can start before the first is ready (lint: \
             CLD003, which no setting can fix); shorten the cold start (cached weights, \
             pre-pulled images) or keep --max low",
            timing::short(timing.cold_start_seconds),
            period
        ));
    }
    if kueue.is_some_and(|k| k.api == KueueApi::V1beta1) {
        warnings.push(format!(
            "{name}: Kueue's v1beta1 API is deprecated (v1beta2 is served since Kueue 0.15 and \
             stored since 0.16, and v1beta1 will be removed): use --kueue-api v1beta1 only for \
             clusters older than 0.15 (lint: KUE011)"
        ));
    }
    warnings
}

/// Where a model's cold start came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColdStartSource {
    /// Given (`--cold-start`, `coldStart`).
    Given,
    /// Not given: [`DEFAULT_COLD_START`] was assumed (`generate` warns).
    Assumed,
}

/// The cold start: the one place that decides where it comes from (today `coldStart`; a
/// probe report is the next source), defaulting to [`DEFAULT_COLD_START`].
pub fn cold_start(raw: &RawSpec) -> Result<(Duration, ColdStartSource), SpecError> {
    match &raw.cold_start {
        None => Ok((DEFAULT_COLD_START, ColdStartSource::Assumed)),
        Some(DurationText::Seconds(s)) => Ok((Duration::from_secs(*s), ColdStartSource::Given)),
        Some(DurationText::Text(text)) => crate::cli::parse_duration(text)
            .map(|d| (d, ColdStartSource::Given))
            .map_err(|e| bad("coldStart", e)),
    }
}

fn resolve_name(raw: &RawSpec) -> Result<String, SpecError> {
    let Some(name) = raw.name.clone() else {
        return Err(bad("name", "a name is required (--name)"));
    };
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !valid {
        return Err(bad(
            "name",
            format!(
                "{name:?} is not a valid name: lower-case letters, digits and '-', at most \
                 {MAX_NAME_LEN} characters (KEDA names its HPA keda-hpa-<name>)"
            ),
        ));
    }
    Ok(name)
}

/// The namespace goes into every query's matchers and names the LocalQueue's namespace.
fn resolve_namespace(raw: &RawSpec, default_namespace: &str) -> Result<String, SpecError> {
    let namespace = raw.namespace.as_deref().unwrap_or(default_namespace);
    if !names::is_dns1123_label(namespace) {
        return Err(bad(
            "namespace",
            format!(
                "{namespace:?} is not a valid namespace: a DNS-1123 label (lower-case letters, \
                 digits and '-', starting and ending with a letter or digit, at most 63)"
            ),
        ));
    }
    Ok(namespace.to_string())
}

/// The GPU product is a node label value (the Deployment's nodeSelector, the flavor's
/// nodeLabels).
fn resolve_gpu_product(raw: &RawSpec) -> Result<Option<String>, SpecError> {
    match raw.gpu_product.as_deref() {
        Some(product) if !names::is_label_value(product) => Err(bad(
            "gpuProduct",
            format!(
                "{product:?} is not a valid label value (of nvidia.com/gpu.product): letters, \
                 digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63"
            ),
        )),
        other => Ok(other.map(str::to_string)),
    }
}

fn resolve_server(raw: &RawSpec, presets: &Presets) -> Result<Option<Preset>, SpecError> {
    let server = raw.server.as_deref().unwrap_or("vllm");
    if server == "custom" {
        return Ok(None);
    }
    match presets.get(server) {
        Some(preset) => Ok(Some(preset.clone())),
        None => Err(bad(
            "server",
            format!(
                "unknown server {server:?} (known: {}, custom)",
                presets.names().join(", ")
            ),
        )),
    }
}

/// A count as given, refused above [`MAX_COUNT`]: KEDA's and the HPA's replica fields are
/// int32, and a larger value would be cut or wrap on the way.
fn count(key: &'static str, value: Option<u64>) -> Result<Option<u32>, SpecError> {
    let Some(value) = value else {
        return Ok(None);
    };
    match u32::try_from(value) {
        Ok(v) if v <= MAX_COUNT => Ok(Some(v)),
        _ => Err(bad(key, count_too_large(value))),
    }
}

/// Why a count above [`MAX_COUNT`] is refused (`value` as written).
pub fn count_too_large(value: impl std::fmt::Display) -> String {
    format!("{value} is more than {MAX_COUNT}, the largest count KEDA and the HPA take (int32)")
}

fn resolve_replicas(raw: &RawSpec) -> Result<(u32, u32), SpecError> {
    let min = count("min", raw.min)?.unwrap_or(1);
    let max = count("max", raw.max)?.unwrap_or(min.max(4));
    if max == 0 {
        return Err(bad("max", "must be at least 1"));
    }
    if min > max {
        return Err(bad("min", format!("min {min} is greater than max {max}")));
    }
    Ok((min, max))
}

/// The label matchers that scope a query to the model's pods.
struct Selector {
    direct: String,
    exported: String,
}

impl Selector {
    fn new(namespace: &str, name: &str) -> Selector {
        let pods = pod_pattern(name);
        Selector {
            direct: format!("namespace=\"{namespace}\",pod=~\"{pods}\""),
            exported: format!("exported_namespace=\"{namespace}\",exported_pod=~\"{pods}\""),
        }
    }

    fn fill(&self, query: &str) -> String {
        query
            .replace("${selector}", &self.direct)
            .replace("${exported_selector}", &self.exported)
            .trim()
            .to_string()
    }
}

/// The longest pod name prefix that the API server keeps from a `generateName`: it appends
/// five random characters and names are at most 63.
const MAX_GENERATE_NAME_PREFIX: usize = 58;
/// The longest pod-template hash in a ReplicaSet's name (a 32-bit number, safe-encoded).
const MAX_POD_TEMPLATE_HASH: usize = 10;

/// The regular expression (anchored, as PromQL's `=~` is) for the pods of Deployment `name`.
///
/// Its ReplicaSet is `name-<hash>` and the pods are generated from `name-<hash>-`, so they are
/// `name-<hash>-<5 random>`: two segments after `name-`, which a Deployment whose name only
/// starts with `name-` (`name-big`, pods `name-big-<hash>-<random>`) never has. When the
/// prefix is longer than 58 characters the API server cuts it to 58 first, which can drop the
/// last `-` (and part of the hash): for names longer than 46 characters a pod can also be
/// `name-` and one segment of exactly `62 - len(name)` characters, which the pattern then
/// also matches. Known limit: when `name-big` is itself long enough for its pods to be cut,
/// they can look like `name-big-<one segment>`, which no pattern on the name alone tells
/// apart from `name-<hash>-<random>`.
fn pod_pattern(name: &str) -> String {
    let two_segments = format!("{name}-[a-z0-9]+-[a-z0-9]+");
    let longest_prefix = name.len() + 1 + MAX_POD_TEMPLATE_HASH + 1;
    if longest_prefix <= MAX_GENERATE_NAME_PREFIX {
        return two_segments;
    }
    let one_segment = MAX_GENERATE_NAME_PREFIX + 5 - (name.len() + 1);
    format!("{two_segments}|{name}-[a-z0-9]{{{one_segment}}}")
}

fn resolve_triggers(
    raw: &RawSpec,
    preset: Option<&Preset>,
    selector: &Selector,
    min: u32,
) -> Result<Vec<TriggerPlan>, SpecError> {
    let signals = resolve_signals(raw, preset)?;
    let targets = resolve_targets(raw, &signals)?;
    let mut triggers = Vec::new();
    for signal in &signals {
        let Some(preset) = preset else { break };
        let Some(sp) = preset.signals.get(signal) else {
            let available: Vec<&str> = preset.signals.keys().map(|s| s.name()).collect();
            return Err(bad(
                "signal",
                format!(
                    "server {} has no {} signal (available: {})",
                    preset.server,
                    signal.name(),
                    available.join(", ")
                ),
            ));
        };
        let given = targets.get(signal.name()).copied();
        let target = given.unwrap_or(sp.target);
        if let Some(problem) = preset::range_problem(target, sp.range) {
            return Err(bad(
                "target",
                format!("target {target} for {} {problem}", signal.name()),
            ));
        }
        triggers.push(TriggerPlan {
            name: signal.name().to_string(),
            query: selector.fill(&sp.query),
            metric_type: sp.metric_type,
            target,
            activation_threshold: None,
            default_reason: given.is_none().then(|| sp.reason.clone()),
        });
    }
    if let Some(query) = &raw.query {
        let target = targets
            .get("custom")
            .copied()
            .ok_or_else(|| bad("target", "--query needs a --target (per replica)"))?;
        let query = selector.fill(query);
        check_one_series("query", &query)?;
        triggers.push(TriggerPlan {
            name: "custom".to_string(),
            query,
            metric_type: raw.metric_type.unwrap_or(MetricType::AverageValue),
            target,
            activation_threshold: None,
            default_reason: None,
        });
    }
    add_activation(raw, &mut triggers, min)?;
    Ok(triggers)
}

fn resolve_signals(raw: &RawSpec, preset: Option<&Preset>) -> Result<Vec<Signal>, SpecError> {
    let mut signals = raw
        .signal
        .as_ref()
        .map(OneOrMany::to_vec)
        .unwrap_or_default();
    if preset.is_none() {
        if raw.query.is_none() {
            return Err(bad(
                "query",
                "--server custom needs --query PROMQL and --target",
            ));
        }
        if !signals.is_empty() {
            return Err(bad(
                "signal",
                "--server custom has no preset signals: scale on --query instead",
            ));
        }
    } else if signals.is_empty() && raw.query.is_none() {
        signals.push(Signal::Queue);
    }
    let mut seen = Vec::new();
    signals.retain(|s| {
        let first = !seen.contains(s);
        seen.push(*s);
        first
    });
    Ok(signals)
}

fn resolve_targets(raw: &RawSpec, signals: &[Signal]) -> Result<BTreeMap<String, f64>, SpecError> {
    let mut names: Vec<&str> = signals.iter().map(|s| s.name()).collect();
    if raw.query.is_some() {
        names.push("custom");
    }
    let targets = match &raw.target {
        None => BTreeMap::new(),
        Some(Targets::One(value)) if names.len() == 1 => {
            BTreeMap::from([(names[0].to_string(), *value)])
        }
        Some(Targets::One(_)) => {
            return Err(bad(
                "target",
                format!(
                    "one target for {} triggers: give each as SIGNAL=VALUE ({})",
                    names.len(),
                    names.join(", ")
                ),
            ));
        }
        Some(Targets::PerSignal(map)) => map.clone(),
    };
    for (name, value) in &targets {
        if !names.contains(&name.as_str()) {
            return Err(bad(
                "target",
                format!(
                    "target for {name:?}, which is not a signal here ({})",
                    names.join(", ")
                ),
            ));
        }
        if let Some(problem) = preset::target_problem(*value) {
            // 1e30 as written, not as thirty-one digits.
            let shown = if value.abs() >= 1e15 {
                format!("{value:e}")
            } else {
                format!("{value}")
            };
            return Err(bad(
                "target",
                format!("target {shown} for {name} {problem}"),
            ));
        }
    }
    Ok(targets)
}

/// Scale to zero needs a signal that exists when no pod runs: the pod-local metrics vanish
/// with the last pod, so KEDA would never see demand again.
fn add_activation(
    raw: &RawSpec,
    triggers: &mut Vec<TriggerPlan>,
    min: u32,
) -> Result<(), SpecError> {
    let Some(query) = &raw.activation_query else {
        if min == 0 {
            let names: Vec<&str> = triggers.iter().map(|t| t.name.as_str()).collect();
            return Err(bad(
                "min",
                format!(
                    "--min 0 would never wake up: the metrics of {} come from the server's own \
                     pods, so with zero replicas the query is empty and KEDA never activates; \
                     give --activation-query PROMQL with a demand signal that exists without \
                     pods (e.g. a gateway's request rate), or use --min 1",
                    names.join(", "),
                ),
            ));
        }
        return Ok(());
    };
    // Not wrapped in anything with min ≥ 1, and only in `(...) or vector(0)` with min 0: a
    // query of several series fails in KEDA like any other trigger's.
    check_one_series("activationQuery", query)?;
    triggers.push(TriggerPlan {
        name: DEMAND_TRIGGER.to_string(),
        query: query.trim().to_string(),
        metric_type: MetricType::AverageValue,
        target: DEMAND_THRESHOLD,
        activation_threshold: Some(0.0),
        default_reason: None,
    });
    Ok(())
}

/// KEDA's Prometheus scaler needs exactly one sample: the query must aggregate.
fn check_one_series(key: &'static str, query: &str) -> Result<(), SpecError> {
    preset::one_series(query).map_err(|message| bad(key, message))
}

/// The name of the trigger that `--activation-query` adds.
pub const DEMAND_TRIGGER: &str = "demand";

/// The demand trigger's HPA threshold: far above any real value, so that the HPA proposes at
/// most one replica from it and it acts only as KEDA's activation (0 → 1) signal.
pub const DEMAND_THRESHOLD: f64 = 1_000_000.0;

fn resolve_kueue(
    raw: &RawSpec,
    name: &str,
    namespace: &str,
    needed: u64,
) -> Result<Option<KueuePlan>, SpecError> {
    let api = match raw.kueue_api.as_deref() {
        None | Some("v1beta2") => KueueApi::V1beta2,
        Some("v1beta1") => KueueApi::V1beta1,
        Some(other) => {
            return Err(bad(
                "kueueApi",
                format!("unknown Kueue API version {other:?} (v1beta2 or v1beta1)"),
            ));
        }
    };
    let wanted = raw.queue.is_some() || raw.gpu_quota.is_some() || raw.cohort.is_some();
    if !wanted {
        return Ok(None);
    }
    let local_queue = raw.queue.clone().unwrap_or_else(|| name.to_string());
    // The LocalQueue's name is also the value of the queue-name label, which Kueue requires
    // to be a DNS-1123 subdomain: a label value, so at most 63 characters.
    if !(local_queue.len() <= 63 && names::is_dns1123_subdomain(&local_queue)) {
        return Err(bad(
            "queue",
            format!(
                "{local_queue:?} is not a valid LocalQueue name: a DNS-1123 subdomain \
                 (lower-case letters, digits, '-' and '.', starting and ending with a letter or \
                 digit) of at most 63 characters, as the {QUEUE_NAME_LABEL} label needs"
            ),
        ));
    }
    if let Some(cohort) = raw.cohort.as_deref()
        && !names::is_dns1123_subdomain(cohort)
    {
        return Err(bad(
            "cohort",
            format!(
                "{cohort:?} is not a valid cohort name: a DNS-1123 subdomain (lower-case \
                 letters, digits, '-' and '.', starting and ending with a letter or digit, at \
                 most 253)"
            ),
        ));
    }
    let flavor = raw
        .gpu_product
        .as_deref()
        .map(slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "gpu".to_string());
    Ok(Some(KueuePlan {
        cluster_queue: format!("{namespace}-{local_queue}"),
        local_queue,
        flavor,
        gpu_quota: count("gpuQuota", raw.gpu_quota)?.map_or(needed, u64::from),
        quota_given: raw.gpu_quota.is_some(),
        cohort: raw.cohort.clone(),
        api,
    }))
}

/// A DNS-1123 name from a GPU product label (`NVIDIA-H100-80GB-HBM3` → `nvidia-h100-80gb-hbm3`).
fn slug(text: &str) -> String {
    let lower: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = lower.split('-').filter(|p| !p.is_empty()).collect();
    let mut joined = parts.join("-");
    joined.truncate(63);
    joined.trim_end_matches('-').to_string()
}

fn resolve_prometheus(raw: &RawSpec) -> Result<String, SpecError> {
    let url = raw.prometheus.as_deref().unwrap_or(DEFAULT_PROMETHEUS);
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(bad(
            "prometheus",
            format!("{url:?} is not an http:// or https:// URL"),
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn per_replica(
    given: &Option<String>,
    key: &'static str,
    default: f64,
    unit: &str,
) -> Result<Quantity, SpecError> {
    let text = given.clone().unwrap_or_else(|| format!("{default}{unit}"));
    Quantity::parse(&text).map_err(|e| bad(key, e))
}

fn split_secret(text: &str) -> Result<(String, String), SpecError> {
    let (name, key) = text.split_once(':').unwrap_or((text, "token"));
    if name.is_empty() || key.is_empty() {
        return Err(bad(
            "authSecret",
            format!("{text:?} is not NAME or NAME:KEY of a Secret"),
        ));
    }
    Ok((name.to_string(), key.to_string()))
}

mod de;
#[cfg(test)]
mod tests;

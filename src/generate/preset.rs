//! Server presets: what `templates/<server>.yaml` says about a model server (image, ports,
//! health path, arguments, and per signal the metric names, query shape, metric type and
//! default target with its reason). Built in from `templates/`, overridable with
//! `--templates DIR`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::manifest::{LoadError, load_str};

/// The built-in preset files: (server, file name, text).
const BUILTIN: &[(&str, &str)] = &[
    ("common", include_str!("../../templates/common.yaml")),
    ("vllm", include_str!("../../templates/vllm.yaml")),
    ("tgi", include_str!("../../templates/tgi.yaml")),
    ("triton", include_str!("../../templates/triton.yaml")),
    ("sglang", include_str!("../../templates/sglang.yaml")),
    ("nim", include_str!("../../templates/nim.yaml")),
    ("llamacpp", include_str!("../../templates/llamacpp.yaml")),
];

/// The servers with a built-in preset, in the order `--help` lists them.
pub const SERVERS: &[&str] = &["vllm", "tgi", "triton", "sglang", "nim", "llamacpp"];

/// The scaling signals a preset can define.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    clap::ValueEnum,
    serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// Requests waiting for a batch slot (extensive: AverageValue per replica).
    Queue,
    /// KV-cache fraction in use (intensive: Value).
    KvCache,
    /// Requests in the running batch (extensive: AverageValue per replica).
    Running,
    /// GPU engine activity from DCGM (intensive: Value).
    GpuUtil,
    /// Time to first token, 90th percentile (intensive: Value).
    Ttft,
}

impl Signal {
    /// The name used in flags, templates and trigger names.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Queue => "queue",
            Signal::KvCache => "kv-cache",
            Signal::Running => "running",
            Signal::GpuUtil => "gpu-util",
            Signal::Ttft => "ttft",
        }
    }

    /// Every signal, in the order `--help` lists them.
    pub const ALL: [Signal; 5] = [
        Signal::Queue,
        Signal::KvCache,
        Signal::Running,
        Signal::GpuUtil,
        Signal::Ttft,
    ];

    /// Parses a signal name as written in flags and spec files.
    pub fn parse(name: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The placeholder that `generate` replaces with the namespace and pod matchers.
pub const SELECTOR: &str = "${selector}";
/// The same matchers on `exported_namespace`/`exported_pod` (DCGM behind a ServiceMonitor).
pub const EXPORTED_SELECTOR: &str = "${exported_selector}";

/// Whether a query template is scoped to the model's pods (holds a selector placeholder).
pub fn is_scoped(query: &str) -> bool {
    query.contains(SELECTOR) || query.contains(EXPORTED_SELECTOR)
}

/// KEDA's Prometheus scaler needs exactly one sample: why `query` does not give one, if not.
pub fn one_series(query: &str) -> Result<(), String> {
    use crate::lint::promql::{Query, Shape};
    let analysis = Query::parse(query)
        .parsed
        .map_err(|e| format!("not valid PromQL: {}", e.message))?;
    match analysis.shape {
        Shape::Single => Ok(()),
        Shape::Many(why) => Err(format!(
            "{why}; KEDA needs exactly one series: wrap it in sum(...) or avg(...)"
        )),
        Shape::Scalar => Err(
            "returns a scalar, which KEDA cannot read: return a one-series vector (e.g. \
             vector(...))"
                .to_string(),
        ),
        Shape::Range | Shape::Text => {
            Err("does not return an instant vector: aggregate a rate() or a selector".to_string())
        }
    }
}

/// The smallest target: KEDA sends the threshold to the HPA in milli-units, and below 0.0005
/// it rounds to 0, which the API server rejects.
pub const MIN_TARGET: f64 = 0.0005;

/// The largest target, rounded down: KEDA hands the threshold to the HPA as an int64 count of
/// milli-units, which overflows above about 9.2e15.
pub const MAX_TARGET: f64 = 9e15;

/// Why `value` cannot be a trigger's threshold, if it cannot ("must be …").
pub fn target_problem(value: f64) -> Option<String> {
    if !value.is_finite() || value < MIN_TARGET {
        return Some(format!("must be a number of at least {MIN_TARGET}"));
    }
    if value > MAX_TARGET {
        return Some(format!(
            "must be at most {MAX_TARGET:e}: KEDA passes thresholds to the HPA as int64 \
             milli-units, which overflow above that"
        ));
    }
    None
}

/// Why `value` cannot be the target of a signal whose metric stays within `range`, if not.
pub fn range_problem(value: f64, range: Option<[f64; 2]>) -> Option<String> {
    let [low, high] = range?;
    if (low..=high).contains(&value) {
        return None;
    }
    let fraction = low == 0.0 && high == 1.0;
    let percent = value.fract() == 0.0 && (2.0..=100.0).contains(&value);
    let hint = if fraction && percent {
        format!(
            ": the metric is a fraction, so write {} for {value}%",
            value / 100.0
        )
    } else if fraction {
        ": the metric is a fraction (0.8 means 80%)".to_string()
    } else {
        String::new()
    };
    Some(format!(
        "is outside the metric's range {low} to {high}{hint}"
    ))
}

/// How the HPA compares a metric with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
pub enum MetricType {
    /// The query's value divided by the replica count is compared with the target (for
    /// extensive quantities: queue length, running requests).
    #[value(name = "AverageValue", alias = "average-value")]
    #[serde(alias = "average-value")]
    AverageValue,
    /// The query's value is compared with the target as is (for intensive quantities:
    /// fractions, latencies).
    #[value(name = "Value", alias = "value")]
    #[serde(alias = "value")]
    Value,
}

impl MetricType {
    /// The spelling KEDA uses.
    pub fn name(self) -> &'static str {
        match self {
            MetricType::AverageValue => "AverageValue",
            MetricType::Value => "Value",
        }
    }
}

/// One signal of a preset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignalPreset {
    /// The metric names the query reads; for a renamed metric the current name comes first.
    pub metrics: Vec<String>,
    /// PromQL with `${selector}` (and `${exported_selector}`) placeholders; aggregates to one
    /// series.
    pub query: String,
    /// AverageValue for extensive signals, Value for intensive ones.
    pub metric_type: MetricType,
    /// The default per-replica (AverageValue) or absolute (Value) target.
    pub target: f64,
    /// The values the metric can take, `[low, high]`, when bounded (`[0, 1]` for fractions):
    /// a target outside can never be reached.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Why that target.
    pub reason: String,
}

/// One server's preset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preset {
    /// The server name (`vllm`, …); matches the file name.
    pub server: String,
    /// The container image for `--with-deployment`.
    pub image: String,
    /// The serving port.
    pub port: u16,
    /// The metrics port, when not the serving port.
    #[serde(default)]
    pub metrics_port: Option<u16>,
    /// Where the metrics are served.
    pub metrics_path: String,
    /// The readiness path for the startup and readiness probes.
    pub health_path: String,
    /// The container command, when the image's entrypoint is not the server.
    #[serde(default)]
    pub command: Vec<String>,
    /// Arguments; `${model}` is replaced.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra arguments when a replica has more than one GPU; `${gpus}` is replaced.
    #[serde(default)]
    pub multi_gpu_args: Vec<String>,
    /// Environment variables; `${model}` is replaced.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The signals this server exposes.
    pub signals: BTreeMap<Signal, SignalPreset>,
}

/// `common.yaml`: signals every server shares.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    signals: BTreeMap<Signal, SignalPreset>,
}

/// All presets, by server name.
#[derive(Debug, Clone, Default)]
pub struct Presets {
    servers: BTreeMap<String, Preset>,
}

/// A template file as read from disk: its name for messages and its text.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// The server name (file stem), e.g. `vllm`, or `common`.
    pub server: String,
    /// The path, for messages.
    pub path: String,
    /// The YAML text.
    pub text: String,
}

impl Presets {
    /// The built-in presets from `templates/`.
    pub fn builtin() -> Result<Presets, LoadError> {
        let files: Vec<TemplateFile> = BUILTIN
            .iter()
            .map(|(server, text)| TemplateFile {
                server: server.to_string(),
                path: format!("templates/{server}.yaml"),
                text: text.to_string(),
            })
            .collect();
        Presets::from_files(&files)
    }

    /// The built-in presets with `overrides` (from `--templates DIR`) replacing the files of
    /// the same name; a file for a new server name adds a preset.
    pub fn with_overrides(overrides: &[TemplateFile]) -> Result<Presets, LoadError> {
        let mut files: BTreeMap<String, TemplateFile> = BUILTIN
            .iter()
            .map(|(server, text)| {
                let file = TemplateFile {
                    server: server.to_string(),
                    path: format!("templates/{server}.yaml"),
                    text: text.to_string(),
                };
                (server.to_string(), file)
            })
            .collect();
        for file in overrides {
            files.insert(file.server.clone(), file.clone());
        }
        Presets::from_files(&files.into_values().collect::<Vec<_>>())
    }

    fn from_files(files: &[TemplateFile]) -> Result<Presets, LoadError> {
        let mut common = Common::default();
        let mut servers = BTreeMap::new();
        for file in files {
            let Some(doc) = load_str(&file.path, &file.text)?.into_iter().next() else {
                continue;
            };
            if file.server == "common" {
                common = doc.parse()?;
                check_signals(&common.signals, file, &doc)?;
            } else {
                let preset: Preset = doc.parse()?;
                check_server_name(&preset, file, &doc)?;
                check_signals(&preset.signals, file, &doc)?;
                servers.insert(preset.server.clone(), preset);
            }
        }
        for preset in servers.values_mut() {
            for (signal, shared) in &common.signals {
                preset
                    .signals
                    .entry(*signal)
                    .or_insert_with(|| shared.clone());
            }
        }
        Ok(Presets { servers })
    }

    /// The preset for a server, if any.
    pub fn get(&self, server: &str) -> Option<&Preset> {
        self.servers.get(server)
    }

    /// Every server with a preset, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.servers.keys().map(String::as_str).collect()
    }
}

/// Every signal's query is scoped to the model's pods and returns one series, and its target
/// is one KEDA can use: checked when the file is read, so a bad `--templates` file is named
/// before anything is generated from it.
fn check_signals(
    signals: &BTreeMap<Signal, SignalPreset>,
    file: &TemplateFile,
    doc: &crate::model::manifest::Document,
) -> Result<(), LoadError> {
    for (signal, preset) in signals {
        let at = |field: &str, message: String| LoadError {
            file: file.path.clone(),
            pos: Some(
                doc.pos(&format!("/signals/{}/{field}", signal.name()))
                    .value,
            ),
            message: format!("signals.{}.{field}: {message}", signal.name()),
        };
        if !is_scoped(&preset.query) {
            return Err(at(
                "query",
                format!(
                    "has no {SELECTOR} (or {EXPORTED_SELECTOR}), so it would read every pod's \
                     metric, not the model's"
                ),
            ));
        }
        let filled = preset
            .query
            .replace(SELECTOR, "namespace=\"ns\",pod=~\"pods\"")
            .replace(
                EXPORTED_SELECTOR,
                "exported_namespace=\"ns\",exported_pod=~\"pods\"",
            );
        one_series(&filled).map_err(|message| at("query", message))?;
        if let Some(problem) =
            target_problem(preset.target).or_else(|| range_problem(preset.target, preset.range))
        {
            return Err(at("target", format!("{} {problem}", preset.target)));
        }
        if let Some([low, high]) = preset.range
            && !(low.is_finite() && high.is_finite() && low < high)
        {
            return Err(at(
                "range",
                format!("[{low}, {high}] is not a range [low, high]"),
            ));
        }
    }
    Ok(())
}

fn check_server_name(
    preset: &Preset,
    file: &TemplateFile,
    doc: &crate::model::manifest::Document,
) -> Result<(), LoadError> {
    if preset.server == file.server {
        return Ok(());
    }
    Err(LoadError {
        file: file.path.clone(),
        pos: Some(doc.pos("/server").value),
        message: format!(
            "server {:?} does not match the file name ({}.yaml)",
            preset.server, file.server
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_server_has_a_preset_with_a_queue_signal() {
        let presets = Presets::builtin().unwrap();
        assert_eq!(presets.names().len(), SERVERS.len());
        for server in SERVERS {
            let preset = presets.get(server).unwrap();
            let queue = &preset.signals[&Signal::Queue];
            assert_eq!(queue.metric_type, MetricType::AverageValue, "{server}");
            assert!(queue.query.starts_with("sum("), "{server}: {}", queue.query);
            assert!(queue.query.contains("${selector}"), "{server}");
            assert!(preset.signals.contains_key(&Signal::GpuUtil), "{server}");
        }
    }

    #[test]
    fn vllm_reads_both_kv_cache_names() {
        let presets = Presets::builtin().unwrap();
        let kv = &presets.get("vllm").unwrap().signals[&Signal::KvCache];
        assert_eq!(
            kv.metrics,
            ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"]
        );
        assert!(kv.query.contains("vllm:gpu_cache_usage_perc{${selector}}"));
        assert_eq!(kv.metric_type, MetricType::Value);
    }

    #[test]
    fn overrides_replace_a_preset_and_bad_keys_name_the_line() {
        let text = include_str!("../../templates/tgi.yaml").replace("target: 5", "target: 9");
        let file = TemplateFile {
            server: "tgi".into(),
            path: "mine/tgi.yaml".into(),
            text,
        };
        let presets = Presets::with_overrides(std::slice::from_ref(&file)).unwrap();
        assert_eq!(
            presets.get("tgi").unwrap().signals[&Signal::Queue].target,
            9.0
        );
        let bad = TemplateFile {
            text: file.text.replace("healthPath:", "healthPaht:"),
            ..file
        };
        let err = Presets::with_overrides(&[bad]).unwrap_err().to_string();
        assert!(err.starts_with("mine/tgi.yaml:8:1: "), "{err}");
        assert!(err.contains("healthPaht"), "{err}");
    }
}

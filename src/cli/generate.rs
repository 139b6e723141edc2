//! `kubectl-infer generate`: KEDA and Kueue manifests (and optionally a Deployment) from flags
//! or a spec file, with windows derived from the GPU cold start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::{ErrorKind, Exit, WithKind, kinded};
use crate::generate::build::{self, Manifest, Output};
use crate::generate::preset::{MetricType, Presets, Signal, TemplateFile};
use crate::generate::spec::{self, DurationText, Model, OneOrMany, RawSpec, SpecError, Targets};
use crate::generate::{names, shared};
use crate::model::manifest::{Document, load_str};
use crate::render::manifests::{self, NamedObject};
use crate::sources::{files, probe_report};

/// The read-only ClusterRole that `--rbac` prints.
pub const RBAC: &str = include_str!("../../templates/rbac/kubectl-infer-reader.yaml");

/// Arguments of `generate`. Model flags and `--spec` are exclusive.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(
    after_help = "Example:\n  kubectl infer generate --name llama -n serving --server vllm \\\n    \
    --model meta-llama/Llama-3.1-8B-Instruct --min 1 --max 8 --cold-start 2m \\\n    \
    --queue team-a --gpu-quota 8 --gpu-product NVIDIA-H100-80GB-HBM3"
)]
pub struct Args {
    /// A YAML spec file with one model (the flags' keys in camelCase) or `models: [...]`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub spec: Option<PathBuf>,
    /// Also emit a Deployment skeleton (GPU limits, probes, queue-name label).
    #[arg(long, help_heading = "Output")]
    pub with_deployment: bool,
    /// Write one file per object into DIR instead of stdout.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out_dir: Option<PathBuf>,
    /// A folder of preset files (SERVER.yaml) that replace or add to the built-in ones.
    #[arg(long, value_name = "DIR", help_heading = "Input")]
    pub templates: Option<PathBuf>,
    /// Print the read-only ClusterRole (and a binding example) that explain, validate and
    /// probe need, and exit.
    #[arg(long, help_heading = "Output")]
    pub rbac: bool,
    /// The model's flags (boxed: they are many, and clap keeps every command's arguments in
    /// one enum).
    #[command(flatten)]
    pub model: Box<ModelFlags>,
}

/// The model flags of `generate`: the same keys as a spec file.
///
/// Value flags take values that start with '-' (`--cold-start -5s`, `--target -1`), so that
/// generate's own checks refuse them in one line naming the flag, rather than clap reading
/// them as unknown flags. Counts are text for the same reason: generate parses them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ModelFlags {
    /// Name of the Deployment to scale and of the generated objects.
    #[arg(long, help_heading = "Model", allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Server preset: vllm, tgi, triton, sglang, nim, llamacpp, or custom (with --query).
    #[arg(
        long,
        value_name = "SERVER",
        help_heading = "Model",
        allow_hyphen_values = true
    )]
    pub server: Option<String>,
    /// The model the server loads (e.g. meta-llama/Llama-3.1-8B-Instruct).
    #[arg(long, help_heading = "Model")]
    pub model: Option<String>,
    /// GPUs per replica (default 1).
    #[arg(
        long,
        value_name = "N",
        help_heading = "Model",
        allow_negative_numbers = true
    )]
    pub gpus_per_replica: Option<String>,
    /// GPU product node label value (nvidia.com/gpu.product), e.g. NVIDIA-H100-80GB-HBM3.
    #[arg(
        long,
        value_name = "PRODUCT",
        help_heading = "Model",
        allow_hyphen_values = true
    )]
    pub gpu_product: Option<String>,
    /// Container image for --with-deployment (default: the preset's).
    #[arg(long, help_heading = "Model")]
    pub image: Option<String>,
    /// CPU request per replica (default 4 per GPU).
    #[arg(
        long,
        value_name = "QUANTITY",
        help_heading = "Model",
        allow_hyphen_values = true
    )]
    pub cpu_per_replica: Option<String>,
    /// Memory request per replica (default 32Gi per GPU).
    #[arg(
        long,
        value_name = "QUANTITY",
        help_heading = "Model",
        allow_hyphen_values = true
    )]
    pub memory_per_replica: Option<String>,
    /// Fewest replicas (default 1; 0 needs --activation-query).
    #[arg(
        long,
        value_name = "N",
        help_heading = "Scaling",
        allow_negative_numbers = true
    )]
    pub min: Option<String>,
    /// Most replicas (default 4, or --min if larger).
    #[arg(
        long,
        value_name = "N",
        help_heading = "Scaling",
        allow_negative_numbers = true
    )]
    pub max: Option<String>,
    /// Scaling signal; repeat for several triggers (default: queue).
    #[arg(long, value_enum, value_name = "SIGNAL", help_heading = "Scaling")]
    pub signal: Vec<Signal>,
    /// Target: a number for the only signal, or SIGNAL=NUMBER (custom=NUMBER for --query).
    #[arg(
        long,
        value_name = "TARGET",
        help_heading = "Scaling",
        allow_negative_numbers = true
    )]
    pub target: Vec<String>,
    /// Time for a new replica to become ready (node, image, weights, warm-up), e.g. 150s, 3m.
    #[arg(
        long,
        value_name = "DURATION",
        help_heading = "Scaling",
        allow_hyphen_values = true
    )]
    pub cold_start: Option<String>,
    /// A `probe -o json` report whose measured cold start stands in for --cold-start.
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Scaling",
        conflicts_with = "cold_start"
    )]
    pub probe_report: Option<PathBuf>,
    /// Prometheus base URL that KEDA queries.
    #[arg(
        long,
        value_name = "URL",
        help_heading = "Scaling",
        allow_hyphen_values = true
    )]
    pub prometheus: Option<String>,
    /// PromQL for --server custom (or an extra trigger); must aggregate to one series.
    #[arg(
        long,
        value_name = "PROMQL",
        help_heading = "Scaling",
        allow_hyphen_values = true
    )]
    pub query: Option<String>,
    /// How the HPA reads --query: AverageValue (per replica) or Value.
    #[arg(long, value_enum, value_name = "TYPE", help_heading = "Scaling")]
    pub metric_type: Option<MetricType>,
    /// A demand signal that exists with no pods (e.g. a gateway's request rate); needed for
    /// --min 0.
    #[arg(
        long,
        value_name = "PROMQL",
        help_heading = "Scaling",
        allow_hyphen_values = true
    )]
    pub activation_query: Option<String>,
    /// Secret NAME or NAME:KEY with a bearer token for Prometheus (a TriggerAuthentication).
    #[arg(
        long,
        value_name = "SECRET",
        help_heading = "Scaling",
        allow_hyphen_values = true
    )]
    pub auth_secret: Option<String>,
    /// Kueue LocalQueue name (also emits ResourceFlavor and ClusterQueue).
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Kueue",
        allow_hyphen_values = true
    )]
    pub queue: Option<String>,
    /// GPUs the ClusterQueue owns (default: max × GPUs per replica).
    #[arg(
        long,
        value_name = "N",
        help_heading = "Kueue",
        allow_negative_numbers = true
    )]
    pub gpu_quota: Option<String>,
    /// Kueue cohort to borrow from and lend to.
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Kueue",
        allow_hyphen_values = true
    )]
    pub cohort: Option<String>,
    /// Kueue API version: v1beta2 (default) or v1beta1.
    #[arg(
        long,
        value_name = "VERSION",
        help_heading = "Kueue",
        allow_hyphen_values = true
    )]
    pub kueue_api: Option<String>,
}

/// Runs `generate`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let json = wants_json(global)?;
    if args.rbac {
        return print_rbac(json);
    }

    check_out_dir(args.out_dir.as_deref())?;
    let presets = load_presets(args.templates.as_deref())?;
    let models = resolve_models(global, &args, &presets)?;
    models.iter().for_each(log_choices);

    let output = build::build(&models);

    for warning in &output.warnings {
        tracing::warn!("{warning}");
    }
    write_output(&args, json, &output)?;
    Ok(Exit::Success)
}

/// Why the defaults are what they are: the presets' targets with `-v`, every cold-start
/// setting with `-vv`.
fn log_choices(model: &Model) {
    for trigger in &model.triggers {
        if let Some(reason) = &trigger.default_reason {
            tracing::info!(
                "{}: {} target {} (the preset's default): {reason}",
                model.name,
                trigger.name,
                trigger.target
            );
        }
    }
    let written = |setting: &str| match setting {
        "spec.pollingInterval" | "spec.cooldownPeriod" | "spec.initialCooldownPeriod" => {
            model.min == 0
        }
        s if s.starts_with("startupProbe.") => model.with_deployment,
        s if s.starts_with("kueue ") => model.kueue.is_some(),
        _ => true,
    };
    for setting in model.timing.reasons() {
        if !written(&setting.setting) {
            continue;
        }
        tracing::debug!(
            "{}: {} = {}: {}",
            model.name,
            setting.setting,
            setting.value,
            setting.reason
        );
    }
}

/// `--out-dir` names a folder, or a path where one can be made.
fn check_out_dir(dir: Option<&Path>) -> anyhow::Result<()> {
    match dir {
        Some(dir) if dir.exists() && !dir.is_dir() => Err(kinded(
            ErrorKind::Usage,
            format!("--out-dir {}: is a file, not a folder", dir.display()),
        )),
        _ => Ok(()),
    }
}

/// `-o json` or YAML (the default); a table means nothing for manifests.
fn wants_json(global: &GlobalArgs) -> anyhow::Result<bool> {
    match global.output {
        None | Some(OutputFormat::Yaml) => Ok(false),
        Some(OutputFormat::Json) => Ok(true),
        Some(OutputFormat::Table) => Err(kinded(
            ErrorKind::Usage,
            "generate writes manifests: use -o yaml (the default) or -o json, not -o table",
        )),
    }
}

fn print_rbac(json: bool) -> anyhow::Result<Exit> {
    let mut out = crate::render::stdout();
    if json {
        let docs = load_str("templates/rbac/kubectl-infer-reader.yaml", RBAC)?;
        let values: Vec<_> = docs.iter().map(|d| d.value.to_json()).collect();
        manifests::write_json_list(&mut out, &values)?;
    } else {
        use std::io::Write;
        out.write_all(RBAC.as_bytes())
            .context("failed to write YAML")?;
        out.flush().context("failed to write YAML")?;
    }
    Ok(Exit::Success)
}

fn load_presets(dir: Option<&Path>) -> anyhow::Result<Presets> {
    let Some(dir) = dir else {
        return Presets::builtin().kind(ErrorKind::Usage);
    };
    let files = read_templates(dir)
        .with_context(|| format!("failed to read --templates folder {}", dir.display()))
        .kind(ErrorKind::Usage)?;
    Presets::with_overrides(&files).kind(ErrorKind::Usage)
}

fn read_templates(dir: &Path) -> anyhow::Result<Vec<TemplateFile>> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => anyhow::bail!("not a folder"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!("no such folder"),
        Err(e) => return Err(e.into()),
    }
    let mut templates = Vec::new();
    for path in crate::sources::walk::manifest_files(dir)? {
        if path.parent() != Some(dir) {
            continue;
        }
        let Some(server) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        templates.push(TemplateFile {
            server: server.to_string(),
            path: path.display().to_string(),
            text: files::read_text(&path, files::DEFAULT_MAX_FILE_BYTES)?,
        });
    }
    Ok(templates)
}

fn resolve_models(
    global: &GlobalArgs,
    args: &Args,
    presets: &Presets,
) -> anyhow::Result<Vec<Model>> {
    let namespace = global.namespace.as_deref().unwrap_or("default");
    let flags = raw_from_flags(args).kind(ErrorKind::Usage)?;
    let Some(path) = &args.spec else {
        let model = spec::resolve(&flags, presets, namespace)
            .map_err(|e| flag_error(&e))
            .kind(ErrorKind::Usage)?;
        let mut models = vec![model];
        shared::reconcile(&mut models)
            .map_err(|e| flag_error(&e.error))
            .kind(ErrorKind::Usage)?;
        return Ok(models);
    };
    let mut flags = flags;
    let with_deployment = flags.with_deployment.take();
    if flags != RawSpec::default() {
        return Err(kinded(
            ErrorKind::Usage,
            "--spec and model flags cannot be combined: put every model key in the spec file",
        ));
    }
    let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES).kind(ErrorKind::Usage)?;
    let name = files::display_name(path);
    let defaults = SpecDefaults {
        namespace,
        with_deployment,
    };
    models_from_spec(&name, &text, presets, &defaults).kind(ErrorKind::Usage)
}

/// The flags as a raw spec, so that flags and spec files share one validation.
fn raw_from_flags(args: &Args) -> anyhow::Result<RawSpec> {
    let with_deployment = args.with_deployment.then_some(true);
    let args = &args.model;
    Ok(RawSpec {
        name: args.name.clone(),
        namespace: None,
        server: args.server.clone(),
        model: args.model.clone(),
        gpus_per_replica: whole_number("gpus-per-replica", &args.gpus_per_replica)?,
        gpu_product: args.gpu_product.clone(),
        min: whole_number("min", &args.min)?,
        max: whole_number("max", &args.max)?,
        signal: (!args.signal.is_empty()).then(|| OneOrMany::Many(args.signal.clone())),
        target: parse_targets(&args.target)?,
        cold_start: match &args.probe_report {
            Some(path) => {
                let measured = probe_report::read_cold_start(path)?.duration();
                Some(DurationText::Text(format!("{}ms", measured.as_millis())))
            }
            None => args.cold_start.clone().map(DurationText::Text),
        },
        prometheus: args.prometheus.clone(),
        query: args.query.clone(),
        metric_type: args.metric_type,
        activation_query: args.activation_query.clone(),
        queue: args.queue.clone(),
        gpu_quota: whole_number("gpu-quota", &args.gpu_quota)?,
        cohort: args.cohort.clone(),
        kueue_api: args.kueue_api.clone(),
        with_deployment,
        image: args.image.clone(),
        cpu_per_replica: args.cpu_per_replica.clone(),
        memory_per_replica: args.memory_per_replica.clone(),
        auth_secret: args.auth_secret.clone(),
    })
}

/// A count flag: digits only (a sign or a fraction is refused here, one line naming the flag);
/// the range is checked with the spec keys in `spec::resolve`.
fn whole_number(flag: &str, text: &Option<String>) -> anyhow::Result<Option<u64>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        anyhow::bail!("invalid --{flag} {text:?}: not a whole number ≥ 0");
    }
    digits
        .parse()
        .map(Some)
        .map_err(|_| anyhow::anyhow!("invalid --{flag}: {}", spec::count_too_large(digits)))
}

/// `--target 5` or `--target queue=5 --target kv-cache=0.9`.
fn parse_targets(texts: &[String]) -> anyhow::Result<Option<Targets>> {
    let number = |text: &str| {
        text.trim()
            .parse::<f64>()
            .with_context(|| format!("invalid --target {text:?}: not a number"))
    };
    match texts {
        [] => Ok(None),
        [one] if !one.contains('=') => Ok(Some(Targets::One(number(one)?))),
        many => {
            let mut map = BTreeMap::new();
            for text in many {
                let Some((signal, value)) = text.split_once('=') else {
                    anyhow::bail!("invalid --target {text:?}: with several, write SIGNAL=NUMBER");
                };
                map.insert(signal.trim().to_string(), number(value)?);
            }
            Ok(Some(Targets::PerSignal(map)))
        }
    }
}

fn flag_error(error: &SpecError) -> anyhow::Error {
    anyhow::anyhow!("invalid --{}: {}", kebab(error.key), error.message)
}

/// `gpusPerReplica` → `gpus-per-replica`.
fn kebab(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What flags contribute to the models of a spec file.
struct SpecDefaults<'a> {
    /// `-n`, for models without a namespace.
    namespace: &'a str,
    /// `--with-deployment`, for models that do not say.
    with_deployment: Option<bool>,
}

/// Reads a spec file: each YAML document is one model, or `models:` with a list of them.
fn models_from_spec(
    file: &str,
    text: &str,
    presets: &Presets,
    defaults: &SpecDefaults<'_>,
) -> anyhow::Result<Vec<Model>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Many {
        models: Vec<RawSpec>,
    }
    let docs = load_str(file, text)?;
    let mut models = Vec::new();
    // Where each model was written (its document and JSON pointer), for later errors.
    let mut places: Vec<(&Document, String)> = Vec::new();
    for doc in &docs {
        if !doc.value.is_object() {
            anyhow::bail!(
                "{}:{}: a spec document is one model (name: …, server: …) or models: with a \
                 list of them, not {}{}",
                doc.file,
                doc.start(),
                kind_of(&doc.value),
                if doc.value.is_array() {
                    ": put the list under models:"
                } else {
                    ""
                }
            );
        }
        let entries: Vec<(String, RawSpec)> = if doc.value.get("models").is_some() {
            let many: Many = doc.parse()?;
            let pointers = (0..many.models.len()).map(|i| format!("/models/{i}"));
            pointers.zip(many.models).collect()
        } else {
            vec![(String::new(), doc.parse::<RawSpec>()?)]
        };
        for (base, mut raw) in entries {
            raw.with_deployment = raw.with_deployment.or(defaults.with_deployment);
            let model = spec::resolve(&raw, presets, defaults.namespace)
                .map_err(|e| spec_error(doc, &base, &e))?;
            models.push(model);
            places.push((doc, base));
        }
    }
    if models.is_empty() {
        anyhow::bail!("{file}: no model in the spec file");
    }
    shared::reconcile(&mut models).map_err(|e| match places.get(e.index) {
        Some((doc, base)) => spec_error(doc, base, &e.error),
        None => anyhow::anyhow!("{file}: {}", e.error),
    })?;
    Ok(models)
}

/// What a YAML value is, as a user would say it.
fn kind_of(value: &crate::model::value::Value) -> &'static str {
    use crate::model::value::Value;
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn spec_error(doc: &Document, base: &str, error: &SpecError) -> anyhow::Error {
    let pos = doc.pos(&format!("{base}/{}", error.key)).key;
    anyhow::anyhow!("{}:{pos}: {}: {}", doc.file, error.key, error.message)
}

fn write_output(args: &Args, json: bool, output: &Output) -> anyhow::Result<()> {
    let values: Vec<_> = output.manifests.iter().map(|m| m.value.clone()).collect();
    let Some(dir) = &args.out_dir else {
        let mut out = crate::render::stdout();
        return if json {
            manifests::write_json_list(&mut out, &values)
        } else {
            manifests::write_yaml_stream(&mut out, &values)
        };
    };
    let named: Vec<NamedObject> = output
        .manifests
        .iter()
        .enumerate()
        .map(|(i, m)| NamedObject {
            file_name: file_name(i, m, json),
            value: m.value.clone(),
        })
        .collect();
    let written = manifests::write_dir(dir, &named, json).kind(ErrorKind::Usage)?;
    // `kubectl apply -f DIR` applies every file in name order: an object left from an
    // earlier run would be applied too, and after the current ones of the same kind.
    let removed = manifests::remove_other_files(dir, &written, is_generated_file_name)
        .kind(ErrorKind::Usage)?;
    for path in &removed {
        tracing::warn!(
            "removed {}: an earlier run wrote it and this one does not",
            path.display()
        );
    }
    let mut out = crate::render::stdout();
    for path in written {
        use std::io::Write;
        writeln!(out, "{}", path.display()).context("failed to write to stdout")?;
    }
    Ok(())
}

/// `01-clusterqueue-serving-team-a.yaml`: the number keeps `kubectl apply -f DIR` in order.
fn file_name(index: usize, manifest: &Manifest, json: bool) -> String {
    let ext = if json { "json" } else { "yaml" };
    let kind = manifest.kind.to_ascii_lowercase();
    format!("{:02}-{kind}-{}.{ext}", index + 1, manifest.name)
}

/// Whether a file name is one [`file_name`] makes, for one of the kinds generate writes;
/// `--out-dir` removes such files that a run no longer writes, and leaves all others alone.
fn is_generated_file_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".json"))
    else {
        return false;
    };
    let Some((number, rest)) = stem.split_once('-') else {
        return false;
    };
    let Some((kind, object)) = rest.split_once('-') else {
        return false;
    };
    number.len() >= 2
        && number.bytes().all(|b| b.is_ascii_digit())
        && build::KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind))
        && kind.bytes().all(|b| b.is_ascii_lowercase())
        && names::is_dns1123_subdomain(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_file_names_count_as_generated() {
        for ours in [
            "01-resourceflavor-nvidia-h100-80gb-hbm3.yaml",
            "02-clusterqueue-serving-team-a.json",
            "05-scaledobject-llama.yaml",
            "104-deployment-a.b.yaml",
        ] {
            assert!(is_generated_file_name(ours), "{ours}");
        }
        for other in [
            "kustomization.yaml",
            "01-configmap-x.yaml",
            "1-scaledobject-llama.yaml",
            "01-ScaledObject-llama.yaml",
            "01-scaledobject-llama.yml",
            "01-scaledobject-.yaml",
            "ab-scaledobject-llama.yaml",
            "01-scaledobject-Llama.yaml",
        ] {
            assert!(!is_generated_file_name(other), "{other}");
        }
    }
}

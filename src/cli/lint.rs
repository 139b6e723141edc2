//! `kubectl-infer lint`: offline checks of manifests with exact positions, for CI.
//!
//! Steps: resolve the plan (flags over the config file), read every input (a bad one is
//! recorded and the others still run), lint all documents together, render, exit 0 / 1
//! (findings at or above `--fail-on`) / 2 (an input could not be read).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::cli::{GlobalArgs, OutputFormat, parse_duration};
use crate::exit::Exit;
use crate::lint::{self, Options, Severity, Sources, catalog, config};
use crate::model::manifest::Document;
use crate::render::lint::{Format, InputError, Run};
use crate::sources::manifests::{self, LoadFailure, Loaded};
use crate::sources::{files, probe_report, walk};

/// Arguments of `lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to lint (folders recursively: *.yaml, *.yml, *.json); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format (`-o table`, `-o json` and `-o yaml` also select text, JSON and YAML;
    /// given both, -o and --format must agree).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// The lowest severity that fails the run with exit code 1 [default: warning].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Run only these rules (codes, code prefixes such as KUE, or names); repeatable.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,

    /// Never run these rules (codes, code prefixes or names); repeatable.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,

    /// The config file [default: .kubectl-infer.yaml in this folder or the nearest above,
    /// else in the first PATH's folder or the nearest above].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Cold start of the workloads (e.g. 2m, 90s), for the cold-start rules; without it the
    /// target's startupProbe budget is used.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub cold_start: Option<Duration>,

    /// A `probe -o json` report whose measured cold start stands in for --cold-start.
    #[arg(long, value_name = "FILE", conflicts_with = "cold_start")]
    pub probe_report: Option<PathBuf>,

    /// Validate KEDA and Kueue objects against the CRDs in this folder (e.g. the versions
    /// installed in your cluster) instead of the embedded KEDA 2.20 and Kueue 0.19 schemas.
    #[arg(long, value_name = "DIR", conflicts_with = "crds_from_cluster")]
    pub crds: Option<PathBuf>,

    /// Validate KEDA and Kueue objects against the CRDs installed in the cluster (read with
    /// the kubeconfig flags; exit 3 when the cluster cannot be read).
    #[arg(long)]
    pub crds_from_cluster: bool,

    /// The folder that holds the charts of rendered Helm input: findings name chart files
    /// (from `# Source:` comments) under it, as they are in the repository (e.g. `charts`).
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,

    /// Refuse input files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = files::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_size: u64,
}

/// What to run, after flags and the config file are merged.
#[derive(Debug)]
struct Plan {
    options: Options,
    fail_on: Severity,
    format: Format,
}

/// Runs `lint`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let plan = plan(global, &args)?;

    let started = std::time::Instant::now();
    let mut inputs = std::thread::scope(|scope| {
        // The embedded CRD schemas take a while to compile; do it beside the reading.
        if plan.options.schema.is_none() && schema_rules_enabled(&plan.options) {
            scope.spawn(crate::schema::Catalog::builtin);
        }
        read_inputs(&args.paths, args.max_file_size)
    });
    if let Some(root) = &args.source_root {
        inputs.sources.set_source_root(&root.to_string_lossy());
    }
    let read = started.elapsed();

    let report = lint::run(&inputs.docs, &inputs.sources, &plan.options);
    tracing::debug!(
        "read and parsed {} objects from {} files in {read:.2?}, linted them in {:.2?}",
        inputs.docs.len(),
        inputs.files.len(),
        started.elapsed() - read
    );

    let run = Run {
        report: &report,
        errors: &inputs.errors,
        files: &inputs.files,
        sources: &inputs.sources,
        color: global.color.enabled(std::io::stdout().is_terminal()),
        fail_on: plan.fail_on,
        base: std::env::current_dir().ok(),
    };
    let mut out = crate::render::stdout();
    crate::render::lint::write(&mut out, plan.format, &run)?;
    std::io::Write::flush(&mut out).context("failed to write the lint output")?;
    for note in &inputs.notes {
        eprintln!("note: {note}");
    }
    for error in &inputs.errors {
        eprintln!("error: {}", error.message);
    }

    let exit = if !inputs.errors.is_empty() {
        Exit::Usage
    } else if report.fails_at(plan.fail_on) {
        Exit::Findings
    } else {
        Exit::Success
    };
    // The process ends next. Freeing every object and finding one by one took a tenth of a
    // large run's time; the operating system takes the memory back at once.
    std::mem::forget(report);
    std::mem::forget(inputs);
    Ok(exit)
}

fn plan(global: &GlobalArgs, args: &Args) -> anyhow::Result<Plan> {
    let format = format(global.output, args.format)?;
    let (config, config_file) = load_config(args.config.as_deref(), &args.paths)?;
    let select = if args.select.is_empty() {
        config.select
    } else {
        args.select.clone()
    };
    let mut ignore = config.ignore;
    ignore.extend(args.ignore.iter().cloned());
    for pattern in select.iter().chain(&ignore) {
        check_pattern(pattern)?;
    }
    let measured = args
        .probe_report
        .as_deref()
        .map(|path| {
            let report = probe_report::read_cold_start(path)?;
            let source = format!("the probe report {}", files::display_name(path));
            anyhow::Ok((report.duration(), source))
        })
        .transpose()?;
    let cold_start = match (args.cold_start, measured, config.cold_start) {
        (Some(d), _, _) => Some((d, "--cold-start".to_string())),
        (None, Some(measured), _) => Some(measured),
        (None, None, Some(text)) => {
            let file = config_file.unwrap_or_else(|| config::FILE_NAME.to_string());
            let d = parse_duration(&text).map_err(|e| anyhow::anyhow!("{file}: coldStart: {e}"))?;
            Some((d, format!("coldStart in {file}")))
        }
        (None, None, None) => None,
    };
    let schema = match &args.crds {
        Some(dir) => Some(std::sync::Arc::new(
            crate::schema::Catalog::from_dir(dir)
                .with_context(|| format!("--crds {}: failed to read the CRDs", dir.display()))?,
        )),
        None if args.crds_from_cluster => Some(std::sync::Arc::new(cluster_crds(global)?)),
        None => None,
    };
    Ok(Plan {
        options: Options {
            schema,
            select,
            ignore,
            cold_start_seconds: cold_start
                .as_ref()
                .map(|(d, _)| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            cold_start_source: cold_start.map(|(_, source)| source).unwrap_or_default(),
        },
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Warning),
        format,
    })
}

/// The format of the run: `--format`, else the one `-o` names (`table` is text). Given both,
/// they must name the same format: `-o json --format sarif` is refused rather than one of
/// them silently ignored.
fn format(output: Option<OutputFormat>, format: Option<Format>) -> anyhow::Result<Format> {
    let from_output = output.map(|o| match o {
        OutputFormat::Table => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
    });
    match (from_output, format) {
        (Some(a), Some(b)) if a != b => anyhow::bail!(
            "-o {} and --format {} disagree: give one of them (sarif, junit and github only \
             through --format)",
            value_name(output),
            value_name(Some(b))
        ),
        (a, b) => Ok(b.or(a).unwrap_or(Format::Text)),
    }
}

/// How a value of a `ValueEnum` flag is spelt on the command line.
fn value_name(value: Option<impl clap::ValueEnum>) -> String {
    value
        .and_then(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// The API groups whose CRDs lint validates against.
const SCHEMA_GROUPS: &[&str] = &["keda.sh", "kueue.x-k8s.io"];

/// Reads the KEDA and Kueue CustomResourceDefinitions installed in the cluster.
fn cluster_crds(global: &GlobalArgs) -> anyhow::Result<crate::schema::Catalog> {
    use crate::sources::cluster::{self, Resource, Scope};
    let crds = Resource {
        group: "apiextensions.k8s.io",
        version: "v1",
        plural: "customresourcedefinitions",
        kind: "CustomResourceDefinition",
        namespaced: false,
    };
    let items = crate::cli::runtime()?.block_on(async {
        let cluster = cluster::connect(global).await?;
        cluster
            .list(&crds, &Scope::All, None, None)
            .await
            .map_err(|e| e.into_anyhow())
    })?;
    let wanted: Vec<serde_json::Value> = items
        .into_iter()
        .filter(|crd| {
            crd.pointer("/spec/group")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|g| SCHEMA_GROUPS.contains(&g))
        })
        .collect();
    tracing::info!("validating against {} CRDs from the cluster", wanted.len());
    crate::schema::Catalog::from_crds(&wanted)
        .context("--crds-from-cluster: the cluster's CRDs could not be compiled")
}

/// A select/ignore pattern must name a rule, or be a prefix of at least one code.
fn check_pattern(pattern: &str) -> anyhow::Result<()> {
    let known = catalog::RULES.iter().any(|r| {
        r.code.starts_with(&pattern.to_ascii_uppercase()) || r.name.eq_ignore_ascii_case(pattern)
    });
    if pattern.is_empty() || !known {
        anyhow::bail!("--select/--ignore: {pattern:?} names no rule (see `kubectl-infer rules`)");
    }
    Ok(())
}

/// The config (and the name of its file, when there is one).
fn load_config(
    explicit: Option<&Path>,
    paths: &[PathBuf],
) -> anyhow::Result<(config::Config, Option<String>)> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match find_config(paths)? {
            Some(path) => path,
            None => return Ok((config::Config::default(), None)),
        },
    };
    tracing::info!("reading lint settings from {}", path.display());
    let text = files::read_text(&path, files::DEFAULT_MAX_FILE_BYTES)?;
    let name = files::display_name(&path);
    Ok((config::parse(&name, &text)?, Some(name)))
}

/// The config file of a run: in the current folder or the nearest one above it; when there is
/// none, in the folder of the first path linted or the nearest one above that (for runs from
/// outside the repository, such as `kubectl infer lint ~/src/app/deploy`).
fn find_config(paths: &[PathBuf]) -> anyhow::Result<Option<PathBuf>> {
    let cwd = std::env::current_dir().context("failed to read the current folder")?;
    if let Some(found) = walk::find_upwards(&cwd, config::FILE_NAME) {
        return Ok(Some(found));
    }
    let Some(first) = paths.iter().find(|p| p.as_os_str() != "-") else {
        return Ok(None);
    };
    let first = cwd.join(first);
    let folder = if first.is_dir() {
        Some(first.as_path())
    } else {
        first.parent()
    };
    Ok(folder.and_then(|f| walk::find_upwards(f, config::FILE_NAME)))
}

/// Everything read from the inputs.
fn schema_rules_enabled(options: &Options) -> bool {
    crate::lint::catalog::RULES
        .iter()
        .any(|rule| rule.family == crate::lint::Family::Schema && options.enabled(rule))
}

#[derive(Default)]
struct Inputs {
    docs: Vec<Document>,
    sources: Sources,
    files: Vec<String>,
    errors: Vec<InputError>,
    /// Files skipped on purpose (empty files found in folders), one line each.
    notes: Vec<String>,
}

fn read_inputs(paths: &[PathBuf], max_bytes: u64) -> Inputs {
    let mut inputs = Inputs::default();
    let (files, path_errors) = manifests::resolve(paths);
    let mut path_errors = path_errors.into_iter().peekable();
    for (position, loaded) in manifests::load_all(files, max_bytes)
        .into_iter()
        .enumerate()
    {
        while let Some(e) = path_errors.next_if(|e| e.position <= position) {
            inputs.errors.push(input_error(&e.path, &e.error));
        }
        add_loaded(&mut inputs, loaded);
    }
    for e in path_errors {
        inputs.errors.push(input_error(&e.path, &e.error));
    }
    inputs
}

fn input_error(path: &Path, error: &anyhow::Error) -> InputError {
    InputError {
        file: files::display_name(path),
        line: None,
        message: crate::exit::one_line(error),
    }
}

fn add_loaded(inputs: &mut Inputs, loaded: Loaded) {
    let Loaded { input, outcome } = loaded;
    let name = input.name;
    match outcome {
        Ok((_, docs)) if docs.is_empty() && !input.explicit => inputs.notes.push(format!(
            "{name}: no Kubernetes objects (empty, or only comments); skipped"
        )),
        Ok((_, docs)) if docs.is_empty() => inputs.errors.push(InputError {
            file: name.clone(),
            line: None,
            message: format!("{name}: no Kubernetes objects in the file (empty)"),
        }),
        Ok((text, docs)) => {
            inputs.docs.extend(docs);
            inputs.sources.add(&name, text);
            inputs.files.push(name);
        }
        Err(LoadFailure::Read(e)) => inputs.errors.push(input_error(&input.path, &e)),
        Err(LoadFailure::Parse(e)) => inputs.errors.push(InputError {
            file: name,
            line: e.pos.map(|p| p.line),
            message: e.to_string(),
        }),
    }
}

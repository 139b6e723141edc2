//! The command line: global flags shared by every command, and one dispatch over the commands.
//!
//! Each command lives in its own file with its clap `Args` and a `run` function that reads top
//! to bottom as: resolve arguments, fetch (IO through `sources`), decide (pure), render.

pub mod completion;
pub mod explain;
pub mod generate;
pub mod lint;
pub mod probe;
pub mod rules;
pub mod simulate;
pub mod validate;

use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::exit::Exit;

/// Author and audit the autoscaling of GPU inference servers (KEDA + Kueue).
///
/// Used as a kubectl plugin: `kubectl infer <command>`.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-infer",
    bin_name = "kubectl-infer",
    version,
    propagate_version = true
)]
#[command(max_term_width = 100)]
pub struct Cli {
    /// Flags shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that kubectl users expect on every plugin command.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The namespace to act in (default: the context's namespace).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Act in every namespace.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_request_timeout)]
    pub request_timeout: Option<Duration>,

    /// Output format: table (default), json or yaml; generate defaults to yaml.
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to use colour; NO_COLOR in the environment means never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// The `-o/--output` formats every command understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A human table with a few sentences.
    Table,
    /// JSON with a `version` field.
    Json,
    /// YAML.
    Yaml,
}

/// The `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate KEDA and Kueue manifests from high-level inputs.
    Generate(generate::Args),
    /// Lint manifests offline (files, folders, or - for stdin).
    Lint(lint::Args),
    /// List the lint rules, or print one rule's documentation.
    Rules(rules::Args),
    /// Check manifests against live Prometheus, DCGM and the cluster.
    Validate(Box<validate::Args>),
    /// Measure GPU, server and pod cold start and recommend scaling windows.
    Probe(probe::Args),
    /// Explain why a ScaledObject has the replicas it has now.
    Explain(explain::Args),
    /// Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target.
    Simulate(Box<simulate::Args>),
    /// Print a shell completion script.
    Completion(completion::Args),
}

/// Runs the parsed command line and returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let global = cli.global;
    match cli.command {
        Command::Generate(args) => generate::run(&global, args),
        Command::Lint(args) => lint::run(&global, args),
        Command::Rules(args) => rules::run(&global, args),
        Command::Validate(args) => validate::run(&global, *args),
        Command::Probe(args) => probe::run(&global, args),
        Command::Explain(args) => explain::run(&global, args),
        Command::Simulate(args) => simulate::run(&global, *args),
        Command::Completion(args) => completion::run(&global, args),
    }
}

/// Parses a duration as kubectl's `--request-timeout` does: "0" (no limit), a bare number of
/// seconds, or a value with units such as `5s`, `1m`, `1m30s`.
pub fn parse_request_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_duration(text)
}

/// Parses a duration such as `150s`, `3m`, `1m30s`, `500ms`, `2h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("{text:?} is not a duration such as 90s, 3m or 1m30s ({e})"))
}

/// Builds a tokio runtime for commands that do network IO.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn request_timeout_takes_kubectl_forms() {
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_request_timeout("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_request_timeout("soon").is_err());
    }
}

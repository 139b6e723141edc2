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
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The namespace to act in (default: the context's namespace; `default` for generate).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Act in every namespace.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// How long to wait for one request to the API server ("0" waits forever), e.g. 5s, 1m.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_request_timeout)]
    pub request_timeout: Option<Duration>,

    /// Read each LIST from the API server in pages of this many objects (as `kubectl get
    /// --chunk-size`); 0, the default, reads every kind in one request.
    #[arg(long, global = true, value_name = "N", default_value_t = 0)]
    pub chunk_size: u32,

    /// Output format: table, json or yaml (generate writes yaml unless told json; lint's
    /// sarif, junit and github formats are chosen with its --format).
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to use colour: auto colours a terminal unless NO_COLOR is set; always or never,
    /// given explicitly, wins over NO_COLOR.
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
    /// Always colour, even with NO_COLOR set.
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
    #[command(after_help = "Examples:\n  \
        kubectl infer lint manifests/\n  \
        helm template charts/llm | kubectl infer lint -\n  \
        kubectl infer lint --format sarif deploy/ > kubectl-infer.sarif")]
    Lint(lint::Args),
    /// List the lint rules, or print one rule's documentation.
    #[command(after_help = "Examples:\n  \
        kubectl infer rules\n  \
        kubectl infer rules ZER001\n  \
        kubectl infer rules --markdown")]
    Rules(rules::Args),
    /// Check manifests against live Prometheus, DCGM and the cluster.
    #[command(after_help = "Examples:\n  \
        kubectl -n monitoring port-forward svc/prometheus 9090 &\n  \
        kubectl infer validate manifests/ --prometheus http://127.0.0.1:9090\n  \
        kubectl infer validate manifests/ --prometheus http://127.0.0.1:9090 --lookback 1h\n  \
        kubectl infer validate --cluster -n serving --prometheus http://127.0.0.1:9090")]
    Validate(Box<validate::Args>),
    /// Measure GPU, server and pod cold start and recommend scaling windows.
    Probe(probe::Args),
    /// Explain why a ScaledObject has the replicas it has now.
    #[command(after_help = "Examples:\n  \
        kubectl infer explain llama -n serving\n  \
        kubectl infer explain -A\n  \
        kubectl infer explain llama -n serving --watch --interval 5s\n  \
        kubectl infer explain llama -n serving --from-file dump.yaml")]
    Explain(explain::Args),
    /// Replay recorded traffic through ScaledObjects and compare GPU-hours and time over target.
    #[command(after_help = "Examples:\n  \
        kubectl infer simulate current.yaml new.yaml --series yesterday.csv --cold-start 2m\n  \
        kubectl infer simulate new.yaml --prometheus http://127.0.0.1:9090 --since 24h \\\n    \
        --cold-start 2m --chart replay.svg")]
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

/// Whether clap's answer is a mistake on the command line (as opposed to `--help`,
/// `--version`, or the help that a bare `kubectl-infer` prints).
pub fn is_usage_error(error: &clap::Error) -> bool {
    use clap::error::ErrorKind;
    !matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    )
}

/// clap's usage error as one line: the message, then its possible values and tips in
/// parentheses. The usage block and the "try --help" line are dropped: errors are one line.
pub fn usage_error_line(error: &clap::Error) -> String {
    let text = error.to_string();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more"));
    let message = lines
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ")
        .to_string();
    let details: Vec<&str> = lines
        .map(|line| {
            line.strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .or_else(|| line.strip_prefix("tip: "))
                .unwrap_or(line)
        })
        .collect();
    match message.strip_suffix(':') {
        // "the following required arguments were not provided:" lists them below.
        Some(head) if !details.is_empty() => format!("{head}: {}; see --help", details.join(", ")),
        _ if details.is_empty() => format!("{message}; see --help"),
        _ => format!("{message} ({}); see --help", details.join("; ")),
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

/// Parses a duration such as `150s`, `3m`, `1m30s`, `500ms`, `2h`. The error says what is
/// wrong in the user's terms (a sign, a missing or unknown unit), not where the parser stopped.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    use humantime::DurationError;
    let trimmed = text.trim();
    humantime::parse_duration(trimmed).map_err(|e| {
        let why = match e {
            _ if trimmed.starts_with('-') => "a duration cannot be negative".to_string(),
            _ if trimmed.parse::<f64>().is_ok() => {
                format!("it has no unit (write {trimmed}s or {trimmed}m)")
            }
            DurationError::UnknownUnit { unit, .. } => {
                format!("unknown unit {unit:?} (use ms, s, m or h)")
            }
            DurationError::NumberOverflow => "it is too long".to_string(),
            DurationError::Empty => "it is empty".to_string(),
            _ => "write it as 90s, 3m or 1m30s".to_string(),
        };
        format!("{text:?} is not a duration: {why}")
    })
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
    fn duration_errors_say_what_is_wrong() {
        assert_eq!(parse_duration(" 1m30s ").unwrap(), Duration::from_secs(90));
        let cases = [
            (
                "-5s",
                "\"-5s\" is not a duration: a duration cannot be negative",
            ),
            (
                "5",
                "\"5\" is not a duration: it has no unit (write 5s or 5m)",
            ),
            (
                "5 parsecs",
                "\"5 parsecs\" is not a duration: unknown unit \"parsecs\" (use ms, s, m or h)",
            ),
            ("", "\"\" is not a duration: it is empty"),
            (
                "five minutes",
                "\"five minutes\" is not a duration: write it as 90s, 3m or 1m30s",
            ),
        ];
        for (text, error) in cases {
            assert_eq!(parse_duration(text).unwrap_err(), error, "{text:?}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    fn usage_error(args: &[&str]) -> clap::Error {
        Cli::try_parse_from(args).expect_err("a usage error")
    }

    #[test]
    fn usage_errors_are_one_line_with_their_tips() {
        let line = usage_error_line(&usage_error(&["kubectl-infer", "generate", "-o", "xml"]));
        assert_eq!(
            line,
            "invalid value 'xml' for '--output <FORMAT>' (possible values: table, json, yaml; \
             a similar value exists: 'yaml'); see --help"
        );
        let line = usage_error_line(&usage_error(&["kubectl-infer", "probe", "--exec", "x"]));
        assert_eq!(
            line,
            "the following required arguments were not provided: --ready-url <URL>; see --help"
        );
        let line = usage_error_line(&usage_error(&["kubectl-infer", "genrate"]));
        assert_eq!(
            line,
            "unrecognized subcommand 'genrate' (a similar subcommand exists: 'generate'); \
             see --help"
        );
    }

    #[test]
    fn help_and_version_are_not_usage_errors() {
        assert!(!is_usage_error(&usage_error(&["kubectl-infer", "--help"])));
        assert!(!is_usage_error(&usage_error(&[
            "kubectl-infer",
            "--version"
        ])));
        assert!(is_usage_error(&usage_error(&[
            "kubectl-infer",
            "lint",
            "--bogus"
        ])));
    }

    #[test]
    fn request_timeout_takes_kubectl_forms() {
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_request_timeout("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_request_timeout("soon").is_err());
    }
}

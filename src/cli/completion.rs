//! `kubectl-infer completion`: shell completion scripts (clap_complete) for bash, zsh, fish
//! and PowerShell, and the dynamic completer behind `completions/kubectl_complete-infer`.
//!
//! kubectl ≥ 1.26 completes `kubectl infer <TAB>` by running `kubectl_complete-infer` with the
//! words typed after `infer` (the last one possibly empty) and reading one candidate per line
//! (`word<TAB>description`), then an optional `:<directive>` line (Cobra's protocol). That
//! script runs `kubectl-infer completion kubectl -- WORDS…`, answered by [`complete`].

use std::io::Write;

use anyhow::Context;
use clap::{Arg, CommandFactory, ValueHint};
use clap_complete::Shell;

use crate::cli::{Cli, GlobalArgs};
use crate::exit::Exit;
use crate::lint::catalog::RULES;

/// Arguments of `completion`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print a script for; `kubectl` answers kubectl's plugin completion
    /// protocol for the words after `--`.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Target,
    /// The words typed after `kubectl infer` (with `kubectl`), the last one being completed.
    #[arg(last = true, value_name = "WORDS")]
    pub words: Vec<String>,
}

/// What to complete for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A bash script (source it, or put it in bash-completion's folder).
    Bash,
    /// A zsh script (put it on $fpath as _kubectl-infer).
    Zsh,
    /// A fish script (put it in ~/.config/fish/completions).
    Fish,
    /// A PowerShell script (dot-source it from $PROFILE).
    Powershell,
    /// Candidates for kubectl's plugin completion (used by kubectl_complete-infer).
    #[value(hide = true)]
    Kubectl,
}

/// Cobra's "do not fall back to file names" directive.
const NO_FILE_COMPLETION: u32 = 4;
/// Cobra's default directive: the shell may complete file names.
const FILE_COMPLETION: u32 = 0;

/// Runs `completion`.
pub fn run(_global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let mut out = crate::render::stdout();
    match args.shell {
        Target::Kubectl => {
            let (candidates, directive) = complete(&args.words);
            for (word, help) in candidates {
                match help {
                    Some(help) => writeln!(out, "{word}\t{help}"),
                    None => writeln!(out, "{word}"),
                }
                .context("failed to write completions")?;
            }
            writeln!(out, ":{directive}").context("failed to write completions")?;
        }
        shell => out
            .write_all(&script(shell))
            .context("failed to write the script")?,
    }
    out.flush().context("failed to write to stdout")?;
    Ok(Exit::Success)
}

/// The completion script for a shell, as clap_complete generates it.
pub fn script(target: Target) -> Vec<u8> {
    let shell = match target {
        Target::Bash => Shell::Bash,
        Target::Zsh => Shell::Zsh,
        Target::Fish => Shell::Fish,
        Target::Powershell | Target::Kubectl => Shell::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kubectl-infer", &mut buf);
    buf
}

/// Candidates (word, description) for the last of `words`, and Cobra's directive.
pub fn complete(words: &[String]) -> (Vec<(String, Option<String>)>, u32) {
    let root = Cli::command();
    let (current, done) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    let mut cmd = &root;
    let mut pending: Option<&Arg> = None;
    for word in done {
        if pending.take().is_some() {
            continue;
        }
        if word.starts_with('-') {
            pending = takes_value(cmd, &root, word);
        } else if let Some(sub) = cmd.find_subcommand(word) {
            cmd = sub;
        }
    }
    if let Some(arg) = pending {
        return values(cmd, arg, current, "");
    }
    if let Some((flag, value)) = current.split_once('=')
        && let Some(arg) = takes_value(cmd, &root, flag)
    {
        return values(cmd, arg, value, &format!("{flag}="));
    }
    if current.starts_with('-') {
        return (flags(cmd, &root, current), NO_FILE_COMPLETION);
    }
    let subs: Vec<_> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name().starts_with(current))
        .map(|s| {
            (
                s.get_name().to_string(),
                s.get_about().map(|a| a.to_string()),
            )
        })
        .collect();
    if subs.is_empty() {
        let positional = cmd.get_positionals().find(|a| !a.is_last_set());
        return match positional {
            Some(arg) => values(cmd, arg, current, ""),
            None => (Vec::new(), NO_FILE_COMPLETION),
        };
    }
    (subs, NO_FILE_COMPLETION)
}

/// The flag named by `word` when it takes a value in the next word.
fn takes_value<'a>(cmd: &'a clap::Command, root: &'a clap::Command, word: &str) -> Option<&'a Arg> {
    if word.contains('=') {
        return None;
    }
    let arg = all_args(cmd, root).find(|a| {
        word.strip_prefix("--")
            .is_some_and(|l| a.get_long() == Some(l))
            || (word.len() == 2
                && word.strip_prefix('-').and_then(|s| s.chars().next()) == a.get_short())
    })?;
    arg.get_action().takes_values().then_some(arg)
}

fn all_args<'a>(cmd: &'a clap::Command, root: &'a clap::Command) -> impl Iterator<Item = &'a Arg> {
    cmd.get_arguments()
        .chain(root.get_arguments().filter(|a| a.is_global_set()))
}

fn flags(
    cmd: &clap::Command,
    root: &clap::Command,
    current: &str,
) -> Vec<(String, Option<String>)> {
    let mut seen = std::collections::BTreeSet::new();
    all_args(cmd, root)
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| {
            let long = format!("--{}", a.get_long()?);
            let help = a.get_help().map(|h| description(&h.to_string()));
            (long.starts_with(current) && seen.insert(long.clone())).then_some((long, help))
        })
        .chain(
            ["--help", "--version"]
                .into_iter()
                .filter(|f| f.starts_with(current) && !current.is_empty())
                .map(|f| (f.to_string(), None)),
        )
        .collect()
}

/// The values an argument takes that start with `current`, each written after `prefix`
/// (`--signal=` when completing `--signal=k`): its possible values, the values we know for
/// free-text flags (servers, rule codes, kubeconfig contexts), file names for paths, or
/// nothing (a name, a number or a duration is not a file name).
fn values(
    cmd: &clap::Command,
    arg: &Arg,
    current: &str,
    prefix: &str,
) -> (Vec<(String, Option<String>)>, u32) {
    let known = known_values(cmd, arg);
    if known.is_empty() {
        let directive = match arg.get_value_hint() {
            ValueHint::AnyPath | ValueHint::FilePath | ValueHint::DirPath => FILE_COMPLETION,
            _ => NO_FILE_COMPLETION,
        };
        return (Vec::new(), directive);
    }
    let candidates = known
        .into_iter()
        .filter(|(name, _)| name.starts_with(current))
        .map(|(name, help)| (format!("{prefix}{name}"), help))
        .collect();
    (candidates, NO_FILE_COMPLETION)
}

/// Every value `arg` of `cmd` takes, with its description.
fn known_values(cmd: &clap::Command, arg: &Arg) -> Vec<(String, Option<String>)> {
    let command = cmd.get_name();
    match arg.get_id().as_str() {
        "server" => server_names(),
        "kueue_api" => vec![
            (
                "v1beta2".into(),
                Some("current (Kueue 0.16 and newer)".into()),
            ),
            (
                "v1beta1".into(),
                Some("deprecated, for older clusters".into()),
            ),
        ],
        "select" | "ignore" => rule_codes(true),
        "code" if command == "rules" => rule_codes(false),
        "context" => crate::sources::cluster::context_names()
            .into_iter()
            .map(|name| (name, None))
            .collect(),
        _ => arg
            .get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            // generate writes manifests, which have no table.
            .filter(|v| !(command == "generate" && v.get_name() == "table"))
            .map(|v| {
                let help = v.get_help().map(|h| h.to_string());
                (v.get_name().to_string(), help)
            })
            .collect(),
    }
}

fn server_names() -> Vec<(String, Option<String>)> {
    let mut names: Vec<(String, Option<String>)> = crate::generate::preset::Presets::builtin()
        .map(|presets| {
            presets
                .names()
                .into_iter()
                .map(|name| (name.to_string(), Some("built-in preset".to_string())))
                .collect()
        })
        .unwrap_or_default();
    names.push((
        "custom".to_string(),
        Some("your own --query and --target".to_string()),
    ));
    names
}

/// Rule codes with their summaries, and with `families` the family prefixes too.
fn rule_codes(families: bool) -> Vec<(String, Option<String>)> {
    let mut codes: Vec<(String, Option<String>)> = Vec::new();
    if families {
        for rule in RULES {
            let prefix = rule.code.trim_end_matches(|c: char| c.is_ascii_digit());
            if !codes.iter().any(|(code, _)| code == prefix) {
                codes.push((prefix.to_string(), Some(format!("every {prefix} rule"))));
            }
        }
    }
    codes.extend(
        RULES
            .iter()
            .map(|rule| (rule.code.to_string(), Some(rule.summary.to_string()))),
    );
    codes
}

/// A flag's help as a completion description: its first line, without the final full stop,
/// cut at a word near 80 characters.
fn description(text: &str) -> String {
    const WIDTH: usize = 80;
    let line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    if line.chars().count() <= WIDTH {
        return line.to_string();
    }
    let cut: String = line.chars().take(WIDTH).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
        if text.is_empty() {
            words = vec![String::new()];
        }
        words
    }

    fn names(text: &str) -> (Vec<String>, u32) {
        let (candidates, directive) = complete(&words(text));
        (candidates.into_iter().map(|(w, _)| w).collect(), directive)
    }

    #[test]
    fn completes_commands_flags_and_values() {
        let (all, directive) = names("");
        assert!(all.contains(&"generate".to_string()), "{all:?}");
        assert_eq!(directive, NO_FILE_COMPLETION);
        assert_eq!(names("ge").0, ["generate"]);
        let (flags, _) = names("generate --gpu-");
        assert_eq!(flags, ["--gpu-product", "--gpu-quota"]);
        let (signals, _) = names("generate --signal k");
        assert_eq!(signals, ["kv-cache"]);
        assert_eq!(names("generate -o y").0, ["yaml"]);
        assert_eq!(names("completion z").0, ["zsh"]);
    }

    #[test]
    fn files_fall_back_to_the_shell() {
        let (none, directive) = names("generate --spec ");
        assert!(none.is_empty());
        assert_eq!(directive, FILE_COMPLETION);
        // A flag's value is skipped when finding the command.
        assert_eq!(names("-n serving gen").0, ["generate"]);
        assert_eq!(names("lint ").1, FILE_COMPLETION);
    }

    #[test]
    fn names_numbers_and_durations_are_not_file_names() {
        for line in [
            "generate --name ",
            "generate --target ",
            "generate --cold-start ",
        ] {
            assert_eq!(names(line), (Vec::new(), NO_FILE_COMPLETION), "{line}");
        }
    }

    #[test]
    fn free_text_flags_offer_the_values_we_know() {
        let (servers, directive) = names("generate --server ");
        assert_eq!(directive, NO_FILE_COMPLETION);
        for server in [
            "vllm", "tgi", "triton", "sglang", "nim", "llamacpp", "custom",
        ] {
            assert!(servers.contains(&server.to_string()), "{servers:?}");
        }
        assert_eq!(names("generate --kueue-api v1beta1").0, ["v1beta1"]);
        assert_eq!(names("rules ZER00").0, ["ZER001", "ZER002"]);
        let (select, _) = names("lint --select KU");
        assert_eq!(select[0], "KUE", "families first: {select:?}");
        assert!(select.contains(&"KUE001".to_string()), "{select:?}");
    }

    #[test]
    fn flag_equals_value_completes_the_value() {
        assert_eq!(names("generate --signal=kv").0, ["--signal=kv-cache"]);
        assert_eq!(names("lint --format=s").0, ["--format=sarif"]);
    }

    #[test]
    fn generate_is_not_offered_a_table_and_the_protocol_target_is_hidden() {
        assert_eq!(names("generate -o ").0, ["json", "yaml"]);
        assert!(names("explain -o ").0.contains(&"table".to_string()));
        assert!(!names("completion ").0.contains(&"kubectl".to_string()));
    }

    #[test]
    fn descriptions_keep_abbreviations_and_stay_short() {
        let (flags, _) = complete(&words("generate --model"));
        let help = flags[0].1.clone().unwrap();
        assert!(help.contains("(e.g. meta-llama"), "{help}");
        assert_eq!(description("Short help."), "Short help");
        let long = "word ".repeat(30);
        let cut = description(&long);
        assert!(cut.chars().count() <= 81 && cut.ends_with('…'), "{cut}");
    }
}

//! `kubectl-infer completion`: shell completion scripts (clap_complete) for bash, zsh, fish
//! and PowerShell, and the dynamic completer behind `completions/kubectl_complete-infer`.
//!
//! kubectl ≥ 1.26 completes `kubectl infer <TAB>` by running `kubectl_complete-infer` with the
//! words typed after `infer` (the last one possibly empty) and reading one candidate per line
//! (`word<TAB>description`), then an optional `:<directive>` line (Cobra's protocol). That
//! script runs `kubectl-infer completion kubectl -- WORDS…`, answered by [`complete`].

use std::io::Write;

use anyhow::Context;
use clap::{Arg, CommandFactory};
use clap_complete::Shell;

use crate::cli::{Cli, GlobalArgs};
use crate::exit::Exit;

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
        return values(arg, current);
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
            Some(arg) => values(arg, current),
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
            let help = a.get_help().map(|h| first_sentence(&h.to_string()));
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

/// The possible values of an argument, or file completion when it has none.
fn values(arg: &Arg, current: &str) -> (Vec<(String, Option<String>)>, u32) {
    let possible: Vec<_> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set() && v.get_name().starts_with(current))
        .map(|v| {
            (
                v.get_name().to_string(),
                v.get_help().map(|h| h.to_string()),
            )
        })
        .collect();
    if possible.is_empty() && arg.get_possible_values().is_empty() {
        return (Vec::new(), FILE_COMPLETION);
    }
    (possible, NO_FILE_COMPLETION)
}

fn first_sentence(text: &str) -> String {
    text.split(". ")
        .next()
        .unwrap_or(text)
        .trim_end_matches('.')
        .to_string()
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
    }
}

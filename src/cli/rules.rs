//! `kubectl-infer rules`: the rule catalog as a table, or one rule's full documentation.

use std::io::Write;

use anyhow::Context;
use comfy_table::{ContentArrangement, Table, presets::NOTHING};
use serde::Serialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::{ErrorKind, Exit, kinded};
use crate::lint::catalog::{self, RULES, Rule, RuleDoc};
use crate::lint::{Family, Severity};

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule code (e.g. KED002) or name; without it, every rule is listed.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,

    /// Print the README rule table (Markdown) instead.
    #[arg(long, conflicts_with = "code")]
    pub markdown: bool,
}

/// One rule as JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    family: Family,
    severity: Severity,
    summary: &'static str,
    fix: &'static str,
    doc: RuleDoc,
}

impl From<&Rule> for RuleInfo {
    fn from(r: &Rule) -> Self {
        RuleInfo {
            code: r.code,
            name: r.name,
            family: r.family,
            severity: r.severity,
            summary: r.summary,
            fix: r.fix,
            doc: r.doc,
        }
    }
}

#[derive(Debug, Serialize)]
struct Catalog {
    rules: Vec<RuleInfo>,
}

/// Runs `rules`.
pub fn run(global: &GlobalArgs, args: Args) -> anyhow::Result<Exit> {
    let selected: Vec<&Rule> = match &args.code {
        Some(code) => vec![catalog::find(code).ok_or_else(|| {
            kinded(
                ErrorKind::Usage,
                format!("no rule {code:?}; `kubectl-infer rules` lists them"),
            )
        })?],
        None => RULES.to_vec(),
    };

    let mut out = crate::render::stdout();
    match (global.output, &args.code) {
        (Some(OutputFormat::Json), _) => crate::render::write_json(
            &mut out,
            &Catalog {
                rules: selected.into_iter().map(RuleInfo::from).collect(),
            },
        )?,
        (Some(OutputFormat::Yaml), _) => crate::render::write_yaml(
            &mut out,
            &Catalog {
                rules: selected.into_iter().map(RuleInfo::from).collect(),
            },
        )?,
        _ if args.markdown => out.write_all(catalog::markdown_table().as_bytes())?,
        (_, Some(_)) => out.write_all(catalog::markdown_doc(selected[0]).as_bytes())?,
        (_, None) => writeln!(out, "{}", table(&selected).trim_fmt())?,
    }
    out.flush().context("failed to write the rules")?;
    Ok(Exit::Success)
}

/// The catalog as a table: no padding after the last column, and the summaries wrapped to the
/// terminal's width when printing to one.
fn table(rules: &[&Rule]) -> Table {
    let mut table = Table::new();
    table.load_style(NOTHING);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["CODE", "NAME", "SEVERITY", "SUMMARY"]);
    for r in rules {
        table.add_row([r.code, r.name, r.severity.as_str(), r.summary]);
    }
    table
}

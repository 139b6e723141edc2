//! Text output: findings grouped by file, each with its line of YAML and a caret under the
//! column, the fix, and a one-line summary at the end.

use std::io::Write;

use anyhow::Context;

use super::Run;
use crate::lint::{Finding, Severity};

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    let mut current: Option<&str> = None;
    for finding in run.report.active() {
        if current != Some(finding.location.file.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            current = Some(&finding.location.file);
        }
        write_finding(out, run, finding)?;
    }
    if current.is_some() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(run)).context("failed to write the lint summary")?;
    Ok(())
}

fn paint(run: &Run<'_>, severity: Severity) -> (&'static str, &'static str) {
    if !run.color {
        return ("", "");
    }
    match severity {
        Severity::Error => ("\x1b[1;31m", "\x1b[0m"),
        Severity::Warning => ("\x1b[1;33m", "\x1b[0m"),
        Severity::Info => ("\x1b[1;36m", "\x1b[0m"),
    }
}

fn write_finding(out: &mut dyn Write, run: &Run<'_>, f: &Finding) -> anyhow::Result<()> {
    let loc = &f.location;
    let (on, off) = paint(run, f.severity);
    writeln!(
        out,
        "{}:{}:{}: {on}{}[{}]{off} {}: {}",
        loc.file, loc.start.line, loc.start.column, f.severity, f.code, f.name, f.message
    )?;
    let read_file = loc.rendered_from.as_deref().unwrap_or(&loc.file);
    if let Some(line) = run.sources.line(read_file, loc.read_line) {
        let number = loc.start.line.to_string();
        let gutter = " ".repeat(number.len());
        let column = loc.start.column.saturating_sub(1) as usize;
        let width = caret_width(line, column, f);
        writeln!(out, " {gutter} |")?;
        writeln!(out, " {number} | {line}")?;
        writeln!(
            out,
            " {gutter} | {}{on}{}{off}",
            " ".repeat(column),
            "^".repeat(width)
        )?;
        writeln!(out, " {gutter} = fix: {}", f.fix)?;
    } else {
        writeln!(out, "    = fix: {}", f.fix)?;
    }
    Ok(())
}

/// The caret spans the field's key (or the region on one line), at least one character.
fn caret_width(line: &str, column: usize, f: &Finding) -> usize {
    let rest = line.chars().count().saturating_sub(column);
    let same_line = f.location.end.line == f.location.start.line;
    let region = if same_line {
        f.location
            .end
            .column
            .saturating_sub(f.location.start.column) as usize
    } else {
        line.chars().skip(column).take_while(|c| *c != ':').count()
    };
    region.clamp(1, rest.max(1))
}

fn summary_line(run: &Run<'_>) -> String {
    let s = run.summary();
    let found = s.errors + s.warnings + s.infos;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if found == 0 {
        format!(
            "No findings in {} from {}",
            plural(s.objects, "object"),
            plural(s.files, "file")
        )
    } else {
        format!(
            "Found {} ({}, {}, {} info) in {} from {}",
            plural(found, "finding"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            s.infos,
            plural(s.objects, "object"),
            plural(s.files, "file")
        )
    };
    if s.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", s.suppressed));
    }
    if s.input_errors > 0 {
        line.push_str(&format!(
            "; {} could not be read",
            plural(s.input_errors, "input")
        ));
    }
    line.push('.');
    line
}

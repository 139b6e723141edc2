//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! unsuppressed finding and per input error, placed on the file, line and column.

use std::io::Write;

use anyhow::Context;

use super::Run;
use crate::lint::Severity;

/// Escapes a command's message (`%`, CR, LF).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (also `:` and `,`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    for f in run.report.active() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let loc = &f.location;
        // Standard input has no file to attach to: the annotation goes to the run's summary.
        let place = match run.repo_path(&loc.file) {
            Some(path) => format!(
                "file={},line={},col={},endLine={},endColumn={},",
                property(&slashes(&path)),
                loc.start.line,
                loc.start.column,
                loc.end.line,
                loc.end.column,
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "::{command} {place}title={}::{}",
            property(&format!("{} {}", f.code, f.name)),
            data(&format!("{}\nFix: {}", f.message, f.fix))
        )
        .context("failed to write annotations")?;
    }
    for e in run.errors {
        let place = match run.repo_path(&e.file) {
            Some(path) => {
                let line = e.line.map(|l| format!(",line={l}")).unwrap_or_default();
                format!("file={}{line},", property(&slashes(&path)))
            }
            None => String::new(),
        };
        writeln!(
            out,
            "::error {place}title=input error::{}",
            data(&e.message)
        )
        .context("failed to write annotations")?;
    }
    Ok(())
}

/// A path with `/` separators, as GitHub names repository files.
fn slashes(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

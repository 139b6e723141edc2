//! Renderers of a lint run: text (with the YAML line and a caret), JSON, SARIF 2.1.0, JUnit
//! XML and GitHub workflow commands. All write through the given writer.

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::Write;

use serde::Serialize;

use crate::lint::{Report, Severity, Sources};

/// The `--format` choices of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by file, with the YAML line and a caret, and a summary line.
    Text,
    /// JSON with a `version` field.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for GitLab and other CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// An input that could not be linted: the file, and one line saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputError {
    /// The file (or folder) as given.
    pub file: String,
    /// The line, when the error has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The one-line message (it names the file already).
    pub message: String,
}

/// Everything a renderer needs.
pub struct Run<'a> {
    /// The findings.
    pub report: &'a Report,
    /// Inputs that could not be read or parsed.
    pub errors: &'a [InputError],
    /// The files that were linted, in order.
    pub files: &'a [String],
    /// Their texts (for the caret display).
    pub sources: &'a Sources,
    /// Colour the text output.
    pub color: bool,
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Unsuppressed errors.
    pub errors: usize,
    /// Unsuppressed warnings.
    pub warnings: usize,
    /// Unsuppressed infos.
    pub infos: usize,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Objects checked.
    pub objects: usize,
    /// Files linted.
    pub files: usize,
    /// Inputs that could not be linted.
    pub input_errors: usize,
}

impl Run<'_> {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            objects: self.report.objects,
            files: self.files.len(),
            input_errors: self.errors.len(),
            ..Summary::default()
        };
        for f in &self.report.findings {
            match (f.suppressed.is_some(), f.severity) {
                (true, _) => s.suppressed += 1,
                (false, Severity::Error) => s.errors += 1,
                (false, Severity::Warning) => s.warnings += 1,
                (false, Severity::Info) => s.infos += 1,
            }
        }
        s
    }
}

/// Writes the run in `format`.
pub fn write(out: &mut dyn Write, format: Format, run: &Run<'_>) -> anyhow::Result<()> {
    match format {
        Format::Text => text::write(out, run),
        Format::Json => json::write(out, run),
        Format::Sarif => sarif::write(out, run),
        Format::Junit => junit::write(out, run),
        Format::Github => github::write(out, run),
    }
}

/// A stable fingerprint of a finding that survives edits moving it to another line:
/// FNV-1a over the code, file, object and field.
pub fn fingerprint(finding: &crate::lint::Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        finding.code,
        &finding.location.file,
        &finding.object.label(),
        &finding.field,
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

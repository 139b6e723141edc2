//! Renderers of a lint run: text (with the YAML line and a caret), JSON, SARIF 2.1.0, JUnit
//! XML and GitHub workflow commands. All write through the given writer.

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use std::borrow::Cow;

use crate::lint::{Report, Severity, Sources};

/// The `--format` choices of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by file, with the YAML line and a caret, and a summary line.
    Text,
    /// JSON with a `version` field.
    Json,
    /// YAML: the same document as JSON.
    Yaml,
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
    /// The lowest severity that fails the run (`--fail-on`); JUnit marks only those findings
    /// as failures.
    pub fail_on: Severity,
    /// The working directory: SARIF and GitHub annotations name files under it relative to
    /// it, as code scanning and pull-request annotations expect (repository paths).
    pub base: Option<PathBuf>,
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
    /// How SARIF and GitHub annotations name `file`: relative to the working directory when
    /// it is under it, `None` for standard input (which has no path).
    pub fn repo_path<'f>(&self, file: &'f str) -> Option<Cow<'f, Path>> {
        if file == crate::sources::files::STDIN_NAME {
            return None;
        }
        let path = Path::new(file);
        let relative = self
            .base
            .as_deref()
            .filter(|_| path.is_absolute())
            .and_then(|base| path.strip_prefix(base).ok());
        Some(match relative {
            Some(relative) => Cow::Owned(relative.to_path_buf()),
            None => Cow::Borrowed(path),
        })
    }

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
        Format::Yaml => json::write_yaml(out, run),
        Format::Sarif => sarif::write(out, run),
        Format::Junit => junit::write(out, run),
        Format::Github => github::write(out, run),
    }
}

/// `text` as a sentence: trailing space dropped and a full stop added unless it already ends
/// with one (or with `!` or `?`).
pub fn sentence(text: &str) -> Cow<'_, str> {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{text}."))
    }
}

/// A finding's message and fix as one paragraph of two sentences, for formats that have a
/// single message field (SARIF): `… is not positive. Fix: Set …`. `place`, when given, is
/// said inside the first sentence (`… is not positive (read from standard input, line 3:9).`).
pub fn message_and_fix(finding: &crate::lint::Finding, place: Option<&str>) -> String {
    let message = finding.message.trim_end();
    let message = match place {
        Some(place) => {
            let bare = message.strip_suffix('.').unwrap_or(message);
            format!("{bare} ({place})")
        }
        None => message.to_string(),
    };
    format!("{} Fix: {}", sentence(&message), sentence(&finding.fix))
}

/// A stable fingerprint of a finding that survives edits moving it to another line or
/// changing a number in it: FNV-1a over the code, file, object, field and the message with its
/// digits left out (so that two findings of one rule on one field, such as two unknown names
/// in one formula, stay apart).
pub fn fingerprint(finding: &crate::lint::Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let message: String = finding
        .message
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    for part in [
        finding.code,
        &finding.location.file,
        &finding.object.label(),
        &finding.field,
        &message,
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// `path` as a URI reference (RFC 3986): a relative one with `/` separators for a relative
/// path, a `file://` URI for an absolute one; every byte outside the unreserved characters
/// and the sub-delimiters is percent-encoded (`:` too, so that a first segment is never read
/// as a scheme).
pub fn uri(path: &Path) -> String {
    let mut segments = Vec::new();
    let mut absolute = false;
    for component in path.components() {
        match component {
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => segments.push("..".to_string()),
            Component::Prefix(prefix) => {
                // A Windows drive (`C:`) stays as it is: `file:///C:/…`.
                absolute = true;
                segments.push(prefix.as_os_str().to_string_lossy().into_owned());
            }
            Component::Normal(name) => segments.push(encode(&name.to_string_lossy())),
        }
    }
    let joined = segments.join("/");
    if absolute {
        format!("file:///{joined}")
    } else {
        joined
    }
}

fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(message: &str, fix: &str) -> crate::lint::Finding {
        let pos = crate::model::manifest::Pos { line: 1, column: 1 };
        crate::lint::Finding {
            code: "KED002",
            name: "ThresholdNotPositive",
            severity: Severity::Error,
            message: message.to_string(),
            fix: fix.to_string(),
            object: crate::lint::ObjectRef {
                kind: "ScaledObject".into(),
                namespace: None,
                name: "llm".into(),
            },
            field: String::new(),
            location: crate::lint::Location {
                file: "so.yaml".into(),
                rendered_from: None,
                start: pos,
                end: pos,
                read_line: 1,
            },
            suppressed: None,
        }
    }

    #[test]
    fn message_and_fix_are_two_sentences() {
        let f = finding("threshold \"0\" is not positive", "Set `threshold` to 5.");
        assert_eq!(
            message_and_fix(&f, None),
            "threshold \"0\" is not positive. Fix: Set `threshold` to 5."
        );
        let f = finding("the window is too short.", "Raise it");
        assert_eq!(
            message_and_fix(&f, None),
            "the window is too short. Fix: Raise it."
        );
        assert_eq!(
            message_and_fix(&f, Some("read from standard input, line 3:9")),
            "the window is too short (read from standard input, line 3:9). Fix: Raise it."
        );
    }

    #[test]
    fn uris_are_percent_encoded_references() {
        assert_eq!(uri(Path::new("deploy/so.yaml")), "deploy/so.yaml");
        assert_eq!(
            uri(Path::new("./dir with space/ü#1.yaml")),
            "dir%20with%20space/%C3%BC%231.yaml"
        );
        assert_eq!(uri(Path::new("a:b/c.yaml")), "a%3Ab/c.yaml");
        assert_eq!(
            uri(Path::new("/srv/x/50%.yaml")),
            "file:///srv/x/50%25.yaml"
        );
        assert_eq!(uri(Path::new("../up.yaml")), "../up.yaml");
    }
}

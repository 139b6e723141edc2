//! The lint rule catalog, the rules, suppression and the lint run over a set of manifests.
//!
//! [`run`] is a pure function: documents in (already loaded by `model::manifest`), findings
//! out. Each rule lives in `rules/` by family; [`catalog`] is the one table of every rule and
//! the single source of `kubectl-infer rules`, the SARIF rule metadata and the README table.

pub mod catalog;
pub mod cold_start;
pub mod config;
pub mod context;
pub mod parallel;
pub mod promql;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod view;

use serde::Serialize;

use crate::model::manifest::{Document, Pos};

pub use catalog::{Family, Rule, RuleDoc, Severity};
pub use context::Context;
pub use source::Sources;

/// Where a finding points: the object, the field and its source region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file to report (Helm's chart file when the input was rendered Helm output).
    pub file: String,
    /// The file that was read, when it differs from `file` (Helm output read from stdin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered_from: Option<String>,
    /// Start of the region, 1-based, relative to `file`.
    pub start: Pos,
    /// End of the region (exclusive), relative to `file`.
    pub end: Pos,
    /// The line in the file that was read (differs from `start.line` for Helm sources).
    #[serde(skip)]
    pub read_line: u32,
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// `kind` of the object.
    pub kind: String,
    /// `metadata.namespace`, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// `Kind namespace/name` (or `Kind name` when cluster-scoped or unset), for messages.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    fn of(doc: &Document) -> ObjectRef {
        ObjectRef {
            kind: doc.kind().to_string(),
            namespace: doc.namespace().map(str::to_string),
            name: doc.name().to_string(),
        }
    }
}

/// One problem found by one rule in one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule's stable code, e.g. `KED002`.
    pub code: &'static str,
    /// The rule's name, e.g. `ThresholdNotPositive`.
    pub name: &'static str,
    /// The severity (the rule's default).
    pub severity: Severity,
    /// What is wrong with this object and field.
    pub message: String,
    /// What to do instead.
    pub fix: String,
    /// The object.
    pub object: ObjectRef,
    /// JSON pointer of the offending field inside the object.
    pub field: String,
    /// Where it is.
    pub location: Location,
    /// The reason given by a suppression annotation; suppressed findings do not fail the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// Which rules run and how findings fail the run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// CRD schemas to validate KEDA and Kueue objects against (`--crds`); the embedded
    /// KEDA 2.20 and Kueue 0.19 schemas when `None`.
    pub schema: Option<std::sync::Arc<crate::schema::Catalog>>,
    /// Only these codes (or prefixes such as `KUE`); empty means all.
    pub select: Vec<String>,
    /// Never these codes (or prefixes).
    pub ignore: Vec<String>,
    /// The cold-start time given on the command line, in a probe report or in the config, in
    /// seconds.
    pub cold_start_seconds: Option<u64>,
    /// Where that cold start came from, for messages (`--cold-start` when empty).
    pub cold_start_source: String,
}

impl Options {
    /// Whether a rule is enabled by `select` and `ignore` (codes, code prefixes or names, in
    /// any case: `ked002`, `KUE`, `thresholdnotpositive`).
    pub fn enabled(&self, rule: &Rule) -> bool {
        let matches = |pattern: &String| {
            let prefix = rule.code.get(..pattern.len());
            prefix.is_some_and(|p| p.eq_ignore_ascii_case(pattern))
                || rule.name.eq_ignore_ascii_case(pattern)
        };
        (self.select.is_empty() || self.select.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }
}

/// The result of a lint run over a set of documents.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Every finding, suppressed ones included, in file and position order.
    pub findings: Vec<Finding>,
    /// How many objects were checked.
    pub objects: usize,
}

impl Report {
    /// Findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Whether any unsuppressed finding is at or above `level`.
    pub fn fails_at(&self, level: Severity) -> bool {
        self.active().any(|f| f.severity >= level)
    }
}

/// Lints `docs` (all inputs together, so that cross-object rules see everything).
/// `sources` maps a file that was read to its text, used to place Helm findings.
pub fn run(docs: &[Document], sources: &Sources, options: &Options) -> Report {
    let started = std::time::Instant::now();
    let context = Context::build(docs, sources, options);
    tracing::debug!("indexed the input in {:.2?}", started.elapsed());
    let rules: Vec<&Rule> = catalog::RULES
        .iter()
        .copied()
        .filter(|r| options.enabled(r))
        .collect();
    let check_suppressions = rules.iter().any(|r| r.code == suppress::RULE.code);
    let per_object = parallel::map(docs, |_: &mut (), index, doc| {
        let object = context.object(index);
        let mut findings = Vec::new();
        let helm = sources.helm_place(doc);
        let mut emitter = Emitter::new(doc, helm, &mut findings);
        for rule in &rules {
            if let catalog::Check::Object { kinds, run } = rule.check
                && (kinds.contains(&doc.kind()) || kinds == ["*"])
            {
                emitter.rule = rule;
                run(&object, &context, &mut emitter);
            }
        }
        if check_suppressions {
            emitter.rule = &suppress::RULE;
            suppress::check_reasons(doc, &mut emitter);
        }
        for finding in &mut findings {
            finding.suppressed = context.suppression(finding, index);
        }
        // Sorted here on all cores, the findings reach the final sort as sorted runs.
        findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        findings
    });
    let mut findings = Vec::with_capacity(per_object.iter().map(Vec::len).sum());
    for found in per_object {
        findings.extend(found);
    }
    sort_and_dedup(&mut findings);
    Report {
        findings,
        objects: docs.len(),
    }
}

/// The order of findings in a report: file, position, code.
fn sort_key(f: &Finding) -> (&str, Pos, &str) {
    (f.location.file.as_str(), f.location.start, f.code)
}

/// Sorts findings by file, position and code, and drops repeats (the same code, place and
/// message). Repeats are neighbours once sorted, so each run of findings at one place is
/// compared within itself, without copying any string.
fn sort_and_dedup(findings: &mut Vec<Finding>) {
    let place = sort_key;
    findings.sort_by(|a, b| place(a).cmp(&place(b)));
    let mut kept = 0;
    let mut run = 0;
    for i in 0..findings.len() {
        if kept > 0 && place(&findings[kept - 1]) != place(&findings[i]) {
            run = kept;
        }
        let repeat = findings[run..kept]
            .iter()
            .any(|k| k.message == findings[i].message);
        if !repeat {
            findings.swap(kept, i);
            kept += 1;
        }
    }
    findings.truncate(kept);
}

/// Collects the findings of one rule on one document, with positions looked up by pointer.
pub struct Emitter<'a> {
    doc: &'a Document,
    helm: Option<(String, u32)>,
    rule: &'static Rule,
    out: &'a mut Vec<Finding>,
}

impl<'a> Emitter<'a> {
    fn new(doc: &'a Document, helm: Option<(String, u32)>, out: &'a mut Vec<Finding>) -> Self {
        Emitter {
            doc,
            helm,
            rule: &suppress::RULE,
            out,
        }
    }

    /// The rule currently running.
    pub fn rule(&self) -> &'static Rule {
        self.rule
    }

    /// Reports a finding at the field `pointer` (its key, through the end of its value) with
    /// the rule's own fix text.
    pub fn at(&mut self, pointer: &str, message: impl Into<String>) {
        self.with_fix(pointer, message, self.rule.fix);
    }

    /// Reports a finding at the field `pointer` with a specific fix text.
    pub fn with_fix(&mut self, pointer: &str, message: impl Into<String>, fix: impl Into<String>) {
        let node = self.doc.pos(pointer);
        self.push(pointer, node.key, node.end, message.into(), fix.into());
    }

    /// Reports a finding at an exact position spanning `width` characters (e.g. a metric
    /// name inside a PromQL query).
    pub fn at_pos(&mut self, pointer: &str, start: Pos, width: usize, message: impl Into<String>) {
        let end = Pos {
            line: start.line,
            column: start.column + u32::try_from(width.max(1)).unwrap_or(1),
        };
        self.push(
            pointer,
            start,
            end,
            message.into(),
            self.rule.fix.to_string(),
        );
    }

    fn push(&mut self, pointer: &str, start: Pos, end: Pos, message: String, fix: String) {
        let (file, rendered_from, offset) = match &self.helm {
            Some((source, line)) => (source.clone(), Some(self.doc.file.clone()), *line),
            None => (self.doc.file.clone(), None, 0),
        };
        let shift = |p: Pos| Pos {
            line: p.line.saturating_sub(offset).max(1),
            column: p.column,
        };
        self.out.push(Finding {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            message,
            fix,
            object: ObjectRef::of(self.doc),
            field: pointer.to_string(),
            location: Location {
                file,
                rendered_from,
                start: shift(start),
                end: shift(end),
                read_line: start.line,
            },
            suppressed: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(file: &str, line: u32, code: &'static str, message: &str) -> Finding {
        let pos = Pos { line, column: 1 };
        Finding {
            code,
            name: "Name",
            severity: Severity::Error,
            message: message.to_string(),
            fix: String::new(),
            object: ObjectRef {
                kind: "Pod".into(),
                namespace: None,
                name: "a".into(),
            },
            field: String::new(),
            location: Location {
                file: file.to_string(),
                rendered_from: None,
                start: pos,
                end: pos,
                read_line: line,
            },
            suppressed: None,
        }
    }

    #[test]
    fn findings_are_sorted_and_repeats_dropped() {
        let mut findings = vec![
            finding("b.yaml", 1, "KED001", "x"),
            finding("a.yaml", 2, "KED002", "y"),
            finding("a.yaml", 2, "KED002", "z"),
            finding("a.yaml", 2, "KED002", "y"),
            finding("a.yaml", 1, "KED002", "y"),
            finding("b.yaml", 1, "KED001", "x"),
            finding("a.yaml", 2, "KED001", "y"),
        ];
        sort_and_dedup(&mut findings);
        let seen: Vec<(&str, u32, &str, &str)> = findings
            .iter()
            .map(|f| {
                (
                    f.location.file.as_str(),
                    f.location.start.line,
                    f.code,
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("a.yaml", 1, "KED002", "y"),
                ("a.yaml", 2, "KED001", "y"),
                ("a.yaml", 2, "KED002", "y"),
                ("a.yaml", 2, "KED002", "z"),
                ("b.yaml", 1, "KED001", "x"),
            ]
        );
    }
}

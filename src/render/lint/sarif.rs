//! SARIF 2.1.0 output with the catalog as rule metadata, full regions, stable
//! `partialFingerprints`, suppressions for findings silenced by annotation, and input errors
//! as tool execution notifications. This is what GitHub code scanning accepts.

use std::io::Write;

use anyhow::Context;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Run, fingerprint, message_and_fix, uri};
use crate::lint::Finding;
use crate::lint::catalog::{self, RULES, Rule};

/// The SARIF schema the output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn rule(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.what},
        "help": {"text": rule.fix, "markdown": catalog::markdown_doc(rule)},
        "defaultConfiguration": {"level": rule.severity.sarif_level()},
        "properties": {"tags": [rule.family.title()], "problem.severity": rule.severity.as_str()},
    })
}

/// One result, serialized as it is made (a run can have tens of thousands).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "kubectlInfer/v1")]
    v1: String,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

fn result<'a>(run: &Run<'_>, finding: &'a Finding) -> SarifResult<'a> {
    let loc = &finding.location;
    let logical = [LogicalLocation {
        name: &finding.object.name,
        fully_qualified_name: format!("{}{}", finding.object.label(), finding.field),
        kind: "object",
    }];
    let physical = run.repo_path(&loc.file).map(|path| PhysicalLocation {
        artifact_location: ArtifactLocation { uri: uri(&path) },
        region: Region {
            start_line: loc.start.line,
            start_column: loc.start.column,
            end_line: loc.end.line.max(loc.start.line),
            end_column: loc.end.column.max(1),
        },
    });
    // Standard input has no path: the object and the line in the message name the place.
    let stdin_place = physical.is_none().then(|| {
        format!(
            "read from standard input, line {}:{}",
            loc.start.line, loc.start.column
        )
    });
    let message = message_and_fix(finding, stdin_place.as_deref());
    SarifResult {
        rule_id: finding.code,
        rule_index: RULES.iter().position(|r| r.code == finding.code),
        level: finding.severity.sarif_level(),
        message: Text { text: message },
        locations: [Location {
            physical_location: physical,
            logical_locations: logical,
        }],
        partial_fingerprints: Fingerprints {
            v1: fingerprint(finding),
        },
        suppressions: finding.suppressed.as_deref().map(|reason| {
            [Suppression {
                kind: "inSource",
                justification: reason,
            }]
        }),
    }
}

/// The SARIF log: one run.
#[derive(Serialize)]
struct Log<'r, 'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'r, 'a>; 1],
}

/// The run: the tool with its rules, the invocation with its notifications, the results.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'r, 'a> {
    tool: Value,
    invocations: Value,
    column_kind: &'static str,
    results: Results<'r, 'a>,
}

/// The results of a run, serialized one by one rather than built as one JSON tree first.
struct Results<'r, 'a> {
    run: &'r Run<'a>,
}

impl Serialize for Results<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let findings = &self.run.report.findings;
        serializer.collect_seq(findings.iter().map(|f| result(self.run, f)))
    }
}

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    let notifications: Vec<Value> = run
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({"level": "error", "message": {"text": e.message}});
            if let Some(path) = run.repo_path(&e.file) {
                n["locations"] = json!([{"physicalLocation": {
                    "artifactLocation": {"uri": uri(&path)},
                    "region": {"startLine": e.line.unwrap_or(1)},
                }}]);
            }
            n
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: json!({"driver": {
                "name": "kubectl-infer",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": RULES.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }}),
            invocations: json!([{
                "executionSuccessful": run.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }]),
            column_kind: "unicodeCodePoints",
            results: Results { run },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).context("failed to write SARIF")?;
    writeln!(out).context("failed to write SARIF")?;
    Ok(())
}

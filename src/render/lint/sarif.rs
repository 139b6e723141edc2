//! SARIF 2.1.0 output with the catalog as rule metadata, full regions, stable
//! `partialFingerprints`, suppressions for findings silenced by annotation, and input errors
//! as tool execution notifications. This is what GitHub code scanning accepts.

use std::io::Write;

use anyhow::Context;
use serde_json::{Value, json};

use super::{Run, fingerprint, uri};
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

fn result(run: &Run<'_>, finding: &Finding) -> Value {
    let loc = &finding.location;
    let index = RULES.iter().position(|r| r.code == finding.code);
    let logical = json!([{
        "name": finding.object.name,
        "fullyQualifiedName": format!("{}{}", finding.object.label(), finding.field),
        "kind": "object",
    }]);
    let mut message = format!("{} Fix: {}", finding.message, finding.fix);
    let location = match run.repo_path(&loc.file) {
        Some(path) => json!({
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&path)},
                "region": {
                    "startLine": loc.start.line,
                    "startColumn": loc.start.column,
                    "endLine": loc.end.line.max(loc.start.line),
                    "endColumn": loc.end.column.max(1),
                },
            },
            "logicalLocations": logical,
        }),
        // Standard input has no path: the object names the place instead.
        None => {
            message.push_str(&format!(
                " (read from standard input, line {}:{})",
                loc.start.line, loc.start.column
            ));
            json!({"logicalLocations": logical})
        }
    };
    let mut value = json!({
        "ruleId": finding.code,
        "level": finding.severity.sarif_level(),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"kubectlInfer/v1": fingerprint(finding)},
    });
    if let Some(index) = index {
        value["ruleIndex"] = json!(index);
    }
    if let Some(reason) = &finding.suppressed {
        value["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
    }
    value
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
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubectl-infer",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": RULES.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": run.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": run
                .report
                .findings
                .iter()
                .map(|f| result(run, f))
                .collect::<Vec<_>>(),
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log).context("failed to write SARIF")?;
    writeln!(out).context("failed to write SARIF")?;
    Ok(())
}

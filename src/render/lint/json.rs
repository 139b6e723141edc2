//! JSON (and YAML) output: every finding (suppressed ones marked), the input errors and the
//! summary.

use std::io::Write;

use serde::Serialize;

use super::{InputError, Run, Summary};
use crate::lint::Finding;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    summary: Summary,
    findings: &'a [Finding],
    errors: &'a [InputError],
}

fn body<'a>(run: &'a Run<'_>) -> Body<'a> {
    Body {
        summary: run.summary(),
        findings: &run.report.findings,
        errors: run.errors,
    }
}

/// Findings serialized per task when the JSON is written on several cores.
const FINDINGS_PER_TASK: usize = 1024;

/// Writes the same text as `render::write_json` of the body, with the findings (nearly all
/// of the output on a large run) serialized on all cores, each into a buffer of its own, and
/// written in order. Pretty JSON breaks lines only between tokens (a line break inside a
/// string is escaped), so a finding serialized alone is indented for its place by putting the
/// indent after every line break.
pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    let body = body(run);
    let tasks: Vec<&[Finding]> = body.findings.chunks(FINDINGS_PER_TASK).collect();
    let rendered = crate::lint::parallel::map_each(&tasks, |_: &mut (), _, findings| {
        let mut text = Vec::new();
        for (i, finding) in findings.iter().enumerate() {
            if i > 0 {
                text.extend_from_slice(b",\n");
            }
            text.extend_from_slice(b"    ");
            push_pretty(&mut text, finding, "    ")?;
        }
        Ok::<_, serde_json::Error>(text)
    });
    let mut text = Vec::with_capacity(4096);
    text.extend_from_slice(b"{\n  \"version\": ");
    serde_json::to_writer(&mut text, crate::render::OUTPUT_VERSION)?;
    text.extend_from_slice(b",\n  \"summary\": ");
    push_pretty(&mut text, &body.summary, "  ")?;
    text.extend_from_slice(b",\n  \"findings\": ");
    write_all(out, &text)?;
    if rendered.is_empty() {
        write_all(out, b"[]")?;
    } else {
        write_all(out, b"[\n")?;
        for (i, chunk) in rendered.into_iter().enumerate() {
            if i > 0 {
                write_all(out, b",\n")?;
            }
            write_all(out, &chunk?)?;
        }
        write_all(out, b"\n  ]")?;
    }
    let mut text = b",\n  \"errors\": ".to_vec();
    push_pretty(&mut text, &body.errors, "  ")?;
    text.extend_from_slice(b"\n}\n");
    write_all(out, &text)
}

/// Appends `value` as pretty JSON whose lines after the first start with `indent`, for a
/// value that sits that deep in the document.
fn push_pretty<T: Serialize + ?Sized>(
    text: &mut Vec<u8>,
    value: &T,
    indent: &str,
) -> Result<(), serde_json::Error> {
    let alone = serde_json::to_vec_pretty(value)?;
    for (i, line) in alone.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            text.push(b'\n');
            text.extend_from_slice(indent.as_bytes());
        }
        text.extend_from_slice(line);
    }
    Ok(())
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    out.write_all(bytes).context("failed to write JSON")
}

pub(super) fn write_yaml(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    crate::render::write_yaml(out, &body(run))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Report;
    use crate::model::manifest::load_str;

    /// The findings of linting `text`, as many times over as `copies` asks.
    fn report(copies: usize) -> Report {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: a}\n\
                    spec:\n  scaleTargetRef: {name: a}\n  triggers:\n  - type: prometheus\n    \
                    metadata: {query: 'x', threshold: \"0\"}\n";
        let docs = load_str("a.yaml", text).unwrap();
        let once = crate::lint::run(&docs, &crate::lint::Sources::default(), &Default::default());
        assert!(!once.findings.is_empty());
        let findings = std::iter::repeat_n(once.findings, copies)
            .flatten()
            .collect();
        Report {
            findings,
            objects: copies,
        }
    }

    #[test]
    fn parallel_output_is_the_same_text_as_serde_json_writes() {
        let errors = [InputError {
            file: "b.yaml".to_string(),
            line: Some(3),
            message: "b.yaml:3:1: invalid YAML: \"quoted\"\nnewline".to_string(),
        }];
        for (copies, errors) in [(0, &errors[..0]), (1, &errors[..]), (3000, &errors[..0])] {
            let report = report(copies);
            let run = Run {
                report: &report,
                errors,
                files: &[],
                sources: &crate::lint::Sources::default(),
                color: false,
                fail_on: crate::lint::Severity::Error,
                base: None,
            };
            let mut ours = Vec::new();
            write(&mut ours, &run).unwrap();
            let mut reference = Vec::new();
            crate::render::write_json(&mut reference, &body(&run)).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference).unwrap(),
                "{copies} copies"
            );
        }
    }
}

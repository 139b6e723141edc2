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

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    crate::render::write_json(out, &body(run))
}

pub(super) fn write_yaml(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    crate::render::write_yaml(out, &body(run))
}

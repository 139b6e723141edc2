//! JSON output: every finding (suppressed ones marked), the input errors and the summary.

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

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    let body = Body {
        summary: run.summary(),
        findings: &run.report.findings,
        errors: run.errors,
    };
    crate::render::write_json(out, &body)
}

//! JUnit XML: one test suite per file, one test case per finding (GitLab shows them in the
//! merge request's test report), failing when the finding is at or above `--fail-on` and
//! passing (with the finding as output) below it, a passing case for clean files, and input
//! errors as `<error>` cases.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use anyhow::Context;

use super::Run;
use crate::lint::{Finding, Severity};

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) fn write(out: &mut dyn Write, run: &Run<'_>) -> anyhow::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for file in run.files {
        by_file.entry(file.as_str()).or_default();
    }
    for f in run.report.active() {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let failures: usize = by_file
        .values()
        .flatten()
        .filter(|f| f.severity >= run.fail_on)
        .count();
    let cases: usize = by_file.values().map(|v| v.len().max(1)).sum::<usize>() + run.errors.len();
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        text,
        "<testsuites name=\"kubectl-infer lint\" tests=\"{cases}\" failures=\"{failures}\" \
         errors=\"{}\">",
        run.errors.len()
    );
    for (file, findings) in &by_file {
        suite(&mut text, file, findings, run.fail_on);
    }
    if !run.errors.is_empty() {
        input_errors(&mut text, run);
    }
    text.push_str("</testsuites>\n");
    out.write_all(text.as_bytes())
        .context("failed to write JUnit XML")
}

fn suite(text: &mut String, file: &str, findings: &[&Finding], fail_on: Severity) {
    let file = xml(file);
    let failures = findings.iter().filter(|f| f.severity >= fail_on).count();
    let _ = writeln!(
        text,
        "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failures}\">",
        findings.len().max(1),
    );
    if findings.is_empty() {
        let _ = writeln!(
            text,
            "    <testcase classname=\"{file}\" name=\"no findings\" file=\"{file}\"/>"
        );
    }
    for f in findings {
        let loc = &f.location;
        let body = format!(
            "{file}:{}:{}: {}\nfix: {}",
            loc.start.line,
            loc.start.column,
            xml(&f.message),
            xml(&f.fix)
        );
        // Below --fail-on a finding does not fail the run, so it does not fail the case.
        let outcome = if f.severity >= fail_on {
            format!(
                "<failure type=\"{}\" message=\"{}\">{body}</failure>",
                f.severity,
                xml(&f.message)
            )
        } else {
            format!("<system-out>{}: {body}</system-out>", f.severity)
        };
        let _ = writeln!(
            text,
            "    <testcase classname=\"{file}\" name=\"{} {} at {}:{}\" file=\"{file}\" \
             line=\"{}\">\n      {outcome}\n    </testcase>",
            f.code, f.name, loc.start.line, loc.start.column, loc.start.line,
        );
    }
    text.push_str("  </testsuite>\n");
}

fn input_errors(text: &mut String, run: &Run<'_>) {
    let _ = writeln!(
        text,
        "  <testsuite name=\"inputs\" tests=\"{0}\" errors=\"{0}\">",
        run.errors.len()
    );
    for e in run.errors {
        let file = xml(&e.file);
        let _ = writeln!(
            text,
            "    <testcase classname=\"{file}\" name=\"read {file}\" file=\"{file}\">\n      \
             <error type=\"input\" message=\"{0}\">{0}</error>\n    </testcase>",
            xml(&e.message)
        );
    }
    text.push_str("  </testsuite>\n");
}

//! Writes a `validate` report: a table (object, trigger, check, status, detail) and a summary
//! line, or the report as JSON or YAML.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use crate::cli::OutputFormat;
use crate::validate::{Report, Status};

/// The widest the table gets when stdout is not a terminal.
const PIPE_WIDTH: u16 = 120;

/// Writes `report` in `format`; `color` colours the status column of tables.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    format: OutputFormat,
    color: bool,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Json => super::write_json(out, report),
        OutputFormat::Yaml => super::write_yaml(out, report),
        OutputFormat::Table => write_table(out, report, color),
    }
}

fn write_table(out: &mut dyn Write, report: &Report, color: bool) -> anyhow::Result<()> {
    let fail = || "failed to write the report";
    if report.checks.is_empty() {
        writeln!(out, "No checks to run.").with_context(fail)?;
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["OBJECT", "TRIGGER", "CHECK", "STATUS", "DETAIL"]);
    if table.width().is_none() {
        table.set_width(PIPE_WIDTH);
    }
    for check in &report.checks {
        table.add_row(vec![
            Cell::new(&check.object),
            Cell::new(check.trigger.as_deref().unwrap_or("-")),
            Cell::new(check.check.as_str()),
            status_cell(check.status, color),
            Cell::new(&check.detail),
        ]);
    }
    // kubectl's look: no border, columns two spaces apart, flush left.
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    writeln!(out, "{}", table.trim_fmt()).with_context(fail)?;
    let s = report.summary;
    writeln!(
        out,
        "\n{} checks: {} OK, {} WARN, {} FAIL",
        s.ok + s.warn + s.fail,
        s.ok,
        s.warn,
        s.fail
    )
    .with_context(fail)?;
    Ok(())
}

fn status_cell(status: Status, color: bool) -> Cell {
    let cell = Cell::new(status.as_str());
    if !color {
        return cell;
    }
    match status {
        Status::Ok => cell.fg(Color::Green),
        Status::Warn => cell.fg(Color::Yellow),
        Status::Fail => cell.fg(Color::Red),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{CheckName, CheckResult};

    fn report() -> Report {
        let row = |check, status, detail: &str| CheckResult {
            object: "serving/llama".into(),
            source: Some("so.yaml:1".into()),
            trigger: Some("s0-prometheus".into()),
            check,
            status,
            detail: detail.into(),
            data: serde_json::Map::new(),
        };
        Report::new(
            Some("http://127.0.0.1:9090/".into()),
            None,
            vec![
                row(CheckName::Query, Status::Ok, "Prometheus accepts the query"),
                row(CheckName::Series, Status::Fail, "2 series"),
            ],
        )
    }

    #[test]
    fn table_has_the_columns_and_a_summary() {
        let mut out = Vec::new();
        write(&mut out, &report(), OutputFormat::Table, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let header = text.lines().next().unwrap();
        for column in ["OBJECT", "TRIGGER", "CHECK", "STATUS", "DETAIL"] {
            assert!(header.contains(column), "{text}");
        }
        assert!(text.contains("serving/llama"), "{text}");
        assert!(text.ends_with("2 checks: 1 OK, 0 WARN, 1 FAIL\n"), "{text}");
    }

    #[test]
    fn table_snapshot() {
        let mut out = Vec::new();
        write(&mut out, &report(), OutputFormat::Table, false).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn json_reads_back_with_camel_case_fields() {
        let mut out = Vec::new();
        write(&mut out, &report(), OutputFormat::Json, false).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["version"], crate::render::OUTPUT_VERSION);
        assert_eq!(value["checks"][1]["status"], "FAIL");
        assert_eq!(value["checks"][1]["check"], "series");
        assert_eq!(value["summary"]["fail"], 1);
        assert_eq!(value["prometheus"], "http://127.0.0.1:9090/");
    }
}

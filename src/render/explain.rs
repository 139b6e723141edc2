//! Renders `explain` reports: a table and a few sentences for people, or JSON/YAML with the
//! fields DESIGN.md lists. One report prints in full; several print as one summary row each.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Table, presets};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::engine::{ActivitySource, Milli};
use crate::explain::Report;

/// Several reports, as JSON/YAML print them (`-A`, or no name).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportList<'a> {
    /// One report per ScaledObject.
    pub scaled_objects: &'a [Report],
}

/// Writes the reports in `format`; `single` prints one report as the top-level object.
pub fn write(
    out: &mut dyn Write,
    reports: &[Report],
    format: OutputFormat,
    single: bool,
) -> anyhow::Result<()> {
    match (format, single, reports) {
        (OutputFormat::Json, true, [report]) => super::write_json(out, report),
        (OutputFormat::Yaml, true, [report]) => super::write_yaml(out, report),
        (OutputFormat::Json, _, _) => super::write_json(
            out,
            &ReportList {
                scaled_objects: reports,
            },
        ),
        (OutputFormat::Yaml, _, _) => super::write_yaml(
            out,
            &ReportList {
                scaled_objects: reports,
            },
        ),
        (OutputFormat::Table, true, [report]) => write_report(out, report),
        (OutputFormat::Table, _, _) => write_summary(out, reports),
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v}"))
}

fn table() -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table
}

/// The instant explained and where it comes from.
fn at_line(r: &Report) -> String {
    format!("At: {} ({})\n", r.at, r.at_source)
}

/// One row per ScaledObject, under the instant explained.
pub fn write_summary(out: &mut dyn Write, reports: &[Report]) -> anyhow::Result<()> {
    if let Some(first) = reports.first() {
        write!(out, "{}", at_line(first)).context("failed to write the table")?;
    }
    let mut rows = table();
    rows.set_header([
        "NAMESPACE",
        "NAME",
        "CURRENT",
        "DESIRED",
        "MIN",
        "MAX",
        "READY",
        "CAUSE",
    ]);
    for r in reports {
        rows.add_row([
            r.namespace.clone(),
            r.name.clone(),
            r.replicas.current.to_string(),
            r.replicas.desired.to_string(),
            r.replicas.min.to_string(),
            r.replicas.max.to_string(),
            r.replicas.ready.to_string(),
            r.cause.clone(),
        ]);
    }
    writeln!(out, "{}", trim_lines(&rows.to_string())).context("failed to write the table")?;
    Ok(())
}

/// The full explanation of one ScaledObject.
pub fn write_report(out: &mut dyn Write, r: &Report) -> anyhow::Result<()> {
    let mut text = String::new();
    let replicas = &r.replicas;
    text += &format!(
        "ScaledObject {}/{} → {}/{} ({}HPA {}{})\n",
        r.namespace,
        r.name,
        r.target.kind,
        r.target.name,
        if r.target.found { "" } else { "not found; " },
        r.hpa.name,
        if r.hpa.found { "" } else { ", not found" }
    );
    text += &at_line(r);
    text += &format!(
        "Replicas: {} now, {} desired (min {}, max {}), {} ready\n",
        replicas.current, replicas.desired, replicas.min, replicas.max, replicas.ready
    );
    text += &format!("Why: {}\n", r.cause);
    for also in r.causes.iter().skip(1) {
        text += &format!("Also: {also}\n");
    }
    for note in &r.notes {
        text += &format!("Note: {note}\n");
    }
    text += "\n";
    text += &trim_lines(&triggers_table(r).to_string());
    text += "\n\nSteps:\n";
    for (i, step) in r.steps.iter().enumerate() {
        text += &format!("  {}. {}\n", i + 1, step.text);
    }
    text += &pods_line(r);
    if let Some(kueue) = &r.kueue {
        text += &kueue_lines(kueue);
    }
    if !r.events.is_empty() {
        text += "Events:\n";
        for e in r.events.iter().take(5) {
            let at = e
                .time
                .map_or("-".to_string(), |t| t.strftime("%H:%M:%S").to_string());
            text += &format!(
                "  {at}  {} {} {}: {}\n",
                e.event_type, e.reason, e.object, e.message
            );
        }
    }
    out.write_all(text.as_bytes())
        .context("failed to write the explanation")?;
    Ok(())
}

fn triggers_table(r: &Report) -> Table {
    let mut rows = table();
    rows.set_header([
        "TRIGGER", "TYPE", "METRIC", "VALUE", "TARGET", "RATIO", "PROPOSED", "ACTIVE", "SOURCE",
    ]);
    for t in &r.triggers {
        let value = match (
            t.value.map(Milli::as_f64),
            t.prometheus_value,
            t.value_range,
        ) {
            (_, _, Some([low, high])) => format!("{}..{}", low.as_f64(), high.as_f64()),
            (Some(v), Some(p), _) if (v - p).abs() > 1e-9 => format!("{v} (prometheus {p})"),
            (v, _, _) => number(v),
        };
        rows.add_row([
            format!("{}{}", t.name, if t.chosen { " *" } else { "" }),
            t.trigger_type.clone(),
            t.metric_name.clone().unwrap_or_else(|| "-".to_string()),
            value,
            format!(
                "{} ({})",
                number(t.target.map(Milli::as_f64)),
                t.metric_type
            ),
            t.ratio.map_or("-".to_string(), |x| format!("{x:.3}")),
            t.proposed_replicas
                .map_or("-".to_string(), |p| p.to_string()),
            active_text(t),
            source_text(t),
        ]);
    }
    rows
}

/// Where the value came from, marked `(rounded)` when only a range is known.
fn source_text(t: &crate::explain::report::TriggerReport) -> String {
    let source = serde_json::to_value(t.value_source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    if t.value_range.is_some() {
        format!("{source} (rounded)")
    } else {
        source
    }
}

/// `yes`/`no`, marked `(status)` when read from KEDA's status because no value was observed.
fn active_text(t: &crate::explain::report::TriggerReport) -> String {
    let state = match t.active {
        Some(true) => "yes",
        Some(false) => "no",
        None => return "-".to_string(),
    };
    match t.activity_source {
        Some(ActivitySource::ScaledObjectStatus) => format!("{state} (status)"),
        Some(ActivitySource::Unknown) => "?".to_string(),
        _ => state.to_string(),
    }
}

fn pods_line(r: &Report) -> String {
    let p = &r.pods;
    format!(
        "Pods: {} ready, {} starting, {} gated by Kueue, {} unschedulable, {} terminating\n",
        p.ready, p.starting, p.gated, p.unschedulable, p.terminating
    )
}

fn kueue_lines(k: &crate::explain::kueue::KueueInfo) -> String {
    let mut text = format!(
        "Kueue: LocalQueue {} → ClusterQueue {}",
        k.local_queue,
        k.cluster_queue.as_deref().unwrap_or("(not found)")
    );
    if let (Some(pending), Some(admitted)) = (k.pending_workloads, k.admitted_workloads) {
        text += &format!(", {pending} pending / {admitted} admitted workloads");
    }
    text += "\n";
    for q in &k.quota {
        let usage = match q.used_text() {
            Some(used) => format!("{used}/{} used", q.nominal_text()),
            None => format!(
                "usage unknown of {} (the ClusterQueue's status reports none)",
                q.nominal_text()
            ),
        };
        text += &format!("  {} ({}): {usage}\n", q.resource, q.flavor);
    }
    if let Some(message) = &k.pending_message {
        text += &format!("  {message}\n");
    }
    text
}

/// comfy-table pads with spaces on both sides; kubectl's tables have none at the line ends.
fn trim_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

//! Renders the probe report: sections of tables for people, or the report as JSON or YAML.

use std::io::Write;

use anyhow::Context;
use comfy_table::{Table, presets};

use crate::cli::OutputFormat;
use crate::coldstart::gpu::{GpuReport, link_name};
use crate::coldstart::pods::PodsReport;
use crate::coldstart::report::{ExecReport, ProbeReport};
use crate::coldstart::stats::Summary;
use crate::coldstart::weights::{LoadBound, WeightsReport};

/// Writes the report in `format`.
pub fn write(
    out: &mut dyn Write,
    report: &ProbeReport,
    format: OutputFormat,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Json => super::write_json(out, report),
        OutputFormat::Yaml => super::write_yaml(out, report),
        OutputFormat::Table => out
            .write_all(human(report).as_bytes())
            .context("failed to write the report"),
    }
}

/// The report as text: one section per probe, then the cold start and the settings.
pub fn human(report: &ProbeReport) -> String {
    let mut sections = Vec::new();
    sections.extend(report.skipped.iter().map(|s| format!("Skipped: {s}")));
    sections.extend(report.gpu.as_ref().map(gpu_section));
    sections.extend(report.weights.as_ref().map(weights_section));
    sections.extend(report.exec.as_ref().map(exec_section));
    sections.extend(report.pods.as_ref().map(pods_section));
    sections.push(match &report.cold_start {
        Some(cold) => {
            let mut line = format!(
                "Cold start: {}, from the {}",
                secs(cold.seconds),
                cold.basis
            );
            // The settings count whole seconds; say so where that changes the number.
            let whole = cold.seconds.ceil();
            if whole != cold.seconds && !report.recommendations.is_empty() {
                let used = if whole < 60.0 {
                    format!("{whole:.0}s")
                } else {
                    secs(whole)
                };
                line.push_str(&format!(
                    "; the settings below use {used} (rounded up to whole seconds)"
                ));
            }
            line
        }
        None => no_cold_start(report),
    });
    if !report.notes.is_empty() {
        let notes: Vec<String> = report.notes.iter().map(|n| format!("Note: {n}")).collect();
        sections.push(notes.join("\n"));
    }
    if !report.recommendations.is_empty() {
        let mut lines = vec!["Recommended settings".to_string()];
        for r in &report.recommendations {
            lines.push(format!("  {}: {}\n      {}", r.setting, r.value, r.reason));
        }
        sections.push(lines.join("\n"));
    }
    // comfy-table pads the last column; trailing blanks only get in the way of diffs.
    let text = sections.join("\n\n");
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.push("");
    lines.join("\n")
}

/// Why there is no cold start, and so no recommendations.
fn no_cold_start(report: &ProbeReport) -> String {
    if let Some(seconds) = report.lower_bound() {
        return format!(
            "Cold start: NOT MEASURED. The weight load ({}) is only a lower bound, so no \
             settings are recommended",
            secs(seconds)
        );
    }
    if report
        .exec
        .as_ref()
        .is_some_and(|e| e.runs_seconds.is_empty())
    {
        return "Cold start: not measured: the server never became ready (see Failed above), \
                so no recommendations"
            .to_string();
    }
    match &report.pods {
        Some(p) if !p.left_out.is_empty() => format!(
            "Cold start: not measured: the ready pods' times are left out ({}), so no \
             recommendations",
            p.left_out.join(", ")
        ),
        Some(p) if p.pods.len() == 1 => {
            "Cold start: not measured: the pod did not become ready, so no recommendations"
                .to_string()
        }
        Some(p) if !p.pods.is_empty() => format!(
            "Cold start: not measured: none of the {} pods became ready, so no recommendations",
            p.pods.len()
        ),
        _ => "Cold start: not measured, so no recommendations (use --exec, --deployment or -l)"
            .to_string(),
    }
}

fn gpu_section(gpu: &GpuReport) -> String {
    let cuda = gpu.cuda_driver_version.as_deref().unwrap_or("?");
    let mut lines = vec![format!(
        "GPU: driver {}, NVML {}, CUDA {cuda}",
        gpu.driver_version, gpu.nvml_version
    )];
    if let Some(init) = gpu.init_seconds {
        lines.push(format!(
            "NVML init and enumeration: {}",
            summary(&init, "runs")
        ));
    }
    let mut table = table(&[
        "GPU",
        "NAME",
        "UUID",
        "MEMORY",
        "PERSISTENCE",
        "MIG",
        "PCIE NOW",
        "PCIE MAX",
        "H2D NOW",
        "H2D MAX",
    ]);
    for d in &gpu.devices {
        let link = d.device.pcie;
        table.add_row(vec![
            d.device.index.to_string(),
            d.device.name.clone(),
            d.device.uuid.clone(),
            format!("{:.1} GiB", d.device.memory_total_bytes as f64 / GIB),
            on_off(d.device.persistence_mode),
            on_off(d.device.mig_mode),
            link_name(link.current_generation, link.current_width),
            link_name(link.max_generation, link.max_width),
            d.current_bytes_per_second.map_or("?".to_string(), rate),
            d.max_bytes_per_second.map_or("?".to_string(), rate),
        ]);
    }
    lines.push(table.to_string());
    lines.extend(gpu.notes.iter().map(|n| format!("note: {n}")));
    lines.join("\n")
}

fn weights_section(w: &WeightsReport) -> String {
    let r = &w.reading;
    let files = if r.files == 1 { "file" } else { "files" };
    let mut lines = vec![format!(
        "Weights: {} {files}, {} in {}",
        r.files,
        bytes(r.bytes),
        r.path
    )];
    if let Some(read) = w.read_bytes_per_second {
        lines.push(format!(
            "Read {} in {} ({}, page cache dropped first)",
            bytes(r.sampled_bytes),
            secs(r.read_seconds),
            rate(read)
        ));
    }
    if let Some(pcie) = w.pcie_bytes_per_second {
        lines.push(format!("PCIe host-to-device: {}", rate(pcie)));
    }
    if let Some(load) = w.estimated_load_seconds {
        let bound = match w.limited_by {
            Some(LoadBound::Disk) => " (disk-bound)",
            Some(LoadBound::Pcie) => " (PCIe-bound)",
            None => "",
        };
        lines.push(format!(
            "Estimated load onto the GPU: {}{bound}",
            secs(load)
        ));
    }
    lines.join("\n")
}

fn exec_section(e: &ExecReport) -> String {
    let mut table = table(&["RUN", "READY AFTER"]);
    for r in &e.runs {
        let cell = r.ready_seconds.map_or_else(|| "FAILED".to_string(), secs);
        table.add_row(vec![r.run.to_string(), cell]);
    }
    let mut text = format!("Server: {:?}, ready at {}\n{table}", e.command, e.ready_url);
    if let Some(s) = e.summary {
        text.push_str(&format!("\nTime to ready: {}", summary(&s, "runs")));
    }
    for failed in e.failed() {
        if let Some(error) = &failed.error {
            text.push_str(&format!("\nFailed: {error}"));
        }
    }
    text
}

fn pods_section(p: &PodsReport) -> String {
    let mut table = table(&[
        "POD",
        "NODE",
        "SCHEDULED",
        "IMAGE PULLED",
        "STARTED",
        "READY",
        "RESTARTS",
    ]);
    let cell = |v: Option<f64>| v.map_or("-".to_string(), secs);
    for t in &p.pods {
        let mut ready = cell(t.ready_seconds);
        if t.left_out.is_some() {
            ready.push_str(" (left out)");
        }
        table.add_row(vec![
            t.name.clone(),
            t.node.clone().unwrap_or_else(|| "-".to_string()),
            cell(t.scheduled_seconds),
            cell(t.image_pulled_seconds),
            cell(t.started_seconds),
            ready,
            t.restarts.to_string(),
        ]);
    }
    let phases = [p.scheduled, p.image_pulled, p.started, p.ready];
    for (label, pick) in [("median", 0), ("p90", 1)] {
        let mut row = vec![label.to_string(), String::new()];
        row.extend(phases.iter().map(|s| {
            s.map_or("-".to_string(), |s| {
                secs(if pick == 0 { s.median } else { s.p90 })
            })
        }));
        table.add_row(row);
    }
    let mut text = format!(
        "Pods: {} in namespace {} (time after creation)\n{table}",
        p.selector, p.namespace
    );
    if !p.not_ready.is_empty() {
        text.push_str(&format!("\nNot ready: {}", p.not_ready.join(", ")));
    }
    for t in &p.pods {
        if let Some(why) = &t.left_out {
            text.push_str(&format!("\nLeft out: {}: {why}", t.name));
        }
    }
    text
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A borderless table with kubectl-style headers.
fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_header(header.to_vec());
    table
}

fn summary(s: &Summary, what: &str) -> String {
    format!(
        "median {}, p90 {}, max {} over {} {what}",
        secs(s.median),
        secs(s.p90),
        secs(s.max),
        s.count
    )
}

/// Durations as people read them (`0.55s`, `12.3s`, `4m40s`); JSON keeps plain seconds.
fn secs(seconds: f64) -> String {
    crate::coldstart::stats::human_duration(seconds)
}

fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{n} bytes")
    }
}

fn rate(bytes_per_second: f64) -> String {
    format!("{:.1} GB/s", bytes_per_second / 1e9)
}

fn on_off(v: Option<bool>) -> String {
    match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "n/a",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coldstart::report::{ColdStart, ColdStartSource};

    fn report(seconds: f64) -> ProbeReport {
        ProbeReport {
            gpu: None,
            weights: None,
            exec: None,
            pods: None,
            skipped: Vec::new(),
            cold_start: Some(ColdStart {
                seconds,
                source: ColdStartSource::Exec,
                basis: "p90 of time to ready over 2 runs of --exec".to_string(),
            }),
            notes: Vec::new(),
            recommendations: crate::generate::timing::derive(std::time::Duration::from_secs_f64(
                seconds,
            ))
            .reasons(),
        }
    }

    #[test]
    fn a_fractional_cold_start_says_which_whole_seconds_the_settings_use() {
        let text = human(&report(2.23));
        assert!(
            text.contains(
                "Cold start: 2.23s, from the p90 of time to ready over 2 runs of --exec; the \
                 settings below use 3s (rounded up to whole seconds)\n"
            ),
            "{text}"
        );
        assert!(text.contains("3s cold start"), "{text}");
        let whole = human(&report(150.0));
        assert!(
            whole.contains(
                "Cold start: 2m30s, from the p90 of time to ready over 2 runs of --exec\n"
            ),
            "{whole}"
        );
    }
}

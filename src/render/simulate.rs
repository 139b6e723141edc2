//! Renders `simulate` replays: one row per policy (GPU-hours against time over target) with
//! the trigger bindings and notes, the scale events with `--steps`, JSON/YAML, and an SVG
//! chart of replicas against demand.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use comfy_table::{Table, presets};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::engine::simulate::SimulatedStep;
use crate::explain::cause::limit_text;
use crate::simulate::Run;

/// Everything one `simulate` call replayed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay<'a> {
    /// The file or Prometheus the traffic came from.
    pub source: String,
    /// The cold start every policy was replayed with.
    pub cold_start_seconds: f64,
    /// One run per policy.
    pub runs: &'a [Run],
    /// Whether steps are printed (table) or included (JSON/YAML).
    #[serde(skip)]
    pub steps: bool,
}

/// A run as JSON/YAML print it: the steps only with `--steps`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunOutput<'a> {
    #[serde(flatten)]
    run: &'a Run,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplayOutput<'a> {
    source: &'a str,
    cold_start_seconds: f64,
    runs: Vec<serde_json::Value>,
}

/// Writes the replay in `format`.
pub fn write(out: &mut dyn Write, replay: &Replay<'_>, format: OutputFormat) -> anyhow::Result<()> {
    match format {
        OutputFormat::Json => super::write_json(out, &output(replay)?),
        OutputFormat::Yaml => super::write_yaml(out, &output(replay)?),
        OutputFormat::Table => write_table(out, replay),
    }
}

fn output<'a>(replay: &'a Replay<'a>) -> anyhow::Result<ReplayOutput<'a>> {
    let runs = replay
        .runs
        .iter()
        .map(|run| {
            let mut value = serde_json::to_value(RunOutput { run })
                .context("failed to serialize the simulation")?;
            if let (false, Some(object)) = (replay.steps, value.as_object_mut()) {
                object.remove("steps");
            }
            Ok(value)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ReplayOutput {
        source: &replay.source,
        cold_start_seconds: replay.cold_start_seconds,
        runs,
    })
}

fn table() -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table
}

/// Whole seconds, as `1h 2m 30s`.
fn duration(seconds: f64) -> String {
    humantime::format_duration(Duration::from_secs(seconds.max(0.0).round() as u64)).to_string()
}

/// The summary, each policy's triggers and, with `--steps`, its scale events. Tables are
/// written without the blanks comfy-table pads the last column with (`trim_fmt`): they only
/// get in the way of diffs and copied examples.
fn write_table(out: &mut dyn Write, replay: &Replay<'_>) -> anyhow::Result<()> {
    let write = |e| anyhow::Error::from(e).context("failed to write the simulation");
    let first = replay.runs.first();
    let span = first.map_or(0.0, |r| r.summary.duration_seconds);
    let points = first.map_or(0, |r| r.steps.len());
    writeln!(
        out,
        "Replayed {} ({points} points) from {}; cold start {}.\n",
        duration(span),
        replay.source,
        duration(replay.cold_start_seconds)
    )
    .map_err(write)?;
    writeln!(out, "{}\n", summary_table(replay.runs).trim_fmt()).map_err(write)?;
    for run in replay.runs {
        write_bindings(out, run).map_err(write)?;
        if replay.steps {
            writeln!(out, "{}", events_table(&run.steps).trim_fmt()).map_err(write)?;
        }
    }
    Ok(())
}

fn summary_table(runs: &[Run]) -> Table {
    let mut rows = table();
    rows.set_header([
        "POLICY",
        "GPUS",
        "GPU-HOURS",
        "MEAN",
        "PEAK",
        "OVER TARGET",
        "NO READY REPLICA",
        "SCALE-UPS",
        "SCALE-DOWNS",
        "AT MAX",
    ]);
    for run in runs {
        let s = &run.summary;
        rows.add_row([
            run.policy.clone(),
            run.gpus_per_replica.to_string(),
            format!("{:.2}", s.gpu_hours),
            format!("{:.2}", s.mean_replicas),
            s.peak_replicas.to_string(),
            format!(
                "{:.1}% ({})",
                s.over_target_fraction * 100.0,
                duration(s.seconds_over_target)
            ),
            duration(s.seconds_without_ready_replica),
            s.scale_ups.to_string(),
            s.scale_downs.to_string(),
            duration(s.seconds_at_max),
        ]);
    }
    rows
}

fn write_bindings(out: &mut dyn Write, run: &Run) -> std::io::Result<()> {
    writeln!(
        out,
        "{} (min {}, max {}; {} GPU per replica: {}):",
        run.policy, run.min_replicas, run.max_replicas, run.gpus_per_replica, run.gpus_source
    )?;
    for t in &run.triggers {
        writeln!(
            out,
            "  {} ({}, {} {}) replays column {}",
            t.trigger, t.metric_name, t.metric_type, t.target, t.column
        )?;
    }
    for note in &run.notes {
        writeln!(out, "  note: {note}")?;
    }
    Ok(())
}

/// The steps that changed the replica count, with what bound each decision.
fn events_table(steps: &[SimulatedStep]) -> Table {
    let mut rows = table();
    rows.set_header(["TIME", "FROM", "TO", "READY", "BOUND BY"]);
    for step in steps.iter().filter(|s| s.desired != s.current) {
        rows.add_row([
            step.at.to_string(),
            step.current.to_string(),
            step.desired.to_string(),
            step.ready.to_string(),
            step.binding
                .as_ref()
                .map_or_else(|| "the metrics".to_string(), limit_text),
        ]);
    }
    rows
}

/// A line of a chart: (hours since the start, replicas) points.
pub type Line = Vec<(f64, f64)>;

/// One policy's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyLines {
    /// `namespace/name`.
    pub name: String,
    /// The replicas it decided.
    pub desired: Line,
    /// The replicas ready at each step.
    pub ready: Line,
}

/// The lines of a chart: hours since the start against replicas.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Per policy.
    pub policies: Vec<PolicyLines>,
    /// The replicas the demand needed (the first per-replica trigger of the first policy).
    pub demand: Line,
}

impl From<&Replay<'_>> for Chart {
    fn from(replay: &Replay<'_>) -> Chart {
        let hours = |run: &Run, step: &SimulatedStep| {
            let start = run.steps.first().map_or(step.at, |s| s.at);
            step.at.duration_since(start).as_secs_f64() / 3600.0
        };
        let policies = replay
            .runs
            .iter()
            .map(|run| {
                let line = |f: fn(&SimulatedStep) -> i32| {
                    run.steps
                        .iter()
                        .map(|s| (hours(run, s), f64::from(f(s))))
                        .collect()
                };
                PolicyLines {
                    name: run.policy.clone(),
                    desired: line(|s| s.desired),
                    ready: line(|s| s.ready),
                }
            })
            .collect();
        let demand = replay.runs.first().map_or_else(Vec::new, |run| {
            run.steps
                .iter()
                .zip(&run.demand_replicas)
                .filter_map(|(s, d)| Some((hours(run, s), (*d)?)))
                .collect()
        });
        Chart { policies, demand }
    }
}

/// Draws the chart as SVG into `path`.
pub fn write_chart(path: &Path, chart: &Chart) -> anyhow::Result<()> {
    let svg = chart_svg(chart)?;
    std::fs::write(path, svg).with_context(|| format!("--chart {}: cannot write", path.display()))
}

/// The chart as an SVG document.
fn chart_svg(chart: &Chart) -> anyhow::Result<String> {
    use plotters::prelude::*;

    let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("failed to draw the chart: {e}");
    let end = chart
        .policies
        .iter()
        .flat_map(|p| p.desired.last().map(|point| point.0))
        .fold(0.0_f64, f64::max)
        .max(1.0 / 60.0);
    let top = chart
        .policies
        .iter()
        .flat_map(|p| p.desired.iter().map(|point| point.1))
        .chain(chart.demand.iter().map(|p| p.1))
        .fold(1.0_f64, f64::max)
        * 1.1;
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (1000, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| failed(&e))?;
    let mut plot = ChartBuilder::on(&root)
        .caption("replicas against demand", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..end, 0.0..top)
        .map_err(|e| failed(&e))?;
    plot.configure_mesh()
        .x_desc("hours since the start")
        .y_desc("replicas")
        .draw()
        .map_err(|e| failed(&e))?;
    if !chart.demand.is_empty() {
        plot.draw_series(LineSeries::new(
            chart.demand.iter().copied(),
            &BLACK.mix(0.35),
        ))
        .map_err(|e| failed(&e))?
        .label("demand (value / per-replica target)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.35)));
    }
    for (index, policy) in chart.policies.iter().enumerate() {
        let color = Palette99::pick(index).to_rgba();
        plot.draw_series(LineSeries::new(
            policy.desired.iter().copied(),
            color.stroke_width(2),
        ))
        .map_err(|e| failed(&e))?
        .label(format!("{}: replicas", policy.name))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
        plot.draw_series(LineSeries::new(
            policy.ready.iter().copied(),
            color.mix(0.5),
        ))
        .map_err(|e| failed(&e))?
        .label(format!("{}: ready", policy.name))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.mix(0.5)));
    }
    plot.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| failed(&e))?;
    root.present().map_err(|e| failed(&e))?;
    drop(plot);
    drop(root);
    Ok(svg)
}

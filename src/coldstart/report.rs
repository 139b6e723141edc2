//! The probe report: every measurement taken, the cold start chosen from them, and the scaling
//! settings that follow. `-o json` writes it; `generate` and `lint` read its cold start back
//! with [`ColdStart::from_report`] in place of `--cold-start`.

use serde::{Deserialize, Serialize};

use super::gpu::GpuReport;
use super::pods::PodsReport;
use super::stats::{self, Summary};
use super::weights::WeightsReport;
use crate::generate::timing::{self, Recommendation};
use crate::render::OUTPUT_VERSION;

/// Everything one `probe` run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    /// The local GPUs, when NVML answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuReport>,
    /// The weight files, with `--model-path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsReport>,
    /// The server's time to ready, with `--exec`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecReport>,
    /// The pods' start-up, with `--deployment`, `-l` or `--from-file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<PodsReport>,
    /// Probes that could not run, one sentence each (e.g. no NVIDIA driver).
    pub skipped: Vec<String>,
    /// The cold start the recommendations use, and where it came from.
    pub cold_start: Option<ColdStart>,
    /// The scaling settings that follow from the cold start (`generate::timing`, so that
    /// `probe`, `generate` and `lint` agree).
    pub recommendations: Vec<Recommendation>,
}

impl ProbeReport {
    /// Puts the measurements together, chooses the cold start ([`ColdStart::choose`]) and
    /// derives the settings from it with `generate::timing`.
    pub fn conclude(
        gpu: Option<GpuReport>,
        weights: Option<WeightsReport>,
        exec: Option<ExecReport>,
        pods: Option<PodsReport>,
        skipped: Vec<String>,
    ) -> Self {
        let mut report = ProbeReport {
            gpu,
            weights,
            exec,
            pods,
            skipped,
            cold_start: None,
            recommendations: Vec::new(),
        };
        report.cold_start = ColdStart::choose(&report);
        if let Some(cold) = &report.cold_start {
            report.recommendations = timing::derive(cold.duration()).reasons();
        }
        report
    }
}

/// The exec probe's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecReport {
    /// The command that was started.
    pub command: String,
    /// The URL polled until it answered 200.
    pub ready_url: String,
    /// Seconds from start to the first 200, one value per run.
    pub runs_seconds: Vec<f64>,
    /// Median, p90 and max of the runs.
    pub summary: Option<Summary>,
}

impl ExecReport {
    /// The report of `runs` (seconds each).
    pub fn new(command: &str, ready_url: &str, runs_seconds: Vec<f64>) -> Self {
        Self {
            command: command.to_string(),
            ready_url: ready_url.to_string(),
            summary: stats::summarize(&runs_seconds),
            runs_seconds,
        }
    }
}

/// Which measurement the cold start was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ColdStartSource {
    /// The p90 of the pods' time to ready: the most complete figure (scheduling, image pull,
    /// weights, engine start).
    Pods,
    /// The p90 of the server's time to ready under `--exec` (no scheduling or image pull).
    Exec,
    /// The estimated weight load alone: a lower bound.
    Weights,
}

/// The cold start that the recommendations are derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColdStart {
    /// Seconds.
    pub seconds: f64,
    /// The measurement it comes from.
    pub source: ColdStartSource,
    /// What exactly was taken, in words (e.g. "p90 of time to ready over 5 pods").
    pub basis: String,
}

/// Why a file is not a usable probe report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Neither JSON nor YAML.
    #[error("not a probe report: {0}")]
    Parse(String),
    /// A document of another tool or version.
    #[error("not a probe report: version is {found:?}, expected {OUTPUT_VERSION:?}")]
    Version {
        /// The version field found.
        found: String,
    },
    /// A report whose probes measured nothing a cold start can come from.
    #[error(
        "the probe report has no cold start (no pod became ready and no server run or weight \
         load was measured)"
    )]
    NoColdStart,
}

/// The fields of a report that readers need.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportHead {
    version: String,
    cold_start: Option<ColdStart>,
}

impl ColdStart {
    /// Picks the cold start from what was measured: the pods' p90 time to ready, else the
    /// exec runs' p90, else the weight-load estimate.
    pub fn choose(report: &ProbeReport) -> Option<Self> {
        let pods = report
            .pods
            .as_ref()
            .and_then(|p| Some((p.ready?, p.pods.len())));
        if let Some((ready, total)) = pods {
            let basis = format!("p90 of time to ready over {} of {total} pods", ready.count);
            return Some(Self::new(ready.p90, ColdStartSource::Pods, basis));
        }
        if let Some(summary) = report.exec.as_ref().and_then(|e| e.summary) {
            let basis = format!("p90 of time to ready over {} runs of --exec", summary.count);
            return Some(Self::new(summary.p90, ColdStartSource::Exec, basis));
        }
        let load = report.weights.as_ref()?.estimated_load_seconds?;
        let basis = "estimated weight load only (a lower bound: no engine start, scheduling or \
                     image pull)";
        Some(Self::new(load, ColdStartSource::Weights, basis.to_string()))
    }

    fn new(seconds: f64, source: ColdStartSource, basis: String) -> Self {
        Self {
            seconds,
            source,
            basis,
        }
    }

    /// Reads the cold start from the text of a report that `probe -o json` (or `-o yaml`)
    /// wrote.
    pub fn from_report(text: &str) -> Result<Self, ReportError> {
        let head: ReportHead = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| ReportError::Parse(e.to_string()))?
        } else {
            serde_saphyr::from_str(text).map_err(|e| ReportError::Parse(first_line(&e)))?
        };
        if head.version != OUTPUT_VERSION {
            return Err(ReportError::Version {
                found: head.version,
            });
        }
        match head.cold_start {
            Some(c) if c.seconds.is_finite() && c.seconds >= 0.0 => Ok(c),
            _ => Err(ReportError::NoColdStart),
        }
    }

    /// The cold start as a duration (whole milliseconds).
    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_millis((self.seconds * 1000.0).round() as u64)
    }
}

/// The first line of a YAML error, without its `error: ` prefix (saphyr adds a source
/// snippet below it, which a one-line message does not want).
fn first_line(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> ProbeReport {
        ProbeReport {
            gpu: None,
            weights: None,
            exec: None,
            pods: None,
            skipped: vec![],
            cold_start: None,
            recommendations: vec![],
        }
    }

    #[test]
    fn exec_runs_give_the_p90() {
        let mut report = empty();
        report.exec = Some(ExecReport::new(
            "vllm serve",
            "http://x/health",
            vec![40.0, 60.0],
        ));
        let cold = ColdStart::choose(&report).unwrap();
        assert_eq!(cold.seconds, 60.0);
        assert_eq!(cold.source, ColdStartSource::Exec);
        assert_eq!(cold.basis, "p90 of time to ready over 2 runs of --exec");
    }

    #[test]
    fn nothing_measured_has_no_cold_start() {
        assert_eq!(ColdStart::choose(&empty()), None);
        let report = ProbeReport::conclude(None, None, None, None, vec!["no GPU".into()]);
        assert_eq!((report.cold_start, report.recommendations.len()), (None, 0));
    }

    #[test]
    fn the_settings_are_generate_timings_for_the_chosen_cold_start() {
        let exec = ExecReport::new("srv", "http://x/", vec![100.0, 119.2]);
        let report = ProbeReport::conclude(None, None, Some(exec), None, vec![]);
        let expected = timing::derive(std::time::Duration::from_millis(119_200)).reasons();
        assert_eq!(report.recommendations, expected);
    }

    #[test]
    fn a_written_report_reads_back() {
        let mut report = empty();
        report.exec = Some(ExecReport::new("srv", "http://x/", vec![90.5]));
        report.cold_start = ColdStart::choose(&report);
        let mut json = Vec::new();
        crate::render::write_json(&mut json, &report).unwrap();
        let back = ColdStart::from_report(std::str::from_utf8(&json).unwrap()).unwrap();
        assert_eq!(back.seconds, 90.5);
        assert_eq!(back.duration(), std::time::Duration::from_millis(90_500));
        let yaml = crate::render::to_yaml(&crate::render::Versioned {
            version: OUTPUT_VERSION,
            body: &report,
        })
        .unwrap();
        assert_eq!(
            ColdStart::from_report(&yaml).unwrap().source,
            ColdStartSource::Exec
        );
    }

    #[test]
    fn other_documents_are_refused() {
        let err = ColdStart::from_report(r#"{"version": "v9", "coldStart": null}"#).unwrap_err();
        assert!(err.to_string().contains("version is \"v9\""), "{err}");
        let err = ColdStart::from_report(&format!(r#"{{"version": "{OUTPUT_VERSION}"}}"#));
        assert!(matches!(err, Err(ReportError::NoColdStart)));
        assert!(matches!(
            ColdStart::from_report("[1, 2"),
            Err(ReportError::Parse(_))
        ));
    }
}

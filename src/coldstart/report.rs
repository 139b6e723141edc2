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
    /// The cold start the recommendations use, and where it came from: the pods' or the
    /// `--exec` runs' time to ready. A weight-load estimate alone is no cold start (see
    /// `notes`).
    pub cold_start: Option<ColdStart>,
    /// What to know about the cold start before using it, one sentence each: a weight-load
    /// lower bound that is not one, pods left out, settings beyond what the HPA can express.
    pub notes: Vec<String>,
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
            notes: Vec::new(),
            recommendations: Vec::new(),
        };
        report.cold_start = ColdStart::choose(&report);
        match &report.cold_start {
            Some(cold) => {
                report.recommendations = timing::derive(cold.duration()).reasons();
                report.notes.extend(beyond_hpa_limits(cold));
            }
            None => report.notes.extend(report.lower_bound_note()),
        }
        report
    }

    /// The weight-load estimate, when it is all there is: a lower bound, not a cold start.
    pub fn lower_bound(&self) -> Option<f64> {
        self.weights.as_ref()?.estimated_load_seconds
    }

    fn lower_bound_note(&self) -> Option<String> {
        let seconds = self.lower_bound()?;
        Some(format!(
            "the weights alone take at least {seconds:.2}s to load onto the GPU: a lower bound, \
             not a cold start (no scheduling, image pull or engine start), so no settings are \
             recommended from it; measure a cold start with --exec or --deployment"
        ))
    }
}

/// A cold start whose settings reach the HPA's limits: the scale-up period (cold start plus a
/// quarter) stops at 1800 s, the scale-down window (twice the cold start) at 3600 s, while
/// `cooldownPeriod` and Kueue's timeout keep growing. Such a figure is worth a second look.
fn beyond_hpa_limits(cold: &ColdStart) -> Option<String> {
    let period = f64::from(timing::MAX_POLICY_PERIOD_SECONDS);
    if cold.seconds * 1.25 <= period {
        return None;
    }
    Some(format!(
        "a cold start of {} is beyond what the HPA can express: scale-up policy periods stop at \
         {period} s and stabilization windows at {} s, so those settings are capped, while \
         cooldownPeriod and Kueue's timeout grow to twice the cold start; check the measurement \
         (a pod that became ready again much later, a stuck start-up) before using them",
        stats::human_duration(cold.seconds),
        timing::MAX_STABILIZATION_SECONDS
    ))
}

/// The exec probe's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecReport {
    /// The command that was started.
    pub command: String,
    /// The URL polled until it answered 200.
    pub ready_url: String,
    /// Seconds from start to the first 200, one value per run that became ready.
    pub runs_seconds: Vec<f64>,
    /// Every run in order, ready or failed (the runs stop at the first failure).
    pub runs: Vec<ExecRun>,
    /// Median, p90 and max of the runs that became ready.
    pub summary: Option<Summary>,
}

/// How one run of the exec probe ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecRun {
    /// The run's number, from 1.
    pub run: u32,
    /// Seconds from start to the first 200, when it became ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_seconds: Option<f64>,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ExecReport {
    /// The report of runs that all became ready (seconds each).
    pub fn new(command: &str, ready_url: &str, runs_seconds: Vec<f64>) -> Self {
        let runs = runs_seconds.into_iter().map(Ok).collect();
        Self::from_outcomes(command, ready_url, runs)
    }

    /// The report of each run's outcome: seconds to ready, or the failure in words.
    pub fn from_outcomes(
        command: &str,
        ready_url: &str,
        outcomes: Vec<Result<f64, String>>,
    ) -> Self {
        let runs: Vec<ExecRun> = outcomes
            .into_iter()
            .zip(1..)
            .map(|(outcome, run)| ExecRun {
                run,
                ready_seconds: outcome.as_ref().ok().copied(),
                error: outcome.err(),
            })
            .collect();
        let runs_seconds: Vec<f64> = runs.iter().filter_map(|r| r.ready_seconds).collect();
        Self {
            command: command.to_string(),
            ready_url: ready_url.to_string(),
            summary: stats::summarize(&runs_seconds),
            runs_seconds,
            runs,
        }
    }

    /// The runs that failed.
    pub fn failed(&self) -> impl Iterator<Item = &ExecRun> {
        self.runs.iter().filter(|r| r.error.is_some())
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
    /// The estimated weight load alone: a lower bound. Reports no longer take a cold start
    /// from it; older ones that did are refused when read back.
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
        "the probe report has no cold start (no pod became ready and no server run was \
         measured)"
    )]
    NoColdStart,
    /// A report whose cold start is only the weight-load estimate.
    #[error(
        "the probe report's cold start is only the weight-load estimate, a lower bound; \
         measure one with probe --exec or --deployment, or give --cold-start"
    )]
    LowerBound,
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
    /// exec runs' p90. The weight-load estimate is no cold start: windows derived from a
    /// fraction of the start-up would be too short (README, "probe").
    pub fn choose(report: &ProbeReport) -> Option<Self> {
        let pods = report
            .pods
            .as_ref()
            .and_then(|p| Some((p.ready?, p.pods.len(), p.left_out.len())));
        if let Some((ready, total, left_out)) = pods {
            let mut basis = format!("p90 of time to ready over {} of {total} pods", ready.count);
            if left_out > 0 {
                basis.push_str(&format!(
                    " ({left_out} left out: Ready long after it started)"
                ));
            }
            return Some(Self::new(ready.p90, ColdStartSource::Pods, basis));
        }
        let summary = report.exec.as_ref().and_then(|e| e.summary)?;
        let basis = format!("p90 of time to ready over {} runs of --exec", summary.count);
        Some(Self::new(summary.p90, ColdStartSource::Exec, basis))
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
            Some(c) if c.source == ColdStartSource::Weights => Err(ReportError::LowerBound),
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
            notes: vec![],
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
    fn a_weight_load_alone_is_a_lower_bound_with_no_settings() {
        let reading = crate::coldstart::weights::WeightsReading {
            path: "/models/m".into(),
            files: 1,
            bytes: 200_000_000,
            sampled_bytes: 200_000_000,
            read_seconds: 0.55,
        };
        let weights = crate::coldstart::weights::assess(reading, None);
        let report = ProbeReport::conclude(None, Some(weights), None, None, vec![]);
        assert_eq!(report.cold_start, None);
        assert!(report.recommendations.is_empty());
        assert_eq!(report.lower_bound(), Some(0.55));
        assert!(
            report.notes[0].starts_with("the weights alone take at least 0.55s"),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn a_cold_start_beyond_the_hpas_limits_is_noted() {
        let exec = ExecReport::new("srv", "http://x/", vec![1500.0]);
        let report = ProbeReport::conclude(None, None, Some(exec), None, vec![]);
        assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
        assert!(
            report.notes[0].starts_with(
                "a cold start of 25m is beyond what the HPA can express: scale-up policy \
                 periods stop at 1800 s"
            ),
            "{}",
            report.notes[0]
        );
        let exec = ExecReport::new("srv", "http://x/", vec![1400.0]);
        let report = ProbeReport::conclude(None, None, Some(exec), None, vec![]);
        assert!(report.notes.is_empty(), "{:?}", report.notes);
    }

    #[test]
    fn an_older_report_whose_cold_start_is_the_weight_load_is_refused() {
        let text = format!(
            r#"{{"version": "{OUTPUT_VERSION}", "coldStart": {{"seconds": 0.55,
                "source": "weights", "basis": "estimated weight load only"}}}}"#
        );
        assert!(matches!(
            ColdStart::from_report(&text),
            Err(ReportError::LowerBound)
        ));
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

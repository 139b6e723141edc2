//! The one place the cold-start input of the cold-start rules comes from: `--cold-start` (or
//! a probe report, or the config file), else the scaled workload's startupProbe budget
//! (`initialDelaySeconds + failureThreshold × periodSeconds`).

use crate::model::value::Value;

use super::view::{containers, pod_spec_pointer};
use crate::model::manifest::Document;

/// A cold-start time and where it came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdStart {
    /// Seconds from "replica requested" to "replica serving".
    pub seconds: u64,
    /// `--cold-start`, the probe report or config file, or the startupProbe it was read from.
    pub source: String,
}

/// The cold start for a workload: the one given (seconds and where they came from) wins,
/// then the target's startupProbe budget.
pub fn resolve(given: Option<(u64, &str)>, target: Option<&Document>) -> Option<ColdStart> {
    if let Some((seconds, source)) = given {
        return Some(ColdStart {
            seconds,
            source: source.to_string(),
        });
    }
    let target = target?;
    let pod_spec = pod_spec_pointer(target.kind())?;
    containers(&target.value, pod_spec)
        .filter_map(|c| Some((c, probe_budget(c.value.get("startupProbe")?)?)))
        .max_by_key(|(_, seconds)| *seconds)
        .map(|(container, seconds)| ColdStart {
            seconds,
            source: format!(
                "the startupProbe budget of {} {} ({}/startupProbe)",
                target.kind(),
                target.name(),
                container.pointer()
            ),
        })
}

/// The settings of a startupProbe that decide how long it waits, with Kubernetes' defaults
/// (0, 3 and 10) for those left unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeTiming {
    /// `initialDelaySeconds`.
    pub initial_delay: u64,
    /// `failureThreshold`.
    pub failure_threshold: u64,
    /// `periodSeconds`.
    pub period: u64,
}

impl ProbeTiming {
    /// Reads a probe; `None` when it is not a mapping.
    pub fn read(probe: &Value) -> Option<ProbeTiming> {
        let field =
            |name: &str, default: u64| probe.get(name).and_then(Value::as_u64).unwrap_or(default);
        probe.as_object()?;
        Some(ProbeTiming {
            initial_delay: field("initialDelaySeconds", 0),
            failure_threshold: field("failureThreshold", 3),
            period: field("periodSeconds", 10),
        })
    }

    /// `initialDelaySeconds + failureThreshold × periodSeconds`: how long after the container
    /// starts the kubelet gives up on it.
    pub fn budget(self) -> u64 {
        self.initial_delay
            .saturating_add(self.failure_threshold.saturating_mul(self.period))
    }
}

/// `initialDelaySeconds + failureThreshold × periodSeconds`, with Kubernetes' defaults
/// (0, 3 and 10).
pub fn probe_budget(probe: &Value) -> Option<u64> {
    ProbeTiming::read(probe).map(ProbeTiming::budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::load_str;

    #[test]
    fn the_flag_wins_then_the_startup_probe() {
        let docs = load_str(
            "d.yaml",
            "kind: Deployment\nmetadata: {name: llm}\nspec:\n  template:\n    spec:\n      \
             containers:\n        - name: s\n          startupProbe: {periodSeconds: 10, \
             failureThreshold: 30, initialDelaySeconds: 20}\n",
        )
        .unwrap();
        let from_probe = resolve(None, docs.first()).unwrap();
        assert_eq!(from_probe.seconds, 320);
        assert!(
            from_probe.source.contains("startupProbe"),
            "{}",
            from_probe.source
        );
        let given = resolve(Some((90, "the probe report probe.json")), docs.first()).unwrap();
        assert_eq!(given.seconds, 90);
        assert_eq!(given.source, "the probe report probe.json");
        assert_eq!(resolve(None, None), None);
    }
}

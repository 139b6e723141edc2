//! The one place where a GPU cold-start time becomes scaling settings: KEDA's polling and
//! cooldowns, the HPA behaviour KEDA copies into its HPA, the startup probe, Kueue's
//! `waitForPodsReady` timeout and the fallback threshold.
//!
//! `generate` writes these into manifests, `probe` prints [`Timing::reasons`] as
//! recommendations and `lint`'s cold-start rules compare manifests with the same numbers, so
//! the three never disagree. README ("How windows follow from cold start") walks through the
//! derivation with the numbers for a 2-minute cold start.

use std::time::Duration;

use serde::Serialize;

/// HPA's upper bound on `behavior.*.policies[].periodSeconds` (autoscaling/v2 validation).
pub const MAX_POLICY_PERIOD_SECONDS: u32 = 1800;
/// HPA's upper bound on `behavior.*.stabilizationWindowSeconds` (one hour).
pub const MAX_STABILIZATION_SECONDS: u32 = 3600;
/// KEDA's polling interval that `generate` writes: as often as the HPA itself syncs (15 s), so
/// activation from zero and fallback counting are no slower than the HPA's decisions.
pub const POLLING_INTERVAL_SECONDS: u32 = 15;
/// The startup probe's period: fine enough that a ready replica starts serving within 10 s.
pub const STARTUP_PROBE_PERIOD_SECONDS: u32 = 10;
/// Consecutive failed metric reads before KEDA's fallback replaces the metric.
pub const FALLBACK_FAILURE_THRESHOLD: u32 = 3;
/// Kueue's `waitForPodsReady.timeout` when its Configuration does not set one: the feature
/// is on by default since Kueue 0.19, with 30 minutes.
pub const KUEUE_DEFAULT_WAIT_FOR_PODS_READY_SECONDS: u32 = 1800;
/// Scale-up stabilization never waits longer than this: past a minute, waiting for a burst to
/// prove itself costs more queueing than a wrongly bought GPU.
pub const MAX_SCALE_UP_STABILIZATION_SECONDS: u32 = 60;

/// Whether a rate policy limits a number of pods or a percentage of the current replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyType {
    /// At most `value` pods per period.
    Pods,
    /// At most `value` percent of the replicas at the start of the period.
    Percent,
}

/// One HPA rate policy (`behavior.scaleUp.policies[]` or `scaleDown.policies[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Pods or Percent.
    #[serde(rename = "type")]
    pub kind: PolicyType,
    /// How many pods, or what percentage.
    pub value: u32,
    /// The window the limit applies to, in seconds (1..=1800).
    pub period_seconds: u32,
}

/// One direction of HPA behaviour (`scaleUp` or `scaleDown`), in autoscaling/v2's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rules {
    /// How long past recommendations are remembered before acting (0..=3600 s).
    pub stabilization_window_seconds: u32,
    /// Which policy wins when several apply: always `Max` here (the most permissive).
    pub select_policy: &'static str,
    /// The rate limits.
    pub policies: Vec<Policy>,
}

/// Scaling settings derived from one cold-start time. All durations are whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    /// The cold start these settings were derived from, in seconds (rounded up).
    pub cold_start_seconds: u32,
    /// `spec.pollingInterval` of the ScaledObject.
    pub polling_interval: u32,
    /// `advanced.horizontalPodAutoscalerConfig.behavior.scaleUp`.
    pub scale_up: Rules,
    /// `advanced.horizontalPodAutoscalerConfig.behavior.scaleDown`.
    pub scale_down: Rules,
    /// `spec.cooldownPeriod`: how long after the last activity KEDA scales to zero.
    pub cooldown_period: u32,
    /// `spec.initialCooldownPeriod`: no scale to zero this soon after creation.
    pub initial_cooldown_period: u32,
    /// The server container's `startupProbe.periodSeconds`.
    pub startup_probe_period_seconds: u32,
    /// The server container's `startupProbe.failureThreshold`.
    pub startup_probe_failure_threshold: u32,
    /// Kueue's `waitForPodsReady.timeout` that this server needs, in seconds.
    pub wait_for_pods_ready_seconds: u32,
    /// `spec.fallback.failureThreshold`.
    pub fallback_failure_threshold: u32,
}

/// One setting with its value and a one-line reason, for `probe` and `generate` to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The field, as a path in the object that holds it.
    pub setting: String,
    /// The value, as it would be written in YAML.
    pub value: String,
    /// Why this value follows from the cold start.
    pub reason: String,
}

/// Derives every cold-start-dependent setting from the time a new replica takes to become
/// ready (node, image pull, weight load, engine warm-up).
pub fn derive(cold_start: Duration) -> Timing {
    let c = seconds(cold_start);
    Timing {
        cold_start_seconds: c,
        polling_interval: POLLING_INTERVAL_SECONDS,
        scale_up: Rules {
            stabilization_window_seconds: scale_up_stabilization(c),
            select_policy: "Max",
            policies: vec![
                Policy {
                    kind: PolicyType::Percent,
                    value: 100,
                    period_seconds: scale_up_period(c),
                },
                Policy {
                    kind: PolicyType::Pods,
                    value: 2,
                    period_seconds: scale_up_period(c),
                },
            ],
        },
        scale_down: Rules {
            stabilization_window_seconds: (2 * c).clamp(300, MAX_STABILIZATION_SECONDS),
            select_policy: "Max",
            policies: vec![Policy {
                kind: PolicyType::Percent,
                value: 25,
                period_seconds: 60,
            }],
        },
        cooldown_period: (2 * c).max(300),
        initial_cooldown_period: c.max(60),
        startup_probe_period_seconds: STARTUP_PROBE_PERIOD_SECONDS,
        startup_probe_failure_threshold: startup_budget(c) / STARTUP_PROBE_PERIOD_SECONDS,
        wait_for_pods_ready_seconds: (2 * c).max(300),
        fallback_failure_threshold: FALLBACK_FAILURE_THRESHOLD,
    }
}

/// Whole seconds, rounded up, saturating at `u32::MAX / 4` so that twice it still fits the
/// int32 fields of KEDA and Kubernetes.
fn seconds(duration: Duration) -> u32 {
    let whole = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    u32::try_from(whole).unwrap_or(u32::MAX).min(u32::MAX / 4)
}

/// A quarter of the cold start rounded to the nearest 15 s (halves up; the HPA syncs every
/// 15 s, so finer values make no difference), capped at a minute.
fn scale_up_stabilization(c: u32) -> u32 {
    let quarter_in_steps = (u64::from(c) + 30) / 60;
    u32::try_from(quarter_in_steps * 15)
        .unwrap_or(u32::MAX)
        .min(MAX_SCALE_UP_STABILIZATION_SECONDS)
}

/// The startup probe's budget: a quarter more than the cold start, in whole probe periods,
/// at least 30 s. The probe counts from container start, so node provisioning and image pull
/// (part of the cold start) add further margin.
fn startup_budget(c: u32) -> u32 {
    let with_margin = c.saturating_add(c.div_ceil(4));
    with_margin.div_ceil(STARTUP_PROBE_PERIOD_SECONDS).max(3) * STARTUP_PROBE_PERIOD_SECONDS
}

/// The startup budget (so a wave is not added before the previous one could be ready, by the
/// same measure `lint` reads back from the probe), at most HPA's 1800 s.
fn scale_up_period(c: u32) -> u32 {
    startup_budget(c).min(MAX_POLICY_PERIOD_SECONDS)
}

/// Seconds as a Kubernetes duration: whole minutes as `40m`, others as `150s`.
pub fn short(seconds: u32) -> String {
    if seconds >= 60 && seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

impl Timing {
    /// Every setting with a one-line reason, in the order a user reads a ScaledObject.
    pub fn reasons(&self) -> Vec<Recommendation> {
        let c = self.cold_start_seconds;
        let up = &self.scale_up;
        let period = up.policies.first().map_or(0, |p| p.period_seconds);
        let rec = |setting: &str, value: String, reason: String| Recommendation {
            setting: setting.to_string(),
            value,
            reason,
        };
        let behavior = "spec.advanced.horizontalPodAutoscalerConfig.behavior";
        vec![
            rec(
                "spec.pollingInterval",
                self.polling_interval.to_string(),
                "as often as the HPA syncs (15 s): waking from zero and counting metric \
                 failures should be no slower than the HPA's own decisions"
                    .to_string(),
            ),
            rec(
                &format!("{behavior}.scaleUp.stabilizationWindowSeconds"),
                up.stabilization_window_seconds.to_string(),
                format!(
                    "a quarter of the {c}s cold start (at most 60 s, in 15 s steps): a burst \
                     must outlast part of a cold start before it buys a GPU"
                ),
            ),
            rec(
                &format!("{behavior}.scaleUp.policies"),
                format!("Percent 100 and Pods 2 per {period}s, selectPolicy Max"),
                format!(
                    "at most double (or +2) per startup budget ({c}s cold start + 25%): the next \
                     wave starts only once the previous replicas serve and the metric reflects \
                     them"
                ),
            ),
            rec(
                &format!("{behavior}.scaleDown.stabilizationWindowSeconds"),
                self.scale_down.stabilization_window_seconds.to_string(),
                format!(
                    "twice the {c}s cold start (at least 300 s, at most 3600 s): a wrong \
                     scale-down costs a full cold start to undo"
                ),
            ),
            rec(
                &format!("{behavior}.scaleDown.policies"),
                "Percent 25 per 60s".to_string(),
                "release at most a quarter of the replicas a minute, so a lull does not drop \
                 capacity that the next burst needs"
                    .to_string(),
            ),
            rec(
                "spec.cooldownPeriod",
                self.cooldown_period.to_string(),
                format!(
                    "twice the {c}s cold start (at least 300 s) of inactivity before scaling to \
                     zero, since waking up again costs a cold start"
                ),
            ),
            rec(
                "spec.initialCooldownPeriod",
                self.initial_cooldown_period.to_string(),
                format!(
                    "no scale to zero during the first {c}s cold start (at least 60 s) after \
                     creation, while the first replica is still loading"
                ),
            ),
            rec(
                "startupProbe.periodSeconds",
                self.startup_probe_period_seconds.to_string(),
                "probe every 10 s so a ready replica joins the Service within 10 s".to_string(),
            ),
            rec(
                "startupProbe.failureThreshold",
                self.startup_probe_failure_threshold.to_string(),
                format!(
                    "{} × {}s allows the {c}s cold start plus 25% (at least 30 s) before the \
                     kubelet restarts a stuck replica",
                    self.startup_probe_failure_threshold, self.startup_probe_period_seconds
                ),
            ),
            rec(
                "kueue waitForPodsReady.timeout",
                format!("{}s", self.wait_for_pods_ready_seconds),
                format!(
                    "at least twice the {c}s cold start (at least 5 min), or Kueue evicts \
                     replicas that are still loading weights"
                ),
            ),
            rec(
                "spec.fallback.failureThreshold",
                self.fallback_failure_threshold.to_string(),
                "fall back after 4 failed reads in a row (about 30-60 s: KEDA and the HPA both \
                 count), not on a single Prometheus blip"
                    .to_string(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> Timing {
        derive(Duration::from_secs(seconds))
    }

    #[test]
    fn two_minute_cold_start_gives_the_readme_numbers() {
        let t = at(120);
        assert_eq!(t.cold_start_seconds, 120);
        assert_eq!(t.polling_interval, 15);
        assert_eq!(t.scale_up.stabilization_window_seconds, 30);
        assert_eq!(t.scale_up.policies[0].period_seconds, 150);
        assert_eq!(t.scale_up.policies[1].kind, PolicyType::Pods);
        assert_eq!(t.scale_down.stabilization_window_seconds, 300);
        assert_eq!(t.cooldown_period, 300);
        assert_eq!(t.initial_cooldown_period, 120);
        assert_eq!(t.startup_probe_failure_threshold, 15);
        assert_eq!(t.wait_for_pods_ready_seconds, 300);
    }

    #[test]
    fn long_cold_starts_hit_the_hpa_limits() {
        let t = at(3 * 3600);
        assert_eq!(t.scale_up.stabilization_window_seconds, 60);
        assert_eq!(
            t.scale_up.policies[0].period_seconds,
            MAX_POLICY_PERIOD_SECONDS
        );
        assert_eq!(
            t.scale_down.stabilization_window_seconds,
            MAX_STABILIZATION_SECONDS
        );
        assert_eq!(t.cooldown_period, 6 * 3600);
        assert_eq!(t.startup_probe_failure_threshold, 1350);
        let t = at(600);
        assert_eq!(t.scale_down.stabilization_window_seconds, 1200);
        assert_eq!(t.wait_for_pods_ready_seconds, 1200);
    }

    #[test]
    fn short_cold_starts_keep_the_floors() {
        let t = derive(Duration::from_millis(0));
        assert_eq!(t.scale_up.stabilization_window_seconds, 0);
        assert_eq!(t.scale_up.policies[0].period_seconds, 30);
        assert_eq!(t.scale_down.stabilization_window_seconds, 300);
        assert_eq!(t.initial_cooldown_period, 60);
        assert_eq!(t.startup_probe_failure_threshold, 3);
        // Partial seconds round up; a quarter of 30 s (7.5 s) rounds to 15 s.
        assert_eq!(derive(Duration::from_millis(1500)).cold_start_seconds, 2);
        assert_eq!(at(30).scale_up.stabilization_window_seconds, 15);
        assert_eq!(at(20).scale_up.stabilization_window_seconds, 0);
        assert_eq!(at(150).scale_up.stabilization_window_seconds, 45);
        assert_eq!(at(180).scale_up.stabilization_window_seconds, 45);
        assert_eq!(at(150).startup_probe_failure_threshold, 19);
        // The probe budget never falls short of the cold start, and the scale-up period
        // equals it (up to HPA's limit).
        for c in [1, 9, 10, 30, 61, 150, 599, 1439, 1441, 5000] {
            let t = at(c);
            let budget = t.startup_probe_failure_threshold * t.startup_probe_period_seconds;
            assert!(budget >= c as u32, "{c}");
            assert_eq!(
                t.scale_up.policies[0].period_seconds,
                budget.min(1800),
                "{c}"
            );
        }
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        let t = derive(Duration::from_secs(u64::MAX));
        assert_eq!(
            t.scale_down.stabilization_window_seconds,
            MAX_STABILIZATION_SECONDS
        );
        assert!(t.cooldown_period >= t.cold_start_seconds);
    }

    #[test]
    fn short_durations_use_minutes_when_whole() {
        assert_eq!(short(2400), "40m");
        assert_eq!(short(1802), "1802s");
        assert_eq!(short(30), "30s");
        assert_eq!(short(0), "0s");
    }

    #[test]
    fn every_setting_has_a_reason() {
        let reasons = at(150).reasons();
        assert_eq!(reasons.len(), 11);
        assert!(
            reasons
                .iter()
                .all(|r| !r.reason.is_empty() && !r.value.is_empty())
        );
        let cooldown = reasons
            .iter()
            .find(|r| r.setting == "spec.cooldownPeriod")
            .unwrap();
        assert_eq!(cooldown.value, "300");
        assert!(cooldown.reason.contains("150s"), "{}", cooldown.reason);
    }
}

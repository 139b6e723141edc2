//! The HPA's normalization of a proposal: stabilization over the recommendation history, the
//! scale-up/scale-down rate policies over the scale-event history, min/max, and the legacy path
//! without `behavior` (`horizontal.go`: `normalizeDesiredReplicas*`).

use jiff::{SignedDuration, Timestamp};

use super::input::{
    Behavior, ControllerConfig, History, PolicyType, Recommendation, ScaleEvent, ScalingPolicy,
    ScalingRules, SelectPolicy,
};
use super::replicas::{Tolerances, ceil_i32};

/// One direction's rules after API defaulting and the controller's window default.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// The stabilization window.
    pub window: SignedDuration,
    /// `selectPolicy`.
    pub select_policy: SelectPolicy,
    /// The policies.
    pub policies: Vec<ScalingPolicy>,
}

/// Both directions after defaulting.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveBehavior {
    /// Scale-up rules.
    pub up: Rules,
    /// Scale-down rules.
    pub down: Rules,
}

const DEFAULT_PERIOD_SECONDS: i32 = 15;

/// Applies upstream's defaults (`GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`,
/// `maybeInitScaleDownStabilizationWindow`) field by field.
pub fn effective(behavior: &Behavior, controller: &ControllerConfig) -> EffectiveBehavior {
    let up_defaults = vec![
        policy(PolicyType::Pods, 4, DEFAULT_PERIOD_SECONDS),
        policy(PolicyType::Percent, 100, DEFAULT_PERIOD_SECONDS),
    ];
    let down_defaults = vec![policy(PolicyType::Percent, 100, DEFAULT_PERIOD_SECONDS)];
    EffectiveBehavior {
        up: defaulted(
            behavior.scale_up.as_ref(),
            SignedDuration::ZERO,
            up_defaults,
        ),
        down: defaulted(
            behavior.scale_down.as_ref(),
            controller.downscale_stabilization,
            down_defaults,
        ),
    }
}

fn policy(policy_type: PolicyType, value: i32, period_seconds: i32) -> ScalingPolicy {
    ScalingPolicy {
        policy_type,
        value,
        period_seconds,
    }
}

fn defaulted(
    rules: Option<&ScalingRules>,
    window: SignedDuration,
    policies: Vec<ScalingPolicy>,
) -> Rules {
    let rules = rules.cloned().unwrap_or_default();
    Rules {
        window: rules
            .stabilization_window_seconds
            .map_or(window, |s| SignedDuration::from_secs(i64::from(s))),
        select_policy: rules.select_policy.unwrap_or(SelectPolicy::Max),
        policies: if rules.policies.is_empty() {
            policies
        } else {
            rules.policies
        },
    }
}

/// The tolerances for an HPA (`tolerancesForHpa`): the global flag, overridden per direction by
/// `behavior.*.tolerance` when the feature gate is on.
pub fn tolerances(behavior: Option<&Behavior>, controller: &ControllerConfig) -> Tolerances {
    let mut result = Tolerances::symmetric(controller.tolerance);
    let Some(behavior) = behavior.filter(|_| controller.configurable_tolerance) else {
        return result;
    };
    if let Some(up) = behavior.scale_up.as_ref().and_then(|r| r.tolerance) {
        result.up = up;
    }
    if let Some(down) = behavior.scale_down.as_ref().and_then(|r| r.tolerance) {
        result.down = down;
    }
    result
}

/// The outcome of the stabilization step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stabilized {
    /// The recommendation after stabilization.
    pub replicas: i32,
    /// When set, the window held the count: `ScaleUpStabilized` or `ScaleDownStabilized`.
    pub reason: Option<&'static str>,
    /// When the recommendation that holds the count leaves its window.
    pub until: Option<Timestamp>,
}

/// Legacy stabilization (`stabilizeRecommendation`): the max over the proposal and every
/// recommendation not older than the downscale window; the proposal is stored.
pub fn stabilize_legacy(
    history: &mut History,
    proposal: i32,
    window: SignedDuration,
    now: Timestamp,
) -> Stabilized {
    let cutoff = now - window;
    let mut highest = proposal;
    let mut old_slot = None;
    for (i, rec) in history.recommendations.iter().enumerate() {
        if rec.at < cutoff {
            old_slot = Some(i);
        } else if rec.replicas > highest {
            highest = rec.replicas;
        }
    }
    let until = (highest != proposal)
        .then(|| release(history, highest, cutoff, window))
        .flatten();
    store(history, old_slot, proposal, now);
    Stabilized {
        replicas: highest,
        reason: (highest != proposal).then_some("ScaleDownStabilized"),
        until,
    }
}

/// When a window stops holding `held`: when the last of the recommendations of that count
/// still in it (from `cutoff` on) leaves it. With ties, the latest one decides.
fn release(
    history: &History,
    held: i32,
    cutoff: Timestamp,
    window: SignedDuration,
) -> Option<Timestamp> {
    history
        .recommendations
        .iter()
        .filter(|r| r.at >= cutoff && r.replicas == held)
        .map(|r| r.at + window)
        .max()
}

fn store(history: &mut History, slot: Option<usize>, proposal: i32, now: Timestamp) {
    let rec = Recommendation {
        replicas: proposal,
        at: now,
    };
    match slot.and_then(|i| history.recommendations.get_mut(i)) {
        Some(old) => *old = rec,
        None => history.recommendations.push(rec),
    }
}

/// Stabilization with behavior (`stabilizeRecommendationWithBehaviors`): scale up only to the
/// lowest recommendation in the up-window, down only to the highest in the down-window.
pub fn stabilize_with_behavior(
    history: &mut History,
    behavior: &EffectiveBehavior,
    current: i32,
    proposal: i32,
    now: Timestamp,
) -> Stabilized {
    let up_cutoff = now - behavior.up.window;
    let down_cutoff = now - behavior.down.window;
    let (mut up_rec, mut down_rec) = (proposal, proposal);
    let mut old_slot = None;
    for (i, rec) in history.recommendations.iter().enumerate() {
        if rec.at > up_cutoff && rec.replicas < up_rec {
            up_rec = rec.replicas;
        }
        if rec.at > down_cutoff && rec.replicas > down_rec {
            down_rec = rec.replicas;
        }
        if rec.at < up_cutoff && rec.at < down_cutoff {
            old_slot = Some(i);
        }
    }
    let replicas = current.max(up_rec).min(down_rec);
    // These windows count a recommendation strictly after the cutoff: it leaves at `at +
    // window`, as in the legacy path. The latest of tied recommendations decides.
    let latest = |held: i32, cutoff: Timestamp, window: SignedDuration| {
        history
            .recommendations
            .iter()
            .filter(|r| r.at > cutoff && r.replicas == held)
            .map(|r| r.at + window)
            .max()
    };
    let (reason, until) = if proposal >= current {
        (
            "ScaleUpStabilized",
            latest(replicas, up_cutoff, behavior.up.window),
        )
    } else {
        (
            "ScaleDownStabilized",
            latest(replicas, down_cutoff, behavior.down.window),
        )
    };
    store(history, old_slot, proposal, now);
    Stabilized {
        replicas,
        reason: (replicas != proposal).then_some(reason),
        until: until.filter(|_| replicas != proposal),
    }
}

/// The outcome of the rate-limit and min/max step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// The result.
    pub replicas: i32,
    /// The upstream reason (`DesiredWithinRange`, `ScaleUpLimit`, `TooManyReplicas`, …).
    pub reason: &'static str,
    /// The upstream message.
    pub message: &'static str,
    /// The policy period that produced the binding limit, when a policy did.
    pub period_seconds: Option<i32>,
    /// Whether the direction's selectPolicy is Disabled.
    pub disabled: bool,
}

const WITHIN: (&str, &str) = (
    "DesiredWithinRange",
    "the desired count is within the acceptable range",
);
const UP_RATE: (&str, &str) = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
);
const DOWN_RATE: (&str, &str) = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
);
const TOO_MANY: (&str, &str) = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
);
const TOO_FEW: (&str, &str) = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
);

fn limited(replicas: i32, (reason, message): (&'static str, &'static str)) -> Limited {
    Limited {
        replicas,
        reason,
        message,
        period_seconds: None,
        disabled: false,
    }
}

/// Legacy limits (`convertDesiredReplicasWithRules`): the per-sync scale-up cap
/// `max(factor × current, minimum)`, then min/max.
pub fn limit_legacy(
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
    config: &ControllerConfig,
) -> Limited {
    let cap = config
        .scale_up_limit_minimum
        .max(config.scale_up_limit_factor * f64::from(current)) as i32;
    let (upper, upper_reason) = if max > cap {
        (cap, UP_RATE)
    } else {
        (max, TOO_MANY)
    };
    if desired < min {
        limited(min, TOO_FEW)
    } else if desired > upper {
        limited(upper, upper_reason)
    } else {
        limited(desired, WITHIN)
    }
}

/// Limits with behavior (`convertDesiredReplicasWithBehaviorRate`): the rate policies over the
/// scale events, and min/max only in the direction of the change.
pub fn limit_with_behavior(
    history: &History,
    behavior: &EffectiveBehavior,
    current: i32,
    desired: i32,
    (min, max): (i32, i32),
    now: Timestamp,
) -> Limited {
    if desired > current {
        let (limit, period) = scale_up_limit(history, &behavior.up, current, now);
        let limit = limit.max(current);
        let (upper, reason) = if max > limit {
            (limit, UP_RATE)
        } else {
            (max, TOO_MANY)
        };
        if desired > upper {
            let mut result = limited(upper, reason);
            if reason == UP_RATE {
                result.period_seconds = period;
                result.disabled = behavior.up.select_policy == SelectPolicy::Disabled;
            }
            return result;
        }
    } else if desired < current {
        let (limit, period) = scale_down_limit(history, &behavior.down, current, now);
        let limit = limit.min(current);
        let (lower, reason) = if min < limit {
            (limit, DOWN_RATE)
        } else {
            (min, TOO_FEW)
        };
        if desired < lower {
            let mut result = limited(lower, reason);
            if reason == DOWN_RATE {
                result.period_seconds = period;
                result.disabled = behavior.down.select_policy == SelectPolicy::Disabled;
            }
            return result;
        }
    }
    limited(desired, WITHIN)
}

/// Replicas added (or removed) within the period before now (`getReplicasChangePerPeriod`).
pub(crate) fn change_in_period(events: &[ScaleEvent], period_seconds: i32, now: Timestamp) -> i32 {
    let cutoff = now - SignedDuration::from_secs(i64::from(period_seconds));
    events
        .iter()
        .filter(|e| e.at > cutoff)
        .fold(0i32, |sum, e| sum.saturating_add(e.change))
}

fn period_start(history: &History, policy: &ScalingPolicy, current: i32, now: Timestamp) -> i32 {
    let added = change_in_period(&history.scale_up_events, policy.period_seconds, now);
    let removed = change_in_period(&history.scale_down_events, policy.period_seconds, now);
    current.saturating_sub(added).saturating_add(removed)
}

/// `calculateScaleUpLimitWithScalingRules`, with the period of the policy that was selected.
fn scale_up_limit(
    history: &History,
    rules: &Rules,
    current: i32,
    now: Timestamp,
) -> (i32, Option<i32>) {
    let pick_min = match rules.select_policy {
        SelectPolicy::Disabled => return (current, None),
        SelectPolicy::Min => true,
        SelectPolicy::Max => false,
    };
    let mut best: Option<(i32, i32)> = None;
    for policy in &rules.policies {
        let start = period_start(history, policy, current, now);
        let proposed = match policy.policy_type {
            PolicyType::Pods => start.saturating_add(policy.value),
            PolicyType::Percent => {
                ceil_i32(f64::from(start) * (1.0 + f64::from(policy.value) / 100.0))
            }
        };
        best = select(best, (proposed, policy.period_seconds), pick_min);
    }
    match best {
        Some((limit, period)) => (limit, Some(period)),
        None => (if pick_min { i32::MAX } else { i32::MIN }, None),
    }
}

/// `calculateScaleDownLimitWithBehaviors`, with the period of the policy that was selected.
fn scale_down_limit(
    history: &History,
    rules: &Rules,
    current: i32,
    now: Timestamp,
) -> (i32, Option<i32>) {
    // Max picks the biggest change, which for scale-down is the lowest count.
    let pick_min = match rules.select_policy {
        SelectPolicy::Disabled => return (current, None),
        SelectPolicy::Min => false,
        SelectPolicy::Max => true,
    };
    let mut best: Option<(i32, i32)> = None;
    for policy in &rules.policies {
        let start = period_start(history, policy, current, now);
        let proposed = match policy.policy_type {
            PolicyType::Pods => start.saturating_sub(policy.value),
            PolicyType::Percent => {
                (f64::from(start) * (1.0 - f64::from(policy.value) / 100.0)) as i32
            }
        };
        best = select(best, (proposed, policy.period_seconds), pick_min);
    }
    match best {
        Some((limit, period)) => (limit, Some(period)),
        None => (if pick_min { i32::MAX } else { i32::MIN }, None),
    }
}

fn select(best: Option<(i32, i32)>, candidate: (i32, i32), pick_min: bool) -> Option<(i32, i32)> {
    match best {
        None => Some(candidate),
        Some(current) if pick_min && candidate.0 < current.0 => Some(candidate),
        Some(current) if !pick_min && candidate.0 > current.0 => Some(candidate),
        keep => keep,
    }
}

/// Records a successful rescale (`storeScaleEvent`), only done when behavior is set: events of
/// that direction older than its longest policy period are flagged outdated, and the new one
/// overwrites the last outdated slot or is appended.
pub fn store_scale_event(
    history: &mut History,
    behavior: &EffectiveBehavior,
    previous: i32,
    new: i32,
    now: Timestamp,
) {
    let (events, rules) = if new > previous {
        (&mut history.scale_up_events, &behavior.up)
    } else {
        (&mut history.scale_down_events, &behavior.down)
    };
    let longest = rules
        .policies
        .iter()
        .map(|p| p.period_seconds)
        .max()
        .unwrap_or(0);
    let cutoff = now - SignedDuration::from_secs(i64::from(longest));
    for event in events.iter_mut() {
        if event.at < cutoff {
            event.outdated = true;
        }
    }
    let event = ScaleEvent {
        change: new.abs_diff(previous).try_into().unwrap_or(i32::MAX),
        at: now,
        outdated: false,
    };
    match events.iter().rposition(|e| e.outdated) {
        Some(slot) => events[slot] = event,
        None => events.push(event),
    }
}

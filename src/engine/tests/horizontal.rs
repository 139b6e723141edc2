//! Normalization (stabilization, rate policies, min/max, the legacy cap) and whole reconciles,
//! ported from upstream's `horizontal_test.go` as data.

use super::*;
use crate::engine::behavior::{self, EffectiveBehavior};
use crate::engine::{Limit, decide};

/// Upstream's `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)`:
/// selectPolicy Max, a Pods policy when `pods != 0`, a Percent policy when `percent != 0`.
fn rules(
    pods: i32,
    pods_period: i32,
    percent: i32,
    percent_period: i32,
    window: i32,
) -> ScalingRules {
    let mut policies = Vec::new();
    if pods != 0 {
        policies.push(ScalingPolicy {
            policy_type: PolicyType::Pods,
            value: pods,
            period_seconds: pods_period,
        });
    }
    if percent != 0 {
        policies.push(ScalingPolicy {
            policy_type: PolicyType::Percent,
            value: percent,
            period_seconds: percent_period,
        });
    }
    ScalingRules {
        stabilization_window_seconds: Some(window),
        select_policy: Some(SelectPolicy::Max),
        policies,
        tolerance: None,
    }
}

/// Upstream's `generateEventsUniformDistribution(events, period)`: each event in the middle of
/// its slice of the last `period` seconds, truncated to whole seconds.
fn spread(changes: &[i32], period: i64) -> Vec<ScaleEvent> {
    let slice = period as f64 / changes.len() as f64;
    changes
        .iter()
        .enumerate()
        .map(|(i, &change)| {
            let ago = (period as f64 - slice * (i + 1) as f64 + slice / 2.0) as i64;
            ScaleEvent {
                change,
                at: at(-ago),
                outdated: false,
            }
        })
        .collect()
}

/// One `TestScalingWithRules` case.
struct RateCase {
    upstream: &'static str,
    up_events: &'static [i32],
    down_events: &'static [i32],
    min: i32,
    max: i32,
    up: Option<(i32, i32, i32, i32, i32)>,
    down: Option<(i32, i32, i32, i32, i32)>,
    current: i32,
    desired: i32,
    expected: i32,
    reason: &'static str,
}

const R: RateCase = RateCase {
    upstream: "",
    up_events: &[],
    down_events: &[],
    min: 1,
    max: 1000,
    up: None,
    down: None,
    current: 0,
    desired: 0,
    expected: 0,
    reason: "",
};

/// upstream: horizontal_test.go TestScalingWithRules (each case named by its `name`). Events
/// are spread over the last 120 s as upstream's generator does. The case upstream skips
/// (`testThis: true`) is left out.
fn rate_cases() -> Vec<RateCase> {
    let base = [
        (
            "prenormalized desired replicas within range",
            3,
            8,
            5,
            7,
            7,
            "DesiredWithinRange",
        ),
        (
            "prenormalized desired replicas < minReplicas",
            2,
            8,
            3,
            1,
            2,
            "TooFewReplicas",
        ),
        (
            "prenormalized desired replicas within range when minReplicas is 0",
            0,
            10,
            1,
            0,
            0,
            "DesiredWithinRange",
        ),
        (
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
            1,
            10,
            20,
            1000,
            10,
            "TooManyReplicas",
        ),
        (
            "desired replica count is more than the maximum replica count",
            100,
            150,
            100,
            1000,
            150,
            "TooManyReplicas",
        ),
    ];
    let mut cases: Vec<RateCase> = base
        .into_iter()
        .map(
            |(upstream, min, max, current, desired, expected, reason)| RateCase {
                upstream,
                min,
                max,
                current,
                desired,
                expected,
                reason,
                ..R
            },
        )
        .collect();
    cases.extend([
        RateCase {
            upstream: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user \
                       policies",
            max: 2000,
            up: Some((0, 0, 1, 60, 0)),
            current: 3,
            desired: 1000,
            expected: 4,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with default behavior",
            current: 10,
            desired: 50,
            expected: 20,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with pods policy larger than percent policy",
            up: Some((100, 60, 100, 60, 0)),
            current: 10,
            desired: 500,
            expected: 110,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with percent policy larger than pods policy",
            up: Some((2, 60, 100, 60, 0)),
            current: 10,
            desired: 500,
            expected: 20,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with spec MaxReplicas limitation with large pod policy",
            up: Some((100, 60, 0, 0, 0)),
            current: 10,
            desired: 50,
            expected: 50,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "scaleUp with spec MaxReplicas limitation with large percent policy",
            up: Some((10000, 60, 0, 0, 0)),
            current: 10,
            desired: 50,
            expected: 50,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "scaleUp with pod policy limitation",
            up: Some((30, 60, 0, 0, 0)),
            current: 10,
            desired: 50,
            expected: 40,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with percent policy limitation",
            up: Some((0, 0, 200, 60, 0)),
            current: 10,
            desired: 50,
            expected: 30,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with percent policy larger than pod policy",
            down: Some((20, 60, 1, 60, 300)),
            current: 100,
            desired: 2,
            expected: 80,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with pod policy larger than percent policy",
            down: Some((2, 60, 1, 60, 300)),
            current: 100,
            desired: 2,
            expected: 98,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with spec MinReplicas=nil limitation with large pod policy",
            down: Some((100, 60, 0, 0, 300)),
            current: 10,
            desired: 0,
            expected: 1,
            reason: "TooFewReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleDown with spec MinReplicas limitation with large percent policy",
            min: 5,
            down: Some((0, 0, 100, 60, 300)),
            current: 10,
            desired: 2,
            expected: 5,
            reason: "TooFewReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleDown with pod policy limitation",
            down: Some((5, 60, 0, 0, 300)),
            current: 10,
            desired: 2,
            expected: 5,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with percent policy limitation",
            down: Some((0, 0, 50, 60, 300)),
            current: 10,
            desired: 5,
            expected: 5,
            reason: "DesiredWithinRange",
            ..R
        },
    ]);
    cases.extend(rate_cases_with_events());
    cases
}

fn rate_cases_with_events() -> Vec<RateCase> {
    vec![
        RateCase {
            upstream: "scaleUp with spec MaxReplicas limitation with large pod policy and events",
            up_events: &[1, 5, 9],
            max: 200,
            up: Some((300, 60, 0, 0, 0)),
            current: 100,
            desired: 500,
            expected: 200,
            reason: "TooManyReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleUp with spec MaxReplicas limitation with large percent policy and \
                       events",
            up_events: &[1, 5, 9],
            max: 200,
            up: Some((0, 0, 10000, 60, 0)),
            current: 100,
            desired: 500,
            expected: 200,
            reason: "TooManyReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot \
                       of recent scale up events",
            up_events: &[1, 5, 9],
            up: Some((5, 120, 0, 0, 0)),
            current: 100,
            desired: 500,
            expected: 100,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with pod policy and previous scale up events",
            up_events: &[1, 5, 9],
            up: Some((150, 120, 0, 0, 0)),
            current: 100,
            desired: 500,
            expected: 235,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleUp with percent policy and previous scale up events",
            up_events: &[1, 5, 9],
            up: Some((0, 0, 200, 120, 0)),
            current: 100,
            desired: 500,
            expected: 255,
            reason: "ScaleUpLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with default policy and previous events",
            down_events: &[1, 5, 9],
            current: 10,
            desired: 5,
            expected: 5,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "scaleDown with spec MinReplicas=nil limitation with large pod policy and \
                       previous events",
            down_events: &[1, 5, 9],
            down: Some((115, 120, 0, 0, 300)),
            current: 100,
            desired: 0,
            expected: 1,
            reason: "TooFewReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleDown with spec MinReplicas limitation with large pod policy and \
                       previous events",
            down_events: &[1, 5, 9],
            min: 5,
            down: Some((130, 120, 0, 0, 300)),
            current: 100,
            desired: 0,
            expected: 5,
            reason: "TooFewReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleDown with spec MinReplicas limitation with large percent policy and \
                       previous events",
            down_events: &[1, 5, 9],
            min: 5,
            down: Some((0, 0, 100, 120, 300)),
            current: 100,
            desired: 2,
            expected: 5,
            reason: "TooFewReplicas",
            ..R
        },
        RateCase {
            upstream: "scaleDown with pod policy limitation and previous events",
            down_events: &[1, 5, 9],
            down: Some((5, 120, 0, 0, 300)),
            current: 100,
            desired: 2,
            expected: 100,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with percent policy limitation and previous events",
            down_events: &[2, 4, 6],
            down: Some((0, 0, 50, 120, 300)),
            current: 100,
            desired: 0,
            expected: 56,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with previous events preventing further scale down",
            down_events: &[10, 10, 10],
            down: Some((0, 0, 10, 120, 300)),
            current: 100,
            desired: 0,
            expected: 100,
            reason: "ScaleDownLimit",
            ..R
        },
        RateCase {
            upstream: "scaleDown with with previous events still allowing more scale down",
            down_events: &[10, 10, 10],
            down: Some((0, 0, 1000, 120, 300)),
            current: 10,
            desired: 5,
            expected: 5,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "check 'outdated' flag for events for one behavior for up",
            up_events: &[8, 12, 9, 11],
            up: Some((1000, 60, 0, 0, 0)),
            current: 100,
            desired: 200,
            expected: 200,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "check that events were not marked 'outdated' for two different policies \
                       in the behavior for up",
            up_events: &[8, 12, 9, 11],
            up: Some((1000, 120, 100, 60, 0)),
            current: 100,
            desired: 200,
            expected: 200,
            reason: "DesiredWithinRange",
            ..R
        },
        RateCase {
            upstream: "check 'outdated' flag for events for one behavior for down",
            down_events: &[8, 12, 9, 11],
            down: Some((1000, 60, 0, 0, 300)),
            current: 100,
            desired: 5,
            expected: 5,
            reason: "DesiredWithinRange",
            ..R
        },
    ]
}

fn effective(case: &RateCase) -> EffectiveBehavior {
    let to_rules =
        |r: Option<(i32, i32, i32, i32, i32)>| r.map(|(a, b, c, d, e)| rules(a, b, c, d, e));
    let behavior = Behavior {
        scale_up: to_rules(case.up),
        scale_down: to_rules(case.down),
    };
    behavior::effective(&behavior, &ControllerConfig::default())
}

#[test]
fn scaling_with_rules_matches_upstream() {
    let cases = rate_cases();
    assert!(cases.len() >= 30);
    for case in &cases {
        let history = History {
            scale_up_events: spread(case.up_events, 120),
            scale_down_events: spread(case.down_events, 120),
            ..History::default()
        };
        let limited = behavior::limit_with_behavior(
            &history,
            &effective(case),
            case.current,
            case.desired,
            (case.min, case.max),
            now(),
        );
        assert_eq!(
            (limited.replicas, limited.reason),
            (case.expected, case.reason),
            "upstream: horizontal_test.go TestScalingWithRules/{}",
            case.upstream
        );
    }
}

/// upstream: horizontal_test.go TestCalculateScaleUpLimitWithScalingRules and
/// TestCalculateScaleDownLimitWithBehaviors: selectPolicy Min picks the smaller change.
#[test]
fn select_policy_min_picks_the_smaller_change() {
    let min_rules = ScalingRules {
        select_policy: Some(SelectPolicy::Min),
        ..rules(2, 60, 50, 60, 300)
    };
    let behavior = behavior::effective(
        &Behavior {
            scale_up: Some(min_rules.clone()),
            scale_down: Some(min_rules),
        },
        &ControllerConfig::default(),
    );
    let history = History::default();
    let up = behavior::limit_with_behavior(&history, &behavior, 1, 100, (1, 100), now());
    assert_eq!((up.replicas, up.reason), (2, "ScaleUpLimit"));
    let down = behavior::limit_with_behavior(&history, &behavior, 5, 1, (1, 100), now());
    assert_eq!((down.replicas, down.reason), (3, "ScaleDownLimit"));
}

/// upstream: horizontal_test.go TestConvertDesiredReplicasWithRules (legacy path, cap
/// `max(2 × current, 4)`).
#[test]
fn legacy_limits_match_upstream() {
    let cases = [
        (
            "prenormalized desired replicas within range",
            5,
            7,
            3,
            8,
            7,
            "DesiredWithinRange",
        ),
        (
            "prenormalized desired replicas < minReplicas",
            3,
            1,
            2,
            8,
            2,
            "TooFewReplicas",
        ),
        (
            "prenormalized desired zeroed replicas within range",
            1,
            0,
            0,
            10,
            0,
            "DesiredWithinRange",
        ),
        (
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
            20,
            1000,
            1,
            10,
            10,
            "TooManyReplicas",
        ),
        (
            "scaleUpLimit is the limit because scaleUpLimit < maxReplicas",
            3,
            1000,
            1,
            2000,
            6,
            "ScaleUpLimit",
        ),
    ];
    let config = ControllerConfig::default();
    for (upstream, current, desired, min, max, expected, reason) in cases {
        let limited = behavior::limit_legacy(current, desired, min, max, &config);
        assert_eq!(
            (limited.replicas, limited.reason),
            (expected, reason),
            "upstream: {upstream}"
        );
    }
}

/// `(upstream name, recommendations (replicas, seconds ago), proposal, expected, log length)`.
type LegacyCase = (&'static str, Recs, i32, i32, usize);
/// Recommendations or events as `(replicas, seconds ago)`.
type Recs = &'static [(i32, i64)];
/// `(name, recommendations, current, proposal, expected, stored, up window, down window)`.
type BehaviorCase = (&'static str, Recs, i32, i32, i32, &'static [i32], i32, i32);
/// `(name, previous events, rules, change in the last 60 s, stored (change, outdated))`.
type StoreCase = (
    &'static str,
    Recs,
    Option<RulesArgs>,
    i32,
    &'static [(i32, bool)],
);
/// The arguments of upstream's `generateScalingRules`.
type RulesArgs = (i32, i32, i32, i32, i32);

/// upstream: horizontal_test.go TestNormalizeDesiredReplicas (legacy stabilization over a
/// 5-minute window): result and the length of the stored log.
#[test]
fn legacy_stabilization_matches_upstream() {
    let cases: [LegacyCase; 5] = [
        ("empty log", &[], 5, 5, 1),
        ("stabilize", &[(4, 120), (5, 60)], 3, 5, 3),
        ("no stabilize", &[(1, 120), (2, 60)], 3, 3, 3),
        (
            "no stabilize - old recommendations",
            &[(10, 600), (9, 540)],
            3,
            3,
            2,
        ),
        (
            "stabilize - old recommendations",
            &[(10, 600), (4, 60), (5, 120), (9, 540)],
            3,
            5,
            4,
        ),
    ];
    for (upstream, recs, proposal, expected, log_length) in cases {
        let mut history = recommendations(recs);
        let window = jiff::SignedDuration::from_mins(5);
        let stabilized = behavior::stabilize_legacy(&mut history, proposal, window, now());
        assert_eq!(stabilized.replicas, expected, "upstream: {upstream}");
        assert_eq!(
            history.recommendations.len(),
            log_length,
            "upstream: {upstream}"
        );
    }
}

/// upstream: horizontal_test.go TestNormalizeDesiredReplicasWithBehavior: the stabilized count
/// and the stored recommendations (which slot a new one overwrites).
#[test]
fn behavior_stabilization_matches_upstream() {
    let cases: [BehaviorCase; 9] = [
        (
            "empty recommendations for scaling down",
            &[],
            100,
            5,
            5,
            &[5],
            0,
            0,
        ),
        (
            "simple scale down stabilization",
            &[(4, 120), (5, 60)],
            100,
            3,
            5,
            &[4, 5, 3],
            0,
            180,
        ),
        (
            "simple scale up stabilization",
            &[(4, 120), (5, 60)],
            1,
            7,
            4,
            &[4, 5, 7],
            300,
            0,
        ),
        (
            "no scale down stabilization",
            &[(1, 120), (2, 60)],
            100,
            3,
            3,
            &[1, 2, 3],
            300,
            0,
        ),
        (
            "no scale up stabilization",
            &[(4, 120), (5, 60)],
            1,
            3,
            3,
            &[4, 5, 3],
            0,
            300,
        ),
        (
            "no scale down stabilization, reuse recommendation element",
            &[(10, 600), (9, 540)],
            100,
            3,
            3,
            &[10, 3],
            0,
            0,
        ),
        (
            "no scale up stabilization, reuse recommendation element",
            &[(10, 600), (9, 540)],
            1,
            100,
            100,
            &[10, 100],
            0,
            0,
        ),
        (
            "scale down stabilization, reuse one of obsolete recommendation element",
            &[(10, 600), (4, 60), (5, 120), (9, 540)],
            100,
            3,
            5,
            &[10, 4, 5, 3],
            0,
            180,
        ),
        (
            "scale up stabilization, reuse one of obsolete recommendation element",
            &[(10, 6000), (6, 60), (5, 120), (9, 180)],
            1,
            100,
            5,
            &[100, 6, 5, 9],
            300,
            0,
        ),
    ];
    for (upstream, recs, current, proposal, expected, stored, up_window, down_window) in cases {
        let behavior = behavior::effective(
            &Behavior {
                scale_up: Some(ScalingRules {
                    stabilization_window_seconds: Some(up_window),
                    ..ScalingRules::default()
                }),
                scale_down: Some(ScalingRules {
                    stabilization_window_seconds: Some(down_window),
                    ..ScalingRules::default()
                }),
            },
            &ControllerConfig::default(),
        );
        let mut history = recommendations(recs);
        let result =
            behavior::stabilize_with_behavior(&mut history, &behavior, current, proposal, now());
        assert_eq!(result.replicas, expected, "upstream: {upstream}");
        let kept: Vec<i32> = history.recommendations.iter().map(|r| r.replicas).collect();
        assert_eq!(kept, stored, "upstream: {upstream}");
    }
}

/// upstream: horizontal_test.go TestStoreScaleEvents: the replicas changed in the last 60 s
/// before storing, then the stored events `(change, outdated)` after a change of 5, in both
/// directions.
#[test]
fn store_scale_events_matches_upstream() {
    let cases: [StoreCase; 6] = [
        (
            "empty entries with two-policy-behavior",
            &[],
            Some((10, 60, 100, 60, 0)),
            0,
            &[(5, false)],
        ),
        (
            "one outdated entry to be replaced with behavior",
            &[(7, 61)],
            Some((10, 60, 100, 60, 0)),
            0,
            &[(5, false)],
        ),
        (
            "one actual entry to be not touched with behavior",
            &[(7, 58)],
            Some((10, 60, 100, 60, 0)),
            7,
            &[(7, false), (5, false)],
        ),
        (
            "two entries, one of them to be replaced",
            &[(7, 61), (6, 59)],
            Some((10, 60, 0, 0, 0)),
            6,
            &[(5, false), (6, false)],
        ),
        (
            "replace one entry, use policies with different periods",
            &[(8, 29), (6, 59), (7, 61), (9, 61)],
            Some((10, 60, 100, 30, 0)),
            14,
            &[(8, false), (6, false), (7, true), (5, false)],
        ),
        (
            "two entries, both actual",
            &[(7, 58), (6, 59)],
            Some((10, 120, 100, 30, 0)),
            13,
            &[(7, false), (6, false), (5, false)],
        ),
    ];
    for (upstream, previous, scaling, changed, expected) in cases {
        let events: Vec<ScaleEvent> = previous
            .iter()
            .map(|&(change, ago)| ScaleEvent {
                change,
                at: at(-ago),
                outdated: false,
            })
            .collect();
        let r = scaling.map(|(a, b, c, d, e)| rules(a, b, c, d, e));
        for up in [true, false] {
            let behavior = behavior::effective(
                &Behavior {
                    scale_up: r.clone().filter(|_| up),
                    scale_down: r.clone().filter(|_| !up),
                },
                &ControllerConfig::default(),
            );
            let mut history = History::default();
            if up {
                history.scale_up_events = events.clone();
            } else {
                history.scale_down_events = events.clone();
            }
            assert_eq!(
                behavior::change_in_period(&events, 60, now()),
                changed,
                "upstream: {upstream}"
            );
            let new = if up { 15 } else { 5 };
            behavior::store_scale_event(&mut history, &behavior, 10, new, now());
            let stored = if up {
                &history.scale_up_events
            } else {
                &history.scale_down_events
            };
            let got: Vec<(i32, bool)> = stored.iter().map(|e| (e.change, e.outdated)).collect();
            assert_eq!(got, expected, "upstream: {upstream} (up: {up})");
        }
    }
}

/// upstream: horizontal_test.go TestZeroReplicas, TestTooFewReplicas, TestTooManyReplicas: the
/// pre-checks decide without metrics.
#[test]
fn pre_checks_match_upstream() {
    let cases = [
        (
            "TestZeroReplicas",
            0,
            0,
            Some("ScalingDisabled"),
            Limit::ScalingDisabled,
        ),
        (
            "TestTooFewReplicas",
            2,
            3,
            None,
            Limit::CurrentBelowMin { min: 3, current: 2 },
        ),
        (
            "TestTooManyReplicas",
            10,
            5,
            None,
            Limit::CurrentAboveMax {
                max: 5,
                current: 10,
            },
        ),
    ];
    for (upstream, current, expected, reason, limit) in cases {
        let mut input = hpa(current, 3, 5);
        input.metrics = vec![cpu_metric(&[], 90)];
        let decision = decide(&input);
        assert_eq!(decision.desired, expected, "upstream: {upstream}");
        assert_eq!(decision.binding(), Some(&limit), "upstream: {upstream}");
        let active = decision
            .conditions
            .iter()
            .find(|c| c.condition_type == "ScalingActive");
        assert_eq!(active.map(|c| c.reason), reason, "upstream: {upstream}");
    }
}

/// A CPU Utilization metric over pods `cpu-<i>` with the given usage (milli), each requesting
/// the matching entry of `requests`.
fn cpu_metric(levels: &[i64], target: i32) -> MetricInput {
    let samples = levels
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let sample = PodSample {
                value: Milli(*level),
                timestamp: now(),
                window: jiff::SignedDuration::from_secs(30),
            };
            (format!("cpu-{i}"), sample)
        })
        .collect();
    MetricInput {
        name: "cpu".to_string(),
        source: MetricSource::Resource {
            resource: "cpu".to_string(),
            container: None,
        },
        target: Target::Utilization(target),
        observed: Observed::PerPod { samples },
        trigger: None,
    }
}

fn cpu_pods(requests: &[i64]) -> Vec<Pod> {
    requests
        .iter()
        .enumerate()
        .map(|(i, request)| Pod {
            containers: vec![ContainerRequests {
                name: "server".to_string(),
                requests: [("cpu".to_string(), Milli(*request))].into(),
            }],
            ..Pod::running(&format!("cpu-{i}"), true, at(-600))
        })
        .collect()
}

fn failing_external(name: &str) -> MetricInput {
    MetricInput {
        observed: Observed::Failed {
            reason: "something went wrong".to_string(),
        },
        ..external(name, Target::Value(Milli(100)), Milli::ZERO)
    }
}

/// upstream: horizontal_test.go TestScaleUpOneMetricEmpty, TestNoScaleDownOneMetricEmpty,
/// TestMinReplicas, TestMinReplicasDesiredZero: whole reconciles with CPU metrics.
#[test]
fn reconciles_match_upstream() {
    struct Reconcile {
        upstream: &'static str,
        min: i32,
        max: i32,
        current: i32,
        target: i32,
        levels: &'static [i64],
        requests: &'static [i64],
        failing_external: bool,
        expected: i32,
        limited: &'static str,
    }
    let cases = [
        Reconcile {
            upstream: "TestScaleUpOneMetricEmpty",
            min: 2,
            max: 6,
            current: 3,
            target: 30,
            levels: &[300, 400, 500],
            requests: &[1000, 1000, 1000],
            failing_external: true,
            expected: 4,
            limited: "DesiredWithinRange",
        },
        Reconcile {
            upstream: "TestNoScaleDownOneMetricEmpty",
            min: 2,
            max: 6,
            current: 5,
            target: 50,
            levels: &[100, 300, 500, 250, 250],
            requests: &[1000, 1000, 1000, 1000, 1000],
            failing_external: true,
            expected: 5,
            limited: "",
        },
        Reconcile {
            upstream: "TestMinReplicas",
            min: 2,
            max: 5,
            current: 3,
            target: 90,
            levels: &[10, 95, 10],
            requests: &[900, 1000, 1100],
            failing_external: false,
            expected: 2,
            limited: "TooFewReplicas",
        },
        Reconcile {
            upstream: "TestMinReplicasDesiredZero",
            min: 2,
            max: 5,
            current: 3,
            target: 90,
            levels: &[0, 0, 0],
            requests: &[900, 1000, 1100],
            failing_external: false,
            expected: 2,
            limited: "TooFewReplicas",
        },
    ];
    for case in cases {
        let mut input = hpa(case.current, case.min, case.max);
        input.pods = cpu_pods(case.requests);
        input.metrics = vec![cpu_metric(case.levels, case.target)];
        if case.failing_external {
            input.metrics.push(failing_external("qps"));
        }
        // Upstream's fixtures start with an empty recommendation log, not a restart seed.
        input.history = recommendations(&[(case.current, 600)]);
        let decision = decide(&input);
        assert_eq!(
            decision.desired, case.expected,
            "upstream: {}",
            case.upstream
        );
        let limited = decision
            .conditions
            .iter()
            .find(|c| c.condition_type == "ScalingLimited")
            .map_or("", |c| c.reason);
        assert_eq!(limited, case.limited, "upstream: {}", case.upstream);
    }
}

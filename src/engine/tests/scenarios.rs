//! End-to-end decisions for the situations `explain` must explain: each asserts the desired
//! count and the binding limit.

use super::*;
use crate::engine::{Limit, decide};

#[test]
fn steady_state_within_tolerance_keeps_the_count() {
    let mut input = hpa(4, 1, 10);
    // 41 waiting for a per-replica target of 10 at 4 replicas: ratio 1.025, within 0.1.
    input.metrics = vec![external(
        "q",
        Target::AverageValue(Milli::from_units(10)),
        Milli::from_units(41),
    )];
    input.history = recommendations(&[(4, 60)]);
    let decision = decide(&input);
    assert_eq!(decision.desired, 4);
    assert!(decision.proposals[0].within_tolerance);
    assert_eq!(decision.binding(), None);
}

#[test]
fn max_replicas_caps_a_scale_up() {
    let mut input = hpa(6, 1, 8);
    input.metrics = vec![external(
        "q",
        Target::AverageValue(Milli::from_units(10)),
        Milli::from_units(200),
    )];
    input.history = recommendations(&[(6, 60)]);
    let decision = decide(&input);
    assert_eq!(decision.recommendation, Some(20));
    assert_eq!(decision.desired, 8);
    assert_eq!(
        decision.binding(),
        Some(&Limit::MaxReplicas { max: 8, wanted: 20 })
    );
}

#[test]
fn scale_down_is_held_by_the_stabilization_window() {
    let mut input = hpa(5, 1, 10);
    input.metrics = vec![external(
        "q",
        Target::AverageValue(Milli::from_units(10)),
        Milli::from_units(20),
    )];
    input.history = recommendations(&[(5, 120), (4, 60)]);
    let decision = decide(&input);
    assert_eq!(decision.desired, 5);
    assert_eq!(
        decision.binding(),
        Some(&Limit::ScaleDownStabilized {
            held_at: 5,
            wanted: 2,
            window_seconds: 300,
            until: Some(at(-120 + 300)),
            history: HistoryBasis::Recorded,
        })
    );
}

#[test]
fn keda_inactive_in_cooldown_keeps_one_replica() {
    let mut input = hpa(1, 1, 10);
    input.metrics = vec![trigger("queue", 0.0, 10.0, 0.0)];
    input.history = recommendations(&[(1, 60)]);
    input.keda = Some(KedaInput {
        last_active_time: Some(at(-100)),
        ..KedaInput::default()
    });
    let decision = decide(&input);
    assert_eq!(decision.desired, 1);
    assert_eq!(
        decision.binding(),
        Some(&Limit::KedaCooldown {
            period_seconds: 300,
            until: Some(at(200)),
            remaining_seconds: 200,
        })
    );
    assert!(!decision.activation.as_ref().is_some_and(|a| a.active));
}

#[test]
fn value_target_counts_only_ready_pods_during_cold_start() {
    let mut input = hpa(6, 1, 20);
    // KV-cache at 90 % against a target of 60 %, 6 pods of which 2 are still loading weights.
    input.metrics = vec![external("kv", Target::Value(Milli(600)), Milli(900))];
    input.pods = pods(6, 4);
    input.history = recommendations(&[(6, 60)]);
    let decision = decide(&input);
    assert_eq!(decision.proposals[0].proposed_replicas, Some(6));
    assert_eq!(
        decision.proposals[0].basis,
        Some(crate::engine::Basis::ReadyPods(4))
    );
    assert_eq!(decision.desired, 6);
}

/// The JSON that `explain -o json` embeds: two triggers where the second wins, a scale-up
/// capped by a policy. The snapshot documents the field names and the step order.
#[test]
fn decision_serializes_as_documented() {
    let mut input = hpa(2, 1, 20);
    input.metrics = vec![
        trigger("running", 6.0, 4.0, 0.0),
        trigger("waiting", 90.0, 10.0, 5.0),
    ];
    input.behavior = Some(Behavior {
        scale_up: Some(ScalingRules {
            policies: vec![ScalingPolicy {
                policy_type: PolicyType::Pods,
                value: 2,
                period_seconds: 60,
            }],
            ..ScalingRules::default()
        }),
        scale_down: None,
    });
    input.history = recommendations(&[(2, 30)]);
    input.keda = Some(KedaInput {
        min_replica_count: 1,
        max_replica_count: 20,
        last_active_time: Some(at(-30)),
        ..KedaInput::default()
    });
    let decision = decide(&input);
    assert_eq!(decision.desired, 4);
    insta::assert_json_snapshot!(decision);
}

#[test]
fn per_hpa_tolerance_overrides_the_global_flag() {
    // 4 replicas, 43 waiting for 10 each: ratio 1.075 is inside the global 0.1 band.
    let base = || {
        let mut input = hpa(4, 1, 10);
        input.metrics = vec![external(
            "q",
            Target::AverageValue(Milli::from_units(10)),
            Milli::from_units(43),
        )];
        input.history = recommendations(&[(4, 600)]);
        input
    };
    assert_eq!(decide(&base()).desired, 4);
    // behavior.scaleUp.tolerance 0.05 narrows the band upwards: ceil(43 / 10) = 5.
    let mut narrow = base();
    narrow.behavior = Some(Behavior {
        scale_up: Some(ScalingRules {
            tolerance: Some(0.05),
            ..ScalingRules::default()
        }),
        scale_down: None,
    });
    let decision = decide(&narrow);
    assert_eq!(decision.desired, 5);
    assert_eq!(decision.tolerance.up, 0.05);
    assert_eq!(decision.tolerance.down, 0.1);
    // With the HPAConfigurableTolerance gate off the field is ignored.
    narrow.controller.configurable_tolerance = false;
    assert_eq!(decide(&narrow).desired, 4);
}

#[test]
fn partial_metric_failure_allows_scale_up_but_not_scale_down() {
    let failing = || MetricInput {
        observed: Observed::Failed {
            reason: "timeout".to_string(),
        },
        ..external("broken", Target::Value(Milli::from_units(1)), Milli::ZERO)
    };
    for (waiting, expected) in [(80, 8), (20, 5)] {
        let mut input = hpa(5, 1, 10);
        input.metrics = vec![
            external(
                "q",
                Target::AverageValue(Milli::from_units(10)),
                Milli::from_units(waiting),
            ),
            failing(),
        ];
        input.history = recommendations(&[(5, 600)]);
        let decision = decide(&input);
        assert_eq!(decision.desired, expected, "{waiting} waiting");
        let active = decision
            .conditions
            .iter()
            .find(|c| c.condition_type == "ScalingActive")
            .map(|c| (c.status, c.reason));
        let expected_active = if expected > 5 {
            (true, "ValidMetricFound")
        } else {
            (false, "FailedGetExternalMetric")
        };
        assert_eq!(active, Some(expected_active), "{waiting} waiting");
    }
}

#[test]
fn a_reported_cpu_average_proposes_over_the_pods_counted_ready() {
    let mut input = hpa(3, 1, 10);
    input.metrics = vec![MetricInput {
        name: "cpu".to_string(),
        source: MetricSource::Resource {
            resource: "cpu".to_string(),
            container: None,
        },
        target: Target::Utilization(50),
        observed: Observed::Average {
            value: Milli::from_units(80),
        },
        trigger: None,
    }];
    // Two pods ready long ago, one started 60 s ago and not ready yet (CPU initialization).
    input.pods = pods(2, 2);
    input.pods.push(Pod::running("young", false, at(-60)));
    input.history = recommendations(&[(3, 600)]);
    let decision = decide(&input);
    let proposal = &decision.proposals[0];
    assert_eq!(proposal.ratio, Some(1.6));
    // ceil(1.6 x 2 ready pods) = 4.
    assert_eq!(proposal.proposed_replicas, Some(4));
    assert!(proposal.approximate.is_some());
    assert_eq!(decision.desired, 4);
    // No pods known: the proposal is unknown, not a failure.
    input.pods.clear();
    let decision = decide(&input);
    assert!(decision.proposals[0].not_observed.is_some());
    assert!(decision.proposals[0].invalid_reason.is_none());
}

#[test]
fn a_tie_in_the_window_holds_until_the_latest_of_the_tied_leaves() {
    let mut input = hpa(8, 1, 10);
    input.metrics = vec![external(
        "q",
        Target::AverageValue(Milli::from_units(10)),
        Milli::from_units(30),
    )];
    // 8 recommended 200 s and 100 s ago: the hold at 8 lasts until the later one leaves.
    input.history = recommendations(&[(8, 200), (6, 150), (8, 100)]);
    let until = |d: &crate::engine::Decision| match d.binding() {
        Some(Limit::ScaleDownStabilized { until, .. }) => *until,
        other => panic!("{other:?}"),
    };
    assert_eq!(until(&decide(&input)), Some(at(-100 + 300)));
    // The same with behavior (windows count recommendations strictly after the cutoff).
    input.behavior = Some(Behavior::default());
    assert_eq!(until(&decide(&input)), Some(at(-100 + 300)));
}

#[test]
fn an_assumed_history_holds_without_a_time() {
    let mut input = hpa(8, 1, 10);
    input.metrics = vec![external(
        "q",
        Target::AverageValue(Milli::from_units(10)),
        Milli::from_units(30),
    )];
    let decision = decide(&input);
    assert_eq!(decision.desired, 8);
    assert_eq!(
        decision.binding(),
        Some(&Limit::ScaleDownStabilized {
            held_at: 8,
            wanted: 3,
            window_seconds: 300,
            until: None,
            history: HistoryBasis::Assumed,
        })
    );
}

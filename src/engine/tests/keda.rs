//! KEDA's side, ported from `pkg/scaling/executor/scale_scaledobjects_test.go` and
//! `pkg/fallback/fallback_test.go` as data, plus activation and scalingModifiers.

use super::*;
use crate::engine::{ActivitySource, Decision, Limit, decide};

/// A ScaledObject's HPA at `current` replicas with one prometheus trigger whose value keeps
/// the HPA where it is (total = target × replicas), so that KEDA's executor decides.
fn scaled_object(current: i32, keda: KedaInput, active: bool) -> Input {
    let mut input = hpa(
        current,
        keda.min_replica_count.max(1),
        keda.max_replica_count,
    );
    let value = if active {
        10.0 * f64::from(current.max(1))
    } else {
        0.0
    };
    input.metrics = vec![trigger("queue", value, 10.0, 0.0)];
    input.history = recommendations(&[(current, 600)]);
    input.keda = Some(keda);
    input
}

fn annotations(f: impl FnOnce(&mut KedaAnnotations)) -> KedaAnnotations {
    let mut a = KedaAnnotations::default();
    f(&mut a);
    a
}

struct ExecutorCase {
    upstream: &'static str,
    min: i32,
    idle: Option<i32>,
    current: i32,
    active: bool,
    annotations: KedaAnnotations,
    expected: i32,
    reason: &'static str,
}

/// upstream: scale_scaledobjects_test.go, one case per test function.
fn executor_cases() -> Vec<ExecutorCase> {
    let case = |upstream, min, idle, current, active, expected, reason| ExecutorCase {
        upstream,
        min,
        idle,
        current,
        active,
        annotations: KedaAnnotations::default(),
        expected,
        reason,
    };
    vec![
        case(
            "TestScaleToMinReplicasWhenNotActive",
            0,
            None,
            10,
            false,
            0,
            "ScalerNotActive",
        ),
        case(
            "TestScaleToMinReplicasFromLowerInitialReplicaCount",
            5,
            None,
            1,
            false,
            5,
            "ScalerNotActive",
        ),
        case(
            "TestScaleFromMinReplicasWhenActive",
            0,
            None,
            0,
            true,
            1,
            "ScalerActive",
        ),
        case(
            "TestScaleToIdleReplicasWhenNotActive",
            5,
            Some(0),
            10,
            false,
            0,
            "ScalerNotActive",
        ),
        case(
            "TestScaleFromIdleToMinReplicasWhenActive",
            5,
            Some(0),
            0,
            true,
            5,
            "ScalerActive",
        ),
        case(
            "TestEventWitTriggerInfo",
            5,
            Some(0),
            2,
            true,
            5,
            "ScalerActive",
        ),
        ExecutorCase {
            annotations: annotations(|a| a.paused_scale_in = true),
            ..case(
                "TestNoScaleToMinReplicasWhenNotActiveAndPauseScaleInAnnotationSet",
                0,
                None,
                10,
                false,
                10,
                "ScalerNotActive",
            )
        },
        ExecutorCase {
            annotations: annotations(|a| a.paused_scale_in = true),
            ..case(
                "TestNoScaleToIdleReplicasWhenNotActiveAndPauseScaleInAnnotationSet",
                5,
                Some(0),
                10,
                false,
                10,
                "ScalerNotActive",
            )
        },
        ExecutorCase {
            annotations: annotations(|a| a.paused_scale_out = true),
            ..case(
                "TestNoScaleFromZeroToMinReplicasWhenActiveAndPausedScaleOutAnnotationSet",
                0,
                None,
                0,
                true,
                0,
                "ScalerActive",
            )
        },
        ExecutorCase {
            annotations: annotations(|a| a.paused_scale_out = true),
            ..case(
                "TestNoScaleFromIdleReplicasToMinReplicasWhenActiveAndPausedScaleOutAnnotationSet",
                5,
                Some(0),
                0,
                true,
                0,
                "ScalerActive",
            )
        },
    ]
}

#[test]
fn scale_executor_cases_match_upstream() {
    for case in executor_cases() {
        let keda = KedaInput {
            min_replica_count: case.min,
            max_replica_count: 10.max(case.min),
            idle_replica_count: case.idle,
            annotations: case.annotations.clone(),
            ..KedaInput::default()
        };
        let decision = decide(&scaled_object(case.current, keda, case.active));
        assert_eq!(
            decision.desired, case.expected,
            "upstream: {}",
            case.upstream
        );
        let activation = decision.activation.as_ref().expect("a KEDA decision");
        assert_eq!(
            activation.active, case.active,
            "upstream: {}",
            case.upstream
        );
        assert_eq!(
            activation.reason, case.reason,
            "upstream: {}",
            case.upstream
        );
    }
}

/// upstream: scale_scaledobjects_test.go TestScaleToPausedReplicasCount: paused-replicas pins
/// the count and nothing else is evaluated.
#[test]
fn paused_replicas_pin_the_count() {
    let keda = KedaInput {
        annotations: annotations(|a| a.paused_replicas = Some(0)),
        ..KedaInput::default()
    };
    let decision = decide(&scaled_object(2, keda, true));
    assert_eq!(decision.desired, 0);
    assert_eq!(decision.binding(), Some(&Limit::Paused { replicas: 0 }));
    assert_eq!(decision.activation, None);
    assert!(decision.proposals.is_empty());
}

#[test]
fn cooldown_holds_then_releases_the_last_replica() {
    // Inactive with minReplicaCount 0: the scale to zero waits for cooldownPeriod after the
    // last active poll; the comparison is strict (`lastActive + cooldown < now`).
    for (last_active, expected) in [(-299, 1), (-300, 1), (-301, 0)] {
        let keda = KedaInput {
            last_active_time: Some(at(last_active)),
            ..KedaInput::default()
        };
        let decision = decide(&scaled_object(1, keda, false));
        assert_eq!(decision.desired, expected, "last active {last_active}s");
    }
}

#[test]
fn initial_cooldown_applies_before_the_first_activity() {
    let keda = |created| KedaInput {
        creation_time: Some(at(created)),
        initial_cooldown_period: jiff::SignedDuration::from_secs(120),
        ..KedaInput::default()
    };
    // Still in the initial cooldown: the HPA alone scales 3 -> 1 (its floor), KEDA holds 1.
    let held = decide(&scaled_object(3, keda(-60), false));
    assert_eq!(held.desired, 1);
    assert!(matches!(
        held.binding(),
        Some(Limit::KedaCooldown {
            remaining_seconds: 60,
            ..
        })
    ));
    assert_eq!(decide(&scaled_object(3, keda(-180), false)).desired, 0);
}

#[test]
fn activation_is_strictly_greater_than_the_threshold() {
    for (value, active) in [(5.0, false), (5.001, true)] {
        let mut input = hpa(0, 1, 10);
        input.metrics = vec![trigger("queue", value, 10.0, 5.0)];
        input.keda = Some(KedaInput::default());
        let decision = decide(&input);
        let activation = decision.activation.expect("a KEDA decision");
        assert_eq!(activation.active, active, "value {value}");
        assert_eq!(decision.desired, i32::from(active), "value {value}");
    }
}

#[test]
fn a_failing_trigger_without_fallback_never_scales_to_zero() {
    let mut input = scaled_object(2, KedaInput::default(), false);
    input.metrics[0].observed = Observed::Failed {
        reason: "connection refused".to_string(),
    };
    let decision = decide(&input);
    assert_eq!(decision.desired, 2);
    assert_eq!(
        decision.binding(),
        Some(&Limit::KedaTriggerError {
            metric: "s0-queue".to_string()
        })
    );
}

#[test]
fn no_data_is_read_as_zero_when_null_values_are_ignored() {
    let mut input = scaled_object(1, KedaInput::default(), false);
    input.metrics[0].observed = Observed::NoData { read_as_zero: true };
    let decision = decide(&input);
    // Read as 0: inactive, never active before, cooled down since creation: to zero.
    assert_eq!(decision.desired, 0);
    assert!(decision.limits.contains(&Limit::NoDataReadAsZero {
        metric: "s0-queue".to_string()
    }));
}

/// One fallback case: consecutive failures, the fallback config, current replicas, and the
/// replicas the HPA lands on.
struct FallbackCase {
    upstream: &'static str,
    failures: i32,
    threshold: i32,
    behavior: FallbackBehavior,
    current: i32,
    fallback_replicas: Option<i32>,
    expected: i32,
}

fn fallback_decision(case: &FallbackCase) -> Decision {
    let keda = KedaInput {
        min_replica_count: 1,
        fallback: Some(Fallback {
            failure_threshold: case.threshold,
            replicas: 10,
            behavior: case.behavior,
        }),
        ..KedaInput::default()
    };
    let mut input = scaled_object(case.current, keda, true);
    input.max_replicas = 100;
    let trigger = input.metrics[0].trigger.as_mut().expect("a trigger");
    trigger.consecutive_failures = case.failures;
    input.metrics[0].observed = Observed::Failed {
        reason: "some error".to_string(),
    };
    decide(&input)
}

/// upstream: fallback_test.go (Ginkgo `It` descriptions); the target is an AverageValue of
/// 10 and `fallback.replicas` is 10, as there. The failure count includes this failure.
#[test]
fn fallback_cases_match_upstream() {
    let cases = [
        FallbackCase {
            upstream: "should bump the number of failures when metrics call fails",
            failures: 1,
            threshold: 3,
            behavior: FallbackBehavior::Static,
            current: 4,
            fallback_replicas: None,
            expected: 4,
        },
        FallbackCase {
            upstream: "should return a normalised metric when number of failures are beyond \
                       threshold",
            failures: 4,
            threshold: 3,
            behavior: FallbackBehavior::Static,
            current: 4,
            fallback_replicas: Some(10),
            expected: 8,
        },
        FallbackCase {
            upstream: "should return error when fallback is enabled but scaledobject has invalid \
                       parameter",
            failures: 4,
            threshold: -3,
            behavior: FallbackBehavior::Static,
            current: 4,
            fallback_replicas: None,
            expected: 4,
        },
        FallbackCase {
            upstream: "fallback behavior currentReplicas (keda-fallback-current-replicas)",
            failures: 4,
            threshold: 3,
            behavior: FallbackBehavior::CurrentReplicas,
            current: 6,
            fallback_replicas: Some(6),
            expected: 6,
        },
        FallbackCase {
            upstream: "fallback behavior currentReplicasIfHigher",
            failures: 4,
            threshold: 3,
            behavior: FallbackBehavior::CurrentReplicasIfHigher,
            current: 12,
            fallback_replicas: Some(12),
            expected: 12,
        },
        FallbackCase {
            upstream: "fallback behavior currentReplicasIfLower",
            failures: 4,
            threshold: 3,
            behavior: FallbackBehavior::CurrentReplicasIfLower,
            current: 12,
            fallback_replicas: Some(10),
            expected: 10,
        },
    ];
    for case in &cases {
        let decision = fallback_decision(case);
        // The legacy path caps a scale-up at max(2 × current, 4) per sync.
        assert_eq!(
            decision.desired, case.expected,
            "upstream: {}",
            case.upstream
        );
        let fallback = decision.limits.iter().find_map(|l| match l {
            Limit::Fallback { replicas, .. } => Some(*replicas),
            _ => None,
        });
        assert_eq!(
            fallback, case.fallback_replicas,
            "upstream: {}",
            case.upstream
        );
    }
    // Upstream's normalised metric is target × fallback.replicas = 100; the HPA reports it
    // per status replica: 100 / 4 = 25.
    let normalised = fallback_decision(&cases[1]);
    assert_eq!(normalised.proposals[0].value, Some(Milli(25_000)));
}

fn modifiers_input(values: &[(&str, Option<f64>)], formula: &str, target: &str) -> Input {
    let mut input = hpa(2, 1, 20);
    input.metrics = values
        .iter()
        .map(|(name, value)| {
            let mut metric = trigger(name, value.unwrap_or(0.0), 1.0, 0.0);
            if value.is_none() {
                metric.observed = Observed::Failed {
                    reason: "down".to_string(),
                };
                if let Some(t) = metric.trigger.as_mut() {
                    t.consecutive_failures = 5;
                }
            }
            metric
        })
        .collect();
    input.history = recommendations(&[(2, 600)]);
    input.keda = Some(KedaInput {
        min_replica_count: 1,
        scaling_modifiers: Some(ScalingModifiers {
            formula: formula.to_string(),
            target: target.to_string(),
            activation_target: None,
            metric_type: CompositeMetricType::AverageValue,
        }),
        ..KedaInput::default()
    });
    input
}

#[test]
fn scaling_modifiers_feed_one_composite_metric() {
    let input = modifiers_input(
        &[("queue", Some(30.0)), ("running", Some(10.0))],
        "(queue + running) / 2",
        "5",
    );
    let decision = decide(&input);
    assert_eq!(decision.proposals.len(), 1);
    assert_eq!(
        decision.proposals[0].metric_name,
        crate::engine::COMPOSITE_METRIC
    );
    // 20 / 5 per replica = 4 replicas.
    assert_eq!(decision.desired, 4);
    let composite = decision
        .activation
        .and_then(|a| a.composite)
        .expect("composite");
    assert_eq!(composite.value, Some(20.0));
}

#[test]
fn a_formula_nested_too_deep_fails_the_composite_metric_without_crashing() {
    let deep = format!("{}queue{}", "(".repeat(4000), ")".repeat(4000));
    let input = modifiers_input(&[("queue", Some(30.0))], &deep, "5");
    let decision = decide(&input);
    assert_eq!(decision.recommendation, None);
    assert_eq!(decision.desired, 2);
    // Our limit, not KEDA's: the composite value is unknown, not a failing metric.
    assert!(
        !decision
            .limits
            .iter()
            .any(|l| matches!(l, Limit::InvalidMetrics { .. }))
    );
    assert!(!decision.incomplete.is_empty());
    let formula_step = decision
        .steps
        .iter()
        .find(|s| matches!(s.detail, crate::engine::StepDetail::Formula { .. }))
        .expect("a formula step");
    assert!(
        formula_step.text.contains("nests deeper than 200 levels"),
        "{}",
        formula_step.text
    );
}

#[test]
fn scaling_modifiers_fallback_behavior_routes_around_a_failed_trigger() {
    let mut input = modifiers_input(
        &[("queue", None), ("gateway", Some(12.0))],
        "queue ?? gateway",
        "2",
    );
    if let Some(keda) = input.keda.as_mut() {
        keda.fallback = Some(Fallback {
            failure_threshold: 3,
            replicas: 7,
            behavior: FallbackBehavior::ScalingModifiers,
        });
    }
    let decision = decide(&input);
    // queue is nil, so the formula reads gateway: 12 / 2 = 6 replicas, capped at 2 × 2 = 4.
    assert_eq!(decision.recommendation, Some(6));
    assert_eq!(decision.desired, 4);
}

#[test]
fn scaling_modifiers_default_fallback_skips_the_formula() {
    let mut input = modifiers_input(
        &[("queue", None), ("gateway", Some(12.0))],
        "queue + gateway",
        "2",
    );
    if let Some(keda) = input.keda.as_mut() {
        keda.fallback = Some(Fallback {
            failure_threshold: 3,
            replicas: 3,
            behavior: FallbackBehavior::Static,
        });
    }
    let decision = decide(&input);
    // The composite metric is the fallback: target 2 × 3 replicas, so 3 replicas.
    assert_eq!(decision.recommendation, Some(3));
}

#[test]
fn scaling_modifiers_fallback_needs_an_integer_target() {
    let mut input = modifiers_input(&[("queue", None)], "queue", "2.5");
    if let Some(keda) = input.keda.as_mut() {
        keda.fallback = Some(Fallback {
            failure_threshold: 3,
            replicas: 3,
            behavior: FallbackBehavior::Static,
        });
    }
    let decision = decide(&input);
    // `target: "2.5"` disables fallback: the composite metric fails and nothing scales.
    assert_eq!(decision.recommendation, None);
    assert_eq!(decision.desired, 2);
    assert!(matches!(
        decision.binding(),
        Some(Limit::InvalidMetrics { .. })
    ));
}

#[test]
fn last_active_time_follows_the_executor() {
    let last = Some(at(-1000));
    let keda = |annotations| KedaInput {
        last_active_time: last,
        annotations,
        ..KedaInput::default()
    };
    let active_time = |input: &Input| decide(input).activation.and_then(|a| a.last_active_time);
    // Active with replicas: refreshed.
    assert_eq!(
        active_time(&scaled_object(3, keda(KedaAnnotations::default()), true)),
        Some(now())
    );
    // Inactive: unchanged.
    assert_eq!(
        active_time(&scaled_object(3, keda(KedaAnnotations::default()), false)),
        last
    );
    // Active at zero but paused-scale-out: no activation, unchanged.
    let blocked = annotations(|a| a.paused_scale_out = true);
    assert_eq!(active_time(&scaled_object(0, keda(blocked), true)), last);
    // Active while another trigger fails (PartialTriggerError): unchanged.
    let mut partial = scaled_object(3, keda(KedaAnnotations::default()), true);
    let mut failing = trigger("backup", 0.0, 10.0, 0.0);
    failing.observed = Observed::Failed {
        reason: "timeout".to_string(),
    };
    partial.metrics.push(failing);
    assert_eq!(active_time(&partial), last);
}

#[test]
fn fallback_for_a_value_target_divides_by_ready_pods() {
    // KEDA serves target × replicas / readyPods so that the HPA's ceil(ratio × readyPods)
    // lands on the fallback count: 0.8 × 6 / 4 = 1.2 against 0.8 -> ceil(1.5 × 4) = 6.
    let keda = KedaInput {
        min_replica_count: 1,
        fallback: Some(Fallback {
            failure_threshold: 2,
            replicas: 6,
            behavior: FallbackBehavior::Static,
        }),
        ..KedaInput::default()
    };
    let mut input = hpa(4, 1, 10);
    input.pods = pods(4, 4);
    input.history = recommendations(&[(4, 600)]);
    let mut kv = trigger("kv", 0.0, 0.8, 0.0);
    kv.target = Target::Value(Milli(800));
    kv.observed = Observed::Failed {
        reason: "prometheus unreachable".to_string(),
    };
    if let Some(t) = kv.trigger.as_mut() {
        t.consecutive_failures = 3;
    }
    input.metrics = vec![kv];
    input.keda = Some(keda);
    let decision = decide(&input);
    assert_eq!(decision.proposals[0].total, Some(Milli(1200)));
    assert_eq!(decision.desired, 6);
    // No Ready pod: KEDA cannot build the value, the metric stays failed and nothing moves.
    input.pods = pods(4, 0);
    let stuck = decide(&input);
    assert_eq!(stuck.desired, 4);
    assert!(stuck.proposals[0].invalid_reason.is_some());
}

#[test]
fn fallback_keeps_a_fractional_target() {
    // target 0.5 × 3 replicas = 1.5 in total: ceil(1.5 / 0.5) = 3.
    let keda = KedaInput {
        min_replica_count: 1,
        fallback: Some(Fallback {
            failure_threshold: 0,
            replicas: 3,
            behavior: FallbackBehavior::Static,
        }),
        ..KedaInput::default()
    };
    let mut input = scaled_object(2, keda, true);
    input.metrics[0].target = Target::AverageValue(Milli(500));
    input.metrics[0].observed = Observed::Failed {
        reason: "timeout".to_string(),
    };
    if let Some(t) = input.metrics[0].trigger.as_mut() {
        t.consecutive_failures = 1;
    }
    let decision = decide(&input);
    assert_eq!(decision.proposals[0].total, Some(Milli(1500)));
    assert_eq!(decision.desired, 3);
}

#[test]
fn an_error_with_a_zero_replica_fallback_still_scales_to_zero() {
    // RequestScale only holds on errors when there is no fallback or its replicas are not 0;
    // `fallback.replicas: 0` falls through to the scale to zero.
    for (fallback_replicas, expected) in [(0, 0), (3, 2)] {
        let keda = KedaInput {
            fallback: Some(Fallback {
                failure_threshold: 5,
                replicas: fallback_replicas,
                behavior: FallbackBehavior::Static,
            }),
            ..KedaInput::default()
        };
        let mut input = scaled_object(2, keda, false);
        input.metrics[0].observed = Observed::Failed {
            reason: "timeout".to_string(),
        };
        let decision = decide(&input);
        assert_eq!(
            decision.desired, expected,
            "fallback.replicas {fallback_replicas}"
        );
    }
}

fn unobserved(name: &str) -> MetricInput {
    MetricInput {
        observed: Observed::Unknown {
            why: "not observed".to_string(),
        },
        ..trigger(name, 0.0, 10.0, 0.0)
    }
}

#[test]
fn an_unobserved_value_at_zero_reads_activity_from_the_scaled_object() {
    let mut input = hpa(0, 1, 8);
    input.metrics = vec![unobserved("queue")];
    input.keda = Some(KedaInput {
        reported_active: Some(false),
        last_active_time: Some(at(-3600)),
        ..KedaInput::default()
    });
    let decision = decide(&input);
    assert_eq!(decision.desired, 0);
    assert_eq!(
        decision.binding(),
        Some(&Limit::KedaAtRest {
            replicas: 0,
            activity: ActivitySource::ScaledObjectStatus,
        })
    );
    let activation = decision.activation.expect("activation");
    assert!(!activation.error);
    assert_eq!(activation.source, ActivitySource::ScaledObjectStatus);
    assert!(decision.incomplete.is_empty());

    // Active per KEDA's status: it scales the target from 0 to 1.
    if let Some(keda) = input.keda.as_mut() {
        keda.reported_active = Some(true);
    }
    let decision = decide(&input);
    assert_eq!(decision.desired, 1);
    assert_eq!(decision.binding(), Some(&Limit::KedaActivation { to: 1 }));

    // Nothing known: at 0 it stays, and the decision says its activity is unknown.
    if let Some(keda) = input.keda.as_mut() {
        keda.reported_active = None;
    }
    let decision = decide(&input);
    assert_eq!(decision.desired, 0);
    assert_eq!(
        decision.activation.map(|a| a.source),
        Some(ActivitySource::Unknown)
    );
    assert_eq!(decision.incomplete.len(), 1);
}

#[test]
fn an_unobserved_metric_leaves_the_proposal_a_lower_bound() {
    let mut input = hpa(3, 1, 8);
    input.metrics = vec![trigger("queue", 50.0, 10.0, 0.0), unobserved("kv")];
    input.history = recommendations(&[(3, 600)]);
    input.keda = Some(KedaInput {
        min_replica_count: 1,
        ..KedaInput::default()
    });
    let decision = decide(&input);
    assert_eq!(decision.recommendation, Some(5));
    assert_eq!(decision.desired, 5);
    assert!(decision.proposals[1].invalid_reason.is_none());
    assert_eq!(
        decision.proposals[1].not_observed.as_deref(),
        Some("not observed")
    );
    assert_eq!(decision.incomplete.len(), 1, "{:?}", decision.incomplete);

    // Only unobserved metrics: no proposal, the count is kept, and no metric "fails".
    input.metrics = vec![unobserved("queue")];
    let decision = decide(&input);
    assert_eq!(decision.recommendation, None);
    assert_eq!(decision.desired, 3);
    assert!(
        !decision
            .limits
            .iter()
            .any(|l| matches!(l, Limit::InvalidMetrics { .. }))
    );
    assert_eq!(decision.incomplete.len(), 1);
}

#[test]
fn the_hpa_floor_records_keda_s_min_replica_count() {
    let mut input = hpa(1, 1, 8);
    input.metrics = vec![trigger("queue", 0.0, 10.0, 0.0)];
    input.history = recommendations(&[(0, 600)]);
    input.keda = Some(KedaInput {
        last_active_time: Some(at(-100)),
        ..KedaInput::default()
    });
    let decision = decide(&input);
    assert!(decision.limits.contains(&Limit::MinReplicas {
        min: 1,
        wanted: 0,
        min_replica_count: Some(0),
    }));
}

//! Per-metric proposals, ported from upstream's `replica_calculator_test.go` as data.
//!
//! Upstream's fixture, re-expressed: pods `test-pod-<i>`, Running and Ready unless the case
//! says otherwise, started "long ago" (Go's zero time), two containers each requesting the
//! case's request and each using the case's level (so a pod uses twice the level); samples are
//! stamped "long ago" with a one-minute window; "hot" pods started 1 min ago, "cool" ones 3 min
//! ago; the controller runs with upstream's test settings (tolerance 0.1, CPU initialization
//! period 2 min, initial readiness delay 10 s).

use std::collections::BTreeMap;

use jiff::SignedDuration;

use super::*;
use crate::engine::replicas::{Context, Tolerances, compute};

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// CPU Utilization: per-pod request (milli, per container) and target percent.
    Cpu(&'static [i64], i32),
    /// A Pods metric with an AverageValue target (milli).
    Pods(i64),
    /// An Object metric with a Value target.
    Object(i64),
    /// An Object metric with an AverageValue target.
    ObjectPerPod(i64),
    /// An External metric with a Value target.
    External(i64),
    /// An External metric with an AverageValue target.
    ExternalPerPod(i64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    LongAgo,
    Hot,
    Cool,
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Replicas, and the value upstream reports (percent for CPU, milli otherwise).
    Replicas(i32, i64),
    /// An error containing this text.
    Error(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Case {
    upstream: &'static str,
    current: i32,
    kind: Kind,
    levels: &'static [i64],
    /// Pod readiness by index (default Ready).
    ready: &'static [bool],
    /// Pod phases by index (default Running); may list more pods than `current`.
    phases: &'static [PodPhase],
    /// Deletion timestamps by index.
    deleting: &'static [bool],
    /// Start times by index.
    starts: &'static [Start],
    /// Sample pod names by index (default `test-pod-<i>`).
    sample_names: &'static [&'static str],
    expect: Expect,
}

const BASE: Case = Case {
    upstream: "",
    current: 0,
    kind: Kind::Pods(1),
    levels: &[],
    ready: &[],
    phases: &[],
    deleting: &[],
    starts: &[],
    sample_names: &[],
    expect: Expect::Error("unset"),
};

const ONE: i64 = 1000;
use PodPhase::{Failed, Pending, Running};
use Start::{Cool, Hot};

fn cases() -> Vec<Case> {
    let mut cases = resource_cases();
    cases.extend(custom_metric_cases());
    cases.extend(missing_metric_cases());
    cases
}

fn resource_cases() -> Vec<Case> {
    vec![
        Case {
            upstream: "TestReplicaCalcDisjointResourcesMetrics",
            current: 1,
            kind: Kind::Cpu(&[ONE], 100),
            levels: &[100],
            sample_names: &["an-older-pod-name"],
            expect: Expect::Error("no metrics returned matched known pods"),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUp",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 30),
            levels: &[300, 500, 700],
            expect: Expect::Replicas(5, 50),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpUnreadyLessScale",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 30),
            levels: &[300, 500, 700],
            ready: &[false, true, true],
            expect: Expect::Replicas(4, 60),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpHotCpuLessScale",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 30),
            levels: &[300, 500, 700],
            starts: &[Hot, Cool, Cool],
            expect: Expect::Replicas(4, 60),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpUnreadyNoScale",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 30),
            levels: &[400, 500, 700],
            ready: &[true, false, false],
            expect: Expect::Replicas(3, 40),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleHotCpuNoScale",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 30),
            levels: &[400, 500, 700],
            ready: &[true, false, false],
            starts: &[Cool, Hot, Hot],
            expect: Expect::Replicas(3, 40),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpIgnoresFailedPods",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE], 30),
            levels: &[500, 700],
            ready: &[true, true, false, false],
            phases: &[Running, Running, Failed, Failed],
            expect: Expect::Replicas(4, 60),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpIgnoresDeletionPods",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE], 30),
            levels: &[500, 700],
            ready: &[true, true, false, false],
            phases: &[Running, Running, Running, Running],
            deleting: &[false, false, true, true],
            expect: Expect::Replicas(4, 60),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDown",
            current: 5,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE, ONE], 50),
            levels: &[100, 300, 500, 250, 250],
            expect: Expect::Replicas(3, 28),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownIncludeUnreadyPods",
            current: 5,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE, ONE], 50),
            levels: &[100, 300, 500, 250, 250],
            ready: &[true, true, true, false, false],
            expect: Expect::Replicas(2, 30),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownExcludeUnscheduledPods",
            current: 5,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE, ONE], 50),
            levels: &[100],
            ready: &[true, false, false, false, false],
            phases: &[Running, Pending, Pending, Pending, Pending],
            expect: Expect::Replicas(1, 10),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownIgnoreHotCpuPods",
            current: 5,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE, ONE], 50),
            levels: &[100, 300, 500, 250, 250],
            starts: &[Cool, Cool, Cool, Hot, Hot],
            expect: Expect::Replicas(2, 30),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownIgnoresFailedPods",
            current: 5,
            kind: Kind::Cpu(&[ONE; 7], 50),
            levels: &[100, 300, 500, 250, 250],
            ready: &[true, true, true, true, true, false, false],
            phases: &[Running, Running, Running, Running, Running, Failed, Failed],
            expect: Expect::Replicas(3, 28),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownIgnoresDeletionPods",
            current: 5,
            kind: Kind::Cpu(&[ONE; 7], 50),
            levels: &[100, 300, 500, 250, 250],
            ready: &[true, true, true, true, true, false, false],
            phases: &[Running; 7],
            deleting: &[false, false, false, false, false, true, true],
            expect: Expect::Replicas(3, 28),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcTolerance",
            current: 3,
            kind: Kind::Cpu(&[900, ONE, 1100], 100),
            levels: &[1010, 1030, 1020],
            expect: Expect::Replicas(3, 102),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcSuperfluousMetrics",
            current: 4,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE], 100),
            levels: &[4000, 9500, 3000, 7000, 3200, 2000],
            expect: Expect::Replicas(24, 587),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcEmptyCPURequest",
            current: 1,
            kind: Kind::Cpu(&[], 100),
            levels: &[200],
            expect: Expect::Error("missing request for"),
            ..BASE
        },
    ]
}

fn custom_metric_cases() -> Vec<Case> {
    vec![
        Case {
            upstream: "TestReplicaCalcScaleUpCM",
            current: 3,
            kind: Kind::Pods(15000),
            levels: &[20000, 10000, 30000],
            expect: Expect::Replicas(4, 20000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale",
            current: 3,
            kind: Kind::Pods(15000),
            levels: &[50000, 10000, 30000],
            ready: &[true, true, false],
            starts: &[Cool, Cool, Hot],
            expect: Expect::Replicas(6, 30000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown",
            current: 3,
            kind: Kind::Pods(15000),
            levels: &[50000, 15000, 30000],
            ready: &[false, true, false],
            starts: &[Hot, Cool, Hot],
            expect: Expect::Replicas(7, 31666),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMObject",
            current: 3,
            kind: Kind::Object(15000),
            levels: &[20000],
            expect: Expect::Replicas(4, 20000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMPerPodObject",
            current: 3,
            kind: Kind::ObjectPerPod(5000),
            levels: &[20000],
            expect: Expect::Replicas(4, 6667),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods",
            current: 3,
            kind: Kind::Object(10000),
            levels: &[50000],
            ready: &[false, true, false],
            expect: Expect::Replicas(5, 50000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMExternal",
            current: 1,
            kind: Kind::Pods(4400),
            levels: &[8600],
            expect: Expect::Replicas(2, 8600),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods",
            current: 3,
            kind: Kind::External(4400),
            levels: &[8600],
            ready: &[false, true, false],
            expect: Expect::Replicas(2, 8600),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleUpPerPodCMExternal",
            current: 3,
            kind: Kind::ExternalPerPod(2150),
            levels: &[8600],
            expect: Expect::Replicas(4, 2867),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownCM",
            current: 5,
            kind: Kind::Pods(20000),
            levels: &[12000, 12000, 12000, 12000, 12000],
            expect: Expect::Replicas(3, 12000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownPerPodCMObject",
            current: 5,
            kind: Kind::ObjectPerPod(2000),
            levels: &[6000],
            expect: Expect::Replicas(3, 1200),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownCMObject",
            current: 5,
            kind: Kind::Object(20000),
            levels: &[12000],
            expect: Expect::Replicas(3, 12000),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownCMExternal",
            current: 5,
            kind: Kind::External(14334),
            levels: &[8600],
            expect: Expect::Replicas(3, 8600),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcScaleDownPerPodCMExternal",
            current: 5,
            kind: Kind::ExternalPerPod(2867),
            levels: &[8600],
            expect: Expect::Replicas(3, 1720),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcToleranceCM",
            current: 3,
            kind: Kind::Pods(20000),
            levels: &[20000, 21000, 21000],
            expect: Expect::Replicas(3, 20666),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcToleranceCMObject",
            current: 3,
            kind: Kind::Object(20000),
            levels: &[20666],
            expect: Expect::Replicas(3, 20666),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcTolerancePerPodCMObject",
            current: 4,
            kind: Kind::ObjectPerPod(5000),
            levels: &[20166],
            expect: Expect::Replicas(4, 5042),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcToleranceCMExternal",
            current: 3,
            kind: Kind::External(8888),
            levels: &[8600],
            expect: Expect::Replicas(3, 8600),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcTolerancePerPodCMExternal",
            current: 3,
            kind: Kind::ExternalPerPod(2900),
            levels: &[8600],
            expect: Expect::Replicas(3, 2867),
            ..BASE
        },
    ]
}

fn missing_metric_cases() -> Vec<Case> {
    vec![
        Case {
            upstream: "TestReplicaCalcMissingMetrics",
            current: 4,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE], 100),
            levels: &[400, 95],
            expect: Expect::Replicas(3, 24),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsNoChangeEq",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE], 100),
            levels: &[1000],
            expect: Expect::Replicas(2, 100),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsNoChangeGt",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE], 100),
            levels: &[1900],
            expect: Expect::Replicas(2, 190),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsNoChangeLt",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE], 100),
            levels: &[600],
            expect: Expect::Replicas(2, 60),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsUnreadyChange",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 50),
            levels: &[100, 450],
            ready: &[false, true, true],
            expect: Expect::Replicas(3, 45),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsHotCpuNoChange",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 50),
            levels: &[100, 450],
            starts: &[Hot, Cool, Cool],
            expect: Expect::Replicas(3, 45),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsUnreadyScaleUp",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 50),
            levels: &[100, 2000],
            ready: &[false, true, true],
            expect: Expect::Replicas(4, 200),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsHotCpuScaleUp",
            current: 3,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 50),
            levels: &[100, 2000],
            ready: &[false, true, true],
            starts: &[Hot, Cool, Cool],
            expect: Expect::Replicas(4, 200),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcMissingMetricsUnreadyScaleDown",
            current: 4,
            kind: Kind::Cpu(&[ONE, ONE, ONE, ONE], 50),
            levels: &[100, 100, 100],
            ready: &[false, true, true, true],
            expect: Expect::Replicas(3, 10),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcDuringRollingUpdateWithMaxSurge",
            current: 2,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 50),
            levels: &[100, 100],
            phases: &[Running, Running, Running],
            expect: Expect::Replicas(2, 10),
            ..BASE
        },
        Case {
            upstream: "TestReplicaCalcEmptyMetrics",
            current: 4,
            kind: Kind::Cpu(&[ONE, ONE, ONE], 100),
            levels: &[],
            expect: Expect::Error("no metrics returned from resource metrics API"),
            ..BASE
        },
    ]
}

fn long_ago() -> jiff::Timestamp {
    at(-10 * 365 * 24 * 3600)
}

fn start_time(start: Start) -> jiff::Timestamp {
    match start {
        Start::LongAgo => long_ago(),
        Start::Hot => at(-60),
        Start::Cool => at(-180),
    }
}

fn build_pods(case: &Case) -> Vec<Pod> {
    let count = (case.current as usize).max(case.phases.len());
    let requests: &[i64] = match case.kind {
        Kind::Cpu(requests, _) => requests,
        _ => &[],
    };
    (0..count)
        .map(|i| {
            let container = |name: &str| ContainerRequests {
                name: name.to_string(),
                requests: requests
                    .get(i)
                    .map(|r| BTreeMap::from([("cpu".to_string(), Milli(*r))]))
                    .unwrap_or_default(),
            };
            Pod {
                name: format!("test-pod-{i}"),
                phase: case.phases.get(i).copied().unwrap_or(Running),
                deleting: case.deleting.get(i).copied().unwrap_or(false),
                ready: Some(ReadyCondition {
                    status: case.ready.get(i).copied().unwrap_or(true).into(),
                    last_transition: Some(long_ago()),
                }),
                start_time: Some(start_time(
                    case.starts.get(i).copied().unwrap_or(Start::LongAgo),
                )),
                containers: vec![container("container0"), container("container1")],
            }
        })
        .collect()
}

fn samples(case: &Case, per_pod_factor: i64) -> BTreeMap<String, PodSample> {
    case.levels
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let name = case
                .sample_names
                .get(i)
                .map_or_else(|| format!("test-pod-{i}"), |n| n.to_string());
            let sample = PodSample {
                value: Milli(level * per_pod_factor),
                timestamp: long_ago(),
                window: SignedDuration::from_mins(1),
            };
            (name, sample)
        })
        .collect()
}

fn metric(case: &Case) -> MetricInput {
    let total = Milli(case.levels.iter().sum());
    let (source, target, observed) = match case.kind {
        Kind::Cpu(_, percent) => (
            MetricSource::Resource {
                resource: "cpu".into(),
                container: None,
            },
            Target::Utilization(percent),
            Observed::PerPod {
                samples: samples(case, 2),
            },
        ),
        Kind::Pods(t) => (
            MetricSource::Pods,
            Target::AverageValue(Milli(t)),
            Observed::PerPod {
                samples: samples(case, 1),
            },
        ),
        Kind::Object(t) => (MetricSource::Object, Target::Value(Milli(t)), value(total)),
        Kind::ObjectPerPod(t) => (
            MetricSource::Object,
            Target::AverageValue(Milli(t)),
            value(total),
        ),
        Kind::External(t) => (
            MetricSource::External,
            Target::Value(Milli(t)),
            value(total),
        ),
        Kind::ExternalPerPod(t) => (
            MetricSource::External,
            Target::AverageValue(Milli(t)),
            value(total),
        ),
    };
    MetricInput {
        name: "qps".to_string(),
        source,
        target,
        observed,
        trigger: None,
    }
}

fn value(total: Milli) -> Observed {
    Observed::Value { value: total }
}

/// Upstream's test settings for the replica calculator.
pub(super) fn test_controller() -> ControllerConfig {
    ControllerConfig {
        cpu_initialization_period: SignedDuration::from_mins(2),
        initial_readiness_delay: SignedDuration::from_secs(10),
        ..ControllerConfig::default()
    }
}

fn run(case: &Case) -> Result<(i32, i64), String> {
    let pods = build_pods(case);
    let controller = test_controller();
    let ctx = Context {
        current: case.current,
        status_replicas: case.current,
        pods: &pods,
        now: now(),
        tolerances: Tolerances::symmetric(0.1),
        controller: &controller,
    };
    let computed = compute(&metric(case), ctx).map_err(|e| e.to_string())?;
    let reported = match case.kind {
        Kind::Cpu(..) => computed.value.0 / 1000,
        _ => computed.value.0,
    };
    Ok((computed.replicas, reported))
}

#[test]
fn replica_calculator_cases_match_upstream() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in &cases {
        let got = run(case);
        match case.expect {
            Expect::Replicas(replicas, reported) => {
                assert_eq!(got, Ok((replicas, reported)), "upstream: {}", case.upstream)
            }
            Expect::Error(text) => {
                let error = got.expect_err(case.upstream);
                assert!(error.contains(text), "upstream: {}: {error}", case.upstream);
            }
        }
    }
}

/// upstream: replica_calculator_test.go TestReplicaCalcComputedToleranceAlgImplementation —
/// ten pods using half their (jittered) requests; a target just outside the tolerance scales
/// down to 9, one just inside keeps 10.
#[test]
fn computed_tolerance_matches_upstream() {
    const REQUESTS: [i64; 10] = [400, 200, 310, 290, 302, 298, 301, 299, 300, 300];
    const LEVELS: [i64; 10] = [150; 10];
    for (target, expected) in [(56, 9), (55, 10)] {
        let case = Case {
            upstream: "TestReplicaCalcComputedToleranceAlgImplementation",
            current: 10,
            kind: Kind::Cpu(&REQUESTS, target),
            levels: &LEVELS,
            ..BASE
        };
        assert_eq!(run(&case), Ok((expected, 50)), "target {target}%");
    }
}

/// A pod of a `groupPods` case: name, seconds since start, Ready as (status, seconds since
/// transition), phase.
type GroupPod = (&'static str, Option<i64>, Option<(bool, i64)>, PodPhase);

/// One `groupPods` case: pods `(name, seconds since start, Ready condition as (status,
/// seconds since transition))`, samples `(pod, seconds ago, window seconds)`.
struct GroupCase {
    upstream: &'static str,
    pods: &'static [GroupPod],
    samples: &'static [(&'static str, i64, i64)],
    resource: &'static str,
    ready: i32,
    unready: &'static [&'static str],
    missing: &'static [&'static str],
}

/// upstream: replica_calculator_test.go TestGroupPods. Upstream's fixture marks these pods
/// Succeeded, which recent controllers ignore as terminal; they are Running here so that the
/// readiness rules under test still apply.
const GROUP_CASES: [GroupCase; 12] = [
    GroupCase {
        upstream: "TestGroupPods/void",
        pods: &[],
        samples: &[],
        resource: "cpu",
        ready: 0,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/count in a ready pod - memory",
        pods: &[("bentham", None, None, Running)],
        samples: &[("bentham", 0, 60)],
        resource: "memory",
        ready: 1,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/ignore a pod without ready condition - CPU",
        pods: &[("lucretius", Some(0), None, Running)],
        samples: &[("lucretius", 0, 60)],
        resource: "cpu",
        ready: 0,
        unready: &["lucretius"],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/count in a ready pod with fresh metrics during initialization \
                   period - CPU",
        pods: &[("bentham", Some(60), Some((true, 30)), Running)],
        samples: &[("bentham", 0, 30)],
        resource: "cpu",
        ready: 1,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/ignore a ready pod without fresh metrics during initialization \
                   period - CPU",
        pods: &[("bentham", Some(60), Some((true, 30)), Running)],
        samples: &[("bentham", 0, 60)],
        resource: "cpu",
        ready: 0,
        unready: &["bentham"],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/ignore an unready pod during initialization period - CPU",
        pods: &[("lucretius", Some(600), Some((false, 594)), Running)],
        samples: &[("lucretius", 0, 60)],
        resource: "cpu",
        ready: 0,
        unready: &["lucretius"],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/count in a ready pod without fresh metrics after initialization \
                   period - CPU",
        pods: &[("bentham", Some(180), Some((true, 180)), Running)],
        samples: &[("bentham", 120, 60)],
        resource: "cpu",
        ready: 1,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/count in an unready pod that was ready after initialization \
                   period - CPU",
        pods: &[("lucretius", Some(600), Some((false, 540)), Running)],
        samples: &[("lucretius", 0, 60)],
        resource: "cpu",
        ready: 1,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/ignore pod that has never been ready after initialization \
                   period - CPU",
        pods: &[("lucretius", Some(600), Some((false, 590)), Running)],
        samples: &[("lucretius", 0, 60)],
        resource: "cpu",
        ready: 1,
        unready: &[],
        missing: &[],
    },
    GroupCase {
        upstream: "TestGroupPods/a missing pod",
        pods: &[("epicurus", Some(180), None, Running)],
        samples: &[],
        resource: "cpu",
        ready: 0,
        unready: &[],
        missing: &["epicurus"],
    },
    GroupCase {
        upstream: "TestGroupPods/several pods",
        pods: &[
            ("lucretius", Some(0), None, Running),
            ("niccolo", Some(180), Some((true, 180)), Running),
            ("epicurus", Some(180), None, Running),
        ],
        samples: &[("lucretius", 0, 60), ("niccolo", 0, 60)],
        resource: "cpu",
        ready: 1,
        unready: &["lucretius"],
        missing: &["epicurus"],
    },
    GroupCase {
        upstream: "TestGroupPods/pending pods are ignored",
        pods: &[("unscheduled", None, None, Pending)],
        samples: &[],
        resource: "cpu",
        ready: 0,
        unready: &["unscheduled"],
        missing: &[],
    },
];

#[test]
fn group_pods_cases_match_upstream() {
    let controller = test_controller();
    for case in &GROUP_CASES {
        let pods: Vec<Pod> = case
            .pods
            .iter()
            .map(|&(name, started, ready, phase)| Pod {
                name: name.to_string(),
                phase,
                deleting: false,
                ready: ready.map(|(status, ago): (bool, i64)| ReadyCondition {
                    status: status.into(),
                    last_transition: Some(at(-ago)),
                }),
                start_time: started.map(|ago| at(-ago)),
                containers: Vec::new(),
            })
            .collect();
        let samples: BTreeMap<String, PodSample> = case
            .samples
            .iter()
            .map(|&(name, ago, window)| {
                let sample = PodSample {
                    value: Milli(1),
                    timestamp: at(-ago),
                    window: SignedDuration::from_secs(window),
                };
                (name.to_string(), sample)
            })
            .collect();
        let ctx = Context {
            current: 1,
            status_replicas: 1,
            pods: &pods,
            now: now(),
            tolerances: Tolerances::symmetric(0.1),
            controller: &controller,
        };
        let groups = crate::engine::replicas::group_pods(&pods, &samples, Some(case.resource), ctx);
        let names =
            |set: &std::collections::BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>();
        assert_eq!(groups.ready, case.ready, "upstream: {}", case.upstream);
        assert_eq!(
            names(&groups.unready),
            case.unready,
            "upstream: {}",
            case.upstream
        );
        assert_eq!(
            names(&groups.missing),
            case.missing,
            "upstream: {}",
            case.upstream
        );
    }
}

#[test]
fn cpu_readiness_reads_a_missing_transition_time_as_long_past() {
    // Upstream compares with `status == False` and a zero `lastTransitionTime` when unset.
    let controller = test_controller();
    let pod = |name: &str, started: i64, status: ConditionStatus| Pod {
        name: name.to_string(),
        phase: Running,
        deleting: false,
        ready: Some(ReadyCondition {
            status,
            last_transition: None,
        }),
        start_time: Some(at(-started)),
        containers: Vec::new(),
    };
    let pods = vec![
        // In the initialization period: Ready=True and no transition time counts as fresh.
        pod("young-ready", 60, ConditionStatus::True),
        // In the initialization period: Unknown is not False.
        pod("young-unknown", 60, ConditionStatus::Unknown),
        // After it: NotReady with no transition time "never became ready".
        pod("old-not-ready", 600, ConditionStatus::False),
    ];
    let samples: BTreeMap<String, PodSample> = pods
        .iter()
        .map(|p| {
            let sample = PodSample {
                value: Milli(1),
                timestamp: now(),
                window: SignedDuration::from_secs(60),
            };
            (p.name.clone(), sample)
        })
        .collect();
    let ctx = Context {
        current: 3,
        status_replicas: 3,
        pods: &pods,
        now: now(),
        tolerances: Tolerances::symmetric(0.1),
        controller: &controller,
    };
    let groups = crate::engine::replicas::group_pods(&pods, &samples, Some("cpu"), ctx);
    assert_eq!(groups.ready, 2);
    assert_eq!(
        groups.unready.into_iter().collect::<Vec<_>>(),
        ["old-not-ready"]
    );
    assert!(pods[0].is_running_and_ready());
    assert!(!pods[1].is_running_and_ready());
}

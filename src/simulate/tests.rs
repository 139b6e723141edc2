//! Replays of small policies over hand-made recordings, with the numbers worked out by hand.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::engine::Limit;

const START: i64 = 1_796_306_400; // 2026-12-03T14:00:00Z

/// A queue trigger (target 5 per replica, named `queue`), 1..6 replicas, scale-up limited to
/// 2 pods per 60 s with no stabilization, scale-down after a 60 s window; and its Deployment
/// asking for 2 GPUs per replica.
const POLICY: &str = r#"
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: llm, namespace: serving}
spec:
  scaleTargetRef: {name: llm}
  minReplicaCount: 1
  maxReplicaCount: 6
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          stabilizationWindowSeconds: 0
          policies: [{type: Pods, value: 2, periodSeconds: 60}]
        scaleDown:
          stabilizationWindowSeconds: 60
          policies: [{type: Percent, value: 100, periodSeconds: 15}]
  triggers:
    - type: prometheus
      name: queue
      metadata: {serverAddress: "http://prometheus:9090", query: "sum(q)", threshold: "5"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm, namespace: serving}
spec:
  selector: {matchLabels: {app: llm}}
  template:
    metadata: {labels: {app: llm}}
    spec:
      containers:
        - name: server
          resources: {limits: {nvidia.com/gpu: "2"}}
"#;

fn objects(text: &str) -> ObjectSet {
    ObjectSet::from_text("policy.yaml", text).expect("valid YAML")
}

fn scaled_object(set: &ObjectSet) -> &Value {
    set.objects
        .iter()
        .find(|o| o["kind"] == "ScaledObject")
        .expect("a ScaledObject")
}

/// One value every 15 s, in column `column`.
fn recording(column: &str, values: &[Option<f64>]) -> Recording {
    Recording {
        columns: vec![column.to_string()],
        rows: values
            .iter()
            .enumerate()
            .map(|(i, v)| Row {
                at: Timestamp::from_second(START + 15 * i as i64).unwrap(),
                values: vec![*v],
            })
            .collect(),
    }
}

fn options(cold_start_seconds: i64) -> Options {
    Options {
        cold_start: SignedDuration::from_secs(cold_start_seconds),
        gpus_per_replica: None,
        start_replicas: None,
    }
}

/// A queue of 25 for 3 minutes (5 replicas' worth), then empty for 3 minutes; replicas
/// ready 30 s after creation.
#[test]
fn a_burst_is_followed_within_the_policies_and_priced_in_gpu_hours() {
    let set = objects(POLICY);
    let mut values = vec![Some(25.0); 12];
    values.extend(vec![Some(0.0); 12]);
    let run = run(
        &set,
        scaled_object(&set),
        &recording("queue", &values),
        &options(30),
    )
    .expect("a replay");

    let desired: Vec<i32> = run.steps.iter().map(|s| s.desired).collect();
    // +2 pods per 60 s: 1 → 3 at once, 3 → 5 once the first event leaves the period (60 s),
    // held at 5 while the queue lasts. Empty from 180 s: the 60 s window holds 5 until the
    // last 5 (at 165 s) is no longer after its cutoff, at 225 s; then down to the minimum.
    let mut expected = vec![3; 4];
    expected.extend([5; 11]);
    expected.extend([1; 9]);
    assert_eq!(desired, expected);
    assert_eq!(
        (run.gpus_per_replica, run.gpus_source.as_str()),
        (2, "Deployment llm requests nvidia.com/gpu")
    );

    let s = &run.summary;
    assert_eq!(s.duration_seconds, 360.0);
    assert_eq!(s.peak_replicas, 5);
    assert_eq!((s.scale_ups, s.scale_downs), (2, 1));
    // 15 s × (3 × 4 + 5 × 11 + 1 × 9) = 1140 replica-seconds, 2 GPUs each.
    assert_eq!(s.gpu_hours, 1140.0 * 2.0 / 3600.0);
    assert_eq!(s.mean_replicas, 1140.0 / 360.0);
    // Over target while fewer than 5 replicas are ready: 1 ready until the pods made at 0 s
    // are ready at 30 s, 3 until those made at 60 s are ready at 90 s: 90 s of 360.
    assert_eq!(s.seconds_over_target, 90.0);
    assert_eq!(s.seconds_without_ready_replica, 0.0);
    assert_eq!(s.seconds_at_max, 0.0);
    assert_eq!(
        run.triggers,
        [TriggerColumn {
            trigger: "queue".to_string(),
            metric_name: "s0-prometheus".to_string(),
            metric_type: "AverageValue".to_string(),
            target: 5.0,
            column: "queue".to_string(),
        }]
    );
}

#[test]
fn columns_are_found_by_trigger_name_metric_name_or_as_the_only_one() {
    let set = objects(POLICY);
    let so = scaled_object(&set);
    let values = [Some(1.0), Some(1.0)];
    for column in ["queue", "s0-prometheus", "anything"] {
        let run = run(&set, so, &recording(column, &values), &options(0)).expect("a replay");
        assert_eq!(run.triggers[0].column, column);
    }
    let mut two = recording("other", &values);
    two.columns.push("more".to_string());
    for row in &mut two.rows {
        row.values.push(Some(1.0));
    }
    assert_eq!(
        run(&set, so, &two, &options(0)).unwrap_err().to_string(),
        "ScaledObject serving/llm: trigger queue has no column in the recording (columns: \
         other, more); name a column after the trigger's `name` or its metric s0-prometheus"
    );
}

/// With `ignoreNullValues: "false"` and a fallback after 2 failures, a gap in the recording
/// (no data) is an outage: the third read in a row that fails brings the fallback's 4.
#[test]
fn gaps_and_nan_are_outages_that_reach_the_fallback() {
    let text = POLICY
        .replace(
            "threshold: \"5\"}",
            "threshold: \"5\", ignoreNullValues: \"false\"}",
        )
        .replace(
            "  minReplicaCount: 1\n",
            "  minReplicaCount: 1\n  fallback: {failureThreshold: 2, replicas: 4}\n",
        );
    let set = objects(&text);
    let values = [Some(5.0), None, Some(f64::NAN), None, Some(5.0)];
    let run = run(
        &set,
        scaled_object(&set),
        &recording("queue", &values),
        &options(0),
    )
    .expect("a replay");
    let desired: Vec<i32> = run.steps.iter().map(|s| s.desired).collect();
    // Two failed reads hold 1; the third asks for the fallback's 4, which the +2 pods per
    // 60 s policy caps at 3; the good read's 1 is then held by the 60 s window.
    assert_eq!(desired, [1, 1, 1, 3, 3]);
    assert_eq!(
        run.steps[3].binding,
        Some(Limit::Fallback {
            metric: "s0-prometheus".to_string(),
            replicas: 4
        })
    );
}

/// Scale to zero: at 0 replicas a demand above the activation threshold wakes the workload,
/// and the queue waits without a ready replica for the cold start.
#[test]
fn waking_from_zero_costs_the_cold_start() {
    let text = POLICY.replace("minReplicaCount: 1", "minReplicaCount: 0");
    let set = objects(&text);
    let mut values = vec![Some(0.0); 4];
    values.extend(vec![Some(3.0); 8]);
    let run = run(
        &set,
        scaled_object(&set),
        &recording("queue", &values),
        &options(60),
    )
    .expect("a replay");
    assert_eq!(run.steps[0].current, 0);
    let woke = run
        .steps
        .iter()
        .position(|s| s.desired > 0)
        .expect("a wake-up");
    assert_eq!(woke, 4);
    assert_eq!(
        run.steps[woke].binding,
        Some(Limit::KedaActivation { to: 1 })
    );
    // Demand from 60 s; the pod made then is ready at 120 s.
    assert_eq!(run.summary.seconds_without_ready_replica, 60.0);
    assert_eq!(run.summary.seconds_at_zero, 60.0);
}

#[test]
fn cpu_triggers_are_named_as_left_out_and_a_cpu_only_policy_is_refused() {
    let with_cpu = POLICY.replace(
        "  triggers:\n",
        "  triggers:\n    - type: cpu\n      metricType: Utilization\n      metadata: {value: \"60\"}\n",
    );
    let set = objects(&with_cpu);
    let run = run(
        &set,
        scaled_object(&set),
        &recording("queue", &[Some(1.0)]),
        &options(0),
    )
    .expect("a replay");
    assert_eq!(
        run.notes,
        ["triggers[0] (cpu) is left out: cpu and memory use is not in the recording"]
    );
    assert_eq!(run.triggers[0].metric_name, "s1-prometheus");

    let cpu_only = with_cpu.replace(
        "    - type: prometheus\n      name: queue\n      metadata: {serverAddress: \"http://prometheus:9090\", query: \"sum(q)\", threshold: \"5\"}\n",
        "",
    );
    let set = objects(&cpu_only);
    assert_eq!(
        run_err(&set, &recording("queue", &[Some(1.0)])),
        "ScaledObject serving/llm: no trigger to replay (cpu and memory are not recorded)"
    );
}

fn run_err(set: &ObjectSet, recording: &Recording) -> String {
    run(set, scaled_object(set), recording, &options(0))
        .unwrap_err()
        .to_string()
}

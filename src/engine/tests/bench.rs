//! Figures for `bench/engine.sh`: how long `decide` and `simulate` take. Ignored in normal
//! test runs (no timed assertions); the script runs them in release mode and they print.

use std::time::Instant;

use jiff::SignedDuration;

use super::*;
use crate::engine::decide;
use crate::engine::simulate::{SeriesPoint, Workload, simulate};

/// A realistic ScaledObject: two triggers, behavior with both directions, 8 pods, 20
/// recommendations and a few scale events in the history, KEDA with fallback.
fn realistic(i: usize) -> Input {
    let mut input = hpa(8, 1, 16);
    let load = (i % 50) as f64 * 4.0;
    input.metrics = vec![
        trigger("waiting", load, 10.0, 0.0),
        trigger("kv", 0.5 + (i % 7) as f64 / 10.0, 0.8, 0.0),
    ];
    input.pods = pods(8, 6);
    input.behavior = Some(Behavior {
        scale_up: Some(ScalingRules {
            stabilization_window_seconds: Some(60),
            ..ScalingRules::default()
        }),
        scale_down: None,
    });
    let recs: Vec<(i32, i64)> = (0..20i64).map(|k| (4 + (k % 5) as i32, 15 * k)).collect();
    input.history = recommendations(&recs);
    input.history.scale_up_events = vec![ScaleEvent {
        change: 2,
        at: at(-40),
        outdated: false,
    }];
    input.keda = Some(KedaInput {
        fallback: Some(Fallback {
            failure_threshold: 3,
            replicas: 6,
            behavior: FallbackBehavior::Static,
        }),
        last_active_time: Some(at(-30)),
        ..KedaInput::default()
    });
    input
}

#[test]
#[ignore = "benchmark: bench/engine.sh runs it in release mode and prints the figures"]
fn decide_and_simulate_figures() {
    let inputs: Vec<Input> = (0..1000).map(realistic).collect();
    let started = Instant::now();
    let mut desired = 0i64;
    for input in &inputs {
        desired += i64::from(decide(input).desired);
    }
    let elapsed = started.elapsed();
    println!(
        "decide: 1000 ScaledObjects in {:.2} ms ({:.1} us each; sum of desired {desired})",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / 1000.0
    );

    let mut start = realistic(0);
    start.history = History::default();
    let day: Vec<SeriesPoint> = (1..=5760)
        .map(|k| SeriesPoint {
            at: at(15 * k),
            observed: vec![
                Observed::Value {
                    value: Milli::from_keda_f64(((k / 40) % 30) as f64 * 8.0),
                },
                Observed::Value {
                    value: Milli::from_keda_f64(0.6),
                },
            ],
        })
        .collect();
    let workload = Workload {
        cold_start: SignedDuration::from_mins(2),
    };
    let started = Instant::now();
    let steps = simulate(&start, &day, workload).map_or(0, |s| s.len());
    let elapsed = started.elapsed();
    println!(
        "simulate: one day at 15 s ({} steps) in {:.2} ms",
        steps,
        elapsed.as_secs_f64() * 1e3
    );
}

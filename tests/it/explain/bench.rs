//! The figures for `bench/explain.sh`: `explain -A` over 1,000 ScaledObjects against the
//! fixture API server. Ignored by default (it prints figures, it asserts no timing); the script
//! runs it in release mode.

use std::time::Instant;

use serde_json::{Value, json};

use super::scenarios::{AT, objects};
use crate::support::apiserver::FixtureApiServer;
use crate::support::cli;

/// The at-max scenario copied into `count` ScaledObjects over 100 namespaces.
fn cluster_of(count: usize) -> Vec<Value> {
    let template: Vec<Value> = objects("at-max")
        .into_iter()
        .filter(|o| o["kind"] != "ExternalMetricValueList")
        .collect();
    let mut all = Vec::new();
    for i in 0..count {
        let namespace = format!("team-{}", i % 100);
        let name = format!("llm-{i}");
        for mut object in template.clone() {
            object["metadata"]["namespace"] = json!(namespace);
            rename(&mut object, &name);
            all.push(object);
        }
    }
    all
}

/// Gives one copy of the scenario its own names, so that the join has to find each one.
fn rename(object: &mut Value, name: &str) {
    let hpa = format!("keda-hpa-{name}");
    match object["kind"].as_str().unwrap_or_default() {
        "ScaledObject" => {
            object["metadata"]["name"] = json!(name);
            object["spec"]["scaleTargetRef"]["name"] = json!(name);
            object["status"]["hpaName"] = json!(hpa);
        }
        "HorizontalPodAutoscaler" => {
            object["metadata"]["name"] = json!(hpa);
            object["spec"]["scaleTargetRef"]["name"] = json!(name);
        }
        "Deployment" => {
            object["metadata"]["name"] = json!(name);
            object["spec"]["selector"]["matchLabels"]["app"] = json!(name);
        }
        "Pod" => {
            let pod = format!(
                "{name}-{}",
                object["metadata"]["name"].as_str().unwrap_or("")
            );
            object["metadata"]["name"] = json!(pod);
            object["metadata"]["labels"]["app"] = json!(name);
        }
        _ => {}
    }
}

#[test]
#[ignore = "a benchmark: run by bench/explain.sh in release mode, prints figures"]
fn bench_explain_all_namespaces() {
    let count: usize = std::env::var("EXPLAIN_BENCH_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1000);
    let objects = cluster_of(count);
    let object_count = objects.len();
    let server = FixtureApiServer::start(objects);
    let mut command = cli();
    command
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "-A", "--at", AT, "-o", "json"]);
    let started = Instant::now();
    let output = command.output().unwrap();
    let wall = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let explained = list["scaledObjects"].as_array().map_or(0, Vec::len);
    assert_eq!(explained, count);
    let held = list["scaledObjects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["limits"][0]["kind"] == "maxReplicas")
        .count();
    println!("explain -A: {count} ScaledObjects ({object_count} objects in the fixture server)");
    println!("  explained:     {explained} ({held} held at maxReplicaCount, as built)");
    println!("  API requests:  {}", server.request_count());
    println!(
        "  wall time:     {:.3} s (process start to exit)",
        wall.as_secs_f64()
    );
    println!("  stdout bytes:  {}", output.stdout.len());
}

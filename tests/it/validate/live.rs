//! Against the real Prometheus of `support::prometheus`: every test publishes series in its own
//! namespace, waits until Prometheus has scraped them, then runs `validate`.

use super::{deployment, manifest, row, scaled_object, validate, verdict};
use crate::support::exporters::{self, Gpu, Vllm};
use crate::support::prometheus::lab;

const POD: &str = "llama-5d8c7b9f4-x2x7q";

fn vllm(namespace: &str, pod: &str, waiting: f64) -> Vllm<'static> {
    Vllm {
        namespace: Box::leak(namespace.to_string().into_boxed_str()),
        pod: Box::leak(pod.to_string().into_boxed_str()),
        model: "meta-llama/Llama-3.1-8B-Instruct",
        waiting,
        running: 2.0,
        kv_cache: 0.25,
    }
}

#[test]
fn a_vllm_queue_trigger_passes_every_check() {
    let lab = lab();
    let ns = "t-healthy";
    vllm(ns, POD, 7.0).publish(&lab.servers);
    let gpu = Gpu {
        index: "0",
        uuid: "GPU-0d1e2f3a-healthy",
        pod: Some((ns, POD, "vllm")),
        util: 42.0,
    };
    gpu.publish(&lab.dcgm_k8s);
    let query = "sum(vllm:num_requests_waiting{namespace=\"t-healthy\"})";
    lab.wait_for(query, &[7.0]);
    lab.wait_for(
        "count(DCGM_FI_DEV_GPU_UTIL{namespace=\"t-healthy\"})",
        &[1.0],
    );
    let so = scaled_object(
        ns,
        "llama",
        "  minReplicaCount: 1\n  maxReplicaCount: 4\n",
        &[(query, "threshold: '5'")],
    );
    let (_dir, path) = manifest(&[deployment(ns, "llama", 1), so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        "job=\"dcgm-k8s\"",
        "-o",
        "json",
    ]);

    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr, "");
    let checks = run.checks();
    for check in &checks {
        assert_eq!(check["status"], "OK", "{check:#}");
    }
    let t = Some("s0-prometheus");
    let value = row(&checks, "t-healthy/llama", t, "value");
    assert_eq!(value["data"]["value"], 7.0);
    assert_eq!(
        verdict(value).1,
        "7 against threshold 5: the HPA would ask for 2 replica(s), 2 within 1..4"
    );
    assert!(
        verdict(row(&checks, "t-healthy/llama", t, "freshness"))
            .1
            .starts_with("newest")
    );
    assert_eq!(
        verdict(row(&checks, "t-healthy/llama", t, "metrics")).1,
        "vllm:num_requests_waiting exist in Prometheus"
    );
    assert_eq!(
        verdict(row(&checks, "t-healthy/llama", None, "dcgm")).1,
        "1 pod(s) with 1 GPU(s) each in DCGM_FI_DEV_GPU_UTIL (via pod); utilization 42..42"
    );
    assert!(
        row(&checks, "t-healthy/llama", None, "dcgm")["source"]
            .as_str()
            .unwrap()
            .ends_with("manifests.yaml:15")
    );
}

/// `generate`'s own manifests for `ns`: queue, KV cache (`new or old` metric name) and GPU
/// utilization (`pod` or `exported_pod`) triggers, and the Deployment.
fn generated(ns: &str) -> String {
    let output = crate::support::cli()
        .args(["generate", "--name", "llama", "-n", ns, "--server", "vllm"])
        .args([
            "--model",
            "m",
            "--gpus-per-replica",
            "2",
            "--min",
            "1",
            "--max",
            "4",
        ])
        .args([
            "--signal", "queue", "--signal", "kv-cache", "--signal", "gpu-util",
        ])
        .arg("--with-deployment")
        .output()
        .expect("run generate");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8 manifests")
}

#[test]
fn generates_own_or_queries_pass_when_one_side_is_missing() {
    let lab = lab();
    let ns = "t-generated";
    vllm(ns, POD, 3.0).publish(&lab.servers);
    for (index, uuid) in [("0", "GPU-gen-0"), ("1", "GPU-gen-1")] {
        Gpu {
            index,
            uuid,
            pod: Some((ns, POD, "server")),
            util: 60.0,
        }
        .publish(&lab.dcgm_k8s);
    }
    lab.wait_for(
        "sum(vllm:kv_cache_usage_perc{namespace=\"t-generated\"})",
        &[0.25],
    );
    lab.wait_for(
        "count(DCGM_FI_PROF_GR_ENGINE_ACTIVE{namespace=\"t-generated\"})",
        &[2.0],
    );
    let (_dir, path) = manifest(&[generated(ns)]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        "job=\"dcgm-k8s\"",
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let obj = "t-generated/llama";
    let (status, detail) = verdict(row(&checks, obj, Some("kv-cache"), "metrics"));
    assert_eq!(status, "OK");
    assert_eq!(
        detail,
        "vllm:kv_cache_usage_perc exists (the `or` branch that can return data); \
         vllm:gpu_cache_usage_perc does not, which the `or` allows"
    );
    for trigger in ["kv-cache", "gpu-util"] {
        let (status, detail) = verdict(row(&checks, obj, Some(trigger), "freshness"));
        assert_eq!(status, "OK", "{trigger}: {detail}");
        assert!(
            detail.contains("; the other `or` branch ("),
            "{trigger}: {detail}"
        );
    }
    assert_eq!(
        row(&checks, obj, Some("gpu-util"), "value")["data"]["value"],
        0.6
    );
    for check in &checks {
        assert_ne!(check["status"], "FAIL", "{check:#}");
    }
}

#[test]
fn the_table_names_object_trigger_check_status_and_detail() {
    let lab = lab();
    let ns = "t-table";
    exporters::tgi(&lab.servers, ns, "tgi-6f7d9c8b5-abcde", 3.0, 8.0);
    let query = "sum(tgi_queue_size{namespace=\"t-table\"})";
    lab.wait_for(query, &[3.0]);
    let so = scaled_object(
        ns,
        "tgi",
        "  minReplicaCount: 1\n",
        &[(query, "threshold: '10'")],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[path.to_str().unwrap(), "--prometheus", &lab.url]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let header = run.stdout.lines().next().unwrap_or("");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, ["OBJECT", "TRIGGER", "CHECK", "STATUS", "DETAIL"]);
    assert!(run.stdout.contains("t-table/tgi"), "{}", run.stdout);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("value") && l.contains("3 against threshold 10")),
        "{}",
        run.stdout
    );
    // No DCGM exporter maps this pod: one warning, and the run still succeeds.
    assert!(
        run.stdout.trim_end().ends_with("1 WARN, 0 FAIL"),
        "{}",
        run.stdout
    );
}

#[test]
fn tgi_and_triton_queues_validate() {
    let lab = lab();
    let ns = "t-servers";
    exporters::tgi(&lab.servers, ns, "tgi-6f7d9c8b5-abcde", 4.0, 8.0);
    exporters::triton(&lab.servers, ns, "triton-0", "llama", 6.0);
    let tgi = "sum(tgi_queue_size{namespace=\"t-servers\"})";
    let triton = "sum(nv_inference_pending_request_count{namespace=\"t-servers\",model=\"llama\"})";
    lab.wait_for(tgi, &[4.0]);
    lab.wait_for(triton, &[6.0]);
    let so = scaled_object(
        ns,
        "mixed",
        "  minReplicaCount: 1\n",
        &[(tgi, "threshold: '2'"), (triton, "threshold: '3'")],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let tgi_value = row(&checks, "t-servers/mixed", Some("s0-prometheus"), "value");
    assert_eq!(tgi_value["data"]["value"], 4.0);
    let triton_value = row(&checks, "t-servers/mixed", Some("s1-prometheus"), "value");
    assert_eq!(triton_value["data"]["value"], 6.0);
    assert_eq!(verdict(triton_value).0, "OK");
}

#[test]
fn several_series_a_renamed_metric_and_a_bad_query_fail() {
    let lab = lab();
    let ns = "t-several";
    vllm(ns, "llama-5d8c7b9f4-aaaaa", 1.0).publish(&lab.servers);
    vllm(ns, "llama-5d8c7b9f4-bbbbb", 2.0).publish(&lab.servers);
    let per_pod = "vllm:num_requests_waiting{namespace=\"t-several\"}";
    lab.wait_for(&format!("sum({per_pod})"), &[3.0]);
    let so = scaled_object(
        ns,
        "llama",
        "",
        &[
            (per_pod, "threshold: '5'"),
            (
                "avg(vllm:gpu_cache_usage_perc{namespace=\"t-several\"})",
                "threshold: '0.8'",
            ),
            (
                "sum(vllm:num_requests_waiting{namespace=\"t-several\"}",
                "threshold: '5'",
            ),
        ],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    let checks = run.checks();
    let obj = "t-several/llama";
    let (status, detail) = verdict(row(&checks, obj, Some("s0-prometheus"), "series"));
    assert_eq!(status, "FAIL");
    assert!(detail.starts_with("2 series ({"), "{detail}");
    assert!(
        detail.contains("KEDA fails with \"returned multiple elements\""),
        "{detail}"
    );

    let (status, detail) = verdict(row(&checks, obj, Some("s1-prometheus"), "metrics"));
    assert_eq!(status, "FAIL");
    assert_eq!(
        detail,
        "vllm:gpu_cache_usage_perc does not exist in Prometheus; did you mean \
         vllm:kv_cache_usage_perc?"
    );
    let (status, detail) = verdict(row(&checks, obj, Some("s1-prometheus"), "series"));
    assert_eq!(status, "FAIL");
    assert!(
        detail.starts_with("the query returns no series: KEDA reads it as 0"),
        "{detail}"
    );

    let (status, detail) = verdict(row(&checks, obj, Some("s2-prometheus"), "query"));
    assert_eq!(status, "FAIL");
    assert!(
        detail.starts_with("Prometheus rejected the query (bad_data):"),
        "{detail}"
    );
}

#[test]
fn nan_infinity_scalar_and_string_answers_fail_each_in_its_words() {
    let lab = lab();
    let so = scaled_object(
        "t-values",
        "odd",
        "  minReplicaCount: 1\n",
        &[
            ("vector(0) / vector(0)", "threshold: '1'"),
            ("vector(1) / vector(0)", "threshold: '1'"),
            ("scalar(vector(1))", "threshold: '1'"),
            ("\"busy\"", "threshold: '1'"),
        ],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let obj = "t-values/odd";
    let nan = verdict(row(&checks, obj, Some("s0-prometheus"), "value"));
    assert_eq!(nan.0, "FAIL");
    assert!(
        nan.1.starts_with("the value is NaN: KEDA reads it as 0"),
        "{}",
        nan.1
    );
    let inf = verdict(row(&checks, obj, Some("s1-prometheus"), "value"));
    assert!(inf.1.starts_with("the value is +Inf"), "{}", inf.1);
    let scalar = verdict(row(&checks, obj, Some("s2-prometheus"), "series"));
    assert_eq!(scalar.0, "FAIL");
    assert!(
        scalar.1.starts_with("the query returns a scalar"),
        "{}",
        scalar.1
    );
    let string = verdict(row(&checks, obj, Some("s3-prometheus"), "series"));
    assert!(
        string.1.starts_with("the query returns a string"),
        "{}",
        string.1
    );
    let metrics = verdict(row(&checks, obj, Some("s3-prometheus"), "metrics"));
    assert_eq!(
        metrics,
        (
            "WARN",
            "the query names no metric: it cannot follow the load"
        )
    );
}

#[test]
fn lookback_gives_the_window_replicas_and_activation() {
    let lab = lab();
    let ns = "t-window";
    let query = "sum(vllm:num_requests_waiting{namespace=\"t-window\"})";
    vllm(ns, POD, 0.0).publish(&lab.servers);
    lab.wait_for(query, &[0.0]);
    vllm(ns, POD, 12.0).publish(&lab.servers);
    lab.wait_for(query, &[12.0]);
    let spec = "  minReplicaCount: 0\n  maxReplicaCount: 2\n";
    let so = scaled_object(
        ns,
        "llama",
        spec,
        &[
            (query, "threshold: '5'"),
            (query, "threshold: '5'\nactivationThreshold: '20'"),
            (&format!("{query} + 1"), "threshold: '5'"),
        ],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--lookback",
        "1m",
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let obj = "t-window/llama";
    let window = row(&checks, obj, Some("s0-prometheus"), "lookback");
    assert_eq!(window["data"]["min"], 0.0);
    assert_eq!(window["data"]["max"], 12.0);
    assert!(
        verdict(window).1.starts_with("over 1m: min 0, median "),
        "{}",
        verdict(window).1
    );
    let replicas = verdict(row(&checks, obj, Some("s0-prometheus"), "replicas"));
    assert_eq!(replicas.0, "WARN");
    assert!(
        replicas.1.contains("capped by maxReplicaCount 2"),
        "{}",
        replicas.1
    );
    let wakes = verdict(row(&checks, obj, Some("s0-prometheus"), "activation"));
    assert_eq!(
        wakes,
        (
            "OK",
            "idle 0 ≤ 0 < busy 12 over 1m: scales to zero and wakes"
        )
    );
    let never_wakes = verdict(row(&checks, obj, Some("s1-prometheus"), "activation"));
    assert_eq!(never_wakes.0, "WARN");
    assert!(
        never_wakes
            .1
            .starts_with("never wakes: the value never exceeded"),
        "{}",
        never_wakes.1
    );
    let never_sleeps = verdict(row(&checks, obj, Some("s2-prometheus"), "activation"));
    assert_eq!(never_sleeps.0, "WARN");
    assert!(
        never_sleeps
            .1
            .starts_with("never scales to zero: the lowest value over 1m (1)")
    );
}

#[test]
fn activation_and_lookback_name_several_series_nan_and_thin_windows() {
    let lab = lab();
    let ns = "t-activation";
    vllm(ns, "llama-5d8c7b9f4-aaaaa", 1.0).publish(&lab.servers);
    vllm(ns, "llama-5d8c7b9f4-bbbbb", 2.0).publish(&lab.servers);
    let per_pod = "vllm:num_requests_waiting{namespace=\"t-activation\"}";
    lab.wait_for(&format!("sum({per_pod})"), &[3.0]);
    let so = scaled_object(
        ns,
        "llama",
        "  minReplicaCount: 0\n  maxReplicaCount: 4\n",
        &[
            (per_pod, "threshold: '5'"),
            ("vector(0) / vector(0)", "threshold: '5'"),
            (&format!("sum({per_pod})"), "threshold: '5'"),
        ],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--lookback",
        "1h",
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let obj = "t-activation/llama";
    let several = verdict(row(&checks, obj, Some("s0-prometheus"), "activation"));
    assert_eq!(several.0, "WARN");
    assert!(
        several
            .1
            .starts_with("not judged: the query returns 2 series, which KEDA reports as an error"),
        "{}",
        several.1
    );
    let nan_window = verdict(row(&checks, obj, Some("s1-prometheus"), "lookback"));
    assert_eq!(nan_window.0, "WARN");
    assert!(
        nan_window
            .1
            .starts_with("no finite value over the last 1h: all ")
            && nan_window.1.ends_with(" points are NaN or ±Inf"),
        "{}",
        nan_window.1
    );
    let nan = verdict(row(&checks, obj, Some("s1-prometheus"), "activation"));
    assert!(
        nan.1
            .starts_with("every value over 1h is NaN or ±Inf: KEDA reads 0"),
        "{}",
        nan.1
    );
    // The series began seconds ago: a handful of the hour's 241 points.
    let thin = row(&checks, obj, Some("s2-prometheus"), "lookback");
    assert_eq!(verdict(thin).0, "WARN", "{thin:#}");
    assert_eq!(thin["data"]["expectedPoints"], 241.0);
    assert!(
        verdict(thin)
            .1
            .contains("of the window has data, so these figures describe a small part of it"),
        "{thin:#}"
    );
    for trigger in ["s0-prometheus", "s1-prometheus"] {
        let detail = verdict(row(&checks, obj, Some(trigger), "activation")).1;
        assert!(!detail.contains("no data"), "{trigger}: {detail}");
    }
}

#[test]
fn an_old_sample_is_stale() {
    let lab = lab();
    let now_ms = (crate::support::fake_prometheus::now() * 1000.0) as i64;
    let labels = [("namespace", "t-stale"), ("pod", POD)];
    lab.servers
        .set_at("vllm:num_requests_waiting", &labels, 3.0, now_ms - 150_000);
    let query = "sum(vllm:num_requests_waiting{namespace=\"t-stale\"})";
    lab.wait_for(query, &[3.0]);
    let so = scaled_object(
        "t-stale",
        "llama",
        "  minReplicaCount: 1\n",
        &[(query, "threshold: '5'")],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let (status, detail) = verdict(row(
        &checks,
        "t-stale/llama",
        Some("s0-prometheus"),
        "freshness",
    ));
    assert_eq!(status, "WARN");
    assert!(
        detail
            .starts_with("newest sample of vllm:num_requests_waiting{namespace=\"t-stale\"} is 2m"),
        "{detail}"
    );
    assert!(
        detail.ends_with("(limit 2m): the signal is stale"),
        "{detail}"
    );
}

fn publish_gpus(exporter: &crate::support::exporters::Exporter, ns: &'static str, count: usize) {
    for (i, uuid) in ["GPU-aaaa", "GPU-bbbb"].iter().take(count).enumerate() {
        let index = if i == 0 { "0" } else { "1" };
        let uuid: &'static str = Box::leak(format!("{uuid}-{ns}").into_boxed_str());
        Gpu {
            index,
            uuid,
            pod: Some((ns, POD, "vllm")),
            util: 50.0 + i as f64,
        }
        .publish(exporter);
    }
}

#[test]
fn dcgm_behind_a_service_monitor_maps_pods_through_exported_pod() {
    let lab = lab();
    let ns = "t-dcgm-sm";
    publish_gpus(&lab.dcgm_monitor, ns, 2);
    lab.wait_for(
        "count(DCGM_FI_DEV_GPU_UTIL{exported_namespace=\"t-dcgm-sm\"})",
        &[2.0],
    );
    let query = "sum(vllm:num_requests_running)";
    let so = scaled_object(
        ns,
        "llama",
        "  minReplicaCount: 1\n",
        &[(query, "threshold: '50'")],
    );
    let (_dir, path) = manifest(&[deployment(ns, "llama", 2), so.clone()]);
    let matcher = "job=\"dcgm-servicemonitor\"";

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        matcher,
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let (status, detail) = verdict(row(&checks, "t-dcgm-sm/llama", None, "dcgm"));
    assert_eq!(status, "OK");
    assert_eq!(
        detail,
        "1 pod(s) with 2 GPU(s) each in DCGM_FI_DEV_GPU_UTIL (via exported_pod); utilization 50..51"
    );

    // The same pods against a Deployment that asks for 4 GPUs per pod.
    let (_dir, path) = manifest(&[deployment(ns, "llama", 4), so]);
    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        matcher,
        "-o",
        "json",
    ]);
    let checks = run.checks();
    let (status, detail) = verdict(row(&checks, "t-dcgm-sm/llama", None, "dcgm"));
    assert_eq!(status, "WARN");
    assert!(
        detail.contains(&format!("pods request 4 GPU(s) but {POD} has 2")),
        "{detail}"
    );
}

#[test]
fn dcgm_without_pod_labels_is_said_plainly_and_fails_a_gpu_trigger() {
    let lab = lab();
    let ns = "t-dcgm-plain";
    Gpu {
        index: "0",
        uuid: "GPU-cccc-plain",
        pod: None,
        util: 97.0,
    }
    .publish(&lab.dcgm_plain);
    lab.wait_for("count(DCGM_FI_DEV_GPU_UTIL{job=\"dcgm-plain\"})", &[1.0]);
    let gpu_query = "avg(DCGM_FI_DEV_GPU_UTIL{job=\"dcgm-plain\"})";
    let so = scaled_object(
        ns,
        "llama",
        "  minReplicaCount: 1\n  maxReplicaCount: 3\n",
        &[(gpu_query, "threshold: '80'\nactivationThreshold: '10'")],
    );
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        "{job=\"dcgm-plain\"}",
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let (status, detail) = verdict(row(&checks, "t-dcgm-plain/llama", None, "dcgm"));
    assert_eq!(status, "FAIL");
    assert!(
        detail.starts_with("DCGM does not map GPUs to pods: its 1 series carry no pod"),
        "{detail}"
    );
    let value = row(
        &checks,
        "t-dcgm-plain/llama",
        Some("s0-prometheus"),
        "value",
    );
    assert_eq!(value["data"]["value"], 97.0);
}

#[test]
fn dcgm_series_that_carry_only_the_exporters_own_pod_map_nothing() {
    let lab = lab();
    let ns = "t-dcgm-sd";
    for (index, uuid) in [("0", "GPU-eeee-sd"), ("1", "GPU-ffff-sd")] {
        Gpu {
            index,
            uuid,
            pod: None,
            util: 70.0,
        }
        .publish(&lab.dcgm_sd);
    }
    lab.wait_for("count(DCGM_FI_DEV_GPU_UTIL{job=\"dcgm-sd\"})", &[2.0]);
    let gpu_query = "avg(DCGM_FI_DEV_GPU_UTIL{job=\"dcgm-sd\"})";
    let so = scaled_object(
        ns,
        "llama",
        "  minReplicaCount: 1\n  maxReplicaCount: 3\n",
        &[(gpu_query, "threshold: '80'")],
    );
    let (_dir, path) = manifest(&[deployment(ns, "llama", 2), so]);

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &lab.url,
        "--dcgm-match",
        "job=\"dcgm-sd\"",
        "-o",
        "json",
    ]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let (status, detail) = verdict(row(&checks, "t-dcgm-sd/llama", None, "dcgm"));
    assert_eq!(status, "FAIL");
    assert_eq!(
        detail,
        "DCGM does not map GPUs to pods: the pod label of its 2 series is the scrape target's \
         own pod, added by service discovery (gpu-telemetry-q8r4t), not a workload's; run the \
         exporter with DCGM_EXPORTER_KUBERNETES=true and the kubelet pod-resources socket \
         mounted"
    );
}

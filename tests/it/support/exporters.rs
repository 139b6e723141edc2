//! `/metrics` endpoints in the Prometheus text format with the real metric and label names of
//! vLLM, TGI, Triton and NVIDIA's DCGM exporter; values are set from the tests.
//!
//! In a cluster, Prometheus's Kubernetes service discovery adds `namespace` and `pod` to the
//! model servers' series; here the exporters write those labels themselves, which gives the
//! same series. DCGM writes `pod`/`namespace`/`container` itself (Kubernetes mode), and the
//! scrape config decides whether Prometheus keeps them or renames them `exported_*`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use super::httpd::{self, Reply};

/// One sample: its value and an optional explicit timestamp (milliseconds).
type Entry = (f64, Option<i64>);

/// A `/metrics` endpoint whose series the test sets.
#[derive(Clone)]
pub struct Exporter {
    /// Where it listens.
    pub addr: SocketAddr,
    series: Arc<Mutex<BTreeMap<(String, String), Entry>>>,
}

impl Exporter {
    /// Starts an exporter with no series on a free loopback port.
    pub fn start() -> Exporter {
        let series: Arc<Mutex<BTreeMap<(String, String), Entry>>> = Arc::default();
        let shared = series.clone();
        let addr = httpd::serve(move |request| {
            if request.path != "/metrics" {
                return Reply::status(404, "text/plain", "not found\n");
            }
            let text = render(&shared.lock().expect("exporter lock"));
            Reply::status(200, "text/plain; version=0.0.4; charset=utf-8", text)
        });
        Exporter { addr, series }
    }

    /// Sets a gauge sample (created when new).
    pub fn set(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.insert(name, labels, (value, None));
    }

    /// Sets a sample with an explicit timestamp (Unix milliseconds), as federation does.
    pub fn set_at(&self, name: &str, labels: &[(&str, &str)], value: f64, timestamp_ms: i64) {
        self.insert(name, labels, (value, Some(timestamp_ms)));
    }

    fn insert(&self, name: &str, labels: &[(&str, &str)], entry: Entry) {
        let labels = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect::<Vec<_>>()
            .join(",");
        self.series
            .lock()
            .expect("exporter lock")
            .insert((name.to_string(), labels), entry);
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render(series: &BTreeMap<(String, String), Entry>) -> String {
    let mut text = String::new();
    let mut last_name = "";
    for ((name, labels), (value, timestamp)) in series {
        if name != last_name {
            let _ = writeln!(text, "# TYPE {name} gauge");
            last_name = name;
        }
        let value = format_value(*value);
        match timestamp {
            Some(ts) => {
                let _ = writeln!(text, "{name}{{{labels}}} {value} {ts}");
            }
            None => {
                let _ = writeln!(text, "{name}{{{labels}}} {value}");
            }
        }
    }
    text
}

fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        value.to_string()
    }
}

/// A vLLM pod's scheduler gauges (`vllm:` prefix; labels `model_name` and `engine`).
pub struct Vllm<'a> {
    /// Namespace of the pod.
    pub namespace: &'a str,
    /// Pod name.
    pub pod: &'a str,
    /// Served model name.
    pub model: &'a str,
    /// `vllm:num_requests_waiting`.
    pub waiting: f64,
    /// `vllm:num_requests_running`.
    pub running: f64,
    /// `vllm:kv_cache_usage_perc` (0–1).
    pub kv_cache: f64,
}

impl Vllm<'_> {
    /// Publishes the pod's gauges on `exporter`.
    pub fn publish(&self, exporter: &Exporter) {
        let labels = [
            ("engine", "0"),
            ("model_name", self.model),
            ("namespace", self.namespace),
            ("pod", self.pod),
        ];
        exporter.set("vllm:num_requests_waiting", &labels, self.waiting);
        exporter.set("vllm:num_requests_running", &labels, self.running);
        exporter.set("vllm:kv_cache_usage_perc", &labels, self.kv_cache);
    }
}

/// A TGI pod's queue and batch gauges.
pub fn tgi(exporter: &Exporter, namespace: &str, pod: &str, queue: f64, batch: f64) {
    let labels = [("namespace", namespace), ("pod", pod)];
    exporter.set("tgi_queue_size", &labels, queue);
    exporter.set("tgi_batch_current_size", &labels, batch);
}

/// A Triton pod's pending-request gauge for one model (labels `model`, `version`).
pub fn triton(exporter: &Exporter, namespace: &str, pod: &str, model: &str, pending: f64) {
    let labels = [
        ("model", model),
        ("namespace", namespace),
        ("pod", pod),
        ("version", "1"),
    ];
    exporter.set("nv_inference_pending_request_count", &labels, pending);
}

/// One GPU as the DCGM exporter reports it.
pub struct Gpu<'a> {
    /// The `gpu` index on its node.
    pub index: &'a str,
    /// The `UUID` label.
    pub uuid: &'a str,
    /// The workload pod it is assigned to, as `(namespace, pod, container)`; `None` when the
    /// exporter runs without Kubernetes mapping.
    pub pod: Option<(&'a str, &'a str, &'a str)>,
    /// `DCGM_FI_DEV_GPU_UTIL` (0–100); `DCGM_FI_PROF_GR_ENGINE_ACTIVE` is the same as a
    /// 0–1 ratio.
    pub util: f64,
}

impl Gpu<'_> {
    /// Publishes the GPU's utilization (both metrics) on `exporter`.
    pub fn publish(&self, exporter: &Exporter) {
        let device = format!("nvidia{}", self.index);
        let mut labels = vec![
            ("DCGM_FI_DRIVER_VERSION", "570.124.06"),
            ("Hostname", "gpu-node-1"),
            ("UUID", self.uuid),
            ("device", device.as_str()),
            ("gpu", self.index),
            ("modelName", "NVIDIA H100 80GB HBM3"),
            ("pci_bus_id", "00000000:1A:00.0"),
        ];
        if let Some((namespace, pod, container)) = self.pod {
            labels.extend([
                ("container", container),
                ("namespace", namespace),
                ("pod", pod),
            ]);
        }
        exporter.set("DCGM_FI_DEV_GPU_UTIL", &labels, self.util);
        exporter.set("DCGM_FI_PROF_GR_ENGINE_ACTIVE", &labels, self.util / 100.0);
    }
}

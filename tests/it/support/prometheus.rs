//! A real Prometheus (Debian's `prometheus` binary) on a free loopback port, with a temporary
//! config and data folder, scraping the test exporters every second. One instance is shared
//! by every test of the binary ([`lab`]); tests keep apart by using their own namespaces.
//!
//! Prometheus runs under a small shell that waits on its stdin: when the test process ends,
//! for whatever reason, the pipe closes and the shell stops Prometheus and removes the data
//! folder. Nothing is left running.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::exporters::Exporter;
use super::httpd;

/// How many targets Prometheus scrapes: the model servers and four DCGM exporters.
const TARGETS: f64 = 5.0;

/// How long to wait for Prometheus to start and scrape, and for a value to show up.
const PATIENCE: Duration = Duration::from_secs(30);

/// The shared Prometheus and the exporters it scrapes.
pub struct Lab {
    /// Base URL of Prometheus, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// Its address.
    pub addr: SocketAddr,
    /// Model servers' metrics: vLLM, TGI and Triton (job `inference`).
    pub servers: Exporter,
    /// DCGM in Kubernetes mode, scraped so that `pod`/`namespace` stay as they are
    /// (job `dcgm-k8s`).
    pub dcgm_k8s: Exporter,
    /// DCGM in Kubernetes mode behind a ServiceMonitor-like target that carries the
    /// exporter's own `pod`/`namespace`, so Prometheus renames the GPU's to `exported_pod`,
    /// `exported_namespace` (job `dcgm-servicemonitor`).
    pub dcgm_monitor: Exporter,
    /// DCGM without Kubernetes mapping: no pod labels at all (job `dcgm-plain`).
    pub dcgm_plain: Exporter,
    /// DCGM without Kubernetes mapping, discovered as Kubernetes service discovery does: the
    /// target carries the exporter's own `pod`/`namespace`/`container`, so every series does
    /// (job `dcgm-sd`). The DaemonSet has a neutral name (`gpu-telemetry`), so only the scrape
    /// target tells that the pod is the exporter's.
    pub dcgm_sd: Exporter,
    /// The shell that owns Prometheus; dropping its stdin stops it.
    _guard: Mutex<Child>,
}

/// The shared lab, started on first use.
pub fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(start)
}

fn start() -> Lab {
    let servers = Exporter::start();
    let dcgm_k8s = Exporter::start();
    let dcgm_monitor = Exporter::start();
    let dcgm_plain = Exporter::start();
    let dcgm_sd = Exporter::start();
    // Every exporter needs at least one series for its target to have a sample.
    servers.set("inference_exporter_up", &[], 1.0);
    for exporter in [&dcgm_k8s, &dcgm_monitor, &dcgm_plain, &dcgm_sd] {
        exporter.set("dcgm_exporter_up", &[], 1.0);
    }

    let dir = tempfile::Builder::new()
        .prefix("kubectl-infer-prometheus-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let port = free_port();
    let config = config(&servers, &dcgm_k8s, &dcgm_monitor, &dcgm_plain, &dcgm_sd);
    std::fs::write(dir.join("prometheus.yml"), config).expect("write config");
    let guard = spawn(&dir, port);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let lab = Lab {
        url: format!("http://{addr}"),
        addr,
        servers,
        dcgm_k8s,
        dcgm_monitor,
        dcgm_plain,
        dcgm_sd,
        _guard: Mutex::new(guard),
    };
    lab.wait_until_scraping(&dir);
    lab
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn config(
    servers: &Exporter,
    k8s: &Exporter,
    monitor: &Exporter,
    plain: &Exporter,
    sd: &Exporter,
) -> String {
    format!(
        "\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: inference
    static_configs: [{{targets: ['{servers}']}}]
  - job_name: dcgm-k8s
    static_configs: [{{targets: ['{k8s}']}}]
  - job_name: dcgm-servicemonitor
    static_configs:
      - targets: ['{monitor}']
        labels: {{namespace: gpu-operator, pod: nvidia-dcgm-exporter-x7k2p, container: nvidia-dcgm-exporter}}
  - job_name: dcgm-plain
    static_configs: [{{targets: ['{plain}']}}]
  - job_name: dcgm-sd
    static_configs:
      - targets: ['{sd}']
        labels: {{namespace: gpu-operator, pod: gpu-telemetry-q8r4t, container: telemetry}}
",
        servers = servers.addr,
        k8s = k8s.addr,
        monitor = monitor.addr,
        plain = plain.addr,
        sd = sd.addr,
    )
}

/// Starts Prometheus under a shell that stops it (and removes `dir`) when stdin closes.
fn spawn(dir: &Path, port: u16) -> Child {
    let script = r#"
dir="$1"; shift
prometheus "$@" >"$dir/prometheus.log" 2>&1 &
pid=$!
read -r _ignored
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$dir"
"#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(dir)
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "failed to start `sh` for Prometheus; the validate tests need Debian's prometheus \
             package (./scripts/test installs it)",
        );
    // Keep the pipe open for the life of the process; it closes when the process exits.
    if let Some(stdin) = child.stdin.as_mut() {
        let _ = stdin.flush();
    }
    child
}

impl Lab {
    /// Waits until every target is up and has been scraped.
    fn wait_until_scraping(&self, dir: &Path) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(values) = self.values("sum(up)")
                && values == [TARGETS]
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
        panic!(
            "Prometheus at {} did not scrape its {TARGETS} targets within {PATIENCE:?} (is Debian's \
             prometheus package installed?); its log:\n{log}",
            self.url
        );
    }

    /// The values of an instant query, or `None` when Prometheus does not answer (yet).
    pub fn values(&self, query: &str) -> Option<Vec<f64>> {
        let (status, body) = httpd::get(self.addr, "/api/v1/query", &[("query", query)])?;
        if status != 200 {
            return None;
        }
        let answer: serde_json::Value = serde_json::from_str(&body).ok()?;
        let result = answer["data"]["result"].as_array()?;
        result
            .iter()
            .map(|s| s["value"][1].as_str().and_then(|v| v.parse().ok()))
            .collect()
    }

    /// Waits (polling every 100 ms, at most [`PATIENCE`]) until `query` returns `want`.
    pub fn wait_for(&self, query: &str, want: &[f64]) {
        let deadline = Instant::now() + PATIENCE;
        let mut last = None;
        while Instant::now() < deadline {
            last = self.values(query);
            if last.as_deref() == Some(want) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{query} never returned {want:?} within {PATIENCE:?}; last: {last:?}");
    }
}

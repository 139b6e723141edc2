//! `explain --prometheus`: each trigger's query run against a real Prometheus (Debian's
//! `prometheus` package, started empty on a loopback port), live and with `--from-file`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::scenarios::{AT, objects};
use crate::support::apiserver::FixtureApiServer;
use crate::support::{cli, fixture};

/// An empty Prometheus (no scrape targets): every metric query returns no series, while
/// expressions such as `vector(40)` return a value. Killed on drop.
struct EmptyPrometheus {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl EmptyPrometheus {
    fn start() -> EmptyPrometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 15s\n").unwrap();
        // Prometheus cannot report a port it chose itself: take a free one from the kernel.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the `prometheus` binary (Debian package prometheus) must be on PATH");
        let server = EmptyPrometheus {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        server.wait_ready(port);
        server
    }

    fn wait_ready(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.write_all(b"GET /-/ready HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("prometheus did not become ready on port {port} within 30 s");
    }
}

impl Drop for EmptyPrometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json_of(output: std::process::Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn an_empty_query_result_is_named_live_and_from_file() {
    let prometheus = EmptyPrometheus::start();
    let server = FixtureApiServer::start(objects("empty-result"));
    let live = json_of(
        cli()
            .arg("--kubeconfig")
            .arg(server.kubeconfig())
            .args(["explain", "llm", "-n", "serving", "--at", AT, "-o", "json"])
            .args(["--prometheus", &prometheus.url])
            .output()
            .unwrap(),
    );
    let offline = json_of(
        cli()
            .args([
                "explain",
                "llm",
                "-o",
                "json",
                "--prometheus",
                &prometheus.url,
            ])
            .arg("--from-file")
            .arg(fixture("explain/empty-result.yaml"))
            .output()
            .unwrap(),
    );
    for report in [live, offline] {
        assert_eq!(
            report["cause"],
            "trigger s0-prometheus returns no data: read as 0 because ignoreNullValues is true"
        );
        assert_eq!(report["limits"][0]["kind"], "noDataReadAsZero");
        assert_eq!(report["triggers"][0]["value"], 0.0);
        assert_eq!(report["triggers"][0]["active"], false);
    }
}

#[test]
fn both_values_show_when_they_differ() {
    let prometheus = EmptyPrometheus::start();
    let mut objects = objects("steady");
    for object in &mut objects {
        if object["kind"] == "ScaledObject" {
            object["spec"]["triggers"][0]["metadata"]["query"] = Value::from("vector(40)");
        }
    }
    let server = FixtureApiServer::start(objects);
    let output = cli()
        .arg("--kubeconfig")
        .arg(server.kubeconfig())
        .args(["explain", "llm", "-n", "serving", "--at", AT])
        .args(["--prometheus", &prometheus.url])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("s0-prometheus  31 (prometheus 40)"), "{out}");
}

#[test]
fn a_scalar_answer_fails_as_in_keda() {
    // KEDA decodes the result as a list of series: a scalar answer fails its scaler.
    let prometheus = EmptyPrometheus::start();
    let mut objects = objects("steady");
    for object in &mut objects {
        if object["kind"] == "ScaledObject" {
            object["spec"]["triggers"][0]["metadata"]["query"] = Value::from("scalar(vector(40))");
        }
    }
    let server = FixtureApiServer::start(objects);
    let report = json_of(
        cli()
            .arg("--kubeconfig")
            .arg(server.kubeconfig())
            .args(["explain", "llm", "-n", "serving", "--at", AT, "-o", "json"])
            .args(["--prometheus", &prometheus.url])
            .output()
            .unwrap(),
    );
    let trigger = &report["triggers"][0];
    let failure = trigger["failure"].as_str().unwrap();
    assert!(failure.contains("returns a scalar"), "{failure}");
    assert_eq!(trigger["prometheusValue"], Value::Null);
}

#[test]
fn an_unreachable_prometheus_exits_4() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = cli()
        .args(["explain", "llm", "--prometheus", &url, "--from-file"])
        .arg(fixture("explain/steady.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("error: failed to run \"sum(vllm:num_requests_waiting"),
        "{err}"
    );
    assert!(err.contains(&url), "{err}");
}

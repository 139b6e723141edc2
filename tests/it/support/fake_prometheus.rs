//! A misbehaving Prometheus for the fault cases: it speaks (or fails to speak) the HTTP API
//! the way the test says, on a free loopback port.

use std::net::SocketAddr;

use super::httpd::{self, Reply, Request};

pub use super::httpd::Reply as Answer;

/// Serves `answer` for every request; returns the base URL.
pub fn start(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> String {
    let addr: SocketAddr = httpd::serve(answer);
    format!("http://{addr}")
}

/// A URL on which nothing listens (connection refused).
pub fn refusing() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}

/// A successful answer of the label-values endpoint.
pub fn names(names: &[&str]) -> Reply {
    Reply::json(serde_json::json!({"status": "success", "data": names}).to_string())
}

/// A successful query answer with `resultType` and `result` as given.
pub fn result(result_type: &str, result: serde_json::Value) -> Reply {
    let body = serde_json::json!({
        "status": "success",
        "data": {"resultType": result_type, "result": result}
    });
    Reply::json(body.to_string())
}

/// An instant vector of `(labels, value)` samples at `time`; values as Prometheus writes
/// them (`"NaN"`, `"+Inf"`).
pub fn vector(time: f64, samples: &[(serde_json::Value, &str)]) -> Reply {
    let result: Vec<_> = samples
        .iter()
        .map(|(labels, value)| serde_json::json!({"metric": labels, "value": [time, value]}))
        .collect();
    self::result("vector", serde_json::Value::Array(result))
}

/// A `status: error` answer with the HTTP status Prometheus uses for that error type.
pub fn api_error(http_status: u16, error_type: &str, message: &str) -> Reply {
    let body = serde_json::json!({"status": "error", "errorType": error_type, "error": message});
    Reply::status(http_status, "application/json", body.to_string())
}

/// The current time, Unix seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

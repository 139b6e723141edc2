//! The Prometheus HTTP API client: instant and range queries, metric-name and series look-ups,
//! with authentication, TLS options, a per-request timeout and a bound on concurrent requests.
//!
//! Every failure is classified into a [`PrometheusError`] variant, so callers can tell a query
//! that Prometheus rejects (the query's fault: a failed check) from a Prometheus that cannot be
//! used at all (refused, timed out, TLS, 401/403, 5xx, not the Prometheus API: exit 4).
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubectl_infer::sources::prometheus::PrometheusError> {
//! use kubectl_infer::sources::prometheus::{Prometheus, PrometheusOptions};
//! let prom = Prometheus::new(&PrometheusOptions::new("http://127.0.0.1:9090"))?;
//! let answer = prom.query("sum(vllm:num_requests_waiting)", None).await?;
//! println!("{:?}", answer.data);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::exit::ErrorKind;

/// The largest answer read from Prometheus; larger answers are refused, not buffered.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// How many requests run at once by default: enough for a hundred ScaledObjects' requests
/// (one per distinct query, a few combined freshness queries, the metric names and DCGM) to
/// go out in one wave, so that the run costs about one round trip.
pub const DEFAULT_CONCURRENCY: usize = 128;

/// The most requests `--concurrency` allows at once.
pub const MAX_CONCURRENCY: usize = 1024;

/// How to authenticate to Prometheus. Tokens and passwords are never logged.
#[derive(Clone, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password, if any.
        password: Option<String>,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Bearer(_) => write!(f, "Bearer(<redacted>)"),
            Auth::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
        }
    }
}

impl Auth {
    /// A bearer token read from a file (trailing whitespace and newlines removed).
    pub fn bearer_from_file(path: &Path) -> Result<Auth, PrometheusError> {
        let token = read_secret(path)?;
        if token.is_empty() {
            return Err(PrometheusError::EmptySecret {
                path: path.to_path_buf(),
            });
        }
        Ok(Auth::Bearer(token))
    }
}

/// Reads a token or password file, trimming the trailing newline most editors add.
pub fn read_secret(path: &Path) -> Result<String, PrometheusError> {
    let text = std::fs::read_to_string(path).map_err(|source| PrometheusError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text.trim_end().to_string())
}

/// Everything needed to reach one Prometheus server.
#[derive(Debug, Clone)]
pub struct PrometheusOptions {
    /// The base URL, e.g. `http://127.0.0.1:9090` or `https://host/prometheus`.
    pub url: String,
    /// Credentials.
    pub auth: Auth,
    /// Extra headers sent with every request (e.g. `X-Scope-OrgID` for multi-tenant servers).
    pub headers: Vec<(String, String)>,
    /// A PEM file with CA certificates to trust, besides the system's.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (off by default; for test set-ups only).
    pub insecure_skip_tls_verify: bool,
    /// The limit for one request, connection and answer included; zero means no limit (as
    /// kubectl's `--request-timeout 0`).
    pub timeout: Duration,
    /// How many requests may be in flight at once.
    pub concurrency: usize,
}

impl PrometheusOptions {
    /// Options for `url` with no credentials, a 10 s timeout and the default concurrency.
    pub fn new(url: impl Into<String>) -> Self {
        PrometheusOptions {
            url: url.into(),
            auth: Auth::None,
            headers: Vec::new(),
            ca_file: None,
            insecure_skip_tls_verify: false,
            timeout: Duration::from_secs(10),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Why a request to Prometheus failed.
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    /// The URL given is not an http(s) URL.
    #[error("invalid Prometheus URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A CA, token or password file could not be read.
    #[error("failed to read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A token or password file is empty.
    #[error("{}: the file is empty", path.display())]
    EmptySecret {
        /// The file.
        path: PathBuf,
    },
    /// The CA file holds no usable PEM certificate.
    #[error("{}: not a PEM certificate bundle: {reason}", path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        reason: String,
    },
    /// An extra header is not a valid HTTP header.
    #[error("invalid header {name:?}: {reason}")]
    BadHeader {
        /// The header name as given.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The HTTP client could not be set up (TLS configuration).
    #[error("failed to set up the HTTP client: {0}")]
    Client(String),
    /// Nothing answered: connection refused, host unknown, network unreachable.
    #[error("{url}: cannot connect ({detail}); is Prometheus running and the address right?")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// The cause, e.g. "Connection refused".
        detail: String,
    },
    /// No complete answer within the timeout.
    #[error("{url}: no answer within {}", humantime::format_duration(*timeout))]
    Timeout {
        /// The endpoint.
        url: String,
        /// The limit that ran out.
        timeout: Duration,
    },
    /// The TLS handshake failed (untrusted certificate, wrong host name, not TLS at all).
    #[error("{url}: TLS failure: {detail} (check http vs https, --ca-file)")]
    Tls {
        /// The endpoint.
        url: String,
        /// The cause.
        detail: String,
    },
    /// 401 or 403: the credentials are missing or refused.
    #[error("{url}: HTTP {status}: Prometheus refused the request; {hint}")]
    Unauthorized {
        /// The endpoint.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What to try.
        hint: &'static str,
    },
    /// A 5xx answer that is not a Prometheus API error.
    #[error("{url}: HTTP {status}: server error: {body}")]
    Server {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer, on one line.
        body: String,
    },
    /// The answer is not the Prometheus HTTP API (invalid JSON, wrong shape, 404, ...).
    #[error("{url}: not a Prometheus API answer: {detail}")]
    NotPrometheus {
        /// The endpoint.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The answer is larger than [`MAX_ANSWER_BYTES`].
    #[error("{url}: answer over the limit of {limit} bytes")]
    TooLarge {
        /// The endpoint.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// `status: error` with `errorType` `bad_data` or `execution` and a 4xx status: the query
    /// is at fault.
    #[error("Prometheus rejected the query ({error_type}): {message}")]
    QueryRejected {
        /// Prometheus's `errorType`.
        error_type: String,
        /// Prometheus's `error`.
        message: String,
    },
    /// `status: error` for a server-side reason (`timeout`, `canceled`, `internal`,
    /// `unavailable`, ..., or any error type with a 5xx status, such as an `execution` error
    /// from failing storage): Prometheus cannot answer now.
    #[error("{url}: Prometheus failed to run the query ({error_type}): {message}")]
    QueryFailed {
        /// The endpoint.
        url: String,
        /// Prometheus's `errorType`.
        error_type: String,
        /// Prometheus's `error`.
        message: String,
    },
}

impl PrometheusError {
    /// Whether the query itself is at fault (a failed check), as opposed to Prometheus being
    /// unusable or the options being wrong.
    pub fn is_query_error(&self) -> bool {
        matches!(self, PrometheusError::QueryRejected { .. })
    }

    /// The exit-code kind: option errors are usage errors (2); everything else means
    /// Prometheus cannot be used (4). Query errors are usually reported as failed checks
    /// instead; when they end a run they count as Prometheus errors.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PrometheusError::InvalidUrl { .. }
            | PrometheusError::ReadFile { .. }
            | PrometheusError::EmptySecret { .. }
            | PrometheusError::BadCertificate { .. }
            | PrometheusError::BadHeader { .. } => ErrorKind::Usage,
            _ => ErrorKind::Prometheus,
        }
    }
}

/// One answer of the query endpoints: the data and any warnings Prometheus attached.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryAnswer {
    /// The result, by its `resultType`.
    pub data: QueryData,
    /// `warnings` from Prometheus (e.g. partial data from a federated source).
    pub warnings: Vec<String>,
}

/// A query result by its type.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    /// An instant vector: zero or more series with one sample each.
    Vector(Vec<Sample>),
    /// A range vector: series with several points each (range queries, `x[5m]`).
    Matrix(Vec<Series>),
    /// A scalar (e.g. `scalar(...)` or a number literal).
    Scalar(Point),
    /// A string literal.
    String {
        /// Evaluation time, Unix seconds.
        time: f64,
        /// The string.
        value: String,
    },
}

impl QueryData {
    /// The `resultType` name Prometheus uses for this result.
    pub fn type_name(&self) -> &'static str {
        match self {
            QueryData::Vector(_) => "vector",
            QueryData::Matrix(_) => "matrix",
            QueryData::Scalar(_) => "scalar",
            QueryData::String { .. } => "string",
        }
    }
}

/// One value at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Unix time in seconds.
    pub time: f64,
    /// The value; NaN and ±Inf are kept as such.
    pub value: f64,
}

/// One series of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series labels (`__name__` included when the query keeps it).
    pub labels: BTreeMap<String, String>,
    /// Its sample.
    pub point: Point,
}

/// One series of a range vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series labels.
    pub labels: BTreeMap<String, String>,
    /// Its points, oldest first.
    pub points: Vec<Point>,
}

/// The time window and resolution of a range query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Start, Unix seconds.
    pub start: f64,
    /// End, Unix seconds.
    pub end: f64,
    /// Resolution step.
    pub step: Duration,
}

/// A client for one Prometheus server. Cheap to clone; clones share the connection pool and
/// the concurrency bound.
#[derive(Debug, Clone)]
pub struct Prometheus {
    client: reqwest::Client,
    base: Url,
    auth: Auth,
    timeout: Duration,
    permits: Arc<Semaphore>,
}

impl Prometheus {
    /// Builds a client; reads the CA file. Makes no request.
    pub fn new(options: &PrometheusOptions) -> Result<Self, PrometheusError> {
        crate::install_crypto_provider();
        let base = parse_base_url(&options.url)?;
        let mut builder = reqwest::Client::builder()
            .default_headers(header_map(&options.headers)?)
            .tls_danger_accept_invalid_certs(options.insecure_skip_tls_verify)
            .user_agent(concat!("kubectl-infer/", env!("CARGO_PKG_VERSION")));
        if !options.timeout.is_zero() {
            builder = builder.connect_timeout(options.timeout);
        }
        if let Some(path) = &options.ca_file {
            builder = builder.tls_certs_merge(read_ca_file(path)?);
        }
        let client = builder
            .build()
            .map_err(|e| PrometheusError::Client(error_chain(&e)))?;
        Ok(Prometheus {
            client,
            base,
            auth: options.auth.clone(),
            timeout: options.timeout,
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
        })
    }

    /// The base URL, normalized to end with `/`.
    pub fn url(&self) -> &Url {
        &self.base
    }

    /// An instant query at `time` (Unix seconds), or at the server's "now".
    pub async fn query(
        &self,
        query: &str,
        time: Option<f64>,
    ) -> Result<QueryAnswer, PrometheusError> {
        let mut params = vec![("query", query.to_string())];
        if let Some(time) = time {
            params.push(("time", format_time(time)));
        }
        let envelope = self.get("api/v1/query", &params).await?;
        decode_query_data(envelope)
    }

    /// A range query over `range`.
    pub async fn query_range(
        &self,
        query: &str,
        range: &Range,
    ) -> Result<QueryAnswer, PrometheusError> {
        let params = [
            ("query", query.to_string()),
            ("start", format_time(range.start)),
            ("end", format_time(range.end)),
            ("step", format!("{}s", range.step.as_secs_f64())),
        ];
        let envelope = self.get("api/v1/query_range", &params).await?;
        decode_query_data(envelope)
    }

    /// Every metric name Prometheus knows (the values of the `__name__` label).
    pub async fn metric_names(&self) -> Result<Vec<String>, PrometheusError> {
        self.label_values("__name__", &[]).await
    }

    /// The values of `label`, restricted to series matching any of `matchers` when given.
    pub async fn label_values(
        &self,
        label: &str,
        matchers: &[String],
    ) -> Result<Vec<String>, PrometheusError> {
        let params: Vec<_> = matchers.iter().map(|m| ("match[]", m.clone())).collect();
        let path = format!("api/v1/label/{label}/values");
        let envelope = self.get(&path, &params).await?;
        decode_data::<Vec<String>>(envelope, &self.endpoint(&path))
    }

    /// The label sets of the series matching any of `matchers` (e.g. `up{job="x"}`).
    pub async fn series(
        &self,
        matchers: &[String],
    ) -> Result<Vec<BTreeMap<String, String>>, PrometheusError> {
        let params: Vec<_> = matchers.iter().map(|m| ("match[]", m.clone())).collect();
        let envelope = self.get("api/v1/series", &params).await?;
        decode_data(envelope, &self.endpoint("api/v1/series"))
    }

    /// The endpoint URL without its query string, as named in messages.
    fn endpoint(&self, path: &str) -> String {
        self.base
            .join(path)
            .map_or_else(|_| format!("{}{path}", self.base), |u| u.to_string())
    }

    /// GETs an API path and returns its envelope, with every failure classified.
    async fn get(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Envelope, PrometheusError> {
        let endpoint = self.endpoint(path);
        let mut url = Url::parse(&endpoint).map_err(|e| PrometheusError::InvalidUrl {
            url: endpoint.clone(),
            reason: e.to_string(),
        })?;
        url.query_pairs_mut()
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
        let _permit =
            self.permits.acquire().await.map_err(|_| {
                PrometheusError::Client("the request limiter was closed".to_string())
            })?;
        tracing::debug!(endpoint = %endpoint, "GET");
        let mut request = self.client.get(url);
        if !self.timeout.is_zero() {
            request = request.timeout(self.timeout);
        }
        let request = self.authorize(request);
        let mut response = request
            .send()
            .await
            .map_err(|e| classify_transport(&endpoint, self.timeout, &e))?;
        let status = response.status();
        let body = read_bounded(&mut response, &endpoint, self.timeout).await?;
        classify_answer(&endpoint, status, &body)
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Basic { username, password } => request.basic_auth(username, password.as_ref()),
        }
    }
}

/// Parses the base URL and makes sure it ends with `/`, so that API paths join under it
/// (`https://host/prometheus` → `https://host/prometheus/api/v1/query`).
fn parse_base_url(text: &str) -> Result<Url, PrometheusError> {
    let invalid = |reason: String| PrometheusError::InvalidUrl {
        url: text.to_string(),
        reason,
    };
    if !text.contains("://") {
        return Err(invalid(format!(
            "no scheme: add http:// or https:// (e.g. http://{})",
            text.trim()
        )));
    }
    let mut url = Url::parse(text.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https".to_string()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "give the base URL, without ?query or #fragment".to_string(),
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, PrometheusError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let bad = |reason: String| PrometheusError::BadHeader {
            name: name.clone(),
            reason,
        };
        let header =
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| bad(e.to_string()))?;
        let mut value = HeaderValue::from_str(value.trim()).map_err(|e| bad(e.to_string()))?;
        value.set_sensitive(true);
        map.append(header, value);
    }
    Ok(map)
}

fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, PrometheusError> {
    let pem = std::fs::read(path).map_err(|source| PrometheusError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |reason: String| PrometheusError::BadCertificate {
        path: path.to_path_buf(),
        reason,
    };
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(error_chain(&e)))?;
    if certs.is_empty() {
        return Err(bad("no BEGIN CERTIFICATE block found".to_string()));
    }
    Ok(certs)
}

/// Reads the answer, refusing more than [`MAX_ANSWER_BYTES`].
async fn read_bounded(
    response: &mut reqwest::Response,
    endpoint: &str,
    timeout: Duration,
) -> Result<Vec<u8>, PrometheusError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify_transport(endpoint, timeout, &e))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(PrometheusError::TooLarge {
                url: endpoint.to_string(),
                limit: MAX_ANSWER_BYTES,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Classifies an error that happened before or while receiving the answer.
fn classify_transport(
    endpoint: &str,
    timeout: Duration,
    error: &reqwest::Error,
) -> PrometheusError {
    let url = endpoint.to_string();
    if let Some(detail) = tls_cause(error) {
        return PrometheusError::Tls { url, detail };
    }
    if error.is_timeout() {
        return PrometheusError::Timeout { url, timeout };
    }
    let detail = root_cause(error);
    if error.is_connect() {
        return PrometheusError::Unreachable { url, detail };
    }
    PrometheusError::NotPrometheus {
        url,
        detail: format!("the connection failed mid-answer: {detail}"),
    }
}

/// The TLS error in an error's chain, if the failure is a TLS one. IO errors are opened up,
/// since the TLS stack nests its error inside one or more `io::Error`s.
fn tls_cause(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = source {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        source = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The innermost message of an error chain (e.g. "Connection refused (os error 111)").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error.to_string();
    let mut source = error.source();
    while let Some(err) = source {
        last = err.to_string();
        source = err.source();
    }
    last
}

/// All messages of an error chain joined by ": ".
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(err) = source {
        parts.push(err.to_string());
        source = err.source();
    }
    parts.join(": ")
}

/// The outer shape of every Prometheus API answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(skip)]
    endpoint: String,
}

/// Turns a complete HTTP answer into an envelope, or the error it stands for.
fn classify_answer(
    endpoint: &str,
    status: StatusCode,
    body: &[u8],
) -> Result<Envelope, PrometheusError> {
    let url = endpoint.to_string();
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        let hint = if status == StatusCode::UNAUTHORIZED {
            "give credentials with --bearer-token-file or --basic-auth-user"
        } else {
            "the credentials are not allowed to read this Prometheus"
        };
        return Err(PrometheusError::Unauthorized {
            url,
            status: status.as_u16(),
            hint,
        });
    }
    let envelope = match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) if matches!(envelope.status.as_str(), "success" | "error") => envelope,
        Ok(envelope) => {
            return Err(not_api(
                status,
                url,
                format!("unknown status {:?}", envelope.status),
            ));
        }
        Err(e) => return Err(not_api(status, url, describe_bad_body(body, &e))),
    };
    if envelope.status == "error" {
        return Err(api_error(url, status, envelope));
    }
    if !status.is_success() {
        return Err(not_api(
            status,
            url,
            "a success body with an error status".to_string(),
        ));
    }
    Ok(Envelope {
        endpoint: url,
        ..envelope
    })
}

/// The error for an answer that is not a Prometheus API envelope.
fn not_api(status: StatusCode, url: String, detail: String) -> PrometheusError {
    if status.is_server_error() {
        return PrometheusError::Server {
            url,
            status: status.as_u16(),
            body: detail,
        };
    }
    let detail = if status.is_success() {
        detail
    } else {
        format!("HTTP {status}: {detail}")
    };
    PrometheusError::NotPrometheus { url, detail }
}

/// `status: error`: the query's fault (`bad_data` or `execution`, answered with 4xx, as
/// Prometheus does: 400 and 422) or the server's (the other types, and anything answered with
/// 5xx: an `execution` error with 500 is failing storage, not a bad query).
fn api_error(url: String, status: StatusCode, envelope: Envelope) -> PrometheusError {
    let error_type = envelope.error_type.unwrap_or_else(|| "unknown".to_string());
    let message = envelope.error.unwrap_or_else(|| "(no message)".to_string());
    let query_fault = matches!(error_type.as_str(), "bad_data" | "execution");
    if query_fault && !status.is_server_error() {
        PrometheusError::QueryRejected {
            error_type,
            message,
        }
    } else {
        PrometheusError::QueryFailed {
            url,
            error_type,
            message,
        }
    }
}

/// Says what the body looked like, on one short line.
fn describe_bad_body(body: &[u8], error: &serde_json::Error) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "empty body".to_string();
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    let snippet: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("invalid JSON ({error}) in {:?}", snippet.trim())
}

fn decode_data<T: serde::de::DeserializeOwned>(
    envelope: Envelope,
    endpoint: &str,
) -> Result<T, PrometheusError> {
    let data = envelope.data.unwrap_or(serde_json::Value::Null);
    serde_json::from_value(data).map_err(|e| PrometheusError::NotPrometheus {
        url: endpoint.to_string(),
        detail: format!("unexpected data: {e}"),
    })
}

/// The `data` of a query answer before its values are parsed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQueryData {
    result_type: String,
    result: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct RawSample {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<(f64, String)>,
    #[serde(default)]
    values: Option<Vec<(f64, String)>>,
}

/// Decodes the `data` of `query` and `query_range` answers, values included.
fn decode_query_data(envelope: Envelope) -> Result<QueryAnswer, PrometheusError> {
    let endpoint = envelope.endpoint.clone();
    let warnings = envelope.warnings.clone();
    let raw: RawQueryData = decode_data(envelope, &endpoint)?;
    let bad = |detail: String| PrometheusError::NotPrometheus {
        url: endpoint.clone(),
        detail,
    };
    let data = match raw.result_type.as_str() {
        "vector" => QueryData::Vector(
            decode_samples(raw.result)
                .map_err(&bad)?
                .into_iter()
                .map(|s| to_sample(s).map_err(&bad))
                .collect::<Result<_, _>>()?,
        ),
        "matrix" => QueryData::Matrix(
            decode_samples(raw.result)
                .map_err(&bad)?
                .into_iter()
                .map(|s| to_series(s).map_err(&bad))
                .collect::<Result<_, _>>()?,
        ),
        "scalar" => {
            let (time, text): (f64, String) =
                serde_json::from_value(raw.result).map_err(|e| bad(format!("bad scalar: {e}")))?;
            QueryData::Scalar(to_point(time, &text).map_err(&bad)?)
        }
        "string" => {
            let (time, value): (f64, String) =
                serde_json::from_value(raw.result).map_err(|e| bad(format!("bad string: {e}")))?;
            QueryData::String { time, value }
        }
        other => return Err(bad(format!("unknown resultType {other:?}"))),
    };
    Ok(QueryAnswer { data, warnings })
}

fn decode_samples(result: serde_json::Value) -> Result<Vec<RawSample>, String> {
    serde_json::from_value(result).map_err(|e| format!("bad result: {e}"))
}

fn to_sample(raw: RawSample) -> Result<Sample, String> {
    let (time, text) = raw
        .value
        .ok_or_else(|| "a vector sample has no value (a native histogram?)".to_string())?;
    Ok(Sample {
        labels: raw.metric,
        point: to_point(time, &text)?,
    })
}

fn to_series(raw: RawSample) -> Result<Series, String> {
    let points = raw
        .values
        .unwrap_or_default()
        .iter()
        .map(|(time, text)| to_point(*time, text))
        .collect::<Result<_, _>>()?;
    Ok(Series {
        labels: raw.metric,
        points,
    })
}

fn to_point(time: f64, text: &str) -> Result<Point, String> {
    Ok(Point {
        time,
        value: parse_value(text)?,
    })
}

/// Parses a sample value as Prometheus writes it: a decimal, `NaN`, `+Inf` or `-Inf`.
pub fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .map_err(|_| format!("sample value {text:?} is not a number")),
    }
}

/// Formats Unix seconds as Prometheus accepts them (millisecond precision).
fn format_time(time: f64) -> String {
    format!("{time:.3}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Result<QueryAnswer, PrometheusError> {
        let status = StatusCode::from_u16(status).unwrap();
        classify_answer("http://p/api/v1/query", status, body.as_bytes())
            .and_then(decode_query_data)
    }

    #[test]
    fn vector_values_keep_nan_and_infinities() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"pod":"a"},"value":[1700000000.5,"NaN"]},
            {"metric":{"pod":"b"},"value":[1700000000.5,"+Inf"]},
            {"metric":{},"value":[1700000000.5,"-Inf"]},
            {"metric":{},"value":[1700000000.5,"2.5"]}]}}"#;
        let QueryData::Vector(samples) = answer(200, body).unwrap().data else {
            panic!("not a vector");
        };
        assert!(samples[0].point.value.is_nan());
        assert_eq!(samples[0].labels["pod"], "a");
        assert_eq!(samples[1].point.value, f64::INFINITY);
        assert_eq!(samples[2].point.value, f64::NEG_INFINITY);
        assert_eq!(
            samples[3].point,
            Point {
                time: 1700000000.5,
                value: 2.5
            }
        );
    }

    #[test]
    fn scalar_string_and_matrix_results_are_told_apart() {
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}"#;
        assert_eq!(
            answer(200, scalar).unwrap().data,
            QueryData::Scalar(Point {
                time: 1.0,
                value: 3.0
            })
        );
        let string = r#"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#;
        assert_eq!(answer(200, string).unwrap().data.type_name(), "string");
        let matrix = r#"{"status":"success","warnings":["partial"],"data":{"resultType":"matrix",
            "result":[{"metric":{"a":"b"},"values":[[1,"1"],[2,"4"]]}]}}"#;
        let answer = answer(200, matrix).unwrap();
        assert_eq!(answer.warnings, vec!["partial".to_string()]);
        let QueryData::Matrix(series) = answer.data else {
            panic!("not a matrix");
        };
        assert_eq!(series[0].points.len(), 2);
        assert_eq!(series[0].points[1].value, 4.0);
    }

    #[test]
    fn bad_data_is_the_querys_fault_and_internal_is_the_servers() {
        let bad = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#;
        let err = answer(400, bad).unwrap_err();
        assert!(err.is_query_error(), "{err}");
        assert_eq!(
            err.to_string(),
            "Prometheus rejected the query (bad_data): parse error at char 5"
        );
        let internal = r#"{"status":"error","errorType":"internal","error":"disk on fire"}"#;
        let err = answer(500, internal).unwrap_err();
        assert!(!err.is_query_error());
        assert_eq!(err.kind(), ErrorKind::Prometheus);
        assert!(
            err.to_string()
                .contains("failed to run the query (internal): disk on fire")
        );
    }

    #[test]
    fn an_execution_error_is_the_querys_fault_only_with_a_4xx_status() {
        let body = r#"{"status":"error","errorType":"execution","error":"many-to-many matching"}"#;
        assert!(answer(422, body).unwrap_err().is_query_error());
        let body = r#"{"status":"error","errorType":"execution","error":"storage unavailable"}"#;
        let err = answer(500, body).unwrap_err();
        assert!(!err.is_query_error(), "{err}");
        assert_eq!(err.kind(), ErrorKind::Prometheus);
        assert!(
            err.to_string()
                .ends_with("failed to run the query (execution): storage unavailable"),
            "{err}"
        );
    }

    #[test]
    fn http_failures_are_classified() {
        let err = answer(401, "").unwrap_err();
        assert!(
            matches!(err, PrometheusError::Unauthorized { status: 401, .. }),
            "{err}"
        );
        let err = answer(503, "<html>Service Unavailable</html>").unwrap_err();
        assert!(
            matches!(err, PrometheusError::Server { status: 503, .. }),
            "{err}"
        );
        let err = answer(200, "<html>login</html>").unwrap_err();
        assert!(
            matches!(err, PrometheusError::NotPrometheus { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("invalid JSON"), "{err}");
        let err = answer(404, "404 page not found").unwrap_err();
        assert!(err.to_string().contains("HTTP 404 Not Found"), "{err}");
        let err = answer(
            200,
            r#"{"status":"success","data":{"resultType":"tensor","result":1}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown resultType \"tensor\""),
            "{err}"
        );
        let err = answer(
            200,
            r#"{"status":"success","data":{"resultType":"vector",
            "result":[{"metric":{},"value":[1,"lots"]}]}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("\"lots\" is not a number"),
            "{err}"
        );
    }

    #[test]
    fn base_urls_are_normalized_and_checked() {
        let url = parse_base_url("https://host/prometheus").unwrap();
        assert_eq!(
            url.join("api/v1/query").unwrap().as_str(),
            "https://host/prometheus/api/v1/query"
        );
        assert_eq!(
            parse_base_url("http://h:9090").unwrap().as_str(),
            "http://h:9090/"
        );
        assert!(parse_base_url("ftp://h").is_err());
        assert!(parse_base_url("localhost:9090").is_err());
        let err = parse_base_url("127.0.0.1:9090").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Prometheus URL \"127.0.0.1:9090\": no scheme: add http:// or https:// \
             (e.g. http://127.0.0.1:9090)"
        );
        let err = parse_base_url("http://h/?x=1").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Usage);
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let auth = Auth::Basic {
            username: "me".to_string(),
            password: Some("hunter2".to_string()),
        };
        assert_eq!(format!("{auth:?}"), "Basic(me, <redacted>)");
        assert!(!format!("{:?}", Auth::Bearer("tok".into())).contains("tok"));
    }

    #[test]
    fn bad_headers_and_ca_files_are_usage_errors() {
        let err = header_map(&[("bad header".into(), "v".into())]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Usage);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = read_ca_file(&path).unwrap_err();
        assert!(
            err.to_string().contains("not a PEM certificate bundle"),
            "{err}"
        );
        let missing = read_ca_file(&dir.path().join("nope.pem")).unwrap_err();
        assert!(
            missing.to_string().starts_with("failed to read"),
            "{missing}"
        );
    }

    /// A loopback server that accepts connections and answers each with `reply` after `delay`.
    fn serve(reply: &'static str, delay: Duration) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    use std::io::{Read, Write};
                    let mut stream = stream;
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    std::thread::sleep(delay);
                    let _ = stream.write_all(reply.as_bytes());
                });
            }
        });
        format!("http://{addr}")
    }

    fn client(url: &str, timeout: Duration) -> Prometheus {
        let mut options = PrometheusOptions::new(url);
        options.timeout = timeout;
        Prometheus::new(&options).unwrap()
    }

    #[tokio::test]
    async fn transport_failures_are_classified() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let refused = client(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2));
        let err = refused.query("1", None).await.unwrap_err();
        assert!(matches!(err, PrometheusError::Unreachable { .. }), "{err}");

        let slow = serve("HTTP/1.1 200 OK\r\n\r\n", Duration::from_secs(3));
        let err = client(&slow, Duration::from_millis(300))
            .query("1", None)
            .await
            .unwrap_err();
        assert!(matches!(err, PrometheusError::Timeout { .. }), "{err}");
        assert!(err.to_string().ends_with("no answer within 300ms"), "{err}");

        let plain = serve("HTTP/1.1 200 OK\r\n\r\n", Duration::ZERO);
        let tls = plain.replace("http://", "https://");
        let err = client(&tls, Duration::from_secs(2))
            .query("1", None)
            .await
            .unwrap_err();
        assert!(matches!(err, PrometheusError::Tls { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_zero_timeout_means_no_limit() {
        let slow = serve(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\
             {\"status\":\"success\",\"data\":[\"up\"]}",
            Duration::from_millis(300),
        );
        let names = client(&slow, Duration::ZERO).metric_names().await.unwrap();
        assert_eq!(names, ["up"]);
    }

    #[tokio::test]
    async fn a_good_answer_comes_back_typed() {
        let url = serve(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\
             {\"status\":\"success\",\"data\":[\"up\",\"vllm:num_requests_waiting\"]}",
            Duration::ZERO,
        );
        let names = client(&url, Duration::from_secs(2))
            .metric_names()
            .await
            .unwrap();
        assert_eq!(names, ["up", "vllm:num_requests_waiting"]);
    }
}

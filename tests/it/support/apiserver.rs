//! A loopback Kubernetes API server for tests: it serves recorded objects over real HTTP on the
//! real REST paths, so the `kube` client code in the binary runs unchanged.
//!
//! ```ignore
//! let server = FixtureApiServer::start(vec![scaled_object, hpa, pod]);
//! cli().arg("--kubeconfig").arg(server.kubeconfig()).args(["explain", "llm", "-n", "serving"]);
//! assert_eq!(server.request_count(), 9);
//! ```
//!
//! What it serves:
//! - discovery: `/api`, `/api/v1`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}` for the
//!   kinds in [`RESOURCES`] (core, apps, autoscaling/v2, keda.sh, kueue.x-k8s.io v1beta1 and
//!   v1beta2, external.metrics.k8s.io);
//! - GET and LIST, namespaced (`/api/v1/namespaces/{ns}/pods`) and across namespaces
//!   (`/apis/keda.sh/v1alpha1/scaledobjects`), and cluster-scoped kinds; objects match by API
//!   group and kind, whatever version they were recorded at;
//! - `labelSelector` (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) and `fieldSelector` (`=`,
//!   `==`, `!=` on any dotted path: `metadata.name`, `status.phase`, `involvedObject.kind`, …);
//! - chunked LISTs: `limit` and the `continue` token of the previous page;
//! - the external metrics API: `/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}`
//!   answers with the items of the recorded `ExternalMetricValueList` objects named `metric`
//!   (an object with `metadata.namespace` only serves that namespace; items with
//!   `metricLabels` must match the `labelSelector`); none recorded → 404, as when KEDA's scaler
//!   fails;
//! - errors with a Kubernetes `Status` body: unknown paths and missing objects (404), a group
//!   taken away with [`FixtureApiServer::remove_api_group`] (a CRD not installed), and any
//!   answer injected with [`FixtureApiServer::fail`] (401, 403, 500 …);
//! - slow answers with [`FixtureApiServer::delay`];
//! - a log of every request ([`FixtureApiServer::requests`]).
//!
//! [`FixtureApiServer::kubeconfig`] is a real kubeconfig file (server `http://127.0.0.1:PORT`,
//! a token user, context namespace `default`). The server stops when dropped.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};

/// A kind the server knows: (group, version, plural, kind, namespaced).
pub type ResourceRow = (&'static str, &'static str, &'static str, &'static str, bool);

/// The kinds served, as a real cluster with KEDA and Kueue installed serves them.
pub const RESOURCES: &[ResourceRow] = &[
    ("", "v1", "pods", "Pod", true),
    ("", "v1", "events", "Event", true),
    ("", "v1", "namespaces", "Namespace", false),
    ("", "v1", "nodes", "Node", false),
    ("", "v1", "services", "Service", true),
    ("", "v1", "configmaps", "ConfigMap", true),
    ("apps", "v1", "deployments", "Deployment", true),
    (
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
    ),
    ("apps", "v1", "statefulsets", "StatefulSet", true),
    ("apps", "v1", "replicasets", "ReplicaSet", true),
    (
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        true,
    ),
    ("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject", true),
    ("keda.sh", "v1alpha1", "scaledjobs", "ScaledJob", true),
    (
        "keda.sh",
        "v1alpha1",
        "triggerauthentications",
        "TriggerAuthentication",
        true,
    ),
    ("kueue.x-k8s.io", "v1beta2", "workloads", "Workload", true),
    (
        "kueue.x-k8s.io",
        "v1beta2",
        "localqueues",
        "LocalQueue",
        true,
    ),
    (
        "kueue.x-k8s.io",
        "v1beta2",
        "clusterqueues",
        "ClusterQueue",
        false,
    ),
    (
        "kueue.x-k8s.io",
        "v1beta2",
        "resourceflavors",
        "ResourceFlavor",
        false,
    ),
    ("kueue.x-k8s.io", "v1beta1", "workloads", "Workload", true),
    (
        "kueue.x-k8s.io",
        "v1beta1",
        "localqueues",
        "LocalQueue",
        true,
    ),
    (
        "kueue.x-k8s.io",
        "v1beta1",
        "clusterqueues",
        "ClusterQueue",
        false,
    ),
    (
        "kueue.x-k8s.io",
        "v1beta1",
        "resourceflavors",
        "ResourceFlavor",
        false,
    ),
    (
        "external.metrics.k8s.io",
        "v1beta1",
        "externalmetrics",
        "ExternalMetricValueList",
        true,
    ),
    (
        "apiregistration.k8s.io",
        "v1",
        "apiservices",
        "APIService",
        false,
    ),
];

const EXTERNAL_METRICS: &str = "external.metrics.k8s.io";

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The decoded query parameters.
    pub query: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
enum Action {
    Status(u16, String),
    Delay(Duration),
}

#[derive(Debug, Clone)]
struct Fault {
    path_contains: String,
    action: Action,
}

#[derive(Default)]
struct State {
    objects: Mutex<Vec<Value>>,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<RecordedRequest>>,
    removed_groups: Mutex<HashSet<String>>,
}

/// The running server; see the module documentation.
pub struct FixtureApiServer {
    addr: SocketAddr,
    state: Arc<State>,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FixtureApiServer {
    /// Starts serving `objects` (each with `apiVersion`, `kind`, `metadata`) on a free
    /// loopback port, on a thread of its own.
    pub fn start(objects: Vec<Value>) -> FixtureApiServer {
        let state = Arc::new(State::default());
        *state.objects.lock().unwrap() = objects;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread_state = state.clone();
        let thread = std::thread::spawn(move || serve(listener, thread_state, stopped));
        let dir = tempfile::tempdir().expect("temporary directory");
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            kubeconfig_text(&format!("http://{addr}"), "default"),
        )
        .expect("write kubeconfig");
        FixtureApiServer {
            addr,
            state,
            dir,
            kubeconfig,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A kubeconfig file whose current context points at this server (namespace `default`).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// Writes another kubeconfig for this server whose context has `namespace`.
    pub fn kubeconfig_with_namespace(&self, namespace: &str) -> PathBuf {
        let path = self.dir.path().join(format!("kubeconfig-{namespace}"));
        std::fs::write(&path, kubeconfig_text(&self.url(), namespace)).expect("write kubeconfig");
        path
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.lock().unwrap().clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.state.log.lock().unwrap().clear();
    }

    /// Adds objects after start.
    pub fn add_objects(&self, objects: impl IntoIterator<Item = Value>) {
        self.state.objects.lock().unwrap().extend(objects);
    }

    /// Answers every request whose path contains `path_contains` with `code` and a `Status`
    /// body carrying `message` (401, 403, 404, 500 …).
    pub fn fail(&self, path_contains: &str, code: u16, message: &str) {
        self.state.faults.lock().unwrap().push(Fault {
            path_contains: path_contains.to_string(),
            action: Action::Status(code, message.to_string()),
        });
    }

    /// Delays every answer whose path contains `path_contains` ("" for all) by `delay`.
    pub fn delay(&self, path_contains: &str, delay: Duration) {
        self.state.faults.lock().unwrap().push(Fault {
            path_contains: path_contains.to_string(),
            action: Action::Delay(delay),
        });
    }

    /// Stops serving an API group, as when its CRDs are not installed: discovery leaves it
    /// out and its paths answer 404.
    pub fn remove_api_group(&self, group: &str) {
        self.state
            .removed_groups
            .lock()
            .unwrap()
            .insert(group.to_string());
    }
}

impl Drop for FixtureApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn kubeconfig_text(url: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fixture\n  cluster:\n    server: {url}\n\
         users:\n- name: fixture-user\n  user:\n    token: fixture-token\n\
         contexts:\n- name: fixture\n  context:\n    cluster: fixture\n    user: fixture-user\n\
         \x20   namespace: {namespace}\ncurrent-context: fixture\n"
    )
}

fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("fixture server runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = state.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = state.clone();
                            async move {
                                Ok::<_, std::convert::Infallible>(handle(&state, req).await)
                            }
                        });
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(io, service)
                            .await;
                    });
                }
            }
        }
    });
}

async fn handle<B>(state: &State, request: Request<B>) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_string();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(url_decode_pairs)
        .unwrap_or_default();
    state.log.lock().unwrap().push(RecordedRequest {
        method: request.method().to_string(),
        path: path.clone(),
        query: query.clone(),
    });
    let faults: Vec<Fault> = state
        .faults
        .lock()
        .unwrap()
        .iter()
        .filter(|f| path.contains(&f.path_contains))
        .cloned()
        .collect();
    for fault in faults {
        match fault.action {
            Action::Delay(d) => tokio::time::sleep(d).await,
            Action::Status(code, message) => return status(code, &message),
        }
    }
    if request.method() != hyper::Method::GET {
        return status(405, "the fixture API server is read-only");
    }
    let (code, body) = route(state, &path, &query);
    respond(code, &body)
}

fn respond(code: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

fn status(code: u16, message: &str) -> Response<Full<Bytes>> {
    let (code, body) = status_body(code, message);
    respond(code, &body)
}

fn status_body(code: u16, message: &str) -> (u16, Value) {
    let reason = match code {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        504 => "Timeout",
        _ => "InternalError",
    };
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    (code, body)
}

fn not_found(what: &str) -> (u16, Value) {
    status_body(404, &format!("{what} not found"))
}

fn route(state: &State, path: &str, query: &[(String, String)]) -> (u16, Value) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let removed = state.removed_groups.lock().unwrap().clone();
    let served = |row: &&ResourceRow| !removed.contains(row.0);
    let rows: Vec<ResourceRow> = RESOURCES.iter().filter(served).copied().collect();
    match segments.as_slice() {
        ["api"] => (200, json!({"kind": "APIVersions", "versions": ["v1"]})),
        ["api", "v1"] => (200, resource_list(&rows, "", "v1")),
        ["apis"] => (200, group_list(&rows)),
        ["apis", group] => group_info(&rows, group),
        ["apis", group, version] if has_group_version(&rows, group, version) => {
            (200, resource_list(&rows, group, version))
        }
        ["api", "v1", rest @ ..] => objects(state, &rows, "", "v1", rest, query),
        ["apis", group, version, rest @ ..] => objects(state, &rows, group, version, rest, query),
        _ => not_found(&format!("path {path}")),
    }
}

fn has_group_version(rows: &[ResourceRow], group: &str, version: &str) -> bool {
    rows.iter().any(|r| r.0 == group && r.1 == version)
}

fn group_versions(rows: &[ResourceRow], group: &str) -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = Vec::new();
    for row in rows.iter().filter(|r| r.0 == group) {
        if !versions.contains(&row.1) {
            versions.push(row.1);
        }
    }
    versions
}

fn group_json(rows: &[ResourceRow], group: &str) -> Value {
    let versions: Vec<Value> = group_versions(rows, group)
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": versions, "preferredVersion": versions[0]})
}

fn group_list(rows: &[ResourceRow]) -> Value {
    let mut groups: Vec<&str> = Vec::new();
    for row in rows.iter().filter(|r| !r.0.is_empty()) {
        if !groups.contains(&row.0) {
            groups.push(row.0);
        }
    }
    let groups: Vec<Value> = groups.iter().map(|g| group_json(rows, g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn group_info(rows: &[ResourceRow], group: &str) -> (u16, Value) {
    if group_versions(rows, group).is_empty() {
        return not_found(&format!("API group {group}"));
    }
    let mut body = group_json(rows, group);
    body["kind"] = json!("APIGroup");
    body["apiVersion"] = json!("v1");
    (200, body)
}

fn resource_list(rows: &[ResourceRow], group: &str, version: &str) -> Value {
    let resources: Vec<Value> = rows
        .iter()
        .filter(|r| r.0 == group && r.1 == version)
        .map(|r| {
            json!({"name": r.2, "singularName": "", "namespaced": r.4, "kind": r.3,
                   "verbs": ["get", "list", "watch"]})
        })
        .collect();
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
           "resources": resources})
}

fn objects(
    state: &State,
    rows: &[ResourceRow],
    group: &str,
    version: &str,
    rest: &[&str],
    query: &[(String, String)],
) -> (u16, Value) {
    if group == EXTERNAL_METRICS && has_group_version(rows, group, version) {
        return external_metric(state, rest, query);
    }
    let (namespace, plural, name) = match rest {
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return not_found("path"),
    };
    let Some(row) = rows
        .iter()
        .find(|r| r.0 == group && r.1 == version && r.2 == plural)
    else {
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        return not_found(&format!(
            "the server could not find the requested resource {plural} in {gv}"
        ));
    };
    let all = state.objects.lock().unwrap();
    let mut matching = all.iter().filter(|o| {
        api_group(o) == group
            && o["kind"] == row.3
            && (namespace.is_none() || !row.4 || o["metadata"]["namespace"].as_str() == namespace)
    });
    if let Some(name) = name {
        return match matching.find(|o| o["metadata"]["name"] == name) {
            Some(o) => (200, o.clone()),
            None => not_found(&format!("{}.{} \"{name}\"", row.2, row.0)),
        };
    }
    let labels = param(query, "labelSelector").map(parse_label_selector);
    let fields = param(query, "fieldSelector").map(parse_field_selector);
    let items: Vec<Value> = matching
        .filter(|o| {
            labels
                .as_ref()
                .is_none_or(|s| s.iter().all(|r| r.matches(&o["metadata"]["labels"])))
        })
        .filter(|o| {
            fields
                .as_ref()
                .is_none_or(|s| s.iter().all(|f| f.matches(o)))
        })
        .map(|o| {
            let mut item = o.clone();
            if let Value::Object(map) = &mut item {
                // A LIST leaves apiVersion and kind out of its items, as the real server does.
                map.remove("apiVersion");
                map.remove("kind");
            }
            item
        })
        .collect();
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let (items, metadata) = page(items, query);
    (
        200,
        json!({"apiVersion": api_version, "kind": format!("{}List", row.3),
                 "metadata": metadata, "items": items}),
    )
}

/// One page of a LIST: `limit` items from the offset a `continue` token carries, with the
/// token for the next page (and `remainingItemCount`) when more are left, as the API server
/// answers a chunked LIST.
fn page(items: Vec<Value>, query: &[(String, String)]) -> (Vec<Value>, Value) {
    let start: usize = param(query, "continue")
        .and_then(|t| t.strip_prefix("offset-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let limit: usize = param(query, "limit")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(usize::MAX);
    let total = items.len();
    let start = start.min(total);
    let end = start.saturating_add(limit).min(total);
    let page: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
    let metadata = if end < total {
        json!({"resourceVersion": "1", "continue": format!("offset-{end}"),
               "remainingItemCount": total - end})
    } else {
        json!({"resourceVersion": "1"})
    };
    (page, metadata)
}

fn external_metric(state: &State, rest: &[&str], query: &[(String, String)]) -> (u16, Value) {
    let ["namespaces", ns, metric] = rest else {
        return not_found("external metric path");
    };
    let labels = param(query, "labelSelector")
        .map(parse_label_selector)
        .unwrap_or_default();
    let all = state.objects.lock().unwrap();
    let lists = all
        .iter()
        .filter(|o| o["kind"] == "ExternalMetricValueList")
        .filter(|o| o["metadata"]["namespace"].as_str().is_none_or(|n| n == *ns));
    let items: Vec<Value> = lists
        .flat_map(|l| l["items"].as_array().cloned().unwrap_or_default())
        .filter(|i| i["metricName"] == *metric)
        .filter(|i| {
            i["metricLabels"].is_null() || labels.iter().all(|r| r.matches(&i["metricLabels"]))
        })
        .collect();
    if items.is_empty() {
        return status_body(
            500,
            &format!("unable to get external metric {ns}/{metric}: no metric value recorded"),
        );
    }
    (
        200,
        json!({"kind": "ExternalMetricValueList", "apiVersion": "external.metrics.k8s.io/v1beta1",
                 "metadata": {}, "items": items}),
    )
}

fn api_group(object: &Value) -> &str {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelRequirement {
    /// `key=value` or `key==value`.
    Equals(String, String),
    /// `key!=value` (also true when the label is absent).
    NotEquals(String, String),
    /// `key in (a,b)`.
    In(String, Vec<String>),
    /// `key notin (a,b)` (also true when the label is absent).
    NotIn(String, Vec<String>),
    /// `key`.
    Exists(String),
    /// `!key`.
    DoesNotExist(String),
}

impl LabelRequirement {
    fn matches(&self, labels: &Value) -> bool {
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        match self {
            LabelRequirement::Equals(k, v) => get(k) == Some(v.as_str()),
            LabelRequirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            LabelRequirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelRequirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            LabelRequirement::Exists(k) => get(k).is_some(),
            LabelRequirement::DoesNotExist(k) => get(k).is_none(),
        }
    }
}

/// Parses a label selector as the API server does (the subset kubectl and kube send).
pub fn parse_label_selector(text: &str) -> Vec<LabelRequirement> {
    split_top_level(text)
        .into_iter()
        .map(|part| parse_requirement(part.trim()))
        .collect()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn parse_requirement(part: &str) -> LabelRequirement {
    let set = |rest: &str| -> Vec<String> {
        rest.trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .map(|v| v.trim().to_string())
            .collect()
    };
    if let Some(key) = part.strip_prefix('!') {
        return LabelRequirement::DoesNotExist(key.trim().to_string());
    }
    if let Some((k, v)) = part.split_once(" notin ") {
        return LabelRequirement::NotIn(k.trim().to_string(), set(v));
    }
    if let Some((k, v)) = part.split_once(" in ") {
        return LabelRequirement::In(k.trim().to_string(), set(v));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return LabelRequirement::NotEquals(k.trim().to_string(), v.trim().to_string());
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return LabelRequirement::Equals(k.trim().to_string(), v.trim().to_string());
    }
    LabelRequirement::Exists(part.to_string())
}

/// One requirement of a field selector: a dotted path, equal or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The dotted path, e.g. `involvedObject.kind`.
    pub path: String,
    /// The value compared with.
    pub value: String,
    /// `!=` rather than `=`/`==`.
    pub negated: bool,
}

impl FieldRequirement {
    fn matches(&self, object: &Value) -> bool {
        let found = self
            .path
            .split('.')
            .try_fold(object, |v, key| v.get(key))
            .and_then(Value::as_str)
            .unwrap_or("");
        (found == self.value) != self.negated
    }
}

/// Parses a field selector (`a.b=c,d!=e`).
pub fn parse_field_selector(text: &str) -> Vec<FieldRequirement> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (path, value, negated) = if let Some((p, v)) = part.split_once("!=") {
                (p, v, true)
            } else if let Some((p, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (p, v, false)
            } else {
                (part, "", false)
            };
            FieldRequirement {
                path: path.trim().to_string(),
                value: value.trim().to_string(),
                negated,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors_parse_every_operator() {
        let reqs = parse_label_selector("a=1,b==2,c!=3,d in (x, y),e notin (z),f,!g");
        let labels = json!({"a": "1", "b": "2", "d": "y", "f": ""});
        assert!(reqs.iter().all(|r| r.matches(&labels)), "{reqs:?}");
        assert!(!parse_label_selector("d in (x)")[0].matches(&labels));
        assert!(!parse_label_selector("!a")[0].matches(&labels));
    }

    #[test]
    fn field_selectors_walk_dotted_paths() {
        let event = json!({"involvedObject": {"kind": "ScaledObject"}});
        assert!(parse_field_selector("involvedObject.kind=ScaledObject")[0].matches(&event));
        assert!(!parse_field_selector("involvedObject.kind!=ScaledObject")[0].matches(&event));
    }

    #[test]
    fn percent_decoding_handles_selectors() {
        assert_eq!(percent_decode("a%2Fb%3Dc+d"), "a/b=c d");
    }
}

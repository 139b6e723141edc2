//! Read-only access to the Kubernetes API server: building a client from kubeconfig as kubectl
//! does, and LIST/GET of the kinds the commands read, with errors that name the server URL, the
//! verb, the resource and the namespace.
//!
//! This module never writes to the cluster: it only issues GET requests.

mod errors;
pub mod resources;
pub mod snapshot;

use std::time::Duration;

use anyhow::Context;
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::Request;
use serde_json::Value;

pub use errors::{CREDENTIALS_HINT, ClusterError, READER_ROLE_HINT};
pub use resources::Resource;

use crate::cli::GlobalArgs;
use crate::exit::{ErrorKind, WithKind};

/// Where a LIST looks: one namespace, or every namespace (`-A`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One namespace.
    Namespace(String),
    /// Every namespace (and cluster-scoped kinds).
    All,
}

impl Scope {
    /// The scope the global flags ask for: `-A`, else `namespace` (already resolved).
    pub fn from_flags(all_namespaces: bool, namespace: &str) -> Scope {
        if all_namespaces {
            Scope::All
        } else {
            Scope::Namespace(namespace.to_string())
        }
    }

    /// The namespace, if the scope is one namespace.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Scope::Namespace(ns) => Some(ns),
            Scope::All => None,
        }
    }
}

/// A connected, read-only API client with the server URL and per-request timeout it runs under.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    url: String,
    timeout: Option<Duration>,
    default_namespace: String,
    chunk_size: u32,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("url", &self.url).finish()
    }
}

/// Builds a client from `--kubeconfig` (else `KUBECONFIG`, several files merged as kubectl
/// does, else `~/.kube/config`), `--context` and `--request-timeout`. Needs a tokio runtime.
pub async fn connect(global: &GlobalArgs) -> anyhow::Result<Cluster> {
    let mut config = if let Some(default) = in_cluster_instead(global) {
        // As kubectl does in a pod: no kubeconfig anywhere, so the pod's service account.
        kube::Config::incluster()
            .with_context(|| {
                format!(
                    "no kubeconfig at {} and the in-cluster configuration failed",
                    default.display()
                )
            })
            .kind(ErrorKind::Usage)?
    } else {
        let kubeconfig = read_kubeconfig(global)?;
        let options = KubeConfigOptions {
            context: global.context.clone(),
            cluster: None,
            user: None,
        };
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .context("failed to load the kubeconfig context")
            .kind(ErrorKind::Usage)?
    };
    let timeout = global.request_timeout.filter(|t| !t.is_zero());
    if let Some(timeout) = timeout {
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
    }
    // Retries would hide a slow or failing server behind longer waits and skew request counts.
    config.default_retry = false;
    let url = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let default_namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config)
        .with_context(|| format!("failed to build a client for {url}"))
        .kind(ErrorKind::Cluster)?;
    Ok(Cluster {
        client,
        url,
        timeout,
        default_namespace,
        chunk_size: global.chunk_size,
    })
}

/// Reads the kubeconfig as kubectl finds it: `--kubeconfig`, else every file of `KUBECONFIG`
/// merged, else `~/.kube/config`. An error names the one file that failed, once.
fn read_kubeconfig(global: &GlobalArgs) -> anyhow::Result<Kubeconfig> {
    let (paths, origin) = kubeconfig_paths(global)?;
    let mut merged = Kubeconfig::default();
    for path in &paths {
        let config = read_kubeconfig_file(path, origin)?;
        merged = merged
            .merge(config)
            .with_context(|| format!("cannot merge kubeconfig {}", path.display()))
            .kind(ErrorKind::Usage)?;
    }
    Ok(merged)
}

/// The default kubeconfig path, when the client should use the in-cluster configuration
/// instead, as kubectl does: inside a pod (`KUBERNETES_SERVICE_HOST` set), with no
/// `--kubeconfig`, `KUBECONFIG` or `--context` and no file at the default path.
fn in_cluster_instead(global: &GlobalArgs) -> Option<std::path::PathBuf> {
    let in_pod = std::env::var_os("KUBERNETES_SERVICE_HOST").is_some_and(|h| !h.is_empty());
    if !in_pod || global.context.is_some() {
        return None;
    }
    match kubeconfig_paths(global) {
        Ok((paths, DEFAULT_ORIGIN)) if !paths[0].exists() => Some(paths[0].clone()),
        _ => None,
    }
}

/// Where `~/.kube/config` comes from, in messages.
const DEFAULT_ORIGIN: &str = "the default path";

/// The kubeconfig files to read, and the setting that named them (for messages).
fn kubeconfig_paths(
    global: &GlobalArgs,
) -> anyhow::Result<(Vec<std::path::PathBuf>, &'static str)> {
    if let Some(path) = &global.kubeconfig {
        return Ok((vec![path.clone()], "--kubeconfig"));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<_> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return Ok((paths, "$KUBECONFIG"));
        }
    }
    let home = std::env::home_dir()
        .context("cannot find the kubeconfig: no --kubeconfig, $KUBECONFIG or home directory")
        .kind(ErrorKind::Usage)?;
    Ok((vec![home.join(".kube").join("config")], DEFAULT_ORIGIN))
}

/// One kubeconfig file, its relative certificate paths made absolute as kubectl does.
fn read_kubeconfig_file(path: &std::path::Path, origin: &str) -> anyhow::Result<Kubeconfig> {
    let shown = path.display();
    Kubeconfig::read_from(path)
        .map_err(|error| match error {
            // kube's own message quotes the path twice (`'"/root/.kube/config"'`): say it once.
            kube::config::KubeconfigError::ReadConfig(io, _) => {
                let hint = if origin == DEFAULT_ORIGIN {
                    "; pass --kubeconfig or set KUBECONFIG to use another file"
                } else {
                    ""
                };
                anyhow::anyhow!("cannot load kubeconfig {shown} ({origin}): {io}{hint}")
            }
            other => anyhow::Error::new(other).context(format!("kubeconfig {shown} is not valid")),
        })
        .kind(ErrorKind::Usage)
}

/// The context names of the kubeconfig ($KUBECONFIG, merged, or ~/.kube/config), for shell
/// completion; none when it cannot be read.
pub fn context_names() -> Vec<String> {
    Kubeconfig::read()
        .map(|config| config.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

impl Cluster {
    /// The API server URL, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The namespace to act in: `-n`, else the context's namespace, else `default`.
    pub fn resolve_namespace(&self, global: &GlobalArgs) -> String {
        global
            .namespace
            .clone()
            .unwrap_or_else(|| self.default_namespace.clone())
    }

    /// The underlying kube client, for callers that need a typed `Api`.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// LISTs one kind in `scope` with optional label and field selectors; the items come back
    /// with `apiVersion` and `kind` filled in (a LIST leaves them out).
    ///
    /// By default one request reads the whole kind, so `-A` costs the same number of requests
    /// however many objects there are. With `--chunk-size N` the list is read in pages of N
    /// (`limit` and `continue`, as `kubectl get --chunk-size` does), so that a cluster with
    /// very many pods answers in bounded pieces, at one more request per page. Either way the
    /// reads are consistent: a `resourceVersion=0` read from the watch cache would be cheaper
    /// but may be stale, which an explanation of "now" cannot afford.
    pub async fn list(
        &self,
        resource: &Resource,
        scope: &Scope,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Result<Vec<Value>, ClusterError> {
        let ns = if resource.namespaced {
            scope.namespace()
        } else {
            None
        };
        let path = resource.collection_path(ns);
        let mut params = ListParams::default();
        if self.chunk_size > 0 {
            params = params.limit(self.chunk_size);
        }
        if let Some(labels) = labels {
            params = params.labels(labels);
        }
        if let Some(fields) = fields {
            params = params.fields(fields);
        }
        let mut items = Vec::new();
        loop {
            let request = Request::new(&path).list(&params).map_err(|e| {
                ClusterError::request("list", resource, ns, &self.url, e.to_string())
            })?;
            let page = self.send("list", resource, ns, request).await?;
            let next = page
                .pointer("/metadata/continue")
                .and_then(Value::as_str)
                .filter(|token| !token.is_empty())
                .map(str::to_string);
            items.extend(items_with_type(page, resource));
            match next {
                // A server handing back the same token would loop for ever.
                Some(token) if params.continue_token.as_deref() != Some(token.as_str()) => {
                    params.continue_token = Some(token);
                }
                _ => return Ok(items),
            }
        }
    }

    /// GETs one object, or `None` when it does not exist.
    pub async fn get(
        &self,
        resource: &Resource,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, ClusterError> {
        let path = resource.collection_path(namespace);
        let request = Request::new(&path)
            .get(name, &Default::default())
            .map_err(|e| {
                ClusterError::request("get", resource, namespace, &self.url, e.to_string())
            })?;
        match self.send("get", resource, namespace, request).await {
            Ok(object) => Ok(Some(object)),
            Err(ClusterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GETs a path (discovery, the external metrics API) as JSON, with an optional
    /// label selector; `resource` and `namespace` name it in errors.
    pub async fn get_path(
        &self,
        resource: &Resource,
        namespace: Option<&str>,
        path: &str,
        labels: Option<&str>,
    ) -> Result<Value, ClusterError> {
        let params = match labels {
            Some(labels) => ListParams::default().labels(labels),
            None => ListParams::default(),
        };
        let request = Request::new(path).list(&params).map_err(|e| {
            ClusterError::request("get", resource, namespace, &self.url, e.to_string())
        })?;
        self.send("get", resource, namespace, request).await
    }

    async fn send(
        &self,
        verb: &'static str,
        resource: &Resource,
        namespace: Option<&str>,
        request: http::Request<Vec<u8>>,
    ) -> Result<Value, ClusterError> {
        tracing::debug!(verb, uri = %request.uri(), "API request");
        let call = self.client.request::<Value>(request);
        let answer = match self.timeout {
            Some(limit) => {
                tokio::time::timeout(limit, call)
                    .await
                    .map_err(|_| ClusterError::Timeout {
                        url: self.url.clone(),
                        limit,
                    })?
            }
            None => call.await,
        };
        answer.map_err(|e| {
            ClusterError::from_kube(e, verb, resource, namespace, &self.url, self.timeout)
        })
    }
}

/// The items of a LIST answer with `apiVersion` and `kind` set from the resource.
fn items_with_type(list: Value, resource: &Resource) -> Vec<Value> {
    let Value::Object(mut list) = list else {
        return Vec::new();
    };
    let Some(Value::Array(items)) = list.remove("items") else {
        return Vec::new();
    };
    items
        .into_iter()
        .map(|mut item| {
            if let Value::Object(map) = &mut item {
                map.entry("apiVersion")
                    .or_insert_with(|| Value::from(resource.api_version()));
                map.entry("kind")
                    .or_insert_with(|| Value::from(resource.kind));
            }
            item
        })
        .collect()
}

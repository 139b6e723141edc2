//! The cluster side of `validate --cluster`: one snapshot (a LIST per kind, through
//! `sources::cluster`), whether KEDA is installed, and the external metrics APIService.

use crate::cli::GlobalArgs;
use crate::sources::cluster::resources::{self, Resource};
use crate::sources::cluster::{self, Cluster, ClusterError, Scope, snapshot};
use crate::sources::objects::ObjectSet;
use crate::validate::cluster::{ClusterFacts, METRICS_API_SERVICE, MetricsApi};

/// APIServices (cluster-scoped), where aggregated APIs such as external metrics register.
const API_SERVICES: Resource = Resource {
    group: "apiregistration.k8s.io",
    version: "v1",
    plural: "apiservices",
    kind: "APIService",
    namespaced: false,
};

/// Reads what the cluster checks need; returns the facts and the namespace acted in.
pub async fn read(global: &GlobalArgs) -> anyhow::Result<(ClusterFacts, String)> {
    let cluster = cluster::connect(global).await?;
    let namespace = cluster.resolve_namespace(global);
    let scope = Scope::from_flags(global.all_namespaces, &namespace);

    let keda_installed = group_served(&cluster, resources::SCALED_OBJECTS.group).await?;
    let objects = if keda_installed {
        snapshot::read(&cluster, &scope).await?
    } else {
        tracing::warn!("KEDA is not installed at {}", cluster.url());
        ObjectSet::default()
    };
    let metrics_api = metrics_api(&cluster).await?;

    let facts = ClusterFacts {
        url: cluster.url().to_string(),
        keda_installed,
        metrics_api,
        objects,
    };
    Ok((facts, namespace))
}

/// Whether the API group is served (discovery answers for it).
async fn group_served(cluster: &Cluster, group: &'static str) -> anyhow::Result<bool> {
    let discovery = Resource {
        group,
        version: "",
        plural: "",
        kind: "APIGroup",
        namespaced: false,
    };
    match cluster
        .get_path(&discovery, None, &format!("/apis/{group}"), None)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e.into_anyhow()),
    }
}

/// The external metrics APIService; a refusal to read it is reported, not fatal, since a
/// read-only role may not cover APIServices.
async fn metrics_api(cluster: &Cluster) -> anyhow::Result<MetricsApi> {
    match cluster.get(&API_SERVICES, None, METRICS_API_SERVICE).await {
        Ok(Some(service)) => Ok(MetricsApi::Found(service)),
        Ok(None) => Ok(MetricsApi::Missing),
        Err(e @ ClusterError::Forbidden { .. }) => Ok(MetricsApi::Unreadable(e.to_string())),
        Err(e) => Err(e.into_anyhow()),
    }
}

//! The cluster side of `validate --cluster`: one snapshot (a LIST per kind, through
//! `sources::cluster`), whether KEDA is installed, and the external metrics APIService.
//! Without KEDA the workloads, pods and Kueue's objects are still read, so that the target and
//! queue checks of ScaledObjects from files still run.

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
        tracing::info!("KEDA is not installed at {}", cluster.url());
        without_keda(&cluster, &scope).await?
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

/// The workloads, their pods and Kueue's objects (one LIST per kind), for a cluster that
/// serves no ScaledObjects.
async fn without_keda(cluster: &Cluster, scope: &Scope) -> anyhow::Result<ObjectSet> {
    let core = futures::future::try_join_all([
        cluster.list(&resources::PODS, scope, None, None),
        cluster.list(&resources::DEPLOYMENTS, scope, None, None),
        cluster.list(&resources::STATEFUL_SETS, scope, None, None),
    ]);
    let core = async { core.await.map_err(ClusterError::into_anyhow) };
    let (core, kueue) = futures::try_join!(core, snapshot::read_kueue(cluster, scope))?;
    let mut set = ObjectSet::default();
    for object in core.into_iter().flatten() {
        set.push(object);
    }
    if let Some(kueue) = kueue {
        set.kueue_installed = true;
        for object in kueue {
            set.push(object);
        }
    }
    Ok(set)
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

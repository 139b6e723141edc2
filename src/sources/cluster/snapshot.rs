//! Reads everything `explain` (and the other live commands) look at in one pass: one LIST per
//! kind, run concurrently, whatever the number of ScaledObjects. The result is an
//! [`ObjectSet`], the same type a `--from-file` dump loads into.

use serde_json::Value;

use super::resources::{self, Resource};
use super::{Cluster, ClusterError, Scope};
use crate::exit::{ErrorKind, kinded};
use crate::sources::objects::{ObjectSet, SCALED_OBJECT_LABEL};

/// One external metric to read from `external.metrics.k8s.io`, as the HPA does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricQuery {
    /// The ScaledObject's namespace.
    pub namespace: String,
    /// The ScaledObject's name (the selector KEDA puts on the HPA metric).
    pub scaled_object: String,
    /// The metric name, e.g. `s0-prometheus`.
    pub metric_name: String,
}

/// LISTs ScaledObjects, HPAs, pods, Deployments, StatefulSets, the events of ScaledObjects and
/// HPAs, and (when Kueue is installed) Workloads, LocalQueues and ClusterQueues in `scope`.
pub async fn read(cluster: &Cluster, scope: &Scope) -> anyhow::Result<ObjectSet> {
    let scaled_objects = cluster
        .list(&resources::SCALED_OBJECTS, scope, None, None)
        .await
        .map_err(|e| keda_missing(e, cluster))?;

    let (core, kueue) = futures::join!(read_core(cluster, scope), read_kueue(cluster, scope));
    let mut set = ObjectSet::default();
    for object in scaled_objects.into_iter().chain(core?) {
        set.push(object);
    }
    if let Some(kueue) = kueue? {
        set.kueue_installed = true;
        for object in kueue {
            set.push(object);
        }
    }
    Ok(set)
}

async fn read_core(cluster: &Cluster, scope: &Scope) -> anyhow::Result<Vec<Value>> {
    let lists = futures::future::try_join_all([
        cluster.list(&resources::HPAS, scope, None, None),
        cluster.list(&resources::PODS, scope, None, None),
        cluster.list(&resources::DEPLOYMENTS, scope, None, None),
        cluster.list(&resources::STATEFUL_SETS, scope, None, None),
        cluster.list(
            &resources::EVENTS,
            scope,
            None,
            Some("involvedObject.kind=ScaledObject"),
        ),
        cluster.list(
            &resources::EVENTS,
            scope,
            None,
            Some("involvedObject.kind=HorizontalPodAutoscaler"),
        ),
    ])
    .await
    .map_err(ClusterError::into_anyhow)?;
    Ok(lists.into_iter().flatten().collect())
}

/// Kueue's objects, or `None` when its API group is not served (Kueue is optional).
pub async fn read_kueue(cluster: &Cluster, scope: &Scope) -> anyhow::Result<Option<Vec<Value>>> {
    let Some(version) = kueue_version(cluster).await? else {
        tracing::info!(
            "Kueue is not installed (no {} API group)",
            resources::KUEUE_GROUP
        );
        return Ok(None);
    };
    let lists = futures::future::try_join_all([
        cluster.list(&resources::WORKLOADS.at_version(version), scope, None, None),
        cluster.list(
            &resources::LOCAL_QUEUES.at_version(version),
            scope,
            None,
            None,
        ),
        cluster.list(
            &resources::CLUSTER_QUEUES.at_version(version),
            &Scope::All,
            None,
            None,
        ),
    ])
    .await
    .map_err(ClusterError::into_anyhow)?;
    Ok(Some(lists.into_iter().flatten().collect()))
}

/// The Kueue version to read: v1beta2 when served, else v1beta1; `None` without Kueue.
async fn kueue_version(cluster: &Cluster) -> anyhow::Result<Option<&'static str>> {
    let group = Resource {
        group: resources::KUEUE_GROUP,
        version: "",
        plural: "",
        kind: "APIGroup",
        namespaced: false,
    };
    let path = format!("/apis/{}", resources::KUEUE_GROUP);
    let answer = match cluster.get_path(&group, None, &path, None).await {
        Ok(answer) => answer,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into_anyhow()),
    };
    let served = |v: &str| {
        answer["versions"]
            .as_array()
            .is_some_and(|vs| vs.iter().any(|x| x["version"] == v))
    };
    Ok(if served("v1beta2") {
        Some("v1beta2")
    } else if served("v1beta1") {
        Some("v1beta1")
    } else {
        None
    })
}

/// Reads external metric values one GET each, as the HPA does, into `set`. A metric the
/// server cannot give (KEDA's scaler failing) is logged and left out: the caller falls back
/// on the HPA status and says so.
pub async fn read_external_metrics(
    cluster: &Cluster,
    queries: &[MetricQuery],
    set: &mut ObjectSet,
) -> anyhow::Result<()> {
    let answers = futures::future::join_all(queries.iter().map(|q| read_metric(cluster, q))).await;
    for (query, answer) in queries.iter().zip(answers) {
        match answer {
            Ok(list) => {
                set.push_metric_list(&list, Some(&query.namespace), Some(&query.scaled_object))
            }
            Err(
                e @ (ClusterError::Unauthorized { .. }
                | ClusterError::Forbidden { .. }
                | ClusterError::Unreachable { .. }),
            ) => {
                return Err(e.into_anyhow());
            }
            Err(e) => tracing::warn!("external metric {}: {e}", query.metric_name),
        }
    }
    Ok(())
}

async fn read_metric(cluster: &Cluster, query: &MetricQuery) -> Result<Value, ClusterError> {
    let path = format!(
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/{}/{}",
        query.namespace, query.metric_name
    );
    let selector = format!("{SCALED_OBJECT_LABEL}={}", query.scaled_object);
    cluster
        .get_path(
            &resources::EXTERNAL_METRICS,
            Some(&query.namespace),
            &path,
            Some(&selector),
        )
        .await
}

fn keda_missing(error: ClusterError, cluster: &Cluster) -> anyhow::Error {
    if error.is_not_found() {
        return kinded(
            ErrorKind::Cluster,
            format!(
                "KEDA is not installed (no {} at {})",
                resources::SCALED_OBJECTS.qualified_name(),
                cluster.url()
            ),
        );
    }
    error.into_anyhow()
}

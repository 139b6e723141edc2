//! The kinds the commands read, with their REST coordinates (group, version, plural, scope).

/// One API resource: where its objects live on the REST paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The API group; empty for the core group.
    pub group: &'static str,
    /// The API version.
    pub version: &'static str,
    /// The plural resource name used in paths, e.g. `scaledobjects`.
    pub plural: &'static str,
    /// The kind, e.g. `ScaledObject`.
    pub kind: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
}

impl Resource {
    const fn new(
        group: &'static str,
        version: &'static str,
        plural: &'static str,
        kind: &'static str,
        namespaced: bool,
    ) -> Resource {
        Resource {
            group,
            version,
            plural,
            kind,
            namespaced,
        }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural.group`, as RBAC and kubectl name it (`scaledobjects.keda.sh`, `pods`).
    pub fn qualified_name(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The same resource at another version (Kueue serves v1beta1 and v1beta2).
    pub fn at_version(self, version: &'static str) -> Resource {
        Resource { version, ..self }
    }

    /// The collection path, in `namespace` when given (and the kind is namespaced).
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{root}/namespaces/{ns}/{}", self.plural),
            None => format!("{root}/{}", self.plural),
        }
    }
}

/// KEDA ScaledObjects.
pub const SCALED_OBJECTS: Resource =
    Resource::new("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject", true);
/// HorizontalPodAutoscalers (autoscaling/v2).
pub const HPAS: Resource = Resource::new(
    "autoscaling",
    "v2",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true,
);
/// Pods.
pub const PODS: Resource = Resource::new("", "v1", "pods", "Pod", true);
/// Events (core v1, as `kubectl describe` reads them).
pub const EVENTS: Resource = Resource::new("", "v1", "events", "Event", true);
/// Deployments.
pub const DEPLOYMENTS: Resource = Resource::new("apps", "v1", "deployments", "Deployment", true);
/// StatefulSets.
pub const STATEFUL_SETS: Resource =
    Resource::new("apps", "v1", "statefulsets", "StatefulSet", true);
/// Kueue Workloads (version chosen by discovery).
pub const WORKLOADS: Resource =
    Resource::new("kueue.x-k8s.io", "v1beta2", "workloads", "Workload", true);
/// Kueue LocalQueues.
pub const LOCAL_QUEUES: Resource = Resource::new(
    "kueue.x-k8s.io",
    "v1beta2",
    "localqueues",
    "LocalQueue",
    true,
);
/// Kueue ClusterQueues (cluster-scoped).
pub const CLUSTER_QUEUES: Resource = Resource::new(
    "kueue.x-k8s.io",
    "v1beta2",
    "clusterqueues",
    "ClusterQueue",
    false,
);
/// The external metrics API that the HPA reads KEDA's values from.
pub const EXTERNAL_METRICS: Resource = Resource::new(
    "external.metrics.k8s.io",
    "v1beta1",
    "externalmetrics",
    "ExternalMetricValueList",
    true,
);
/// The Kueue API group, for discovery.
pub const KUEUE_GROUP: &str = "kueue.x-k8s.io";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_rest_layout() {
        assert_eq!(PODS.collection_path(Some("a")), "/api/v1/namespaces/a/pods");
        assert_eq!(
            SCALED_OBJECTS.collection_path(None),
            "/apis/keda.sh/v1alpha1/scaledobjects"
        );
        assert_eq!(
            CLUSTER_QUEUES.collection_path(Some("a")),
            "/apis/kueue.x-k8s.io/v1beta2/clusterqueues"
        );
        assert_eq!(SCALED_OBJECTS.qualified_name(), "scaledobjects.keda.sh");
        assert_eq!(
            WORKLOADS.at_version("v1beta1").api_version(),
            "kueue.x-k8s.io/v1beta1"
        );
    }
}

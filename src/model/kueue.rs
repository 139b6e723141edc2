//! Typed Kueue objects (`kueue.x-k8s.io`, v1beta2 or v1beta1): ResourceFlavor, ClusterQueue
//! and LocalQueue, with the fields `generate` writes.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

/// The label Kueue reads on a Deployment (and its pods) to find the LocalQueue.
pub const QUEUE_NAME_LABEL: &str = "kueue.x-k8s.io/queue-name";

/// Shared shape of the three objects: apiVersion, kind, metadata, spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S> {
    /// `kueue.x-k8s.io/v1beta2` or `kueue.x-k8s.io/v1beta1`.
    pub api_version: String,
    /// `ResourceFlavor`, `ClusterQueue` or `LocalQueue`.
    pub kind: String,
    /// Name (and namespace for a LocalQueue).
    pub metadata: ObjectMeta,
    /// The kind's spec.
    pub spec: S,
}

/// `spec` of a ResourceFlavor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFlavorSpec {
    /// Node labels a pod must be compatible with to get this flavor.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub node_labels: BTreeMap<String, String>,
}

/// `spec` of a ClusterQueue.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterQueueSpec {
    /// The cohort to borrow from and lend to (v1beta2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort_name: Option<String>,
    /// The cohort (v1beta1 spelling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// Which namespaces may submit; omitted matches none.
    pub namespace_selector: LabelSelector,
    /// `BestEffortFIFO` or `StrictFIFO`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queueing_strategy: Option<String>,
    /// Quota per resource and flavor.
    pub resource_groups: Vec<ResourceGroup>,
}

/// One `resourceGroups[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    /// The resources this group's flavors give quota for.
    pub covered_resources: Vec<String>,
    /// The flavors, in order of preference.
    pub flavors: Vec<FlavorQuotas>,
}

/// One flavor's quotas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlavorQuotas {
    /// The ResourceFlavor's name.
    pub name: String,
    /// One quota per covered resource, in the same order.
    pub resources: Vec<ResourceQuota>,
}

/// The quota of one resource in one flavor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceQuota {
    /// e.g. `nvidia.com/gpu`.
    pub name: String,
    /// What this queue owns.
    pub nominal_quota: Quantity,
}

/// `spec` of a LocalQueue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalQueueSpec {
    /// The ClusterQueue it submits to.
    pub cluster_queue: String,
}

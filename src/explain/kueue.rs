//! Kueue's side of a ScaledObject's target: its LocalQueue, the ClusterQueue behind it, the
//! quota in use, and why the target's pending Workloads wait.

use serde::Serialize;
use serde_json::Value;

use super::json::{array_at, condition, i64_at, label, milli_at, str_at};
use super::pods::{PodInfo, PodState};
use crate::sources::objects::{ObjectSet, name_of};

/// The label that puts a workload in a LocalQueue.
pub const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";

/// Kueue's view of the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KueueInfo {
    /// The LocalQueue (from the `kueue.x-k8s.io/queue-name` label).
    pub local_queue: String,
    /// The ClusterQueue behind it, when the LocalQueue was found.
    pub cluster_queue: Option<String>,
    /// Quota and usage per resource and flavor of the ClusterQueue.
    pub quota: Vec<QuotaUse>,
    /// The ClusterQueue's pending Workloads.
    pub pending_workloads: Option<i64>,
    /// The ClusterQueue's admitted Workloads.
    pub admitted_workloads: Option<i64>,
    /// The target's pods held by the admission gate.
    pub gated_pods: usize,
    /// Why the first of the target's Workloads waits (its `QuotaReserved=False` message).
    pub pending_message: Option<String>,
}

/// One resource of one flavor of a ClusterQueue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaUse {
    /// The resource, e.g. `nvidia.com/gpu`.
    pub resource: String,
    /// The ResourceFlavor.
    pub flavor: String,
    /// `nominalQuota`, in whole units.
    pub nominal: f64,
    /// `status.flavorsUsage` total (admitted workloads), in whole units.
    pub used: f64,
}

impl QuotaUse {
    /// Whether nothing is left of the nominal quota.
    pub fn exhausted(&self) -> bool {
        self.used >= self.nominal
    }
}

/// Reads Kueue's view when the target (or its pods) carries the queue label.
pub fn read(
    set: &ObjectSet,
    namespace: &str,
    target: Option<&Value>,
    pod_objects: &[&Value],
    pods: &[PodInfo],
) -> Option<KueueInfo> {
    let local_queue = target
        .and_then(|t| label(t, QUEUE_LABEL))
        .or_else(|| pod_objects.iter().find_map(|p| label(p, QUEUE_LABEL)))?
        .to_string();
    let cluster_queue = set
        .find("LocalQueue", Some(namespace), &local_queue)
        .and_then(|lq| str_at(lq, "/spec/clusterQueue"))
        .map(str::to_string);
    let cq = cluster_queue
        .as_deref()
        .and_then(|n| set.find("ClusterQueue", None, n));
    let gated: Vec<&str> = pods
        .iter()
        .filter(|p| p.state == PodState::GatedByKueue)
        .map(|p| p.name.as_str())
        .collect();
    Some(KueueInfo {
        local_queue,
        cluster_queue,
        quota: cq.map(quota).unwrap_or_default(),
        pending_workloads: cq.and_then(|c| i64_at(c, "/status/pendingWorkloads")),
        admitted_workloads: cq.and_then(|c| i64_at(c, "/status/admittedWorkloads")),
        gated_pods: gated.len(),
        pending_message: pending_message(set, namespace, &gated),
    })
}

fn quota(cq: &Value) -> Vec<QuotaUse> {
    let mut uses = Vec::new();
    for group in array_at(cq, "/spec/resourceGroups") {
        for flavor in array_at(group, "/flavors") {
            let flavor_name = str_at(flavor, "/name").unwrap_or_default();
            for resource in array_at(flavor, "/resources") {
                let name = str_at(resource, "/name").unwrap_or_default();
                uses.push(QuotaUse {
                    resource: name.to_string(),
                    flavor: flavor_name.to_string(),
                    nominal: milli_at(resource, "/nominalQuota").map_or(0.0, |m| m.as_f64()),
                    used: usage(cq, flavor_name, name),
                });
            }
        }
    }
    uses
}

fn usage(cq: &Value, flavor: &str, resource: &str) -> f64 {
    array_at(cq, "/status/flavorsUsage")
        .iter()
        .filter(|f| f["name"] == flavor)
        .flat_map(|f| array_at(f, "/resources"))
        .filter(|r| r["name"] == resource)
        .filter_map(|r| milli_at(r, "/total"))
        .map(|m| m.as_f64())
        .sum()
}

/// The `QuotaReserved=False` message of the first Workload owned by a gated pod.
fn pending_message(set: &ObjectSet, namespace: &str, gated: &[&str]) -> Option<String> {
    set.of_kind_in("Workload", namespace)
        .filter(|w| {
            array_at(w, "/metadata/ownerReferences")
                .iter()
                .any(|o| o["kind"] == "Pod" && gated.contains(&o["name"].as_str().unwrap_or("")))
        })
        .filter_map(|w| {
            let c = condition(w, "QuotaReserved")?;
            (c["status"] != "True").then(|| {
                format!(
                    "Workload {}: {}",
                    name_of(w),
                    c["message"].as_str().unwrap_or("")
                )
            })
        })
        .next()
}

//! Kueue's side of a ScaledObject's target: its LocalQueue, the ClusterQueue behind it, the
//! quota in use, and why the target's pending Workloads wait.

use serde::Serialize;
use serde_json::Value;

use super::json::{array_at, condition, i64_at, label, milli_at, str_at};
use super::pods::{PodInfo, PodState};
use crate::engine::quantity;
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
    /// `nominalQuota`, in whole units (bytes for memory).
    pub nominal: f64,
    /// `status.flavorsUsage` total (admitted workloads), in whole units; `None` when the
    /// ClusterQueue's status reports no usage for this resource and flavor (or it has no
    /// status), rather than a 0 nobody reported.
    pub used: Option<f64>,
    /// The suffix the quantities are shown with (`Gi`, `m`, or none), for people.
    #[serde(skip)]
    pub unit: String,
}

impl QuotaUse {
    /// Whether nothing is left of the nominal quota (`false` when the usage is unknown).
    pub fn exhausted(&self) -> bool {
        self.used.is_some_and(|used| used >= self.nominal)
    }

    /// The nominal quota for people, in the unit it is written in (`256Gi`).
    pub fn nominal_text(&self) -> String {
        show(self.nominal, &self.unit)
    }

    /// The usage for people, in the nominal quota's unit (`64Gi`); `None` when unknown.
    pub fn used_text(&self) -> Option<String> {
        self.used.map(|used| show(used, &self.unit))
    }
}

/// The units a quantity of bytes written without one is shown in, largest first: binary, then
/// decimal (`1e9` bytes is `1G`).
const BYTE_UNITS: [&str; 12] = [
    "Ei", "Pi", "Ti", "Gi", "Mi", "Ki", "E", "P", "T", "G", "M", "k",
];

fn factor(unit: &str) -> f64 {
    quantity::suffix_scale(unit).unwrap_or(1.0)
}

/// The unit to show a quota in: the suffix its nominal quota is written with (`256Gi`), else
/// for a quantity of bytes the largest binary suffix that divides it (`274877906944` is
/// `256Gi`), else none (GPU and CPU counts stay plain numbers).
fn unit_of(resource: &str, written: Option<&Value>, nominal: f64) -> String {
    let text = written.and_then(Value::as_str).unwrap_or_default().trim();
    let (number, suffix) = quantity::split_suffix(text);
    if !suffix.is_empty()
        && quantity::suffix_scale(suffix).is_some()
        && number.parse::<f64>().is_ok()
    {
        return suffix.to_string();
    }
    let bytes = matches!(resource, "memory" | "ephemeral-storage" | "storage")
        || resource.starts_with("hugepages-");
    if !bytes {
        return String::new();
    }
    BYTE_UNITS
        .iter()
        .find(|unit| {
            let f = factor(unit);
            nominal >= f && (nominal / f).fract() == 0.0
        })
        .map_or_else(String::new, |unit| unit.to_string())
}

/// `value` in `unit`, with at most three decimals and never a negative zero.
fn show(value: f64, unit: &str) -> String {
    let scaled = value / factor(unit);
    let rounded = (scaled * 1000.0).round() / 1000.0 + 0.0;
    if rounded == 0.0 && scaled > 0.0 {
        // Some use, too small for the unit: not nothing.
        return format!("<0.001{unit}");
    }
    format!("{rounded}{unit}")
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
                let nominal = milli_at(resource, "/nominalQuota").map_or(0.0, |m| m.as_f64());
                uses.push(QuotaUse {
                    resource: name.to_string(),
                    flavor: flavor_name.to_string(),
                    nominal,
                    used: usage(cq, flavor_name, name),
                    unit: unit_of(name, resource.pointer("/nominalQuota"), nominal),
                });
            }
        }
    }
    uses
}

/// The total in use of one resource of one flavor; `None` when the status lists none.
fn usage(cq: &Value, flavor: &str, resource: &str) -> Option<f64> {
    // A fold from +0.0 once a total is listed (`Iterator::sum` of no floats is -0.0).
    array_at(cq, "/status/flavorsUsage")
        .iter()
        .filter(|f| f["name"] == flavor)
        .flat_map(|f| array_at(f, "/resources"))
        .filter(|r| r["name"] == resource)
        .map(|r| milli_at(r, "/total").map_or(0.0, |m| m.as_f64()))
        .fold(None, |sum, total| Some(sum.unwrap_or(0.0) + total))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(resource: &str, nominal: Value, used: f64) -> (String, String) {
        let value = milli_at(&serde_json::json!({ "q": nominal }), "/q")
            .unwrap()
            .as_f64();
        let q = QuotaUse {
            resource: resource.to_string(),
            flavor: "f".to_string(),
            nominal: value,
            used: Some(used),
            unit: unit_of(resource, Some(&nominal), value),
        };
        (q.used_text().unwrap(), q.nominal_text())
    }

    #[test]
    fn quotas_are_shown_in_the_unit_of_the_nominal_quota() {
        let gi = 1_073_741_824.0;
        assert_eq!(
            shown("memory", "256Gi".into(), 64.0 * gi),
            ("64Gi".into(), "256Gi".into())
        );
        assert_eq!(
            shown("memory", "256Gi".into(), 1.5 * gi),
            ("1.5Gi".into(), "256Gi".into())
        );
        assert_eq!(
            shown("memory", "1T".into(), 5e11),
            ("0.5T".into(), "1T".into())
        );
        // Written as bytes: the largest binary unit that divides the quota.
        let bytes = Value::from(274_877_906_944_u64);
        assert_eq!(shown("memory", bytes, 0.0), ("0Gi".into(), "256Gi".into()));
        // Else the largest decimal unit; and a use too small to show is still some use.
        assert_eq!(
            shown("memory", "1e9".into(), 1.0),
            ("<0.001G".into(), "1G".into())
        );
        assert_eq!(
            shown("cpu", "500m".into(), 0.25),
            ("250m".into(), "500m".into())
        );
        assert_eq!(shown("cpu", "32".into(), 4.5), ("4.5".into(), "32".into()));
        // Counts stay counts, however round.
        assert_eq!(
            shown("nvidia.com/gpu", 2048.into(), 1024.0),
            ("1024".into(), "2048".into())
        );
    }

    #[test]
    fn usage_absent_from_the_status_is_unknown_and_never_negative_zero() {
        let cq = serde_json::json!({"spec": {"resourceGroups": [{"flavors": [{"name": "h100",
            "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 32}]}]}]}});
        let uses = quota(&cq);
        assert_eq!(uses[0].used, None);
        assert!(!uses[0].exhausted());
        assert_eq!(show(-0.0, ""), "0");
        let mut with_status = cq.clone();
        with_status["status"] = serde_json::json!({"flavorsUsage": [{"name": "h100",
            "resources": [{"name": "nvidia.com/gpu", "total": "0"}]}]});
        let used = quota(&with_status)[0].used.unwrap();
        assert!(used == 0.0 && used.is_sign_positive());
    }
}

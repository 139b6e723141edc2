//! Kueue rules (`KUE`): ClusterQueue quota shape, queue references, quota against
//! `maxReplicaCount`, and the Kueue-specific pitfalls of autoscaled workloads.

use crate::model::value::Value;

use crate::lint::Emitter;
use crate::lint::catalog::{Check, Family, Rule, RuleDoc, Severity};
use crate::lint::context::{Context, Object, QUEUE_LABEL, queue_label};
use crate::lint::view::{GPU_RESOURCE, containers, pod_resource, pod_spec_pointer, quantity};
use crate::model::manifest::Document;

const CLUSTER_QUEUE: &[&str] = &["ClusterQueue"];
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "Job",
    "ScaledJob",
    "LeaderWorkerSet",
    "Pod",
];
const KUEUE_KINDS: &[&str] = &[
    "ClusterQueue",
    "LocalQueue",
    "ResourceFlavor",
    "Cohort",
    "WorkloadPriorityClass",
    "Workload",
    "AdmissionCheck",
];

fn cohort(cq: &Value) -> Option<&str> {
    let spec = cq.get("spec")?;
    spec.get("cohortName")
        .or_else(|| spec.get("cohort"))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
}

/// Every `(pointer, flavor)` of a ClusterQueue, with its group's covered resources.
fn flavors(cq: &Value) -> Vec<(String, &Value, Vec<&str>)> {
    let mut out = Vec::new();
    let groups = cq
        .at("/spec/resourceGroups")
        .and_then(Value::as_array)
        .unwrap_or_default();
    for (g, group) in groups.iter().enumerate() {
        let covered: Vec<&str> = group
            .get("coveredResources")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let list = group
            .get("flavors")
            .and_then(Value::as_array)
            .unwrap_or_default();
        for (f, flavor) in list.iter().enumerate() {
            let pointer = format!("/spec/resourceGroups/{g}/flavors/{f}");
            out.push((pointer, flavor, covered.clone()));
        }
    }
    out
}

fn resources(flavor: &Value) -> impl Iterator<Item = (usize, &Value)> {
    flavor
        .get("resources")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
}

/// `KUE001`.
pub static RESOURCE_NOT_COVERED: Rule = Rule {
    code: "KUE001",
    name: "ResourceNotCovered",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A workload requests a resource its ClusterQueue does not cover (e.g. \
              `nvidia.com/gpu`).",
    fix: "Add the resource to the ClusterQueue's `coveredResources` with a quota in every \
          flavor (or exclude it in Kueue's configuration).",
    doc: RuleDoc {
        what: "A workload with a queue-name label whose LocalQueue and ClusterQueue are in \
               the input, and whose containers request a resource that no resource group of \
               that ClusterQueue lists in `coveredResources`.",
        why: "Kueue checks every requested resource: the Workload stays pending forever with \
              \"resource nvidia.com/gpu unavailable in ClusterQueue\" and the pods stay \
              SchedulingGated.",
        example: "coveredResources: [cpu, memory]\n# pod requests nvidia.com/gpu: 1",
        instead: "coveredResources: [cpu, memory, nvidia.com/gpu]",
        known_problems: "Kueue's `resources.excludeResourcePrefixes` and \
                         `quotaCheckStrategy: IgnoreUndeclared` are configuration the linter \
                         does not see; suppress with a reason if you use them.",
    },
    check: Check::Object {
        kinds: WORKLOADS,
        run: resource_not_covered,
    },
};

fn resource_not_covered(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let doc = object.doc;
    let Some((_, Some(cq))) = context.queues_of(doc) else {
        return;
    };
    let covered: Vec<&str> = flavors(&cq.value)
        .into_iter()
        .flat_map(|(_, _, covered)| covered)
        .collect();
    let Some(pod_spec) = pod_spec_pointer(doc.kind()) else {
        return;
    };
    for c in containers(&doc.value, pod_spec) {
        let container = c.value;
        // A resource in both requests and limits is one problem: reported once, where it is
        // requested (or limited, when only limited).
        let mut reported: Vec<&str> = Vec::new();
        for section in ["requests", "limits"] {
            let Some(map) = container
                .get("resources")
                .and_then(|r| r.get(section))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for resource in map.keys() {
                if covered.contains(&resource) || reported.contains(&resource) {
                    continue;
                }
                reported.push(resource);
                out.at(
                    &format!("{}/resources/{section}", c.pointer()),
                    format!(
                        "{}: requests {resource}, which ClusterQueue {} does not cover, so \
                         Kueue never admits it",
                        object.label(),
                        cq.name()
                    ),
                );
            }
        }
    }
}

/// `KUE002`.
pub static FLAVOR_ORDER: Rule = Rule {
    code: "KUE002",
    name: "FlavorResourcesOutOfOrder",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A flavor's resources differ from `coveredResources` in name or order.",
    fix: "List the flavor's resources in exactly the order of `coveredResources`.",
    doc: RuleDoc {
        what: "A ClusterQueue flavor whose `resources[i].name` is not `coveredResources[i]`, \
               or whose resource count differs.",
        why: "Kueue's validation requires the same names in the same order; the API server \
              rejects the ClusterQueue.",
        example: "coveredResources: [cpu, nvidia.com/gpu]\nflavors:\n  - name: h100\n    \
                  resources:\n      - {name: nvidia.com/gpu, nominalQuota: 8}\n      - {name: \
                  cpu, nominalQuota: 64}",
        instead: "    resources:\n      - {name: cpu, nominalQuota: 64}\n      - {name: \
                  nvidia.com/gpu, nominalQuota: 8}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: CLUSTER_QUEUE,
        run: flavor_order,
    },
};

fn flavor_order(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    for (pointer, flavor, covered) in flavors(&object.doc.value) {
        let names: Vec<&str> = resources(flavor)
            .map(|(_, r)| r.get("name").and_then(Value::as_str).unwrap_or(""))
            .collect();
        if names != covered {
            out.at(
                &format!("{pointer}/resources"),
                format!(
                    "{}: flavor {} lists [{}] but coveredResources is [{}]",
                    object.label(),
                    flavor.get("name").and_then(Value::as_str).unwrap_or("?"),
                    names.join(", "),
                    covered.join(", ")
                ),
            );
        }
    }
}

/// `KUE003`.
pub static LIMIT_WITHOUT_COHORT: Rule = Rule {
    code: "KUE003",
    name: "LimitWithoutCohort",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "`borrowingLimit` or `lendingLimit` on a ClusterQueue without a cohort.",
    fix: "Set `cohortName`, or remove the limits.",
    doc: RuleDoc {
        what: "A ClusterQueue resource with `borrowingLimit` or `lendingLimit` while the \
               queue has no `cohortName` (`cohort` in v1beta1).",
        why: "Borrowing and lending only happen inside a cohort; Kueue rejects the object \
              (\"must be nil when cohort is empty\").",
        example: "resources:\n  - {name: nvidia.com/gpu, nominalQuota: 8, borrowingLimit: 8}\n\
                  # no cohortName",
        instead: "cohortName: gpu-pool\nresourceGroups: ...",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: CLUSTER_QUEUE,
        run: limit_without_cohort,
    },
};

fn limit_without_cohort(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    if cohort(&object.doc.value).is_some() {
        return;
    }
    for (pointer, flavor, _) in flavors(&object.doc.value) {
        for (i, resource) in resources(flavor) {
            for limit in ["borrowingLimit", "lendingLimit"] {
                if resource.get(limit).is_some() {
                    out.at(
                        &format!("{pointer}/resources/{i}/{limit}"),
                        format!(
                            "{}: {limit} is set but the ClusterQueue has no cohort",
                            object.label()
                        ),
                    );
                }
            }
        }
    }
}

/// `KUE004`.
pub static LENDING_ABOVE_NOMINAL: Rule = Rule {
    code: "KUE004",
    name: "LendingLimitAboveNominal",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "`lendingLimit` above the resource's `nominalQuota`.",
    fix: "Make `lendingLimit` at most `nominalQuota`.",
    doc: RuleDoc {
        what: "A ClusterQueue resource whose `lendingLimit` exceeds its `nominalQuota`.",
        why: "A queue cannot lend more than it has; Kueue rejects the ClusterQueue.",
        example: "- {name: nvidia.com/gpu, nominalQuota: 8, lendingLimit: 12}",
        instead: "- {name: nvidia.com/gpu, nominalQuota: 8, lendingLimit: 4}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: CLUSTER_QUEUE,
        run: lending_above_nominal,
    },
};

fn lending_above_nominal(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    for (pointer, _, _) in flavors(&object.doc.value) {
        let Some(flavor) = object.doc.value.at(&pointer) else {
            continue;
        };
        for (i, resource) in resources(flavor) {
            let nominal = resource.get("nominalQuota").and_then(quantity);
            let lending = resource.get("lendingLimit").and_then(quantity);
            if let (Some(nominal), Some(lending)) = (nominal, lending)
                && lending > nominal
            {
                out.at(
                    &format!("{pointer}/resources/{i}/lendingLimit"),
                    format!(
                        "{}: lendingLimit {lending} is above nominalQuota {nominal}",
                        object.label()
                    ),
                );
            }
        }
    }
}

/// `KUE005`.
pub static NO_NAMESPACE_SELECTOR: Rule = Rule {
    code: "KUE005",
    name: "ClusterQueueWithoutNamespaceSelector",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A ClusterQueue without `namespaceSelector` admits nothing.",
    fix: "Set `namespaceSelector: {}` (all namespaces) or a selector for the serving \
          namespaces.",
    doc: RuleDoc {
        what: "A ClusterQueue whose spec has no `namespaceSelector`.",
        why: "An absent selector matches no namespace: every Workload is inadmissible with \
              \"workload namespace doesn't match ClusterQueue selector\".",
        example: "kind: ClusterQueue\nspec:\n  resourceGroups: ...",
        instead: "kind: ClusterQueue\nspec:\n  namespaceSelector: {}\n  resourceGroups: ...",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: CLUSTER_QUEUE,
        run: no_namespace_selector,
    },
};

fn no_namespace_selector(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    let selector = object.doc.value.at("/spec/namespaceSelector");
    if selector.is_none_or(Value::is_null) {
        out.at(
            "/spec",
            format!(
                "{}: has no namespaceSelector, so it matches no namespace",
                object.label()
            ),
        );
    }
}

/// `KUE006`.
pub static MISSING_CLUSTER_QUEUE: Rule = Rule {
    code: "KUE006",
    name: "LocalQueueNamesMissingClusterQueue",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A LocalQueue names a ClusterQueue that is not in the input.",
    fix: "Fix `spec.clusterQueue`, or add the ClusterQueue.",
    doc: RuleDoc {
        what: "A LocalQueue whose `spec.clusterQueue` names no ClusterQueue in the input \
               (checked only when the input holds at least one ClusterQueue).",
        why: "Workloads in the LocalQueue are inadmissible (\"ClusterQueue … doesn't \
              exist\") and `spec.clusterQueue` is immutable, so the LocalQueue must be \
              recreated to fix it.",
        example: "kind: LocalQueue\nspec: {clusterQueue: gpu-cq}\n---\nkind: ClusterQueue\n\
                  metadata: {name: gpu-queue}",
        instead: "kind: LocalQueue\nspec: {clusterQueue: gpu-queue}",
        known_problems: "A ClusterQueue managed elsewhere (another repository) must be \
                         passed too, or the rule suppressed with a reason.",
    },
    check: Check::Object {
        kinds: &["LocalQueue"],
        run: missing_cluster_queue,
    },
};

fn missing_cluster_queue(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    if !context.has_kind("ClusterQueue") {
        return;
    }
    let Some(cq) = object
        .doc
        .value
        .at("/spec/clusterQueue")
        .and_then(Value::as_str)
    else {
        return;
    };
    if context.find_cluster("ClusterQueue", cq).is_none() {
        out.at(
            "/spec/clusterQueue",
            format!(
                "{}: ClusterQueue {cq} is not among the inputs",
                object.label()
            ),
        );
    }
}

/// `KUE007`.
pub static MISSING_LOCAL_QUEUE: Rule = Rule {
    code: "KUE007",
    name: "QueueLabelNamesMissingLocalQueue",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A queue-name label names a LocalQueue that is not in the input.",
    fix: "Fix the `kueue.x-k8s.io/queue-name` label, or add the LocalQueue in the same \
          namespace.",
    doc: RuleDoc {
        what: "A workload whose `kueue.x-k8s.io/queue-name` label names no LocalQueue of its \
               namespace in the input (checked only when the input holds a LocalQueue).",
        why: "The Workload stays inadmissible (\"LocalQueue … doesn't exist\"); for a \
              Deployment every new pod stays SchedulingGated.",
        example: "metadata:\n  labels: {kueue.x-k8s.io/queue-name: serve}\n---\nkind: \
                  LocalQueue\nmetadata: {name: serving-lq}",
        instead: "metadata:\n  labels: {kueue.x-k8s.io/queue-name: serving-lq}",
        known_problems: "Objects without a namespace match LocalQueues without one.",
    },
    check: Check::Object {
        kinds: WORKLOADS,
        run: missing_local_queue,
    },
};

fn missing_local_queue(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    if !context.has_kind("LocalQueue") {
        return;
    }
    let Some(queue) = queue_label(object.doc) else {
        return;
    };
    if context
        .find("LocalQueue", object.namespace(), queue)
        .is_none()
    {
        out.at(
            &format!("/metadata/labels/{}", QUEUE_LABEL.replace('/', "~1")),
            format!(
                "{}: LocalQueue {queue} is not among the inputs in namespace {}",
                object.label(),
                object.namespace()
            ),
        );
    }
}

/// `KUE008`.
pub static QUOTA_BELOW_MAX: Rule = Rule {
    code: "KUE008",
    name: "QuotaBelowMaxReplicas",
    family: Family::Kueue,
    severity: Severity::Warning,
    summary: "`maxReplicaCount` × GPUs per replica is more than the ClusterQueue can ever \
              admit.",
    fix: "Lower `maxReplicaCount` to what the quota admits, or raise the quota (nominal or \
          borrowing limit).",
    doc: RuleDoc {
        what: "A ScaledObject whose target carries a queue-name label, where \
               `maxReplicaCount × nvidia.com/gpu per replica` exceeds the ClusterQueue's \
               nominal quota plus its borrowing limits (summed over flavors).",
        why: "Replicas above the quota are created but stay SchedulingGated forever; the HPA \
              believes it scaled out while the queue keeps growing, and `kubectl get hpa` \
              shows desired > ready.",
        example: "maxReplicaCount: 8   # 2 GPUs each = 16\n# ClusterQueue nvidia.com/gpu \
                  nominalQuota: 8, no cohort",
        instead: "maxReplicaCount: 4",
        known_problems: "With a cohort and no borrowing limit, the borrowable amount depends \
                         on other queues and the rule stays silent.",
    },
    check: Check::Object {
        kinds: &["ScaledObject"],
        run: quota_below_max,
    },
};

/// The most of `resource` a ClusterQueue can ever admit; `None` when unbounded.
fn capacity(cq: &Document, resource: &str) -> Option<f64> {
    let has_cohort = cohort(&cq.value).is_some();
    let mut total = 0.0;
    for (_, flavor, _) in flavors(&cq.value) {
        for (_, r) in resources(flavor) {
            if r.get("name").and_then(Value::as_str) != Some(resource) {
                continue;
            }
            total += r.get("nominalQuota").and_then(quantity).unwrap_or(0.0);
            if has_cohort {
                total += r.get("borrowingLimit").and_then(quantity)?;
            }
        }
    }
    Some(total)
}

fn quota_below_max(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(scaler) = object.scaler else { return };
    let Some(target) = context.target_of(object) else {
        return;
    };
    let Some((_, Some(cq))) = context.queues_of(target) else {
        return;
    };
    let Some(pod_spec) = pod_spec_pointer(target.kind()) else {
        return;
    };
    let per_replica = pod_resource(&target.value, pod_spec, GPU_RESOURCE);
    let Some(capacity) = capacity(cq, GPU_RESOURCE) else {
        return;
    };
    let max = scaler.effective_max();
    let need = per_replica * max as f64;
    if per_replica > 0.0 && need > capacity {
        out.at(
            "/spec/maxReplicaCount",
            format!(
                "{}: maxReplicaCount {max} × {per_replica} GPU = {need} GPUs, but \
                 ClusterQueue {} can admit at most {capacity}",
                object.label(),
                cq.name()
            ),
        );
    }
}

/// `KUE009`.
pub static SCALED_STATEFULSET: Rule = Rule {
    code: "KUE009",
    name: "ScaledKueueStatefulSet",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A ScaledObject scales a Kueue-managed StatefulSet.",
    fix: "Serve from a Deployment (or LeaderWorkerSet) when it must autoscale under Kueue.",
    doc: RuleDoc {
        what: "A ScaledObject whose target is a StatefulSet with a \
               `kueue.x-k8s.io/queue-name` label.",
        why: "Kueue admits a StatefulSet as one pod group and only supports scaling it \
              between 0 and N; other replica changes are refused or undefined \
              (kueue#13641), so the autoscaler cannot work.",
        example: "kind: StatefulSet\nmetadata:\n  labels: {kueue.x-k8s.io/queue-name: serve}\n\
                  ---\nkind: ScaledObject\nspec: {scaleTargetRef: {kind: StatefulSet, name: \
                  llm}}",
        instead: "kind: Deployment\nmetadata:\n  labels: {kueue.x-k8s.io/queue-name: serve}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: &["ScaledObject"],
        run: scaled_statefulset,
    },
};

fn scaled_statefulset(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(target) = context.target_of(object) else {
        return;
    };
    if target.kind() == "StatefulSet" && queue_label(target).is_some() {
        out.at(
            "/spec/scaleTargetRef",
            format!(
                "{}: scales StatefulSet {}, which Kueue manages; Kueue only allows 0↔N there",
                object.label(),
                target.name()
            ),
        );
    }
}

/// `KUE010`.
pub static SCALED_JOB_LABEL: Rule = Rule {
    code: "KUE010",
    name: "ScaledJobQueueLabelOnPodTemplate",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A ScaledJob has the queue-name label only on its pod template.",
    fix: "Put `kueue.x-k8s.io/queue-name` on the ScaledJob's own `metadata.labels`.",
    doc: RuleDoc {
        what: "A ScaledJob whose `jobTargetRef.template.metadata.labels` carries the \
               queue-name label while its own `metadata.labels` does not.",
        why: "KEDA copies the ScaledJob's labels onto each Job; pod template labels only reach \
              the pods, and Kueue ignores pods owned by a Job. The Jobs run unmanaged, \
              outside the quota.",
        example: "kind: ScaledJob\nspec:\n  jobTargetRef:\n    template:\n      metadata:\n        \
                  labels: {kueue.x-k8s.io/queue-name: batch}",
        instead: "kind: ScaledJob\nmetadata:\n  labels: {kueue.x-k8s.io/queue-name: batch}",
        known_problems: "None known.",
    },
    check: Check::Object {
        kinds: &["ScaledJob"],
        run: scaled_job_label,
    },
};

fn scaled_job_label(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    if queue_label(object.doc).is_some() {
        return;
    }
    let label = format!(
        "/spec/jobTargetRef/template/metadata/labels/{}",
        QUEUE_LABEL.replace('/', "~1")
    );
    if object.doc.value.at(&label).is_some() {
        out.at(
            &label,
            format!(
                "{}: the queue-name label is only on the pod template, so the Jobs KEDA \
                 creates are not managed by Kueue",
                object.label()
            ),
        );
    }
}

/// `KUE011`.
pub static V1BETA1: Rule = Rule {
    code: "KUE011",
    name: "KueueV1beta1",
    family: Family::Kueue,
    severity: Severity::Warning,
    summary: "A Kueue object uses the deprecated `kueue.x-k8s.io/v1beta1` API.",
    fix: "Use `kueue.x-k8s.io/v1beta2` (note `cohort` → `cohortName`).",
    doc: RuleDoc {
        what: "A Kueue object with `apiVersion: kueue.x-k8s.io/v1beta1`.",
        why: "v1beta2 is the storage version since Kueue 0.16 and v1beta1 is served with a \
              deprecation warning; it will be removed, and several fields were renamed.",
        example: "apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nspec:\n  cohort: \
                  gpu-pool",
        instead: "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nspec:\n  \
                  cohortName: gpu-pool",
        known_problems: "Clusters older than Kueue 0.15 do not serve v1beta2.",
    },
    check: Check::Object {
        kinds: KUEUE_KINDS,
        run: v1beta1,
    },
};

fn v1beta1(object: &Object<'_>, _: &Context<'_>, out: &mut Emitter<'_>) {
    if object.doc.api_version() == "kueue.x-k8s.io/v1beta1" {
        out.at(
            "/apiVersion",
            format!(
                "{}: kueue.x-k8s.io/v1beta1 is deprecated; v1beta2 is current",
                object.label()
            ),
        );
    }
}

/// `KUE012`.
pub static MISSING_FLAVOR: Rule = Rule {
    code: "KUE012",
    name: "ClusterQueueNamesMissingFlavor",
    family: Family::Kueue,
    severity: Severity::Error,
    summary: "A ClusterQueue's resource groups name a ResourceFlavor that is not in the input.",
    fix: "Fix the flavor's name, or add the ResourceFlavor.",
    doc: RuleDoc {
        what: "A flavor in a ClusterQueue's `resourceGroups[].flavors[].name` that names no \
               ResourceFlavor in the input (checked only when the input holds at least one \
               ResourceFlavor).",
        why: "The API server accepts the ClusterQueue, but Kueue keeps it inactive: its \
              `Active` condition is False with reason `FlavorNotFound` (\"Can't admit new \
              workloads: references missing ResourceFlavor(s)\"), and every Workload of its \
              LocalQueues waits with \"ClusterQueue … is inactive\". Nothing is admitted, not \
              even under the flavors that exist.",
        example: "kind: ResourceFlavor\nmetadata: {name: a100}\n---\nkind: ClusterQueue\n\
                  spec:\n  resourceGroups:\n    - coveredResources: [nvidia.com/gpu]\n      \
                  flavors:\n        - name: h100\n          resources: [{name: \
                  nvidia.com/gpu, nominalQuota: 8}]",
        instead: "kind: ResourceFlavor\nmetadata: {name: h100}",
        known_problems: "A ResourceFlavor managed elsewhere (another repository, a platform \
                         chart) must be passed too, or the rule suppressed with a reason.",
    },
    check: Check::Object {
        kinds: CLUSTER_QUEUE,
        run: missing_flavor,
    },
};

fn missing_flavor(object: &Object<'_>, context: &Context<'_>, out: &mut Emitter<'_>) {
    if !context.has_kind("ResourceFlavor") {
        return;
    }
    for (pointer, flavor, _) in flavors(&object.doc.value) {
        let Some(name) = flavor.get("name").and_then(Value::as_str) else {
            continue;
        };
        if context.find_cluster("ResourceFlavor", name).is_none() {
            out.at(
                &format!("{pointer}/name"),
                format!(
                    "{}: flavor {name} names no ResourceFlavor among the inputs, so Kueue keeps \
                     the ClusterQueue inactive (FlavorNotFound) and admits nothing",
                    object.label()
                ),
            );
        }
    }
}

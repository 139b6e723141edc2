//! The plan of a `validate` run: the Prometheus triggers to check, read from manifest files,
//! and the workloads whose GPUs to look up in DCGM.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::exit::{ErrorKind, Kinded, kinded};
use crate::model::manifest::{self, Document};
use crate::sources::{files, walk};
use crate::validate::cluster::{self, ClusterFacts};
use crate::validate::dcgm::Workload;
use crate::validate::triggers::{self, TriggerSpec};
use crate::validate::{CheckResult, promql};

/// What to check.
#[derive(Debug, Default)]
pub struct Plan {
    /// The triggers, in file order.
    pub triggers: Vec<TriggerSpec>,
    /// Triggers that cannot be checked (FAIL rows).
    pub problems: Vec<CheckResult>,
    /// One entry per ScaledObject with a Prometheus trigger, for the DCGM check.
    pub workloads: Vec<Workload>,
}

impl Plan {
    /// The first trigger of each ScaledObject, for the per-object checks.
    pub fn first_triggers(&self) -> Vec<&TriggerSpec> {
        let mut seen = BTreeSet::new();
        self.triggers
            .iter()
            .filter(|t| seen.insert(t.object.key()))
            .collect()
    }
}

/// The plan: ScaledObjects from `paths` when given, else from the cluster; with the cluster,
/// each workload's pods and GPU requests come from its live objects.
pub fn build(
    paths: &[PathBuf],
    namespace: &str,
    facts: Option<&ClusterFacts>,
) -> anyhow::Result<Plan> {
    let mut plan = match (paths.is_empty(), facts) {
        (false, _) => from_paths(paths, namespace)?,
        (true, Some(facts)) => from_cluster(facts),
        (true, None) => {
            return Err(kinded(
                ErrorKind::Usage,
                "give the manifests to validate (files, folders, or - for stdin), or --cluster",
            ));
        }
    };
    if let Some(facts) = facts {
        enrich(&mut plan, facts);
    }
    Ok(plan)
}

/// The ScaledObjects of the cluster snapshot.
fn from_cluster(facts: &ClusterFacts) -> Plan {
    let mut plan = Plan::default();
    for (object, namespace) in cluster::scaled_objects(&facts.objects) {
        let extracted = triggers::extract(object, namespace, None);
        plan.problems.extend(extracted.problems);
        if let Some(first) = extracted.triggers.first() {
            plan.workloads
                .push(workload(first, &extracted.triggers, &BTreeMap::new()));
        }
        plan.triggers.extend(extracted.triggers);
    }
    plan
}

/// Pods and GPU requests of each workload, from the cluster's live objects.
fn enrich(plan: &mut Plan, facts: &ClusterFacts) {
    for workload in &mut plan.workloads {
        let Some(live) = facts.objects.find(
            &workload.target.kind,
            Some(&workload.namespace),
            &workload.target.name,
        ) else {
            continue;
        };
        workload.pods = Some(cluster::pods_of(&facts.objects, live, &workload.namespace));
        if let Some(gpus) = triggers::gpus_per_pod(live) {
            workload.gpus_per_pod = Some(gpus);
        }
    }
}

/// Reads every ScaledObject in `paths` (files, folders, `-`).
fn from_paths(paths: &[PathBuf], namespace: &str) -> anyhow::Result<Plan> {
    let docs = load(paths)?;
    let plan = from_documents(&docs, namespace);
    if plan.triggers.is_empty() && plan.problems.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| files::display_name(p)).collect();
        return Err(kinded(
            ErrorKind::Usage,
            format!(
                "{}: no ScaledObject with a prometheus trigger found",
                names.join(", ")
            ),
        ));
    }
    Ok(plan)
}

fn load(paths: &[PathBuf]) -> anyhow::Result<Vec<Document>> {
    let mut docs = Vec::new();
    for path in paths {
        let files = if path == Path::new("-") {
            vec![path.clone()]
        } else {
            walk::manifest_files(path).map_err(usage)?
        };
        for file in files {
            let text = files::read_text(&file, files::DEFAULT_MAX_FILE_BYTES).map_err(usage)?;
            let name = files::display_name(&file);
            let loaded = manifest::load_str(&name, &text).map_err(|e| usage(e.into()))?;
            docs.extend(loaded);
        }
    }
    Ok(docs)
}

fn usage(error: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(Kinded {
        kind: ErrorKind::Usage,
        error,
    })
}

/// Builds the plan from loaded documents.
pub fn from_documents(docs: &[Document], namespace: &str) -> Plan {
    let gpus = gpu_requests(docs, namespace);
    let mut plan = Plan::default();
    let mut seen = BTreeSet::new();
    for doc in docs.iter().filter(|d| is_scaled_object(d)) {
        let source = format!("{}:{}", doc.display_file(), doc.start().line);
        let extracted = triggers::extract(&doc.value.to_json(), namespace, Some(source));
        plan.problems.extend(extracted.problems);
        if let Some(first) = extracted.triggers.first()
            && seen.insert(first.object.key())
        {
            plan.workloads
                .push(workload(first, &extracted.triggers, &gpus));
        }
        plan.triggers.extend(extracted.triggers);
    }
    plan
}

fn is_scaled_object(doc: &Document) -> bool {
    doc.kind() == "ScaledObject" && doc.api_version().starts_with("keda.sh/")
}

/// GPUs per pod of each Deployment or StatefulSet in the files, by (namespace, kind, name).
fn gpu_requests(docs: &[Document], namespace: &str) -> BTreeMap<(String, String, String), u32> {
    docs.iter()
        .filter(|d| matches!(d.kind(), "Deployment" | "StatefulSet"))
        .filter_map(|d| {
            let ns = d.namespace().unwrap_or(namespace).to_string();
            let gpus = triggers::gpus_per_pod(&d.value.to_json())?;
            Some(((ns, d.kind().to_string(), d.name().to_string()), gpus))
        })
        .collect()
}

fn workload(
    first: &TriggerSpec,
    all: &[TriggerSpec],
    gpus: &BTreeMap<(String, String, String), u32>,
) -> Workload {
    let key = (
        first.object.namespace.clone(),
        first.target.kind.clone(),
        first.target.name.clone(),
    );
    let scales_on_dcgm = all.iter().any(|t| {
        promql::parts(&t.query)
            .map(|p| p.metric_names.iter().any(|n| n.starts_with("DCGM_")))
            .unwrap_or(false)
    });
    Workload {
        object: first.object.clone(),
        target: first.target.clone(),
        namespace: first.object.namespace.clone(),
        pods: None,
        gpus_per_pod: gpus.get(&key).copied(),
        scales_on_dcgm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: llama, namespace: serving}
spec:
  template:
    spec:
      containers:
        - name: vllm
          resources: {limits: {nvidia.com/gpu: 2}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: llama, namespace: serving}
spec:
  scaleTargetRef: {name: llama}
  triggers:
    - type: prometheus
      metadata: {query: 'sum(DCGM_FI_DEV_GPU_UTIL)', threshold: '80'}
    - type: prometheus
      metadata: {query: 'sum(vllm:num_requests_waiting)'}
";

    #[test]
    fn scaled_objects_become_triggers_and_workloads() {
        let docs = manifest::load_str("m.yaml", FILE).unwrap();
        let plan = from_documents(&docs, "default");
        assert_eq!(plan.triggers.len(), 1);
        assert_eq!(plan.triggers[0].object.source.as_deref(), Some("m.yaml:11"));
        assert_eq!(plan.problems.len(), 1, "the trigger without threshold");
        assert_eq!(plan.workloads.len(), 1);
        assert_eq!(plan.workloads[0].gpus_per_pod, Some(2));
        assert!(plan.workloads[0].scales_on_dcgm);
    }
}

//! What the models of one run share: they must have distinct names, and models that name the
//! same Kueue queue share one ClusterQueue (and LocalQueue), so they must agree on it, and its
//! quota covers all of them.

use std::collections::BTreeMap;

use super::spec::{KueueApi, Model, SpecError};

/// A model that does not fit with the ones before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct ModelError {
    /// The position of the model at fault (the later of the two that disagree).
    pub index: usize,
    /// The key at fault and why.
    pub error: SpecError,
}

/// Checks that the models fit together and gives the models that share a ClusterQueue its
/// one quota: the quota given for it (the same by every model that gives one), or else the
/// GPUs all of them need at their max.
pub fn reconcile(models: &mut [Model]) -> Result<(), ModelError> {
    distinct_names(models)?;
    same_flavors(models)?;
    for indexes in queue_groups(models).into_values() {
        agree_on_queue(models, &indexes)?;
        let quota = group_quota(models, &indexes)?;
        for &i in &indexes {
            if let Some(plan) = models[i].kueue.as_mut() {
                plan.gpu_quota = quota;
            }
        }
    }
    Ok(())
}

/// The positions of the models with Kueue objects, by ClusterQueue name, in model order.
pub fn queue_groups(models: &[Model]) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, model) in models.iter().enumerate() {
        if let Some(plan) = &model.kueue {
            groups
                .entry(plan.cluster_queue.clone())
                .or_default()
                .push(i);
        }
    }
    groups
}

/// The GPUs a model needs at its max (both factors are at most int32, so no overflow).
pub fn gpus_at_max(model: &Model) -> u64 {
    u64::from(model.max) * u64::from(model.gpus)
}

fn at(index: usize, key: &'static str, message: String) -> ModelError {
    ModelError {
        index,
        error: SpecError { key, message },
    }
}

fn distinct_names(models: &[Model]) -> Result<(), ModelError> {
    for (j, later) in models.iter().enumerate() {
        if let Some(earlier) = models[..j]
            .iter()
            .find(|m| m.name == later.name && m.namespace == later.namespace)
        {
            return Err(at(
                j,
                "name",
                format!(
                    "model {}/{} is given twice: each model needs its own name (or namespace)",
                    earlier.namespace, earlier.name
                ),
            ));
        }
    }
    Ok(())
}

/// One ResourceFlavor name, one GPU product (two spellings can make the same flavor name).
fn same_flavors(models: &[Model]) -> Result<(), ModelError> {
    for (j, later) in models.iter().enumerate() {
        let Some(plan) = &later.kueue else { continue };
        let clash = models[..j].iter().find(|m| {
            m.kueue.as_ref().is_some_and(|p| p.flavor == plan.flavor)
                && m.gpu_product != later.gpu_product
        });
        if let Some(earlier) = clash {
            return Err(at(
                j,
                "gpuProduct",
                format!(
                    "{:?} and model {}'s {:?} both make ResourceFlavor {}: write the GPU \
                     product the same way in both",
                    later.gpu_product.as_deref().unwrap_or(""),
                    earlier.name,
                    earlier.gpu_product.as_deref().unwrap_or(""),
                    plan.flavor
                ),
            ));
        }
    }
    Ok(())
}

/// Models on one ClusterQueue: the same namespace and LocalQueue (the ClusterQueue is named
/// `<namespace>-<queue>`, which two different pairs can spell alike), GPU product, cohort and
/// API version.
fn agree_on_queue(models: &[Model], indexes: &[usize]) -> Result<(), ModelError> {
    let first = &models[indexes[0]];
    let Some(plan) = &first.kueue else {
        return Ok(());
    };
    for &j in &indexes[1..] {
        let other = &models[j];
        let Some(theirs) = &other.kueue else { continue };
        let differ = |key: &'static str, what: &str, mine: String, them: String| {
            at(
                j,
                key,
                format!(
                    "{what} {them} differs from model {}'s {mine}, and both use ClusterQueue {}: \
                     models that share a queue share its settings",
                    first.name, plan.cluster_queue
                ),
            )
        };
        if (other.namespace.as_str(), theirs.local_queue.as_str())
            != (first.namespace.as_str(), plan.local_queue.as_str())
        {
            return Err(at(
                j,
                "queue",
                format!(
                    "LocalQueue {}/{} and model {}'s {}/{} would both be served by ClusterQueue \
                     {}: rename one queue",
                    other.namespace,
                    theirs.local_queue,
                    first.name,
                    first.namespace,
                    plan.local_queue,
                    plan.cluster_queue
                ),
            ));
        }
        if theirs.flavor != plan.flavor {
            let name = |m: &Model| format!("{:?}", m.gpu_product.as_deref().unwrap_or("(none)"));
            return Err(differ(
                "gpuProduct",
                "GPU product",
                name(first),
                name(other),
            ));
        }
        if theirs.cohort != plan.cohort {
            let name = |c: &Option<String>| c.clone().unwrap_or_else(|| "(none)".to_string());
            return Err(differ(
                "cohort",
                "cohort",
                name(&plan.cohort),
                name(&theirs.cohort),
            ));
        }
        if theirs.api != plan.api {
            let name = |a: KueueApi| match a {
                KueueApi::V1beta2 => "v1beta2".to_string(),
                KueueApi::V1beta1 => "v1beta1".to_string(),
            };
            return Err(differ(
                "kueueApi",
                "Kueue API",
                name(plan.api),
                name(theirs.api),
            ));
        }
    }
    Ok(())
}

/// The given quota (every model that gives one gives the same), else the sum of the GPUs the
/// models need at their max.
fn group_quota(models: &[Model], indexes: &[usize]) -> Result<u64, ModelError> {
    let mut given: Option<(usize, u64)> = None;
    for &j in indexes {
        let Some(plan) = models[j].kueue.as_ref().filter(|p| p.quota_given) else {
            continue;
        };
        match given {
            None => given = Some((j, plan.gpu_quota)),
            Some((first, quota)) if quota != plan.gpu_quota => {
                return Err(at(
                    j,
                    "gpuQuota",
                    format!(
                        "{} GPUs for ClusterQueue {}, which model {} gives {}: give the shared \
                         quota once, or the same everywhere",
                        plan.gpu_quota, plan.cluster_queue, models[first].name, quota
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(match given {
        Some((_, quota)) => quota,
        None => indexes
            .iter()
            .fold(0, |sum, &i| sum.saturating_add(gpus_at_max(&models[i]))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::preset::Presets;
    use crate::generate::spec::{RawSpec, resolve};

    fn model(name: &str, queue: &str, product: &str) -> Model {
        let raw = RawSpec {
            name: Some(name.into()),
            namespace: Some("serving".into()),
            queue: Some(queue.into()),
            gpu_product: Some(product.into()),
            max: Some(2),
            ..RawSpec::default()
        };
        resolve(&raw, &Presets::builtin().unwrap(), "default").unwrap()
    }

    #[test]
    fn one_flavor_name_means_one_gpu_product() {
        let mut models = [
            model("a", "q1", "NVIDIA-H100"),
            model("b", "q2", "NVIDIA_H100"),
        ];
        let err = reconcile(&mut models).unwrap_err();
        assert_eq!((err.index, err.error.key), (1, "gpuProduct"));
        assert!(
            err.error
                .message
                .contains("both make ResourceFlavor nvidia-h100"),
            "{err}"
        );
    }

    #[test]
    fn separate_queues_keep_their_quota_and_a_cluster_queue_serves_one_namespace() {
        let mut models = [model("a", "q1", "H100"), model("b", "q2", "H100")];
        reconcile(&mut models).unwrap();
        let quotas: Vec<u64> = models
            .iter()
            .map(|m| m.kueue.as_ref().unwrap().gpu_quota)
            .collect();
        assert_eq!(quotas, [2, 2]);
        // ClusterQueue "serving-a-q" from namespace serving + queue a-q, and from a namespace
        // serving-a with queue q: refused.
        let mut other = model("c", "q", "H100");
        other.namespace = "serving-a".into();
        if let Some(plan) = other.kueue.as_mut() {
            plan.cluster_queue = "serving-a-q".into();
        }
        let mut models = [model("b", "a-q", "H100"), other];
        let err = reconcile(&mut models).unwrap_err();
        assert_eq!((err.index, err.error.key), (1, "queue"));
    }
}

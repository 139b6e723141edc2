//! Builders: a validated [`Model`] → the KEDA, Kueue and Deployment objects, as JSON values
//! in a fixed order, plus the warnings to print on stderr.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscalerBehavior,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;
use serde_json::Value;

use super::deployment;
use super::quantity::Quantity;
use super::shared;
use super::spec::{ColdStartSource, KueueApi, KueuePlan, Model};
use super::timing::{self, PolicyType, Rules, Timing};
use crate::model::keda::{self, ScaledObject, ScaledObjectSpec, Trigger};
use crate::model::kueue::{self, ClusterQueueSpec, LocalQueueSpec, ResourceFlavorSpec};

/// One generated object.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// `kind`, e.g. `ScaledObject`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, for namespaced kinds.
    pub namespace: Option<String>,
    /// The object.
    pub value: Value,
}

/// What `generate` produces for a set of models.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// The objects, in apply order (Kueue first, then auth, Deployment, ScaledObject).
    pub manifests: Vec<Manifest>,
    /// Things the user must know (quota shortfall, labels to add), one line each.
    pub warnings: Vec<String>,
}

/// Every kind `generate` writes, in apply order.
pub const KINDS: &[&str] = &[
    "ResourceFlavor",
    "ClusterQueue",
    "LocalQueue",
    "TriggerAuthentication",
    "Deployment",
    "ScaledObject",
];

/// The label every generated object carries.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// Builds every object for every model. Objects that several models share (the same
/// ClusterQueue, the same ResourceFlavor) appear once, without a model's name label; the
/// models are expected to have passed [`shared::reconcile`], and a conflicting duplicate that
/// slips through is a warning and the first one wins.
pub fn build(models: &[Model]) -> Output {
    let mut out = Output::default();
    let groups = shared::queue_groups(models);
    for (i, model) in models.iter().enumerate() {
        out.warnings.extend(model.warnings.iter().cloned());
        if model.cold_start_source == ColdStartSource::Assumed {
            out.warnings.push(format!(
                "{}: no cold start given, assuming {}s; measure it with `kubectl infer probe` \
                 and pass --cold-start",
                model.name, model.timing.cold_start_seconds
            ));
        }
        if let Some(plan) = &model.kueue
            && let Some(group) = groups.get(&plan.cluster_queue)
            && group.first() == Some(&i)
        {
            let members: Vec<&Model> = group.iter().map(|&j| &models[j]).collect();
            kueue_objects(&members, flavor_users(models, &plan.flavor), &mut out);
        }
        if model.kueue.is_some() {
            out.warnings.extend(pods_ready_warning(model));
        }
        if let Some((secret, key)) = &model.auth_secret {
            push(&mut out, trigger_authentication(model, secret, key));
        }
        if model.with_deployment {
            push(&mut out, to_manifest(&deployment::build(model)));
        } else if let Some(plan) = &model.kueue {
            out.warnings.push(format!(
                "add the label {}: {} to Deployment {}/{} (and its pod template) so that \
                 Kueue admits its pods through LocalQueue {}",
                kueue::QUEUE_NAME_LABEL,
                plan.local_queue,
                model.namespace,
                model.name,
                plan.local_queue
            ));
        }
        push(&mut out, to_manifest(&scaled_object(model)));
    }
    out
}

fn push(out: &mut Output, manifest: Manifest) {
    let same = |m: &&Manifest| {
        m.kind == manifest.kind && m.name == manifest.name && m.namespace == manifest.namespace
    };
    match out.manifests.iter().find(same) {
        None => out.manifests.push(manifest),
        Some(existing) if existing.value == manifest.value => {}
        Some(_) => out.warnings.push(format!(
            "{} {} is generated twice with different contents; keeping the first",
            manifest.kind, manifest.name
        )),
    }
}

fn to_manifest<T: Serialize>(object: &T) -> Manifest {
    // Serializing these plain data types to JSON cannot fail (string keys, finite numbers).
    let value = serde_json::to_value(object).unwrap_or(Value::Null);
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(String::from)
    };
    Manifest {
        kind: text("/kind").unwrap_or_default(),
        name: text("/metadata/name").unwrap_or_default(),
        namespace: text("/metadata/namespace"),
        value,
    }
}

/// Standard labels of the objects generated for a model.
pub fn labels(model: &Model) -> BTreeMap<String, String> {
    BTreeMap::from([(NAME_LABEL.to_string(), model.name.clone())])
}

fn meta(name: &str, namespace: Option<&str>, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: (!labels.is_empty()).then_some(labels),
        ..ObjectMeta::default()
    }
}

/// How many models use ResourceFlavor `flavor`.
fn flavor_users(models: &[Model], flavor: &str) -> usize {
    models
        .iter()
        .filter(|m| m.kueue.as_ref().is_some_and(|p| p.flavor == flavor))
        .count()
}

/// The model's name label on an object only that model uses; none on a shared one.
fn labels_if_own(members: &[&Model], users: usize) -> BTreeMap<String, String> {
    match members {
        [only] if users == 1 => labels(only),
        _ => BTreeMap::new(),
    }
}

/// The ScaledObject: triggers, replica bounds, fallback and cold-start-derived behaviour.
pub fn scaled_object(model: &Model) -> ScaledObject {
    let t = &model.timing;
    let scale_to_zero = model.min == 0;
    // KEDA only uses polling and cooldowns to scale to and from zero; with min ≥ 1 the HPA
    // does everything and KEDA 2.20.2's webhook warns that these fields are not relevant.
    let zero_only = |value: u32| scale_to_zero.then(|| clamp_i32(value));
    ScaledObject {
        api_version: keda::API_VERSION.to_string(),
        kind: "ScaledObject".to_string(),
        metadata: meta(&model.name, Some(&model.namespace), labels(model)),
        spec: ScaledObjectSpec {
            scale_target_ref: keda::ScaleTargetRef {
                api_version: Some("apps/v1".to_string()),
                kind: Some("Deployment".to_string()),
                name: model.name.clone(),
            },
            polling_interval: zero_only(t.polling_interval),
            cooldown_period: zero_only(t.cooldown_period),
            initial_cooldown_period: zero_only(t.initial_cooldown_period),
            min_replica_count: Some(clamp_i32(model.min)),
            max_replica_count: Some(clamp_i32(model.max)),
            fallback: Some(keda::Fallback {
                failure_threshold: clamp_i32(t.fallback_failure_threshold),
                replicas: clamp_i32(fallback_replicas(model)),
                behavior: Some("currentReplicasIfHigher".to_string()),
            }),
            advanced: Some(keda::Advanced {
                horizontal_pod_autoscaler_config: Some(keda::HpaConfig {
                    behavior: Some(behavior(t)),
                }),
            }),
            triggers: model.triggers.iter().map(|p| trigger(model, p)).collect(),
        },
    }
}

/// While metrics cannot be read, hold at least half the fleet (never fewer than now): a
/// Prometheus outage at peak must not shed capacity.
fn fallback_replicas(model: &Model) -> u32 {
    model.max.div_ceil(2).max(model.min).max(1)
}

fn clamp_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The HPA behaviour, as autoscaling/v2 types.
pub fn behavior(timing: &Timing) -> HorizontalPodAutoscalerBehavior {
    HorizontalPodAutoscalerBehavior {
        scale_up: Some(rules(&timing.scale_up)),
        scale_down: Some(rules(&timing.scale_down)),
    }
}

fn rules(rules: &Rules) -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: Some(clamp_i32(rules.stabilization_window_seconds)),
        select_policy: Some(rules.select_policy.to_string()),
        policies: Some(
            rules
                .policies
                .iter()
                .map(|p| HPAScalingPolicy {
                    type_: match p.kind {
                        PolicyType::Pods => "Pods",
                        PolicyType::Percent => "Percent",
                    }
                    .to_string(),
                    value: clamp_i32(p.value),
                    period_seconds: clamp_i32(p.period_seconds),
                })
                .collect(),
        ),
        tolerance: None,
    }
}

fn trigger(model: &Model, plan: &super::spec::TriggerPlan) -> Trigger {
    // With scale to zero an empty result is normal (no pods yet), so it reads as 0; with
    // min ≥ 1 an empty result means broken scraping and must fail into the fallback.
    let query = if model.min == 0 {
        format!("({}) or vector(0)", plan.query)
    } else {
        plan.query.clone()
    };
    let mut metadata = BTreeMap::from([
        ("serverAddress".to_string(), model.prometheus.clone()),
        ("query".to_string(), query),
        ("threshold".to_string(), number(plan.target)),
        ("ignoreNullValues".to_string(), "false".to_string()),
    ]);
    if let Some(activation) = plan.activation_threshold {
        metadata.insert("activationThreshold".to_string(), number(activation));
    }
    if model.auth_secret.is_some() {
        metadata.insert("authModes".to_string(), "bearer".to_string());
    }
    Trigger {
        kind: "prometheus".to_string(),
        name: Some(plan.name.clone()),
        metric_type: Some(plan.metric_type.name().to_string()),
        metadata,
        authentication_ref: model.auth_secret.as_ref().map(|_| keda::AuthenticationRef {
            name: auth_name(model),
            kind: Some("TriggerAuthentication".to_string()),
        }),
    }
}

/// A threshold as KEDA reads it: a plain decimal, no exponent.
fn number(value: f64) -> String {
    let text = format!("{value}");
    if text.contains('e') {
        format!("{value:.4}")
    } else {
        text
    }
}

fn auth_name(model: &Model) -> String {
    format!("{}-prometheus", model.name)
}

fn trigger_authentication(model: &Model, secret: &str, key: &str) -> Manifest {
    to_manifest(&keda::TriggerAuthentication {
        api_version: keda::API_VERSION.to_string(),
        kind: "TriggerAuthentication".to_string(),
        metadata: meta(&auth_name(model), Some(&model.namespace), labels(model)),
        spec: keda::TriggerAuthenticationSpec {
            secret_target_ref: vec![keda::SecretTargetRef {
                parameter: "bearerToken".to_string(),
                name: secret.to_string(),
                key: key.to_string(),
            }],
        },
    })
}

/// The ResourceFlavor, ClusterQueue and LocalQueue of the models that share one queue
/// (`members`, in model order, all with Kueue plans that agree); `flavor_users` counts every
/// model on the flavor, whichever queue.
fn kueue_objects(members: &[&Model], flavor_users: usize, out: &mut Output) {
    let Some(first) = members.first() else { return };
    let Some(plan) = &first.kueue else { return };
    let api_version = match plan.api {
        KueueApi::V1beta2 => "kueue.x-k8s.io/v1beta2",
        KueueApi::V1beta1 => "kueue.x-k8s.io/v1beta1",
    };
    let object = |kind: &str, name: &str, namespace: Option<&str>, users: usize| {
        (
            api_version.to_string(),
            kind.to_string(),
            meta(name, namespace, labels_if_own(members, users)),
        )
    };
    let (api, kind, metadata) = object("ResourceFlavor", &plan.flavor, None, flavor_users);
    let node_labels = first
        .gpu_product
        .iter()
        .map(|p| (deployment::GPU_PRODUCT_LABEL.to_string(), p.clone()))
        .collect();
    push(
        out,
        to_manifest(&kueue::Object {
            api_version: api,
            kind,
            metadata,
            spec: ResourceFlavorSpec { node_labels },
        }),
    );
    let (api, kind, metadata) = object("ClusterQueue", &plan.cluster_queue, None, 1);
    push(
        out,
        to_manifest(&kueue::Object {
            api_version: api,
            kind,
            metadata,
            spec: cluster_queue_spec(members, plan),
        }),
    );
    let namespace = Some(first.namespace.as_str());
    let (api, kind, metadata) = object("LocalQueue", &plan.local_queue, namespace, 1);
    push(
        out,
        to_manifest(&kueue::Object {
            api_version: api,
            kind,
            metadata,
            spec: LocalQueueSpec {
                cluster_queue: plan.cluster_queue.clone(),
            },
        }),
    );
    quota_warning(members, plan, out);
}

/// GPU quota as planned; CPU and memory for as many replicas of each model as the GPU quota
/// fits (at most its max, at least one), so that the GPUs are what limits admission (Kueue
/// refuses pods that request a resource the ClusterQueue does not cover).
fn cluster_queue_spec(members: &[&Model], plan: &KueuePlan) -> ClusterQueueSpec {
    let fit = |m: &Model| (plan.gpu_quota / u64::from(m.gpus)).clamp(1, u64::from(m.max).max(1));
    let sum = |request: fn(&Model) -> Quantity| {
        members
            .iter()
            .map(|m| request(m).times(fit(m)))
            .reduce(Quantity::plus)
            .map(|q| q.to_string())
            .unwrap_or_default()
    };
    let quota = |name: &str, value: String| kueue::ResourceQuota {
        name: name.to_string(),
        nominal_quota: K8sQuantity(value),
    };
    let (cohort_name, cohort) = match plan.api {
        KueueApi::V1beta2 => (plan.cohort.clone(), None),
        KueueApi::V1beta1 => (None, plan.cohort.clone()),
    };
    let namespace = members
        .first()
        .map(|m| m.namespace.clone())
        .unwrap_or_default();
    ClusterQueueSpec {
        cohort_name,
        cohort,
        namespace_selector: LabelSelector {
            match_labels: Some(BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                namespace,
            )])),
            match_expressions: None,
        },
        queueing_strategy: Some("BestEffortFIFO".to_string()),
        resource_groups: vec![kueue::ResourceGroup {
            covered_resources: vec![
                "cpu".to_string(),
                "memory".to_string(),
                deployment::GPU_RESOURCE.to_string(),
            ],
            flavors: vec![kueue::FlavorQuotas {
                name: plan.flavor.clone(),
                resources: vec![
                    quota("cpu", sum(|m| m.cpu)),
                    quota("memory", sum(|m| m.memory)),
                    quota(deployment::GPU_RESOURCE, plan.gpu_quota.to_string()),
                ],
            }],
        }],
    }
}

/// Kueue (on by default since 0.19) evicts a Workload whose pods are not ready within
/// `waitForPodsReady.timeout`: a model that needs longer than the default must say so.
fn pods_ready_warning(model: &Model) -> Option<String> {
    let needed = model.timing.wait_for_pods_ready_seconds;
    if needed <= timing::KUEUE_DEFAULT_WAIT_FOR_PODS_READY_SECONDS {
        return None;
    }
    Some(format!(
        "{}: the {} cold start needs Kueue's waitForPodsReady.timeout to be at least {} (twice \
         the cold start), above its default of {} (on since Kueue 0.19): set \
         waitForPodsReady.timeout: {} in Kueue's Configuration (ConfigMap kueue-manager-config), \
         or Kueue evicts replicas that are still loading",
        model.name,
        timing::short(model.timing.cold_start_seconds),
        timing::short(needed),
        timing::short(timing::KUEUE_DEFAULT_WAIT_FOR_PODS_READY_SECONDS),
        timing::short(needed),
    ))
}

/// The strongest of: a replica that can never be admitted, min replicas that cannot all be,
/// max replicas that cannot all be (a cohort may lend the rest).
fn quota_warning(members: &[&Model], plan: &KueuePlan, out: &mut Output) {
    let cohort = if plan.cohort.is_some() {
        " unless the cohort lends the rest"
    } else {
        ""
    };
    if let Some(model) = members.iter().find(|m| u64::from(m.gpus) > plan.gpu_quota) {
        out.warnings.push(format!(
            "ClusterQueue {} has {} GPUs of quota but one replica of {} needs {}: Kueue can \
             admit no replica of it at all{cohort}; raise --gpu-quota to at least {}",
            plan.cluster_queue, plan.gpu_quota, model.name, model.gpus, model.gpus
        ));
        return;
    }
    let at_min = members.iter().fold(0u64, |sum, m| {
        sum.saturating_add(u64::from(m.min) * u64::from(m.gpus))
    });
    if at_min > plan.gpu_quota {
        let each: Vec<String> = members
            .iter()
            .map(|m| format!("{} {} × {}", m.name, m.min, m.gpus))
            .collect();
        out.warnings.push(format!(
            "ClusterQueue {} has {} GPUs of quota but the --min replicas need {} ({}): Kueue \
             will keep some of the minimum replicas gated{cohort}; raise --gpu-quota to at \
             least {at_min}",
            plan.cluster_queue,
            plan.gpu_quota,
            at_min,
            each.join(", "),
        ));
        return;
    }
    let needed = members
        .iter()
        .fold(0u64, |sum, m| sum.saturating_add(shared::gpus_at_max(m)));
    if needed <= plan.gpu_quota {
        return;
    }
    if let [model] = members {
        let fit = plan.gpu_quota / u64::from(model.gpus);
        out.warnings.push(format!(
            "ClusterQueue {} has {} GPUs of quota but {} at --max {} needs {} ({} per \
             replica): Kueue will hold replicas beyond {} gated{cohort}",
            plan.cluster_queue, plan.gpu_quota, model.name, model.max, needed, model.gpus, fit,
        ));
        return;
    }
    let each: Vec<String> = members
        .iter()
        .map(|m| format!("{} {} at max {}", m.name, shared::gpus_at_max(m), m.max))
        .collect();
    out.warnings.push(format!(
        "ClusterQueue {} has {} GPUs of quota but the models that share it need {} at their \
         max ({}): Kueue will hold the replicas beyond the quota gated{cohort}",
        plan.cluster_queue,
        plan.gpu_quota,
        needed,
        each.join(", "),
    ));
}

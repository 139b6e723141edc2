//! Typed KEDA objects (`keda.sh/v1alpha1`): ScaledObject and TriggerAuthentication, with the
//! fields `generate` writes. Unset optional fields are left out of the output.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// The API version of every KEDA object.
pub const API_VERSION: &str = "keda.sh/v1alpha1";

/// A KEDA ScaledObject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObject {
    /// Always [`API_VERSION`].
    pub api_version: String,
    /// Always `ScaledObject`.
    pub kind: String,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What to scale and how.
    pub spec: ScaledObjectSpec,
}

/// `spec` of a ScaledObject.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// The Deployment (or other `/scale` resource) to scale.
    pub scale_target_ref: ScaleTargetRef,
    /// Seconds between KEDA's own polls (activation 0↔1, fallback counting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<i32>,
    /// Seconds of inactivity before scaling to zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_period: Option<i32>,
    /// Seconds after creation before the first scale to zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_cooldown_period: Option<i32>,
    /// Fewest replicas (0 allows scale to zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_replica_count: Option<i32>,
    /// Most replicas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_replica_count: Option<i32>,
    /// What to do when metrics cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// HPA settings KEDA copies into the HPA it creates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced: Option<Advanced>,
    /// The scalers.
    pub triggers: Vec<Trigger>,
}

/// `spec.scaleTargetRef`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTargetRef {
    /// e.g. `apps/v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// e.g. `Deployment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The target's name, in the ScaledObject's namespace.
    pub name: String,
}

/// `spec.fallback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fallback {
    /// Consecutive failures tolerated before falling back.
    pub failure_threshold: i32,
    /// Replicas to run while metrics fail.
    pub replicas: i32,
    /// `static`, `currentReplicas`, `currentReplicasIfHigher`, `currentReplicasIfLower`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior: Option<String>,
}

/// `spec.advanced`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advanced {
    /// Settings of the HPA KEDA creates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub horizontal_pod_autoscaler_config: Option<HpaConfig>,
}

/// `spec.advanced.horizontalPodAutoscalerConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaConfig {
    /// autoscaling/v2 behavior, copied verbatim into the HPA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HorizontalPodAutoscalerBehavior>,
}

/// One entry of `spec.triggers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// The scaler, e.g. `prometheus`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A name unique in the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `AverageValue` or `Value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<String>,
    /// Scaler parameters; values are strings.
    pub metadata: BTreeMap<String, String>,
    /// Credentials from a TriggerAuthentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_ref: Option<AuthenticationRef>,
}

/// `triggers[].authenticationRef`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRef {
    /// The TriggerAuthentication's name.
    pub name: String,
    /// `TriggerAuthentication` (default) or `ClusterTriggerAuthentication`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A KEDA TriggerAuthentication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerAuthentication {
    /// Always [`API_VERSION`].
    pub api_version: String,
    /// Always `TriggerAuthentication`.
    pub kind: String,
    /// Name and namespace.
    pub metadata: ObjectMeta,
    /// Where the credentials come from.
    pub spec: TriggerAuthenticationSpec,
}

/// `spec` of a TriggerAuthentication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerAuthenticationSpec {
    /// Scaler parameters read from Secrets.
    pub secret_target_ref: Vec<SecretTargetRef>,
}

/// One parameter read from a Secret key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretTargetRef {
    /// The scaler parameter, e.g. `bearerToken`.
    pub parameter: String,
    /// The Secret's name.
    pub name: String,
    /// The key in the Secret.
    pub key: String,
}

//! The Deployment skeleton of `--with-deployment`: the server container from the preset, GPU
//! limits, startup and readiness probes from the cold start, and the Kueue queue-name label.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EmptyDirVolumeSource, EnvVar, HTTPGetAction, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::build::labels;
use super::spec::Model;
use crate::model::kueue::QUEUE_NAME_LABEL;

/// The extended resource NVIDIA's device plugin advertises.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";
/// The node label GPU feature discovery sets to the GPU product name.
pub const GPU_PRODUCT_LABEL: &str = "nvidia.com/gpu.product";

/// Builds the Deployment. `replicas` is left out: the HPA that KEDA creates owns it, and a
/// re-apply must not reset it.
pub fn build(model: &Model) -> Deployment {
    let mut pod_labels = labels(model);
    let mut deploy_labels = labels(model);
    if let Some(kueue) = &model.kueue {
        pod_labels.insert(QUEUE_NAME_LABEL.to_string(), kueue.local_queue.clone());
        deploy_labels.insert(QUEUE_NAME_LABEL.to_string(), kueue.local_queue.clone());
    }
    Deployment {
        metadata: ObjectMeta {
            name: Some(model.name.clone()),
            namespace: Some(model.namespace.clone()),
            labels: Some(deploy_labels),
            ..ObjectMeta::default()
        },
        spec: Some(DeploymentSpec {
            selector: LabelSelector {
                match_labels: Some(labels(model)),
                match_expressions: None,
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(scrape_annotations(model)),
                    ..ObjectMeta::default()
                }),
                spec: Some(pod_spec(model)),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

/// `prometheus.io/*` annotations for annotation-based scrape configs.
fn scrape_annotations(model: &Model) -> BTreeMap<String, String> {
    let (port, path) = model
        .preset
        .as_ref()
        .map_or((8000, "/metrics".to_string()), |p| {
            (p.metrics_port.unwrap_or(p.port), p.metrics_path.clone())
        });
    BTreeMap::from([
        ("prometheus.io/scrape".to_string(), "true".to_string()),
        ("prometheus.io/port".to_string(), port.to_string()),
        ("prometheus.io/path".to_string(), path),
    ])
}

fn pod_spec(model: &Model) -> PodSpec {
    PodSpec {
        containers: vec![container(model)],
        node_selector: model
            .gpu_product
            .as_ref()
            .map(|p| BTreeMap::from([(GPU_PRODUCT_LABEL.to_string(), p.clone())])),
        tolerations: Some(vec![Toleration {
            key: Some(GPU_RESOURCE.to_string()),
            operator: Some("Exists".to_string()),
            effect: Some("NoSchedule".to_string()),
            ..Toleration::default()
        }]),
        volumes: Some(vec![Volume {
            name: "shm".to_string(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".to_string()),
                size_limit: None,
            }),
            ..Volume::default()
        }]),
        ..PodSpec::default()
    }
}

fn container(model: &Model) -> Container {
    let preset = model.preset.as_ref();
    let fill = |text: &String| {
        text.replace("${model}", &model.model)
            .replace("${gpus}", &model.gpus.to_string())
    };
    let mut args: Vec<String> = preset
        .map(|p| p.args.iter().map(fill).collect())
        .unwrap_or_default();
    if model.gpus > 1 {
        args.extend(
            preset
                .iter()
                .flat_map(|p| p.multi_gpu_args.iter().map(fill)),
        );
    }
    let command: Vec<String> = preset.map(|p| p.command.clone()).unwrap_or_default();
    let env: Vec<EnvVar> = preset
        .map(|p| {
            p.env
                .iter()
                .map(|(name, value)| EnvVar {
                    name: name.clone(),
                    value: Some(fill(value)),
                    value_from: None,
                })
                .collect()
        })
        .unwrap_or_default();
    Container {
        name: "server".to_string(),
        image: Some(image(model)),
        command: (!command.is_empty()).then_some(command),
        args: (!args.is_empty()).then_some(args),
        env: (!env.is_empty()).then_some(env),
        ports: Some(ports(model)),
        resources: Some(resources(model)),
        startup_probe: Some(probe(model, model.timing.startup_probe_failure_threshold)),
        readiness_probe: Some(probe(model, 3)),
        volume_mounts: Some(vec![VolumeMount {
            name: "shm".to_string(),
            mount_path: "/dev/shm".to_string(),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    }
}

fn image(model: &Model) -> String {
    model
        .image
        .clone()
        .or_else(|| model.preset.as_ref().map(|p| p.image.clone()))
        .unwrap_or_else(|| "REPLACE-WITH-YOUR-SERVER-IMAGE".to_string())
}

fn ports(model: &Model) -> Vec<ContainerPort> {
    let port = |name: &str, number: u16| ContainerPort {
        name: Some(name.to_string()),
        container_port: i32::from(number),
        protocol: Some("TCP".to_string()),
        ..ContainerPort::default()
    };
    let Some(preset) = &model.preset else {
        return vec![port("http", 8000)];
    };
    let mut ports = vec![port("http", preset.port)];
    if let Some(metrics) = preset.metrics_port.filter(|m| *m != preset.port) {
        ports.push(port("metrics", metrics));
    }
    ports
}

fn resources(model: &Model) -> ResourceRequirements {
    let requests = BTreeMap::from([
        ("cpu".to_string(), Quantity(model.cpu.to_string())),
        ("memory".to_string(), Quantity(model.memory.to_string())),
    ]);
    let mut limits = requests.clone();
    limits.insert(GPU_RESOURCE.to_string(), Quantity(model.gpus.to_string()));
    ResourceRequirements {
        limits: Some(limits),
        requests: Some(requests),
        ..ResourceRequirements::default()
    }
}

fn probe(model: &Model, failure_threshold: u32) -> Probe {
    let path = model
        .preset
        .as_ref()
        .map_or("/health".to_string(), |p| p.health_path.clone());
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path),
            port: IntOrString::String("http".to_string()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(
            i32::try_from(model.timing.startup_probe_period_seconds).unwrap_or(10),
        ),
        failure_threshold: Some(i32::try_from(failure_threshold).unwrap_or(i32::MAX)),
        ..Probe::default()
    }
}

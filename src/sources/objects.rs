//! One in-memory set of Kubernetes objects, filled from the cluster (LIST per kind) or from a
//! file (`kubectl get -o yaml` output, a List or a multi-document stream, plus
//! `ExternalMetricValueList` documents as `kubectl get --raw` prints them). The commands read
//! both the same way.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::manifest::{self, LoadError};

/// One value of an external metric, as the external metrics API serves it to the HPA.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalMetricSample {
    /// The namespace asked for, when known (always from the cluster; from a file only when the
    /// document has `metadata.namespace`).
    pub namespace: Option<String>,
    /// The ScaledObject whose selector was asked for, when known (from the cluster, or the
    /// item's `metricLabels["scaledobject.keda.sh/name"]`).
    pub scaled_object: Option<String>,
    /// The metric name, e.g. `s0-prometheus`.
    pub metric_name: String,
    /// The value as a Kubernetes quantity, e.g. `200` or `1500m`.
    pub value: String,
    /// When the metric server read it.
    pub timestamp: Option<String>,
}

/// Objects read at one instant, and the external metric values read with them.
#[derive(Debug, Clone, Default)]
pub struct ObjectSet {
    /// Every object, with `apiVersion` and `kind`. Add objects with [`ObjectSet::push`]: the
    /// lookups index them on first use, so changing this afterwards leaves the index stale.
    pub objects: Vec<Value>,
    /// The lookup index, built on the first lookup.
    index: std::sync::OnceLock<Index>,
    /// External metric values.
    pub external_metrics: Vec<ExternalMetricSample>,
    /// Whether Kueue's API is known to be served (live), or any Kueue object was read (file).
    pub kueue_installed: bool,
}

/// Positions in `objects`, for lookups that stay fast with thousands of objects (`-A`).
#[derive(Debug, Clone, Default)]
struct Index {
    /// By (kind, namespace); cluster-scoped objects under "".
    by_namespace: HashMap<(String, String), Vec<usize>>,
    /// By (kind, namespace, name): the first such object.
    by_name: HashMap<(String, String, String), usize>,
}

impl Index {
    fn build(objects: &[Value]) -> Index {
        let mut index = Index::default();
        for (position, object) in objects.iter().enumerate() {
            let kind = kind(object).to_string();
            let namespace = namespace_of(object).unwrap_or_default().to_string();
            let name = name_of(object).to_string();
            index
                .by_namespace
                .entry((kind.clone(), namespace.clone()))
                .or_default()
                .push(position);
            index
                .by_name
                .entry((kind, namespace, name))
                .or_insert(position);
        }
        index
    }
}

/// The label KEDA puts on the selector of every external metric it serves.
pub const SCALED_OBJECT_LABEL: &str = "scaledobject.keda.sh/name";

impl ObjectSet {
    /// Loads a file's text (`kubectl get -o yaml`, `-o json`, several documents, Lists).
    pub fn from_text(file: &str, text: &str) -> Result<ObjectSet, LoadError> {
        let mut set = ObjectSet::default();
        let options = manifest::LoadOptions {
            expand_lists: false,
            ..Default::default()
        };
        for document in manifest::load_str_with(file, text, options)? {
            set.push(document.value);
        }
        set.kueue_installed = set.objects.iter().any(|o| api_group(o) == "kueue.x-k8s.io");
        Ok(set)
    }

    /// Adds one object; `ExternalMetricValueList`s become samples, nested Lists are flattened.
    pub fn push(&mut self, object: Value) {
        match kind(&object) {
            "ExternalMetricValueList" => self.push_metric_list(&object, None, None),
            k if k.ends_with("List") && object.get("items").is_some() => {
                if let Some(Value::Array(items)) = object.get("items") {
                    for item in items.clone() {
                        self.push(item);
                    }
                }
            }
            "" => {}
            _ => self.insert(object),
        }
    }

    /// Adds the items of an `ExternalMetricValueList`, asked for in `namespace` with the
    /// selector of `scaled_object` (when known).
    pub fn push_metric_list(
        &mut self,
        list: &Value,
        namespace: Option<&str>,
        scaled_object: Option<&str>,
    ) {
        let namespace = namespace
            .map(str::to_string)
            .or_else(|| str_at(list, "/metadata/namespace").map(str::to_string));
        let Some(Value::Array(items)) = list.get("items") else {
            return;
        };
        for item in items {
            let labelled = str_at(
                item,
                &format!("/metricLabels/{}", escape(SCALED_OBJECT_LABEL)),
            );
            self.external_metrics.push(ExternalMetricSample {
                namespace: namespace.clone(),
                scaled_object: scaled_object.or(labelled).map(str::to_string),
                metric_name: str_at(item, "/metricName").unwrap_or_default().to_string(),
                value: quantity_text(item.get("value")),
                timestamp: str_at(item, "/timestamp").map(str::to_string),
            });
        }
    }

    fn insert(&mut self, object: Value) {
        self.index = std::sync::OnceLock::new();
        self.objects.push(object);
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.objects))
    }

    /// Objects of `kind`.
    pub fn of_kind<'a>(&'a self, kind_name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| kind(o) == kind_name)
    }

    /// Objects of `kind` in `namespace` (indexed).
    pub fn of_kind_in(&self, kind_name: &str, namespace: &str) -> impl Iterator<Item = &Value> {
        let key = (kind_name.to_string(), namespace.to_string());
        self.index()
            .by_namespace
            .get(&key)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// The object of `kind` named `name`, in `namespace` for namespaced kinds (indexed); with
    /// no namespace, the first of that name in any namespace.
    pub fn find(&self, kind_name: &str, namespace: Option<&str>, name: &str) -> Option<&Value> {
        if let Some(ns) = namespace {
            let key = (kind_name.to_string(), ns.to_string(), name.to_string());
            let cluster_key = (kind_name.to_string(), String::new(), name.to_string());
            let index = self.index();
            let found = index
                .by_name
                .get(&key)
                .or_else(|| index.by_name.get(&cluster_key));
            return found.map(|&i| &self.objects[i]);
        }
        self.objects
            .iter()
            .find(|o| kind(o) == kind_name && name_of(o) == name)
    }

    /// The value the external metrics API gave for `metric` of `scaled_object`: the most
    /// specific sample (namespace and ScaledObject known and equal) first.
    pub fn external_metric(
        &self,
        namespace: &str,
        scaled_object: &str,
        metric: &str,
    ) -> Option<&ExternalMetricSample> {
        self.external_metrics
            .iter()
            .filter(|s| s.metric_name == metric)
            .filter(|s| s.namespace.as_deref().is_none_or(|ns| ns == namespace))
            .filter(|s| {
                s.scaled_object
                    .as_deref()
                    .is_none_or(|so| so == scaled_object)
            })
            .max_by_key(|s| (s.namespace.is_some(), s.scaled_object.is_some()))
    }
}

/// `kind` of an object, or "".
pub fn kind(object: &Value) -> &str {
    object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The API group of an object's `apiVersion` ("" for core).
pub fn api_group(object: &Value) -> &str {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// `metadata.name`, or "".
pub fn name_of(object: &Value) -> &str {
    str_at(object, "/metadata/name").unwrap_or_default()
}

/// `metadata.namespace`.
pub fn namespace_of(object: &Value) -> Option<&str> {
    str_at(object, "/metadata/namespace")
}

/// A string at a JSON pointer.
pub fn str_at<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A quantity as text whether it was written as a string or a number.
fn quantity_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata: {name: llm, namespace: serving}
---
{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1",
 "metadata":{},"items":[{"metricName":"s0-prometheus","metricLabels":null,
 "timestamp":"2026-12-03T10:00:00Z","value":"1500m"}]}
"#;

    #[test]
    fn lists_and_raw_metric_lists_load_into_one_set() {
        let set = ObjectSet::from_text("dump.yaml", RAW).unwrap();
        assert_eq!(set.of_kind("ScaledObject").count(), 1);
        assert!(set.find("ScaledObject", Some("serving"), "llm").is_some());
        let sample = set
            .external_metric("serving", "llm", "s0-prometheus")
            .unwrap();
        assert_eq!(sample.value, "1500m");
        assert!(
            set.external_metric("serving", "llm", "s1-prometheus")
                .is_none()
        );
        assert!(!set.kueue_installed);
    }

    #[test]
    fn the_most_specific_metric_sample_wins() {
        let mut set = ObjectSet::default();
        let list = |v: &str| {
            serde_json::json!({"kind": "ExternalMetricValueList",
                "items": [{"metricName": "s0-x", "value": v}]})
        };
        set.push_metric_list(&list("1"), None, None);
        set.push_metric_list(&list("2"), Some("a"), Some("so"));
        set.push_metric_list(&list("3"), Some("b"), Some("so"));
        assert_eq!(set.external_metric("a", "so", "s0-x").unwrap().value, "2");
        assert_eq!(set.external_metric("b", "so", "s0-x").unwrap().value, "3");
        assert_eq!(set.external_metric("c", "so", "s0-x").unwrap().value, "1");
    }
}

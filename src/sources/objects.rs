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

/// What the external metric values hold for one ScaledObject's metric.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricLookup<'a> {
    /// One value that is this ScaledObject's (attributed to it, or nobody else could own it).
    Found(&'a ExternalMetricSample),
    /// Values that may belong to another ScaledObject, or that disagree: not used.
    Ambiguous {
        /// Why, in a few words.
        why: String,
    },
    /// None.
    Missing,
}

/// Objects read at one instant, and the external metric values read with them.
#[derive(Debug, Clone, Default)]
pub struct ObjectSet {
    /// Every object, with `apiVersion` and `kind`. Add objects with [`ObjectSet::push`]: the
    /// lookups index them on first use, so changing this afterwards leaves the index stale.
    pub objects: Vec<Value>,
    /// The lookup index, built on the first lookup.
    index: std::sync::OnceLock<Index>,
    /// Which ScaledObjects have each external metric name, built on the first lookup of a
    /// value that does not name its ScaledObject.
    owners: std::sync::OnceLock<HashMap<String, Vec<(String, String)>>>,
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
            set.push(document.value.to_json());
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
        let link = str_at(list, "/metadata/selfLink").and_then(parse_metric_link);
        let namespace = namespace
            .map(str::to_string)
            .or_else(|| str_at(list, "/metadata/namespace").map(str::to_string))
            .or_else(|| link.as_ref().map(|l| l.namespace.clone()));
        let scaled_object = scaled_object
            .map(str::to_string)
            .or_else(|| link.and_then(|l| l.scaled_object));
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
                scaled_object: scaled_object.clone().or(labelled.map(str::to_string)),
                metric_name: str_at(item, "/metricName").unwrap_or_default().to_string(),
                value: quantity_text(item.get("value")),
                timestamp: str_at(item, "/timestamp").map(str::to_string),
            });
        }
    }

    fn insert(&mut self, object: Value) {
        self.index = std::sync::OnceLock::new();
        self.owners = std::sync::OnceLock::new();
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

    /// The value the external metrics API gave for `metric` of `scaled_object`. The most
    /// specific samples win (namespace and ScaledObject known and equal); a sample that does
    /// not say whose it is (a `kubectl get --raw` list has no namespace or selector) is used
    /// only when no other ScaledObject in the set has that metric, and samples that disagree
    /// are not used at all.
    pub fn external_metric(
        &self,
        namespace: &str,
        scaled_object: &str,
        metric: &str,
    ) -> MetricLookup<'_> {
        let specificity = |s: &ExternalMetricSample| {
            u8::from(s.namespace.is_some()) + u8::from(s.scaled_object.is_some())
        };
        let compatible: Vec<&ExternalMetricSample> = self
            .external_metrics
            .iter()
            .filter(|s| s.metric_name == metric)
            .filter(|s| s.namespace.as_deref().is_none_or(|ns| ns == namespace))
            .filter(|s| {
                s.scaled_object
                    .as_deref()
                    .is_none_or(|so| so == scaled_object)
            })
            .collect();
        let Some(best) = compatible.iter().map(|s| specificity(s)).max() else {
            return MetricLookup::Missing;
        };
        let top: Vec<&ExternalMetricSample> = compatible
            .into_iter()
            .filter(|s| specificity(s) == best)
            .collect();
        let Some(sample) = top.first().copied() else {
            return MetricLookup::Missing;
        };
        if top.iter().any(|s| s.value != sample.value) {
            return MetricLookup::Ambiguous {
                why: format!("{} values for {metric} that disagree", top.len()),
            };
        }
        if sample.namespace.is_some() && sample.scaled_object.is_some() {
            return MetricLookup::Found(sample);
        }
        let others: Vec<String> = self
            .metric_owners(metric)
            .iter()
            .filter(|(ns, so)| (ns.as_str(), so.as_str()) != (namespace, scaled_object))
            .filter(|(ns, _)| sample.namespace.as_deref().is_none_or(|n| n == ns))
            .filter(|(_, so)| sample.scaled_object.as_deref().is_none_or(|n| n == so))
            .map(|(ns, so)| format!("{ns}/{so}"))
            .collect();
        if others.is_empty() {
            MetricLookup::Found(sample)
        } else {
            MetricLookup::Ambiguous {
                why: format!(
                    "a value for {metric} that does not name its ScaledObject, which {} also has",
                    others.join(", ")
                ),
            }
        }
    }

    /// The ScaledObjects (namespace, name) that have the external metric `metric`: from their
    /// `status.externalMetricNames`, their HPA's metrics (selected by KEDA's label), or KEDA's
    /// default `s<index>-<type>` names.
    fn metric_owners(&self, metric: &str) -> &[(String, String)] {
        let owners = self.owners.get_or_init(|| {
            let mut owners: HashMap<String, Vec<(String, String)>> = HashMap::new();
            let mut add = |metric: String, ns: &str, so: &str| {
                let entry = owners.entry(metric).or_default();
                let key = (ns.to_string(), so.to_string());
                if !entry.contains(&key) {
                    entry.push(key);
                }
            };
            for so in self.of_kind("ScaledObject") {
                let (ns, name) = (namespace_of(so).unwrap_or_default(), name_of(so));
                let names = so
                    .pointer("/status/externalMetricNames")
                    .and_then(Value::as_array);
                for metric in names.into_iter().flatten().filter_map(Value::as_str) {
                    add(metric.to_string(), ns, name);
                }
                let triggers = so.pointer("/spec/triggers").and_then(Value::as_array);
                for (i, trigger) in triggers.into_iter().flatten().enumerate() {
                    match str_at(trigger, "/type") {
                        Some("cpu" | "memory") | None => {}
                        Some(t) => add(format!("s{i}-{t}"), ns, name),
                    }
                }
            }
            let label = format!("/selector/matchLabels/{}", escape(SCALED_OBJECT_LABEL));
            for hpa in self.of_kind("HorizontalPodAutoscaler") {
                let ns = namespace_of(hpa).unwrap_or_default();
                let metrics = hpa.pointer("/spec/metrics").and_then(Value::as_array);
                for m in metrics.into_iter().flatten() {
                    let (Some(metric), Some(so)) = (
                        str_at(m, "/external/metric/name"),
                        m.pointer("/external/metric")
                            .and_then(|x| str_at(x, &label)),
                    ) else {
                        continue;
                    };
                    add(metric.to_string(), ns, so);
                }
            }
            owners
        });
        owners.get(metric).map_or(&[], Vec::as_slice)
    }
}

/// Where a metric list was read from, when its `metadata.selfLink` says (the request path, as
/// the README's dump recipe records it).
struct MetricLink {
    namespace: String,
    scaled_object: Option<String>,
}

/// Reads `/apis/external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC?labelSelector=…`.
fn parse_metric_link(link: &str) -> Option<MetricLink> {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let [
        "apis",
        "external.metrics.k8s.io",
        _,
        "namespaces",
        namespace,
        _metric,
    ] = segments.as_slice()
    else {
        return None;
    };
    let selector = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "labelSelector")
        .map(|(_, value)| percent_decode(value));
    let scaled_object = selector.as_deref().and_then(|selector| {
        selector.split(',').find_map(|requirement| {
            let (key, value) = requirement
                .split_once("==")
                .or_else(|| requirement.split_once('='))?;
            (key.trim() == SCALED_OBJECT_LABEL).then(|| value.trim().to_string())
        })
    });
    Some(MetricLink {
        namespace: namespace.to_string(),
        scaled_object,
    })
}

/// `%2F` → `/`, `+` → space; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
        let MetricLookup::Found(sample) = set.external_metric("serving", "llm", "s0-prometheus")
        else {
            panic!("no sample");
        };
        assert_eq!(sample.value, "1500m");
        assert_eq!(
            set.external_metric("serving", "llm", "s1-prometheus"),
            MetricLookup::Missing
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
        assert_eq!(value(&set, "a", "so"), Some("2"));
        assert_eq!(value(&set, "b", "so"), Some("3"));
        assert_eq!(value(&set, "c", "so"), Some("1"));
    }

    fn value<'a>(set: &'a ObjectSet, ns: &str, so: &str) -> Option<&'a str> {
        match set.external_metric(ns, so, "s0-x") {
            MetricLookup::Found(sample) => Some(sample.value.as_str()),
            _ => None,
        }
    }

    fn scaled_object(ns: &str, name: &str) -> Value {
        serde_json::json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"triggers": [{"type": "x"}]}})
    }

    #[test]
    fn a_value_that_two_scaled_objects_could_own_is_not_used() {
        let mut set = ObjectSet::default();
        set.push(scaled_object("serving", "llm"));
        set.push(scaled_object("team-b", "llm"));
        let list = |v: &str| {
            serde_json::json!({"kind": "ExternalMetricValueList", "metadata": {},
                "items": [{"metricName": "s0-x", "value": v}]})
        };
        set.push(list("31"));
        assert!(matches!(
            set.external_metric("serving", "llm", "s0-x"),
            MetricLookup::Ambiguous { why } if why.contains("team-b/llm")
        ));
        // Two lists that disagree are not used either, even with one ScaledObject.
        let mut one = ObjectSet::default();
        one.push(scaled_object("serving", "llm"));
        one.push(list("31"));
        assert_eq!(value(&one, "serving", "llm"), Some("31"));
        one.push(list("200"));
        assert!(matches!(
            one.external_metric("serving", "llm", "s0-x"),
            MetricLookup::Ambiguous { .. }
        ));
    }

    #[test]
    fn a_self_link_names_the_list_s_scaled_object() {
        let mut set = ObjectSet::default();
        set.push(scaled_object("serving", "llm"));
        set.push(scaled_object("team-b", "llm"));
        let list = |ns: &str, v: &str| {
            serde_json::json!({"kind": "ExternalMetricValueList", "metadata": {"selfLink":
                format!("/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/s0-x\
                         ?labelSelector=scaledobject.keda.sh%2Fname%3Dllm")},
                "items": [{"metricName": "s0-x", "value": v}]})
        };
        set.push(list("serving", "31"));
        set.push(list("team-b", "200"));
        assert_eq!(value(&set, "serving", "llm"), Some("31"));
        assert_eq!(value(&set, "team-b", "llm"), Some("200"));
    }
}

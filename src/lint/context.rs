//! Everything the rules may look up across objects: the scalers (parsed once), the objects by
//! kind, namespace and name, the autoscalers per target, the Kueue queues and flavors, the
//! suppression annotations and the cold-start input.

use std::cell::OnceCell;

use crate::model::value::Value;

use super::cold_start::{ColdStart, resolve};
use super::parallel;
use super::promql::QueryCache;
use super::suppress::{self, Suppression};
use super::view::Scaler;
use super::{Finding, Options, Sources};
use crate::model::manifest::{Document, Pos};
use crate::model::scalar;
use crate::schema::Violation;

/// The indexes are keyed by short strings and built on one core: a fast hash.
type HashMap<K, V> = foldhash::HashMap<K, V>;

/// The queue-name label Kueue reads on the top-level object.
pub const QUEUE_LABEL: &str = "kueue.x-k8s.io/queue-name";

/// One object under check, with its parsed scaler view when it is a ScaledObject/ScaledJob.
pub struct Object<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its index in the input.
    pub index: usize,
    /// The KEDA view (ScaledObject and ScaledJob only).
    pub scaler: Option<&'a Scaler<'a>>,
    /// The schema violations, computed on first use and shared by the schema rules.
    violations: OnceCell<Vec<Violation>>,
    /// The cold start of the workload it scales, computed on first use and shared by the
    /// cold-start rules.
    cold_start: OnceCell<Option<ColdStart>>,
}

impl Object<'_> {
    /// `Kind namespace/name`, for messages.
    pub fn label(&self) -> String {
        match self.doc.namespace() {
            Some(ns) => format!("{} {}/{}", self.doc.kind(), ns, self.doc.name()),
            None => format!("{} {}", self.doc.kind(), self.doc.name()),
        }
    }

    /// The namespace, "" when unset (objects without one match each other).
    pub fn namespace(&self) -> &str {
        self.doc.namespace().unwrap_or("")
    }

    /// The cold start that applies to the workload this object scales: the one given to the
    /// run, else the target's startupProbe budget (see [`super::cold_start::resolve`]).
    pub fn cold_start(&self, context: &Context<'_>) -> Option<&ColdStart> {
        self.cold_start
            .get_or_init(|| resolve(context.cold_start_given, context.target_of(self)))
            .as_ref()
    }

    /// Where the object does not satisfy its CRD schema (empty when the catalog has no CRD
    /// for it); validated once however many schema rules ask.
    pub fn violations(&self, context: &Context<'_>) -> &[Violation] {
        self.violations.get_or_init(|| {
            context
                .schema()
                .validate(&self.doc.value)
                .unwrap_or_default()
        })
    }
}

/// An autoscaler (HPA or ScaledObject) and the workload it scales.
#[derive(Debug, Clone)]
pub struct Autoscaler<'a> {
    /// Index of the HPA or ScaledObject document.
    pub index: usize,
    /// Its kind.
    pub kind: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Namespace, "" when unset.
    pub namespace: &'a str,
    /// Target kind.
    pub target_kind: &'a str,
    /// Target name.
    pub target_name: &'a str,
}

/// The whole input, indexed for cross-object rules.
pub struct Context<'a> {
    docs: &'a [Document],
    sources: &'a Sources,
    scalers: Vec<Option<Scaler<'a>>>,
    by_key: HashMap<(&'a str, &'a str, &'a str), usize>,
    cluster_scoped: HashMap<(&'a str, &'a str), usize>,
    /// Every definition of an object defined more than once in the input, by kind,
    /// namespace ("" when cluster-scoped) and name.
    repeated: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    autoscalers: Vec<Autoscaler<'a>>,
    /// Indexes into `autoscalers` by (namespace, target kind, target name).
    by_target: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    suppressions: Vec<Vec<Suppression>>,
    kinds_present: HashMap<&'a str, usize>,
    /// The cold start given by `--cold-start`, a probe report or the config (seconds), and
    /// where it came from.
    pub cold_start_given: Option<(u64, &'a str)>,
    schema: Option<&'a crate::schema::Catalog>,
}

const CLUSTER_SCOPED: &[&str] = &["ClusterQueue", "ResourceFlavor", "Cohort"];

impl<'a> Context<'a> {
    /// Indexes `docs`, reading the KEDA view of every ScaledObject and ScaledJob (their
    /// queries parsed) on all cores.
    pub fn build(docs: &'a [Document], sources: &'a Sources, options: &'a Options) -> Context<'a> {
        // What each object contributes is read on all cores; only the inserts into the
        // shared indexes are left to one.
        let read = parallel::map(docs, |queries: &mut QueryCache, index, doc| {
            let scaler = matches!(doc.kind(), "ScaledObject" | "ScaledJob")
                .then(|| Scaler::read(&doc.value, queries));
            let autoscaler = autoscaler_of(index, doc, scaler.as_ref());
            (scaler, autoscaler, suppress::read(doc))
        });
        let mut context = Context {
            docs,
            sources,
            scalers: Vec::with_capacity(docs.len()),
            by_key: HashMap::default(),
            cluster_scoped: HashMap::default(),
            repeated: HashMap::default(),
            autoscalers: Vec::new(),
            by_target: HashMap::default(),
            suppressions: Vec::with_capacity(docs.len()),
            kinds_present: HashMap::default(),
            cold_start_given: options.cold_start_seconds.map(|seconds| {
                let source = options.cold_start_source.as_str();
                (
                    seconds,
                    if source.is_empty() {
                        "--cold-start"
                    } else {
                        source
                    },
                )
            }),
            schema: options.schema.as_deref(),
        };
        context.by_key.reserve(docs.len());
        for (index, (doc, (scaler, autoscaler, suppressions))) in docs.iter().zip(read).enumerate()
        {
            context.add(index, doc, autoscaler);
            context.scalers.push(scaler);
            context.suppressions.push(suppressions);
        }
        context
    }

    fn add(&mut self, index: usize, doc: &'a Document, autoscaler: Option<Autoscaler<'a>>) {
        let kind = doc.kind();
        let namespace = doc.namespace().unwrap_or("");
        *self.kinds_present.entry(kind).or_default() += 1;
        let name = doc.name();
        let earlier = if CLUSTER_SCOPED.contains(&kind) {
            self.cluster_scoped.insert((kind, name), index)
        } else {
            self.by_key.insert((kind, namespace, name), index)
        };
        if let Some(earlier) = earlier {
            let identity = (kind, namespace_of(kind, namespace), name);
            self.repeated
                .entry(identity)
                .or_insert_with(|| vec![earlier])
                .push(index);
        }
        if let Some(autoscaler) = autoscaler {
            let target = (
                autoscaler.namespace,
                autoscaler.target_kind,
                autoscaler.target_name,
            );
            self.by_target
                .entry(target)
                .or_default()
                .push(self.autoscalers.len());
            self.autoscalers.push(autoscaler);
        }
    }

    /// The CRD schemas objects are validated against.
    pub fn schema(&self) -> &'a crate::schema::Catalog {
        // The embedded schemas are compiled on first use, so runs without schema rules
        // do not pay for them.
        match self.schema {
            Some(catalog) => catalog,
            None => crate::schema::Catalog::builtin(),
        }
    }

    /// The object at `index`.
    pub fn object(&'a self, index: usize) -> Object<'a> {
        Object {
            doc: &self.docs[index],
            index,
            scaler: self.scalers[index].as_ref(),
            violations: OnceCell::new(),
            cold_start: OnceCell::new(),
        }
    }

    /// A namespaced object by kind, namespace and name.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<&'a Document> {
        self.by_key
            .get(&(kind, namespace, name))
            .map(|&i| &self.docs[i])
    }

    /// A cluster-scoped object (ClusterQueue, ResourceFlavor, Cohort) by kind and name.
    pub fn find_cluster(&self, kind: &str, name: &str) -> Option<&'a Document> {
        self.cluster_scoped
            .get(&(kind, name))
            .map(|&i| &self.docs[i])
    }

    /// The indexes of every definition of the object `doc` in the input, in input order,
    /// when it is defined more than once; empty otherwise.
    pub fn definitions<'s>(&'s self, doc: &'s Document) -> &'s [usize] {
        let kind = doc.kind();
        let identity = (
            kind,
            namespace_of(kind, doc.namespace().unwrap_or("")),
            doc.name(),
        );
        self.repeated.get(&identity).map_or(&[], Vec::as_slice)
    }

    /// The document at `index`.
    pub fn doc(&self, index: usize) -> &'a Document {
        &self.docs[index]
    }

    /// `file:line` of an object, in the file findings are reported against (the chart file
    /// for rendered Helm output).
    pub fn place(&self, doc: &Document) -> String {
        let line = doc.start().line;
        match self.sources.helm_place(doc) {
            Some((file, comment)) => format!("{file}:{}", line.saturating_sub(comment).max(1)),
            None => format!("{}:{line}", doc.file),
        }
    }

    /// Whether any object of `kind` is in the input (cross-object rules that look for a
    /// missing object only run when the input holds that kind at all).
    pub fn has_kind(&self, kind: &str) -> bool {
        self.kinds_present.contains_key(kind)
    }

    /// Every HPA and ScaledObject that scales `target_kind`/`target_name` in `namespace`.
    pub fn autoscalers_of<'s>(
        &'s self,
        namespace: &'s str,
        target_kind: &'s str,
        target_name: &'s str,
    ) -> impl Iterator<Item = &'s Autoscaler<'a>> + 's {
        let indices: &[usize] = self
            .by_target
            .get(&(namespace, target_kind, target_name))
            .map_or(&[], Vec::as_slice);
        indices.iter().map(|&i| &self.autoscalers[i])
    }

    /// Where the pod spec of a workload lies, when an HPA or ScaledObject in the input scales
    /// it: the rules about what an autoscaled workload runs start from here.
    pub fn autoscaled_pod_spec(&self, object: &Object<'_>) -> Option<&'static str> {
        let doc = object.doc;
        self.autoscalers_of(object.namespace(), doc.kind(), doc.name())
            .next()?;
        super::view::pod_spec_pointer(doc.kind())
    }

    /// The target workload of a ScaledObject, when it is in the input.
    pub fn target_of(&self, object: &Object<'_>) -> Option<&'a Document> {
        let target = object.scaler?.target?;
        self.find(target.kind, object.namespace(), target.name)
    }

    /// The LocalQueue named by an object's queue-name label, and the ClusterQueue behind it.
    pub fn queues_of(&self, doc: &Document) -> Option<(&'a Document, Option<&'a Document>)> {
        let queue = queue_label(doc)?;
        let local = self.find("LocalQueue", doc.namespace().unwrap_or(""), queue)?;
        let cluster = local
            .value
            .at("/spec/clusterQueue")
            .and_then(Value::as_str)
            .and_then(|cq| self.find_cluster("ClusterQueue", cq));
        Some((local, cluster))
    }

    /// The source position of character `offset` of the string value at `pointer` (whose
    /// text is `text`), for every scalar style (plain, quoted with escapes, literal, folded);
    /// the start of the value when the text cannot be mapped (e.g. it comes from an alias).
    pub fn value_char_pos(&self, doc: &Document, pointer: &str, text: &str, offset: usize) -> Pos {
        let node = doc.pos(pointer);
        let Some(kind) = doc.scalar_kind(pointer) else {
            return node.value;
        };
        let line = |n: u32| self.sources.line(&doc.file, n);
        scalar::char_pos(&line, node, kind, text, offset).unwrap_or(node.value)
    }

    /// The reason an annotation on the finding's object gives for suppressing it, if any.
    pub fn suppression(&self, finding: &Finding, index: usize) -> Option<String> {
        self.suppressions[index]
            .iter()
            .find(|s| s.covers(finding.code, finding.name))
            .map(|s| s.reason.clone())
    }
}

/// The namespace that identifies an object of `kind`: none for cluster-scoped kinds.
fn namespace_of<'n>(kind: &str, namespace: &'n str) -> &'n str {
    if CLUSTER_SCOPED.contains(&kind) {
        ""
    } else {
        namespace
    }
}

/// The value of the queue-name label on an object's metadata.
pub fn queue_label(doc: &Document) -> Option<&str> {
    doc.value.at("/metadata/labels")?.get(QUEUE_LABEL)?.as_str()
}

fn autoscaler_of<'a>(
    index: usize,
    doc: &'a Document,
    scaler: Option<&Scaler<'a>>,
) -> Option<Autoscaler<'a>> {
    let (target_kind, target_name) = match doc.kind() {
        "HorizontalPodAutoscaler" => {
            let target = doc.value.at("/spec/scaleTargetRef")?;
            (target.get("kind")?.as_str()?, target.get("name")?.as_str()?)
        }
        "ScaledObject" => {
            let target = scaler?.target?;
            (target.kind, target.name)
        }
        _ => return None,
    };
    Some(Autoscaler {
        index,
        kind: doc.kind(),
        name: doc.name(),
        namespace: doc.namespace().unwrap_or(""),
        target_kind,
        target_name,
    })
}

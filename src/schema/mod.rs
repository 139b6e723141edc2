//! Offline validation of objects against CRD OpenAPI v3 structural schemas (KEDA, Kueue).
//!
//! A [`Catalog`] holds the schemas of a set of CRDs, keyed by group, kind and version. The
//! built-in one embeds KEDA 2.20 and Kueue 0.19 (`crds/` in the repository); `lint --crds DIR`
//! and `--crds-from-cluster` build their own. [`Catalog::validate`] reports what the API server
//! would reject or silently prune: unknown fields, wrong types (integer vs number, quoted
//! numbers), missing required fields, enums, ranges, lengths, counts, patterns, `int32` and
//! `date-time` formats and duplicate items in set/map lists.
//!
//! Not checked: CEL rules (`x-kubernetes-validations`, e.g. KEDA's min ≤ max) and `anyOf`/
//! `oneOf` branches other than int-or-string; `lint`'s own rules cover the ones that matter.

mod node;
mod validate;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use serde_json::Value;

use crate::model::manifest::{LoadError, load_str};
use node::{Compiler, Node};

/// The CRDs embedded in the binary: (file name, text).
const BUILTIN_CRDS: &[(&str, &str)] = &[
    (
        "crds/keda-v2.20/keda.sh_scaledobjects.yaml",
        include_str!("../../crds/keda-v2.20/keda.sh_scaledobjects.yaml"),
    ),
    (
        "crds/keda-v2.20/keda.sh_scaledjobs.yaml",
        include_str!("../../crds/keda-v2.20/keda.sh_scaledjobs.yaml"),
    ),
    (
        "crds/keda-v2.20/keda.sh_triggerauthentications.yaml",
        include_str!("../../crds/keda-v2.20/keda.sh_triggerauthentications.yaml"),
    ),
    (
        "crds/keda-v2.20/keda.sh_clustertriggerauthentications.yaml",
        include_str!("../../crds/keda-v2.20/keda.sh_clustertriggerauthentications.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_admissionchecks.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_admissionchecks.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_clusterqueues.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_clusterqueues.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_cohorts.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_cohorts.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_localqueues.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_localqueues.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_resourceflavors.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_resourceflavors.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_topologies.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_topologies.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_workloadpriorityclasses.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_workloadpriorityclasses.yaml"),
    ),
    (
        "crds/kueue-v0.19/kueue.x-k8s.io_workloads.yaml",
        include_str!("../../crds/kueue-v0.19/kueue.x-k8s.io_workloads.yaml"),
    ),
];

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    let mut catalog = Catalog::default();
    for (file, text) in BUILTIN_CRDS {
        // The embedded files are checked by the tests; one that failed to parse would only
        // leave its kinds without a schema, never stop the program.
        if let Err(error) = catalog.add_text(file, text) {
            tracing::error!(%error, "embedded CRD not loaded");
        }
    }
    catalog
});

/// Why a set of CRDs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A CRD file is not valid YAML or JSON.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A file or folder could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file or folder.
        path: String,
        /// What went wrong, with its causes.
        message: String,
    },
    /// A CustomResourceDefinition lacks what a schema needs (group, kind, versions).
    #[error("CRD {name}: {message}")]
    InvalidCrd {
        /// `metadata.name` of the CRD, or where it came from.
        name: String,
        /// What is missing.
        message: String,
    },
}

/// What kind of schema violation a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ViolationKind {
    /// A field the schema does not declare: the API server prunes it (or rejects it with
    /// strict field validation).
    UnknownField,
    /// The value has the wrong JSON type (e.g. a number where KEDA wants a string).
    WrongType,
    /// A required field is missing.
    Required,
    /// The value is not one of the allowed values.
    Enum,
    /// A number, length or count is outside its bounds.
    OutOfRange,
    /// A string does not match the schema's pattern.
    Pattern,
    /// Anything else: duplicate list items, bad format, an unserved version.
    Other,
}

/// One place where an object does not satisfy its CRD schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON pointer of the offending field, e.g. `/spec/triggers/0/metadata/threshold`.
    pub pointer: String,
    /// What kind of violation.
    pub kind: ViolationKind,
    /// A one-line explanation naming the expected and the found value.
    pub message: String,
}

/// One served version of a CRD and its compiled schema.
#[derive(Debug)]
struct Version {
    name: String,
    served: bool,
    schema: Node,
}

/// Schemas of a set of CRDs, keyed by (group, kind).
#[derive(Debug, Default)]
pub struct Catalog {
    kinds: BTreeMap<(String, String), Vec<Version>>,
}

impl Catalog {
    /// The embedded KEDA 2.20 and Kueue 0.19 CRDs, compiled on first use.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    /// Reads every `*.yaml`, `*.yml` and `*.json` file under `dir` (recursively) and keeps the
    /// CustomResourceDefinitions among their documents.
    pub fn from_dir(dir: &Path) -> Result<Catalog, SchemaError> {
        let files = crate::sources::walk::manifest_files(dir).map_err(|e| SchemaError::Read {
            path: dir.display().to_string(),
            message: format!("{e:#}"),
        })?;
        let mut catalog = Catalog::default();
        for file in files {
            let text = crate::sources::files::read_text(
                &file,
                crate::sources::files::DEFAULT_MAX_FILE_BYTES,
            )
            .map_err(|e| SchemaError::Read {
                path: file.display().to_string(),
                message: format!("{e:#}"),
            })?;
            catalog.add_text(&file.display().to_string(), &text)?;
        }
        Ok(catalog)
    }

    /// Builds a catalog from CustomResourceDefinition objects (as read from a cluster); other
    /// objects are skipped.
    pub fn from_crds(crds: &[Value]) -> Result<Catalog, SchemaError> {
        let mut catalog = Catalog::default();
        let mut compiler = Compiler::default();
        for crd in crds {
            catalog.add_crd(crd, &mut compiler)?;
        }
        Ok(catalog)
    }

    /// The `(group, kind)` pairs this catalog has schemas for, sorted.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &str)> {
        self.kinds.keys().map(|(g, k)| (g.as_str(), k.as_str()))
    }

    /// Validates an object against the schema for its `apiVersion` and `kind`. `None` when
    /// the catalog has no CRD for that group and kind; an empty list when it is valid.
    pub fn validate(&self, object: &crate::model::value::Value) -> Option<Vec<Violation>> {
        let api_version = object.get("apiVersion")?.as_str()?;
        let kind = object.get("kind")?.as_str()?;
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let versions = self.kinds.get(&(group.to_string(), kind.to_string()))?;
        let Some(found) = versions.iter().find(|v| v.name == version && v.served) else {
            return Some(vec![unserved(group, version, kind, versions)]);
        };
        let mut walker = validate::Walker { out: Vec::new() };
        walker.resource(object, &found.schema, &validate::Path::Root);
        Some(walker.out)
    }

    fn add_text(&mut self, file: &str, text: &str) -> Result<(), SchemaError> {
        let mut compiler = Compiler::default();
        for doc in load_str(file, text)? {
            self.add_crd(&doc.value.to_json(), &mut compiler)?;
        }
        Ok(())
    }

    fn add_crd(&mut self, crd: &Value, compiler: &mut Compiler) -> Result<(), SchemaError> {
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            return Ok(());
        }
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>");
        let invalid = |message: &str| SchemaError::InvalidCrd {
            name: name.to_string(),
            message: message.to_string(),
        };
        let group = crd.pointer("/spec/group").and_then(Value::as_str);
        let kind = crd.pointer("/spec/names/kind").and_then(Value::as_str);
        let (Some(group), Some(kind)) = (group, kind) else {
            return Err(invalid("spec.group or spec.names.kind is missing"));
        };
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("spec.versions is missing"))?;
        let compiled = versions
            .iter()
            .map(|v| compile_version(v, compiler))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("a version has no name or no openAPIV3Schema"))?;
        self.kinds
            .insert((group.to_string(), kind.to_string()), compiled);
        Ok(())
    }
}

fn compile_version(version: &Value, compiler: &mut Compiler) -> Option<Version> {
    Some(Version {
        name: version.get("name")?.as_str()?.to_string(),
        served: version
            .get("served")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        schema: compiler.node(version.pointer("/schema/openAPIV3Schema")?),
    })
}

fn unserved(group: &str, version: &str, kind: &str, versions: &[Version]) -> Violation {
    let served: Vec<String> = versions
        .iter()
        .filter(|v| v.served)
        .map(|v| format!("{group}/{}", v.name))
        .collect();
    Violation {
        pointer: "/apiVersion".to_string(),
        kind: ViolationKind::Other,
        message: format!(
            "{group}/{version} is not a served version of {kind} (served: {})",
            served.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests;

//! The walk that checks a JSON value against a compiled structural schema, the way the API
//! server's OpenAPI validation and pruning would see it.

use std::collections::HashSet;

use crate::model::value::{Map, Value};

use super::node::{Additional, ListType, Node, Type};
use super::{Violation, ViolationKind};
use crate::model::manifest::escape_pointer;

/// The fields of `metadata` (ObjectMeta) that the API server knows; CRD schemas declare
/// `metadata` only as `type: object` and leave it to the server.
const OBJECT_META_FIELDS: &[&str] = &[
    "annotations",
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "labels",
    "managedFields",
    "name",
    "namespace",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
];

/// Where the walker is: the chain of keys and indexes from the object's root, turned into a
/// JSON pointer only when a violation is reported (most fields have none, and building a
/// pointer string for each would cost more than checking it).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The object itself.
    Root,
    /// A field of an object.
    Key(&'a Path<'a>, &'a str),
    /// An item of a list.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('/');
                out.push_str(&escape_pointer(key));
            }
            Path::Index(parent, index) => {
                parent.write(out);
                out.push('/');
                out.push_str(&index.to_string());
            }
        }
    }
}

/// Collects violations while walking one object.
pub(crate) struct Walker {
    pub(crate) out: Vec<Violation>,
}

impl Walker {
    fn push(&mut self, path: &Path<'_>, kind: ViolationKind, message: String) {
        self.out.push(Violation {
            pointer: path.pointer(),
            kind,
            message,
        });
    }

    /// Checks a whole object (the root, or an embedded resource): `apiVersion`, `kind` and
    /// `metadata` are the server's, the rest follows the schema.
    pub(crate) fn resource(&mut self, value: &Value, node: &Node, path: &Path<'_>) {
        if let Some(meta) = value.get("metadata") {
            self.object_meta(meta, &Path::Key(path, "metadata"));
        }
        self.node(value, node, path, true);
    }

    /// Checks one value against one schema node.
    pub(crate) fn node(&mut self, value: &Value, node: &Node, path: &Path<'_>, resource: bool) {
        if value.is_null() {
            // Nulls in non-nullable fields are pruned by the API server before validation; a
            // required field that is null is reported by its parent as missing.
            return;
        }
        if !self.type_matches(value, node, path) {
            return;
        }
        self.enumeration(value, node, path);
        match value {
            Value::Object(map) => self.object(map, node, path, resource),
            Value::Array(items) => self.array(items, node, path),
            Value::String(text) => self.string(text, node, path),
            Value::Number(_) => self.number(value, node, path),
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn type_matches(&mut self, value: &Value, node: &Node, path: &Path<'_>) -> bool {
        if node.int_or_string {
            if value.is_string() || is_integer(value) {
                return true;
            }
            let found = json_type(value);
            self.push(
                path,
                ViolationKind::WrongType,
                format!("expected an integer or a string, found {found}"),
            );
            return false;
        }
        let Some(ty) = node.ty else {
            return true;
        };
        let ok = match ty {
            Type::Object => value.is_object(),
            Type::Array => value.is_array(),
            Type::String => value.is_string(),
            Type::Integer => is_integer(value),
            Type::Number => value.is_number(),
            Type::Boolean => value.is_boolean(),
        };
        if !ok {
            let found = json_type(value);
            let hint = if ty == Type::String && !value.is_object() && !value.is_array() {
                " (quote it in YAML)"
            } else {
                ""
            };
            self.push(
                path,
                ViolationKind::WrongType,
                format!("expected {}, found {found}{hint}", a(ty.name())),
            );
        }
        ok
    }

    fn enumeration(&mut self, value: &Value, node: &Node, path: &Path<'_>) {
        if node.enum_values.is_empty() || node.enum_values.contains(value) {
            return;
        }
        let allowed: Vec<String> = node.enum_values.iter().map(Value::to_string).collect();
        self.push(
            path,
            ViolationKind::Enum,
            format!("{value} is not one of {}", allowed.join(", ")),
        );
    }

    fn object(&mut self, map: &Map, node: &Node, path: &Path<'_>, resource: bool) {
        for key in &node.required {
            let nullable = node.properties.get(key).is_some_and(|p| p.nullable);
            if map.get(key).is_none_or(|v| v.is_null() && !nullable) {
                self.push(
                    path,
                    ViolationKind::Required,
                    format!("required field {key:?} is missing"),
                );
            }
        }
        self.count(
            "properties",
            map.len(),
            node.min_properties,
            node.max_properties,
            path,
        );
        let embedded = resource || node.embedded_resource;
        for (key, value) in map.iter() {
            let child = Path::Key(path, key);
            if let Some(schema) = node.properties.get(key) {
                if embedded && key == "metadata" {
                    continue;
                }
                if schema.embedded_resource {
                    self.resource(value, schema, &child);
                } else {
                    self.node(value, schema, &child, false);
                }
                continue;
            }
            if embedded && matches!(key, "apiVersion" | "kind" | "metadata") {
                continue;
            }
            match &node.additional {
                Additional::Schema(schema) => self.node(value, schema, &child, false),
                Additional::Any => {}
                Additional::Forbidden if node.preserve_unknown => {}
                Additional::Forbidden => self.unknown(key, node, &child),
            }
        }
    }

    fn unknown(&mut self, key: &str, node: &Node, path: &Path<'_>) {
        let known: Vec<&str> = node.properties.keys().map(String::as_str).collect();
        let message = match closest(key, &known) {
            Some(best) => format!("unknown field {key:?} (did you mean {best:?}?)"),
            None if known.is_empty() => format!("unknown field {key:?} (no fields allowed here)"),
            None => format!("unknown field {key:?} (known fields: {})", known.join(", ")),
        };
        self.push(path, ViolationKind::UnknownField, message);
    }

    fn array(&mut self, items: &[Value], node: &Node, path: &Path<'_>) {
        self.count("items", items.len(), node.min_items, node.max_items, path);
        if let Some(schema) = &node.items {
            for (i, item) in items.iter().enumerate() {
                let child = Path::Index(path, i);
                if schema.embedded_resource {
                    self.resource(item, schema, &child);
                } else {
                    self.node(item, schema, &child, false);
                }
            }
        }
        self.duplicates(items, &node.list_type, path);
    }

    fn duplicates(&mut self, items: &[Value], list_type: &ListType, path: &Path<'_>) {
        let key_of = |item: &Value| -> Option<String> {
            match list_type {
                ListType::Atomic => None,
                ListType::Set => Some(item.to_string()),
                ListType::Map(keys) => Some(
                    keys.iter()
                        .map(|k| item.get(k).map_or_else(String::new, Value::to_string))
                        .collect::<Vec<_>>()
                        .join("\u{0}"),
                ),
            }
        };
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(key) = key_of(item)
                && !seen.insert(key)
            {
                self.push(
                    &Path::Index(path, i),
                    ViolationKind::Other,
                    "duplicate entry in a list whose items must be unique".to_string(),
                );
            }
        }
    }

    fn count(&mut self, what: &str, n: usize, min: Option<u64>, max: Option<u64>, ptr: &Path<'_>) {
        let n = n as u64;
        if let Some(min) = min.filter(|&min| n < min) {
            let message = format!("has {n} {what}, fewer than the minimum of {min}");
            self.push(ptr, ViolationKind::OutOfRange, message);
        }
        if let Some(max) = max.filter(|&max| n > max) {
            let message = format!("has {n} {what}, more than the maximum of {max}");
            self.push(ptr, ViolationKind::OutOfRange, message);
        }
    }

    fn string(&mut self, text: &str, node: &Node, path: &Path<'_>) {
        let chars = text.chars().count();
        self.count("characters", chars, node.min_length, node.max_length, path);
        if let Some(pattern) = &node.pattern
            && !pattern.is_match(text)
        {
            self.push(
                path,
                ViolationKind::Pattern,
                format!("{text:?} does not match the pattern {}", pattern.as_str()),
            );
        }
        if node.format.as_deref() == Some("date-time") && text.parse::<jiff::Timestamp>().is_err() {
            self.push(
                path,
                ViolationKind::Other,
                format!("{text:?} is not an RFC 3339 date-time"),
            );
        }
    }

    fn number(&mut self, value: &Value, node: &Node, path: &Path<'_>) {
        let Some(n) = value.as_f64() else {
            return;
        };
        let below = node
            .minimum
            .filter(|&min| n < min || (node.exclusive_minimum && n == min));
        if let Some(min) = below {
            let bound = if node.exclusive_minimum {
                "above"
            } else {
                "at least"
            };
            let message = format!("{value} is out of range: must be {bound} {min}");
            self.push(path, ViolationKind::OutOfRange, message);
        }
        let above = node
            .maximum
            .filter(|&max| n > max || (node.exclusive_maximum && n == max));
        if let Some(max) = above {
            let bound = if node.exclusive_maximum {
                "below"
            } else {
                "at most"
            };
            let message = format!("{value} is out of range: must be {bound} {max}");
            self.push(path, ViolationKind::OutOfRange, message);
        }
        if node.format.as_deref() == Some("int32") && i32::try_from(n as i64).is_err() {
            let message = format!("{value} does not fit a 32-bit integer (format int32)");
            self.push(path, ViolationKind::OutOfRange, message);
        }
    }

    /// ObjectMeta: known fields only, labels and annotations are maps of strings, names are
    /// strings.
    fn object_meta(&mut self, meta: &Value, path: &Path<'_>) {
        let Some(map) = meta.as_object() else {
            let found = json_type(meta);
            let message = format!("expected an object, found {found}");
            self.push(path, ViolationKind::WrongType, message);
            return;
        };
        for (key, value) in map.iter() {
            let child = Path::Key(path, key);
            match key {
                "labels" | "annotations" => self.string_map(value, &child),
                "name" | "namespace" | "generateName" => self.expect_string(value, &child),
                known if OBJECT_META_FIELDS.contains(&known) => {}
                _ => {
                    let message = match closest(key, OBJECT_META_FIELDS) {
                        Some(best) => format!("unknown field {key:?} (did you mean {best:?}?)"),
                        None => format!("unknown field {key:?} in metadata"),
                    };
                    self.push(&child, ViolationKind::UnknownField, message);
                }
            }
        }
    }

    fn string_map(&mut self, value: &Value, path: &Path<'_>) {
        let Some(map) = value.as_object() else {
            if !value.is_null() {
                let message = format!("expected a map of strings, found {}", json_type(value));
                self.push(path, ViolationKind::WrongType, message);
            }
            return;
        };
        for (key, value) in map {
            self.expect_string(value, &Path::Key(path, key));
        }
    }

    fn expect_string(&mut self, value: &Value, path: &Path<'_>) {
        if !value.is_string() {
            let message = format!(
                "expected a string, found {} (quote it in YAML)",
                json_type(value)
            );
            self.push(path, ViolationKind::WrongType, message);
        }
    }
}

/// Whether a JSON number is an integer (1.0 counts, as the API server's decoder reads it).
fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

fn a(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// The known name closest to a misspelt one, when it is close enough to be a likely typo.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, k)| k)
}

//! One node of a CRD's OpenAPI v3 structural schema, compiled from its JSON form: only the
//! keywords the validator checks are kept (descriptions and printer columns are dropped).

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use serde_json::Value;

/// The `type` keyword of a structural schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Type {
    fn parse(name: &str) -> Option<Type> {
        Some(match name {
            "object" => Type::Object,
            "array" => Type::Array,
            "string" => Type::String,
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            _ => return None,
        })
    }

    /// The name used in messages (the OpenAPI spelling).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Type::Object => "object",
            Type::Array => "array",
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
        }
    }
}

/// What `additionalProperties` allows for keys not named in `properties`.
#[derive(Debug, Clone, Default)]
pub(crate) enum Additional {
    /// Not given (or `false`): unknown keys are pruned by the API server.
    #[default]
    Forbidden,
    /// `true`: any value.
    Any,
    /// A schema every extra value must satisfy (a map).
    Schema(Box<Node>),
}

/// `x-kubernetes-list-type`, which decides what counts as a duplicate item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum ListType {
    /// `atomic` or not given: duplicates allowed.
    #[default]
    Atomic,
    /// `set`: items must be unique.
    Set,
    /// `map`: items are unique by the values of these keys.
    Map(Vec<String>),
}

/// A compiled schema node.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub(crate) ty: Option<Type>,
    pub(crate) nullable: bool,
    pub(crate) int_or_string: bool,
    pub(crate) preserve_unknown: bool,
    pub(crate) embedded_resource: bool,
    pub(crate) properties: BTreeMap<String, Node>,
    pub(crate) additional: Additional,
    pub(crate) required: Vec<String>,
    pub(crate) items: Option<Box<Node>>,
    /// The allowed values, in the form of the objects' values they are compared with.
    pub(crate) enum_values: Vec<crate::model::value::Value>,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) exclusive_minimum: bool,
    pub(crate) exclusive_maximum: bool,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) min_properties: Option<u64>,
    pub(crate) max_properties: Option<u64>,
    pub(crate) pattern: Option<Regex>,
    pub(crate) format: Option<String>,
    pub(crate) list_type: ListType,
}

/// Compiles schema nodes, sharing compiled regular expressions between equal patterns (the
/// Kueue CRDs repeat the Quantity pattern dozens of times).
#[derive(Default)]
pub(crate) struct Compiler {
    patterns: HashMap<String, Option<Regex>>,
}

impl Compiler {
    /// Compiles the schema at `value`. Keywords the validator does not check are ignored.
    pub(crate) fn node(&mut self, value: &Value) -> Node {
        let Some(map) = value.as_object() else {
            return Node::default();
        };
        let flag = |key: &str| map.get(key).and_then(Value::as_bool).unwrap_or(false);
        let uint = |key: &str| map.get(key).and_then(Value::as_u64);
        let float = |key: &str| map.get(key).and_then(Value::as_f64);
        Node {
            ty: map
                .get("type")
                .and_then(Value::as_str)
                .and_then(Type::parse),
            nullable: flag("nullable"),
            int_or_string: flag("x-kubernetes-int-or-string"),
            preserve_unknown: flag("x-kubernetes-preserve-unknown-fields"),
            embedded_resource: flag("x-kubernetes-embedded-resource"),
            properties: self.properties(map.get("properties")),
            additional: self.additional(map.get("additionalProperties")),
            required: strings(map.get("required")),
            items: map.get("items").map(|items| Box::new(self.node(items))),
            enum_values: map
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| values.iter().map(Into::into).collect())
                .unwrap_or_default(),
            minimum: float("minimum"),
            maximum: float("maximum"),
            exclusive_minimum: flag("exclusiveMinimum"),
            exclusive_maximum: flag("exclusiveMaximum"),
            min_length: uint("minLength"),
            max_length: uint("maxLength"),
            min_items: uint("minItems"),
            max_items: uint("maxItems"),
            min_properties: uint("minProperties"),
            max_properties: uint("maxProperties"),
            pattern: map
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(|p| self.pattern(p)),
            format: map
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_string),
            list_type: list_type(map),
        }
    }

    fn properties(&mut self, value: Option<&Value>) -> BTreeMap<String, Node> {
        value
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(key, schema)| (key.clone(), self.node(schema)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn additional(&mut self, value: Option<&Value>) -> Additional {
        match value {
            Some(Value::Bool(true)) => Additional::Any,
            Some(schema @ Value::Object(_)) => Additional::Schema(Box::new(self.node(schema))),
            _ => Additional::Forbidden,
        }
    }

    /// A pattern the `regex` crate cannot compile (Go's RE2 syntax is almost the same) is
    /// skipped, not fatal: the rest of the schema still validates.
    fn pattern(&mut self, pattern: &str) -> Option<Regex> {
        self.patterns
            .entry(pattern.to_string())
            .or_insert_with(|| match Regex::new(pattern) {
                Ok(regex) => Some(regex),
                Err(error) => {
                    tracing::debug!(pattern, %error, "CRD pattern not checked");
                    None
                }
            })
            .clone()
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn list_type(map: &serde_json::Map<String, Value>) -> ListType {
    match map.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => ListType::Set,
        Some("map") => ListType::Map(strings(map.get("x-kubernetes-list-map-keys"))),
        _ => ListType::Atomic,
    }
}

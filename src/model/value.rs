//! The values of loaded manifests: a read-only JSON-like tree built to hold tens of thousands of
//! objects at once.
//!
//! `lint` keeps every object of its input in memory, because the cross-object rules look from a
//! ScaledObject to its target, queue and flavors wherever they sit in the input. With
//! `serde_json::Value` each mapping was a B-tree node of about 600 bytes and each key its own
//! allocation, which made the loaded objects twenty times the size of their text; most of lint's
//! time went to the page faults and the allocator. Here a mapping is one exact-size array of
//! entries in source order (manifests' mappings are small, so a linear search finds a key as
//! fast as a tree), and keys and short strings are stored inline. Consumers outside lint that
//! want `serde_json` take [`Value::to_json`].

use std::fmt;

use compact_str::CompactString;
use serde::ser::{Serialize, SerializeMap, Serializer};
pub use serde_json::Number;

/// A string of the tree: up to 24 bytes inline, longer ones on the heap at their own size.
pub type Str = CompactString;

/// One value of a document.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`, `~` or an empty value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or a float.
    Number(Number),
    /// A string.
    String(Str),
    /// A sequence.
    Array(Vec<Value>),
    /// A mapping.
    Object(Map),
}

/// A mapping: its entries in source order, keys unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    entries: Vec<(Str, Value)>,
}

impl Map {
    /// An empty mapping.
    pub fn new() -> Map {
        Map::default()
    }

    /// A mapping of `entries`, whose keys the caller has made unique.
    pub(crate) fn from_unique(entries: Vec<(Str, Value)>) -> Map {
        Map { entries }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Takes the value under `key` out of the mapping.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(k, _)| k.as_str() == key)?;
        Some(self.entries.remove(index).1)
    }

    /// Keys and values, in source order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys, in source order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The values, in source order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'m> IntoIterator for &'m Map {
    type Item = (&'m str, &'m Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'m, (Str, Value)>,
        fn(&'m (Str, Value)) -> (&'m str, &'m Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl IntoIterator for Map {
    type Item = (Str, Value);
    type IntoIter = std::vec::IntoIter<(Str, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Value {
    /// The value under `key`, when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The value at a JSON pointer (RFC 6901, e.g. `/spec/triggers/0/type`), without an
    /// allocation per segment.
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut value = self;
        for segment in pointer.strip_prefix('/')?.split('/') {
            let segment = unescape_pointer(segment);
            value = match value {
                Value::Object(map) => map.get(&segment)?,
                Value::Array(items) => items.get(array_index(&segment)?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `i64`, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// The number as a `u64`, when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.as_u64()
    }

    /// The number as an `f64`, when this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number()?.as_f64()
    }

    /// The number, when this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The items, when this is a sequence.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The mapping, when this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// Whether this is a sequence.
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// Whether this is a mapping.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// Whether this is a boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    /// Whether this is an integer that fits an `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_number().is_some_and(Number::is_i64)
    }

    /// Whether this is an integer that fits a `u64`.
    pub fn is_u64(&self) -> bool {
        self.as_number().is_some_and(Number::is_u64)
    }

    /// How many values the tree holds, this one included.
    pub fn node_count(&self) -> usize {
        match self {
            Value::Array(items) => 1 + items.iter().map(Value::node_count).sum::<usize>(),
            Value::Object(map) => 1 + map.values().map(Value::node_count).sum::<usize>(),
            _ => 1,
        }
    }

    /// The same value as a `serde_json::Value`, for deserializing into typed models and for
    /// code that works on JSON. Mapping keys come out sorted, as `serde_json` keeps them.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => items.iter().map(Value::to_json).collect(),
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(value: &serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(Str::new(s)),
            serde_json::Value::Array(items) => {
                Value::Array(items.iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => Value::Object(Map::from_unique(
                map.iter()
                    .map(|(k, v)| (Str::new(k), Value::from(v)))
                    .collect(),
            )),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(Str::new(text))
    }
}

/// `value["key"]`: the value under `key`, or `null` when there is none (as `serde_json`).
impl std::ops::Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

/// Whether the value is the string `other`.
impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => items.serialize(serializer),
            Value::Object(map) => map.serialize(serializer),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
}

/// Compact JSON, as `serde_json::Value` prints itself (keys in source order).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// The index named by a pointer segment into a sequence: digits without a leading zero.
fn array_index(segment: &str) -> Option<usize> {
    let leading_zero = segment.len() > 1 && segment.starts_with('0');
    if leading_zero || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        std::borrow::Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// Reverses [`escape_pointer`] for one pointer segment.
pub(crate) fn unescape_pointer(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        std::borrow::Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        Value::from(&json!({
            "spec": {"triggers": [{"type": "prometheus", "metadata": {"a/b": "x", "c~d": 1}}]},
            "n": -1.5,
            "t": true,
        }))
    }

    #[test]
    fn pointers_follow_rfc_6901() {
        let v = sample();
        assert_eq!(
            v.at("/spec/triggers/0/type").and_then(Value::as_str),
            Some("prometheus")
        );
        assert_eq!(
            v.at("/spec/triggers/0/metadata/a~1b")
                .and_then(Value::as_str),
            Some("x")
        );
        assert_eq!(
            v.at("/spec/triggers/0/metadata/c~0d")
                .and_then(Value::as_i64),
            Some(1)
        );
        assert!(v.at("/spec/triggers/00").is_none());
        assert!(v.at("/spec/triggers/+0").is_none());
        assert!(v.at("spec").is_none());
        assert_eq!(v.at(""), Some(&v));
        assert_eq!(v.get("n").and_then(Value::as_f64), Some(-1.5));
        assert_eq!(v.get("t").and_then(Value::as_bool), Some(true));
    }

    #[test]
    fn json_round_trip_and_display() {
        let original = json!({"b": [1, "two", null, {"c": false}], "a": 2.5});
        let value = Value::from(&original);
        assert_eq!(value.to_json(), original);
        assert_eq!(value.node_count(), 8);
        assert_eq!(
            value.to_string(),
            r#"{"a":2.5,"b":[1,"two",null,{"c":false}]}"#
        );
    }

    #[test]
    fn mappings_keep_source_order_and_remove_entries() {
        let mut map = Map::from_unique(vec![
            (Str::new("z"), Value::Bool(true)),
            (Str::new("a"), Value::Null),
        ]);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(map.remove("z"), Some(Value::Bool(true)));
        assert_eq!(map.remove("z"), None);
        assert_eq!(map.len(), 1);
        assert!(map.contains_key("a"));
    }
}

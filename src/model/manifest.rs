//! Manifests with source positions: YAML (or JSON) text → documents of JSON values, each
//! field's `line:column` kept in a side table keyed by JSON pointer.
//!
//! This is the one place that parses manifest text. `lint` reports findings at the exact field,
//! `explain --from-file`, `validate` and `probe --from-file` read objects through it too, and
//! `generate --spec` reports spec errors with it. Resolution of plain scalars follows the YAML
//! 1.2 core schema (`true`, `null`, `12`, `1.5`); quoted scalars are strings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Number, Value};

/// Default cap on the number of nodes one file may expand to (anchors and aliases included):
/// it stops "billion laughs" alias bombs long before they exhaust memory.
pub const DEFAULT_NODE_LIMIT: usize = 2_000_000;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1, counted in characters.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl Pos {
    fn from_span(span: &Span) -> Pos {
        Pos {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }
}

/// Where a node sits in the source: the key that names it (for mapping values) and the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    /// The start of the mapping key, or of the value for sequence items and the root.
    pub key: Pos,
    /// The start of the value.
    pub value: Pos,
    /// Where the value ends (exclusive), used for full SARIF regions.
    pub end: Pos,
}

/// One object of a manifest stream, with positions of its fields.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file it came from, as given (`-` reads as `<stdin>`).
    pub file: String,
    /// The chart file named by Helm's `# Source:` comment above the document, if any.
    pub helm_source: Option<String>,
    /// Index of the document in its file (0-based), for messages.
    pub index: usize,
    /// The object itself.
    pub value: Value,
    positions: std::sync::Arc<HashMap<String, NodePos>>,
    /// JSON pointer of this object inside the parsed document (`/items/3` for List items).
    base: String,
}

impl Document {
    /// The position of the field at `pointer` (a JSON pointer relative to this object, e.g.
    /// `/spec/triggers/0/metadata/query`); falls back to the nearest ancestor that has one.
    pub fn pos(&self, pointer: &str) -> NodePos {
        let mut path = format!("{}{}", self.base, pointer);
        loop {
            if let Some(pos) = self.positions.get(&path) {
                return *pos;
            }
            match path.rfind('/') {
                Some(cut) => path.truncate(cut),
                None => return NodePos::default_at_line(1),
            }
        }
    }

    /// The position of the whole object.
    pub fn start(&self) -> Pos {
        self.pos("").value
    }

    /// `kind` of the object, or "" when absent.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// `apiVersion` of the object, or "" when absent.
    pub fn api_version(&self) -> &str {
        self.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.name`, or "" when absent.
    pub fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
    }

    /// The file to report: Helm's chart file when known, else the file read.
    pub fn display_file(&self) -> &str {
        self.helm_source.as_deref().unwrap_or(&self.file)
    }

    /// Deserializes the object into a typed model, naming the file:line:column of the field
    /// that does not fit.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, LoadError> {
        serde_path_to_error::deserialize(&self.value).map_err(|e| {
            let pointer = path_to_pointer(e.path());
            LoadError {
                file: self.file.clone(),
                pos: Some(self.pos(&pointer).key),
                message: format!("{}: {}", e.path(), e.inner()),
            }
        })
    }
}

impl NodePos {
    fn default_at_line(line: u32) -> NodePos {
        let pos = Pos { line, column: 1 };
        NodePos {
            key: pos,
            value: pos,
            end: pos,
        }
    }
}

/// Converts a serde path (`spec.triggers[0].type`) into a JSON pointer.
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// A manifest that could not be read, with the position of the problem when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file, as given.
    pub file: String,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(f, "{}:{}: {}", self.file, pos, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Options for [`load_str_with`].
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// The most nodes a file may expand to, aliases included.
    pub node_limit: usize,
    /// Expand `kind: List` (and `*List`) objects into their items.
    pub expand_lists: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            node_limit: DEFAULT_NODE_LIMIT,
            expand_lists: true,
        }
    }
}

/// Parses a multi-document YAML or JSON stream into objects, expanding Lists.
/// Empty documents (only comments, or `---` alone) are skipped.
pub fn load_str(file: &str, text: &str) -> Result<Vec<Document>, LoadError> {
    load_str_with(file, text, LoadOptions::default())
}

/// [`load_str`] with explicit options.
pub fn load_str_with(
    file: &str,
    text: &str,
    options: LoadOptions,
) -> Result<Vec<Document>, LoadError> {
    let sources = helm_source_comments(text);
    let mut builder = Builder::new(file, options.node_limit);
    let parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut prev_end_line = 0u32;
    for event in parser {
        let (event, span) = event.map_err(|e| scan_error(file, &e))?;
        match event {
            Event::DocumentStart(_) => builder.start_document(),
            Event::DocumentEnd => {
                let start_line = builder.doc_start_line.unwrap_or(prev_end_line + 1);
                let end_line = Pos::from_span(&span).line;
                if let Some((value, positions)) = builder.finish_document() {
                    let helm = sources
                        .iter()
                        .rev()
                        .find(|(line, _)| *line > prev_end_line && *line <= start_line)
                        .map(|(_, path)| path.clone());
                    push_document(&mut docs, file, helm, value, positions, options);
                }
                prev_end_line = end_line.max(prev_end_line);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            other => builder.event(other, &span)?,
        }
    }
    Ok(docs)
}

fn push_document(
    docs: &mut Vec<Document>,
    file: &str,
    helm_source: Option<String>,
    value: Value,
    positions: HashMap<String, NodePos>,
    options: LoadOptions,
) {
    if value.is_null() {
        return;
    }
    let positions = std::sync::Arc::new(positions);
    let is_list = options.expand_lists
        && value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    let index = docs.len();
    if is_list {
        let items = value
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, item) in items.into_iter().enumerate() {
            docs.push(Document {
                file: file.to_string(),
                helm_source: helm_source.clone(),
                index,
                value: item,
                positions: positions.clone(),
                base: format!("/items/{i}"),
            });
        }
    } else {
        docs.push(Document {
            file: file.to_string(),
            helm_source,
            index,
            value,
            positions,
            base: String::new(),
        });
    }
}

fn scan_error(file: &str, e: &ScanError) -> LoadError {
    LoadError {
        file: file.to_string(),
        pos: Some(Pos {
            line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
            column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
        }),
        message: format!("invalid YAML: {}", e.info()),
    }
}

/// `(line, path)` of each `# Source: path` comment (Helm's rendered output).
fn helm_source_comments(text: &str) -> Vec<(u32, String)> {
    if !text.contains("# Source: ") {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let path = line.trim_start().strip_prefix("# Source: ")?;
            Some((u32::try_from(i + 1).ok()?, path.trim().to_string()))
        })
        .collect()
}

/// A container being filled: a mapping waiting for its next key, or a sequence.
enum Frame {
    Map {
        map: Map<String, Value>,
        pointer: String,
        pending_key: Option<(String, Pos)>,
        start: Pos,
        anchor: usize,
    },
    Seq {
        items: Vec<Value>,
        pointer: String,
        start: Pos,
        anchor: usize,
    },
}

/// Turns the parser's events into a JSON value and a position table.
struct Builder<'f> {
    file: &'f str,
    node_limit: usize,
    nodes: usize,
    stack: Vec<Frame>,
    root: Option<Value>,
    positions: HashMap<String, NodePos>,
    anchors: HashMap<usize, Value>,
    doc_start_line: Option<u32>,
}

impl<'f> Builder<'f> {
    fn new(file: &'f str, node_limit: usize) -> Self {
        Builder {
            file,
            node_limit,
            nodes: 0,
            stack: Vec::new(),
            root: None,
            positions: HashMap::new(),
            anchors: HashMap::new(),
            doc_start_line: None,
        }
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.root = None;
        self.positions = HashMap::new();
        self.anchors.clear();
        self.doc_start_line = None;
    }

    fn finish_document(&mut self) -> Option<(Value, HashMap<String, NodePos>)> {
        let root = self.root.take()?;
        Some((root, std::mem::take(&mut self.positions)))
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_string(),
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// The pointer the next node will have, and the position of its key when it is a
    /// mapping value.
    fn next_pointer(&self) -> (String, Option<Pos>, bool) {
        match self.stack.last() {
            None => (String::new(), None, false),
            Some(Frame::Map {
                pointer,
                pending_key: Some((key, pos)),
                ..
            }) => (
                format!("{pointer}/{}", escape_pointer(key)),
                Some(*pos),
                false,
            ),
            Some(Frame::Map { .. }) => (String::new(), None, true),
            Some(Frame::Seq { items, pointer, .. }) => {
                (format!("{pointer}/{}", items.len()), None, false)
            }
        }
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), LoadError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.node_limit {
            return Err(self.error(
                pos,
                format!(
                    "document expands to more than {} nodes (an alias bomb?)",
                    self.node_limit
                ),
            ));
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), LoadError> {
        let pos = Pos::from_span(span);
        if self.doc_start_line.is_none() {
            self.doc_start_line = Some(pos.line);
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, pos)?;
                let (_, _, is_key) = self.next_pointer();
                if is_key {
                    return self.set_key(text.into_owned(), pos);
                }
                let value = resolve_scalar(&text, style, tag.as_ref());
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                self.attach(value, pos, end_of(span))
            }
            Event::Alias(id) => {
                let Some(value) = self.anchors.get(&id).cloned() else {
                    return Err(self.error(pos, "alias names an unknown anchor"));
                };
                self.count(node_count(&value), pos)?;
                let (_, _, is_key) = self.next_pointer();
                if is_key {
                    let key = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    return self.set_key(key, pos);
                }
                self.attach(value, pos, end_of(span))
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                self.count(1, pos)?;
                let (pointer, _, is_key) = self.next_pointer();
                if is_key {
                    return Err(self.error(pos, "complex mapping keys are not supported"));
                }
                let frame = if matches!(event, Event::MappingStart(..)) {
                    Frame::Map {
                        map: Map::new(),
                        pointer,
                        pending_key: None,
                        start: pos,
                        anchor,
                    }
                } else {
                    Frame::Seq {
                        items: Vec::new(),
                        pointer,
                        start: pos,
                        anchor,
                    }
                };
                self.stack.push(frame);
                Ok(())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, start, anchor) = match frame {
                    Frame::Map {
                        map, start, anchor, ..
                    } => (Value::Object(map), start, anchor),
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                        ..
                    } => (Value::Array(items), start, anchor),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                self.attach(value, start, end_of(span))
            }
            _ => Ok(()),
        }
    }

    fn set_key(&mut self, key: String, pos: Pos) -> Result<(), LoadError> {
        if let Some(Frame::Map {
            map, pending_key, ..
        }) = self.stack.last_mut()
        {
            if map.contains_key(&key) {
                return Err(LoadError {
                    file: self.file.to_string(),
                    pos: Some(pos),
                    message: format!("duplicate key {key:?} in mapping"),
                });
            }
            *pending_key = Some((key, pos));
        }
        Ok(())
    }

    /// Puts a finished node into its parent (or makes it the root) and records its position.
    fn attach(&mut self, value: Value, start: Pos, end: Pos) -> Result<(), LoadError> {
        let (pointer, key_pos, _) = self.next_pointer();
        self.positions.insert(
            pointer,
            NodePos {
                key: key_pos.unwrap_or(start),
                value: start,
                end,
            },
        );
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Map {
                map, pending_key, ..
            }) => {
                if let Some((key, _)) = pending_key.take() {
                    map.insert(key, value);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
        }
        Ok(())
    }
}

fn end_of(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.end.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.end.col() + 1).unwrap_or(u32::MAX),
    }
}

fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(key)
    }
}

/// Resolves a scalar by the YAML 1.2 core schema; quoted scalars and `!!str` stay strings.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> Value {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        match tag.suffix.as_str() {
            "str" => return Value::String(text.to_string()),
            "null" => return Value::Null,
            _ => {}
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Value::Number(n.into());
    }
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(sign * value)
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SO: &str = "\
# Source: chart/templates/so.yaml
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: llm
  namespace: serving
spec:
  minReplicaCount: 0
  triggers:
    - type: prometheus
      metadata:
        query: sum(vllm:num_requests_waiting)
        threshold: \"5\"
---
---
apiVersion: v1
kind: List
items:
  - kind: Deployment
    metadata: {name: a}
  - kind: Deployment
    metadata: {name: b}
";

    #[test]
    fn positions_point_at_keys_and_values() {
        let docs = load_str("so.yaml", SO).unwrap();
        assert_eq!(docs.len(), 3);
        let so = &docs[0];
        assert_eq!(so.name(), "llm");
        let q = so.pos("/spec/triggers/0/metadata/query");
        assert_eq!(
            q.key,
            Pos {
                line: 12,
                column: 9
            }
        );
        assert_eq!(
            q.value,
            Pos {
                line: 12,
                column: 16
            }
        );
        assert_eq!(so.pos("/spec/minReplicaCount").key.line, 8);
        assert_eq!(so.value["spec"]["minReplicaCount"], 0);
        assert_eq!(
            so.value["spec"]["triggers"][0]["metadata"]["threshold"],
            "5"
        );
        assert_eq!(so.helm_source.as_deref(), Some("chart/templates/so.yaml"));
        // An unknown deeper path falls back to the nearest known ancestor.
        assert_eq!(so.pos("/spec/triggers/0/nope").key.line, 10);
    }

    #[test]
    fn list_items_become_documents_with_their_own_positions() {
        let docs = load_str("l.yaml", SO).unwrap();
        assert_eq!(docs[1].name(), "a");
        assert_eq!(docs[2].name(), "b");
        assert_eq!(docs[2].pos("/metadata/name").key.line, 22);
        assert_eq!(docs[2].helm_source, None);
    }

    #[test]
    fn json_is_read_too() {
        let docs = load_str(
            "x.json",
            "{\"kind\": \"Pod\",\n \"spec\": {\"a\": [1, 2.5]}}",
        )
        .unwrap();
        assert_eq!(docs[0].kind(), "Pod");
        assert_eq!(docs[0].value["spec"]["a"][1], 2.5);
        assert_eq!(docs[0].pos("/spec/a/1").value.line, 2);
    }

    #[test]
    fn malformed_yaml_names_line_and_column() {
        let err = load_str("bad.yaml", "a: b\n  c: d\n").unwrap_err();
        assert_eq!(err.file, "bad.yaml");
        assert_eq!(err.pos.map(|p| p.line), Some(2));
        assert!(err.to_string().starts_with("bad.yaml:2:"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let err = load_str("d.yaml", "a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 3, column: 1 }));
        assert!(err.message.contains("duplicate key \"a\""));
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, \
                 *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load_str("bomb.yaml", &text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{err}");
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let docs = load_str(
            "s.yaml",
            "a: 012\nb: '12'\nc: 0x1F\nd: 1e3\ne: ~\nf: yes\ng: -3\n",
        )
        .unwrap();
        let v = &docs[0].value;
        assert_eq!(v["a"], 12);
        assert_eq!(v["b"], "12");
        assert_eq!(v["c"], 31);
        assert_eq!(v["d"], 1000.0);
        assert!(v["e"].is_null());
        assert_eq!(v["f"], "yes");
        assert_eq!(v["g"], -3);
    }

    #[test]
    fn typed_parse_names_the_failing_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct Spec {
            #[allow(dead_code)]
            min: u32,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Obj {
            #[allow(dead_code)]
            spec: Spec,
        }
        let docs = load_str("t.yaml", "spec:\n  min: many\n").unwrap();
        let err = docs[0].parse::<Obj>().unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 2, column: 3 }));
        assert!(
            err.to_string()
                .starts_with("t.yaml:2:3: spec.min: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn empty_documents_are_skipped() {
        assert!(
            load_str("e.yaml", "# only a comment\n---\n")
                .unwrap()
                .is_empty()
        );
        assert!(load_str("e.yaml", "").unwrap().is_empty());
    }
}

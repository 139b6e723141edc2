//! Manifests with source positions: YAML (or JSON) text → documents of values (see
//! [`super::value`]), each field's `line:column` kept in a position tree beside the value.
//!
//! This is the one place that parses manifest text. `lint` reports findings at the exact field,
//! `explain --from-file`, `validate` and `probe --from-file` read objects through it too, and
//! `generate --spec` reports spec errors with it. Resolution of plain scalars follows the YAML
//! 1.2 core schema (`true`, `null`, `12`, `1.5`); quoted scalars are strings. Merge keys
//! (`<<: *common`) are applied as YAML 1.1 defines them, and the merged fields keep the
//! positions of the mapping they were merged from.
//!
//! Positions cost little to build: one small record per node and one per mapping entry, kept
//! in flat vectors per document (no string per field), and looked up by JSON pointer only when
//! a finding or an error needs one.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

pub use super::value::{Map, Value, escape_pointer};
use super::value::{Number, Str, unescape_pointer};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

/// Default cap on the nodes that aliases may expand to in one document: it stops "billion
/// laughs" alias bombs long before they exhaust memory. Nodes written out in the text do not
/// count (the file size limit bounds them), so a large file of ordinary documents never hits it.
pub const DEFAULT_NODE_LIMIT: usize = 2_000_000;

/// The key that merges mappings into the one that holds it (YAML 1.1 merge key).
const MERGE_KEY: &str = "<<";

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
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

/// How a scalar is written in the source; characters inside it map back to columns
/// differently for each style (quotes, escapes, block indentation, folding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// Unquoted.
    Plain,
    /// `'…'`.
    SingleQuoted,
    /// `"…"`, with escapes.
    DoubleQuoted,
    /// A `|` block.
    Literal,
    /// A `>` block.
    Folded,
}

impl From<ScalarStyle> for ScalarKind {
    fn from(style: ScalarStyle) -> Self {
        match style {
            ScalarStyle::Plain => ScalarKind::Plain,
            ScalarStyle::SingleQuoted => ScalarKind::SingleQuoted,
            ScalarStyle::DoubleQuoted => ScalarKind::DoubleQuoted,
            ScalarStyle::Literal => ScalarKind::Literal,
            ScalarStyle::Folded => ScalarKind::Folded,
        }
    }
}

/// What a node of the position tree holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    Seq,
    Scalar(ScalarKind),
}

/// One value of a document: its span, what it is, and the range of its child entries.
#[derive(Debug, Clone, Copy)]
struct Node {
    value: Pos,
    end: Pos,
    first: u32,
    len: u32,
    shape: Shape,
    /// Written as an alias (`*name`): the span is the alias, the children are the anchor's.
    alias: bool,
}

/// One child of a mapping or sequence: its key (in the key arena; empty for sequence items),
/// where the key is written, and the child node.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key_start: u32,
    key_len: u32,
    key: Pos,
    node: u32,
}

/// The positions of one document, as flat vectors.
#[derive(Debug, Default)]
struct Positions {
    nodes: Vec<Node>,
    entries: Vec<Entry>,
    keys: String,
}

impl Positions {
    /// Empty, with room for as many nodes, entries and key bytes as `like` holds (documents
    /// of a stream tend to be alike, and growing the vectors from nothing is a cost per
    /// document).
    fn sized_like(like: (usize, usize, usize)) -> Positions {
        Positions {
            nodes: Vec::with_capacity(like.0),
            entries: Vec::with_capacity(like.1),
            keys: String::with_capacity(like.2),
        }
    }

    fn key(&self, entry: &Entry) -> &str {
        let start = entry.key_start as usize;
        self.keys
            .get(start..start + entry.key_len as usize)
            .unwrap_or("")
    }

    fn node(&self, index: u32) -> Option<&Node> {
        self.nodes.get(index as usize)
    }

    fn children(&self, node: &Node) -> &[Entry] {
        let first = node.first as usize;
        self.entries
            .get(first..first + node.len as usize)
            .unwrap_or(&[])
    }

    /// The child of `node` named by one JSON pointer segment (already unescaped).
    fn child(&self, node: &Node, segment: &str) -> Option<&Entry> {
        let children = self.children(node);
        match node.shape {
            Shape::Seq => children.get(segment.parse::<usize>().ok()?),
            Shape::Map => children.iter().find(|e| self.key(e) == segment),
            Shape::Scalar(_) => None,
        }
    }

    fn push_node(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        index_u32(self.nodes.len() - 1)
    }
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
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
    /// The object itself, as read (the identity below is taken from it once).
    pub value: Value,
    positions: Arc<Positions>,
    /// The node of this object in the position tree (a List item's node for List items).
    base: u32,
    /// `kind`, `apiVersion`, `metadata.name` and `metadata.namespace`, which every rule and
    /// index asks for, read once.
    identity: Identity,
}

/// The fields that identify an object.
#[derive(Debug, Clone, Default)]
struct Identity {
    kind: Str,
    api_version: Str,
    name: Str,
    namespace: Option<Str>,
}

impl Identity {
    fn of(value: &Value) -> Identity {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(Str::new);
        let metadata = value.get("metadata");
        Identity {
            kind: text(value.get("kind")).unwrap_or_default(),
            api_version: text(value.get("apiVersion")).unwrap_or_default(),
            name: text(metadata.and_then(|m| m.get("name"))).unwrap_or_default(),
            namespace: text(metadata.and_then(|m| m.get("namespace"))),
        }
    }
}

impl Document {
    /// The position of the field at `pointer` (a JSON pointer relative to this object, e.g.
    /// `/spec/triggers/0/metadata/query`); falls back to the nearest ancestor that has one.
    pub fn pos(&self, pointer: &str) -> NodePos {
        self.walk(pointer).0
    }

    /// How the scalar at `pointer` is written, when the pointer names a scalar written out in
    /// this document (not through an alias).
    pub fn scalar_kind(&self, pointer: &str) -> Option<ScalarKind> {
        let (_, node, complete) = self.walk(pointer);
        match node? {
            Node {
                shape: Shape::Scalar(kind),
                alias: false,
                ..
            } if complete => Some(kind),
            _ => None,
        }
    }

    /// The position of the deepest node on `pointer`, that node, and whether the whole pointer
    /// was found.
    fn walk(&self, pointer: &str) -> (NodePos, Option<Node>, bool) {
        let tree = &self.positions;
        let Some(mut node) = tree.node(self.base).copied() else {
            return (NodePos::default_at_line(1), None, false);
        };
        let mut found = NodePos {
            key: node.value,
            value: node.value,
            end: node.end,
        };
        for segment in pointer.split('/').skip(1) {
            let segment = unescape_pointer(segment);
            let Some(entry) = tree.child(&node, &segment) else {
                return (found, Some(node), false);
            };
            let Some(child) = tree.node(entry.node).copied() else {
                return (found, Some(node), false);
            };
            node = child;
            found = NodePos {
                key: entry.key,
                value: node.value,
                end: node.end,
            };
        }
        (found, Some(node), true)
    }

    /// The position of the whole object.
    pub fn start(&self) -> Pos {
        self.pos("").value
    }

    /// `kind` of the object, or "" when absent.
    pub fn kind(&self) -> &str {
        &self.identity.kind
    }

    /// `apiVersion` of the object, or "" when absent.
    pub fn api_version(&self) -> &str {
        &self.identity.api_version
    }

    /// `metadata.name`, or "" when absent.
    pub fn name(&self) -> &str {
        &self.identity.name
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.identity.namespace.as_deref()
    }

    /// The file to report: Helm's chart file when known, else the file read.
    pub fn display_file(&self) -> &str {
        self.helm_source.as_deref().unwrap_or(&self.file)
    }

    /// Deserializes the object into a typed model, naming the file:line:column of the field
    /// that does not fit.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, LoadError> {
        serde_path_to_error::deserialize(&self.value.to_json()).map_err(|e| {
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
    /// The most nodes that aliases may expand to in one document.
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
                if let Some(parsed) = builder.finish_document() {
                    let helm = sources
                        .iter()
                        .rev()
                        .find(|(line, _)| *line > prev_end_line && *line <= start_line)
                        .map(|(_, path)| path.clone());
                    push_document(&mut docs, file, helm, parsed, options);
                }
                prev_end_line = end_line.max(prev_end_line);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            other => builder.event(other, &span)?,
        }
    }
    Ok(docs)
}

/// A document as the builder leaves it: the value, its node and the position tree.
struct Parsed {
    value: Value,
    root: u32,
    positions: Positions,
}

fn push_document(
    docs: &mut Vec<Document>,
    file: &str,
    helm_source: Option<String>,
    parsed: Parsed,
    options: LoadOptions,
) {
    let Parsed {
        value,
        root,
        positions,
    } = parsed;
    if value.is_null() {
        return;
    }
    let positions = Arc::new(positions);
    let is_list = options.expand_lists
        && value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    let index = docs.len();
    if !is_list {
        docs.push(Document {
            file: file.to_string(),
            helm_source,
            index,
            identity: Identity::of(&value),
            value,
            positions,
            base: root,
        });
        return;
    }
    let item_nodes: Vec<u32> = positions
        .node(root)
        .and_then(|node| positions.child(node, "items"))
        .and_then(|entry| positions.node(entry.node))
        .map(|items| positions.children(items).iter().map(|e| e.node).collect())
        .unwrap_or_default();
    let items = match value {
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        docs.push(Document {
            file: file.to_string(),
            helm_source: helm_source.clone(),
            index,
            identity: Identity::of(&item),
            value: item,
            positions: positions.clone(),
            base: item_nodes.get(i).copied().unwrap_or(root),
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

/// The key a mapping waits to give a value to.
struct PendingKey {
    key: Str,
    pos: Pos,
    /// A plain `<<`: the value is merged, not stored under the key.
    merge: bool,
}

/// Mappings with more keys than this look for duplicates in a hash set rather than by
/// comparing with every key before them.
const LINEAR_KEY_CHECK: usize = 16;

/// A container being filled: a mapping waiting for its next key, or a sequence. Their
/// entries and items wait on the builder's stacks (from `first` on) until the container
/// ends and they move into a value of exactly their size.
enum Frame {
    Map {
        first: usize,
        pending: Option<PendingKey>,
        start: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        /// Values given to `<<` (value, node, where the key is), merged when the mapping ends.
        merges: Vec<(Value, u32, Pos)>,
        /// The keys so far, once the mapping has more than [`LINEAR_KEY_CHECK`].
        seen: Option<HashSet<Str>>,
    },
    Seq {
        first: usize,
        start: Pos,
        anchor: usize,
        entries: Vec<Entry>,
    },
}

/// An anchored node: its value, its node, and how many nodes an alias to it expands to.
struct Anchored {
    value: Value,
    node: u32,
    size: usize,
}

/// Turns the parser's events into a value tree and a position tree.
struct Builder<'f> {
    file: &'f str,
    node_limit: usize,
    /// Nodes that aliases expanded to in the current document.
    expanded: usize,
    stack: Vec<Frame>,
    /// The entries of the open mappings, innermost last.
    fields: Vec<(Str, Value)>,
    /// The items of the open sequences, innermost last.
    items: Vec<Value>,
    root: Option<(Value, u32)>,
    positions: Positions,
    anchors: HashMap<usize, Anchored>,
    /// Emptied entry vectors of finished frames, reused by the next ones.
    spare: Vec<Vec<Entry>>,
    /// The sizes of the last document's positions, to size the next one's.
    last_size: (usize, usize, usize),
    doc_start_line: Option<u32>,
}

impl<'f> Builder<'f> {
    fn new(file: &'f str, node_limit: usize) -> Self {
        Builder {
            file,
            node_limit,
            expanded: 0,
            stack: Vec::new(),
            fields: Vec::new(),
            items: Vec::new(),
            root: None,
            positions: Positions::default(),
            anchors: HashMap::new(),
            spare: Vec::new(),
            last_size: (0, 0, 0),
            doc_start_line: None,
        }
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.fields.clear();
        self.items.clear();
        self.root = None;
        self.positions = Positions::sized_like(self.last_size);
        self.anchors.clear();
        self.expanded = 0;
        self.doc_start_line = None;
    }

    fn finish_document(&mut self) -> Option<Parsed> {
        let (value, root) = self.root.take()?;
        let p = &self.positions;
        self.last_size = (p.nodes.len(), p.entries.len(), p.keys.len());
        Some(Parsed {
            value,
            root,
            positions: std::mem::take(&mut self.positions),
        })
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_string(),
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// Whether the next scalar is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn expand(&mut self, n: usize, pos: Pos) -> Result<(), LoadError> {
        self.expanded = self.expanded.saturating_add(n);
        if self.expanded > self.node_limit {
            return Err(self.error(
                pos,
                format!(
                    "aliases in this document expand to more than {} nodes (an alias bomb?)",
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
                if self.expects_key() {
                    let merge = style == ScalarStyle::Plain && tag.is_none() && text == MERGE_KEY;
                    return self.set_key(Str::new(&text), pos, merge);
                }
                let value = resolve_scalar(text, style, tag.as_ref());
                let node = self.positions.push_node(Node {
                    value: pos,
                    end: end_of(span),
                    first: 0,
                    len: 0,
                    shape: Shape::Scalar(style.into()),
                    alias: false,
                });
                self.anchor(anchor, &value, node);
                self.attach(value, node, pos)
            }
            Event::Alias(id) => self.alias(id, pos, span),
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.expects_key() {
                    return Err(self.error(pos, "complex mapping keys are not supported"));
                }
                let entries = self.spare.pop().unwrap_or_default();
                let frame = if matches!(event, Event::MappingStart(..)) {
                    Frame::Map {
                        first: self.fields.len(),
                        pending: None,
                        start: pos,
                        anchor,
                        entries,
                        merges: Vec::new(),
                        seen: None,
                    }
                } else {
                    Frame::Seq {
                        first: self.items.len(),
                        start: pos,
                        anchor,
                        entries,
                    }
                };
                self.stack.push(frame);
                Ok(())
            }
            Event::MappingEnd | Event::SequenceEnd => self.end_container(span),
            _ => Ok(()),
        }
    }

    fn alias(&mut self, id: usize, pos: Pos, span: &Span) -> Result<(), LoadError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.error(pos, "alias names an unknown anchor"));
        };
        let (source, size) = (anchored.node, anchored.size);
        self.expand(size, pos)?;
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.error(pos, "alias names an unknown anchor"));
        };
        if self.expects_key() {
            let key = match &anchored.value {
                Value::String(s) => s.clone(),
                other => Str::from(other.to_string()),
            };
            return self.set_key(key, pos, false);
        }
        let value = anchored.value.clone();
        let Some(&target) = self.positions.node(source) else {
            return Err(self.error(pos, "alias names an unknown anchor"));
        };
        let node = self.positions.push_node(Node {
            value: pos,
            end: end_of(span),
            alias: true,
            ..target
        });
        self.attach(value, node, pos)
    }

    fn anchor(&mut self, anchor: usize, value: &Value, node: u32) {
        if anchor > 0 {
            let anchored = Anchored {
                value: value.clone(),
                node,
                size: value.node_count(),
            };
            self.anchors.insert(anchor, anchored);
        }
    }

    fn end_container(&mut self, span: &Span) -> Result<(), LoadError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (value, start, anchor, mut entries, shape) = match frame {
            Frame::Map {
                first,
                start,
                anchor,
                mut entries,
                merges,
                ..
            } => {
                for (merged, node, pos) in merges {
                    self.merge(first, &mut entries, merged, node, pos)?;
                }
                let fields: Vec<(Str, Value)> = self.fields.drain(first..).collect();
                let map = Map::from_unique(fields);
                (Value::Object(map), start, anchor, entries, Shape::Map)
            }
            Frame::Seq {
                first,
                start,
                anchor,
                entries,
            } => {
                let items: Vec<Value> = self.items.drain(first..).collect();
                (Value::Array(items), start, anchor, entries, Shape::Seq)
            }
        };
        let first = index_u32(self.positions.entries.len());
        let len = index_u32(entries.len());
        self.positions.entries.append(&mut entries);
        self.spare.push(entries);
        let node = self.positions.push_node(Node {
            value: start,
            end: end_of(span),
            first,
            len,
            shape,
            alias: false,
        });
        self.anchor(anchor, &value, node);
        self.attach(value, node, start)
    }

    /// Merges the value given to `<<` (a mapping, or a list of mappings where earlier ones
    /// win) into the mapping whose fields start at `first`: keys the mapping sets itself win
    /// over merged ones.
    fn merge(
        &mut self,
        first: usize,
        entries: &mut Vec<Entry>,
        merged: Value,
        node: u32,
        pos: Pos,
    ) -> Result<(), LoadError> {
        let not_a_mapping = |builder: &Self| {
            builder.error(
                pos,
                "the merge key `<<` takes a mapping or a list of mappings",
            )
        };
        let Some(&source) = self.positions.node(node) else {
            return Err(not_a_mapping(self));
        };
        match merged {
            Value::Object(fields) => {
                self.merge_fields(first, entries, fields, &source);
                Ok(())
            }
            Value::Array(items) => {
                let children: Vec<u32> = self
                    .positions
                    .children(&source)
                    .iter()
                    .map(|e| e.node)
                    .collect();
                for (item, child) in items.into_iter().zip(children) {
                    let (Value::Object(fields), Some(&item_node)) =
                        (item, self.positions.node(child))
                    else {
                        return Err(not_a_mapping(self));
                    };
                    self.merge_fields(first, entries, fields, &item_node);
                }
                Ok(())
            }
            _ => Err(not_a_mapping(self)),
        }
    }

    fn merge_fields(&mut self, first: usize, entries: &mut Vec<Entry>, fields: Map, source: &Node) {
        let children = self.positions.children(source);
        for (key, value) in fields {
            if self.fields[first..].iter().any(|(k, _)| *k == key) {
                continue;
            }
            if let Some(entry) = children.iter().find(|e| self.positions.key(e) == key) {
                entries.push(*entry);
            }
            self.fields.push((key, value));
        }
    }

    fn set_key(&mut self, key: Str, pos: Pos, merge: bool) -> Result<(), LoadError> {
        let file = self.file;
        if let Some(Frame::Map {
            first,
            pending,
            merges,
            seen,
            ..
        }) = self.stack.last_mut()
        {
            let fields = &self.fields[*first..];
            let duplicate = if merge {
                !merges.is_empty()
            } else if let Some(seen) = seen {
                !seen.insert(key.clone())
            } else if fields.len() < LINEAR_KEY_CHECK {
                fields.iter().any(|(k, _)| *k == key)
            } else {
                let mut keys: HashSet<Str> = fields.iter().map(|(k, _)| k.clone()).collect();
                let fresh = keys.insert(key.clone());
                *seen = Some(keys);
                !fresh
            };
            if duplicate {
                return Err(LoadError {
                    file: file.to_string(),
                    pos: Some(pos),
                    message: format!("duplicate key {key:?} in mapping"),
                });
            }
            *pending = Some(PendingKey { key, pos, merge });
        }
        Ok(())
    }

    /// Puts a finished node into its parent (or makes it the root) and records its entry.
    fn attach(&mut self, value: Value, node: u32, start: Pos) -> Result<(), LoadError> {
        match self.stack.last_mut() {
            None => self.root = Some((value, node)),
            Some(Frame::Map {
                pending,
                entries,
                merges,
                ..
            }) => match pending.take() {
                Some(PendingKey {
                    pos, merge: true, ..
                }) => merges.push((value, node, pos)),
                Some(PendingKey { key, pos, .. }) => {
                    let key_start = index_u32(self.positions.keys.len());
                    self.positions.keys.push_str(&key);
                    entries.push(Entry {
                        key_start,
                        key_len: index_u32(key.len()),
                        key: pos,
                        node,
                    });
                    self.fields.push((key, value));
                }
                None => {}
            },
            Some(Frame::Seq { entries, .. }) => {
                entries.push(Entry {
                    key_start: 0,
                    key_len: 0,
                    key: start,
                    node,
                });
                self.items.push(value);
            }
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

/// Resolves a scalar by the YAML 1.2 core schema; quoted scalars and `!!str` stay strings.
fn resolve_scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> Value {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        match tag.suffix.as_str() {
            "str" => return Value::String(Str::new(&text)),
            "null" => return Value::Null,
            _ => {}
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(Str::new(&text));
    }
    match text.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(&text) {
        return Value::Number(n.into());
    }
    if looks_like_float(&text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(Str::new(&text))
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
        assert_eq!(so.value.to_json()["spec"]["minReplicaCount"], 0);
        assert_eq!(
            so.value.to_json()["spec"]["triggers"][0]["metadata"]["threshold"],
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
        assert_eq!(docs[0].value.to_json()["spec"]["a"][1], 2.5);
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
        let v = &docs[0].value.to_json();
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
    fn the_alias_limit_counts_expansions_per_document_not_the_file() {
        // Many ordinary documents together hold far more nodes than the limit allows one
        // document's aliases to expand to.
        let doc = "kind: Pod\nmetadata: {name: a, labels: {x: y, z: w}}\nspec: [1, 2, 3, 4]\n";
        let text = vec![doc; 50].join("---\n");
        let options = LoadOptions {
            node_limit: 20,
            ..LoadOptions::default()
        };
        assert_eq!(
            load_str_with("many.yaml", &text, options).unwrap().len(),
            50
        );
        // Aliases are counted, and the count starts again with each document.
        let aliased = "a: &a [1, 2, 3, 4, 5]\nb: [*a, *a, *a]\n";
        let text = format!("{aliased}---\n{aliased}");
        assert_eq!(load_str_with("ok.yaml", &text, options).unwrap().len(), 2);
        let err = load_str_with(
            "bomb.yaml",
            "a: &a [1, 2, 3, 4, 5]\nb: [*a, *a, *a, *a]\n",
            options,
        )
        .unwrap_err();
        assert!(err.message.contains("more than 20 nodes"), "{err}");
        assert_eq!(
            err.pos,
            Some(Pos {
                line: 2,
                column: 17
            }),
            "the fourth alias"
        );
    }

    #[test]
    fn merge_keys_merge_with_the_positions_of_their_source() {
        let text = "\
common: &common
  query: sum(x)
  threshold: \"5\"
extra: &extra
  threshold: \"9\"
  activationThreshold: \"1\"
trigger:
  <<: [*common, *extra]
  serverAddress: http://p:9090
  query: sum(y)
";
        let docs = load_str("m.yaml", text).unwrap();
        let trigger = &docs[0].value.to_json()["trigger"];
        assert_eq!(trigger["query"], "sum(y)", "the mapping's own key wins");
        assert_eq!(trigger["threshold"], "5", "earlier merged mappings win");
        assert_eq!(trigger["activationThreshold"], "1");
        assert!(trigger.get("<<").is_none());
        let threshold = docs[0].pos("/trigger/threshold");
        assert_eq!(threshold.key, Pos { line: 3, column: 3 });
        assert_eq!(
            threshold.value,
            Pos {
                line: 3,
                column: 14
            }
        );
        assert_eq!(docs[0].pos("/trigger/activationThreshold").key.line, 6);
        assert_eq!(docs[0].pos("/trigger/query").key.line, 10);

        let inline = load_str("i.yaml", "a:\n  <<: {x: 1}\n  y: 2\n").unwrap();
        assert_eq!(
            inline[0].value.to_json()["a"],
            serde_json::json!({"x": 1, "y": 2})
        );
        let err = load_str("bad.yaml", "a:\n  <<: 3\n").unwrap_err();
        assert!(err.message.contains("merge key"), "{err}");
        assert_eq!(err.pos.map(|p| p.line), Some(2));
        let quoted = load_str("q.yaml", "a: {\"<<\": 1}\n").unwrap();
        assert_eq!(
            quoted[0].value.to_json()["a"]["<<"],
            1,
            "a quoted << is an ordinary key"
        );
    }

    #[test]
    fn aliases_point_at_the_use_and_fields_inside_at_the_anchor() {
        let text = "meta: &m\n  query: sum(x)\nspec:\n  metadata: *m\n";
        let docs = load_str("a.yaml", text).unwrap();
        let used = docs[0].pos("/spec/metadata");
        assert_eq!(used.key, Pos { line: 4, column: 3 });
        assert_eq!(
            used.value,
            Pos {
                line: 4,
                column: 13
            }
        );
        assert_eq!(docs[0].pos("/spec/metadata/query").key.line, 2);
        assert_eq!(docs[0].scalar_kind("/meta/query"), Some(ScalarKind::Plain));
    }

    #[test]
    fn scalar_kinds_are_kept() {
        let text = "a: x\nb: 'x'\nc: \"x\"\nd: |\n  x\ne: >\n  x\nf: {g: 1}\n";
        let docs = load_str("k.yaml", text).unwrap();
        let kind = |p: &str| docs[0].scalar_kind(p);
        assert_eq!(kind("/a"), Some(ScalarKind::Plain));
        assert_eq!(kind("/b"), Some(ScalarKind::SingleQuoted));
        assert_eq!(kind("/c"), Some(ScalarKind::DoubleQuoted));
        assert_eq!(kind("/d"), Some(ScalarKind::Literal));
        assert_eq!(kind("/e"), Some(ScalarKind::Folded));
        assert_eq!(kind("/f"), None);
        assert_eq!(kind("/f/nope"), None);
    }

    #[test]
    fn pointer_lookups_match_serde_json() {
        let json = serde_json::json!({"a/b": {"c~d": [1, {"e": 2}]}, "": 3, "l": [4]});
        let value = Value::from(&json);
        for pointer in [
            "",
            "/a~1b",
            "/a~1b/c~0d/1/e",
            "/a~1b/c~0d/0",
            "/",
            "/l/0",
            "/l/00",
            "/l/+0",
            "/l/1",
            "/nope",
            "nope",
            "/a~1b/c~0d/x",
        ] {
            assert_eq!(
                value.at(pointer).map(Value::to_json).as_ref(),
                json.pointer(pointer),
                "{pointer}"
            );
        }
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

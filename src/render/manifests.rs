//! Writing generated manifests: a multi-document YAML stream, a JSON `v1` List (so that
//! `kubectl apply -f` takes either), or one file per object in a folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

/// Writes objects as YAML documents, each starting with `---`.
pub fn write_yaml_stream(out: &mut dyn Write, objects: &[Value]) -> anyhow::Result<()> {
    for object in objects {
        let text = super::to_yaml(object)?;
        write!(out, "---\n{text}").context("failed to write YAML")?;
        if !text.ends_with('\n') {
            writeln!(out).context("failed to write YAML")?;
        }
    }
    out.flush().context("failed to write YAML")
}

/// Writes objects as one pretty-printed `v1` List.
pub fn write_json_list(out: &mut dyn Write, objects: &[Value]) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_list(objects)).context("failed to write JSON")?;
    writeln!(out).context("failed to write JSON")?;
    out.flush().context("failed to write JSON")
}

/// A `v1` List holding the objects.
pub fn json_list(objects: &[Value]) -> Value {
    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects})
}

/// One object to write to a folder, with its file name.
#[derive(Debug, Clone)]
pub struct NamedObject {
    /// File name, without folder.
    pub file_name: String,
    /// The object.
    pub value: Value,
}

/// Writes each object to its own file under `dir` (created if missing), as YAML or JSON;
/// returns the paths written.
pub fn write_dir(dir: &Path, objects: &[NamedObject], json: bool) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: failed to create folder", dir.display()))?;
    let mut written = Vec::new();
    for object in objects {
        let path = dir.join(&object.file_name);
        let mut text = Vec::new();
        if json {
            serde_json::to_writer_pretty(&mut text, &object.value)
                .context("failed to write JSON")?;
            text.push(b'\n');
        } else {
            write_yaml_stream(&mut text, std::slice::from_ref(&object.value))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("{}: failed to write", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Removes the files directly in `dir` whose names `ours` recognizes and that are not in
/// `keep` (what this run wrote); returns the paths removed. Other files are left alone.
pub fn remove_other_files(
    dir: &Path,
    keep: &[PathBuf],
    ours: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: failed to list", dir.display()))?;
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: failed to list", dir.display()))?;
        let path = entry.path();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if is_file && ours(name) && !keep.contains(&path) {
            std::fs::remove_file(&path)
                .with_context(|| format!("{}: failed to remove", path.display()))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

//! Finding manifest files under a folder: `*.yaml`, `*.yml` and `*.json`, recursively, in a
//! stable (sorted) order. Symbolic links are followed, but a folder is walked once however
//! many links lead to it, so a link back up the tree does not loop.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The manifest files under `dir` (or `dir` itself when it is not a folder: a file, or a pipe
/// such as `<(helm template …)`), sorted by path. Hidden entries (names starting with `.`) are
/// skipped, and a folder reached again through a symbolic link (a loop, or a second link to it)
/// is not walked again.
pub fn manifest_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            files.push(dir.to_path_buf());
            return Ok(files);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("{}: no such file or folder", dir.display())
        }
        Err(e) => return Err(e).with_context(|| format!("{}: cannot read", dir.display())),
    }
    let mut walked = HashSet::new();
    collect(dir, &mut files, &mut walked)?;
    files.sort();
    Ok(files)
}

fn collect(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    walked: &mut HashSet<PathBuf>,
) -> anyhow::Result<()> {
    let real = std::fs::canonicalize(dir)
        .with_context(|| format!("{}: failed to read folder", dir.display()))?;
    if !walked.insert(real) {
        tracing::info!(
            "{}: a symbolic link leads to a folder already read; not read again",
            dir.display()
        );
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: failed to read folder", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: failed to read folder", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, files, walked)?;
        } else if is_manifest(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_manifest(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// Looks for a file called `name` in `start` and each folder above it (config files).
pub fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_manifests_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.yaml"), "").unwrap();
        std::fs::write(dir.path().join("a.json"), "").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        std::fs::write(dir.path().join("sub/c.yml"), "").unwrap();
        let names: Vec<String> = manifest_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.json", "b.yaml", "sub/c.yml"]);
        let err = manifest_files(&dir.path().join("missing.yaml")).unwrap_err();
        assert!(
            format!("{err:#}").ends_with("missing.yaml: no such file or folder"),
            "{err:#}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_link_loops_are_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.yaml"), "").unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
        std::os::unix::fs::symlink(&sub, dir.path().join("again")).unwrap();
        let names: Vec<String> = manifest_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}

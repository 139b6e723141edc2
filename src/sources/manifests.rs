//! Reading the inputs of `lint`: the files named and those found under folders, each file
//! once however many times it is named or reached through links, read and parsed with
//! positions on all cores, in input order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::lint::parallel;
use crate::model::manifest::{Document, LoadError, load_str};
use crate::sources::{files, walk};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path (`-` for stdin).
    pub path: PathBuf,
    /// How it is named in findings and messages (`<stdin>` for `-`).
    pub name: String,
    /// Named on the command line, rather than found in a folder.
    pub explicit: bool,
}

/// A path that could not be turned into files to read.
#[derive(Debug)]
pub struct PathError {
    /// The path as given.
    pub path: PathBuf,
    /// Why (the message names the path).
    pub error: anyhow::Error,
    /// How many inputs come before it, to report it in the order the paths were given.
    pub position: usize,
}

/// The files to read for `paths`, in order: files as given, folders walked (sorted). A file
/// named twice, or reached again through a symbolic link, is read once.
pub fn resolve(paths: &[PathBuf]) -> (Vec<Input>, Vec<PathError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let found = if path.is_dir() {
            match walk::manifest_files(path) {
                Ok(found) if found.is_empty() => {
                    let error = anyhow::anyhow!(
                        "{}: folder holds no *.yaml, *.yml or *.json files",
                        path.display()
                    );
                    errors.push(PathError {
                        path: path.clone(),
                        error,
                        position: inputs.len(),
                    });
                    continue;
                }
                Ok(found) => found.into_iter().map(|p| (p, false)).collect(),
                Err(error) => {
                    errors.push(PathError {
                        path: path.clone(),
                        error,
                        position: inputs.len(),
                    });
                    continue;
                }
            }
        } else {
            vec![(path.clone(), true)]
        };
        for (path, explicit) in found {
            if !seen.insert(identity(&path)) {
                tracing::info!("{}: already read; read once", path.display());
                continue;
            }
            inputs.push(Input {
                name: files::display_name(&path),
                path,
                explicit,
            });
        }
    }
    (inputs, errors)
}

/// What makes two paths the same file: the canonical path when the file exists.
fn identity(path: &Path) -> PathBuf {
    if path == Path::new("-") {
        return path.to_path_buf();
    }
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// One input after reading and parsing.
#[derive(Debug)]
pub struct Loaded {
    /// The input.
    pub input: Input,
    /// Its text and documents, or why it could not be read or parsed.
    pub outcome: Result<(String, Vec<Document>), LoadFailure>,
}

/// Why an input could not be linted.
#[derive(Debug)]
pub enum LoadFailure {
    /// It could not be read (missing, too large, binary, not UTF-8).
    Read(anyhow::Error),
    /// It is not valid YAML or JSON.
    Parse(LoadError),
}

/// Reads and parses `inputs` on all cores (each file by one worker), in input order.
pub fn load_all(inputs: Vec<Input>, max_bytes: u64) -> Vec<Loaded> {
    let outcomes = parallel::map_each(&inputs, |_: &mut (), _, input| {
        let text = files::read_text(&input.path, max_bytes).map_err(LoadFailure::Read)?;
        let docs = load_str(&input.name, &text).map_err(LoadFailure::Parse)?;
        Ok((text, docs))
    });
    inputs
        .into_iter()
        .zip(outcomes)
        .map(|(input, outcome)| Loaded { input, outcome })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_twice_or_found_again_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "kind: Pod\nmetadata: {name: a}\n").unwrap();
        let again = dir.path().join(".").join("a.yaml");
        let (inputs, errors) = resolve(&[file.clone(), dir.path().to_path_buf(), again]);
        assert!(errors.is_empty());
        assert_eq!(inputs.len(), 1);
        assert!(inputs[0].explicit);

        let loaded = load_all(inputs, files::DEFAULT_MAX_FILE_BYTES);
        let Ok((_, docs)) = &loaded[0].outcome else {
            panic!("{:?}", loaded[0].outcome);
        };
        assert_eq!(docs[0].name(), "a");
    }
}

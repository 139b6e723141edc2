//! The text of every input, kept for the Helm `# Source:` line mapping and for the text
//! renderer, which prints the offending line of YAML under each finding.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::manifest::Document;

/// The texts that were read, by the file name used in documents.
#[derive(Debug, Default)]
pub struct Sources {
    files: HashMap<String, SourceFile>,
    /// Where the charts of `# Source:` paths live (`--source-root`): Helm names chart files
    /// relative to the chart's parent (`llm/templates/so.yaml`), the repository does not.
    source_root: Option<String>,
}

#[derive(Debug)]
struct SourceFile {
    text: String,
    /// Byte offset of the start of each line, indexed when a line is first asked for (most
    /// files of a large run never are, and those that are get indexed on the rule workers).
    line_starts: OnceLock<Vec<usize>>,
    /// `(line, chart file)` of each Helm `# Source:` comment, in line order.
    /// Read on first use: only documents under such a comment ask.
    helm: OnceLock<Vec<(u32, String)>>,
}

impl Sources {
    /// Keeps the text of `file`.
    pub fn add(&mut self, file: &str, text: String) {
        self.files.insert(
            file.to_string(),
            SourceFile {
                text,
                line_starts: OnceLock::new(),
                helm: OnceLock::new(),
            },
        );
    }

    /// Prefixes the chart files of Helm `# Source:` comments with `root` (e.g. `charts/`), so
    /// that findings name files as they are in the repository.
    pub fn set_source_root(&mut self, root: &str) {
        let root = root.trim_end_matches(['/', '\\']);
        self.source_root = (!root.is_empty()).then(|| root.to_string());
    }

    /// Line `line` (1-based) of `file`, without its line break.
    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        let source = self.files.get(file)?;
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let line_starts = source.line_starts.get_or_init(|| {
            let newlines = memchr::memchr_iter(b'\n', source.text.as_bytes());
            std::iter::once(0).chain(newlines.map(|i| i + 1)).collect()
        });
        let start = *line_starts.get(index)?;
        let end = line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(source.text.len());
        Some(source.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// For a document under a Helm `# Source:` comment: the chart file and the line of the
    /// comment, so that lines can be counted from the start of the chart template.
    pub fn helm_place(&self, doc: &Document) -> Option<(String, u32)> {
        let source = doc.helm_source.as_ref()?;
        let file = self.files.get(&doc.file)?;
        let start = doc.start().line;
        let helm = file.helm.get_or_init(|| helm_comments(&file.text));
        let cut = helm.partition_point(|(line, _)| *line <= start);
        let (line, path) = helm.get(cut.checked_sub(1)?)?;
        if path != source {
            return None;
        }
        let chart_file = match &self.source_root {
            Some(root) => format!("{root}/{source}"),
            None => source.clone(),
        };
        Some((chart_file, *line))
    }
}

fn helm_comments(text: &str) -> Vec<(u32, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::load_str;

    #[test]
    fn helm_lines_count_from_the_source_comment() {
        let text = "---\n# Source: chart/templates/a.yaml\nkind: A\nmetadata:\n  name: a\n";
        let mut sources = Sources::default();
        sources.add("<stdin>", text.to_string());
        let docs = load_str("<stdin>", text).unwrap();
        let (file, line) = sources.helm_place(&docs[0]).unwrap();
        assert_eq!((file.as_str(), line), ("chart/templates/a.yaml", 2));
        assert_eq!(sources.line("<stdin>", 5), Some("  name: a"));
        assert_eq!(sources.line("<stdin>", 9), None);

        sources.set_source_root("charts/");
        let (file, _) = sources.helm_place(&docs[0]).unwrap();
        assert_eq!(file, "charts/chart/templates/a.yaml");
    }
}

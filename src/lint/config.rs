//! The `lint` section of `.kubectl-infer.yaml`: which rules run, what fails the run, and the
//! cold start. Parsed through the positioned loader so that mistakes name file:line:column.

use serde::Deserialize;

use super::Severity;
use crate::model::manifest::{LoadError, load_str};

/// The config file name, looked up from the current directory upwards.
pub const FILE_NAME: &str = ".kubectl-infer.yaml";

/// The whole file; other commands may add their own sections.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    lint: Config,
}

/// The `lint:` section.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Only these codes or code prefixes run.
    #[serde(default)]
    pub select: Vec<String>,
    /// These codes or code prefixes never run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The lowest severity that fails the run.
    pub fail_on: Option<Severity>,
    /// The cold start, as a duration such as `2m` or `90s`.
    pub cold_start: Option<String>,
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(serde::de::Error::custom(format!(
                "unknown severity {other:?}, expected error, warning or info"
            ))),
        }
    }
}

/// Parses the text of a config file named `file`.
pub fn parse(file: &str, text: &str) -> Result<Config, LoadError> {
    let docs = load_str(file, text)?;
    match docs.first() {
        Some(doc) => Ok(doc.parse::<File>()?.lint),
        None => Ok(Config::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lint_section() {
        let config = parse(
            "c.yaml",
            "lint:\n  select: [KED]\n  ignore: [KED019]\n  failOn: error\n  coldStart: 2m\n",
        )
        .unwrap();
        assert_eq!(config.select, vec!["KED"]);
        assert_eq!(config.fail_on, Some(Severity::Error));
        assert_eq!(config.cold_start.as_deref(), Some("2m"));
    }

    #[test]
    fn mistakes_name_the_line() {
        let err = parse("c.yaml", "lint:\n  failOn: never\n").unwrap_err();
        assert!(err.to_string().starts_with("c.yaml:2:"), "{err}");
        let err = parse("c.yaml", "lint:\n  selct: [KED]\n").unwrap_err();
        assert!(err.to_string().contains("selct"), "{err}");
    }
}

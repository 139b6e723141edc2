//! Everything that writes results to stdout goes through here: JSON and YAML documents with a
//! version field, and the helpers that the per-command renderers share.

pub mod explain;
pub mod lint;
pub mod manifests;
pub mod probe;
pub mod simulate;
pub mod validate;

use std::io::{self, Write};

use anyhow::Context;
use serde::Serialize;

/// The `version` field of every JSON and YAML result, bumped on incompatible changes.
pub const OUTPUT_VERSION: &str = "kubectl-infer/v1alpha1";

/// A result with the `version` field in front.
#[derive(Debug, Serialize)]
pub struct Versioned<'a, T: Serialize> {
    /// Always [`OUTPUT_VERSION`].
    pub version: &'static str,
    /// The result itself, flattened beside `version`.
    #[serde(flatten)]
    pub body: &'a T,
}

/// Writes `body` as pretty JSON with a `version` field, then a newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, body: &T) -> anyhow::Result<()> {
    let versioned = Versioned {
        version: OUTPUT_VERSION,
        body,
    };
    serde_json::to_writer_pretty(&mut *out, &versioned).context("failed to write JSON")?;
    writeln!(out).context("failed to write JSON")?;
    Ok(())
}

/// Writes `body` as YAML with a `version` field.
pub fn write_yaml<T: Serialize>(out: &mut dyn Write, body: &T) -> anyhow::Result<()> {
    let versioned = Versioned {
        version: OUTPUT_VERSION,
        body,
    };
    let text = to_yaml(&versioned)?;
    out.write_all(text.as_bytes())
        .context("failed to write YAML")?;
    Ok(())
}

/// Serializes any value to YAML text (one document, no `---`).
pub fn to_yaml<T: Serialize>(value: &T) -> anyhow::Result<String> {
    serde_saphyr::to_string(value).context("failed to serialize YAML")
}

/// Whether an error is stdout closing under us (`| head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = match cause.downcast_ref::<serde_json::Error>() {
            Some(json) => json.io_error_kind(),
            None => cause.downcast_ref::<io::Error>().map(io::Error::kind),
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

/// Locked, buffered stdout for results.
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        max_replicas: u32,
    }

    #[test]
    fn json_has_the_version_first() {
        let mut out = Vec::new();
        write_json(&mut out, &Body { max_replicas: 8 }).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["version"], OUTPUT_VERSION);
        assert_eq!(v["maxReplicas"], 8);
    }

    /// A reader that went away, as `| head` does.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_json_and_yaml_writers() {
        let json = write_json(&mut ClosedPipe, &Body { max_replicas: 8 }).unwrap_err();
        assert!(is_broken_pipe(&json), "{json:#}");
        let yaml = write_yaml(&mut ClosedPipe, &Body { max_replicas: 8 }).unwrap_err();
        assert!(is_broken_pipe(&yaml), "{yaml:#}");
        let other = anyhow::anyhow!("failed to write JSON");
        assert!(!is_broken_pipe(&other));
    }

    #[test]
    fn yaml_round_trips() {
        let mut out = Vec::new();
        write_yaml(&mut out, &Body { max_replicas: 3 }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("maxReplicas: 3"), "{text}");
    }
}

//! Reading a saved probe report (`probe -o json` or `-o yaml`) for the commands that take
//! `--probe-report FILE` in place of `--cold-start`.

use std::path::Path;

use anyhow::Context;

use crate::coldstart::report::ColdStart;
use crate::sources::files;

/// The cold start recorded in the report at `path` (`-` reads stdin); errors name the file.
pub fn read_cold_start(path: &Path) -> anyhow::Result<ColdStart> {
    let text = files::read_text(path, files::DEFAULT_MAX_FILE_BYTES)?;
    ColdStart::from_report(&text).with_context(|| files::display_name(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_and_a_wrong_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("probe.json");
        let body = r#"{"version": "kubectl-infer/v1alpha1", "coldStart":
            {"seconds": 151.2, "source": "pods", "basis": "p90 of time to ready over 4 of 4 pods"}}"#;
        std::fs::write(&path, body).unwrap();
        let cold = read_cold_start(&path).unwrap();
        assert_eq!(cold.duration(), std::time::Duration::from_millis(151_200));

        std::fs::write(&path, "kind: ScaledObject\n").unwrap();
        let err = format!("{:#}", read_cold_start(&path).unwrap_err());
        assert!(
            err.ends_with(
                "probe.json: not a probe report: line 1 column 1: missing field `version`"
            ),
            "{err}"
        );
    }
}

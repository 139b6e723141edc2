//! The command line shared by every command: usage errors, help and version, and stdout
//! closing under the plugin.

use std::process::Stdio;

use crate::support::cli;

#[test]
fn usage_errors_are_one_line_with_exit_2() {
    for args in [
        &["generate", "--signl", "queue"][..],
        &["generate", "-o", "xml"],
        &["genrate"],
        &["lint", "--fail-on", "never", "x.yaml"],
    ] {
        let output = cli().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(
            stderr.trim_end().ends_with("see --help"),
            "{args:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = cli()
        .args(["generate", "--signl", "queue"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a similar argument exists: '--signal'"),
        "the tip survives: {stderr}"
    );
}

#[test]
fn help_and_version_go_to_stdout_with_exit_0() {
    for args in [&["--help"][..], &["--version"], &["explain", "-h"]] {
        let output = cli().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(!output.stdout.is_empty(), "{args:?}");
        assert!(output.stderr.is_empty(), "{args:?}");
    }
    let help = cli().args(["explain", "-h"]).output().unwrap().stdout;
    let help = String::from_utf8_lossy(&help);
    assert!(help.contains("Global options:"), "{help}");
    assert!(
        help.contains("kubectl infer explain llama -n serving"),
        "{help}"
    );
}

/// `kubectl infer rules -o json | head -1`: the reader goes away before the plugin writes,
/// which is not a failure of the plugin.
#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    let bin = assert_cmd::cargo::cargo_bin("kubectl-infer");
    for format in ["json", "yaml", "table"] {
        let mut child = std::process::Command::new(&bin)
            .args(["rules", "-o", format])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "-o {format}: {stderr}");
        assert_eq!(stderr, "", "-o {format}");
    }
}

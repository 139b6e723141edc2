//! `completion`: the shipped scripts are fresh, and kubectl's plugin completer works.

use crate::support::{cli, repo_root};

#[test]
fn shipped_completion_scripts_are_fresh() {
    let shipped = [
        ("bash", "kubectl-infer.bash"),
        ("zsh", "_kubectl-infer"),
        ("fish", "kubectl-infer.fish"),
        ("powershell", "kubectl-infer.ps1"),
    ];
    for (shell, file) in shipped {
        let output = cli().args(["completion", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {output:?}");
        assert!(!output.stdout.is_empty(), "{shell}: empty script");
        let path = repo_root().join("completions").join(file);
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == output.stdout,
            "{} is stale: run ./scripts/completions and commit completions/",
            path.display()
        );
    }
}

#[test]
fn kubectl_plugin_completer_lists_commands_and_values() {
    let script = repo_root().join("completions/kubectl_complete-infer");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert!(
            mode & 0o111 != 0,
            "kubectl_complete-infer must be executable"
        );
    }
    let bin = assert_cmd::cargo::cargo_bin("kubectl-infer");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        let output = std::process::Command::new("sh")
            .arg(&script)
            .args(args)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert!(output.stderr.is_empty(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let top = run(&["ge"]);
    assert!(top.starts_with("generate\t"), "{top}");
    assert!(top.ends_with(":4\n"), "{top}");
    let servers = run(&["generate", "--kueue-"]);
    assert_eq!(
        servers.lines().next(),
        Some("--kueue-api\tKueue API version: v1beta2 (default) or v1beta1")
    );
    let files = run(&["generate", "--spec", ""]);
    assert_eq!(files, ":0\n");
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let output = cli().args(["completion", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

#[test]
fn kubectl_plugin_completer_offers_the_kubeconfig_contexts() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncurrent-context: prod\n\
         contexts:\n- name: prod\n  context: {cluster: p, user: u}\n\
         - name: staging\n  context: {cluster: s, user: u}\n",
    )
    .unwrap();
    let output = cli()
        .env("KUBECONFIG", &kubeconfig)
        .args(["completion", "kubectl", "--", "explain", "--context", "st"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "staging\n:4\n");
}

//! `kubectl-infer lint` and `rules`: a fixture and snapshots per rule, good manifests with no
//! findings, bad inputs, exit codes, output formats (SARIF checked against what GitHub code
//! scanning requires), suppression, the config file, Helm sources and the README rule table.

use std::path::Path;

use kubectl_infer::lint::catalog::{self, Check, RULES};
use serde_json::Value;

use crate::support::{cli, fixture, repo_root};

const RULES_DIR: &str = "tests/fixtures/lint/rules";
const GOOD_DIR: &str = "tests/fixtures/lint/good";

/// Extra arguments a fixture asks for on its first line (`# args: --cold-start 3m`).
fn fixture_args(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .map(|a| a.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn lint(args: &[&str]) -> (i32, String, String) {
    let out = cli()
        .current_dir(repo_root())
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    for rule in RULES {
        let path = format!("{RULES_DIR}/{}.yaml", rule.code);
        let extra = fixture_args(&repo_root().join(&path));
        let mut args: Vec<&str> = extra.iter().map(String::as_str).collect();
        args.extend(["--select", rule.code, "--fail-on", "info", &path]);

        let (code, text, stderr) = lint(&args);
        assert_eq!(code, 1, "{}: expected findings\n{text}{stderr}", rule.code);
        assert!(stderr.is_empty(), "{}: {stderr}", rule.code);
        insta::assert_snapshot!(format!("{}_text", rule.code), text);

        args.extend(["--format", "json"]);
        let (_, stdout, _) = lint(&args);
        let report = json(&stdout);
        let findings = report["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{}", rule.code);
        for finding in findings {
            assert_eq!(finding["code"], rule.code);
            assert!(finding["location"]["start"]["line"].as_u64().unwrap() >= 1);
        }
        insta::assert_json_snapshot!(format!("{}_json", rule.code), report);
    }
}

#[test]
fn every_fixture_names_a_rule() {
    for entry in std::fs::read_dir(repo_root().join(RULES_DIR)).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let code = name.trim_end_matches(".yaml");
        assert!(catalog::find(code).is_some(), "{name} names no rule");
    }
}

#[test]
fn good_manifests_have_no_findings() {
    let (code, stdout, stderr) = lint(&["--fail-on", "info", "--cold-start", "2m", GOOD_DIR]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("No findings in "), "{stdout}");
    assert_eq!(stderr, "");
}

#[test]
fn a_finding_points_at_the_field_with_a_caret() {
    let (code, stdout, _) = lint(&["--select", "KED002", &format!("{RULES_DIR}/KED002.yaml")]);
    assert_eq!(code, 1);
    let expected = "tests/fixtures/lint/rules/KED002.yaml:19:9: error[KED002] \
                    ThresholdNotPositive: ScaledObject serving/llm: \
                    triggers[0].metadata.threshold \"0\" is not positive\n    |\n 19 |         \
                    threshold: \"0\"\n    |         ^^^^^^^^^^^^^^\n";
    assert!(stdout.starts_with(expected), "{stdout}");
    assert!(
        stdout
            .ends_with("Found 1 finding (1 error, 0 warnings, 0 info) in 1 object from 1 file.\n"),
        "{stdout}"
    );
}

#[test]
fn a_query_parse_error_points_inside_the_query() {
    let (_, stdout, _) = lint(&[
        "--select",
        "PQL001",
        "--format",
        "json",
        &format!("{RULES_DIR}/PQL001.yaml"),
    ]);
    let finding = &json(&stdout)["findings"][0];
    // `query: sum(rate(...` starts at column 16 of line 18; the unclosed `(` after `sum` is at 19.
    assert_eq!(finding["location"]["start"]["line"], 18);
    assert_eq!(finding["location"]["start"]["column"], 19);
}

/// Offsets inside literal, folded and double-quoted queries map to the line and column of the
/// character (the problem on the second line of a block; escapes counted once).
#[test]
fn query_positions_inside_block_and_quoted_scalars() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("so.yaml");
    let text = r#"apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: llm, namespace: serving}
spec:
  scaleTargetRef: {name: llm}
  minReplicaCount: 1
  fallback: {failureThreshold: 3, replicas: 2}
  triggers:
    - type: prometheus
      name: literal
      metadata:
        serverAddress: http://p:9090
        query: |
          sum(vllm:num_requests_running{namespace="serving"})
            + sum(vllm_num_requests_waiting{namespace="serving"})
        threshold: "5"
        ignoreNullValues: "false"
    - type: prometheus
      name: folded
      metadata:
        serverAddress: http://p:9090
        query: >
          sum(vllm:num_requests_running{namespace="serving"})
          + sum(vllm_num_requests_running{namespace="serving"})
        threshold: "5"
        ignoreNullValues: "false"
    - type: prometheus
      name: quoted
      metadata:
        serverAddress: http://p:9090
        query: "sum(x{l=\"a\"}) + sum(vllm_num_requests_waiting)"
        threshold: "5"
        ignoreNullValues: "false"
"#;
    std::fs::write(&path, text).unwrap();
    let out = cli()
        .args(["lint", "--select", "PQL003", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let report = json(&String::from_utf8(out.stdout).unwrap());
    let starts: Vec<(u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let start = &f["location"]["start"];
            (
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(starts, [(15, 19), (24, 17), (31, 39)]);
}

#[test]
fn fail_on_decides_the_exit_code() {
    let path = format!("{RULES_DIR}/KED019.yaml");
    assert_eq!(
        lint(&["--select", "KED019", &path]).0,
        0,
        "info does not fail by default"
    );
    assert_eq!(
        lint(&["--select", "KED019", "--fail-on", "info", &path]).0,
        1
    );
    let path = format!("{RULES_DIR}/KED014.yaml");
    assert_eq!(lint(&["--fail-on", "error", &path]).0, 0);
    assert_eq!(lint(&["--ignore", "KED", &path]).0, 0);
}

#[test]
fn select_and_ignore_match_codes_in_any_case() {
    let path = format!("{RULES_DIR}/KED002.yaml");
    let (code, stdout, _) = lint(&["--select", "ked002", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("error[KED002]"), "{stdout}");
    let (code, stdout, _) = lint(&["--select", "ked", "--ignore", "ked0", &path]);
    assert_eq!(code, 0, "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".kubectl-infer.yaml"),
        "lint:\n  select: [ked002]\n",
    )
    .unwrap();
    std::fs::copy(repo_root().join(&path), dir.path().join("so.yaml")).unwrap();
    let out = cli()
        .current_dir(dir.path())
        .args(["lint", "so.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[KED002]"), "{stdout}");
}

#[test]
fn unknown_rule_in_select_is_a_usage_error() {
    let (code, stdout, stderr) = lint(&["--select", "NOPE1", RULES_DIR]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("\"NOPE1\" names no rule"), "{stderr}");
}

#[test]
fn bad_inputs_each_get_one_line_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("malformed.yaml"), "kind: A\nmetadata:\n  name: [x\n").unwrap();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    std::fs::write(d.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(d.join("binary.yaml"), b"\x7fELF\x02\x01\x00\x00").unwrap();
    std::fs::write(d.join("utf8.yaml"), b"kind: A\nmetadata: {name: \xff}\n").unwrap();
    std::fs::write(d.join("empty.yaml"), "").unwrap();
    let big = std::fs::File::create(d.join("big.yaml")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    std::fs::create_dir(d.join("nothing")).unwrap();
    let good = repo_root().join(RULES_DIR).join("KED002.yaml");

    let out = cli()
        .arg("lint")
        .arg(d)
        .arg(d.join("nothing"))
        .arg(&good)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 7, "{stderr}");
    // An empty file found in a folder is skipped with a note; the others are errors.
    assert!(
        lines[0].starts_with("note: ") && lines[0].contains("empty.yaml"),
        "{stderr}"
    );
    let expect = [
        ("big.yaml", "over the limit"),
        ("binary.yaml", "binary file"),
        ("bomb.yaml:", "alias bomb"),
        ("malformed.yaml:4:1", "invalid YAML"),
        ("utf8.yaml:2", "invalid UTF-8"),
        ("nothing", "holds no *.yaml"),
    ];
    for ((name, why), line) in expect.iter().zip(&lines[1..]) {
        assert!(line.starts_with("error: "), "{line}");
        assert!(line.contains(name) && line.contains(why), "{name}: {line}");
    }
    assert!(
        stdout.contains("error[KED002]"),
        "the good file is still linted: {stdout}"
    );
}

#[test]
fn an_empty_file_named_on_the_command_line_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.yaml");
    std::fs::write(&path, "# nothing here yet\n").unwrap();
    let out = cli().arg("lint").arg(&path).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no Kubernetes objects"), "{stderr}");

    // Found in a folder next to a good manifest, it is skipped with a note.
    std::fs::copy(
        fixture("lint/good/vllm-kueue.yaml"),
        dir.path().join("good.yaml"),
    )
    .unwrap();
    let out = cli()
        .args(["lint", "--cold-start", "2m"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("note: ") && stderr.contains("empty.yaml"),
        "{stderr}"
    );
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let path = format!("{RULES_DIR}/KED016.yaml");
    let again = format!("{RULES_DIR}/../rules/KED016.yaml");
    let (code, once, _) = lint(&["--select", "KED016", "--format", "json", &path]);
    assert_eq!(code, 1);
    let (code, twice, _) = lint(&["--select", "KED016", "--format", "json", &path, &again]);
    assert_eq!(code, 1);
    let (once, twice) = (json(&once), json(&twice));
    assert_eq!(twice["summary"]["files"], 1);
    assert_eq!(twice["findings"], once["findings"]);
}

/// The same ScaledObject in two cluster overlays is one object, not two autoscalers of one
/// workload (KED016), and not a conflicting definition (LNT002 looks within one file).
#[test]
fn overlays_of_one_object_in_several_files_do_not_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_root().join(RULES_DIR).join("KED016.yaml")).unwrap();
    let scaled_object = text.split("---\n").next().unwrap();
    for (cluster, max) in [("us", "4"), ("eu", "6")] {
        let overlay = dir.path().join("clusters").join(cluster);
        std::fs::create_dir_all(&overlay).unwrap();
        let text = scaled_object.replace("maxReplicaCount: 4", &format!("maxReplicaCount: {max}"));
        std::fs::write(overlay.join("so.yaml"), text).unwrap();
    }
    let out = cli()
        .args(["lint", "--select", "KED016,LNT002", "--fail-on", "info"])
        .arg(dir.path().join("clusters"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("No findings in 2 objects from 2 files"),
        "{stdout}"
    );
}

#[test]
fn stdin_and_helm_sources_map_back_to_the_chart() {
    let text = std::fs::read_to_string(repo_root().join(RULES_DIR).join("KED002.yaml")).unwrap();
    let rendered = format!("---\n# Source: llm/templates/scaledobject.yaml\n{text}");
    let out = cli()
        .args(["lint", "--select", "KED002", "--format", "json", "-"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&String::from_utf8(out.stdout).unwrap());
    let location = &report["findings"][0]["location"];
    assert_eq!(location["file"], "llm/templates/scaledobject.yaml");
    assert_eq!(location["renderedFrom"], "<stdin>");
    assert_eq!(
        location["start"]["line"], 19,
        "lines count from the chart file's start"
    );
}

#[test]
fn suppression_needs_a_reason_and_shows_in_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_root().join(RULES_DIR).join("KED014.yaml")).unwrap();
    let with = |value: &str| {
        text.replacen(
            "  namespace: serving\nspec:",
            &format!(
                "  namespace: serving\n  annotations:\n    lint.kubectl-infer.io/KED014: \
                 \"{value}\"\nspec:"
            ),
            1,
        )
    };
    let path = dir.path().join("so.yaml");
    std::fs::write(&path, with("gateway retries on empty answers")).unwrap();
    let out = cli().arg("lint").arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("No findings in 1 object from 1 file; 1 suppressed."),
        "{stdout}"
    );

    let out = cli()
        .args(["lint", "--format", "sarif"])
        .arg(&path)
        .output()
        .unwrap();
    let sarif = json(&String::from_utf8(out.stdout).unwrap());
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "KED014");
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "gateway retries on empty answers"
    );

    std::fs::write(&path, with("")).unwrap();
    let out = cli().arg("lint").arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("[LNT001]") && stdout.contains("[KED014]"),
        "{stdout}"
    );
}

#[test]
fn sarif_has_what_github_code_scanning_requires() {
    let (code, stdout, _) = lint(&["--format", "sarif", RULES_DIR]);
    assert_eq!(code, 1);
    let sarif = json(&stdout);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kubectl-infer");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why it matters")
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= RULES.len());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("tests/fixtures/lint/rules/"), "{uri}");
        let region = &loc["region"];
        let (sl, sc) = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        let (el, ec) = (
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        assert!(sl >= 1 && sc >= 1 && (el, ec) >= (sl, sc), "{id}: {region}");
        assert_eq!(
            r["partialFingerprints"]["kubectlInfer/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
}

/// Code scanning and pull-request annotations attach to repository paths: absolute inputs under
/// the working directory are named relative to it, URIs are percent-encoded, standard input
/// (which has no path) gets no physical location, and Helm's chart paths take --source-root.
#[test]
fn sarif_and_annotations_name_repository_paths() {
    let absolute = repo_root().join(RULES_DIR).join("KED002.yaml");
    let absolute = absolute.to_str().unwrap();
    let (_, stdout, _) = lint(&["--format", "sarif", "--select", "KED002", absolute]);
    let sarif = json(&stdout);
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "tests/fixtures/lint/rules/KED002.yaml"
    );
    let (_, stdout, _) = lint(&["--format", "github", "--select", "KED002", absolute]);
    assert!(
        stdout.starts_with("::error file=tests/fixtures/lint/rules/KED002.yaml,line=19,"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().unwrap();
    let spaced = dir.path().join("dir with space");
    std::fs::create_dir(&spaced).unwrap();
    std::fs::copy(absolute, spaced.join("so#1.yaml")).unwrap();
    let out = cli()
        .current_dir(dir.path())
        .args([
            "lint",
            "--format",
            "sarif",
            "--select",
            "KED002",
            "dir with space",
        ])
        .output()
        .unwrap();
    let sarif = json(&String::from_utf8(out.stdout).unwrap());
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "dir%20with%20space/so%231.yaml"
    );

    let text = std::fs::read_to_string(absolute).unwrap();
    let out = cli()
        .args(["lint", "--format", "sarif", "--select", "KED002", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    let sarif = json(&String::from_utf8(out.stdout).unwrap());
    let result = &sarif["runs"][0]["results"][0];
    assert!(
        result["locations"][0].get("physicalLocation").is_none(),
        "{result}"
    );
    assert_eq!(result["locations"][0]["logicalLocations"][0]["name"], "llm");
    let message = result["message"]["text"].as_str().unwrap();
    assert!(message.contains("standard input, line 19:9"), "{message}");
    let out = cli()
        .args(["lint", "--format", "github", "--select", "KED002", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("::error title=KED002 "), "{stdout}");

    let rendered = format!("---\n# Source: llm/templates/scaledobject.yaml\n{text}");
    let out = cli()
        .args([
            "lint",
            "--format",
            "github",
            "--select",
            "KED002",
            "--source-root",
            "charts/",
        ])
        .arg("-")
        .write_stdin(rendered)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=charts/llm/templates/scaledobject.yaml,line=19,"),
        "{stdout}"
    );
}

/// Two findings of one rule on one field (two misspelt metrics in one query) are two alerts
/// in code scanning, so their fingerprints differ.
#[test]
fn sarif_fingerprints_tell_findings_on_one_field_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("so.yaml");
    std::fs::write(
        &path,
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: llm, namespace: \
         serving}\nspec:\n  scaleTargetRef: {name: llm}\n  minReplicaCount: 1\n  fallback: \
         {failureThreshold: 3, replicas: 2}\n  triggers:\n    - type: prometheus\n      \
         metadata:\n        serverAddress: http://p:9090\n        query: \
         sum(vllm_num_requests_waiting) + sum(vllm_num_requests_running)\n        threshold: \
         \"5\"\n        ignoreNullValues: \"false\"\n",
    )
    .unwrap();
    let out = cli()
        .args(["lint", "--format", "sarif", "--select", "PQL003"])
        .arg(&path)
        .output()
        .unwrap();
    let sarif = json(&String::from_utf8(out.stdout).unwrap());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let print = |r: &Value| r["partialFingerprints"]["kubectlInfer/v1"].clone();
    assert_ne!(print(&results[0]), print(&results[1]));
}

/// The pre-commit hook passes manifests but not Helm chart templates, which are not YAML
/// until rendered (they would fail the commit with exit 2).
#[test]
fn the_pre_commit_hook_skips_chart_templates() {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = kubectl_infer::model::manifest::load_str("hooks.yaml", &text).unwrap();
    let hooks = docs[0].value.to_json();
    let hook = &hooks[0];
    let pattern = |key: &str| regex::Regex::new(hook[key].as_str().unwrap()).unwrap();
    let (files, exclude) = (pattern("files"), pattern("exclude"));
    let passed = |path: &str| files.is_match(path) && !exclude.is_match(path);
    assert!(passed("deploy/llm/scaledobject.yaml"));
    assert!(passed("clusters/us/queues.json"));
    assert!(!passed("charts/llm/templates/scaledobject.yaml"));
    assert!(!passed("templates/deployment.yaml"));
}

#[test]
fn yaml_output_is_the_json_document() {
    let path = format!("{RULES_DIR}/KED002.yaml");
    for args in [&["-o", "yaml"][..], &["--format", "yaml"][..]] {
        let out = cli()
            .current_dir(repo_root())
            .arg("lint")
            .args(args)
            .args(["--select", "KED002", &path])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        let docs = kubectl_infer::model::manifest::load_str("out.yaml", &text).unwrap();
        let report = &docs[0].value.to_json();
        assert!(report["version"].is_string(), "{text}");
        assert_eq!(report["findings"][0]["code"], "KED002", "{text}");
        assert_eq!(report["summary"]["errors"], 1);
    }
}

/// JUnit follows --fail-on: a finding below it is reported but does not fail its case.
#[test]
fn junit_failures_follow_fail_on() {
    let path = format!("{RULES_DIR}/KED019.yaml");
    let (code, stdout, _) = lint(&["--format", "junit", "--select", "KED019", &path]);
    assert_eq!(code, 0, "info does not fail the run by default");
    assert!(stdout.contains("failures=\"0\""), "{stdout}");
    assert!(!stdout.contains("<failure"), "{stdout}");
    assert!(stdout.contains("<system-out>info: "), "{stdout}");
    let (code, stdout, _) = lint(&[
        "--format",
        "junit",
        "--fail-on",
        "info",
        "--select",
        "KED019",
        &path,
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("<failure type=\"info\""), "{stdout}");
}

#[test]
fn junit_and_github_formats() {
    let path = format!("{RULES_DIR}/KED002.yaml");
    let (code, stdout, _) = lint(&["--format", "junit", "--select", "KED002", &path]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert!(
        stdout.contains("tests=\"1\" failures=\"1\" errors=\"0\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("name=\"KED002 ThresholdNotPositive at 19:9\""),
        "{stdout}"
    );
    assert!(stdout.contains("&quot;0&quot; is not positive"), "{stdout}");
    assert!(stdout.trim_end().ends_with("</testsuites>"));

    let (_, stdout, _) = lint(&["--format", "github", "--select", "KED002", &path]);
    assert!(
        stdout.starts_with(
            "::error file=tests/fixtures/lint/rules/KED002.yaml,line=19,col=9,endLine=19,\
             endColumn=23,title=KED002 ThresholdNotPositive::ScaledObject serving/llm: "
        ),
        "{stdout}"
    );
    assert!(stdout.contains("%0AFix: "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1);
}

#[test]
fn the_config_file_is_found_upwards() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".kubectl-infer.yaml"),
        "lint:\n  ignore: [KED014]\n  failOn: error\n",
    )
    .unwrap();
    let sub = dir.path().join("deploy/prod");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(fixture("lint/rules/KED014.yaml"), sub.join("so.yaml")).unwrap();
    let out = cli()
        .current_dir(&sub)
        .args(["lint", "so.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("No findings"), "{stdout}");

    std::fs::write(
        dir.path().join(".kubectl-infer.yaml"),
        "lint:\n  failOn: sometimes\n",
    )
    .unwrap();
    let out = cli()
        .current_dir(&sub)
        .args(["lint", "so.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains(".kubectl-infer.yaml:2:"), "{stderr}");
}

/// When the current folder has no config file, the first linted path's folder (or the nearest
/// above it) is searched, so a run from outside the repository uses the repository's settings.
#[test]
fn the_config_file_is_found_from_the_first_path_too() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(
        repo.path().join(".kubectl-infer.yaml"),
        "lint:\n  ignore: [KED014]\n",
    )
    .unwrap();
    let deploy = repo.path().join("deploy");
    std::fs::create_dir(&deploy).unwrap();
    std::fs::copy(fixture("lint/rules/KED014.yaml"), deploy.join("so.yaml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = cli()
        .current_dir(elsewhere.path())
        .arg("lint")
        .arg(&deploy)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("No findings"), "{stdout}");
}

/// A cold start taken from a probe report is named as such in findings.
#[test]
fn a_probe_report_cold_start_is_named_in_findings() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("probe.json");
    std::fs::write(
        &report,
        r#"{"version": "kubectl-infer/v1alpha1", "coldStart": {"seconds": 600, "source": "pods", "basis": "p90 of time to ready over 4 of 4 pods"}}"#,
    )
    .unwrap();
    let path = format!("{RULES_DIR}/CLD002.yaml");
    let (code, stdout, stderr) = lint(&[
        "--select",
        "CLD002",
        "--probe-report",
        report.to_str().unwrap(),
        &path,
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("600s cold start (from the probe report "),
        "{stdout}"
    );
    assert!(stdout.contains("probe.json)"), "{stdout}");
    assert!(!stdout.contains("--cold-start"), "{stdout}");
}

/// KEDA reads ignoreNullValues with Go's strconv.ParseBool: `t`, `T`, `TRUE`, `True` are true.
#[test]
fn ignore_null_values_is_read_as_go_reads_booleans() {
    let text = std::fs::read_to_string(repo_root().join(RULES_DIR).join("KED014.yaml")).unwrap();
    for (value, flagged) in [
        ("T", true),
        ("TRUE", true),
        ("1", true),
        ("f", false),
        ("False", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("so.yaml");
        let with = text.replace(
            "        threshold: \"5\"\n",
            &format!("        threshold: \"5\"\n        ignoreNullValues: \"{value}\"\n"),
        );
        std::fs::write(&path, with).unwrap();
        let out = cli()
            .args(["lint", "--select", "KED014"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(i32::from(flagged)), "{value}");
    }
}

#[test]
fn rules_lists_and_documents() {
    let out = cli().args(["rules"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout.lines().count(), RULES.len() + 1, "{stdout}");
    assert!(
        stdout.lines().all(|line| line == line.trim_end()),
        "no padding after the last column"
    );
    assert!(stdout.contains("ZER001") && stdout.contains("ScaleToZeroOnPodLocalSignal"));

    let out = cli().args(["rules", "zer001"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for heading in [
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Instead",
        "## Known problems",
    ] {
        assert!(stdout.contains(heading), "{stdout}");
    }
    assert!(
        stdout.contains("## Instead\n\n```yaml\nminReplicaCount: 1\n"),
        "the Instead YAML is a code block like the Example: {stdout}"
    );

    let out = cli().args(["rules", "-o", "json"]).output().unwrap();
    let catalog = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(catalog["rules"].as_array().unwrap().len(), RULES.len());
    // The family is spelt as in the README table (`KEDA`, not `Keda`).
    let table = catalog::markdown_table();
    for rule in catalog["rules"].as_array().unwrap() {
        let row = format!(
            "| `{}` | {} | {} |",
            rule["code"].as_str().unwrap(),
            rule["name"].as_str().unwrap(),
            rule["family"].as_str().unwrap()
        );
        assert!(table.contains(&row), "{row}");
    }
    assert!(RULES.len() >= 30);

    let out = cli().args(["rules", "NOPE01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no rule \"NOPE01\"")
    );
}

#[test]
fn engine_rules_are_few() {
    let engine = RULES
        .iter()
        .filter(|r| matches!(r.check, Check::Engine))
        .count();
    assert_eq!(
        engine, 1,
        "only the suppression rule runs inside the engine"
    );
}

/// README's rule table sits between these markers; set `KUBECTL_INFER_UPDATE_README=1` to
/// rewrite it.
#[test]
fn readme_rule_table_is_current() {
    const START: &str = "<!-- rules:start (generated by `kubectl-infer rules --markdown`) -->\n";
    const END: &str = "<!-- rules:end -->";
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the rule table markers");
    };
    let current = &readme[a + START.len()..b];
    let fresh = catalog::markdown_table();
    if current != fresh {
        if std::env::var_os("KUBECTL_INFER_UPDATE_README").is_some() {
            let updated = format!("{}{fresh}{}", &readme[..a + START.len()], &readme[b..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "README's rule table is stale: run with KUBECTL_INFER_UPDATE_README=1 (or paste \
                 `kubectl-infer rules --markdown`)"
            );
        }
    }
}

/// Everything `generate` writes for every server preset and signal it supports (and the
/// Kueue variant) lints clean, when lint is given the same cold start. GPU utilization as the
/// only signal is left out on purpose: `GPU002` warns about it by design.
#[test]
fn generated_manifests_have_no_findings() {
    let servers = ["vllm", "tgi", "triton", "sglang", "nim", "llamacpp"];
    let signals = ["queue", "kv-cache", "running", "ttft"];
    let mut checked = 0;
    for server in servers {
        for signal in signals {
            let generated = cli()
                .args([
                    "generate",
                    "--name",
                    "llm",
                    "--namespace",
                    "serving",
                    "--server",
                    server,
                ])
                .args([
                    "--model",
                    "org/model",
                    "--gpus-per-replica",
                    "2",
                    "--min",
                    "1",
                ])
                .args(["--max", "4", "--cold-start", "2m", "--signal", signal])
                .args([
                    "--with-deployment",
                    "--queue",
                    "serving",
                    "--gpu-quota",
                    "8",
                ])
                .output()
                .unwrap();
            if !generated.status.success() {
                // Not every server exports every signal; generate refuses those combinations.
                assert_eq!(generated.status.code(), Some(2), "{server} {signal}");
                continue;
            }
            let out = cli()
                .args(["lint", "--fail-on", "info", "--cold-start", "2m", "-"])
                .write_stdin(generated.stdout)
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert_eq!(out.status.code(), Some(0), "{server} {signal}:\n{stdout}");
            assert!(stdout.starts_with("No findings in 5 objects"), "{stdout}");
            checked += 1;
        }
    }
    assert!(
        checked >= servers.len(),
        "every preset was checked at least once"
    );
}

#[test]
fn crds_from_a_folder_replace_the_embedded_schemas() {
    let crds = crate::support::embedded_crds();
    let path = format!("{RULES_DIR}/SCH001.yaml");
    let (code, stdout, stderr) =
        lint(&["--select", "SCH", "--crds", crds.to_str().unwrap(), &path]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("unknown field \"minReplicas\""), "{stdout}");

    let empty = tempfile::tempdir().unwrap();
    let (code, stdout, _) = lint(&[
        "--select",
        "SCH",
        "--crds",
        empty.path().to_str().unwrap(),
        &path,
    ]);
    assert_eq!(code, 0, "no CRDs, nothing to validate against: {stdout}");

    let (code, _, stderr) = lint(&["--crds", "/nonexistent/crds", &path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--crds /nonexistent/crds"), "{stderr}");
}

#[test]
fn crds_from_the_cluster_replace_the_embedded_schemas() {
    use crate::support::apiserver::FixtureApiServer;
    let crd_file = crate::support::embedded_crds().join("keda-v2.20/keda.sh_scaledobjects.yaml");
    let text = std::fs::read_to_string(&crd_file).unwrap();
    let crd = kubectl_infer::model::manifest::load_str("crd.yaml", &text).unwrap()[0]
        .value
        .to_json();
    let server = FixtureApiServer::start(vec![crd]);
    let path = format!("{RULES_DIR}/SCH001.yaml");
    let kubeconfig = server.kubeconfig().to_str().unwrap().to_string();
    let args = [
        "--kubeconfig",
        &kubeconfig,
        "--select",
        "SCH",
        "--crds-from-cluster",
        &path,
    ];
    let (code, stdout, stderr) = lint(&args);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("unknown field \"minReplicas\""), "{stdout}");
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path.contains("customresourcedefinitions")),
        "the CRDs were listed"
    );

    server.fail(
        "customresourcedefinitions",
        403,
        "forbidden: cannot list CRDs",
    );
    let (code, stdout, stderr) = lint(&args);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("customresourcedefinitions"), "{stderr}");
    assert_eq!(stdout, "");
}

/// `generate --with-deployment --cold-start 2m` sizes the startupProbe for 2 minutes (15 × 10 s
/// = 150 s). Linted with a longer cold start, from `--cold-start` or a probe report, CLD004
/// names the probe's budget, the cold start and the fix; with no cold start given, the cold
/// start is read from that same probe and CLD004 cannot fire.
#[test]
fn a_startup_probe_shorter_than_the_given_cold_start_is_reported() {
    let generated = cli()
        .args(["generate", "--name", "llm", "--namespace", "serving"])
        .args([
            "--server",
            "vllm",
            "--cold-start",
            "2m",
            "--with-deployment",
        ])
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    let lint_generated = |args: &[&str]| {
        let out = cli()
            .arg("lint")
            .args(args)
            .args(["--select", "CLD004", "--format", "json", "-"])
            .write_stdin(generated.stdout.clone())
            .output()
            .unwrap();
        let report = json(&String::from_utf8(out.stdout).unwrap());
        (
            out.status.code(),
            report["findings"].as_array().unwrap().clone(),
        )
    };

    let (code, findings) = lint_generated(&["--cold-start", "40m"]);
    assert_eq!(code, Some(1), "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let finding = &findings[0];
    assert_eq!(finding["object"]["kind"], "Deployment");
    assert!(
        finding["field"]
            .as_str()
            .unwrap()
            .ends_with("/startupProbe/failureThreshold"),
        "{finding}"
    );
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(
            "gives up after 150s (initialDelaySeconds 0 + failureThreshold 15 × \
                          periodSeconds 10), before the 2400s cold start (from --cold-start)"
        ),
        "{message}"
    );
    let fix = finding["fix"].as_str().unwrap();
    assert!(
        fix.contains("periodSeconds to 10 and failureThreshold to 300"),
        "{fix}"
    );

    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("probe.json");
    std::fs::write(
        &report,
        r#"{"version": "kubectl-infer/v1alpha1", "coldStart": {"seconds": 280, "source": "pods", "basis": "p90 of time to ready over 4 of 4 pods"}}"#,
    )
    .unwrap();
    let (code, findings) = lint_generated(&["--probe-report", report.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{findings:?}");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("after 150s")
            && message.contains("280s cold start (from the probe report"),
        "{message}"
    );

    let (code, findings) = lint_generated(&[]);
    assert_eq!(
        code,
        Some(0),
        "the cold start comes from the probe: {findings:?}"
    );
    let (code, findings) = lint_generated(&["--cold-start", "2m"]);
    assert_eq!(code, Some(0), "150 s covers 2 minutes: {findings:?}");
}

/// The HPA API takes policy types Pods and Percent, values above 0, periods in 1..=1800,
/// selectPolicy Max, Min or Disabled and stabilization windows in 0..=3600; KED021 reports each
/// field outside and nothing at the limits.
#[test]
fn hpa_behavior_outside_the_api_limits_is_reported() {
    let path = repo_root().join(RULES_DIR).join("KED021.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lint_text = |text: &str| {
        let path = dir.path().join("so.yaml");
        std::fs::write(&path, text).unwrap();
        let out = cli()
            .args(["lint", "--select", "KED021", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let report = json(&String::from_utf8(out.stdout).unwrap());
        let fields: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        (out.status.code(), fields)
    };

    let behavior = "/spec/advanced/horizontalPodAutoscalerConfig/behavior";
    let (code, fields) = lint_text(&text);
    assert_eq!(code, Some(1));
    assert_eq!(
        fields,
        [
            format!("{behavior}/scaleUp/selectPolicy"),
            format!("{behavior}/scaleUp/policies/0/value"),
            format!("{behavior}/scaleUp/policies/0/periodSeconds"),
            format!("{behavior}/scaleUp/policies/1/type"),
            format!("{behavior}/scaleDown/stabilizationWindowSeconds"),
            format!("{behavior}/scaleDown/policies/0/periodSeconds"),
        ]
    );

    let at_limits = text
        .replace("selectPolicy: Maximum", "selectPolicy: Disabled")
        .replace("type: percent", "type: Percent")
        .replace("value: 0\n", "value: 1\n")
        .replace("periodSeconds: 0\n", "periodSeconds: 1\n")
        .replace(
            "stabilizationWindowSeconds: 7200",
            "stabilizationWindowSeconds: 3600",
        )
        .replace("periodSeconds: 3600", "periodSeconds: 1800");
    assert_eq!(lint_text(&at_limits), (Some(0), vec![]));

    let negative = at_limits
        .replace(
            "stabilizationWindowSeconds: 3600",
            "stabilizationWindowSeconds: -1",
        )
        .replace("value: 50", "value: -50");
    let (code, fields) = lint_text(&negative);
    assert_eq!(code, Some(1));
    assert_eq!(
        fields,
        [
            format!("{behavior}/scaleDown/stabilizationWindowSeconds"),
            format!("{behavior}/scaleDown/policies/0/value"),
        ]
    );
}

/// A SARIF result has one message: the problem and the fix are two sentences in it, with no
/// full stop doubled, also when the place is said in the message (standard input).
#[test]
fn sarif_messages_say_the_problem_and_the_fix_as_two_sentences() {
    let path = format!("{RULES_DIR}/KED002.yaml");
    let (_, stdout, _) = lint(&["--format", "sarif", "--select", "KED002", &path]);
    let sarif = json(&stdout);
    assert_eq!(
        sarif["runs"][0]["results"][0]["message"]["text"],
        "ScaledObject serving/llm: triggers[0].metadata.threshold \"0\" is not positive. Fix: \
         Set `threshold` to a positive number, quoted: the per-replica target."
    );

    let (_, stdout, _) = lint(&["--format", "sarif", RULES_DIR]);
    let sarif = json(&stdout);
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let text = result["message"]["text"].as_str().unwrap();
        let (message, fix) = text
            .split_once(" Fix: ")
            .unwrap_or_else(|| panic!("{text}"));
        for sentence in [message, fix] {
            assert!(sentence.ends_with(['.', '?', '!']), "{text}");
            assert!(!sentence.ends_with(".."), "{text}");
        }
    }

    let out = cli()
        .args(["lint", "--format", "sarif", "--select", "KED002", "-"])
        .write_stdin(std::fs::read_to_string(repo_root().join(&path)).unwrap())
        .output()
        .unwrap();
    let sarif = json(&String::from_utf8(out.stdout).unwrap());
    let text = sarif["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("is not positive (read from standard input, line 19:9). Fix: Set "),
        "{text}"
    );
}

/// `-o` takes table, json and yaml for every command; lint's other formats come through
/// `--format`, as the help says. Both given and naming different formats is a usage error.
#[test]
fn output_and_format_must_agree() {
    use clap::CommandFactory;
    let path = format!("{RULES_DIR}/KED002.yaml");
    for (output, format) in [("json", "sarif"), ("table", "json"), ("yaml", "text")] {
        let (code, stdout, stderr) = lint(&["-o", output, "--format", format, &path]);
        assert_eq!(code, 2, "-o {output} --format {format}: {stdout}{stderr}");
        assert_eq!(stdout, "");
        assert_eq!(
            stderr,
            format!(
                "error: -o {output} and --format {format} disagree: give one of them (sarif, \
                 junit and github only through --format)\n"
            )
        );
    }
    let (code, stdout, _) = lint(&["-o", "json", "--format", "json", &path]);
    assert_eq!(code, 1);
    assert_eq!(json(&stdout)["findings"][0]["code"], "KED002");
    let (code, stdout, _) = lint(&["-o", "table", "--format", "text", &path]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(&format!("{path}:19:9: error[KED002]")),
        "{stdout}"
    );

    let command = kubectl_infer::cli::Cli::command();
    let help = |id: &str| {
        let arg = command.get_arguments().find(|a| a.get_id() == id).unwrap();
        arg.get_help().unwrap().to_string()
    };
    assert_eq!(
        help("output"),
        "Output format: table, json or yaml (generate writes yaml unless told json; lint's \
         sarif, junit and github formats are chosen with its --format)"
    );
    let (code, _, stderr) = lint(&["-o", "sarif", &path]);
    assert_eq!(code, 2, "as the help says, -o has no sarif: {stderr}");
}

/// By the no-color.org convention NO_COLOR turns off colour by default, and an explicit
/// `--color always` still colours; the help says exactly that.
#[test]
fn an_explicit_color_flag_wins_over_no_color() {
    use clap::CommandFactory;
    let path = format!("{RULES_DIR}/KED002.yaml");
    // `cli()` sets NO_COLOR=1.
    let (_, stdout, _) = lint(&["--color", "always", "--select", "KED002", &path]);
    assert!(
        stdout.contains("\x1b[1;31merror[KED002]\x1b[0m"),
        "{stdout}"
    );
    for args in [&["--color", "auto"][..], &["--color", "never"], &[]] {
        let mut args = args.to_vec();
        args.extend(["--select", "KED002", &path]);
        let (_, stdout, _) = lint(&args);
        assert!(!stdout.contains('\x1b'), "{args:?}: {stdout}");
    }

    let command = kubectl_infer::cli::Cli::command();
    let color = command
        .get_arguments()
        .find(|a| a.get_id() == "color")
        .unwrap();
    assert_eq!(
        color.get_help().unwrap().to_string(),
        "When to use colour: auto colours a terminal unless NO_COLOR is set; always or never, \
         given explicitly, wins over NO_COLOR"
    );
}

/// A cold start beyond the HPA's longest policy period (1800 s) cannot be covered by any
/// setting: CLD003 still warns, but its fix says so instead of asking for what is there.
#[test]
fn a_cold_start_beyond_the_longest_period_is_not_fixed_by_settings() {
    let generated = cli()
        .args(["generate", "--name", "llama", "-n", "serving", "--max", "8"])
        .args(["--cold-start", "40m", "--with-deployment"])
        .output()
        .unwrap();
    assert!(generated.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llama.yaml");
    std::fs::write(&path, &generated.stdout).unwrap();
    let out = cli()
        .args(["lint", "--format", "json", "--cold-start", "40m"])
        .arg(&path)
        .output()
        .unwrap();
    let report = json(&String::from_utf8(out.stdout).unwrap());
    let findings = report["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CLD003"], "{report}");
    assert_eq!(
        findings[0]["fix"],
        "No scale-up period covers a 2400s cold start (the HPA allows at most 1800s, which \
         this policy already uses): shorten the cold start (cached weights, pre-pulled images) \
         or keep maxReplicaCount low."
    );
}

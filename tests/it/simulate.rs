//! `simulate`: generated policies replayed over a recorded burst (CSV and Prometheus JSON
//! files), live range queries against the real Prometheus, the chart, and bad input.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::cli;
use crate::support::exporters::Vllm;
use crate::support::prometheus::lab;

/// Exit code, stdout and stderr of `kubectl-infer simulate ARGS`.
fn simulate(args: &[&str]) -> (i32, String, String) {
    let output = cli().arg("simulate").args(args).output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// `generate` output for vLLM in namespace `serving`, 1..8 replicas of 1 GPU.
fn generated(dir: &Path, name: &str, cold_start: &str) -> PathBuf {
    let output = cli()
        .args([
            "generate", "--name", name, "-n", "serving", "--server", "vllm",
        ])
        .args(["--min", "1", "--max", "8", "--cold-start", cold_start])
        .arg("--with-deployment")
        .output()
        .expect("generate runs");
    assert!(output.status.success(), "{output:?}");
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, &output.stdout).unwrap();
    path
}

/// Four hours at 15 s: a queue of 3, with 60 queued from 1 h to 1 h 30 m.
fn burst(dir: &Path) -> PathBuf {
    let start = 1_796_306_400; // 2026-12-03T14:00:00Z
    let mut text = String::from("time,queue\n");
    for i in 0..960 {
        let queue = if (240..360).contains(&i) { 63 } else { 3 };
        text.push_str(&format!("{},{queue}\n", start + 15 * i));
    }
    let path = dir.join("burst.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_generated_policy_is_priced_from_its_own_steps() {
    let dir = tempfile::tempdir().unwrap();
    let policy = generated(dir.path(), "llama", "2m");
    let series = burst(dir.path());
    let (code, stdout, stderr) = simulate(&[
        arg(&policy),
        "--series",
        arg(&series),
        "--cold-start",
        "2m",
        "--steps",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let report = json(&stdout);
    assert_eq!(report["version"], "kubectl-infer/v1alpha1");
    assert_eq!(report["coldStartSeconds"], 120.0);
    let run = &report["runs"][0];
    assert_eq!(run["name"], "llama");
    assert_eq!(run["gpusPerReplica"], 1);
    assert_eq!(run["triggers"][0]["column"], "queue");
    let steps = run["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 960);
    let desired: Vec<i64> = steps
        .iter()
        .map(|s| s["desired"].as_i64().unwrap())
        .collect();
    // Every step holds its replicas for 15 s; one GPU each.
    let gpu_hours = desired.iter().sum::<i64>() as f64 * 15.0 / 3600.0;
    let summary = &run["summary"];
    assert!((summary["gpuHours"].as_f64().unwrap() - gpu_hours).abs() < 1e-9);
    assert_eq!(summary["peakReplicas"], 8);
    // 63 queued needs 13 replicas at 5 each: the burst is over target throughout, capped at 8.
    assert!(summary["secondsOverTarget"].as_f64().unwrap() >= 1800.0);
    // The generated scale-up policy adds the first wave within a minute of the burst, and
    // never more than the larger of +100 % and +2 pods at once.
    let first = desired.iter().position(|&d| d > 1).unwrap();
    assert!(
        (240..=244).contains(&first),
        "first scale-up at step {first}"
    );
    for pair in desired.windows(2) {
        assert!(pair[1] <= (pair[0] * 2).max(pair[0] + 2), "{pair:?}");
    }
}

#[test]
fn policies_are_compared_side_by_side_and_charted() {
    let dir = tempfile::tempdir().unwrap();
    let slow = generated(dir.path(), "slow", "5m");
    let fast = generated(dir.path(), "fast", "30s");
    let series = burst(dir.path());
    let chart = dir.path().join("chart.svg");
    let (code, stdout, stderr) = simulate(&[
        arg(&slow),
        arg(&fast),
        "--series",
        arg(&series),
        "--cold-start",
        "2m",
        "--chart",
        arg(&chart),
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("Replayed 4h (960 points) from ")
            && lines[0].ends_with("; cold start 2m."),
        "{stdout}"
    );
    let header = lines[2].split_whitespace().collect::<Vec<_>>();
    assert_eq!(&header[..4], ["POLICY", "GPUS", "GPU-HOURS", "MEAN"]);
    assert!(
        lines[3].trim_start().starts_with("serving/slow "),
        "{stdout}"
    );
    assert!(
        lines[4].trim_start().starts_with("serving/fast "),
        "{stdout}"
    );
    assert!(stdout.contains(
        "serving/fast (min 1, max 8; 1 GPU per replica: Deployment fast requests nvidia.com/gpu):"
    ));
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg"), "{svg:.80}");
    for label in ["serving/slow: replicas", "serving/fast: ready", "demand"] {
        assert!(svg.contains(label), "the chart lacks {label}");
    }
}

#[test]
fn two_versions_of_one_scaled_object_are_told_apart_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let current = dir.path().join("current");
    let candidate = dir.path().join("candidate");
    std::fs::create_dir_all(&current).unwrap();
    std::fs::create_dir_all(&candidate).unwrap();
    let current = generated(&current, "llama", "5m");
    let candidate = generated(&candidate, "llama", "30s");
    let series = burst(dir.path());
    let args = [arg(&current), arg(&candidate), "--series", arg(&series)];
    let (code, stdout, stderr) =
        simulate(&[&args[..], &["--cold-start", "2m", "-o", "json"]].concat());
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let report = json(&stdout);
    let policies: Vec<&str> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["policy"].as_str().unwrap())
        .collect();
    assert_eq!(policies.len(), 2);
    assert!(policies[0].starts_with("serving/llama (") && policies[0].contains("current"));
    assert!(policies[1].starts_with("serving/llama (") && policies[1].contains("candidate"));
    assert_ne!(
        report["runs"][0]["summary"], report["runs"][1]["summary"],
        "the two windows replay differently"
    );

    let (code, stdout, _) = simulate(&[&args[..], &["--cold-start", "2m"]].concat());
    assert_eq!(code, 0);
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("serving/llama ("))
        .collect();
    assert_eq!(
        rows.len(),
        4,
        "two table rows and two trigger headings: {stdout}"
    );
}

#[test]
fn a_prometheus_range_answer_is_a_recording_too() {
    let dir = tempfile::tempdir().unwrap();
    let policy = generated(dir.path(), "llama", "30s");
    let values: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "[{}, \"{}\"]",
                1_796_306_400 + 15 * i,
                if i < 20 { 30 } else { 0 }
            )
        })
        .collect();
    let answer = format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}}}"#,
        values.join(",")
    );
    let series = dir.path().join("range.json");
    std::fs::write(&series, answer).unwrap();
    let (code, stdout, stderr) = simulate(&[
        arg(&policy),
        "--series",
        arg(&series),
        "--cold-start",
        "30s",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let run = &json(&stdout)["runs"][0];
    assert_eq!(run["triggers"][0]["column"], "value");
    // 30 queued at 5 per replica: 6 replicas.
    assert_eq!(run["summary"]["peakReplicas"], 6);
}

#[test]
fn live_range_queries_record_each_trigger() {
    let lab = lab();
    let ns = "t-simulate";
    Vllm {
        namespace: ns,
        pod: "llama-5d8c7b9f4-s1m01",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        waiting: 12.0,
        running: 1.0,
        kv_cache: 0.2,
    }
    .publish(&lab.servers);
    let query = format!("sum(vllm:num_requests_waiting{{namespace=\"{ns}\"}})");
    lab.wait_for(&query, &[12.0]);
    // A few more scrapes, so that the window ends with several points of 12.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {{name: llama, \
             namespace: {ns}}}\nspec:\n  scaleTargetRef: {{name: llama}}\n  maxReplicaCount: 8\n  \
             triggers:\n    - type: prometheus\n      metadata:\n        serverAddress: \
             http://prometheus:9090\n        query: '{query}'\n        threshold: '5'\n"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = simulate(&[
        arg(&policy),
        "--prometheus",
        &lab.url,
        "--since",
        "5s",
        "--step",
        "1s",
        "--cold-start",
        "0s",
        "--steps",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let report = json(&stdout);
    assert_eq!(report["source"], format!("{}/", lab.url));
    let run = &report["runs"][0];
    assert_eq!(run["triggers"][0]["column"], "s0-prometheus");
    // A step per second of the window, with no data before the series began (read as 0,
    // the default of ignoreNullValues); 12 queued wakes it from 0, then at 5 per replica
    // the HPA asks for 3.
    let steps = run["steps"].as_array().unwrap();
    assert!((5..=6).contains(&steps.len()), "{:#}", run["steps"]);
    assert_eq!(steps[0]["current"], 0);
    assert_eq!(run["summary"]["peakReplicas"], 3, "{:#}", run["steps"]);
}

#[test]
fn a_prometheus_that_is_down_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let policy = generated(dir.path(), "llama", "2m");
    let url = crate::support::fake_prometheus::refusing();
    let (code, stdout, stderr) = simulate(&[
        arg(&policy),
        "--prometheus",
        &url,
        "--cold-start",
        "2m",
        "--timeout",
        "2s",
    ]);
    assert_eq!((code, stdout.as_str()), (4, ""));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(&url),
        "{stderr}"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let policy = generated(dir.path(), "llama", "2m");
    let series = burst(dir.path());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "time,queue\n10,1\n20,many\n").unwrap();
    let deployment_only = dir.path().join("deploy.yaml");
    std::fs::write(
        &deployment_only,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
    )
    .unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "time,a,b\n10,1,2\n").unwrap();
    let bad_arg = arg(&bad).to_string();
    let cases: Vec<(Vec<&str>, String)> =
        vec![
        (
            vec![arg(&policy), "--series", arg(&series)],
            "error: simulate needs the cold start: --cold-start 150s, or --probe-report FILE \
             from `kubectl infer probe -o json`"
                .to_string(),
        ),
        (
            vec![arg(&policy), "--cold-start", "2m"],
            "error: simulate needs the traffic: --series FILE (CSV or a Prometheus query_range \
             answer), or --prometheus URL to record the triggers' queries over --since"
                .to_string(),
        ),
        (
            vec![arg(&policy), "--series", &bad_arg, "--cold-start", "2m"],
            format!("error: {bad_arg}:3: \"many\" is not a number"),
        ),
        (
            vec![arg(&deployment_only), "--series", arg(&series), "--cold-start", "2m"],
            "error: no ScaledObject in the given files: nothing to replay".to_string(),
        ),
        (
            vec![arg(&policy), "--series", arg(&other), "--cold-start", "2m"],
            "error: ScaledObject serving/llama: trigger queue has no column \
             in the recording (columns: a, b); name a column after the trigger's `name` or its \
             metric s0-prometheus"
                .to_string(),
        ),
    ];
    for (args, expected) in cases {
        let (code, stdout, stderr) = simulate(&args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end(), expected, "{args:?}");
    }

    // A chart with no folder to go to fails before the replay; one that cannot be written
    // (here: a folder in its place) fails after the results are printed.
    let chart = dir.path().join("no-such-folder/replay.svg");
    let chart_args = |chart: &Path| {
        simulate(&[
            arg(&policy),
            "--series",
            arg(&series),
            "--cold-start",
            "2m",
            "--chart",
            arg(chart),
        ])
    };
    let (code, stdout, stderr) = chart_args(&chart);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: --chart {}: no folder {} to write it in",
            chart.display(),
            dir.path().join("no-such-folder").display()
        )
    );
    let taken = dir.path().join("taken.svg");
    std::fs::create_dir(&taken).unwrap();
    let (code, stdout, stderr) = chart_args(&taken);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.starts_with("Replayed 4h (960 points)"), "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "error: --chart {}: cannot write: ",
            taken.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A Prometheus that answers each range query with its own grid (value 7 at every instant)
/// and records the windows it was asked for.
#[test]
fn long_windows_are_asked_for_in_pieces_prometheus_accepts() {
    use std::sync::{Arc, Mutex};

    use crate::support::fake_prometheus::{self, result};

    let asked: Arc<Mutex<Vec<(f64, f64, String)>>> = Arc::default();
    let seen = asked.clone();
    let url = fake_prometheus::start(move |request| {
        let param = |name: &str| request.params.get(name).cloned().unwrap_or_default();
        let (start, end): (f64, f64) = (
            param("start").parse().unwrap(),
            param("end").parse().unwrap(),
        );
        seen.lock().unwrap().push((start, end, param("step")));
        let values: Vec<Value> = (0..=((end - start) as i64))
            .map(|k| serde_json::json!([start + k as f64, "7"]))
            .collect();
        result(
            "matrix",
            serde_json::json!([{"metric": {}, "values": values}]),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let policy = generated(dir.path(), "llama", "2m");
    let (code, stdout, stderr) = simulate(&[
        arg(&policy),
        "--prometheus",
        &url,
        "--since",
        "5h",
        "--step",
        "1s",
        "--until",
        "2026-12-03T19:00:00Z",
        "--cold-start",
        "2m",
        "--steps",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let asked = asked.lock().unwrap().clone();
    // 18,001 instants in pieces of at most 10,000 points (Prometheus refuses over 11,000),
    // each starting one step after the previous one ended.
    assert_eq!(asked.len(), 2, "{asked:?}");
    let end = 1_796_324_400.0; // 2026-12-03T19:00:00Z
    assert_eq!(asked[0].0, end - 18_000.0);
    assert_eq!(asked[0].1, asked[0].0 + 9_999.0);
    assert_eq!(asked[1].0, asked[0].1 + 1.0);
    assert_eq!(asked[1].1, end);
    assert!(asked.iter().all(|(_, _, step)| step == "1s"));
    let steps = json(&stdout)["runs"][0]["steps"].as_array().unwrap().len();
    assert_eq!(steps, 18_001);
}

/// The example in `examples/simulate/` is what README shows: the generated policy is what
/// `generate` prints today, and the replay prints the README's table.
#[test]
fn the_shipped_example_replays_as_the_readme_shows() {
    let example = crate::support::repo_root().join("examples/simulate");
    let dir = tempfile::tempdir().unwrap();
    let generated = std::fs::read(generated(dir.path(), "llama", "2m")).unwrap();
    let shipped = std::fs::read(example.join("new.yaml")).unwrap();
    assert!(
        generated == shipped,
        "examples/simulate/new.yaml is not what generate prints now: regenerate it"
    );

    let output = cli()
        .current_dir(&example)
        .args([
            "simulate",
            "current.yaml",
            "new.yaml",
            "--series",
            "traffic.csv",
        ])
        .args(["--cold-start", "2m"])
        .output()
        .expect("simulate runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.lines().any(|l| l.ends_with(' ')),
        "trailing blanks: {stdout:?}"
    );
    let table: Vec<&str> = stdout.lines().take(5).collect();

    let readme = std::fs::read_to_string(crate::support::repo_root().join("README.md")).unwrap();
    let command = "$ cd examples/simulate && kubectl infer simulate current.yaml new.yaml \
                   --series traffic.csv --cold-start 2m\n";
    let shown = &readme[readme.find(command).expect("README shows the example") + command.len()..];
    let shown: Vec<&str> = shown.lines().take_while(|l| *l != "```").collect();
    assert_eq!(
        table, shown,
        "README's simulate table differs from the replay"
    );
    // The generated policy holds fewer GPU-hours on this traffic (the README says why).
    // Columns: the policy (two words here), GPUS, GPU-HOURS, ...
    let gpu_hours =
        |line: &str| -> f64 { line.split_whitespace().nth(3).unwrap().parse().unwrap() };
    assert!(table[3].contains("(current.yaml)") && table[4].contains("(new.yaml)"));
    assert!(gpu_hours(table[4]) < gpu_hours(table[3]), "{stdout}");
}

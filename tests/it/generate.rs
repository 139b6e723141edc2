//! `generate`: snapshots of the output for every preset and the Kueue variants, the spec file,
//! `--out-dir`, `--rbac`, and every bad input (exit 2 with a one-line message).

use serde_json::Value;

use crate::support::{cli, fixture};

const SERVERS: &[&str] = &["vllm", "tgi", "triton", "sglang", "nim", "llamacpp"];

/// Runs generate and returns (exit code, stdout, stderr).
fn generate(args: &[&str]) -> (i32, String, String) {
    let output = cli().arg("generate").args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn base(server: &str) -> Vec<String> {
    [
        "--name",
        "llama",
        "-n",
        "serving",
        "--server",
        server,
        "--model",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--min",
        "1",
        "--max",
        "8",
        "--cold-start",
        "2m",
        "--with-deployment",
    ]
    .map(str::to_string)
    .to_vec()
}

fn ok(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = generate(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    stdout
}

#[test]
fn every_preset_snapshot() {
    for server in SERVERS {
        let stdout = ok(&base(server));
        insta::assert_snapshot!(format!("generate_{server}"), stdout);
    }
}

#[test]
fn custom_server_snapshot() {
    let mut args = base("custom");
    args.extend(
        [
            "--query",
            "sum(my_server_queue{${selector}})",
            "--target",
            "8",
            "--image",
            "example.com/my-server:1.0",
        ]
        .map(str::to_string),
    );
    let stdout = ok(&args);
    assert!(
        stdout.contains(
            r#"sum(my_server_queue{namespace="serving",pod=~"llama-[a-z0-9]+-[a-z0-9]+"})"#
        ),
        "{stdout}"
    );
    insta::assert_snapshot!("generate_custom", stdout);
}

fn kueue_args(api: &str) -> Vec<String> {
    let mut args = base("vllm");
    args.extend(
        [
            "--queue",
            "team-a",
            "--gpu-quota",
            "16",
            "--gpus-per-replica",
            "2",
            "--cohort",
            "gpu-pool",
            "--gpu-product",
            "NVIDIA-H100-80GB-HBM3",
            "--kueue-api",
            api,
        ]
        .map(str::to_string),
    );
    args
}

#[test]
fn kueue_v1beta2_snapshot() {
    let stdout = ok(&kueue_args("v1beta2"));
    assert!(stdout.contains("cohortName: gpu-pool"), "{stdout}");
    assert!(
        stdout.contains("kueue.x-k8s.io/queue-name: team-a"),
        "{stdout}"
    );
    insta::assert_snapshot!("generate_kueue_v1beta2", stdout);
}

#[test]
fn kueue_v1beta1_snapshot() {
    let args = kueue_args("v1beta1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = generate(&args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("llama: Kueue's v1beta1 API is deprecated"),
        "{stderr}"
    );
    assert!(
        stdout.contains("apiVersion: kueue.x-k8s.io/v1beta1"),
        "{stdout}"
    );
    assert!(stdout.contains("cohort: gpu-pool"), "{stdout}");
    assert!(!stdout.contains("cohortName"), "{stdout}");
    insta::assert_snapshot!("generate_kueue_v1beta1", stdout);
}

#[test]
fn quota_shortfall_is_a_warning_not_an_error() {
    let mut args = base("vllm");
    args.extend(["--queue", "team-a", "--gpu-quota", "4"].map(str::to_string));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = generate(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("kind: ClusterQueue"), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: ")
            && stderr.contains(
                "ClusterQueue serving-team-a has 4 GPUs of quota but llama at --max 8 needs 8"
            ),
        "{stderr}"
    );
}

#[test]
fn queue_without_deployment_says_which_label_to_add() {
    let (code, _, stderr) = generate(&[
        "--name",
        "llama",
        "--server",
        "vllm",
        "--cold-start",
        "2m",
        "--queue",
        "team-a",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "add the label kueue.x-k8s.io/queue-name: team-a to Deployment default/llama"
        ),
        "{stderr}"
    );
}

#[test]
fn json_output_is_an_applyable_list() {
    let mut args = base("vllm");
    args.extend(["-o", "json", "--signal", "queue", "--signal", "kv-cache"].map(str::to_string));
    args.extend(["--target", "queue=3", "--target", "kv-cache=0.9"].map(str::to_string));
    let stdout = ok(&args);
    let list: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list["kind"], "List");
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Deployment", "ScaledObject"]);
    let triggers = &list["items"][1]["spec"]["triggers"];
    assert_eq!(triggers[0]["name"], "queue");
    assert_eq!(triggers[0]["metricType"], "AverageValue");
    assert_eq!(triggers[0]["metadata"]["threshold"], "3");
    assert_eq!(triggers[0]["metadata"]["ignoreNullValues"], "false");
    assert_eq!(triggers[1]["name"], "kv-cache");
    assert_eq!(triggers[1]["metricType"], "Value");
    assert_eq!(triggers[1]["metadata"]["threshold"], "0.9");
    let query = triggers[1]["metadata"]["query"].as_str().unwrap();
    assert!(
        query.starts_with("avg(vllm:kv_cache_usage_perc{"),
        "{query}"
    );
    assert!(query.contains(" or vllm:gpu_cache_usage_perc{"), "{query}");
    let spec = &list["items"][1]["spec"];
    assert_eq!(spec["fallback"]["failureThreshold"], 3);
    assert_eq!(spec["fallback"]["replicas"], 4);
    let behavior = &spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"];
    assert_eq!(behavior["scaleUp"]["stabilizationWindowSeconds"], 30);
    assert_eq!(behavior["scaleUp"]["policies"][0]["periodSeconds"], 150);
    assert_eq!(behavior["scaleDown"]["stabilizationWindowSeconds"], 300);
}

#[test]
fn output_is_deterministic() {
    let args = kueue_args("v1beta2");
    assert_eq!(ok(&args), ok(&args));
}

#[test]
fn scale_to_zero_with_a_demand_signal() {
    let (code, stdout, stderr) = generate(&[
        "--spec",
        fixture("generate/two-models.yaml").to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let mistral = items
        .iter()
        .find(|i| i["kind"] == "ScaledObject" && i["metadata"]["name"] == "mistral")
        .unwrap();
    let spec = &mistral["spec"];
    assert_eq!(spec["minReplicaCount"], 0);
    assert_eq!(spec["cooldownPeriod"], 300);
    assert_eq!(spec["initialCooldownPeriod"], 90);
    assert_eq!(spec["pollingInterval"], 15);
    let demand = &spec["triggers"][1];
    assert_eq!(demand["name"], "demand");
    assert_eq!(demand["metadata"]["activationThreshold"], "0");
    assert_eq!(
        demand["metadata"]["query"],
        r#"(sum(rate(gateway_requests_total{route="mistral"}[1m]))) or vector(0)"#
    );
    let queue = spec["triggers"][0]["metadata"]["query"].as_str().unwrap();
    assert!(queue.ends_with(") or vector(0)"), "{queue}");
    // The other model keeps min 1: no scale-to-zero fields, no `or vector(0)`.
    let llama = items
        .iter()
        .find(|i| i["kind"] == "ScaledObject" && i["metadata"]["name"] == "llama")
        .unwrap();
    assert!(llama["spec"].get("cooldownPeriod").is_none());
    let query = llama["spec"]["triggers"][0]["metadata"]["query"]
        .as_str()
        .unwrap();
    assert!(!query.contains("vector(0)"), "{query}");
    assert_eq!(
        llama["spec"]["triggers"][1]["metadata"]["threshold"],
        "0.85"
    );
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ResourceFlavor",
            "ClusterQueue",
            "LocalQueue",
            "ScaledObject",
            "ScaledObject"
        ]
    );
    assert!(
        stderr.contains("add the label kueue.x-k8s.io/queue-name: team-a"),
        "{stderr}"
    );
}

#[test]
fn auth_secret_adds_a_trigger_authentication() {
    let mut args = base("vllm");
    args.extend(["--auth-secret", "prom-token:bearer", "-o", "json"].map(str::to_string));
    let list: Value = serde_json::from_str(&ok(&args)).unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["kind"], "TriggerAuthentication");
    assert_eq!(
        items[0]["spec"]["secretTargetRef"][0],
        serde_json::json!({"parameter": "bearerToken", "name": "prom-token", "key": "bearer"})
    );
    let trigger = &items[2]["spec"]["triggers"][0];
    assert_eq!(trigger["metadata"]["authModes"], "bearer");
    assert_eq!(trigger["authenticationRef"]["name"], "llama-prometheus");
}

#[test]
fn out_dir_writes_one_file_per_object_in_apply_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    let mut args = kueue_args("v1beta2");
    args.extend(["--out-dir".to_string(), out.display().to_string()]);
    let stdout = ok(&args);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "01-resourceflavor-nvidia-h100-80gb-hbm3.yaml",
            "02-clusterqueue-serving-team-a.yaml",
            "03-localqueue-team-a.yaml",
            "04-deployment-llama.yaml",
            "05-scaledobject-llama.yaml",
        ]
    );
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    let so = std::fs::read_to_string(out.join("05-scaledobject-llama.yaml")).unwrap();
    assert!(
        so.starts_with("---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n"),
        "{so}"
    );
}

#[test]
fn templates_folder_overrides_a_preset() {
    let mut args = base("tgi");
    args.extend([
        "--templates".to_string(),
        fixture("generate/templates").display().to_string(),
    ]);
    let stdout = ok(&args);
    assert!(stdout.contains("threshold: \"7\""), "{stdout}");
}

#[test]
fn rbac_prints_the_read_only_role() {
    let (code, stdout, stderr) = generate(&["--rbac"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("kind: ClusterRole\n"), "{stdout}");
    let (code, stdout, _) = generate(&["--rbac", "-o", "json"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let rules = list["items"][0]["rules"].as_array().unwrap();
    for rule in rules {
        assert_eq!(
            rule["verbs"],
            serde_json::json!(["get", "list", "watch"]),
            "{rule}"
        );
    }
    let resources: Vec<&str> = rules
        .iter()
        .flat_map(|r| r["resources"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    for needed in [
        "scaledobjects",
        "clustertriggerauthentications",
        "horizontalpodautoscalers",
        "deployments/scale",
        "pods",
        "events",
        "workloads",
        "resourceflavors",
        "customresourcedefinitions",
        "apiservices",
        "*",
    ] {
        assert!(resources.contains(&needed), "{needed} missing");
    }
    assert_eq!(list["items"][1]["kind"], "ClusterRoleBinding");
}

/// Asserts exit 2, empty stdout, and a one-line error containing `expected`.
fn fails(args: &[&str], expected: &str) {
    let (code, stdout, stderr) = generate(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{args:?}: {stdout}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{args:?}: expected {expected:?} in {stderr}"
    );
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    fails(
        &["--name", "x", "--server", "ollama"],
        "invalid --server: unknown server \"ollama\" (known: llamacpp, nim, sglang, tgi, \
         triton, vllm, custom)",
    );
    fails(
        &["--name", "x", "--min", "5", "--max", "2"],
        "invalid --min: min 5 is greater than max 2",
    );
    fails(
        &["--name", "x", "--cold-start", "five minutes"],
        "invalid --cold-start: \"five minutes\" is not a duration",
    );
    fails(
        &["--name", "x", "--memory-per-replica", "32GB"],
        "invalid --memory-per-replica: \"32GB\" is not a positive quantity",
    );
    fails(
        &["--name", "x", "--gpu-quota", "lots"],
        "invalid --gpu-quota \"lots\": not a whole number ≥ 0",
    );
    fails(
        &["--name", "x", "--target", "high"],
        "invalid --target \"high\": not a number",
    );
    fails(
        &["--name", "x", "--server", "triton", "--signal", "ttft"],
        "server triton has no ttft signal (available: queue, kv-cache, gpu-util)",
    );
    fails(
        &["--name", "Llama_3"],
        "invalid --name: \"Llama_3\" is not a valid name",
    );
    fails(&["--server", "vllm"], "invalid --name: a name is required");
    fails(
        &["--name", "x", "--server", "custom"],
        "--server custom needs --query PROMQL",
    );
    fails(
        &["--name", "x", "--kueue-api", "v1"],
        "unknown Kueue API version \"v1\"",
    );
    fails(
        &["--name", "x", "-o", "table"],
        "use -o yaml (the default) or -o json",
    );
}

#[test]
fn scale_to_zero_without_demand_signal_is_refused() {
    fails(
        &[
            "--name", "llama", "--server", "vllm", "--min", "0", "--max", "4",
        ],
        "invalid --min: --min 0 would never wake up: the metrics of queue come from the \
         server's own pods",
    );
}

#[test]
fn bad_spec_files_name_file_line_and_column() {
    let path = |name: &str| fixture(&format!("generate/{name}")).display().to_string();
    let unknown = path("unknown-key.yaml");
    fails(
        &["--spec", &unknown],
        &format!("{unknown}:4:1: gpuCount: unknown field `gpuCount`"),
    );
    let wrong = path("wrong-type.yaml");
    fails(
        &["--spec", &wrong],
        &format!(
            "{wrong}:4:5: models[0].max: invalid type: string \"eight\", expected a whole number ≥ 0"
        ),
    );
    let min = path("min-over-max.yaml");
    fails(
        &["--spec", &min],
        &format!("{min}:3:1: min: min 5 is greater than max 2"),
    );
    fails(
        &["--spec", "/nonexistent/spec.yaml"],
        "/nonexistent/spec.yaml: failed to open",
    );
    fails(
        &["--spec", &min, "--name", "other"],
        "--spec and model flags cannot be combined",
    );
}

#[test]
fn bad_templates_folders_exit_2() {
    fails(
        &["--name", "x", "--templates", "/nonexistent/templates"],
        "failed to read --templates folder /nonexistent/templates: no such folder",
    );
    let bad = fixture("generate/templates-bad");
    let file = bad.join("vllm.yaml").display().to_string();
    fails(
        &["--name", "x", "--templates", &file],
        &format!("failed to read --templates folder {file}: not a folder"),
    );
    fails(
        &["--name", "x", "--templates", bad.to_str().unwrap()],
        &format!("{file}:7:1: healthPaht: unknown field `healthPaht`"),
    );
}

/// The query of the only trigger that `generate` writes for these flags.
fn trigger_query(args: &[&str]) -> String {
    let (code, stdout, stderr) = generate(&[args, &["-o", "json"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let so = items.iter().find(|i| i["kind"] == "ScaledObject").unwrap();
    so["spec"]["triggers"][0]["metadata"]["query"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Polls the real Prometheus until `query` answers one sample that `accept` takes.
fn wait_until_one(query: &str, accept: impl Fn(f64) -> bool) -> f64 {
    let lab = crate::support::prometheus::lab();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        last = lab.values(query);
        if let Some([value]) = last.as_deref()
            && accept(*value)
        {
            return *value;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{query} never answered an accepted sample; last: {last:?}");
}

/// TTFT against the real Prometheus: with no request in the window the bare
/// `histogram_quantile` is NaN (which KEDA, with `ignoreNullValues: "false"`, counts as a
/// failed read, so an idle server sat in the fallback); the preset query reads 0 then, the
/// quantile once requests arrive, and nothing at all when the histogram is missing, so that
/// broken scraping still fails into the fallback.
#[test]
fn ttft_reads_zero_at_idle_and_nothing_when_the_histogram_is_missing() {
    let lab = crate::support::prometheus::lab();
    for (server, metric) in [
        ("vllm", "vllm:time_to_first_token_seconds"),
        ("sglang", "sglang:time_to_first_token_seconds"),
        ("nim", "time_to_first_token_seconds"),
    ] {
        let namespace = format!("gen-ttft-{server}");
        let labels = [
            ("namespace", namespace.as_str()),
            ("pod", "llama-7d9f8b6c5d-x2x4q"),
        ];
        let publish = |counts: [f64; 3]| {
            for (le, count) in [("1", counts[0]), ("4", counts[1]), ("+Inf", counts[2])] {
                let mut with_le = labels.to_vec();
                with_le.push(("le", le));
                lab.servers
                    .set(&format!("{metric}_bucket"), &with_le, count);
            }
            lab.servers
                .set(&format!("{metric}_count"), &labels, counts[2]);
        };
        // Requests came in earlier, none now: every counter stands still.
        publish([10.0, 10.0, 10.0]);
        let base = [
            "--name",
            "llama",
            "--server",
            server,
            "--signal",
            "ttft",
            "--cold-start",
            "2m",
        ];
        let query = trigger_query(&[&base[..], &["-n", &namespace]].concat());
        assert_eq!(wait_until_one(&query, |v| !v.is_nan()), 0.0, "{query}");
        let bare = format!(
            "histogram_quantile(0.9, sum by (le) (rate({metric}_bucket{{namespace=\"{namespace}\"}}[2m])))"
        );
        assert!(wait_until_one(&bare, |_| true).is_nan(), "{bare}");

        // Requests arrive: half take under 1 s, the rest under 4 s.
        publish([20.0, 30.0, 30.0]);
        let p90 = wait_until_one(&query, |v| v > 0.0);
        assert!(p90 > 1.0 && p90 <= 4.0, "{query}: {p90}");

        let missing = trigger_query(&[&base[..], &["-n", "gen-ttft-missing"]].concat());
        assert_eq!(lab.values(&missing), Some(vec![]), "{missing}");
    }
}

#[test]
fn counts_above_int32_are_refused_not_wrapped() {
    // max × GPUs overflowed u32: a panic in debug builds, a wrapped quota in release.
    fails(
        &[
            "--name",
            "x",
            "--max",
            "3000000000",
            "--gpus-per-replica",
            "2",
            "--queue",
            "q",
        ],
        "invalid --max: 3000000000 is more than 2147483647, the largest count KEDA and the HPA \
         take (int32)",
    );
    fails(
        &["--name", "x", "--max", "2147483648"],
        "invalid --max: 2147483648 is more than 2147483647",
    );
    fails(
        &["--name", "x", "--gpu-quota", "2147483648"],
        "invalid --gpu-quota: 2147483648 is more than 2147483647",
    );
}

#[test]
fn negative_values_are_refused_by_generate_not_taken_for_flags() {
    fails(
        &["--name", "x", "--cold-start", "-5s"],
        "invalid --cold-start: \"-5s\" is not a duration",
    );
    fails(
        &["--name", "x", "--memory-per-replica", "-1Gi"],
        "invalid --memory-per-replica: \"-1Gi\" is not a positive quantity",
    );
    fails(
        &["--name", "x", "--cpu-per-replica", "-500m"],
        "invalid --cpu-per-replica: \"-500m\" is not a positive quantity",
    );
    fails(
        &["--name", "x", "--target", "-1"],
        "invalid --target: target -1 for queue must be a number of at least 0.0005",
    );
    fails(
        &["--name", "x", "--min", "-1"],
        "invalid --min \"-1\": not a whole number ≥ 0",
    );
    fails(
        &["--name", "x", "--gpus-per-replica", "-2"],
        "invalid --gpus-per-replica \"-2\": not a whole number ≥ 0",
    );
    fails(
        &["--name", "x", "--max", "2.5"],
        "invalid --max \"2.5\": not a whole number ≥ 0",
    );
}

#[test]
fn names_are_checked_before_they_reach_a_query_or_an_object() {
    fails(
        &["--name", "x", "-n", "a\"b"],
        "invalid --namespace: \"a\\\"b\" is not a valid namespace: a DNS-1123 label",
    );
    // An empty namespace would leave the queries unscoped.
    fails(
        &["--name", "x", "-n", ""],
        "invalid --namespace: \"\" is not a valid namespace",
    );
    fails(
        &["--name", "x", "--queue", "Bad_Queue"],
        "invalid --queue: \"Bad_Queue\" is not a valid LocalQueue name: a DNS-1123 subdomain",
    );
    fails(
        &["--name", "x", "--queue", &"q".repeat(64)],
        "is not a valid LocalQueue name",
    );
    fails(
        &["--name", "x", "--cohort", "Bad Cohort"],
        "invalid --cohort: \"Bad Cohort\" is not a valid cohort name: a DNS-1123 subdomain",
    );
    fails(
        &["--name", "x", "--gpu-product", "has space"],
        "invalid --gpu-product: \"has space\" is not a valid label value",
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, "name: x\nserver: vllm\nqueue: Bad_Queue\n").unwrap();
    let spec = spec.display().to_string();
    fails(
        &["--spec", &spec],
        &format!("{spec}:3:1: queue: \"Bad_Queue\" is not a valid LocalQueue name"),
    );
    // Dotted names are DNS-1123 subdomains, which Kueue takes for queues and cohorts.
    let (code, stdout, stderr) = generate(&[
        "--name",
        "x",
        "--cold-start",
        "1m",
        "--queue",
        "team.a",
        "--cohort",
        "gpu.pool",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("cohortName: gpu.pool"), "{stdout}");
}

/// Writes `text` to a spec file in `dir` and returns its path.
fn spec_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn models_on_one_queue_share_its_objects_and_its_quota() {
    let path = fixture("generate/shared-queue.yaml").display().to_string();
    let (code, stdout, stderr) = generate(&["--spec", &path, "-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("generated twice"), "{stderr}");
    assert!(!stderr.contains("GPUs of quota"), "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ResourceFlavor",
            "ClusterQueue",
            "LocalQueue",
            "ScaledObject",
            "ScaledObject"
        ]
    );
    for shared in &items[..3] {
        assert!(shared["metadata"].get("labels").is_none(), "{shared}");
    }
    // llama: 4 replicas × 2 GPUs, mistral 3 × 1; CPU and memory for both.
    let resources = &items[1]["spec"]["resourceGroups"][0]["flavors"][0]["resources"];
    let quota = |i: usize| resources[i]["nominalQuota"].as_str().unwrap();
    assert_eq!((quota(0), quota(1), quota(2)), ("44", "352Gi", "11"));

    // One model gives the quota: it is the queue's, and it does not cover both.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let one = text.replacen(
        "    queue: team-a\n",
        "    queue: team-a\n    gpuQuota: 6\n",
        1,
    );
    let (code, stdout, stderr) = generate(&["--spec", &spec_file(&dir, &one)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("nominalQuota: \"6\""), "{stdout}");
    assert!(
        stderr.contains(
            "ClusterQueue serving-team-a has 6 GPUs of quota but the models that share it need \
             11 at their max (llama 8 at max 4, mistral 3 at max 3)"
        ),
        "{stderr}"
    );

    // Two different quotas for one queue are refused at the second.
    let two = one.replace(
        "    queue: team-a\n    gpuProduct",
        "    queue: team-a\n    gpuQuota: 8\n    gpuProduct",
    );
    let file = spec_file(&dir, &two);
    fails(
        &["--spec", &file],
        &format!(
            "{file}:19:5: gpuQuota: 8 GPUs for ClusterQueue serving-team-a, which model llama \
             gives 6"
        ),
    );
    let cohort = text.replacen(
        "    queue: team-a\n",
        "    queue: team-a\n    cohort: pool\n",
        1,
    );
    let file = spec_file(&dir, &cohort);
    fails(
        &["--spec", &file],
        "cohort: cohort (none) differs from model llama's pool, and both use ClusterQueue \
         serving-team-a",
    );
    let twice = text.replace("name: mistral", "name: llama");
    let file = spec_file(&dir, &twice);
    fails(
        &["--spec", &file],
        &format!("{file}:12:5: name: model serving/llama is given twice"),
    );
}

#[test]
fn unscoped_and_multi_series_queries_are_caught() {
    let (code, stdout, stderr) = generate(&[
        "--name",
        "llama",
        "--server",
        "custom",
        "--query",
        "sum(foo)",
        "--target",
        "3",
        "--cold-start",
        "1m",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("query: sum(foo)"), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        "warning: llama: the query has no ${selector} (or ${exported_selector}), so it is not \
         scoped to the model's pods: it reads the metric of every pod and namespace that \
         exports it; write it as e.g. sum(my_metric{${selector}})"
    );
    fails(
        &[
            "--name",
            "llama",
            "--min",
            "0",
            "--activation-query",
            "gw_requests_total",
        ],
        "invalid --activation-query: the selector `gw_requests_total` is not aggregated, so it \
         returns one series per pod, GPU or label set; KEDA needs exactly one series",
    );
}

#[test]
fn templates_are_checked_when_read() {
    let original =
        std::fs::read_to_string(crate::support::repo_root().join("templates/tgi.yaml")).unwrap();
    let cases = [
        (
            "query: sum(tgi_queue_size{${selector}})",
            "query: sum(tgi_queue_size)",
            "14:12: signals.queue.query: has no ${selector} (or ${exported_selector})",
        ),
        (
            "query: sum(tgi_queue_size{${selector}})",
            "query: tgi_queue_size{${selector}}",
            "14:12: signals.queue.query: the selector `tgi_queue_size` is not aggregated",
        ),
        (
            "target: 5",
            "target: -5",
            "16:13: signals.queue.target: -5 must be a number of at least 0.0005",
        ),
    ];
    for (from, to, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tgi.yaml");
        assert!(original.contains(from), "{from}");
        std::fs::write(&file, original.replacen(from, to, 1)).unwrap();
        fails(
            &[
                "--name",
                "x",
                "--server",
                "vllm",
                "--templates",
                dir.path().to_str().unwrap(),
            ],
            &format!("{}:{expected}", file.display()),
        );
    }
}

#[test]
fn out_dir_removes_what_an_earlier_run_wrote_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    let out_arg = out.display().to_string();
    let mut first = kueue_args("v1beta2");
    first.extend(["--out-dir".to_string(), out_arg.clone()]);
    ok(&first);
    std::fs::write(out.join("kustomization.yaml"), "resources: []\n").unwrap();
    std::fs::write(out.join("99-configmap-extra.yaml"), "kind: ConfigMap\n").unwrap();

    // Without Kueue and as JSON: every earlier object file is stale, the others stay.
    let mut second = base("vllm");
    second.extend(["-o", "json", "--out-dir", &out_arg].map(str::to_string));
    let args: Vec<&str> = second.iter().map(String::as_str).collect();
    let (code, _, stderr) = generate(&args);
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "01-deployment-llama.json",
            "02-scaledobject-llama.json",
            "99-configmap-extra.yaml",
            "kustomization.yaml",
        ]
    );
    let removed: Vec<&str> = stderr.lines().collect();
    assert_eq!(removed.len(), 5, "{stderr}");
    assert!(
        removed[0].contains(&format!(
            "removed {}: an earlier run wrote it and this one does not",
            out.join("01-resourceflavor-nvidia-h100-80gb-hbm3.yaml")
                .display()
        )),
        "{stderr}"
    );

    let file = out.join("kustomization.yaml").display().to_string();
    fails(
        &["--name", "x", "--out-dir", &file],
        &format!("--out-dir {file}: is a file, not a folder"),
    );
}

/// Runs generate expecting success and returns its stderr lines.
fn warnings(args: &[&str]) -> Vec<String> {
    let (code, _, stderr) = generate(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stderr.lines().map(str::to_string).collect()
}

#[test]
fn kueue_warns_when_replicas_can_never_be_admitted_or_ready_in_time() {
    let kueue = [
        "--name",
        "x",
        "-n",
        "serving",
        "--queue",
        "q",
        "--with-deployment",
    ];
    let got = warnings(&[&kueue[..], &["--cold-start", "20m"]].concat());
    assert_eq!(
        got,
        [
            "warning: x: the 20m cold start needs Kueue's waitForPodsReady.timeout to be at least 40m \
          (twice the cold start), above its default of 30m (on since Kueue 0.19): set \
          waitForPodsReady.timeout: 40m in Kueue's Configuration (ConfigMap \
          kueue-manager-config), or Kueue evicts replicas that are still loading"
        ]
    );
    // 15 minutes needs 30: the default is enough.
    assert!(warnings(&[&kueue[..], &["--cold-start", "15m"]].concat()).is_empty());

    let one = [
        "--cold-start",
        "2m",
        "--gpu-quota",
        "1",
        "--gpus-per-replica",
        "2",
    ];
    assert_eq!(
        warnings(&[&kueue[..], &one].concat()),
        [
            "warning: ClusterQueue serving-q has 1 GPUs of quota but one replica of x needs 2: Kueue \
          can admit no replica of it at all; raise --gpu-quota to at least 2"
        ]
    );
    let min = [
        "--cold-start",
        "2m",
        "--gpu-quota",
        "3",
        "--gpus-per-replica",
        "2",
        "--min",
        "2",
    ];
    assert_eq!(
        warnings(&[&kueue[..], &min].concat()),
        [
            "warning: ClusterQueue serving-q has 3 GPUs of quota but the --min replicas need 4 (x 2 × \
          2): Kueue will keep some of the minimum replicas gated; raise --gpu-quota to at least 4"
        ]
    );
}

#[test]
fn fraction_targets_above_1_are_refused() {
    fails(
        &["--name", "x", "--signal", "kv-cache", "--target", "80"],
        "invalid --target: target 80 for kv-cache is outside the metric's range 0 to 1: the \
         metric is a fraction, so write 0.8 for 80%",
    );
    fails(
        &["--name", "x", "--signal", "gpu-util", "--target", "80"],
        "invalid --target: target 80 for gpu-util is outside the metric's range 0 to 1",
    );
    fails(
        &[
            "--name",
            "x",
            "--server",
            "triton",
            "--signal",
            "queue",
            "--signal",
            "kv-cache",
            "--target",
            "kv-cache=1.5",
        ],
        "target 1.5 for kv-cache is outside the metric's range 0 to 1: the metric is a \
         fraction (0.8 means 80%)",
    );
    // A preset whose own default is outside its range is refused when read.
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(crate::support::repo_root().join("templates/vllm.yaml")).unwrap();
    let file = dir.path().join("vllm.yaml");
    std::fs::write(&file, original.replacen("target: 0.8", "target: 80", 1)).unwrap();
    fails(
        &["--name", "x", "--templates", dir.path().to_str().unwrap()],
        &format!(
            "{}:34:13: signals.kv-cache.target: 80 is outside the metric's range 0 to 1",
            file.display()
        ),
    );
}

#[test]
fn spec_type_errors_say_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "- name: a\n  server: vllm\n",
            "1:1: a spec document is one model (name: …, server: …) or models: with a list of \
             them, not a list: put the list under models:",
        ),
        (
            "name: a\nsignal: foo\n",
            "2:1: signal: unknown signal \"foo\" (signals: queue, kv-cache, running, gpu-util, \
             ttft)",
        ),
        (
            "name: a\nsignal: [queue, 3]\n",
            "2:17: signal[1]: invalid type: integer `3`, expected a signal (queue, kv-cache, \
             running, gpu-util, ttft)",
        ),
        (
            "name: a\ncoldStart: [1]\n",
            "2:1: coldStart: invalid type: sequence, expected a duration such as 150s, 3m or \
             1m30s, or a whole number of seconds",
        ),
        (
            "name: a\ntarget: [1]\n",
            "2:1: target: invalid type: sequence, expected a number, or a number per signal",
        ),
        (
            "name: a\nsignal: [queue, kv-cache]\ntarget: {queue: high}\n",
            "3:10: target.queue: invalid type: string \"high\", expected a number",
        ),
        (
            "name: a\nmax: -3\n",
            "2:1: max: invalid value: integer `-3`, expected a whole number ≥ 0",
        ),
    ];
    for (text, expected) in cases {
        let file = spec_file(&dir, text);
        fails(&["--spec", &file], &format!("{file}:{expected}"));
        let (_, _, stderr) = generate(&["--spec", &file]);
        for leak in ["untagged", "u32", "u64", "f64", "variant"] {
            assert!(!stderr.contains(leak), "{text}: {stderr}");
        }
    }
}

#[test]
fn metric_type_takes_the_kubernetes_spelling_and_the_kebab_case_one() {
    let custom = [
        "--name",
        "x",
        "--server",
        "custom",
        "--query",
        "sum(q{${selector}})",
        "--target",
        "3",
        "--cold-start",
        "1m",
    ];
    for (given, written) in [
        ("AverageValue", "AverageValue"),
        ("average-value", "AverageValue"),
        ("Value", "Value"),
        ("value", "Value"),
    ] {
        let args: Vec<String> = [&custom[..], &["--metric-type", given]]
            .concat()
            .into_iter()
            .map(str::to_string)
            .collect();
        let stdout = ok(&args);
        assert!(
            stdout.contains(&format!("metricType: {written}\n")),
            "{given}: {stdout}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    for given in ["AverageValue", "average-value"] {
        let file = spec_file(
            &dir,
            &format!(
                "name: x\nserver: custom\nquery: sum(q{{${{selector}}}})\ntarget: 3\n\
                 coldStart: 1m\nmetricType: {given}\n"
            ),
        );
        let stdout = ok(&["--spec".to_string(), file]);
        assert!(
            stdout.contains("metricType: AverageValue\n"),
            "{given}: {stdout}"
        );
    }
}

/// Lints `manifests` (with `--cold-start` when given) and returns the finding codes.
fn lint_codes(manifests: &str, cold_start: Option<&str>) -> Vec<String> {
    let mut args = vec!["lint", "--fail-on", "info", "-o", "json"];
    if let Some(cold_start) = cold_start {
        args.extend(["--cold-start", cold_start]);
    }
    args.push("-");
    let output = crate::support::cli()
        .args(&args)
        .write_stdin(manifests.to_string())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

/// The variants `generated_manifests_have_no_findings` (lint's test) leaves out lint clean
/// too, and where lint must find something by design, generate has already warned about it.
#[test]
fn generated_variants_lint_clean_or_generate_warns_first() {
    let two = fixture("generate/two-models.yaml").display().to_string();
    let shared = fixture("generate/shared-queue.yaml").display().to_string();
    let model = [
        "--name",
        "llm",
        "-n",
        "serving",
        "--model",
        "org/model",
        "--with-deployment",
    ];
    let zero = [
        "--server",
        "vllm",
        "--gpus-per-replica",
        "2",
        "--min",
        "0",
        "--max",
        "4",
        "--cold-start",
        "2m",
        "--signal",
        "queue",
        "--signal",
        "kv-cache",
        "--signal",
        "ttft",
        "--signal",
        "running",
        "--activation-query",
        "sum(rate(gateway_requests_total{route=\"llm\"}[1m]))",
        "--queue",
        "serving",
        "--gpu-quota",
        "8",
        "--cohort",
        "gpu-pool",
        "--gpu-product",
        "NVIDIA-H100-80GB-HBM3",
    ];
    let custom = [
        "--server",
        "custom",
        "--query",
        "sum(my_queue{${selector}})",
        "--target",
        "8",
        "--image",
        "example.com/server:1",
        "--cold-start",
        "2m",
    ];
    let gpu_only = ["--signal", "gpu-util", "--cold-start", "2m"];
    let slow = ["--cold-start", "45m"];
    let v1beta1 = [
        "--cold-start",
        "2m",
        "--queue",
        "q",
        "--kueue-api",
        "v1beta1",
    ];
    let spec = |path: &str| {
        vec![
            "--spec".to_string(),
            path.to_string(),
            "--with-deployment".to_string(),
        ]
    };
    let flags = |extra: &[&str]| {
        [&model[..], extra]
            .concat()
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // (arguments, lint's --cold-start, generate's warnings, lint's findings)
    type Case<'a> = (Vec<String>, Option<&'a str>, Vec<&'a str>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (flags(&zero), Some("2m"), vec![], vec![]),
        (flags(&custom), Some("2m"), vec![], vec![]),
        (spec(&two), None, vec![], vec![]),
        (spec(&shared), None, vec![], vec![]),
        (
            flags(&gpu_only),
            Some("2m"),
            vec![
                "warning: llm: GPU utilization is the only scaling signal: it shows that kernels \
                 run, not how much work waits, so a saturated server with a growing queue looks \
                 the same as a busy one (lint: GPU002); add --signal queue",
            ],
            vec!["GPU002"],
        ),
        (
            flags(&slow),
            Some("45m"),
            vec![
                "warning: llm: the 45m cold start is longer than the 1800s scale-up policy period, \
                 the HPA's limit: a second wave of replicas can start before the first is ready \
                 (lint: CLD003, which no setting can fix); shorten the cold start (cached \
                 weights, pre-pulled images) or keep --max low",
            ],
            vec!["CLD003"],
        ),
        (
            flags(&v1beta1),
            Some("2m"),
            vec![
                "warning: llm: Kueue's v1beta1 API is deprecated (v1beta2 is served since Kueue \
                 0.15 and stored since 0.16, and v1beta1 will be removed): use --kueue-api \
                 v1beta1 only for clusters older than 0.15 (lint: KUE011)",
            ],
            // ResourceFlavor, ClusterQueue and LocalQueue.
            vec!["KUE011", "KUE011", "KUE011"],
        ),
    ];
    for (args, cold_start, warnings, findings) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = generate(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().collect::<Vec<_>>(), warnings, "{args:?}");
        assert_eq!(lint_codes(&stdout, cold_start), findings, "{args:?}");
    }
}

#[test]
fn targets_beyond_keda_milli_units_are_refused() {
    fails(
        &["--name", "x", "--target", "1e30"],
        "invalid --target: target 1e30 for queue must be at most 9e15: KEDA passes thresholds \
         to the HPA as int64 milli-units",
    );
    let stdout = ok(&["--name", "x", "--target", "9e15", "--cold-start", "1m"].map(str::to_string));
    assert!(
        stdout.contains("threshold: \"9000000000000000\""),
        "{stdout}"
    );
}

#[test]
fn verbose_says_why_each_default_was_chosen() {
    let (code, _, stderr) = generate(&[
        "--name",
        "x",
        "--signal",
        "queue",
        "--signal",
        "kv-cache",
        "--target",
        "queue=3",
        "--cold-start",
        "2m",
        "-v",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "info: x: kv-cache target 0.8 (the preset's default): average fraction (0-1) of \
          KV-cache blocks in use; above 0.8 vLLM starts preempting requests, so add a replica \
          before that"
        ],
        "the given queue target has no reason to give"
    );
    // -vv adds every cold-start setting that is written (not the scale-to-zero ones here).
    let (_, _, stderr) = generate(&["--name", "x", "--cold-start", "2m", "-vv"]);
    assert!(
        stderr.contains(
            "x: spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.\
             stabilizationWindowSeconds = 300: twice the 120s cold start"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("spec.cooldownPeriod"), "{stderr}");
    let (_, _, stderr) = generate(&["--name", "x", "--cold-start", "2m"]);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn readme_shows_the_two_models_fixture_as_it_is() {
    let readme = std::fs::read_to_string(crate::support::repo_root().join("README.md")).unwrap();
    let fixture = std::fs::read_to_string(fixture("generate/two-models.yaml")).unwrap();
    assert!(
        readme.contains(&format!("```yaml\n{fixture}```\n")),
        "README's two-model listing differs from tests/fixtures/generate/two-models.yaml"
    );
}

use super::*;

fn presets() -> Presets {
    Presets::builtin().unwrap()
}

fn raw(server: &str) -> RawSpec {
    RawSpec {
        name: Some("llama".into()),
        namespace: Some("serving".into()),
        server: Some(server.into()),
        cold_start: Some(DurationText::Text("2m".into())),
        ..RawSpec::default()
    }
}

#[test]
fn defaults_scale_on_the_queue_with_the_preset_target() {
    let model = resolve(&raw("vllm"), &presets(), "default").unwrap();
    assert_eq!((model.min, model.max, model.gpus), (1, 4, 1));
    assert_eq!(model.triggers.len(), 1);
    let queue = &model.triggers[0];
    assert_eq!(queue.name, "queue");
    assert_eq!(queue.target, 5.0);
    assert_eq!(
        queue.query,
        "sum(vllm:num_requests_waiting{namespace=\"serving\",pod=~\"llama-[a-z0-9]+-[a-z0-9]+\"})"
    );
    assert_eq!(model.cold_start_source, ColdStartSource::Given);
    assert_eq!(model.timing.cold_start_seconds, 120);
    assert!(model.kueue.is_none());
}

#[test]
fn per_signal_targets_and_one_target_for_several_signals() {
    let mut spec = raw("sglang");
    spec.signal = Some(OneOrMany::Many(vec![
        Signal::Queue,
        Signal::KvCache,
        Signal::Queue,
    ]));
    spec.target = Some(Targets::PerSignal(BTreeMap::from([(
        "kv-cache".into(),
        0.9,
    )])));
    let model = resolve(&spec, &presets(), "default").unwrap();
    let got: Vec<(&str, f64)> = model
        .triggers
        .iter()
        .map(|t| (t.name.as_str(), t.target))
        .collect();
    assert_eq!(got, [("queue", 5.0), ("kv-cache", 0.9)]);
    spec.target = Some(Targets::One(3.0));
    let err = resolve(&spec, &presets(), "default").unwrap_err();
    assert_eq!(err.key, "target");
    spec.target = Some(Targets::PerSignal(BTreeMap::from([("ttft".into(), 1.0)])));
    let err = resolve(&spec, &presets(), "default").unwrap_err();
    assert!(err.message.contains("not a signal here"), "{err}");
    spec.target = Some(Targets::PerSignal(BTreeMap::from([(
        "queue".into(),
        0.0001,
    )])));
    let err = resolve(&spec, &presets(), "default").unwrap_err();
    assert!(err.message.contains("at least 0.0005"), "{err}");
}

#[test]
fn kueue_plan_defaults_to_exact_quota() {
    let mut spec = raw("vllm");
    spec.queue = Some("team-a".into());
    spec.max = Some(6);
    spec.gpus_per_replica = Some(2);
    spec.gpu_product = Some("NVIDIA_H100.80GB-HBM3".into());
    let plan = resolve(&spec, &presets(), "default")
        .unwrap()
        .kueue
        .unwrap();
    assert_eq!(plan.gpu_quota, 12);
    assert_eq!(plan.cluster_queue, "serving-team-a");
    assert_eq!(plan.flavor, "nvidia-h100-80gb-hbm3");
    assert_eq!(plan.api, KueueApi::V1beta2);
}

#[test]
fn assumed_cold_start_is_marked() {
    let mut spec = raw("vllm");
    spec.cold_start = None;
    let model = resolve(&spec, &presets(), "default").unwrap();
    assert_eq!(model.cold_start_source, ColdStartSource::Assumed);
    assert_eq!(model.timing.cold_start_seconds, 180);
    spec.cold_start = Some(DurationText::Seconds(90));
    assert_eq!(cold_start(&spec).unwrap().0, Duration::from_secs(90));
}

#[test]
fn names_must_fit_keda_hpa_names() {
    let mut spec = raw("vllm");
    spec.name = Some("a".repeat(MAX_NAME_LEN + 1));
    assert_eq!(resolve(&spec, &presets(), "d").unwrap_err().key, "name");
    spec.name = Some("a".repeat(MAX_NAME_LEN));
    assert!(resolve(&spec, &presets(), "d").is_ok());
}

#[test]
fn bad_urls_and_secrets_are_refused() {
    let mut spec = raw("vllm");
    spec.prometheus = Some("prometheus:9090".into());
    assert_eq!(
        resolve(&spec, &presets(), "d").unwrap_err().key,
        "prometheus"
    );
    let mut spec = raw("vllm");
    spec.auth_secret = Some("name:".into());
    assert_eq!(
        resolve(&spec, &presets(), "d").unwrap_err().key,
        "authSecret"
    );
    spec.auth_secret = Some("prom".into());
    let model = resolve(&spec, &presets(), "d").unwrap();
    assert_eq!(model.auth_secret, Some(("prom".into(), "token".into())));
}

#[test]
fn custom_queries_must_return_one_series() {
    let mut spec = raw("custom");
    spec.target = Some(Targets::One(4.0));
    spec.query = Some("my_queue{${selector}}".into());
    let err = resolve(&spec, &presets(), "d").unwrap_err();
    assert_eq!(err.key, "query");
    assert!(
        err.message.contains("KEDA needs exactly one series"),
        "{err}"
    );
    spec.query = Some("sum(my_queue{${selector}}".into());
    let err = resolve(&spec, &presets(), "d").unwrap_err();
    assert!(err.message.starts_with("not valid PromQL"), "{err}");
    spec.query = Some("sum(my_queue{${selector}})".into());
    let model = resolve(&spec, &presets(), "d").unwrap();
    assert_eq!(model.triggers[0].name, "custom");
    spec.activation_query = Some("rate(x[1m]".into());
    assert_eq!(
        resolve(&spec, &presets(), "d").unwrap_err().key,
        "activationQuery"
    );
}

#[test]
fn every_preset_query_returns_one_series() {
    let presets = presets();
    for server in crate::generate::preset::SERVERS {
        let preset = presets.get(server).unwrap();
        for signal in preset.signals.keys() {
            let mut spec = raw(server);
            spec.signal = Some(OneOrMany::One(*signal));
            let model = resolve(&spec, &presets, "d").unwrap();
            let query = &model.triggers[0].query;
            assert!(!query.contains("${"), "{server}/{}: {query}", signal.name());
            check_one_series("query", query)
                .unwrap_or_else(|e| panic!("{server}/{}: {e}: {query}", signal.name()));
        }
    }
}

/// A pod name as Kubernetes makes it: ReplicaSet `<deployment>-<hash>`, then the API server
/// cuts the `generateName` `<replicaset>-` to 58 characters and appends 5 random ones.
fn pod_name(deployment: &str, hash: &str) -> String {
    let mut prefix = format!("{deployment}-{hash}-");
    prefix.truncate(58);
    format!("{prefix}x7k2p")
}

fn matches(pattern: &str, pod: &str) -> bool {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .unwrap()
        .is_match(pod)
}

#[test]
fn pod_pattern_matches_truncated_pod_names_of_long_deployments() {
    // 46 characters: even a 10-character hash leaves the prefix at 58, so two segments.
    let name = "a".repeat(46);
    assert_eq!(pod_pattern(&name), format!("{name}-[a-z0-9]+-[a-z0-9]+"));
    // 47: the longest hash loses the final '-', and the pod has one segment after the name.
    let name = "a".repeat(47);
    assert_eq!(pod_name(&name, "5d8b9c7f4d").matches('-').count(), 1);
    assert_eq!(
        pod_pattern(&name),
        format!("{name}-[a-z0-9]+-[a-z0-9]+|{name}-[a-z0-9]{{15}}")
    );
    for len in 1..=MAX_NAME_LEN {
        let name = "m".repeat(len);
        let pattern = pod_pattern(&name);
        for hash in ["7", "58b9c", "5d8b9c7f4d"] {
            let pod = pod_name(&name, hash);
            assert!(matches(&pattern, &pod), "{len}: {pod} !~ {pattern}");
            // A Deployment whose name starts with this one's and a dash (`<name>-big`), as
            // long as names can be, never has its untruncated pods matched.
            let other = format!("{name}-big");
            if format!("{other}-{hash}-").len() <= 58 {
                let pod = pod_name(&other, hash);
                assert!(!matches(&pattern, &pod), "{len}: {pod} =~ {pattern}");
            }
        }
        assert!(
            !matches(&pattern, &format!("{name}-0")),
            "{len}: a StatefulSet pod"
        );
    }
}

#[test]
fn the_largest_counts_multiply_without_overflow() {
    let mut spec = raw("vllm");
    spec.queue = Some("team-a".into());
    spec.max = Some(u64::from(MAX_COUNT));
    spec.gpus_per_replica = Some(u64::from(MAX_COUNT));
    let model = resolve(&spec, &presets(), "d").unwrap();
    assert_eq!(model.kueue.unwrap().gpu_quota, 4_611_686_014_132_420_609);
    spec.gpus_per_replica = Some(u64::from(MAX_COUNT) + 1);
    let err = resolve(&spec, &presets(), "d").unwrap_err();
    assert_eq!(err.key, "gpusPerReplica");
    spec.gpus_per_replica = Some(u64::MAX);
    let err = resolve(&spec, &presets(), "d").unwrap_err();
    assert!(
        err.message.starts_with("18446744073709551615 is more than"),
        "{err}"
    );
}

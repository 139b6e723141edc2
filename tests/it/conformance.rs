//! Conformance: every document `generate` writes, for every preset and both Kueue API
//! versions, validates against the upstream KEDA 2.20 and Kueue 0.19 CRDs (the copy in
//! `../shared/conformance/crds/` and the one embedded in the binary); the HPA behaviour is
//! valid autoscaling/v2 and the Deployment is a valid apps/v1 object.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
use kubectl_infer::schema::Catalog;
use serde_json::Value;

use crate::support::{cli, embedded_crds, shared_crds};

const SERVERS: &[&str] = &["vllm", "tgi", "triton", "sglang", "nim", "llamacpp"];

fn generate_json(args: &[String]) -> Vec<Value> {
    let output = cli()
        .arg("generate")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    list["items"].as_array().unwrap().clone()
}

/// Every variant: each preset plain, with Kueue v1beta2 and v1beta1, scale to zero with auth.
fn variants() -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for server in SERVERS {
        let base: Vec<String> = [
            "--name",
            "llama",
            "-n",
            "serving",
            "--server",
            server,
            "--model",
            "m",
            "--min",
            "1",
            "--max",
            "8",
            "--cold-start",
            "150s",
            "--with-deployment",
        ]
        .map(str::to_string)
        .to_vec();
        all.push(base.clone());
        for api in ["v1beta2", "v1beta1"] {
            let mut kueue = base.clone();
            kueue.extend(
                [
                    "--queue",
                    "team-a",
                    "--gpu-quota",
                    "8",
                    "--cohort",
                    "pool",
                    "--gpus-per-replica",
                    "2",
                    "--gpu-product",
                    "NVIDIA-A100-SXM4-80GB",
                    "--kueue-api",
                    api,
                ]
                .map(str::to_string),
            );
            all.push(kueue);
        }
    }
    all.push(
        [
            "--name",
            "zero",
            "--server",
            "vllm",
            "--min",
            "0",
            "--max",
            "3",
            "--cold-start",
            "40m",
            "--signal",
            "queue",
            "--signal",
            "kv-cache",
            "--signal",
            "ttft",
            "--signal",
            "gpu-util",
            "--signal",
            "running",
            "--activation-query",
            "sum(rate(req_total[1m]))",
            "--auth-secret",
            "prom",
            "--with-deployment",
        ]
        .map(str::to_string)
        .to_vec(),
    );
    all
}

fn check_catalog(catalog: &Catalog, label: &str) {
    let mut checked = 0;
    for args in variants() {
        for object in generate_json(&args) {
            let kind = object["kind"].as_str().unwrap().to_string();
            match catalog.validate(&(&object).into()) {
                Some(violations) => {
                    assert!(
                        violations.is_empty(),
                        "{label}: {kind} from {args:?}: {violations:#?}"
                    );
                    checked += 1;
                }
                None => assert_eq!(kind, "Deployment", "{label}: no schema for {kind}"),
            }
        }
    }
    // 6 presets × (1 + 2 × 4 Kueue objects incl. ScaledObject) + 2 for the zero variant.
    assert_eq!(checked, 6 * (1 + 2 * 4) + 2, "{label}");
}

#[test]
fn generated_objects_validate_against_the_shared_upstream_crds() {
    let Some(dir) = shared_crds("the embedded copy (crds/)") else {
        check_catalog(
            &Catalog::from_dir(&embedded_crds()).unwrap(),
            "crds/ folder",
        );
        return;
    };
    let catalog = Catalog::from_dir(&dir).unwrap();
    check_catalog(&catalog, "shared CRDs");
}

#[test]
fn generated_objects_validate_against_the_embedded_crds() {
    check_catalog(Catalog::builtin(), "embedded CRDs");
}

#[test]
fn embedded_crds_are_the_shared_ones() {
    let Some(shared) = shared_crds("nothing: crds/ has no upstream copy to be compared with")
    else {
        return;
    };
    let embedded = embedded_crds();
    for sub in ["keda-v2.20", "kueue-v0.19"] {
        for entry in std::fs::read_dir(shared.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let copy = embedded.join(sub).join(path.file_name().unwrap());
            assert!(
                std::fs::read(&path).unwrap() == std::fs::read(&copy).unwrap_or_default(),
                "{} differs from {}",
                copy.display(),
                path.display()
            );
        }
    }
}

/// Round-trips through the typed autoscaling/v2 object: a field it does not know would be
/// dropped and the comparison would fail (deny-unknown-fields semantics).
fn assert_valid_behavior(behavior: &Value, context: &str) {
    let typed: HorizontalPodAutoscalerBehavior = serde_json::from_value(behavior.clone()).unwrap();
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        behavior,
        "{context}"
    );
    for rules in [typed.scale_up.as_ref(), typed.scale_down.as_ref()] {
        let rules = rules.unwrap();
        let window = rules.stabilization_window_seconds.unwrap();
        assert!((0..=3600).contains(&window), "{context}: window {window}");
        let select = rules.select_policy.as_deref().unwrap();
        assert!(["Max", "Min", "Disabled"].contains(&select), "{context}");
        for policy in rules.policies.as_ref().unwrap() {
            assert!(
                ["Pods", "Percent"].contains(&policy.type_.as_str()),
                "{context}"
            );
            assert!(policy.value > 0, "{context}");
            assert!((1..=1800).contains(&policy.period_seconds), "{context}");
        }
    }
}

#[test]
fn hpa_behavior_is_valid_autoscaling_v2() {
    for args in variants() {
        for object in generate_json(&args) {
            if object["kind"] == "ScaledObject" {
                let behavior =
                    &object["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"];
                assert_valid_behavior(behavior, &format!("{args:?}"));
            }
        }
    }
}

#[test]
fn deployment_is_valid_apps_v1() {
    for args in variants() {
        for object in generate_json(&args) {
            if object["kind"] == "Deployment" {
                let typed: Deployment = serde_json::from_value(object.clone()).unwrap();
                let mut back = serde_json::to_value(&typed).unwrap();
                // k8s-openapi writes apiVersion and kind itself.
                back["apiVersion"] = object["apiVersion"].clone();
                assert_eq!(back, object, "{args:?}");
                assert_eq!(object["apiVersion"], "apps/v1");
            }
        }
    }
}

#[test]
fn generated_objects_pass_our_own_lint() {
    // Every preset, plain and with Kueue (queue signal, 150 s cold start), and the
    // scale-to-zero variant with every vLLM signal. Two findings are true by design, and
    // generate warns about both itself: Kueue v1beta1 is deprecated (KUE011), and the zero
    // variant's 40 min cold start is beyond what HPA's 1800 s policy period can express
    // (CLD003, lint given that cold start).
    for args in variants() {
        let output = cli().arg("generate").args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        let mut lint_args = vec!["lint", "-"];
        if args.contains(&"v1beta1".to_string()) {
            lint_args.extend(["--ignore", "KUE011"]);
        }
        if args.contains(&"40m".to_string()) {
            lint_args.extend(["--cold-start", "40m", "--ignore", "CLD003"]);
        }
        let lint = cli()
            .args(&lint_args)
            .write_stdin(output.stdout)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&lint.stdout);
        assert_eq!(lint.status.code(), Some(0), "{args:?}: {stdout}");
    }
}

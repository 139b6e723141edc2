use serde_json::json;

use super::*;

fn violations(object: Value) -> Vec<Violation> {
    Catalog::builtin()
        .validate(&(&object).into())
        .expect("a built-in schema exists")
}

fn scaled_object(spec: Value) -> Value {
    json!({
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "llm", "namespace": "serving", "labels": {"app": "llm"}},
        "spec": spec,
    })
}

fn good_spec() -> Value {
    json!({
        "scaleTargetRef": {"name": "llm"},
        "minReplicaCount": 1,
        "maxReplicaCount": 8,
        "fallback": {"failureThreshold": 3, "replicas": 4},
        "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {
            "scaleUp": {"stabilizationWindowSeconds": 30,
                        "policies": [{"type": "Pods", "value": 2, "periodSeconds": 120}]}
        }}},
        "triggers": [{"type": "prometheus", "metricType": "AverageValue", "metadata": {
            "serverAddress": "http://prometheus:9090", "query": "sum(x)", "threshold": "5"
        }}],
    })
}

fn pointers(found: &[Violation]) -> Vec<(&str, ViolationKind)> {
    found.iter().map(|v| (v.pointer.as_str(), v.kind)).collect()
}

#[test]
fn builtin_catalog_has_every_keda_and_kueue_kind() {
    let kinds: Vec<(&str, &str)> = Catalog::builtin().kinds().collect();
    for expected in [
        ("keda.sh", "ScaledObject"),
        ("keda.sh", "ScaledJob"),
        ("keda.sh", "TriggerAuthentication"),
        ("keda.sh", "ClusterTriggerAuthentication"),
        ("kueue.x-k8s.io", "ClusterQueue"),
        ("kueue.x-k8s.io", "LocalQueue"),
        ("kueue.x-k8s.io", "ResourceFlavor"),
        ("kueue.x-k8s.io", "Workload"),
        ("kueue.x-k8s.io", "Cohort"),
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected:?} missing from {kinds:?}"
        );
    }
    assert_eq!(kinds.len(), BUILTIN_CRDS.len());
}

#[test]
fn a_valid_scaled_object_has_no_violations() {
    assert_eq!(violations(scaled_object(good_spec())), []);
}

#[test]
fn unknown_kinds_have_no_schema() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
    assert!(Catalog::builtin().validate(&(&pod).into()).is_none());
    assert!(
        Catalog::builtin()
            .validate(&(&json!({"kind": "X"})).into())
            .is_none()
    );
}

#[test]
fn unserved_version_is_reported_at_api_version() {
    let mut so = scaled_object(good_spec());
    so["apiVersion"] = json!("keda.sh/v1");
    let found = violations(so);
    assert_eq!(pointers(&found), [("/apiVersion", ViolationKind::Other)]);
    assert!(
        found[0].message.contains("served: keda.sh/v1alpha1"),
        "{found:?}"
    );
}

#[test]
fn unknown_fields_are_found_with_a_suggestion() {
    let mut spec = good_spec();
    spec["minReplicas"] = json!(1);
    spec["triggers"][0]["metdata"] = json!({});
    let found = violations(scaled_object(spec));
    assert_eq!(
        pointers(&found),
        [
            ("/spec/minReplicas", ViolationKind::UnknownField),
            ("/spec/triggers/0/metdata", ViolationKind::UnknownField),
        ]
    );
    assert!(
        found[1].message.contains("did you mean \"metadata\""),
        "{found:?}"
    );
}

#[test]
fn trigger_metadata_values_must_be_strings() {
    let mut spec = good_spec();
    spec["triggers"][0]["metadata"]["threshold"] = json!(5);
    let found = violations(scaled_object(spec));
    assert_eq!(
        pointers(&found),
        [(
            "/spec/triggers/0/metadata/threshold",
            ViolationKind::WrongType
        )]
    );
    assert!(found[0].message.contains("quote it"), "{found:?}");
}

#[test]
fn integer_fields_refuse_fractions_and_strings() {
    let mut spec = good_spec();
    spec["pollingInterval"] = json!(1.5);
    spec["cooldownPeriod"] = json!("300");
    spec["minReplicaCount"] = json!(2.0);
    let found = violations(scaled_object(spec));
    assert_eq!(
        pointers(&found),
        [
            ("/spec/cooldownPeriod", ViolationKind::WrongType),
            ("/spec/pollingInterval", ViolationKind::WrongType),
        ]
    );
}

#[test]
fn required_enum_and_range_are_checked() {
    let mut spec = good_spec();
    spec["scaleTargetRef"] = json!({"kind": "Deployment"});
    spec["advanced"]["scalingModifiers"] = json!({"metricType": "Average"});
    spec["pollingInterval"] = json!(0);
    // The CRD leaves HPA behavior ranges to the HPA API (KEDA copies it verbatim), so a
    // 2-hour window is not a schema violation; `generate` checks it against autoscaling/v2.
    let behavior = &mut spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"];
    behavior["scaleDown"] = json!({"stabilizationWindowSeconds": 7200});
    let found = violations(scaled_object(spec));
    let mut got = pointers(&found);
    got.sort();
    assert_eq!(
        got,
        [
            (
                "/spec/advanced/scalingModifiers/metricType",
                ViolationKind::Enum
            ),
            ("/spec/pollingInterval", ViolationKind::OutOfRange),
            ("/spec/scaleTargetRef", ViolationKind::Required),
        ]
    );
}

#[test]
fn empty_triggers_break_min_items() {
    let mut spec = good_spec();
    spec["triggers"] = json!([]);
    let found = violations(scaled_object(spec));
    assert_eq!(
        pointers(&found),
        [("/spec/triggers", ViolationKind::OutOfRange)]
    );
}

#[test]
fn metadata_is_checked_as_object_meta() {
    let mut so = scaled_object(good_spec());
    so["metadata"]["labels"]["replicas"] = json!(3);
    so["metadata"]["lables"] = json!({});
    let found = violations(so);
    assert_eq!(
        pointers(&found),
        [
            ("/metadata/labels/replicas", ViolationKind::WrongType),
            ("/metadata/lables", ViolationKind::UnknownField),
        ]
    );
}

fn cluster_queue(quota: Value) -> Value {
    json!({
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": {"name": "team-a"},
        "spec": {
            "namespaceSelector": {},
            "resourceGroups": [{
                "coveredResources": ["nvidia.com/gpu"],
                "flavors": [{"name": "h100", "resources": [
                    {"name": "nvidia.com/gpu", "nominalQuota": quota}
                ]}]
            }]
        }
    })
}

#[test]
fn quantities_are_int_or_string_with_a_pattern() {
    assert_eq!(violations(cluster_queue(json!(16))), []);
    assert_eq!(violations(cluster_queue(json!("16"))), []);
    let found = violations(cluster_queue(json!("sixteen")));
    let at = "/spec/resourceGroups/0/flavors/0/resources/0/nominalQuota";
    assert_eq!(pointers(&found), [(at, ViolationKind::Pattern)]);
    let found = violations(cluster_queue(json!(true)));
    assert_eq!(pointers(&found), [(at, ViolationKind::WrongType)]);
}

#[test]
fn kueue_versions_differ_in_fields() {
    let mut cq = cluster_queue(json!(8));
    cq["spec"]["cohortName"] = json!("pool");
    assert_eq!(violations(cq.clone()), []);
    cq["apiVersion"] = json!("kueue.x-k8s.io/v1beta1");
    let found = violations(cq);
    assert_eq!(
        pointers(&found),
        [("/spec/cohortName", ViolationKind::UnknownField)]
    );
}

#[test]
fn map_lists_refuse_duplicate_keys() {
    let mut cq = cluster_queue(json!(8));
    let flavor = cq["spec"]["resourceGroups"][0]["flavors"][0].clone();
    cq["spec"]["resourceGroups"][0]["flavors"] = json!([flavor.clone(), flavor]);
    let found = violations(cq);
    assert!(
        found
            .iter()
            .any(|v| v.pointer == "/spec/resourceGroups/0/flavors/1"
                && v.kind == ViolationKind::Other),
        "{found:?}"
    );
}

#[test]
fn catalog_from_crd_values_and_from_dir() {
    let text = BUILTIN_CRDS[0].1;
    let crds: Vec<Value> = load_str("so.yaml", text)
        .unwrap()
        .into_iter()
        .map(|d| d.value.to_json())
        .collect();
    let catalog = Catalog::from_crds(&crds).unwrap();
    assert_eq!(
        catalog.kinds().collect::<Vec<_>>(),
        [("keda.sh", "ScaledObject")]
    );
    assert_eq!(
        catalog.validate(&(&scaled_object(good_spec())).into()),
        Some(vec![])
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keda")).unwrap();
    std::fs::write(dir.path().join("keda/so.yaml"), text).unwrap();
    std::fs::write(dir.path().join("other.yaml"), "kind: ConfigMap\n").unwrap();
    let catalog = Catalog::from_dir(dir.path()).unwrap();
    assert_eq!(catalog.kinds().count(), 1);
}

#[test]
fn bad_crd_folders_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "a: [\n").unwrap();
    let err = Catalog::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.yaml:"), "{err}");
    let missing = dir.path().join("nope");
    let err = Catalog::from_dir(&missing).unwrap_err().to_string();
    assert!(err.contains("nope"), "{err}");
    let crd = json!({"kind": "CustomResourceDefinition", "metadata": {"name": "x.y"}});
    let err = Catalog::from_crds(&[crd]).unwrap_err().to_string();
    assert!(err.starts_with("CRD x.y: "), "{err}");
}

//! Table-style tests of the per-trigger checks on hand-made Prometheus answers.

use super::*;
use crate::sources::prometheus::{Point, Sample, Series};
use crate::validate::triggers::{MetricType, ObjectRef, TargetRef};

fn spec() -> TriggerSpec {
    TriggerSpec {
        object: ObjectRef {
            namespace: "serving".into(),
            name: "llama".into(),
            source: Some("so.yaml:1".into()),
        },
        target: TargetRef {
            kind: "Deployment".into(),
            name: "llama".into(),
        },
        name: "s0-prometheus".into(),
        query: "sum(vllm:num_requests_waiting{namespace=\"serving\"})".into(),
        threshold: 5.0,
        activation_threshold: 0.0,
        metric_type: MetricType::AverageValue,
        ignore_null_values: true,
        server_address: None,
        min_replicas: 0,
        max_replicas: 4,
        idle_replicas: None,
    }
}

fn vector(values: &[f64]) -> QueryData {
    QueryData::Vector(
        values
            .iter()
            .enumerate()
            .map(|(i, &value)| Sample {
                labels: [("pod".to_string(), format!("p{i}"))].into(),
                point: Point { time: 100.0, value },
            })
            .collect(),
    )
}

fn matrix(values: &[f64]) -> QueryData {
    QueryData::Matrix(vec![Series {
        labels: BTreeMap::new(),
        points: values
            .iter()
            .enumerate()
            .map(|(i, &value)| Point {
                time: i as f64,
                value,
            })
            .collect(),
    }])
}

fn observed(instant: Result<QueryData, String>, range: Option<QueryData>) -> Observed {
    Observed {
        instant,
        warnings: Vec::new(),
        newest: [(
            "vllm:num_requests_waiting{namespace=\"serving\"}".to_string(),
            Some(98.0),
        )]
        .into(),
        range: range.map(Ok),
    }
}

fn names() -> Vec<String> {
    [
        "up",
        "vllm:kv_cache_usage_perc",
        "vllm:num_requests_waiting",
    ]
    .map(String::from)
    .to_vec()
}

fn run(spec: &TriggerSpec, observed: &Observed, lookback: bool) -> Vec<CheckResult> {
    let names = names();
    let ctx = Context {
        now: 100.0,
        max_age: Duration::from_secs(60),
        lookback: lookback.then(|| Duration::from_secs(3600)),
        metric_names: &names,
    };
    check_trigger(spec, observed, &ctx)
}

fn find(results: &[CheckResult], check: CheckName) -> &CheckResult {
    results
        .iter()
        .find(|r| r.check == check)
        .unwrap_or_else(|| panic!("no {check:?} row in {results:#?}"))
}

#[test]
fn a_healthy_trigger_passes_every_check() {
    let results = run(&spec(), &observed(Ok(vector(&[7.0])), None), false);
    assert!(
        results.iter().all(|r| r.status == Status::Ok),
        "{results:#?}"
    );
    assert_eq!(
        find(&results, CheckName::Value).detail,
        "7 against threshold 5: the HPA would ask for 2 replica(s), 2 within 1..4"
    );
    assert_eq!(
        find(&results, CheckName::Freshness).detail,
        "newest samples are at most 2s old (limit 1m)"
    );
    assert!(
        find(&results, CheckName::Activation)
            .detail
            .starts_with("active now (7 > ")
    );
}

#[test]
fn a_rejected_query_fails_and_stops_there() {
    let results = run(
        &spec(),
        &observed(Err("bad_data: parse error".into()), None),
        false,
    );
    let query = find(&results, CheckName::Query);
    assert_eq!(
        (query.status, query.detail.as_str()),
        (Status::Fail, "bad_data: parse error")
    );
    assert!(results.iter().all(|r| r.check != CheckName::Series));
}

#[test]
fn several_series_empty_and_non_finite_values_fail() {
    let several = run(&spec(), &observed(Ok(vector(&[1.0, 2.0])), None), false);
    let series = find(&several, CheckName::Series);
    assert_eq!(series.status, Status::Fail);
    assert!(
        series
            .detail
            .starts_with("2 series ({pod=\"p0\"}, {pod=\"p1\"})"),
        "{}",
        series.detail
    );

    let empty = run(&spec(), &observed(Ok(vector(&[])), None), false);
    assert!(
        find(&empty, CheckName::Series)
            .detail
            .contains("KEDA reads it as 0")
    );
    assert_eq!(find(&empty, CheckName::Activation).status, Status::Warn);

    for (value, word) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
        (f64::NEG_INFINITY, "-Inf"),
    ] {
        let results = run(&spec(), &observed(Ok(vector(&[value])), None), false);
        let row = find(&results, CheckName::Value);
        assert_eq!(row.status, Status::Fail);
        assert!(
            row.detail.starts_with(&format!("the value is {word}:")),
            "{}",
            row.detail
        );
    }
}

#[test]
fn scalar_string_and_matrix_answers_fail_with_their_own_message() {
    let cases = [
        (
            QueryData::Scalar(Point {
                time: 1.0,
                value: 1.0,
            }),
            "returns a scalar",
        ),
        (
            QueryData::String {
                time: 1.0,
                value: "x".into(),
            },
            "returns a string",
        ),
        (matrix(&[1.0]), "returns a range vector"),
    ];
    for (data, words) in cases {
        let results = run(&spec(), &observed(Ok(data), None), false);
        let row = find(&results, CheckName::Series);
        assert_eq!(row.status, Status::Fail);
        assert!(row.detail.contains(words), "{}", row.detail);
    }
}

#[test]
fn missing_metrics_suggest_close_names() {
    let mut spec = spec();
    spec.query = "avg(vllm:gpu_cache_usage_perc)".into();
    let results = run(&spec, &observed(Ok(vector(&[0.5])), None), false);
    let row = find(&results, CheckName::Metrics);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.detail,
        "vllm:gpu_cache_usage_perc does not exist in Prometheus; did you mean \
         vllm:kv_cache_usage_perc?"
    );
}

#[test]
fn or_fails_only_when_no_branch_has_its_metrics() {
    let mut spec = spec();
    spec.query = "avg(vllm:kv_cache_usage_perc{namespace=\"s\"} or \
                  vllm:gpu_cache_usage_perc{namespace=\"s\"})"
        .into();
    let results = run(&spec, &observed(Ok(vector(&[0.5])), None), false);
    let row = find(&results, CheckName::Metrics);
    assert_eq!(
        (row.status, row.detail.as_str()),
        (
            Status::Ok,
            "vllm:kv_cache_usage_perc exists (the `or` branch that can return data); \
             vllm:gpu_cache_usage_perc does not, which the `or` allows"
        )
    );

    spec.query = "avg(vllm:gpu_cache_usage_perc or vllm:gpu_cache_usage_percent)".into();
    let results = run(&spec, &observed(Ok(vector(&[])), None), false);
    let row = find(&results, CheckName::Metrics);
    assert_eq!(row.status, Status::Fail);
    assert!(
        row.detail
            .starts_with("vllm:gpu_cache_usage_perc does not exist"),
        "{}",
        row.detail
    );
}

#[test]
fn an_old_name_beside_its_new_name_is_not_a_rename_warning() {
    let mut names = names();
    names.push("vllm:gpu_cache_usage_perc".into());
    names.sort();
    let ctx = Context {
        now: 100.0,
        max_age: Duration::from_secs(60),
        lookback: None,
        metric_names: &names,
    };
    let mut spec = spec();
    spec.query = "avg(vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc)".into();
    let results = check_trigger(&spec, &observed(Ok(vector(&[0.5])), None), &ctx);
    assert_eq!(find(&results, CheckName::Metrics).status, Status::Ok);
    spec.query = "avg(vllm:gpu_cache_usage_perc)".into();
    let results = check_trigger(&spec, &observed(Ok(vector(&[0.5])), None), &ctx);
    assert_eq!(find(&results, CheckName::Metrics).status, Status::Warn);
}

#[test]
fn freshness_judges_only_the_or_branches_with_data() {
    let mut spec = spec();
    spec.query = "avg(x{pod=\"a\"} or x{exported_pod=\"a\"})".into();
    let mut obs = observed(Ok(vector(&[1.0])), None);
    obs.newest = [
        ("x{pod=\"a\"}".to_string(), Some(99.0)),
        ("x{exported_pod=\"a\"}".to_string(), None),
    ]
    .into();
    let results = run(&spec, &obs, false);
    let row = find(&results, CheckName::Freshness);
    assert_eq!(
        (row.status, row.detail.as_str()),
        (
            Status::Ok,
            "newest samples are at most 1s old (limit 1m); the other `or` branch \
             (x{exported_pod=\"a\"}) has no recent data"
        )
    );

    // No branch has data: every selector is judged.
    obs.newest.insert("x{pod=\"a\"}".to_string(), None);
    let results = run(&spec, &obs, false);
    let row = find(&results, CheckName::Freshness);
    assert_eq!(row.status, Status::Warn);
    assert!(
        row.detail.contains("x{exported_pod=\"a\"} has no sample"),
        "{}",
        row.detail
    );
    assert!(
        row.detail.contains("x{pod=\"a\"} has no sample"),
        "{}",
        row.detail
    );
}

#[test]
fn stale_samples_warn() {
    let mut spec = spec();
    spec.query = "sum(up) + sum(absent_metric)".into();
    let mut obs = observed(Ok(vector(&[1.0])), None);
    obs.newest = [
        ("up".to_string(), Some(-200.0)),
        ("absent_metric".to_string(), None),
    ]
    .into();
    let results = run(&spec, &obs, false);
    let row = find(&results, CheckName::Freshness);
    assert_eq!(row.status, Status::Warn);
    assert_eq!(
        row.detail,
        "absent_metric has no sample in the last 5m; newest sample of up is 5m old (limit 1m): \
         the signal is stale"
    );
}

#[test]
fn lookback_statistics_and_replicas() {
    // 241 points, as a 1h window at a 15 s step has, stepping up by one every 12 points.
    let values: Vec<f64> = (0..241).map(|i| f64::from(i / 12)).collect();
    let results = run(
        &spec(),
        &observed(Ok(vector(&[3.0])), Some(matrix(&values))),
        true,
    );
    let lookback = find(&results, CheckName::Lookback);
    assert_eq!(
        (lookback.status, lookback.detail.as_str()),
        (
            Status::Ok,
            "over 1h: min 0, median 10, p95 19, max 20 (241 of 241 points)"
        )
    );
    let replicas = find(&results, CheckName::Replicas);
    assert_eq!(replicas.status, Status::Ok);
    assert_eq!(
        replicas.detail,
        "the HPA would ask for 0/2/4/4 replicas at min/median/p95/max (bounds 1..4): within bounds"
    );
    let activation = find(&results, CheckName::Activation);
    assert_eq!(activation.status, Status::Ok, "{}", activation.detail);

    let high: Vec<f64> = vec![10.0, 30.0, 30.0, 30.0];
    let results = run(
        &spec(),
        &observed(Ok(vector(&[3.0])), Some(matrix(&high))),
        true,
    );
    let replicas = find(&results, CheckName::Replicas);
    assert_eq!(replicas.status, Status::Warn);
    assert!(
        replicas
            .detail
            .ends_with("capped by maxReplicaCount 4 more than 5% of the time")
    );
}

#[test]
fn few_points_over_the_window_warn_about_coverage() {
    let results = run(
        &spec(),
        &observed(Ok(vector(&[3.0])), Some(matrix(&[4.0]))),
        true,
    );
    let lookback = find(&results, CheckName::Lookback);
    assert_eq!(
        (lookback.status, lookback.detail.as_str()),
        (
            Status::Warn,
            "over 1h: min 4, median 4, p95 4, max 4 (1 of 241 points): only 0% of the window \
             has data, so these figures describe a small part of it"
        )
    );
    assert_eq!(lookback.data["points"], 1.0);
    assert_eq!(lookback.data["expectedPoints"], 241.0);
}

#[test]
fn activation_says_why_it_cannot_judge_several_series_and_odd_values() {
    let several = run(&spec(), &observed(Ok(vector(&[1.0, 2.0])), None), false);
    let row = find(&several, CheckName::Activation);
    assert_eq!(row.status, Status::Warn);
    assert!(
        row.detail
            .starts_with("not judged: the query returns 2 series"),
        "{}",
        row.detail
    );

    let nan = run(&spec(), &observed(Ok(vector(&[f64::NAN])), None), false);
    assert_eq!(
        find(&nan, CheckName::Activation).detail,
        "the value is NaN now: KEDA reads 0, which does not exceed activationThreshold 0, so \
         the trigger stays inactive (a ratio over an idle denominator?)"
    );
    let mut strict = spec();
    strict.ignore_null_values = false;
    let inf = run(
        &strict,
        &observed(Ok(vector(&[f64::INFINITY])), None),
        false,
    );
    assert!(
        find(&inf, CheckName::Activation)
            .detail
            .starts_with("the value is +Inf now: KEDA reports an error"),
    );

    let scalar = QueryData::Scalar(Point {
        time: 1.0,
        value: 1.0,
    });
    let results = run(&spec(), &observed(Ok(scalar), None), false);
    assert!(
        find(&results, CheckName::Activation)
            .detail
            .starts_with("not judged: the query returns a scalar"),
    );
    for results in [several, nan, inf] {
        assert!(
            !find(&results, CheckName::Activation)
                .detail
                .contains("no data"),
            "{results:#?}"
        );
    }
}

#[test]
fn an_all_nan_window_is_not_called_empty() {
    let results = run(
        &spec(),
        &observed(Ok(vector(&[f64::NAN])), Some(matrix(&[f64::NAN, f64::NAN]))),
        true,
    );
    let lookback = find(&results, CheckName::Lookback);
    assert_eq!(
        (lookback.status, lookback.detail.as_str()),
        (
            Status::Warn,
            "no finite value over the last 1h: all 2 points are NaN or ±Inf"
        )
    );
    assert!(
        find(&results, CheckName::Activation)
            .detail
            .starts_with("every value over 1h is NaN or ±Inf: KEDA reads 0"),
    );
}

#[test]
fn activation_never_scales_to_zero_or_never_wakes() {
    let busy = run(
        &spec(),
        &observed(Ok(vector(&[3.0])), Some(matrix(&[2.0, 5.0]))),
        true,
    );
    let row = find(&busy, CheckName::Activation);
    assert_eq!(row.status, Status::Warn);
    assert!(
        row.detail
            .starts_with("never scales to zero: the lowest value over 1h (2)")
    );

    let mut sleepy = spec();
    sleepy.activation_threshold = 10.0;
    let idle = run(
        &sleepy,
        &observed(Ok(vector(&[3.0])), Some(matrix(&[0.0, 10.0]))),
        true,
    );
    let row = find(&idle, CheckName::Activation);
    assert_eq!(row.status, Status::Warn);
    assert!(row.detail.starts_with("never wakes"), "{}", row.detail);

    let empty = QueryData::Matrix(Vec::new());
    let none = run(&spec(), &observed(Ok(vector(&[0.0])), Some(empty)), true);
    assert!(
        find(&none, CheckName::Activation)
            .detail
            .contains("never wakes")
    );

    let mut always_on = spec();
    always_on.min_replicas = 1;
    let results = run(
        &always_on,
        &observed(Ok(vector(&[0.0])), Some(matrix(&[1.0]))),
        true,
    );
    assert!(
        find(&results, CheckName::Activation)
            .detail
            .starts_with("not used")
    );
}

#[test]
fn numbers_read_well() {
    assert_eq!(format_value(2.5), "2.5");
    assert_eq!(format_value(1.0 / 3.0), "0.3333");
    assert_eq!(format_value(-0.0), "0");
    assert_eq!(seconds(250.0), "4m10s");
}

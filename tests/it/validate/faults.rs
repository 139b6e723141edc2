//! Prometheus faults from a misbehaving server: each has its own message and exit code, comes
//! within the timeout, and never panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Run, manifest, row, scaled_object, validate, verdict};
use crate::support::fake_prometheus::{self as fake, Answer, api_error, names, now, vector};
use crate::support::httpd::Request;

const QUERY: &str = "sum(vllm:num_requests_waiting{namespace=\"serving\"})";

/// A healthy answer for the bookkeeping requests (names, newest sample), `answer` for the
/// trigger's own queries.
fn prometheus(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> String {
    fake::start(move |request: &Request| {
        if request.path.starts_with("/api/v1/label/") {
            return names(&["vllm:num_requests_waiting", "up"]);
        }
        let query = request.params.get("query").cloned().unwrap_or_default();
        if query.contains("max(timestamp(") || query.starts_with("{__name__=~\"DCGM") {
            return vector(now(), &[]);
        }
        answer(&query)
    })
}

fn run_against(url: &str, extra: &[&str]) -> Run {
    let so = scaled_object(
        "serving",
        "llama",
        "  minReplicaCount: 1\n",
        &[(QUERY, "threshold: '5'")],
    );
    let (_dir, path) = manifest(&[so]);
    let mut args = vec![path.to_str().unwrap(), "--prometheus", url];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "2s"]);
    }
    args.extend_from_slice(extra);
    validate(&args)
}

/// Exit 4, nothing on stdout, one error line on stderr containing `words`.
fn assert_unusable(run: &Run, words: &str) {
    assert_eq!(
        run.code, 4,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(words),
        "{words:?} not in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn connection_refused_exits_4() {
    let run = run_against(&fake::refusing(), &[]);
    assert_unusable(&run, "cannot connect (Connection refused");
}

#[test]
fn a_slow_prometheus_times_out_within_the_limit() {
    let url = fake::start(|_| names(&[]).after(Duration::from_secs(20)));
    let started = Instant::now();
    let run = run_against(&url, &["--timeout", "500ms"]);
    assert_unusable(
        &run,
        "/api/v1/label/__name__/values: no answer within 500ms",
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn auth_failures_and_server_errors_exit_4() {
    let cases = [
        (
            Answer::status(401, "text/plain", "Unauthorized\n"),
            "HTTP 401: Prometheus refused",
        ),
        (
            Answer::status(403, "text/plain", "Forbidden\n"),
            "HTTP 403: Prometheus refused",
        ),
        (
            Answer::status(500, "text/plain", "oops\n"),
            "HTTP 500: server error",
        ),
        (
            Answer::status(503, "text/html", "<h1>down</h1>"),
            "HTTP 503: server error",
        ),
        (
            Answer::json("<html>sign in</html>"),
            "not a Prometheus API answer: invalid JSON",
        ),
        (
            Answer::status(404, "text/plain", "404 page not found\n"),
            "HTTP 404 Not Found",
        ),
    ];
    for (answer, words) in cases {
        let url = fake::start(move |_| answer.clone());
        assert_unusable(&run_against(&url, &[]), words);
    }
}

#[test]
fn a_server_side_query_error_exits_4_and_a_bad_query_fails_the_check() {
    let unavailable = prometheus(|_| api_error(503, "unavailable", "TSDB is still loading"));
    assert_unusable(
        &run_against(&unavailable, &[]),
        "failed to run the query (unavailable): TSDB is still loading",
    );

    let bad = prometheus(|_| api_error(400, "bad_data", "1:5: parse error: unexpected end"));
    let run = run_against(&bad, &["-o", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    let checks = run.checks();
    assert_eq!(
        verdict(row(
            &checks,
            "serving/llama",
            Some("s0-prometheus"),
            "query"
        )),
        (
            "FAIL",
            "Prometheus rejected the query (bad_data): 1:5: parse error: unexpected end"
        )
    );
}

#[test]
fn tls_against_a_plain_http_server_exits_4() {
    let url = fake::start(|_| names(&[]));
    let https = url.replace("http://", "https://");
    assert_unusable(&run_against(&https, &[]), "TLS failure");
}

#[test]
fn an_untrusted_certificate_exits_4_with_one_line_on_stderr() {
    // Regression: rustls' certificate verifier logged its own ERROR line before ours.
    let url = crate::support::tls::untrusted();
    assert_unusable(
        &run_against(&url, &[]),
        "TLS failure: invalid peer certificate: UnknownIssuer",
    );
}

#[test]
fn an_execution_error_answered_with_5xx_is_prometheus_failing_and_exits_4() {
    let failing =
        prometheus(|_| api_error(500, "execution", "expanding series: storage unavailable"));
    assert_unusable(
        &run_against(&failing, &[]),
        "failed to run the query (execution): expanding series: storage unavailable",
    );

    // The same error type with 422, as Prometheus answers a query it cannot evaluate, is the
    // query's fault: a failed check.
    let bad = prometheus(|_| api_error(422, "execution", "found duplicate series"));
    let run = run_against(&bad, &["-o", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    assert_eq!(
        verdict(row(
            &checks,
            "serving/llama",
            Some("s0-prometheus"),
            "query"
        ))
        .0,
        "FAIL"
    );
}

#[test]
fn a_rejected_dcgm_query_is_a_finding_unless_the_user_narrowed_it() {
    let url = fake::start(|request: &Request| {
        if request.path.starts_with("/api/v1/label/") {
            return names(&["vllm:num_requests_waiting"]);
        }
        let query = request.params.get("query").cloned().unwrap_or_default();
        if query.contains("DCGM_FI_DEV_GPU_UTIL") {
            return api_error(400, "bad_data", "invalid regular expression");
        }
        vector(now(), &[(json!({}), "1")])
    });

    let run = run_against(&url, &["-o", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(
        verdict(row(&run.checks(), "serving/llama", None, "dcgm")),
        (
            "WARN",
            "cannot read the DCGM series: Prometheus rejected the query (bad_data): invalid \
             regular expression"
        )
    );

    let run = run_against(&url, &["--dcgm-match", "job=\"dcgm\""]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with("error: --dcgm-match \"job=\\\"dcgm\\\"\": "),
        "{}",
        run.stderr
    );
}

#[test]
fn a_zero_timeout_means_no_limit() {
    let url = prometheus(|_| vector(now(), &[(json!({}), "1")]).after(Duration::from_millis(300)));
    let run = run_against(&url, &["--timeout", "0"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn every_odd_answer_shape_has_its_own_message() {
    let t = now();
    let url = prometheus(move |query| match query {
        "empty" => vector(t, &[]),
        "several" => vector(t, &[(json!({"pod": "a"}), "1"), (json!({"pod": "b"}), "2")]),
        "nan" => vector(t, &[(json!({}), "NaN")]),
        "inf" => vector(t, &[(json!({}), "+Inf")]),
        "neginf" => vector(t, &[(json!({}), "-Inf")]),
        "string" => fake::result("string", json!([t, "busy"])),
        "scalar" => fake::result("scalar", json!([t, "3"])),
        "matrix" => fake::result("matrix", json!([{"metric": {}, "values": [[t, "1"]]}])),
        _ => vector(t, &[(json!({}), "1")]),
    });
    let queries = [
        "empty", "several", "nan", "inf", "neginf", "string", "scalar", "matrix",
    ];
    let triggers: Vec<(&str, &str)> = queries.iter().map(|q| (*q, "threshold: '1'")).collect();
    let so = scaled_object("serving", "odd", "  minReplicaCount: 1\n", &triggers);
    let (_dir, path) = manifest(&[so]);

    let run = validate(&[path.to_str().unwrap(), "--prometheus", &url, "-o", "json"]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let checks = run.checks();
    let expect = [
        ("series", "the query returns no series: KEDA reads it as 0"),
        ("series", "2 series ({pod=\"a\"}, {pod=\"b\"}): KEDA fails"),
        ("value", "the value is NaN:"),
        ("value", "the value is +Inf:"),
        ("value", "the value is -Inf:"),
        ("series", "the query returns a string"),
        ("series", "the query returns a scalar"),
        ("series", "the query returns a range vector"),
    ];
    for (i, (check, start)) in expect.iter().enumerate() {
        let trigger = format!("s{i}-prometheus");
        let (status, detail) = verdict(row(&checks, "serving/odd", Some(&trigger), check));
        assert_eq!(status, "FAIL", "{trigger}: {detail}");
        assert!(detail.starts_with(start), "{trigger}: {detail}");
    }
}

#[test]
fn credentials_and_headers_reach_prometheus() {
    let url = prometheus(|_| vector(now(), &[(json!({}), "1")]));
    let guarded = fake::start({
        let inner = url.clone();
        move |request: &Request| {
            let auth = request.headers.get("authorization").map(String::as_str);
            let tenant = request.headers.get("x-scope-orgid").map(String::as_str);
            let allowed = matches!(auth, Some("Bearer s3cret") | Some("Basic bWU6cHc="));
            if !allowed || tenant != Some("team-a") {
                return Answer::status(401, "text/plain", "Unauthorized\n");
            }
            forward(&inner, request)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let header = ["--header", "X-Scope-OrgID: team-a"];

    let with_token = [
        &["--bearer-token-file", token.to_str().unwrap()][..],
        &header[..],
    ]
    .concat();
    assert_eq!(run_against(&guarded, &with_token).code, 0);
    assert_eq!(run_against(&guarded, &header).code, 4, "no credentials");

    let with_env = crate::support::cli()
        .arg("validate")
        .args([
            "--prometheus",
            &guarded,
            "--header",
            "X-Scope-OrgID: team-a",
        ])
        .arg(manifest_path(&dir))
        .env("KUBECTL_INFER_PROMETHEUS_TOKEN", "s3cret")
        .output()
        .unwrap();
    assert_eq!(
        with_env.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with_env.stderr)
    );

    let password = dir.path().join("password");
    std::fs::write(&password, "pw").unwrap();
    let basic = [
        &[
            "--basic-auth-user",
            "me",
            "--basic-auth-password-file",
            password.to_str().unwrap(),
        ][..],
        &header[..],
    ]
    .concat();
    assert_eq!(run_against(&guarded, &basic).code, 0);
}

/// Answers `request` by asking the server at `url` the same thing.
fn forward(url: &str, request: &Request) -> Answer {
    let addr = url.trim_start_matches("http://").parse().unwrap();
    let params: Vec<(&str, &str)> = request
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, body) = crate::support::httpd::get(addr, &request.path, &params).unwrap();
    Answer::status(status, "application/json", body)
}

fn manifest_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let so = scaled_object(
        "serving",
        "llama",
        "  minReplicaCount: 1\n",
        &[(QUERY, "threshold: '5'")],
    );
    let path = dir.path().join("so.yaml");
    std::fs::write(&path, so).unwrap();
    path
}

/// ScaledObjects `m0..m{count}` in namespace `serving`, each with the queue query of pod
/// `llama-{i % distinct}`: `count / distinct` objects share each query.
fn many_objects(count: usize, distinct: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let query = format!(
                "sum(vllm:num_requests_waiting{{namespace=\"serving\",pod=\"llama-{}\"}})",
                i % distinct
            );
            scaled_object(
                "serving",
                &format!("m{i}"),
                "  minReplicaCount: 1\n",
                &[(&query, "threshold: '5'")],
            )
        })
        .collect()
}

#[test]
fn requests_run_concurrently_within_the_bound() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (now_in, peak_in) = (in_flight.clone(), peak.clone());
    let url = fake::start(move |request: &Request| {
        if request.path.starts_with("/api/v1/label/") {
            return names(&["vllm:num_requests_waiting"]);
        }
        let current = now_in.fetch_add(1, Ordering::SeqCst) + 1;
        peak_in.fetch_max(current, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(150));
        now_in.fetch_sub(1, Ordering::SeqCst);
        vector(now(), &[(json!({}), "1")])
    });
    let (_dir, path) = manifest(&many_objects(20, 20));

    let run = validate(&[
        path.to_str().unwrap(),
        "--prometheus",
        &url,
        "--concurrency",
        "4",
    ]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        (2..=4).contains(&peak),
        "peak of {peak} requests in flight with --concurrency 4"
    );
}

/// What the one-wave Prometheus saw.
#[derive(Default)]
struct Wave {
    /// Requests held until all of them had arrived: names, instant queries, DCGM.
    held: usize,
    /// The most requests held at once.
    peak: usize,
    /// Instant queries of the triggers.
    instant: usize,
    /// Combined newest-sample queries.
    newest: usize,
}

#[test]
fn a_hundred_scaled_objects_cost_one_wave_of_deduplicated_requests() {
    // 200 ScaledObjects over 100 distinct queries: 100 instant queries, one metric-name
    // request and one DCGM query must all be in flight at once (one round trip); the newest
    // samples of the 100 selectors come from a few combined queries.
    const ONE_WAVE: usize = 102;
    let wave = Arc::new((
        std::sync::Mutex::new(Wave::default()),
        std::sync::Condvar::new(),
    ));
    let seen = wave.clone();
    let url = fake::start(move |request: &Request| {
        let query = request.params.get("query").cloned().unwrap_or_default();
        let (lock, arrived) = &*seen;
        let mut wave = lock.lock().unwrap();
        if query.contains("max(timestamp(") {
            wave.newest += 1;
            return vector(now(), &[]);
        }
        if query.starts_with("sum(vllm:") {
            wave.instant += 1;
        }
        wave.held += 1;
        wave.peak = wave.peak.max(wave.held);
        arrived.notify_all();
        // Held until the whole wave has arrived (or long enough to show it never will).
        let (mut wave, _) = arrived
            .wait_timeout_while(wave, Duration::from_secs(5), |w| w.peak < ONE_WAVE)
            .unwrap();
        wave.held -= 1;
        drop(wave);
        if request.path.starts_with("/api/v1/label/") {
            return names(&["vllm:num_requests_waiting"]);
        }
        vector(now(), &[(json!({}), "1")])
    });
    let (_dir, path) = manifest(&many_objects(200, 100));

    let run = validate(&[path.to_str().unwrap(), "--prometheus", &url]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let wave = wave.0.lock().unwrap();
    assert_eq!(wave.instant, 100, "one instant query per distinct query");
    assert_eq!(wave.peak, ONE_WAVE, "every request in flight at once");
    assert!(
        (1..=6).contains(&wave.newest),
        "{} newest-sample queries for 100 selectors",
        wave.newest
    );
}

//! The exec probe: a server started by the test's command, readiness after a known delay,
//! and the faults (command not found, exit before ready, never ready, invalid URL), each
//! checked for leftover processes.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use kubectl_infer::generate::timing;

use super::{json, probe};

/// A loopback HTTP server that answers 200 once `marker` has existed for `delay`, and 503
/// before. Answering 200 removes the marker, so each run of the probe (whose command creates
/// the marker afresh) waits the full delay again. With no delay it never answers 200. It
/// records the marker's age at each 200: the wait the server itself imposed.
struct ReadyServer {
    url: String,
    stop: Arc<AtomicBool>,
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl ReadyServer {
    fn start(marker: PathBuf, delay: Option<Duration>) -> ReadyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/health", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let waits = Arc::new(Mutex::new(Vec::new()));
        let (stopped, recorded) = (stop.clone(), waits.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        if let Some(wait) = answer(&mut stream, &marker, delay) {
                            recorded.lock().unwrap().push(wait);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        ReadyServer { url, stop, waits }
    }

    /// The marker's age at each 200 answered so far.
    fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Drop for ReadyServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Answers one request; returns the marker's age when the answer was 200.
fn answer(
    stream: &mut std::net::TcpStream,
    marker: &Path,
    delay: Option<Duration>,
) -> Option<Duration> {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut request = [0u8; 2048];
    let _ = stream.read(&mut request);
    let age = std::fs::metadata(marker)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok());
    let ready = matches!((age, delay), (Some(age), Some(delay)) if age >= delay);
    if ready {
        let _ = std::fs::remove_file(marker);
    }
    let status = if ready {
        "200 OK"
    } else {
        "503 Service Unavailable"
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    age.filter(|_| ready)
}

/// Whether a process is still alive (a zombie waiting for its reaper is dead).
fn alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        }
        Err(_) => false,
    }
}

/// Asserts that the processes whose ids the command wrote are gone (allowing the kernel a
/// moment to deliver SIGKILL).
fn assert_gone(pid_files: &[&Path]) {
    for file in pid_files {
        let pid = std::fs::read_to_string(file).expect("the command wrote its pid");
        let gone = (0..500).any(|_| {
            let gone = !alive(&pid);
            if !gone {
                std::thread::sleep(Duration::from_millis(20));
            }
            gone
        });
        assert!(
            gone,
            "process {} ({}) was left behind",
            pid.trim(),
            file.display()
        );
    }
}

#[test]
fn time_to_ready_is_measured_within_tolerance_of_the_servers_delay() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let delay = Duration::from_millis(1200);
    let server = ReadyServer::start(marker.clone(), Some(delay));
    let command = format!("touch '{}' && exec sleep 60", marker.display());
    let (code, stdout, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        &command,
        "--ready-url",
        &server.url,
        "--runs",
        "2",
        "--poll-interval",
        "50ms",
        "-o",
        "json",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let report = json(&stdout);
    let runs: Vec<f64> = report["exec"]["runsSeconds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(runs.len(), 2);
    let waits = server.waits();
    assert_eq!(waits.len(), 2, "the server answered 200 once per run");
    for (run, wait) in runs.iter().zip(&waits) {
        // At least the wait the server imposed (itself at least the delay), less 20 ms: the
        // kernel stamps the marker's mtime from its coarse clock, up to a tick behind the
        // real time, so the server's wait reads a few ms long. At most the wait plus the
        // command's start (the shell and `touch`), one poll interval and the answer's way
        // back, with room for a loaded 2-core CI machine.
        let wait = wait.as_secs_f64();
        assert!(wait >= 1.2, "the server answered 200 after {wait}s");
        assert!(
            (wait - 0.02..wait + 1.0).contains(run),
            "measured {run}s where the server answered 200 {wait}s after the command started"
        );
    }
    assert_eq!(report["exec"]["summary"]["count"], 2);
    assert_eq!(report["coldStart"]["source"], "exec");
    assert_eq!(
        report["coldStart"]["basis"],
        "p90 of time to ready over 2 runs of --exec"
    );
    let max = runs.iter().cloned().fold(0.0, f64::max);
    assert_eq!(report["coldStart"]["seconds"].as_f64(), Some(max));
    let cooldown = report["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["setting"] == "spec.cooldownPeriod")
        .expect("a cooldownPeriod recommendation");
    let derived = timing::derive(Duration::from_secs_f64(max));
    assert_eq!(cooldown["value"], derived.cooldown_period.to_string());
}

#[test]
fn a_server_that_never_becomes_ready_is_stopped_with_its_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReadyServer::start(dir.path().join("never"), None);
    let (leader, child) = (dir.path().join("leader.pid"), dir.path().join("child.pid"));
    // A background child in the same group, as a server's worker processes would be.
    let command = format!(
        "echo $$ > '{}'; sleep 300 & echo $! > '{}'; wait",
        leader.display(),
        child.display()
    );
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        &command,
        "--ready-url",
        &server.url,
        "--timeout",
        "2s",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let failure = format!(
        "run 1: {} did not answer 200 within 2s (last answer: HTTP 503 Service Unavailable); \
         stopped the command's process group",
        server.url
    );
    assert_eq!(stderr.trim_end(), format!("error: {failure}"));
    assert!(
        stdout.contains(&format!("\nFailed: {failure}\n")),
        "{stdout}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_gone(&[&leader, &child]);
}

#[test]
fn a_process_that_leaves_the_group_is_stopped_too() {
    // Regression: `setsid` put a process in a session of its own, out of reach of the
    // group's signals, and it outlived the probe. On Linux the probe is its subreaper.
    let dir = tempfile::tempdir().unwrap();
    let server = ReadyServer::start(dir.path().join("never"), None);
    let escaped = dir.path().join("escaped.pid");
    let command = format!(
        "setsid sh -c 'echo $$ > \"{}\"; exec sleep 999' & sleep 999",
        escaped.display()
    );
    let (code, _, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        &command,
        "--ready-url",
        &server.url,
        "--timeout",
        "1s",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_gone(&[&escaped]);
}

#[test]
fn a_command_that_does_not_exist_is_named() {
    let (code, stdout, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        "no-such-server-4711 --port 8000",
        "--ready-url",
        "http://127.0.0.1:9/health",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr
            .starts_with("error: run 1: command not found: \"no-such-server-4711 --port 8000\": "),
        "{stderr}"
    );
    assert!(
        stdout.contains("Failed: run 1: command not found"),
        "{stdout}"
    );
    assert!(
        stderr.contains("no-such-server-4711: not found"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_command_that_exits_before_ready_reports_its_status_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let child = dir.path().join("child.pid");
    let command = format!(
        "sleep 300 & echo $! > '{}'; echo 'CUDA out of memory' >&2; exit 3",
        child.display()
    );
    let (code, stdout, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        &command,
        "--ready-url",
        "http://127.0.0.1:9/health",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: run 1: the command exited (exit status: 3) before http://127.0.0.1:9/health \
         answered 200: CUDA out of memory"
    );
    assert!(
        stdout.contains("Failed: run 1: the command exited"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Cold start: not measured: the server never became ready (see Failed above), so \
             no recommendations"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("use --exec"), "{stdout}");
    assert_gone(&[&child]);
}

#[test]
fn a_failed_run_keeps_the_good_ones_in_the_report() {
    // Regression: with --runs 3 and run 3 exiting 5, stdout was empty even with -o json.
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let server = ReadyServer::start(marker.clone(), Some(Duration::from_millis(200)));
    let count = dir.path().join("count");
    let command = format!(
        "n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '{count}'; \
         if [ $n -ge 3 ]; then echo 'weights missing' >&2; exit 5; fi; \
         touch '{marker}' && exec sleep 60",
        count = count.display(),
        marker = marker.display()
    );
    let (code, stdout, stderr) = probe(&[
        "--no-gpu",
        "--exec",
        &command,
        "--ready-url",
        &server.url,
        "--runs",
        "3",
        "--poll-interval",
        "50ms",
        "-o",
        "json",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let failure = format!(
        "run 3: the command exited (exit status: 5) before {} answered 200: weights missing",
        server.url
    );
    assert_eq!(stderr.trim_end(), format!("error: {failure}"));
    let report = json(&stdout);
    let exec = &report["exec"];
    assert_eq!(exec["runsSeconds"].as_array().unwrap().len(), 2);
    let runs = exec["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs[0]["readySeconds"].as_f64().is_some());
    assert!(runs[1]["readySeconds"].as_f64().is_some());
    assert_eq!(runs[2]["run"], 3);
    assert_eq!(runs[2]["error"], failure.as_str());
    assert_eq!(exec["summary"]["count"], 2);
    assert_eq!(
        report["coldStart"]["basis"],
        "p90 of time to ready over 2 runs of --exec"
    );
}

#[test]
fn invalid_ready_urls_are_usage_errors() {
    for (url, message) in [
        ("not a url", "\"not a url\" is not a URL"),
        (
            "localhost:8000/health",
            "is not an http:// or https:// URL with a host",
        ),
    ] {
        let (code, stdout, stderr) = probe(&["--exec", "true", "--ready-url", url]);
        assert_eq!((code, stdout.as_str()), (2, ""));
        assert!(stderr.contains("invalid value"), "{stderr}");
        assert!(stderr.contains(message), "{url}: {stderr}");
    }
    let (code, _, stderr) = probe(&["--exec", "true"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--ready-url <URL>"), "{stderr}");
}

#[test]
fn an_interrupted_probe_stops_the_server_before_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReadyServer::start(dir.path().join("never"), None);
    let (leader, child) = (dir.path().join("leader.pid"), dir.path().join("child.pid"));
    let command = format!(
        "sleep 300 & echo $! > '{}'; echo $$ > '{}'; wait",
        child.display(),
        leader.display()
    );
    let probe = std::process::Command::new(assert_cmd::cargo::cargo_bin!("kubectl-infer"))
        .args([
            "probe",
            "--no-gpu",
            "--exec",
            &command,
            "--ready-url",
            &server.url,
        ])
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The leader writes its pid last, once the background child's pid is on disk.
    let written = (0..2000).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        std::fs::read_to_string(&leader).is_ok_and(|p| p.ends_with('\n'))
    });
    assert!(written, "the command did not start");
    let pid = rustix::process::Pid::from_raw(probe.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let output = probe.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: run 1: interrupted; stopped the command's process group"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Failed: run 1: interrupted"), "{stdout}");
    assert_gone(&[&leader, &child]);
}

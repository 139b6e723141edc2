//! The exec probe's IO: start a server command in its own process group, poll its ready URL
//! until it answers 200, stop the whole group, and repeat. No process outlives a run.
//!
//! A process can leave the group (`setsid`, a daemonizing server). On Linux the probe makes
//! itself a child subreaper, so such processes become its children when their parent exits,
//! and after stopping the group it kills (and reaps) every child left. Elsewhere there is no
//! subreaper: a process that left the group outlives the run (README, "probe").

use std::collections::VecDeque;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStderr, Command};
use tokio::time::Instant;

/// How long a stopped server gets between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// How many of the server's last stderr lines an error quotes.
const STDERR_LINES: usize = 3;

/// What to run and how.
#[derive(Debug, Clone)]
pub struct ExecPlan {
    /// The command line, run by `sh -c`.
    pub command: String,
    /// The URL that answers 200 once the server is ready.
    pub ready_url: reqwest::Url,
    /// How many times to start the server.
    pub runs: u32,
    /// How long one run may wait for the URL.
    pub timeout: Duration,
    /// How often to poll the URL.
    pub poll_interval: Duration,
}

/// Told about each run as it starts and ends (the command's progress display).
pub trait RunObserver {
    /// Run `run` of `runs` (from 1) is starting.
    fn started(&self, run: u32, runs: u32);
    /// Run `run` was ready after `seconds`.
    fn ready(&self, run: u32, seconds: f64);
}

/// Why a run failed. Its process group has been stopped by the time this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// `sh` itself could not be started.
    #[error("failed to start `sh -c {command:?}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The probe could not prepare itself (HTTP client, signal handlers).
    #[error("failed to {what}: {source}")]
    Setup {
        /// What was being prepared.
        what: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The shell found no such command (exit 127).
    #[error("run {run}: command not found: {command:?}{stderr}")]
    NotFound {
        /// Which run.
        run: u32,
        /// The command line.
        command: String,
        /// The last lines of its stderr, prefixed with ": ", or empty.
        stderr: String,
    },
    /// The server exited before the URL answered 200.
    #[error("run {run}: the command exited ({status}) before {url} answered 200{stderr}")]
    Exited {
        /// Which run.
        run: u32,
        /// How it exited.
        status: ExitStatus,
        /// The ready URL.
        url: String,
        /// The last lines of its stderr, prefixed with ": ", or empty.
        stderr: String,
    },
    /// The URL did not answer 200 within the timeout.
    #[error(
        "run {run}: {url} did not answer 200 within {timeout:?} (last answer: {last}); \
         stopped the command's process group"
    )]
    NeverReady {
        /// Which run.
        run: u32,
        /// The ready URL.
        url: String,
        /// The timeout.
        timeout: Duration,
        /// The last answer or connection error.
        last: String,
    },
    /// Interrupted (SIGINT or SIGTERM); the server was stopped.
    #[error("run {run}: interrupted; stopped the command's process group")]
    Interrupted {
        /// Which run.
        run: u32,
    },
}

/// How one run ended: seconds to ready, or why it failed (its group already stopped).
pub type RunOutcome = Result<f64, ExecError>;

/// Runs the plan: each run's outcome, in order. The runs stop at the first failure, which is
/// the last outcome (a server that failed once usually fails again, and a run that never
/// becomes ready costs the whole `--timeout`). `Err` only when the probe could not prepare.
pub async fn measure(
    plan: &ExecPlan,
    observer: &dyn RunObserver,
) -> Result<Vec<RunOutcome>, ExecError> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ExecError::Setup {
            what: "build the HTTP client",
            source: std::io::Error::other(e),
        })?;
    let mut stop = StopSignals::install().map_err(|source| ExecError::Setup {
        what: "catch SIGINT and SIGTERM",
        source,
    })?;
    escapes::adopt();
    let mut runs = Vec::new();
    for run in 1..=plan.runs {
        observer.started(run, plan.runs);
        let outcome = one_run(plan, &client, &mut stop, run).await;
        let failed = outcome.is_err();
        if let Ok(seconds) = &outcome {
            observer.ready(run, *seconds);
        }
        runs.push(outcome);
        if failed {
            break;
        }
    }
    Ok(runs)
}

/// Starts the command, waits for the URL, stops the group.
async fn one_run(
    plan: &ExecPlan,
    client: &reqwest::Client,
    stop: &mut StopSignals,
    run: u32,
) -> Result<f64, ExecError> {
    let started = Instant::now();
    let mut child = spawn(&plan.command)?;
    let group = ProcessGroup::of(&child);
    let mut tail = drain_stderr(child.stderr.take());
    tracing::info!(run, pid = child.id(), "started {:?}", plan.command);

    let outcome = tokio::select! {
        status = child.wait() => Outcome::Exited(status),
        _ = stop.recv() => Outcome::Interrupted,
        ready = poll_until_ready(client, plan, started) => match ready {
            Ok(seconds) => Outcome::Ready(seconds),
            Err(last) => Outcome::NeverReady(last),
        },
    };

    group.stop(&mut child).await;
    match outcome {
        Outcome::Ready(seconds) => Ok(seconds),
        Outcome::Exited(status) => {
            // The group is gone, so stderr reaches its end: wait for the last lines.
            tail.finish().await;
            Err(exited(plan, run, status, &tail))
        }
        Outcome::Interrupted => Err(ExecError::Interrupted { run }),
        Outcome::NeverReady(last) => Err(ExecError::NeverReady {
            run,
            url: plan.ready_url.to_string(),
            timeout: plan.timeout,
            last,
        }),
    }
}

/// How a run ended, before its group is stopped.
enum Outcome {
    Ready(f64),
    Exited(std::io::Result<ExitStatus>),
    Interrupted,
    NeverReady(String),
}

/// SIGINT and SIGTERM, caught from before the first server starts until the last one is
/// stopped, so that an interrupted probe stops the server's group before it exits. SIGKILL
/// cannot be caught: a killed probe leaves the group running.
struct StopSignals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = vec![
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ];
            Ok(Self { streams })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves when one of the signals arrives.
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            futures::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `sh -c COMMAND` as the leader of a new process group, stdin closed, stdout discarded.
fn spawn(command: &str) -> Result<Child, ExecError> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    cmd.spawn().map_err(|source| ExecError::Spawn {
        command: command.to_string(),
        source,
    })
}

/// The error for a command that exited while the probe waited.
fn exited(
    plan: &ExecPlan,
    run: u32,
    status: std::io::Result<ExitStatus>,
    tail: &StderrTail,
) -> ExecError {
    let stderr = tail.quote();
    match status {
        Ok(status) if status.code() == Some(127) => ExecError::NotFound {
            run,
            command: plan.command.clone(),
            stderr,
        },
        Ok(status) => ExecError::Exited {
            run,
            status,
            url: plan.ready_url.to_string(),
            stderr,
        },
        Err(source) => ExecError::Spawn {
            command: plan.command.clone(),
            source,
        },
    }
}

/// Polls until a 200 (returning the seconds since `started`) or the timeout (returning the
/// last answer, in words).
async fn poll_until_ready(
    client: &reqwest::Client,
    plan: &ExecPlan,
    started: Instant,
) -> Result<f64, String> {
    let deadline = started + plan.timeout;
    let mut last = "none".to_string();
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(last);
        }
        let request_timeout = (deadline - now).min(Duration::from_secs(2));
        match client
            .get(plan.ready_url.clone())
            .timeout(request_timeout)
            .send()
            .await
        {
            Ok(answer) if answer.status() == reqwest::StatusCode::OK => {
                return Ok(started.elapsed().as_secs_f64());
            }
            Ok(answer) => last = format!("HTTP {}", answer.status()),
            // A request cut short by the deadline says nothing new about the server.
            Err(e) if e.is_timeout() && Instant::now() >= deadline => {}
            Err(e) => last = connection_error(&e),
        }
        tokio::time::sleep_until((Instant::now() + plan.poll_interval).min(deadline)).await;
    }
}

/// A short description of a failed request.
fn connection_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "request timed out".to_string()
    } else if error.is_connect() {
        "connection refused".to_string()
    } else {
        error.to_string()
    }
}

/// The last lines the server wrote to stderr (each also logged at debug level), read in the
/// background so that a chatty server never blocks on a full pipe.
#[derive(Debug, Default)]
struct StderrTail {
    lines: Arc<Mutex<VecDeque<String>>>,
    reader: Option<tokio::task::JoinHandle<()>>,
}

impl StderrTail {
    /// `": line; line"`, or empty when the server wrote nothing.
    fn quote(&self) -> String {
        let lines = self.lines.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.is_empty() {
            String::new()
        } else {
            format!(": {}", Vec::from(lines).join("; "))
        }
    }

    /// Waits (briefly) for the reader to reach the end of stderr.
    async fn finish(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
        }
    }
}

/// Starts reading the server's stderr.
fn drain_stderr(stderr: Option<ChildStderr>) -> StderrTail {
    let mut tail = StderrTail::default();
    let Some(stderr) = stderr else {
        return tail;
    };
    let keep = tail.lines.clone();
    tail.reader = Some(tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::debug!(target: "kubectl_infer::exec", "{line}");
            if let Ok(mut kept) = keep.lock() {
                if kept.len() == STDERR_LINES {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        }
    }));
    tail
}

/// The server's process group. Dropping it sends SIGKILL to the whole group, so that no early
/// return or panic leaves a process behind; [`ProcessGroup::stop`] is the orderly way.
struct ProcessGroup {
    #[cfg(unix)]
    id: Option<rustix::process::Pid>,
}

impl ProcessGroup {
    /// The group the child leads (its process group id is its pid).
    fn of(child: &Child) -> Self {
        #[cfg(unix)]
        {
            let id = child
                .id()
                .and_then(|pid| i32::try_from(pid).ok())
                .and_then(rustix::process::Pid::from_raw);
            Self { id }
        }
        #[cfg(not(unix))]
        {
            let _ = child;
            Self {}
        }
    }

    /// SIGTERM to the group, up to [`STOP_GRACE`] for the leader to exit, then SIGKILL to
    /// whatever is left of the group.
    async fn stop(mut self, child: &mut Child) {
        self.signal(Signal::Term);
        if tokio::time::timeout(STOP_GRACE, child.wait())
            .await
            .is_err()
        {
            tracing::warn!("the command ignored SIGTERM for {STOP_GRACE:?}; sending SIGKILL");
        }
        self.signal(Signal::Kill);
        let _ = child.kill().await;
        self.disarm();
        escapes::kill_adopted().await;
    }

    #[cfg(unix)]
    fn signal(&self, signal: Signal) {
        use rustix::process::{Signal as Sig, kill_process_group};
        if let Some(id) = self.id {
            let sig = match signal {
                Signal::Term => Sig::TERM,
                Signal::Kill => Sig::KILL,
            };
            // ESRCH (the group is already gone) is the outcome we want.
            let _ = kill_process_group(id, sig);
        }
    }

    #[cfg(not(unix))]
    fn signal(&self, _signal: Signal) {}

    fn disarm(&mut self) {
        #[cfg(unix)]
        {
            self.id = None;
        }
    }

    /// Whether the group has not been stopped in order yet.
    fn armed(&self) -> bool {
        #[cfg(unix)]
        {
            self.id.is_some()
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.signal(Signal::Kill);
        if self.armed() {
            escapes::kill_adopted_now();
        }
    }
}

/// Processes that left the server's process group: adopted through the child-subreaper flag
/// and killed after the group (Linux only).
#[cfg(target_os = "linux")]
mod escapes {
    use std::time::Duration;

    use rustix::process::{Pid, Signal, WaitOptions, getpid, kill_process, waitpid};

    /// How long to wait for a killed process to be reaped before moving on.
    const REAP_PATIENCE: Duration = Duration::from_secs(2);

    /// Makes this process the reaper of its orphaned descendants.
    pub fn adopt() {
        if let Err(e) = rustix::process::set_child_subreaper(Some(getpid())) {
            tracing::warn!(
                "cannot become a child subreaper ({e}): processes that leave the server's \
                 process group may outlive the probe"
            );
        }
    }

    /// Kills every remaining child (the server's processes that left its group, adopted
    /// when their parent died) and reaps them, until none is left; a killed process's own
    /// children are adopted in turn and found by the next round.
    pub async fn kill_adopted() {
        for _ in 0..100 {
            let children = kill_adopted_now();
            if children.is_empty() {
                return;
            }
            tracing::info!(
                "killed {} process(es) that left the server's group",
                children.len()
            );
            reap(&children).await;
        }
    }

    /// Sends SIGKILL to every child of this process; returns them.
    pub fn kill_adopted_now() -> Vec<Pid> {
        let children = children_of(getpid());
        for &pid in &children {
            // ESRCH (already gone) is the outcome we want.
            let _ = kill_process(pid, Signal::KILL);
        }
        children
    }

    async fn reap(children: &[Pid]) {
        let deadline = tokio::time::Instant::now() + REAP_PATIENCE;
        let mut left: Vec<Pid> = children.to_vec();
        while !left.is_empty() && tokio::time::Instant::now() < deadline {
            // Reaped (Some) or not our child any more (an error): done with it.
            left.retain(|&pid| matches!(waitpid(Some(pid), WaitOptions::NOHANG), Ok(None)));
            if !left.is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }

    /// The processes whose parent is `parent`, from `/proc/<pid>/stat`.
    fn children_of(parent: Pid) -> Vec<Pid> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| parent_of(pid) == Some(parent.as_raw_nonzero().get()))
            .filter_map(Pid::from_raw)
            .collect()
    }

    /// The parent pid in `/proc/<pid>/stat`: the second field after the `(comm)`.
    fn parent_of(pid: i32) -> Option<i32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after_comm = stat.rsplit_once(')')?.1;
        after_comm.split_whitespace().nth(1)?.parse().ok()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_parent_of_this_process_is_read_from_proc() {
            let me = std::process::id() as i32;
            let parent = std::os::unix::process::parent_id() as i32;
            assert_eq!(super::parent_of(me), Some(parent));
        }
    }
}

/// Without a child subreaper, processes that left the group cannot be found.
#[cfg(not(target_os = "linux"))]
mod escapes {
    pub fn adopt() {}

    pub async fn kill_adopted() {}

    pub fn kill_adopted_now() -> Vec<()> {
        Vec::new()
    }
}

/// The two signals the probe sends.
#[derive(Debug, Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

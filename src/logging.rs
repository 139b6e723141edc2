//! Logging with `tracing` on stderr: `warn` by default, `-v` info, `-vv` debug, `-vvv` trace;
//! `RUST_LOG` overrides the level.

use tracing_subscriber::EnvFilter;

use crate::cli::ColorChoice;

/// Sets up the global subscriber; logs never go to stdout.
pub fn init(verbose: u8, color: ColorChoice) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "kubectl_infer={level},{},kube_client={},rustls_platform_verifier={}",
            quiet_deps(level),
            kube_client_level(level),
            kube_client_level(level)
        ))
    });
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color.enabled(std::io::stderr().is_terminal()))
        .with_target(verbose >= 2)
        .without_time()
        .try_init();
}

/// Dependencies log at one level below ours so that `-v` stays readable.
fn quiet_deps(level: &str) -> &'static str {
    match level {
        "trace" => "debug",
        "debug" => "info",
        _ => "warn",
    }
}

/// kube's client logs every failed request at ERROR, and rustls' certificate verifier every
/// refused certificate; the command already reports the failure as one line naming the server,
/// so those logs only show from `-vv` on.
fn kube_client_level(level: &str) -> &'static str {
    match level {
        "trace" | "debug" => quiet_deps(level),
        _ => "off",
    }
}

//! Logging with `tracing` on stderr: `warn` by default, `-v` info, `-vv` debug, `-vvv` trace;
//! `RUST_LOG` overrides the level.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::registry::LookupSpan;

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
        .event_format(Plain {
            targets: verbose >= 2,
        })
        .try_init();
}

/// Log lines in the shape of the `error: …` lines that end a failed run: `warning: …`,
/// `info: …`, `debug: …`, with the module path from `-vv` on.
struct Plain {
    targets: bool,
}

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        let (label, colour) = match *metadata.level() {
            Level::ERROR => ("error", "31"),
            Level::WARN => ("warning", "33"),
            Level::INFO => ("info", "32"),
            Level::DEBUG => ("debug", "34"),
            Level::TRACE => ("trace", "35"),
        };
        if writer.has_ansi_escapes() {
            write!(writer, "\x1b[1;{colour}m{label}\x1b[0m: ")?;
        } else {
            write!(writer, "{label}: ")?;
        }
        if self.targets {
            write!(writer, "{}: ", metadata.target())?;
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
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

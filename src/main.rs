//! The `kubectl-infer` binary: parse flags, set up logging, run the command, map the result to
//! an exit code. Errors are printed as one line on stderr.

use std::process::ExitCode;

use clap::Parser;
use kubectl_infer::cli::{self, Cli};
use kubectl_infer::exit::{self, Exit};

/// mimalloc rather than glibc's malloc: lint builds every object of its inputs on all cores,
/// and glibc grows the arena of each thread a few pages at a time, one system call each.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !cli::is_usage_error(&error) => error.exit(),
        Err(error) => {
            eprintln!("error: {}", cli::usage_error_line(&error));
            return ExitCode::from(Exit::Usage.code());
        }
    };
    kubectl_infer::logging::init(cli.global.verbose, cli.global.color);
    kubectl_infer::install_crypto_provider();

    let status = match cli::run(cli) {
        Ok(status) => status,
        Err(error) if kubectl_infer::render::is_broken_pipe(&error) => Exit::Success,
        Err(error) => {
            eprintln!("error: {}", exit::one_line(&error));
            exit::exit_for(&error)
        }
    };
    ExitCode::from(status.code())
}

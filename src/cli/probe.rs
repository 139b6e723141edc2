//! `kubectl-infer probe`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `probe`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `probe`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`probe` is not implemented yet")
}

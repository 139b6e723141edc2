//! `kubectl-infer generate`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `generate`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`generate` is not implemented yet")
}

//! `kubectl-infer completion`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `completion`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `completion`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`completion` is not implemented yet")
}

//! `kubectl-infer explain`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `explain`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`explain` is not implemented yet")
}

//! `kubectl-infer rules`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `rules`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`rules` is not implemented yet")
}

//! `kubectl-infer lint`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `lint`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lint`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`lint` is not implemented yet")
}

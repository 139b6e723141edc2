//! `kubectl-infer validate`: placeholder until its issue lands; it refuses to run.

use crate::cli::GlobalArgs;
use crate::exit::Exit;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `validate`.
pub fn run(_global: &GlobalArgs, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`validate` is not implemented yet")
}

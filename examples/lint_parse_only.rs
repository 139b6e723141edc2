//! The parse-only baseline of `bench/lint.sh`: resolves, reads and loads the same inputs as
//! `lint` through the same code (folders walked, files read with the same limits and parsed
//! with positions on all cores) and applies no rule, so that the benchmark can print lint
//! time as a ratio of parsing time.

use std::path::PathBuf;
use std::process::ExitCode;

use kubectl_infer::sources::files;
use kubectl_infer::sources::manifests::{self, LoadFailure};

/// The binary's allocator, so that both passes of the benchmark allocate alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (inputs, path_errors) = manifests::resolve(&paths);
    let mut failed = path_errors.len();
    let mut objects = 0usize;
    let loaded = manifests::load_all(inputs, files::DEFAULT_MAX_FILE_BYTES);
    for loaded in &loaded {
        match &loaded.outcome {
            Ok((_, docs)) => objects += docs.len(),
            Err(LoadFailure::Read(e)) => {
                eprintln!("error: {e:#}");
                failed += 1;
            }
            Err(LoadFailure::Parse(e)) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    println!("{objects} objects parsed");
    // Like lint, leave the memory to the operating system at exit.
    std::mem::forget(loaded);
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

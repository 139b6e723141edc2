//! The parse-only baseline of `bench/lint.sh`: reads and loads the same inputs as `lint`
//! (folders walked, files read with the same limits, the positioned loader) and applies no
//! rule, so that the benchmark can print lint time as a ratio of parsing time.

use std::path::PathBuf;
use std::process::ExitCode;

use kubectl_infer::model::manifest::load_str;
use kubectl_infer::sources::{files, walk};

fn main() -> ExitCode {
    let mut objects = 0usize;
    let mut failed = 0usize;
    for arg in std::env::args().skip(1) {
        let path = PathBuf::from(arg);
        let found = if path.is_dir() {
            walk::manifest_files(&path).unwrap_or_default()
        } else {
            vec![path]
        };
        for file in found {
            let name = files::display_name(&file);
            match files::read_text(&file, files::DEFAULT_MAX_FILE_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|text| load_str(&name, &text).map_err(|e| e.to_string()))
            {
                Ok(docs) => objects += docs.len(),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed += 1;
                }
            }
        }
    }
    println!("{objects} objects parsed");
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

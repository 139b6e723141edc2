//! The weights probe's IO: find the weight files under a model folder, add up their sizes and
//! time a cold read of a sample of them.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::coldstart::weights::WeightsReading;

/// File extensions of model weights: safetensors, PyTorch, GGUF, checkpoints, ONNX, TensorRT.
const WEIGHT_EXTENSIONS: &[&str] = &[
    "safetensors",
    "bin",
    "pt",
    "pth",
    "gguf",
    "ckpt",
    "onnx",
    "engine",
    "plan",
    "h5",
    "msgpack",
];

/// How deep to descend below the model folder (Hugging Face caches nest a few levels; the
/// bound also stops symlink cycles).
const MAX_DEPTH: usize = 8;

/// The read size.
const CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// Finds the weight files under `dir`, then reads up to `sample_bytes` of them to measure the
/// read throughput. Each sampled file is first dropped from the page cache (where the kernel
/// allows it) so that the read comes from storage, not memory.
pub fn probe(dir: &Path, sample_bytes: u64) -> anyhow::Result<WeightsReading> {
    let files = weight_files(dir)?;
    let sizes = files
        .iter()
        .map(|f| {
            std::fs::metadata(f)
                .map(|m| m.len())
                .with_context(|| format!("{}: failed to read size", f.display()))
        })
        .collect::<anyhow::Result<Vec<u64>>>()?;
    let bytes: u64 = sizes.iter().sum();
    if bytes == 0 {
        anyhow::bail!(
            "the {} weight files under {} are empty",
            files.len(),
            dir.display()
        );
    }
    let (sampled_bytes, read_seconds) = timed_read(&files, sample_bytes)?;
    Ok(WeightsReading {
        path: dir.display().to_string(),
        files: files.len(),
        bytes,
        sampled_bytes,
        read_seconds,
    })
}

/// The weight files under `dir`, sorted; an error names a folder that does not exist, cannot
/// be read or holds no weight file (a load time of nothing is no measurement).
fn weight_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.exists() {
        anyhow::bail!(
            "{}: does not exist (--model-path wants the model's folder)",
            dir.display()
        );
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: not a folder (--model-path wants the model's folder)",
            dir.display()
        );
    }
    let mut files = Vec::new();
    collect(dir, 0, &mut files)?;
    files.sort();
    files.dedup();
    if files.is_empty() {
        let kinds: Vec<String> = WEIGHT_EXTENSIONS.iter().map(|e| format!("*.{e}")).collect();
        anyhow::bail!(
            "no weight files under {} (looked for {})",
            dir.display(),
            kinds.join(", ")
        );
    }
    Ok(files)
}

fn collect(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: failed to read folder", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: failed to read folder", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // `is_dir`/`is_file` follow symlinks: Hugging Face snapshots link into `blobs/`.
        if path.is_dir() && depth < MAX_DEPTH {
            collect(&path, depth + 1, files)?;
        } else if path.is_file() && is_weight_file(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_weight_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WEIGHT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads files in order until `limit` bytes; returns the bytes read and the seconds taken.
fn timed_read(files: &[PathBuf], limit: u64) -> anyhow::Result<(u64, f64)> {
    let mut buffer = vec![0u8; CHUNK_BYTES];
    let mut total = 0u64;
    let started = Instant::now();
    for path in files {
        if total >= limit {
            break;
        }
        let file =
            File::open(path).with_context(|| format!("{}: failed to open", path.display()))?;
        evict_from_page_cache(&file);
        let mut reader = file.take(limit - total);
        loop {
            let n = reader
                .read(&mut buffer)
                .with_context(|| format!("{}: failed to read", path.display()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
        }
    }
    Ok((total, started.elapsed().as_secs_f64()))
}

/// Asks the kernel to drop the file's cached pages (clean pages only; harmless otherwise).
#[cfg(target_os = "linux")]
fn evict_from_page_cache(file: &File) {
    use rustix::fs::{Advice, fadvise};
    if let Err(e) = fadvise(file, 0, None, Advice::DontNeed) {
        tracing::debug!("posix_fadvise(DONTNEED) failed, the read may be cached: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
fn evict_from_page_cache(_file: &File) {
    tracing::debug!("no page-cache eviction on this platform: the read may be cached");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_files_are_found_and_summed_and_sampled() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("snapshots/abc");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("model-00001.safetensors"), vec![1u8; 3000]).unwrap();
        std::fs::write(dir.path().join("model.gguf"), vec![2u8; 1000]).unwrap();
        std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
        std::fs::write(dir.path().join(".hidden.bin"), vec![0u8; 99]).unwrap();
        let reading = probe(dir.path(), 2500).unwrap();
        assert_eq!(reading.files, 2);
        assert_eq!(reading.bytes, 4000);
        assert_eq!(reading.sampled_bytes, 2500);
        assert!(reading.read_seconds > 0.0);
    }

    #[test]
    fn a_missing_folder_or_a_file_is_named() {
        let err = probe(Path::new("/nonexistent/model"), 1)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "/nonexistent/model: does not exist (--model-path wants the model's folder)"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.safetensors");
        std::fs::write(&file, b"x").unwrap();
        let err = probe(&file, 1).unwrap_err().to_string();
        assert!(err.ends_with(": not a folder (--model-path wants the model's folder)"));
    }

    #[test]
    fn a_folder_without_weight_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
        let err = probe(dir.path(), 1).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "no weight files under {} (looked for *.safetensors, *.bin",
                dir.path().display()
            )),
            "{err}"
        );
        std::fs::write(dir.path().join("model.safetensors"), b"").unwrap();
        let err = probe(dir.path(), 1).unwrap_err().to_string();
        assert!(err.starts_with("the 1 weight files under "), "{err}");
    }
}

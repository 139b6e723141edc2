//! Reading manifest files and stdin with limits and clear errors.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

/// The largest manifest file read by default (bytes); larger files are refused, not parsed.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a text file (or stdin for `-`), refusing files over `max_bytes`, binary files and
/// invalid UTF-8 with a message that names the file.
pub fn read_text(path: &Path, max_bytes: u64) -> anyhow::Result<String> {
    let name = display_name(path);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .context("failed to read <stdin>")?;
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("{name}: failed to open"))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > max_bytes {
            bail!("{name}: file is {len} bytes, over the limit of {max_bytes} bytes");
        }
        // Room for the whole file at once (one more byte to see that it ends): growing the
        // buffer by doubling would copy it and leave up to half of it unused for the run.
        bytes.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1));
        file.take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{name}: failed to read"))?;
    }
    if bytes.len() as u64 > max_bytes {
        bail!("{name}: input is over the limit of {max_bytes} bytes");
    }
    if let Some(offset) = memchr::memchr(0, &bytes) {
        bail!("{name}: binary file (NUL byte at offset {offset}), not a manifest");
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            bail!("{name}:{line}: invalid UTF-8 at byte offset {offset}")
        }
    }
}

/// The name standard input (`-`) goes by in findings and messages.
pub const STDIN_NAME: &str = "<stdin>";

/// How a path is named in messages: `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, b"a: 1\nb: \xff\n").unwrap();
        let err = read_text(&path, DEFAULT_MAX_FILE_BYTES)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("bad.yaml:2: invalid UTF-8 at byte offset 8"),
            "{err}"
        );
    }

    #[test]
    fn binary_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.yaml");
        std::fs::write(&path, b"\x7fELF\x00\x01").unwrap();
        let err = read_text(&path, DEFAULT_MAX_FILE_BYTES)
            .unwrap_err()
            .to_string();
        assert!(err.contains("binary file"), "{err}");
        std::fs::write(&path, b"a: 1234567890\n").unwrap();
        let err = read_text(&path, 4).unwrap_err().to_string();
        assert!(err.contains("over the limit of 4 bytes"), "{err}");
    }
}

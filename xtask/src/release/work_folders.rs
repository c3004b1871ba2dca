//! Scratch folders for the release's checks, and their output indented for the console.

use std::path::PathBuf;

/// Text indented for the console, line by line.
pub(super) fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// A fresh folder under the system's temporary folder.
pub(super) fn scratch_dir(purpose: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("linli-release-{purpose}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

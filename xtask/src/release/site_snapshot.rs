//! The built site, copied once for both release binaries to embed.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::shell::root;

/// Copies the built site (dist/) to `target/release-site/`, which both binaries embed: dist/ is
/// shared with whoever builds the site next (a test run, `cargo xtask serve`), and a rebuild
/// between the two builds would give the two binaries different sites. The copy keeps the files'
/// dates (the relay's ETags come from them) and is left alone while it equals dist/, so an
/// unchanged site does not rebuild the relay.
pub(super) fn snapshot_site() -> Result<PathBuf, String> {
    let dist = root().join("dist");
    let snapshot = root().join("target/release-site");
    if !dist.join("index.html").is_file() {
        return Err("dist/ has no index.html: run `cargo xtask build-site` first (or drop --use-built-site)".to_owned());
    }
    for _attempt in 0..3 {
        let wanted = listing(&dist)?;
        if !wanted.iter().any(|(path, ..)| path.extension().is_some_and(|ext| ext == "br")) {
            return Err("dist/ has no compressed copies (*.br): it is half-built; run `cargo xtask build-site`".to_owned());
        }
        if snapshot.is_dir() && listing(&snapshot)? == wanted {
            println!("ok: the site in {} equals dist/", snapshot.display());
            return Ok(snapshot);
        }
        let _ = std::fs::remove_dir_all(&snapshot);
        for (path, _, modified) in &wanted {
            let to = snapshot.join(path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::copy(dist.join(path), &to).map_err(|e| format!("copy dist/{}: {e}", path.display()))?;
            File::options().write(true).open(&to).and_then(|file| file.set_modified(*modified)).map_err(|e| format!("{}: {e}", to.display()))?;
        }
        // Someone may have rebuilt dist/ while it was copied: then copy again.
        if listing(&dist)? == wanted && listing(&snapshot)? == wanted {
            println!("ok: the site copied from dist/ to {} ({} files)", snapshot.display(), wanted.len());
            return Ok(snapshot);
        }
    }
    Err("dist/ kept changing while it was copied (is someone building the site?); try again".to_owned())
}

/// Every file under `dir`: its path relative to `dir`, size and modification time, sorted.
pub(super) fn listing(dir: &Path) -> Result<Vec<(PathBuf, u64, std::time::SystemTime)>, String> {
    fn walk(root: &Path, dir: &Path, files: &mut Vec<(PathBuf, u64, std::time::SystemTime)>) -> Result<(), String> {
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            let metadata = entry.metadata().map_err(|e| format!("{}: {e}", path.display()))?;
            if metadata.is_dir() {
                walk(root, &path, files)?;
            } else {
                let modified = metadata.modified().map_err(|e| format!("{}: {e}", path.display()))?;
                files.push((path.strip_prefix(root).expect("under root").to_path_buf(), metadata.len(), modified));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

//! Stamps the service worker in `dist/`: its version (a hash of every file it serves, so any
//! change to the site makes browsers see a new worker and offer the update) and the list of
//! files that make up the app shell.

use std::path::Path;

/// Files of `dist/` the worker must not cache.
const NOT_SHELL: &[&str] = &["sw.js"];

/// Where an FNV-1a hash starts.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, going on from `hash` over `bytes`: a name or version that changes whenever the
/// content does (not a defence against anyone).
pub fn fnv1a(hash: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(hash, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Writes the version and the shell list into `dist/sw.js`.
pub fn stamp(dist: &Path) -> Result<(), String> {
    let worker = dist.join("sw.js");
    let source = std::fs::read_to_string(&worker).map_err(|e| format!("{}: {e}", worker.display()))?;
    let mut files: Vec<String> = Vec::new();
    let mut hash = FNV_START;
    let mut entries: Vec<_> = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let compressed_copy = name.ends_with(".br") || name.ends_with(".gz");
        if NOT_SHELL.contains(&name.as_str()) || compressed_copy || !entry.path().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("{name}: {e}"))?;
        hash = fnv1a(hash, name.bytes().chain(bytes));
        files.push(format!("\"/{name}\""));
    }
    let stamped = source.replace("__LINLI_VERSION__", &format!("{hash:016x}")).replace("__LINLI_SHELL__", &format!("[{}]", files.join(", ")));
    if stamped == source {
        return Err("dist/sw.js has no placeholders to stamp (was it stamped twice?)".into());
    }
    std::fs::write(&worker, stamped).map_err(|e| format!("{}: {e}", worker.display()))?;
    println!("  service worker: version {hash:016x}, {} files in the app shell", files.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::stamp;

    #[test]
    fn stamps_the_version_and_every_file_but_itself_and_changes_with_the_site() {
        let dir = std::env::temp_dir().join(format!("linli-sw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = "const VERSION = \"__LINLI_VERSION__\";\nconst SHELL = __LINLI_SHELL__;\n";
        std::fs::write(dir.join("index.html"), "<html>one</html>").unwrap();
        std::fs::write(dir.join("app-1.wasm"), [0, 97, 115, 109]).unwrap();
        std::fs::write(dir.join("sw.js"), source).unwrap();
        stamp(&dir).unwrap();
        let first = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert!(first.contains(r#"const SHELL = ["/app-1.wasm", "/index.html"];"#), "{first}");
        assert!(!first.contains("__LINLI_"), "{first}");
        assert!(stamp(&dir).is_err(), "stamping twice is refused");

        std::fs::write(dir.join("index.html"), "<html>two</html>").unwrap();
        std::fs::write(dir.join("sw.js"), source).unwrap();
        stamp(&dir).unwrap();
        let second = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert_ne!(first.lines().next(), second.lines().next(), "a changed site is a new version");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

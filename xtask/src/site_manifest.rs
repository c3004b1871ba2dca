//! `dist/site.json`: every file of the built site with its role, size and SHA-256, written once
//! by `cargo xtask build-site`. The page's boot tag and the service worker's list are rendered
//! from it, the size budget reads the first screen's files from it, and the relay reads from it
//! which files it may let browsers keep for a year (`crates/relay/src/site.rs`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's file name in `dist/`.
pub const MANIFEST: &str = "site.json";

/// What a file is for, which decides when a browser fetches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Needed to draw the first screen: the page, its boot script, first module, styles, icons,
    /// the service worker and the app manifest.
    Page,
    /// One of the page's lazily loaded screens, fetched when first shown.
    Screen,
    /// The engine worker, fetched once the page draws.
    Engine,
    /// The engine's error sentences in one language, fetched the first time an error shows.
    Sentences,
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFile {
    /// Its path from the site's root, without the leading slash.
    pub path: String,
    pub role: Role,
    /// Whether its name carries a hash of its content, so that it never changes under that name.
    pub immutable: bool,
    pub size: u64,
    pub sha256: String,
}

impl SiteFile {
    /// The file `path` of the site in `dir`, measured.
    pub fn measure(dir: &Path, path: &str, role: Role, immutable: bool) -> Result<SiteFile, String> {
        let bytes = std::fs::read(dir.join(path)).map_err(|e| format!("{path}: {e}"))?;
        Ok(SiteFile { path: path.to_owned(), role, immutable, size: bytes.len() as u64, sha256: hex(&Sha256::digest(&bytes)) })
    }
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteManifest {
    pub files: Vec<SiteFile>,
}

impl SiteManifest {
    /// The files sorted by path, so the same site always writes the same manifest.
    pub fn new(mut files: Vec<SiteFile>) -> SiteManifest {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        SiteManifest { files }
    }

    /// The manifest of the built site in `dir`.
    pub fn read(dir: &Path) -> Result<SiteManifest, String> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (run `cargo xtask build-site`)", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes the manifest into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(MANIFEST), text + "\n").map_err(|e| format!("{MANIFEST}: {e}"))
    }

    /// The one file with this role whose path matches, or an error naming what is missing.
    pub fn find(&self, what: &str, wanted: impl Fn(&SiteFile) -> bool) -> Result<&SiteFile, String> {
        let mut found = self.files.iter().filter(|f| wanted(f));
        match (found.next(), found.next()) {
            (Some(file), None) => Ok(file),
            (None, _) => Err(format!("the site has no {what}")),
            (Some(_), Some(_)) => Err(format!("the site has more than one {what}")),
        }
    }

    /// A version that changes whenever any file does (the service worker's name for this site).
    pub fn version(&self) -> String {
        let mut hash = Sha256::new();
        for file in &self.files {
            hash.update(format!("{} {}\n", file.path, file.sha256));
        }
        hex(&hash.finalize()[..8])
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_round_trips_sorted_and_its_version_follows_the_content() {
        let dir = std::env::temp_dir().join(format!("linli-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.join("a.js"), b"let a;").unwrap();
        let files = vec![SiteFile::measure(&dir, "b.wasm", Role::Screen, true).unwrap(), SiteFile::measure(&dir, "a.js", Role::Page, false).unwrap()];
        let manifest = SiteManifest::new(files);
        assert_eq!(manifest.files[0].path, "a.js");
        assert_eq!(manifest.files[1].sha256, hex(&Sha256::digest(b"\0asm")));
        manifest.write(&dir).unwrap();
        assert_eq!(SiteManifest::read(&dir).unwrap(), manifest);
        assert!(std::fs::read_to_string(dir.join(MANIFEST)).unwrap().contains("\"role\": \"screen\""));
        assert_eq!(manifest.find("page script", |f| f.role == Role::Page).unwrap().path, "a.js");
        assert!(manifest.find("engine", |f| f.role == Role::Engine).is_err());

        std::fs::write(dir.join("a.js"), b"let b;").unwrap();
        let changed = SiteManifest::new(vec![SiteFile::measure(&dir, "a.js", Role::Page, false).unwrap(), manifest.files[1].clone()]);
        assert_ne!(changed.version(), manifest.version());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

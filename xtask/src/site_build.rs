//! `cargo xtask build-site`: the release site in `dist/`, built in one pass from the sources.
//!
//! 1. the engine worker (`engine_worker.rs`) and the page, built once and cut at its screens
//!    (`split_page.rs`), each into a fresh folder `target/site-next/`;
//! 2. the static files, the styles named after their content (`site_files.rs`);
//! 3. `index.html` and `sw.js` rendered from their templates with the names, sizes and hashes of
//!    what is there (`site_files.rs`, `service_worker.rs`);
//! 4. `site.json`, the manifest of every file with its role (`site_manifest.rs`);
//! 5. the compressed copies, then the folder takes the place of `dist/`.
//!
//! Nothing edits a file it did not write in this run, so running it again gives the same `dist/`
//! (`cargo xtask test` checks this).

use std::path::{Path, PathBuf};

use crate::shell::root;
use crate::site_manifest::{MANIFEST, SiteManifest};
use crate::{bundle_size, engine_worker, service_worker, site_files, split_page};

/// Builds the site into `dist/` and prints what a first visit downloads.
pub fn build() -> Result<(), String> {
    let next = root().join("target/site-next");
    let _ = std::fs::remove_dir_all(&next);
    std::fs::create_dir_all(&next).map_err(|e| format!("{}: {e}", next.display()))?;

    let mut files = engine_worker::build_into(&next)?;
    let page = split_page::split_into(&next)?;
    files.extend(page.files);
    files.extend(site_files::copy_static(&next)?);
    files.push(site_files::render_index(&next, &files, &page.module_js, &page.module_wasm)?);
    files.push(service_worker::render(&next, &files)?);
    let manifest = SiteManifest::new(files);
    manifest.write(&next)?;
    println!("  {MANIFEST}: {} files", manifest.files.len());
    site_files::compress(&next)?;
    let unlisted = unlisted_files(&next, &manifest)?;
    if !unlisted.is_empty() {
        return Err(format!("files in the site that {MANIFEST} does not list: {unlisted:?}"));
    }

    swap_into(&next, &root().join("dist"))?;
    bundle_size::report(&root().join("dist"))
}

/// Puts the built site in place of `dist`: the old one is moved aside first and put back if the
/// new one cannot be moved in, so a failed swap never leaves no site.
fn swap_into(next: &Path, dist: &Path) -> Result<(), String> {
    let old = dist.with_file_name("dist.old");
    let _ = std::fs::remove_dir_all(&old);
    let had_old = dist.exists();
    if had_old {
        std::fs::rename(dist, &old).map_err(|e| format!("{} → {}: {e}", dist.display(), old.display()))?;
    }
    if let Err(error) = std::fs::rename(next, dist) {
        if had_old {
            let _ = std::fs::rename(&old, dist);
        }
        return Err(format!("{} → {}: {error} (the previous site is left in place)", next.display(), dist.display()));
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    Ok(())
}

/// Files of the site that are neither listed, nor the manifest, nor a compressed copy of a listed file.
fn unlisted_files(site: &Path, manifest: &SiteManifest) -> Result<Vec<PathBuf>, String> {
    let listed = |name: &str| name == MANIFEST || manifest.files.iter().any(|f| f.path == name);
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(site).map_err(|e| format!("{}: {e}", site.display()))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let original = name.strip_suffix(".br").or_else(|| name.strip_suffix(".gz")).unwrap_or(&name);
        if !listed(original) {
            unlisted.push(entry.path());
        }
    }
    Ok(unlisted)
}

/// A digest of every file under `dir` (names and bytes), to tell whether two builds made the same site.
pub fn digest(dir: &Path) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let mut names: Vec<_> = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten().map(|e| e.file_name()).collect();
    names.sort();
    let mut hash = Sha256::new();
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).map_err(|e| format!("{}: {e}", name.to_string_lossy()))?;
        hash.update(name.to_string_lossy().as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(crate::site_manifest::hex(&hash.finalize()))
}

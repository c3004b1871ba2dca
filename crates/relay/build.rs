//! With the `embedded-site` feature, tells `src/embedded_site.rs` which built site to compile in
//! (`LINLI_EMBED_SITE_DIR`, else the workspace's `dist/`) and when that site changed.

use std::path::PathBuf;
use std::time::UNIX_EPOCH;

fn main() {
    println!("cargo:rerun-if-env-changed=LINLI_EMBED_SITE_DIR");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_EMBEDDED_SITE");
    if std::env::var_os("CARGO_FEATURE_EMBEDDED_SITE").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let site = std::env::var_os("LINLI_EMBED_SITE_DIR").map(PathBuf::from).unwrap_or_else(|| manifest.join("../../dist"));
    let Ok(site) = site.canonicalize() else {
        panic!("the `embedded-site` feature needs the built site at {}: run `cargo xtask build-site` first", site.display());
    };
    if !site.join("index.html").is_file() {
        panic!("{} has no index.html: run `cargo xtask build-site` first", site.display());
    }
    println!("cargo:rerun-if-changed={}", site.display());
    println!("cargo:rustc-env=LINLI_EMBEDDED_SITE={}", site.display());
    // Every unpacked file is dated when the site was built, so ETags stay the same across restarts.
    let built = newest_modification(&site);
    println!("cargo:rustc-env=LINLI_EMBEDDED_SITE_BUILT={built}");
}

/// Seconds since 1970 of the newest file under `dir`.
fn newest_modification(dir: &std::path::Path) -> u64 {
    let mut newest = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let seconds = if path.is_dir() {
            newest_modification(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs())
        };
        newest = newest.max(seconds);
    }
    newest
}

//! Builds the engine worker (`crates/engine`) into the site being built: the release wasm,
//! wasm-bindgen's ES module for it, and the loader the page starts the worker with
//! (`src/engine/mod.rs` names it `/linli-engine_loader.js`).
//!
//! The names carry no hash: the page spawns the worker by a fixed name, so the relay checks
//! these files every time (with ETags) instead of letting browsers keep them for a year.

use std::path::Path;

use crate::shell::{Step, root};
use crate::site_manifest::{Role, SiteFile};

/// The worker's files, as the page knows them.
const MODULE: &str = "linli-engine.js";
const WASM: &str = "linli-engine_bg.wasm";
const LOADER: &str = "linli-engine_loader.js";

/// Builds the worker into `site` and returns its files.
pub fn build_into(site: &Path) -> Result<Vec<SiteFile>, String> {
    Step::new("build the engine worker's wasm (release)").run(
        "cargo",
        &["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "linli-engine", "--bin", "linli-engine"],
        &[],
    )?;
    let linked = root().join("target/wasm32-unknown-unknown/release/linli-engine.wasm");
    let out = site.to_str().ok_or("the site's folder is not UTF-8")?;
    Step::new("wasm-bindgen the engine worker").run(
        "wasm-bindgen",
        &["--target", "web", "--no-typescript", "--out-dir", out, "--out-name", "linli-engine", linked.to_str().ok_or("odd path")?],
        &[],
    )?;
    if site.join("snippets").exists() {
        return Err("wasm-bindgen wrote snippets for the engine worker; install them beside the module first".into());
    }
    // A module worker: the loader imports the bindings and starts the wasm (its `main` runs).
    std::fs::write(site.join(LOADER), format!("import init from './{MODULE}';await init();")).map_err(|e| format!("{LOADER}: {e}"))?;
    [MODULE, WASM, LOADER].iter().map(|name| SiteFile::measure(site, name, Role::Engine, false)).collect()
}

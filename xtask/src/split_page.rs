//! Builds the page's wasm and cuts it into a first module and one chunk per group of screens,
//! into the site being built.
//!
//! The cut happens on the linked wasm, with its relocations, before wasm-bindgen. So this builds
//! the page with the `split` feature (src/lazy_screens.rs marks each screen `#[lazy]`), linked
//! with `--emit-relocs`, cuts it with `wasm_split_cli_support` (the library cargo-leptos uses),
//! and runs the wasm-bindgen CLI `cargo xtask` installed (keeping the table and memory exports
//! the chunks link to: `--keep-lld-exports`).
//!
//! Every file gets the hash of the linked wasm in its name (`linli-<hash>.js`,
//! `chunk_5-<hash>.wasm`, …), so the relay may let browsers keep them for a year; the service
//! worker lists them all, so every screen opens offline.

use std::path::{Path, PathBuf};

use crate::shell::{Step, root};
use crate::site_manifest::{Role, SiteFile};

/// The page as cut: the first module's script and wasm (which `index.html` names) and every file.
pub struct CutPage {
    pub module_js: String,
    pub module_wasm: String,
    pub files: Vec<SiteFile>,
}

/// Builds, cuts and installs the page's wasm into `site`.
pub fn split_into(site: &Path) -> Result<CutPage, String> {
    Step::new("build the page's wasm for cutting (release, --features split, with relocations)").run(
        "cargo",
        &[
            "rustc",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "linli",
            "--bin",
            "linli",
            "--features",
            "split",
            "--",
            "-C",
            "link-arg=--emit-relocs",
            "-C",
            "strip=none",
        ],
        &[],
    )?;
    let linked_path = root().join("target/wasm32-unknown-unknown/release/linli.wasm");
    let linked = std::fs::read(&linked_path).map_err(|e| format!("{}: {e}", linked_path.display()))?;
    let hash = format!("{:016x}", fnv1a(FNV_START, linked.iter().copied()));
    let work = root().join("target/split-page");
    let _ = std::fs::remove_dir_all(&work);
    let cut = work.join("cut");
    std::fs::create_dir_all(&cut).map_err(|e| format!("{}: {e}", cut.display()))?;

    println!("==> cut the page's wasm at its lazy screens");
    let main_js = format!("./linli-{hash}.js");
    let link_js = format!("./linli-split-{hash}.js");
    let main_wasm = cut.join("main.wasm");
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&linked);
        options.output_dir = &cut;
        options.main_out_path = &main_wasm;
        options.link_name = &link_js;
        options.main_module = &main_js;
        wasm_split_cli_support::transform(options).map_err(|e| format!("cutting the page's wasm: {e:#}"))?
    };

    let bound = work.join("bound");
    Step::new("wasm-bindgen the first module").run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
            path_str(&bound)?,
            "--out-name",
            &format!("linli-{hash}"),
            path_str(&main_wasm)?,
        ],
        &[],
    )?;

    // The chunks take the hash into their names; the link module fetches them by those names.
    let mut link = read_text(&cut.join(link_js.trim_start_matches("./")))?;
    let mut installed: Vec<PathBuf> = Vec::new();
    for chunk in &split.split_modules {
        let stem = chunk.file_stem().and_then(|s| s.to_str()).ok_or("odd chunk name")?;
        let named = format!("{stem}-{hash}.wasm");
        let old = format!("\"./{stem}.wasm\"");
        if !link.contains(&old) {
            return Err(format!("the split link module does not fetch {stem}.wasm"));
        }
        link = link.replace(&old, &format!("\"./{named}\""));
        let bytes = std::fs::read(chunk).map_err(|e| format!("{}: {e}", chunk.display()))?;
        std::fs::write(site.join(&named), without_custom_sections(&bytes)?).map_err(|e| format!("{named}: {e}"))?;
        installed.push(site.join(named));
    }
    let link_name = link_js.trim_start_matches("./").to_owned();
    write_text(&site.join(&link_name), &link)?;
    let new_js = format!("linli-{hash}.js");
    let new_wasm = format!("linli-{hash}_bg.wasm");
    copy(&bound.join(&new_js), &site.join(&new_js))?;
    copy(&bound.join(&new_wasm), &site.join(&new_wasm))?;
    if bound.join("snippets").exists() {
        return Err("wasm-bindgen wrote snippets for the page; install them beside the module first".into());
    }

    let mut files = Vec::new();
    for name in [&new_js, &new_wasm, &link_name] {
        files.push(SiteFile::measure(site, name, Role::Page, true)?);
    }
    for chunk in &installed {
        let name = chunk.file_name().and_then(|n| n.to_str()).ok_or("odd chunk name")?;
        files.push(SiteFile::measure(site, name, Role::Screen, true)?);
    }
    let first = files[1].size;
    let chunks: u64 = files.iter().filter(|f| f.role == Role::Screen).map(|f| f.size).sum();
    println!("  first module {} KB raw; {} chunks, {} KB raw together ({} KB linked with relocations)", first / 1000, installed.len(), chunks / 1000, linked.len() / 1000);
    Ok(CutPage { module_js: new_js, module_wasm: new_wasm, files })
}

/// Where an FNV-1a hash starts.
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, going on from `hash` over `bytes`: a name that changes whenever the content does (not
/// a defence against anyone).
fn fnv1a(hash: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(hash, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The module without its custom sections (names, producers, target features): the cutter keeps
/// them in every chunk, where nothing reads them, and they were half of the chunks' bytes.
fn without_custom_sections(wasm: &[u8]) -> Result<Vec<u8>, String> {
    const HEADER: usize = 8;
    if wasm.len() < HEADER || &wasm[..4] != b"\0asm" {
        return Err("a chunk is not a wasm module".into());
    }
    let mut kept = wasm[..HEADER].to_vec();
    let mut at = HEADER;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, body) = leb128(wasm, at + 1)?;
        let end = body.checked_add(size).filter(|end| *end <= wasm.len()).ok_or("a chunk's section runs past its end")?;
        if id != 0 {
            kept.extend_from_slice(&wasm[at..end]);
        }
        at = end;
    }
    Ok(kept)
}

/// An unsigned LEB128 number at `at`: its value and where what follows it starts.
fn leb128(bytes: &[u8], mut at: usize) -> Result<(usize, usize), String> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(at).ok_or("a chunk ends inside a number")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    Err("a chunk has a number too long for a section size".into())
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str().ok_or_else(|| format!("{}: not UTF-8", path.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_text(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

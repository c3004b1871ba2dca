//! Cuts the page's wasm into a first module and one chunk per screen, and puts them in `dist/`
//! in place of the single module Trunk built.
//!
//! Trunk runs cargo and wasm-bindgen in one step, with no hook between them, and the cut has to
//! happen there: on the linked wasm, with its relocations, before wasm-bindgen. So after Trunk,
//! this builds the page again with the `split` feature (src/lazy_screens.rs marks each screen
//! `#[lazy]`), linked with `--emit-relocs` (only the final link changes: the dependencies are
//! reused), cuts it with `wasm_split_cli_support` (the library cargo-leptos uses), runs the
//! wasm-bindgen CLI `cargo xtask` installed (keeping the table and memory exports the chunks link
//! to: `--keep-lld-exports`), and swaps the files and their names in `index.html`.
//!
//! Every file gets the hash of the linked wasm in its name (`linli-<hash>.js`,
//! `settings-<hash>.wasm`, …), so the relay may let browsers keep them for a year; the service
//! worker lists them all, so every screen opens offline.

use std::path::{Path, PathBuf};

use crate::service_worker::{FNV_START, fnv1a};
use crate::shell::{Step, root};

/// Builds, cuts and installs the page's wasm into `dist/`.
pub fn split_into(dist: &Path) -> Result<(), String> {
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
        std::fs::write(dist.join(&named), without_custom_sections(&bytes)?).map_err(|e| format!("{named}: {e}"))?;
        installed.push(dist.join(named));
    }
    write_text(&dist.join(link_js.trim_start_matches("./")), &link)?;
    let new_js = format!("linli-{hash}.js");
    let new_wasm = format!("linli-{hash}_bg.wasm");
    copy(&bound.join(&new_js), &dist.join(&new_js))?;
    copy(&bound.join(&new_wasm), &dist.join(&new_wasm))?;
    if bound.join("snippets").exists() {
        return Err("wasm-bindgen wrote snippets for the page; install them beside the module first".into());
    }

    // Swap Trunk's single module for the cut one, in index.html and on disk.
    let index = dist.join("index.html");
    let mut html = read_text(&index)?;
    let (old_js, old_wasm) = (attribute(&html, "data-linli-js")?, attribute(&html, "data-linli-wasm")?);
    for (old, new) in [(&old_wasm, &new_wasm), (&old_js, &new_js)] {
        let old_name = old.trim_start_matches('/');
        html = html.replace(old_name, new);
        let _ = std::fs::remove_file(dist.join(old_name));
    }
    write_text(&index, &html)?;

    let first = std::fs::metadata(dist.join(&new_wasm)).map_err(|e| e.to_string())?.len();
    let chunks: u64 = installed.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    println!("  first module {} KB raw; {} chunks, {} KB raw together ({} KB linked with relocations)", first / 1000, installed.len(), chunks / 1000, linked.len() / 1000);
    Ok(())
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

/// The value of `name="…"` in `html` (the boot script's tag).
fn attribute(html: &str, name: &str) -> Result<String, String> {
    html.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("dist/index.html has no {name} (Trunk.toml's pattern_script)"))
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

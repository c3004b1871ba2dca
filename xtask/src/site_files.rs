//! The site's own files: the static ones copied from `public/` and `locales/` (the styles named
//! after their content), the page rendered from the `index.html` template with the names in the
//! manifest, and a brotli (`.br`) and a gzip (`.gz`) copy of every file worth compressing, which
//! the relay sends to browsers that accept them (tower-http's precompressed serving).

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::shell::root;
use crate::site_manifest::{Role, SiteFile, SiteManifest, hex};

/// Files copied as they are: (source in the repository, role).
const COPIED: &[(&str, Role)] = &[
    ("public/boot.js", Role::Page),
    ("public/manifest.webmanifest", Role::Page),
    ("public/icon.svg", Role::Page),
    ("public/icon-maskable.svg", Role::Page),
    // The engine's errors in each language, fetched the first time one shows (src/error_text.rs).
    ("locales/errors/errors-en.json", Role::Sentences),
    ("locales/errors/errors-zh-Hans.json", Role::Sentences),
    ("locales/errors/errors-zh-Hant.json", Role::Sentences),
];

/// The styles, named after their content in the site.
const STYLES: &str = "public/style.css";

/// Copies the static files into `site` and returns them.
pub fn copy_static(site: &Path) -> Result<Vec<SiteFile>, String> {
    let mut files = Vec::new();
    for (source, role) in COPIED {
        let name = source.rsplit('/').next().unwrap_or(source);
        copy(&root().join(source), &site.join(name))?;
        files.push(SiteFile::measure(site, name, *role, false)?);
    }
    let styles = std::fs::read(root().join(STYLES)).map_err(|e| format!("{STYLES}: {e}"))?;
    let name = format!("style-{}.css", &hex(&Sha256::digest(&styles))[..16]);
    std::fs::write(site.join(&name), &styles).map_err(|e| format!("{name}: {e}"))?;
    files.push(SiteFile::measure(site, &name, Role::Page, true)?);
    Ok(files)
}

/// Writes `site/index.html` from the repository's template, naming the page's first module
/// (`page_js`, whose wasm is `page_wasm`), the wasm's size (for the boot script's progress bar)
/// and the styles, as the manifest of `files` has them.
pub fn render_index(site: &Path, files: &[SiteFile], page_js: &str, page_wasm: &str) -> Result<SiteFile, String> {
    let manifest = SiteManifest::new(files.to_vec());
    let js = manifest.find("page module", |f| f.path == page_js)?;
    let wasm = manifest.find("page wasm", |f| f.path == page_wasm)?;
    let styles = manifest.find("styles", |f| f.path.starts_with("style-") && f.path.ends_with(".css"))?;
    let mut page = read_text(&root().join("index.html"))?;
    for (placeholder, value) in [
        ("__LINLI_PAGE_JS__", js.path.clone()),
        ("__LINLI_PAGE_WASM__", wasm.path.clone()),
        ("__LINLI_PAGE_WASM_SIZE__", wasm.size.to_string()),
        ("__LINLI_STYLE__", styles.path.clone()),
    ] {
        if !page.contains(placeholder) {
            return Err(format!("index.html has no {placeholder} to fill"));
        }
        page = page.replace(placeholder, &value);
    }
    std::fs::write(site.join("index.html"), page).map_err(|e| format!("index.html: {e}"))?;
    SiteFile::measure(site, "index.html", Role::Page, false)
}

/// Files not worth compressing (already compressed, or tiny).
fn worth_compressing(name: &str, size: usize) -> bool {
    !(name.ends_with(".br") || name.ends_with(".gz") || name.ends_with(".png")) && size > 256
}

/// Writes `<file>.br` and `<file>.gz` beside every file of `site` worth compressing.
pub fn compress(site: &Path) -> Result<(), String> {
    let mut written = 0;
    for entry in std::fs::read_dir(site).map_err(|e| format!("{}: {e}", site.display()))?.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
        if !worth_compressing(&name, bytes.len()) {
            continue;
        }
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
            writer.write_all(&bytes).map_err(|e| e.to_string())?;
        }
        // No name and no time in the header: the same file always compresses to the same bytes.
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&bytes).map_err(|e| e.to_string())?;
        let gzip = gzip.finish().map_err(|e| e.to_string())?;
        std::fs::write(site.join(format!("{name}.br")), brotli).map_err(|e| format!("{name}.br: {e}"))?;
        std::fs::write(site.join(format!("{name}.gz")), gzip).map_err(|e| format!("{name}.gz: {e}"))?;
        written += 1;
    }
    println!("  compressed copies (brotli, gzip) of {written} files");
    Ok(())
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

//! What a first visit downloads: each file of the built site, raw, gzip and brotli, and the check
//! against the budget written in `xtask/first-visit-budget` of what the first screen needs: the
//! files `dist/site.json` gives the role `page` (not the engine worker, which downloads once the
//! page draws, nor the lazily loaded screens or the error sentences), brotli as the relay sends.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::site_manifest::{Role, SiteManifest};

/// One file of the built site and what it weighs.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSize {
    pub name: String,
    pub role: Role,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Every file of the site the manifest lists (the page, wasm, js, css, service worker, manifest
/// and icons), largest first.
pub fn measure(dist: &Path) -> Result<Vec<FileSize>, String> {
    let manifest = SiteManifest::read(dist)?;
    let mut rows = Vec::new();
    for file in &manifest.files {
        let bytes = std::fs::read(dist.join(&file.path)).map_err(|e| format!("{}: {e}", file.path))?;
        // What the relay sends: the compressed copy the build wrote, else the file compressed here.
        let copy = |suffix: &str| std::fs::metadata(dist.join(format!("{}.{suffix}", file.path))).ok().map(|m| m.len() as usize);
        let gzip = copy("gz").unwrap_or_else(|| gzip_len(&bytes));
        let brotli = copy("br").unwrap_or_else(|| brotli_len(&bytes));
        rows.push(FileSize { name: file.path.clone(), role: file.role, raw: bytes.len(), gzip, brotli });
    }
    rows.sort_by(|a, b| b.gzip.cmp(&a.gzip).then_with(|| a.name.cmp(&b.name)));
    Ok(rows)
}

/// The sizes as a Markdown table with a total row.
pub fn table(rows: &[FileSize]) -> String {
    let mut out = String::from("| file | raw bytes | gzip -9 | brotli -11 |\n|---|---:|---:|---:|\n");
    for row in rows {
        out.push_str(&format!("| {} | {} | {} | {} |\n", row.name, row.raw, row.gzip, row.brotli));
    }
    let total = total(rows);
    out.push_str(&format!("| **total** | {} | {} | {} |\n", total.raw, total.gzip, total.brotli));
    out
}

/// The files the first screen needs (the manifest's role `page`), totalled.
pub fn first_screen(rows: &[FileSize]) -> FileSize {
    let page: Vec<FileSize> = rows.iter().filter(|r| r.role == Role::Page).cloned().collect();
    total(&page)
}

pub fn total(rows: &[FileSize]) -> FileSize {
    rows.iter().fold(FileSize { name: "total".into(), role: Role::Page, raw: 0, gzip: 0, brotli: 0 }, |t, r| FileSize {
        raw: t.raw + r.raw,
        gzip: t.gzip + r.gzip,
        brotli: t.brotli + r.brotli,
        ..t
    })
}

/// Prints the table of the site's files and the total.
pub fn report(dist: &Path) -> Result<(), String> {
    let rows = measure(dist)?;
    println!("\nFirst visit downloads (dist/):\n{}", table(&rows));
    Ok(())
}

/// The brotli budget of the first screen, read from the budget file: the first number on a line that
/// is not a comment.
pub fn budget(text: &str) -> Option<usize> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).find_map(|l| l.split_whitespace().next()?.replace('_', "").parse().ok())
}

/// Fails when the first screen's files (brotli) exceed the budget.
pub fn check(dist: &Path, budget_file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(budget_file).map_err(|e| format!("{}: {e}", budget_file.display()))?;
    let limit = budget(&text).ok_or_else(|| format!("{}: no budget in bytes found", budget_file.display()))?;
    let rows = measure(dist)?;
    let (page, all) = (first_screen(&rows), total(&rows));
    println!("first screen: {} B brotli (budget {limit} B, {}); with the engine worker: {} B brotli, {} B gzip", page.brotli, budget_file.display(), all.brotli, all.gzip);
    if page.brotli > limit {
        return Err(format!("the first screen's files weigh {} B brotli, over the budget of {limit} B in {}:\n{}", page.brotli, budget_file.display(), table(&rows)));
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_the_first_number_outside_comments() {
        assert_eq!(budget("# first visit, gzip\n\n1_150_000  bytes\n400000"), Some(1_150_000));
        assert_eq!(budget("# nothing here\n"), None);
    }

    #[test]
    fn files_are_measured_by_the_manifest_and_the_first_screen_is_its_page_role() {
        use crate::site_manifest::SiteFile;
        let dir = std::env::temp_dir().join(format!("linli-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.js"), "let x = 1;\n".repeat(200)).unwrap();
        std::fs::write(dir.join("b.css"), "body{}").unwrap();
        std::fs::write(dir.join("worker_bg.wasm"), "engine ".repeat(500)).unwrap();
        std::fs::write(dir.join("not-listed.js"), "unlisted").unwrap();
        let listed = [("a.js", Role::Page), ("b.css", Role::Page), ("worker_bg.wasm", Role::Engine)];
        SiteManifest::new(listed.iter().map(|(name, role)| SiteFile::measure(&dir, name, *role, false).unwrap()).collect()).write(&dir).unwrap();
        let rows = measure(&dir).unwrap();
        assert_eq!(rows.len(), 3, "only what the manifest lists");
        let sum = total(&rows);
        assert_eq!(sum.raw, 2200 + 6 + 3500);
        assert!(rows[0].gzip < rows[0].raw && rows[0].brotli < rows[0].raw, "repetitive text compresses");
        assert!(table(&rows).contains("| **total** | 5706 |"));
        let page = first_screen(&rows);
        let others: Vec<FileSize> = rows.iter().filter(|r| r.name != "worker_bg.wasm").cloned().collect();
        assert_eq!(page.raw, total(&others).raw, "the engine worker is not part of the first screen");
        let budget_file = std::env::temp_dir().join(format!("linli-budget-{}", std::process::id()));
        std::fs::write(&budget_file, format!("{}\n", page.brotli - 1)).unwrap();
        assert!(check(&dir, &budget_file).is_err(), "one byte over the budget fails");
        std::fs::write(&budget_file, format!("{}\n", page.brotli)).unwrap();
        assert!(check(&dir, &budget_file).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&budget_file).unwrap();
    }
}

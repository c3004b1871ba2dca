//! What a first visit downloads: each file of the built site, raw, gzip and brotli, and the check
//! against the budget written in `xtask/first-visit-budget` of what the first screen needs: every
//! file but the engine worker's (which downloads once the page draws) and the page's lazily loaded
//! screens (fetched when first shown), brotli as the relay sends.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// One file of the built site and what it weighs.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSize {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Every file a first visit downloads (all of `dist/`: the page, wasm, js, css, service worker,
/// manifest and icons), largest first.
pub fn measure(dist: &Path) -> Result<Vec<FileSize>, String> {
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !path.is_file() {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
        // The compressed copies are the same files, sent in place of the originals.
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        rows.push(FileSize { name, raw: bytes.len(), gzip: gzip_len(&bytes), brotli: brotli_len(&bytes) });
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

/// Whether a file belongs to the engine worker (fetched after the first screen is drawn).
pub fn is_engine(name: &str) -> bool {
    name.starts_with("linli-engine")
}

/// Whether a file is one of the page's lazily loaded screens, or code they share
/// (`xtask/src/split_page.rs` names them), fetched when such a screen is first shown.
pub fn is_lazy_screen(name: &str) -> bool {
    name.ends_with(".wasm") && (name.starts_with("split_") || name.starts_with("chunk_"))
}

/// Whether a file holds the sentences that say the engine's errors (`src/error_text.rs`), fetched
/// the first time an error shows.
pub fn is_error_sentences(name: &str) -> bool {
    name.starts_with("errors-") && name.ends_with(".json")
}

/// The files the first screen needs (all but the engine worker's, the lazy screens' and the
/// errors' sentences), totalled.
pub fn first_screen(rows: &[FileSize]) -> FileSize {
    let page: Vec<FileSize> = rows.iter().filter(|r| !is_engine(&r.name) && !is_lazy_screen(&r.name) && !is_error_sentences(&r.name)).cloned().collect();
    total(&page)
}

pub fn total(rows: &[FileSize]) -> FileSize {
    rows.iter().fold(FileSize { name: "total".into(), raw: 0, gzip: 0, brotli: 0 }, |t, r| FileSize { raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli, ..t })
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
    fn files_are_measured_and_totalled() {
        let dir = std::env::temp_dir().join(format!("linli-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.js"), "let x = 1;\n".repeat(200)).unwrap();
        std::fs::write(dir.join("b.css"), "body{}").unwrap();
        let rows = measure(&dir).unwrap();
        assert_eq!(rows.len(), 2);
        let sum = total(&rows);
        assert_eq!(sum.raw, 2200 + 6);
        assert!(rows[0].gzip < rows[0].raw && rows[0].brotli < rows[0].raw, "repetitive text compresses");
        assert!(table(&rows).contains("| **total** | 2206 |"));
        let budget_file = std::env::temp_dir().join(format!("linli-budget-{}", std::process::id()));
        std::fs::write(dir.join("linli-engine_bg.wasm"), "engine ".repeat(500)).unwrap();
        let rows = measure(&dir).unwrap();
        let page = first_screen(&rows);
        let others: Vec<FileSize> = rows.iter().filter(|r| r.name != "linli-engine_bg.wasm").cloned().collect();
        assert_eq!((rows.len(), &page), (3, &total(&others)), "the engine worker is not part of the first screen");
        std::fs::write(&budget_file, format!("{}\n", page.brotli - 1)).unwrap();
        assert!(check(&dir, &budget_file).is_err(), "one byte over the budget fails");
        std::fs::write(&budget_file, format!("{}\n", page.brotli)).unwrap();
        assert!(check(&dir, &budget_file).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&budget_file).unwrap();
    }
}

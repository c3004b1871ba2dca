//! What a first visit downloads: each file of the built site, raw and gzipped.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// Prints a table of the site's files (wasm, js, css, icons, html) and the total.
pub fn report(dist: &Path) -> Result<(), String> {
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
        rows.push((name, bytes.len(), gzip_len(&bytes)));
    }
    rows.sort_by(|a, b| b.2.cmp(&a.2));
    println!("\nFirst visit downloads (dist/):");
    println!("{:<44} {:>12} {:>12}", "file", "raw bytes", "gzip -9");
    for (name, raw, gz) in &rows {
        println!("{name:<44} {raw:>12} {gz:>12}");
    }
    let (raw, gz) = rows.iter().fold((0, 0), |(r, g), row| (r + row.1, g + row.2));
    println!("{:<44} {raw:>12} {gz:>12}", "total");
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}

//! Readies the built site in `dist/` for serving: tells the boot script how big the app's wasm
//! is (for its progress bar), and writes a brotli (`.br`) and a gzip (`.gz`) copy of every file,
//! which the relay sends to browsers that accept them (tower-http's precompressed serving).

use std::io::Write;
use std::path::Path;

/// Files not worth compressing (already compressed, or tiny).
fn worth_compressing(name: &str, size: usize) -> bool {
    !(name.ends_with(".br") || name.ends_with(".gz") || name.ends_with(".png")) && size > 256
}

/// Adds `data-linli-size` (the wasm's bytes) to the boot script tag of `dist/index.html`.
pub fn record_wasm_size(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let wasm = html.split("data-linli-wasm=\"").nth(1).and_then(|rest| rest.split('"').next()).ok_or("dist/index.html has no boot script (Trunk.toml's pattern_script)")?;
    let size = std::fs::metadata(dist.join(wasm.trim_start_matches('/'))).map_err(|e| format!("{wasm}: {e}"))?.len();
    let tagged = html.replacen("data-linli-wasm=", &format!("data-linli-size=\"{size}\" data-linli-wasm="), 1);
    std::fs::write(&index, tagged).map_err(|e| format!("{}: {e}", index.display()))
}

/// Writes `<file>.br` and `<file>.gz` beside every file of `dist/` worth compressing.
pub fn compress(dist: &Path) -> Result<(), String> {
    let mut written = 0;
    for entry in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?.flatten() {
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
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&bytes).map_err(|e| e.to_string())?;
        let gzip = gzip.finish().map_err(|e| e.to_string())?;
        std::fs::write(dist.join(format!("{name}.br")), brotli).map_err(|e| format!("{name}.br: {e}"))?;
        std::fs::write(dist.join(format!("{name}.gz")), gzip).map_err(|e| format!("{name}.gz: {e}"))?;
        written += 1;
    }
    println!("  compressed copies (brotli, gzip) of {written} files");
    Ok(())
}

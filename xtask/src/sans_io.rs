//! The engine core stays sans-IO (ARCHITECTURE.md): `crates/engine-core` names no browser
//! crate in its manifest or source, reads no clock and makes no randomness of its own — time
//! comes with each input and random bytes from the `Entropy` it is given. Checked in tier 0.

use std::path::Path;

/// What the core's manifest and source may not name.
const FORBIDDEN: &[&str] =
    &["web-sys", "web_sys", "js-sys", "js_sys", "wasm-bindgen", "wasm_bindgen", "gloo", "getrandom", "Instant::now", "SystemTime", "Date::now", "thread_rng", "OsRng"];

/// Each forbidden name the core names, with the file it is in.
pub fn violations(core: &Path) -> Vec<String> {
    let mut files = vec![core.join("Cargo.toml")];
    let mut stack = vec![core.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for name in FORBIDDEN {
            let named = text.lines().map(|l| l.split("//").next().unwrap_or("")).map(|l| l.split('#').next().unwrap_or("")).any(|code| code.contains(name));
            if named {
                found.push(format!("{} names {name}", file.strip_prefix(core).unwrap_or(&file).display()));
            }
        }
    }
    found
}

pub fn check(root: &Path) -> Result<(), String> {
    let found = violations(&root.join("crates/engine-core"));
    if found.is_empty() { Ok(()) } else { Err(format!("the engine core must stay sans-IO:\n  {}", found.join("\n  "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_core_names_no_browser_crate_no_clock_and_no_randomness_of_its_own() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
        assert_eq!(check(root), Ok(()));
    }

    #[test]
    fn a_core_that_reads_the_clock_is_caught() {
        let dir = std::env::temp_dir().join(format!("linli-sans-io-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[dependencies]\nserde = \"1\"\n# js-sys in a comment is fine\n").unwrap();
        std::fs::write(dir.join("src/lib.rs"), "//! `Date::now` in a doc is fine\npub fn now() -> f64 { js_sys::Date::now() }\n").unwrap();
        let found = violations(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(found, vec!["src/lib.rs names js_sys".to_owned(), "src/lib.rs names Date::now".to_owned()]);
    }
}

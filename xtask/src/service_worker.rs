//! Renders the service worker into the site being built, from `public/sw.js`: its version
//! (changes whenever any file of the site does, so browsers see a new worker and offer the
//! update) and the list of files that make up the app shell (every file of the manifest).

use std::path::Path;

use crate::shell::root;
use crate::site_manifest::{Role, SiteFile, SiteManifest};

/// The service worker's template in the repository and its name in the site.
const TEMPLATE: &str = "public/sw.js";
pub const WORKER: &str = "sw.js";

/// Writes `site/sw.js` for the site made of `files` (all but the worker itself) and returns it.
pub fn render(site: &Path, files: &[SiteFile]) -> Result<SiteFile, String> {
    let source = std::fs::read_to_string(root().join(TEMPLATE)).map_err(|e| format!("{TEMPLATE}: {e}"))?;
    let manifest = SiteManifest::new(files.to_vec());
    let rendered = with_shell(&source, &manifest)?;
    std::fs::write(site.join(WORKER), rendered).map_err(|e| format!("{WORKER}: {e}"))?;
    println!("  service worker: version {}, {} files in the app shell", manifest.version(), manifest.files.len());
    SiteFile::measure(site, WORKER, Role::Page, false)
}

/// The template with the site's version and shell list in place of its placeholders.
fn with_shell(source: &str, manifest: &SiteManifest) -> Result<String, String> {
    if !source.contains("__LINLI_VERSION__") || !source.contains("__LINLI_SHELL__") {
        return Err(format!("{TEMPLATE} lacks __LINLI_VERSION__ or __LINLI_SHELL__"));
    }
    let shell: Vec<String> = manifest.files.iter().filter(|f| f.path != WORKER).map(|f| format!("\"/{}\"", f.path)).collect();
    Ok(source.replace("__LINLI_VERSION__", &manifest.version()).replace("__LINLI_SHELL__", &format!("[{}]", shell.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, sha256: &str) -> SiteFile {
        SiteFile { path: path.into(), role: Role::Page, immutable: false, size: 1, sha256: sha256.into() }
    }

    #[test]
    fn lists_every_file_but_itself_and_changes_version_with_the_site() {
        let source = "const VERSION = \"__LINLI_VERSION__\";\nconst SHELL = __LINLI_SHELL__;\n";
        let one = SiteManifest::new(vec![file("index.html", "aa"), file("app-1.wasm", "bb"), file(WORKER, "cc")]);
        let first = with_shell(source, &one).unwrap();
        assert!(first.contains(r#"const SHELL = ["/app-1.wasm", "/index.html"];"#), "{first}");
        assert!(!first.contains("__LINLI_"), "{first}");
        assert!(with_shell(&first, &one).is_err(), "a rendered worker is no template");

        let two = SiteManifest::new(vec![file("index.html", "dd"), file("app-1.wasm", "bb")]);
        let second = with_shell(source, &two).unwrap();
        assert_ne!(first.lines().next(), second.lines().next(), "a changed site is a new version");
    }
}

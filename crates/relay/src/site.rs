//! The built site, served as a web server should: the brotli or gzip copy a browser accepts
//! (written by `cargo xtask build-site`, sent by tower-http's precompressed `ServeDir`), caching
//! that fits each file (the files the site's manifest, `site.json`, marks immutable, i.e. named
//! after their content, for a year; everything else checked every time), ETags with
//! `304 Not Modified`, and security headers.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

/// What the page may load: its own scripts and wasm (compiled, hence `wasm-unsafe-eval`), no
/// inline script; styles may be set inline (screens set `style` attributes); sync connections
/// to any relay (a link may name another); workers from this origin or a blob.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The manifest `cargo xtask build-site` writes beside the site's files.
pub const MANIFEST: &str = "site.json";

/// A built site: its folder and the files browsers may keep for a year.
#[derive(Debug, Clone)]
pub struct Site {
    pub dir: PathBuf,
    immutable: Arc<HashSet<String>>,
}

/// What the relay reads of `site.json` (xtask/src/site_manifest.rs writes it, with more fields).
#[derive(serde::Deserialize)]
struct Manifest {
    files: Vec<ManifestFile>,
}

#[derive(serde::Deserialize)]
struct ManifestFile {
    path: String,
    immutable: bool,
}

impl Site {
    /// The site in `dir`. Without a readable manifest every file is checked every time (never
    /// kept for a year on a guess), and the relay says so.
    pub fn open(dir: PathBuf) -> Site {
        let manifest = std::fs::read(dir.join(MANIFEST)).map_err(|e| e.to_string()).and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).map_err(|e| e.to_string()));
        let immutable = match manifest {
            Ok(manifest) => manifest.files.into_iter().filter(|f| f.immutable).map(|f| format!("/{}", f.path)).collect(),
            Err(error) => {
                tracing::warn!(site = %dir.display(), %error, "the site has no readable {MANIFEST}: every file is served to be checked every time");
                HashSet::new()
            }
        };
        Site { dir, immutable: Arc::new(immutable) }
    }

    /// Whether browsers may keep the file at `path` for a year.
    fn is_immutable(&self, path: &str) -> bool {
        self.immutable.contains(path)
    }
}

/// Serves `request` from `site` (`index.html` for app routes).
pub async fn serve(site: &Site, mut request: Request) -> Response {
    let dir = site.dir.as_path();
    let path = request.uri().path().to_owned();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    // With an ETag to compare, the modification time is not asked about (RFC 9110, 13.2.2): it
    // counts whole seconds, and a service worker deployed within the second of the copy a
    // browser holds would be answered 304 for ever. The ETag also counts the length.
    if if_none_match.is_some() {
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index);
    let mut response = match tower::ServiceExt::oneshot(files, request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    let is_page = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    secure(headers);
    if !matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        return response;
    }
    let headers = response.headers_mut();
    let cache = if !is_page && site.is_immutable(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(etag) = etag(headers) else { return response };
    headers.insert(header::ETAG, etag.clone());
    if if_none_match.is_some_and(|wanted| matches(&wanted, &etag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY, header::LAST_MODIFIED, header::CONTENT_ENCODING] {
            if let Some(value) = response.headers().get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        secure(not_modified.headers_mut());
        return not_modified;
    }
    response
}

/// The security headers every response of the site carries.
pub fn secure(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// A validator for the response: its modification time, length and encoding (each encoding of a
/// file is its own representation).
fn etag(headers: &HeaderMap) -> Option<HeaderValue> {
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).unwrap_or("0");
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in modified.bytes().chain(*b"|").chain(length.bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    HeaderValue::from_str(&format!("\"{hash:016x}-{encoding}\"")).ok()
}

/// Whether an `If-None-Match` header names this ETag (or is `*`).
fn matches(wanted: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(wanted) = wanted.to_str() else { return false };
    let etag = etag.to_str().unwrap_or_default();
    wanted.split(',').map(|tag| tag.trim().trim_start_matches("W/")).any(|tag| tag == "*" || tag == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_manifest_marks_immutable_is_kept_for_a_year() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = r#"{"files": [
            {"path": "linli-3e22a5927d547a9b_bg.wasm", "role": "page", "immutable": true, "size": 4, "sha256": "00"},
            {"path": "linli-engine_bg.wasm", "role": "engine", "immutable": false, "size": 4, "sha256": "00"},
            {"path": "index.html", "role": "page", "immutable": false, "size": 4, "sha256": "00"}]}"#;
        std::fs::write(dir.path().join(MANIFEST), manifest).unwrap();
        let site = Site::open(dir.path().to_owned());
        assert!(site.is_immutable("/linli-3e22a5927d547a9b_bg.wasm"));
        for path in ["/linli-engine_bg.wasm", "/index.html", "/style-5af955d08d40f132.css", "/s/2nwcMe1s9k2b2392aE8txkW1K1Qc"] {
            assert!(!site.is_immutable(path), "{path}: not marked, so checked every time");
        }
        std::fs::write(dir.path().join(MANIFEST), "not json").unwrap();
        assert!(!Site::open(dir.path().to_owned()).is_immutable("/linli-3e22a5927d547a9b_bg.wasm"), "an unreadable manifest keeps nothing for a year");
    }
}

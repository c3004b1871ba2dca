//! The built site, served as a web server should: the brotli or gzip copy a browser accepts
//! (written by `cargo xtask build-site`, sent by tower-http's precompressed `ServeDir`), caching
//! that fits each file (content-hashed files for a year, unchanged; the page, the service worker
//! and the manifest checked every time), ETags with `304 Not Modified`, and security headers.

use std::path::Path;

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

/// Serves `request` from the site in `dir` (`index.html` for app routes).
pub async fn serve(dir: &Path, mut request: Request) -> Response {
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
    let cache = if !is_page && is_content_hashed(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
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

/// Whether a path names a file Trunk named after its content (`linli-3e22a5927d547a9b_bg.wasm`):
/// such a file never changes, so browsers may keep it for a year.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches("_bg");
    // Trunk writes the 64-bit hash in hex without leading zeros.
    stem.rsplit_once('-').is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
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
    fn only_trunks_hashed_names_are_immutable() {
        assert!(is_content_hashed("/linli-3e22a5927d547a9b_bg.wasm"));
        assert!(is_content_hashed("/linli-3e22a5927d547a9b.js"));
        assert!(is_content_hashed("/style-5af955d08d40f132.css"));
        assert!(is_content_hashed("/style-d7a84cfa1b2d623.css"), "a hash with its leading zero dropped");
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/sw.js"));
        assert!(!is_content_hashed("/boot.js"));
        assert!(!is_content_hashed("/manifest.webmanifest"));
        assert!(!is_content_hashed("/s/2nwcMe1s9k2b2392aE8txkW1K1Qc"));
    }
}

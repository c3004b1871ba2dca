//! The real relay binary serves the built site as a web server should: the compressed copy the
//! browser accepts (brotli, gzip, or none), caching by file, ETags answered with 304, and
//! security headers; app routes get the page.

mod support;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use support::relay_process::RelayProcess;

const WASM: &str = "linli-0123456789abcdef_bg.wasm";
/// A name like a content-hashed one that the site's manifest does not mark immutable.
const UNMARKED: &str = "style-0123456789abcdef.css";

/// A built site: a page, a content-hashed wasm with its brotli and gzip copies (distinct bytes, so
/// the test sees which one came), a service worker, an app manifest, and the site's manifest
/// (`site.json`) as `cargo xtask build-site` writes it.
fn site(dir: &Path) {
    std::fs::write(dir.join(UNMARKED), "body{}").unwrap();
    let manifest = format!(
        r#"{{"files": [{{"path": "{WASM}", "role": "page", "immutable": true, "size": 25, "sha256": "00"}},
                     {{"path": "{UNMARKED}", "role": "page", "immutable": false, "size": 6, "sha256": "00"}},
                     {{"path": "index.html", "role": "page", "immutable": false, "size": 70, "sha256": "00"}}]}}"#
    );
    std::fs::write(dir.join("site.json"), manifest).unwrap();
    std::fs::write(dir.join("index.html"), "<!DOCTYPE html><html><body><div id=\"boot\">Linli</div></body></html>").unwrap();
    std::fs::write(dir.join(WASM), b"\0asm-raw-bytes-of-the-app").unwrap();
    std::fs::write(dir.join(format!("{WASM}.br")), b"brotli-bytes").unwrap();
    std::fs::write(dir.join(format!("{WASM}.gz")), b"gzip-bytes").unwrap();
    std::fs::write(dir.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::write(dir.join("manifest.webmanifest"), "{\"name\": \"Linli\"}").unwrap();
}

struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// One GET over plain HTTP/1.1, with the given request headers.
fn get(address: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = TcpStream::connect(address).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    Answer { status, headers, body: raw[split + 4..].to_vec() }
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

fn relay_serving_a_site() -> (RelayProcess, tempfile::TempDir, tempfile::TempDir) {
    let (data, dist) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    site(dist.path());
    let relay = RelayProcess::start_with(data.path(), "127.0.0.1:0", &[OsStr::new("--site"), dist.path().as_os_str()]);
    (relay, data, dist)
}

#[test]
fn each_browser_gets_the_copy_it_accepts_with_the_right_type() {
    let (relay, _data, _dist) = relay_serving_a_site();
    let path = format!("/{WASM}");
    let brotli = get(&relay.address, &path, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!((brotli.status, brotli.header("content-encoding")), (200, Some("br")));
    assert_eq!(brotli.body, b"brotli-bytes");
    assert_eq!(brotli.header("content-type"), Some("application/wasm"));
    assert_eq!(brotli.header("vary"), Some("accept-encoding"));
    let gzip = get(&relay.address, &path, &[("Accept-Encoding", "gzip")]);
    assert_eq!((gzip.header("content-encoding"), gzip.body.as_slice()), (Some("gzip"), b"gzip-bytes".as_slice()));
    let identity = get(&relay.address, &path, &[]);
    assert_eq!((identity.header("content-encoding"), identity.body.as_slice()), (None, b"\0asm-raw-bytes-of-the-app".as_slice()));
}

#[test]
fn files_the_manifest_marks_immutable_are_kept_for_a_year_and_the_rest_are_checked() {
    let (relay, _data, _dist) = relay_serving_a_site();
    let wasm = get(&relay.address, &format!("/{WASM}"), &[("Accept-Encoding", "br")]);
    assert_eq!(wasm.header("cache-control"), Some("public, max-age=31536000, immutable"));
    let unmarked = format!("/{UNMARKED}");
    for path in ["/", "/index.html", "/s/2nwcMe1s9k2b2392aE8txkW1K1Qc/pledges", "/sw.js", "/manifest.webmanifest", unmarked.as_str()] {
        let answer = get(&relay.address, path, &[]);
        assert_eq!((answer.status, answer.header("cache-control")), (200, Some("no-cache")), "{path}");
    }
    let route = get(&relay.address, "/s/2nwcMe1s9k2b2392aE8txkW1K1Qc/pledges", &[]);
    assert!(route.header("content-type").is_some_and(|t| t.starts_with("text/html")), "an app route is the page");
    assert!(String::from_utf8_lossy(&route.body).contains("id=\"boot\""));
    assert!(get(&relay.address, "/manifest.webmanifest", &[]).header("content-type").is_some_and(|t| t.contains("manifest+json")));
}

#[test]
fn an_unchanged_file_is_answered_304_by_its_etag() {
    let (relay, _data, _dist) = relay_serving_a_site();
    for path in ["/index.html".to_owned(), format!("/{WASM}")] {
        let first = get(&relay.address, &path, &[("Accept-Encoding", "br")]);
        let etag = first.header("etag").expect("an ETag").to_owned();
        let again = get(&relay.address, &path, &[("Accept-Encoding", "br"), ("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
    }
    // Each encoding of a file is its own representation, with its own ETag.
    let path = format!("/{WASM}");
    let brotli = get(&relay.address, &path, &[("Accept-Encoding", "br")]);
    let etag = brotli.header("etag").unwrap();
    let gzip = get(&relay.address, &path, &[("Accept-Encoding", "gzip"), ("If-None-Match", etag)]);
    assert_eq!(gzip.status, 200);
    assert_ne!(gzip.header("etag"), Some(etag));
}

#[test]
fn a_service_worker_changed_within_the_same_second_is_served_anew() {
    // A browser checking its service worker sends both validators. The new deploy may carry the
    // same modification second as the copy the browser holds; its length (in the ETag) differs,
    // so the ETag decides, as HTTP says it must when both are sent.
    let (relay, _data, dist) = relay_serving_a_site();
    let first = get(&relay.address, "/sw.js", &[]);
    let (etag, modified) = (first.header("etag").unwrap().to_owned(), first.header("last-modified").unwrap().to_owned());
    let worker = dist.path().join("sw.js");
    let held = std::fs::metadata(&worker).unwrap().modified().unwrap();
    std::fs::write(&worker, "const VERSION = \"next\"; self.addEventListener('fetch', () => {});").unwrap();
    std::fs::File::options().write(true).open(&worker).unwrap().set_modified(held).unwrap();
    let check = get(&relay.address, "/sw.js", &[("If-None-Match", &etag), ("If-Modified-Since", &modified)]);
    assert_eq!(check.status, 200, "the new worker is sent, not 304");
    assert!(String::from_utf8_lossy(&check.body).contains("next"));
    // Unchanged, the same two validators still get 304.
    let etag = check.header("etag").unwrap().to_owned();
    let again = get(&relay.address, "/sw.js", &[("If-None-Match", &etag), ("If-Modified-Since", &modified)]);
    assert_eq!(again.status, 304);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let (relay, _data, _dist) = relay_serving_a_site();
    for path in ["/".to_owned(), format!("/{WASM}"), "/sw.js".to_owned()] {
        let answer = get(&relay.address, &path, &[]);
        let policy = answer.header("content-security-policy").expect("a Content-Security-Policy");
        let scripts = policy.split(';').find(|d| d.trim().starts_with("script-src")).expect("a script-src");
        assert_eq!(scripts.trim(), "script-src 'self' 'wasm-unsafe-eval'", "no inline script, no eval");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
}

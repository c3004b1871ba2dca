//! HTTPS: the relay's own TLS, from certificate files or from an ACME certificate authority (Let's
//! Encrypt by default), and the plain-HTTP listener that sends browsers to the HTTPS address.
//!
//! Browsers give offline start, the service worker and installing to the home screen only to
//! secure origins, so a relay reached by a LAN address or a domain needs TLS for Linli to work
//! offline. ACME uses the TLS-ALPN-01 challenge on the HTTPS port itself, so port 80 is not needed
//! for certificates; accounts and certificates are cached in the data folder's `acme/`.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use futures_util::StreamExt;
use rustls::pki_types::pem::PemObject;
use tokio::net::TcpListener;

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// Where the relay's certificate comes from.
#[derive(Debug, Clone)]
pub enum Tls {
    /// A certificate chain and its private key in PEM files, read again when either changes (so a
    /// certificate renewed by another tool is picked up without a restart).
    Files { cert: PathBuf, key: PathBuf },
    /// Certificates for public domain names, obtained and renewed from an ACME CA.
    Acme(AcmeSettings),
}

/// How to ask an ACME CA for certificates.
#[derive(Debug, Clone)]
pub struct AcmeSettings {
    /// The names the certificate is for; each must point at this relay's HTTPS port 443.
    pub domains: Vec<String>,
    /// Addresses the CA may write to about expiring certificates (`mailto:` is added).
    pub contact: Vec<String>,
    /// The CA's directory URL ([`LETS_ENCRYPT`] unless a private CA is used).
    pub directory: String,
    /// The root certificate (PEM) a private CA's directory is served with, if the system's web
    /// roots do not cover it.
    pub directory_ca: Option<PathBuf>,
    /// Where accounts and certificates are kept between runs.
    pub cache_dir: PathBuf,
}

/// Serves `app` over TLS on `listener` until `shutdown` resolves (then waits up to ten seconds for
/// connections to finish, which the relay closes itself).
pub async fn serve(listener: TcpListener, app: Router, tls: Tls, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
    // rustls needs one crypto provider for the process; ring is the one compiled in. A second
    // install (a second relay in one test process) is refused harmlessly.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let server = axum_server::from_tcp(listener.into_std()?)?.handle(handle);
    let service = app.into_make_service();
    match tls {
        Tls::Files { cert, key } => {
            let config = RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| io::Error::new(e.kind(), format!("cannot use the certificate {} with the key {}: {e}", cert.display(), key.display())))?;
            tokio::spawn(reload_when_changed(config.clone(), cert, key));
            server.acceptor(RustlsAcceptor::new(config)).serve(service).await
        }
        Tls::Acme(settings) => {
            let mut state = acme_config(&settings)?.state();
            let mut server_config = rustls::ServerConfig::builder().with_no_client_auth().with_cert_resolver(state.resolver());
            server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            let acceptor = state.axum_acceptor(Arc::new(server_config));
            tokio::spawn(async move {
                while let Some(event) = state.next().await {
                    match event {
                        Ok(event) => tracing::info!(?event, "certificate authority"),
                        Err(error) => tracing::error!(%error, "could not get a certificate; trying again later"),
                    }
                }
            });
            server.acceptor(acceptor).serve(service).await
        }
    }
}

fn acme_config(settings: &AcmeSettings) -> io::Result<rustls_acme::AcmeConfig<io::Error, io::Error>> {
    let config = match &settings.directory_ca {
        None => rustls_acme::AcmeConfig::new(&settings.domains),
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            let pem = std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))?;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
                roots.add(cert).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
            }
            let client = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
            rustls_acme::AcmeConfig::new_with_client_config(&settings.domains, Arc::new(client))
        }
    };
    Ok(config
        .contact(settings.contact.iter().map(|c| if c.contains(':') { c.clone() } else { format!("mailto:{c}") }))
        .directory(&settings.directory)
        .cache(rustls_acme::caches::DirCache::new(settings.cache_dir.clone())))
}

/// Reads the certificate files again whenever their modification time changes.
async fn reload_when_changed(config: RustlsConfig, cert: PathBuf, key: PathBuf) {
    let stamp = |cert: &PathBuf, key: &PathBuf| -> Option<(SystemTime, SystemTime)> {
        Some((std::fs::metadata(cert).ok()?.modified().ok()?, std::fs::metadata(key).ok()?.modified().ok()?))
    };
    let mut seen = stamp(&cert, &key);
    let mut every = tokio::time::interval(Duration::from_secs(10));
    loop {
        every.tick().await;
        let now = stamp(&cert, &key);
        if now.is_some() && now != seen {
            match config.reload_from_pem_file(&cert, &key).await {
                Ok(()) => {
                    tracing::info!(cert = %cert.display(), "certificate files changed; now serving the new certificate");
                    seen = now;
                }
                Err(error) => tracing::warn!(%error, "certificate files changed but cannot be used yet; keeping the old certificate"),
            }
        }
    }
}

/// Serves plain HTTP on `listener` that sends every request to the same path on HTTPS: on
/// `https_host` if given (the ACME domain), else on the host the browser asked for.
pub async fn redirect_to_https(listener: TcpListener, https_host: Option<String>, https_port: u16, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
    let app = Router::new().fallback(move |request: Request| {
        let https_host = https_host.clone();
        async move { redirect(&request, https_host.as_deref(), https_port) }
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

fn redirect(request: &Request, https_host: Option<&str>, https_port: u16) -> Response {
    let asked = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(|h| h.parse::<axum::http::uri::Authority>());
    let host = match (https_host, asked) {
        (Some(host), _) => host.to_owned(),
        (None, Some(Ok(authority))) => authority.host().to_owned(),
        _ => return (StatusCode::BAD_REQUEST, "this address serves Linli over https only\n").into_response(),
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let Ok(target) = format!("https://{host}{port}{path}").parse::<Uri>() else {
        return (StatusCode::BAD_REQUEST, "this address serves Linli over https only\n").into_response();
    };
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    if let Ok(location) = HeaderValue::from_str(&target.to_string()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(host: &str, path: &str) -> Request {
        Request::builder().uri(path).header(header::HOST, host).body(axum::body::Body::empty()).unwrap()
    }

    fn location(response: &Response) -> &str {
        response.headers()[header::LOCATION].to_str().unwrap()
    }

    #[test]
    fn plain_http_is_sent_to_the_same_path_on_https() {
        let response = redirect(&asked("linli.example.org", "/s/abc?x=1"), None, 443);
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(location(&response), "https://linli.example.org/s/abc?x=1");
        assert_eq!(location(&redirect(&asked("192.168.1.20:8080", "/"), None, 8443)), "https://192.168.1.20:8443/");
    }

    #[test]
    fn with_a_known_domain_the_browsers_host_is_not_trusted() {
        let response = redirect(&asked("evil.example", "/k/1"), Some("linli.example.org"), 443);
        assert_eq!(location(&response), "https://linli.example.org/k/1");
    }

    #[test]
    fn a_request_without_a_host_gets_a_clear_refusal() {
        let request = Request::builder().uri("/").body(axum::body::Body::empty()).unwrap();
        assert_eq!(redirect(&request, None, 443).status(), StatusCode::BAD_REQUEST);
    }
}

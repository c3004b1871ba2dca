//! HTTPS against the real binary: certificate files made here with rcgen (and renewed while the
//! relay runs), certificates from an ACME CA (Debian's `pebble` test CA with its fake DNS, which
//! `cargo xtask test` installs), the plain-HTTP redirect, and the warning a relay on a LAN address
//! without TLS prints.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_sync::{Message, PeerMetadata, codec};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use support::relay_process::RelayProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as Frame;

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A free port on 127.0.0.1 (for a listener whose port must be known before it starts).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files in `dir`.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf, CertificateDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap().self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path, cert.der().clone())
}

/// A TLS connection to `address` that trusts only `roots` and checks the name `server_name`.
async fn tls_connect(address: &str, server_name: &str, roots: &[CertificateDer<'static>]) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).unwrap();
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(store).with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(address).await?;
    let name = ServerName::try_from(server_name.to_owned()).unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

/// `GET path` over HTTPS; the whole response as text.
async fn https_get(address: &str, server_name: &str, roots: &[CertificateDer<'static>], path: &str) -> std::io::Result<String> {
    let mut tls = tls_connect(address, server_name, roots).await?;
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut response = Vec::new();
    // A server may close without TLS's close_notify; what arrived before is the answer.
    let _ = tls.read_to_end(&mut response).await;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

/// A plain `GET path` with a Host header; the whole response.
async fn http_get(address: &str, host: &str, path: &str) -> String {
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    tcp.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    response
}

/// Polls `check` every 200 ms until it returns true, for at most `limit`.
async fn eventually(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn certificate_files_serve_the_site_and_sync_over_https_and_a_renewed_certificate_is_picked_up() {
    install_crypto();
    let data = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, first) = self_signed(certs.path());
    let plain = format!("127.0.0.1:{}", free_port());
    let relay = RelayProcess::start_with(
        data.path(),
        "127.0.0.1:0",
        &["--tls-cert".as_ref(), cert.as_os_str(), "--tls-key".as_ref(), key.as_os_str(), "--redirect-http".as_ref(), plain.as_ref()],
    );
    let port = relay.address.rsplit(':').next().unwrap().to_owned();

    let health = https_get(&relay.address, "localhost", std::slice::from_ref(&first), "/healthz").await.unwrap();
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok\n"), "{health}");

    // Sync over wss: the protocol's join is answered with the relay's peer message.
    let tls = tls_connect(&relay.address, "localhost", std::slice::from_ref(&first)).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::client_async(format!("wss://localhost:{port}/"), tls).await.unwrap();
    let join = Message::Join { sender_id: "tls-test".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: None };
    socket.send(Frame::Binary(codec::encode(&join).into())).await.unwrap();
    let answer = loop {
        match socket.next().await {
            Some(Ok(Frame::Binary(bytes))) => break codec::decode(&bytes).unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("no answer over wss: {other:?}"),
        }
    };
    assert!(matches!(answer, Message::Peer { .. }), "{answer:?}");

    // Plain HTTP on the HTTPS port is not served; the redirect port sends browsers to HTTPS.
    let mut tcp = std::net::TcpStream::connect(&relay.address).unwrap();
    std::io::Write::write_all(&mut tcp, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reply = Vec::new();
    let _ = tcp.read_to_end(&mut reply);
    assert!(!String::from_utf8_lossy(&reply).contains("ok\n"), "plain HTTP must not be answered on the HTTPS port");
    let redirect = http_get(&plain, &format!("localhost:{}", plain.rsplit(':').next().unwrap()), "/s/abc?x=1").await;
    assert!(redirect.starts_with("HTTP/1.1 308"), "{redirect}");
    assert!(redirect.to_lowercase().contains(&format!("location: https://localhost:{port}/s/abc?x=1")), "{redirect}");

    // A renewed certificate written over the files is served without a restart.
    let (_, _, renewed) = self_signed(certs.path());
    assert_ne!(renewed, first);
    eventually(Duration::from_secs(40), "the renewed certificate is served", async || {
        https_get(&relay.address, "localhost", std::slice::from_ref(&renewed), "/healthz").await.is_ok_and(|r| r.ends_with("ok\n"))
    })
    .await;
}

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The CA whose certificate pebble serves its own HTTPS with (its directory and management API).
struct PebbleTls {
    ca_pem: PathBuf,
    ca: CertificateDer<'static>,
    cert: PathBuf,
    key: PathBuf,
}

fn pebble_tls(dir: &Path) -> PebbleTls {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap().signed_by(&key, &issuer).unwrap();
    let paths = PebbleTls { ca_pem: dir.join("pebble-ca.pem"), ca: ca_cert.der().clone(), cert: dir.join("pebble-cert.pem"), key: dir.join("pebble-key.pem") };
    std::fs::write(&paths.ca_pem, ca_cert.pem()).unwrap();
    std::fs::write(&paths.cert, cert.pem()).unwrap();
    std::fs::write(&paths.key, key.serialize_pem()).unwrap();
    paths
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[tokio::test]
async fn a_certificate_from_an_acme_ca_is_obtained_kept_in_the_data_folder_and_served_after_a_restart() {
    install_crypto();
    assert!(on_path("pebble") && on_path("pebble-challtestsrv"), "this test needs Debian's ACME test CA: apt-get install pebble (cargo xtask test installs it)");
    let work = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let pebble_cert = pebble_tls(work.path());
    let (directory_port, management_port, dns_port, relay_port) = (free_port(), free_port(), free_port(), free_port());
    let config = work.path().join("pebble.json");
    let config_json = format!(
        r#"{{"pebble": {{"listenAddress": "127.0.0.1:{directory_port}", "managementListenAddress": "127.0.0.1:{management_port}",
            "certificate": "{}", "privateKey": "{}", "httpPort": {}, "tlsPort": {relay_port},
            "ocspResponderURL": "", "externalAccountBindingRequired": false}}}}"#,
        pebble_cert.cert.display(),
        pebble_cert.key.display(),
        free_port(),
    );
    std::fs::write(&config, config_json).unwrap();
    // The fake DNS answers every name with 127.0.0.1, so the CA validates `linli.test` here.
    let _dns = Running(
        Command::new("pebble-challtestsrv")
            .args(["-dns01", &format!("127.0.0.1:{dns_port}"), "-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-management", &format!("127.0.0.1:{}", free_port()), "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pebble = Running(
        Command::new("pebble")
            .args(["-config", config.to_str().unwrap(), "-dnsserver", &format!("127.0.0.1:{dns_port}")])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let directory = format!("127.0.0.1:{directory_port}");
    eventually(Duration::from_secs(20), "pebble answers", async || https_get(&directory, "localhost", std::slice::from_ref(&pebble_cert.ca), "/dir").await.is_ok()).await;

    let relay_listen = format!("127.0.0.1:{relay_port}");
    let directory_url = format!("https://{directory}/dir");
    let flags: Vec<&std::ffi::OsStr> =
        vec!["--acme-domain".as_ref(), "linli.test".as_ref(), "--acme-directory".as_ref(), directory_url.as_ref(), "--acme-directory-ca".as_ref(), pebble_cert.ca_pem.as_os_str()];
    let relay = RelayProcess::start_with(data.path(), &relay_listen, &flags);

    // Pebble issues under a root it makes at start; its management API hands it out.
    let management = format!("127.0.0.1:{management_port}");
    let roots = https_get(&management, "localhost", std::slice::from_ref(&pebble_cert.ca), "/roots/0").await.unwrap();
    let root_pem = &roots[roots.find("-----BEGIN").expect("pebble returns its root in PEM")..];
    let pebble_root = CertificateDer::from_pem_slice(root_pem.as_bytes()).unwrap();
    eventually(Duration::from_secs(60), "the relay serves a certificate for linli.test issued by the CA", async || {
        https_get(&relay_listen, "linli.test", std::slice::from_ref(&pebble_root), "/healthz").await.is_ok_and(|r| r.ends_with("ok\n"))
    })
    .await;
    let cached = std::fs::read_dir(data.path().join("acme")).expect("the data folder keeps acme/").count();
    assert!(cached >= 2, "the account and the certificate are kept in the data folder ({cached} files)");

    // With the CA gone, a restarted relay serves the kept certificate.
    drop(relay);
    drop(pebble);
    let relay = RelayProcess::start_with(data.path(), &relay_listen, &flags);
    eventually(Duration::from_secs(10), "after a restart without the CA, the kept certificate is served", async || {
        https_get(&relay.address, "linli.test", std::slice::from_ref(&pebble_root), "/healthz").await.is_ok_and(|r| r.ends_with("ok\n"))
    })
    .await;
}

#[test]
fn a_relay_on_a_lan_address_without_https_says_why_offline_will_not_work_and_how_to_fix_it() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_linli-relay"))
        .args(["--listen", "0.0.0.0:0", "--data"])
        .arg(data.path())
        .env("LINLI_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let running = Running(child);
    let mut warning = String::new();
    for line in BufReader::new(stderr).lines() {
        warning = line.unwrap();
        if warning.contains("plain HTTP") {
            break;
        }
    }
    drop(running);
    assert!(warning.contains("only while they are online"), "{warning}");
    assert!(warning.contains("--acme-domain") && warning.contains("--tls-cert"), "{warning}");
    assert!(linli_relay::plain_http_warning("127.0.0.1:8080".parse().unwrap()).is_none(), "no warning on this machine's own address");
    assert!(linli_relay::plain_http_warning("192.168.1.20:8080".parse().unwrap()).is_some());
}

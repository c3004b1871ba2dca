//! The `linli-relay` binary: reads flags and environment, then serves until SIGTERM or Ctrl-C, or
//! runs one of the data folder's maintenance commands (`backup`, `check`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linli_relay::https::{AcmeSettings, Tls};
use linli_relay::{Limits, RelayConfig, Retention, TakePartLimits};

/// Serves the Linli site and relays automerge-repo sync, keeping documents in a folder.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Flags {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeFlags,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Copies the data folder to DIR, consistently, while the relay runs; an earlier copy there is
    /// brought up to date, and files the relay has since compacted are removed from it. Restoring
    /// is copying DIR back as the data folder while the relay is stopped.
    Backup {
        /// Where the copy goes (created if missing).
        dir: PathBuf,
        /// The data folder to copy.
        #[arg(long, env = "LINLI_DATA", default_value = "data")]
        data: PathBuf,
    },
    /// Loads every document in the data folder and names unreadable chunks (exit code 1); changes
    /// no chunk, and removes the temporary files of interrupted writes once they are 5 minutes old
    /// (a running relay may be writing younger ones). Safe while the relay runs.
    Check {
        /// The data folder to check.
        #[arg(long, env = "LINLI_DATA", default_value = "data")]
        data: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct ServeFlags {
    /// Address to listen on.
    #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder that holds the documents (back it up to back up the community).
    #[arg(long, env = "LINLI_DATA", default_value = "data")]
    data: PathBuf,
    /// The built site to serve (`dist/` of `cargo xtask build-site`). Without it the relay serves sync only.
    #[arg(long, env = "LINLI_SITE")]
    site: Option<PathBuf>,
    /// A relay or automerge-repo sync server to keep in sync with (ws://host:port); repeatable,
    /// or comma-separated in the environment.
    #[arg(long = "peer", env = "LINLI_PEERS", value_delimiter = ',')]
    peers: Vec<String>,
    /// Largest accepted message, in bytes; bigger ones close the connection with code 1009.
    #[arg(long, env = "LINLI_MAX_MESSAGE_BYTES", default_value_t = Limits::default().max_message_bytes)]
    max_message_bytes: usize,
    /// Most connections open at once; more are refused with HTTP 503.
    #[arg(long, env = "LINLI_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Sustained messages per second one connection may send (bursts of ten times more are fine).
    #[arg(long, env = "LINLI_RATE", default_value_t = Limits::default().messages_per_second)]
    rate: f64,
    /// Browser origins allowed to connect, e.g. https://linli.example.org (default: any);
    /// repeatable, or comma-separated in the environment.
    #[arg(long = "allow-origin", env = "LINLI_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// New members a space may gain through its take-part link in a minute; more are refused for
    /// now (their devices send again later).
    #[arg(long, env = "LINLI_JOINS_PER_MINUTE", default_value_t = Limits::default().joins_per_minute)]
    joins_per_minute: f64,
    /// New members a space may gain through its take-part link in a day.
    #[arg(long, env = "LINLI_JOINS_PER_DAY", default_value_t = TakePartLimits::default().joins_per_day)]
    joins_per_day: f64,
    /// Changes one resident may send a space in a day (more wait until the next day).
    #[arg(long, env = "LINLI_MEMBER_CHANGES_PER_DAY", default_value_t = TakePartLimits::default().member_changes_per_day)]
    member_changes_per_day: f64,
    /// Operations (single writes) one resident may send a space in a day.
    #[arg(long, env = "LINLI_MEMBER_OPERATIONS_PER_DAY", default_value_t = TakePartLimits::default().member_operations_per_day)]
    member_operations_per_day: f64,
    /// Bytes one resident may send a space in a day.
    #[arg(long, env = "LINLI_MEMBER_BYTES_PER_DAY", default_value_t = TakePartLimits::default().member_bytes_per_day)]
    member_bytes_per_day: f64,
    /// HTTPS with this certificate chain (PEM); needs --tls-key. Read again when the file changes.
    #[arg(long, env = "LINLI_TLS_CERT", requires = "tls_key", conflicts_with = "acme_domains")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "LINLI_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// HTTPS with free certificates from Let's Encrypt for this public name, which must point at
    /// this machine's port 443 (listen on it: --listen 0.0.0.0:443); repeatable, or comma-separated.
    /// Accounts and certificates are kept in the data folder's acme/.
    #[arg(long = "acme-domain", env = "LINLI_ACME_DOMAIN", value_delimiter = ',')]
    acme_domains: Vec<String>,
    /// An e-mail address the certificate authority may write to about expiring certificates.
    #[arg(long = "acme-contact", env = "LINLI_ACME_CONTACT", value_delimiter = ',')]
    acme_contacts: Vec<String>,
    /// Another ACME certificate authority's directory URL (e.g. a private CA on the village LAN).
    #[arg(long, env = "LINLI_ACME_DIRECTORY", default_value = linli_relay::https::LETS_ENCRYPT)]
    acme_directory: String,
    /// The root certificate (PEM) of a private ACME CA's own HTTPS address.
    #[arg(long, env = "LINLI_ACME_DIRECTORY_CA")]
    acme_directory_ca: Option<PathBuf>,
    /// With HTTPS, also listen on this address for plain HTTP and send browsers to the HTTPS address
    /// (default with HTTPS on port 443: port 80 of the same address; "off" to not listen).
    #[arg(long, env = "LINLI_REDIRECT_HTTP")]
    redirect_http: Option<String>,
    /// Seconds after which a document no connection uses is released from memory (it is loaded
    /// from the data folder again when asked for).
    #[arg(long, env = "LINLI_RELEASE_IDLE_AFTER", default_value_t = Retention::default().release_idle_after.as_secs_f64())]
    release_idle_after: f64,
    /// Most megabytes of idle documents kept in memory (by their size on disk); beyond it the
    /// longest idle are released at once.
    #[arg(long, env = "LINLI_IDLE_DOCUMENTS_MB", default_value_t = Retention::default().idle_cap_bytes >> 20)]
    idle_documents_mb: usize,
    /// Seconds between pings to each connection; a connection silent for three times as long is closed.
    #[arg(long, env = "LINLI_PING_SECONDS", default_value_t = 20)]
    ping_seconds: u64,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LINLI_LOG").unwrap_or_else(|_| "info,automerge=warn,hexane=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let flags = Flags::parse();
    match flags.command {
        None => serve(flags.serve),
        Some(Command::Backup { dir, data }) => {
            let report = linli_relay::backup::copy_data_folder(&data, &dir).with_context(|| format!("cannot back up {} to {}", data.display(), dir.display()))?;
            println!("{report}");
            Ok(())
        }
        Some(Command::Check { data }) => {
            let report = linli_relay::check::check_data_folder(&data).with_context(|| format!("cannot check {}", data.display()))?;
            println!("{report}");
            if report.is_healthy() { Ok(()) } else { std::process::exit(1) }
        }
    }
}

#[tokio::main]
async fn serve(flags: ServeFlags) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(flags.listen).await.with_context(|| format!("cannot listen on {}", flags.listen))?;
    let mut config = RelayConfig::new(&flags.data);
    config.site_dir = flags.site;
    config.peers = flags.peers;
    config.limits = Limits {
        max_message_bytes: flags.max_message_bytes,
        max_connections: flags.max_connections,
        messages_per_second: flags.rate,
        message_burst: flags.rate * 10.0,
        ping_interval: Duration::from_secs(flags.ping_seconds.max(1)),
        idle_timeout: Duration::from_secs(flags.ping_seconds.max(1) * 3),
        allowed_origins: flags.allowed_origins,
        joins_per_minute: flags.joins_per_minute,
        take_part: TakePartLimits {
            joins_per_day: flags.joins_per_day,
            member_changes_per_day: flags.member_changes_per_day,
            member_operations_per_day: flags.member_operations_per_day,
            member_bytes_per_day: flags.member_bytes_per_day,
            ..TakePartLimits::default()
        },
        ..Limits::default()
    };
    config.retention = Retention {
        release_idle_after: Duration::try_from_secs_f64(flags.release_idle_after).context("--release-idle-after takes seconds, e.g. 300")?,
        idle_cap_bytes: flags.idle_documents_mb.saturating_mul(1 << 20),
    };
    config.tls = if let (Some(cert), Some(key)) = (flags.tls_cert, flags.tls_key) {
        Some(Tls::Files { cert, key })
    } else if !flags.acme_domains.is_empty() {
        Some(Tls::Acme(AcmeSettings {
            domains: flags.acme_domains.clone(),
            contact: flags.acme_contacts,
            directory: flags.acme_directory,
            directory_ca: flags.acme_directory_ca,
            cache_dir: flags.data.join(linli_relay::data_folder::ACME),
        }))
    } else {
        None
    };
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let redirect = match redirect_address(flags.redirect_http.as_deref(), address, config.tls.is_some())? {
        Some(plain) => {
            let plain_listener = tokio::net::TcpListener::bind(plain).await.with_context(|| format!("cannot listen on {plain} to redirect to https"))?;
            let host = flags.acme_domains.first().cloned();
            Some(tokio::spawn(linli_relay::https::redirect_to_https(plain_listener, host, address.port(), until_stopped(stopped.clone()))))
        }
        None => None,
    };
    if config.tls.is_none()
        && let Some(warning) = linli_relay::plain_http_warning(address)
    {
        tracing::warn!("{warning}");
    }
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    // Print the bound address on stdout so scripts and tests that pass port 0 can find it.
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{address}");
    linli_relay::run(listener, config, until_stopped(stopped)).await.context("relay failed")?;
    if let Some(redirect) = redirect {
        let _ = redirect.await;
    }
    Ok(())
}

/// Where to listen for plain HTTP to redirect to HTTPS, if anywhere.
fn redirect_address(flag: Option<&str>, https: SocketAddr, tls: bool) -> anyhow::Result<Option<SocketAddr>> {
    match flag {
        Some("off") => Ok(None),
        Some(_) if !tls => anyhow::bail!("--redirect-http sends browsers to HTTPS: it needs --tls-cert or --acme-domain"),
        Some(address) => Ok(Some(address.parse().with_context(|| format!("--redirect-http: {address} is not an address like 0.0.0.0:80"))?)),
        None if tls && https.port() == 443 => Ok(Some(SocketAddr::new(https.ip(), 80))),
        None => Ok(None),
    }
}

async fn until_stopped(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

//! The `linli-relay` binary: reads flags and environment, then runs the relay until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linli_relay::RelayConfig;

/// Serves the Linli site and relays automerge-repo sync, keeping documents in a folder.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Flags {
    /// Address to listen on.
    #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder that holds the documents (back it up to back up the community).
    #[arg(long, env = "LINLI_DATA", default_value = "data")]
    data: PathBuf,
    /// The built site to serve (Trunk's dist/). Without it the relay serves sync only.
    #[arg(long, env = "LINLI_SITE")]
    site: Option<PathBuf>,
    /// Largest accepted message, in bytes; bigger ones close the connection with code 1009.
    #[arg(long, env = "LINLI_MAX_MESSAGE_BYTES", default_value_t = 1 << 20)]
    max_message_bytes: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LINLI_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    let flags = Flags::parse();
    let listener = tokio::net::TcpListener::bind(flags.listen).await.with_context(|| format!("cannot listen on {}", flags.listen))?;
    let mut config = RelayConfig::new(&flags.data);
    config.site_dir = flags.site;
    config.max_message_bytes = flags.max_message_bytes;
    // Print the bound address on stdout so scripts and tests that pass port 0 can find it.
    println!("listening on http://{}", listener.local_addr()?);
    linli_relay::run(listener, config, shutdown_signal()).await.context("relay failed")?;
    Ok(())
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

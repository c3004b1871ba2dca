//! Runs `linli_relay::run` on a free port of 127.0.0.1 with a data folder, and stops it.

use std::net::SocketAddr;
use std::path::PathBuf;

use linli_relay::RelayConfig;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestRelay {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestRelay {
    pub async fn start(data_dir: PathBuf) -> Self {
        Self::start_with(RelayConfig::new(&data_dir)).await
    }

    pub async fn start_with(config: RelayConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(linli_relay::run(listener, config, async move {
            let _ = stopped.await;
        }));
        TestRelay { addr, stop: Some(stop), task }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Graceful shutdown; returns once the relay has flushed and exited.
    pub async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        tokio::time::timeout(std::time::Duration::from_secs(10), self.task).await.expect("relay stops").unwrap().unwrap();
    }
}

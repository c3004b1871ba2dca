//! The real `linli-relay` binary as a child process, for tests that kill it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct RelayProcess {
    child: Child,
    pub address: String,
}

impl RelayProcess {
    /// Starts the binary on `listen` (`127.0.0.1:0` for a free port) with `data` as its folder.
    pub fn start(data: &Path, listen: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linli-relay"))
            .args(["--listen", listen, "--data"])
            .arg(data)
            .env("LINLI_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the relay binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().strip_prefix("listening on http://").expect("the relay says where it listens").to_owned();
        RelayProcess { child, address }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/", self.address)
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

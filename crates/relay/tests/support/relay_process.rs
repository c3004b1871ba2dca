//! The real `linli-relay` binary as a child process, for tests that kill it or measure its memory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct RelayProcess {
    child: Child,
    pub address: String,
}

/// The relay process's resident memory, from `/proc/<pid>/status` (Linux only).
#[derive(Debug, Clone, Copy)]
pub struct Resident {
    /// `VmRSS`: resident now.
    pub now_kib: u64,
    /// `VmHWM`: the most it has been resident since it started.
    pub peak_kib: u64,
    /// `RssAnon`: the part of `VmRSS` that is the process's own memory (heap, stacks), not pages
    /// of its binary and libraries.
    pub anon_kib: u64,
}

impl RelayProcess {
    /// Starts the binary on `listen` (`127.0.0.1:0` for a free port) with `data` as its folder.
    pub fn start(data: &Path, listen: &str) -> Self {
        Self::start_with(data, listen, &[])
    }

    /// The same, with more flags (e.g. `--site DIR`).
    pub fn start_with(data: &Path, listen: &str, flags: &[&std::ffi::OsStr]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linli-relay"))
            .args(["--listen", listen, "--data"])
            .arg(data)
            .args(flags)
            .env("LINLI_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the relay binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let line = line.trim();
        let address = line.strip_prefix("listening on http://").or_else(|| line.strip_prefix("listening on https://"));
        let address = address.expect("the relay says where it listens").to_owned();
        RelayProcess { child, address }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The relay's resident memory now and at its peak.
    pub fn resident(&self) -> Resident {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("the relay process is running (Linux /proc)");
        let kib = |field: &str| -> u64 {
            status.lines().find_map(|line| line.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"))
        };
        Resident { now_kib: kib("VmRSS:"), peak_kib: kib("VmHWM:"), anon_kib: kib("RssAnon:") }
    }

    /// One counter or gauge of the relay's `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.address).await.unwrap();
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok()).unwrap_or_else(|| panic!("no metric {name} in {response}"))
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

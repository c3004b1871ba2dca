//! The smoke test: the binary run as a box would run it, answering, serving the site, relaying a
//! document between two npm automerge-repo peers, and stopping cleanly.

use super::targets::ReleaseTarget;
use super::work_folders::{indent, scratch_dir};

/// How long the relay may take to say where it listens, and to stop (qemu-user is slow to start).
pub(super) const RELAY_START_TIMEOUT: Duration = Duration::from_secs(60);
pub(super) const RELAY_STOP_TIMEOUT: Duration = Duration::from_secs(30);

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::shell::root;

/// Runs the binary as a box would, on a loopback port with an empty data folder, and checks it
/// answers, serves the site (when embedded), relays a document between two npm automerge-repo
/// peers and stores it, and stops cleanly on SIGTERM.
pub(super) fn smoke_test(binary: &Path, target: &ReleaseTarget, version: &str, with_site: bool) -> Result<(), String> {
    let said = run_binary(binary, target, &["--version"])?;
    if said.trim() != format!("linli-relay {version}") {
        return Err(format!("--version says {:?}, expected linli-relay {version}", said.trim()));
    }
    println!("    --version: {}", said.trim());

    let scratch = scratch_dir(target.arch)?;
    let data = scratch.join("data");
    let log = scratch.join("relay.log");
    let mut relay = RunningRelay::start(binary, target, &data, &log)?;
    let outcome = exercise(&relay.address, &data, with_site).and_then(|()| relay.stop());
    drop(relay);
    if let Err(error) = outcome {
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = said.lines().rev().take(30).collect();
        eprintln!("the relay's last log lines:");
        for line in tail.iter().rev() {
            eprintln!("    {line}");
        }
        return Err(format!("smoke test of the {} binary: {error} (its data and log: {})", target.arch, scratch.display()));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// What the smoke test asks of a running relay.
pub(super) fn exercise(address: &str, data: &Path, with_site: bool) -> Result<(), String> {
    let (status, body) = http_get(address, "/healthz")?;
    if status != 200 || body.trim() != "ok" {
        return Err(format!("GET /healthz answered {status} {body:?}"));
    }
    println!("    GET /healthz: 200 ok");
    if with_site {
        let (status, body) = http_get(address, "/")?;
        if status != 200 || !body.contains("<html") {
            return Err(format!("GET / answered {status} without an HTML page"));
        }
        println!("    GET /: 200, the embedded site's page ({} bytes)", body.len());
    }
    let script = root().join("tests/e2e/release_smoke.mjs");
    let peers = Command::new("node")
        .arg(&script)
        .arg(format!("ws://{address}"))
        .current_dir(root().join("tests/e2e"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("node {}: {e}", script.display()))?;
    let said = String::from_utf8_lossy(&peers.stdout);
    if !peers.status.success() {
        return Err(format!("the npm automerge-repo peers did not sync through the relay ({}): {said}", peers.status));
    }
    print!("{}", indent(&said));
    let document = synced_document_id(&said).ok_or("the peers did not name the document they synced")?;
    let stored = data.join(&document[..2]).join(&document[2..]);
    if !stored.is_dir() {
        return Err(format!("the relay did not store document {document} (no {})", stored.display()));
    }
    println!("    the relay stored it in its data folder");
    Ok(())
}

/// Runs the binary (through the target's runner) to completion and returns what it printed.
pub(super) fn run_binary(binary: &Path, target: &ReleaseTarget, args: &[&str]) -> Result<String, String> {
    let output = command_for(binary, target).args(args).output().map_err(|e| format!("{}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!("{} {} failed ({}): {}", binary.display(), args.join(" "), output.status, String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A command that runs `binary` on this machine, without the caller's LINLI_* settings.
pub(super) fn command_for(binary: &Path, target: &ReleaseTarget) -> Command {
    let mut command = match target.runner {
        Some(runner) => {
            let mut command = Command::new(runner);
            command.arg(binary);
            command
        }
        None => Command::new(binary),
    };
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("LINLI_") {
            command.env_remove(name);
        }
    }
    command
}

/// A relay started for the smoke test; killed when dropped unless it was stopped.
pub(super) struct RunningRelay {
    child: Child,
    address: String,
}

impl RunningRelay {
    fn start(binary: &Path, target: &ReleaseTarget, data: &Path, log: &Path) -> Result<RunningRelay, String> {
        let log_file = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = command_for(binary, target)
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let (first_line, said) = mpsc::channel();
        // Reads the first line, then drains the rest so the relay never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first_line.send(lines.next().and_then(Result::ok));
            for _ in lines {}
        });
        let line = match said.recv_timeout(RELAY_START_TIMEOUT) {
            Ok(Some(line)) => line,
            Ok(None) => {
                let status = child.wait().map_or("?".to_owned(), |s| s.to_string());
                return Err(format!("the relay exited ({status}) before saying where it listens"));
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the relay said nothing within {} s", RELAY_START_TIMEOUT.as_secs()));
            }
        };
        let address = listening_address(&line).ok_or_else(|| format!("unexpected first line from the relay: {line:?}"))?.to_owned();
        println!("    listening on http://{address}");
        Ok(RunningRelay { child, address })
    }

    /// Sends SIGTERM and waits for a clean exit (status 0).
    #[allow(clippy::disallowed_methods, reason = "xtask runs natively, where Instant::now works")]
    fn stop(&mut self) -> Result<(), String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().map_err(|e| format!("kill -TERM {pid}: {e}"))?;
        if !sent.success() {
            return Err(format!("kill -TERM {pid} failed ({sent})"));
        }
        let deadline = Instant::now() + RELAY_STOP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return if status.success() {
                    println!("    SIGTERM: exited 0");
                    Ok(())
                } else {
                    Err(format!("the relay exited with {status} on SIGTERM, expected 0"))
                };
            }
            if Instant::now() > deadline {
                return Err(format!("the relay did not stop within {} s of SIGTERM", RELAY_STOP_TIMEOUT.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for RunningRelay {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The address in the relay's first line, `listening on http://ADDR`.
pub(super) fn listening_address(line: &str) -> Option<&str> {
    line.trim().strip_prefix("listening on http://").filter(|address| !address.is_empty())
}

/// The document ID the smoke peers name (`automerge:ID`).
pub(super) fn synced_document_id(said: &str) -> Option<&str> {
    let rest = &said[said.find("automerge:")? + "automerge:".len()..];
    let id = &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len())];
    (id.len() > 2).then_some(id)
}

/// A plain HTTP/1.1 GET on loopback; returns the status and the body.
pub(super) fn http_get(address: &str, path: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect to {address}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("GET {path}: {e}"))?;
    parse_response(&raw).map_err(|e| format!("GET {path}: {e}"))
}

pub(super) fn parse_response(raw: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no end of headers")?;
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).ok_or("no status code")?;
    Ok((status, body.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_and_the_peers_are_understood() {
        assert_eq!(listening_address("listening on http://127.0.0.1:41234\n"), Some("127.0.0.1:41234"));
        assert_eq!(listening_address("listening on https://127.0.0.1:443"), None);
        assert_eq!(synced_document_id("release smoke: automerge:4Rct2D13W3DMKTJnGf3GVwvaTqHB synced between two peers"), Some("4Rct2D13W3DMKTJnGf3GVwvaTqHB"));
        assert_eq!(synced_document_id("nothing here"), None);
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n").unwrap(), (200, "ok\n".to_owned()));
        assert!(parse_response(b"garbage").is_err());
    }
}

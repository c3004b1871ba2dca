//! `cargo xtask release [--use-built-site]`: the relay as static Linux binaries for the boxes
//! villages own (x86_64 and aarch64, musl, cross-built with cargo-zigbuild), their SHA-256 sums,
//! a smoke test of each (the aarch64 one under qemu-user: /healthz, the site, two npm
//! automerge-repo peers syncing a document through it, a clean stop on SIGTERM), and the systemd
//! unit in `deploy/` checked with `systemd-analyze` where it is installed.
//!
//! Everything lands in `target/dist-release/`: `linli-relay-<version>-<arch>-linux` and
//! `SHA256SUMS` (`sha256sum -c SHA256SUMS` checks a download).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::setup;
use crate::shell::{Step, root};

/// The relay's cargo features in release binaries: the one place to add or remove one.
/// `embedded-site` compiles the built site (dist/) in, so the one file serves the app too.
const RELEASE_FEATURES: &[&str] = &["embedded-site"];

/// The systemd unit shipped beside the binaries, relative to the repository root.
const UNIT_FILE: &str = "deploy/linli-relay.service";
/// Where the unit expects the binary (`ExecStart=`); checks point it at a real one instead.
const UNIT_BINARY: &str = "/usr/local/bin/linli-relay";
/// The highest `systemd-analyze security` exposure the unit may have (measured: 1.4 of 10).
const MAX_UNIT_EXPOSURE: f32 = 2.0;

/// How long the relay may take to say where it listens, and to stop (qemu-user is slow to start).
const RELAY_START_TIMEOUT: Duration = Duration::from_secs(60);
const RELAY_STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// One platform the release is built for.
struct ReleaseTarget {
    rust_target: &'static str,
    /// The name's architecture part: `linli-relay-<version>-<arch>-linux`.
    arch: &'static str,
    /// The ELF header's `e_machine` for this architecture.
    elf_machine: u16,
    /// What runs the binary on this (x86_64) machine; `None`: it runs natively.
    runner: Option<&'static str>,
}

const TARGETS: [ReleaseTarget; 2] = [
    ReleaseTarget { rust_target: setup::RELEASE_RUST_TARGETS[0], arch: "x86_64", elf_machine: 62, runner: None },
    ReleaseTarget { rust_target: setup::RELEASE_RUST_TARGETS[1], arch: "aarch64", elf_machine: 183, runner: Some(setup::QEMU_AARCH64) },
];

#[allow(clippy::disallowed_methods, reason = "xtask runs natively, where Instant::now works")]
pub fn run(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let mut use_built_site = false;
    for flag in args {
        match flag.as_str() {
            // Skips `cargo xtask build-site` and embeds dist/ as it is.
            "--use-built-site" => use_built_site = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let unit_text = std::fs::read_to_string(root().join(UNIT_FILE)).map_err(|e| format!("{UNIT_FILE}: {e}"))?;
    unit_keeps_its_promises(&unit_text)?;

    setup::release_tools()?;
    setup::npm_packages()?;
    let with_site = RELEASE_FEATURES.contains(&"embedded-site");
    let site = if with_site {
        if !use_built_site {
            setup::toolchain()?;
            crate::build_site()?;
        }
        Some(snapshot_site()?)
    } else {
        None
    };

    let version = env!("CARGO_PKG_VERSION"); // the workspace's version, which the relay shares
    let out_dir = root().join("target/dist-release");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let mut sums = String::new();
    let mut binaries = Vec::new();
    for target in &TARGETS {
        let built = build(target, site.as_deref())?;
        let name = format!("linli-relay-{version}-{}-linux", target.arch);
        let shipped = out_dir.join(&name);
        std::fs::copy(&built, &shipped).map_err(|e| format!("copy {} to {}: {e}", built.display(), shipped.display()))?;
        let bytes = std::fs::read(&shipped).map_err(|e| format!("{name}: {e}"))?;
        check_static(&bytes, target).map_err(|e| format!("{name}: {e}"))?;
        sums.push_str(&sums_line(&sha256_hex(&bytes), &name));
        binaries.push((target, shipped, bytes.len()));
    }
    std::fs::write(out_dir.join("SHA256SUMS"), &sums).map_err(|e| format!("SHA256SUMS: {e}"))?;

    println!("\n==> release binaries in {} (static, no ELF interpreter)", out_dir.display());
    for (_, path, size) in &binaries {
        println!("    {:>6.1} MiB  {}", *size as f64 / (1024.0 * 1024.0), path.file_name().unwrap_or_default().to_string_lossy());
    }
    print!("    SHA256SUMS:\n{}", indent(&sums));

    for (target, path, _) in &binaries {
        let smoke_started = Instant::now();
        let how = target.runner.map_or("natively".to_owned(), |runner| format!("under {runner}"));
        println!("\n==> smoke test of the {} binary ({how})", target.arch);
        smoke_test(path, target, version, with_site)?;
        println!("<== smoke test of the {} binary ({:.1} s)", target.arch, smoke_started.elapsed().as_secs_f32());
    }

    println!("\n==> check {UNIT_FILE}");
    let scratch = scratch_dir("unit")?;
    let native = &binaries.iter().find(|(target, ..)| target.runner.is_none()).ok_or("no native binary")?.1;
    match verify_unit(&unit_text, native, &scratch)? {
        UnitCheck::Verified => println!("    systemd-analyze verify: no complaints"),
        UnitCheck::Unavailable => println!("    systemd-analyze is not installed: checked its settings only"),
    }
    match unit_exposure(&unit_text, native, &scratch)? {
        Some(exposure) => println!("    systemd-analyze security: exposure {exposure:.1} of 10 (at most {MAX_UNIT_EXPOSURE} allowed)"),
        None => println!("    systemd-analyze security --offline is not available here: exposure not measured"),
    }
    let _ = std::fs::remove_dir_all(&scratch);

    println!("\nRelease {version} ready in {} ({:.0} s).", out_dir.display(), started.elapsed().as_secs_f32());
    Ok(())
}

/// Cross-builds the relay for `target`, with the site in `site` inside when given; returns the
/// binary's path.
fn build(target: &ReleaseTarget, site: Option<&Path>) -> Result<PathBuf, String> {
    let features = RELEASE_FEATURES.join(",");
    let mut args = vec!["zigbuild", "--target", target.rust_target, "--profile", "relay", "-p", "linli-relay"];
    if !features.is_empty() {
        args.extend(["--features", &features]);
    }
    // Stripped: without the debug info (most of it the standard library's) and symbols, the
    // x86_64 binary is 21 MiB instead of 29. Panics still say where; backtraces show no names.
    // Only these musl builds set it, so the native relay builds of the profile stay as they are.
    let mut env = vec![("CARGO_PROFILE_RELAY_STRIP", "symbols")];
    let site_dir = site.map(|dir| dir.to_string_lossy().into_owned());
    if let Some(dir) = &site_dir {
        env.push(("LINLI_EMBED_SITE_DIR", dir));
    }
    Step::new(&format!("build the relay for {} (cargo zigbuild --target {}, features: {features})", target.arch, target.rust_target)).run("cargo", &args, &env)?;
    Ok(root().join("target").join(target.rust_target).join("relay/linli-relay"))
}

/// What the ELF header and program headers say that matters here.
#[derive(Debug, PartialEq)]
struct ElfFacts {
    machine: u16,
    /// A `PT_INTERP` program header: the binary needs a dynamic loader (and so a libc) on the box.
    has_interpreter: bool,
}

/// Reads a 64-bit little-endian ELF file's machine and whether it asks for an interpreter.
fn elf_facts(bytes: &[u8]) -> Result<ElfFacts, String> {
    const PT_INTERP: u32 = 3;
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err("not an ELF file".to_owned());
    }
    if bytes.get(4..6) != Some(&[2, 1]) {
        return Err("not a 64-bit little-endian ELF file".to_owned());
    }
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or("truncated ELF header");
    let machine = u16_at(18)?;
    let program_headers = bytes.get(32..40).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))).ok_or("truncated ELF header")?;
    let entry_size = usize::from(u16_at(54)?);
    let count = usize::from(u16_at(56)?);
    let mut has_interpreter = false;
    for index in 0..count {
        let at = usize::try_from(program_headers).map_err(|_| "odd program header offset")? + index * entry_size;
        let kind = bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))).ok_or("truncated program headers")?;
        has_interpreter |= kind == PT_INTERP;
    }
    Ok(ElfFacts { machine, has_interpreter })
}

/// Fails unless the binary is for the target's architecture and needs no dynamic loader.
fn check_static(bytes: &[u8], target: &ReleaseTarget) -> Result<(), String> {
    let facts = elf_facts(bytes)?;
    if facts.machine != target.elf_machine {
        return Err(format!("built for ELF machine {}, expected {} ({})", facts.machine, target.elf_machine, target.arch));
    }
    if facts.has_interpreter {
        return Err("not static: it names an ELF interpreter (a dynamic loader)".to_owned());
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Copies the built site (dist/) to `target/release-site/`, which both binaries embed: dist/ is
/// shared with whoever builds the site next (a test run, `cargo xtask serve`), and a rebuild
/// between the two builds would give the two binaries different sites. The copy keeps the files'
/// dates (the relay's ETags come from them) and is left alone while it equals dist/, so an
/// unchanged site does not rebuild the relay.
fn snapshot_site() -> Result<PathBuf, String> {
    let dist = root().join("dist");
    let snapshot = root().join("target/release-site");
    if !dist.join("index.html").is_file() {
        return Err("dist/ has no index.html: run `cargo xtask build-site` first (or drop --use-built-site)".to_owned());
    }
    for _attempt in 0..3 {
        let wanted = listing(&dist)?;
        if !wanted.iter().any(|(path, ..)| path.extension().is_some_and(|ext| ext == "br")) {
            return Err("dist/ has no compressed copies (*.br): it is half-built; run `cargo xtask build-site`".to_owned());
        }
        if snapshot.is_dir() && listing(&snapshot)? == wanted {
            println!("ok: the site in {} equals dist/", snapshot.display());
            return Ok(snapshot);
        }
        let _ = std::fs::remove_dir_all(&snapshot);
        for (path, _, modified) in &wanted {
            let to = snapshot.join(path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::copy(dist.join(path), &to).map_err(|e| format!("copy dist/{}: {e}", path.display()))?;
            File::options().write(true).open(&to).and_then(|file| file.set_modified(*modified)).map_err(|e| format!("{}: {e}", to.display()))?;
        }
        // Someone may have rebuilt dist/ while it was copied: then copy again.
        if listing(&dist)? == wanted && listing(&snapshot)? == wanted {
            println!("ok: the site copied from dist/ to {} ({} files)", snapshot.display(), wanted.len());
            return Ok(snapshot);
        }
    }
    Err("dist/ kept changing while it was copied (is someone building the site?); try again".to_owned())
}

/// Every file under `dir`: its path relative to `dir`, size and modification time, sorted.
fn listing(dir: &Path) -> Result<Vec<(PathBuf, u64, std::time::SystemTime)>, String> {
    fn walk(root: &Path, dir: &Path, files: &mut Vec<(PathBuf, u64, std::time::SystemTime)>) -> Result<(), String> {
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            let metadata = entry.metadata().map_err(|e| format!("{}: {e}", path.display()))?;
            if metadata.is_dir() {
                walk(root, &path, files)?;
            } else {
                let modified = metadata.modified().map_err(|e| format!("{}: {e}", path.display()))?;
                files.push((path.strip_prefix(root).expect("under root").to_path_buf(), metadata.len(), modified));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

/// One line of a `sha256sum` file (text mode: two spaces).
fn sums_line(hex: &str, file_name: &str) -> String {
    format!("{hex}  {file_name}\n")
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// A fresh folder under the system's temporary folder.
fn scratch_dir(purpose: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("linli-release-{purpose}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

// ---- The smoke test -------------------------------------------------------------------------

/// Runs the binary as a box would, on a loopback port with an empty data folder, and checks it
/// answers, serves the site (when embedded), relays a document between two npm automerge-repo
/// peers and stores it, and stops cleanly on SIGTERM.
fn smoke_test(binary: &Path, target: &ReleaseTarget, version: &str, with_site: bool) -> Result<(), String> {
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
fn exercise(address: &str, data: &Path, with_site: bool) -> Result<(), String> {
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
fn run_binary(binary: &Path, target: &ReleaseTarget, args: &[&str]) -> Result<String, String> {
    let output = command_for(binary, target).args(args).output().map_err(|e| format!("{}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!("{} {} failed ({}): {}", binary.display(), args.join(" "), output.status, String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A command that runs `binary` on this machine, without the caller's LINLI_* settings.
fn command_for(binary: &Path, target: &ReleaseTarget) -> Command {
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
struct RunningRelay {
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
fn listening_address(line: &str) -> Option<&str> {
    line.trim().strip_prefix("listening on http://").filter(|address| !address.is_empty())
}

/// The document ID the smoke peers name (`automerge:ID`).
fn synced_document_id(said: &str) -> Option<&str> {
    let rest = &said[said.find("automerge:")? + "automerge:".len()..];
    let id = &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len())];
    (id.len() > 2).then_some(id)
}

/// A plain HTTP/1.1 GET on loopback; returns the status and the body.
fn http_get(address: &str, path: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect to {address}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("GET {path}: {e}"))?;
    parse_response(&raw).map_err(|e| format!("GET {path}: {e}"))
}

fn parse_response(raw: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no end of headers")?;
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).ok_or("no status code")?;
    Ok((status, body.to_owned()))
}

// ---- The systemd unit -----------------------------------------------------------------------

/// Settings the unit must keep, as `(key, value)` in `[Service]`; an empty value: any.
const PROMISED_SETTINGS: [(&str, &str); 13] = [
    ("ExecStart", UNIT_BINARY),
    ("EnvironmentFile", "-/etc/linli/relay.env"),
    ("Environment", "LINLI_DATA=/var/lib/linli"),
    ("DynamicUser", "yes"),
    ("StateDirectory", "linli"),
    ("ProtectSystem", "strict"),
    ("ProtectHome", "yes"),
    ("PrivateTmp", "yes"),
    ("NoNewPrivileges", "yes"),
    ("AmbientCapabilities", "CAP_NET_BIND_SERVICE"),
    ("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"),
    ("Restart", "on-failure"),
    ("MemoryMax", ""),
];

/// The `key=value` settings of one section of a unit file, in order (comments left out).
fn unit_settings<'a>(unit: &'a str, wanted_section: &str) -> Vec<(&'a str, &'a str)> {
    let mut section = "";
    let mut settings = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
        } else if section == wanted_section
            && let Some((key, value)) = line.split_once('=')
        {
            settings.push((key.trim(), value.trim()));
        }
    }
    settings
}

/// Fails unless the unit runs the relay from [`UNIT_BINARY`] with the sandbox and state folder
/// the release promises (whatever systemd-analyze is there to say).
fn unit_keeps_its_promises(unit: &str) -> Result<(), String> {
    let settings = unit_settings(unit, "Service");
    let missing: Vec<String> = PROMISED_SETTINGS
        .iter()
        .filter(|(key, value)| {
            !settings.iter().any(|(k, v)| k == key && if *key == "ExecStart" { v.split_whitespace().next() == Some(value) } else { value.is_empty() || v == value })
        })
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("{UNIT_FILE} lacks {}", missing.join(", ")));
    }
    Ok(())
}

/// The unit as systemd-analyze should read it: `ExecStart=` pointed at `binary`, which exists.
fn unit_with_binary(unit: &str, binary: &Path) -> String {
    unit.replace(&format!("ExecStart={UNIT_BINARY}"), &format!("ExecStart={}", binary.display()))
}

#[derive(Debug, PartialEq)]
enum UnitCheck {
    Verified,
    /// systemd-analyze is not installed.
    Unavailable,
}

/// `systemd-analyze verify` on a copy of the unit whose ExecStart is `binary`. Fails on an error
/// and on every complaint about the unit (an unknown key or a bad value is only a warning to
/// systemd, which then ignores the line: a misspelt sandbox setting would silently not apply).
fn verify_unit(unit: &str, binary: &Path, scratch: &Path) -> Result<UnitCheck, String> {
    let copy = scratch.join("linli-relay.service");
    std::fs::write(&copy, unit_with_binary(unit, binary)).map_err(|e| format!("{}: {e}", copy.display()))?;
    // --man=no: the Documentation= pages need not be installed for the unit to be right.
    let output = match Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&copy).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(UnitCheck::Unavailable),
        Err(error) => return Err(format!("systemd-analyze: {error}")),
    };
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let complaints: Vec<&str> = said.lines().filter(|line| line.contains("linli-relay.service")).collect();
    if !output.status.success() || !complaints.is_empty() {
        return Err(format!("systemd-analyze verify {UNIT_FILE} ({}):\n{said}", output.status));
    }
    Ok(UnitCheck::Verified)
}

/// The unit's `systemd-analyze security --offline=true` exposure (0 to 10, lower is safer);
/// `None` where systemd-analyze or its offline mode (systemd 250 and later) is missing. Fails
/// above [`MAX_UNIT_EXPOSURE`].
fn unit_exposure(unit: &str, binary: &Path, scratch: &Path) -> Result<Option<f32>, String> {
    let copy = scratch.join("linli-relay.service");
    std::fs::write(&copy, unit_with_binary(unit, binary)).map_err(|e| format!("{}: {e}", copy.display()))?;
    let Ok(output) = Command::new("systemd-analyze").args(["security", "--offline=true", "--no-pager"]).arg(&copy).output() else {
        return Ok(None);
    };
    let said = String::from_utf8_lossy(&output.stdout);
    let Some(exposure) = said.lines().find_map(|line| {
        line.split_once("Overall exposure level for linli-relay.service:").and_then(|(_, rest)| rest.split_whitespace().next()).and_then(|score| score.parse::<f32>().ok())
    }) else {
        return Ok(None);
    };
    if exposure > MAX_UNIT_EXPOSURE {
        let weak: Vec<&str> = said.lines().filter(|line| line.trim_start().starts_with('✗')).collect();
        return Err(format!("{UNIT_FILE}: systemd-analyze security exposure {exposure} is above {MAX_UNIT_EXPOSURE}; what it counts against it:\n{}", weak.join("\n")));
    }
    Ok(Some(exposure))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_unit() -> String {
        std::fs::read_to_string(root().join(UNIT_FILE)).expect("the unit file")
    }

    /// A test's own scratch folder.
    fn test_scratch(name: &str) -> PathBuf {
        scratch_dir(&format!("test-{name}")).expect("a scratch folder")
    }

    #[test]
    fn the_shipped_unit_keeps_its_promises() {
        let unit = shipped_unit();
        unit_keeps_its_promises(&unit).unwrap();
        let settings = unit_settings(&unit, "Service");
        let state = settings.iter().find(|(k, _)| *k == "StateDirectory").unwrap().1;
        assert!(settings.contains(&("Environment", &*format!("LINLI_DATA=/var/lib/{state}"))), "LINLI_DATA is the state folder");
    }

    #[test]
    fn a_unit_without_a_promised_setting_is_refused() {
        let weaker = shipped_unit().replace("ProtectSystem=strict", "ProtectSystem=full");
        let error = unit_keeps_its_promises(&weaker).unwrap_err();
        assert!(error.contains("ProtectSystem=strict"), "{error}");
        let commented = shipped_unit().replace("\nDynamicUser=yes", "\n#DynamicUser=yes");
        assert!(unit_keeps_its_promises(&commented).is_err());
    }

    #[test]
    fn systemd_analyze_accepts_the_shipped_unit() {
        let scratch = test_scratch("verify");
        // Any real executable will do as ExecStart: this test's own binary.
        let binary = std::env::current_exe().unwrap();
        match verify_unit(&shipped_unit(), &binary, &scratch).unwrap() {
            UnitCheck::Verified => {
                let exposure = unit_exposure(&shipped_unit(), &binary, &scratch).unwrap();
                println!("exposure: {exposure:?}");
            }
            UnitCheck::Unavailable => println!("systemd-analyze is not installed; skipped"),
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }

    #[test]
    fn systemd_analyze_refuses_a_misspelt_or_bad_setting() {
        let scratch = test_scratch("misspelt");
        let binary = std::env::current_exe().unwrap();
        for broken in [
            shipped_unit().replace("ProtectHome=yes", "ProtectHom=yes"),
            shipped_unit().replace("MemoryMax=512M", "MemoryMax=plenty"),
            shipped_unit().replace("[Service]", "[Servic]"),
        ] {
            match verify_unit(&broken, &binary, &scratch) {
                Err(error) => assert!(error.contains("linli-relay.service"), "{error}"),
                Ok(UnitCheck::Unavailable) => println!("systemd-analyze is not installed; skipped"),
                Ok(UnitCheck::Verified) => panic!("systemd-analyze let a broken unit through"),
            }
        }
        // And a missing binary is an error, which is why the checks point ExecStart at a real one.
        let missing = scratch.join("no-such-relay");
        assert!(!matches!(verify_unit(&shipped_unit(), &missing, &scratch), Ok(UnitCheck::Verified)));
        let _ = std::fs::remove_dir_all(&scratch);
    }

    /// A minimal 64-bit little-endian ELF header with program headers of the given types.
    fn tiny_elf(machine: u16, program_header_types: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2;
        bytes[5] = 1;
        bytes[18..20].copy_from_slice(&machine.to_le_bytes());
        bytes[32..40].copy_from_slice(&64u64.to_le_bytes());
        bytes[54..56].copy_from_slice(&56u16.to_le_bytes());
        bytes[56..58].copy_from_slice(&(program_header_types.len() as u16).to_le_bytes());
        for kind in program_header_types {
            let mut header = vec![0u8; 56];
            header[..4].copy_from_slice(&kind.to_le_bytes());
            bytes.extend(header);
        }
        bytes
    }

    #[test]
    fn elf_facts_tell_a_static_binary_from_a_dynamic_one() {
        // PT_LOAD, PT_DYNAMIC, PT_GNU_STACK: static-pie, no interpreter.
        assert_eq!(elf_facts(&tiny_elf(183, &[1, 2, 0x6474_e551])).unwrap(), ElfFacts { machine: 183, has_interpreter: false });
        assert_eq!(elf_facts(&tiny_elf(62, &[6, 3, 1])).unwrap(), ElfFacts { machine: 62, has_interpreter: true });
        let aarch64 = &TARGETS[1];
        assert!(check_static(&tiny_elf(183, &[1]), aarch64).is_ok());
        assert!(check_static(&tiny_elf(62, &[1]), aarch64).unwrap_err().contains("machine"));
        assert!(check_static(&tiny_elf(183, &[3, 1]), aarch64).unwrap_err().contains("interpreter"));
        assert!(elf_facts(b"#!/bin/sh\n").is_err());
        assert!(elf_facts(&tiny_elf(62, &[1, 1])[..100]).is_err(), "truncated program headers");
    }

    #[test]
    fn this_test_binary_is_dynamically_linked() {
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let facts = elf_facts(&bytes).unwrap();
        assert!(facts.has_interpreter, "a glibc test binary names its loader");
        #[cfg(target_arch = "x86_64")]
        assert_eq!(facts.machine, 62);
    }

    #[test]
    fn sums_are_in_sha256sum_format() {
        assert_eq!(
            sums_line(&sha256_hex(b"abc"), "linli-relay-0.1.0-x86_64-linux"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  linli-relay-0.1.0-x86_64-linux\n"
        );
    }

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

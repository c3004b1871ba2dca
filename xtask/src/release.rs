//! `cargo xtask release [--use-built-site]`: the relay as static Linux binaries for the boxes
//! villages own (x86_64 and aarch64, musl, cross-built with cargo-zigbuild), their SHA-256 sums,
//! a smoke test of each (the aarch64 one under qemu-user: /healthz, the site, two npm
//! automerge-repo peers syncing a document through it, a clean stop on SIGTERM), and the systemd
//! unit in `deploy/` checked with `systemd-analyze` where it is installed.
//!
//! Everything lands in `target/dist-release/`: `linli-relay-<version>-<arch>-linux` and
//! `SHA256SUMS` (`sha256sum -c SHA256SUMS` checks a download).

mod elf;
mod site_snapshot;
mod smoke;
mod systemd_unit;
mod targets;
mod work_folders;

use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use self::elf::check_static;
use self::site_snapshot::snapshot_site;
use self::smoke::smoke_test;
use self::systemd_unit::{MAX_UNIT_EXPOSURE, UNIT_FILE, UnitCheck, unit_exposure, unit_keeps_its_promises, verify_unit};
use self::targets::{ReleaseTarget, TARGETS};
use self::work_folders::{indent, scratch_dir};
use crate::setup;
use crate::shell::{Step, root};

/// The relay's cargo features in release binaries: the one place to add or remove one.
/// `embedded-site` compiles the built site (dist/) in, so the one file serves the app too.
const RELEASE_FEATURES: &[&str] = &["embedded-site"];

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

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// One line of a `sha256sum` file (text mode: two spaces).
fn sums_line(hex: &str, file_name: &str) -> String {
    format!("{hex}  {file_name}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_in_sha256sum_format() {
        assert_eq!(
            sums_line(&sha256_hex(b"abc"), "linli-relay-0.1.0-x86_64-linux"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  linli-relay-0.1.0-x86_64-linux\n"
        );
    }
}

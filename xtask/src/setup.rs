//! Installs what the commands need, idempotently: each tool is checked first and installed only
//! when missing or at the wrong version. Nothing is downloaded except from package registries.

use std::path::Path;

use crate::shell::{Step, output_of, root};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The Rust side: the wasm target, clippy and rustfmt, wasm-bindgen-cli at the version in
/// Cargo.lock, and the crates fetched.
pub fn toolchain() -> Result<(), String> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        println!("ok: rust target wasm32-unknown-unknown");
    } else {
        Step::new("install the wasm32-unknown-unknown target").run("rustup", &["target", "add", "wasm32-unknown-unknown"], &[])?;
    }

    let components = output_of("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    for component in ["clippy", "rustfmt"] {
        if components.lines().any(|c| c.starts_with(&format!("{component}-"))) {
            println!("ok: rust component {component}");
        } else {
            Step::new(&format!("install the {component} component")).run("rustup", &["component", "add", component], &[])?;
        }
    }

    let wanted = locked_version("wasm-bindgen")?;
    if output_of("wasm-bindgen", &["--version"]).is_some_and(|v| v == format!("wasm-bindgen {wanted}")) {
        println!("ok: wasm-bindgen-cli {wanted}");
    } else {
        let locked = Step::new(&format!("install wasm-bindgen-cli {wanted}")).run("cargo", &["install", "--locked", "wasm-bindgen-cli", "--version", &wanted], &[]);
        if locked.is_err() {
            // The registry can lack a version pinned by the tool's own lock file; see shared notes.
            Step::new(&format!("install wasm-bindgen-cli {wanted} without its lock file")).run("cargo", &["install", "wasm-bindgen-cli", "--version", &wanted], &[])?;
        }
    }
    Step::new("fetch crates").run("cargo", &["fetch"], &[])
}

/// The version of `package` in Cargo.lock.
fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// The browsers of the tests, from Debian: Chromium and ChromeDriver; WebKitGTK's driver (which
/// drives its MiniBrowser) with a virtual display to run it in; CJK fonts, so that Chinese text is
/// laid out as residents see it; and pebble, the ACME test CA the relay's HTTPS test gets a
/// certificate from.
pub fn browser() -> Result<(), String> {
    const WANTED: [(&str, &str); 7] = [
        ("chromium", CHROMIUM),
        ("chromium-driver", CHROMEDRIVER),
        ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
        ("xvfb", "/usr/bin/xvfb-run"),
        // xvfb-run needs it; xvfb only recommends it.
        ("xauth", "/usr/bin/xauth"),
        ("fonts-noto-cjk", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        ("pebble", "/usr/bin/pebble"),
    ];
    let missing: Vec<&str> = WANTED.iter().filter(|(_, path)| !Path::new(path).exists()).map(|(package, _)| *package).collect();
    if missing.is_empty() {
        println!("ok: chromium, chromedriver, WebKitWebDriver, xvfb, CJK fonts, pebble");
        return Ok(());
    }
    let is_root = output_of("id", &["-u"]).is_some_and(|uid| uid == "0");
    if !is_root {
        return Err(format!("the tests need Debian's {}.\nInstall them with: sudo apt-get install -y --no-install-recommends {}", missing.join(", "), missing.join(" ")));
    }
    Step::new("apt-get update").run("apt-get", &["update"], &[])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(&missing);
    Step::new(&format!("install {}", missing.join(", "))).run("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])
}

/// The npm packages of the end-to-end tests (playwright-core and the automerge-repo peers), at
/// the versions package-lock.json records. (`npm ci` refuses this lock file: npm 11 leaves the
/// platform-specific optional packages of cbor-extract out of it and then calls it out of sync.)
/// The wasm32-wasip1 target, for benchmarks that measure native code as wasm (`cargo xtask bench`).
pub fn wasi_target() -> Result<(), String> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets.lines().any(|t| t == "wasm32-wasip1") {
        println!("ok: rust target wasm32-wasip1");
        return Ok(());
    }
    Step::new("install the wasm32-wasip1 target").run("rustup", &["target", "add", "wasm32-wasip1"], &[])
}

pub fn npm_packages() -> Result<(), String> {
    let dir = root().join("tests/e2e");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&installed), std::fs::metadata(dir.join("package-lock.json"))) {
        (Ok(installed), Ok(lock)) => installed.modified().ok() >= lock.modified().ok(),
        _ => false,
    };
    if fresh {
        println!("ok: npm packages for the end-to-end tests");
        return Ok(());
    }
    Step::new("install npm packages for the end-to-end tests").run_in(&dir, "npm", &["install", "--no-audit", "--no-fund"], &[])
}

pub const QEMU_AARCH64: &str = "/usr/bin/qemu-aarch64-static";
const CARGO_ZIGBUILD_VERSION: &str = "0.24.1";
/// The zig that builds the release binaries (measured with cargo-zigbuild 0.24.1).
const ZIGLANG_VERSION: &str = "0.17.1";
/// The Rust targets of the release binaries (static, musl).
pub const RELEASE_RUST_TARGETS: [&str; 2] = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];

/// What `cargo xtask release` needs beyond the toolchain: zig (the linker and C compiler of the
/// cross builds, from PyPI's `ziglang`), cargo-zigbuild, the musl targets, and Debian's qemu-user
/// to run the aarch64 binary. Measured on the 2-core machine: about 65 s in all when nothing is
/// there (cargo-zigbuild's build 50 s of it).
pub fn release_tools() -> Result<(), String> {
    // cargo-zigbuild runs `python3 -m ziglang` (it looks there first, then for a `zig` command).
    if output_of("python3", &["-m", "ziglang", "version"]).is_some_and(|v| v == ZIGLANG_VERSION) {
        println!("ok: zig {ZIGLANG_VERSION} (PyPI's ziglang)");
    } else {
        let package = format!("ziglang=={ZIGLANG_VERSION}");
        let installed = Step::new(&format!("install zig {ZIGLANG_VERSION} (PyPI's ziglang)")).run("python3", &["-m", "pip", "install", "--no-input", &package], &[]);
        if installed.is_err() {
            // A Debian python3 refuses packages outside apt (PEP 668); zig is one binary in it.
            Step::new(&format!("install zig {ZIGLANG_VERSION} beside Debian's own Python packages")).run(
                "python3",
                &["-m", "pip", "install", "--no-input", "--break-system-packages", &package],
                &[],
            )?;
        }
    }

    if output_of("cargo-zigbuild", &["--version"]).is_some_and(|v| v.ends_with(CARGO_ZIGBUILD_VERSION)) {
        println!("ok: cargo-zigbuild {CARGO_ZIGBUILD_VERSION}");
    } else {
        let locked = Step::new(&format!("install cargo-zigbuild {CARGO_ZIGBUILD_VERSION}")).run(
            "cargo",
            &["install", "--locked", "cargo-zigbuild", "--version", CARGO_ZIGBUILD_VERSION],
            &[],
        );
        if locked.is_err() {
            // The registry can lack a version pinned by the tool's own lock file; see shared notes.
            Step::new(&format!("install cargo-zigbuild {CARGO_ZIGBUILD_VERSION} without its lock file")).run(
                "cargo",
                &["install", "cargo-zigbuild", "--version", CARGO_ZIGBUILD_VERSION],
                &[],
            )?;
        }
    }

    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing_targets: Vec<&str> = RELEASE_RUST_TARGETS.into_iter().filter(|t| !installed.lines().any(|line| line == *t)).collect();
    if missing_targets.is_empty() {
        println!("ok: rust targets {}", RELEASE_RUST_TARGETS.join(", "));
    } else {
        let mut args = vec!["target", "add"];
        args.extend(&missing_targets);
        Step::new(&format!("install the {} targets", missing_targets.join(", "))).run("rustup", &args, &[])?;
    }

    if Path::new(QEMU_AARCH64).exists() {
        println!("ok: qemu-aarch64-static");
        return Ok(());
    }
    let is_root = output_of("id", &["-u"]).is_some_and(|uid| uid == "0");
    if !is_root {
        return Err("the release smoke test runs the aarch64 binary under Debian's qemu-user-static.\n\
                    Install it with: sudo apt-get install -y --no-install-recommends qemu-user-static"
            .to_owned());
    }
    let apt_env = [("DEBIAN_FRONTEND", "noninteractive")];
    let install = ["install", "-y", "--no-install-recommends", "qemu-user-static"];
    if Step::new("install qemu-user-static").run("apt-get", &install, &apt_env).is_err() {
        // A machine whose package lists were never read does not know the package yet.
        Step::new("apt-get update").run("apt-get", &["update"], &[])?;
        Step::new("install qemu-user-static").run("apt-get", &install, &apt_env)?;
    }
    Ok(())
}

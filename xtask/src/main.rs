//! `cargo xtask <command>`: the two commands the README starts with, and their helpers.
//!
//! - `serve`: install what is missing, build the site (release) and the relay, run the relay on
//!   http://127.0.0.1:8080 with data in `./data`.
//! - `test`: install what is missing, then run every test tier: native, browser (wasm), end-to-end,
//!   and the release builds with their smoke tests.
//! - `bench`: run the benchmarks and write BENCHMARKS.md.

mod bench;
mod bench_fairness;
mod bench_relay_memory;
pub(crate) mod bundle_size;
mod engine_worker;
mod import_cycles;
mod release;
mod reliability;
mod sans_io;
mod service_worker;
mod setup;
mod shell;
mod site_build;
mod site_files;
mod site_manifest;
mod split_page;

use std::process::ExitCode;

use shell::{Step, root};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("build-site") => setup::toolchain().and_then(|()| build_site()),
        Some("bench") if args.get(1).map(String::as_str) == Some("relay-memory") => bench_relay_memory::run_alone(),
        Some("bench") if args.get(1).map(String::as_str) == Some("fairness") => bench_fairness::run_alone(),
        Some("bench") => bench::run(),
        Some("reliability") => reliability::run(),
        // Static relay binaries for x86_64 and aarch64 Linux, their sums, smoke tests and the systemd unit's check.
        Some("release") => release::run(&args[1..]),
        // The first-visit table and budget check of an already built dist/.
        Some("import-cycles") => import_cycles::check(&root()),
        Some("bundle-size") => bundle_size::report(&root().join("dist")).and_then(|()| bundle_size::check(&root().join("dist"), &root().join("xtask/first-visit-budget"))),
        _ => {
            eprintln!(
                "usage: cargo xtask serve [--listen ADDR] [--data DIR]\n       cargo xtask test\n       cargo xtask build-site\n       cargo xtask bench [relay-memory | fairness]\n       cargo xtask bundle-size\n       cargo xtask reliability\n       cargo xtask release [--use-built-site]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the web app into `dist/` in release mode and prints what a first visit downloads.
pub(crate) fn build_site() -> Result<(), String> {
    site_build::build()
}

fn serve(args: &[String]) -> Result<(), String> {
    let mut listen = "127.0.0.1:8080".to_owned();
    let mut data = "data".to_owned();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--listen" => listen = rest.next().ok_or("--listen needs an address")?.clone(),
            "--data" => data = rest.next().ok_or("--data needs a folder")?.clone(),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    setup::toolchain()?;
    build_site()?;
    Step::new("build the relay, with the site inside").run("cargo", &["build", "--profile", "relay", "-p", "linli-relay", "--features", "embedded-site"], &[])?;
    println!("\nLinli is at http://{listen}/ (data in ./{data}). Stop with Ctrl-C.\n");
    let relay = root().join("target/relay/linli-relay");
    Step::new("run the relay").run(relay.to_str().ok_or("odd path")?, &["--listen", &listen, "--data", &data], &[])
}

fn test() -> Result<(), String> {
    setup::toolchain()?;
    setup::browser()?;
    setup::npm_packages()?;
    Step::new("tier 0: every file in the repository's format (rustfmt.toml)").run("cargo", &["fmt", "--all", "--check"], &[])?;
    Step::new("tier 0: clippy finds nothing, natively").run("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], &[])?;
    Step::new("tier 0: clippy finds nothing in the browser's code").run(
        "cargo",
        &["clippy", "--target", "wasm32-unknown-unknown", "-p", "linli", "-p", "linli-engine", "-p", "linli-idb", "--", "-D", "warnings"],
        &[],
    )?;
    println!("==> tier 0: no import cycles in the engine, the model, the rules, the app and its pages; the engine core sans-IO");
    import_cycles::check(&root())?;
    sans_io::check(&root())?;
    Step::new("tier 1: native tests (core, sync, relay, xtask)").run("cargo", &["test", "--workspace", "--exclude", "linli", "--exclude", "linli-engine"], &[])?;
    Step::new("tier 2: browser tests (wasm-bindgen-test in headless Chromium)").run(
        "cargo",
        &["test", "--target", "wasm32-unknown-unknown", "-p", "linli", "-p", "linli-engine", "--tests"],
        &[("CHROME", setup::CHROMIUM), ("CHROMEDRIVER", setup::CHROMEDRIVER), ("WASM_BINDGEN_TEST_TIMEOUT", "120")],
    )?;
    build_site()?;
    println!("==> the site built again is the same site");
    let first = site_build::digest(&root().join("dist"))?;
    build_site()?;
    let second = site_build::digest(&root().join("dist"))?;
    if first != second {
        return Err(format!("`cargo xtask build-site` run twice made two different sites ({first} then {second})"));
    }
    println!("  the same dist/ twice ({first})");
    println!("==> first-visit bytes against the budget");
    bundle_size::check(&root().join("dist"), &root().join("xtask/first-visit-budget"))?;
    Step::new("build the relay and the crafted-change peer for the end-to-end tests").run(
        "cargo",
        &[
            "build",
            "-p",
            "linli-relay",
            "-p",
            "linli-loadgen",
            "--bin",
            "linli-relay",
            "--bin",
            "linli-crafted-change",
            // The site inside the binary, for the test that runs it with no flags.
            "--features",
            "linli-relay/embedded-site",
        ],
        &[],
    )?;
    let relay = root().join("target/debug/linli-relay");
    let crafted = root().join("target/debug/linli-crafted-change");
    let site = root().join("dist");
    Step::new("tier 3: end-to-end tests (real relay, headless Chromium, automerge-repo peers)").run_in(
        &root().join("tests/e2e"),
        "node",
        &["--test", "--test-concurrency=1", "--test-reporter=spec"],
        &[
            ("LINLI_RELAY_BIN", relay.to_str().ok_or("odd path")?),
            ("LINLI_SITE_DIR", site.to_str().ok_or("odd path")?),
            ("LINLI_CRAFTED_BIN", crafted.to_str().ok_or("odd path")?),
            ("CHROMIUM", setup::CHROMIUM),
        ],
    )?;
    println!("\n==> tier 4: release builds for the boxes villages own (static x86_64 and aarch64 Linux, smoke-tested)");
    release::run(&["--use-built-site".to_owned()])?;
    println!("\nAll test tiers passed.");
    Ok(())
}

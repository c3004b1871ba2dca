//! The engine worker's entry point (`cargo xtask build-site` builds it, xtask/src/engine_worker.rs).

fn main() {
    linli_engine::register();
}

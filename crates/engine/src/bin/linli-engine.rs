//! The engine worker's entry point (Trunk builds it as `data-type="worker"`).

fn main() {
    linli_engine::register();
}

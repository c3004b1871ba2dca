//! The entry point Trunk builds: mount the app.

fn main() {
    linli::mount();
}

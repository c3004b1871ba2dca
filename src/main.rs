//! The page's entry point (`cargo xtask build-site` builds and cuts it): mount the app.

fn main() {
    linli::mount();
}

//! Binary entry point: mounts the Marginalia app. All code lives in the library.

fn main() {
    #[cfg(target_arch = "wasm32")]
    marginalia::start();
}

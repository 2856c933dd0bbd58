//! ThemeChat web app entry point: mounts the Leptos app on `<body>`.
//!
//! The app is wasm32-only (see Cargo.toml); on any other target this file
//! compiles to a stub so host workspace builds keep working. The pure state
//! logic (`state.rs`) also compiles on the host under `cfg(test)`, so
//! `cargo test -p frontend` runs its unit tests natively.

#[cfg(any(target_arch = "wasm32", test))]
// On the host only the tests use it: its re-exports serve the views.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code, unused_imports))]
mod state;

#[cfg(any(target_arch = "wasm32", test))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod read_pacer;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod auth;
#[cfg(target_arch = "wasm32")]
mod chat;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod drafts;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod paths;
#[cfg(target_arch = "wasm32")]
mod saved_store;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
mod theme;
#[cfg(target_arch = "wasm32")]
mod timer;
#[cfg(target_arch = "wasm32")]
mod ws;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // Before the first paint: no flash of the wrong theme.
    theme::apply(theme::chosen());
    // The shell `index.html` paints while this loads has done its job.
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app-shell"))
    {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the ThemeChat web app runs in the browser: build it with scripts/build-web.sh (trunk build)"
    );
    std::process::exit(1);
}

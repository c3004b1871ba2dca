//! Linli's web app: notices, pledges and task boards of a neighbourhood, kept on the device and
//! synced through relays. Built with Leptos (client-side rendered) into a static site by Trunk.

// The macro reads locales/*.json at compile time. (leptos_i18n prefers a build script now, but
// that route builds ICU data tooling on every clean build; the macro gives the same code.)
#[allow(deprecated)]
mod translations {
    leptos_i18n::load_locales!();
}
pub use translations::i18n;

pub mod app;
pub mod charts;
pub mod components;
pub mod engine;
pub mod files;
pub mod format;
pub mod identity;
pub mod language;
pub mod link_keys;
pub mod markdown;
pub mod my_spaces;
pub mod pages;
pub mod platform;
pub mod qr;
pub mod relays;
pub mod space_context;
pub mod space_json;
pub mod update_prompt;

/// Starts the app in the page's `<body>`.
pub fn mount() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        reload_after_panic();
    }));
    leptos::mount::mount_to_body(app::App);
}

/// After a panic the wasm instance is dead (wasm32 cannot unwind): the page no longer answers.
/// Every change the UI showed as saved is in IndexedDB, so the page says so and reloads itself
/// from there. A kiosk (unattended) always reloads, in five seconds. Any other page reloads in two,
/// unless it already did so after a panic in the last minute: then it waits for a press of
/// "Reload" rather than loop (a peer that keeps sending a crasher, say). Plain JavaScript, which
/// outlives the instance; it acts on the first panic only (later ones are its echoes: state the
/// dead instance left borrowed).
fn reload_after_panic() {
    const RECOVER: &str = r#"
if (window.linliPanicked) return;
window.linliPanicked = true;
const kiosk = location.pathname.startsWith("/k/");
const now = Date.now();
let last = 0;
try { last = Number(sessionStorage.getItem("linli.panic-reload")) || 0; sessionStorage.setItem("linli.panic-reload", String(now)); } catch (_) {}
const auto = kiosk || now - last > 60000;
const lang = document.documentElement.lang;
const say = {
  "zh-Hans": ["邻里因出错而停止。已保存的内容都在本设备上。", "正在重新加载…", "重新加载"],
  "zh-Hant": ["鄰里因錯誤而停止。已儲存的內容都在本裝置上。", "正在重新載入…", "重新載入"],
}[lang] || ["Linli stopped after an error. Everything saved is kept on this device.", "Reloading…", "Reload"];
const note = document.createElement("div");
note.className = "panic-notice error";
note.setAttribute("role", "alert");
note.textContent = say[0] + " ";
if (auto) {
  note.append(say[1]);
  setTimeout(() => location.reload(), kiosk ? 5000 : 2000);
} else {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = say[2];
  button.onclick = () => location.reload();
  note.append(button);
}
document.body.prepend(note);
"#;
    let _ = js_sys::Function::new_no_args(RECOVER).call0(&wasm_bindgen::JsValue::UNDEFINED);
}

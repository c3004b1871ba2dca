//! An engine error in the reader's language. The sentences are in `errors-<lang>.json` beside the
//! page (from `locales/errors/`): fetched the first time an error shows in that language and kept
//! (the service worker keeps the files for offline use), so the first screen never downloads
//! them. If a file cannot be had, a general sentence in the reader's language stands in; what
//! only a bug report needs goes to the console.

use std::cell::RefCell;
use std::collections::HashMap;

use linli_model::Lang;
use linli_view::EngineError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Each language's sentences, once fetched.
    static SENTENCES: RefCell<HashMap<Lang, JsValue>> = RefCell::new(HashMap::new());
}

/// The sentence for `error` in `lang`.
pub async fn error_text(lang: Lang, error: &EngineError) -> String {
    if let Some(detail) = error.detail() {
        web_sys::console::warn_1(&format!("{}: {detail}", error.key()).into());
    }
    let sentence = match sentences(lang).await {
        Some(sentences) => js_sys::Reflect::get(&sentences, &error.key().into()).ok().and_then(|s| s.as_string()),
        None => None,
    };
    match sentence {
        Some(sentence) => {
            let args = error.args();
            let values: Vec<(&str, &str)> = args.iter().map(|(name, value)| (*name, value.as_str())).collect();
            crate::format::fill(&sentence, &values)
        }
        None => general(lang).to_owned(),
    }
}

/// The sentence for `error` in the language the page shows now.
pub async fn in_current_language(error: &EngineError) -> String {
    error_text(crate::language::current(), error).await
}

/// An error's sentence where a view needs one (empty until the sentences are here), in the
/// language the page shows.
#[leptos::component]
pub fn ErrorText(error: EngineError) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let i18n = crate::i18n::use_i18n();
    let text = RwSignal::new(String::new());
    // Said again when the reader switches language.
    Effect::new(move |_| {
        let lang = crate::language::lang_of(i18n.get_locale());
        let error = error.clone();
        leptos::task::spawn_local(async move { text.set(error_text(lang, &error).await) });
    });
    move || text.get()
}

/// `lang`'s sentences, fetched once.
async fn sentences(lang: Lang) -> Option<JsValue> {
    if let Some(kept) = SENTENCES.with(|s| s.borrow().get(&lang).cloned()) {
        return Some(kept);
    }
    let fetched = fetch(lang).await.ok()?;
    SENTENCES.with(|s| s.borrow_mut().insert(lang, fetched.clone()));
    Some(fetched)
}

async fn fetch(lang: Lang) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&format!("/errors-{}.json", lang.tag()))).await?.unchecked_into();
    if !response.ok() {
        return Err("no sentences".into());
    }
    JsFuture::from(response.json()?).await
}

/// What is said when the sentences cannot be had.
fn general(lang: Lang) -> &'static str {
    match lang {
        Lang::English => "This could not be done. Please try again.",
        Lang::ZhHans => "未能完成，请再试一次。",
        Lang::ZhHant => "未能完成，請再試一次。",
    }
}

//! The interface language: the one chosen on this device, else the browser's preference (any
//! `zh-CN`, `zh-TW`, `en-GB`… mapped to the three Linli speaks), else English. A switcher in
//! the header changes it at any time.

use leptos::prelude::*;
use linli_model::Lang;

use leptos_i18n::I18nContext;

use crate::i18n::{Locale, use_i18n};

const KEY: &str = "linli.lang";

pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::ZhHans => Locale::zh_Hans,
        Lang::ZhHant => Locale::zh_Hant,
        Lang::English => Locale::en,
    }
}

pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::zh_Hans => Lang::ZhHans,
        Locale::zh_Hant => Lang::ZhHant,
        Locale::en => Lang::English,
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language to start in.
pub fn initial() -> Lang {
    let saved = storage().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|tag| Lang::from_tag(&tag));
    saved
        .or_else(|| {
            let navigator = web_sys::window()?.navigator();
            navigator.languages().iter().filter_map(|l| l.as_string()).find_map(|tag| Lang::from_tag(&tag))
        })
        .unwrap_or(Lang::English)
}

/// The language the page shows now (as `apply` last set it on the document).
pub fn current() -> Lang {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    root.and_then(|r| r.get_attribute("lang")).and_then(|tag| Lang::from_tag(&tag)).unwrap_or_else(initial)
}

/// Switches the interface language and remembers it on this device.
pub fn apply(i18n: I18nContext<Locale>, lang: Lang) {
    i18n.set_locale(locale_of(lang));
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, lang.tag());
    }
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The three languages, each named in itself.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let current = move || lang_of(i18n.get_locale());
    view! {
        <nav class="languages" aria-label="Language / 语言 / 語言">
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    let label = match lang {
                        Lang::ZhHans => "简体",
                        Lang::ZhHant => "繁體",
                        Lang::English => "English",
                    };
                    view! {
                        <button
                            type="button"
                            class="language"
                            lang=lang.tag()
                            aria-pressed=move || (current() == lang).to_string()
                            on:click=move |_| apply(i18n, lang)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

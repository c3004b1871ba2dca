//! "Read aloud" on a notice, pledge, request or consultation: its title and text spoken by the
//! browser in the text's language, with a stop button, and a plain message where the browser has
//! no voice for that language (rather than a button that does nothing).

use leptos::prelude::*;

use crate::i18n::*;
use crate::{markdown, speech};

/// The button; `title` is plain text, `text` Markdown.
#[component]
pub fn ReadAloud(#[prop(into)] title: Signal<String>, #[prop(into)] text: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let reading = RwSignal::new(false);
    let no_voice = RwSignal::new(None::<&'static str>);
    on_cleanup(move || {
        if reading.get_untracked() {
            speech::stop();
        }
    });
    let press = move |_| {
        if reading.get_untracked() {
            speech::stop();
            reading.set(false);
            return;
        }
        let mut lines = vec![title.get_untracked()];
        lines.extend(markdown::to_plain_text(&text.get_untracked()).lines().map(str::to_owned));
        let language = speech::language_of(&lines.join("\n"));
        no_voice.set(None);
        leptos::task::spawn_local(async move {
            if !speech::has_voice_for(language).await {
                no_voice.set(Some(language));
                return;
            }
            reading.set(speech::speak(&lines, language, move || {
                let _ = reading.try_set(false);
            }));
        });
    };
    view! {
        <div class="read-aloud no-print">
            <button type="button" class="secondary read-aloud-button" on:click=press>
                <span aria-hidden="true">{move || if reading.get() { "■ " } else { "▶ " }}</span>
                {move || if reading.get() { t_string!(i18n, stop_reading) } else { t_string!(i18n, read_aloud) }}
            </button>
            {move || no_voice.get().map(|language| {
                let which = if language.starts_with("zh") { t_string!(i18n, voice_chinese) } else { t_string!(i18n, voice_english) };
                view! { <p class="muted small no-voice" role="status">{crate::format::fill(t_string!(i18n, no_voice), &[("language", which)])}</p> }
            })}
        </div>
    }
}

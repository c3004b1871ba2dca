//! Home: the spaces on this device, and making a new one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::address_keys;
use crate::components::direct_link::DirectLink;
use crate::components::name_prompt::NamePrompt;
use crate::engine::EngineHandle;
use crate::i18n::*;
use crate::my_spaces;

#[component]
pub fn Home() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let spaces = my_spaces::list();
    let link = RwSignal::new(String::new());
    let link_error = RwSignal::new(false);
    let create_error = RwSignal::new(None::<String>);
    let join_navigate = navigate.clone();
    let join = move |ev: SubmitEvent| {
        ev.prevent_default();
        let pasted = link.get_untracked();
        match space_path(&pasted) {
            Some(path) => {
                // A link's keys (after `#`: organise or take part) are kept for that space first.
                let fragment = pasted.split_once('#').map(|(_, fragment)| fragment);
                let id = path.trim_start_matches("/s/").split(['?', '/']).next();
                if let (Some(fragment), Some(id)) = (fragment, id) {
                    address_keys::keep_from_fragment(id, fragment);
                }
                join_navigate(&path, Default::default())
            }
            None => link_error.set(true),
        }
    };
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let chosen = name.get_untracked();
        if chosen.trim().is_empty() {
            return;
        }
        let created = engine.get().create_space(&chosen);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match created.await {
                Ok(id) => {
                    my_spaces::remember(id.as_str(), chosen.trim());
                    // Keep `?relay=…` of a link that named the relay to use.
                    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
                    navigate(&format!("/s/{id}{search}"), Default::default());
                }
                Err(error) => create_error.set(Some(error)),
            }
        });
    };
    view! {
        <main class="page">
            <header class="masthead">
                <h1>"Linli " <span lang="zh-Hant">"鄰里"</span></h1>
                <p class="lead">{t!(i18n, tagline)}</p>
            </header>
            <NamePrompt />
            <form class="card" on:submit=create>
                <h2>{t!(i18n, start_space)}</h2>
                <label for="space-name">{t!(i18n, space_name)}</label>
                <input
                    id="space-name"
                    required
                    maxlength="120"
                    placeholder=move || t_string!(i18n, space_name_example)
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                {move || create_error.get().map(|error| view! { <p class="error" role="alert">{error}</p> })}
                <button type="submit">{t!(i18n, create_space)}</button>
            </form>
            <form class="card" on:submit=join aria-labelledby="join-heading">
                <h2 id="join-heading">{t!(i18n, join_space)}</h2>
                <label for="join-link">{t!(i18n, join_link)}</label>
                <input id="join-link" required aria-describedby="join-hint"
                    prop:value=move || link.get() on:input=move |ev| { link_error.set(false); link.set(event_target_value(&ev)) } />
                <p id="join-hint" class="muted small">{t!(i18n, join_hint)}</p>
                {move || link_error.get().then(|| view! { <p class="error" role="alert">{t!(i18n, bad_link)}</p> })}
                <button type="submit">{t!(i18n, open_space)}</button>
            </form>
            <section class="card">
                <h2>{t!(i18n, your_spaces)}</h2>
                {if spaces.is_empty() {
                    view! { <p class="muted">{t!(i18n, no_spaces_yet)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="space-list">
                            {spaces
                                .into_iter()
                                .map(|s| view! { <li><a href=format!("/s/{}", s.id)>{s.name}</a></li> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <DirectLink />
        </main>
    }
}

/// The app path of a space from what someone pasted: a whole link (`https://…/s/<id>/…`) or the
/// bare ID. `None` if it names no space.
fn space_path(pasted: &str) -> Option<String> {
    let text = pasted.trim();
    let after = text.rsplit_once("/s/").map_or(text, |(_, rest)| rest);
    let id = after.split(['/', '?', '#']).next()?;
    let query = after.find('?').map(|i| &after[i..]).unwrap_or("");
    linli_view::address_text::is_space_id(id).then(|| format!("/s/{id}{query}"))
}

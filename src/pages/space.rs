//! A space: its notices, drawn from this device's copy first, with posting and editing.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_core::Space;
use linli_sync::{DocumentId, Phase};

use crate::components::notice_card::NoticeCard;
use crate::components::notice_form::NewNoticeForm;
use crate::components::sync_badge::SyncBadge;
use crate::engine::EngineHandle;
use crate::i18n::*;
use crate::my_spaces;

/// What the space screen can show.
#[derive(Debug, Clone, PartialEq)]
enum View {
    BadLink,
    Loading,
    Searching,
    NotFound,
    Unreadable(String),
    Ready(Space),
}

#[component]
pub fn SpacePage() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|text| text.parse::<DocumentId>().ok()));
    Effect::new(move |_| {
        if let Some(id) = id.get() {
            engine.get().open(id);
        }
    });
    let view_state = Memo::new(move |_| {
        let engine = engine.get();
        engine.revision.track();
        let Some(id) = id.get() else { return View::BadLink };
        match engine.phase(&id) {
            None | Some(Phase::Loading) => View::Loading,
            Some(Phase::Requesting) => View::Searching,
            Some(Phase::Unavailable) => View::NotFound,
            Some(Phase::Ready) => match engine.space(&id) {
                Some(Ok(space)) => View::Ready(space),
                Some(Err(error)) => View::Unreadable(error.to_string()),
                None => View::Loading,
            },
        }
    });
    Effect::new(move |_| {
        if let (Some(id), View::Ready(space)) = (id.get(), view_state.get()) {
            my_spaces::remember(id, &space.name);
        }
    });

    view! {
        <main class="page">
            <nav class="crumbs"><a href="/">{t!(i18n, back_to_spaces)}</a><SyncBadge /></nav>
            {move || match view_state.get() {
                View::BadLink => view! { <p class="notice-box">{t!(i18n, bad_link)}</p> }.into_any(),
                View::Loading => view! { <p class="muted">{t!(i18n, opening)}</p> }.into_any(),
                View::Searching => view! { <p class="notice-box">{t!(i18n, searching)}</p> }.into_any(),
                View::NotFound => view! { <p class="notice-box">{t!(i18n, space_not_found)}</p> }.into_any(),
                View::Unreadable(reason) => view! { <p class="notice-box error">{reason}</p> }.into_any(),
                View::Ready(space) => {
                    let id = id.get_untracked().expect("a ready space has an ID");
                    space_view(id, space).into_any()
                }
            }}
        </main>
    }
}

fn space_view(id: DocumentId, space: Space) -> impl IntoView {
    let i18n = use_i18n();
    let notices: Vec<_> = space.current_notices().into_iter().map(|(notice_id, n)| (notice_id.to_owned(), n.clone())).collect();
    let share = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    view! {
        <header class="space-header">
            <h1>{space.name.clone()}</h1>
            <p class="share">{t!(i18n, share_link)} " " <code class="share-link">{share}</code></p>
        </header>
        <NewNoticeForm space=id />
        <section aria-labelledby="notices-heading">
            <h2 id="notices-heading">{t!(i18n, notices)}</h2>
            {if notices.is_empty() {
                view! { <p class="muted">{t!(i18n, no_notices)}</p> }.into_any()
            } else {
                view! {
                    <ul class="notices">
                        {notices
                            .into_iter()
                            .map(|(notice_id, notice)| view! { <li><NoticeCard space=id notice_id notice /></li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

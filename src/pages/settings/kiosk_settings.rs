//! What the space's kiosks show and how (slides, pace, reading aloud).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, KioskSettings, Lang};

use super::status_line::StatusLine;
use crate::address_keys;
use crate::i18n::*;
use crate::space_context::{current_lang, name_in, use_space};

/// How every kiosk of the space behaves (kept in the space, so one phone changes them all).
#[component]
pub(super) fn KioskForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let settings = ctx.with_untracked(|s| s.kiosk.clone()).unwrap_or_default();
    let seconds = RwSignal::new(settings.rotation_seconds.to_string());
    let categories = RwSignal::new(settings.categories.clone());
    let languages = RwSignal::new(settings.languages.clone());
    let consultations = RwSignal::new(settings.consultations);
    let read_urgent_aloud = RwSignal::new(settings.read_urgent_aloud);
    let status = RwSignal::new(None::<Result<(), String>>);
    let all_categories = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.categories_in_order().into_iter().map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let toggle = |list: RwSignal<Vec<String>>, item: String, on: bool| {
        list.update(|l| {
            l.retain(|x| *x != item);
            if on {
                l.push(item);
            }
        })
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let next = KioskSettings {
            categories: categories.get_untracked(),
            rotation_seconds: seconds.get_untracked().trim().parse().unwrap_or(12).clamp(3, 600),
            languages: languages.get_untracked(),
            consultations: consultations.get_untracked(),
            read_urgent_aloud: read_urgent_aloud.get_untracked(),
        };
        ctx.edit_then(vec![Edit::SetKioskSettings { settings: next }], move |outcome| status.set(Some(outcome)));
    };
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let kiosk_path = format!("/k/{}", ctx.id);
    // A kiosk opened with the take-part key shows QR codes that let passers-by sign on their
    // own phones (the kiosk itself has no control to write with).
    let kiosk_link = {
        let kiosk_path = kiosk_path.clone();
        move || match ctx.take_part_key() {
            Some(key) => address_keys::take_part_link(&origin, &kiosk_path, &key),
            None => format!("{origin}{kiosk_path}"),
        }
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="kiosk-heading">
            <h2 id="kiosk-heading">{t!(i18n, kiosk_heading)}</h2>
            <p class="muted">{t!(i18n, kiosk_explained)}</p>
            <p><a class="kiosk-link" href=kiosk_link.clone()>{t!(i18n, open_kiosk)}</a> " " <code class="share-link">{kiosk_link}</code></p>
            <label for="kiosk-seconds">{t!(i18n, kiosk_seconds)}</label>
            <input id="kiosk-seconds" type="number" min="3" max="600" inputmode="numeric" prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev)) />
            <fieldset>
                <legend>{t!(i18n, kiosk_categories)}</legend>
                {move || all_categories.get().into_iter().map(|(id, name)| {
                    let (checked_id, toggled_id) = (id.clone(), id.clone());
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || categories.with(|c| c.contains(&checked_id))
                            on:change=move |ev| toggle(categories, toggled_id.clone(), event_target_checked(&ev)) />{name}</label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, kiosk_languages)}</legend>
                {Lang::ALL.into_iter().map(|lang| {
                    let tag = lang.tag().to_owned();
                    let (checked_tag, toggled_tag) = (tag.clone(), tag.clone());
                    view! {
                        <label class="check" lang=tag><input type="checkbox" prop:checked=move || languages.with(|l| l.contains(&checked_tag))
                            on:change=move |ev| toggle(languages, toggled_tag.clone(), event_target_checked(&ev)) />{crate::pages::notice_editor::language_name(lang)}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="check"><input type="checkbox" prop:checked=move || consultations.get() on:change=move |ev| consultations.set(event_target_checked(&ev)) />{t!(i18n, kiosk_consultations)}</label>
            <label class="check"><input type="checkbox" prop:checked=move || read_urgent_aloud.get() on:change=move |ev| read_urgent_aloud.set(event_target_checked(&ev)) />{t!(i18n, kiosk_read_urgent_aloud)}</label>
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

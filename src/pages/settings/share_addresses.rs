//! The space's addresses to share, each with its QR code: to read, to take part, to organise.

use leptos::prelude::*;

use crate::address_keys;
use crate::components::qr_code::QrCode;
use crate::i18n::*;
use crate::space_context::use_space;

/// "Invite neighbours": the three links, each with its QR code. Organise (the edit link) for
/// the people who run the space; take part for every resident (posters and kiosks carry it);
/// view for reading only. Organisers can stop old links of either kind.
#[component]
pub(super) fn ShareAddresses() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let engine = ctx.engine();
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let view_link = format!("{origin}{}", ctx.link(""));
    let edit_link = {
        let origin = origin.clone();
        move || ctx.status().and_then(|s| s.edit_key).map(|key| address_keys::edit_link(&origin, ctx.id, &key))
    };
    let take_part_link = {
        let origin = origin.clone();
        move || ctx.take_part_key().map(|key| address_keys::take_part_link(&origin, &ctx.link(""), &key))
    };
    let protected = move || ctx.status().is_some_and(|s| s.protected);
    let has_take_part = move || ctx.take_part_key().is_some();
    let error = RwSignal::new(None::<String>);
    let new_key = move |_| {
        let asked = engine.get().new_write_key(ctx.id);
        leptos::task::spawn_local(async move { error.set(asked.await.err()) });
    };
    let new_take_part_key = move |_| {
        let asked = engine.get().new_take_part_key(ctx.id);
        leptos::task::spawn_local(async move { error.set(asked.await.err()) });
    };
    view! {
        <section class="card share-card" aria-labelledby="share-heading">
            <h2 id="share-heading">{t!(i18n, share_heading)}</h2>
            {move || edit_link().map(|link| view! {
                <h3>{t!(i18n, invite_to_edit)}</h3>
                <p class="muted">{t!(i18n, invite_to_edit_explained)}</p>
                <p><code class="share-link edit-link">{link.clone()}</code></p>
                <QrCode link=link label=t_string!(i18n, qr_edit_link).to_string() />
            })}
            {move || take_part_link().map(|link| view! {
                <h3>{t!(i18n, invite_to_take_part)}</h3>
                <p class="muted">{t!(i18n, invite_to_take_part_explained)}</p>
                <p><code class="share-link take-part-link">{link.clone()}</code></p>
                <QrCode link=link label=t_string!(i18n, qr_take_part_link).to_string() />
            })}
            <h3>{t!(i18n, invite_to_view)}</h3>
            <p class="muted">{move || if protected() { t_string!(i18n, invite_to_view_explained) } else { t_string!(i18n, open_space_explained) }}</p>
            <p><code class="share-link view-link">{view_link.clone()}</code></p>
            <QrCode link=view_link label=t_string!(i18n, qr_opens_space).to_string() />
            <div class="edit-only">
                {move || if protected() {
                    view! {
                        {move || if has_take_part() {
                            view! {
                                <p class="muted">{t!(i18n, new_take_part_key_explained)}</p>
                                <button type="button" class="secondary stop-take-part" on:click=new_take_part_key>{t!(i18n, stop_old_take_part_links)}</button>
                            }.into_any()
                        } else {
                            view! {
                                <p class="muted">{t!(i18n, make_take_part_explained)}</p>
                                <button type="button" on:click=new_take_part_key>{t!(i18n, make_take_part_link)}</button>
                            }.into_any()
                        }}
                        <p class="muted">{t!(i18n, new_key_explained)}</p>
                        <button type="button" class="secondary" on:click=new_key>{t!(i18n, stop_old_edit_links)}</button>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted">{t!(i18n, protect_explained)}</p>
                        <button type="button" on:click=new_key>{t!(i18n, protect_space)}</button>
                    }.into_any()
                }}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </section>
    }
}

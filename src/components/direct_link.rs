//! A direct link to another device with no server at all (WebRTC, signalled by hand).

use leptos::prelude::*;

use crate::components::qr_code::QrCode;
use crate::engine::EngineHandle;
use crate::i18n::*;

/// A direct link to another device with no server at all: one shows an invitation (text and
/// QR code), the other pastes it and shows an answer, the first pastes the answer.
#[component]
pub fn DirectLink() -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<EngineHandle>();
    let shown = RwSignal::new(None::<String>);
    let pasted = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let invite = move |_| {
        let engine = engine.get();
        leptos::task::spawn_local(async move {
            match engine.direct_invitation().await {
                Ok(text) => {
                    shown.set(Some(text));
                    status.set(None);
                }
                Err(e) => status.set(Some(Err(e))),
            }
        });
    };
    let connect = move |_| {
        let engine = engine.get();
        let text = pasted.get_untracked();
        leptos::task::spawn_local(async move {
            match engine.direct_paste(&text).await {
                Ok(Some(answer)) => {
                    shown.set(Some(answer));
                    status.set(Some(Ok(t_string!(i18n, give_answer_back).to_string())));
                }
                Ok(None) => status.set(Some(Ok(t_string!(i18n, direct_connecting).to_string()))),
                Err(e) => status.set(Some(Err(e))),
            }
            pasted.set(String::new());
        });
    };
    view! {
        <section class="card" aria-labelledby="direct-heading">
            <h2 id="direct-heading">{t!(i18n, direct_heading)}</h2>
            <p class="muted">{t!(i18n, direct_explained)}</p>
            <button type="button" on:click=invite>{t!(i18n, make_invitation)}</button>
            {move || shown.get().map(|text| view! {
                <label for="direct-shown">{t!(i18n, show_this)}</label>
                <textarea id="direct-shown" readonly rows="4" prop:value=text.clone()></textarea>
                <QrCode link=text label=t_string!(i18n, direct_qr).to_string() />
            })}
            <label for="direct-paste">{t!(i18n, paste_here)}</label>
            <textarea id="direct-paste" rows="3" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            <button type="button" on:click=connect>{t!(i18n, connect_directly)}</button>
            {move || match status.get() {
                Some(Ok(message)) => Some(view! { <p role="status">{message}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}

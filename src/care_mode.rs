//! Care mode (长辈模式 / 長輩模式): larger text, larger buttons and more space between lines, for
//! older eyes and hands, to the numbers of the 2021 elderly-friendly design rules for websites
//! (《互联网网站适老化通用设计规范》): body text at least 18 px, main controls at least 60 × 60 px.
//!
//! It is a choice of this device, kept in localStorage and shown as the `care` class on `<html>`
//! (which `public/boot.js` sets before the app starts, so the loading screen is large too); the
//! look itself is in `public/style.css`. Sizes are in `rem`, so the browser's own text size
//! setting scales Linli in either mode.

use std::collections::HashSet;

use leptos::prelude::*;

use crate::i18n::*;

const KEY: &str = "linli.care";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether care mode is on (`Some`), or the person has not chosen yet (`None`).
pub fn chosen() -> Option<bool> {
    match storage().and_then(|s| s.get_item(KEY).ok().flatten()).as_deref() {
        Some("on") => Some(true),
        Some("off") => Some(false),
        _ => None,
    }
}

/// Care mode for every screen, and whether the person has chosen (the first-visit question).
#[derive(Clone, Copy)]
pub struct CareMode {
    pub on: RwSignal<bool>,
    pub chosen: RwSignal<bool>,
}

impl CareMode {
    /// As this device last chose (off until chosen).
    pub fn from_device() -> Self {
        let chosen = chosen();
        let mode = CareMode { on: RwSignal::new(chosen == Some(true)), chosen: RwSignal::new(chosen.is_some()) };
        show(mode.on.get_untracked());
        mode
    }

    /// Turns care mode on or off, and remembers it on this device.
    pub fn set(&self, on: bool) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(KEY, if on { "on" } else { "off" });
        }
        self.on.set(on);
        self.chosen.set(true);
        show(on);
    }
}

/// The `care` class on `<html>`.
fn show(on: bool) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = if on { root.class_list().add_1("care") } else { root.class_list().remove_1("care") };
    }
}

pub fn use_care_mode() -> CareMode {
    expect_context::<CareMode>()
}

/// The switch at the top of every screen.
#[component]
pub fn CareModeSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let care = use_care_mode();
    view! {
        <button type="button" class="care-switch" aria-pressed=move || care.on.get().to_string()
            on:click=move |_| care.set(!care.on.get_untracked())>
            <span aria-hidden="true">"Aa "</span>{t!(i18n, care_mode)}
        </button>
    }
}

/// The first-visit question, shown beside the name prompt until the person answers it.
#[component]
pub fn CareModeOffer() -> impl IntoView {
    let i18n = use_i18n();
    let care = use_care_mode();
    // One line inside the name card, so that a resident who opened an item from a poster still
    // sees the item on the first screen.
    view! {
        <Show when=move || !care.chosen.get()>
            <section class="care-offer no-print" aria-labelledby="care-offer-heading">
                <p id="care-offer-heading" class="care-offer-question">{t!(i18n, care_offer_question)}</p>
                <div class="actions">
                    <button type="button" on:click=move |_| care.set(true)>{t!(i18n, care_offer_yes)}</button>
                    <button type="button" class="secondary" on:click=move |_| care.set(false)>{t!(i18n, care_offer_no)}</button>
                </div>
            </section>
        </Show>
    }
}

/// The setting in Settings (this device only).
#[component]
pub fn CareModeSetting() -> impl IntoView {
    let i18n = use_i18n();
    let care = use_care_mode();
    view! {
        <label class="check care-setting">
            <input type="checkbox" prop:checked=move || care.on.get()
                on:change=move |ev| care.set(event_target_checked(&ev)) />
            {t!(i18n, care_mode_setting)}
        </label>
    }
}

/// A list that, in care mode, never moves under the reader's finger: items that arrive while it is
/// open wait behind "N new — show" ([`NewItemsLine`], a line kept free for it from the start).
#[derive(Clone, Copy)]
pub struct HeldBack {
    seen: RwSignal<Option<HashSet<String>>>,
    every_id: Signal<Option<HashSet<String>>>,
}

impl HeldBack {
    /// `every_id` gives the IDs of every item the list could show (`None` until the space is read).
    pub fn new(every_id: impl Fn() -> Option<HashSet<String>> + Send + Sync + 'static) -> Self {
        let care = use_care_mode();
        let held = HeldBack { seen: RwSignal::new(None), every_id: Signal::derive(every_id) };
        Effect::new(move |_| {
            if !care.on.get() {
                held.seen.set(None);
            } else if held.seen.with_untracked(Option::is_none) {
                held.seen.set(held.every_id.get());
            }
        });
        held
    }

    /// Whether the list shows the item now (tracked).
    pub fn shows(&self, id: &str) -> bool {
        self.seen.with(|seen| seen.as_ref().is_none_or(|seen| seen.contains(id)))
    }

    /// How many of these items wait to be shown (tracked).
    pub fn waiting<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> usize {
        self.seen.with(|seen| seen.as_ref().map_or(0, |seen| ids.into_iter().filter(|id| !seen.contains(*id)).count()))
    }

    /// Shows everything there is now.
    pub fn show_all(&self) {
        if self.seen.with_untracked(Option::is_some) {
            self.seen.set(self.every_id.get_untracked());
        }
    }
}

/// The line kept free in care mode for "N new — show".
#[component]
pub fn NewItemsLine(held: HeldBack, #[prop(into)] waiting: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let care = use_care_mode();
    view! {
        <Show when=move || care.on.get()>
            <p class="new-items" role="status">
                {move || {
                    let count = waiting.get();
                    (count > 0).then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| held.show_all()>
                            {crate::format::fill(t_string!(i18n, new_notices_waiting), &[("count", &count.to_string())])}
                        </button>
                    })
                }}
            </p>
        </Show>
    }
}

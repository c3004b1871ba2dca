//! A space: its header, tabs and the screen under them, drawn from this device's copy first.
//!
//! The space is read once into a signal that every screen inside shares ([`SpaceContext`]);
//! lists re-draw from it when anything changes, while forms keep what is typed in their own
//! signals, so a change arriving from a neighbour never wipes a half-written notice.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_params_map;
use linli_model::{ConsultationStatus, Edit, ItemId};
use linli_view::Phase;

use crate::components::name_prompt::NamePrompt;
use crate::components::sync_badge::SyncBadge;
use crate::display_name::DisplayName;
use crate::engine::EngineHandle;
use crate::i18n::*;
use crate::my_spaces;
use crate::space_context::SpaceContext;

/// Where the space is in being opened.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Loading,
    Searching,
    NotFound,
    Unreadable(linli_view::EngineError),
    Ready,
}

#[component]
pub fn SpacePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").filter(|text| linli_view::address_text::is_space_id(text)));
    view! {
        <main class="page">
            {move || match id.get() {
                None => view! { <p class="notice-box">{t!(i18n, bad_link)}</p> }.into_any(),
                Some(id) => view! { <OpenSpace id=intern(id) /> }.into_any(),
            }}
        </main>
    }
}

/// A space's ID, kept for the page's life (contexts are `Copy`; a page opens a few spaces).
pub fn intern(id: String) -> &'static str {
    thread_local! {
        static IDS: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    IDS.with(|ids| {
        if let Some(known) = ids.borrow().iter().find(|known| **known == id) {
            return *known;
        }
        let id: &'static str = Box::leak(id.into_boxed_str());
        ids.borrow_mut().push(id);
        id
    })
}

/// Opens a space on this device and shares it with the screens inside ([`SpaceContext`]):
/// how far opening has got, and the context. What this device showed of the space last time is
/// drawn at once, before the engine has opened it.
pub fn open_space(id: &'static str) -> (Memo<Status>, SpaceContext) {
    let engine = expect_context::<EngineHandle>();
    engine.get().open(id, item_in_address());
    let ctx = SpaceContext::new(id, engine);
    let status = Memo::new(move |_| {
        let has_copy = ctx.with(|_| ()).is_some();
        match ctx.status() {
            Some(status) if status.unreadable.is_some() => Status::Unreadable(status.unreadable.unwrap_or(linli_view::EngineError::NotASpace)),
            Some(status) if status.phase == Phase::Ready && has_copy => Status::Ready,
            // The copy kept from the last visit, while the engine opens the space.
            _ if has_copy => Status::Ready,
            Some(status) if status.phase == Phase::Requesting => Status::Searching,
            Some(status) if status.phase == Phase::Unavailable => Status::NotFound,
            _ => Status::Loading,
        }
    });
    provide_context(ctx);
    Effect::new(move |_| {
        if let Some(name) = ctx.with(|s| s.name.clone()) {
            my_spaces::remember(id, &name);
        }
    });
    (status, ctx)
}

/// The item the address opens (`pledges/<id>`, …), if it opens one: the relay's picture of a
/// space drawn on a first visit need only hold that.
fn item_in_address() -> Option<String> {
    let path = web_sys::window()?.location().pathname().ok()?;
    let mut parts = path.trim_start_matches('/').split('/').skip(2);
    let (section, item) = (parts.next()?, parts.next()?);
    ["notices", "pledges", "tasks", "consultations", "meetings"].contains(&section).then(|| format!("{section}/{item}"))
}

#[component]
fn OpenSpace(id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let (status, ctx) = open_space(id);
    join_when_named(ctx);
    close_when_due(ctx);
    let pathname = leptos_router::hooks::use_location().pathname;
    let opens_an_item = Memo::new(move |_| names_an_item(&pathname.get()));
    view! {
        <nav class="crumbs no-print"><a href="/">{t!(i18n, back_to_spaces)}</a><SyncBadge /></nav>
        {move || match status.get() {
            Status::Loading => view! { <p class="muted">{t!(i18n, opening)}</p> }.into_any(),
            Status::Searching => view! { <p class="notice-box">{t!(i18n, searching)}</p> }.into_any(),
            Status::NotFound => view! { <p class="notice-box">{t!(i18n, space_not_found)}</p> }.into_any(),
            Status::Unreadable(error) => view! { <p class="notice-box error"><crate::error_text::ErrorText error /></p> }.into_any(),
            Status::Ready => view! {
                <div class="space-body" class:view-only=move || ctx.is_view_only() class:access-unknown=move || ctx.access_unknown() data-early=move || ctx.is_early().then_some("true") class:participant=move || ctx.can_take_part() && !ctx.can_edit()>
                    <header class="space-header">
                        <h1>{move || ctx.with(|s| s.name.clone())}</h1>
                    </header>
                    {move || ctx.is_view_only().then(|| view! {
                        <p class="notice-box view-only-note" role="note">
                            <strong>{t!(i18n, view_only)}</strong> " " {t!(i18n, view_only_explained)}
                        </p>
                    })}
                    <RefusalNote ctx />
                    {move || (!opens_an_item.get()).then(|| view! { <TakePartNote ctx /> <NamePrompt /> })}
                    <SpaceTabs ctx />
                    <Outlet />
                    // Opened at an item (a poster's link): the item first, what to know under it.
                    {move || opens_an_item.get().then(|| view! { <TakePartNote ctx /> <NamePrompt /> })}
                </div>
            }
            .into_any(),
        }}
    }
}

/// What a resident with the take-part link may do here.
#[component]
fn TakePartNote(ctx: SpaceContext) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        (ctx.can_take_part() && !ctx.can_edit()).then(|| {
            view! {
                <p class="notice-box take-part-note" role="note">
                    <strong>{t!(i18n, taking_part)}</strong> " " {t!(i18n, taking_part_explained)}
                </p>
            }
        })
    }
}

/// Whether the address names one item of the space (`/s/<id>/pledges/<item>`), as a poster's
/// link does, rather than a list or the overview.
fn names_an_item(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    parts.len() == 4 && parts[0] == "s" && parts[3] != "new"
}

/// Records this device's member in the space once they have a display name (or renames them).
fn join_when_named(ctx: SpaceContext) {
    let name = expect_context::<DisplayName>().0;
    Effect::new(move |_| {
        let Some(name) = name.get() else { return };
        if !ctx.can_take_part() {
            return;
        }
        let me = ctx.me();
        let recorded = ctx.with(|s| s.members.get(&me).map(|m| (m.name.clone(), m.role.clone())));
        // Not until the engine has the space (a copy from the last visit is not enough) and
        // knows who this device is.
        if me.is_empty() || ctx.status().is_none_or(|s| s.phase != Phase::Ready) {
            return;
        }
        match recorded {
            Some(Some((existing, _))) if existing == name => {}
            Some(Some((_, role))) => ctx.edit_then(vec![Edit::Join { name, role }], drop),
            Some(None) => ctx.edit_then(vec![Edit::Join { name, role: String::new() }], drop),
            None => {}
        }
    });
}

/// On an organiser's device: closes each consultation whose closing time this device's clock has
/// passed (what it counts is fixed then, for every replica: see `linli_model::Consultation`).
/// Looks when the space changes and once a minute; asks once per consultation per visit.
fn close_when_due(ctx: SpaceContext) {
    let tick = RwSignal::new(0_u32);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(60)) {
        on_cleanup(move || handle.clear());
    }
    let asked = StoredValue::new(std::collections::BTreeSet::<String>::new());
    Effect::new(move |_| {
        tick.track();
        if !ctx.can_edit() || ctx.status().is_none_or(|s| s.phase != Phase::Ready) {
            return;
        }
        let now = crate::platform::now();
        let due: Vec<String> = ctx
            .with(|s| s.consultations.iter().filter(|(_, c)| !c.archived && c.status(now) == ConsultationStatus::Closing).map(|(id, _)| id.clone()).collect())
            .unwrap_or_default();
        for id in due {
            if !asked.try_update_value(|asked| asked.insert(id.clone())).unwrap_or(false) {
                continue;
            }
            if let Some(id) = ItemId::parse(&id) {
                ctx.edit_then(vec![Edit::CloseConsultation { id }], drop);
            }
        }
    });
}

/// What a peer said when it refused a change this device made (a relay's limit, or a rule).
#[component]
fn RefusalNote(ctx: SpaceContext) -> impl IntoView {
    let i18n = use_i18n();
    let refused = ctx.engine().get().refused;
    view! {
        {move || refused.get().filter(|r| r.space.as_str() == ctx.id).map(|r| view! {
            <div class="notice-box error refusal-note" role="alert">
                <p>{t!(i18n, change_refused)} " " <span class="refusal-reason">{r.reason}</span></p>
                <button type="button" class="secondary" on:click=move |_| refused.set(None)>{t!(i18n, dismiss)}</button>
            </div>
        })}
    }
}

#[component]
fn SpaceTabs(ctx: SpaceContext) -> impl IntoView {
    let i18n = use_i18n();
    let open_requests = move || ctx.with(|s| s.open_requests().len()).unwrap_or(0);
    view! {
        <nav class="tabs no-print" aria-label=move || t_string!(i18n, sections)>
            <A href=ctx.link("") exact=true>{t!(i18n, overview)}</A>
            <A href=ctx.link("/notices")>{t!(i18n, notices)}</A>
            <A href=ctx.link("/pledges")>{t!(i18n, pledges)}</A>
            <A href=ctx.link("/consultations")>{t!(i18n, consultations)}</A>
            <A href=ctx.link("/requests")>
                {t!(i18n, requests)}
                {move || (open_requests() > 0).then(|| view! { " " <span class="count">{open_requests()}</span> })}
            </A>
            <A href=ctx.link("/boards")>{t!(i18n, boards)}</A>
            <A href=ctx.link("/meetings")>{t!(i18n, meetings)}</A>
            <A href=ctx.link("/participation")>{t!(i18n, participation)}</A>
            {move || (ctx.can_edit() || ctx.with(|s| !s.links.is_empty()).unwrap_or(false)).then(|| view! { <A href=ctx.link("/linked")>{t!(i18n, linked_spaces)}</A> })}
            <A href=ctx.link("/settings")>{t!(i18n, settings)}</A>
        </nav>
    }
}

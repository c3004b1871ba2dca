//! The notice-board kiosk: a full-screen page for a lobby screen that rotates what is current in
//! a space — urgent notices, pinned ones, the rest inside their window; pledges open for signing;
//! open consultations and the decisions of the last week; a summary of requests and tasks — each
//! with a QR code that opens it on a phone.
//!
//! It offers nothing to press but "full screen": passers-by cannot write. It keeps showing from
//! this device's copy when the network drops, re-reads the clock every second so an expired
//! notice leaves at its minute, follows the kiosk settings in the space (categories, seconds per
//! slide, languages cycled), and drifts a few pixels over time against screen burn-in.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Consultation, ConsultationStatus, Lang, Outcome, Space, Timestamp};

use crate::components::consultation_status::{Results, StatusLine};
use crate::components::pledge_progress::PledgeProgress;
use crate::components::qr_code::QrCode;
use crate::components::rich_text::RichText;
use crate::engine::{EngineHandle, RelayStatus};
use crate::format;
use crate::i18n::*;
use crate::language;
use crate::pages::space::{Status, open_space};
use crate::platform;

/// One screenful.
#[derive(Debug, Clone, PartialEq)]
enum Slide {
    Notice {
        id: String,
        title: String,
        body: String,
        urgent: bool,
        pinned: bool,
        category: String,
    },
    Pledge {
        id: String,
        title: String,
        count: u64,
        goal: u64,
    },
    Consultation {
        id: String,
        consultation: Box<Consultation>,
        outcome: Outcome,
        members: usize,
        status: ConsultationStatus,
    },
    /// How many requests are open and answered: counts only, never what residents wrote (the
    /// lobby is public).
    Requests {
        open: usize,
        answered: usize,
        median_response: Option<i64>,
    },
    Board {
        id: String,
        name: String,
        columns: Vec<(String, usize)>,
    },
    /// Requests the spaces below escalated to this one and it has not resolved: (title,
    /// community, department, escalated at, overdue), overdue first.
    Escalations {
        rows: Vec<(String, String, String, Timestamp, bool)>,
    },
}

/// The escalation slide of a space others are linked under: its open escalations, overdue
/// first (oldest first within each), if it has any.
fn escalations_slide(space: &Space, links: &std::collections::BTreeMap<String, linli_model::Link>, now: Timestamp, lang: Lang) -> Option<Slide> {
    let mut rows: Vec<(String, String, String, Timestamp, bool)> = Vec::new();
    for (_, link) in links.iter().filter(|(id, _)| space.links.get(*id).is_some_and(|r| r.is_upper())) {
        for (_, escalation, state) in link.escalations_in_order(now) {
            let overdue = match state {
                linli_model::EscalationState::Waiting { overdue } => overdue,
                linli_model::EscalationState::Claimed { .. } => false,
                linli_model::EscalationState::Resolved { .. } => continue,
            };
            let department = link.upper.departments.get(&escalation.department).and_then(|d| linli_model::pick(&d.names, lang)).unwrap_or_default().to_owned();
            // The lobby never shows a private request's words, even on a device that could open
            // them: an empty title reads "A private request".
            let title = if escalation.sealed.is_some() { String::new() } else { escalation.title.clone() };
            rows.push((title, link.lower.name.clone(), department, escalation.escalated_at, overdue));
        }
    }
    rows.sort_by(|a, b| b.4.cmp(&a.4).then_with(|| a.3.cmp(&b.3)));
    (!rows.is_empty()).then_some(Slide::Escalations { rows })
}

/// What the kiosk shows at `now`, in order: notices (urgent, pinned, newest; only inside their
/// window and of the chosen categories), then open pledges, open consultations and those decided
/// in the last week (unless the kiosk settings leave them out), the requests summary, and each
/// board that has tasks (its columns with their counts).
fn slides(space: &Space, links: &std::collections::BTreeMap<String, linli_model::Link>, now: Timestamp, lang: Lang) -> Vec<Slide> {
    let categories = &space.kiosk.categories;
    let mut slides: Vec<Slide> = space
        .active_notices(now)
        .into_iter()
        .filter(|(_, n)| categories.is_empty() || categories.contains(&n.category))
        .map(|(id, n)| {
            let translated = n.translations.get(lang.tag()).filter(|t| !t.title.is_empty());
            Slide::Notice {
                id: id.to_owned(),
                title: translated.map_or_else(|| n.title.clone(), |t| t.title.clone()),
                body: translated.map_or_else(|| n.body.as_str().to_owned(), |t| t.body.as_str().to_owned()),
                urgent: n.urgent,
                pinned: n.pinned,
                category: space.categories.get(&n.category).and_then(|c| linli_model::pick(&c.names, lang)).unwrap_or_default().to_owned(),
            }
        })
        .collect();
    // A street office's screen leads with escalations when any is overdue, else shows them after
    // the notices.
    if let Some(escalations) = escalations_slide(space, links, now, lang) {
        let overdue = matches!(&escalations, Slide::Escalations { rows } if rows.first().is_some_and(|r| r.4));
        if overdue { slides.insert(0, escalations) } else { slides.push(escalations) }
    }
    slides.extend(space.open_pledges(now).into_iter().map(|(id, p)| Slide::Pledge { id: id.to_owned(), title: p.title.clone(), count: p.signature_count(), goal: p.goal }));
    if space.kiosk.consultations {
        const WEEK: i64 = 7 * 24 * 3_600_000;
        for (id, c) in space.consultations_in_order(now) {
            let status = c.status(now);
            let recent = c.closed.as_ref().is_some_and(|closing| now.0 - closing.at.0 < WEEK);
            if status == ConsultationStatus::Open || (status == ConsultationStatus::Closed && recent) {
                let Some(outcome) = space.outcome(id) else { continue };
                slides.push(Slide::Consultation { id: id.to_owned(), consultation: Box::new(c.clone()), outcome, members: space.members.len(), status });
            }
        }
    }
    let stats = space.request_stats();
    if stats.total > 0 {
        slides.push(Slide::Requests { open: stats.open, answered: stats.total - stats.open, median_response: stats.median_response });
    }
    for (id, board) in space.boards_in_order() {
        let columns: Vec<(String, usize)> = board
            .columns_in_order()
            .into_iter()
            .map(|(column, c)| {
                let name = linli_model::pick(&c.names, lang).unwrap_or_default().to_owned();
                (name, space.column_tasks(id, column).len())
            })
            .collect();
        if columns.iter().any(|(_, n)| *n > 0) {
            slides.push(Slide::Board { id: id.to_owned(), name: board.name.clone(), columns });
        }
    }
    slides
}

/// A few pixels of drift that changes every minute and repeats every hour (against burn-in).
fn drift(now: Timestamp) -> (i64, i64) {
    let minute = now.0.div_euclid(60_000);
    ((minute % 7) - 3, ((minute / 7) % 5) - 2)
}

fn slide_key(id: &str) -> String {
    format!("linli.kiosk-slide.{id}")
}

/// The slide this kiosk showed last (kept in localStorage as it moves on).
fn last_slide(id: &str) -> usize {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    storage.and_then(|s| s.get_item(&slide_key(id)).ok().flatten()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn keep_slide(id: &str, index: usize) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(&slide_key(id), &index.to_string());
    }
}

/// Whether this kiosk has read the urgent notice `notice` aloud already (kept on the kiosk, so a
/// restart does not read it again), marking it read.
fn first_reading(id: &str, notice: &str) -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else { return false };
    let key = format!("linli.kiosk-read.{id}");
    let read = storage.get_item(&key).ok().flatten().unwrap_or_default();
    if read.split(' ').any(|seen| seen == notice) {
        return false;
    }
    // The last hundred are enough to remember: older notices are long gone from the screen.
    let mut kept: Vec<&str> = read.split(' ').filter(|s| !s.is_empty()).collect();
    kept.push(notice);
    let start = kept.len().saturating_sub(100);
    let _ = storage.set_item(&key, &kept[start..].join(" "));
    true
}

/// Reads an urgent notice aloud the first time this kiosk shows it, where the space's kiosk
/// settings ask for it (Settings → kiosk) and the browser has a voice for its language.
fn read_when_first_shown(id: &'static str, slide: &Slide) {
    let Slide::Notice { id: notice, title, body, urgent: true, .. } = slide else { return };
    if !first_reading(id, notice) {
        return;
    }
    let mut lines = vec![title.clone()];
    lines.extend(crate::markdown::to_plain_text(body).lines().map(str::to_owned));
    let language = crate::speech::language_of(&lines.join("\n"));
    leptos::task::spawn_local(async move {
        if crate::speech::has_voice_for(language).await {
            crate::speech::speak(&lines, language, || ());
        }
    });
}

#[component]
pub fn KioskPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.get_untracked().get("id").filter(|text| linli_view::address_text::is_space_id(text)).map(crate::pages::space::intern);
    match id {
        None => view! { <main class="kiosk"><p class="notice-box">"This link does not point to a Linli space."</p></main> }.into_any(),
        Some(id) => view! { <Kiosk id /> }.into_any(),
    }
}

#[component]
fn Kiosk(id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let engine = expect_context::<EngineHandle>();
    let (status, ctx) = open_space(id);
    let now = RwSignal::new(platform::now());
    // The slide shown and how long it has been up, in whole seconds. A kiosk that restarts (a
    // power cut, a crash) goes on from the slide it showed.
    let shown = RwSignal::new((last_slide(id), 0u64));
    let handle = set_interval_with_handle(
        move || {
            now.set(platform::now());
            let seconds = ctx.with(|s| s.kiosk.rotation_seconds.clamp(3, 600)).unwrap_or(12);
            shown.update(|(index, up)| {
                *up += 1;
                if *up >= seconds {
                    *index += 1;
                    *up = 0;
                    keep_slide(id, *index);
                }
            });
        },
        std::time::Duration::from_secs(1),
    );
    on_cleanup(move || {
        if let Ok(handle) = handle {
            handle.clear();
        }
    });
    // Languages cycled: the kiosk's list, else all three; one language per pass through the slides.
    let all = Memo::new(move |_| {
        let lang = language::lang_of(i18n.get_locale());
        ctx.with(|s| ctx.with_links(|links| slides(s, links, now.get(), lang)).unwrap_or_default()).unwrap_or_default()
    });
    Effect::new(move |previous: Option<usize>| {
        let (index, _) = shown.get();
        let count = all.with_untracked(Vec::len).max(1);
        let pass = index / count;
        if previous.is_some_and(|p| p != pass) {
            let languages: Vec<Lang> = ctx.with_untracked(|s| s.kiosk.languages.iter().filter_map(|t| Lang::from_tag(t)).collect()).unwrap_or_default();
            if languages.len() > 1 {
                language::apply(i18n, languages[pass % languages.len()]);
            }
        }
        pass
    });
    let current = Memo::new(move |_| {
        let slides = all.get();
        let (index, _) = shown.get();
        (!slides.is_empty()).then(|| (index % slides.len(), slides.len(), slides[index % slides.len()].clone()))
    });
    Effect::new(move |_| {
        let reads = ctx.with(|s| s.kiosk.read_urgent_aloud).unwrap_or(false);
        if let (true, Some((_, _, slide))) = (reads, current.get()) {
            read_when_first_shown(id, &slide);
        }
    });
    let full_screen = move |_| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.request_fullscreen();
        }
    };
    let relay = engine.get().relay_status;
    let last_heard = engine.get().last_heard;
    view! {
        <main class="kiosk" style=move || { let (x, y) = drift(now.get()); format!("transform: translate({x}px, {y}px)") }>
            <header class="kiosk-bar">
                <h1 class="kiosk-space">{move || ctx.with(|s| s.name.clone())}</h1>
                <p class="kiosk-clock" aria-label=move || t_string!(i18n, time_now)>{move || format::time(now.get(), i18n.get_locale())}</p>
            </header>
            {move || match status.get() {
                Status::Ready => match current.get() {
                    None => view! { <p class="kiosk-empty">{t!(i18n, kiosk_nothing)}</p> }.into_any(),
                    Some((index, count, slide)) => {
                        let position = format!("{} / {}", index + 1, count);
                        view! { <SlideView slide /> <p class="kiosk-position">{position}</p> }.into_any()
                    }
                },
                Status::Unreadable(error) => view! { <p class="notice-box error"><crate::error_text::ErrorText error /></p> }.into_any(),
                _ => view! { <p class="kiosk-empty">{t!(i18n, opening)}</p> }.into_any(),
            }}
            <footer class="kiosk-foot">
                <span class="kiosk-sync" data-relay=move || format!("{:?}", relay.get()).to_lowercase()>
                    {move || match relay.get() {
                        RelayStatus::Online => t_string!(i18n, relay_online).to_string(),
                        _ => t_string!(i18n, kiosk_offline).to_string(),
                    }}
                    {move || last_heard.get().map(|at| format!(" · {}", format::fill(t_string!(i18n, last_synced), &[("time", &format::time(at, i18n.get_locale()))])))}
                </span>
                <button type="button" class="kiosk-full" on:click=full_screen>{t!(i18n, full_screen)}</button>
            </footer>
        </main>
    }
}

#[component]
fn SlideView(slide: Slide) -> impl IntoView {
    let i18n = use_i18n();
    // The kiosk's QR codes carry the take-part link when the kiosk was opened with one (Settings
    // → kiosk): passers-by then sign and comment on their own phones; the kiosk itself has no
    // control anyone could use. Opened with a view link, they read, and say so for pledges.
    let ctx = crate::space_context::use_space();
    let can_sign = ctx.take_part_key().is_some();
    match slide {
        Slide::Notice { id, title, body, urgent, pinned, category } => {
            let link = ctx.share_link(&format!("/notices/{id}"));
            view! {
                <article class="kiosk-slide" class:urgent=urgent aria-labelledby="slide-title" data-slide="notice">
                    <div class="kiosk-text">
                        <p class="task-meta">
                            {urgent.then(|| view! { <span class="badge urgent">{t!(i18n, urgent)}</span> })}
                            {pinned.then(|| view! { <span class="badge">{t!(i18n, pinned)}</span> })}
                            {(!category.is_empty()).then(|| view! { <span class="badge">{category}</span> })}
                        </p>
                        <h2 id="slide-title">{title}</h2>
                        <RichText text=Signal::derive(move || body.clone()) />
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{t!(i18n, scan_to_open)}</p></div>
                </article>
            }
            .into_any()
        }
        Slide::Pledge { id, title, count, goal } => {
            let link = ctx.share_link(&format!("/pledges/{id}"));
            view! {
                <article class="kiosk-slide" aria-labelledby="slide-title" data-slide="pledge">
                    <div class="kiosk-text">
                        <p class="task-meta"><span class="badge">{t!(i18n, pledges)}</span></p>
                        <h2 id="slide-title">{title}</h2>
                        <PledgeProgress count goal />
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{if can_sign { t_string!(i18n, scan_to_sign) } else { t_string!(i18n, scan_to_read_pledge) }}</p></div>
                </article>
            }
            .into_any()
        }
        Slide::Consultation { id, consultation, outcome, members, status } => {
            let link = ctx.share_link(&format!("/consultations/{id}"));
            let (opens_at, closes_at) = (consultation.opens_at, consultation.closes_at);
            let open = status == ConsultationStatus::Open;
            view! {
                <article class="kiosk-slide" aria-labelledby="slide-title" data-slide="consultation">
                    <div class="kiosk-text">
                        <p class="task-meta"><span class="badge">{if open { t_string!(i18n, consultations) } else { t_string!(i18n, decided) }}</span></p>
                        <h2 id="slide-title">{consultation.question.clone()}</h2>
                        <StatusLine status opens_at closes_at />
                        <Results consultation=*consultation outcome members />
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{if open && can_sign { t_string!(i18n, consultation_slide_vote) } else { t_string!(i18n, scan_to_open) }}</p></div>
                </article>
            }
            .into_any()
        }
        Slide::Board { id, name, columns } => {
            let link = ctx.share_link(&format!("/boards/{id}"));
            view! {
                <article class="kiosk-slide" aria-labelledby="slide-title" data-slide="board">
                    <div class="kiosk-text">
                        <p class="task-meta"><span class="badge">{t!(i18n, boards)}</span></p>
                        <h2 id="slide-title">{name}</h2>
                        <ul class="kiosk-columns">
                            {columns.into_iter().map(|(column, count)| view! {
                                <li><span>{column}</span> <strong>{count}</strong></li>
                            }).collect_view()}
                        </ul>
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{t!(i18n, scan_to_open)}</p></div>
                </article>
            }
            .into_any()
        }
        Slide::Escalations { rows } => {
            let link = ctx.share_link("/linked");
            let locale = i18n.get_locale();
            let overdue = rows.iter().filter(|r| r.4).count();
            view! {
                <article class="kiosk-slide" class:urgent={overdue > 0} aria-labelledby="slide-title" data-slide="escalations">
                    <div class="kiosk-text">
                        <h2 id="slide-title">{t!(i18n, escalations)}</h2>
                        <p class="kiosk-figures">{format::fill(t_string!(i18n, kiosk_escalations_summary), &[("open", &rows.len().to_string()), ("overdue", &overdue.to_string())])}</p>
                        <ul class="kiosk-escalations">
                            {rows.into_iter().take(6).map(|(title, community, department, at, overdue)| view! {
                                <li class:overdue=overdue>
                                    {overdue.then(|| view! { <span class="badge urgent">{t!(i18n, overview_overdue)}</span>" " })}
                                    <strong>{if title.is_empty() { t_string!(i18n, private_request).to_string() } else { title }}</strong>" · "{community}" · "{department}" · "{format::date_time(at, locale)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{t!(i18n, scan_to_open)}</p></div>
                </article>
            }
            .into_any()
        }
        Slide::Requests { open, answered, median_response } => {
            let link = ctx.share_link("/requests");
            let open_count = open;
            view! {
                <article class="kiosk-slide" aria-labelledby="slide-title" data-slide="requests">
                    <div class="kiosk-text">
                        <h2 id="slide-title">{t!(i18n, requests)}</h2>
                        <p class="kiosk-figures">
                            {move || format::fill(t_string!(i18n, kiosk_requests_summary), &[("open", &open_count.to_string()), ("answered", &answered.to_string())])}
                            {median_response.map(|ms| view! { <br />{move || format::fill(t_string!(i18n, kiosk_typical_answer), &[("time", &format::duration(ms, i18n.get_locale()))])} })}
                        </p>
                    </div>
                    <div class="kiosk-qr"><QrCode link label=t_string!(i18n, qr_opens_item).to_string() /><p>{t!(i18n, scan_to_open)}</p></div>
                </article>
            }
            .into_any()
        }
    }
}

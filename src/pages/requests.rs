//! Resident requests (接訴即辦): a resident raises one in a category; the team responsible for
//! that category claims and resolves it; everyone sees how long each took.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, ItemId, PlaceAt, Privacy, Space, TaskDraft, Timestamp};

use crate::components::escalation::EscalationStatus;
use crate::components::show_more::{RowLimit, ShowMore};
use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::pages::boards::starter_columns;
use crate::space_context::{current_lang, member_label, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct RequestRow {
    id: String,
    title: String,
    /// Sealed to its team and the organisers.
    private: bool,
    category: String,
    team: Option<String>,
    for_my_team: bool,
    raised_by: String,
    raised_at: Timestamp,
    claimed_by: Option<String>,
    response: Option<i64>,
    resolution: Option<i64>,
    resolved: bool,
}

/// Where new requests go: the board the latest request is on. With none yet, an organiser's
/// device makes a "Resident requests" board, and a resident's request waits on no board (never
/// on the organisers' own first board, whose kiosk slide would count it).
fn request_board(space: &Space) -> Option<(String, String)> {
    let latest = space
        .tasks
        .values()
        .filter(|t| t.request.is_some() && space.boards.get(&t.board).is_some_and(|b| !b.archived))
        .max_by_key(|t| t.request.as_ref().map(|r| r.raised_at))
        .map(|t| t.board.clone());
    let board_id = latest?;
    let column = space.boards.get(&board_id)?.columns_in_order().first().map(|(id, _)| (*id).to_owned())?;
    Some((board_id, column))
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let only_mine = RwSignal::new(false);
    let rows = Memo::new(move |_| {
        let me = ctx.me();
        let lang = current_lang();
        ctx.with(|s| {
            let mut rows: Vec<RequestRow> = s
                .tasks
                .iter()
                .filter(|(_, t)| !t.archived)
                .filter_map(|(id, t)| {
                    let r = t.request.as_ref()?;
                    let responsibility = s.responsibilities.get(&r.category);
                    // Not opened here (or not yet: the first picture comes before the engine).
                    let closed = t.sealed.is_some() && s.privacy(&format!("tasks/{id}")) != Some(Privacy::Open);
                    Some(RequestRow {
                        id: id.clone(),
                        // What everyone reads of a private request: that it exists, its category,
                        // state and times (or a summary its team published).
                        title: if closed && t.title.is_empty() { t_string!(i18n, private_request).to_string() } else { t.title.clone() },
                        private: t.sealed.is_some(),
                        category: s.categories.get(&r.category).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                        team: responsibility.map(|x| x.team.clone()).filter(|t| !t.is_empty()),
                        for_my_team: responsibility.is_some_and(|x| x.members.get(&me).copied().unwrap_or(false)),
                        raised_by: if closed { t_string!(i18n, a_resident).to_string() } else { member_label(s, &r.raised_by) },
                        raised_at: r.raised_at,
                        claimed_by: (!t.claimed_by.is_empty()).then(|| member_label(s, &t.claimed_by)),
                        response: r.response_time(),
                        resolution: r.resolution_time(),
                        resolved: r.resolved_at.is_some(),
                    })
                })
                .collect();
            rows.sort_by_key(|row| std::cmp::Reverse(row.raised_at));
            rows
        })
        .unwrap_or_default()
    });
    let stats = Memo::new(move |_| ctx.with(|s| s.request_stats()));
    let act = move |id: String, claim: bool| {
        let Some(id) = ItemId::parse(&id) else { return };
        let edit = if claim { Edit::ClaimTask { id } } else { Edit::ResolveRequest { id, resolved: true } };
        ctx.edit_then(vec![edit], drop);
    };
    let limits = [RowLimit::new(), RowLimit::new()];
    let list = move |resolved: bool| {
        let mine = only_mine.get();
        let rows: Vec<RequestRow> = rows.get().into_iter().filter(|r| r.resolved == resolved && (!mine || r.for_my_team)).collect();
        let (limit, total) = (limits[usize::from(resolved)], rows.len());
        let rows = limit.first(rows);
        let locale = i18n.get_locale();
        if rows.is_empty() {
            return view! { <p class="muted">{t!(i18n, none_here)}</p> }.into_any();
        }
        view! {
            <ul class="plain requests">
                {rows.into_iter().map(|r| {
                    let (claim_id, resolve_id) = (r.id.clone(), r.id.clone());
                    let title = r.title.clone();
                    let title2 = r.title.clone();
                    view! {
                        <li class="card request-row" data-request=r.id.clone()>
                            <a class="notice-link" href=ctx.link(&format!("/tasks/{}", r.id))>{r.title.clone()}</a>
                            <p class="task-meta">
                                {r.private.then(|| view! { <span class="badge private-badge">{t!(i18n, private_badge)}</span> })}
                                {(!r.category.is_empty()).then(|| view! { <span class="badge">{r.category.clone()}</span> })}
                                {r.team.clone().map(|team| view! { <span class="team">{fill(t_string!(i18n, responsible_team), &[("team", &team.to_string())])}</span> })}
                                <span class="muted">{fill(t_string!(i18n, raised_by_on), &[("name", &r.raised_by.clone().to_string()), ("date", &format::date_time(r.raised_at, locale).to_string())])}</span>
                            </p>
                            <p class="times">
                                <span class="response-time">{fill(t_string!(i18n, response_label), &[("time", &r.response.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, waiting).to_string()).to_string())])}</span>
                                " · "
                                <span class="resolution-time">{fill(t_string!(i18n, resolution_label), &[("time", &r.resolution.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, not_yet).to_string()).to_string())])}</span>
                                {r.claimed_by.clone().map(|name| view! { " · " {fill(t_string!(i18n, claimed_by), &[("name", &name.to_string())])} })}
                            </p>
                            <EscalationStatus request=r.id.clone() />
                            {(!r.resolved).then(|| view! {
                                <div class="actions no-print edit-only">
                                    {r.claimed_by.is_none().then(|| view! {
                                        <button type="button" aria-label=fill(t_string!(i18n, claim_named), &[("title", &title.clone().to_string())]).to_string()
                                            on:click=move |_| act(claim_id.clone(), true)>{t!(i18n, claim)}</button>
                                    })}
                                    <button type="button" class="secondary" aria-label=fill(t_string!(i18n, resolve_named), &[("title", &title2.clone().to_string())]).to_string()
                                        on:click=move |_| act(resolve_id.clone(), false)>{t!(i18n, resolve)}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ShowMore limit total=Signal::derive(move || total) />
        }.into_any()
    };
    view! {
        <RaiseRequestForm />
        <section class="card" aria-labelledby="response-heading">
            <h2 id="response-heading">{t!(i18n, response_times)}</h2>
            {move || stats.get().map(|st| {
                let locale = i18n.get_locale();
                let show = move |v: Option<i64>| v.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| "—".into());
                view! {
                    <dl class="stats">
                        <div><dt>{t!(i18n, open_count)}</dt><dd class="stat-open">{st.open}</dd></div>
                        <div><dt>{t!(i18n, total_count)}</dt><dd>{st.total}</dd></div>
                        <div><dt>{t!(i18n, median_response)}</dt><dd>{show(st.median_response)}</dd></div>
                        <div><dt>{t!(i18n, median_resolution)}</dt><dd>{show(st.median_resolution)}</dd></div>
                    </dl>
                }
            })}
        </section>
        <label class="check no-print"><input type="checkbox" prop:checked=move || only_mine.get() on:change=move |ev| only_mine.set(event_target_checked(&ev)) />{t!(i18n, only_my_teams)}</label>
        <section aria-labelledby="open-requests-list">
            <h2 id="open-requests-list">{t!(i18n, open_requests)}</h2>
            {move || list(false)}
        </section>
        <section aria-labelledby="resolved-requests-list">
            <h2 id="resolved-requests-list">{t!(i18n, resolved_requests)}</h2>
            {move || list(true)}
        </section>
    }
}

/// The starter category every space begins with for notices in general.
const GENERAL_CATEGORY: &str = "c000000000000001";

#[component]
fn RaiseRequestForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let title = RwSignal::new(String::new());
    let details = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    // Who may read it: the team responsible and the organisers (the default), or everyone — where
    // the space's rules know sealed parts (not in a protected space made by an older Linli).
    let private_chosen = RwSignal::new(true);
    let seals = Memo::new(move |_| ctx.status().is_none_or(|status| status.seals));
    let private = Signal::derive(move || private_chosen.get() && seals.get());
    // Where to visit and whom to call back: asked only when private, sealed with the details.
    let (flat, phone) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // Kept on the resident's member entry, sealed to them and the organisers: offered again next time.
    let saved = Memo::new(move |_| {
        let me = ctx.me();
        ctx.with(|s| s.members.get(&me).and_then(|m| m.call_back.clone())).flatten()
    });
    let remember = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(details) = saved.get() {
            if flat.get_untracked().is_empty() && phone.get_untracked().is_empty() {
                flat.set(details.flat);
                phone.set(details.phone);
            }
            remember.set(true);
        }
    });
    let error = RwSignal::new(None::<String>);
    let categories = Memo::new(move |_| {
        let lang = current_lang();
        let mut categories = ctx.with(|s| s.categories_in_order().into_iter().map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()).unwrap_or_default();
        // The starter "General" (通知) is for notices: a request chooses among the others first.
        if let Some(at) = categories.iter().position(|(id, _)| id == GENERAL_CATEGORY) {
            let general = categories.remove(at);
            categories.push(general);
        }
        categories
    });
    let raise = move |ev: SubmitEvent| {
        ev.prevent_default();
        let chosen = category.get_untracked();
        let chosen = if chosen.is_empty() { categories.get_untracked().first().map(|(id, _)| id.clone()).unwrap_or_default() } else { chosen };
        let private = private.get_untracked();
        let mut description = details.get_untracked().trim().to_owned();
        let (flat_now, phone_now) = (flat.get_untracked().trim().to_owned(), phone.get_untracked().trim().to_owned());
        if private && !(flat_now.is_empty() && phone_now.is_empty()) {
            let contact = [(t_string!(i18n, flat_label), flat_now.clone()), (t_string!(i18n, phone_label), phone_now.clone())]
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(label, value)| format!("{label}{}{value}", format::colon(i18n.get_locale_untracked())))
                .collect::<Vec<_>>()
                .join("  \n");
            description = if description.is_empty() { contact } else { format!("{description}\n\n{contact}") };
        }
        let call_back = match (private, remember.get_untracked(), saved.get_untracked()) {
            (true, true, saved) if saved.as_ref().is_none_or(|d| d.flat != flat_now || d.phone != phone_now) && !(flat_now.is_empty() && phone_now.is_empty()) => {
                Some(Edit::SetCallBack { flat: flat_now.clone(), phone: phone_now.clone() })
            }
            (true, false, Some(_)) => Some(Edit::SetCallBack { flat: String::new(), phone: String::new() }),
            _ => None,
        };
        let draft = TaskDraft { title: title.get_untracked(), description, ..Default::default() };
        let id = ctx.new_id();
        let existing = ctx.with_untracked(request_board).flatten();
        let organiser = ctx.can_edit();
        let edits = match existing {
            Some((board, column)) => match (ItemId::parse(&board), ItemId::parse(&column)) {
                (Some(board), Some(column)) => vec![Edit::RaiseRequest { id, board, column, category: chosen, draft, place: PlaceAt::End, private }],
                _ => return error.set(Some(t_string!(i18n, item_not_found).to_owned())),
            },
            // A resident cannot make a board: the request waits on none, in this list.
            None if !organiser => vec![Edit::RaiseUnfiledRequest { id, category: chosen, draft, private }],
            None => {
                let board = ctx.new_id();
                let columns = starter_columns(ctx);
                let column = columns[0].0.clone();
                vec![
                    Edit::CreateBoard { id: board.clone(), name: "Resident requests · 接訴即辦".into(), columns },
                    Edit::RaiseRequest { id, board, column, category: chosen, draft, place: PlaceAt::End, private },
                ]
            }
        };
        let edits = edits.into_iter().chain(call_back).collect();
        ctx.edit_then(edits, move |outcome| match outcome {
            Ok(()) => {
                title.set(String::new());
                details.set(String::new());
                let kept = saved.get_untracked().unwrap_or_default();
                flat.set(kept.flat);
                phone.set(kept.phone);
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card take-part" on:submit=raise aria-labelledby="raise-heading">
            <h2 id="raise-heading">{t!(i18n, raise_request)}</h2>
            {move || if seals.get() {
                view! {
                    <fieldset class="who-reads">
                        <legend>{t!(i18n, who_may_read)}</legend>
                        <label class="check"><input type="radio" name="request-readers" id="request-private" prop:checked=move || private.get() on:change=move |_| private_chosen.set(true) />{t!(i18n, readers_team_and_organisers)}</label>
                        <label class="check"><input type="radio" name="request-readers" id="request-public" prop:checked=move || !private.get() on:change=move |_| private_chosen.set(false) />{t!(i18n, readers_everyone)}</label>
                        <p class="small who-reads-requests">{move || if private.get() { t_string!(i18n, who_reads_private) } else { t_string!(i18n, who_reads_requests) }}</p>
                    </fieldset>
                }.into_any()
            } else {
                view! { <p class="small who-reads-requests no-private">{t!(i18n, no_private_requests_here)} " " {t!(i18n, who_reads_requests)}</p> }.into_any()
            }}
            <label for="request-title">{t!(i18n, request_what)}</label>
            <input id="request-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="request-details">{t!(i18n, request_details)}</label>
            <textarea id="request-details" rows="3" maxlength="4000" prop:value=move || details.get() on:input=move |ev| details.set(event_target_value(&ev)) />
            {move || private.get().then(|| view! {
                <div class="field-row private-contact">
                    <div>
                        <label for="request-flat">{t!(i18n, flat_label)}</label>
                        <input id="request-flat" maxlength="40" autocomplete="address-line2" prop:value=move || flat.get() on:input=move |ev| flat.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="request-phone">{t!(i18n, phone_for_call_back)}</label>
                        <input id="request-phone" type="tel" maxlength="30" autocomplete="tel" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                    </div>
                </div>
                <label class="check remember-call-back"><input type="checkbox" id="remember-call-back" prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev)) />{t!(i18n, remember_call_back)}</label>
            })}
            <label for="request-category">{t!(i18n, category)}</label>
            <select id="request-category" on:change=move |ev| category.set(event_target_value(&ev))>
                {move || categories.get().into_iter().map(|(id, name)| {
                    let selected_id = id.clone();
                    view! { <option value=id selected=move || category.get() == selected_id>{name}</option> }
                }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, raise)}</button>
        </form>
    }
}

//! One consultation: the question and its background, voting (public, like a show of hands, and
//! said so before one votes), the result (provisional until closed, derived from the document),
//! who voted what, paper counts, closing, the discussion, and what became of the decision.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Consultation, ConsultationStatus, Decision, Edit, ItemId, NoticeDraft, Outcome, PledgeDraft, Space, TaskDraft};

use crate::components::comments::{Comments, CommentsOn};
use crate::components::consultation_status::{Results, StatusLine, option_name};
use crate::components::item_links::ItemLinks;
use crate::components::member_name::MemberName;
use crate::components::qr_code::QrCode;
use crate::components::read_aloud::ReadAloud;
use crate::components::rich_text::RichText;
use crate::display_name::DisplayName;
use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{member_label, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    consultation: Consultation,
    status: ConsultationStatus,
    outcome: Outcome,
    members: usize,
    /// (member, name, options chosen, arrived after the close and not counted), in the order
    /// they voted.
    voters: Vec<(String, String, Vec<String>, bool)>,
    /// (item path, title, kind, done) of each follow-up.
    follow_ups: Vec<(String, String, String, bool)>,
}

#[component]
pub fn ConsultationPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    // The page follows the clock: at the deadline the form goes and the status changes.
    let clock = crate::clock::ticking_now(std::time::Duration::from_secs(1));
    let shown = Memo::new(move |_| {
        let now = clock.get();
        ctx.with(|s| {
            let id = item.get();
            let c = s.consultations.get(&id)?;
            let mut votes: Vec<_> = c.votes.iter().collect();
            votes.sort_by_key(|(_, v)| v.at);
            let chosen = |v: &linli_model::Vote| v.choices.iter().filter(|(_, on)| **on).map(|(id, _)| id.clone()).collect::<Vec<_>>();
            let follow_ups = c
                .follow_ups
                .iter()
                .map(|(item, f)| match f.kind.as_str() {
                    "task" => {
                        let task = s.tasks.get(item);
                        let done = task.is_some_and(|t| s.done_at(t).is_some());
                        (format!("/tasks/{item}"), task.map(|t| t.title.clone()).unwrap_or_default(), f.kind.clone(), done)
                    }
                    "notice" => (format!("/notices/{item}"), s.notices.get(item).map(|n| n.title.clone()).unwrap_or_default(), f.kind.clone(), false),
                    _ => (format!("/pledges/{item}"), s.pledges.get(item).map(|p| p.title.clone()).unwrap_or_default(), f.kind.clone(), false),
                })
                .collect();
            Some(Shown {
                consultation: c.clone(),
                status: c.status(now),
                outcome: s.outcome(&id)?,
                members: s.members.len(),
                voters: votes
                    .iter()
                    .map(|(m, v)| {
                        let late = c.closed.is_some() && s.tallies.get(&id).is_some_and(|t| !t.votes.contains_key(*m));
                        ((*m).clone(), member_label(s, m), chosen(v), late)
                    })
                    .collect(),
                follow_ups,
            })
        })
        .flatten()
    });
    let background = Signal::derive(move || ctx.with(|s| s.consultations.get(&item.get()).map(|c| c.background.clone())).flatten().unwrap_or_default());
    let poster_link = move || ctx.share_link(&format!("/consultations/{}", item.get()));
    let closing_error = RwSignal::new(None::<String>);
    // Asked to close: the count waits for the relay's record (at once when it is reachable).
    let close_asked = RwSignal::new(false);
    let close_now = move |_| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        close_asked.set(true);
        ctx.edit_then(vec![Edit::CloseConsultation { id }], move |outcome| closing_error.set(outcome.err()));
    };
    // The forms live outside the drawn sheet: a neighbour's vote re-draws the sheet, never a form
    // someone is filling in.
    let status = Memo::new(move |_| shown.with(|s| s.as_ref().map(|s| s.status)));
    let decided = Memo::new(move |_| {
        shown.with(|s| s.as_ref().is_some_and(|s| s.status == ConsultationStatus::Closed && matches!(s.outcome.decision, Decision::Adopted | Decision::Chosen(_))))
    });
    // Outside the drawn sheet: a neighbour's change re-draws the sheet, never stops the reading.
    let read_title = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.consultation.question.clone()).unwrap_or_default()));
    view! {
        <Show when=move || shown.with(Option::is_some)>
            <ReadAloud title=read_title text=background />
        </Show>
        {move || match shown.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(shown) => {
                let c = shown.consultation.clone();
                let closed = shown.status == ConsultationStatus::Closed;
                view! {
                    <article class="card consultation-sheet" aria-labelledby="consultation-title">
                        <h2 id="consultation-title" class="sheet-title">{c.question.clone()}</h2>
                        <StatusLine status=shown.status opens_at=c.opens_at closes_at=c.closes_at now=clock />
                        <RichText text=background />
                        <Results consultation=c.clone() outcome=shown.outcome.clone() members=shown.members />
                        <div class="print-qr">
                            {move || view! { <QrCode link=poster_link() label=t_string!(i18n, qr_opens_item).to_string() /> }}
                            <p class="small">{t!(i18n, scan_to_vote)}</p>
                        </div>
                        <h3>{fill(t_string!(i18n, voters_heading), &[("count", &shown.voters.len().to_string())])}</h3>
                        <ul class="signers voters">
                            {shown.voters.iter().cloned().map(|(member, name, chosen, late)| {
                                let names = chosen.iter().map(|id| option_name(&c, id, i18n)).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li data-late=late.to_string()>
                                        <MemberName member name /> " · " <span class="vote-choice">{names}</span>
                                        {late.then(|| view! { " " <span class="badge late-vote">{t!(i18n, vote_arrived_late)}</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(!shown.follow_ups.is_empty()).then(|| view! {
                            <h3>{t!(i18n, what_became_of_it)}</h3>
                            <ul class="follow-ups">
                                {shown.follow_ups.iter().cloned().map(|(path, title, kind, done)| view! {
                                    <li data-kind=kind.clone()>
                                        <a href=ctx.link(&path)>{title}</a>
                                        {done.then(|| view! { " " <span class="badge">{t!(i18n, done)}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(!closed).then(|| view! {
                            <p class="edit-only no-print">
                                <button type="button" class="secondary close-now" on:click=close_now>{t!(i18n, close_and_count)}</button>
                                {move || (close_asked.get() && closing_error.get().is_none()).then(|| view! { <span class="muted close-waiting" role="status">{t!(i18n, closing_waits_for_relay)}</span> })}
                                {move || closing_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
                            </p>
                        })}
                    </article>
                }.into_any()
            }
        }}
        {move || {
            let id = item.get();
            let (vote_id, paper_id, follow_id, links_id) = (id.clone(), id.clone(), id.clone(), id.clone());
            view! {
                <Show when=move || status.get() == Some(ConsultationStatus::Open)>
                    <VoteForm item=vote_id.clone() />
                </Show>
                <MyVote item=id.clone() />
                <Show when=move || status.get().is_some_and(|s| s != ConsultationStatus::Closed)>
                    <PaperVotesForm item=paper_id.clone() />
                </Show>
                <Show when=move || decided.get()>
                    <FollowUpForm item=follow_id.clone() />
                </Show>
                <Show when=move || status.get().is_some()>
                    <Comments on=CommentsOn::Consultation item />
                    <ItemLinks kind="consultation" item=links_id.clone() />
                </Show>
            }
        }}
    }
}

/// Voting: radio buttons (one choice) or checkboxes (up to N); a name first if this device has
/// none; votes are public, and the form says so.
#[component]
fn VoteForm(item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let display = expect_context::<DisplayName>();
    let Some(consultation) = ctx.with_untracked(|s| s.consultations.get(&item).cloned()).flatten() else { return ().into_any() };
    let mine: Vec<String> = consultation.votes.get(&ctx.me()).map(|v| v.choices.keys().cloned().collect()).unwrap_or_default();
    let chosen = RwSignal::new(mine);
    let voted_before = {
        let item = item.clone();
        Memo::new(move |_| {
            let me = ctx.me();
            ctx.with(|s| s.consultations.get(&item).is_some_and(|c| c.votes.contains_key(&me))).unwrap_or(false)
        })
    };
    let new_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let allowed = consultation.choices_allowed();
    let single = allowed == 1;
    let options: Vec<(String, String)> = consultation.open_options_in_order().into_iter().map(|(id, _)| (id.to_owned(), option_name(&consultation, id, i18n))).collect();
    let cast = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item) else { return };
        let mut edits = Vec::new();
        if display.0.get_untracked().is_none() {
            let typed = new_name.get_untracked();
            if typed.trim().is_empty() {
                return;
            }
            display.set(&typed);
            edits.push(Edit::Join { name: typed.trim().to_owned(), role: String::new() });
        }
        edits.push(Edit::Vote { id, choices: chosen.get_untracked() });
        ctx.edit_then(edits, move |outcome| error.set(outcome.err()));
    };
    view! {
        <form class="no-print take-part vote-form" on:submit=cast>
            <fieldset>
                <legend>{move || if single { t_string!(i18n, your_vote).to_string() } else { fill(t_string!(i18n, your_vote_up_to), &[("count", &allowed.to_string())]) }}</legend>
                {options.into_iter().map(|(id, name)| {
                    let (this, this_too) = (id.clone(), id.clone());
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        chosen.update(|c| {
                            if single {
                                *c = vec![this.clone()];
                            } else if on && !c.contains(&this) {
                                c.push(this.clone());
                            } else if !on {
                                c.retain(|x| *x != this);
                            }
                        });
                    };
                    view! {
                        <label class="check vote-option">
                            <input type=if single { "radio" } else { "checkbox" } name="vote" value=id.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&this_too)) on:change=toggle />
                            " " {name}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="small public-vote-note">{t!(i18n, votes_are_public)}</p>
            {move || display.0.get().is_none().then(|| view! {
                <label for="voter-name">{t!(i18n, your_name_to_vote)}</label>
                <input id="voter-name" required maxlength="60" autocomplete="nickname" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
            })}
            {move || voted_before.get().then(|| view! { <p class="signed-note">{t!(i18n, you_voted_can_change)}</p> })}
            <button type="submit" class="sign-button" prop:disabled=move || chosen.with(|c| c.is_empty() || c.len() as u64 > allowed)>
                {move || if voted_before.get() { t_string!(i18n, change_vote) } else { t_string!(i18n, cast_vote) }}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
    .into_any()
}

/// Where this device's member's vote stands: saved here and not yet sent (offline), sent, and
/// once the consultation is closed: counted, or arrived after the close and not counted.
#[component]
fn MyVote(item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let relay = ctx.engine().get().relay_status;
    let state = Memo::new(move |_| {
        let me = ctx.me();
        ctx.with(|s| {
            let c = s.consultations.get(&item)?;
            c.votes.get(&me)?;
            Some(match (c.closed.is_some(), s.tallies.get(&item).is_some_and(|t| t.votes.contains_key(&me))) {
                (true, true) => "counted",
                (true, false) => "late",
                (false, _) if relay.get() == crate::engine::RelayStatus::Online => "sent",
                (false, _) => "unsent",
            })
        })
        .flatten()
    });
    move || {
        state.get().map(|state| {
            let text = match state {
                "counted" => t_string!(i18n, my_vote_counted),
                "late" => t_string!(i18n, my_vote_late),
                "sent" => t_string!(i18n, my_vote_sent),
                _ => t_string!(i18n, my_vote_unsent),
            };
            view! { <p class="notice-box my-vote" role="status" data-state=state>{text}</p> }
        })
    }
}

/// A paper ballot box or a show of hands, counted in by an organiser.
#[component]
fn PaperVotesForm(item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let Some(consultation) = ctx.with_untracked(|s| s.consultations.get(&item).cloned()).flatten() else { return ().into_any() };
    let options: Vec<(String, String)> = consultation.options_in_order().into_iter().map(|(id, _)| (id.to_owned(), option_name(&consultation, id, i18n))).collect();
    let counts: Vec<(String, String, RwSignal<String>)> = options.into_iter().map(|(id, name)| (id, name, RwSignal::new(String::new()))).collect();
    let voters = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let fields = counts.clone();
    let record = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item) else { return };
        let counts = fields.iter().map(|(id, _, n)| (id.clone(), n.get_untracked().trim().parse().unwrap_or(0))).collect();
        let voters_n = voters.get_untracked().trim().parse().unwrap_or(0);
        let entry = ctx.new_id();
        let fields = fields.clone();
        ctx.edit_then(vec![Edit::RecordPaperVotes { id, entry, counts, voters: voters_n, note: note.get_untracked() }], move |outcome| match outcome {
            Ok(()) => {
                fields.iter().for_each(|(_, _, n)| n.set(String::new()));
                voters.set(String::new());
                note.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card no-print edit-only" on:submit=record aria-labelledby="paper-votes-heading">
            <h2 id="paper-votes-heading">{t!(i18n, paper_votes_heading)}</h2>
            <div class="field-row">
                {counts.into_iter().enumerate().map(|(i, (_, name, n))| {
                    let input_id = format!("paper-option-{i}");
                    view! {
                        <div>
                            <label for=input_id.clone()>{name}</label>
                            <input id=input_id type="number" min="0" inputmode="numeric" prop:value=move || n.get() on:input=move |ev| n.set(event_target_value(&ev)) />
                        </div>
                    }
                }).collect_view()}
                <div>
                    <label for="paper-voters">{t!(i18n, paper_voters)}</label>
                    <input id="paper-voters" type="number" min="1" required inputmode="numeric" prop:value=move || voters.get() on:input=move |ev| voters.set(event_target_value(&ev)) />
                </div>
            </div>
            <label for="paper-votes-note">{t!(i18n, note)}</label>
            <input id="paper-votes-note" maxlength="200" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, record_paper)}</button>
        </form>
    }
    .into_any()
}

/// What an adopted decision leads to: a task on a board, a notice announcing it, or a pledge.
#[component]
fn FollowUpForm(item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let question = ctx.with_untracked(|s| s.consultations.get(&item).map(|c| c.question.clone())).flatten().unwrap_or_default();
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new(String::from("task"));
    let error = RwSignal::new(None::<String>);
    let boards = Memo::new(move |_| ctx.with(Space::boards_for_new_tasks).unwrap_or_default());
    let board = RwSignal::new(String::new());
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(consultation) = ItemId::parse(&item) else { return };
        let id = ctx.new_id();
        let words = title.get_untracked();
        let edit = match kind.get_untracked().as_str() {
            "notice" => Edit::FollowUpWithNotice { consultation, id, draft: NoticeDraft::new(&words, &question) },
            "pledge" => Edit::FollowUpWithPledge { consultation, id, draft: PledgeDraft { title: words, text: question.clone(), ..Default::default() } },
            _ => {
                let all = boards.get_untracked();
                let chosen = board.get_untracked();
                let Some((board_id, _, column)) = all.iter().find(|(id, _, _)| *id == chosen).or(all.first()).cloned() else {
                    error.set(Some(t_string!(i18n, make_a_board_first).to_string()));
                    return;
                };
                let (Some(board), Some(column)) = (ItemId::parse(&board_id), ItemId::parse(&column)) else { return };
                Edit::FollowUpWithTask { consultation, id, board, column, draft: TaskDraft { title: words, ..Default::default() } }
            }
        };
        ctx.edit_then(vec![edit], move |outcome| match outcome {
            Ok(()) => {
                title.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card no-print edit-only follow-up-form" on:submit=create aria-labelledby="follow-up-heading">
            <h2 id="follow-up-heading">{t!(i18n, act_on_decision)}</h2>
            <label for="follow-up-kind">{t!(i18n, follow_up_as)}</label>
            <select id="follow-up-kind" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                <option value="task">{t!(i18n, follow_up_task)}</option>
                <option value="notice">{t!(i18n, follow_up_notice)}</option>
                <option value="pledge">{t!(i18n, follow_up_pledge)}</option>
            </select>
            <Show when=move || kind.get() == "task">
                <label for="follow-up-board">{t!(i18n, board)}</label>
                <select id="follow-up-board" on:change=move |ev| board.set(event_target_value(&ev))>
                    {move || boards.get().into_iter().map(|(id, name, _)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </Show>
            <label for="follow-up-title">{t!(i18n, title)}</label>
            <input id="follow-up-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, create)}</button>
        </form>
    }
}

//! One pledge: its text, progress to the goal, the condition's state, who signed; signing,
//! withdrawing, and entering signatures collected on paper.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Edit, ItemId, PledgeStatus, Timestamp};

use crate::components::item_links::ItemLinks;
use crate::components::member_name::MemberName;
use crate::components::pledge_progress::PledgeProgress;
use crate::components::qr_code::QrCode;
use crate::components::read_aloud::ReadAloud;
use crate::components::rich_text::RichText;
use crate::display_name::DisplayName;
use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::platform;
use crate::space_context::use_space;

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    count: u64,
    goal: u64,
    binding_at: Option<u64>,
    status: PledgeStatus,
    open: bool,
    deadline: Option<Timestamp>,
    /// (member, name signed with), first signer first.
    signers: Vec<(String, String)>,
    paper: u64,
    /// Whether this device's member has a signature that counts.
    signed: bool,
}

#[component]
pub fn PledgePage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let display = expect_context::<DisplayName>();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let shown = Memo::new(move |_| {
        let me = ctx.me();
        let now = platform::now();
        ctx.with(|s| {
            let p = s.pledges.get(&item.get())?;
            let mut signers: Vec<_> = p.signatures.iter().filter(|(_, sig)| sig.withdrawn_at.is_none()).collect();
            signers.sort_by_key(|(_, sig)| sig.signed_at);
            Some(Shown {
                title: p.title.clone(),
                count: p.signature_count(),
                goal: p.goal,
                binding_at: p.binding_at,
                status: p.status(now),
                open: p.is_open_for_signing(now),
                deadline: p.deadline,
                signers: signers.iter().map(|(member, sig)| ((*member).clone(), sig.name.clone())).collect(),
                paper: p.paper.values().map(|r| r.count).sum(),
                signed: p.signatures.get(&me).is_some_and(|sig| sig.withdrawn_at.is_none()),
            })
        })
        .flatten()
    });
    let text = Signal::derive(move || ctx.with(|s| s.pledges.get(&item.get()).map(|p| p.text.as_str().to_owned())).flatten().unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    // First time here: the name goes with the signature, in the same tap.
    let new_name = RwSignal::new(String::new());
    let sign = move || {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let mut edits = Vec::new();
        if display.0.get_untracked().is_none() {
            let typed = new_name.get_untracked();
            if typed.trim().is_empty() {
                return;
            }
            display.set(&typed);
            // Join by that name first, in the same tap (the space's own join effect is later).
            edits.push(Edit::Join { name: typed.trim().to_owned(), role: String::new() });
        }
        let name = display.0.get_untracked().unwrap_or_default();
        edits.push(Edit::SignPledge { id, name });
        ctx.edit_then(edits, move |outcome| error.set(outcome.err()));
    };
    let sign_named = move |ev: SubmitEvent| {
        ev.prevent_default();
        sign();
    };
    let withdraw = move |_| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        ctx.edit_then(vec![Edit::WithdrawSignature { id }], move |outcome| error.set(outcome.err()));
    };
    // A poster's QR code lets whoever scans it sign (a take-part link), when this device can make
    // one; else it reads.
    let can_sign_by_poster = move || ctx.take_part_key().is_some();
    let poster_link = move || ctx.share_link(&format!("/pledges/{}", item.get()));
    // Outside the drawn sheet: a neighbour's change re-draws the sheet, never stops the reading.
    let read_title = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.title.clone()).unwrap_or_default()));
    view! {
        <Show when=move || shown.with(Option::is_some)>
            <ReadAloud title=read_title text=text />
        </Show>
        {move || match shown.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(p) => {
                let locale = i18n.get_locale();
                view! {
                    <article class="card pledge-sheet" aria-labelledby="pledge-title">
                        <h2 id="pledge-title" class="sheet-title">{p.title.clone()}</h2>
                        <RichText text />
                        <PledgeProgress count=p.count goal=p.goal />
                        <p class="pledge-status" data-status=format!("{:?}", p.status).to_lowercase()>
                            {match p.status {
                                PledgeStatus::Open => t_string!(i18n, status_open).to_string(),
                                PledgeStatus::ConditionMet => t_string!(i18n, status_condition_met).to_string(),
                                PledgeStatus::Reached => t_string!(i18n, status_reached).to_string(),
                                PledgeStatus::Expired => t_string!(i18n, status_expired).to_string(),
                            }}
                            {p.binding_at.map(|n| view! { " · " {fill(t_string!(i18n, binding_once), &[("count", &n.to_string())])} })}
                            {p.deadline.map(|d| view! { " · " {fill(t_string!(i18n, deadline_on), &[("date", &format::date_time(d, locale).to_string())])} })}
                        </p>
                        <div class="print-qr">
                            {move || view! { <QrCode link=poster_link() label=t_string!(i18n, qr_opens_item).to_string() /> }}
                            <p class="small">{move || if can_sign_by_poster() { t_string!(i18n, scan_to_sign) } else { t_string!(i18n, scan_to_read_pledge) }}</p>
                        </div>
                        <div class="no-print take-part sign-area">
                            {if p.signed {
                                view! {
                                    <p class="signed-note">{t!(i18n, you_signed)}</p>
                                    <button type="button" class="secondary" on:click=withdraw>{t!(i18n, withdraw)}</button>
                                }.into_any()
                            } else if !p.open {
                                view! { <p class="muted">{t!(i18n, closed_for_signing)}</p> }.into_any()
                            } else if display.0.get().is_none() {
                                view! {
                                    <form class="sign-with-name" on:submit=sign_named>
                                        <label for="signer-name">{t!(i18n, your_name_to_sign)}</label>
                                        <input id="signer-name" required maxlength="60" autocomplete="nickname"
                                            prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                                        <button type="submit">{t!(i18n, sign)}</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="sign-button" on:click=move |_| sign()>
                                        {move || fill(t_string!(i18n, sign_as), &[("name", &display.0.get().unwrap_or_default().to_string())])}
                                    </button>
                                }.into_any()
                            }}
                            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        </div>
                        <h3>{fill(t_string!(i18n, signers_heading), &[("count", &p.signers.len().to_string())])}</h3>
                        <ul class="signers">{p.signers.iter().cloned().map(|(member, name)| view! { <li><MemberName member name /></li> }).collect_view()}</ul>
                        {(p.paper > 0).then(|| view! { <p class="muted">{fill(t_string!(i18n, paper_count), &[("count", &p.paper.to_string())])}</p> })}
                    </article>
                    <PaperSignaturesForm item=item.get_untracked() />
                    <ItemLinks kind="pledge" item=item.get_untracked() />
                }.into_any()
            }
        }}
    }
}

/// Signatures collected on paper, entered by a coordinator; each entry adds up.
#[component]
fn PaperSignaturesForm(item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let count = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let record = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item) else { return };
        let n: u64 = count.get_untracked().trim().parse().unwrap_or(0);
        let entry = ctx.new_id();
        ctx.edit_then(vec![Edit::RecordPaperSignatures { id, entry, count: n, note: note.get_untracked() }], move |outcome| match outcome {
            Ok(()) => {
                count.set(String::new());
                note.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card no-print edit-only" on:submit=record aria-labelledby="paper-heading">
            <h2 id="paper-heading">{t!(i18n, paper_heading)}</h2>
            <div class="field-row">
                <div>
                    <label for="paper-count">{t!(i18n, paper_signatures)}</label>
                    <input id="paper-count" type="number" min="1" required inputmode="numeric" prop:value=move || count.get() on:input=move |ev| count.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="paper-note">{t!(i18n, note)}</label>
                    <input id="paper-note" maxlength="200" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                </div>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, record_paper)}</button>
        </form>
    }
}

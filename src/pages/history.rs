//! The history of one item: who changed what and when, newest first, and "restore this version"
//! (a new change, so the history keeps both).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Edit, ItemKind, Privacy};
use linli_view::HistoryRow;

use crate::format;
use crate::i18n::*;
use crate::space_context::{member_label, use_space};

fn kind_of(text: &str) -> Option<ItemKind> {
    match text {
        "notice" => Some(ItemKind::Notice),
        "pledge" => Some(ItemKind::Pledge),
        "task" => Some(ItemKind::Task),
        "board" => Some(ItemKind::Board),
        "consultation" => Some(ItemKind::Consultation),
        "meeting" => Some(ItemKind::Meeting),
        _ => None,
    }
}

/// Where the item itself is shown.
fn item_path(kind: &str, item: &str) -> String {
    match kind {
        "notice" => format!("/notices/{item}"),
        "pledge" => format!("/pledges/{item}"),
        "board" => format!("/boards/{item}"),
        "consultation" => format!("/consultations/{item}"),
        "meeting" => format!("/meetings/{item}"),
        _ => format!("/tasks/{item}"),
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let kind_text = Memo::new(move |_| params.read().get("kind").unwrap_or_default());
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    // Asked of the engine again whenever the space changes.
    let entries = LocalResource::new(move || {
        ctx.track();
        let asked = kind_of(&kind_text.get()).map(|kind| ctx.engine().get().history(ctx.id, kind, &item.get()));
        async move {
            let mut entries = asked?.await.ok()?;
            entries.reverse();
            Some(entries)
        }
    });
    let error = RwSignal::new(None::<String>);
    let restored = RwSignal::new(false);
    let restore = move |entry: HistoryRow| {
        let Some(kind) = kind_of(&kind_text.get_untracked()) else { return };
        ctx.edit_then(vec![Edit::Restore { kind, id: item.get_untracked(), change: entry.change }], move |outcome| match outcome {
            Ok(()) => {
                error.set(None);
                restored.set(true);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">{t!(i18n, history)}</h2>
            <p><a href=move || ctx.link(&item_path(&kind_text.get(), &item.get()))>{t!(i18n, back_to_item)}</a></p>
            {move || restored.get().then(|| view! { <p class="notice-box" role="status">{t!(i18n, restored)}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match entries.get().flatten() {
                None if entries.get().is_none() => view! { <p class="muted">{t!(i18n, opening)}</p> }.into_any(),
                None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
                Some(entries) => {
                    let locale = i18n.get_locale();
                    let names = ctx
                        .with(|s| {
                            // A private request this device cannot open does not say who raised it.
                            let path = format!("tasks/{}", item.get());
                            let unnamed = s.tasks.get(&item.get()).filter(|t| t.sealed.is_some() && s.privacy(&path) != Some(Privacy::Open)).and_then(|t| t.request.as_ref()).map(|r| r.raised_by.clone());
                            entries
                                .iter()
                                .map(|e| match &e.member {
                                    Some(m) if unnamed.as_deref() == Some(m.to_string().as_str()) => t_string!(i18n, a_resident).to_string(),
                                    Some(m) => member_label(s, m),
                                    None => "—".into(),
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    view! {
                        <ol class="history">
                            {entries.into_iter().zip(names).enumerate().map(|(i, (entry, who))| {
                                let fields = entry.fields.join(", ");
                                let message = entry.message.clone().unwrap_or_default();
                                let at = entry.at;
                                view! {
                                    <li class="card history-entry">
                                        <p><strong>{who}</strong> " · " {format::date_time(at, locale)}</p>
                                        <p class="small muted"><code>{message}</code> " " {fields}</p>
                                        {if i == 0 {
                                            view! { <p class="small muted">{t!(i18n, current_version)}</p> }.into_any()
                                        } else {
                                            view! { <button type="button" class="secondary edit-only" on:click=move |_| restore(entry.clone())>{t!(i18n, restore_version)}</button> }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
        </section>
    }
}

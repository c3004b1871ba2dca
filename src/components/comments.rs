//! Comments on a notice, a task, a request or a consultation: the list, oldest first, and the form to add one
//! (anyone taking part may; comments are never changed or removed, only hidden by moderation).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, ItemId, Timestamp};

use crate::components::member_name::MemberName;
use crate::format;
use crate::i18n::*;
use crate::space_context::{member_label, use_space};

/// What the comments are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentsOn {
    Notice,
    Task,
    Consultation,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    /// Empty where the author is not to be named (a private request's resident, to those who
    /// cannot open it).
    author: String,
    name: String,
    text: String,
    at: Timestamp,
    /// The author raised the request these comments are on.
    raiser: bool,
}

#[component]
pub fn Comments(on: CommentsOn, item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        ctx.with(|s| {
            let id = item.get();
            let (comments, raiser) = match on {
                CommentsOn::Notice => (s.notices.get(&id).map(|n| n.comments_in_order()), None),
                CommentsOn::Consultation => (s.consultations.get(&id).map(|c| c.comments_in_order()), None),
                CommentsOn::Task => {
                    let task = s.tasks.get(&id);
                    (task.map(|t| t.comments_in_order()), task.and_then(|t| t.request.as_ref()).map(|r| r.raised_by.clone()))
                }
            };
            comments
                .unwrap_or_default()
                .into_iter()
                .map(|(_, c)| {
                    // A sealed comment this device cannot read says so (its text is empty here),
                    // and does not name the resident who raised the request.
                    let closed = c.sealed.is_some() && c.text.is_empty();
                    let raiser = raiser.as_deref() == Some(c.author.as_str());
                    Row {
                        author: if closed && raiser { String::new() } else { c.author.clone() },
                        name: if closed && raiser { t_string!(i18n, a_resident).to_string() } else { member_label(s, &c.author) },
                        text: if closed { t_string!(i18n, private_comment).to_string() } else { c.text.clone() },
                        at: c.at,
                        raiser,
                    }
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let comment = ctx.new_id();
        let words = text.get_untracked();
        let text_now = words.trim().to_owned();
        let edit = match on {
            CommentsOn::Notice => Edit::CommentOnNotice { id, comment, text: text_now },
            CommentsOn::Task => Edit::CommentOnTask { id, comment, text: text_now },
            CommentsOn::Consultation => Edit::CommentOnConsultation { id, comment, text: text_now },
        };
        ctx.edit_then(vec![edit], move |outcome| match outcome {
            Ok(()) => {
                text.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card comments-card" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{t!(i18n, comments)}</h2>
            {move || {
                let locale = i18n.get_locale();
                let rows = rows.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, no_comments_yet)}</p> }.into_any();
                }
                view! {
                    <ol class="comments">
                        {rows.into_iter().map(|row| view! {
                            <li>
                                <p class="small muted">
                                    {if row.author.is_empty() {
                                        view! { <span class="member-name">{row.name}</span> }.into_any()
                                    } else {
                                        view! { <MemberName member=row.author name=row.name /> }.into_any()
                                    }}
                                    {row.raiser.then(|| view! { " · " {t!(i18n, raised_this_request)} })}
                                    " · " {format::date_time(row.at, locale)}
                                </p>
                                <p class="comment-text">{row.text}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <form class="no-print take-part comment-form" on:submit=send>
                <label for="comment-text">{t!(i18n, add_comment)}</label>
                <textarea id="comment-text" required rows="2" maxlength="2000" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit">{t!(i18n, send)}</button>
            </form>
        </section>
    }
}

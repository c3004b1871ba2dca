//! The request categories and the team that answers each, with its members.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, Names, Responsibility};

use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{current_lang, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct CategoryRow {
    id: String,
    name: String,
    team: String,
    on_team: bool,
    /// The team's members (ID, name), and the space's other keyed members, who may be added.
    members: Vec<(String, String)>,
    others: Vec<(String, String)>,
}

/// Categories with the team responsible for each; a member can put themselves on a team.
#[component]
pub(super) fn CategoriesForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        let me = ctx.me();
        let lang = current_lang();
        ctx.with(|s| {
            s.categories_in_order()
                .into_iter()
                .map(|(id, c)| {
                    let r = s.responsibilities.get(id);
                    let on = |m: &str| r.is_some_and(|r| r.members.get(m).copied().unwrap_or(false));
                    let keyed = s.members.keys().filter(|m| m.len() == 64);
                    CategoryRow {
                        id: id.to_owned(),
                        name: name_in(&c.names, lang),
                        team: r.map(|r| r.team.clone()).unwrap_or_default(),
                        on_team: on(&me),
                        members: keyed.clone().filter(|m| on(m)).map(|m| (m.clone(), crate::space_context::member_label(s, m))).collect(),
                        others: keyed.filter(|m| !on(m)).map(|m| (m.clone(), crate::space_context::member_label(s, m))).collect(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    // `join`: a member put on the team (true) or taken off it (false); a team's reading keys
    // follow (the engine seals them to whoever joins, and moves to a new key when one leaves).
    let update_team = move |category: String, team: Option<String>, join: Option<(String, bool)>| {
        let current = ctx.with_untracked(|s| s.responsibilities.get(&category).cloned()).flatten().unwrap_or_default();
        let mut next = Responsibility { team: team.unwrap_or(current.team), members: current.members, keys: current.keys };
        match join {
            Some((member, true)) => drop(next.members.insert(member, true)),
            Some((member, false)) => drop(next.members.remove(&member)),
            None => {}
        }
        ctx.edit_then(vec![Edit::SetResponsibility { category, responsibility: next }], move |outcome| error.set(outcome.err()));
    };
    let new_name = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let id = ctx.new_id();
        let names = Names::from([(current_lang().tag().to_owned(), new_name.get_untracked().trim().to_owned())]);
        ctx.edit_then(vec![Edit::AddCategory { id, names }], move |outcome| match outcome {
            Ok(()) => new_name.set(String::new()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card edit-only" aria-labelledby="categories-heading">
            <h2 id="categories-heading">{t!(i18n, categories_and_teams)}</h2>
            <p class="muted">{t!(i18n, teams_explained)}</p>
            <table class="categories">
                <thead><tr><th scope="col">{t!(i18n, category)}</th><th scope="col">{t!(i18n, responsible_team_heading)}</th><th scope="col">{t!(i18n, i_am_on_team)}</th></tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|row| {
                        let (id_team, id_join, id_add) = (row.id.clone(), row.id.clone(), row.id.clone());
                        let me = ctx.me();
                        let add_select = format!("team-add-{}", row.id);
                        let team_input = format!("team-{}", row.id);
                        let label = row.name.clone();
                        view! {
                            <tr>
                                <th scope="row"><label for=team_input.clone()>{row.name.clone()}</label></th>
                                <td><input id=team_input value=row.team.clone() maxlength="80"
                                    on:change=move |ev| update_team(id_team.clone(), Some(event_target_value(&ev)), None) />
                                    <div class="edit-only team-members" role="group" aria-label=t_string!(i18n, team_members)>
                                    <ul class="plain">
                                        {row.members.iter().map(|(member, name)| {
                                            let (category, member) = (row.id.clone(), member.clone());
                                            let label = fill(t_string!(i18n, remove_from_team), &[("name", &name.clone())]).to_string();
                                            view! { <li>{name.clone()} " " <button type="button" class="secondary small" aria-label=label on:click=move |_| update_team(category.clone(), None, Some((member.clone(), false)))>"×"</button></li> }
                                        }).collect_view()}
                                    </ul>
                                    {(!row.others.is_empty()).then(|| view! {
                                        <select id=add_select.clone() aria-label=t_string!(i18n, add_to_team) on:change=move |ev| {
                                            let member = event_target_value(&ev);
                                            if !member.is_empty() {
                                                update_team(id_add.clone(), None, Some((member, true)));
                                            }
                                        }>
                                            <option value="" selected>{t!(i18n, add_to_team)}</option>
                                            {row.others.iter().map(|(member, name)| view! { <option value=member.clone()>{name.clone()}</option> }).collect_view()}
                                        </select>
                                    })}
                                    </div>
                                </td>
                                <td><input type="checkbox" checked=row.on_team aria-label=move || fill(t_string!(i18n, on_team_for), &[("category", &label.clone().to_string())]).to_string()
                                    on:change=move |ev| update_team(id_join.clone(), None, Some((me.clone(), event_target_checked(&ev)))) /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <form class="edit-only" on:submit=add>
                <label for="new-category">{t!(i18n, new_category)}</label>
                <input id="new-category" required maxlength="60" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit">{t!(i18n, add)}</button>
            </form>
        </section>
    }
}

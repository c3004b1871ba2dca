//! A space's settings: its name and description, categories, which team answers requests in
//! each category, the relays this device uses, and links to share with QR codes.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, ItemId, KioskSettings, Lang, Names, Responsibility};

use crate::components::direct_link::DirectLink;
use crate::components::qr_code::QrCode;
use crate::components::sync_panel::SyncPanel;
use crate::display_name::DisplayName;
use crate::files;
use crate::format::fill;
use crate::i18n::*;
use crate::identity;
use crate::link_keys;
use crate::relays;
use crate::space_context::{current_lang, name_in, use_space};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ShareLinks />
        <HiddenMembers />
        <UnreadableEntries />
        <LinkDevice />
        <section class="card care-settings" aria-labelledby="care-settings-heading">
            <h2 id="care-settings-heading">{t!(i18n, care_mode)}</h2>
            <crate::care_mode::CareModeSetting />
        </section>
        <SyncPanel />
        <DirectLink />
        <SpaceNameForm />
        <YourNameForm />
        <CategoriesForm />
        <BodiesForm />
        <KioskForm />
        <SpaceFiles />
        <RelaysForm />
    }
}

/// "Invite neighbours": the three links, each with its QR code. Organise (the edit link) for
/// the people who run the space; take part for every resident (posters and kiosks carry it);
/// view for reading only. Organisers can stop old links of either kind.
#[component]
fn ShareLinks() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let engine = ctx.engine();
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let view_link = format!("{origin}{}", ctx.link(""));
    let edit_link = {
        let origin = origin.clone();
        move || ctx.status().and_then(|s| s.edit_key).map(|key| link_keys::edit_link(&origin, ctx.id, &key))
    };
    let take_part_link = {
        let origin = origin.clone();
        move || ctx.take_part_key().map(|key| link_keys::take_part_link(&origin, &ctx.link(""), &key))
    };
    let protected = move || ctx.status().is_some_and(|s| s.protected);
    let has_take_part = move || ctx.take_part_key().is_some();
    let error = RwSignal::new(None::<String>);
    let new_key = move |_| {
        let asked = engine.get().new_write_key(ctx.id);
        leptos::task::spawn_local(async move { error.set(asked.await.err()) });
    };
    let new_take_part_key = move |_| {
        let asked = engine.get().new_take_part_key(ctx.id);
        leptos::task::spawn_local(async move { error.set(asked.await.err()) });
    };
    view! {
        <section class="card share-card" aria-labelledby="share-heading">
            <h2 id="share-heading">{t!(i18n, share_heading)}</h2>
            {move || edit_link().map(|link| view! {
                <h3>{t!(i18n, invite_to_edit)}</h3>
                <p class="muted">{t!(i18n, invite_to_edit_explained)}</p>
                <p><code class="share-link edit-link">{link.clone()}</code></p>
                <QrCode link=link label=t_string!(i18n, qr_edit_link).to_string() />
            })}
            {move || take_part_link().map(|link| view! {
                <h3>{t!(i18n, invite_to_take_part)}</h3>
                <p class="muted">{t!(i18n, invite_to_take_part_explained)}</p>
                <p><code class="share-link take-part-link">{link.clone()}</code></p>
                <QrCode link=link label=t_string!(i18n, qr_take_part_link).to_string() />
            })}
            <h3>{t!(i18n, invite_to_view)}</h3>
            <p class="muted">{move || if protected() { t_string!(i18n, invite_to_view_explained) } else { t_string!(i18n, open_space_explained) }}</p>
            <p><code class="share-link view-link">{view_link.clone()}</code></p>
            <QrCode link=view_link label=t_string!(i18n, qr_opens_space).to_string() />
            <div class="edit-only">
                {move || if protected() {
                    view! {
                        {move || if has_take_part() {
                            view! {
                                <p class="muted">{t!(i18n, new_take_part_key_explained)}</p>
                                <button type="button" class="secondary stop-take-part" on:click=new_take_part_key>{t!(i18n, stop_old_take_part_links)}</button>
                            }.into_any()
                        } else {
                            view! {
                                <p class="muted">{t!(i18n, make_take_part_explained)}</p>
                                <button type="button" on:click=new_take_part_key>{t!(i18n, make_take_part_link)}</button>
                            }.into_any()
                        }}
                        <p class="muted">{t!(i18n, new_key_explained)}</p>
                        <button type="button" class="secondary" on:click=new_key>{t!(i18n, stop_old_edit_links)}</button>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted">{t!(i18n, protect_explained)}</p>
                        <button type="button" on:click=new_key>{t!(i18n, protect_space)}</button>
                    }.into_any()
                }}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </section>
    }
}

/// Members whose contributions an organiser hid, with "show again" (moderation is recorded and
/// reversible; the contributions stay in the history).
#[component]
fn HiddenMembers() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let hidden = Memo::new(move |_| {
        ctx.with(|s| {
            s.moderation
                .iter()
                .filter(|(_, m)| m.hidden)
                .map(|(member, m)| (member.clone(), crate::space_context::member_label(s, member), crate::space_context::member_label(s, &m.changed_by)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    let show_again = move |member: String| ctx.edit_then(vec![Edit::SetMemberHidden { member, hidden: false, reason: String::new() }], move |outcome| error.set(outcome.err()));
    view! {
        <Show when=move || !hidden.get().is_empty()>
            <section class="card edit-only hidden-members" aria-labelledby="hidden-heading">
                <h2 id="hidden-heading">{t!(i18n, hidden_members_heading)}</h2>
                <p class="muted">{t!(i18n, hidden_members_explained)}</p>
                <ul class="plain">
                    {move || hidden.get().into_iter().map(|(member, name, by)| {
                        let label = name.clone();
                        let data = member.clone();
                        view! {
                            <li data-member=data>
                                {name} " · " <span class="muted">{fill(t_string!(i18n, hidden_by), &[("name", &by)])}</span> " "
                                <button type="button" class="secondary" aria-label=move || fill(t_string!(i18n, show_again_named), &[("name", &label)])
                                    on:click=move |_| show_again(member.clone())>{t!(i18n, show_again)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </section>
        </Show>
    }
}

/// For organisers: the entries every screen leaves out because they cannot be read (where, and
/// why), so that a malformed signature or comment is seen instead of silently missing.
#[component]
fn UnreadableEntries() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let unreadable = Memo::new(move |_| ctx.with(|s| s.unreadable.iter().map(|u| (u.path.clone(), u.reason.clone())).collect::<Vec<_>>()).unwrap_or_default());
    view! {
        <Show when=move || !unreadable.get().is_empty()>
            <section class="card edit-only unreadable-entries" aria-labelledby="unreadable-heading">
                <h2 id="unreadable-heading">{t!(i18n, unreadable_heading)}</h2>
                <p class="muted">{t!(i18n, unreadable_explained)}</p>
                <ul class="plain">
                    {move || unreadable.get().into_iter().map(|(path, reason)| view! {
                        <li><code>{path}</code> " · " <span class="muted">{reason}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// Linking another device to this member, so a resident's phone and tablet sign as one: a QR
/// code of this device's member key, shown only on request (whoever scans it can act as them).
#[component]
fn LinkDevice() -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    view! {
        <section class="card take-part link-device" aria-labelledby="link-device-heading">
            <h2 id="link-device-heading">{t!(i18n, link_device_heading)}</h2>
            <p class="muted">{t!(i18n, link_device_explained)}</p>
            {move || if let Some(link) = shown.get().then(|| identity::device_link(&origin)).flatten() {
                view! {
                    <p class="notice-box">{t!(i18n, link_device_warning)}</p>
                    <QrCode link=link.clone() label=t_string!(i18n, qr_link_device).to_string() />
                    <p><code class="share-link device-link">{link}</code></p>
                    <button type="button" class="secondary" on:click=move |_| shown.set(false)>{t!(i18n, hide_code)}</button>
                }.into_any()
            } else {
                view! { <button type="button" class="secondary" on:click=move |_| shown.set(true)>{t!(i18n, show_device_code)}</button> }.into_any()
            }}
        </section>
    }
}

#[component]
fn SpaceNameForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let (name, description) = ctx.with_untracked(|s| (s.name.clone(), s.description.clone())).unwrap_or_default();
    let name = RwSignal::new(name);
    let description = RwSignal::new(description);
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let edits = vec![Edit::RenameSpace { name: name.get_untracked() }, Edit::SetDescription { description: description.get_untracked() }];
        ctx.edit_then(edits, move |outcome| status.set(Some(outcome)));
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="space-settings-heading">
            <h2 id="space-settings-heading">{t!(i18n, space_settings)}</h2>
            <label for="settings-space-name">{t!(i18n, space_name)}</label>
            <input id="settings-space-name" required maxlength="120" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="settings-description">{t!(i18n, description)}</label>
            <textarea id="settings-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
fn YourNameForm() -> impl IntoView {
    let i18n = use_i18n();
    let display = expect_context::<DisplayName>();
    let name = RwSignal::new(display.0.get_untracked().unwrap_or_default());
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        display.set(&name.get_untracked());
        status.set(Some(Ok(())));
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="your-name-heading">
            <h2 id="your-name-heading">{t!(i18n, your_name)}</h2>
            <label for="settings-your-name">{t!(i18n, your_name)}</label>
            <input id="settings-your-name" required maxlength="60" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

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

/// The bodies that meet (residents' committee, owners' committee…): renamed in place, added,
/// archived. Meetings invite them.
#[component]
fn BodiesForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.bodies_in_order().into_iter().map(|(id, b)| (id.to_owned(), name_in(&b.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let names = Names::from([(current_lang().tag().to_owned(), new_name.get_untracked().trim().to_owned())]);
        ctx.edit_then(vec![Edit::AddBody { id: ctx.new_id(), names }], move |outcome| match outcome {
            Ok(()) => new_name.set(String::new()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card edit-only" aria-labelledby="bodies-heading">
            <h2 id="bodies-heading">{t!(i18n, bodies)}</h2>
            <p class="muted">{t!(i18n, bodies_explained)}</p>
            <ul class="plain bodies">
                {move || rows.get().into_iter().map(|(id, name)| {
                    let (rename_id, archive_id) = (id.clone(), id.clone());
                    let input_id = format!("body-{id}");
                    let rename = move |ev: leptos::ev::Event| {
                        let Some(id) = ItemId::parse(&rename_id) else { return };
                        let names = Names::from([(current_lang().tag().to_owned(), event_target_value(&ev).trim().to_owned())]);
                        ctx.edit_then(vec![Edit::RenameBody { id, names }], move |outcome| error.set(outcome.err()));
                    };
                    let archive = move |_| {
                        let Some(id) = ItemId::parse(&archive_id) else { return };
                        ctx.edit_then(vec![Edit::SetBodyArchived { id, archived: true }], move |outcome| error.set(outcome.err()));
                    };
                    view! {
                        <li class="field-row">
                            <label class="visually-hidden" for=input_id.clone()>{t!(i18n, body_name)}</label>
                            <input id=input_id value=name.clone() maxlength="80" on:change=rename />
                            <button type="button" class="secondary" on:click=archive aria-label=move || fill(t_string!(i18n, archive_named), &[("name", &name)])>{t!(i18n, archive)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <form class="edit-only" on:submit=add>
                <label for="new-body">{t!(i18n, new_body)}</label>
                <input id="new-body" required maxlength="80" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit">{t!(i18n, add)}</button>
            </form>
        </section>
    }
}

/// Categories with the team responsible for each; a member can put themselves on a team.
#[component]
fn CategoriesForm() -> impl IntoView {
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

/// How every kiosk of the space behaves (kept in the space, so one phone changes them all).
#[component]
fn KioskForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let settings = ctx.with_untracked(|s| s.kiosk.clone()).unwrap_or_default();
    let seconds = RwSignal::new(settings.rotation_seconds.to_string());
    let categories = RwSignal::new(settings.categories.clone());
    let languages = RwSignal::new(settings.languages.clone());
    let consultations = RwSignal::new(settings.consultations);
    let read_urgent_aloud = RwSignal::new(settings.read_urgent_aloud);
    let status = RwSignal::new(None::<Result<(), String>>);
    let all_categories = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.categories_in_order().into_iter().map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let toggle = |list: RwSignal<Vec<String>>, item: String, on: bool| {
        list.update(|l| {
            l.retain(|x| *x != item);
            if on {
                l.push(item);
            }
        })
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let next = KioskSettings {
            categories: categories.get_untracked(),
            rotation_seconds: seconds.get_untracked().trim().parse().unwrap_or(12).clamp(3, 600),
            languages: languages.get_untracked(),
            consultations: consultations.get_untracked(),
            read_urgent_aloud: read_urgent_aloud.get_untracked(),
        };
        ctx.edit_then(vec![Edit::SetKioskSettings { settings: next }], move |outcome| status.set(Some(outcome)));
    };
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let kiosk_path = format!("/k/{}", ctx.id);
    // A kiosk opened with the take-part key shows QR codes that let passers-by sign on their
    // own phones (the kiosk itself has no control to write with).
    let kiosk_link = {
        let kiosk_path = kiosk_path.clone();
        move || match ctx.take_part_key() {
            Some(key) => link_keys::take_part_link(&origin, &kiosk_path, &key),
            None => format!("{origin}{kiosk_path}"),
        }
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="kiosk-heading">
            <h2 id="kiosk-heading">{t!(i18n, kiosk_heading)}</h2>
            <p class="muted">{t!(i18n, kiosk_explained)}</p>
            <p><a class="kiosk-link" href=kiosk_link.clone()>{t!(i18n, open_kiosk)}</a> " " <code class="share-link">{kiosk_link}</code></p>
            <label for="kiosk-seconds">{t!(i18n, kiosk_seconds)}</label>
            <input id="kiosk-seconds" type="number" min="3" max="600" inputmode="numeric" prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev)) />
            <fieldset>
                <legend>{t!(i18n, kiosk_categories)}</legend>
                {move || all_categories.get().into_iter().map(|(id, name)| {
                    let (checked_id, toggled_id) = (id.clone(), id.clone());
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || categories.with(|c| c.contains(&checked_id))
                            on:change=move |ev| toggle(categories, toggled_id.clone(), event_target_checked(&ev)) />{name}</label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, kiosk_languages)}</legend>
                {Lang::ALL.into_iter().map(|lang| {
                    let tag = lang.tag().to_owned();
                    let (checked_tag, toggled_tag) = (tag.clone(), tag.clone());
                    view! {
                        <label class="check" lang=tag><input type="checkbox" prop:checked=move || languages.with(|l| l.contains(&checked_tag))
                            on:change=move |ev| toggle(languages, toggled_tag.clone(), event_target_checked(&ev)) />{crate::pages::notice_editor::language_name(lang)}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="check"><input type="checkbox" prop:checked=move || consultations.get() on:change=move |ev| consultations.set(event_target_checked(&ev)) />{t!(i18n, kiosk_consultations)}</label>
            <label class="check"><input type="checkbox" prop:checked=move || read_urgent_aloud.get() on:change=move |ev| read_urgent_aloud.set(event_target_checked(&ev)) />{t!(i18n, kiosk_read_urgent_aloud)}</label>
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

/// The space as files: a `.linli` file to carry on a USB stick and import elsewhere (merging,
/// never overwriting), and the tasks as CSV for spreadsheets.
#[component]
fn SpaceFiles() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let status = RwSignal::new(None::<Result<String, String>>);
    let input = NodeRef::<leptos::html::Input>::new();
    let name = move || ctx.with_untracked(|s| s.name.clone()).unwrap_or_default();
    // What went wrong with a file, in the reader's language.
    let trouble = move |trouble: files::FileTrouble| -> String {
        match trouble {
            files::FileTrouble::NoneChosen => t_string!(i18n, choose_a_file_first).to_owned(),
            files::FileTrouble::Unreadable => t_string!(i18n, file_unreadable).to_owned(),
            files::FileTrouble::NoDownload => t_string!(i18n, download_failed).to_owned(),
        }
    };
    let export = move |_| {
        let asked = ctx.engine().get().export(ctx.id);
        leptos::task::spawn_local(async move {
            let result = asked.await;
            status.set(result.and_then(|bytes| files::download(&files::file_name(&name(), "linli"), &bytes, "application/octet-stream").map_err(trouble)).err().map(Err));
        });
    };
    let export_json = move |_| {
        let asked = ctx.engine().get().export_json(ctx.id);
        leptos::task::spawn_local(async move {
            let json = asked.await;
            status.set(json.and_then(|text| files::download(&files::file_name(&name(), "json"), text.as_bytes(), "application/json").map_err(trouble)).err().map(Err));
        });
    };
    let export_csv = move |_| {
        let lang = current_lang();
        let csv = ctx.with_untracked(|s| linli_model::tasks_csv(s, lang)).unwrap_or_default();
        status.set(files::download(&files::file_name(&name(), "csv"), csv.as_bytes(), "text/csv;charset=utf-8").map_err(trouble).err().map(Err));
    };
    let import = move |_| {
        let Some(element) = input.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            let outcome = match files::read_chosen(&element).await {
                Ok(bytes) => ctx.engine().get().import(ctx.id, bytes).await,
                Err(e) => Err(trouble(e)),
            };
            status.set(Some(outcome.map(|(new_changes, refused, reason, waiting)| {
                let mut said = crate::format::fill(t_string!(i18n, imported_changes), &[("count", &new_changes.to_string())]);
                if waiting > 0 {
                    said = format!("{said} {}", crate::format::fill(t_string!(i18n, imported_waiting), &[("count", &waiting.to_string())]));
                }
                match reason {
                    Some(reason) => format!("{said} {} {reason}", crate::format::fill(t_string!(i18n, imported_refused), &[("count", &refused.to_string())])),
                    None => said,
                }
            })));
        });
    };
    view! {
        <section class="card" aria-labelledby="files-heading">
            <h2 id="files-heading">{t!(i18n, files_heading)}</h2>
            <p class="muted">{t!(i18n, files_explained)}</p>
            <div class="actions">
                <button type="button" on:click=export>{t!(i18n, download_space)}</button>
                <button type="button" class="secondary" on:click=export_json>{t!(i18n, download_json)}</button>
                <button type="button" class="secondary" on:click=export_csv>{t!(i18n, download_tasks_csv)}</button>
            </div>
            <div class="import-file">
                <label for="import-file">{t!(i18n, import_file)}</label>
                <input id="import-file" type="file" accept=".linli,.automerge,application/octet-stream" node_ref=input />
                <button type="button" on:click=import>{t!(i18n, import)}</button>
            </div>
            {move || match status.get() {
                Some(Ok(message)) => Some(view! { <p role="status">{message}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
}

/// The relays this device syncs through (kept on this device, used from the next start).
#[component]
fn RelaysForm() -> impl IntoView {
    let i18n = use_i18n();
    let urls = RwSignal::new(relays::saved().join("\n"));
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let saved = relays::save(&urls.get_untracked()).map_err(|not| match not {
            relays::NotSaved::NotAnAddress(line) => crate::format::fill(t_string!(i18n, not_a_relay_address), &[("address", &line)]),
            relays::NotSaved::NoStorage => t_string!(i18n, settings_not_saved).to_owned(),
        });
        status.set(Some(saved));
    };
    view! {
        <form class="card" on:submit=save aria-labelledby="relays-heading">
            <h2 id="relays-heading">{t!(i18n, relays)}</h2>
            <p class="muted">{t!(i18n, relays_explained)}</p>
            <label for="relay-urls">{t!(i18n, relay_addresses)}</label>
            <textarea id="relay-urls" rows="3" placeholder="wss://relay.example.org/" prop:value=move || urls.get() on:input=move |ev| urls.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
fn StatusLine(status: RwSignal<Option<Result<(), String>>>) -> impl IntoView {
    let i18n = use_i18n();
    move || match status.get() {
        Some(Ok(())) => Some(view! { <p role="status">{t!(i18n, saved)}</p> }.into_any()),
        Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
        None => None,
    }
}

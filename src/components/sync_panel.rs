//! The sync status panel: every relay and tab this device talks to, whether each has all of this
//! space's changes, and whether everything is saved on this device.

use leptos::prelude::*;

use crate::engine::{EngineHandle, TransportKind};
use crate::format;
use crate::i18n::*;
use crate::space_context::use_space;

#[component]
pub fn SyncPanel() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let engine = expect_context::<EngineHandle>();
    // Acknowledgements change no document, so the panel looks again every second while shown.
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    let rows = LocalResource::new(move || {
        tick.track();
        let engine = engine.get();
        engine.relay_status.track();
        engine.transports(ctx.id)
    });
    let unsaved = engine.get().unsaved_writes;
    let last_heard = engine.get().last_heard;
    view! {
        <section class="card sync-panel" aria-labelledby="sync-panel-heading">
            <h2 id="sync-panel-heading">{t!(i18n, sync_status)}</h2>
            <p class="device-line">
                {move || if unsaved.get() == 0 { t_string!(i18n, saved_on_device).to_string() } else { format::fill(t_string!(i18n, writes_pending), &[("count", &unsaved.get().to_string())]) }}
                {move || last_heard.get().map(|at| format!(" · {}", format::fill(t_string!(i18n, last_synced), &[("time", &format::date_time(at, i18n.get_locale()))])))}
            </p>
            <table class="transports">
                <thead><tr><th scope="col">{t!(i18n, transport)}</th><th scope="col">{t!(i18n, connection)}</th><th scope="col">{t!(i18n, this_space)}</th></tr></thead>
                <tbody>
                    {move || rows.get().unwrap_or_default().into_iter().map(|row| {
                        let kind = match row.kind { TransportKind::Relay => t_string!(i18n, relay_kind).to_string(), TransportKind::Tab => t_string!(i18n, tab_kind).to_string(), TransportKind::Direct => t_string!(i18n, direct_kind).to_string() };
                        view! {
                            <tr data-kind=format!("{:?}", row.kind).to_lowercase()>
                                <th scope="row">{kind} " " <code>{row.name}</code></th>
                                <td>{if row.connected { t_string!(i18n, connected).to_string() } else { t_string!(i18n, not_connected).to_string() }}</td>
                                <td class="space-state">{match row.up_to_date {
                                    Some(true) => t_string!(i18n, up_to_date).to_string(),
                                    Some(false) => t_string!(i18n, changes_waiting).to_string(),
                                    None => "—".to_owned(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

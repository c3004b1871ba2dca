//! The space as files: a `.linli` file out and in, a JSON reading copy, the tasks as CSV.

use leptos::prelude::*;

use crate::files;
use crate::i18n::*;
use crate::space_context::{current_lang, use_space};

/// The space as files: a `.linli` file to carry on a USB stick and import elsewhere (merging,
/// never overwriting), and the tasks as CSV for spreadsheets.
#[component]
pub(super) fn SpaceFiles() -> impl IntoView {
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

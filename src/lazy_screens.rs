//! Screens whose code is fetched when first shown: the home screen and a space's frame come in
//! the page's first wasm; the other screens come in a few chunks, grouped by who opens them.
//!
//! With the `split` feature (what `cargo xtask build-site` builds) each screen below is a Leptos
//! `#[lazy]` function named after its group: the wasm is linked with relocations and
//! `xtask/src/split_page.rs` cuts it into the first module and one chunk per group (plus the code
//! groups share), fetched on first use and kept by the service worker. Groups, not one chunk per
//! screen: nineteen screens cut apart leave some three hundred small shared chunks. Without the feature (the browser tests) the same screens are drawn directly, so the
//! routes and what they show do not depend on how the wasm was cut.

use leptos::prelude::*;

use crate::i18n::*;

/// One module per lazily loaded screen: `load()` gives its view once its code is there.
macro_rules! lazy_screens {
    ($($group:ident: $name:ident => $page:path),* $(,)?) => {$(
        pub mod $name {
            use leptos::prelude::*;

            #[cfg(feature = "split")]
            #[leptos::lazy($group)]
            fn $name() -> AnyView {
                $page().into_any()
            }

            /// The screen's view, after fetching its code where the site is split.
            pub async fn load() -> AnyView {
                #[cfg(feature = "split")]
                return $name().await;
                #[cfg(not(feature = "split"))]
                return $page().into_any();
            }
        }
    )*};
}

// `residents`: what a neighbour opens from a poster or a link (a request is a task);
// `organisers`: what those who run the space use; the kiosk and linking a device stand alone.
lazy_screens! {
    residents: overview => crate::pages::overview::Overview,
    residents: notices => crate::pages::notices::NoticesPage,
    residents: notice => crate::pages::notice::NoticePage,
    residents: pledges => crate::pages::pledges::PledgesPage,
    residents: pledge => crate::pages::pledge::PledgePage,
    residents: consultations => crate::pages::consultations::ConsultationsPage,
    residents: consultation => crate::pages::consultation::ConsultationPage,
    residents: requests => crate::pages::requests::RequestsPage,
    residents: task => crate::pages::task::TaskPage,
    organisers: notice_editor => crate::pages::notice_editor::NoticeEditorPage,
    organisers: meetings => crate::pages::meetings::MeetingsPage,
    organisers: meeting => crate::pages::meeting::MeetingPage,
    organisers: boards => crate::pages::boards::BoardsPage,
    organisers: board => crate::pages::board::BoardPage,
    organisers: history => crate::pages::history::HistoryPage,
    organisers: participation => crate::pages::participation::ParticipationPage,
    organisers: linked => crate::pages::linked::LinkedPage,
    organisers: settings => crate::pages::settings::SettingsPage,
    kiosk: kiosk => crate::pages::kiosk::KioskPage,
    pair_device: pair_device => crate::pages::pair_device::PairDevicePage,
}

/// Draws a lazily loaded screen: "Opening…" until its code has come, then the screen.
pub fn lazily<Fut>(load: fn() -> Fut) -> impl IntoView
where
    Fut: Future<Output = AnyView> + 'static,
{
    let i18n = use_i18n();
    let screen = send_wrapper::SendWrapper::new(load());
    view! {
        <Suspense fallback=move || view! { <p class="muted screen-loading" role="status">{t!(i18n, opening)}</p> }>
            {Suspend::new(screen)}
        </Suspense>
    }
}

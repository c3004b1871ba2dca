//! A QR code image for a link, so a phone can open what a poster or kiosk shows.

use leptos::prelude::*;

use crate::qr;

/// The QR code of `link`, labelled for screen readers.
#[component]
pub fn QrCode(#[prop(into)] link: String, #[prop(into)] label: String) -> impl IntoView {
    let svg = qr::svg(&link).unwrap_or_default();
    view! { <figure class="qr" role="img" aria-label=label data-link=link inner_html=svg /> }
}

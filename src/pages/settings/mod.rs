//! A space's settings, one card per concern, each in its own file: the addresses to share,
//! members hidden and entries unreadable, this device (your name, another device, relays), care
//! mode, sync, the space's name, categories and their teams, bodies, kiosks, and files.

mod bodies;
mod categories;
mod kiosk_settings;
mod members;
mod share_addresses;
mod space_files;
mod space_name;
mod status_line;
mod this_device;

use leptos::prelude::*;

use self::bodies::BodiesForm;
use self::categories::CategoriesForm;
use self::kiosk_settings::KioskForm;
use self::members::{HiddenMembers, UnreadableEntries};
use self::share_addresses::ShareAddresses;
use self::space_files::SpaceFiles;
use self::space_name::SpaceNameForm;
use self::this_device::{PairDevice, RelaysForm, YourNameForm};
use crate::components::direct_link::DirectLink;
use crate::components::sync_panel::SyncPanel;
use crate::i18n::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ShareAddresses />
        <HiddenMembers />
        <UnreadableEntries />
        <PairDevice />
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

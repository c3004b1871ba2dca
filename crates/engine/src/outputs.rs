//! Does what the engine core says ([`Output`]): messages to the page, sockets dialled, tab
//! messages posted, ordered work handed to the work runner, timers set, views kept, lines
//! logged.

use futures::channel::mpsc::UnboundedSender;
use linli_engine_core::{Input, Log, Output, Work};
use linli_view::FromEngine;

use crate::kept_views::KeptViews;
use crate::relay_sockets::RelaySockets;
use crate::tab_channel::TabChannel;

/// The worker's side of the core's outputs.
pub struct Outputs {
    pub inputs: UnboundedSender<Input>,
    pub to_page: UnboundedSender<FromEngine>,
    pub work: UnboundedSender<Work>,
    pub sockets: RelaySockets,
    pub tabs: TabChannel,
    pub kept_views: KeptViews,
}

impl Outputs {
    pub fn tell(&self, message: FromEngine) {
        let _ = self.to_page.unbounded_send(message);
    }

    pub fn perform(&self, output: Output) {
        match output {
            Output::Page(message) => {
                if let FromEngine::Started { tab, .. } = &message {
                    crate::panic_call::remember_tab(tab);
                }
                self.tell(message);
            }
            Output::Dial { conn, url } => self.sockets.dial(conn, &url, &self.inputs),
            Output::Tab(message) => self.tabs.post(&message),
            Output::Work(work) => {
                let _ = self.work.unbounded_send(work);
            }
            Output::Timer { after_ms, wake } => {
                let inputs = self.inputs.clone();
                gloo_timers::callback::Timeout::new(after_ms, move || {
                    let _ = inputs.unbounded_send(Input::Wake(wake));
                })
                .forget();
            }
            Output::KeepView { space, bytes } => self.kept_views.keep(space, bytes),
            Output::Log(Log::Error(line)) => web_sys::console::error_1(&line.into()),
            Output::Log(Log::Warn(line)) => web_sys::console::warn_1(&line.into()),
        }
    }
}

//! The tab channel (`linli_view::side_channels::TAB_CHANNEL`) in the worker: messages posted as
//! bytes, messages received turned into inputs. The core makes the connections of them.

use js_sys::Uint8Array;
use linli_engine_core::Input;
use linli_view::side_channels::{TAB_CHANNEL, TabKind, TabMessage};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

/// This worker's end of the channel (`None` where BroadcastChannel is missing: the tab syncs
/// through its relays alone).
pub struct TabChannel(Option<BroadcastChannel>);

impl TabChannel {
    /// Opens the channel; what other tabs post goes to `inputs`.
    pub fn open(inputs: futures::channel::mpsc::UnboundedSender<Input>) -> TabChannel {
        let Ok(channel) = BroadcastChannel::new(TAB_CHANNEL) else { return TabChannel(None) };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(bytes) = event.data().dyn_ref::<Uint8Array>().map(Uint8Array::to_vec) else { return };
            if let Some(message) = TabMessage::from_bytes(&bytes) {
                let _ = inputs.unbounded_send(Input::Tab(message));
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        TabChannel(Some(channel))
    }

    pub fn post(&self, message: &TabMessage) {
        if let Some(channel) = &self.0 {
            let _ = channel.post_message(&Uint8Array::from(message.to_bytes().as_slice()));
        }
    }
}

/// Tells the other tabs that the engine named `me` has gone (from a panicking engine).
pub fn say_bye(me: &str) {
    let Ok(channel) = BroadcastChannel::new(TAB_CHANNEL) else { return };
    let bye = TabMessage { from: me.to_owned(), to: None, kind: TabKind::Bye };
    let _ = channel.post_message(&Uint8Array::from(bye.to_bytes().as_slice()));
    channel.close();
}

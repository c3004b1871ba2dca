//! The two kinds of WebSocket the relay speaks through: axum's (connections it accepts) and
//! tungstenite's (peers it dials), adapted for the connection pump.

use axum::extract::ws;
use tokio_tungstenite::tungstenite;

use crate::connection::{Incoming, ReadError, WireMessage};

impl WireMessage for ws::Message {
    fn binary(bytes: Vec<u8>) -> Self {
        ws::Message::Binary(bytes.into())
    }
    fn ping() -> Self {
        ws::Message::Ping(Default::default())
    }
    fn close(code: u16, reason: &'static str) -> Self {
        ws::Message::Close(Some(ws::CloseFrame { code, reason: reason.into() }))
    }
    fn into_incoming(self) -> Incoming {
        match self {
            ws::Message::Binary(bytes) => Incoming::Binary(bytes.to_vec()),
            ws::Message::Text(_) => Incoming::Text,
            ws::Message::Ping(_) | ws::Message::Pong(_) => Incoming::Heartbeat,
            ws::Message::Close(_) => Incoming::Close,
        }
    }
}

impl ReadError for axum::Error {
    fn is_too_big(&self) -> bool {
        use std::error::Error;
        let mut source: Option<&(dyn Error + 'static)> = Some(self);
        while let Some(error) = source {
            if let Some(tungstenite::Error::Capacity(_)) = error.downcast_ref::<tungstenite::Error>() {
                return true;
            }
            source = error.source();
        }
        false
    }
}

impl WireMessage for tungstenite::Message {
    fn binary(bytes: Vec<u8>) -> Self {
        tungstenite::Message::Binary(bytes.into())
    }
    fn ping() -> Self {
        tungstenite::Message::Ping(Default::default())
    }
    fn close(code: u16, reason: &'static str) -> Self {
        tungstenite::Message::Close(Some(tungstenite::protocol::CloseFrame { code: code.into(), reason: reason.into() }))
    }
    fn into_incoming(self) -> Incoming {
        match self {
            tungstenite::Message::Binary(bytes) => Incoming::Binary(bytes.to_vec()),
            tungstenite::Message::Text(_) => Incoming::Text,
            tungstenite::Message::Ping(_) | tungstenite::Message::Pong(_) | tungstenite::Message::Frame(_) => Incoming::Heartbeat,
            tungstenite::Message::Close(_) => Incoming::Close,
        }
    }
}

impl ReadError for tungstenite::Error {
    fn is_too_big(&self) -> bool {
        matches!(self, tungstenite::Error::Capacity(_))
    }
}

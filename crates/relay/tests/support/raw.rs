//! Raw WebSocket clients for the relay's hardening tests: send exactly the frames a test wants
//! and see exactly how the relay answers.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_sync::{Message, PeerMetadata, codec};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message as Frame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to the relay, optionally with an Origin header. An HTTP refusal comes back
/// as `Err(status code)`.
pub async fn open(url: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let mut request = url.into_client_request().unwrap();
    if let Some(origin) = origin {
        request.headers_mut().insert("Origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("unexpected connection error: {other}"),
    }
}

/// Opens a WebSocket and completes the protocol handshake as `peer_id`.
pub async fn joined(url: &str, peer_id: &str) -> Socket {
    let mut socket = open(url, None).await.expect("the relay accepts");
    let join = Message::Join { sender_id: peer_id.into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: None };
    socket.send(Frame::Binary(codec::encode(&join).into())).await.unwrap();
    loop {
        match socket.next().await {
            Some(Ok(Frame::Binary(bytes))) => {
                assert!(matches!(codec::decode(&bytes), Ok(Message::Peer { .. })));
                return socket;
            }
            Some(Ok(_)) => {}
            other => panic!("no peer message: {other:?}"),
        }
    }
}

/// Reads until the relay closes the connection; returns the close code (None if the socket just
/// ended). Panics after 10 s.
pub async fn close_code(socket: &mut Socket) -> Option<u16> {
    let wait = async {
        loop {
            match socket.next().await {
                Some(Ok(Frame::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait).await.expect("the relay closes the connection within 10 s")
}

/// The numeric code of a close code, for readable assertions.
pub fn code(c: CloseCode) -> u16 {
    u16::from(c)
}

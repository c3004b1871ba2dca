//! The CBOR codec of protocol messages: strict in what it writes, tolerant in what it reads.
//!
//! Reading follows what real peers send: `documentId` as text or as 16 raw bytes, counts as
//! integers or floats, tags around values (cbor-x can tag byte arrays), `null`/`undefined` for
//! absent fields, `metadata` as an alias of `peerMetadata`, and unknown keys skipped.
//! Malformed input returns a [`DecodeError`]; decoding never panics.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use crate::capability::ChangeSignature;
use crate::home_cut::Cut;
use crate::home_relay::Receipt;
use crate::member_key::MemberSignature;
use crate::message::{Message, PeerMetadata, RemoteHeads};
use crate::{DocumentId, DocumentIdError};
use automerge::ChangeHash;

/// Why bytes are not a protocol message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed CBOR: {0}")]
    Cbor(String),
    #[error("a message must be a CBOR map")]
    NotAMap,
    #[error("bytes after the end of the message")]
    TrailingBytes,
    #[error("field `{0}` is missing")]
    MissingField(&'static str),
    #[error("field `{field}` has the wrong type: {found}")]
    WrongType { field: &'static str, found: String },
    #[error("field `data` is empty")]
    EmptyData,
    #[error("invalid documentId: {0}")]
    InvalidDocumentId(#[from] DocumentIdError),
    #[error("unknown message type `{0}`")]
    UnknownType(String),
}

impl From<minicbor::decode::Error> for DecodeError {
    fn from(error: minicbor::decode::Error) -> Self {
        DecodeError::Cbor(error.to_string())
    }
}

/// Encodes a message as one CBOR map, the payload of one binary frame.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut out = MapWriter::default();
    out.text("type", message.type_name());
    out.text("senderId", message.sender_id());
    match message {
        Message::Join { peer_metadata, supported_protocol_versions, .. } => {
            out.metadata(peer_metadata);
            if let Some(versions) = supported_protocol_versions {
                out.texts("supportedProtocolVersions", versions);
            }
        }
        Message::Peer { target_id, peer_metadata, selected_protocol_version, .. } => {
            out.text("targetId", target_id);
            out.metadata(peer_metadata);
            out.text("selectedProtocolVersion", selected_protocol_version);
        }
        Message::Error { target_id, message, .. } => {
            if let Some(target_id) = target_id {
                out.text("targetId", target_id);
            }
            out.text("message", message);
        }
        Message::Leave { .. } => {}
        Message::Request { target_id, document_id, data, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            out.bytes("data", data);
        }
        Message::Sync { target_id, document_id, data, signatures, member_signatures, receipts, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            out.bytes("data", data);
            if !signatures.is_empty() {
                out.entry("changeSignatures", |e| {
                    e.array(signatures.len() as u64)?;
                    signatures.iter().try_for_each(|s| e.bytes(&s.to_bytes()).map(|_| ()))
                });
            }
            if !member_signatures.is_empty() {
                out.entry("memberSignatures", |e| {
                    e.array(member_signatures.len() as u64)?;
                    member_signatures.iter().try_for_each(|s| e.bytes(&s.to_wire()).map(|_| ()))
                });
            }
            if !receipts.is_empty() {
                out.entry("homeReceipts", |e| {
                    e.array(receipts.len() as u64)?;
                    receipts.iter().try_for_each(|r| e.bytes(&r.to_bytes()).map(|_| ()))
                });
            }
        }
        Message::DocUnavailable { target_id, document_id, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
        }
        Message::Ephemeral { target_id, document_id, session_id, count, data, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            out.text("sessionId", session_id);
            out.uint("count", *count);
            out.bytes("data", data);
        }
        Message::RemoteSubscriptionChange { target_id, add, remove, .. } => {
            out.text("targetId", target_id);
            out.texts("add", add);
            out.texts("remove", remove);
        }
        Message::CutAsk { target_id, document_id, at, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            if let Some(at) = at {
                out.uint("at", *at);
            }
        }
        Message::CutAnswer { target_id, document_id, at, cut, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            out.uint("at", *at);
            if let Some(cut) = cut {
                out.entry("heads", |e| {
                    e.array(cut.heads.len() as u64)?;
                    cut.heads.iter().try_for_each(|h| e.bytes(&h.0).map(|_| ()))
                });
                out.bytes("signature", &cut.signature);
            }
        }
        Message::RemoteHeadsChanged { target_id, document_id, new_heads, .. } => {
            out.text("targetId", target_id);
            out.text("documentId", &document_id.to_string());
            out.entry("newHeads", |e| {
                e.map(new_heads.len() as u64)?;
                for entry in new_heads {
                    e.str(&entry.storage_id)?.map(2)?;
                    e.str("heads")?.array(entry.heads.len() as u64)?;
                    for head in &entry.heads {
                        e.str(head)?;
                    }
                    e.str("timestamp")?.f64(entry.timestamp)?;
                }
                Ok(())
            });
        }
    }
    out.finish()
}

/// Collects the entries of a definite-length map, then writes the map header in front of them.
struct MapWriter {
    entries: u64,
    body: Encoder<Vec<u8>>,
}

impl Default for MapWriter {
    fn default() -> Self {
        MapWriter { entries: 0, body: Encoder::new(Vec::new()) }
    }
}

type EncodeResult = Result<(), minicbor::encode::Error<std::convert::Infallible>>;

impl MapWriter {
    fn entry(&mut self, key: &str, value: impl FnOnce(&mut Encoder<Vec<u8>>) -> EncodeResult) {
        self.entries += 1;
        // Writing into a Vec cannot fail.
        let written = self.body.str(key).map(|_| ()).and_then(|()| value(&mut self.body));
        debug_assert!(written.is_ok());
    }
    fn text(&mut self, key: &str, value: &str) {
        self.entry(key, |e| e.str(value).map(|_| ()));
    }
    fn texts(&mut self, key: &str, values: &[String]) {
        self.entry(key, |e| {
            e.array(values.len() as u64)?;
            values.iter().try_for_each(|v| e.str(v).map(|_| ()))
        });
    }
    fn bytes(&mut self, key: &str, value: &[u8]) {
        self.entry(key, |e| e.bytes(value).map(|_| ()));
    }
    fn uint(&mut self, key: &str, value: u64) {
        self.entry(key, |e| e.u64(value).map(|_| ()));
    }
    fn metadata(&mut self, metadata: &PeerMetadata) {
        self.entry("peerMetadata", |e| {
            e.map(1 + u64::from(metadata.storage_id.is_some()) + u64::from(metadata.relay_key.is_some()))?;
            if let Some(storage_id) = &metadata.storage_id {
                e.str("storageId")?.str(storage_id)?;
            }
            e.str("isEphemeral")?.bool(metadata.is_ephemeral)?;
            if let Some(key) = &metadata.relay_key {
                e.str("linliRelayKey")?.bytes(key)?;
            }
            Ok(())
        });
    }
    fn finish(self) -> Vec<u8> {
        let mut head = Encoder::new(Vec::with_capacity(self.body.writer().len() + 9));
        let _ = head.map(self.entries);
        let mut out = head.into_writer();
        out.extend_from_slice(self.body.writer());
        out
    }
}

/// Decodes one message from the bytes of one frame.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let mut d = Decoder::new(bytes);
    let fields = Fields::read(&mut d)?;
    if d.position() != bytes.len() {
        return Err(DecodeError::TrailingBytes);
    }
    fields.into_message()
}

/// Every field any message type has, each optional until the type says which it needs.
#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender_id: Option<String>,
    target_id: Option<String>,
    document_id: Option<DocumentId>,
    data: Option<Vec<u8>>,
    peer_metadata: Option<PeerMetadata>,
    supported_protocol_versions: Option<Vec<String>>,
    selected_protocol_version: Option<String>,
    message: Option<String>,
    session_id: Option<String>,
    count: Option<u64>,
    add: Option<Vec<String>>,
    remove: Option<Vec<String>>,
    new_heads: Option<Vec<RemoteHeads>>,
    change_signatures: Option<Vec<ChangeSignature>>,
    member_signatures: Option<Vec<MemberSignature>>,
    receipts: Option<Vec<Receipt>>,
    at: Option<u64>,
    heads: Option<Vec<ChangeHash>>,
    signature: Option<[u8; 64]>,
}

impl Fields {
    fn read(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        skip_tags(d)?;
        if !matches!(d.datatype()?, Type::Map | Type::MapIndef) {
            return Err(DecodeError::NotAMap);
        }
        let mut fields = Fields::default();
        for_each_entry(d, |d| {
            let Some(key) = read_key(d)? else { return Ok(()) };
            if is_absent(d)? {
                return Ok(());
            }
            match key.as_str() {
                "type" => fields.kind = Some(text(d, "type")?),
                "senderId" => fields.sender_id = Some(text(d, "senderId")?),
                "targetId" => fields.target_id = Some(text(d, "targetId")?),
                "documentId" => fields.document_id = Some(document_id(d)?),
                "data" => fields.data = Some(bytes(d, "data")?),
                "peerMetadata" | "metadata" => fields.peer_metadata = Some(metadata(d)?),
                "supportedProtocolVersions" => fields.supported_protocol_versions = Some(texts(d, "supportedProtocolVersions")?),
                "selectedProtocolVersion" => fields.selected_protocol_version = Some(text(d, "selectedProtocolVersion")?),
                "message" => fields.message = Some(text(d, "message")?),
                "sessionId" => fields.session_id = Some(text(d, "sessionId")?),
                "count" => fields.count = Some(count(d, "count")?),
                "add" => fields.add = Some(texts(d, "add")?),
                "remove" => fields.remove = Some(texts(d, "remove")?),
                "newHeads" => fields.new_heads = Some(new_heads(d)?),
                "changeSignatures" => fields.change_signatures = Some(entries(d, "changeSignatures", ChangeSignature::from_bytes)?),
                "memberSignatures" => fields.member_signatures = Some(entries(d, "memberSignatures", MemberSignature::from_wire)?),
                "homeReceipts" => fields.receipts = Some(entries(d, "homeReceipts", Receipt::from_bytes)?),
                "at" => fields.at = Some(count(d, "at")?),
                "heads" => fields.heads = Some(entries(d, "heads", |b| Some(ChangeHash(b.try_into().ok()?)))?),
                "signature" => {
                    let found = bytes(d, "signature")?;
                    let len = found.len();
                    fields.signature = Some(found.try_into().map_err(|_| DecodeError::WrongType { field: "signature", found: format!("{len} bytes") })?);
                }
                _ => d.skip()?,
            }
            Ok(())
        })?;
        Ok(fields)
    }

    fn into_message(self) -> Result<Message, DecodeError> {
        fn need<T>(value: Option<T>, field: &'static str) -> Result<T, DecodeError> {
            value.ok_or(DecodeError::MissingField(field))
        }
        fn data(value: Option<Vec<u8>>) -> Result<Vec<u8>, DecodeError> {
            let data = need(value, "data")?;
            if data.is_empty() { Err(DecodeError::EmptyData) } else { Ok(data) }
        }
        let kind = need(self.kind, "type")?;
        let sender_id = need(self.sender_id, "senderId")?;
        let message = match kind.as_str() {
            "join" => Message::Join { sender_id, peer_metadata: self.peer_metadata.unwrap_or_default(), supported_protocol_versions: self.supported_protocol_versions },
            "peer" => Message::Peer {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                peer_metadata: self.peer_metadata.unwrap_or_default(),
                selected_protocol_version: self.selected_protocol_version.unwrap_or_else(|| crate::PROTOCOL_V1.into()),
            },
            "error" => Message::Error { sender_id, target_id: self.target_id, message: self.message.unwrap_or_default() },
            "leave" => Message::Leave { sender_id },
            "request" => Message::Request { sender_id, target_id: need(self.target_id, "targetId")?, document_id: need(self.document_id, "documentId")?, data: data(self.data)? },
            "sync" => Message::Sync {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                document_id: need(self.document_id, "documentId")?,
                data: data(self.data)?,
                signatures: self.change_signatures.unwrap_or_default(),
                member_signatures: self.member_signatures.unwrap_or_default(),
                receipts: self.receipts.unwrap_or_default(),
            },
            "doc-unavailable" => Message::DocUnavailable { sender_id, target_id: need(self.target_id, "targetId")?, document_id: need(self.document_id, "documentId")? },
            "ephemeral" => Message::Ephemeral {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                document_id: need(self.document_id, "documentId")?,
                session_id: need(self.session_id, "sessionId")?,
                count: need(self.count, "count")?,
                data: data(self.data)?,
            },
            "remote-subscription-change" => Message::RemoteSubscriptionChange {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                add: self.add.unwrap_or_default(),
                remove: self.remove.unwrap_or_default(),
            },
            "remote-heads-changed" => Message::RemoteHeadsChanged {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                document_id: need(self.document_id, "documentId")?,
                new_heads: self.new_heads.unwrap_or_default(),
            },
            "linli-cut-ask" => Message::CutAsk { sender_id, target_id: need(self.target_id, "targetId")?, document_id: need(self.document_id, "documentId")?, at: self.at },
            "linli-cut" => Message::CutAnswer {
                sender_id,
                target_id: need(self.target_id, "targetId")?,
                document_id: need(self.document_id, "documentId")?,
                at: need(self.at, "at")?,
                cut: match (self.heads, self.signature) {
                    (Some(heads), Some(signature)) => Some(Cut { at: need(self.at, "at")?, heads, signature }),
                    _ => None,
                },
            },
            _ => return Err(DecodeError::UnknownType(kind)),
        };
        Ok(message)
    }
}

fn skip_tags(d: &mut Decoder<'_>) -> Result<(), DecodeError> {
    while d.datatype()? == Type::Tag {
        d.tag()?;
    }
    Ok(())
}

/// True (and the value consumed) when the value is `null` or `undefined`, which mean "absent".
fn is_absent(d: &mut Decoder<'_>) -> Result<bool, DecodeError> {
    skip_tags(d)?;
    match d.datatype()? {
        Type::Null | Type::Undefined => {
            d.skip()?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Calls `entry` once per key/value pair of the map at the decoder, definite or indefinite.
fn for_each_entry<'b>(d: &mut Decoder<'b>, mut entry: impl FnMut(&mut Decoder<'b>) -> Result<(), DecodeError>) -> Result<(), DecodeError> {
    match d.map()? {
        Some(len) => (0..len).try_for_each(|_| entry(d)),
        None => {
            while d.datatype()? != Type::Break {
                entry(d)?;
            }
            d.skip()?;
            Ok(())
        }
    }
}

/// Reads a text key; a key of any other type is skipped together with its value.
fn read_key(d: &mut Decoder<'_>) -> Result<Option<String>, DecodeError> {
    skip_tags(d)?;
    if matches!(d.datatype()?, Type::String | Type::StringIndef) {
        Ok(Some(text(d, "key")?))
    } else {
        d.skip()?;
        d.skip()?;
        Ok(None)
    }
}

fn wrong(field: &'static str, found: Type) -> DecodeError {
    DecodeError::WrongType { field, found: found.to_string() }
}

fn text(d: &mut Decoder<'_>, field: &'static str) -> Result<String, DecodeError> {
    skip_tags(d)?;
    match d.datatype()? {
        Type::String | Type::StringIndef => {
            let mut out = String::new();
            for piece in d.str_iter()? {
                out.push_str(piece?);
            }
            Ok(out)
        }
        other => Err(wrong(field, other)),
    }
}

fn texts(d: &mut Decoder<'_>, field: &'static str) -> Result<Vec<String>, DecodeError> {
    skip_tags(d)?;
    let mut out = Vec::new();
    match d.datatype()? {
        Type::Array => {
            let len = d.array()?.unwrap_or(0);
            for _ in 0..len {
                out.push(text(d, field)?);
            }
        }
        Type::ArrayIndef => {
            d.array()?;
            while d.datatype()? != Type::Break {
                out.push(text(d, field)?);
            }
            d.skip()?;
        }
        other => return Err(wrong(field, other)),
    }
    Ok(out)
}

fn bytes(d: &mut Decoder<'_>, field: &'static str) -> Result<Vec<u8>, DecodeError> {
    skip_tags(d)?;
    match d.datatype()? {
        Type::Bytes | Type::BytesIndef => {
            let mut out = Vec::new();
            for piece in d.bytes_iter()? {
                out.extend_from_slice(piece?);
            }
            Ok(out)
        }
        other => Err(wrong(field, other)),
    }
}

/// An array of byte-string entries, each read by `parse`: `changeSignatures` and `homeReceipts`
/// (96 bytes: change hash, then signature) and `memberSignatures` (128 or 192 bytes, see
/// `MemberSignature`).
fn entries<T>(d: &mut Decoder<'_>, field: &'static str, parse: fn(&[u8]) -> Option<T>) -> Result<Vec<T>, DecodeError> {
    skip_tags(d)?;
    let mut out = Vec::new();
    let mut entry = |d: &mut Decoder<'_>| -> Result<(), DecodeError> {
        let entry = bytes(d, field)?;
        let signature = parse(&entry).ok_or(DecodeError::WrongType { field, found: format!("{} bytes", entry.len()) })?;
        out.push(signature);
        Ok(())
    };
    match d.datatype()? {
        Type::Array => {
            let len = d.array()?.unwrap_or(0);
            (0..len).try_for_each(|_| entry(d))?;
        }
        Type::ArrayIndef => {
            d.array()?;
            while d.datatype()? != Type::Break {
                entry(d)?;
            }
            d.skip()?;
        }
        other => return Err(wrong(field, other)),
    }
    Ok(out)
}

fn document_id(d: &mut Decoder<'_>) -> Result<DocumentId, DecodeError> {
    skip_tags(d)?;
    match d.datatype()? {
        Type::String | Type::StringIndef => Ok(text(d, "documentId")?.parse()?),
        Type::Bytes | Type::BytesIndef => Ok(DocumentId::from_slice(&bytes(d, "documentId")?)?),
        other => Err(wrong("documentId", other)),
    }
}

/// A non-negative whole number sent as an integer or as a float (JavaScript numbers).
fn count(d: &mut Decoder<'_>, field: &'static str) -> Result<u64, DecodeError> {
    skip_tags(d)?;
    let found = d.datatype()?;
    let float = match found {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => return Ok(d.u64()?),
        Type::F16 => f64::from(d.f16()?),
        Type::F32 => f64::from(d.f32()?),
        Type::F64 => d.f64()?,
        other => return Err(wrong(field, other)),
    };
    if float.is_finite() && float >= 0.0 && float.fract() == 0.0 && float <= u64::MAX as f64 {
        Ok(float as u64)
    } else {
        Err(DecodeError::WrongType { field, found: format!("float {float}") })
    }
}

fn number(d: &mut Decoder<'_>, field: &'static str) -> Result<f64, DecodeError> {
    skip_tags(d)?;
    match d.datatype()? {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Ok(d.u64()? as f64),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => Ok(i64::try_from(d.int()?).unwrap_or(0) as f64),
        Type::F16 => Ok(f64::from(d.f16()?)),
        Type::F32 => Ok(f64::from(d.f32()?)),
        Type::F64 => Ok(d.f64()?),
        other => Err(wrong(field, other)),
    }
}

fn metadata(d: &mut Decoder<'_>) -> Result<PeerMetadata, DecodeError> {
    skip_tags(d)?;
    if !matches!(d.datatype()?, Type::Map | Type::MapIndef) {
        d.skip()?;
        return Ok(PeerMetadata::default());
    }
    let mut metadata = PeerMetadata::default();
    for_each_entry(d, |d| {
        let Some(key) = read_key(d)? else { return Ok(()) };
        if is_absent(d)? {
            return Ok(());
        }
        match (key.as_str(), d.datatype()?) {
            ("storageId", Type::String | Type::StringIndef) => metadata.storage_id = Some(text(d, "storageId")?),
            ("isEphemeral", Type::Bool) => metadata.is_ephemeral = d.bool()?,
            // A key of another length is no relay key: left out, as an unknown entry is.
            ("linliRelayKey", Type::Bytes) => metadata.relay_key = d.bytes()?.try_into().ok(),
            _ => d.skip()?,
        }
        Ok(())
    })?;
    Ok(metadata)
}

fn new_heads(d: &mut Decoder<'_>) -> Result<Vec<RemoteHeads>, DecodeError> {
    skip_tags(d)?;
    let found = d.datatype()?;
    if !matches!(found, Type::Map | Type::MapIndef) {
        return Err(wrong("newHeads", found));
    }
    let mut out = Vec::new();
    for_each_entry(d, |d| {
        let Some(storage_id) = read_key(d)? else { return Ok(()) };
        let mut entry = RemoteHeads { storage_id, heads: Vec::new(), timestamp: 0.0 };
        skip_tags(d)?;
        let found = d.datatype()?;
        if !matches!(found, Type::Map | Type::MapIndef) {
            return Err(wrong("newHeads", found));
        }
        for_each_entry(d, |d| {
            match read_key(d)?.as_deref() {
                Some("heads") => entry.heads = texts(d, "heads")?,
                Some("timestamp") => entry.timestamp = number(d, "timestamp")?,
                Some(_) => d.skip()?,
                None => {}
            }
            Ok(())
        })?;
        out.push(entry);
        Ok(())
    })?;
    Ok(out)
}

//! The CBOR codec against bytes written by the real JavaScript automerge-repo (cbor-x), and
//! against malformed input.

use linli_sync::codec::{DecodeError, decode, encode};
use linli_sync::{DocumentId, Message, PeerMetadata, RelayKey};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn doc() -> DocumentId {
    "2a6gCAmCfUGFFsDYb7gKDWhgF43t".parse().unwrap()
}

/// Decodes `bytes`, checks the message, and checks that our encoding decodes to the same message.
fn check(bytes: &[u8], expect: Message) {
    let message = decode(bytes).expect("decodes");
    assert_eq!(message, expect);
    assert_eq!(decode(&encode(&message)).unwrap(), message, "re-encoding round-trips");
}

#[test]
fn join_from_automerge_repo() {
    // cbor.encode({type:'join', senderId:'peer-a', peerMetadata:{storageId:'s1', isEphemeral:false},
    //              supportedProtocolVersions:['1']}) in @automerge/automerge-repo 2.5.6
    check(
        &hex(
            "b900046474797065646a6f696e6873656e646572496466706565722d616c706565724d65746164617461b900026973746f7261676549646273316b6973457068656d6572616cf47819737570706f7274656450726f746f636f6c56657273696f6e73816131",
        ),
        Message::Join {
            sender_id: "peer-a".into(),
            peer_metadata: PeerMetadata { storage_id: Some("s1".into()), is_ephemeral: false, relay_key: None },
            supported_protocol_versions: Some(vec!["1".into()]),
        },
    );
}

#[test]
fn a_relay_announces_its_key_in_its_metadata() {
    let peer = |relay_key| Message::Peer {
        sender_id: "relay".into(),
        target_id: "peer-a".into(),
        peer_metadata: PeerMetadata { storage_id: Some("s1".into()), is_ephemeral: false, relay_key },
        selected_protocol_version: "1".into(),
    };
    let announced = peer(Some([7; 32]));
    assert_eq!(decode(&encode(&announced)).unwrap(), announced);
    // A key of the wrong length is left out, not an error.
    let short = encode(&announced);
    let at = short.windows(2).position(|w| w == [0x58, 32]).expect("the key's bytes");
    let mut cut = short[..at].to_vec();
    cut.extend_from_slice(&[0x58, 31]);
    cut.extend_from_slice(&short[at + 2..at + 2 + 31]);
    cut.extend_from_slice(&short[at + 2 + 32..]);
    assert_eq!(decode(&cut).unwrap(), peer(None));
}

#[test]
fn undefined_fields_read_as_absent() {
    // {type:'join', senderId:'peer-a', peerMetadata:{storageId:undefined, isEphemeral:true}}
    check(
        &hex("b900036474797065646a6f696e6873656e646572496466706565722d616c706565724d65746164617461b900026973746f726167654964f76b6973457068656d6572616cf5"),
        Message::Join { sender_id: "peer-a".into(), peer_metadata: PeerMetadata { storage_id: None, is_ephemeral: true, relay_key: None }, supported_protocol_versions: None },
    );
}

#[test]
fn sync_and_ephemeral_from_automerge_repo() {
    check(
        &hex(
            "b9000564747970656473796e636873656e646572496466706565722d61687461726765744964667365727665726a646f63756d656e744964781c3261366743416d4366554746467344596237674b4457686746343374646461746143420001",
        ),
        Message::Sync {
            sender_id: "peer-a".into(),
            target_id: "server".into(),
            document_id: doc(),
            data: vec![0x42, 0, 1],
            signatures: Vec::new(),
            member_signatures: Vec::new(),
            receipts: Vec::new(),
        },
    );
    check(
        &hex(
            "b90007647479706569657068656d6572616c6873656e646572496466706565722d61687461726765744964667365727665726a646f63756d656e744964781c3261366743416d4366554746467344596237674b44576867463433746973657373696f6e49646361626365636f756e7403646461746141a0",
        ),
        Message::Ephemeral { sender_id: "peer-a".into(), target_id: "server".into(), document_id: doc(), session_id: "abc".into(), count: 3, data: vec![0xa0] },
    );
}

#[test]
fn change_signatures_ride_along_sync_messages_and_malformed_ones_are_refused() {
    let key = linli_sync::WriteKey::from_seed([4; 32]);
    let signatures = vec![key.sign(automerge::ChangeHash([1; 32])), key.sign(automerge::ChangeHash([2; 32]))];
    let member = linli_sync::MemberKey::from_seed([5; 32]);
    let member_signatures = vec![member.sign(automerge::ChangeHash([1; 32]), None)];
    let receipts = vec![linli_sync::RelayKey::from_seed([6; 32]).receipt(automerge::ChangeHash([2; 32]))];
    let message = Message::Sync { sender_id: "a".into(), target_id: "b".into(), document_id: doc(), data: vec![0x42], signatures, member_signatures, receipts };
    assert_eq!(decode(&encode(&message)).unwrap(), message);
    // An entry that is not 96 bytes is a protocol error, not a panic or a silent truncation.
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(6).unwrap();
    e.str("type").unwrap().str("sync").unwrap();
    e.str("senderId").unwrap().str("a").unwrap();
    e.str("targetId").unwrap().str("b").unwrap();
    e.str("documentId").unwrap().str(&doc().to_string()).unwrap();
    e.str("data").unwrap().bytes(&[0x42]).unwrap();
    e.str("changeSignatures").unwrap().array(1).unwrap().bytes(&[0; 95]).unwrap();
    assert!(decode(&e.into_writer()).is_err());
}

/// Builds a CBOR map by hand for the tolerance cases.
fn map(entries: &[(&str, Value)]) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    e.map(entries.len() as u64).unwrap();
    for (key, value) in entries {
        e.str(key).unwrap();
        match value {
            Value::Text(t) => e.str(t).unwrap(),
            Value::Bytes(b) => e.bytes(b).unwrap(),
            Value::TaggedBytes(b) => e.tag(minicbor::data::Tag::new(64)).unwrap().bytes(b).unwrap(),
            Value::Float(f) => e.f64(*f).unwrap(),
            Value::Int(i) => e.u64(*i).unwrap(),
            Value::Array(items) => {
                e.array(items.len() as u64).unwrap();
                for item in items {
                    e.str(item).unwrap();
                }
                &mut e
            }
        };
    }
    e.into_writer()
}

enum Value {
    Text(&'static str),
    Bytes(Vec<u8>),
    TaggedBytes(Vec<u8>),
    Float(f64),
    Int(u64),
    Array(Vec<&'static str>),
}
use Value::*;

#[test]
fn tolerates_byte_ids_float_counts_tags_aliases_and_unknown_keys() {
    let bytes = map(&[
        ("type", Text("ephemeral")),
        ("senderId", Text("a")),
        ("targetId", Text("b")),
        ("documentId", Bytes(doc().as_bytes().to_vec())),
        ("sessionId", Text("s")),
        ("count", Float(7.0)),
        ("data", TaggedBytes(vec![1])),
        ("somethingNew", Array(vec!["x", "y"])),
    ]);
    let Message::Ephemeral { document_id, count, data, .. } = decode(&bytes).unwrap() else { panic!("not ephemeral") };
    assert_eq!((document_id, count, data), (doc(), 7, vec![1]));

    let join = map(&[("type", Text("join")), ("senderId", Text("a")), ("metadata", Text("not a map"))]);
    assert!(matches!(decode(&join), Ok(Message::Join { .. })));
    let peer = map(&[("type", Text("peer")), ("senderId", Text("a")), ("targetId", Text("b")), ("selectedProtocolVersion", Text("1")), ("metadata", Text("ignored"))]);
    assert!(matches!(decode(&peer), Ok(Message::Peer { .. })));
    let leave = map(&[("type", Text("leave")), ("senderId", Text("a"))]);
    assert_eq!(decode(&leave), Ok(Message::Leave { sender_id: "a".into() }));
}

#[test]
fn malformed_input_is_a_typed_error() {
    let cases: Vec<(Vec<u8>, fn(&DecodeError) -> bool)> = vec![
        (vec![], |e| matches!(e, DecodeError::Cbor(_))),
        (vec![0x01], |e| matches!(e, DecodeError::NotAMap)),
        (vec![0xbf, 0x61], |e| matches!(e, DecodeError::Cbor(_))),
        (map(&[("type", Text("sync")), ("senderId", Text("a"))]), |e| matches!(e, DecodeError::MissingField("targetId"))),
        (map(&[("type", Text("sync")), ("senderId", Text("a")), ("targetId", Text("b")), ("documentId", Text("../../etc")), ("data", Bytes(vec![1]))]), |e| {
            matches!(e, DecodeError::InvalidDocumentId(_))
        }),
        (map(&[("type", Text("sync")), ("senderId", Text("a")), ("targetId", Text("b")), ("documentId", Text("2a6gCAmCfUGFFsDYb7gKDWhgF43t")), ("data", Bytes(vec![]))]), |e| {
            matches!(e, DecodeError::EmptyData)
        }),
        (map(&[("type", Text("ephemeral")), ("senderId", Int(5))]), |e| matches!(e, DecodeError::WrongType { field: "senderId", .. })),
        (
            map(&[
                ("type", Text("ephemeral")),
                ("senderId", Text("a")),
                ("targetId", Text("b")),
                ("documentId", Text("2a6gCAmCfUGFFsDYb7gKDWhgF43t")),
                ("sessionId", Text("s")),
                ("count", Float(1.5)),
                ("data", Bytes(vec![1])),
            ]),
            |e| matches!(e, DecodeError::WrongType { field: "count", .. }),
        ),
        (map(&[("type", Text("gossip")), ("senderId", Text("a"))]), |e| matches!(e, DecodeError::UnknownType(t) if t == "gossip")),
        ([map(&[("type", Text("leave")), ("senderId", Text("a"))]), vec![0]].concat(), |e| matches!(e, DecodeError::TrailingBytes)),
    ];
    for (bytes, is_expected) in cases {
        let error = decode(&bytes).expect_err("must not decode");
        assert!(is_expected(&error), "unexpected error {error:?} for {bytes:02x?}");
    }
}

mod fuzz {
    //! The decoder on bytes nobody would send: random, and real messages damaged at random.
    use super::*;
    use proptest::prelude::*;

    fn real_messages() -> Vec<Vec<u8>> {
        let key = linli_sync::WriteKey::from_seed([4; 32]);
        vec![
            encode(&Message::Join { sender_id: "a".into(), peer_metadata: PeerMetadata::default(), supported_protocol_versions: Some(vec!["1".into()]) }),
            encode(&Message::Sync {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: doc(),
                data: vec![0x42, 0, 1],
                signatures: vec![key.sign(automerge::ChangeHash([7; 32]))],
                member_signatures: vec![linli_sync::MemberKey::from_seed([5; 32]).sign(automerge::ChangeHash([7; 32]), None)],
                receipts: Vec::new(),
            }),
            encode(&Message::Ephemeral { sender_id: "a".into(), target_id: "b".into(), document_id: doc(), session_id: "s".into(), count: 9, data: vec![0xa0] }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("LINLI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_decode_to_a_message_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn damaged_messages_decode_to_a_message_or_an_error(
            which in 0usize..3,
            flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
            cut in any::<usize>(),
        ) {
            let mut bytes = real_messages()[which].clone();
            for (at, value) in flips {
                let n = bytes.len();
                bytes[at % n] = value;
            }
            let keep = 1 + cut % bytes.len();
            if let Ok(message) = decode(&bytes[..keep]) {
                // Whatever decodes re-encodes to something that decodes to the same message.
                prop_assert_eq!(decode(&encode(&message)).unwrap(), message);
            }
        }
    }
}

#[test]
fn a_cut_is_asked_and_answered_with_or_without_a_statement() {
    let document_id = DocumentId::from_bytes([4; 16]);
    for at in [Some(1_700_000_000_000), None] {
        let ask = Message::CutAsk { sender_id: "device".into(), target_id: "relay".into(), document_id, at };
        assert_eq!(decode(&encode(&ask)).unwrap(), ask);
    }
    let cut = RelayKey::from_seed([2; 32]).cut(&document_id, 42, vec![automerge::ChangeHash([5; 32]), automerge::ChangeHash([6; 32])]);
    let answer = Message::CutAnswer { sender_id: "relay".into(), target_id: "device".into(), document_id, at: 42, cut: Some(cut) };
    assert_eq!(decode(&encode(&answer)).unwrap(), answer);
    let unknown = Message::CutAnswer { sender_id: "relay".into(), target_id: "device".into(), document_id, at: 42, cut: None };
    assert_eq!(decode(&encode(&unknown)).unwrap(), unknown);
    // A signature of the wrong length is an error, not a cut.
    let mut bytes = encode(&answer);
    let at = bytes.windows(2).position(|w| w == [0x58, 64]).expect("the signature's bytes");
    bytes[at + 1] = 63;
    bytes.remove(at + 2);
    assert!(decode(&bytes).is_err());
}

//! Sealing and opening: the readers open, no one else does, and whatever is done to a sealed value
//! it gives a clear "cannot open" and never panics.

use linli_seal::{CannotOpen, Opener, Reader, ReadingKey, Sealed, open, reseal_to, seal, well_formed};
use proptest::prelude::*;

const PLACE: &str = "tasks/0123/sealed";

#[test]
fn each_reader_opens_what_was_sealed_to_them_and_no_one_else_does() {
    let (team, organisers, stranger) = (ReadingKey::generate(), ReadingKey::generate(), ReadingKey::generate());
    let sealed = seal("5-302 threatens my family".as_bytes(), PLACE, None, &[team.reader(), organisers.reader()]);
    assert_eq!(well_formed(&sealed), Ok(()));
    assert_eq!(open(&sealed, PLACE, std::slice::from_ref(&team)).unwrap(), "5-302 threatens my family".as_bytes());
    assert_eq!(open(&sealed, PLACE, &[stranger.clone(), organisers]).unwrap(), "5-302 threatens my family".as_bytes());
    assert_eq!(open(&sealed, PLACE, &[stranger]), Err(CannotOpen::NotForUs));
    assert!(!sealed.body.contains("threatens"));
}

#[test]
fn a_member_reads_with_the_key_their_member_id_names() {
    let seed = [7u8; 32];
    let member_id: String = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let reader = Reader::of_member(&member_id).expect("a member ID is a key");
    assert_eq!(ReadingKey::of_member(&seed).reader(), reader);
    let sealed = seal(b"call me back", PLACE, None, &[reader]);
    assert_eq!(open(&sealed, PLACE, &[ReadingKey::of_member(&seed)]).unwrap(), b"call me back");
    assert_eq!(Reader::of_member("0123456789abcdef"), None, "an older member's ID is not a key");
}

#[test]
fn values_a_writer_seals_with_their_own_key_open_for_each_reader_and_for_no_one_else() {
    let (writer, team, stranger) = (ReadingKey::generate(), ReadingKey::generate(), ReadingKey::generate());
    let opener = Opener::new(vec![stranger.clone(), team.clone()]);
    for n in 0..20 {
        let text = format!("request {n}");
        let place = format!("tasks/{n}");
        let sealed = seal(text.as_bytes(), &place, Some(&writer), &[team.reader(), writer.reader()]);
        assert_eq!(opener.open(&sealed, &place).unwrap(), text.as_bytes());
        assert_eq!(open(&sealed, &place, std::slice::from_ref(&writer)).unwrap(), text.as_bytes(), "the writer reads what they wrote");
        assert_eq!(open(&sealed, &place, std::slice::from_ref(&stranger)), Err(CannotOpen::NotForUs));
    }
}

#[test]
fn a_sealed_value_moved_to_another_place_does_not_open() {
    let key = ReadingKey::generate();
    let sealed = seal(b"private", PLACE, None, &[key.reader()]);
    assert_eq!(open(&sealed, "tasks/4567/sealed", &[key]), Err(CannotOpen::Tampered));
}

#[test]
fn resealing_lets_a_new_reader_in_and_keeps_the_old_ones() {
    let (team, newcomer) = (ReadingKey::generate(), ReadingKey::generate());
    let sealed = seal(b"the lift is stuck", PLACE, None, &[team.reader()]);
    assert_eq!(reseal_to(&sealed, std::slice::from_ref(&newcomer), &[newcomer.reader()]), Err(CannotOpen::NotForUs), "only a reader can let another in");
    let wider = reseal_to(&sealed, std::slice::from_ref(&team), &[newcomer.reader()]).unwrap();
    assert_eq!(well_formed(&wider), Ok(()));
    assert_eq!(wider.body, sealed.body);
    assert_eq!(open(&wider, PLACE, &[newcomer]).unwrap(), b"the lift is stuck");
    assert_eq!(open(&wider, PLACE, &[team]).unwrap(), b"the lift is stuck");
}

#[test]
fn a_value_with_no_readers_or_odd_names_is_not_well_formed() {
    let key = ReadingKey::generate();
    let sealed = seal(b"x", PLACE, None, &[key.reader()]);
    assert!(well_formed(&Sealed { keys: Default::default(), ..sealed.clone() }).is_err());
    let mut shouting = sealed.clone();
    let (name, entry) = shouting.keys.pop_first().unwrap();
    shouting.keys.insert(name.to_uppercase(), entry);
    assert!(well_formed(&shouting).is_err());
    assert!(well_formed(&Sealed { body: "plain words, not sealed".into(), ..sealed }).is_err());
}

proptest! {
    /// Any byte changed, cut or added anywhere in a sealed value: it does not open (and no panic).
    #[test]
    fn tampering_never_opens_and_never_panics(plain in prop::collection::vec(any::<u8>(), 0..200), in_keys in any::<bool>(), at in any::<usize>(), byte in any::<u8>(), cut in any::<bool>()) {
        let key = ReadingKey::generate();
        let sealed = seal(&plain, PLACE, None, &[key.reader()]);
        let mut broken = sealed.clone();
        let text = if in_keys { broken.keys.values_mut().next().unwrap() } else { &mut broken.body };
        let mut bytes = text.clone().into_bytes();
        let at = at % bytes.len();
        if cut { bytes.truncate(at); } else if bytes[at] == byte { bytes.push(b'A'); } else { bytes[at] = byte; }
        *text = String::from_utf8_lossy(&bytes).into_owned();
        prop_assume!(broken != sealed);
        let _ = well_formed(&broken);
        let opened = open(&broken, PLACE, &[key]);
        prop_assert!(opened.is_err() || opened.as_deref() == Ok(&plain[..]), "a changed value opened to something else: {opened:?}");
    }
}

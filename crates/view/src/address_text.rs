//! The shapes of what share addresses carry, checked on the page before anything is kept or asked for: a
//! space's ID (bs58 of 16 bytes and a 4-byte checksum; the engine checks the checksum) and a
//! key's seed (bs58 of 32 bytes).

/// Whether `text` has the shape of a space's ID.
pub fn is_space_id(text: &str) -> bool {
    text.len() <= 40 && bs58::decode(text).into_vec().is_ok_and(|bytes| bytes.len() == 20)
}

/// Whether `text` has the shape of a key's seed (write, take-part or member key).
pub fn is_key_text(text: &str) -> bool {
    let text = text.trim();
    text.len() <= 60 && bs58::decode(text).into_vec().is_ok_and(|bytes| bytes.len() == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_are_told_apart_from_anything_else() {
        let id = bs58::encode([7u8; 20]).into_string();
        let key = bs58::encode([9u8; 32]).into_string();
        assert!(is_space_id(&id));
        assert!(!is_space_id(&key));
        assert!(is_key_text(&key));
        assert!(!is_key_text(&id));
        assert!(!is_space_id("not an id"));
        assert!(!is_key_text("0OIl"));
    }
}

//! What every key made from a 32-byte Ed25519 seed shares (`WriteKey`, `TakePartKey`,
//! `MemberKey`): made from a seed, written as bs58 text and read back, its public half, and a
//! `Debug` that shows only the public half.

/// Gives `$key` (a tuple struct around an `ed25519_dalek::SigningKey`) `from_seed`, `to_text`
/// (documented by `$text`: where the text travels), `from_text`, `public` and `Debug`.
macro_rules! seed_key {
    ($key:ident, $text:literal) => {
        impl std::fmt::Debug for $key {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}(public {})", stringify!($key), bs58::encode(self.public()).into_string())
            }
        }

        impl $key {
            /// A key from 32 random bytes (the caller brings the randomness: the browser's
            /// crypto, the operating system's).
            pub fn from_seed(seed: [u8; 32]) -> Self {
                $key(ed25519_dalek::SigningKey::from_bytes(&seed))
            }

            #[doc = $text]
            pub fn to_text(&self) -> String {
                bs58::encode(self.0.to_bytes()).into_string()
            }

            /// Reads the seed's text back; `None` if it is not 32 bytes of bs58.
            pub fn from_text(text: &str) -> Option<Self> {
                let seed: [u8; 32] = bs58::decode(text.trim()).into_vec().ok()?.try_into().ok()?;
                Some(Self::from_seed(seed))
            }

            /// The public half.
            pub fn public(&self) -> [u8; 32] {
                self.0.verifying_key().to_bytes()
            }
        }
    };
}

pub(crate) use seed_key;

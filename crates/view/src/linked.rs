//! Linked spaces across the worker boundary: what the page asks of a link (`LinkedEdit`) and the
//! invitation an upper space's organiser hands to a lower space's (`Invitation`), as text to
//! paste or scan: `linli-invite:<link document ID>:<invitation key>:<relay of the upper space>#<check>`,
//! where the check (8 hex digits of FNV-1a over what comes before it) makes a copy cut short or
//! mistyped fail at once, on the page, rather than wait for a link that cannot come.

use linli_model::Shares;
use serde::{Deserialize, Serialize};

use crate::address_text::{is_key_text, is_space_id};

/// A change to a link, made as this device's member under the side this space is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkedEdit {
    /// The lower space escalates request `request` (a task ID of its space) to a department of
    /// the upper space (its category ID), with a note.
    /// `with_words`: a private request's title and details go too, sealed to the department's
    /// members and the upper space's organisers (the organiser's choice; off, they stay here).
    Escalate {
        request: String,
        department: String,
        details: String,
        #[serde(default)]
        with_words: bool,
    },
    /// The upper space's department claims, reports on, resolves an escalation.
    Claim {
        escalation: String,
    },
    Progress {
        escalation: String,
        text: String,
    },
    Resolve {
        escalation: String,
    },
    /// The lower space changes what it shares.
    Shares(Shares),
    /// The upper space changes the time limit to claim escalations, in hours.
    ClaimWithin(u64),
    /// This side ends the link.
    End,
}

/// What an invitation carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub link: String,
    pub key: String,
    /// The upper space's relay (`ws://` or `wss://`), or empty: the same as this page's.
    pub relay: String,
}

const PREFIX: &str = "linli-invite:";

impl Invitation {
    pub fn to_text(&self) -> String {
        let body = format!("{PREFIX}{}:{}:{}", self.link, self.key, self.relay);
        format!("{body}#{:08x}", check(&body))
    }

    /// Reads an invitation pasted or scanned (spaces and line breaks around it are ignored);
    /// `None` unless it is whole (its check matches).
    pub fn from_text(text: &str) -> Option<Invitation> {
        let (body, written) = text.trim().rsplit_once('#')?;
        if u32::from_str_radix(written, 16).ok() != Some(check(body)) || written.len() != 8 {
            return None;
        }
        let rest = body.strip_prefix(PREFIX)?;
        let mut parts = rest.splitn(3, ':');
        let (link, key, relay) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
        let relay_ok = relay.is_empty() || relay.starts_with("ws://") || relay.starts_with("wss://");
        (is_space_id(link) && is_key_text(key) && relay_ok && !relay.contains(char::is_whitespace)).then(|| Invitation {
            link: link.to_owned(),
            key: key.to_owned(),
            relay: relay.to_owned(),
        })
    }
}

/// FNV-1a, 32 bits: enough to notice a copy cut short or a mistyped character.
fn check(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_reads_back_and_nothing_else_reads_as_one() {
        let invitation = Invitation { link: bs58::encode([7u8; 20]).into_string(), key: bs58::encode([9u8; 32]).into_string(), relay: "wss://street.example:8443/".into() };
        assert_eq!(Invitation::from_text(&format!("  {}\n", invitation.to_text())), Some(invitation.clone()));
        let no_relay = Invitation { relay: String::new(), ..invitation.clone() };
        assert_eq!(Invitation::from_text(&no_relay.to_text()), Some(no_relay));
        assert_eq!(Invitation::from_text("linli-invite:abc:def:"), None);
        assert_eq!(Invitation::from_text(&invitation.to_text().replace("wss://", "http://")), None);
        assert_eq!(Invitation::from_text(&invitation.to_text().replace(PREFIX, "")), None);
        // A copy cut short, or one character changed anywhere, is no invitation.
        let text = invitation.to_text();
        for cut in 1..=3 {
            assert_eq!(Invitation::from_text(&text[..text.len() - cut]), None, "cut by {cut}");
        }
        assert_eq!(Invitation::from_text(&text.replace(":8443/", ":8444/")), None, "another port");
        assert_eq!(Invitation::from_text(&text[..text.find('#').unwrap()]), None, "no check");
    }
}

//! Linked spaces across the worker boundary: what the page asks of a link (`LinkedEdit`) and the
//! invitation an upper space's organiser hands to a lower space's (`Invitation`), as text to
//! paste or scan: `linli-invite:<link document ID>:<invitation key>:<relay of the upper space>`.

use linli_model::Shares;
use serde::{Deserialize, Serialize};

use crate::link_text::{is_key_text, is_space_id};

/// A change to a link, made as this device's member under the side this space is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkedEdit {
    /// The lower space escalates request `request` (a task ID of its space) to a department of
    /// the upper space (its category ID), with a note.
    Escalate { request: String, department: String, details: String },
    /// The upper space's department claims, reports on, resolves an escalation.
    Claim { escalation: String },
    Progress { escalation: String, text: String },
    Resolve { escalation: String },
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
        format!("{PREFIX}{}:{}:{}", self.link, self.key, self.relay)
    }

    /// Reads an invitation pasted or scanned (spaces and line breaks around it are ignored).
    pub fn from_text(text: &str) -> Option<Invitation> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let mut parts = rest.splitn(3, ':');
        let (link, key, relay) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
        let relay_ok = relay.is_empty() || relay.starts_with("ws://") || relay.starts_with("wss://");
        (is_space_id(link) && is_key_text(key) && relay_ok && !relay.contains(char::is_whitespace))
            .then(|| Invitation { link: link.to_owned(), key: key.to_owned(), relay: relay.to_owned() })
    }
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
    }
}

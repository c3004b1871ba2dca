//! A space as one device may read it: each private part opened with the device's keyring, or
//! left as what is public of it (nothing, or a summary the organisers published) and marked
//! closed. Never a panic, never an item that vanishes.

use std::collections::BTreeMap;

use linli_seal::Opener;

use super::Keyring;
use crate::{CallBack, Member, Privacy, Space, Task};

/// What a private request's title and details are sealed as: the title, a zero byte, the details.
pub fn request_payload(title: &str, description: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(title.len() + 1 + description.len());
    bytes.extend_from_slice(title.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(description.as_bytes());
    bytes
}

/// A private request's title and details, from what they were sealed as.
pub fn read_request_payload(bytes: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (title, description) = text.split_once('\0').unwrap_or((text, ""));
    Some((title.to_owned(), description.to_owned()))
}

/// Opens every private part of `space` that `keyring` (with the space's team keys) opens, and
/// notes each private part's [`Privacy`] in `space.private`.
pub fn open_private(space: &mut Space, keyring: &Keyring) {
    let opener = keyring.with_teams(space).opener();
    let mut private = BTreeMap::new();
    for (id, task) in &mut space.tasks {
        open_task(id, task, &opener, &mut private);
    }
    for (id, member) in &mut space.members {
        open_member(id, member, &opener);
    }
    space.private = private;
}

/// Opens member `id`'s call-back details, if this device may read them.
pub fn open_member(id: &str, member: &mut Member, opener: &Opener) {
    member.call_back = member.contact.as_ref().and_then(|sealed| opener.open(sealed, &format!("members/{id}/contact")).ok()).and_then(|bytes| CallBack::from_payload(&bytes));
}

/// Opens task `id`'s private parts, noting them in `private`.
pub fn open_task(id: &str, task: &mut Task, opener: &Opener, private: &mut BTreeMap<String, Privacy>) {
    let Some(sealed) = &task.sealed else { return };
    let place = format!("tasks/{id}");
    let opened = opener.open(sealed, &place).ok().and_then(|bytes| read_request_payload(&bytes));
    private.insert(place.clone(), if opened.is_some() { Privacy::Open } else { Privacy::Closed });
    if let Some((title, description)) = opened {
        task.title = title;
        task.description = description;
    }
    for (comment_id, comment) in &mut task.comments {
        let Some(sealed) = &comment.sealed else { continue };
        let place = format!("tasks/{id}/comments/{comment_id}");
        match opener.open(sealed, &place).ok().and_then(|bytes| String::from_utf8(bytes).ok()) {
            Some(text) => {
                comment.text = text;
                private.insert(place, Privacy::Open);
            }
            None => {
                comment.text.clear();
                private.insert(place, Privacy::Closed);
            }
        }
    }
}

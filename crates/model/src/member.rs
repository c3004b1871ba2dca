//! Members: a person on a device who writes to a space, with a name and an optional role label.

#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::{Sealed, Timestamp};

/// Role labels Linli knows and shows in three languages. Any other label is shown as typed.
pub const KNOWN_ROLES: [&str; 5] = ["residents-committee", "owners-committee", "property-management", "volunteer", "resident"];

/// A member as stored under `members/<member id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Member {
    pub name: String,
    /// One of [`KNOWN_ROLES`] or a free label; empty when none.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub role: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub joined_at: Timestamp,
    /// Where to visit and whom to call back, sealed to the member and the organisers (a
    /// [`CallBack`] as `flat`, a zero byte, `phone`).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default", with = "crate::sealed::optional"))]
    #[serde(default)]
    pub contact: Option<Sealed>,
    /// The call-back details as this device opened them; never in the document.
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::sealed::never_stored"))]
    #[serde(default)]
    pub call_back: Option<CallBack>,
}

/// A member's call-back details, opened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallBack {
    pub flat: String,
    pub phone: String,
}

impl CallBack {
    /// What the details are sealed as: the flat, a zero byte, the phone.
    pub fn payload(&self) -> Vec<u8> {
        format!("{}\0{}", self.flat, self.phone).into_bytes()
    }

    /// The details, from what they were sealed as.
    pub fn from_payload(bytes: &[u8]) -> Option<CallBack> {
        let text = std::str::from_utf8(bytes).ok()?;
        let (flat, phone) = text.split_once('\0')?;
        Some(CallBack { flat: flat.to_owned(), phone: phone.to_owned() })
    }

    pub fn is_empty(&self) -> bool {
        self.flat.trim().is_empty() && self.phone.trim().is_empty()
    }
}

//! The collections of a space, named once: the document's maps, the page's paths and the kinds
//! of item with a history ([`crate::ItemKind::collection`]) all use these names.

use serde::{Deserialize, Serialize};

/// The collections a space's items live in, by the names the document and the page's paths
/// (`<collection>/<id>`) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Collection {
    Categories,
    Responsibilities,
    Members,
    Notices,
    Pledges,
    Boards,
    Tasks,
    Consultations,
    Bodies,
    Meetings,
}

impl Collection {
    /// Its name in the document and in paths.
    pub fn name(self) -> &'static str {
        match self {
            Collection::Categories => "categories",
            Collection::Responsibilities => "responsibilities",
            Collection::Members => "members",
            Collection::Notices => "notices",
            Collection::Pledges => "pledges",
            Collection::Boards => "boards",
            Collection::Tasks => "tasks",
            Collection::Consultations => "consultations",
            Collection::Bodies => "bodies",
            Collection::Meetings => "meetings",
        }
    }

    /// The collection of this name, if there is one.
    pub fn from_name(name: &str) -> Option<Collection> {
        [
            Collection::Categories,
            Collection::Responsibilities,
            Collection::Members,
            Collection::Notices,
            Collection::Pledges,
            Collection::Boards,
            Collection::Tasks,
            Collection::Consultations,
            Collection::Bodies,
            Collection::Meetings,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

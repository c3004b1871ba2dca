//! The space's own settings: name, description, languages, categories, kiosk settings and who
//! answers which category.

use automerge::ROOT;
use automerge::transaction::Transactable;
use autosurgeon::reconcile_prop;

use crate::Names;
use crate::position::between;
use crate::{Category, KioskSettings, Responsibility};
use crate::{Editor, ItemId, Lang, Space, SpaceDocument, SpaceError};

impl Editor<'_> {
    pub fn rename_space(&mut self, name: &str) -> Result<(), SpaceError> {
        let name = super::required(name, crate::Invalid::SpaceNeedsName)?;
        self.doc.put(ROOT, "name", name)?;
        self.commit("space.rename");
        Ok(())
    }

    pub fn set_description(&mut self, description: &str) -> Result<(), SpaceError> {
        self.doc.put(ROOT, "description", description.trim())?;
        self.commit("space.describe");
        Ok(())
    }

    /// The languages the space offers (at least one).
    pub fn set_languages(&mut self, languages: &[Lang]) -> Result<(), SpaceError> {
        if languages.is_empty() {
            return Err(SpaceError::Invalid(crate::Invalid::NeedsALanguage));
        }
        let mut tags: Vec<String> = Vec::new();
        for lang in languages {
            if !tags.iter().any(|t| t == lang.tag()) {
                tags.push(lang.tag().to_owned());
            }
        }
        reconcile_prop(self.doc, ROOT, "languages", &tags)?;
        self.commit("space.languages");
        Ok(())
    }

    /// Adds a category at the end.
    pub fn add_category(&mut self, id: &ItemId, names: Names) -> Result<(), SpaceError> {
        if names.values().all(|n| n.trim().is_empty()) {
            return Err(SpaceError::Invalid(crate::Invalid::CategoryNeedsName));
        }
        let map = self.collection("categories")?;
        let last = self.current_space()?.categories_in_order().last().map(|(_, c)| c.position.clone());
        let category = Category { names, position: between(last.as_deref(), None, self.entropy()), archived: false };
        self.put_new_item(&map, "category", id.as_str(), &category)?;
        self.commit("category.add");
        Ok(())
    }

    /// Renames a category in the languages given (others keep their names).
    pub fn rename_category(&mut self, id: &str, names: Names) -> Result<(), SpaceError> {
        let (map, mut category) = self.item::<Category>("categories", "category", id)?;
        category.names.extend(names);
        self.put_item(&map, id, &category)?;
        self.commit("category.rename");
        Ok(())
    }

    /// Moves a category to `index` among the others (0 = first).
    pub fn move_category(&mut self, id: &str, index: usize) -> Result<(), SpaceError> {
        let (map, mut category) = self.item::<Category>("categories", "category", id)?;
        let space = self.current_space()?;
        let others: Vec<&str> = space.categories_in_order().into_iter().filter(|(c, _)| *c != id).map(|(_, c)| c.position.as_str()).collect();
        let index = index.min(others.len());
        let before = index.checked_sub(1).map(|i| others[i]);
        category.position = between(before, others.get(index).copied(), self.entropy());
        self.put_item(&map, id, &category)?;
        self.commit("category.move");
        Ok(())
    }

    pub fn set_category_archived(&mut self, id: &str, archived: bool) -> Result<(), SpaceError> {
        let (map, mut category) = self.item::<Category>("categories", "category", id)?;
        category.archived = archived;
        self.put_item(&map, id, &category)?;
        self.commit("category.archive");
        Ok(())
    }

    /// What every kiosk of the space shows and how.
    pub fn set_kiosk_settings(&mut self, settings: &KioskSettings) -> Result<(), SpaceError> {
        if settings.rotation_seconds < 3 || settings.rotation_seconds > 600 {
            return Err(SpaceError::Invalid(crate::Invalid::SlideSeconds));
        }
        reconcile_prop(self.doc, ROOT, "kiosk", settings)?;
        self.commit("kiosk.settings");
        Ok(())
    }

    /// Who answers requests in a category; an empty team name removes the entry.
    pub fn set_responsibility(&mut self, category: &str, responsibility: &Responsibility) -> Result<(), SpaceError> {
        let map = self.collection("responsibilities")?;
        if responsibility.team.trim().is_empty() && responsibility.members.is_empty() {
            self.doc.delete(&map, category)?;
        } else {
            let before: Option<Responsibility> = match automerge::ReadDoc::get(&*self.doc, &map, category)? {
                Some(_) => Some(autosurgeon::hydrate_prop(&*self.doc, &map, category)?),
                None => None,
            };
            let organisers = crate::private::organisers_reader(self.doc);
            let next = crate::private::with_team_keys(category, before.as_ref(), responsibility, organisers, &self.reading, self.author.now);
            self.put_item(&map, category, &next)?;
        }
        self.commit("responsibility.set");
        Ok(())
    }

    pub(super) fn current_space(&self) -> Result<Space, SpaceError> {
        Space::hydrate(self.doc)
    }
}

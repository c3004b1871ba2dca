//! Boards, columns and tasks: adding, renaming, moving (by fractional position), claiming,
//! assigning, commenting, and residents' requests from raised to resolved.

use std::collections::BTreeMap;

use autosurgeon::hydrate_prop;

use crate::Comment;
use crate::Names;
use crate::position::between;
use crate::{Board, Column, Editor, ItemId, Place, SpaceError, Task, TaskDraft};
use crate::{Confirmation, Request};

impl Editor<'_> {
    /// Adds a board with the given columns (ID and names), after the existing boards.
    pub fn create_board(&mut self, id: &ItemId, name: &str, columns: &[(ItemId, Names)]) -> Result<(), SpaceError> {
        let name = super::required(name, crate::Invalid::BoardNeedsName)?;
        let map = self.collection("boards")?;
        let boards: BTreeMap<String, Board> = autosurgeon::hydrate_prop(&*self.doc, automerge::ROOT, "boards").unwrap_or_default();
        let last = boards.values().map(|b| b.position.clone()).max();
        let mut column_map = BTreeMap::new();
        let mut previous: Option<String> = None;
        for (column_id, names) in columns {
            let position = between(previous.as_deref(), None, 0);
            column_map.insert(column_id.to_string(), Column { names: names.clone(), position: position.clone(), archived: false });
            previous = Some(position);
        }
        let board = Board { name, position: between(last.as_deref(), None, self.entropy()), columns: column_map, archived: false };
        self.put_new_item(&map, "board", id.as_str(), &board)?;
        self.commit("board.create");
        Ok(())
    }

    pub fn rename_board(&mut self, id: &ItemId, name: &str) -> Result<(), SpaceError> {
        let name = super::required(name, crate::Invalid::BoardNeedsName)?;
        let (map, mut board) = self.item::<Board>("boards", "board", id.as_str())?;
        board.name = name;
        self.put_item(&map, id.as_str(), &board)?;
        self.commit("board.rename");
        Ok(())
    }

    /// Adds a column at the end of a board.
    pub fn add_column(&mut self, board_id: &ItemId, column_id: &ItemId, names: Names) -> Result<(), SpaceError> {
        let (map, mut board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        let last = board.columns_in_order().last().map(|(_, c)| c.position.clone());
        let position = between(last.as_deref(), None, self.entropy());
        board.columns.insert(column_id.to_string(), Column { names, position, archived: false });
        self.put_item(&map, board_id.as_str(), &board)?;
        self.commit("column.add");
        Ok(())
    }

    /// Renames a column (in the languages given; others keep their names).
    pub fn rename_column(&mut self, board_id: &ItemId, column_id: &ItemId, names: Names) -> Result<(), SpaceError> {
        let (map, mut board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        let column = board.columns.get_mut(column_id.as_str()).ok_or_else(|| not_found("column", column_id))?;
        column.names.extend(names);
        self.put_item(&map, board_id.as_str(), &board)?;
        self.commit("column.rename");
        Ok(())
    }

    /// Moves a column to `index` among the board's other columns (0 = first).
    pub fn move_column(&mut self, board_id: &ItemId, column_id: &ItemId, index: usize) -> Result<(), SpaceError> {
        let (map, mut board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        if !board.columns.contains_key(column_id.as_str()) {
            return Err(not_found("column", column_id));
        }
        let others: Vec<String> = board.columns_in_order().into_iter().filter(|(id, _)| *id != column_id.as_str()).map(|(_, c)| c.position.clone()).collect();
        let position = slot(&others, index, self.entropy());
        board.columns.get_mut(column_id.as_str()).expect("checked").position = position;
        self.put_item(&map, board_id.as_str(), &board)?;
        self.commit("column.move");
        Ok(())
    }

    /// Archives a column. Its tasks stay on the board (see `Space::orphan_tasks`).
    pub fn archive_column(&mut self, board_id: &ItemId, column_id: &ItemId) -> Result<(), SpaceError> {
        let (map, mut board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        board.columns.get_mut(column_id.as_str()).ok_or_else(|| not_found("column", column_id))?.archived = true;
        self.put_item(&map, board_id.as_str(), &board)?;
        self.commit("column.archive");
        Ok(())
    }

    /// Adds a task to a column at `place`.
    pub fn add_task(&mut self, id: &ItemId, board_id: &ItemId, column_id: &ItemId, draft: TaskDraft, place: Place) -> Result<(), SpaceError> {
        let task = self.new_task(board_id, column_id, draft, None, place)?;
        let map = self.collection("tasks")?;
        self.put_new_item(&map, "task", id.as_str(), &task)?;
        self.commit("task.add");
        Ok(())
    }

    /// A resident raises a request in a category (接訴即辦): a task with its request clock started.
    pub fn raise_request(&mut self, id: &ItemId, board_id: &ItemId, column_id: &ItemId, category: &str, draft: TaskDraft, place: Place) -> Result<(), SpaceError> {
        self.raise_request_as(id, Some((board_id, column_id, place)), category, draft, false)
    }

    /// A resident raises a request in a space that has no board yet: it waits, on no board, in
    /// the requests list (organisers see and claim it there).
    pub fn raise_unfiled_request(&mut self, id: &ItemId, category: &str, draft: TaskDraft) -> Result<(), SpaceError> {
        self.raise_request_as(id, None, category, draft, false)
    }

    /// Raises a request on a board's column (`on`) or unfiled; if `private`, its title and details
    /// are sealed to the resident, the organisers and the category's team (`private/`), and only
    /// its category, state and times stay readable by all.
    pub fn raise_request_as(&mut self, id: &ItemId, on: Option<(&ItemId, &ItemId, Place)>, category: &str, draft: TaskDraft, private: bool) -> Result<(), SpaceError> {
        let now = self.author.now;
        let request = Request { raised_by: self.me(), raised_at: now, category: category.to_owned(), claimed_at: None, resolved_at: None, confirmation: None };
        let mut task = match on {
            Some((board_id, column_id, place)) => self.new_task(board_id, column_id, draft, Some(request), place)?,
            None => {
                let title = super::required(&draft.title, crate::Invalid::TaskNeedsTitle)?;
                Task {
                    board: String::new(),
                    column: String::new(),
                    position: String::new(),
                    title,
                    description: draft.description.clone(),
                    assignees: BTreeMap::new(),
                    claimed_by: String::new(),
                    due: draft.due,
                    labels: BTreeMap::new(),
                    comments: BTreeMap::new(),
                    request: Some(request),
                    sealed: None,
                    created_at: now,
                    updated_at: now,
                    archived: false,
                }
            }
        };
        if private {
            let team = self.responsibility(category)?;
            let readers = crate::private::request_readers(self.doc, team.as_ref(), &self.me());
            let payload = crate::private::request_payload(&task.title, &task.description);
            task.sealed = Some(linli_seal::seal(&payload, &format!("tasks/{id}"), self.sealer.as_ref(), &readers));
            task.title = String::new();
            task.description = String::new();
            task.labels.clear();
        }
        let map = self.collection("tasks")?;
        self.put_new_item(&map, "task", id.as_str(), &task)?;
        self.commit(if private { "request.raise-private" } else { "request.raise" });
        Ok(())
    }

    /// The team responsible for `category`, as the document holds it.
    fn responsibility(&mut self, category: &str) -> Result<Option<linli_model::Responsibility>, SpaceError> {
        let map = self.collection("responsibilities")?;
        if automerge::ReadDoc::get(&*self.doc, &map, category)?.is_none() {
            return Ok(None);
        }
        Ok(Some(hydrate_prop(&*self.doc, &map, category)?))
    }

    pub(super) fn new_task(&mut self, board_id: &ItemId, column_id: &ItemId, draft: TaskDraft, request: Option<Request>, place: Place) -> Result<Task, SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::TaskNeedsTitle)?;
        let (_, board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        if !board.columns.contains_key(column_id.as_str()) {
            return Err(not_found("column", column_id));
        }
        let position = self.position_in_column(board_id, column_id, None, place)?;
        let now = self.author.now;
        Ok(Task {
            board: board_id.to_string(),
            column: column_id.to_string(),
            position,
            title,
            description: draft.description.clone(),
            assignees: BTreeMap::new(),
            claimed_by: String::new(),
            due: draft.due,
            labels: draft.labels.into_iter().map(|l| (l.trim().to_owned(), true)).filter(|(l, _)| !l.is_empty()).collect(),
            comments: BTreeMap::new(),
            request,
            sealed: None,
            created_at: now,
            updated_at: now,
            archived: false,
        })
    }

    /// The position for `place` in a column (leaving `except`, the task being moved, out).
    fn position_in_column(&mut self, board_id: &ItemId, column_id: &ItemId, except: Option<&ItemId>, place: Place) -> Result<String, SpaceError> {
        let entropy = self.entropy();
        Ok(match place {
            Place::Between(before, after) => between(before, after, entropy),
            Place::End => between(self.column_positions(board_id, column_id, except)?.last().map(String::as_str), None, entropy),
            Place::Index(index) => slot(&self.column_positions(board_id, column_id, except)?, index, entropy),
        })
    }

    /// The positions of a column's tasks in order, leaving out `except`. Reads only the four
    /// fields it needs of each task, not whole tasks.
    fn column_positions(&mut self, board_id: &ItemId, column_id: &ItemId, except: Option<&ItemId>) -> Result<Vec<String>, SpaceError> {
        use automerge::{ReadDoc, Value};
        let map = self.collection("tasks")?;
        let doc = &*self.doc;
        let text = |task: &automerge::ObjId, field: &str| match doc.get(task, field) {
            Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_owned),
            _ => None,
        };
        let mut positions = Vec::new();
        for id in doc.keys(&map) {
            if Some(id.as_str()) == except.map(ItemId::as_str) {
                continue;
            }
            let Ok(Some((Value::Object(_), task))) = doc.get(&map, id.as_str()) else { continue };
            let archived = matches!(doc.get(&task, "archived"), Ok(Some((Value::Scalar(s), _))) if s.as_bool() == Some(true));
            if archived || text(&task, "board").as_deref() != Some(board_id.as_str()) || text(&task, "column").as_deref() != Some(column_id.as_str()) {
                continue;
            }
            positions.push((text(&task, "position").unwrap_or_default(), id));
        }
        positions.sort();
        Ok(positions.into_iter().map(|(p, _)| p).collect())
    }

    /// Edits a task's title, description, due date and labels.
    pub fn edit_task(&mut self, id: &ItemId, draft: TaskDraft) -> Result<(), SpaceError> {
        let (_, current) = self.item::<Task>("tasks", "task", id.as_str())?;
        // A private request's title and details stay as the document holds them (sealed, or a
        // summary published on purpose): the form's copy, opened on this device, is never
        // written back in clear.
        let private = current.sealed.is_some();
        let title = if private { current.title.clone() } else { super::required(&draft.title, crate::Invalid::TaskNeedsTitle)? };
        self.update_task(id, "task.edit", |task| {
            if !private {
                task.title = title;
                task.description = draft.description.clone();
            }
            task.due = draft.due;
            task.labels = draft.labels.into_iter().map(|l| (l.trim().to_owned(), true)).filter(|(l, _)| !l.is_empty()).collect();
        })
    }

    /// Organisers publish what everyone may read of a private request: a summary they write, or
    /// its words with the resident's consent. The sealed original stays for its readers.
    pub fn publish_request_summary(&mut self, id: &ItemId, title: &str, description: &str) -> Result<(), SpaceError> {
        let title = super::required(title, crate::Invalid::SummaryNeedsTitle)?;
        let (_, current) = self.item::<Task>("tasks", "task", id.as_str())?;
        if current.sealed.is_none() {
            return Err(SpaceError::Invalid(crate::Invalid::NotPrivate));
        }
        self.update_task(id, "request.publish-summary", |task| {
            task.title = title;
            task.description = description.trim().to_owned();
        })
    }

    /// Moves a task to `place` in a column of its board. Only the task's column and position
    /// change, so a concurrent move or edit can never duplicate or lose the card.
    pub fn move_task(&mut self, id: &ItemId, column_id: &ItemId, place: Place) -> Result<(), SpaceError> {
        let (_, task) = self.item::<Task>("tasks", "task", id.as_str())?;
        let board_id = ItemId::parse(&task.board).ok_or_else(|| not_found("board", &task.board))?;
        let (_, board) = self.item::<Board>("boards", "board", board_id.as_str())?;
        if !board.columns.contains_key(column_id.as_str()) {
            return Err(not_found("column", column_id));
        }
        let position = self.position_in_column(&board_id, column_id, Some(id), place)?;
        let column = column_id.to_string();
        self.update_task(id, "task.move", |task| {
            task.column = column;
            task.position = position;
        })
    }

    /// The author claims a task ("I'll do it"). For a request, this starts its response time.
    pub fn claim_task(&mut self, id: &ItemId) -> Result<(), SpaceError> {
        let me = self.me();
        let now = self.author.now;
        self.update_task(id, "task.claim", |task| {
            task.claimed_by = me.clone();
            task.assignees.insert(me, true);
            if let Some(request) = &mut task.request
                && request.claimed_at.is_none()
            {
                request.claimed_at = Some(now);
            }
        })
    }

    /// Gives a claimed task back.
    pub fn unclaim_task(&mut self, id: &ItemId) -> Result<(), SpaceError> {
        self.update_task(id, "task.unclaim", |task| task.claimed_by.clear())
    }

    /// Assigns a member to a task, or (with `assigned` false) takes them off it.
    pub fn assign_task(&mut self, id: &ItemId, member: &str, assigned: bool) -> Result<(), SpaceError> {
        let member = member.to_owned();
        self.update_task(id, "task.assign", |task| {
            if assigned {
                task.assignees.insert(member, true);
            } else {
                task.assignees.remove(&member);
            }
        })
    }

    /// Marks a request resolved (its resolution time stops), or reopens it.
    pub fn resolve_request(&mut self, id: &ItemId, resolved: bool) -> Result<(), SpaceError> {
        let (_, task) = self.item::<Task>("tasks", "task", id.as_str())?;
        if task.request.is_none() {
            return Err(SpaceError::Invalid(crate::Invalid::ResolveRequestsOnly));
        }
        let now = self.author.now;
        self.update_task(id, if resolved { "request.resolve" } else { "request.reopen" }, |task| {
            if let Some(request) = &mut task.request {
                request.resolved_at = resolved.then_some(now);
                if resolved && request.claimed_at.is_none() {
                    request.claimed_at = Some(now);
                }
            }
        })
    }

    /// Organisers give a request to another category's team. A private request, and every
    /// comment on it, is sealed also to the new team's newest key (opened with the organisers'
    /// key this editor holds): the new team reads it; the old one keeps what it could read.
    pub fn move_request_to_category(&mut self, id: &ItemId, category: &str) -> Result<(), SpaceError> {
        let (_, mut task) = self.item::<Task>("tasks", "task", id.as_str())?;
        let Some(request) = &mut task.request else { return Err(SpaceError::Invalid(crate::Invalid::CategoryOnRequestsOnly)) };
        request.category = category.to_owned();
        let team = self.responsibility(category)?;
        let reader = team.as_ref().and_then(linli_model::Responsibility::current_key).and_then(linli_seal::Reader::from_hex);
        if let (Some(sealed), Some(reader)) = (&task.sealed, reader) {
            let wider = linli_seal::reseal_to(sealed, &self.reading, &[reader]).map_err(|_| SpaceError::Invalid(crate::Invalid::CannotOpenPrivate))?;
            task.sealed = Some(wider);
            for comment in task.comments.values_mut() {
                if let Some(wider) = comment.sealed.as_ref().and_then(|sealed| linli_seal::reseal_to(sealed, &self.reading, &[reader]).ok()) {
                    comment.sealed = Some(wider);
                }
            }
        }
        self.update_task(id, "request.category", |current| *current = task)
    }

    /// The resident who raised a request adds details to it: a new paragraph at the end of its
    /// description (only the text is spliced, so an organiser's concurrent edit is kept).
    pub fn add_request_details(&mut self, id: &ItemId, details: &str) -> Result<(), SpaceError> {
        use automerge::transaction::Transactable;
        let details = super::required(details, crate::Invalid::AddSomeDetails)?;
        let (map, task) = self.item::<Task>("tasks", "task", id.as_str())?;
        self.own_request(&task)?;
        if task.sealed.is_some() {
            // A private request's details are added sealed, as the resident's own comment.
            let comment = self.author.new_item_id(self.entropy().to_le_bytes());
            return self.comment_on_task(id, &comment, &details);
        }
        let task_obj = self.object_at(&map, id.as_str())?;
        let description = match automerge::ReadDoc::get(&*self.doc, &task_obj, "description")? {
            Some((automerge::Value::Object(automerge::ObjType::Text), text)) => text,
            _ => return Err(SpaceError::Invalid(crate::Invalid::DescriptionTakesNoDetails)),
        };
        let current = task.description.as_str();
        let addition = if current.trim().is_empty() { details } else { format!("\n\n{details}") };
        let end = automerge::ReadDoc::length(&*self.doc, &description);
        self.doc.splice_text(&description, end, 0, &addition)?;
        self.doc.put(&task_obj, "updated_at", self.author.now.0)?;
        self.commit("request.details");
        Ok(())
    }

    /// The resident who raised a request says whether it really was resolved.
    pub fn confirm_request(&mut self, id: &ItemId, resolved: bool) -> Result<(), SpaceError> {
        let (map, task) = self.item::<Task>("tasks", "task", id.as_str())?;
        self.own_request(&task)?;
        let task_obj = self.object_at(&map, id.as_str())?;
        let request = self.object_at(&task_obj, "request")?;
        let confirmation = Confirmation { resolved, at: self.author.now };
        autosurgeon::reconcile_prop(self.doc, &request, "confirmation", Some(confirmation))?;
        self.commit(if resolved { "request.confirm" } else { "request.not-resolved" });
        Ok(())
    }

    /// Refuses unless `task` is a request the author raised.
    fn own_request(&self, task: &Task) -> Result<(), SpaceError> {
        match &task.request {
            Some(request) if request.raised_by == self.me() => Ok(()),
            Some(_) => Err(SpaceError::Invalid(crate::Invalid::OnlyRaiser)),
            None => Err(SpaceError::Invalid(crate::Invalid::NotARequest)),
        }
    }

    /// The object (map or text) at `key` of `parent`.
    fn object_at(&self, parent: &automerge::ObjId, key: &str) -> Result<automerge::ObjId, SpaceError> {
        match automerge::ReadDoc::get(&*self.doc, parent, key)? {
            Some((automerge::Value::Object(_), obj)) => Ok(obj),
            _ => Err(SpaceError::NotFound { kind: "item", id: key.to_owned() }),
        }
    }

    /// Adds a comment. Comments are only ever added, each under its own ID.
    pub fn comment_on_task(&mut self, id: &ItemId, comment_id: &ItemId, text: &str) -> Result<(), SpaceError> {
        let text = super::required(text, crate::Invalid::CommentNeedsText)?;
        let map = self.collection("tasks")?;
        if automerge::ReadDoc::get(&*self.doc, &map, id.as_str())?.is_none() {
            return Err(not_found("task", id));
        }
        let (_, task) = self.item::<Task>("tasks", "task", id.as_str())?;
        let comments = self.nested_map(&map, id.as_str(), "comments")?;
        let mut comment = Comment { author: self.me(), at: self.author.now, text, sealed: None };
        if let Some(sealed) = &task.sealed {
            // On a private request a comment is sealed to everyone the request is, and to the
            // team's newest key.
            let category = task.request.as_ref().map(|r| r.category.clone()).unwrap_or_default();
            let team = self.responsibility(&category)?;
            let mut readers: Vec<linli_seal::Reader> = linli_seal::readers(sealed).collect();
            readers.extend(team.as_ref().and_then(linli_model::Responsibility::current_key).and_then(linli_seal::Reader::from_hex));
            readers.sort();
            readers.dedup();
            readers.truncate(linli_seal::MAX_READERS);
            comment.sealed = Some(linli_seal::seal(comment.text.as_bytes(), &format!("tasks/{id}/comments/{comment_id}"), self.sealer.as_ref(), &readers));
            comment.text = String::new();
        }
        self.put_new_item(&comments, "comment", comment_id.as_str(), &comment)?;
        self.commit("task.comment");
        Ok(())
    }

    /// Archives or restores a task.
    pub fn set_task_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        self.update_task(id, if archived { "task.archive" } else { "task.unarchive" }, |task| task.archived = archived)
    }

    fn update_task(&mut self, id: &ItemId, message: &str, change: impl FnOnce(&mut Task)) -> Result<(), SpaceError> {
        let (map, mut task) = self.item::<Task>("tasks", "task", id.as_str())?;
        change(&mut task);
        task.updated_at = self.author.now;
        self.put_item(&map, id.as_str(), &task)?;
        self.commit(message);
        Ok(())
    }
}

/// The position for slot `index` among `others` (sorted positions of the other items).
fn slot(others: &[String], index: usize, entropy: u64) -> String {
    let index = index.min(others.len());
    let before = index.checked_sub(1).map(|i| others[i].as_str());
    let after = others.get(index).map(String::as_str);
    between(before, after, entropy)
}

fn not_found(kind: &'static str, id: &(impl ToString + ?Sized)) -> SpaceError {
    SpaceError::NotFound { kind, id: id.to_string() }
}

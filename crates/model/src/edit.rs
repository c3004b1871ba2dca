//! Every change a screen can make to a space, as data: the page asks the engine (in its Web
//! Worker) for one or several, and linli-core's `Editor::apply` makes each one change of the
//! document. What each does is documented on the `Editor` method of the same name.

use serde::{Deserialize, Serialize};

use crate::{ItemId, KioskSettings, Lang, Names, NoticeDraft, PledgeDraft, Responsibility, TaskDraft};

/// Where a card goes among the others in its column (the owned form of `position::Place`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceAt {
    End,
    Index(usize),
    /// Between the positions of two neighbours the screen shows (`None`: no neighbour there).
    Between(Option<String>, Option<String>),
}

impl PlaceAt {
    pub fn as_place(&self) -> crate::Place<'_> {
        match self {
            PlaceAt::End => crate::Place::End,
            PlaceAt::Index(index) => crate::Place::Index(*index),
            PlaceAt::Between(before, after) => crate::Place::Between(before.as_deref(), after.as_deref()),
        }
    }
}

/// The kinds of item that have a history (and can be restored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    Notice,
    Pledge,
    Task,
    Board,
}

impl ItemKind {
    /// The collection the items of this kind live in.
    pub fn collection(self) -> &'static str {
        match self {
            ItemKind::Notice => "notices",
            ItemKind::Pledge => "pledges",
            ItemKind::Task => "tasks",
            ItemKind::Board => "boards",
        }
    }

    /// The kind's name in messages (`notice`, …).
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Notice => "notice",
            ItemKind::Pledge => "pledge",
            ItemKind::Task => "task",
            ItemKind::Board => "board",
        }
    }
}

/// One operation of the `Editor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Edit {
    Join { name: String, role: String },
    RenameSpace { name: String },
    SetDescription { description: String },
    SetLanguages { languages: Vec<Lang> },
    AddCategory { id: ItemId, names: Names },
    RenameCategory { id: String, names: Names },
    MoveCategory { id: String, index: usize },
    SetCategoryArchived { id: String, archived: bool },
    SetKioskSettings { settings: KioskSettings },
    SetResponsibility { category: String, responsibility: Responsibility },
    SetMemberHidden { member: String, hidden: bool, reason: String },
    PostNotice { id: ItemId, draft: NoticeDraft },
    EditNotice { id: ItemId, draft: NoticeDraft },
    TranslateNotice { id: ItemId, lang: Lang, title: String, body: String },
    SetNoticeArchived { id: ItemId, archived: bool },
    CommentOnNotice { id: ItemId, comment: ItemId, text: String },
    CreatePledge { id: ItemId, draft: PledgeDraft },
    EditPledge { id: ItemId, draft: PledgeDraft },
    SignPledge { id: ItemId, name: String },
    WithdrawSignature { id: ItemId },
    RecordPaperSignatures { id: ItemId, entry: ItemId, count: u64, note: String },
    SetPledgeArchived { id: ItemId, archived: bool },
    CreateBoard { id: ItemId, name: String, columns: Vec<(ItemId, Names)> },
    RenameBoard { id: ItemId, name: String },
    AddColumn { board: ItemId, column: ItemId, names: Names },
    RenameColumn { board: ItemId, column: ItemId, names: Names },
    MoveColumn { board: ItemId, column: ItemId, index: usize },
    ArchiveColumn { board: ItemId, column: ItemId },
    AddTask { id: ItemId, board: ItemId, column: ItemId, draft: TaskDraft, place: PlaceAt },
    RaiseRequest { id: ItemId, board: ItemId, column: ItemId, category: String, draft: TaskDraft, place: PlaceAt },
    RaiseUnfiledRequest { id: ItemId, category: String, draft: TaskDraft },
    EditTask { id: ItemId, draft: TaskDraft },
    MoveTask { id: ItemId, column: ItemId, place: PlaceAt },
    ClaimTask { id: ItemId },
    UnclaimTask { id: ItemId },
    AssignTask { id: ItemId, member: String, assigned: bool },
    ResolveRequest { id: ItemId, resolved: bool },
    AddRequestDetails { id: ItemId, details: String },
    ConfirmRequest { id: ItemId, resolved: bool },
    CommentOnTask { id: ItemId, comment: ItemId, text: String },
    SetTaskArchived { id: ItemId, archived: bool },
    /// Brings an item back as it was right after the change whose hash (hex) is given.
    Restore { kind: ItemKind, id: String, change: String },
}

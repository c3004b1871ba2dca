//! Every change a screen can make to a space, as data: the page asks the engine (in its Web
//! Worker) for one or several, and linli-core's `Editor::apply` makes each one change of the
//! document. What each does is documented on the `Editor` method of the same name.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::{Collection, ConsultationDraft, ItemId, KioskSettings, Lang, MeetingDraft, Names, NoticeDraft, PledgeDraft, Responsibility, TaskDraft};

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
    Consultation,
    Meeting,
}

impl ItemKind {
    /// The collection the items of this kind live in.
    pub fn collection(self) -> Collection {
        match self {
            ItemKind::Notice => Collection::Notices,
            ItemKind::Pledge => Collection::Pledges,
            ItemKind::Task => Collection::Tasks,
            ItemKind::Board => Collection::Boards,
            ItemKind::Consultation => Collection::Consultations,
            ItemKind::Meeting => Collection::Meetings,
        }
    }

    /// The kind's name in messages (`notice`, …).
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Notice => "notice",
            ItemKind::Pledge => "pledge",
            ItemKind::Task => "task",
            ItemKind::Board => "board",
            ItemKind::Consultation => "consultation",
            ItemKind::Meeting => "meeting",
        }
    }
}

/// One operation of the `Editor`.
///
/// An edit is plain data: a screen builds one and sends it to the engine, which hands it to
/// linli-core's `Editor::apply`.
///
/// ```
/// use linli_model::{Edit, ItemId, NoticeDraft};
///
/// let id = ItemId::from_random([1; 8]);
/// let edit = Edit::PostNotice { id: id.clone(), draft: NoticeDraft::new("Lift repair", "Friday 9:00") };
///
/// // Edits can be copied, compared and taken apart like any other value.
/// assert_eq!(edit.clone(), edit);
/// let Edit::PostNotice { id: posted, draft } = edit else { unreachable!() };
/// assert_eq!(posted, id);
/// assert_eq!(draft.title, "Lift repair");
/// assert!(!draft.urgent);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Edit {
    Join {
        name: String,
        role: String,
    },
    /// Gives (or, both empty, takes back) the member's own call-back details, sealed to them and
    /// the organisers.
    SetCallBack {
        flat: String,
        phone: String,
    },
    RenameSpace {
        name: String,
    },
    SetDescription {
        description: String,
    },
    SetLanguages {
        languages: Vec<Lang>,
    },
    AddCategory {
        id: ItemId,
        names: Names,
    },
    RenameCategory {
        id: String,
        names: Names,
    },
    MoveCategory {
        id: String,
        index: usize,
    },
    SetCategoryArchived {
        id: String,
        archived: bool,
    },
    SetKioskSettings {
        settings: KioskSettings,
    },
    SetResponsibility {
        category: String,
        responsibility: Responsibility,
    },
    SetMemberHidden {
        member: String,
        hidden: bool,
        reason: String,
    },
    PostNotice {
        id: ItemId,
        draft: NoticeDraft,
    },
    EditNotice {
        id: ItemId,
        draft: NoticeDraft,
    },
    TranslateNotice {
        id: ItemId,
        lang: Lang,
        title: String,
        body: String,
    },
    SetNoticeArchived {
        id: ItemId,
        archived: bool,
    },
    CommentOnNotice {
        id: ItemId,
        comment: ItemId,
        text: String,
    },
    CreatePledge {
        id: ItemId,
        draft: PledgeDraft,
    },
    EditPledge {
        id: ItemId,
        draft: PledgeDraft,
    },
    SignPledge {
        id: ItemId,
        name: String,
    },
    WithdrawSignature {
        id: ItemId,
    },
    RecordPaperSignatures {
        id: ItemId,
        entry: ItemId,
        count: u64,
        note: String,
    },
    SetPledgeArchived {
        id: ItemId,
        archived: bool,
    },
    CreateBoard {
        id: ItemId,
        name: String,
        columns: Vec<(ItemId, Names)>,
    },
    RenameBoard {
        id: ItemId,
        name: String,
    },
    AddColumn {
        board: ItemId,
        column: ItemId,
        names: Names,
    },
    RenameColumn {
        board: ItemId,
        column: ItemId,
        names: Names,
    },
    MoveColumn {
        board: ItemId,
        column: ItemId,
        index: usize,
    },
    ArchiveColumn {
        board: ItemId,
        column: ItemId,
    },
    AddTask {
        id: ItemId,
        board: ItemId,
        column: ItemId,
        draft: TaskDraft,
        place: PlaceAt,
    },
    /// `private`: its title and details are sealed to the resident, its team and the organisers.
    RaiseRequest {
        id: ItemId,
        board: ItemId,
        column: ItemId,
        category: String,
        draft: TaskDraft,
        place: PlaceAt,
        #[serde(default)]
        private: bool,
    },
    RaiseUnfiledRequest {
        id: ItemId,
        category: String,
        draft: TaskDraft,
        #[serde(default)]
        private: bool,
    },
    EditTask {
        id: ItemId,
        draft: TaskDraft,
    },
    MoveTask {
        id: ItemId,
        column: ItemId,
        place: PlaceAt,
    },
    ClaimTask {
        id: ItemId,
    },
    UnclaimTask {
        id: ItemId,
    },
    AssignTask {
        id: ItemId,
        member: String,
        assigned: bool,
    },
    ResolveRequest {
        id: ItemId,
        resolved: bool,
    },
    AddRequestDetails {
        id: ItemId,
        details: String,
    },
    /// Organisers give a request to another category (and its team).
    MoveRequestToCategory {
        id: ItemId,
        category: String,
    },
    /// Organisers publish what everyone may read of a private request (a summary they write).
    PublishRequestSummary {
        id: ItemId,
        title: String,
        description: String,
    },
    ConfirmRequest {
        id: ItemId,
        resolved: bool,
    },
    CommentOnTask {
        id: ItemId,
        comment: ItemId,
        text: String,
    },
    SetTaskArchived {
        id: ItemId,
        archived: bool,
    },
    CreateConsultation {
        id: ItemId,
        draft: ConsultationDraft,
    },
    EditConsultation {
        id: ItemId,
        draft: ConsultationDraft,
    },
    Vote {
        id: ItemId,
        choices: Vec<String>,
    },
    RecordPaperVotes {
        id: ItemId,
        entry: ItemId,
        counts: BTreeMap<String, u64>,
        voters: u64,
        note: String,
    },
    CloseConsultation {
        id: ItemId,
    },
    CommentOnConsultation {
        id: ItemId,
        comment: ItemId,
        text: String,
    },
    SetConsultationArchived {
        id: ItemId,
        archived: bool,
    },
    /// A decision's follow-up: a new task on a board, linked from the consultation.
    FollowUpWithTask {
        consultation: ItemId,
        id: ItemId,
        board: ItemId,
        column: ItemId,
        draft: TaskDraft,
    },
    FollowUpWithNotice {
        consultation: ItemId,
        id: ItemId,
        draft: NoticeDraft,
    },
    FollowUpWithPledge {
        consultation: ItemId,
        id: ItemId,
        draft: PledgeDraft,
    },
    AddBody {
        id: ItemId,
        names: Names,
    },
    RenameBody {
        id: ItemId,
        names: Names,
    },
    SetBodyArchived {
        id: ItemId,
        archived: bool,
    },
    ScheduleMeeting {
        id: ItemId,
        draft: MeetingDraft,
    },
    EditMeeting {
        id: ItemId,
        draft: MeetingDraft,
    },
    AddAgendaItem {
        meeting: ItemId,
        item: ItemId,
        title: String,
        links: Vec<String>,
    },
    SetAgendaDecision {
        meeting: ItemId,
        item: ItemId,
        decision: String,
    },
    SetAttendance {
        meeting: ItemId,
        member: String,
        present: bool,
    },
    SetOtherAttendees {
        meeting: ItemId,
        others: u64,
    },
    SetMinutes {
        meeting: ItemId,
        minutes: String,
    },
    /// A task on a board made at a meeting, assigned to `owner` (a member ID, or empty).
    AddActionItem {
        meeting: ItemId,
        agenda_item: String,
        id: ItemId,
        board: ItemId,
        column: ItemId,
        draft: TaskDraft,
        owner: String,
    },
    SetMeetingArchived {
        id: ItemId,
        archived: bool,
    },
    /// Brings an item back as it was right after the change whose hash (hex) is given.
    Restore {
        kind: ItemKind,
        id: String,
        change: String,
    },
}

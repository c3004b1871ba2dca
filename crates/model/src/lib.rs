//! A Linli community space as plain data: its settings, members, notices, pledges, task boards,
//! residents' requests, consultations and meetings, and what screens and kiosks derive from them (current notices, a
//! pledge's status, response times…). No Automerge here: the page, which only draws, builds this
//! crate alone; linli-core reads these types from the space's document (feature `automerge` adds
//! the mapping) and changes the document.

mod board;
mod broken_rule;
mod collection;
mod comment;
mod consultation;
mod edit;
mod hidden_members;
mod ids;
mod invalid;
mod lang;
pub mod link;
pub mod link_digest;
mod link_edit;
pub mod link_shares;
mod meeting;
mod member;
mod moderation;
mod notice;
mod participation_stats;
mod pledge;
pub mod position;
pub mod sealed;
mod shared_response_stats;
pub mod space;
pub mod space_link;
mod space_meetings;
mod tasks_csv;
#[cfg(feature = "automerge")]
pub mod text_field;
mod time;

pub use board::{Board, Column, Confirmation, Request, RequestStats, Task, TaskDraft, percentile, request_stats};
pub use broken_rule::{BrokenRule, held_back};
pub use collection::Collection;
pub use comment::{Comment, comments_in_order};
pub use consultation::{
    ABSTAIN, Closing, Consultation, ConsultationDraft, ConsultationStatus, Decision, FollowUp, InvalidVote, NO, Outcome, PaperCount, Tally, Threshold, Vote, VoteOption, YES,
};
pub use edit::{Edit, ItemKind, PlaceAt};
pub use ids::{ItemId, ItemMark, MemberId};
pub use invalid::Invalid;
pub use lang::{Lang, Names, pick};
pub use link::{Answer, Department, Escalation, EscalationState, LINK_KIND, LINK_SCHEMA, Link, LinkState, LinkSummary, LowerSide, Progress, Shares, Step, UpperSide};
pub use link_digest::{Digest, SharedDecision, SharedNotice, SharedPledge, SharedRequest};
pub use link_edit::{LinkEdit, LinkSide};
pub use meeting::{ActionItem, ActionState, AgendaItem, Body, Meeting, MeetingDraft};
pub use member::{CallBack, KNOWN_ROLES, Member};
pub use moderation::Moderation;
pub use notice::{Notice, NoticeDraft, NoticeTranslation};
pub use pledge::{PaperSignatures, Pledge, PledgeDraft, PledgeStatus, Signature};
pub use position::Place;
pub use sealed::{Privacy, Sealed};
pub use shared_response_stats::{WEEK_MS, WEEKS_SHOWN, weekly_median_response_hours};
pub use space::{Category, KioskSettings, Responsibility, SCHEMA_VERSION, Space, TeamKey, Unreadable};
pub use space_link::SpaceLink;
pub use tasks_csv::{TASKS_CSV_HEADER, tasks_csv};
pub use time::Timestamp;

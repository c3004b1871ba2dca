//! Making an `Edit` (a screen's request, as data) as the `Editor` operation of the same name.

use automerge::ChangeHash;

use crate::{Edit, Editor, SpaceError};

impl Editor<'_> {
    /// Makes one edit: one change of the document.
    pub fn apply(&mut self, edit: Edit) -> Result<(), SpaceError> {
        match edit {
            Edit::Join { name, role } => self.join(&name, &role),
            Edit::SetCallBack { flat, phone } => self.set_call_back(&crate::CallBack { flat, phone }),
            Edit::RenameSpace { name } => self.rename_space(&name),
            Edit::SetDescription { description } => self.set_description(&description),
            Edit::SetLanguages { languages } => self.set_languages(&languages),
            Edit::AddCategory { id, names } => self.add_category(&id, names),
            Edit::RenameCategory { id, names } => self.rename_category(&id, names),
            Edit::MoveCategory { id, index } => self.move_category(&id, index),
            Edit::SetCategoryArchived { id, archived } => self.set_category_archived(&id, archived),
            Edit::SetKioskSettings { settings } => self.set_kiosk_settings(&settings),
            Edit::SetResponsibility { category, responsibility } => self.set_responsibility(&category, &responsibility),
            Edit::SetMemberHidden { member, hidden, reason } => self.set_member_hidden(&member, hidden, &reason),
            Edit::PostNotice { id, draft } => self.post_notice(&id, draft),
            Edit::EditNotice { id, draft } => self.edit_notice(&id, draft),
            Edit::TranslateNotice { id, lang, title, body } => self.translate_notice(&id, lang, &title, &body),
            Edit::SetNoticeArchived { id, archived } => self.set_notice_archived(&id, archived),
            Edit::CommentOnNotice { id, comment, text } => self.comment_on_notice(&id, &comment, &text),
            Edit::CreatePledge { id, draft } => self.create_pledge(&id, draft),
            Edit::EditPledge { id, draft } => self.edit_pledge(&id, draft),
            Edit::SignPledge { id, name } => self.sign_pledge(&id, &name),
            Edit::WithdrawSignature { id } => self.withdraw_signature(&id),
            Edit::RecordPaperSignatures { id, entry, count, note } => self.record_paper_signatures(&id, &entry, count, &note),
            Edit::SetPledgeArchived { id, archived } => self.set_pledge_archived(&id, archived),
            Edit::CreateBoard { id, name, columns } => self.create_board(&id, &name, &columns),
            Edit::RenameBoard { id, name } => self.rename_board(&id, &name),
            Edit::AddColumn { board, column, names } => self.add_column(&board, &column, names),
            Edit::RenameColumn { board, column, names } => self.rename_column(&board, &column, names),
            Edit::MoveColumn { board, column, index } => self.move_column(&board, &column, index),
            Edit::ArchiveColumn { board, column } => self.archive_column(&board, &column),
            Edit::AddTask { id, board, column, draft, place } => self.add_task(&id, &board, &column, draft, place.as_place()),
            Edit::RaiseRequest { id, board, column, category, draft, place, private } => {
                self.raise_request_as(&id, Some((&board, &column, place.as_place())), &category, draft, private)
            }
            Edit::RaiseUnfiledRequest { id, category, draft, private } => self.raise_request_as(&id, None, &category, draft, private),
            Edit::EditTask { id, draft } => self.edit_task(&id, draft),
            Edit::MoveTask { id, column, place } => self.move_task(&id, &column, place.as_place()),
            Edit::ClaimTask { id } => self.claim_task(&id),
            Edit::UnclaimTask { id } => self.unclaim_task(&id),
            Edit::AssignTask { id, member, assigned } => self.assign_task(&id, &member, assigned),
            Edit::ResolveRequest { id, resolved } => self.resolve_request(&id, resolved),
            Edit::AddRequestDetails { id, details } => self.add_request_details(&id, &details),
            Edit::PublishRequestSummary { id, title, description } => self.publish_request_summary(&id, &title, &description),
            Edit::MoveRequestToCategory { id, category } => self.move_request_to_category(&id, &category),
            Edit::ConfirmRequest { id, resolved } => self.confirm_request(&id, resolved),
            Edit::CommentOnTask { id, comment, text } => self.comment_on_task(&id, &comment, &text),
            Edit::SetTaskArchived { id, archived } => self.set_task_archived(&id, archived),
            Edit::CreateConsultation { id, draft } => self.create_consultation(&id, draft),
            Edit::EditConsultation { id, draft } => self.edit_consultation(&id, draft),
            Edit::Vote { id, choices } => self.vote(&id, &choices),
            Edit::RecordPaperVotes { id, entry, counts, voters, note } => self.record_paper_votes(&id, &entry, &counts, voters, &note),
            Edit::CloseConsultation { id } => self.close_consultation(&id),
            Edit::CommentOnConsultation { id, comment, text } => self.comment_on_consultation(&id, &comment, &text),
            Edit::SetConsultationArchived { id, archived } => self.set_consultation_archived(&id, archived),
            Edit::FollowUpWithTask { consultation, id, board, column, draft } => self.follow_up_with_task(&consultation, &id, &board, &column, draft),
            Edit::FollowUpWithNotice { consultation, id, draft } => self.follow_up_with_notice(&consultation, &id, draft),
            Edit::FollowUpWithPledge { consultation, id, draft } => self.follow_up_with_pledge(&consultation, &id, draft),
            Edit::AddBody { id, names } => self.add_body(&id, names),
            Edit::RenameBody { id, names } => self.rename_body(&id, names),
            Edit::SetBodyArchived { id, archived } => self.set_body_archived(&id, archived),
            Edit::ScheduleMeeting { id, draft } => self.schedule_meeting(&id, draft),
            Edit::EditMeeting { id, draft } => self.edit_meeting(&id, draft),
            Edit::AddAgendaItem { meeting, item, title, links } => self.add_agenda_item(&meeting, &item, &title, &links),
            Edit::SetAgendaDecision { meeting, item, decision } => self.set_agenda_decision(&meeting, &item, &decision),
            Edit::SetAttendance { meeting, member, present } => self.set_attendance(&meeting, &member, present),
            Edit::SetOtherAttendees { meeting, others } => self.set_other_attendees(&meeting, others),
            Edit::SetMinutes { meeting, minutes } => self.set_minutes(&meeting, &minutes),
            Edit::AddActionItem { meeting, agenda_item, id, board, column, draft, owner } => self.add_action_item(&meeting, &agenda_item, &id, &board, &column, draft, &owner),
            Edit::SetMeetingArchived { id, archived } => self.set_meeting_archived(&id, archived),
            Edit::Restore { kind, id, change } => {
                let hash: ChangeHash = change.parse().map_err(|_| SpaceError::Invalid(crate::Invalid::NotAVersion))?;
                self.restore(kind, &id, hash)
            }
        }
    }
}

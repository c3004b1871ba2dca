//! Why an edit was not made: what the editor's checks found wrong with what it was asked (an
//! empty title, a vote on a closed consultation…), as values. The page says each in the reader's
//! language (`locales/errors/`, by [`Invalid::key`]); the English here is for logs and tests.

use serde::{Deserialize, Serialize};

/// Declares [`Invalid`] with each reason's key (its name in `locales/errors/`) and its English.
macro_rules! invalid_reasons {
    ($($variant:ident = $key:literal: $english:literal,)*) => {
        /// What the editor found wrong with an edit it was asked to make.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Invalid {
            $(#[doc = $english] $variant,)*
        }

        impl Invalid {
            /// Every reason, for the test that each is said in every language.
            pub const ALL: &[Invalid] = &[$(Invalid::$variant,)*];

            /// The reason's name in `locales/errors/`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Invalid::$variant => $key,)*
                }
            }

            /// The reason in English (logs, tests, the English locale).
            pub fn english(self) -> &'static str {
                match self {
                    $(Invalid::$variant => $english,)*
                }
            }
        }
    };
}

invalid_reasons! {
    ConsultationClosed = "consultation_closed": "this consultation is closed",
    ConsultationNotOpen = "consultation_not_open": "this consultation is not open for voting now",
    ConsultationClosedAlready = "consultation_closed_already": "this consultation is closed already",
    ConsultationShapeFixed = "consultation_shape_fixed": "whether a consultation is yes / no, and how many options a vote may choose, are fixed when it opens",
    OptionsFixed = "options_fixed": "the options are fixed once someone has voted",
    TwoOptionsSameId = "two_options_same_id": "two options have the same ID",
    NotAnOption = "not_an_option": "that is not an option of this consultation",
    NotAnOptionId = "not_an_option_id": "not an option ID",
    ChooseAnOption = "choose_an_option": "choose an option",
    TooManyChoices = "too_many_choices": "that is more options than one vote may choose",
    NeedsTwoOptions = "needs_two_options": "a consultation needs at least two options",
    ClosesAfterOpens = "closes_after_opens": "a consultation must close after it opens",
    MissingVotes = "missing_votes": "this copy does not yet hold every vote the relay held",
    MoreVotesThanVoters = "more_votes_than_voters": "there are more votes than voters",
    EnterVoters = "enter_voters": "enter how many people voted",
    ThresholdShare = "threshold_share": "a threshold is a share between 0 and 1",
    EnterPaperSignatures = "enter_paper_signatures": "enter at least one paper signature",
    ConditionRange = "condition_range": "a pledge's condition must be between 1 and its goal",
    NotAMemberId = "not_a_member_id": "not a member ID",
    NotARequest = "not_a_request": "this task is not a resident's request",
    OnlyRaiser = "only_raiser": "only the resident who raised a request can do this",
    CategoryOnRequestsOnly = "category_on_requests_only": "only a resident's request has a category",
    ResolveRequestsOnly = "resolve_requests_only": "only a resident's request can be resolved",
    DescriptionTakesNoDetails = "description_takes_no_details": "this request's description cannot take details",
    NotPrivate = "not_private": "this request is not private",
    CannotOpenPrivate = "cannot_open_private": "this device cannot open this private request to hand it on (open the space with the edit link)",
    InvitationAnswered = "invitation_answered": "this invitation was answered or ended already",
    DifferentSpaceFile = "different_space_file": "this file holds a different space",
    EscalationResolved = "escalation_resolved": "this escalation was resolved already",
    EscalationClaimed = "escalation_claimed": "this escalation was claimed already",
    NoSuchDepartment = "no_such_department": "the upper space has no such department",
    EscalateOverAcceptedLink = "escalate_over_accepted_link": "requests are escalated only over a link both spaces accepted",
    LinkDirection = "link_direction": "a link is to a space above or below",
    TimeLimitTooShort = "time_limit_too_short": "the time limit must be at least an hour",
    NotAVersion = "not_a_version": "not a version of this item",
    AgendaLinkKind = "agenda_link_kind": "an agenda item links to a consultation, a request or a pledge",
    NeedsALanguage = "needs_a_language": "a space offers at least one language",
    DisplayWindow = "display_window": "a notice's display window must end after it starts",
    SlideSeconds = "slide_seconds": "a kiosk slide stays between 3 and 600 seconds",
    CallBackTooLong = "call_back_too_long": "a flat is at most 40 characters and a phone number at most 30",
    SayWhatHappened = "say_what_happened": "say what happened",
    CategoryNeedsName = "category_needs_name": "a category needs a name",
    BodyNeedsName = "body_needs_name": "a body needs a name",
    BoardNeedsName = "board_needs_name": "a board needs a name",
    CommentNeedsText = "comment_needs_text": "a comment needs some text",
    ConsultationNeedsQuestion = "consultation_needs_question": "a consultation needs a question",
    MeetingNeedsTitle = "meeting_needs_title": "a meeting needs a title",
    MemberNeedsName = "member_needs_name": "a member needs a name",
    NoticeNeedsTitle = "notice_needs_title": "a notice needs a title",
    PledgeNeedsTitle = "pledge_needs_title": "a pledge needs a title",
    SignatureNeedsName = "signature_needs_name": "a signature needs a name",
    SpaceNeedsName = "space_needs_name": "a space needs a name",
    SummaryNeedsTitle = "summary_needs_title": "a summary needs a title",
    TaskNeedsTitle = "task_needs_title": "a task needs a title",
    AddSomeDetails = "add_some_details": "add some details",
    AgendaItemNeedsTitle = "agenda_item_needs_title": "an agenda item needs a title",
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.english())
    }
}

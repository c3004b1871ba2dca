//! Which kind of rule a refusal names: the rules' reasons (and a relay's for holding a change
//! back) sorted into the few kinds the page says in the reader's language ([`BrokenRule`]). A refusal crosses the sync crate as its text
//! (`path: reason`), so it is sorted by the reason it ends with.

use super::legacy::rules as legacy;
use super::{as_of, link_rules, schema, space_rules as space};
use crate::{BrokenRule, held_back};

/// The kind of rule that the refusal `text` (a [`super::Refusal`] as text, or its reason) names;
/// [`BrokenRule::Other`] for a reason not listed here (a change Linli's screens do not make).
pub fn broken_rule(text: &str) -> BrokenRule {
    let kinds: &[(BrokenRule, &[&str])] = &[
        (BrokenRule::JoinsThisMinute, &[held_back::TOO_MANY_JOINS]),
        (BrokenRule::JoinsToday, &[held_back::TOO_MANY_JOINS_TODAY]),
        (BrokenRule::DeviceToday, &[held_back::TOO_MUCH_TODAY]),
        (BrokenRule::LinkToday, &[held_back::LINK_TOO_BUSY]),
        (BrokenRule::DeviceClock, &[space::TIME]),
        (BrokenRule::JoinFirst, &[space::JOIN_FIRST]),
        (BrokenRule::TooLarge, &[super::TOO_LARGE, as_of::TOO_COSTLY, schema::TOO_LONG, space::FEW_AT_A_TIME]),
        (BrokenRule::VotingClosed, &[space::VOTING_CLOSED, space::STAYS_CLOSED, legacy::VOTING_CLOSED, legacy::STAYS_CLOSED]),
        (BrokenRule::Private, &[space::PRIVATE_IN_CLEAR, space::SEALED_OUT_OF_PLACE, space::PRIVATE_READERS]),
        (
            BrokenRule::OthersEntry,
            &[
                space::OWN_ENTRY,
                space::OWN_SIGNATURE,
                space::OWN_VOTE,
                space::OWN_REQUEST,
                space::RAISED_BY,
                space::COMMENT_WRITER,
                legacy::OWN_ENTRY,
                legacy::OWN_SIGNATURE,
                legacy::OWN_VOTE,
                legacy::OWN_REQUEST,
                legacy::OTHERS_ENTRY,
                legacy::OTHERS_SIGNATURE,
                legacy::OTHERS_VOTE,
                legacy::CONFIRMATION,
            ],
        ),
        (BrokenRule::NeverRemoved, &[space::COMMENTS_ONLY_ADDED, space::NEVER_REMOVED, space::OPTIONS_STAY, link_rules::PROGRESS_ADDED, legacy::HOLDERS]),
        (BrokenRule::OrganisersOnly, &[space::ORGANISERS, space::KEYS, space::NEW_REQUEST, legacy::ORGANISERS, legacy::NEW_REQUEST]),
    ];
    kinds.iter().find(|(_, reasons)| reasons.iter().any(|reason| text.ends_with(reason))).map_or(BrokenRule::Other, |(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_sorted_by_the_reason_it_ends_with() {
        assert_eq!(broken_rule(&format!("tasks/abc/request/raised_at: {}", space::TIME)), BrokenRule::DeviceClock);
        assert_eq!(broken_rule(&format!("this change is not allowed: consultations/x/votes/y: {}", space::VOTING_CLOSED)), BrokenRule::VotingClosed);
        assert_eq!(broken_rule(super::super::TOO_LARGE), BrokenRule::TooLarge);
        assert_eq!(broken_rule(held_back::TOO_MANY_JOINS), BrokenRule::JoinsThisMinute);
        // A vote on an option archived meanwhile is not "voting has closed"; an assignee's rule
        // is not about writing in one's own name.
        assert_eq!(broken_rule(space::VOTE), BrokenRule::Other);
        assert_eq!(broken_rule(space::ASSIGNEES_ONLY), BrokenRule::Other);
        assert_eq!(broken_rule("a reason no rule gives"), BrokenRule::Other);
    }
}

//! Pieces shared by screens.

pub mod notice_card;
pub mod notice_form;
pub mod sync_badge;

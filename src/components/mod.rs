//! Pieces several screens share.

pub mod comments;
pub mod consultation_status;
pub mod direct_link;
pub mod escalation;
pub mod item_links;
pub mod member_name;
pub mod name_prompt;
pub mod pledge_progress;
pub mod qr_code;
pub mod read_aloud;
pub mod rich_text;
pub mod show_more;
pub mod sync_badge;
pub mod sync_panel;
pub mod task_card;

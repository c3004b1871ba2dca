//! The screens, one per route.

pub mod board;
pub mod boards;
pub mod consultation;
pub mod consultations;
pub mod history;
pub mod home;
pub mod kiosk;
pub mod linked;
pub mod meeting;
pub mod meetings;
pub mod not_found;
pub mod notice;
pub mod notice_editor;
pub mod notices;
pub mod overview;
pub mod pair_device;
pub mod participation;
pub mod pledge;
pub mod pledges;
pub mod requests;
pub mod settings;
pub mod space;
pub mod task;

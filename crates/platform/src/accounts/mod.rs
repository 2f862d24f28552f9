//! The account, session and API-token tables that authentication reads. Managing accounts
//! (forms, validation, the CLI) is done above the platform, by the admin pages.

pub mod entity;
pub mod throttle;

//! The account, session and API-token tables that authentication reads. Managing accounts
//! (forms, validation, the CLI) is in `gaoxin_admin::accounts`.

pub mod entity;

//! Accounts: signing in and out (sessions with CSRF tokens, lock-out after repeated
//! failures), API tokens, one's own password and language, and the admin's user management.
//! The account, session and token tables are in `gaoxin_platform::accounts`.

pub mod cli;
pub mod domain;
pub mod login;
pub mod store;
pub mod web;

pub use web::routes;

//! gaoxin-admin: the pages that run the system rather than the zone's business.
//!
//! Accounts (sign-in, API tokens, user management, `gaoxin user …`), department pages, zone
//! pages for province readers (`gaoxin zone …`), the audit-log browser, and the home page.
//! The tables behind them (zones, accounts, departments, the audit log) belong to
//! `gaoxin-platform`, because every module reads them; this crate only adds the pages, forms
//! and commands. It sits above `gaoxin-enterprises` (an enterprise user is linked to a firm of
//! the registry) and below no domain module.

pub mod accounts;
pub mod audit;
pub mod departments;
pub mod home;
pub mod settings;
pub mod zones;

//! Cross-cutting machinery shared by every module: the database connection and migrations,
//! the audited write path, authentication and the route guard, errors, the web shell and i18n.
//! Nothing here knows about a particular domain module's rules.

pub mod audit;
pub mod auth;
pub mod db;
pub mod docx;
pub mod error;
pub mod i18n;
pub mod migrations;
pub mod openapi;
pub mod routes;
pub mod secrets;
pub mod spreadsheet;
pub mod uploads;
pub mod versions;
pub mod web;

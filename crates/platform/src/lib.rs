//! gaoxin-platform: the machinery every domain module stands on.
//!
//! The database (one code path for SQLite and PostgreSQL) and the schema's migrations, the
//! audited write path, authentication and the route guard, errors, the web shell (layout,
//! navigation, forms, pagination, downloads, static files), i18n, spreadsheets and .docx,
//! uploads, rule-file versions, the CLI's output helpers — and the identity every module
//! names: zones, accounts and departments.
//!
//! It knows no domain module: modules register their routes ([`routes::Routes`]), navigation
//! links ([`web::Navigation`]) and enterprise-page cards ([`panels::EnterprisePanels`]) into it. It may use `gaoxin-core` and
//! `gaoxin-rules`, and no crate above it.

pub mod accounts;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod db;
pub mod departments;
pub mod docx;
pub mod error;
pub mod i18n;
pub mod inputs;
pub mod migrations;
pub mod panels;
pub mod routes;
pub mod secrets;
pub mod settings;
pub mod spreadsheet;
pub mod state;
pub mod uploads;
pub mod versions;
pub mod web;
pub mod zones;

pub use state::{AppConfig, AppState};

//! Browsing, filtering and exporting the audit log (the log itself is written by
//! `platform::audit::Writer`, the one write path).

pub mod web;

pub use web::routes;

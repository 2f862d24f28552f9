//! The settings page (本区设置) and `GET|PUT /api/v1/settings`: a zone's admin changes the
//! values declared in [`gaoxin_platform::settings`] (upload limits, …); everyone in the zone
//! reads them.

pub mod web;

pub use web::routes;

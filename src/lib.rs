//! gaoxin: the operating platform of a Chinese high-tech / development zone management committee.
//!
//! See ARCHITECTURE.md for the map. In short: `platform` holds the cross-cutting machinery
//! (storage, audit write path, authentication, authorisation, web shell, i18n); each folder
//! under `modules` is one domain module owning its tables, routes, templates and CLI commands;
//! `roles` is the pure role model every layer shares.

pub mod app;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod modules;
pub mod platform;
pub mod quantity;
pub mod roles;
pub mod rules;
pub mod tabular;
pub mod validate;

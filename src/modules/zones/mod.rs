//! Zones (高新区/开发区): one deployment hosts one or many; every domain row belongs to one.
//! Province readers compare zones and choose the one they look at.

pub mod cli;
pub mod domain;
pub mod entity;
pub mod store;
pub mod web;

pub use web::routes;

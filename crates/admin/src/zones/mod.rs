//! Zone pages (高新区/开发区): province readers compare the zones of a deployment and choose the
//! one they look at; `gaoxin zone add|list` on the command line. The zone table and its store
//! are in `gaoxin_platform::zones`.

pub mod cli;
pub mod summary;
pub mod web;

pub use web::routes;

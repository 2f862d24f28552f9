//! gaoxin-core: the vocabulary every floor of gaoxin shares.
//!
//! Roles, field validation, exact quantities (fen, 万元, 亩, 吨标准煤), spreadsheet cells as
//! people fill them, identifiers (统一社会信用代码, GB/T 4754-2017 industry codes), the zone's
//! clock and 序时进度 (`schedule`). Pure: no web framework, no database, no file formats; every
//! other crate may use it and it uses none of them.

pub mod clock;
pub mod industry;
pub mod quantity;
pub mod rng;
pub mod roles;
pub mod schedule;
pub mod status;
pub mod tabular;
pub mod uscc;
pub mod validate;

//! Enterprises of a zone. This foundation holds the minimum every role check needs (name and
//! 统一社会信用代码, verified per GB 32100-2015); the registry issue adds the full record,
//! annual data and Excel import/export.

pub mod annual_entity;
pub mod carrier_entity;
pub mod cli;
pub mod correction_entity;
pub mod corrections;
pub mod domain;
pub mod entity;
pub mod import;
pub mod innovation;
pub mod innovation_entity;
pub mod sheets;
pub mod status;
pub mod store;
pub mod web;

pub use web::routes;

//! Policy cash-out (政策兑现): the zone's policy versions (rule files, `crate::rules`), the
//! events awards are paid on, 免申即享 payment batches (draft → review → a leader's approval →
//! locked, exported), award lines with their explanations, and the policy calculator API.

pub mod application_entity;
pub mod applications;
pub mod attachment_entity;
pub mod batch_entity;
pub mod cli;
pub mod compute;
pub mod event_entity;
pub mod events;
pub mod line_entity;
pub mod panel;
pub mod rule_file;
pub mod rule_files;
pub mod shipped;
pub mod status;
pub mod store;
pub mod version_entity;
pub mod web;

/// Every route of the module, with who may use it.
pub fn routes() -> gaoxin_platform::routes::Routes {
    web::routes().merge(rule_file::routes())
}

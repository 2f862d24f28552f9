//! Work plans → task ledger → supervision → department scores. `parse` turns a plan document
//! into its tasks (pure).

pub mod attachment_entity;
pub mod bulletin;
pub mod cli;
pub mod domain;
pub mod import;
pub mod plan_entity;
pub mod report_entity;
pub mod score_scheme_entity;
pub mod scores;
pub mod setting_entity;
pub mod status;
pub mod store;
pub mod supervision_entity;
pub mod target_entity;
pub mod task_department_entity;
pub mod task_entity;
pub mod web;

pub fn routes() -> gaoxin_platform::routes::Routes {
    web::routes().merge(scores::routes())
}

//! 亩均效益评价 (land-efficiency evaluation, issue 7): schemes (`gaoxin_rules::land`, shipped
//! in `rules/land/`) loaded per zone as versions; evaluation runs on the registry's facts of a
//! year (draft → 公示 with objections → final, locked), each result explained, classes set by
//! hand with a reason; differentiated policies per class with their lists; D-class clearance
//! cases; year-on-year class transitions. `gaoxin land evaluate` also runs without a database
//! on a CSV.

pub mod clearance_entity;
pub mod cli;
pub mod contract_entity;
pub mod domain;
pub mod measure_entity;
pub mod objection_entity;
pub mod occupant_entity;
pub mod panel;
pub mod parcel_entity;
pub mod parcels;
pub mod parcels_web;
pub mod result_entity;
pub mod rule_file;
pub mod run_entity;
pub mod scheme_entity;
pub mod shipped;
pub mod status;
pub mod store;
pub mod update_entity;
pub mod web;

/// Every route of the module.
pub fn routes() -> gaoxin_platform::routes::Routes {
    web::routes().merge(parcels_web::routes()).merge(rule_file::routes())
}

//! Cultivation ladder (梯度培育): which enterprises qualify for which tier (科技型中小企业,
//! 高新技术企业, 瞪羚 …), what each one still lacks, the cultivation pool (培育库) per tier,
//! tier counts against the zone's targets. Criteria are dated rule files
//! (`gaoxin_rules::ladder`, shipped in `rules/ladder/`), loaded per zone as versions.

pub mod cli;
pub mod criteria_entity;
pub mod panel;
pub mod result_entity;
pub mod rule_file;
pub mod run_entity;
pub mod shipped;
pub mod status;
pub mod store;
pub mod target_entity;
pub mod web;

/// Every route of the module, with who may use it.
pub fn routes() -> gaoxin_platform::routes::Routes {
    web::routes().merge(rule_file::routes())
}

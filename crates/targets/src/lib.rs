//! gaoxin-targets: the zone's targets (目标) against 序时进度 — seed 000 "全年新认定高新技术企业40家、
//! 入库科技型中小企业130家", seed 004 "净增国高企业130家以上" — set for a year, a half, a quarter or
//! a month, owned by a department, reported by it month by month (the figure to date), and each
//! assessed with the sentence that explains it (`gaoxin_core::schedule`). Computed targets (from
//! gaoxin's own data through a catalogue of metrics) come next.

pub mod cli;
pub mod domain;
pub mod entities;
pub mod from_plan;
pub mod import;
pub mod metrics;
pub mod store;
pub mod web;

pub use web::routes;

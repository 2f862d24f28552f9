//! Investment projects from lead to full production (在谈 → 达产) and the meeting cadence
//! around them: stage transitions with evidence, monthly plans vs actuals, blocking problems,
//! the weekly 会办 agenda and decisions, admission reviews, the monthly bulletin, the
//! quarter's site visits, half-year scores, targets against 序时进度.

pub mod bulletin;
pub mod cli;
pub mod domain;
pub mod entities;
pub mod import;
pub mod status;
pub mod store;
pub mod web;

pub fn routes() -> gaoxin_platform::routes::Routes {
    web::routes().merge(import::routes())
}

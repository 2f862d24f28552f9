//! The project book of the demo zone: about 120 investment projects at realistic stages (many
//! in talks or signed, fewer producing), each created at 在谈 and moved stage by stage with the
//! evidence the rulebook asks for, so that some have stayed too long and are stalled; monthly
//! investment, sales and tax since they started; about 40 blocking problems (resolved on time,
//! late, open, overdue and escalated); two weekly meetings with decisions; admission reviews
//! (one refused on the negative list); this year's targets; a leader's comments. A generator
//! of its own, so that the data before it stays the same per seed.
//!
//! The steps draw from the one generator in this order: the projects' specs (`specs`), their
//! creation with figures and stage moves (`book`), then problems and meeting decisions
//! (`follow_up`).

mod book;
mod follow_up;
mod specs;
mod templates;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use gaoxin_enterprises::{carrier_entity as carrier, entity as enterprise};
use gaoxin_land::contract_entity;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use gaoxin_projects::store as projects;
use gaoxin_rules::project_rules::Rulebook;
use sea_orm::QueryOrder;

use super::rng::Rng;

/// What every step of the book works with.
struct Ctx<'a> {
    /// The demo zone's administrator, who writes the book.
    admin: &'a Scope,
    /// The rulebook in use (stages, their time limits, admission).
    rules: Rulebook,
    today: NaiveDate,
    /// The earliest day a project enters the book: early January of last year.
    earliest: NaiveDate,
    departments: &'a HashMap<&'a str, i64>,
    /// The demo leader's account (0 when there is none).
    leader_id: i64,
}

impl Ctx<'_> {
    fn department(&self, name: &str) -> Option<i64> {
        self.departments.get(name).copied()
    }
}

/// A project created: its id, the day it was created, its stage (index) and whether it is
/// stalled.
type Made = (i64, NaiveDate, usize, bool);

fn err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The first day of `d`'s month.
fn month_of(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

/// The first day of the month after `d`'s.
fn next_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    }
    .unwrap_or(d)
}

/// The project book: the shipped rulebook, the projects (drawn, then created in the order
/// they started), and what follows them up.
pub(super) async fn demo_projects(
    writer: &mut Writer,
    admin: &Scope,
    seed: u64,
    enterprises: &[enterprise::Model],
    departments: &HashMap<&str, i64>,
    leader_id: i64,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed ^ 0x9c0d_0009);
    let today = admin.today();
    let (file, source) = projects::SHIPPED;
    projects::load_rulebook(writer, admin.zone_id(), file, source, None)
        .await
        .map_err(err)?;
    let (rules, _) = projects::rulebook_in_use(writer.read(), admin).await.map_err(err)?;
    let carriers: Vec<(i64, String)> = admin
        .select::<carrier::Entity>()
        .all(writer.read())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let contracts = admin
        .select::<contract_entity::Entity>()
        .order_by_asc(contract_entity::Column::Id)
        .all(writer.read())
        .await?;
    let active: Vec<&enterprise::Model> = enterprises
        .iter()
        .filter(|e| e.status == gaoxin_enterprises::status::Status::Active.code())
        .collect();
    let Some(own) = enterprises.first() else {
        return Ok(());
    };
    let ctx = Ctx {
        admin,
        rules,
        today,
        earliest: NaiveDate::from_ymd_opt(today.year() - 1, 1, 6).unwrap_or(today),
        departments,
        leader_id,
    };
    let pool = specs::Pool {
        enterprises,
        active,
        own,
        contracts,
        carriers,
    };
    let specs = specs::specs(&mut rng, &ctx, &pool);
    let made = book::create_projects(writer, &ctx, &mut rng, &specs).await?;
    follow_up::follow_up(writer, &ctx, &mut rng, &made).await
}

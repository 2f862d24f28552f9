//! Embedded schema migrations, run at start (`gaoxin serve`, `gaoxin demo`) and by
//! `gaoxin migrate`. One file per migration, named by date; a migration that has been
//! released is never edited, only followed by a new one. The same migration runs on SQLite
//! and PostgreSQL: DDL is built with sea-query, and the rare backend-specific statement
//! (triggers) is chosen by `manager.get_database_backend()` in the migration itself.

use sea_orm_migration::prelude::*;

mod m20261124_000001_foundation;
mod m20261124_000002_policies;
mod m20261201_000003_ladder;
mod m20261202_000004_land;
mod m20261202_000005_parcels;
mod m20261203_000006_plans;
mod m20261204_000007_projects;
mod m20261207_000008_hardening;
mod m20261207_000009_login_throttle;
mod m20261208_000010_zone_settings;
mod m20261208_000011_targets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_foundation::Migration),
            Box::new(m20261124_000002_policies::Migration),
            Box::new(m20261201_000003_ladder::Migration),
            Box::new(m20261202_000004_land::Migration),
            Box::new(m20261202_000005_parcels::Migration),
            Box::new(m20261203_000006_plans::Migration),
            Box::new(m20261204_000007_projects::Migration),
            Box::new(m20261207_000008_hardening::Migration),
            Box::new(m20261207_000009_login_throttle::Migration),
            Box::new(m20261208_000010_zone_settings::Migration),
            Box::new(m20261208_000011_targets::Migration),
        ]
    }
}

//! Hardening (issue 17): user names are unique whatever their case (`Admin` and `admin` cannot
//! coexist), by an index on `lower(username)` — the same statement on SQLite and PostgreSQL,
//! since user names are ASCII; the zone's division of work (`department_duty`: which department
//! holds the registry, the ladder, 亩均, parcels, policies); the department that registered a
//! policy event.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::{fk, stamped, unique};

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let clashes = db
            .query_all_raw(sea_orm::Statement::from_string(
                manager.get_database_backend(),
                "SELECT lower(username) AS name FROM account GROUP BY lower(username) HAVING COUNT(*) > 1",
            ))
            .await?;
        if !clashes.is_empty() {
            let names: Vec<String> = clashes
                .iter()
                .filter_map(|r| r.try_get::<String>("", "name").ok())
                .collect();
            return Err(DbErr::Migration(format!(
                "这些用户名只有大小写不同，请先改名或停用其中一个后再升级：{}",
                names.join("、")
            )));
        }
        db.execute_unprepared("CREATE UNIQUE INDEX ux_account_username_lower ON account (lower(username))")
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(c("department_duty"))
                    .col(big_pk_auto(c("id")))
                    .col(big_integer(c("zone_id")))
                    .col(string_len(c("duty"), 32))
                    .col(big_integer(c("department_id")))
                    .foreign_key(&mut fk(
                        "fk_department_duty_zone",
                        (c("department_duty"), c("zone_id")),
                        (c("zone"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_department_duty_department",
                        (c("department_duty"), c("department_id")),
                        (c("department"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_department_duty_zone_duty",
            c("department_duty"),
            vec![c("zone_id"), c("duty")],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(c("policy_event"))
                    .add_column(big_integer_null(c("department_id")))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(c("policy_event"))
                    .drop_column(c("department_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(c("department_duty")).to_owned())
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_account_username_lower")
            .await?;
        Ok(())
    }
}

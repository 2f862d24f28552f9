//! Targets (目标, issue 19): the zone's targets for a year, a half, a quarter or a month, each
//! with its value, unit, direction, owning department and how its actual is obtained; and the
//! figures departments report for them month by month (the figure to date at each month end).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::{fk, index, stamped, unique};

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(c("target"))
                    .col(big_pk_auto(c("id")))
                    .col(big_integer(c("zone_id")))
                    .col(string_len(c("name"), 200))
                    .col(string_len(c("unit"), 20))
                    .col(string_len(c("period"), 10))
                    .col(integer(c("year")))
                    .col(string_len(c("value_low"), 40))
                    .col(string_len_null(c("value_high"), 40))
                    .col(string_len(c("direction"), 10))
                    .col(big_integer_null(c("department_id")))
                    .col(string_len(c("origin"), 10))
                    .col(string_len(c("method"), 10))
                    .col(string_len_null(c("metric"), 60))
                    .col(string_len(c("profile"), 100))
                    .col(string_len_null(c("note"), 2000))
                    .col(integer(c("sort_order")))
                    .foreign_key(&mut fk(
                        "fk_target_zone",
                        (c("target"), c("zone_id")),
                        (c("zone"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_target_department",
                        (c("target"), c("department_id")),
                        (c("department"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_target_name",
            c("target"),
            vec![c("zone_id"), c("period"), c("name")],
        )
        .await?;
        index(manager, "ix_target_year", c("target"), vec![c("zone_id"), c("year")]).await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(c("target_report"))
                    .col(big_pk_auto(c("id")))
                    .col(big_integer(c("zone_id")))
                    .col(big_integer(c("target_id")))
                    .col(string_len(c("month"), 7))
                    .col(string_len(c("value"), 40))
                    .col(string_len_null(c("note"), 2000))
                    .col(string_len_null(c("evidence"), 500))
                    .col(big_integer_null(c("reported_by")))
                    .foreign_key(&mut fk(
                        "fk_target_report_zone",
                        (c("target_report"), c("zone_id")),
                        (c("zone"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_target_report_target",
                        (c("target_report"), c("target_id")),
                        (c("target"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_target_report_month",
            c("target_report"),
            vec![c("target_id"), c("month")],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(c("target_report")).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(c("target")).to_owned()).await
    }
}

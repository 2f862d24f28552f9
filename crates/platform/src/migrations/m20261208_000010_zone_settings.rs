//! Zone settings (issue 17): a zone's own values for the settings the code declares
//! ([`crate::settings`]) — the upload limits first. A setting never written holds its default.

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
        manager
            .create_table(stamped(
                Table::create()
                    .table(c("zone_setting"))
                    .col(big_pk_auto(c("id")))
                    .col(big_integer(c("zone_id")))
                    .col(string_len(c("key"), 100))
                    .col(string_len(c("value"), 200))
                    .foreign_key(&mut fk(
                        "fk_zone_setting_zone",
                        (c("zone_setting"), c("zone_id")),
                        (c("zone"), c("id")),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_zone_setting_key",
            c("zone_setting"),
            vec![c("zone_id"), c("key")],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(c("zone_setting")).to_owned())
            .await
    }
}

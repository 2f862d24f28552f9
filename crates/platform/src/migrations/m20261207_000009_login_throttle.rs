//! Login throttling (issue 17, finding 10): failure counters by key — an account or an unknown
//! user name *from one address*, and an address alone — so that unknown names lock like real
//! ones, an attacker elsewhere cannot lock a user out, and one address cannot spray passwords.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn c(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(c("login_throttle"))
                    .col(big_pk_auto(c("id")))
                    .col(string_len(c("key"), 200))
                    .col(integer(c("failures")))
                    .col(timestamp_with_time_zone(c("window_start")))
                    .col(timestamp_with_time_zone_null(c("locked_until")))
                    .col(timestamp_with_time_zone(c("updated_at")))
                    .to_owned(),
            )
            .await?;
        unique(manager, "ux_login_throttle_key", c("login_throttle"), vec![c("key")]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(c("login_throttle")).to_owned())
            .await
    }
}

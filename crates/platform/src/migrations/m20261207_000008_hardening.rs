//! Hardening (issue 17): user names are unique whatever their case (`Admin` and `admin` cannot
//! coexist), by an index on `lower(username)` — the same statement on SQLite and PostgreSQL,
//! since user names are ASCII.

use sea_orm_migration::prelude::*;

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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_account_username_lower")
            .await?;
        Ok(())
    }
}

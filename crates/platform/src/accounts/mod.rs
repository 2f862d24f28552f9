//! The account, session and API-token tables that authentication reads. Managing accounts
//! (forms, validation, the CLI) is done above the platform, by the admin pages.

pub mod entity;

/// Counts a login attempt *before* its password is checked, in one statement, so that attempts
/// sent in parallel cannot all read the same count (issue 17, finding 4): the account's new
/// count, or `None` when it is locked (or gone). The attempt's audit line is written by the caller
/// once the outcome is known; the lock itself is an audited update.
pub async fn claim_login_attempt(db: &crate::db::Db, account_id: i64) -> Result<Option<i32>, sea_orm::DbErr> {
    use sea_orm::sea_query::{Expr, Query};
    use sea_orm::{ConnectionTrait, ExprTrait};

    use entity::account::{Column, Entity};
    let statement = Query::update()
        .table(Entity)
        .value(Column::FailedLogins, Expr::col(Column::FailedLogins).add(1))
        .and_where(Expr::col(Column::Id).eq(account_id))
        .and_where(Expr::col(Column::LockedUntil).is_null())
        .returning_col(Column::FailedLogins)
        .to_owned();
    let row = db.conn().query_one(&statement).await?;
    row.map(|r| r.try_get::<i32>("", "failed_logins")).transpose()
}

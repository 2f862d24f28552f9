//! Login throttling by key (issue 17, findings 4 and 10). A key is what failures are counted
//! against: `acct:<id>@<address>` for an account from one address, `name:<user name>@<address>`
//! for a user name nobody has (so that it locks exactly like a real one, and the answers do not
//! tell them apart), and `addr:<address>` for everything one address tries. An attempt is
//! counted *before* its password is looked at, in one `INSERT … ON CONFLICT … DO UPDATE …
//! RETURNING`, so that attempts sent in parallel cannot all read the same count; a key past its
//! limit is locked for a while and refused unseen. Counting per address means someone elsewhere
//! cannot keep an account locked out. Counters are not audited one by one: the caller writes an
//! audit line for a real account's failure and for a lock.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter};

use crate::db::Db;

pub mod entity {
    //! The `login_throttle` table.
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_throttle")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub key: String,
        pub failures: i32,
        /// When the counting of `failures` began; a window older than [`super::WINDOW`] starts over.
        pub window_start: DateTimeUtc,
        pub locked_until: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

/// Failures counted together within this long; a lock lasts as long.
pub const WINDOW: Duration = Duration::minutes(15);

/// What counting an attempt found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The attempt is the n-th failure-to-be of its window (the password is checked next).
    Counted(i32),
    /// The key is locked until then: refuse without looking at the password.
    Locked(DateTime<Utc>),
}

/// A lock that has run out, or a window that has passed, starts the key over.
async fn start_over_if_stale(db: &Db, key: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    let Some(row) = Entity::find().filter(Column::Key.eq(key)).one(db.conn()).await? else {
        return Ok(());
    };
    let stale = match row.locked_until {
        Some(until) => until <= now,
        None => row.window_start + WINDOW <= now,
    };
    if stale {
        let statement = Query::update()
            .table(Entity)
            .value(Column::Failures, 0)
            .value(Column::LockedUntil, Option::<DateTime<Utc>>::None)
            .value(Column::WindowStart, now)
            .value(Column::UpdatedAt, now)
            .and_where(Expr::col(Column::Id).eq(row.id))
            .and_where(Expr::col(Column::Failures).eq(row.failures))
            .to_owned();
        db.conn().execute(&statement).await?;
    }
    Ok(())
}

/// Counts an attempt against `key` (at most `limit` per window): `Locked` once the key is
/// locked or its window already holds `limit` attempts.
pub async fn claim(db: &Db, key: &str, limit: i32, now: DateTime<Utc>) -> Result<Claim, DbErr> {
    start_over_if_stale(db, key, now).await?;
    let statement = Query::insert()
        .into_table(Entity)
        .columns([Column::Key, Column::Failures, Column::WindowStart, Column::UpdatedAt])
        .values_panic([key.into(), 1.into(), now.into(), now.into()])
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(Column::Failures, Expr::col((Entity, Column::Failures)).add(1))
                .value(Column::UpdatedAt, now)
                .action_and_where(Expr::col((Entity, Column::LockedUntil)).is_null())
                .to_owned(),
        )
        .returning_col(Column::Failures)
        .to_owned();
    let counted = match db.conn().query_one(&statement).await? {
        Some(row) => Some(row.try_get::<i32>("", "failures")?),
        None => None,
    };
    match counted {
        Some(n) if n <= limit => Ok(Claim::Counted(n)),
        _ => Ok(Claim::Locked(locked_until(db, key).await?.unwrap_or(now + WINDOW))),
    }
}

/// Whether `key` is locked now (without counting anything).
pub async fn check(db: &Db, key: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(locked_until(db, key).await?.filter(|until| *until > now))
}

async fn locked_until(db: &Db, key: &str) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Key.eq(key))
        .one(db.conn())
        .await?
        .and_then(|r| r.locked_until))
}

/// Locks `key` for [`WINDOW`] from `now`; returns until when.
pub async fn lock(db: &Db, key: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DbErr> {
    let until = now + WINDOW;
    let statement = Query::update()
        .table(Entity)
        .value(Column::LockedUntil, until)
        .value(Column::UpdatedAt, now)
        .and_where(Expr::col(Column::Key).eq(key))
        .to_owned();
    db.conn().execute(&statement).await?;
    Ok(until)
}

/// Forgets the failures of `key` (a successful login).
pub async fn clear(db: &Db, key: &str) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::Key.eq(key))
        .exec(db.conn())
        .await?;
    Ok(())
}

/// Forgets every key that starts with `prefix` (an admin lifting an account's lock-outs).
pub async fn clear_prefix<C: ConnectionTrait>(conn: &C, prefix: &str) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::Key.starts_with(prefix))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The latest lock still running among the keys that start with `prefix`.
pub async fn locked_prefix<C: ConnectionTrait>(
    conn: &C,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Key.starts_with(prefix))
        .filter(Column::LockedUntil.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| r.locked_until)
        .filter(|until| *until > now)
        .max())
}

/// Every account locked out now (from some address), with until when.
pub async fn locked_accounts<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<std::collections::HashMap<i64, DateTime<Utc>>, DbErr> {
    let mut out = std::collections::HashMap::new();
    for row in Entity::find()
        .filter(Column::Key.starts_with("acct:"))
        .filter(Column::LockedUntil.is_not_null())
        .all(conn)
        .await?
    {
        let id = row.key["acct:".len()..]
            .split('@')
            .next()
            .and_then(|id| id.parse::<i64>().ok());
        if let (Some(id), Some(until)) = (id, row.locked_until.filter(|u| *u > now)) {
            let latest = out.entry(id).or_insert(until);
            *latest = Ord::max(*latest, until);
        }
    }
    Ok(out)
}

/// The key of an account (by id) or of a user name nobody has, from an address.
pub fn person_key(account_id: Option<i64>, username: &str, address: Option<&str>) -> String {
    let from = address.unwrap_or("-");
    match account_id {
        Some(id) => format!("acct:{id}@{from}"),
        // User names are at most 64 characters; a longer one is no account's (the key fits its column).
        None => format!(
            "name:{}@{from}",
            username
                .trim()
                .to_ascii_lowercase()
                .chars()
                .take(64)
                .collect::<String>()
        ),
    }
}

/// The prefix of every key of an account, whatever the address.
pub fn account_prefix(account_id: i64) -> String {
    format!("acct:{account_id}@")
}

/// The key of an address.
pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

//! Connecting to SQLite or PostgreSQL through one code path.
//!
//! The backend is chosen by the URL alone (`sqlite://…` or `postgres://…`); everything above
//! this module is the same for both. SQLite gets WAL, foreign keys, a busy timeout and a pool
//! of several connections (sea-orm's default for SQLite is one, and sqlx does not turn on WAL
//! by itself); PostgreSQL gets a pool.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, bail};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

use super::migrations::Migrator;

/// A database URL whose password never reaches a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> anyhow::Result<DatabaseUrl> {
        let raw = raw.trim();
        if raw.starts_with("sqlite:") {
            // `sqlite://gaoxin.db` means a file next to the working directory, created when missing.
            let url = if raw.contains('?') || raw.contains(":memory:") {
                raw.to_string()
            } else {
                format!("{raw}?mode=rwc")
            };
            Ok(DatabaseUrl(url))
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(DatabaseUrl(raw.to_string()))
        } else {
            bail!(
                "数据库地址必须以 sqlite:// 或 postgres:// 开头 (the database URL must start with sqlite:// or postgres://), got {}",
                Self(raw.to_string())
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }

    /// The SQLite file this URL points at, if it is a file URL.
    pub fn sqlite_path(&self) -> Option<&str> {
        let rest = self.0.strip_prefix("sqlite://")?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && !path.contains(":memory:")).then_some(path)
    }

    fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            _ => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The application's handle on its database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
}

impl Db {
    /// Connects without migrating.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Db> {
        let mut options = ConnectOptions::new(url.as_str().to_string());
        options.sqlx_logging(false).acquire_timeout(Duration::from_secs(30));
        if url.is_sqlite() {
            let in_memory = url.as_str().contains(":memory:");
            options.max_connections(if in_memory { 1 } else { 8 });
            options.map_sqlx_sqlite_opts(move |opts| {
                let opts = opts.foreign_keys(true).busy_timeout(Duration::from_secs(15));
                if in_memory {
                    opts
                } else {
                    opts.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                }
            });
        } else {
            options.max_connections(16).min_connections(1);
        }
        let conn = Database::connect(options)
            .await
            .with_context(|| format!("无法连接数据库 {url}"))?;
        Ok(Db { conn })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &DatabaseUrl) -> anyhow::Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let pending: Vec<String> = Migrator::get_pending_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        Migrator::up(&self.conn, None)
            .await
            .context("数据库迁移失败 (migration failed)")?;
        Ok(pending)
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The connection, for reads. Writes go through [`super::audit::Writer`], which records
    /// every change in the audit log in the same transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_never_displayed() {
        let url = DatabaseUrl::parse("postgres://gaoxin:s3cret@db.example/gaoxin").unwrap();
        assert!(!format!("{url}").contains("s3cret"));
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(url.as_str().contains("s3cret"));
    }

    #[test]
    fn a_bare_sqlite_file_url_is_created_when_missing() {
        let url = DatabaseUrl::parse("sqlite://gaoxin.db").unwrap();
        assert_eq!(url.as_str(), "sqlite://gaoxin.db?mode=rwc");
        assert_eq!(url.sqlite_path(), Some("gaoxin.db"));
    }

    #[test]
    fn an_unknown_scheme_is_refused_with_a_chinese_message() {
        let err = DatabaseUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(err.contains("数据库地址"), "{err}");
    }
}

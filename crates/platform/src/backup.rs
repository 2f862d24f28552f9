//! Backup, restore and moving a zone between databases (issue 17): one logical format for both
//! databases, so that `gaoxin backup` on SQLite restores into PostgreSQL and `migrate-to` is a
//! backup streamed into a restore.
//!
//! A backup is a .zip: `manifest.json` (format, the migrations applied, each table with its
//! columns and row count, in the order the tables were created) and one `tables/<name>.jsonl`
//! per table, a JSON array per row. Every table is read inside one read transaction — a
//! snapshot: on PostgreSQL `REPEATABLE READ`, on SQLite (WAL) the transaction's first read —, so
//! a backup taken while imports run holds each import wholly or not at all. A restore goes into
//! an empty database (migrated to the same schema first) in one transaction: it succeeds whole or
//! leaves the target empty. Values are typed by the columns (integers, text, dates, instants,
//! booleans, bytes), never floats; money is integer fen already.

use std::io::{Read, Write};

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Query, Value as SqlValue};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, IsolationLevel, QueryResult, Statement,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::Db;

/// How a column's values are read and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Int,
    BigInt,
    Text,
    Bool,
    Date,
    Instant,
    Bytes,
}

impl Kind {
    /// The kind of a declared column type, as sea-query writes it for SQLite or PostgreSQL
    /// reports it.
    fn of(declared: &str) -> Kind {
        let t = declared.to_ascii_lowercase();
        if t.contains("timestamp") {
            Kind::Instant
        } else if t.contains("date") {
            Kind::Date
        } else if t.contains("bool") {
            Kind::Bool
        } else if t.contains("bigint") || t == "int8" {
            Kind::BigInt
        } else if t.contains("int") {
            Kind::Int
        } else if t.contains("blob") || t.contains("bytea") {
            Kind::Bytes
        } else {
            Kind::Text
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Always "gaoxin-backup".
    pub format: String,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// "sqlite" or "postgres".
    pub source: String,
    pub migrations: Vec<String>,
    pub tables: Vec<Table>,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

const MIGRATIONS_TABLE: &str = "seaql_migrations";
const PAGE: u64 = 5_000;

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        _ => "sqlite",
    }
}

async fn query<C: ConnectionTrait>(conn: &C, sql: &str) -> anyhow::Result<Vec<QueryResult>> {
    Ok(conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?)
}

/// The application's tables in the order they were created, with their columns.
async fn tables<C: ConnectionTrait>(conn: &C) -> anyhow::Result<Vec<(String, Vec<Column>)>> {
    let backend = conn.get_database_backend();
    let names: Vec<String> = match backend {
        DbBackend::Postgres => {
            query(
                conn,
                "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid",
            )
            .await?
        }
        _ => {
            query(
                conn,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
            )
            .await?
        }
    }
    .iter()
    .map(|r| r.try_get::<String>("", "name"))
    .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| n != MIGRATIONS_TABLE) {
        let columns: Vec<Column> = match backend {
            DbBackend::Postgres => {
                query(
                    conn,
                    &format!(
                        "SELECT column_name AS name, data_type AS kind FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{name}' ORDER BY ordinal_position"
                    ),
                )
                .await?
            }
            _ => {
                query(
                    conn,
                    &format!("SELECT name, type AS kind FROM pragma_table_info('{name}') ORDER BY cid"),
                )
                .await?
            }
        }
        .iter()
        .map(|r| -> anyhow::Result<Column> {
            Ok(Column {
                name: r.try_get::<String>("", "name")?,
                kind: Kind::of(&r.try_get::<String>("", "kind")?),
            })
        })
        .collect::<anyhow::Result<_>>()?;
        out.push((name, columns));
    }
    Ok(out)
}

async fn applied_migrations<C: ConnectionTrait>(conn: &C) -> anyhow::Result<Vec<String>> {
    query(
        conn,
        &format!("SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version"),
    )
    .await?
    .iter()
    .map(|r| Ok(r.try_get::<String>("", "version")?))
    .collect()
}

fn cell(row: &QueryResult, column: &Column) -> anyhow::Result<Value> {
    let name = column.name.as_str();
    let value = match column.kind {
        // SQLite's INTEGER may hold more than an i32 (its primary keys): read wide when narrow fails.
        Kind::Int => match row.try_get::<Option<i32>>("", name) {
            Ok(v) => v.map(Value::from),
            Err(_) => row.try_get::<Option<i64>>("", name)?.map(Value::from),
        },
        Kind::BigInt => row.try_get::<Option<i64>>("", name)?.map(Value::from),
        Kind::Text => row.try_get::<Option<String>>("", name)?.map(Value::from),
        Kind::Bool => row.try_get::<Option<bool>>("", name)?.map(Value::from),
        Kind::Date => row
            .try_get::<Option<NaiveDate>>("", name)?
            .map(|d| Value::from(d.to_string())),
        Kind::Instant => row
            .try_get::<Option<DateTime<Utc>>>("", name)?
            .map(|t| Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
        Kind::Bytes => row.try_get::<Option<Vec<u8>>>("", name)?.map(|b| {
            use base64::Engine;
            Value::from(base64::engine::general_purpose::STANDARD.encode(b))
        }),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn sql_value(value: &Value, column: &Column) -> anyhow::Result<SqlValue> {
    let bad = || anyhow!("列 {} 的值 {value} 无法读取", column.name);
    Ok(match (column.kind, value) {
        (Kind::Int, Value::Null) => SqlValue::Int(None),
        (Kind::BigInt, Value::Null) => SqlValue::BigInt(None),
        (Kind::Text, Value::Null) => SqlValue::String(None),
        (Kind::Bool, Value::Null) => SqlValue::Bool(None),
        (Kind::Date, Value::Null) => SqlValue::ChronoDate(None),
        (Kind::Instant, Value::Null) => SqlValue::ChronoDateTimeUtc(None),
        (Kind::Bytes, Value::Null) => SqlValue::Bytes(None),
        (Kind::Int, v) => match i32::try_from(v.as_i64().ok_or_else(bad)?) {
            Ok(n) => SqlValue::Int(Some(n)),
            Err(_) => SqlValue::BigInt(v.as_i64()),
        },
        (Kind::BigInt, v) => SqlValue::BigInt(Some(v.as_i64().ok_or_else(bad)?)),
        (Kind::Text, v) => SqlValue::String(Some(v.as_str().ok_or_else(bad)?.to_string())),
        (Kind::Bool, v) => SqlValue::Bool(Some(v.as_bool().ok_or_else(bad)?)),
        (Kind::Date, v) => SqlValue::ChronoDate(Some(v.as_str().ok_or_else(bad)?.parse()?)),
        (Kind::Instant, v) => SqlValue::ChronoDateTimeUtc(Some(
            DateTime::parse_from_rfc3339(v.as_str().ok_or_else(bad)?)?.with_timezone(&Utc),
        )),
        (Kind::Bytes, v) => {
            use base64::Engine;
            SqlValue::Bytes(Some(
                base64::engine::general_purpose::STANDARD.decode(v.as_str().ok_or_else(bad)?)?,
            ))
        }
    })
}

/// Reads the whole database in one snapshot and writes it as a backup to `out`.
pub async fn backup<W: Write + std::io::Seek>(db: &Db, out: W) -> anyhow::Result<Manifest> {
    let conn = db.conn();
    let txn: DatabaseTransaction = match db.backend() {
        DbBackend::Postgres => {
            conn.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await?
        }
        _ => conn.begin().await?,
    };
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    // The snapshot starts here (the first read), before anything else is looked at.
    let migrations = applied_migrations(&txn).await?;
    let mut manifest = Manifest {
        format: "gaoxin-backup".into(),
        version: 1,
        created_at: gaoxin_core::clock::system_now(),
        source: backend_name(db.backend()).into(),
        migrations,
        tables: Vec::new(),
    };
    for (name, columns) in tables(&txn).await? {
        zip.start_file(format!("tables/{name}.jsonl"), options)?;
        let list = columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let has_id = columns.iter().any(|c| c.name == "id");
        let mut rows = 0u64;
        let mut after: Option<i64> = None;
        loop {
            let sql = match (has_id, after) {
                (true, None) => format!("SELECT {list} FROM \"{name}\" ORDER BY \"id\" LIMIT {PAGE}"),
                (true, Some(id)) => {
                    format!("SELECT {list} FROM \"{name}\" WHERE \"id\" > {id} ORDER BY \"id\" LIMIT {PAGE}")
                }
                (false, _) => format!("SELECT {list} FROM \"{name}\""),
            };
            let page = query(&txn, &sql).await?;
            for row in &page {
                let cells = columns
                    .iter()
                    .map(|c| cell(row, c))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                serde_json::to_writer(&mut zip, &cells)?;
                zip.write_all(b"\n")?;
                rows += 1;
            }
            if !has_id || (page.len() as u64) < PAGE {
                break;
            }
            after = Some(
                page.last()
                    .map(|r| r.try_get::<i64>("", "id"))
                    .transpose()?
                    .unwrap_or_default(),
            );
        }
        manifest.tables.push(Table { name, columns, rows });
    }
    txn.commit().await?;
    zip.start_file("manifest.json", options)?;
    serde_json::to_writer_pretty(&mut zip, &manifest)?;
    zip.finish()?;
    Ok(manifest)
}

/// Restores a backup into `db`, which must be empty: it is migrated to the backup's schema, then
/// every row is inserted in one transaction, and PostgreSQL's id sequences are moved past the
/// restored ids.
pub async fn restore<R: Read + std::io::Seek>(db: &Db, input: R) -> anyhow::Result<Manifest> {
    let mut zip = zip::ZipArchive::new(input).context("不是 gaoxin 备份文件（无法作为 .zip 打开）")?;
    let manifest: Manifest = serde_json::from_reader(
        zip.by_name("manifest.json")
            .map_err(|_| anyhow!("不是 gaoxin 备份文件（缺少 manifest.json）"))?,
    )
    .context("备份文件的 manifest.json 无法读取")?;
    if manifest.format != "gaoxin-backup" || manifest.version != 1 {
        bail!("不支持的备份格式：{} 版本 {}", manifest.format, manifest.version);
    }
    db.migrate().await?;
    let here = applied_migrations(db.conn()).await?;
    if here != manifest.migrations {
        bail!(
            "备份的数据库结构（{} 个迁移）与本程序（{} 个迁移）不同：请用相同版本的 gaoxin 恢复",
            manifest.migrations.len(),
            here.len()
        );
    }
    let target = tables(db.conn()).await?;
    for (name, _) in &target {
        let count = query(db.conn(), &format!("SELECT COUNT(*) AS n FROM \"{name}\""))
            .await?
            .first()
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if count > 0 {
            bail!("目标数据库不是空的（表 {name} 已有 {count} 行）：请恢复到一个新的空数据库");
        }
    }
    let txn = db.conn().begin().await?;
    for table in &manifest.tables {
        let Some((_, columns)) = target.iter().find(|(n, _)| *n == table.name) else {
            bail!("备份中的表 {} 在本程序的数据库结构中不存在", table.name);
        };
        let mut text = String::new();
        zip.by_name(&format!("tables/{}.jsonl", table.name))
            .map_err(|_| anyhow!("备份缺少表 {} 的数据", table.name))?
            .read_to_string(&mut text)?;
        let mut batch: Vec<Vec<SqlValue>> = Vec::new();
        let mut restored = 0u64;
        for (i, line) in text.lines().enumerate() {
            let cells: Vec<Value> =
                serde_json::from_str(line).with_context(|| format!("表 {} 第 {} 行无法读取", table.name, i + 1))?;
            if cells.len() != table.columns.len() {
                bail!("表 {} 第 {} 行的列数与说明不符", table.name, i + 1);
            }
            let values = columns
                .iter()
                .map(|c| {
                    let at = table
                        .columns
                        .iter()
                        .position(|b| b.name == c.name)
                        .ok_or_else(|| anyhow!("备份的表 {} 缺少列 {}", table.name, c.name))?;
                    sql_value(&cells[at], c)
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            batch.push(values);
            if batch.len() == 500 {
                restored += insert(&txn, &table.name, columns, std::mem::take(&mut batch)).await?;
            }
        }
        restored += insert(&txn, &table.name, columns, batch).await?;
        if restored != table.rows {
            bail!("表 {} 应有 {} 行，备份中只有 {} 行", table.name, table.rows, restored);
        }
        if txn.get_database_backend() == DbBackend::Postgres && columns.iter().any(|c| c.name == "id") && restored > 0 {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('\"{0}\"', 'id'), (SELECT MAX(\"id\") FROM \"{0}\"))",
                table.name
            );
            txn.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await?;
        }
    }
    txn.commit().await?;
    // The restore itself is on the record, after the log it brought back.
    let mut writer = crate::audit::Writer::begin(db, crate::audit::WriteContext::system(None, "restore")).await?;
    writer
        .event(
            "restored",
            "database",
            manifest.source.clone(),
            Some(serde_json::json!({
                "backup_created_at": manifest.created_at,
                "tables": manifest.tables.len(),
                "rows": manifest.rows(),
            })),
        )
        .await?;
    writer.commit().await?;
    Ok(manifest)
}

async fn insert(
    txn: &DatabaseTransaction,
    table: &str,
    columns: &[Column],
    rows: Vec<Vec<SqlValue>>,
) -> anyhow::Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let count = rows.len() as u64;
    let mut statement = Query::insert();
    statement
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(c.name.as_str())));
    for row in rows {
        statement.values(row.into_iter().map(Expr::val))?;
    }
    txn.execute(&statement).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn declared_types_of_both_databases_map_to_kinds() {
        for (declared, kind) in [
            ("bigint", Kind::BigInt),
            ("integer", Kind::Int),
            ("varchar(200)", Kind::Text),
            ("character varying", Kind::Text),
            ("text", Kind::Text),
            ("timestamp_with_timezone_text", Kind::Instant),
            ("timestamp with time zone", Kind::Instant),
            ("date_text", Kind::Date),
            ("date", Kind::Date),
            ("boolean", Kind::Bool),
            ("blob", Kind::Bytes),
            ("bytea", Kind::Bytes),
        ] {
            assert_eq!(Kind::of(declared), kind, "{declared}");
        }
    }
}

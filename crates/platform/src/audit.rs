//! The one write path: every create, update and delete goes through a [`Writer`], which
//! records who, when, the entity, its id, the row before and after (JSON) and the request id
//! in the append-only `audit_log`, in the same transaction as the change. If the change fails,
//! neither the change nor its audit row exists.
//!
//! Domain modules never call sea-orm's `insert`/`update`/`delete` themselves (a test in
//! `tests/it/architecture.rs` checks the sources); they hand active models to a `Writer`.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel, TransactionTrait};
use serde::Serialize;
use serde_json::Value;
use std::str::FromStr;

use super::db::Db;

pub mod entity {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// One line of the audit log. Rows are only ever inserted; the database refuses
    /// UPDATE and DELETE on this table (triggers in the foundation migration).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: Option<i64>,
        pub at: DateTimeUtc,
        pub actor_account_id: Option<i64>,
        pub actor_name: String,
        pub action: String,
        pub entity: String,
        pub entity_id: String,
        pub before_json: Option<String>,
        pub after_json: Option<String>,
        pub request_id: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A row type whose changes are audited.
pub trait Audited: Serialize {
    /// The entity name in the audit log (the table name).
    const ENTITY: &'static str;
    fn audit_id(&self) -> String;
}

/// The parts every audited entity module repeats: no relations, default behaviour, its audit
/// name and id, and (with `zone`) its zone column. Use inside an entity module after the
/// `Model` definition: `audited_entity!("department", zone);`.
#[macro_export]
macro_rules! audited_entity {
    ($name:literal) => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        impl $crate::audit::Audited for Model {
            const ENTITY: &'static str = $name;
            fn audit_id(&self) -> String {
                self.id.to_string()
            }
        }
    };
    ($name:literal, zone) => {
        $crate::audited_entity!($name);

        impl $crate::audit::ZoneScoped for Entity {
            fn zone_column() -> Column {
                Column::ZoneId
            }
        }
    };
}

/// A table every row of which belongs to one zone.
pub trait ZoneScoped: EntityTrait {
    fn zone_column() -> Self::Column;
}

/// Who is writing, on behalf of which zone, in which request.
#[derive(Clone, Debug)]
pub struct WriteContext {
    pub zone_id: Option<i64>,
    pub actor_account_id: Option<i64>,
    pub actor_name: String,
    pub request_id: Option<String>,
}

impl WriteContext {
    /// A change made from the command line (no signed-in user).
    pub fn cli(zone_id: Option<i64>) -> WriteContext {
        WriteContext {
            zone_id,
            actor_account_id: None,
            actor_name: "命令行 (cli)".to_string(),
            request_id: None,
        }
    }

    /// A change made by the system itself (demo generation, housekeeping).
    pub fn system(zone_id: Option<i64>, what: &str) -> WriteContext {
        WriteContext {
            zone_id,
            actor_account_id: None,
            actor_name: format!("系统 ({what})"),
            request_id: None,
        }
    }
}

/// A transaction that audits every change made through it. Dropping it without
/// [`Writer::commit`] rolls everything back, audit rows included.
pub struct Writer {
    txn: DatabaseTransaction,
    ctx: WriteContext,
    now: DateTime<Utc>,
}

impl Writer {
    pub async fn begin(db: &Db, ctx: WriteContext) -> Result<Writer, DbErr> {
        Ok(Writer {
            txn: db.conn().begin().await?,
            ctx,
            now: gaoxin_core::clock::system_now(),
        })
    }

    /// Reads inside the transaction (to see what this writer has written so far).
    pub fn read(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn context(&self) -> &WriteContext {
        &self.ctx
    }

    /// The time this writer stamps on `created_at` / `updated_at`.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Inserts a row and records it.
    pub async fn insert<A>(&mut self, mut active: A) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Audited,
    {
        self.stamp(&mut active, true);
        let model = active.insert(&self.txn).await?;
        self.record("create", ModelOf::<A>::ENTITY, model.audit_id(), None, Some(&model))
            .await?;
        Ok(model)
    }

    /// Inserts a row into a zone-scoped table, forcing its zone to the writer's zone.
    pub async fn insert_in_zone<A>(&mut self, mut active: A) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: ZoneScoped,
        ModelOf<A>: IntoActiveModel<A> + Audited,
    {
        let zone_id = self.zone_id()?;
        active.set(<A::Entity as ZoneScoped>::zone_column(), zone_id.into());
        self.insert(active).await
    }

    /// Inserts many rows of a zone-scoped table in chunks (one statement per chunk, and one for
    /// its audit lines): how imports and generators write thousands of rows quickly.
    pub async fn insert_many_in_zone<A>(&mut self, actives: Vec<A>) -> Result<Vec<ModelOf<A>>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: ZoneScoped,
        ModelOf<A>: IntoActiveModel<A> + Audited,
    {
        // As many rows per statement as the bind-parameter limits allow (SQLite: 32,766), and
        // at most 2,000, so that the audit lines of a chunk (13 columns) fit as well.
        let columns = <<A::Entity as EntityTrait>::Column as sea_orm::Iterable>::iter()
            .count()
            .max(1);
        let chunk_size = (30_000 / columns).clamp(1, 2_000);
        let zone_id = self.zone_id()?;
        let mut created = Vec::with_capacity(actives.len());
        let mut actives = actives.into_iter().peekable();
        while actives.peek().is_some() {
            let chunk: Vec<A> = actives
                .by_ref()
                .take(chunk_size)
                .map(|mut a| {
                    a.set(<A::Entity as ZoneScoped>::zone_column(), zone_id.into());
                    self.stamp(&mut a, true);
                    a
                })
                .collect();
            let models = <A::Entity as EntityTrait>::insert_many(chunk)
                .exec_with_returning(&self.txn)
                .await?;
            let lines: Vec<entity::ActiveModel> = models
                .iter()
                .map(|m| {
                    self.line(
                        "create",
                        ModelOf::<A>::ENTITY,
                        m.audit_id(),
                        None,
                        serde_json::to_string(m).ok(),
                    )
                })
                .collect();
            entity::Entity::insert_many(lines).exec(&self.txn).await?;
            created.extend(models);
        }
        Ok(created)
    }

    /// Inserts rows derived from data that is already audited (an evaluation's results, which
    /// its recorded inputs and rule versions reproduce), in chunks, without an audit line per
    /// row: the caller records one event for the whole set in the same transaction.
    pub async fn insert_derived_in_zone<A>(&mut self, actives: Vec<A>) -> Result<u64, DbErr>
    where
        A: ZoneRow,
    {
        let columns = <<A::Entity as EntityTrait>::Column as sea_orm::Iterable>::iter()
            .count()
            .max(1);
        let chunk_size = (30_000 / columns).clamp(1, 2_000);
        let zone_id = self.zone_id()?;
        let mut written = 0;
        let mut actives = actives.into_iter().peekable();
        while actives.peek().is_some() {
            let chunk: Vec<A> = actives
                .by_ref()
                .take(chunk_size)
                .map(|mut a| {
                    a.set(<A::Entity as ZoneScoped>::zone_column(), zone_id.into());
                    self.stamp(&mut a, true);
                    a
                })
                .collect();
            written += chunk.len() as u64;
            <A::Entity as EntityTrait>::insert_many(chunk).exec(&self.txn).await?;
        }
        Ok(written)
    }

    /// Updates a row, given the row as it was read; records before and after.
    pub async fn update<A>(&mut self, before: &ModelOf<A>, mut active: A) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Audited,
    {
        self.stamp(&mut active, false);
        let after = active.update(&self.txn).await?;
        self.record(
            "update",
            ModelOf::<A>::ENTITY,
            after.audit_id(),
            Some(before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    /// Updates a row of a zone-scoped table after checking it belongs to the writer's zone.
    pub async fn update_in_zone<A>(&mut self, before: &ModelOf<A>, active: A) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        A::Entity: ZoneScoped,
        ModelOf<A>: IntoActiveModel<A> + Audited,
    {
        self.check_zone(before)?;
        self.update(before, active).await
    }

    /// Deletes a row and records what it was.
    pub async fn delete<M>(&mut self, model: M) -> Result<(), DbErr>
    where
        M: ModelTrait + Audited + IntoActiveModel<<M::Entity as EntityTrait>::ActiveModel> + Send,
        <M::Entity as EntityTrait>::ActiveModel: ActiveModelBehavior + Send,
    {
        let before = serde_json::to_string(&model).ok();
        let id = model.audit_id();
        <M::Entity as EntityTrait>::delete(model.into_active_model())
            .exec(&self.txn)
            .await?;
        self.write_line("delete", M::ENTITY, id, before, None).await
    }

    /// Deletes a row of a zone-scoped table after checking it belongs to the writer's zone.
    pub async fn delete_in_zone<M>(&mut self, model: M) -> Result<(), DbErr>
    where
        M: ModelTrait + Audited + IntoActiveModel<<M::Entity as EntityTrait>::ActiveModel> + Send,
        <M::Entity as EntityTrait>::ActiveModel: ActiveModelBehavior + Send,
        M::Entity: ZoneScoped,
    {
        self.check_zone(&model)?;
        self.delete(model).await
    }

    /// Records an event that is not a row change (a login, a logout, a lock-out, an import).
    pub async fn event(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: impl Into<String>,
        detail: Option<Value>,
    ) -> Result<(), DbErr> {
        self.write_line(action, entity, entity_id.into(), None, detail.map(|d| d.to_string()))
            .await
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    fn zone_id(&self) -> Result<i64, DbErr> {
        self.ctx
            .zone_id
            .ok_or_else(|| DbErr::Custom("a zone-scoped write needs a zone".into()))
    }

    fn check_zone<M: ModelTrait>(&self, model: &M) -> Result<(), DbErr>
    where
        M::Entity: ZoneScoped,
    {
        let zone_id = self.zone_id()?;
        match model.get(<M::Entity as ZoneScoped>::zone_column()) {
            sea_orm::Value::BigInt(Some(z)) if z == zone_id => Ok(()),
            _ => Err(DbErr::RecordNotFound("the row does not belong to this zone".into())),
        }
    }

    fn stamp<A: ActiveModelTrait>(&self, active: &mut A, insert: bool) {
        let now: sea_orm::Value = self.now.into();
        if insert && let Ok(col) = <A::Entity as EntityTrait>::Column::from_str("created_at") {
            active.set(col, now.clone());
        }
        if let Ok(col) = <A::Entity as EntityTrait>::Column::from_str("updated_at") {
            active.set(col, now);
        }
    }

    async fn record<M: Audited>(
        &mut self,
        action: &str,
        entity: &str,
        id: String,
        before: Option<&M>,
        after: Option<&M>,
    ) -> Result<(), DbErr> {
        let json = |m: Option<&M>| m.and_then(|m| serde_json::to_string(m).ok());
        self.write_line(action, entity, id, json(before), json(after)).await
    }

    async fn write_line(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: String,
        before_json: Option<String>,
        after_json: Option<String>,
    ) -> Result<(), DbErr> {
        let line = self.line(action, entity, entity_id, before_json, after_json);
        entity::Entity::insert(line).exec(&self.txn).await?;
        Ok(())
    }

    fn line(
        &self,
        action: &str,
        entity: &str,
        entity_id: String,
        before_json: Option<String>,
        after_json: Option<String>,
    ) -> entity::ActiveModel {
        // Cut text to the column widths: some of it (a user name typed at the login form, a
        // request id sent by a client) comes from outside, and PostgreSQL refuses longer text.
        entity::ActiveModel {
            zone_id: Set(self.ctx.zone_id),
            at: Set(self.now),
            actor_account_id: Set(self.ctx.actor_account_id),
            actor_name: Set(cut(&self.ctx.actor_name, 100)),
            action: Set(cut(action, 32)),
            entity: Set(cut(entity, 64)),
            entity_id: Set(cut(&entity_id, 64)),
            before_json: Set(before_json),
            after_json: Set(after_json),
            request_id: Set(self.ctx.request_id.as_deref().map(|r| cut(r, 64))),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
    }
}

/// At most `max` characters of `text`.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The model type behind an active model.
pub type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// The entity behind an active model.
pub type EntityOf<A> = <A as ActiveModelTrait>::Entity;

/// A row being written to a zone-scoped, audited table: what the writer's zone methods take.
/// Modules name this, not sea-orm's traits, so that they never write around the writer.
pub trait ZoneRow:
    ActiveModelTrait<Entity: ZoneScoped + EntityTrait<Model: IntoActiveModel<Self> + Audited>> + ActiveModelBehavior + Send
{
}

impl<A> ZoneRow for A where
    A: ActiveModelTrait<Entity: ZoneScoped + EntityTrait<Model: IntoActiveModel<A> + Audited>>
        + ActiveModelBehavior
        + Send
{
}

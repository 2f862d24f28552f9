//! Events (the facts awards are paid on): the list with its filters, saving rows of one kind
//! (an upsert by enterprise and reference), finding each row's enterprise, and deletion.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::event_entity::{self as event, Model as Event};
use crate::events::EventInput;
use crate::line_entity as line;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use gaoxin_rules::sources::EventKind;

/// Filters of the event list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// Event kind code (`technology_contract`, …).
    pub kind: Option<String>,
    pub year: Option<i32>,
    /// Search in the reference and the enterprise's name or 统一社会信用代码.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl EventFilter {
    pub fn paging(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

fn visible_events(scope: &Scope) -> sea_orm::Select<event::Entity> {
    let select = scope.select::<event::Entity>();
    match scope.own_enterprise() {
        Some(id) => select.filter(event::Column::EnterpriseId.eq(id)),
        None => select,
    }
}

pub async fn search_events(
    db: &Db,
    scope: &Scope,
    f: &EventFilter,
) -> Result<(Vec<(Event, Option<Enterprise>)>, u64), AppError> {
    let mut q = visible_events(scope);
    if let Some(kind) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        q = q.filter(event::Column::Kind.eq(kind));
    }
    if let Some(year) = f.year {
        q = q.filter(event::Column::Year.eq(year));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(Condition::any().add(event::Column::Reference.contains(text)).add(
            gaoxin_enterprises::store::matching(scope, event::Column::EnterpriseId, text),
        ));
    }
    let total = q.clone().count(db.conn()).await?;
    let p = f.paging();
    let rows = q
        .order_by_desc(event::Column::OccurredOn)
        .order_by_desc(event::Column::Id)
        .offset(p.offset())
        .limit(p.per_page())
        .all(db.conn())
        .await?;
    let names = enterprises_by_id(db, scope, rows.iter().map(|r| r.enterprise_id)).await?;
    Ok((
        rows.into_iter()
            .map(|r| {
                let e = names.get(&r.enterprise_id).cloned();
                (r, e)
            })
            .collect(),
        total,
    ))
}

pub async fn enterprises_by_id(
    db: &Db,
    scope: &Scope,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Enterprise>, AppError> {
    let ids: HashSet<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

pub async fn get_event(db: &Db, scope: &Scope, id: i64) -> Result<Event, AppError> {
    visible_events(scope)
        .filter(event::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// What saving events did.
#[derive(Clone, Copy, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SaveCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Finds each row's enterprise by 统一社会信用代码 (and checks the name when given); the error
/// is (row index, column key, reason).
pub async fn resolve_enterprises<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    rows: &[EventInput],
) -> Result<Vec<i64>, Vec<(usize, &'static str, String)>> {
    let codes: HashSet<&str> = rows.iter().map(|r| r.uscc.as_str()).collect();
    let found: HashMap<String, (i64, String)> = match enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Uscc.is_in(codes))
        .all(conn)
        .await
    {
        Ok(list) => list.into_iter().map(|e| (e.uscc, (e.id, e.name))).collect(),
        Err(e) => return Err(vec![(0, "uscc", format!("数据库错误：{e}"))]),
    };
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match found.get(&r.uscc) {
            None => errors.push((i, "uscc", format!("企业库中没有统一社会信用代码为 {} 的企业", r.uscc))),
            Some((_, name)) if r.enterprise_name.as_deref().is_some_and(|n| n != name) => errors.push((
                i,
                "enterprise_name",
                format!("企业名称与企业库不一致（企业库：{name}）"),
            )),
            Some((id, _)) => ids.push(*id),
        }
    }
    if errors.is_empty() { Ok(ids) } else { Err(errors) }
}

fn apply(a: &mut event::ActiveModel, kind: EventKind, enterprise_id: i64, input: &EventInput) {
    let date = input.occurred_on.expect("a parsed event has its date");
    a.enterprise_id = Set(enterprise_id);
    a.kind = Set(kind.code().into());
    a.year = Set(chrono::Datelike::year(&date));
    a.occurred_on = Set(date);
    a.started_on = Set(input.started_on);
    a.reference = Set(input.reference.clone());
    a.category = Set(input.category.clone());
    a.level = Set(input.level.clone());
    a.amount = Set(input.amount);
    a.secondary_amount = Set(input.secondary_amount);
    a.quantity = Set(input.quantity);
    a.certified = Set(input.certified);
    a.first_time = Set(input.first_time);
    a.note = Set(input.note.clone());
}

fn same(e: &Event, kind: EventKind, enterprise_id: i64, i: &EventInput) -> bool {
    e.kind == kind.code()
        && e.enterprise_id == enterprise_id
        && Some(e.occurred_on) == i.occurred_on
        && e.started_on == i.started_on
        && e.reference == i.reference
        && e.category == i.category
        && e.level == i.level
        && e.amount == i.amount
        && e.secondary_amount == i.secondary_amount
        && e.quantity == i.quantity
        && e.certified == i.certified
        && e.first_time == i.first_time
        && e.note == i.note
}

/// Who registers events: their department (recorded on new events), and whether they may change
/// events other departments registered (the admin, the department that holds policies, the CLI).
#[derive(Clone, Copy, Debug)]
pub struct Registrant {
    pub department_id: Option<i64>,
    pub may_change_any: bool,
}

impl Registrant {
    /// The command line and the demo: no department, every event.
    pub const OPERATOR: Registrant = Registrant {
        department_id: None,
        may_change_any: true,
    };

    /// The caller of a request.
    pub async fn of<C: ConnectionTrait>(conn: &C, scope: &Scope) -> Result<Registrant, AppError> {
        use gaoxin_platform::departments::duties::{Duty, Owner, ensure};
        Ok(Registrant {
            department_id: scope.caller().department_id,
            may_change_any: ensure(conn, scope, &[Owner::Duty(Duty::Policies)]).await.is_ok(),
        })
    }
}

/// Saves events of one kind: a row whose (enterprise, reference) exists updates it; others are
/// created. One transaction (the caller's writer). An event another department registered is
/// changed only by a registrant who may change any (issue 17, finding 5).
pub async fn save_events(
    writer: &mut Writer,
    zone_id: i64,
    kind: EventKind,
    rows: &[(i64, EventInput)],
    by: Registrant,
) -> Result<SaveCounts, AppError> {
    let enterprise_ids: HashSet<i64> = rows.iter().map(|(e, _)| *e).collect();
    let existing: HashMap<(i64, String), Event> = event::Entity::find()
        .filter(event::Column::ZoneId.eq(zone_id))
        .filter(event::Column::Kind.eq(kind.code()))
        .filter(event::Column::EnterpriseId.is_in(enterprise_ids))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|e| ((e.enterprise_id, e.reference.clone()), e))
        .collect();
    let mut counts = SaveCounts::default();
    let mut new = Vec::new();
    for (enterprise_id, input) in rows {
        match existing.get(&(*enterprise_id, input.reference.clone())) {
            Some(e) if same(e, kind, *enterprise_id, input) => counts.unchanged += 1,
            Some(e) => {
                if !by.may_change_any && e.department_id != by.department_id {
                    return Err(AppError::OtherDepartment(format!(
                        "事件“{}”由其他部门登记：只有登记部门、负责政策兑现的部门或管理员可以修改",
                        input.reference
                    )));
                }
                let mut a = e.clone().into_active_model();
                apply(&mut a, kind, *enterprise_id, input);
                writer.update_in_zone(e, a).await?;
                counts.updated += 1;
            }
            None => {
                let mut a = event::ActiveModel {
                    department_id: Set(by.department_id),
                    ..Default::default()
                };
                apply(&mut a, kind, *enterprise_id, input);
                new.push(a);
                counts.created += 1;
            }
        }
    }
    writer.insert_many_in_zone(new).await?;
    Ok(counts)
}

pub async fn delete_event(writer: &mut Writer, e: Event) -> Result<(), AppError> {
    let used = line::Entity::find()
        .filter(line::Column::ZoneId.eq(e.zone_id))
        .filter(line::Column::EventId.eq(e.id))
        .count(writer.read())
        .await?;
    if used > 0 {
        return Err(AppError::Conflict(format!(
            "该事件已用于 {used} 条兑现明细，不能删除（批次中保留着它的计算依据）"
        )));
    }
    writer.delete_in_zone(e).await?;
    Ok(())
}

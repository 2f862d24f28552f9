//! Policy versions, events, payment batches and award lines: queries (always within one zone;
//! an enterprise user sees only its own) and audited writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::batch_entity::{self as batch, Model as Batch};
use super::compute::{self, Computed, EventFacts, Facts, Paid, PolicySet, StoredVersion};
use super::event_entity::{self as event, Model as Event};
use super::events::EventInput;
use super::line_entity::{self as line, Model as Line};
use super::version_entity::{self as version, Model as Version};
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use gaoxin_rules::eval::Explanation;
use gaoxin_rules::policy::{self, Kinds, Slots};
use gaoxin_rules::sources::EventKind;

// ---------------------------------------------------------------- policy versions

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<Version>, AppError> {
    Ok(version::Entity::find()
        .filter(version::Column::ZoneId.eq(zone_id))
        .filter(version::Column::Status.eq("active"))
        .order_by_asc(version::Column::PolicyId)
        .all(conn)
        .await?)
}

pub fn stored(versions: &[Version]) -> Vec<StoredVersion> {
    versions
        .iter()
        .map(|v| StoredVersion {
            id: v.id,
            version: v.version.clone(),
            file_name: v.file_name.clone(),
            source: v.source.clone(),
        })
        .collect()
}

pub async fn versions_of_policy(db: &Db, scope: &Scope, policy_id: &str) -> Result<Vec<Version>, AppError> {
    Ok(scope
        .select::<version::Entity>()
        .filter(version::Column::PolicyId.eq(policy_id))
        .order_by_desc(version::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn version_by_id<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Version, AppError> {
    version::Entity::find_by_id(id)
        .filter(version::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

pub use gaoxin_platform::versions::Loaded;
use gaoxin_platform::versions::{Checked, own_tests};

/// The checks of [`crate::rule_file::load_policy_file`]: the version row to store.
pub async fn check_policy_file(
    writer: &Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> Result<Checked<version::ActiveModel>, AppError> {
    let active = active_versions(writer.read(), zone_id).await?;
    let mut slots = Slots::new();
    let mut kinds = Kinds::new();
    let parsed =
        policy::load(file_name, source, &mut slots, &mut kinds).map_err(|e| AppError::field("file", e.to_string()))?;
    // Shared variable names must keep their type across the zone's policies.
    let mut others = (Slots::new(), Kinds::new());
    for v in active.iter().filter(|v| v.policy_id != parsed.id) {
        // An active version loaded before; only its variables' types matter here.
        let _ = policy::load(&v.file_name, &v.source, &mut others.0, &mut others.1);
    }
    policy::load(file_name, source, &mut others.0, &mut others.1)
        .map_err(|e| AppError::field("file", format!("与已启用的其他政策冲突：{e}")))?;
    for v in &parsed.variables {
        if v.from.is_none() {
            return Err(AppError::field(
                "file",
                format!("{file_name}：变量“{}”没有声明数据来源 from，无法按数据库计算", v.name),
            ));
        }
    }
    let results = gaoxin_rules::eval::run_tests(std::slice::from_ref(&parsed), &slots, &kinds);
    own_tests(
        file_name,
        results
            .iter()
            .filter(|r| !r.failures.is_empty())
            .map(|r| (r.name.as_str(), r.failures.as_slice())),
    )?;
    Ok(Checked {
        key: parsed.id.clone(),
        version: parsed.version.clone(),
        row: version::ActiveModel {
            policy_id: Set(parsed.id.clone()),
            version: Set(parsed.version.clone()),
            file_name: Set(file_name.chars().take(200).collect()),
            source: Set(source.to_string()),
            title: Set(parsed.title.chars().take(300).collect()),
            document_number: Set(parsed.document_number.chars().take(100).collect()),
            effective_from: Set(parsed.effective_from),
            effective_to: Set(parsed.effective_to),
            example: Set(parsed.example),
            status: Set("active".into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
}

// ---------------------------------------------------------------- events

/// Filters of the event list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
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

/// Saves events of one kind: a row whose (enterprise, reference) exists updates it; others are
/// created. One transaction (the caller's writer).
pub async fn save_events(
    writer: &mut Writer,
    zone_id: i64,
    kind: EventKind,
    rows: &[(i64, EventInput)],
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
                let mut a = e.clone().into_active_model();
                apply(&mut a, kind, *enterprise_id, input);
                writer.update_in_zone(e, a).await?;
                counts.updated += 1;
            }
            None => {
                let mut a = event::ActiveModel::default();
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

// ---------------------------------------------------------------- computing on the database

/// The enterprises in business with their facts for `year`, the year's events, and what
/// approved batches of earlier years paid.
pub async fn gather<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    only_enterprise: Option<i64>,
) -> Result<(Vec<Facts>, Vec<EventFacts>, Vec<Paid>), AppError> {
    let mut eq = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Status.eq("active"));
    if let Some(id) = only_enterprise {
        eq = eq.filter(enterprise::Column::Id.eq(id));
    }
    let enterprises = eq.order_by_asc(enterprise::Column::Id).all(conn).await?;
    let mut aq = annual::Entity::find()
        .filter(annual::Column::ZoneId.eq(zone_id))
        .filter(annual::Column::Year.eq(year));
    if let Some(id) = only_enterprise {
        aq = aq.filter(annual::Column::EnterpriseId.eq(id));
    }
    let annual: HashMap<i64, annual::Model> = aq.all(conn).await?.into_iter().map(|a| (a.enterprise_id, a)).collect();
    let facts = enterprises
        .into_iter()
        .map(|e| {
            let a = annual.get(&e.id);
            Facts {
                enterprise_id: e.id,
                name: e.name,
                uscc: e.uscc,
                industry_code: e.industry_code,
                registered_on: e.registered_on,
                above_scale: e.scale.map(|s| s == "above"),
                employees: e.employees,
                leading_industry: e.leading_industry,
                revenue: a.and_then(|a| a.revenue),
                rd_expense: a.and_then(|a| a.rd_expense),
                tax: a.and_then(|a| a.tax),
                value_added: a.and_then(|a| a.value_added),
                hitech_revenue: a.and_then(|a| a.hitech_revenue),
                rd_staff: a.and_then(|a| a.rd_staff),
                tech_staff: a.and_then(|a| a.tech_staff),
                invention_patents: a.and_then(|a| a.invention_patents),
            }
        })
        .collect();
    let mut evq = event::Entity::find()
        .filter(event::Column::ZoneId.eq(zone_id))
        .filter(event::Column::Year.eq(year));
    if let Some(id) = only_enterprise {
        evq = evq.filter(event::Column::EnterpriseId.eq(id));
    }
    let events = evq
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(EventFacts {
                kind: EventKind::parse(&e.kind)?,
                id: e.id,
                enterprise_id: e.enterprise_id,
                occurred_on: e.occurred_on,
                started_on: e.started_on,
                reference: e.reference,
                category: e.category,
                level: e.level,
                amount: e.amount,
                secondary_amount: e.secondary_amount,
                quantity: e.quantity,
                certified: e.certified,
                first_time: e.first_time,
            })
        })
        .collect();
    let earlier: Vec<i64> = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Status.eq("approved"))
        .filter(batch::Column::Year.lt(year))
        .select_only()
        .column(batch::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut paid_map: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
    if !earlier.is_empty() {
        let mut lq = line::Entity::find()
            .filter(line::Column::ZoneId.eq(zone_id))
            .filter(line::Column::BatchId.is_in(earlier))
            .filter(line::Column::Excluded.eq(false));
        if let Some(id) = only_enterprise {
            lq = lq.filter(line::Column::EnterpriseId.eq(id));
        }
        for l in lq.all(conn).await? {
            *paid_map.entry((l.enterprise_id, l.policy_id, l.award_id)).or_default() += l.amount;
        }
    }
    let paid = paid_map
        .into_iter()
        .map(|((enterprise_id, policy, award), amount)| Paid {
            enterprise_id,
            policy,
            award,
            amount,
        })
        .collect();
    Ok((facts, events, paid))
}

/// The versions a batch recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsedVersion {
    pub policy: String,
    pub version_id: i64,
    pub version: String,
}

fn used_versions(versions: &[Version]) -> Vec<UsedVersion> {
    versions
        .iter()
        .map(|v| UsedVersion {
            policy: v.policy_id.clone(),
            version_id: v.id,
            version: v.version.clone(),
        })
        .collect()
}

pub async fn compute_with<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    versions: &[Version],
) -> Result<(std::sync::Arc<PolicySet>, Computed), AppError> {
    if versions.is_empty() {
        return Err(AppError::BadRequest(
            "本区还没有启用的政策：请先在“政策”页上传规则文件".into(),
        ));
    }
    let set = compute::policy_set(&stored(versions)).map_err(AppError::BadRequest)?;
    let (facts, events, paid) = gather(conn, zone_id, year, None).await?;
    let computed = compute::compute(&set, year, &facts, &events, &paid).map_err(AppError::BadRequest)?;
    Ok((set, computed))
}

/// Which awards the zone's enterprises (an enterprise user: its own) qualify or nearly qualify
/// for in `year`, under the policies in use.
pub async fn matches(db: &Db, scope: &Scope, year: i32) -> Result<Vec<compute::MatchLine>, AppError> {
    let versions = active_versions(db.conn(), scope.zone_id()).await?;
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let set = compute::policy_set(&stored(&versions)).map_err(AppError::BadRequest)?;
    let (facts, events, _) = gather(db.conn(), scope.zone_id(), year, scope.own_enterprise()).await?;
    compute::matches(&set, year, &facts, &events).map_err(AppError::BadRequest)
}

// ---------------------------------------------------------------- policy what-if (政策沙盘)

/// What a draft version of a policy would have paid in a past year, against the version in use.
pub struct WhatIf {
    pub policy: String,
    pub title: String,
    /// Fen, the policy's lines (both ways of paying).
    pub before: i64,
    pub after: i64,
    /// Sum of the awards' budgets (fen), before and after; None when no award has one.
    pub budget_before: Option<i64>,
    pub budget_after: Option<i64>,
    pub recipients_before: usize,
    pub recipients_after: usize,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
    /// The largest changes first.
    pub changes: Vec<DiffRow>,
    /// The draft's own tests that fail (the what-if still runs).
    pub failing_tests: Vec<String>,
}

/// Runs a draft policy file against `year`'s data without saving anything.
pub async fn what_if(db: &Db, zone_id: i64, year: i32, file_name: &str, source: &str) -> Result<WhatIf, AppError> {
    use sha2::Digest;
    let mut slots = Slots::new();
    let mut kinds = Kinds::new();
    let draft = policy::load(file_name, source, &mut slots, &mut kinds)
        .map_err(|e| AppError::field("source", e.to_string()))?;
    let failing_tests = gaoxin_rules::eval::run_tests(std::slice::from_ref(&draft), &slots, &kinds)
        .into_iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| format!("{}：{}", r.name, r.failures.join("；")))
        .collect();
    if !draft.in_force(year) {
        return Err(AppError::field(
            "year",
            format!("草稿政策在 {year} 年不生效（见 effective_from / effective_to）"),
        ));
    }
    let active = active_versions(db.conn(), zone_id).await?;
    let mut after = stored(
        &active
            .iter()
            .filter(|v| v.policy_id != draft.id)
            .cloned()
            .collect::<Vec<_>>(),
    );
    after.push(StoredVersion {
        id: -1,
        version: hex::encode(sha2::Sha256::digest(source.as_bytes())),
        file_name: file_name.to_string(),
        source: source.to_string(),
    });
    let before_set = compute::policy_set(&stored(&active)).map_err(AppError::BadRequest)?;
    let after_set = compute::policy_set(&after).map_err(|e| AppError::field("source", e))?;
    let (facts, events, paid) = gather(db.conn(), zone_id, year, None).await?;
    let run = |set: &PolicySet| -> Result<Computed, AppError> {
        if !set.policies.iter().any(|p| p.in_force(year)) {
            return Ok(Computed {
                lines: Vec::new(),
                input_hash: String::new(),
                cases: 0,
            });
        }
        compute::compute(set, year, &facts, &events, &paid).map_err(AppError::BadRequest)
    };
    let (b, a) = (run(&before_set)?, run(&after_set)?);
    let of_policy = |c: &Computed| -> Vec<Side> {
        c.lines
            .iter()
            .filter(|l| l.policy == draft.id)
            .map(Side::computed)
            .collect()
    };
    let (bs, as_) = (of_policy(&b), of_policy(&a));
    let recipients =
        |sides: &[Side]| -> HashSet<i64> { sides.iter().filter(|l| l.amount > 0).map(|l| l.key.0).collect() };
    let (rb, ra) = (recipients(&bs), recipients(&as_));
    let name_of: HashMap<i64, &str> = facts.iter().map(|f| (f.enterprise_id, f.name.as_str())).collect();
    let names = |ids: Vec<&i64>| -> Vec<String> {
        let mut v: Vec<String> = ids
            .into_iter()
            .map(|i| name_of.get(i).copied().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    let budget = |set: &PolicySet| -> Option<i64> { compute::yearly_budget(set.policy(&draft.id)?) };
    let before_total: i64 = bs.iter().map(|l| l.amount).sum();
    let after_total: i64 = as_.iter().map(|l| l.amount).sum();
    let mut changes = compare(bs, as_);
    changes.sort_by_key(|d| std::cmp::Reverse((d.after.unwrap_or(0) - d.before.unwrap_or(0)).abs()));
    Ok(WhatIf {
        policy: draft.id.clone(),
        title: format!("{} {}", draft.document_number, draft.title),
        before: before_total,
        after: after_total,
        budget_before: budget(&before_set),
        budget_after: budget(&after_set),
        recipients_before: rb.len(),
        recipients_after: ra.len(),
        gained: names(ra.difference(&rb).collect()),
        lost: names(rb.difference(&ra).collect()),
        changes,
        failing_tests,
    })
}

// ---------------------------------------------------------------- batches

/// The identity of an award line across runs.
pub type LineKey = (i64, Option<i64>, String, String);

fn key_of(l: &Line) -> LineKey {
    (l.enterprise_id, l.event_id, l.policy_id.clone(), l.award_id.clone())
}

fn key_of_computed(l: &compute::Line) -> LineKey {
    (l.enterprise_id, l.event_id, l.policy.clone(), l.award.clone())
}

pub async fn list_batches(db: &Db, scope: &Scope, p: &PageParams) -> Result<(Vec<Batch>, u64), AppError> {
    let q = scope.select::<batch::Entity>();
    let total = q.clone().count(db.conn()).await?;
    let rows = q
        .order_by_desc(batch::Column::Id)
        .offset(p.offset())
        .limit(p.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

pub async fn get_batch<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Batch, AppError> {
    batch::Entity::find_by_id(id)
        .filter(batch::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn batch_lines<C: ConnectionTrait>(conn: &C, zone_id: i64, batch_id: i64) -> Result<Vec<Line>, AppError> {
    Ok(line::Entity::find()
        .filter(line::Column::ZoneId.eq(zone_id))
        .filter(line::Column::BatchId.eq(batch_id))
        .order_by_asc(line::Column::Id)
        .all(conn)
        .await?)
}

/// Runs the 免申即享 awards of the active policies for `year` into a new draft batch. Awards an
/// approved batch of the same year already paid are left out.
pub async fn create_batch(
    writer: &mut Writer,
    zone_id: i64,
    year: i32,
    title: &str,
    created_by: i64,
) -> Result<Batch, AppError> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应在 2000–2100 之间"));
    }
    let open = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Year.eq(year))
        .filter(batch::Column::Status.ne("approved"))
        .one(writer.read())
        .await?;
    if let Some(b) = open {
        return Err(AppError::Conflict(format!(
            "{year} 年度已有未完成的批次 #{}（{}）：请先完成审批或在其中重新计算",
            b.id, b.title
        )));
    }
    let versions: Vec<Version> = active_versions(writer.read(), zone_id)
        .await?
        .into_iter()
        .filter(|v| {
            v.effective_from <= chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("a year")
                && v.effective_to
                    .is_none_or(|to| to >= chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("a year"))
        })
        .collect();
    if versions.is_empty() {
        return Err(AppError::BadRequest(format!("没有在 {year} 年有效的已启用政策")));
    }
    let (_, computed) = compute_with(writer.read(), zone_id, year, &versions).await?;
    let title = if title.trim().is_empty() {
        format!("{year} 年度免申即享兑现")
    } else {
        gaoxin_core::validate::required_text("title", "批次名称", title, 200)?
    };
    let used = used_versions(&versions);
    let created = writer
        .insert_in_zone(batch::ActiveModel {
            year: Set(year),
            title: Set(title),
            status: Set("draft".into()),
            policy_versions: Set(serde_json::to_string(&used).expect("versions serialise")),
            input_hash: Set(computed.input_hash.clone()),
            line_count: Set(0),
            total: Set(0),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let filled = fill_batch(writer, &created, computed, &HashMap::new()).await?;
    if filled.line_count == 0 {
        // The caller's transaction is dropped: nothing of the empty batch is saved.
        return Err(AppError::Conflict(format!(
            "{year} 年度没有可兑现的奖励（没有满足条件的免申即享奖励，也没有已批准未兑现的申请），未生成批次"
        )));
    }
    Ok(filled)
}

/// Discards a draft: its lines and itself (audited); approved applications it carried are free
/// to join the next batch.
pub async fn discard_batch(writer: &mut Writer, b: &Batch) -> Result<(), AppError> {
    must_be(b, "draft", "作废")?;
    for l in batch_lines(writer.read(), b.zone_id, b.id).await? {
        writer.delete_in_zone(l).await?;
    }
    for a in applications_for_batch(writer.read(), b.zone_id, b.year, b.id).await? {
        if a.batch_id == Some(b.id) {
            let mut m = a.clone().into_active_model();
            m.batch_id = Set(None);
            writer.update_in_zone(&a, m).await?;
        }
    }
    writer.delete_in_zone(b.clone()).await?;
    Ok(())
}

/// Inserts the computed 免申即享 lines into the batch (keeping given exclusions by key) and
/// updates its count, total and input hash.
async fn fill_batch(
    writer: &mut Writer,
    b: &Batch,
    computed: Computed,
    excluded: &HashMap<LineKey, String>,
) -> Result<Batch, AppError> {
    let paid_this_year = paid_keys(writer.read(), b.zone_id, b.year, Some(b.id)).await?;
    let mut rows = Vec::new();
    let (mut count, mut total) = (0i64, 0i64);
    for l in computed.lines.iter().filter(|l| l.without_application) {
        let key = key_of_computed(l);
        if paid_this_year.contains(&key) {
            continue;
        }
        let reason = excluded.get(&key).cloned();
        count += 1;
        if reason.is_none() {
            total += l.amount;
        }
        rows.push(line::ActiveModel {
            batch_id: Set(b.id),
            enterprise_id: Set(l.enterprise_id),
            event_id: Set(l.event_id),
            policy_id: Set(l.policy.clone()),
            policy_version_id: Set(l.version_id),
            award_id: Set(l.award.clone()),
            award_name: Set(l.award_name.chars().take(200).collect()),
            article_id: Set(l.article.chars().take(200).collect()),
            amount: Set(l.amount),
            explanation: Set(serde_json::to_string(&l.explanation).expect("an explanation serialises")),
            excluded: Set(reason.is_some()),
            exclude_reason: Set(reason),
            application_id: Set(None),
            ..Default::default()
        });
    }
    // Approved applications (快申快享) of the year join the list, at the amount approved and
    // under the rule version that computed it.
    for a in applications_for_batch(writer.read(), b.zone_id, b.year, b.id).await? {
        let (Some(amount), Some(explanation)) = (a.amount, a.explanation.clone()) else {
            continue;
        };
        let note: Option<Explanation> = serde_json::from_str(&explanation).ok();
        let Some(version_id) = version::Entity::find()
            .filter(version::Column::ZoneId.eq(b.zone_id))
            .filter(version::Column::Version.eq(note.as_ref().map(|n| n.version.clone()).unwrap_or_default()))
            .one(writer.read())
            .await?
            .map(|v| v.id)
        else {
            continue;
        };
        let key: LineKey = (a.enterprise_id, a.event_id, a.policy_id.clone(), a.award_id.clone());
        let reason = excluded.get(&key).cloned();
        count += 1;
        if reason.is_none() {
            total += amount;
        }
        rows.push(line::ActiveModel {
            batch_id: Set(b.id),
            enterprise_id: Set(a.enterprise_id),
            event_id: Set(a.event_id),
            policy_id: Set(a.policy_id.clone()),
            policy_version_id: Set(version_id),
            award_id: Set(a.award_id.clone()),
            award_name: Set(note
                .as_ref()
                .map(|n| n.award_name.clone())
                .unwrap_or_else(|| a.award_name.clone())),
            article_id: Set(note.as_ref().map(|n| n.article.clone()).unwrap_or_default()),
            amount: Set(amount),
            explanation: Set(explanation),
            excluded: Set(reason.is_some()),
            exclude_reason: Set(reason),
            application_id: Set(Some(a.id)),
            ..Default::default()
        });
        if a.batch_id != Some(b.id) {
            let mut m = a.clone().into_active_model();
            m.batch_id = Set(Some(b.id));
            writer.update_in_zone(&a, m).await?;
        }
    }
    writer.insert_many_in_zone(rows).await?;
    let mut a = b.clone().into_active_model();
    a.line_count = Set(count);
    a.total = Set(total);
    a.input_hash = Set(computed.input_hash);
    Ok(writer.update_in_zone(b, a).await?)
}

/// What approved batches of the year (other than `except`) already pay.
async fn paid_keys<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    except: Option<i64>,
) -> Result<HashSet<LineKey>, AppError> {
    let approved: Vec<i64> = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Year.eq(year))
        .filter(batch::Column::Status.eq("approved"))
        .filter(batch::Column::Id.ne(except.unwrap_or(0)))
        .select_only()
        .column(batch::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    if approved.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(line::Entity::find()
        .filter(line::Column::ZoneId.eq(zone_id))
        .filter(line::Column::BatchId.is_in(approved))
        .filter(line::Column::Excluded.eq(false))
        .all(conn)
        .await?
        .iter()
        .map(key_of)
        .collect())
}

fn must_be(b: &Batch, status: &str, what: &str) -> Result<(), AppError> {
    if b.status != status {
        return Err(AppError::Conflict(format!(
            "批次 #{} 当前为“{}”，不能{what}",
            b.id,
            status_label(&b.status)
        )));
    }
    Ok(())
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "草稿（审核中）",
        "submitted" => "待领导审批",
        "approved" => "已批准（锁定）",
        _ => "未知",
    }
}

/// Recomputes a draft with the policies in use now and today's data; exclusions are kept for
/// the lines that are still there.
pub async fn recompute_batch(writer: &mut Writer, b: &Batch) -> Result<Batch, AppError> {
    must_be(b, "draft", "重新计算")?;
    let old = batch_lines(writer.read(), b.zone_id, b.id).await?;
    let excluded: HashMap<LineKey, String> = old
        .iter()
        .filter(|l| l.excluded)
        .map(|l| (key_of(l), l.exclude_reason.clone().unwrap_or_default()))
        .collect();
    let versions = active_versions(writer.read(), b.zone_id).await?;
    let (_, computed) = compute_with(writer.read(), b.zone_id, b.year, &versions).await?;
    for l in old {
        writer.delete_in_zone(l).await?;
    }
    let used = used_versions(&versions);
    let mut a = b.clone().into_active_model();
    a.policy_versions = Set(serde_json::to_string(&used).expect("versions serialise"));
    a.return_note = Set(None);
    let b = writer.update_in_zone(b, a).await?;
    fill_batch(writer, &b, computed, &excluded).await
}

async fn set_total(writer: &mut Writer, b: &Batch) -> Result<Batch, AppError> {
    let lines = batch_lines(writer.read(), b.zone_id, b.id).await?;
    let total: i64 = lines.iter().filter(|l| !l.excluded).map(|l| l.amount).sum();
    let mut a = b.clone().into_active_model();
    a.total = Set(total);
    a.line_count = Set(lines.len() as i64);
    Ok(writer.update_in_zone(b, a).await?)
}

/// Excludes a line from a draft (with a reason) or puts it back (`reason` None).
pub async fn set_excluded(writer: &mut Writer, b: &Batch, l: &Line, reason: Option<&str>) -> Result<Batch, AppError> {
    must_be(b, "draft", "修改明细")?;
    let mut a = l.clone().into_active_model();
    match reason {
        Some(r) => {
            let r = gaoxin_core::validate::required_text("reason", "剔除理由", r, 500)?;
            a.excluded = Set(true);
            a.exclude_reason = Set(Some(r));
        }
        None => {
            a.excluded = Set(false);
            a.exclude_reason = Set(None);
        }
    }
    writer.update_in_zone(l, a).await?;
    set_total(writer, b).await
}

pub async fn get_line<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Line, AppError> {
    line::Entity::find_by_id(id)
        .filter(line::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// An award line the caller may see: zone staff see every line; an enterprise user only its
/// own lines of approved batches.
pub async fn visible_line(db: &Db, scope: &Scope, id: i64) -> Result<(Line, Batch), AppError> {
    let l = scope
        .select::<line::Entity>()
        .filter(line::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let b = get_batch(db.conn(), scope.zone_id(), l.batch_id).await?;
    if let Some(own) = scope.own_enterprise()
        && (l.enterprise_id != own || b.status != "approved")
    {
        return Err(AppError::NotFound);
    }
    Ok((l, b))
}

pub fn explanation(l: &Line) -> Result<Explanation, AppError> {
    serde_json::from_str(&l.explanation)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("explanation of line {}: {e}", l.id)))
}

pub async fn transition(
    writer: &mut Writer,
    b: &Batch,
    to: &str,
    by: i64,
    note: Option<&str>,
) -> Result<Batch, AppError> {
    let mut a = b.clone().into_active_model();
    match to {
        "submitted" => {
            must_be(b, "draft", "提交审批")?;
            if b.line_count == 0 {
                return Err(AppError::Conflict("批次没有明细，不能提交".into()));
            }
            a.submitted_by = Set(Some(by));
            a.return_note = Set(None);
        }
        "approved" => {
            must_be(b, "submitted", "批准")?;
            a.approved_by = Set(Some(by));
            a.approved_at = Set(Some(writer.now()));
        }
        "draft" => {
            must_be(b, "submitted", "退回")?;
            let note = gaoxin_core::validate::required_text("note", "退回理由", note.unwrap_or(""), 500)?;
            a.return_note = Set(Some(note));
        }
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    }
    a.status = Set(to.to_string());
    Ok(writer.update_in_zone(b, a).await?)
}

/// One difference between a batch's lines and a new computation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DiffRow {
    pub enterprise_id: i64,
    pub enterprise: String,
    pub award: String,
    pub event_id: Option<i64>,
    /// Fen; None: not in that run.
    pub before: Option<i64>,
    pub after: Option<i64>,
    /// Why, in Chinese: version change, inputs that changed, condition no longer met…
    pub why: String,
}

/// One side of a comparison: an award line with what explains it.
pub struct Side {
    pub key: LineKey,
    pub amount: i64,
    pub award_name: String,
    pub explanation: Option<Explanation>,
}

impl Side {
    pub fn stored(l: &Line) -> Side {
        Side {
            key: key_of(l),
            amount: l.amount,
            award_name: l.award_name.clone(),
            explanation: serde_json::from_str(&l.explanation).ok(),
        }
    }

    pub fn computed(l: &compute::Line) -> Side {
        Side {
            key: key_of_computed(l),
            amount: l.amount,
            award_name: l.award_name.clone(),
            explanation: Some(l.explanation.clone()),
        }
    }
}

/// Compares the batch's lines with a new computation (its 免申即享 lines).
pub fn diff(stored: &[Line], fresh: &Computed) -> Vec<DiffRow> {
    compare(
        stored
            .iter()
            .filter(|l| l.application_id.is_none())
            .map(Side::stored)
            .collect(),
        fresh
            .lines
            .iter()
            .filter(|l| l.without_application)
            .map(Side::computed)
            .collect(),
    )
}

/// The lines whose amount differs between two runs, with why.
pub fn compare(before: Vec<Side>, after: Vec<Side>) -> Vec<DiffRow> {
    let old: HashMap<&LineKey, &Side> = before.iter().map(|l| (&l.key, l)).collect();
    let new: HashMap<&LineKey, &Side> = after.iter().map(|l| (&l.key, l)).collect();
    let mut keys: Vec<&LineKey> = old.keys().chain(new.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (b, a) = (old.get(k), new.get(k));
        let (b_amount, a_amount) = (b.map(|l| l.amount), a.map(|l| l.amount));
        if b_amount == a_amount {
            continue;
        }
        let (o, n) = (
            b.and_then(|l| l.explanation.as_ref()),
            a.and_then(|l| l.explanation.as_ref()),
        );
        let why = match (o, n) {
            (None, Some(_)) => "新满足条件（或新增的数据 / 政策）".to_string(),
            (Some(_), None) => "不再满足条件（或数据 / 政策已删除）".to_string(),
            (Some(o), Some(n)) => why_changed(o, n),
            (None, None) => String::new(),
        };
        let enterprise = n.or(o).map(|e| e.enterprise.clone()).unwrap_or_default();
        let award = a.or(b).map(|l| l.award_name.clone()).unwrap_or_default();
        out.push(DiffRow {
            enterprise_id: k.0,
            enterprise,
            award,
            event_id: k.1,
            before: b_amount,
            after: a_amount,
            why,
        });
    }
    out
}

fn why_changed(o: &Explanation, n: &Explanation) -> String {
    let mut reasons = Vec::new();
    if o.version != n.version {
        reasons.push(format!(
            "规则版本 {} → {}",
            o.version.get(..12).unwrap_or(&o.version),
            n.version.get(..12).unwrap_or(&n.version)
        ));
    }
    let inputs = |e: &Explanation| -> BTreeMap<String, (String, String)> {
        e.condition_inputs
            .iter()
            .chain(e.formula_inputs.iter())
            .map(|i| (i.name.clone(), (i.label.clone(), i.value.clone())))
            .collect()
    };
    let (oi, ni) = (inputs(o), inputs(n));
    for (name, (label, value)) in &ni {
        if let Some((_, old)) = oi.get(name)
            && old != value
        {
            reasons.push(format!("{label}：{old} → {value}"));
        }
    }
    if o.formula != n.formula {
        reasons.push(format!("公式：{} → {}", o.formula, n.formula));
    }
    let caps = |e: &Explanation| {
        e.caps
            .iter()
            .map(|c| format!("{} {}", c.kind, c.limit))
            .collect::<Vec<_>>()
            .join("、")
    };
    if caps(o) != caps(n) {
        reasons.push(format!("封顶：{} → {}", or_none(&caps(o)), or_none(&caps(n))));
    }
    if reasons.is_empty() {
        reasons.push("同一对象的其他奖励变化影响了年度或累计上限".into());
    }
    reasons.join("；")
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "无" } else { s }
}

/// What the batch would hold if run now with these versions: its 免申即享 lines, less what
/// other approved batches of the year already pay.
pub async fn fresh_for_batch<C: ConnectionTrait>(
    conn: &C,
    b: &Batch,
    versions: &[Version],
) -> Result<Computed, AppError> {
    let (_, mut computed) = compute_with(conn, b.zone_id, b.year, versions).await?;
    let paid = paid_keys(conn, b.zone_id, b.year, Some(b.id)).await?;
    computed.lines.retain(|l| !paid.contains(&key_of_computed(l)));
    Ok(computed)
}

/// The versions a batch recorded, as stored rows.
pub async fn recorded_versions<C: ConnectionTrait>(conn: &C, b: &Batch) -> Result<Vec<Version>, AppError> {
    let used: Vec<UsedVersion> = serde_json::from_str(&b.policy_versions)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("batch {} versions: {e}", b.id)))?;
    let mut out = Vec::new();
    for u in used {
        out.push(version_by_id(conn, b.zone_id, u.version_id).await?);
    }
    Ok(out)
}

/// Award lines of approved batches, for the policy evaluation report: per policy and year,
/// recipients and amount.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyYear {
    pub policy: String,
    pub year: i32,
    pub recipients: usize,
    pub lines: usize,
    /// Fen.
    pub amount: i64,
}

pub async fn evaluation(db: &Db, scope: &Scope) -> Result<Vec<PolicyYear>, AppError> {
    let approved: HashMap<i64, i32> = scope
        .select::<batch::Entity>()
        .filter(batch::Column::Status.eq("approved"))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|b| (b.id, b.year))
        .collect();
    if approved.is_empty() {
        return Ok(Vec::new());
    }
    let mut map: BTreeMap<(String, i32), (HashSet<i64>, usize, i64)> = BTreeMap::new();
    let lines: Vec<(i64, i64, String, i64)> = scope
        .select::<line::Entity>()
        .filter(line::Column::BatchId.is_in(approved.keys().copied()))
        .filter(line::Column::Excluded.eq(false))
        .select_only()
        .column(line::Column::BatchId)
        .column(line::Column::EnterpriseId)
        .column(line::Column::PolicyId)
        .column(line::Column::Amount)
        .into_tuple()
        .all(db.conn())
        .await?;
    for (batch_id, enterprise_id, policy, amount) in lines {
        let e = map.entry((policy, approved[&batch_id])).or_default();
        e.0.insert(enterprise_id);
        e.1 += 1;
        e.2 += amount;
    }
    Ok(map
        .into_iter()
        .map(|((policy, year), (recipients, lines, amount))| PolicyYear {
            policy,
            year,
            recipients: recipients.len(),
            lines,
            amount,
        })
        .collect())
}

/// The award lines an enterprise received (approved batches only).
pub async fn awards_of_enterprise(db: &Db, scope: &Scope, enterprise_id: i64) -> Result<Vec<(Line, Batch)>, AppError> {
    if scope.own_enterprise().is_some_and(|own| own != enterprise_id) {
        return Err(AppError::NotFound);
    }
    let approved: HashMap<i64, Batch> = scope
        .select::<batch::Entity>()
        .filter(batch::Column::Status.eq("approved"))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let lines = scope
        .select::<line::Entity>()
        .filter(line::Column::EnterpriseId.eq(enterprise_id))
        .filter(line::Column::BatchId.is_in(approved.keys().copied()))
        .order_by_desc(line::Column::Id)
        .all(db.conn())
        .await?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let b = approved[&l.batch_id].clone();
            (l, b)
        })
        .collect())
}

/// Approved applications of the year that belong in this batch (not yet in another one).
pub async fn applications_for_batch<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    batch_id: i64,
) -> Result<Vec<crate::application_entity::Model>, AppError> {
    Ok(crate::application_entity::Entity::find()
        .filter(crate::application_entity::Column::ZoneId.eq(zone_id))
        .filter(crate::application_entity::Column::Year.eq(year))
        .filter(crate::application_entity::Column::Status.eq("approved"))
        .order_by_asc(crate::application_entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|a| a.batch_id.is_none_or(|b| b == batch_id))
        .collect())
}

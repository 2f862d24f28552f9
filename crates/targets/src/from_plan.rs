//! Enter once: the quantitative targets a year's work plan already carries (parsed from the
//! plan: `新增发明专利141件` → 141 件, with the task's lead department) become targets in one
//! step. The page lists them with a name to check; those ticked are created together, each
//! checked as the form checks it, or none.

use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::domain::TargetDraft;
use crate::entities::target;
use crate::store;
use gaoxin_plans::{
    plan_entity as plan, target_entity as task_target, task_department_entity as task_department, task_entity as task,
};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};

/// A plan's target that could become a zone target.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    /// The `task_target` id.
    pub id: i64,
    pub task_reference: String,
    pub task_text: String,
    /// The target as the plan wrote it, offered as the name.
    pub name: String,
    pub value: String,
    pub unit: String,
    pub department_id: Option<i64>,
    pub department_written: String,
    /// A target of this name already exists for the plan's year.
    pub exists: bool,
}

/// The zone's plans, latest year first.
pub async fn plans<C: ConnectionTrait>(conn: &C, scope: &Scope) -> AppResult<Vec<plan::Model>> {
    Ok(scope
        .select::<plan::Entity>()
        .order_by_desc(plan::Column::Year)
        .order_by_desc(plan::Column::Id)
        .all(conn)
        .await?)
}

/// The plan and the targets its tasks carry.
pub async fn candidates<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    plan_id: i64,
) -> AppResult<(plan::Model, Vec<Candidate>)> {
    let plan = scope
        .select::<plan::Entity>()
        .filter(plan::Column::Id.eq(plan_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let tasks = scope
        .select::<task::Entity>()
        .filter(task::Column::PlanId.eq(plan_id))
        .order_by_asc(task::Column::Seq)
        .all(conn)
        .await?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let targets = scope
        .select::<task_target::Entity>()
        .filter(task_target::Column::TaskId.is_in(ids.clone()))
        .order_by_asc(task_target::Column::Position)
        .all(conn)
        .await?;
    let leads = scope
        .select::<task_department::Entity>()
        .filter(task_department::Column::TaskId.is_in(ids))
        .filter(task_department::Column::Role.eq("lead"))
        .order_by_asc(task_department::Column::Position)
        .all(conn)
        .await?;
    let existing: Vec<String> = scope
        .select::<target::Entity>()
        .filter(target::Column::Period.eq(plan.year.to_string()))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut out = Vec::new();
    for t in &tasks {
        let lead = leads.iter().find(|d| d.task_id == t.id);
        for g in targets.iter().filter(|g| g.task_id == t.id) {
            let name: String = g.text.trim().chars().take(200).collect();
            out.push(Candidate {
                id: g.id,
                task_reference: t.reference.clone(),
                task_text: t.text.chars().take(80).collect(),
                exists: existing.contains(&name),
                name,
                value: g.value.clone(),
                unit: g.unit.clone(),
                department_id: lead.and_then(|d| d.department_id),
                department_written: lead.map(|d| d.written.clone()).unwrap_or_default(),
            });
        }
    }
    Ok((plan, out))
}

/// Creates a target for each chosen candidate (`(task_target id, name as checked)`), for the
/// plan's year, owned by the task's lead department. All or none: the first refusal names the
/// candidate.
pub async fn create(writer: &mut Writer, scope: &Scope, plan_id: i64, chosen: &[(i64, String)]) -> AppResult<usize> {
    if chosen.is_empty() {
        return Err(AppError::field("chosen", "请至少勾选一个指标"));
    }
    let (plan, candidates) = candidates(writer.read(), scope, plan_id).await?;
    for (id, name) in chosen {
        let c = candidates
            .iter()
            .find(|c| c.id == *id)
            .ok_or_else(|| AppError::field("chosen", "所选指标不属于该方案"))?;
        let spec = TargetDraft {
            name: name.clone(),
            unit: c.unit.clone(),
            period: plan.year.to_string(),
            value: c.value.clone(),
            note: format!("来自《{}》{} {}", plan.title, c.task_reference, c.task_text)
                .chars()
                .take(2000)
                .collect(),
            ..Default::default()
        }
        .check()
        .map_err(|errors| {
            let e = &errors[0];
            AppError::field(&e.field, format!("“{}”：{}", name.trim(), e.message))
        })?;
        store::create(writer, scope, spec, c.department_id, "plan").await?;
    }
    Ok(chosen.len())
}

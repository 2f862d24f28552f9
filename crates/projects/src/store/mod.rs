//! Project queries (always through the caller's `Scope`; an enterprise sees only its own
//! projects) and audited writes, one file for each thing written: the rulebook, projects and
//! their stage moves, monthly figures, problems and comments, admission reviews, meetings and
//! their decisions, targets. Here: reading the book, one project, what the caller may do on
//! it, and the checks the writes share.

mod meetings;
mod monthly;
mod problems;
mod projects;
mod reviews;
mod rulebook;
mod targets;

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::domain::{Book, Project};
use super::entities::{cooperation, monthly as monthly_row, problem, project, transition};
use gaoxin_core::roles::Role;
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};

pub use meetings::{Proposed, agenda, create_meeting, decisions_by_problem, meeting, meetings, record_decision};
pub use monthly::{MonthFigures, save_month, save_month_unchecked};
pub use problems::{NewProblem, add_comment, comments, problem, raise_problem, resolve_problem};
pub use projects::{Checked, Move, NewProject, area, check, create, money, move_stage, update};
pub use reviews::{record_review, reviews};
pub use rulebook::{RulebookFile, SHIPPED, load_rulebook, rulebook_in_use};
pub use targets::{save_target, targets};

/// Reads the zone's project book: every project the caller may see and what hangs on them.
pub async fn book(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Book> {
    let (rules, rules_loaded) = rulebook_in_use(conn, scope).await?;
    let mut projects = scope
        .select::<project::Entity>()
        .order_by_asc(project::Column::Code)
        .all(conn)
        .await?;
    let own = enterprise_only(scope);
    if let Some(e) = own {
        projects.retain(|p| p.enterprise_id == Some(e));
    }
    let visible = |id: i64| own.is_none() || projects.iter().any(|p| p.id == id);
    let departments = scope
        .select::<department::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let carriers = scope
        .select::<carrier::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut cooperation = scope
        .select::<cooperation::Entity>()
        .order_by_asc(cooperation::Column::Id)
        .all(conn)
        .await?;
    cooperation.retain(|c| visible(c.project_id));
    let mut transitions = scope
        .select::<transition::Entity>()
        .order_by_asc(transition::Column::OnDate)
        .order_by_asc(transition::Column::Id)
        .all(conn)
        .await?;
    transitions.retain(|t| visible(t.project_id));
    let mut problems = scope
        .select::<problem::Entity>()
        .order_by_asc(problem::Column::Id)
        .all(conn)
        .await?;
    problems.retain(|q| visible(q.project_id));
    let mut monthly = scope
        .select::<monthly_row::Entity>()
        .order_by_asc(monthly_row::Column::Month)
        .all(conn)
        .await?;
    monthly.retain(|m| visible(m.project_id));
    Ok(Book {
        rules,
        rules_loaded,
        projects,
        departments,
        carriers,
        cooperation,
        transitions,
        problems,
        monthly,
    })
}

fn enterprise_only(scope: &Scope) -> Option<i64> {
    (scope.role() == Role::Enterprise).then(|| scope.own_enterprise().unwrap_or(-1))
}

/// One project the caller may see.
pub async fn project(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Project> {
    let p = scope
        .select::<project::Entity>()
        .filter(project::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(e) = enterprise_only(scope)
        && p.enterprise_id != Some(e)
    {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// What the caller may do on one project.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    /// Move the stage, edit, enter monthly figures (the lead department's staff, admin).
    pub lead: bool,
    /// Raise a problem (anyone involved: admin, leaders, the project's departments, the investor).
    pub raise: bool,
    /// Comment (leaders, admin).
    pub comment: bool,
    /// Review admission, hold meetings (admin).
    pub admin: bool,
}

pub fn rights(scope: &Scope, p: &Project, cooperating: &[i64]) -> Rights {
    let role = scope.role();
    let own = scope.caller().department_id;
    let lead = role == Role::Admin || (role == Role::Staff && own.is_some() && p.lead_department_id == own);
    let involved = lead
        || matches!(role, Role::Leader)
        || (role == Role::Staff && own.is_some_and(|d| cooperating.contains(&d)))
        || (role == Role::Enterprise && p.enterprise_id.is_some() && scope.own_enterprise() == p.enterprise_id);
    Rights {
        lead,
        raise: involved,
        comment: matches!(role, Role::Leader | Role::Admin),
        admin: role == Role::Admin,
    }
}

async fn cooperating_ids(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    project_id: i64,
    problem_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    let mut q = scope
        .select::<cooperation::Entity>()
        .filter(cooperation::Column::ProjectId.eq(project_id));
    q = match problem_id {
        Some(id) => q.filter(cooperation::Column::ProblemId.eq(id)),
        None => q.filter(cooperation::Column::ProblemId.is_null()),
    };
    Ok(q.all(conn).await?.into_iter().map(|c| c.department_id).collect())
}

pub async fn rights_on(conn: &impl ConnectionTrait, scope: &Scope, p: &Project) -> AppResult<Rights> {
    Ok(rights(scope, p, &cooperating_ids(conn, scope, p.id, None).await?))
}

fn trimmed(text: &str, max: usize, field: &str, label: &str) -> AppResult<String> {
    let t = text.trim().to_string();
    if t.chars().count() > max {
        return Err(AppError::field(field, format!("{label}最多 {max} 个字")));
    }
    Ok(t)
}

/// The lead department and the cooperating ones (without the lead, each once), checked against
/// the zone's departments: a project and a problem name them alike.
async fn lead_and_cooperating(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    lead: Option<i64>,
    cooperating: &[i64],
) -> AppResult<(i64, Vec<i64>)> {
    let department_ids: Vec<i64> = scope
        .select::<department::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let Some(lead) = lead else {
        return Err(AppError::field("lead_department_id", "请选择牵头部门"));
    };
    if !department_ids.contains(&lead) {
        return Err(AppError::field("lead_department_id", "牵头部门不在本园区部门列表中"));
    }
    let mut out = Vec::new();
    for d in cooperating {
        if !department_ids.contains(d) {
            return Err(AppError::field(
                "cooperating_department_ids",
                "配合部门不在本园区部门列表中",
            ));
        }
        if *d != lead && !out.contains(d) {
            out.push(*d);
        }
    }
    Ok((lead, out))
}

async fn save_cooperation(writer: &mut Writer, project_id: i64, problem_id: Option<i64>, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    writer
        .insert_many_in_zone(
            ids.iter()
                .map(|d| cooperation::ActiveModel {
                    project_id: Set(project_id),
                    problem_id: Set(problem_id),
                    department_id: Set(*d),
                    ..Default::default()
                })
                .collect(),
        )
        .await?;
    Ok(())
}

/// Account display names by id (for "who" on timelines).
pub async fn account_names(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<HashMap<i64, String>> {
    Ok(gaoxin_platform::accounts::entity::account::Entity::find()
        .filter(gaoxin_platform::accounts::entity::account::Column::ZoneId.eq(scope.zone_id()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect())
}

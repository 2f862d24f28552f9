//! The monthly 督查通报: built from the ledger as it stood at the month's end, shown as a page
//! and written as .docx (also for the API and the command line).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::bulletin::{self, Bulletin, OrderFacts, TaskFacts};
use crate::domain::Colour;
use crate::status::DepartmentRole;
use crate::store::{self, Filter, TaskLine};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{PageCtx, Q, render};

/// `?month=2024-06` (default this month).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    pub month: Option<String>,
}

impl MonthQuery {
    pub fn year_month(&self, t: NaiveDate) -> AppResult<(i32, u32)> {
        match self.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => Ok((t.year(), t.month())),
            Some(m) => {
                let parsed = m
                    .split_once('-')
                    .and_then(|(y, mo)| Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?)));
                match parsed {
                    Some((y, mo)) if (2000..=2100).contains(&y) && (1..=12).contains(&mo) => Ok((y, mo)),
                    _ => Err(AppError::field("month", format!("月份“{m}”应写作 2024-06"))),
                }
            }
        }
    }
}

/// The month's bulletin from the ledger as it stood at the month's end.
pub async fn bulletin_of(db: &gaoxin_platform::db::Db, scope: &Scope, year: i32, month: u32) -> AppResult<Bulletin> {
    let t = scope.today();
    let as_of = bulletin::month_end(year, month)
        .ok_or_else(|| AppError::field("month", "月份无效"))?
        .min(t);
    let lines = store::ledger(db, scope, &Filter::default(), t).await?;
    let percent = store::percent_at(db, scope, as_of).await?;
    let names = store::department_names(db, scope).await?;
    let facts: Vec<TaskFacts> = lines
        .iter()
        .map(|l| TaskFacts {
            reference: l.task.reference.clone(),
            plan: l.plan_title.clone(),
            text: l.task.text.clone(),
            lead: store::counted_names(l, DepartmentRole::Lead, &names),
            start: l.task.start_date,
            due: l.task.due_date,
            percent: percent.get(&l.task.id).map(|p| p.0).unwrap_or(0),
            done_on: l.task.done_on,
            confirmed_on: l.task.confirmed_on,
        })
        .collect();
    let by_id: HashMap<i64, &TaskLine> = lines.iter().map(|l| (l.task.id, l)).collect();
    let orders: Vec<OrderFacts> = store::all_orders(db, scope)
        .await?
        .into_iter()
        .map(|o| OrderFacts {
            task: by_id.get(&o.task_id).map(|l| l.task.text.clone()).unwrap_or_default(),
            lead: by_id
                .get(&o.task_id)
                .map(|l| store::counted_names(l, DepartmentRole::Lead, &names))
                .unwrap_or_default(),
            issued_on: o.issued_on,
            deadline: o.deadline,
            closed_on: o.closed_on,
        })
        .collect();
    let thresholds = store::thresholds(db.conn(), scope).await?;
    bulletin::build(year, month, t, &facts, &orders, &thresholds).ok_or_else(|| AppError::field("month", "月份无效"))
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    ctx: PageCtx,
    b: Bulletin,
    month: String,
    counts: Vec<(&'static str, &'static str, usize)>,
}

pub(super) async fn bulletin_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<MonthQuery>,
) -> AppResult<Response> {
    let (y, m) = q.year_month(scope.today())?;
    let b = bulletin_of(&state.db, &scope, y, m).await?;
    Ok(render(&BulletinPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.bulletin", ""),
        counts: Colour::ALL
            .iter()
            .map(|c| (c.code(), c.short(), b.counts.get(c.code()).copied().unwrap_or(0)))
            .collect(),
        month: format!("{y}-{m:02}"),
        b,
    }))
}

#[utoipa::path(get, path = "/api/v1/plans/bulletin.docx", tag = "plans", params(MonthQuery), responses((status = 200, description = "督查通报 .docx")))]
pub async fn bulletin_docx(State(state): State<AppState>, scope: Scope, Q(q): Q<MonthQuery>) -> AppResult<Response> {
    let (y, m) = q.year_month(scope.today())?;
    let b = bulletin_of(&state.db, &scope, y, m).await?;
    let bytes = bulletin::to_docx(&b, &scope.zone().name).map_err(|e| AppError::Internal(e.into()))?;
    gaoxin_platform::web::file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "bulletin.docx",
        &format!("督查通报（{y}年{m}月）.docx"),
    )
}

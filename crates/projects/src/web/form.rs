//! Registering a project and editing its record: the form with the rulebook's stages and the
//! zone's departments, carriers and leaders; a refused form comes back with its message.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;

use super::{Fields, choices};
use crate::domain;
use crate::store::{self, NewProject};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, render};

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    ctx: PageCtx,
    action: String,
    p: NewProject,
    editing: bool,
    stages: Vec<(String, String)>,
    departments: Vec<(i64, String)>,
    carriers: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    error: String,
}

impl FormPage {
    fn is_id(&self, v: &Option<i64>, id: &i64) -> bool {
        *v == Some(*id)
    }
    fn is_coop(&self, id: &i64) -> bool {
        self.p.cooperating_department_ids.contains(id)
    }
    fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
}

fn project_from(f: &Fields) -> AppResult<NewProject> {
    Ok(NewProject {
        code: f.get("code"),
        name: f.get("name"),
        enterprise_id: f.id("enterprise_id"),
        investor: f.get("investor"),
        industry_code: f.get("industry_code"),
        total_investment: f.get("total_investment"),
        fixed_investment: f.get("fixed_investment"),
        source: f.get("source"),
        officer: f.get("officer"),
        leader: f.get("leader"),
        leader_account_id: f.id("leader_account_id"),
        lead_department_id: f.id("lead_department_id"),
        cooperating_department_ids: f.ids("cooperating"),
        carrier_id: f.id("carrier_id"),
        location: f.get("location"),
        parcel_id: f.id("parcel_id"),
        contract_id: f.id("contract_id"),
        land_area: f.get("land_area"),
        stage: f.get("stage"),
        stage_since: f.date("stage_since", "进入阶段日期")?,
        planned_start: f.date("planned_start", "计划开工日期")?,
        planned_production: f.date("planned_production", "计划投产日期")?,
        planned_investment: f.get("planned_investment"),
        planned_output: f.get("planned_output"),
        planned_tax: f.get("planned_tax"),
        note: f.get("note"),
    })
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    action: String,
    p: NewProject,
    editing: bool,
    error: String,
) -> AppResult<Response> {
    let (rules, _) = store::rulebook_in_use(state.db.conn(), scope).await?;
    let c = choices(state, scope).await?;
    Ok(render(&FormPage {
        ctx: ctx
            .crumb("nav.projects", "/projects")
            .crumb(if editing { "projects.edit" } else { "projects.new" }, ""),
        action,
        p,
        editing,
        stages: rules.stages.iter().map(|s| (s.key.clone(), s.name.clone())).collect(),
        departments: c.departments,
        carriers: c.carriers,
        leaders: c.leaders,
        error,
    }))
}

pub(super) async fn new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let p = NewProject {
        lead_department_id: scope.caller().department_id,
        ..Default::default()
    };
    form_page(&state, &scope, ctx, "/projects".into(), p, false, String::new()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(form);
    let new = project_from(&f)?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let p = store::create(&mut writer, &scope, &new, scope.today()).await?;
        writer.commit().await?;
        Ok(p)
    }
    .await;
    match result {
        Ok(p) => finish(
            &state,
            &headers,
            "/projects",
            Ok((
                format!("/projects/{}", p.id),
                format!("已登记项目 {} {}", p.code, p.name),
            )),
        ),
        Err(AppError::Validation { message, .. }) => {
            form_page(&state, &scope, ctx, "/projects".into(), new, false, message).await
        }
        Err(e) => Err(e),
    }
}

fn as_new(p: &domain::Project, cooperating: Vec<i64>) -> NewProject {
    NewProject {
        code: p.code.clone(),
        name: p.name.clone(),
        enterprise_id: p.enterprise_id,
        investor: p.investor.clone(),
        industry_code: p.industry_code.clone().unwrap_or_default(),
        total_investment: domain::wan(p.total_investment),
        fixed_investment: domain::wan_opt(p.fixed_investment),
        source: p.source.clone(),
        officer: p.officer.clone(),
        leader: p.leader.clone(),
        leader_account_id: p.leader_account_id,
        lead_department_id: p.lead_department_id,
        cooperating_department_ids: cooperating,
        carrier_id: p.carrier_id,
        location: p.location.clone(),
        parcel_id: p.parcel_id,
        contract_id: p.contract_id,
        land_area: p
            .land_area
            .map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
            .unwrap_or_default(),
        stage: p.stage.clone(),
        stage_since: Some(p.stage_since),
        planned_start: p.planned_start,
        planned_production: p.planned_production,
        planned_investment: domain::wan_opt(p.planned_investment),
        planned_output: domain::wan_opt(p.planned_output),
        planned_tax: domain::wan_opt(p.planned_tax),
        note: p.note.clone().unwrap_or_default(),
    }
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    let line = book.line(p, scope.today());
    if !store::rights(&scope, p, &line.cooperating_ids).lead {
        return Err(AppError::Forbidden);
    }
    form_page(
        &state,
        &scope,
        ctx,
        format!("/projects/{id}/edit"),
        as_new(p, line.cooperating_ids.clone()),
        true,
        String::new(),
    )
    .await
}

pub(super) async fn edit_save(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let new = project_from(&Fields(form))?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let before = store::project(writer.read(), &scope, id).await?;
        if !store::rights_on(writer.read(), &scope, &before).await?.lead {
            return Err(AppError::Forbidden);
        }
        store::update(&mut writer, &scope, &before, &new, scope.today()).await?;
        writer.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => finish(
            &state,
            &headers,
            "/projects",
            Ok((format!("/projects/{id}"), "已保存".into())),
        ),
        Err(AppError::Validation { message, .. }) => {
            form_page(&state, &scope, ctx, format!("/projects/{id}/edit"), new, true, message).await
        }
        Err(e) => Err(e),
    }
}

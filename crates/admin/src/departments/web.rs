//! Department pages (list, search, export, create, edit, delete) and the departments API.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, Role, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::domain::{self, DepartmentDraft};
use gaoxin_platform::departments::duties::{self, Duty};
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::departments::store;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{
    ApiJson, Cell, FormErrors, Id, PageCtx, Pager, Q, SearchParams, WebForm, finish, render, render_with_status,
    xlsx_download,
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/departments", Access::Roles(ZONE_READERS), list_page)
        .get("/departments/export", Access::Roles(ZONE_READERS), export)
        .get("/departments/new", Access::Roles(ADMINS), new_page)
        .post("/departments", Access::Roles(ADMINS), create_form)
        .get("/departments/{id}/edit", Access::Roles(DEPARTMENT_EDITORS), edit_page)
        .post("/departments/{id}", Access::Roles(DEPARTMENT_EDITORS), update_form)
        .post("/departments/{id}/delete", Access::Roles(ADMINS), delete_form)
        .get("/api/v1/departments", Access::Roles(ZONE_READERS), list_departments)
        .post("/api/v1/departments", Access::Roles(ADMINS), create_department)
        .get("/api/v1/departments/{id}", Access::Roles(ZONE_READERS), get_department)
        .put(
            "/api/v1/departments/{id}",
            Access::Roles(DEPARTMENT_EDITORS),
            update_department,
        )
        .delete("/api/v1/departments/{id}", Access::Roles(ADMINS), delete_department)
        .post("/departments/duties", Access::Roles(ADMINS), duties_form)
        .get("/api/v1/department-duties", Access::Roles(ZONE_READERS), list_duties)
        .put("/api/v1/department-duties", Access::Roles(ADMINS), set_duties)
}

/// Admins edit every department; staff only their own.
fn may_edit(scope: &Scope, department_id: i64) -> bool {
    match scope.role() {
        Role::Admin => true,
        Role::Staff => scope.caller().department_id == Some(department_id),
        _ => false,
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "departments/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Department>,
    q: String,
    pager: Pager,
    can_create: bool,
    editable: Vec<i64>,
    /// The division of work: each duty, its label and the department holding it.
    duties: Vec<(String, String, Option<Department>)>,
    departments: Vec<Department>,
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(query): Q<SearchParams>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let page = query.paging();
    let (rows, total) = store::list(&state.db, &scope, query.text(), &page).await?;
    let editable = rows.iter().map(|d| d.id).filter(|id| may_edit(&scope, *id)).collect();
    let duties = duties::all(state.db.conn(), &scope)
        .await?
        .into_iter()
        .map(|(duty, held)| (duty.code().to_string(), duty.label().to_string(), held))
        .collect();
    Ok(render(&ListPage {
        duties,
        departments: store::all(&state.db, &scope, None).await?,
        ctx: ctx.crumb("nav.system", "").crumb("nav.departments", ""),
        rows,
        q: query.q.unwrap_or_default(),
        pager: Pager::new(&page, total, "/departments", raw.as_deref()),
        can_create: scope.role() == Role::Admin,
        editable,
    }))
}

async fn export(State(state): State<AppState>, scope: Scope, Q(query): Q<SearchParams>) -> AppResult<Response> {
    let rows = store::all(&state.db, &scope, query.text()).await?;
    let cells = rows
        .into_iter()
        .map(|d| {
            vec![
                Cell::Text(d.name),
                Cell::Text(d.short_name.unwrap_or_default()),
                Cell::Text(d.contact_person.unwrap_or_default()),
                Cell::Text(d.phone.unwrap_or_default()),
                Cell::Int(d.sort_order.into()),
                Cell::Time(d.updated_at),
            ]
        })
        .collect();
    xlsx_download(
        &format!("部门-{}.xlsx", scope.zone().name),
        "部门",
        &["部门名称", "简称", "联系人", "联系电话", "排序", "更新时间"],
        cells,
    )
}

#[derive(Debug, Default, Deserialize)]
struct DepartmentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    contact_person: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    sort_order: String,
}

impl DepartmentForm {
    fn draft(&self) -> Result<DepartmentDraft, AppError> {
        let sort_order = match self.sort_order.trim() {
            "" => None,
            s => Some(s.parse().map_err(|_| AppError::field("sort_order", "排序须为整数"))?),
        };
        Ok(DepartmentDraft {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
            sort_order,
        })
    }

    fn from_model(d: &Department) -> DepartmentForm {
        DepartmentForm {
            name: d.name.clone(),
            short_name: d.short_name.clone().unwrap_or_default(),
            contact_person: d.contact_person.clone().unwrap_or_default(),
            phone: d.phone.clone().unwrap_or_default(),
            sort_order: d.sort_order.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "departments/form.html")]
struct FormPage {
    ctx: PageCtx,
    action: String,
    form: DepartmentForm,
    errors: FormErrors,
    editing: bool,
    can_delete: bool,
}

async fn new_page(ctx: PageCtx) -> Response {
    render(&FormPage {
        ctx: ctx.crumb("nav.departments", "/departments").crumb("action.create", ""),
        action: "/departments".into(),
        form: DepartmentForm::default(),
        errors: FormErrors::default(),
        editing: false,
        can_delete: false,
    })
}

fn form_failed(
    ctx: PageCtx,
    action: String,
    form: DepartmentForm,
    err: AppError,
    editing: bool,
    can_delete: bool,
) -> AppResult<Response> {
    let Some(errors) = FormErrors::from_error(&err) else {
        return Err(err);
    };
    Ok(render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage {
            ctx,
            action,
            form,
            errors,
            editing,
            can_delete,
        },
    ))
}

async fn create_form(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(form): WebForm<DepartmentForm>,
) -> AppResult<Response> {
    let result = async {
        let input = domain::validate(&form.draft()?)?;
        let mut writer = scope.writer(&state).await?;
        let created = store::create(&mut writer, scope.zone_id(), input).await?;
        writer.commit().await?;
        Ok::<_, AppError>(created)
    }
    .await;
    match result {
        Ok(d) => finish(
            &state,
            &headers,
            "/departments",
            Ok(("/departments".to_string(), format!("已新增部门：{}", d.name))),
        ),
        Err(err) => form_failed(
            ctx.crumb("nav.departments", "/departments").crumb("action.create", ""),
            "/departments".into(),
            form,
            err,
            false,
            false,
        ),
    }
}

async fn edit_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let department = store::get(&state.db, &scope, id).await?;
    if !may_edit(&scope, id) {
        return Err(AppError::Forbidden);
    }
    Ok(render(&FormPage {
        ctx: ctx
            .crumb("nav.departments", "/departments")
            .crumb_text(department.name.clone(), ""),
        action: format!("/departments/{id}"),
        form: DepartmentForm::from_model(&department),
        errors: FormErrors::default(),
        editing: true,
        can_delete: scope.role() == Role::Admin,
    }))
}

async fn update_form(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<DepartmentForm>,
) -> AppResult<Response> {
    let before = store::get(&state.db, &scope, id).await?;
    if !may_edit(&scope, id) {
        return Err(AppError::Forbidden);
    }
    let result = async {
        let input = domain::validate(&form.draft()?)?;
        let mut writer = scope.writer(&state).await?;
        let after = store::update(&mut writer, &before, input).await?;
        writer.commit().await?;
        Ok::<_, AppError>(after)
    }
    .await;
    match result {
        Ok(d) => finish(
            &state,
            &headers,
            "/departments",
            Ok(("/departments".to_string(), format!("已保存部门：{}", d.name))),
        ),
        Err(err) => form_failed(
            ctx.crumb("nav.departments", "/departments")
                .crumb_text(before.name.clone(), ""),
            format!("/departments/{id}"),
            form,
            err,
            true,
            scope.role() == Role::Admin,
        ),
    }
}

async fn delete_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let department = store::get(&state.db, &scope, id).await?;
    let name = department.name.clone();
    let mut writer = scope.writer(&state).await?;
    let result = async {
        store::delete(&mut writer, department).await?;
        writer.commit().await?;
        Ok(("/departments".to_string(), format!("已删除部门：{name}")))
    }
    .await;
    finish(&state, &headers, "/departments", result)
}

// ---------------------------------------------------------------- API

/// A department as the API returns it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentOut {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub sort_order: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Department> for DepartmentOut {
    fn from(d: Department) -> DepartmentOut {
        DepartmentOut {
            id: d.id,
            name: d.name,
            short_name: d.short_name,
            contact_person: d.contact_person,
            phone: d.phone,
            sort_order: d.sort_order,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A department as the API accepts it (create and full update).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentIn {
    /// 部门名称, 1–100 characters, unique in the zone.
    pub name: String,
    pub short_name: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    /// 0–9999, default 0.
    pub sort_order: Option<i32>,
}

impl DepartmentIn {
    fn draft(&self) -> DepartmentDraft {
        DepartmentDraft {
            name: self.name.clone(),
            short_name: self.short_name.clone().unwrap_or_default(),
            contact_person: self.contact_person.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            sort_order: self.sort_order,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentList {
    pub items: Vec<DepartmentOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The caller's zone's departments, searchable and paginated.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments", params(SearchParams),
    responses((status = 200, body = DepartmentList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_departments(
    State(state): State<AppState>,
    scope: Scope,
    Q(query): Q<SearchParams>,
) -> AppResult<Json<DepartmentList>> {
    let page = query.paging();
    let (rows, total) = store::list(&state.db, &scope, query.text(), &page).await?;
    Ok(Json(DepartmentList {
        items: rows.into_iter().map(DepartmentOut::from).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    }))
}

/// Creates a department (admin).
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = DepartmentIn,
    responses((status = 201, body = DepartmentOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(body): ApiJson<DepartmentIn>,
) -> AppResult<Response> {
    let input = domain::validate(&body.draft())?;
    let mut writer = scope.writer(&state).await?;
    let created = store::create(&mut writer, scope.zone_id(), input).await?;
    writer.commit().await?;
    Ok((StatusCode::CREATED, Json(DepartmentOut::from(created))).into_response())
}

/// One department of the caller's zone.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentOut), (status = 404, body = ErrorBody)))]
pub async fn get_department(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<DepartmentOut>> {
    Ok(Json(store::get(&state.db, &scope, id).await?.into()))
}

/// Replaces a department's data (admin, or staff of that department).
#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i64, Path)), request_body = DepartmentIn,
    responses((status = 200, body = DepartmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_department(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    ApiJson(body): ApiJson<DepartmentIn>,
) -> AppResult<Json<DepartmentOut>> {
    let before = store::get(&state.db, &scope, id).await?;
    if !may_edit(&scope, id) {
        return Err(AppError::Forbidden);
    }
    let input = domain::validate(&body.draft())?;
    let mut writer = scope.writer(&state).await?;
    let after = store::update(&mut writer, &before, input).await?;
    writer.commit().await?;
    Ok(Json(after.into()))
}

/// Deletes a department that no user belongs to (admin).
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_department(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<StatusCode> {
    let department = store::get(&state.db, &scope, id).await?;
    let mut writer = scope.writer(&state).await?;
    store::delete(&mut writer, department).await?;
    writer.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- the division of work

/// Reads `{duty code: department id or ""}` into assignments; an unknown code or id is refused.
fn duty_choices(values: &std::collections::HashMap<String, String>) -> AppResult<Vec<(Duty, Option<i64>)>> {
    Duty::ALL
        .iter()
        .filter_map(|duty| values.get(duty.code()).map(|v| (*duty, v.trim())))
        .map(|(duty, v)| match v {
            "" => Ok((duty, None)),
            v => v
                .parse()
                .map(|id| (duty, Some(id)))
                .map_err(|_| AppError::field(duty.code(), format!("“{}”的负责部门无效", duty.label()))),
        })
        .collect()
}

async fn assign_all(state: &AppState, scope: &Scope, choices: Vec<(Duty, Option<i64>)>) -> AppResult<()> {
    let mut writer = scope.writer(state).await?;
    for (duty, department_id) in choices {
        duties::assign(&mut writer, scope.zone_id(), duty, department_id).await?;
    }
    writer.commit().await?;
    Ok(())
}

async fn duties_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(values): WebForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let result = async {
        assign_all(&state, &scope, duty_choices(&values)?).await?;
        Ok(("/departments".to_string(), "已保存职责分工".to_string()))
    }
    .await;
    finish(&state, &headers, "/departments", result)
}

/// One duty and the department holding it (none: only the admin acts on it).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DutyOut {
    /// registry, ladder, land, parcels or policies.
    pub duty: String,
    pub label: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
}

async fn duties_out(state: &AppState, scope: &Scope) -> AppResult<Vec<DutyOut>> {
    Ok(duties::all(state.db.conn(), scope)
        .await?
        .into_iter()
        .map(|(duty, held)| DutyOut {
            duty: duty.code().to_string(),
            label: duty.label().to_string(),
            department_id: held.as_ref().map(|d| d.id),
            department_name: held.map(|d| d.name),
        })
        .collect())
}

/// The zone's division of work: which department holds the registry, the ladder, 亩均, parcels
/// and policies. Staff of that department act on the area's shared objects.
#[utoipa::path(get, path = "/api/v1/department-duties", tag = "departments",
    responses((status = 200, body = Vec<DutyOut>)))]
pub async fn list_duties(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<DutyOut>>> {
    Ok(Json(duties_out(&state, &scope).await?))
}

/// Sets the division of work (admin): `{"registry": 3, "land": null, …}`; duties left out stay.
#[utoipa::path(put, path = "/api/v1/department-duties", tag = "departments",
    request_body = std::collections::HashMap<String, Option<i64>>,
    responses((status = 200, body = Vec<DutyOut>), (status = 422, body = ErrorBody)))]
pub async fn set_duties(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(body): ApiJson<std::collections::HashMap<String, Option<i64>>>,
) -> AppResult<Json<Vec<DutyOut>>> {
    let mut choices = Vec::new();
    for (code, department_id) in body {
        let duty = Duty::of(&code).ok_or_else(|| {
            AppError::field(
                &code,
                format!("未知的职责“{code}”：可选 registry、ladder、land、parcels、policies"),
            )
        })?;
        choices.push((duty, department_id));
    }
    assign_all(&state, &scope, choices).await?;
    Ok(Json(duties_out(&state, &scope).await?))
}

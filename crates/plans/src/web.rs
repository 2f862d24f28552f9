//! Pages and API of the task ledger: upload a plan (paste text, .txt or .docx) → check the
//! parsed tasks and map unknown department names → save; the ledger with colours and filters
//! and its Excel export; a task's page (progress reports with actuals and evidence, a
//! cooperating department's part, leaders' comments, completion and its confirmation, 督办);
//! the supervision orders; the monthly 督查通报 (.docx); the zone's thresholds.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::bulletin::{self, Bulletin, OrderFacts, TaskFacts};
use super::domain::{self, Colour};
use super::plan_entity::Model as Plan;
use super::store::{self, Filter, NewDepartment, NewReport, NewTarget, NewTask, ReportLine, Rights, TaskLine};
use super::supervision_entity::Model as Order;
use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, Role, RoleSet, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::uploads::read_form;
use gaoxin_platform::uploads::{self, Upload};
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, render, xlsx_download};
use gaoxin_platform::web::{finish, parse_date};
use gaoxin_rules::plan_parser::{self as parse, ParsedPlan};

/// Who writes on tasks at all (what each may do is decided per task: its lead department, a
/// cooperating department, a leader's comment).
const TASK_WRITERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader, Role::Staff]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/plans", Access::Roles(ZONE_READERS), ledger_page)
        .get("/plans/ledger.xlsx", Access::Roles(ZONE_READERS), ledger_export)
        .get("/plans/upload", Access::Roles(DEPARTMENT_EDITORS), upload_page)
        .upload("/plans/upload", Access::Roles(DEPARTMENT_EDITORS), upload_parse)
        .get("/plans/upload/{token}", Access::Roles(DEPARTMENT_EDITORS), preview_page)
        .post(
            "/plans/upload/{token}/commit",
            Access::Roles(DEPARTMENT_EDITORS),
            upload_commit,
        )
        .get("/plans/import", Access::Roles(ADMINS), import_page)
        .upload("/plans/import", Access::Roles(ADMINS), import_ledger)
        .get("/plans/tasks/new", Access::Roles(DEPARTMENT_EDITORS), task_new_page)
        .post("/plans/tasks", Access::Roles(DEPARTMENT_EDITORS), task_create)
        .get("/plans/tasks/{id}", Access::Roles(ZONE_READERS), task_page)
        .upload("/plans/tasks/{id}/reports", Access::Roles(TASK_WRITERS), report_create)
        .post("/plans/tasks/{id}/edit", Access::Roles(DEPARTMENT_EDITORS), task_edit)
        .post("/plans/tasks/{id}/confirm", Access::Roles(ADMINS), task_confirm)
        .post("/plans/tasks/{id}/orders", Access::Roles(ADMINS), order_issue)
        .post("/plans/orders/{id}/close", Access::Roles(ADMINS), order_close)
        .get("/plans/orders", Access::Roles(ZONE_READERS), orders_page)
        .get(
            "/plans/attachments/{id}",
            Access::Roles(ZONE_READERS),
            attachment_download,
        )
        .get("/plans/bulletin", Access::Roles(ZONE_READERS), bulletin_page)
        .get("/plans/bulletin.docx", Access::Roles(ZONE_READERS), bulletin_docx)
        .post("/plans/settings", Access::Roles(ADMINS), settings_save)
        .post("/api/v1/plans/parse", Access::Roles(DEPARTMENT_EDITORS), api_parse)
        .get("/api/v1/plans", Access::Roles(ZONE_READERS), api_plans)
        .post("/api/v1/plans", Access::Roles(DEPARTMENT_EDITORS), api_plan_create)
        .get("/api/v1/plan-tasks", Access::Roles(ZONE_READERS), api_tasks)
        .get("/api/v1/plan-tasks/{id}", Access::Roles(ZONE_READERS), api_task)
        .post(
            "/api/v1/plan-tasks/{id}/reports",
            Access::Roles(TASK_WRITERS),
            api_report,
        )
        .post("/api/v1/plan-tasks/{id}/confirm", Access::Roles(ADMINS), api_confirm)
        .post("/api/v1/plan-tasks/{id}/supervision", Access::Roles(ADMINS), api_order)
        .post("/api/v1/supervision/{id}/close", Access::Roles(ADMINS), api_order_close)
        .get("/api/v1/plans/bulletin", Access::Roles(ZONE_READERS), api_bulletin)
        .get(
            "/api/v1/plans/bulletin.docx",
            Access::Roles(ZONE_READERS),
            bulletin_docx,
        )
}

fn colour_choices() -> Vec<(&'static str, &'static str)> {
    Colour::ALL.iter().map(|c| (c.code(), c.name())).collect()
}

fn opt_id(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.trim().parse().ok())
}

/// What narrows the ledger (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct LedgerQuery {
    /// A plan's id.
    pub plan_id: Option<String>,
    /// A department's id (lead or cooperating).
    pub department_id: Option<String>,
    /// `red`, `yellow`, `blue`, `normal`, `green`.
    pub colour: Option<String>,
    /// Words in the task's text.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl LedgerQuery {
    fn filter(&self) -> Filter {
        Filter {
            plan_id: opt_id(&self.plan_id),
            department_id: opt_id(&self.department_id),
            colour: self.colour.as_deref().and_then(Colour::parse),
            q: self.q.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    ctx: PageCtx,
    rows: Vec<TaskLine>,
    pager: Pager,
    counts: Vec<(&'static str, &'static str, usize)>,
    plans: Vec<Plan>,
    departments: Vec<Department>,
    colours: Vec<(&'static str, &'static str)>,
    plan_id: String,
    department_id: String,
    colour: String,
    q: String,
    export_query: String,
    can_upload: bool,
    is_admin: bool,
    thresholds: domain::Thresholds,
    month: String,
}

async fn ledger_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<LedgerQuery>,
) -> AppResult<Response> {
    let mut filter = q.filter();
    let colour = filter.colour.take();
    let all = store::ledger(&state.db, &scope, &filter, scope.today()).await?;
    let counts = Colour::ALL
        .iter()
        .map(|c| {
            (
                c.code(),
                c.short(),
                all.iter().filter(|l| l.status.colour == *c).count(),
            )
        })
        .collect();
    let mut rows: Vec<TaskLine> = all
        .into_iter()
        .filter(|l| colour.is_none_or(|c| l.status.colour == c))
        .collect();
    let params = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let total = rows.len() as u64;
    let rows: Vec<TaskLine> = rows
        .drain(..)
        .skip(params.offset() as usize)
        .take(params.per_page() as usize)
        .collect();
    let t = scope.today();
    Ok(render(&LedgerPage {
        ctx: ctx.crumb("nav.tasks", ""),
        rows,
        pager: Pager::new(&params, total, "/plans", raw.as_deref()),
        counts,
        plans: store::plans(&state.db, &scope).await?,
        departments: store::departments(&state.db, &scope).await?,
        colours: colour_choices(),
        plan_id: q.plan_id.clone().unwrap_or_default(),
        department_id: q.department_id.clone().unwrap_or_default(),
        colour: q.colour.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        export_query: raw.unwrap_or_default(),
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        is_admin: scope.role() == Role::Admin,
        thresholds: store::thresholds(state.db.conn(), &scope).await?,
        month: format!("{}-{:02}", t.year(), t.month()),
    }))
}

/// The ledger's Excel headers (import and export).
pub const LEDGER_HEADERS: [&str; 12] = [
    "序号",
    "任务编号",
    "所属方案",
    "工作任务",
    "牵头部门",
    "配合部门",
    "完成时限",
    "目标",
    "进展情况",
    "完成比例",
    "状态",
    "状态说明",
];

async fn ledger_export(State(state): State<AppState>, scope: Scope, Q(q): Q<LedgerQuery>) -> AppResult<Response> {
    let rows = store::ledger(&state.db, &scope, &q.filter(), scope.today()).await?;
    let latest = store::latest_notes(&state.db, &scope).await?;
    xlsx_download(
        "重点工作任务台账.xlsx",
        "任务台账",
        &LEDGER_HEADERS,
        rows.into_iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    XCell::Int(i as i64 + 1),
                    XCell::Text(l.task.reference.clone()),
                    XCell::Text(l.plan_title.clone()),
                    XCell::Text(l.task.text.clone()),
                    XCell::Text(l.lead_names()),
                    XCell::Text(l.cooperating_names()),
                    XCell::Text(deadline_shown(&l)),
                    XCell::Text(l.targets_text()),
                    XCell::Text(latest.get(&l.task.id).cloned().unwrap_or_default()),
                    XCell::Text(format!("{}%", l.task.percent)),
                    XCell::Text(l.status.colour.short().to_string()),
                    XCell::Text(l.status.reason.clone()),
                ]
            })
            .collect(),
    )
}

fn deadline_shown(l: &TaskLine) -> String {
    match (&l.task.deadline_text, l.task.due_date) {
        (Some(t), Some(d)) if t != &d.to_string() => format!("{t}（{d}）"),
        (Some(t), _) => t.clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => String::new(),
    }
}

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    ctx: PageCtx,
    error: String,
}

async fn upload_page(ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&UploadPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.upload", ""),
        error: String::new(),
    }))
}

/// Keeps the uploaded or pasted plan and shows what it parses to.
async fn upload_parse(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    let (fields, files) = read_form(multipart, "file").await?;
    let (name, bytes) = match files.into_iter().next() {
        Some(f) => f,
        None => match fields.get("text").map(|t| t.trim()).filter(|t| !t.is_empty()) {
            Some(text) => ("粘贴的文字.txt".to_string(), text.as_bytes().to_vec()),
            None => {
                return Ok(render(&UploadPage {
                    ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.upload", ""),
                    error: "请上传 .txt 或 .docx 文件，或粘贴方案全文".into(),
                }));
            }
        },
    };
    if let Err(e) = parse::parse_bytes(&bytes) {
        return Ok(render(&UploadPage {
            ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.upload", ""),
            error: format!("{name}：{e}"),
        }));
    }
    let token = uploads::save(
        &Upload {
            file_name: name,
            kind: "plan".into(),
            zone_id: scope.zone_id(),
            account_id: scope.caller().account_id,
            update_existing: false,
        },
        &bytes,
    )?;
    let next = format!("/plans/upload/{token}");
    finish(
        &state,
        &headers,
        "/plans/upload",
        Ok((next, "已读取方案，请核对解析结果后保存".into())),
    )
}

/// A parsed task as the preview shows it.
struct PreviewTask {
    task: parse::ParsedTask,
    lead: Vec<(String, Option<String>)>,
    cooperating: Vec<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    token: String,
    file_name: String,
    plan: ParsedPlan,
    tasks: Vec<PreviewTask>,
    unknown: Vec<String>,
    departments: Vec<Department>,
    year: i32,
}

fn load_plan(scope: &Scope, token: &str) -> AppResult<(String, ParsedPlan)> {
    let (meta, bytes) = uploads::load(token, scope.caller().account_id, scope.zone_id())?;
    if meta.kind != "plan" {
        return Err(AppError::NotFound);
    }
    let plan = parse::parse_bytes(&bytes).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((meta.file_name, plan))
}

async fn preview_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> AppResult<Response> {
    let (file_name, plan) = load_plan(&scope, &token)?;
    let departments = store::departments(&state.db, &scope).await?;
    let name_of = |written: &str| {
        store::match_written(written, &departments)
            .and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| d.name.clone())
    };
    let mut unknown = BTreeSet::new();
    let tasks = plan
        .tasks
        .iter()
        .map(|t| {
            let link = |names: &[String]| -> Vec<(String, Option<String>)> {
                names.iter().map(|n| (n.clone(), name_of(n))).collect()
            };
            let p = PreviewTask {
                lead: link(&t.lead),
                cooperating: link(&t.cooperating),
                task: t.clone(),
            };
            for (n, linked) in p.lead.iter().chain(p.cooperating.iter()) {
                if linked.is_none() {
                    unknown.insert(n.clone());
                }
            }
            p
        })
        .collect();
    Ok(render(&PreviewPage {
        ctx: ctx
            .crumb("nav.tasks", "/plans")
            .crumb("plans.upload", "/plans/upload")
            .crumb("plans.preview", ""),
        year: plan.year.unwrap_or_else(|| scope.today().year()),
        token,
        file_name,
        tasks,
        unknown: unknown.into_iter().collect(),
        departments,
        plan,
    }))
}

/// Turns a parse into tasks to save, with department links chosen on the preview.
fn new_tasks(plan: &ParsedPlan, links: &HashMap<String, Option<i64>>) -> Vec<NewTask> {
    plan.tasks
        .iter()
        .map(|t| {
            let mut departments = Vec::new();
            for (role, names) in [("lead", &t.lead), ("cooperating", &t.cooperating)] {
                for n in names {
                    departments.push(NewDepartment {
                        role: role.into(),
                        written: n.clone(),
                        department_id: links.get(n).copied().flatten(),
                    });
                }
            }
            NewTask {
                reference: t.reference.clone(),
                section: t.section.join(" / "),
                text: t.text.clone(),
                deadline: t.deadline.clone(),
                due_date: t.due_date,
                start_date: None,
                departments,
                targets: t
                    .targets
                    .iter()
                    .map(|g| NewTarget {
                        text: g.text.clone(),
                        value: g.value.normalize().to_string(),
                        unit: g.unit.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Saves the previewed plan: unknown department names are mapped to an existing department,
/// created as new departments, or kept as written without a link.
async fn upload_commit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    axum::extract::Path(token): axum::extract::Path<String>,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let back = format!("/plans/upload/{token}");
    let result = async {
        let (file_name, plan) = load_plan(&scope, &token)?;
        let field = |k: &str| {
            form.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let year: i32 = field("year")
            .parse()
            .map_err(|_| AppError::field("year", "年度应为四位数字，如 2024"))?;
        let mut writer = scope.writer(&state).await?;
        let mut links: HashMap<String, Option<i64>> = HashMap::new();
        let mut created = Vec::new();
        for (k, v) in &form {
            let Some(written) = k.strip_prefix("map:") else {
                continue;
            };
            let link = match v.as_str() {
                "" | "keep" => None,
                "new" => {
                    let d = gaoxin_platform::departments::store::create(
                        &mut writer,
                        scope.zone_id(),
                        gaoxin_platform::departments::domain::DepartmentInput {
                            name: gaoxin_platform::departments::domain::normalise(written),
                            short_name: None,
                            contact_person: None,
                            phone: None,
                            sort_order: 100,
                        },
                    )
                    .await?;
                    created.push(d.name.clone());
                    Some(d.id)
                }
                id => Some(
                    id.parse::<i64>()
                        .map_err(|_| AppError::field("map", format!("“{written}”的对应部门无效")))?,
                ),
            };
            links.insert(written.to_string(), link);
        }
        let tasks = new_tasks(&plan, &links);
        let count = tasks.len();
        let saved = store::create_plan(
            &mut writer,
            &scope,
            &field("title"),
            year,
            Some(field("document_number")),
            Some(file_name),
            tasks,
        )
        .await?;
        writer.commit().await?;
        uploads::remove(&token);
        let mut message = format!("已保存《{}》，共 {count} 项任务", saved.title);
        if !created.is_empty() {
            message.push_str(&format!("；新建部门：{}", created.join("、")));
        }
        Ok((format!("/plans?plan_id={}", saved.id), message))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    errors: Vec<gaoxin_platform::spreadsheet::ImportError>,
    title: String,
    year: i32,
    hints: Vec<(&'static str, &'static str)>,
}

fn import_page_of(
    ctx: PageCtx,
    errors: Vec<gaoxin_platform::spreadsheet::ImportError>,
    title: String,
    year: i32,
) -> ImportPage {
    ImportPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.import", ""),
        errors,
        title,
        year,
        hints: super::import::LEDGER_COLUMNS
            .iter()
            .map(|c| (c.header, c.hint))
            .collect(),
    }
}

async fn import_page(scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&import_page_of(
        ctx,
        Vec::new(),
        String::new(),
        scope.today().year(),
    )))
}

async fn import_ledger(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    let (fields, files) = read_form(multipart, "file").await?;
    let title = fields.get("title").map(|t| t.trim().to_string()).unwrap_or_default();
    let year = fields
        .get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .unwrap_or(0);
    let Some((file_name, bytes)) = files.into_iter().next() else {
        return Err(AppError::field("file", "请选择要导入的 .xlsx 文件"));
    };
    let mut writer = scope.writer(&state).await?;
    match super::import::import_ledger(&mut writer, &scope, &title, year, &file_name, &bytes, scope.today()).await {
        Ok(done) => {
            writer.commit().await?;
            let next = format!("/plans?plan_id={}", done.plan_id);
            let message = format!("已导入 {file_name}：《{title}》共 {} 项任务", done.tasks);
            finish(&state, &headers, "/plans/import", Ok((next, message)))
        }
        Err(errors) => {
            drop(writer);
            let mut response = render(&import_page_of(
                ctx,
                errors,
                title,
                if year == 0 { scope.today().year() } else { year },
            ));
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct TaskNewPage {
    ctx: PageCtx,
    plans: Vec<Plan>,
    departments: Vec<Department>,
}

async fn task_new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&TaskNewPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.new_task", ""),
        plans: store::plans(&state.db, &scope).await?,
        departments: store::departments(&state.db, &scope).await?,
    }))
}

#[derive(Deserialize)]
struct TaskForm {
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    reference: String,
    text: String,
    #[serde(default)]
    lead_id: String,
    #[serde(default)]
    cooperating: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    due_date: String,
}

async fn task_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<TaskForm>,
) -> AppResult<Response> {
    let result = async {
        let departments = store::departments(&state.db, &scope).await?;
        let lead: i64 = form
            .lead_id
            .trim()
            .parse()
            .map_err(|_| AppError::field("lead_id", "请选择牵头部门"))?;
        let lead = departments
            .iter()
            .find(|d| d.id == lead)
            .ok_or_else(|| AppError::field("lead_id", "牵头部门不存在"))?;
        if scope.role() == Role::Staff && scope.caller().department_id != Some(lead.id) {
            return Err(AppError::field("lead_id", "部门人员只能新建本部门牵头的任务"));
        }
        let due = match form.due_date.trim() {
            "" => None,
            s => Some(
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| AppError::field("due_date", format!("完成日期“{s}”不是日期（应为 2024-12-31）")))?,
            ),
        };
        let mut depts = vec![NewDepartment {
            role: "lead".into(),
            written: lead.name.clone(),
            department_id: Some(lead.id),
        }];
        for name in parse::roles::split_names(&form.cooperating) {
            depts.push(NewDepartment {
                role: "cooperating".into(),
                department_id: store::match_written(&name, &departments),
                written: name,
            });
        }
        let plan = match opt_id(&Some(form.plan_id.clone())) {
            Some(id) => Some(store::plan_by_id(&state.db, &scope, id).await?),
            None => None,
        };
        let text = form.text.trim().to_string();
        let mut writer = scope.writer(&state).await?;
        let task = store::insert_task(
            &mut writer,
            &scope,
            plan.as_ref(),
            0,
            NewTask {
                reference: form.reference.trim().to_string(),
                section: String::new(),
                targets: parse::targets::find(&text)
                    .into_iter()
                    .map(|g| NewTarget {
                        text: g.text,
                        value: g.value.normalize().to_string(),
                        unit: g.unit,
                    })
                    .collect(),
                text,
                deadline: Some(form.deadline.trim().to_string()).filter(|d| !d.is_empty()),
                due_date: due
                    .or_else(|| parse::deadline::due_date(form.deadline.trim(), plan.as_ref().map(|p| p.year))),
                start_date: None,
                departments: depts,
            },
        )
        .await?;
        writer.commit().await?;
        Ok((format!("/plans/tasks/{}", task.id), "已新建任务".to_string()))
    }
    .await;
    finish(&state, &headers, "/plans/tasks/new", result)
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    ctx: PageCtx,
    line: TaskLine,
    reports: Vec<ReportLine>,
    orders: Vec<(Order, domain::Escalation, bool)>,
    rights: Rights,
    departments: Vec<Department>,
}

impl TaskPage {
    fn kind(&self, kind: &str) -> &'static str {
        kind_key(kind)
    }
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "progress" => "plans.kind_progress",
        "part" => "plans.kind_part",
        "completion" => "plans.kind_completion",
        _ => "plans.kind_comment",
    }
}

async fn task_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let t = scope.today();
    let line = store::task_line(state.db.conn(), &scope, id, t).await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    let reports = store::reports(&state.db, &scope, id).await?;
    let orders = store::orders_of(&state.db, &scope, id)
        .await?
        .into_iter()
        .map(|o| {
            let answered = reports.iter().any(|r| r.report.supervision_id == Some(o.id));
            let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, t, &thresholds);
            (o, e, answered)
        })
        .collect();
    Ok(render(&TaskPage {
        ctx: ctx
            .crumb("nav.tasks", "/plans")
            .crumb_text(line.task.reference.clone(), ""),
        rights: store::rights(&scope, &line),
        line,
        reports,
        orders,
        departments: store::departments(&state.db, &scope).await?,
    }))
}

async fn report_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let (fields, files) = read_form(multipart, "file").await?;
        let input = report_from_fields(&fields)?;
        let files = files
            .into_iter()
            .map(|(name, bytes)| store::NewFile {
                content_type: gaoxin_platform::uploads::content_type_of(&name)
                    .unwrap_or("application/octet-stream")
                    .to_string(),
                file_name: name,
                bytes,
            })
            .collect();
        let mut writer = scope.writer(&state).await?;
        let kind = input.kind.clone();
        store::file_report(&mut writer, &scope, id, input, files, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            match kind.as_str() {
                "completion" => "已报送完成，待督查确认",
                "comment" => "已批示",
                _ => "已报送进展",
            }
            .to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

fn report_from_fields(fields: &HashMap<String, String>) -> AppResult<NewReport> {
    let percent = match fields
        .get("percent")
        .map(|p| p.trim().trim_end_matches('%'))
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(
            p.parse::<i32>()
                .map_err(|_| AppError::field("percent", "完成比例应为 0–100 的整数"))?,
        ),
        None => None,
    };
    let mut actuals = Vec::new();
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("actual_")
            && let Ok(id) = id.parse::<i64>()
        {
            actuals.push((id, v.clone()));
        }
    }
    actuals.sort();
    Ok(NewReport {
        kind: fields.get("kind").cloned().unwrap_or_else(|| "progress".into()),
        note: fields.get("note").cloned().unwrap_or_default(),
        percent,
        actuals,
    })
}

/// The edit form: text, deadline, due date and `link_<row>` selects.
async fn task_edit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let field = |k: &str| {
            form.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut links = Vec::new();
        for (k, v) in &form {
            if let Some(row) = k.strip_prefix("link_").and_then(|r| r.parse::<i64>().ok()) {
                let link = match v.trim() {
                    "" => None,
                    id => Some(
                        id.parse::<i64>()
                            .map_err(|_| AppError::field("links", "对应部门无效"))?,
                    ),
                };
                links.push((row, link));
            }
        }
        let edit = store::TaskEdit {
            text: field("text"),
            deadline: Some(field("deadline")),
            due_date: parse_date(Some(&field("due_date")), "due_date", "完成日期")?,
            links,
        };
        let mut writer = scope.writer(&state).await?;
        store::edit_task(&mut writer, &scope, id, edit, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存任务".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    accept: String,
    #[serde(default)]
    note: String,
}

async fn task_confirm(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ConfirmForm>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let accept = form.accept == "1";
        let mut writer = scope.writer(&state).await?;
        store::confirm(&mut writer, &scope, id, accept, &form.note, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            if accept {
                "已确认完成"
            } else {
                "已退回牵头部门"
            }
            .to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct OrderForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    deadline: String,
}

async fn order_issue(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<OrderForm>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let deadline = parse_date(Some(&form.deadline), "deadline", "办理时限")?;
        let mut writer = scope.writer(&state).await?;
        store::issue_order(&mut writer, &scope, id, &form.reason, deadline, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已下发督办单".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    note: String,
}

async fn order_close(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<CloseForm>,
) -> AppResult<Response> {
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let order = store::close_order(&mut writer, &scope, id, &form.note, scope.today()).await?;
        writer.commit().await?;
        Ok((format!("/plans/tasks/{}", order.task_id), "督办单已办结".to_string()))
    }
    .await;
    let back = match &result {
        Err(_) => store::all_orders(&state.db, &scope)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| format!("/plans/tasks/{}", o.task_id))
            .unwrap_or_else(|| "/plans/orders".into()),
        Ok(_) => "/plans/orders".into(),
    };
    finish(&state, &headers, &back, result)
}

/// A supervision order with its task and level today.
struct OrderLine {
    order: Order,
    task: String,
    lead: String,
    level: Colour,
    steps: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    ctx: PageCtx,
    rows: Vec<OrderLine>,
}

async fn order_lines(state: &AppState, scope: &Scope) -> AppResult<Vec<OrderLine>> {
    let t = scope.today();
    let thresholds = store::thresholds(state.db.conn(), scope).await?;
    let lines: HashMap<i64, TaskLine> = store::ledger(&state.db, scope, &Filter::default(), t)
        .await?
        .into_iter()
        .map(|l| (l.task.id, l))
        .collect();
    Ok(store::all_orders(&state.db, scope)
        .await?
        .into_iter()
        .map(|o| {
            let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, t, &thresholds);
            let line = lines.get(&o.task_id);
            OrderLine {
                task: line
                    .map(|l| format!("{} {}", l.task.reference, bulletin::short(&l.task.text)))
                    .unwrap_or_default(),
                lead: line.map(|l| l.lead_names()).unwrap_or_default(),
                level: e.level,
                steps: e
                    .steps
                    .iter()
                    .map(|(c, d)| format!("{} {d}", c.order_label()))
                    .collect::<Vec<_>>()
                    .join(" → "),
                order: o,
            }
        })
        .collect())
}

async fn orders_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&OrdersPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.orders", ""),
        rows: order_lines(&state, &scope).await?,
    }))
}

async fn attachment_download(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Response> {
    let f = store::attachment(&state.db, &scope, id).await?;
    gaoxin_platform::web::file_download(f.data, &f.content_type, "attachment", &f.file_name)
}

/// `?month=2024-06` (default this month).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
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
            lead: store::counted_names(l, "lead", &names),
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
                .map(|l| store::counted_names(l, "lead", &names))
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

async fn bulletin_page(
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

#[derive(Deserialize)]
struct SettingsForm {
    blue_days: String,
    red_after_days: String,
}

async fn settings_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<SettingsForm>,
) -> AppResult<Response> {
    let result = async {
        let blue: i32 = form
            .blue_days
            .trim()
            .parse()
            .map_err(|_| AppError::field("blue_days", "临期天数应为 0–365 的整数"))?;
        let red: i32 = form
            .red_after_days
            .trim()
            .parse()
            .map_err(|_| AppError::field("red_after_days", "督办升级为红色的天数应为 0–365 的整数"))?;
        let mut writer = scope.writer(&state).await?;
        store::save_thresholds(&mut writer, &scope, blue, red).await?;
        writer.commit().await?;
        Ok(("/plans".to_string(), "已保存阈值".to_string()))
    }
    .await;
    finish(&state, &headers, "/plans", result)
}

// ---------------------------------------------------------------- API

/// A plan to parse: its text, or a .docx in base64.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ParseRequest {
    pub text: Option<String>,
    pub docx_base64: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plans/parse", tag = "plans", request_body = ParseRequest, responses((status = 200, description = "The parsed plan: title, year, document_number, tasks (ref, text, lead, cooperating, deadline, due_date, targets, section, line), warnings")))]
pub async fn api_parse(Json(req): Json<ParseRequest>) -> AppResult<Json<serde_json::Value>> {
    let bytes = match (req.text, req.docx_base64) {
        (Some(t), _) if !t.trim().is_empty() => t.into_bytes(),
        (_, Some(b)) => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| AppError::field("docx_base64", "docx_base64 不是有效的 Base64"))?
        }
        _ => return Err(AppError::field("text", "请提供 text（方案全文）或 docx_base64")),
    };
    let plan = parse::parse_bytes(&bytes).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(
        serde_json::to_value(plan).map_err(|e| AppError::Internal(e.into()))?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub document_number: Option<String>,
    pub tasks: usize,
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", responses((status = 200, body = Vec<PlanOut>)))]
pub async fn api_plans(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<PlanOut>>> {
    let lines = store::ledger(&state.db, &scope, &Filter::default(), scope.today()).await?;
    Ok(Json(
        store::plans(&state.db, &scope)
            .await?
            .into_iter()
            .map(|p| PlanOut {
                tasks: lines.iter().filter(|l| l.task.plan_id == Some(p.id)).count(),
                id: p.id,
                title: p.title,
                year: p.year,
                document_number: p.document_number,
            })
            .collect(),
    ))
}

/// A plan to save (e.g. what `/api/v1/plans/parse` returned, checked by a person).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlanIn {
    pub title: String,
    pub year: i32,
    pub document_number: Option<String>,
    pub tasks: Vec<NewTask>,
}

#[utoipa::path(post, path = "/api/v1/plans", tag = "plans", request_body = PlanIn, responses((status = 200, body = PlanOut)))]
pub async fn api_plan_create(
    State(state): State<AppState>,
    scope: Scope,
    Json(input): Json<PlanIn>,
) -> AppResult<Json<PlanOut>> {
    let count = input.tasks.len();
    let mut writer = scope.writer(&state).await?;
    let plan = store::create_plan(
        &mut writer,
        &scope,
        &input.title,
        input.year,
        input.document_number,
        None,
        input.tasks,
    )
    .await?;
    writer.commit().await?;
    Ok(Json(PlanOut {
        id: plan.id,
        title: plan.title,
        year: plan.year,
        document_number: plan.document_number,
        tasks: count,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub text: String,
    pub value: String,
    pub unit: String,
    pub actual: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentOut {
    pub written: String,
    pub department_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub plan: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    pub lead: Vec<DepartmentOut>,
    pub cooperating: Vec<DepartmentOut>,
    pub deadline: Option<String>,
    pub start_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub percent: i32,
    pub status: String,
    /// `red`, `yellow`, `blue`, `normal`, `green`.
    pub colour: String,
    pub colour_reason: String,
    pub expected_percent: Option<i32>,
    pub targets: Vec<TargetOut>,
    pub open_orders: usize,
}

fn task_out(l: TaskLine) -> TaskOut {
    let dept = |role: &str| {
        l.departments
            .iter()
            .filter(|d| d.role == role)
            .map(|d| DepartmentOut {
                written: d.written.clone(),
                department_id: d.department_id,
            })
            .collect()
    };
    TaskOut {
        lead: dept("lead"),
        cooperating: dept("cooperating"),
        id: l.task.id,
        plan_id: l.task.plan_id,
        plan: l.plan_title.clone(),
        reference: l.task.reference.clone(),
        text: l.task.text.clone(),
        deadline: l.task.deadline_text.clone(),
        start_date: l.task.start_date,
        due_date: l.task.due_date,
        percent: l.task.percent,
        status: l.task.status.clone(),
        colour: l.status.colour.code().into(),
        colour_reason: l.status.reason.clone(),
        expected_percent: l.status.expected_percent,
        targets: l
            .targets
            .iter()
            .map(|t| TargetOut {
                id: t.id,
                text: t.text.clone(),
                value: t.value.clone(),
                unit: t.unit.clone(),
                actual: t.actual.clone(),
            })
            .collect(),
        open_orders: l.open_orders,
    }
}

#[utoipa::path(get, path = "/api/v1/plan-tasks", tag = "plans", params(LedgerQuery), responses((status = 200, body = Vec<TaskOut>)))]
pub async fn api_tasks(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<LedgerQuery>,
) -> AppResult<Json<Vec<TaskOut>>> {
    Ok(Json(
        store::ledger(&state.db, &scope, &q.filter(), scope.today())
            .await?
            .into_iter()
            .map(task_out)
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub kind: String,
    pub department_id: Option<i64>,
    pub note: String,
    pub percent: Option<i32>,
    pub supervision_id: Option<i64>,
    pub author: String,
    pub attachments: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub reason: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: String,
    /// `blue`, `yellow`, `red`, or `green` once closed.
    pub level: String,
    /// `[level, from]` in order.
    pub steps: Vec<(String, NaiveDate)>,
    pub closed_on: Option<NaiveDate>,
}

/// A supervision order with its level and escalation steps on `today`.
fn order_out(o: Order, today: NaiveDate, thresholds: &domain::Thresholds) -> OrderOut {
    let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, today, thresholds);
    OrderOut {
        id: o.id,
        reason: o.reason,
        issued_on: o.issued_on,
        deadline: o.deadline,
        status: o.status,
        level: e.level.code().into(),
        steps: e.steps.iter().map(|(c, d)| (c.code().to_string(), *d)).collect(),
        closed_on: o.closed_on,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskDetailOut {
    #[serde(flatten)]
    pub task: TaskOut,
    pub reports: Vec<ReportOut>,
    pub supervision: Vec<OrderOut>,
}

#[utoipa::path(get, path = "/api/v1/plan-tasks/{id}", tag = "plans", params(("id" = i64, Path)), responses((status = 200, body = TaskDetailOut)))]
pub async fn api_task(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<TaskDetailOut>> {
    let t = scope.today();
    let line = store::task_line(state.db.conn(), &scope, id, t).await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    let reports = store::reports(&state.db, &scope, id).await?;
    let supervision = store::orders_of(&state.db, &scope, id)
        .await?
        .into_iter()
        .map(|o| order_out(o, t, &thresholds))
        .collect();
    Ok(Json(TaskDetailOut {
        task: task_out(line),
        reports: reports
            .into_iter()
            .map(|r| ReportOut {
                id: r.report.id,
                kind: r.report.kind,
                department_id: r.report.department_id,
                note: r.report.note,
                percent: r.report.percent,
                supervision_id: r.report.supervision_id,
                author: r.author,
                attachments: r.attachments.into_iter().map(|a| a.1).collect(),
            })
            .collect(),
        supervision,
    }))
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/reports", tag = "plans", params(("id" = i64, Path)), request_body = NewReport, responses((status = 200, body = TaskOut)))]
pub async fn api_report(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<NewReport>,
) -> AppResult<Json<TaskOut>> {
    let mut writer = scope.writer(&state).await?;
    store::file_report(&mut writer, &scope, id, input, Vec::new(), scope.today()).await?;
    writer.commit().await?;
    Ok(Json(task_out(
        store::task_line(state.db.conn(), &scope, id, scope.today()).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmIn {
    pub accept: bool,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/confirm", tag = "plans", params(("id" = i64, Path)), request_body = ConfirmIn, responses((status = 200, body = TaskOut)))]
pub async fn api_confirm(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<ConfirmIn>,
) -> AppResult<Json<TaskOut>> {
    let mut writer = scope.writer(&state).await?;
    store::confirm(&mut writer, &scope, id, input.accept, &input.note, scope.today()).await?;
    writer.commit().await?;
    Ok(Json(task_out(
        store::task_line(state.db.conn(), &scope, id, scope.today()).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrderIn {
    pub reason: String,
    pub deadline: NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/supervision", tag = "plans", params(("id" = i64, Path)), request_body = OrderIn, responses((status = 200, body = OrderOut)))]
pub async fn api_order(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<OrderIn>,
) -> AppResult<Json<OrderOut>> {
    let mut writer = scope.writer(&state).await?;
    let o = store::issue_order(
        &mut writer,
        &scope,
        id,
        &input.reason,
        Some(input.deadline),
        scope.today(),
    )
    .await?;
    writer.commit().await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    Ok(Json(order_out(o, scope.today(), &thresholds)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CloseIn {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/supervision/{id}/close", tag = "plans", params(("id" = i64, Path)), request_body = CloseIn, responses((status = 200, body = OrderOut)))]
pub async fn api_order_close(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<CloseIn>,
) -> AppResult<Json<OrderOut>> {
    let mut writer = scope.writer(&state).await?;
    let o = store::close_order(&mut writer, &scope, id, &input.note, scope.today()).await?;
    writer.commit().await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    Ok(Json(order_out(o, scope.today(), &thresholds)))
}

#[utoipa::path(get, path = "/api/v1/plans/bulletin", tag = "plans", params(MonthQuery), responses((status = 200, body = Bulletin)))]
pub async fn api_bulletin(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Json<Bulletin>> {
    let (y, m) = q.year_month(scope.today())?;
    Ok(Json(bulletin_of(&state.db, &scope, y, m).await?))
}

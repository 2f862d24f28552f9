//! A plan into the ledger: uploaded (.txt, .docx) or pasted → parsed → its tasks checked on a
//! preview with unknown department names mapped (to a department, a new one, or kept as
//! written) → saved; and a ledger imported from Excel, every row checked first.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;

use crate::status::DepartmentRole;
use crate::store::{self, NewDepartment, NewTarget, NewTask};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::uploads::{self, Upload, read_form};
use gaoxin_platform::web::{PageCtx, WebForm, finish, render};
use gaoxin_rules::plan_parser::{self as parse, ParsedPlan};

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    ctx: PageCtx,
    error: String,
}

pub(super) async fn upload_page(ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&UploadPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.upload", ""),
        error: String::new(),
    }))
}

/// Keeps the uploaded or pasted plan and shows what it parses to.
pub(super) async fn upload_parse(
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
    if let Err(e) = super::parse_plan(bytes.clone()).await {
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

async fn load_plan(scope: &Scope, token: &str) -> AppResult<(String, ParsedPlan)> {
    let (meta, bytes) = uploads::load(token, scope.caller().account_id, scope.zone_id())?;
    if meta.kind != "plan" {
        return Err(AppError::NotFound);
    }
    Ok((meta.file_name, super::parse_plan(bytes).await?))
}

pub(super) async fn preview_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> AppResult<Response> {
    let (file_name, plan) = load_plan(&scope, &token).await?;
    let departments = gaoxin_platform::departments::store::all(&state.db, &scope, None).await?;
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
            for (role, names) in [
                (DepartmentRole::Lead, &t.lead),
                (DepartmentRole::Cooperating, &t.cooperating),
            ] {
                for n in names {
                    departments.push(NewDepartment {
                        role: role.code().into(),
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
pub(super) async fn upload_commit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    axum::extract::Path(token): axum::extract::Path<String>,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let back = format!("/plans/upload/{token}");
    let result = async {
        let (file_name, plan) = load_plan(&scope, &token).await?;
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
        hints: crate::import::LEDGER_COLUMNS
            .iter()
            .map(|c| (c.header, c.hint))
            .collect(),
    }
}

pub(super) async fn import_page(scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&import_page_of(
        ctx,
        Vec::new(),
        String::new(),
        scope.today().year(),
    )))
}

pub(super) async fn import_ledger(
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
    match crate::import::import_ledger(&mut writer, &scope, &title, year, &file_name, &bytes, scope.today()).await {
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

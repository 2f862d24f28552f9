//! Policy cash-out pages and API: the zone's policies (upload a rule file, read its articles,
//! awards, variables and versions), events (list, form, .xlsx import, API), 免申即享 batches
//! (run → review/exclude → submit → a leader approves or returns → locked, exported; recheck and
//! diff), each award's explanation, the policy evaluation report and the policy calculator.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::batch_entity::Model as Batch;
use super::compute::{self, wan, yuan};
use super::event_entity::Model as Event;
use super::events::{self, EventInput};
use super::line_entity::Model as Line;
use super::store::{self, DiffRow, EventFilter, PolicyYear, SaveCounts};
use super::version_entity::Model as Version;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, LEADERS, ZONE_READERS};
use gaoxin_core::tabular::Cell;
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::spreadsheet::{self, ImportError};
use gaoxin_platform::uploads::read_multipart;
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, render, xlsx_download};
use gaoxin_rules::eval::{CaseOf, Evaluator, Explanation};
use gaoxin_rules::expr::Value;
use gaoxin_rules::sources::{EventColumn, EventKind};

pub fn routes() -> Routes {
    Routes::new()
        .get("/policies", Access::Roles(ZONE_READERS), policies_list)
        .get("/policies/evaluation", Access::Roles(ZONE_READERS), evaluation_page)
        .get("/policies/versions/{id}", Access::Roles(ZONE_READERS), version_page)
        .get("/policies/events", Access::Roles(ENTERPRISE_READERS), events_page)
        .get("/policies/events/new", Access::Roles(DEPARTMENT_EDITORS), event_form)
        .post("/policies/events", Access::Roles(DEPARTMENT_EDITORS), event_create)
        .post(
            "/policies/events/{id}/delete",
            Access::Roles(DEPARTMENT_EDITORS),
            event_delete,
        )
        .get(
            "/policies/events/template.xlsx",
            Access::Roles(ZONE_READERS),
            event_template,
        )
        .upload(
            "/policies/events/import",
            Access::Roles(DEPARTMENT_EDITORS),
            event_import,
        )
        .get("/policies/batches", Access::Roles(ZONE_READERS), batches_page)
        .post("/policies/batches", Access::Roles(DEPARTMENT_EDITORS), batch_create)
        .get("/policies/batches/{id}", Access::Roles(ZONE_READERS), batch_page)
        .get(
            "/policies/batches/{id}/export.xlsx",
            Access::Roles(ZONE_READERS),
            batch_export,
        )
        .get(
            "/policies/batches/{id}/diff",
            Access::Roles(ZONE_READERS),
            batch_diff_page,
        )
        .post(
            "/policies/batches/{id}/recompute",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_recompute,
        )
        .post(
            "/policies/batches/{id}/submit",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_submit,
        )
        .post(
            "/policies/batches/{id}/discard",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_discard,
        )
        .post("/policies/batches/{id}/approve", Access::Roles(LEADERS), batch_approve)
        .post("/policies/batches/{id}/return", Access::Roles(LEADERS), batch_return)
        .post(
            "/policies/lines/{id}/exclude",
            Access::Roles(DEPARTMENT_EDITORS),
            line_exclude,
        )
        .post(
            "/policies/lines/{id}/include",
            Access::Roles(DEPARTMENT_EDITORS),
            line_include,
        )
        .get("/policies/awards", Access::Roles(ENTERPRISE_READERS), awards_page)
        .get("/policies/sandbox", Access::Roles(ZONE_READERS), sandbox_page)
        .post("/policies/sandbox", Access::Roles(ZONE_READERS), sandbox_run)
        .get("/policies/matches", Access::Roles(ENTERPRISE_READERS), matches_page)
        .get(
            "/policies/matches/export.xlsx",
            Access::Roles(ZONE_READERS),
            matches_export,
        )
        .get("/api/v1/matches", Access::Roles(ENTERPRISE_READERS), api_matches)
        .get("/policies/awards/{id}", Access::Roles(ENTERPRISE_READERS), award_page)
        .get("/api/v1/policies", Access::Roles(ZONE_READERS), api_policies)
        .get("/api/v1/events", Access::Roles(ENTERPRISE_READERS), api_events)
        .post("/api/v1/events", Access::Roles(DEPARTMENT_EDITORS), api_save_events)
        .get("/api/v1/batches", Access::Roles(ZONE_READERS), api_batches)
        .get(
            "/api/v1/batches/{id}/lines",
            Access::Roles(ZONE_READERS),
            api_batch_lines,
        )
        .get(
            "/api/v1/awards/{id}/explain",
            Access::Roles(ENTERPRISE_READERS),
            api_explain,
        )
        .post(
            "/api/v1/policy/calculate",
            Access::Roles(ENTERPRISE_READERS),
            api_calculate,
        )
}

fn ctx_base(ctx: PageCtx) -> PageCtx {
    ctx.crumb("nav.policies", "/policies")
}

// ---------------------------------------------------------------- policies

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    ctx: PageCtx,
    versions: Vec<Version>,
    can_upload: bool,
    error: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
}

fn kind_choices() -> Vec<(&'static str, &'static str)> {
    EventKind::ALL.iter().map(|k| (k.code(), k.label())).collect()
}

async fn policies_list(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    policies_page(&state, &scope, ctx, None).await
}

/// The policies page, with the reason an upload was refused.
pub(crate) async fn policies_page(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    Ok(render(&PoliciesPage {
        ctx: ctx.crumb("nav.policies", ""),
        versions,
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        error,
        kinds: kind_choices(),
    }))
}

/// An award as shown on its policy's page.
struct AwardView {
    id: String,
    name: String,
    on: String,
    paid: &'static str,
    when: String,
    amount: String,
    caps: Vec<String>,
}

struct ArticleView {
    id: String,
    text: String,
    awards: Vec<AwardView>,
}

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    ctx: PageCtx,
    v: Version,
    issuer: String,
    source_note: String,
    variables: Vec<(String, String, String, String)>,
    steps: Vec<(String, String, String)>,
    articles: Vec<ArticleView>,
    tests: Vec<(String, bool, String)>,
    history: Vec<Version>,
}

async fn version_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let v = store::version_by_id(state.db.conn(), scope.zone_id(), id).await?;
    let set = compute::policy_set(&store::stored(std::slice::from_ref(&v))).map_err(AppError::BadRequest)?;
    let p = &set.policies[0];
    let mut articles: Vec<ArticleView> = Vec::new();
    for a in &p.awards {
        let view = AwardView {
            id: a.id.clone(),
            name: a.name.clone(),
            on: a
                .on
                .map(|k| k.label().to_string())
                .unwrap_or_else(|| "每个对象每年一次（年度数据）".into()),
            paid: if a.without_application {
                "免申即享"
            } else {
                "快申快享（须申请）"
            },
            when: a.when_source.clone().unwrap_or_else(|| "无".into()),
            amount: a.amount_source.clone(),
            caps: [
                a.cap_per_item
                    .map(|c| format!("每项最高 {} 元", yuan(compute::to_fen(c)))),
                a.cap_per_recipient_year
                    .map(|c| format!("每个对象每年最高 {} 元", yuan(compute::to_fen(c)))),
                a.cap_per_recipient_total
                    .map(|c| format!("每个对象累计最高 {} 元", yuan(compute::to_fen(c)))),
                a.budget.map(|c| format!("年度总预算 {} 元", yuan(compute::to_fen(c)))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        match articles.last_mut() {
            Some(last) if last.id == a.article_id => last.awards.push(view),
            _ => articles.push(ArticleView {
                id: a.article_id.clone(),
                text: a.article_text.clone(),
                awards: vec![view],
            }),
        }
    }
    let tests = gaoxin_rules::eval::run_tests(&set.policies, &set.slots, &set.kinds)
        .into_iter()
        .map(|r| (r.name, r.failures.is_empty(), r.failures.join("；")))
        .collect();
    let history = store::versions_of_policy(&state.db, &scope, &v.policy_id).await?;
    Ok(render(&VersionPage {
        ctx: ctx_base(ctx).crumb_text(v.document_number.clone(), ""),
        issuer: p.issuer.clone(),
        source_note: p.source.clone().unwrap_or_default(),
        variables: p
            .variables
            .iter()
            .map(|x| {
                (
                    x.name.clone(),
                    x.label.clone(),
                    x.unit.clone().unwrap_or_default(),
                    x.from.map(|f| format!("{}（{}）", f.label, f.name)).unwrap_or_default(),
                )
            })
            .collect(),
        steps: p
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.label.clone(), s.source.clone()))
            .collect(),
        articles,
        tests,
        history,
        v,
    }))
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    ctx: PageCtx,
    /// (row, title, amount in 万元, budget in 万元 and the share used)
    rows: Vec<(PolicyYear, String, String, String)>,
}

async fn evaluation_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let rows = store::evaluation(&state.db, &scope).await?;
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let titles: HashMap<String, String> = versions
        .iter()
        .map(|v| (v.policy_id.clone(), format!("{} {}", v.document_number, v.title)))
        .collect();
    // The yearly budget of a policy: the sum of its awards' budgets (in the version in use).
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    let budgets: HashMap<String, i64> = set
        .policies
        .iter()
        .filter_map(|p| compute::yearly_budget(p).map(|b| (p.id.clone(), b)))
        .collect();
    Ok(render(&EvaluationPage {
        ctx: ctx_base(ctx).crumb("policy.evaluation", ""),
        rows: rows
            .into_iter()
            .map(|r| {
                let title = titles.get(&r.policy).cloned().unwrap_or_else(|| r.policy.clone());
                let amount = wan(r.amount);
                let budget = budgets
                    .get(&r.policy)
                    .filter(|b| **b > 0)
                    .map(|b| {
                        let used = gaoxin_rules::expr::round_half_up(
                            Decimal::from(r.amount) * Decimal::ONE_HUNDRED / Decimal::from(*b),
                            1,
                        );
                        format!("{}（已用 {}%）", wan(*b), used.normalize())
                    })
                    .unwrap_or_else(|| "—".into());
                (r, title, amount, budget)
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- events

/// One event as listed.
struct EventRow {
    e: Event,
    kind: &'static str,
    enterprise: String,
    enterprise_id: i64,
    details: String,
}

fn event_details(e: &Event) -> String {
    let Some(kind) = EventKind::parse(&e.kind) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for f in kind.fields() {
        let shown = match f.column {
            EventColumn::Date | EventColumn::Reference => continue,
            EventColumn::StartDate => e.started_on.map(|d| d.to_string()),
            EventColumn::Category => e.category.clone(),
            EventColumn::Level => e.level.clone(),
            EventColumn::Amount => e.amount.map(yuan),
            EventColumn::SecondaryAmount => e.secondary_amount.map(yuan),
            EventColumn::Quantity => e.quantity.map(events::hundredths),
            EventColumn::Certified => e.certified.map(|b| if b { "是" } else { "否" }.to_string()),
            EventColumn::FirstTime => e.first_time.map(|b| if b { "是" } else { "否" }.to_string()),
        };
        if let Some(s) = shown {
            parts.push(format!("{}：{s}", f.label));
        }
    }
    parts.join("；")
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    ctx: PageCtx,
    rows: Vec<EventRow>,
    f: EventFilter,
    pager: Pager,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    import_errors: Vec<ImportError>,
    import_message: Option<String>,
}

impl EventsPage {
    fn kind_selected(&self, code: &str) -> bool {
        self.f.kind.as_deref() == Some(code)
    }
    fn q(&self) -> &str {
        self.f.q.as_deref().unwrap_or("")
    }
    fn year(&self) -> String {
        self.f.year.map(|y| y.to_string()).unwrap_or_default()
    }
}

async fn events_listing(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    f: EventFilter,
    raw: Option<&str>,
) -> AppResult<EventsPage> {
    let (rows, total) = store::search_events(&state.db, scope, &f).await?;
    Ok(EventsPage {
        ctx: ctx_base(ctx).crumb("policy.events", ""),
        rows: rows
            .into_iter()
            .map(|(e, ent)| EventRow {
                kind: EventKind::parse(&e.kind).map(|k| k.label()).unwrap_or(""),
                enterprise: ent.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
                enterprise_id: e.enterprise_id,
                details: event_details(&e),
                e,
            })
            .collect(),
        pager: Pager::new(&f.paging(), total, "/policies/events", raw),
        f,
        kinds: kind_choices(),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        import_errors: Vec::new(),
        import_message: None,
    })
}

async fn events_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(f): Q<EventFilter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    Ok(render(&events_listing(&state, &scope, ctx, f, raw.as_deref()).await?))
}

#[derive(Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

fn kind_of(code: Option<&str>) -> AppResult<EventKind> {
    let code = code.unwrap_or("");
    EventKind::parse(code).ok_or_else(|| {
        AppError::field(
            "kind",
            format!(
                "事件类型“{code}”未知（可用 {}）",
                EventKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>().join("、")
            ),
        )
    })
}

/// A form field of the event form.
struct FormField {
    key: &'static str,
    label: &'static str,
    required: bool,
    choices: &'static [&'static str],
    input: &'static str,
    value: String,
    error: String,
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    ctx: PageCtx,
    kind: EventKind,
    kinds: Vec<(&'static str, &'static str)>,
    fields: Vec<FormField>,
}

fn form_fields(kind: EventKind, values: &HashMap<String, String>, errors: &HashMap<&str, String>) -> Vec<FormField> {
    events::column_specs(kind)
        .into_iter()
        .map(|spec| {
            let field = kind.fields().iter().find(|f| events::key(f.column) == spec.key);
            let input = match field.map(|f| f.column) {
                Some(EventColumn::Date | EventColumn::StartDate) => "date",
                Some(EventColumn::Certified | EventColumn::FirstTime) => "yesno",
                Some(_) if field.is_some_and(|f| !f.choices.is_empty()) => "select",
                _ => "text",
            };
            FormField {
                key: spec.key,
                label: spec.header,
                required: spec.required,
                choices: field.map(|f| f.choices).unwrap_or(&[]),
                input,
                value: values.get(spec.key).cloned().unwrap_or_default(),
                error: errors.get(spec.key).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

async fn event_form(ctx: PageCtx, Q(q): Q<KindQuery>) -> AppResult<Response> {
    let kind = kind_of(q.kind.as_deref().or(Some("technology_contract")))?;
    Ok(render(&EventFormPage {
        ctx: ctx_base(ctx)
            .crumb("policy.events", "/policies/events")
            .crumb("policy.new_event", ""),
        kind,
        kinds: kind_choices(),
        fields: form_fields(kind, &HashMap::new(), &HashMap::new()),
    }))
}

fn cells_of(values: &HashMap<String, String>) -> HashMap<&'static str, Cell> {
    let mut out = HashMap::new();
    for key in [
        "uscc",
        "enterprise_name",
        "occurred_on",
        "started_on",
        "reference",
        "category",
        "level",
        "amount",
        "secondary_amount",
        "quantity",
        "certified",
        "first_time",
        "note",
    ] {
        if let Some(v) = values.get(key).filter(|v| !v.trim().is_empty()) {
            out.insert(key, Cell::Text(v.clone()));
        }
    }
    out
}

async fn event_create(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(values): WebForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let kind = kind_of(values.get("kind").map(String::as_str))?;
    let outcome: Result<SaveCounts, HashMap<&str, String>> = async {
        let input =
            events::parse(kind, &cells_of(&values)).map_err(|errs| errs.into_iter().collect::<HashMap<_, _>>())?;
        let mut writer = scope
            .writer(&state)
            .await
            .map_err(|e| HashMap::from([("uscc", e.to_string())]))?;
        let ids = store::resolve_enterprises(writer.read(), scope.zone_id(), std::slice::from_ref(&input))
            .await
            .map_err(|errs| errs.into_iter().map(|(_, k, m)| (k, m)).collect::<HashMap<_, _>>())?;
        let counts = store::save_events(&mut writer, scope.zone_id(), kind, &[(ids[0], input)])
            .await
            .map_err(|e| HashMap::from([("reference", e.to_string())]))?;
        writer
            .commit()
            .await
            .map_err(|e| HashMap::from([("reference", e.to_string())]))?;
        Ok(counts)
    }
    .await;
    match outcome {
        Ok(c) => {
            let next = format!("/policies/events?kind={}", kind.code());
            let message = if c.updated > 0 {
                "已更新该事件（同一企业、同一编号）"
            } else {
                "已登记"
            };
            finish(&state, &headers, &next, Ok((next.clone(), message.into())))
        }
        Err(errors) => {
            let mut response = render(&EventFormPage {
                ctx: ctx_base(ctx)
                    .crumb("policy.events", "/policies/events")
                    .crumb("policy.new_event", ""),
                kind,
                kinds: kind_choices(),
                fields: form_fields(kind, &values, &errors),
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn event_delete(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let e = store::get_event(&state.db, &scope, id).await?;
    let kind = e.kind.clone();
    let mut writer = scope.writer(&state).await?;
    let result = async {
        store::delete_event(&mut writer, e).await?;
        writer.commit().await?;
        Ok((format!("/policies/events?kind={kind}"), "已删除".to_string()))
    }
    .await;
    finish(&state, &headers, "/policies/events", result)
}

async fn event_template(Q(q): Q<KindQuery>) -> AppResult<Response> {
    let kind = kind_of(q.kind.as_deref())?;
    let specs = events::column_specs(kind);
    let headers: Vec<String> = specs
        .iter()
        .map(|s| {
            if s.required {
                format!("{}*", s.header)
            } else {
                s.header.to_string()
            }
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    xlsx_download(
        &format!("{}导入模板.xlsx", kind.label()),
        kind.label(),
        &header_refs,
        vec![specs.iter().map(|s| XCell::Text(format!("（{}）", s.hint))).collect()],
    )
}

/// Reads and checks an event sheet; returns the rows with their enterprise ids, or every error.
async fn parse_event_file<C: sea_orm::ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    kind: EventKind,
    file_name: &str,
    bytes: &[u8],
) -> Result<Vec<(i64, EventInput)>, Vec<ImportError>> {
    let file_error = |reason: String| ImportError {
        sheet: String::new(),
        row: 0,
        column: String::new(),
        value: String::new(),
        reason,
    };
    let sheets = spreadsheet::read(file_name, bytes).map_err(|reason| vec![file_error(reason)])?;
    let specs = events::column_specs(kind);
    let located = spreadsheet::locate(sheets, &specs)?;
    let mut errors = Vec::new();
    let mut parsed: Vec<(usize, EventInput)> = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for (i, row) in located.rows.iter().enumerate() {
        // The template's hint row, if left in, is skipped.
        if row
            .cells
            .values()
            .any(|c| matches!(c, Cell::Text(t) if t.starts_with('（') && t.ends_with('）')))
        {
            continue;
        }
        match events::parse(kind, &row.cells) {
            Ok(input) => {
                let key = (input.uscc.clone(), input.reference.clone());
                if let Some(first) = seen.insert(key, row.row) {
                    errors.push(located.error(
                        row,
                        "reference",
                        &specs,
                        format!("与第 {first} 行重复（同一企业同一编号）"),
                    ));
                } else {
                    parsed.push((i, input));
                }
            }
            Err(problems) => {
                for (k, reason) in problems {
                    errors.push(located.error(row, k, &specs, reason));
                }
            }
        }
    }
    if parsed.is_empty() && errors.is_empty() {
        return Err(vec![file_error("文件中没有数据行".into())]);
    }
    let inputs: Vec<EventInput> = parsed.iter().map(|(_, i)| i.clone()).collect();
    match store::resolve_enterprises(conn, zone_id, &inputs).await {
        Ok(ids) if errors.is_empty() => Ok(ids.into_iter().zip(inputs).collect()),
        Ok(_) => Err(errors),
        Err(problems) => {
            for (index, k, reason) in problems {
                let row = &located.rows[parsed[index].0];
                errors.push(located.error(row, k, &specs, reason));
            }
            errors.sort_by_key(|e| e.row);
            Err(errors)
        }
    }
}

async fn event_import(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes, fields) = read_multipart(multipart).await?;
    let kind = kind_of(fields.get("kind").map(String::as_str))?;
    let mut writer = scope.writer(&state).await?;
    match parse_event_file(writer.read(), scope.zone_id(), kind, &file_name, &bytes).await {
        Ok(rows) => {
            let counts = store::save_events(&mut writer, scope.zone_id(), kind, &rows).await?;
            writer.commit().await?;
            let next = format!("/policies/events?kind={}", kind.code());
            let message = format!(
                "导入完成：新增 {} 条，更新 {} 条，未变 {} 条",
                counts.created, counts.updated, counts.unchanged
            );
            finish(&state, &headers, &next, Ok((next.clone(), message)))
        }
        Err(errors) => {
            drop(writer);
            let f = EventFilter {
                kind: Some(kind.code().into()),
                ..Default::default()
            };
            let mut page = events_listing(&state, &scope, ctx, f, None).await?;
            page.import_message = Some(format!(
                "{file_name}：发现 {} 处错误，未导入任何数据。请按下表修改后重新导入。",
                errors.len()
            ));
            page.import_errors = errors;
            let mut response = render(&page);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

// ---------------------------------------------------------------- batches

struct BatchRow {
    b: Batch,
    status: &'static str,
    total: String,
}

fn batch_row(b: Batch) -> BatchRow {
    BatchRow {
        status: store::status_label(&b.status),
        total: yuan(b.total),
        b,
    }
}

#[derive(Template)]
#[template(path = "batches.html")]
struct BatchesPage {
    ctx: PageCtx,
    rows: Vec<BatchRow>,
    pager: Pager,
    can_run: bool,
    default_year: i32,
}

async fn batches_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(p): Q<PageParams>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (rows, total) = store::list_batches(&state.db, &scope, &p).await?;
    Ok(render(&BatchesPage {
        ctx: ctx_base(ctx).crumb("policy.batches", ""),
        rows: rows.into_iter().map(batch_row).collect(),
        pager: Pager::new(&p, total, "/policies/batches", raw.as_deref()),
        can_run: DEPARTMENT_EDITORS.contains(scope.role()),
        default_year: scope.year() - 1,
    }))
}

#[derive(Deserialize)]
struct NewBatch {
    year: String,
    #[serde(default)]
    title: String,
}

async fn batch_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<NewBatch>,
) -> AppResult<Response> {
    let result: AppResult<(String, String)> = async {
        let year: i32 = form
            .year
            .trim()
            .parse()
            .map_err(|_| AppError::field("year", "年度应为四位数字，如 2024"))?;
        let mut writer = scope.writer(&state).await?;
        let b = store::create_batch(
            &mut writer,
            scope.zone_id(),
            year,
            &form.title,
            scope.caller().account_id,
        )
        .await?;
        writer.commit().await?;
        Ok((
            format!("/policies/batches/{}", b.id),
            format!("已生成批次：{} 条明细，合计 {} 元", b.line_count, yuan(b.total)),
        ))
    }
    .await;
    finish(&state, &headers, "/policies/batches", result)
}

/// An award line as listed in a batch.
struct LineRow {
    l: Line,
    enterprise: String,
    uscc: String,
    amount: String,
    document_number: String,
    summary: String,
}

fn line_rows(lines: Vec<Line>, names: &HashMap<i64, Enterprise>) -> Vec<LineRow> {
    lines
        .into_iter()
        .map(|l| {
            let note: Option<Explanation> = serde_json::from_str(&l.explanation).ok();
            let e = names.get(&l.enterprise_id);
            LineRow {
                enterprise: e.map(|e| e.name.clone()).unwrap_or_default(),
                uscc: e.map(|e| e.uscc.clone()).unwrap_or_default(),
                amount: yuan(l.amount),
                document_number: note.as_ref().map(|n| n.document_number.clone()).unwrap_or_default(),
                summary: note.as_ref().map(summary).unwrap_or_default(),
                l,
            }
        })
        .collect()
}

/// "技术交易额 × 1% = 120000 → 单项上限 100000"
fn summary(n: &Explanation) -> String {
    let mut s = format!("{} = {}", n.formula, n.computed);
    for c in &n.caps {
        s.push_str(&format!(" → {} {}", c.kind, c.after));
    }
    s
}

#[derive(Deserialize, Default)]
struct LineQuery {
    q: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    ctx: PageCtx,
    b: Batch,
    status: &'static str,
    total: String,
    total_wan: String,
    excluded: usize,
    rows: Vec<LineRow>,
    pager: Pager,
    q: String,
    versions: Vec<store::UsedVersion>,
    can_edit: bool,
    can_approve: bool,
}

async fn batch_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Q(q): Q<LineQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let b = store::get_batch(state.db.conn(), scope.zone_id(), id).await?;
    let all = store::batch_lines(state.db.conn(), scope.zone_id(), b.id).await?;
    let names = store::enterprises_by_id(&state.db, &scope, all.iter().map(|l| l.enterprise_id)).await?;
    let excluded = all.iter().filter(|l| l.excluded).count();
    let text = q.q.clone().unwrap_or_default();
    let filtered: Vec<Line> = all
        .into_iter()
        .filter(|l| {
            text.trim().is_empty()
                || names
                    .get(&l.enterprise_id)
                    .is_some_and(|e| e.name.contains(text.trim()) || e.uscc.contains(text.trim()))
                || l.award_name.contains(text.trim())
        })
        .collect();
    let paging = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let total = filtered.len() as u64;
    let page: Vec<Line> = filtered
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page() as usize)
        .collect();
    let versions: Vec<store::UsedVersion> = serde_json::from_str(&b.policy_versions).unwrap_or_default();
    Ok(render(&BatchPage {
        ctx: ctx_base(ctx)
            .crumb("policy.batches", "/policies/batches")
            .crumb_text(format!("#{} {}", b.id, b.title), ""),
        status: store::status_label(&b.status),
        total: yuan(b.total),
        total_wan: wan(b.total),
        excluded,
        rows: line_rows(page, &names),
        pager: Pager::new(&paging, total, &format!("/policies/batches/{id}"), raw.as_deref()),
        q: text,
        versions,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && b.status == "draft",
        can_approve: LEADERS.contains(scope.role()) && b.status == "submitted",
        b,
    }))
}

async fn batch_action(
    state: &AppState,
    scope: &Scope,
    headers: &HeaderMap,
    id: i64,
    to: &str,
    note: Option<&str>,
    done: &str,
) -> AppResult<Response> {
    let mut writer = scope.writer(state).await?;
    let b = store::get_batch(writer.read(), scope.zone_id(), id).await?;
    let at = format!("/policies/batches/{id}");
    let result = async {
        let next = match to {
            "recompute" => store::recompute_batch(&mut writer, &b).await.map(|_| at.clone())?,
            "discard" => store::discard_batch(&mut writer, &b)
                .await
                .map(|_| "/policies/batches".to_string())?,
            _ => store::transition(&mut writer, &b, to, scope.caller().account_id, note)
                .await
                .map(|_| at.clone())?,
        };
        writer.commit().await?;
        Ok((next, done.to_string()))
    }
    .await;
    finish(state, headers, &at, result)
}

async fn batch_recompute(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        "recompute",
        None,
        "已按现行规则和最新数据重新计算（剔除记录已保留）",
    )
    .await
}

async fn batch_discard(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    batch_action(&state, &scope, &headers, id, "discard", None, "已作废该草稿批次").await
}

async fn batch_submit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    batch_action(&state, &scope, &headers, id, "submitted", None, "已提交领导审批").await
}

async fn batch_approve(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        "approved",
        None,
        "已批准，批次已锁定，可导出兑现清单",
    )
    .await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn batch_return(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<NoteForm>,
) -> AppResult<Response> {
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        "draft",
        Some(&form.note),
        "已退回经办部门",
    )
    .await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn line_change(
    state: &AppState,
    scope: &Scope,
    headers: &HeaderMap,
    id: i64,
    reason: Option<&str>,
) -> AppResult<Response> {
    let mut writer = scope.writer(state).await?;
    let l = store::get_line(writer.read(), scope.zone_id(), id).await?;
    let b = store::get_batch(writer.read(), scope.zone_id(), l.batch_id).await?;
    let at = format!("/policies/batches/{}", b.id);
    let done = if reason.is_some() {
        "已剔除该明细"
    } else {
        "已恢复该明细"
    };
    let result = async {
        store::set_excluded(&mut writer, &b, &l, reason).await?;
        writer.commit().await?;
        Ok((at.clone(), done.to_string()))
    }
    .await;
    finish(state, headers, &at, result)
}

async fn line_exclude(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    line_change(&state, &scope, &headers, id, Some(&form.reason)).await
}

async fn line_include(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    line_change(&state, &scope, &headers, id, None).await
}

async fn batch_export(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Response> {
    let b = store::get_batch(state.db.conn(), scope.zone_id(), id).await?;
    let lines = store::batch_lines(state.db.conn(), scope.zone_id(), b.id).await?;
    let names = store::enterprises_by_id(&state.db, &scope, lines.iter().map(|l| l.enterprise_id)).await?;
    let rows: Vec<Vec<XCell>> = line_rows(lines, &names)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                XCell::Int(i as i64 + 1),
                XCell::Text(r.enterprise),
                XCell::Text(r.uscc),
                XCell::Text(r.document_number),
                XCell::Text(r.l.article_id.clone()),
                XCell::Text(r.l.award_name.clone()),
                XCell::Text(r.amount),
                XCell::Text(if r.l.excluded { "已剔除" } else { "拟兑现" }.into()),
                XCell::Text(r.l.exclude_reason.clone().unwrap_or_default()),
                XCell::Text(r.summary),
                XCell::Int(r.l.id),
            ]
        })
        .collect();
    let state_word = if b.status == "approved" {
        "兑现清单"
    } else {
        "兑现清单（未批准草稿）"
    };
    xlsx_download(
        &format!("{}-{state_word}-批次{}.xlsx", b.title, b.id),
        "兑现清单",
        &[
            "序号",
            "企业（机构）名称",
            "统一社会信用代码",
            "政策文号",
            "条款",
            "奖励项目",
            "金额（元）",
            "状态",
            "剔除理由",
            "计算说明",
            "明细编号",
        ],
        rows,
    )
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    ctx: PageCtx,
    b: Batch,
    same_inputs: bool,
    recheck: Vec<DiffView>,
    current: Vec<DiffView>,
    current_delta: String,
}

struct DiffView {
    d: DiffRow,
    before: String,
    after: String,
}

fn diff_views(rows: Vec<DiffRow>) -> Vec<DiffView> {
    rows.into_iter()
        .map(|d| DiffView {
            before: d.before.map(yuan).unwrap_or_else(|| "—".into()),
            after: d.after.map(yuan).unwrap_or_else(|| "—".into()),
            d,
        })
        .collect()
}

async fn batch_diff_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let b = store::get_batch(state.db.conn(), scope.zone_id(), id).await?;
    let lines = store::batch_lines(state.db.conn(), scope.zone_id(), b.id).await?;
    let recorded = store::recorded_versions(state.db.conn(), &b).await?;
    let again = store::fresh_for_batch(state.db.conn(), &b, &recorded).await?;
    let same_inputs = again.input_hash == b.input_hash;
    let recheck = store::diff(&lines, &again);
    let active = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let now = store::fresh_for_batch(state.db.conn(), &b, &active).await?;
    let current = store::diff(&lines, &now);
    let delta: i64 = current
        .iter()
        .map(|d| d.after.unwrap_or(0) - d.before.unwrap_or(0))
        .sum();
    Ok(render(&DiffPage {
        ctx: ctx_base(ctx)
            .crumb("policy.batches", "/policies/batches")
            .crumb_text(format!("#{} {}", b.id, b.title), &format!("/policies/batches/{}", b.id))
            .crumb("policy.diff", ""),
        b,
        same_inputs,
        recheck: diff_views(recheck),
        current: diff_views(current),
        current_delta: yuan(delta),
    }))
}

// ---------------------------------------------------------------- awards and explanations

#[derive(Template)]
#[template(path = "award.html")]
struct AwardPage {
    ctx: PageCtx,
    l: Line,
    b: Batch,
    n: Explanation,
    amount: String,
    event: Option<(String, String, String)>,
}

async fn award_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let (l, b) = store::visible_line(&state.db, &scope, id).await?;
    let n = store::explanation(&l)?;
    let event = match l.event_id {
        Some(eid) => store::get_event(&state.db, &scope, eid).await.ok().map(|e| {
            (
                EventKind::parse(&e.kind).map(|k| k.label()).unwrap_or("").to_string(),
                e.reference.clone(),
                event_details(&e),
            )
        }),
        None => None,
    };
    Ok(render(&AwardPage {
        ctx: ctx_base(ctx)
            .crumb("policy.batches", "/policies/batches")
            .crumb_text(format!("#{} {}", b.id, b.title), &format!("/policies/batches/{}", b.id))
            .crumb("policy.explain", ""),
        amount: yuan(l.amount),
        l,
        b,
        n,
        event,
    }))
}

struct AwardRow {
    l: Line,
    b: Batch,
    enterprise: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    ctx: PageCtx,
    rows: Vec<AwardRow>,
    total: String,
    own: bool,
}

#[derive(Deserialize, Default)]
struct AwardsQuery {
    enterprise: Option<i64>,
}

async fn awards_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<AwardsQuery>,
) -> AppResult<Response> {
    let own = scope.own_enterprise();
    let Some(enterprise_id) = own.or(q.enterprise) else {
        // Staff without a chosen enterprise: the evaluation report is the overview.
        return evaluation_page(State(state), scope, ctx).await;
    };
    let lines = store::awards_of_enterprise(&state.db, &scope, enterprise_id).await?;
    let names = store::enterprises_by_id(&state.db, &scope, std::iter::once(enterprise_id)).await?;
    let name = names.get(&enterprise_id).map(|e| e.name.clone()).unwrap_or_default();
    let total: i64 = lines.iter().filter(|(l, _)| !l.excluded).map(|(l, _)| l.amount).sum();
    Ok(render(&AwardsPage {
        ctx: ctx_base(ctx).crumb("policy.awards", ""),
        rows: lines
            .into_iter()
            .filter(|(l, _)| !l.excluded)
            .map(|(l, b)| AwardRow {
                amount: yuan(l.amount),
                enterprise: name.clone(),
                l,
                b,
            })
            .collect(),
        total: yuan(total),
        own: own.is_some(),
    }))
}

// ---------------------------------------------------------------- policy what-if (政策沙盘)

#[derive(Deserialize, Default)]
struct SandboxQuery {
    version: Option<i64>,
}

#[derive(Deserialize)]
struct SandboxForm {
    version: Option<i64>,
    source: String,
    year: String,
}

#[derive(Template)]
#[template(path = "sandbox.html")]
struct SandboxPage {
    ctx: PageCtx,
    versions: Vec<Version>,
    version: i64,
    source: String,
    year: String,
    error: Option<String>,
    result: Option<store::WhatIf>,
    changes: Vec<DiffView>,
}

impl SandboxPage {
    fn money(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn money_opt(&self, fen: &Option<i64>) -> String {
        fen.map(yuan).unwrap_or_else(|| "—".into())
    }
    fn delta(&self, r: &store::WhatIf) -> String {
        let d = r.after - r.before;
        format!("{}{}", if d > 0 { "+" } else { "" }, yuan(d))
    }
}

async fn sandbox_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<SandboxQuery>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let chosen = q
        .version
        .and_then(|id| versions.iter().find(|v| v.id == id))
        .or(versions.first());
    Ok(render(&SandboxPage {
        ctx: ctx_base(ctx).crumb("policy.sandbox", ""),
        version: chosen.map(|v| v.id).unwrap_or(0),
        source: chosen.map(|v| v.source.clone()).unwrap_or_default(),
        year: (scope.year() - 1).to_string(),
        versions,
        error: None,
        result: None,
        changes: Vec::new(),
    }))
}

async fn sandbox_run(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    WebForm(form): WebForm<SandboxForm>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let outcome = match form.year.trim().parse::<i32>() {
        Err(_) => Err(AppError::field("year", "年度应为四位数字，如 2024")),
        Ok(year) => store::what_if(&state.db, scope.zone_id(), year, "草稿.toml", &form.source).await,
    };
    let (result, error) = match outcome {
        Ok(r) => (Some(r), None),
        Err(AppError::Validation { message, .. } | AppError::BadRequest(message)) => (None, Some(message)),
        Err(e) => return Err(e),
    };
    let changes = result
        .as_ref()
        .map(|r| diff_views(r.changes.iter().take(50).cloned().collect()))
        .unwrap_or_default();
    let mut response = render(&SandboxPage {
        ctx: ctx_base(ctx).crumb("policy.sandbox", ""),
        versions,
        version: form.version.unwrap_or(0),
        source: form.source,
        year: form.year,
        error: error.clone(),
        result,
        changes,
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

// ---------------------------------------------------------------- matching and push

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct MatchQuery {
    /// The year whose data is matched (default: last year).
    pub year: Option<i32>,
    /// `policy:award` to list who matches one award (zone staff).
    pub award: Option<String>,
    /// `qualifies` or `near` (default: both).
    pub standing: Option<String>,
}

impl MatchQuery {
    /// The year asked for, or the last full year.
    fn year(&self, this_year: i32) -> i32 {
        self.year.unwrap_or(this_year - 1)
    }
}

struct MatchRow {
    enterprise_id: i64,
    enterprise: String,
    uscc: String,
    award: String,
    paid: &'static str,
    on: String,
    qualifies: bool,
    estimate: String,
    condition: String,
    gap: String,
}

async fn match_rows(state: &AppState, scope: &Scope, q: &MatchQuery) -> AppResult<Vec<MatchRow>> {
    let lines = store::matches(&state.db, scope, q.year(scope.year())).await?;
    let names = store::enterprises_by_id(&state.db, scope, lines.iter().map(|l| l.enterprise_id)).await?;
    let wanted = q.award.as_deref().filter(|a| !a.is_empty());
    let standing = q.standing.as_deref().unwrap_or("");
    Ok(lines
        .into_iter()
        .filter(|l| wanted.is_none_or(|w| w == format!("{}:{}", l.m.policy, l.m.award)))
        .filter(|l| match standing {
            "qualifies" => l.m.miss.is_none(),
            "near" => l.m.miss.is_some(),
            _ => true,
        })
        .map(|l| {
            let e = names.get(&l.enterprise_id);
            MatchRow {
                enterprise_id: l.enterprise_id,
                enterprise: e.map(|e| e.name.clone()).unwrap_or_default(),
                uscc: e.map(|e| e.uscc.clone()).unwrap_or_default(),
                award: l.m.award_name.clone(),
                paid: if l.m.without_application {
                    "免申即享"
                } else {
                    "须申请"
                },
                on: l.on.clone(),
                qualifies: l.m.miss.is_none(),
                estimate: l
                    .m
                    .estimate
                    .as_deref()
                    .and_then(|v| v.parse::<Decimal>().ok())
                    .map(|v| yuan(compute::to_fen(v)))
                    .unwrap_or_default(),
                condition: l.m.miss.as_ref().map(|m| m.condition.clone()).unwrap_or_default(),
                gap: l
                    .m
                    .miss
                    .as_ref()
                    .map(|m| format!("现为 {}，要求 {}，差 {}（{}）", m.left, m.right, m.gap, m.relative))
                    .unwrap_or_default(),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "matches.html")]
struct MatchesPage {
    ctx: PageCtx,
    rows: Vec<MatchRow>,
    year: i32,
    awards: Vec<(String, String)>,
    award: String,
    standing: String,
    own: bool,
    export_query: String,
}

async fn award_choices(state: &AppState, scope: &Scope) -> AppResult<Vec<(String, String)>> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    Ok(set
        .policies
        .iter()
        .flat_map(|p| {
            p.awards.iter().map(|a| {
                (
                    format!("{}:{}", p.id, a.id),
                    format!("{} · {}", p.document_number, a.name),
                )
            })
        })
        .collect())
}

async fn matches_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<MatchQuery>,
) -> AppResult<Response> {
    let rows = match_rows(&state, &scope, &q).await?;
    let export_query = format!(
        "year={}&award={}&standing={}",
        q.year(scope.year()),
        q.award.clone().unwrap_or_default(),
        q.standing.clone().unwrap_or_default()
    );
    Ok(render(&MatchesPage {
        ctx: ctx_base(ctx).crumb("policy.matches", ""),
        rows,
        year: q.year(scope.year()),
        awards: award_choices(&state, &scope).await?,
        award: q.award.clone().unwrap_or_default(),
        standing: q.standing.clone().unwrap_or_default(),
        own: scope.own_enterprise().is_some(),
        export_query,
    }))
}

async fn matches_export(State(state): State<AppState>, scope: Scope, Q(q): Q<MatchQuery>) -> AppResult<Response> {
    let rows = match_rows(&state, &scope, &q).await?;
    xlsx_download(
        &format!("{}年度政策匹配与推送名单.xlsx", q.year(scope.year())),
        "推送名单",
        &[
            "企业（机构）名称",
            "统一社会信用代码",
            "奖励项目",
            "兑现方式",
            "依据",
            "匹配情况",
            "预计金额（元，封顶前）",
            "未满足的条件",
            "差距",
        ],
        rows.into_iter()
            .map(|r| {
                vec![
                    XCell::Text(r.enterprise),
                    XCell::Text(r.uscc),
                    XCell::Text(r.award),
                    XCell::Text(r.paid.into()),
                    XCell::Text(r.on),
                    XCell::Text(if r.qualifies { "符合" } else { "接近" }.into()),
                    XCell::Text(r.estimate),
                    XCell::Text(r.condition),
                    XCell::Text(r.gap),
                ]
            })
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/matches", tag = "policies", params(MatchQuery),
    responses((status = 200, body = [Object]), (status = 401, body = ErrorBody)))]
pub async fn api_matches(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MatchQuery>,
) -> AppResult<Json<Vec<serde_json::Value>>> {
    let lines = store::matches(&state.db, &scope, q.year(scope.year())).await?;
    Ok(Json(
        lines
            .into_iter()
            .filter(|l| {
                q.award
                    .as_deref()
                    .is_none_or(|w| w.is_empty() || w == format!("{}:{}", l.m.policy, l.m.award))
            })
            .map(|l| {
                serde_json::json!({
                    "enterprise_id": l.enterprise_id,
                    "event_id": l.event_id,
                    "on": l.on,
                    "match": l.m,
                })
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- API

/// A policy in use.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PolicyDto {
    pub id: i64,
    pub policy: String,
    pub version: String,
    pub title: String,
    pub document_number: String,
    pub effective_from: chrono::NaiveDate,
    pub effective_to: Option<chrono::NaiveDate>,
    pub example: bool,
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = [PolicyDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn api_policies(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<PolicyDto>>> {
    Ok(Json(
        store::active_versions(state.db.conn(), scope.zone_id())
            .await?
            .into_iter()
            .map(|v| PolicyDto {
                id: v.id,
                policy: v.policy_id,
                version: v.version,
                title: v.title,
                document_number: v.document_number,
                effective_from: v.effective_from,
                effective_to: v.effective_to,
                example: v.example,
            })
            .collect(),
    ))
}

/// An event, money in yuan as decimal strings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: String,
    pub occurred_on: chrono::NaiveDate,
    pub started_on: Option<chrono::NaiveDate>,
    pub reference: String,
    pub category: Option<String>,
    pub level: Option<String>,
    pub amount: Option<String>,
    pub secondary_amount: Option<String>,
    pub quantity: Option<String>,
    pub certified: Option<bool>,
    pub first_time: Option<bool>,
    pub note: Option<String>,
}

fn event_dto(e: Event) -> EventDto {
    let money = |v: Option<i64>| v.map(|v| format!("{:.2}", Decimal::new(v, 2)));
    EventDto {
        id: e.id,
        enterprise_id: e.enterprise_id,
        kind: e.kind,
        occurred_on: e.occurred_on,
        started_on: e.started_on,
        reference: e.reference,
        category: e.category,
        level: e.level,
        amount: money(e.amount),
        secondary_amount: money(e.secondary_amount),
        quantity: e.quantity.map(events::hundredths),
        certified: e.certified,
        first_time: e.first_time,
        note: e.note,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "policies", params(EventFilter),
    responses((status = 200, body = EventPage), (status = 401, body = ErrorBody)))]
pub async fn api_events(
    State(state): State<AppState>,
    scope: Scope,
    Q(f): Q<EventFilter>,
) -> AppResult<Json<EventPage>> {
    let (rows, total) = store::search_events(&state.db, &scope, &f).await?;
    Ok(Json(EventPage {
        items: rows.into_iter().map(|(e, _)| event_dto(e)).collect(),
        total,
    }))
}

/// Events of one kind to save: each row's keys as in the import template
/// (`uscc`, `reference`, `occurred_on`, `amount` in yuan, `certified` 是/否 …).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SaveEvents {
    pub kind: String,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<HashMap<String, serde_json::Value>>,
}

/// Row-level problems (row 1 = the first row posted).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RowErrors {
    pub errors: Vec<ImportError>,
}

#[utoipa::path(post, path = "/api/v1/events", tag = "policies", request_body = SaveEvents,
    responses((status = 200, body = SaveCounts), (status = 422, body = RowErrors), (status = 403, body = ErrorBody)))]
pub async fn api_save_events(
    State(state): State<AppState>,
    scope: Scope,
    gaoxin_platform::web::ApiJson(body): gaoxin_platform::web::ApiJson<SaveEvents>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let kind = kind_of(Some(&body.kind))?;
    let specs = events::column_specs(kind);
    let header = |k: &str| {
        specs
            .iter()
            .find(|s| s.key == k)
            .map(|s| s.header)
            .unwrap_or("")
            .to_string()
    };
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (i, row) in body.rows.iter().enumerate() {
        let values: HashMap<String, String> = row
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect();
        for k in values.keys() {
            if !specs.iter().any(|s| s.key == k) {
                errors.push(ImportError {
                    sheet: kind.code().into(),
                    row: i as u32 + 1,
                    column: k.clone(),
                    value: values[k].clone(),
                    reason: format!(
                        "{}没有此字段（可用 {}）",
                        kind.label(),
                        specs.iter().map(|s| s.key).collect::<Vec<_>>().join("、")
                    ),
                });
            }
        }
        match events::parse(kind, &cells_of(&values)) {
            Ok(input) => parsed.push((i, input)),
            Err(problems) => {
                for (k, reason) in problems {
                    errors.push(ImportError {
                        sheet: kind.code().into(),
                        row: i as u32 + 1,
                        column: header(k),
                        value: values.get(k).cloned().unwrap_or_default(),
                        reason,
                    });
                }
            }
        }
    }
    let mut writer = scope.writer(&state).await?;
    let inputs: Vec<EventInput> = parsed.iter().map(|(_, i)| i.clone()).collect();
    let ids = match store::resolve_enterprises(writer.read(), scope.zone_id(), &inputs).await {
        Ok(ids) => ids,
        Err(problems) => {
            for (index, k, reason) in problems {
                errors.push(ImportError {
                    sheet: kind.code().into(),
                    row: parsed[index].0 as u32 + 1,
                    column: header(k),
                    value: inputs[index].uscc.clone(),
                    reason,
                });
            }
            Vec::new()
        }
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(RowErrors { errors })).into_response());
    }
    let rows: Vec<(i64, EventInput)> = ids.into_iter().zip(inputs).collect();
    let counts = store::save_events(&mut writer, scope.zone_id(), kind, &rows).await?;
    writer.commit().await?;
    Ok(Json(counts).into_response())
}

/// A payment batch.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchDto {
    pub id: i64,
    pub year: i32,
    pub title: String,
    /// `draft`, `submitted`, `approved`.
    pub status: String,
    pub line_count: i64,
    /// Yuan, lines not excluded.
    pub total: String,
    pub input_hash: String,
    #[schema(value_type = Object)]
    pub policy_versions: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/batches", tag = "policies", params(PageParams),
    responses((status = 200, body = [BatchDto]), (status = 403, body = ErrorBody)))]
pub async fn api_batches(
    State(state): State<AppState>,
    scope: Scope,
    Q(p): Q<PageParams>,
) -> AppResult<Json<Vec<BatchDto>>> {
    let (rows, _) = store::list_batches(&state.db, &scope, &p).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BatchDto {
                id: b.id,
                year: b.year,
                title: b.title,
                status: b.status,
                line_count: b.line_count,
                total: format!("{:.2}", Decimal::new(b.total, 2)),
                input_hash: b.input_hash,
                policy_versions: serde_json::from_str(&b.policy_versions).unwrap_or_default(),
            })
            .collect(),
    ))
}

/// An award line.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LineDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub event_id: Option<i64>,
    pub policy: String,
    pub award: String,
    pub award_name: String,
    pub article: String,
    /// Yuan, 2 decimals.
    pub amount: String,
    pub excluded: bool,
    pub exclude_reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/batches/{id}/lines", tag = "policies", params(("id" = i64, Path)),
    responses((status = 200, body = [LineDto]), (status = 404, body = ErrorBody)))]
pub async fn api_batch_lines(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<Vec<LineDto>>> {
    let b = store::get_batch(state.db.conn(), scope.zone_id(), id).await?;
    Ok(Json(
        store::batch_lines(state.db.conn(), scope.zone_id(), b.id)
            .await?
            .into_iter()
            .map(|l| LineDto {
                id: l.id,
                enterprise_id: l.enterprise_id,
                event_id: l.event_id,
                policy: l.policy_id,
                award: l.award_id,
                award_name: l.award_name,
                article: l.article_id,
                amount: format!("{:.2}", Decimal::new(l.amount, 2)),
                excluded: l.excluded,
                exclude_reason: l.exclude_reason,
            })
            .collect(),
    ))
}

/// An award line's explanation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExplainDto {
    pub line_id: i64,
    pub batch_id: i64,
    pub batch_status: String,
    /// Yuan, 2 decimals.
    pub amount: String,
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/awards/{id}/explain", tag = "policies", params(("id" = i64, Path)),
    responses((status = 200, body = ExplainDto), (status = 404, body = ErrorBody)))]
pub async fn api_explain(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<ExplainDto>> {
    let (l, b) = store::visible_line(&state.db, &scope, id).await?;
    let n = store::explanation(&l)?;
    Ok(Json(ExplainDto {
        line_id: l.id,
        batch_id: b.id,
        batch_status: b.status,
        amount: format!("{:.2}", Decimal::new(l.amount, 2)),
        explanation: serde_json::to_value(n).expect("an explanation serialises"),
    }))
}

/// One case for the calculator: the event kind it is (none: the year's facts) and the values
/// of rule variables by name (missing: 0 / empty).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CalculateCase {
    pub on: Option<String>,
    #[schema(value_type = Object)]
    pub values: HashMap<String, serde_json::Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CalculateRequest {
    pub year: i32,
    pub cases: Vec<CalculateCase>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalculateResponse {
    /// Yuan, 2 decimals.
    pub total: String,
    #[schema(value_type = Vec<Object>)]
    pub awards: Vec<Explanation>,
}

/// 政策计算器: what the zone's policies in use would pay for these cases (nothing is saved;
/// application awards included). Per-recipient caps apply over the cases posted together.
#[utoipa::path(post, path = "/api/v1/policy/calculate", tag = "policies", request_body = CalculateRequest,
    responses((status = 200, body = CalculateResponse), (status = 422, body = ErrorBody)))]
pub async fn api_calculate(
    State(state): State<AppState>,
    scope: Scope,
    gaoxin_platform::web::ApiJson(body): gaoxin_platform::web::ApiJson<CalculateRequest>,
) -> AppResult<Json<CalculateResponse>> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    let mut evaluator = Evaluator::new(&set.policies, body.year).map_err(|m| AppError::field("year", m))?;
    let mut notes = Vec::new();
    let mut row = vec![Value::Num(Decimal::ZERO); set.slots.len()];
    let period_year: std::collections::HashSet<&str> = set
        .policies
        .iter()
        .flat_map(|p| p.variables.iter())
        .filter(|v| {
            v.from
                .is_some_and(|f| f.origin == gaoxin_rules::sources::Origin::PeriodYear)
        })
        .map(|v| v.name.as_str())
        .collect();
    for (i, case) in body.cases.iter().enumerate() {
        let of = match case.on.as_deref() {
            None | Some("") | Some("facts") => CaseOf::Facts,
            Some(code) => CaseOf::Event(
                EventKind::parse(code)
                    .ok_or_else(|| AppError::field("on", format!("第 {} 个案例：事件类型“{code}”未知", i + 1)))?,
            ),
        };
        for (name, slot) in &set.slots {
            let raw = match case.values.get(name) {
                // Left out: the year evaluated for `period.year`, the first day of the year for a
                // date, else "did not happen" (0, false, empty) — as in rule tests and CSVs.
                None | Some(serde_json::Value::Null) if period_year.contains(name.as_str()) => body.year.to_string(),
                None | Some(serde_json::Value::Null) if set.kinds[name] == gaoxin_rules::policy::VarKind::Date => {
                    format!("{}-01-01", body.year)
                }
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                Some(other) => other.to_string(),
            };
            row[*slot] = set.kinds[name]
                .read(&raw)
                .map_err(|m| AppError::field(name, format!("第 {} 个案例的 {name}：{m}", i + 1)))?;
        }
        for name in case.values.keys() {
            if !set.slots.contains_key(name) {
                return Err(AppError::field(
                    name,
                    format!("第 {} 个案例：没有名为“{name}”的规则变量", i + 1),
                ));
            }
        }
        evaluator
            .case_of(of, "calculator", &row, i + 1, Some(&mut notes))
            .map_err(|f| AppError::field("values", format!("第 {} 个案例：{}", i + 1, f.message)))?;
    }
    let outcome = evaluator.finish();
    let total = outcome.totals.first().map(|(_, t)| *t).unwrap_or_default();
    notes.retain(|n| n.amount != "0.00");
    Ok(Json(CalculateResponse {
        total: format!("{total:.2}"),
        awards: notes,
    }))
}

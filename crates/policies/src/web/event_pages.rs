//! The events pages (兑现依据): the list with its filters, the form for one event, deletion,
//! and the .xlsx template and import of one kind's events.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::{ctx_base, kind_choices};
use crate::compute::yuan;
use crate::event_entity::Model as Event;
use crate::events::{self, EventInput};
use crate::store::{self, EventFilter, SaveCounts};
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_core::tabular::Cell;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ImportError};
use gaoxin_platform::uploads::read_multipart;
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, Pager, Q, WebForm, finish, render, xlsx_download};
use gaoxin_rules::sources::{EventColumn, EventKind};

/// One event as listed.
struct EventRow {
    e: Event,
    kind: &'static str,
    enterprise: String,
    enterprise_id: i64,
    details: String,
}

pub(super) fn event_details(e: &Event) -> String {
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

pub(super) async fn events_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(f): Q<EventFilter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    Ok(render(&events_listing(&state, &scope, ctx, f, raw.as_deref()).await?))
}

#[derive(Deserialize)]
pub(super) struct KindQuery {
    kind: Option<String>,
}

pub(super) fn kind_of(code: Option<&str>) -> AppResult<EventKind> {
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

pub(super) async fn event_form(ctx: PageCtx, Q(q): Q<KindQuery>) -> AppResult<Response> {
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

pub(super) fn cells_of(values: &HashMap<String, String>) -> HashMap<&'static str, Cell> {
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

pub(super) async fn event_create(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(values): WebForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let kind = kind_of(values.get("kind").map(String::as_str))?;
    let by = store::Registrant::of(state.db.conn(), &scope).await?;
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
        let counts = store::save_events(&mut writer, scope.zone_id(), kind, &[(ids[0], input)], by)
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

pub(super) async fn event_delete(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let e = store::get_event(&state.db, &scope, id).await?;
    // The department that registered it, or the one that holds policies (issue 17, finding 5).
    duties::ensure(
        state.db.conn(),
        &scope,
        &[Owner::Department(e.department_id), Owner::Duty(Duty::Policies)],
    )
    .await?;
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

pub(super) async fn event_template(Q(q): Q<KindQuery>) -> AppResult<Response> {
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
    let sheets = settings::read_upload(conn, zone_id, file_name, bytes)
        .await
        .map_err(|reason| vec![file_error(reason)])?;
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

pub(super) async fn event_import(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes, fields) = read_multipart(multipart).await?;
    let kind = kind_of(fields.get("kind").map(String::as_str))?;
    let by = store::Registrant::of(state.db.conn(), &scope).await?;
    let mut writer = scope.writer(&state).await?;
    match parse_event_file(writer.read(), scope.zone_id(), kind, &file_name, &bytes).await {
        Ok(rows) => {
            let counts = store::save_events(&mut writer, scope.zone_id(), kind, &rows, by).await?;
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

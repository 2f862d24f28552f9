//! 快申快享: an enterprise applies for an award paid on application (a statement, the event it
//! is paid on, attachments); the department reviews it — the rules compute the amount and its
//! explanation — and approves it or returns it with a reason; approved applications join the
//! year's payment batch.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::application_entity::{self as application, Model as Application};
use super::attachment_entity::{self as attachment, Model as Attachment};
use super::compute::{self, yuan};
use super::event_entity::Model as Event;
use super::status::ApplicationStatus;
use super::store;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ENTERPRISE_USERS};
use gaoxin_core::validate::required_text;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{Id, PageCtx, Q, WebForm, finish, render};
use gaoxin_rules::eval::Explanation;
use gaoxin_rules::sources::EventKind;

/// Largest attachment, and how many one application may carry.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
pub const ATTACHMENT_MAX_COUNT: usize = 10;

pub fn routes() -> Routes {
    Routes::new()
        .get("/policies/applications", Access::Roles(ENTERPRISE_READERS), list_page)
        .get("/policies/applications/new", Access::Roles(ENTERPRISE_USERS), new_page)
        .upload("/policies/applications", Access::Roles(ENTERPRISE_USERS), submit)
        .get(
            "/policies/applications/{id}",
            Access::Roles(ENTERPRISE_READERS),
            detail_page,
        )
        .post(
            "/policies/applications/{id}/approve",
            Access::Roles(DEPARTMENT_EDITORS),
            approve_form,
        )
        .post(
            "/policies/applications/{id}/return",
            Access::Roles(DEPARTMENT_EDITORS),
            return_form,
        )
        .get(
            "/policies/attachments/{id}",
            Access::Roles(ENTERPRISE_READERS),
            download,
        )
}

// ---------------------------------------------------------------- store

/// An award paid on application, as offered to enterprises.
#[derive(Clone, Debug)]
pub struct Offer {
    /// `policy:award`
    pub code: String,
    pub policy: String,
    pub award: String,
    pub label: String,
    pub on: Option<EventKind>,
}

pub async fn offers(state: &AppState, zone_id: i64) -> AppResult<Vec<Offer>> {
    let versions = store::active_versions(state.db.conn(), zone_id).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    Ok(set
        .policies
        .iter()
        .flat_map(|p| {
            p.awards.iter().filter(|a| !a.without_application).map(|a| Offer {
                code: format!("{}:{}", p.id, a.id),
                policy: p.id.clone(),
                award: a.id.clone(),
                label: format!("{} · {}", p.document_number, a.name),
                on: a.on,
            })
        })
        .collect())
}

fn visible(scope: &Scope) -> sea_orm::Select<application::Entity> {
    let q = scope.select::<application::Entity>();
    match scope.own_enterprise() {
        Some(id) => q.filter(application::Column::EnterpriseId.eq(id)),
        None => q,
    }
}

pub async fn get(state: &AppState, scope: &Scope, id: i64) -> AppResult<Application> {
    visible(scope)
        .filter(application::Column::Id.eq(id))
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// What an enterprise submits.
pub struct NewApplication {
    pub offer: String,
    pub year: String,
    pub event: Option<i64>,
    pub statement: String,
    /// (file name, bytes)
    pub files: Vec<(String, Vec<u8>)>,
}

pub async fn create(
    writer: &mut Writer,
    offers: &[Offer],
    zone_id: i64,
    enterprise_id: i64,
    account_id: i64,
    input: NewApplication,
) -> AppResult<Application> {
    let offer = offers
        .iter()
        .find(|o| o.code == input.offer)
        .ok_or_else(|| AppError::field("offer", "请选择一项须申请的政策奖励"))?;
    let year: i32 = input
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::field("year", "年度应为四位数字，如 2024"))?;
    let statement = required_text("statement", "申请说明", &input.statement, 2000)?;
    let event: Option<Event> = match (offer.on, input.event) {
        (None, _) => None,
        (Some(kind), None) => {
            return Err(AppError::field(
                "event",
                format!("该奖励按“{}”兑现：请选择本单位登记的一条{}", kind.label(), kind.label()),
            ));
        }
        (Some(kind), Some(id)) => {
            let e = super::event_entity::Entity::find_by_id(id)
                .filter(super::event_entity::Column::ZoneId.eq(zone_id))
                .filter(super::event_entity::Column::EnterpriseId.eq(enterprise_id))
                .one(writer.read())
                .await?
                .ok_or_else(|| AppError::field("event", "没有这条事件，或它不属于本单位"))?;
            if e.kind != kind.code() || e.year != year {
                return Err(AppError::field(
                    "event",
                    format!("所选事件应为 {year} 年的{}", kind.label()),
                ));
            }
            Some(e)
        }
    };
    if input.files.len() > ATTACHMENT_MAX_COUNT {
        return Err(AppError::field("files", format!("附件最多 {ATTACHMENT_MAX_COUNT} 个")));
    }
    for (name, bytes) in &input.files {
        if gaoxin_platform::uploads::content_type_of(name).is_none() {
            return Err(AppError::field(
                "files",
                format!("附件“{name}”的类型不支持（可用 PDF、图片、Word、Excel）"),
            ));
        }
        if bytes.len() > ATTACHMENT_MAX_BYTES {
            return Err(AppError::field("files", format!("附件“{name}”超过 10 MB")));
        }
    }
    let open = application::Entity::find()
        .filter(application::Column::ZoneId.eq(zone_id))
        .filter(application::Column::EnterpriseId.eq(enterprise_id))
        .filter(application::Column::PolicyId.eq(offer.policy.clone()))
        .filter(application::Column::AwardId.eq(offer.award.clone()))
        .filter(application::Column::Year.eq(year))
        .filter(application::Column::Status.ne(ApplicationStatus::Returned.code()))
        .all(writer.read())
        .await?;
    if open.iter().any(|a| a.event_id == event.as_ref().map(|e| e.id)) {
        return Err(AppError::Conflict(
            "已就同一奖励、同一年度（同一事件）提出过申请".into(),
        ));
    }
    let created = writer
        .insert_in_zone(application::ActiveModel {
            enterprise_id: Set(enterprise_id),
            year: Set(year),
            policy_id: Set(offer.policy.clone()),
            award_id: Set(offer.award.clone()),
            award_name: Set(offer.label.chars().take(200).collect()),
            event_id: Set(event.map(|e| e.id)),
            statement: Set(statement),
            status: Set(ApplicationStatus::Submitted.code().into()),
            submitted_by: Set(account_id),
            ..Default::default()
        })
        .await?;
    for (name, bytes) in input.files {
        writer
            .insert_in_zone(attachment::ActiveModel {
                application_id: Set(created.id),
                content_type: Set(gaoxin_platform::uploads::content_type_of(&name)
                    .unwrap_or("application/octet-stream")
                    .into()),
                file_name: Set(name.chars().take(200).collect()),
                size: Set(bytes.len() as i64),
                data: Set(bytes),
                ..Default::default()
            })
            .await?;
    }
    Ok(created)
}

/// What the rules give this application now: the amount and its explanation (None: the
/// condition does not hold, or the amount is 0).
pub async fn assess<C: ConnectionTrait>(conn: &C, a: &Application) -> AppResult<Option<compute::Line>> {
    let versions = store::active_versions(conn, a.zone_id).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    let (facts, events, paid) = store::gather(conn, a.zone_id, a.year, Some(a.enterprise_id)).await?;
    if !set.policies.iter().any(|p| p.in_force(a.year)) {
        return Ok(None);
    }
    let computed = compute::compute(&set, a.year, &facts, &events, &paid).map_err(AppError::BadRequest)?;
    Ok(computed
        .lines
        .into_iter()
        .find(|l| l.policy == a.policy_id && l.award == a.award_id && l.event_id == a.event_id))
}

/// Approves a submitted application at the amount the rules give now, keeping their
/// explanation; an application the rules give nothing is refused.
pub async fn approve(writer: &mut Writer, a: &Application, reviewer: i64) -> AppResult<Application> {
    if !awaits_review(a) {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    let line = assess(writer.read(), a).await?.ok_or_else(|| {
        AppError::Conflict("按规则计算，该申请不符合条件或金额为 0，不能批准；可退回并说明理由".into())
    })?;
    let mut m = a.clone().into_active_model();
    m.status = Set(ApplicationStatus::Approved.code().into());
    m.amount = Set(Some(line.amount));
    m.explanation = Set(Some(
        serde_json::to_string(&line.explanation).expect("an explanation serialises"),
    ));
    m.reviewed_by = Set(Some(reviewer));
    Ok(writer.update_in_zone(a, m).await?)
}

/// Returns a submitted application to the enterprise with a reason.
pub async fn send_back(writer: &mut Writer, a: &Application, reviewer: i64, note: &str) -> AppResult<Application> {
    if !awaits_review(a) {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    let note = required_text("note", "退回理由", note, 500)?;
    let mut m = a.clone().into_active_model();
    m.status = Set(ApplicationStatus::Returned.code().into());
    m.review_note = Set(Some(note));
    m.reviewed_by = Set(Some(reviewer));
    Ok(writer.update_in_zone(a, m).await?)
}

/// Whether the application still awaits the department's decision.
fn awaits_review(a: &Application) -> bool {
    ApplicationStatus::of(&a.status) == Some(ApplicationStatus::Submitted)
}

// ---------------------------------------------------------------- pages

struct Row {
    a: Application,
    enterprise: String,
    /// The status's label.
    status: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    own: bool,
    /// The status filtered on (a code; empty: all).
    status: String,
    /// The statuses to filter on.
    statuses: &'static [ApplicationStatus],
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ListQuery>,
) -> AppResult<Response> {
    let mut query = visible(&scope).order_by_desc(application::Column::Id);
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(application::Column::Status.eq(s));
    }
    let list = query.all(state.db.conn()).await?;
    let names = store::enterprises_by_id(&state.db, &scope, list.iter().map(|a| a.enterprise_id)).await?;
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.policies", "/policies").crumb("policy.applications", ""),
        rows: list
            .into_iter()
            .map(|a| Row {
                enterprise: names.get(&a.enterprise_id).map(|e| e.name.clone()).unwrap_or_default(),
                status: ApplicationStatus::label_of(&a.status).to_string(),
                amount: a.amount.map(yuan).unwrap_or_default(),
                a,
            })
            .collect(),
        own: scope.own_enterprise().is_some(),
        status: q.status.unwrap_or_default(),
        statuses: ApplicationStatus::ALL,
    }))
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct FormPage {
    ctx: PageCtx,
    offers: Vec<Offer>,
    events: Vec<(i64, String)>,
    offer: String,
    year: String,
    statement: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    offer: Option<String>,
    year: Option<String>,
}

async fn own_events(
    state: &AppState,
    scope: &Scope,
    offer: Option<&Offer>,
    year: &str,
) -> AppResult<Vec<(i64, String)>> {
    let (Some(kind), Ok(year)) = (offer.and_then(|o| o.on), year.trim().parse::<i32>()) else {
        return Ok(Vec::new());
    };
    let (events, _) = store::search_events(
        &state.db,
        scope,
        &store::EventFilter {
            kind: Some(kind.code().into()),
            year: Some(year),
            per_page: Some(100),
            ..Default::default()
        },
    )
    .await?;
    Ok(events
        .into_iter()
        .map(|(e, _)| (e.id, format!("{} {}（{}）", kind.label(), e.reference, e.occurred_on)))
        .collect())
}

async fn new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Q(q): Q<NewQuery>) -> AppResult<Response> {
    let offers = offers(&state, scope.zone_id()).await?;
    let offer = q
        .offer
        .clone()
        .unwrap_or_else(|| offers.first().map(|o| o.code.clone()).unwrap_or_default());
    let year = q.year.clone().unwrap_or_else(|| (scope.year() - 1).to_string());
    let events = own_events(&state, &scope, offers.iter().find(|o| o.code == offer), &year).await?;
    Ok(render(&FormPage {
        ctx: ctx
            .crumb("nav.policies", "/policies")
            .crumb("policy.applications", "/policies/applications")
            .crumb("policy.apply", ""),
        offers,
        events,
        offer,
        year,
        statement: String::new(),
        error: None,
    }))
}

async fn submit(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    let (fields, files) = gaoxin_platform::uploads::read_form(multipart, "files").await?;
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let offers = offers(&state, scope.zone_id()).await?;
    let enterprise_id = scope.own_enterprise().ok_or(AppError::Forbidden)?;
    let input = NewApplication {
        offer: field("offer"),
        year: field("year"),
        event: field("event").trim().parse().ok(),
        statement: field("statement"),
        files,
    };
    let mut writer = scope.writer(&state).await?;
    match create(
        &mut writer,
        &offers,
        scope.zone_id(),
        enterprise_id,
        scope.caller().account_id,
        input,
    )
    .await
    {
        Ok(a) => {
            writer.commit().await?;
            let next = format!("/policies/applications/{}", a.id);
            finish(
                &state,
                &headers,
                &next,
                Ok((next.clone(), "申请已提交，等待部门审核".into())),
            )
        }
        Err(AppError::Validation { message, .. } | AppError::Conflict(message)) => {
            drop(writer);
            let offer = field("offer");
            let events = own_events(&state, &scope, offers.iter().find(|o| o.code == offer), &field("year")).await?;
            let mut response = render(&FormPage {
                ctx: ctx
                    .crumb("nav.policies", "/policies")
                    .crumb("policy.applications", "/policies/applications")
                    .crumb("policy.apply", ""),
                offers,
                events,
                offer,
                year: field("year"),
                statement: field("statement"),
                error: Some(message),
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "application.html")]
struct DetailPage {
    ctx: PageCtx,
    a: Application,
    enterprise: String,
    /// The status's label.
    status: String,
    attachments: Vec<(i64, String, String)>,
    event: String,
    /// The rules' answer: the amount and explanation (approved: as approved; submitted: now).
    assessed: Option<(String, Explanation)>,
    can_review: bool,
}

async fn detail_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let a = get(&state, &scope, id).await?;
    let names = store::enterprises_by_id(&state.db, &scope, std::iter::once(a.enterprise_id)).await?;
    let attachments: Vec<Attachment> = attachment::Entity::find()
        .filter(attachment::Column::ZoneId.eq(scope.zone_id()))
        .filter(attachment::Column::ApplicationId.eq(a.id))
        .all(state.db.conn())
        .await?;
    let event = match a.event_id {
        Some(eid) => store::get_event(&state.db, &scope, eid)
            .await
            .map(|e| {
                format!(
                    "{} {}（{}）",
                    EventKind::parse(&e.kind).map(|k| k.label()).unwrap_or(""),
                    e.reference,
                    e.occurred_on
                )
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let can_review = DEPARTMENT_EDITORS.contains(scope.role()) && awaits_review(&a);
    let assessed = match (&a.explanation, a.amount) {
        (Some(json), Some(amount)) => serde_json::from_str(json).ok().map(|n| (yuan(amount), n)),
        _ if scope.own_enterprise().is_none() => assess(state.db.conn(), &a)
            .await?
            .map(|l| (yuan(l.amount), l.explanation)),
        _ => None,
    };
    Ok(render(&DetailPage {
        ctx: ctx
            .crumb("nav.policies", "/policies")
            .crumb("policy.applications", "/policies/applications")
            .crumb_text(format!("#{}", a.id), ""),
        enterprise: names.get(&a.enterprise_id).map(|e| e.name.clone()).unwrap_or_default(),
        status: ApplicationStatus::label_of(&a.status).to_string(),
        attachments: attachments
            .into_iter()
            .map(|f| (f.id, f.file_name, format!("{:.1} KB", f.size as f64 / 1024.0)))
            .collect(),
        event,
        assessed,
        can_review,
        a,
    }))
}

async fn decide(
    state: &AppState,
    scope: &Scope,
    headers: &HeaderMap,
    id: i64,
    note: Option<&str>,
) -> AppResult<Response> {
    let a = get(state, scope, id).await?;
    let mut writer = scope.writer(state).await?;
    let at = format!("/policies/applications/{id}");
    let result = async {
        let a = match note {
            None => approve(&mut writer, &a, scope.caller().account_id).await?,
            Some(n) => send_back(&mut writer, &a, scope.caller().account_id, n).await?,
        };
        writer.commit().await?;
        let message = if ApplicationStatus::of(&a.status) == Some(ApplicationStatus::Approved) {
            format!(
                "已批准，{} 元将列入 {} 年度兑现批次",
                a.amount.map(yuan).unwrap_or_default(),
                a.year
            )
        } else {
            "已退回".to_string()
        };
        Ok((at.clone(), message))
    }
    .await;
    finish(state, headers, &at, result)
}

async fn approve_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    decide(&state, &scope, &headers, id, None).await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn return_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<NoteForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    decide(&state, &scope, &headers, id, Some(&form.note)).await
}

async fn download(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Response> {
    let f = attachment::Entity::find_by_id(id)
        .filter(attachment::Column::ZoneId.eq(scope.zone_id()))
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    // The enterprise user may only fetch its own applications' files.
    get(&state, &scope, f.application_id).await?;
    gaoxin_platform::web::file_download(f.data, &f.content_type, "attachment", &f.file_name)
}

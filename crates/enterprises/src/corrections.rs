//! Corrections: an enterprise user proposes a change to its own registry record (它最清楚自己的
//! 联系电话、地址), a department reviews it, and an approved change goes through the same
//! validation and audited write path as every other change.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use sea_orm::{ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::carrier_entity as carrier;
use super::correction_entity::{self as correction, Model as Correction};
use super::domain::{ENTERPRISE_COLUMNS, EnterpriseRecord, parse_enterprise};
use super::entity::{self as enterprise, Model as Enterprise};
use super::import::{enterprise_cells, record_of};
use super::status::{CarrierKind, CorrectionStatus};
use super::store;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, Role, RoleSet, ZONE_READERS};
use gaoxin_core::tabular::Cell;
use gaoxin_core::validate::required_text;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{Id, PageCtx, Q, WebForm, finish, render};

const ENTERPRISE_USERS: RoleSet = RoleSet::of(&[Role::Enterprise]);

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/enterprises/{id}/corrections",
            Access::Roles(ENTERPRISE_USERS),
            propose_form,
        )
        .get("/enterprises/corrections", Access::Roles(ZONE_READERS), list_page)
        .post(
            "/enterprises/corrections/{id}/approve",
            Access::Roles(DEPARTMENT_EDITORS),
            approve_form,
        )
        .post(
            "/enterprises/corrections/{id}/reject",
            Access::Roles(DEPARTMENT_EDITORS),
            reject_form,
        )
}

/// The fields an enterprise may propose a correction to (everything but the code itself).
pub fn correctable() -> impl Iterator<Item = (&'static str, &'static str)> {
    ENTERPRISE_COLUMNS
        .iter()
        .filter(|c| c.key != "uscc")
        .map(|c| (c.key, c.header))
}

/// The template header of a column key.
pub fn header_of(key: &str) -> &'static str {
    ENTERPRISE_COLUMNS
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.header)
        .unwrap_or("")
}

/// The record with one field replaced by `value` (as typed), validated like an import cell.
fn with_field(current: &EnterpriseRecord, key: &str, value: &str) -> Result<EnterpriseRecord, AppError> {
    let mut cells: HashMap<&str, Cell> = ENTERPRISE_COLUMNS
        .iter()
        .zip(enterprise_cells(current))
        .map(|(spec, (_, shown))| {
            (
                spec.key,
                if shown.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(shown)
                },
            )
        })
        .collect();
    cells.insert(
        key,
        if value.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value.to_string())
        },
    );
    parse_enterprise(&cells).map_err(|problems| {
        let message = problems
            .into_iter()
            .map(|(k, reason)| format!("{}：{reason}", header_of(k)))
            .collect::<Vec<_>>()
            .join("；");
        AppError::field("proposed_value", message)
    })
}

async fn carrier_map(writer: &Writer, zone_id: i64) -> Result<HashMap<i64, String>, AppError> {
    Ok(carrier::Entity::find()
        .filter(carrier::Column::ZoneId.eq(zone_id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

use sea_orm::EntityTrait;

/// Records a proposal after checking that the value would be accepted.
pub async fn propose(
    writer: &mut Writer,
    e: &Enterprise,
    account_id: i64,
    field: &str,
    value: &str,
    reason: &str,
) -> Result<Correction, AppError> {
    if !correctable().any(|(k, _)| k == field) {
        return Err(AppError::field("field", "该项不能由企业提出更正"));
    }
    let reason = required_text("reason", "更正理由", reason, 500)?;
    let value = value.trim();
    if value.chars().count() > 500 {
        return Err(AppError::field("proposed_value", "更正内容最多 500 字"));
    }
    let carriers = carrier_map(writer, e.zone_id).await?;
    let current = record_of(e, &carriers);
    let after = with_field(&current, field, value)?;
    let shown = |r: &EnterpriseRecord| {
        enterprise_cells(r)
            .into_iter()
            .find(|(h, _)| *h == header_of(field))
            .map(|(_, v)| v)
            .unwrap_or_default()
    };
    if shown(&current) == shown(&after) {
        return Err(AppError::field("proposed_value", "更正内容与现有信息相同"));
    }
    Ok(writer
        .insert_in_zone(correction::ActiveModel {
            enterprise_id: Set(e.id),
            field: Set(field.to_string()),
            current_value: Set(Some(shown(&current)).filter(|s| !s.is_empty())),
            proposed_value: Set(value.to_string()),
            reason: Set(reason),
            status: Set(CorrectionStatus::Pending.code().into()),
            proposed_by: Set(account_id),
            reviewed_by: Set(None),
            review_note: Set(None),
            ..Default::default()
        })
        .await?)
}

/// Applies a pending correction to the enterprise (validated again against today's record).
pub async fn approve(writer: &mut Writer, c: &Correction, reviewer: i64) -> Result<Enterprise, AppError> {
    if CorrectionStatus::of(&c.status) != Some(CorrectionStatus::Pending) {
        return Err(AppError::Conflict("该更正已处理".into()));
    }
    let e = enterprise::Entity::find_by_id(c.enterprise_id)
        .filter(enterprise::Column::ZoneId.eq(c.zone_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut carriers = carrier_map(writer, e.zone_id).await?;
    let after = with_field(&record_of(&e, &carriers), &c.field, &c.proposed_value)?;
    let carrier_id = match &after.carrier {
        None => None,
        Some(name) => match carriers.iter().find(|(_, n)| *n == name).map(|(id, _)| *id) {
            Some(id) => Some(id),
            None => {
                let created = writer
                    .insert_in_zone(carrier::ActiveModel {
                        name: Set(name.clone()),
                        kind: Set(CarrierKind::Building.code().into()),
                        address: Set(None),
                        ..Default::default()
                    })
                    .await?;
                carriers.insert(created.id, created.name.clone());
                Some(created.id)
            }
        },
    };
    let mut active = e.clone().into_active_model();
    super::import::apply_record(&mut active, &after, carrier_id);
    let updated = writer.update_in_zone(&e, active).await?;
    let mut decided = c.clone().into_active_model();
    decided.status = Set(CorrectionStatus::Approved.code().into());
    decided.reviewed_by = Set(Some(reviewer));
    writer.update_in_zone(c, decided).await?;
    Ok(updated)
}

pub async fn reject(writer: &mut Writer, c: &Correction, reviewer: i64, note: &str) -> Result<Correction, AppError> {
    if CorrectionStatus::of(&c.status) != Some(CorrectionStatus::Pending) {
        return Err(AppError::Conflict("该更正已处理".into()));
    }
    let note = required_text("note", "退回理由", note, 500)?;
    let mut decided = c.clone().into_active_model();
    decided.status = Set(CorrectionStatus::Rejected.code().into());
    decided.reviewed_by = Set(Some(reviewer));
    decided.review_note = Set(Some(note));
    Ok(writer.update_in_zone(c, decided).await?)
}

/// The corrections of one enterprise, newest first.
pub async fn of_enterprise(state: &AppState, scope: &Scope, enterprise_id: i64) -> AppResult<Vec<Correction>> {
    Ok(scope
        .select::<correction::Entity>()
        .filter(correction::Column::EnterpriseId.eq(enterprise_id))
        .order_by_desc(correction::Column::Id)
        .all(state.db.conn())
        .await?)
}

#[derive(Deserialize)]
struct ProposeForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    proposed_value: String,
    #[serde(default)]
    reason: String,
}

async fn propose_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ProposeForm>,
) -> AppResult<Response> {
    // `store::get` limits an enterprise user to its own enterprise (404 otherwise).
    let e = store::get(&state.db, &scope, id).await?;
    let back = format!("/enterprises/{id}");
    let mut writer = scope.writer(&state).await?;
    let result = async {
        propose(
            &mut writer,
            &e,
            scope.caller().account_id,
            &form.field,
            &form.proposed_value,
            &form.reason,
        )
        .await?;
        writer.commit().await?;
        Ok((back.clone(), "更正已提交，等待部门审核".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub struct Row {
    pub c: Correction,
    pub enterprise: String,
    pub field: &'static str,
    /// The status's label.
    pub status: &'static str,
    /// Whether it still awaits review (then reviewers see the buttons).
    pub pending: bool,
}

#[derive(Template)]
#[template(path = "corrections.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    /// The status shown: a code, or `all`.
    status: String,
    statuses: &'static [CorrectionStatus],
    can_review: bool,
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
    let status = q.status.unwrap_or_else(|| CorrectionStatus::Pending.code().into());
    let mut select = scope
        .select::<correction::Entity>()
        .order_by_desc(correction::Column::Id);
    if status != "all" {
        select = select.filter(correction::Column::Status.eq(status.clone()));
    }
    let corrections = select.all(state.db.conn()).await?;
    let mut rows = Vec::new();
    for c in corrections {
        let name = store::get(&state.db, &scope, c.enterprise_id)
            .await
            .map(|e| e.name)
            .unwrap_or_default();
        rows.push(Row {
            enterprise: name,
            field: header_of(&c.field),
            status: CorrectionStatus::shown(&c.status),
            pending: CorrectionStatus::of(&c.status) == Some(CorrectionStatus::Pending),
            c,
        });
    }
    Ok(render(&ListPage {
        ctx: ctx
            .crumb("nav.enterprises", "/enterprises")
            .crumb("enterprise.corrections", ""),
        rows,
        status,
        statuses: CorrectionStatus::ALL,
        can_review: DEPARTMENT_EDITORS.contains(scope.role()),
    }))
}

async fn load(state: &AppState, scope: &Scope, id: i64) -> AppResult<Correction> {
    scope
        .select::<correction::Entity>()
        .filter(correction::Column::Id.eq(id))
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

async fn approve_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let c = load(&state, &scope, id).await?;
    registry_holder(&state, &scope).await?;
    let mut writer = scope.writer(&state).await?;
    let result = async {
        let e = approve(&mut writer, &c, scope.caller().account_id).await?;
        writer.commit().await?;
        Ok((BACK.to_string(), format!("已采纳更正：{}", e.name)))
    }
    .await;
    finish(&state, &headers, BACK, result)
}

#[derive(Deserialize)]
struct RejectForm {
    #[serde(default)]
    note: String,
}

async fn reject_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Path(id): Path<String>,
    WebForm(form): WebForm<RejectForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let c = load(&state, &scope, id).await?;
    registry_holder(&state, &scope).await?;
    let mut writer = scope.writer(&state).await?;
    let result = async {
        reject(&mut writer, &c, scope.caller().account_id, &form.note).await?;
        writer.commit().await?;
        Ok((BACK.to_string(), "已退回更正".to_string()))
    }
    .await;
    finish(&state, &headers, BACK, result)
}

/// Corrections are decided by the department that holds the registry (or the admin).
async fn registry_holder(state: &AppState, scope: &Scope) -> AppResult<()> {
    use gaoxin_platform::departments::duties::{Duty, Owner, ensure};
    ensure(state.db.conn(), scope, &[Owner::Duty(Duty::Registry)]).await
}

/// Where reviewers return after deciding on a correction.
const BACK: &str = "/enterprises/corrections";

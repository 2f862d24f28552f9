//! The 免申即享 batches pages: the list and a new run, one batch with its lines (exclude or
//! include a line), the workflow (recompute, discard, submit, approve, return), the .xlsx
//! export, and the comparison with a recomputation.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{DiffView, ctx_base, diff_views};
use crate::batch_entity::Model as Batch;
use crate::compute::{wan, yuan};
use crate::line_entity::Model as Line;
use crate::status::BatchStatus;
use crate::store;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, LEADERS};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, render, xlsx_download};
use gaoxin_rules::eval::Explanation;

struct BatchRow {
    b: Batch,
    /// The status's label.
    status: String,
    total: String,
}

fn batch_row(b: Batch) -> BatchRow {
    BatchRow {
        status: BatchStatus::label_of(&b.status).to_string(),
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

pub(super) async fn batches_page(
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
pub(super) struct NewBatch {
    year: String,
    #[serde(default)]
    title: String,
}

pub(super) async fn batch_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<NewBatch>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
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
pub(super) struct LineQuery {
    q: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    ctx: PageCtx,
    b: Batch,
    /// The status's label.
    status: String,
    /// Approved (locked): its lines are paid, not to pay.
    approved: bool,
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

pub(super) async fn batch_page(
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
    let status = BatchStatus::of(&b.status);
    Ok(render(&BatchPage {
        ctx: ctx_base(ctx)
            .crumb("policy.batches", "/policies/batches")
            .crumb_text(format!("#{} {}", b.id, b.title), ""),
        status: BatchStatus::label_of(&b.status).to_string(),
        approved: status == Some(BatchStatus::Approved),
        total: yuan(b.total),
        total_wan: wan(b.total),
        excluded,
        rows: line_rows(page, &names),
        pager: Pager::new(&paging, total, &format!("/policies/batches/{id}"), raw.as_deref()),
        q: text,
        versions,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && status == Some(BatchStatus::Draft),
        can_approve: LEADERS.contains(scope.role()) && status == Some(BatchStatus::Submitted),
        b,
    }))
}

/// What a form on the batch page asks of a draft or submitted batch.
enum BatchAction {
    /// Recompute a draft with the policies in use now.
    Recompute,
    /// Discard a draft.
    Discard,
    /// Move the batch to this status (submit, approve, or return to draft).
    MoveTo(BatchStatus),
}

async fn batch_action(
    state: &AppState,
    scope: &Scope,
    headers: &HeaderMap,
    id: i64,
    action: BatchAction,
    note: Option<&str>,
    done: &str,
) -> AppResult<Response> {
    let mut writer = scope.writer(state).await?;
    let b = store::get_batch(writer.read(), scope.zone_id(), id).await?;
    let at = format!("/policies/batches/{id}");
    let result = async {
        let next = match action {
            BatchAction::Recompute => store::recompute_batch(&mut writer, &b).await.map(|_| at.clone())?,
            BatchAction::Discard => store::discard_batch(&mut writer, &b)
                .await
                .map(|_| "/policies/batches".to_string())?,
            BatchAction::MoveTo(to) => store::move_batch(&mut writer, &b, to, scope.caller().account_id, note)
                .await
                .map(|_| at.clone())?,
        };
        writer.commit().await?;
        Ok((next, done.to_string()))
    }
    .await;
    finish(state, headers, &at, result)
}

pub(super) async fn batch_recompute(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        BatchAction::Recompute,
        None,
        "已按现行规则和最新数据重新计算（剔除记录已保留）",
    )
    .await
}

pub(super) async fn batch_discard(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        BatchAction::Discard,
        None,
        "已作废该草稿批次",
    )
    .await
}

pub(super) async fn batch_submit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    batch_action(
        &state,
        &scope,
        &headers,
        id,
        BatchAction::MoveTo(BatchStatus::Submitted),
        None,
        "已提交领导审批",
    )
    .await
}

pub(super) async fn batch_approve(
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
        BatchAction::MoveTo(BatchStatus::Approved),
        None,
        "已批准，批次已锁定，可导出兑现清单",
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn batch_return(
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
        BatchAction::MoveTo(BatchStatus::Draft),
        Some(&form.note),
        "已退回经办部门",
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct ReasonForm {
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

pub(super) async fn line_exclude(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    line_change(&state, &scope, &headers, id, Some(&form.reason)).await
}

pub(super) async fn line_include(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Policies)]).await?;
    line_change(&state, &scope, &headers, id, None).await
}

pub(super) async fn batch_export(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Response> {
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
    let state_word = if BatchStatus::of(&b.status) == Some(BatchStatus::Approved) {
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

pub(super) async fn batch_diff_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
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

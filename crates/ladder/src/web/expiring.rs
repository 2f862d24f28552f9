//! Recognitions whose validity ends soon (认定到期提醒): the page and its .xlsx export; the
//! rows are shared with the API.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::store;
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{Cell as XCell, PageCtx, Q, render, xlsx_download};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// Days ahead (default 180, at most 1095).
    pub days: Option<i64>,
    /// The first day (default today).
    pub from: Option<NaiveDate>,
}

impl ExpiringQuery {
    fn days(&self) -> i64 {
        self.days.unwrap_or(180).clamp(1, 1095)
    }

    fn from(&self, today: NaiveDate) -> NaiveDate {
        self.from.unwrap_or(today)
    }
}

/// A recognition about to expire, with its enterprise and the tier's name.
pub(super) struct ExpiringRow {
    pub(super) e: Enterprise,
    pub(super) h: store::HeldRecognition,
    pub(super) tier: String,
}

#[derive(Template)]
#[template(path = "expiring.html")]
struct ExpiringPage {
    ctx: PageCtx,
    days: i64,
    today: NaiveDate,
    rows: Vec<ExpiringRow>,
}

pub(super) async fn expiring_rows(state: &AppState, scope: &Scope, q: &ExpiringQuery) -> AppResult<Vec<ExpiringRow>> {
    Ok(store::expiring(&state.db, scope, q.from(scope.today()), q.days())
        .await?
        .into_iter()
        .map(|(e, h, tier)| ExpiringRow { e, h, tier })
        .collect())
}

pub(super) async fn expiring_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ExpiringQuery>,
) -> AppResult<Response> {
    Ok(render(&ExpiringPage {
        ctx: ctx.crumb("nav.ladder", "/ladder").crumb("ladder.expiring", ""),
        days: q.days(),
        today: q.from(scope.today()),
        rows: expiring_rows(&state, &scope, &q).await?,
    }))
}

pub(super) async fn expiring_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ExpiringQuery>,
) -> AppResult<Response> {
    let rows = expiring_rows(&state, &scope, &q).await?;
    xlsx_download(
        &format!("认定到期提醒（{}天内）.xlsx", q.days()),
        "到期提醒",
        &[
            "企业名称",
            "统一社会信用代码",
            "认定类别",
            "级别",
            "证书编号",
            "认定日期",
            "有效期至",
            "服务专员",
            "联系电话",
        ],
        rows.into_iter()
            .map(|r| {
                vec![
                    XCell::Text(r.e.name),
                    XCell::Text(r.e.uscc),
                    XCell::Text(r.tier),
                    XCell::Text(r.h.level.unwrap_or_default()),
                    XCell::Text(r.h.reference),
                    XCell::Text(r.h.date.to_string()),
                    XCell::Text(r.h.valid_until.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(r.e.service_officer.unwrap_or_default()),
                    XCell::Text(r.e.phone.unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

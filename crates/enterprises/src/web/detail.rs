//! 一企一档: one enterprise's page — its registry record, annual and innovation data with a
//! chart, corrections, the change history, and other modules' cards.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::fixed;
use super::list::{ListRow, list_row};
use crate::annual_entity as annual;
use crate::correction_entity::Model as Correction;
use crate::corrections;
use crate::entity::Model as Enterprise;
use crate::innovation;
use crate::status::CorrectionStatus;
use crate::store;
use gaoxin_core::clock::datetime_text;
use gaoxin_core::industry;
use gaoxin_core::quantity::Fixed;
use gaoxin_core::roles::{AUDIT_READERS, DEPARTMENT_EDITORS, Role, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::audit::entity::Model as AuditLine;
use gaoxin_platform::audit_log as audit;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::panels::{EnterprisePanels, INNOVATION_CARD_ORDER, PanelSubject};
use gaoxin_platform::web::{Id, PageCtx, PageParams, render};

/// One year's figures as shown, in the template's column order.
pub struct AnnualRow {
    pub year: i32,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    ctx: PageCtx,
    e: Enterprise,
    fields: Vec<(&'static str, String)>,
    industry_path: String,
    annual: Vec<AnnualRow>,
    chart_json: String,
    history: Vec<(String, AuditLine, String)>,
    own: bool,
    corrections: Vec<(&'static str, Correction, &'static str)>,
    correctable: Vec<(&'static str, &'static str)>,
    can_review: bool,
    /// Innovation data by year (创新指标), as shown.
    innovation: Vec<AnnualRow>,
    /// Other modules' cards (培育, 亩均, 奖励 …) before and after the innovation card.
    panels_before: Vec<String>,
    panels_after: Vec<String>,
}

/// The annual figures the page shows, as text.
fn annual_cells(a: &annual::Model) -> Vec<String> {
    vec![
        fixed::<6>(a.revenue),
        fixed::<6>(a.gross_output),
        fixed::<6>(a.value_added),
        fixed::<6>(a.tax),
        fixed::<6>(a.rd_expense),
        fixed::<3>(a.energy),
        a.rd_staff.map(|n| n.to_string()).unwrap_or_default(),
        a.tech_staff.map(|n| n.to_string()).unwrap_or_default(),
        fixed::<6>(a.hitech_revenue),
        a.invention_patents.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

/// The series of the enterprise page's chart: values in 万元 (null when unknown).
fn chart(rows: &[annual::Model]) -> serde_json::Value {
    let wan = |v: Option<i64>| v.map(|r| Fixed::<6>(r).to_decimal().round_dp(2).to_string());
    serde_json::json!({
        "years": rows.iter().map(|a| a.year.to_string()).collect::<Vec<_>>(),
        "series": [
            {"name": "营业收入", "data": rows.iter().map(|a| wan(a.revenue)).collect::<Vec<_>>()},
            {"name": "税收", "data": rows.iter().map(|a| wan(a.tax)).collect::<Vec<_>>()},
            {"name": "研发经费", "data": rows.iter().map(|a| wan(a.rd_expense)).collect::<Vec<_>>()},
        ],
        "staff": rows.iter().map(|a| a.tech_staff).collect::<Vec<_>>(),
    })
}

pub(super) async fn detail_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    panels: EnterprisePanels,
    Id(id): Id,
) -> AppResult<Response> {
    let e = store::get(&state.db, &scope, id).await?;
    let annual_rows = store::annual_of(&state.db, &scope, id).await?;
    let carriers = store::carrier_names(&state.db, &scope).await?;
    let row = list_row(e.clone(), &carriers);
    let own = scope.role() == Role::Enterprise;
    let history = if AUDIT_READERS.contains(scope.role()) || ZONE_READERS.contains(scope.role()) {
        history(&state, &scope, &ctx, id, &annual_rows).await?
    } else {
        Vec::new()
    };
    let fields = fields(&e, &row);
    let corrections = corrections::of_enterprise(&state, &scope, id)
        .await?
        .into_iter()
        .map(|c| {
            let field = corrections::header_of(&c.field);
            let status = CorrectionStatus::shown(&c.status);
            (field, c, status)
        })
        .collect();
    let ctx = if own {
        ctx
    } else {
        ctx.crumb("nav.enterprises", "/enterprises")
    };
    let innovation = store::innovation_of(&state.db, &scope, id)
        .await?
        .iter()
        .map(|m| AnnualRow {
            year: m.year,
            cells: innovation::record_cells(m),
        })
        .collect();
    let subject = PanelSubject {
        enterprise_id: id,
        latest_year: annual_rows.last().map(|a| a.year),
    };
    let (mut panels_before, mut panels_after) = (Vec::new(), Vec::new());
    for panel in panels.in_order() {
        if let Some(card) = panel.render(&state, &scope, &ctx, subject).await? {
            if panel.order() < INNOVATION_CARD_ORDER {
                panels_before.push(card);
            } else {
                panels_after.push(card);
            }
        }
    }
    Ok(render(&DetailPage {
        innovation,
        panels_before,
        panels_after,
        corrections,
        correctable: corrections::correctable().collect(),
        can_review: DEPARTMENT_EDITORS.contains(scope.role()),
        ctx: ctx.crumb_text(e.name.clone(), ""),
        industry_path: e.industry_code.as_deref().map(industry::path_text).unwrap_or_default(),
        annual: annual_rows
            .iter()
            .map(|a| AnnualRow {
                year: a.year,
                cells: annual_cells(a),
            })
            .collect(),
        chart_json: gaoxin_platform::web::script_json(&chart(&annual_rows)),
        history,
        fields,
        e,
        own,
    }))
}

/// The change history of the enterprise and its annual rows, newest first: (time, line, the
/// action's name in the page's language).
async fn history(
    state: &AppState,
    scope: &Scope,
    ctx: &PageCtx,
    id: i64,
    annual_rows: &[annual::Model],
) -> AppResult<Vec<(String, AuditLine, String)>> {
    let mut lines = audit::list(
        &state.db,
        scope,
        &audit::AuditFilter {
            entity: Some("enterprise".into()),
            entity_id: Some(id.to_string()),
            ..Default::default()
        },
        &PageParams {
            page: Some(1),
            per_page: Some(50),
        },
    )
    .await?
    .0;
    for a in annual_rows {
        lines.extend(
            audit::list(
                &state.db,
                scope,
                &audit::AuditFilter {
                    entity: Some("annual_data".into()),
                    entity_id: Some(a.id.to_string()),
                    ..Default::default()
                },
                &PageParams {
                    page: Some(1),
                    per_page: Some(20),
                },
            )
            .await?
            .0,
        );
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.id));
    Ok(lines
        .into_iter()
        .map(|l| {
            (
                datetime_text(&l.at),
                l.clone(),
                ctx.t(&format!("audit.action.{}", l.action)),
            )
        })
        .collect())
}

/// The registry fields the page lists, as shown.
fn fields(e: &Enterprise, row: &ListRow) -> Vec<(&'static str, String)> {
    vec![
        ("统一社会信用代码", e.uscc.clone()),
        ("行业代码", row.industry.clone()),
        (
            "注册日期",
            e.registered_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ),
        ("注册地址", e.registered_address.clone().unwrap_or_default()),
        ("法定代表人", e.legal_representative.clone().unwrap_or_default()),
        ("企业负责人", e.principal.clone().unwrap_or_default()),
        ("联系电话", e.phone.clone().unwrap_or_default()),
        ("财务负责人", e.finance_officer.clone().unwrap_or_default()),
        ("用地面积(亩)", row.land.clone()),
        ("从业人员数", e.employees.map(|n| n.to_string()).unwrap_or_default()),
        ("主导产业", e.leading_industry.clone().unwrap_or_default()),
        ("所属载体", row.carrier.clone()),
        ("企业规模", row.scale.clone()),
        ("经营状态", row.status.clone()),
        ("标签", row.tags.join("、")),
        ("服务专员", e.service_officer.clone().unwrap_or_default()),
    ]
}

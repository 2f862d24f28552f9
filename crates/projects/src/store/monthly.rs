//! A project's monthly figures: the month's plan and actuals (investment, 开票销售, 纳税) entered
//! on the project page or imported; a blank figure keeps what was entered before.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter};
use serde::Deserialize;

use super::{money, project, rights_on};
use crate::entities::monthly as monthly_row;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};

/// A month's plan and actuals in 万元 as text (empty: not given).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MonthFigures {
    /// `2026-11`.
    pub month: String,
    #[serde(default)]
    pub planned_investment: String,
    #[serde(default)]
    pub investment: String,
    #[serde(default)]
    pub planned_sales: String,
    #[serde(default)]
    pub sales: String,
    #[serde(default)]
    pub planned_tax: String,
    #[serde(default)]
    pub tax: String,
}

/// Enters (or corrects) a month's figures; the lead department or admin.
pub async fn save_month(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    f: &MonthFigures,
    today: NaiveDate,
) -> AppResult<()> {
    let p = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &p).await?.lead {
        return Err(AppError::Forbidden);
    }
    save_month_unchecked(writer, scope, id, f, today).await
}

/// Saves a month's figures for a project already checked (imports check the rights once).
pub async fn save_month_unchecked(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    f: &MonthFigures,
    today: NaiveDate,
) -> AppResult<()> {
    let month = f.month.trim();
    let (first, _) = crate::domain::month_bounds(month).map_err(|e| AppError::field("month", e))?;
    if first > today {
        return Err(AppError::field("month", format!("月份 {month} 还没有到")));
    }
    let month = crate::domain::month_key(first);
    let values = [
        money("planned_investment", "计划投资", &f.planned_investment, false)?,
        money("investment", "完成投资", &f.investment, false)?,
        money("planned_sales", "计划开票销售", &f.planned_sales, false)?,
        money("sales", "开票销售", &f.sales, false)?,
        money("planned_tax", "计划纳税", &f.planned_tax, false)?,
        money("tax", "纳税", &f.tax, false)?,
    ];
    if values.iter().all(Option::is_none) {
        return Err(AppError::field("investment", "请至少填写一项数据"));
    }
    let existing = scope
        .select::<monthly_row::Entity>()
        .filter(monthly_row::Column::ProjectId.eq(id))
        .filter(monthly_row::Column::Month.eq(&month))
        .one(writer.read())
        .await?;
    let [pi, i, ps, s, pt, t] = values;
    match existing {
        Some(before) => {
            let mut a = before.clone().into_active_model();
            a.planned_investment = Set(pi.or(before.planned_investment));
            a.investment = Set(i.or(before.investment));
            a.planned_sales = Set(ps.or(before.planned_sales));
            a.sales = Set(s.or(before.sales));
            a.planned_tax = Set(pt.or(before.planned_tax));
            a.tax = Set(t.or(before.tax));
            writer.update_in_zone(&before, a).await?;
        }
        None => {
            writer
                .insert_in_zone(monthly_row::ActiveModel {
                    project_id: Set(id),
                    month: Set(month),
                    planned_investment: Set(pi),
                    investment: Set(i),
                    planned_sales: Set(ps),
                    sales: Set(s),
                    planned_tax: Set(pt),
                    tax: Set(t),
                    ..Default::default()
                })
                .await?;
        }
    }
    Ok(())
}

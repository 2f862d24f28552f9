//! The yearly targets: one value per metric and year, set by the administrator.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::trimmed;
use crate::entities::target;
use crate::status::Metric;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};

pub async fn targets(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<target::Model>> {
    Ok(scope
        .select::<target::Entity>()
        .order_by_asc(target::Column::Year)
        .order_by_asc(target::Column::Id)
        .all(conn)
        .await?)
}

/// Sets a year's target for a metric (admin).
pub async fn save_target(
    writer: &mut Writer,
    scope: &Scope,
    year: i32,
    metric: &str,
    label: &str,
    value: &str,
) -> AppResult<()> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应为 2000–2100"));
    }
    if Metric::of(metric).is_none() {
        return Err(AppError::field("metric", format!("指标“{metric}”不存在")));
    }
    let v: rust_decimal::Decimal = value
        .trim()
        .parse()
        .map_err(|_| AppError::field("value", format!("目标值“{value}”应为数字")))?;
    if v <= rust_decimal::Decimal::ZERO {
        return Err(AppError::field("value", "目标值应大于 0"));
    }
    let label = trimmed(label, 200, "label", "说明")?;
    let existing = scope
        .select::<target::Entity>()
        .filter(target::Column::Year.eq(year))
        .filter(target::Column::Metric.eq(metric))
        .one(writer.read())
        .await?;
    match existing {
        Some(before) => {
            let mut a = before.clone().into_active_model();
            a.value = Set(v.normalize().to_string());
            a.label = Set(label);
            writer.update_in_zone(&before, a).await?;
        }
        None => {
            writer
                .insert_in_zone(target::ActiveModel {
                    year: Set(year),
                    metric: Set(metric.into()),
                    label: Set(label),
                    value: Set(v.normalize().to_string()),
                    ..Default::default()
                })
                .await?;
        }
    }
    Ok(())
}

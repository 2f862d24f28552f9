//! Differentiated policies (差别化政策) per class of a scheme: the list, adding one, deleting
//! one.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};

use super::{active_versions, parse};
use crate::measure_entity::{self as measure, Model as Measure};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

pub async fn measures(db: &Db, scope: &Scope, scheme_id: Option<&str>) -> Result<Vec<Measure>, AppError> {
    let mut select = scope.select::<measure::Entity>();
    if let Some(s) = scheme_id {
        select = select.filter(measure::Column::SchemeId.eq(s));
    }
    Ok(select
        .order_by_asc(measure::Column::SchemeId)
        .order_by_asc(measure::Column::ClassName)
        .order_by_asc(measure::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn add_measure(
    writer: &mut Writer,
    scope: &Scope,
    scheme_id: &str,
    class_name: &str,
    category: &str,
    text: &str,
    department: &str,
) -> Result<Measure, AppError> {
    let version = active_versions(writer.read(), scope.zone_id())
        .await?
        .into_iter()
        .find(|v| v.scheme_id == scheme_id)
        .ok_or_else(|| AppError::field("scheme_id", format!("没有在用的评价方案“{scheme_id}”")))?;
    let scheme = parse(&version)?;
    if !scheme.classes.names.iter().any(|n| n == class_name) {
        return Err(AppError::field(
            "class_name",
            format!(
                "类别“{class_name}”不是本方案的类别（{}）",
                scheme.classes.names.join("、")
            ),
        ));
    }
    let need = |v: &str, field: &'static str, what: &str, max: usize| -> Result<String, AppError> {
        let v = v.trim();
        if v.is_empty() {
            return Err(AppError::field(field, format!("请填写{what}")));
        }
        if v.chars().count() > max {
            return Err(AppError::field(field, format!("{what}不超过 {max} 字")));
        }
        Ok(v.to_string())
    };
    Ok(writer
        .insert_in_zone(measure::ActiveModel {
            scheme_id: Set(scheme_id.to_string()),
            class_name: Set(class_name.to_string()),
            category: Set(need(
                category,
                "category",
                "政策类别（如 电价、水价、用地、扶持资金）",
                50,
            )?),
            measure: Set(need(text, "measure", "政策内容", 500)?),
            department: Set(need(
                department,
                "department",
                "执行单位（如 供电公司、自然资源局）",
                100,
            )?),
            ..Default::default()
        })
        .await?)
}

pub async fn delete_measure(writer: &mut Writer, scope: &Scope, id: i64) -> Result<(), AppError> {
    let m = scope
        .select::<measure::Entity>()
        .filter(measure::Column::Id.eq(id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    writer.delete_in_zone(m).await?;
    Ok(())
}

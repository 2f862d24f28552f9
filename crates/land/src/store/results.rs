//! A run's results: the list (by class, the excluded, those outside the scope, the adjusted;
//! searched by enterprise), one result with its run and enterprise, and a class set by hand
//! (定档调档) with its reason.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::{get_run, paged, parse, version_by_id};
use crate::result_entity::{self as result, Model as LandResultRow};
use crate::run_entity::Model as Run;
use crate::status::{ResultSubset, RunStatus};
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ResultFilter {
    /// A class name, or a [`ResultSubset`] code (`scope`, `excluded`, `adjusted`).
    pub class: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub async fn results(
    db: &Db,
    scope: &Scope,
    run_id: i64,
    f: &ResultFilter,
    all: bool,
) -> Result<(Vec<(LandResultRow, Enterprise)>, u64), AppError> {
    let mut select = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run_id));
    if let Some(id) = scope.own_enterprise() {
        select = select.filter(result::Column::EnterpriseId.eq(id));
    }
    // Those outside the scheme's scope are listed only when asked for.
    let out_of_scope = ResultSubset::OutOfScope.code();
    let in_scope = sea_orm::Condition::any()
        .add(result::Column::ExclusionId.is_null())
        .add(result::Column::ExclusionId.ne(out_of_scope));
    select = match f.class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => select.filter(in_scope),
        Some(c) => match ResultSubset::of(c) {
            Some(ResultSubset::OutOfScope) => select.filter(result::Column::ExclusionId.eq(out_of_scope)),
            Some(ResultSubset::Excluded) => select
                .filter(result::Column::ExclusionId.is_not_null())
                .filter(result::Column::ExclusionId.ne(out_of_scope)),
            Some(ResultSubset::Adjusted) => select.filter(result::Column::AdjustReason.is_not_null()),
            None => select
                .filter(result::Column::Class.eq(c))
                .filter(result::Column::ExclusionId.is_null()),
        },
    };
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(gaoxin_enterprises::store::matching(
            scope,
            result::Column::EnterpriseId,
            q,
        ));
    }
    // Ranked first by rank, then the excluded.
    let select = select
        .order_by_asc(result::Column::ExclusionId.is_not_null())
        .order_by_asc(result::Column::Rank)
        .order_by_asc(result::Column::EnterpriseId);
    let (rows, total) = paged(db, select, f.page, f.per_page, all).await?;
    Ok((
        gaoxin_enterprises::store::paired(db.conn(), scope, rows, |r| r.enterprise_id).await?,
        total,
    ))
}

/// One result with its run and enterprise; an enterprise user sees only its own, published.
pub async fn result_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<(LandResultRow, Run, Enterprise), AppError> {
    let r = scope
        .select::<result::Entity>()
        .filter(result::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(own) = scope.own_enterprise()
        && own != r.enterprise_id
    {
        return Err(AppError::NotFound);
    }
    let run = get_run(conn, scope, r.run_id).await?;
    let e = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.eq(r.enterprise_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r, run, e))
}

/// Sets a result's class by hand (定档调档) with the reason; back to the computed class when
/// `class` is the computed one.
pub async fn adjust_class(
    writer: &mut Writer,
    scope: &Scope,
    result_id: i64,
    class: &str,
    reason: &str,
) -> Result<LandResultRow, AppError> {
    let (r, run, _) = result_by_id(writer.read(), scope, result_id).await?;
    if run.status == RunStatus::Final.code() {
        return Err(AppError::BadRequest("评价结果已确认锁定，不能调档".into()));
    }
    if r.exclusion_id.is_some() {
        return Err(AppError::field("class", "不参评的企业没有档次可调"));
    }
    let version = version_by_id(writer.read(), scope, run.scheme_version_id).await?;
    let scheme = parse(&version)?;
    if !scheme.classes.names.iter().any(|n| n == class) {
        return Err(AppError::field(
            "class",
            format!("类别“{class}”不是本方案的类别（{}）", scheme.classes.names.join("、")),
        ));
    }
    let reason = reason.trim();
    let back = class == r.computed_class;
    if !back && reason.chars().count() < 4 {
        return Err(AppError::field("reason", "调档须写明理由（至少 4 个字）"));
    }
    let mut a = r.clone().into_active_model();
    a.class = Set(class.to_string());
    a.adjust_reason = Set((!back).then(|| reason.chars().take(500).collect()));
    Ok(writer.update_in_zone(&r, a).await?)
}

//! Reading and writing targets and their reports: every write through the audited writer, every
//! read within the caller's zone.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};

use crate::domain::{self, TargetLine, TargetSpec, month_code, parse_figure, parse_month};
use crate::entities::{report, target};
use crate::metrics;
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::settings;

/// Which targets a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub year: Option<i32>,
    pub department_id: Option<i64>,
    /// A status code (`ahead`, `on_track`, `behind`, `severely_behind`, `missing`).
    pub status: Option<String>,
    pub q: Option<String>,
}

/// The day a list is assessed at: the end of `month` (`2026-11`), or today while it runs; today
/// when no month is given.
pub fn as_of(month: Option<&str>, today: NaiveDate) -> AppResult<NaiveDate> {
    match month.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(today),
        Some(m) => {
            let (y, mo) = parse_month(m)?;
            Ok(gaoxin_core::schedule::month_end(y, mo).min(today))
        }
    }
}

/// Every target matching `filter`, assessed at the end of `as_of`, in the list's order.
pub async fn lines<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &Filter,
    as_of: NaiveDate,
) -> AppResult<Vec<TargetLine>> {
    let mut select = scope
        .select::<target::Entity>()
        .order_by_asc(target::Column::Year)
        .order_by_asc(target::Column::SortOrder)
        .order_by_asc(target::Column::Id);
    if let Some(y) = filter.year {
        select = select.filter(target::Column::Year.eq(y));
    }
    if let Some(d) = filter.department_id {
        select = select.filter(target::Column::DepartmentId.eq(d));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(target::Column::Name.contains(q));
    }
    let targets = select.all(conn).await?;
    let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
    let reports = scope
        .select::<report::Entity>()
        .filter(report::Column::TargetId.is_in(ids))
        .all(conn)
        .await?;
    let thresholds = settings::schedule_thresholds(conn, scope.zone_id()).await?;
    let mut lines = Vec::with_capacity(targets.len());
    for t in &targets {
        let computed = computed(conn, scope, t, as_of).await?.map(|(v, _)| v);
        lines.push(domain::assess(t, &reports, computed, as_of, &thresholds));
    }
    Ok(lines
        .into_iter()
        .filter(|l| {
            filter
                .status
                .as_deref()
                .is_none_or(|s| s.is_empty() || l.status_code() == s)
        })
        .collect())
}

/// A computed target's figure up to `as_of` within its period, and what makes it; None for a
/// reported target.
pub async fn computed<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    t: &target::Model,
    as_of: NaiveDate,
) -> AppResult<Option<(Decimal, Vec<metrics::Item>)>> {
    let Some(metric) = t.metric.as_deref().and_then(metrics::by_code) else {
        return Ok(None);
    };
    let period = gaoxin_core::schedule::Period::parse(&t.period).map_err(|e| AppError::field("period", e))?;
    Ok(Some(
        metrics::actual(conn, scope, metric, period.start(), as_of.min(period.end())).await?,
    ))
}

/// One target of the zone, or 404.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> AppResult<target::Model> {
    scope
        .select::<target::Entity>()
        .filter(target::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A target's reports, latest month first.
pub async fn reports<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> AppResult<Vec<report::Model>> {
    Ok(scope
        .select::<report::Entity>()
        .filter(report::Column::TargetId.eq(id))
        .order_by_desc(report::Column::Month)
        .all(conn)
        .await?)
}

/// The zone's department with this id, or the field's refusal.
pub async fn department_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: Option<i64>,
) -> AppResult<Option<department::Model>> {
    let Some(id) = id else { return Ok(None) };
    scope
        .select::<department::Entity>()
        .filter(department::Column::Id.eq(id))
        .one(conn)
        .await?
        .map(Some)
        .ok_or_else(|| AppError::field("department_id", "所选部门不存在"))
}

/// The catalogue's metric a target names (by code or name), or the field's refusal.
pub fn metric_of(written: Option<&str>) -> AppResult<Option<&'static metrics::Metric>> {
    match written.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(None),
        Some(w) => metrics::CATALOGUE
            .iter()
            .find(|m| m.code == w || m.name == w)
            .map(Some)
            .ok_or_else(|| {
                AppError::field(
                    "metric",
                    format!(
                        "计算指标“{w}”不在指标目录中：可选 {}",
                        metrics::CATALOGUE.iter().map(|m| m.name).collect::<Vec<_>>().join("、")
                    ),
                )
            }),
    }
}

/// Creates a target (its name unique within its period).
pub async fn create(
    writer: &mut Writer,
    scope: &Scope,
    spec: TargetSpec,
    department_id: Option<i64>,
    origin: &str,
) -> AppResult<target::Model> {
    department_of(writer.read(), scope, department_id).await?;
    let metric = metric_of(spec.metric.as_deref())?;
    let clash = scope
        .select::<target::Entity>()
        .filter(target::Column::Period.eq(spec.period.code()))
        .filter(target::Column::Name.eq(spec.name.as_str()))
        .one(writer.read())
        .await?;
    if clash.is_some() {
        return Err(AppError::Conflict(format!(
            "{}已有目标“{}”：请修改原目标，或换一个名称",
            spec.period.label(),
            spec.name
        )));
    }
    Ok(writer
        .insert_in_zone(target::ActiveModel {
            name: Set(spec.name),
            unit: Set(spec.unit),
            period: Set(spec.period.code()),
            year: Set(spec.period.year()),
            value_low: Set(spec.low.to_string()),
            value_high: Set(spec.high.map(|h| h.to_string())),
            direction: Set(spec.direction.code().into()),
            department_id: Set(department_id),
            origin: Set(origin.into()),
            method: Set(if metric.is_some() { "computed" } else { "reported" }.into()),
            metric: Set(metric.map(|m| m.code.to_string())),
            profile: Set(spec.profile.code()),
            note: Set(spec.note),
            sort_order: Set(0),
            ..Default::default()
        })
        .await?)
}

/// Days after a month's end during which its figure may still be reported by staff; later the
/// month is closed and only the admin corrects it.
pub const REPORT_DAYS: i64 = 10;

/// Records the figure to date at the end of `month` (a second report for the month replaces the
/// first; the audit log keeps both). Refused for a month outside the target's period, a month
/// not yet begun, and — for staff — a month closed more than [`REPORT_DAYS`] days ago.
pub async fn report(
    writer: &mut Writer,
    scope: &Scope,
    t: &target::Model,
    month: &str,
    value: &str,
    note: &str,
) -> AppResult<report::Model> {
    if let Some(metric) = t.metric.as_deref().and_then(metrics::by_code) {
        return Err(AppError::field(
            "value",
            format!("该目标按“{}”由系统计算，无需填报", metric.name),
        ));
    }
    let (y, m) = parse_month(month)?;
    let value = parse_figure("value", "完成数", value)?;
    let note = gaoxin_core::validate::optional_text("note", "说明", note, 2000)?;
    let period = gaoxin_core::schedule::Period::parse(&t.period).map_err(|e| AppError::field("period", e))?;
    let code = month_code(y, m);
    if y != period.year() || !period.months().contains(&m) {
        return Err(AppError::field(
            "month",
            format!("{code} 不在目标期间（{}）内", period.label()),
        ));
    }
    let today = scope.today();
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(|| AppError::field("month", "月份无效"))?;
    if first > today {
        return Err(AppError::field("month", format!("{code} 尚未开始，不能填报")));
    }
    let closes = gaoxin_core::schedule::month_end(y, m) + chrono::Duration::days(REPORT_DAYS);
    if today > closes && scope.role() != Role::Admin {
        return Err(AppError::field(
            "month",
            format!("{y}年{m}月已结账（次月 {REPORT_DAYS} 日后不再接受填报，截止 {closes}）：如需更正请联系管理员"),
        ));
    }
    let existing = scope
        .select::<report::Entity>()
        .filter(report::Column::TargetId.eq(t.id))
        .filter(report::Column::Month.eq(code.as_str()))
        .one(writer.read())
        .await?;
    let caller = Some(scope.caller().account_id);
    Ok(match existing {
        Some(before) => {
            let mut a = before.clone().into_active_model();
            a.value = Set(value.to_string());
            a.note = Set(note);
            a.reported_by = Set(caller);
            writer.update_in_zone(&before, a).await?
        }
        None => {
            writer
                .insert_in_zone(report::ActiveModel {
                    target_id: Set(t.id),
                    month: Set(code),
                    value: Set(value.to_string()),
                    note: Set(note),
                    evidence: Set(None),
                    reported_by: Set(caller),
                    ..Default::default()
                })
                .await?
        }
    })
}

/// The years that have targets, latest first (for the year selector), and the default: the
/// latest year not after today's.
pub async fn years<C: ConnectionTrait>(conn: &C, scope: &Scope) -> AppResult<(Vec<i32>, i32)> {
    let mut years: Vec<i32> = scope
        .select::<target::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.year)
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let this = scope.today().year();
    let default = years.iter().copied().find(|y| *y <= this).unwrap_or(this);
    Ok((years, default))
}

/// `value` as shown: an exact decimal without trailing zeros.
pub fn shown(value: Option<Decimal>) -> String {
    value.map(|v| v.normalize().to_string()).unwrap_or_default()
}

/// Whether a checked target differs from the stored one (name and period are its key).
pub fn differs(before: &target::Model, spec: &TargetSpec, department_id: Option<i64>) -> bool {
    before.unit != spec.unit
        || before.value_low != spec.low.to_string()
        || before.value_high != spec.high.map(|h| h.to_string())
        || before.direction != spec.direction.code()
        || before.department_id != department_id
        || before.profile != spec.profile.code()
        || before.note != spec.note
        || before.metric != spec.metric
}

/// Changes a target's figures, unit, direction, department, profile and note (audited).
pub async fn update(
    writer: &mut Writer,
    before: &target::Model,
    spec: TargetSpec,
    department_id: Option<i64>,
) -> AppResult<target::Model> {
    let mut a = before.clone().into_active_model();
    a.unit = Set(spec.unit);
    a.value_low = Set(spec.low.to_string());
    a.value_high = Set(spec.high.map(|h| h.to_string()));
    a.direction = Set(spec.direction.code().into());
    a.department_id = Set(department_id);
    a.profile = Set(spec.profile.code());
    let metric = metric_of(spec.metric.as_deref())?;
    a.method = Set(if metric.is_some() { "computed" } else { "reported" }.into());
    a.metric = Set(metric.map(|m| m.code.to_string()));
    a.note = Set(spec.note);
    Ok(writer.update_in_zone(before, a).await?)
}

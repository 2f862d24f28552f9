//! Differentiated policies (差别化政策) per class: the page, adding and deleting one, and the
//! list of a run a utility or department applies.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::DEPARTMENT_EDITORS;
use crate::store::{self, ResultFilter};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, Q, WebForm, finish, render, xlsx_download};

#[derive(Template)]
#[template(path = "measures.html")]
struct MeasuresPage {
    ctx: PageCtx,
    schemes: Vec<(String, Vec<String>)>,
    measures: Vec<crate::measure_entity::Model>,
    can_edit: bool,
}

pub(super) async fn measures_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let mut schemes = Vec::new();
    for v in store::active_versions(state.db.conn(), scope.zone_id()).await? {
        schemes.push((v.scheme_id.clone(), store::parse(&v)?.classes.names.clone()));
    }
    Ok(render(&MeasuresPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.measures", ""),
        schemes,
        measures: store::measures(&state.db, &scope, None).await?,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
    }))
}

#[derive(Deserialize)]
pub(super) struct MeasureForm {
    /// `scheme_id|class name`.
    class: String,
    category: String,
    measure: String,
    department: String,
}

pub(super) async fn measure_add(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<MeasureForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let result = async {
        let (scheme_id, class) = form
            .class
            .split_once('|')
            .ok_or_else(|| AppError::field("class", "请选择方案和类别"))?;
        let mut writer = scope.writer(&state).await?;
        store::add_measure(
            &mut writer,
            &scope,
            scheme_id,
            class,
            &form.category,
            &form.measure,
            &form.department,
        )
        .await?;
        writer.commit().await?;
        Ok(("/land/measures".to_string(), "已添加差别化政策".to_string()))
    }
    .await;
    finish(&state, &headers, "/land/measures", result)
}

pub(super) async fn measure_delete(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::delete_measure(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok(("/land/measures".to_string(), "已删除".to_string()))
    }
    .await;
    finish(&state, &headers, "/land/measures", result)
}

#[derive(Deserialize, Default)]
pub(super) struct MeasuresExportQuery {
    /// Only this category (e.g. 电价, for the power company).
    category: Option<String>,
}

/// The list a utility or department applies: every enterprise of a class with a measure,
/// with the measure (one line per enterprise and measure).
pub(super) async fn measures_export(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<MeasuresExportQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let category = q.category.filter(|c| !c.trim().is_empty());
    let measures: Vec<_> = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .filter(|m| category.as_ref().is_none_or(|c| &m.category == c))
        .collect();
    let (rows, _) = store::results(&state.db, &scope, id, &ResultFilter::default(), true).await?;
    let mut data = Vec::new();
    for (r, e) in rows.iter().filter(|(r, _)| r.exclusion_id.is_none()) {
        for m in measures.iter().filter(|m| m.class_name == r.class) {
            data.push(vec![
                XCell::Text(r.class.clone()),
                XCell::Text(e.name.clone()),
                XCell::Text(e.uscc.clone()),
                XCell::Text(e.registered_address.clone().unwrap_or_default()),
                XCell::Text(m.category.clone()),
                XCell::Text(m.measure.clone()),
                XCell::Text(m.department.clone()),
            ]);
        }
    }
    xlsx_download(
        &format!(
            "{}年度亩均评价差别化政策名单{}.xlsx",
            run.year,
            category.map(|c| format!("（{c}）")).unwrap_or_default()
        ),
        "差别化政策名单",
        &[
            "类别",
            "企业名称",
            "统一社会信用代码",
            "注册地址",
            "政策类别",
            "政策内容",
            "执行单位",
        ],
        data,
    )
}

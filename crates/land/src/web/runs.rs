//! Evaluation runs: a new run, a run's page (ranked results, objections, the next step of its
//! life) and its export, and the steps — publish for 公示, finalize, re-evaluate, open the
//! D-class clearance cases.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{DEPARTMENT_EDITORS, parse_year, show_points};
use crate::objection_entity::Model as Objection;
use crate::result_entity::Model as LandResultRow;
use crate::run_entity::Model as Run;
use crate::scheme_entity::Model as SchemeVersion;
use crate::status::{ObjectionStatus, ResultSubset, RunStatus};
use crate::store::{self, ResultFilter, RunCounts, RunIndicator};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{
    Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, parse_date, render, xlsx_download,
};

#[derive(Deserialize)]
pub(super) struct RunForm {
    scheme_version_id: String,
    year: String,
    #[serde(default)]
    as_of: Option<String>,
}

pub(super) async fn run_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<RunForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let result = async {
        let id: i64 = form
            .scheme_version_id
            .trim()
            .parse()
            .map_err(|_| AppError::field("scheme_version_id", "请选择评价方案"))?;
        let year = parse_year(&form.year)?;
        let as_of = parse_date(form.as_of.as_deref(), "as_of", "评价日")?
            .unwrap_or_else(|| gaoxin_rules::ladder::default_as_of(year));
        let mut writer = scope.writer(&state).await?;
        let v = store::version_by_id(writer.read(), &scope, id).await?;
        let run = store::evaluate_zone(&mut writer, &v, year, as_of, Some(scope.caller().account_id)).await?;
        writer.commit().await?;
        let c = store::counts_of(&run);
        Ok((
            format!("/land/runs/{}", run.id),
            format!(
                "已完成 {year} 年度评价（草稿）：{} 家参评，{} 家不参评（另列），{} 家不在评价范围",
                c.ranked, c.excluded, c.out_of_scope
            ),
        ))
    }
    .await;
    finish(&state, &headers, "/land", result)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultQuery {
    pub class: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl ResultQuery {
    pub(super) fn filter(&self) -> ResultFilter {
        ResultFilter {
            class: self.class.clone(),
            q: self.q.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    ctx: PageCtx,
    run: Run,
    version: SchemeVersion,
    counts: RunCounts,
    indicators: Vec<RunIndicator>,
    rows: Vec<(LandResultRow, Enterprise)>,
    pager: Pager,
    class: String,
    q: String,
    objections: Vec<(Objection, Enterprise)>,
    open_objections: usize,
    can_edit: bool,
    is_enterprise: bool,
    publicity_over: bool,
    export_query: String,
    categories: Vec<String>,
    status: &'static str,
}

impl RunPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }

    fn objection_key(&self, status: &str) -> &'static str {
        ObjectionStatus::key_of(status)
    }
}

pub(super) async fn run_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
    RawQuery(raw): RawQuery,
    Q(q): Q<ResultQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let version = store::version_by_id(state.db.conn(), &scope, run.scheme_version_id).await?;
    let (rows, total) = store::results(&state.db, &scope, id, &q.filter(), false).await?;
    let objections = store::objections_of_run(&state.db, &scope, id).await?;
    let mut categories: Vec<String> = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .map(|m| m.category)
        .collect();
    categories.sort();
    categories.dedup();
    Ok(render(&RunPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.run", ""),
        counts: store::counts_of(&run),
        indicators: store::indicators_of(&run),
        pager: Pager::new(
            &PageParams {
                page: q.page,
                per_page: q.per_page,
            },
            total,
            &format!("/land/runs/{id}"),
            raw.as_deref(),
        ),
        class: q.class.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        open_objections: objections
            .iter()
            .filter(|(o, _)| o.status == ObjectionStatus::Open.code())
            .count(),
        objections,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        is_enterprise: scope.own_enterprise().is_some(),
        publicity_over: run.publicity_until.is_some_and(|u| scope.today() >= u),
        export_query: raw.unwrap_or_default(),
        status: RunStatus::key_of(&run.status),
        run,
        version,
        rows,
        categories,
    }))
}

pub(super) async fn run_export(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<ResultQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let indicators = store::indicators_of(&run);
    let (rows, _) = store::results(&state.db, &scope, id, &q.filter(), true).await?;
    let mut headers: Vec<String> = [
        "排名",
        "类别",
        "计算类别",
        "调档理由",
        "企业名称",
        "统一社会信用代码",
        "综合得分",
        "不参评原因",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in &indicators {
        headers.push(format!(
            "{}{}",
            i.label,
            i.unit.as_ref().map(|u| format!("({u})")).unwrap_or_default()
        ));
        headers.push(format!("{}得分", i.label));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let data = rows
        .into_iter()
        .map(|(r, e)| {
            let detail = store::detail_of(&r);
            let mut cells = vec![
                if r.exclusion_id.is_some() {
                    XCell::Empty
                } else {
                    XCell::Int(r.rank.into())
                },
                XCell::Text(r.class.clone()),
                XCell::Text(r.computed_class.clone()),
                XCell::Text(r.adjust_reason.clone().unwrap_or_default()),
                XCell::Text(e.name),
                XCell::Text(e.uscc),
                if r.exclusion_id.is_some() {
                    XCell::Empty
                } else {
                    XCell::Text(show_points(r.total))
                },
                XCell::Text(r.excluded.clone().unwrap_or_default()),
            ];
            for i in &indicators {
                let d = detail.indicators.iter().find(|d| d.id == i.id);
                cells.push(XCell::Text(d.and_then(|d| d.value.clone()).unwrap_or_default()));
                cells.push(XCell::Text(d.map(|d| d.score.clone()).unwrap_or_default()));
            }
            cells
        })
        .collect();
    xlsx_download(
        &format!("{}年度亩均效益评价结果（{}）.xlsx", run.year, run.scheme_id),
        "评价结果",
        &header_refs,
        data,
    )
}

#[derive(Deserialize)]
pub(super) struct PublishForm {
    days: String,
}

pub(super) async fn run_publish(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<PublishForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = format!("/land/runs/{id}");
    let result = async {
        let days: i64 = form
            .days
            .trim()
            .parse()
            .map_err(|_| AppError::field("days", "公示天数应为整数"))?;
        let mut writer = scope.writer(&state).await?;
        let run = store::publish(&mut writer, &scope, id, days, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!(
                "已公示，至 {}：企业可查看本企业结果并提出异议",
                run.publicity_until.map(|d| d.to_string()).unwrap_or_default()
            ),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub(super) async fn run_finalize(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::finalize(&mut writer, &scope, id, scope.today(), Some(scope.caller().account_id)).await?;
        writer.commit().await?;
        Ok((back.clone(), "评价结果已确认并锁定".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub(super) async fn run_rerun(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let (_, changed) = store::rerun(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!("已按最新数据重新计算：{changed} 家企业的结果有变化（逐条记入审计日志）"),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub(super) async fn clearance_open(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let n = store::open_clearance(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok((
            format!("/land/clearance?run={id}"),
            format!("已为 {n} 家末档企业建立出清台账"),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

//! One result: its explanation with the policies of its class and its objections, a class set
//! by hand, an objection filed and resolved; and an enterprise user's own results.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{DEPARTMENT_EDITORS, OBJECTORS, show_points};
use crate::objection_entity::Model as Objection;
use crate::result_entity::Model as LandResultRow;
use crate::run_entity::Model as Run;
use crate::scheme_entity::Model as SchemeVersion;
use crate::status::{ObjectionStatus, RunStatus};
use crate::store::{self, ResultDetail, ResultFilter};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, render};

struct IndicatorLine {
    label: String,
    unit: String,
    value: String,
    benchmark: String,
    weight: String,
    score: String,
    note: String,
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage {
    ctx: PageCtx,
    r: LandResultRow,
    run: Run,
    e: Enterprise,
    version: SchemeVersion,
    detail: ResultDetail,
    lines: Vec<IndicatorLine>,
    classes: Vec<String>,
    objections: Vec<Objection>,
    measures: Vec<crate::measure_entity::Model>,
    can_edit: bool,
    can_object: bool,
}

impl ResultPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }

    fn objection_key(&self, status: &str) -> &'static str {
        ObjectionStatus::key_of(status)
    }
}

pub(super) async fn result_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let (r, run, e) = store::result_by_id(state.db.conn(), &scope, id).await?;
    let version = store::version_by_id(state.db.conn(), &scope, run.scheme_version_id).await?;
    let scheme = store::parse(&version)?;
    let detail = store::detail_of(&r);
    let lines = store::indicators_of(&run)
        .into_iter()
        .filter_map(|i| {
            let d = detail.indicators.iter().find(|d| d.id == i.id)?;
            let mut note = Vec::new();
            if d.filled {
                note.push(format!("{}（{}）", i.missing, i.fill));
            }
            if d.capped {
                note.push("已封顶".to_string());
            }
            Some(IndicatorLine {
                value: d.value.clone().unwrap_or_else(|| "—".into()),
                unit: i.unit.clone().unwrap_or_default(),
                benchmark: i.benchmark.clone(),
                weight: i.weight.clone(),
                score: d.score.clone(),
                note: note.join("；"),
                label: i.label,
            })
        })
        .collect();
    let measures = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .filter(|m| m.class_name == r.class)
        .collect();
    let objections = store::objections_of(state.db.conn(), &scope, r.id).await?;
    Ok(render(&ResultPage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.run", &format!("/land/runs/{}", run.id))
            .crumb("land.result", ""),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && run.status != RunStatus::Final.code(),
        can_object: OBJECTORS.contains(scope.role())
            && run.status == RunStatus::Publicity.code()
            && run.publicity_until.is_none_or(|u| scope.today() <= u),
        classes: scheme.classes.names.clone(),
        r,
        run,
        e,
        version,
        detail,
        lines,
        objections,
        measures,
    }))
}

#[derive(Deserialize)]
pub(super) struct AdjustForm {
    class: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn result_adjust(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<AdjustForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = format!("/land/results/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let r = store::adjust_class(&mut writer, &scope, id, &form.class, &form.reason).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已调整为 {}", r.class)))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ObjectionForm {
    pub reason: String,
    #[serde(default)]
    pub evidence: String,
}

pub(super) async fn objection_file(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ObjectionForm>,
) -> AppResult<Response> {
    let back = format!("/land/results/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::file_objection(&mut writer, &scope, id, &form.reason, &form.evidence, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "异议已提交，将由主管部门处理".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct ResolveForm {
    decision: String,
    answer: String,
    #[serde(default)]
    back: Option<String>,
}

pub(super) async fn objection_resolve(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ResolveForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let back = form
        .back
        .clone()
        .filter(|b| b.starts_with("/land/"))
        .unwrap_or_else(|| "/land".into());
    let result = async {
        let accept = match form.decision.as_str() {
            "accept" => true,
            "reject" => false,
            _ => return Err(AppError::field("decision", "请选择采纳或不予采纳")),
        };
        let mut writer = scope.writer(&state).await?;
        let o = store::resolve_objection(&mut writer, &scope, id, accept, &form.answer).await?;
        writer.commit().await?;
        let message = if accept {
            "已采纳：请在企业库更正数据后“按最新数据重新计算”"
        } else {
            "已答复，不予采纳"
        };
        Ok((format!("/land/results/{}", o.result_id), message.to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Template)]
#[template(path = "my.html")]
struct MyPage {
    ctx: PageCtx,
    rows: Vec<(Run, LandResultRow)>,
}

impl MyPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }
}

pub(super) async fn my_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let mut rows = Vec::new();
    for run in store::runs(&state.db, &scope).await? {
        let (results, _) = store::results(&state.db, &scope, run.id, &ResultFilter::default(), true).await?;
        for (r, _) in results {
            rows.push((run.clone(), r));
        }
    }
    Ok(render(&MyPage {
        ctx: ctx.crumb("nav.my_land", ""),
        rows,
    }))
}

//! Pages and API of the project book: the pipeline board and list, a project's page (timeline,
//! stage moves with evidence, monthly figures, problems, comments, admission reviews, the 达产
//! check), problems ("my problems" for a department), the leader's "my projects", the weekly
//! 会办 (agenda → decisions), the monthly bulletin (.docx/.xlsx), the quarter's site visits
//! (printable), half-year scores, targets against 序时进度, the location list by carrier, and
//! the rulebook.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::domain::{self, Book, Bulletin, CapacityCheck, ProblemLine, ProjectLine, StageColumn, TargetLine};
use super::entities::{comment, meeting, meeting_item, review, rulebook as rulebook_row};
use super::store::{self, MonthFigures, Move, NewProblem, NewProject, Proposed, Rights};
use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, ENTERPRISE_READERS, LEADERS, Role, RoleSet, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{Id, PageCtx, PageParams, Pager, Q, WebForm, file_download, render, xlsx_response};
use gaoxin_platform::web::{finish, parse_date};
use gaoxin_rules::project_rules::{self, Rulebook, Score};

/// Who comments on projects (批示): leaders and the administrator.
const COMMENTERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader]);

/// Who may raise a problem at all (whether on this project is decided per project).
const RAISERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader, Role::Staff, Role::Enterprise]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/projects", Access::Roles(ENTERPRISE_READERS), board_page)
        .get("/projects/new", Access::Roles(DEPARTMENT_EDITORS), new_page)
        .post("/projects", Access::Roles(DEPARTMENT_EDITORS), create)
        .get("/projects/problems", Access::Roles(ZONE_READERS), problems_page)
        .post(
            "/projects/problems/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            resolve,
        )
        .get("/projects/mine", Access::Roles(LEADERS), mine_page)
        .get("/projects/meetings", Access::Roles(ZONE_READERS), meetings_page)
        .post("/projects/meetings", Access::Roles(ADMINS), meeting_create)
        .get("/projects/meetings/{id}", Access::Roles(ZONE_READERS), meeting_page)
        .post(
            "/projects/meeting-items/{id}/decision",
            Access::Roles(ADMINS),
            decision_save,
        )
        .get("/projects/reviews", Access::Roles(ZONE_READERS), reviews_page)
        .get("/projects/bulletin", Access::Roles(ZONE_READERS), bulletin_page)
        .get("/projects/bulletin.docx", Access::Roles(ZONE_READERS), bulletin_docx)
        .get("/projects/bulletin.xlsx", Access::Roles(ZONE_READERS), bulletin_xlsx)
        .get("/projects/visits", Access::Roles(ZONE_READERS), visits_page)
        .get("/projects/scores", Access::Roles(ZONE_READERS), scores_page)
        .get("/projects/targets", Access::Roles(ZONE_READERS), targets_page)
        .post("/projects/targets", Access::Roles(ADMINS), target_save)
        .get("/projects/locations", Access::Roles(ZONE_READERS), locations_page)
        .get("/projects/rules", Access::Roles(ZONE_READERS), rules_page)
        .upload(
            "/projects/rules",
            Access::Roles(ADMINS),
            gaoxin_platform::versions::upload::<store::RulebookFile>,
        )
        .get("/projects/{id}", Access::Roles(ENTERPRISE_READERS), project_page)
        .get("/projects/{id}/edit", Access::Roles(DEPARTMENT_EDITORS), edit_page)
        .post("/projects/{id}/edit", Access::Roles(DEPARTMENT_EDITORS), edit_save)
        .post("/projects/{id}/stage", Access::Roles(DEPARTMENT_EDITORS), stage_move)
        .post(
            "/projects/{id}/monthly",
            Access::Roles(DEPARTMENT_EDITORS),
            monthly_save,
        )
        .post("/projects/{id}/problems", Access::Roles(RAISERS), problem_raise)
        .post("/projects/{id}/comments", Access::Roles(COMMENTERS), comment_add)
        .post("/projects/{id}/reviews", Access::Roles(ADMINS), review_save)
        .get("/api/v1/projects", Access::Roles(ENTERPRISE_READERS), api_list)
        .post("/api/v1/projects", Access::Roles(DEPARTMENT_EDITORS), api_create)
        .get("/api/v1/projects/bulletin", Access::Roles(ZONE_READERS), api_bulletin)
        .get("/api/v1/projects/scores", Access::Roles(ZONE_READERS), api_scores)
        .get("/api/v1/projects/{id}", Access::Roles(ENTERPRISE_READERS), api_project)
        .post(
            "/api/v1/projects/{id}/stage",
            Access::Roles(DEPARTMENT_EDITORS),
            api_move,
        )
        .post("/api/v1/projects/{id}/problems", Access::Roles(RAISERS), api_raise)
        .post(
            "/api/v1/project-problems/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            api_resolve,
        )
}

/// A form with repeated fields (multi-selects, checkboxes).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
    fn id(&self, key: &str) -> Option<i64> {
        self.get(key).parse().ok()
    }
    fn ids(&self, key: &str) -> Vec<i64> {
        self.all(key).iter().filter_map(|v| v.parse().ok()).collect()
    }
    fn date(&self, key: &'static str, what: &str) -> AppResult<Option<NaiveDate>> {
        parse_date(Some(&self.get(key)), key, what)
    }
}

/// Lists for the forms' selects.
struct Choices {
    departments: Vec<(i64, String)>,
    carriers: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

async fn choices(state: &AppState, scope: &Scope) -> AppResult<Choices> {
    use gaoxin_platform::accounts::entity::account;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let departments = gaoxin_plans::store::departments(&state.db, scope)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let carriers = scope
        .select::<gaoxin_enterprises::carrier_entity::Entity>()
        .order_by_asc(gaoxin_enterprises::carrier_entity::Column::Name)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let leaders = account::Entity::find()
        .filter(account::Column::ZoneId.eq(scope.zone_id()))
        .all(state.db.conn())
        .await?
        .into_iter()
        .filter(|a| a.role == Role::Leader.code())
        .map(|a| (a.id, a.display_name))
        .collect();
    Ok(Choices {
        departments,
        carriers,
        leaders,
    })
}

// ---------------------------------------------------------------------------------------------
// The board and the list.

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// A stage key.
    pub stage: Option<String>,
    /// The lead department's id.
    pub department_id: Option<String>,
    /// `1`: stalled projects only.
    pub stalled: Option<String>,
    /// `1`: 超亿元 projects only.
    pub major: Option<String>,
    /// Words in the name, investor or code.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl ListQuery {
    fn keep(&self, l: &ProjectLine, investors: &std::collections::HashSet<i64>) -> bool {
        let s = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        s(&self.stage).is_none_or(|v| l.project.stage == v)
            && s(&self.department_id).is_none_or(|v| l.project.lead_department_id.map(|d| d.to_string()) == Some(v))
            && (s(&self.stalled).as_deref() != Some("1") || l.stalled.is_some())
            && (s(&self.major).as_deref() != Some("1") || l.major)
            && s(&self.q).is_none_or(|q| {
                l.project.name.contains(&q)
                    || l.project.investor.contains(&q)
                    || l.project.code.contains(&q)
                    || l.project.enterprise_id.is_some_and(|id| investors.contains(&id))
            })
    }

    /// The registry enterprises the search names (an investor is found by its 统一社会信用代码 too).
    async fn investors(&self, state: &AppState, scope: &Scope) -> AppResult<std::collections::HashSet<i64>> {
        use gaoxin_enterprises::entity as enterprise;
        use sea_orm::{QueryFilter, QuerySelect};
        let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(Default::default());
        };
        let ids: Vec<i64> = scope
            .select::<enterprise::Entity>()
            .filter(gaoxin_enterprises::store::named(q))
            .select_only()
            .column(enterprise::Column::Id)
            .into_tuple()
            .all(state.db.conn())
            .await?;
        Ok(ids.into_iter().collect())
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    ctx: PageCtx,
    board: Vec<StageColumn>,
    rows: Vec<ProjectLine>,
    pager: Pager,
    stages: Vec<(String, String)>,
    departments: Vec<(i64, String)>,
    q: ListQuery,
    total: usize,
    stalled: usize,
    major: usize,
    can_create: bool,
    is_admin: bool,
    enterprise: bool,
    month: String,
    rules_note: String,
}

impl BoardPage {
    fn sel(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
    fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

fn last_month(t: NaiveDate) -> String {
    let first = t.with_day(1).expect("day 1");
    domain::month_key(first.pred_opt().expect("a day before"))
}

fn rules_note(book: &Book) -> String {
    format!(
        "{}（版本 {}）{}",
        book.rules.name,
        &book.rules.version[..12],
        if book.rules_loaded {
            ""
        } else {
            "，随软件提供的示例，管理员可在“推进规则”上传本区文件"
        }
    )
}

async fn board_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<ListQuery>,
) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let lines = book.lines(t);
    let board = book.board(&lines);
    let (stalled, major) = (
        lines.iter().filter(|l| l.stalled.is_some()).count(),
        lines.iter().filter(|l| l.major).count(),
    );
    let total = lines.len();
    let investors = q.investors(&state, &scope).await?;
    let mut rows: Vec<ProjectLine> = lines.into_iter().filter(|l| q.keep(l, &investors)).collect();
    rows.sort_by(|a, b| {
        b.stage_position
            .cmp(&a.stage_position)
            .then(a.project.code.cmp(&b.project.code))
    });
    let params = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let count = rows.len() as u64;
    let rows = rows
        .into_iter()
        .skip(params.offset() as usize)
        .take(params.per_page() as usize)
        .collect();
    Ok(render(&BoardPage {
        ctx: ctx.crumb("nav.projects", ""),
        board,
        rows,
        pager: Pager::new(&params, count, "/projects", raw.as_deref()),
        stages: book
            .rules
            .stages
            .iter()
            .map(|s| (s.key.clone(), s.name.clone()))
            .collect(),
        departments: book
            .departments
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        q,
        total,
        stalled,
        major,
        can_create: DEPARTMENT_EDITORS.contains(scope.role()),
        is_admin: scope.role() == Role::Admin,
        enterprise: scope.role() == Role::Enterprise,
        month: last_month(t),
        rules_note: rules_note(&book),
    }))
}

// ---------------------------------------------------------------------------------------------
// Creating and editing.

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    ctx: PageCtx,
    action: String,
    p: NewProject,
    editing: bool,
    stages: Vec<(String, String)>,
    departments: Vec<(i64, String)>,
    carriers: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    error: String,
}

impl FormPage {
    fn is_id(&self, v: &Option<i64>, id: &i64) -> bool {
        *v == Some(*id)
    }
    fn is_coop(&self, id: &i64) -> bool {
        self.p.cooperating_department_ids.contains(id)
    }
    fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
}

fn project_from(f: &Fields) -> AppResult<NewProject> {
    Ok(NewProject {
        code: f.get("code"),
        name: f.get("name"),
        enterprise_id: f.id("enterprise_id"),
        investor: f.get("investor"),
        industry_code: f.get("industry_code"),
        total_investment: f.get("total_investment"),
        fixed_investment: f.get("fixed_investment"),
        source: f.get("source"),
        officer: f.get("officer"),
        leader: f.get("leader"),
        leader_account_id: f.id("leader_account_id"),
        lead_department_id: f.id("lead_department_id"),
        cooperating_department_ids: f.ids("cooperating"),
        carrier_id: f.id("carrier_id"),
        location: f.get("location"),
        parcel_id: f.id("parcel_id"),
        contract_id: f.id("contract_id"),
        land_area: f.get("land_area"),
        stage: f.get("stage"),
        stage_since: f.date("stage_since", "进入阶段日期")?,
        planned_start: f.date("planned_start", "计划开工日期")?,
        planned_production: f.date("planned_production", "计划投产日期")?,
        planned_investment: f.get("planned_investment"),
        planned_output: f.get("planned_output"),
        planned_tax: f.get("planned_tax"),
        note: f.get("note"),
    })
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    action: String,
    p: NewProject,
    editing: bool,
    error: String,
) -> AppResult<Response> {
    let (rules, _) = store::rulebook_in_use(state.db.conn(), scope).await?;
    let c = choices(state, scope).await?;
    Ok(render(&FormPage {
        ctx: ctx
            .crumb("nav.projects", "/projects")
            .crumb(if editing { "projects.edit" } else { "projects.new" }, ""),
        action,
        p,
        editing,
        stages: rules.stages.iter().map(|s| (s.key.clone(), s.name.clone())).collect(),
        departments: c.departments,
        carriers: c.carriers,
        leaders: c.leaders,
        error,
    }))
}

async fn new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let p = NewProject {
        lead_department_id: scope.caller().department_id,
        ..Default::default()
    };
    form_page(&state, &scope, ctx, "/projects".into(), p, false, String::new()).await
}

async fn create(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(form);
    let new = project_from(&f)?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let p = store::create(&mut writer, &scope, &new, scope.today()).await?;
        writer.commit().await?;
        Ok(p)
    }
    .await;
    match result {
        Ok(p) => finish(
            &state,
            &headers,
            "/projects",
            Ok((
                format!("/projects/{}", p.id),
                format!("已登记项目 {} {}", p.code, p.name),
            )),
        ),
        Err(AppError::Validation { message, .. }) => {
            form_page(&state, &scope, ctx, "/projects".into(), new, false, message).await
        }
        Err(e) => Err(e),
    }
}

fn as_new(p: &domain::Project, cooperating: Vec<i64>) -> NewProject {
    NewProject {
        code: p.code.clone(),
        name: p.name.clone(),
        enterprise_id: p.enterprise_id,
        investor: p.investor.clone(),
        industry_code: p.industry_code.clone().unwrap_or_default(),
        total_investment: domain::wan(p.total_investment),
        fixed_investment: domain::wan_opt(p.fixed_investment),
        source: p.source.clone(),
        officer: p.officer.clone(),
        leader: p.leader.clone(),
        leader_account_id: p.leader_account_id,
        lead_department_id: p.lead_department_id,
        cooperating_department_ids: cooperating,
        carrier_id: p.carrier_id,
        location: p.location.clone(),
        parcel_id: p.parcel_id,
        contract_id: p.contract_id,
        land_area: p
            .land_area
            .map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
            .unwrap_or_default(),
        stage: p.stage.clone(),
        stage_since: Some(p.stage_since),
        planned_start: p.planned_start,
        planned_production: p.planned_production,
        planned_investment: domain::wan_opt(p.planned_investment),
        planned_output: domain::wan_opt(p.planned_output),
        planned_tax: domain::wan_opt(p.planned_tax),
        note: p.note.clone().unwrap_or_default(),
    }
}

async fn edit_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    let line = book.line(p, scope.today());
    if !store::rights(&scope, p, &line.cooperating_ids).lead {
        return Err(AppError::Forbidden);
    }
    form_page(
        &state,
        &scope,
        ctx,
        format!("/projects/{id}/edit"),
        as_new(p, line.cooperating_ids.clone()),
        true,
        String::new(),
    )
    .await
}

async fn edit_save(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let new = project_from(&Fields(form))?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let before = store::project(writer.read(), &scope, id).await?;
        if !store::rights_on(writer.read(), &scope, &before).await?.lead {
            return Err(AppError::Forbidden);
        }
        store::update(&mut writer, &scope, &before, &new, scope.today()).await?;
        writer.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => finish(
            &state,
            &headers,
            "/projects",
            Ok((format!("/projects/{id}"), "已保存".into())),
        ),
        Err(AppError::Validation { message, .. }) => {
            form_page(&state, &scope, ctx, format!("/projects/{id}/edit"), new, true, message).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// A project's page.

/// One event of a project's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub on: NaiveDate,
    /// `stage`, `problem`, `resolved`, `comment`, `decision`, `review`.
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    ctx: PageCtx,
    line: ProjectLine,
    rights: Rights,
    next_stage: Option<(String, String, String)>,
    timeline: Vec<Event>,
    problems: Vec<ProblemLine>,
    months: Vec<domain::Monthly>,
    reviews: Vec<review::Model>,
    checklist: Vec<(String, String, i32)>,
    departments: Vec<(i64, String)>,
    capacity: Vec<CapacityCheck>,
    contract_no: String,
    industry: String,
    own_department: Option<i64>,
    is_staff: bool,
    today: NaiveDate,
    this_month: String,
}

impl ProjectPage {
    fn money(&self, v: &Option<i64>) -> String {
        domain::wan_opt(*v)
    }
    fn area(&self, v: &Option<i64>) -> String {
        v.map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
            .unwrap_or_default()
    }
    fn kind_name(&self, k: &str) -> &'static str {
        match k {
            "stage" => "转段",
            "problem" => "提出问题",
            "resolved" => "问题解决",
            "comment" => "批示",
            "decision" => "会办意见",
            "review" => "准入评审",
            _ => "",
        }
    }
    fn decision(&self, d: &str) -> &'static str {
        project_rules::decision_name(d)
    }
    fn may_resolve(&self, q: &ProblemLine) -> bool {
        q.problem.status == "open"
            && (self.rights.admin || (self.is_staff && self.own_department == Some(q.problem.lead_department_id)))
    }
}

fn who(names: &HashMap<i64, String>, id: Option<i64>) -> String {
    id.and_then(|i| names.get(&i).cloned()).unwrap_or_default()
}

async fn project_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let conn = state.db.conn();
    let book = store::book(conn, &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?.clone();
    let t = scope.today();
    let line = book.line(&p, t);
    let rights = store::rights(&scope, &p, &line.cooperating_ids);
    let names = store::account_names(conn, &scope).await?;
    let rules = &book.rules;
    let mut timeline = Vec::new();
    for tr in book.transitions.iter().filter(|tr| tr.project_id == id) {
        timeline.push(Event {
            on: tr.on_date,
            kind: "stage",
            title: match &tr.from_stage {
                Some(f) => format!("{} → {}", rules.stage_name(f), rules.stage_name(&tr.to_stage)),
                None => format!("登记入库（{}）", rules.stage_name(&tr.to_stage)),
            },
            detail: [tr.evidence.clone(), tr.note.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("；"),
            who: who(&names, tr.moved_by),
        });
    }
    let problems: Vec<ProblemLine> = book
        .problem_lines(t)
        .into_iter()
        .filter(|q| q.problem.project_id == id)
        .collect();
    for q in &problems {
        timeline.push(Event {
            on: q.problem.raised_on,
            kind: "problem",
            title: q.problem.title.clone(),
            detail: format!("牵头：{}；时限 {}", q.lead_name, q.problem.deadline),
            who: who(&names, q.problem.raised_by),
        });
        if let Some(r) = q.problem.resolved_on {
            timeline.push(Event {
                on: r,
                kind: "resolved",
                title: q.problem.title.clone(),
                detail: q.problem.answer.clone().unwrap_or_default(),
                who: who(&names, q.problem.resolved_by),
            });
        }
    }
    let comments: Vec<comment::Model> = store::comments(conn, &scope, id).await?;
    for c in &comments {
        timeline.push(Event {
            on: gaoxin_core::clock::local_date(&c.created_at),
            kind: "comment",
            title: c.text.clone(),
            detail: c
                .problem_id
                .and_then(|q| problems.iter().find(|x| x.problem.id == q))
                .map(|q| format!("关于：{}", q.problem.title))
                .unwrap_or_default(),
            who: who(&names, c.created_by),
        });
    }
    for (m, i) in store::decisions_by_problem(conn, &scope, id).await? {
        if let Some(d) = &i.decision {
            timeline.push(Event {
                on: m.held_on,
                kind: "decision",
                title: d.clone(),
                detail: format!(
                    "{}；责任部门 {}{}",
                    m.title,
                    book.department(i.department_id),
                    i.due_date.map(|d| format!("，{d} 前")).unwrap_or_default()
                ),
                who: String::new(),
            });
        }
    }
    let reviews = store::reviews(conn, &scope, Some(id)).await?;
    for r in &reviews {
        timeline.push(Event {
            on: r.reviewed_on,
            kind: "review",
            title: format!("{}，{} 分", project_rules::decision_name(&r.decision), r.score),
            detail: r.note.clone(),
            who: who(&names, r.created_by),
        });
    }
    timeline.sort_by_key(|e| std::cmp::Reverse(e.on));
    let months: Vec<domain::Monthly> = book
        .monthly
        .iter()
        .filter(|m| m.project_id == id)
        .cloned()
        .rev()
        .collect();
    let (mut capacity, mut contract_no) = (Vec::new(), String::new());
    if let Some(cid) = p.contract_id {
        use gaoxin_land::contract_entity as contract;
        use sea_orm::{ColumnTrait, QueryFilter};
        if let Some(c) = scope
            .select::<contract::Entity>()
            .filter(contract::Column::Id.eq(cid))
            .one(conn)
            .await?
        {
            contract_no = c.contract_no.clone();
            if let Some(area) = p.land_area {
                capacity = domain::capacity_check(area, &months, c.output_per_mu, c.tax_per_mu);
            }
        }
    }
    let c = choices(&state, &scope).await?;
    Ok(render(&ProjectPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb_text(p.name.clone(), ""),
        next_stage: rules
            .next(&p.stage)
            .map(|s| (s.key.clone(), s.name.clone(), s.evidence.clone())),
        industry: p
            .industry_code
            .as_deref()
            .map(|c| format!("{c} {}", gaoxin_core::industry::path_text(c)))
            .unwrap_or_default(),
        line,
        rights,
        timeline,
        problems,
        months,
        reviews,
        checklist: rules
            .admission
            .checklist
            .iter()
            .map(|c| (c.key.clone(), c.text.clone(), c.points))
            .collect(),
        departments: c.departments,
        capacity,
        contract_no,
        own_department: scope.caller().department_id,
        is_staff: scope.role() == Role::Staff,
        today: t,
        this_month: domain::month_key(t),
    }))
}

async fn stage_move(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let m = Move {
            to: f.get("to"),
            on_date: f
                .date("on_date", "转段日期")?
                .ok_or_else(|| AppError::field("on_date", "请填写转段日期"))?,
            evidence: f.get("evidence"),
            note: f.get("note"),
        };
        let mut writer = scope.writer(&state).await?;
        let p = store::move_stage(&mut writer, &scope, id, &m, scope.today()).await?;
        let (rules, _) = store::rulebook_in_use(writer.read(), &scope).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已进入{}阶段", rules.stage_name(&p.stage))))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn monthly_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let figures = MonthFigures {
            month: f.get("month"),
            planned_investment: f.get("planned_investment"),
            investment: f.get("investment"),
            planned_sales: f.get("planned_sales"),
            sales: f.get("sales"),
            planned_tax: f.get("planned_tax"),
            tax: f.get("tax"),
        };
        let mut writer = scope.writer(&state).await?;
        store::save_month(&mut writer, &scope, id, &figures, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已保存 {} 月度数据", figures.month)))
    }
    .await;
    finish(&state, &headers, &back, result)
}

fn problem_from(f: &Fields) -> AppResult<NewProblem> {
    Ok(NewProblem {
        title: f.get("title"),
        detail: f.get("detail"),
        lead_department_id: f.id("lead_department_id"),
        cooperating_department_ids: f.ids("cooperating"),
        deadline: f.date("deadline", "办结时限")?,
    })
}

async fn problem_raise(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let new = problem_from(&f)?;
        let mut writer = scope.writer(&state).await?;
        store::raise_problem(&mut writer, &scope, id, &new, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已提出问题".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn resolve(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = match f.get("back") {
        b if b.starts_with("/projects") => b,
        _ => "/projects/problems".to_string(),
    };
    let result = async {
        let on = f.date("resolved_on", "解决日期")?.unwrap_or(scope.today());
        let mut writer = scope.writer(&state).await?;
        store::resolve_problem(&mut writer, &scope, id, &f.get("answer"), on, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "问题已办结".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn comment_add(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::add_comment(&mut writer, &scope, id, f.id("problem_id"), &f.get("text")).await?;
        writer.commit().await?;
        Ok((back.clone(), "已记录批示".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn review_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let on = f.date("reviewed_on", "评审日期")?.unwrap_or(scope.today());
        let mut writer = scope.writer(&state).await?;
        let r = store::record_review(
            &mut writer,
            &scope,
            id,
            &f.all("checked"),
            &f.get("decision"),
            &f.get("note"),
            on,
        )
        .await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!(
                "已记录评审：{} 分，{}",
                r.score,
                project_rules::decision_name(&r.decision)
            ),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------------------------------------
// Problems, "my problems", "my projects".

#[derive(Debug, Clone, Default, Deserialize)]
struct ProblemQuery {
    /// `1`: the caller's department's problems (lead or cooperating).
    mine: Option<String>,
    /// `open`, `overdue`, `resolved`.
    state: Option<String>,
    department_id: Option<String>,
}

#[derive(Template)]
#[template(path = "problems.html")]
struct ProblemsPage {
    ctx: PageCtx,
    rows: Vec<ProblemLine>,
    departments: Vec<(i64, String)>,
    mine: bool,
    state_filter: String,
    department_id: String,
    own_department: Option<i64>,
    is_admin: bool,
    today: NaiveDate,
}

impl ProblemsPage {
    fn may_resolve(&self, q: &ProblemLine) -> bool {
        q.problem.status == "open" && (self.is_admin || self.own_department == Some(q.problem.lead_department_id))
    }
    fn role_of(&self, q: &ProblemLine) -> &'static str {
        match self.own_department {
            Some(d) if d == q.problem.lead_department_id => "牵头",
            Some(d) if q.cooperating_ids.contains(&d) => "配合",
            _ => "",
        }
    }
}

async fn problems_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ProblemQuery>,
) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let own = scope.caller().department_id;
    let mine = q.mine.as_deref() == Some("1") && own.is_some();
    let st = q.state.clone().unwrap_or_default();
    let dept: Option<i64> = q.department_id.as_deref().and_then(|d| d.parse().ok());
    let rows = book
        .problem_lines(t)
        .into_iter()
        .filter(|l| {
            !mine || own == Some(l.problem.lead_department_id) || own.is_some_and(|d| l.cooperating_ids.contains(&d))
        })
        .filter(|l| dept.is_none_or(|d| d == l.problem.lead_department_id))
        .filter(|l| match st.as_str() {
            "open" => l.problem.status == "open",
            "overdue" => l.state.is_overdue(),
            "resolved" => l.problem.status == "resolved",
            _ => true,
        })
        .collect();
    Ok(render(&ProblemsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb(
            if mine {
                "projects.my_problems"
            } else {
                "projects.problems"
            },
            "",
        ),
        rows,
        departments: choices(&state, &scope).await?.departments,
        mine,
        state_filter: st,
        department_id: q.department_id.unwrap_or_default(),
        own_department: if scope.role() == Role::Staff { own } else { None },
        is_admin: scope.role() == Role::Admin,
        today: t,
    }))
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    ctx: PageCtx,
    rows: Vec<ProjectLine>,
    problems: Vec<ProblemLine>,
}

async fn mine_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let me = scope.caller();
    let rows: Vec<ProjectLine> = book
        .projects
        .iter()
        .filter(|p| {
            p.leader_account_id == Some(me.account_id)
                || (p.leader_account_id.is_none() && !p.leader.is_empty() && p.leader == me.display_name)
        })
        .map(|p| book.line(p, t))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|l| l.project.id).collect();
    let problems = book
        .problem_lines(t)
        .into_iter()
        .filter(|q| ids.contains(&q.problem.project_id) && q.problem.status == "open")
        .collect();
    Ok(render(&MinePage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.mine", ""),
        rows,
        problems,
    }))
}

// ---------------------------------------------------------------------------------------------
// Meetings: the weekly 会办 and its decisions.

/// Monday and Sunday of the week holding `d`.
fn week_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = d - Days::new(d.weekday().num_days_from_monday() as u64);
    (monday, monday + Days::new(6))
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    ctx: PageCtx,
    meetings: Vec<meeting::Model>,
    proposed: Vec<(Proposed, String)>,
    week: (NaiveDate, NaiveDate),
    is_admin: bool,
    today: NaiveDate,
}

impl MeetingsPage {
    fn kind(&self, k: &str) -> &'static str {
        if k == "review" { "双周评审" } else { "周会办" }
    }
}

async fn meetings_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let week = week_of(t);
    let proposed = store::agenda(&book, week.1, t)
        .into_iter()
        .map(|p| {
            let name = book
                .project(p.project_id)
                .map(|x| format!("{} {}", x.code, x.name))
                .unwrap_or_default();
            (p, name)
        })
        .collect();
    Ok(render(&MeetingsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.meetings", ""),
        meetings: store::meetings(state.db.conn(), &scope).await?,
        proposed,
        week,
        is_admin: scope.role() == Role::Admin,
        today: t,
    }))
}

async fn meeting_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = "/projects/meetings";
    let result = async {
        let t = scope.today();
        let held_on = f.date("held_on", "会议日期")?.unwrap_or(t);
        let book = store::book(state.db.conn(), &scope).await?;
        let proposed = store::agenda(&book, week_of(held_on).1, t);
        let picked = f.all("item");
        let items: Vec<Proposed> = proposed.into_iter().filter(|p| picked.contains(&item_key(p))).collect();
        if items.is_empty() {
            return Err(AppError::field("item", "请至少选择一个议题"));
        }
        let mut writer = scope.writer(&state).await?;
        let m = store::create_meeting(&mut writer, &scope, "weekly", held_on, &f.get("title"), &items).await?;
        writer.commit().await?;
        Ok((
            format!("/projects/meetings/{}", m.id),
            format!("已生成会办议程，共 {} 项", items.len()),
        ))
    }
    .await;
    finish(&state, &headers, back, result)
}

fn item_key(p: &Proposed) -> String {
    match p.problem_id {
        Some(q) => format!("q{q}"),
        None => format!("p{}", p.project_id),
    }
}

/// An agenda item with what the page shows beside it.
struct ItemLine {
    item: meeting_item::Model,
    project: String,
    problem: Option<ProblemLine>,
    department: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    ctx: PageCtx,
    meeting: meeting::Model,
    items: Vec<ItemLine>,
    departments: Vec<(i64, String)>,
    is_admin: bool,
}

async fn meeting_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let (m, items) = store::meeting(state.db.conn(), &scope, id).await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let items = items
        .into_iter()
        .map(|i| ItemLine {
            project: book
                .project(i.project_id)
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default(),
            problem: i
                .problem_id
                .and_then(|q| book.problems.iter().find(|x| x.id == q))
                .map(|q| book.problem_line(q, t)),
            department: book.department(i.department_id),
            item: i,
        })
        .collect();
    Ok(render(&MeetingPage {
        ctx: ctx
            .crumb("nav.projects", "/projects")
            .crumb("projects.meetings", "/projects/meetings")
            .crumb_text(m.title.clone(), ""),
        meeting: m,
        items,
        departments: choices(&state, &scope).await?.departments,
        is_admin: scope.role() == Role::Admin,
    }))
}

async fn decision_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/meetings/{}", f.get("meeting_id"));
    let result = async {
        let due = f.date("due_date", "完成时限")?;
        let mut writer = scope.writer(&state).await?;
        let item =
            store::record_decision(&mut writer, &scope, id, &f.get("decision"), f.id("department_id"), due).await?;
        writer.commit().await?;
        Ok((
            format!("/projects/meetings/{}", item.meeting_id),
            "已记录会办意见".to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------------------------------------
// Admission reviews.

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    ctx: PageCtx,
    reviews: Vec<(review::Model, String)>,
    waiting: Vec<ProjectLine>,
}

impl ReviewsPage {
    fn decision(&self, d: &str) -> &'static str {
        project_rules::decision_name(d)
    }
}

async fn reviews_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let reviews = store::reviews(state.db.conn(), &scope, None).await?;
    let first = book.rules.stages[0].key.clone();
    let waiting = book
        .lines(scope.today())
        .into_iter()
        .filter(|l| l.project.stage == first && !reviews.iter().any(|r| r.project_id == l.project.id))
        .collect();
    let reviews = reviews
        .into_iter()
        .map(|r| {
            let name = book
                .project(r.project_id)
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default();
            (r, name)
        })
        .collect();
    Ok(render(&ReviewsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.reviews", ""),
        reviews,
        waiting,
    }))
}

// ---------------------------------------------------------------------------------------------
// The monthly bulletin.

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct MonthQuery {
    /// `2026-11`; default: last month.
    pub month: Option<String>,
}

async fn bulletin_of(state: &AppState, scope: &Scope, month: Option<String>) -> AppResult<Bulletin> {
    let month = month
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| last_month(scope.today()));
    let book = store::book(state.db.conn(), scope).await?;
    book.bulletin_at(month.trim(), scope.today())
        .map_err(|e| AppError::field("month", e))
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    ctx: PageCtx,
    b: Bulletin,
}

async fn bulletin_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<MonthQuery>,
) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    Ok(render(&BulletinPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.bulletin", ""),
        b,
    }))
}

async fn bulletin_docx(State(state): State<AppState>, scope: Scope, Q(q): Q<MonthQuery>) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    let bytes = super::bulletin::to_docx(&b, &scope.zone().name).map_err(|e| AppError::Internal(e.into()))?;
    file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "bulletin.docx",
        &format!("重大项目推进情况通报-{}.docx", b.month),
    )
}

async fn bulletin_xlsx(State(state): State<AppState>, scope: Scope, Q(q): Q<MonthQuery>) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    let bytes = super::bulletin::to_xlsx(&b).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    xlsx_response(bytes, &format!("重大项目推进情况通报-{}.xlsx", b.month))
}

// ---------------------------------------------------------------------------------------------
// Site visits, scores, targets, locations, rules.

#[derive(Debug, Clone, Deserialize)]
struct QuarterQuery {
    /// `2026Q4`.
    quarter: Option<String>,
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    ctx: PageCtx,
    quarter: String,
    rows: Vec<(ProjectLine, String, Vec<ProblemLine>, String)>,
    rule: String,
}

async fn visits_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<QuarterQuery>,
) -> AppResult<Response> {
    let t = scope.today();
    let quarter = q
        .quarter
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{}Q{}", t.year(), (t.month() - 1) / 3 + 1));
    let bad = || AppError::field("quarter", format!("季度“{quarter}”应写作 2026Q4"));
    let (y, n) = quarter
        .trim()
        .to_ascii_uppercase()
        .split_once('Q')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(bad)?;
    let (y, n): (i32, u32) = (y.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if !(1..=4).contains(&n) {
        return Err(bad());
    }
    let end = NaiveDate::from_ymd_opt(if n == 4 { y + 1 } else { y }, if n == 4 { 1 } else { n * 3 + 1 }, 1)
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    let book = store::book(state.db.conn(), &scope).await?.as_of(end.min(t));
    let as_of = end.min(t);
    let problems = book.problem_lines(as_of);
    let rows = book
        .visits(as_of)
        .into_iter()
        .map(|(l, why)| {
            let open = problems
                .iter()
                .filter(|q| q.problem.project_id == l.project.id && q.problem.status == "open")
                .cloned()
                .collect();
            let year = format!("{}-01", as_of.year());
            let done = book.investment_between(l.project.id, &year, &domain::month_key(as_of));
            (l, why, open, domain::wan(done))
        })
        .collect();
    let v = &book.rules.visit;
    Ok(render(&VisitsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.visits", ""),
        rule: format!(
            "{}：{}及以后阶段、总投资不低于 {} 万元的项目，按总投资从大到小取前 {} 个（截至 {as_of}）",
            book.rules.name,
            book.rules.stage_name(&v.from_stage),
            v.min_investment,
            v.count
        ),
        quarter,
        rows,
    }))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// `2026H1`, `2026H2` or `2026`; default: the current half-year.
    pub period: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoresOut {
    pub period: String,
    pub rulebook: String,
    #[schema(value_type = Object)]
    pub departments: Vec<Score>,
    #[schema(value_type = Object)]
    pub officers: Vec<Score>,
}

async fn scores_of(state: &AppState, scope: &Scope, period: Option<String>) -> AppResult<ScoresOut> {
    let t = scope.today();
    let period = period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| format!("{}H{}", t.year(), if t.month() <= 6 { 1 } else { 2 }));
    let (from, to) = project_rules::period(&period).map_err(|e| AppError::field("period", e))?;
    let book = store::book(state.db.conn(), scope).await?.as_of(to.min(t));
    let (projects, problems) = book.score_facts(from, to);
    let (departments, officers) = project_rules::scores(&book.rules.scores, &projects, &problems, to.min(t));
    Ok(ScoresOut {
        period,
        rulebook: rules_note(&book),
        departments,
        officers,
    })
}

#[derive(Template)]
#[template(path = "scores.html")]
struct ScoresPage {
    ctx: PageCtx,
    s: ScoresOut,
    rule: project_rules::ScoreRule,
}

async fn scores_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Response> {
    let s = scores_of(&state, &scope, q.period).await?;
    let (rules, _) = store::rulebook_in_use(state.db.conn(), &scope).await?;
    Ok(render(&ScoresPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.scores", ""),
        s,
        rule: rules.scores,
    }))
}

#[derive(Debug, Clone, Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    ctx: PageCtx,
    year: i32,
    rows: Vec<TargetLine>,
    metrics: Vec<(&'static str, &'static str)>,
    is_admin: bool,
    elapsed: i64,
}

async fn targets_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<YearQuery>,
) -> AppResult<Response> {
    let t = scope.today();
    let year = q.year.unwrap_or(t.year());
    let book = store::book(state.db.conn(), &scope).await?;
    let targets = store::targets(state.db.conn(), &scope).await?;
    Ok(render(&TargetsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.targets", ""),
        rows: book.targets(year, &targets, t),
        year,
        metrics: domain::METRICS.to_vec(),
        is_admin: scope.role() == Role::Admin,
        elapsed: if year == t.year() {
            domain::year_elapsed_percent(t)
        } else if year < t.year() {
            100
        } else {
            0
        },
    }))
}

async fn target_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let year: i32 = f.get("year").parse().unwrap_or(0);
    let back = format!("/projects/targets?year={year}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::save_target(
            &mut writer,
            &scope,
            year,
            &f.get("metric"),
            &f.get("label"),
            &f.get("value"),
        )
        .await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存目标".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Template)]
#[template(path = "locations.html")]
struct LocationsPage {
    ctx: PageCtx,
    groups: Vec<(String, Vec<ProjectLine>, String, String)>,
}

impl LocationsPage {
    fn area(&self, v: &Option<i64>) -> String {
        v.map(|a| format!("{} 亩", gaoxin_core::quantity::Fixed::<4>(a)))
            .unwrap_or_default()
    }
}

async fn locations_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let mut groups: BTreeMap<String, Vec<ProjectLine>> = BTreeMap::new();
    for l in book.lines(scope.today()) {
        let key = if l.carrier.is_empty() {
            "（未落载体）".to_string()
        } else {
            l.carrier.clone()
        };
        groups.entry(key).or_default().push(l);
    }
    let groups = groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| {
                a.project
                    .location
                    .cmp(&b.project.location)
                    .then(a.project.code.cmp(&b.project.code))
            });
            let amount = domain::yi(v.iter().map(|l| l.project.total_investment).sum());
            let land: i64 = v.iter().filter_map(|l| l.project.land_area).sum();
            (k, v, amount, gaoxin_core::quantity::Fixed::<4>(land).to_string())
        })
        .collect();
    Ok(render(&LocationsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.locations", ""),
        groups,
    }))
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    ctx: PageCtx,
    rules: Rulebook,
    loaded: bool,
    versions: Vec<rulebook_row::Model>,
    is_admin: bool,
    major_wan: String,
}

async fn rules_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    use sea_orm::QueryOrder;
    let (rules, loaded) = store::rulebook_in_use(state.db.conn(), &scope).await?;
    let versions = scope
        .select::<rulebook_row::Entity>()
        .order_by_desc(rulebook_row::Column::Id)
        .all(state.db.conn())
        .await?;
    Ok(render(&RulesPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.rules", ""),
        major_wan: domain::wan(rules.major_threshold),
        rules,
        loaded,
        versions,
        is_admin: scope.role() == Role::Admin,
    }))
}

// ---------------------------------------------------------------------------------------------
// API.

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub investor: String,
    pub enterprise_id: Option<i64>,
    pub industry_code: Option<String>,
    /// 万元.
    pub total_investment: String,
    pub stage: String,
    pub stage_name: String,
    pub stage_since: NaiveDate,
    pub lead_department: String,
    pub cooperating_departments: Vec<String>,
    pub leader: String,
    pub officer: String,
    pub major: bool,
    pub stalled: Option<String>,
    pub open_problems: usize,
    pub overdue_problems: usize,
}

fn out(l: &ProjectLine) -> ProjectOut {
    ProjectOut {
        id: l.project.id,
        code: l.project.code.clone(),
        name: l.project.name.clone(),
        investor: l.project.investor.clone(),
        enterprise_id: l.project.enterprise_id,
        industry_code: l.project.industry_code.clone(),
        total_investment: l.total_wan(),
        stage: l.project.stage.clone(),
        stage_name: l.stage_name.clone(),
        stage_since: l.project.stage_since,
        lead_department: l.lead_name.clone(),
        cooperating_departments: l.cooperating.clone(),
        leader: l.project.leader.clone(),
        officer: l.project.officer.clone(),
        major: l.major,
        stalled: l.stalled.clone(),
        open_problems: l.open_problems,
        overdue_problems: l.overdue_problems,
    }
}

/// The projects the caller may see (an enterprise: its own), filtered.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ListQuery), responses((status = 200, body = [ProjectOut])))]
pub async fn api_list(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ListQuery>,
) -> AppResult<Json<Vec<ProjectOut>>> {
    let book = store::book(state.db.conn(), &scope).await?;
    let investors = q.investors(&state, &scope).await?;
    Ok(Json(
        book.lines(scope.today())
            .iter()
            .filter(|l| q.keep(l, &investors))
            .map(out)
            .collect(),
    ))
}

/// Registers a project (at the first stage unless `stage` says otherwise).
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject, responses((status = 201, body = ProjectOut)))]
pub async fn api_create(
    State(state): State<AppState>,
    scope: Scope,
    Json(new): Json<NewProject>,
) -> AppResult<(axum::http::StatusCode, Json<ProjectOut>)> {
    let mut writer = scope.writer(&state).await?;
    let p = store::create(&mut writer, &scope, &new, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(p.id).ok_or(AppError::NotFound)?;
    Ok((axum::http::StatusCode::CREATED, Json(out(&book.line(p, scope.today())))))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetailOut {
    pub project: ProjectOut,
    /// Oldest first: stage, date, evidence.
    #[schema(value_type = Object)]
    pub transitions: Vec<domain::Transition>,
    #[schema(value_type = Object)]
    pub problems: Vec<ProblemLine>,
    #[schema(value_type = Object)]
    pub monthly: Vec<domain::Monthly>,
}

/// One project with its transitions, problems and monthly figures (fen).
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)), responses((status = 200, body = ProjectDetailOut)))]
pub async fn api_project(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<ProjectDetailOut>> {
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    let t = scope.today();
    Ok(Json(ProjectDetailOut {
        project: out(&book.line(p, t)),
        transitions: book
            .transitions
            .iter()
            .filter(|x| x.project_id == id)
            .cloned()
            .collect(),
        problems: book
            .problem_lines(t)
            .into_iter()
            .filter(|q| q.problem.project_id == id)
            .collect(),
        monthly: book.monthly.iter().filter(|m| m.project_id == id).cloned().collect(),
    }))
}

/// Moves a project to its next stage (its lead department or admin), with date and evidence.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects", params(("id" = i64, Path)), request_body = Move, responses((status = 200, body = ProjectOut)))]
pub async fn api_move(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(m): Json<Move>,
) -> AppResult<Json<ProjectOut>> {
    let mut writer = scope.writer(&state).await?;
    store::move_stage(&mut writer, &scope, id, &m, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    Ok(Json(out(&book.line(p, scope.today()))))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    pub state: String,
    pub reason: String,
}

/// Raises a blocking problem on a project (anyone involved).
#[utoipa::path(post, path = "/api/v1/projects/{id}/problems", tag = "projects", params(("id" = i64, Path)), request_body = NewProblem, responses((status = 201, body = ProblemOut)))]
pub async fn api_raise(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(new): Json<NewProblem>,
) -> AppResult<(axum::http::StatusCode, Json<ProblemOut>)> {
    let mut writer = scope.writer(&state).await?;
    let q = store::raise_problem(&mut writer, &scope, id, &new, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let l = book.problem_line(&q, scope.today());
    Ok((
        axum::http::StatusCode::CREATED,
        Json(ProblemOut {
            id: q.id,
            state: l.state.name().into(),
            reason: l.reason,
        }),
    ))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ResolveIn {
    pub answer: String,
    /// Default today.
    pub resolved_on: Option<NaiveDate>,
}

/// Resolves a problem with a written answer (its lead department or admin).
#[utoipa::path(post, path = "/api/v1/project-problems/{id}/resolve", tag = "projects", params(("id" = i64, Path)), request_body = ResolveIn, responses((status = 200, body = ProblemOut)))]
pub async fn api_resolve(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(r): Json<ResolveIn>,
) -> AppResult<Json<ProblemOut>> {
    let t = scope.today();
    let mut writer = scope.writer(&state).await?;
    let q = store::resolve_problem(&mut writer, &scope, id, &r.answer, r.resolved_on.unwrap_or(t), t).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let l = book.problem_line(&q, t);
    Ok(Json(ProblemOut {
        id: q.id,
        state: l.state.name().into(),
        reason: l.reason,
    }))
}

/// The monthly bulletin's facts as of the month's end.
#[utoipa::path(get, path = "/api/v1/projects/bulletin", tag = "projects", params(MonthQuery), responses((status = 200, description = "通报内容：各阶段项目、本月转段、滞后项目、逾期问题、部门情况")))]
pub async fn api_bulletin(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Json<Bulletin>> {
    Ok(Json(bulletin_of(&state, &scope, q.month).await?))
}

/// Department and 招商 officer scores of a period, each with its lines.
#[utoipa::path(get, path = "/api/v1/projects/scores", tag = "projects", params(PeriodQuery), responses((status = 200, body = ScoresOut)))]
pub async fn api_scores(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<ScoresOut>> {
    Ok(Json(scores_of(&state, &scope, q.period).await?))
}

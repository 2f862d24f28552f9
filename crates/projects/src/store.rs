//! Project queries (always through the caller's `Scope`; an enterprise sees only its own
//! projects) and audited writes: projects, stage transitions, monthly figures, problems and
//! their answers, comments, meetings and decisions, admission reviews, the rulebook, targets.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::domain::{Book, Problem, Project};
use super::entities::{
    comment, cooperation, meeting, meeting_item, monthly, problem, project, review, rulebook, target, transition,
};
use gaoxin_core::quantity::{Mu, Wan};
use gaoxin_core::roles::Role;
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::versions::{self, Loaded};
use gaoxin_rules::project_rules::{self, Rulebook};

/// The rulebook shipped as an example (used until a zone loads its own).
pub const SHIPPED: (&str, &str) = (
    "xiangmu-example.toml",
    include_str!("../../../rules/projects/xiangmu-example.toml"),
);

/// Parsed rulebooks by version (the SHA-256 of their text): a version never changes, so each
/// is parsed once per process whichever zone uses it.
static PARSED: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Rulebook>>> =
    std::sync::LazyLock::new(Default::default);

static SHIPPED_BOOK: std::sync::LazyLock<Rulebook> =
    std::sync::LazyLock::new(|| project_rules::load(SHIPPED.1).expect("the shipped rulebook loads"));

/// The zone's rulebook in use, and whether the zone loaded it (false: the shipped example).
pub async fn rulebook_in_use(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<(Rulebook, bool)> {
    let row = scope
        .select::<rulebook::Entity>()
        .filter(rulebook::Column::Status.eq("active"))
        .one(conn)
        .await?;
    let Some(r) = row else {
        return Ok((SHIPPED_BOOK.clone(), false));
    };
    if let Some(book) = PARSED.lock().expect("not poisoned").get(&r.version) {
        return Ok((book.clone(), true));
    }
    let book =
        project_rules::load(&r.source).map_err(|e| AppError::Internal(anyhow::anyhow!("stored rulebook: {e}")))?;
    PARSED
        .lock()
        .expect("not poisoned")
        .insert(r.version.clone(), book.clone());
    Ok((book, true))
}

/// Checks a rulebook file and makes it the version in use.
pub async fn load_rulebook(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    text: &str,
    by: Option<i64>,
) -> AppResult<(rulebook::Model, Loaded)> {
    versions::load::<RulebookFile>(writer, zone_id, file_name, text, by).await
}

/// A project rulebook (招商项目规则) file.
pub struct RulebookFile;

#[async_trait::async_trait]
impl versions::RuleFile for RulebookFile {
    type Row = rulebook::ActiveModel;
    const PAGE: &'static str = "/projects/rules";

    async fn check(
        _: &Writer,
        _: i64,
        file_name: &str,
        text: &str,
        by: Option<i64>,
    ) -> AppResult<versions::Checked<Self::Row>> {
        let book = project_rules::load(text).map_err(|e| AppError::field("file", format!("{file_name}：{e}")))?;
        Ok(versions::Checked {
            key: book.id.clone(),
            version: book.version.clone(),
            row: rulebook::ActiveModel {
                scheme_id: Set(book.id.clone()),
                name: Set(book.name.clone()),
                version: Set(book.version.clone()),
                file_name: Set(file_name.chars().take(200).collect()),
                source: Set(text.to_string()),
                status: Set("active".into()),
                loaded_by: Set(by),
                ..Default::default()
            },
        })
    }

    fn shown(row: &rulebook::Model) -> (String, String) {
        ("/projects/rules".to_string(), row.name.clone())
    }
}

/// Reads the zone's project book: every project the caller may see and what hangs on them.
pub async fn book(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Book> {
    let (rules, rules_loaded) = rulebook_in_use(conn, scope).await?;
    let mut projects = scope
        .select::<project::Entity>()
        .order_by_asc(project::Column::Code)
        .all(conn)
        .await?;
    let own = enterprise_only(scope);
    if let Some(e) = own {
        projects.retain(|p| p.enterprise_id == Some(e));
    }
    let visible = |id: i64| own.is_none() || projects.iter().any(|p| p.id == id);
    let departments = scope
        .select::<department::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let carriers = scope
        .select::<carrier::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut cooperation = scope
        .select::<cooperation::Entity>()
        .order_by_asc(cooperation::Column::Id)
        .all(conn)
        .await?;
    cooperation.retain(|c| visible(c.project_id));
    let mut transitions = scope
        .select::<transition::Entity>()
        .order_by_asc(transition::Column::OnDate)
        .order_by_asc(transition::Column::Id)
        .all(conn)
        .await?;
    transitions.retain(|t| visible(t.project_id));
    let mut problems = scope
        .select::<problem::Entity>()
        .order_by_asc(problem::Column::Id)
        .all(conn)
        .await?;
    problems.retain(|q| visible(q.project_id));
    let mut monthly = scope
        .select::<monthly::Entity>()
        .order_by_asc(monthly::Column::Month)
        .all(conn)
        .await?;
    monthly.retain(|m| visible(m.project_id));
    Ok(Book {
        rules,
        rules_loaded,
        projects,
        departments,
        carriers,
        cooperation,
        transitions,
        problems,
        monthly,
    })
}

fn enterprise_only(scope: &Scope) -> Option<i64> {
    (scope.role() == Role::Enterprise).then(|| scope.own_enterprise().unwrap_or(-1))
}

/// One project the caller may see.
pub async fn project(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Project> {
    let p = scope
        .select::<project::Entity>()
        .filter(project::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(e) = enterprise_only(scope)
        && p.enterprise_id != Some(e)
    {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// What the caller may do on one project.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    /// Move the stage, edit, enter monthly figures (the lead department's staff, admin).
    pub lead: bool,
    /// Raise a problem (anyone involved: admin, leaders, the project's departments, the investor).
    pub raise: bool,
    /// Comment (leaders, admin).
    pub comment: bool,
    /// Review admission, hold meetings (admin).
    pub admin: bool,
}

pub fn rights(scope: &Scope, p: &Project, cooperating: &[i64]) -> Rights {
    let role = scope.role();
    let own = scope.caller().department_id;
    let lead = role == Role::Admin || (role == Role::Staff && own.is_some() && p.lead_department_id == own);
    let involved = lead
        || matches!(role, Role::Leader)
        || (role == Role::Staff && own.is_some_and(|d| cooperating.contains(&d)))
        || (role == Role::Enterprise && p.enterprise_id.is_some() && scope.own_enterprise() == p.enterprise_id);
    Rights {
        lead,
        raise: involved,
        comment: matches!(role, Role::Leader | Role::Admin),
        admin: role == Role::Admin,
    }
}

async fn cooperating_ids(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    project_id: i64,
    problem_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    let mut q = scope
        .select::<cooperation::Entity>()
        .filter(cooperation::Column::ProjectId.eq(project_id));
    q = match problem_id {
        Some(id) => q.filter(cooperation::Column::ProblemId.eq(id)),
        None => q.filter(cooperation::Column::ProblemId.is_null()),
    };
    Ok(q.all(conn).await?.into_iter().map(|c| c.department_id).collect())
}

pub async fn rights_on(conn: &impl ConnectionTrait, scope: &Scope, p: &Project) -> AppResult<Rights> {
    Ok(rights(scope, p, &cooperating_ids(conn, scope, p.id, None).await?))
}

/// A project as entered on the form, the API or a ledger row (amounts in 万元 as text).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct NewProject {
    /// 项目编号; empty: assigned (`XM2026-0001`).
    #[serde(default)]
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// The investor's name (required when no enterprise is linked).
    #[serde(default)]
    pub investor: String,
    #[serde(default)]
    pub industry_code: String,
    /// 万元, exact.
    pub total_investment: String,
    #[serde(default)]
    pub fixed_investment: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub leader_account_id: Option<i64>,
    pub lead_department_id: Option<i64>,
    #[serde(default)]
    pub cooperating_department_ids: Vec<i64>,
    #[serde(default)]
    pub carrier_id: Option<i64>,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub parcel_id: Option<i64>,
    #[serde(default)]
    pub contract_id: Option<i64>,
    /// 亩.
    #[serde(default)]
    pub land_area: String,
    /// A stage key; empty: the first stage.
    #[serde(default)]
    pub stage: String,
    /// When the project entered that stage; default today.
    #[serde(default)]
    pub stage_since: Option<NaiveDate>,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(default)]
    pub planned_production: Option<NaiveDate>,
    #[serde(default)]
    pub planned_investment: String,
    #[serde(default)]
    pub planned_output: String,
    #[serde(default)]
    pub planned_tax: String,
    #[serde(default)]
    pub note: String,
}

pub fn money(field: &str, label: &str, text: &str, required: bool) -> AppResult<Option<i64>> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return if required {
            Err(AppError::field(field, format!("请填写{label}（万元）")))
        } else {
            Ok(None)
        };
    }
    Wan::parse_non_negative(&t)
        .map(|w| Some(w.0))
        .map_err(|_| AppError::field(field, format!("{label}“{text}”应为不小于 0 的万元数，最多 6 位小数")))
}

pub fn area(field: &str, text: &str) -> AppResult<Option<i64>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Mu::parse_non_negative(t)
        .map(|m| Some(m.0))
        .map_err(|_| AppError::field(field, format!("用地面积“{text}”应为不小于 0 的亩数，最多 4 位小数")))
}

fn trimmed(text: &str, max: usize, field: &str, label: &str) -> AppResult<String> {
    let t = text.trim().to_string();
    if t.chars().count() > max {
        return Err(AppError::field(field, format!("{label}最多 {max} 个字")));
    }
    Ok(t)
}

/// A checked project, ready to save.
pub struct Checked {
    pub active: project::ActiveModel,
    pub cooperating: Vec<i64>,
}

/// Checks a project against the zone's departments, enterprises and rulebook.
pub async fn check(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    rules: &Rulebook,
    new: &NewProject,
    today: NaiveDate,
) -> AppResult<Checked> {
    let name = trimmed(&new.name, 200, "name", "项目名称")?;
    if name.is_empty() {
        return Err(AppError::field("name", "请填写项目名称"));
    }
    let code = trimmed(&new.code, 50, "code", "项目编号")?;
    let mut investor = trimmed(&new.investor, 200, "investor", "投资方")?;
    if let Some(e) = new.enterprise_id {
        let found = scope
            .select::<gaoxin_enterprises::entity::Entity>()
            .filter(gaoxin_enterprises::entity::Column::Id.eq(e))
            .one(conn)
            .await?
            .ok_or_else(|| AppError::field("enterprise_id", "所选企业不在本园区企业库中"))?;
        if investor.is_empty() {
            investor = found.name;
        }
    }
    if investor.is_empty() {
        return Err(AppError::field("investor", "请填写投资方（或选择库内企业）"));
    }
    let industry = if new.industry_code.trim().is_empty() {
        String::new()
    } else {
        let code =
            gaoxin_core::industry::normalize(&new.industry_code).map_err(|e| AppError::field("industry_code", e))?;
        if gaoxin_core::industry::lookup(&code).is_none() {
            return Err(AppError::field(
                "industry_code",
                format!("行业代码“{}”不在 GB/T 4754-2017 中", new.industry_code.trim()),
            ));
        }
        code
    };
    let department_ids: Vec<i64> = scope
        .select::<department::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let Some(lead) = new.lead_department_id else {
        return Err(AppError::field("lead_department_id", "请选择牵头部门"));
    };
    if !department_ids.contains(&lead) {
        return Err(AppError::field("lead_department_id", "牵头部门不在本园区部门列表中"));
    }
    let mut cooperating = Vec::new();
    for d in &new.cooperating_department_ids {
        if !department_ids.contains(d) {
            return Err(AppError::field(
                "cooperating_department_ids",
                "配合部门不在本园区部门列表中",
            ));
        }
        if *d != lead && !cooperating.contains(d) {
            cooperating.push(*d);
        }
    }
    if let Some(c) = new.carrier_id
        && scope
            .select::<carrier::Entity>()
            .filter(carrier::Column::Id.eq(c))
            .one(conn)
            .await?
            .is_none()
    {
        return Err(AppError::field("carrier_id", "所选载体不在本园区"));
    }
    if let Some(c) = new.parcel_id
        && scope
            .select::<gaoxin_land::parcel_entity::Entity>()
            .filter(gaoxin_land::parcel_entity::Column::Id.eq(c))
            .one(conn)
            .await?
            .is_none()
    {
        return Err(AppError::field("parcel_id", "所选地块不在本园区"));
    }
    if let Some(c) = new.contract_id
        && scope
            .select::<gaoxin_land::contract_entity::Entity>()
            .filter(gaoxin_land::contract_entity::Column::Id.eq(c))
            .one(conn)
            .await?
            .is_none()
    {
        return Err(AppError::field("contract_id", "所选标准地合同不在本园区"));
    }
    let stage = if new.stage.trim().is_empty() {
        rules.stages[0].key.clone()
    } else {
        let s = new.stage.trim();
        rules
            .stages
            .iter()
            .find(|x| x.key == s || x.name == s)
            .map(|x| x.key.clone())
            .ok_or_else(|| {
                AppError::field(
                    "stage",
                    format!(
                        "阶段“{s}”不在规则中，应为：{}",
                        rules
                            .stages
                            .iter()
                            .map(|x| x.name.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )
            })?
    };
    let since = new.stage_since.unwrap_or(today);
    if since > today {
        return Err(AppError::field("stage_since", "阶段日期不能晚于今天"));
    }
    let total = money("total_investment", "总投资", &new.total_investment, true)?.unwrap_or(0);
    let fixed = money("fixed_investment", "固定资产投资", &new.fixed_investment, false)?;
    if fixed.is_some_and(|f| f > total) {
        return Err(AppError::field("fixed_investment", "固定资产投资不能大于总投资"));
    }
    if let (Some(a), Some(b)) = (new.planned_start, new.planned_production)
        && b < a
    {
        return Err(AppError::field(
            "planned_production",
            "计划投产日期不能早于计划开工日期",
        ));
    }
    let note = new.note.trim();
    Ok(Checked {
        active: project::ActiveModel {
            code: Set(code),
            name: Set(name),
            enterprise_id: Set(new.enterprise_id),
            investor: Set(investor),
            industry_code: Set((!industry.is_empty()).then_some(industry)),
            total_investment: Set(total),
            fixed_investment: Set(fixed),
            source: Set(trimmed(&new.source, 50, "source", "项目来源")?),
            officer: Set(trimmed(&new.officer, 50, "officer", "招商专员")?),
            leader: Set(trimmed(&new.leader, 50, "leader", "挂钩领导")?),
            leader_account_id: Set(new.leader_account_id),
            lead_department_id: Set(Some(lead)),
            carrier_id: Set(new.carrier_id),
            location: Set(trimmed(&new.location, 200, "location", "项目地点")?),
            parcel_id: Set(new.parcel_id),
            contract_id: Set(new.contract_id),
            land_area: Set(area("land_area", &new.land_area)?),
            stage: Set(stage),
            stage_since: Set(since),
            planned_start: Set(new.planned_start),
            planned_production: Set(new.planned_production),
            planned_investment: Set(money(
                "planned_investment",
                "年度计划投资",
                &new.planned_investment,
                false,
            )?),
            planned_output: Set(money("planned_output", "年度计划产值", &new.planned_output, false)?),
            planned_tax: Set(money("planned_tax", "年度计划税收", &new.planned_tax, false)?),
            note: Set((!note.is_empty()).then(|| note.to_string())),
            ..Default::default()
        },
        cooperating,
    })
}

async fn next_code(conn: &impl ConnectionTrait, scope: &Scope, year: i32) -> AppResult<String> {
    let prefix = format!("XM{year}-");
    let used = scope
        .select::<project::Entity>()
        .filter(project::Column::Code.starts_with(&prefix))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.code[prefix.len()..].parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:04}", used + 1))
}

async fn code_taken(conn: &impl ConnectionTrait, scope: &Scope, code: &str, except: Option<i64>) -> AppResult<bool> {
    let mut q = scope.select::<project::Entity>().filter(project::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(project::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// Saves a new project with its first transition (into the stage it starts at).
pub async fn create(writer: &mut Writer, scope: &Scope, new: &NewProject, today: NaiveDate) -> AppResult<Project> {
    let (rules, _) = rulebook_in_use(writer.read(), scope).await?;
    let Checked {
        mut active,
        cooperating,
    } = check(writer.read(), scope, &rules, new, today).await?;
    let code = match &active.code {
        Set(c) if !c.is_empty() => c.clone(),
        _ => next_code(writer.read(), scope, chrono::Datelike::year(&today)).await?,
    };
    if code_taken(writer.read(), scope, &code, None).await? {
        return Err(AppError::field("code", format!("项目编号“{code}”已存在")));
    }
    active.code = Set(code);
    active.created_by = Set(Some(scope.caller().account_id));
    let saved = writer.insert_in_zone(active).await?;
    save_cooperation(writer, saved.id, None, &cooperating).await?;
    writer
        .insert_in_zone(transition::ActiveModel {
            project_id: Set(saved.id),
            from_stage: Set(None),
            to_stage: Set(saved.stage.clone()),
            on_date: Set(saved.stage_since),
            evidence: Set(String::new()),
            note: Set("登记入库".into()),
            moved_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    Ok(saved)
}

/// Updates a project's record (not its stage: that moves by transitions).
pub async fn update(
    writer: &mut Writer,
    scope: &Scope,
    before: &Project,
    new: &NewProject,
    today: NaiveDate,
) -> AppResult<Project> {
    let (rules, _) = rulebook_in_use(writer.read(), scope).await?;
    let mut fixed = new.clone();
    fixed.stage = before.stage.clone();
    fixed.stage_since = Some(before.stage_since);
    let Checked { active, cooperating } = check(writer.read(), scope, &rules, &fixed, today).await?;
    let code = match &active.code {
        Set(c) if !c.is_empty() => c.clone(),
        _ => before.code.clone(),
    };
    if code_taken(writer.read(), scope, &code, Some(before.id)).await? {
        return Err(AppError::field("code", format!("项目编号“{code}”已存在")));
    }
    let mut a = before.clone().into_active_model();
    a.code = Set(code);
    for (to, from) in [
        (&mut a.name, &active.name),
        (&mut a.investor, &active.investor),
        (&mut a.source, &active.source),
        (&mut a.officer, &active.officer),
        (&mut a.leader, &active.leader),
        (&mut a.location, &active.location),
    ] {
        *to = from.clone();
    }
    a.enterprise_id = active.enterprise_id;
    a.industry_code = active.industry_code;
    a.total_investment = active.total_investment;
    a.fixed_investment = active.fixed_investment;
    a.leader_account_id = active.leader_account_id;
    a.lead_department_id = active.lead_department_id;
    a.carrier_id = active.carrier_id;
    a.parcel_id = active.parcel_id;
    a.contract_id = active.contract_id;
    a.land_area = active.land_area;
    a.planned_start = active.planned_start;
    a.planned_production = active.planned_production;
    a.planned_investment = active.planned_investment;
    a.planned_output = active.planned_output;
    a.planned_tax = active.planned_tax;
    a.note = active.note;
    let saved = writer.update_in_zone(before, a).await?;
    let old = cooperating_ids(writer.read(), scope, before.id, None).await?;
    if old != cooperating {
        for c in scope
            .select::<cooperation::Entity>()
            .filter(cooperation::Column::ProjectId.eq(before.id))
            .filter(cooperation::Column::ProblemId.is_null())
            .all(writer.read())
            .await?
        {
            writer.delete_in_zone(c).await?;
        }
        save_cooperation(writer, before.id, None, &cooperating).await?;
    }
    Ok(saved)
}

async fn save_cooperation(writer: &mut Writer, project_id: i64, problem_id: Option<i64>, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    writer
        .insert_many_in_zone(
            ids.iter()
                .map(|d| cooperation::ActiveModel {
                    project_id: Set(project_id),
                    problem_id: Set(problem_id),
                    department_id: Set(*d),
                    ..Default::default()
                })
                .collect(),
        )
        .await?;
    Ok(())
}

/// A stage move.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Move {
    /// The next stage's key (or name).
    pub to: String,
    pub on_date: NaiveDate,
    /// Contract no., land certificate, permit … (what the rulebook asks for this stage).
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub note: String,
}

/// Moves a project to the next stage; only its lead department (or admin) may.
pub async fn move_stage(writer: &mut Writer, scope: &Scope, id: i64, m: &Move, today: NaiveDate) -> AppResult<Project> {
    let before = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &before).await?.lead {
        return Err(AppError::Forbidden);
    }
    let (rules, _) = rulebook_in_use(writer.read(), scope).await?;
    let Some(next) = rules.next(&before.stage) else {
        return Err(AppError::field(
            "to",
            format!("项目已在最后阶段（{}）", rules.stage_name(&before.stage)),
        ));
    };
    if m.to.trim() != next.key && m.to.trim() != next.name {
        return Err(AppError::field(
            "to",
            format!(
                "只能从{}进入下一阶段{}，不能跳到“{}”",
                rules.stage_name(&before.stage),
                next.name,
                m.to.trim()
            ),
        ));
    }
    if m.on_date > today {
        return Err(AppError::field("on_date", "转段日期不能晚于今天"));
    }
    if m.on_date < before.stage_since {
        return Err(AppError::field(
            "on_date",
            format!(
                "转段日期不能早于进入{}阶段的日期 {}",
                rules.stage_name(&before.stage),
                before.stage_since
            ),
        ));
    }
    let evidence = trimmed(&m.evidence, 200, "evidence", "凭证")?;
    if !next.evidence.is_empty() && evidence.is_empty() {
        return Err(AppError::field(
            "evidence",
            format!("进入{}阶段须登记{}", next.name, next.evidence),
        ));
    }
    writer
        .insert_in_zone(transition::ActiveModel {
            project_id: Set(id),
            from_stage: Set(Some(before.stage.clone())),
            to_stage: Set(next.key.clone()),
            on_date: Set(m.on_date),
            evidence: Set(evidence),
            note: Set(m.note.trim().to_string()),
            moved_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    let mut a = before.clone().into_active_model();
    a.stage = Set(next.key.clone());
    a.stage_since = Set(m.on_date);
    Ok(writer.update_in_zone(&before, a).await?)
}

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
    let (first, _) = super::domain::month_bounds(month).map_err(|e| AppError::field("month", e))?;
    if first > today {
        return Err(AppError::field("month", format!("月份 {month} 还没有到")));
    }
    let month = super::domain::month_key(first);
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
        .select::<monthly::Entity>()
        .filter(monthly::Column::ProjectId.eq(id))
        .filter(monthly::Column::Month.eq(&month))
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
                .insert_in_zone(monthly::ActiveModel {
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

/// A problem to raise.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewProblem {
    pub title: String,
    #[serde(default)]
    pub detail: String,
    pub lead_department_id: Option<i64>,
    #[serde(default)]
    pub cooperating_department_ids: Vec<i64>,
    pub deadline: Option<NaiveDate>,
}

pub async fn raise_problem(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    new: &NewProblem,
    today: NaiveDate,
) -> AppResult<Problem> {
    let p = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &p).await?.raise {
        return Err(AppError::Forbidden);
    }
    let title = trimmed(&new.title, 300, "title", "问题")?;
    if title.is_empty() {
        return Err(AppError::field("title", "请填写问题"));
    }
    let departments: Vec<i64> = scope
        .select::<department::Entity>()
        .all(writer.read())
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let lead = new
        .lead_department_id
        .ok_or_else(|| AppError::field("lead_department_id", "请选择牵头部门"))?;
    if !departments.contains(&lead) {
        return Err(AppError::field("lead_department_id", "牵头部门不在本园区部门列表中"));
    }
    let mut cooperating = Vec::new();
    for d in &new.cooperating_department_ids {
        if !departments.contains(d) {
            return Err(AppError::field(
                "cooperating_department_ids",
                "配合部门不在本园区部门列表中",
            ));
        }
        if *d != lead && !cooperating.contains(d) {
            cooperating.push(*d);
        }
    }
    let deadline = new
        .deadline
        .ok_or_else(|| AppError::field("deadline", "请填写办结时限"))?;
    if deadline < today {
        return Err(AppError::field("deadline", "办结时限不能早于今天"));
    }
    let saved = writer
        .insert_in_zone(problem::ActiveModel {
            project_id: Set(id),
            title: Set(title),
            detail: Set(new.detail.trim().to_string()),
            raised_on: Set(today),
            raised_by: Set(Some(scope.caller().account_id)),
            lead_department_id: Set(lead),
            deadline: Set(deadline),
            status: Set("open".into()),
            answer: Set(None),
            resolved_on: Set(None),
            resolved_by: Set(None),
            ..Default::default()
        })
        .await?;
    save_cooperation(writer, id, Some(saved.id), &cooperating).await?;
    Ok(saved)
}

pub async fn problem(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Problem> {
    let q = scope
        .select::<problem::Entity>()
        .filter(problem::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    project(conn, scope, q.project_id).await?;
    Ok(q)
}

/// Resolves a problem with a written answer: its lead department's staff, or admin.
pub async fn resolve_problem(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    answer: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> AppResult<Problem> {
    let before = problem(writer.read(), scope, id).await?;
    let own = scope.caller().department_id;
    if !(scope.role() == Role::Admin || (scope.role() == Role::Staff && own == Some(before.lead_department_id))) {
        return Err(AppError::Forbidden);
    }
    if before.status == "resolved" {
        return Err(AppError::Conflict("该问题已解决".into()));
    }
    let answer = answer.trim();
    if answer.is_empty() {
        return Err(AppError::field("answer", "请填写办理结果"));
    }
    if on > today || on < before.raised_on {
        return Err(AppError::field("resolved_on", "解决日期应在提出日期和今天之间"));
    }
    let mut a = before.clone().into_active_model();
    a.status = Set("resolved".into());
    a.answer = Set(Some(answer.to_string()));
    a.resolved_on = Set(Some(on));
    a.resolved_by = Set(Some(scope.caller().account_id));
    Ok(writer.update_in_zone(&before, a).await?)
}

/// A leader's (or admin's) comment on a project or one of its problems.
pub async fn add_comment(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    problem_id: Option<i64>,
    text: &str,
) -> AppResult<()> {
    let p = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &p).await?.comment {
        return Err(AppError::Forbidden);
    }
    if let Some(q) = problem_id
        && problem(writer.read(), scope, q).await?.project_id != id
    {
        return Err(AppError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "请填写批示或意见"));
    }
    writer
        .insert_in_zone(comment::ActiveModel {
            project_id: Set(id),
            problem_id: Set(problem_id),
            text: Set(text.to_string()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    Ok(())
}

pub async fn comments(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Vec<comment::Model>> {
    Ok(scope
        .select::<comment::Entity>()
        .filter(comment::Column::ProjectId.eq(id))
        .order_by_asc(comment::Column::Id)
        .all(conn)
        .await?)
}

pub async fn reviews(conn: &impl ConnectionTrait, scope: &Scope, id: Option<i64>) -> AppResult<Vec<review::Model>> {
    let mut q = scope.select::<review::Entity>();
    if let Some(id) = id {
        q = q.filter(review::Column::ProjectId.eq(id));
    }
    Ok(q.order_by_desc(review::Column::ReviewedOn)
        .order_by_desc(review::Column::Id)
        .all(conn)
        .await?)
}

/// Records an admission review: the score is computed from the ticked checklist and the
/// project's industry; a project on the negative list cannot be admitted.
pub async fn record_review(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    ticked: &[String],
    decision: &str,
    note: &str,
    on: NaiveDate,
) -> AppResult<review::Model> {
    let p = project(writer.read(), scope, id).await?;
    let (rules, _) = rulebook_in_use(writer.read(), scope).await?;
    for t in ticked {
        if !rules.admission.checklist.iter().any(|c| &c.key == t) {
            return Err(AppError::field("checked", format!("评审要点“{t}”不在规则中")));
        }
    }
    let outcome = project_rules::review(&rules.admission, p.industry_code.as_deref(), ticked);
    let decision = match decision.trim() {
        "" => outcome.suggested.to_string(),
        d @ ("admit" | "conditional" | "reject") => d.to_string(),
        other => {
            return Err(AppError::field(
                "decision",
                format!("评审结论“{other}”应为准入、有条件准入或不予准入"),
            ));
        }
    };
    if outcome.vetoed && decision != "reject" {
        return Err(AppError::field("decision", "该项目行业属准入负面清单，只能不予准入"));
    }
    Ok(writer
        .insert_in_zone(review::ActiveModel {
            project_id: Set(id),
            reviewed_on: Set(on),
            rulebook_version: Set(rules.version.clone()),
            checked: Set(serde_json::to_string(ticked).unwrap_or_else(|_| "[]".into())),
            score: Set(outcome.score),
            explanation: Set(outcome.lines.join("\n")),
            suggested: Set(outcome.suggested.to_string()),
            decision: Set(decision),
            note: Set(note.trim().to_string()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

pub async fn meetings(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<meeting::Model>> {
    Ok(scope
        .select::<meeting::Entity>()
        .order_by_desc(meeting::Column::HeldOn)
        .order_by_desc(meeting::Column::Id)
        .all(conn)
        .await?)
}

pub async fn meeting(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<(meeting::Model, Vec<meeting_item::Model>)> {
    let m = scope
        .select::<meeting::Entity>()
        .filter(meeting::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::MeetingId.eq(id))
        .order_by_asc(meeting_item::Column::Id)
        .all(conn)
        .await?;
    Ok((m, items))
}

/// An agenda item the week's meeting should take up.
#[derive(Debug, Clone)]
pub struct Proposed {
    pub project_id: i64,
    pub problem_id: Option<i64>,
    pub reason: String,
}

/// The week's agenda: open problems overdue or due by the week's end, problems raised in the
/// last 7 days, and stalled projects.
pub fn agenda(book: &Book, week_end: NaiveDate, today: NaiveDate) -> Vec<Proposed> {
    let mut out = Vec::new();
    for q in book.problem_lines(today) {
        if q.problem.status == "resolved" {
            continue;
        }
        let reason = if q.state.is_overdue() {
            Some(format!("问题{}：{}", q.reason, q.problem.title))
        } else if q.problem.deadline <= week_end {
            Some(format!("问题本周到期（{}）：{}", q.problem.deadline, q.problem.title))
        } else if (today - q.problem.raised_on).num_days() <= 7 {
            Some(format!("新提出的问题（{}）：{}", q.problem.raised_on, q.problem.title))
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(Proposed {
                project_id: q.problem.project_id,
                problem_id: Some(q.problem.id),
                reason,
            });
        }
    }
    for l in book.lines(today) {
        if let Some(s) = l.stalled {
            out.push(Proposed {
                project_id: l.project.id,
                problem_id: None,
                reason: format!(
                    "{s}（挂钩领导：{}）",
                    if l.project.leader.is_empty() {
                        "未定"
                    } else {
                        &l.project.leader
                    }
                ),
            });
        }
    }
    out
}

/// Holds a meeting with its agenda (admin).
pub async fn create_meeting(
    writer: &mut Writer,
    scope: &Scope,
    kind: &str,
    held_on: NaiveDate,
    title: &str,
    items: &[Proposed],
) -> AppResult<meeting::Model> {
    if !matches!(kind, "weekly" | "review") {
        return Err(AppError::field("kind", "会议类型应为会办或评审"));
    }
    let title = trimmed(title, 200, "title", "会议名称")?;
    if title.is_empty() {
        return Err(AppError::field("title", "请填写会议名称"));
    }
    let m = writer
        .insert_in_zone(meeting::ActiveModel {
            kind: Set(kind.into()),
            held_on: Set(held_on),
            title: Set(title),
            note: Set(String::new()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    if !items.is_empty() {
        for i in items {
            project(writer.read(), scope, i.project_id).await?;
        }
        writer
            .insert_many_in_zone(
                items
                    .iter()
                    .map(|i| meeting_item::ActiveModel {
                        meeting_id: Set(m.id),
                        project_id: Set(i.project_id),
                        problem_id: Set(i.problem_id),
                        reason: Set(i.reason.chars().take(300).collect()),
                        decision: Set(None),
                        department_id: Set(None),
                        due_date: Set(None),
                        ..Default::default()
                    })
                    .collect(),
            )
            .await?;
    }
    Ok(m)
}

/// Records the meeting's decision on an agenda item: what, which department, by when.
pub async fn record_decision(
    writer: &mut Writer,
    scope: &Scope,
    item_id: i64,
    decision: &str,
    department_id: Option<i64>,
    due_date: Option<NaiveDate>,
) -> AppResult<meeting_item::Model> {
    let before = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::Id.eq(item_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let decision = decision.trim();
    if decision.is_empty() {
        return Err(AppError::field("decision", "请填写会办意见"));
    }
    let Some(d) = department_id else {
        return Err(AppError::field("department_id", "请选择责任部门"));
    };
    if scope
        .select::<department::Entity>()
        .filter(department::Column::Id.eq(d))
        .one(writer.read())
        .await?
        .is_none()
    {
        return Err(AppError::field("department_id", "责任部门不在本园区部门列表中"));
    }
    if due_date.is_none() {
        return Err(AppError::field("due_date", "请填写完成时限"));
    }
    let mut a = before.clone().into_active_model();
    a.decision = Set(Some(decision.to_string()));
    a.department_id = Set(Some(d));
    a.due_date = Set(due_date);
    Ok(writer.update_in_zone(&before, a).await?)
}

/// The decisions recorded against each problem, for the project page.
pub async fn decisions_by_problem(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    project_id: i64,
) -> AppResult<Vec<(meeting::Model, meeting_item::Model)>> {
    let items = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::ProjectId.eq(project_id))
        .order_by_asc(meeting_item::Column::Id)
        .all(conn)
        .await?;
    let meetings: HashMap<i64, meeting::Model> = meetings(conn, scope).await?.into_iter().map(|m| (m.id, m)).collect();
    Ok(items
        .into_iter()
        .filter_map(|i| meetings.get(&i.meeting_id).cloned().map(|m| (m, i)))
        .collect())
}

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
    if super::domain::metric_name(metric).is_empty() {
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

/// Account display names by id (for "who" on timelines).
pub async fn account_names(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<HashMap<i64, String>> {
    Ok(gaoxin_platform::accounts::entity::account::Entity::find()
        .filter(gaoxin_platform::accounts::entity::account::Column::ZoneId.eq(scope.zone_id()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect())
}

//! Projects: the record as entered (form, API, ledger row) and its check against the zone's
//! departments, enterprises, carriers, land and rulebook; registering a project with its first
//! transition, updating its record, and moving it to the next stage with evidence.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter};
use serde::Deserialize;

use super::{cooperating_ids, lead_and_cooperating, project, rights_on, rulebook_in_use, save_cooperation, trimmed};
use crate::domain::Project;
use crate::entities::{cooperation, project as project_row, transition};
use gaoxin_core::quantity::{Mu, Wan};
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_rules::project_rules::Rulebook;

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

/// A checked project, ready to save.
pub struct Checked {
    pub active: project_row::ActiveModel,
    pub cooperating: Vec<i64>,
}

/// Checks a project against the zone's departments, enterprises and rulebook. The checks run
/// in the order of the form, and the first that fails is the error (an import shows it in its
/// column).
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
    let investor = investor(conn, scope, new).await?;
    let industry = industry(&new.industry_code)?;
    let (lead, cooperating) =
        lead_and_cooperating(conn, scope, new.lead_department_id, &new.cooperating_department_ids).await?;
    check_links(conn, scope, new).await?;
    let stage = stage_key(rules, &new.stage)?;
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
        active: project_row::ActiveModel {
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

/// The investor as written, or the linked enterprise's name when none is written; the linked
/// enterprise must be in the zone's registry.
async fn investor(conn: &impl ConnectionTrait, scope: &Scope, new: &NewProject) -> AppResult<String> {
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
    Ok(investor)
}

/// The GB/T 4754-2017 code normalised (empty when none is written).
fn industry(written: &str) -> AppResult<String> {
    if written.trim().is_empty() {
        return Ok(String::new());
    }
    let code = gaoxin_core::industry::normalize(written).map_err(|e| AppError::field("industry_code", e))?;
    if gaoxin_core::industry::lookup(&code).is_none() {
        return Err(AppError::field(
            "industry_code",
            format!("行业代码“{}”不在 GB/T 4754-2017 中", written.trim()),
        ));
    }
    Ok(code)
}

/// The carrier, parcel and 标准地 contract a project names must be the zone's own.
async fn check_links(conn: &impl ConnectionTrait, scope: &Scope, new: &NewProject) -> AppResult<()> {
    // The leader a project hangs on is an active leader (or admin) account of this zone (issue
    // 17, finding 10: another zone's account, or nobody's id, was accepted).
    if let Some(id) = new.leader_account_id {
        use gaoxin_platform::accounts::entity::account;
        use sea_orm::EntityTrait;
        let leader = account::Entity::find_by_id(id)
            .filter(account::Column::ZoneId.eq(scope.zone_id()))
            .filter(account::Column::Active.eq(true))
            .one(conn)
            .await?;
        if !leader.is_some_and(|a| {
            matches!(
                a.role(),
                gaoxin_core::roles::Role::Leader | gaoxin_core::roles::Role::Admin
            )
        }) {
            return Err(AppError::field(
                "leader_account_id",
                "挂钩领导须为本园区在用的领导或管理员账号",
            ));
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
    Ok(())
}

/// The key of the stage written by key or by name (empty: the rulebook's first stage).
fn stage_key(rules: &Rulebook, written: &str) -> AppResult<String> {
    let s = written.trim();
    if s.is_empty() {
        return Ok(rules.stages[0].key.clone());
    }
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
        })
}

async fn next_code(conn: &impl ConnectionTrait, scope: &Scope, year: i32) -> AppResult<String> {
    let prefix = format!("XM{year}-");
    let used = scope
        .select::<project_row::Entity>()
        .filter(project_row::Column::Code.starts_with(&prefix))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.code[prefix.len()..].parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:04}", used + 1))
}

async fn code_taken(conn: &impl ConnectionTrait, scope: &Scope, code: &str, except: Option<i64>) -> AppResult<bool> {
    let mut q = scope
        .select::<project_row::Entity>()
        .filter(project_row::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(project_row::Column::Id.ne(id));
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

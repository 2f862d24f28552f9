//! Parcels (地块) with the enterprises on them, and 标准地 contracts with their checks: queries
//! (always within one zone) and audited writes. Also the parcel groups the evaluation reads:
//! enterprises that share a parcel (directly or through another shared parcel) form one group
//! with the parcels' total area.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::contract_entity::{self as contract, Model as Contract};
use super::domain::{self, CheckLine, Completion, Terms, YearFigures};
use super::occupant_entity::{self as occupant, Model as Occupant};
use super::parcel_entity::{self as parcel, Model as Parcel};
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;

/// Ten-thousandths → a decimal.
pub fn ten_thousandths(raw: i64) -> Decimal {
    Decimal::new(raw, 4)
}

/// A decimal written by staff, at most 4 decimals, not negative; None when blank.
pub fn parse_amount(raw: &str, field: &'static str, what: &str) -> Result<Option<i64>, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let d: Decimal = raw
        .replace(',', "")
        .parse()
        .map_err(|_| AppError::field(field, format!("{what}“{raw}”不是数字")))?;
    if d.is_sign_negative() {
        return Err(AppError::field(field, format!("{what}不能为负数")));
    }
    if d.normalize().scale() > 4 {
        return Err(AppError::field(field, format!("{what}最多 4 位小数")));
    }
    (d * Decimal::from(10_000))
        .to_i64()
        .map(Some)
        .ok_or_else(|| AppError::field(field, format!("{what}过大")))
}

// ---------------------------------------------------------------- parcels

pub struct ParcelLine {
    pub parcel: Parcel,
    pub occupants: Vec<(Occupant, Enterprise)>,
}

async fn occupants_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    parcel_ids: &[i64],
) -> Result<HashMap<i64, Vec<(Occupant, Enterprise)>>, AppError> {
    let rows = scope
        .select::<occupant::Entity>()
        .filter(occupant::Column::ParcelId.is_in(parcel_ids.to_vec()))
        .order_by_asc(occupant::Column::Id)
        .all(conn)
        .await?;
    let mut out: HashMap<i64, Vec<(Occupant, Enterprise)>> = HashMap::new();
    for (o, e) in gaoxin_enterprises::store::paired(conn, scope, rows, |o| o.enterprise_id).await? {
        out.entry(o.parcel_id).or_default().push((o, e));
    }
    Ok(out)
}

/// Parcels by code, searched by code, name, location or an occupant's name or code.
pub async fn parcels(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    page: &PageParams,
    all: bool,
) -> Result<(Vec<ParcelLine>, u64), AppError> {
    let mut select = scope.select::<parcel::Entity>();
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        use sea_orm::{QuerySelect, QueryTrait};
        let on = scope
            .select::<occupant::Entity>()
            .filter(gaoxin_enterprises::store::matching(
                scope,
                occupant::Column::EnterpriseId,
                q,
            ))
            .select_only()
            .column(occupant::Column::ParcelId)
            .into_query();
        select = select.filter(
            sea_orm::Condition::any()
                .add(parcel::Column::Code.contains(q))
                .add(parcel::Column::Name.contains(q))
                .add(parcel::Column::Location.contains(q))
                .add(parcel::Column::Id.in_subquery(on)),
        );
    }
    let select = select.order_by_asc(parcel::Column::Code);
    let total = select.clone().count(db.conn()).await?;
    let rows = if all {
        select.all(db.conn()).await?
    } else {
        select
            .paginate(db.conn(), page.per_page())
            .fetch_page(page.page().saturating_sub(1))
            .await?
    };
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut on = occupants_of(db.conn(), scope, &ids).await?;
    Ok((
        rows.into_iter()
            .map(|p| ParcelLine {
                occupants: on.remove(&p.id).unwrap_or_default(),
                parcel: p,
            })
            .collect(),
        total,
    ))
}

pub async fn parcel_by_id<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<ParcelLine, AppError> {
    let p = scope
        .select::<parcel::Entity>()
        .filter(parcel::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut on = occupants_of(conn, scope, &[p.id]).await?;
    Ok(ParcelLine {
        occupants: on.remove(&p.id).unwrap_or_default(),
        parcel: p,
    })
}

pub struct ParcelInput {
    pub code: String,
    pub name: String,
    pub area: String,
    pub location: String,
    pub land_use: String,
    pub supplied_on: Option<NaiveDate>,
    pub carrier_id: Option<i64>,
    pub note: String,
}

pub async fn create_parcel(writer: &mut Writer, scope: &Scope, input: ParcelInput) -> Result<Parcel, AppError> {
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 60 {
        return Err(AppError::field("code", "地块编号不能为空，不超过 60 字"));
    }
    let taken = parcel::Entity::find()
        .filter(parcel::Column::ZoneId.eq(scope.zone_id()))
        .filter(parcel::Column::Code.eq(code))
        .count(writer.read())
        .await?;
    if taken > 0 {
        return Err(AppError::field("code", format!("地块编号“{code}”已存在")));
    }
    let area = parse_amount(&input.area, "area", "用地面积（亩）")?
        .filter(|a| *a > 0)
        .ok_or_else(|| AppError::field("area", "用地面积（亩）应大于 0"))?;
    if let Some(c) = input.carrier_id {
        use gaoxin_enterprises::carrier_entity as carrier;
        scope
            .select::<carrier::Entity>()
            .filter(carrier::Column::Id.eq(c))
            .one(writer.read())
            .await?
            .ok_or_else(|| AppError::field("carrier_id", "所属载体不存在"))?;
    }
    let land_use = match input.land_use.trim() {
        "" => "工业".to_string(),
        u => u.chars().take(30).collect(),
    };
    Ok(writer
        .insert_in_zone(parcel::ActiveModel {
            code: Set(code.to_string()),
            name: Set(input.name.trim().chars().take(200).collect()),
            area: Set(area),
            location: Set(input.location.trim().chars().take(300).collect()),
            carrier_id: Set(input.carrier_id),
            land_use: Set(land_use),
            supplied_on: Set(input.supplied_on),
            note: Set(Some(input.note.trim().chars().take(500).collect::<String>()).filter(|n| !n.is_empty())),
            ..Default::default()
        })
        .await?)
}

async fn enterprise_by_uscc<C: ConnectionTrait>(conn: &C, scope: &Scope, uscc: &str) -> Result<Enterprise, AppError> {
    let uscc = uscc.trim().to_uppercase();
    scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Uscc.eq(uscc.clone()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::field("uscc", format!("企业库中没有统一社会信用代码为 {uscc} 的企业")))
}

pub async fn add_occupant(
    writer: &mut Writer,
    scope: &Scope,
    parcel_id: i64,
    uscc: &str,
    role: &str,
) -> Result<Occupant, AppError> {
    let p = parcel_by_id(writer.read(), scope, parcel_id).await?;
    let e = enterprise_by_uscc(writer.read(), scope, uscc).await?;
    if !matches!(role, "owner" | "tenant") {
        return Err(AppError::field("role", "请选择土地使用权人或租赁使用"));
    }
    if p.occupants.iter().any(|(o, _)| o.enterprise_id == e.id) {
        return Err(AppError::field("uscc", format!("{} 已在这个地块上", e.name)));
    }
    Ok(writer
        .insert_in_zone(occupant::ActiveModel {
            parcel_id: Set(p.parcel.id),
            enterprise_id: Set(e.id),
            role: Set(role.to_string()),
            ..Default::default()
        })
        .await?)
}

pub async fn remove_occupant(writer: &mut Writer, scope: &Scope, id: i64) -> Result<i64, AppError> {
    let o = scope
        .select::<occupant::Entity>()
        .filter(occupant::Column::Id.eq(id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let parcel_id = o.parcel_id;
    writer.delete_in_zone(o).await?;
    Ok(parcel_id)
}

/// The parcel groups of a zone, for evaluation: each enterprise on at least one parcel → the
/// group's key (its least parcel id), the members (enterprise ids, ordered), the parcels' codes
/// and total area (亩).
pub struct ParcelGroup {
    pub members: Vec<i64>,
    pub codes: Vec<String>,
    pub area: Decimal,
}

pub async fn groups<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
) -> Result<HashMap<i64, std::sync::Arc<ParcelGroup>>, AppError> {
    let parcels: HashMap<i64, Parcel> = parcel::Entity::find()
        .filter(parcel::Column::ZoneId.eq(zone_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let on = occupant::Entity::find()
        .filter(occupant::Column::ZoneId.eq(zone_id))
        .all(conn)
        .await?;
    // Union-find over enterprises: those on one parcel are joined.
    let mut parent: HashMap<i64, i64> = HashMap::new();
    fn root(parent: &mut HashMap<i64, i64>, x: i64) -> i64 {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let r = root(parent, p);
        parent.insert(x, r);
        r
    }
    let mut by_parcel: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for o in &on {
        by_parcel.entry(o.parcel_id).or_default().push(o.enterprise_id);
    }
    for members in by_parcel.values() {
        for m in members {
            let (a, b) = (root(&mut parent, members[0]), root(&mut parent, *m));
            if a != b {
                parent.insert(a.max(b), a.min(b));
            }
        }
    }
    let mut grouped: BTreeMap<i64, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for (parcel_id, members) in &by_parcel {
        let r = root(&mut parent, members[0]);
        let g = grouped.entry(r).or_default();
        g.1.push(*parcel_id);
        for m in members {
            if !g.0.contains(m) {
                g.0.push(*m);
            }
        }
    }
    let mut out = HashMap::new();
    for (_, (mut members, parcel_ids)) in grouped {
        members.sort_unstable();
        let group = std::sync::Arc::new(ParcelGroup {
            codes: parcel_ids
                .iter()
                .filter_map(|id| parcels.get(id).map(|p| p.code.clone()))
                .collect(),
            area: parcel_ids
                .iter()
                .filter_map(|id| parcels.get(id).map(|p| ten_thousandths(p.area)))
                .sum(),
            members: members.clone(),
        });
        for m in members {
            out.insert(m, group.clone());
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- 标准地 contracts

pub struct ContractInput {
    pub uscc: String,
    pub contract_no: String,
    pub signed_on: NaiveDate,
    pub project_name: String,
    /// As written: 万元/亩, ratio, 万元/亩, 万元/亩, 万元/亩, 万元/吨标准煤, 万元/吨, percent.
    pub investment_intensity: String,
    pub floor_area_ratio: String,
    pub tax_per_mu: String,
    pub value_added_per_mu: String,
    pub output_per_mu: String,
    pub energy_value_added: String,
    pub emission_value_added: String,
    pub rd_share: String,
    pub completion_due: Option<NaiveDate>,
    pub operating_years: String,
}

pub async fn create_contract(
    writer: &mut Writer,
    scope: &Scope,
    parcel_id: i64,
    input: ContractInput,
) -> Result<Contract, AppError> {
    let p = parcel_by_id(writer.read(), scope, parcel_id).await?;
    let e = enterprise_by_uscc(writer.read(), scope, &input.uscc).await?;
    let no = input.contract_no.trim();
    if no.is_empty() || no.chars().count() > 100 {
        return Err(AppError::field("contract_no", "合同编号不能为空，不超过 100 字"));
    }
    let taken = contract::Entity::find()
        .filter(contract::Column::ZoneId.eq(scope.zone_id()))
        .filter(contract::Column::ContractNo.eq(no))
        .count(writer.read())
        .await?;
    if taken > 0 {
        return Err(AppError::field("contract_no", format!("合同编号“{no}”已存在")));
    }
    let operating_years: i32 = match input.operating_years.trim() {
        "" => 3,
        s => s
            .parse()
            .ok()
            .filter(|y| (0..=10).contains(y))
            .ok_or_else(|| AppError::field("operating_years", "初始运行期应为 0–10 年"))?,
    };
    let investment_intensity = parse_amount(&input.investment_intensity, "investment_intensity", "固定资产投资强度")?;
    let floor_area_ratio = parse_amount(&input.floor_area_ratio, "floor_area_ratio", "容积率")?;
    let tax_per_mu = parse_amount(&input.tax_per_mu, "tax_per_mu", "亩均税收")?;
    let value_added_per_mu = parse_amount(&input.value_added_per_mu, "value_added_per_mu", "亩均增加值")?;
    let output_per_mu = parse_amount(&input.output_per_mu, "output_per_mu", "产出强度")?;
    let energy_value_added = parse_amount(&input.energy_value_added, "energy_value_added", "单位能耗增加值")?;
    let emission_value_added = parse_amount(&input.emission_value_added, "emission_value_added", "单位排放增加值")?;
    let rd_share = parse_amount(&input.rd_share, "rd_share", "研发经费占比")?;
    let set = [
        investment_intensity,
        floor_area_ratio,
        tax_per_mu,
        value_added_per_mu,
        output_per_mu,
        energy_value_added,
        emission_value_added,
        rd_share,
    ]
    .iter()
    .filter(|v| v.is_some())
    .count();
    if set < 5 {
        return Err(AppError::field(
            "investment_intensity",
            format!(
                "标准地至少约定五项控制指标（固定资产投资强度、容积率、单位能耗、单位排放、亩均税收等），这里只有 {set} 项"
            ),
        ));
    }
    // The contracting enterprise is on the parcel (as its owner) from now on.
    if !p.occupants.iter().any(|(o, _)| o.enterprise_id == e.id) {
        writer
            .insert_in_zone(occupant::ActiveModel {
                parcel_id: Set(p.parcel.id),
                enterprise_id: Set(e.id),
                role: Set("owner".into()),
                ..Default::default()
            })
            .await?;
    }
    Ok(writer
        .insert_in_zone(contract::ActiveModel {
            parcel_id: Set(p.parcel.id),
            enterprise_id: Set(e.id),
            contract_no: Set(no.to_string()),
            signed_on: Set(input.signed_on),
            project_name: Set(input.project_name.trim().chars().take(200).collect()),
            investment_intensity: Set(investment_intensity),
            floor_area_ratio: Set(floor_area_ratio),
            tax_per_mu: Set(tax_per_mu),
            value_added_per_mu: Set(value_added_per_mu),
            output_per_mu: Set(output_per_mu),
            energy_value_added: Set(energy_value_added),
            emission_value_added: Set(emission_value_added),
            rd_share: Set(rd_share),
            completion_due: Set(input.completion_due),
            operating_years: Set(operating_years),
            ..Default::default()
        })
        .await?)
}

/// Records 竣工: the day, the fixed-asset investment (万元) and the total floor area (m²).
pub async fn record_completion(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    completed_on: NaiveDate,
    investment_wan: &str,
    floor_area_m2: &str,
) -> Result<Contract, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    let c = contract_by_id(writer.read(), scope, id).await?.0;
    if completed_on < c.signed_on {
        return Err(AppError::field("completed_on", "竣工日期不能早于签约日期"));
    }
    let investment = parse_amount(investment_wan, "fixed_investment", "固定资产投资（万元）")?
        .ok_or_else(|| AppError::field("fixed_investment", "请填写竣工时的固定资产投资（万元）"))?;
    let floor = parse_amount(floor_area_m2, "floor_area", "总建筑面积（m²）")?
        .ok_or_else(|| AppError::field("floor_area", "请填写总建筑面积（m²）"))?;
    let mut a = c.clone().into_active_model();
    a.completed_on = Set(Some(completed_on));
    // 万元 in ten-thousandths → fen: × 10000 yuan / 10000 × 100.
    a.fixed_investment =
        Set(Some(investment.checked_mul(100).ok_or_else(|| {
            AppError::field("fixed_investment", "固定资产投资过大")
        })?));
    // m² in ten-thousandths → hundredths.
    a.floor_area = Set((Decimal::new(floor, 4) * Decimal::ONE_HUNDRED).round().to_i64());
    Ok(writer.update_in_zone(&c, a).await?)
}

pub async fn contract_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<(Contract, Parcel, Enterprise), AppError> {
    let c = scope
        .select::<contract::Entity>()
        .filter(contract::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = parcel_by_id(conn, scope, c.parcel_id).await?.parcel;
    let e = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.eq(c.enterprise_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((c, p, e))
}

pub async fn contracts(db: &Db, scope: &Scope) -> Result<Vec<(Contract, Parcel, Enterprise)>, AppError> {
    let rows = scope
        .select::<contract::Entity>()
        .order_by_desc(contract::Column::SignedOn)
        .all(db.conn())
        .await?;
    let parcels: HashMap<i64, Parcel> = scope
        .select::<parcel::Entity>()
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(
        gaoxin_enterprises::store::paired(db.conn(), scope, rows, |c| c.enterprise_id)
            .await?
            .into_iter()
            .filter_map(|(c, e)| Some((c.clone(), parcels.get(&c.parcel_id)?.clone(), e)))
            .collect(),
    )
}

pub fn terms_of(c: &Contract, p: &Parcel) -> Terms {
    let t = |v: Option<i64>| v.map(ten_thousandths);
    Terms {
        area_mu: ten_thousandths(p.area),
        investment_intensity: t(c.investment_intensity),
        floor_area_ratio: t(c.floor_area_ratio),
        tax_per_mu: t(c.tax_per_mu),
        value_added_per_mu: t(c.value_added_per_mu),
        output_per_mu: t(c.output_per_mu),
        energy_value_added: t(c.energy_value_added),
        emission_value_added: t(c.emission_value_added),
        rd_share: t(c.rd_share),
    }
}

/// The end of the 初始运行期 (completion + operating years), once completed.
pub fn operating_until(c: &Contract) -> Option<NaiveDate> {
    let done = c.completed_on?;
    NaiveDate::from_ymd_opt(done.year() + c.operating_years, done.month(), done.day().min(28))
}

/// Where a contract stands: 建设中 / 初始运行期 / 运行期满 (the output check is due).
pub fn stage(c: &Contract, today: NaiveDate) -> &'static str {
    match (c.completed_on, operating_until(c)) {
        (None, _) => {
            if c.completion_due.is_some_and(|d| d < today) {
                "逾期未竣工"
            } else {
                "建设中"
            }
        }
        (Some(_), Some(until)) if today < until => "初始运行期",
        _ => "运行期满",
    }
}

/// The checks of a contract: at completion, and the output check on `year`'s annual data (by
/// default the year the 初始运行期 ends, or the latest year with data before it).
pub async fn check<C: ConnectionTrait>(
    conn: &C,
    c: &Contract,
    p: &Parcel,
    year: Option<i32>,
) -> Result<(Vec<CheckLine>, Option<(i32, Vec<CheckLine>)>), AppError> {
    let terms = terms_of(c, p);
    let completion = domain::completion_check(
        &terms,
        &Completion {
            fixed_investment: c.fixed_investment.map(|f| Decimal::new(f, 2)),
            floor_area: c.floor_area.map(|f| Decimal::new(f, 2)),
        },
    );
    let years: Vec<annual::Model> = annual::Entity::find()
        .filter(annual::Column::ZoneId.eq(c.zone_id))
        .filter(annual::Column::EnterpriseId.eq(c.enterprise_id))
        .order_by_desc(annual::Column::Year)
        .all(conn)
        .await?;
    let wanted = year.or_else(|| operating_until(c).map(|u| u.year()));
    let row = match wanted {
        Some(y) if year.is_some() => years.iter().find(|a| a.year == y),
        Some(y) => years.iter().find(|a| a.year <= y),
        None => None,
    };
    let output = row.map(|a| {
        let yuan = |fen: Option<i64>| fen.map(|f| Decimal::new(f, 2));
        let tonnes = |kg: Option<i64>| kg.map(|k| Decimal::new(k, 3));
        let emissions = match (a.cod, a.ammonia, a.sulfur_dioxide, a.nitrogen_oxides) {
            (Some(x), Some(y), Some(z), Some(w)) => Some(Decimal::new(x + y + z + w, 3)),
            _ => None,
        };
        (
            a.year,
            domain::output_check(
                &terms,
                &YearFigures {
                    year: a.year,
                    tax: yuan(a.tax),
                    value_added: yuan(a.value_added),
                    gross_output: yuan(a.gross_output),
                    revenue: yuan(a.revenue),
                    rd_expense: yuan(a.rd_expense),
                    energy: tonnes(a.energy),
                    emissions,
                },
            ),
        )
    });
    Ok((completion, output))
}

// ---------------------------------------------------------------- import

use gaoxin_core::tabular::{self, Cell};
use gaoxin_platform::spreadsheet::{self, ColumnSpec, ImportError};

/// The columns of the parcel import, template and export (the export re-imports unchanged).
pub const PARCEL_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "code",
        header: "地块编号",
        required: true,
        hint: "必填，开发区内唯一（宗地号/不动产单元号）；已有的编号更新该地块",
    },
    ColumnSpec {
        key: "name",
        header: "名称",
        required: false,
        hint: "如 创新路 8 号地块",
    },
    ColumnSpec {
        key: "area",
        header: "用地面积(亩)",
        required: true,
        hint: "必填，大于 0，最多 4 位小数",
    },
    ColumnSpec {
        key: "location",
        header: "位置",
        required: false,
        hint: "坐落",
    },
    ColumnSpec {
        key: "land_use",
        header: "用途",
        required: false,
        hint: "工业、仓储、研发等，默认工业",
    },
    ColumnSpec {
        key: "supplied_on",
        header: "供地日期",
        required: false,
        hint: "如 2021-06-30",
    },
    ColumnSpec {
        key: "carrier",
        header: "所属载体",
        required: false,
        hint: "载体名称，须已在企业库登记",
    },
    ColumnSpec {
        key: "owner",
        header: "土地使用权人",
        required: false,
        hint: "统一社会信用代码，须已在企业库",
    },
    ColumnSpec {
        key: "tenants",
        header: "租赁企业",
        required: false,
        hint: "统一社会信用代码，多个用、分隔",
    },
];

/// One parcel row of an export (or a template example): the cells in `PARCEL_COLUMNS` order.
pub fn export_row(line: &ParcelLine, carriers: &HashMap<i64, String>) -> Vec<String> {
    let p = &line.parcel;
    let by_role = |role: &str| {
        line.occupants
            .iter()
            .filter(|(o, _)| o.role == role)
            .map(|(_, e)| e.uscc.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    vec![
        p.code.clone(),
        p.name.clone(),
        ten_thousandths(p.area).normalize().to_string(),
        p.location.clone(),
        p.land_use.clone(),
        p.supplied_on.map(|d| d.to_string()).unwrap_or_default(),
        p.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default(),
        by_role("owner"),
        by_role("tenant"),
    ]
}

/// What an import did.
pub struct ParcelImport {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub occupants_added: usize,
}

/// Imports parcels from .xlsx/.csv in one transaction: every row is checked first (each error
/// names its row and column) and nothing is saved unless all are clean. A known code updates
/// its parcel; occupants are added, never removed.
pub async fn import_parcels(
    writer: &mut Writer,
    scope: &Scope,
    file_name: &str,
    bytes: &[u8],
) -> Result<ParcelImport, Vec<ImportError>> {
    let internal = |e: AppError| {
        vec![ImportError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason: e.to_string(),
        }]
    };
    let sheets = spreadsheet::read(file_name, bytes).map_err(|reason| {
        vec![ImportError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason,
        }]
    })?;
    let located = spreadsheet::locate(sheets, PARCEL_COLUMNS)?;
    let firms: HashMap<String, i64> = scope
        .select::<enterprise::Entity>()
        .all(writer.read())
        .await
        .map_err(|e| internal(e.into()))?
        .into_iter()
        .map(|e| (e.uscc, e.id))
        .collect();
    let carriers: HashMap<String, i64> = {
        use gaoxin_enterprises::carrier_entity as carrier;
        scope
            .select::<carrier::Entity>()
            .all(writer.read())
            .await
            .map_err(|e| internal(e.into()))?
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect()
    };
    let existing: HashMap<String, Parcel> = scope
        .select::<parcel::Entity>()
        .all(writer.read())
        .await
        .map_err(|e| internal(e.into()))?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let empty = Cell::Empty;
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    struct Parsed {
        code: String,
        name: String,
        area: i64,
        location: String,
        land_use: String,
        supplied_on: Option<NaiveDate>,
        carrier_id: Option<i64>,
        occupants: Vec<(i64, &'static str)>,
    }
    let mut parsed = Vec::new();
    for row in &located.rows {
        let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
        // The template's hint row, if left in, is skipped.
        if matches!(cell("code"), Cell::Text(t) if t.starts_with('（')) {
            continue;
        }
        let mut fail = |k: &str, reason: String| errors.push(located.error(row, k, PARCEL_COLUMNS, reason));
        let code = tabular::text(cell("code")).unwrap_or_default();
        if code.is_empty() || code.chars().count() > 60 {
            fail("code", "地块编号不能为空，不超过 60 字".into());
            continue;
        }
        if let Some(first) = seen.insert(code.clone(), row.row) {
            fail("code", format!("与第 {first} 行的地块编号重复"));
            continue;
        }
        let area = match tabular::quantity::<4>(cell("area")) {
            Ok(Some(a)) if a.0 > 0 => a.0,
            Ok(_) => {
                fail("area", "用地面积（亩）应大于 0".into());
                0
            }
            Err(reason) => {
                fail("area", reason);
                0
            }
        };
        let supplied_on = tabular::date(cell("supplied_on")).unwrap_or_else(|reason| {
            fail("supplied_on", reason);
            None
        });
        let carrier_id = match tabular::text(cell("carrier")) {
            None => None,
            Some(name) => match carriers.get(&name) {
                Some(id) => Some(*id),
                None => {
                    fail("carrier", format!("企业库中没有载体“{name}”"));
                    None
                }
            },
        };
        let mut occupants = Vec::new();
        for (key, role) in [("owner", "owner"), ("tenants", "tenant")] {
            let raw = tabular::text(cell(key)).unwrap_or_default();
            for uscc in raw
                .split(['、', ',', '，', ';', '；', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match firms.get(&uscc.to_uppercase()) {
                    Some(id) if occupants.iter().any(|(x, _)| x == id) => {
                        fail(key, format!("{uscc} 在本行出现了两次"));
                    }
                    Some(id) => occupants.push((*id, role)),
                    None => fail(key, format!("企业库中没有统一社会信用代码为 {uscc} 的企业")),
                }
            }
        }
        parsed.push(Parsed {
            name: tabular::text(cell("name"))
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect(),
            location: tabular::text(cell("location"))
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect(),
            land_use: tabular::text(cell("land_use"))
                .unwrap_or_else(|| "工业".into())
                .chars()
                .take(30)
                .collect(),
            code,
            area,
            supplied_on,
            carrier_id,
            occupants,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if parsed.is_empty() {
        return Err(internal(AppError::BadRequest("文件中没有数据行".into())));
    }
    let mut report = ParcelImport {
        new: 0,
        changed: 0,
        unchanged: 0,
        occupants_added: 0,
    };
    for p in parsed {
        let saved = match existing.get(&p.code) {
            Some(old) => {
                let same = old.name == p.name
                    && old.area == p.area
                    && old.location == p.location
                    && old.land_use == p.land_use
                    && old.supplied_on == p.supplied_on
                    && old.carrier_id == p.carrier_id;
                if same {
                    report.unchanged += 1;
                    old.clone()
                } else {
                    report.changed += 1;
                    let mut a = old.clone().into_active_model();
                    a.name = Set(p.name);
                    a.area = Set(p.area);
                    a.location = Set(p.location);
                    a.land_use = Set(p.land_use);
                    a.supplied_on = Set(p.supplied_on);
                    a.carrier_id = Set(p.carrier_id);
                    writer.update_in_zone(old, a).await.map_err(|e| internal(e.into()))?
                }
            }
            None => {
                report.new += 1;
                writer
                    .insert_in_zone(parcel::ActiveModel {
                        code: Set(p.code),
                        name: Set(p.name),
                        area: Set(p.area),
                        location: Set(p.location),
                        land_use: Set(p.land_use),
                        supplied_on: Set(p.supplied_on),
                        carrier_id: Set(p.carrier_id),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| internal(e.into()))?
            }
        };
        let on: Vec<i64> = scope
            .select::<occupant::Entity>()
            .filter(occupant::Column::ParcelId.eq(saved.id))
            .all(writer.read())
            .await
            .map_err(|e| internal(e.into()))?
            .into_iter()
            .map(|o| o.enterprise_id)
            .collect();
        for (enterprise_id, role) in p.occupants.into_iter().filter(|(id, _)| !on.contains(id)) {
            writer
                .insert_in_zone(occupant::ActiveModel {
                    parcel_id: Set(saved.id),
                    enterprise_id: Set(enterprise_id),
                    role: Set(role.to_string()),
                    ..Default::default()
                })
                .await
                .map_err(|e| internal(e.into()))?;
            report.occupants_added += 1;
        }
    }
    Ok(report)
}

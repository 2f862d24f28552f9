//! 标准地 contracts: a new contract on a parcel (with at least five control indicators), its
//! completion (竣工), the list, where it stands, and its checks against what was built and
//! what the enterprise produced (`domain.rs` computes them).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::{enterprise_by_uscc, parcel_by_id, parse_amount, ten_thousandths};
use crate::contract_entity::{self as contract, Model as Contract};
use crate::domain::{self, CheckLine, Completion, Terms, YearFigures};
use crate::occupant_entity as occupant;
use crate::parcel_entity::{self as parcel, Model as Parcel};
use crate::status::{ContractStage, OccupantRole};
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

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
                role: Set(OccupantRole::Owner.code().into()),
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

/// Where a contract stands: being built (or past its completion date), in its 初始运行期, or
/// with it over (the output check is due).
pub fn stage(c: &Contract, today: NaiveDate) -> ContractStage {
    match (c.completed_on, operating_until(c)) {
        (None, _) => {
            if c.completion_due.is_some_and(|d| d < today) {
                ContractStage::Overdue
            } else {
                ContractStage::Building
            }
        }
        (Some(_), Some(until)) if today < until => ContractStage::Operating,
        _ => ContractStage::Expired,
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

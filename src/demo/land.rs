//! 亩均 of the demo zone: parcels for the firms with land (one in twenty a tenant on another
//! firm's parcel, evaluated together), a dozen 标准地 contracts, the shipped schemes, the 2023
//! evaluations final (objections answered, two classes adjusted, differentiated policies, the D
//! firms' clearance cases, some closed) and the 2024 evaluations published for objections.

use std::collections::HashMap;

use chrono::NaiveDate;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_land::status::{ObjectionStatus, OccupantRole};
use gaoxin_land::{clearance_entity, contract_entity, objection_entity, occupant_entity, parcel_entity};
use gaoxin_land::{shipped, store as land};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::rng::Rng;

fn err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// 亩均 of the demo zone, in this order: parcels and their occupants, 标准地 contracts, schemes
/// and evaluations, clearance. A generator of its own, so that earlier data stays the same
/// per seed.
pub(super) async fn demo_land(
    writer: &mut Writer,
    admin: &Scope,
    seed: u64,
    enterprises: &[enterprise::Model],
    departments: &HashMap<&str, i64>,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed ^ 0x1a4d_0007);
    let with_land: Vec<&enterprise::Model> = enterprises
        .iter()
        .filter(|e| e.status == gaoxin_enterprises::status::Status::Active.code() && e.land_area.is_some_and(|a| a > 0))
        .collect();
    let (parcels, holders) = create_parcels(writer, &mut rng, &with_land).await?;
    create_contracts(writer, &mut rng, &with_land, &holders, &parcels).await?;
    evaluate(writer, admin, departments).await?;
    clearance(writer, admin, &mut rng, departments).await
}

/// Parcels: each firm with land holds one; a few are tenants on the previous firm's. Returns
/// the parcels and their holders (enterprise ids), in the same order.
async fn create_parcels(
    writer: &mut Writer,
    rng: &mut Rng,
    with_land: &[&enterprise::Model],
) -> anyhow::Result<(Vec<parcel_entity::Model>, Vec<i64>)> {
    let mut parcels = Vec::new();
    let mut holders = Vec::new();
    let mut tenants = Vec::new();
    for (n, e) in with_land.iter().enumerate() {
        if n > 0 && rng.below(20) == 0 {
            tenants.push((holders.len() - 1, e.id));
            continue;
        }
        holders.push(e.id);
        parcels.push(parcel_entity::ActiveModel {
            code: Set(format!("XX{:02}-{:04}", 20 + rng.below(5), parcels.len() + 1)),
            name: Set(format!("{}地块", e.name.trim_end_matches("有限公司"))),
            area: Set(e.land_area.unwrap_or(0)),
            location: Set(e.registered_address.clone().unwrap_or_default()),
            carrier_id: Set(e.carrier_id),
            land_use: Set("工业".into()),
            supplied_on: Set(e.registered_on),
            ..Default::default()
        });
    }
    let parcels = writer.insert_many_in_zone(parcels).await?;
    let mut occupants: Vec<occupant_entity::ActiveModel> = parcels
        .iter()
        .zip(&holders)
        .map(|(p, e)| occupant_entity::ActiveModel {
            parcel_id: Set(p.id),
            enterprise_id: Set(*e),
            role: Set(OccupantRole::Owner.code().into()),
            ..Default::default()
        })
        .collect();
    for (parcel, e) in &tenants {
        occupants.push(occupant_entity::ActiveModel {
            parcel_id: Set(parcels[*parcel].id),
            enterprise_id: Set(*e),
            role: Set(OccupantRole::Tenant.code().into()),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(occupants).await?;
    Ok((parcels, holders))
}

/// 标准地: the newest firms' parcels, contracted with five to seven indicators.
async fn create_contracts(
    writer: &mut Writer,
    rng: &mut Rng,
    with_land: &[&enterprise::Model],
    holders: &[i64],
    parcels: &[parcel_entity::Model],
) -> anyhow::Result<()> {
    let mut newest: Vec<(usize, &enterprise::Model)> = with_land
        .iter()
        .filter_map(|e| holders.iter().position(|h| *h == e.id).map(|p| (p, *e)))
        .filter(|(_, e)| {
            e.registered_on
                .is_some_and(|d| d >= NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default())
        })
        .collect();
    newest.truncate(12);
    let mut contracts = Vec::new();
    for (k, (p, e)) in newest.iter().enumerate() {
        let signed = e.registered_on.unwrap_or_default();
        let completed = (k % 3 != 2).then(|| signed + chrono::Duration::days(300 + rng.below(300) as i64));
        let area = parcels[*p].area;
        contracts.push(contract_entity::ActiveModel {
            parcel_id: Set(parcels[*p].id),
            enterprise_id: Set(e.id),
            contract_no: Set(format!("XXBZD-{}-{:03}", signed.format("%Y"), k + 1)),
            signed_on: Set(signed),
            project_name: Set(format!("{}建设项目", e.name.trim_end_matches("有限公司"))),
            investment_intensity: Set(Some(3_000_000 + rng.below(20) as i64 * 100_000)),
            floor_area_ratio: Set(Some(12_000)),
            tax_per_mu: Set(Some(150_000 + rng.below(15) as i64 * 10_000)),
            value_added_per_mu: Set((k % 2 == 0).then_some(1_000_000)),
            energy_value_added: Set(Some(20_000)),
            emission_value_added: Set(Some(3_000_000)),
            rd_share: Set((k % 3 == 0).then_some(20_000)),
            completion_due: Set(Some(signed + chrono::Duration::days(540))),
            operating_years: Set(3),
            completed_on: Set(completed),
            // Area (ten-thousandths of a 亩) × 万元 per 亩 → fen; floor area in 0.01 m².
            fixed_investment: Set(completed.map(|_| area * (250 + rng.below(250) as i64) * 100)),
            floor_area: Set(completed.map(|_| area * 6_667 / 100 * (8 + rng.below(8) as i64))),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(contracts).await?;
    Ok(())
}

/// The shipped schemes and the evaluations: for each of the two schemes, 2023 and 2024
/// evaluated and published, then its differentiated policies.
async fn evaluate(writer: &mut Writer, admin: &Scope, departments: &HashMap<&str, i64>) -> anyhow::Result<()> {
    let zone_id = admin.zone_id();
    for (file, source) in shipped::files() {
        gaoxin_land::rule_file::load_scheme_file(writer, zone_id, &file, &source, None)
            .await
            .map_err(err)?;
    }
    let versions = land::active_versions(writer.read(), zone_id).await.map_err(err)?;
    for scheme in ["huangyan-2022-guishang", "huangyan-2022-guixia"] {
        let Some(v) = versions.iter().find(|v| v.scheme_id == scheme) else {
            continue;
        };
        for year in [2023, 2024] {
            evaluate_year(writer, admin, departments, v, year).await?;
        }
        for (class, category, measure, agency) in [
            ("A 优先发展", "用地", "优先保障新增用地指标和用能指标", "自然资源局"),
            ("A 优先发展", "扶持资金", "技改、研发奖补资金上浮 20%", "财政局"),
            ("C 调控帮扶", "电价", "执行差别化电价，加价 0.05 元/千瓦时", "供电公司"),
            ("D 倒逼整治", "电价", "执行差别化电价，加价 0.1 元/千瓦时", "供电公司"),
            ("D 倒逼整治", "水价", "执行差别化水价，加价 0.5 元/吨", "自来水公司"),
            ("D 倒逼整治", "扶持资金", "不享受各类扶持资金", "财政局"),
        ] {
            land::add_measure(writer, admin, scheme, class, category, measure, agency)
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}

/// One scheme's evaluation of one year, published with objections from the last-ranked
/// firms; 2023's objections answered, two classes adjusted, the run final and its clearance
/// opened.
async fn evaluate_year(
    writer: &mut Writer,
    admin: &Scope,
    departments: &HashMap<&str, i64>,
    v: &gaoxin_land::scheme_entity::Model,
    year: i32,
) -> anyhow::Result<()> {
    let today = admin.today();
    let run = land::evaluate_zone(writer, v, year, gaoxin_rules::ladder::default_as_of(year), None)
        .await
        .map_err(err)?;
    let run = land::publish(writer, admin, run.id, if year == 2023 { 0 } else { 7 }, today)
        .await
        .map_err(err)?;
    let results = gaoxin_land::result_entity::Entity::find()
        .filter(gaoxin_land::result_entity::Column::RunId.eq(run.id))
        .filter(gaoxin_land::result_entity::Column::ExclusionId.is_null())
        .all(writer.read())
        .await?;
    // Objections from the last-ranked firms; 2023's answered.
    let mut last: Vec<&gaoxin_land::result_entity::Model> = results.iter().collect();
    last.sort_by_key(|r| std::cmp::Reverse(r.rank));
    for r in last.iter().take(2) {
        let o = writer
            .insert_in_zone(objection_entity::ActiveModel {
                run_id: Set(run.id),
                result_id: Set(r.id),
                enterprise_id: Set(r.enterprise_id),
                reason: Set("评价税收未包含已入库的 12 月税款，请核实".into()),
                evidence: Set("税务局出具的完税证明（12 月入库）".into()),
                status: Set(ObjectionStatus::Open.code().into()),
                ..Default::default()
            })
            .await?;
        if year == 2023 {
            let mut a = o.clone().into_active_model();
            a.status = Set(ObjectionStatus::Rejected.code().into());
            a.answer = Set(Some("经与税务局核对，12 月税款已计入评价税收，维持原评价".into()));
            a.department_id = Set(departments.values().min().copied());
            writer.update_in_zone(&o, a).await?;
        }
    }
    if year == 2023 {
        // Two classes set by hand, then final.
        for r in results.iter().filter(|r| r.rank > 0).take(2) {
            let to = if r.class.starts_with('A') {
                "B 提升发展"
            } else {
                "D 倒逼整治"
            };
            land::adjust_class(writer, admin, r.id, to, "存在违法用地行为，按区亩均办会议决定调档")
                .await
                .map_err(err)?;
        }
        land::finalize(writer, admin, run.id, today, None).await.map_err(err)?;
        land::open_clearance(writer, admin, run.id).await.map_err(err)?;
    }
    Ok(())
}

/// Clearance: routes chosen for most cases, a few closed with land recovered.
async fn clearance(
    writer: &mut Writer,
    admin: &Scope,
    rng: &mut Rng,
    departments: &HashMap<&str, i64>,
) -> anyhow::Result<()> {
    let cases = clearance_entity::Entity::find()
        .filter(clearance_entity::Column::ZoneId.eq(admin.zone_id()))
        .all(writer.read())
        .await?;
    // In id order: a map's order changes from run to run, the demo must not.
    let mut department_ids: Vec<i64> = departments.values().copied().collect();
    department_ids.sort_unstable();
    for (k, c) in cases.iter().enumerate() {
        if k % 5 == 4 {
            continue;
        }
        let (route, actions) = land::ROUTES[k % land::ROUTES.len()];
        let deadline = NaiveDate::from_ymd_opt(2024 + (k % 3) as i32, 6 + (k % 6) as u32, 30);
        let planned = land::plan_case(
            writer,
            admin,
            c.id,
            route,
            &format!("{actions}：制定“一企一策”方案，明确责任人和时间节点"),
            department_ids.get(k % department_ids.len().max(1)).copied(),
            deadline,
        )
        .await
        .map_err(err)?;
        land::report_progress(
            writer,
            admin,
            planned.id,
            "已约谈企业负责人，“一企一策”方案已报区亩均办",
            30,
        )
        .await
        .map_err(err)?;
        if k % 2 == 0 {
            land::report_progress(writer, admin, planned.id, "整治措施推进中，已完成设备评估", 60)
                .await
                .map_err(err)?;
        }
        if k % 3 == 0 {
            let recovered = if route == "buy_back" || route == "eliminate" {
                rust_decimal::Decimal::new(5 + rng.below(100) as i64, 1)
            } else {
                rust_decimal::Decimal::ZERO
            };
            land::close_case(
                writer,
                admin,
                planned.id,
                NaiveDate::from_ymd_opt(2024, 10, 31).unwrap_or_default(),
                recovered,
                "已完成，经区亩均办验收销号",
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}

//! The parcel register: the list (searched by parcel or occupant), one parcel with its
//! occupants, a new parcel, and enterprises added to and removed from a parcel.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::parse_amount;
use crate::occupant_entity::{self as occupant, Model as Occupant};
use crate::parcel_entity::{self as parcel, Model as Parcel};
use crate::status::OccupantRole;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;

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

pub(super) async fn enterprise_by_uscc<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    uscc: &str,
) -> Result<Enterprise, AppError> {
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
    if OccupantRole::of(role).is_none() {
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

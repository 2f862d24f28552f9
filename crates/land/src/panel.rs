//! The 亩均 card of the enterprise page (一企一档): the enterprise's results in every run it is
//! evaluated in (an enterprise user: published runs only), the parcels it is on and its 标准地
//! contracts.

use askama::Template;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use crate::run_entity::Model as Run;
use crate::status::{OccupantRole, ResultSubset, RunStatus};
use crate::store;
use crate::web::show_points;
use gaoxin_core::roles::ZONE_READERS;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::panels::{EnterprisePanel, PanelSubject};
use gaoxin_platform::web::{PageCtx, render_fragment};

pub struct PanelResult {
    pub id: i64,
    pub year: i32,
    pub scheme: String,
    /// The run's status, a message key.
    pub status: &'static str,
    pub rank: String,
    pub class: String,
    pub score: String,
    pub adjusted: bool,
}

/// The 亩均 panel of the enterprise page (一企一档): its results in every run it is evaluated
/// in (an enterprise user: published runs only), the parcels it is on and its 标准地 contracts.
pub struct LandCard {
    pub results: Vec<PanelResult>,
    /// (parcel id, code, area 亩, role).
    pub parcels: Vec<(i64, String, String, &'static str)>,
    /// (contract id, number, stage).
    pub contracts: Vec<(i64, String, &'static str)>,
    /// Parcel and contract pages are for zone readers.
    pub can_open_parcels: bool,
}

pub async fn land_card(state: &AppState, scope: &Scope, enterprise_id: i64) -> AppResult<LandCard> {
    let runs: std::collections::HashMap<i64, Run> = store::runs(&state.db, scope)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // Each run's scheme by its name (淮安市工业企业资源集约利用综合评价（2024）), not its id.
    let scheme_names: std::collections::HashMap<i64, String> = scope
        .select::<crate::scheme_entity::Entity>()
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let rows = scope
        .select::<crate::result_entity::Entity>()
        .filter(crate::result_entity::Column::EnterpriseId.eq(enterprise_id))
        .filter(crate::result_entity::Column::RunId.is_in(runs.keys().copied().collect::<Vec<_>>()))
        .order_by_desc(crate::result_entity::Column::RunId)
        .all(state.db.conn())
        .await?;
    let results = rows
        .into_iter()
        .filter(|r| !ResultSubset::out_of_scope(r.exclusion_id.as_deref()))
        .filter_map(|r| {
            let run = runs.get(&r.run_id)?;
            Some(PanelResult {
                id: r.id,
                year: run.year,
                scheme: scheme_names
                    .get(&run.scheme_version_id)
                    .cloned()
                    .unwrap_or_else(|| run.scheme_id.clone()),
                status: RunStatus::key_of(&run.status),
                rank: if r.exclusion_id.is_none() {
                    r.rank.to_string()
                } else {
                    String::new()
                },
                score: if r.exclusion_id.is_none() {
                    show_points(r.total)
                } else {
                    String::new()
                },
                adjusted: r.adjust_reason.is_some(),
                class: r.class,
            })
        })
        .collect();
    let on = scope
        .select::<crate::occupant_entity::Entity>()
        .filter(crate::occupant_entity::Column::EnterpriseId.eq(enterprise_id))
        .all(state.db.conn())
        .await?;
    let mut parcels = Vec::new();
    for o in on {
        let p = crate::parcels::parcel_by_id(state.db.conn(), scope, o.parcel_id)
            .await?
            .parcel;
        parcels.push((
            p.id,
            p.code,
            crate::parcels::ten_thousandths(p.area).normalize().to_string(),
            OccupantRole::shown(&o.role),
        ));
    }
    let contracts = scope
        .select::<crate::contract_entity::Entity>()
        .filter(crate::contract_entity::Column::EnterpriseId.eq(enterprise_id))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|c| {
            (
                c.id,
                c.contract_no.clone(),
                crate::parcels::stage(&c, scope.today()).label(),
            )
        })
        .collect();
    Ok(LandCard {
        results,
        parcels,
        contracts,
        can_open_parcels: ZONE_READERS.contains(scope.role()),
    })
}

#[derive(Template)]
#[template(path = "panel.html")]
struct Card<'a> {
    ctx: &'a PageCtx,
    land: LandCard,
}

/// Registered by the binary into the enterprise page.
pub struct Panel;

#[async_trait::async_trait]
impl EnterprisePanel for Panel {
    fn order(&self) -> u16 {
        200
    }

    async fn render(
        &self,
        state: &AppState,
        scope: &Scope,
        ctx: &PageCtx,
        subject: PanelSubject,
    ) -> AppResult<Option<String>> {
        let land = land_card(state, scope, subject.enterprise_id).await?;
        if land.results.is_empty() && land.parcels.is_empty() {
            return Ok(None);
        }
        render_fragment(&Card { ctx, land }).map(Some)
    }
}

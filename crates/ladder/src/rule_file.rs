//! Cultivation criteria files as versions: how a zone's upload is checked, shown and refused.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::criteria_entity as criteria;
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::versions::{Checked, Loaded, RuleFile};
use gaoxin_platform::web::PageCtx;

/// A tier's criteria (培育标准) file.
pub struct CriteriaFile;

#[async_trait::async_trait]
impl RuleFile for CriteriaFile {
    type Row = criteria::ActiveModel;
    const PAGE: &'static str = "/ladder/criteria";
    const DUTY: Option<gaoxin_platform::departments::duties::Duty> =
        Some(gaoxin_platform::departments::duties::Duty::Ladder);

    async fn check(
        _: &Writer,
        _: i64,
        file_name: &str,
        source: &str,
        loaded_by: Option<i64>,
    ) -> AppResult<Checked<Self::Row>> {
        store::check_criteria_file(file_name, source, loaded_by)
    }

    fn shown(v: &criteria::Model) -> (String, String) {
        (
            format!("/ladder/criteria/{}", v.id),
            format!("{}（{}）", v.name, v.document_number),
        )
    }

    async fn refused(
        state: &AppState,
        scope: &Scope,
        ctx: PageCtx,
        _: &HeaderMap,
        message: String,
    ) -> AppResult<Response> {
        let mut response = crate::web::criteria_page_with(state, scope, ctx, Some(message)).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    }
}

/// The upload of the kind's files (the one upload handler, [`gaoxin_platform::versions::upload`]).
pub fn routes() -> gaoxin_platform::routes::Routes {
    gaoxin_platform::routes::Routes::new().upload(
        "/ladder/criteria/upload",
        gaoxin_platform::routes::Access::Roles(gaoxin_core::roles::DEPARTMENT_EDITORS),
        gaoxin_platform::versions::upload::<CriteriaFile>,
    )
}

/// Loads a criteria file into the zone: it must load (syntax, types, sources) and pass its own
/// tests; it then becomes the tier's version in use.
pub async fn load_criteria_file(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> AppResult<(criteria::Model, Loaded)> {
    gaoxin_platform::versions::load::<CriteriaFile>(writer, zone_id, file_name, source, loaded_by).await
}

//! Policy files as versions: how a zone's upload is checked, shown and refused.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::store;
use crate::version_entity as version;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::versions::{Checked, Loaded, RuleFile};
use gaoxin_platform::web::PageCtx;

/// A policy (政策) file.
pub struct PolicyFile;

#[async_trait::async_trait]
impl RuleFile for PolicyFile {
    type Row = version::ActiveModel;
    const PAGE: &'static str = "/policies";
    const DUTY: Option<gaoxin_platform::departments::duties::Duty> =
        Some(gaoxin_platform::departments::duties::Duty::Policies);

    async fn check(
        writer: &Writer,
        zone_id: i64,
        file_name: &str,
        source: &str,
        loaded_by: Option<i64>,
    ) -> AppResult<Checked<Self::Row>> {
        store::check_policy_file(writer, zone_id, file_name, source, loaded_by).await
    }

    fn shown(v: &version::Model) -> (String, String) {
        (
            format!("/policies/versions/{}", v.id),
            format!("{}（{}）", v.title, v.document_number),
        )
    }

    async fn refused(
        state: &AppState,
        scope: &Scope,
        ctx: PageCtx,
        _: &HeaderMap,
        message: String,
    ) -> AppResult<Response> {
        let mut response = crate::web::policies_page(state, scope, ctx, Some(message)).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    }
}

/// The upload of the kind's files (the one upload handler, [`gaoxin_platform::versions::upload`]).
pub fn routes() -> gaoxin_platform::routes::Routes {
    gaoxin_platform::routes::Routes::new().upload(
        "/policies/upload",
        gaoxin_platform::routes::Access::Roles(gaoxin_core::roles::DEPARTMENT_EDITORS),
        gaoxin_platform::versions::upload::<PolicyFile>,
    )
}

/// Loads a policy file into the zone: checked like `gaoxin rules test` (syntax, types, its
/// own tests must pass) and bound to the database (every variable has `from`), then stored as
/// the policy's version in use.
pub async fn load_policy_file(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> AppResult<(version::Model, Loaded)> {
    gaoxin_platform::versions::load::<PolicyFile>(writer, zone_id, file_name, source, loaded_by).await
}

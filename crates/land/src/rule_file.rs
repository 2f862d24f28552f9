//! 亩均 evaluation schemes as versions: how a zone's upload is checked, shown and refused.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::scheme_entity as scheme_version;
use crate::store;
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::AppResult;
use gaoxin_platform::versions::{Checked, Loaded, RuleFile};
use gaoxin_platform::web::{PageCtx, finish};

/// An evaluation scheme (评价方案) file.
pub struct SchemeFile;

#[async_trait::async_trait]
impl RuleFile for SchemeFile {
    type Row = scheme_version::ActiveModel;
    const PAGE: &'static str = "/land";
    const DUTY: Option<gaoxin_platform::departments::duties::Duty> =
        Some(gaoxin_platform::departments::duties::Duty::Land);

    async fn check(
        _: &Writer,
        _: i64,
        file_name: &str,
        source: &str,
        loaded_by: Option<i64>,
    ) -> AppResult<Checked<Self::Row>> {
        store::check_scheme_file(file_name, source, loaded_by)
    }

    fn shown(v: &scheme_version::Model) -> (String, String) {
        (format!("/land/schemes/{}", v.id), v.name.clone())
    }

    async fn refused(
        state: &AppState,
        scope: &Scope,
        ctx: PageCtx,
        _: &HeaderMap,
        message: String,
    ) -> AppResult<Response> {
        // The overview shows the reason and answers 422.
        crate::web::overview(state, scope, ctx, Some(message)).await
    }
}

/// The upload of the kind's files (the one upload handler, [`gaoxin_platform::versions::upload`]).
pub fn routes() -> gaoxin_platform::routes::Routes {
    use gaoxin_platform::routes::{Access, Routes};
    Routes::new()
        .upload(
            "/land/schemes/upload",
            Access::Roles(DEPARTMENT_EDITORS),
            gaoxin_platform::versions::upload::<SchemeFile>,
        )
        .post(
            "/land/schemes/shipped",
            Access::Roles(DEPARTMENT_EDITORS),
            schemes_shipped,
        )
}

/// Loads a scheme file into the zone: it must load (syntax, types, sources, weights, shares)
/// and pass its own tests; it then becomes the version in use of its scheme id.
pub async fn load_scheme_file(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> AppResult<(scheme_version::Model, Loaded)> {
    gaoxin_platform::versions::load::<SchemeFile>(writer, zone_id, file_name, source, loaded_by).await
}

/// Loads every scheme shipped with gaoxin (a zone then copies and edits one).
async fn schemes_shipped(State(state): State<AppState>, scope: Scope, headers: HeaderMap) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let result: AppResult<(String, String)> = async {
        let mut writer = scope.writer(&state).await?;
        let mut names = Vec::new();
        for (file, text) in crate::shipped::files() {
            let (v, loaded) = load_scheme_file(
                &mut writer,
                scope.zone_id(),
                &file,
                &text,
                Some(scope.caller().account_id),
            )
            .await?;
            names.push(format!("{}（{}）", v.scheme_id, loaded.short()));
        }
        writer.commit().await?;
        Ok(("/land".to_string(), format!("已载入内置方案：{}", names.join("、"))))
    }
    .await;
    finish(&state, &headers, "/land", result)
}

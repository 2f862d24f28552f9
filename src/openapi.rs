//! The OpenAPI 3 document of `/api/v1`, served at `/api/v1/openapi.json` and shown by the
//! vendored Swagger UI at `/api/v1/docs`. A test checks that every API route is in it.
//! Each module's handlers carry their own `#[utoipa::path]`; this lists them.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::system;
use gaoxin_admin::{accounts, audit, departments, settings, zones};
use gaoxin_enterprises as enterprises;
use gaoxin_ladder as ladder;
use gaoxin_land as land;
use gaoxin_plans as plans;
use gaoxin_policies as policies;
use gaoxin_projects as projects;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gaoxin API",
        description = "高新区管委会运营平台接口。用 POST /api/v1/auth/token 换取令牌，然后以 `Authorization: Bearer <token>` 调用。省/市级账号用 `X-Gaoxin-Zone: <开发区代码>` 选择开发区。错误统一为 `{\"error\": {\"code\", \"message\", \"field\"?}}`。"
    ),
    paths(
        system::healthz,
        accounts::web::issue_token,
        accounts::web::list_tokens,
        accounts::web::revoke_token,
        accounts::web::me,
        accounts::web::list_users,
        accounts::web::create_user,
        accounts::web::get_user,
        accounts::web::update_user,
        accounts::web::user_tokens,
        accounts::web::revoke_user_token,
        accounts::web::unlock_user,
        departments::web::list_departments,
        departments::web::create_department,
        departments::web::get_department,
        departments::web::update_department,
        departments::web::list_duties,
        departments::web::set_duties,
        departments::web::delete_department,
        settings::web::list_settings,
        settings::web::set_settings,
        gaoxin_targets::web::list_targets,
        gaoxin_targets::web::create_target,
        gaoxin_targets::web::get_target,
        gaoxin_targets::web::report_target,
        gaoxin_targets::web::api_import,
        gaoxin_targets::web::list_metrics,
        enterprises::web::list_enterprises,
        enterprises::web::get_enterprise,
        enterprises::web::get_annual,
        enterprises::web::get_innovation,
        enterprises::web::api_import,
        policies::web::api_policies,
        policies::web::api_events,
        policies::web::api_save_events,
        policies::web::api_batches,
        policies::web::api_batch_lines,
        policies::web::api_explain,
        policies::web::api_calculate,
        policies::web::api_matches,
        ladder::web::api_criteria,
        ladder::web::api_runs,
        ladder::web::api_run_create,
        ladder::web::api_run,
        ladder::web::api_candidates,
        ladder::web::api_targets,
        ladder::web::api_standing,
        ladder::web::api_recheck,
        ladder::web::api_expiring,
        land::web::api_schemes,
        land::web::api_runs,
        land::web::api_run_create,
        land::web::api_run,
        land::web::api_results,
        land::web::api_publish,
        land::web::api_finalize,
        land::web::api_result,
        land::web::api_objection,
        land::web::api_clearance,
        land::web::api_transitions,
        land::parcels_web::api_parcels,
        land::parcels_web::api_check,
        plans::web::api_parse,
        plans::web::api_plans,
        plans::web::api_plan_create,
        plans::web::api_tasks,
        plans::web::api_task,
        plans::web::api_report,
        plans::web::api_confirm,
        plans::web::api_order,
        plans::web::api_order_close,
        plans::web::api_bulletin,
        plans::web::bulletin_docx,
        plans::scores::api_scores,
        projects::web::api_list,
        projects::web::api_create,
        projects::web::api_project,
        projects::web::api_move,
        projects::web::api_raise,
        projects::web::api_resolve,
        projects::web::api_bulletin,
        projects::web::api_scores,
        audit::web::list_audit,
        zones::web::list_zones,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "令牌与当前用户"),
        (name = "users", description = "用户管理"),
        (name = "departments", description = "部门"),
        (name = "settings", description = "本区设置"),
        (name = "targets", description = "目标与序时进度"),
        (name = "enterprises", description = "企业"),
        (name = "policies", description = "政策兑现：政策、兑现依据、批次、计算说明、政策计算器"),
        (name = "ladder", description = "梯度培育：培育标准、梯度评价、培育库、企业梯度与差距"),
        (name = "land", description = "亩均效益评价：评价方案、评价（草稿→公示→确认）、结果与说明、异议、D 类出清、分类变化"),
        (name = "plans", description = "重点工作台账：方案解析、任务、进展报送、确认完成、督办、督查通报"),
        (name = "projects", description = "招商项目：项目库、转段（含凭证）、卡壳问题、月度通报、半年考核"),
        (name = "audit", description = "审计日志"),
        (name = "zones", description = "开发区"),
        (name = "system", description = "运维"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    describe_every_response(&mut doc);
    unique_operation_ids(&mut doc);
    doc
}

/// The operations of a path that gaoxin's API uses.
fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Operation ids must be unique (client generators name methods after them): an id two modules
/// share (`api_runs` of the ladder and of 亩均) gets its module's name in front (`land_api_runs`).
fn unique_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in doc.paths.paths.values() {
        for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
            .into_iter()
            .flatten()
        {
            if let Some(id) = &operation.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let module = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or("api")
            .to_string();
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(id) = &operation.operation_id
                && seen.get(id).copied().unwrap_or(0) > 1
            {
                operation.operation_id = Some(format!("{module}_{id}"));
            }
        }
    }
}

/// OpenAPI requires a description on every response; where a handler gave none, the status's
/// own phrase ("OK", "Unprocessable Entity") is written, so that validators and client generators
/// accept the document.
fn describe_every_response(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response
                    && response.description.trim().is_empty()
                {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("Response")
                        .to_string();
                }
            }
        }
    }
}

/// `GET /api/v1/openapi.json` and the vendored Swagger UI.
pub fn routes() -> gaoxin_platform::routes::Routes {
    use gaoxin_platform::routes::{Access, Routes};
    use utoipa_swagger_ui::{Config, SwaggerUi};
    let swagger: axum::Router<gaoxin_platform::AppState> = SwaggerUi::new("/api/v1/docs")
        .config(Config::from("/api/v1/openapi.json"))
        .into();
    Routes::new()
        .get("/api/v1/openapi.json", Access::Public, openapi_json)
        .public_router(swagger, &["/api/v1/docs", "/api/v1/docs/", "/api/v1/docs/{*rest}"])
}

async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(document()).into_response()
}

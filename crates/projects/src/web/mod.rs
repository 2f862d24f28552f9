//! Pages and API of the project book, one file for each thing served: the pipeline board,
//! list and locations (`board`), registering and editing a project (`form`), a project's page
//! and its actions (`project`: timeline, stage moves with evidence, monthly figures, problems,
//! comments, the 达产 check), problems, "my problems" and the leader's "my projects"
//! (`problems`), the weekly 会办 (`meetings`: agenda → decisions), admission reviews
//! (`reviews`), the monthly bulletin (.docx/.xlsx), the quarter's site visits, half-year
//! scores and targets against 序时进度 (`reports`), the rulebook (`rules`), and the JSON API
//! (`api`). Here: the routes and what the pages share.

mod api;
mod board;
mod form;
mod meetings;
mod problems;
mod project;
mod reports;
mod reviews;
mod rules;

use chrono::{Datelike, NaiveDate};

use super::domain::{self, Book};
use super::store;
use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, ENTERPRISE_READERS, LEADERS, Role, RoleSet, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::parse_date;

pub use api::*;
pub use board::ListQuery;
pub use project::Event;
pub use reports::{MonthQuery, PeriodQuery, ScoresOut};

/// Who comments on projects (批示): leaders and the administrator.
const COMMENTERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader]);

/// Who may raise a problem at all (whether on this project is decided per project).
const RAISERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader, Role::Staff, Role::Enterprise]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/projects", Access::Roles(ENTERPRISE_READERS), board::board_page)
        .get("/projects/new", Access::Roles(DEPARTMENT_EDITORS), form::new_page)
        .post("/projects", Access::Roles(DEPARTMENT_EDITORS), form::create)
        .get(
            "/projects/problems",
            Access::Roles(ZONE_READERS),
            problems::problems_page,
        )
        .post(
            "/projects/problems/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            problems::resolve,
        )
        .get("/projects/mine", Access::Roles(LEADERS), problems::mine_page)
        .get(
            "/projects/meetings",
            Access::Roles(ZONE_READERS),
            meetings::meetings_page,
        )
        .post("/projects/meetings", Access::Roles(ADMINS), meetings::meeting_create)
        .get(
            "/projects/meetings/{id}",
            Access::Roles(ZONE_READERS),
            meetings::meeting_page,
        )
        .post(
            "/projects/meeting-items/{id}/decision",
            Access::Roles(ADMINS),
            meetings::decision_save,
        )
        .get("/projects/reviews", Access::Roles(ZONE_READERS), reviews::reviews_page)
        .get(
            "/projects/bulletin",
            Access::Roles(ZONE_READERS),
            reports::bulletin_page,
        )
        .get(
            "/projects/bulletin.docx",
            Access::Roles(ZONE_READERS),
            reports::bulletin_docx,
        )
        .get(
            "/projects/bulletin.xlsx",
            Access::Roles(ZONE_READERS),
            reports::bulletin_xlsx,
        )
        .get("/projects/visits", Access::Roles(ZONE_READERS), reports::visits_page)
        .get("/projects/scores", Access::Roles(ZONE_READERS), reports::scores_page)
        .get("/projects/targets", Access::Roles(ZONE_READERS), reports::targets_page)
        .post("/projects/targets", Access::Roles(ADMINS), reports::target_save)
        .get(
            "/projects/locations",
            Access::Roles(ZONE_READERS),
            board::locations_page,
        )
        .get("/projects/rules", Access::Roles(ZONE_READERS), rules::rules_page)
        .upload(
            "/projects/rules",
            Access::Roles(ADMINS),
            gaoxin_platform::versions::upload::<store::RulebookFile>,
        )
        .get(
            "/projects/{id}",
            Access::Roles(ENTERPRISE_READERS),
            project::project_page,
        )
        .get(
            "/projects/{id}/edit",
            Access::Roles(DEPARTMENT_EDITORS),
            form::edit_page,
        )
        .post(
            "/projects/{id}/edit",
            Access::Roles(DEPARTMENT_EDITORS),
            form::edit_save,
        )
        .post(
            "/projects/{id}/stage",
            Access::Roles(DEPARTMENT_EDITORS),
            project::stage_move,
        )
        .post(
            "/projects/{id}/monthly",
            Access::Roles(DEPARTMENT_EDITORS),
            project::monthly_save,
        )
        .post(
            "/projects/{id}/problems",
            Access::Roles(RAISERS),
            project::problem_raise,
        )
        .post(
            "/projects/{id}/comments",
            Access::Roles(COMMENTERS),
            project::comment_add,
        )
        .post("/projects/{id}/reviews", Access::Roles(ADMINS), reviews::review_save)
        .get("/api/v1/projects", Access::Roles(ENTERPRISE_READERS), api_list)
        .post("/api/v1/projects", Access::Roles(DEPARTMENT_EDITORS), api_create)
        .get("/api/v1/projects/bulletin", Access::Roles(ZONE_READERS), api_bulletin)
        .get("/api/v1/projects/scores", Access::Roles(ZONE_READERS), api_scores)
        .get("/api/v1/projects/{id}", Access::Roles(ENTERPRISE_READERS), api_project)
        .post(
            "/api/v1/projects/{id}/stage",
            Access::Roles(DEPARTMENT_EDITORS),
            api_move,
        )
        .post("/api/v1/projects/{id}/problems", Access::Roles(RAISERS), api_raise)
        .post(
            "/api/v1/project-problems/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            api_resolve,
        )
}

/// A form with repeated fields (multi-selects, checkboxes).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
    fn id(&self, key: &str) -> Option<i64> {
        self.get(key).parse().ok()
    }
    fn ids(&self, key: &str) -> Vec<i64> {
        self.all(key).iter().filter_map(|v| v.parse().ok()).collect()
    }
    fn date(&self, key: &'static str, what: &str) -> AppResult<Option<NaiveDate>> {
        parse_date(Some(&self.get(key)), key, what)
    }
}

/// Lists for the forms' selects.
struct Choices {
    departments: Vec<(i64, String)>,
    carriers: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

async fn choices(state: &AppState, scope: &Scope) -> AppResult<Choices> {
    use gaoxin_platform::accounts::entity::account;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let departments = gaoxin_platform::departments::store::all(&state.db, scope, None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let carriers = scope
        .select::<gaoxin_enterprises::carrier_entity::Entity>()
        .order_by_asc(gaoxin_enterprises::carrier_entity::Column::Name)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let leaders = account::Entity::find()
        .filter(account::Column::ZoneId.eq(scope.zone_id()))
        .all(state.db.conn())
        .await?
        .into_iter()
        .filter(|a| a.role == Role::Leader.code())
        .map(|a| (a.id, a.display_name))
        .collect();
    Ok(Choices {
        departments,
        carriers,
        leaders,
    })
}

/// The month before the one holding `t` (`2026-10`): the bulletin's default.
fn last_month(t: NaiveDate) -> String {
    let first = t.with_day(1).expect("day 1");
    domain::month_key(first.pred_opt().expect("a day before"))
}

/// The rulebook in use, its version, and whether it is only the shipped example.
fn rules_note(book: &Book) -> String {
    format!(
        "{}（版本 {}）{}",
        book.rules.name,
        &book.rules.version[..12],
        if book.rules_loaded {
            ""
        } else {
            "，随软件提供的示例，管理员可在“推进规则”上传本区文件"
        }
    )
}
